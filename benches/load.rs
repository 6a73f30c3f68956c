//! Load benchmark: starts the release `umbra` binary on loopback and drives it over HTTPS
//! keep-alive with 64 connections for a few seconds per scenario, printing req/s, p50 and
//! p99 for (a) an embedded static asset, (b) an authenticated `GET /api/auth/status`,
//! (c) sign-ins by a crowd of made-up names, and (d) (b) during such a flood; plus startup time, idle and peak RSS, and
//! the latency of failed logins for a real versus a made-up username.
//!
//! Run: `cargo bench --bench load` (optional: `UMBRA_BENCH_SECONDS=10`). With
//! `UMBRA_BENCH_BASELINE=/path/to/an/older/umbra`, (a) and (b) are also measured on that binary
//! in the same run, so that a change's cost is a ratio of two figures taken side by side.

// Request counts stay far below 2^52, so counting in f64 loses nothing.
#![allow(clippy::cast_precision_loss)]

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use support::{CONNECTIONS, PASSWORD, Stats, drive, get, rss_kib, set_up_admin, start};

fn login(
    client: &reqwest::Client,
    url: String,
    username: &str,
    expect: u16,
) -> impl Fn() -> std::pin::Pin<Box<dyn Future<Output = bool> + Send>> + Send + Sync + 'static + use<> {
    let client = client.clone();
    let username = username.to_string();
    move || {
        let (client, url, username) = (client.clone(), url.clone(), username.clone());
        Box::pin(async move {
            let body = json!({"username": username, "password": if expect == 200 { PASSWORD } else { "a wrong password here" }});
            match client.post(&url).header("X-Requested-With", "XMLHttpRequest").json(&body).send().await {
                Ok(r) => r.status().as_u16() == expect && r.bytes().await.is_ok(),
                Err(_) => false,
            }
        })
    }
}

/// Sign-ins as a crowd would send them: each request a made-up name that nobody else uses,
/// so each costs one full Argon2id verification (the dummy one) and no name reaches its lock.
/// (Parallel sign-ins with one real name would lock it: every attempt is counted before its
/// password is checked, so no burst can get more than the threshold of verifications.)
fn crowd_login(
    client: &reqwest::Client,
    url: String,
) -> impl Fn() -> std::pin::Pin<Box<dyn Future<Output = bool> + Send>> + Send + Sync + 'static + use<> {
    let client = client.clone();
    let next = Arc::new(std::sync::atomic::AtomicU64::new(0));
    move || {
        let (client, url) = (client.clone(), url.clone());
        let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Box::pin(async move {
            let body = json!({"username": format!("crowd-{n}"), "password": "a wrong password here"});
            match client.post(&url).header("X-Requested-With", "XMLHttpRequest").json(&body).send().await {
                Ok(r) => r.status().as_u16() == 401 && r.bytes().await.is_ok(),
                Err(_) => false,
            }
        })
    }
}

/// Failed logins for a real name and a made-up one should take the same time.
async fn failed_login_timing(anonymous: &reqwest::Client, base: &str) {
    let mut real = Vec::new();
    let mut fake = Vec::new();
    let real_login = login(anonymous, format!("{base}/api/auth/login"), "admin", 401);
    let success = login(anonymous, format!("{base}/api/auth/login"), "admin", 200);
    for round in 0..60 {
        // A success now and then keeps the real name below the lockout threshold.
        if round % 5 == 4 {
            assert!(success().await);
        }
        let t = Instant::now();
        assert!(real_login().await);
        real.push(t.elapsed().as_secs_f64() * 1000.0);
        // A fresh made-up name every few rounds: neither name ever reaches the lock.
        let made_up = format!("nobody-{}", round / 5);
        let fake_login = login(anonymous, format!("{base}/api/auth/login"), &made_up, 401);
        let t = Instant::now();
        assert!(fake_login().await);
        fake.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "failed login, median of 60: wrong password {:.2} ms, unknown user {:.2} ms",
        median(&mut real),
        median(&mut fake)
    );
}

/// Gives the admin a passkey (a software authenticator), so "real name" below has one.
async fn register_passkey(client: &reqwest::Client, base: &str) {
    use webauthn_authenticator_rs::WebauthnAuthenticator;
    let post = |path: &str, body: serde_json::Value| {
        client.post(format!("{base}{path}")).header("X-Requested-With", "XMLHttpRequest").json(&body).send()
    };
    // The login flood evicted the setup session (ten per user): sign in afresh.
    let login = post("/api/auth/login", json!({"username": "admin", "password": PASSWORD}));
    assert!(login.await.unwrap().status().is_success());
    assert!(post("/api/auth/reauth", json!({"password": PASSWORD})).await.unwrap().status().is_success());
    let start: serde_json::Value =
        post("/api/auth/passkeys/register/begin", json!({"name": "bench"})).await.unwrap().json().await.unwrap();
    let mut options: webauthn_rs::prelude::CreationChallengeResponse =
        serde_json::from_value(start["options"].clone()).unwrap();
    // SoftPasskey refuses `requireResidentKey`; it stands in for an authenticator that makes
    // discoverable credentials (see tests/api/passkeys.rs).
    if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
        selection.require_resident_key = false;
    }
    let server_port = base.rsplit(':').next().unwrap();
    let origin = webauthn_rs::prelude::Url::parse(&format!("https://localhost:{server_port}")).unwrap();
    let mut key = webauthn_authenticator_rs::softpasskey::SoftPasskey::new(true);
    let credential = key.do_registration(origin, options).unwrap();
    let done = post(
        "/api/auth/passkeys/register/finish",
        json!({"ceremony_id": start["ceremony_id"], "credential": credential}),
    );
    assert_eq!(done.await.unwrap().status(), 201);
}

/// `POST /api/auth/passkeys/login/begin` for a real name and a made-up one: the answer's
/// time must not tell them apart (the shape is checked by the integration tests).
async fn passkey_begin_timing(anonymous: &reqwest::Client, base: &str) {
    let url = format!("{base}/api/auth/passkeys/login/begin");
    let mut samples = [Vec::new(), Vec::new()];
    for round in 0..400 {
        for (slot, name) in [(0, "admin".to_string()), (1, format!("nobody-{round}"))] {
            let t = Instant::now();
            let response = anonymous
                .post(&url)
                .header("X-Requested-With", "XMLHttpRequest")
                .json(&json!({"username": name}))
                .send()
                .await
                .unwrap();
            assert!(response.status().is_success() && response.bytes().await.is_ok());
            samples[slot].push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    let [mut real, mut fake] = samples;
    for v in [&mut real, &mut fake] {
        v.sort_by(f64::total_cmp);
    }
    let at = |v: &Vec<f64>, q: f64| v[((v.len() as f64) * q) as usize];
    println!(
        "passkey login/begin, 400 each: real name p50 {:.3} ms p90 {:.3} ms; unknown name p50 {:.3} ms p90 {:.3} ms",
        at(&real, 0.5),
        at(&real, 0.9),
        at(&fake, 0.5),
        at(&fake, 0.9)
    );
}

/// (a) and (b) on an older binary, started the same way, against this run's figures.
async fn compare_with_baseline(binary: &str, duration: Duration, asset: &Stats, status: &Stats) {
    let (server, _) = start(binary).await;
    set_up_admin(binary, &server).await;
    let mut old_asset = drive(CONNECTIONS, duration, get(&server.client, format!("{}/app.js", server.base))).await;
    println!("{}", old_asset.line("baseline (a) static asset"));
    let mut old_status =
        drive(CONNECTIONS, duration, get(&server.client, format!("{}/api/auth/status", server.base))).await;
    println!("{}", old_status.line("baseline (b) authenticated status"));
    println!(
        "this binary against the baseline: (a) {:+.1} %, (b) {:+.1} %",
        100.0 * (asset.req_per_sec() / old_asset.req_per_sec() - 1.0),
        100.0 * (status.req_per_sec() / old_status.req_per_sec() - 1.0)
    );
}

#[tokio::main]
async fn main() {
    let duration = support::scenario_duration();
    let (mut server, startup) = start(env!("CARGO_BIN_EXE_umbra")).await;
    let pid = server.child.id();
    let idle_rss = rss_kib(pid, "VmRSS:");
    let base = server.base.clone();

    // An admin, signed in on the shared client (its cookie goes with every status request).
    set_up_admin(env!("CARGO_BIN_EXE_umbra"), &server).await;
    let cert = server.cert.clone();
    let new_client = |cookies: bool| {
        reqwest::Client::builder()
            .tls_certs_only([reqwest::Certificate::from_pem(&cert).unwrap()])
            .pool_max_idle_per_host(CONNECTIONS)
            .cookie_store(cookies)
            .build()
            .unwrap()
    };
    let mut anonymous = new_client(false);

    println!(
        "UMBRA load benchmark: {CONNECTIONS} HTTPS keep-alive connections, {} s per scenario, release binary",
        duration.as_secs()
    );
    println!(
        "startup to first served request: {:.0} ms; idle RSS {} KiB (anonymous {} KiB)",
        startup.as_secs_f64() * 1000.0,
        idle_rss,
        rss_kib(pid, "RssAnon:")
    );

    let mut asset = drive(CONNECTIONS, duration, get(&server.client, format!("{base}/app.js"))).await;
    println!("{}", asset.line("(a) static asset GET /app.js"));
    println!("    RSS now {} KiB", rss_kib(pid, "VmRSS:"));
    let mut status = drive(CONNECTIONS, duration, get(&server.client, format!("{base}/api/auth/status"))).await;
    println!("{}", status.line("(b) authenticated GET /api/auth/status"));
    println!("    RSS now {} KiB", rss_kib(pid, "VmRSS:"));
    let mut logins = drive(CONNECTIONS, duration, crowd_login(&anonymous, format!("{base}/api/auth/login"))).await;
    println!("{}", logins.line("(c) POST /api/auth/login, crowd (Argon2id 19 MiB)"));
    println!("    RSS now {} KiB", rss_kib(pid, "VmRSS:"));

    // (d): a login flood on 16 connections while 48 read the status.
    let flood = tokio::spawn(drive(16, duration, crowd_login(&anonymous, format!("{base}/api/auth/login"))));
    let mut under_flood =
        drive(CONNECTIONS - 16, duration, get(&server.client, format!("{base}/api/auth/status"))).await;
    let mut flood = flood.await.unwrap();
    println!("{}", under_flood.line("(d) status during a login flood"));
    println!("{}", flood.line("    the flood's logins"));
    println!("    RSS now {} KiB", rss_kib(pid, "VmRSS:"));
    println!("(b)/(a) = {:.0} %", 100.0 * status.req_per_sec() / asset.req_per_sec());
    println!("peak RSS during the floods {} KiB", rss_kib(pid, "VmHWM:"));
    // Goal: back to at most 25 MiB within a minute once the flood is over and its clients have
    // gone. Dropping the clients closes their connections; the session cookie goes with them,
    // and the scenarios below sign in again.
    server.client = new_client(true);
    anonymous = new_client(false);
    let quiet = Instant::now();
    let settled = loop {
        tokio::time::sleep(Duration::from_secs(5)).await;
        let rss = rss_kib(pid, "VmRSS:");
        if rss <= 25 * 1024 || quiet.elapsed() >= Duration::from_mins(1) {
            break rss;
        }
    };
    // Anonymous memory is what the server allocated; file-backed pages are the binary's own
    // code and data, clean and shared with the page cache.
    println!(
        "idle RSS {settled} KiB {:.0} s after the flood (anonymous {} KiB, file-backed {} KiB)",
        quiet.elapsed().as_secs_f64(),
        rss_kib(pid, "RssAnon:"),
        rss_kib(pid, "RssFile:")
    );
    if let Ok(baseline) = std::env::var("UMBRA_BENCH_BASELINE") {
        compare_with_baseline(&baseline, duration, &asset, &status).await;
    }

    failed_login_timing(&anonymous, &base).await;
    register_passkey(&server.client, &base).await;
    passkey_begin_timing(&anonymous, &base).await;
    println!("peak RSS {} KiB", rss_kib(pid, "VmHWM:"));
}
