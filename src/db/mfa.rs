//! Second-factor data: TOTP secrets (stored encrypted), recovery codes (stored hashed) and
//! the single-use challenges that sit between a correct password and a correct code.

use sqlx::{Acquire, Any, Executor};

use super::WriteTx;
use crate::domain::flag::Flag;
use crate::domain::id::UserId;
use crate::domain::time::UtcMillis;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TotpRow {
    pub secret_enc: String,
    pub enabled: Flag,
    pub last_step: Option<i64>,
}

pub async fn totp<'c>(db: impl Executor<'c, Database = Any>, user_id: UserId) -> Result<Option<TotpRow>, sqlx::Error> {
    sqlx::query_as("SELECT secret_enc, enabled, last_step FROM user_totp WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(db)
        .await
}

/// Stores a new pending (not yet enabled) secret, replacing an earlier pending one.
pub async fn set_pending_totp<'c>(
    db: impl Executor<'c, Database = Any>,
    user_id: UserId,
    secret_enc: &str,
    now: UtcMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO user_totp (user_id, secret_enc, enabled, last_step, created_at) VALUES ($1, $2, 0, NULL, $3) \
         ON CONFLICT (user_id) DO UPDATE SET secret_enc = excluded.secret_enc, enabled = 0, last_step = NULL, \
         created_at = excluded.created_at",
    )
    .bind(user_id)
    .bind(secret_enc)
    .bind(now.0)
    .execute(db)
    .await?;
    Ok(())
}

/// Accepts a time step once: true only if `step` is newer than every step accepted before
/// (the check and the update are one statement, so two requests cannot both win).
pub async fn accept_step<'c>(
    db: impl Executor<'c, Database = Any>,
    user_id: UserId,
    step: i64,
    enable: bool,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE user_totp SET last_step = $1, enabled = CASE WHEN $2 = 1 THEN 1 ELSE enabled END \
         WHERE user_id = $3 AND (last_step IS NULL OR last_step < $1)",
    )
    .bind(step)
    .bind(i64::from(enable))
    .bind(user_id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes TOTP and recovery codes (disable, or an admin's reset), inside the caller's
/// write transaction.
pub async fn remove_all(tx: &mut WriteTx, user_id: UserId) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM user_totp WHERE user_id = $1").bind(user_id).execute(&mut **tx).await?;
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user_id).execute(&mut **tx).await?;
    sqlx::query("DELETE FROM mfa_challenges WHERE user_id = $1").bind(user_id).execute(&mut **tx).await?;
    Ok(())
}

/// Replaces the user's recovery codes with these hashes, inside the caller's write
/// transaction.
pub async fn replace_recovery_codes(tx: &mut WriteTx, user_id: UserId, hashes: &[String]) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user_id).execute(&mut **tx).await?;
    for hash in hashes {
        sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
            .bind(user_id)
            .bind(hash)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Uses a recovery code: true once per code.
pub async fn use_recovery_code<'c>(
    db: impl Executor<'c, Database = Any>,
    user_id: UserId,
    hash: &str,
    now: UtcMillis,
) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL")
            .bind(now.0)
            .bind(user_id)
            .bind(hash)
            .execute(db)
            .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn create_challenge<'c>(
    db: impl Executor<'c, Database = Any>,
    token_hash: &str,
    user_id: UserId,
    expires_at: UtcMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO mfa_challenges (token_hash, user_id, expires_at) VALUES ($1, $2, $3)")
        .bind(token_hash)
        .bind(user_id)
        .bind(expires_at.0)
        .execute(db)
        .await?;
    Ok(())
}

/// The user a live challenge belongs to (expired ones are deleted and count as missing).
pub async fn challenge_user<'c>(
    db: impl Acquire<'c, Database = Any>,
    token_hash: &str,
    now: UtcMillis,
) -> Result<Option<UserId>, sqlx::Error> {
    let mut conn = db.acquire().await?;
    sqlx::query("DELETE FROM mfa_challenges WHERE expires_at <= $1").bind(now.0).execute(&mut *conn).await?;
    sqlx::query_scalar("SELECT user_id FROM mfa_challenges WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_optional(&mut *conn)
        .await
}

/// A challenge for a single sign-on that still needs the code: the identity it came through
/// and the role to give once the code is right (`None`: keep the account's).
pub async fn create_sso_challenge<'c>(
    db: impl Executor<'c, Database = Any>,
    token_hash: &str,
    user_id: UserId,
    expires_at: UtcMillis,
    identity_id: crate::domain::id::OidcIdentityId,
    role: Option<crate::domain::role::Role>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO mfa_challenges (token_hash, user_id, expires_at, oidc_identity_id, oidc_role) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(expires_at.0)
    .bind(identity_id)
    .bind(role.map(crate::domain::role::Role::as_str))
    .execute(db)
    .await?;
    Ok(())
}

/// The single sign-on a challenge finishes, if it came from one: (identity, role to give).
pub async fn challenge_sso<'c>(
    db: impl Executor<'c, Database = Any>,
    token_hash: &str,
) -> Result<Option<(crate::domain::id::OidcIdentityId, Option<String>)>, sqlx::Error> {
    let row: Option<(Option<crate::domain::id::OidcIdentityId>, Option<String>)> =
        sqlx::query_as("SELECT oidc_identity_id, oidc_role FROM mfa_challenges WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(db)
            .await?;
    Ok(row.and_then(|(identity, role)| identity.map(|id| (id, role))))
}

/// Consumes the challenge: true for exactly one caller.
pub async fn consume_challenge<'c>(
    db: impl Executor<'c, Database = Any>,
    token_hash: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM mfa_challenges WHERE token_hash = $1").bind(token_hash).execute(db).await?;
    Ok(done.rows_affected() == 1)
}
