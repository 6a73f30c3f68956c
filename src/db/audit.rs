//! The append-only audit log of security-relevant actions.

use sqlx::{Acquire, Any, Executor};

use crate::domain::audit_action::AuditAction;
use crate::domain::id::{AuditId, UserId};
use crate::domain::time::UtcMillis;

/// One audit entry. `actor` is a username, "cli" for admin commands, or "anonymous".
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub actor: String,
    pub actor_user_id: Option<UserId>,
    pub action: AuditAction,
    pub target: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub detail: Option<String>,
}

impl AuditEntry {
    /// An entry with only an actor and an action; the rest is filled in with `..`.
    pub fn new(actor: impl Into<String>, action: AuditAction) -> Self {
        Self {
            actor: actor.into(),
            actor_user_id: None,
            action,
            target: None,
            ip: None,
            user_agent: None,
            detail: None,
        }
    }
}

pub async fn record<'c>(
    db: impl Executor<'c, Database = Any>,
    at: UtcMillis,
    entry: AuditEntry,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor, actor_user_id, action, target, ip, user_agent, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(at.0)
    .bind(entry.actor)
    .bind(entry.actor_user_id)
    .bind(entry.action.as_str())
    .bind(entry.target)
    .bind(entry.ip)
    .bind(entry.user_agent)
    .bind(entry.detail)
    .execute(db)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    pub id: AuditId,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub detail: Option<String>,
}

/// Newest first.
pub async fn recent<'c>(db: impl Acquire<'c, Database = Any>, limit: i64) -> Result<Vec<AuditRow>, sqlx::Error> {
    Ok(search(db, &AuditFilter::default(), limit, 0).await?.0)
}

/// What the admin console filters by; `None` matches everything.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<AuditAction>,
    pub since: Option<UtcMillis>,
    pub until: Option<UtcMillis>,
}

/// One page of entries, newest first, and how many match in all.
pub async fn search<'c>(
    db: impl Acquire<'c, Database = Any>,
    filter: &AuditFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<AuditRow>, i64), sqlx::Error> {
    // Unset filters bind as NULL and match everything, so one statement serves all.
    const WHERE: &str = "WHERE ($1 IS NULL OR actor = $1) AND ($2 IS NULL OR action = $2) \
                         AND ($3 IS NULL OR at >= $3) AND ($4 IS NULL OR at < $4)";
    let mut conn = db.acquire().await?;
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT id, at, actor, action, target, ip, user_agent, detail FROM audit_log {WHERE} \
         ORDER BY at DESC, id DESC LIMIT $5 OFFSET $6"
    )))
    .bind(filter.actor.clone())
    .bind(filter.action.map(AuditAction::as_str))
    .bind(filter.since.map(|t| t.0))
    .bind(filter.until.map(|t| t.0))
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *conn)
    .await?;
    let total = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM audit_log {WHERE}")))
        .bind(filter.actor.clone())
        .bind(filter.action.map(AuditAction::as_str))
        .bind(filter.since.map(|t| t.0))
        .bind(filter.until.map(|t| t.0))
        .fetch_one(&mut *conn)
        .await?;
    Ok((rows, total))
}

/// Deletes entries older than `oldest_kept` (the retention period); returns how many.
pub async fn prune_before<'c>(
    db: impl Executor<'c, Database = Any>,
    oldest_kept: UtcMillis,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM audit_log WHERE at < $1").bind(oldest_kept.0).execute(db).await?;
    Ok(done.rows_affected())
}
