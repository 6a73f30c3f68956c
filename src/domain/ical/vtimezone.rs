//! VTIMEZONE components (RFC 5545 §3.6.5) made from chrono-tz's data: every offset change of a
//! zone within the years an export covers, as STANDARD/DAYLIGHT sub-components with DTSTART
//! and RDATE (local times before each change). Listing the changes rather than guessing an
//! RRULE keeps the output true to the tz database for past rule changes too.
//!
//! chrono-tz does not expose its transition table, so the changes are found by sampling the
//! offset once a day and bisecting each day in which it changed down to the second.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

use super::writer::{Writer, local_stamp};

/// One offset change: at `at` (unix seconds) the offset went from `from` to `to` seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Change {
    at: i64,
    from: i32,
    to: i32,
    daylight: bool,
    name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Offset {
    seconds: i32,
    daylight: bool,
    name: Option<String>,
}

fn offset_at(zone: Tz, at: i64) -> Offset {
    let instant = DateTime::<Utc>::from_timestamp(at, 0).unwrap_or_default();
    let offset = zone.offset_from_utc_datetime(&instant.naive_utc());
    let total = offset.base_utc_offset() + offset.dst_offset();
    Offset {
        seconds: total.num_seconds() as i32,
        daylight: !offset.dst_offset().is_zero(),
        name: offset.abbreviation().map(str::to_string),
    }
}

/// The offset changes of `zone` between the start of `first` and the end of `last` (years).
fn changes(zone: Tz, first: i32, last: i32) -> (Offset, Vec<Change>) {
    let day = 86_400;
    let start = NaiveDate::from_ymd_opt(first, 1, 1)
        .map_or(0, |d| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc().timestamp());
    let end = NaiveDate::from_ymd_opt(last + 1, 1, 1)
        .map_or(start, |d| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc().timestamp());
    let initial = offset_at(zone, start);
    let mut found = Vec::new();
    let mut before = initial.clone();
    let mut at = start;
    while at < end {
        let next = (at + day).min(end);
        let after = offset_at(zone, next);
        if after != before {
            // The change lies in (at, next]: bisect to its first second.
            let (mut low, mut high) = (at, next);
            while high - low > 1 {
                let mid = low + (high - low) / 2;
                if offset_at(zone, mid) == before { low = mid } else { high = mid }
            }
            let to = offset_at(zone, high);
            if to.seconds != before.seconds || to.daylight != before.daylight {
                found.push(Change {
                    at: high,
                    from: before.seconds,
                    to: to.seconds,
                    daylight: to.daylight,
                    name: to.name.clone(),
                });
            }
            before = to;
            // Another change may follow within the same day (rare): look again from here.
            at = high;
            continue;
        }
        before = after;
        at = next;
    }
    (initial, found)
}

/// `+HHMM`, `-HHMM` or `+HHMMSS` (§3.3.14).
fn utc_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let abs = seconds.unsigned_abs();
    let (h, m, s) = (abs / 3600, abs / 60 % 60, abs % 60);
    if s == 0 { format!("{sign}{h:02}{m:02}") } else { format!("{sign}{h:02}{m:02}{s:02}") }
}

/// The local time (at offset `offset`) of unix second `at`.
fn local(at: i64, offset: i32) -> String {
    let instant = DateTime::<Utc>::from_timestamp(at + i64::from(offset), 0).unwrap_or_default();
    local_stamp(instant.naive_utc())
}

/// Writes the VTIMEZONE of `zone` for the years `first..=last`.
pub fn write(out: &mut Writer, zone: Tz, first: i32, last: i32) {
    let (initial, changes) = changes(zone, first, last);
    out.begin("VTIMEZONE");
    out.property("TZID", zone.name());
    if changes.is_empty() {
        // No change in the years covered: one observance from the start.
        let start = NaiveDate::from_ymd_opt(first, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0)).unwrap_or_default();
        let kind = if initial.daylight { "DAYLIGHT" } else { "STANDARD" };
        out.begin(kind);
        out.property("DTSTART", &local_stamp(start));
        out.property("TZOFFSETFROM", &utc_offset(initial.seconds));
        out.property("TZOFFSETTO", &utc_offset(initial.seconds));
        if let Some(name) = &initial.name {
            out.text("TZNAME", name);
        }
        out.end(kind);
    }
    // One observance per kind of change, its first change as DTSTART, the others as RDATEs.
    let mut groups: Vec<(&Change, Vec<&Change>)> = Vec::new();
    for change in &changes {
        let same = |c: &Change| {
            c.from == change.from && c.to == change.to && c.daylight == change.daylight && c.name == change.name
        };
        match groups.iter_mut().find(|(first, _)| same(first)) {
            Some((_, rest)) => rest.push(change),
            None => groups.push((change, Vec::new())),
        }
    }
    for (first, rest) in groups {
        let kind = if first.daylight { "DAYLIGHT" } else { "STANDARD" };
        out.begin(kind);
        out.property("DTSTART", &local(first.at, first.from));
        for change in rest {
            out.property("RDATE", &local(change.at, change.from));
        }
        out.property("TZOFFSETFROM", &utc_offset(first.from));
        out.property("TZOFFSETTO", &utc_offset(first.to));
        if let Some(name) = &first.name {
            out.text("TZNAME", name);
        }
        out.end(kind);
    }
    out.end("VTIMEZONE");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn berlin_changes_twice_a_year_at_the_right_local_times() {
        let (initial, found) = changes(chrono_tz::Europe::Berlin, 2027, 2027);
        assert_eq!(initial.seconds, 3600);
        assert_eq!(found.len(), 2);
        // 28 March 2027, 02:00 CET → 03:00 CEST; 31 October, 03:00 CEST → 02:00 CET.
        assert_eq!(
            (local(found[0].at, found[0].from), found[0].to, found[0].daylight),
            ("20270328T020000".into(), 7200, true)
        );
        assert_eq!(
            (local(found[1].at, found[1].from), found[1].to, found[1].daylight),
            ("20271031T030000".into(), 3600, false)
        );
    }

    #[test]
    fn lord_howe_shifts_by_half_an_hour() {
        let (_, found) = changes(chrono_tz::Australia::Lord_Howe, 2027, 2027);
        assert_eq!(found.len(), 2);
        assert_eq!((found[0].to - found[0].from).abs(), 1800);
        assert_eq!(utc_offset(found[0].from), "+1100");
    }

    #[test]
    fn a_zone_without_changes_has_one_observance() {
        let mut out = Writer::default();
        write(&mut out, chrono_tz::Asia::Tokyo, 2027, 2028);
        let text = out.finish();
        assert!(text.contains("TZID:Asia/Tokyo\r\nBEGIN:STANDARD\r\nDTSTART:20270101T000000\r\nTZOFFSETFROM:+0900\r\nTZOFFSETTO:+0900\r\n"), "{text}");
    }

    #[test]
    fn groups_use_rdates() {
        let mut out = Writer::default();
        write(&mut out, chrono_tz::America::New_York, 2026, 2028);
        let text = out.finish();
        assert_eq!(text.matches("BEGIN:DAYLIGHT").count(), 1, "{text}");
        assert_eq!(text.matches("RDATE:").count(), 4, "{text}");
        assert!(text.contains("DTSTART:20260308T020000\r\nRDATE:20270314T020000\r\nRDATE:20280312T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400"), "{text}");
    }
}
