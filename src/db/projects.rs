//! Projects: rows and queries. Every read joins the caller's `project_members` row (so a
//! non-member reads nothing) and counts members and tasks in the same statement.

use sqlx::{Any, Executor, FromRow};

use super::{Backend, WriteTx};
use crate::domain::id::{ProjectId, UserId};
use crate::domain::projects::{ProjectStatus, ProjectValues};
use crate::domain::time::UtcMillis;

/// A project as one member sees it.
#[derive(Debug, Clone, FromRow)]
pub struct ProjectRow {
    pub id: ProjectId,
    pub name: String,
    pub description: String,
    pub colour: String,
    pub status: String,
    pub due_date: Option<String>,
    pub my_role: String,
    pub member_count: i64,
    pub task_count: i64,
    pub done_count: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl ProjectRow {
    pub fn values(&self) -> ProjectValues {
        ProjectValues {
            name: self.name.clone(),
            description: self.description.clone(),
            colour: self.colour.clone(),
            status: ProjectStatus::parse(&self.status).unwrap_or(ProjectStatus::Active),
            due_date: self.due_date.clone(),
        }
    }
}

// `$1` is the caller; the statement adds its own WHERE.
const SELECT: &str = "SELECT p.id, p.name, p.description, p.colour, p.status, p.due_date, m.role AS my_role, \
     (SELECT COUNT(*) FROM project_members c WHERE c.project_id = p.id) AS member_count, \
     (SELECT COUNT(*) FROM project_tasks t WHERE t.project_id = p.id) AS task_count, \
     (SELECT COUNT(*) FROM project_tasks t WHERE t.project_id = p.id AND t.status = 'done') AS done_count, \
     p.created_at, p.updated_at \
     FROM projects p JOIN project_members m ON m.project_id = p.id AND m.user_id = $1";

pub async fn insert<'c>(
    db: impl Executor<'c, Database = Any>,
    creator: UserId,
    values: &ProjectValues,
    now: UtcMillis,
) -> Result<ProjectId, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO projects (created_by, name, description, colour, status, due_date, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
    )
    .bind(creator)
    .bind(&values.name)
    .bind(&values.description)
    .bind(&values.colour)
    .bind(values.status.as_str())
    .bind(values.due_date.as_deref())
    .bind(now.0)
    .fetch_one(db)
    .await
}

/// The project as `viewer` sees it; `None` unless they are a member.
pub async fn get<'c>(
    db: impl Executor<'c, Database = Any>,
    viewer: UserId,
    id: ProjectId,
) -> Result<Option<ProjectRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE p.id = $2")))
        .bind(viewer)
        .bind(id)
        .fetch_optional(db)
        .await
}

/// A page of the viewer's projects, newest updated first; `status` `None` is all of them.
pub async fn list(
    db: &sqlx::AnyPool,
    viewer: UserId,
    status: Option<ProjectStatus>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<ProjectRow>, i64), sqlx::Error> {
    // '' stands for "any status" so that one statement (and no typed NULL) serves both.
    let status = status.map_or("", ProjectStatus::as_str);
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE ($2 = '' OR p.status = $2) ORDER BY p.updated_at DESC, p.id DESC LIMIT $3 OFFSET $4"
    )))
    .bind(viewer)
    .bind(status)
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await?;
    let total = sqlx::query_scalar(
        "SELECT COUNT(*) FROM projects p JOIN project_members m ON m.project_id = p.id AND m.user_id = $1 \
         WHERE ($2 = '' OR p.status = $2)",
    )
    .bind(viewer)
    .bind(status)
    .fetch_one(db)
    .await?;
    Ok((rows, total))
}

pub async fn update<'c>(
    db: impl Executor<'c, Database = Any>,
    id: ProjectId,
    values: &ProjectValues,
    now: UtcMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE projects SET name = $2, description = $3, colour = $4, status = $5, due_date = $6, updated_at = $7 \
         WHERE id = $1",
    )
    .bind(id)
    .bind(&values.name)
    .bind(&values.description)
    .bind(&values.colour)
    .bind(values.status.as_str())
    .bind(values.due_date.as_deref())
    .bind(now.0)
    .execute(db)
    .await?;
    Ok(())
}

/// Deletes the project; members, tasks, assignments, comments and activity cascade.
pub async fn delete<'c>(db: impl Executor<'c, Database = Any>, id: ProjectId) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM projects WHERE id = $1").bind(id).execute(db).await?;
    Ok(())
}

/// Serialises the writes to one project: every write to a project, its members, tasks and
/// comments takes this first, before it reads the caller's role. SQLite's `BEGIN IMMEDIATE`
/// already holds the database's one write lock; on PostgreSQL the project row is locked, so
/// two owners demoting each other at once cannot both see the other still an owner, and a
/// role changed or a member removed meanwhile is seen by the role read that follows.
/// `FOR NO KEY UPDATE`: the inserts that point at the project (activity, tasks, members) take
/// `FOR KEY SHARE` on its row, which this does not block, so it cannot deadlock with them.
pub async fn lock(tx: &mut WriteTx, id: ProjectId) -> Result<(), sqlx::Error> {
    if tx.backend() == Backend::Postgres {
        sqlx::query("SELECT id FROM projects WHERE id = $1 FOR NO KEY UPDATE")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
    }
    Ok(())
}

/// `lock` for every project `user` belongs to, in id order (so two such locks never wait on
/// each other crosswise): an account deletion decides who succeeds its owner with them held.
pub async fn lock_all_of(tx: &mut WriteTx, user: UserId) -> Result<(), sqlx::Error> {
    if tx.backend() == Backend::Postgres {
        sqlx::query(
            "SELECT id FROM projects WHERE id IN (SELECT project_id FROM project_members WHERE user_id = $1) \
             ORDER BY id FOR NO KEY UPDATE",
        )
        .bind(user)
        .fetch_all(&mut **tx)
        .await?;
    }
    Ok(())
}
