//! Passkeys and WebAuthn ceremony state. Ceremonies live in the database so that a `begin`
//! answered by one server process can be finished by another; each is taken once.

use sqlx::{Acquire, Any, Executor};

use super::error::{DbError, DbResult};
use crate::domain::id::{PasskeyId, UserId};
use crate::domain::time::UtcMillis;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PasskeyRow {
    pub id: PasskeyId,
    pub user_id: UserId,
    pub name: String,
    pub credential: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

pub async fn for_user<'c>(
    db: impl Executor<'c, Database = Any>,
    user_id: UserId,
) -> Result<Vec<PasskeyRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, user_id, name, credential, created_at, last_used_at FROM passkeys WHERE user_id = $1 ORDER BY id",
    )
    .bind(user_id)
    .fetch_all(db)
    .await
}

/// One page of the user's passkeys, oldest first, and how many there are.
pub async fn page_for_user<'c>(
    db: impl Acquire<'c, Database = Any>,
    user_id: UserId,
    limit: i64,
    offset: i64,
) -> Result<(Vec<PasskeyRow>, i64), sqlx::Error> {
    let mut conn = db.acquire().await?;
    let rows = sqlx::query_as(
        "SELECT id, user_id, name, credential, created_at, last_used_at FROM passkeys WHERE user_id = $1 \
         ORDER BY id LIMIT $2 OFFSET $3",
    )
    .bind(user_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *conn)
    .await?;
    let total = sqlx::query_scalar("SELECT COUNT(*) FROM passkeys WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(&mut *conn)
        .await?;
    Ok((rows, total))
}

/// The passkeys of the user with this name (none for an unknown name: the same round trip).
pub async fn for_username<'c>(
    db: impl Executor<'c, Database = Any>,
    username: &str,
) -> Result<Vec<PasskeyRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.id, p.user_id, p.name, p.credential, p.created_at, p.last_used_at \
         FROM passkeys p JOIN users u ON u.id = p.user_id WHERE u.username = $1 AND u.active = 1 ORDER BY p.id",
    )
    .bind(username)
    .fetch_all(db)
    .await
}

pub async fn by_credential_id<'c>(
    db: impl Executor<'c, Database = Any>,
    credential_id: &str,
) -> Result<Option<PasskeyRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, user_id, name, credential, created_at, last_used_at FROM passkeys WHERE credential_id = $1",
    )
    .bind(credential_id)
    .fetch_optional(db)
    .await
}

pub struct NewPasskey<'a> {
    pub user_id: UserId,
    pub name: &'a str,
    pub credential_id: &'a str,
    pub credential: &'a str,
    pub now: UtcMillis,
}

/// Stores a new passkey; `None` when that credential is already registered.
pub async fn insert<'c>(db: impl Executor<'c, Database = Any>, new: NewPasskey<'_>) -> DbResult<Option<PasskeyRow>> {
    let result = sqlx::query_as(
        "INSERT INTO passkeys (user_id, name, credential_id, credential, created_at) VALUES ($1, $2, $3, $4, $5) \
         RETURNING id, user_id, name, credential, created_at, last_used_at",
    )
    .bind(new.user_id)
    .bind(new.name)
    .bind(new.credential_id)
    .bind(new.credential)
    .bind(new.now.0)
    .fetch_one(db)
    .await;
    match result {
        Ok(row) => Ok(Some(row)),
        Err(e) => match DbError::classify(e) {
            DbError::Unique { .. } => Ok(None),
            other => Err(other),
        },
    }
}

pub async fn record_use<'c>(
    db: impl Executor<'c, Database = Any>,
    id: PasskeyId,
    credential: Option<&str>,
    now: UtcMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE passkeys SET last_used_at = $1, credential = COALESCE($2, credential) WHERE id = $3")
        .bind(now.0)
        .bind(credential)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn rename<'c>(
    db: impl Executor<'c, Database = Any>,
    user_id: UserId,
    id: PasskeyId,
    name: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE passkeys SET name = $1 WHERE id = $2 AND user_id = $3")
        .bind(name)
        .bind(id)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn delete<'c>(
    db: impl Executor<'c, Database = Any>,
    user_id: UserId,
    id: PasskeyId,
) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("DELETE FROM passkeys WHERE id = $1 AND user_id = $2").bind(id).bind(user_id).execute(db).await?;
    Ok(done.rows_affected() == 1)
}

pub async fn delete_all<'c>(db: impl Executor<'c, Database = Any>, user_id: UserId) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM passkeys WHERE user_id = $1").bind(user_id).execute(db).await?;
    Ok(())
}

/// The user's stable WebAuthn user handle, made on first use.
pub async fn user_handle<'c>(
    db: impl Acquire<'c, Database = Any>,
    user_id: UserId,
    fresh: &str,
) -> Result<String, sqlx::Error> {
    let mut conn = db.acquire().await?;
    sqlx::query("UPDATE users SET webauthn_handle = $1 WHERE id = $2 AND webauthn_handle IS NULL")
        .bind(fresh)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query_scalar("SELECT webauthn_handle FROM users WHERE id = $1").bind(user_id).fetch_one(&mut *conn).await
}

pub struct NewCeremony<'a> {
    pub id: &'a str,
    pub kind: &'static str,
    pub user_id: Option<UserId>,
    pub name: Option<&'a str>,
    pub state: &'a str,
    pub expires_at: UtcMillis,
}

pub async fn store_ceremony<'c>(db: impl Executor<'c, Database = Any>, c: NewCeremony<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO webauthn_ceremonies (id, kind, user_id, name, state, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(c.id)
    .bind(c.kind)
    .bind(c.user_id)
    .bind(c.name)
    .bind(c.state)
    .bind(c.expires_at.0)
    .execute(db)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CeremonyRow {
    pub user_id: Option<UserId>,
    pub name: Option<String>,
    pub state: String,
}

/// Deletes ceremonies past their expiry (begun and never finished); returns how many.
pub async fn prune_ceremonies<'c>(db: impl Executor<'c, Database = Any>, now: UtcMillis) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM webauthn_ceremonies WHERE expires_at <= $1").bind(now.0).execute(db).await?;
    Ok(done.rows_affected())
}

/// Takes a live ceremony of this kind: it is deleted, so it can be finished only once.
pub async fn take_ceremony<'c>(
    db: impl Executor<'c, Database = Any>,
    id: &str,
    kind: &str,
    now: UtcMillis,
) -> Result<Option<CeremonyRow>, sqlx::Error> {
    sqlx::query_as(
        "DELETE FROM webauthn_ceremonies WHERE id = $1 AND kind = $2 AND expires_at > $3 \
         RETURNING user_id, name, state",
    )
    .bind(id)
    .bind(kind)
    .bind(now.0)
    .fetch_optional(db)
    .await
}
