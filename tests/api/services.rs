//! The service layer: the API and the CLI run the same workflows, with the same rules and
//! audit, and the workflows' errors map to HTTP in one place.

use umbra::db::audit;
use umbra::db::login_failures::{self, Counter};
use umbra::domain::role::Role;
use umbra::domain::time::UtcMillis;
use umbra::domain::username::Username;
use umbra::service::users::{self as service, NewAccount, UserError};
use umbra::service::{Caller, Context};

use crate::harness::{PASSWORD, app};

fn context(app: &crate::harness::TestApp) -> Context<'_> {
    Context { db: &app.db, now: UtcMillis::now(), settings: umbra::server::default_system_settings(&app.config) }
}

#[tokio::test]
async fn creating_a_user_is_one_workflow_with_one_answer_for_a_taken_name() {
    let app = app().await;
    let name = Username::parse("alice").unwrap();
    let new = || NewAccount { username: &name, password_hash: "hash", role: Role::Standard };
    let created = service::create_user(context(&app), &Caller::cli(), new()).await.unwrap();
    assert_eq!(created.username, "alice");
    let again = service::create_user(context(&app), &Caller::cli(), new()).await.unwrap_err();
    assert!(matches!(again, UserError::UsernameTaken), "{again:?}");
    let api = umbra::error::ApiError::from(again);
    assert_eq!((api.status.code, api.errors[0].field.as_str()), (409, "username"));

    let rows = audit::recent(app.db.pool(), 10).await.unwrap();
    assert!(rows.iter().any(|r| r.action == "create_user" && r.actor == "cli" && r.target.as_deref() == Some("alice")));
}

#[tokio::test]
async fn unlocking_through_the_api_and_the_cli_clears_both_counters() {
    let app = app().await;
    let admin = app.admin().await;
    let alice = app.create_user("alice", Role::Standard).await;
    for _ in 0..10 {
        app.persona("alice", "guessing guessing guessing").login().await.problem(401);
    }
    app.persona("alice", PASSWORD).login().await.problem(401);
    let key = Username::lockout_key("alice");
    let state = login_failures::get(app.db.pool(), Counter::Password(&key)).await.unwrap();
    assert!(state.locked_until.is_some());

    // The CLI's workflow reports what it cleared …
    let (user, before) = service::reset_lockout(context(&app), &Caller::cli(), alice).await.unwrap();
    assert_eq!((user.username.as_str(), before.failures), ("alice", 10));
    assert_eq!(app.persona("alice", PASSWORD).login().await.status, 200);

    // … and the API's is the same one, audited under its own name.
    for _ in 0..10 {
        app.persona("alice", "guessing guessing guessing").login().await.problem(401);
    }
    let unlocked = admin.post_empty(&format!("/api/admin/users/{alice}/unlock")).await.json();
    assert!(unlocked["locked_until"].is_null(), "{unlocked}");
    assert_eq!(app.persona("alice", PASSWORD).login().await.status, 200);
    admin.post_empty("/api/admin/users/999/unlock").await.problem(404);
    let actions: Vec<String> = app.audit_actions().await.into_iter().map(|(a, _, _)| a).collect();
    assert!(actions.contains(&"reset_lockout".to_string()) && actions.contains(&"admin_unlock_user".to_string()));
}

#[tokio::test]
async fn a_password_change_ends_the_other_sessions_and_lifts_a_forced_change() {
    let app = app().await;
    let alice = app.user("alice").await;
    let phone = app.persona("alice", PASSWORD);
    assert_eq!(phone.login().await.status, 200);
    let id = app.create_user("bob", Role::Standard).await;
    umbra::db::users::set_must_change_password(app.db.pool(), id, true).await.unwrap();

    let caller = Caller::cli();
    let ended =
        umbra::service::account::change_password(context(&app), &caller, id, "bob", "hash", None).await.unwrap();
    assert_eq!(ended, 0);
    let bob = umbra::db::users::find_by_id(app.db.pool(), id).await.unwrap().unwrap();
    assert!(!bob.must_change_password.get() && bob.password_hash == "hash");

    let body = serde_json::json!({"current_password": PASSWORD, "new_password": "a brand new passphrase 42"});
    assert_eq!(alice.post("/api/auth/password", body).await.status, 204);
    assert_eq!(phone.get("/api/auth/status").await.json()["authenticated"], false);
    assert_eq!(alice.get("/api/auth/status").await.json()["authenticated"], true);
}

#[tokio::test]
async fn deleting_a_user_forgets_their_failed_sign_ins_and_nobody_deletes_themselves() {
    let app = app().await;
    let admin = app.admin().await;
    let bob = app.create_user("bob", Role::Standard).await;
    for _ in 0..3 {
        app.persona("bob", "guessing guessing guessing").login().await.problem(401);
    }
    let xrw = [("X-Requested-With", "XMLHttpRequest")];
    let path = format!("/api/admin/users/{bob}");
    assert_eq!(admin.request(rocket::http::Method::Delete, &path, None, &xrw).await.status, 204);
    let key = Username::lockout_key("bob");
    assert_eq!(login_failures::get(app.db.pool(), Counter::Password(&key)).await.unwrap().failures, 0);

    let me = umbra::domain::id::UserId(1);
    let caller = Caller::cli();
    assert!(matches!(service::delete_user(context(&app), &caller, bob).await, Err(UserError::NotFound)));
    let own = umbra::db::users::find_by_id(app.db.pool(), me).await.unwrap().unwrap();
    let origin = umbra::auth::session::RequestOrigin { ip: "127.0.0.1".into(), user_agent: None };
    let myself = Caller::admin(me, &own.username, &origin);
    assert!(matches!(service::delete_user(context(&app), &myself, me).await, Err(UserError::DeleteSelf)));
}
