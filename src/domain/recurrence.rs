//! Recurrence rules (RFC 5545 RRULE) for todos, reminders and, later, events: parsed and
//! expanded by the `rrule` crate, restricted here to the parts UMBRA supports, with errors that
//! name the offending part so a form can point at it. Expansion happens in the series' own time
//! zone, so a 09:00 Europe/Berlin series stays 09:00 local across daylight-saving changes.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone, Utc};
use rrule::{RRule, RRuleSet, Unvalidated};

/// The RRULE parts UMBRA accepts; anything else is refused with its name.
const SUPPORTED_PARTS: [&str; 10] =
    ["FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST", "BYYEARDAY"];

const SUPPORTED_FREQUENCIES: [&str; 4] = ["DAILY", "WEEKLY", "MONTHLY", "YEARLY"];

/// Longest RRULE text accepted (a generous rule is well under 200 characters).
pub const MAX_LEN: usize = 500;

/// Why a rule was refused: `part` is the RRULE part at fault (`FREQ`, `BYDAY`, …) or `RRULE`
/// when the rule as a whole does not hold together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecurrenceError {
    pub part: String,
    pub message: String,
}

impl RecurrenceError {
    fn new(part: &str, message: impl Into<String>) -> Self {
        Self { part: part.to_string(), message: message.into() }
    }
}

impl std::fmt::Display for RecurrenceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.part, self.message)
    }
}

/// A validated recurrence rule, kept as its normalised text (upper case, no `RRULE:` prefix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recurrence {
    text: String,
}

impl Recurrence {
    /// Parses and checks `text`, e.g. `FREQ=WEEKLY;BYDAY=MO` (an `RRULE:` prefix is allowed).
    pub fn parse(text: &str) -> Result<Self, RecurrenceError> {
        let text = text.trim();
        if text.len() > MAX_LEN {
            return Err(RecurrenceError::new("RRULE", format!("is longer than {MAX_LEN} characters")));
        }
        let text = text.strip_prefix("RRULE:").or_else(|| text.strip_prefix("rrule:")).unwrap_or(text);
        let text = text.to_ascii_uppercase();
        if text.is_empty() {
            return Err(RecurrenceError::new("FREQ", "is required"));
        }
        let mut seen: Vec<&str> = Vec::new();
        for part in text.split(';') {
            let Some((name, value)) = part.split_once('=') else {
                return Err(RecurrenceError::new(part, "must be written NAME=VALUE"));
            };
            if !SUPPORTED_PARTS.contains(&name) {
                return Err(RecurrenceError::new(name, "is not supported"));
            }
            if seen.contains(&name) {
                return Err(RecurrenceError::new(name, "appears twice"));
            }
            if name == "FREQ" && !SUPPORTED_FREQUENCIES.contains(&value) {
                return Err(RecurrenceError::new("FREQ", "must be DAILY, WEEKLY, MONTHLY or YEARLY"));
            }
            seen.push(name);
            // Each part on its own, after a harmless FREQ, so the error names the part at fault.
            let alone = if name == "FREQ" { part.to_string() } else { format!("FREQ=DAILY;{part}") };
            if let Err(error) = alone.parse::<RRule<Unvalidated>>() {
                return Err(RecurrenceError::new(name, error.to_string()));
            }
        }
        if !seen.contains(&"FREQ") {
            return Err(RecurrenceError::new("FREQ", "is required"));
        }
        if seen.contains(&"COUNT") && seen.contains(&"UNTIL") {
            return Err(RecurrenceError::new("UNTIL", "cannot be combined with COUNT"));
        }
        let rule: RRule<Unvalidated> =
            text.parse().map_err(|error: rrule::RRuleError| RecurrenceError::new("RRULE", error.to_string()))?;
        // Rules that only fail against a start (BYSETPOS without another BY part, …).
        let probe = rrule::Tz::UTC.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).single().expect("a valid probe start");
        rule.validate(probe).map_err(|error| RecurrenceError::new("RRULE", error.to_string()))?;
        Ok(Self { text })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The first occurrence strictly after `after` of the series that starts at local time
    /// `start` in `zone` (the start is the first occurrence when it matches the rule).
    pub fn next_after(&self, start: NaiveDateTime, zone: chrono_tz::Tz, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let zone = rrule::Tz::Tz(zone);
        let start = local_instant(zone, start)?;
        let rule: RRule<Unvalidated> = self.text.parse().ok()?;
        let set: RRuleSet = rule.build(start).ok()?;
        // `after` is inclusive in the rrule crate; one second on makes it strict. Only the
        // first is wanted. The walk from the start is bounded by `time::YEARS` (dates outside
        // them are refused), and rrule gives up on a rule that stops matching; a series that
        // would leave the years has ended.
        let after = (after + chrono::Duration::seconds(1)).with_timezone(&zone);
        let found = set.after(after).all(1);
        let next = found.dates.first().map(|date| date.with_timezone(&Utc))?;
        crate::domain::time::YEARS.contains(&next.year()).then_some(next)
    }

    /// The first date strictly after `after` of a date-only series starting on `start`.
    pub fn next_date_after(&self, start: NaiveDate, after: NaiveDate) -> Option<NaiveDate> {
        let start = start.and_hms_opt(0, 0, 0)?;
        let after = after.and_hms_opt(0, 0, 0)?.and_utc();
        self.next_after(start, chrono_tz::UTC, after).map(|next| next.date_naive())
    }
}

/// A local time as an instant: a time that happens twice (fall back) is its first occurrence,
/// one skipped by a spring-forward gap moves forward by the gap (RFC 5545 §3.3.5).
fn local_instant(zone: rrule::Tz, local: NaiveDateTime) -> Option<DateTime<rrule::Tz>> {
    if let Some(instant) = zone.from_local_datetime(&local).earliest() {
        return Some(instant);
    }
    let hour_later = local + chrono::Duration::hours(1);
    zone.from_local_datetime(&hour_later).earliest()
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone, Utc};

    use super::Recurrence;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn errors_name_the_part() {
        for (text, part) in [
            ("FREQ=HOURLY", "FREQ"),
            ("FREQ=WEEKLY;BYDAY=XX", "BYDAY"),
            ("FREQ=WEEKLY;BYHOUR=9", "BYHOUR"),
            ("FREQ=MONTHLY;BYMONTHDAY=40", "BYMONTHDAY"),
            ("INTERVAL=2", "FREQ"),
            ("FREQ=DAILY;COUNT=2;UNTIL=20300101T000000Z", "UNTIL"),
            ("FREQ=DAILY;FREQ=WEEKLY", "FREQ"),
            ("FREQ=DAILY;garbage", "GARBAGE"),
            ("", "FREQ"),
        ] {
            assert_eq!(Recurrence::parse(text).unwrap_err().part, part, "{text}");
        }
    }

    #[test]
    fn normalises_the_text() {
        assert_eq!(Recurrence::parse(" rrule:freq=weekly;byday=mo ").unwrap().as_str(), "FREQ=WEEKLY;BYDAY=MO");
    }

    #[test]
    fn monthly_on_the_31st_skips_short_months() {
        let rule = Recurrence::parse("FREQ=MONTHLY;BYMONTHDAY=31").unwrap();
        assert_eq!(rule.next_date_after(date(2027, 1, 31), date(2027, 1, 31)), Some(date(2027, 3, 31)));
        let last = Recurrence::parse("FREQ=MONTHLY;BYMONTHDAY=-1").unwrap();
        assert_eq!(last.next_date_after(date(2027, 1, 31), date(2027, 1, 31)), Some(date(2027, 2, 28)));
    }

    #[test]
    fn count_ends_the_series() {
        let rule = Recurrence::parse("FREQ=DAILY;COUNT=2").unwrap();
        assert_eq!(rule.next_date_after(date(2027, 1, 1), date(2027, 1, 1)), Some(date(2027, 1, 2)));
        assert_eq!(rule.next_date_after(date(2027, 1, 1), date(2027, 1, 2)), None);
    }

    #[test]
    fn a_series_ends_at_the_last_year_dates_may_have() {
        let rule = Recurrence::parse("FREQ=YEARLY").unwrap();
        assert_eq!(rule.next_date_after(date(2199, 6, 1), date(2199, 6, 1)), Some(date(2200, 6, 1)));
        assert_eq!(rule.next_date_after(date(2199, 6, 1), date(2200, 6, 1)), None);
    }

    #[test]
    fn local_time_survives_daylight_saving() {
        let rule = Recurrence::parse("FREQ=WEEKLY").unwrap();
        let start = date(2027, 3, 22).and_hms_opt(9, 0, 0).unwrap();
        // Berlin moves to summer time on 28 March 2027: 09:00 CET is 08:00Z, 09:00 CEST 07:00Z.
        let after = Utc.with_ymd_and_hms(2027, 3, 22, 8, 0, 0).unwrap();
        let next = rule.next_after(start, chrono_tz::Europe::Berlin, after).unwrap();
        assert_eq!(next, Utc.with_ymd_and_hms(2027, 3, 29, 7, 0, 0).unwrap());
    }
}
