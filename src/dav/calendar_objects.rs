//! A calendar's events as a CalDAV calendar collection, for any calendar the user can read:
//! writes need a write share or better (else `DavError::ReadOnly`). An object is one event
//! (a single one, or a series with its RECURRENCE-ID overrides) as the export writes it,
//! named `<uid>.ics` or the name a client chose (`dav_name`); its ETag is the revision.
//! Writes go the import's way (`db::calendar_ics`, the same conversion), in one write
//! transaction with the change-log record, so the API, the UI, range reads and sync see them
//! at once; deletes tell invitees, as the API's delete does, and so does a PUT that moves
//! the event (`reschedule`), as the API's update does.

use std::collections::{HashMap, HashSet};

use chrono_tz::Tz;

use super::auth::DavAccount;
use super::calendar_text::{Allowance, EXTRA_MAX_BYTES, expanded, fit_kept, same_alerts};
use super::per_user::{made_meanwhile, uid_taken};
use super::reschedule;
use super::store::{DavError, DavResult, Delta, ObjectMeta, Precondition, PutOutcome, StoredObject};
use crate::db::calendar_changes::{self, ChangeKind};
use crate::db::calendar_ics::OverrideWrite;
use crate::db::dav_events::{self as db, DavEventRow, EventMeta, OverrideKept};
use crate::db::{calendar_access, calendar_ics, events};
use crate::domain::calendars::CalendarLevel;
use crate::domain::ical::{self, CalendarHead, IcsEvent, Kept};
use crate::domain::id::{CalendarId, EventId};
use crate::service::Context;
use crate::service::event_invitations::{EventChange, notify_invitees};
use crate::service::ical::convert;

/// A strong ETag: the event's id and revision. The id keeps a new event under a deleted
/// one's name from repeating its tag (revisions start at 1 again), so a stale `If-Match`
/// cannot overwrite it.
pub fn etag(id: EventId, revision: i64) -> String {
    format!("\"{}-{revision}\"", id.0)
}

fn meta(m: &EventMeta) -> ObjectMeta {
    ObjectMeta { name: name_of(&m.uid, m.dav_name.as_deref()), etag: etag(m.id, m.revision) }
}

fn name_of(uid: &str, dav_name: Option<&str>) -> String {
    dav_name.map_or_else(|| format!("{uid}.ics"), str::to_string)
}

async fn level(ctx: &Context<'_>, account: &DavAccount, calendar: CalendarId) -> DavResult<CalendarLevel> {
    calendar_access::calendar_level(ctx.db.pool(), account.user_id, calendar).await?.ok_or(DavError::NotFound)
}

fn invalid(precondition: &'static str, detail: impl Into<String>) -> DavError {
    DavError::Invalid { precondition: Some(precondition), detail: detail.into() }
}

pub async fn list(ctx: Context<'_>, account: &DavAccount, calendar: CalendarId) -> DavResult<Vec<ObjectMeta>> {
    level(&ctx, account, calendar).await?;
    Ok(db::metas(ctx.db.pool(), calendar).await?.iter().map(meta).collect())
}

/// The objects with an occurrence (by span) in `[start, end)`; an open end is unbounded.
pub async fn in_range(
    ctx: Context<'_>,
    account: &DavAccount,
    calendar: CalendarId,
    start: Option<i64>,
    end: Option<i64>,
) -> DavResult<Vec<ObjectMeta>> {
    level(&ctx, account, calendar).await?;
    let found = db::metas_in_range(ctx.db.pool(), calendar, start.unwrap_or(i64::MIN), end.unwrap_or(i64::MAX)).await?;
    Ok(found.iter().map(meta).collect())
}

/// The named events as stored rows and iCalendar values, in the same order, with the client
/// text kept for them (`with_kept`).
async fn load(ctx: &Context<'_>, calendar: CalendarId, names: &[String]) -> DavResult<Vec<(DavEventRow, IcsEvent)>> {
    let mut conn = ctx.db.pool().acquire().await?;
    let rows = db::by_names(&mut conn, calendar, names).await?;
    let ids: Vec<_> = rows.iter().map(|r| r.row.id).collect();
    let overrides = events::overrides_of(&mut conn, &ids).await?;
    let mut kept: HashMap<(EventId, i64), OverrideKept> =
        db::overrides_kept(&mut conn, &ids).await?.into_iter().map(|k| ((k.event_id, k.recurrence_id), k)).collect();
    let values = convert::to_ics(rows.iter().map(|r| r.row.clone()).collect(), overrides);
    Ok(rows
        .into_iter()
        .zip(values)
        .map(|(row, event)| {
            let event = with_kept(event, &row, &mut kept);
            (row, event)
        })
        .collect())
}

/// The event with what its last PUT kept: unknown properties always (an API edit leaves
/// them, as it leaves anything it has no field for); the client's VALARMs only while the
/// alerts are still the ones they were mapped to. Once the alerts were changed in the app
/// or the API, every VEVENT gets alarms made from the new alerts, and the kept ones (an
/// absolute or end-related trigger among them) are no longer written; the next PUT replaces
/// them.
fn with_kept(mut event: IcsEvent, row: &DavEventRow, kept: &mut HashMap<(EventId, i64), OverrideKept>) -> IcsEvent {
    let alarms_hold = row.dav_alarm_alerts.as_deref().is_some_and(|mapped| same_alerts(&row.row.alerts, mapped));
    let alarms = |text: Option<String>| text.filter(|_| alarms_hold);
    event.kept = Kept { extra: row.dav_extra.clone(), alarms: alarms(row.dav_alarms.clone()) };
    for o in &mut event.overrides {
        if let Some(k) = kept.remove(&(row.row.id, o.recurrence_id)) {
            o.kept = Kept { extra: k.dav_extra, alarms: alarms(k.dav_alarms) };
        }
    }
    event
}

pub async fn get(
    ctx: Context<'_>,
    account: &DavAccount,
    calendar: CalendarId,
    names: &[String],
) -> DavResult<Vec<StoredObject>> {
    level(&ctx, account, calendar).await?;
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let head = calendar_ics::head(ctx.db.pool(), calendar).await?.ok_or(DavError::NotFound)?;
    let head = CalendarHead { name: &head.name, description: &head.description };
    Ok(load(&ctx, calendar, names)
        .await?
        .into_iter()
        .map(|(row, event)| {
            // Stamped with the last change, not now: the same revision is the same bytes.
            let text = ical::calendar(&head, std::slice::from_ref(&event), row.row.updated_at);
            StoredObject {
                meta: ObjectMeta {
                    name: name_of(&row.row.uid, row.dav_name.as_deref()),
                    etag: etag(row.row.id, row.row.revision),
                },
                body: text,
            }
        })
        .collect())
}

/// The named objects with their occurrences in `[start, end)` expanded (calendar-query and
/// multiget with `expand`), while `allowance` lasts: the flag is false when it ran out
/// before the last object (the objects after it are left out).
pub async fn get_expanded(
    ctx: Context<'_>,
    account: &DavAccount,
    calendar: CalendarId,
    names: &[String],
    (start, end): (i64, i64),
    allowance: &mut Allowance,
) -> DavResult<(Vec<StoredObject>, bool)> {
    level(&ctx, account, calendar).await?;
    let mut out = Vec::with_capacity(names.len());
    for (row, event) in load(&ctx, calendar, names).await? {
        let Ok(body) = expanded(std::slice::from_ref(&event), start, end, row.row.updated_at, allowance) else {
            return Ok((out, false));
        };
        let meta = ObjectMeta {
            name: name_of(&row.row.uid, row.dav_name.as_deref()),
            etag: etag(row.row.id, row.row.revision),
        };
        out.push(StoredObject { meta, body });
    }
    Ok((out, true))
}

/// Whether the stored object satisfies the request's precondition.
fn check(precondition: &Precondition, current: Option<&EventMeta>) -> DavResult<()> {
    let current = current.map(|m| etag(m.id, m.revision));
    if precondition.holds(current.as_deref()) { Ok(()) } else { Err(DavError::PreconditionFailed) }
}

/// The one event a PUT body holds, with the client text to keep fitted to the budget.
fn parse_object(body: &str, zone: Tz) -> DavResult<IcsEvent> {
    let parsed = ical::read(body, zone)
        .map_err(|e| invalid("valid-calendar-data", format!("line {}: {}", e.line, e.message)))?;
    let mut events = parsed.events;
    if events.len() > 1 {
        return Err(invalid("valid-calendar-object-resource", "One object holds one event (with its overrides)."));
    }
    let Some(mut event) = events.pop() else {
        let what = if body.contains("BEGIN:VTODO") { "supported-calendar-component" } else { "valid-calendar-data" };
        return Err(invalid(what, "This calendar holds events (VEVENT)."));
    };
    if event.kept.extra.len() > EXTRA_MAX_BYTES {
        return Err(invalid("valid-calendar-data", "The event carries too many unknown properties."));
    }
    fit_kept(&mut event);
    Ok(event)
}

pub async fn put(
    ctx: Context<'_>,
    account: &DavAccount,
    calendar: CalendarId,
    name: &str,
    body: &str,
    precondition: &Precondition,
) -> DavResult<PutOutcome> {
    if !level(&ctx, account, calendar).await?.can_write() {
        return Err(DavError::ReadOnly);
    }
    let head = calendar_ics::head(ctx.db.pool(), calendar).await?.ok_or(DavError::NotFound)?;
    let event = parse_object(body, head.timezone.parse().unwrap_or(chrono_tz::UTC))?;
    if let Some(problem) = convert::series_problem(&event) {
        return Err(invalid("valid-calendar-object-resource", problem));
    }
    let now = ctx.now.0;
    let mut tx = ctx.db.write().await?;
    // Again inside the transaction: a share revoked meanwhile must not let this write.
    let still = calendar_access::calendar_level(&mut *tx, account.user_id, calendar).await?;
    if !still.is_some_and(CalendarLevel::can_write) {
        return Err(DavError::ReadOnly);
    }
    let current = db::by_name(&mut tx, calendar, name).await?;
    check(precondition, current.as_ref())?;
    let same_uid = db::by_uid(&mut tx, calendar, &event.uid).await?;
    if let Some(other) = same_uid.as_ref().filter(|o| current.as_ref().is_none_or(|c| c.id != o.id)) {
        return Err(uid_taken(&event.uid, &meta(other).name, name, precondition));
    }
    if current.as_ref().is_some_and(|c| c.uid != event.uid) {
        return Err(invalid("no-uid-conflict", "A resource keeps its UID; PUT the new one under a new name."));
    }
    let write = convert::to_write(&event);
    // Read before the write replaces it: invitees hear of a move as through the API.
    let moved = match &current {
        Some(c) => reschedule::moves(&mut tx, c.id, &event).await?,
        None => false,
    };
    let (id, kind) = if let Some(c) = &current {
        calendar_ics::update_event(&mut tx, c.id, &write, now).await?;
        (c.id, ChangeKind::Changed)
    } else {
        let id = calendar_ics::insert_event(&mut tx, calendar, account.user_id, &write, now)
            .await
            .map_err(|e| made_meanwhile(e, precondition))?;
        (id, ChangeKind::Created)
    };
    let overrides: Vec<_> = convert::overrides_to_write(&event)
        .into_iter()
        .zip(&event.overrides)
        .map(|(write, o)| OverrideWrite { kept: Some(&o.kept), ..write })
        .collect();
    calendar_ics::replace_overrides(&mut tx, id, &overrides, now).await?;
    let dav_name = (name != format!("{}.ics", event.uid)).then_some(name);
    let revision = db::set_dav(&mut tx, id, dav_name, &event.kept, &write.alerts).await?;
    let seq = calendar_changes::record(&mut tx, calendar, &event.uid, kind, now).await?;
    if let Some(n) = dav_name {
        db::name_change(&mut tx, calendar, seq, n).await?;
    }
    if moved {
        notify_invitees(&mut tx, id, &event.title, EventChange::Rescheduled, ctx.now).await?;
    }
    tx.commit().await?;
    Ok(PutOutcome { etag: etag(id, revision), created: current.is_none(), changed_by_server: false })
}

pub async fn delete(
    ctx: Context<'_>,
    account: &DavAccount,
    calendar: CalendarId,
    name: &str,
    precondition: &Precondition,
) -> DavResult<()> {
    if !level(&ctx, account, calendar).await?.can_write() {
        return Err(DavError::ReadOnly);
    }
    let mut tx = ctx.db.write().await?;
    let still = calendar_access::calendar_level(&mut *tx, account.user_id, calendar).await?;
    if !still.is_some_and(CalendarLevel::can_write) {
        return Err(DavError::ReadOnly);
    }
    let current = db::by_name(&mut tx, calendar, name).await?.ok_or(DavError::NotFound)?;
    check(precondition, Some(&current))?;
    let row = events::get(&mut *tx, current.id).await?.ok_or(DavError::NotFound)?;
    // Invitees hear first, while their invitations exist (as the API's delete does).
    notify_invitees(&mut tx, row.id, &row.title, EventChange::Cancelled, ctx.now).await?;
    let seq = calendar_changes::record(&mut tx, calendar, &row.uid, ChangeKind::Deleted, ctx.now.0).await?;
    if let Some(n) = &current.dav_name {
        db::name_change(&mut tx, calendar, seq, n).await?;
    }
    events::delete(&mut tx, row.id).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn token(ctx: Context<'_>, account: &DavAccount, calendar: CalendarId) -> DavResult<i64> {
    level(&ctx, account, calendar).await?;
    db::sync_seq(ctx.db.pool(), calendar).await?.ok_or(DavError::NotFound)
}

/// What changed after `since`: per UID its latest state, read from the change log up to the
/// counter read first (a change committed meanwhile is reported next time, never lost).
pub async fn changes(ctx: Context<'_>, account: &DavAccount, calendar: CalendarId, since: i64) -> DavResult<Delta> {
    level(&ctx, account, calendar).await?;
    let pool = ctx.db.pool();
    let now = db::sync_seq(pool, calendar).await?.ok_or(DavError::NotFound)?;
    if since < 0 || since > now {
        return Err(DavError::InvalidSyncToken);
    }
    let log = db::changes_since(pool, calendar, since, now).await?;
    // The floor after the log: a prune committed since the log was read shows here.
    if calendar_changes::pruned_through(pool, calendar).await?.is_some_and(|floor| since < floor) {
        // The log no longer reaches back to that token: the client must start over.
        return Err(DavError::InvalidSyncToken);
    }
    let mut deleted_names: HashMap<String, Vec<String>> = HashMap::new();
    // In order of first change, each once (a set beside the list: a long log stays linear).
    let mut uids: Vec<String> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for change in &log {
        if seen.insert(change.uid.as_str()) {
            uids.push(change.uid.clone());
        }
        if change.kind == ChangeKind::Deleted.as_str() {
            let name = name_of(&change.uid, change.name.as_deref());
            deleted_names.entry(change.uid.clone()).or_default().push(name);
        }
    }
    let mut conn = pool.acquire().await?;
    let current: HashMap<String, EventMeta> =
        db::by_uids(&mut conn, calendar, &uids).await?.into_iter().map(|m| (m.uid.clone(), m)).collect();
    let mut delta = Delta { token: now, ..Delta::default() };
    let mut reported_gone: HashSet<String> = HashSet::new();
    for uid in &uids {
        let live = current.get(uid).map(meta);
        for gone in deleted_names.remove(uid).unwrap_or_default() {
            if live.as_ref().is_none_or(|l| l.name != gone) && reported_gone.insert(gone.clone()) {
                delta.deleted.push(gone);
            }
        }
        if let Some(live) = live {
            delta.changed.push(live);
        }
    }
    Ok(delta)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(revision: i64) -> EventMeta {
        EventMeta { id: crate::domain::id::EventId(1), uid: "u".into(), dav_name: None, revision }
    }

    #[test]
    fn preconditions() {
        assert!(check(&Precondition::None, None).is_ok());
        assert!(check(&Precondition::IfMatch("\"1-3\"".into()), Some(&m(3))).is_ok());
        assert!(check(&Precondition::IfMatch("\"1-2\", \"1-3\"".into()), Some(&m(3))).is_ok());
        assert!(check(&Precondition::IfMatch("*".into()), Some(&m(3))).is_ok());
        assert!(check(&Precondition::IfMatch("\"1-2\"".into()), Some(&m(3))).is_err());
        // The bare revision was the tag before ids were part of it; it must no longer match.
        assert!(check(&Precondition::IfMatch("\"3\"".into()), Some(&m(3))).is_err());
        assert!(check(&Precondition::IfMatch("*".into()), None).is_err());
        assert!(check(&Precondition::IfNoneMatchAny, None).is_ok());
        assert!(check(&Precondition::IfNoneMatchAny, Some(&m(1))).is_err());
        assert!(check(&Precondition::IfNoneMatch("\"1-3\"".into()), Some(&m(3))).is_err());
        assert!(check(&Precondition::IfNoneMatch("\"1-2\"".into()), Some(&m(3))).is_ok());
        assert!(check(&Precondition::IfNoneMatch("\"1-2\"".into()), None).is_ok());
    }
}
