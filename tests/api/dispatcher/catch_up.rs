//! After downtime: what fell due while every server was stopped is delivered once, marked
//! late (more than five minutes after it was due); a repeating reminder is delivered once and
//! moves on to its next occurrence instead of replaying the ones it missed.

use std::sync::Arc;

use serde_json::json;
use umbra::clock::Clock;

use super::{HOUR, MINUTE, RecordingPusher, dispatcher, iso, nothing, notifications, pushed_user, reminder, run};
use crate::harness::app;

#[tokio::test]
async fn items_due_during_downtime_are_delivered_once_late_and_a_series_moves_on() {
    let app = app().await;
    let (ann, ann_id) = pushed_user(&app, "ann").await;
    let start = app.clock.now_millis();
    reminder(&ann, "one-off", start + 10 * MINUTE).await;
    let daily = ann
        .post(
            "/api/reminders",
            json!({"title": "daily pills", "remind_at": iso(start + 20 * MINUTE), "recurrence": "FREQ=DAILY"}),
        )
        .await;
    assert_eq!(daily.status, 201, "{}", daily.body);
    let daily_id = daily.json()["id"].as_i64().unwrap();
    let pusher = Arc::new(RecordingPusher::default());
    assert_eq!(run(&app, &dispatcher(pusher.clone())).await.delivered, 0);

    // Three days pass with no server running; a fresh process starts.
    app.clock.advance_minutes(3 * 24 * 60);
    let restarted = dispatcher(pusher.clone());
    let report = run(&app, &restarted).await;
    assert_eq!((report.delivered, report.pushes.sent), (2, 2), "each once, not once per missed day");
    let delivered = notifications(&app, ann_id).await;
    assert!(delivered.iter().all(|n| n.2), "both late: {delivered:?}");
    let now = app.clock.now_millis();
    let series = ann.get(&format!("/api/reminders/{daily_id}")).await.json();
    let next = super::at(series["remind_at"].as_str().unwrap());
    assert!(next > now && next <= now + 24 * HOUR, "the series moved to its next occurrence: {series}");
    assert_eq!(series["status"], "active");
    assert_eq!(run(&app, &restarted).await, nothing(), "nothing twice");

    // The next occurrence arrives on time: delivered once, not late.
    app.clock.advance_minutes((next - now) / MINUTE + 1);
    assert_eq!(run(&app, &restarted).await.delivered, 1);
    let delivered = notifications(&app, ann_id).await;
    assert_eq!(delivered.len(), 3);
    assert!(!delivered[2].2, "on time is not late");
    assert_eq!(pusher.calls(), 3);
}

#[tokio::test]
async fn a_reminder_delivered_within_five_minutes_is_not_late_and_after_is() {
    let app = app().await;
    let (ann, ann_id) = pushed_user(&app, "ann").await;
    let now = app.clock.now_millis();
    reminder(&ann, "on time", now + MINUTE).await;
    reminder(&ann, "slightly late", now - 5 * MINUTE + MINUTE).await;
    reminder(&ann, "late", now - 6 * MINUTE).await;
    app.clock.advance_minutes(1);
    run(&app, &dispatcher(Arc::new(RecordingPusher::default()))).await;
    let mut late: Vec<(String, bool)> = notifications(&app, ann_id).await.into_iter().map(|n| (n.1, n.2)).collect();
    late.sort();
    assert_eq!(
        late,
        [("late".to_string(), true), ("on time".to_string(), false), ("slightly late".to_string(), false)]
    );
}

#[tokio::test]
async fn a_snoozed_reminder_fires_again_at_its_snooze_and_a_rescheduled_one_at_its_new_time() {
    let app = app().await;
    let (ann, ann_id) = pushed_user(&app, "ann").await;
    let first = reminder(&ann, "snoozed", app.clock.now_millis()).await;
    let dispatcher = dispatcher(Arc::new(RecordingPusher::default()));
    assert_eq!(run(&app, &dispatcher).await.delivered, 1);
    let path = format!("/api/reminders/{}/snooze", first["id"]);
    assert_eq!(ann.post(&path, json!({"minutes": 15})).await.status, 200);
    app.clock.advance_minutes(14);
    assert_eq!(run(&app, &dispatcher).await.delivered, 0);
    app.clock.advance_minutes(1);
    assert_eq!(run(&app, &dispatcher).await.delivered, 1, "the snooze fires once");
    assert_eq!(run(&app, &dispatcher).await.delivered, 0);
    assert_eq!(notifications(&app, ann_id).await.len(), 2);
}

#[tokio::test]
async fn done_and_dismissed_reminders_are_not_delivered_and_the_jobs_run_through_the_job_trait() {
    use umbra::jobs::dispatcher::{DeliverDue, SendPushes};
    use umbra::jobs::{Job, JobContext};

    let app = app().await;
    let (ann, ann_id) = pushed_user(&app, "ann").await;
    let now = app.clock.now_millis();
    let done = reminder(&ann, "done already", now + MINUTE).await;
    let dismissed = reminder(&ann, "dismissed", now + MINUTE).await;
    reminder(&ann, "due", now + MINUTE).await;
    assert_eq!(ann.post_empty(&format!("/api/reminders/{}/done", done["id"])).await.status, 200);
    assert_eq!(ann.post_empty(&format!("/api/reminders/{}/dismiss", dismissed["id"])).await.status, 200);
    app.clock.advance_minutes(1);
    let pusher = Arc::new(RecordingPusher::default());
    let shared = Arc::new(dispatcher(pusher.clone()));
    let ctx = JobContext { db: app.db.clone() };
    let (deliver, send) = (DeliverDue(shared.clone()), SendPushes(shared));
    deliver.run_once(&ctx, app.clock.now()).await.unwrap();
    assert_eq!(pusher.calls(), 0, "in-app first; pushes are the other job's");
    send.run_once(&ctx, app.clock.now()).await.unwrap();
    let titles: Vec<String> = notifications(&app, ann_id).await.into_iter().map(|n| n.1).collect();
    assert_eq!(titles, ["due"]);
    assert_eq!(pusher.messages().len(), 1);
    assert!(deliver.period() <= std::time::Duration::from_secs(2), "a reminder due in 2 s arrives promptly");
}
