//! Files written by other calendar programs import with the right events, overrides and
//! all-day dates, and list what they held that UMBRA does not keep.

use serde_json::Value;

use super::{APPLE, GOOGLE, OUTLOOK, THUNDERBIRD, count, default_calendar, events_in, import};
use crate::harness::{TestApp, app};

/// (what, line) of each unsupported item.
fn unsupported(result: &Value) -> Vec<(String, Option<u64>)> {
    result["unsupported"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["what"].as_str().unwrap().to_string(), u["line"].as_u64()))
        .collect()
}

fn line_of(text: &str, starts: &str) -> u64 {
    text.lines().position(|l| l.starts_with(starts)).unwrap() as u64 + 1
}

async fn row(
    app: &TestApp,
    calendar: i64,
    uid: &str,
) -> (i64, Option<String>, Option<String>, String, Option<String>, String) {
    sqlx::query_as(
        "SELECT all_day, start_date, end_date, timezone, recurrence, exdates FROM events WHERE calendar_id = $1 AND uid = $2",
    )
    .bind(calendar)
    .bind(uid)
    .fetch_one(app.db.pool())
    .await
    .unwrap()
}

async fn overrides_of(app: &TestApp, calendar: i64) -> i64 {
    count(
        app,
        "SELECT COUNT(*) FROM event_overrides o JOIN events e ON e.id = o.event_id WHERE e.calendar_id = $1",
        calendar,
    )
    .await
}

#[tokio::test]
async fn google_calendar() {
    let app = app().await;
    let alice = app.user("alice").await;
    let calendar = default_calendar(&app, "alice").await;
    let result = import(&alice, calendar, GOOGLE).await;
    assert_eq!(result.status, 200, "{}", result.body);
    let json = result.json();
    assert_eq!((json["imported"].as_u64(), json["updated"].as_u64()), (Some(3), Some(0)));
    assert_eq!(events_in(&app, calendar).await, 3);
    assert_eq!(overrides_of(&app, calendar).await, 1);
    let climbing = row(&app, calendar, "5p1k3n2q0v7m9c8b4x6z@google.com").await;
    assert_eq!(
        (climbing.0, climbing.3.as_str(), climbing.4.as_deref()),
        (0, "Europe/Berlin", Some("FREQ=WEEKLY;BYDAY=MO"))
    );
    let exdates: Vec<i64> = serde_json::from_str(&climbing.5).unwrap();
    assert_eq!(exdates.len(), 1);
    let birthday = row(&app, calendar, "birthday-grandma@google.com").await;
    assert_eq!((birthday.0, birthday.1.as_deref(), birthday.2.as_deref()), (1, Some("2027-06-12"), Some("2027-06-13")));
    let listed = unsupported(&json);
    for (what, starts) in [("ORGANIZER", "ORGANIZER"), ("ATTENDEE", "ATTENDEE"), ("X-GOOGLE-CONFERENCE", "X-GOOGLE")] {
        assert!(listed.contains(&(what.to_string(), Some(line_of(GOOGLE, starts)))), "{what} in {listed:?}");
    }
}

#[tokio::test]
async fn apple_calendar() {
    let app = app().await;
    let alice = app.user("alice").await;
    let calendar = default_calendar(&app, "alice").await;
    let json = import(&alice, calendar, APPLE).await.json();
    assert_eq!(json["imported"], 3, "{json}");
    let club = row(&app, calendar, "7D3F1C2A-8B4E-4F6A-9C1D-2E3F4A5B6C7D").await;
    assert_eq!((club.3.as_str(), club.4.as_deref()), ("America/New_York", Some("FREQ=MONTHLY;BYDAY=-1FR")));
    let alerts: String = sqlx::query_scalar("SELECT alerts FROM events WHERE uid = $1")
        .bind("7D3F1C2A-8B4E-4F6A-9C1D-2E3F4A5B6C7D")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(alerts, "[15]");
    let trip = row(&app, calendar, "A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF").await;
    assert_eq!((trip.0, trip.1.as_deref(), trip.2.as_deref()), (1, Some("2027-07-02"), Some("2027-07-05")));
    let listed = unsupported(&json);
    assert!(listed.contains(&("RDATE".to_string(), Some(line_of(APPLE, "RDATE")))), "{listed:?}");
    assert!(listed.contains(&("TRIGGER".to_string(), Some(line_of(APPLE, "TRIGGER;VALUE=DATE-TIME")))), "{listed:?}");
    assert!(listed.iter().any(|(w, _)| w == "URL"), "{listed:?}");
    assert!(listed.iter().any(|(w, _)| w == "X-APPLE-TRAVEL-ADVISORY-BEHAVIOR"), "{listed:?}");
}

#[tokio::test]
async fn thunderbird() {
    let app = app().await;
    let alice = app.user("alice").await;
    let calendar = default_calendar(&app, "alice").await;
    let json = import(&alice, calendar, THUNDERBIRD).await.json();
    assert_eq!(json["imported"], 2, "{json}");
    let run = row(&app, calendar, "b7c1e2f0-1d2e-4c3b-9a8f-7e6d5c4b3a21").await;
    assert_eq!(run.3, "Europe/Paris");
    let exdates: Vec<i64> = serde_json::from_str(&run.5).unwrap();
    assert_eq!(exdates.len(), 2, "both dates of the comma list");
    assert_eq!(overrides_of(&app, calendar).await, 1);
    // The weekly-number rule is not supported: the event is kept as one occurrence.
    let review = row(&app, calendar, "e5d4c3b2-a190-4f8e-8d7c-6b5a49382716").await;
    assert_eq!(review.4, None);
    let listed = unsupported(&json);
    assert!(
        listed.contains(&("RRULE".to_string(), Some(line_of(THUNDERBIRD, "RRULE:FREQ=YEARLY;BYWEEKNO")))),
        "{listed:?}"
    );
    assert!(listed.contains(&("VTODO".to_string(), Some(line_of(THUNDERBIRD, "BEGIN:VTODO")))), "{listed:?}");
    assert!(listed.contains(&("TRIGGER".to_string(), Some(line_of(THUNDERBIRD, "TRIGGER;RELATED=END")))), "{listed:?}");
    let detail =
        json["unsupported"].as_array().unwrap().iter().find(|u| u["what"] == "RRULE").unwrap()["detail"].clone();
    assert!(detail.as_str().unwrap().contains("BYWEEKNO"), "{detail}");
}

#[tokio::test]
async fn outlook() {
    let app = app().await;
    let alice = app.user("alice").await;
    let calendar = default_calendar(&app, "alice").await;
    let json = import(&alice, calendar, OUTLOOK).await.json();
    assert_eq!(json["imported"], 2, "{json}");
    let uid: String = sqlx::query_scalar("SELECT uid FROM events WHERE calendar_id = $1 AND all_day = 0")
        .bind(calendar)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let sync = row(&app, calendar, &uid).await;
    assert_eq!(sync.3, "Europe/Berlin", "the Windows zone name maps to IANA");
    assert!(sync.4.as_deref().unwrap().contains("UNTIL=20270531T080000Z"), "{:?}", sync.4);
    let listed = unsupported(&json);
    let tzid = json["unsupported"].as_array().unwrap().iter().find(|u| u["what"] == "TZID").expect("the unknown zone");
    assert!(tzid["detail"].as_str().unwrap().contains("Customized Time Zone"), "{tzid}");
    assert!(listed.iter().any(|(w, _)| w == "X-MICROSOFT-CDO-BUSYSTATUS"), "{listed:?}");
}
