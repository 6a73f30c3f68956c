//! A user's own sessions and re-authentication.

use rocket::http::Method;
use serde_json::json;

use crate::harness::{PASSWORD, app};

#[tokio::test]
async fn users_list_and_revoke_their_own_sessions() {
    let app = app().await;
    let _admin = app.admin().await;
    let alice = app.user("alice").await;
    let phone = app.persona("alice", PASSWORD);
    assert_eq!(phone.login().await.status, 200);
    let bob = app.user("bob").await;

    let list = alice.get("/api/auth/sessions").await.json();
    let sessions = list["items"].as_array().unwrap();
    assert_eq!((sessions.len(), list["total"].as_i64()), (2, Some(2)));
    let first = alice.get("/api/auth/sessions?limit=1&offset=1").await.json();
    assert_eq!((first["items"].as_array().unwrap().len(), first["total"].as_i64()), (1, Some(2)));
    assert_eq!(alice.get("/api/auth/sessions?offset=-1").await.problem(422)["errors"][0]["field"], "offset");
    assert_eq!(sessions.iter().filter(|s| s["current"] == true).count(), 1);
    let cookie = alice.cookie().unwrap();
    assert!(sessions.iter().all(|s| !s.to_string().contains(&cookie)), "ids are not tokens");
    let other = sessions.iter().find(|s| s["current"] == false).unwrap()["id"].as_i64().unwrap();

    // Someone else's session is "not found", never "forbidden".
    let bobs = bob.get("/api/auth/sessions").await.json()["items"][0]["id"].as_i64().unwrap();
    let xrw = [("X-Requested-With", "XMLHttpRequest")];
    alice.request(Method::Delete, &format!("/api/auth/sessions/{bobs}"), None, &xrw).await.problem(404);
    assert_eq!(bob.get("/api/auth/status").await.json()["authenticated"], true);

    assert_eq!(alice.request(Method::Delete, &format!("/api/auth/sessions/{other}"), None, &xrw).await.status, 204);
    assert_eq!(phone.get("/api/auth/status").await.json()["authenticated"], false);

    assert_eq!(phone.login().await.status, 200);
    let laptop = app.persona("alice", PASSWORD);
    assert_eq!(laptop.login().await.status, 200);
    let revoked = alice.post_empty("/api/auth/sessions/revoke-others").await.json();
    assert_eq!(revoked["revoked"], 2);
    assert_eq!(alice.get("/api/auth/sessions").await.json()["total"], 1);
}

#[tokio::test]
async fn reauthentication_needs_the_password_and_counts_failures() {
    let app = crate::harness::app_with(|c| c.lockout.threshold = 3).await;
    let admin = app.admin().await;
    assert_eq!(admin.post("/api/auth/reauth", json!({"password": PASSWORD})).await.status, 204);
    for _ in 0..3 {
        admin.post("/api/auth/reauth", json!({"password": "not it, not it at all"})).await.problem(401);
    }
    admin.post("/api/auth/reauth", json!({"password": PASSWORD})).await.problem(401);
    assert!(app.audit_actions().await.iter().any(|(a, _, _)| a == "reauth"));
}
