//! The append-only audit log of security-relevant actions.

use sqlx::AnyPool;

use crate::domain::time::UtcMillis;

/// One audit entry. `actor` is a username, "cli" for admin commands, or "anonymous".
#[derive(Debug, Clone, Default)]
pub struct AuditEntry {
    pub actor: String,
    pub actor_user_id: Option<i64>,
    pub action: &'static str,
    pub target: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub detail: Option<String>,
}

pub async fn record(pool: &AnyPool, at: UtcMillis, entry: AuditEntry) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor, actor_user_id, action, target, ip, user_agent, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(at.0)
    .bind(entry.actor)
    .bind(entry.actor_user_id)
    .bind(entry.action)
    .bind(entry.target)
    .bind(entry.ip)
    .bind(entry.user_agent)
    .bind(entry.detail)
    .execute(pool)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    pub ip: Option<String>,
    pub detail: Option<String>,
}

/// Newest first; used by tests now and by the admin console later.
pub async fn recent(pool: &AnyPool, limit: i64) -> Result<Vec<AuditRow>, sqlx::Error> {
    sqlx::query_as("SELECT id, at, actor, action, target, ip, detail FROM audit_log ORDER BY id DESC LIMIT $1")
        .bind(limit)
        .fetch_all(pool)
        .await
}

/// Deletes entries older than `oldest_kept` (the retention period); returns how many.
pub async fn prune_before(pool: &AnyPool, oldest_kept: UtcMillis) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM audit_log WHERE at < $1").bind(oldest_kept.0).execute(pool).await?;
    Ok(done.rows_affected())
}
