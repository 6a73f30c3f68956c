//! The range read behind the calendar views: every occurrence overlapping a window from every
//! event the caller can read (own and shared calendars, accepted invitations). One SQL
//! statement selects the events by their spans (`db::events::range`), one more loads the
//! overrides of the series among them, and expansion happens here, in each event's zone.
//! All-day occurrences are placed in the caller's own zone, the one their views are in.

use std::collections::HashMap;

use chrono_tz::Tz;
use sqlx::AnyConnection;

use super::{EventError, EventResult, exdates_of, override_timing, timing_of, zone_of};
use crate::db::calendar_access::calendar_level;
use crate::db::events::{self as db, OverrideRow, RangeRow};
use crate::db::range_stamp::{self, Stamp};
use crate::domain::calendars::{CalendarLevel, EventAccess};
use crate::domain::events::Timing;
use crate::domain::events::expand::{MAX_OCCURRENCES, Override, Series, TooMany, Window, expand};
use crate::domain::id::{CalendarId, EventId, UserId};
use crate::domain::recurrence::Recurrence;
use crate::domain::time::UtcMillis;
use crate::service::Context;

/// The longest window a range read may ask for.
pub const MAX_WINDOW_DAYS: i64 = 400;

/// One occurrence as a calendar view shows it.
#[derive(Debug, Clone)]
pub struct RangeItem {
    pub event_id: EventId,
    pub recurrence_id: Option<i64>,
    pub timing: Timing,
    pub title: String,
    pub calendar_id: CalendarId,
    /// The occurrence's colour, else the event's, else the caller's override of the
    /// calendar's colour, else the calendar's.
    pub colour: String,
    pub access: EventAccess,
    /// The caller's answer, when they see the event as an invitee.
    pub rsvp: Option<String>,
}

/// Checks a window: end after start, at most `MAX_WINDOW_DAYS` long.
pub fn check_window(start: UtcMillis, end: UtcMillis) -> EventResult<()> {
    if end <= start {
        return Err(EventError::invalid("end", "must be after start"));
    }
    if end.0 - start.0 > MAX_WINDOW_DAYS * 86_400_000 {
        return Err(EventError::invalid("end", format!("the window may be at most {MAX_WINDOW_DAYS} days long")));
    }
    Ok(())
}

pub async fn range(
    ctx: Context<'_>,
    user: UserId,
    start: UtcMillis,
    end: UtcMillis,
    calendar: Option<CalendarId>,
) -> EventResult<Vec<RangeItem>> {
    check_window(start, end)?;
    let mut conn = ctx.db.pool().acquire().await?;
    read(&mut conn, user, start, end, calendar).await
}

/// The occurrences together with the stamp of what they were read from, both from one
/// snapshot of the database, so the stamp describes exactly these occurrences.
pub async fn snapshot(
    ctx: Context<'_>,
    user: UserId,
    start: UtcMillis,
    end: UtcMillis,
    calendar: Option<CalendarId>,
) -> EventResult<(Stamp, Vec<RangeItem>)> {
    check_window(start, end)?;
    let mut tx = ctx.db.snapshot().await?;
    let stamp = range_stamp::stamp(&mut *tx, ctx.db.backend(), user).await?;
    let items = read(&mut tx, user, start, end, calendar).await?;
    tx.commit().await?;
    Ok((stamp, items))
}

/// The stamp of what the caller's views are made of now (`db::range_stamp`).
pub async fn stamp(ctx: Context<'_>, user: UserId) -> EventResult<Stamp> {
    Ok(range_stamp::stamp(ctx.db.pool(), ctx.db.backend(), user).await?)
}

async fn read(
    conn: &mut AnyConnection,
    user: UserId,
    start: UtcMillis,
    end: UtcMillis,
    calendar: Option<CalendarId>,
) -> EventResult<Vec<RangeItem>> {
    if let Some(calendar) = calendar
        && calendar_level(&mut *conn, user, calendar).await?.is_none()
    {
        return Err(EventError::NotFound);
    }
    let rows = db::range(&mut *conn, user, start.0, end.0, calendar).await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let floating = if rows.iter().any(|row| row.all_day.get()) {
        db::user_zone(&mut *conn, user).await?.as_deref().map_or(Tz::UTC, zone_of)
    } else {
        Tz::UTC
    };
    let series: Vec<EventId> = rows.iter().filter(|row| row.recurrence.is_some()).map(|row| row.id).collect();
    let mut overrides: HashMap<EventId, Vec<OverrideRow>> = HashMap::new();
    if !series.is_empty() {
        for row in db::overrides_of(conn, &series).await? {
            overrides.entry(row.event_id).or_default().push(row);
        }
    }
    let window = Window { start, end, floating };
    let mut items = Vec::new();
    for row in &rows {
        let own = overrides.get(&row.id).map_or(&[][..], Vec::as_slice);
        occurrences_of(row, own, &window, &mut items).map_err(|TooMany| {
            EventError::invalid(
                "end",
                format!("the window holds more than {MAX_OCCURRENCES} occurrences: ask for a shorter one"),
            )
        })?;
    }
    items.sort_by_key(|item| (item.timing.start_millis(floating), item.event_id, item.recurrence_id));
    Ok(items)
}

/// Expands one event into `items`, within what is left of the occurrence budget.
fn occurrences_of(
    row: &RangeRow,
    overrides: &[OverrideRow],
    window: &Window,
    items: &mut Vec<RangeItem>,
) -> Result<(), TooMany> {
    let timing =
        timing_of(row.all_day.get(), row.start_at, row.end_at, row.start_date.as_deref(), row.end_date.as_deref());
    let rule = row.recurrence.as_deref().map(Recurrence::from_stored);
    let exdates = exdates_of(&row.exdates);
    let series = Series { timing, zone: zone_of(&row.timezone), recurrence: rule.as_ref(), exdates: &exdates };
    let moved: Vec<Override> =
        overrides.iter().map(|o| Override { recurrence_id: o.recurrence_id, timing: override_timing(o) }).collect();
    let left = MAX_OCCURRENCES.saturating_sub(items.len());
    let access = CalendarLevel::from_rank(row.level_rank).map_or(EventAccess::Invited, EventAccess::Calendar);
    let event_colour = row.colour.as_deref().unwrap_or(&row.calendar_colour);
    for occurrence in expand(&series, &moved, window, left)? {
        let changed = occurrence.override_index.and_then(|index| overrides.get(index));
        items.push(RangeItem {
            event_id: row.id,
            recurrence_id: occurrence.recurrence_id,
            timing: occurrence.timing,
            title: changed.map_or_else(|| row.title.clone(), |o| o.title.clone()),
            calendar_id: row.calendar_id,
            colour: changed.and_then(|o| o.colour.clone()).unwrap_or_else(|| event_colour.to_string()),
            access,
            rsvp: if access == EventAccess::Invited { row.rsvp.clone() } else { None },
        });
    }
    if items.len() > MAX_OCCURRENCES {
        return Err(TooMany);
    }
    Ok(())
}
