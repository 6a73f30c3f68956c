//! Dispatch benchmark (issue 9 §7): 10,000 reminders of 100 users fall due in the same instant;
//! all must reach a local stand-in ntfy server within 10 s, each exactly once, while
//! authenticated reads (`GET /api/reminders?limit=50`, 16 HTTPS keep-alive connections, one
//! user each) keep p99 < 50 ms.
//!
//! The server runs in this process (the library, release build, SQLite in a temp folder) so
//! that its dispatcher can be pointed at the stand-in through `PusherOverride`; the pusher
//! is a small HTTP one speaking ntfy's JSON publish format (the server's own ntfy sender and
//! its SSRF-safe client are measured separately).
//!
//! Run: `cargo bench --bench dispatch`.

#![allow(clippy::cast_precision_loss)]

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
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
use umbra::clock::SystemClock;
use umbra::config::{Argon2Params, Config, RateLimits, TlsMode};
use umbra::db::{Db, users};
use umbra::domain::id::UserId;
use umbra::domain::password_policy;
use umbra::domain::role::Role;
use umbra::domain::time::UtcMillis;
use umbra::domain::username::Username;
use umbra::http::listener;
use umbra::jobs::dispatcher::PusherOverride;
use umbra::push::{NtfyTarget, PushError, PushMessage, Pusher};
use umbra::server::{self, ServerParts};

const USERS: usize = 100;
const PER_USER: usize = 100;
const READERS: usize = 16;
const PASSWORD: &str = "correct horse battery staple";

/// Records every published message (topic and title) and answers 200.
async fn stand_in_ntfy() -> (String, Arc<Mutex<Vec<(String, String, Instant)>>>) {
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
                            let topic = json["topic"].as_str().unwrap_or_default().to_string();
                            let title = json["title"].as_str().unwrap_or_default().to_string();
                            store.lock().unwrap().push((topic, title, Instant::now()));
                        }
                        Ok::<_, hyper::Error>(Response::new(Full::new(Bytes::from_static(b"{}"))))
                    }
                });
                let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
            });
        }
    });
    (url, received)
}

struct HttpPusher(reqwest::Client);

impl Pusher for HttpPusher {
    fn push<'a>(&'a self, target: &'a NtfyTarget, message: &'a PushMessage) -> BoxFuture<'a, Result<u16, PushError>> {
        Box::pin(async move {
            let actions: Vec<Value> =
                message.actions.iter().map(|a| json!({"action": "http", "label": a.label, "url": a.url})).collect();
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

fn percentile(sorted: &[Duration], q: f64) -> f64 {
    let i = ((sorted.len() as f64 * q) as usize).min(sorted.len().saturating_sub(1));
    sorted.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// The server's configuration: a temp folder, its own certificate, cheap hashing, no rate limits.
fn bench_config(dir: &std::path::Path) -> Config {
    let mut config = Config::defaults_in(dir);
    config.tls = TlsMode::LocalCa;
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.argon2 = Argon2Params { memory_kib: 32, iterations: 1, parallelism: 1, ..Argon2Params::default() };
    let huge = 100_000_000;
    config.rate_limits = RateLimits {
        auth_per_minute: huge,
        auth_burst: huge,
        register_per_minute: huge,
        register_burst: huge,
        admin_per_minute: huge,
        admin_burst: huge,
        general_per_minute: huge,
        general_burst: huge,
        user_per_minute: huge,
        user_burst: huge,
    };
    config
}

/// 100 users with ntfy set up and 100 reminders each, all due at `due`.
async fn seed(db: &Db, config: &Config, ntfy_url: &str, now: i64, due: i64) -> Vec<(String, UserId)> {
    let hasher = PasswordHasher::new(config.argon2).unwrap();
    let mut user_ids = Vec::new();
    for i in 0..USERS {
        let name = format!("user{i:03}");
        let hash = hasher.hash(&password_policy::check(PASSWORD, &name).unwrap()).await.unwrap();
        let id = users::create(db.pool(), &Username::parse(&name).unwrap(), &hash, Role::Standard, UtcMillis(now))
            .await
            .unwrap()
            .id;
        sqlx::query(
            "INSERT INTO user_settings (user_id, timezone, ntfy_server, ntfy_topic, updated_at) VALUES ($1, 'UTC', $2, $3, 0)",
        )
        .bind(id)
        .bind(ntfy_url)
        .bind(format!("topic-{i}"))
        .execute(db.pool())
        .await
        .unwrap();
        user_ids.push((name, id));
    }
    let mut tx = db.write().await.unwrap();
    for (name, id) in &user_ids {
        for n in 0..PER_USER {
            sqlx::query(
                "INSERT INTO reminders (user_id, title, remind_at, series_start, fire_at, created_at, updated_at) \
                 VALUES ($1, $2, $3, $3, $3, $4, $4)",
            )
            .bind(*id)
            .bind(format!("{name} #{n}"))
            .bind(due)
            .bind(now)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
    }
    tx.commit().await.unwrap();

    user_ids
}

/// One signed-in client per user, each reading its list back to back until `stop`.
async fn start_readers(
    base: &str,
    cert: &[u8],
    users: &[(String, UserId)],
    stop: &Arc<AtomicBool>,
) -> Vec<tokio::task::JoinHandle<(Vec<Duration>, usize)>> {
    let mut readers = Vec::new();
    for (name, _) in users.iter().take(READERS) {
        let client = reqwest::Client::builder()
            .tls_certs_only([reqwest::Certificate::from_pem(cert).unwrap()])
            .cookie_store(true)
            .build()
            .unwrap();
        let login = client
            .post(format!("{base}/api/auth/login"))
            .header("X-Requested-With", "XMLHttpRequest")
            .json(&json!({"username": name, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(login.status(), 200);
        let (stop, url) = (stop.clone(), format!("{base}/api/reminders?limit=50"));
        readers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            while !stop.load(Ordering::Relaxed) {
                let sent = Instant::now();
                let ok = match client.get(&url).send().await {
                    Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                if ok {
                    latencies.push(sent.elapsed());
                } else {
                    errors += 1;
                }
            }
            (latencies, errors)
        }));
    }

    readers
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (ntfy_url, received) = stand_in_ntfy().await;
    let dir = tempfile::tempdir().unwrap();
    let config = bench_config(dir.path());
    let db = Db::open(&config.database_url).await.unwrap();

    // Seeded for tomorrow; moved to two seconds from now once the readers are running.
    let now = UtcMillis::now().0;
    let user_ids = seed(&db, &config, &ntfy_url, now, now + 86_400_000).await;

    let tls = umbra::tls::prepare(&config, UtcMillis::now()).unwrap();
    let cert = tls.as_ref().unwrap().local_ca.as_ref().unwrap().status().pem.clone().into_bytes();
    let pusher: Arc<dyn Pusher> = Arc::new(HttpPusher(reqwest::Client::new()));
    let rocket = server::build(ServerParts {
        config: config.clone(),
        db: db.clone(),
        clock: Arc::new(SystemClock),
        secret_key: [3; 64],
    })
    .unwrap()
    .manage(PusherOverride(pusher));
    let listening = listener::launch(rocket, &config, tls.as_ref()).await.unwrap();
    let base = format!("https://127.0.0.1:{}", listening.local_addr.port());

    // Readers: one signed-in client each, reading back to back until the pushes are in.
    let stop = Arc::new(AtomicBool::new(false));
    let readers = start_readers(&base, &cert, &user_ids, &stop).await;

    let total = USERS * PER_USER;
    let due = UtcMillis::now().0 + 2_000;
    let due_at = Instant::now() + Duration::from_secs(2);
    sqlx::query("UPDATE reminders SET remind_at = $1, series_start = $1, fire_at = $1")
        .bind(due)
        .execute(db.pool())
        .await
        .unwrap();
    let deadline = due_at + Duration::from_mins(1);
    let mut in_app_done = None;
    while received.lock().unwrap().len() < total && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
        if in_app_done.is_none() {
            let written: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM notifications").fetch_one(db.pool()).await.unwrap();
            if written == i64::try_from(total).unwrap() {
                in_app_done = Some(Instant::now().saturating_duration_since(due_at));
            }
        }
    }
    let last_arrival = received.lock().unwrap().iter().map(|r| r.2).max();
    // A few more dispatcher passes: nothing may arrive twice.
    tokio::time::sleep(Duration::from_secs(3)).await;
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    let mut errors = 0;
    for reader in readers {
        let (l, e) = reader.await.unwrap();
        latencies.extend(l);
        errors += e;
    }
    latencies.sort();

    let received = received.lock().unwrap().clone();
    let distinct: HashSet<(String, String)> = received.iter().map(|r| (r.0.clone(), r.1.clone())).collect();
    let notifications: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM notifications").fetch_one(db.pool()).await.unwrap();
    let delivery = last_arrival.map(|at| at.saturating_duration_since(due_at));
    println!("dispatch benchmark: {total} reminders of {USERS} users due at the same instant");
    println!(
        "  pushes received        {} ({} distinct), in-app notifications {notifications}",
        received.len(),
        distinct.len()
    );
    if let Some(took) = in_app_done {
        println!("  all in-app after        {:.2} s from due", took.as_secs_f64());
    }
    match delivery {
        Some(took) => println!(
            "  all delivered after     {:.2} s from due ({:.0} pushes/s)",
            took.as_secs_f64(),
            received.len() as f64 / took.as_secs_f64().max(0.001)
        ),
        None => println!("  nothing delivered"),
    }
    println!(
        "  reads during dispatch   {} requests, {errors} errors, p50 {:.2} ms, p99 {:.2} ms",
        latencies.len(),
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99)
    );
    let within = delivery.is_some_and(|d| d <= Duration::from_secs(10));
    let once = received.len() == total && distinct.len() == total && notifications == i64::try_from(total).unwrap();
    let p99_ok = percentile(&latencies, 0.99) < 50.0;
    println!(
        "  goals: all within 10 s {}, each exactly once {}, reads p99 < 50 ms {}",
        if within { "yes" } else { "NO" },
        if once { "yes" } else { "NO" },
        if p99_ok { "yes" } else { "NO" }
    );
    listening.stop_soon();
}
