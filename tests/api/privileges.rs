//! Sessions follow privileges: a role change, a deactivation and a password reset end the
//! user's sessions; one's own password change rotates this session and ends the others. The
//! API and the CLI share one set of rules (the last admin stays), which hold under
//! concurrency, as does the per-user session cap. Cookie removals carry `Secure; Path=/`.

use futures::future::join_all;
use serde_json::json;
use umbra::domain::role::Role;
use umbra::domain::time::UtcMillis;
use umbra::service::Caller;
use umbra::service::Context;
use umbra::service::users::{self as service, UserError};

use crate::harness::{PASSWORD, app, app_with};
use crate::live::{serve_https, stderr, umbra};

async fn authenticated(who: &crate::harness::Persona<'_>) -> bool {
    who.get("/api/auth/status").await.json()["authenticated"] == true
}

#[tokio::test]
async fn a_role_change_and_a_deactivation_end_the_users_sessions() {
    let app = app().await;
    let admin = app.admin().await;
    let alice = app.user("alice").await;
    let alice_id = alice.get("/api/auth/status").await.json()["user"]["id"].as_i64().unwrap();
    let path = format!("/api/admin/users/{alice_id}");

    // Promoted: the old session must not carry on (with its old role) — sign in again.
    let promoted = admin.patch(&path, json!({"role": "admin"})).await;
    assert_eq!(promoted.status, 200, "{}", promoted.body);
    assert!(!authenticated(&alice).await, "a promotion ends the sessions");
    assert_eq!(alice.login().await.status, 200);
    let demoted = admin.patch(&path, json!({"role": "standard"})).await;
    assert_eq!(demoted.status, 200, "{}", demoted.body);
    assert!(!authenticated(&alice).await, "a demotion ends the sessions");

    // Changing nothing that matters ends nothing.
    assert_eq!(alice.login().await.status, 200);
    assert_eq!(admin.patch(&path, json!({"role": "standard"})).await.status, 200);
    assert!(authenticated(&alice).await);

    assert_eq!(admin.patch(&path, json!({"active": false})).await.status, 200);
    assert!(!authenticated(&alice).await, "a deactivation ends the sessions");
    let detail = umbra::db::audit::recent(app.db.pool(), 10).await.unwrap();
    assert!(detail.iter().any(|row| row.action == "admin_update_user"
        && row.detail.as_deref().is_some_and(|d| d.contains("1 sessions ended"))));
}

#[tokio::test]
async fn changing_ones_password_rotates_this_session_and_ends_the_others() {
    let app = app().await;
    let _admin = app.admin().await;
    let laptop = app.user("alice").await;
    let phone = app.persona("alice", PASSWORD);
    assert_eq!(phone.login().await.status, 200);
    let before = laptop.cookie();

    let body = json!({"current_password": PASSWORD, "new_password": "a brand new passphrase"});
    assert_eq!(laptop.post("/api/auth/password", body).await.status, 204);
    let after = laptop.cookie();
    assert!(after.is_some() && after != before, "a new cookie");
    assert!(authenticated(&laptop).await, "this browser stays signed in");
    assert!(!authenticated(&phone).await, "the other session ended");

    // The old cookie (a copy an attacker may hold) no longer works.
    let copy = app.persona("alice", PASSWORD);
    copy.set_cookie(before);
    assert!(!authenticated(&copy).await, "the old token is dead");
}

#[tokio::test]
async fn an_admin_password_reset_ends_every_session() {
    let app = app().await;
    let admin = app.admin().await;
    let alice = app.user("alice").await;
    let id = alice.get("/api/auth/status").await.json()["user"]["id"].as_i64().unwrap();
    let body = json!({"new_password": "a different long passphrase"});
    assert_eq!(admin.post(&format!("/api/admin/users/{id}/reset-password"), body).await.status, 204);
    assert!(!authenticated(&alice).await);
}

#[tokio::test]
async fn the_cli_cannot_demote_the_last_admin_and_ends_sessions_on_a_role_change() {
    let app = app().await;
    let admin = app.admin().await;
    let url = app.database.url.clone();
    let refused = umbra(&["admin", "set-role", "admin", "standard", "--database-url", &url], None);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("last active admin"), "{}", stderr(&refused));
    assert_eq!(stderr(&refused).trim().lines().count(), 1);
    let row = umbra::db::users::find_by_username(app.db.pool(), "admin").await.unwrap().unwrap();
    assert_eq!(row.role(), Role::Admin);
    assert!(authenticated(&admin).await, "nothing changed");

    let alice = app.user("alice").await;
    let promoted = umbra(&["admin", "set-role", "alice", "admin", "--database-url", &url], None);
    assert!(promoted.status.success(), "{}", stderr(&promoted));
    assert!(!authenticated(&alice).await, "the CLI's role change ends the sessions too");
    // Now there is another admin, the first one may be demoted.
    let demoted = umbra(&["admin", "set-role", "admin", "standard", "--database-url", &url], None);
    assert!(demoted.status.success(), "{}", stderr(&demoted));
}

#[tokio::test]
async fn concurrent_demotions_leave_an_admin() {
    let app = app().await;
    let _admin = app.admin().await;
    let mut ids = vec![umbra::domain::id::UserId(1)];
    for n in 0..7 {
        ids.push(app.create_user(&format!("admin{n}"), Role::Admin).await);
    }
    let ctx =
        Context { db: &app.db, now: UtcMillis::now(), settings: umbra::server::default_system_settings(&app.config) };
    let caller = Caller::cli();
    let outcomes = join_all(ids.iter().map(|&id| service::set_role(ctx, &caller, id, Role::Standard))).await;
    let refused = outcomes.iter().filter(|o| matches!(o, Err(UserError::LastAdmin))).count();
    for outcome in &outcomes {
        assert!(matches!(outcome, Ok(_) | Err(UserError::LastAdmin)), "{outcome:?}");
    }
    let admins: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin' AND active = 1")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!((admins, refused), (1, 1), "exactly one demotion refused, one admin left");

    // The same through deactivations.
    let last = sqlx::query_scalar::<_, umbra::domain::id::UserId>("SELECT id FROM users WHERE role = 'admin'")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let other = app.create_user("another_admin", Role::Admin).await;
    let outcomes = join_all([last, other].map(|id| service::set_active(ctx, &caller, id, false))).await;
    assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 1, "{outcomes:?}");
}

#[tokio::test]
async fn concurrent_sign_ins_never_exceed_the_session_cap() {
    let app = app_with(|c| c.sessions.max_per_user = 3).await;
    let _admin = app.admin().await;
    let alice = app.create_user("alice", Role::Standard).await;
    let now = UtcMillis::now();
    let hashes: Vec<String> = (0..24).map(|n| format!("{n:064x}")).collect();
    let creates = hashes.iter().map(|hash| async {
        let mut tx = app.db.write().await?;
        let id = umbra::db::sessions::create(
            &mut tx,
            umbra::db::sessions::NewSession {
                user_id: alice,
                token_hash: hash,
                now,
                expires_at: now.plus_minutes(60),
                ip: None,
                user_agent: None,
                max_per_user: 3,
            },
        )
        .await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(id)
    });
    for created in join_all(creates).await {
        created.unwrap();
    }
    assert!(umbra::db::sessions::count_for_user(app.db.pool(), alice).await.unwrap() <= 3);

    // And through the sign-in endpoint.
    let browsers: Vec<_> = (0..8).map(|_| app.persona("alice", PASSWORD)).collect();
    for response in join_all(browsers.iter().map(crate::harness::Persona::login)).await {
        assert_eq!(response.status, 200, "{}", response.body);
    }
    assert!(umbra::db::sessions::count_for_user(app.db.pool(), alice).await.unwrap() <= 3);
}

#[tokio::test]
async fn signing_out_deletes_the_host_cookie_with_secure_and_path() {
    let server = serve_https(|_| {}).await;
    let code = umbra::auth::setup_code::current(server.db.pool()).await.unwrap().unwrap();
    let setup = server
        .post("/api/auth/setup", json!({"setup_code": code, "username": "admin", "password": PASSWORD}), &[])
        .await;
    assert_eq!(setup.status(), 201);
    let logout = server.post("/api/auth/logout", json!({}), &[]).await;
    assert_eq!(logout.status(), 204);
    let removal = logout.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(removal.starts_with("__Host-umbra_session=;"), "{removal}");
    for attribute in ["Secure", "Path=/", "Max-Age=0"] {
        assert!(removal.contains(attribute), "{attribute} missing: {removal}");
    }
    assert!(!removal.to_lowercase().contains("domain="), "{removal}");
}
