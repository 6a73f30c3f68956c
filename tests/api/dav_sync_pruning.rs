//! The cleanup job prunes DAV change logs past `CHANGE_LOG_RETENTION_DAYS`, for calendars and
//! for the todo and contact collections: a sync token from before what the log still holds
//! is refused with `valid-sync-token` (also when every entry was pruned), while a token from
//! after it keeps getting exact deltas. Time moves on the app's manual clock.

use umbra::domain::time::UtcMillis;
use umbra::jobs::cleanup::{self, CHANGE_LOG_RETENTION_DAYS};

use crate::dav_kit::{Dav, dav_user, default_calendar_id, entries, event_ics, sync_body, sync_token};
use crate::harness::{Persona, TestApp, app};

const DAY_MINUTES: i64 = 24 * 60;

async fn sync(dav: &Dav<'_>, collection: &str, token: &str) -> (Vec<String>, String) {
    let answer = dav.report(collection, &sync_body(token)).await;
    let found = entries(&answer).into_iter().map(|e| e.href).collect();
    (found, sync_token(&answer))
}

async fn run_cleanup(app: &TestApp) {
    let defaults = umbra::server::default_system_settings(&app.config);
    cleanup::run_once(&app.db, UtcMillis(app.clock.now_millis()), defaults).await.unwrap();
}

/// The three kinds of collection with a change log, and an object of each (made over DAV:
/// a client's app password outlives the months the clock moves here, a session does not).
enum Kind {
    Calendar,
    Todos,
    Contacts,
}

impl Kind {
    async fn collection(&self, persona: &Persona<'_>, dav: &Dav<'_>) -> String {
        match self {
            Kind::Calendar => dav.calendar(default_calendar_id(persona).await),
            Kind::Todos => format!("/dav/calendars/{}/todos/", dav.username),
            Kind::Contacts => format!("/dav/addressbooks/{}/contacts/", dav.username),
        }
    }

    /// Makes an object named after `uid`; returns its href.
    async fn make(&self, dav: &Dav<'_>, collection: &str, uid: &str) -> String {
        let (href, text) = match self {
            Kind::Calendar => {
                (format!("{collection}{uid}.ics"), event_ics(uid, uid, "20300110T100000Z", "20300110T110000Z"))
            }
            Kind::Todos => (
                format!("{collection}{uid}.ics"),
                format!(
                    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VTODO\r\nUID:{uid}\r\n\
                     DTSTAMP:20300101T000000Z\r\nSUMMARY:{uid}\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
                ),
            ),
            Kind::Contacts => (
                format!("{collection}{uid}.vcf"),
                format!("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:{uid}\r\nN:{uid};;;;\r\nEND:VCARD\r\n"),
            ),
        };
        let made = dav.put(&href, &text, &[]).await;
        assert_eq!(made.status, 201, "{}", made.body);
        href
    }
}

async fn a_token_older_than_the_pruned_log_is_refused(kind: Kind) {
    let app = app().await;
    let (persona, dav) = dav_user(&app, "ann").await;
    let collection = kind.collection(&persona, &dav).await;
    kind.make(&dav, &collection, "keep").await;
    let dropped = kind.make(&dav, &collection, "drop").await;
    let (everything, before) = sync(&dav, &collection, "").await;
    assert_eq!(dav.send("DELETE", &dropped, None, &[]).await.status, 204);
    let (gone, after) = sync(&dav, &collection, &before).await;
    assert_eq!(gone, std::slice::from_ref(&dropped));

    // Within the retention nothing is pruned: the old token still hears of the deletion.
    app.clock.advance_minutes((CHANGE_LOG_RETENTION_DAYS - 1) * DAY_MINUTES);
    run_cleanup(&app).await;
    assert_eq!(sync(&dav, &collection, &before).await.0, std::slice::from_ref(&dropped));

    // Past it every entry goes, the deletion with them: the old token must start over.
    app.clock.advance_minutes(2 * DAY_MINUTES);
    run_cleanup(&app).await;
    let refused = dav.report(&collection, &sync_body(&before)).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(refused.body.contains("valid-sync-token"), "{}", refused.body);

    // The token from after the deletion still gets exact deltas.
    let (nothing, same) = sync(&dav, &collection, &after).await;
    assert!(nothing.is_empty(), "{nothing:?}");
    assert_eq!(same, after);
    let new = kind.make(&dav, &collection, "new").await;
    assert_eq!(sync(&dav, &collection, &after).await.0, [new]);
    // And a full sync starts afresh: one gone, one new.
    assert_eq!(sync(&dav, &collection, "").await.0.len(), everything.len());
}

#[tokio::test]
async fn calendar_change_logs_are_pruned_and_old_tokens_refused() {
    a_token_older_than_the_pruned_log_is_refused(Kind::Calendar).await;
}

#[tokio::test]
async fn todo_change_logs_are_pruned_and_old_tokens_refused() {
    a_token_older_than_the_pruned_log_is_refused(Kind::Todos).await;
}

#[tokio::test]
async fn contact_change_logs_are_pruned_and_old_tokens_refused() {
    a_token_older_than_the_pruned_log_is_refused(Kind::Contacts).await;
}
