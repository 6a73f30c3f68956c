//! Sign-ins in progress at the OpenID provider. A flow is found by the hash of its `state`
//! and taken (deleted) in the same statement, so a callback can use it once; it also names
//! the browser that started it (a hash of a cookie) and lapses after ten minutes.

use sqlx::{Any, Executor};

use crate::domain::id::UserId;
use crate::domain::time::UtcMillis;

pub const LIFETIME_MINUTES: i64 = 10;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FlowRow {
    pub browser_hash: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub issuer: String,
    pub link_user_id: Option<UserId>,
    pub expires_at: i64,
}

pub struct NewFlow<'a> {
    pub state_hash: &'a str,
    pub browser_hash: &'a str,
    pub nonce: &'a str,
    pub pkce_verifier: &'a str,
    pub issuer: &'a str,
    pub link_user_id: Option<UserId>,
}

/// Stores a flow and drops the ones that lapsed (they are few: one per sign-in attempt).
pub async fn start<'c>(
    db: impl Executor<'c, Database = Any> + Copy,
    flow: NewFlow<'_>,
    now: UtcMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM oidc_flows WHERE expires_at <= $1").bind(now.0).execute(db).await?;
    sqlx::query(
        "INSERT INTO oidc_flows (state_hash, browser_hash, nonce, pkce_verifier, issuer, link_user_id, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(flow.state_hash)
    .bind(flow.browser_hash)
    .bind(flow.nonce)
    .bind(flow.pkce_verifier)
    .bind(flow.issuer)
    .bind(flow.link_user_id)
    .bind(now.plus_minutes(LIFETIME_MINUTES).0)
    .execute(db)
    .await?;
    Ok(())
}

/// Takes the flow with this state, whatever happens next: a second callback with the same
/// state finds nothing. Lapsed flows are taken too, and refused by the caller.
pub async fn take<'c>(db: impl Executor<'c, Database = Any>, state_hash: &str) -> Result<Option<FlowRow>, sqlx::Error> {
    sqlx::query_as(
        "DELETE FROM oidc_flows WHERE state_hash = $1 \
         RETURNING browser_hash, nonce, pkce_verifier, issuer, link_user_id, expires_at",
    )
    .bind(state_hash)
    .fetch_optional(db)
    .await
}
