//! Rate-limit buckets that fit real use: credential checks stay in the strict per-IP auth
//! bucket, signed-in management does not, and signed-in traffic is limited per user.

use rocket::http::Method;
use serde_json::json;
use umbra::config::RateLimits;

use crate::harness::{TestApp, app_with};

/// What the user's authenticator app shows at the app's current time.
fn totp_code(app: &TestApp, secret: &str, username: &str) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret).unwrap();
    let totp = totp_rs::Builder::new()
        .with_secret(secret)
        .with_account_name(username)
        .with_issuer(Some("UMBRA"))
        .build()
        .unwrap();
    umbra::auth::totp::code_at(&totp, umbra::domain::time::UtcMillis(app.clock.now_millis()))
}

#[tokio::test]
async fn reauth_totp_enrolment_and_a_passkey_fit_in_a_minute() {
    // The shipped defaults, where this sequence used to end in 429.
    let app = app_with(|c| c.rate_limits = RateLimits::default()).await;
    let alice = app.user("alice").await; // sign-in: one auth request
    let reauth = alice.post("/api/auth/reauth", json!({"password": alice.password})).await;
    assert_eq!(reauth.status, 204, "{}", reauth.body);
    let setup = alice.post_empty("/api/auth/totp/setup").await;
    assert_eq!(setup.status, 200, "{}", setup.body);
    let secret = setup.json()["secret"].as_str().unwrap().to_string();
    let enabled = alice.post("/api/auth/totp/enable", json!({"code": totp_code(&app, &secret, "alice")})).await;
    assert_eq!(enabled.status, 200, "{}", enabled.body);
    let codes = alice.post_empty("/api/auth/totp/recovery-codes").await;
    assert_eq!(codes.status, 200, "{}", codes.body);
    for name in ["laptop", "phone"] {
        let begin = alice.post("/api/auth/passkeys/register/begin", json!({"name": name})).await;
        assert_eq!(begin.status, 200, "{}", begin.body);
    }
    assert_eq!(alice.get("/api/auth/passkeys").await.status, 200);
}

#[tokio::test]
async fn signed_in_users_are_limited_per_user_from_any_address() {
    let app = app_with(|c| {
        c.rate_limits = RateLimits { user_per_minute: 1, user_burst: 4, ..crate::harness::generous_limits() };
        // In-process requests have no peer address (0.0.0.0): trust it so the
        // X-Forwarded-For header says which client each request comes from.
        c.trusted_proxies = vec!["0.0.0.0/32".parse().unwrap()];
    })
    .await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let addresses = ["198.51.100.1", "198.51.100.2"];
    for n in 0..4 {
        let ip = addresses[n % 2];
        let response = alice.request(Method::Get, "/api/auth/sessions", None, &[("X-Forwarded-For", ip)]).await;
        assert_eq!(response.status, 200, "request {n} from {ip}: {}", response.body);
    }
    for ip in addresses {
        let refused = alice.request(Method::Get, "/api/auth/sessions", None, &[("X-Forwarded-For", ip)]).await;
        refused.problem(429);
        assert!(refused.header("retry-after").is_some());
    }
    // Over budget is not signed out: the status says 429 rather than "authenticated: false".
    alice.request(Method::Get, "/api/auth/status", None, &[("X-Forwarded-For", addresses[0])]).await.problem(429);
    // Another user from the same addresses has a budget of their own.
    for ip in addresses {
        let response = bob.request(Method::Get, "/api/auth/sessions", None, &[("X-Forwarded-For", ip)]).await;
        assert_eq!(response.status, 200, "{}", response.body);
    }
}
