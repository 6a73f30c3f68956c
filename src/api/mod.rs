//! The JSON API: HTTP only. Handlers extract, authorise, call `db::`/`auth::` and map to a
//! response type; they never write SQL.

pub mod auth;
pub mod health;
pub mod openapi;

use rocket::Route;

pub fn routes() -> Vec<Route> {
    [auth::routes(), health::routes(), openapi::routes()].concat()
}
