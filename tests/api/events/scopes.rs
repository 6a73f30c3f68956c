//! Scoped changes of a series: `this` (an override; an exdate on delete), `following` (the
//! series is split at the occurrence), `all` (overrides that no longer fit are dropped and
//! reported); a series needs a scope, and a recurrence id must name an occurrence.

use serde_json::{Value, json};

use super::{create, fields, id, range, starts};
use crate::harness::app;

const MONTH: (&str, &str) = ("2027-01-01T00:00:00Z", "2027-02-01T00:00:00Z");

fn daily(count: u32) -> Value {
    json!({"title": "Standup", "start": "2027-01-04T09:00:00Z", "end": "2027-01-04T09:15:00Z",
        "timezone": "UTC", "recurrence": format!("FREQ=DAILY;COUNT={count}")})
}

#[tokio::test]
async fn a_series_needs_a_scope_and_an_occurrence() {
    let app = app().await;
    let alice = app.user("alice").await;
    let series = create(&alice, daily(5)).await;
    let path = format!("/api/events/{}", id(&series));
    assert_eq!(fields(&alice.patch(&path, json!({"title": "x"})).await), ["scope"]);
    assert_eq!(fields(&alice.delete(&path).await), ["scope"]);
    assert_eq!(fields(&alice.patch(&format!("{path}?scope=this"), json!({"title": "x"})).await), ["recurrence_id"]);
    for bad in ["2027-01-04T09:30:00Z", "2027-01-09T09:00:00Z", "2027-01-05", "tomorrow"] {
        let response = alice.patch(&format!("{path}?scope=this&recurrence_id={bad}"), json!({"title": "x"})).await;
        assert_eq!(fields(&response), ["recurrence_id"], "{bad}");
        assert_eq!(
            fields(&alice.delete(&format!("{path}?scope=following&recurrence_id={bad}")).await),
            ["recurrence_id"]
        );
    }
    // Whole-series fields cannot change for one occurrence.
    let one = format!("{path}?scope=this&recurrence_id=2027-01-05T09:00:00Z");
    assert_eq!(
        fields(&alice.patch(&one, json!({"recurrence": "FREQ=WEEKLY", "timezone": "UTC"})).await),
        ["timezone", "recurrence"]
    );
    assert_eq!(alice.get(&path).await.json()["revision"], 1, "nothing changed");
    // An offset other than Z names the same instant (+ written %2B).
    let response = alice
        .patch(&format!("{path}?scope=this&recurrence_id=2027-01-05T10:00:00%2B01:00"), json!({"title": "x"}))
        .await;
    assert_eq!(response.status, 200, "{}", response.body);
}

#[tokio::test]
async fn this_occurrence_is_changed_moved_and_deleted() {
    let app = app().await;
    let alice = app.user("alice").await;
    let series = create(&alice, daily(5)).await;
    let path = format!("/api/events/{}", id(&series));
    let moved = alice
        .patch(
            &format!("{path}?scope=this&recurrence_id=2027-01-05T09:00:00.000Z"),
            json!({"title": "Standup (late)", "start": "2027-01-05T14:00:00Z", "colour": "#00aa00"}),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    let moved = moved.json();
    assert_eq!(moved["revision"], 2, "an override is a change of the event");
    assert_eq!(moved["title"], "Standup", "the series keeps its title");
    assert_eq!(moved["overrides"].as_array().unwrap().len(), 1);
    let over = &moved["overrides"][0];
    assert_eq!(
        (over["recurrence_id"].clone(), over["start"].clone(), over["end"].clone()),
        (json!("2027-01-05T09:00:00.000Z"), json!("2027-01-05T14:00:00.000Z"), json!("2027-01-05T14:15:00.000Z"))
    );
    let items = range(&alice, MONTH.0, MONTH.1).await;
    assert_eq!(
        starts(&items),
        ["2027-01-04T09:00", "2027-01-05T14:00", "2027-01-06T09:00", "2027-01-07T09:00", "2027-01-08T09:00"]
    );
    assert_eq!((items[1]["title"].clone(), items[1]["colour"].clone()), (json!("Standup (late)"), json!("#00aa00")));
    assert_eq!(items[1]["recurrence_id"], "2027-01-05T09:00:00.000Z");
    // The override moves an occurrence into another window: it is found where it is now.
    alice
        .patch(
            &format!("{path}?scope=this&recurrence_id=2027-01-08T09:00:00Z"),
            json!({"start": "2027-02-10T09:00:00Z"}),
        )
        .await;
    assert_eq!(starts(&range(&alice, "2027-02-01T00:00:00Z", "2027-03-01T00:00:00Z").await), ["2027-02-10T09:00"]);
    assert_eq!(range(&alice, MONTH.0, MONTH.1).await.len(), 4);
    // Deleting one occurrence excludes it and drops its override.
    assert_eq!(alice.delete(&format!("{path}?scope=this&recurrence_id=2027-01-05T09:00:00Z")).await.status, 204);
    let after = alice.get(&path).await.json();
    assert_eq!(after["exdates"], json!(["2027-01-05T09:00:00.000Z"]));
    assert_eq!(after["overrides"].as_array().unwrap().len(), 1);
    assert_eq!(
        starts(&range(&alice, MONTH.0, MONTH.1).await),
        ["2027-01-04T09:00", "2027-01-06T09:00", "2027-01-07T09:00"]
    );
    // An excluded occurrence is no longer one.
    let again =
        alice.patch(&format!("{path}?scope=this&recurrence_id=2027-01-05T09:00:00Z"), json!({"title": "x"})).await;
    assert_eq!(fields(&again), ["recurrence_id"]);
}

#[tokio::test]
async fn this_and_following_splits_the_series() {
    let app = app().await;
    let alice = app.user("alice").await;
    let series = create(&alice, daily(6)).await;
    let path = format!("/api/events/{}", id(&series));
    alice.patch(&format!("{path}?scope=this&recurrence_id=2027-01-08T09:00:00Z"), json!({"title": "Friday"})).await;
    let split = alice
        .patch(
            &format!("{path}?scope=following&recurrence_id=2027-01-06T09:00:00Z"),
            json!({"start": "2027-01-06T10:00:00Z"}),
        )
        .await;
    assert_eq!(split.status, 200, "{}", split.body);
    let new = split.json();
    assert_ne!(id(&new), id(&series), "the answer is the new series");
    assert_ne!(new["uid"], series["uid"]);
    assert_eq!(new["recurrence"], "FREQ=DAILY;COUNT=4", "the new part has the remaining count");
    assert_eq!(new["start"], "2027-01-06T10:00:00.000Z");
    assert_eq!(
        new["dropped_overrides"],
        json!(["2027-01-08T09:00:00.000Z"]),
        "09:00 is no occurrence of a 10:00 series"
    );
    let old = alice.get(&path).await.json();
    assert_eq!(old["recurrence"], "FREQ=DAILY;COUNT=2");
    assert!(old["overrides"].as_array().unwrap().is_empty());
    let items = range(&alice, MONTH.0, MONTH.1).await;
    assert_eq!(
        starts(&items),
        [
            "2027-01-04T09:00",
            "2027-01-05T09:00",
            "2027-01-06T10:00",
            "2027-01-07T10:00",
            "2027-01-08T10:00",
            "2027-01-09T10:00"
        ]
    );
    // Without COUNT the old part ends by UNTIL; a kept override moves to the new series.
    let open = create(
        &alice,
        json!({"title": "Open", "start": "2027-01-04T12:00:00Z", "end": "2027-01-04T13:00:00Z",
        "timezone": "UTC", "recurrence": "FREQ=WEEKLY"}),
    )
    .await;
    let open_path = format!("/api/events/{}", id(&open));
    alice.patch(&format!("{open_path}?scope=this&recurrence_id=2027-01-25T12:00:00Z"), json!({"title": "kept"})).await;
    let split = alice
        .patch(&format!("{open_path}?scope=following&recurrence_id=2027-01-18T12:00:00Z"), json!({"title": "Renamed"}))
        .await
        .json();
    assert_eq!(split["recurrence"], "FREQ=WEEKLY");
    assert_eq!(split["overrides"][0]["title"], "kept");
    assert_eq!(split["dropped_overrides"], json!([]));
    assert_eq!(alice.get(&open_path).await.json()["recurrence"], "FREQ=WEEKLY;UNTIL=20270118T115959Z");
    let titles: Vec<Value> = range(&alice, "2027-01-10T00:00:00Z", "2027-02-02T00:00:00Z")
        .await
        .into_iter()
        .filter(|i| i["start"].as_str().unwrap().contains("T12:"))
        .map(|i| i["title"].clone())
        .collect();
    assert_eq!(titles, [json!("Open"), json!("Renamed"), json!("kept"), json!("Renamed")]);
    // "Following" from the first occurrence is the whole series.
    let whole = alice
        .patch(&format!("{path}?scope=following&recurrence_id=2027-01-04T09:00:00Z"), json!({"title": "All"}))
        .await
        .json();
    assert_eq!(id(&whole), id(&series));
}

#[tokio::test]
async fn deleting_this_and_following_ends_the_series() {
    let app = app().await;
    let alice = app.user("alice").await;
    let series = create(&alice, daily(6)).await;
    let path = format!("/api/events/{}", id(&series));
    assert_eq!(alice.delete(&format!("{path}?scope=following&recurrence_id=2027-01-07T09:00:00Z")).await.status, 204);
    assert_eq!(alice.get(&path).await.json()["recurrence"], "FREQ=DAILY;COUNT=3");
    assert_eq!(
        starts(&range(&alice, MONTH.0, MONTH.1).await),
        ["2027-01-04T09:00", "2027-01-05T09:00", "2027-01-06T09:00"]
    );
    assert_eq!(alice.delete(&format!("{path}?scope=following&recurrence_id=2027-01-04T09:00:00Z")).await.status, 204);
    alice.get(&path).await.problem(404);
    let other = create(&alice, daily(3)).await;
    assert_eq!(alice.delete(&format!("/api/events/{}?scope=all", id(&other))).await.status, 204);
    assert!(range(&alice, MONTH.0, MONTH.1).await.is_empty());
}

#[tokio::test]
async fn changing_all_keeps_the_overrides_that_still_fit() {
    let app = app().await;
    let alice = app.user("alice").await;
    let series = create(&alice, daily(6)).await;
    let path = format!("/api/events/{}", id(&series));
    alice.patch(&format!("{path}?scope=this&recurrence_id=2027-01-05T09:00:00Z"), json!({"title": "Tue"})).await;
    alice.patch(&format!("{path}?scope=this&recurrence_id=2027-01-09T09:00:00Z"), json!({"title": "Sat"})).await;
    alice.delete(&format!("{path}?scope=this&recurrence_id=2027-01-06T09:00:00Z")).await;
    // A new title keeps everything.
    let renamed = alice.patch(&format!("{path}?scope=all"), json!({"title": "Daily"})).await.json();
    assert_eq!((renamed["overrides"].as_array().unwrap().len(), renamed["dropped_overrides"].clone()), (2, json!([])));
    // Weekdays only: Saturday's override no longer fits and is reported.
    let weekdays = alice
        .patch(&format!("{path}?scope=all"), json!({"recurrence": "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=6"}))
        .await;
    assert_eq!(weekdays.status, 200, "{}", weekdays.body);
    let weekdays = weekdays.json();
    assert_eq!(weekdays["dropped_overrides"], json!(["2027-01-09T09:00:00.000Z"]));
    assert_eq!(weekdays["overrides"][0]["title"], "Tue");
    assert_eq!(weekdays["exdates"], json!(["2027-01-06T09:00:00.000Z"]), "the exdate still fits");
    let items = range(&alice, MONTH.0, MONTH.1).await;
    assert_eq!(
        starts(&items),
        ["2027-01-04T09:00", "2027-01-05T09:00", "2027-01-07T09:00", "2027-01-08T09:00", "2027-01-11T09:00"]
    );
    // A new time of day: no override fits any more.
    let later = alice.patch(&format!("{path}?scope=all"), json!({"start": "2027-01-04T10:00:00Z"})).await.json();
    assert_eq!(later["dropped_overrides"], json!(["2027-01-05T09:00:00.000Z"]));
    assert_eq!(later["exdates"], json!([]));
    // Ending the repetition makes a single event.
    let single = alice.patch(&format!("{path}?scope=all"), json!({"recurrence": null})).await.json();
    assert_eq!((single["recurrence"].clone(), single["exdates"].clone()), (Value::Null, json!([])));
    assert_eq!(range(&alice, MONTH.0, MONTH.1).await.len(), 1);
    assert_eq!(alice.patch(&path, json!({"title": "no scope needed"})).await.status, 200);
}

#[tokio::test]
async fn all_day_series_take_dates_as_recurrence_ids() {
    let app = app().await;
    let alice = app.user("alice").await;
    let series = create(
        &alice,
        json!({"title": "Bins", "all_day": true, "start_date": "2027-01-05",
        "end_date": "2027-01-06", "recurrence": "FREQ=WEEKLY"}),
    )
    .await;
    let path = format!("/api/events/{}", id(&series));
    let moved =
        alice.patch(&format!("{path}?scope=this&recurrence_id=2027-01-12"), json!({"start_date": "2027-01-13"})).await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(moved.json()["overrides"][0]["end_date"], "2027-01-14");
    assert_eq!(
        fields(
            &alice.patch(&format!("{path}?scope=this&recurrence_id=2027-01-12T00:00:00Z"), json!({"title": "x"})).await
        ),
        ["recurrence_id"]
    );
    alice.delete(&format!("{path}?scope=this&recurrence_id=2027-01-19")).await;
    let split = alice
        .patch(&format!("{path}?scope=following&recurrence_id=2027-01-26"), json!({"title": "Recycling"}))
        .await
        .json();
    assert_eq!(alice.get(&path).await.json()["recurrence"], "FREQ=WEEKLY;UNTIL=20270125");
    assert_eq!(split["start_date"], "2027-01-26");
    let items = range(&alice, MONTH.0, "2027-02-05T00:00:00Z").await;
    assert_eq!(starts(&items), ["2027-01-05", "2027-01-13", "2027-01-26", "2027-02-02"]);
    assert_eq!(items[1]["recurrence_id"], "2027-01-12");
}
