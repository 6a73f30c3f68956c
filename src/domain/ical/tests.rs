//! Reading files: the fixtures other calendar programs write, errors with lines, and the
//! export read back (the round trip at the level of values).

use chrono::{NaiveDate, TimeZone, Utc};

use super::model::{IcsEvent, IcsOverride, Timing, date_id};
use super::{CalendarHead, Kept, calendar, read};

fn ms(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap().timestamp_millis()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn whats(text: &str) -> Vec<String> {
    read(text, chrono_tz::UTC).unwrap().unsupported.into_iter().map(|u| u.what).collect()
}

#[test]
fn google_series_override_exdate_alarm_and_all_day() {
    let file = read(include_str!("../../../tests/fixtures/ical/google.ics"), chrono_tz::UTC).unwrap();
    assert_eq!(file.events.len(), 3);
    let climbing = &file.events[0];
    assert_eq!(climbing.zone, chrono_tz::Europe::Berlin);
    // 18:00 CET is 17:00Z.
    assert_eq!(climbing.timing, Timing::Timed { start: ms(2027, 3, 1, 17, 0), end: ms(2027, 3, 1, 18, 0) });
    assert_eq!(climbing.recurrence.as_deref(), Some("FREQ=WEEKLY;BYDAY=MO"));
    assert_eq!(climbing.exdates, vec![ms(2027, 3, 15, 17, 0)]);
    assert_eq!(climbing.alerts, vec![30]);
    assert_eq!(climbing.description, "Bring the climbing shoes, chalk and water.\nMeet at the front desk.");
    assert_eq!(climbing.location, "Boulderhalle, Hauptstraße 5, Berlin");
    assert_eq!(climbing.overrides.len(), 1);
    assert_eq!(climbing.overrides[0].recurrence_id, ms(2027, 3, 22, 17, 0));
    assert_eq!(climbing.overrides[0].title, "Climbing (late)");
    assert_eq!(file.events[1].zone, chrono_tz::UTC);
    assert_eq!(file.events[2].timing, Timing::AllDay { start: date(2027, 6, 12), end: date(2027, 6, 13) });
    let what = whats(include_str!("../../../tests/fixtures/ical/google.ics"));
    for expected in ["ORGANIZER", "ATTENDEE", "X-GOOGLE-CONFERENCE", "TRANSP", "X-WR-CALNAME"] {
        assert!(what.contains(&expected.to_string()), "{expected} in {what:?}");
    }
    assert_eq!(what.iter().filter(|w| *w == "TRANSP").count(), 1, "listed once with a count");
}

#[test]
fn outlook_windows_zones_and_an_unknown_zone() {
    let text = include_str!("../../../tests/fixtures/ical/outlook.ics");
    let file = read(text, chrono_tz::UTC).unwrap();
    assert_eq!(file.events.len(), 2, "the event in the customised zone is left out");
    assert_eq!(file.events[0].zone, chrono_tz::Europe::Berlin);
    assert!(
        file.events[0].uid.starts_with("040000008200E00074C5B7101A82E008") && file.events[0].uid.ends_with("ABCDEF")
    );
    let unknown = file.unsupported.iter().find(|u| u.what == "TZID").expect("the unknown zone is reported");
    assert!(unknown.detail.contains("Customized Time Zone"), "{unknown:?}");
    // The event's BEGIN line (1-based).
    let begin = text.lines().enumerate().filter(|(_, l)| l.starts_with("BEGIN:VEVENT")).last().unwrap().0 + 1;
    assert_eq!(unknown.line, Some(begin));
}

#[test]
fn errors_name_the_line() {
    let bad_date = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART:2027-01-01\nEND:VEVENT\nEND:VCALENDAR\n";
    assert_eq!(read(bad_date, chrono_tz::UTC).unwrap_err().line, 4);
    let no_start = "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:a\nEND:VEVENT\nEND:VCALENDAR\n";
    assert_eq!(read(no_start, chrono_tz::UTC).unwrap_err().line, 3);
    let backwards = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART:20270101T100000Z\nDTEND:20270101T090000Z\nEND:VEVENT\nEND:VCALENDAR\n";
    assert_eq!(read(backwards, chrono_tz::UTC).unwrap_err().line, 5);
}

fn sample() -> Vec<IcsEvent> {
    let series = IcsEvent {
        uid: "series@umbra".into(),
        title: "Lunch; with, \\ friends\nATTENDEE:mailto:evil@example.com".into(),
        description: "Line one\nLine two — ünïcødé;".repeat(10),
        location: "Café".into(),
        timing: Timing::Timed { start: ms(2027, 3, 22, 11, 0), end: ms(2027, 3, 22, 12, 0) },
        zone: chrono_tz::Australia::Lord_Howe,
        recurrence: Some("FREQ=MONTHLY;BYDAY=-1FR".into()),
        exdates: vec![ms(2027, 4, 29, 12, 0)],
        alerts: vec![0, 15],
        overrides: vec![IcsOverride {
            recurrence_id: ms(2027, 5, 27, 12, 0),
            title: "Moved".into(),
            description: String::new(),
            location: String::new(),
            timing: Timing::Timed { start: ms(2027, 5, 27, 13, 0), end: ms(2027, 5, 27, 14, 0) },
            kept: Kept::default(),
        }],
        kept: Kept::default(),
        revision: 4,
        created_at: 0,
        updated_at: 0,
    };
    let all_day = IcsEvent {
        uid: "day@umbra".into(),
        title: "Holiday".into(),
        description: String::new(),
        location: String::new(),
        timing: Timing::AllDay { start: date(2027, 8, 1), end: date(2027, 8, 15) },
        zone: chrono_tz::UTC,
        recurrence: Some("FREQ=YEARLY".into()),
        exdates: vec![date_id(date(2028, 8, 1))],
        alerts: vec![],
        overrides: vec![],
        kept: Kept::default(),
        revision: 1,
        created_at: 0,
        updated_at: 0,
    };
    vec![series, all_day]
}

#[test]
fn an_export_reads_back_as_the_same_events() {
    let events = sample();
    let text = calendar(&CalendarHead { name: "Mine", description: "" }, &events, 0);
    let back = read(&text, chrono_tz::UTC).unwrap();
    let strip = |e: &IcsEvent| IcsEvent { revision: 0, ..e.without_kept() };
    assert_eq!(back.events.iter().map(strip).collect::<Vec<_>>(), events.iter().map(strip).collect::<Vec<_>>());
    let unexpected: Vec<_> = back.unsupported.iter().filter(|u| u.what != "X-WR-CALNAME").collect();
    assert!(unexpected.is_empty(), "{unexpected:?}");
}
