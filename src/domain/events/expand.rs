//! Recurrence expansion of events: which occurrences of a series fall in a window. Pure: no
//! I/O, so the range read, the dispatcher (event alerts) and the iCalendar code share it.
//!
//! The rules, by RFC 5545:
//! - A timed series recurs in its own zone: the local time of DTSTART is kept on every
//!   occurrence (09:00 Europe/Berlin stays 09:00 across DST). An occurrence whose local time
//!   does not exist (spring forward) is moved forward by the gap; one that exists twice (fall
//!   back) is the first (§3.3.5). The `rrule` crate walks local times in a frame without
//!   gaps (wall-clock times written as UTC) and `recurrence::local_to_utc` places each in the
//!   zone: walked in the zone, the crate drops days whose midnight does not exist.
//! - DTSTART is always the first occurrence (§3.8.5.3), even where the rule would not produce
//!   it; COUNT counts it.
//! - An all-day series recurs on dates (expanded at 00:00 UTC); its occurrences are placed in
//!   time by a "floating" zone (the viewer's for a range read, the event's for alerts).
//! - Exdates remove occurrences; an override replaces its occurrence with its own timing,
//!   which may move it into or out of the window.
//!
//! Cost: a series without COUNT is not walked from its start. Its anchor is moved forward by
//! whole periods (INTERVAL × FREQ) to just before the window, after the rule's implicit parts
//! (BYDAY for WEEKLY, BYMONTHDAY for MONTHLY, BYMONTH and BYMONTHDAY for YEARLY) were made
//! explicit from the real start, so an infinite rule costs what the window holds. A counted
//! series must be walked from its start to number its occurrences; COUNT is bounded by
//! `recurrence::MAX_COUNT`.

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use rrule::{NWeekday, RRule, Unvalidated};

use super::{Timing, date_midnight};
use crate::domain::recurrence::{Frame, Recurrence, local_to_utc};
use crate::domain::time::{UtcMillis, YEARS};

/// The most occurrences a window may hold (issue 10: a range read answers at most 5,000).
pub const MAX_OCCURRENCES: usize = 5_000;

/// An event as expansion sees it.
#[derive(Debug, Clone, Copy)]
pub struct Series<'a> {
    /// The first occurrence's timing (DTSTART and DTEND).
    pub timing: Timing,
    /// The zone a timed series recurs in.
    pub zone: Tz,
    pub recurrence: Option<&'a Recurrence>,
    /// Excluded occurrences, as recurrence ids (see `Occurrence::recurrence_id`).
    pub exdates: &'a [i64],
}

/// A changed occurrence: which one it replaces and where it is now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Override {
    pub recurrence_id: i64,
    pub timing: Timing,
}

/// A half-open window of time `[start, end)`. `floating` places all-day dates in time: the
/// date D covers `[D 00:00, D+1 00:00)` in that zone.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub start: UtcMillis,
    pub end: UtcMillis,
    pub floating: Tz,
}

/// One occurrence in a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    /// The occurrence's original start, for a recurring series: unix ms of the instant for a
    /// timed series, of the date at 00:00 UTC for an all-day one. `None` for a single event.
    pub recurrence_id: Option<i64>,
    /// Where the occurrence is (an override's own timing when it has one).
    pub timing: Timing,
    /// The index in `overrides` of the override that replaced it.
    pub override_index: Option<usize>,
}

/// The window would hold more occurrences than asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooMany;

/// The occurrences of `series` (with `overrides` applied) that overlap `window`, sorted by
/// start, at most `max` of them (`Err(TooMany)` beyond). An occurrence overlaps when it
/// starts before the window ends and ends after it starts.
///
/// ```text
/// let found = expand(&series, &overrides, &window, MAX_OCCURRENCES)?;
/// ```
pub fn expand(
    series: &Series<'_>,
    overrides: &[Override],
    window: &Window,
    max: usize,
) -> Result<Vec<Occurrence>, TooMany> {
    let mut found = Vec::new();
    if series.recurrence.is_none() {
        if overlaps(series.timing, window) {
            found.push(Occurrence { recurrence_id: None, timing: series.timing, override_index: None });
        }
        return Ok(found);
    }
    let replaced = |rid: i64| overrides.iter().any(|o| o.recurrence_id == rid);
    // Candidates reach a day past each edge (at most one occurrence a day, FREQ=DAILY being
    // the finest), so a few more than `max` may come back before the exact overlap test.
    for rid in base_starts(series, window, max.saturating_add(overrides.len()).saturating_add(4))? {
        if series.exdates.contains(&rid) || replaced(rid) {
            continue;
        }
        let timing = series.timing.moved_to(rid);
        if overlaps(timing, window) {
            found.push(Occurrence { recurrence_id: Some(rid), timing, override_index: None });
        }
    }
    for (index, moved) in overrides.iter().enumerate() {
        if !series.exdates.contains(&moved.recurrence_id) && overlaps(moved.timing, window) {
            found.push(Occurrence {
                recurrence_id: Some(moved.recurrence_id),
                timing: moved.timing,
                override_index: Some(index),
            });
        }
    }
    if found.len() > max {
        return Err(TooMany);
    }
    found.sort_by_key(|o| (o.timing.start_millis(window.floating), o.recurrence_id));
    Ok(found)
}

/// Whether `rid` is an occurrence of the series' rule (DTSTART included, exdates excluded,
/// overrides ignored): what a `recurrence_id` in a request must name.
pub fn is_occurrence(series: &Series<'_>, rid: i64) -> bool {
    if series.recurrence.is_none() || series.exdates.contains(&rid) {
        return false;
    }
    let probe = Window { start: UtcMillis(rid), end: UtcMillis(rid + 1), floating: chrono_tz::UTC };
    let exact = Series { timing: series.timing.with_length(1), ..*series };
    base_starts(&exact, &probe, 4).is_ok_and(|starts| starts.contains(&rid))
}

/// Whether the rule gives an occurrence after DTSTART (or asks for exactly one). A rule that
/// can never match (`BYMONTH=2;BYMONTHDAY=30`) makes the `rrule` crate search up to its loop
/// limit on every expansion, so such a rule is refused when it is written; this search is
/// paid once, there.
pub fn repeats(series: &Series<'_>) -> bool {
    let Some(rule) = series.recurrence else { return true };
    if rule.count() == Some(1) {
        return true;
    }
    let first = series.timing.recurrence_id();
    let Some(end) = NaiveDate::from_ymd_opt(*YEARS.end() + 1, 1, 1) else { return true };
    let window = Window { start: UtcMillis(first), end: UtcMillis(date_midnight(end)), floating: chrono_tz::UTC };
    let exact = Series { timing: series.timing.with_length(1), exdates: &[], ..*series };
    base_starts(&exact, &window, 2).map_or(true, |starts| starts.iter().any(|start| *start != first))
}

/// How many occurrences of the rule (DTSTART included, exdates too) start before `rid`: the
/// COUNT the first part keeps when a counted series is split there.
pub fn count_before(series: &Series<'_>, rid: i64) -> usize {
    let Some(rule) = series.recurrence else { return 0 };
    let limit = rule.count().map_or(usize::MAX, |n| n as usize);
    let all = Series { exdates: &[], ..*series };
    let first = series.timing.recurrence_id();
    let window = Window { start: UtcMillis(first), end: UtcMillis(rid), floating: chrono_tz::UTC };
    let exact = Series { timing: all.timing.with_length(1), ..all };
    base_starts(&exact, &window, limit.min(crate::domain::recurrence::MAX_COUNT as usize))
        .map_or(0, |starts| starts.iter().filter(|s| **s < rid).count())
}

/// The bounds every occurrence lies within, for the `span_start`/`span_end` columns the range
/// read selects by: `None` as the end for a series without end. All-day bounds are widened by
/// 14 hours each way (the largest zone offsets), so any viewer's window finds them.
pub fn span(series: &Series<'_>, overrides: &[Override]) -> (i64, Option<i64>) {
    const WIDEN: i64 = 14 * 3_600_000;
    let bounds = |timing: Timing| match timing {
        Timing::Timed { start, end } => (start.0, end.0),
        Timing::AllDay { start, end } => (date_midnight(start) - WIDEN, date_midnight(end) + WIDEN),
    };
    let (mut low, first_end) = bounds(series.timing);
    let mut high = match series.recurrence {
        None => Some(first_end),
        Some(rule) => last_end(series, rule).map(|last| last.max(first_end)),
    };
    for moved in overrides {
        let (start, end) = bounds(moved.timing);
        low = low.min(start);
        high = high.map(|high| high.max(end));
    }
    (low, high)
}

/// The end bound of the last occurrence of a finite rule; `None` for one without end.
fn last_end(series: &Series<'_>, rule: &Recurrence) -> Option<i64> {
    const WIDEN: i64 = 14 * 3_600_000;
    let length = series.timing.length_millis();
    if let Some(until) = rule.until() {
        return Some(match series.timing {
            Timing::Timed { .. } => until.instant(series.zone).timestamp_millis() + length,
            Timing::AllDay { .. } => date_midnight(until.date()) + length + WIDEN,
        });
    }
    let count = rule.count()?;
    let all = Series { exdates: &[], ..*series };
    let window = Window {
        start: UtcMillis(series.timing.recurrence_id()),
        end: UtcMillis(date_midnight(NaiveDate::from_ymd_opt(*YEARS.end() + 1, 1, 1)?)),
        floating: chrono_tz::UTC,
    };
    let exact = Series { timing: all.timing.with_length(1), ..all };
    let last = base_starts(&exact, &window, count as usize + 1).ok()?.into_iter().max()?;
    Some(match series.timing {
        Timing::Timed { .. } => last + length,
        Timing::AllDay { .. } => last + length + WIDEN,
    })
}

fn overlaps(timing: Timing, window: &Window) -> bool {
    let (start, end) = timing.bounds(window.floating);
    start < window.end.0 && end > window.start.0
}

/// The recurrence ids of the rule's occurrences (DTSTART first) that could overlap the
/// window, ignoring exdates and overrides.
///
/// The crate walks a `Frame` without gaps: a timed series' local wall-clock times written as
/// UTC (an all-day series' dates at 00:00 UTC already are). Each local time it gives is then
/// placed in the zone by `local_to_utc` (§3.3.5). Walked in the zone itself, the crate loses
/// every day whose midnight does not exist (Havana, Santiago, Beirut change at 00:00): it
/// builds each day's dates from that midnight.
fn base_starts(series: &Series<'_>, window: &Window, max: usize) -> Result<Vec<i64>, TooMany> {
    let Some(rule) = series.recurrence else { return Ok(Vec::new()) };
    // Generous candidate bounds in UTC: a start up to the occurrence's length before the
    // window (plus a day for the floating zone of all-day dates) can still overlap it.
    let day = 86_400_000;
    let low = window.start.0 - series.timing.length_millis() - day;
    let high = window.end.0 + day;
    let first = series.timing.recurrence_id();
    let frame = if series.timing.is_all_day() { Frame::dates() } else { Frame::zoned(series.zone) };
    let start = to_zone(frame.of_instant(first), chrono_tz::UTC);
    let date_only = series.timing.is_all_day();
    let mut starts = Vec::new();
    if (low..high).contains(&first) {
        starts.push(first);
    }
    if high <= first {
        return Ok(starts);
    }
    let Some(mut rule_set) = rule.rule_at(&start, date_only) else { return Ok(starts) };
    // UNTIL is an instant: in the frame it is a local time, a day later for the slack the
    // frame's fall-backs and gaps need; the exact test is on the instants below.
    let until = match (rule.until(), frame.zone()) {
        (Some(until), Some(zone)) => {
            let at = until.instant(zone).timestamp_millis();
            rule_set = rule_set.until(to_zone(frame.of_instant(at) + day, chrono_tz::UTC));
            Some(at)
        }
        _ => None,
    };
    if let Some(count) = rule.count() {
        // COUNT counts DTSTART: when the rule does not produce it, one fewer comes from the rule.
        if !produces(&rule_set, &start) {
            if count <= 1 {
                return Ok(starts);
            }
            rule_set = rule_set.count(count - 1);
        }
    }
    // The window in the frame, a day wider each way: a local time and its instant differ by
    // the zone's offset, which the window's edges do not know in advance.
    let (frame_low, frame_high) = (frame.of_instant(low) - day, frame.of_instant(high) + day);
    let anchor = if rule.count().is_none() { jump(&rule_set, &start, frame_low, date_only) } else { None };
    let (rule_set, anchor) = match anchor {
        Some((explicit, anchor)) => (explicit, anchor),
        None => (rule_set, start),
    };
    let Ok(set) = rule_set.build(anchor) else { return Ok(starts) };
    // At most one occurrence a day (FREQ=DAILY is the finest): the margins above and UNTIL's
    // slack add at most six candidates, so a full answer still means more than `max` are in.
    let limit = u16::try_from(max.saturating_add(8)).unwrap_or(u16::MAX);
    let after = to_zone(frame_low.max(start.timestamp_millis()), chrono_tz::UTC);
    let result = set.after(after).before(to_zone(frame_high, chrono_tz::UTC)).all(limit);
    for at in result.dates {
        if at == start {
            continue;
        }
        let ms = frame.instant(at.naive_utc());
        let in_years = DateTime::<Utc>::from_timestamp_millis(ms).is_some_and(|t| YEARS.contains(&t.year()));
        if (low..high).contains(&ms) && until.is_none_or(|until| ms <= until) && in_years && ms != first {
            starts.push(ms);
        }
    }
    if starts.len() > max {
        return Err(TooMany);
    }
    starts.sort_unstable();
    Ok(starts)
}

/// Whether the rule produces its own start (its first occurrence is DTSTART).
fn produces(rule: &RRule<Unvalidated>, start: &DateTime<rrule::Tz>) -> bool {
    rule.clone().build(*start).is_ok_and(|set| set.all(1).dates.first() == Some(start))
}

fn to_zone(ms: i64, zone: Tz) -> DateTime<rrule::Tz> {
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default().with_timezone(&rrule::Tz::Tz(zone))
}

/// A later anchor for an uncounted rule: the start moved forward by whole periods to at
/// least two days before `low`, with the implicit parts made explicit from the real start.
/// `None` when the start is already close enough (or no later anchor exists cleanly).
fn jump(
    rule: &RRule<Unvalidated>,
    start: &DateTime<rrule::Tz>,
    low: i64,
    date_only: bool,
) -> Option<(RRule<Unvalidated>, DateTime<rrule::Tz>)> {
    let zone = match start.timezone() {
        rrule::Tz::Tz(zone) => zone,
        rrule::Tz::Local(_) => chrono_tz::UTC,
    };
    let local_start = start.naive_local();
    let target = to_zone(low, zone).naive_local().date() - Duration::days(2);
    if target <= local_start.date() {
        return None;
    }
    let explicit = with_implicit_parts(rule.clone(), local_start);
    let interval = i64::from(rule.get_interval().max(1));
    let periods = |k: i64| -> Option<NaiveDate> {
        let from = local_start.date();
        match rule.get_freq() {
            rrule::Frequency::Daily => from.checked_add_signed(Duration::days(k * interval)),
            rrule::Frequency::Weekly => from.checked_add_signed(Duration::weeks(k * interval)),
            rrule::Frequency::Monthly => {
                from.with_day(1)?.checked_add_months(Months::new(u32::try_from(k * interval).ok()?))
            }
            rrule::Frequency::Yearly => NaiveDate::from_ymd_opt(from.year() + i32::try_from(k * interval).ok()?, 1, 1),
            _ => None,
        }
    };
    let whole = match rule.get_freq() {
        rrule::Frequency::Daily => (target - local_start.date()).num_days() / interval,
        rrule::Frequency::Weekly => (target - local_start.date()).num_weeks() / interval,
        rrule::Frequency::Monthly => {
            let months = i64::from(target.year() - local_start.year()) * 12 + i64::from(target.month())
                - i64::from(local_start.month());
            months / interval
        }
        rrule::Frequency::Yearly => i64::from(target.year() - local_start.year()) / interval,
        _ => 0,
    };
    // A local time that does not exist (or exists twice) on the anchor's day would change
    // the rule's time of day; an earlier period is as good.
    for k in (1..=whole).rev().take(3) {
        let date = periods(k)?;
        let local: NaiveDateTime = date.and_time(local_start.time());
        let anchor = if date_only {
            Some(local.and_utc().with_timezone(&rrule::Tz::UTC))
        } else {
            rrule::Tz::Tz(zone).from_local_datetime(&local).single()
        };
        if let Some(anchor) = anchor.filter(|a| local_to_utc(zone, local) == a.with_timezone(&Utc)) {
            return Some((explicit, anchor));
        }
    }
    None
}

/// The rule with the parts RFC 5545 takes from DTSTART written out, so that it means the
/// same from another anchor.
fn with_implicit_parts(rule: RRule<Unvalidated>, start: NaiveDateTime) -> RRule<Unvalidated> {
    let has_day_parts =
        !rule.get_by_weekday().is_empty() || !rule.get_by_month_day().is_empty() || !rule.get_by_year_day().is_empty();
    if has_day_parts {
        return rule;
    }
    let day = start.day() as i8;
    match rule.get_freq() {
        rrule::Frequency::Weekly => rule.by_weekday(vec![NWeekday::Every(start.weekday())]),
        rrule::Frequency::Monthly => rule.by_month_day(vec![day]),
        rrule::Frequency::Yearly => {
            let month = chrono::Month::try_from(start.month() as u8).unwrap_or(chrono::Month::January);
            let rule = if rule.get_by_month().is_empty() { rule.by_month(&[month]) } else { rule };
            rule.by_month_day(vec![day])
        }
        _ => rule,
    }
}

#[cfg(test)]
mod tests;
