//! Passkeys with a real software authenticator (webauthn-authenticator-rs's SoftPasskey):
//! registration behind re-authentication, sign-in that skips TOTP and the password lockout,
//! sign-in options that are the same for every name, single-use ceremonies (pruned on a
//! timer), counter regressions, the per-user cap, and library errors kept from clients.

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
    let credential = key.do_registration(origin(), soft_registration(&start)).expect("the authenticator registers");
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

/// The registration options of a `register/begin` answer, as SoftPasskey can take them. The
/// server requires a discoverable credential; SoftPasskey refuses `requireResidentKey`
/// although it signs without being told its credential (see `soft_login`), so it is told the
/// requirement is off: it stands in for an authenticator that makes discoverable credentials.
fn soft_registration(start: &Value) -> CreationChallengeResponse {
    let mut options: CreationChallengeResponse = serde_json::from_value(start["options"].clone()).unwrap();
    let selection = options.public_key.authenticator_selection.as_mut().expect("authenticator selection");
    assert_eq!(selection.resident_key, Some(webauthn_rs_proto::ResidentKeyRequirement::Required));
    selection.require_resident_key = false;
    options
}

/// The sign-in options of a `login/begin` or `confirm/begin` answer, for SoftPasskey. For a
/// discoverable sign-in the server names no credential and a real authenticator picks its
/// own; SoftPasskey cannot pick, so it is told which ones it holds, as a real one would know.
fn soft_login(start: &Value) -> RequestChallengeResponse {
    let mut options: RequestChallengeResponse = serde_json::from_value(start["options"].clone()).unwrap();
    if options.public_key.allow_credentials.is_empty() {
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
    options
}

/// Runs a passkey sign-in for the persona's browser and returns the finish response.
async fn passkey_login(who: &Persona<'_>, key: &mut SoftPasskey, username: Option<&str>) -> crate::harness::Resp {
    let start = who.post("/api/auth/passkeys/login/begin", json!({"username": username})).await.json();
    assert!(start["options"]["publicKey"]["allowCredentials"].as_array().is_none_or(Vec::is_empty));
    let assertion = key.do_authentication(origin(), soft_login(&start)).expect("the authenticator signs");
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
    assert_eq!((listed["items"].as_array().unwrap().len(), listed["total"].as_i64()), (1, Some(1)));

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
    assert!(used["items"][0]["last_used_at"].as_str().unwrap().ends_with('Z'));
    let passkey_logins =
        app.audit_actions().await.into_iter().filter(|(a, t, _)| a == "passkey_login" && t.as_deref() == Some("alice"));
    assert_eq!(passkey_logins.count(), 2, "passkey sign-ins are audited");

    // A deactivated account cannot sign in at all.
    sqlx::query("UPDATE users SET active = 0 WHERE username = 'alice'").execute(app.db.pool()).await.unwrap();
    passkey_login(&app.anonymous(), &mut key, None).await.problem(401);
}

#[tokio::test]
async fn sign_in_options_are_the_same_for_every_name() {
    let app = app().await;
    let _admin = app.admin().await;
    let _bob = app.user("bob").await;
    let alice = app.user("alice").await;
    register(&alice, &mut SoftPasskey::new(true), "laptop").await;
    let carol = app.user("carol").await;
    let mut keys = SoftPasskey::new(true);
    for name in ["laptop", "phone", "key"] {
        register(&carol, &mut keys, name).await;
    }
    let visitor = app.anonymous();
    // Everything but the fresh challenge and ceremony id, for: an unknown name, a user
    // without passkeys, a user with one and a user with three.
    let mut answers = Vec::new();
    for name in ["mallory", "bob", "alice", "carol"] {
        let mut start = visitor.post("/api/auth/passkeys/login/begin", json!({"username": name})).await.json();
        assert!(start["ceremony_id"].as_str().is_some_and(|id| !id.is_empty()), "{start}");
        let challenge = start["options"]["publicKey"]["challenge"].take();
        assert!(challenge.as_str().is_some_and(|c| c.len() >= 43), "{start}");
        start["ceremony_id"].take();
        answers.push((name, start));
    }
    for (name, answer) in &answers[1..] {
        assert_eq!(answer, &answers[0].1, "{name} and an unknown name get different options");
    }
    let allowed = &answers[0].1["options"]["publicKey"]["allowCredentials"];
    assert!(allowed.as_array().is_none_or(Vec::is_empty), "no credential ids for anyone: {allowed}");
    assert_eq!(answers[0].1["options"]["publicKey"]["userVerification"], "required");
}

#[tokio::test]
async fn registration_asks_for_a_discoverable_credential() {
    let app = app().await;
    let _admin = app.admin().await;
    let alice = app.user("alice").await;
    assert_eq!(alice.post("/api/auth/reauth", json!({"password": PASSWORD})).await.status, 204);
    let start = alice.post("/api/auth/passkeys/register/begin", json!({"name": "laptop"})).await.json();
    let selection = &start["options"]["publicKey"]["authenticatorSelection"];
    assert_eq!(selection["residentKey"], "required", "{selection}");
    assert_eq!(selection["requireResidentKey"], true, "{selection}");
}

#[tokio::test]
async fn ceremonies_are_single_use_expire_and_survive_other_processes() {
    let app = app().await;
    let _admin = app.admin().await;
    let alice = app.user("alice").await;
    let mut key = SoftPasskey::new(true);
    register(&alice, &mut key, "laptop").await;

    let start = alice.post("/api/auth/passkeys/login/begin", json!({"username": "alice"})).await.json();
    let assertion = key.do_authentication(origin(), soft_login(&start)).unwrap();
    let body = json!({"ceremony_id": start["ceremony_id"], "credential": assertion});
    // Finished by another server process sharing the database.
    let other = crate::harness::app_on(std::sync::Arc::clone(&app.database), |_| {}).await;
    let phone = other.persona("alice", PASSWORD);
    assert_eq!(phone.post("/api/auth/passkeys/login/finish", body.clone()).await.status, 200);
    phone.post("/api/auth/passkeys/login/finish", body).await.problem(401);

    let start = alice.post("/api/auth/passkeys/login/begin", json!({"username": "alice"})).await.json();
    let assertion = key.do_authentication(origin(), soft_login(&start)).unwrap();
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
    assert_eq!(alice.get("/api/auth/passkeys").await.json()["items"][0]["name"], "work laptop");
    bob.request_json(method, &path, json!({"name": "mine now"})).await.problem(404);
    alice.request_json(method, &path, json!({"name": ""})).await.problem(422);

    let xrw = [("X-Requested-With", "XMLHttpRequest")];
    app.clock.advance_minutes(11);
    alice.request(rocket::http::Method::Delete, &path, None, &xrw).await.problem(403);
    assert_eq!(alice.post("/api/auth/reauth", json!({"password": PASSWORD})).await.status, 204);
    bob.request(rocket::http::Method::Delete, &path, None, &xrw).await.problem(403);
    assert_eq!(alice.request(rocket::http::Method::Delete, &path, None, &xrw).await.status, 204);
    assert_eq!(alice.get("/api/auth/passkeys").await.json()["total"], 0);
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
    let assertion = key.do_authentication(origin(), soft_login(&start)).unwrap();
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

/// How many sign-in and registration ceremonies are stored.
async fn ceremonies(app: &crate::harness::TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM webauthn_ceremonies").fetch_one(app.db.pool()).await.unwrap()
}

#[tokio::test]
async fn the_cleanup_job_prunes_expired_ceremonies() {
    let app = app().await;
    let _admin = app.admin().await;
    let visitor = app.anonymous();
    for _ in 0..3 {
        assert_eq!(visitor.post("/api/auth/passkeys/login/begin", json!({"username": null})).await.status, 200);
    }
    let defaults = umbra::server::default_system_settings(&app.config);
    let now = umbra::domain::time::UtcMillis(app.clock.now_millis());
    umbra::jobs::cleanup::run_once(&app.db, now, defaults).await.unwrap();
    assert_eq!(ceremonies(&app).await, 3, "live ceremonies stay");
    umbra::jobs::cleanup::run_once(&app.db, now.plus_minutes(6), defaults).await.unwrap();
    assert_eq!(ceremonies(&app).await, 0, "expired ceremonies are pruned without anyone finishing one");
}

#[tokio::test]
async fn a_user_has_at_most_twenty_passkeys() {
    let app = app().await;
    let _admin = app.admin().await;
    let alice = app.user("alice").await;
    let mut key = SoftPasskey::new(true);
    for n in 0..20 {
        register(&alice, &mut key, &format!("key {n}")).await;
    }
    let refused = alice.post("/api/auth/passkeys/register/begin", json!({"name": "one more"})).await;
    assert!(refused.problem(409)["detail"].as_str().unwrap().contains("20"), "{}", refused.body);

    // A registration begun below the cap cannot finish above it.
    let xrw = [("X-Requested-With", "XMLHttpRequest")];
    let first = alice.get("/api/auth/passkeys").await.json()["items"][0]["id"].as_i64().unwrap();
    let path = format!("/api/auth/passkeys/{first}");
    assert_eq!(alice.request(rocket::http::Method::Delete, &path, None, &xrw).await.status, 204);
    let start = alice.post("/api/auth/passkeys/register/begin", json!({"name": "twentieth"})).await.json();
    let late = register(&alice, &mut key, "twentieth again").await;
    assert_eq!(late["name"], "twentieth again");
    let credential = key.do_registration(origin(), soft_registration(&start)).unwrap();
    let body = json!({"ceremony_id": start["ceremony_id"], "credential": credential});
    alice.post("/api/auth/passkeys/register/finish", body).await.problem(409);
    assert_eq!(alice.get("/api/auth/passkeys").await.json()["total"], 20);
    // Paged like every list.
    let page = alice.get("/api/auth/passkeys?limit=5&offset=15").await.json();
    assert_eq!((page["items"].as_array().unwrap().len(), page["total"].as_i64()), (5, Some(20)));
    assert_eq!((page["limit"].as_i64(), page["offset"].as_i64()), (Some(5), Some(15)));
    alice.get("/api/auth/passkeys?limit=501").await.problem(422);
}

#[tokio::test]
async fn the_webauthn_library_s_error_text_is_not_sent_to_clients() {
    let app = app().await;
    let _admin = app.admin().await;
    let alice = app.user("alice").await;
    assert_eq!(alice.post("/api/auth/reauth", json!({"password": PASSWORD})).await.status, 204);
    let start = alice.post("/api/auth/passkeys/register/begin", json!({"name": "laptop"})).await.json();
    // An answer made for another site: webauthn-rs refuses it with its own description.
    let elsewhere = Url::parse("https://elsewhere.example").unwrap();
    let mut options = soft_registration(&start);
    options.public_key.rp.id = "elsewhere.example".into();
    let credential = SoftPasskey::new(true).do_registration(elsewhere, options).unwrap();
    let body = json!({"ceremony_id": start["ceremony_id"], "credential": credential});
    let refused = alice.post("/api/auth/passkeys/register/finish", body).await;
    let problem = refused.problem(400);
    assert_eq!(problem["detail"], "The authenticator's answer was not accepted. Try again.", "{}", refused.body);
}
