//! The project capability, in SQL: the caller's role on a project is their `project_members`
//! row, read on every request (nothing caches it), so adding, demoting or removing a member
//! takes effect on their very next request. Every project, task, comment and activity query
//! either calls `project_role` first or joins `project_members` itself with the same
//! condition (`JOIN project_members m ON m.project_id = … AND m.user_id = $caller`), so what a
//! user cannot see is never read.

use sqlx::{Any, Executor};

use crate::domain::id::{ProjectId, TaskId, UserId};
use crate::domain::projects::ProjectRole;

/// The caller's role on a project; `None` when they are not a member (answer 404).
pub async fn project_role<'c>(
    db: impl Executor<'c, Database = Any>,
    user: UserId,
    project: ProjectId,
) -> Result<Option<ProjectRole>, sqlx::Error> {
    let role: Option<String> =
        sqlx::query_scalar("SELECT role FROM project_members WHERE project_id = $1 AND user_id = $2")
            .bind(project)
            .bind(user)
            .fetch_optional(db)
            .await?;
    Ok(role.as_deref().and_then(ProjectRole::parse))
}

/// The caller's role on the project of a task, when the task belongs to that project;
/// `None` for a task of another project or one the caller cannot see (answer 404).
pub async fn task_role<'c>(
    db: impl Executor<'c, Database = Any>,
    user: UserId,
    project: ProjectId,
    task: TaskId,
) -> Result<Option<ProjectRole>, sqlx::Error> {
    let role: Option<String> = sqlx::query_scalar(
        "SELECT m.role FROM project_tasks t \
         JOIN project_members m ON m.project_id = t.project_id AND m.user_id = $3 \
         WHERE t.id = $2 AND t.project_id = $1",
    )
    .bind(project)
    .bind(task)
    .bind(user)
    .fetch_optional(db)
    .await?;
    Ok(role.as_deref().and_then(ProjectRole::parse))
}
