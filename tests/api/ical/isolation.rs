//! The 404 matrix for iCalendar routes: another user's calendar answers exactly like one that
//! does not exist, on every verb; no session is 401, a locked one 423, a missing CSRF header
//! 403; and nothing of the other user's calendar changes.

use rocket::http::Method;

use super::{GOOGLE, default_calendar, events_in, import_as};
use crate::harness::{Persona, Resp, app};

async fn send(user: &Persona<'_>, method: Method, path: &str) -> Resp {
    if path.ends_with("/import") {
        return import_as(user, path_id(path), GOOGLE, "text/calendar").await;
    }
    user.request(method, path, None, &[("X-Requested-With", "XMLHttpRequest")]).await
}

fn path_id(path: &str) -> i64 {
    path.split('/').nth(3).unwrap().parse().unwrap()
}

fn routes(calendar: i64) -> Vec<(Method, String)> {
    vec![
        (Method::Get, format!("/api/calendars/{calendar}/export.ics")),
        (Method::Post, format!("/api/calendars/{calendar}/import")),
        (Method::Get, format!("/api/calendars/{calendar}/feed")),
        (Method::Post, format!("/api/calendars/{calendar}/feed")),
        (Method::Delete, format!("/api/calendars/{calendar}/feed")),
    ]
}

/// The problem body without its request id.
fn problem(response: &Resp) -> String {
    let mut json = response.json();
    json.as_object_mut().unwrap().remove("instance");
    json.as_object_mut().unwrap().remove("request_id");
    json.to_string()
}

#[tokio::test]
async fn another_users_calendar_is_never_found() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let calendar = default_calendar(&app, "alice").await;
    crate::ical::import(&alice, calendar, GOOGLE).await;
    let feed =
        alice.post_empty(&format!("/api/calendars/{calendar}/feed")).await.json()["path"].as_str().unwrap().to_string();
    let missing = 9_999_999;
    for ((method, path), (_, nowhere)) in routes(calendar).into_iter().zip(routes(missing)) {
        let theirs = send(&bob, method, &path).await;
        let none = send(&bob, method, &nowhere).await;
        theirs.problem(404);
        assert_eq!(problem(&theirs), problem(&none), "{method} {path}");
        assert!(!theirs.body.contains("Climbing"));
    }
    assert_eq!(events_in(&app, calendar).await, 3, "Bob's import went nowhere");
    assert_eq!(app.anonymous().get(&feed).await.status, 200, "Bob's DELETE left Alice's feed");
}

#[tokio::test]
async fn sessions_csrf_and_locks_are_checked() {
    let app = app().await;
    let alice = app.user("alice").await;
    let calendar = default_calendar(&app, "alice").await;
    let anonymous = app.anonymous();
    for (method, path) in routes(calendar) {
        assert_eq!(send(&anonymous, method, &path).await.status, 401, "{method} {path}");
    }
    for (method, path) in routes(calendar).into_iter().filter(|(m, _)| *m != Method::Get) {
        assert_eq!(
            alice.request(method, &path, Some(""), &[("Content-Type", "text/calendar")]).await.status,
            403,
            "{path}"
        );
    }
    assert_eq!(alice.post_empty("/api/auth/lock").await.status, 204);
    for (method, path) in routes(calendar) {
        assert_eq!(send(&alice, method, &path).await.status, 423, "{method} {path}");
    }
}
