//! The Settings page in headless Chromium: the browser's time zone is saved at the first
//! sign-in, the theme switches without a reload, and with the admin's allow-list naming a
//! local stand-in ntfy server, saving ntfy settings and pressing "Send test" shows
//! "Delivered" and the stand-in got the push. Nothing scrolls sideways on a phone.

use serde_json::json;

use crate::browser::{browser, overflow, picture, run, set_up_admin};
use crate::harness::PASSWORD;
use crate::stand_in::StandIn;

/// Scrolls to the top: a click on a tab scrolled under the sticky top bar would hit the bar.
async fn to_top(b: &crate::webdriver::Browser) -> Result<(), String> {
    b.execute("window.scrollTo(0, 0);", json!([])).await.map(drop)
}

/// Signs the admin in through the API and allow-lists 127.0.0.2 (where the stand-in listens).
async fn allow_through_the_api(server: &crate::live::LiveServer) -> Result<(), String> {
    let login = server.post("/api/auth/login", json!({"username": "admin", "password": PASSWORD}), &[]).await;
    if login.status() != 200 {
        return Err(format!("API sign-in: {}", login.status()));
    }
    let allowed = server
        .client
        .put(server.url("/api/admin/outbound-allow"))
        .header("X-Requested-With", "XMLHttpRequest")
        .json(&json!({"entries": ["127.0.0.2"]}))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if allowed.status() != 200 {
        return Err(format!("allow-list: {}", allowed.status()));
    }
    Ok(())
}

#[tokio::test]
async fn save_ntfy_settings_and_send_a_test() {
    let Some(browser) = browser().await else { return };
    let server = crate::live::serve_https(|_| {}).await;
    let stand_in = StandIn::start("127.0.0.2").await;
    let code = umbra::auth::setup_code::current(server.db.pool()).await.unwrap().unwrap();
    let base = server.base.clone();
    let pool = server.db.pool().clone();
    let ntfy_url = stand_in.url();
    let stand_in_ref = &stand_in;
    let server_ref = &server;
    run("settings", browser, async |b| {
        set_up_admin(b, &base, &code).await?;
        b.wait_idle().await?;
        // The first sign-in gave the account this browser's time zone.
        let zone: Option<String> = sqlx::query_scalar("SELECT timezone FROM user_settings")
            .fetch_optional(&pool)
            .await
            .map_err(|e| e.to_string())?
            .flatten();
        if zone.is_none() {
            return Err("the browser's time zone was not saved".into());
        }

        // The admin allow-lists the stand-in through the API (the same account, its own session).
        allow_through_the_api(server_ref).await?;

        // Appearance: a pick applies at once, without a reload.
        b.click(&b.find(".sidebar a[href='/settings']").await?).await?;
        b.wait_idle().await?;
        to_top(b).await?;
        b.click(&b.find(".tabs a[href='/settings/preferences']").await?).await?;
        b.click(&b.find("#theme-light").await?).await?;
        let theme = b.execute("return document.documentElement.dataset.theme;", json!([])).await?;
        if theme != json!("light") {
            return Err(format!("the theme is {theme} after picking Light"));
        }
        b.wait_idle().await?;
        picture(b, "settings-preferences-light").await;
        b.click(&b.find("#theme-dark").await?).await?;
        b.wait_idle().await?;
        let stored: String =
            sqlx::query_scalar("SELECT theme FROM user_settings").fetch_one(&pool).await.map_err(|e| e.to_string())?;
        if stored != "dark" {
            return Err(format!("the stored theme is {stored}"));
        }
        // The admin's settings page shows the allow-list the API saved.
        to_top(b).await?;
        b.click(&b.find(".sidebar a[href='/admin']").await?).await?;
        b.click(&b.find(".tabs a[href='/admin/settings']").await?).await?;
        b.wait_idle().await?;
        let listed = b.execute("return document.querySelector('textarea[name=entries]').value;", json!([])).await?;
        if listed != json!("127.0.0.2") {
            return Err(format!("the allow-list field shows {listed}"));
        }
        to_top(b).await?;
        b.click(&b.find(".sidebar a[href='/settings']").await?).await?;
        b.wait_idle().await?;

        // ntfy: server, topic, token; saved, then "Send test".
        to_top(b).await?;
        b.click(&b.find(".tabs a[href='/settings/notifications']").await?).await?;
        b.wait_for_text(".token-state", "not set").await?;
        b.type_into("input[name=ntfy_server]", &ntfy_url).await?;
        b.type_into("input[name=ntfy_topic]", "admin_alerts").await?;
        b.type_into("input[name=ntfy_token]", "tk_browser").await?;
        b.click(&b.find_text("button", "Save push settings").await?).await?;
        b.wait_idle().await?;
        b.wait_for_text(".token-state", "Access token: set").await?;
        b.click(&b.find_text("button", "Send test").await?).await?;
        b.wait_for_text(".test-outcome", "Delivered").await?;
        picture(b, "settings-ntfy-delivered").await;
        let requests = stand_in_ref.requests();
        let [request] = requests.as_slice() else {
            return Err(format!("the stand-in got {} requests", requests.len()));
        };
        let body = request.json();
        if body["topic"] != "admin_alerts" || request.header("authorization") != Some("Bearer tk_browser") {
            return Err(format!("the stand-in got {body} with {:?}", request.header("authorization")));
        }

        // A phone: the page fits.
        b.set_window_size(390, 844).await?;
        b.goto(&format!("{base}/settings/notifications")).await?;
        b.wait_for_text(".token-state", "Access token: set").await?;
        b.wait_idle().await?;
        if let Some(wide) = overflow(b).await? {
            return Err(format!("Notifications at 390 px: {wide}"));
        }
        picture(b, "settings-notifications-phone").await;
        to_top(b).await?;
        b.click(&b.find(".tabs a[href='/settings/preferences']").await?).await?;
        b.wait_idle().await?;
        if let Some(wide) = overflow(b).await? {
            return Err(format!("Preferences at 390 px: {wide}"));
        }
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn chosen_formats_and_time_zone_apply_to_times_shown_elsewhere() {
    let Some(browser) = browser().await else { return };
    let server = crate::live::serve_https(|_| {}).await;
    let code = umbra::auth::setup_code::current(server.db.pool()).await.unwrap().unwrap();
    let base = server.base.clone();
    run("settings-formats", browser, async |b| {
        set_up_admin(b, &base, &code).await?;
        b.goto(&format!("{base}/settings/preferences")).await?;
        b.find("select[name=date_format]").await?;
        b.wait_idle().await?;
        // Long dates, a 12-hour clock, in Tokyo (no daylight saving: the offset is fixed).
        b.execute(
            "const set = (name, value) => { const el = document.querySelector(`select[name=${name}]`);
                 el.value = value; el.dispatchEvent(new Event('change')); };
             set('date_format', 'long'); set('time_format', '12h'); set('timezone', 'Asia/Tokyo');",
            json!([]),
        )
        .await?;
        b.click(&b.find_text("button", "Save preferences").await?).await?;
        b.wait_for_text(".success", "Saved").await?;
        to_top(b).await?;
        b.click(&b.find(".tabs a[href='/settings/security']").await?).await?;
        b.wait_idle().await?;
        // The session started moments ago: today's date in Tokyo, written the long way, and a
        // 12-hour time.
        let tokyo = chrono::Utc::now().with_timezone(&chrono_tz::Asia::Tokyo);
        let day = tokyo.format("%-d %b %Y").to_string();
        let shown = b.wait_for_text("table", &day).await?;
        if !(shown.contains(" am") || shown.contains(" pm")) {
            return Err(format!("the sessions table shows {shown:?}: no 12-hour time"));
        }
        Ok(())
    })
    .await;
}
