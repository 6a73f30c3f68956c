//! Identities at an OpenID provider linked to accounts: the pair (issuer, subject) is the
//! identity, unique across all accounts, so one person at the provider is one UMBRA account.

use sqlx::{Any, Executor};

use crate::db::error::{DbError, DbResult};
use crate::domain::id::{OidcIdentityId, UserId};
use crate::domain::time::UtcMillis;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IdentityRow {
    pub id: OidcIdentityId,
    pub user_id: UserId,
    pub issuer: String,
    pub subject: String,
    pub created_at: i64,
    pub last_login_at: Option<i64>,
}

macro_rules! columns {
    () => {
        "id, user_id, issuer, subject, created_at, last_login_at"
    };
}

/// Links an identity to an account; one linked elsewhere already is a unique violation (409).
pub async fn link<'c>(
    db: impl Executor<'c, Database = Any>,
    user_id: UserId,
    issuer: &str,
    subject: &str,
    now: UtcMillis,
) -> DbResult<IdentityRow> {
    sqlx::query_as(concat!(
        "INSERT INTO oidc_identities (user_id, issuer, subject, created_at) VALUES ($1, $2, $3, $4) RETURNING ",
        columns!()
    ))
    .bind(user_id)
    .bind(issuer)
    .bind(subject)
    .bind(now.0)
    .fetch_one(db)
    .await
    .map_err(DbError::from)
}

pub async fn find<'c>(
    db: impl Executor<'c, Database = Any>,
    issuer: &str,
    subject: &str,
) -> Result<Option<IdentityRow>, sqlx::Error> {
    sqlx::query_as(concat!("SELECT ", columns!(), " FROM oidc_identities WHERE issuer = $1 AND subject = $2"))
        .bind(issuer)
        .bind(subject)
        .fetch_optional(db)
        .await
}

pub async fn list_for_user<'c>(
    db: impl Executor<'c, Database = Any>,
    user_id: UserId,
) -> Result<Vec<IdentityRow>, sqlx::Error> {
    sqlx::query_as(concat!("SELECT ", columns!(), " FROM oidc_identities WHERE user_id = $1 ORDER BY id"))
        .bind(user_id)
        .fetch_all(db)
        .await
}

/// Removes one of `user_id`'s identities; `None` when it is not theirs.
pub async fn unlink<'c>(
    db: impl Executor<'c, Database = Any>,
    user_id: UserId,
    id: OidcIdentityId,
) -> Result<Option<IdentityRow>, sqlx::Error> {
    sqlx::query_as(concat!("DELETE FROM oidc_identities WHERE id = $1 AND user_id = $2 RETURNING ", columns!()))
        .bind(id)
        .bind(user_id)
        .fetch_optional(db)
        .await
}

pub async fn record_login<'c>(
    db: impl Executor<'c, Database = Any>,
    id: OidcIdentityId,
    now: UtcMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE oidc_identities SET last_login_at = $1 WHERE id = $2").bind(now.0).bind(id).execute(db).await?;
    Ok(())
}
