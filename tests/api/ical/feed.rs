//! The secret feed: shown once, stored only as a SHA-256, served without a session, replaced
//! by regeneration and gone at once when revoked; rate limited per address.

use sha2::{Digest, Sha256};

use super::{GOOGLE, default_calendar, extra_calendar, import, share};
use crate::harness::app;

#[tokio::test]
async fn a_feed_serves_the_calendar_without_a_session() {
    let app = app().await;
    let alice = app.user("alice").await;
    let calendar = default_calendar(&app, "alice").await;
    import(&alice, calendar, GOOGLE).await;
    let status = alice.get(&format!("/api/calendars/{calendar}/feed")).await.json();
    assert_eq!((status["exists"].as_bool(), status["created_at"].is_null()), (Some(false), true));

    let created = alice.post_empty(&format!("/api/calendars/{calendar}/feed")).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let created = created.json();
    let path = created["path"].as_str().unwrap().to_string();
    assert!(created["url"].as_str().unwrap().ends_with(&path));
    let token = path.strip_prefix("/ics/").unwrap().strip_suffix(".ics").unwrap().to_string();
    assert!(token.len() >= 43, "at least 256 bits in base64url: {token}");

    let anonymous = app.anonymous();
    let feed = anonymous.get(&path).await;
    assert_eq!(feed.status, 200, "{}", feed.body);
    assert_eq!(feed.header("content-type"), Some("text/calendar; charset=utf-8"));
    assert_eq!(feed.header("cache-control"), Some("private, max-age=300"));
    assert!(feed.body.contains("UID:5p1k3n2q0v7m9c8b4x6z@google.com"));

    // Only the hash is stored, and the status never shows the token again.
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT token_hash FROM calendar_feeds").fetch_all(app.db.pool()).await.unwrap();
    assert_eq!(stored, vec![hex::encode(Sha256::digest(token.as_bytes()))]);
    let status = alice.get(&format!("/api/calendars/{calendar}/feed")).await;
    assert_eq!(status.json()["exists"], true);
    assert!(!status.body.contains(&token));
}

#[tokio::test]
async fn wrong_regenerated_and_revoked_tokens_are_not_found() {
    let app = app().await;
    let alice = app.user("alice").await;
    let calendar = default_calendar(&app, "alice").await;
    let anonymous = app.anonymous();
    let first =
        alice.post_empty(&format!("/api/calendars/{calendar}/feed")).await.json()["path"].as_str().unwrap().to_string();
    assert_eq!(anonymous.get(&first).await.status, 200);
    // A wrong token of the right shape, a malformed one, and the right one without `.ics`.
    let wrong = format!("/ics/{}.ics", "A".repeat(43));
    for path in [wrong.as_str(), "/ics/short.ics", "/ics/x", first.trim_end_matches(".ics")] {
        anonymous.get(path).await.problem(404);
    }
    let second =
        alice.post_empty(&format!("/api/calendars/{calendar}/feed")).await.json()["path"].as_str().unwrap().to_string();
    assert_ne!(first, second);
    anonymous.get(&first).await.problem(404);
    assert_eq!(anonymous.get(&second).await.status, 200);
    assert_eq!(alice.delete(&format!("/api/calendars/{calendar}/feed")).await.status, 204);
    anonymous.get(&second).await.problem(404);
    alice.delete(&format!("/api/calendars/{calendar}/feed")).await.problem(404);
    assert_eq!(alice.get(&format!("/api/calendars/{calendar}/feed")).await.json()["exists"], false);
}

#[tokio::test]
async fn feeds_are_rate_limited_per_address() {
    let app = app().await;
    let anonymous = app.anonymous();
    let wrong = format!("/ics/{}.ics", "B".repeat(43));
    let mut statuses = Vec::new();
    for _ in 0..31 {
        statuses.push(anonymous.get(&wrong).await.status);
    }
    assert!(statuses[..30].iter().all(|s| *s == 404), "{statuses:?}");
    let limited = anonymous.get(&wrong).await;
    assert_eq!(limited.status, 429);
    assert!(limited.header("retry-after").is_some());
}

#[tokio::test]
async fn only_the_owner_makes_a_feed() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    let calendar = extra_calendar(&app, "alice", "Shared", None).await;
    share(&app, "alice", "bob", calendar, "write").await;
    share(&app, "alice", "carol", calendar, "manage").await;
    bob.post_empty(&format!("/api/calendars/{calendar}/feed")).await.problem(403);
    bob.delete(&format!("/api/calendars/{calendar}/feed")).await.problem(403);
    assert_eq!(bob.get(&format!("/api/calendars/{calendar}/feed")).await.json()["exists"], false);
    // Not even a manager: the feed would outlive their share.
    carol.post_empty(&format!("/api/calendars/{calendar}/feed")).await.problem(403);
    carol.delete(&format!("/api/calendars/{calendar}/feed")).await.problem(403);
    assert_eq!(alice.post_empty(&format!("/api/calendars/{calendar}/feed")).await.status, 201);
    assert_eq!(bob.get(&format!("/api/calendars/{calendar}/feed")).await.json()["exists"], true);
}
