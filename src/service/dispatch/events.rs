//! Event alerts: each occurrence of an event with `alerts` (minutes before) tells the owner of
//! its calendar, at the occurrence's start minus those minutes, once — an `event_alert`
//! notification and its push, through the same `due_alerts` rows, claims and leases as todo
//! alerts (item key `event:<id>:<occurrence start ms>:<minutes>`).
//!
//! Finding them: a full scan (once a minute, with the birthdays) expands every event with
//! alerts over a window and writes an alert row for each alert time from just before the last
//! scan to a day ahead; on every other pass a cheap scan does the same for events changed
//! since the last scan, so an event made a moment ago still alerts on time. Rows written ahead
//! are checked again when they fall due: an alert whose event was deleted, edited (another
//! time, other alerts, moved to someone else's calendar) or whose occurrence was moved by an
//! override no longer matches the event and is dropped; the moved occurrence has a row of its
//! own.
//!
//! After downtime (decided here, tested in `tests/api/dispatcher/event_alerts.rs`): an alert
//! whose time passed while every server was down is delivered once, marked late, as long as
//! its occurrence has not ended — the event is still ahead or going on, so the alert still
//! says something; one whose occurrence has already ended is skipped (a week's downtime does
//! not replay a daily event's seven alerts). Alert times that had passed before the event was
//! created, or before the dispatcher first ran, are not announced.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::LATE_AFTER_MS;
use super::due::{Delivery, clip};
use super::settings::DeliverySettings;
use crate::db::dispatch::{self, ClaimedAlert, DispatchState, NewDueAlert};
use crate::db::dispatch_events::{self, AlertedEvent};
use crate::db::events::{self as db_events, EventRow};
use crate::db::{Db, WriteTx};
use crate::domain::events::expand::{MAX_OCCURRENCES, Occurrence, Window, expand};
use crate::domain::id::{EventId, UserId};
use crate::domain::notifications::NotificationKind;
use crate::domain::time::UtcMillis;
use crate::service::events::{overrides_for_expansion, state_of};

/// Alert rows are written this far ahead of their time.
const LOOKAHEAD_MS: i64 = 24 * 60 * UtcMillis::MINUTE;
/// The earliest an alert may come before its event (the events domain's limit: four weeks).
const MAX_LEAD_MS: i64 = 40_320 * UtcMillis::MINUTE;
/// A scan starts this long before the last one (clock skew between processes, a slow pass).
const OVERLAP_MS: i64 = 2 * UtcMillis::MINUTE;

/// Writes the alert rows of events with alerts due from the last scan to a day ahead; with
/// `changed_since`, of the events changed since then only.
pub async fn scan_events(
    db: &Db,
    state: DispatchState,
    now: i64,
    changed_since: Option<i64>,
) -> Result<(), sqlx::Error> {
    let from = (state.scanned_through.min(now) - OVERLAP_MS).max(state.epoch);
    let to = now + LOOKAHEAD_MS;
    let events = dispatch_events::alerted_events(db.pool(), from, to + MAX_LEAD_MS, changed_since).await?;
    if events.is_empty() {
        return Ok(());
    }
    let ids: Vec<EventId> = events.iter().map(|e| e.event.id).collect();
    let overrides = db_events::overrides_of(&mut *db.pool().acquire().await?, &ids).await?;
    for AlertedEvent { event, owner_id } in &events {
        let mine: Vec<_> = overrides.iter().filter(|o| o.event_id == event.id).cloned().collect();
        for occurrence in occurrences(event, &mine, from, to + MAX_LEAD_MS) {
            write_alerts(db, event, *owner_id, &occurrence, (from, to), state.epoch, now).await?;
        }
    }
    Ok(())
}

/// The occurrences of `event` meeting `[from, to)`; all-day dates placed in the event's zone.
fn occurrences(event: &EventRow, overrides: &[db_events::OverrideRow], from: i64, to: i64) -> Vec<Occurrence> {
    let state = state_of(event);
    let window = Window { start: UtcMillis(from), end: UtcMillis(to), floating: state.timezone };
    expand(&state.series(), &overrides_for_expansion(overrides), &window, MAX_OCCURRENCES).unwrap_or_default()
}

/// The start and end of an occurrence, in unix ms (all-day in the event's zone).
fn bounds(occurrence: &Occurrence, zone: Tz) -> (i64, i64) {
    let start = occurrence.timing.start_millis(zone);
    (start, start + occurrence.timing.length_millis())
}

async fn write_alerts(
    db: &Db,
    event: &EventRow,
    owner: UserId,
    occurrence: &Occurrence,
    (from, to): (i64, i64),
    epoch: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    let zone = state_of(event).timezone;
    let (start, end) = bounds(occurrence, zone);
    if end <= now {
        // Over already: nothing to announce (see the module's note on downtime).
        return Ok(());
    }
    for minutes in crate::service::events::alerts_of(&event.alerts) {
        let fire_at = start - minutes * UtcMillis::MINUTE;
        if fire_at < from || fire_at > to {
            continue;
        }
        let occurrence = format!("{start}:{minutes}");
        let item_key = format!("event:{}:{occurrence}", event.id);
        let alert = NewDueAlert {
            user_id: owner,
            kind: NotificationKind::EventAlert.as_str(),
            todo_id: None,
            person_id: None,
            event_id: Some(event.id),
            occurrence: &occurrence,
            item_key: &item_key,
            fire_at,
            pending: fire_at >= event.created_at && fire_at >= epoch,
            now,
        };
        dispatch::insert_due_alert(db.pool(), &alert).await?;
    }
    Ok(())
}

/// The notification a claimed event alert makes; `None` when it no longer matches the event
/// (deleted, moved, the alert removed, the calendar no longer the user's) or the occurrence
/// has ended.
pub async fn event_delivery(
    tx: &mut WriteTx,
    alert: &ClaimedAlert,
    event_id: EventId,
    settings: &DeliverySettings,
    now: i64,
) -> Result<Option<Delivery>, sqlx::Error> {
    let Some((start, minutes)) = alert.occurrence.split_once(':') else { return Ok(None) };
    let (Ok(start), Ok(minutes)) = (start.parse::<i64>(), minutes.parse::<i64>()) else { return Ok(None) };
    let Some(event) = dispatch_events::event_now(tx, alert.user_id, event_id).await? else { return Ok(None) };
    if !crate::service::events::alerts_of(&event.alerts).contains(&minutes) {
        return Ok(None);
    }
    let overrides = db_events::overrides(&mut **tx, event_id).await?;
    let zone = state_of(&event).timezone;
    // The occurrence that starts at `start` now, if any (an override may have moved it away).
    let found = occurrences(&event, &overrides, start - 1, start + 1).into_iter().find(|o| bounds(o, zone).0 == start);
    let Some(occurrence) = found else { return Ok(None) };
    if bounds(&occurrence, zone).1 <= now {
        return Ok(None);
    }
    // An occurrence moved by an override carries the override's own words.
    let moved = occurrence.override_index.and_then(|i| overrides.get(i));
    let title = moved.map_or(event.title.as_str(), |o| o.title.as_str());
    let location = moved.map_or(event.location.as_str(), |o| o.location.as_str());
    let body = if occurrence.timing.is_all_day() {
        format!("All day, {}", local(start, zone).format("%Y-%m-%d"))
    } else {
        format!("Starts {}", local(start, settings.zone).format("%Y-%m-%d %H:%M"))
    };
    let body = if location.is_empty() { body } else { format!("{body} · {}", clip(location, 200)) };
    Ok(Some(Delivery {
        user_id: alert.user_id,
        kind: NotificationKind::EventAlert,
        title: clip(title, 200),
        body,
        link: format!("/calendar?event={event_id}"),
        late: now - alert.fire_at > LATE_AFTER_MS,
        source_key: format!("event:{event_id}:{}", alert.occurrence),
        item: None,
        alert_id: Some(alert.id),
    }))
}

fn local(at: i64, zone: Tz) -> DateTime<Tz> {
    DateTime::<Utc>::from_timestamp_millis(at).unwrap_or_default().with_timezone(&zone)
}
