//! Single sign-on in headless Chromium, against the stand-in OpenID provider on 127.0.0.1: a
//! user an admin pre-linked clicks the provider's button on the sign-in page and lands signed
//! in on the dashboard; signing out of a session that came from the provider goes on to the
//! provider's sign-out page; with passwords for admins only, the password form stays hidden
//! until the discreet link is followed, and the admin signs in with it, then links their own
//! identity from Settings → Security. The sign-in page fits a phone.

use serde_json::{Value, json};

use crate::browser::{browser, overflow, picture, run, set_up_admin, sign_in, sign_out};
use crate::harness::PASSWORD;
use crate::live::{LiveServer, call, signed_in};
use crate::support::oidc_provider::{CLIENT_ID, CLIENT_SECRET, IdpUser, Provider};
use crate::webdriver::Browser;

const BUTTON: &str = "Sign in with the household provider";

/// Single sign-on switched on through the admin API, for `provider` (allow-listed, since it
/// listens on loopback), with `password_login` as given.
async fn configure(
    server: &LiveServer,
    admin: &reqwest::Client,
    provider: &Provider,
    password_login: &str,
) -> Result<Value, String> {
    call(server, admin, "PUT", "/api/admin/outbound-allow", json!({"entries": ["127.0.0.1"]})).await?;
    let settings = json!({
        "enabled": true,
        "issuer": provider.issuer(),
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "scopes": "openid profile email",
        "button_label": BUTTON,
        "auto_create": false,
        "default_role": "standard",
        "groups_claim": "groups",
        "admin_group": "umbra-admins",
        "user_group": "umbra-users",
        "password_login": password_login,
        "allow_http_issuer": false,
        "require_local_mfa": false,
        "rp_logout": true,
    });
    call(server, admin, "PUT", "/api/admin/oidc", settings).await
}

/// Whether the element of `css` is shown; false when it is not in the page at all (checked
/// without the driver's implicit wait, which would wait for it to appear).
async fn shown(b: &Browser, css: &str) -> Result<bool, String> {
    let found = b.execute("return document.querySelector(arguments[0]) !== null;", json!([css])).await?;
    if found != json!(true) {
        return Ok(false);
    }
    b.displayed(&b.find(css).await?).await
}

/// Signed out, carol clicks the provider's button: UMBRA → the provider → UMBRA's callback →
/// the dashboard, signed in as carol. Signing out goes on to the provider's own sign-out page
/// (it advertises one), and the UMBRA session is over.
async fn carol_signs_in_with_the_button_and_out_at_the_provider(
    b: &Browser,
    base: &str,
    provider: &Provider,
) -> Result<(), String> {
    sign_out(b).await?;
    b.click(&b.find_text("button", BUTTON).await?).await?;
    b.wait_for_text(".user-button", "carol").await?;
    b.wait_for_text("h1", "Hello, carol").await?;
    if b.path().await? != "/" {
        return Err(format!("after the provider's sign-in at {}", b.path().await?));
    }
    b.click(&b.find(".user-button").await?).await?;
    b.click(&b.find_text("button", "Sign out").await?).await?;
    b.wait_for_text("body", "signed out").await?;
    let at = b.execute("return location.href;", json!([])).await?;
    if !at.as_str().unwrap_or_default().starts_with(&format!("{}/logout", provider.issuer())) {
        return Err(format!("signed out to {at}"));
    }
    b.goto(&format!("{base}/")).await?;
    b.find("#login-title").await.map(drop)
}

/// Passwords for admins only: the form hides behind a discreet link; followed, it signs the
/// admin in.
async fn the_admin_signs_in_through_the_discreet_link(b: &Browser, base: &str) -> Result<(), String> {
    b.goto(&format!("{base}/login")).await?;
    b.find_text("button", BUTTON).await?;
    let reveal = b.find_text("button", "Sign in with a password (admins)").await?;
    if shown(b, "input[name=password]").await? || shown(b, "input[name=username]").await? {
        return Err("the password form shows before the admins' link is followed".into());
    }
    b.click(&reveal).await?;
    if !shown(b, "input[name=password]").await? {
        return Err("the admins' link did not reveal the password form".into());
    }
    sign_in(b, "admin", PASSWORD).await?;
    b.wait_for_text(".user-button", "admin").await.map(drop)
}

/// The admin links their own identity from Settings → Security: the password, the provider,
/// and back with a toast and the identity listed.
async fn the_admin_links_an_identity(b: &Browser, base: &str, provider: &Provider) -> Result<(), String> {
    provider.sign_in_as(IdpUser::new("sub-admin", "admin.at.the.provider", &["umbra-admins"]));
    b.goto(&format!("{base}/settings/security")).await?;
    b.click(&b.find_text("summary", "Link an identity").await?).await?;
    b.type_into("section[aria-labelledby=sso-title] input[name=password]", PASSWORD).await?;
    b.click(&b.find_text("button", "Continue to the identity provider").await?).await?;
    b.wait_for_text("#status", "The identity is linked").await?;
    b.wait_for_text("section[aria-labelledby=sso-title] table", "sub-admin").await?;
    if b.path().await? != "/settings/security" {
        return Err(format!("back from linking at {}", b.path().await?));
    }
    Ok(())
}

/// Admin → System settings shows what the API saved (never the secret), "Test" reports what
/// the provider's discovery offers, and saving the form unchanged is accepted.
async fn the_admin_page_shows_tests_and_saves(b: &Browser, base: &str, provider: &Provider) -> Result<(), String> {
    b.goto(&format!("{base}/admin/settings")).await?;
    b.find("input[name=issuer]").await?;
    b.wait_idle().await?;
    let form = b
        .execute(
            "const value = (name) => document.querySelector(`#oidc-title ~ div [name=${name}]`);
             return [value('issuer').value, value('client_secret').value, value('client_secret').placeholder,
                     value('password_login').value, document.getElementById('oidc-redirect-uri').textContent];",
            json!([]),
        )
        .await?;
    let expected = json!([
        provider.issuer(),
        "",
        "stored — leave empty to keep",
        "admins_only",
        format!("{base}/api/auth/oidc/callback")
    ]);
    if form != expected {
        return Err(format!("the single sign-on form shows {form}"));
    }
    b.click(&b.find_text("button", "Test").await?).await?;
    b.wait_for_text(".oidc-test", "RS256").await?;
    b.wait_for_text(".oidc-test", &format!("{}/logout", provider.issuer())).await?;
    b.click(&b.find_text("button", "Save single sign-on").await?).await?;
    b.wait_for_text("#oidc-title ~ div .success", "Saved").await.map(drop)
}

/// The sign-in page on a phone, back from the provider with an error: the message, the
/// button, the link, the code gone from the address, nothing sideways.
async fn the_sign_in_page_on_a_phone(b: &Browser, base: &str) -> Result<(), String> {
    b.set_window_size(390, 844).await?;
    b.goto(&format!("{base}/login?oidc_error=not_linked")).await?;
    b.wait_for_text(".sso-error", "No UMBRA account is linked").await?;
    if b.path().await? != "/login" {
        return Err(format!("the error code stays in the address: {}", b.path().await?));
    }
    b.wait_idle().await?;
    picture(b, "oidc-login-390").await;
    match overflow(b).await? {
        Some(wide) => Err(format!("the sign-in page at 390 px: {wide}")),
        None => Ok(()),
    }
}

#[tokio::test]
async fn a_linked_user_signs_in_with_the_provider_button() {
    let Some(browser) = browser().await else { return };
    // The redirect URI the provider sends the browser back to is built from the server's
    // public origin (https://localhost:<listen port> without a public_url): a known port, and
    // the browser on that same origin, so the flow's cookie comes back with the callback.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let server = crate::live::serve_https(|config| config.listen = format!("127.0.0.1:{port}").parse().unwrap()).await;
    let provider = Provider::start().await;
    let code = umbra::auth::setup_code::current(server.db.pool()).await.unwrap().unwrap();
    let base = format!("https://localhost:{port}");
    let (server, provider) = (&server, &provider);
    run("oidc", browser, async |b| {
        set_up_admin(b, &base, &code).await?;
        b.wait_idle().await?;
        let admin = signed_in(server, "admin").await?;
        // The provider offers RP-initiated sign-out from its first discovery document on.
        provider.advertise_end_session(true);
        let saved = configure(server, &admin, provider, "allowed").await?;
        if saved["client_secret_set"] != json!(true) || saved.get("client_secret").is_some() {
            return Err(format!("the saved settings: {saved}"));
        }
        let carol = json!({"username": "carol", "password": PASSWORD, "role": "standard"});
        let carol = call(server, &admin, "POST", "/api/admin/users", carol).await?;
        let link = json!({"issuer": provider.issuer(), "subject": "sub-carol"});
        call(server, &admin, "POST", &format!("/api/admin/users/{}/oidc", carol["id"]), link).await?;
        provider.sign_in_as(IdpUser::new("sub-carol", "carol.at.the.provider", &["umbra-users"]));
        carol_signs_in_with_the_button_and_out_at_the_provider(b, &base, provider).await?;

        configure(server, &admin, provider, "admins_only").await?;
        the_admin_signs_in_through_the_discreet_link(b, &base).await?;
        the_admin_links_an_identity(b, &base, provider).await?;
        the_admin_page_shows_tests_and_saves(b, &base, provider).await?;
        sign_out(b).await?;
        the_sign_in_page_on_a_phone(b, &base).await
    })
    .await;
}
