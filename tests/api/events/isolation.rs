//! The 404 matrix: Bob gets 404 on every events and templates route with Alice's ids, and on
//! Alice's ids inside his own bodies (calendar_id, location_id, template_id); her range read
//! never reaches him; Alice's data is unchanged afterwards.

use serde_json::{Value, json};

use super::{create, default_calendar, id, range, timed};
use crate::harness::{Persona, Resp, app};

/// Every events and templates route, with a harmless body where it takes one.
pub(crate) fn routes_of(event: i64, template: i64) -> Vec<(&'static str, String, Option<Value>)> {
    vec![
        ("GET", "/api/events?start=2027-01-01T00:00:00Z&end=2027-02-01T00:00:00Z".into(), None),
        ("POST", "/api/events".into(), Some(timed("x", "2027-01-01T09:00:00Z", "2027-01-01T10:00:00Z"))),
        ("GET", format!("/api/events/{event}"), None),
        ("PATCH", format!("/api/events/{event}"), Some(json!({"title": "hijacked"}))),
        ("PATCH", format!("/api/events/{event}?scope=all"), Some(json!({"title": "hijacked"}))),
        (
            "PATCH",
            format!("/api/events/{event}?scope=this&recurrence_id=2027-01-05T09:00:00Z"),
            Some(json!({"title": "hijacked"})),
        ),
        ("DELETE", format!("/api/events/{event}"), None),
        ("DELETE", format!("/api/events/{event}?scope=this&recurrence_id=2027-01-05T09:00:00Z"), None),
        ("DELETE", format!("/api/events/{event}?scope=following&recurrence_id=2027-01-05T09:00:00Z"), None),
        ("GET", "/api/event-templates".into(), None),
        ("POST", "/api/event-templates".into(), Some(json!({"name": "x"}))),
        ("GET", format!("/api/event-templates/{template}"), None),
        ("PATCH", format!("/api/event-templates/{template}"), Some(json!({"name": "hijacked"}))),
        ("DELETE", format!("/api/event-templates/{template}"), None),
    ]
}

pub(crate) async fn send(user: &Persona<'_>, method: &str, path: &str, body: Option<Value>) -> Resp {
    match (method, body) {
        ("GET", _) => user.get(path).await,
        ("DELETE", _) => user.delete(path).await,
        ("POST", Some(body)) => user.post(path, body).await,
        ("POST", None) => user.post_empty(path).await,
        ("PATCH", Some(body)) => user.patch(path, body).await,
        (method, _) => panic!("no such request {method}"),
    }
}

#[tokio::test]
async fn another_users_ids_are_never_found() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let mut body = timed("Secret", "2027-01-04T09:00:00Z", "2027-01-04T10:00:00Z");
    body["recurrence"] = json!("FREQ=DAILY;COUNT=5");
    let event = create(&alice, body).await;
    alice
        .patch(
            &format!("/api/events/{}?scope=this&recurrence_id=2027-01-06T09:00:00Z", id(&event)),
            json!({"title": "Secret 2"}),
        )
        .await;
    let calendar = default_calendar(&app, "alice").await;
    let location = alice.post("/api/locations", json!({"name": "Hideout"})).await.json();
    let template = alice
        .post("/api/event-templates", json!({"name": "Private", "title": "Secret", "calendar_id": calendar}))
        .await
        .json();
    let event_before = alice.get(&format!("/api/events/{}", id(&event))).await.body;
    let template_before = alice.get(&format!("/api/event-templates/{}", id(&template))).await.body;

    for (method, path, body) in routes_of(id(&event), id(&template)) {
        let names_alices = path.contains(&format!("/{}", id(&event))) || path.contains(&format!("/{}", id(&template)));
        if !names_alices {
            continue;
        }
        let response = send(&bob, method, &path, body).await;
        response.problem(404);
        assert!(!response.body.contains("Secret") && !response.body.contains("Private"), "{}", response.body);
    }
    // Alice's ids inside Bob's bodies and queries.
    let mine = create(&bob, timed("Bob's", "2027-01-04T09:00:00Z", "2027-01-04T10:00:00Z")).await;
    let with = |field: &str, value: i64| {
        let mut body = timed("x", "2027-01-04T09:00:00Z", "2027-01-04T10:00:00Z");
        body[field] = json!(value);
        body
    };
    bob.post("/api/events", with("calendar_id", calendar)).await.problem(404);
    bob.post("/api/events", with("location_id", id(&location))).await.problem(404);
    bob.post("/api/events", with("template_id", id(&template))).await.problem(404);
    let mine_path = format!("/api/events/{}", id(&mine));
    bob.patch(&mine_path, json!({"calendar_id": calendar})).await.problem(404);
    bob.patch(&mine_path, json!({"location_id": id(&location)})).await.problem(404);
    bob.post("/api/event-templates", json!({"name": "x", "calendar_id": calendar})).await.problem(404);
    let my_template = bob.post("/api/event-templates", json!({"name": "mine"})).await.json();
    bob.patch(&format!("/api/event-templates/{}", id(&my_template)), json!({"calendar_id": calendar}))
        .await
        .problem(404);
    bob.get(&format!("/api/events?start=2027-01-01T00:00:00Z&end=2027-02-01T00:00:00Z&calendar_id={calendar}"))
        .await
        .problem(404);
    // Bob's range read holds only his own event.
    let items = range(&bob, "2027-01-01T00:00:00Z", "2027-02-01T00:00:00Z").await;
    assert_eq!(items.iter().map(|i| i["event_id"].clone()).collect::<Vec<_>>(), [json!(id(&mine))]);
    // His own references still work for him.
    let my_location = bob.post("/api/locations", json!({"name": "Home"})).await.json();
    assert_eq!(bob.patch(&mine_path, json!({"location_id": id(&my_location)})).await.status, 200);

    assert_eq!(alice.get(&format!("/api/events/{}", id(&event))).await.body, event_before);
    assert_eq!(alice.get(&format!("/api/event-templates/{}", id(&template))).await.body, template_before);
    assert_eq!(range(&alice, "2027-01-01T00:00:00Z", "2027-02-01T00:00:00Z").await.len(), 5);
}
