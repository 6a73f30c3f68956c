//! The JSON API: HTTP only. Handlers extract, authorise, call `service::`/`db::` and map to
//! a response type; they never write SQL.
//!
//! A route is declared once: the Rocket attribute gives its method and path, which utoipa's
//! Rocket integration reads for the OpenAPI operation (`#[utoipa::path]` adds only the tag,
//! the body and the responses), and each module names its handlers in one `api_module!`
//! list that yields both its mounted routes and its OpenAPI paths. utoipa reads the types of
//! primitive path and query arguments itself; an id newtype is not one, so a route with an
//! `<id>` segment still says `params(("id" = i64, Path))` (the OpenAPI test checks that every
//! path parameter is declared exactly once).

/// One list per API module: `routes()` for Rocket and `openapi()` for the document, from the
/// same handler names, so a route cannot be mounted undocumented or documented unmounted.
macro_rules! api_module {
    ($($($segment:ident)::+),* $(,)?) => {
        pub fn routes() -> Vec<rocket::Route> {
            rocket::routes![$($($segment)::+),*]
        }

        pub fn openapi() -> utoipa::openapi::OpenApi {
            #[derive(utoipa::OpenApi)]
            #[openapi(paths($($($segment)::+),*))]
            struct Paths;
            <Paths as utoipa::OpenApi>::openapi()
        }
    };
}

pub mod admin;
pub mod auth;
pub mod ca;
pub mod calendar_ics;
pub mod calendars;
pub mod connections;
pub mod dashboard;
pub mod event_invitations;
pub mod event_responses;
pub mod event_templates;
pub mod events;
pub mod feeds;
pub mod health;
pub mod locations;
pub mod notifications;
pub mod openapi;
pub mod page;
pub mod people;
pub mod project_tasks;
pub mod projects;
pub mod push_actions;
pub mod reminders;
pub mod settings;
pub mod shared_calendars;
pub mod todos;
pub mod weather;

use rocket::Route;

pub fn routes() -> Vec<Route> {
    [
        auth::routes(),
        admin::routes(),
        ca::routes(),
        calendar_ics::routes(),
        feeds::routes(),
        health::routes(),
        openapi::routes(),
        connections::routes(),
        locations::routes(),
        notifications::routes(),
        people::routes(),
        push_actions::routes(),
        reminders::routes(),
        settings::routes(),
        todos::routes(),
        calendars::routes(),
        shared_calendars::routes(),
        event_invitations::routes(),
        event_responses::routes(),
        events::routes(),
        event_templates::routes(),
        projects::routes(),
        project_tasks::routes(),
        dashboard::routes(),
        weather::routes(),
    ]
    .concat()
}

/// Every module's paths, for `openapi::ApiDoc` to merge into the document.
pub fn paths() -> Vec<utoipa::openapi::OpenApi> {
    vec![
        health::openapi(),
        openapi::openapi(),
        auth::openapi(),
        admin::openapi(),
        ca::openapi(),
        calendar_ics::openapi(),
        feeds::openapi(),
        connections::openapi(),
        locations::openapi(),
        notifications::openapi(),
        people::openapi(),
        push_actions::openapi(),
        reminders::openapi(),
        settings::openapi(),
        todos::openapi(),
        calendars::openapi(),
        shared_calendars::openapi(),
        event_invitations::openapi(),
        event_responses::openapi(),
        events::openapi(),
        event_templates::openapi(),
        projects::openapi(),
        project_tasks::openapi(),
        dashboard::openapi(),
        weather::openapi(),
    ]
}
