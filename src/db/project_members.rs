//! Project members: who belongs to a project and with which role. Reads for a member join
//! the caller's own row; the writes take the project and the member id together, so a
//! member id of another project finds nothing. Also what a departure takes with it (task
//! assignments) and what deleting an account does to the projects it owned.

use sqlx::{Any, Executor, FromRow};

use super::WriteTx;
use crate::domain::id::{ProjectId, ProjectMemberId, UserId};
use crate::domain::projects::ProjectRole;

/// A member with their names (display name empty when unset).
#[derive(Debug, Clone, FromRow)]
pub struct MemberRow {
    pub id: ProjectMemberId,
    pub project_id: ProjectId,
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub created_at: i64,
}

impl MemberRow {
    pub fn role(&self) -> ProjectRole {
        ProjectRole::parse(&self.role).unwrap_or(ProjectRole::Viewer)
    }
}

const SELECT: &str = "SELECT m.id, m.project_id, m.user_id, u.username, COALESCE(s.display_name, '') AS display_name, \
     m.role, m.created_at FROM project_members m JOIN users u ON u.id = m.user_id \
     LEFT JOIN user_settings s ON s.user_id = m.user_id";

// Owners first, then editors, then viewers; the longest-standing first within a role.
const ORDER: &str = "ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'editor' THEN 1 ELSE 2 END, m.created_at, m.id";

/// A page of the project's members for `viewer` (nothing unless they are a member).
pub async fn list(
    db: &sqlx::AnyPool,
    viewer: UserId,
    project: ProjectId,
    limit: i64,
    offset: i64,
) -> Result<(Vec<MemberRow>, i64), sqlx::Error> {
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} JOIN project_members me ON me.project_id = m.project_id AND me.user_id = $1 \
         WHERE m.project_id = $2 {ORDER} LIMIT $3 OFFSET $4"
    )))
    .bind(viewer)
    .bind(project)
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await?;
    let total = sqlx::query_scalar(
        "SELECT COUNT(*) FROM project_members m \
         JOIN project_members me ON me.project_id = m.project_id AND me.user_id = $1 WHERE m.project_id = $2",
    )
    .bind(viewer)
    .bind(project)
    .fetch_one(db)
    .await?;
    Ok((rows, total))
}

/// A member of this project (`None` for a member id of another project).
pub async fn get<'c>(
    db: impl Executor<'c, Database = Any>,
    project: ProjectId,
    id: ProjectMemberId,
) -> Result<Option<MemberRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE m.id = $1 AND m.project_id = $2")))
        .bind(id)
        .bind(project)
        .fetch_optional(db)
        .await
}

/// The user's membership of the project.
pub async fn of_user<'c>(
    db: impl Executor<'c, Database = Any>,
    project: ProjectId,
    user: UserId,
) -> Result<Option<MemberRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE m.user_id = $1 AND m.project_id = $2")))
        .bind(user)
        .bind(project)
        .fetch_optional(db)
        .await
}

/// Adds a member; `None` when they are one already.
pub async fn insert<'c>(
    db: impl Executor<'c, Database = Any>,
    project: ProjectId,
    user: UserId,
    role: ProjectRole,
    added_by: UserId,
    now: i64,
) -> Result<Option<ProjectMemberId>, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO project_members (project_id, user_id, role, added_by, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (project_id, user_id) DO NOTHING RETURNING id",
    )
    .bind(project)
    .bind(user)
    .bind(role.as_str())
    .bind(added_by)
    .bind(now)
    .fetch_optional(db)
    .await
}

pub async fn set_role<'c>(
    db: impl Executor<'c, Database = Any>,
    project: ProjectId,
    id: ProjectMemberId,
    role: ProjectRole,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE project_members SET role = $3 WHERE id = $1 AND project_id = $2")
        .bind(id)
        .bind(project)
        .bind(role.as_str())
        .execute(db)
        .await?;
    Ok(())
}

/// How many owners the project has (call after `db::projects::lock`).
pub async fn owner_count<'c>(db: impl Executor<'c, Database = Any>, project: ProjectId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM project_members WHERE project_id = $1 AND role = 'owner'")
        .bind(project)
        .fetch_one(db)
        .await
}

/// Removes a member and, in the caller's transaction, their assignments to the project's
/// tasks (an assignee is always a member).
pub async fn delete(tx: &mut WriteTx, project: ProjectId, member: &MemberRow) -> Result<(), sqlx::Error> {
    sqlx::query(
        "DELETE FROM task_assignees WHERE user_id = $1 \
         AND task_id IN (SELECT id FROM project_tasks WHERE project_id = $2)",
    )
    .bind(member.user_id)
    .bind(project)
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM project_members WHERE id = $1 AND project_id = $2")
        .bind(member.id)
        .bind(project)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The user named `username` when they are an accepted connection of `me` (`None` for
/// anyone else, so every other answer looks the same).
pub async fn connected_user<'c>(
    db: impl Executor<'c, Database = Any>,
    me: UserId,
    username: &str,
) -> Result<Option<UserId>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT u.id FROM users u JOIN connections c ON c.status = 'accepted' \
         AND ((c.user_low = $1 AND c.user_high = u.id) OR (c.user_high = $1 AND c.user_low = u.id)) \
         WHERE u.username = $2 AND u.id <> $1",
    )
    .bind(me)
    .bind(username)
    .fetch_optional(db)
    .await
}

/// A member promoted because the account of a project's only owner is being deleted.
#[derive(Debug, Clone, FromRow)]
pub struct Successor {
    pub project_id: ProjectId,
    pub member_id: ProjectMemberId,
    pub username: String,
}

/// Before `user`'s account is deleted (in that transaction): every project they own alone
/// passes to its longest-standing other member, and the projects nobody else belongs to are
/// deleted (no one could ever see them again). Returns the promotions.
pub async fn hand_over_projects_of(tx: &mut WriteTx, user: UserId) -> Result<Vec<Successor>, sqlx::Error> {
    // With their projects locked, no member change can slip between the choice and the
    // deletion (e.g. the other owner leaving at that moment, leaving nobody in charge).
    super::projects::lock_all_of(tx, user).await?;
    let successors: Vec<Successor> = sqlx::query_as(
        "SELECT n.project_id, n.id AS member_id, u.username FROM project_members n JOIN users u ON u.id = n.user_id \
         WHERE n.id IN (\
           SELECT (SELECT x.id FROM project_members x WHERE x.project_id = o.project_id AND x.user_id <> $1 \
                   ORDER BY x.created_at, x.id LIMIT 1) \
           FROM project_members o WHERE o.user_id = $1 AND o.role = 'owner' \
           AND NOT EXISTS (SELECT 1 FROM project_members y \
                           WHERE y.project_id = o.project_id AND y.role = 'owner' AND y.user_id <> $1)) \
         ORDER BY n.project_id",
    )
    .bind(user)
    .fetch_all(&mut **tx)
    .await?;
    for successor in &successors {
        set_role(&mut **tx, successor.project_id, successor.member_id, ProjectRole::Owner).await?;
    }
    sqlx::query(
        "DELETE FROM projects WHERE id IN (SELECT project_id FROM project_members WHERE user_id = $1) \
         AND NOT EXISTS (SELECT 1 FROM project_members x WHERE x.project_id = projects.id AND x.user_id <> $1)",
    )
    .bind(user)
    .execute(&mut **tx)
    .await?;
    Ok(successors)
}
