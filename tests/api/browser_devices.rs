//! Settings → Devices in headless Chromium: the certificate card (the CA's fingerprint, or
//! the explanation when the server has no CA of its own), an app password created through the
//! re-authentication dialog (a wrong password first), shown once with the server URL and the
//! user name, working for DAV, gone from the page after "Done", then revoked after a
//! confirmation, after which DAV refuses it. Nothing scrolls sideways on a phone. Then the
//! admin console's view of a user's app passwords, with revoke.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

use crate::browser::{browser, overflow, picture, run, set_up_admin};
use crate::harness::PASSWORD;
use crate::live::LiveServer;
use crate::webdriver::Browser;

/// Scrolls to the top: a click on a tab scrolled under the sticky top bar would hit the bar.
async fn to_top(b: &Browser) -> Result<(), String> {
    b.execute("window.scrollTo(0, 0);", json!([])).await.map(drop)
}

/// The status of `PROPFIND /dav/` with these Basic credentials.
async fn dav_status(server: &LiveServer, username: &str, secret: &str) -> Result<u16, String> {
    let method = reqwest::Method::from_bytes(b"PROPFIND").unwrap();
    let basic = format!("Basic {}", STANDARD.encode(format!("{username}:{secret}")));
    let response = server
        .client
        .request(method, server.url("/dav/"))
        .header("Depth", "0")
        .header("Authorization", basic)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    Ok(response.status().as_u16())
}

async fn shown(b: &Browser, css: &str) -> Result<String, String> {
    let value = b.execute("return document.querySelector(arguments[0]).textContent;", json!([css])).await?;
    value.as_str().map(str::to_string).ok_or_else(|| format!("{css} shows nothing"))
}

/// Clicks the element after scrolling it to the middle of the window: on a phone the bottom
/// tab bar would take a click on what lies under it.
async fn click_in_view(b: &Browser, element: &str) -> Result<(), String> {
    let reference = json!({"element-6066-11e4-a52e-4f735466cecf": element});
    b.execute("arguments[0].scrollIntoView({block: 'center'});", json!([reference])).await?;
    b.click(element).await
}

/// The certificate card says what `GET /api/ca` says: the fingerprint when the server runs its
/// own CA, else that the operator's certificate needs nothing installed.
async fn check_trust_card(b: &Browser, server: &LiveServer) -> Result<(), String> {
    let ca = server.client.get(server.url("/api/ca")).send().await.map_err(|e| e.to_string())?;
    if ca.status() == 200 {
        let ca: serde_json::Value = ca.json().await.map_err(|e| e.to_string())?;
        let fingerprint = ca["fingerprint_sha256"].as_str().unwrap_or_default().to_string();
        b.wait_for_text("#ca-fingerprint", &fingerprint).await?;
        b.find("a[href='/ca.crt']").await?;
        b.find("a[href='/ca.mobileconfig']").await?;
        b.find_text("summary", "iPhone and iPad").await.map(drop)
    } else {
        b.wait_for_text("section[aria-labelledby=trust-title]", "operator").await.map(drop)
    }
}

#[tokio::test]
async fn create_an_app_password_after_confirming_the_password_then_revoke_it() {
    let Some(browser) = browser().await else { return };
    let server = crate::live::serve_https(|_| {}).await;
    let code = umbra::auth::setup_code::current(server.db.pool()).await.unwrap().unwrap();
    let base = server.base.clone();
    let server_ref = &server;
    run("devices", browser, async |b| {
        set_up_admin(b, &base, &code).await?;
        b.wait_idle().await?;
        b.click(&b.find(".sidebar a[href='/settings']").await?).await?;
        b.wait_idle().await?;
        to_top(b).await?;
        b.click(&b.find(".tabs a[href='/settings/devices']").await?).await?;
        b.wait_idle().await?;
        check_trust_card(b, server_ref).await?;
        picture(b, "devices-trust").await;
        b.wait_for_text("section[aria-labelledby=app-passwords-title]", "No app passwords yet").await?;

        // Create: the session has not confirmed its password lately, so a dialog asks for it.
        b.type_into("input[name=name]", "Anna's phone").await?;
        b.click(&b.find_text("button", "Create app password").await?).await?;
        b.type_into("dialog input[name=password]", "not my password at all").await?;
        b.click(&b.find_text("dialog//button", "Confirm").await?).await?;
        b.wait_for_text("dialog .field-error", "Wrong").await?;
        let field = b.find("dialog input[name=password]").await?;
        b.command_clear(&field).await?;
        b.type_into("dialog input[name=password]", PASSWORD).await?;
        b.click(&b.find_text("dialog//button", "Confirm").await?).await?;

        // Shown once: the secret, the server URL and the user name, each with a copy button.
        b.wait_for_text("#revealed-title", "Anna's phone").await?;
        let secret = shown(b, "#app-password-secret").await?;
        let groups: Vec<&str> = secret.split('-').collect();
        if groups.len() != 5 || !groups.iter().all(|g| g.len() == 8 && g.bytes().all(|c| c.is_ascii_hexdigit())) {
            return Err(format!("the app password looks like {secret:?}"));
        }
        let url = shown(b, "#app-password-url").await?;
        if url != format!("{base}/dav/") {
            return Err(format!("the server URL shows {url:?}"));
        }
        if shown(b, "#app-password-user").await? != "admin" {
            return Err("the user name is not shown".into());
        }
        b.find("#app-password-secret-copy").await?;
        b.find_text("summary", "DAVx⁵ (Android)").await?;
        b.wait_for_text("table.responsive", "Anna's phone").await?;
        b.wait_for_text("table.responsive", "Never").await?;
        // It is a working DAV sign-in (the protocol may still be a stub: "not refused").
        let status = dav_status(server_ref, "admin", &secret).await?;
        if status == 401 || status == 429 {
            return Err(format!("DAV refused the new app password: {status}"));
        }
        b.wait_idle().await?;
        picture(b, "devices-created").await;

        // A phone: the page, with the password shown, fits.
        b.set_window_size(390, 844).await?;
        b.wait_idle().await?;
        if let Some(wide) = overflow(b).await? {
            return Err(format!("Devices at 390 px: {wide}"));
        }
        picture(b, "devices-phone").await;

        // "Done" hides it; a fresh page does not show it either.
        click_in_view(b, &b.find_text("button", "Done").await?).await?;
        let shown = b.execute("return document.body.innerText.includes(arguments[0]);", json!([secret])).await?;
        if shown != json!(false) {
            return Err("the app password is still on the page after Done".into());
        }
        b.goto(&format!("{base}/settings/devices")).await?;
        b.wait_for_text("table.responsive", "Anna's phone").await?;
        b.wait_idle().await?;
        let html = b.execute("return document.documentElement.outerHTML;", json!([])).await?;
        if html.as_str().unwrap_or_default().contains(&secret) {
            return Err("the app password is on the page after a reload".into());
        }

        // Revoke, after a confirmation; then DAV refuses it.
        click_in_view(b, &b.find("button[aria-label=\"Revoke Anna's phone\"]").await?).await?;
        b.click(&b.find("dialog button.confirm").await?).await?;
        b.wait_for_text("section[aria-labelledby=app-passwords-title]", "No app passwords yet").await?;
        let status = dav_status(server_ref, "admin", &secret).await?;
        if status != 401 {
            return Err(format!("DAV answered {status} to the revoked app password"));
        }
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn an_admin_sees_and_revokes_a_users_app_passwords() {
    let Some(browser) = browser().await else { return };
    let server = crate::live::serve_https(|_| {}).await;
    let code = umbra::auth::setup_code::current(server.db.pool()).await.unwrap().unwrap();
    let base = server.base.clone();
    let server_ref = &server;
    run("devices-admin", browser, async |b| {
        set_up_admin(b, &base, &code).await?;
        // Alice, with an app password she made through the API.
        let admin = crate::live::signed_in(server_ref, "admin").await?;
        crate::live::call(
            server_ref,
            &admin,
            "POST",
            "/api/admin/users",
            json!({"username": "alice", "password": PASSWORD, "role": "standard"}),
        )
        .await?;
        let alice = crate::live::signed_in(server_ref, "alice").await?;
        crate::live::call(server_ref, &alice, "POST", "/api/auth/reauth", json!({"password": PASSWORD})).await?;
        let created =
            crate::live::call(server_ref, &alice, "POST", "/api/auth/app-passwords", json!({"name": "Alice's laptop"}))
                .await?;
        let secret = created["password"].as_str().unwrap_or_default().to_string();

        b.goto(&format!("{base}/admin/users")).await?;
        b.click(&b.find("button[aria-label='Actions for alice']").await?).await?;
        b.click(&b.find_text("div[@role='menu' and not(@hidden)]/button", "App passwords").await?).await?;
        b.wait_for_text("dialog .admin-app-passwords", "Alice's laptop").await?;
        b.wait_for_text("dialog .admin-app-passwords", "last used never").await?;
        b.wait_idle().await?;
        picture(b, "devices-admin").await;
        b.click(&b.find("dialog button[aria-label=\"Revoke Alice's laptop\"]").await?).await?;
        b.click(&b.find("dialog button.confirm").await?).await?;
        b.wait_for_text("dialog .admin-app-passwords", "no app passwords").await?;
        if dav_status(server_ref, "alice", &secret).await? != 401 {
            return Err("DAV still accepts the app password the admin revoked".into());
        }
        b.click(&b.find_text("dialog//button", "Close").await?).await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn without_a_ca_of_its_own_the_page_says_there_is_nothing_to_install() {
    let Some(browser) = browser().await else { return };
    // Plain HTTP behind, say, a reverse proxy with the operator's certificate: GET /api/ca is 404.
    let server = crate::live::serve_http_on_localhost(|_| {}).await;
    let code = umbra::auth::setup_code::current(server.db.pool()).await.unwrap().unwrap();
    let base = server.base.replace("127.0.0.1", "localhost");
    let server_ref = &server;
    run("devices-no-ca", browser, async |b| {
        let ca = server_ref.client.get(server_ref.url("/api/ca")).send().await.map_err(|e| e.to_string())?;
        if ca.status() != 404 {
            return Err(format!("GET /api/ca answered {} without TLS", ca.status()));
        }
        set_up_admin(b, &base, &code).await?;
        b.goto(&format!("{base}/settings/devices")).await?;
        b.wait_for_text("section[aria-labelledby=trust-title]", "certificate from its operator").await?;
        b.wait_for_text("section[aria-labelledby=app-passwords-title]", "No app passwords yet").await?;
        let downloads = b.execute("return document.querySelectorAll(\"a[href='/ca.crt']\").length;", json!([])).await?;
        if downloads != json!(0) {
            return Err("a certificate download is offered without a CA".into());
        }
        Ok(())
    })
    .await;
}
