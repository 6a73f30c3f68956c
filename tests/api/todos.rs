//! The todos API: CRUD, validation, completion and recurrence, filters and sorts, categories,
//! manual order, and the 404 matrix (another user's ids are never found).

use serde_json::{Value, json};

use crate::harness::{Persona, TestApp, app};

mod categories;
mod isolation;
mod listing;
mod recurrence;

/// Moves the app's clock to `rfc3339` (to the minute).
pub(super) fn set_clock(app: &TestApp, rfc3339: &str) {
    let target = chrono::DateTime::parse_from_rfc3339(rfc3339).unwrap().timestamp_millis();
    app.clock.advance_minutes((target - app.clock.now_millis()) / 60_000);
}

/// The app's clock as the API writes it.
pub(super) fn now_text(app: &TestApp) -> String {
    umbra::domain::time::UtcMillis(app.clock.now_millis()).to_rfc3339()
}

/// Creates a todo and returns it.
pub(super) async fn create(user: &Persona<'_>, body: Value) -> Value {
    let response = user.post("/api/todos", body).await;
    assert_eq!(response.status, 201, "{}", response.body);
    response.json()
}

pub(super) fn id(value: &Value) -> i64 {
    value["id"].as_i64().unwrap()
}

/// The fields a 422 names.
pub(super) fn fields(response: &crate::harness::Resp) -> Vec<String> {
    let problem = response.problem(422);
    problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect()
}

pub(super) fn titles(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn a_todo_is_created_read_changed_and_deleted() {
    let app = app().await;
    let alice = app.user("alice").await;
    let todo = create(&alice, json!({"title": "Water the plants"})).await;
    assert_eq!(todo["priority"], "none");
    assert_eq!(todo["completed"], false);
    assert_eq!(todo["completed_at"], Value::Null);
    assert_eq!(todo["timezone"], "UTC");
    assert_eq!(todo["recur_from"], "due");
    assert_eq!(todo["checklist"], json!([]));
    assert_eq!(todo["notes"], "");
    assert!(todo["created_at"].as_str().unwrap().ends_with('Z'));
    let path = format!("/api/todos/{}", id(&todo));
    assert_eq!(alice.get(&path).await.json()["title"], "Water the plants");

    let full = create(
        &alice,
        json!({"title": "  Spaced  ", "notes": "n", "priority": "high", "due_at": "2027-05-01T10:00:00+02:00",
               "timezone": "Europe/Berlin", "checklist": [{"text": "a", "done": true}, {"text": "b"}]}),
    )
    .await;
    assert_eq!(full["title"], "  Spaced  ", "text is stored as typed");
    assert_eq!(full["due_at"], "2027-05-01T08:00:00.000Z");
    assert_eq!(full["checklist"], json!([{"text": "a", "done": true}, {"text": "b", "done": false}]));
    assert!(full["position"].as_i64() > todo["position"].as_i64(), "new todos go to the end");

    let changed =
        alice.patch(&path, json!({"notes": "twice a week", "priority": "low", "due_date": "2027-06-01"})).await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    let changed = changed.json();
    assert_eq!((changed["notes"].clone(), changed["priority"].clone()), (json!("twice a week"), json!("low")));
    assert_eq!(changed["title"], "Water the plants", "absent fields are unchanged");
    assert_eq!(changed["due_date"], "2027-06-01");
    let cleared = alice.patch(&path, json!({"due_date": null, "notes": null})).await.json();
    assert_eq!((cleared["due_date"].clone(), cleared["notes"].clone()), (Value::Null, json!("")));

    assert_eq!(alice.delete(&path).await.status, 204);
    alice.get(&path).await.problem(404);
    alice.delete(&path).await.problem(404);
}

#[tokio::test]
async fn bodies_are_checked_and_every_field_error_is_reported() {
    let app = app().await;
    let alice = app.user("alice").await;
    let many: Vec<Value> = (0..101).map(|i| json!({"text": format!("item {i}")})).collect();
    let response = alice
        .post(
            "/api/todos",
            json!({"title": " ", "notes": "x".repeat(10_001), "checklist": many, "due_date": "2027-02-30",
                   "timezone": "Mars/Olympus", "recurrence": "FREQ=WEEKLY;BYDAY=XX"}),
        )
        .await;
    let named = fields(&response);
    for field in ["title", "notes", "checklist", "due_date", "timezone", "recurrence"] {
        assert!(named.contains(&field.to_string()), "{field} missing in {named:?}");
    }
    let response = alice.post("/api/todos", json!({"title": "x".repeat(501)})).await;
    assert_eq!(fields(&response), ["title"]);
    assert_eq!(alice.post("/api/todos", json!({"title": "x".repeat(500)})).await.status, 201);
    let response = alice.post("/api/todos", json!({"title": "t", "checklist": [{"text": ""}]})).await;
    assert_eq!(fields(&response), ["checklist[0].text"]);

    // The recurrence error names the RRULE part at fault.
    let response = alice
        .post("/api/todos", json!({"title": "t", "due_date": "2027-01-01", "recurrence": "FREQ=WEEKLY;BYDAY=XX"}))
        .await;
    let problem = response.problem(422);
    assert_eq!(problem["errors"][0]["field"], "recurrence");
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("BYDAY"), "{problem}");
    let response =
        alice.post("/api/todos", json!({"title": "t", "due_date": "2027-01-01", "recurrence": "FREQ=HOURLY"})).await;
    assert!(response.problem(422)["errors"][0]["message"].as_str().unwrap().contains("FREQ"));
    // A repeating todo needs a due date or time.
    let response = alice.post("/api/todos", json!({"title": "t", "recurrence": "FREQ=DAILY"})).await;
    assert_eq!(fields(&response), ["recurrence"]);
    // Not both a due date and a due time.
    let response = alice
        .post("/api/todos", json!({"title": "t", "due_date": "2027-01-01", "due_at": "2027-01-01T09:00:00Z"}))
        .await;
    assert_eq!(fields(&response), ["due_date", "due_at"]);
    let response = alice.post("/api/todos", json!({"title": "t", "due_at": "tomorrow"})).await;
    assert_eq!(fields(&response), ["due_at"]);

    // Unknown and server-owned fields are refused, wrong types are 422, bad JSON 400.
    for field in ["id", "user_id", "completed_at", "created_at", "updated_at", "position", "colour"] {
        let response = alice.post("/api/todos", json!({"title": "t", field: 1})).await;
        assert_eq!(response.status, 422, "{field}: {}", response.body);
    }
    alice.post("/api/todos", json!({"title": 5})).await.problem(422);
    alice.post("/api/todos", json!({"title": "t", "priority": "urgent"})).await.problem(422);
    alice.post("/api/todos", json!({"title": "t", "checklist": [{"text": "a", "extra": 1}]})).await.problem(422);
    let malformed = alice
        .request(
            rocket::http::Method::Post,
            "/api/todos",
            Some("{\"title\": "),
            &[("X-Requested-With", "XMLHttpRequest"), ("Content-Type", "application/json")],
        )
        .await;
    malformed.problem(400);
    let huge = alice.post("/api/todos", json!({"title": "t", "notes": "x".repeat(70_000)})).await;
    assert_eq!(huge.status, 413);

    // PATCH: the same checks, nulls for required fields refused.
    let todo = create(&alice, json!({"title": "t"})).await;
    let path = format!("/api/todos/{}", id(&todo));
    let response =
        alice.patch(&path, json!({"title": null, "priority": null, "completed": null, "checklist": null})).await;
    assert_eq!(fields(&response), ["title", "priority", "checklist", "completed"]);
    alice.patch(&path, json!({"created_at": "2027-01-01T00:00:00Z"})).await.problem(422);
    alice.patch(&path, json!({"completed_at": null})).await.problem(422);
    assert_eq!(alice.get(&path).await.json()["title"], "t", "a refused patch changes nothing");
    assert_eq!(alice.get("/api/todos").await.json()["total"], 2);
}

#[tokio::test]
async fn a_due_date_and_a_due_time_exclude_each_other_in_a_patch() {
    let app = app().await;
    let alice = app.user("alice").await;
    let todo = create(&alice, json!({"title": "t", "due_date": "2027-01-10"})).await;
    let path = format!("/api/todos/{}", id(&todo));
    let response = alice.patch(&path, json!({"due_at": "2027-01-10T09:00:00Z"})).await;
    assert_eq!(fields(&response), ["due_date", "due_at"]);
    let moved = alice.patch(&path, json!({"due_at": "2027-01-10T09:00:00Z", "due_date": null})).await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(moved.json()["due_at"], "2027-01-10T09:00:00.000Z");
    assert_eq!(moved.json()["due_date"], Value::Null);
    let response = alice.patch(&path, json!({"due_date": "2027-01-11"})).await;
    assert_eq!(fields(&response), ["due_date", "due_at"]);
    // Removing the due time of a repeating todo is refused: it needs one.
    alice.patch(&path, json!({"recurrence": "FREQ=DAILY"})).await;
    let response = alice.patch(&path, json!({"due_at": null})).await;
    assert_eq!(fields(&response), ["recurrence"]);
}

#[tokio::test]
async fn completing_a_plain_todo_and_undoing_it() {
    let app = app().await;
    set_clock(&app, "2027-04-01T12:00:00Z");
    let alice = app.user("alice").await;
    let todo = create(&alice, json!({"title": "Call mum"})).await;
    let path = format!("/api/todos/{}", id(&todo));
    let done = alice.patch(&path, json!({"completed": true})).await.json();
    assert_eq!(done["completed"], true);
    let done_at = now_text(&app);
    assert!(done_at.starts_with("2027-04-01T1"), "{done_at}");
    assert_eq!(done["completed_at"], done_at.as_str());
    assert_eq!(alice.get("/api/todos").await.json()["total"], 0, "completed todos leave the open list");
    assert_eq!(titles(&alice.get("/api/todos?status=completed").await.json()), ["Call mum"]);
    // Completing again keeps the first completion time.
    app.clock.advance_minutes(10);
    assert_eq!(alice.patch(&path, json!({"completed": true})).await.json()["completed_at"], done_at.as_str());
    let undone = alice.patch(&path, json!({"completed": false})).await.json();
    assert_eq!((undone["completed"].clone(), undone["completed_at"].clone()), (json!(false), Value::Null));
    // The convenience action does the same as the PATCH.
    let done = alice.post_empty(&format!("{path}/complete")).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(done.json()["completed"], true);
    // A plain todo keeps no history.
    assert_eq!(alice.get(&format!("{path}/completions")).await.json()["total"], 0);
    // Created done: done at once.
    let born_done = create(&alice, json!({"title": "Old", "completed": true})).await;
    assert_eq!(born_done["completed_at"], now_text(&app).as_str());
}

#[tokio::test]
async fn signed_out_is_401_and_locked_is_423() {
    let app = app().await;
    let alice = app.user("alice").await;
    let todo = create(&alice, json!({"title": "t"})).await;
    let category = alice.post("/api/todos/categories", json!({"name": "c"})).await.json();
    let routes = routes_of(id(&todo), id(&category));
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

/// Every todos route, with a harmless body where it takes one.
pub(super) fn routes_of(todo: i64, category: i64) -> Vec<(&'static str, String, Option<Value>)> {
    vec![
        ("GET", "/api/todos".into(), None),
        ("POST", "/api/todos".into(), Some(json!({"title": "x"}))),
        ("GET", format!("/api/todos/{todo}"), None),
        ("PATCH", format!("/api/todos/{todo}"), Some(json!({"title": "hijacked"}))),
        ("DELETE", format!("/api/todos/{todo}"), None),
        ("POST", format!("/api/todos/{todo}/complete"), None),
        ("GET", format!("/api/todos/{todo}/completions"), None),
        ("POST", "/api/todos/reorder".into(), Some(json!({"ids": [todo]}))),
        ("GET", "/api/todos/categories".into(), None),
        ("POST", "/api/todos/categories".into(), Some(json!({"name": "new"}))),
        ("PATCH", format!("/api/todos/categories/{category}"), Some(json!({"name": "hijacked"}))),
        ("DELETE", format!("/api/todos/categories/{category}"), None),
    ]
}

pub(super) async fn send(user: &Persona<'_>, method: &str, path: &str, body: Option<Value>) -> crate::harness::Resp {
    match (method, body) {
        ("GET", _) => user.get(path).await,
        ("DELETE", _) => user.delete(path).await,
        ("POST", Some(body)) => user.post(path, body).await,
        ("POST", None) => user.post_empty(path).await,
        ("PATCH", Some(body)) => user.patch(path, body).await,
        (method, _) => panic!("no such request {method}"),
    }
}

/// Creating and changing one user's todos at the same time never fails: on PostgreSQL an
/// insert locked the user's row `FOR UPDATE` while an update's change-log row needed a key
/// share of it, so the two deadlocked and one answered 503.
#[tokio::test]
async fn concurrent_creates_and_updates_of_one_users_todos_all_succeed() {
    let app = app().await;
    let alice = app.user("alice").await;
    let existing: Vec<i64> = {
        let mut ids = Vec::new();
        for n in 0..8 {
            ids.push(id(&create(&alice, json!({"title": format!("todo {n}")})).await));
        }
        ids
    };
    let paths: Vec<String> = existing.iter().map(|todo| format!("/api/todos/{todo}")).collect();
    for round in 0..3 {
        let creates = (0..8).map(|n| alice.post("/api/todos", json!({"title": format!("new {round}.{n}")})));
        let updates = paths.iter().map(|path| alice.patch(path, json!({"title": format!("r{round}")})));
        let (made, changed) = tokio::join!(futures::future::join_all(creates), futures::future::join_all(updates));
        for answer in made.iter().chain(&changed) {
            assert!(answer.status < 300, "{} {}", answer.status, answer.body);
        }
    }
}
