//! App passwords: per-device secrets DAV clients sign in with. Only the SHA-256 of the
//! secret is stored; a lookup is by that hash, so a made-up secret costs the same one indexed
//! read as a real one.

use sqlx::{Acquire, Any, Executor};

use crate::db::{Backend, WriteTx};
use crate::domain::id::{AppPasswordId, UserId};
use crate::domain::time::UtcMillis;

/// `last_used_at` is written at most this often per app password, so a syncing phone does
/// not turn every read into a write.
pub const TOUCH_INTERVAL_MS: i64 = 60_000;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AppPasswordRow {
    pub id: AppPasswordId,
    pub user_id: UserId,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// The app password a secret belongs to, with its owner's name and whether the owner's
/// account is active.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AppPasswordOwner {
    pub id: AppPasswordId,
    pub user_id: UserId,
    pub username: String,
    pub active: crate::domain::flag::Flag,
    pub last_used_at: Option<i64>,
}

/// Inserts an app password unless `user_id` already has `max` of them (`None` then). Inside
/// the caller's write transaction: concurrent creations of one user are serialised (SQLite:
/// the write lock; PostgreSQL: the user's row, locked first), so the count each one sees
/// includes the others' and the cap holds whatever the parallelism.
pub async fn create(
    tx: &mut WriteTx,
    user_id: UserId,
    name: &str,
    token_hash: &str,
    now: UtcMillis,
    max: i64,
) -> Result<Option<AppPasswordRow>, sqlx::Error> {
    if tx.backend() == Backend::Postgres {
        // NO KEY: the foreign keys pointing at users take KEY SHARE locks (see db::connections).
        sqlx::query("SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE")
            .bind(user_id)
            .fetch_optional(&mut **tx)
            .await?;
    }
    if count_for_user(&mut **tx, user_id).await? >= max {
        return Ok(None);
    }
    let row = sqlx::query_as::<Any, AppPasswordRow>(
        "INSERT INTO app_passwords (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) \
         RETURNING id, user_id, name, created_at, last_used_at",
    )
    .bind(user_id)
    .bind(name)
    .bind(token_hash)
    .bind(now.0)
    .fetch_one(&mut **tx)
    .await?;
    Ok(Some(row))
}

/// One page of a user's app passwords, newest first, and how many there are.
pub async fn page_for_user<'c>(
    db: impl Acquire<'c, Database = Any>,
    user_id: UserId,
    limit: i64,
    offset: i64,
) -> Result<(Vec<AppPasswordRow>, i64), sqlx::Error> {
    let mut conn = db.acquire().await?;
    let rows = sqlx::query_as(
        "SELECT id, user_id, name, created_at, last_used_at FROM app_passwords WHERE user_id = $1 \
         ORDER BY id DESC LIMIT $2 OFFSET $3",
    )
    .bind(user_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *conn)
    .await?;
    let total = sqlx::query_scalar("SELECT COUNT(*) FROM app_passwords WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(&mut *conn)
        .await?;
    Ok((rows, total))
}

pub async fn count_for_user<'c>(db: impl Executor<'c, Database = Any>, user_id: UserId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM app_passwords WHERE user_id = $1").bind(user_id).fetch_one(db).await
}

/// Deletes one of `user_id`'s app passwords and returns its name (for the audit log);
/// `None` when there is no such one of theirs.
pub async fn delete<'c>(
    db: impl Executor<'c, Database = Any>,
    user_id: UserId,
    id: AppPasswordId,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("DELETE FROM app_passwords WHERE id = $1 AND user_id = $2 RETURNING name")
        .bind(id)
        .bind(user_id)
        .fetch_optional(db)
        .await
}

/// Whose app password has this hash.
pub async fn find_by_hash<'c>(
    db: impl Executor<'c, Database = Any>,
    token_hash: &str,
) -> Result<Option<AppPasswordOwner>, sqlx::Error> {
    sqlx::query_as(
        "SELECT a.id, a.user_id, u.username, u.active, a.last_used_at FROM app_passwords a \
         JOIN users u ON u.id = a.user_id WHERE a.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(db)
    .await
}

pub async fn touch<'c>(
    db: impl Executor<'c, Database = Any>,
    id: AppPasswordId,
    now: UtcMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE app_passwords SET last_used_at = $1 WHERE id = $2").bind(now.0).bind(id).execute(db).await?;
    Ok(())
}

/// Revokes every app password of a user (a password change or reset, an admin ending all of
/// their sessions): whoever knew the old password may have made one. How many there were.
pub async fn delete_all_for_user<'c>(
    db: impl Executor<'c, Database = Any>,
    user_id: UserId,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM app_passwords WHERE user_id = $1").bind(user_id).execute(db).await?;
    Ok(done.rows_affected())
}
