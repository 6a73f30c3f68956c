//! Event templates: CRUD with a `Page` list, validation, and `POST /api/events` with
//! `template_id` + `start` (the template fills in, explicit fields win, its calendar is used
//! while the caller may write to it, else the default calendar).

use serde_json::{Value, json};

use crate::events::{add_calendar, connect, default_calendar, fields, id, share};
use crate::harness::app;

#[tokio::test]
async fn templates_are_created_listed_changed_and_deleted() {
    let app = app().await;
    let alice = app.user("alice").await;
    let made = alice
        .post(
            "/api/event-templates",
            json!({"name": "Standup", "title": "Daily standup",
        "duration_minutes": 15, "alerts": [5], "colour": "#00ff00", "location": "Room 1"}),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let template = made.json();
    assert_eq!((template["duration_minutes"].clone(), template["calendar_id"].clone()), (json!(15), Value::Null));
    let plain = alice.post("/api/event-templates", json!({"name": "Another"})).await.json();
    assert_eq!((plain["duration_minutes"].clone(), plain["title"].clone()), (json!(60), json!("")));
    let page = alice.get("/api/event-templates").await.json();
    assert_eq!((page["total"].clone(), page["limit"].clone(), page["offset"].clone()), (json!(2), json!(50), json!(0)));
    assert_eq!(page["items"][0]["name"], "Another", "by name");
    assert_eq!(alice.get("/api/event-templates?limit=1&offset=1").await.json()["items"][0]["name"], "Standup");
    alice.get("/api/event-templates?limit=0").await.problem(422);
    let path = format!("/api/event-templates/{}", id(&template));
    let changed = alice.patch(&path, json!({"duration_minutes": 30, "colour": null})).await.json();
    assert_eq!((changed["duration_minutes"].clone(), changed["colour"].clone()), (json!(30), Value::Null));
    assert_eq!(alice.get(&path).await.json()["title"], "Daily standup");
    assert_eq!(alice.delete(&path).await.status, 204);
    alice.get(&path).await.problem(404);
    assert_eq!(alice.get("/api/event-templates").await.json()["total"], 1);
}

#[tokio::test]
async fn template_bodies_are_checked() {
    let app = app().await;
    let alice = app.user("alice").await;
    let response = alice
        .post(
            "/api/event-templates",
            json!({"name": "", "title": "x".repeat(201), "duration_minutes": 0,
        "alerts": [-1], "colour": "green", "description": "x".repeat(10_001)}),
        )
        .await;
    let named = fields(&response);
    for field in ["name", "title", "duration_minutes", "alerts", "colour", "description"] {
        assert!(named.contains(&field.to_string()), "{field} in {named:?}");
    }
    assert_eq!(fields(&alice.post("/api/event-templates", json!({"name": "x".repeat(101)})).await), ["name"]);
    assert_eq!(
        fields(&alice.post("/api/event-templates", json!({"name": "n", "duration_minutes": 44_641})).await),
        ["duration_minutes"]
    );
    alice.post("/api/event-templates", json!({"name": "n", "owner_id": 1})).await.problem(422);
    alice.post("/api/event-templates", json!({})).await.problem(422);
    let template = alice.post("/api/event-templates", json!({"name": "n"})).await.json();
    let path = format!("/api/event-templates/{}", id(&template));
    assert_eq!(
        fields(&alice.patch(&path, json!({"name": null, "duration_minutes": null})).await),
        ["name", "duration_minutes"]
    );
    alice.patch(&path, json!({"id": 5})).await.problem(422);
    alice.post("/api/event-templates", json!({"name": "n", "calendar_id": 999_999})).await.problem(404);
}

#[tokio::test]
async fn an_event_from_a_template() {
    let app = app().await;
    let alice = app.user("alice").await;
    let work = add_calendar(&app, "alice", "Work", "#222222").await;
    let template = alice
        .post(
            "/api/event-templates",
            json!({"name": "Standup", "title": "Daily standup",
        "duration_minutes": 15, "alerts": [5], "colour": "#00ff00", "location": "Room 1", "calendar_id": work,
        "description": "notes"}),
        )
        .await
        .json();
    let made = alice.post("/api/events", json!({"template_id": id(&template), "start": "2027-01-04T09:00:00Z"})).await;
    assert_eq!(made.status, 201, "{}", made.body);
    let event = made.json();
    assert_eq!(event["title"], "Daily standup");
    assert_eq!(event["end"], "2027-01-04T09:15:00.000Z");
    assert_eq!((event["calendar_id"].clone(), event["colour"].clone()), (json!(work), json!("#00ff00")));
    assert_eq!(
        (event["location"].clone(), event["description"].clone(), event["alerts"].clone()),
        (json!("Room 1"), json!("notes"), json!([5]))
    );
    // Explicit fields win.
    let home = default_calendar(&app, "alice").await;
    let event = alice
        .post(
            "/api/events",
            json!({"template_id": id(&template), "start": "2027-01-05T09:00:00Z",
        "end": "2027-01-05T11:00:00Z", "title": "Long standup", "calendar_id": home, "alerts": []}),
        )
        .await
        .json();
    assert_eq!(
        (event["title"].clone(), event["end"].clone()),
        (json!("Long standup"), json!("2027-01-05T11:00:00.000Z"))
    );
    assert_eq!((event["calendar_id"].clone(), event["alerts"].clone()), (json!(home), json!([])));
    // A template needs a start; one without a title needs a title from the body.
    assert_eq!(fields(&alice.post("/api/events", json!({"template_id": id(&template)})).await), ["start"]);
    let untitled = alice.post("/api/event-templates", json!({"name": "Blank"})).await.json();
    assert_eq!(
        fields(
            &alice.post("/api/events", json!({"template_id": id(&untitled), "start": "2027-01-05T09:00:00Z"})).await
        ),
        ["title"]
    );

    // A template on a calendar the user may no longer write to falls back to the default one.
    let bob = app.user("bob").await;
    connect(&alice, &bob).await;
    share(&app, work, "bob", "write").await;
    let bobs = bob
        .post("/api/event-templates", json!({"name": "Alice's work", "title": "Sync", "calendar_id": work}))
        .await
        .json();
    let event =
        bob.post("/api/events", json!({"template_id": id(&bobs), "start": "2027-01-06T09:00:00Z"})).await.json();
    assert_eq!(event["calendar_id"], work);
    sqlx::query("UPDATE calendar_shares SET level = 'read'").execute(app.db.pool()).await.unwrap();
    let event =
        bob.post("/api/events", json!({"template_id": id(&bobs), "start": "2027-01-07T09:00:00Z"})).await.json();
    assert_eq!(event["calendar_id"], default_calendar(&app, "bob").await);
    assert_eq!(event["end"], "2027-01-07T10:00:00.000Z", "60 minutes by default");
}
