//! What a push carries, quiet hours (in-app at once, the push held and sent once when they
//! end), retries with backoff (a server failing twice then accepting: three attempts, one
//! notification), giving up after five, and one user's failing server delaying nobody else.

use std::sync::Arc;

use futures::future::BoxFuture;
use umbra::push::{NtfyTarget, PushError, PushMessage, Pusher};

use super::{
    HOUR, MINUTE, PUBLIC, RecordingPusher, dispatcher, nothing, notifications, pushed_user, pushes, reminder, run,
    settings, user_id,
};
use crate::harness::app;

#[tokio::test]
async fn a_push_carries_title_body_priority_click_and_the_two_buttons() {
    let app = app().await;
    let (ann, _) = pushed_user(&app, "ann").await;
    let response = ann
        .post(
            "/api/reminders",
            serde_json::json!({"title": "Dentist", "notes": "Bring the card", "remind_at": super::iso(app.clock.now_millis())}),
        )
        .await;
    let id = response.json()["id"].as_i64().unwrap();
    let pusher = Arc::new(RecordingPusher::default());
    run(&app, &dispatcher(pusher.clone())).await;
    let sent = pusher.sent.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    let (target, message) = &sent[0];
    assert_eq!(target.server, "https://ntfy.example");
    assert_eq!(target.topic, "umbra-alerts");
    assert_eq!(target.token.as_deref(), Some("tk_secret"), "the sealed token is opened for the sender");
    assert_eq!(message.title, "Dentist");
    assert_eq!(message.body, "Bring the card");
    assert_eq!(message.priority, 4, "the user's priority for reminders");
    assert_eq!(message.click.as_deref(), Some(format!("{PUBLIC}/reminders").as_str()));
    let labels: Vec<_> = message.actions.iter().map(|a| a.label.as_str()).collect();
    assert_eq!(labels, ["Done", "Snooze 1 h"]);
    for (action, name) in message.actions.iter().zip(["done", "snooze"]) {
        let prefix = format!("{PUBLIC}/api/push-actions/reminders/{id}/{name}?token=");
        assert!(action.url.starts_with(&prefix), "{}", action.url);
        assert_eq!(action.url.len(), prefix.len() + 43);
    }
    // Only hashes are stored: no token of the links appears in the database.
    let hashes: Vec<String> =
        sqlx::query_scalar("SELECT token_hash FROM push_action_tokens").fetch_all(app.db.pool()).await.unwrap();
    assert_eq!(hashes.len(), 2);
    for action in &message.actions {
        let token = action.url.rsplit_once("token=").unwrap().1;
        assert!(!hashes.iter().any(|h| h == token));
        assert!(hashes.contains(&umbra::service::dispatch::token_hash(token)));
    }
}

#[tokio::test]
async fn quiet_hours_hold_the_push_until_they_end_and_never_the_in_app_notification() {
    let app = app().await;
    let ann = app.user("ann").await;
    let ann_id = user_id(&app, "ann").await;
    // Quiet from now until two hours from now, in the user's zone (UTC here).
    let start = app.clock.now_millis() - MINUTE;
    let end = start + 2 * HOUR + MINUTE;
    let hhmm = |ms: i64| super::iso(ms)[11..16].to_string();
    let (from, to) = (hhmm(start), hhmm(end));
    settings(&app, ann_id, "UTC", Some((&from, &to)), true).await;
    reminder(&ann, "late-night thought", app.clock.now_millis()).await;
    let pusher = Arc::new(RecordingPusher::default());
    let dispatcher = dispatcher(pusher.clone());

    let report = run(&app, &dispatcher).await;
    assert_eq!((report.delivered, report.pushes.held, report.pushes.sent), (1, 1, 0));
    assert_eq!(notifications(&app, ann_id).await.len(), 1, "in-app at once");
    app.clock.advance_minutes(60);
    assert_eq!(run(&app, &dispatcher).await, nothing(), "still quiet: nothing is tried");
    assert_eq!(pusher.calls(), 0);
    // Past the end of the quiet hours (their end minute, rounded up).
    app.clock.advance_minutes(62);
    let report = run(&app, &dispatcher).await;
    assert_eq!(report.pushes.sent, 1, "sent when quiet hours end");
    app.clock.advance_minutes(24 * 60);
    assert_eq!(run(&app, &dispatcher).await, nothing());
    assert_eq!(pusher.calls(), 1, "once");
    assert_eq!(pushes(&app).await, [("sent".to_string(), 1)]);
    let held: i64 = sqlx::query_scalar("SELECT held FROM push_deliveries").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(held, 1);
}

#[tokio::test]
async fn a_push_that_fails_twice_is_retried_with_backoff_and_arrives_on_the_third_attempt() {
    let app = app().await;
    let (ann, ann_id) = pushed_user(&app, "ann").await;
    reminder(&ann, "pay rent", app.clock.now_millis()).await;
    let pusher = RecordingPusher::failing(2);
    let dispatcher = dispatcher(pusher.clone());

    let report = run(&app, &dispatcher).await;
    assert_eq!((report.delivered, report.pushes.failed), (1, 1));
    assert_eq!(run(&app, &dispatcher).await, nothing(), "not before the backoff");
    app.clock.advance_minutes(1);
    assert_eq!(run(&app, &dispatcher).await.pushes.failed, 1, "second attempt after 30 s");
    app.clock.advance_minutes(1);
    assert_eq!(run(&app, &dispatcher).await, nothing(), "the second backoff is two minutes");
    app.clock.advance_minutes(1);
    assert_eq!(run(&app, &dispatcher).await.pushes.sent, 1);
    app.clock.advance_minutes(60);
    assert_eq!(run(&app, &dispatcher).await, nothing());
    assert_eq!(pusher.calls(), 3);
    assert_eq!(pusher.messages().len(), 1);
    assert_eq!(pushes(&app).await, [("sent".to_string(), 3)]);
    assert_eq!(notifications(&app, ann_id).await.len(), 1, "retries never repeat the in-app notification");
}

#[tokio::test]
async fn a_push_is_given_up_after_five_attempts() {
    let app = app().await;
    let (ann, ann_id) = pushed_user(&app, "ann").await;
    reminder(&ann, "renew passport", app.clock.now_millis()).await;
    let pusher = RecordingPusher::failing(usize::MAX);
    let dispatcher = dispatcher(pusher.clone());
    for _ in 0..20 {
        run(&app, &dispatcher).await;
        app.clock.advance_minutes(10);
    }
    assert_eq!(pusher.calls(), 5);
    let (status, attempts, error): (String, i64, String) =
        sqlx::query_as("SELECT status, attempts, last_error FROM push_deliveries")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!((status.as_str(), attempts, error.as_str()), ("failed", 5, "502 Bad Gateway"));
    assert_eq!(notifications(&app, ann_id).await.len(), 1);
}

/// Fails every push to the topic `broken`, delivers the rest.
struct BrokenTopic(RecordingPusher);

impl Pusher for BrokenTopic {
    fn push<'a>(&'a self, target: &'a NtfyTarget, message: &'a PushMessage) -> BoxFuture<'a, Result<u16, PushError>> {
        if target.topic == "broken" {
            return Box::pin(async { Err(PushError::Failed { status: None, error: "connection refused".into() }) });
        }
        self.0.push(target, message)
    }
}

#[tokio::test]
async fn one_users_failing_server_holds_up_nobody_else() {
    let app = app().await;
    let (ann, _) = pushed_user(&app, "ann").await;
    let (bob, bob_id) = pushed_user(&app, "bob").await;
    sqlx::query("UPDATE user_settings SET ntfy_topic = 'broken' WHERE user_id = $1")
        .bind(bob_id)
        .execute(app.db.pool())
        .await
        .unwrap();
    for i in 0..5 {
        reminder(&bob, &format!("bob {i}"), app.clock.now_millis()).await;
    }
    reminder(&ann, "ann's", app.clock.now_millis()).await;
    let pusher = Arc::new(BrokenTopic(RecordingPusher::default()));
    let report = run(&app, &dispatcher(pusher.clone())).await;
    assert_eq!((report.delivered, report.pushes.sent, report.pushes.failed), (6, 1, 5));
    assert_eq!(pusher.0.messages()[0].title, "ann's");
}

#[tokio::test]
async fn a_user_without_ntfy_gets_in_app_notifications_and_no_push() {
    let app = app().await;
    let ann = app.user("ann").await;
    let ann_id = user_id(&app, "ann").await;
    reminder(&ann, "quietly", app.clock.now_millis()).await;
    let pusher = Arc::new(RecordingPusher::default());
    let report = run(&app, &dispatcher(pusher.clone())).await;
    assert_eq!(report.delivered, 1);
    assert_eq!(notifications(&app, ann_id).await.len(), 1);
    assert!(pushes(&app).await.is_empty());
    assert_eq!(pusher.calls(), 0);
}
