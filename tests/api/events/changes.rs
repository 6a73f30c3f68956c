//! The per-calendar change log CalDAV sync will read: every create, change (overrides and
//! exdates included) and delete takes the calendar's next sequence number with the event's
//! UID; a move between calendars is a delete in the old and a create in the new; a split
//! creates the new series.

use serde_json::json;

use super::{add_calendar, create, default_calendar, id, timed};
use crate::harness::{TestApp, app};

/// The calendar's log as (seq, uid, kind), oldest first.
async fn log(app: &TestApp, calendar: i64) -> Vec<(i64, String, String)> {
    sqlx::query_as("SELECT seq, uid, kind FROM calendar_changes WHERE calendar_id = $1 ORDER BY seq")
        .bind(calendar)
        .fetch_all(app.db.pool())
        .await
        .unwrap()
}

fn kinds(entries: &[(i64, String, String)]) -> Vec<&str> {
    entries.iter().map(|(_, _, kind)| kind.as_str()).collect()
}

#[tokio::test]
async fn every_write_is_logged_in_order() {
    let app = app().await;
    let alice = app.user("alice").await;
    let home = default_calendar(&app, "alice").await;
    let work = add_calendar(&app, "alice", "Work", "#222222").await;
    let mut body = timed("Series", "2027-01-04T09:00:00Z", "2027-01-04T10:00:00Z");
    body["recurrence"] = json!("FREQ=DAILY;COUNT=5");
    let series = create(&alice, body).await;
    let uid = series["uid"].as_str().unwrap().to_string();
    let path = format!("/api/events/{}", id(&series));
    alice.patch(&format!("{path}?scope=all"), json!({"title": "Renamed"})).await;
    alice.patch(&format!("{path}?scope=this&recurrence_id=2027-01-05T09:00:00Z"), json!({"title": "One"})).await;
    alice.delete(&format!("{path}?scope=this&recurrence_id=2027-01-06T09:00:00Z")).await;
    let entries = log(&app, home).await;
    assert_eq!(kinds(&entries), ["created", "changed", "changed", "changed"]);
    assert!(entries.iter().all(|(_, u, _)| *u == uid));
    assert_eq!(entries.iter().map(|(seq, _, _)| *seq).collect::<Vec<_>>(), [1, 2, 3, 4]);
    assert_eq!(alice.get(&path).await.json()["revision"], 4);

    let split = alice
        .patch(&format!("{path}?scope=following&recurrence_id=2027-01-07T09:00:00Z"), json!({"title": "Later"}))
        .await
        .json();
    let entries = log(&app, home).await;
    assert_eq!(kinds(&entries[4..]), ["changed", "created"]);
    assert_eq!(entries[5].1, split["uid"].as_str().unwrap());

    // A move: deleted in the old calendar, created in the new, under the same UID.
    let moved = alice.patch(&format!("{path}?scope=all"), json!({"calendar_id": work})).await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(moved.json()["uid"], uid.as_str());
    let entries = log(&app, home).await;
    assert_eq!((entries[6].1.as_str(), entries[6].2.as_str()), (uid.as_str(), "deleted"));
    assert_eq!(log(&app, work).await, [(1, uid.clone(), "created".to_string())]);
    assert_eq!(alice.delete(&format!("{path}?scope=all")).await.status, 204);
    assert_eq!(kinds(&log(&app, work).await), ["created", "deleted"]);
    // A single event, and a refused change that logs nothing.
    let single = create(&alice, timed("One-off", "2027-02-01T09:00:00Z", "2027-02-01T10:00:00Z")).await;
    alice.patch(&format!("/api/events/{}", id(&single)), json!({"title": ""})).await.problem(422);
    let entries = log(&app, home).await;
    assert_eq!(kinds(&entries[7..]), ["created"]);
    let seq: i64 = sqlx::query_scalar("SELECT sync_seq FROM calendars WHERE id = $1")
        .bind(home)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(seq, 8, "the calendar's counter is the last sequence number");
}
