//! The range read's contract: the parameters, the window limits (400 days, 5,000
//! occurrences), overlap at the edges, the item fields, and one calendar at a time.

use serde_json::json;

use super::{add_calendar, create, fields, id, range, timed};
use crate::harness::app;

#[tokio::test]
async fn parameters_and_window_limits() {
    let app = app().await;
    let alice = app.user("alice").await;
    assert_eq!(fields(&alice.get("/api/events").await), ["start", "end"]);
    assert_eq!(fields(&alice.get("/api/events?start=2027-01-01T00:00:00Z").await), ["end"]);
    assert_eq!(fields(&alice.get("/api/events?start=monday&end=2027-01-01T00:00:00Z").await), ["start"]);
    assert_eq!(fields(&alice.get("/api/events?start=2027-01-02T00:00:00Z&end=2027-01-01T00:00:00Z").await), ["end"]);
    assert_eq!(
        fields(&alice.get("/api/events?start=2027-01-01T00:00:00Z&end=2027-01-02T00:00:00Z&calendar_id=x").await),
        ["calendar_id"]
    );
    // 400 days are fine, a minute more is not.
    assert_eq!(alice.get("/api/events?start=2027-01-01T00:00:00Z&end=2028-02-05T00:00:00Z").await.status, 200);
    assert_eq!(fields(&alice.get("/api/events?start=2027-01-01T00:00:00Z&end=2028-02-05T00:01:00Z").await), ["end"]);
    // A window with more than 5,000 occurrences is refused, one with exactly 5,000 is not.
    let mut body = timed("Every hour or so", "2027-01-01T00:00:00Z", "2027-01-01T00:10:00Z");
    body["recurrence"] = json!("FREQ=DAILY");
    for minute in 0..14 {
        body["start"] = json!(format!("2027-01-01T{:02}:{:02}:00Z", minute, 0));
        body["end"] = json!(format!("2027-01-01T{:02}:{:02}:00Z", minute, 10));
        create(&alice, body.clone()).await;
    }
    // 14 series × 357 days = 4,998; plus 2 single events = 5,000.
    create(&alice, timed("a", "2027-06-01T20:00:00Z", "2027-06-01T21:00:00Z")).await;
    create(&alice, timed("b", "2027-06-01T21:00:00Z", "2027-06-01T22:00:00Z")).await;
    let exact = alice.get("/api/events?start=2027-01-01T00:00:00Z&end=2027-12-24T00:00:00Z").await;
    assert_eq!(exact.status, 200, "{}", &exact.body[..200.min(exact.body.len())]);
    assert_eq!(exact.json()["items"].as_array().unwrap().len(), 5_000);
    let over = alice.get("/api/events?start=2027-01-01T00:00:00Z&end=2027-12-24T00:00:01Z").await;
    assert_eq!(fields(&over), ["end"]);
}

#[tokio::test]
async fn overlap_at_the_edges_and_item_fields() {
    let app = app().await;
    let alice = app.user("alice").await;
    let event = create(&alice, timed("Edge", "2027-01-01T09:00:00Z", "2027-01-01T10:00:00Z")).await;
    let at = |start: &str, end: &str| format!("/api/events?start={start}&end={end}");
    let count = |body: serde_json::Value| body["items"].as_array().unwrap().len();
    assert_eq!(
        count(alice.get(&at("2027-01-01T10:00:00Z", "2027-01-01T11:00:00Z")).await.json()),
        0,
        "ends as the window starts"
    );
    assert_eq!(
        count(alice.get(&at("2027-01-01T08:00:00Z", "2027-01-01T09:00:00Z")).await.json()),
        0,
        "starts as it ends"
    );
    assert_eq!(count(alice.get(&at("2027-01-01T09:59:00Z", "2027-01-01T11:00:00Z")).await.json()), 1);
    let items = range(&alice, "2027-01-01T00:00:00Z", "2027-01-02T00:00:00Z").await;
    let item = items[0].as_object().unwrap();
    let mut keys: Vec<&str> = item.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["access", "all_day", "calendar_id", "colour", "end", "event_id", "recurrence_id", "start", "title"]
    );
    assert_eq!(item["event_id"], id(&event));
    assert_eq!(item["recurrence_id"], serde_json::Value::Null);
    assert_eq!(item["colour"], "#5B8DEF", "the default calendar's colour");
    assert_eq!(item["access"], "owner");
}

#[tokio::test]
async fn one_calendar_at_a_time() {
    let app = app().await;
    let alice = app.user("alice").await;
    let work = add_calendar(&app, "alice", "Work", "#222222").await;
    create(&alice, timed("home", "2027-01-01T09:00:00Z", "2027-01-01T10:00:00Z")).await;
    let mut body = timed("work", "2027-01-01T11:00:00Z", "2027-01-01T12:00:00Z");
    body["calendar_id"] = json!(work);
    create(&alice, body).await;
    assert_eq!(range(&alice, "2027-01-01T00:00:00Z", "2027-01-02T00:00:00Z").await.len(), 2);
    let only = alice
        .get(&format!("/api/events?start=2027-01-01T00:00:00Z&end=2027-01-02T00:00:00Z&calendar_id={work}"))
        .await
        .json();
    let items = only["items"].as_array().unwrap();
    assert_eq!(
        (items.len(), items[0]["title"].clone(), items[0]["colour"].clone()),
        (1, json!("work"), json!("#222222"))
    );
    alice.get("/api/events?start=2027-01-01T00:00:00Z&end=2027-01-02T00:00:00Z&calendar_id=999999").await.problem(404);
}

#[tokio::test]
async fn long_and_short_events_that_began_before_the_window_are_found() {
    // The range read looks back at most 31 days for short events and walks long ones apart
    // (`events_window`); an event on either side of that line must be found.
    let app = app().await;
    let alice = app.user("alice").await;
    for (title, start, end) in [
        ("an hour", "2027-03-01T09:00:00Z", "2027-03-01T10:00:00Z"),
        ("30 days", "2027-01-31T10:00:00Z", "2027-03-02T10:00:00Z"),
        ("31 days exactly", "2027-01-29T01:00:00Z", "2027-03-01T01:00:00Z"),
        ("31 days and a minute", "2027-01-29T23:59:00Z", "2027-03-02T00:00:00Z"),
        ("a year and more", "2026-01-01T00:00:00Z", "2027-03-05T00:00:00Z"),
        ("ended before", "2027-01-01T00:00:00Z", "2027-03-01T00:00:00Z"),
    ] {
        create(&alice, timed(title, start, end)).await;
    }
    create(
        &alice,
        json!({"title": "40 days off", "all_day": true, "start_date": "2027-01-25", "end_date": "2027-03-06"}),
    )
    .await;
    let mut weekly = timed("weekly since 2020", "2020-03-02T08:00:00Z", "2020-03-02T08:30:00Z");
    weekly["recurrence"] = json!("FREQ=WEEKLY");
    create(&alice, weekly).await;
    let items = range(&alice, "2027-03-01T00:00:00Z", "2027-03-03T00:00:00Z").await;
    let mut titles: Vec<&str> = items.iter().map(|item| item["title"].as_str().unwrap()).collect();
    titles.sort_unstable();
    assert_eq!(
        titles,
        [
            "30 days",
            "31 days and a minute",
            "31 days exactly",
            "40 days off",
            "a year and more",
            "an hour",
            "weekly since 2020"
        ]
    );
}
