//! Comments on project tasks. Reads join `project_members` for the caller and name the task's
//! project, so a comment is visible exactly where its task is; writes run in the service's
//! transaction after the role check and name the task, so a comment id of another task (or
//! project) touches nothing.

use sqlx::{Any, AnyConnection, Executor, FromRow};

use crate::domain::flag::Flag;
use crate::domain::id::{ProjectId, TaskCommentId, TaskId, UserId};
use crate::domain::time::UtcMillis;

/// A comment with its author's names (absent when the author's account is gone).
#[derive(Debug, Clone, FromRow)]
pub struct CommentRow {
    pub id: TaskCommentId,
    pub task_id: TaskId,
    pub author_id: Option<UserId>,
    pub author_username: Option<String>,
    pub author_display_name: Option<String>,
    pub body: String,
    pub edited: Flag,
    pub created_at: i64,
    pub updated_at: i64,
}

/// `$1` caller, `$2` project, `$3` task.
const SELECT: &str = "SELECT c.id, c.task_id, c.author_id, u.username AS author_username, \
     s.display_name AS author_display_name, c.body, c.edited, c.created_at, c.updated_at \
     FROM task_comments c \
     JOIN project_tasks t ON t.id = c.task_id AND t.project_id = $2 \
     JOIN project_members m ON m.project_id = t.project_id AND m.user_id = $1 \
     LEFT JOIN users u ON u.id = c.author_id \
     LEFT JOIN user_settings s ON s.user_id = c.author_id \
     WHERE c.task_id = $3";

/// A page of a task's comments, oldest first, and how many there are.
pub async fn list(
    db: &sqlx::AnyPool,
    caller: UserId,
    project: ProjectId,
    task: TaskId,
    limit: i64,
    offset: i64,
) -> Result<(Vec<CommentRow>, i64), sqlx::Error> {
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} ORDER BY c.id LIMIT $4 OFFSET $5")))
        .bind(caller)
        .bind(project)
        .bind(task)
        .bind(limit)
        .bind(offset)
        .fetch_all(db)
        .await?;
    let total = sqlx::query_scalar(
        "SELECT COUNT(*) FROM task_comments c \
         JOIN project_tasks t ON t.id = c.task_id AND t.project_id = $2 \
         JOIN project_members m ON m.project_id = t.project_id AND m.user_id = $1 \
         WHERE c.task_id = $3",
    )
    .bind(caller)
    .bind(project)
    .bind(task)
    .fetch_one(db)
    .await?;
    Ok((rows, total))
}

/// One comment of the task, as the caller sees it.
pub async fn get<'c>(
    db: impl Executor<'c, Database = Any>,
    caller: UserId,
    project: ProjectId,
    task: TaskId,
    comment: TaskCommentId,
) -> Result<Option<CommentRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} AND c.id = $4")))
        .bind(caller)
        .bind(project)
        .bind(task)
        .bind(comment)
        .fetch_optional(db)
        .await
}

pub async fn insert(
    db: &mut AnyConnection,
    task: TaskId,
    author: UserId,
    body: &str,
    now: UtcMillis,
) -> Result<TaskCommentId, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO task_comments (task_id, author_id, body, created_at, updated_at, edited) \
         VALUES ($1, $2, $3, $4, $4, $5) RETURNING id",
    )
    .bind(task)
    .bind(author)
    .bind(body)
    .bind(now.0)
    .bind(Flag(false))
    .fetch_one(db)
    .await
}

/// A new body, marked edited.
pub async fn update(
    db: &mut AnyConnection,
    task: TaskId,
    comment: TaskCommentId,
    body: &str,
    now: UtcMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE task_comments SET body = $3, edited = $4, updated_at = $5 WHERE id = $1 AND task_id = $2")
        .bind(comment)
        .bind(task)
        .bind(body)
        .bind(Flag(true))
        .bind(now.0)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn delete(db: &mut AnyConnection, task: TaskId, comment: TaskCommentId) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM task_comments WHERE id = $1 AND task_id = $2")
        .bind(comment)
        .bind(task)
        .execute(db)
        .await?;
    Ok(())
}

/// The usernames of a project's members (to tell a mention of a member from any `@word`).
pub async fn member_usernames<'c>(
    db: impl Executor<'c, Database = Any>,
    project: ProjectId,
) -> Result<Vec<(UserId, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT m.user_id, u.username FROM project_members m JOIN users u ON u.id = m.user_id \
         WHERE m.project_id = $1 ORDER BY u.username",
    )
    .bind(project)
    .fetch_all(db)
    .await
}
