//! Due items become notifications: finding todo alerts and birthdays as they fall due, then
//! claiming reminders and those alerts with a lease and, per chunk of claimed items in one
//! transaction, recording the deliveries, writing the in-app notifications and enqueueing the
//! pushes — a statement each for the whole chunk, not per item. A crash
//! anywhere before the commit leaves the claim to expire; another pass redoes the work, and
//! the notification's `source_key` keeps it single even then.

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate, NaiveTime};
use chrono_tz::Tz;

use super::settings::{DeliverySettings, SettingsCache, local_date, local_instant};
use super::{ITEM_LEASE_MS, LATE_AFTER_MS};
use crate::db::dispatch::{
    self, BirthdayCandidate, ClaimedAlert, ClaimedReminder, DispatchState, NewDueAlert, ReminderAfter, ReminderFinish,
};
use crate::db::push_deliveries::{self, NewPush};
use crate::db::{Db, WriteTx};
use crate::domain::id::{DueAlertId, ReminderId, UserId};
use crate::domain::notifications::NotificationKind;
use crate::domain::reminders::next_occurrence;
use crate::domain::time::UtcMillis;
use crate::service::notifications::{Notice, notify_many};

/// Claimed per statement, and delivered per transaction.
const CLAIM_BATCH: i64 = 500;
const TX_CHUNK: usize = 100;
/// How far back the todo scan looks before its last pass (the longest alert lead is a week).
const TODO_LOOKBACK_MS: i64 = 9 * 24 * 60 * UtcMillis::MINUTE;
/// Date-only todos and birthdays fire at 09:00 local.
const MORNING: NaiveTime = NaiveTime::from_hms_opt(9, 0, 0).expect("09:00");
const DAY_MS: i64 = 24 * 60 * UtcMillis::MINUTE;

/// One notification and its push, as written.
pub(super) struct Delivery {
    pub user_id: UserId,
    pub kind: NotificationKind,
    pub title: String,
    pub body: String,
    pub link: String,
    pub late: bool,
    pub source_key: String,
    pub item: Option<(&'static str, i64)>,
    pub alert_id: Option<DueAlertId>,
}

/// Writes the notifications of a chunk of deliveries, and the pushes of those whose user has
/// a push target, in two statements whatever the chunk's size: per-item statements were most
/// of a burst's cost (three round trips per item, each a hop to the database's thread).
async fn write_deliveries(
    tx: &mut WriteTx,
    deliveries: &[Delivery],
    cache: &SettingsCache<'_>,
    now: i64,
) -> Result<(), sqlx::Error> {
    let notices: Vec<Notice<'_>> = deliveries
        .iter()
        .map(|delivery| Notice {
            user_id: delivery.user_id,
            kind: delivery.kind,
            title: &delivery.title,
            body: &delivery.body,
            link: Some(&delivery.link),
            late: delivery.late,
            source_key: Some(&delivery.source_key),
        })
        .collect();
    notify_many(&mut **tx, &notices, UtcMillis(now)).await?;
    let pushes: Vec<NewPush<'_>> = deliveries
        .iter()
        .filter(|delivery| cache.get(delivery.user_id).target.is_some())
        .map(|delivery| NewPush {
            user_id: delivery.user_id,
            source_key: &delivery.source_key,
            kind: delivery.kind.as_str(),
            title: &delivery.title,
            body: &delivery.body,
            link: Some(&delivery.link),
            item: delivery.item,
            alert_id: delivery.alert_id,
            now,
        })
        .collect();
    push_deliveries::enqueue_many(tx, &pushes).await
}

/// Texts are cut to what a notification shows.
pub(super) fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

/// Where a delivered reminder goes next. A one-off stays (delivered for its fire time) until
/// it is done; a series moves to its first occurrence after now, so a reminder that fell due
/// during downtime is delivered once and never replays the occurrences it missed. When the
/// series has ended it stays, delivered, like a one-off.
fn after_delivery(reminder: &ClaimedReminder, now: i64) -> ReminderAfter {
    let unchanged = ReminderAfter { remind_at: reminder.remind_at, snoozed_until: reminder.snoozed_until };
    let Some(rule) = reminder.recurrence.as_deref() else { return unchanged };
    if reminder.remind_at > now {
        // The snooze of an occurrence already moved on fired: the series continues as it was.
        return ReminderAfter { remind_at: reminder.remind_at, snoozed_until: None };
    }
    let after = UtcMillis(reminder.remind_at.max(now));
    match next_occurrence(rule, UtcMillis(reminder.series_start), &reminder.timezone, after) {
        Some(next) => ReminderAfter { remind_at: next.0, snoozed_until: None },
        None => unchanged,
    }
}

/// Delivers every due reminder; the number delivered.
pub async fn deliver_reminders(db: &Db, cache: &mut SettingsCache<'_>, now: i64) -> Result<usize, sqlx::Error> {
    let mut delivered = 0;
    loop {
        if !dispatch::reminders_waiting(db.pool(), now, now - ITEM_LEASE_MS).await? {
            return Ok(delivered);
        }
        let claimed = dispatch::claim_reminders(db.pool(), now, now - ITEM_LEASE_MS, CLAIM_BATCH).await?;
        if claimed.is_empty() {
            return Ok(delivered);
        }
        for chunk in claimed.chunks(TX_CHUNK) {
            cache.load(db, chunk.iter().map(|r| r.user_id).collect()).await?;
            let to_finish: Vec<ReminderFinish> = chunk
                .iter()
                .map(|r| ReminderFinish { id: r.id, claimed_fire_at: r.fire_at, after: after_delivery(r, now) })
                .collect();
            let mut tx = db.write().await?;
            let finished: HashSet<ReminderId> =
                dispatch::finish_reminders(&mut tx, &to_finish, now, now).await?.into_iter().collect();
            let deliveries: Vec<Delivery> =
                chunk.iter().filter(|r| finished.contains(&r.id)).map(|r| reminder_delivery(r, now)).collect();
            write_deliveries(&mut tx, &deliveries, cache, now).await?;
            tx.commit().await?;
            delivered += deliveries.len();
        }
        if claimed.len() < usize::try_from(CLAIM_BATCH).unwrap_or(usize::MAX) {
            return Ok(delivered);
        }
    }
}

/// The notification a delivered reminder makes.
fn reminder_delivery(reminder: &ClaimedReminder, now: i64) -> Delivery {
    Delivery {
        user_id: reminder.user_id,
        kind: NotificationKind::ReminderDue,
        title: clip(&reminder.title, 200),
        body: clip(&reminder.notes, 500),
        link: "/reminders".into(),
        late: now - reminder.fire_at > LATE_AFTER_MS,
        source_key: format!("reminder:{}:{}", reminder.id, reminder.fire_at),
        item: Some(("reminder", reminder.id.0)),
        alert_id: None,
    }
}

/// The occurrence key of a todo's current due (`at:<ms>` or `date:<YYYY-MM-DD>`).
pub fn todo_occurrence(due_at: Option<i64>, due_date: Option<&str>) -> Option<String> {
    match (due_at, due_date) {
        (Some(at), _) => Some(format!("at:{at}")),
        (None, Some(date)) => Some(format!("date:{date}")),
        (None, None) => None,
    }
}

/// Writes an alert row for every open todo whose alert time has come: `todo_due_alert_minutes`
/// before `due_at`, or 09:00 local on a date-only todo's day. An occurrence that was already
/// past when the todo was created, or that was due before the dispatcher first ran, is
/// recorded as not to be announced.
pub async fn scan_todos(
    db: &Db,
    cache: &mut SettingsCache<'_>,
    state: DispatchState,
    now: i64,
) -> Result<(), sqlx::Error> {
    let from = (state.scanned_through.min(now) - TODO_LOOKBACK_MS).max(state.epoch - 2 * DAY_MS);
    // A date-only todo sorts at its day's start in its own zone; 09:00 in the owner's zone can
    // be up to a day and a half from that.
    let to = now + 36 * 60 * UtcMillis::MINUTE;
    loop {
        let candidates = dispatch::todo_candidates(db.pool(), from, to, now, 500).await?;
        cache.load(db, candidates.iter().map(|c| c.user_id).collect()).await?;
        let mut written = 0;
        for todo in &candidates {
            let settings = cache.get(todo.user_id);
            let Some(occurrence) = todo_occurrence(todo.due_at, todo.due_date.as_deref()) else { continue };
            let (fire_at, due) = if let Some(due_at) = todo.due_at {
                (due_at - settings.todo_alert_minutes * UtcMillis::MINUTE, due_at)
            } else {
                let Some(date) = todo.due_date.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                else {
                    continue;
                };
                let zone = owner_zone(&settings, &todo.timezone);
                let morning = local_instant(zone, date, MORNING);
                (morning, morning)
            };
            if fire_at > now {
                continue;
            }
            let item_key = format!("todo:{}:{occurrence}", todo.id);
            let alert = NewDueAlert {
                user_id: todo.user_id,
                kind: NotificationKind::TodoDue.as_str(),
                todo_id: Some(todo.id),
                person_id: None,
                event_id: None,
                occurrence: &occurrence,
                item_key: &item_key,
                fire_at,
                pending: due >= todo.created_at && due >= state.epoch,
                now,
            };
            dispatch::insert_due_alert(db.pool(), &alert).await?;
            written += 1;
        }
        // A full page may hide more; a page with nothing to write holds only future mornings.
        if candidates.len() < 500 || written == 0 {
            return Ok(());
        }
    }
}

/// The zone a user's "09:00" is in: theirs from the settings when set, else the item's own.
fn owner_zone(settings: &DeliverySettings, item_zone: &str) -> Tz {
    if settings.zone == Tz::UTC { item_zone.parse().unwrap_or(Tz::UTC) } else { settings.zone }
}

/// The month and day of a stored birthday (`YYYY-MM-DD` or `--MM-DD`) and its year if known.
fn birthday_parts(text: &str) -> Option<(Option<i32>, u32, u32)> {
    let (year, rest) = if let Some(rest) = text.strip_prefix("--") {
        (None, rest)
    } else {
        let (year, rest) = text.split_once('-')?;
        (Some(year.parse().ok()?), rest)
    };
    let (month, day) = rest.split_once('-')?;
    Some((year, month.parse().ok()?, day.parse().ok()?))
}

/// Whether a birthday on `month`/`day` is celebrated on `date` (29 February on the 28th in
/// other years).
fn celebrated_on(month: u32, day: u32, date: NaiveDate) -> bool {
    if date.month() == month && date.day() == day {
        return true;
    }
    month == 2 && day == 29 && date.month() == 2 && date.day() == 28 && !date.leap_year()
}

/// Writes an alert row for each birthday whose 09:00 local has come since the last scan.
pub async fn scan_birthdays(
    db: &Db,
    cache: &mut SettingsCache<'_>,
    state: DispatchState,
    now: i64,
) -> Result<(), sqlx::Error> {
    // Everything since a day before the last scan (alert rows make a repeat harmless), but
    // never more than ~a year and never before the dispatcher existed.
    let since = (state.scanned_through.min(now) - DAY_MS).max(state.epoch).max(now - 360 * DAY_MS);
    // UTC dates a day either side cover every zone's local date.
    let first = local_date(Tz::UTC, since - DAY_MS);
    let last = local_date(Tz::UTC, now + DAY_MS);
    let (lo, hi) = (first.format("%m-%d").to_string(), last.format("%m-%d").to_string());
    let wraps = first.year() != last.year();
    let mut people = dispatch::birthday_candidates(db.pool(), &lo, &hi, wraps, since).await?;
    // 29 February is celebrated on the 28th in other years.
    if !wraps && lo.as_str() <= "02-28" && hi.as_str() >= "02-28" && hi.as_str() < "02-29" {
        people.extend(dispatch::birthday_candidates(db.pool(), "02-29", "02-29", false, since).await?);
    }
    cache.load(db, people.iter().map(|p| p.user_id).collect()).await?;
    for person in &people {
        let settings = cache.get(person.user_id);
        birthday_alert(db, person, settings.zone, since, state.epoch, now).await?;
    }
    Ok(())
}

async fn birthday_alert(
    db: &Db,
    person: &BirthdayCandidate,
    zone: Tz,
    since: i64,
    epoch: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    let Some((_, month, day)) = birthday_parts(&person.birthday) else { return Ok(()) };
    let mut date = local_date(zone, since);
    let today = local_date(zone, now);
    while date <= today {
        let fire_at = local_instant(zone, date, MORNING);
        if celebrated_on(month, day, date) && fire_at > since && fire_at <= now {
            let occurrence = date.format("%Y-%m-%d").to_string();
            let item_key = format!("birthday:{}:{occurrence}", person.id);
            let alert = NewDueAlert {
                user_id: person.user_id,
                kind: NotificationKind::Birthday.as_str(),
                todo_id: None,
                person_id: Some(person.id),
                event_id: None,
                occurrence: &occurrence,
                item_key: &item_key,
                fire_at,
                pending: fire_at >= person.created_at && fire_at >= epoch,
                now,
            };
            dispatch::insert_due_alert(db.pool(), &alert).await?;
        }
        let Some(next) = date.succ_opt() else { break };
        date = next;
    }
    Ok(())
}

/// Delivers every due todo alert and birthday; the number delivered.
pub async fn deliver_alerts(db: &Db, cache: &mut SettingsCache<'_>, now: i64) -> Result<usize, sqlx::Error> {
    let mut delivered = 0;
    loop {
        if !dispatch::alerts_waiting(db.pool(), now, now - ITEM_LEASE_MS).await? {
            return Ok(delivered);
        }
        let claimed = dispatch::claim_alerts(db.pool(), now, now - ITEM_LEASE_MS, CLAIM_BATCH).await?;
        if claimed.is_empty() {
            return Ok(delivered);
        }
        for chunk in claimed.chunks(TX_CHUNK) {
            cache.load(db, chunk.iter().map(|a| a.user_id).collect()).await?;
            let mut tx = db.write().await?;
            // Read what each alert is about first (a stale one is finished without a notice).
            let mut made = Vec::with_capacity(chunk.len());
            for alert in chunk {
                made.push(alert_delivery(&mut tx, alert, &cache.get(alert.user_id), now).await?);
            }
            let all: Vec<&ClaimedAlert> = chunk.iter().collect();
            let finished: HashSet<DueAlertId> =
                dispatch::finish_alerts(&mut tx, &all, now, now).await?.into_iter().collect();
            let deliveries: Vec<Delivery> = chunk
                .iter()
                .zip(made)
                .filter(|(alert, _)| finished.contains(&alert.id))
                .filter_map(|(_, delivery)| delivery)
                .collect();
            write_deliveries(&mut tx, &deliveries, cache, now).await?;
            tx.commit().await?;
            delivered += deliveries.len();
        }
        if claimed.len() < usize::try_from(CLAIM_BATCH).unwrap_or(usize::MAX) {
            return Ok(delivered);
        }
    }
}

/// The notification a claimed alert makes; `None` when it went stale (the todo was completed,
/// deleted or moved to another due, the person's birthday changed, the event changed).
async fn alert_delivery(
    tx: &mut WriteTx,
    alert: &ClaimedAlert,
    settings: &DeliverySettings,
    now: i64,
) -> Result<Option<Delivery>, sqlx::Error> {
    if let Some(event_id) = alert.event_id {
        return super::events::event_delivery(tx, alert, event_id, settings, now).await;
    }
    let late = now - alert.fire_at > LATE_AFTER_MS;
    if let Some(todo_id) = alert.todo_id {
        let Some(todo) = dispatch::todo_now(tx, alert.user_id, todo_id).await? else { return Ok(None) };
        let current = todo_occurrence(todo.due_at, todo.due_date.as_deref());
        if todo.completed.get() || current.as_deref() != Some(alert.occurrence.as_str()) {
            return Ok(None);
        }
        let body = match (todo.due_at, todo.due_date.as_deref()) {
            (Some(at), _) => {
                let local = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(at)
                    .unwrap_or_default()
                    .with_timezone(&settings.zone);
                format!("Due {}", local.format("%Y-%m-%d %H:%M"))
            }
            (None, Some(date)) => format!("Due {date}"),
            (None, None) => String::new(),
        };
        return Ok(Some(Delivery {
            user_id: alert.user_id,
            kind: NotificationKind::TodoDue,
            title: clip(&todo.title, 200),
            body,
            link: "/todos".into(),
            late,
            source_key: format!("todo:{todo_id}:{}:{}", alert.occurrence, alert.fire_at),
            item: Some(("todo", todo_id.0)),
            alert_id: Some(alert.id),
        }));
    }
    let Some(person_id) = alert.person_id else { return Ok(None) };
    let Some(person) = dispatch::person_now(tx, alert.user_id, person_id).await? else { return Ok(None) };
    let Some((year, month, day)) = person.birthday.as_deref().and_then(birthday_parts) else { return Ok(None) };
    let Ok(date) = NaiveDate::parse_from_str(&alert.occurrence, "%Y-%m-%d") else { return Ok(None) };
    if !celebrated_on(month, day, date) {
        return Ok(None);
    }
    let name = clip(&person.name, 100);
    let body = match year {
        Some(year) if date.year() > year => format!("{name} turns {} today.", date.year() - year),
        _ => format!("Today is {name}'s birthday."),
    };
    Ok(Some(Delivery {
        user_id: alert.user_id,
        kind: NotificationKind::Birthday,
        title: format!("{name}'s birthday"),
        body,
        link: format!("/people/{person_id}"),
        late,
        source_key: format!("birthday:{person_id}:{}", alert.occurrence),
        item: None,
        alert_id: Some(alert.id),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn birthdays_parse_with_and_without_a_year_and_leap_days_move_to_the_28th() {
        assert_eq!(birthday_parts("1990-07-14"), Some((Some(1990), 7, 14)));
        assert_eq!(birthday_parts("--02-29"), Some((None, 2, 29)));
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert!(celebrated_on(2, 29, date(2027, 2, 28)));
        assert!(!celebrated_on(2, 29, date(2028, 2, 28)));
        assert!(celebrated_on(2, 29, date(2028, 2, 29)));
    }
}
