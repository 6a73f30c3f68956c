//! Event alerts (issue 10): an occurrence's alert tells the calendar's owner its minutes
//! before the start, once, in-app and by push — across a DST change in the event's zone,
//! with two dispatchers racing; a deleted or edited event's old alert does not fire; an
//! override that moves an occurrence moves its alert; after downtime an alert is delivered
//! once, late, while its occurrence has not ended, and skipped once it has.

use std::sync::Arc;

use serde_json::{Value, json};
use umbra::clock::Clock;
use umbra::db::Db;
use umbra::service::dispatch::Dispatcher;

use super::{MINUTE, RecordingPusher, dispatcher, iso, notifications, pushed_user, run};
use crate::harness::{Persona, TestApp, app};

/// Moves the manual clock on by whole minutes to the first instant at or after `at`.
fn advance_to(app: &TestApp, at: i64) {
    let now = app.clock.now_millis();
    assert!(at >= now, "the clock only moves forward");
    app.clock.advance_minutes((at - now + MINUTE - 1) / MINUTE);
}

async fn event(who: &Persona<'_>, body: Value) -> i64 {
    let response = who.post("/api/events", body).await;
    assert_eq!(response.status, 201, "{}", response.body);
    response.json()["id"].as_i64().unwrap()
}

fn alerts(list: &[(String, String, bool, String)]) -> Vec<(String, bool)> {
    list.iter().filter(|n| n.0 == "event_alert").map(|n| (n.1.clone(), n.2)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_weekly_nine_oclock_berlin_event_alerts_at_eight_forty_five_local_across_dst_once() {
    let app = app().await;
    let (ann, ann_id) = pushed_user(&app, "ann").await;
    // Mondays 09:00 Berlin: 22 March 2027 is CET (+01:00), 29 March CEST (+02:00).
    event(
        &ann,
        json!({"title": "stand-up", "start": "2027-03-22T08:00:00Z", "end": "2027-03-22T08:30:00Z",
               "timezone": "Europe/Berlin", "recurrence": "FREQ=WEEKLY", "alerts": [15]}),
    )
    .await;
    let other_process = Db::open(&app.config.database_url).await.unwrap();
    let (first_pusher, second_pusher) = (Arc::new(RecordingPusher::default()), Arc::new(RecordingPusher::default()));
    let first = Arc::new(dispatcher(first_pusher.clone()));
    let second = Arc::new(dispatcher(second_pusher.clone()));
    let race = |first: &Arc<Dispatcher>, second: &Arc<Dispatcher>| {
        let (a, b) = (Arc::clone(first), Arc::clone(second));
        let (db_a, db_b, now) = (app.db.clone(), other_process.clone(), app.clock.now());
        async move {
            let one = tokio::spawn(async move { a.run_once(&db_a, now).await.unwrap() });
            let two = tokio::spawn(async move { b.run_once(&db_b, now).await.unwrap() });
            let (one, two) = (one.await.unwrap(), two.await.unwrap());
            (one.delivered + two.delivered, one.pushes.sent + two.pushes.sent)
        }
    };
    for (fire, day) in [("2027-03-22T07:45:00Z", "22"), ("2027-03-29T06:45:00Z", "29")] {
        let fire = super::at(fire);
        advance_to(&app, fire - MINUTE);
        assert_eq!(race(&first, &second).await, (0, 0), "not before 08:45 local on the {day}th");
        advance_to(&app, fire);
        assert_eq!(race(&first, &second).await, (1, 1), "at 08:45 local on the {day}th, once between them");
        app.clock.advance_minutes(1);
        assert_eq!(race(&first, &second).await, (0, 0), "and never again");
    }
    // 07:45 UTC on the 29th (09:45 local, after the start) brings nothing either.
    advance_to(&app, super::at("2027-03-29T07:45:00Z"));
    assert_eq!(race(&first, &second).await, (0, 0));
    let delivered = notifications(&app, ann_id).await;
    assert_eq!(alerts(&delivered), [("stand-up".to_string(), false), ("stand-up".to_string(), false)]);
    let messages: Vec<_> = first_pusher.messages().into_iter().chain(second_pusher.messages()).collect();
    assert_eq!(messages.len(), 2);
    assert!(messages.iter().all(|m| m.actions.is_empty()), "no Done/Snooze on an event alert");
    let bodies: Vec<String> = messages.iter().map(|m| m.body.clone()).collect();
    assert!(bodies.iter().any(|b| b.contains("2027-03-29")), "{bodies:?}");
}

#[tokio::test]
async fn a_deleted_events_alert_does_not_fire_and_an_edited_ones_fires_at_its_new_time_only() {
    let app = app().await;
    let (ann, ann_id) = pushed_user(&app, "ann").await;
    let dispatcher = dispatcher(Arc::new(RecordingPusher::default()));
    let start = app.clock.now_millis() + 3 * 60 * MINUTE;
    let gone =
        event(&ann, json!({"title": "gone", "start": iso(start), "end": iso(start + 60 * MINUTE), "alerts": [30]}))
            .await;
    let edited =
        event(&ann, json!({"title": "edited", "start": iso(start), "end": iso(start + 60 * MINUTE), "alerts": [30]}))
            .await;
    // The scan writes both alerts ahead of their time.
    assert_eq!(run(&app, &dispatcher).await.delivered, 0);
    assert_eq!(super::count(&app, "SELECT COUNT(*) FROM due_alerts WHERE kind = 'event_alert'").await, 2);
    assert_eq!(ann.delete(&format!("/api/events/{gone}")).await.status, 204);
    let patched = ann.patch(&format!("/api/events/{edited}"), json!({"alerts": [10]})).await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(run(&app, &dispatcher).await.delivered, 0);
    advance_to(&app, start - 30 * MINUTE);
    assert_eq!(run(&app, &dispatcher).await.delivered, 0, "neither the deleted nor the old alert fires");
    advance_to(&app, start - 10 * MINUTE);
    assert_eq!(run(&app, &dispatcher).await.delivered, 1, "the new alert fires");
    advance_to(&app, start + 5 * MINUTE);
    assert_eq!(run(&app, &dispatcher).await.delivered, 0);
    assert_eq!(alerts(&notifications(&app, ann_id).await), [("edited".to_string(), false)]);
}

#[tokio::test]
async fn an_override_that_moves_an_occurrence_moves_its_alert() {
    let app = app().await;
    let (ann, ann_id) = pushed_user(&app, "ann").await;
    let dispatcher = dispatcher(Arc::new(RecordingPusher::default()));
    let first = super::at("2027-01-04T10:00:00Z");
    let id = event(
        &ann,
        json!({"title": "yoga", "start": iso(first), "end": iso(first + 60 * MINUTE), "timezone": "UTC",
               "recurrence": "FREQ=DAILY", "alerts": [15]}),
    )
    .await;
    let second = first + 24 * 60 * MINUTE;
    let moved_to = second + 3 * 60 * MINUTE;
    let path = format!("/api/events/{id}?scope=this&recurrence_id={}", iso(second).replace('+', "%2B"));
    let patched = ann
        .patch(&path, json!({"title": "yoga (late)", "start": iso(moved_to), "end": iso(moved_to + 60 * MINUTE)}))
        .await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    advance_to(&app, first - 20 * MINUTE);
    assert_eq!(run(&app, &dispatcher).await.delivered, 0);
    advance_to(&app, first - 15 * MINUTE);
    assert_eq!(run(&app, &dispatcher).await.delivered, 1, "the first day as usual");
    advance_to(&app, second - 15 * MINUTE);
    assert_eq!(run(&app, &dispatcher).await.delivered, 0, "not at the moved occurrence's old time");
    advance_to(&app, moved_to - 16 * MINUTE);
    assert_eq!(run(&app, &dispatcher).await.delivered, 0);
    advance_to(&app, moved_to - 15 * MINUTE);
    assert_eq!(run(&app, &dispatcher).await.delivered, 1, "15 minutes before where it is now");
    let titles = alerts(&notifications(&app, ann_id).await);
    assert_eq!(titles, [("yoga".to_string(), false), ("yoga (late)".to_string(), false)]);
}

#[tokio::test]
async fn after_downtime_an_alert_is_late_once_while_its_occurrence_lasts_and_skipped_once_it_ended() {
    let app = app().await;
    let (ann, ann_id) = pushed_user(&app, "ann").await;
    let dispatcher = dispatcher(Arc::new(RecordingPusher::default()));
    assert_eq!(run(&app, &dispatcher).await.delivered, 0, "the dispatcher has run before the downtime");
    let start = app.clock.now_millis() + 60 * MINUTE;
    // Every day for two hours, alert 15 minutes before.
    event(
        &ann,
        json!({"title": "daily", "start": iso(start), "end": iso(start + 120 * MINUTE), "timezone": "UTC",
               "recurrence": "FREQ=DAILY", "alerts": [15]}),
    )
    .await;
    // Down for three days; back 30 minutes into the fourth day's occurrence.
    app.clock.advance_minutes(3 * 24 * 60 + 60 + 30);
    let report = run(&app, &dispatcher).await;
    assert_eq!((report.delivered, report.pushes.sent), (1, 1), "the one still going on, not the three that ended");
    assert_eq!(alerts(&notifications(&app, ann_id).await), [("daily".to_string(), true)]);
    assert_eq!(run(&app, &dispatcher).await.delivered, 0, "once");
    // The next day's alert comes on time.
    advance_to(&app, start + 4 * 24 * 60 * MINUTE - 15 * MINUTE);
    assert_eq!(run(&app, &dispatcher).await.delivered, 1);
    assert_eq!(alerts(&notifications(&app, ann_id).await).last(), Some(&("daily".to_string(), false)));
}
