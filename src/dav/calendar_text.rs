//! The text side of calendar objects, pure: the properties a client sent that UMBRA has no
//! field for (kept as content lines in `events.dav_extra` and written back into the object),
//! and `expand` (RFC 4791 §9.6.5): a series' occurrences in a window as separate VEVENTs in
//! UTC, without RRULE.

use crate::domain::events::expand::{self, Override, Series, Window};
use crate::domain::events::{self, Timing as EventTiming};
use crate::domain::ical::export::PRODID;
use crate::domain::ical::lines::{self, Line};
use crate::domain::ical::writer::{Writer, date_stamp, utc_stamp};
use crate::domain::ical::{IcsEvent, Timing};
use crate::domain::recurrence::Recurrence;
use crate::domain::time::UtcMillis;

/// What the export writes or the import maps on a VEVENT: never kept as an unknown property
/// (a client echoing them back would otherwise double them).
const KNOWN: [&str; 17] = [
    "UID",
    "DTSTAMP",
    "CREATED",
    "LAST-MODIFIED",
    "SEQUENCE",
    "DTSTART",
    "DTEND",
    "DURATION",
    "SUMMARY",
    "DESCRIPTION",
    "LOCATION",
    "RRULE",
    "EXDATE",
    "RECURRENCE-ID",
    "BEGIN",
    "END",
    "RDATE",
];

/// Most bytes of unknown properties kept per event.
pub const EXTRA_MAX_BYTES: usize = 64 * 1024;

/// The unknown property lines of the first VEVENT without RECURRENCE-ID (the series or
/// single event), unfolded, joined by `\n`. `None` when the text has no such VEVENT.
pub fn unknown_properties(text: &str) -> Option<String> {
    let tree = lines::tree(text).ok()?;
    let comps = tree.calendars.iter().flatten();
    let master = comps.filter(|c| c.kind == "VEVENT").find(|c| {
        !c.entries
            .iter()
            .any(|&i| tree.lines.get(i).is_some_and(|l: &Line| l.name().eq_ignore_ascii_case("RECURRENCE-ID")))
    })?;
    let kept: Vec<&str> = master
        .entries
        .iter()
        .filter_map(|&i| tree.lines.get(i))
        .filter(|l| !KNOWN.iter().any(|k| l.name().eq_ignore_ascii_case(k)))
        .map(|l| l.text.as_str())
        .collect();
    Some(kept.join("\n"))
}

/// Writes the kept lines back into the first VEVENT of an exported object (the series: the
/// export writes it before its overrides), folded like every other line.
pub fn with_unknown_properties(text: String, extra: &str) -> String {
    if extra.is_empty() {
        return text;
    }
    let Some(at) = text.find("END:VEVENT\r\n") else { return text };
    let mut out = Writer::default();
    for line in extra.lines().filter(|l| !l.trim().is_empty()) {
        let parsed = Line { number: 0, text: line.to_string() };
        let Some(value) = parsed.value() else { continue };
        let head = &line[..line.len() - value.len() - 1];
        out.property(head, value);
    }
    let mut text = text;
    text.insert_str(at, &out.finish());
    text
}

fn event_timing(timing: Timing) -> EventTiming {
    match timing {
        Timing::Timed { start, end } => EventTiming::Timed { start: UtcMillis(start), end: UtcMillis(end) },
        Timing::AllDay { start, end } => EventTiming::AllDay { start, end },
    }
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
        let rule = event.recurrence.as_deref().and_then(|r| Recurrence::parse(r).ok());
        let series = Series {
            timing: event_timing(event.timing),
            zone: event.zone,
            recurrence: rule.as_ref(),
            exdates: &event.exdates,
        };
        let overrides: Vec<Override> = event
            .overrides
            .iter()
            .map(|o| Override { recurrence_id: o.recurrence_id, timing: event_timing(o.timing) })
            .collect();
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

    const OBJECT: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260101T100000Z\r\n\
        X-CLIENT-THING;X-P=1:some value\r\nCATEGORIES:Work,Home\r\nSUMMARY:Hi\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:a\r\nRECURRENCE-ID:20260102T100000Z\r\nX-OVERRIDE:no\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    #[test]
    fn keeps_only_the_series_unknown_lines() {
        let extra = unknown_properties(OBJECT).unwrap();
        assert_eq!(extra, "X-CLIENT-THING;X-P=1:some value\nCATEGORIES:Work,Home");
    }

    #[test]
    fn writes_them_back_into_the_series() {
        let exported =
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let out = with_unknown_properties(exported.to_string(), "X-A;P=\"q:r\":v:w\nCATEGORIES:Work");
        assert_eq!(
            out,
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nX-A;P=\"q:r\":v:w\r\nCATEGORIES:Work\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        );
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
