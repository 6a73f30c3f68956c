//! The `caldav` client library (tests/clients/caldav_roundtrip.py): events and todos made
//! through the API are read over CalDAV, the client's own objects are created, found by time
//! range, updated under their ETag (a stale ETag refused), completed and deleted, and the JSON
//! API shows the result. Also: only a live app password of the calendar's owner gets in.

use serde_json::json;

use super::{DavUser, call, clients, repository, run_client};
use crate::harness::PASSWORD;
use crate::live::{pinned_client, signed_in};

/// Every step the script reports, in order: a step missing from its output is the failure.
const STEPS: [&str; 16] = [
    "discover-principal",
    "list-calendars",
    "foreign-calendar-hidden",
    "read-api-event",
    "create-events",
    "read-event",
    "time-range-query",
    "update-with-etag",
    "delete-event",
    "list-all-events",
    "sync-token",
    "read-api-todo",
    "create-todos",
    "update-todo-with-etag",
    "complete-todo",
    "delete-todo",
];

#[tokio::test]
async fn caldav_library_creates_finds_updates_and_deletes_events_and_todos() {
    let Some(bin) = clients() else { return };
    let user = DavUser::new().await;
    let calendar = user.api("POST", "/api/calendars", json!({"name": "Family", "timezone": "UTC"})).await;
    let calendar_id = calendar["id"].as_i64().unwrap();
    let dentist = json!({"calendar_id": calendar_id, "title": "Dentist",
        "start": "2030-02-01T10:00:00Z", "end": "2030-02-01T11:00:00Z"});
    user.api("POST", "/api/events", dentist).await;
    user.api("POST", "/api/todos", json!({"title": "Call the plumber"})).await;
    let foreign = foreign_calendar(&user).await;

    let mut env = user.client_env();
    env.push(("UMBRA_DAV_CALENDAR", "Family".into()));
    env.push(("UMBRA_DAV_FOREIGN", foreign));
    let script = repository().join("tests/clients/caldav_roundtrip.py");
    let run = run_client(&bin.join("python"), &[script.to_str().unwrap()], &env, user.files.path()).await;
    for step in STEPS {
        assert!(
            run.stdout.lines().any(|line| line == format!("ok {step}")),
            "step {step} did not pass\n{}",
            run.transcript()
        );
    }
    assert!(run.success, "the script failed\n{}", run.transcript());

    // The API sees the client's event as updated, and its deleted event gone.
    let march = user
        .api(
            "GET",
            &format!("/api/events?start=2030-03-01T00:00:00Z&end=2030-04-01T00:00:00Z&calendar_id={calendar_id}"),
            json!({}),
        )
        .await;
    let titles: Vec<&str> = march["items"].as_array().unwrap().iter().map(|o| o["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Piano lesson (moved)"], "{march}");
    let event = user.api("GET", &format!("/api/events/{}", march["items"][0]["event_id"]), json!({})).await;
    assert_eq!(
        (event["uid"].as_str(), event["start"].as_str()),
        (Some("caldav-kept"), Some("2030-03-10T09:00:00.000Z")),
        "{event}"
    );

    // The todos: the API's own, the client's renamed one open, the completed one deleted.
    let todos = user.api("GET", "/api/todos?status=all", json!({})).await;
    let mut titles: Vec<(&str, bool)> = todos["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["title"].as_str().unwrap(), t["completed"].as_bool().unwrap_or(false)))
        .collect();
    titles.sort_unstable();
    assert_eq!(titles, [("Call the plumber", false), ("Water all the plants", false)], "{todos}");
}

/// Another user's calendar with an event in it; its DAV path, which ada must not reach.
async fn foreign_calendar(user: &DavUser) -> String {
    let admin = signed_in(&user.server, "admin").await.expect("admin signs in");
    let calendar = call(&user.server, &admin, "POST", "/api/calendars", json!({"name": "Private"})).await;
    let event = json!({"calendar_id": calendar["id"], "title": "Secret",
        "start": "2030-02-01T10:00:00Z", "end": "2030-02-01T11:00:00Z"});
    call(&user.server, &admin, "POST", "/api/events", event).await;
    format!("/dav/calendars/admin/{}/", calendar["id"])
}

/// The client must be told "unauthorised" (not reach any data) with these credentials.
async fn assert_refused(user: &DavUser, password: &str, why: &str) {
    let Some(bin) = clients() else { return };
    let mut env = user.client_env();
    env.retain(|(name, _)| *name != "UMBRA_DAV_PASSWORD");
    env.push(("UMBRA_DAV_PASSWORD", password.to_string()));
    env.push(("UMBRA_DAV_EXPECT_REFUSED", "1".into()));
    let script = repository().join("tests/clients/caldav_roundtrip.py");
    let run = run_client(&bin.join("python"), &[script.to_str().unwrap()], &env, user.files.path()).await;
    assert!(run.success && run.stdout.contains("ok refused"), "{why}: not refused\n{}", run.transcript());
}

#[tokio::test]
async fn caldav_library_is_refused_the_account_password_and_a_revoked_app_password() {
    let Some(_) = clients() else { return };
    let user = DavUser::new().await;
    assert_refused(&user, PASSWORD, "the account password").await;

    // The app password works until it is revoked, then fails on the next request.
    let client = pinned_client(&user.server.cert_pem);
    let basic = client
        .request(reqwest::Method::from_bytes(b"PROPFIND").unwrap(), user.server.url("/dav/"))
        .basic_auth(&user.username, Some(&user.app_password))
        .header("Depth", "0")
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status().as_u16(), 207, "the live app password is accepted");
    user.api("DELETE", &format!("/api/auth/app-passwords/{}", user.app_password_id), json!({})).await;
    assert_refused(&user, &user.app_password, "the revoked app password").await;
}
