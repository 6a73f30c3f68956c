//! Projects themselves: create (the caller becomes the owner), read, list, change and delete.
//! Reads join the caller's membership in SQL; changes need the owner role. Every change
//! writes its activity entry in its own transaction.

use serde_json::json;

use super::{ProjectError, ProjectResult, require_manage, role_of, write_on};
use crate::db::project_activity::{self, NewActivity};
use crate::db::project_members;
use crate::db::projects::{self as db, ProjectRow};
use crate::domain::id::{ProjectId, UserId};
use crate::domain::projects::{
    ActivityAction, NewProject, ProjectPatch, ProjectRole, ProjectStatus, new_values, patched_values,
};
use crate::service::Context;

fn activity(
    project_id: ProjectId,
    actor_id: UserId,
    action: ActivityAction,
    detail: serde_json::Value,
) -> NewActivity<'static> {
    NewActivity { project_id, actor_id, action, task_id: None, task_title: None, detail }
}

/// Creates the project with the caller as its owner, in one transaction.
pub async fn create(ctx: Context<'_>, me: UserId, body: NewProject) -> ProjectResult<ProjectRow> {
    let values = new_values(body)?;
    let mut tx = ctx.db.write().await?;
    let id = db::insert(&mut *tx, me, &values, ctx.now).await?;
    project_members::insert(&mut *tx, id, me, ProjectRole::Owner, me, ctx.now.0).await?;
    project_activity::record(&mut *tx, &activity(id, me, ActivityAction::ProjectCreated, json!({})), ctx.now).await?;
    let row = db::get(&mut *tx, me, id).await?.ok_or(ProjectError::NotFound)?;
    tx.commit().await?;
    Ok(row)
}

pub async fn get(ctx: Context<'_>, me: UserId, id: ProjectId) -> ProjectResult<ProjectRow> {
    db::get(ctx.db.pool(), me, id).await?.ok_or(ProjectError::NotFound)
}

/// The caller's projects, newest updated first.
pub async fn list(
    ctx: Context<'_>,
    me: UserId,
    status: Option<ProjectStatus>,
    limit: i64,
    offset: i64,
) -> ProjectResult<(Vec<ProjectRow>, i64)> {
    Ok(db::list(ctx.db.pool(), me, status, limit, offset).await?)
}

/// Owners change the project; the activity entry names the changed fields.
pub async fn update(ctx: Context<'_>, me: UserId, id: ProjectId, patch: ProjectPatch) -> ProjectResult<ProjectRow> {
    let mut tx = write_on(&ctx, id).await?;
    require_manage(role_of(&mut *tx, me, id).await?)?;
    let current = db::get(&mut *tx, me, id).await?.ok_or(ProjectError::NotFound)?;
    let before = current.values();
    let after = patched_values(&before, patch)?;
    let fields = after.changed_fields(&before);
    if fields.is_empty() {
        return Ok(current);
    }
    db::update(&mut *tx, id, &after, ctx.now).await?;
    let entry = activity(id, me, ActivityAction::ProjectUpdated, json!({ "fields": fields }));
    project_activity::record(&mut *tx, &entry, ctx.now).await?;
    let row = db::get(&mut *tx, me, id).await?.ok_or(ProjectError::NotFound)?;
    tx.commit().await?;
    Ok(row)
}

/// Owners delete the project with everything in it.
pub async fn delete(ctx: Context<'_>, me: UserId, id: ProjectId) -> ProjectResult<()> {
    let mut tx = write_on(&ctx, id).await?;
    require_manage(role_of(&mut *tx, me, id).await?)?;
    db::delete(&mut *tx, id).await?;
    tx.commit().await?;
    Ok(())
}
