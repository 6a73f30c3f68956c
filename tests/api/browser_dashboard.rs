//! The dashboard (the home page) in headless Chromium: today's event, a todo due today and a
//! birthday in Today, an overdue todo, a task assigned to me, the unread count and a weather
//! card that always finishes (with the forecast or the reason), each card with its link; an
//! empty dashboard's cards say so; and no sideways scrolling on a phone.

use chrono::{Datelike, Duration, Timelike, Utc};
use serde_json::{Value, json};

use crate::browser::{browser, overflow, picture, run, set_up_admin};
use crate::live::{LiveServer, call, signed_in};
use crate::stand_in::{Reply, StandIn};
use crate::webdriver::Browser;

/// A fixed-offset zone where it is now around noon, so "today" cannot turn into tomorrow
/// while the test runs (Etc/GMT-N is N hours ahead of UTC). Gives the zone and its date.
fn noon_zone() -> (String, chrono::NaiveDate) {
    let now = Utc::now();
    let ahead = (12 - i64::from(now.hour())).clamp(-11, 14);
    let zone = match ahead {
        0 => "Etc/GMT".to_string(),
        n if n > 0 => format!("Etc/GMT-{n}"),
        n => format!("Etc/GMT+{}", -n),
    };
    (zone, (now + Duration::hours(ahead)).date_naive())
}

/// An Open-Meteo forecast answer: 8.5 °C and light rain now, five days from 2027-03-28.
fn forecast() -> String {
    json!({
        "latitude": 52.52, "longitude": 13.41, "timezone": "Europe/Berlin",
        "current": {"time": "2027-03-28T10:00", "temperature_2m": 8.5, "apparent_temperature": 6.5,
                    "weather_code": 61, "wind_speed_10m": 12.5, "precipitation_probability": 70},
        "daily": {"time": ["2027-03-28", "2027-03-29", "2027-03-30", "2027-03-31", "2027-04-01"],
                  "weather_code": [61, 3, 0, 95, 71],
                  "temperature_2m_max": [9.0, 10.0, 11.0, 12.0, 13.0],
                  "temperature_2m_min": [1.0, 2.0, 3.0, 4.0, 5.0],
                  "precipitation_probability_max": [80, 20, 0, 60, 40]}
    })
    .to_string()
}

/// Waits for a card to have its answer (no longer loading) and gives its text.
async fn card(b: &Browser, key: &str) -> Result<String, String> {
    b.find(&format!(".dash-{key} .dash-body:not([aria-busy])")).await?;
    b.text(&format!(".dash-{key} .dash-body")).await
}

/// An empty day: every card says so (none keeps loading), and the weather card, without a
/// location yet, leads to Settings.
async fn empty_cards(b: &Browser, base: &str) -> Result<(), String> {
    b.goto(&format!("{base}/")).await?;
    b.wait_for_text("h1", "Hello, admin").await?;
    let expected = [
        ("today", "Nothing planned for today"),
        ("overdue", "No overdue todos"),
        ("week", "Nothing in the next seven days"),
        ("tasks", "No open tasks are assigned to you"),
        ("notifications", "all caught up"),
        ("weather", "Set a location"),
    ];
    for (key, words) in expected {
        let text = card(b, key).await?;
        if !text.contains(words) {
            return Err(format!("the empty {key} card reads {text:?}"));
        }
    }
    b.find(".dash-weather a.weather-settings[href='/settings/preferences']").await?;
    picture(b, "dashboard-empty").await;
    Ok(())
}

/// The weather from a local stand-in provider (allow-listed), for a location in Settings.
async fn weather_from(server: &LiveServer, admin: &reqwest::Client, provider: &StandIn) -> Result<(), String> {
    call(server, admin, "PUT", "/api/admin/outbound-allow", json!({"entries": ["127.0.0.2"]})).await?;
    let urls = json!({"weather_base_url": provider.url(), "weather_geocoding_url": provider.url()});
    call(server, admin, "PUT", "/api/admin/weather", urls).await?;
    let place = json!({"weather_latitude": 52.52, "weather_longitude": 13.41});
    call(server, admin, "PATCH", "/api/settings", place).await?;
    provider.reply_next(Reply::status(200, &forecast()));
    provider.reply_next(Reply::status(200, &forecast()));
    Ok(())
}

/// Today's event (an hour from now), a todo due today, an overdue one, a birthday, and a
/// project task assigned to me.
async fn seed(
    server: &LiveServer,
    admin: &reqwest::Client,
    zone: &str,
    today: chrono::NaiveDate,
) -> Result<(), String> {
    let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    let start = Utc::now() + Duration::hours(1);
    let end = start + Duration::minutes(45);
    let event = json!({"title": "Team lunch", "start": start.to_rfc3339(), "end": end.to_rfc3339()});
    call(server, admin, "POST", "/api/events", event).await?;
    let todo = json!({"title": "Pay rent", "due_date": day(today), "timezone": zone});
    call(server, admin, "POST", "/api/todos", todo).await?;
    let late = json!({"title": "File taxes", "due_date": day(today - Duration::days(1)), "timezone": zone});
    call(server, admin, "POST", "/api/todos", late).await?;
    let year = if today.month() == 2 && today.day() == 29 { 1992 } else { 1990 };
    let birthday = format!("{year}-{:02}-{:02}", today.month(), today.day());
    call(server, admin, "POST", "/api/people", json!({"name": "Ada Lovelace", "birthday": birthday})).await?;
    let project = call(server, admin, "POST", "/api/projects", json!({"name": "House"})).await?;
    let me = call(server, admin, "GET", "/api/auth/status", Value::Null).await?["user"]["id"].clone();
    let task = json!({"title": "Fix the roof", "assignee_ids": [me], "due_date": day(today + Duration::days(2))});
    call(server, admin, "POST", &format!("/api/projects/{}/tasks", project["id"]), task).await.map(drop)
}

/// What the seeded day shows, card by card.
async fn filled_cards(b: &Browser, base: &str) -> Result<(), String> {
    b.goto(&format!("{base}/")).await?;
    b.wait_for_text("h1", "Hello, admin").await?;
    let shown = card(b, "today").await?;
    for title in ["Team lunch", "Pay rent", "Ada Lovelace"] {
        if !shown.contains(title) {
            return Err(format!("Today shows {shown:?}, without {title}"));
        }
    }
    let kinds = b
        .execute(
            "return [...document.querySelectorAll('.dash-today .dash-item')].map((e) => e.dataset.kind).sort()",
            json!([]),
        )
        .await?;
    if kinds != json!(["birthday", "event", "todo"]) {
        return Err(format!("Today's kinds are {kinds}"));
    }
    // Each line leads to where the item lives.
    let links = b
        .execute(
            "const links = [...document.querySelectorAll('.dash-today a.dash-link')].map((a) => a.getAttribute('href'));
             return links.length === 3 && links.every((href) => href.startsWith('/') && !href.startsWith('//'))",
            json!([]),
        )
        .await?;
    if links != json!(true) {
        return Err("a Today line has no link into the app".into());
    }
    let overdue = card(b, "overdue").await?;
    if !overdue.contains("File taxes") || overdue.contains("Pay rent") {
        return Err(format!("Overdue shows {overdue:?}"));
    }
    let tasks = card(b, "tasks").await?;
    if !tasks.contains("Fix the roof") || !tasks.contains("House") {
        return Err(format!("My tasks shows {tasks:?}"));
    }
    // The weather: now, and five days with their conditions in words.
    b.wait_for_text(".dash-weather .weather-temp", "9°C").await?;
    let labels = b
        .execute(
            "return [...document.querySelectorAll('.dash-weather .forecast-day svg[role=img]')]
                .map((s) => s.getAttribute('aria-label')).filter(Boolean).length",
            json!([]),
        )
        .await?;
    if labels != json!(5) {
        return Err(format!("{labels} of the forecast's five days are labelled"));
    }
    b.wait_for_text(".dash-weather", "as of").await?;
    picture(b, "dashboard").await;

    // A task line opens the task's drawer on its project's board.
    b.click(&b.find(".dash-tasks a.dash-link").await?).await?;
    b.wait_for_text("#task-drawer-title", "Task").await?;
    let title = b.execute("return document.getElementById('task-title').value", json!([])).await?;
    if title != json!("Fix the roof") {
        return Err(format!("the task link opened {title}"));
    }
    Ok(())
}

#[tokio::test]
async fn the_dashboard_shows_todays_event_a_due_todo_a_birthday_and_the_other_cards() {
    let Some(browser) = browser().await else { return };
    let server = crate::live::serve_https(|_| {}).await;
    let code = umbra::auth::setup_code::current(server.db.pool()).await.unwrap().unwrap();
    let base = server.base.clone();
    let server = &server;
    let provider = StandIn::start("127.0.0.2").await;
    let provider = &provider;
    run("dashboard", browser, async |b| {
        set_up_admin(b, &base, &code).await?;
        // The first page gives an account without a zone the browser's: let that finish first.
        b.wait_idle().await?;
        let admin = signed_in(server, "admin").await?;
        let (zone, today) = noon_zone();
        call(server, &admin, "PATCH", "/api/settings", json!({"timezone": zone})).await?;
        empty_cards(b, &base).await?;
        weather_from(server, &admin, provider).await?;
        seed(server, &admin, &zone, today).await?;
        filled_cards(b, &base).await?;

        // A phone: one column, nothing sideways.
        b.set_window_size(390, 844).await?;
        b.goto(&format!("{base}/")).await?;
        card(b, "today").await?;
        card(b, "weather").await?;
        b.wait_idle().await?;
        picture(b, "dashboard-390").await;
        if let Some(wide) = overflow(b).await? {
            return Err(format!("the dashboard at 390 px: {wide}"));
        }
        Ok(())
    })
    .await;
}
