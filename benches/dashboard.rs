//! Dashboard benchmark (issue 11): `GET /api/dashboard` for a user with 10,000 events (100 of
//! them weekly series), 1,000 todos, 200 people with birthdays, 5 projects with tasks assigned
//! to them and a cached weather forecast, over 64 HTTPS keep-alive connections, set against an
//! embedded static asset of the same server.
//!
//! Run: `cargo bench --bench dashboard` (optional: `UMBRA_BENCH_SECONDS=10`). Goal: p99 < 10 ms.
//!
//! Everything is written straight into the database (through the API it would take longer than
//! the measurement): events spread over ten years around now, todos due over four months
//! around now (a quarter done), birthdays over the year, 40 tasks per project, and a fresh
//! weather cache row for the user's location, so no provider is asked.

#![allow(clippy::cast_precision_loss)]

mod support;

use std::path::Path;

use support::{CONNECTIONS, drive, get, set_up_admin, start};

const EVENTS: i64 = 10_000;
const SERIES: i64 = 100;
const TODOS: i64 = 1_000;
const PEOPLE: i64 = 200;
const PROJECTS: i64 = 5;
const DAY: i64 = 86_400_000;

#[tokio::main]
async fn main() {
    let duration = support::scenario_duration();
    let (server, _) = start(env!("CARGO_BIN_EXE_umbra")).await;
    let base = server.base.clone();
    set_up_admin(env!("CARGO_BIN_EXE_umbra"), &server).await;
    let now = umbra::domain::time::UtcMillis::now().0;
    seed(&server.dir.path().join("data"), now).await;

    let url = format!("{base}/api/dashboard");
    let check = server.client.get(&url).send().await.unwrap();
    assert_eq!(check.status(), 200, "the dashboard answers");
    let body: serde_json::Value = check.json().await.unwrap();
    let count = |field: &str| body[field].as_array().map_or(0, Vec::len);
    let ahead: usize = body["next_7_days"]
        .as_array()
        .map_or(0, |days| days.iter().map(|day| day["items"].as_array().map_or(0, Vec::len)).sum());
    assert!(count("today") > 0 && ahead > 0 && count("assigned_tasks") > 0, "the dashboard is filled: {body}");
    assert_eq!(body["weather"]["available"], true, "the weather comes from the cache: {}", body["weather"]);

    println!(
        "UMBRA dashboard benchmark: {CONNECTIONS} HTTPS keep-alive connections, {} s per scenario",
        duration.as_secs()
    );
    println!(
        "{EVENTS} events ({SERIES} series), {TODOS} todos, {PEOPLE} people, {PROJECTS} projects; one dashboard = \
         {} today, {ahead} in the next 7 days, {} overdue, {} assigned tasks",
        count("today"),
        count("overdue_todos"),
        count("assigned_tasks")
    );
    let mut asset = drive(CONNECTIONS, duration, get(&server.client, format!("{base}/app.js"))).await;
    println!("{}", asset.line("static asset GET /app.js"));
    let mut dashboard = drive(CONNECTIONS, duration, get(&server.client, url)).await;
    println!("{}", dashboard.line("GET /api/dashboard"));
    println!("dashboard: {:.0} req/s, p99 = {:.2} ms (goal < 10 ms)", dashboard.req_per_sec(), dashboard.p99_ms());
}

/// The viewer is the admin (user 1, default calendar 1, two more calendars of theirs).
async fn seed(data: &Path, now: i64) {
    let url = format!("sqlite://{}", data.join("umbra.db").display());
    let db = umbra::db::Db::connect(&url).await.expect("open the benchmark database");
    let pool = db.pool();
    let exec = |sql: String| async move {
        sqlx::query(sqlx::AssertSqlSafe(sql.clone())).execute(pool).await.unwrap_or_else(|e| panic!("{e}: {sql}"));
    };
    exec(
        "INSERT INTO user_settings (user_id, timezone, weather_latitude, weather_longitude, weather_place, units, \
         updated_at) VALUES (1, 'Europe/Berlin', 52.52, 13.41, 'Berlin, Germany', 'metric', 0)"
            .into(),
    )
    .await;
    exec(
        "INSERT INTO calendars (owner_id, name, colour, created_at, updated_at) \
         VALUES (1, 'Work', '#336699', 0, 0), (1, 'Sport', '#993366', 0, 0)"
            .into(),
    )
    .await;
    // Calendar 1 is the admin's default (made by the trigger), 2 and 3 the ones above.
    let calendar = "CASE i % 3 WHEN 0 THEN 1 WHEN 1 THEN 2 ELSE 3 END";
    let first = now - 5 * 365 * DAY;
    let spread = 10 * 365 * DAY;
    let singles = EVENTS - SERIES;
    exec(format!(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {singles} - 1) \
         INSERT INTO events (calendar_id, uid, title, timezone, start_at, end_at, span_start, span_end, created_by, \
         created_at, updated_at) \
         SELECT {calendar}, 'single-' || i || '@umbra', 'Event number ' || i, 'Europe/Berlin', \
                {first} + (i * {spread} / {singles}), {first} + (i * {spread} / {singles}) + 3600000, \
                {first} + (i * {spread} / {singles}), {first} + (i * {spread} / {singles}) + 3600000, 1, 0, 0 FROM n"
    ))
    .await;
    // Weekly series without end, starting on whole hours over the last two years.
    let series_count = SERIES;
    exec(format!(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {series_count} - 1) \
         INSERT INTO events (calendar_id, uid, title, timezone, start_at, end_at, recurrence, span_start, span_end, \
         created_by, created_at, updated_at) \
         SELECT {calendar}, 'series-' || i || '@umbra', 'Series number ' || i, 'Europe/Berlin', \
                ({now} - 730 * {DAY} + i * 3600000 * 167) / 3600000 * 3600000, \
                ({now} - 730 * {DAY} + i * 3600000 * 167) / 3600000 * 3600000 + 3600000, 'FREQ=WEEKLY', \
                ({now} - 730 * {DAY} + i * 3600000 * 167) / 3600000 * 3600000, NULL, 1, 0, 0 FROM n"
    ))
    .await;
    // Todos due at whole days (UTC) over two months back and two ahead; every fourth done.
    exec(format!(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {TODOS} - 1) \
         INSERT INTO todos (user_id, title, due_at, due_sort, overdue_at, timezone, completed, position, created_at, \
         updated_at) \
         SELECT 1, 'Todo number ' || i, ({now} - 60 * {DAY} + i * 120 * {DAY} / {TODOS}) / 3600000 * 3600000, \
                ({now} - 60 * {DAY} + i * 120 * {DAY} / {TODOS}) / 3600000 * 3600000, \
                ({now} - 60 * {DAY} + i * 120 * {DAY} / {TODOS}) / 3600000 * 3600000, 'Europe/Berlin', \
                CASE WHEN i % 4 = 0 THEN 1 ELSE 0 END, i, 0, 0 FROM n"
    ))
    .await;
    // Birthdays on every ~2nd day of the year (a common year's days, years 1950-1999).
    let mut people = Vec::new();
    for i in 0..PEOPLE {
        let day = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap() + chrono::Duration::days(i * 365 / PEOPLE);
        people.push(format!("(1, 'p{i}', 'Person {i}', '{}-{}', 0, 0)", 1950 + i % 50, day.format("%m-%d")));
    }
    exec(format!(
        "INSERT INTO people (user_id, uid, name, birthday, created_at, updated_at) VALUES {}",
        people.join(", ")
    ))
    .await;
    for project in 1..=PROJECTS {
        exec(format!(
            "INSERT INTO projects (created_by, name, created_at, updated_at) VALUES (1, 'Project {project}', 0, 0)"
        ))
        .await;
        exec(format!(
            "INSERT INTO project_members (project_id, user_id, role, created_at) VALUES ({project}, 1, 'owner', 0)"
        ))
        .await;
        exec(format!(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 39) \
             INSERT INTO project_tasks (project_id, title, status, due_date, position, created_at, updated_at) \
             SELECT {project}, 'Task ' || i, CASE WHEN i % 5 = 0 THEN 'done' ELSE 'todo' END, \
                    CASE WHEN i % 3 = 0 THEN NULL ELSE '2027-0' || (1 + i % 9) || '-1' || (i % 10) END, i, 0, 0 FROM n"
        ))
        .await;
    }
    exec("INSERT INTO task_assignees (task_id, user_id) SELECT id, 1 FROM project_tasks WHERE id % 2 = 0".into()).await;
    exec(format!(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 49) \
         INSERT INTO notifications (user_id, kind, title, created_at, read_at) \
         SELECT 1, 'reminder_due', 'Note ' || i, {now} - i * 60000, CASE WHEN i % 2 = 0 THEN NULL ELSE {now} END FROM n"
    ))
    .await;
    let forecast = r#"{"current":{"temperature":11.5,"apparent_temperature":9.0,"precipitation_probability":20.0,"wind_speed":14.0,"code":2},"daily":[{"date":"2027-03-28","min":3.0,"max":12.0,"precipitation_probability":20.0,"code":2}]}"#;
    sqlx::query(
        "INSERT INTO weather_cache (latitude_key, longitude_key, units, payload, fetched_at) \
         VALUES (5252, 1341, 'metric', $1, $2)",
    )
    .bind(forecast)
    .bind(now)
    .execute(pool)
    .await
    .expect("seed the weather cache");
}
