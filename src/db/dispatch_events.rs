//! The dispatcher's reads of events with alerts (migration 0016): which events may have an
//! alert falling due in a window, and an event as it is now when its alert is delivered.
//! Alerts go to the owner of the event's calendar; the rows they become are `due_alerts`
//! (kind `event_alert`, `event_id` set), written and claimed by `db::dispatch`.

use sqlx::{Any, Executor, FromRow};

use super::WriteTx;
use super::events::EventRow;
use crate::domain::id::{EventId, UserId};

/// An event that has alerts, and the owner of its calendar (who is alerted).
#[derive(Debug, Clone, FromRow)]
pub struct AlertedEvent {
    #[sqlx(flatten)]
    pub event: EventRow,
    pub owner_id: UserId,
}

// The columns of an `EventRow` and the owner, as a macro so every SQL text is one static string.
macro_rules! columns {
    () => {
        "e.id, e.calendar_id, e.uid, e.title, e.description, e.location, e.location_id, e.colour, e.all_day, \
         e.start_at, e.end_at, e.start_date, e.end_date, e.timezone, e.alerts, e.recurrence, e.exdates, \
         e.span_start, e.span_end, e.revision, e.created_by, e.created_at, e.updated_at, c.owner_id"
    };
}

/// Events with alerts whose span meets `[from, to]`; with `changed_since`, only those changed
/// (the event or one of its overrides) since then — the cheap scan run on every pass, so an
/// event made or moved a moment ago is not missed until the next full scan.
pub async fn alerted_events<'c>(
    db: impl Executor<'c, Database = Any>,
    from: i64,
    to: i64,
    changed_since: Option<i64>,
) -> Result<Vec<AlertedEvent>, sqlx::Error> {
    sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM events e JOIN calendars c ON c.id = e.calendar_id \
          WHERE e.alerts <> '[]' AND e.span_start <= $2 AND (e.span_end IS NULL OR e.span_end >= $1) \
            AND ($3 IS NULL OR e.updated_at >= $3 \
                 OR EXISTS (SELECT 1 FROM event_overrides o WHERE o.event_id = e.id AND o.updated_at >= $3)) \
          ORDER BY e.id"
    ))
    .bind(from)
    .bind(to)
    .bind(changed_since)
    .fetch_all(db)
    .await
}

/// The event as it is now, while `owner` still owns its calendar (an event moved to another
/// user's calendar no longer alerts its former owner).
pub async fn event_now(tx: &mut WriteTx, owner: UserId, id: EventId) -> Result<Option<EventRow>, sqlx::Error> {
    let found: Option<AlertedEvent> = sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM events e JOIN calendars c ON c.id = e.calendar_id WHERE e.id = $1 AND c.owner_id = $2"
    ))
    .bind(id)
    .bind(owner)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(found.map(|found| found.event))
}
