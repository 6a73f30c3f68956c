//! `/api/admin`: the admin console's API. Every route takes `AdminUser`, so standard users
//! get 403 before any handler code runs.

pub mod users;

use rocket::{Route, routes};

pub fn routes() -> Vec<Route> {
    routes![users::list_users]
}
