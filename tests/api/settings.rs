//! `/api/settings`: defaults for a user who never saved any, partial PATCH (absent keeps,
//! `null` clears, every problem reported at once), the write-only ntfy token sealed at rest,
//! each user seeing only their own settings, the request-shape attacks, and the ntfy test
//! push against a local stand-in ntfy server.

use serde_json::json;

use crate::harness::{Persona, app, app_with};
use crate::outbound::allow;
use crate::stand_in::{Reply, StandIn};

#[tokio::test]
async fn a_new_user_has_the_defaults() {
    let app = app().await;
    let ada = app.user("ada").await;
    let settings = ada.get("/api/settings").await;
    assert_eq!(settings.status, 200, "{}", settings.body);
    assert_eq!(
        settings.json(),
        json!({
            "display_name": "", "timezone": null, "week_start": "monday", "date_format": "iso", "time_format": "24h",
            "theme": "system", "quiet_hours": null, "ntfy_server": null, "ntfy_topic": null, "ntfy_token_set": false,
            "ntfy_priority": {"birthday": 3, "connection_accepted": 3, "connection_request": 3, "mentioned": 3,
                "reminder_due": 3, "task_assigned": 3, "task_comment": 3, "todo_due": 3},
            "todo_due_alert_minutes": 60,
            "weather_latitude": null, "weather_longitude": null, "weather_place": null, "units": "metric",
        })
    );
}

#[tokio::test]
async fn a_patch_changes_what_it_names_and_null_clears() {
    let app = app().await;
    let ada = app.user("ada").await;
    let saved = ada
        .patch(
            "/api/settings",
            json!({"display_name": " Ada L. ", "timezone": "Europe/Berlin", "week_start": "sunday", "date_format": "dmy",
                   "time_format": "12h", "theme": "dark", "quiet_hours": {"start": "22:00", "end": "07:00"},
                   "ntfy_priority": {"reminder_due": 5}, "todo_due_alert_minutes": 30}),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let after = ada.get("/api/settings").await.json();
    assert_eq!(after, saved.json());
    assert_eq!(after["display_name"], "Ada L.");
    assert_eq!(after["timezone"], "Europe/Berlin");
    assert_eq!(after["quiet_hours"], json!({"start": "22:00", "end": "07:00"}));
    assert_eq!(after["ntfy_priority"]["reminder_due"], 5);
    assert_eq!(after["ntfy_priority"]["todo_due"], 3);

    // Absent fields stay; a second priority change keeps the first.
    let next = ada.patch("/api/settings", json!({"theme": "light", "ntfy_priority": {"todo_due": 1}})).await.json();
    assert_eq!(next["theme"], "light");
    assert_eq!(next["week_start"], "sunday");
    assert_eq!(next["ntfy_priority"]["reminder_due"], 5);
    assert_eq!(next["ntfy_priority"]["todo_due"], 1);

    // null clears what may be empty and resets priorities.
    let cleared = ada
        .patch(
            "/api/settings",
            json!({"quiet_hours": null, "timezone": null, "display_name": null, "ntfy_priority": null}),
        )
        .await
        .json();
    assert_eq!(cleared["quiet_hours"], json!(null));
    assert_eq!(cleared["timezone"], json!(null));
    assert_eq!(cleared["display_name"], "");
    assert_eq!(cleared["ntfy_priority"]["reminder_due"], 3);
    assert_eq!(cleared["theme"], "light");
}

#[tokio::test]
async fn every_invalid_field_is_reported_and_nothing_is_saved() {
    let app = app().await;
    let ada = app.user("ada").await;
    let bad = ada
        .patch(
            "/api/settings",
            json!({"timezone": "Mars/Olympus", "theme": null, "quiet_hours": {"start": "22:00", "end": "22:00"},
                   "ntfy_topic": "has spaces", "ntfy_priority": {"reminder_due": 0, "unknown": 3},
                   "todo_due_alert_minutes": 20000, "display_name": "x".repeat(101), "ntfy_token": ""}),
        )
        .await;
    let problem = bad.problem(422);
    let fields: Vec<String> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect();
    for field in [
        "timezone",
        "theme",
        "quiet_hours",
        "ntfy_topic",
        "ntfy_priority",
        "todo_due_alert_minutes",
        "display_name",
        "ntfy_token",
    ] {
        assert!(fields.iter().any(|f| f == field), "{field} not in {fields:?}");
    }
    assert_eq!(ada.get("/api/settings").await.json()["theme"], "system");

    // Wrong types and values outside the closed sets are 422 naming the field.
    for body in [
        json!({"week_start": "friday"}),
        json!({"date_format": "yyyy"}),
        json!({"quiet_hours": {"start": "22:00"}}),
        json!({"quiet_hours": {"start": "22:00", "end": "07:00", "days": 5}}),
        json!({"todo_due_alert_minutes": "soon"}),
        json!({"quiet_hours": {"start": "7:00", "end": "08:00"}}),
    ] {
        ada.patch("/api/settings", body.clone()).await.problem(422);
    }
}

#[tokio::test]
async fn server_owned_and_unknown_fields_are_refused() {
    let app = app().await;
    let ada = app.user("ada").await;
    for body in
        [json!({"ntfy_token_set": true}), json!({"user_id": 1}), json!({"updated_at": 5}), json!({"role": "admin"})]
    {
        let problem = ada.patch("/api/settings", body.clone()).await.problem(422);
        assert!(problem["detail"].as_str().unwrap().contains("unknown field"), "{body}: {problem}");
    }
}

#[tokio::test]
async fn the_ntfy_token_is_write_only_and_sealed_at_rest() {
    let app = app().await;
    let ada = app.user("ada").await;
    let saved = ada.patch("/api/settings", json!({"ntfy_token": "tk_secret_token_123"})).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(saved.json()["ntfy_token_set"], true);
    assert!(!saved.body.contains("tk_secret_token_123"));
    let shown = ada.get("/api/settings").await;
    assert_eq!(shown.json()["ntfy_token_set"], true);
    assert!(!shown.body.contains("tk_secret_token_123"));
    assert!(shown.json().get("ntfy_token").is_none());
    let stored: Option<String> =
        sqlx::query_scalar("SELECT ntfy_token FROM user_settings").fetch_one(app.db.pool()).await.unwrap();
    let stored = stored.expect("a token is stored");
    assert!(!stored.contains("tk_secret_token_123"), "the token is stored in the clear");

    // Another change keeps it; null removes it.
    assert_eq!(ada.patch("/api/settings", json!({"theme": "dark"})).await.json()["ntfy_token_set"], true);
    assert_eq!(ada.patch("/api/settings", json!({"ntfy_token": null})).await.json()["ntfy_token_set"], false);
    let stored: Option<String> =
        sqlx::query_scalar("SELECT ntfy_token FROM user_settings").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(stored, None);
}

#[tokio::test]
async fn each_user_sees_and_changes_only_their_own_settings() {
    let app = app().await;
    let ada = app.user("ada").await;
    let bob = app.user("bob").await;
    ada.patch("/api/settings", json!({"display_name": "Ada", "theme": "dark", "ntfy_token": "ada-token"})).await;
    let bobs = bob.get("/api/settings").await.json();
    assert_eq!(bobs["display_name"], "");
    assert_eq!(bobs["theme"], "system");
    assert_eq!(bobs["ntfy_token_set"], false);
    bob.patch("/api/settings", json!({"display_name": "Bob"})).await;
    assert_eq!(ada.get("/api/settings").await.json()["display_name"], "Ada");
    // A user id in the body is no way to reach another account.
    bob.patch("/api/settings", json!({"user_id": 1, "display_name": "Mallory"})).await.problem(422);
    assert_eq!(ada.get("/api/settings").await.json()["display_name"], "Ada");
}

#[tokio::test]
async fn signed_out_locked_and_malformed_requests() {
    let app = app().await;
    let ada = app.user("ada").await;
    let anonymous = app.anonymous();
    anonymous.get("/api/settings").await.problem(401);
    anonymous.patch("/api/settings", json!({"theme": "dark"})).await.problem(401);
    anonymous.post_empty("/api/settings/ntfy/test").await.problem(401);

    let csrf = [("X-Requested-With", "XMLHttpRequest"), ("Content-Type", "application/json")];
    ada.request(rocket::http::Method::Patch, "/api/settings", Some("{\"theme\": "), &csrf).await.problem(400);
    ada.request(rocket::http::Method::Patch, "/api/settings", Some("\"dark\""), &csrf).await.problem(422);
    let huge = json!({"display_name": "x".repeat(70 * 1024)}).to_string();
    ada.request(rocket::http::Method::Patch, "/api/settings", Some(&huge), &csrf).await.problem(413);
    ada.request(rocket::http::Method::Patch, "/api/settings", Some("{}"), &[("X-Requested-With", "XMLHttpRequest")])
        .await
        .problem(415);
    // Without the CSRF header an unsafe method is refused.
    ada.request(rocket::http::Method::Patch, "/api/settings", Some("{}"), &[("Content-Type", "application/json")])
        .await
        .problem(403);
    ada.patch("/api/settings", json!({"display_name": "bad\u{0000}name"})).await.problem(422);

    assert_eq!(ada.post_empty("/api/auth/lock").await.status, 204);
    ada.get("/api/settings").await.problem(423);
    ada.patch("/api/settings", json!({"theme": "dark"})).await.problem(423);
    ada.post_empty("/api/settings/ntfy/test").await.problem(423);
}

/// Ada's ntfy settings pointing at `stand_in` (allow-listed by the admin first).
async fn point_ntfy_at(admin: &Persona<'_>, ada: &Persona<'_>, stand_in: &StandIn, token: Option<&str>) {
    allow(admin, &["127.0.0.2"]).await;
    let mut body =
        json!({"ntfy_server": stand_in.url(), "ntfy_topic": "ada_alerts", "ntfy_priority": {"reminder_due": 4}});
    if let Some(token) = token {
        body["ntfy_token"] = json!(token);
    }
    let saved = ada.patch("/api/settings", body).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
}

#[tokio::test]
async fn a_test_push_arrives_with_every_field() {
    let app = app_with(|c| c.public_url = Some("https://umbra.example.org/".into())).await;
    let stand_in = StandIn::start("127.0.0.2").await;
    let admin = app.admin().await;
    let ada = app.user("ada").await;
    point_ntfy_at(&admin, &ada, &stand_in, Some("tk_ada")).await;
    assert_eq!(ada.get("/api/settings").await.json()["ntfy_server"], format!("{}/", stand_in.url()));

    let outcome = ada.post_empty("/api/settings/ntfy/test").await;
    assert_eq!(outcome.status, 200, "{}", outcome.body);
    assert_eq!(outcome.json(), json!({"delivered": true, "status": 200}));
    let requests = stand_in.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!((request.method.as_str(), request.path.as_str()), ("POST", "/"));
    assert_eq!(request.header("authorization"), Some("Bearer tk_ada"));
    assert_eq!(request.header("content-type"), Some("application/json"));
    let body = request.json();
    assert_eq!(body["topic"], "ada_alerts");
    assert_eq!(body["title"], "UMBRA test");
    assert_eq!(body["priority"], 4);
    assert_eq!(body["click"], "https://umbra.example.org/settings/notifications");
    assert!(body["message"].as_str().unwrap().contains("UMBRA"));
}

#[tokio::test]
async fn a_failing_ntfy_server_gives_its_status_but_never_its_body() {
    let app = app().await;
    let stand_in = StandIn::start("127.0.0.2").await;
    let admin = app.admin().await;
    let ada = app.user("ada").await;
    point_ntfy_at(&admin, &ada, &stand_in, None).await;
    stand_in.reply_next(Reply::status(500, "{\"error\":\"SECRET-INTERNAL-DETAIL\"}"));
    let outcome = ada.post_empty("/api/settings/ntfy/test").await;
    assert_eq!(outcome.status, 200);
    let json = outcome.json();
    assert_eq!(json["delivered"], false);
    assert_eq!(json["status"], 500);
    assert!(json["error"].as_str().unwrap().contains("500"));
    assert!(!outcome.body.contains("SECRET-INTERNAL-DETAIL"));
    assert!(stand_in.requests()[0].header("authorization").is_none(), "no token, no Authorization header");

    // A server that is gone: not delivered, no status.
    let port = stand_in.addr.port();
    drop(stand_in);
    let closed = format!("http://127.0.0.2:{port}");
    ada.patch("/api/settings", json!({"ntfy_server": closed})).await;
    let gone = ada.post_empty("/api/settings/ntfy/test").await.json();
    assert_eq!(gone["delivered"], false);
    assert!(gone.get("status").is_none());
    assert_eq!(gone["error"], "the server could not be reached");
}

#[tokio::test]
async fn the_length_limit_applies_to_the_url_as_stored() {
    let app = app().await;
    let stand_in = StandIn::start("127.0.0.2").await;
    let admin = app.admin().await;
    allow(&admin, &["127.0.0.2"]).await;
    let ada = app.user("ada").await;
    // 400 bytes of path: within the limit as typed, but every "é" is stored as "%C3%A9".
    let long = format!("{}/{}", stand_in.url(), "é".repeat(200));
    assert!(long.len() <= 500);
    let problem = ada.patch("/api/settings", json!({"ntfy_server": long})).await.problem(422);
    assert_eq!(problem["errors"][0]["field"], "ntfy_server");
    assert_eq!(problem["errors"][0]["message"], "must be a URL of at most 500 characters");
    assert_eq!(ada.get("/api/settings").await.json()["ntfy_server"], json!(null));
    // The same length in characters that need no encoding is stored.
    let plain = format!("{}/{}", stand_in.url(), "e".repeat(400));
    let saved = ada.patch("/api/settings", json!({"ntfy_server": plain})).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(saved.json()["ntfy_server"], plain);
}

#[tokio::test]
async fn a_test_push_needs_a_server_and_a_topic() {
    let app = app().await;
    let ada = app.user("ada").await;
    let problem = ada.post_empty("/api/settings/ntfy/test").await.problem(422);
    assert_eq!(problem["errors"][0]["field"], "ntfy_server");
}

#[tokio::test]
async fn the_ntfy_sender_posts_actions_and_the_token_and_refuses_what_the_rules_refuse() {
    use std::sync::Arc;

    use umbra::outbound::OutboundClient;
    use umbra::push::ntfy::NtfySender;
    use umbra::push::{NtfyTarget, PushAction, PushError, PushMessage, Pusher};

    let app = app().await;
    let stand_in = StandIn::start("127.0.0.2").await;
    let admin = app.admin().await;
    allow(&admin, &["127.0.0.2"]).await;
    let sender: Arc<dyn Pusher> =
        Arc::new(NtfySender::new(Arc::new(OutboundClient::new(app.db.clone(), app.clock.clone()).unwrap())));
    let target = NtfyTarget { server: stand_in.url(), topic: "ada".into(), token: Some("tk".into()) };
    let message = PushMessage {
        title: "Water the plants".into(),
        body: "Due now".into(),
        priority: 5,
        click: Some("https://umbra.example/reminders".into()),
        actions: vec![
            PushAction { label: "Done".into(), url: "https://umbra.example/api/push-actions/abc".into() },
            PushAction { label: "Snooze 1 h".into(), url: "https://umbra.example/api/push-actions/def".into() },
        ],
    };
    assert_eq!(sender.push(&target, &message).await, Ok(200));
    let request = &stand_in.requests()[0];
    assert_eq!(request.header("authorization"), Some("Bearer tk"));
    assert_eq!(
        request.json(),
        json!({
            "topic": "ada", "title": "Water the plants", "message": "Due now", "priority": 5,
            "click": "https://umbra.example/reminders",
            "actions": [
                {"action": "http", "label": "Done", "url": "https://umbra.example/api/push-actions/abc", "method": "POST",
                 "headers": {"X-Requested-With": "XMLHttpRequest"}, "clear": true},
                {"action": "http", "label": "Snooze 1 h", "url": "https://umbra.example/api/push-actions/def", "method": "POST",
                 "headers": {"X-Requested-With": "XMLHttpRequest"}, "clear": true},
            ],
        })
    );

    stand_in.reply_next(Reply::status(429, "slow down"));
    let failed = sender.push(&target, &message).await;
    assert!(matches!(failed, Err(PushError::Failed { status: Some(429), .. })), "{failed:?}");
    let refused = sender.push(&NtfyTarget { server: "http://127.0.0.1:9/".into(), ..target }, &message).await;
    assert_eq!(refused, Err(PushError::Refused("address 127.0.0.1 is loopback".into())));
    assert_eq!(stand_in.requests().len(), 2);
}

#[tokio::test]
async fn concurrent_patches_of_different_fields_both_land() {
    let app = app().await;
    let ada = app.user("ada").await;
    for round in 0..5 {
        let theme = if round % 2 == 0 { "dark" } else { "light" };
        let minutes = 10 + round;
        let (a, b) = tokio::join!(
            ada.patch("/api/settings", json!({"theme": theme})),
            ada.patch("/api/settings", json!({"todo_due_alert_minutes": minutes})),
        );
        assert_eq!((a.status, b.status), (200, 200), "{} {}", a.body, b.body);
        let now = ada.get("/api/settings").await.json();
        assert_eq!((now["theme"].as_str(), now["todo_due_alert_minutes"].as_i64()), (Some(theme), Some(minutes)));
    }
}
