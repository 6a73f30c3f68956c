//! Values of imported properties, from calcard's entries: dates and date-times (with TZID or
//! floating), durations, text. Errors name the line; what UMBRA cannot keep is reported.

use calcard::common::PartialDateTime;
use calcard::icalendar::{ICalendarDuration, ICalendarEntry, ICalendarParameterName, ICalendarValue};
use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;

use super::lines::LineError;
use super::model::{Timing, date_id, local};
use super::zones;

/// A DATE or DATE-TIME as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum When {
    Date(NaiveDate),
    /// An instant (UTC, or with an explicit offset), in milliseconds.
    Instant(i64),
    /// A local time in the zone a TZID names, or floating (no TZID).
    Local(NaiveDateTime, Option<String>),
}

/// Why a value could not be taken as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueError {
    /// The file is malformed: 422.
    Malformed(LineError),
    /// A TZID UMBRA does not know: the event is skipped and reported.
    UnknownZone(String),
}

pub fn malformed(line: usize, message: impl Into<String>) -> ValueError {
    ValueError::Malformed(LineError { line, message: message.into() })
}

fn in_years(date: NaiveDate) -> bool {
    crate::domain::time::YEARS.contains(&date.year())
}

fn when_of(value: &PartialDateTime, tzid: Option<&str>) -> Option<When> {
    let date = NaiveDate::from_ymd_opt(i32::from(value.year?), u32::from(value.month?), u32::from(value.day?))?;
    let Some(hour) = value.hour else {
        return Some(When::Date(date));
    };
    let time = chrono::NaiveTime::from_hms_opt(
        u32::from(hour),
        u32::from(value.minute.unwrap_or(0)),
        u32::from(value.second.unwrap_or(0).min(59)),
    )?;
    let naive = date.and_time(time);
    match value.tz_hour {
        Some(tz_hour) => {
            let offset = i64::from(tz_hour) * 3600 + i64::from(value.tz_minute.unwrap_or(0)) * 60;
            let offset = if value.tz_minus { -offset } else { offset };
            Some(When::Instant((naive.and_utc().timestamp() - offset) * 1000))
        }
        None => Some(When::Local(naive, tzid.map(str::to_string))),
    }
}

/// Every DATE/DATE-TIME of an entry (EXDATE may hold several).
pub fn whens(entry: &ICalendarEntry, line: usize) -> Result<Vec<When>, ValueError> {
    let tzid = entry.tz_id();
    let mut out = Vec::with_capacity(entry.values.len());
    for value in &entry.values {
        let ICalendarValue::PartialDateTime(value) = value else {
            return Err(malformed(line, format!("{} is not a date or date-time", entry.name.as_str())));
        };
        let when = when_of(value, tzid)
            .ok_or_else(|| malformed(line, format!("{} is not a valid date or date-time", entry.name.as_str())))?;
        let date = match &when {
            When::Date(date) => *date,
            When::Local(local, _) => local.date(),
            When::Instant(ms) => local(chrono_tz::UTC, *ms).date(),
        };
        if !in_years(date) {
            return Err(malformed(line, format!("{} is outside the years 1900 to 2200", entry.name.as_str())));
        }
        out.push(when);
    }
    if out.is_empty() {
        return Err(malformed(line, format!("{} has no value", entry.name.as_str())));
    }
    Ok(out)
}

/// The single DATE/DATE-TIME of an entry.
pub fn when(entry: &ICalendarEntry, line: usize) -> Result<When, ValueError> {
    Ok(whens(entry, line)?.swap_remove(0))
}

/// The zone a local time is in: its TZID, else the file's default (floating time).
pub fn zone_of(tzid: Option<&str>, default: Tz) -> Result<Tz, ValueError> {
    match tzid {
        None => Ok(default),
        Some(tzid) => zones::resolve(tzid).ok_or_else(|| ValueError::UnknownZone(tzid.to_string())),
    }
}

/// A local time as an instant: a time that happens twice is its first occurrence, one skipped
/// by a spring-forward gap moves forward by the gap (RFC 5545 §3.3.5).
pub fn local_instant(zone: Tz, local: NaiveDateTime) -> i64 {
    if let Some(at) = zone.from_local_datetime(&local).earliest() {
        return at.timestamp_millis();
    }
    // In a gap: read the time with the offset in force before it (so 02:30 in a one-hour
    // gap is 03:30 after it, and 02:15 in Lord Howe's half-hour gap is 02:45).
    let before = zone.from_local_datetime(&(local - chrono::Duration::hours(3))).earliest();
    let offset = before.map_or(0, |at| i64::from(chrono::Offset::fix(at.offset()).local_minus_utc()));
    (local.and_utc().timestamp() - offset) * 1000
}

/// A DATE-TIME as an instant (a DATE is taken at `time_of_day` in `zone`).
pub fn instant(when: &When, zone: Tz, default: Tz, time_of_day: chrono::NaiveTime) -> Result<i64, ValueError> {
    match when {
        When::Instant(ms) => Ok(*ms),
        When::Local(naive, tzid) => Ok(local_instant(zone_of(tzid.as_deref(), default)?, *naive)),
        When::Date(date) => Ok(local_instant(zone, date.and_time(time_of_day))),
    }
}

/// A value as a recurrence id of a series with `timing` in `zone`: instants for timed
/// series, dates (00:00 UTC) for all-day ones.
pub fn recurrence_id(when: &When, timing: Timing, zone: Tz, default: Tz) -> Result<i64, ValueError> {
    match timing {
        Timing::AllDay { .. } => Ok(match when {
            When::Date(date) => date_id(*date),
            When::Local(local, _) => date_id(local.date()),
            When::Instant(ms) => date_id(local(zone, *ms).date()),
        }),
        Timing::Timed { start, .. } => instant(when, zone, default, local(zone, start).time()),
    }
}

/// A DURATION in seconds (negative when it says `-`).
pub fn seconds(duration: &ICalendarDuration) -> i64 {
    let total = i64::from(duration.weeks) * 7 * 86_400
        + i64::from(duration.days) * 86_400
        + i64::from(duration.hours) * 3600
        + i64::from(duration.minutes) * 60
        + i64::from(duration.seconds);
    if duration.neg { -total } else { total }
}

/// The first value as text (TEXT values come unescaped from calcard).
pub fn text(entry: &ICalendarEntry) -> String {
    // PostgreSQL cannot store U+0000; no calendar text needs it.
    entry.values.iter().filter_map(ICalendarValue::as_text).collect::<Vec<_>>().join(",").replace('\0', "")
}

/// The text of a parameter.
pub fn param<'e>(entry: &'e ICalendarEntry, name: &ICalendarParameterName) -> Option<&'e str> {
    entry.parameter(name).and_then(|value| value.as_text())
}
