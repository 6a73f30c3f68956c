//! Connections, blocks and request attempts: rows and queries. A pair of users is one row
//! (`user_low`, `user_high` in id order, unique), so "connected" is one indexed lookup and a
//! pair has at most one live request or connection. Every query names the caller and the
//! side they must be on (receiver to accept, sender to cancel, either to remove), so any
//! other id finds nothing.

use sqlx::{Any, Executor, FromRow};

use super::{Backend, WriteTx};
use crate::domain::connections::{Direction, pair};
use crate::domain::id::{ConnectionBlockId, ConnectionId, UserId};

/// The other user of a connection or request, as the caller sees them, and the instant that
/// matters (a connection's `since`, a request's `created_at`).
#[derive(Debug, Clone, FromRow)]
pub struct PeerRow {
    pub id: ConnectionId,
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
    pub at: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct BlockRow {
    pub id: ConnectionBlockId,
    pub username: String,
    pub created_at: i64,
}

// The other user of row `c` for the caller `$1`, with their display name (empty without a
// settings row); the statement adds its own WHERE, after which `$1` is still the caller.
macro_rules! peer_select {
    ($at:literal) => {
        concat!(
            "SELECT c.id, u.id AS user_id, u.username, COALESCE(s.display_name, '') AS display_name, ",
            $at,
            " AS at FROM connections c \
             JOIN users u ON u.id = CASE WHEN c.requester_id = $1 THEN c.addressee_id ELSE c.requester_id END \
             LEFT JOIN user_settings s ON s.user_id = u.id "
        )
    };
}

macro_rules! accepted_of {
    () => {
        "WHERE (c.user_low = $1 OR c.user_high = $1) AND c.status = 'accepted'"
    };
}

macro_rules! incoming_of {
    () => {
        "WHERE c.addressee_id = $1 AND c.status = 'pending'"
    };
}

macro_rules! outgoing_of {
    () => {
        "WHERE c.requester_id = $1 AND c.status = 'pending'"
    };
}

/// Whether `a` and `b` are connected (an accepted connection, either way round).
pub async fn are_connected<'c>(
    db: impl Executor<'c, Database = Any>,
    a: UserId,
    b: UserId,
) -> Result<bool, sqlx::Error> {
    let (low, high) = pair(a, b);
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM connections WHERE user_low = $1 AND user_high = $2 AND status = 'accepted'")
            .bind(low)
            .bind(high)
            .fetch_optional(db)
            .await?;
    Ok(found.is_some())
}

/// One page of the caller's connections (by username) and how many there are.
pub async fn list_connections(
    pool: &sqlx::AnyPool,
    user: UserId,
    limit: i64,
    offset: i64,
) -> Result<(Vec<PeerRow>, i64), sqlx::Error> {
    let sql = concat!(
        peer_select!("COALESCE(c.accepted_at, c.created_at)"),
        accepted_of!(),
        " ORDER BY u.username, c.id LIMIT $2 OFFSET $3"
    );
    let rows = sqlx::query_as(sql).bind(user).bind(limit).bind(offset).fetch_all(pool).await?;
    let total = sqlx::query_scalar(concat!("SELECT COUNT(*) FROM connections c ", accepted_of!()))
        .bind(user)
        .fetch_one(pool)
        .await?;
    Ok((rows, total))
}

/// One page of the caller's pending requests in one direction, newest first.
pub async fn list_requests(
    pool: &sqlx::AnyPool,
    user: UserId,
    direction: Direction,
    limit: i64,
    offset: i64,
) -> Result<(Vec<PeerRow>, i64), sqlx::Error> {
    let (sql, count) = match direction {
        Direction::Incoming => (
            concat!(
                peer_select!("c.created_at"),
                incoming_of!(),
                " ORDER BY c.created_at DESC, c.id DESC LIMIT $2 OFFSET $3"
            ),
            concat!("SELECT COUNT(*) FROM connections c ", incoming_of!()),
        ),
        Direction::Outgoing => (
            concat!(
                peer_select!("c.created_at"),
                outgoing_of!(),
                " ORDER BY c.created_at DESC, c.id DESC LIMIT $2 OFFSET $3"
            ),
            concat!("SELECT COUNT(*) FROM connections c ", outgoing_of!()),
        ),
    };
    let rows = sqlx::query_as(sql).bind(user).bind(limit).bind(offset).fetch_all(pool).await?;
    let total = sqlx::query_scalar(count).bind(user).fetch_one(pool).await?;
    Ok((rows, total))
}

/// The caller's connection `id`, as the list shows it.
pub async fn find_connection<'c>(
    db: impl Executor<'c, Database = Any>,
    user: UserId,
    id: ConnectionId,
) -> Result<Option<PeerRow>, sqlx::Error> {
    let sql = concat!(peer_select!("COALESCE(c.accepted_at, c.created_at)"), accepted_of!(), " AND c.id = $2");
    sqlx::query_as(sql).bind(user).bind(id).fetch_optional(db).await
}

/// A new pending request from `requester` to `addressee`; `None` when the pair already has a
/// request (either way) or a connection.
pub async fn insert_request(
    tx: &mut WriteTx,
    requester: UserId,
    addressee: UserId,
    now: i64,
) -> Result<Option<ConnectionId>, sqlx::Error> {
    let (low, high) = pair(requester, addressee);
    sqlx::query_scalar(
        "INSERT INTO connections (requester_id, addressee_id, user_low, user_high, status, created_at) \
         VALUES ($1, $2, $3, $4, 'pending', $5) ON CONFLICT (user_low, user_high) DO NOTHING RETURNING id",
    )
    .bind(requester)
    .bind(addressee)
    .bind(low)
    .bind(high)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await
}

/// Accepts a request sent to `addressee`; the requester, or `None` when `id` is no pending
/// request of theirs.
pub async fn accept(
    tx: &mut WriteTx,
    addressee: UserId,
    id: ConnectionId,
    now: i64,
) -> Result<Option<UserId>, sqlx::Error> {
    sqlx::query_scalar(
        "UPDATE connections SET status = 'accepted', accepted_at = $3 \
         WHERE id = $1 AND addressee_id = $2 AND status = 'pending' RETURNING requester_id",
    )
    .bind(id)
    .bind(addressee)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await
}

/// Deletes a pending request the caller received (`Incoming`: decline) or sent (`Outgoing`:
/// cancel); the other side's id, or `None` when there was no such request.
pub async fn delete_request<'c>(
    db: impl Executor<'c, Database = Any>,
    user: UserId,
    id: ConnectionId,
    side: Direction,
) -> Result<Option<UserId>, sqlx::Error> {
    let sql = match side {
        Direction::Incoming => {
            "DELETE FROM connections WHERE id = $1 AND addressee_id = $2 AND status = 'pending' RETURNING requester_id"
        }
        Direction::Outgoing => {
            "DELETE FROM connections WHERE id = $1 AND requester_id = $2 AND status = 'pending' RETURNING addressee_id"
        }
    };
    sqlx::query_scalar(sql).bind(id).bind(user).fetch_optional(db).await
}

/// Removes the caller's connection `id` (either side may).
pub async fn delete_connection<'c>(
    db: impl Executor<'c, Database = Any>,
    user: UserId,
    id: ConnectionId,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM connections WHERE id = $1 AND (user_low = $2 OR user_high = $2) AND status = 'accepted'",
    )
    .bind(id)
    .bind(user)
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Deletes whatever joins `a` and `b` (a request either way, or the connection): what a block
/// does. The deleted rows' ids and whether each was still pending.
pub async fn delete_between(
    tx: &mut WriteTx,
    a: UserId,
    b: UserId,
) -> Result<Vec<(ConnectionId, String)>, sqlx::Error> {
    let (low, high) = pair(a, b);
    sqlx::query_as("DELETE FROM connections WHERE user_low = $1 AND user_high = $2 RETURNING id, status")
        .bind(low)
        .bind(high)
        .fetch_all(&mut **tx)
        .await
}

/// Whether `blocker` has blocked the name `username`.
pub async fn is_blocked<'c>(
    db: impl Executor<'c, Database = Any>,
    blocker: UserId,
    username: &str,
) -> Result<bool, sqlx::Error> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM connection_blocks WHERE blocker_id = $1 AND username = $2")
            .bind(blocker)
            .bind(username)
            .fetch_optional(db)
            .await?;
    Ok(found.is_some())
}

/// Blocks `username` for `blocker`; blocking a name twice answers the first block.
pub async fn insert_block(
    tx: &mut WriteTx,
    blocker: UserId,
    username: &str,
    now: i64,
) -> Result<BlockRow, sqlx::Error> {
    sqlx::query_as(
        "INSERT INTO connection_blocks (blocker_id, username, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (blocker_id, username) DO UPDATE SET username = excluded.username \
         RETURNING id, username, created_at",
    )
    .bind(blocker)
    .bind(username)
    .bind(now)
    .fetch_one(&mut **tx)
    .await
}

/// One page of the caller's blocks, by name.
pub async fn list_blocks(
    pool: &sqlx::AnyPool,
    blocker: UserId,
    limit: i64,
    offset: i64,
) -> Result<(Vec<BlockRow>, i64), sqlx::Error> {
    let rows = sqlx::query_as(
        "SELECT id, username, created_at FROM connection_blocks WHERE blocker_id = $1 \
         ORDER BY username, id LIMIT $2 OFFSET $3",
    )
    .bind(blocker)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await?;
    let total = sqlx::query_scalar("SELECT COUNT(*) FROM connection_blocks WHERE blocker_id = $1")
        .bind(blocker)
        .fetch_one(pool)
        .await?;
    Ok((rows, total))
}

pub async fn delete_block<'c>(
    db: impl Executor<'c, Database = Any>,
    blocker: UserId,
    id: ConnectionBlockId,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM connection_blocks WHERE id = $1 AND blocker_id = $2")
        .bind(id)
        .bind(blocker)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Serialises one sender's requests with each other, so two processes cannot both count 19
/// and both send a 20th: SQLite's write transaction already holds the database lock,
/// PostgreSQL locks the sender's user row.
pub async fn lock_sender(tx: &mut WriteTx, user: UserId) -> Result<(), sqlx::Error> {
    if tx.backend() == Backend::Postgres {
        sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE").bind(user).execute(&mut **tx).await?;
    }
    Ok(())
}

/// How many requests `user` sent after `since`, and when the oldest of them was.
pub async fn attempts_since(tx: &mut WriteTx, user: UserId, since: i64) -> Result<(i64, Option<i64>), sqlx::Error> {
    sqlx::query_as("SELECT COUNT(*), MIN(created_at) FROM connection_attempts WHERE user_id = $1 AND created_at > $2")
        .bind(user)
        .bind(since)
        .fetch_one(&mut **tx)
        .await
}

pub async fn record_attempt(tx: &mut WriteTx, user: UserId, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO connection_attempts (user_id, created_at) VALUES ($1, $2)")
        .bind(user)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Forgets attempts that no longer count (at or before `before`).
pub async fn prune_attempts<'c>(db: impl Executor<'c, Database = Any>, before: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM connection_attempts WHERE created_at <= $1").bind(before).execute(db).await?;
    Ok(done.rows_affected())
}

/// A user's username and display name (empty without a settings row), for the text of the
/// notifications the other side gets.
pub async fn name_of<'c>(
    db: impl Executor<'c, Database = Any>,
    user: UserId,
) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT u.username, COALESCE(s.display_name, '') FROM users u \
         LEFT JOIN user_settings s ON s.user_id = u.id WHERE u.id = $1",
    )
    .bind(user)
    .fetch_optional(db)
    .await
}
