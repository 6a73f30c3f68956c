//! Bounded, fair Argon2 work: a full hashing queue answers 503 with Retry-After at once, and
//! cheap checks (the setup code, validation, the password policy) come before any hashing.

use serde_json::json;
use umbra::server::AppState;

use crate::harness::{PASSWORD, TestApp, app, app_with};

fn state(app: &TestApp) -> &AppState {
    app.client.rocket().state::<AppState>().expect("app state")
}

#[tokio::test]
async fn a_full_hashing_queue_answers_503_with_retry_after() {
    let app = app_with(|c| c.argon2.queue_capacity = 2).await;
    let admin = app.admin().await;
    // Every place taken, as by a flood of sign-ins still hashing.
    let held: Vec<_> = (0..2).map(|_| state(&app).hasher.try_reserve().expect("a free place")).collect();
    assert!(state(&app).hasher.try_reserve().is_none());
    let busy = admin.login().await;
    busy.problem(503);
    let retry: u64 = busy.header("retry-after").expect("Retry-After").parse().unwrap();
    assert!(retry >= 1);
    let guest = app.anonymous().post("/api/auth/login", json!({"username": "nobody", "password": PASSWORD})).await;
    guest.problem(503);
    drop(held);
    assert_eq!(admin.login().await.status, 200, "served again once the queue has room");
}

#[tokio::test]
async fn setup_checks_the_code_before_hashing() {
    let app = app().await;
    let hasher = &state(&app).hasher;
    let wrong =
        json!({"setup_code": "AAAA-BBBB-CCCC-DDDD", "username": "root", "password": "violet kettle sings at dawn"});
    app.anonymous().post("/api/auth/setup", wrong).await.problem(403);
    let weak = json!({"setup_code": app.setup_code().await, "username": "root", "password": "password password"});
    app.anonymous().post("/api/auth/setup", weak).await.problem(422);
    assert_eq!(hasher.jobs_run(), 0, "no hash was computed for a request refused on cheap grounds");
    let admin = app.admin().await;
    assert_eq!(hasher.jobs_run(), 1, "one hash for the real setup");
    // Nor does creating a user whose name is taken.
    let taken =
        admin.post("/api/admin/users", json!({"username": "admin", "password": PASSWORD, "role": "admin"})).await;
    taken.problem(409);
    assert_eq!(hasher.jobs_run(), 1);
}
