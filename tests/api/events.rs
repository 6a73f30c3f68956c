//! The events API: create/read/change/delete, validation, the range read (zones, DST, rules,
//! window limits, colours), scoped edits of series, the change log, access through shares and
//! invitations, and the 404 matrix.

use serde_json::{Value, json};

use crate::harness::{Persona, Resp, TestApp, app};

mod access;
mod cached;
mod changes;
mod isolation;
mod range;
mod recurrence;
mod scopes;

/// Creates an event and returns it.
pub(super) async fn create(user: &Persona<'_>, body: Value) -> Value {
    let response = user.post("/api/events", body).await;
    assert_eq!(response.status, 201, "{}", response.body);
    response.json()
}

pub(super) fn id(value: &Value) -> i64 {
    value["id"].as_i64().unwrap()
}

/// The fields a 422 names.
pub(super) fn fields(response: &Resp) -> Vec<String> {
    let problem = response.problem(422);
    problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect()
}

/// The occurrences of a range read (asserting 200).
pub(super) async fn range(user: &Persona<'_>, start: &str, end: &str) -> Vec<Value> {
    let response = user.get(&format!("/api/events?start={start}&end={end}")).await;
    assert_eq!(response.status, 200, "{}", response.body);
    let body = response.json();
    assert_eq!(body.as_object().unwrap().len(), 1, "only items: {body}");
    body["items"].as_array().unwrap().clone()
}

/// The starts of occurrences, to the minute (`start` or `start_date`).
pub(super) fn starts(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|item| match item["start"].as_str() {
            Some(start) => start[..16].to_string(),
            None => item["start_date"].as_str().unwrap().to_string(),
        })
        .collect()
}

/// The user's id.
pub(super) async fn user_id(app: &TestApp, username: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

/// The user's default calendar.
pub(super) async fn default_calendar(app: &TestApp, username: &str) -> i64 {
    let user = user_id(app, username).await;
    sqlx::query_scalar("SELECT id FROM calendars WHERE owner_id = $1 AND is_default = 1")
        .bind(user)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

/// A second calendar of the user's, made directly in the database.
pub(super) async fn add_calendar(app: &TestApp, username: &str, name: &str, colour: &str) -> i64 {
    let user = user_id(app, username).await;
    sqlx::query_scalar(
        "INSERT INTO calendars (owner_id, name, colour, is_default, created_at, updated_at) \
         VALUES ($1, $2, $3, 0, 0, 0) RETURNING id",
    )
    .bind(user)
    .bind(name)
    .bind(colour)
    .fetch_one(app.db.pool())
    .await
    .unwrap()
}

/// `from` and `to` become connected, through the connections API.
pub(super) async fn connect(from: &Persona<'_>, to: &Persona<'_>) {
    let sent = from.post("/api/connections", json!({"username": to.username})).await;
    assert_eq!(sent.status, 202, "{}", sent.body);
    let page = to.get("/api/connections/requests?direction=incoming").await.json();
    let request = page["items"][0]["id"].as_i64().unwrap();
    let accepted = to.post_empty(&format!("/api/connections/requests/{request}/accept")).await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
}

/// Shares `calendar` with `member` at `level`, accepted (the shares API is another module's).
pub(super) async fn share(app: &TestApp, calendar: i64, member: &str, level: &str) {
    let member = user_id(app, member).await;
    sqlx::query(
        "INSERT INTO calendar_shares (calendar_id, member_id, level, status, created_at, accepted_at) \
         VALUES ($1, $2, $3, 'accepted', 0, 0)",
    )
    .bind(calendar)
    .bind(member)
    .bind(level)
    .execute(app.db.pool())
    .await
    .unwrap();
}

/// Invites `invitee` to `event` with an answer already given (the invitations API is another
/// module's).
pub(super) async fn invite(app: &TestApp, event: i64, invitee: &str, status: &str) {
    let invitee = user_id(app, invitee).await;
    sqlx::query("INSERT INTO event_invitations (event_id, invitee_id, status, created_at) VALUES ($1, $2, $3, 0)")
        .bind(event)
        .bind(invitee)
        .bind(status)
        .execute(app.db.pool())
        .await
        .unwrap();
}

/// The user's own time zone (settings).
pub(super) async fn set_zone(app: &TestApp, username: &str, zone: &str) {
    sqlx::query("INSERT INTO user_settings (user_id, timezone, updated_at) VALUES ($1, $2, 0)")
        .bind(user_id(app, username).await)
        .bind(zone)
        .execute(app.db.pool())
        .await
        .unwrap();
}

pub(super) fn timed(title: &str, start: &str, end: &str) -> Value {
    json!({"title": title, "start": start, "end": end})
}

#[tokio::test]
async fn an_event_is_created_read_changed_and_deleted() {
    let app = app().await;
    let alice = app.user("alice").await;
    let event = create(
        &alice,
        json!({"title": "Dentist", "start": "2027-05-03T09:00:00+02:00",
        "end": "2027-05-03T10:00:00+02:00", "location": "Main St 1", "description": "bring card",
        "alerts": [60, 10, 10], "colour": "#aa3300"}),
    )
    .await;
    assert_eq!(event["calendar_id"], default_calendar(&app, "alice").await);
    assert_eq!(event["start"], "2027-05-03T07:00:00.000Z");
    assert_eq!(event["end"], "2027-05-03T08:00:00.000Z");
    assert_eq!((event["start_date"].clone(), event["all_day"].clone()), (Value::Null, json!(false)));
    assert_eq!(event["timezone"], "UTC", "no calendar or user zone: UTC");
    assert_eq!(event["alerts"], json!([10, 60]));
    assert_eq!(event["access"], "owner");
    assert_eq!(event["revision"], 1);
    let uid = event["uid"].as_str().unwrap();
    assert!(uid.ends_with("@umbra") && uid.len() == 32 + 6, "{uid}");
    let path = format!("/api/events/{}", id(&event));
    assert_eq!(alice.get(&path).await.json()["title"], "Dentist");

    let changed = alice.patch(&path, json!({"title": "Dentist (moved)", "start": "2027-05-03T08:00:00Z"})).await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    let changed = changed.json();
    assert_eq!(changed["end"], "2027-05-03T09:00:00.000Z", "a new start keeps the length");
    assert_eq!(changed["revision"], 2);
    assert_eq!(changed["uid"], uid, "the UID is stable");
    let cleared = alice.patch(&path, json!({"colour": null, "description": null, "alerts": null})).await.json();
    assert_eq!((cleared["colour"].clone(), cleared["description"].clone()), (Value::Null, json!("")));
    assert_eq!(cleared["alerts"], json!([]));

    assert_eq!(alice.delete(&path).await.status, 204);
    alice.get(&path).await.problem(404);
    alice.delete(&path).await.problem(404);
}

#[tokio::test]
async fn all_day_events_and_zones() {
    let app = app().await;
    let alice = app.user("alice").await;
    let day = create(
        &alice,
        json!({"title": "Holiday", "all_day": true, "start_date": "2027-07-01", "end_date": "2027-07-03"}),
    )
    .await;
    assert_eq!((day["start_date"].clone(), day["end_date"].clone()), (json!("2027-07-01"), json!("2027-07-03")));
    assert_eq!((day["start"].clone(), day["all_day"].clone()), (Value::Null, json!(true)));
    // The zone defaults to the calendar's, then its owner's.
    let calendar = default_calendar(&app, "alice").await;
    set_zone(&app, "alice", "America/New_York").await;
    let event = create(&alice, timed("t", "2027-01-01T09:00:00Z", "2027-01-01T10:00:00Z")).await;
    assert_eq!(event["timezone"], "America/New_York");
    sqlx::query("UPDATE calendars SET timezone = 'Asia/Tokyo' WHERE id = $1")
        .bind(calendar)
        .execute(app.db.pool())
        .await
        .unwrap();
    let event = create(&alice, timed("t", "2027-01-01T09:00:00Z", "2027-01-01T10:00:00Z")).await;
    assert_eq!(event["timezone"], "Asia/Tokyo");
    let mut body = timed("t", "2027-01-01T09:00:00Z", "2027-01-01T10:00:00Z");
    body["timezone"] = json!("Europe/Berlin");
    assert_eq!(create(&alice, body).await["timezone"], "Europe/Berlin");
    // Switching kinds in a patch takes the other kind's fields.
    let path = format!("/api/events/{}", id(&event));
    let switched =
        alice.patch(&path, json!({"all_day": true, "start_date": "2027-01-01", "end_date": "2027-01-02"})).await;
    assert_eq!(switched.status, 200, "{}", switched.body);
    assert_eq!((switched.json()["start"].clone(), switched.json()["all_day"].clone()), (Value::Null, json!(true)));
    assert_eq!(fields(&alice.patch(&path, json!({"start": "2027-01-01T09:00:00Z"})).await), ["start"]);
}

#[tokio::test]
async fn bodies_are_checked_and_every_field_error_is_reported() {
    let app = app().await;
    let alice = app.user("alice").await;
    let response = alice
        .post(
            "/api/events",
            json!({"title": " ", "description": "x".repeat(10_001), "location": "x".repeat(501),
            "colour": "#12345", "start": "2027-02-30T09:00:00Z", "end": "2027-01-01T10:00:00Z",
            "timezone": "Mars/Olympus", "alerts": [1, 2, 3, 4, 5, 6], "recurrence": "FREQ=WEEKLY;BYHOUR=9"}),
        )
        .await;
    let named = fields(&response);
    for field in ["title", "description", "location", "colour", "start", "timezone", "alerts", "recurrence"] {
        assert!(named.contains(&field.to_string()), "{field} missing in {named:?}");
    }
    assert_eq!(
        fields(
            &alice.post("/api/events", timed(&"x".repeat(201), "2027-01-01T09:00:00Z", "2027-01-01T10:00:00Z")).await
        ),
        ["title"]
    );
    assert_eq!(
        alice.post("/api/events", timed(&"x".repeat(200), "2027-01-01T09:00:00Z", "2027-01-01T10:00:00Z")).await.status,
        201
    );
    assert_eq!(
        fields(&alice.post("/api/events", timed("t", "2027-01-01T10:00:00Z", "2027-01-01T10:00:00Z")).await),
        ["end"]
    );
    assert_eq!(fields(&alice.post("/api/events", json!({"title": "t"})).await), ["start", "end"]);
    let mixed = json!({"title": "t", "all_day": true, "start": "2027-01-01T10:00:00Z", "start_date": "2027-01-01", "end_date": "2027-01-02"});
    assert_eq!(fields(&alice.post("/api/events", mixed).await), ["start"]);
    let mixed = json!({"title": "t", "start": "2027-01-01T10:00:00Z", "end": "2027-01-01T11:00:00Z", "start_date": "2027-01-01"});
    assert_eq!(fields(&alice.post("/api/events", mixed).await), ["start_date"]);
    let all_day = json!({"title": "t", "all_day": true, "start_date": "2027-01-02", "end_date": "2027-01-02"});
    assert_eq!(fields(&alice.post("/api/events", all_day).await), ["end_date"]);
    let mut alerts = timed("t", "2027-01-01T09:00:00Z", "2027-01-01T10:00:00Z");
    alerts["alerts"] = json!([40_321]);
    assert_eq!(fields(&alice.post("/api/events", alerts.clone()).await), ["alerts"]);
    alerts["alerts"] = json!([40_320, 0]);
    assert_eq!(alice.post("/api/events", alerts).await.status, 201);
    // Unsupported RRULE parts are named.
    for (rule, part) in [
        ("FREQ=HOURLY", "FREQ"),
        ("FREQ=DAILY;BYHOUR=9", "BYHOUR"),
        ("FREQ=YEARLY;BYYEARDAY=1", "BYYEARDAY"),
        ("FREQ=DAILY;BYWEEKNO=1", "BYWEEKNO"),
        ("FREQ=MONTHLY;BYDAY=XX", "BYDAY"),
        ("FREQ=DAILY;COUNT=2;UNTIL=20270101", "UNTIL"),
    ] {
        let mut body = timed("t", "2027-01-01T09:00:00Z", "2027-01-01T10:00:00Z");
        body["recurrence"] = json!(rule);
        let response = alice.post("/api/events", body).await;
        let problem = response.problem(422);
        assert_eq!(problem["errors"][0]["field"], "recurrence", "{rule}");
        assert!(problem["errors"][0]["message"].as_str().unwrap().starts_with(part), "{rule}: {problem}");
    }
    // Exdates only for series, and in the series' form.
    let mut body = timed("t", "2027-01-01T09:00:00Z", "2027-01-01T10:00:00Z");
    body["exdates"] = json!(["2027-01-02T09:00:00Z"]);
    assert_eq!(fields(&alice.post("/api/events", body.clone()).await), ["exdates"]);
    body["recurrence"] = json!("FREQ=DAILY");
    body["exdates"] = json!(["2027-01-02"]);
    assert_eq!(fields(&alice.post("/api/events", body).await), ["exdates[0]"]);

    // Unknown and server-owned fields, wrong types, bad JSON, too large.
    for field in ["id", "uid", "revision", "created_by", "created_at", "span_start", "owner_id", "access", "overrides"]
    {
        let mut body = timed("t", "2027-01-01T09:00:00Z", "2027-01-01T10:00:00Z");
        body[field] = json!(1);
        assert_eq!(alice.post("/api/events", body).await.status, 422, "{field}");
    }
    alice.post("/api/events", json!({"title": 5})).await.problem(422);
    alice.post("/api/events", json!({"title": "t", "all_day": "yes"})).await.problem(422);
    let headers = [("X-Requested-With", "XMLHttpRequest"), ("Content-Type", "application/json")];
    alice.request(rocket::http::Method::Post, "/api/events", Some("{\"title\": "), &headers).await.problem(400);
    let huge = alice.post("/api/events", json!({"title": "t", "description": "x".repeat(70_000)})).await;
    assert_eq!(huge.status, 413);

    // PATCH: the same checks; a refused patch changes nothing.
    let event = create(&alice, timed("t", "2027-01-01T09:00:00Z", "2027-01-01T10:00:00Z")).await;
    let path = format!("/api/events/{}", id(&event));
    assert_eq!(
        fields(&alice.patch(&path, json!({"title": null, "calendar_id": null, "timezone": null})).await),
        ["title", "calendar_id", "timezone"]
    );
    assert_eq!(fields(&alice.patch(&path, json!({"end": "2027-01-01T08:00:00Z"})).await), ["end"]);
    alice.patch(&path, json!({"uid": "mine"})).await.problem(422);
    alice.patch(&path, json!({"revision": 7})).await.problem(422);
    alice.patch(&path, json!({"exdates": ["2027-01-02T09:00:00Z"]})).await.problem(422);
    assert_eq!(fields(&alice.patch(&format!("{path}?scope=this"), json!({"title": "x"})).await), ["scope"]);
    assert_eq!(fields(&alice.patch(&format!("{path}?scope=sometimes"), json!({"title": "x"})).await), ["scope"]);
    assert_eq!(alice.get(&path).await.json()["revision"], 1, "refused patches change nothing");
    // Ids that do not parse are 422, ids that do not exist 404.
    let not_an_id = alice.get("/api/events/abc").await;
    assert!([404, 422].contains(&not_an_id.status), "a non-id is a problem, never a 500: {}", not_an_id.status);
    alice.get("/api/events/999999").await.problem(404);
}

#[tokio::test]
async fn signed_out_is_401_and_locked_is_423() {
    let app = app().await;
    let alice = app.user("alice").await;
    let event = create(&alice, timed("t", "2027-01-01T09:00:00Z", "2027-01-01T10:00:00Z")).await;
    let template = alice.post("/api/event-templates", json!({"name": "n"})).await.json();
    let routes = isolation::routes_of(id(&event), id(&template));
    let anonymous = app.anonymous();
    for (method, path, body) in &routes {
        let response = isolation::send(&anonymous, method, path, body.clone()).await;
        assert_eq!(response.status, 401, "{method} {path}: {}", response.body);
    }
    assert_eq!(alice.post_empty("/api/auth/lock").await.status, 204);
    for (method, path, body) in &routes {
        let response = isolation::send(&alice, method, path, body.clone()).await;
        assert_eq!(response.status, 423, "{method} {path}: {}", response.body);
    }
}
