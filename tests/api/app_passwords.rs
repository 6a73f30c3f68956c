//! App passwords through the JSON API: creation behind a recent re-authentication, the secret
//! in the creation answer only, listing and revoking one's own (never another user's), the
//! name rules and the per-account cap, the session lock and signed-out answers, the admin's
//! list and revoke, and the audit trail. In-process DAV requests show what the account's
//! state does to its app passwords (use, deactivation, deletion); what only a socket shows
//! is in `dav_auth`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rocket::http::Method;
use serde_json::{Value, json};

use crate::harness::{PASSWORD, Persona, TestApp, app};

/// Re-authenticates `who`, then creates an app password named `name`; the creation answer.
pub async fn create(who: &Persona<'_>, name: &str) -> Value {
    assert_eq!(who.post("/api/auth/reauth", json!({"password": who.password})).await.status, 204);
    let created = who.post("/api/auth/app-passwords", json!({"name": name})).await;
    assert_eq!(created.status, 201, "{}", created.body);
    created.json()
}

/// A DAV request in-process with HTTP Basic credentials; its status.
async fn dav(app: &TestApp, username: &str, secret: &str) -> u16 {
    let basic = format!("Basic {}", STANDARD.encode(format!("{username}:{secret}")));
    app.anonymous().request(Method::Get, "/dav/", None, &[("Authorization", &basic)]).await.status
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"].as_array().unwrap().iter().map(|item| item["id"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn creation_needs_a_recent_reauthentication_and_shows_the_secret_once() {
    let app = app().await;
    let alice = app.user("alice").await;
    // Signed in, but the password was not given again: a stolen cookie alone mints nothing.
    let refused = alice.post("/api/auth/app-passwords", json!({"name": "Phone"})).await;
    assert!(refused.problem(403)["detail"].as_str().unwrap().contains("reauth"));
    assert_eq!(alice.get("/api/auth/app-passwords").await.json()["total"], 0);

    assert_eq!(alice.post("/api/auth/reauth", json!({"password": PASSWORD})).await.status, 204);
    let created = alice.post("/api/auth/app-passwords", json!({"name": "  Anna's phone  "})).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let created = created.json();
    assert_eq!(created["name"], "Anna's phone");
    assert!(created["created_at"].as_str().unwrap().ends_with('Z'));
    // 160 bits: 40 hex digits in five groups of eight.
    let secret = created["password"].as_str().unwrap().to_string();
    let groups: Vec<&str> = secret.split('-').collect();
    assert_eq!(groups.len(), 5, "{secret}");
    assert!(groups.iter().all(|g| g.len() == 8 && g.bytes().all(|b| b.is_ascii_hexdigit())), "{secret}");

    // The secret is nowhere else: not in the list, not in the database, not in the audit log.
    let listed = alice.get("/api/auth/app-passwords").await;
    assert!(!listed.body.contains(&secret) && !listed.body.contains("password\""), "{}", listed.body);
    let item = &listed.json()["items"][0];
    assert_eq!((item["id"].clone(), item["name"].clone()), (created["id"].clone(), json!("Anna's phone")));
    assert_eq!(item["last_used_at"], Value::Null);
    let stored: Vec<(String, String)> =
        sqlx::query_as("SELECT name, token_hash FROM app_passwords").fetch_all(app.db.pool()).await.unwrap();
    let compact = secret.replace('-', "");
    assert!(stored.iter().all(|(_, hash)| !hash.contains(&compact) && hash.len() == 64), "{stored:?}");
    let audit = umbra::db::audit::recent(app.db.pool(), 50).await.unwrap();
    assert!(audit.iter().all(|row| !row.detail.clone().unwrap_or_default().contains(&compact)));

    // The re-authentication lasts ten minutes.
    app.clock.advance_minutes(11);
    alice.post("/api/auth/app-passwords", json!({"name": "Laptop"})).await.problem(403);
}

#[tokio::test]
async fn the_secret_signs_in_to_dav_with_or_without_dashes_and_records_its_use() {
    let app = app().await;
    let alice = app.user("alice").await;
    let created = create(&alice, "Phone").await;
    let secret = created["password"].as_str().unwrap();
    // Until the protocol slice lands the DAV answer is a stub: what matters is "not 401".
    assert_ne!(dav(&app, "alice", secret).await, 401);
    assert_ne!(dav(&app, "ALICE", &secret.replace('-', "").to_uppercase()).await, 401);
    let used = alice.get("/api/auth/app-passwords").await.json();
    let first_use = used["items"][0]["last_used_at"].as_str().unwrap().to_string();
    // Used again within the minute: not written again (a syncing phone is no stream of writes).
    app.clock.advance_minutes(2);
    assert_ne!(dav(&app, "alice", secret).await, 401);
    let later = alice.get("/api/auth/app-passwords").await.json();
    assert_ne!(later["items"][0]["last_used_at"].as_str().unwrap(), first_use);
    // The account password is not an app password.
    assert_eq!(dav(&app, "alice", PASSWORD).await, 401);
}

#[tokio::test]
async fn users_list_and_revoke_their_own_and_never_anothers() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let phone = create(&alice, "Phone").await;
    let laptop = create(&alice, "Laptop").await;
    let bobs = create(&bob, "Bob's tablet").await;

    let page = alice.get("/api/auth/app-passwords").await.json();
    assert_eq!(page["total"], 2);
    // Newest first, paged like every list.
    assert_eq!(ids(&page), vec![laptop["id"].as_i64().unwrap(), phone["id"].as_i64().unwrap()]);
    let one = alice.get("/api/auth/app-passwords?limit=1&offset=1").await.json();
    assert_eq!((ids(&one), one["total"].clone()), (vec![phone["id"].as_i64().unwrap()], json!(2)));
    alice.get("/api/auth/app-passwords?limit=0").await.problem(422);

    // Bob's id under Alice's session: 404, and his still works.
    let bob_id = bobs["id"].as_i64().unwrap();
    alice.delete(&format!("/api/auth/app-passwords/{bob_id}")).await.problem(404);
    alice.delete("/api/auth/app-passwords/999999").await.problem(404);
    alice.delete("/api/auth/app-passwords/not-a-number").await.problem(422);
    assert_eq!(bob.get("/api/auth/app-passwords").await.json()["total"], 1);
    assert_ne!(dav(&app, "bob", bobs["password"].as_str().unwrap()).await, 401);
    // Bob's right secret under Alice's name is no way in either.
    assert_eq!(dav(&app, "alice", bobs["password"].as_str().unwrap()).await, 401);

    // Revoking needs no re-authentication (taking access away is always allowed) and works at once.
    app.clock.advance_minutes(30);
    let phone_id = phone["id"].as_i64().unwrap();
    assert_ne!(dav(&app, "alice", phone["password"].as_str().unwrap()).await, 401);
    assert_eq!(alice.delete(&format!("/api/auth/app-passwords/{phone_id}")).await.status, 204);
    assert_eq!(dav(&app, "alice", phone["password"].as_str().unwrap()).await, 401);
    assert_ne!(dav(&app, "alice", laptop["password"].as_str().unwrap()).await, 401);
    alice.delete(&format!("/api/auth/app-passwords/{phone_id}")).await.problem(404);
    assert_eq!(ids(&alice.get("/api/auth/app-passwords").await.json()), vec![laptop["id"].as_i64().unwrap()]);

    let audit = umbra::db::audit::recent(app.db.pool(), 100).await.unwrap();
    let find = |action: &str, detail: &str| {
        audit.iter().filter(|r| r.action == action && r.detail.as_deref() == Some(detail)).collect::<Vec<_>>()
    };
    let created = find("app_password_create", "app password \"Phone\"");
    assert_eq!(created.len(), 1);
    assert_eq!((created[0].actor.as_str(), created[0].target.as_deref()), ("alice", Some("alice")));
    let revoked = find("app_password_revoke", "app password \"Phone\"");
    assert_eq!(revoked.len(), 1);
    assert_eq!((revoked[0].actor.as_str(), revoked[0].target.as_deref()), ("alice", Some("alice")));
    // The refused attempts above are audited too, under the name they were made for.
    assert!(audit.iter().any(|r| r.action == "dav_login_failure" && r.target.as_deref() == Some("alice")));
}

#[tokio::test]
async fn names_and_bodies_are_checked_and_the_count_is_capped() {
    let app = app().await;
    let alice = app.user("alice").await;
    assert_eq!(alice.post("/api/auth/reauth", json!({"password": PASSWORD})).await.status, 204);
    let long = "x".repeat(65);
    for bad in ["", "   ", "two\nlines", "bell\u{7}", "esc\u{1b}[31m", long.as_str()] {
        let refused = alice.post("/api/auth/app-passwords", json!({"name": bad})).await;
        assert_eq!(refused.problem(422)["errors"][0]["field"], "name", "{bad:?}");
    }
    // A NUL is refused by the JSON guard before the name rules see it.
    alice.post("/api/auth/app-passwords", json!({"name": "nul\u{0}"})).await.problem(422);
    for body in [
        json!({"name": "Phone", "password": "chosen-by-me"}),
        json!({"name": "Phone", "user_id": 1}),
        json!({}),
        json!({"name": 7}),
    ] {
        alice.post("/api/auth/app-passwords", body).await.problem(422);
    }
    let malformed = alice
        .request(
            Method::Post,
            "/api/auth/app-passwords",
            Some("{\"name\":"),
            &[("X-Requested-With", "XMLHttpRequest"), ("Content-Type", "application/json")],
        )
        .await;
    malformed.problem(400);
    let oversized = format!("{{\"name\":\"{}\"}}", "x".repeat(70 * 1024));
    let refused = alice
        .request(
            Method::Post,
            "/api/auth/app-passwords",
            Some(&oversized),
            &[("X-Requested-With", "XMLHttpRequest"), ("Content-Type", "application/json")],
        )
        .await;
    refused.problem(413);
    // The longest name is 64 characters, not bytes.
    let accented = "é".repeat(64);
    assert_eq!(alice.post("/api/auth/app-passwords", json!({"name": accented})).await.status, 201);
    assert_eq!(alice.get("/api/auth/app-passwords").await.json()["total"], 1);

    // 50 per account; the 51st is a conflict that says what to do.
    for n in 1..50 {
        let created = alice.post("/api/auth/app-passwords", json!({"name": format!("Device {n}")})).await;
        assert_eq!(created.status, 201, "{n}: {}", created.body);
    }
    let full = alice.post("/api/auth/app-passwords", json!({"name": "One too many"})).await;
    assert!(full.problem(409)["detail"].as_str().unwrap().contains("revoke"));
    assert_eq!(alice.get("/api/auth/app-passwords").await.json()["total"], 50);
    // Another account has its own allowance.
    let bob = app.user("bob").await;
    create(&bob, "Phone").await;
}

#[tokio::test]
async fn a_locked_session_gets_423_and_strangers_401() {
    let app = app().await;
    let alice = app.user("alice").await;
    let phone = create(&alice, "Phone").await;
    let path = format!("/api/auth/app-passwords/{}", phone["id"]);
    assert_eq!(alice.post_empty("/api/auth/lock").await.status, 204);
    alice.get("/api/auth/app-passwords").await.problem(423);
    alice.post("/api/auth/app-passwords", json!({"name": "Laptop"})).await.problem(423);
    alice.delete(&path).await.problem(423);

    let stranger = app.anonymous();
    stranger.get("/api/auth/app-passwords").await.problem(401);
    stranger.post("/api/auth/app-passwords", json!({"name": "Laptop"})).await.problem(401);
    stranger.delete(&path).await.problem(401);
    // Still there: nothing above removed it.
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM app_passwords").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(left, 1);
}

#[tokio::test]
async fn an_app_password_is_no_way_into_the_json_api() {
    let app = app().await;
    let alice = app.user("alice").await;
    let phone = create(&alice, "Phone").await;
    let basic = format!("Basic {}", STANDARD.encode(format!("alice:{}", phone["password"].as_str().unwrap())));
    let stranger = app.anonymous();
    let headers = [("Authorization", basic.as_str()), ("X-Requested-With", "XMLHttpRequest")];
    let status = stranger.request(Method::Get, "/api/auth/status", None, &headers).await.json();
    assert_eq!(status["authenticated"], false);
    stranger.request(Method::Get, "/api/auth/app-passwords", None, &headers).await.problem(401);
    stranger.request(Method::Get, "/api/todos", None, &headers).await.problem(401);
    stranger.request(Method::Get, "/api/settings", None, &headers).await.problem(401);
}

#[tokio::test]
async fn admins_list_and_revoke_a_users_app_passwords() {
    let app = app().await;
    let admin = app.admin().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let alices = create(&alice, "Phone").await;
    let bobs = create(&bob, "Tablet").await;
    let alice_id = alice.get("/api/auth/status").await.json()["user"]["id"].as_i64().unwrap();
    let bob_id = bob.get("/api/auth/status").await.json()["user"]["id"].as_i64().unwrap();
    let alices_path = format!("/api/admin/users/{alice_id}/app-passwords/{}", alices["id"]);

    // Standard users: 403, for their own account too; strangers 401.
    bob.get(&format!("/api/admin/users/{alice_id}/app-passwords")).await.problem(403);
    bob.get(&format!("/api/admin/users/{bob_id}/app-passwords")).await.problem(403);
    bob.delete(&alices_path).await.problem(403);
    app.anonymous().delete(&alices_path).await.problem(401);

    let page = admin.get(&format!("/api/admin/users/{alice_id}/app-passwords")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let page = page.json();
    assert_eq!((page["total"].clone(), page["items"][0]["name"].clone()), (json!(1), json!("Phone")));
    assert!(!page.to_string().contains(alices["password"].as_str().unwrap()));
    admin.get("/api/admin/users/999999/app-passwords").await.problem(404);
    admin.get(&format!("/api/admin/users/{alice_id}/app-passwords?limit=501")).await.problem(422);

    // Bob's app password under Alice: 404, and it keeps working.
    admin.delete(&format!("/api/admin/users/{alice_id}/app-passwords/{}", bobs["id"])).await.problem(404);
    admin.delete(&format!("/api/admin/users/999999/app-passwords/{}", alices["id"])).await.problem(404);
    assert_ne!(dav(&app, "bob", bobs["password"].as_str().unwrap()).await, 401);

    assert_eq!(admin.delete(&alices_path).await.status, 204);
    assert_eq!(dav(&app, "alice", alices["password"].as_str().unwrap()).await, 401);
    assert_eq!(alice.get("/api/auth/app-passwords").await.json()["total"], 0);
    admin.delete(&alices_path).await.problem(404);

    let audit = umbra::db::audit::recent(app.db.pool(), 100).await.unwrap();
    let revoked: Vec<_> = audit.iter().filter(|r| r.action == "app_password_revoke").collect();
    assert_eq!(revoked.len(), 1);
    assert_eq!(
        (revoked[0].actor.as_str(), revoked[0].target.as_deref(), revoked[0].detail.as_deref()),
        ("admin", Some("alice"), Some("app password \"Phone\""))
    );
}

#[tokio::test]
async fn deactivating_and_deleting_the_account_shut_its_devices_out() {
    let app = app().await;
    let admin = app.admin().await;
    let alice = app.user("alice").await;
    let phone = create(&alice, "Phone").await;
    let secret = phone["password"].as_str().unwrap().to_string();
    let alice_id = alice.get("/api/auth/status").await.json()["user"]["id"].as_i64().unwrap();
    assert_ne!(dav(&app, "alice", &secret).await, 401);

    let off = admin.patch(&format!("/api/admin/users/{alice_id}"), json!({"active": false})).await;
    assert_eq!(off.status, 200, "{}", off.body);
    assert_eq!(dav(&app, "alice", &secret).await, 401);
    // Reactivated, the device syncs again: deactivation keeps the account's data.
    assert_eq!(admin.patch(&format!("/api/admin/users/{alice_id}"), json!({"active": true})).await.status, 200);
    assert_ne!(dav(&app, "alice", &secret).await, 401);

    assert_eq!(admin.delete(&format!("/api/admin/users/{alice_id}")).await.status, 204);
    assert_eq!(dav(&app, "alice", &secret).await, 401);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM app_passwords WHERE user_id = $1")
        .bind(alice_id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(left, 0);
    // A new account of the same name does not inherit the old device.
    app.create_user("alice", umbra::domain::role::Role::Standard).await;
    assert_eq!(dav(&app, "alice", &secret).await, 401);
}

#[tokio::test]
async fn a_lock_expires_and_success_never_forgives_earlier_failures() {
    let app = crate::harness::app_with(|c| c.lockout.threshold = 3).await;
    let alice = app.user("alice").await;
    let phone = create(&alice, "Phone").await;
    let secret = phone["password"].as_str().unwrap();
    let wrong = "00000000-00000000-00000000-00000000-00000000";
    // Two failures, a success, one more failure: the third failure locks (the success in
    // between forgave nothing), and then the right secret is refused too.
    assert_eq!(dav(&app, "alice", wrong).await, 401);
    assert_eq!(dav(&app, "alice", wrong).await, 401);
    assert_ne!(dav(&app, "alice", secret).await, 401);
    assert_eq!(dav(&app, "alice", wrong).await, 401);
    assert_eq!(dav(&app, "alice", secret).await, 401);
    // The same counter as the sign-in page: the account password is refused there too now.
    alice.login().await.problem(401);
    // After the lock period (30 minutes by default) the device gets in again.
    app.clock.advance_minutes(31);
    assert_ne!(dav(&app, "alice", secret).await, 401);
    let audit = umbra::db::audit::recent(app.db.pool(), 100).await.unwrap();
    let reasons: Vec<&str> = audit
        .iter()
        .filter(|r| r.action == "dav_login_failure" && r.target.as_deref() == Some("alice"))
        .filter_map(|r| r.detail.as_deref())
        .collect();
    assert_eq!(reasons, vec!["locked", "bad credentials; locked", "bad credentials", "bad credentials"]);
    assert!(audit.iter().any(|r| r.action == "lockout" && r.detail.as_deref() == Some("app password, at DAV sign-in")));
}

/// Whoever knew the old password may have made an app password: a password change and an
/// admin's reset end every app password of the account, like its other sessions.
#[tokio::test]
async fn a_password_change_or_reset_ends_every_app_password() {
    let app = app().await;
    let admin = app.admin().await;
    let alice = app.user("alice").await;
    let phone = create(&alice, "Phone").await["password"].as_str().unwrap().to_string();
    let laptop = create(&alice, "Laptop").await["password"].as_str().unwrap().to_string();
    assert_ne!(dav(&app, "alice", &phone).await, 401, "the app password works first");

    let new_password = "a brand new passphrase, quite long";
    let changed =
        alice.post("/api/auth/password", json!({"current_password": PASSWORD, "new_password": new_password})).await;
    assert_eq!(changed.status, 204, "{}", changed.body);
    assert_eq!(dav(&app, "alice", &phone).await, 401, "ended by the password change");
    assert_eq!(dav(&app, "alice", &laptop).await, 401, "all of them");
    assert_eq!(alice.get("/api/auth/app-passwords").await.json()["total"], 0);
    let audit = umbra::db::audit::recent(app.db.pool(), 50).await.unwrap();
    assert!(
        audit.iter().any(|row| row.action == "password_change"
            && row.detail.as_deref().is_some_and(|d| d.contains("2 app passwords revoked"))),
        "the audit log says so"
    );

    let alice = app.persona("alice", new_password);
    assert_eq!(alice.login().await.status, 200);
    assert_eq!(alice.post("/api/auth/reauth", json!({"password": new_password})).await.status, 204);
    let created = alice.post("/api/auth/app-passwords", json!({"name": "Tablet"})).await.json();
    let tablet = created["password"].as_str().unwrap().to_string();
    assert_ne!(dav(&app, "alice", &tablet).await, 401);
    let id = admin.get("/api/admin/users").await.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "alice")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let reset = admin
        .post(
            &format!("/api/admin/users/{id}/reset-password"),
            json!({"new_password": "the admin chose this passphrase"}),
        )
        .await;
    assert_eq!(reset.status, 204, "{}", reset.body);
    assert_eq!(dav(&app, "alice", &tablet).await, 401, "ended by the admin's reset");
}
