//! The per-calendar change log CalDAV sync reads: every create, change and delete of an event
//! takes the calendar's next `sync_seq` and records the event's UID under it, in the caller's
//! transaction. The counter lives on the calendar row, so on PostgreSQL the `UPDATE` locks it
//! and two processes writing the same calendar get distinct, increasing numbers.
//!
//! The cleanup job prunes entries past a retention; `calendars.pruned_through` keeps the
//! highest number pruned, so a sync token older than the log is told apart from one the log
//! still answers exactly.

use sqlx::FromRow;

use super::{Db, WriteTx};
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

/// The highest number pruned from the calendar's log (0: none); `None`: no such calendar.
/// Every change numbered above it is still in the log.
pub async fn pruned_through(
    db: impl sqlx::Executor<'_, Database = sqlx::Any>,
    calendar: CalendarId,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT pruned_through FROM calendars WHERE id = $1").bind(calendar).fetch_optional(db).await
}

/// Deletes the entries recorded before `cutoff` (unix ms), per calendar through the newest
/// of them, raising the calendar's floor in the same transaction. Returns the calendars
/// pruned.
pub async fn prune_before(db: &Db, cutoff: i64) -> Result<usize, sqlx::Error> {
    let due: Vec<(i64, i64)> =
        sqlx::query_as("SELECT calendar_id, MAX(seq) FROM calendar_changes WHERE changed_at < $1 GROUP BY calendar_id")
            .bind(cutoff)
            .fetch_all(db.pool())
            .await?;
    for (calendar, through) in &due {
        let mut tx = db.write().await?;
        // Through a number, not by age: the log must hold every change above the floor,
        // even one stamped earlier by another process's clock.
        sqlx::query("UPDATE calendars SET pruned_through = $2 WHERE id = $1 AND pruned_through < $2")
            .bind(calendar)
            .bind(through)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM calendar_changes WHERE calendar_id = $1 AND seq <= $2")
            .bind(calendar)
            .bind(through)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    Ok(due.len())
}
