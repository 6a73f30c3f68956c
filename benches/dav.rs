//! CalDAV benchmark (issue 12): a phone's incremental sync and a new device's first download,
//! against a calendar of 10,000 events, over HTTPS with an app password, as a client sends them.
//!
//! - `REPORT sync-collection` with a token from before the last 10 changes (a delta of 10), over
//!   a few keep-alive connections (a household's devices, not a load test): p99 goal < 20 ms.
//! - `REPORT calendar-multiget` of 1,000 events (a new device's first fetch after listing the
//!   collection), timed five times: goal < 300 ms.
//!
//! Run: `cargo bench --bench dav` (optional: `UMBRA_BENCH_SECONDS=10`).
//!
//! The 10,000 events are written straight into the database (through DAV it would take longer
//! than the measurement); the last 11 changes are made through DAV, so the change log and the
//! sync token are the server's own.

#![allow(clippy::cast_precision_loss)]

mod support;

use std::fmt::Write;
use std::path::Path;
use std::time::Instant;

use support::{PASSWORD, drive, set_up_admin, start};

const EVENTS: i64 = 10_000;
const MULTIGET: i64 = 1_000;
const CONNECTIONS: usize = 4;
const DAY: i64 = 86_400_000;

#[tokio::main]
async fn main() {
    let duration = support::scenario_duration();
    let (server, _) = start(env!("CARGO_BIN_EXE_umbra")).await;
    let base = server.base.clone();
    set_up_admin(env!("CARGO_BIN_EXE_umbra"), &server).await;
    let now = umbra::domain::time::UtcMillis::now().0;
    seed(&server.dir.path().join("data"), now).await;
    let secret = app_password(&server.client, &base).await;
    let calendar = format!("{base}/dav/calendars/admin/1/");
    let dav = Dav { client: server.client.clone(), secret };

    // One change through DAV, the token after it, then the ten changes the delta will hold.
    dav.put_event(&calendar, "first-change", now).await;
    let token = dav.sync_token(&calendar).await;
    for i in 0..10 {
        dav.put_event(&calendar, &format!("change-{i}"), now + i * 3_600_000).await;
    }
    let delta = sync_body(&token);
    let check = dav.report(&calendar, delta.clone()).await;
    assert_eq!(check.matches("response>").count() / 2, 10, "a delta of 10: {check}");

    println!("UMBRA CalDAV benchmark: {EVENTS} events in one calendar, HTTPS, Basic with an app password");
    let driver = dav.clone();
    let mut sync = drive(CONNECTIONS, duration, move || {
        let (dav, calendar, delta) = (driver.clone(), calendar.clone(), delta.clone());
        async move { dav.report_ok(&calendar, delta).await }
    })
    .await;
    println!("{}", sync.line(&format!("REPORT sync-collection, delta of 10, {CONNECTIONS} connections")));
    println!("sync-collection p99 = {:.2} ms (goal < 20 ms)", sync.p99_ms());

    let multiget = multiget_body(MULTIGET);
    let mut times = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let body = dav.report(&format!("{base}/dav/calendars/admin/1/"), multiget.clone()).await;
        times.push(started.elapsed());
        assert_eq!(body.matches("BEGIN:VEVENT").count(), MULTIGET as usize, "every event is fetched");
    }
    times.sort();
    println!(
        "calendar-multiget of {MULTIGET} events: median {:.0} ms, slowest {:.0} ms of 5 (goal < 300 ms)",
        times[2].as_secs_f64() * 1000.0,
        times[4].as_secs_f64() * 1000.0
    );
}

#[derive(Clone)]
struct Dav {
    client: reqwest::Client,
    secret: String,
}

impl Dav {
    fn request(&self, method: &[u8], url: &str) -> reqwest::RequestBuilder {
        let method = reqwest::Method::from_bytes(method).expect("a method name");
        self.client.request(method, url).basic_auth("admin", Some(&self.secret))
    }

    /// A Depth 1 REPORT with an XML body, as clients send them.
    fn report_request(&self, url: &str, body: String) -> reqwest::RequestBuilder {
        self.request(b"REPORT", url)
            .header("Depth", "1")
            .header("Content-Type", "application/xml; charset=utf-8")
            .body(body)
    }

    async fn report(&self, url: &str, body: String) -> String {
        let response = self.report_request(url, body).send().await.expect("REPORT");
        assert_eq!(response.status().as_u16(), 207, "REPORT answers 207");
        response.text().await.expect("REPORT body")
    }

    async fn report_ok(&self, url: &str, body: String) -> bool {
        let sent = self.report_request(url, body).send().await;
        match sent {
            Ok(response) => response.status().as_u16() == 207 && response.bytes().await.is_ok(),
            Err(_) => false,
        }
    }

    async fn put_event(&self, calendar: &str, uid: &str, start: i64) {
        let stamp = |ms: i64| chrono::DateTime::from_timestamp_millis(ms).unwrap().format("%Y%m%dT%H%M%SZ").to_string();
        let body = format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:{}\r\n\
             DTSTART:{}\r\nDTEND:{}\r\nSUMMARY:Changed {uid}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            stamp(start),
            stamp(start),
            stamp(start + 3_600_000)
        );
        let response = self
            .request(b"PUT", &format!("{calendar}{uid}.ics"))
            .header("Content-Type", "text/calendar; charset=utf-8")
            .body(body)
            .send()
            .await
            .expect("PUT");
        assert!(response.status().is_success(), "PUT {uid}: {}", response.status());
    }

    /// The collection's current sync token, from a PROPFIND as a client reads it.
    async fn sync_token(&self, calendar: &str) -> String {
        let body = r#"<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:sync-token/></D:prop></D:propfind>"#;
        let response = self
            .request(b"PROPFIND", calendar)
            .header("Depth", "0")
            .header("Content-Type", "application/xml; charset=utf-8")
            .body(body)
            .send()
            .await
            .expect("PROPFIND");
        let text = response.text().await.expect("PROPFIND body");
        let start = text.find("sync-token>").expect("a sync token") + "sync-token>".len();
        let end = start + text[start..].find('<').expect("the token's end");
        text[start..end].to_string()
    }
}

fn sync_body(token: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><D:sync-collection xmlns:D="DAV:"><D:sync-token>{token}</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>"#
    )
}

fn multiget_body(count: i64) -> String {
    let mut hrefs = String::new();
    for i in 0..count {
        let _ = write!(hrefs, "<D:href>/dav/calendars/admin/1/single-{i}%40umbra.ics</D:href>");
    }
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data/></D:prop>{hrefs}</C:calendar-multiget>"#
    )
}

/// Re-authenticates the admin's session and makes an app password, as Settings → Devices does.
async fn app_password(client: &reqwest::Client, base: &str) -> String {
    let csrf = ("X-Requested-With", "XMLHttpRequest");
    let reauth = client
        .post(format!("{base}/api/auth/reauth"))
        .header(csrf.0, csrf.1)
        .json(&serde_json::json!({"password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(reauth.status().is_success(), "reauth: {}", reauth.status());
    let created = client
        .post(format!("{base}/api/auth/app-passwords"))
        .header(csrf.0, csrf.1)
        .json(&serde_json::json!({"name": "benchmark"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201, "app password");
    let body: serde_json::Value = created.json().await.unwrap();
    body["password"].as_str().unwrap().to_string()
}

/// 10,000 single events in the admin's default calendar (1), an hour each, spread over ten
/// years around now.
async fn seed(data: &Path, now: i64) {
    let url = format!("sqlite://{}", data.join("umbra.db").display());
    let db = umbra::db::Db::connect(&url).await.expect("open the benchmark database");
    let first = now - 5 * 365 * DAY;
    let spread = 10 * 365 * DAY;
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $1 - 1) \
         INSERT INTO events (calendar_id, uid, title, timezone, start_at, end_at, span_start, span_end, created_by, \
         created_at, updated_at) \
         SELECT 1, 'single-' || i || '@umbra', 'Event number ' || i, 'Europe/Berlin', \
                $2 + (i * $3 / $1), $2 + (i * $3 / $1) + 3600000, $2 + (i * $3 / $1), $2 + (i * $3 / $1) + 3600000, \
                1, 0, 0 FROM n",
    )
    .bind(EVENTS)
    .bind(first)
    .bind(spread)
    .execute(db.pool())
    .await
    .expect("seed the events");
}
