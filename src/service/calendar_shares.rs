//! The sharing workflows. The owner or a manager offers a calendar to a user connected to both
//! the owner and themselves (anyone else — nobody by that name, not a connection, the owner,
//! the sharer — gets the same `NotFound`, so the answer reveals no account); the member accepts
//! or declines; the owner and managers change levels and revoke; the member leaves. Nothing is
//! cached: the `calendar_members` view reads the share (and the connection) on every request,
//! so every change takes effect on the member's very next one.
//!
//! Who may touch a share: its member (while connected to the owner) and whoever manages its
//! calendar. Anyone else gets `NotFound`. Managers look after read and write members only
//! (`domain::calendars::may_administer`).

use super::Context;
use super::calendars::{CalendarError, CalendarResult, level_of};
use crate::db::WriteTx;
use crate::db::calendar_access;
use crate::db::calendar_shares::{self as db, ShareRow};
use crate::db::connections::name_of;
use crate::db::notifications::{delete_by_source, mark_read_by_source};
use crate::domain::calendars::{CalendarLevel, NewShare, Problems, ShareDirection, ShareLevel, may_administer};
use crate::domain::connections::parse_username;
use crate::domain::id::{CalendarShareId, UserId};
use crate::domain::notifications::NotificationKind;
use crate::service::notifications::{Notice, notify};

/// Where the share notification takes its reader.
pub const SHARES_LINK: &str = "/calendar";

fn share_key(id: CalendarShareId) -> String {
    format!("calendar_share:{id}")
}

/// "Display Name (username)", or the username alone.
pub(crate) fn shown_name(username: &str, display_name: &str) -> String {
    let display_name = display_name.trim();
    if display_name.is_empty() { username.to_string() } else { format!("{display_name} ({username})") }
}

/// How the caller stands to a share.
enum Role {
    /// The share is theirs (they are its member).
    Member,
    /// They manage its calendar at this level.
    Manager(CalendarLevel),
}

/// The share and the caller's role, or `NotFound` for anyone else.
async fn role_of(tx: &mut WriteTx, me: UserId, id: CalendarShareId) -> CalendarResult<(ShareRow, Role)> {
    let share = db::get(&mut **tx, id).await?.ok_or(CalendarError::NotFound)?;
    if share.member_id == me {
        return if db::visible_to_member(&mut **tx, me, id).await? {
            Ok((share, Role::Member))
        } else {
            Err(CalendarError::NotFound)
        };
    }
    match calendar_access::calendar_level(&mut **tx, me, share.calendar_id).await? {
        Some(level) if level.can_manage() => Ok((share, Role::Manager(level))),
        _ => Err(CalendarError::NotFound),
    }
}

fn stored_level(share: &ShareRow) -> ShareLevel {
    ShareLevel::parse(&share.level).unwrap_or(ShareLevel::Read)
}

/// Offers a calendar. The calendar must be one the caller manages (not visible: `NotFound`;
/// visible but read or write: `Forbidden`); the user must be connected to the owner and the
/// caller; a user who already has a share of it is a `Conflict`.
pub async fn share(ctx: Context<'_>, me: UserId, body: NewShare) -> CalendarResult<ShareRow> {
    let name = parse_username(&body.username).map_err(|(field, message)| {
        let mut problems = Problems::default();
        problems.add(&field, message);
        CalendarError::Invalid(problems)
    })?;
    let mut tx = ctx.db.write().await?;
    let level = level_of(&mut *tx, me, body.calendar_id).await?;
    if !level.can_manage() {
        return Err(CalendarError::Forbidden("Only the owner and managers may share this calendar."));
    }
    if body.level.level() > level {
        return Err(CalendarError::Forbidden("You cannot grant more than you hold."));
    }
    let owner = crate::db::calendars::values(&mut *tx, body.calendar_id).await?.ok_or(CalendarError::NotFound)?.2;
    let member = db::shareable_user(&mut *tx, name.as_str(), owner, me).await?.ok_or(CalendarError::NotFound)?;
    let id = db::insert(&mut tx, body.calendar_id, member, me, body.level.as_str(), ctx.now.0)
        .await?
        .ok_or(CalendarError::Conflict("That user already has this calendar shared with them."))?;
    let row = db::get(&mut *tx, id).await?.ok_or(CalendarError::NotFound)?;
    let (username, display_name) = name_of(&mut *tx, me).await?.unwrap_or_default();
    let title =
        format!("{} shared the calendar “{}” with you", shown_name(&username, &display_name), row.calendar_name);
    let key = share_key(id);
    let notice = Notice {
        user_id: member,
        kind: NotificationKind::CalendarShared,
        title: &title,
        body: "Accept or decline it in the Calendar section.",
        link: Some(SHARES_LINK),
        late: false,
        source_key: Some(&key),
    };
    notify(&mut *tx, &notice, ctx.now).await?;
    tx.commit().await?;
    Ok(row)
}

pub async fn list(
    ctx: Context<'_>,
    me: UserId,
    direction: ShareDirection,
    limit: i64,
    offset: i64,
) -> CalendarResult<(Vec<ShareRow>, i64)> {
    Ok(match direction {
        ShareDirection::Incoming => db::list_incoming(ctx.db.pool(), me, limit, offset).await?,
        ShareDirection::Outgoing => db::list_outgoing(ctx.db.pool(), me, limit, offset).await?,
    })
}

/// The member accepts; the calendar is theirs to see from the next request on.
pub async fn accept(ctx: Context<'_>, me: UserId, id: CalendarShareId) -> CalendarResult<ShareRow> {
    let mut tx = ctx.db.write().await?;
    let (_, role) = role_of(&mut tx, me, id).await?;
    if !matches!(role, Role::Member) {
        return Err(CalendarError::Forbidden("Only the user it is shared with may accept it."));
    }
    db::accept(&mut tx, id, ctx.now.0).await?;
    mark_read_by_source(&mut *tx, me, &share_key(id), ctx.now.0).await?;
    let row = db::get(&mut *tx, id).await?.ok_or(CalendarError::NotFound)?;
    tx.commit().await?;
    Ok(row)
}

/// The member declines (or, once accepted, leaves): the share is deleted.
pub async fn decline(ctx: Context<'_>, me: UserId, id: CalendarShareId) -> CalendarResult<()> {
    let mut tx = ctx.db.write().await?;
    let (_, role) = role_of(&mut tx, me, id).await?;
    if !matches!(role, Role::Member) {
        return Err(CalendarError::Forbidden("Only the user it is shared with may decline it."));
    }
    db::delete(&mut tx, id).await?;
    delete_by_source(&mut *tx, me, &share_key(id)).await?;
    tx.commit().await?;
    Ok(())
}

/// The owner or a manager changes the level.
pub async fn set_level(
    ctx: Context<'_>,
    me: UserId,
    id: CalendarShareId,
    level: ShareLevel,
) -> CalendarResult<ShareRow> {
    let mut tx = ctx.db.write().await?;
    let (share, role) = role_of(&mut tx, me, id).await?;
    let Role::Manager(mine) = role else {
        return Err(CalendarError::Forbidden("Only the owner and managers may change a share's level."));
    };
    if !may_administer(mine, stored_level(&share), Some(level)) {
        return Err(CalendarError::Forbidden("Managers may change read and write shares only, up to manage."));
    }
    db::set_level(&mut tx, id, level.as_str()).await?;
    let row = db::get(&mut *tx, id).await?.ok_or(CalendarError::NotFound)?;
    tx.commit().await?;
    Ok(row)
}

/// The owner or a manager revokes it, or the member leaves.
pub async fn revoke(ctx: Context<'_>, me: UserId, id: CalendarShareId) -> CalendarResult<()> {
    let mut tx = ctx.db.write().await?;
    let (share, role) = role_of(&mut tx, me, id).await?;
    if let Role::Manager(mine) = role
        && !may_administer(mine, stored_level(&share), None)
    {
        return Err(CalendarError::Forbidden("Managers may revoke read and write shares only."));
    }
    db::delete(&mut tx, id).await?;
    delete_by_source(&mut *tx, share.member_id, &share_key(id)).await?;
    tx.commit().await?;
    Ok(())
}
