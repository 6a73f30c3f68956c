//! `/api/locations`: CRUD, search and paging, the field rules (coordinates in pairs and in
//! range), unlinking people on delete, and the 404 matrix against a second user.

use rocket::http::Method;
use serde_json::{Value, json};

use crate::harness::{Persona, app};

async fn create(user: &Persona<'_>, body: Value) -> Value {
    let response = user.post("/api/locations", body).await;
    assert_eq!(response.status, 201, "{}", response.body);
    response.json()
}

fn fields_of(problem: &Value) -> Vec<String> {
    problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn locations_are_created_listed_searched_changed_and_deleted() {
    let app = app().await;
    let alice = app.user("alice").await;
    let home = create(
        &alice,
        json!({"name": " Home ", "address": "1 Main Street\nSpringfield", "latitude": 51.5, "longitude": -0.12,
               "category": "home", "notes": "the blue door"}),
    )
    .await;
    assert_eq!(home["name"], "Home");
    assert_eq!(home["latitude"], 51.5);
    assert_eq!(home["people_count"], 0);
    assert!(home["created_at"].as_str().unwrap().ends_with('Z'));
    let id = home["id"].as_i64().unwrap();
    create(&alice, json!({"name": "office"})).await;
    create(&alice, json!({"name": "Beach hut", "address": "Seafront, SPRINGFIELD"})).await;

    let all = alice.get("/api/locations").await.json();
    assert_eq!(all["total"], 3);
    let names: Vec<&str> = all["items"].as_array().unwrap().iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Beach hut", "Home", "office"], "ordered by name, case-insensitively");
    let found = alice.get("/api/locations?q=springfield").await.json();
    assert_eq!(found["total"], 2, "q matches the address, case-insensitively");
    let page = alice.get("/api/locations?limit=1&offset=1").await.json();
    assert_eq!((page["total"].clone(), page["items"][0]["name"].clone()), (json!(3), json!("Home")));
    assert_eq!(alice.get("/api/locations?q=100%25").await.json()["total"], 0, "% is literal");
    create(&alice, json!({"name": "Équipe", "address": "RUE DE L'ÉGLISE"})).await;
    assert_eq!(alice.get("/api/locations?q=%C3%A9glise").await.json()["total"], 1, "case-insensitive beyond ASCII");
    assert_eq!(
        alice
            .delete(&format!(
                "/api/locations/{}",
                alice.get("/api/locations?q=%C3%A9quipe").await.json()["items"][0]["id"]
            ))
            .await
            .status,
        204
    );
    alice.get("/api/locations?limit=501").await.problem(422);
    alice.get(&format!("/api/locations?q={}", "x".repeat(201))).await.problem(422);

    let changed = alice.patch(&format!("/api/locations/{id}"), json!({"notes": null, "latitude": 40.0})).await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    let changed = changed.json();
    assert_eq!((changed["notes"].clone(), changed["latitude"].clone()), (json!(""), json!(40.0)));
    assert_eq!(changed["address"], "1 Main Street\nSpringfield", "absent fields stay");
    let cleared =
        alice.patch(&format!("/api/locations/{id}"), json!({"latitude": null, "longitude": null})).await.json();
    assert_eq!((cleared["latitude"].clone(), cleared["longitude"].clone()), (Value::Null, Value::Null));

    assert_eq!(alice.delete(&format!("/api/locations/{id}")).await.status, 204);
    alice.get(&format!("/api/locations/{id}")).await.problem(404);
    alice.delete(&format!("/api/locations/{id}")).await.problem(404);
}

#[tokio::test]
async fn fields_are_checked_all_at_once() {
    let app = app().await;
    let alice = app.user("alice").await;
    let problem = alice
        .post(
            "/api/locations",
            json!({"name": "  ", "address": "x".repeat(1001), "latitude": 91.0, "longitude": -180.5,
                   "category": "c".repeat(61), "notes": "n".repeat(10_001)}),
        )
        .await
        .problem(422);
    let mut fields = fields_of(&problem);
    fields.sort();
    assert_eq!(fields, ["address", "category", "latitude", "longitude", "name", "notes"]);
    let lonely = alice.post("/api/locations", json!({"name": "x", "latitude": 10.0})).await.problem(422);
    assert_eq!(fields_of(&lonely), ["longitude"], "both coordinates or neither");
    let lonely = alice.post("/api/locations", json!({"name": "x", "longitude": 10.0})).await.problem(422);
    assert_eq!(fields_of(&lonely), ["latitude"]);
    assert_eq!(
        alice.post("/api/locations", json!({"name": "edge", "latitude": -90, "longitude": 180})).await.status,
        201
    );
    assert_eq!(alice.post("/api/locations", json!({"name": "n".repeat(200)})).await.status, 201);
    alice.post("/api/locations", json!({"name": "n".repeat(201)})).await.problem(422);

    let id = create(&alice, json!({"name": "Home"})).await["id"].as_i64().unwrap();
    let path = format!("/api/locations/{id}");
    assert_eq!(fields_of(&alice.patch(&path, json!({"latitude": 1.0})).await.problem(422)), ["longitude"]);
    assert_eq!(fields_of(&alice.patch(&path, json!({"name": null})).await.problem(422)), ["name"]);
    // Server-owned and unknown fields, wrong types, malformed JSON.
    for body in
        [json!({"name": "x", "id": 5}), json!({"name": "x", "people_count": 3}), json!({"name": "x", "colour": "red"})]
    {
        alice.post("/api/locations", body).await.problem(422);
    }
    alice.patch(&path, json!({"created_at": "2020-01-01T00:00:00Z"})).await.problem(422);
    alice.post("/api/locations", json!({"name": 5})).await.problem(422);
    alice.post("/api/locations", json!({"name": "x", "latitude": "north"})).await.problem(422);
    let malformed = alice
        .request(
            Method::Post,
            "/api/locations",
            Some("{\"name\": "),
            &[("X-Requested-With", "XMLHttpRequest"), ("Content-Type", "application/json")],
        )
        .await;
    malformed.problem(400);
    let not_an_id = alice.get("/api/locations/abc").await;
    assert!([404, 422].contains(&not_an_id.status), "a non-id is a problem, never a 500: {}", not_an_id.status);
    assert_eq!(alice.get(&path).await.json()["name"], "Home", "unchanged by the refused patches");
}

#[tokio::test]
async fn deleting_a_location_unlinks_its_people() {
    let app = app().await;
    let alice = app.user("alice").await;
    let id = create(&alice, json!({"name": "Home"})).await["id"].as_i64().unwrap();
    let person = alice.post("/api/people", json!({"name": "Ann", "location_id": id})).await;
    assert_eq!(person.status, 201, "{}", person.body);
    let person = person.json();
    assert_eq!(person["location_name"], "Home");
    assert_eq!(alice.get(&format!("/api/locations/{id}")).await.json()["people_count"], 1);
    assert_eq!(alice.get("/api/locations").await.json()["items"][0]["people_count"], 1);

    // A patch unlinks and relinks.
    let person_path = format!("/api/people/{}", person["id"]);
    let unlinked = alice.patch(&person_path, json!({"location_id": null})).await.json();
    assert_eq!((unlinked["location_id"].clone(), unlinked["location_name"].clone()), (Value::Null, Value::Null));
    assert_eq!(alice.patch(&person_path, json!({"location_id": id})).await.json()["location_id"], id);

    assert_eq!(alice.delete(&format!("/api/locations/{id}")).await.status, 204);
    let after = alice.get(&format!("/api/people/{}", person["id"])).await.json();
    assert_eq!((after["location_id"].clone(), after["name"].clone()), (Value::Null, json!("Ann")));
}

#[tokio::test]
async fn another_users_locations_are_404_everywhere() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let home = create(&alice, json!({"name": "Home", "latitude": 1.0, "longitude": 2.0})).await;
    let id = home["id"].as_i64().unwrap();
    let path = format!("/api/locations/{id}");

    bob.get(&path).await.problem(404);
    bob.patch(&path, json!({"name": "mine now"})).await.problem(404);
    bob.delete(&path).await.problem(404);
    assert_eq!(bob.get("/api/locations").await.json()["total"], 0);
    // A foreign location named in a person body.
    bob.post("/api/people", json!({"name": "Bo", "location_id": id})).await.problem(404);
    let own = bob.post("/api/people", json!({"name": "Bo"})).await.json();
    bob.patch(&format!("/api/people/{}", own["id"]), json!({"location_id": id})).await.problem(404);
    bob.post("/api/people", json!({"name": "Bo", "location_id": 999_999})).await.problem(404);

    let after = alice.get(&path).await.json();
    assert_eq!(after["name"], "Home");
    assert_eq!(after["updated_at"], home["updated_at"]);
    assert_eq!(after["people_count"], 0);
}

#[tokio::test]
async fn signed_out_is_401_and_locked_is_423() {
    let app = app().await;
    let alice = app.user("alice").await;
    let id = create(&alice, json!({"name": "Home"})).await["id"].as_i64().unwrap();
    let path = format!("/api/locations/{id}");
    let anonymous = app.anonymous();
    anonymous.get("/api/locations").await.problem(401);
    anonymous.post("/api/locations", json!({"name": "x"})).await.problem(401);
    anonymous.get(&path).await.problem(401);
    anonymous.patch(&path, json!({"name": "x"})).await.problem(401);
    anonymous.delete(&path).await.problem(401);

    assert_eq!(alice.post_empty("/api/auth/lock").await.status, 204);
    alice.get("/api/locations").await.problem(423);
    alice.post("/api/locations", json!({"name": "x"})).await.problem(423);
    alice.get(&path).await.problem(423);
    alice.patch(&path, json!({"name": "x"})).await.problem(423);
    alice.delete(&path).await.problem(423);
}
