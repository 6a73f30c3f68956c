//! `/api/projects`: projects, members, ownership and the activity feed. Creating makes the
//! caller the owner; viewers and editors read, only owners change the project and its
//! members; members come from the owner's accepted connections; a project always keeps an
//! owner; a removal takes effect on the next request and takes the member's assignments;
//! every change writes one activity row in its transaction (a refused one writes none); the
//! 404 matrix for non-members, foreign member ids and removed members; deleting an account.

use rocket::http::Method;
use serde_json::{Value, json};

use crate::calendars::connect;
use crate::harness::{Persona, TestApp, app};

async fn create(who: &Persona<'_>, body: Value) -> Value {
    let response = who.post("/api/projects", body).await;
    assert_eq!(response.status, 201, "{}", response.body);
    response.json()
}

fn id(value: &Value) -> i64 {
    value["id"].as_i64().unwrap()
}

fn fields_of(problem: &Value) -> Vec<String> {
    problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect()
}

/// Adds `member` to the project as `role` (the owner must be connected to them).
async fn add(owner: &Persona<'_>, project: i64, member: &Persona<'_>, role: &str) -> Value {
    let response = owner
        .post(&format!("/api/projects/{project}/members"), json!({"username": member.username, "role": role}))
        .await;
    assert_eq!(response.status, 201, "{}", response.body);
    response.json()
}

async fn members(who: &Persona<'_>, project: i64) -> Vec<(String, String)> {
    let page = who.get(&format!("/api/projects/{project}/members")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    page.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["user"]["username"].as_str().unwrap().to_string(), m["role"].as_str().unwrap().to_string()))
        .collect()
}

async fn activity(who: &Persona<'_>, project: i64) -> Value {
    let page = who.get(&format!("/api/projects/{project}/activity")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    page.json()
}

async fn activity_rows(app: &TestApp, project: i64) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM project_activity WHERE project_id = $1")
        .bind(project)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

async fn user_id(app: &TestApp, username: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

/// A task in the project with `user` assigned, straight in the database; the task's id.
async fn assigned_task(app: &TestApp, project: i64, user: i64) -> i64 {
    let task: i64 = sqlx::query_scalar(
        "INSERT INTO project_tasks (project_id, title, position, created_at, updated_at) \
         VALUES ($1, 'Paint', 1, 0, 0) RETURNING id",
    )
    .bind(project)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    sqlx::query("INSERT INTO task_assignees (task_id, user_id) VALUES ($1, $2)")
        .bind(task)
        .bind(user)
        .execute(app.db.pool())
        .await
        .unwrap();
    task
}

async fn assignments(app: &TestApp, user: i64) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM task_assignees WHERE user_id = $1")
        .bind(user)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn projects_are_created_listed_changed_and_deleted() {
    let app = app().await;
    let alice = app.user("alice").await;
    let garden = create(
        &alice,
        json!({"name": " Garden ", "description": "Spring jobs", "colour": "#336699", "due_date": "2027-04-30"}),
    )
    .await;
    assert_eq!(garden["name"], "Garden");
    assert_eq!((garden["status"].clone(), garden["my_role"].clone()), (json!("active"), json!("owner")));
    assert_eq!((garden["member_count"].clone(), garden["task_count"].clone()), (json!(1), json!(0)));
    assert_eq!(garden["done_count"], 0);
    assert_eq!(garden["due_date"], "2027-04-30");
    assert!(garden["created_at"].as_str().unwrap().ends_with('Z'));
    let plain = create(&alice, json!({"name": "Taxes", "status": "on_hold"})).await;
    assert_eq!((plain["colour"].clone(), plain["description"].clone()), (json!("#5B8DEF"), json!("")));
    assert_eq!(plain["due_date"], Value::Null);
    assert_eq!(members(&alice, id(&garden)).await, [("alice".to_string(), "owner".to_string())]);

    // Newest updated first; the status filter; a bad status.
    app.clock.advance_minutes(1);
    let path = format!("/api/projects/{}", id(&garden));
    let changed = alice.patch(&path, json!({"name": "Garden 2027", "due_date": null, "status": "done"})).await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    let changed = changed.json();
    assert_eq!((changed["name"].clone(), changed["due_date"].clone()), (json!("Garden 2027"), Value::Null));
    assert_eq!((changed["description"].clone(), changed["status"].clone()), (json!("Spring jobs"), json!("done")));
    let all = alice.get("/api/projects").await.json();
    let names: Vec<&str> = all["items"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!((names, all["total"].clone()), (vec!["Garden 2027", "Taxes"], json!(2)));
    let held = alice.get("/api/projects?status=on_hold").await.json();
    assert_eq!((held["total"].clone(), held["items"][0]["name"].clone()), (json!(1), json!("Taxes")));
    assert_eq!(alice.get("/api/projects?status=archived").await.json()["total"], 0);
    assert_eq!(fields_of(&alice.get("/api/projects?status=finished").await.problem(422)), ["status"]);
    let page = alice.get("/api/projects?limit=1&offset=1").await.json();
    assert_eq!((page["items"][0]["name"].clone(), page["limit"].clone()), (json!("Taxes"), json!(1)));
    alice.get("/api/projects?limit=0").await.problem(422);
    assert_eq!(alice.get(&path).await.json()["name"], "Garden 2027");

    // The feed so far: created, then the update naming its fields.
    let feed = activity(&alice, id(&garden)).await;
    let actions: Vec<&str> = feed["items"].as_array().unwrap().iter().map(|a| a["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["project_updated", "project_created"]);
    assert_eq!(feed["items"][1]["summary"], "alice created the project");
    assert_eq!(feed["items"][0]["summary"], "alice changed the project’s name, status and due date");
    assert_eq!(feed["items"][0]["actor"]["username"], "alice");

    assert_eq!(alice.delete(&path).await.status, 204);
    alice.get(&path).await.problem(404);
    alice.delete(&path).await.problem(404);
    assert_eq!(activity_rows(&app, id(&garden)).await, 0, "the feed goes with the project");
    assert_eq!(alice.get("/api/projects").await.json()["total"], 1);
}

#[tokio::test]
async fn fields_are_checked_and_bodies_refused() {
    let app = app().await;
    let alice = app.user("alice").await;
    let problem = alice
        .post(
            "/api/projects",
            json!({"name": "  ", "description": "d".repeat(10_001), "colour": "blue", "due_date": "2027-02-30"}),
        )
        .await
        .problem(422);
    assert_eq!(fields_of(&problem), ["name", "description", "colour", "due_date"]);
    alice.post("/api/projects", json!({"name": "n".repeat(121)})).await.problem(422);
    assert_eq!(
        create(&alice, json!({"name": "n".repeat(120), "description": "d".repeat(10_000)})).await["name"],
        "n".repeat(120)
    );
    assert_eq!(
        fields_of(&alice.post("/api/projects", json!({"name": "x", "status": "paused"})).await.problem(422)),
        ["status"]
    );
    assert_eq!(
        fields_of(&alice.post("/api/projects", json!({"name": "x", "due_date": "tomorrow"})).await.problem(422)),
        ["due_date"]
    );
    // Server-owned and unknown fields, wrong types.
    for body in [
        json!({"name": "x", "my_role": "owner"}),
        json!({"name": "x", "id": 3}),
        json!({"name": "x", "owner": 1}),
        json!({"name": 5}),
    ] {
        alice.post("/api/projects", body).await.problem(422);
    }
    let project = id(&create(&alice, json!({"name": "Garden"})).await);
    let path = format!("/api/projects/{project}");
    assert_eq!(
        fields_of(&alice.patch(&path, json!({"name": null, "colour": null, "status": null})).await.problem(422)),
        ["name", "colour", "status"]
    );
    assert_eq!(fields_of(&alice.patch(&path, json!({"member_count": 9})).await.problem(422)), ["member_count"]);
    let headers = [("X-Requested-With", "XMLHttpRequest"), ("Content-Type", "application/json")];
    alice.request(Method::Post, "/api/projects", Some("{\"name\": "), &headers).await.problem(400);
    alice.request(Method::Patch, &path, Some("{\"name\""), &headers).await.problem(400);
    let huge = json!({"name": "x", "description": "d".repeat(70_000)}).to_string();
    alice.request(Method::Post, "/api/projects", Some(&huge), &headers).await.problem(413);
    // Members and transfer bodies.
    let members = format!("{path}/members");
    assert_eq!(
        fields_of(&alice.post(&members, json!({"username": "bob", "role": "admin"})).await.problem(422)),
        ["role"]
    );
    assert_eq!(fields_of(&alice.post(&members, json!({"username": "bob"})).await.problem(422)), ["role"]);
    alice.post(&members, json!({"username": "bob", "role": "viewer", "added_by": 1})).await.problem(422);
    alice.post(&format!("{path}/transfer"), json!({"member_id": "one"})).await.problem(422);
    alice.post(&format!("{path}/transfer"), json!({"member_id": 1, "role": "owner"})).await.problem(422);
    let not_an_id = alice.get("/api/projects/abc").await;
    assert!([404, 422].contains(&not_an_id.status), "a non-id is never a 500: {}", not_an_id.status);
    let unchanged = alice.get(&path).await.json();
    assert_eq!((unchanged["name"].clone(), unchanged["colour"].clone()), (json!("Garden"), json!("#5B8DEF")));
    assert_eq!(activity(&alice, project).await["total"], 1, "refused changes leave no activity");
}

#[tokio::test]
async fn members_come_from_accepted_connections_only() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    let dave = app.user("dave").await;
    connect(&alice, &bob).await;
    // carol has only a pending request from alice; dave is a stranger.
    assert_eq!(alice.post("/api/connections", json!({"username": "carol"})).await.status, 202);
    let project = id(&create(&alice, json!({"name": "Garden"})).await);
    let path = format!("/api/projects/{project}/members");

    let added = add(&alice, project, &bob, "editor").await;
    assert_eq!((added["role"].clone(), added["user"]["username"].clone()), (json!("editor"), json!("bob")));
    assert_eq!(added["user"]["display_name"], "");
    assert!(added["id"].is_i64() && added["created_at"].as_str().unwrap().ends_with('Z'));
    let again = alice.post(&path, json!({"username": "BOB", "role": "viewer"})).await.problem(409);
    assert!(again["detail"].as_str().unwrap().contains("already a member"));

    let refused = alice.post(&path, json!({"username": "carol", "role": "viewer"})).await.problem(422);
    assert_eq!(refused["errors"], json!([{"field": "username", "message": "is not one of your connections"}]));
    for name in ["dave", "nobody", "alice", "not a name!", ""] {
        let other = alice.post(&path, json!({"username": name, "role": "viewer"})).await.problem(422);
        assert_eq!(other["errors"], refused["errors"], "{name}: the same answer for every non-connection");
        assert_eq!(other["detail"], refused["detail"]);
    }
    carol.get(&format!("/api/projects/{project}")).await.problem(404);
    dave.get(&format!("/api/projects/{project}")).await.problem(404);

    // bob sees it with his role; the list shows owners first.
    let seen = bob.get(&format!("/api/projects/{project}")).await.json();
    assert_eq!((seen["my_role"].clone(), seen["member_count"].clone()), (json!("editor"), json!(2)));
    assert_eq!(bob.get("/api/projects").await.json()["total"], 1);
    connect(&bob, &carol).await;
    connect(&alice, &dave).await;
    add(&alice, project, &dave, "viewer").await;
    assert_eq!(
        members(&bob, project).await,
        [("alice".into(), "owner".into()), ("bob".into(), "editor".into()), ("dave".into(), "viewer".into())]
    );
    // An editor cannot add even their own connection.
    bob.post(&path, json!({"username": "carol", "role": "viewer"})).await.problem(403);
    let feed = activity(&bob, project).await;
    assert_eq!(feed["items"][0]["summary"], "alice added dave as a viewer");
    assert_eq!(feed["items"][1]["summary"], "alice added bob as an editor");
}

#[tokio::test]
async fn only_owners_manage_and_viewers_only_read() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    connect(&alice, &bob).await;
    connect(&alice, &carol).await;
    connect(&bob, &carol).await;
    let project = id(&create(&alice, json!({"name": "Garden"})).await);
    let path = format!("/api/projects/{project}");
    let bob_member = id(&add(&alice, project, &bob, "editor").await);
    let carol_member = id(&add(&alice, project, &carol, "viewer").await);
    let alice_member = id(&alice.get(&format!("{path}/members")).await.json()["items"][0]);
    let before = activity_rows(&app, project).await;

    for who in [&bob, &carol] {
        assert_eq!(who.get(&path).await.status, 200);
        assert_eq!(who.get(&format!("{path}/members")).await.status, 200);
        assert_eq!(who.get(&format!("{path}/activity")).await.status, 200);
        who.patch(&path, json!({"name": "Mine"})).await.problem(403);
        who.delete(&path).await.problem(403);
        who.post(&format!("{path}/members"), json!({"username": "alice", "role": "viewer"})).await.problem(403);
        who.patch(&format!("{path}/members/{alice_member}"), json!({"role": "viewer"})).await.problem(403);
        who.patch(&format!("{path}/members/{carol_member}"), json!({"role": "editor"})).await.problem(403);
        who.delete(&format!("{path}/members/{alice_member}")).await.problem(403);
        who.post(&format!("{path}/transfer"), json!({"member_id": bob_member})).await.problem(403);
    }
    bob.delete(&format!("{path}/members/{carol_member}")).await.problem(403);
    assert_eq!(activity_rows(&app, project).await, before, "refused changes write no activity");
    assert_eq!(alice.get(&path).await.json()["name"], "Garden");

    // Owners change roles; the change is seen on the member's next request.
    let promoted = alice.patch(&format!("{path}/members/{carol_member}"), json!({"role": "owner"})).await;
    assert_eq!(promoted.status, 200, "{}", promoted.body);
    assert_eq!(promoted.json()["role"], "owner");
    assert_eq!(carol.get(&path).await.json()["my_role"], "owner");
    assert_eq!(carol.patch(&path, json!({"colour": "#aa00cc"})).await.status, 200);
    assert_eq!(activity(&alice, project).await["items"][1]["summary"], "alice made carol an owner");
}

#[tokio::test]
async fn a_project_always_keeps_an_owner() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    connect(&alice, &bob).await;
    connect(&alice, &carol).await;
    let project = id(&create(&alice, json!({"name": "Garden"})).await);
    let path = format!("/api/projects/{project}");
    let bob_member = id(&add(&alice, project, &bob, "editor").await);
    let carol_member = id(&add(&alice, project, &carol, "viewer").await);
    let alice_member = id(&alice.get(&format!("{path}/members")).await.json()["items"][0]);
    let before = activity_rows(&app, project).await;

    // The last owner can neither be demoted nor leave.
    alice.patch(&format!("{path}/members/{alice_member}"), json!({"role": "editor"})).await.problem(409);
    alice.delete(&format!("{path}/members/{alice_member}")).await.problem(409);
    assert_eq!(activity_rows(&app, project).await, before, "a refused change leaves no activity row");
    assert_eq!(alice.get(&path).await.json()["my_role"], "owner");

    // Transfer: bob becomes the owner, alice an editor, in one step.
    let transferred = alice.post(&format!("{path}/transfer"), json!({"member_id": bob_member})).await;
    assert_eq!(transferred.status, 200, "{}", transferred.body);
    let page = transferred.json();
    assert_eq!(page["total"], 3);
    let roles: Vec<(&str, &str)> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["user"]["username"].as_str().unwrap(), m["role"].as_str().unwrap()))
        .collect();
    assert_eq!(roles, [("bob", "owner"), ("alice", "editor"), ("carol", "viewer")]);
    assert_eq!(alice.get(&path).await.json()["my_role"], "editor");
    alice.patch(&path, json!({"name": "Still mine?"})).await.problem(403);
    assert_eq!(activity(&bob, project).await["items"][0]["summary"], "alice handed ownership to bob");
    assert_eq!(activity(&bob, project).await["items"][0]["action"], "ownership_transferred");

    // bob is now the last owner: transfer to himself or a foreign member id is a field error.
    let myself = bob.post(&format!("{path}/transfer"), json!({"member_id": bob_member})).await.problem(422);
    assert_eq!(fields_of(&myself), ["member_id"]);
    bob.delete(&format!("{path}/members/{bob_member}")).await.problem(409);
    let other = id(&create(&bob, json!({"name": "Other"})).await);
    let foreign = id(&bob.get(&format!("/api/projects/{other}/members")).await.json()["items"][0]);
    assert_eq!(
        fields_of(&bob.post(&format!("{path}/transfer"), json!({"member_id": foreign})).await.problem(422)),
        ["member_id"]
    );
    bob.post(&format!("{path}/transfer"), json!({"member_id": 999_999})).await.problem(422);

    // Two owners: either may now go.
    alice.patch(&format!("{path}/members/{carol_member}"), json!({"role": "owner"})).await.problem(403);
    assert_eq!(bob.patch(&format!("{path}/members/{carol_member}"), json!({"role": "owner"})).await.status, 200);
    assert_eq!(bob.delete(&format!("{path}/members/{bob_member}")).await.status, 204, "bob leaves");
    bob.get(&path).await.problem(404);
    carol.patch(&format!("{path}/members/{carol_member}"), json!({"role": "viewer"})).await.problem(409);
    let feed = activity(&carol, project).await;
    assert_eq!(feed["items"][0]["summary"], "bob left the project");
    assert_eq!(feed["items"][0]["action"], "member_left");
}

#[tokio::test]
async fn a_removal_takes_effect_at_once_with_the_assignments() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    connect(&alice, &bob).await;
    connect(&alice, &carol).await;
    let project = id(&create(&alice, json!({"name": "Garden"})).await);
    let other = id(&create(&alice, json!({"name": "House"})).await);
    let path = format!("/api/projects/{project}");
    let bob_member = id(&add(&alice, project, &bob, "editor").await);
    let carol_member = id(&add(&alice, project, &carol, "editor").await);
    add(&alice, other, &bob, "editor").await;
    let bob_id = user_id(&app, "bob").await;
    assigned_task(&app, project, bob_id).await;
    assigned_task(&app, project, bob_id).await;
    assigned_task(&app, other, bob_id).await;
    assigned_task(&app, project, user_id(&app, "carol").await).await;
    let counted = bob.get(&path).await.json();
    assert_eq!(counted["task_count"], 4 - 1, "task_count counts this project's tasks");
    assert_eq!(assignments(&app, bob_id).await, 3);

    assert_eq!(alice.delete(&format!("{path}/members/{bob_member}")).await.status, 204);
    bob.get(&path).await.problem(404);
    bob.get(&format!("{path}/members")).await.problem(404);
    bob.get(&format!("{path}/activity")).await.problem(404);
    bob.delete(&format!("{path}/members/{bob_member}")).await.problem(404);
    assert_eq!(assignments(&app, bob_id).await, 1, "only the other project's assignment stays");
    assert_eq!(bob.get("/api/projects").await.json()["total"], 1);
    alice.delete(&format!("{path}/members/{bob_member}")).await.problem(404);

    // carol leaves herself; her assignment goes too.
    assert_eq!(carol.delete(&format!("{path}/members/{carol_member}")).await.status, 204);
    carol.get(&path).await.problem(404);
    assert_eq!(assignments(&app, user_id(&app, "carol").await).await, 0);
    let feed = activity(&alice, project).await;
    let summaries: Vec<&str> =
        feed["items"].as_array().unwrap().iter().map(|a| a["summary"].as_str().unwrap()).collect();
    assert_eq!(summaries[..2], ["carol left the project", "alice removed bob from the project"]);
    // Re-adding works (a fresh membership).
    add(&alice, project, &bob, "viewer").await;
    assert_eq!(bob.get(&path).await.json()["my_role"], "viewer");
}

/// A non-member's view of a project: 404 on every verb of every route.
async fn matrix(who: &Persona<'_>, path: &str, member: i64) {
    who.get(path).await.problem(404);
    who.patch(path, json!({"name": "Mine"})).await.problem(404);
    who.delete(path).await.problem(404);
    who.get(&format!("{path}/members")).await.problem(404);
    who.post(&format!("{path}/members"), json!({"username": "alice", "role": "owner"})).await.problem(404);
    who.patch(&format!("{path}/members/{member}"), json!({"role": "viewer"})).await.problem(404);
    who.delete(&format!("{path}/members/{member}")).await.problem(404);
    who.post(&format!("{path}/transfer"), json!({"member_id": member})).await.problem(404);
    who.get(&format!("{path}/activity")).await.problem(404);
}

#[tokio::test]
async fn non_members_and_foreign_ids_are_404_everywhere() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let eve = app.user("eve").await;
    connect(&alice, &bob).await;
    connect(&alice, &eve).await;
    let project = id(&create(&alice, json!({"name": "Garden"})).await);
    let path = format!("/api/projects/{project}");
    let bob_member = id(&add(&alice, project, &bob, "editor").await);
    let before = alice.get(&path).await.json();

    // eve is connected to alice but no member: 404 on every verb of every route.
    matrix(&eve, &path, bob_member).await;
    matrix(&alice, "/api/projects/999999", bob_member).await;
    assert_eq!(eve.get("/api/projects").await.json()["total"], 0);

    // A member id of another project in this project's path.
    let eves = id(&create(&eve, json!({"name": "Eve's"})).await);
    let eve_member = id(&eve.get(&format!("/api/projects/{eves}/members")).await.json()["items"][0]);
    alice.patch(&format!("{path}/members/{eve_member}"), json!({"role": "viewer"})).await.problem(404);
    alice.delete(&format!("{path}/members/{eve_member}")).await.problem(404);
    alice.patch(&format!("{path}/members/999999"), json!({"role": "viewer"})).await.problem(404);
    bob.delete(&format!("{path}/members/{eve_member}")).await.problem(404);
    // ...and this project's member id under eve's project, by eve.
    eve.delete(&format!("/api/projects/{eves}/members/{bob_member}")).await.problem(404);
    eve.patch(&format!("/api/projects/{eves}/members/{bob_member}"), json!({"role": "owner"})).await.problem(404);
    assert_eq!(eve.get(&format!("/api/projects/{eves}/members")).await.json()["total"], 1);

    // A removed member is a non-member.
    assert_eq!(alice.delete(&format!("{path}/members/{bob_member}")).await.status, 204);
    matrix(&bob, &path, bob_member).await;

    let after = alice.get(&path).await.json();
    assert_eq!(
        (after["name"].clone(), after["updated_at"].clone()),
        (before["name"].clone(), before["updated_at"].clone())
    );
    assert_eq!(members(&alice, project).await, [("alice".to_string(), "owner".to_string())]);
}

#[tokio::test]
async fn the_feed_is_newest_first_with_actors_for_members_only() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    connect(&alice, &bob).await;
    assert_eq!(alice.patch("/api/settings", json!({"display_name": "Alice A."})).await.status, 200);
    let project = id(&create(&alice, json!({"name": "Garden"})).await);
    let path = format!("/api/projects/{project}");
    let bob_member = id(&add(&alice, project, &bob, "viewer").await);
    alice.patch(&format!("{path}/members/{bob_member}"), json!({"role": "editor"})).await;
    alice.patch(&path, json!({"description": "Beds and paths"})).await;
    // A patch that changes nothing writes nothing.
    alice.patch(&path, json!({"description": "Beds and paths"})).await;

    let feed = activity(&bob, project).await;
    assert_eq!(feed["total"], 4);
    let items = feed["items"].as_array().unwrap();
    let actions: Vec<&str> = items.iter().map(|a| a["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["project_updated", "member_role_changed", "member_added", "project_created"]);
    let summaries: Vec<&str> = items.iter().map(|a| a["summary"].as_str().unwrap()).collect();
    assert_eq!(
        summaries,
        [
            "Alice A. changed the project’s description",
            "Alice A. made bob an editor",
            "Alice A. added bob as a viewer",
            "Alice A. created the project"
        ]
    );
    assert_eq!(items[0]["actor"]["username"], "alice");
    assert_eq!(items[0]["actor"]["display_name"], "Alice A.");
    assert_eq!((items[0]["task_id"].clone(), items[0]["task_title"].clone()), (Value::Null, Value::Null));
    assert!(items[0]["id"].as_i64().unwrap() > items[1]["id"].as_i64().unwrap());
    let page = bob.get(&format!("{path}/activity?limit=1&offset=3")).await.json();
    assert_eq!((page["items"][0]["action"].clone(), page["total"].clone()), (json!("project_created"), json!(4)));
    bob.get(&format!("{path}/activity?limit=501")).await.problem(422);

    // Task actions written by the tasks part read as sentences too.
    sqlx::query(
        "INSERT INTO project_activity (project_id, actor_id, action, task_id, task_title, detail, created_at) \
         VALUES ($1, $2, 'task_moved', 7, 'Paint', '{\"from\": \"todo\", \"to\": \"done\"}', 0)",
    )
    .bind(project)
    .bind(user_id(&app, "bob").await)
    .execute(app.db.pool())
    .await
    .unwrap();
    let moved = activity(&alice, project).await["items"][0].clone();
    assert_eq!(moved["summary"], "bob moved “Paint” from To do to Done");
    assert_eq!((moved["task_id"].clone(), moved["task_title"].clone()), (json!(7), json!("Paint")));

    let stranger = app.user("eve").await;
    stranger.get(&format!("{path}/activity")).await.problem(404);
}

#[tokio::test]
async fn deleting_an_account_keeps_its_projects_owned() {
    let app = app().await;
    let admin = app.admin().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    connect(&alice, &bob).await;
    connect(&alice, &carol).await;
    let shared = id(&create(&alice, json!({"name": "Garden"})).await);
    add(&alice, shared, &bob, "viewer").await;
    app.clock.advance_minutes(1);
    add(&alice, shared, &carol, "editor").await;
    let alone = id(&create(&alice, json!({"name": "Diary"})).await);
    let co_owned = id(&create(&alice, json!({"name": "House"})).await);
    add(&alice, co_owned, &carol, "owner").await;
    add(&alice, co_owned, &bob, "viewer").await;
    let member_of = id(&create(&carol, json!({"name": "Carol's"})).await);
    connect(&carol, &bob).await;
    add(&carol, member_of, &bob, "editor").await;
    let bob_id = user_id(&app, "bob").await;
    assigned_task(&app, member_of, bob_id).await;

    // bob, a plain member, goes: his memberships and assignments cascade.
    assert_eq!(admin.delete(&format!("/api/admin/users/{bob_id}")).await.status, 204);
    assert_eq!(members(&carol, member_of).await, [("carol".to_string(), "owner".to_string())]);
    assert_eq!(assignments(&app, bob_id).await, 0);

    // alice, the only owner of Garden: the longest-standing remaining member (carol now,
    // bob being gone) becomes its owner; House keeps carol; Diary, with nobody left, goes.
    let alice_id = user_id(&app, "alice").await;
    assert_eq!(admin.delete(&format!("/api/admin/users/{alice_id}")).await.status, 204);
    assert_eq!(members(&carol, shared).await, [("carol".to_string(), "owner".to_string())]);
    assert_eq!(carol.get(&format!("/api/projects/{shared}")).await.json()["my_role"], "owner");
    assert_eq!(members(&carol, co_owned).await, [("carol".to_string(), "owner".to_string())]);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM projects WHERE id = $1")
        .bind(alone)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(left, 0, "a project nobody can see any more is deleted");
    let feed = activity(&carol, shared).await;
    assert_eq!(feed["items"][0]["actor"], Value::Null, "the deleted account's entries stay, without an actor");
    assert!(feed["items"][0]["summary"].as_str().unwrap().starts_with("A former member"));
}

#[tokio::test]
async fn the_longest_standing_member_succeeds_a_deleted_owner() {
    let app = app().await;
    let admin = app.admin().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    connect(&alice, &bob).await;
    connect(&alice, &carol).await;
    let project = id(&create(&alice, json!({"name": "Garden"})).await);
    add(&alice, project, &carol, "viewer").await;
    app.clock.advance_minutes(1);
    add(&alice, project, &bob, "editor").await;
    let alice_id = user_id(&app, "alice").await;
    assert_eq!(admin.delete(&format!("/api/admin/users/{alice_id}")).await.status, 204);
    assert_eq!(
        members(&bob, project).await,
        [("carol".to_string(), "owner".to_string()), ("bob".to_string(), "editor".to_string())],
        "carol joined first, so carol is the owner (not the higher role)"
    );
}

#[tokio::test]
async fn signed_out_is_401_and_locked_is_423() {
    let app = app().await;
    let alice = app.user("alice").await;
    let project = id(&create(&alice, json!({"name": "Garden"})).await);
    let path = format!("/api/projects/{project}");
    let member = id(&alice.get(&format!("{path}/members")).await.json()["items"][0]);
    let anonymous = app.anonymous();
    anonymous.get("/api/projects").await.problem(401);
    anonymous.post("/api/projects", json!({"name": "x"})).await.problem(401);
    anonymous.get(&path).await.problem(401);
    anonymous.get(&format!("{path}/activity")).await.problem(401);

    assert_eq!(alice.post_empty("/api/auth/lock").await.status, 204);
    alice.get("/api/projects").await.problem(423);
    alice.post("/api/projects", json!({"name": "x"})).await.problem(423);
    alice.get(&path).await.problem(423);
    alice.patch(&path, json!({"name": "x"})).await.problem(423);
    alice.delete(&path).await.problem(423);
    alice.get(&format!("{path}/members")).await.problem(423);
    alice.post(&format!("{path}/members"), json!({"username": "bob", "role": "viewer"})).await.problem(423);
    alice.patch(&format!("{path}/members/{member}"), json!({"role": "viewer"})).await.problem(423);
    alice.delete(&format!("{path}/members/{member}")).await.problem(423);
    alice.post(&format!("{path}/transfer"), json!({"member_id": member})).await.problem(423);
    alice.get(&format!("{path}/activity")).await.problem(423);
}

#[tokio::test]
async fn two_owners_leaving_at_once_leave_one_owner() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    connect(&alice, &bob).await;
    let project = id(&create(&alice, json!({"name": "Garden"})).await);
    let path = format!("/api/projects/{project}");
    let bob_member = id(&add(&alice, project, &bob, "owner").await);
    let alice_member = id(&alice.get(&format!("{path}/members")).await.json()["items"][0]);
    let (bobs, alices) = (format!("{path}/members/{bob_member}"), format!("{path}/members/{alice_member}"));
    let (first, second) = tokio::join!(alice.delete(&alices), bob.delete(&bobs));
    let mut statuses = [first.status, second.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [204, 409], "one leaves, the other is then the last owner");
    let owners: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM project_members WHERE project_id = $1 AND role = 'owner'")
            .bind(project)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(owners, 1);
}

#[tokio::test]
async fn an_owner_deleted_while_the_other_owner_leaves_leaves_an_owner() {
    // Whichever commits first, the project keeps an owner: the deletion hands a project it
    // owns alone to its longest-standing member, and the last owner cannot leave. On
    // PostgreSQL this needs the deletion to lock the user's projects before choosing.
    let app = app().await;
    let admin = app.admin().await;
    for round in 0..6 {
        let alice = app.user(&format!("alice{round}")).await;
        let bob = app.user(&format!("bob{round}")).await;
        let carol = app.user(&format!("carol{round}")).await;
        connect(&alice, &bob).await;
        connect(&alice, &carol).await;
        let project = id(&create(&alice, json!({"name": "Garden"})).await);
        add(&alice, project, &carol, "editor").await;
        let bob_member = id(&add(&alice, project, &bob, "owner").await);
        let alice_id = user_id(&app, &alice.username).await;
        let leaving = format!("/api/projects/{project}/members/{bob_member}");
        let deleting = format!("/api/admin/users/{alice_id}");
        let (deleted, left) = tokio::join!(admin.delete(&deleting), bob.delete(&leaving));
        assert_eq!(deleted.status, 204, "{}", deleted.body);
        assert!([204, 409].contains(&left.status), "{}", left.body);
        let owners: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM project_members WHERE project_id = $1 AND role = 'owner'")
                .bind(project)
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(owners, 1, "round {round}: bob {}", left.status);
    }
}
