//! Browser tests in headless Chromium: the web UI as a person uses it. They skip with a
//! message when no browser is installed, unless `UMBRA_REQUIRE_BROWSER=1` (CI) demands them.

use std::path::PathBuf;

use crate::harness::PASSWORD;
use crate::live::serve_https;
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
        b.type_into("input[name=password]", PASSWORD).await?;
        b.click(&b.find("button[type=submit]").await?).await?;
        let error = b.text(".form-error").await?;
        if !error.contains("setup code") {
            return Err(format!("expected the wrong-code message, saw {error:?}"));
        }
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
        let error = b.text(".form-error").await?;
        if !error.contains("Wrong") {
            return Err(format!("expected a wrong-password message, saw {error:?}"));
        }
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
