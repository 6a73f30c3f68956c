//! The text side of calendar objects, pure: the budget for the client text UMBRA keeps
//! (`domain::ical::kept`: unknown properties and VALARMs, stored in `dav_extra` and
//! `dav_alarms`), when kept alarms still hold, and `expand` (RFC 4791 §9.6.5): a series'
//! occurrences in a window as separate VEVENTs in UTC, without RRULE.

use crate::domain::events::expand::{self, Window};
use crate::domain::events::{self, Timing as EventTiming};
use crate::domain::ical::export::PRODID;
use crate::domain::ical::writer::{Writer, date_stamp, utc_stamp};
use crate::domain::ical::{IcsEvent, Kept};
use crate::domain::time::UtcMillis;
use crate::service::ical::convert;

/// Most bytes of client text (unknown properties and VALARMs, of the series and its
/// overrides together) kept per event.
pub const EXTRA_MAX_BYTES: usize = 64 * 1024;

/// Fits an event's kept text into `EXTRA_MAX_BYTES`, the series' unknown properties first
/// (the caller refuses an object whose own properties alone do not fit, as before overrides
/// and alarms were kept). Then the series' alarms and each override's properties and alarms,
/// in that order, are kept while they fit; what does not fit is left to UMBRA (an override
/// loses its unknown properties, alarms are made from `alerts`), so a long series from a
/// chatty client is still stored rather than refused.
pub fn fit_kept(event: &mut IcsEvent) {
    let mut left = EXTRA_MAX_BYTES.saturating_sub(event.kept.extra.len());
    fit_alarms(&mut event.kept, &mut left);
    for o in &mut event.overrides {
        if o.kept.extra.len() <= left {
            left -= o.kept.extra.len();
        } else {
            o.kept.extra.clear();
        }
        fit_alarms(&mut o.kept, &mut left);
    }
}

fn fit_alarms(kept: &mut Kept, left: &mut usize) {
    match kept.alarms.as_ref().map(String::len) {
        Some(bytes) if bytes <= *left => *left -= bytes,
        Some(_) => kept.alarms = None,
        None => {}
    }
}

/// Whether stored `alerts` (JSON minutes) are still the ones kept alarms were mapped to: the
/// same minutes, in any order (the API sorts them).
pub fn same_alerts(alerts: &str, mapped: &str) -> bool {
    let minutes = |json: &str| {
        let mut list: Vec<i64> = serde_json::from_str(json).unwrap_or_default();
        list.sort_unstable();
        list.dedup();
        list
    };
    minutes(alerts) == minutes(mapped)
}

fn write_when(out: &mut Writer, name: &str, timing: EventTiming, start: bool) {
    match timing {
        EventTiming::Timed { start: s, end: e } => out.property(name, &utc_stamp(if start { s.0 } else { e.0 })),
        EventTiming::AllDay { start: s, end: e } => {
            out.property(&format!("{name};VALUE=DATE"), &date_stamp(if start { s } else { e }));
        }
    }
}

/// What expanded texts may still take, shared by all the objects of one report: a series
/// may write up to `expand::MAX_OCCURRENCES` VEVENTs of up to ~40 KB each, so an answer is
/// bounded by what it writes, not by how many objects it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allowance {
    pub occurrences: usize,
    pub bytes: usize,
}

/// The occurrences of `events` overlapping `[start, end)` as one VCALENDAR of VEVENTs in
/// UTC: each with its RECURRENCE-ID (for a series), its own times and texts, no RRULE.
/// `Err(TooMany)` as soon as the text would take more than `allowance`; else the allowance
/// is reduced by what the text took.
pub fn expanded(
    events: &[IcsEvent],
    start: i64,
    end: i64,
    now: i64,
    allowance: &mut Allowance,
) -> Result<String, expand::TooMany> {
    let mut occurrences = 0;
    let mut out = Writer::default();
    out.begin("VCALENDAR");
    out.property("VERSION", "2.0");
    out.property("PRODID", PRODID);
    for event in events {
        let rule = convert::rule_of(event);
        let (series, overrides) = convert::series_of(event, rule.as_ref());
        let window = Window { start: UtcMillis(start), end: UtcMillis(end), floating: event.zone };
        // A series past the per-series maximum is left out (as the range read refuses it); one
        // within it may still overdraw what this answer has left.
        let Ok(found) = expand::expand(&series, &overrides, &window, expand::MAX_OCCURRENCES) else { continue };
        occurrences += found.len();
        if occurrences > allowance.occurrences {
            return Err(expand::TooMany);
        }
        for occurrence in found {
            let texts = occurrence.override_index.and_then(|i| event.overrides.get(i));
            out.begin("VEVENT");
            out.text("UID", &event.uid);
            out.property("DTSTAMP", &utc_stamp(now));
            if let Some(rid) = occurrence.recurrence_id {
                if event.timing.is_all_day() {
                    out.property("RECURRENCE-ID;VALUE=DATE", &date_stamp(events::date_of(rid)));
                } else {
                    out.property("RECURRENCE-ID", &utc_stamp(rid));
                }
            }
            write_when(&mut out, "DTSTART", occurrence.timing, true);
            write_when(&mut out, "DTEND", occurrence.timing, false);
            let (title, description, location) = match texts {
                Some(o) => (&o.title, &o.description, &o.location),
                None => (&event.title, &event.description, &event.location),
            };
            out.text("SUMMARY", title);
            if !description.is_empty() {
                out.text("DESCRIPTION", description);
            }
            if !location.is_empty() {
                out.text("LOCATION", location);
            }
            out.end("VEVENT");
            if out.len() > allowance.bytes {
                return Err(expand::TooMany);
            }
        }
    }
    out.end("VCALENDAR");
    let text = out.finish();
    if text.len() > allowance.bytes {
        return Err(expand::TooMany);
    }
    allowance.occurrences -= occurrences;
    allowance.bytes -= text.len();
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ical::{IcsOverride, Timing};

    fn with_kept(series: Kept, overrides: Vec<Kept>) -> IcsEvent {
        let timing = Timing::Timed { start: 0, end: 1 };
        IcsEvent {
            uid: "a".into(),
            title: String::new(),
            description: String::new(),
            location: String::new(),
            timing,
            zone: chrono_tz::UTC,
            recurrence: Some("FREQ=DAILY".into()),
            exdates: vec![],
            alerts: vec![],
            overrides: overrides
                .into_iter()
                .enumerate()
                .map(|(i, kept)| IcsOverride {
                    recurrence_id: i as i64,
                    title: String::new(),
                    description: String::new(),
                    location: String::new(),
                    timing,
                    kept,
                })
                .collect(),
            kept: series,
            revision: 1,
            created_at: 0,
            updated_at: 0,
        }
    }

    fn kept(extra: usize, alarms: usize) -> Kept {
        Kept { extra: "x".repeat(extra), alarms: Some("a".repeat(alarms)) }
    }

    #[test]
    fn kept_text_fits_the_budget_in_order() {
        let half = EXTRA_MAX_BYTES / 2;
        let mut event = with_kept(kept(half, 10), vec![kept(10, 10), kept(half, 5), kept(0, half)]);
        fit_kept(&mut event);
        assert_eq!(event.kept, kept(half, 10));
        assert_eq!(event.overrides[0].kept, kept(10, 10));
        // Too big for what is left: its properties go, its small alarms still fit.
        assert_eq!(event.overrides[1].kept, Kept { extra: String::new(), alarms: Some("a".repeat(5)) });
        assert_eq!(event.overrides[2].kept, Kept { extra: String::new(), alarms: None });
    }

    #[test]
    fn alerts_compare_as_sets_of_minutes() {
        assert!(same_alerts("[10,60]", "[60,10]"));
        assert!(same_alerts("[]", "[]"));
        assert!(!same_alerts("[10]", "[]"));
        assert!(!same_alerts("[10,30]", "[10]"));
    }

    fn daily(count: u32) -> IcsEvent {
        let text = format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:d\r\nDTSTART:20300107T090000Z\r\nDTEND:20300107T100000Z\r\n\
             RRULE:FREQ=DAILY;COUNT={count}\r\nSUMMARY:Walk\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        );
        crate::domain::ical::read(&text, chrono_tz::UTC).unwrap().events.remove(0)
    }

    const JANUARY: (i64, i64) = (1_893_456_000_000, 1_896_134_400_000);

    #[test]
    fn expansion_draws_on_the_allowance_and_stops_past_it() {
        let (start, end) = JANUARY;
        let mut plenty = Allowance { occurrences: 10, bytes: 100_000 };
        let text = expanded(&[daily(4)], start, end, 0, &mut plenty).unwrap();
        assert_eq!(text.matches("BEGIN:VEVENT").count(), 4);
        assert_eq!(plenty, Allowance { occurrences: 6, bytes: 100_000 - text.len() });
        // The next four would pass the six left; too few bytes stop it as well.
        assert!(expanded(&[daily(7)], start, end, 0, &mut plenty).is_err());
        assert!(expanded(&[daily(4)], start, end, 0, &mut Allowance { occurrences: 10, bytes: 300 }).is_err());
        let mut exact = Allowance { occurrences: 4, bytes: text.len() };
        assert_eq!(expanded(&[daily(4)], start, end, 0, &mut exact).unwrap(), text);
        assert_eq!(exact, Allowance { occurrences: 0, bytes: 0 });
    }
}
