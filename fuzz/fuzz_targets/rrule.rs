//! RRULE text (`domain::recurrence::Recurrence::parse`, what todos, reminders and events take)
//! and the expansion of an accepted rule (`domain::events::expand`, what every range read,
//! DAV report and alert runs).
//!
//! Input: the rule text, then optionally a newline and parameter bytes (the series' start,
//! length, zone, all-day or not, and the window read), so seeds stay readable rules.
//!
//! Properties:
//! - parsing never panics; a refusal names the part at fault; an accepted rule is at most
//!   `MAX_LEN` long, has COUNT ≤ `MAX_COUNT`, and its normalised text parses to itself;
//! - the next occurrence of a todo/reminder series (`next_after`) is after the instant asked;
//! - for a rule the events API accepts (event parts, and `repeats`, as `check_series` asks),
//!   expansion over any window of up to 400 days ends (libFuzzer's -timeout bounds it), gives
//!   at most `MAX_OCCURRENCES`, sorted, each overlapping the window, each a real occurrence
//!   (`is_occurrence`), each inside the stored span (what range reads select by), DTSTART
//!   among them when the window holds it, and an exdate removes exactly its occurrence.

#![no_main]

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use libfuzzer_sys::fuzz_target;
use umbra::domain::events::Timing;
use umbra::domain::events::expand::{self, MAX_OCCURRENCES, Series, TooMany, Window};
use umbra::domain::recurrence::{MAX_COUNT, MAX_LEN, Recurrence};
use umbra::domain::time::UtcMillis;

const MINUTE: i64 = 60_000;
const DAY: i64 = 86_400_000;

/// Reads the parameter bytes; missing bytes are zero.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn take<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        let n = self.0.len().min(N);
        out[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        out
    }
    fn u8(&mut self) -> u8 {
        self.take::<1>()[0]
    }
    fn u16(&mut self) -> u16 {
        u16::from_le_bytes(self.take())
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.take())
    }
    fn zone(&mut self) -> Tz {
        let zones = chrono_tz::TZ_VARIANTS;
        zones[usize::from(self.u16()) % zones.len()]
    }
}

struct Case {
    timing: Timing,
    zone: Tz,
    window: Window,
}

/// A series start within the years dates may have (1900–2200), a length a repeating event
/// may have (≤ 31 days), and a window of 1–400 days within ±89 years of the start.
fn case(params: &[u8]) -> Case {
    let mut bytes = Bytes(params);
    let all_day = bytes.u8() & 1 == 1;
    let zone = bytes.zone();
    let floating = bytes.zone();
    let offset = i64::from(bytes.u32());
    let length = i64::from(bytes.u16());
    let window_from = i64::from(bytes.u16() as i16);
    let window_days = 1 + i64::from(bytes.u16()) % 400;
    let first = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap();
    let timing = if all_day {
        let start = first + chrono::Duration::days(offset % (300 * 365));
        Timing::AllDay { start, end: start + chrono::Duration::days(1 + length % 31) }
    } else {
        let base = first.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp_millis();
        let start = base + (offset % (300 * 365 * 1440)) * MINUTE;
        Timing::Timed { start: UtcMillis(start), end: UtcMillis(start + (1 + length % (31 * 1440)) * MINUTE) }
    };
    let from = timing.recurrence_id() + window_from * DAY;
    let window = Window { start: UtcMillis(from), end: UtcMillis(from + window_days * DAY), floating };
    Case { timing, zone, window }
}

fn check_parse(text: &str) -> Option<Recurrence> {
    match Recurrence::parse(text) {
        Ok(rule) => {
            assert!(text.trim().len() <= MAX_LEN, "a rule longer than {MAX_LEN} was accepted");
            assert!(rule.count().is_none_or(|n| (1..=MAX_COUNT).contains(&n)), "COUNT out of range: {}", rule.as_str());
            assert_eq!(Recurrence::parse(rule.as_str()).as_ref(), Ok(&rule), "the normalised text reads differently");
            Some(rule)
        }
        Err(error) => {
            assert!(!error.part.is_empty() && !error.message.is_empty(), "{error:?}");
            None
        }
    }
}

/// Todos and reminders: the next occurrence after the start is after it.
fn check_next(rule: &Recurrence, case: &Case) {
    match case.timing {
        Timing::Timed { start, .. } => {
            let after = DateTime::<Utc>::from_timestamp_millis(start.0).unwrap();
            let local = after.with_timezone(&case.zone).naive_local();
            if let Some(next) = rule.next_after(local, case.zone, after) {
                assert!(next > after, "next_after({after}) gave {next}");
            }
        }
        Timing::AllDay { start, .. } => {
            if let Some(next) = rule.next_date_after(start, start) {
                assert!(next > start, "next_date_after({start}) gave {next}");
            }
        }
    }
}

fn check_expansion(rule: &Recurrence, case: &Case) {
    if rule.check_event_parts().is_err() {
        return;
    }
    let series = Series { timing: case.timing, zone: case.zone, recurrence: Some(rule), exdates: &[] };
    // What `events::check_series` refuses never reaches a range read.
    if !expand::repeats(&series) {
        return;
    }
    let window = &case.window;
    let found = match expand::expand(&series, &[], window, MAX_OCCURRENCES) {
        Ok(found) => found,
        Err(TooMany) => return,
    };
    assert!(found.len() <= MAX_OCCURRENCES);
    let floating = window.floating;
    let (low, high) = expand::span(&series, &[]);
    let mut previous: Option<(i64, i64)> = None;
    for occurrence in &found {
        let rid = occurrence.recurrence_id.expect("a series' occurrence has a recurrence id");
        let (start, end) = occurrence.timing.bounds(floating);
        assert!(start < window.end.0 && end > window.start.0, "{rid} does not overlap the window");
        assert!(previous.is_none_or(|p| p < (start, rid)), "not sorted, or {rid} twice");
        previous = Some((start, rid));
        assert!(expand::is_occurrence(&series, rid), "{rid} was expanded but is no occurrence");
        assert!(
            low <= start && high.is_none_or(|high| end <= high),
            "{rid} ({start}..{end}) outside the span {low}..{high:?}"
        );
    }
    let first = case.timing.recurrence_id();
    let (first_start, first_end) = case.timing.bounds(floating);
    if first_start < window.end.0 && first_end > window.start.0 {
        assert!(found.iter().any(|o| o.recurrence_id == Some(first)), "DTSTART is in the window but not expanded");
    }
    // An exdate removes its occurrence and nothing else.
    if let Some(gone) = found.get(found.len() / 2).and_then(|o| o.recurrence_id) {
        let exdates = [gone];
        let without = Series { exdates: &exdates, ..series };
        let rest = expand::expand(&without, &[], window, MAX_OCCURRENCES).expect("fewer occurrences than before");
        let expected: Vec<_> = found.iter().filter(|o| o.recurrence_id != Some(gone)).copied().collect();
        assert_eq!(rest, expected, "excluding {gone}");
    }
}

fuzz_target!(|bytes: &[u8]| {
    let (text, params) = match bytes.iter().position(|&b| b == b'\n') {
        Some(at) => (&bytes[..at], &bytes[at + 1..]),
        None => (bytes, &[][..]),
    };
    let Ok(text) = std::str::from_utf8(text) else { return };
    let Some(rule) = check_parse(text) else { return };
    let case = case(params);
    check_next(&rule, &case);
    check_expansion(&rule, &case);
});
