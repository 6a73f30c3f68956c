//! What CalDAV reads and writes of events beyond the import's columns: the resource name a
//! client chose (`dav_name`, NULL for `<uid>.ics`), the client text UMBRA has no field for
//! (`dav_extra`, `dav_alarms` with the alerts they map to, per event and per override) and
//! the name recorded with a change, so a sync reports a deletion under the name the client
//! knows. Callers check the calendar capability first (`calendar_access`).

use sqlx::{Any, Executor, FromRow};

use super::events::{EVENT_COLUMNS, EventRow};
use super::{Backend, WriteTx};
use crate::domain::ical::Kept;
use crate::domain::id::{CalendarId, EventId};

/// An event's resource name and revision (a listing: no text).
#[derive(Debug, Clone, FromRow)]
pub struct EventMeta {
    pub id: EventId,
    pub uid: String,
    pub dav_name: Option<String>,
    pub revision: i64,
}

/// An event row with its DAV columns.
#[derive(Debug, Clone, FromRow)]
pub struct DavEventRow {
    #[sqlx(flatten)]
    pub row: EventRow,
    pub dav_name: Option<String>,
    pub dav_extra: String,
    /// The client's VALARMs; NULL: UMBRA writes alarms from `alerts`.
    pub dav_alarms: Option<String>,
    /// `alerts` (JSON) as the last PUT mapped them; NULL for an event never PUT over DAV.
    pub dav_alarm_alerts: Option<String>,
}

/// An override's kept client text.
#[derive(Debug, Clone, FromRow)]
pub struct OverrideKept {
    pub event_id: EventId,
    pub recurrence_id: i64,
    pub dav_extra: String,
    pub dav_alarms: Option<String>,
}

/// A change after a token, with the name it was made under.
#[derive(Debug, Clone, FromRow)]
pub struct NamedChange {
    pub seq: i64,
    pub uid: String,
    pub name: Option<String>,
    pub kind: String,
}

pub async fn metas<'c>(
    db: impl Executor<'c, Database = Any>,
    calendar: CalendarId,
) -> Result<Vec<EventMeta>, sqlx::Error> {
    sqlx::query_as("SELECT id, uid, dav_name, revision FROM events WHERE calendar_id = $1 ORDER BY id")
        .bind(calendar)
        .fetch_all(db)
        .await
}

/// The events of a calendar whose span overlaps `[start, end)` (the same spans the range read
/// uses: a series without end has no `span_end`).
pub async fn metas_in_range<'c>(
    db: impl Executor<'c, Database = Any>,
    calendar: CalendarId,
    start: i64,
    end: i64,
) -> Result<Vec<EventMeta>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, uid, dav_name, revision FROM events \
         WHERE calendar_id = $1 AND span_start < $3 AND (span_end IS NULL OR span_end > $2) ORDER BY id",
    )
    .bind(calendar)
    .bind(start)
    .bind(end)
    .fetch_all(db)
    .await
}

/// The events stored under these resource names (a name is `dav_name`, or `<uid>.ics` when
/// that is NULL), a few hundred names per query.
pub async fn by_names(
    db: &mut sqlx::AnyConnection,
    calendar: CalendarId,
    names: &[String],
) -> Result<Vec<DavEventRow>, sqlx::Error> {
    let mut rows = Vec::new();
    for chunk in names.chunks(400) {
        let marks: Vec<String> = (0..chunk.len()).map(|n| format!("${}", n + 2)).collect();
        let marks = marks.join(", ");
        let sql = format!(
            "SELECT {EVENT_COLUMNS}, e.dav_name, e.dav_extra, e.dav_alarms, e.dav_alarm_alerts FROM events e \
             WHERE e.calendar_id = $1 \
             AND (e.dav_name IN ({marks}) OR (e.dav_name IS NULL AND e.uid || '.ics' IN ({marks})))"
        );
        let mut query = sqlx::query_as::<_, DavEventRow>(sqlx::AssertSqlSafe(sql)).bind(calendar);
        for name in chunk {
            query = query.bind(name);
        }
        rows.extend(query.fetch_all(&mut *db).await?);
    }
    Ok(rows)
}

/// The event with this UID in the calendar.
pub async fn by_uid(tx: &mut WriteTx, calendar: CalendarId, uid: &str) -> Result<Option<EventMeta>, sqlx::Error> {
    sqlx::query_as("SELECT id, uid, dav_name, revision FROM events WHERE calendar_id = $1 AND uid = $2")
        .bind(calendar)
        .bind(uid)
        .fetch_optional(&mut **tx)
        .await
}

/// The event stored under one resource name, locked on PostgreSQL until the write commits:
/// two PUTs with the same `If-Match` must not both pass the check (SQLite's write
/// transaction already holds the database).
pub async fn by_name(tx: &mut WriteTx, calendar: CalendarId, name: &str) -> Result<Option<EventMeta>, sqlx::Error> {
    let lock = if tx.backend() == Backend::Postgres { " FOR UPDATE" } else { "" };
    let sql = format!(
        "SELECT id, uid, dav_name, revision FROM events WHERE calendar_id = $1 \
         AND (dav_name = $2 OR (dav_name IS NULL AND uid || '.ics' = $2)){lock}"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(calendar).bind(name).fetch_optional(&mut **tx).await
}

/// Stores the client's name (NULL: `<uid>.ics`) and kept text with the alerts its alarms
/// map to (JSON); returns the revision.
pub async fn set_dav(
    tx: &mut WriteTx,
    id: EventId,
    dav_name: Option<&str>,
    kept: &Kept,
    alarm_alerts: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "UPDATE events SET dav_name = $2, dav_extra = $3, dav_alarms = $4, dav_alarm_alerts = $5 \
         WHERE id = $1 RETURNING revision",
    )
    .bind(id)
    .bind(dav_name)
    .bind(&kept.extra)
    .bind(kept.alarms.as_deref())
    .bind(alarm_alerts)
    .fetch_one(&mut **tx)
    .await
}

/// The kept text of the given events' overrides, only of those that have any (one query per
/// thousand events).
pub async fn overrides_kept(
    db: &mut sqlx::AnyConnection,
    events: &[EventId],
) -> Result<Vec<OverrideKept>, sqlx::Error> {
    let mut rows = Vec::new();
    for chunk in events.chunks(1_000) {
        let marks: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
        let sql = format!(
            "SELECT event_id, recurrence_id, dav_extra, dav_alarms FROM event_overrides \
             WHERE event_id IN ({}) AND (dav_extra <> '' OR dav_alarms IS NOT NULL)",
            marks.join(", ")
        );
        let mut query = sqlx::query_as::<_, OverrideKept>(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            query = query.bind(*id);
        }
        rows.extend(query.fetch_all(&mut *db).await?);
    }
    Ok(rows)
}

/// Names the change `seq` of a calendar was made under (the log's writer records UIDs).
pub async fn name_change(tx: &mut WriteTx, calendar: CalendarId, seq: i64, name: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE calendar_changes SET name = $3 WHERE calendar_id = $1 AND seq = $2")
        .bind(calendar)
        .bind(seq)
        .bind(name)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The calendar's sync counter.
pub async fn sync_seq<'c>(
    db: impl Executor<'c, Database = Any>,
    calendar: CalendarId,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT sync_seq FROM calendars WHERE id = $1").bind(calendar).fetch_optional(db).await
}

/// The changes after `since` up to `until`, oldest first.
pub async fn changes_since<'c>(
    db: impl Executor<'c, Database = Any>,
    calendar: CalendarId,
    since: i64,
    until: i64,
) -> Result<Vec<NamedChange>, sqlx::Error> {
    sqlx::query_as(
        "SELECT seq, uid, name, kind FROM calendar_changes WHERE calendar_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq",
    )
    .bind(calendar)
    .bind(since)
    .bind(until)
    .fetch_all(db)
    .await
}

/// The events with these UIDs in the calendar (sync deltas), a few hundred per query.
pub async fn by_uids(
    db: &mut sqlx::AnyConnection,
    calendar: CalendarId,
    uids: &[String],
) -> Result<Vec<EventMeta>, sqlx::Error> {
    let mut rows = Vec::new();
    for chunk in uids.chunks(400) {
        let marks: Vec<String> = (0..chunk.len()).map(|n| format!("${}", n + 2)).collect();
        let sql = format!(
            "SELECT id, uid, dav_name, revision FROM events WHERE calendar_id = $1 AND uid IN ({})",
            marks.join(", ")
        );
        let mut query = sqlx::query_as::<_, EventMeta>(sqlx::AssertSqlSafe(sql)).bind(calendar);
        for uid in chunk {
            query = query.bind(uid);
        }
        rows.extend(query.fetch_all(&mut *db).await?);
    }
    Ok(rows)
}
