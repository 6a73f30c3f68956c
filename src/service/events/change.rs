//! Changing and deleting events. A single event changes as a whole; a series needs a scope:
//! `this` (one occurrence: an override, or an exdate on delete), `following` (the series is
//! split: the old part ends before the occurrence, a new series with a new UID starts at it)
//! or `all` (the whole series; overrides that no longer fit the new rule are dropped and
//! reported). Invitees hear of time changes and cancellations in the same transaction; a
//! split carries them, with their answers, to the new series.

use super::{
    EventDetail, EventError, EventResult, calendar_writer, check_location, detail_in, event_writer, new_uid,
    override_state_of, override_values_of, overrides_for_expansion, state_of, values_of,
};
use crate::db::WriteTx;
use crate::db::calendar_changes::{self, ChangeKind};
use crate::db::dav_names;
use crate::db::event_invitations as invitations;
use crate::db::events::{self as db, EventRow, OverrideRow};
use crate::domain::calendars::CalendarLevel;
use crate::domain::events::expand::{Override, is_occurrence};
use crate::domain::events::scope::{OverrideState, Scope, patched_override, patched_state, split_rule};
use crate::domain::events::{EXDATES_MAX, EventPatch, EventState, parse_recurrence_id};
use crate::domain::id::{EventId, UserId};
use crate::domain::time::UtcMillis;
use crate::service::Context;
use crate::service::event_invitations::{EventChange, notify_invitees};

/// What a request names: the scope and the occurrence, as the query string gave them.
#[derive(Debug, Clone, Default)]
pub struct Target<'a> {
    pub scope: Option<&'a str>,
    pub recurrence_id: Option<&'a str>,
}

/// The scope a change applies to, checked against the event: a series needs one; `this` and
/// `following` need a `recurrence_id` naming one of its occurrences.
#[derive(Debug, Clone, Copy)]
enum Resolved {
    Whole,
    This(i64),
    Following(i64),
}

fn resolve(target: &Target<'_>, state: &EventState, overrides: &[OverrideRow]) -> EventResult<Resolved> {
    let scope = match target.scope {
        None => None,
        Some(text) => {
            Some(Scope::parse(text).ok_or_else(|| EventError::invalid("scope", "must be this, following or all"))?)
        }
    };
    if state.recurrence.is_none() {
        return match scope {
            None | Some(Scope::All) => Ok(Resolved::Whole),
            Some(_) => Err(EventError::invalid("scope", "this and following are only for repeating events")),
        };
    }
    let scope = scope
        .ok_or_else(|| EventError::invalid("scope", "is required for a repeating event: this, following or all"))?;
    if scope == Scope::All {
        return Ok(Resolved::Whole);
    }
    let all_day = state.timing.is_all_day();
    let text = target
        .recurrence_id
        .ok_or_else(|| EventError::invalid("recurrence_id", "is required with scope this or following"))?;
    let form = if all_day { "a date written YYYY-MM-DD" } else { "an RFC 3339 date and time" };
    let rid = parse_recurrence_id(text, all_day)
        .ok_or_else(|| EventError::invalid("recurrence_id", format!("must be {form} (this series' recurrence ids)")))?;
    let overridden = overrides.iter().any(|o| o.recurrence_id == rid);
    if !overridden && !is_occurrence(&state.series(), rid) {
        return Err(EventError::invalid("recurrence_id", "is not an occurrence of this event"));
    }
    Ok(if scope == Scope::This { Resolved::This(rid) } else { Resolved::Following(rid) })
}

/// Loads the event for a change: the caller's write level (404/403), the row locked, its
/// state and overrides.
async fn load(tx: &mut WriteTx, user: UserId, id: EventId) -> EventResult<(CalendarLevel, EventRow, Vec<OverrideRow>)> {
    let level = event_writer(tx, user, id).await?;
    let row = db::get_for_update(tx, id).await?.ok_or(EventError::NotFound)?;
    let overrides = db::overrides(&mut **tx, id).await?;
    Ok((level, row, overrides))
}

pub async fn update(
    ctx: Context<'_>,
    user: UserId,
    id: EventId,
    target: Target<'_>,
    patch: EventPatch,
) -> EventResult<EventDetail> {
    let mut tx = ctx.db.write().await?;
    let (level, row, overrides) = load(&mut tx, user, id).await?;
    let current = state_of(&row);
    let detail = match resolve(&target, &current, &overrides)? {
        Resolved::Whole => update_whole(&mut tx, ctx.now, user, level, &row, &overrides, patch).await?,
        Resolved::This(rid) => update_this(&mut tx, ctx.now, level, &row, &overrides, rid, patch).await?,
        Resolved::Following(rid) if rid == current.timing.recurrence_id() => {
            update_whole(&mut tx, ctx.now, user, level, &row, &overrides, patch).await?
        }
        Resolved::Following(rid) => update_following(&mut tx, ctx.now, user, &row, &overrides, rid, patch).await?,
    };
    tx.commit().await?;
    Ok(detail)
}

/// Splits overrides into those that are still occurrences of `state` and the recurrence ids
/// of those that are not.
fn fitting(state: &EventState, overrides: &[OverrideRow]) -> (Vec<OverrideRow>, Vec<i64>) {
    let mut kept = Vec::new();
    let mut dropped = Vec::new();
    for row in overrides {
        if state.recurrence.is_some() && is_occurrence(&state.series(), row.recurrence_id) {
            kept.push(row.clone());
        } else {
            dropped.push(row.recurrence_id);
        }
    }
    (kept, dropped)
}

/// Exdates that no longer name an occurrence of the rule are forgotten.
fn fitting_exdates(state: &mut EventState) {
    let exdates = std::mem::take(&mut state.exdates);
    let series = state.series();
    let kept = exdates.into_iter().filter(|rid| is_occurrence(&series, *rid)).collect();
    state.exdates = kept;
}

/// Checks the references a patch set (a calendar to move to, a location) and answers whether
/// the event moves to another calendar.
async fn check_references(
    tx: &mut WriteTx,
    user: UserId,
    before: &EventState,
    after: &EventState,
) -> EventResult<bool> {
    let moved = after.calendar_id != before.calendar_id;
    if moved {
        calendar_writer(tx, user, after.calendar_id).await?;
    }
    if after.location_id != before.location_id {
        check_location(tx, user, after.location_id).await?;
    }
    Ok(moved)
}

fn time_changed(before: &EventState, after: &EventState) -> bool {
    before.timing != after.timing || before.recurrence != after.recurrence || before.exdates != after.exdates
}

async fn update_whole(
    tx: &mut WriteTx,
    now: UtcMillis,
    user: UserId,
    level: CalendarLevel,
    row: &EventRow,
    overrides: &[OverrideRow],
    patch: EventPatch,
) -> EventResult<EventDetail> {
    let current = state_of(row);
    let mut next = patched_state(&current, patch)?;
    let moved = check_references(tx, user, &current, &next).await?;
    let (kept, dropped) =
        if time_changed(&current, &next) { fitting(&next, overrides) } else { (overrides.to_vec(), Vec::new()) };
    if next.recurrence.is_some() && (next.timing != current.timing || next.recurrence != current.recurrence) {
        fitting_exdates(&mut next);
    }
    for rid in &dropped {
        db::delete_override(tx, row.id, *rid).await?;
    }
    if moved {
        // Before the move: the old calendar's log keeps the name its clients know it by.
        calendar_changes::record(tx, current.calendar_id, &row.uid, ChangeKind::Deleted, now.0).await?;
        dav_names::before_move(tx, row.id, next.calendar_id).await?;
    }
    db::update(tx, row.id, &values_of(&next, &overrides_for_expansion(&kept)), now.0).await?;
    if moved {
        // Its name may be another event's in the new calendar: then it gets one of its own.
        dav_names::settle_event(tx, row.id).await?;
        calendar_changes::record(tx, next.calendar_id, &row.uid, ChangeKind::Created, now.0).await?;
    } else {
        calendar_changes::record(tx, next.calendar_id, &row.uid, ChangeKind::Changed, now.0).await?;
    }
    if time_changed(&current, &next) {
        notify_invitees(tx, row.id, &next.title, EventChange::Rescheduled, now).await?;
    }
    let level = if moved { calendar_writer(tx, user, next.calendar_id).await? } else { level };
    detail_in(tx, row.id, level, dropped).await
}

async fn update_this(
    tx: &mut WriteTx,
    now: UtcMillis,
    level: CalendarLevel,
    row: &EventRow,
    overrides: &[OverrideRow],
    rid: i64,
    patch: EventPatch,
) -> EventResult<EventDetail> {
    let current = state_of(row);
    // Every override costs each read of the series: a series keeps at most as many as exdates.
    if overrides.len() >= EXDATES_MAX && !overrides.iter().any(|o| o.recurrence_id == rid) {
        return Err(EventError::invalid(
            "recurrence_id",
            format!("a series keeps at most {EXDATES_MAX} changed occurrences"),
        ));
    }
    let before = overrides
        .iter()
        .find(|o| o.recurrence_id == rid)
        .map_or_else(|| OverrideState::of_occurrence(&current, rid), override_state_of);
    let after = patched_override(&before, patch)?;
    db::put_override(tx, row.id, rid, &override_values_of(&after), now.0).await?;
    let mut all: Vec<Override> =
        overrides_for_expansion(overrides).into_iter().filter(|o| o.recurrence_id != rid).collect();
    all.push(Override { recurrence_id: rid, timing: after.timing });
    // The series' row changes only by its span and revision (the ETag covers overrides).
    db::update(tx, row.id, &values_of(&current, &all), now.0).await?;
    calendar_changes::record(tx, current.calendar_id, &row.uid, ChangeKind::Changed, now.0).await?;
    if after.timing != before.timing {
        notify_invitees(tx, row.id, &after.title, EventChange::Rescheduled, now).await?;
    }
    detail_in(tx, row.id, level, Vec::new()).await
}

/// Ends the series before `rid` and starts a new one there with the patch applied. The new
/// series keeps the exdates and overrides from `rid` on that still fit it, the organiser, and
/// the invitations with their answers.
async fn update_following(
    tx: &mut WriteTx,
    now: UtcMillis,
    user: UserId,
    row: &EventRow,
    overrides: &[OverrideRow],
    rid: i64,
    patch: EventPatch,
) -> EventResult<EventDetail> {
    let current = state_of(row);
    let rule = current.recurrence.clone().ok_or(EventError::NotFound)?;
    let (old_rule, new_rule) = split_rule(&rule, &current.series(), rid);
    let mut new_base = current.clone();
    new_base.timing = current.timing.moved_to(rid);
    new_base.recurrence = Some(new_rule);
    new_base.exdates = current.exdates.iter().copied().filter(|x| *x >= rid).collect();
    let mut next = patched_state(&new_base, patch)?;
    check_references(tx, user, &current, &next).await?;
    if next.timing != new_base.timing || next.recurrence != new_base.recurrence {
        fitting_exdates(&mut next);
    }
    let (earlier, later): (Vec<OverrideRow>, Vec<OverrideRow>) =
        overrides.iter().cloned().partition(|o| o.recurrence_id < rid);
    let (carried, dropped) = fitting(&next, &later);

    let mut old = current.clone();
    old.recurrence = Some(old_rule);
    old.exdates.retain(|x| *x < rid);
    for o in &later {
        db::delete_override(tx, row.id, o.recurrence_id).await?;
    }
    db::update(tx, row.id, &values_of(&old, &overrides_for_expansion(&earlier)), now.0).await?;
    calendar_changes::record(tx, old.calendar_id, &row.uid, ChangeKind::Changed, now.0).await?;

    // To its invitees the new series is the rest of the event they answered: it keeps the
    // organiser (an invitation shows only while its invitee is connected to them) and every
    // invitation with its answer, as calendar programs keep attendees' answers on a split.
    let uid = new_uid();
    let organiser = row.created_by.unwrap_or(user);
    let new_id = db::insert(tx, &uid, &values_of(&next, &overrides_for_expansion(&carried)), organiser, now.0).await?;
    for o in &carried {
        db::put_override(tx, new_id, o.recurrence_id, &override_values_of(&override_state_of(o)), now.0).await?;
    }
    if row.created_by.is_some() {
        // Without an organiser (their account is gone) the invitations show nowhere; copied
        // under the editor they would come back to life for whoever knows the editor.
        invitations::copy(tx, row.id, new_id).await?;
    }
    calendar_changes::record(tx, next.calendar_id, &uid, ChangeKind::Created, now.0).await?;
    // Once, by the series that had them: both halves have the same invitees, one change.
    notify_invitees(tx, row.id, &next.title, EventChange::Rescheduled, now).await?;
    let level = calendar_writer(tx, user, next.calendar_id).await?;
    detail_in(tx, new_id, level, dropped).await
}

pub async fn delete(ctx: Context<'_>, user: UserId, id: EventId, target: Target<'_>) -> EventResult<()> {
    let now = ctx.now;
    let mut tx = ctx.db.write().await?;
    let (_level, row, overrides) = load(&mut tx, user, id).await?;
    let current = state_of(&row);
    match resolve(&target, &current, &overrides)? {
        Resolved::Whole => delete_whole(&mut tx, now, &row).await?,
        Resolved::Following(rid) if rid == current.timing.recurrence_id() => delete_whole(&mut tx, now, &row).await?,
        Resolved::This(rid) => {
            if current.exdates.len() >= EXDATES_MAX {
                return Err(EventError::invalid(
                    "recurrence_id",
                    format!("a series keeps at most {EXDATES_MAX} deleted occurrences"),
                ));
            }
            let mut next = current.clone();
            next.exdates.push(rid);
            next.exdates.sort_unstable();
            next.exdates.dedup();
            db::delete_override(&mut tx, row.id, rid).await?;
            let rest: Vec<Override> =
                overrides_for_expansion(&overrides).into_iter().filter(|o| o.recurrence_id != rid).collect();
            db::update(&mut tx, row.id, &values_of(&next, &rest), now.0).await?;
            calendar_changes::record(&mut tx, current.calendar_id, &row.uid, ChangeKind::Changed, now.0).await?;
            notify_invitees(&mut tx, row.id, &current.title, EventChange::Cancelled, now).await?;
        }
        Resolved::Following(rid) => {
            let rule = current.recurrence.clone().ok_or(EventError::NotFound)?;
            let (old_rule, _) = split_rule(&rule, &current.series(), rid);
            let mut next = current.clone();
            next.recurrence = Some(old_rule);
            next.exdates.retain(|x| *x < rid);
            let (earlier, later): (Vec<OverrideRow>, Vec<OverrideRow>) =
                overrides.iter().cloned().partition(|o| o.recurrence_id < rid);
            for o in &later {
                db::delete_override(&mut tx, row.id, o.recurrence_id).await?;
            }
            db::update(&mut tx, row.id, &values_of(&next, &overrides_for_expansion(&earlier)), now.0).await?;
            calendar_changes::record(&mut tx, current.calendar_id, &row.uid, ChangeKind::Changed, now.0).await?;
            notify_invitees(&mut tx, row.id, &current.title, EventChange::Cancelled, now).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Deletes the event with its overrides; invitees hear first, while their invitations exist.
async fn delete_whole(tx: &mut WriteTx, now: UtcMillis, row: &EventRow) -> EventResult<()> {
    notify_invitees(tx, row.id, &row.title, EventChange::Cancelled, now).await?;
    calendar_changes::record(tx, row.calendar_id, &row.uid, ChangeKind::Deleted, now.0).await?;
    db::delete(tx, row.id).await?;
    Ok(())
}
