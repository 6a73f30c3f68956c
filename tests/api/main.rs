//! UMBRA's integration tests: one binary, one module per area. Every test gets a fresh
//! database: SQLite always, PostgreSQL when `UMBRA_TEST_POSTGRES_URL` is set.

mod support;

use support::{harness, live, stand_in, webdriver};

mod admin_console;
mod admin_users;
mod audit_trail;
mod auth_lock;
mod auth_login;
mod auth_password;
mod auth_setup;
mod backup;
mod browser;
mod browser_calendar;
mod browser_connections;
mod browser_people;
mod browser_reminders;
mod browser_settings;
mod browser_todos;
mod calendar_sharing;
mod calendars;
mod cli;
mod connections;
mod db_kit;
mod dispatcher;
mod event_invitations;
mod event_templates;
mod events;
mod gate;
mod hashing;
mod http_layer;
mod ical;
mod locations;
mod lockout;
mod notifications;
mod openapi;
mod outbound;
mod passkeys;
mod password_strength;
mod people;
mod postgres_tls;
mod privileges;
mod processes;
mod project_tasks;
mod projects;
mod rate_buckets;
mod reminders;
mod self_service;
mod services;
mod sessions;
mod settings;
mod socket;
mod todos;
mod totp;
mod user_connections;
mod web_assets;
