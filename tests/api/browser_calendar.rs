//! The Calendar section in headless Chromium: a weekly event made by click-dragging in the
//! week view, one occurrence dragged to another time ("this event" only), both seen in the
//! month view; an event's end dragged later by its bottom edge; dates in words in the order
//! of the user's date-format setting; a calendar shared with a
//! connection who accepts it and then sees it and its events; the keyboard; and no sideways
//! scrolling on a phone.

use serde_json::{Value, json};

use crate::browser::{browser, overflow, picture, run, set_up_admin, sign_in, sign_out};
use crate::harness::PASSWORD;
use crate::live::{LiveServer, pinned_client};
use crate::webdriver::Browser;

/// Drags with synthetic pointer events (what the views listen to) from the point `from` to
/// `to`, both `[x, y]` relative to the element's top-left corner.
async fn drag(b: &Browser, css: &str, from: [f64; 2], to: [f64; 2]) -> Result<(), String> {
    b.find(css).await?;
    let done = b
        .execute(
            "const [css, from, to] = arguments;
             const el = document.querySelector(css);
             if (!el) return 'missing';
             const r = el.getBoundingClientRect();
             const at = (p) => ({ clientX: r.left + p[0], clientY: r.top + p[1], pointerId: 7, button: 0, isPrimary: true, bubbles: true });
             el.dispatchEvent(new PointerEvent('pointerdown', at(from)));
             const mid = [(from[0] + to[0]) / 2, (from[1] + to[1]) / 2];
             el.dispatchEvent(new PointerEvent('pointermove', at(mid)));
             el.dispatchEvent(new PointerEvent('pointermove', at(to)));
             el.dispatchEvent(new PointerEvent('pointerup', at(to)));
             return 'ok';",
            json!([css, from, to]),
        )
        .await?;
    if done != json!("ok") {
        return Err(format!("{css}: nothing to drag"));
    }
    Ok(())
}

/// Sets a form control's value as a person would leave it (input and change events).
async fn set_value(b: &Browser, css: &str, value: &str) -> Result<(), String> {
    b.find(css).await?;
    b.execute(
        "const el = document.querySelector(arguments[0]); el.value = arguments[1];
         el.dispatchEvent(new Event('input', { bubbles: true })); el.dispatchEvent(new Event('change', { bubbles: true }));",
        json!([css, value]),
    )
    .await
    .map(drop)
}

async fn value_of(b: &Browser, css: &str) -> Result<String, String> {
    let value = b.execute("return document.querySelector(arguments[0])?.value ?? null", json!([css])).await?;
    value.as_str().map(str::to_string).ok_or_else(|| format!("{css}: no value"))
}

/// Waits (up to 20 s) until the field's value is no longer `before`; gives the new value, or
/// `before` when it never changed.
async fn value_changed(b: &Browser, css: &str, before: &str) -> Result<String, String> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let value = value_of(b, css).await?;
        if value != before || std::time::Instant::now() > deadline {
            return Ok(value);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// What the month view shows in the cell of `day` (its items' texts).
async fn month_cell(b: &Browser, day: &str) -> Result<Vec<String>, String> {
    let texts = b
        .execute(
            "return [...document.querySelectorAll(`.month-day[data-day='${arguments[0]}'] .cal-item`)].map((e) => e.textContent)",
            json!([day]),
        )
        .await?;
    Ok(texts.as_array().cloned().unwrap_or_default().iter().filter_map(|t| t.as_str().map(str::to_string)).collect())
}

/// Waits for the calendar page's current load to finish.
async fn settled(b: &Browser) -> Result<(), String> {
    b.find(".cal-main:not([aria-busy])").await?;
    b.wait_idle().await
}

#[tokio::test]
async fn a_weekly_event_made_in_the_week_view_and_one_moved_occurrence_show_in_the_month() {
    let Some(browser) = browser().await else { return };
    let server = crate::live::serve_https(|_| {}).await;
    let code = umbra::auth::setup_code::current(server.db.pool()).await.unwrap().unwrap();
    let base = server.base.clone();
    run("calendar-weekly", browser, async |b| {
        set_up_admin(b, &base, &code).await?;
        b.goto(&format!("{base}/calendar/week/2030-01-07")).await?;
        b.wait_for_text("#cal-period", "7 Jan 2030").await?;
        settled(b).await?;

        // Click-drag from 09:00 to 10:00 on Monday opens the new event with that span.
        let hour = 48.0;
        drag(b, ".day-col[data-day='2030-01-07']", [20.0, 9.0 * hour + 2.0], [20.0, 10.0 * hour]).await?;
        b.find("#event-title").await?;
        let span = [value_of(b, "#event-start").await?, value_of(b, "#event-end").await?];
        if span != ["2030-01-07T09:00", "2030-01-07T10:00"] {
            return Err(format!("the drag made {span:?}"));
        }
        b.type_into("#event-title", "Standup").await?;
        set_value(b, "#event-repeat", "WEEKLY").await?;
        if value_of(b, "#event-rrule").await? != "FREQ=WEEKLY" {
            return Err(format!("the builder wrote {:?}", value_of(b, "#event-rrule").await?));
        }
        picture(b, "calendar-new-event").await;
        b.click(&b.find("#event-save").await?).await?;
        b.wait_for_text(".toasts", "Created “Standup”").await?;
        settled(b).await?;
        b.wait_for_text(".day-col[data-day='2030-01-07']", "Standup").await?;

        // The next week: the occurrence is there; dragged two hours later, for this one only.
        b.press("\u{e014}").await?;
        b.wait_for_text("#cal-period", "14 Jan 2030").await?;
        settled(b).await?;
        let block = ".day-col[data-day='2030-01-14'] .cal-item[data-title='Standup']";
        b.wait_for_text(block, "09:00").await?;
        drag(b, block, [10.0, 10.0], [10.0, 10.0 + 2.0 * hour]).await?;
        b.find("dialog.scope-dialog").await?;
        picture(b, "calendar-scope").await;
        b.click(&b.find("dialog.scope-dialog button[data-scope='this']").await?).await?;
        b.wait_for_text(".toasts", "Moved “Standup”").await?;
        settled(b).await?;
        b.wait_for_text(block, "11:00").await?;

        // The month: the moved occurrence at 11:00, the others still at 09:00.
        b.press("m").await?;
        b.wait_for_text("#cal-period", "January 2030").await?;
        settled(b).await?;
        picture(b, "calendar-month").await;
        for (day, shown) in
            [("2030-01-07", "09:00"), ("2030-01-14", "11:00"), ("2030-01-21", "09:00"), ("2030-01-28", "09:00")]
        {
            let cell = month_cell(b, day).await?;
            if cell != [format!("{shown}Standup")] {
                return Err(format!("{day} shows {cell:?}, not Standup at {shown}"));
            }
        }
        for day in ["2030-01-08", "2030-01-15"] {
            if !month_cell(b, day).await?.is_empty() {
                return Err(format!("{day} shows an event that does not happen then"));
            }
        }

        // The agenda lists the same from the 14th on; the series' other days are untouched.
        b.press("a").await?;
        settled(b).await?;
        b.wait_for_text(".agenda-day[data-day='2030-01-14']", "11:00–12:00").await?;
        b.wait_for_text(".agenda-day[data-day='2030-01-21']", "09:00–10:00").await?;

        // A phone: no view scrolls sideways, nor the event dialog.
        b.set_window_size(390, 844).await?;
        for view in ["month", "week", "day", "agenda"] {
            b.goto(&format!("{base}/calendar/{view}/2030-01-14")).await?;
            settled(b).await?;
            picture(b, &format!("calendar-390-{view}")).await;
            if let Some(wide) = overflow(b).await? {
                return Err(format!("/calendar/{view} at 390 px: {wide}"));
            }
        }
        b.goto(&format!("{base}/calendar/invitations")).await?;
        b.wait_for_text("h1", "Invitations").await?;
        b.wait_idle().await?;
        if let Some(wide) = overflow(b).await? {
            return Err(format!("/calendar/invitations at 390 px: {wide}"));
        }
        b.goto(&format!("{base}/calendar/week/2030-01-14")).await?;
        settled(b).await?;
        b.press("n").await?;
        b.find("#event-title").await?;
        picture(b, "calendar-390-dialog").await;
        if let Some(wide) = overflow(b).await? {
            return Err(format!("the event dialog at 390 px: {wide}"));
        }
        Ok(())
    })
    .await;
}

async fn create_user(db: &umbra::db::Db, username: &str) {
    use umbra::auth::password::PasswordHasher;
    let hasher = PasswordHasher::new(crate::harness::cheap_argon2()).unwrap();
    let hash = hasher.hash(&umbra::domain::password_policy::check(PASSWORD, username).unwrap()).await.unwrap();
    let name = umbra::domain::username::Username::parse(username).unwrap();
    let now = umbra::domain::time::UtcMillis::now();
    umbra::db::users::create(db.pool(), &name, &hash, umbra::domain::role::Role::Standard, now).await.unwrap();
}

/// A client signed in as `username` (for what the test sets up without the UI).
async fn signed_in(server: &LiveServer, username: &str) -> reqwest::Client {
    let client = pinned_client(&server.cert_pem);
    let response = client
        .post(server.url("/api/auth/login"))
        .header("X-Requested-With", "XMLHttpRequest")
        .json(&json!({"username": username, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{username} signs in: {}", response.status());
    client
}

async fn call(server: &LiveServer, client: &reqwest::Client, method: &str, path: &str, body: Value) -> Value {
    let request = match method {
        "GET" => client.get(server.url(path)),
        "PATCH" => client.patch(server.url(path)).json(&body),
        _ => client.post(server.url(path)).json(&body),
    };
    let response = request.header("X-Requested-With", "XMLHttpRequest").send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    assert!(status.is_success(), "{method} {path}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

#[tokio::test]
async fn an_event_resized_by_its_edge_and_by_keys_then_moved_by_keys() {
    let Some(browser) = browser().await else { return };
    let server = crate::live::serve_https(|_| {}).await;
    let code = umbra::auth::setup_code::current(server.db.pool()).await.unwrap().unwrap();
    let base = server.base.clone();
    let server = &server;
    run("calendar-resize", browser, async |b| {
        set_up_admin(b, &base, &code).await?;
        let admin = signed_in(server, "admin").await;
        let made = call(
            server,
            &admin,
            "POST",
            "/api/events",
            json!({"title": "Review", "start": "2030-01-09T09:00:00Z", "end": "2030-01-09T10:00:00Z"}),
        )
        .await;
        let id = made["id"].as_i64().expect("the event has an id");
        b.goto(&format!("{base}/calendar/week/2030-01-07")).await?;
        settled(b).await?;
        let block = ".day-col .cal-item[data-title='Review']";
        b.find(block).await?;

        // Two grid steps (15 minutes each, 48 px an hour) down from the bottom edge.
        let step = 48.0 / 4.0;
        drag(b, &format!("{block} .resize-edge"), [10.0, 3.0], [10.0, 3.0 + 2.0 * step]).await?;
        b.wait_for_text(".toasts", "Changed the end of “Review”").await?;
        settled(b).await?;
        let event = call(server, &admin, "GET", &format!("/api/events/{id}"), Value::Null).await;
        let (start, end) = (event["start"].as_str().unwrap_or_default(), event["end"].as_str().unwrap_or_default());
        if start != made["start"].as_str().unwrap_or_default() || !end.starts_with("2030-01-09T10:30:00") {
            return Err(format!("after the resize the event runs {start} – {end}, not 09:00 – 10:30 UTC"));
        }

        // The keyboard's way: Shift+↑ on the focused block ends it a step earlier; the block
        // keeps focus, so a second Shift+↑ goes on from there.
        b.execute("document.querySelector(arguments[0]).focus()", json!([block])).await?;
        for _ in 0..2 {
            b.press_with("\u{e008}", "\u{e013}").await?;
            b.wait_for_text(".toasts", "Changed the end of “Review”").await?;
            settled(b).await?;
        }
        let event = call(server, &admin, "GET", &format!("/api/events/{id}"), Value::Null).await;
        let (start, end) = (event["start"].as_str().unwrap_or_default(), event["end"].as_str().unwrap_or_default());
        if start != made["start"].as_str().unwrap_or_default() || !end.starts_with("2030-01-09T10:00:00") {
            return Err(format!("after Shift+↑ twice the event runs {start} – {end}, not 09:00 – 10:00 UTC"));
        }

        // Moving has keys too: Alt+↓ starts it a step later, Alt+→ on the next day; the moved
        // block keeps focus, so the second key reaches it.
        b.press_with("\u{e00a}", "\u{e015}").await?;
        b.wait_for_text(".toasts", "Moved “Review”").await?;
        settled(b).await?;
        b.find(&format!("{block}:focus")).await?;
        b.press_with("\u{e00a}", "\u{e014}").await?;
        b.find(".day-col[data-day='2030-01-10'] .cal-item[data-title='Review']:focus").await?;
        settled(b).await?;
        let event = call(server, &admin, "GET", &format!("/api/events/{id}"), Value::Null).await;
        let (start, end) = (event["start"].as_str().unwrap_or_default(), event["end"].as_str().unwrap_or_default());
        if !start.starts_with("2030-01-10T09:15:00") || !end.starts_with("2030-01-10T10:15:00") {
            return Err(format!(
                "after Alt+↓ and Alt+→ the event runs {start} – {end}, not 09:15 – 10:15 UTC on the 10th"
            ));
        }
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn dates_in_words_follow_the_date_format_setting() {
    let Some(browser) = browser().await else { return };
    let server = crate::live::serve_https(|_| {}).await;
    let code = umbra::auth::setup_code::current(server.db.pool()).await.unwrap().unwrap();
    let base = server.base.clone();
    let server = &server;
    run("calendar-date-format", browser, async |b| {
        set_up_admin(b, &base, &code).await?;
        let admin = signed_in(server, "admin").await;
        let event = json!({"title": "Dentist", "start": "2030-03-04T12:00:00Z", "end": "2030-03-04T13:00:00Z"});
        call(server, &admin, "POST", "/api/events", event).await;

        // Month before day (mdy): the agenda's heading, the period, the event's accessible
        // name (the same words as the read-only event dialog's "When").
        call(server, &admin, "PATCH", "/api/settings", json!({"date_format": "mdy"})).await;
        b.goto(&format!("{base}/calendar/agenda/2030-03-04")).await?;
        settled(b).await?;
        b.wait_for_text(".agenda-day[data-day='2030-03-04'] h3", "Monday, March 4, 2030").await?;
        b.wait_for_text("#cal-period", "Mar 4, 2030 – Apr 2, 2030").await?;
        let name = b
            .execute("return document.querySelector(\".agenda-day[data-day='2030-03-04'] .agenda-link\").getAttribute('aria-label')", json!([]))
            .await?;
        if !name.as_str().unwrap_or_default().contains("Monday, March 4, 2030") {
            return Err(format!("the event is named {name}"));
        }
        b.goto(&format!("{base}/calendar/week/2030-03-04")).await?;
        settled(b).await?;
        b.wait_for_text("#cal-period", "Mar 4, 2030 – Mar 10, 2030").await?;

        // Day before month (dmy), as the week header also read before the setting was made.
        call(server, &admin, "PATCH", "/api/settings", json!({"date_format": "dmy"})).await;
        b.goto(&format!("{base}/calendar/agenda/2030-03-04")).await?;
        settled(b).await?;
        let heading = b.wait_for_text(".agenda-day[data-day='2030-03-04'] h3", "4 March 2030").await?;
        if !heading.starts_with("Monday") {
            return Err(format!("the agenda's heading reads {heading:?}"));
        }
        b.wait_for_text("#cal-period", "4 Mar 2030 – 2 Apr 2030").await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_shared_calendar_shows_for_the_connection_once_accepted() {
    let Some(browser) = browser().await else { return };
    let server = crate::live::serve_https(|_| {}).await;
    let code = umbra::auth::setup_code::current(server.db.pool()).await.unwrap().unwrap();
    let base = server.base.clone();
    let server = &server;
    run("calendar-share", browser, async |b| {
        set_up_admin(b, &base, &code).await?;
        create_user(&server.db, "bob").await;
        // admin and bob are connected (the Connections page has its own browser test).
        let admin = signed_in(server, "admin").await;
        let bob = signed_in(server, "bob").await;
        call(server, &admin, "POST", "/api/connections", json!({"username": "bob"})).await;
        let requests = call(server, &bob, "GET", "/api/connections/requests?direction=incoming", Value::Null).await;
        let id = requests["items"][0]["id"].as_i64().expect("bob has the request");
        call(server, &bob, "POST", &format!("/api/connections/requests/{id}/accept"), Value::Null).await;

        // The admin adds an event with `n`, then shares Personal with bob to read.
        b.goto(&format!("{base}/calendar/day/2030-02-01")).await?;
        settled(b).await?;
        b.press("n").await?;
        b.type_into("#event-title", "Family dinner").await?;
        set_value(b, "#event-start", "2030-02-01T18:00").await?;
        set_value(b, "#event-end", "2030-02-01T20:00").await?;
        b.click(&b.find("#event-save").await?).await?;
        b.wait_for_text(".toasts", "Created “Family dinner”").await?;
        settled(b).await?;
        b.wait_for_text(".day-col[data-day='2030-02-01']", "Family dinner").await?;

        // Hiding the calendar hides its events, also after a reload (a saved preference).
        b.click(&b.find(".cal-row[data-name='Personal'] .cal-show").await?).await?;
        b.wait_idle().await?;
        if b.text(".cal-main").await?.contains("Family dinner") {
            return Err("a hidden calendar's event is still shown".into());
        }
        b.goto(&format!("{base}/calendar/day/2030-02-01")).await?;
        settled(b).await?;
        let shown = b.execute("return document.querySelector('.cal-row .cal-show').checked", json!([])).await?;
        if shown != json!(false) || b.text(".cal-main").await?.contains("Family dinner") {
            return Err("the hidden calendar is shown again after a reload".into());
        }
        b.click(&b.find(".cal-row[data-name='Personal'] .cal-show").await?).await?;
        b.wait_for_text(".day-col[data-day='2030-02-01']", "Family dinner").await?;
        b.wait_idle().await?;

        b.click(&b.find("button[aria-label='Actions for Personal']").await?).await?;
        b.click(&b.find_text("div[@role='menu' and not(@hidden)]/button", "Share…").await?).await?;
        b.find("#share-username").await?;
        set_value(b, "#share-level", "read").await?;
        b.click(&b.find("#share-submit").await?).await?;
        b.wait_for_text(".share-list", "bob").await?;
        b.wait_for_text(".share-list", "not accepted yet").await?;
        picture(b, "calendar-share-dialog").await;
        b.click(&b.find_text("dialog//button", "Done").await?).await?;

        // bob: nothing before accepting; the offer waits in the inbox; then it is his to see.
        sign_out(b).await?;
        sign_in(b, "bob", PASSWORD).await?;
        b.find(".user-button").await?;
        b.goto(&format!("{base}/calendar/day/2030-02-01")).await?;
        settled(b).await?;
        b.wait_for_text(".invites-link", "Invitations (1)").await?;
        if b.text(".cal-main").await?.contains("Family dinner") {
            return Err("bob sees the event before accepting".into());
        }
        b.click(&b.find(".invites-link").await?).await?;
        b.wait_for_text(".share-offer", "Personal").await?;
        b.wait_for_text(".share-offer", "admin").await?;
        picture(b, "calendar-invitations").await;
        b.click(&b.find_text("li[contains(@class,'share-offer')]//button", "Accept").await?).await?;
        b.wait_for_text(".toasts", "is now in your calendars").await?;
        b.goto(&format!("{base}/calendar/day/2030-02-01")).await?;
        settled(b).await?;
        b.wait_for_text(".cal-panel", "admin").await?;
        let rows = b.execute("return document.querySelectorAll('.cal-row').length", json!([])).await?;
        if rows != json!(2) {
            return Err(format!("bob's calendar list has {rows} rows, not his own and the shared one"));
        }
        b.wait_for_text(".day-col[data-day='2030-02-01']", "Family dinner").await?;
        // A read share: the event opens read-only.
        b.click(&b.find(".cal-item[data-title='Family dinner']").await?).await?;
        b.wait_for_text("dialog.event-dialog", "You can see this event but not change it.").await?;
        let save =
            b.execute("return document.querySelector('dialog.event-dialog #event-save') !== null", json!([])).await?;
        if save != json!(false) {
            return Err("a read-only event offers Save".into());
        }
        Ok(())
    })
    .await;
}

/// The texts of the agenda's items on `day`.
async fn agenda_day(b: &Browser, day: &str) -> Result<Vec<String>, String> {
    let texts = b
        .execute(
            "return [...document.querySelectorAll(`.agenda-day[data-day='${arguments[0]}'] .agenda-link`)].map((e) => e.textContent)",
            json!([day]),
        )
        .await?;
    Ok(texts.as_array().cloned().unwrap_or_default().iter().filter_map(|t| t.as_str().map(str::to_string)).collect())
}

#[tokio::test]
async fn a_series_edited_from_one_occurrence_on_and_one_deleted_and_an_all_day_event() {
    let Some(browser) = browser().await else { return };
    let server = crate::live::serve_https(|_| {}).await;
    let code = umbra::auth::setup_code::current(server.db.pool()).await.unwrap().unwrap();
    let base = server.base.clone();
    run("calendar-scopes", browser, async |b| {
        set_up_admin(b, &base, &code).await?;
        b.goto(&format!("{base}/calendar/agenda/2030-03-04")).await?;
        settled(b).await?;
        b.wait_for_text(".cal-main", "Nothing planned").await?;

        // A daily series of five from Monday 4 March, made with `n` and the builder.
        b.press("n").await?;
        b.type_into("#event-title", "Run").await?;
        set_value(b, "#event-start", "2030-03-04T07:00").await?;
        set_value(b, "#event-end", "2030-03-04T08:00").await?;
        set_value(b, "#event-repeat", "DAILY").await?;
        set_value(b, "#event-ends", "count").await?;
        set_value(b, "#event-count", "5").await?;
        if value_of(b, "#event-rrule").await? != "FREQ=DAILY;COUNT=5" {
            return Err(format!("the builder wrote {:?}", value_of(b, "#event-rrule").await?));
        }
        b.click(&b.find("#event-save").await?).await?;
        b.wait_for_text(".toasts", "Created “Run”").await?;
        settled(b).await?;
        b.wait_for_text(".agenda-day[data-day='2030-03-08']", "Run").await?;

        // From Wednesday on it is called "Long run" ("this and following").
        b.click(&b.find(".agenda-day[data-day='2030-03-06'] .agenda-link").await?).await?;
        b.find("#event-title").await?;
        if value_of(b, "#event-start").await? != "2030-03-06T07:00" {
            return Err(format!("the occurrence opened at {:?}", value_of(b, "#event-start").await?));
        }
        set_value(b, "#event-title", "Long run").await?;
        b.click(&b.find("#event-save").await?).await?;
        b.click(&b.find("dialog.scope-dialog button[data-scope='following']").await?).await?;
        b.wait_for_text(".toasts", "Saved “Long run”").await?;
        settled(b).await?;
        b.wait_for_text(".agenda-day[data-day='2030-03-08']", "Long run").await?;

        // Thursday's occurrence alone is deleted ("this event").
        b.click(&b.find(".agenda-day[data-day='2030-03-07'] .agenda-link").await?).await?;
        b.click(&b.find("#event-delete").await?).await?;
        b.click(&b.find("dialog.scope-dialog button[data-scope='this']").await?).await?;
        b.wait_for_text(".toasts", "Deleted “Long run”").await?;
        settled(b).await?;
        let shown: Vec<Vec<String>> = {
            let mut all = Vec::new();
            for day in ["2030-03-04", "2030-03-05", "2030-03-06", "2030-03-07", "2030-03-08", "2030-03-09"] {
                all.push(agenda_day(b, day).await?);
            }
            all
        };
        let expected: Vec<Vec<String>> = [
            vec!["07:00–08:00Run"],
            vec!["07:00–08:00Run"],
            vec!["07:00–08:00Long run"],
            vec![],
            vec!["07:00–08:00Long run"],
            vec![],
        ]
        .iter()
        .map(|d| d.iter().map(ToString::to_string).collect())
        .collect();
        if shown != expected {
            return Err(format!("the agenda shows {shown:?}"));
        }

        // An all-day event over two days sits in the week view's all-day row on both.
        b.press("w").await?;
        settled(b).await?;
        b.press("n").await?;
        b.type_into("#event-title", "Trip").await?;
        b.click(&b.find("#event-all-day").await?).await?;
        set_value(b, "#event-start-date", "2030-03-09").await?;
        set_value(b, "#event-end-date", "2030-03-10").await?;
        b.click(&b.find("#event-save").await?).await?;
        b.wait_for_text(".toasts", "Created “Trip”").await?;
        settled(b).await?;
        for day in ["2030-03-09", "2030-03-10"] {
            b.wait_for_text(&format!(".allday-cell[data-day='{day}']"), "Trip").await?;
        }
        let columns = b
            .execute("return document.querySelectorAll('.day-col .cal-item[data-title=Trip]').length", json!([]))
            .await?;
        if columns != json!(0) {
            return Err("an all-day event is drawn among the hours".into());
        }
        picture(b, "calendar-scopes-week").await;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn the_feed_url_is_made_copied_and_regenerated_and_an_ics_file_imports_with_a_report() {
    let Some(browser) = browser().await else { return };
    let server = crate::live::serve_https(|_| {}).await;
    let code = umbra::auth::setup_code::current(server.db.pool()).await.unwrap().unwrap();
    let base = server.base.clone();
    let anonymous = pinned_client(&server.cert_pem);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("club.ics");
    std::fs::write(
        &file,
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:club-1@example.com\r\n\
         DTSTAMP:20300101T000000Z\r\nDTSTART:20300305T180000Z\r\nDTEND:20300305T190000Z\r\nSUMMARY:Chess club\r\n\
         END:VEVENT\r\nBEGIN:VTODO\r\nUID:todo-1@example.com\r\nDTSTAMP:20300101T000000Z\r\nSUMMARY:Buy board\r\n\
         END:VTODO\r\nEND:VCALENDAR\r\n",
    )
    .unwrap();
    run("calendar-ics", browser, async |b| {
        set_up_admin(b, &base, &code).await?;
        b.goto(&format!("{base}/calendar/agenda/2030-03-01")).await?;
        settled(b).await?;
        let open_menu = async |item: &str| -> Result<(), String> {
            b.click(&b.find("button[aria-label='Actions for Personal']").await?).await?;
            b.click(&b.find_text("div[@role='menu' and not(@hidden)]/button", item).await?).await
        };

        // The feed: made, served without a session, then replaced (the old URL stops at once).
        open_menu("Feed URL…").await?;
        b.wait_for_text("dialog", "No feed yet").await?;
        b.click(&b.find("#feed-make").await?).await?;
        b.find("#feed-url").await?;
        let first = value_of(b, "#feed-url").await?;
        // The URL names the configured public address; this server listens elsewhere.
        let here = |url: &str| url.find("/ics/").map(|at| format!("{base}{}", &url[at..])).unwrap_or_default();
        let fetched = anonymous.get(here(&first)).send().await.map_err(|e| e.to_string())?;
        if fetched.status() != 200 || !fetched.text().await.unwrap_or_default().contains("BEGIN:VCALENDAR") {
            return Err(format!("the feed URL {first} does not serve the calendar"));
        }
        b.wait_for_text("dialog", "Shown only now").await?;
        b.click(&b.find("#feed-make").await?).await?;
        b.click(&b.find("dialog button.confirm").await?).await?;
        // The request starts once the confirmation has closed, so `wait_idle` alone may look
        // too early: wait for the field to change.
        let second = value_changed(b, "#feed-url", &first).await?;
        if second == first {
            return Err("regenerating gave the same URL".into());
        }
        let old = anonymous.get(here(&first)).send().await.map_err(|e| e.to_string())?.status();
        if old != 404 {
            return Err(format!("the old feed URL answers {old}"));
        }
        picture(b, "calendar-feed").await;
        b.click(&b.find_text("dialog//button", "Done").await?).await?;

        // Import: the report counts the event and names what was not imported.
        open_menu("Import .ics…").await?;
        b.type_into("input[type=file][aria-label='iCalendar file']", &file.display().to_string()).await?;
        b.wait_for_text("dialog .import-summary", "1 new").await?;
        b.wait_for_text("dialog .import-unsupported", "VTODO").await?;
        picture(b, "calendar-import-report").await;
        b.click(&b.find_text("dialog//button", "Done").await?).await?;
        settled(b).await?;
        b.wait_for_text(".agenda-day[data-day='2030-03-05']", "Chess club").await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_calendar_too_full_for_the_window_does_not_hide_the_others() {
    let Some(browser) = browser().await else { return };
    let server = crate::live::serve_https(|_| {}).await;
    let code = umbra::auth::setup_code::current(server.db.pool()).await.unwrap().unwrap();
    let base = server.base.clone();
    let server = &server;
    run("calendar-too-full", browser, async |b| {
        set_up_admin(b, &base, &code).await?;
        let admin = signed_in(server, "admin").await;
        let event = json!({"title": "Dentist", "start": "2030-03-05T12:00:00Z", "end": "2030-03-05T13:00:00Z"});
        call(server, &admin, "POST", "/api/events", event).await;
        let flood = call(server, &admin, "POST", "/api/calendars", json!({"name": "Flood", "colour": "#aa3300"})).await;
        // 720 daily series: 5,040 occurrences in a week, past the range read's 5,000 (written
        // straight into the table, as through the API it would take minutes).
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 719) \
             INSERT INTO events (calendar_id, uid, title, timezone, start_at, end_at, recurrence, span_start, \
             span_end, created_by, created_at, updated_at) \
             SELECT $1, 'flood-' || CAST(i AS TEXT), 'Flood', 'UTC', $2 + i * 60000, $2 + i * 60000 + 60000, \
                    'FREQ=DAILY', $2 + i * 60000, NULL, 1, 0, 0 FROM n",
        )
        .bind(flood["id"].as_i64().unwrap_or_default())
        .bind(1_893_715_200_000_i64) // 2030-01-04T00:00:00Z
        .execute(server.db.pool())
        .await
        .map_err(|e| e.to_string())?;
        b.goto(&format!("{base}/calendar/week/2030-03-04")).await?;
        settled(b).await?;
        b.wait_for_text(".cal-notice", "Too many events in this period to show: Flood").await?;
        b.wait_for_text(".cal-main", "Dentist").await?;
        picture(b, "calendar-too-full").await;
        Ok(())
    })
    .await;
}
