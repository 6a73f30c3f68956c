//! The 404 matrix: Bob gets 404 on every route with Alice's ids, and on Alice's ids inside
//! his own bodies; Alice's data is unchanged afterwards.

use serde_json::json;

use super::{create, id, routes_of, send};
use crate::harness::app;

#[tokio::test]
async fn another_users_ids_are_never_found() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let category = alice.post("/api/todos/categories", json!({"name": "Private", "colour": "#aa0000"})).await.json();
    let todo = create(
        &alice,
        json!({"title": "Secret", "category_id": id(&category), "due_date": "2027-01-01", "recurrence": "FREQ=DAILY"}),
    )
    .await;
    alice.post_empty(&format!("/api/todos/{}/complete", id(&todo))).await;
    let todo_before = alice.get(&format!("/api/todos/{}", id(&todo))).await.body;
    let categories_before = alice.get("/api/todos/categories").await.body;
    let completions_before = alice.get(&format!("/api/todos/{}/completions", id(&todo))).await.body;

    let mine = id(&create(&bob, json!({"title": "Bob's own"})).await);
    let my_category = bob.post("/api/todos/categories", json!({"name": "Mine"})).await.json();
    for (method, path, body) in routes_of(id(&todo), id(&category)) {
        // The collection routes are Bob's own; only the ones naming Alice's ids must 404.
        let names_alices = path.contains(&format!("/{}", id(&todo))) || path.contains(&format!("/{}", id(&category)));
        let reorder = path.ends_with("/reorder");
        if !names_alices && !reorder {
            continue;
        }
        let response = send(&bob, method, &path, body).await;
        response.problem(404);
        assert!(!response.body.contains("Secret") && !response.body.contains("Private"), "{}", response.body);
    }
    // Alice's ids inside Bob's bodies.
    bob.post("/api/todos", json!({"title": "x", "category_id": id(&category)})).await.problem(404);
    bob.patch(&format!("/api/todos/{mine}"), json!({"category_id": id(&category)})).await.problem(404);
    bob.post("/api/todos/reorder", json!({"ids": [mine, id(&todo)]})).await.problem(404);
    // And Bob's own objects still work for him.
    assert_eq!(bob.patch(&format!("/api/todos/{mine}"), json!({"category_id": id(&my_category)})).await.status, 200);
    assert_eq!(bob.get("/api/todos").await.json()["total"], 1);

    assert_eq!(alice.get(&format!("/api/todos/{}", id(&todo))).await.body, todo_before);
    assert_eq!(alice.get("/api/todos/categories").await.body, categories_before);
    assert_eq!(alice.get(&format!("/api/todos/{}/completions", id(&todo))).await.body, completions_before);
    assert_eq!(alice.get("/api/todos").await.json()["total"], 1);
}
