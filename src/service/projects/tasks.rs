//! Tasks on a project's board: list, read, create, change, move and delete. Viewers read;
//! editors and owners write. Each change runs in one write transaction with its activity rows
//! and the notifications it causes (`task_assigned` to each newly assigned member but the
//! actor), which `tell` also queues for push like the dispatcher's own.
//!
//! Positions order a column (ascending, with gaps): a new task, and one whose status a PATCH
//! changes, goes after the column's last; a move takes the middle of the gap between its new
//! neighbours, and renumbers the column when they are adjacent.

use std::collections::HashMap;

use crate::db::WriteTx;
use crate::db::project_activity::{self, NewActivity};
use crate::db::project_tasks::{self as db, AssigneeRow, Standing, TaskFilter, TaskRow};
use crate::db::push_deliveries::{self, NewPush};
use crate::domain::id::{ProjectId, TaskId, UserId};
use crate::domain::notifications::NotificationKind;
use crate::domain::patch::Patch;
use crate::domain::project_tasks::{
    MoveTask, NewTask, POSITION_STEP, TaskFields, TaskPatch, distinct_assignees, renumbered, slot,
};
use crate::domain::projects::{ActivityAction, TaskStatus};
use crate::domain::time::UtcMillis;
use crate::domain::todos::Problems;
use crate::service::Context;
use crate::service::calendar_shares::shown_name;
use crate::service::notifications::{BODY_MAX, Notice, TITLE_MAX, bounded, notify};
use crate::service::projects::{ProjectError, ProjectResult, invalid, require_write, role_of, task_role_of, write_on};

/// A task with its assignees, as the API shows it.
#[derive(Debug, Clone)]
pub struct TaskDetail {
    pub row: TaskRow,
    pub assignees: Vec<AssigneeRow>,
}

/// The app path that opens a task (notifications link here).
pub fn task_link(project: ProjectId, task: TaskId) -> String {
    format!("/projects/{project}?task={task}")
}

/// A page of the project's tasks in board order.
pub async fn list(
    ctx: Context<'_>,
    me: UserId,
    project: ProjectId,
    filter: &TaskFilter<'_>,
    limit: i64,
    offset: i64,
) -> ProjectResult<(Vec<TaskDetail>, i64)> {
    role_of(ctx.db.pool(), me, project).await?;
    let (rows, total) = db::list(ctx.db.pool(), me, project, filter, limit, offset).await?;
    Ok((with_assignees(ctx, me, rows).await?, total))
}

async fn with_assignees(ctx: Context<'_>, me: UserId, rows: Vec<TaskRow>) -> ProjectResult<Vec<TaskDetail>> {
    let ids: Vec<TaskId> = rows.iter().map(|row| row.id).collect();
    let mut by_task: HashMap<TaskId, Vec<AssigneeRow>> = HashMap::new();
    for assignee in db::assignees_of(ctx.db.pool(), me, &ids).await? {
        by_task.entry(assignee.task_id).or_default().push(assignee);
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let assignees = by_task.remove(&row.id).unwrap_or_default();
            TaskDetail { row, assignees }
        })
        .collect())
}

pub async fn get(ctx: Context<'_>, me: UserId, project: ProjectId, task: TaskId) -> ProjectResult<TaskDetail> {
    let row = db::get(ctx.db.pool(), me, project, task).await?.ok_or(ProjectError::NotFound)?;
    Ok(with_assignees(ctx, me, vec![row]).await?.remove(0))
}

/// The assignees asked for, each checked to be a member of the project (anyone else is a
/// problem on `assignee_ids`, whether or not such a user exists); duplicates collapse.
async fn members_assigned(
    tx: &mut WriteTx,
    project: ProjectId,
    ids: &[UserId],
    problems: &mut Problems,
) -> Result<Vec<(UserId, String)>, sqlx::Error> {
    let wanted = distinct_assignees(ids, problems);
    if problems.0.iter().any(|(field, _)| field == "assignee_ids") {
        return Ok(Vec::new());
    }
    let members = db::members_among(tx, project, &wanted).await?;
    if members.len() < wanted.len() {
        problems.add("assignee_ids", "may name only members of this project");
        return Ok(Vec::new());
    }
    // In the order asked for.
    Ok(wanted.iter().filter_map(|id| members.iter().find(|(member, _)| member == id).cloned()).collect())
}

pub async fn create(ctx: Context<'_>, me: UserId, project: ProjectId, new: NewTask) -> ProjectResult<TaskDetail> {
    let mut tx = write_on(&ctx, project).await?;
    require_write(role_of(&mut *tx, me, project).await?)?;
    let mut problems = Problems::default();
    let fields = TaskFields::from_new(&new, &mut problems);
    let assignees =
        members_assigned(&mut tx, project, new.assignee_ids.as_deref().unwrap_or_default(), &mut problems).await?;
    problems.into_result()?;
    let position =
        db::last_position(&mut tx, project, fields.status).await?.map_or(POSITION_STEP, |p| p + POSITION_STEP);
    let task = db::insert(&mut tx, project, &fields, position, me, ctx.now).await?;
    let ids: Vec<UserId> = assignees.iter().map(|(id, _)| *id).collect();
    db::set_assignees(&mut tx, task, &ids).await?;
    let entry = activity(project, me, ActivityAction::TaskCreated, task, &fields.title, serde_json::json!({}));
    project_activity::record(&mut *tx, &entry, ctx.now).await?;
    announce_assigned(&mut tx, me, project, task, &fields.title, &assignees, ctx.now).await?;
    tx.commit().await?;
    get(ctx, me, project, task).await
}

pub async fn update(
    ctx: Context<'_>,
    me: UserId,
    project: ProjectId,
    task: TaskId,
    patch: TaskPatch,
) -> ProjectResult<TaskDetail> {
    let mut tx = write_on(&ctx, project).await?;
    require_write(task_role_of(&mut *tx, me, project, task).await?)?;
    let current = db::get(&mut *tx, me, project, task).await?.ok_or(ProjectError::NotFound)?;
    let before = current.fields();
    let mut problems = Problems::default();
    let fields = before.clone().patched(&patch, &mut problems);
    let wanted = match &patch.assignee_ids {
        Patch::Unchanged => None,
        Patch::Clear => Some(Vec::new()),
        Patch::Set(ids) => Some(members_assigned(&mut tx, project, ids, &mut problems).await?),
    };
    problems.into_result()?;

    let mut changed = fields.changed_since(&before);
    let old_assignees = db::assignee_ids(&mut tx, task).await?;
    let mut newly: Vec<(UserId, String)> = Vec::new();
    if let Some(wanted) = wanted {
        let mut ids: Vec<UserId> = wanted.iter().map(|(id, _)| *id).collect();
        ids.sort_unstable();
        if ids != old_assignees {
            db::set_assignees(&mut tx, task, &ids).await?;
            changed.push("assignee_ids");
            newly = wanted.into_iter().filter(|(id, _)| !old_assignees.contains(id)).collect();
        }
    }
    if changed.is_empty() {
        drop(tx);
        return get(ctx, me, project, task).await;
    }
    let moved = fields.status != before.status;
    let standing = if moved {
        let last = db::last_position(&mut tx, project, fields.status).await?;
        Standing {
            position: last.map_or(POSITION_STEP, |p| p + POSITION_STEP),
            completed_at: completed_at(before.status, fields.status, current.completed_at, ctx.now),
        }
    } else {
        Standing { position: current.position, completed_at: current.completed_at }
    };
    db::update(&mut tx, project, task, &fields, standing, ctx.now).await?;
    // A status change is a move in the feed; the other changed fields are an update.
    let others: Vec<&str> = changed.iter().copied().filter(|field| *field != "status").collect();
    if !others.is_empty() {
        let detail = serde_json::json!({ "fields": others });
        let entry = activity(project, me, ActivityAction::TaskUpdated, task, &fields.title, detail);
        project_activity::record(&mut *tx, &entry, ctx.now).await?;
    }
    if moved {
        let detail = serde_json::json!({ "from": before.status.as_str(), "to": fields.status.as_str() });
        let entry = activity(project, me, ActivityAction::TaskMoved, task, &fields.title, detail);
        project_activity::record(&mut *tx, &entry, ctx.now).await?;
    }
    announce_assigned(&mut tx, me, project, task, &fields.title, &newly, ctx.now).await?;
    tx.commit().await?;
    get(ctx, me, project, task).await
}

/// Done gets its time when it arrives there, keeps it while it stays, and loses it on leaving.
fn completed_at(from: TaskStatus, to: TaskStatus, current: Option<i64>, now: UtcMillis) -> Option<i64> {
    match (from == TaskStatus::Done, to == TaskStatus::Done) {
        (false, true) => Some(now.0),
        (true, true) => current.or(Some(now.0)),
        (_, false) => None,
    }
}

/// Moves a task into a column, before or after one of its tasks, or to its end.
pub async fn move_task(
    ctx: Context<'_>,
    me: UserId,
    project: ProjectId,
    task: TaskId,
    body: MoveTask,
) -> ProjectResult<TaskDetail> {
    let mut tx = write_on(&ctx, project).await?;
    require_write(task_role_of(&mut *tx, me, project, task).await?)?;
    if body.before_id.is_some() && body.after_id.is_some() {
        return Err(invalid("after_id", "give before_id or after_id, not both"));
    }
    let current = db::get(&mut *tx, me, project, task).await?.ok_or(ProjectError::NotFound)?;
    let column = db::column(&mut tx, project, body.status, task).await?;
    let anchor = |field: &str, id: TaskId| {
        column
            .iter()
            .position(|(other, _)| *other == id)
            .ok_or_else(|| invalid(field, "is not another task in that column of this project"))
    };
    let index = match (body.before_id, body.after_id) {
        (Some(before), _) => anchor("before_id", before)?,
        (None, Some(after)) => anchor("after_id", after)? + 1,
        (None, None) => column.len(),
    };
    let positions: Vec<i64> = column.iter().map(|(_, position)| *position).collect();
    // Dropped back where it was (same column, same neighbours): nothing moved, nothing to
    // write or to tell the activity log.
    let stays = current.fields().status == body.status
        && (index == 0 || positions[index - 1] < current.position)
        && positions.get(index).is_none_or(|next| current.position < *next);
    if stays {
        drop(tx);
        return get(ctx, me, project, task).await;
    }
    let position = if let Some(position) = slot(&positions, index) {
        position
    } else {
        // No gap between the neighbours: number the column afresh with the task in place.
        let mut order: Vec<TaskId> = column.iter().map(|(id, _)| *id).collect();
        order.insert(index, task);
        let fresh: Vec<(TaskId, i64)> = order.into_iter().zip(renumbered(column.len() + 1)).collect();
        let others: Vec<(TaskId, i64)> = fresh.iter().copied().filter(|(id, _)| *id != task).collect();
        db::set_positions(&mut tx, project, &others).await?;
        fresh[index].1
    };
    let before = current.fields();
    let fields = TaskFields { status: body.status, ..before.clone() };
    let standing =
        Standing { position, completed_at: completed_at(before.status, body.status, current.completed_at, ctx.now) };
    db::update(&mut tx, project, task, &fields, standing, ctx.now).await?;
    let detail = serde_json::json!({ "from": before.status.as_str(), "to": body.status.as_str() });
    let entry = activity(project, me, ActivityAction::TaskMoved, task, &fields.title, detail);
    project_activity::record(&mut *tx, &entry, ctx.now).await?;
    tx.commit().await?;
    get(ctx, me, project, task).await
}

pub async fn delete(ctx: Context<'_>, me: UserId, project: ProjectId, task: TaskId) -> ProjectResult<()> {
    let mut tx = write_on(&ctx, project).await?;
    require_write(task_role_of(&mut *tx, me, project, task).await?)?;
    let current = db::get(&mut *tx, me, project, task).await?.ok_or(ProjectError::NotFound)?;
    db::delete(&mut tx, project, task).await?;
    let entry = activity(project, me, ActivityAction::TaskDeleted, task, &current.title, serde_json::json!({}));
    project_activity::record(&mut *tx, &entry, ctx.now).await?;
    tx.commit().await?;
    Ok(())
}

/// An activity entry about a task.
pub(super) fn activity(
    project: ProjectId,
    actor: UserId,
    action: ActivityAction,
    task: TaskId,
    title: &str,
    detail: serde_json::Value,
) -> NewActivity<'_> {
    NewActivity { project_id: project, actor_id: actor, action, task_id: Some(task), task_title: Some(title), detail }
}

/// How the actor is named in what others are told.
pub(super) async fn actor_name(tx: &mut WriteTx, me: UserId) -> Result<String, sqlx::Error> {
    let (username, display_name) = crate::db::connections::name_of(&mut **tx, me).await?.unwrap_or_default();
    Ok(shown_name(&username, &display_name))
}

/// Records and tells each newly assigned member (not the actor, who knows).
async fn announce_assigned(
    tx: &mut WriteTx,
    me: UserId,
    project: ProjectId,
    task: TaskId,
    title: &str,
    newly: &[(UserId, String)],
    now: UtcMillis,
) -> Result<(), sqlx::Error> {
    let others: Vec<&(UserId, String)> = newly.iter().filter(|(id, _)| *id != me).collect();
    if others.is_empty() {
        return Ok(());
    }
    let name = actor_name(tx, me).await?;
    let heading = format!("{name} assigned you “{title}”");
    let body = project_body(tx, project).await?;
    let link = task_link(project, task);
    for (user, username) in others {
        let detail = serde_json::json!({ "username": username });
        let entry = activity(project, me, ActivityAction::TaskAssigned, task, title, detail);
        project_activity::record(&mut **tx, &entry, now).await?;
        let key = format!("task_assigned:{task}:{}", now.0);
        tell(tx, *user, NotificationKind::TaskAssigned, &heading, &body, &link, &key, now).await?;
    }
    Ok(())
}

/// "In the project “…”." (the notification's body).
pub(super) async fn project_body(tx: &mut WriteTx, project: ProjectId) -> Result<String, sqlx::Error> {
    let name = db::project_name(&mut **tx, project).await?.unwrap_or_default();
    Ok(format!("In the project “{name}”."))
}

/// Writes an in-app notification and, for a user with a push target, queues its push in the
/// same transaction (the dispatcher's push job sends it, honouring quiet hours and the
/// user's priority for the kind), both under `key`.
#[allow(clippy::too_many_arguments)] // each is one part of the message; a struct would only rename them
pub(super) async fn tell(
    tx: &mut WriteTx,
    user: UserId,
    kind: NotificationKind,
    title: &str,
    body: &str,
    link: &str,
    key: &str,
    now: UtcMillis,
) -> Result<(), sqlx::Error> {
    let notice = Notice { user_id: user, kind, title, body, link: Some(link), late: false, source_key: Some(key) };
    if notify(&mut **tx, &notice, now).await?.is_none() {
        return Ok(());
    }
    if db::has_push_target(&mut **tx, user).await? {
        let push = NewPush {
            user_id: user,
            source_key: key,
            kind: kind.as_str(),
            // As bounded as the in-app notice (a task title and a name can be long).
            title: bounded(title, TITLE_MAX),
            body: bounded(body, BODY_MAX),
            link: Some(link),
            item: None,
            alert_id: None,
            now: now.0,
        };
        push_deliveries::enqueue_many(tx, &[push]).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::completed_at;
    use crate::domain::projects::TaskStatus::{Done, InProgress, Todo};
    use crate::domain::time::UtcMillis;

    #[test]
    fn done_keeps_its_time_until_the_task_leaves() {
        let now = UtcMillis(50);
        assert_eq!(completed_at(Todo, Done, None, now), Some(50));
        assert_eq!(completed_at(Done, Done, Some(7), now), Some(7));
        assert_eq!(completed_at(Done, Todo, Some(7), now), None);
        assert_eq!(completed_at(Todo, InProgress, None, now), None);
    }
}
