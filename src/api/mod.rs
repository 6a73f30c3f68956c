//! The JSON API: HTTP only. Handlers extract, authorise, call `db::`/`auth::` and map to a
//! response type; they never write SQL.

pub mod admin;
pub mod auth;
pub mod health;
pub mod openapi;
pub mod page;

use rocket::Route;

pub fn routes() -> Vec<Route> {
    [auth::routes(), admin::routes(), health::routes(), openapi::routes()].concat()
}
