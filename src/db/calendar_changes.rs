//! The per-calendar change log CalDAV sync reads: every create, change and delete of an event
//! takes the calendar's next `sync_seq` and records the event's UID under it, in the caller's
//! transaction. The counter lives on the calendar row, so on PostgreSQL the `UPDATE` locks it
//! and two processes writing the same calendar get distinct, increasing numbers.

use sqlx::FromRow;

use super::WriteTx;
use crate::domain::id::CalendarId;

/// What happened to the resource named by the UID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Created,
    Changed,
    Deleted,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Changed => "changed",
            Self::Deleted => "deleted",
        }
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct ChangeRow {
    pub seq: i64,
    pub uid: String,
    pub kind: String,
    pub changed_at: i64,
}

/// Records one change and returns its sequence number (the calendar's new sync token).
pub async fn record(
    tx: &mut WriteTx,
    calendar: CalendarId,
    uid: &str,
    kind: ChangeKind,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let seq: i64 = sqlx::query_scalar("UPDATE calendars SET sync_seq = sync_seq + 1 WHERE id = $1 RETURNING sync_seq")
        .bind(calendar)
        .fetch_one(&mut **tx)
        .await?;
    // With the name the event answers to now (NULL: `<uid>.ics`): a deletion is then reported
    // under the name the client knows, whichever way the event went.
    sqlx::query(
        "INSERT INTO calendar_changes (calendar_id, seq, uid, kind, changed_at, name) VALUES ($1, $2, $3, $4, $5, \
         (SELECT dav_name FROM events WHERE calendar_id = $1 AND uid = $3))",
    )
    .bind(calendar)
    .bind(seq)
    .bind(uid)
    .bind(kind.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(seq)
}

/// The changes after `since`, oldest first (at most `limit`).
pub async fn since(
    db: impl sqlx::Executor<'_, Database = sqlx::Any>,
    calendar: CalendarId,
    since: i64,
    limit: i64,
) -> Result<Vec<ChangeRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT seq, uid, kind, changed_at FROM calendar_changes \
         WHERE calendar_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
    )
    .bind(calendar)
    .bind(since)
    .bind(limit)
    .fetch_all(db)
    .await
}
