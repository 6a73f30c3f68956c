//! Sign-in, failures that all look alike, and the lockout.

use serde_json::json;

use crate::harness::{PASSWORD, app, app_with};

#[tokio::test]
async fn login_sets_a_session_and_logout_ends_it() {
    let app = app().await;
    let _admin = app.admin().await;
    app.create_user("alice", umbra::domain::role::Role::Standard).await;
    let alice = app.persona("ALICE", PASSWORD);
    let response = alice.login().await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.json()["username"], "alice");
    let cookie = alice.cookie().expect("session cookie");
    assert_eq!(alice.get("/api/auth/status").await.json()["authenticated"], true);

    assert_eq!(alice.post_empty("/api/auth/logout").await.status, 204);
    assert!(alice.cookie().is_none(), "logout clears the cookie");
    // The old cookie is dead on the server too.
    alice.set_cookie(Some(cookie));
    alice.post_empty("/api/auth/lock").await.problem(401);
    let actions: Vec<String> = app.audit_actions().await.into_iter().map(|(a, _, _)| a).collect();
    assert!(actions.contains(&"login".to_string()) && actions.contains(&"logout".to_string()));
}

#[tokio::test]
async fn unknown_user_and_wrong_password_are_indistinguishable() {
    let app = app().await;
    let _admin = app.admin().await;
    app.create_user("alice", umbra::domain::role::Role::Standard).await;
    for attempt in 1..=10 {
        let real = app.persona("alice", "wrong password, clearly").login().await;
        let fake = app.persona("mallory", "wrong password, clearly").login().await;
        let (real_problem, fake_problem) = (real.problem(401), fake.problem(401));
        assert_eq!(real_problem, fake_problem, "attempt {attempt}");
        assert!(real.cookie_free());
        if attempt <= 6 {
            assert_eq!(real_problem["detail"], "Wrong username or password.");
        } else if attempt < 10 {
            let remaining = 10 - attempt;
            assert!(
                real_problem["detail"].as_str().unwrap().contains(&format!("{remaining} attempt")),
                "{real_problem}"
            );
        } else {
            assert!(real_problem["detail"].as_str().unwrap().contains("locked for 30 minutes"), "{real_problem}");
        }
    }
    // Locked: plain 401s for both, even with the right password.
    let right = app.persona("alice", PASSWORD).login().await;
    let fake = app.persona("mallory", PASSWORD).login().await;
    assert_eq!(right.problem(401), fake.problem(401));
    assert_eq!(right.detail(), "Wrong username or password.");
    let actions = app.audit_actions().await;
    assert!(actions.iter().any(|(a, t, _)| a == "lockout" && t.as_deref() == Some("alice")));
    // A name that matches no account is not stored as typed (it might be a password).
    assert!(
        actions
            .iter()
            .any(|(a, t, _)| a == "login_failure" && t.as_deref().is_some_and(|t| t.starts_with("unknown name #")))
    );
    assert!(!actions.iter().any(|(_, t, _)| t.as_deref() == Some("mallory")));
}

#[tokio::test]
async fn lock_expires_and_success_resets_the_count() {
    let app = app_with(|c| {
        c.lockout.threshold = 4;
        c.lockout.minutes = 5;
    })
    .await;
    let _admin = app.admin().await;
    app.create_user("alice", umbra::domain::role::Role::Standard).await;
    let alice = app.persona("alice", PASSWORD);
    for _ in 0..3 {
        alice.login_with("not the password at all").await.problem(401);
    }
    // Success resets: three more failures do not lock.
    assert_eq!(alice.login().await.status, 200);
    for _ in 0..3 {
        alice.login_with("not the password at all").await.problem(401);
    }
    assert_eq!(alice.login().await.status, 200);

    // Counted case-insensitively, and the fourth failure locks for 5 minutes.
    for name in ["alice", "ALICE", "Alice", "aLiCe"] {
        app.persona(name, "not the password at all").login().await.problem(401);
    }
    assert_eq!(alice.login().await.status, 401);
    app.clock.advance_minutes(4);
    assert_eq!(alice.login().await.status, 401, "still locked after 4 minutes");
    app.clock.advance_minutes(2);
    assert_eq!(alice.login().await.status, 200, "the lock lapses");
}

#[tokio::test]
async fn deactivated_users_cannot_sign_in() {
    let app = app().await;
    let _admin = app.admin().await;
    let alice = app.user("alice").await;
    sqlx::query("UPDATE users SET active = 0 WHERE username = 'alice'").execute(app.db.pool()).await.unwrap();
    alice.get("/api/auth/status").await;
    assert_eq!(alice.get("/api/auth/status").await.json()["authenticated"], false);
    alice.login().await.problem(401);
}

#[tokio::test]
async fn login_input_errors_are_clear() {
    let app = app().await;
    let visitor = app.anonymous();
    let huge = visitor.post("/api/auth/login", json!({"username": "alice", "password": "x".repeat(2000)})).await;
    assert_eq!(huge.problem(422)["errors"][0]["field"], "password");
    let wrong_type = visitor.post("/api/auth/login", json!({"username": 5, "password": "x"})).await;
    assert_eq!(wrong_type.problem(422)["errors"][0]["field"], "username");
}

trait CookieFree {
    fn cookie_free(&self) -> bool;
}

impl CookieFree for crate::harness::Resp {
    fn cookie_free(&self) -> bool {
        self.header("set-cookie").is_none()
    }
}
