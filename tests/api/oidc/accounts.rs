//! Which account an identity reaches: never one whose name or e-mail merely matches; a new
//! one only with auto_create; roles follow the group claim at every sign-in (a demotion ends
//! the other sessions) and strangers are refused; a disabled account stays disabled; a
//! signed-in user links an identity only after re-authenticating, and cannot take one that is
//! someone else's; the password rule answers like a wrong password and never shuts the last
//! admin out.

use serde_json::json;
use umbra::domain::role::Role;

use super::{audited, come_back, configure, leave_for_provider, prelink, sign_in, signed_in_as, user_id};
use crate::harness::{Persona, Resp, app};
use crate::support::oidc_provider::{IdpUser, Provider};

#[tokio::test]
async fn a_matching_name_or_email_never_links_and_auto_create_makes_a_new_account() {
    let app = app().await;
    let admin = app.admin().await;
    let bob = app.user("bob").await;
    let provider = Provider::start().await;
    configure(&admin, &provider, json!({})).await;
    // Someone at the provider calls themselves bob, with bob's address.
    provider.sign_in_as(IdpUser::new("sub-mallory", "bob", &["umbra-users"]));

    let browser = app.anonymous();
    assert_eq!(sign_in(&browser, &provider).await, "/login?oidc_error=not_linked");
    assert_eq!(signed_in_as(&browser).await, None);

    configure(&admin, &provider, json!({"auto_create": true})).await;
    let browser = app.anonymous();
    assert_eq!(sign_in(&browser, &provider).await, "/");
    let (name, role) = signed_in_as(&browser).await.expect("signed in");
    assert_ne!(name, "bob", "a new account, not bob's");
    assert!(name.starts_with("bob"), "{name}");
    assert_eq!(role, "standard");
    assert_eq!(bob.get("/api/auth/oidc/identities").await.json()["total"], 0, "nothing linked to bob");
    assert_eq!(audited(&app, "oidc_account_create").await, 1);

    // The same identity again reaches the same new account.
    let again = app.anonymous();
    assert_eq!(sign_in(&again, &provider).await, "/");
    assert_eq!(signed_in_as(&again).await.unwrap().0, name);
}

#[tokio::test]
async fn roles_follow_the_groups_and_strangers_are_refused() {
    let app = app().await;
    let admin = app.admin().await;
    let carol = app.user("carol").await;
    let provider = Provider::start().await;
    configure(&admin, &provider, json!({})).await;
    prelink(&app, &admin, &provider, "carol", "sub-carol").await;

    provider.sign_in_as(IdpUser::new("sub-carol", "carol", &["umbra-users", "umbra-admins"]));
    let sso = app.anonymous();
    assert_eq!(sign_in(&sso, &provider).await, "/");
    assert_eq!(signed_in_as(&sso).await, Some(("carol".into(), "admin".into())));
    // The promotion ended carol's password session, as an admin's role change does.
    assert_eq!(signed_in_as(&carol).await, None);
    assert_eq!(carol.login().await.status, 200);

    provider.sign_in_as(IdpUser::new("sub-carol", "carol", &["umbra-users"]));
    let later = app.anonymous();
    assert_eq!(sign_in(&later, &provider).await, "/");
    assert_eq!(signed_in_as(&later).await, Some(("carol".into(), "standard".into())));
    assert_eq!(signed_in_as(&sso).await, None, "the admin session ended with the demotion");
    assert_eq!(signed_in_as(&carol).await, None);
    assert!(audited(&app, "oidc_role_change").await >= 2);

    provider.sign_in_as(IdpUser::new("sub-carol", "carol", &["neighbours"]));
    let stranger = app.anonymous();
    assert_eq!(sign_in(&stranger, &provider).await, "/login?oidc_error=group");
    assert_eq!(signed_in_as(&stranger).await, None);
}

#[tokio::test]
async fn a_disabled_account_stays_disabled() {
    let app = app().await;
    let admin = app.admin().await;
    app.create_user("dave", Role::Standard).await;
    let provider = Provider::start().await;
    configure(&admin, &provider, json!({})).await;
    prelink(&app, &admin, &provider, "dave", "sub-dave").await;
    let id = user_id(&app, "dave").await;
    assert_eq!(admin.patch(&format!("/api/admin/users/{id}"), json!({"active": false})).await.status, 200);
    provider.sign_in_as(IdpUser::new("sub-dave", "dave", &["umbra-users", "umbra-admins"]));
    let browser = app.anonymous();
    assert_eq!(sign_in(&browser, &provider).await, "/login?oidc_error=disabled");
    assert_eq!(signed_in_as(&browser).await, None);
}

#[tokio::test]
async fn a_signed_in_user_links_after_reauthenticating_and_unlinks() {
    let app = app().await;
    let admin = app.admin().await;
    let erin = app.user("erin").await;
    let frank = app.user("frank").await;
    let provider = Provider::start().await;
    configure(&admin, &provider, json!({})).await;

    assert_eq!(erin.post("/api/auth/oidc/link", json!({})).await.status, 403, "re-authenticate first");
    assert_eq!(erin.post("/api/auth/reauth", json!({"password": erin.password})).await.status, 204);
    let started = erin.post("/api/auth/oidc/link", json!({})).await;
    assert_eq!(started.status, 200, "{}", started.body);
    assert_eq!(erin.post("/api/auth/oidc/link", json!({"user_id": 1})).await.status, 422, "no fields");

    provider.sign_in_as(IdpUser::new("sub-erin", "erin", &["umbra-users"]));
    // Erin's link flow, planted in frank's browser (cookie and all), links nothing.
    let planted = link_started(&erin).await;
    let at = leave_for_provider(&planted, &provider).await;
    assert_eq!(come_back(&frank, &at.callback, Some(&at.flow_cookie)).await, "/settings/security?oidc_error=expired");
    assert_eq!(erin.get("/api/auth/oidc/identities").await.json()["total"], 0);

    let mut as_redirect = started;
    let location = as_redirect.json()["redirect"].as_str().unwrap().to_string();
    as_redirect.headers.insert("location".into(), vec![location]);
    let at = leave_for_provider(&as_redirect, &provider).await;
    assert_eq!(come_back(&erin, &at.callback, Some(&at.flow_cookie)).await, "/settings/security?oidc=linked");
    let linked = erin.get("/api/auth/oidc/identities").await.json();
    assert_eq!(linked["items"][0]["subject"], "sub-erin");
    let identity = linked["items"][0]["id"].as_i64().unwrap();

    // Frank cannot take erin's identity, nor see or remove it.
    assert_eq!(frank.post("/api/auth/reauth", json!({"password": frank.password})).await.status, 204);
    let at = leave_for_provider(&link_started(&frank).await, &provider).await;
    assert_eq!(come_back(&frank, &at.callback, Some(&at.flow_cookie)).await, "/settings/security?oidc_error=taken");
    assert_eq!(frank.get("/api/auth/oidc/identities").await.json()["total"], 0);
    assert_eq!(frank.delete(&format!("/api/auth/oidc/identities/{identity}")).await.status, 404);

    // Erin signs in through the provider now, then unlinks (her password still works).
    let browser = app.anonymous();
    assert_eq!(sign_in(&browser, &provider).await, "/");
    assert_eq!(signed_in_as(&browser).await.unwrap().0, "erin");
    assert_eq!(erin.delete(&format!("/api/auth/oidc/identities/{identity}")).await.status, 204);
    assert_eq!(signed_in_as(&browser).await, None, "the identity's sessions ended with it");
    assert_eq!(signed_in_as(&erin).await.unwrap().0, "erin", "the password session did not");
    assert_eq!(sign_in(&app.anonymous(), &provider).await, "/login?oidc_error=not_linked");
}

/// A link flow started by a signed-in (re-authenticated) user, as a response whose
/// `location` is the provider's address.
async fn link_started(who: &Persona<'_>) -> Resp {
    let mut started = who.post("/api/auth/oidc/link", json!({})).await;
    assert_eq!(started.status, 200, "{}", started.body);
    let location = started.json()["redirect"].as_str().unwrap().to_string();
    started.headers.insert("location".into(), vec![location]);
    started
}

#[tokio::test]
async fn the_password_rule_looks_like_a_wrong_password_and_spares_the_last_admin() {
    let app = app().await;
    let admin = app.admin().await;
    let gina = app.user("gina").await;
    let provider = Provider::start().await;
    configure(&admin, &provider, json!({"password_login": "admins_only"})).await;
    let status = app.anonymous().get("/api/auth/status").await.json();
    assert_eq!(status["password_login"], "admins_only");
    assert!(status["oidc_button"].is_string());

    let refused = gina.login().await;
    let wrong = gina.login_with("not-the-password-at-all").await;
    assert_eq!(refused.status, 401);
    assert_eq!(refused.body, wrong.body, "the same answer as a wrong password");
    assert_eq!(admin.login().await.status, 200, "admins keep passwords");
    // The right password, refused by the rule, counts like a wrong one: enough of them lock
    // the name (so no hint or missing hint tells a right password apart).
    let threshold = app.config.lockout.threshold;
    for _ in 1..threshold {
        assert_eq!(gina.login().await.status, 401);
    }
    assert_eq!(audited(&app, "lockout").await, 1, "the refused right passwords locked the name");

    // Passwords off: the only admin has no other way in, so keeps the password …
    configure(&admin, &provider, json!({"password_login": "disabled"})).await;
    assert_eq!(gina.login().await.status, 401);
    assert_eq!(admin.login().await.status, 200, "the last admin is never shut out");
    // … until an identity is linked: then the provider is the way in.
    prelink(&app, &admin, &provider, "admin", "sub-admin").await;
    assert_eq!(admin.login().await.status, 401);
    provider.sign_in_as(IdpUser::new("sub-admin", "admin", &["umbra-admins"]));
    let browser = app.anonymous();
    assert_eq!(sign_in(&browser, &provider).await, "/");
    assert_eq!(signed_in_as(&browser).await, Some(("admin".into(), "admin".into())));
    // Unlinking that identity would leave the user no way in.
    let mine = browser.get("/api/auth/oidc/identities").await.json();
    let id = mine["items"][0]["id"].as_i64().unwrap();
    assert_eq!(browser.delete(&format!("/api/auth/oidc/identities/{id}")).await.problem(409)["status"], 409);
}

#[tokio::test]
async fn the_authenticator_code_is_asked_after_the_provider_only_when_the_admin_wants_it() {
    let app = app().await;
    let admin = app.admin().await;
    let ivy = app.user("ivy").await;
    let (secret, _) = crate::totp::enrol(&app, &ivy).await;
    let provider = Provider::start().await;
    configure(&admin, &provider, json!({})).await;
    prelink(&app, &admin, &provider, "ivy", "sub-ivy").await;
    provider.sign_in_as(IdpUser::new("sub-ivy", "ivy", &["umbra-users"]));
    let trusted = app.anonymous();
    assert_eq!(sign_in(&trusted, &provider).await, "/", "the provider's own MFA is trusted");

    configure(&admin, &provider, json!({"require_local_mfa": true})).await;
    provider.sign_in_as(IdpUser::new("sub-ivy", "ivy", &["umbra-users", "umbra-admins"]));
    app.clock.advance_minutes(1);
    let browser = app.anonymous();
    let landed = sign_in(&browser, &provider).await;
    let token = landed.strip_prefix("/login?mfa_token=").expect("the code step").to_string();
    assert_eq!(signed_in_as(&browser).await, None, "no session before the code");
    let before = signed_in_as(&trusted).await;
    assert_eq!(before, Some(("ivy".into(), "standard".into())), "no role change before the code");
    let verified = browser
        .post("/api/auth/totp/verify", json!({"mfa_token": token, "code": crate::totp::code(&app, &secret, "ivy")}))
        .await;
    assert_eq!(verified.status, 200, "{}", verified.body);
    let after = signed_in_as(&browser).await;
    assert_eq!(after, Some(("ivy".into(), "admin".into())), "the groups' role, after the code");
    assert_eq!(audited(&app, "oidc_login").await, 2, "a single sign-on session, finished by the code");
}
