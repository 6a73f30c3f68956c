//! Todo due alerts (`todo_due_alert_minutes` before `due_at`, or 09:00 local on a date-only
//! todo's day) and birthdays (09:00 local on the day, in the owner's zone), each once.

use std::sync::Arc;

use chrono::{Duration, NaiveTime};
use serde_json::json;
use umbra::domain::time::UtcMillis;
use umbra::service::dispatch::settings::{local_date, local_instant};

use super::{
    HOUR, MINUTE, RecordingPusher, dispatcher, iso, nothing, notifications, pushed_user, run, settings, user_id,
};
use crate::harness::{TestApp, app};

/// Moves the clock to just before `target` (at most a minute before, never on it).
fn just_before(app: &TestApp, target: i64) {
    let minutes = (target - app.clock.now_millis()) / MINUTE - 1;
    app.clock.advance_minutes(minutes);
    assert!(app.clock.now_millis() < target);
}

#[tokio::test]
async fn a_timed_todo_alerts_its_owner_minutes_before_it_is_due_once() {
    let app = app().await;
    let (ann, ann_id) = pushed_user(&app, "ann").await;
    let now = app.clock.now_millis();
    let todo = ann.post("/api/todos", json!({"title": "file taxes", "due_at": iso(now + 90 * MINUTE)})).await;
    assert_eq!(todo.status, 201, "{}", todo.body);
    let todo_id = todo.json()["id"].as_i64().unwrap();
    let done = ann.post("/api/todos", json!({"title": "done early", "due_at": iso(now + 75 * MINUTE)})).await.json();
    let overdue = ann.post("/api/todos", json!({"title": "already overdue", "due_at": iso(now - 2 * HOUR)})).await;
    assert_eq!(overdue.status, 201);
    let pusher = Arc::new(RecordingPusher::default());
    let dispatcher = dispatcher(pusher.clone());
    assert_eq!(run(&app, &dispatcher).await.delivered, 0, "created overdue: nothing to announce");
    let patched = ann.patch(&format!("/api/todos/{}", done["id"]), json!({"completed": true})).await;
    assert_eq!(patched.status, 200, "{}", patched.body);

    just_before(&app, now + 30 * MINUTE);
    assert_eq!(run(&app, &dispatcher).await.delivered, 0);
    app.clock.advance_minutes(2);
    let report = run(&app, &dispatcher).await;
    assert_eq!((report.delivered, report.pushes.sent), (1, 1));
    app.clock.advance_minutes(120);
    assert_eq!(run(&app, &dispatcher).await, nothing());

    let delivered = notifications(&app, ann_id).await;
    assert_eq!(delivered.len(), 1);
    assert_eq!((delivered[0].0.as_str(), delivered[0].1.as_str()), ("todo_due", "file taxes"));
    let message = &pusher.messages()[0];
    assert_eq!(message.priority, 2, "the user's priority for todo alerts");
    assert_eq!(message.click.as_deref(), Some("https://umbra.test/todos"));
    assert!(message.actions[0].url.contains(&format!("/api/push-actions/todos/{todo_id}/done?token=")));
}

#[tokio::test]
async fn a_date_only_todo_alerts_at_nine_in_the_owners_zone() {
    let app = app().await;
    let ann = app.user("ann").await;
    let ann_id = user_id(&app, "ann").await;
    settings(&app, ann_id, "Asia/Tokyo", None, true).await;
    let zone = "Asia/Tokyo".parse().unwrap();
    let day = local_date(zone, app.clock.now_millis()) + Duration::days(2);
    let created = ann.post("/api/todos", json!({"title": "recycling", "due_date": day.to_string()})).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let dispatcher = dispatcher(Arc::new(RecordingPusher::default()));
    run(&app, &dispatcher).await;
    let nine = local_instant(zone, day, NaiveTime::from_hms_opt(9, 0, 0).unwrap());
    just_before(&app, nine);
    assert_eq!(run(&app, &dispatcher).await.delivered, 0);
    app.clock.advance_minutes(2);
    assert_eq!(run(&app, &dispatcher).await.delivered, 1);
    app.clock.advance_minutes(24 * 60);
    assert_eq!(run(&app, &dispatcher).await.delivered, 0);
    let delivered = notifications(&app, ann_id).await;
    assert_eq!(delivered.len(), 1);
    assert!(!delivered[0].2);
}

#[tokio::test]
async fn a_birthday_is_announced_at_nine_local_on_the_day_once() {
    let app = app().await;
    let (ann, ann_id) = pushed_user(&app, "ann").await;
    sqlx::query("UPDATE user_settings SET timezone = 'America/New_York' WHERE user_id = $1")
        .bind(ann_id)
        .execute(app.db.pool())
        .await
        .unwrap();
    let zone = "America/New_York".parse().unwrap();
    let day = local_date(zone, app.clock.now_millis()) + Duration::days(2);
    let born = format!("1990-{}", day.format("%m-%d"));
    let person = ann.post("/api/people", json!({"name": "Ada", "birthday": born})).await;
    assert_eq!(person.status, 201, "{}", person.body);
    let person_id = person.json()["id"].as_i64().unwrap();
    ann.post("/api/people", json!({"name": "Bea", "birthday": "--01-01"})).await;
    let pusher = Arc::new(RecordingPusher::default());
    let dispatcher = dispatcher(pusher.clone());
    run(&app, &dispatcher).await;
    let nine = local_instant(zone, day, NaiveTime::from_hms_opt(9, 0, 0).unwrap());
    just_before(&app, nine);
    assert_eq!(run(&app, &dispatcher).await.delivered, 0);
    app.clock.advance_minutes(2);
    assert_eq!(run(&app, &dispatcher).await.delivered, 1);
    app.clock.advance_minutes(3 * 60);
    assert_eq!(run(&app, &dispatcher).await.delivered, 0);
    let delivered = notifications(&app, ann_id).await;
    assert_eq!(delivered.len(), 1);
    assert_eq!((delivered[0].0.as_str(), delivered[0].1.as_str()), ("birthday", "Ada's birthday"));
    let message = &pusher.messages()[0];
    assert_eq!(
        message.body,
        format!("Ada turns {} today.", day.format("%Y").to_string().parse::<i32>().unwrap() - 1990)
    );
    assert_eq!(message.click.as_deref(), Some(format!("https://umbra.test/people/{person_id}").as_str()));
    assert!(message.actions.is_empty(), "a birthday has nothing to mark done");
}

#[tokio::test]
async fn a_birthday_that_passed_while_every_server_was_down_is_announced_late_once() {
    let app = app().await;
    let (ann, ann_id) = pushed_user(&app, "ann").await;
    let day = local_date(chrono_tz::Tz::UTC, app.clock.now_millis()) + Duration::days(2);
    let person = ann.post("/api/people", json!({"name": "Cy", "birthday": format!("--{}", day.format("%m-%d"))})).await;
    assert_eq!(person.status, 201, "{}", person.body);
    run(&app, &dispatcher(Arc::new(RecordingPusher::default()))).await;
    app.clock.advance_minutes(5 * 24 * 60);
    let restarted = dispatcher(Arc::new(RecordingPusher::default()));
    assert_eq!(run(&app, &restarted).await.delivered, 1);
    app.clock.advance_minutes(60);
    assert_eq!(run(&app, &restarted).await.delivered, 0);
    let delivered = notifications(&app, ann_id).await;
    assert_eq!(delivered.len(), 1);
    assert!(delivered[0].2, "late");
    assert_eq!(delivered[0].1, "Cy's birthday");
}

#[tokio::test]
async fn delivered_alert_rows_are_pruned_after_thirty_days_and_never_alert_again() {
    let app = app().await;
    let (ann, ann_id) = pushed_user(&app, "ann").await;
    let now = app.clock.now_millis();
    let due = ann.post("/api/todos", json!({"title": "call the bank", "due_at": iso(now + 2 * HOUR)})).await;
    assert_eq!(due.status, 201, "{}", due.body);
    let dispatcher = dispatcher(Arc::new(RecordingPusher::default()));
    run(&app, &dispatcher).await;
    app.clock.advance_minutes(3 * 60);
    assert_eq!(run(&app, &dispatcher).await.delivered, 1);
    // A second todo, due long after the first was delivered: its row must survive the pruning.
    let later = ann.post("/api/todos", json!({"title": "renew passport", "due_at": iso(now + 35 * 24 * HOUR)})).await;
    assert_eq!(later.status, 201, "{}", later.body);
    let rows = || super::count(&app, "SELECT COUNT(*) FROM due_alerts");
    assert_eq!(rows().await, 1);
    let defaults = umbra::server::default_system_settings(&app.config);
    let cleanup = |days: i64| umbra::jobs::cleanup::run_once(&app.db, UtcMillis(now + days * 24 * HOUR), defaults);
    // Cleanup alone (the dispatcher stopped after the delivery): the row stays, because a
    // scan after the downtime looks back from where the scans stopped and would write it anew.
    cleanup(31).await.unwrap();
    assert_eq!(rows().await, 1, "kept while the scans are behind");
    app.clock.advance_minutes(29 * 24 * 60);
    run(&app, &dispatcher).await;
    cleanup(29).await.unwrap();
    assert_eq!(rows().await, 1, "kept for 30 days");
    cleanup(31).await.unwrap();
    assert_eq!(rows().await, 0, "pruned after 30 days");
    app.clock.advance_minutes(6 * 24 * 60);
    assert_eq!(run(&app, &dispatcher).await.delivered, 1, "only the passport, the bank is not announced again");
    let titles: Vec<String> = notifications(&app, ann_id).await.into_iter().map(|n| n.1).collect();
    assert_eq!(titles.len(), 2);
    assert!(titles.contains(&"call the bank".to_string()) && titles.contains(&"renew passport".to_string()));
}
