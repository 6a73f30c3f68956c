//! The Reminders section in headless Chromium: add a reminder, snooze it by an hour, mark
//! another done (it moves to the Done tab), and nothing scrolls sideways on a phone.

use crate::browser::{browser, overflow, picture, run, set_up_admin};
use crate::webdriver::Browser;

/// Adds a reminder through the form, at the time it proposes (the next full hour).
async fn add(b: &Browser, title: &str) -> Result<(), String> {
    b.click(&b.find_text("button", "New reminder").await?).await?;
    b.type_into("dialog input[name=title]", title).await?;
    b.click(&b.find_text("button", "Add reminder").await?).await?;
    b.find_text("strong", title).await?;
    b.wait_idle().await
}

/// The element of `css` (an XPath step) with `text`, inside the row of the reminder `title`.
async fn in_row(b: &Browser, title: &str, css: &str, text: &str) -> Result<String, String> {
    b.find_text(&format!("li[.//strong[normalize-space(.)='{title}']]//{css}"), text).await
}

#[tokio::test]
async fn add_snooze_and_complete_reminders() {
    let Some(browser) = browser().await else { return };
    let server = serve().await;
    let code = umbra::auth::setup_code::current(server.db.pool()).await.unwrap().unwrap();
    let base = server.base.clone();
    let pool = server.db.pool().clone();
    run("reminders", browser, async |b| {
        set_up_admin(b, &base, &code).await?;
        b.click(&b.find(".sidebar a[href='/reminders']").await?).await?;
        b.wait_for_text(".empty-state", "Nothing coming up").await?;

        add(b, "Water the plants").await?;
        let shown = b.text(".reminder-when").await?;
        if !(shown.starts_with("in ") || shown.starts_with("now")) {
            return Err(format!("the time shows {shown:?}"));
        }
        // Snooze by an hour: the server's snoozed_until is an hour from now, the row says so.
        b.click(&in_row(b, "Water the plants", "button", "Snooze").await?).await?;
        b.click(&b.find_text("button", "1 hour").await?).await?;
        // The list is drawn again once the snooze is answered: read it after that, not during.
        b.wait_idle().await?;
        b.wait_for_text(".reminder .badges", "Snoozed").await?;
        let now = chrono::Utc::now().timestamp_millis();
        let snoozed: Option<i64> =
            sqlx::query_scalar("SELECT snoozed_until FROM reminders WHERE title = 'Water the plants'")
                .fetch_one(&pool)
                .await
                .map_err(|e| e.to_string())?;
        let seconds = (snoozed.ok_or("not snoozed")? - now) / 1000;
        if !(58 * 60..=3600).contains(&seconds) {
            return Err(format!("snoozed for {seconds} s, not an hour"));
        }
        b.wait_for_text(".reminder-when", "in 1 h").await?;
        picture(b, "reminders-snoozed").await;

        // Edited through its menu: a new title, the same time, so the snooze stays.
        b.click(&b.find("li.reminder button[aria-label^='More actions']").await?).await?;
        b.click(&b.find_text("button", "Edit").await?).await?;
        let title = b.find("dialog input[name=title]").await?;
        b.command_clear(&title).await?;
        b.type_into("dialog input[name=title]", "Water the ferns").await?;
        b.click(&b.find_text("button", "Save").await?).await?;
        b.find_text("strong", "Water the ferns").await?;
        b.wait_idle().await?;
        b.wait_for_text(".reminder .badges", "Snoozed").await?;

        // Another one, marked done: it leaves Upcoming and shows under Done.
        add(b, "Call mum").await?;
        b.click(&in_row(b, "Call mum", "button", "Done").await?).await?;
        b.wait_idle().await?;
        let upcoming = b.text(".reminder-list").await?;
        if upcoming.contains("Call mum") || !upcoming.contains("Water the ferns") {
            return Err(format!("Upcoming shows {upcoming:?}"));
        }
        b.click(&b.find(".tabs a[href='/reminders/done']").await?).await?;
        b.wait_idle().await?;
        b.wait_for_text(".reminder-list", "Call mum").await?;

        // A phone: neither tab scrolls sideways, nor an open snooze menu.
        b.set_window_size(390, 844).await?;
        b.wait_idle().await?;
        if let Some(wide) = overflow(b).await? {
            return Err(format!("Done tab at 390 px: {wide}"));
        }
        picture(b, "reminders-done-phone").await;
        b.goto(&format!("{base}/reminders")).await?;
        b.find_text("strong", "Water the ferns").await?;
        b.wait_idle().await?;
        b.click(&in_row(b, "Water the ferns", "button", "Snooze").await?).await?;
        b.find_text("button", "Tomorrow 09:00").await?;
        if let Some(wide) = overflow(b).await? {
            return Err(format!("Upcoming at 390 px: {wide}"));
        }
        picture(b, "reminders-snooze-menu-phone").await;
        // The form, on a phone too.
        b.press("\u{e00c}").await?;
        b.click(&b.find_text("button", "New reminder").await?).await?;
        b.find("dialog input[name=title]").await?;
        if let Some(wide) = overflow(b).await? {
            return Err(format!("the form at 390 px: {wide}"));
        }
        picture(b, "reminders-form-phone").await;
        Ok(())
    })
    .await;
}

async fn serve() -> crate::live::LiveServer {
    crate::live::serve_https(|_| {}).await
}
