//! Reminders: CRUD, the status actions (snooze, dismiss, done, reopen), repeating reminders
//! across month ends and DST, the list's order and filters, todo links, and the rule that
//! another user's reminder is 404 on every route. "Now" is the app's manual clock.

use chrono::{DateTime, Datelike, Duration, NaiveDate, SecondsFormat, Utc, Weekday};
use serde_json::{Value, json};

use crate::harness::{Persona, TestApp, app};

fn iso(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap().to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn ms(value: &Value) -> i64 {
    DateTime::parse_from_rfc3339(value.as_str().unwrap_or_else(|| panic!("not an instant: {value}")))
        .unwrap()
        .timestamp_millis()
}

fn at(text: &str) -> i64 {
    DateTime::parse_from_rfc3339(text).unwrap().timestamp_millis()
}

/// The app's "now", rounded down to the minute (recurrence works in whole seconds).
fn now_minute(app: &TestApp) -> i64 {
    let now = app.clock.now_millis();
    now - now.rem_euclid(60_000)
}

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

async fn create(who: &Persona<'_>, body: Value) -> Value {
    let response = who.post("/api/reminders", body).await;
    assert_eq!(response.status, 201, "{}", response.body);
    response.json()
}

async fn simple(who: &Persona<'_>, title: &str, remind_at: i64) -> Value {
    create(who, json!({"title": title, "remind_at": iso(remind_at)})).await
}

fn path(reminder: &Value) -> String {
    format!("/api/reminders/{}", reminder["id"])
}

async fn action(who: &Persona<'_>, reminder: &Value, name: &str) -> crate::harness::Resp {
    who.post_empty(&format!("{}/{name}", path(reminder))).await
}

/// `body` with one more field.
fn with(mut body: Value, key: &str, value: Value) -> Value {
    body.as_object_mut().unwrap().insert(key.to_string(), value);
    body
}

/// The fields a 422 names, sorted.
fn fields(problem: &Value) -> Vec<String> {
    let mut names: Vec<String> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect();
    names.sort();
    names
}

async fn user_id(app: &TestApp, username: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

/// A todo row for `username`, written directly (the todos API is another slice).
async fn todo_of(app: &TestApp, username: &str) -> i64 {
    let owner = user_id(app, username).await;
    sqlx::query_scalar(
        "INSERT INTO todos (user_id, title, position, created_at, updated_at) VALUES ($1, 'Buy milk', 0, 0, 0) \
         RETURNING id",
    )
    .bind(owner)
    .fetch_one(app.db.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn create_read_edit_and_delete() {
    let app = app().await;
    let alice = app.user("alice").await;
    let when = now_minute(&app) + 2 * HOUR;
    let created = simple(&alice, "Call the plumber", when).await;
    assert_eq!(created["title"], "Call the plumber");
    assert_eq!(created["notes"], "");
    assert_eq!(created["timezone"], "UTC");
    assert_eq!(created["status"], "active");
    assert_eq!(created["recurrence"], Value::Null);
    assert_eq!(created["snoozed_until"], Value::Null);
    assert_eq!(created["todo_id"], Value::Null);
    assert_eq!(ms(&created["remind_at"]), when);
    assert_eq!(ms(&created["next_fire_at"]), when);
    assert!(created["remind_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(ms(&created["created_at"]), app.clock.now_millis());

    let read = alice.get(&path(&created)).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.json(), created);

    // Text is stored as typed; an offset instant is stored as UTC.
    app.clock.advance_minutes(1);
    let edited = alice
        .patch(
            &path(&created),
            json!({"title": "  Call <b>the</b> plumber ", "notes": "Kitchen tap", "remind_at": "2031-05-01T10:00:00+02:00",
                   "timezone": "Europe/Berlin", "recurrence": "rrule:freq=weekly;byday=th"}),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    let edited = edited.json();
    assert_eq!(edited["title"], "  Call <b>the</b> plumber ");
    assert_eq!(edited["notes"], "Kitchen tap");
    assert_eq!(edited["remind_at"], "2031-05-01T08:00:00.000Z");
    assert_eq!(edited["timezone"], "Europe/Berlin");
    assert_eq!(edited["recurrence"], "FREQ=WEEKLY;BYDAY=TH");
    assert_eq!(ms(&edited["updated_at"]), app.clock.now_millis());
    assert_eq!(edited["created_at"], created["created_at"]);

    // null clears the optional fields; an empty patch changes nothing.
    let cleared = alice.patch(&path(&created), json!({"notes": null, "recurrence": null})).await.json();
    assert_eq!((cleared["notes"].clone(), cleared["recurrence"].clone()), (json!(""), Value::Null));
    assert_eq!(alice.patch(&path(&created), json!({})).await.json(), cleared);

    assert_eq!(alice.delete(&path(&created)).await.status, 204);
    alice.get(&path(&created)).await.problem(404);
    alice.delete(&path(&created)).await.problem(404);
}

#[tokio::test]
async fn invalid_input_is_refused_with_every_field_named() {
    let app = app().await;
    let alice = app.user("alice").await;
    let problem = alice
        .post(
            "/api/reminders",
            json!({"title": " ", "notes": "n".repeat(10_001), "remind_at": "tomorrow at nine",
                   "timezone": "Mars/Olympus", "recurrence": "FREQ=HOURLY"}),
        )
        .await
        .problem(422);
    assert_eq!(fields(&problem), ["notes", "recurrence", "remind_at", "timezone", "title"]);
    let recurrence = problem["errors"].as_array().unwrap().iter().find(|e| e["field"] == "recurrence").unwrap();
    assert!(recurrence["message"].as_str().unwrap().starts_with("FREQ"), "{recurrence}");

    let when = iso(now_minute(&app) + HOUR);
    let long = alice.post("/api/reminders", json!({"title": "t".repeat(201), "remind_at": when})).await.problem(422);
    assert_eq!(fields(&long), ["title"]);
    // Exactly at the limits is fine (200 characters, counted as characters, not bytes).
    create(&alice, json!({"title": "é".repeat(200), "notes": "n".repeat(10_000), "remind_at": when})).await;
    let rule = alice
        .post("/api/reminders", json!({"title": "x", "remind_at": when, "recurrence": "FREQ=WEEKLY;BYDAY=XX"}))
        .await
        .problem(422);
    assert!(rule["errors"][0]["message"].as_str().unwrap().starts_with("BYDAY"), "{rule}");

    let oversized = alice
        .post(
            "/api/reminders",
            json!({"title": "x", "remind_at": when, "timezone": "Europe/".repeat(20),
                   "recurrence": format!("FREQ=DAILY;INTERVAL={}", "1".repeat(600))}),
        )
        .await
        .problem(422);
    assert_eq!(fields(&oversized), ["recurrence", "timezone"]);

    // Missing, mistyped, unknown and server-owned fields.
    assert_eq!(fields(&alice.post("/api/reminders", json!({"title": "x"})).await.problem(422)), ["remind_at"]);
    assert_eq!(
        fields(&alice.post("/api/reminders", json!({"title": 5, "remind_at": when})).await.problem(422)),
        ["title"]
    );
    for owned in ["status", "snoozed_until", "id", "created_at", "updated_at", "next_fire_at", "user_id", "fire_at"] {
        let body = with(json!({"title": "x", "remind_at": when}), owned, json!("active"));
        assert_eq!(fields(&alice.post("/api/reminders", body).await.problem(422)), [owned]);
    }
    // Malformed JSON is 400, an oversized body 413; nothing was created by any of these.
    let malformed = alice
        .request(
            rocket::http::Method::Post,
            "/api/reminders",
            Some("{\"title\": "),
            &[("X-Requested-With", "XMLHttpRequest"), ("Content-Type", "application/json")],
        )
        .await;
    malformed.problem(400);
    alice
        .post("/api/reminders", json!({"title": "x", "remind_at": when, "notes": "n".repeat(70_000)}))
        .await
        .problem(413);
    assert_eq!(alice.get("/api/reminders?status=all").await.json()["total"], 1);

    // PATCH: the same rules, and the status changes only through the action routes.
    let reminder = simple(&alice, "Water plants", now_minute(&app) + HOUR).await;
    for owned in ["status", "snoozed_until", "id", "created_at", "next_fire_at"] {
        let problem = alice.patch(&path(&reminder), with(json!({}), owned, json!("done"))).await.problem(422);
        assert_eq!(fields(&problem), [owned]);
    }
    let problem = alice
        .patch(&path(&reminder), json!({"title": null, "remind_at": null, "timezone": null, "recurrence": "BYDAY=MO"}))
        .await
        .problem(422);
    assert_eq!(fields(&problem), ["recurrence", "remind_at", "timezone", "title"]);
    let problem =
        alice.patch(&path(&reminder), json!({"title": "", "remind_at": "2030-13-01T00:00:00Z"})).await.problem(422);
    assert_eq!(fields(&problem), ["remind_at", "title"]);
    assert_eq!(alice.get(&path(&reminder)).await.json(), reminder, "nothing changed");
}

#[tokio::test]
async fn snooze_moves_the_next_fire_time_within_bounds() {
    let app = app().await;
    let alice = app.user("alice").await;
    let now = app.clock.now_millis();
    let when = now_minute(&app) + 10 * 60_000;
    let reminder = simple(&alice, "Take the cake out", when).await;
    let snooze = |body: Value| {
        let path = format!("{}/snooze", path(&reminder));
        let alice = &alice;
        async move { alice.post(&path, body).await }
    };
    for minutes in [0, -5, 10_081] {
        assert_eq!(fields(&snooze(json!({"minutes": minutes})).await.problem(422)), ["minutes"]);
    }
    assert_eq!(fields(&snooze(json!({"until": iso(now - 1)})).await.problem(422)), ["until"]);
    assert_eq!(fields(&snooze(json!({"until": iso(now)})).await.problem(422)), ["until"], "now is not the future");
    assert_eq!(fields(&snooze(json!({"until": "soon"})).await.problem(422)), ["until"]);
    assert_eq!(fields(&snooze(json!({})).await.problem(422)), ["minutes", "until"]);
    assert_eq!(
        fields(&snooze(json!({"minutes": 5, "until": iso(now + HOUR)})).await.problem(422)),
        ["minutes", "until"]
    );
    assert_eq!(fields(&snooze(json!({"hours": 1})).await.problem(422)), ["hours"]);
    assert_eq!(fields(&snooze(json!({"minutes": "ten"})).await.problem(422)), ["minutes"]);
    assert_eq!(alice.get(&path(&reminder)).await.json(), reminder, "refused snoozes change nothing");

    let snoozed = snooze(json!({"minutes": 60})).await;
    assert_eq!(snoozed.status, 200, "{}", snoozed.body);
    let snoozed = snoozed.json();
    assert_eq!(ms(&snoozed["snoozed_until"]), now + HOUR);
    assert_eq!(ms(&snoozed["next_fire_at"]), now + HOUR);
    assert_eq!(ms(&snoozed["remind_at"]), when, "the reminder's own time stays");
    let longest = snooze(json!({"minutes": 10_080})).await.json();
    assert_eq!(ms(&longest["snoozed_until"]), now + 7 * DAY);
    let until = snooze(json!({"until": iso(now + 3 * HOUR)})).await.json();
    assert_eq!(ms(&until["next_fire_at"]), now + 3 * HOUR);

    // Editing the title keeps the snooze; a new time clears it.
    let renamed = alice.patch(&path(&reminder), json!({"title": "Cake!"})).await.json();
    assert_eq!(renamed["snoozed_until"], until["snoozed_until"]);
    let moved = alice.patch(&path(&reminder), json!({"remind_at": iso(when + HOUR)})).await.json();
    assert_eq!(moved["snoozed_until"], Value::Null);
    assert_eq!(ms(&moved["next_fire_at"]), when + HOUR);

    // Dismissed or done reminders cannot be snoozed (409); reopened they can.
    let dismissed = action(&alice, &reminder, "dismiss").await.json();
    assert_eq!(dismissed["status"], "dismissed");
    snooze(json!({"minutes": 10})).await.problem(409);
    action(&alice, &reminder, "dismiss").await.problem(409);
    action(&alice, &reminder, "done").await.problem(409);
    let reopened = action(&alice, &reminder, "reopen").await.json();
    assert_eq!(reopened["status"], "active");
    action(&alice, &reminder, "reopen").await.problem(409);
    assert_eq!(snooze(json!({"minutes": 10})).await.status, 200);
    let done = action(&alice, &reminder, "done").await.json();
    assert_eq!((done["status"].clone(), done["snoozed_until"].clone()), (json!("done"), Value::Null));
    snooze(json!({"minutes": 10})).await.problem(409);
}

/// Completes the reminder and returns its new state.
async fn done(who: &Persona<'_>, reminder: &Value) -> Value {
    let response = action(who, reminder, "done").await;
    assert_eq!(response.status, 200, "{}", response.body);
    response.json()
}

#[tokio::test]
async fn done_moves_a_series_across_month_ends() {
    let app = app().await;
    let alice = app.user("alice").await;
    let year = Utc::now().year() + 1;
    let daily = create(
        &alice,
        json!({"title": "Pills", "remind_at": format!("{year}-01-31T09:00:00Z"), "recurrence": "FREQ=DAILY"}),
    )
    .await;
    let next = done(&alice, &daily).await;
    assert_eq!(next["status"], "active");
    assert_eq!(ms(&next["remind_at"]), at(&format!("{year}-02-01T09:00:00Z")));
    assert_eq!(next["next_fire_at"], next["remind_at"]);

    // A monthly series on the 31st skips the months without one (RFC 5545).
    let monthly = create(
        &alice,
        json!({"title": "Rent", "remind_at": format!("{year}-01-31T09:00:00Z"), "recurrence": "FREQ=MONTHLY"}),
    )
    .await;
    assert_eq!(ms(&done(&alice, &monthly).await["remind_at"]), at(&format!("{year}-03-31T09:00:00Z")));
    // A snoozed occurrence, done, moves on from its own time and the snooze ends.
    let response = alice.post(&format!("{}/snooze", path(&monthly)), json!({"minutes": 30})).await;
    assert_eq!(response.status, 200);
    let after = done(&alice, &monthly).await;
    assert_eq!(ms(&after["remind_at"]), at(&format!("{year}-05-31T09:00:00Z")));
    assert_eq!(after["snoozed_until"], Value::Null);
}

/// The last Sunday of March in the next spring whose change is still ahead of `now`.
fn next_spring_change(now: i64) -> NaiveDate {
    let mut year = DateTime::<Utc>::from_timestamp_millis(now).unwrap().year();
    loop {
        let mut day = NaiveDate::from_ymd_opt(year, 3, 31).unwrap();
        while day.weekday() != Weekday::Sun {
            day -= Duration::days(1);
        }
        if day.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp_millis() - 3 * DAY > now {
            return day;
        }
        year += 1;
    }
}

#[tokio::test]
async fn a_daily_berlin_reminder_stays_at_nine_across_the_spring_change() {
    let app = app().await;
    let alice = app.user("alice").await;
    let change = next_spring_change(app.clock.now_millis());
    let utc = |day: NaiveDate, hour: u32| day.and_hms_opt(hour, 0, 0).unwrap().and_utc().timestamp_millis();
    // 09:00 in Berlin is 08:00Z in winter time (CET) and 07:00Z in summer time (CEST).
    let friday = change - Duration::days(2);
    let reminder = create(
        &alice,
        json!({"title": "Stand-up", "remind_at": iso(utc(friday, 8)), "timezone": "Europe/Berlin",
               "recurrence": "FREQ=DAILY"}),
    )
    .await;
    let saturday = done(&alice, &reminder).await;
    assert_eq!(ms(&saturday["remind_at"]), utc(friday + Duration::days(1), 8));
    let sunday = done(&alice, &reminder).await;
    assert_eq!(ms(&sunday["remind_at"]), utc(change, 7), "09:00 CEST on the day of the change");
    let monday = done(&alice, &reminder).await;
    assert_eq!(ms(&monday["remind_at"]), utc(change + Duration::days(1), 7));
    assert_eq!(monday["timezone"], "Europe/Berlin");
}

/// Havana (UTC-5, UTC-4 in summer) moves from 00:00 to 01:00 on 14 March 2027: a daily 00:30
/// reminder is at 01:30 CDT (05:30Z) that day, by RFC 5545 §3.3.5, and at 00:30 after it.
#[tokio::test]
async fn a_day_without_midnight_keeps_its_occurrence() {
    let app = app().await;
    app.clock.advance_minutes((at("2027-03-12T12:00:00Z") - app.clock.now_millis()) / 60_000);
    let alice = app.user("alice").await;
    let reminder = create(
        &alice,
        json!({"title": "Night pills", "remind_at": "2027-03-13T05:30:00Z", "timezone": "America/Havana",
               "recurrence": "FREQ=DAILY"}),
    )
    .await;
    assert_eq!(ms(&done(&alice, &reminder).await["remind_at"]), at("2027-03-14T05:30:00Z"), "01:30 CDT");
    assert_eq!(ms(&done(&alice, &reminder).await["remind_at"]), at("2027-03-15T04:30:00Z"), "00:30 CDT");
}

#[tokio::test]
async fn done_skips_missed_occurrences_and_count_ends_a_series() {
    let app = app().await;
    let alice = app.user("alice").await;
    let now = now_minute(&app);
    // Three days of missed occurrences: done moves to the first one after now.
    let missed =
        create(&alice, json!({"title": "Stretch", "remind_at": iso(now - 3 * DAY + HOUR), "recurrence": "FREQ=DAILY"}))
            .await;
    assert_eq!(ms(&done(&alice, &missed).await["remind_at"]), now + HOUR);

    let counted =
        create(&alice, json!({"title": "Course", "remind_at": iso(now + DAY), "recurrence": "FREQ=DAILY;COUNT=3"}))
            .await;
    let second = done(&alice, &counted).await;
    assert_eq!((ms(&second["remind_at"]), second["status"].clone()), (now + 2 * DAY, json!("active")));
    let third = done(&alice, &counted).await;
    assert_eq!((ms(&third["remind_at"]), third["status"].clone()), (now + 3 * DAY, json!("active")));
    let last = done(&alice, &counted).await;
    assert_eq!(last["status"], "done", "the series has ended");
    assert_eq!(ms(&last["remind_at"]), now + 3 * DAY);
    action(&alice, &counted, "done").await.problem(409);

    // A one-off reminder is simply done.
    let once = simple(&alice, "Once", now + HOUR).await;
    let finished = done(&alice, &once).await;
    assert_eq!((finished["status"].clone(), ms(&finished["remind_at"])), (json!("done"), now + HOUR));
}

fn titles(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|r| r["title"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn the_list_is_in_firing_order_and_filters() {
    let app = app().await;
    let alice = app.user("alice").await;
    let now = now_minute(&app);
    let mut created = std::collections::HashMap::new();
    for (title, at) in
        [("A", 3 * HOUR), ("B", HOUR), ("C", 2 * HOUR), ("D", 2 * HOUR), ("E", 4 * HOUR), ("F", 30 * 60_000)]
    {
        created.insert(title, simple(&alice, title, now + at).await);
    }
    let by_title = |title: &str| created[title].clone();
    // B snoozed to +5 h fires last; ties are in creation (id) order.
    let snoozed = alice.post(&format!("{}/snooze", path(&by_title("B"))), json!({"until": iso(now + 5 * HOUR)})).await;
    assert_eq!(snoozed.status, 200, "{}", snoozed.body);
    assert_eq!(action(&alice, &by_title("E"), "done").await.status, 200);
    assert_eq!(action(&alice, &by_title("F"), "dismiss").await.status, 200);

    let page = alice.get("/api/reminders").await.json();
    assert_eq!(titles(&page), ["C", "D", "A", "B"]);
    assert_eq!((page["total"].clone(), page["limit"].clone(), page["offset"].clone()), (json!(4), json!(50), json!(0)));
    assert_eq!(titles(&alice.get("/api/reminders?status=active&limit=2&offset=1").await.json()), ["D", "A"]);
    assert_eq!(alice.get("/api/reminders?limit=2&offset=1").await.json()["total"], 4);
    assert_eq!(titles(&alice.get("/api/reminders?status=done").await.json()), ["E"]);
    assert_eq!(titles(&alice.get("/api/reminders?status=dismissed").await.json()), ["F"]);
    assert_eq!(titles(&alice.get("/api/reminders?status=done,dismissed").await.json()), ["F", "E"]);
    assert_eq!(titles(&alice.get("/api/reminders?status=all").await.json()), ["F", "C", "D", "A", "E", "B"]);

    // from ≤ next_fire_at < to.
    let window = format!("/api/reminders?from={}&to={}", iso(now + 2 * HOUR), iso(now + 5 * HOUR));
    assert_eq!(titles(&alice.get(&window.replace('+', "%2B")).await.json()), ["C", "D", "A"]);
    let from = format!("/api/reminders?status=all&from={}", iso(now + 3 * HOUR));
    assert_eq!(titles(&alice.get(&from).await.json()), ["A", "E", "B"]);
    let to = format!("/api/reminders?to={}", iso(now + 2 * HOUR + 1));
    assert_eq!(titles(&alice.get(&to).await.json()), ["C", "D"]);

    for (query, field) in [
        ("status=finished", "status"),
        ("status=", "status"),
        ("from=yesterday", "from"),
        ("to=2030-02-30T00:00:00Z", "to"),
        ("limit=501", "limit"),
        ("limit=x", "limit"),
        ("offset=-1", "offset"),
    ] {
        let problem = alice.get(&format!("/api/reminders?{query}")).await.problem(422);
        assert_eq!(fields(&problem), [field], "{query}");
    }
    let backwards = format!("/api/reminders?from={}&to={}", iso(now + HOUR), iso(now));
    assert_eq!(fields(&alice.get(&backwards).await.problem(422)), ["to"]);
}

#[tokio::test]
async fn a_reminder_links_only_its_owners_todos() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let alices_todo = todo_of(&app, "alice").await;
    let bobs_todo = todo_of(&app, "bob").await;
    let when = iso(now_minute(&app) + HOUR);

    let linked = create(&alice, json!({"title": "Milk", "remind_at": when, "todo_id": alices_todo})).await;
    assert_eq!(linked["todo_id"], alices_todo);
    // Bob's todo and a todo that does not exist answer alike: 404, nothing created.
    alice.post("/api/reminders", json!({"title": "x", "remind_at": when, "todo_id": bobs_todo})).await.problem(404);
    alice.post("/api/reminders", json!({"title": "x", "remind_at": when, "todo_id": 999_999})).await.problem(404);
    assert_eq!(alice.get("/api/reminders").await.json()["total"], 1);
    alice.patch(&path(&linked), json!({"todo_id": bobs_todo})).await.problem(404);
    assert_eq!(alice.get(&path(&linked)).await.json()["todo_id"], alices_todo);
    // Bob cannot link Alice's todo either.
    bob.post("/api/reminders", json!({"title": "x", "remind_at": when, "todo_id": alices_todo})).await.problem(404);

    // null unlinks; deleting the todo unlinks too.
    assert_eq!(alice.patch(&path(&linked), json!({"todo_id": null})).await.json()["todo_id"], Value::Null);
    alice.patch(&path(&linked), json!({"todo_id": alices_todo})).await;
    sqlx::query("DELETE FROM todos WHERE id = $1").bind(alices_todo).execute(app.db.pool()).await.unwrap();
    let unlinked = alice.get(&path(&linked)).await.json();
    assert_eq!(unlinked["todo_id"], Value::Null);
    assert_eq!(unlinked["title"], "Milk");
}

#[tokio::test]
async fn another_users_reminder_is_404_on_every_route() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let when = now_minute(&app) + HOUR;
    let reminder = create(&alice, json!({"title": "Secret", "remind_at": iso(when), "recurrence": "FREQ=DAILY"})).await;
    let dismissed = simple(&alice, "Dismissed", when).await;
    let dismissed = action(&alice, &dismissed, "dismiss").await.json();
    let before = alice.get("/api/reminders?status=all").await.json();

    for target in [&reminder, &dismissed] {
        let item = path(target);
        bob.get(&item).await.problem(404);
        bob.patch(&item, json!({"title": "Mine now"})).await.problem(404);
        bob.patch(&item, json!({})).await.problem(404);
        bob.delete(&item).await.problem(404);
        bob.post(&format!("{item}/snooze"), json!({"minutes": 10})).await.problem(404);
        for name in ["dismiss", "done", "reopen"] {
            action(&bob, target, name).await.problem(404);
        }
    }
    // The same answers as for an id that never existed.
    let missing = json!({"id": 999_999});
    bob.get(&path(&missing)).await.problem(404);
    action(&bob, &missing, "done").await.problem(404);
    assert_eq!(bob.get("/api/reminders?status=all").await.json()["total"], 0);
    assert_eq!(alice.get("/api/reminders?status=all").await.json(), before, "alice's reminders are unchanged");
}

#[tokio::test]
async fn signed_out_is_401_and_a_locked_session_423() {
    let app = app().await;
    let alice = app.user("alice").await;
    let reminder = simple(&alice, "Locked away", now_minute(&app) + HOUR).await;
    let anonymous = app.anonymous();
    anonymous.get("/api/reminders").await.problem(401);
    anonymous.get(&path(&reminder)).await.problem(401);
    anonymous.post("/api/reminders", json!({"title": "x", "remind_at": iso(0)})).await.problem(401);
    action(&anonymous, &reminder, "done").await.problem(401);

    assert_eq!(alice.post_empty("/api/auth/lock").await.status, 204);
    alice.get("/api/reminders").await.problem(423);
    alice.get(&path(&reminder)).await.problem(423);
    alice.post("/api/reminders", json!({"title": "x", "remind_at": iso(0)})).await.problem(423);
    alice.patch(&path(&reminder), json!({"title": "y"})).await.problem(423);
    alice.post(&format!("{}/snooze", path(&reminder)), json!({"minutes": 5})).await.problem(423);
    action(&alice, &reminder, "done").await.problem(423);
    alice.delete(&path(&reminder)).await.problem(423);
    assert_eq!(alice.post("/api/auth/unlock", json!({"password": alice.password})).await.status, 204);
    assert_eq!(alice.get(&path(&reminder)).await.json(), reminder);
}

#[tokio::test]
async fn the_dispatcher_columns_follow_the_next_fire_time() {
    let app = app().await;
    let alice = app.user("alice").await;
    let when = now_minute(&app) + HOUR;
    let reminder = simple(&alice, "Delivered", when).await;
    let id = reminder["id"].as_i64().unwrap();
    let fire_at = |app: &TestApp| {
        let pool = app.db.pool().clone();
        async move {
            sqlx::query_as::<_, (i64, Option<i64>)>("SELECT fire_at, claimed_at FROM reminders WHERE id = $1")
                .bind(id)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(fire_at(&app).await, (when, None));
    // A dispatcher's claim is dropped when the reminder is rescheduled.
    sqlx::query("UPDATE reminders SET claimed_at = 1 WHERE id = $1").bind(id).execute(app.db.pool()).await.unwrap();
    alice.patch(&path(&reminder), json!({"title": "Still claimed"})).await;
    assert_eq!(fire_at(&app).await, (when, Some(1)));
    alice.post(&format!("{}/snooze", path(&reminder)), json!({"minutes": 15})).await;
    assert_eq!(fire_at(&app).await, (app.clock.now_millis() + 15 * 60_000, None));
}

/// A reminder's time is kept within the years 1900–2200, so `done` never walks a daily series
/// from year 1 and never writes an instant a browser cannot read.
#[tokio::test]
async fn times_stay_within_the_supported_years() {
    let app = app().await;
    let alice = app.user("alice").await;
    for when in ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59-23:59", "2201-01-01T00:00:00Z"] {
        let refused =
            alice.post("/api/reminders", json!({"title": "Far", "remind_at": when, "recurrence": "FREQ=DAILY"})).await;
        assert_eq!(refused.problem(422)["errors"][0]["field"], "remind_at", "{when}");
    }
}
