//! The calendars API (`/api/calendars`): the default calendar every account has, create, read,
//! change and delete with their validation, the default moving and never deleted, the caller's
//! preferences, deleting a calendar with its events, and the 404/401/423 matrix. Shared
//! calendars are in `calendar_sharing.rs`.

use rocket::http::Method;
use serde_json::{Value, json};

use crate::harness::{Persona, Resp, TestApp, app};

/// Creates a calendar for `who` and returns it.
pub(crate) async fn create_calendar(who: &Persona<'_>, body: Value) -> Value {
    let response = who.post("/api/calendars", body).await;
    assert_eq!(response.status, 201, "{}", response.body);
    response.json()
}

pub(crate) fn id(value: &Value) -> i64 {
    value["id"].as_i64().unwrap()
}

/// The fields a 422 names, in order.
pub(crate) fn fields(response: &Resp) -> Vec<String> {
    let problem = response.problem(422);
    problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect()
}

/// The names of the calendars `who` can see, in list order.
pub(crate) async fn calendar_names(who: &Persona<'_>) -> Vec<String> {
    let page = who.get("/api/calendars").await;
    assert_eq!(page.status, 200, "{}", page.body);
    page.json()["items"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_string()).collect()
}

/// `who`'s default calendar.
pub(crate) async fn default_calendar(who: &Persona<'_>) -> Value {
    let page = who.get("/api/calendars").await.json();
    page["items"].as_array().unwrap().iter().find(|c| c["is_default"] == true).expect("a default calendar").clone()
}

/// `a` asks `b` to connect and `b` accepts; the connection's id.
/// The id of the accepted connection between two users, by name.
pub(crate) async fn connection_id(app: &TestApp, a: &str, b: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT c.id FROM connections c JOIN users x ON x.username = $1 JOIN users y ON y.username = $2 \
         WHERE c.status = 'accepted' AND ((c.user_low = x.id AND c.user_high = y.id) OR (c.user_low = y.id AND c.user_high = x.id))",
    )
    .bind(a)
    .bind(b)
    .fetch_one(app.db.pool())
    .await
    .unwrap()
}

pub(crate) async fn connect(a: &Persona<'_>, b: &Persona<'_>) -> i64 {
    let sent = a.post("/api/connections", json!({"username": b.username})).await;
    assert_eq!(sent.status, 202, "{}", sent.body);
    let incoming = b.get("/api/connections/requests?direction=incoming").await.json();
    let request = incoming["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["user"]["username"] == a.username.as_str() || r["username"] == a.username.as_str())
        .unwrap_or_else(|| panic!("request from {} arrived: {incoming}", a.username))["id"]
        .as_i64()
        .unwrap();
    let accepted = b.post_empty(&format!("/api/connections/requests/{request}/accept")).await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    request
}

/// Sends `body` (if any) with `method` as the web UI would.
pub(crate) async fn send(who: &Persona<'_>, method: &str, path: &str, body: Option<Value>) -> Resp {
    match (method, body) {
        ("GET", _) => who.get(path).await,
        ("DELETE", _) => who.delete(path).await,
        ("POST", Some(body)) => who.post(path, body).await,
        ("POST", None) => who.post_empty(path).await,
        ("PATCH", Some(body)) => who.patch(path, body).await,
        (method, _) => panic!("no such request {method}"),
    }
}

/// Every calendars route, with a harmless body where it takes one.
fn routes_of(calendar: i64) -> Vec<(&'static str, String, Option<Value>)> {
    vec![
        ("GET", "/api/calendars".into(), None),
        ("POST", "/api/calendars".into(), Some(json!({"name": "x"}))),
        ("GET", format!("/api/calendars/{calendar}"), None),
        ("PATCH", format!("/api/calendars/{calendar}"), Some(json!({"name": "hijacked"}))),
        ("DELETE", format!("/api/calendars/{calendar}"), None),
        ("PATCH", format!("/api/calendars/{calendar}/preferences"), Some(json!({"hidden": true}))),
    ]
}

#[tokio::test]
async fn every_account_has_a_default_calendar_in_its_owners_zone() {
    let app = app().await;
    let alice = app.user("alice").await;
    let page = alice.get("/api/calendars").await.json();
    assert_eq!((page["total"].clone(), page["limit"].clone(), page["offset"].clone()), (json!(1), json!(50), json!(0)));
    let personal = &page["items"][0];
    assert_eq!(personal["name"], "Personal");
    assert_eq!(personal["is_default"], true);
    assert_eq!(personal["access"], "owner");
    assert_eq!(personal["owner"], Value::Null);
    assert_eq!(personal["event_count"], 0);
    assert_eq!(personal["hidden"], false);
    assert_eq!(personal["colour_override"], Value::Null);
    assert_eq!((personal["timezone"].clone(), personal["timezone_follows_owner"].clone()), (json!("UTC"), json!(true)));
    // A calendar without a zone of its own follows its owner's setting as it changes.
    let settings = alice.patch("/api/settings", json!({"timezone": "Europe/Berlin"})).await;
    assert_eq!(settings.status, 200, "{}", settings.body);
    assert_eq!(default_calendar(&alice).await["timezone"], "Europe/Berlin");
    let own = create_calendar(&alice, json!({"name": "Trips", "timezone": "Asia/Tokyo"})).await;
    assert_eq!((own["timezone"].clone(), own["timezone_follows_owner"].clone()), (json!("Asia/Tokyo"), json!(false)));
    // Own calendars come first, the default leading, then by name.
    create_calendar(&alice, json!({"name": "Chores"})).await;
    assert_eq!(calendar_names(&alice).await, ["Personal", "Chores", "Trips"]);
}

#[tokio::test]
async fn a_calendar_is_created_read_changed_and_deleted() {
    let app = app().await;
    let alice = app.user("alice").await;
    let work = create_calendar(
        &alice,
        json!({"name": "  Work  ", "colour": "#aa3300", "description": "Office things", "timezone": "America/New_York"}),
    )
    .await;
    assert_eq!(work["name"], "Work", "outer spaces are trimmed");
    assert_eq!(work["colour"], "#aa3300");
    assert_eq!(work["description"], "Office things");
    assert_eq!(work["is_default"], false);
    assert_eq!(work["access"], "owner");
    assert!(work["created_at"].as_str().unwrap().ends_with('Z'));
    let path = format!("/api/calendars/{}", id(&work));
    assert_eq!(alice.get(&path).await.json(), work);

    let changed = alice.patch(&path, json!({"name": "Job", "colour": "#00AA33", "description": null})).await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    let changed = changed.json();
    assert_eq!((changed["name"].clone(), changed["colour"].clone()), (json!("Job"), json!("#00AA33")));
    assert_eq!(changed["description"], "", "null clears the description");
    assert_eq!(changed["timezone"], "America/New_York", "fields not named are unchanged");
    let follows = alice.patch(&path, json!({"timezone": null})).await.json();
    assert_eq!((follows["timezone"].clone(), follows["timezone_follows_owner"].clone()), (json!("UTC"), json!(true)));

    let deleted = alice.delete(&path).await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    alice.get(&path).await.problem(404);
    alice.delete(&path).await.problem(404);
    assert_eq!(calendar_names(&alice).await, ["Personal"]);
}

#[tokio::test]
async fn bad_input_is_refused_naming_the_field() {
    let app = app().await;
    let alice = app.user("alice").await;
    let response = alice
        .post(
            "/api/calendars",
            json!({"name": " ", "colour": "red", "description": "x".repeat(2001), "timezone": "Mars/Olympus"}),
        )
        .await;
    assert_eq!(fields(&response), ["name", "colour", "description", "timezone"]);
    assert_eq!(fields(&alice.post("/api/calendars", json!({"name": "x".repeat(101)})).await), ["name"]);
    assert_eq!(alice.post("/api/calendars", json!({"name": "x".repeat(100)})).await.status, 201);
    for colour in ["#12345", "#1234567", "123456", "#12345g"] {
        assert_eq!(fields(&alice.post("/api/calendars", json!({"name": "c", "colour": colour})).await), ["colour"]);
    }
    // Server-owned and unknown fields are refused; wrong types are 422; bad JSON 400.
    for field in ["id", "owner_id", "owner", "access", "event_count", "created_at", "sync_seq", "hidden"] {
        let response = alice.post("/api/calendars", json!({"name": "c", field: 1})).await;
        assert_eq!(response.status, 422, "{field}: {}", response.body);
    }
    alice.post("/api/calendars", json!({"name": 5})).await.problem(422);
    let malformed = alice
        .request(
            Method::Post,
            "/api/calendars",
            Some("{\"name\": "),
            &[("X-Requested-With", "XMLHttpRequest"), ("Content-Type", "application/json")],
        )
        .await;
    malformed.problem(400);
    let huge = alice.post("/api/calendars", json!({"name": "c", "description": "x".repeat(70_000)})).await;
    assert_eq!(huge.status, 413);

    let calendar = create_calendar(&alice, json!({"name": "Keep"})).await;
    let path = format!("/api/calendars/{}", id(&calendar));
    let response = alice.patch(&path, json!({"name": null, "colour": null, "is_default": null})).await;
    assert_eq!(fields(&response), ["name", "colour", "is_default"]);
    assert_eq!(fields(&alice.patch(&path, json!({"timezone": "Nowhere/Land"})).await), ["timezone"]);
    alice.patch(&path, json!({"owner_id": 1})).await.problem(422);
    alice.patch(&path, json!({"event_count": 0})).await.problem(422);
    assert_eq!(alice.get(&path).await.json(), calendar, "a refused patch changes nothing");
}

#[tokio::test]
async fn the_default_moves_and_is_never_deleted() {
    let app = app().await;
    let alice = app.user("alice").await;
    let personal = default_calendar(&alice).await;
    let personal_path = format!("/api/calendars/{}", id(&personal));
    let conflict = alice.delete(&personal_path).await;
    conflict.problem(409);
    // Unsetting the default would leave none: another calendar becomes it instead.
    assert_eq!(fields(&alice.patch(&personal_path, json!({"is_default": false})).await), ["is_default"]);

    let work = create_calendar(&alice, json!({"name": "Work"})).await;
    let work_path = format!("/api/calendars/{}", id(&work));
    let moved = alice.patch(&work_path, json!({"is_default": true})).await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(moved.json()["is_default"], true);
    assert_eq!(alice.get(&personal_path).await.json()["is_default"], false);
    assert_eq!(default_calendar(&alice).await["id"], work["id"]);
    // Setting it again changes nothing; the old default may now go, the new one may not.
    assert_eq!(alice.patch(&work_path, json!({"is_default": true})).await.status, 200);
    alice.delete(&work_path).await.problem(409);
    assert_eq!(alice.delete(&personal_path).await.status, 204);
    // A calendar created as the default takes it over.
    let home = create_calendar(&alice, json!({"name": "Home", "is_default": true})).await;
    assert_eq!(home["is_default"], true);
    assert_eq!(alice.get(&work_path).await.json()["is_default"], false);
    let defaults: Vec<bool> = alice.get("/api/calendars").await.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["is_default"].as_bool().unwrap())
        .collect();
    assert_eq!(defaults.iter().filter(|d| **d).count(), 1, "{defaults:?}");
}

#[tokio::test]
async fn preferences_are_the_callers_own() {
    let app = app().await;
    let alice = app.user("alice").await;
    let personal = default_calendar(&alice).await;
    let path = format!("/api/calendars/{}/preferences", id(&personal));
    let hidden = alice.patch(&path, json!({"hidden": true, "colour_override": "#102030"})).await;
    assert_eq!(hidden.status, 200, "{}", hidden.body);
    let hidden = hidden.json();
    assert_eq!((hidden["hidden"].clone(), hidden["colour_override"].clone()), (json!(true), json!("#102030")));
    assert_eq!(hidden["colour"], personal["colour"], "the calendar's own colour is untouched");
    // Absent fields stay; null clears the override.
    let cleared = alice.patch(&path, json!({"colour_override": null})).await.json();
    assert_eq!((cleared["hidden"].clone(), cleared["colour_override"].clone()), (json!(true), Value::Null));
    assert_eq!(alice.get("/api/calendars").await.json()["items"][0]["hidden"], true);
    assert_eq!(fields(&alice.patch(&path, json!({"hidden": null})).await), ["hidden"]);
    assert_eq!(fields(&alice.patch(&path, json!({"colour_override": "blue"})).await), ["colour_override"]);
    alice.patch(&path, json!({"name": "x"})).await.problem(422);
    let shown = alice.patch(&path, json!({"hidden": false})).await.json();
    assert_eq!(shown["hidden"], false);
}

#[tokio::test]
async fn another_users_calendars_are_never_found() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let secret = create_calendar(&alice, json!({"name": "Secret", "description": "Private plans"})).await;
    let personal = default_calendar(&alice).await;
    alice.patch(&format!("/api/calendars/{}/preferences", id(&secret)), json!({"hidden": true})).await;
    let before = alice.get("/api/calendars").await.body;
    for calendar in [id(&secret), id(&personal)] {
        for (method, path, body) in routes_of(calendar) {
            if !path.contains(&format!("/{calendar}")) {
                continue;
            }
            let response = send(&bob, method, &path, body).await;
            response.problem(404);
            assert!(!response.body.contains("Secret") && !response.body.contains("Private"), "{}", response.body);
            assert_eq!(response.body, alice.get("/api/calendars/999999").await.body, "{method} {path}: one 404 body");
        }
    }
    // Even connected, nothing is visible without a share.
    connect(&alice, &bob).await;
    bob.get(&format!("/api/calendars/{}", id(&secret))).await.problem(404);
    assert_eq!(calendar_names(&bob).await, ["Personal"]);
    assert_eq!(alice.get("/api/calendars").await.body, before, "Alice's calendars are unchanged");
}

#[tokio::test]
async fn signed_out_is_401_and_locked_is_423() {
    let app = app().await;
    let alice = app.user("alice").await;
    let calendar = create_calendar(&alice, json!({"name": "c"})).await;
    let routes = routes_of(id(&calendar));
    let anonymous = app.anonymous();
    for (method, path, body) in &routes {
        let response = send(&anonymous, method, path, body.clone()).await;
        assert_eq!(response.status, 401, "{method} {path}: {}", response.body);
    }
    assert_eq!(alice.post_empty("/api/auth/lock").await.status, 204);
    for (method, path, body) in &routes {
        let response = send(&alice, method, path, body.clone()).await;
        assert_eq!(response.status, 423, "{method} {path}: {}", response.body);
    }
}

#[tokio::test]
async fn paging_is_checked() {
    let app = app().await;
    let alice = app.user("alice").await;
    for name in ["b", "c", "d"] {
        create_calendar(&alice, json!({"name": name})).await;
    }
    let page = alice.get("/api/calendars?limit=2&offset=1").await.json();
    assert_eq!(page["total"], 4);
    let names: Vec<&str> = page["items"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["b", "c"]);
    assert_eq!(alice.get("/api/calendars?offset=9").await.json()["items"], json!([]));
    assert_eq!(fields(&alice.get("/api/calendars?limit=0").await), ["limit"]);
    assert_eq!(fields(&alice.get("/api/calendars?offset=x").await), ["offset"]);
}
