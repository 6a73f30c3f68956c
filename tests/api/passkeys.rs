//! Passkeys with a real software authenticator (webauthn-authenticator-rs's SoftPasskey):
//! registration behind re-authentication, sign-in that skips TOTP and the password lockout,
//! decoy options for unknown names, single-use ceremonies, counter regressions.

use serde_json::{Value, json};
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_rs::prelude::{CreationChallengeResponse, RequestChallengeResponse, Url};

use crate::harness::{PASSWORD, Persona, app};

thread_local! {
    static HELD: std::cell::RefCell<Vec<Vec<u8>>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The origin the in-process app's relying party expects (default listen port 8443).
fn origin() -> Url {
    Url::parse("https://localhost:8443").unwrap()
}

/// Registers a passkey from `key`; returns the server's view of it. The credential id is
/// remembered in `HELD` so discoverable sign-ins can play an authenticator that knows it.
async fn register(who: &Persona<'_>, key: &mut SoftPasskey, name: &str) -> Value {
    assert_eq!(who.post("/api/auth/reauth", json!({"password": who.password})).await.status, 204);
    let start = who.post("/api/auth/passkeys/register/begin", json!({"name": name})).await;
    assert_eq!(start.status, 200, "{}", start.body);
    let start = start.json();
    let options: CreationChallengeResponse = serde_json::from_value(start["options"].clone()).unwrap();
    let credential = key.do_registration(origin(), options).expect("the authenticator registers");
    HELD.with(|held| held.borrow_mut().push(credential.raw_id.clone()));
    let done = who
        .post(
            "/api/auth/passkeys/register/finish",
            json!({"ceremony_id": start["ceremony_id"], "credential": credential}),
        )
        .await;
    assert_eq!(done.status, 201, "{}", done.body);
    done.json()
}

/// Runs a passkey sign-in for the persona's browser and returns the finish response.
async fn passkey_login(who: &Persona<'_>, key: &mut SoftPasskey, username: Option<&str>) -> crate::harness::Resp {
    let start = who.post("/api/auth/passkeys/login/begin", json!({"username": username})).await.json();
    let mut options: RequestChallengeResponse = serde_json::from_value(start["options"].clone()).unwrap();
    if username.is_none() {
        // Discoverable sign-in: the server names no credential and the authenticator picks its
        // own. SoftPasskey cannot pick, so tell it which one it holds, as a real one would know.
        assert!(options.public_key.allow_credentials.is_empty());
        options.public_key.allow_credentials = HELD.with(|held| {
            held.borrow()
                .iter()
                .map(|id| webauthn_rs_proto::AllowCredentials {
                    type_: "public-key".into(),
                    id: id.clone(),
                    transports: None,
                })
                .collect()
        });
    }
    let assertion = key.do_authentication(origin(), options).expect("the authenticator signs");
    who.post("/api/auth/passkeys/login/finish", json!({"ceremony_id": start["ceremony_id"], "credential": assertion}))
        .await
}

#[tokio::test]
async fn a_passkey_signs_in_without_the_totp_step_even_while_the_password_is_locked() {
    let app = app().await;
    let _admin = app.admin().await;
    let alice = app.user("alice").await;
    let mut key = SoftPasskey::new(true);

    // Adding a passkey needs a fresh password confirmation.
    let refused = alice.post("/api/auth/passkeys/register/begin", json!({"name": "laptop"})).await;
    assert!(refused.problem(403)["detail"].as_str().unwrap().contains("reauth"));
    let added = register(&alice, &mut key, "laptop").await;
    assert_eq!(added["name"], "laptop");
    let listed = alice.get("/api/auth/passkeys").await.json();
    assert_eq!(listed.as_array().unwrap().len(), 1);

    // TOTP on, then the password gets locked by a guesser.
    let setup = alice.post_empty("/api/auth/totp/setup").await.json();
    let secret = totp_rs::Secret::try_from_base32(setup["secret"].as_str().unwrap()).unwrap();
    let totp = totp_rs::Builder::new()
        .with_secret(secret)
        .with_account_name("alice")
        .with_issuer(Some("UMBRA"))
        .build()
        .unwrap();
    let code = umbra::auth::totp::code_at(&totp, umbra::domain::time::UtcMillis(app.clock.now_millis()));
    assert_eq!(alice.post("/api/auth/totp/enable", json!({"code": code})).await.status, 200);
    for _ in 0..10 {
        app.persona("alice", "guessing guessing guessing").login().await.problem(401);
    }
    app.persona("alice", PASSWORD).login().await.problem(401);

    // With a username and without (discoverable): straight in, no TOTP step.
    for username in [Some("alice"), None] {
        let phone = app.persona("alice", PASSWORD);
        let signed_in = passkey_login(&phone, &mut key, username).await;
        assert_eq!(signed_in.status, 200, "{}", signed_in.body);
        assert_eq!(signed_in.json()["username"], "alice");
        assert_eq!(phone.get("/api/auth/status").await.json()["authenticated"], true);
    }
    let used = alice.get("/api/auth/passkeys").await.json();
    assert!(used[0]["last_used_at"].as_str().unwrap().ends_with('Z'));
    let passkey_logins =
        app.audit_actions().await.into_iter().filter(|(a, t, _)| a == "passkey_login" && t.as_deref() == Some("alice"));
    assert_eq!(passkey_logins.count(), 2, "passkey sign-ins are audited");

    // A deactivated account cannot sign in at all.
    sqlx::query("UPDATE users SET active = 0 WHERE username = 'alice'").execute(app.db.pool()).await.unwrap();
    passkey_login(&app.anonymous(), &mut key, None).await.problem(401);
}

#[tokio::test]
async fn unknown_names_get_options_of_the_same_shape() {
    let app = app().await;
    let _admin = app.admin().await;
    let alice = app.user("alice").await;
    register(&alice, &mut SoftPasskey::new(true), "laptop").await;
    let visitor = app.anonymous();
    let begin = |name: &'static str| {
        let visitor = &visitor;
        async move { visitor.post("/api/auth/passkeys/login/begin", json!({"username": name})).await.json() }
    };
    let real = begin("alice").await;
    let fake = begin("mallory").await;
    let shape = |v: &Value| -> Vec<String> {
        let mut keys: Vec<String> = v["options"]["publicKey"].as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    };
    assert_eq!(shape(&real), shape(&fake));
    let allowed = |v: &Value| v["options"]["publicKey"]["allowCredentials"].as_array().unwrap().clone();
    assert_eq!(allowed(&real).len(), allowed(&fake).len());
    assert_eq!(
        allowed(&real)[0].as_object().unwrap().keys().collect::<Vec<_>>(),
        allowed(&fake)[0].as_object().unwrap().keys().collect::<Vec<_>>()
    );
    // Asking again about the unknown name gives the same credential, as for a real user.
    assert_eq!(allowed(&begin("mallory").await), allowed(&fake));
    assert_ne!(real["ceremony_id"], fake["ceremony_id"]);
    assert_eq!(real["options"]["publicKey"]["userVerification"], "required");
}

#[tokio::test]
async fn ceremonies_are_single_use_expire_and_survive_other_processes() {
    let app = app().await;
    let _admin = app.admin().await;
    let alice = app.user("alice").await;
    let mut key = SoftPasskey::new(true);
    register(&alice, &mut key, "laptop").await;

    let start = alice.post("/api/auth/passkeys/login/begin", json!({"username": "alice"})).await.json();
    let options: RequestChallengeResponse = serde_json::from_value(start["options"].clone()).unwrap();
    let assertion = key.do_authentication(origin(), options).unwrap();
    let body = json!({"ceremony_id": start["ceremony_id"], "credential": assertion});
    // Finished by another server process sharing the database.
    let other = crate::harness::app_on(std::sync::Arc::clone(&app.database), |_| {}).await;
    let phone = other.persona("alice", PASSWORD);
    assert_eq!(phone.post("/api/auth/passkeys/login/finish", body.clone()).await.status, 200);
    phone.post("/api/auth/passkeys/login/finish", body).await.problem(401);

    let start = alice.post("/api/auth/passkeys/login/begin", json!({"username": "alice"})).await.json();
    let options: RequestChallengeResponse = serde_json::from_value(start["options"].clone()).unwrap();
    let assertion = key.do_authentication(origin(), options).unwrap();
    app.clock.advance_minutes(6);
    let late = alice
        .post("/api/auth/passkeys/login/finish", json!({"ceremony_id": start["ceremony_id"], "credential": assertion}))
        .await;
    late.problem(401);
}

#[tokio::test]
async fn a_signature_counter_going_backwards_is_refused_and_audited() {
    let app = app().await;
    let _admin = app.admin().await;
    let alice = app.user("alice").await;
    let mut key = SoftPasskey::new(true);
    register(&alice, &mut key, "laptop").await;
    // As if a clone of this authenticator had already signed 1000 times.
    let stored: String = sqlx::query_scalar("SELECT credential FROM passkeys").fetch_one(app.db.pool()).await.unwrap();
    let mut passkey: Value = serde_json::from_str(&stored).unwrap();
    passkey["cred"]["counter"] = json!(1000);
    sqlx::query("UPDATE passkeys SET credential = $1").bind(passkey.to_string()).execute(app.db.pool()).await.unwrap();
    passkey_login(&app.anonymous(), &mut key, Some("alice")).await.problem(401);
    assert!(app.audit_actions().await.iter().any(|(a, _, _)| a == "passkey_counter_regression"));
}

#[tokio::test]
async fn passkeys_are_renamed_and_removed_by_their_owner_only() {
    let app = app().await;
    let _admin = app.admin().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let id = register(&alice, &mut SoftPasskey::new(true), "laptop").await["id"].as_i64().unwrap();
    let path = format!("/api/auth/passkeys/{id}");
    let method = rocket::http::Method::Patch;
    assert_eq!(alice.request_json(method, &path, json!({"name": "work laptop"})).await.status, 204);
    assert_eq!(alice.get("/api/auth/passkeys").await.json()[0]["name"], "work laptop");
    bob.request_json(method, &path, json!({"name": "mine now"})).await.problem(404);
    alice.request_json(method, &path, json!({"name": ""})).await.problem(422);

    let xrw = [("X-Requested-With", "XMLHttpRequest")];
    app.clock.advance_minutes(11);
    alice.request(rocket::http::Method::Delete, &path, None, &xrw).await.problem(403);
    assert_eq!(alice.post("/api/auth/reauth", json!({"password": PASSWORD})).await.status, 204);
    bob.request(rocket::http::Method::Delete, &path, None, &xrw).await.problem(403);
    assert_eq!(alice.request(rocket::http::Method::Delete, &path, None, &xrw).await.status, 204);
    assert_eq!(alice.get("/api/auth/passkeys").await.json().as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn a_passkey_unlocks_a_locked_session_and_counts_as_reauthentication() {
    let app = app().await;
    let _admin = app.admin().await;
    let alice = app.user("alice").await;
    let mut key = SoftPasskey::new(true);
    let id = register(&alice, &mut key, "laptop").await["id"].as_i64().unwrap();
    app.clock.advance_minutes(11);
    assert_eq!(alice.post_empty("/api/auth/lock").await.status, 204);
    let locked_cookie = alice.cookie();

    let start = alice.post_empty("/api/auth/passkeys/confirm/begin").await.json();
    let options: RequestChallengeResponse = serde_json::from_value(start["options"].clone()).unwrap();
    let assertion = key.do_authentication(origin(), options).unwrap();
    let done = alice
        .post(
            "/api/auth/passkeys/confirm/finish",
            json!({"ceremony_id": start["ceremony_id"], "credential": assertion}),
        )
        .await;
    assert_eq!(done.status, 204, "{}", done.body);
    assert_ne!(alice.cookie(), locked_cookie, "a new token at the unlock");
    assert_eq!(alice.get("/api/auth/status").await.json()["locked"], false);
    // …and it was a re-authentication: removing the passkey is allowed now.
    let xrw = [("X-Requested-With", "XMLHttpRequest")];
    assert_eq!(
        alice.request(rocket::http::Method::Delete, &format!("/api/auth/passkeys/{id}"), None, &xrw).await.status,
        204
    );
    alice.post_empty("/api/auth/passkeys/confirm/begin").await.problem(409);
}
