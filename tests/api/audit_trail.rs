//! What the audit log records about credentials: failed re-authentication, password changes,
//! lockouts through every path, and never a typed string that matches no account.

use serde_json::json;
use umbra::db::audit::AuditRow;
use umbra::domain::role::Role;

use crate::harness::{PASSWORD, TestApp, app_with};

async fn rows(app: &TestApp) -> Vec<AuditRow> {
    umbra::db::audit::recent(app.db.pool(), 1000).await.unwrap()
}

fn count(rows: &[AuditRow], action: &str, actor: &str) -> usize {
    rows.iter().filter(|r| r.action == action && r.actor == actor).count()
}

#[tokio::test]
async fn reauth_and_password_changes_are_audited_and_can_lock() {
    let app = app_with(|c| c.lockout.threshold = 3).await;
    let _admin = app.admin().await;
    let alice = app.user("alice").await;
    alice.post("/api/auth/reauth", json!({"password": "not the password at all"})).await.problem(401);
    let wrong =
        json!({"current_password": "not the password at all", "new_password": "violet moth under the quiet lamp"});
    alice.post("/api/auth/password", wrong).await.problem(401);
    let found = rows(&app).await;
    assert_eq!(count(&found, "reauth_failure", "alice"), 1);
    assert_eq!(count(&found, "password_change_failure", "alice"), 1);
    // The third wrong password, through the session unlock, locks the name: audited as such.
    alice.post_empty("/api/auth/lock").await;
    alice.post("/api/auth/unlock", json!({"password": "not the password at all"})).await.problem(401);
    let found = rows(&app).await;
    let lockout = found.iter().find(|r| r.action == "lockout").expect("a lockout row");
    assert_eq!((lockout.actor.as_str(), lockout.target.as_deref()), ("alice", Some("alice")));
    assert_eq!(lockout.detail.as_deref(), Some("password, at session unlock"));
    // Now locked: even the right password fails to unlock, like a wrong one.
    alice.post("/api/auth/unlock", json!({"password": PASSWORD})).await.problem(401);

    let bob = app.user("bob").await;
    let change = json!({"current_password": PASSWORD, "new_password": "violet moth under the quiet lamp"});
    assert_eq!(bob.post("/api/auth/password", change).await.status, 204);
    assert_eq!(count(&rows(&app).await, "password_change", "bob"), 1);
}

#[tokio::test]
async fn names_that_match_no_account_are_not_stored_as_typed() {
    let app = app_with(|c| c.lockout.threshold = 3).await;
    let _admin = app.admin().await;
    app.create_user("alice", Role::Standard).await;
    // Someone types their password into the username field.
    let typed = "Tr0ub4dor&3 horse battery";
    for _ in 0..3 {
        app.persona(typed, "whatever was typed next").login().await.problem(401);
    }
    app.persona("someone-else", "whatever was typed next").login().await.problem(401);
    let found = rows(&app).await;
    for row in &found {
        let text = format!("{} {:?} {:?}", row.actor, row.target, row.detail).to_lowercase();
        assert!(!text.contains("tr0ub4dor") && !text.contains("someone-else"), "{row:?}");
    }
    let failures: Vec<&AuditRow> = found.iter().filter(|r| r.action == "login_failure").collect();
    assert_eq!(failures.len(), 4);
    let markers: Vec<&str> = failures.iter().map(|r| r.target.as_deref().unwrap()).collect();
    assert!(markers.iter().all(|m| m.starts_with("unknown name #")), "{markers:?}");
    // The same typed name gives the same marker, another name another one.
    let distinct: std::collections::HashSet<&&str> = markers.iter().collect();
    assert_eq!(distinct.len(), 2, "{markers:?}");
    let lockout = found.iter().find(|r| r.action == "lockout").expect("the made-up name was locked");
    assert!(lockout.target.as_deref().unwrap().starts_with("unknown name #"));
    // A real name is still recorded as itself.
    app.persona("alice", "not the password at all").login().await.problem(401);
    assert!(rows(&app).await.iter().any(|r| r.action == "login_failure" && r.target.as_deref() == Some("alice")));
}
