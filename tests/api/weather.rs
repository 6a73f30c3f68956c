//! Weather (`GET /api/weather`, the settings' location fields, `/api/admin/weather`) against a
//! local stand-in provider that the admin allow-lists: a cache hit makes no second request
//! and is shared between users at one rounded location; a stale value is served (and
//! refreshed in the background) when the stand-in fails or hangs; nothing cached answers
//! `available: false` with 200; an empty base URL makes no request at all; a place name is
//! geocoded when saved, and a place not found or a provider down refuses the whole PATCH;
//! bad provider JSON is a provider failure, never a 500.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use umbra::server::AppState;

use crate::harness::{Persona, TestApp, app, app_on};
use crate::outbound::allow;
use crate::stand_in::{Reply, StandIn};

pub fn state(app: &TestApp) -> &AppState {
    app.client.rocket().state::<AppState>().expect("app state")
}

/// An Open-Meteo forecast answer with `temperature` now and five days from 2027-03-28.
pub fn forecast(temperature: f64) -> String {
    json!({
        "latitude": 52.52, "longitude": 13.41, "timezone": "Europe/Berlin",
        "current": {"time": "2027-03-28T10:00", "temperature_2m": temperature, "apparent_temperature": temperature - 2.0,
                    "weather_code": 61, "wind_speed_10m": 12.5, "precipitation_probability": 70},
        "daily": {"time": ["2027-03-28", "2027-03-29", "2027-03-30", "2027-03-31", "2027-04-01"],
                  "weather_code": [61, 3, 0, 95, 71],
                  "temperature_2m_max": [9.0, 10.0, 11.0, 12.0, 13.0],
                  "temperature_2m_min": [1.0, 2.0, 3.0, 4.0, 5.0],
                  "precipitation_probability_max": [80, 20, 0, 60, 40]}
    })
    .to_string()
}

/// A stand-in provider on 127.0.0.2, allow-listed and set as both weather URLs.
pub async fn provider(app: &TestApp) -> (Persona<'_>, StandIn) {
    let stand_in = StandIn::start("127.0.0.2").await;
    let admin = app.admin().await;
    allow(&admin, &["127.0.0.2", "127.0.0.3"]).await;
    set_urls(&admin, &stand_in.url(), &stand_in.url()).await;
    (admin, stand_in)
}

pub async fn set_urls(admin: &Persona<'_>, base: &str, geocoding: &str) {
    let response =
        admin.put("/api/admin/weather", json!({"weather_base_url": base, "weather_geocoding_url": geocoding})).await;
    assert_eq!(response.status, 200, "{}", response.body);
}

pub async fn locate(user: &Persona<'_>, latitude: f64, longitude: f64) {
    let response =
        user.patch("/api/settings", json!({"weather_latitude": latitude, "weather_longitude": longitude})).await;
    assert_eq!(response.status, 200, "{}", response.body);
}

async fn weather(user: &Persona<'_>) -> Value {
    let response = user.get("/api/weather").await;
    assert_eq!(response.status, 200, "{}", response.body);
    response.json()
}

/// A listener that accepts connections and never answers; it counts them.
async fn silent_provider_counting() -> (String, Arc<AtomicUsize>, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.3:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            held.push(socket);
        }
    });
    (url, accepted, task)
}

async fn silent_provider() -> (String, tokio::task::JoinHandle<()>) {
    let (url, _, task) = silent_provider_counting().await;
    (url, task)
}

#[tokio::test]
async fn a_cached_answer_is_shared_by_a_rounded_location_and_not_fetched_again() {
    let app = app().await;
    let (_admin, stand_in) = provider(&app).await;
    let ada = app.user("ada").await;
    let bob = app.user("bob").await;
    locate(&ada, 52.5201, 13.4049).await;
    locate(&bob, 52.5244, 13.4012).await;
    stand_in.reply_next(Reply::status(200, &forecast(8.5)));

    let first = weather(&ada).await;
    assert_eq!(first["available"], true, "{first}");
    assert_eq!(first["stale"], false);
    assert_eq!(first["age_seconds"], 0);
    assert_eq!(first["units"], "metric");
    assert_eq!(first["latitude"], 52.5201);
    assert_eq!(first["current"]["temperature"], 8.5);
    assert_eq!(first["current"]["label"], "Light rain");
    assert_eq!(first["current"]["icon"], "rain");
    assert_eq!(first["daily"].as_array().unwrap().len(), 5);
    assert_eq!(first["daily"][3]["icon"], "thunderstorm");
    assert_eq!(first["daily"][4]["min"], 5.0);
    let requests = stand_in.requests();
    assert_eq!(requests.len(), 1);
    let path = &requests[0].path;
    assert!(path.starts_with("/v1/forecast?latitude=52.52&longitude=13.40&current=temperature_2m,"), "{path}");
    assert!(path.contains("&forecast_days=5&timezone=auto") && !path.contains("fahrenheit"), "{path}");

    // Another user a few hundred metres away, and the same user 29 minutes later: the cache.
    app.clock.advance_minutes(29);
    let second = weather(&bob).await;
    assert_eq!(second["available"], true);
    assert_eq!(second["stale"], false);
    assert_eq!(second["age_seconds"], 29 * 60);
    assert_eq!(second["latitude"], 52.5244);
    assert_eq!(weather(&ada).await["current"]["temperature"], 8.5);
    assert_eq!(stand_in.requests().len(), 1, "a cache hit asked the provider again");

    // Imperial units are another key: fahrenheit and mph are asked for.
    let response = bob.patch("/api/settings", json!({"units": "imperial"})).await;
    assert_eq!(response.json()["units"], "imperial");
    stand_in.reply_next(Reply::status(200, &forecast(47.3)));
    let imperial = weather(&bob).await;
    assert_eq!(imperial["units"], "imperial");
    assert_eq!(imperial["current"]["temperature"], 47.3);
    let requests = stand_in.requests();
    assert_eq!(requests.len(), 2);
    assert!(requests[1].path.ends_with("&temperature_unit=fahrenheit&wind_speed_unit=mph"), "{}", requests[1].path);
}

#[tokio::test]
async fn a_stale_value_is_served_while_the_stand_in_fails_and_refreshed_when_it_recovers() {
    let app = app().await;
    let (_admin, stand_in) = provider(&app).await;
    let ada = app.user("ada").await;
    locate(&ada, 48.14, 11.58).await;
    stand_in.reply_next(Reply::status(200, &forecast(8.5)));
    assert_eq!(weather(&ada).await["stale"], false);

    // 31 minutes on: the stale value at once, its age, and one refresh in the background.
    app.clock.advance_minutes(31);
    stand_in.reply_next(Reply::status(503, "down"));
    let stale = weather(&ada).await;
    assert_eq!(stale["available"], true);
    assert_eq!(stale["stale"], true);
    assert_eq!(stale["age_seconds"], 31 * 60);
    assert_eq!(stale["current"]["temperature"], 8.5);
    state(&app).weather.settle().await;
    assert_eq!(stand_in.requests().len(), 2);
    // The failed refresh holds retries back for a minute: no request per page view.
    assert_eq!(weather(&ada).await["stale"], true);
    state(&app).weather.settle().await;
    assert_eq!(stand_in.requests().len(), 2);

    // Unreadable JSON is a failure like any other: still the stale value, never a 500.
    app.clock.advance_minutes(2);
    stand_in.reply_next(Reply::status(200, "<html>not json</html>"));
    assert_eq!(weather(&ada).await["age_seconds"], 33 * 60);
    state(&app).weather.settle().await;
    assert_eq!(stand_in.requests().len(), 3);

    // The provider is back: the next stale read refreshes, the one after is fresh.
    app.clock.advance_minutes(2);
    stand_in.reply_next(Reply::status(200, &forecast(12.0)));
    assert_eq!(weather(&ada).await["stale"], true);
    state(&app).weather.settle().await;
    let fresh = weather(&ada).await;
    assert_eq!(fresh["stale"], false);
    assert_eq!(fresh["age_seconds"], 0);
    assert_eq!(fresh["current"]["temperature"], 12.0);
    assert_eq!(stand_in.requests().len(), 4);
}

#[tokio::test]
async fn a_hanging_provider_costs_no_more_than_the_timeout() {
    let app = app().await;
    let (admin, stand_in) = provider(&app).await;
    state(&app).weather.set_timeout(Duration::from_millis(300));
    let ada = app.user("ada").await;
    let bob = app.user("bob").await;
    locate(&ada, 48.14, 11.58).await;
    locate(&bob, -33.87, 151.21).await;
    stand_in.reply_next(Reply::status(200, &forecast(8.5)));
    assert_eq!(weather(&ada).await["available"], true);

    let (silent, _task) = silent_provider().await;
    set_urls(&admin, &silent, &stand_in.url()).await;
    app.clock.advance_minutes(45);
    // A stale value is served at once, without waiting for the hanging refresh.
    let started = Instant::now();
    let stale = weather(&ada).await;
    assert_eq!(stale["stale"], true, "{stale}");
    assert_eq!(stale["age_seconds"], 45 * 60);
    // Nothing cached for Sydney: the wait ends at the timeout with `available: false`.
    let none = weather(&bob).await;
    assert_eq!(
        none,
        json!({"available": false, "reason": "the weather service did not answer in time; try again later"})
    );
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    // The dashboard waits no longer either, and shows the answer it got.
    let started = Instant::now();
    let dashboard = bob.get("/api/dashboard").await;
    assert_eq!(dashboard.status, 200, "{}", dashboard.body);
    assert_eq!(dashboard.json()["weather"]["available"], false);
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
}

#[tokio::test]
async fn nothing_cached_and_a_failing_provider_is_unavailable_with_200() {
    let app = app().await;
    let (_admin, stand_in) = provider(&app).await;
    let ada = app.user("ada").await;
    assert_eq!(
        weather(&ada).await,
        json!({"available": false, "reason": "set a location for the weather in Settings"})
    );
    locate(&ada, 40.71, -74.01).await;
    stand_in.reply_next(Reply::status(500, "boom"));
    let answer = weather(&ada).await;
    assert_eq!(answer["available"], false);
    assert!(answer["reason"].as_str().unwrap().contains("could not be reached"), "{answer}");
    assert_eq!(stand_in.requests().len(), 1);
}

#[tokio::test]
async fn an_empty_base_url_turns_weather_off_without_any_request() {
    let app = app().await;
    let (admin, stand_in) = provider(&app).await;
    set_urls(&admin, "", &stand_in.url()).await;
    let ada = app.user("ada").await;
    locate(&ada, 52.52, 13.41).await;
    assert_eq!(weather(&ada).await, json!({"available": false, "reason": "weather is turned off"}));
    let dashboard = ada.get("/api/dashboard").await.json();
    assert_eq!(dashboard["weather"], Value::Null);
    assert!(stand_in.requests().is_empty(), "a request was made with weather turned off");
}

#[tokio::test]
async fn a_place_is_geocoded_when_saved_and_a_failed_lookup_refuses_the_whole_patch() {
    let app = app().await;
    let (admin, stand_in) = provider(&app).await;
    let ada = app.user("ada").await;
    stand_in.reply_next(Reply::status(
        200,
        r#"{"results":[{"id":2950159,"name":"Berlin","latitude":52.52437,"longitude":13.41053,"country":"Germany"}]}"#,
    ));
    let saved = ada.patch("/api/settings", json!({"weather_place": "Berlin"})).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let saved = saved.json();
    assert_eq!(saved["weather_place"], "Berlin, Germany");
    assert_eq!(saved["weather_latitude"], 52.52437);
    assert_eq!(saved["weather_longitude"], 13.41053);
    assert_eq!(stand_in.requests()[0].path, "/v1/search?name=Berlin&count=1");
    assert_eq!(ada.get("/api/settings").await.json()["weather_place"], "Berlin, Germany");

    // Not found, provider down, provider gibberish: 422 at weather_place, nothing else saved.
    let cases = [
        (Reply::status(200, r#"{"generationtime_ms":0.2}"#), "no place of that name was found"),
        (Reply::status(502, "bad gateway"), "could not be reached"),
        (Reply::status(200, "{\"results\": 7}"), "could not be reached"),
    ];
    for (reply, words) in cases {
        stand_in.reply_next(reply);
        let response = ada.patch("/api/settings", json!({"weather_place": "Atlantis", "display_name": "Ada L."})).await;
        let problem = response.problem(422);
        assert_eq!(problem["errors"][0]["field"], "weather_place");
        let message = problem["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(words), "{message}");
    }
    let kept = ada.get("/api/settings").await.json();
    assert_eq!(kept["display_name"], "");
    assert_eq!(kept["weather_place"], "Berlin, Germany");

    // Geocoding turned off: coordinates still work, a place name is refused saying so.
    set_urls(&admin, &stand_in.url(), "").await;
    let refused = ada.patch("/api/settings", json!({"weather_place": "Paris"})).await.problem(422);
    assert!(refused["detail"].as_str().unwrap().contains("turned off"), "{refused}");
    assert_eq!(stand_in.requests().len(), 4);
    // Typed coordinates drop the place name; null clears the location.
    locate(&ada, 48.85, 2.35).await;
    let typed = ada.get("/api/settings").await.json();
    assert_eq!((typed["weather_latitude"].clone(), typed["weather_place"].clone()), (json!(48.85), Value::Null));
    let cleared = ada.patch("/api/settings", json!({"weather_place": null})).await.json();
    assert_eq!((cleared["weather_latitude"].clone(), cleared["weather_longitude"].clone()), (Value::Null, Value::Null));
}

#[tokio::test]
async fn location_fields_are_checked() {
    let app = app().await;
    let ada = app.user("ada").await;
    let cases = [
        (json!({"weather_latitude": 52.5}), "weather_longitude"),
        (json!({"weather_longitude": 13.4}), "weather_latitude"),
        (json!({"weather_latitude": 91, "weather_longitude": 0}), "weather_latitude"),
        (json!({"weather_latitude": 0, "weather_longitude": -180.5}), "weather_longitude"),
        (json!({"weather_place": "   "}), "weather_place"),
        (json!({"weather_place": "x".repeat(121)}), "weather_place"),
        (json!({"units": null}), "units"),
    ];
    for (body, field) in cases {
        let problem = ada.patch("/api/settings", body.clone()).await.problem(422);
        assert_eq!(problem["errors"][0]["field"], field, "{body}: {problem}");
    }
    let problem = ada.patch("/api/settings", json!({"units": "kelvin"})).await.problem(422);
    assert!(problem.to_string().contains("units"), "{problem}");
    ada.patch("/api/settings", json!({"weather_latitudes": 1})).await.problem(422);
    let settings = ada.get("/api/settings").await.json();
    assert_eq!(settings["units"], "metric");
    assert_eq!(settings["weather_latitude"], Value::Null);
}

#[tokio::test]
async fn only_admins_set_the_provider_urls_and_they_must_be_http() {
    let app = app().await;
    let admin = app.admin().await;
    let defaults = admin.get("/api/admin/weather").await.json();
    assert_eq!(
        defaults,
        json!({"weather_base_url": "https://api.open-meteo.com",
               "weather_geocoding_url": "https://geocoding-api.open-meteo.com"})
    );
    let ada = app.user("ada").await;
    assert_eq!(ada.get("/api/admin/weather").await.status, 403);
    let body = json!({"weather_base_url": "", "weather_geocoding_url": ""});
    assert_eq!(ada.put("/api/admin/weather", body).await.status, 403);
    for (base, field) in [("ftp://example.com", "weather_base_url"), ("https://x.example/?key=1", "weather_base_url")] {
        let response =
            admin.put("/api/admin/weather", json!({"weather_base_url": base, "weather_geocoding_url": ""})).await;
        assert_eq!(response.problem(422)["errors"][0]["field"], field);
    }
    let extra = json!({"weather_base_url": "", "weather_geocoding_url": "", "api_key": "x"});
    admin.put("/api/admin/weather", extra).await.problem(422);
    let csrf = [("X-Requested-With", "XMLHttpRequest"), ("Content-Type", "application/json")];
    let put = rocket::http::Method::Put;
    admin.request(put, "/api/admin/weather", Some("{\"weather_base_url\": "), &csrf).await.problem(400);
    let huge = json!({"weather_base_url": "x".repeat(70 * 1024), "weather_geocoding_url": ""}).to_string();
    admin.request(put, "/api/admin/weather", Some(&huge), &csrf).await.problem(413);
    // Without the CSRF header the change is refused.
    let plain = [("Content-Type", "application/json")];
    let body = json!({"weather_base_url": "", "weather_geocoding_url": ""}).to_string();
    assert_eq!(admin.request(put, "/api/admin/weather", Some(&body), &plain).await.status, 403);
    assert_eq!(admin.get("/api/admin/weather").await.json()["weather_base_url"], "https://api.open-meteo.com");
    set_urls(&admin, "https://weather.example/", "").await;
    let saved = admin.get("/api/admin/weather").await.json();
    assert_eq!(saved["weather_base_url"], "https://weather.example");
    assert!(
        app.audit_actions()
            .await
            .iter()
            .any(|(action, target, _)| { action == "admin_config_change" && target.as_deref() == Some("weather") })
    );
}

#[tokio::test]
async fn weather_needs_an_unlocked_session() {
    let app = app().await;
    assert_eq!(app.anonymous().get("/api/weather").await.status, 401);
    let ada = app.user("ada").await;
    assert_eq!(ada.post_empty("/api/auth/lock").await.status, 204);
    assert_eq!(ada.get("/api/weather").await.status, 423);
    assert_eq!(ada.get("/api/dashboard").await.status, 423);
}

#[tokio::test]
async fn one_fetch_at_a_time_per_location_in_a_process_and_across_processes() {
    let app = app().await;
    let (admin, _stand_in) = provider(&app).await;
    let (silent, accepted, _task) = silent_provider_counting().await;
    set_urls(&admin, &silent, "").await;
    state(&app).weather.set_timeout(Duration::from_millis(200));
    let ada = app.user("ada").await;
    let bob = app.user("bob").await;
    locate(&ada, 52.5201, 13.4049).await;
    locate(&bob, 52.5244, 13.4012).await;
    let slow = json!({"available": false, "reason": "the weather service did not answer in time; try again later"});
    // Both wait their 200 ms on the one fetch in flight (it runs on after they stop waiting).
    let (first, second) = tokio::join!(weather(&ada), weather(&bob));
    assert_eq!((first, second), (slow.clone(), slow.clone()));
    assert_eq!(weather(&ada).await, slow);
    // A second server process on the same database sees the claim and does not ask again.
    let other = app_on(app.database.clone(), |_| {}).await;
    other.clock.advance_minutes((app.clock.now_millis() - other.clock.now_millis()) / 60_000);
    let carol = other.user("carol").await;
    locate(&carol, 52.52, 13.40).await;
    let answer = weather(&carol).await;
    assert_eq!(answer["available"], false, "{answer}");
    assert_eq!(accepted.load(Ordering::SeqCst), 1, "the provider was asked more than once");
}

#[tokio::test]
async fn the_cleanup_job_drops_weather_nobody_asked_for_in_a_week() {
    let app = app().await;
    let (_admin, stand_in) = provider(&app).await;
    let ada = app.user("ada").await;
    locate(&ada, 52.52, 13.41).await;
    stand_in.reply_next(Reply::status(200, &forecast(8.5)));
    assert_eq!(weather(&ada).await["available"], true);
    let rows = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM weather_cache").fetch_one(app.db.pool()).await.unwrap()
    };
    let defaults = umbra::server::default_system_settings(&app.config);
    let at = |days: i64| umbra::domain::time::UtcMillis(app.clock.now_millis()).plus_minutes(days * 24 * 60);
    umbra::jobs::cleanup::run_once(&app.db, at(6), defaults).await.unwrap();
    assert_eq!(rows().await, 1);
    umbra::jobs::cleanup::run_once(&app.db, at(8), defaults).await.unwrap();
    assert_eq!(rows().await, 0);
}
