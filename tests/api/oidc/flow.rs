//! The flow and its checks: a pre-linked user signs in with PKCE (the provider saw the
//! verifier and our client secret); a replayed callback, a code pasted into another flow, a made-up state, another browser's
//! flow and a lapsed flow are refused; every spoiled ID token is refused and signs nobody in;
//! a rotated key is fetched again; a provider that is down sends the browser back to the
//! sign-in page with a plain reason and an audit entry; logout ends the provider's session.

use serde_json::json;

use super::{audited, come_back, configure, prelink, sign_in, signed_in_as, to_provider};
use crate::harness::{Persona, TestApp, app};
use crate::support::oidc_provider::{CLIENT_ID, CLIENT_SECRET, Provider, Tamper};

/// The admin, and a provider with single sign-on on whose default user (`sub-alice`, in
/// `umbra-users`) an admin pre-linked to the account alice.
async fn alice_prelinked(app: &TestApp) -> (Persona<'_>, Provider) {
    let admin = app.admin().await;
    app.create_user("alice", umbra::domain::role::Role::Standard).await;
    let provider = Provider::start().await;
    configure(&admin, &provider, json!({})).await;
    prelink(app, &admin, &provider, "alice", "sub-alice").await;
    (admin, provider)
}

#[tokio::test]
async fn a_prelinked_user_signs_in_with_pkce_and_the_callback_works_once() {
    let app = app().await;
    let (_admin, provider) = alice_prelinked(&app).await;

    let browser = app.anonymous();
    let at = to_provider(&browser, &provider).await;
    // Providers add parameters of their own (Keycloak: session_state, RFC 9207: iss).
    let callback = format!("{}&session_state=abc&iss={}", at.callback, provider.issuer());
    assert_eq!(come_back(&browser, &callback, Some(&at.flow_cookie)).await, "/");
    assert_eq!(signed_in_as(&browser).await, Some(("alice".into(), "standard".into())));

    // The code went back with the PKCE verifier and our client's credentials.
    let exchanges = provider.token_requests();
    assert_eq!(exchanges.len(), 1);
    let form = &exchanges[0].form;
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    assert!(field("code_verifier").is_some_and(|v| v.len() >= 43), "{form:?}");
    assert_eq!(field("grant_type").as_deref(), Some("authorization_code"));
    assert_eq!(exchanges[0].basic_auth, Some((CLIENT_ID.to_string(), CLIENT_SECRET.to_string())));
    assert_eq!(exchanges[0].answered, 200);
    assert_eq!(audited(&app, "oidc_login").await, 1);
    let identities = browser.get("/api/auth/oidc/identities").await.json();
    assert_eq!(identities["total"], 1);
    assert!(identities["items"][0]["last_login_at"].is_string(), "{identities}");

    // The same callback again (a replayed code): refused before the provider is asked.
    let replay = app.anonymous();
    assert_eq!(come_back(&replay, &at.callback, Some(&at.flow_cookie)).await, "/login?oidc_error=expired");
    assert_eq!(signed_in_as(&replay).await, None);
    assert_eq!(provider.token_requests().len(), 1);
}

#[tokio::test]
async fn state_must_be_known_fresh_and_this_browsers() {
    let app = app().await;
    let (_admin, provider) = alice_prelinked(&app).await;

    // A tampered state.
    let browser = app.anonymous();
    let at = to_provider(&browser, &provider).await;
    let tampered = at.callback.replace("state=", "state=x");
    assert_eq!(come_back(&browser, &tampered, Some(&at.flow_cookie)).await, "/login?oidc_error=expired");

    // Another browser's flow (an attacker's authorization URL opened by a victim).
    let victim = app.anonymous();
    let attacker_flow = to_provider(&app.anonymous(), &provider).await;
    assert_eq!(come_back(&victim, &attacker_flow.callback, None).await, "/login?oidc_error=expired");
    assert_eq!(signed_in_as(&victim).await, None);

    // A flow older than ten minutes.
    let late = app.anonymous();
    let at = to_provider(&late, &provider).await;
    app.clock.advance_minutes(11);
    assert_eq!(come_back(&late, &at.callback, Some(&at.flow_cookie)).await, "/login?oidc_error=expired");
    assert_eq!(signed_in_as(&late).await, None);
    assert!(provider.token_requests().is_empty(), "nothing was exchanged");
    assert!(audited(&app, "oidc_login_failure").await >= 3);
}

#[tokio::test]
async fn a_code_from_another_flow_is_refused_by_pkce() {
    let app = app().await;
    let (_admin, provider) = alice_prelinked(&app).await;
    // The victim's code, stolen on its way back, pasted into the attacker's own flow.
    let victim = to_provider(&app.anonymous(), &provider).await;
    let stolen = param(&victim.callback, "code");
    let attacker = app.anonymous();
    let own = to_provider(&attacker, &provider).await;
    let injected = own.callback.replace(&param(&own.callback, "code"), &stolen);
    assert_eq!(come_back(&attacker, &injected, Some(&own.flow_cookie)).await, "/login?oidc_error=refused");
    assert_eq!(signed_in_as(&attacker).await, None);
    let exchange = provider.token_requests();
    assert_eq!(exchange.len(), 1);
    assert_eq!(exchange[0].answered, 400, "the provider refused the verifier");
}

/// A query parameter of a callback path.
fn param(callback: &str, name: &str) -> String {
    let url = url::Url::parse(&format!("https://x{callback}")).unwrap();
    url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned()).unwrap()
}

#[tokio::test]
async fn spoiled_id_tokens_are_refused_and_a_rotated_key_is_fetched_again() {
    let app = app().await;
    let (_admin, provider) = alice_prelinked(&app).await;

    for tamper in [
        Tamper::WrongNonce,
        Tamper::WrongAudience,
        Tamper::WrongIssuer,
        Tamper::Expired,
        Tamper::FutureIat,
        Tamper::AlgNone,
        Tamper::Hs256WithPublicKey,
        Tamper::UnknownKid,
        Tamper::ExtraAudienceWithoutAzp,
    ] {
        provider.tamper_next(tamper);
        let browser = app.anonymous();
        assert_eq!(sign_in(&browser, &provider).await, "/login?oidc_error=refused", "{tamper:?}");
        assert_eq!(signed_in_as(&browser).await, None, "{tamper:?}");
    }
    assert_eq!(audited(&app, "oidc_login").await, 0);

    // The provider rotates its key: the unknown kid makes UMBRA fetch the key set again.
    let fetched = provider.jwks_fetches();
    provider.rotate_key();
    let browser = app.anonymous();
    assert_eq!(sign_in(&browser, &provider).await, "/");
    assert_eq!(signed_in_as(&browser).await, Some(("alice".into(), "standard".into())));
    assert!(provider.jwks_fetches() > fetched);
}

#[tokio::test]
async fn a_provider_that_is_down_sends_the_browser_back_with_a_reason() {
    let app = app().await;
    let admin = app.admin().await;
    let provider = Provider::start().await;
    configure(&admin, &provider, json!({})).await;
    provider.set_down(true);
    let browser = app.anonymous();
    let answer = browser.get("/api/auth/oidc/login").await;
    assert_eq!(answer.status, 303);
    assert_eq!(answer.header("location"), Some("/login?oidc_error=unavailable"));
    let test = admin.post("/api/admin/oidc/test", json!({"issuer": provider.issuer()})).await;
    assert_eq!(test.status, 200, "{}", test.body);
    assert_eq!(test.json()["ok"], false);
    assert!(test.json()["error"].as_str().unwrap().contains("503"), "{}", test.body);

    provider.set_down(false);
    let test = admin.post("/api/admin/oidc/test", json!({"issuer": provider.issuer()})).await.json();
    assert_eq!(test["ok"], true, "{test}");
    assert_eq!(test["signing_algs"], json!(["RS256"]));
    assert!(test["keys"].as_u64().unwrap() >= 1);
}

#[tokio::test]
async fn logout_ends_the_providers_session_when_it_offers_one() {
    let app = app().await;
    let (admin, provider) = alice_prelinked(&app).await;
    provider.advertise_end_session(true);
    let browser = app.anonymous();
    assert_eq!(sign_in(&browser, &provider).await, "/");
    let out = browser.post_empty("/api/auth/logout").await;
    assert_eq!(out.status, 200, "{}", out.body);
    let redirect = out.json()["redirect"].as_str().unwrap().to_string();
    assert!(redirect.starts_with(&format!("{}/logout?", provider.issuer())), "{redirect}");
    assert!(redirect.contains(&format!("client_id={CLIENT_ID}")), "{redirect}");
    assert!(redirect.contains("post_logout_redirect_uri="), "{redirect}");
    assert_eq!(signed_in_as(&browser).await, None);

    // A password session signs out here only.
    assert_eq!(admin.post_empty("/api/auth/logout").await.status, 204);
}

#[tokio::test]
async fn starting_sign_ins_is_rate_limited_like_passwords() {
    let app = crate::harness::app_with(|c| c.rate_limits = umbra::config::RateLimits::default()).await;
    let browser = app.anonymous();
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(browser.get("/api/auth/oidc/login").await.status);
    }
    assert_eq!(statuses[0], 303, "off: back to the sign-in page");
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    // Signed-in reads are not in that bucket.
    assert_eq!(browser.get("/api/auth/status").await.status, 200);
}
