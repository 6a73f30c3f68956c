//! Pure types and rules of UMBRA: no I/O, no HTTP, no SQL. Kit types (ids, `Flag`) carry the
//! sqlx, Rocket and serde trait impls that move them across those edges, and nothing more.

pub mod audit_action;
pub mod calendars;
pub mod connections;
pub mod events;
pub mod flag;
pub mod ical;
pub mod id;
pub mod locations;
pub mod notifications;
pub mod oidc;
pub mod password_policy;
pub mod patch;
pub mod people;
pub mod people_dav;
pub mod people_vcard;
pub mod project_tasks;
pub mod projects;
pub mod recurrence;
pub mod reminders;
pub mod role;
pub mod system_settings;
pub mod text;
pub mod time;
pub mod todos;
pub mod user_settings;
pub mod username;
pub mod vcard;
pub mod weather;
