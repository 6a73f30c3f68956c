//! End to end over real sockets: a server with its background dispatcher on the wall clock,
//! a reminder due in two seconds, and a stand-in ntfy server on loopback that must receive it
//! exactly once; then the push's Done button, pressed over HTTPS the way ntfy would.
//!
//! The pusher here is a small HTTP one written for the test (ntfy's JSON publish format):
//! the server's own ntfy sender, with its SSRF-safe client, is another branch's work.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use umbra::auth::password::PasswordHasher;
use umbra::db::users;
use umbra::domain::password_policy;
use umbra::domain::role::Role;
use umbra::domain::time::UtcMillis;
use umbra::domain::username::Username;
use umbra::jobs::dispatcher::PusherOverride;
use umbra::push::{NtfyTarget, PushError, PushMessage, Pusher};

use super::iso;
use crate::harness::{PASSWORD, cheap_argon2};
use crate::live::{install_crypto, serve_https_with};

/// A stand-in ntfy server: records every published JSON message and answers 200.
pub struct StandIn {
    pub url: String,
    pub received: Arc<Mutex<Vec<Value>>>,
}

pub async fn stand_in_ntfy() -> StandIn {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let received = Arc::new(Mutex::new(Vec::new()));
    let store = received.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let service = service_fn(move |request: Request<Incoming>| {
                    let store = store.clone();
                    async move {
                        let body = request.into_body().collect().await?.to_bytes();
                        if let Ok(json) = serde_json::from_slice::<Value>(&body) {
                            store.lock().unwrap().push(json);
                        }
                        Ok::<_, hyper::Error>(Response::new(Full::new(Bytes::from_static(b"{}"))))
                    }
                });
                let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
            });
        }
    });
    StandIn { url, received }
}

/// Publishes to ntfy's JSON endpoint (POST to the server's root, topic in the body).
pub struct HttpPusher(pub reqwest::Client);

impl Pusher for HttpPusher {
    fn push<'a>(&'a self, target: &'a NtfyTarget, message: &'a PushMessage) -> BoxFuture<'a, Result<u16, PushError>> {
        Box::pin(async move {
            let actions: Vec<Value> = message
                .actions
                .iter()
                .map(|a| {
                    json!({"action": "http", "label": a.label, "url": a.url, "method": "POST",
                           "headers": {"X-Requested-With": "XMLHttpRequest"}})
                })
                .collect();
            let body = json!({"topic": target.topic, "title": message.title, "message": message.body,
                              "priority": message.priority, "click": message.click, "actions": actions});
            let response = self
                .0
                .post(&target.server)
                .json(&body)
                .send()
                .await
                .map_err(|e| PushError::Failed { status: None, error: e.to_string() })?;
            let status = response.status().as_u16();
            if response.status().is_success() {
                Ok(status)
            } else {
                Err(PushError::Failed { status: Some(status), error: format!("status {status}") })
            }
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_due_in_two_seconds_reaches_ntfy_exactly_once_and_the_notification_centre() {
    let ntfy = stand_in_ntfy().await;
    install_crypto();
    let pusher: Arc<dyn Pusher> = Arc::new(HttpPusher(reqwest::Client::new()));
    let server =
        serve_https_with(|config| config.dispatch = true, move |rocket| rocket.manage(PusherOverride(pusher))).await;

    let hasher = PasswordHasher::new(cheap_argon2()).unwrap();
    let hash = hasher.hash(&password_policy::check(PASSWORD, "erin").unwrap()).await.unwrap();
    let user =
        users::create(server.db.pool(), &Username::parse("erin").unwrap(), &hash, Role::Standard, UtcMillis::now())
            .await
            .unwrap()
            .id;
    sqlx::query(
        "INSERT INTO user_settings (user_id, timezone, ntfy_server, ntfy_topic, updated_at) VALUES ($1, 'UTC', $2, 'e2e', 0)",
    )
    .bind(user)
    .bind(&ntfy.url)
    .execute(server.db.pool())
    .await
    .unwrap();
    let login = server.post("/api/auth/login", json!({"username": "erin", "password": PASSWORD}), &[]).await;
    assert_eq!(login.status(), 200);

    let due = UtcMillis::now().0 + 2_000;
    let created = server.post("/api/reminders", json!({"title": "stand up", "remind_at": iso(due)}), &[]).await;
    assert_eq!(created.status(), 201);
    let reminder: Value = created.json().await.unwrap();

    // Wait (bounded) until the push has been recorded as sent: the delivery is then complete.
    let started = Instant::now();
    loop {
        let status: Option<String> =
            sqlx::query_scalar("SELECT status FROM push_deliveries").fetch_optional(server.db.pool()).await.unwrap();
        if status.as_deref() == Some("sent") {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "not delivered within 20 s (status {status:?})");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let arrived_after = UtcMillis::now().0 - due;
    assert!(arrived_after < 5_000, "arrived {arrived_after} ms after it was due");

    let received = ntfy.received.lock().unwrap().clone();
    assert_eq!(received.len(), 1, "exactly once: {received:?}");
    let message = &received[0];
    assert_eq!((message["topic"].as_str(), message["title"].as_str()), (Some("e2e"), Some("stand up")));
    // Not on GET /api/notifications (the notification centre is another branch's): the table.
    let (kind, title): (String, String) = sqlx::query_as("SELECT kind, title FROM notifications WHERE user_id = $1")
        .bind(user)
        .fetch_one(server.db.pool())
        .await
        .unwrap();
    assert_eq!((kind.as_str(), title.as_str()), ("reminder_due", "stand up"));

    // The Done button, as ntfy presses it: a POST with the CSRF header and no session.
    let url = message["actions"][0]["url"].as_str().unwrap();
    let path = &url[url.find("/api/").unwrap()..];
    let anonymous = crate::live::pinned_client(&server.cert_pem);
    let pressed = anonymous.post(server.url(path)).header("X-Requested-With", "XMLHttpRequest").send().await.unwrap();
    assert_eq!(pressed.status(), 200);
    let again = anonymous.post(server.url(path)).header("X-Requested-With", "XMLHttpRequest").send().await.unwrap();
    assert_eq!(again.status(), 404);
    let status: String = sqlx::query_scalar("SELECT status FROM reminders WHERE id = $1")
        .bind(reminder["id"].as_i64().unwrap())
        .fetch_one(server.db.pool())
        .await
        .unwrap();
    assert_eq!(status, "done");
    assert_eq!(ntfy.received.lock().unwrap().len(), 1, "still exactly once");
}
