//! Calendar month-view benchmark (issue 10): the range read `GET /api/events?start=&end=` for
//! one month, for a user who can read 10,000 events, 500 of them recurring series, across 5
//! calendars (3 of their own and 2 that a connected user shared with them), over 64 HTTPS
//! keep-alive connections, set against an embedded static asset of the same server.
//!
//! Then the export of 10,000 events (all of them copied into one calendar), timed five times.
//!
//! Run: `cargo bench --bench calendar` (optional: `UMBRA_BENCH_SECONDS=10`). Goals: p99 < 20 ms;
//! export < 1 s.
//!
//! The events are written straight into the database (through the API it would take longer
//! than the measurement), with the spans the API would store: 9,500 single events spread over
//! ten years around now, and 500 series in Europe/Berlin: 100 weekly without end, 100 on the
//! last Friday of each month without end, 150 daily ten times, 150 twice a week for half a year.

#![allow(clippy::cast_precision_loss)]

mod support;

use std::path::Path;
use std::time::Instant;

use support::{CONNECTIONS, drive, get, set_up_admin, start};

const EVENTS: i64 = 10_000;
const SERIES: i64 = 500;
const DAY: i64 = 86_400_000;

#[tokio::main]
async fn main() {
    let duration = support::scenario_duration();
    let (server, _) = start(env!("CARGO_BIN_EXE_umbra")).await;
    let base = server.base.clone();
    set_up_admin(env!("CARGO_BIN_EXE_umbra"), &server).await;
    let now = umbra::domain::time::UtcMillis::now().0;
    seed(&server.dir.path().join("data"), now).await;

    // The month around now, as a month view asks for it.
    let month_start = now - now.rem_euclid(30 * DAY);
    let window = |from: i64| {
        let text = |ms: i64| umbra::domain::time::UtcMillis(ms).to_rfc3339();
        format!("{base}/api/events?start={}&end={}", text(from), text(from + 35 * DAY))
    };
    let url = window(month_start);
    let check = server.client.get(&url).send().await.unwrap();
    assert_eq!(check.status(), 200, "the range read answers");
    let body: serde_json::Value = check.json().await.unwrap();
    let items = body["items"].as_array().map_or(0, Vec::len);
    let shared = body["items"].as_array().map_or(0, |items| items.iter().filter(|i| i["access"] != "owner").count());
    assert!(items > 0 && shared > 0, "the month holds own and shared occurrences");

    println!(
        "UMBRA calendar benchmark: {CONNECTIONS} HTTPS keep-alive connections, {} s per scenario",
        duration.as_secs()
    );
    println!(
        "{EVENTS} events ({SERIES} series) in 5 calendars (2 shared); one month view = {items} occurrences ({shared} shared)"
    );
    let mut asset = drive(CONNECTIONS, duration, get(&server.client, format!("{base}/app.js"))).await;
    println!("{}", asset.line("static asset GET /app.js"));
    let mut month = drive(CONNECTIONS, duration, get(&server.client, url)).await;
    println!("{}", month.line("GET /api/events (one month, 35 days)"));
    println!("month view p99 = {:.2} ms (goal < 20 ms)", month.p99_ms());

    // Export: all 10,000 events copied into one more calendar of the viewer's, exported whole.
    let archive = copy_into_one_calendar(&server.dir.path().join("data")).await;
    let export = format!("{base}/api/calendars/{archive}/export.ics");
    let mut times = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let response = server.client.get(&export).send().await.unwrap();
        assert_eq!(response.status(), 200, "the export answers");
        let body = response.text().await.unwrap();
        times.push(started.elapsed());
        assert_eq!(body.matches("BEGIN:VEVENT").count(), EVENTS as usize, "every event is exported");
    }
    times.sort();
    println!(
        "export of {EVENTS} events: median {:.0} ms, slowest {:.0} ms of 5 (goal < 1,000 ms)",
        times[2].as_secs_f64() * 1000.0,
        times[4].as_secs_f64() * 1000.0
    );
}

/// Copies every event into a new calendar of the viewer's (for the export); its id.
async fn copy_into_one_calendar(data: &Path) -> i64 {
    let url = format!("sqlite://{}", data.join("umbra.db").display());
    let db = umbra::db::Db::connect(&url).await.expect("open the benchmark database");
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO calendars (owner_id, name, colour, created_at, updated_at) \
         VALUES (1, 'Archive', '#336699', 0, 0) RETURNING id",
    )
    .fetch_one(db.pool())
    .await
    .expect("seed the archive calendar");
    sqlx::query(
        "INSERT INTO events (calendar_id, uid, title, timezone, start_at, end_at, recurrence, span_start, span_end, \
         created_by, created_at, updated_at) \
         SELECT $1, 'copy-' || uid, title, timezone, start_at, end_at, recurrence, span_start, span_end, created_by, \
                created_at, updated_at FROM events",
    )
    .bind(id)
    .execute(db.pool())
    .await
    .expect("copy the events");
    id
}

/// The viewer is the admin (user 1, calendar 1); user 2 is connected to them and shares two
/// calendars; the events are spread evenly over the five calendars.
async fn seed(data: &Path, now: i64) {
    let url = format!("sqlite://{}", data.join("umbra.db").display());
    let db = umbra::db::Db::connect(&url).await.expect("open the benchmark database");
    let pool = db.pool();
    let run = |sql: &'static str| sqlx::query(sql);
    run("INSERT INTO users (username, password_hash, role, active, created_at, updated_at) \
         VALUES ('friend', 'not-a-hash', 'standard', 1, 0, 0)")
    .execute(pool)
    .await
    .expect("seed the friend");
    // Calendars 1 and 2 are the two users' defaults (made by the trigger).
    for (owner, name) in [(1, "Work"), (1, "Sport"), (2, "Family"), (2, "Club")] {
        sqlx::query(
            "INSERT INTO calendars (owner_id, name, colour, created_at, updated_at) VALUES ($1, $2, '#336699', 0, 0)",
        )
        .bind(owner)
        .bind(name)
        .execute(pool)
        .await
        .expect("seed calendars");
    }
    run("INSERT INTO connections (requester_id, addressee_id, username, user_low, user_high, status, created_at, accepted_at) \
         VALUES (2, 1, 'admin', 1, 2, 'accepted', 0, 0)")
    .execute(pool)
    .await
    .expect("seed the connection");
    run("INSERT INTO calendar_shares (calendar_id, member_id, level, status, created_at, accepted_at) \
         VALUES (5, 1, 'read', 'accepted', 0, 0), (6, 1, 'write', 'accepted', 0, 0)")
    .execute(pool)
    .await
    .expect("seed the shares");
    // The viewer's five calendars: 1, 3, 4 (own) and 5, 6 (shared).
    let calendar = "CASE i % 5 WHEN 0 THEN 1 WHEN 1 THEN 3 WHEN 2 THEN 4 WHEN 3 THEN 5 ELSE 6 END";
    let first = now - 5 * 365 * DAY;
    let spread = 10 * 365 * DAY;
    let singles = format!(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $1 - 1) \
         INSERT INTO events (calendar_id, uid, title, timezone, start_at, end_at, span_start, span_end, created_by, \
         created_at, updated_at) \
         SELECT {calendar}, 'single-' || i || '@umbra', 'Event number ' || i, 'Europe/Berlin', \
                $2 + (i * $3 / $1), $2 + (i * $3 / $1) + 3600000, $2 + (i * $3 / $1), $2 + (i * $3 / $1) + 3600000, \
                1, 0, 0 FROM n"
    );
    sqlx::query(sqlx::AssertSqlSafe(singles))
        .bind(EVENTS - SERIES)
        .bind(first)
        .bind(spread)
        .execute(pool)
        .await
        .expect("seed single events");
    // Series start on whole hours; span_end is what `expand::span` would store (an upper
    // bound: the last start plus the length).
    let series = format!(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $1 - 1), \
         s(i, start_at, rule, span_end) AS ( \
           SELECT i, $2 + ((i * $3 / $1) / 3600000) * 3600000, \
                  CASE WHEN i < 100 THEN 'FREQ=WEEKLY' WHEN i < 200 THEN 'FREQ=MONTHLY;BYDAY=-1FR' \
                       WHEN i < 350 THEN 'FREQ=DAILY;COUNT=10' ELSE 'FREQ=WEEKLY;BYDAY=MO,TH;COUNT=52' END, \
                  CASE WHEN i < 200 THEN NULL WHEN i < 350 THEN 10 * {DAY} ELSE 190 * {DAY} END \
           FROM n) \
         INSERT INTO events (calendar_id, uid, title, timezone, start_at, end_at, recurrence, span_start, span_end, \
         created_by, created_at, updated_at) \
         SELECT {calendar}, 'series-' || i || '@umbra', 'Series number ' || i, 'Europe/Berlin', start_at, \
                start_at + 3600000, rule, start_at, start_at + span_end + 3600000, 1, 0, 0 FROM s"
    );
    sqlx::query(sqlx::AssertSqlSafe(series))
        .bind(SERIES)
        .bind(first)
        .bind(spread)
        .execute(pool)
        .await
        .expect("seed series");
}
