//! The lockout under concurrency: a burst of parallel guesses gets at most `threshold`
//! password verifications per name, on one server or on several sharing the database, and
//! the right password sent behind the burst is refused like a wrong one.

use std::sync::Arc;
use std::time::Duration;

use futures::future::join_all;
use serde_json::json;
use umbra::db::login_failures;
use umbra::domain::role::Role;

use crate::harness::{PASSWORD, Persona, TestApp, app, app_on};

const GUESSES: usize = 50;
/// The right password is among the last ones sent (see `burst`).
const RIGHT_FROM: usize = 46;

/// Real password verifications for `name`, read from the audit log: every verification
/// against the account's hash ends as a refusal for bad credentials or a sign-in; a refusal
/// while locked ran only the dummy verification and is recorded as "locked".
async fn real_verifications(app: &TestApp, name: &str) -> (usize, usize, usize) {
    let rows = umbra::db::audit::recent(app.db.pool(), 1000).await.unwrap();
    let about =
        |action: &'static str| rows.iter().filter(move |r| r.action == action && r.target.as_deref() == Some(name));
    let bad = about("login_failure")
        .filter(|r| r.detail.as_deref().is_some_and(|d| d.starts_with("bad credentials")))
        .count();
    let locked = about("login_failure").filter(|r| r.detail.as_deref() == Some("locked")).count();
    let signed_in = about("login").count();
    (bad, locked, signed_in)
}

async fn sessions_of(app: &TestApp, user_id: umbra::domain::id::UserId) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

async fn send(persona: &Persona<'_>) -> crate::harness::Resp {
    persona.post("/api/auth/login", json!({"username": "alice", "password": persona.password})).await
}

/// Sends the burst, spread over `apps` in turn, and returns the statuses. The wrong guesses
/// go out all at once; the right password follows while they are still in flight, as soon as
/// the lock exists (a right password reserved before the threshold may rightly get in, so
/// sending it "among the last" must not depend on how the two servers happen to interleave).
async fn burst(apps: &[&TestApp]) -> Vec<u16> {
    let persona = |n: usize, password: String| apps[n % apps.len()].persona("alice", &password);
    let wrong: Vec<_> = (0..RIGHT_FROM).map(|n| persona(n, format!("a wrong guess, number {n}"))).collect();
    let right: Vec<_> = (RIGHT_FROM..GUESSES).map(|n| persona(n, PASSWORD.to_string())).collect();
    let behind = async {
        let counter = login_failures::Counter::Password("alice");
        while login_failures::get(apps[0].db.pool(), counter).await.unwrap().locked_until.is_none() {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        join_all(right.iter().map(send)).await
    };
    let (first, last) = tokio::join!(join_all(wrong.iter().map(send)), behind);
    first.into_iter().chain(last).map(|r| r.status).collect()
}

#[tokio::test]
async fn parallel_guesses_get_at_most_threshold_verifications() {
    let app = app().await;
    let _admin = app.admin().await;
    let alice = app.create_user("alice", Role::Standard).await;
    let statuses = burst(&[&app]).await;
    assert!(statuses.iter().all(|s| *s == 401), "{statuses:?}");
    assert_eq!(sessions_of(&app, alice).await, 0, "the right password behind the burst made no session");
    let (bad, locked, signed_in) = real_verifications(&app, "alice").await;
    assert_eq!(signed_in, 0);
    assert_eq!(bad, 10, "exactly the threshold of real verifications");
    assert_eq!(bad + locked, GUESSES, "every attempt is accounted for");
    // The lock holds afterwards too, exactly like a wrong password.
    let after = app.persona("alice", PASSWORD).login().await;
    assert_eq!(after.problem(401)["detail"], "Wrong username or password.");
    // The same burst at a made-up name reads the same.
    let fake: Vec<_> = (0..GUESSES).map(|n| app.persona("mallory", &format!("a wrong guess, number {n}"))).collect();
    let answers = join_all(fake.iter().map(Persona::login)).await;
    assert!(answers.iter().all(|r| r.status == 401));
}

#[tokio::test]
async fn two_servers_on_one_database_share_the_budget() {
    let first = app().await;
    let second = app_on(Arc::clone(&first.database), |_| {}).await;
    let _admin = first.admin().await;
    let alice = first.create_user("alice", Role::Standard).await;
    let statuses = burst(&[&first, &second]).await;
    assert!(statuses.iter().all(|s| *s == 401), "{statuses:?}");
    assert_eq!(sessions_of(&first, alice).await, 0);
    let (bad, locked, signed_in) = real_verifications(&first, "alice").await;
    assert_eq!((bad, signed_in), (10, 0), "one budget across both servers");
    assert_eq!(bad + locked, GUESSES);
    second.persona("alice", PASSWORD).login().await.problem(401);
}

#[tokio::test]
async fn the_right_password_still_works_within_the_budget() {
    // Reserving before verifying must not cost the owner anything: nine parallel wrong
    // guesses and the right password beside them, and the right one gets in.
    let app = app().await;
    let _admin = app.admin().await;
    app.create_user("alice", Role::Standard).await;
    let mut personas: Vec<_> = (0..9).map(|n| app.persona("alice", &format!("a wrong guess, number {n}"))).collect();
    personas.push(app.persona("alice", PASSWORD));
    let answers = join_all(personas.iter().map(Persona::login)).await;
    assert_eq!(answers.iter().filter(|r| r.status == 200).count(), 1);
    assert_eq!(answers.iter().filter(|r| r.status == 401).count(), 9);
}
