//! The session lock screen: 423 until the password is given again.

use serde_json::json;

use crate::harness::app;

#[tokio::test]
async fn locked_sessions_answer_423_until_unlocked() {
    let app = app().await;
    let admin = app.admin().await;
    assert_eq!(admin.post_empty("/api/auth/lock").await.status, 204);

    let status = admin.get("/api/auth/status").await.json();
    assert_eq!((status["authenticated"].clone(), status["locked"].clone()), (json!(true), json!(true)));
    let blocked = admin
        .post(
            "/api/auth/password",
            json!({"current_password": admin.password, "new_password": "a brand new passphrase"}),
        )
        .await;
    blocked.problem(423);

    let wrong = admin.post("/api/auth/unlock", json!({"password": "not my password at all"})).await;
    wrong.problem(401);
    let locked_cookie = admin.cookie().unwrap();
    assert_eq!(admin.post("/api/auth/unlock", json!({"password": admin.password})).await.status, 204);
    assert_ne!(admin.cookie().unwrap(), locked_cookie, "unlock issues a new token");
    assert_eq!(admin.get("/api/auth/status").await.json()["locked"], false);

    // The token from before the unlock is dead.
    let stale = app.anonymous();
    stale.set_cookie(Some(locked_cookie));
    assert_eq!(stale.get("/api/auth/status").await.json()["authenticated"], false);
    let actions: Vec<String> = app.audit_actions().await.into_iter().map(|(a, _, _)| a).collect();
    assert!(actions.contains(&"session_lock".into()) && actions.contains(&"session_unlock".into()));
}

#[tokio::test]
async fn failed_unlocks_count_toward_the_lockout() {
    let app = crate::harness::app_with(|c| c.lockout.threshold = 3).await;
    let admin = app.admin().await;
    admin.post_empty("/api/auth/lock").await;
    for _ in 0..3 {
        admin.post("/api/auth/unlock", json!({"password": "not my password at all"})).await.problem(401);
    }
    let right = admin.post("/api/auth/unlock", json!({"password": admin.password})).await;
    right.problem(401);
    assert_eq!(admin.get("/api/auth/status").await.json()["locked"], true);
    // Logout still works while locked.
    assert_eq!(admin.post_empty("/api/auth/logout").await.status, 204);
}
