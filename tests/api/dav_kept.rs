//! What a CalDAV client sent that UMBRA has no field for comes back as it was sent: unknown
//! properties of a recurrence override (inside that override's VEVENT, once, after API edits
//! and echoed PUTs) and the client's own VALARMs (verbatim while the event's alerts are still
//! the ones they map to; alarms made from the alerts once those were changed in the API).

use serde_json::json;

use crate::dav_kit::{Dav, dav_user, default_calendar_id, vevents};
use crate::harness::{Persona, app};

/// A daily series (UTC) whose 2 January occurrence is moved and carries its own properties.
const SERIES: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\
    BEGIN:VEVENT\r\nUID:kept-1\r\nDTSTAMP:20300101T000000Z\r\nDTSTART:20300101T090000Z\r\nDTEND:20300101T100000Z\r\n\
    RRULE:FREQ=DAILY;COUNT=5\r\nSUMMARY:Standup\r\nX-SERIES:s\r\nEND:VEVENT\r\n\
    BEGIN:VEVENT\r\nUID:kept-1\r\nDTSTAMP:20300101T000000Z\r\nRECURRENCE-ID:20300102T090000Z\r\n\
    DTSTART:20300102T110000Z\r\nDTEND:20300102T120000Z\r\nSUMMARY:Standup (late)\r\nX-FOO:bar\r\nCATEGORIES:x\r\n\
    END:VEVENT\r\nEND:VCALENDAR\r\n";

/// The event id of the one event titled `title` in January 2030 (through the API).
async fn event_id(persona: &Persona<'_>, title: &str) -> i64 {
    let range = persona.get("/api/events?start=2030-01-01T00:00:00Z&end=2030-02-01T00:00:00Z").await.json();
    let items = range["items"].as_array().unwrap();
    let item = items.iter().find(|i| i["title"] == title).unwrap_or_else(|| panic!("no {title} in {range}"));
    item["event_id"].as_i64().unwrap()
}

/// The object's VEVENTs, read with GET.
async fn read(dav: &Dav<'_>, path: &str) -> (String, Vec<String>) {
    let got = dav.send("GET", path, None, &[]).await;
    assert_eq!(got.status, 200, "{}", got.body);
    let parts = vevents(&got.body);
    (got.body, parts)
}

/// The override's own lines are in its VEVENT, once, and nowhere else.
fn assert_override_kept(body: &str, parts: &[String]) {
    assert_eq!(parts.len(), 2, "{body}");
    let (series, occurrence) = (&parts[0], &parts[1]);
    assert!(occurrence.contains("RECURRENCE-ID"), "{body}");
    for line in ["\r\nX-FOO:bar\r\n", "\r\nCATEGORIES:x\r\n"] {
        assert_eq!(occurrence.matches(line).count(), 1, "{line} once in the override: {body}");
        assert!(!series.contains(line), "{line} not in the series: {body}");
    }
    assert_eq!(series.matches("\r\nX-SERIES:s\r\n").count(), 1, "{body}");
    assert!(!occurrence.contains("X-SERIES"), "{body}");
}

#[tokio::test]
async fn override_unknown_properties_round_trip_and_survive_api_edits() {
    let app = app().await;
    let (ann, dav) = dav_user(&app, "ann").await;
    let path = format!("{}kept-1.ics", dav.calendar(default_calendar_id(&ann).await));
    assert_eq!(dav.put(&path, SERIES, &[]).await.status, 201);
    let (body, parts) = read(&dav, &path).await;
    assert_override_kept(&body, &parts);

    // API edits of the series and of the occurrence keep them.
    let id = event_id(&ann, "Standup").await;
    let whole = ann.patch(&format!("/api/events/{id}?scope=all"), json!({"title": "Daily"})).await;
    assert_eq!(whole.status, 200, "{}", whole.body);
    let one = format!("/api/events/{id}?scope=this&recurrence_id=2030-01-02T09:00:00Z");
    let edited = ann.patch(&one, json!({"title": "Daily (late)"})).await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    let (body, parts) = read(&dav, &path).await;
    assert!(parts[0].contains("SUMMARY:Daily\r\n") && parts[1].contains("SUMMARY:Daily (late)\r\n"), "{body}");
    assert_override_kept(&body, &parts);

    // Echoed back as read, nothing doubles.
    assert_eq!(dav.put(&path, &body, &[]).await.status, 204);
    let (again, parts) = read(&dav, &path).await;
    assert_override_kept(&again, &parts);
}

/// A one-hour event (UTC) with the given VALARM components.
fn with_alarms(uid: &str, alarms: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\n\
         DTSTAMP:20300101T000000Z\r\nDTSTART:20300110T090000Z\r\nDTEND:20300110T100000Z\r\nSUMMARY:{uid}\r\n\
         {alarms}END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

/// Apple's kind of alarm: its own UID, acknowledged, a sound, a long description (folded).
const APPLE_ALARM: &str = "BEGIN:VALARM\r\nX-WR-ALARMUID:0A6F2B52-8D1C-4A6E-9D3B-6C1E0F7A2B91\r\n\
    UID:0A6F2B52-8D1C-4A6E-9D3B-6C1E0F7A2B91\r\nTRIGGER:-PT15M\r\nACTION:AUDIO\r\nATTACH;VALUE=URI:Chord\r\n\
    ACKNOWLEDGED:20300110T084600Z\r\nDESCRIPTION:A reminder whose description is long enough to be folded\r\n  by the client\r\n\
    END:VALARM\r\n";

/// One a minute-count cannot hold: at a fixed instant.
const ABSOLUTE_ALARM: &str = "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Leave now\r\nTRIGGER;VALUE=DATE-TIME:20300110T081500Z\r\nEND:VALARM\r\n";

#[tokio::test]
async fn client_alarms_come_back_verbatim() {
    let app = app().await;
    let (ann, dav) = dav_user(&app, "ann").await;
    let base = dav.calendar(default_calendar_id(&ann).await);
    let path = format!("{base}alarmed.ics");
    assert_eq!(
        dav.put(&path, &with_alarms("alarmed", &format!("{APPLE_ALARM}{ABSOLUTE_ALARM}")), &[]).await.status,
        201
    );
    let (body, parts) = read(&dav, &path).await;
    let unfolded = |text: &str| text.replace("\r\n ", "");
    assert!(parts[0].contains(&unfolded(APPLE_ALARM)), "{body}");
    assert!(parts[0].contains(ABSOLUTE_ALARM), "{body}");
    assert_eq!(parts[0].matches("BEGIN:VALARM").count(), 2, "no made-up alarms beside them: {body}");
    // The alerts UMBRA notifies with are the ones it could map.
    let id = event_id(&ann, "alarmed").await;
    assert_eq!(ann.get(&format!("/api/events/{id}")).await.json()["alerts"], json!([15]));

    // Echoed back, they are not doubled.
    assert_eq!(dav.put(&path, &body, &[]).await.status, 204);
    let (again, parts) = read(&dav, &path).await;
    assert_eq!(parts[0].matches("BEGIN:VALARM").count(), 2, "{again}");
    assert!(parts[0].contains(&unfolded(APPLE_ALARM)), "{again}");
}

#[tokio::test]
async fn alerts_changed_in_the_api_replace_the_kept_alarms() {
    let app = app().await;
    let (ann, dav) = dav_user(&app, "ann").await;
    let path = format!("{}changed.ics", dav.calendar(default_calendar_id(&ann).await));
    assert_eq!(dav.put(&path, &with_alarms("changed", APPLE_ALARM), &[]).await.status, 201);
    let id = event_id(&ann, "changed").await;
    // The same alerts in another order are no change.
    let same = ann.patch(&format!("/api/events/{id}"), json!({"title": "changed", "alerts": [15]})).await;
    assert_eq!(same.status, 200, "{}", same.body);
    assert!(read(&dav, &path).await.0.contains("X-WR-ALARMUID"));

    let patched = ann.patch(&format!("/api/events/{id}"), json!({"alerts": [30, 5]})).await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(patched.json()["alerts"], json!([5, 30]));
    let (body, parts) = read(&dav, &path).await;
    assert!(!body.contains("X-WR-ALARMUID") && !body.contains("ACTION:AUDIO"), "the old alarm is gone: {body}");
    assert_eq!(parts[0].matches("BEGIN:VALARM").count(), 2, "{body}");
    assert!(body.contains("TRIGGER:-PT30M\r\n") && body.contains("TRIGGER:-PT5M\r\n"), "{body}");
}
