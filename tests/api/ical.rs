//! iCalendar: export (valid RFC 5545 that an independent parser reads, escaping, folding,
//! VTIMEZONE), import (files in the style of Google Calendar, Apple Calendar, Thunderbird and
//! Outlook; unsupported parts listed; malformed files refused whole; re-import idempotent),
//! the secret feed (no session, hashed token, revocation, rate limit) and the 404 matrix.

mod export;
mod feed;
mod fixtures;
mod import;
mod isolation;

use rocket::http::Method;

use crate::harness::{Persona, Resp, TestApp};

pub const GOOGLE: &str = include_str!("../fixtures/ical/google.ics");
pub const APPLE: &str = include_str!("../fixtures/ical/apple.ics");
pub const THUNDERBIRD: &str = include_str!("../fixtures/ical/thunderbird.ics");
pub const OUTLOOK: &str = include_str!("../fixtures/ical/outlook.ics");

/// The user's default calendar (every account has one from the start).
pub async fn default_calendar(app: &TestApp, username: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT c.id FROM calendars c JOIN users u ON u.id = c.owner_id WHERE u.username = $1 AND c.is_default = 1",
    )
    .bind(username)
    .fetch_one(app.db.pool())
    .await
    .unwrap()
}

/// Another calendar of the user's, made directly in the database.
pub async fn extra_calendar(app: &TestApp, username: &str, name: &str, zone: Option<&str>) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO calendars (owner_id, name, colour, timezone, is_default, created_at, updated_at) \
         SELECT id, $2, '#336699', $3, 0, 0, 0 FROM users WHERE username = $1 RETURNING id",
    )
    .bind(username)
    .bind(name)
    .bind(zone)
    .fetch_one(app.db.pool())
    .await
    .unwrap()
}

async fn user_id(app: &TestApp, username: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

/// Connects two users and shares `calendar` (of `owner`) with `member` at `level`, accepted.
pub async fn share(app: &TestApp, owner: &str, member: &str, calendar: i64, level: &str) {
    let (a, b) = (user_id(app, owner).await, user_id(app, member).await);
    sqlx::query(
        "INSERT INTO connections (requester_id, addressee_id, username, user_low, user_high, status, created_at, accepted_at) \
         VALUES ($1, $2, $3, $4, $5, 'accepted', 0, 0)",
    )
    .bind(a)
    .bind(b)
    .bind(member)
    .bind(a.min(b))
    .bind(a.max(b))
    .execute(app.db.pool())
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO calendar_shares (calendar_id, member_id, shared_by, level, status, created_at, accepted_at) \
         VALUES ($1, $2, $3, $4, 'accepted', 0, 0)",
    )
    .bind(calendar)
    .bind(b)
    .bind(a)
    .bind(level)
    .execute(app.db.pool())
    .await
    .unwrap();
}

pub async fn import_as(user: &Persona<'_>, calendar: i64, text: &str, content_type: &str) -> Resp {
    user.request(
        Method::Post,
        &format!("/api/calendars/{calendar}/import"),
        Some(text),
        &[("X-Requested-With", "XMLHttpRequest"), ("Content-Type", content_type)],
    )
    .await
}

pub async fn import(user: &Persona<'_>, calendar: i64, text: &str) -> Resp {
    import_as(user, calendar, text, "text/calendar").await
}

pub async fn export(user: &Persona<'_>, calendar: i64) -> Resp {
    user.get(&format!("/api/calendars/{calendar}/export.ics")).await
}

/// How many rows of `table` belong to the calendar (events, or overrides of its events).
pub async fn count(app: &TestApp, sql: &'static str, calendar: i64) -> i64 {
    sqlx::query_scalar(sql).bind(calendar).fetch_one(app.db.pool()).await.unwrap()
}

pub async fn events_in(app: &TestApp, calendar: i64) -> i64 {
    count(app, "SELECT COUNT(*) FROM events WHERE calendar_id = $1", calendar).await
}

/// The file as the independent parser (the `icalendar` crate) reads it: the VCALENDAR's
/// components, each as its name and properties (name, raw value).
pub fn parse_independently(text: &str) -> Vec<(String, Vec<(String, String)>)> {
    let unfolded = icalendar::parser::unfold(text);
    let calendar = icalendar::parser::read_calendar(&unfolded).unwrap_or_else(|e| panic!("{e}\n{text}"));
    calendar
        .components
        .iter()
        .map(|c| {
            let props =
                c.properties.iter().map(|p| (p.name.as_str().to_string(), p.val.as_str().to_string())).collect();
            (c.name.as_str().to_string(), props)
        })
        .collect()
}
