//! The project activity feed: one row per change, written by the service in the same
//! transaction as the change (so the feed never shows what did not happen, nor misses what
//! did), read newest first by members.

use sqlx::{Any, Executor, FromRow};

use crate::domain::id::{ProjectActivityId, ProjectId, TaskId, UserId};
use crate::domain::projects::ActivityAction;
use crate::domain::time::UtcMillis;

/// One change to record.
#[derive(Debug, Clone)]
pub struct NewActivity<'a> {
    pub project_id: ProjectId,
    pub actor_id: UserId,
    pub action: ActivityAction,
    pub task_id: Option<TaskId>,
    pub task_title: Option<&'a str>,
    /// A short JSON object of what changed; `{}` when the action says it all.
    pub detail: serde_json::Value,
}

/// An entry with its actor's names (empty when the actor's account is gone).
#[derive(Debug, Clone, FromRow)]
pub struct ActivityRow {
    pub id: ProjectActivityId,
    pub actor_id: Option<UserId>,
    pub actor_username: Option<String>,
    pub actor_display_name: Option<String>,
    pub action: String,
    pub task_id: Option<TaskId>,
    pub task_title: Option<String>,
    pub detail: String,
    pub created_at: i64,
}

/// Records a change; call it with the transaction that makes the change.
pub async fn record<'c>(
    db: impl Executor<'c, Database = Any>,
    entry: &NewActivity<'_>,
    now: UtcMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO project_activity (project_id, actor_id, action, task_id, task_title, detail, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(entry.project_id)
    .bind(entry.actor_id)
    .bind(entry.action.as_str())
    .bind(entry.task_id)
    .bind(entry.task_title)
    .bind(entry.detail.to_string())
    .bind(now.0)
    .execute(db)
    .await?;
    Ok(())
}

/// A page of a project's feed, newest first, for a member (a non-member reads nothing).
pub async fn list(
    db: &sqlx::AnyPool,
    viewer: UserId,
    project: ProjectId,
    limit: i64,
    offset: i64,
) -> Result<(Vec<ActivityRow>, i64), sqlx::Error> {
    let rows = sqlx::query_as::<_, ActivityRow>(
        "SELECT a.id, a.actor_id, u.username AS actor_username, s.display_name AS actor_display_name, \
                a.action, a.task_id, a.task_title, a.detail, a.created_at \
         FROM project_activity a \
         JOIN project_members m ON m.project_id = a.project_id AND m.user_id = $1 \
         LEFT JOIN users u ON u.id = a.actor_id \
         LEFT JOIN user_settings s ON s.user_id = a.actor_id \
         WHERE a.project_id = $2 ORDER BY a.id DESC LIMIT $3 OFFSET $4",
    )
    .bind(viewer)
    .bind(project)
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await?;
    let total: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM project_activity a \
         JOIN project_members m ON m.project_id = a.project_id AND m.user_id = $1 WHERE a.project_id = $2",
    )
    .bind(viewer)
    .bind(project)
    .fetch_one(db)
    .await?;
    Ok((rows, total))
}
