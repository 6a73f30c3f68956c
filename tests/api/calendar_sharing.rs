//! Sharing calendars (`/api/shared-calendars`): offering only to connections (one 404 body for
//! every name that is not one), nothing visible before acceptance, the levels (read sees,
//! manage renames and shares further, nobody but the owner deletes or moves the default),
//! managers never touching other managers, level changes, revocation, leaving and a removed
//! connection taking effect on the member's very next request, and the 404/401/423 matrix.

use serde_json::{Value, json};

use crate::calendars::{calendar_names, connect, connection_id, create_calendar, default_calendar, fields, id, send};
use crate::harness::{Persona, Resp, app};

async fn share(who: &Persona<'_>, calendar: i64, username: &str, level: &str) -> Resp {
    who.post("/api/shared-calendars", json!({"calendar_id": calendar, "username": username, "level": level})).await
}

/// Shares and returns the share, which must be created.
async fn share_ok(who: &Persona<'_>, calendar: i64, username: &str, level: &str) -> Value {
    let response = share(who, calendar, username, level).await;
    assert_eq!(response.status, 201, "{}", response.body);
    response.json()
}

async fn shares(who: &Persona<'_>, direction: &str) -> Value {
    let response = who.get(&format!("/api/shared-calendars?direction={direction}")).await;
    assert_eq!(response.status, 200, "{}", response.body);
    response.json()
}

/// Shares `calendar` from `owner` with `member` at `level`, accepted; the share's id.
async fn shared(owner: &Persona<'_>, member: &Persona<'_>, calendar: i64, level: &str) -> i64 {
    let offer = share_ok(owner, calendar, &member.username, level).await;
    let accepted = member.post_empty(&format!("/api/shared-calendars/{}/accept", id(&offer))).await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    id(&offer)
}

async fn notification_kinds(who: &Persona<'_>) -> Vec<String> {
    let page = who.get("/api/notifications").await.json();
    page["items"].as_array().unwrap().iter().map(|n| n["type"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn a_share_is_offered_accepted_and_then_visible() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    connect(&alice, &bob).await;
    let work = create_calendar(&alice, json!({"name": "Work", "colour": "#336699"})).await;
    let offer = share_ok(&alice, id(&work), "BOB", "read").await;
    assert_eq!(offer["status"], "pending");
    assert_eq!(offer["level"], "read");
    assert_eq!(offer["calendar_name"], "Work");
    assert_eq!(offer["owner"]["username"], "alice");
    assert_eq!(offer["member"]["username"], "bob");
    assert_eq!(offer["shared_by"], "alice");
    assert_eq!(offer["accepted_at"], Value::Null);

    // Nothing is visible before acceptance.
    assert_eq!(calendar_names(&bob).await, ["Personal"]);
    bob.get(&format!("/api/calendars/{}", id(&work))).await.problem(404);
    assert!(notification_kinds(&bob).await.contains(&"calendar_shared".to_string()));
    let incoming = shares(&bob, "incoming").await;
    assert_eq!((incoming["total"].clone(), incoming["items"][0]["id"].clone()), (json!(1), offer["id"].clone()));
    assert_eq!(shares(&bob, "outgoing").await["total"], 0);
    assert_eq!(shares(&alice, "outgoing").await["items"][0]["id"], offer["id"]);
    assert_eq!(shares(&alice, "incoming").await["total"], 0);
    assert_eq!(bob.get("/api/shared-calendars").await.json()["total"], 1, "incoming is the default");
    assert_eq!(fields(&bob.get("/api/shared-calendars?direction=sideways").await), ["direction"]);

    // The owner cannot accept on the member's behalf.
    alice.post_empty(&format!("/api/shared-calendars/{}/accept", id(&offer))).await.problem(403);
    let accepted = bob.post_empty(&format!("/api/shared-calendars/{}/accept", id(&offer))).await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    assert_eq!(accepted.json()["status"], "accepted");
    assert!(accepted.json()["accepted_at"].is_string());
    assert_eq!(calendar_names(&bob).await, ["Personal", "Work"]);
    let seen = bob.get(&format!("/api/calendars/{}", id(&work))).await.json();
    assert_eq!(seen["access"], "read");
    assert_eq!(seen["owner"]["username"], "alice");
    assert_eq!(seen["is_default"], false);
    // Accepting again is harmless.
    assert_eq!(bob.post_empty(&format!("/api/shared-calendars/{}/accept", id(&offer))).await.status, 200);
    // Sharing with the same user again is a conflict, not a second share.
    share(&alice, id(&work), "bob", "write").await.problem(409);
    // Each keeps their own preferences of the shared calendar.
    let prefs =
        bob.patch(&format!("/api/calendars/{}/preferences", id(&work)), json!({"colour_override": "#000000"})).await;
    assert_eq!(prefs.json()["colour_override"], "#000000");
    assert_eq!(alice.get(&format!("/api/calendars/{}", id(&work))).await.json()["colour_override"], Value::Null);
}

#[tokio::test]
async fn sharing_with_anyone_but_a_connection_is_one_404() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    app.user("carol").await;
    let dave = app.user("dave").await;
    let frank = app.user("frank").await;
    connect(&alice, &bob).await;
    connect(&bob, &dave).await;
    connect(&alice, &frank).await;
    sqlx::query("UPDATE users SET active = 0 WHERE username = 'frank'").execute(app.db.pool()).await.unwrap();
    let work = create_calendar(&alice, json!({"name": "Work"})).await;
    let missing = alice.get("/api/calendars/999999").await;
    missing.problem(404);
    // Unknown, not connected, oneself, a disabled account: the same body, byte for byte, as
    // a calendar that does not exist.
    for name in ["nobody-here", "carol", "alice", "frank"] {
        let response = share(&alice, id(&work), name, "read").await;
        assert_eq!((response.status, response.body.as_str()), (404, missing.body.as_str()), "{name}");
    }
    // A manager shares only with users connected to the owner too, and never with the owner.
    shared(&alice, &bob, id(&work), "manage").await;
    for name in ["dave", "alice", "nobody-here"] {
        let response = share(&bob, id(&work), name, "read").await;
        assert_eq!((response.status, response.body.as_str()), (404, missing.body.as_str()), "bob to {name}");
    }
    // A malformed name is a 422 about its form (which says nothing about who exists).
    assert_eq!(fields(&share(&alice, id(&work), "x", "read").await), ["username"]);
    let bad_level = share(&alice, id(&work), "bob", "owner").await;
    assert_eq!(bad_level.status, 422, "{}", bad_level.body);
    assert_eq!(shares(&alice, "outgoing").await["total"], 1, "only Bob's share exists");
}

#[tokio::test]
async fn levels_decide_what_members_may_do() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    let dave = app.user("dave").await;
    for member in [&bob, &carol, &dave] {
        connect(&alice, member).await;
    }
    connect(&bob, &dave).await;
    let work = create_calendar(&alice, json!({"name": "Work"})).await;
    let path = format!("/api/calendars/{}", id(&work));
    shared(&alice, &carol, id(&work), "read").await;
    let writer_share = shared(&alice, &dave, id(&work), "write").await;
    let manager_share = shared(&alice, &bob, id(&work), "manage").await;

    // read and write members see it and may not change, share or delete it (403: they know it).
    for (member, access) in [(&carol, "read"), (&dave, "write")] {
        assert_eq!(member.get(&path).await.json()["access"], access);
        member.patch(&path, json!({"name": "Mine"})).await.problem(403);
        member.delete(&path).await.problem(403);
        share(member, id(&work), "bob", "read").await.problem(403);
        assert_eq!(shares(member, "outgoing").await["total"], 0, "members do not see the other shares");
    }
    // manage renames, recolours, sets the zone; never moves the default or deletes.
    let renamed = bob.patch(&path, json!({"name": "Team", "colour": "#123456", "timezone": "Europe/Paris"})).await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert_eq!(renamed.json()["access"], "manage");
    assert_eq!(alice.get(&path).await.json()["name"], "Team");
    bob.patch(&path, json!({"is_default": true})).await.problem(403);
    bob.delete(&path).await.problem(403);
    assert_eq!(alice.get(&path).await.json()["is_default"], false);
    // A manager sees every share of the calendar and looks after readers and writers...
    assert_eq!(shares(&bob, "outgoing").await["total"], 3);
    let raised = bob.patch(&format!("/api/shared-calendars/{writer_share}"), json!({"level": "manage"})).await;
    assert_eq!(raised.status, 200, "{}", raised.body);
    assert_eq!(raised.json()["level"], "manage");
    // ...but not other managers (nor themselves): only the owner does.
    bob.patch(&format!("/api/shared-calendars/{writer_share}"), json!({"level": "read"})).await.problem(403);
    bob.delete(&format!("/api/shared-calendars/{writer_share}")).await.problem(403);
    bob.patch(&format!("/api/shared-calendars/{manager_share}"), json!({"level": "read"})).await.problem(403);
    let lowered = alice.patch(&format!("/api/shared-calendars/{writer_share}"), json!({"level": "write"})).await;
    assert_eq!(lowered.json()["level"], "write");
    // A member cannot change their own level.
    dave.patch(&format!("/api/shared-calendars/{writer_share}"), json!({"level": "manage"})).await.problem(403);
}

#[tokio::test]
async fn a_manager_shares_further() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    connect(&alice, &bob).await;
    connect(&alice, &carol).await;
    connect(&bob, &carol).await;
    let work = create_calendar(&alice, json!({"name": "Work"})).await;
    shared(&alice, &bob, id(&work), "manage").await;
    let offer = share_ok(&bob, id(&work), "carol", "write").await;
    assert_eq!((offer["shared_by"].clone(), offer["owner"]["username"].clone()), (json!("bob"), json!("alice")));
    carol.post_empty(&format!("/api/shared-calendars/{}/accept", id(&offer))).await;
    assert_eq!(carol.get(&format!("/api/calendars/{}", id(&work))).await.json()["access"], "write");
    // The owner sees it among her shares and may revoke it.
    assert_eq!(shares(&alice, "outgoing").await["total"], 2);
    assert_eq!(alice.delete(&format!("/api/shared-calendars/{}", id(&offer))).await.status, 204);
    carol.get(&format!("/api/calendars/{}", id(&work))).await.problem(404);
}

#[tokio::test]
async fn changes_take_effect_on_the_next_request() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    connect(&alice, &bob).await;
    let work = create_calendar(&alice, json!({"name": "Work"})).await;
    let path = format!("/api/calendars/{}", id(&work));
    let share_id = shared(&alice, &bob, id(&work), "manage").await;
    assert_eq!(bob.patch(&path, json!({"description": "by Bob"})).await.status, 200);
    // Lowered: the very next request is refused.
    alice.patch(&format!("/api/shared-calendars/{share_id}"), json!({"level": "read"})).await;
    bob.patch(&path, json!({"description": "again"})).await.problem(403);
    assert_eq!(bob.get(&path).await.json()["access"], "read");
    // Revoked: gone from the very next request, list and item alike.
    assert_eq!(alice.delete(&format!("/api/shared-calendars/{share_id}")).await.status, 204);
    bob.get(&path).await.problem(404);
    assert_eq!(calendar_names(&bob).await, ["Personal"]);
    assert_eq!(shares(&bob, "incoming").await["total"], 0);
    bob.post_empty(&format!("/api/shared-calendars/{share_id}/accept")).await.problem(404);
}

#[tokio::test]
async fn a_member_leaves_or_declines() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    connect(&alice, &bob).await;
    let work = create_calendar(&alice, json!({"name": "Work"})).await;
    let home = create_calendar(&alice, json!({"name": "Home"})).await;
    // Declining deletes the offer, and its notification.
    let offer = share_ok(&alice, id(&home), "bob", "read").await;
    alice.post_empty(&format!("/api/shared-calendars/{}/decline", id(&offer))).await.problem(403);
    let declined = bob.post_empty(&format!("/api/shared-calendars/{}/decline", id(&offer))).await;
    assert_eq!(declined.status, 204, "{}", declined.body);
    assert!(!notification_kinds(&bob).await.contains(&"calendar_shared".to_string()));
    assert_eq!(shares(&alice, "outgoing").await["total"], 0);
    // Offered again after a decline: allowed.
    share_ok(&alice, id(&home), "bob", "read").await;
    // Leaving an accepted share.
    let share_id = shared(&alice, &bob, id(&work), "write").await;
    assert_eq!(bob.delete(&format!("/api/shared-calendars/{share_id}")).await.status, 204);
    bob.get(&format!("/api/calendars/{}", id(&work))).await.problem(404);
    assert!(
        shares(&alice, "outgoing").await["items"].as_array().unwrap().iter().all(|s| s["calendar_id"] != work["id"])
    );
}

#[tokio::test]
async fn a_removed_connection_ends_the_share() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    connect(&alice, &bob).await;
    let work = create_calendar(&alice, json!({"name": "Work"})).await;
    let path = format!("/api/calendars/{}", id(&work));
    let share_id = shared(&alice, &bob, id(&work), "manage").await;
    let pending = share_ok(&alice, id(&default_calendar(&alice).await), "bob", "read").await;
    assert_eq!(bob.get(&path).await.status, 200);
    let connection = connection_id(&app, "alice", "bob").await;
    assert_eq!(bob.delete(&format!("/api/connections/{connection}")).await.status, 204);
    // Gone for the member at once: item, list, incoming offers, share routes.
    bob.get(&path).await.problem(404);
    bob.patch(&path, json!({"name": "x"})).await.problem(404);
    assert_eq!(calendar_names(&bob).await, ["Personal"]);
    assert_eq!(shares(&bob, "incoming").await["total"], 0);
    bob.post_empty(&format!("/api/shared-calendars/{}/accept", id(&pending))).await.problem(404);
    bob.delete(&format!("/api/shared-calendars/{share_id}")).await.problem(404);
    // The owner's calendar is untouched.
    assert_eq!(alice.get(&path).await.json()["name"], "Work");
    // Connecting again does not bring the old shares back: they ended with the connection.
    connect(&alice, &bob).await;
    bob.get(&path).await.problem(404);
    assert_eq!(calendar_names(&bob).await, ["Personal"]);
    assert_eq!(shares(&bob, "incoming").await["total"], 0);
    // A block ends them the same way.
    shared(&alice, &bob, id(&work), "read").await;
    assert_eq!(bob.get(&path).await.status, 200);
    assert_eq!(alice.post("/api/connections/blocks", json!({"username": "bob"})).await.status, 201);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM calendar_shares").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(left, 0);
}

#[tokio::test]
async fn another_users_shares_are_never_found() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    let eve = app.user("eve").await;
    connect(&alice, &bob).await;
    connect(&alice, &carol).await;
    connect(&alice, &eve).await;
    let work = create_calendar(&alice, json!({"name": "Work"})).await;
    let share_id = shared(&alice, &bob, id(&work), "read").await;
    let pending = id(&share_ok(&alice, id(&work), "carol", "write").await);
    let before = shares(&alice, "outgoing").await;
    let missing = alice.get("/api/calendars/999999").await.body;
    // Eve is connected to Alice but has no share; Carol's pending share is not Bob's business,
    // and Bob, a reader, does not see the other shares.
    for (who, target) in [(&eve, share_id), (&eve, pending), (&bob, pending)] {
        for (method, path, body) in [
            ("PATCH", format!("/api/shared-calendars/{target}"), Some(json!({"level": "manage"}))),
            ("DELETE", format!("/api/shared-calendars/{target}"), None),
            ("POST", format!("/api/shared-calendars/{target}/accept"), None),
            ("POST", format!("/api/shared-calendars/{target}/decline"), None),
        ] {
            let response = send(who, method, &path, body).await;
            assert_eq!((response.status, response.body.as_str()), (404, missing.as_str()), "{method} {path}");
        }
    }
    // Alice's calendar id inside Eve's body.
    let response = share(&eve, id(&work), "alice", "read").await;
    assert_eq!((response.status, response.body.as_str()), (404, missing.as_str()));
    assert_eq!(shares(&alice, "outgoing").await, before, "nothing changed");
    assert_eq!(bob.get(&format!("/api/calendars/{}", id(&work))).await.json()["access"], "read");
}

#[tokio::test]
async fn bodies_are_strict_and_routes_need_an_unlocked_session() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    connect(&alice, &bob).await;
    let work = create_calendar(&alice, json!({"name": "Work"})).await;
    let offer = share_ok(&alice, id(&work), "bob", "read").await;
    let body = json!({"calendar_id": id(&work), "username": "bob", "level": "read", "status": "accepted"});
    alice.post("/api/shared-calendars", body).await.problem(422);
    alice.post("/api/shared-calendars", json!({"calendar_id": id(&work), "username": "bob"})).await.problem(422);
    let path = format!("/api/shared-calendars/{}", id(&offer));
    alice.patch(&path, json!({"level": "write", "member_id": 1})).await.problem(422);
    alice.patch(&path, json!({"level": "owner"})).await.problem(422);
    alice.patch(&path, json!({})).await.problem(422);
    let huge = alice.post("/api/shared-calendars", json!({"username": "x".repeat(70_000)})).await;
    assert_eq!(huge.status, 413);

    let routes = vec![
        ("GET", "/api/shared-calendars".to_string(), None),
        (
            "POST",
            "/api/shared-calendars".to_string(),
            Some(json!({"calendar_id": id(&work), "username": "bob", "level": "read"})),
        ),
        ("PATCH", path.clone(), Some(json!({"level": "write"}))),
        ("DELETE", path.clone(), None),
        ("POST", format!("{path}/accept"), None),
        ("POST", format!("{path}/decline"), None),
    ];
    let anonymous = app.anonymous();
    for (method, route, body) in &routes {
        let response = send(&anonymous, method, route, body.clone()).await;
        assert_eq!(response.status, 401, "{method} {route}: {}", response.body);
    }
    assert_eq!(bob.post_empty("/api/auth/lock").await.status, 204);
    for (method, route, body) in &routes {
        let response = send(&bob, method, route, body.clone()).await;
        assert_eq!(response.status, 423, "{method} {route}: {}", response.body);
    }
    assert_eq!(shares(&alice, "outgoing").await["items"][0]["status"], "pending", "nothing happened");
}

/// Creates a one-hour event in `calendar` as `who`; the response.
async fn post_event(who: &Persona<'_>, calendar: i64, title: &str) -> Resp {
    who.post(
        "/api/events",
        json!({"calendar_id": calendar, "title": title, "start": "2030-03-04T09:00:00Z",
               "end": "2030-03-04T10:00:00Z", "timezone": "UTC"}),
    )
    .await
}

/// (title, access) of every item of March 2030 in `who`'s range read.
async fn march(who: &Persona<'_>) -> Vec<(String, String)> {
    let response = who.get("/api/events?start=2030-03-01T00:00:00Z&end=2030-04-01T00:00:00Z").await;
    assert_eq!(response.status, 200, "{}", response.body);
    let mut items: Vec<(String, String)> = response.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["title"].as_str().unwrap().to_string(), i["access"].as_str().unwrap().to_string()))
        .collect();
    items.sort();
    items
}

#[tokio::test]
async fn readers_see_events_and_writers_change_them() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    connect(&alice, &bob).await;
    connect(&alice, &carol).await;
    let work = create_calendar(&alice, json!({"name": "Work"})).await;
    let event = post_event(&alice, id(&work), "Standup").await;
    assert_eq!(event.status, 201, "{}", event.body);
    let event_path = format!("/api/events/{}", id(&event.json()));
    // Offered but not accepted: nothing of it shows.
    let offer = share_ok(&alice, id(&work), "bob", "read").await;
    assert!(march(&bob).await.is_empty());
    bob.get(&event_path).await.problem(404);
    bob.post_empty(&format!("/api/shared-calendars/{}/accept", id(&offer))).await;
    let writer_share = shared(&alice, &carol, id(&work), "write").await;

    assert_eq!(march(&bob).await, [("Standup".to_string(), "read".to_string())]);
    assert_eq!(march(&carol).await, [("Standup".to_string(), "write".to_string())]);
    assert_eq!(march(&alice).await, [("Standup".to_string(), "owner".to_string())]);
    // A reader changes nothing (403: the reader sees the calendar).
    post_event(&bob, id(&work), "Bob's").await.problem(403);
    bob.patch(&event_path, json!({"title": "Bob was here"})).await.problem(403);
    bob.delete(&event_path).await.problem(403);
    // A writer creates, edits and deletes events.
    let created = post_event(&carol, id(&work), "Carol's").await;
    assert_eq!(created.status, 201, "{}", created.body);
    let edited = carol.patch(&event_path, json!({"title": "Daily standup"})).await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert_eq!(carol.delete(&format!("/api/events/{}", id(&created.json()))).await.status, 204);
    assert_eq!(march(&alice).await, [("Daily standup".to_string(), "owner".to_string())]);
    assert_eq!(alice.get(&format!("/api/calendars/{}", id(&work))).await.json()["event_count"], 1);
    // Revoked: the writer's very next request neither sees nor writes.
    alice.delete(&format!("/api/shared-calendars/{writer_share}")).await;
    assert!(march(&carol).await.is_empty());
    carol.patch(&event_path, json!({"title": "Too late"})).await.problem(404);
    post_event(&carol, id(&work), "Too late").await.problem(404);
    // A removed connection: the reader's next range read is empty.
    let connection = connection_id(&app, "alice", "bob").await;
    alice.delete(&format!("/api/connections/{connection}")).await;
    assert!(march(&bob).await.is_empty());
    bob.get(&event_path).await.problem(404);
}
