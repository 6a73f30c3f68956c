//! Connections, blocks and request attempts: rows and queries. A request is a row for every
//! well-formed name asked, by the name as typed; only one that reached someone has a
//! receiver and a pair (`user_low`, `user_high` in id order, unique), so "connected" is one
//! indexed lookup and a pair has at most one delivered request or connection. The sender's
//! outgoing list shows every row alike and never who (if anyone) it reached. The request
//! statements look the target up inside themselves, so the same statements run whoever the
//! name belongs to. Every query names the caller and the side they must be on (receiver to
//! accept, sender to cancel, either to remove), so any other id finds nothing.

use sqlx::{Any, Executor, FromRow};

use super::{Backend, WriteTx};
use crate::domain::connections::pair;
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

/// A request as its sender sees it: the name they typed, never who it reached.
#[derive(Debug, Clone, FromRow)]
pub struct SentRow {
    pub id: ConnectionId,
    pub username: String,
    pub created_at: i64,
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

// The user named `$2` if a request from `$1` may reach them now, with the pair's ids in
// order: an active account, not the sender, neither side blocking the other's name, and no
// request or connection between the two already.
macro_rules! reachable {
    () => {
        "WITH t AS (SELECT u.id, \
             CASE WHEN u.id < $1 THEN u.id ELSE $1 END AS low, \
             CASE WHEN u.id < $1 THEN $1 ELSE u.id END AS high \
           FROM users u WHERE u.username = $2 AND u.active = 1 AND u.id <> $1 \
           AND NOT EXISTS (SELECT 1 FROM connection_blocks b WHERE b.blocker_id = $1 AND b.username = $2) \
           AND NOT EXISTS (SELECT 1 FROM connection_blocks b WHERE b.blocker_id = u.id \
                           AND b.username = (SELECT s.username FROM users s WHERE s.id = $1)) \
           AND NOT EXISTS (SELECT 1 FROM connections p \
                           WHERE p.user_low = CASE WHEN u.id < $1 THEN u.id ELSE $1 END \
                           AND p.user_high = CASE WHEN u.id < $1 THEN $1 ELSE u.id END)) "
    };
}

// The pair of the caller `$1` and the user named `$2` (if any), for the statements a block
// runs: no row matches when the name belongs to nobody.
macro_rules! pair_with_name {
    () => {
        "user_low = (SELECT CASE WHEN u.id < $1 THEN u.id ELSE $1 END FROM users u WHERE u.username = $2 AND u.id <> $1) \
         AND user_high = (SELECT CASE WHEN u.id < $1 THEN $1 ELSE u.id END FROM users u WHERE u.username = $2 AND u.id <> $1)"
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

/// One page of the pending requests sent to the caller, newest first.
pub async fn list_incoming(
    pool: &sqlx::AnyPool,
    user: UserId,
    limit: i64,
    offset: i64,
) -> Result<(Vec<PeerRow>, i64), sqlx::Error> {
    let sql = concat!(
        peer_select!("c.created_at"),
        incoming_of!(),
        " ORDER BY c.created_at DESC, c.id DESC LIMIT $2 OFFSET $3"
    );
    let rows = sqlx::query_as(sql).bind(user).bind(limit).bind(offset).fetch_all(pool).await?;
    let total = sqlx::query_scalar(concat!("SELECT COUNT(*) FROM connections c ", incoming_of!()))
        .bind(user)
        .fetch_one(pool)
        .await?;
    Ok((rows, total))
}

/// One page of the caller's pending requests by the names they typed, newest first: every
/// one alike, whether it reached anyone.
pub async fn list_outgoing(
    pool: &sqlx::AnyPool,
    user: UserId,
    limit: i64,
    offset: i64,
) -> Result<(Vec<SentRow>, i64), sqlx::Error> {
    let rows = sqlx::query_as(concat!(
        "SELECT c.id, c.username, c.created_at FROM connections c ",
        outgoing_of!(),
        " ORDER BY c.created_at DESC, c.id DESC LIMIT $2 OFFSET $3"
    ))
    .bind(user)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await?;
    let total = sqlx::query_scalar(concat!("SELECT COUNT(*) FROM connections c ", outgoing_of!()))
        .bind(user)
        .fetch_one(pool)
        .await?;
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

/// Records `requester`'s request to the name `username`, reaching nobody yet; asking a name
/// that already has a pending request of theirs changes nothing.
pub async fn insert_request(tx: &mut WriteTx, requester: UserId, username: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO connections (requester_id, username, status, created_at) VALUES ($1, $2, 'pending', $3) \
         ON CONFLICT (requester_id, username) WHERE status = 'pending' DO NOTHING",
    )
    .bind(requester)
    .bind(username)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Delivers `requester`'s pending request to `username` when it reached nobody yet, was never
/// declined, and the name belongs to someone it may reach now (see `reachable!`). The
/// request's id and its receiver, or `None`.
pub async fn deliver_request(
    tx: &mut WriteTx,
    requester: UserId,
    username: &str,
) -> Result<Option<(ConnectionId, UserId)>, sqlx::Error> {
    sqlx::query_as(concat!(
        reachable!(),
        "UPDATE connections SET addressee_id = (SELECT id FROM t), user_low = (SELECT low FROM t), \
         user_high = (SELECT high FROM t) \
         WHERE requester_id = $1 AND username = $2 AND status = 'pending' AND addressee_id IS NULL \
         AND declined_at IS NULL AND EXISTS (SELECT 1 FROM t) RETURNING id, addressee_id"
    ))
    .bind(requester)
    .bind(username)
    .fetch_optional(&mut **tx)
    .await
}

/// Writes the receiver's `connection_request` notification for the request `delivered` (what
/// `deliver_request` just answered; `None` when it reached no one). One statement that writes
/// nothing without a delivery, so a request to nobody runs the same statements as one to a
/// real user; asking a name again whose request was delivered before writes nothing either
/// (a receiver who deleted the notification does not get it back).
#[allow(clippy::too_many_arguments)]
pub async fn notify_request(
    tx: &mut WriteTx,
    requester: UserId,
    username: &str,
    delivered: Option<ConnectionId>,
    title: &str,
    body: &str,
    link: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO notifications (user_id, kind, title, body, link, late, source_key, created_at) \
         SELECT c.addressee_id, 'connection_request', $3, $4, $5, 0, CAST('connection_request:' AS TEXT) || CAST(c.id AS TEXT), $6 \
         FROM connections c WHERE c.id = $7 AND c.requester_id = $1 AND c.username = $2 \
         AND c.status = 'pending' AND c.addressee_id IS NOT NULL \
         ON CONFLICT (user_id, source_key) DO NOTHING",
    )
    .bind(requester)
    .bind(username)
    .bind(title)
    .bind(body)
    .bind(link)
    .bind(now)
    // No request has id 0: the statement runs and writes nothing.
    .bind(delivered.unwrap_or(ConnectionId(0)))
    .execute(&mut **tx)
    .await?;
    Ok(())
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

/// The receiver declines: the request no longer reaches them (nor anyone, ever), but its
/// sender's row stays as it was, so declining looks like nothing to the sender. The sender's
/// id, or `None` when `id` is no pending request to the caller.
pub async fn decline<'c>(
    db: impl Executor<'c, Database = Any>,
    addressee: UserId,
    id: ConnectionId,
    now: i64,
) -> Result<Option<UserId>, sqlx::Error> {
    sqlx::query_scalar(
        "UPDATE connections SET addressee_id = NULL, user_low = NULL, user_high = NULL, declined_at = $3 \
         WHERE id = $1 AND addressee_id = $2 AND status = 'pending' RETURNING requester_id",
    )
    .bind(id)
    .bind(addressee)
    .bind(now)
    .fetch_optional(db)
    .await
}

/// The sender withdraws their request `id`: `None` when it is no pending request of theirs,
/// else whom it had reached (if anyone).
pub async fn cancel<'c>(
    db: impl Executor<'c, Database = Any>,
    requester: UserId,
    id: ConnectionId,
) -> Result<Option<Option<UserId>>, sqlx::Error> {
    let row: Option<(Option<UserId>,)> = sqlx::query_as(
        "DELETE FROM connections WHERE id = $1 AND requester_id = $2 AND status = 'pending' RETURNING addressee_id",
    )
    .bind(id)
    .bind(requester)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(addressee,)| addressee))
}

/// Once `me` has accepted `requester`'s request, `me`'s own pending request to the
/// requester's name (sent while theirs was pending, so it reached nobody) is answered too.
pub async fn drop_crossed_request(tx: &mut WriteTx, me: UserId, requester: UserId) -> Result<(), sqlx::Error> {
    sqlx::query(
        "DELETE FROM connections WHERE requester_id = $1 AND status = 'pending' \
         AND username = (SELECT username FROM users WHERE id = $2)",
    )
    .bind(me)
    .bind(requester)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Removes the caller's connection `id` (either side may); the other user, when it was one.
pub async fn delete_connection<'c>(
    db: impl Executor<'c, Database = Any>,
    user: UserId,
    id: ConnectionId,
) -> Result<Option<UserId>, sqlx::Error> {
    let pair: Option<(UserId, UserId)> = sqlx::query_as(
        "DELETE FROM connections WHERE id = $1 AND (user_low = $2 OR user_high = $2) AND status = 'accepted' \
         RETURNING user_low, user_high",
    )
    .bind(id)
    .bind(user)
    .fetch_optional(db)
    .await?;
    Ok(pair.map(|(low, high)| if low == user { high } else { low }))
}

/// The id of the user with this (lower-case) name, if any.
pub async fn user_named(tx: &mut WriteTx, username: &str) -> Result<Option<UserId>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM users WHERE username = $1").bind(username).fetch_optional(&mut **tx).await
}

/// What a block by `blocker` of the name `username` does to what joins them: a pending
/// request either way stops reaching its receiver (its sender's row stays, as after a
/// decline, but it may be delivered again once the block is lifted), and the connection is
/// deleted. Runs the same statements whether or not the name belongs to anyone.
pub async fn sever(tx: &mut WriteTx, blocker: UserId, username: &str) -> Result<(), sqlx::Error> {
    sqlx::query(concat!(
        "UPDATE connections SET addressee_id = NULL, user_low = NULL, user_high = NULL \
         WHERE status = 'pending' AND ",
        pair_with_name!()
    ))
    .bind(blocker)
    .bind(username)
    .execute(&mut **tx)
    .await?;
    sqlx::query(concat!("DELETE FROM connections WHERE status = 'accepted' AND ", pair_with_name!()))
        .bind(blocker)
        .bind(username)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The notifications a block by `blocker` of the name `username` takes away, deleted before
/// `sever` unlinks what they are about: a pending request's notification from either centre,
/// and the blocker's own notifications about the connection (the other side keeps theirs).
/// Always the same two statements, whether or not the name belongs to anyone or anything
/// joins the two, so the time a block takes does not tell whether a request had reached them.
pub async fn delete_severed_notifications(
    tx: &mut WriteTx,
    blocker: UserId,
    username: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(concat!(
        "DELETE FROM notifications WHERE user_id IN (SELECT id FROM users WHERE id = $1 OR username = $2) \
         AND source_key IN (SELECT CAST('connection_request:' AS TEXT) || CAST(id AS TEXT) FROM connections \
         WHERE status = 'pending' AND ",
        pair_with_name!(),
        ")"
    ))
    .bind(blocker)
    .bind(username)
    .execute(&mut **tx)
    .await?;
    sqlx::query(concat!(
        "DELETE FROM notifications WHERE user_id = $1 AND source_key IN ( \
         SELECT CAST('connection_request:' AS TEXT) || CAST(id AS TEXT) FROM connections \
         WHERE status = 'accepted' AND ",
        pair_with_name!(),
        " UNION ALL SELECT CAST('connection_accepted:' AS TEXT) || CAST(id AS TEXT) FROM connections \
         WHERE status = 'accepted' AND ",
        pair_with_name!(),
        ")"
    ))
    .bind(blocker)
    .bind(username)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// How many names `blocker` blocks, and whether `username` is one of them (for the cap).
pub async fn count_blocks(tx: &mut WriteTx, blocker: UserId, username: &str) -> Result<(i64, bool), sqlx::Error> {
    let (count, this): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN username = $2 THEN 1 ELSE 0 END), 0) \
         FROM connection_blocks WHERE blocker_id = $1",
    )
    .bind(blocker)
    .bind(username)
    .fetch_one(&mut **tx)
    .await?;
    Ok((count, this > 0))
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

/// Serialises what joins `user` and the user named `username` (if any) on PostgreSQL: both
/// users' rows are locked in id order, so a request and a block between the same two (or two
/// crossed requests) run one after the other instead of each missing the other's row under
/// READ COMMITTED, and one sender's requests are counted one at a time (two processes cannot
/// both count 19 and both send a 20th). `FOR NO KEY UPDATE`, not `FOR UPDATE`: the foreign
/// keys pointing at users take `FOR KEY SHARE`, which `FOR UPDATE` would wait on (a crossed
/// pair of requests deadlocked). SQLite's write transaction already holds the one write lock.
/// One statement whoever the name belongs to.
pub async fn lock_pair(tx: &mut WriteTx, user: UserId, username: &str) -> Result<(), sqlx::Error> {
    if tx.backend() == Backend::Postgres {
        sqlx::query("SELECT id FROM users WHERE id = $1 OR username = $2 ORDER BY id FOR NO KEY UPDATE")
            .bind(user)
            .bind(username)
            .fetch_all(&mut **tx)
            .await?;
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
