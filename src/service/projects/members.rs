//! Project members: owners add people from their accepted connections, change roles, remove
//! members and hand over ownership; any member may leave. A project always keeps an owner:
//! demoting, removing or the leaving of the last one is a `Conflict`. Every change runs in one
//! write transaction with the project locked (`db::projects::lock`), writes its activity
//! entry there, and a removal takes the member's task assignments with it. The role is read
//! from the database on every request, so a change takes effect on the member's next one.

use serde_json::json;

use super::{ProjectError, ProjectResult, invalid, require_manage, role_of, write_on};
use crate::db::WriteTx;
use crate::db::project_activity::{self, NewActivity};
use crate::db::project_members::{self as db, MemberRow};
use crate::domain::id::{ProjectId, ProjectMemberId, UserId};
use crate::domain::projects::{ActivityAction, MemberPatch, NewMember, ProjectRole, Transfer};
use crate::domain::username::Username;
use crate::service::Context;

/// The one answer for every name that is not an accepted connection (a stranger, a pending
/// request, a made-up name, the caller), so it reveals nothing about other accounts.
const NOT_A_CONNECTION: &str = "is not one of your connections";
const LAST_OWNER: &str = "A project must keep an owner: make another member an owner first.";

async fn record(
    tx: &mut WriteTx,
    me: UserId,
    action: ActivityAction,
    member: &MemberRow,
    role: ProjectRole,
    ctx: &Context<'_>,
) -> ProjectResult<()> {
    let entry = NewActivity {
        project_id: member.project_id,
        actor_id: me,
        action,
        task_id: None,
        task_title: None,
        detail: json!({ "username": member.username, "role": role.as_str() }),
    };
    project_activity::record(&mut **tx, &entry, ctx.now).await?;
    Ok(())
}

/// Opens the change: the caller's role (`NotFound` for a non-member) with the project locked.
async fn begin(ctx: &Context<'_>, me: UserId, project: ProjectId) -> ProjectResult<(WriteTx, ProjectRole)> {
    let mut tx = write_on(ctx, project).await?;
    let role = role_of(&mut *tx, me, project).await?;
    Ok((tx, role))
}

async fn member(tx: &mut WriteTx, project: ProjectId, id: ProjectMemberId) -> ProjectResult<MemberRow> {
    db::get(&mut **tx, project, id).await?.ok_or(ProjectError::NotFound)
}

/// Whether `member` is the project's only owner.
async fn is_last_owner(tx: &mut WriteTx, member: &MemberRow) -> ProjectResult<bool> {
    Ok(member.role() == ProjectRole::Owner && db::owner_count(&mut **tx, member.project_id).await? <= 1)
}

/// Any member reads the members, owners first.
pub async fn list(
    ctx: Context<'_>,
    me: UserId,
    project: ProjectId,
    limit: i64,
    offset: i64,
) -> ProjectResult<(Vec<MemberRow>, i64)> {
    role_of(ctx.db.pool(), me, project).await?;
    Ok(db::list(ctx.db.pool(), me, project, limit, offset).await?)
}

/// Owners add one of their accepted connections.
pub async fn add(ctx: Context<'_>, me: UserId, project: ProjectId, body: NewMember) -> ProjectResult<MemberRow> {
    let (mut tx, role) = begin(&ctx, me, project).await?;
    require_manage(role)?;
    let name = Username::parse(&body.username).map_err(|_| invalid("username", NOT_A_CONNECTION))?;
    let user =
        db::connected_user(&mut *tx, me, name.as_str()).await?.ok_or_else(|| invalid("username", NOT_A_CONNECTION))?;
    let id = db::insert(&mut *tx, project, user, body.role, me, ctx.now.0)
        .await?
        .ok_or(ProjectError::Conflict("That user is already a member of this project."))?;
    let row = member(&mut tx, project, id).await?;
    record(&mut tx, me, ActivityAction::MemberAdded, &row, body.role, &ctx).await?;
    tx.commit().await?;
    Ok(row)
}

/// Owners change a member's role; the last owner cannot stop being one.
pub async fn set_role(
    ctx: Context<'_>,
    me: UserId,
    project: ProjectId,
    id: ProjectMemberId,
    body: MemberPatch,
) -> ProjectResult<MemberRow> {
    let (mut tx, role) = begin(&ctx, me, project).await?;
    require_manage(role)?;
    let row = member(&mut tx, project, id).await?;
    if row.role() == body.role {
        return Ok(row);
    }
    if body.role != ProjectRole::Owner && is_last_owner(&mut tx, &row).await? {
        return Err(ProjectError::Conflict(LAST_OWNER));
    }
    db::set_role(&mut *tx, project, id, body.role).await?;
    record(&mut tx, me, ActivityAction::MemberRoleChanged, &row, body.role, &ctx).await?;
    let row = member(&mut tx, project, id).await?;
    tx.commit().await?;
    Ok(row)
}

/// Owners remove anyone; any member removes themselves (leaves). Their task assignments in
/// the project go in the same transaction. The last owner can do neither.
pub async fn remove(ctx: Context<'_>, me: UserId, project: ProjectId, id: ProjectMemberId) -> ProjectResult<()> {
    let (mut tx, role) = begin(&ctx, me, project).await?;
    let row = member(&mut tx, project, id).await?;
    let leaving = row.user_id == me;
    if !leaving {
        require_manage(role)?;
    }
    if is_last_owner(&mut tx, &row).await? {
        return Err(ProjectError::Conflict(LAST_OWNER));
    }
    db::delete(&mut tx, project, &row).await?;
    let action = if leaving { ActivityAction::MemberLeft } else { ActivityAction::MemberRemoved };
    record(&mut tx, me, action, &row, row.role(), &ctx).await?;
    tx.commit().await?;
    Ok(())
}

/// Owners hand the project over: the member becomes an owner and the caller an editor, in one
/// transaction. Returns the members afterwards (all of them, owners first).
pub async fn transfer(
    ctx: Context<'_>,
    me: UserId,
    project: ProjectId,
    body: Transfer,
    limit: i64,
) -> ProjectResult<(Vec<MemberRow>, i64)> {
    let (mut tx, role) = begin(&ctx, me, project).await?;
    require_manage(role)?;
    // An id in the body that is not a member of this project is a field error, like any
    // other id in a body; the caller already knows the project.
    let target = db::get(&mut *tx, project, body.member_id)
        .await?
        .ok_or_else(|| invalid("member_id", "is not a member of this project"))?;
    if target.user_id == me {
        return Err(invalid("member_id", "choose another member: you are an owner already"));
    }
    let mine = db::of_user(&mut *tx, project, me).await?.ok_or(ProjectError::NotFound)?;
    db::set_role(&mut *tx, project, target.id, ProjectRole::Owner).await?;
    db::set_role(&mut *tx, project, mine.id, ProjectRole::Editor).await?;
    record(&mut tx, me, ActivityAction::OwnershipTransferred, &target, ProjectRole::Owner, &ctx).await?;
    tx.commit().await?;
    Ok(db::list(ctx.db.pool(), me, project, limit, 0).await?)
}

/// Part of deleting `user`'s account (`service::users::delete_user`, in its transaction):
/// each project they own alone passes to its longest-standing other member (the feed says
/// so, the actor being the departing account, shown as a former member once it is gone);
/// projects nobody else belongs to are deleted. Their memberships and assignments elsewhere
/// go by the foreign keys.
pub async fn hand_over_projects_of(
    tx: &mut WriteTx,
    user: UserId,
    now: crate::domain::time::UtcMillis,
) -> Result<(), sqlx::Error> {
    for successor in db::hand_over_projects_of(tx, user).await? {
        let entry = NewActivity {
            project_id: successor.project_id,
            actor_id: user,
            action: ActivityAction::OwnershipTransferred,
            task_id: None,
            task_title: None,
            detail: json!({ "username": successor.username, "role": ProjectRole::Owner.as_str() }),
        };
        project_activity::record(&mut **tx, &entry, now).await?;
    }
    Ok(())
}
