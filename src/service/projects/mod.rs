//! The project workflows: projects and their members, tasks on the board, comments and the
//! activity feed. The caller's role comes from `db::project_access` on every call: not a
//! member is `NotFound` (404, for everything in the project), a member without the role the
//! action needs is `Forbidden` (403: a member knows the project exists). Every change writes
//! its activity entry in the same transaction (`db::project_activity::record`).

pub mod activity;
pub mod comments;
pub mod items;
pub mod members;
pub mod tasks;

use super::Context;
use crate::db::WriteTx;
use crate::db::error::DbError;
use crate::db::project_access;
use crate::domain::id::{ProjectId, TaskId, UserId};
use crate::domain::projects::ProjectRole;
use crate::domain::todos::Problems;

#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error("not found")]
    NotFound,
    /// A member may see the object but their role does not allow this.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// The request contradicts the current state (e.g. the last owner leaving).
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("invalid")]
    Invalid(Problems),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for ProjectError {
    fn from(error: sqlx::Error) -> Self {
        Self::Db(DbError::classify(error))
    }
}

impl From<Problems> for ProjectError {
    fn from(problems: Problems) -> Self {
        Self::Invalid(problems)
    }
}

pub type ProjectResult<T> = Result<T, ProjectError>;

/// One invalid field.
pub fn invalid(field: &str, message: impl Into<String>) -> ProjectError {
    let mut problems = Problems::default();
    problems.add(field, message);
    ProjectError::Invalid(problems)
}

/// A write transaction on one project, its row locked first (`db::projects::lock`). Every
/// write to a project, its members, tasks or comments starts here and reads the caller's role
/// only afterwards, inside it: a role change or a removal committed meanwhile is then seen,
/// and one project's writes run one at a time.
pub async fn write_on(ctx: &Context<'_>, project: ProjectId) -> ProjectResult<WriteTx> {
    let mut tx = ctx.db.write().await?;
    crate::db::projects::lock(&mut tx, project).await?;
    Ok(tx)
}

/// The caller's role on a project, or `NotFound`.
pub async fn role_of<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    user: UserId,
    project: ProjectId,
) -> ProjectResult<ProjectRole> {
    project_access::project_role(db, user, project).await?.ok_or(ProjectError::NotFound)
}

/// The caller's role on the project of a task of that project, or `NotFound`.
pub async fn task_role_of<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    user: UserId,
    project: ProjectId,
    task: TaskId,
) -> ProjectResult<ProjectRole> {
    project_access::task_role(db, user, project, task).await?.ok_or(ProjectError::NotFound)
}

/// `Forbidden` unless the role may write tasks and comments.
pub fn require_write(role: ProjectRole) -> ProjectResult<()> {
    if role.can_write() { Ok(()) } else { Err(ProjectError::Forbidden("Viewers cannot change this project.")) }
}

/// `Forbidden` unless the role may manage the project and its members.
pub fn require_manage(role: ProjectRole) -> ProjectResult<()> {
    if role.can_manage() { Ok(()) } else { Err(ProjectError::Forbidden("Only the project's owners may do this.")) }
}
