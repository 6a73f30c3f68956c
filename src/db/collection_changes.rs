//! The change logs of the per-user DAV collections (the user's todos as one VTODO calendar,
//! their people as one address book), as `calendar_changes` is for calendars: every write
//! that changes what a DAV client sees takes the collection's next number and records the
//! object's UID (and its resource name, when a client chose one) under it, in the writer's
//! transaction. The counter is one `collection_sync` row per user and collection, taken with
//! an upsert … RETURNING: it only grows, survives restarts, and on PostgreSQL the row lock
//! hands two processes writing the same collection distinct, increasing numbers.
//!
//! The cleanup job prunes entries past a retention; `collection_sync.pruned_through` keeps
//! the highest number pruned, so a token older than the log is refused rather than answered
//! with a delta that misses what was pruned.

use sqlx::{Any, AnyConnection, Executor, FromRow};

use super::Db;

pub use super::calendar_changes::ChangeKind;
use crate::domain::id::UserId;

/// A per-user collection with a change log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncCollection {
    Todos,
    Contacts,
}

impl SyncCollection {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Todos => "todos",
            Self::Contacts => "contacts",
        }
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct ChangeRow {
    pub seq: i64,
    pub uid: String,
    /// The resource name a client chose; `None`: the UID-derived one.
    pub name: Option<String>,
    pub kind: String,
    pub changed_at: i64,
}

/// Records one change and returns its number (the collection's new sync token).
pub async fn record(
    conn: &mut AnyConnection,
    user: UserId,
    collection: SyncCollection,
    uid: &str,
    name: Option<&str>,
    kind: ChangeKind,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let seq: i64 = sqlx::query_scalar(
        "INSERT INTO collection_sync (user_id, collection, seq) VALUES ($1, $2, 1) \
         ON CONFLICT (user_id, collection) DO UPDATE SET seq = collection_sync.seq + 1 RETURNING seq",
    )
    .bind(user)
    .bind(collection.as_str())
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO collection_changes (user_id, collection, seq, uid, name, kind, changed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(user)
    .bind(collection.as_str())
    .bind(seq)
    .bind(uid)
    .bind(name)
    .bind(kind.as_str())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(seq)
}

/// The collection's counter now (0 before its first change).
pub async fn token<'c>(
    db: impl Executor<'c, Database = Any>,
    user: UserId,
    collection: SyncCollection,
) -> Result<i64, sqlx::Error> {
    let seq: Option<i64> = sqlx::query_scalar("SELECT seq FROM collection_sync WHERE user_id = $1 AND collection = $2")
        .bind(user)
        .bind(collection.as_str())
        .fetch_optional(db)
        .await?;
    Ok(seq.unwrap_or(0))
}

/// The changes numbered after `after` up to `upto`, oldest first.
pub async fn since<'c>(
    db: impl Executor<'c, Database = Any>,
    user: UserId,
    collection: SyncCollection,
    after: i64,
    upto: i64,
) -> Result<Vec<ChangeRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT seq, uid, name, kind, changed_at FROM collection_changes \
         WHERE user_id = $1 AND collection = $2 AND seq > $3 AND seq <= $4 ORDER BY seq",
    )
    .bind(user)
    .bind(collection.as_str())
    .bind(after)
    .bind(upto)
    .fetch_all(db)
    .await
}

/// The highest number pruned from the collection's log (0: none). Every change numbered
/// above it is still in the log.
pub async fn pruned_through<'c>(
    db: impl Executor<'c, Database = Any>,
    user: UserId,
    collection: SyncCollection,
) -> Result<i64, sqlx::Error> {
    let floor: Option<i64> =
        sqlx::query_scalar("SELECT pruned_through FROM collection_sync WHERE user_id = $1 AND collection = $2")
            .bind(user)
            .bind(collection.as_str())
            .fetch_optional(db)
            .await?;
    Ok(floor.unwrap_or(0))
}

/// Deletes the entries recorded before `cutoff` (unix ms), per collection through the newest
/// of them, raising the collection's floor in the same transaction. Returns the collections
/// pruned.
pub async fn prune_before(db: &Db, cutoff: i64) -> Result<usize, sqlx::Error> {
    let due: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT user_id, collection, MAX(seq) FROM collection_changes WHERE changed_at < $1 \
         GROUP BY user_id, collection",
    )
    .bind(cutoff)
    .fetch_all(db.pool())
    .await?;
    for (user, collection, through) in &due {
        let mut tx = db.write().await?;
        // Through a number, not by age: the log must hold every change above the floor.
        sqlx::query(
            "UPDATE collection_sync SET pruned_through = $3 \
             WHERE user_id = $1 AND collection = $2 AND pruned_through < $3",
        )
        .bind(user)
        .bind(collection)
        .bind(through)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM collection_changes WHERE user_id = $1 AND collection = $2 AND seq <= $3")
            .bind(user)
            .bind(collection)
            .bind(through)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    Ok(due.len())
}
