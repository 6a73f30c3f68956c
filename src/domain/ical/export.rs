//! A calendar as one VCALENDAR: a VTIMEZONE for every zone a timed event uses (for the years
//! the events cover), then one VEVENT per event and one per override (RECURRENCE-ID), with
//! VALARMs for the alerts (for a DAV object: the client's own VALARMs and properties, when
//! kept). Built into one `String`: no I/O here, so the export costs one pass over rows the
//! caller read in bulk.

use std::collections::BTreeMap;

use chrono::Datelike;
use chrono_tz::Tz;

use super::kept::Kept;
use super::model::{IcsEvent, IcsOverride, Timing, id_date, local};
use super::vtimezone;
use super::writer::{Writer, date_stamp, local_stamp, utc_stamp};

pub const PRODID: &str = "-//UMBRA//UMBRA Calendar//EN";

/// How far past the last event's start VTIMEZONEs reach: a series without end keeps recurring.
const FUTURE_YEARS: i32 = 5;

/// What the VCALENDAR says about the calendar itself.
pub struct CalendarHead<'a> {
    pub name: &'a str,
    pub description: &'a str,
}

/// True when times in `zone` are written in UTC (`…Z`), with no VTIMEZONE.
pub(super) fn is_utc(zone: Tz) -> bool {
    matches!(
        zone.name(),
        "UTC" | "Etc/UTC" | "Etc/UCT" | "UCT" | "Etc/Universal" | "Universal" | "Zulu" | "Etc/Zulu" | "GMT" | "Etc/GMT"
    )
}

/// The years each zone's VTIMEZONE must cover, from the events that are written in it.
fn zone_years(events: &[IcsEvent], now: i64) -> BTreeMap<&'static str, (Tz, i32, i32)> {
    let this_year = local(chrono_tz::UTC, now).year();
    let mut zones: BTreeMap<&'static str, (Tz, i32, i32)> = BTreeMap::new();
    for event in events.iter().filter(|e| !e.timing.is_all_day() && !is_utc(e.zone)) {
        let mut first = event.timing.start_year(event.zone);
        let mut last = first;
        for o in &event.overrides {
            let year = o.timing.start_year(event.zone);
            first = first.min(year);
            last = last.max(year);
        }
        if event.recurrence.is_some() {
            last = last.max(this_year) + FUTURE_YEARS;
        }
        let last = last.min(*crate::domain::time::YEARS.end());
        let entry = zones.entry(event.zone.name()).or_insert((event.zone, first, last));
        entry.1 = entry.1.min(first);
        entry.2 = entry.2.max(last);
    }
    zones
}

/// `DTSTART`-style property for an instant in the event's zone.
fn write_instant(out: &mut Writer, name: &str, zone: Tz, millis: i64) {
    if is_utc(zone) {
        out.property(name, &utc_stamp(millis));
    } else {
        out.property(&format!("{name};TZID={}", zone.name()), &local_stamp(local(zone, millis)));
    }
}

fn write_timing(out: &mut Writer, zone: Tz, timing: Timing) {
    match timing {
        Timing::Timed { start, end } => {
            write_instant(out, "DTSTART", zone, start);
            write_instant(out, "DTEND", zone, end);
        }
        Timing::AllDay { start, end } => {
            out.property("DTSTART;VALUE=DATE", &date_stamp(start));
            out.property("DTEND;VALUE=DATE", &date_stamp(end));
        }
    }
}

/// A recurrence id in the form of the series' DTSTART.
fn write_recurrence_id(out: &mut Writer, name: &str, event: &IcsEvent, id: i64) {
    if event.timing.is_all_day() {
        out.property(&format!("{name};VALUE=DATE"), &date_stamp(id_date(id)));
    } else {
        write_instant(out, name, event.zone, id);
    }
}

fn write_common(out: &mut Writer, event: &IcsEvent, stamp: &str) {
    // UID is TEXT (§3.8.4.7) and an imported one is kept as given, separators and line breaks
    // included: escaped like any text, or it would be cut (or lose its break) on the way back.
    out.text("UID", &event.uid);
    out.property("DTSTAMP", stamp);
    out.property("CREATED", &utc_stamp(event.created_at));
    out.property("LAST-MODIFIED", &utc_stamp(event.updated_at));
    out.property("SEQUENCE", &(event.revision - 1).max(0).to_string());
}

fn write_texts(out: &mut Writer, title: &str, description: &str, location: &str) {
    out.text("SUMMARY", title);
    if !description.is_empty() {
        out.text("DESCRIPTION", description);
    }
    if !location.is_empty() {
        out.text("LOCATION", location);
    }
}

/// The client's own VALARMs when they are kept, else one per alert.
fn write_alarms(out: &mut Writer, kept: &Kept, alerts: &[i64], title: &str) {
    if let Some(alarms) = &kept.alarms {
        out.lines(alarms);
        return;
    }
    for minutes in alerts {
        out.begin("VALARM");
        out.property("ACTION", "DISPLAY");
        out.text("DESCRIPTION", title);
        out.property("TRIGGER", &format!("-PT{minutes}M"));
        out.end("VALARM");
    }
}

fn write_event(out: &mut Writer, event: &IcsEvent, stamp: &str) {
    out.begin("VEVENT");
    write_common(out, event, stamp);
    write_timing(out, event.zone, event.timing);
    write_texts(out, &event.title, &event.description, &event.location);
    if let Some(rule) = &event.recurrence {
        out.property("RRULE", rule);
        for id in &event.exdates {
            write_recurrence_id(out, "EXDATE", event, *id);
        }
    }
    // The client's properties before any component: RFC 5545 puts a VEVENT's properties first.
    out.lines(&event.kept.extra);
    write_alarms(out, &event.kept, &event.alerts, &event.title);
    out.end("VEVENT");
    for o in &event.overrides {
        write_override(out, event, o, stamp);
    }
}

fn write_override(out: &mut Writer, event: &IcsEvent, o: &IcsOverride, stamp: &str) {
    out.begin("VEVENT");
    write_common(out, event, stamp);
    write_recurrence_id(out, "RECURRENCE-ID", event, o.recurrence_id);
    write_timing(out, event.zone, o.timing);
    write_texts(out, &o.title, &o.description, &o.location);
    out.lines(&o.kept.extra);
    write_alarms(out, &o.kept, &event.alerts, &o.title);
    out.end("VEVENT");
}

/// The whole file. `now` is DTSTAMP.
pub fn calendar(head: &CalendarHead<'_>, events: &[IcsEvent], now: i64) -> String {
    let mut out = Writer::with_capacity(1024 + events.len() * 400);
    out.begin("VCALENDAR");
    out.property("VERSION", "2.0");
    out.property("PRODID", PRODID);
    out.property("CALSCALE", "GREGORIAN");
    out.text("X-WR-CALNAME", head.name);
    if !head.description.is_empty() {
        out.text("X-WR-CALDESC", head.description);
    }
    for (zone, first, last) in zone_years(events, now).into_values() {
        vtimezone::write(&mut out, zone, first, last);
    }
    let stamp = utc_stamp(now);
    for event in events {
        write_event(&mut out, event, &stamp);
    }
    out.end("VCALENDAR");
    out.finish()
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone, Utc};

    use super::*;

    fn ms(y: i32, m: u32, d: u32, h: u32) -> i64 {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap().timestamp_millis()
    }

    fn event(zone: Tz, timing: Timing) -> IcsEvent {
        IcsEvent {
            uid: "abc@umbra".into(),
            title: "Standup".into(),
            description: String::new(),
            location: String::new(),
            timing,
            zone,
            recurrence: None,
            exdates: vec![],
            alerts: vec![],
            overrides: vec![],
            kept: Kept::default(),
            revision: 3,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn a_series_with_an_exdate_and_an_override() {
        let berlin = chrono_tz::Europe::Berlin;
        let mut series = event(berlin, Timing::Timed { start: ms(2027, 3, 22, 8), end: ms(2027, 3, 22, 9) });
        series.recurrence = Some("FREQ=WEEKLY".into());
        series.exdates = vec![ms(2027, 3, 29, 7)];
        series.alerts = vec![10];
        series.overrides = vec![IcsOverride {
            recurrence_id: ms(2027, 4, 5, 7),
            title: "Moved".into(),
            description: String::new(),
            location: String::new(),
            timing: Timing::Timed { start: ms(2027, 4, 5, 9), end: ms(2027, 4, 5, 10) },
            kept: Kept::default(),
        }];
        let text = calendar(&CalendarHead { name: "Work", description: "" }, &[series], ms(2027, 1, 1, 0));
        for expected in [
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:",
            "TZID:Europe/Berlin\r\n",
            "DTSTART;TZID=Europe/Berlin:20270322T090000\r\nDTEND;TZID=Europe/Berlin:20270322T100000\r\n",
            "RRULE:FREQ=WEEKLY\r\nEXDATE;TZID=Europe/Berlin:20270329T090000\r\n",
            "TRIGGER:-PT10M\r\n",
            "RECURRENCE-ID;TZID=Europe/Berlin:20270405T090000\r\nDTSTART;TZID=Europe/Berlin:20270405T110000\r\n",
            "SEQUENCE:2\r\n",
            "DTSTAMP:20270101T000000Z\r\n",
        ] {
            assert!(text.contains(expected), "{expected} in {text}");
        }
        assert_eq!(text.matches("BEGIN:VTIMEZONE").count(), 1);
        assert!(text.ends_with("END:VCALENDAR\r\n"));
    }

    #[test]
    fn all_day_and_utc_events_need_no_vtimezone() {
        let day = NaiveDate::from_ymd_opt(2027, 5, 1).unwrap();
        let all_day = event(chrono_tz::Europe::Berlin, Timing::AllDay { start: day, end: day.succ_opt().unwrap() });
        let utc = event(chrono_tz::UTC, Timing::Timed { start: ms(2027, 5, 1, 8), end: ms(2027, 5, 1, 9) });
        let text = calendar(&CalendarHead { name: "x", description: "" }, &[all_day, utc], 0);
        assert!(!text.contains("VTIMEZONE"), "{text}");
        assert!(text.contains("DTSTART;VALUE=DATE:20270501\r\nDTEND;VALUE=DATE:20270502\r\n"));
        assert!(text.contains("DTSTART:20270501T080000Z\r\n"));
    }

    #[test]
    fn kept_client_text_replaces_made_alarms_and_comes_before_components() {
        let mut series = event(chrono_tz::UTC, Timing::Timed { start: ms(2027, 5, 1, 8), end: ms(2027, 5, 1, 9) });
        series.recurrence = Some("FREQ=DAILY".into());
        series.alerts = vec![10];
        series.kept = Kept {
            extra: "X-A:1".into(),
            alarms: Some("BEGIN:VALARM\nACTION:AUDIO\nTRIGGER;RELATED=END:PT0S\nEND:VALARM".into()),
        };
        let moved = Timing::Timed { start: ms(2027, 5, 2, 10), end: ms(2027, 5, 2, 11) };
        let kept = Kept { extra: "X-B:2".into(), alarms: None };
        let o = IcsOverride {
            recurrence_id: ms(2027, 5, 2, 8),
            title: "o".into(),
            description: String::new(),
            location: String::new(),
            timing: moved,
            kept,
        };
        series.overrides = vec![o];
        let text = calendar(&CalendarHead { name: "x", description: "" }, &[series], 0);
        assert!(
            text.contains(
                "X-A:1\r\nBEGIN:VALARM\r\nACTION:AUDIO\r\nTRIGGER;RELATED=END:PT0S\r\nEND:VALARM\r\nEND:VEVENT"
            ),
            "{text}"
        );
        assert!(text.contains("X-B:2\r\nBEGIN:VALARM\r\nACTION:DISPLAY"), "the override's alarms are made: {text}");
        assert_eq!(text.matches("TRIGGER:-PT10M").count(), 1, "{text}");
    }

    #[test]
    fn a_uid_is_written_as_text() {
        let mut odd = event(chrono_tz::UTC, Timing::Timed { start: ms(2027, 5, 1, 8), end: ms(2027, 5, 1, 9) });
        odd.uid = "a;b,c\\d\nEND:VEVENT".into();
        let text = calendar(&CalendarHead { name: "x", description: "" }, &[odd], 0);
        assert!(text.contains("\r\nUID:a\\;b\\,c\\\\d\\nEND:VEVENT\r\n"), "{text}");
        assert_eq!(text.matches("\r\nEND:VEVENT\r\n").count(), 1, "{text}");
    }
}
