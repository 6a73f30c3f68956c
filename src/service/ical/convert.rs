//! Stored rows as iCalendar values and back. Stored lists are JSON: alerts as minutes,
//! exdates as recurrence ids (unix milliseconds; an RFC 3339 instant or a `YYYY-MM-DD` date is
//! read too).

use std::collections::HashMap;

use chrono_tz::Tz;

use crate::db::calendar_ics::{EventWrite, OverrideWrite};
use crate::db::events::{EventRow, OverrideRow};
use crate::domain::events;
use crate::domain::events::expand::{self, Override, Series};
use crate::domain::ical::model::date_id;
use crate::domain::ical::{IcsEvent, IcsOverride, Kept, Timing};
use crate::domain::recurrence::Recurrence;
use crate::domain::time::{UtcMillis, parse_date, parse_instant};

fn timing(
    all_day: bool,
    start_at: Option<i64>,
    end_at: Option<i64>,
    start_date: Option<&str>,
    end_date: Option<&str>,
) -> Timing {
    if all_day {
        let start = start_date.and_then(parse_date).unwrap_or_default();
        let end = end_date.and_then(parse_date).unwrap_or(start);
        Timing::AllDay { start, end }
    } else {
        let start = start_at.unwrap_or_default();
        Timing::Timed { start, end: end_at.unwrap_or(start) }
    }
}

fn ids(json: &str) -> Vec<i64> {
    let values: Vec<serde_json::Value> = serde_json::from_str(json).unwrap_or_default();
    values
        .iter()
        .filter_map(|v| match v {
            serde_json::Value::Number(n) => n.as_i64(),
            serde_json::Value::String(s) => parse_instant(s).map(|at| at.0).or_else(|| parse_date(s).map(date_id)),
            _ => None,
        })
        .collect()
}

fn override_of(row: OverrideRow, all_day: bool) -> IcsOverride {
    let all_day = all_day && row.start_date.is_some();
    IcsOverride {
        recurrence_id: row.recurrence_id,
        timing: timing(all_day, row.start_at, row.end_at, row.start_date.as_deref(), row.end_date.as_deref()),
        title: row.title,
        description: row.description,
        location: row.location,
        kept: Kept::default(),
    }
}

/// Rows of one calendar as events with their overrides, in row order.
pub fn to_ics(rows: Vec<EventRow>, overrides: Vec<OverrideRow>) -> Vec<IcsEvent> {
    let mut by_event: HashMap<i64, Vec<OverrideRow>> = HashMap::new();
    for row in overrides {
        by_event.entry(row.event_id.0).or_default().push(row);
    }
    rows.into_iter()
        .map(|row| {
            let all_day = row.all_day.get();
            let overrides =
                by_event.remove(&row.id.0).unwrap_or_default().into_iter().map(|o| override_of(o, all_day)).collect();
            IcsEvent {
                timing: timing(all_day, row.start_at, row.end_at, row.start_date.as_deref(), row.end_date.as_deref()),
                zone: row.timezone.parse::<Tz>().unwrap_or(chrono_tz::UTC),
                recurrence: row.recurrence.filter(|r| !r.is_empty()),
                exdates: ids(&row.exdates),
                alerts: serde_json::from_str(&row.alerts).unwrap_or_default(),
                overrides,
                kept: Kept::default(),
                uid: row.uid,
                title: row.title,
                description: row.description,
                location: row.location,
                revision: row.revision,
                created_at: row.created_at,
                updated_at: row.updated_at,
            }
        })
        .collect()
}

/// An event's rule, parsed (`None`: it does not repeat, or the rule does not parse).
pub fn rule_of(event: &IcsEvent) -> Option<Recurrence> {
    event.recurrence.as_deref().and_then(|text| Recurrence::parse(text).ok())
}

/// The event in the events module's terms, for `expand`: the series (repeating by `rule`,
/// from `rule_of`) and its overrides' timings. One mapping for the stored span and DAV's
/// expanded reads, so both see the same occurrences.
pub fn series_of<'a>(event: &'a IcsEvent, rule: Option<&'a Recurrence>) -> (Series<'a>, Vec<Override>) {
    let series =
        Series { timing: event_timing(event.timing), zone: event.zone, recurrence: rule, exdates: &event.exdates };
    let overrides = event
        .overrides
        .iter()
        .map(|o| Override { recurrence_id: o.recurrence_id, timing: event_timing(o.timing) })
        .collect();
    (series, overrides)
}

/// `span_start`/`span_end` as the events module computes them (every occurrence lies within;
/// a series without end has none), so the range read finds imported events like others.
fn span(event: &IcsEvent) -> (i64, Option<i64>) {
    let rule = rule_of(event);
    let (series, overrides) = series_of(event, rule.as_ref());
    expand::span(&series, &overrides)
}

/// Why an event from a file or a DAV client cannot be stored, when the API would refuse it
/// too (`domain::events::check_series`): a repeating event longer than its repeat allows, or
/// a rule that never gives a second occurrence. Either would make every range read over its
/// calendar fail or spin, for every member of a shared calendar.
pub fn series_problem(event: &IcsEvent) -> Option<String> {
    let rule = Recurrence::parse(event.recurrence.as_deref()?).ok()?;
    let timing = event_timing(event.timing);
    let max_days = events::SERIES_LENGTH_MAX_DAYS;
    if timing.length_millis() > max_days * 24 * 3_600_000 {
        return Some(format!("A repeating event lasts at most {max_days} days."));
    }
    let series = Series { timing, zone: event.zone, recurrence: Some(&rule), exdates: &event.exdates };
    (!expand::repeats(&series))
        .then(|| "The repeat rule never gives a second occurrence after the first (check the BY parts).".to_string())
}

/// The events module's timing of the same dates or instants.
fn event_timing(timing: Timing) -> events::Timing {
    match timing {
        Timing::Timed { start, end } => events::Timing::Timed { start: UtcMillis(start), end: UtcMillis(end) },
        Timing::AllDay { start, end } => events::Timing::AllDay { start, end },
    }
}

fn dates(timing: Timing) -> (Option<i64>, Option<i64>, Option<String>, Option<String>) {
    match timing {
        Timing::Timed { start, end } => (Some(start), Some(end), None, None),
        Timing::AllDay { start, end } => (None, None, Some(start.to_string()), Some(end.to_string())),
    }
}

/// An imported event as the values to store.
pub fn to_write(event: &IcsEvent) -> EventWrite<'_> {
    let (start_at, end_at, start_date, end_date) = dates(event.timing);
    let (span_start, span_end) = span(event);
    EventWrite {
        uid: &event.uid,
        title: &event.title,
        description: &event.description,
        location: &event.location,
        all_day: event.timing.is_all_day(),
        start_at,
        end_at,
        start_date,
        end_date,
        timezone: event.zone.name(),
        alerts: serde_json::to_string(&event.alerts).unwrap_or_else(|_| "[]".into()),
        recurrence: event.recurrence.as_deref(),
        exdates: serde_json::to_string(&event.exdates).unwrap_or_else(|_| "[]".into()),
        span_start,
        span_end,
    }
}

pub fn overrides_to_write(event: &IcsEvent) -> Vec<OverrideWrite<'_>> {
    event
        .overrides
        .iter()
        .map(|o| {
            let (start_at, end_at, start_date, end_date) = dates(o.timing);
            OverrideWrite {
                recurrence_id: o.recurrence_id,
                title: &o.title,
                description: &o.description,
                location: &o.location,
                start_at,
                end_at,
                start_date,
                end_date,
                kept: None,
            }
        })
        .collect()
}

/// Whether an import would change nothing of a stored event.
pub fn same_content(stored: &IcsEvent, imported: &IcsEvent) -> bool {
    // The kept client text is DAV's: a file import neither stores nor compares it.
    let strip = |e: &IcsEvent| IcsEvent { revision: 0, created_at: 0, updated_at: 0, ..e.without_kept() };
    strip(stored) == strip(imported)
}
