//! Sessions: one row per signed-in browser, found by the SHA-256 of its cookie token.
//! Resolving a session and its user is one query, because it happens on every request.

use sqlx::{Acquire, Any, Executor, FromRow};

use super::{Backend, WriteTx};

use crate::domain::flag::Flag;
use crate::domain::id::{SessionId, UserId};
use crate::domain::time::UtcMillis;

/// A session together with the user it belongs to.
#[derive(Debug, Clone, FromRow)]
pub struct SessionWithUser {
    pub session_id: SessionId,
    pub user_id: UserId,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub locked: Flag,
    pub username: String,
    pub role: String,
    pub active: Flag,
    pub must_change_password: Flag,
    pub reauth_at: Option<i64>,
    pub has_second_factor: Flag,
}

pub struct NewSession<'a> {
    pub user_id: UserId,
    pub token_hash: &'a str,
    pub now: UtcMillis,
    pub expires_at: UtcMillis,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// Older sessions beyond this many are evicted, oldest first.
    pub max_per_user: i64,
}

pub async fn resolve<'c>(
    db: impl Executor<'c, Database = Any>,
    token_hash: &str,
) -> Result<Option<SessionWithUser>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.id AS session_id, s.user_id, s.created_at, s.last_seen_at, s.expires_at, s.locked, \
                u.username, u.role, u.active, u.must_change_password, s.reauth_at, \
                (SELECT COUNT(*) FROM user_totp t WHERE t.user_id = u.id AND t.enabled = 1) \
                + (SELECT COUNT(*) FROM passkeys p WHERE p.user_id = u.id) AS has_second_factor \
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(db)
    .await
}

/// Creates a session and evicts the user's oldest ones beyond the cap, inside the caller's
/// write transaction. Concurrent sign-ins of one user are serialised (SQLite: the write lock;
/// PostgreSQL: the user's row, locked first), so each eviction sees the sessions the others
/// inserted and the cap holds whatever the parallelism.
pub async fn create(tx: &mut WriteTx, new: NewSession<'_>) -> Result<SessionId, sqlx::Error> {
    if tx.backend() == Backend::Postgres {
        sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE")
            .bind(new.user_id)
            .fetch_optional(&mut **tx)
            .await?;
    }
    let id: SessionId = sqlx::query_scalar(
        "INSERT INTO sessions (user_id, token_hash, created_at, last_seen_at, expires_at, locked, ip, user_agent) \
         VALUES ($1, $2, $3, $3, $4, 0, $5, $6) RETURNING id",
    )
    .bind(new.user_id)
    .bind(new.token_hash)
    .bind(new.now.0)
    .bind(new.expires_at.0)
    .bind(new.ip)
    .bind(new.user_agent)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query(
        "DELETE FROM sessions WHERE user_id = $1 AND id NOT IN \
         (SELECT id FROM sessions WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2)",
    )
    .bind(new.user_id)
    .bind(new.max_per_user)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn touch<'c>(
    db: impl Executor<'c, Database = Any>,
    session_id: SessionId,
    now: UtcMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2").bind(now.0).bind(session_id).execute(db).await?;
    Ok(())
}

pub async fn set_locked<'c>(
    db: impl Executor<'c, Database = Any>,
    session_id: SessionId,
    locked: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET locked = $1 WHERE id = $2")
        .bind(i64::from(locked))
        .bind(session_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Replaces the session's token (and unlocks it): the old cookie stops working at once.
pub async fn rotate<'c>(
    db: impl Executor<'c, Database = Any>,
    session_id: SessionId,
    new_token_hash: &str,
    now: UtcMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET token_hash = $1, locked = 0, last_seen_at = $2 WHERE id = $3")
        .bind(new_token_hash)
        .bind(now.0)
        .bind(session_id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn delete<'c>(db: impl Executor<'c, Database = Any>, session_id: SessionId) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE id = $1").bind(session_id).execute(db).await?;
    Ok(())
}

pub async fn delete_by_token<'c>(db: impl Executor<'c, Database = Any>, token_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(db).await?;
    Ok(())
}

/// Revokes every session of the user except `keep`; returns how many ended.
pub async fn delete_all_for_user<'c>(
    db: impl Executor<'c, Database = Any>,
    user_id: UserId,
    keep: Option<SessionId>,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
        .bind(user_id)
        .bind(keep.map_or(-1, |k| k.0))
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}

/// Removes sessions past their absolute lifetime or idle for longer than `idle_minutes`.
pub async fn prune_expired<'c>(
    db: impl Executor<'c, Database = Any>,
    now: UtcMillis,
    idle_minutes: i64,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
        .bind(now.0)
        .bind(now.plus_minutes(-idle_minutes).0)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}

pub async fn count_for_user<'c>(db: impl Executor<'c, Database = Any>, user_id: UserId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE user_id = $1").bind(user_id).fetch_one(db).await
}

/// A session as its owner sees it in the list.
#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    pub id: SessionId,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// One page of the user's sessions, most recently used first, and how many there are.
pub async fn list_for_user<'c>(
    db: impl Acquire<'c, Database = Any>,
    user_id: UserId,
    limit: i64,
    offset: i64,
) -> Result<(Vec<SessionRow>, i64), sqlx::Error> {
    let mut conn = db.acquire().await?;
    let rows = sqlx::query_as(
        "SELECT id, created_at, last_seen_at, ip, user_agent FROM sessions WHERE user_id = $1 \
         ORDER BY last_seen_at DESC, id DESC LIMIT $2 OFFSET $3",
    )
    .bind(user_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *conn)
    .await?;
    let total = count_for_user(&mut *conn, user_id).await?;
    Ok((rows, total))
}

/// Deletes one of the user's own sessions; false when it is not theirs (or gone).
pub async fn delete_for_user<'c>(
    db: impl Executor<'c, Database = Any>,
    user_id: UserId,
    session_id: SessionId,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM sessions WHERE id = $1 AND user_id = $2")
        .bind(session_id)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Records that the session just proved the password again.
pub async fn mark_reauthenticated<'c>(
    db: impl Executor<'c, Database = Any>,
    session_id: SessionId,
    now: UtcMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET reauth_at = $1 WHERE id = $2").bind(now.0).bind(session_id).execute(db).await?;
    Ok(())
}

/// Records that the session was started through single sign-on with this identity (logout
/// then signs out at the provider too).
pub async fn set_oidc_identity<'c>(
    db: impl Executor<'c, Database = Any>,
    token_hash: &str,
    identity_id: crate::domain::id::OidcIdentityId,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET oidc_identity_id = $1 WHERE token_hash = $2")
        .bind(identity_id)
        .bind(token_hash)
        .execute(db)
        .await?;
    Ok(())
}

/// Whether the session was started through single sign-on.
pub async fn came_from_oidc<'c>(
    db: impl Executor<'c, Database = Any>,
    session_id: SessionId,
) -> Result<bool, sqlx::Error> {
    let id: Option<Option<i64>> = sqlx::query_scalar("SELECT oidc_identity_id FROM sessions WHERE id = $1")
        .bind(session_id)
        .fetch_optional(db)
        .await?;
    Ok(id.flatten().is_some())
}

/// Ends the sessions an identity started (it is being unlinked); returns how many.
pub async fn delete_for_identity<'c>(
    db: impl Executor<'c, Database = Any>,
    identity_id: crate::domain::id::OidcIdentityId,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM sessions WHERE oidc_identity_id = $1").bind(identity_id).execute(db).await?;
    Ok(done.rows_affected())
}
