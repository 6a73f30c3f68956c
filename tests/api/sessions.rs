//! Session lifetime: sliding idle expiry, absolute lifetime, the per-user cap, bad cookies.

use rocket::http::Method;
use umbra::auth::guards::BACKGROUND_HEADER;
use umbra::db::sessions;

use crate::harness::{app, app_with};

#[tokio::test]
async fn idle_sessions_expire_and_use_slides_the_deadline() {
    let app = app_with(|c| {
        c.sessions.idle_minutes = 60;
        c.sessions.absolute_minutes = 600;
    })
    .await;
    let admin = app.admin().await;
    // Used every 50 minutes, the session outlives several idle periods.
    for _ in 0..4 {
        app.clock.advance_minutes(50);
        assert_eq!(admin.get("/api/auth/status").await.json()["authenticated"], true);
    }
    app.clock.advance_minutes(61);
    assert_eq!(admin.get("/api/auth/status").await.json()["authenticated"], false);
    admin.post_empty("/api/auth/lock").await.problem(401);
}

#[tokio::test]
async fn sessions_end_at_their_absolute_lifetime() {
    let app = app_with(|c| {
        c.sessions.idle_minutes = 60;
        c.sessions.absolute_minutes = 120;
    })
    .await;
    let admin = app.admin().await;
    for _ in 0..2 {
        app.clock.advance_minutes(59);
        assert_eq!(admin.get("/api/auth/status").await.json()["authenticated"], true);
    }
    app.clock.advance_minutes(3);
    assert_eq!(admin.get("/api/auth/status").await.json()["authenticated"], false, "past 120 minutes");
}

#[tokio::test]
async fn the_oldest_session_is_evicted_past_the_cap() {
    let app = app_with(|c| c.sessions.max_per_user = 3).await;
    let first = app.admin().await;
    let others: Vec<_> = (0..3).map(|_| app.persona("admin", crate::harness::PASSWORD)).collect();
    for (n, persona) in others.iter().enumerate() {
        app.clock.advance_minutes(1);
        assert_eq!(persona.login().await.status, 200, "login {n}");
    }
    assert_eq!(first.get("/api/auth/status").await.json()["authenticated"], false, "oldest evicted");
    for persona in &others {
        assert_eq!(persona.get("/api/auth/status").await.json()["authenticated"], true);
    }
    assert_eq!(sessions::count_for_user(app.db.pool(), umbra::domain::id::UserId(1)).await.unwrap(), 3);
}

#[tokio::test]
async fn tampered_or_foreign_cookies_are_just_unauthenticated() {
    let app = app().await;
    let admin = app.admin().await;
    let cookie = admin.cookie().unwrap();
    let mut tampered = cookie.clone().into_bytes();
    let last = tampered.len() - 2;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let intruder = app.anonymous();
    for value in [String::from_utf8(tampered).unwrap(), "garbage".to_string(), String::new()] {
        intruder.set_cookie(Some(value));
        let response =
            intruder.request(Method::Post, "/api/auth/lock", None, &[("X-Requested-With", "XMLHttpRequest")]).await;
        response.problem(401);
        assert_eq!(intruder.get("/api/auth/status").await.status, 200);
    }
}

#[tokio::test]
async fn a_new_login_replaces_the_browsers_old_session() {
    let app = app().await;
    let admin = app.admin().await;
    let before = admin.cookie().unwrap();
    assert_eq!(admin.login().await.status, 200);
    let after = admin.cookie().unwrap();
    assert_ne!(before, after);
    let old = app.anonymous();
    old.set_cookie(Some(before));
    assert_eq!(old.get("/api/auth/status").await.json()["authenticated"], false, "old token died at login");
    assert_eq!(sessions::count_for_user(app.db.pool(), umbra::domain::id::UserId(1)).await.unwrap(), 1);
}

#[tokio::test]
async fn background_polls_do_not_keep_an_idle_session_alive() {
    let app = app_with(|c| {
        c.sessions.idle_minutes = 60;
        c.sessions.absolute_minutes = 600;
    })
    .await;
    let admin = app.admin().await;
    let poll = || admin.request(Method::Get, "/api/notifications/unread-count", None, &[(BACKGROUND_HEADER, "1")]);
    // The bell polls all along; the polls are answered but are not activity.
    for _ in 0..5 {
        app.clock.advance_minutes(11);
        assert_eq!(poll().await.status, 200);
    }
    app.clock.advance_minutes(6);
    assert_eq!(poll().await.status, 401, "61 minutes after the last real request");
    assert_eq!(admin.get("/api/auth/status").await.json()["authenticated"], false);
}
