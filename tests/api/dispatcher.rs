//! The dispatcher (issue 9 §5): due reminders, todo alerts and birthdays delivered exactly
//! once in-app and by push, on the manual clock (`run_once` called by hand; the background
//! job is off in the harness). Pushes go to a recording `Pusher`, or over HTTP to a stand-in
//! ntfy server in the end-to-end test.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, SecondsFormat, Utc};
use futures::future::BoxFuture;
use serde_json::{Value, json};
use umbra::auth::totp::SecretBox;
use umbra::clock::Clock;
use umbra::domain::id::UserId;
use umbra::push::{NtfyTarget, PushError, PushMessage, Pusher};
use umbra::service::dispatch::{DispatchReport, Dispatcher};

use crate::harness::{Persona, TestApp};

mod catch_up;
mod end_to_end;
mod event_alerts;
mod exactly_once;
mod links;
mod quiet_and_retries;
mod todos_and_birthdays;

pub const PUBLIC: &str = "https://umbra.test";
pub const MINUTE: i64 = 60_000;
pub const HOUR: i64 = 60 * MINUTE;
pub const DAY: i64 = 24 * HOUR;

/// A `Pusher` that records what it is given; it fails the first `fail_first` calls.
#[derive(Default)]
pub struct RecordingPusher {
    pub sent: Mutex<Vec<(NtfyTarget, PushMessage)>>,
    pub calls: AtomicUsize,
    pub fail_first: usize,
}

impl RecordingPusher {
    pub fn failing(times: usize) -> Arc<Self> {
        Arc::new(Self { fail_first: times, ..Self::default() })
    }

    pub fn messages(&self) -> Vec<PushMessage> {
        self.sent.lock().unwrap().iter().map(|(_, m)| m.clone()).collect()
    }

    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

impl Pusher for RecordingPusher {
    fn push<'a>(&'a self, target: &'a NtfyTarget, message: &'a PushMessage) -> BoxFuture<'a, Result<u16, PushError>> {
        Box::pin(async move {
            let call = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            if call <= self.fail_first {
                return Err(PushError::Failed { status: Some(502), error: "502 Bad Gateway".into() });
            }
            self.sent.lock().unwrap().push((target.clone(), message.clone()));
            Ok(200)
        })
    }
}

/// A dispatcher on the test app's database with the harness's secret key.
pub fn dispatcher(pusher: Arc<dyn Pusher>) -> Dispatcher {
    Dispatcher::new(pusher, PUBLIC, Arc::new(SecretBox::derive(&[7; 64])))
}

pub async fn run(app: &TestApp, dispatcher: &Dispatcher) -> DispatchReport {
    dispatcher.run_once(&app.db, app.clock.now()).await.expect("dispatch pass")
}

/// A pass that did nothing at all.
pub fn nothing() -> DispatchReport {
    DispatchReport::default()
}

pub fn iso(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap().to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub fn at(text: &str) -> i64 {
    DateTime::parse_from_rfc3339(text).unwrap().timestamp_millis()
}

pub async fn user_id(app: &TestApp, username: &str) -> UserId {
    sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

/// The user's settings as the settings page would store them: ntfy on, a zone, quiet hours.
pub async fn settings(app: &TestApp, user: UserId, timezone: &str, quiet: Option<(&str, &str)>, ntfy: bool) {
    let token = SecretBox::derive(&[7; 64]).seal(b"tk_secret");
    sqlx::query(
        "INSERT INTO user_settings (user_id, timezone, quiet_start, quiet_end, ntfy_server, ntfy_topic, ntfy_token, \
                                    ntfy_priorities, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0)",
    )
    .bind(user)
    .bind(timezone)
    .bind(quiet.map(|q| q.0))
    .bind(quiet.map(|q| q.1))
    .bind(ntfy.then_some("https://ntfy.example"))
    .bind(ntfy.then_some("umbra-alerts"))
    .bind(ntfy.then_some(token))
    .bind(r#"{"reminder_due": 4, "todo_due": 2}"#)
    .execute(app.db.pool())
    .await
    .unwrap();
}

/// A signed-in user with ntfy configured (UTC, no quiet hours).
pub async fn pushed_user<'a>(app: &'a TestApp, name: &str) -> (Persona<'a>, UserId) {
    let persona = app.user(name).await;
    let id = user_id(app, name).await;
    settings(app, id, "UTC", None, true).await;
    (persona, id)
}

pub async fn reminder(who: &Persona<'_>, title: &str, remind_at: i64) -> Value {
    let response = who.post("/api/reminders", json!({"title": title, "remind_at": iso(remind_at)})).await;
    assert_eq!(response.status, 201, "{}", response.body);
    response.json()
}

/// `(kind, title, late, source_key)` of every notification of the user, oldest first.
pub async fn notifications(app: &TestApp, user: UserId) -> Vec<(String, String, bool, String)> {
    let rows: Vec<(String, String, i64, String)> =
        sqlx::query_as("SELECT kind, title, late, source_key FROM notifications WHERE user_id = $1 ORDER BY id")
            .bind(user)
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    rows.into_iter().map(|(k, t, l, s)| (k, t, l != 0, s)).collect()
}

pub async fn count(app: &TestApp, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(app.db.pool()).await.unwrap()
}

/// `(status, attempts)` of every push, oldest first.
pub async fn pushes(app: &TestApp) -> Vec<(String, i64)> {
    sqlx::query_as("SELECT status, attempts FROM push_deliveries ORDER BY id").fetch_all(app.db.pool()).await.unwrap()
}
