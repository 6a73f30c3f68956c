//! Todo categories: unique names per user regardless of case, `#RRGGBB` colours, and
//! deleting one leaves its todos uncategorised.

use serde_json::{Value, json};

use super::{create, fields, id};
use crate::harness::app;

#[tokio::test]
async fn categories_are_named_coloured_renamed_and_deleted() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let work = alice.post("/api/todos/categories", json!({"name": "Work", "colour": "#3366FF"})).await;
    assert_eq!(work.status, 201, "{}", work.body);
    let work = work.json();
    assert_eq!((work["name"].clone(), work["colour"].clone()), (json!("Work"), json!("#3366FF")));
    let home = alice.post("/api/todos/categories", json!({"name": "home"})).await.json();
    assert!(home["colour"].as_str().unwrap().starts_with('#'), "a default colour");

    // Unique per user, case-insensitively: 409 naming the field. Bob may use the name.
    let taken = alice.post("/api/todos/categories", json!({"name": "WORK"})).await.problem(409);
    assert_eq!(taken["errors"][0]["field"], "name");
    assert_eq!(bob.post("/api/todos/categories", json!({"name": "Work"})).await.status, 201);
    let renamed = alice.patch(&format!("/api/todos/categories/{}", id(&home)), json!({"name": "work"})).await;
    assert_eq!(renamed.problem(409)["errors"][0]["field"], "name");

    let response = alice.post("/api/todos/categories", json!({"name": "", "colour": "blue"})).await;
    assert_eq!(fields(&response), ["name", "colour"]);
    let response = alice.post("/api/todos/categories", json!({"name": "x".repeat(61)})).await;
    assert_eq!(fields(&response), ["name"]);
    alice.post("/api/todos/categories", json!({"name": "x", "id": 3})).await.problem(422);
    alice.post("/api/todos/categories", json!({"name": "x", "created_at": "2027-01-01T00:00:00Z"})).await.problem(422);
    let response =
        alice.patch(&format!("/api/todos/categories/{}", id(&home)), json!({"name": null, "colour": "#12345"})).await;
    assert_eq!(fields(&response), ["name", "colour"]);

    let path = format!("/api/todos/categories/{}", id(&home));
    let changed = alice.patch(&path, json!({"name": "Home & garden", "colour": "#00aa00"})).await.json();
    assert_eq!((changed["name"].clone(), changed["colour"].clone()), (json!("Home & garden"), json!("#00aa00")));
    let recoloured = alice.patch(&path, json!({"colour": "#112233"})).await.json();
    assert_eq!(recoloured["name"], "Home & garden");
    let list = alice.get("/api/todos/categories").await.json();
    assert_eq!(list["total"], 2);
    assert_eq!(list["items"][0]["name"], "Home & garden", "sorted by name");

    // Deleting a category leaves its todos uncategorised.
    let todo = create(&alice, json!({"title": "Mow", "category_id": id(&home)})).await;
    assert_eq!(todo["category_id"], home["id"]);
    assert_eq!(alice.delete(&path).await.status, 204);
    let todo = alice.get(&format!("/api/todos/{}", id(&todo))).await.json();
    assert_eq!(todo["category_id"], Value::Null);
    alice.delete(&path).await.problem(404);
    alice.patch(&path, json!({"colour": "#000000"})).await.problem(404);
    // A deleted category cannot be assigned.
    alice.post("/api/todos", json!({"title": "t", "category_id": id(&home)})).await.problem(404);
}
