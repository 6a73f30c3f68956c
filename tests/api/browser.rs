//! Browser tests in headless Chromium: the web UI as a person uses it. They skip with a
//! message when no browser is installed, unless `UMBRA_REQUIRE_BROWSER=1` (CI) demands them.

use std::path::PathBuf;

use crate::harness::PASSWORD;
use crate::live::{serve_http_on_localhost, serve_https};
use crate::webdriver::{self, Browser};

async fn browser() -> Option<Browser> {
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
async fn run(name: &str, browser: Browser, steps: impl AsyncFnOnce(&Browser) -> Result<(), String>) {
    let outcome = steps(&browser).await;
    if let Err(error) = &outcome {
        let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("target/browser-{name}.png"));
        browser.screenshot(&file).await;
        browser.quit().await;
        panic!("{name}: {error} (screenshot: {})", file.display());
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
        b.type_into("input[name=password]", "password password").await?;
        b.wait_for_text(".strength-verdict", "too easy to guess").await?;
        let password_input = b.find("input[name=password]").await?;
        b.command_clear(&password_input).await?;
        b.type_into("input[name=password]", PASSWORD).await?;
        b.wait_for_text(".strength-verdict", "Strength: Strong.").await?;
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
async fn set_up_admin(b: &Browser, base: &str, code: &str) -> Result<(), String> {
    b.goto(&format!("{base}/")).await?;
    b.type_into("input[name=setup_code]", code).await?;
    b.type_into("input[name=username]", "admin").await?;
    b.type_into("input[name=password]", PASSWORD).await?;
    b.click(&b.find("button[type=submit]").await?).await?;
    b.find(".user-button").await.map(drop)
}

async fn sign_out(b: &Browser) -> Result<(), String> {
    b.click(&b.find(".user-button").await?).await?;
    b.click(&b.find_text("button", "Sign out").await?).await?;
    b.find("#login-title").await.map(drop)
}

async fn sign_in(b: &Browser, username: &str, password: &str) -> Result<(), String> {
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
        b.type_into("#passkeys-title ~ details input[name=password]", PASSWORD).await?;
        b.click(&b.find_text("button", "Add a passkey").await?).await?;
        b.find_text("strong", "Laptop").await?;

        sign_out(b).await?;
        b.click(&b.find_text("button", "Sign in with a passkey").await?).await?;
        let who = b.text(".user-button").await?;
        if !who.contains("admin") {
            return Err(format!("signed in as {who:?}"));
        }
        Ok(())
    })
    .await;
}
