//! Import rules: a malformed file is one 422 naming its line and nothing is imported; the same
//! file twice changes nothing; only text/calendar, at most 5 MiB; write access needed.

use std::fmt::Write as _;

use super::{GOOGLE, count, default_calendar, events_in, extra_calendar, import, import_as, share};
use crate::harness::app;

#[tokio::test]
async fn a_malformed_file_names_its_line_and_imports_nothing() {
    let app = app().await;
    let alice = app.user("alice").await;
    let calendar = default_calendar(&app, "alice").await;
    // A good event first, then a line with no value separator.
    let broken = GOOGLE.replacen("SUMMARY:Dentist", "SUMMARY Dentist", 1);
    let line = broken.lines().position(|l| l == "SUMMARY Dentist").unwrap() + 1;
    let problem = import(&alice, calendar, &broken).await.problem(422);
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains(&format!("Line {line}")), "{detail}");
    assert_eq!(problem["errors"][0]["field"], "file");
    assert_eq!(events_in(&app, calendar).await, 0, "nothing half-imported");
    // A value that is not a date, and a component left open.
    let bad_date = GOOGLE.replacen("DTSTART:20270405T070000Z", "DTSTART:tomorrow", 1);
    let line = bad_date.lines().position(|l| l == "DTSTART:tomorrow").unwrap() + 1;
    let detail = import(&alice, calendar, &bad_date).await.problem(422)["detail"].as_str().unwrap().to_string();
    assert!(detail.contains(&format!("Line {line}")), "{detail}");
    let open = GOOGLE.replacen("END:VEVENT\r\nEND:VCALENDAR", "END:VCALENDAR", 1);
    assert_eq!(import(&alice, calendar, &open).await.status, 422);
    assert_eq!(import(&alice, calendar, "").await.status, 422);
    assert_eq!(events_in(&app, calendar).await, 0);
}

#[tokio::test]
async fn importing_the_same_file_twice_changes_nothing() {
    let app = app().await;
    let alice = app.user("alice").await;
    let calendar = default_calendar(&app, "alice").await;
    assert_eq!(import(&alice, calendar, GOOGLE).await.json()["imported"], 3);
    let log_sql = "SELECT COUNT(*) FROM calendar_changes WHERE calendar_id = $1";
    let logged = count(&app, log_sql, calendar).await;
    assert_eq!(logged, 3, "each create is in the change log");
    let revisions = "SELECT CAST(SUM(revision) AS BIGINT) FROM events WHERE calendar_id = $1";
    let before = count(&app, revisions, calendar).await;
    let again = import(&alice, calendar, GOOGLE).await.json();
    assert_eq!(
        (again["imported"].as_u64(), again["updated"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(0), Some(3))
    );
    assert_eq!(events_in(&app, calendar).await, 3);
    assert_eq!(count(&app, revisions, calendar).await, before);
    assert_eq!(count(&app, log_sql, calendar).await, logged);
    // A changed event is updated in place (same UID), its revision and the log move on.
    let changed =
        import(&alice, calendar, &GOOGLE.replacen("SUMMARY:Dentist", "SUMMARY:Dentist (moved)", 1)).await.json();
    assert_eq!((changed["imported"].as_u64(), changed["updated"].as_u64()), (Some(0), Some(1)));
    assert_eq!(count(&app, revisions, calendar).await, before + 1);
    assert_eq!(count(&app, log_sql, calendar).await, logged + 1);
    let title: String = sqlx::query_scalar("SELECT title FROM events WHERE uid = '0a9s8d7f6g5h4j3k2l1@google.com'")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(title, "Dentist (moved)");
}

#[tokio::test]
async fn only_text_calendar_within_5_mib_as_utf8() {
    let app = app().await;
    let alice = app.user("alice").await;
    let calendar = default_calendar(&app, "alice").await;
    assert_eq!(import_as(&alice, calendar, GOOGLE, "application/json").await.status, 415);
    assert_eq!(import_as(&alice, calendar, GOOGLE, "text/plain").await.status, 415);
    assert_eq!(import_as(&alice, calendar, GOOGLE, "text/calendar; charset=utf-8").await.status, 200);
    let huge = format!("{}{}", GOOGLE, "X".repeat(5 * 1024 * 1024));
    assert_eq!(import(&alice, calendar, &huge).await.status, 413);
    let response = alice
        .app
        .client
        .post(format!("/api/calendars/{calendar}/import"))
        .header(rocket::http::Header::new("X-Requested-With", "XMLHttpRequest"))
        .header(rocket::http::ContentType::new("text", "calendar"))
        .cookie(rocket::http::Cookie::new(umbra::auth::session::SECURE_COOKIE, alice.cookie().unwrap()))
        .body(vec![0xff_u8, 0xfe, 0x00])
        .dispatch()
        .await;
    assert_eq!(response.status().code, 422);
}

#[tokio::test]
async fn import_needs_write_access() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    let shared = extra_calendar(&app, "alice", "Shared", Some("Europe/Berlin")).await;
    share(&app, "alice", "bob", shared, "read").await;
    share(&app, "alice", "carol", shared, "write").await;
    assert_eq!(import(&bob, shared, GOOGLE).await.status, 403, "a read member knows the calendar but may not write");
    assert_eq!(events_in(&app, shared).await, 0);
    assert_eq!(import(&carol, shared, GOOGLE).await.json()["imported"], 3);
    // The reader may export it.
    assert_eq!(super::export(&bob, shared).await.status, 200);
    let _ = alice;
}

#[tokio::test]
async fn one_import_takes_a_bounded_number_of_events_and_occurrences() {
    let app = app().await;
    let alice = app.user("alice").await;
    let calendar = default_calendar(&app, "alice").await;
    let event = |i: usize| {
        format!(
            "BEGIN:VEVENT\r\nUID:e{i}\r\nDTSTART:20270101T090000Z\r\nDTEND:20270101T100000Z\r\nSUMMARY:x\r\nEND:VEVENT\r\n"
        )
    };
    let many: String = (0..10_001).map(event).collect();
    let text = format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n{many}END:VCALENDAR\r\n");
    let refused = import(&alice, calendar, &text).await;
    assert_eq!(refused.problem(422)["errors"][0]["field"], "file");
    assert_eq!(events_in(&app, calendar).await, 0, "nothing imported");
    // A series keeps at most 1,000 changed occurrences; the rest are reported, not stored.
    let mut moved = String::new();
    for day in 1..=1_001 {
        let d = (chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap() + chrono::Duration::days(day)).format("%Y%m%d");
        let _ = write!(
            moved,
            "BEGIN:VEVENT\r\nUID:s\r\nRECURRENCE-ID:{d}T090000Z\r\nDTSTART:{d}T100000Z\r\nDTEND:{d}T110000Z\r\nSUMMARY:moved\r\nEND:VEVENT\r\n"
        );
    }
    let series = "BEGIN:VEVENT\r\nUID:s\r\nDTSTART:20270101T090000Z\r\nDTEND:20270101T100000Z\r\nRRULE:FREQ=DAILY\r\nSUMMARY:s\r\nEND:VEVENT\r\n";
    let text = format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n{series}{moved}END:VCALENDAR\r\n");
    let done = import(&alice, calendar, &text).await;
    assert_eq!(done.status, 200, "{}", done.body);
    let body = done.json();
    assert!(body["unsupported"].to_string().contains("at most 1,000 changed occurrences"), "{body}");
    let stored = count(
        &app,
        "SELECT COUNT(*) FROM event_overrides o JOIN events e ON e.id = o.event_id WHERE e.calendar_id = $1",
        calendar,
    )
    .await;
    assert_eq!(stored, 1_000);
}

/// A series the API would refuse (longer than its repeat, or a rule that never repeats) is
/// left out of an import and named among what was not imported; the rest goes in.
#[tokio::test]
async fn a_series_the_api_would_refuse_is_left_out_and_named() {
    let app = app().await;
    let alice = app.user("alice").await;
    let calendar = default_calendar(&app, "alice").await;
    let event = |uid: &str, start: &str, end: &str, rule: &str| {
        format!(
            "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:{start}\r\nDTEND:{end}\r\n\
             SUMMARY:{uid}\r\nRRULE:{rule}\r\nEND:VEVENT\r\n"
        )
    };
    let file = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{}{}{}END:VCALENDAR\r\n",
        event("long", "20200101T000000Z", "20400101T000000Z", "FREQ=DAILY"),
        event("never", "20270101T090000Z", "20270101T100000Z", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"),
        event("fine", "20270101T090000Z", "20270101T100000Z", "FREQ=WEEKLY;COUNT=3"),
    );
    let summary = import(&alice, calendar, &file).await.json();
    assert_eq!(summary["imported"], 1, "{summary}");
    let left_out = summary["unsupported"].to_string();
    assert!(left_out.contains("event long") && left_out.contains("event never"), "{left_out}");
    assert_eq!(events_in(&app, calendar).await, 1);
}
