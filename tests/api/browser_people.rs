//! The People and Locations sections in headless Chromium: a person added through the form
//! with a birthday a few days away shows under upcoming birthdays; a location is added; both
//! pages fit a 390 px phone without sideways scrolling.

use chrono::{Datelike, Duration, Utc};

use crate::browser::{browser, overflow, picture, run, set_up_admin};
use crate::live::serve_https;

#[tokio::test]
async fn a_person_with_a_birthday_soon_and_a_location() {
    let Some(browser) = browser().await else { return };
    let server = serve_https(|_| {}).await;
    let code = umbra::auth::setup_code::current(server.db.pool()).await.unwrap().unwrap();
    let base = server.base.clone();
    run("people", browser, async |b| {
        set_up_admin(b, &base, &code).await?;

        // A location first, so the person can link to it.
        b.goto(&format!("{base}/locations")).await?;
        b.wait_for_text("h1", "Locations").await?;
        b.wait_idle().await?;
        b.wait_for_text(".location-results", "No locations yet").await?;
        b.click(&b.find_text("button", "Add location").await?).await?;
        b.type_into("dialog input[name=name]", "Corner café").await?;
        b.type_into("dialog textarea[name=address]", "2 High Street").await?;
        b.type_into("dialog input[name=latitude]", "51.5").await?;
        b.click(&b.find_text("button[@type='submit']", "Add location").await?).await?;
        // One coordinate alone is refused at the field; the other completes it.
        b.wait_for_text("dialog", "both").await?;
        b.type_into("dialog input[name=longitude]", "-0.1").await?;
        b.click(&b.find_text("button[@type='submit']", "Add location").await?).await?;
        b.wait_for_text(".location-results", "Corner café").await?;
        b.wait_for_text(".toasts", "Added Corner café").await?;

        // A person whose birthday (with a year) is three days from today (UTC; the browser
        // runs in the same zone as the server here).
        let birthday = Utc::now().date_naive() + Duration::days(3);
        let born = birthday.format("1990-%m-%d").to_string();
        b.goto(&format!("{base}/people")).await?;
        b.wait_for_text("h1", "People").await?;
        b.wait_idle().await?;
        b.wait_for_text(".people-results", "No people yet").await?;
        b.wait_for_text(".birthdays", "No birthdays").await?;
        b.click(&b.find_text("a", "Add person").await?).await?;
        b.wait_for_text("h1", "Add a person").await?;
        b.find("input[name=name]").await?;
        b.type_into("input[name=name]", "Ada Lovelace").await?;
        b.click(&b.find_text("button", "Add e-mail address").await?).await?;
        b.type_into(".contact-value", "ada@example.org").await?;
        // The date input takes the digits in the browser's locale order; set it directly.
        b.execute(
            "const i = document.querySelector('input[name=birthday]'); i.value = arguments[0];
             i.dispatchEvent(new Event('input', {bubbles: true}));",
            serde_json::json!([born]),
        )
        .await?;
        let select = b.find("select[name=location_id]").await?;
        b.click(&select).await?;
        b.execute(
            "const s = document.querySelector('select[name=location_id]'); s.value = s.options[1].value;",
            serde_json::json!([]),
        )
        .await?;
        b.click(&b.find_text("button[@type='submit']", "Add person").await?).await?;
        b.wait_for_text("h1", "Ada Lovelace").await?;
        b.wait_for_text(".facts", "Corner café").await?;
        b.wait_idle().await?;
        picture(b, "person-detail").await;
        if !b.path().await?.starts_with("/people/") {
            return Err(format!("after adding, at {}", b.path().await?));
        }

        b.goto(&format!("{base}/people")).await?;
        b.wait_idle().await?;
        let upcoming = b.wait_for_text(".birthdays", "Ada Lovelace").await?;
        let turns = format!("turns {}", birthday.year() - 1990);
        // "In 3 days" where the browser's zone is the server's (UTC here); a day either way elsewhere.
        let soon = ["In 2 days", "In 3 days", "In 4 days"].iter().any(|d| upcoming.contains(d));
        if !soon || !upcoming.contains(&turns) {
            return Err(format!("upcoming birthdays show {upcoming:?}"));
        }
        b.wait_for_text(".people-results", "ada@example.org").await?;

        // The location now says one person is linked.
        b.goto(&format!("{base}/locations")).await?;
        b.wait_idle().await?;
        b.wait_for_text(".location-results", "1 person linked").await?;
        // Deleting asks first and says who would be unlinked; cancelling keeps it.
        b.click(&b.find_text("button", "Delete").await?).await?;
        b.wait_for_text("dialog .loses", "1 person is linked to it and will be unlinked").await?;
        b.click(&b.find("dialog button.cancel").await?).await?;
        b.wait_for_text(".location-results", "Corner café").await?;

        for path in ["/people", "/locations"] {
            b.set_window_size(390, 844).await?;
            b.goto(&format!("{base}{path}")).await?;
            b.find("h1").await?;
            b.wait_idle().await?;
            picture(b, &format!("390{}", path.replace('/', "-"))).await;
            if let Some(wide) = overflow(b).await? {
                return Err(format!("{path} at 390 px: {wide}"));
            }
        }
        Ok(())
    })
    .await;
}
