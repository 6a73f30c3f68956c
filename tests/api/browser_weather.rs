//! Weather settings in headless Chromium: the admin's page shows the provider URLs the API
//! saved; in Settings → Preferences a place name is looked up with a local stand-in geocoder
//! and saved with its coordinates, and a place the geocoder cannot find is shown at the field
//! while nothing is saved.

use serde_json::json;

use crate::browser::{browser, picture, run, set_up_admin};
use crate::harness::PASSWORD;
use crate::stand_in::{Reply, StandIn};

async fn to_top(b: &crate::webdriver::Browser) -> Result<(), String> {
    b.execute("window.scrollTo(0, 0);", json!([])).await.map(drop)
}

/// Signs the admin in through the API, allow-lists 127.0.0.2 and points both weather URLs at
/// the stand-in there.
async fn configure(server: &crate::live::LiveServer, provider: &str) -> Result<(), String> {
    let login = server.post("/api/auth/login", json!({"username": "admin", "password": PASSWORD}), &[]).await;
    if login.status() != 200 {
        return Err(format!("API sign-in: {}", login.status()));
    }
    let calls = [
        ("/api/admin/outbound-allow", json!({"entries": ["127.0.0.2"]})),
        ("/api/admin/weather", json!({"weather_base_url": provider, "weather_geocoding_url": provider})),
    ];
    for (path, body) in calls {
        let response = server
            .client
            .put(server.url(path))
            .header("X-Requested-With", "XMLHttpRequest")
            .json(&body)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if response.status() != 200 {
            return Err(format!("{path}: {}", response.status()));
        }
    }
    Ok(())
}

#[tokio::test]
async fn a_place_is_looked_up_and_saved_from_the_preferences() {
    let Some(browser) = browser().await else { return };
    let server = crate::live::serve_https(|_| {}).await;
    let stand_in = StandIn::start("127.0.0.2").await;
    let code = umbra::auth::setup_code::current(server.db.pool()).await.unwrap().unwrap();
    let base = server.base.clone();
    let pool = server.db.pool().clone();
    let provider = stand_in.url();
    let (stand_in_ref, server_ref) = (&stand_in, &server);
    run("weather-settings", browser, async |b| {
        set_up_admin(b, &base, &code).await?;
        b.wait_idle().await?;
        configure(server_ref, &provider).await?;

        // The admin's page shows the provider the API saved.
        b.goto(&format!("{base}/admin/settings")).await?;
        // The field appears once the provider URLs are loaded (find waits for it).
        b.find("input[name=weather_base_url]").await?;
        b.wait_idle().await?;
        let shown =
            b.execute("return document.querySelector('input[name=weather_base_url]').value;", json!([])).await?;
        if shown != json!(provider) {
            return Err(format!("the forecast URL field shows {shown}"));
        }

        // A place name, looked up when saved.
        stand_in_ref.reply_next(Reply::status(
            200,
            r#"{"results":[{"name":"Berlin","latitude":52.52437,"longitude":13.41053,"country":"Germany"}]}"#,
        ));
        b.goto(&format!("{base}/settings/preferences")).await?;
        b.wait_idle().await?;
        to_top(b).await?;
        b.type_into("input[name=weather_place]", "Berlin").await?;
        b.click(&b.find_text("button", "Save weather").await?).await?;
        b.wait_for_text(".card:has(#weather-title) .success", "Saved: weather for Berlin, Germany.").await?;
        let latitude =
            b.execute("return document.querySelector('input[name=weather_latitude]').value;", json!([])).await?;
        if latitude != json!("52.52437") {
            return Err(format!("the latitude field shows {latitude}"));
        }
        picture(b, "settings-weather-saved").await;

        // A place the geocoder does not know: shown at the field, nothing saved.
        stand_in_ref.reply_next(Reply::status(200, r#"{"generationtime_ms":0.1}"#));
        let place = b.find("input[name=weather_place]").await?;
        b.command_clear(&place).await?;
        b.type_into("input[name=weather_place]", "Atlantis").await?;
        b.click(&b.find_text("button", "Save weather").await?).await?;
        b.wait_for_text(".field:has(input[name=weather_place]) .field-error", "no place of that name was found")
            .await?;
        let stored: Option<String> = sqlx::query_scalar("SELECT weather_place FROM user_settings")
            .fetch_one(&pool)
            .await
            .map_err(|e| e.to_string())?;
        if stored.as_deref() != Some("Berlin, Germany") {
            return Err(format!("the stored place is {stored:?}"));
        }
        let paths: Vec<String> = stand_in_ref.requests().into_iter().map(|r| r.path).collect();
        if paths != ["/v1/search?name=Berlin&count=1", "/v1/search?name=Atlantis&count=1"] {
            return Err(format!("the stand-in got {paths:?}"));
        }
        Ok(())
    })
    .await;
}
