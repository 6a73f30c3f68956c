//! What iCalendar export and import read and write: a calendar's head, and the import's
//! inserts and updates inside the caller's transaction. The calendar's events and overrides
//! are read with `db::events`' rows (`in_calendar`, `overrides_in_calendar`).

use sqlx::{Any, Executor, FromRow};

use super::WriteTx;
use crate::domain::flag::Flag;
use crate::domain::ical::Kept;
use crate::domain::id::{CalendarId, EventId, UserId};

/// The calendar's own fields an export writes, and the zone floating times are read in.
#[derive(Debug, Clone, FromRow)]
pub struct CalendarHeadRow {
    pub name: String,
    pub description: String,
    /// The calendar's zone, else its owner's, else UTC.
    pub timezone: String,
}

pub async fn head<'c>(
    db: impl Executor<'c, Database = Any>,
    calendar: CalendarId,
) -> Result<Option<CalendarHeadRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT c.name, c.description, COALESCE(c.timezone, s.timezone, 'UTC') AS timezone \
         FROM calendars c LEFT JOIN user_settings s ON s.user_id = c.owner_id WHERE c.id = $1",
    )
    .bind(calendar)
    .fetch_optional(db)
    .await
}

/// An event's stored values, as the import writes them.
#[derive(Debug, Clone)]
pub struct EventWrite<'a> {
    pub uid: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub location: &'a str,
    pub all_day: bool,
    pub start_at: Option<i64>,
    pub end_at: Option<i64>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub timezone: &'a str,
    pub alerts: String,
    pub recurrence: Option<&'a str>,
    pub exdates: String,
    pub span_start: i64,
    pub span_end: Option<i64>,
}

/// An override's stored values.
#[derive(Debug, Clone)]
pub struct OverrideWrite<'a> {
    pub recurrence_id: i64,
    pub title: &'a str,
    pub description: &'a str,
    pub location: &'a str,
    pub start_at: Option<i64>,
    pub end_at: Option<i64>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    /// The client text a DAV PUT keeps for the occurrence (`dav_extra`, `dav_alarms`); a file
    /// import keeps none.
    pub kept: Option<&'a Kept>,
}

pub async fn insert_event(
    tx: &mut WriteTx,
    calendar: CalendarId,
    by: UserId,
    e: &EventWrite<'_>,
    now: i64,
) -> Result<EventId, sqlx::Error> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO events (calendar_id, uid, title, description, location, all_day, start_at, end_at, \
             start_date, end_date, timezone, alerts, recurrence, exdates, span_start, span_end, revision, \
             created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 1, $17, $18, $18) RETURNING id",
    )
    .bind(calendar)
    .bind(e.uid)
    .bind(e.title)
    .bind(e.description)
    .bind(e.location)
    .bind(Flag(e.all_day))
    .bind(e.start_at)
    .bind(e.end_at)
    .bind(e.start_date.as_deref())
    .bind(e.end_date.as_deref())
    .bind(e.timezone)
    .bind(&e.alerts)
    .bind(e.recurrence)
    .bind(&e.exdates)
    .bind(e.span_start)
    .bind(e.span_end)
    .bind(by)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(EventId(id))
}

/// Replaces an event's values (uid and calendar stay) and takes the next revision.
pub async fn update_event(tx: &mut WriteTx, id: EventId, e: &EventWrite<'_>, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE events SET title = $2, description = $3, location = $4, all_day = $5, start_at = $6, end_at = $7, \
             start_date = $8, end_date = $9, timezone = $10, alerts = $11, recurrence = $12, exdates = $13, \
             span_start = $14, span_end = $15, revision = revision + 1, updated_at = $16 \
         WHERE id = $1",
    )
    .bind(id)
    .bind(e.title)
    .bind(e.description)
    .bind(e.location)
    .bind(Flag(e.all_day))
    .bind(e.start_at)
    .bind(e.end_at)
    .bind(e.start_date.as_deref())
    .bind(e.end_date.as_deref())
    .bind(e.timezone)
    .bind(&e.alerts)
    .bind(e.recurrence)
    .bind(&e.exdates)
    .bind(e.span_start)
    .bind(e.span_end)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Replaces all of an event's overrides.
pub async fn replace_overrides(
    tx: &mut WriteTx,
    event: EventId,
    overrides: &[OverrideWrite<'_>],
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM event_overrides WHERE event_id = $1").bind(event).execute(&mut **tx).await?;
    for o in overrides {
        sqlx::query(
            "INSERT INTO event_overrides (event_id, recurrence_id, title, description, location, start_at, end_at, \
                 start_date, end_date, created_at, updated_at, dav_extra, dav_alarms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12)",
        )
        .bind(event)
        .bind(o.recurrence_id)
        .bind(o.title)
        .bind(o.description)
        .bind(o.location)
        .bind(o.start_at)
        .bind(o.end_at)
        .bind(o.start_date.as_deref())
        .bind(o.end_date.as_deref())
        .bind(now)
        .bind(o.kept.map_or("", |k| k.extra.as_str()))
        .bind(o.kept.and_then(|k| k.alarms.as_deref()))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
