//! The connection workflows: send a request (by exact username, answered alike whoever the
//! name belongs to), accept, decline, cancel, remove, block and unblock, and `are_connected`,
//! which later domains (shares, invitations) ask at use time, so removing a connection ends
//! what it allowed. A request or connection id of anyone else, or on the wrong side (a sender
//! accepting their own request), is `NotFound` exactly like one that never existed.

use sqlx::{Any, Executor};

use crate::db::calendar_shares;
use crate::db::connections::{self, BlockRow, PeerRow, SentRow};
use crate::db::error::DbError;
use crate::db::notifications;
use crate::domain::connections::{
    BLOCKS_MAX, Direction, NewBlock, NewConnectionRequest, REQUEST_WINDOW_MS, REQUESTS_PER_WINDOW, parse_username,
    retry_after_secs,
};
use crate::domain::id::{ConnectionBlockId, ConnectionId, UserId};
use crate::domain::notifications::NotificationKind;
use crate::service::Context;
use crate::service::notifications::{Notice, TITLE_MAX, notify};

/// Where the notifications about connections take their reader.
pub const CONNECTIONS_LINK: &str = "/connections";

#[derive(Debug, thiserror::Error)]
pub enum ConnectionError {
    #[error("not found")]
    NotFound,
    #[error("invalid input")]
    Invalid(Vec<(String, String)>),
    /// Too many requests from this sender in the window; try again after this many seconds.
    #[error("rate limited")]
    RateLimited(u64),
    /// The caller already blocks `BLOCKS_MAX` names.
    #[error("too many blocks")]
    TooManyBlocks,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for ConnectionError {
    fn from(error: sqlx::Error) -> Self {
        Self::Db(DbError::classify(error))
    }
}

pub type ConnectionResult<T> = Result<T, ConnectionError>;

/// The signed-in user a workflow runs for.
#[derive(Debug, Clone, Copy)]
pub struct Me<'a> {
    pub id: UserId,
    pub username: &'a str,
}

/// Whether `a` and `b` are connected now. Runs on a pool or inside the caller's transaction.
pub async fn are_connected<'c>(
    db: impl Executor<'c, Database = Any>,
    a: UserId,
    b: UserId,
) -> Result<bool, sqlx::Error> {
    if a == b {
        return Ok(false);
    }
    connections::are_connected(db, a, b).await
}

/// How a user is named to others: "Display Name (username)", or the username alone.
fn shown_name(username: &str, display_name: &str) -> String {
    let display_name = display_name.trim();
    if display_name.is_empty() { username.to_string() } else { format!("{display_name} ({username})") }
}

fn request_key(id: ConnectionId) -> String {
    format!("connection_request:{id}")
}

fn accepted_key(id: ConnectionId) -> String {
    format!("connection_accepted:{id}")
}

/// Asks the user named in `body` to connect. Every well-formed name is recorded as the
/// caller's request by the name as typed, and their outgoing list shows it alike whether the
/// name belongs to anyone, is the sender, is already connected or asked, or has blocked the
/// sender; it reaches someone (with a `connection_request` notification) only when it may.
/// The same statements run in every case (the target is looked up inside them), so neither
/// the answer, the list nor the time taken tells names apart. Every call counts towards the
/// sender's rate limit, so a 429 says nothing about the name either.
pub async fn request(ctx: Context<'_>, me: Me<'_>, body: NewConnectionRequest) -> ConnectionResult<()> {
    let name = parse_username(&body.username).map_err(|problem| ConnectionError::Invalid(vec![problem]))?;
    let now = ctx.now.0;
    let mut tx = ctx.db.write().await?;
    connections::lock_pair(&mut tx, me.id, name.as_str()).await?;
    let (sent, oldest) = connections::attempts_since(&mut tx, me.id, now - REQUEST_WINDOW_MS).await?;
    if sent >= REQUESTS_PER_WINDOW {
        return Err(ConnectionError::RateLimited(retry_after_secs(oldest.unwrap_or(now), now)));
    }
    connections::record_attempt(&mut tx, me.id, now).await?;
    connections::insert_request(&mut tx, me.id, name.as_str(), now).await?;
    let delivered = connections::deliver_request(&mut tx, me.id, name.as_str()).await?;
    let (username, display_name) =
        connections::name_of(&mut *tx, me.id).await?.unwrap_or_else(|| (me.username.to_string(), String::new()));
    let title: String =
        format!("{} wants to connect", shown_name(&username, &display_name)).chars().take(TITLE_MAX).collect();
    connections::notify_request(
        &mut tx,
        me.id,
        name.as_str(),
        delivered.map(|(id, _)| id),
        &title,
        "Accept or decline the request on the Connections page.",
        CONNECTIONS_LINK,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One page of the caller's connections.
pub async fn list(ctx: Context<'_>, me: UserId, limit: i64, offset: i64) -> ConnectionResult<(Vec<PeerRow>, i64)> {
    Ok(connections::list_connections(ctx.db.pool(), me, limit, offset).await?)
}

/// One page of the caller's pending requests in one direction, newest first.
pub enum RequestPage {
    /// Sent to the caller, with who sent them.
    Incoming(Vec<PeerRow>, i64),
    /// Sent by the caller, by the names they typed (never who, if anyone, they reached).
    Outgoing(Vec<SentRow>, i64),
}

pub async fn requests(
    ctx: Context<'_>,
    me: UserId,
    direction: Direction,
    limit: i64,
    offset: i64,
) -> ConnectionResult<RequestPage> {
    Ok(match direction {
        Direction::Incoming => {
            let (rows, total) = connections::list_incoming(ctx.db.pool(), me, limit, offset).await?;
            RequestPage::Incoming(rows, total)
        }
        Direction::Outgoing => {
            let (rows, total) = connections::list_outgoing(ctx.db.pool(), me, limit, offset).await?;
            RequestPage::Outgoing(rows, total)
        }
    })
}

/// The receiver accepts: the pair is connected, the sender is told, and the receiver's
/// request notification is marked read (as is the receiver's own request to the sender, if
/// they had crossed). The new connection as the receiver sees it.
pub async fn accept(ctx: Context<'_>, me: UserId, id: ConnectionId) -> ConnectionResult<PeerRow> {
    let mut tx = ctx.db.write().await?;
    let requester = connections::accept(&mut tx, me, id, ctx.now.0).await?.ok_or(ConnectionError::NotFound)?;
    let connection = connections::find_connection(&mut *tx, me, id).await?.ok_or(ConnectionError::NotFound)?;
    connections::drop_crossed_request(&mut tx, me, requester).await?;
    let (username, display_name) = connections::name_of(&mut *tx, me).await?.unwrap_or_default();
    let title = format!("{} accepted your request to connect", shown_name(&username, &display_name));
    let key = accepted_key(id);
    let notice = Notice {
        user_id: requester,
        kind: NotificationKind::ConnectionAccepted,
        title: &title,
        body: "You are now connected.",
        link: Some(CONNECTIONS_LINK),
        late: false,
        source_key: Some(&key),
    };
    notify(&mut *tx, &notice, ctx.now).await?;
    notifications::mark_read_by_source(&mut *tx, me, &request_key(id), ctx.now.0).await?;
    tx.commit().await?;
    Ok(connection)
}

/// The receiver declines: the request is gone from their list for good, while the sender's
/// outgoing list shows it unchanged (a decline must look like a name that reaches nobody).
/// The sender may cancel it and ask again, within the limit.
pub async fn decline(ctx: Context<'_>, me: UserId, id: ConnectionId) -> ConnectionResult<()> {
    let mut tx = ctx.db.write().await?;
    connections::decline(&mut *tx, me, id, ctx.now.0).await?.ok_or(ConnectionError::NotFound)?;
    notifications::mark_read_by_source(&mut *tx, me, &request_key(id), ctx.now.0).await?;
    tx.commit().await?;
    Ok(())
}

/// The sender withdraws their request (any of their list, whether it reached anyone); the
/// receiver's notification about it goes too.
pub async fn cancel(ctx: Context<'_>, me: UserId, id: ConnectionId) -> ConnectionResult<()> {
    let mut tx = ctx.db.write().await?;
    let addressee = connections::cancel(&mut *tx, me, id).await?.ok_or(ConnectionError::NotFound)?;
    if let Some(addressee) = addressee {
        notifications::delete_by_source(&mut *tx, addressee, &request_key(id)).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Either side ends the connection, and with it the calendar shares and event invitations
/// between the two (they would otherwise come back if the two connected again).
pub async fn remove(ctx: Context<'_>, me: UserId, id: ConnectionId) -> ConnectionResult<()> {
    let mut tx = ctx.db.write().await?;
    let other = connections::delete_connection(&mut *tx, me, id).await?.ok_or(ConnectionError::NotFound)?;
    calendar_shares::end_between(&mut tx, me, Some(other)).await?;
    tx.commit().await?;
    Ok(())
}

/// Blocks a username: the same answer (the block, by the name as given) whether or not it
/// belongs to anyone, with the same statements run either way. When it does, a pending
/// request either way stops reaching its receiver (its sender's list is unchanged) and the
/// connection is deleted; the blocker's notifications about them go, and so does the other
/// side's notification of a request still pending. The same statements run whatever joins
/// the two, if anything. At most `BLOCKS_MAX` names; blocking one
/// already blocked answers that block even at the cap.
pub async fn block(ctx: Context<'_>, me: Me<'_>, body: NewBlock) -> ConnectionResult<BlockRow> {
    let name = parse_username(&body.username).map_err(|problem| ConnectionError::Invalid(vec![problem]))?;
    let mut tx = ctx.db.write().await?;
    connections::lock_pair(&mut tx, me.id, name.as_str()).await?;
    let (count, already) = connections::count_blocks(&mut tx, me.id, name.as_str()).await?;
    if count >= BLOCKS_MAX && !already {
        return Err(ConnectionError::TooManyBlocks);
    }
    let row = connections::insert_block(&mut tx, me.id, name.as_str(), ctx.now.0).await?;
    connections::delete_severed_notifications(&mut tx, me.id, name.as_str()).await?;
    connections::sever(&mut tx, me.id, name.as_str()).await?;
    let other = connections::user_named(&mut tx, name.as_str()).await?;
    calendar_shares::end_between(&mut tx, me.id, other).await?;
    tx.commit().await?;
    Ok(row)
}

pub async fn blocks(ctx: Context<'_>, me: UserId, limit: i64, offset: i64) -> ConnectionResult<(Vec<BlockRow>, i64)> {
    Ok(connections::list_blocks(ctx.db.pool(), me, limit, offset).await?)
}

/// Lifts a block: the name's future requests arrive again (nothing deleted comes back).
pub async fn unblock(ctx: Context<'_>, me: UserId, id: ConnectionBlockId) -> ConnectionResult<()> {
    if connections::delete_block(ctx.db.pool(), me, id).await? { Ok(()) } else { Err(ConnectionError::NotFound) }
}

/// Forgets request attempts that no longer count towards anyone's limit.
pub async fn prune_attempts<'c>(
    db: impl Executor<'c, Database = Any>,
    now: crate::domain::time::UtcMillis,
) -> Result<u64, sqlx::Error> {
    connections::prune_attempts(db, now.0 - REQUEST_WINDOW_MS).await
}

#[cfg(test)]
mod tests {
    use super::shown_name;

    #[test]
    fn a_display_name_is_shown_with_the_username() {
        assert_eq!(shown_name("bob", ""), "bob");
        assert_eq!(shown_name("bob", "  Bob B. "), "Bob B. (bob)");
    }
}
