//! Recurrence rules (RFC 5545 RRULE) for todos, reminders and events: parsed and expanded by
//! the `rrule` crate, restricted here to the parts UMBRA supports, with errors that name the
//! offending part so a form can point at it. Expansion keeps the series' local time in its own
//! zone, so a 09:00 Europe/Berlin series stays 09:00 local across daylight-saving changes; the
//! crate walks local times in a `Frame` without gaps (see `frame`), so a day whose midnight
//! does not exist keeps its occurrence.
//!
//! UNTIL is read here rather than by the crate (which would read a floating UNTIL in the
//! machine's zone): a `Z` time is an instant, a floating time is local to the series' zone and a
//! date is the whole of that day there (`Until::instant`). Events use the stricter
//! `check_event_parts` (no BYYEARDAY, issue 10) and the editing helpers (`with_count`,
//! `with_until`) that "this and following" needs.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone, Utc};
use rrule::{RRule, RRuleSet, Unvalidated};
use std::fmt::Write as _;

mod frame;
pub use frame::Frame;

/// The RRULE parts UMBRA accepts; anything else is refused with its name.
const SUPPORTED_PARTS: [&str; 10] =
    ["FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST", "BYYEARDAY"];

/// The parts issue 10 lists for events (todos and reminders also take BYYEARDAY).
const EVENT_PARTS: [&str; 9] =
    ["FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST"];

const SUPPORTED_FREQUENCIES: [&str; 4] = ["DAILY", "WEEKLY", "MONTHLY", "YEARLY"];

/// Longest RRULE text accepted (a generous rule is well under 200 characters).
pub const MAX_LEN: usize = 500;

/// The largest COUNT accepted: a counted series is expanded from its start (its occurrences
/// cannot be numbered otherwise), so its length bounds the work of every read of it.
pub const MAX_COUNT: u32 = 10_000;

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

/// A rule's UNTIL as written: a date, a floating local time or a UTC instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    Date(NaiveDate),
    Floating(NaiveDateTime),
    Utc(DateTime<Utc>),
}

impl Until {
    /// `YYYYMMDD`, `YYYYMMDDTHHMMSS` or `YYYYMMDDTHHMMSSZ`, within `time::YEARS`.
    fn parse(text: &str) -> Option<Self> {
        let until = match text.len() {
            8 => Self::Date(NaiveDate::parse_from_str(text, "%Y%m%d").ok()?),
            15 => Self::Floating(NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%S").ok()?),
            16 => Self::Utc(NaiveDateTime::parse_from_str(text.strip_suffix('Z')?, "%Y%m%dT%H%M%S").ok()?.and_utc()),
            _ => return None,
        };
        let year = match until {
            Self::Date(date) => date.year(),
            Self::Floating(at) => at.year(),
            Self::Utc(at) => at.year(),
        };
        crate::domain::time::YEARS.contains(&year).then_some(until)
    }

    /// The last instant the series may start at, for a series in `zone` (a date means the
    /// whole of that local day).
    pub fn instant(self, zone: chrono_tz::Tz) -> DateTime<Utc> {
        match self {
            Self::Utc(at) => at,
            Self::Floating(at) => local_to_utc(zone, at),
            Self::Date(date) => {
                let next = date.succ_opt().unwrap_or(date).and_hms_opt(0, 0, 0).unwrap_or_default();
                local_to_utc(zone, next) - chrono::Duration::seconds(1)
            }
        }
    }

    /// The last date a date-only series may fall on.
    pub fn date(self) -> NaiveDate {
        match self {
            Self::Date(date) => date,
            Self::Floating(at) => at.date(),
            Self::Utc(at) => at.date_naive(),
        }
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
        // RFC 5545's RRULE grammar is ASCII, and the `rrule` crate slices values by bytes:
        // a multi-byte character in a BYDAY value panicked inside it (found by fuzzing).
        if !text.is_ascii() {
            return Err(RecurrenceError::new("RRULE", "may hold only ASCII letters, digits and punctuation"));
        }
        let text = text.strip_prefix("RRULE:").or_else(|| text.strip_prefix("rrule:")).unwrap_or(text);
        let text = text.to_ascii_uppercase();
        if text.is_empty() {
            return Err(RecurrenceError::new("FREQ", "is required"));
        }
        let mut seen: Vec<&str> = Vec::new();
        for part in text.split(';') {
            let Some((name, value)) = part.split_once('=').filter(|(name, _)| !name.is_empty()) else {
                // A part without a name (`;;`, `=2`) cannot be pointed at by its name.
                let at_fault = if part.is_empty() || part.starts_with('=') { "RRULE" } else { part };
                return Err(RecurrenceError::new(at_fault, "must be written NAME=VALUE"));
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
            check_part(name, value, part)?;
        }
        if !seen.contains(&"FREQ") {
            return Err(RecurrenceError::new("FREQ", "is required"));
        }
        if seen.contains(&"COUNT") && seen.contains(&"UNTIL") {
            return Err(RecurrenceError::new("UNTIL", "cannot be combined with COUNT"));
        }
        if seen.contains(&"BYSETPOS")
            && !["BYDAY", "BYMONTHDAY", "BYMONTH", "BYYEARDAY"].iter().any(|p| seen.contains(p))
        {
            return Err(RecurrenceError::new("BYSETPOS", "needs BYDAY, BYMONTHDAY or BYMONTH beside it"));
        }
        let without_until = strip_parts(&text, &["UNTIL"]);
        let rule: RRule<Unvalidated> = without_until
            .parse()
            .map_err(|error: rrule::RRuleError| RecurrenceError::new("RRULE", error.to_string()))?;
        // Rules that only fail against a start.
        let probe = rrule::Tz::UTC.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).single().expect("a valid probe start");
        rule.validate(probe).map_err(|error| RecurrenceError::new("RRULE", error.to_string()))?;
        Ok(Self { text })
    }

    /// A rule read back from the database, where only `parse`d rules were stored: re-checking
    /// it on every read would cost a parse and a validation per series per range read.
    pub fn from_stored(text: &str) -> Self {
        Self { text: text.to_string() }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Refuses the parts events do not take (issue 10 lists FREQ, INTERVAL, COUNT, UNTIL,
    /// BYDAY, BYMONTHDAY, BYMONTH, BYSETPOS and WKST).
    pub fn check_event_parts(&self) -> Result<(), RecurrenceError> {
        match self.parts().find(|(name, _)| !EVENT_PARTS.contains(name)) {
            Some((name, _)) => Err(RecurrenceError::new(name, "is not supported for events")),
            None => Ok(()),
        }
    }

    fn parts(&self) -> impl Iterator<Item = (&str, &str)> {
        self.text.split(';').filter_map(|part| part.split_once('='))
    }

    fn part(&self, name: &str) -> Option<&str> {
        self.parts().find(|(part, _)| *part == name).map(|(_, value)| value)
    }

    /// The rule's COUNT: how many occurrences the series has in all.
    pub fn count(&self) -> Option<u32> {
        self.part("COUNT").and_then(|n| n.parse().ok())
    }

    pub fn until(&self) -> Option<Until> {
        self.part("UNTIL").and_then(Until::parse)
    }

    /// Whether the series ends (COUNT or UNTIL).
    pub fn is_finite(&self) -> bool {
        self.part("COUNT").is_some() || self.part("UNTIL").is_some()
    }

    /// The same rule with COUNT=`count` instead of any COUNT or UNTIL.
    #[must_use]
    pub fn with_count(&self, count: u32) -> Self {
        let mut text = strip_parts(&self.text, &["COUNT", "UNTIL"]);
        let _ = write!(text, ";COUNT={count}");
        Self { text }
    }

    /// The same rule ending at `until` instead of any COUNT or UNTIL.
    #[must_use]
    pub fn with_until(&self, until: Until) -> Self {
        let value = match until {
            Until::Date(date) => date.format("%Y%m%d").to_string(),
            Until::Floating(at) => at.format("%Y%m%dT%H%M%S").to_string(),
            Until::Utc(at) => at.format("%Y%m%dT%H%M%SZ").to_string(),
        };
        let mut text = strip_parts(&self.text, &["COUNT", "UNTIL"]);
        let _ = write!(text, ";UNTIL={value}");
        Self { text }
    }

    /// The rule as the `rrule` crate takes it for a series starting at `start`: UNTIL resolved
    /// in the series' zone (`date_only`: UNTIL is a last date, compared at 00:00 UTC).
    pub fn rule_at(&self, start: &DateTime<rrule::Tz>, date_only: bool) -> Option<RRule<Unvalidated>> {
        let rule: RRule<Unvalidated> = strip_parts(&self.text, &["UNTIL"]).parse().ok()?;
        let Some(until) = self.until() else { return Some(rule) };
        let at = if date_only {
            until.date().and_hms_opt(0, 0, 0)?.and_utc()
        } else {
            let zone = match start.timezone() {
                rrule::Tz::Tz(zone) => zone,
                rrule::Tz::Local(_) => chrono_tz::UTC,
            };
            until.instant(zone)
        };
        Some(rule.until(at.with_timezone(&rrule::Tz::UTC)))
    }

    /// The first occurrence strictly after `after` of the series that starts at local time
    /// `start` in `zone` (the start is the first occurrence when it matches the rule).
    ///
    /// The crate walks the series' `Frame` and each local time it gives is placed in `zone`
    /// by §3.3.5, so a day whose midnight does not exist keeps its occurrence (moved forward
    /// by the gap) and COUNT counts it; walked in the zone, the crate dropped that day.
    pub fn next_after(&self, start: NaiveDateTime, zone: chrono_tz::Tz, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        const DAY: i64 = 86_400_000;
        let frame = Frame::zoned(zone);
        let in_frame = |ms: i64| DateTime::<Utc>::from_timestamp_millis(ms).map(|at| at.with_timezone(&rrule::Tz::UTC));
        let mut rule: RRule<Unvalidated> = strip_parts(&self.text, &["UNTIL"]).parse().ok()?;
        // UNTIL is an instant: in the frame it is a local time, a day later for the slack a
        // zone's changes need; the exact test is on the instants below.
        let until = self.until().map(|until| until.instant(zone).timestamp_millis());
        if let Some(until) = until {
            rule = rule.until(in_frame(frame.of_instant(until) + DAY)?);
        }
        let set: RRuleSet = rule.build(start.and_utc().with_timezone(&rrule::Tz::UTC)).ok()?;
        // A local time and its instant differ by an offset that may change near `after`, so
        // the search starts a day early in the frame and the strict test is on instants. Every
        // occurrence has DTSTART's time of day (no BYHOUR), so they are a day or more apart
        // and at most two of the four candidates come before `after`. The walk from the start
        // is bounded by `time::YEARS` (dates outside them are refused), and rrule gives up on
        // a rule that stops matching; a series that would leave the years has ended.
        let after = after.timestamp_millis();
        let found = set.after(in_frame(frame.of_instant(after) - DAY)?).all(4);
        let next = found
            .dates
            .iter()
            .map(|local| frame.instant(local.naive_utc()))
            .filter(|ms| *ms > after && until.is_none_or(|until| *ms <= until))
            .min()?;
        let next = DateTime::<Utc>::from_timestamp_millis(next)?;
        crate::domain::time::YEARS.contains(&next.year()).then_some(next)
    }

    /// The first date strictly after `after` of a date-only series starting on `start`.
    pub fn next_date_after(&self, start: NaiveDate, after: NaiveDate) -> Option<NaiveDate> {
        let start = start.and_hms_opt(0, 0, 0)?;
        let after = after.and_hms_opt(0, 0, 0)?.and_utc();
        self.next_after(start, chrono_tz::UTC, after).map(|next| next.date_naive())
    }
}

/// Checks one part on its own, so the error names the part at fault.
fn check_part(name: &str, value: &str, part: &str) -> Result<(), RecurrenceError> {
    match name {
        "UNTIL" => {
            if Until::parse(value).is_none() {
                return Err(RecurrenceError::new(
                    "UNTIL",
                    "must be a date (YYYYMMDD) or a date and time (YYYYMMDDTHHMMSS, Z for UTC) within the supported years",
                ));
            }
            Ok(())
        }
        // The rrule crate reads a BYDAY ordinal leniently (anything unreadable before the
        // weekday counts as none: `-x1FR` was every Friday): each value is checked here as
        // RFC 5545 writes it, `[+|-]ordinal` (1–53) and a weekday (found by fuzzing).
        "BYDAY" if !value.split(',').all(is_weekday_num) => Err(RecurrenceError::new(
            "BYDAY",
            "each value must be a weekday (MO … SU), optionally after a position such as 1, -1 or +2",
        )),
        "COUNT" => match value.parse::<u32>() {
            Ok(n) if (1..=MAX_COUNT).contains(&n) => Ok(()),
            _ => Err(RecurrenceError::new("COUNT", format!("must be a whole number from 1 to {MAX_COUNT}"))),
        },
        _ => {
            // After a harmless FREQ, so that only this part can be at fault.
            let alone = if name == "FREQ" { part.to_string() } else { format!("FREQ=DAILY;{part}") };
            alone
                .parse::<RRule<Unvalidated>>()
                .map(|_| ())
                .map_err(|error| RecurrenceError::new(name, error.to_string()))
        }
    }
}

/// RFC 5545's `weekdaynum`: `[[+|-] ordwk] weekday`, ordwk 1–53.
fn is_weekday_num(value: &str) -> bool {
    const DAYS: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
    let Some(split) = value.len().checked_sub(2) else { return false };
    let (position, day) = value.split_at(split);
    let digits = position.strip_prefix(['+', '-']).unwrap_or(position);
    let position_ok = position.is_empty()
        || ((1..=2).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && digits.parse::<u8>().is_ok_and(|n| (1..=53).contains(&n)));
    DAYS.contains(&day) && position_ok
}

/// `text` without the named parts.
fn strip_parts(text: &str, names: &[&str]) -> String {
    text.split(';')
        .filter(|part| !names.iter().any(|name| part.split_once('=').is_some_and(|(n, _)| n == *name)))
        .collect::<Vec<_>>()
        .join(";")
}

/// A local time as an instant, by RFC 5545 §3.3.5: a time that happens twice (fall back) is
/// its first occurrence; one skipped by a spring-forward gap is read with the offset in force
/// before the gap, which moves it forward by the gap's length (an hour in most zones, half an
/// hour on Lord Howe Island).
pub fn local_to_utc(zone: chrono_tz::Tz, local: NaiveDateTime) -> DateTime<Utc> {
    use chrono::Offset;
    if let Some(instant) = zone.from_local_datetime(&local).earliest() {
        return instant.with_timezone(&Utc);
    }
    // A day before the gap no zone changes its offset twice: that offset is the one before.
    let before = zone.offset_from_utc_datetime(&(local - chrono::Duration::days(1))).fix();
    (local - chrono::Duration::seconds(i64::from(before.local_minus_utc()))).and_utc()
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
            // Found by fuzzing (fuzz/fuzz_targets/rrule.rs): nameless parts named no part.
            ("FREQ=YEARLY;=2;BYMONTHDAY=29", "RRULE"),
            ("FREQ=DAILY;;COUNT=2", "RRULE"),
            ("FREQ=DAILY;", "RRULE"),
            // A character the rrule crate sliced through and panicked on.
            ("FREQ=MONTHLY;BYDAY=-0ѹR", "RRULE"),
            ("FREQ=WEEKLY;BYDAY=MÖ", "RRULE"),
            // Ordinals the rrule crate read as none (every Friday) instead of refusing.
            ("FREQ=MONTHLY;BYDAY=-\u{1c}1FR", "BYDAY"),
            ("FREQ=MONTHLY;BYDAY=1STFR", "BYDAY"),
            ("FREQ=MONTHLY;BYDAY=0FR", "BYDAY"),
            ("FREQ=MONTHLY;BYDAY=54MO", "BYDAY"),
            ("FREQ=MONTHLY;BYDAY=+-1MO", "BYDAY"),
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
    fn until_is_read_in_the_series_zone() {
        use super::Until;
        let rule = Recurrence::parse("FREQ=DAILY;UNTIL=20270110").unwrap();
        assert_eq!(rule.until(), Some(Until::Date(date(2027, 1, 10))));
        let berlin = chrono_tz::Europe::Berlin;
        assert_eq!(rule.until().unwrap().instant(berlin), Utc.with_ymd_and_hms(2027, 1, 10, 22, 59, 59).unwrap());
        let floating = Recurrence::parse("FREQ=DAILY;UNTIL=20270110T090000").unwrap();
        assert_eq!(floating.until().unwrap().instant(berlin), Utc.with_ymd_and_hms(2027, 1, 10, 8, 0, 0).unwrap());
        for bad in ["FREQ=DAILY;UNTIL=2027", "FREQ=DAILY;UNTIL=22270101", "FREQ=DAILY;UNTIL=20270230"] {
            assert_eq!(Recurrence::parse(bad).unwrap_err().part, "UNTIL", "{bad}");
        }
        assert_eq!(Recurrence::parse("FREQ=DAILY;COUNT=0").unwrap_err().part, "COUNT");
        assert_eq!(Recurrence::parse("FREQ=DAILY;COUNT=10001").unwrap_err().part, "COUNT");
        assert_eq!(Recurrence::parse("FREQ=MONTHLY;BYSETPOS=1").unwrap_err().part, "BYSETPOS");
    }

    #[test]
    fn events_take_only_their_parts_and_ends_can_be_replaced() {
        let rule = Recurrence::parse("FREQ=YEARLY;BYYEARDAY=100").unwrap();
        assert_eq!(rule.check_event_parts().unwrap_err().part, "BYYEARDAY");
        let rule = Recurrence::parse("FREQ=WEEKLY;COUNT=5;BYDAY=MO").unwrap();
        assert!(rule.check_event_parts().is_ok() && rule.is_finite());
        assert_eq!(rule.with_count(2).as_str(), "FREQ=WEEKLY;BYDAY=MO;COUNT=2");
        let until = super::Until::Utc(Utc.with_ymd_and_hms(2027, 1, 1, 8, 0, 0).unwrap());
        assert_eq!(rule.with_until(until).as_str(), "FREQ=WEEKLY;BYDAY=MO;UNTIL=20270101T080000Z");
        assert_eq!(rule.with_until(until).count(), None);
    }

    #[test]
    fn a_skipped_local_time_moves_by_the_gap() {
        use super::local_to_utc;
        // Berlin, 28 March 2027: 02:30 does not exist; read with +01:00 it is 01:30Z (03:30 CEST).
        let at = date(2027, 3, 28).and_hms_opt(2, 30, 0).unwrap();
        assert_eq!(local_to_utc(chrono_tz::Europe::Berlin, at), Utc.with_ymd_and_hms(2027, 3, 28, 1, 30, 0).unwrap());
        // Lord Howe moves by half an hour at 02:00 on 3 October 2027: 02:15 is 02:45 (+11:00).
        let at = date(2027, 10, 3).and_hms_opt(2, 15, 0).unwrap();
        let lord_howe = chrono_tz::Australia::Lord_Howe;
        assert_eq!(local_to_utc(lord_howe, at), Utc.with_ymd_and_hms(2027, 10, 2, 15, 45, 0).unwrap());
        // New York falls back on 7 November 2027: 01:30 is the first one, EDT.
        let at = date(2027, 11, 7).and_hms_opt(1, 30, 0).unwrap();
        assert_eq!(
            local_to_utc(chrono_tz::America::New_York, at),
            Utc.with_ymd_and_hms(2027, 11, 7, 5, 30, 0).unwrap()
        );
    }

    /// `next_after` in Havana for a series starting at `start` (local), after the instant
    /// `after`; instants are written `YYYY-MM-DDTHH:MMZ`.
    fn havana_next(rule: &str, start: &str, after: &str) -> Option<String> {
        let start = chrono::NaiveDateTime::parse_from_str(start, "%Y-%m-%d %H:%M").unwrap();
        let after = chrono::NaiveDateTime::parse_from_str(after, "%Y-%m-%dT%H:%MZ").unwrap().and_utc();
        let next = Recurrence::parse(rule).unwrap().next_after(start, chrono_tz::America::Havana, after);
        next.map(|at| at.format("%Y-%m-%dT%H:%MZ").to_string())
    }

    #[test]
    fn a_day_without_midnight_keeps_its_occurrence() {
        // Havana (UTC-5, UTC-4 in summer) moves from 00:00 to 01:00 on Sunday 14 March 2027:
        // 00:00 and 00:30 that day are 01:00 and 01:30 CDT, 05:00Z and 05:30Z (§3.3.5).
        for (time, before, gap, after) in [
            ("00:00", "2027-03-13T05:00Z", "2027-03-14T05:00Z", "2027-03-15T04:00Z"),
            ("00:30", "2027-03-13T05:30Z", "2027-03-14T05:30Z", "2027-03-15T04:30Z"),
        ] {
            let start = format!("2027-03-12 {time}");
            assert_eq!(havana_next("FREQ=DAILY", &start, before).as_deref(), Some(gap), "{time} daily");
            assert_eq!(havana_next("FREQ=DAILY", &start, gap).as_deref(), Some(after), "{time} the day after");
            let far = format!("2020-03-01 {time}");
            let sundays = "FREQ=WEEKLY;BYDAY=SU";
            assert_eq!(havana_next(sundays, &far, before).as_deref(), Some(gap), "{time} weekly on Sundays");
            // COUNT counts the gap day: the 12th, the 13th and the 14th.
            assert_eq!(havana_next("FREQ=DAILY;COUNT=3", &start, before).as_deref(), Some(gap), "{time} counted");
            assert_eq!(havana_next("FREQ=DAILY;COUNT=3", &start, gap), None, "{time} the count is reached");
            // UNTIL on the gap day: the whole local day, or an instant that is inclusive.
            assert_eq!(havana_next("FREQ=DAILY;UNTIL=20270314", &start, before).as_deref(), Some(gap), "{time}");
            assert_eq!(havana_next("FREQ=DAILY;UNTIL=20270314", &start, gap), None, "{time} until");
        }
        let until = |at: &str| havana_next(&format!("FREQ=DAILY;UNTIL={at}"), "2027-03-12 00:30", "2027-03-13T05:30Z");
        assert_eq!(until("20270314T053000Z").as_deref(), Some("2027-03-14T05:30Z"));
        assert_eq!(until("20270314T052900Z"), None);
    }

    #[test]
    fn a_doubled_midnight_is_the_first() {
        // Havana falls back from 01:00 CDT to 00:00 CST on 7 November 2027: 00:30 happens at
        // 04:30Z and 05:30Z; the series is at the first, once.
        let start = "2027-11-05 00:30";
        assert_eq!(havana_next("FREQ=DAILY", start, "2027-11-06T04:30Z").as_deref(), Some("2027-11-07T04:30Z"));
        assert_eq!(havana_next("FREQ=DAILY", start, "2027-11-07T04:30Z").as_deref(), Some("2027-11-08T05:30Z"));
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
