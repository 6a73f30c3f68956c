//! The todos collection: VTODO ↔ the API's todos.

use std::sync::Arc;

use serde_json::{Value, json};
use umbra::dav::store::{DavError, Precondition};
use umbra::dav::todo_objects as todos;

use super::{ctx, dav_user, names, precondition_failed, refusal};
use crate::harness::{TestApp, app, app_on};

fn vtodo(uid: &str, lines: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VTODO\r\nUID:{uid}\r\nDTSTAMP:20270101T000000Z\r\n\
         {lines}END:VTODO\r\nEND:VCALENDAR\r\n"
    )
}

async fn api_todos(user: &crate::harness::Persona<'_>) -> Vec<Value> {
    let page = user.get("/api/todos?status=all").await.json();
    page["items"].as_array().unwrap().clone()
}

/// The body of one object, by name.
async fn body(app: &TestApp, account: &umbra::dav::auth::DavAccount, name: &str) -> String {
    let found = todos::get(ctx(app), account, &[name.to_string()]).await.unwrap();
    assert_eq!(found.len(), 1, "{name}");
    found[0].body.clone()
}

async fn etag_of(app: &TestApp, account: &umbra::dav::auth::DavAccount, name: &str) -> String {
    let list = todos::list(ctx(app), account).await.unwrap();
    list.into_iter().find(|m| m.name == name).map_or_else(|| panic!("{name} is listed"), |m| m.etag)
}

#[tokio::test]
async fn a_todo_made_in_the_app_reads_as_a_vtodo() {
    let app = app().await;
    let (alice, account) = dav_user(&app, "alice").await;
    let category = alice.post("/api/todos/categories", json!({"name": "Garden"})).await.json();
    let made = alice
        .post(
            "/api/todos",
            json!({"title": "Water the roses", "notes": "both beds\nand the pots", "priority": "high",
                   "due_at": "2027-03-01T08:00:00Z", "timezone": "Europe/Berlin", "recurrence": "FREQ=WEEKLY;BYDAY=MO",
                   "category_id": category["id"], "checklist": [{"text": "fill the can", "done": false}]}),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let list = todos::list(ctx(&app), &account).await.unwrap();
    assert_eq!(list.len(), 1);
    let name = &list[0].name;
    assert!(name.ends_with("@umbra.ics"), "{name}");
    assert!(list[0].etag.starts_with('"') && list[0].etag.ends_with('"'));
    let found = todos::get(ctx(&app), &account, &[name.clone(), "nothing.ics".into()]).await.unwrap();
    assert_eq!(found.len(), 1, "an unknown name is left out");
    assert_eq!(found[0].meta, list[0]);
    let text = &found[0].body;
    let uid = name.strip_suffix(".ics").unwrap();
    for line in [
        &format!("UID:{uid}"),
        "SUMMARY:Water the roses",
        "DESCRIPTION:both beds\\nand the pots",
        "PRIORITY:1",
        "DUE;TZID=Europe/Berlin:20270301T090000",
        "RRULE:FREQ=WEEKLY;BYDAY=MO",
        "STATUS:NEEDS-ACTION",
        "CATEGORIES:Garden",
        "BEGIN:VTIMEZONE",
    ] {
        assert!(text.contains(&format!("{line}\r\n")), "{line} in {text}");
    }
    assert!(text.contains("X-UMBRA-CHECKLIST:"), "{text}");
}

#[tokio::test]
async fn a_put_todo_is_the_apps_todo_and_back() {
    let app = app().await;
    let (alice, account) = dav_user(&app, "alice").await;
    let text = vtodo(
        "phone-1",
        "SUMMARY:Call the plumber\r\nDESCRIPTION:about the leak\r\nPRIORITY:7\r\nDUE;VALUE=DATE:20270310\r\n\
         CATEGORIES:House\r\n",
    );
    let put = todos::put(ctx(&app), &account, "phone-1.ics", &text, &Precondition::IfNoneMatchAny).await.unwrap();
    assert!(put.created);
    assert_eq!(put.etag, etag_of(&app, &account, "phone-1.ics").await);
    let seen = api_todos(&alice).await;
    assert_eq!(seen.len(), 1);
    let todo = &seen[0];
    assert_eq!(
        (&todo["title"], &todo["notes"], &todo["priority"], &todo["due_date"], &todo["completed"]),
        (&json!("Call the plumber"), &json!("about the leak"), &json!("low"), &json!("2027-03-10"), &json!(false))
    );
    let categories = alice.get("/api/todos/categories").await.json();
    assert_eq!(categories["items"][0]["name"], "House", "an unknown category is made");
    assert_eq!(todo["category_id"], categories["items"][0]["id"]);

    // Changed on the phone, with the ETag it holds.
    let changed =
        vtodo("phone-1", "SUMMARY:Call the plumber again\r\nSTATUS:COMPLETED\r\nCOMPLETED:20270311T100000Z\r\n");
    let again = todos::put(ctx(&app), &account, "phone-1.ics", &changed, &Precondition::IfMatch(put.etag.clone()))
        .await
        .unwrap();
    assert!(!again.created);
    assert_ne!(again.etag, put.etag);
    let todo = &api_todos(&alice).await[0];
    assert_eq!(todo["title"], "Call the plumber again");
    assert_eq!((&todo["completed"], &todo["completed_at"]), (&json!(true), &json!("2027-03-11T10:00:00.000Z")));
    assert_eq!(
        (&todo["due_date"], &todo["category_id"]),
        (&Value::Null, &Value::Null),
        "a PUT replaces the whole todo"
    );

    // Changed in the app: the client sees it.
    let id = todo["id"].as_i64().unwrap();
    let patched = alice.patch(&format!("/api/todos/{id}"), json!({"completed": false, "priority": "medium"})).await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    let text = body(&app, &account, "phone-1.ics").await;
    assert!(text.contains("STATUS:NEEDS-ACTION\r\n") && text.contains("PRIORITY:5\r\n"), "{text}");
    assert!(!text.contains("COMPLETED:"), "{text}");
}

#[tokio::test]
async fn every_write_path_records_a_change_and_moves_the_etag() {
    let app = app().await;
    let (alice, account) = dav_user(&app, "alice").await;
    assert_eq!(todos::token(ctx(&app), &account).await.unwrap(), 0);
    let delta = todos::changes(ctx(&app), &account, 0).await.unwrap();
    assert_eq!((delta.token, delta.changed.len(), delta.deleted.len()), (0, 0, 0));

    let category = alice.post("/api/todos/categories", json!({"name": "Errands"})).await.json();
    let a = alice.post("/api/todos", json!({"title": "A", "category_id": category["id"]})).await.json();
    let b = alice
        .post("/api/todos", json!({"title": "B", "due_date": "2027-01-04", "recurrence": "FREQ=WEEKLY"}))
        .await
        .json();
    let (a_id, b_id) = (a["id"].as_i64().unwrap(), b["id"].as_i64().unwrap());
    let token = todos::token(ctx(&app), &account).await.unwrap();
    assert_eq!(token, 2, "two todos made");
    let listed = todos::list(ctx(&app), &account).await.unwrap();
    let (a_name, b_name) = (listed[0].name.clone(), listed[1].name.clone());

    // Each step of the app must show its todo changed, with a new ETag, after the last token.
    let mut since = token;
    let a_path = format!("/api/todos/{a_id}");
    let b_path = format!("/api/todos/{b_id}");
    let category_path = format!("/api/todos/categories/{}", category["id"]);
    for (what, step) in [
        ("patch", 0),
        ("complete a repeating todo", 1),
        ("complete", 2),
        ("uncomplete", 3),
        ("checklist", 4),
        ("reorder", 5),
        ("rename the category", 6),
        ("delete the category", 7),
    ] {
        let name = if matches!(step, 1 | 4) { &b_name } else { &a_name };
        let before = etag_of(&app, &account, name).await;
        let status = match step {
            0 => alice.patch(&a_path, json!({"title": "A2"})).await.status,
            1 => alice.post_empty(&format!("{b_path}/complete")).await.status,
            2 => alice.patch(&a_path, json!({"completed": true})).await.status,
            3 => alice.patch(&a_path, json!({"completed": false})).await.status,
            4 => alice.patch(&b_path, json!({"checklist": [{"text": "x"}]})).await.status,
            5 => alice.post("/api/todos/reorder", json!({"ids": [b_id, a_id]})).await.status,
            6 => alice.patch(&category_path, json!({"name": "Chores"})).await.status,
            _ => alice.delete(&category_path).await.status,
        };
        assert!(status < 300, "{what}: {status}");
        let delta = todos::changes(ctx(&app), &account, since).await.unwrap();
        assert!(delta.token > since, "{what} moves the token");
        let changed = delta.changed.iter().find(|m| m.name == *name);
        let changed = changed.unwrap_or_else(|| panic!("{what}: {:?}", names(&delta.changed)));
        assert_ne!(changed.etag, before, "{what} moves the ETag");
        since = delta.token;
    }
    let text = body(&app, &account, &a_name).await;
    assert!(!text.contains("CATEGORIES"), "the deleted category is gone from the todo: {text}");

    assert_eq!(alice.delete(&format!("/api/todos/{a_id}")).await.status, 204);
    let delta = todos::changes(ctx(&app), &account, since).await.unwrap();
    assert_eq!((names(&delta.changed), delta.deleted.clone()), (vec![], vec![a_name.clone()]));
    // A renamed category's colour alone is no change a client sees.
    let other = alice.post("/api/todos/categories", json!({"name": "Other"})).await.json();
    alice.patch(&format!("/api/todos/{b_id}"), json!({"category_id": other["id"]})).await;
    let token = todos::token(ctx(&app), &account).await.unwrap();
    alice.patch(&format!("/api/todos/categories/{}", other["id"]), json!({"colour": "#123456"})).await;
    assert_eq!(todos::token(ctx(&app), &account).await.unwrap(), token);
}

#[tokio::test]
async fn deltas_collapse_and_survive_a_restart() {
    let app = app().await;
    let (alice, account) = dav_user(&app, "alice").await;
    let keep = alice.post("/api/todos", json!({"title": "keep"})).await.json();
    let token = todos::token(ctx(&app), &account).await.unwrap();
    let brief = alice.post("/api/todos", json!({"title": "brief"})).await.json();
    alice.delete(&format!("/api/todos/{}", brief["id"])).await;
    alice.patch(&format!("/api/todos/{}", keep["id"]), json!({"title": "kept"})).await;
    todos::put(ctx(&app), &account, "chosen name.ics", &vtodo("c-1", "SUMMARY:c\r\n"), &Precondition::None)
        .await
        .unwrap();
    let delta = todos::changes(ctx(&app), &account, token).await.unwrap();
    let keep_name = todos::list(ctx(&app), &account).await.unwrap()[0].name.clone();
    assert_eq!(names(&delta.changed), [keep_name.clone(), "chosen name.ics".to_string()]);
    assert!(delta.deleted.is_empty(), "made and deleted within the delta: left out ({:?})", delta.deleted);
    assert_eq!(todos::changes(ctx(&app), &account, delta.token).await.unwrap().changed.len(), 0);
    assert!(matches!(todos::changes(ctx(&app), &account, delta.token + 1).await, Err(DavError::InvalidSyncToken)));
    assert!(matches!(todos::changes(ctx(&app), &account, -1).await, Err(DavError::InvalidSyncToken)));

    // Another process on the same database: the same tokens and the same answers.
    let database = Arc::clone(&app.database);
    let again = app_on(database, |_| {}).await;
    assert_eq!(todos::token(ctx(&again), &account).await.unwrap(), delta.token);
    let replay = todos::changes(ctx(&again), &account, token).await.unwrap();
    assert_eq!((names(&replay.changed), replay.token), (names(&delta.changed), delta.token));
    todos::delete(ctx(&again), &account, "chosen name.ics", &Precondition::None).await.unwrap();
    let after = todos::changes(ctx(&app), &account, delta.token).await.unwrap();
    assert_eq!(after.deleted, ["chosen name.ics"], "deleted under the name the client chose");
}

#[tokio::test]
async fn another_users_todos_are_out_of_reach() {
    let app = app().await;
    let (alice, alice_dav) = dav_user(&app, "alice").await;
    let (bob, bob_dav) = dav_user(&app, "bob").await;
    alice.post("/api/todos", json!({"title": "secret"})).await;
    let name = todos::list(ctx(&app), &alice_dav).await.unwrap()[0].name.clone();
    let uid = name.strip_suffix(".ics").unwrap().to_string();

    assert!(todos::list(ctx(&app), &bob_dav).await.unwrap().is_empty());
    assert!(todos::get(ctx(&app), &bob_dav, std::slice::from_ref(&name)).await.unwrap().is_empty());
    assert!(matches!(todos::delete(ctx(&app), &bob_dav, &name, &Precondition::None).await, Err(DavError::NotFound)));
    let stale = Precondition::IfMatch(etag_of(&app, &alice_dav, &name).await);
    precondition_failed(todos::delete(ctx(&app), &bob_dav, &name, &stale).await);
    // Alice's name and UID in Bob's collection: a todo of Bob's own.
    let put = todos::put(ctx(&app), &bob_dav, &name, &vtodo(&uid, "SUMMARY:mine\r\n"), &Precondition::IfNoneMatchAny)
        .await
        .unwrap();
    assert!(put.created);
    assert_eq!(api_todos(&alice).await[0]["title"], "secret");
    assert_eq!(api_todos(&bob).await[0]["title"], "mine");
    assert_eq!(todos::token(ctx(&app), &alice_dav).await.unwrap(), 1, "Bob's writes are not in Alice's log");
}

#[tokio::test]
async fn preconditions_and_uid_conflicts() {
    let app = app().await;
    let (alice, account) = dav_user(&app, "alice").await;
    let text = vtodo("u-1", "SUMMARY:one\r\n");
    let first = todos::put(ctx(&app), &account, "u-1.ics", &text, &Precondition::IfNoneMatchAny).await.unwrap();
    precondition_failed(todos::put(ctx(&app), &account, "u-1.ics", &text, &Precondition::IfNoneMatchAny).await);
    let second =
        todos::put(ctx(&app), &account, "u-1.ics", &text, &Precondition::IfMatch(first.etag.clone())).await.unwrap();
    precondition_failed(
        todos::put(ctx(&app), &account, "u-1.ics", &text, &Precondition::IfMatch(first.etag.clone())).await,
    );
    precondition_failed(
        todos::put(ctx(&app), &account, "new.ics", &vtodo("n", "SUMMARY:n\r\n"), &Precondition::IfMatch("*".into()))
            .await,
    );
    precondition_failed(
        todos::delete(ctx(&app), &account, "u-1.ics", &Precondition::IfMatch(first.etag.clone())).await,
    );
    assert!(matches!(
        todos::delete(ctx(&app), &account, "nothing.ics", &Precondition::None).await,
        Err(DavError::NotFound)
    ));

    let (rule, detail) = refusal(todos::put(ctx(&app), &account, "other.ics", &text, &Precondition::None).await);
    assert_eq!(rule, Some("no-uid-conflict"));
    assert!(detail.contains("u-1.ics"), "{detail}");
    let (rule, _) =
        refusal(todos::put(ctx(&app), &account, "u-1.ics", &vtodo("u-2", "SUMMARY:x\r\n"), &Precondition::None).await);
    assert_eq!(rule, Some("no-uid-conflict"));
    assert_eq!(api_todos(&alice).await.len(), 1);

    // Deleted and made again under the same name: never an ETag the client saw before.
    todos::delete(ctx(&app), &account, "u-1.ics", &Precondition::IfMatch(second.etag.clone())).await.unwrap();
    let remade = todos::put(ctx(&app), &account, "u-1.ics", &text, &Precondition::IfNoneMatchAny).await.unwrap();
    assert!(remade.created);
    assert!(![first.etag, second.etag].contains(&remade.etag), "{}", remade.etag);
    precondition_failed(
        todos::put(ctx(&app), &account, "u-1.ics", &text, &Precondition::IfMatch("W/\"x\"".into())).await,
    );
}

#[tokio::test]
async fn a_clients_own_properties_survive_app_edits() {
    let app = app().await;
    let (alice, account) = dav_user(&app, "alice").await;
    let text = vtodo(
        "apple-9",
        "SUMMARY;LANGUAGE=en:Buy milk\r\nX-APPLE-SORT-ORDER:42\r\nDTSTART;VALUE=DATE:20270101\r\n\
         DUE;VALUE=DATE:20270102\r\nCATEGORIES:Shop,Weekly\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:milk\r\n\
         TRIGGER:-PT15M\r\nEND:VALARM\r\n",
    );
    todos::put(ctx(&app), &account, "apple-9.ics", &text, &Precondition::None).await.unwrap();
    let id = api_todos(&alice).await[0]["id"].as_i64().unwrap();
    alice.patch(&format!("/api/todos/{id}"), json!({"title": "Buy oat milk"})).await;
    let out = body(&app, &account, "apple-9.ics").await;
    for line in [
        "SUMMARY;LANGUAGE=en:Buy oat milk",
        "X-APPLE-SORT-ORDER:42",
        "DTSTART;VALUE=DATE:20270101",
        "CATEGORIES:Shop",
        "CATEGORIES:Weekly",
        "BEGIN:VALARM",
        "TRIGGER:-PT15M",
        "END:VALARM",
    ] {
        assert!(out.contains(&format!("\r\n{line}\r\n")), "{line} in {out}");
    }
    // Read back as the client sends it again: nothing doubles.
    todos::put(ctx(&app), &account, "apple-9.ics", &out, &Precondition::None).await.unwrap();
    assert_eq!(body(&app, &account, "apple-9.ics").await.matches("X-APPLE-SORT-ORDER").count(), 1);
    assert_eq!(api_todos(&alice).await[0]["title"], "Buy oat milk");
}

#[tokio::test]
async fn completing_a_repeating_todo_from_a_client_moves_it_on() {
    let app = app().await;
    let (alice, account) = dav_user(&app, "alice").await;
    let open = vtodo("r-1", "SUMMARY:Bins\r\nDUE;VALUE=DATE:20270104\r\nRRULE:FREQ=WEEKLY\r\nSTATUS:NEEDS-ACTION\r\n");
    todos::put(ctx(&app), &account, "r-1.ics", &open, &Precondition::None).await.unwrap();
    let done = open.replace("STATUS:NEEDS-ACTION", "STATUS:COMPLETED\r\nCOMPLETED:20270104T200000Z");
    let outcome = todos::put(ctx(&app), &account, "r-1.ics", &done, &Precondition::None).await.unwrap();
    assert!(outcome.changed_by_server, "the client's completed copy is not what is stored: no ETag for it");
    let todo = &api_todos(&alice).await[0];
    assert_eq!((&todo["completed"], &todo["due_date"]), (&json!(false), &json!("2027-01-11")));
    let completions = alice.get(&format!("/api/todos/{}/completions", todo["id"])).await.json();
    assert_eq!(completions["total"], 1);
    let out = body(&app, &account, "r-1.ics").await;
    assert!(out.contains("DUE;VALUE=DATE:20270111\r\n") && out.contains("STATUS:NEEDS-ACTION\r\n"), "{out}");
    let edit = out.replace("Bins", "Bins out");
    let edited = todos::put(ctx(&app), &account, "r-1.ics", &edit, &Precondition::None).await.unwrap();
    assert!(!edited.changed_by_server, "a plain edit is stored as sent");
}

#[tokio::test]
async fn what_the_api_refuses_is_refused_whole() {
    let app = app().await;
    let (alice, account) = dav_user(&app, "alice").await;
    let cases = [
        (vtodo("x", &format!("SUMMARY:{}\r\n", "t".repeat(501))), "SUMMARY"),
        (vtodo("x", "SUMMARY:\r\n"), "SUMMARY"),
        (vtodo("x", &format!("SUMMARY:t\r\nDESCRIPTION:{}\r\n", "n".repeat(10_001))), "DESCRIPTION"),
        (vtodo("x", "SUMMARY:t\r\nRRULE:FREQ=WEEKLY\r\n"), "RRULE"),
        (vtodo("x", "SUMMARY:t\r\nDUE;VALUE=DATE:20270101\r\nRRULE:FREQ=HOURLY\r\n"), "RRULE"),
        (vtodo("x", "SUMMARY:t\r\nCATEGORIES:New one\r\nX-UMBRA-CHECKLIST:[{\"text\":\"\"}]\r\n"), "X-UMBRA-CHECKLIST"),
        (vtodo("x", "SUMMARY:t\r\nDUE;TZID=Nowhere/Land:20270101T090000\r\n"), "time zone"),
        ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:e\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n".into(), "VEVENT"),
        ("\u{0}garbage".into(), "line"),
    ];
    for (text, says) in cases {
        let (rule, detail) = refusal(todos::put(ctx(&app), &account, "x.ics", &text, &Precondition::None).await);
        assert!(rule.is_some(), "{detail}");
        assert!(detail.contains(says), "{says} in {detail}");
    }
    let (_, detail) =
        refusal(todos::put(ctx(&app), &account, "a/b.ics", &vtodo("x", "SUMMARY:t\r\n"), &Precondition::None).await);
    assert!(detail.contains("name"), "{detail}");
    assert!(api_todos(&alice).await.is_empty());
    assert_eq!(alice.get("/api/todos/categories").await.json()["total"], 0, "no category made by a refused PUT");
    assert_eq!(todos::token(ctx(&app), &account).await.unwrap(), 0);
}

#[tokio::test]
async fn two_processes_writing_at_once_get_distinct_tokens_and_one_winner() {
    let app = app().await;
    let (_alice, account) = dav_user(&app, "alice").await;
    let other = app_on(Arc::clone(&app.database), |_| {}).await;
    let writes = (0..8).map(|i| {
        let on = if i % 2 == 0 { &app } else { &other };
        let text = vtodo(&format!("p-{i}"), "SUMMARY:parallel\r\n");
        let account = account.clone();
        async move { todos::put(ctx(on), &account, &format!("p-{i}.ics"), &text, &Precondition::None).await }
    });
    for outcome in futures::future::join_all(writes).await {
        assert!(outcome.unwrap().created);
    }
    let delta = todos::changes(ctx(&app), &account, 0).await.unwrap();
    assert_eq!((delta.token, delta.changed.len()), (8, 8), "one number per write, none shared");

    // The same new object from both processes at once: one makes it, the other is told so.
    let text = vtodo("same", "SUMMARY:same\r\n");
    let (a, b) = tokio::join!(
        todos::put(ctx(&app), &account, "same.ics", &text, &Precondition::IfNoneMatchAny),
        todos::put(ctx(&other), &account, "same.ics", &text, &Precondition::IfNoneMatchAny),
    );
    let made = [&a, &b].iter().filter(|r| r.as_ref().is_ok_and(|o| o.created)).count();
    let refused = [&a, &b].iter().filter(|r| matches!(r, Err(DavError::PreconditionFailed))).count();
    assert_eq!((made, refused), (1, 1), "{a:?} {b:?}");
}

/// Over DAV: a PUT stored as sent answers with its ETag; a completed repeating todo, which the
/// server moves on, answers without one (RFC 4791 §5.3.4), so the client fetches what is stored.
#[tokio::test]
async fn a_put_the_server_changed_answers_without_an_etag() {
    let app = app().await;
    let (_, dav) = crate::dav_kit::dav_user(&app, "alice").await;
    let path = format!("{}todos/r-2.ics", dav.home());
    let open = vtodo("r-2", "SUMMARY:Bins\r\nDUE;VALUE=DATE:20270104\r\nRRULE:FREQ=WEEKLY\r\nSTATUS:NEEDS-ACTION\r\n");
    let created = dav.put(&path, &open, &[]).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert!(created.header("etag").is_some_and(|e| e.starts_with('"')), "stored as sent: its ETag");
    let done = open.replace("STATUS:NEEDS-ACTION", "STATUS:COMPLETED\r\nCOMPLETED:20270104T200000Z");
    let moved_on = dav.put(&path, &done, &[]).await;
    assert_eq!(moved_on.status, 204, "{}", moved_on.body);
    assert_eq!(moved_on.header("etag"), None, "the stored todo is not the client's copy");
    let fetched = dav.send("GET", &path, None, &[]).await;
    assert!(fetched.body.contains("DUE;VALUE=DATE:20270111\r\n"), "{}", fetched.body);
    assert!(fetched.header("etag").is_some());
}
