//! The admin console's API: accounts, settings and the audit log.

use serde_json::json;

use crate::harness::{PASSWORD, app};

#[tokio::test]
async fn admins_create_change_and_delete_accounts() {
    let app = app().await;
    let admin = app.admin().await;
    let created =
        admin.post("/api/admin/users", json!({"username": "Bob", "password": PASSWORD, "role": "standard"})).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let bob = created.json();
    assert_eq!(
        (bob["username"].as_str(), bob["role"].as_str(), bob["active"].as_bool()),
        (Some("bob"), Some("standard"), Some(true))
    );
    let id = bob["id"].as_i64().unwrap();
    let again =
        admin.post("/api/admin/users", json!({"username": "bob", "password": PASSWORD, "role": "standard"})).await;
    assert_eq!(again.problem(409)["errors"][0]["field"], "username");
    let weak = admin.post("/api/admin/users", json!({"username": "carol", "password": "short", "role": "admin"})).await;
    assert_eq!(weak.problem(422)["errors"][0]["field"], "password");
    let bad_role =
        admin.post("/api/admin/users", json!({"username": "carol", "password": PASSWORD, "role": "root"})).await;
    assert_eq!(bad_role.problem(422)["errors"][0]["field"], "role");

    // The new user signs in; deactivating them ends their session and blocks sign-in.
    let bob = app.persona("bob", PASSWORD);
    assert_eq!(bob.login().await.status, 200);
    let patched = admin
        .request_json(rocket::http::Method::Patch, &format!("/api/admin/users/{id}"), json!({"active": false}))
        .await;
    assert_eq!(patched.json()["active"], false);
    assert_eq!(bob.get("/api/auth/status").await.json()["authenticated"], false);
    bob.login().await.problem(401);
    admin
        .request_json(
            rocket::http::Method::Patch,
            &format!("/api/admin/users/{id}"),
            json!({"active": true, "role": "admin"}),
        )
        .await;
    assert_eq!(bob.login().await.status, 200);
    assert_eq!(bob.get("/api/admin/users").await.status, 200, "now an admin");
    admin
        .request_json(rocket::http::Method::Patch, "/api/admin/users/99999", json!({"active": true}))
        .await
        .problem(404);
    let unknown_field = admin
        .request_json(rocket::http::Method::Patch, &format!("/api/admin/users/{id}"), json!({"username": "x"}))
        .await;
    unknown_field.problem(422);

    // Deleting: not yourself; others go with their sessions.
    let me = admin.get("/api/auth/status").await.json()["user"]["id"].as_i64().unwrap();
    admin.delete(&format!("/api/admin/users/{me}")).await.problem(409);
    let deleted = admin.delete(&format!("/api/admin/users/{id}")).await;
    assert_eq!(deleted.status, 204);
    assert_eq!(bob.get("/api/auth/status").await.json()["authenticated"], false);
    admin.delete(&format!("/api/admin/users/{id}")).await.problem(404);
    let actions: Vec<String> = app.audit_actions().await.into_iter().map(|(a, _, _)| a).collect();
    for action in ["admin_create_user", "admin_update_user", "admin_delete_user"] {
        assert!(actions.contains(&action.to_string()), "{action}");
    }
}

#[tokio::test]
async fn the_last_active_admin_is_protected() {
    let app = app().await;
    let admin = app.admin().await;
    let me = admin.get("/api/auth/status").await.json()["user"]["id"].as_i64().unwrap();
    let path = format!("/api/admin/users/{me}");
    for change in [json!({"role": "standard"}), json!({"active": false}), json!({"role": "admin", "active": false})] {
        admin.request_json(rocket::http::Method::Patch, &path, change).await.problem(409);
    }
    // With a second admin, the first may step down.
    let other = app.create_user("second", umbra::domain::role::Role::Admin).await;
    let demoted = admin.request_json(rocket::http::Method::Patch, &path, json!({"role": "standard"})).await;
    assert_eq!(demoted.json()["role"], "standard");
    // The demotion ended the session; signed in again, the former admin is refused.
    admin.get("/api/admin/users").await.problem(401);
    assert_eq!(admin.login().await.status, 200);
    admin.get("/api/admin/users").await.problem(403);
    let second = app.persona("second", PASSWORD);
    assert_eq!(second.login().await.status, 200);
    second
        .request_json(rocket::http::Method::Patch, &format!("/api/admin/users/{other}"), json!({"active": false}))
        .await
        .problem(409);
}

#[tokio::test]
async fn reset_password_revokes_sessions_and_can_force_a_change() {
    let app = app().await;
    let admin = app.admin().await;
    let alice = app.user("alice").await;
    let id = alice.get("/api/auth/status").await.json()["user"]["id"].as_i64().unwrap();
    let reset = admin
        .post(
            &format!("/api/admin/users/{id}/reset-password"),
            json!({"new_password": "temporary passphrase here", "must_change": true}),
        )
        .await;
    assert_eq!(reset.status, 204, "{}", reset.body);
    assert_eq!(alice.get("/api/auth/status").await.json()["authenticated"], false, "sessions revoked");
    assert_eq!(alice.login_with("temporary passphrase here").await.status, 200);
    let status = alice.get("/api/auth/status").await.json();
    assert_eq!(status["must_change_password"], true);
    let blocked = alice.get("/api/auth/sessions").await;
    assert!(blocked.problem(403)["detail"].as_str().unwrap().contains("new one"));
    let changed = alice
        .post(
            "/api/auth/password",
            json!({"current_password": "temporary passphrase here", "new_password": "my very own passphrase"}),
        )
        .await;
    assert_eq!(changed.status, 204, "{}", changed.body);
    assert_eq!(alice.get("/api/auth/status").await.json()["must_change_password"], false);
    assert_eq!(alice.get("/api/auth/sessions").await.status, 200);
}

#[tokio::test]
async fn admins_unlock_locked_accounts() {
    let app = app().await;
    let admin = app.admin().await;
    let id = app.create_user("alice", umbra::domain::role::Role::Standard).await;
    for _ in 0..10 {
        app.persona("alice", "wrong wrong wrong wrong").login().await.problem(401);
    }
    let listed = admin.get("/api/admin/users?q=alice").await.json();
    assert!(listed["items"][0]["locked_until"].as_str().unwrap().ends_with('Z'));
    let unlocked = admin.post_empty(&format!("/api/admin/users/{id}/unlock")).await;
    assert_eq!(unlocked.json()["locked_until"], serde_json::Value::Null);
    assert_eq!(app.persona("alice", PASSWORD).login().await.status, 200);
}

#[tokio::test]
async fn settings_are_validated_and_apply_without_restart() {
    let app = app().await;
    let admin = app.admin().await;
    let mut settings = admin.get("/api/admin/config").await.json();
    assert_eq!(settings["lockout_threshold"], 10);
    assert_eq!(settings["require_mfa"], "off");
    settings["lockout_threshold"] = json!(1);
    settings["session_absolute_minutes"] = json!(1);
    let refused = admin.put("/api/admin/config", settings.clone()).await;
    let fields: Vec<String> = refused.problem(422)["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect();
    assert!(
        fields.contains(&"lockout_threshold".into()) && fields.contains(&"session_absolute_minutes".into()),
        "{fields:?}"
    );

    settings["lockout_threshold"] = json!(3);
    settings["session_absolute_minutes"] = json!(43200);
    settings["registration_open"] = json!(true);
    settings["default_role"] = json!("admin");
    let saved = admin.put("/api/admin/config", settings.clone()).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(saved.json()["lockout_threshold"], 3);
    // In force at once: three failures lock; registration is open with the admin's default role.
    app.create_user("alice", umbra::domain::role::Role::Standard).await;
    for _ in 0..3 {
        app.persona("alice", "wrong wrong wrong wrong").login().await.problem(401);
    }
    app.persona("alice", PASSWORD).login().await.problem(401);
    let newcomer =
        app.anonymous().post("/api/auth/register", json!({"username": "newcomer", "password": PASSWORD})).await;
    assert_eq!(newcomer.json()["role"], "admin");
    let unknown = admin.put("/api/admin/config", json!({"registration_open": true})).await;
    unknown.problem(422);
    assert!(app.audit_actions().await.iter().any(|(a, _, _)| a == "admin_config_change"));
}

#[tokio::test]
async fn the_audit_log_filters_and_pages_newest_first() {
    let app = app().await;
    let admin = app.admin().await;
    for _ in 0..3 {
        app.persona("ghost", "wrong wrong wrong wrong").login().await;
    }
    let all = admin.get("/api/admin/audit-logs").await.json();
    assert_eq!(all["total"], 4, "setup and three failures");
    let ids: Vec<i64> = all["items"].as_array().unwrap().iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");

    let failures = admin.get("/api/admin/audit-logs?action=login_failure&limit=2").await.json();
    assert_eq!((failures["total"].as_i64(), failures["items"].as_array().unwrap().len()), (Some(3), 2));
    // A name that matches no account is recorded as a keyed hash, never as typed.
    assert!(failures["items"][0]["target"].as_str().unwrap().starts_with("unknown name #"));
    assert!(failures["items"][0]["ip"].is_string());
    let by_actor = admin.get("/api/admin/audit-logs?actor=admin").await.json();
    assert!(by_actor["items"].as_array().unwrap().iter().all(|e| e["actor"] == "admin"));

    let future = admin.get("/api/admin/audit-logs?since=2999-01-01T00:00:00Z").await.json();
    assert_eq!(future["total"], 0);
    let past = admin.get("/api/admin/audit-logs?until=2000-01-01T00:00:00Z").await.json();
    assert_eq!(past["total"], 0);
    let bad = admin.get("/api/admin/audit-logs?since=yesterday").await;
    assert_eq!(bad.problem(422)["errors"][0]["field"], "since");
    // Only known actions filter; anything else is a mistake worth saying so.
    let unknown = admin.get("/api/admin/audit-logs?action=login_failures").await;
    assert_eq!(unknown.problem(422)["errors"][0]["field"], "action");
}

#[tokio::test]
async fn the_cleanup_job_applies_the_configured_audit_retention() {
    let app = app().await;
    let admin = app.admin().await;
    let mut settings = admin.get("/api/admin/config").await.json();
    settings["audit_retention_days"] = json!(30);
    assert_eq!(admin.put("/api/admin/config", settings).await.status, 200);
    let now = app.clock.now_millis();
    let day = 86_400_000;
    for (actor, age_days) in [("forty_days_old", 40), ("twenty_days_old", 20)] {
        let entry = umbra::db::audit::AuditEntry::new(actor, umbra::domain::audit_action::AuditAction::Backup);
        umbra::db::audit::record(app.db.pool(), umbra::domain::time::UtcMillis(now - age_days * day), entry)
            .await
            .unwrap();
    }
    let defaults = umbra::server::default_system_settings(&app.config);
    umbra::jobs::cleanup::run_once(&app.db, umbra::domain::time::UtcMillis(now), defaults).await.unwrap();
    let rows = umbra::db::audit::recent(app.db.pool(), 500).await.unwrap();
    let actors: Vec<&str> = rows.iter().map(|r| r.actor.as_str()).collect();
    assert!(!actors.contains(&"forty_days_old"), "past 30 days: pruned");
    assert!(actors.contains(&"twenty_days_old") && rows.iter().any(|r| r.action == "setup"));
}

#[tokio::test]
async fn the_cleanup_job_drops_expired_sessions() {
    let app = app().await;
    let admin = app.admin().await;
    assert_eq!(umbra::db::sessions::count_for_user(app.db.pool(), umbra::domain::id::UserId(1)).await.unwrap(), 1);
    let later = umbra::domain::time::UtcMillis(app.clock.now_millis()).plus_minutes(8 * 24 * 60);
    let defaults = umbra::server::default_system_settings(&app.config);
    umbra::jobs::cleanup::run_once(&app.db, later, defaults).await.unwrap();
    assert_eq!(
        umbra::db::sessions::count_for_user(app.db.pool(), umbra::domain::id::UserId(1)).await.unwrap(),
        0,
        "idle past 7 days"
    );
    assert_eq!(admin.get("/api/auth/status").await.json()["authenticated"], false);
}
