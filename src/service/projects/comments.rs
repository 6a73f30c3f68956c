//! Comments on a project's tasks. Members read them; editors and owners post; an author edits
//! their own (nobody else, owners included); an author or an owner deletes. A new comment
//! tells, in its transaction, each member it mentions (`@username`: `mentioned`) and the
//! task's other assignees (`task_comment`); nobody is told about their own comment, and a
//! mentioned assignee is told once, as mentioned.

use crate::db::WriteTx;
use crate::db::project_activity;
use crate::db::project_tasks;
use crate::db::task_comments::{self as db, CommentRow};
use crate::domain::id::{ProjectId, TaskCommentId, TaskId, UserId};
use crate::domain::notifications::NotificationKind;
use crate::domain::project_tasks::{CommentPatch, NewComment, comment_body, mentions};
use crate::domain::projects::{ActivityAction, ProjectRole};
use crate::domain::time::UtcMillis;
use crate::service::Context;
use crate::service::projects::tasks::{activity, actor_name, project_body, task_link, tell};
use crate::service::projects::{ProjectError, ProjectResult, require_write, role_of, task_role_of, write_on};

/// The longest excerpt of a comment a notification carries.
const EXCERPT_MAX: usize = 200;

/// A comment as the caller sees it: which members it mentions, and what the caller may do.
#[derive(Debug, Clone)]
pub struct CommentDetail {
    pub row: CommentRow,
    pub mentions: Vec<String>,
    pub can_edit: bool,
    pub can_delete: bool,
}

fn detail(row: CommentRow, me: UserId, role: ProjectRole, members: &[(UserId, String)]) -> CommentDetail {
    let mine = row.author_id == Some(me);
    let mentions = mentions(&row.body)
        .into_iter()
        .map(|name| name.to_string())
        .filter(|name| members.iter().any(|(_, member)| member == name))
        .collect();
    CommentDetail { mentions, can_edit: mine && role.can_write(), can_delete: mine || role.can_manage(), row }
}

/// A page of the task's comments, oldest first.
pub async fn list(
    ctx: Context<'_>,
    me: UserId,
    project: ProjectId,
    task: TaskId,
    limit: i64,
    offset: i64,
) -> ProjectResult<(Vec<CommentDetail>, i64)> {
    let role = task_role_of(ctx.db.pool(), me, project, task).await?;
    let (rows, total) = db::list(ctx.db.pool(), me, project, task, limit, offset).await?;
    let members = db::member_usernames(ctx.db.pool(), project).await?;
    Ok((rows.into_iter().map(|row| detail(row, me, role, &members)).collect(), total))
}

async fn read(
    ctx: Context<'_>,
    me: UserId,
    project: ProjectId,
    task: TaskId,
    comment: TaskCommentId,
) -> ProjectResult<CommentDetail> {
    let role = role_of(ctx.db.pool(), me, project).await?;
    let row = db::get(ctx.db.pool(), me, project, task, comment).await?.ok_or(ProjectError::NotFound)?;
    let members = db::member_usernames(ctx.db.pool(), project).await?;
    Ok(detail(row, me, role, &members))
}

pub async fn create(
    ctx: Context<'_>,
    me: UserId,
    project: ProjectId,
    task: TaskId,
    new: NewComment,
) -> ProjectResult<CommentDetail> {
    let mut tx = write_on(&ctx, project).await?;
    require_write(task_role_of(&mut *tx, me, project, task).await?)?;
    let body = comment_body(&new.body)?;
    let title = project_tasks::get(&mut *tx, me, project, task).await?.ok_or(ProjectError::NotFound)?.title;
    let comment = db::insert(&mut tx, task, me, &body, ctx.now).await?;
    let entry = activity(project, me, ActivityAction::CommentAdded, task, &title, serde_json::json!({}));
    project_activity::record(&mut *tx, &entry, ctx.now).await?;
    announce(&mut tx, me, project, task, &title, comment, &body, ctx.now).await?;
    tx.commit().await?;
    read(ctx, me, project, task, comment).await
}

/// Tells the mentioned members and the task's assignees about a new comment.
#[allow(clippy::too_many_arguments)] // the comment's coordinates; a struct would only rename them
async fn announce(
    tx: &mut WriteTx,
    me: UserId,
    project: ProjectId,
    task: TaskId,
    title: &str,
    comment: TaskCommentId,
    body: &str,
    now: UtcMillis,
) -> Result<(), sqlx::Error> {
    let members = db::member_usernames(&mut **tx, project).await?;
    let mentioned: Vec<UserId> = mentions(body)
        .iter()
        .filter_map(|name| members.iter().find(|(_, member)| member == name.as_str()).map(|(id, _)| *id))
        .filter(|id| *id != me)
        .collect();
    let assignees: Vec<UserId> = project_tasks::assignee_ids(tx, task)
        .await?
        .into_iter()
        .filter(|id| *id != me && !mentioned.contains(id))
        .collect();
    if mentioned.is_empty() && assignees.is_empty() {
        return Ok(());
    }
    let name = actor_name(tx, me).await?;
    let link = task_link(project, task);
    let excerpt = excerpt(body);
    let text = format!("{excerpt}\n\n{}", project_body(tx, project).await?);
    let heading = format!("{name} mentioned you on “{title}”");
    let key = format!("task_comment:{comment}");
    for user in mentioned {
        tell(tx, user, NotificationKind::Mentioned, &heading, &text, &link, &key, now).await?;
    }
    let heading = format!("{name} commented on “{title}”");
    for user in assignees {
        tell(tx, user, NotificationKind::TaskComment, &heading, &text, &link, &key, now).await?;
    }
    Ok(())
}

fn excerpt(body: &str) -> String {
    let body = body.trim();
    match body.char_indices().nth(EXCERPT_MAX) {
        Some((end, _)) => format!("{}…", &body[..end]),
        None => body.to_string(),
    }
}

/// The comment and the caller's role, inside the transaction, or `NotFound`.
async fn existing(
    tx: &mut WriteTx,
    me: UserId,
    project: ProjectId,
    task: TaskId,
    comment: TaskCommentId,
) -> ProjectResult<(CommentRow, ProjectRole)> {
    let role = task_role_of(&mut **tx, me, project, task).await?;
    let row = db::get(&mut **tx, me, project, task, comment).await?.ok_or(ProjectError::NotFound)?;
    Ok((row, role))
}

pub async fn update(
    ctx: Context<'_>,
    me: UserId,
    project: ProjectId,
    task: TaskId,
    comment: TaskCommentId,
    patch: CommentPatch,
) -> ProjectResult<CommentDetail> {
    let mut tx = write_on(&ctx, project).await?;
    let (row, role) = existing(&mut tx, me, project, task, comment).await?;
    require_write(role)?;
    if row.author_id != Some(me) {
        return Err(ProjectError::Forbidden("Only its author may edit a comment."));
    }
    let body = comment_body(&patch.body)?;
    if body == row.body {
        // The same words again (a save without a change): not an edit.
        drop(tx);
        return read(ctx, me, project, task, comment).await;
    }
    db::update(&mut tx, task, comment, &body, ctx.now).await?;
    let title = project_tasks::get(&mut *tx, me, project, task).await?.ok_or(ProjectError::NotFound)?.title;
    let entry = activity(project, me, ActivityAction::CommentEdited, task, &title, serde_json::json!({}));
    project_activity::record(&mut *tx, &entry, ctx.now).await?;
    tx.commit().await?;
    read(ctx, me, project, task, comment).await
}

pub async fn delete(
    ctx: Context<'_>,
    me: UserId,
    project: ProjectId,
    task: TaskId,
    comment: TaskCommentId,
) -> ProjectResult<()> {
    let mut tx = write_on(&ctx, project).await?;
    // Their own words stay theirs to take back, even after a demotion to viewer.
    let (row, role) = existing(&mut tx, me, project, task, comment).await?;
    if row.author_id != Some(me) && !role.can_manage() {
        return Err(ProjectError::Forbidden("Only its author or an owner may delete a comment."));
    }
    db::delete(&mut tx, task, comment).await?;
    let title = project_tasks::get(&mut *tx, me, project, task).await?.ok_or(ProjectError::NotFound)?.title;
    let entry = activity(project, me, ActivityAction::CommentDeleted, task, &title, serde_json::json!({}));
    project_activity::record(&mut *tx, &entry, ctx.now).await?;
    tx.commit().await?;
    Ok(())
}
