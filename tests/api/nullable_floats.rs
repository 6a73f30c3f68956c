//! Nullable floating-point columns on PostgreSQL. sqlx 0.9's `Any` driver binds a NULL `f64`
//! as a 4-byte float, so a statement a connection first prepared with NULL there refuses an
//! 8-byte value afterwards ("incorrect binary data format in bind parameter"): a 500 that came
//! and went with the pooled connection a request got. The weather location and a place's
//! coordinates are both written as NULL and as values through the same statements.

use serde_json::json;

use crate::harness::app;

#[tokio::test]
async fn weather_coordinates_are_saved_after_settings_saved_without_them() {
    let app = app().await;
    let alice = app.user("alice").await;
    // Every pooled connection gets to prepare the settings write with NULL coordinates first.
    for _ in 0..8 {
        let saved = alice.patch("/api/settings", json!({"timezone": "Europe/Berlin"})).await;
        assert_eq!(saved.status, 200, "{}", saved.body);
    }
    for latitude in [52.52, 48.14, -33.87] {
        let saved =
            alice.patch("/api/settings", json!({"weather_latitude": latitude, "weather_longitude": 13.41})).await;
        assert_eq!(saved.status, 200, "{}", saved.body);
        assert_eq!(saved.json()["weather_latitude"], latitude);
    }
}

#[tokio::test]
async fn a_place_gets_coordinates_after_places_saved_without_them() {
    let app = app().await;
    let alice = app.user("alice").await;
    for n in 0..8 {
        let made = alice.post("/api/locations", json!({"name": format!("Somewhere {n}")})).await;
        assert_eq!(made.status, 201, "{}", made.body);
    }
    let made = alice.post("/api/locations", json!({"name": "Home", "latitude": 51.5, "longitude": -0.12})).await;
    assert_eq!(made.status, 201, "{}", made.body);
    let id = made.json()["id"].as_i64().unwrap();
    let changed = alice.patch(&format!("/api/locations/{id}"), json!({"latitude": 40.0})).await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.json()["latitude"], 40.0);
}
