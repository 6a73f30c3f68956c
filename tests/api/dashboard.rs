//! `GET /api/dashboard`: the day in the caller's zone across a DST change (a daily 09:00
//! series in Europe/Berlin keeps its local time over the last Sunday of March; an all-day
//! event and a birthday come first in their day), todos due and overdue, reminders; shared
//! calendars and accepted invitations show, declined invitations and hidden calendars do not,
//! and another user's data never does; assigned tasks only from projects the caller is still
//! a member of, open, by due date with none last; the unread count.

use chrono::DateTime;
use serde_json::{Value, json};

use crate::events::{connect, invite, share, user_id};
use crate::harness::{Persona, TestApp, app};

/// Moves the app's clock to `at` (RFC 3339), give or take the seconds of the start.
fn set_clock(app: &TestApp, at: &str) {
    let target = DateTime::parse_from_rfc3339(at).unwrap().timestamp_millis();
    app.clock.advance_minutes((target - app.clock.now_millis()) / 60_000);
}

async fn dashboard(user: &Persona<'_>) -> Value {
    let response = user.get("/api/dashboard").await;
    assert_eq!(response.status, 200, "{}", response.body);
    response.json()
}

async fn post(user: &Persona<'_>, path: &str, body: Value) -> i64 {
    let response = user.post(path, body).await;
    assert_eq!(response.status, 201, "{path}: {}", response.body);
    response.json()["id"].as_i64().unwrap()
}

/// (kind, title, start) of each item.
fn summary(items: &Value) -> Vec<(String, String, Value)> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["kind"].as_str().unwrap().into(), i["title"].as_str().unwrap().into(), i["start"].clone()))
        .collect()
}

fn titles(view: &Value) -> Vec<String> {
    let mut all: Vec<String> = summary(&view["today"]).into_iter().map(|(_, t, _)| t).collect();
    for day in view["next_7_days"].as_array().unwrap() {
        all.extend(summary(&day["items"]).into_iter().map(|(_, t, _)| t));
    }
    all
}

fn s(text: &str) -> String {
    text.to_string()
}

#[tokio::test]
async fn the_day_is_read_in_the_callers_zone_across_the_change_to_summer_time() {
    let app = app().await;
    // Saturday 27 March 2027, 11:00 in Berlin; the clocks go forward on Sunday the 28th.
    set_clock(&app, "2027-03-27T10:00:30Z");
    let ada = app.user("ada").await;
    assert_eq!(ada.patch("/api/settings", json!({"timezone": "Europe/Berlin"})).await.status, 200);
    let standup = post(
        &ada,
        "/api/events",
        json!({"title": "Standup", "start": "2027-03-20T09:00:00+01:00", "end": "2027-03-20T09:30:00+01:00",
               "timezone": "Europe/Berlin", "recurrence": "FREQ=DAILY"}),
    )
    .await;
    post(
        &ada,
        "/api/events",
        json!({"title": "Clocks change", "all_day": true, "start_date": "2027-03-28", "end_date": "2027-03-29"}),
    )
    .await;
    let rent = post(&ada, "/api/todos", json!({"title": "Pay rent", "due_date": "2027-03-27"})).await;
    post(&ada, "/api/todos", json!({"title": "Done already", "due_date": "2027-03-27", "completed": true})).await;
    post(&ada, "/api/todos", json!({"title": "Tax return", "due_date": "2027-03-20"})).await;
    post(&ada, "/api/todos", json!({"title": "Call back", "due_at": "2027-03-29T16:00:00Z"})).await;
    post(&ada, "/api/todos", json!({"title": "Far off", "due_date": "2027-05-01"})).await;
    post(&ada, "/api/reminders", json!({"title": "Water plants", "remind_at": "2027-03-27T15:00:00Z"})).await;
    let grace = post(&ada, "/api/people", json!({"name": "Grace", "birthday": "1990-03-28"})).await;
    post(&ada, "/api/people", json!({"name": "Linus", "birthday": "--12-28"})).await;

    let view = dashboard(&ada).await;
    assert_eq!(view["timezone"], "Europe/Berlin");
    assert_eq!(view["date"], "2027-03-27");
    assert_eq!(
        summary(&view["today"]),
        vec![
            (s("todo"), s("Pay rent"), Value::Null),
            (s("event"), s("Standup"), json!("2027-03-27T08:00:00.000Z")),
            (s("reminder"), s("Water plants"), json!("2027-03-27T15:00:00.000Z")),
        ]
    );
    let first = &view["today"][0];
    assert_eq!(
        (first["id"].as_i64(), first["all_day"].clone(), first["link"].clone()),
        (Some(rent), json!(true), json!("/todos"))
    );
    assert_eq!(view["today"][1]["id"], standup);
    assert_eq!(view["today"][1]["end"], "2027-03-27T08:30:00.000Z");
    assert_eq!(view["today"][1]["link"], "/calendar?date=2027-03-27");
    assert_eq!(summary(&view["overdue_todos"]), vec![(s("todo"), s("Tax return"), Value::Null)]);

    let days = view["next_7_days"].as_array().unwrap();
    let dates: Vec<&str> = days.iter().map(|d| d["date"].as_str().unwrap()).collect();
    assert_eq!(
        dates,
        ["2027-03-28", "2027-03-29", "2027-03-30", "2027-03-31", "2027-04-01", "2027-04-02", "2027-04-03"]
    );
    // Sunday: the all-day items first, then 09:00 local, which is now 07:00 UTC.
    assert_eq!(
        summary(&days[0]["items"]),
        vec![
            (s("event"), s("Clocks change"), Value::Null),
            (s("birthday"), s("Grace"), Value::Null),
            (s("event"), s("Standup"), json!("2027-03-28T07:00:00.000Z")),
        ]
    );
    assert_eq!(days[0]["items"][1]["link"], format!("/people/{grace}"));
    assert_eq!(
        summary(&days[1]["items"]),
        vec![
            (s("event"), s("Standup"), json!("2027-03-29T07:00:00.000Z")),
            (s("todo"), s("Call back"), json!("2027-03-29T16:00:00.000Z")),
        ]
    );
    assert!(!titles(&view).iter().any(|t| t == "Far off" || t == "Linus" || t == "Done already"));

    // 01:30 on Monday in Berlin is still Sunday in UTC: the day is Berlin's.
    set_clock(&app, "2027-03-28T23:30:30Z");
    assert_eq!(ada.login().await.status, 200);
    let monday = dashboard(&ada).await;
    assert_eq!(monday["date"], "2027-03-29");
    assert_eq!(monday["today"][0]["start"], "2027-03-29T07:00:00.000Z");
    let overdue: Vec<String> = summary(&monday["overdue_todos"]).into_iter().map(|(_, t, _)| t).collect();
    assert_eq!(overdue, ["Tax return", "Pay rent"]);
}

#[tokio::test]
async fn shared_calendars_and_accepted_invitations_show_declined_hidden_and_foreign_do_not() {
    let app = app().await;
    set_clock(&app, "2027-05-10T06:00:30Z");
    let ada = app.user("ada").await;
    let bob = app.user("bob").await;
    let eve = app.user("eve").await;
    connect(&bob, &ada).await;
    let family = post(&bob, "/api/calendars", json!({"name": "Family", "colour": "#22AA66"})).await;
    share(&app, family, "ada", "read").await;
    let at = |hour: u32, title: &str| json!({"title": title, "start": format!("2027-05-10T{hour:02}:00:00Z"), "end": format!("2027-05-10T{hour:02}:30:00Z")});
    let mut dinner = at(18, "Family dinner");
    dinner["calendar_id"] = json!(family);
    post(&bob, "/api/events", dinner).await;
    post(&bob, "/api/events", at(9, "Bob alone")).await;
    let party = post(&bob, "/api/events", at(20, "Party")).await;
    let meeting = post(&bob, "/api/events", at(11, "Meeting")).await;
    invite(&app, party, "ada", "accepted").await;
    invite(&app, meeting, "ada", "declined").await;
    post(&bob, "/api/todos", json!({"title": "Bob's todo", "due_date": "2027-05-10"})).await;
    post(&eve, "/api/events", at(12, "Eve's lunch")).await;
    post(&eve, "/api/people", json!({"name": "Eve's friend", "birthday": "--05-10"})).await;
    post(&ada, "/api/events", at(8, "Ada's run")).await;

    let view = dashboard(&ada).await;
    assert_eq!(titles(&view), ["Ada's run", "Family dinner", "Party"]);
    let dinner = &view["today"][1];
    assert!(dinner["colour"].is_string() && dinner["link"] == "/calendar?date=2027-05-10", "{dinner}");

    // Kept occurrences are given again only while nothing changed: a new event in the shared
    // calendar and a newly accepted invitation show on the next request.
    let mut late = at(21, "Late addition");
    late["calendar_id"] = json!(family);
    post(&bob, "/api/events", late).await;
    let brunch = post(&bob, "/api/events", at(10, "Brunch")).await;
    invite(&app, brunch, "ada", "tentative").await;
    assert_eq!(titles(&dashboard(&ada).await), ["Ada's run", "Brunch", "Family dinner", "Party", "Late addition"]);
    sqlx::query("DELETE FROM event_invitations WHERE event_id = $1").bind(brunch).execute(app.db.pool()).await.unwrap();
    let titles_now = titles(&dashboard(&ada).await);
    assert!(!titles_now.contains(&"Brunch".to_string()), "{titles_now:?}");

    // Hidden calendars stay out of the dashboard as out of the calendar view.
    sqlx::query("INSERT INTO calendar_preferences (calendar_id, user_id, hidden) VALUES ($1, $2, 1)")
        .bind(family)
        .bind(user_id(&app, "ada").await)
        .execute(app.db.pool())
        .await
        .unwrap();
    assert_eq!(titles(&dashboard(&ada).await), ["Ada's run", "Party"]);
    // Bob's own view: his events and todo, not Ada's.
    let bobs = titles(&dashboard(&bob).await);
    assert_eq!(bobs, ["Bob's todo", "Bob alone", "Brunch", "Meeting", "Family dinner", "Party", "Late addition"]);
    assert_eq!(titles(&dashboard(&eve).await), ["Eve's friend", "Eve's lunch"]);
}

async fn seed_projects(app: &TestApp) -> (i64, i64) {
    let ada = user_id(app, "ada").await;
    let bob = user_id(app, "bob").await;
    let run = |sql: String| async move {
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(app.db.pool()).await.unwrap();
    };
    run("INSERT INTO projects (name, status, created_at, updated_at) VALUES ('House', 'active', 0, 0), \
         ('Left behind', 'active', 0, 0), ('Old', 'archived', 0, 0)"
        .into())
    .await;
    run(format!(
        "INSERT INTO project_members (project_id, user_id, role, created_at) VALUES \
         (1, {ada}, 'editor', 0), (1, {bob}, 'owner', 0), (2, {bob}, 'owner', 0), (3, {ada}, 'owner', 0)"
    ))
    .await;
    run("INSERT INTO project_tasks (project_id, title, status, priority, due_date, position, created_at, updated_at) \
         VALUES (1, 'Paint', 'todo', 'high', '2027-06-01', 1, 0, 0), (1, 'Someday', 'todo', 'none', NULL, 2, 0, 0), \
         (1, 'Finished', 'done', 'none', '2027-01-01', 3, 0, 0), (1, 'Bob only', 'todo', 'low', '2027-01-01', 4, 0, 0), \
         (2, 'From before', 'todo', 'none', '2027-01-01', 1, 0, 0), \
         (1, 'Plaster', 'in_progress', 'medium', '2027-05-01', 5, 0, 0), (3, 'Archived', 'todo', 'none', NULL, 1, 0, 0)"
        .into())
    .await;
    run(format!(
        "INSERT INTO task_assignees (task_id, user_id) VALUES (1, {ada}), (2, {ada}), (3, {ada}), (4, {bob}), \
         (5, {ada}), (6, {ada}), (7, {ada})"
    ))
    .await;
    (ada, bob)
}

#[tokio::test]
async fn assigned_tasks_come_from_projects_the_caller_is_still_in_by_due_date() {
    let app = app().await;
    let ada = app.user("ada").await;
    let bob = app.user("bob").await;
    let (ada_id, bob_id) = seed_projects(&app).await;
    let view = dashboard(&ada).await;
    let tasks = view["assigned_tasks"].as_array().unwrap();
    let names: Vec<&str> = tasks.iter().map(|t| t["title"].as_str().unwrap()).collect();
    // "From before" is in a project Ada left; "Finished" is done; "Archived" is archived.
    assert_eq!(names, ["Plaster", "Paint", "Someday"]);
    assert_eq!(
        tasks[0],
        json!({"id": 6, "project_id": 1, "project_name": "House", "title": "Plaster", "status": "in_progress",
               "priority": "medium", "due_date": "2027-05-01", "link": "/projects/1?task=6"})
    );
    assert_eq!(tasks[2]["due_date"], Value::Null);
    let bobs: Vec<String> = dashboard(&bob).await["assigned_tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(bobs, ["Bob only"]);

    // Unread notifications: the caller's own, unread ones.
    for (user, read) in [(ada_id, None), (ada_id, None), (ada_id, Some(5_i64)), (bob_id, None)] {
        sqlx::query("INSERT INTO notifications (user_id, kind, title, created_at, read_at) VALUES ($1, 'reminder_due', 't', 0, $2)")
            .bind(user)
            .bind(read)
            .execute(app.db.pool())
            .await
            .unwrap();
    }
    assert_eq!(dashboard(&ada).await["unread_notifications"], 2);
    assert_eq!(dashboard(&bob).await["unread_notifications"], 1);
}

#[tokio::test]
async fn an_empty_dashboard_has_every_section_and_no_weather_without_a_location() {
    let app = app().await;
    let ada = app.user("ada").await;
    let view = dashboard(&ada).await;
    assert_eq!(view["timezone"], "UTC");
    for section in ["today", "overdue_todos", "next_7_days", "assigned_tasks"] {
        assert_eq!(view[section], json!([]), "{section}");
    }
    assert_eq!(view["unread_notifications"], 0);
    assert_eq!(view["weather"], Value::Null);
    assert_eq!(app.anonymous().get("/api/dashboard").await.status, 401);
}

#[tokio::test]
async fn a_task_assignment_leaves_the_dashboard_with_the_member_who_leaves_the_project() {
    let app = app().await;
    let ada = app.user("ada").await;
    let bob = app.user("bob").await;
    connect(&ada, &bob).await;
    let project = post(&ada, "/api/projects", json!({"name": "Garden"})).await;
    let member =
        post(&ada, &format!("/api/projects/{project}/members"), json!({"username": "bob", "role": "editor"})).await;
    let bob_id = user_id(&app, "bob").await;
    let task = post(
        &ada,
        &format!("/api/projects/{project}/tasks"),
        json!({"title": "Plant tulips", "assignee_ids": [bob_id], "due_date": "2027-04-01", "priority": "high"}),
    )
    .await;
    let tasks = dashboard(&bob).await["assigned_tasks"].clone();
    assert_eq!(tasks[0]["title"], "Plant tulips");
    assert_eq!(tasks[0]["link"], format!("/projects/{project}?task={task}"));
    assert_eq!(dashboard(&ada).await["assigned_tasks"], json!([]));

    let left = bob.delete(&format!("/api/projects/{project}/members/{member}")).await;
    assert_eq!(left.status, 204, "{}", left.body);
    assert_eq!(dashboard(&bob).await["assigned_tasks"], json!([]));
}
