//! The signed Done / "Snooze 1 h" links of a push: no session needed; each works once, for
//! its own action on its own item, until it expires; using one uses up the other; any token
//! that does not fit is 404 exactly like a made-up one; the CSRF rule applies.

use std::sync::Arc;

use rocket::http::Method;
use serde_json::{Value, json};

use super::{HOUR, MINUTE, PUBLIC, RecordingPusher, dispatcher, iso, notifications, pushed_user, reminder, run};
use crate::harness::{Persona, Resp, TestApp, app};

/// The Done and Snooze paths (with their tokens) of the latest push.
fn links(pusher: &RecordingPusher) -> (String, String) {
    let message = pusher.messages().pop().expect("a push");
    let path = |i: usize| message.actions[i].url.strip_prefix(PUBLIC).unwrap().to_string();
    (path(0), path(1))
}

/// A POST as ntfy's http action sends it: no cookie, the CSRF header, no body.
async fn press(app: &TestApp, path: &str) -> Resp {
    app.anonymous().request(Method::Post, path, None, &[("X-Requested-With", "XMLHttpRequest")]).await
}

async fn get_reminder(who: &Persona<'_>, id: &Value) -> Value {
    who.get(&format!("/api/reminders/{id}")).await.json()
}

#[tokio::test]
async fn done_works_once_without_a_session_and_uses_up_snooze() {
    let app = app().await;
    let (ann, _) = pushed_user(&app, "ann").await;
    let made = reminder(&ann, "take out the bins", app.clock.now_millis()).await;
    let pusher = Arc::new(RecordingPusher::default());
    run(&app, &dispatcher(pusher.clone())).await;
    let (done, snooze) = links(&pusher);

    let answer = press(&app, &done).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["action"], "done");
    assert_eq!(get_reminder(&ann, &made["id"]).await["status"], "done");
    press(&app, &done).await.problem(404);
    press(&app, &snooze).await.problem(404);
}

#[tokio::test]
async fn snooze_moves_the_reminder_an_hour_on_and_it_fires_again_once() {
    let app = app().await;
    let (ann, ann_id) = pushed_user(&app, "ann").await;
    let made = reminder(&ann, "stretch", app.clock.now_millis()).await;
    let pusher = Arc::new(RecordingPusher::default());
    let dispatcher = dispatcher(pusher.clone());
    run(&app, &dispatcher).await;
    let (done, snooze) = links(&pusher);
    app.clock.advance_minutes(2);
    let pressed_at = app.clock.now_millis();
    assert_eq!(press(&app, &snooze).await.status, 200);
    let snoozed = get_reminder(&ann, &made["id"]).await;
    assert_eq!(snoozed["snoozed_until"], iso(pressed_at + HOUR));
    press(&app, &done).await.problem(404);
    app.clock.advance_minutes(59);
    assert_eq!(run(&app, &dispatcher).await.delivered, 0);
    app.clock.advance_minutes(1);
    assert_eq!(run(&app, &dispatcher).await.delivered, 1);
    assert_eq!(notifications(&app, ann_id).await.len(), 2);
}

#[tokio::test]
async fn a_link_is_bound_to_its_item_and_action_and_refuses_anything_else() {
    let app = app().await;
    let (ann, _) = pushed_user(&app, "ann").await;
    let (bob, _) = pushed_user(&app, "bob").await;
    let mine = reminder(&ann, "mine", app.clock.now_millis()).await;
    let theirs = reminder(&bob, "theirs", app.clock.now_millis() + 10 * MINUTE).await;
    let other_of_mine = reminder(&ann, "another of mine", app.clock.now_millis() + 10 * MINUTE).await;
    let pusher = Arc::new(RecordingPusher::default());
    run(&app, &dispatcher(pusher.clone())).await;
    let (done, _) = links(&pusher);
    let token = done.rsplit_once("token=").unwrap().1.to_string();
    let id = &mine["id"];

    let refused = [
        format!("/api/push-actions/reminders/{}/done?token={token}", theirs["id"]),
        format!("/api/push-actions/reminders/{}/done?token={token}", other_of_mine["id"]),
        format!("/api/push-actions/reminders/{id}/snooze?token={token}"),
        format!("/api/push-actions/todos/{id}/done?token={token}"),
        format!("/api/push-actions/reminders/{id}/dismiss?token={token}"),
        format!("/api/push-actions/reminders/{id}/done"),
        format!("/api/push-actions/reminders/{id}/done?token="),
        format!("/api/push-actions/reminders/{id}/done?token={}", "A".repeat(43)),
        format!("/api/push-actions/reminders/{id}/done?token={token}x"),
        format!("/api/push-actions/reminders/{id}/done?token={}", &token[..42]),
    ];
    for path in &refused {
        press(&app, path).await.problem(404);
    }
    // A session changes nothing: bob's cookie does not make ann's link his, or his item hers.
    let as_bob = bob.request(Method::Post, &refused[0], None, &[("X-Requested-With", "XMLHttpRequest")]).await;
    as_bob.problem(404);
    for other in [&theirs, &other_of_mine] {
        assert_eq!(get_reminder(if other == &theirs { &bob } else { &ann }, &other["id"]).await["status"], "active");
    }
    // None of that used the link up.
    assert_eq!(press(&app, &done).await.status, 200);
    assert_eq!(get_reminder(&ann, id).await["status"], "done");
}

#[tokio::test]
async fn a_link_expires_after_a_day() {
    let app = app().await;
    let (ann, _) = pushed_user(&app, "ann").await;
    let made = reminder(&ann, "expiring", app.clock.now_millis()).await;
    let pusher = Arc::new(RecordingPusher::default());
    run(&app, &dispatcher(pusher.clone())).await;
    let (done, _) = links(&pusher);
    app.clock.advance_minutes(24 * 60);
    press(&app, &done).await.problem(404);
    assert_eq!(get_reminder(&ann, &made["id"]).await["status"], "active");
}

#[tokio::test]
async fn a_link_needs_the_csrf_header_like_every_state_change() {
    let app = app().await;
    let (ann, _) = pushed_user(&app, "ann").await;
    let made = reminder(&ann, "csrf", app.clock.now_millis()).await;
    let pusher = Arc::new(RecordingPusher::default());
    run(&app, &dispatcher(pusher.clone())).await;
    let (done, _) = links(&pusher);
    app.anonymous().request(Method::Post, &done, None, &[]).await.problem(403);
    assert_eq!(app.anonymous().request(Method::Get, &done, None, &[]).await.status, 404, "only POST acts");
    assert_eq!(get_reminder(&ann, &made["id"]).await["status"], "active");
    // A body, however odd, is not read: the token alone decides.
    let answer = app
        .anonymous()
        .request(
            Method::Post,
            &done,
            Some(r#"{"user_id": 1, "action": "delete"}"#),
            &[("X-Requested-With", "XMLHttpRequest"), ("Content-Type", "application/json")],
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
}

#[tokio::test]
async fn done_on_a_series_acknowledges_the_occurrence_and_keeps_the_next() {
    let app = app().await;
    let (ann, _) = pushed_user(&app, "ann").await;
    let now = app.clock.now_millis();
    let made = ann
        .post("/api/reminders", json!({"title": "daily", "remind_at": iso(now), "recurrence": "FREQ=DAILY"}))
        .await
        .json();
    let pusher = Arc::new(RecordingPusher::default());
    run(&app, &dispatcher(pusher.clone())).await;
    let next = get_reminder(&ann, &made["id"]).await["remind_at"].clone();
    let (done, _) = links(&pusher);
    assert_eq!(press(&app, &done).await.status, 200);
    let after = get_reminder(&ann, &made["id"]).await;
    assert_eq!((after["status"].clone(), after["remind_at"].clone()), (json!("active"), next));
}

#[tokio::test]
async fn todo_links_complete_the_todo_or_alert_again_an_hour_later() {
    let app = app().await;
    let (ann, ann_id) = pushed_user(&app, "ann").await;
    let now = app.clock.now_millis();
    let first = ann.post("/api/todos", json!({"title": "first", "due_at": iso(now + 30 * MINUTE)})).await.json();
    let second = ann.post("/api/todos", json!({"title": "second", "due_at": iso(now + 30 * MINUTE)})).await.json();
    let pusher = Arc::new(RecordingPusher::default());
    let dispatcher = dispatcher(pusher.clone());
    assert_eq!(run(&app, &dispatcher).await.delivered, 2, "both alerts are due (60 minutes ahead)");
    let messages = pusher.messages();
    let path_of = |title: &str, i: usize| {
        let message = messages.iter().find(|m| m.title == title).unwrap();
        message.actions[i].url.strip_prefix(PUBLIC).unwrap().to_string()
    };
    assert_eq!(press(&app, &path_of("first", 0)).await.status, 200);
    assert_eq!(ann.get(&format!("/api/todos/{}", first["id"])).await.json()["completed"], true);
    assert_eq!(press(&app, &path_of("second", 1)).await.status, 200);
    assert_eq!(ann.get(&format!("/api/todos/{}", second["id"])).await.json()["completed"], false);
    app.clock.advance_minutes(59);
    assert_eq!(run(&app, &dispatcher).await.delivered, 0);
    app.clock.advance_minutes(1);
    assert_eq!(run(&app, &dispatcher).await.delivered, 1, "the snoozed alert fires again");
    app.clock.advance_minutes(120);
    assert_eq!(run(&app, &dispatcher).await.delivered, 0);
    let titles: Vec<String> = notifications(&app, ann_id).await.into_iter().map(|n| n.1).collect();
    assert_eq!(titles.iter().filter(|t| *t == "second").count(), 2);
    assert_eq!(titles.iter().filter(|t| *t == "first").count(), 1);
}

#[tokio::test]
async fn guessing_links_meets_the_rate_limiter() {
    let app = crate::harness::app_with(|c| {
        c.rate_limits =
            umbra::config::RateLimits { general_per_minute: 1, general_burst: 5, ..crate::harness::generous_limits() };
    })
    .await;
    let guess = |n: usize| format!("/api/push-actions/reminders/1/done?token={n:0>43}");
    for n in 0..5 {
        press(&app, &guess(n)).await.problem(404);
    }
    let limited = press(&app, &guess(5)).await;
    limited.problem(429);
    assert!(limited.header("retry-after").is_some());
}

#[tokio::test]
async fn a_disabled_accounts_links_do_nothing() {
    let app = app().await;
    let (ann, ann_id) = pushed_user(&app, "ann").await;
    let made = reminder(&ann, "before the account was disabled", app.clock.now_millis()).await;
    let pusher = Arc::new(RecordingPusher::default());
    run(&app, &dispatcher(pusher.clone())).await;
    let (done, _) = links(&pusher);
    sqlx::query("UPDATE users SET active = 0 WHERE id = $1").bind(ann_id).execute(app.db.pool()).await.unwrap();
    press(&app, &done).await.problem(404);
    let status: String = sqlx::query_scalar("SELECT status FROM reminders WHERE id = $1")
        .bind(made["id"].as_i64().unwrap())
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(status, "active");
}
