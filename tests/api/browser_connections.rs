//! Connections and the notification centre in headless Chromium: the admin asks bob to
//! connect by username; bob sees the bell's count and the notification, opens it and accepts
//! on the Connections page; the admin then sees the `connection_accepted` notification, and
//! both see each other among connected people. Nothing scrolls sideways on a phone.

use umbra::auth::password::PasswordHasher;
use umbra::domain::password_policy;
use umbra::domain::role::Role;
use umbra::domain::time::UtcMillis;
use umbra::domain::username::Username;

use crate::browser::{browser, overflow, picture, run, set_up_admin, sign_in, sign_out};
use crate::harness::{PASSWORD, cheap_argon2};
use crate::webdriver::Browser;

async fn create_user(db: &umbra::db::Db, username: &str) {
    let hasher = PasswordHasher::new(cheap_argon2()).unwrap();
    let hash = hasher.hash(&password_policy::check(PASSWORD, username).unwrap()).await.unwrap();
    umbra::db::users::create(db.pool(), &Username::parse(username).unwrap(), &hash, Role::Standard, UtcMillis::now())
        .await
        .unwrap();
}

/// Waits until the bell shows `count` unread.
async fn bell_shows(b: &Browser, count: u32) -> Result<(), String> {
    b.find(&format!("a.bell[data-count='{count}']")).await.map(drop)
}

/// The element of `css` (an XPath step) with `text`, inside the list row that names `who`.
async fn in_row(b: &Browser, who: &str, css: &str, text: &str) -> Result<String, String> {
    b.find_text(&format!("li[contains(@class,'connection-row')][.//*[normalize-space(.)='{who}']]//{css}"), text).await
}

#[tokio::test]
async fn ask_accept_and_both_are_told() {
    let Some(browser) = browser().await else { return };
    let server = crate::live::serve_https(|_| {}).await;
    let code = umbra::auth::setup_code::current(server.db.pool()).await.unwrap().unwrap();
    let base = server.base.clone();
    let db = server.db.clone();
    run("connections", browser, async |b| {
        set_up_admin(b, &base, &code).await?;
        // After the setup: while no account exists, the app asks for the setup code.
        create_user(&db, "bob").await;
        bell_shows(b, 0).await?;
        b.click(&b.find(".sidebar a[href='/connections']").await?).await?;
        b.wait_for_text(".connected-people", "not connected with anyone").await?;

        // Ask bob by his exact username: the answer is the same for any name.
        b.type_into(".send-request input[name=username]", "bob").await?;
        b.click(&b.find_text("button", "Send request").await?).await?;
        b.wait_for_text(".send-request .success", "If that user can receive a request").await?;
        b.wait_for_text(".outgoing-requests", "bob").await?;
        // A made-up name is listed exactly like bob (the name as typed, nothing more), and
        // can be withdrawn like any request.
        b.type_into(".send-request input[name=username]", "nobody-here").await?;
        b.click(&b.find_text("button", "Send request").await?).await?;
        b.wait_for_text(".outgoing-requests", "nobody-here").await?;
        picture(b, "connections-sent").await;
        b.click(&in_row(b, "nobody-here", "button", "Withdraw").await?).await?;
        b.click(&b.find("dialog button.confirm").await?).await?;
        b.wait_for_text(".toasts", "Request withdrawn").await?;

        // Bob: the bell counts one; the centre shows the request; opening it reads it.
        sign_out(b).await?;
        sign_in(b, "bob", PASSWORD).await?;
        bell_shows(b, 1).await?;
        if b.text("a.bell .bell-count").await? != "1" {
            return Err("the bell's badge does not say 1".into());
        }
        b.click(&b.find("a.bell").await?).await?;
        b.wait_for_text(".notification-list", "admin wants to connect").await?;
        picture(b, "notifications-unread").await;
        b.click(&b.find_text("li[contains(@class,'notification')]//a", "Open").await?).await?;
        b.wait_for_text(".incoming-requests", "admin").await?;
        bell_shows(b, 0).await?;
        if b.path().await? != "/connections" {
            return Err(format!("the link opened {}", b.path().await?));
        }
        b.click(&in_row(b, "admin", "button", "Accept").await?).await?;
        b.wait_for_text(".connected-people", "admin").await?;
        b.wait_for_text(".incoming-requests", "No one is waiting").await?;

        // The admin: told of the acceptance, and connected to bob.
        sign_out(b).await?;
        sign_in(b, "admin", PASSWORD).await?;
        bell_shows(b, 1).await?;
        b.click(&b.find("a.bell").await?).await?;
        b.wait_for_text(".notification-list", "bob accepted your request to connect").await?;
        b.click(&b.find_text("button", "Mark all read").await?).await?;
        bell_shows(b, 0).await?;
        b.click(&b.find(".sidebar a[href='/connections']").await?).await?;
        b.wait_for_text(".connected-people", "bob").await?;
        b.wait_for_text(".outgoing-requests", "No requests waiting").await?;

        // A phone: neither page scrolls sideways.
        b.set_window_size(390, 844).await?;
        for path in ["/connections", "/notifications"] {
            b.goto(&format!("{base}{path}")).await?;
            b.find("h1").await?;
            b.wait_idle().await?;
            if let Some(wide) = overflow(b).await? {
                return Err(format!("{path} scrolls sideways on a phone: {wide}"));
            }
            picture(b, &format!("phone{}", path.replace('/', "-"))).await;
        }
        Ok(())
    })
    .await;
}
