//! Browser tests in headless Chromium: the web UI as a person uses it. They skip with a
//! message when no browser is installed, unless `UMBRA_REQUIRE_BROWSER=1` (CI) demands them.

use std::path::PathBuf;

use crate::harness::PASSWORD;
use crate::live::{serve_http_on_localhost, serve_https};
use crate::webdriver::{self, Browser};

pub(crate) async fn browser() -> Option<Browser> {
    match webdriver::binaries() {
        Some((chromium, driver)) => Some(Browser::start(chromium, driver).await),
        None if webdriver::required() => {
            panic!("UMBRA_REQUIRE_BROWSER=1 but chromium/chromedriver are not installed")
        }
        None => {
            eprintln!("SKIPPED browser test: install Debian's chromium and chromium-driver to run it");
            None
        }
    }
}

/// Runs the steps; on failure keeps a screenshot in target/ and fails with the step's error.
pub(crate) async fn run(name: &str, browser: Browser, steps: impl AsyncFnOnce(&Browser) -> Result<(), String>) {
    let outcome = steps(&browser).await;
    if let Err(error) = &outcome {
        let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("target/browser-{name}.png"));
        browser.screenshot(&file).await;
        let console = browser.console().await;
        browser.quit().await;
        panic!("{name}: {error} (screenshot: {})\nbrowser console:\n{console}", file.display());
    }
    browser.quit().await;
}

#[tokio::test]
async fn setup_sign_in_lock_unlock_and_sign_out() {
    let Some(browser) = browser().await else {
        return;
    };
    let server = serve_https(|_| {}).await;
    let code = umbra::auth::setup_code::current(server.db.pool()).await.unwrap().unwrap();
    let base = server.base.clone();
    run("setup-lock-unlock", browser, async |b| {
        b.goto(&format!("{base}/calendar/deep/link")).await?;
        // No user yet: the setup page, with a wrong code first.
        b.find("#setup-title").await?;
        b.type_into("input[name=setup_code]", "AAAA-BBBB-CCCC-DDDD").await?;
        b.type_into("input[name=username]", "admin").await?;
        // The strength meter gives the server policy's verdict as the password is typed.
        let button_top = "return document.querySelector('button[type=submit]').getBoundingClientRect().top";
        let before = b.execute(button_top, serde_json::json!([])).await?;
        b.type_into("input[name=password]", "password password").await?;
        b.wait_for_text(".strength-verdict", "too easy to guess").await?;
        let password_input = b.find("input[name=password]").await?;
        b.command_clear(&password_input).await?;
        b.type_into("input[name=password]", PASSWORD).await?;
        b.wait_for_text(".strength-verdict", "Strength: Strong.").await?;
        // In space kept for it: a one-line verdict arriving does not move the submit button
        // (a click sent just before it arrived used to land where the button had been).
        let after = b.execute(button_top, serde_json::json!([])).await?;
        if before != after {
            return Err(format!("the verdict moved the submit button from {before} to {after}"));
        }
        b.click(&b.find("button[type=submit]").await?).await?;
        b.wait_for_text(".form-error", "setup code").await?;
        let code_input = b.find("input[name=setup_code]").await?;
        b.command_clear(&code_input).await?;
        b.type_into("input[name=setup_code]", &code).await?;
        b.click(&b.find("button[type=submit]").await?).await?;

        // Signed in: the shell with the user menu.
        let user = b.text(".user-button").await?;
        if !user.contains("admin") {
            return Err(format!("user menu shows {user:?}"));
        }
        // The deep link asked for is honoured after setup; it belongs to no section yet.
        if b.path().await? != "/calendar/deep/link" || !b.text("h1").await?.contains("Nothing here") {
            return Err(format!("expected the deep link's not-found page at {}", b.path().await?));
        }
        b.click(&b.find(".sidebar a[href='/']").await?).await?;
        if !b.text("h1").await?.contains("Hello, admin") {
            return Err("Home did not open".into());
        }

        // Lock, then unlock with the password (a wrong one first).
        b.click(&b.find(".user-button").await?).await?;
        b.click(&b.find_text("button", "Lock screen").await?).await?;
        b.find("#lock-title").await?;
        if b.path().await? != "/lock" {
            return Err(format!("lock screen at {}", b.path().await?));
        }
        b.type_into("input[name=password]", "not the right password").await?;
        b.click(&b.find_text("button", "Unlock").await?).await?;
        b.wait_for_text(".form-error", "Wrong").await?;
        let password = b.find("input[name=password]").await?;
        b.command_clear(&password).await?;
        b.type_into("input[name=password]", PASSWORD).await?;
        b.click(&b.find_text("button", "Unlock").await?).await?;
        b.find(".user-button").await?;

        // Sign out, then back in.
        b.click(&b.find(".user-button").await?).await?;
        b.click(&b.find_text("button", "Sign out").await?).await?;
        b.find("#login-title").await?;
        b.type_into("input[name=username]", "admin").await?;
        b.type_into("input[name=password]", PASSWORD).await?;
        b.click(&b.find("button[type=submit]").await?).await?;
        b.find(".user-button").await?;
        Ok(())
    })
    .await;
}

/// First run in the browser: the setup page creates the admin, who lands signed in.
pub(crate) async fn set_up_admin(b: &Browser, base: &str, code: &str) -> Result<(), String> {
    b.goto(&format!("{base}/")).await?;
    b.type_into("input[name=setup_code]", code).await?;
    b.type_into("input[name=username]", "admin").await?;
    b.type_into("input[name=password]", PASSWORD).await?;
    b.click(&b.find("button[type=submit]").await?).await?;
    b.find(".user-button").await.map(drop)
}

pub(crate) async fn sign_out(b: &Browser) -> Result<(), String> {
    b.click(&b.find(".user-button").await?).await?;
    b.click(&b.find_text("button", "Sign out").await?).await?;
    b.find("#login-title").await.map(drop)
}

pub(crate) async fn sign_in(b: &Browser, username: &str, password: &str) -> Result<(), String> {
    b.type_into("input[name=username]", username).await?;
    b.type_into("input[name=password]", password).await?;
    b.click(&b.find("button[type=submit]").await?).await
}

/// The code an authenticator shows for `secret`, `ahead` seconds from now.
fn authenticator_code(secret: &str, ahead: u64) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret.trim()).expect("base32 secret");
    let totp = totp_rs::Builder::new()
        .with_secret(secret)
        .with_account_name("admin")
        .with_issuer(Some("UMBRA"))
        .build()
        .unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    totp.generate(now + ahead).to_string()
}

#[tokio::test]
async fn enable_an_authenticator_app_and_sign_in_with_a_code() {
    let Some(browser) = browser().await else { return };
    let server = serve_https(|_| {}).await;
    let code = umbra::auth::setup_code::current(server.db.pool()).await.unwrap().unwrap();
    let base = server.base.clone();
    run("totp", browser, async |b| {
        set_up_admin(b, &base, &code).await?;
        b.goto(&format!("{base}/settings/security")).await?;
        // Setting up asks for the password again, as adding a passkey does.
        b.type_into("#totp-title ~ form input[name=password]", PASSWORD).await?;
        b.click(&b.find_text("button", "Set up an authenticator app").await?).await?;
        b.find("img.qr").await?;
        let secret = b.text("code.secret").await?;
        b.type_into("input[name=code]", &authenticator_code(&secret, 0)).await?;
        b.click(&b.find_text("button", "Turn on").await?).await?;
        let codes = b.text("ul.codes").await?;
        if codes.lines().count() != 10 {
            return Err(format!("expected ten recovery codes, saw {codes:?}"));
        }
        b.find_text("a", "Download as text").await?;
        b.click(&b.find_text("button", "Done").await?).await?;
        b.find_text("summary", "Turn off").await?;

        // Sign out and back in: the password, then a code. The enabling code's time step is
        // spent, so the authenticator's next code (within the ±1 step window) is used.
        sign_out(b).await?;
        sign_in(b, "admin", PASSWORD).await?;
        // The code field appears only in the second step; then the title has changed too.
        b.find("input[name=code]").await?;
        let step = b.text("#login-title").await?;
        if step != "Two-step verification" {
            return Err(format!("expected the code step, saw {step:?}"));
        }
        b.type_into("input[name=code]", &authenticator_code(&secret, 30)).await?;
        b.click(&b.find_text("button", "Verify").await?).await?;
        b.find(".user-button").await.map(drop)
    })
    .await;
}

#[tokio::test]
async fn an_admin_creates_a_user_who_then_signs_in() {
    let Some(browser) = browser().await else { return };
    let server = serve_https(|_| {}).await;
    let code = umbra::auth::setup_code::current(server.db.pool()).await.unwrap().unwrap();
    let base = server.base.clone();
    run("admin-create-user", browser, async |b| {
        set_up_admin(b, &base, &code).await?;
        b.click(&b.find(".sidebar a[href='/admin']").await?).await?;
        b.find("#users-title").await?;
        b.type_into("input[name=username]", "grandma").await?;
        b.type_into("input[name=password]", "knitting by the fireplace").await?;
        b.click(&b.find_text("button", "Create user").await?).await?;
        b.find_text("td", "grandma").await?;
        sign_out(b).await?;
        sign_in(b, "grandma", "knitting by the fireplace").await?;
        let who = b.text(".user-button").await?;
        if !who.contains("grandma") {
            return Err(format!("signed in as {who:?}"));
        }
        // A member sees no Admin section.
        if b.find(".sidebar a[href='/admin']").await.is_ok() {
            return Err("a member sees the Admin section".into());
        }
        Ok(())
    })
    .await;
}

/// Whether, at this moment, the selected tab of the section's bar is wholly inside the window
/// and not cut off by the bar's own scrolling, no label of the bottom tab bar is cut off, and
/// the page itself does not scroll sideways: "ok", or what is wrong.
async fn tabs_whole(b: &Browser) -> Result<serde_json::Value, String> {
    b.execute(
        "const tab = document.querySelector(\"nav.tabs a[aria-current='page']\");
         const r = tab.getBoundingClientRect();
         const bar = tab.parentElement.getBoundingClientRect();
         const whole = r.left >= 0 && r.right <= window.innerWidth && r.left >= bar.left - 0.5 && r.right <= bar.right + 0.5;
         const page = document.scrollingElement.scrollWidth <= window.innerWidth;
         const cut = [...document.querySelectorAll('.tabbar .label')].filter((l) => {
           const b = l.getBoundingClientRect();
           return b.left < 0 || b.right > document.documentElement.clientWidth || l.scrollWidth > l.clientWidth;
         }).map((l) => l.textContent);
         return whole && page && !cut.length ? 'ok' : `${tab.textContent}: ${r.left}–${r.right} in a bar ${bar.left}–${bar.right}, \\
           window ${window.innerWidth}, page ${document.scrollingElement.scrollWidth} wide; \\
           cut off in the bottom tab bar: ${cut.join(', ') || 'none'}`;",
        serde_json::json!([]),
    )
    .await
}

#[tokio::test]
async fn every_admin_tab_shows_whole_on_a_phone_once_selected() {
    let Some(browser) = browser().await else { return };
    let server = serve_https(|_| {}).await;
    let code = umbra::auth::setup_code::current(server.db.pool()).await.unwrap().unwrap();
    let base = server.base.clone();
    run("admin-tabs-390", browser, async |b| {
        set_up_admin(b, &base, &code).await?;
        b.set_window_size(390, 844).await?;
        // Admin's three tabs, and Settings' five (which never fit side by side on a phone):
        // each selected in turn, the last tab first.
        let sections = [
            (
                "Admin",
                "/admin/users",
                vec![("Audit log", "/admin/audit"), ("System settings", "/admin/settings"), ("Users", "/admin/users")],
            ),
            (
                "Settings",
                "/settings/profile",
                vec![
                    ("Security", "/settings/security"),
                    ("Password", "/settings/password"),
                    ("Notifications", "/settings/notifications"),
                    ("Profile", "/settings/profile"),
                ],
            ),
        ];
        // At the browser's default text size and at a larger one (an accessibility setting
        // phones offer), where the labels of the bottom tab bar fit no more as they were.
        for text_size in ["100%", "125%"] {
            for (section, first, tabs) in &sections {
                b.goto(&format!("{base}{first}")).await?;
                b.find(&format!("nav[aria-label='{section}'] a[aria-current='page']")).await?;
                b.execute("document.documentElement.style.fontSize = arguments[0]", serde_json::json!([text_size]))
                    .await?;
                b.wait_idle().await?;
                for (label, path) in tabs {
                    b.click(&b.find_text(&format!("nav[@aria-label='{section}']/a"), label).await?).await?;
                    b.find(&format!("nav.tabs a[aria-current='page'][href='{path}']")).await?;
                    b.wait_idle().await?;
                    picture(b, &format!("390-{text_size}-tab{}", path.replace('/', "-"))).await;
                    let seen = tabs_whole(b).await?;
                    if seen != serde_json::json!("ok") {
                        return Err(format!("at 390 px and {text_size} text: {seen}"));
                    }
                }
            }
        }
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn register_a_passkey_and_sign_in_with_it() {
    let Some(browser) = browser().await else { return };
    let server = serve_http_on_localhost(|_| {}).await;
    let code = umbra::auth::setup_code::current(server.db.pool()).await.unwrap().unwrap();
    // WebAuthn wants a domain name: the page is opened as localhost, not 127.0.0.1.
    let base = server.base.replace("127.0.0.1", "localhost");
    run("passkey", browser, async |b| {
        b.add_virtual_authenticator().await?;
        set_up_admin(b, &base, &code).await?;
        b.goto(&format!("{base}/settings/security")).await?;
        b.type_into("#passkeys-title ~ details input[name=name]", "Laptop").await?;
        // A wrong password first: its message at the field, the form kept, still signed in.
        b.type_into("#passkeys-title ~ details input[name=password]", "not my password at all").await?;
        b.click(&b.find_text("button", "Add a passkey").await?).await?;
        b.wait_for_text("#passkeys-title ~ details .field-error:not([hidden])", "Wrong").await?;
        let password = b.find("#passkeys-title ~ details input[name=password]").await?;
        b.command_clear(&password).await?;
        b.type_into("#passkeys-title ~ details input[name=password]", PASSWORD).await?;
        b.click(&b.find_text("button", "Add a passkey").await?).await?;
        b.find_text("strong", "Laptop").await?;

        sign_out(b).await?;
        b.click(&b.find_text("button", "Sign in with a passkey").await?).await?;
        b.wait_for_text(".user-button", "admin").await?;
        Ok(())
    })
    .await;
}

/// Whether the page is wider than the window (something would scroll sideways).
pub(crate) async fn overflow(b: &Browser) -> Result<Option<String>, String> {
    let measured = b
        .execute(
            "const d = document.documentElement;
             if (d.scrollWidth <= window.innerWidth) return null;
             const wide = [...document.querySelectorAll('body *')]
                 .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
                 .slice(0, 3).map((e) => e.tagName + '.' + e.className);
             return `${d.scrollWidth} > ${window.innerWidth}: ${wide.join(', ')}`;",
            serde_json::json!([]),
        )
        .await?;
    Ok(measured.as_str().map(str::to_string))
}

/// With `UMBRA_SCREENSHOTS=1`, keeps a picture of the page in target/screens/ to look at.
pub(crate) async fn picture(b: &Browser, name: &str) {
    if std::env::var("UMBRA_SCREENSHOTS").is_ok_and(|v| v == "1") {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screens");
        let _ = std::fs::create_dir_all(&dir);
        b.screenshot(&dir.join(format!("{name}.png"))).await;
    }
}

/// The element's `aria-describedby` error (forms.js puts a field's error there).
pub(crate) async fn field_error(b: &Browser, name: &str) -> Result<String, String> {
    let text = b
        .execute(
            "const input = document.querySelector(`[name=${arguments[0]}]`);
             const error = input && input.closest('.field').querySelector('.field-error');
             return error && !error.hidden ? error.textContent : '';",
            serde_json::json!([name]),
        )
        .await?;
    Ok(text.as_str().unwrap_or_default().to_string())
}

#[tokio::test]
async fn a_wrong_current_password_is_shown_in_the_form_and_success_stays() {
    let Some(browser) = browser().await else { return };
    let server = serve_https(|_| {}).await;
    let code = umbra::auth::setup_code::current(server.db.pool()).await.unwrap().unwrap();
    let base = server.base.clone();
    run("password-change", browser, async |b| {
        set_up_admin(b, &base, &code).await?;
        b.goto(&format!("{base}/settings/password")).await?;
        // Empty fields: every field's problem at once, nothing sent.
        b.click(&b.find_text("button[@type='submit']", "Change password").await?).await?;
        for name in ["current_password", "new_password"] {
            if field_error(b, name).await?.is_empty() {
                return Err(format!("no error shown for the empty {name}"));
            }
        }
        let new_password = "a brand new passphrase for grandma";
        b.type_into("input[name=current_password]", "not my password at all").await?;
        b.type_into("input[name=new_password]", new_password).await?;
        b.click(&b.find_text("button[@type='submit']", "Change password").await?).await?;
        b.wait_idle().await?;
        // The 401 is the form's: its message at the field, the form kept, still signed in.
        let error = field_error(b, "current_password").await?;
        if !error.contains("Wrong") {
            return Err(format!("the wrong password shows {error:?}"));
        }
        if b.path().await? != "/settings/password" {
            return Err(format!("taken to {}", b.path().await?));
        }
        let kept =
            b.execute("return document.querySelector('[name=new_password]').value", serde_json::json!([])).await?;
        if kept.as_str() != Some(new_password) {
            return Err(format!("the new password field was cleared: {kept}"));
        }
        b.find(".user-button").await?;

        let current = b.find("input[name=current_password]").await?;
        b.command_clear(&current).await?;
        b.type_into("input[name=current_password]", PASSWORD).await?;
        b.click(&b.find_text("button[@type='submit']", "Change password").await?).await?;
        b.wait_for_text("form .success", "Password changed").await?;
        // Everything the change set off has finished; the message is still there.
        b.wait_idle().await?;
        let message = b.find("form .success").await?;
        if !b.displayed(&message).await? || !b.text("form .success").await?.contains("Password changed") {
            return Err("the success message went away".into());
        }
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_destructive_admin_action_asks_first_and_cancel_changes_nothing() {
    let Some(browser) = browser().await else { return };
    let server = serve_https(|_| {}).await;
    let code = umbra::auth::setup_code::current(server.db.pool()).await.unwrap().unwrap();
    let base = server.base.clone();
    run("admin-confirm", browser, async |b| {
        set_up_admin(b, &base, &code).await?;
        b.goto(&format!("{base}/admin/users")).await?;
        b.type_into("input[name=username]", "grandma").await?;
        b.type_into("input[name=password]", "knitting by the fireplace").await?;
        b.click(&b.find_text("button", "Create user").await?).await?;
        b.wait_for_text("form .success", "grandma created").await?;
        b.wait_idle().await?;
        if !b.text("form .success").await?.contains("grandma created") {
            return Err("the user-created message went away".into());
        }

        // Deactivate asks, says what happens, and Cancel leaves the account as it was.
        b.click(&b.find("button[aria-label='Actions for grandma']").await?).await?;
        b.click(&b.find_text("div[@role='menu' and not(@hidden)]/button", "Deactivate").await?).await?;
        let question = b.text("dialog[open]").await?;
        if !question.contains("Deactivate grandma?") || !question.contains("signed out everywhere") {
            return Err(format!("the dialog says {question:?}"));
        }
        b.click(&b.find_text("dialog//button", "Cancel").await?).await?;
        b.wait_idle().await?;
        let open = b.execute("return document.querySelectorAll('dialog').length", serde_json::json!([])).await?;
        if open != serde_json::json!(0) {
            return Err("the dialog stayed open".into());
        }
        // What the server holds, drawn afresh: grandma is still active.
        b.goto(&format!("{base}/admin/users")).await?;
        b.find("button[aria-label='Actions for grandma']").await?;
        b.wait_idle().await?;
        let state = b
            .execute(
                "const row = [...document.querySelectorAll('tbody tr')].find((r) => r.textContent.includes('grandma'));
                 return row ? row.querySelector('td[data-label=State]').textContent : '';",
                serde_json::json!([]),
            )
            .await?;
        if state.as_str() != Some("Active") {
            return Err(format!("after cancelling, grandma is {state}"));
        }

        // One's own row offers nothing that locks oneself out.
        b.click(&b.find("button[aria-label='Actions for admin']").await?).await?;
        let own = b
            .execute(
                "return [...document.querySelectorAll('[role=menu]:not([hidden]) [role=menuitem]')].map((e) => e.textContent)",
                serde_json::json!([]),
            )
            .await?;
        let own: Vec<String> = serde_json::from_value(own).map_err(|e| e.to_string())?;
        if own.iter().any(|item| ["Deactivate", "Delete", "Make member"].contains(&item.as_str())) || own.is_empty() {
            return Err(format!("own row offers {own:?}"));
        }
        // Escape closes the menu.
        b.press("\u{e00c}").await?;
        let closed = b
            .execute("return document.querySelectorAll('[role=menu]:not([hidden])').length", serde_json::json!([]))
            .await?;
        if closed != serde_json::json!(0) {
            return Err("Escape left the menu open".into());
        }

        // A new password goes in a password field, never in clear.
        b.click(&b.find("button[aria-label='Actions for grandma']").await?).await?;
        b.click(&b.find_text("div[@role='menu' and not(@hidden)]/button", "Set a new password").await?).await?;
        let kind = b
            .execute("return document.querySelector('dialog[open] [name=new_password]').type", serde_json::json!([]))
            .await?;
        if kind != serde_json::json!("password") {
            return Err(format!("the new password field is of type {kind}"));
        }
        b.type_into("dialog[open] input[name=new_password]", "a fresh start by the sea shore").await?;
        b.click(&b.find_text("dialog//button", "Set password").await?).await?;
        b.wait_for_text("#status", "Password for grandma set").await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn sign_up_while_registration_is_open() {
    let Some(browser) = browser().await else { return };
    let server = serve_https(|_| {}).await;
    let code = umbra::auth::setup_code::current(server.db.pool()).await.unwrap().unwrap();
    let base = server.base.clone();
    run("sign-up", browser, async |b| {
        set_up_admin(b, &base, &code).await?;
        // Closed: the login page offers no sign-up.
        sign_out(b).await?;
        let links = b
            .execute("return document.querySelectorAll('a[href=\"/register\"]').length", serde_json::json!([]))
            .await?;
        if links != serde_json::json!(0) {
            return Err("a sign-up link while registration is closed".into());
        }
        sign_in(b, "admin", PASSWORD).await?;
        b.find(".user-button").await?;
        b.goto(&format!("{base}/admin/settings")).await?;
        let select = b.find("select[name=registration_open] option[value=true]").await?;
        b.click(&select).await?;
        b.click(&b.find_text("button", "Save settings").await?).await?;
        b.wait_for_text("form .success", "Saved").await?;
        sign_out(b).await?;

        b.click(&b.find_text("a", "Create an account").await?).await?;
        b.find("#register-title").await?;
        b.type_into("input[name=username]", "newcomer").await?;
        b.type_into("input[name=password]", "knitting by the fireplace").await?;
        b.click(&b.find_text("button", "Create account").await?).await?;
        b.wait_for_text(".user-button", "newcomer").await?;
        if b.path().await? != "/" {
            return Err(format!("after sign-up at {}", b.path().await?));
        }
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn no_page_scrolls_sideways_on_a_phone() {
    let Some(browser) = browser().await else { return };
    let server = serve_https(|_| {}).await;
    let code = umbra::auth::setup_code::current(server.db.pool()).await.unwrap().unwrap();
    let base = server.base.clone();
    run("phone-overflow", browser, async |b| {
        set_up_admin(b, &base, &code).await?;
        // A settings change for the audit log, shown as a change, not as JSON.
        b.goto(&format!("{base}/admin/settings")).await?;
        let threshold = b.find("input[name=lockout_threshold]").await?;
        b.command_clear(&threshold).await?;
        b.type_into("input[name=lockout_threshold]", "5").await?;
        b.click(&b.find_text("select[@name='registration_open']/option", "Open: anyone can create an account").await?)
            .await?;
        b.click(&b.find_text("button", "Save settings").await?).await?;
        b.wait_for_text("form .success", "Saved").await?;
        b.goto(&format!("{base}/admin/audit")).await?;
        let change = b.wait_for_text(".changes", "lockout_threshold 10 → 5").await?;
        if change.contains('{') || change.contains("session_idle_minutes") {
            return Err(format!("the audit detail shows unchanged settings or JSON: {change:?}"));
        }

        let signed_in = [
            "/",
            "/settings/password",
            "/settings/security",
            "/admin/users",
            "/admin/settings",
            "/admin/audit",
            "/calendar",
            "/todos",
            "/reminders",
            "/projects",
            "/people",
            "/locations",
            "/no/such/page",
        ];
        for (width, height) in [(390, 844), (1280, 800)] {
            b.set_window_size(width, height).await?;
            // The phone in the light theme, the desktop in the dark one: both get looked at.
            let theme = if width < 900 { "light" } else { "dark" };
            b.execute("localStorage.setItem('umbra-theme', arguments[0])", serde_json::json!([theme])).await?;
            for path in signed_in {
                b.goto(&format!("{base}{path}")).await?;
                b.find("h1").await?;
                b.wait_idle().await?;
                picture(b, &format!("{width}{}", path.replace('/', "-"))).await;
                if let Some(wide) = overflow(b).await? {
                    return Err(format!("{path} at {width} px: {wide}"));
                }
            }
            // The phone drawer opens, and Escape closes it.
            if width == 390 {
                b.click(&b.find(".drawer-button").await?).await?;
                picture(b, "390-drawer").await;
                b.press("\u{e00c}").await?;
                let open =
                    b.execute("return document.body.classList.contains('drawer-open')", serde_json::json!([])).await?;
                if open != serde_json::json!(false) {
                    return Err("Escape left the drawer open".into());
                }
            }
        }
        // After a navigation the new view's heading has the focus; only the small status
        // regions are live (the status line, a strength verdict), never the page.
        b.click(&b.find(".sidebar a[href='/settings']").await?).await?;
        b.wait_for_text("h1", "Settings").await?;
        let focus = b
            .execute(
                "return [document.activeElement.tagName, [...document.querySelectorAll('[aria-live]')].filter((e) => e.querySelector('h1, form, main')).length, document.getElementById('app').hasAttribute('aria-live')]",
                serde_json::json!([]),
            )
            .await?;
        if focus != serde_json::json!(["H1", 0, false]) {
            return Err(format!("focus and live regions after navigating: {focus}"));
        }
        sign_out(b).await?;
        for (width, height) in [(390, 844), (1280, 800)] {
            b.set_window_size(width, height).await?;
            for path in ["/login", "/register"] {
                b.goto(&format!("{base}{path}")).await?;
                b.find("h1").await?;
                b.wait_idle().await?;
                picture(b, &format!("{width}{}", path.replace('/', "-"))).await;
                if let Some(wide) = overflow(b).await? {
                    return Err(format!("{path} at {width} px: {wide}"));
                }
            }
        }
        Ok(())
    })
    .await;
}
