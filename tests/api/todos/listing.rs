//! `GET /api/todos`: filters, sorts, search and paging; bad values are a 422 naming the
//! parameter.

use serde_json::json;

use super::{create, fields, id, set_clock, titles};
use crate::harness::app;

#[tokio::test]
async fn filters_sorts_and_paging() {
    let app = app().await;
    set_clock(&app, "2027-06-10T12:00:00Z");
    let alice = app.user("alice").await;
    let work = alice.post("/api/todos/categories", json!({"name": "Work", "colour": "#3366ff"})).await.json();
    create(&alice, json!({"title": "Alpha", "priority": "low", "due_date": "2027-06-20"})).await;
    create(&alice, json!({"title": "Bravo", "priority": "high", "category_id": id(&work), "due_date": "2027-06-05"}))
        .await;
    create(&alice, json!({"title": "Charlie", "notes": "buy MILK on the way", "priority": "high"})).await;
    create(&alice, json!({"title": "Delta", "due_at": "2027-06-10T11:00:00Z", "category_id": id(&work)})).await;
    let e = create(&alice, json!({"title": "Echo", "due_date": "2027-06-12"})).await;
    alice.patch(&format!("/api/todos/{}", id(&e)), json!({"completed": true})).await;
    // Bob's todos never show up in Alice's lists.
    let bob = app.user("bob").await;
    create(&bob, json!({"title": "Bob's alpha", "priority": "high"})).await;

    let list = |query: &str| {
        let path = format!("/api/todos{query}");
        let alice = &alice;
        async move {
            let response = alice.get(&path).await;
            assert_eq!(response.status, 200, "{path}: {}", response.body);
            response.json()
        }
    };
    assert_eq!(titles(&list("").await), ["Alpha", "Bravo", "Charlie", "Delta"], "open, by position");
    assert_eq!(titles(&list("?status=completed").await), ["Echo"]);
    assert_eq!(titles(&list("?status=all").await).len(), 5);
    assert_eq!(titles(&list(&format!("?category_id={}", id(&work))).await), ["Bravo", "Delta"]);
    assert_eq!(titles(&list("?priority=high").await), ["Bravo", "Charlie"]);
    assert_eq!(titles(&list("?priority=none").await), ["Delta"]);
    assert_eq!(titles(&list("?q=milk").await), ["Charlie"], "notes, case-insensitive");
    assert_eq!(titles(&list("?q=ELT").await), ["Delta"], "title, case-insensitive");
    assert_eq!(titles(&list("?q=%25").await).len(), 0, "% is a character, not a wildcard");
    assert_eq!(titles(&list("?due_before=2027-06-10").await), ["Bravo", "Delta"], "the whole day is included");
    assert_eq!(titles(&list("?due_after=2027-06-11").await), ["Alpha"]);
    assert_eq!(titles(&list("?due_after=2027-06-05&due_before=2027-06-10T10:00:00Z").await), ["Bravo"]);
    assert_eq!(titles(&list("?overdue=true").await), ["Bravo", "Delta"]);
    // A day matches a todo due that day whatever its zone; overdue waits for the day's end
    // there (June 10th has ended at 12:00Z only in Kiritimati, UTC+14).
    let mut zoned = Vec::new();
    for zone in ["Asia/Tokyo", "Pacific/Kiritimati", "Pacific/Honolulu"] {
        zoned.push(
            create(&alice, json!({"title": format!("Zone {zone}"), "due_date": "2027-06-10", "timezone": zone})).await,
        );
    }
    let day = titles(&list("?due_after=2027-06-10&due_before=2027-06-10&q=zone").await);
    assert_eq!(day, ["Zone Asia/Tokyo", "Zone Pacific/Kiritimati", "Zone Pacific/Honolulu"]);
    assert_eq!(titles(&list("?overdue=true&q=zone").await), ["Zone Pacific/Kiritimati"]);
    for todo in &zoned {
        alice.delete(&format!("/api/todos/{}", id(todo))).await;
    }
    assert_eq!(
        titles(&list("?overdue=true&status=all").await),
        ["Bravo", "Delta"],
        "completed todos are never overdue"
    );
    assert_eq!(titles(&list("?sort=due").await), ["Bravo", "Delta", "Alpha", "Charlie"], "undated last");
    assert_eq!(titles(&list("?sort=priority").await), ["Bravo", "Charlie", "Alpha", "Delta"], "ties by id");
    assert_eq!(titles(&list("?sort=created").await), ["Delta", "Charlie", "Bravo", "Alpha"], "newest first");
    assert_eq!(titles(&list("?sort=position&status=all").await), ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]);

    let page = list("?limit=2&offset=1").await;
    assert_eq!(titles(&page), ["Bravo", "Charlie"]);
    assert_eq!((page["total"].clone(), page["limit"].clone(), page["offset"].clone()), (json!(4), json!(2), json!(1)));
    let beyond = list("?offset=10").await;
    assert_eq!((beyond["total"].clone(), beyond["items"].as_array().unwrap().len()), (json!(4), 0));
    assert_eq!(list("").await["limit"], 50);

    for (query, field) in [
        ("status=done", "status"),
        ("category_id=abc", "category_id"),
        ("priority=urgent", "priority"),
        ("due_before=June", "due_before"),
        ("due_after=2027-13-01", "due_after"),
        ("overdue=yes", "overdue"),
        ("sort=title", "sort"),
        ("limit=501", "limit"),
        ("limit=0", "limit"),
        ("offset=-1", "offset"),
    ] {
        let response = alice.get(&format!("/api/todos?{query}")).await;
        assert_eq!(fields(&response), [field], "{query}");
    }
    // Several bad values at once: all named.
    let response = alice.get("/api/todos?status=x&sort=y").await;
    assert_eq!(fields(&response), ["status", "sort"]);
}

#[tokio::test]
async fn reorder_is_all_or_nothing() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let a = id(&create(&alice, json!({"title": "A"})).await);
    let b = id(&create(&alice, json!({"title": "B"})).await);
    let c = id(&create(&alice, json!({"title": "C"})).await);
    let bobs = id(&create(&bob, json!({"title": "Bob's"})).await);

    assert_eq!(alice.post("/api/todos/reorder", json!({"ids": [c, a, b]})).await.status, 204);
    assert_eq!(titles(&alice.get("/api/todos").await.json()), ["C", "A", "B"]);
    // A subset moves among its own places: swapping A and B leaves C first.
    assert_eq!(alice.post("/api/todos/reorder", json!({"ids": [b, a]})).await.status, 204);
    assert_eq!(titles(&alice.get("/api/todos").await.json()), ["C", "B", "A"]);

    // Someone else's id, or one that does not exist: 404 and nothing changes.
    alice.post("/api/todos/reorder", json!({"ids": [a, b, bobs, c]})).await.problem(404);
    alice.post("/api/todos/reorder", json!({"ids": [a, 999_999]})).await.problem(404);
    let response = alice.post("/api/todos/reorder", json!({"ids": [a, b, a]})).await;
    assert_eq!(fields(&response), ["ids"]);
    alice.post("/api/todos/reorder", json!({"ids": [a], "extra": true})).await.problem(422);
    alice.post("/api/todos/reorder", json!({"ids": "a"})).await.problem(422);
    let too_many: Vec<i64> = (1..=2_001).collect();
    assert_eq!(fields(&alice.post("/api/todos/reorder", json!({"ids": too_many})).await), ["ids"]);
    assert_eq!(titles(&alice.get("/api/todos").await.json()), ["C", "B", "A"]);
    // New todos go to the end.
    create(&alice, json!({"title": "D"})).await;
    assert_eq!(titles(&alice.get("/api/todos").await.json()), ["C", "B", "A", "D"]);
    assert_eq!(titles(&bob.get("/api/todos").await.json()), ["Bob's"]);
}
