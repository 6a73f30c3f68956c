//! Several server processes on one database (how PostgreSQL installs scale out): sessions,
//! lockouts and setup state are in the database, so every process agrees.

use std::sync::Arc;

use crate::harness::{PASSWORD, app, app_on};

#[tokio::test]
async fn lockout_and_sessions_hold_across_processes() {
    let first = app().await;
    let second = app_on(Arc::clone(&first.database), |_| {}).await;
    let _admin = first.admin().await;
    first.create_user("alice", umbra::domain::role::Role::Standard).await;

    // Failures on either process count toward one lock.
    for n in 0..10 {
        let app = if n % 2 == 0 { &first } else { &second };
        app.persona("alice", "guessing at the password").login().await.problem(401);
    }
    second.persona("alice", PASSWORD).login().await.problem(401);
    first.persona("alice", PASSWORD).login().await.problem(401);

    // A session made by one process is valid on the other, and a logout on one ends it on both.
    let bob_id = first.create_user("bob", umbra::domain::role::Role::Standard).await;
    let on_first = first.persona("bob", PASSWORD);
    assert_eq!(on_first.login().await.status, 200);
    let on_second = second.persona("bob", PASSWORD);
    on_second.set_cookie(on_first.cookie());
    assert_eq!(on_second.get("/api/auth/status").await.json()["user"]["id"], bob_id.0);
    assert_eq!(on_second.post_empty("/api/auth/logout").await.status, 204);
    assert_eq!(on_first.get("/api/auth/status").await.json()["authenticated"], false);
    // And the second process knows setup is done.
    assert_eq!(second.anonymous().get("/api/auth/status").await.json()["setup_required"], false);
}

#[tokio::test]
async fn raised_hash_parameters_rehash_at_the_next_login() {
    let weak = app().await;
    weak.create_user("alice", umbra::domain::role::Role::Standard).await;
    let stronger = app_on(Arc::clone(&weak.database), |c| c.argon2.memory_kib = 64).await;
    let hash_of = |app: &crate::harness::TestApp| {
        let pool = app.db.pool().clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT password_hash FROM users WHERE username = 'alice'")
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    assert!(hash_of(&weak).await.contains("m=32,"));
    assert_eq!(stronger.persona("alice", PASSWORD).login().await.status, 200);
    let upgraded = hash_of(&stronger).await;
    assert!(upgraded.starts_with("$argon2id$") && upgraded.contains("m=64,"), "{upgraded}");
    assert_eq!(stronger.persona("alice", PASSWORD).login().await.status, 200);
}
