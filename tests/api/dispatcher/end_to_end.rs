//! End to end over real sockets: a server with its background dispatcher on the wall clock and
//! its own ntfy sender (through the SSRF-safe outbound client, the stand-in's loopback address
//! allow-listed as an admin would), a reminder due in two seconds, and a stand-in ntfy server
//! that must receive it exactly once; the notification centre shows it; then the push's Done
//! button, pressed over HTTPS exactly as the sender told ntfy to press it.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use umbra::auth::password::PasswordHasher;
use umbra::db::{outbound_allow, users};
use umbra::domain::password_policy;
use umbra::domain::role::Role;
use umbra::domain::time::UtcMillis;
use umbra::domain::username::Username;
use umbra::outbound::allow::AllowList;

use super::iso;
use crate::harness::{PASSWORD, cheap_argon2};
use crate::live::serve_https;
use crate::stand_in::StandIn;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_due_in_two_seconds_reaches_ntfy_exactly_once_and_the_notification_centre() {
    let ntfy = StandIn::start("127.0.0.2").await;
    let server = serve_https(|config| config.dispatch = true).await;
    let allowed = AllowList::parse(&["127.0.0.2".to_string()]).unwrap();
    outbound_allow::save(server.db.pool(), &allowed).await.unwrap();

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
    .bind(ntfy.url())
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

    let received = ntfy.requests();
    assert_eq!(received.len(), 1, "exactly once: {received:?}");
    let message = received[0].json();
    assert_eq!((message["topic"].as_str(), message["title"].as_str()), (Some("e2e"), Some("stand up")));
    let centre: Value = server.client.get(server.url("/api/notifications")).send().await.unwrap().json().await.unwrap();
    assert_eq!(centre["total"], 1, "{centre}");
    let shown = &centre["items"][0];
    assert_eq!((shown["type"].as_str(), shown["title"].as_str()), (Some("reminder_due"), Some("stand up")));
    assert_eq!(shown["link"], "/reminders");

    // The Done button, pressed as ntfy presses it: the method and headers the sender put in
    // the action, no session.
    let done = &message["actions"][0];
    assert_eq!((done["label"].as_str(), done["method"].as_str()), (Some("Done"), Some("POST")));
    let url = done["url"].as_str().unwrap();
    let path = &url[url.find("/api/").unwrap()..];
    let anonymous = crate::live::pinned_client(&server.cert_pem);
    let press = || {
        let mut request = anonymous.post(server.url(path));
        for (name, value) in done["headers"].as_object().unwrap() {
            request = request.header(name.as_str(), value.as_str().unwrap());
        }
        request.send()
    };
    assert_eq!(press().await.unwrap().status(), 200);
    assert_eq!(press().await.unwrap().status(), 404, "once");
    let status: String = sqlx::query_scalar("SELECT status FROM reminders WHERE id = $1")
        .bind(reminder["id"].as_i64().unwrap())
        .fetch_one(server.db.pool())
        .await
        .unwrap();
    assert_eq!(status, "done");
    assert_eq!(ntfy.requests().len(), 1, "still exactly once");
}
