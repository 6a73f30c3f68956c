//! Invitations to events. Someone who may write an event's calendar invites connected users
//! (`invite`); an invitee lists theirs and answers (`respond`), and the organiser
//! (`events.created_by`) is told of each answer; writers see every answer (`guests`) and
//! withdraw an invitation (`withdraw`). An invitation grants its invitee read access to that
//! event only while they are connected to the organiser (`calendar_access::event_access`).
//!
//! `notify_invitees` is what the event workflows call when an event an invitee may hold
//! changes time or is cancelled: every invitee who has not declined hears of it, in the same
//! transaction as the change.
//!
//! The names an invite request cannot reach (no such user, not a connection of both the caller
//! and the organiser, the caller or the organiser themselves) are all answered with the same
//! words, so the answer says nothing about who has an account.

use super::Context;
use super::calendars::{CalendarError, CalendarResult};
use crate::db::WriteTx;
use crate::db::calendar_access;
use crate::db::calendar_shares::shareable_user;
use crate::db::connections::name_of;
use crate::db::event_invitations::{self as db, GuestRow, InvitationRow};
use crate::db::notifications::delete_by_source;
use crate::domain::calendars::{EventAccess, NewInvitations, Problems, RsvpStatus, parse_invitees};
use crate::domain::id::{EventId, EventInvitationId, UserId};
use crate::domain::notifications::NotificationKind;
use crate::domain::time::UtcMillis;
use crate::service::calendar_shares::shown_name;
use crate::service::notifications::{Notice, notify};

/// Where invitation notifications take their reader.
pub const INVITATIONS_LINK: &str = "/calendar/invitations";
/// The one answer for every name that cannot be invited.
pub const NOT_INVITABLE: &str = "is not one of your connections";

/// What happened to an event its invitees should hear about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventChange {
    /// Its time (or an occurrence's time) changed.
    Rescheduled,
    /// It (or one occurrence) was cancelled. Call before deleting, while the invitations exist.
    Cancelled,
}

/// Tells every invitee of `event` who has not declined that it changed.
pub async fn notify_invitees(
    tx: &mut WriteTx,
    event: EventId,
    title: &str,
    change: EventChange,
    now: UtcMillis,
) -> Result<(), sqlx::Error> {
    let invitees = db::attending(tx, event).await?;
    let (kind, heading) = match change {
        EventChange::Rescheduled => (NotificationKind::EventUpdated, "Event changed"),
        EventChange::Cancelled => (NotificationKind::EventCancelled, "Event cancelled"),
    };
    let heading = format!("{heading}: {title}");
    for invitee in invitees {
        let notice = Notice {
            user_id: invitee,
            kind,
            title: &heading,
            body: "",
            link: Some(INVITATIONS_LINK),
            late: false,
            source_key: None,
        };
        notify(&mut **tx, &notice, now).await?;
    }
    Ok(())
}

fn invitation_key(id: EventInvitationId) -> String {
    format!("event_invitation:{id}")
}

/// The caller's calendar level on the event when it lets them write it; `NotFound` when they
/// cannot see the event, `Forbidden` when they see it only to read (or as an invitee).
async fn writer_of(tx: &mut WriteTx, me: UserId, event: EventId) -> CalendarResult<()> {
    let access = calendar_access::event_access(&mut **tx, me, event).await?.ok_or(CalendarError::NotFound)?;
    match access {
        EventAccess::Calendar(level) if level.can_write() => Ok(()),
        _ => Err(CalendarError::Forbidden("Only those who may change this event may manage its invitations.")),
    }
}

/// Invites the named users: all or none. Each must be an active user connected to both the
/// caller and the organiser; one already invited keeps their invitation and answer. New
/// invitees get an `event_invitation` notification. The invitations of the named users.
pub async fn invite(ctx: Context<'_>, me: UserId, body: NewInvitations) -> CalendarResult<Vec<GuestRow>> {
    let names = parse_invitees(&body.usernames)?;
    let mut tx = ctx.db.write().await?;
    writer_of(&mut tx, me, body.event_id).await?;
    let (title, organiser) = db::event_summary(&mut *tx, body.event_id).await?.ok_or(CalendarError::NotFound)?;
    let mut problems = Problems::default();
    let mut invitees = Vec::with_capacity(names.len());
    for (index, name) in &names {
        let found = match organiser {
            Some(organiser) => shareable_user(&mut *tx, name, organiser, me).await?,
            None => None,
        };
        match found {
            Some(user) => invitees.push(user),
            None => problems.add(&format!("usernames[{index}]"), NOT_INVITABLE),
        }
    }
    problems.into_result()?;
    let (username, display_name) = name_of(&mut *tx, me).await?.unwrap_or_default();
    let heading = format!("{} invited you to “{title}”", shown_name(&username, &display_name));
    for invitee in &invitees {
        let Some(id) = db::insert(&mut tx, body.event_id, *invitee, me, ctx.now.0).await? else { continue };
        let key = invitation_key(id);
        let notice = Notice {
            user_id: *invitee,
            kind: NotificationKind::EventInvitation,
            title: &heading,
            body: "Answer in the Calendar section: accept, maybe or decline.",
            link: Some(INVITATIONS_LINK),
            late: false,
            source_key: Some(&key),
        };
        notify(&mut *tx, &notice, ctx.now).await?;
    }
    let rows = db::guests(&mut tx, body.event_id, &invitees).await?;
    tx.commit().await?;
    Ok(rows)
}

/// One page of the caller's invitations (all statuses, or one).
pub async fn list(
    ctx: Context<'_>,
    me: UserId,
    status: Option<RsvpStatus>,
    limit: i64,
    offset: i64,
) -> CalendarResult<(Vec<InvitationRow>, i64)> {
    Ok(db::list_for_invitee(ctx.db.pool(), me, status.map(RsvpStatus::as_str), limit, offset).await?)
}

pub async fn get(ctx: Context<'_>, me: UserId, id: EventInvitationId) -> CalendarResult<InvitationRow> {
    db::get_for_invitee(ctx.db.pool(), me, id).await?.ok_or(CalendarError::NotFound)
}

/// The invitee answers; the organiser hears of a changed answer (`invitation_response`).
pub async fn respond(
    ctx: Context<'_>,
    me: UserId,
    id: EventInvitationId,
    status: RsvpStatus,
) -> CalendarResult<InvitationRow> {
    if status == RsvpStatus::Pending {
        let mut problems = Problems::default();
        problems.add("status", "must be accepted, tentative or declined");
        return Err(problems.into());
    }
    let mut tx = ctx.db.write().await?;
    let current = db::get_for_invitee(&mut *tx, me, id).await?.ok_or(CalendarError::NotFound)?;
    db::respond(&mut tx, id, status.as_str(), ctx.now.0).await?;
    if RsvpStatus::from_db(&current.status) != status
        && let Some(organiser) = current.organiser_id
        && organiser != me
    {
        let (username, display_name) = name_of(&mut *tx, me).await?.unwrap_or_default();
        let verb = match status {
            RsvpStatus::Accepted => "accepted",
            RsvpStatus::Tentative => "might come to",
            _ => "declined",
        };
        let heading = format!("{} {verb} “{}”", shown_name(&username, &display_name), current.title);
        let notice = Notice {
            user_id: organiser,
            kind: NotificationKind::InvitationResponse,
            title: &heading,
            body: "",
            link: Some("/calendar"),
            late: false,
            source_key: None,
        };
        notify(&mut *tx, &notice, ctx.now).await?;
    }
    crate::db::notifications::mark_read_by_source(&mut *tx, me, &invitation_key(id), ctx.now.0).await?;
    let row = db::get_for_invitee(&mut *tx, me, id).await?.ok_or(CalendarError::NotFound)?;
    tx.commit().await?;
    Ok(row)
}

/// Every invitation of an event with its answer, for those who may write the event.
pub async fn guests(
    ctx: Context<'_>,
    me: UserId,
    event: EventId,
    limit: i64,
    offset: i64,
) -> CalendarResult<(Vec<GuestRow>, i64)> {
    let access = calendar_access::event_access(ctx.db.pool(), me, event).await?.ok_or(CalendarError::NotFound)?;
    if access.writer().is_none() {
        return Err(CalendarError::Forbidden("Only those who may change this event see its invitations."));
    }
    Ok(db::list_for_event(ctx.db.pool(), event, limit, offset).await?)
}

/// A writer of the event withdraws an invitation; the invitee's notification of it goes too.
/// The invitee sees it (403: they answer it instead); anyone else gets `NotFound`.
pub async fn withdraw(ctx: Context<'_>, me: UserId, id: EventInvitationId) -> CalendarResult<()> {
    let mut tx = ctx.db.write().await?;
    let (event, invitee) = db::parties(&mut *tx, id).await?.ok_or(CalendarError::NotFound)?;
    if invitee == me {
        if db::get_for_invitee(&mut *tx, me, id).await?.is_none() {
            return Err(CalendarError::NotFound);
        }
        return Err(CalendarError::Forbidden("Answer the invitation instead: decline it."));
    }
    match calendar_access::event_access(&mut *tx, me, event).await? {
        Some(EventAccess::Calendar(level)) if level.can_write() => {}
        // Readers of the calendar never see its invitations.
        _ => return Err(CalendarError::NotFound),
    }
    db::delete(&mut tx, id).await?;
    delete_by_source(&mut *tx, invitee, &invitation_key(id)).await?;
    tx.commit().await?;
    Ok(())
}
