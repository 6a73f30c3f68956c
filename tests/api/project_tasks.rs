//! Project tasks and comments (`/api/projects/{id}/tasks…`): who may read and write (viewers
//! read, editors and owners write, non-members get 404 on every verb), ids of other projects
//! in paths and bodies, assignees that must be members, positions on the board through
//! creates, moves and status changes, filters, comments and their permissions, the
//! notifications (in-app and queued pushes) and the activity rows each change writes.
//! Projects and members are made with SQL here: their API belongs to another module.

use serde_json::{Value, json};

use crate::harness::{Persona, TestApp, app};

async fn user_id(app: &TestApp, username: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

/// A project with these members (`(username, role)`), the first its creator.
async fn project(app: &TestApp, name: &str, members: &[(&str, &str)]) -> i64 {
    let creator = user_id(app, members[0].0).await;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO projects (created_by, name, created_at, updated_at) VALUES ($1, $2, 1, 1) RETURNING id",
    )
    .bind(creator)
    .bind(name)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    for (username, role) in members {
        add_member(app, id, username, role).await;
    }
    id
}

async fn add_member(app: &TestApp, project: i64, username: &str, role: &str) {
    let user = user_id(app, username).await;
    sqlx::query("INSERT INTO project_members (project_id, user_id, role, created_at) VALUES ($1, $2, $3, 1)")
        .bind(project)
        .bind(user)
        .bind(role)
        .execute(app.db.pool())
        .await
        .unwrap();
}

/// alice owns "Home" with bob (editor) and carol (viewer); dave is signed in, not a member.
struct Cast<'a> {
    alice: Persona<'a>,
    bob: Persona<'a>,
    carol: Persona<'a>,
    dave: Persona<'a>,
    project: i64,
}

async fn cast(app: &TestApp) -> Cast<'_> {
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    let dave = app.user("dave").await;
    let project = project(app, "Home", &[("alice", "owner"), ("bob", "editor"), ("carol", "viewer")]).await;
    Cast { alice, bob, carol, dave, project }
}

fn tasks_path(project: i64) -> String {
    format!("/api/projects/{project}/tasks")
}

fn id(value: &Value) -> i64 {
    value["id"].as_i64().unwrap_or_else(|| panic!("no id in {value}"))
}

async fn create_task(who: &Persona<'_>, project: i64, body: Value) -> Value {
    let response = who.post(&tasks_path(project), body).await;
    assert_eq!(response.status, 201, "{}", response.body);
    response.json()
}

/// The field names of a 422.
fn fields(response: &crate::harness::Resp) -> Vec<String> {
    let problem = response.problem(422);
    problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect()
}

/// Titles of the project's tasks in board order (optionally of one column).
async fn titles(who: &Persona<'_>, project: i64, query: &str) -> Vec<String> {
    let response = who.get(&format!("{}{query}", tasks_path(project))).await;
    assert_eq!(response.status, 200, "{}", response.body);
    response.json()["items"].as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap().to_string()).collect()
}

async fn notifications(who: &Persona<'_>) -> Vec<Value> {
    let response = who.get("/api/notifications").await;
    assert_eq!(response.status, 200, "{}", response.body);
    response.json()["items"].as_array().unwrap().clone()
}

async fn kinds(who: &Persona<'_>) -> Vec<String> {
    let mut kinds: Vec<String> =
        notifications(who).await.iter().map(|n| n["type"].as_str().unwrap().to_string()).collect();
    kinds.sort();
    kinds
}

/// `(action, task_title, detail)` of the project's activity, oldest first.
async fn activity(app: &TestApp, project: i64) -> Vec<(String, Option<String>, Value)> {
    let rows: Vec<(String, Option<String>, String)> =
        sqlx::query_as("SELECT action, task_title, detail FROM project_activity WHERE project_id = $1 ORDER BY id")
            .bind(project)
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    rows.into_iter().map(|(action, title, detail)| (action, title, serde_json::from_str(&detail).unwrap())).collect()
}

fn actions(entries: &[(String, Option<String>, Value)]) -> Vec<&str> {
    entries.iter().map(|(action, _, _)| action.as_str()).collect()
}

#[tokio::test]
async fn a_task_is_created_read_changed_and_deleted_with_its_activity() {
    let app = app().await;
    let c = cast(&app).await;
    sqlx::query("INSERT INTO user_settings (user_id, display_name, updated_at) VALUES ($1, 'Bob B.', 1)")
        .bind(user_id(&app, "bob").await)
        .execute(app.db.pool())
        .await
        .unwrap();
    let task = create_task(
        &c.bob,
        c.project,
        json!({"title": "  Paint the fence ", "notes": "White", "priority": "high", "due_date": "2027-05-01",
               "checklist": [{"text": "Buy paint"}, {"text": "Brushes", "done": true}]}),
    )
    .await;
    assert_eq!(task["title"], "Paint the fence");
    assert_eq!(task["project_id"], c.project);
    assert_eq!((task["status"].clone(), task["priority"].clone()), (json!("todo"), json!("high")));
    assert_eq!(task["due_date"], "2027-05-01");
    assert_eq!(task["checklist"], json!([{"text": "Buy paint", "done": false}, {"text": "Brushes", "done": true}]));
    assert_eq!(
        task["created_by"],
        json!({"id": user_id(&app, "bob").await, "username": "bob", "display_name": "Bob B."})
    );
    assert_eq!((task["assignees"].clone(), task["comment_count"].clone()), (json!([]), json!(0)));
    assert_eq!(task["completed_at"], Value::Null);
    assert!(task["created_at"].as_str().unwrap().ends_with('Z'));
    let path = format!("{}/{}", tasks_path(c.project), id(&task));

    // Viewers read; everyone in the project sees the same task.
    assert_eq!(c.carol.get(&path).await.json()["title"], "Paint the fence");
    assert_eq!(c.alice.get(&path).await.json()["id"], task["id"]);

    let changed = c.alice.patch(&path, json!({"notes": null, "due_date": null, "priority": "low"})).await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    let changed = changed.json();
    assert_eq!((changed["notes"].clone(), changed["due_date"].clone()), (json!(""), Value::Null));
    assert_eq!(changed["priority"], "low");
    assert_eq!(changed["title"], "Paint the fence", "absent fields stay");
    assert_eq!(fields(&c.alice.patch(&path, json!({"title": null, "status": null})).await), ["title", "status"]);
    assert_eq!(fields(&c.alice.patch(&path, json!({"title": " "})).await), ["title"]);

    assert_eq!(c.bob.delete(&path).await.status, 204);
    c.bob.get(&path).await.problem(404);
    c.bob.delete(&path).await.problem(404);

    let feed = activity(&app, c.project).await;
    assert_eq!(actions(&feed), ["task_created", "task_updated", "task_deleted"]);
    assert_eq!(feed[1].2, json!({"fields": ["notes", "priority", "due_date"]}));
    assert!(feed.iter().all(|(_, title, _)| title.as_deref() == Some("Paint the fence")));
}

#[tokio::test]
async fn viewers_read_and_outsiders_find_nothing() {
    let app = app().await;
    let c = cast(&app).await;
    let task = create_task(&c.alice, c.project, json!({"title": "Paint"})).await;
    let base = tasks_path(c.project);
    let path = format!("{base}/{}", id(&task));
    let comment = c.alice.post(&format!("{path}/comments"), json!({"body": "first"})).await.json();
    let comment_path = format!("{path}/comments/{}", id(&comment));

    // A viewer reads everything but writes nothing.
    assert_eq!(c.carol.get(&base).await.status, 200);
    assert_eq!(c.carol.get(&format!("{path}/comments")).await.status, 200);
    c.carol.post(&base, json!({"title": "Mine"})).await.problem(403);
    c.carol.patch(&path, json!({"title": "Mine"})).await.problem(403);
    c.carol.post(&format!("{path}/move"), json!({"status": "done"})).await.problem(403);
    c.carol.post(&format!("{path}/comments"), json!({"body": "hi"})).await.problem(403);
    c.carol.delete(&comment_path).await.problem(403);
    c.carol.delete(&path).await.problem(403);

    // Not a member: 404 on every verb, with bodies that would otherwise be valid.
    let dave = &c.dave;
    dave.get(&base).await.problem(404);
    dave.post(&base, json!({"title": "x"})).await.problem(404);
    dave.get(&path).await.problem(404);
    dave.patch(&path, json!({"title": "x"})).await.problem(404);
    dave.post(&format!("{path}/move"), json!({"status": "done"})).await.problem(404);
    dave.get(&format!("{path}/comments")).await.problem(404);
    dave.post(&format!("{path}/comments"), json!({"body": "x"})).await.problem(404);
    dave.patch(&comment_path, json!({"body": "x"})).await.problem(404);
    dave.delete(&comment_path).await.problem(404);
    dave.delete(&path).await.problem(404);
    // Same answer as for a project that does not exist.
    dave.get("/api/projects/999999/tasks").await.problem(404);
    dave.get(&format!("/api/projects/999999/tasks/{}", id(&task))).await.problem(404);

    // A member removed is an outsider from the next request on.
    sqlx::query("DELETE FROM project_members WHERE user_id = $1")
        .bind(user_id(&app, "carol").await)
        .execute(app.db.pool())
        .await
        .unwrap();
    c.carol.get(&path).await.problem(404);
    assert_eq!(c.alice.get(&path).await.json()["comment_count"], 1);
}

#[tokio::test]
async fn ids_of_another_project_are_not_found_or_invalid() {
    let app = app().await;
    let c = cast(&app).await;
    // bob edits a second project too: he can see both, but not mix them.
    let other = project(&app, "Work", &[("bob", "owner")]).await;
    let here = create_task(&c.bob, c.project, json!({"title": "Here"})).await;
    let also = create_task(&c.bob, c.project, json!({"title": "Also here"})).await;
    let doing = create_task(&c.bob, c.project, json!({"title": "Doing", "status": "in_progress"})).await;
    let there = create_task(&c.bob, other, json!({"title": "There"})).await;
    let comment = c.bob.post(&format!("{}/{}/comments", tasks_path(other), id(&there)), json!({"body": "x"})).await;
    let comment = comment.json();

    let crossed = format!("{}/{}", tasks_path(c.project), id(&there));
    c.bob.get(&crossed).await.problem(404);
    c.bob.patch(&crossed, json!({"title": "x"})).await.problem(404);
    c.bob.post(&format!("{crossed}/move"), json!({"status": "done"})).await.problem(404);
    c.bob.get(&format!("{crossed}/comments")).await.problem(404);
    c.bob.post(&format!("{crossed}/comments"), json!({"body": "x"})).await.problem(404);
    c.bob.delete(&crossed).await.problem(404);
    // A comment of another task (of another project) under this task's path.
    let under_here = format!("{}/{}/comments/{}", tasks_path(c.project), id(&here), id(&comment));
    c.bob.patch(&under_here, json!({"body": "y"})).await.problem(404);
    c.bob.delete(&under_here).await.problem(404);
    assert_eq!(c.bob.get(&format!("{}/{}/comments", tasks_path(other), id(&there))).await.json()["total"], 1);

    // Anchors of another project or column, or both anchors: 422 naming the field.
    let moving = format!("{}/{}/move", tasks_path(c.project), id(&here));
    assert_eq!(fields(&c.bob.post(&moving, json!({"status": "todo", "before_id": id(&there)})).await), ["before_id"]);
    assert_eq!(fields(&c.bob.post(&moving, json!({"status": "todo", "after_id": id(&doing)})).await), ["after_id"]);
    assert_eq!(fields(&c.bob.post(&moving, json!({"status": "todo", "after_id": 999_999})).await), ["after_id"]);
    assert_eq!(fields(&c.bob.post(&moving, json!({"status": "todo", "before_id": id(&here)})).await), ["before_id"]);
    let both = json!({"status": "todo", "before_id": id(&also), "after_id": id(&also)});
    assert_eq!(fields(&c.bob.post(&moving, both).await), ["after_id"]);
    assert_eq!(titles(&c.bob, c.project, "").await, ["Here", "Also here", "Doing"], "nothing moved");
    assert_eq!(titles(&c.bob, other, "").await, ["There"]);
}

#[tokio::test]
async fn assignees_are_members_and_are_told() {
    let app = app().await;
    let c = cast(&app).await;
    let (alice_id, bob_id, carol_id, dave_id) = (
        user_id(&app, "alice").await,
        user_id(&app, "bob").await,
        user_id(&app, "carol").await,
        user_id(&app, "dave").await,
    );
    let base = tasks_path(c.project);
    // A real user who is not a member, and an id nobody has: both 422 on assignee_ids.
    assert_eq!(fields(&c.bob.post(&base, json!({"title": "x", "assignee_ids": [dave_id]})).await), ["assignee_ids"]);
    assert_eq!(fields(&c.bob.post(&base, json!({"title": "x", "assignee_ids": [999_999]})).await), ["assignee_ids"]);
    assert_eq!(titles(&c.bob, c.project, "").await, Vec::<String>::new());

    let task =
        create_task(&c.bob, c.project, json!({"title": "Paint", "assignee_ids": [carol_id, bob_id, carol_id]})).await;
    let names: Vec<&str> =
        task["assignees"].as_array().unwrap().iter().map(|a| a["username"].as_str().unwrap()).collect();
    assert_eq!(names, ["bob", "carol"], "duplicates collapse");
    // carol is told; bob assigned himself and is not.
    assert_eq!(kinds(&c.carol).await, ["task_assigned"]);
    assert!(kinds(&c.bob).await.is_empty());
    let notice = &notifications(&c.carol).await[0];
    assert_eq!(notice["title"], "bob assigned you “Paint”");
    assert_eq!(notice["link"], format!("/projects/{}?task={}", c.project, id(&task)));

    // A PATCH tells only the newly assigned; removing is silent.
    let path = format!("{base}/{}", id(&task));
    assert_eq!(fields(&c.bob.patch(&path, json!({"assignee_ids": [alice_id, dave_id]})).await), ["assignee_ids"]);
    let changed = c.bob.patch(&path, json!({"assignee_ids": [alice_id, carol_id]})).await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.json()["assignees"].as_array().unwrap().len(), 2);
    assert_eq!(kinds(&c.alice).await, ["task_assigned"]);
    assert_eq!(kinds(&c.carol).await, ["task_assigned"], "carol stayed assigned: not told again");
    let cleared = c.bob.patch(&path, json!({"assignee_ids": null})).await.json();
    assert_eq!(cleared["assignees"], json!([]));

    let feed = activity(&app, c.project).await;
    assert_eq!(
        actions(&feed),
        ["task_created", "task_assigned", "task_updated", "task_assigned", "task_updated"],
        "{feed:?}"
    );
    assert_eq!(feed[1].2, json!({"username": "carol"}));
    assert_eq!(feed[3].2, json!({"username": "alice"}));
    assert_eq!(feed[4].2, json!({"fields": ["assignee_ids"]}));
}

/// `(title, position)` of a column in order.
async fn column(who: &Persona<'_>, project: i64, status: &str) -> Vec<(String, i64)> {
    let page = who.get(&format!("{}?status={status}", tasks_path(project))).await.json();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["title"].as_str().unwrap().to_string(), t["position"].as_i64().unwrap()))
        .collect()
}

fn order(column: &[(String, i64)]) -> Vec<&str> {
    column.iter().map(|(title, _)| title.as_str()).collect()
}

#[tokio::test]
async fn tasks_move_on_the_board_and_columns_renumber() {
    let app = app().await;
    let c = cast(&app).await;
    let mut ids = std::collections::HashMap::new();
    for title in ["A", "B", "C", "D"] {
        ids.insert(title, id(&create_task(&c.bob, c.project, json!({"title": title})).await));
    }
    let todo = column(&c.bob, c.project, "todo").await;
    assert_eq!(order(&todo), ["A", "B", "C", "D"], "a new task goes at the end");
    assert!(todo.windows(2).all(|w| w[0].1 < w[1].1));
    let move_to = |title: &'static str, body: Value| {
        let path = format!("{}/{}/move", tasks_path(c.project), ids[title]);
        let bob = &c.bob;
        async move {
            let response = bob.post(&path, body).await;
            assert_eq!(response.status, 200, "{}", response.body);
            response.json()
        }
    };

    move_to("D", json!({"status": "todo", "before_id": ids["A"]})).await;
    assert_eq!(order(&column(&c.bob, c.project, "todo").await), ["D", "A", "B", "C"]);
    move_to("D", json!({"status": "todo", "after_id": ids["B"]})).await;
    assert_eq!(order(&column(&c.bob, c.project, "todo").await), ["A", "B", "D", "C"]);
    move_to("A", json!({"status": "todo"})).await;
    assert_eq!(order(&column(&c.bob, c.project, "todo").await), ["B", "D", "C", "A"]);
    // Dropped back where it was: nothing moves and the activity log says nothing.
    let logged = activity(&app, c.project).await.len();
    let before = column(&c.bob, c.project, "todo").await;
    move_to("D", json!({"status": "todo", "after_id": ids["B"]})).await;
    move_to("A", json!({"status": "todo"})).await;
    move_to("B", json!({"status": "todo", "before_id": ids["D"]})).await;
    assert_eq!(column(&c.bob, c.project, "todo").await, before, "same order, same positions");
    assert_eq!(activity(&app, c.project).await.len(), logged);

    // Into another column: completed_at is set in done and cleared on leaving it.
    let done = move_to("C", json!({"status": "done"})).await;
    assert_eq!(done["status"], "done");
    assert!(done["completed_at"].is_string());
    let done = move_to("B", json!({"status": "done", "before_id": ids["C"]})).await;
    assert!(done["completed_at"].is_string());
    assert_eq!(order(&column(&c.bob, c.project, "done").await), ["B", "C"]);
    let back = move_to("C", json!({"status": "in_progress"})).await;
    assert_eq!((back["status"].clone(), back["completed_at"].clone()), (json!("in_progress"), Value::Null));
    assert_eq!(titles(&c.bob, c.project, "").await, ["D", "A", "C", "B"], "columns left to right");

    // Neighbours with no gap between them: the column is renumbered.
    for (title, position) in [("D", 1), ("A", 2)] {
        sqlx::query("UPDATE project_tasks SET position = $1 WHERE id = $2")
            .bind(position)
            .bind(ids[title])
            .execute(app.db.pool())
            .await
            .unwrap();
    }
    move_to("B", json!({"status": "todo", "after_id": ids["D"]})).await;
    let todo = column(&c.bob, c.project, "todo").await;
    assert_eq!(order(&todo), ["D", "B", "A"]);
    assert!(todo.windows(2).all(|w| w[1].1 - w[0].1 >= 2), "gaps again: {todo:?}");
    move_to("A", json!({"status": "todo", "before_id": ids["D"]})).await;
    assert_eq!(order(&column(&c.bob, c.project, "todo").await), ["A", "D", "B"]);

    // Many moves to the front exhaust the gap below the first task; the order stays right.
    for round in 0..14 {
        let (mover, anchor) = if round % 2 == 0 { ("B", "A") } else { ("A", "B") };
        move_to(mover, json!({"status": "todo", "before_id": ids[anchor]})).await;
        assert_eq!(order(&column(&c.bob, c.project, "todo").await)[0], mover);
    }

    let feed = activity(&app, c.project).await;
    let moves: Vec<&Value> = feed.iter().filter(|(a, _, _)| a == "task_moved").map(|(_, _, d)| d).collect();
    assert_eq!(moves[0], &json!({"from": "todo", "to": "todo"}));
    assert!(moves.contains(&&json!({"from": "todo", "to": "done"})));
    assert!(moves.contains(&&json!({"from": "done", "to": "in_progress"})));
}

#[tokio::test]
async fn a_status_change_by_patch_goes_to_the_end_of_the_new_column() {
    let app = app().await;
    let c = cast(&app).await;
    let first = create_task(&c.alice, c.project, json!({"title": "First", "status": "done"})).await;
    assert!(first["completed_at"].is_string(), "created done");
    let second = create_task(&c.alice, c.project, json!({"title": "Second"})).await;
    let path = format!("{}/{}", tasks_path(c.project), id(&second));
    let moved = c.alice.patch(&path, json!({"status": "done"})).await.json();
    assert!(moved["completed_at"].is_string());
    assert!(moved["position"].as_i64().unwrap() > first["position"].as_i64().unwrap());
    assert_eq!(order(&column(&c.alice, c.project, "done").await), ["First", "Second"]);
    // Another field changed while done keeps the completion time.
    let renamed = c.alice.patch(&path, json!({"title": "Second!"})).await.json();
    assert_eq!(renamed["completed_at"], moved["completed_at"]);
    assert_eq!(renamed["position"], moved["position"]);
    let reopened = c.alice.patch(&path, json!({"status": "todo"})).await.json();
    assert_eq!(reopened["completed_at"], Value::Null);
    // position is read-only.
    assert_eq!(fields(&c.alice.patch(&path, json!({"position": 1})).await), ["position"]);

    let feed = activity(&app, c.project).await;
    let last: Vec<&(String, Option<String>, Value)> = feed.iter().rev().take(3).collect();
    assert_eq!(last[0].0, "task_moved");
    assert_eq!(last[0].2, json!({"from": "done", "to": "todo"}));
    assert_eq!((last[1].0.as_str(), &last[1].2), ("task_updated", &json!({"fields": ["title"]})));
}

#[tokio::test]
async fn tasks_filter_by_status_assignee_and_text_and_page() {
    let app = app().await;
    let c = cast(&app).await;
    let bob_id = user_id(&app, "bob").await;
    create_task(&c.alice, c.project, json!({"title": "Paint the ÉTAGÈRE", "assignee_ids": [bob_id]})).await;
    create_task(&c.alice, c.project, json!({"title": "Mow", "notes": "Front LAWN", "status": "blocked"})).await;
    create_task(&c.alice, c.project, json!({"title": "Sweep 100%", "status": "done", "assignee_ids": [bob_id]})).await;
    assert_eq!(titles(&c.bob, c.project, "?status=blocked").await, ["Mow"]);
    assert_eq!(titles(&c.bob, c.project, "?assignee=me").await, ["Paint the ÉTAGÈRE", "Sweep 100%"]);
    assert!(titles(&c.alice, c.project, "?assignee=me").await.is_empty());
    assert_eq!(titles(&c.carol, c.project, "?q=%C3%A9tag%C3%A8re").await, ["Paint the ÉTAGÈRE"]);
    assert_eq!(titles(&c.carol, c.project, "?q=lawn").await, ["Mow"], "notes are searched");
    assert_eq!(titles(&c.carol, c.project, "?q=100%25").await, ["Sweep 100%"]);
    assert!(titles(&c.carol, c.project, "?q=_").await.is_empty(), "LIKE wildcards match literally");
    assert_eq!(titles(&c.bob, c.project, "?assignee=me&status=done&q=sweep").await, ["Sweep 100%"]);

    let page = c.bob.get(&format!("{}?limit=1&offset=1", tasks_path(c.project))).await.json();
    assert_eq!((page["total"].clone(), page["limit"].clone(), page["offset"].clone()), (json!(3), json!(1), json!(1)));
    assert_eq!(page["items"][0]["title"], "Mow");
    assert_eq!(c.bob.get(&tasks_path(c.project)).await.json()["limit"], 200);

    for (query, field) in
        [("?status=open", "status"), ("?assignee=bob", "assignee"), ("?limit=0", "limit"), ("?offset=-1", "offset")]
    {
        let response = c.bob.get(&format!("{}{query}", tasks_path(c.project))).await;
        assert_eq!(fields(&response), [field], "{query}");
    }
    let long = c.bob.get(&format!("{}?q={}", tasks_path(c.project), "x".repeat(201))).await;
    assert_eq!(fields(&long), ["q"]);
}

#[tokio::test]
async fn comments_are_posted_edited_by_their_authors_and_moderated_by_owners() {
    let app = app().await;
    let c = cast(&app).await;
    add_member(&app, c.project, "dave", "editor").await;
    let task = create_task(&c.alice, c.project, json!({"title": "Paint"})).await;
    let comments = format!("{}/{}/comments", tasks_path(c.project), id(&task));
    let posted = c.bob.post(&comments, json!({"body": "Which white, @alice? Ask @nobody"})).await;
    assert_eq!(posted.status, 201, "{}", posted.body);
    let posted = posted.json();
    assert_eq!(posted["author"]["username"], "bob");
    assert_eq!(posted["task_id"], task["id"]);
    assert_eq!(posted["mentions"], json!(["alice"]), "only members are mentions");
    assert_eq!(
        (posted["edited"].clone(), posted["can_edit"].clone(), posted["can_delete"].clone()),
        (json!(false), json!(true), json!(true))
    );
    let second = c.dave.post(&comments, json!({"body": "Eggshell"})).await.json();
    let bob_comment = format!("{comments}/{}", id(&posted));
    let dave_comment = format!("{comments}/{}", id(&second));

    // How each member sees them: the owner may delete any, nobody edits another's.
    let seen = c.alice.get(&comments).await.json();
    assert_eq!(seen["total"], 2);
    assert_eq!(seen["items"][0]["body"], "Which white, @alice? Ask @nobody", "oldest first");
    assert_eq!(
        (seen["items"][0]["can_edit"].clone(), seen["items"][0]["can_delete"].clone()),
        (json!(false), json!(true))
    );
    let seen = c.carol.get(&comments).await.json();
    assert_eq!(
        (seen["items"][1]["can_edit"].clone(), seen["items"][1]["can_delete"].clone()),
        (json!(false), json!(false))
    );
    assert_eq!(c.carol.get(&format!("{}/{}", tasks_path(c.project), id(&task))).await.json()["comment_count"], 2);

    c.alice.patch(&bob_comment, json!({"body": "owner edit"})).await.problem(403);
    c.dave.patch(&bob_comment, json!({"body": "editor edit"})).await.problem(403);
    c.dave.delete(&bob_comment).await.problem(403);
    let edited = c.bob.patch(&bob_comment, json!({"body": "Which white?"})).await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    let edited = edited.json();
    assert_eq!(
        (edited["body"].clone(), edited["edited"].clone(), edited["mentions"].clone()),
        (json!("Which white?"), json!(true), json!([]))
    );
    let unchanged = c.dave.patch(&dave_comment, json!({"body": "Eggshell"})).await;
    assert_eq!(unchanged.status, 200, "{}", unchanged.body);
    assert_eq!(unchanged.json()["edited"], false, "the same words again are not an edit");
    assert_eq!(fields(&c.bob.patch(&bob_comment, json!({"body": "  "})).await), ["body"]);
    assert_eq!(fields(&c.bob.patch(&bob_comment, json!({"body": "x".repeat(5_001)})).await), ["body"]);
    assert_eq!(fields(&c.bob.post(&comments, json!({"body": ""})).await), ["body"]);
    assert_eq!(c.bob.post(&comments, json!({"body": "x".repeat(5_000)})).await.status, 201);

    assert_eq!(c.alice.delete(&dave_comment).await.status, 204, "an owner moderates");
    assert_eq!(c.bob.delete(&bob_comment).await.status, 204, "an author deletes their own");
    c.bob.delete(&bob_comment).await.problem(404);
    assert_eq!(c.alice.get(&comments).await.json()["total"], 1);

    let feed = activity(&app, c.project).await;
    assert_eq!(
        actions(&feed),
        [
            "task_created",
            "comment_added",
            "comment_added",
            "comment_edited",
            "comment_added",
            "comment_deleted",
            "comment_deleted"
        ]
    );
}

#[tokio::test]
async fn comments_tell_assignees_and_mentioned_members_once() {
    let app = app().await;
    let c = cast(&app).await;
    add_member(&app, c.project, "dave", "editor").await;
    let erin = app.user("erin").await;
    let (bob_id, carol_id, dave_id) =
        (user_id(&app, "bob").await, user_id(&app, "carol").await, user_id(&app, "dave").await);
    let task =
        create_task(&c.alice, c.project, json!({"title": "Paint", "assignee_ids": [bob_id, carol_id, dave_id]})).await;
    for who in [&c.bob, &c.carol, &c.dave] {
        assert_eq!(kinds(who).await, ["task_assigned"]);
    }
    let comments = format!("{}/{}/comments", tasks_path(c.project), id(&task));
    // bob writes: dave (assigned) is mentioned, carol (assigned) is not, erin is no member,
    // bob mentions himself, alice (owner, not assigned) is mentioned.
    let posted = c.bob.post(&comments, json!({"body": "@dave @DAVE and @alice: done? @erin @bob"})).await;
    assert_eq!(posted.status, 201, "{}", posted.body);
    assert_eq!(posted.json()["mentions"], json!(["dave", "alice", "bob"]));
    assert_eq!(kinds(&c.dave).await, ["mentioned", "task_assigned"], "mentioned, not also commented");
    assert_eq!(kinds(&c.carol).await, ["task_assigned", "task_comment"]);
    assert_eq!(kinds(&c.alice).await, ["mentioned"]);
    assert!(kinds(&c.bob).await.iter().all(|k| k == "task_assigned"), "not told of his own comment");
    assert!(kinds(&erin).await.is_empty());
    let carol_notice = notifications(&c.carol).await.into_iter().find(|n| n["type"] == "task_comment").unwrap();
    assert_eq!(carol_notice["title"], "bob commented on “Paint”");
    assert_eq!(carol_notice["link"], format!("/projects/{}?task={}", c.project, id(&task)));
    assert!(carol_notice["body"].as_str().unwrap().starts_with("@dave @DAVE"));
    let dave_notice = notifications(&c.dave).await.into_iter().find(|n| n["type"] == "mentioned").unwrap();
    assert_eq!(dave_notice["title"], "bob mentioned you on “Paint”");
    // An edit tells nobody again.
    let path = format!("{comments}/{}", id(&posted.json()));
    assert_eq!(c.bob.patch(&path, json!({"body": "@carol now"})).await.status, 200);
    assert_eq!(kinds(&c.carol).await, ["task_assigned", "task_comment"]);
}

#[tokio::test]
async fn notifications_reach_ntfy_through_the_dispatcher() {
    use crate::dispatcher::{PUBLIC, RecordingPusher, dispatcher, run, settings};

    let app = app().await;
    let c = cast(&app).await;
    let (bob_id, carol_id) = (user_id(&app, "bob").await, user_id(&app, "carol").await);
    settings(&app, crate::dispatcher::user_id(&app, "bob").await, "UTC", None, true).await;
    // The kinds are registered: a priority can be chosen for each.
    let chosen = c
        .bob
        .patch("/api/settings", json!({"ntfy_priority": {"task_assigned": 5, "mentioned": 4, "task_comment": 1}}))
        .await;
    assert_eq!(chosen.status, 200, "{}", chosen.body);

    let task = create_task(&c.alice, c.project, json!({"title": "Paint", "assignee_ids": [bob_id, carol_id]})).await;
    c.alice.post(&format!("{}/{}/comments", tasks_path(c.project), id(&task)), json!({"body": "hi @bob"})).await;
    let queued: Vec<(i64, String)> =
        sqlx::query_as("SELECT user_id, kind FROM push_deliveries ORDER BY id").fetch_all(app.db.pool()).await.unwrap();
    assert_eq!(
        queued,
        [(bob_id, "task_assigned".to_string()), (bob_id, "mentioned".to_string())],
        "carol set no push target: in-app notifications only"
    );
    assert_eq!(kinds(&c.carol).await, ["task_assigned", "task_comment"]);

    let pusher = std::sync::Arc::new(RecordingPusher::default());
    let report = run(&app, &dispatcher(pusher.clone())).await;
    assert_eq!(report.pushes.sent, 2, "{report:?}");
    let sent = pusher.messages();
    let click = Some(format!("{PUBLIC}/projects/{}?task={}", c.project, id(&task)));
    assert_eq!((sent[0].title.as_str(), sent[0].priority), ("alice assigned you “Paint”", 5));
    assert_eq!((sent[1].title.as_str(), sent[1].priority), ("alice mentioned you on “Paint”", 4));
    assert!(sent.iter().all(|m| m.click == click && m.actions.is_empty()));
}

#[tokio::test]
async fn bodies_are_checked_like_everywhere_else() {
    let app = app().await;
    let c = cast(&app).await;
    let base = tasks_path(c.project);
    let task = create_task(&c.bob, c.project, json!({"title": "Paint"})).await;
    let path = format!("{base}/{}", id(&task));

    assert_eq!(fields(&c.bob.post(&base, json!({"title": "x", "project_id": 7})).await), ["project_id"]);
    assert_eq!(fields(&c.bob.post(&base, json!({"title": "x", "status": "finished"})).await), ["status"]);
    assert_eq!(fields(&c.bob.post(&base, json!({"title": "x", "priority": "urgent"})).await), ["priority"]);
    assert_eq!(fields(&c.bob.post(&base, json!({"notes": "no title"})).await), ["title"]);
    let bad = json!({"title": "t".repeat(201), "notes": "n".repeat(10_001), "due_date": "tomorrow",
        "checklist": [{"text": ""}]});
    assert_eq!(fields(&c.bob.post(&base, bad).await), ["due_date", "title", "notes", "checklist[0].text"]);
    let long: Vec<Value> = (0..101).map(|n| json!({"text": n.to_string()})).collect();
    assert_eq!(fields(&c.bob.post(&base, json!({"title": "x", "checklist": long})).await), ["checklist"]);
    let item_extra = json!({"title": "x", "checklist": [{"text": "a", "colour": "red"}]});
    assert_eq!(c.bob.post(&base, item_extra).await.status, 422);
    assert_eq!(fields(&c.bob.patch(&path, json!({"created_by": 1})).await), ["created_by"]);
    assert_eq!(
        fields(&c.bob.post(&format!("{path}/move"), json!({"status": "done", "position": 3})).await),
        ["position"]
    );
    assert_eq!(fields(&c.bob.post(&format!("{path}/move"), json!({})).await), ["status"]);
    assert_eq!(
        fields(&c.bob.post(&format!("{path}/comments"), json!({"body": "x", "author_id": 1})).await),
        ["author_id"]
    );

    let malformed = c
        .bob
        .request(
            rocket::http::Method::Post,
            &base,
            Some("{\"title\": "),
            &[("X-Requested-With", "XMLHttpRequest"), ("Content-Type", "application/json")],
        )
        .await;
    malformed.problem(400);
    let oversized = json!({"title": "x", "notes": "n".repeat(70_000)});
    c.bob.post(&base, oversized).await.problem(413);
    let oversized = json!({"body": "n".repeat(70_000)});
    c.bob.post(&format!("{path}/comments"), oversized).await.problem(413);
    assert_eq!(titles(&c.bob, c.project, "").await, ["Paint"], "nothing was written");
}

#[tokio::test]
async fn signed_out_is_401_and_locked_is_423() {
    let app = app().await;
    let c = cast(&app).await;
    let task = create_task(&c.bob, c.project, json!({"title": "Paint"})).await;
    let base = tasks_path(c.project);
    let path = format!("{base}/{}", id(&task));
    let anonymous = app.anonymous();
    anonymous.get(&base).await.problem(401);
    anonymous.post(&base, json!({"title": "x"})).await.problem(401);
    anonymous.get(&format!("{path}/comments")).await.problem(401);

    assert_eq!(c.bob.post_empty("/api/auth/lock").await.status, 204);
    c.bob.get(&base).await.problem(423);
    c.bob.post(&base, json!({"title": "x"})).await.problem(423);
    c.bob.get(&path).await.problem(423);
    c.bob.patch(&path, json!({"title": "x"})).await.problem(423);
    c.bob.post(&format!("{path}/move"), json!({"status": "done"})).await.problem(423);
    c.bob.get(&format!("{path}/comments")).await.problem(423);
    c.bob.post(&format!("{path}/comments"), json!({"body": "x"})).await.problem(423);
    c.bob.delete(&path).await.problem(423);
    assert_eq!(c.alice.get(&path).await.json()["title"], "Paint");
}

#[tokio::test]
async fn concurrent_moves_take_distinct_places() {
    let app = app().await;
    let c = cast(&app).await;
    let mut paths = Vec::new();
    for n in 0..6 {
        let task = create_task(&c.bob, c.project, json!({"title": format!("T{n}")})).await;
        paths.push(format!("{}/{}/move", tasks_path(c.project), id(&task)));
    }
    // All to the end of one column at once: each must see the others' places (on PostgreSQL
    // the board's row lock serialises them; SQLite's write lock does the same).
    let moves = paths.iter().map(|path| c.bob.post(path, json!({"status": "done"})));
    for response in futures::future::join_all(moves).await {
        assert_eq!(response.status, 200, "{}", response.body);
    }
    let done = column(&c.bob, c.project, "done").await;
    let mut positions: Vec<i64> = done.iter().map(|(_, position)| *position).collect();
    positions.dedup();
    assert_eq!(positions.len(), 6, "{done:?}");
}

#[tokio::test]
async fn a_demoted_author_may_take_back_but_not_edit_their_comment() {
    let app = app().await;
    let c = cast(&app).await;
    let task = create_task(&c.bob, c.project, json!({"title": "Paint"})).await;
    let path = format!("{}/{}/comments", tasks_path(c.project), id(&task));
    let first = c.bob.post(&path, json!({"body": "first coat done"})).await.json();
    let second = c.bob.post(&path, json!({"body": "second coat tomorrow"})).await.json();
    sqlx::query("UPDATE project_members SET role = 'viewer' WHERE project_id = $1 AND role = 'editor'")
        .bind(c.project)
        .execute(app.db.pool())
        .await
        .unwrap();
    let listed = c.bob.get(&path).await.json();
    assert_eq!(
        (listed["items"][0]["can_edit"].clone(), listed["items"][0]["can_delete"].clone()),
        (json!(false), json!(true))
    );
    c.bob.patch(&format!("{path}/{}", id(&first)), json!({"body": "changed"})).await.problem(403);
    assert_eq!(c.bob.delete(&format!("{path}/{}", id(&second))).await.status, 204);
    // Someone else's comment stays out of a viewer's reach.
    let owners = c.alice.post(&path, json!({"body": "thanks"})).await.json();
    c.carol.delete(&format!("{path}/{}", id(&owners))).await.problem(403);
    let left: Vec<String> = c.alice.get(&path).await.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["body"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(left, ["first coat done", "thanks"]);
}
