//! The admin side: the client secret is write-only and kept when not sent; every field is
//! checked (plain-http issuers only on this machine or when allowed); standard users and
//! anonymous callers get nothing; pre-links are admin-only, unique per identity and
//! audited; the CLI links, unlinks and resets the password rule on the same data.

use serde_json::json;

use super::{configure, user_id};
use crate::harness::app;
use crate::live::{stderr, stdout, umbra};
use crate::support::oidc_provider::{CLIENT_SECRET, Provider};

#[tokio::test]
async fn settings_are_checked_and_the_secret_is_never_shown() {
    let app = app().await;
    let admin = app.admin().await;
    let defaults = admin.get("/api/admin/oidc").await.json();
    assert_eq!(defaults["enabled"], false);
    assert_eq!(defaults["scopes"], "openid profile email");
    assert_eq!(defaults["client_secret_set"], false);
    assert!(defaults["redirect_uri"].as_str().unwrap().ends_with("/api/auth/oidc/callback"), "{defaults}");

    let provider = Provider::start().await;
    configure(&admin, &provider, json!({})).await;
    let saved = admin.get("/api/admin/oidc").await;
    assert!(!saved.body.contains(CLIENT_SECRET), "{}", saved.body);
    assert_eq!(saved.json()["client_secret_set"], true);
    // Saving without a secret keeps it.
    let mut again = saved.json();
    for computed in ["client_secret_set", "redirect_uri"] {
        again.as_object_mut().unwrap().remove(computed);
    }
    again["button_label"] = json!("Sign in with Authelia");
    let kept = admin.put("/api/admin/oidc", again.clone()).await;
    assert_eq!(kept.status, 200, "{}", kept.body);
    assert_eq!(kept.json()["client_secret_set"], true);
    assert_eq!(app.anonymous().get("/api/auth/status").await.json()["oidc_button"], "Sign in with Authelia");

    let bad = admin
        .put(
            "/api/admin/oidc",
            json!({"enabled": true, "issuer": "http://id.example.org", "client_id": "", "scopes": "profile", "button_label": ""}),
        )
        .await;
    let problem = bad.problem(422);
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    for field in ["issuer", "client_id", "scopes", "button_label"] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }
    let allowed = admin
        .put("/api/admin/oidc", json!({"issuer": "http://id.example.org", "allow_http_issuer": true, "client_id": "x"}))
        .await;
    assert_eq!(allowed.status, 200, "{}", allowed.body);
    assert_eq!(admin.put("/api/admin/oidc", json!({"enabled": false, "surprise": 1})).await.status, 422);
    // The settings that failed changed nothing.
    assert_eq!(admin.get("/api/admin/oidc").await.json()["issuer"], "http://id.example.org");
}

#[tokio::test]
async fn only_admins_reach_the_admin_routes_and_prelinks_are_unique() {
    let app = app().await;
    let admin = app.admin().await;
    let user = app.user("hank").await;
    let provider = Provider::start().await;
    configure(&admin, &provider, json!({})).await;
    let hank = user_id(&app, "hank").await;
    let admin_id = user_id(&app, "admin").await;
    for persona in [&user, &app.anonymous()] {
        let expected = if persona.cookie().is_some() { 403 } else { 401 };
        assert_eq!(persona.get("/api/admin/oidc").await.status, expected);
        assert_eq!(persona.put("/api/admin/oidc", json!({"enabled": false})).await.status, expected);
        assert_eq!(persona.post("/api/admin/oidc/test", json!({"issuer": provider.issuer()})).await.status, expected);
        let link = json!({"issuer": provider.issuer(), "subject": "x"});
        assert_eq!(persona.post(&format!("/api/admin/users/{admin_id}/oidc"), link).await.status, expected);
        assert_eq!(persona.get(&format!("/api/admin/users/{hank}/oidc")).await.status, expected);
    }
    let link = json!({"issuer": provider.issuer(), "subject": "sub-hank"});
    assert_eq!(admin.post(&format!("/api/admin/users/{hank}/oidc"), link.clone()).await.status, 201);
    assert_eq!(admin.post(&format!("/api/admin/users/{admin_id}/oidc"), link).await.problem(409)["status"], 409);
    assert_eq!(
        admin.post("/api/admin/users/999999/oidc", json!({"issuer": provider.issuer(), "subject": "y"})).await.status,
        404
    );
    let bad = admin.post(&format!("/api/admin/users/{hank}/oidc"), json!({"issuer": "nope", "subject": ""})).await;
    assert_eq!(bad.problem(422)["errors"].as_array().unwrap().len(), 2);
    let listed = admin.get(&format!("/api/admin/users/{hank}/oidc")).await.json();
    let id = listed["items"][0]["id"].as_i64().unwrap();
    // Hank sees his own link; an identity id under another user is 404.
    assert_eq!(user.get("/api/auth/oidc/identities").await.json()["total"], 1);
    assert_eq!(admin.delete(&format!("/api/admin/users/{admin_id}/oidc/{id}")).await.status, 404);
    assert_eq!(admin.delete(&format!("/api/admin/users/{hank}/oidc/{id}")).await.status, 204);
    assert_eq!(user.get("/api/auth/oidc/identities").await.json()["total"], 0);
    let actions = app.audit_actions().await;
    assert!(actions.iter().any(|(a, t, _)| a == "oidc_link" && t.as_deref() == Some("hank")));
    assert!(actions.iter().any(|(a, t, _)| a == "oidc_unlink" && t.as_deref() == Some("hank")));
    assert!(actions.iter().any(|(a, _, _)| a == "oidc_config_change"));
}

#[tokio::test]
async fn the_cli_links_unlinks_and_gives_passwords_back() {
    let app = app().await;
    let admin = app.admin().await;
    let provider = Provider::start().await;
    configure(&admin, &provider, json!({})).await;
    let url = app.database.url.clone();
    let db = ["--database-url", url.as_str()];
    let run = |args: &[&str]| umbra(&[args, &db[..]].concat(), None);

    let issuer = provider.issuer();
    let linked = run(&["admin", "oidc", "link", "admin", &issuer, "sub-admin"]);
    assert!(linked.status.success(), "{}", stderr(&linked));
    assert_eq!(admin.get("/api/auth/oidc/identities").await.json()["items"][0]["subject"], "sub-admin");
    let twice = run(&["admin", "oidc", "link", "admin", &issuer, "sub-admin"]);
    assert_eq!(twice.status.code(), Some(1));

    // Passwords off and the provider down: the operator's way back in.
    let off = admin
        .put(
            "/api/admin/oidc",
            json!({"enabled": true, "issuer": issuer, "client_id": "umbra-test",
        "admin_group": "umbra-admins", "password_login": "disabled"}),
        )
        .await;
    assert_eq!(off.status, 200, "{}", off.body);
    assert_eq!(admin.login().await.status, 401);
    let back = run(&["admin", "oidc", "password-login", "allowed"]);
    assert!(back.status.success(), "{}", stderr(&back));
    assert!(stdout(&back).contains("allowed"));
    assert_eq!(admin.login().await.status, 200);

    let unlinked = run(&["admin", "oidc", "unlink", "admin", &issuer, "sub-admin"]);
    assert!(unlinked.status.success(), "{}", stderr(&unlinked));
    assert_eq!(admin.get("/api/auth/oidc/identities").await.json()["total"], 0);
    let missing = run(&["admin", "oidc", "unlink", "admin", &issuer, "sub-admin"]);
    assert_eq!(missing.status.code(), Some(1));
    let rows = umbra::db::audit::recent(app.db.pool(), 50).await.unwrap();
    assert!(rows.iter().any(|r| r.actor == "cli" && r.action == "oidc_config_change"));
}

#[tokio::test]
async fn locked_sessions_malformed_bodies_and_an_unlisted_provider_are_refused() {
    let app = app().await;
    let admin = app.admin().await;
    let user = app.user("ivan").await;
    let provider = Provider::start().await;

    // Before the admin allow-lists the loopback provider, the SSRF-safe client refuses it.
    let refused = admin.post("/api/admin/oidc/test", json!({"issuer": provider.issuer()})).await.json();
    assert_eq!(refused["ok"], false, "{refused}");
    assert_eq!(provider.discovery_fetches(), 0, "nothing reached the provider");

    configure(&admin, &provider, json!({})).await;
    for body in ["{", "[]", "{\"enabled\": \"yes\"}"] {
        let status = raw(&admin, rocket::http::Method::Put, "/api/admin/oidc", body).await;
        assert!((400..500).contains(&status), "{body}: {status}");
    }
    let huge = format!("{{\"enabled\": false, \"button_label\": \"{}\"}}", "x".repeat(2_000_000));
    assert!((400..500).contains(&raw(&admin, rocket::http::Method::Put, "/api/admin/oidc", &huge).await));
    assert!((400..500).contains(&raw(&user, rocket::http::Method::Post, "/api/auth/oidc/link", "{").await));

    // A locked session reaches none of the identity routes.
    assert_eq!(user.post_empty("/api/auth/lock").await.status, 204);
    user.get("/api/auth/oidc/identities").await.problem(423);
    user.post("/api/auth/oidc/link", json!({})).await.problem(423);
    user.delete("/api/auth/oidc/identities/1").await.problem(423);
    assert_eq!(admin.post_empty("/api/auth/lock").await.status, 204);
    admin.get("/api/admin/oidc").await.problem(423);
}

/// The status of a JSON request with this raw body.
async fn raw(who: &crate::harness::Persona<'_>, method: rocket::http::Method, path: &str, body: &str) -> u16 {
    let headers = [("X-Requested-With", "XMLHttpRequest"), ("Content-Type", "application/json")];
    who.request(method, path, Some(body), &headers).await.status
}
