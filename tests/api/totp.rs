//! Authenticator apps (TOTP): enrolment, sign-in with a code, replay, recovery codes,
//! challenge expiry, lockout, disabling, admin reset, and the "require a second factor" rule.

use base64::Engine as _;
use serde_json::{Value, json};
use totp_rs::{Builder, Secret};
use umbra::domain::time::UtcMillis;

use crate::harness::{PASSWORD, Persona, TestApp, app, app_with};

/// What the user's authenticator app shows at the app's current time.
pub fn code(app: &TestApp, secret: &str, username: &str) -> String {
    let secret = Secret::try_from_base32(secret).unwrap();
    let totp =
        Builder::new().with_secret(secret).with_account_name(username).with_issuer(Some("UMBRA")).build().unwrap();
    umbra::auth::totp::code_at(&totp, UtcMillis(app.clock.now_millis()))
}

/// Sets up and enables TOTP for the persona; returns the secret and the recovery codes.
pub async fn enrol(app: &TestApp, who: &Persona<'_>) -> (String, Vec<String>) {
    let reauth = who.post("/api/auth/reauth", json!({"password": who.password})).await;
    assert_eq!(reauth.status, 204, "{}", reauth.body);
    let setup = who.post_empty("/api/auth/totp/setup").await;
    assert_eq!(setup.status, 200, "{}", setup.body);
    let setup = setup.json();
    let secret = setup["secret"].as_str().unwrap().to_string();
    assert!(setup["otpauth_uri"].as_str().unwrap().starts_with(&format!("otpauth://totp/UMBRA:{}?", who.username)));
    assert!(setup["qr_svg"].as_str().unwrap().contains("<svg"));
    let enabled = who.post("/api/auth/totp/enable", json!({"code": code(app, &secret, &who.username)})).await;
    assert_eq!(enabled.status, 200, "{}", enabled.body);
    let codes: Vec<String> =
        enabled.json()["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect();
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

/// Password step: returns the challenge token (and checks that no cookie was set).
async fn password_step(who: &Persona<'_>) -> String {
    let response = who.login().await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert!(response.header("set-cookie").is_none(), "no session before the second factor");
    let body: Value = response.json();
    assert_eq!(body["mfa_required"], true);
    body["mfa_token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn sign_in_needs_a_fresh_code_and_codes_are_single_use() {
    let app = app().await;
    let _admin = app.admin().await;
    let alice = app.user("alice").await;
    let (secret, _) = enrol(&app, &alice).await;
    assert_eq!(alice.get("/api/auth/status").await.json()["totp_enabled"], true);

    let fresh = app.persona("alice", PASSWORD);
    let token = password_step(&fresh).await;
    assert_eq!(fresh.get("/api/auth/status").await.json()["authenticated"], false);
    // The code used to enable TOTP was consumed: it cannot sign in.
    let replay =
        fresh.post("/api/auth/totp/verify", json!({"mfa_token": token, "code": code(&app, &secret, "alice")})).await;
    replay.problem(401);
    app.clock.advance_minutes(1);
    let now_code = code(&app, &secret, "alice");
    let done = fresh.post("/api/auth/totp/verify", json!({"mfa_token": token, "code": now_code})).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(fresh.get("/api/auth/status").await.json()["authenticated"], true);

    // The token is spent, and the same code does not work for another sign-in.
    let again = fresh.post("/api/auth/totp/verify", json!({"mfa_token": token, "code": now_code})).await;
    again.problem(401);
    let other = app.persona("alice", PASSWORD);
    let token = password_step(&other).await;
    other.post("/api/auth/totp/verify", json!({"mfa_token": token, "code": now_code})).await.problem(401);
}

#[tokio::test]
async fn recovery_codes_work_once_and_challenges_expire() {
    let app = app().await;
    let _admin = app.admin().await;
    let alice = app.user("alice").await;
    let (secret, recovery) = enrol(&app, &alice).await;
    // Stored sealed: nonce (12) + the 20-byte secret encrypted + tag (16), never the secret itself.
    let stored: String = sqlx::query_scalar("SELECT secret_enc FROM user_totp").fetch_one(app.db.pool()).await.unwrap();
    assert!(!stored.contains(&secret));
    assert_eq!(base64::engine::general_purpose::STANDARD.decode(&stored).unwrap().len(), 48);

    let phone = app.persona("alice", PASSWORD);
    let token = password_step(&phone).await;
    let used =
        phone.post("/api/auth/totp/verify", json!({"mfa_token": token, "code": recovery[0].to_uppercase()})).await;
    assert_eq!(used.status, 200, "{}", used.body);
    let laptop = app.persona("alice", PASSWORD);
    let token = password_step(&laptop).await;
    laptop.post("/api/auth/totp/verify", json!({"mfa_token": token, "code": recovery[0]})).await.problem(401);
    assert_eq!(
        laptop.post("/api/auth/totp/verify", json!({"mfa_token": token, "code": recovery[1]})).await.status,
        200
    );

    // Five minutes to answer, no more.
    let slow = app.persona("alice", PASSWORD);
    let token = password_step(&slow).await;
    app.clock.advance_minutes(6);
    let late = slow.post("/api/auth/totp/verify", json!({"mfa_token": token, "code": recovery[2]})).await;
    assert!(late.problem(401)["detail"].as_str().unwrap().contains("expired"));
    slow.post("/api/auth/totp/verify", json!({"mfa_token": "made-up", "code": recovery[2]})).await.problem(401);
}

/// A wrong code at the sign-in's second step; returns the 401 detail.
async fn wrong_code(who: &Persona<'_>, token: &str) -> String {
    let wrong = who.post("/api/auth/totp/verify", json!({"mfa_token": token, "code": "000000"})).await;
    wrong.problem(401)["detail"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn wrong_codes_lock_code_entry_but_not_the_password() {
    let app = app_with(|c| c.lockout.threshold = 4).await;
    let _admin = app.admin().await;
    let alice = app.user("alice").await;
    let (secret, recovery) = enrol(&app, &alice).await;
    app.clock.advance_minutes(1);
    let guesser = app.persona("alice", PASSWORD);
    let token = password_step(&guesser).await;
    let mut details = Vec::new();
    for _ in 0..4 {
        details.push(wrong_code(&guesser, &token).await);
    }
    assert!(details[1].contains("2 attempts remain"), "{details:?}");
    assert!(details[3].contains("locked"), "{details:?}");
    // The password is still right (its counter is separate), but no code gets through now,
    // neither the authenticator's nor a recovery code, and the answer reads like a wrong code.
    let token = password_step(&app.persona("alice", PASSWORD)).await;
    let right =
        guesser.post("/api/auth/totp/verify", json!({"mfa_token": token, "code": code(&app, &secret, "alice")})).await;
    assert_eq!(right.problem(401)["detail"], "Wrong code.");
    let recovery_try = guesser.post("/api/auth/totp/verify", json!({"mfa_token": token, "code": recovery[0]})).await;
    assert_eq!(recovery_try.problem(401)["detail"], "Wrong code.");
    let actions = app.audit_actions().await;
    assert!(actions.iter().any(|(a, t, _)| a == "mfa_failure" && t.as_deref() == Some("alice")));
    assert!(actions.iter().any(|(a, t, _)| a == "lockout" && t.as_deref() == Some("alice")));
    // After the lockout period the right code works, and the spent recovery code was not used.
    app.clock.advance_minutes(31);
    let token = password_step(&app.persona("alice", PASSWORD)).await;
    let done =
        guesser.post("/api/auth/totp/verify", json!({"mfa_token": token, "code": code(&app, &secret, "alice")})).await;
    assert_eq!(done.status, 200, "{}", done.body);
    let token = password_step(&app.persona("alice", PASSWORD)).await;
    assert_eq!(
        guesser.post("/api/auth/totp/verify", json!({"mfa_token": token, "code": recovery[0]})).await.status,
        200
    );
}

#[tokio::test]
async fn the_right_password_does_not_forgive_code_guesses() {
    // The alternation attack: someone with the password signs in again before each lock.
    let app = app().await;
    let _admin = app.admin().await;
    let alice = app.user("alice").await;
    let (secret, _) = enrol(&app, &alice).await;
    app.clock.advance_minutes(1);
    let attacker = app.persona("alice", PASSWORD);
    let token = password_step(&attacker).await;
    for _ in 0..9 {
        wrong_code(&attacker, &token).await;
    }
    let token = password_step(&attacker).await;
    let tenth = wrong_code(&attacker, &token).await;
    assert!(tenth.contains("locked for 30 minutes"), "{tenth}");
    for _ in 0..5 {
        assert_eq!(wrong_code(&attacker, &token).await, "Wrong code.");
    }
    let token = password_step(&attacker).await;
    let right =
        attacker.post("/api/auth/totp/verify", json!({"mfa_token": token, "code": code(&app, &secret, "alice")})).await;
    assert_eq!(right.problem(401)["detail"], "Wrong code.", "locked even with the right code");
    assert_eq!(attacker.get("/api/auth/status").await.json()["authenticated"], false);
}

#[tokio::test]
async fn parallel_code_guesses_get_at_most_threshold_checks() {
    let app = app().await;
    let _admin = app.admin().await;
    let alice = app.user("alice").await;
    let (secret, _) = enrol(&app, &alice).await;
    app.clock.advance_minutes(1);
    let attacker = app.persona("alice", PASSWORD);
    let token = password_step(&attacker).await;
    let right = code(&app, &secret, "alice");
    let bodies: Vec<_> = (0..50)
        .map(|n| {
            let guess = if n >= 47 { right.clone() } else { format!("{:06}", 100_000 + n) };
            json!({"mfa_token": token, "code": guess})
        })
        .collect();
    let answers =
        futures::future::join_all(bodies.into_iter().map(|b| attacker.post("/api/auth/totp/verify", b))).await;
    assert!(answers.iter().all(|r| r.status == 401), "{:?}", answers.iter().map(|r| r.status).collect::<Vec<_>>());
    let rows = umbra::db::audit::recent(app.db.pool(), 1000).await.unwrap();
    let checked =
        rows.iter().filter(|r| r.action == "mfa_failure" && r.detail.as_deref() == Some("wrong code")).count();
    assert_eq!(checked, 10, "only the threshold of codes was checked");
}

#[tokio::test]
async fn disabling_needs_a_recent_password_and_a_code() {
    let app = app().await;
    let _admin = app.admin().await;
    let alice = app.user("alice").await;
    let (secret, recovery) = enrol(&app, &alice).await;
    // Past the re-authentication that enrolment needed.
    app.clock.advance_minutes(11);
    let body = json!({"password": PASSWORD, "code": code(&app, &secret, "alice")});
    let refused = alice.post("/api/auth/totp/disable", body.clone()).await;
    assert!(refused.problem(403)["detail"].as_str().unwrap().contains("reauth"));
    alice.post_empty("/api/auth/totp/recovery-codes").await.problem(403);
    assert_eq!(alice.post("/api/auth/reauth", json!({"password": PASSWORD})).await.status, 204);
    let regenerated = alice.post_empty("/api/auth/totp/recovery-codes").await.json();
    assert_eq!(regenerated["recovery_codes"].as_array().unwrap().len(), 10);
    // The old recovery codes died with the regeneration.
    alice.post("/api/auth/totp/disable", json!({"password": PASSWORD, "code": recovery[0]})).await.problem(401);
    alice.post("/api/auth/totp/disable", json!({"password": "not my password!!", "code": "123456"})).await.problem(401);
    assert_eq!(alice.post("/api/auth/totp/disable", body).await.status, 204);
    let actions = app.audit_actions().await;
    assert!(actions.iter().any(|(a, _, _)| a == "totp_disable"));
    assert_eq!(actions.iter().filter(|(a, _, _)| a == "totp_disable_failure").count(), 2);
    assert_eq!(app.persona("alice", PASSWORD).login().await.json()["username"], "alice", "no second step now");
    // Ten minutes later the re-authentication has lapsed.
    enrol(&app, &alice).await;
    app.clock.advance_minutes(11);
    alice.post_empty("/api/auth/totp/recovery-codes").await.problem(403);
}

#[tokio::test]
async fn wrong_codes_when_disabling_count_too() {
    let app = app_with(|c| c.lockout.threshold = 4).await;
    let admin = app.admin().await;
    let alice = app.user("alice").await;
    let (secret, _) = enrol(&app, &alice).await;
    app.clock.advance_minutes(1);
    for _ in 0..4 {
        let wrong = alice.post("/api/auth/totp/disable", json!({"password": PASSWORD, "code": "000000"})).await;
        wrong.problem(401);
    }
    // Code entry is locked everywhere: disabling with the right code, and signing in.
    let body = json!({"password": PASSWORD, "code": code(&app, &secret, "alice")});
    assert_eq!(alice.post("/api/auth/totp/disable", body).await.problem(401)["detail"], "Wrong code.");
    let phone = app.persona("alice", PASSWORD);
    let token = password_step(&phone).await;
    let right =
        phone.post("/api/auth/totp/verify", json!({"mfa_token": token, "code": code(&app, &secret, "alice")})).await;
    assert_eq!(right.problem(401)["detail"], "Wrong code.");
    let actions = app.audit_actions().await;
    assert!(actions.iter().filter(|(a, _, _)| a == "totp_disable_failure").count() >= 4);
    assert!(actions.iter().any(|(a, _, _)| a == "lockout"));
    // An admin's reset of the lockout clears the code counter too.
    let id = alice.get("/api/auth/status").await.json()["user"]["id"].as_i64().unwrap();
    assert_eq!(admin.post_empty(&format!("/api/admin/users/{id}/unlock")).await.status, 200);
    app.clock.advance_minutes(1);
    let token = password_step(&phone).await;
    let right =
        phone.post("/api/auth/totp/verify", json!({"mfa_token": token, "code": code(&app, &secret, "alice")})).await;
    assert_eq!(right.status, 200, "{}", right.body);
}

#[tokio::test]
async fn setting_up_an_authenticator_needs_a_recent_password() {
    let app = app().await;
    let _admin = app.admin().await;
    let alice = app.user("alice").await;
    // Signed in, but a stolen cookie must not be enough to add a second factor.
    assert!(alice.post_empty("/api/auth/totp/setup").await.problem(403)["detail"].as_str().unwrap().contains("reauth"));
    assert_eq!(alice.post("/api/auth/reauth", json!({"password": PASSWORD})).await.status, 204);
    let setup = alice.post_empty("/api/auth/totp/setup").await;
    assert_eq!(setup.status, 200, "{}", setup.body);
    let secret = setup.json()["secret"].as_str().unwrap().to_string();
    // Enabling too: once the re-authentication has lapsed, the right code is not enough.
    app.clock.advance_minutes(11);
    let late = alice.post("/api/auth/totp/enable", json!({"code": code(&app, &secret, "alice")})).await;
    assert!(late.problem(403)["detail"].as_str().unwrap().contains("reauth"));
    assert_eq!(alice.post("/api/auth/reauth", json!({"password": PASSWORD})).await.status, 204);
    let enabled = alice.post("/api/auth/totp/enable", json!({"code": code(&app, &secret, "alice")})).await;
    assert_eq!(enabled.status, 200, "{}", enabled.body);
}

#[tokio::test]
async fn admins_reset_a_users_second_factor() {
    let app = app().await;
    let admin = app.admin().await;
    let alice = app.user("alice").await;
    enrol(&app, &alice).await;
    let id = alice.get("/api/auth/status").await.json()["user"]["id"].as_i64().unwrap();
    assert_eq!(admin.post_empty(&format!("/api/admin/users/{id}/reset-mfa")).await.status, 204);
    assert_eq!(app.persona("alice", PASSWORD).login().await.json()["username"], "alice");
    assert!(app.audit_actions().await.iter().any(|(a, _, _)| a == "admin_reset_mfa"));
}

#[tokio::test]
async fn a_required_second_factor_limits_the_session_to_enrolment() {
    let app = app().await;
    let admin = app.admin().await;
    let mut settings = admin.get("/api/admin/config").await.json();
    settings["require_mfa"] = json!("everyone");
    let saved = admin.request_json(rocket::http::Method::Put, "/api/admin/config", settings).await;
    assert_eq!(saved.status, 200);
    app.clock.advance_minutes(1);
    let alice = app.user("alice").await;
    assert_eq!(alice.get("/api/auth/status").await.json()["second_factor_missing"], true);
    let blocked = alice.get("/api/auth/sessions").await;
    assert!(blocked.problem(403)["detail"].as_str().unwrap().contains("second factor"));
    enrol(&app, &alice).await;
    assert_eq!(alice.get("/api/auth/status").await.json()["second_factor_missing"], false);
    assert_eq!(alice.get("/api/auth/sessions").await.status, 200);
}
