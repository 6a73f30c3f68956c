//! Events and their overrides. Reads of one event come after `calendar_access::event_access`
//! (the capability, in SQL); the range read joins the `calendar_members` view and the
//! caller's accepted invitations itself, selecting along the `events_window` index (short
//! and long spans apart, see `SHORT_SPAN_MS`), so it only ever reads what the caller may
//! see. Writes run in the caller's write transaction, beside the change-log record.

use std::sync::LazyLock;

use sqlx::{Any, Executor, FromRow};

use super::{Backend, WriteTx};
use crate::domain::flag::Flag;
use crate::domain::id::{CalendarId, EventId, EventOverrideId, LocationId, UserId};

pub const EVENT_COLUMNS: &str = "e.id, e.calendar_id, e.uid, e.title, e.description, e.location, e.location_id, e.colour, \
     e.all_day, e.start_at, e.end_at, e.start_date, e.end_date, e.timezone, e.alerts, e.recurrence, e.exdates, \
     e.span_start, e.span_end, e.revision, e.created_by, e.created_at, e.updated_at";

const OVERRIDE_COLUMNS: &str = "id, event_id, recurrence_id, title, description, location, colour, start_at, end_at, \
     start_date, end_date, created_at, updated_at";

#[derive(Debug, Clone, FromRow)]
pub struct EventRow {
    pub id: EventId,
    pub calendar_id: CalendarId,
    pub uid: String,
    pub title: String,
    pub description: String,
    pub location: String,
    pub location_id: Option<LocationId>,
    pub colour: Option<String>,
    pub all_day: Flag,
    pub start_at: Option<i64>,
    pub end_at: Option<i64>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub timezone: String,
    /// JSON array of minutes.
    pub alerts: String,
    pub recurrence: Option<String>,
    /// JSON array of recurrence ids (unix ms).
    pub exdates: String,
    pub span_start: i64,
    pub span_end: Option<i64>,
    pub revision: i64,
    pub created_by: Option<UserId>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct OverrideRow {
    pub id: EventOverrideId,
    pub event_id: EventId,
    pub recurrence_id: i64,
    pub title: String,
    pub description: String,
    pub location: String,
    pub colour: Option<String>,
    pub start_at: Option<i64>,
    pub end_at: Option<i64>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The stored form of an event's editable state.
#[derive(Debug, Clone)]
pub struct EventValues {
    pub calendar_id: CalendarId,
    pub title: String,
    pub description: String,
    pub location: String,
    pub location_id: Option<LocationId>,
    pub colour: Option<String>,
    pub all_day: bool,
    pub start_at: Option<i64>,
    pub end_at: Option<i64>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub timezone: String,
    pub alerts: String,
    pub recurrence: Option<String>,
    pub exdates: String,
    pub span_start: i64,
    pub span_end: Option<i64>,
}

/// The stored form of one occurrence's own values.
#[derive(Debug, Clone)]
pub struct OverrideValues {
    pub title: String,
    pub description: String,
    pub location: String,
    pub colour: Option<String>,
    pub start_at: Option<i64>,
    pub end_at: Option<i64>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
}

/// One event a range read found, with how the caller sees it.
#[derive(Debug, Clone, FromRow)]
pub struct RangeRow {
    pub id: EventId,
    pub calendar_id: CalendarId,
    pub title: String,
    pub colour: Option<String>,
    pub all_day: Flag,
    pub start_at: Option<i64>,
    pub end_at: Option<i64>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub timezone: String,
    pub recurrence: Option<String>,
    pub exdates: String,
    /// The caller's `level_rank` on the calendar; 0 when they see the event as an invitee.
    pub level_rank: i64,
    /// The invitee's answer (`accepted`/`tentative`) when `level_rank` is 0.
    pub rsvp: Option<String>,
    /// The caller's colour override of the calendar, else the calendar's colour.
    pub calendar_colour: String,
}

const RANGE_COLUMNS: &str = "e.id, e.calendar_id, e.title, e.colour, e.all_day, e.start_at, e.end_at, e.start_date, \
     e.end_date, e.timezone, e.recurrence, e.exdates";

/// Events whose span is at most this long are "short" (the `long_span` column, migration
/// 0017): one can only overlap a window if it starts at most this long before the window.
pub const SHORT_SPAN_MS: i64 = 31 * 86_400_000;

/// The range read's statement, assembled once: the member calendars' short and long events
/// (two index ranges of `events_window`) and the caller's accepted invitations.
static RANGE_SQL: LazyLock<String> = LazyLock::new(|| {
    let member_events = |spans: &str| {
        format!(
            "SELECT {RANGE_COLUMNS}, m.level_rank AS level_rank, CAST(NULL AS TEXT) AS rsvp, \
                    COALESCE(p.colour_override, c.colour) AS calendar_colour \
             FROM m JOIN calendars c ON c.id = m.calendar_id \
             JOIN events e ON e.calendar_id = m.calendar_id \
             LEFT JOIN calendar_preferences p ON p.calendar_id = m.calendar_id AND p.user_id = $1 \
             WHERE {spans}"
        )
    };
    let short = member_events("e.long_span = 0 AND e.span_start >= $5 AND e.span_start < $3 AND e.span_end > $2");
    let long = member_events("e.long_span = 1 AND e.span_start < $3 AND (e.span_end IS NULL OR e.span_end > $2)");
    format!(
        "WITH m AS (SELECT calendar_id, MAX(level_rank) AS level_rank FROM calendar_members \
                    WHERE user_id = $1 AND ($4 = 0 OR calendar_id = $4) GROUP BY calendar_id) \
         {short} UNION ALL {long} UNION ALL \
         SELECT {RANGE_COLUMNS}, CAST(0 AS BIGINT) AS level_rank, i.status AS rsvp, c.colour AS calendar_colour \
         FROM event_invitations i \
         JOIN events e ON e.id = i.event_id \
         JOIN calendars c ON c.id = e.calendar_id \
         JOIN connections k \
           ON k.user_low = CASE WHEN i.invitee_id < e.created_by THEN i.invitee_id ELSE e.created_by END \
          AND k.user_high = CASE WHEN i.invitee_id < e.created_by THEN e.created_by ELSE i.invitee_id END \
          AND k.status = 'accepted' \
         WHERE i.invitee_id = $1 AND i.status IN ('accepted', 'tentative') \
           AND e.span_start < $3 AND (e.span_end IS NULL OR e.span_end > $2) AND ($4 = 0 OR e.calendar_id = $4) \
           AND NOT EXISTS (SELECT 1 FROM calendar_members x WHERE x.calendar_id = e.calendar_id AND x.user_id = $1)"
    )
});

/// Every event overlapping `[start, end)` by its span that `user` can read: from calendars
/// they are a member of (the `calendar_members` view: own, and accepted shares while
/// connected), and events they accepted (or tentatively accepted) an invitation to while
/// connected to the organiser. `calendar` narrows to one calendar. One statement; the short
/// and the long events of each calendar are two index ranges of `events_window`.
pub async fn range<'c>(
    db: impl Executor<'c, Database = Any>,
    user: UserId,
    start: i64,
    end: i64,
    calendar: Option<CalendarId>,
) -> Result<Vec<RangeRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(RANGE_SQL.as_str()))
        .bind(user)
        .bind(start)
        .bind(end)
        .bind(calendar.map_or(0, |c| c.0))
        .bind(start - SHORT_SPAN_MS)
        .fetch_all(db)
        .await
}

/// Every event of a calendar, oldest first (export and import: one query, none per event).
pub async fn in_calendar<'c>(
    db: impl Executor<'c, Database = Any>,
    calendar: CalendarId,
) -> Result<Vec<EventRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {EVENT_COLUMNS} FROM events e WHERE e.calendar_id = $1 ORDER BY e.id"
    )))
    .bind(calendar)
    .fetch_all(db)
    .await
}

/// Every override of a calendar's events, by event and occurrence.
pub async fn overrides_in_calendar<'c>(
    db: impl Executor<'c, Database = Any>,
    calendar: CalendarId,
) -> Result<Vec<OverrideRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {OVERRIDE_COLUMNS} FROM event_overrides \
         WHERE event_id IN (SELECT id FROM events WHERE calendar_id = $1) ORDER BY event_id, recurrence_id"
    )))
    .bind(calendar)
    .fetch_all(db)
    .await
}

/// The overrides of the given events, in one query per thousand events (no query per event).
pub async fn overrides_of(db: &mut sqlx::AnyConnection, events: &[EventId]) -> Result<Vec<OverrideRow>, sqlx::Error> {
    let mut rows = Vec::new();
    for chunk in events.chunks(1_000) {
        let marks: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
        let sql = format!("SELECT {OVERRIDE_COLUMNS} FROM event_overrides WHERE event_id IN ({})", marks.join(", "));
        let mut query = sqlx::query_as::<_, OverrideRow>(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            query = query.bind(*id);
        }
        rows.extend(query.fetch_all(&mut *db).await?);
    }
    Ok(rows)
}

pub async fn get<'c>(db: impl Executor<'c, Database = Any>, id: EventId) -> Result<Option<EventRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {EVENT_COLUMNS} FROM events e WHERE e.id = $1")))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// The event, locked for the rest of the transaction on PostgreSQL (SQLite's write
/// transaction already holds the database's write lock).
pub async fn get_for_update(tx: &mut WriteTx, id: EventId) -> Result<Option<EventRow>, sqlx::Error> {
    let lock = if tx.backend() == Backend::Postgres { " FOR UPDATE" } else { "" };
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {EVENT_COLUMNS} FROM events e WHERE e.id = $1{lock}")))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
}

pub async fn insert(
    tx: &mut WriteTx,
    uid: &str,
    values: &EventValues,
    created_by: UserId,
    now: i64,
) -> Result<EventId, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO events (calendar_id, uid, title, description, location, location_id, colour, all_day, start_at, \
         end_at, start_date, end_date, timezone, alerts, recurrence, exdates, span_start, span_end, revision, \
         created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, 1, $19, $20, $20) \
         RETURNING id",
    )
    .bind(values.calendar_id)
    .bind(uid)
    .bind(&values.title)
    .bind(&values.description)
    .bind(&values.location)
    .bind(values.location_id)
    .bind(&values.colour)
    .bind(Flag(values.all_day))
    .bind(values.start_at)
    .bind(values.end_at)
    .bind(&values.start_date)
    .bind(&values.end_date)
    .bind(&values.timezone)
    .bind(&values.alerts)
    .bind(&values.recurrence)
    .bind(&values.exdates)
    .bind(values.span_start)
    .bind(values.span_end)
    .bind(created_by)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
}

/// Writes the event's state and takes the next revision.
pub async fn update(tx: &mut WriteTx, id: EventId, values: &EventValues, now: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE events SET calendar_id = $2, title = $3, description = $4, location = $5, location_id = $6, \
         colour = $7, all_day = $8, start_at = $9, end_at = $10, start_date = $11, end_date = $12, timezone = $13, \
         alerts = $14, recurrence = $15, exdates = $16, span_start = $17, span_end = $18, revision = revision + 1, \
         updated_at = $19 WHERE id = $1",
    )
    .bind(id)
    .bind(values.calendar_id)
    .bind(&values.title)
    .bind(&values.description)
    .bind(&values.location)
    .bind(values.location_id)
    .bind(&values.colour)
    .bind(Flag(values.all_day))
    .bind(values.start_at)
    .bind(values.end_at)
    .bind(&values.start_date)
    .bind(&values.end_date)
    .bind(&values.timezone)
    .bind(&values.alerts)
    .bind(&values.recurrence)
    .bind(&values.exdates)
    .bind(values.span_start)
    .bind(values.span_end)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn delete(tx: &mut WriteTx, id: EventId) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM events WHERE id = $1").bind(id).execute(&mut **tx).await?;
    Ok(done.rows_affected() == 1)
}

pub async fn overrides<'c>(
    db: impl Executor<'c, Database = Any>,
    event: EventId,
) -> Result<Vec<OverrideRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {OVERRIDE_COLUMNS} FROM event_overrides WHERE event_id = $1 ORDER BY recurrence_id"
    )))
    .bind(event)
    .fetch_all(db)
    .await
}

/// Stores one occurrence's values (replacing an earlier override of it).
pub async fn put_override(
    tx: &mut WriteTx,
    event: EventId,
    recurrence_id: i64,
    values: &OverrideValues,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO event_overrides (event_id, recurrence_id, title, description, location, colour, start_at, end_at, \
         start_date, end_date, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) \
         ON CONFLICT (event_id, recurrence_id) DO UPDATE SET title = excluded.title, \
         description = excluded.description, location = excluded.location, colour = excluded.colour, \
         start_at = excluded.start_at, end_at = excluded.end_at, start_date = excluded.start_date, \
         end_date = excluded.end_date, updated_at = excluded.updated_at",
    )
    .bind(event)
    .bind(recurrence_id)
    .bind(&values.title)
    .bind(&values.description)
    .bind(&values.location)
    .bind(&values.colour)
    .bind(values.start_at)
    .bind(values.end_at)
    .bind(&values.start_date)
    .bind(&values.end_date)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn delete_override(tx: &mut WriteTx, event: EventId, recurrence_id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM event_overrides WHERE event_id = $1 AND recurrence_id = $2")
        .bind(event)
        .bind(recurrence_id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The caller's default calendar (every account has one, made by a trigger).
pub async fn default_calendar<'c>(
    db: impl Executor<'c, Database = Any>,
    user: UserId,
) -> Result<Option<CalendarId>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM calendars WHERE owner_id = $1 AND is_default = 1")
        .bind(user)
        .fetch_optional(db)
        .await
}

/// The zone a new event in `calendar` gets when its body names none: the calendar's, else
/// its owner's (`user_settings.timezone`); `None` means UTC.
pub async fn calendar_zone<'c>(
    db: impl Executor<'c, Database = Any>,
    calendar: CalendarId,
) -> Result<Option<String>, sqlx::Error> {
    let zone: Option<Option<String>> = sqlx::query_scalar(
        "SELECT COALESCE(c.timezone, s.timezone) FROM calendars c \
         LEFT JOIN user_settings s ON s.user_id = c.owner_id WHERE c.id = $1",
    )
    .bind(calendar)
    .fetch_optional(db)
    .await?;
    Ok(zone.flatten())
}

/// The user's own zone (`user_settings.timezone`), in which their range reads place
/// all-day dates.
pub async fn user_zone<'c>(db: impl Executor<'c, Database = Any>, user: UserId) -> Result<Option<String>, sqlx::Error> {
    let zone: Option<Option<String>> = sqlx::query_scalar("SELECT timezone FROM user_settings WHERE user_id = $1")
        .bind(user)
        .fetch_optional(db)
        .await?;
    Ok(zone.flatten())
}
