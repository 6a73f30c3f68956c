//! Completing a repeating todo: it records the completion, moves to the next occurrence
//! (from the due date or from the completion), resets its checklist and stays open; when the
//! series ends it completes for good.

use serde_json::{Value, json};

use super::{create, fields, id, now_text, set_clock};
use crate::harness::app;

#[tokio::test]
async fn from_due_across_a_month_end_with_history_and_checklist_reset() {
    let app = app().await;
    set_clock(&app, "2027-02-03T10:00:00Z");
    let alice = app.user("alice").await;
    let todo = create(
        &alice,
        json!({"title": "Pay rent", "due_date": "2027-01-31", "recurrence": "FREQ=MONTHLY;BYMONTHDAY=-1",
               "checklist": [{"text": "transfer", "done": true}, {"text": "file receipt", "done": true}]}),
    )
    .await;
    let path = format!("/api/todos/{}", id(&todo));
    let moved = alice.patch(&path, json!({"completed": true})).await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    let moved = moved.json();
    assert_eq!(moved["due_date"], "2027-02-28", "the last day of February follows the last of January");
    assert_eq!((moved["completed"].clone(), moved["completed_at"].clone()), (json!(false), Value::Null));
    assert!(moved["checklist"].as_array().unwrap().iter().all(|item| item["done"] == false));
    assert_eq!(alice.get("/api/todos").await.json()["total"], 1, "it stays in the open list");

    let history = alice.get(&format!("{path}/completions")).await.json();
    assert_eq!(history["total"], 1);
    assert_eq!(history["items"][0]["due_date"], "2027-01-31");
    assert_eq!(history["items"][0]["completed_at"], now_text(&app).as_str());

    // Through the convenience action: March 31st next.
    let again = alice.post_empty(&format!("{path}/complete")).await.json();
    assert_eq!(again["due_date"], "2027-03-31");
    let history = alice.get(&format!("{path}/completions?limit=1")).await.json();
    assert_eq!((history["total"].clone(), history["items"].as_array().unwrap().len()), (json!(2), 1));
    assert_eq!(history["items"][0]["due_date"], "2027-02-28", "newest first");
}

#[tokio::test]
async fn from_completion_counts_from_the_day_it_was_done() {
    let app = app().await;
    set_clock(&app, "2027-02-03T10:00:00Z");
    let alice = app.user("alice").await;
    // On the 31st: February has none, so the next is March 31st.
    let on_31st = create(
        &alice,
        json!({"title": "a", "due_date": "2027-01-31", "recurrence": "FREQ=MONTHLY;BYMONTHDAY=31", "recur_from": "completion"}),
    )
    .await;
    let moved = alice.patch(&format!("/api/todos/{}", id(&on_31st)), json!({"completed": true})).await.json();
    assert_eq!(moved["due_date"], "2027-03-31");
    // Monthly from the completion on February 3rd: March 3rd (from the due date it would be
    // March 31st, as January 31st's next monthly date).
    let monthly = create(
        &alice,
        json!({"title": "b", "due_date": "2027-01-31", "recurrence": "FREQ=MONTHLY", "recur_from": "completion"}),
    )
    .await;
    let moved = alice.patch(&format!("/api/todos/{}", id(&monthly)), json!({"completed": true})).await.json();
    assert_eq!(moved["due_date"], "2027-03-03");
    let from_due = create(&alice, json!({"title": "c", "due_date": "2027-01-31", "recurrence": "FREQ=MONTHLY"})).await;
    let moved = alice.patch(&format!("/api/todos/{}", id(&from_due)), json!({"completed": true})).await.json();
    assert_eq!(moved["due_date"], "2027-03-31");
    // A due time from completion keeps its local time of day, on the day after completion.
    let timed = create(
        &alice,
        json!({"title": "d", "due_at": "2027-01-20T07:30:00Z", "timezone": "Europe/Berlin",
               "recurrence": "FREQ=DAILY;INTERVAL=2", "recur_from": "completion"}),
    )
    .await;
    let moved = alice.patch(&format!("/api/todos/{}", id(&timed)), json!({"completed": true})).await.json();
    assert_eq!(moved["due_at"], "2027-02-05T07:30:00.000Z");
}

#[tokio::test]
async fn a_due_time_keeps_its_local_hour_across_the_march_change() {
    let app = app().await;
    set_clock(&app, "2027-03-22T09:00:00Z");
    let alice = app.user("alice").await;
    // 09:00 in Berlin is 08:00Z in winter and 07:00Z in summer (the change is March 28th).
    let todo = create(
        &alice,
        json!({"title": "Stand-up", "due_at": "2027-03-22T08:00:00Z", "timezone": "Europe/Berlin", "recurrence": "FREQ=WEEKLY;BYDAY=MO"}),
    )
    .await;
    let path = format!("/api/todos/{}", id(&todo));
    let moved = alice.patch(&path, json!({"completed": true})).await.json();
    assert_eq!(moved["due_at"], "2027-03-29T07:00:00.000Z");
    let moved = alice.patch(&path, json!({"completed": true})).await.json();
    assert_eq!(moved["due_at"], "2027-04-05T07:00:00.000Z");
    let history = alice.get(&format!("{path}/completions")).await.json();
    assert_eq!(history["items"][1]["due_at"], "2027-03-22T08:00:00.000Z");
}

/// Havana (UTC-5, UTC-4 in summer) moves from 00:00 to 01:00 on 14 March 2027: a 00:30 due
/// time that day is 01:30 CDT (05:30Z), by RFC 5545 §3.3.5; the day is not skipped.
#[tokio::test]
async fn a_day_without_midnight_keeps_its_due_time() {
    let app = app().await;
    set_clock(&app, "2027-03-12T12:00:00Z");
    let alice = app.user("alice").await;
    let todo = create(
        &alice,
        json!({"title": "Night pills", "due_at": "2027-03-13T05:30:00Z", "timezone": "America/Havana",
               "recurrence": "FREQ=DAILY"}),
    )
    .await;
    let path = format!("/api/todos/{}", id(&todo));
    let moved = alice.patch(&path, json!({"completed": true})).await.json();
    assert_eq!(moved["due_at"], "2027-03-14T05:30:00.000Z", "00:30 on the 14th is 01:30 CDT");
    let moved = alice.patch(&path, json!({"completed": true})).await.json();
    assert_eq!(moved["due_at"], "2027-03-15T04:30:00.000Z", "00:30 CDT");

    // From completion on the gap day itself: the series restarts at the moved 00:30 of the
    // 14th, so the next is the 15th.
    set_clock(&app, "2027-03-14T12:00:00Z");
    let from_completion = create(
        &alice,
        json!({"title": "Water plants", "due_at": "2027-03-13T05:30:00Z", "timezone": "America/Havana",
               "recurrence": "FREQ=DAILY", "recur_from": "completion"}),
    )
    .await;
    let moved = alice.patch(&format!("/api/todos/{}", id(&from_completion)), json!({"completed": true})).await.json();
    assert_eq!(moved["due_at"], "2027-03-15T04:30:00.000Z");
}

#[tokio::test]
async fn count_and_until_end_the_series_for_good() {
    let app = app().await;
    set_clock(&app, "2027-05-01T10:00:00Z");
    let alice = app.user("alice").await;
    let todo =
        create(&alice, json!({"title": "Pills", "due_date": "2027-05-01", "recurrence": "FREQ=DAILY;COUNT=3"})).await;
    let path = format!("/api/todos/{}", id(&todo));
    assert_eq!(alice.patch(&path, json!({"completed": true})).await.json()["due_date"], "2027-05-02");
    assert_eq!(alice.patch(&path, json!({"completed": true})).await.json()["due_date"], "2027-05-03");
    let last = alice.patch(&path, json!({"completed": true})).await.json();
    assert_eq!(last["completed"], true, "the third of three completes the series");
    assert_eq!(last["completed_at"], now_text(&app).as_str());
    assert_eq!(last["due_date"], "2027-05-03");
    assert_eq!(alice.get(&format!("{path}/completions")).await.json()["total"], 3);
    assert_eq!(alice.get("/api/todos").await.json()["total"], 0);

    let until = create(
        &alice,
        json!({"title": "Trial", "due_date": "2027-05-01", "recurrence": "FREQ=WEEKLY;UNTIL=20270510T000000Z"}),
    )
    .await;
    let path = format!("/api/todos/{}", id(&until));
    assert_eq!(alice.patch(&path, json!({"completed": true})).await.json()["due_date"], "2027-05-08");
    assert_eq!(alice.patch(&path, json!({"completed": true})).await.json()["completed"], true);
}

#[tokio::test]
async fn recurrence_can_be_added_changed_and_removed() {
    let app = app().await;
    let alice = app.user("alice").await;
    let todo = create(&alice, json!({"title": "t", "due_date": "2027-01-04"})).await;
    let path = format!("/api/todos/{}", id(&todo));
    let response = alice.patch(&path, json!({"recurrence": "FREQ=WEEKLY;BYDAY=MO;FOO=1"})).await;
    assert_eq!(fields(&response), ["recurrence"]);
    assert!(response.json()["errors"][0]["message"].as_str().unwrap().contains("FOO"));
    let set =
        alice.patch(&path, json!({"recurrence": "freq=weekly;byday=mo", "recur_from": "completion"})).await.json();
    assert_eq!(set["recurrence"], "FREQ=WEEKLY;BYDAY=MO");
    assert_eq!(set["recur_from"], "completion");
    let removed = alice.patch(&path, json!({"recurrence": null})).await.json();
    assert_eq!(removed["recurrence"], Value::Null);
    let done = alice.patch(&path, json!({"completed": true})).await.json();
    assert_eq!(done["completed"], true, "without a rule, completing completes");
}

/// Dates are kept within the years 1900–2200: a far-off date is refused, and a series that
/// would step past 2200 has ended (it neither walks millennia nor writes a year `YYYY` cannot hold).
#[tokio::test]
async fn dates_stay_within_the_supported_years() {
    let app = app().await;
    set_clock(&app, "2027-02-03T10:00:00Z");
    let alice = app.user("alice").await;
    for (field, value) in [("due_date", "0000-01-01"), ("due_date", "9999-12-31"), ("due_at", "0001-01-01T00:00:00Z")] {
        let refused = alice.post("/api/todos", json!({"title": "Far", field: value, "recurrence": "FREQ=DAILY"})).await;
        assert_eq!(refused.problem(422)["errors"][0]["field"], field, "{value}");
    }
    let last = create(&alice, json!({"title": "Last", "due_date": "2200-06-01", "recurrence": "FREQ=YEARLY"})).await;
    let done = alice.post_empty(&format!("/api/todos/{}/complete", id(&last))).await.json();
    assert_eq!((done["completed"].clone(), done["due_date"].clone()), (json!(true), json!("2200-06-01")));
}

/// PostgreSQL cannot store U+0000 in text: a body holding it is refused alike on both
/// databases, and one in a query string is a 422 there, never a 500.
#[tokio::test]
async fn the_nul_character_is_refused_not_a_server_error() {
    let app = app().await;
    let alice = app.user("alice").await;
    let refused = alice.post("/api/todos", json!({"title": "a\u{0}b"})).await;
    assert!(refused.problem(422)["detail"].as_str().unwrap().contains("NUL"));
    let fine = alice.post("/api/todos", json!({"title": "\\u0000 is how JSON writes it"})).await;
    assert_eq!(fine.status, 201, "{}", fine.body);
    let search = alice.get("/api/todos?q=%00").await;
    assert!(matches!(search.status, 200 | 422), "{} {}", search.status, search.body);
}
