//! The text side of calendar objects, pure: the properties a client sent that UMBRA has no
//! field for (kept as content lines in `events.dav_extra` and written back into the object),
//! and `expand` (RFC 4791 §9.6.5): a series' occurrences in a window as separate VEVENTs in
//! UTC, without RRULE.

use crate::domain::events::expand::{self, Window};
use crate::domain::events::{self, Timing as EventTiming};
use crate::domain::ical::IcsEvent;
use crate::domain::ical::export::PRODID;
use crate::domain::ical::lines::{self, Line};
use crate::domain::ical::writer::{Writer, date_stamp, utc_stamp};
use crate::domain::time::UtcMillis;
use crate::service::ical::convert;

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

fn write_when(out: &mut Writer, name: &str, timing: EventTiming, start: bool) {
    match timing {
        EventTiming::Timed { start: s, end: e } => out.property(name, &utc_stamp(if start { s.0 } else { e.0 })),
        EventTiming::AllDay { start: s, end: e } => {
            out.property(&format!("{name};VALUE=DATE"), &date_stamp(if start { s } else { e }));
        }
    }
}

/// The occurrences of `events` overlapping `[start, end)` as one VCALENDAR of VEVENTs in
/// UTC: each with its RECURRENCE-ID (for a series), its own times and texts, no RRULE.
pub fn expanded(events: &[IcsEvent], start: i64, end: i64, now: i64) -> String {
    let mut out = Writer::default();
    out.begin("VCALENDAR");
    out.property("VERSION", "2.0");
    out.property("PRODID", PRODID);
    for event in events {
        let rule = convert::rule_of(event);
        let (series, overrides) = convert::series_of(event, rule.as_ref());
        let window = Window { start: UtcMillis(start), end: UtcMillis(end), floating: event.zone };
        let Ok(found) = expand::expand(&series, &overrides, &window, expand::MAX_OCCURRENCES) else { continue };
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
        }
    }
    out.end("VCALENDAR");
    out.finish()
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
}
