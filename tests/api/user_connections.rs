//! Connections between users (`/api/connections`): the request answers and lists alike for
//! every name (no enumeration, the 429 and the outgoing list included; a decline or a block
//! looks like nothing to the sender), accept/decline/cancel/remove on the right side only,
//! blocks by name (capped), the per-sender rate limit held in the database across processes,
//! crossed requests and a request racing a block on PostgreSQL, the notifications both sides
//! get, and the 404/401/423 matrix. (`connections.rs` is about TCP.)

use std::sync::Arc;

use futures::future::join_all;
use rocket::http::Method;
use serde_json::{Value, json};
use umbra::domain::id::UserId;

use crate::harness::{PASSWORD, Persona, TestApp, app, app_on};

const RECEIPT: &str = r#"{"message":"If that user can receive a request from you, it has been sent."}"#;

async fn user_id(app: &TestApp, username: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

async fn send(who: &Persona<'_>, username: &str) -> crate::harness::Resp {
    who.post("/api/connections", json!({"username": username})).await
}

/// Sends a request that must be accepted as sent (202, the receipt).
async fn send_ok(who: &Persona<'_>, username: &str) {
    let response = send(who, username).await;
    assert_eq!((response.status, response.body.as_str()), (202, RECEIPT), "request to {username}");
}

async fn requests(who: &Persona<'_>, direction: &str) -> Value {
    let response = who.get(&format!("/api/connections/requests?direction={direction}")).await;
    assert_eq!(response.status, 200, "{}", response.body);
    response.json()
}

/// The names in `who`'s outgoing list, sorted.
async fn sent_to(who: &Persona<'_>) -> Vec<String> {
    let page = requests(who, "outgoing").await;
    let mut names: Vec<String> =
        page["items"].as_array().unwrap().iter().map(|r| r["username"].as_str().unwrap().to_string()).collect();
    names.sort_unstable();
    names
}

/// The id of the one pending request `who` has in `direction`.
async fn only_request(who: &Persona<'_>, direction: &str) -> i64 {
    let page = requests(who, direction).await;
    assert_eq!(page["total"], 1, "{page}");
    page["items"][0]["id"].as_i64().unwrap()
}

async fn notifications(who: &Persona<'_>) -> Vec<Value> {
    let response = who.get("/api/notifications").await;
    assert_eq!(response.status, 200, "{}", response.body);
    response.json()["items"].as_array().unwrap().clone()
}

fn kinds(items: &[Value]) -> Vec<&str> {
    items.iter().map(|n| n["type"].as_str().unwrap()).collect()
}

async fn connected(app: &TestApp, a: &str, b: &str) -> bool {
    let (a, b) = (UserId(user_id(app, a).await), UserId(user_id(app, b).await));
    umbra::service::connections::are_connected(app.db.pool(), a, b).await.unwrap()
}

/// `from` asks `to`, and `to` accepts; the connection's id.
async fn connect(from: &Persona<'_>, to: &Persona<'_>) -> i64 {
    send_ok(from, &to.username).await;
    let page = requests(to, "incoming").await;
    let request = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["username"] == from.username.as_str())
        .expect("the request arrived")["id"]
        .as_i64()
        .unwrap();
    let accepted = to.post_empty(&format!("/api/connections/requests/{request}/accept")).await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    request
}

#[tokio::test]
async fn a_request_answers_the_same_whoever_the_name_belongs_to() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    let dave = app.user("dave").await;
    let erin = app.user("erin").await;
    app.user("frank").await;
    // carol has blocked alice; dave is connected to alice already; frank's account is disabled.
    assert_eq!(carol.post("/api/connections/blocks", json!({"username": "alice"})).await.status, 201);
    connect(&alice, &dave).await;
    sqlx::query("UPDATE users SET active = 0 WHERE username = 'frank'").execute(app.db.pool()).await.unwrap();

    let mut answers = Vec::new();
    for name in ["bob", "BOB", "carol", "dave", "alice", "nobody-here", "frank", " erin "] {
        let response = send(&alice, name).await;
        answers.push((name, response.status, response.header("content-type").map(str::to_string), response.body));
    }
    for (name, status, content_type, body) in &answers {
        assert_eq!(*status, 202, "{name}");
        assert_eq!(content_type.as_deref(), Some("application/json"), "{name}");
        assert_eq!(body, RECEIPT, "{name}: the body is byte-identical");
    }
    // The outgoing list shows every name alike, as typed (bob once, though asked twice): the
    // made-up name, the disabled account, the blocker, the connection and the sender herself
    // cannot be told from the two that reached someone, by content or by shape.
    let outgoing = requests(&alice, "outgoing").await;
    assert_eq!(sent_to(&alice).await, ["alice", "bob", "carol", "dave", "erin", "frank", "nobody-here"]);
    for item in outgoing["items"].as_array().unwrap() {
        let keys: Vec<&str> = item.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["created_at", "direction", "id", "username"], "{item}");
        assert_eq!(item["direction"], "outgoing");
        assert_eq!(item["created_at"], outgoing["items"][0]["created_at"], "{item}");
    }
    // Only the real new requests reached anyone: bob and erin.
    assert_eq!(requests(&bob, "incoming").await["total"], 1);
    assert_eq!(requests(&erin, "incoming").await["total"], 1);
    assert_eq!(requests(&carol, "incoming").await["total"], 0, "a block hides the request");
    assert_eq!(requests(&dave, "incoming").await["total"], 0);
    assert_eq!(requests(&alice, "incoming").await["total"], 0, "nor does asking oneself reach anyone");
    assert_eq!(kinds(&notifications(&bob).await), ["connection_request"]);
    assert!(notifications(&carol).await.is_empty());
    assert_eq!(kinds(&notifications(&alice).await), ["connection_accepted"], "only dave's answer from before");
    let delivered: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM connections WHERE addressee_id IS NOT NULL")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(delivered, 3, "dave's connection and the requests to bob and erin");
    let frank_id = user_id(&app, "frank").await;
    let to_frank: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE user_id = $1")
        .bind(frank_id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(to_frank, 0, "nothing reaches a disabled account");
    // Every one of them is withdrawn alike.
    for item in outgoing["items"].as_array().unwrap() {
        assert_eq!(alice.delete(&format!("/api/connections/requests/{}", item["id"])).await.status, 204, "{item}");
    }
    assert_eq!(requests(&alice, "outgoing").await["total"], 0);
    assert_eq!(requests(&bob, "incoming").await["total"], 0);
    assert!(notifications(&bob).await.is_empty(), "the withdrawn request's notification went too");
    assert!(connected(&app, "alice", "dave").await, "withdrawing a request to a connection ends nothing");
    // A name that is not a username at all is a 422 naming the field (that reveals nothing).
    let bad = send(&alice, "x").await.problem(422);
    assert_eq!(bad["errors"][0]["field"], "username");
}

#[tokio::test]
async fn the_receiver_accepts_and_both_are_told_and_connected() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    let alice_id = user_id(&app, "alice").await;
    let bob_id = user_id(&app, "bob").await;
    sqlx::query("INSERT INTO user_settings (user_id, display_name, updated_at) VALUES ($1, 'Alice A.', 0)")
        .bind(alice_id)
        .execute(app.db.pool())
        .await
        .unwrap();

    send_ok(&alice, "bob").await;
    let incoming = requests(&bob, "incoming").await;
    assert_eq!(incoming["total"], 1);
    let request = &incoming["items"][0];
    assert_eq!(request["user"], json!({"id": alice_id, "username": "alice", "display_name": "Alice A."}));
    assert_eq!(request["username"], "alice");
    assert_eq!(request["direction"], "incoming");
    assert!(request["created_at"].as_str().unwrap().ends_with('Z'));
    let id = request["id"].as_i64().unwrap();
    let outgoing = requests(&alice, "outgoing").await;
    // The sender sees the name they typed, not who it reached (that shows once accepted).
    assert_eq!(
        outgoing["items"][0],
        json!({"id": id, "username": "bob", "direction": "outgoing", "created_at": request["created_at"]})
    );
    assert_eq!(requests(&alice, "incoming").await["total"], 0);
    assert_eq!(requests(&bob, "outgoing").await["total"], 0);
    // The default direction is incoming.
    assert_eq!(bob.get("/api/connections/requests").await.json()["total"], 1);

    let told = notifications(&bob).await;
    assert_eq!(told.len(), 1);
    assert_eq!(told[0]["type"], "connection_request");
    assert_eq!(told[0]["title"], "Alice A. (alice) wants to connect");
    assert_eq!(told[0]["link"], "/connections");
    assert_eq!(told[0]["read_at"], Value::Null);
    assert!(notifications(&alice).await.is_empty());

    // Only the receiver accepts: the sender and a stranger get 404, and nothing changes.
    let accept = format!("/api/connections/requests/{id}/accept");
    alice.post_empty(&accept).await.problem(404);
    carol.post_empty(&accept).await.problem(404);
    assert!(!connected(&app, "alice", "bob").await);

    app.clock.advance_minutes(5);
    let accepted = bob.post_empty(&accept).await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    let accepted = accepted.json();
    assert_eq!(accepted["id"], id);
    assert_eq!(accepted["user"]["username"], "alice");
    assert_eq!(accepted["since"], umbra::domain::time::UtcMillis(app.clock.now_millis()).to_rfc3339());
    assert!(connected(&app, "alice", "bob").await);
    assert!(connected(&app, "bob", "alice").await);
    assert!(!connected(&app, "alice", "carol").await);
    // Accepting twice: the request is no longer pending.
    bob.post_empty(&accept).await.problem(404);

    // Both see each other; the requests are gone.
    let alices = alice.get("/api/connections").await.json();
    assert_eq!(alices["total"], 1);
    assert_eq!(
        alices["items"][0],
        json!({"id": id, "user": {"id": bob_id, "username": "bob", "display_name": ""},
                                          "since": accepted["since"]})
    );
    let bobs = bob.get("/api/connections").await.json();
    assert_eq!(bobs["items"][0]["user"]["display_name"], "Alice A.");
    assert_eq!(requests(&bob, "incoming").await["total"], 0);
    assert_eq!(requests(&alice, "outgoing").await["total"], 0);
    assert_eq!(carol.get("/api/connections").await.json()["total"], 0);

    // The sender is told; the receiver's request notification is marked read.
    let told = notifications(&alice).await;
    assert_eq!(kinds(&told), ["connection_accepted"]);
    assert_eq!(told[0]["title"], "bob accepted your request to connect");
    assert_eq!(told[0]["link"], "/connections");
    assert_ne!(notifications(&bob).await[0]["read_at"], Value::Null);

    // Asking again once connected changes nothing.
    send_ok(&alice, "bob").await;
    send_ok(&bob, "alice").await;
    assert_eq!(requests(&bob, "incoming").await["total"], 0);
    assert_eq!(requests(&alice, "incoming").await["total"], 0);
}

#[tokio::test]
async fn decline_cancel_and_remove_each_on_the_right_side() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;

    // Decline: only the receiver; the request is gone for both.
    send_ok(&alice, "bob").await;
    let id = only_request(&bob, "incoming").await;
    let decline = format!("/api/connections/requests/{id}/decline");
    alice.post_empty(&decline).await.problem(404);
    carol.post_empty(&decline).await.problem(404);
    let before = requests(&alice, "outgoing").await;
    assert_eq!(bob.post_empty(&decline).await.status, 204);
    bob.post_empty(&decline).await.problem(404);
    assert_eq!(requests(&alice, "outgoing").await, before, "a decline looks like nothing to the sender");
    assert_eq!(requests(&bob, "incoming").await["total"], 0);
    assert!(!connected(&app, "alice", "bob").await);
    assert_ne!(notifications(&bob).await[0]["read_at"], Value::Null, "answered, so read");
    // Asking again does not bring a declined request back; withdrawing it and asking anew does.
    send_ok(&alice, "bob").await;
    assert_eq!(requests(&bob, "incoming").await["total"], 0);
    assert_eq!(requests(&alice, "outgoing").await, before);
    assert_eq!(alice.delete(&format!("/api/connections/requests/{id}")).await.status, 204);
    send_ok(&alice, "bob").await;
    let again = only_request(&bob, "incoming").await;
    assert_ne!(again, id);
    assert_eq!(kinds(&notifications(&bob).await), ["connection_request", "connection_request"]);
    assert_eq!(bob.post_empty(&format!("/api/connections/requests/{again}/decline")).await.status, 204);

    // Cancel: only the sender; the receiver's notification about it goes too.
    send_ok(&alice, "carol").await;
    let id = only_request(&carol, "incoming").await;
    let cancel = format!("/api/connections/requests/{id}");
    carol.delete(&cancel).await.problem(404);
    bob.delete(&cancel).await.problem(404);
    assert_eq!(kinds(&notifications(&carol).await), ["connection_request"]);
    assert_eq!(alice.delete(&cancel).await.status, 204);
    alice.delete(&cancel).await.problem(404);
    assert_eq!(requests(&carol, "incoming").await["total"], 0);
    assert!(notifications(&carol).await.is_empty());
    // A request id is not a connection id to remove, nor a connection one to cancel.
    send_ok(&alice, "carol").await;
    let pending = only_request(&carol, "incoming").await;
    alice.delete(&format!("/api/connections/{pending}")).await.problem(404);
    carol.delete(&format!("/api/connections/{pending}")).await.problem(404);

    // Remove: either side; it ends for both, and a stranger cannot.
    let first = connect(&bob, &alice).await;
    let second = connect(&carol, &bob).await;
    carol.delete(&format!("/api/connections/{first}")).await.problem(404);
    alice.delete(&format!("/api/connections/requests/{first}")).await.problem(404);
    assert_eq!(alice.delete(&format!("/api/connections/{first}")).await.status, 204, "the receiver removes");
    assert_eq!(carol.delete(&format!("/api/connections/{second}")).await.status, 204, "and so may the sender");
    bob.delete(&format!("/api/connections/{first}")).await.problem(404);
    assert!(!connected(&app, "alice", "bob").await);
    assert!(!connected(&app, "bob", "carol").await);
    assert_eq!(bob.get("/api/connections").await.json()["total"], 0);
    // Removed, the pair may start again.
    send_ok(&bob, "alice").await;
    assert_eq!(requests(&alice, "incoming").await["items"][0]["username"], "bob");
}

#[tokio::test]
async fn a_block_answers_alike_removes_what_joins_and_keeps_requests_out() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    connect(&alice, &bob).await;
    send_ok(&carol, "bob").await;
    let carols_request = only_request(&bob, "incoming").await;

    // Blocking a real name and a made-up one: the same status and the same shape.
    let real = bob.post("/api/connections/blocks", json!({"username": "Alice"})).await;
    let made_up = bob.post("/api/connections/blocks", json!({"username": "zed-nobody"})).await;
    assert_eq!((real.status, made_up.status), (201, 201));
    let (real, made_up) = (real.json(), made_up.json());
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&real), keys(&made_up));
    assert_eq!(real["username"], "alice");
    assert_eq!(made_up["username"], "zed-nobody");
    // Blocking again answers the same block.
    let again = bob.post("/api/connections/blocks", json!({"username": "alice"})).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.json(), real);
    let listed = bob.get("/api/connections/blocks").await.json();
    assert_eq!(listed["total"], 2);
    assert_eq!(listed["items"], json!([real, made_up]));

    // The connection is gone; alice's future requests go nowhere (still 202, same body), though
    // her list shows them like any other.
    assert!(!connected(&app, "alice", "bob").await);
    assert_eq!(alice.get("/api/connections").await.json()["total"], 0);
    send_ok(&alice, "bob").await;
    assert_eq!(requests(&bob, "incoming").await["items"][0]["id"], carols_request, "only carol's");
    assert_eq!(requests(&bob, "incoming").await["total"], 1);
    assert_eq!(sent_to(&alice).await, ["bob"]);
    // Nor can bob ask the name he blocked.
    send_ok(&bob, "alice").await;
    assert_eq!(requests(&alice, "incoming").await["total"], 0);

    // Blocking a sender takes the pending request and its notification out of bob's sight;
    // carol's list shows her request unchanged, so the block tells her nothing.
    let carols_list = requests(&carol, "outgoing").await;
    assert_eq!(bob.post("/api/connections/blocks", json!({"username": "carol"})).await.status, 201);
    assert_eq!(requests(&bob, "incoming").await["total"], 0);
    assert_eq!(requests(&carol, "outgoing").await, carols_list);
    // Nothing about the blocked names is left in bob's centre.
    assert!(notifications(&bob).await.is_empty(), "{:?}", notifications(&bob).await);

    // Another user's block is 404; unblocking lets requests through again.
    let block = format!("/api/connections/blocks/{}", real["id"]);
    alice.delete(&block).await.problem(404);
    carol.delete(&block).await.problem(404);
    assert_eq!(bob.delete(&block).await.status, 204);
    bob.delete(&block).await.problem(404);
    send_ok(&alice, "bob").await;
    assert_eq!(requests(&bob, "incoming").await["items"][0]["username"], "alice");
    assert_eq!(sent_to(&alice).await, ["bob"], "the same request, now delivered");
    // Blocks are the blocker's own: alice's list is empty.
    assert_eq!(alice.get("/api/connections/blocks").await.json()["total"], 0);
    bob.post("/api/connections/blocks", json!({"username": "a"})).await.problem(422);
}

#[tokio::test]
async fn requests_are_rate_limited_per_sender_across_processes_without_telling_names_apart() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    app.user("carol").await;
    // Twenty requests an hour, to any names.
    for n in 0..19 {
        send_ok(&alice, &format!("nobody-{n}")).await;
    }
    app.clock.advance_minutes(10);
    send_ok(&alice, "carol").await;
    // The 21st: 429 for a real name and a made-up one alike, with the same body.
    let real = send(&alice, "bob").await;
    let made_up = send(&alice, "nobody-else").await;
    let problem = real.problem(429);
    assert_eq!(made_up.problem(429), problem);
    let retry: u64 = real.header("retry-after").expect("Retry-After").parse().unwrap();
    assert_eq!(retry, 50 * 60, "until the first attempt leaves the hour");
    assert_eq!(made_up.header("retry-after"), real.header("retry-after"));
    assert_eq!(requests(&bob, "incoming").await["total"], 0, "the refused request was not sent");
    // Another user has their own budget.
    send_ok(&bob, "carol").await;

    // A second server on the same database counts the same attempts.
    let second = app_on(Arc::clone(&app.database), |_| {}).await;
    let alice_there = second.persona("alice", PASSWORD);
    assert_eq!(alice_there.login().await.status, 200);
    send(&alice_there, "bob").await.problem(429);

    // Once the first nineteen leave the window, nineteen more may go.
    app.clock.advance_minutes(51);
    send_ok(&alice, "bob").await;
    assert_eq!(requests(&bob, "incoming").await["total"], 1);
    // The cleanup job forgets attempts outside the window.
    let defaults = umbra::server::default_system_settings(&app.config);
    umbra::jobs::cleanup::run_once(&app.db, umbra::domain::time::UtcMillis(app.clock.now_millis()), defaults)
        .await
        .unwrap();
    let kept: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM connection_attempts").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(kept, 3, "carol (10 min in), bob's own and the latest");
}

/// A burst sent at once, half through each of two servers on one database, still gets exactly
/// twenty through: the count and the new attempt are one serialised step per sender.
#[tokio::test]
async fn a_parallel_burst_over_two_servers_gets_exactly_the_limit_through() {
    let app = app().await;
    let alice = app.user("alice").await;
    let second = app_on(Arc::clone(&app.database), |_| {}).await;
    let alice_there = second.persona("alice", PASSWORD);
    assert_eq!(alice_there.login().await.status, 200);
    let names: Vec<String> = (0..30).map(|n| format!("nobody-{n}")).collect();
    let answers = join_all(names.iter().enumerate().map(|(n, name)| {
        let who = if n % 2 == 0 { &alice } else { &alice_there };
        send(who, name)
    }))
    .await;
    let sent = answers.iter().filter(|r| r.status == 202).count();
    let limited = answers.iter().filter(|r| r.status == 429).count();
    assert_eq!((sent, limited), (20, 10), "{:?}", answers.iter().map(|r| r.status).collect::<Vec<_>>());
    let counted: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM connection_attempts").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(counted, 20);
}

/// Requests that cross (each asks the other before either answers): the second reaches no
/// one (the pair has a request already) but is listed like any other, and accepting the first
/// answers both.
#[tokio::test]
async fn crossed_requests_connect_once() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    send_ok(&alice, "bob").await;
    send_ok(&bob, "alice").await;
    assert_eq!(sent_to(&bob).await, ["alice"]);
    assert_eq!(requests(&alice, "incoming").await["total"], 0);
    let id = only_request(&bob, "incoming").await;
    assert_eq!(bob.post_empty(&format!("/api/connections/requests/{id}/accept")).await.status, 200);
    assert!(connected(&app, "alice", "bob").await);
    assert_eq!(requests(&bob, "outgoing").await["total"], 0, "bob's own request is answered too");
    assert_eq!(requests(&alice, "outgoing").await["total"], 0);
}

/// Many pairs asking each other at the same instant. On PostgreSQL each request used to lock
/// its sender's row FOR UPDATE while the foreign-key check on the new row took FOR KEY SHARE on
/// the other user's: A→B and B→A deadlocked (40P01, a 500). Now both rows are locked in id
/// order, FOR NO KEY UPDATE: every answer is 202 and each pair has one delivered request.
#[tokio::test]
async fn crossed_requests_at_once_never_fail() {
    let app = app().await;
    let mut people = Vec::new();
    for n in 0..16 {
        people.push(app.user(&format!("user-{n:02}")).await);
    }
    let names: Vec<String> = (0..people.len()).map(|n| format!("user-{:02}", n ^ 1)).collect();
    let answers = join_all(people.iter().zip(&names).map(|(who, name)| send(who, name))).await;
    for answer in &answers {
        assert_eq!((answer.status, answer.body.as_str()), (202, RECEIPT));
    }
    let delivered: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM connections WHERE addressee_id IS NOT NULL")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(delivered, 8, "one per pair");
    for who in &people {
        assert_eq!(requests(who, "outgoing").await["total"], 1, "{}", who.username);
    }
}

/// A request and a block between the same two at the same instant: whichever goes first, the
/// blocker never ends up with the request (on PostgreSQL the request used to read the blocks
/// before the block committed and deliver anyway).
#[tokio::test]
async fn a_request_racing_a_block_never_gets_through() {
    let app = app().await;
    let bob = app.user("bob").await;
    let mut senders = Vec::new();
    for n in 0..8 {
        senders.push(app.user(&format!("sender-{n}")).await);
    }
    let requests_sent = join_all(senders.iter().map(|who| send(who, "bob")));
    let blocks = join_all(
        senders.iter().map(|who| bob.post("/api/connections/blocks", json!({"username": who.username.as_str()}))),
    );
    let (sent, blocked) = futures::join!(requests_sent, blocks);
    assert!(sent.iter().all(|r| r.status == 202));
    assert!(blocked.iter().all(|r| r.status == 201));
    assert_eq!(requests(&bob, "incoming").await["total"], 0);
    assert!(notifications(&bob).await.is_empty());
    for who in &senders {
        assert_eq!(sent_to(who).await, ["bob"], "the sender's list is the same either way");
    }
}

#[tokio::test]
async fn blocks_are_capped_per_user() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let alice_id = user_id(&app, "alice").await;
    for n in 0..999 {
        sqlx::query("INSERT INTO connection_blocks (blocker_id, username, created_at) VALUES ($1, $2, 0)")
            .bind(alice_id)
            .bind(format!("name-{n:04}"))
            .execute(app.db.pool())
            .await
            .unwrap();
    }
    let thousandth = alice.post("/api/connections/blocks", json!({"username": "bob"})).await;
    assert_eq!(thousandth.status, 201, "{}", thousandth.body);
    let over = alice.post("/api/connections/blocks", json!({"username": "one-more"})).await.problem(409);
    assert!(over["detail"].as_str().unwrap().contains("1000"), "{over}");
    // Blocking a name already blocked still answers that block; the count is unchanged.
    assert_eq!(alice.post("/api/connections/blocks", json!({"username": "name-0000"})).await.status, 201);
    assert_eq!(alice.get("/api/connections/blocks?limit=1").await.json()["total"], 1000);
    // Another user has their own allowance; unblocking one makes room.
    assert_eq!(bob.post("/api/connections/blocks", json!({"username": "one-more"})).await.status, 201);
    let id = thousandth.json()["id"].as_i64().unwrap();
    assert_eq!(alice.delete(&format!("/api/connections/blocks/{id}")).await.status, 204);
    assert_eq!(alice.post("/api/connections/blocks", json!({"username": "one-more"})).await.status, 201);
}

#[tokio::test]
async fn another_users_ids_are_404_on_every_verb() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    let mallory = app.user("mallory").await;
    let connection = connect(&alice, &bob).await;
    send_ok(&alice, "carol").await;
    let request = only_request(&carol, "incoming").await;
    let block = alice.post("/api/connections/blocks", json!({"username": "zed"})).await.json()["id"].as_i64().unwrap();
    // A request that reached nobody is alice's alone too.
    send_ok(&alice, "nobody-here").await;
    let unreached = requests(&alice, "outgoing").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["username"] == "nobody-here")
        .unwrap()["id"]
        .as_i64()
        .unwrap();

    for id in [connection, request, unreached, 999_999] {
        mallory.delete(&format!("/api/connections/{id}")).await.problem(404);
        mallory.post_empty(&format!("/api/connections/requests/{id}/accept")).await.problem(404);
        mallory.post_empty(&format!("/api/connections/requests/{id}/decline")).await.problem(404);
        mallory.delete(&format!("/api/connections/requests/{id}")).await.problem(404);
    }
    for id in [block, 999_999] {
        mallory.delete(&format!("/api/connections/blocks/{id}")).await.problem(404);
    }
    // Ids inside bodies are unknown fields, never followed.
    mallory.post("/api/connections", json!({"username": "alice", "user_id": 1})).await.problem(422);
    mallory.post("/api/connections/blocks", json!({"username": "alice", "blocker_id": 1})).await.problem(422);
    // Nothing changed for the owners, and mallory sees none of it.
    assert!(connected(&app, "alice", "bob").await);
    assert_eq!(requests(&carol, "incoming").await["total"], 1);
    assert_eq!(sent_to(&alice).await, ["carol", "nobody-here"]);
    assert_eq!(alice.get("/api/connections/blocks").await.json()["total"], 1);
    for path in [
        "/api/connections",
        "/api/connections/requests?direction=incoming",
        "/api/connections/requests?direction=outgoing",
        "/api/connections/blocks",
    ] {
        assert_eq!(mallory.get(path).await.json()["total"], 0, "{path}");
    }
}

#[tokio::test]
async fn bodies_and_parameters_are_checked() {
    let app = app().await;
    let alice = app.user("alice").await;
    for path in ["/api/connections", "/api/connections/blocks"] {
        for body in
            [json!({}), json!({"username": "bob", "extra": 1}), json!({"username": 5}), json!({"username": null})]
        {
            alice.post(path, body).await.problem(422);
        }
        let malformed = alice
            .request(
                Method::Post,
                path,
                Some("{\"username\": "),
                &[("X-Requested-With", "XMLHttpRequest"), ("Content-Type", "application/json")],
            )
            .await;
        malformed.problem(400);
        alice.post(path, json!({"username": "b".repeat(70_000)})).await.problem(413);
        // Without the CSRF header a state change is refused.
        let forged = alice
            .request(Method::Post, path, Some("{\"username\":\"bob\"}"), &[("Content-Type", "application/json")])
            .await;
        forged.problem(403);
    }
    let wrong = alice.get("/api/connections/requests?direction=sideways").await.problem(422);
    assert_eq!(wrong["errors"][0]["field"], "direction");
    alice.get("/api/connections?limit=0").await.problem(422);
    alice.get("/api/connections/blocks?offset=-1").await.problem(422);
    alice.delete("/api/connections/abc").await.problem(422);
    assert_eq!(
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM connection_attempts")
            .fetch_one(app.db.pool())
            .await
            .unwrap(),
        0,
        "refused bodies do not count towards the limit"
    );
}

#[tokio::test]
async fn signed_out_is_401_and_a_locked_session_423() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    send_ok(&bob, "alice").await;
    let id = only_request(&alice, "incoming").await;
    let anonymous = app.anonymous();
    assert_eq!(alice.post_empty("/api/auth/lock").await.status, 204);
    for (who, status) in [(&anonymous, 401), (&alice, 423)] {
        who.get("/api/connections").await.problem(status);
        who.get("/api/connections/requests").await.problem(status);
        who.get("/api/connections/blocks").await.problem(status);
        who.post("/api/connections", json!({"username": "bob"})).await.problem(status);
        who.post("/api/connections/blocks", json!({"username": "bob"})).await.problem(status);
        who.post_empty(&format!("/api/connections/requests/{id}/accept")).await.problem(status);
        who.post_empty(&format!("/api/connections/requests/{id}/decline")).await.problem(status);
        who.delete(&format!("/api/connections/requests/{id}")).await.problem(status);
        who.delete(&format!("/api/connections/{id}")).await.problem(status);
        who.delete("/api/connections/blocks/1").await.problem(status);
    }
    assert_eq!(alice.post("/api/auth/unlock", json!({"password": alice.password})).await.status, 204);
    assert_eq!(only_request(&alice, "incoming").await, id, "nothing happened while locked");
    assert_eq!(alice.post_empty(&format!("/api/connections/requests/{id}/accept")).await.status, 200);
}
