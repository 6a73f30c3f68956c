//! Invitations (`/api/event-invitations`, `GET /api/events/{id}/invitations`): only writers of
//! the event's calendar invite, only connections can be invited (one answer for every name
//! that cannot, whoever it belongs to; all or nothing), the invitee's list and RSVP, the
//! organiser told of answers, accepted and tentative events in the invitee's range read
//! read-only, time changes and cancellations reaching invitees, a "this and following" split
//! carrying the invitations and their answers to the new series, withdrawal, a removed
//! connection ending it all, and the 404/401/423 matrix.

use serde_json::{Value, json};

use crate::calendars::{connect, connection_id, create_calendar, default_calendar, fields, id, send};
use crate::harness::{Persona, Resp, app};

/// Creates a one-hour timed event in `calendar` and returns it.
async fn create_event(who: &Persona<'_>, calendar: i64, title: &str) -> Value {
    let response = who
        .post(
            "/api/events",
            json!({"calendar_id": calendar, "title": title, "start": "2030-03-04T09:00:00Z",
                   "end": "2030-03-04T10:00:00Z", "timezone": "UTC"}),
        )
        .await;
    assert_eq!(response.status, 201, "{}", response.body);
    response.json()
}

async fn invite(who: &Persona<'_>, event: i64, names: &[&str]) -> Resp {
    who.post("/api/event-invitations", json!({"event_id": event, "usernames": names})).await
}

async fn invitations(who: &Persona<'_>, query: &str) -> Value {
    let response = who.get(&format!("/api/event-invitations{query}")).await;
    assert_eq!(response.status, 200, "{}", response.body);
    response.json()
}

pub(crate) async fn respond(who: &Persona<'_>, invitation: i64, status: &str) -> Resp {
    who.post(&format!("/api/event-invitations/{invitation}/respond"), json!({"status": status})).await
}

pub(crate) async fn notification_titles(who: &Persona<'_>, kind: &str) -> Vec<String> {
    let page = who.get("/api/notifications?limit=500").await.json();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["type"] == kind)
        .map(|n| n["title"].as_str().unwrap().to_string())
        .collect()
}

/// The range read of March 2030 as `who` sees it.
async fn march(who: &Persona<'_>) -> Vec<Value> {
    let response = who.get("/api/events?start=2030-03-01T00:00:00Z&end=2030-04-01T00:00:00Z").await;
    assert_eq!(response.status, 200, "{}", response.body);
    response.json()["items"].as_array().unwrap().clone()
}

/// Alice's event "Planning" in her default calendar, Bob invited; (event id, invitation id).
pub(crate) async fn invited(alice: &Persona<'_>, bob: &Persona<'_>) -> (i64, i64) {
    let calendar = id(&default_calendar(alice).await);
    let event = id(&create_event(alice, calendar, "Planning").await);
    let response = invite(alice, event, &[&bob.username]).await;
    assert_eq!(response.status, 201, "{}", response.body);
    (event, id(&response.json()["items"][0]))
}

#[tokio::test]
async fn an_invitee_answers_and_the_organiser_sees_it() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    connect(&alice, &bob).await;
    let calendar = id(&default_calendar(&alice).await);
    let event = id(&create_event(&alice, calendar, "Planning").await);
    let response = invite(&alice, event, &["Bob"]).await;
    assert_eq!(response.status, 201, "{}", response.body);
    let guest = &response.json()["items"][0];
    assert_eq!((guest["user"]["username"].clone(), guest["status"].clone()), (json!("bob"), json!("pending")));
    let invitation = id(guest);
    assert_eq!(notification_titles(&bob, "event_invitation").await, ["alice invited you to “Planning”"]);

    let mine = invitations(&bob, "").await;
    assert_eq!(mine["total"], 1);
    let item = &mine["items"][0];
    assert_eq!((item["title"].clone(), item["status"].clone()), (json!("Planning"), json!("pending")));
    assert_eq!(
        (item["start"].clone(), item["end"].clone()),
        (json!("2030-03-04T09:00:00.000Z"), json!("2030-03-04T10:00:00.000Z"))
    );
    assert_eq!((item["all_day"].clone(), item["organiser"]["username"].clone()), (json!(false), json!("alice")));
    assert_eq!(invitations(&bob, "?status=pending").await["total"], 1);
    assert_eq!(invitations(&bob, "?status=accepted").await["total"], 0);
    assert_eq!(fields(&bob.get("/api/event-invitations?status=maybe").await), ["status"]);
    assert_eq!(bob.get(&format!("/api/event-invitations/{invitation}")).await.json()["title"], "Planning");
    // Pending: not in the calendar yet, but the event itself may be looked at.
    assert!(march(&bob).await.is_empty());
    assert_eq!(bob.get(&format!("/api/events/{event}")).await.status, 200);

    let accepted = respond(&bob, invitation, "accepted").await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    assert_eq!(accepted.json()["status"], "accepted");
    assert!(accepted.json()["responded_at"].is_string());
    assert_eq!(notification_titles(&alice, "invitation_response").await, ["bob accepted “Planning”"]);
    let guests = alice.get(&format!("/api/events/{event}/invitations")).await.json();
    assert_eq!((guests["total"].clone(), guests["items"][0]["status"].clone()), (json!(1), json!("accepted")));
    assert_eq!(invitations(&bob, "?status=accepted").await["total"], 1);

    // Accepted: in the invitee's range read, read-only.
    let items = march(&bob).await;
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!((items[0]["access"].clone(), items[0]["rsvp"].clone()), (json!("invited"), json!("accepted")));
    let write = bob.patch(&format!("/api/events/{event}"), json!({"title": "Mine now"})).await;
    assert!(write.status == 403 || write.status == 404, "an invitee never writes: {}", write.body);
    assert_eq!(alice.get(&format!("/api/events/{event}")).await.json()["title"], "Planning");
    // Tentative stays; declined leaves the calendar. Answering the same again tells nobody.
    assert_eq!(respond(&bob, invitation, "tentative").await.status, 200);
    assert_eq!(march(&bob).await[0]["rsvp"], "tentative");
    assert_eq!(respond(&bob, invitation, "declined").await.status, 200);
    assert!(march(&bob).await.is_empty());
    // Declined: the event is no longer the invitee's to look at (the invitation still is).
    bob.get(&format!("/api/events/{event}")).await.problem(404);
    assert_eq!(respond(&bob, invitation, "declined").await.status, 200);
    assert_eq!(notification_titles(&alice, "invitation_response").await.len(), 3);
    assert_eq!(fields(&respond(&bob, invitation, "pending").await), ["status"]);
    respond(&bob, invitation, "maybe").await.problem(422);
    bob.post(&format!("/api/event-invitations/{invitation}/respond"), json!({"status": "accepted", "x": 1}))
        .await
        .problem(422);
}

#[tokio::test]
async fn only_connections_can_be_invited_and_the_answer_reveals_nobody() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    app.user("carol").await;
    connect(&alice, &bob).await;
    let event = id(&create_event(&alice, id(&default_calendar(&alice).await), "Party").await);
    let unknown = invite(&alice, event, &["nobody-here"]).await;
    let stranger = invite(&alice, event, &["carol"]).await;
    let herself = invite(&alice, event, &["alice"]).await;
    let malformed = invite(&alice, event, &["?"]).await;
    assert_eq!(fields(&unknown), ["usernames[0]"]);
    for response in [&stranger, &herself, &malformed] {
        assert_eq!((response.status, response.body.as_str()), (422, unknown.body.as_str()), "byte-identical");
    }
    // All or none: Bob is not invited when another name fails.
    let mixed = invite(&alice, event, &["bob", "carol"]).await;
    assert_eq!(fields(&mixed), ["usernames[1]"]);
    assert_eq!(invitations(&bob, "").await["total"], 0);
    assert!(notification_titles(&bob, "event_invitation").await.is_empty());
    assert_eq!(fields(&invite(&alice, event, &[]).await), ["usernames"]);
    let many: Vec<String> = (0..51).map(|n| format!("user{n}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    assert_eq!(fields(&invite(&alice, event, &many).await), ["usernames"]);
    // Inviting twice keeps one invitation and its answer, and tells Bob once.
    let (_, invitation) = (event, id(&invite(&alice, event, &["bob"]).await.json()["items"][0]));
    respond(&bob, invitation, "accepted").await;
    let again = invite(&alice, event, &["bob", "BOB"]).await;
    assert_eq!(again.status, 201, "{}", again.body);
    assert_eq!(again.json()["items"].as_array().unwrap().len(), 1);
    assert_eq!(again.json()["items"][0]["status"], "accepted");
    assert_eq!(notification_titles(&bob, "event_invitation").await.len(), 1);
}

#[tokio::test]
async fn only_writers_of_the_calendar_manage_invitations() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    let dave = app.user("dave").await;
    let eve = app.user("eve").await;
    for other in [&bob, &carol, &dave] {
        connect(&alice, other).await;
    }
    connect(&dave, &bob).await;
    let work = create_calendar(&alice, json!({"name": "Work"})).await;
    for (member, level) in [(&carol, "read"), (&dave, "write")] {
        let offer = alice
            .post(
                "/api/shared-calendars",
                json!({"calendar_id": id(&work), "username": member.username, "level": level}),
            )
            .await
            .json();
        member.post_empty(&format!("/api/shared-calendars/{}/accept", id(&offer))).await;
    }
    let event = id(&create_event(&alice, id(&work), "Review").await);
    let invitation = id(&invite(&alice, event, &["bob"]).await.json()["items"][0]);
    let guests = format!("/api/events/{event}/invitations");
    // A reader and the invitee see the event but not its guests, and invite nobody (403).
    for who in [&carol, &bob] {
        invite(who, event, &["dave"]).await.problem(403);
        who.get(&guests).await.problem(403);
    }
    // A stranger sees nothing (404, the same as an event that does not exist).
    let missing = alice.get("/api/events/999999/invitations").await;
    missing.problem(404);
    for response in [invite(&eve, event, &["alice"]).await, eve.get(&guests).await] {
        assert_eq!((response.status, response.body.as_str()), (404, missing.body.as_str()));
    }
    // A writer lists the guests and invites (connections of both them and the organiser).
    assert_eq!(dave.get(&guests).await.json()["total"], 1);
    let by_dave = invite(&dave, event, &["carol"]).await;
    assert_eq!(fields(&by_dave), ["usernames[0]"], "carol is not connected to dave");
    // A writer withdraws; the invitee cannot (they decline instead); a reader or stranger never sees it.
    bob.delete(&format!("/api/event-invitations/{invitation}")).await.problem(403);
    carol.delete(&format!("/api/event-invitations/{invitation}")).await.problem(404);
    eve.delete(&format!("/api/event-invitations/{invitation}")).await.problem(404);
    assert_eq!(dave.delete(&format!("/api/event-invitations/{invitation}")).await.status, 204);
    assert_eq!(invitations(&bob, "").await["total"], 0);
    assert!(notification_titles(&bob, "event_invitation").await.is_empty(), "its notification went with it");
    bob.get(&format!("/api/events/{event}")).await.problem(404);
}

#[tokio::test]
async fn invitees_hear_of_changes_and_cancellations() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    connect(&alice, &bob).await;
    let (event, invitation) = invited(&alice, &bob).await;
    respond(&bob, invitation, "accepted").await;
    let moved = alice
        .patch(&format!("/api/events/{event}"), json!({"start": "2030-03-05T09:00:00Z", "end": "2030-03-05T10:00:00Z"}))
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(notification_titles(&bob, "event_updated").await.len(), 1);
    assert_eq!(march(&bob).await[0]["start"], "2030-03-05T09:00:00.000Z");
    assert_eq!(alice.delete(&format!("/api/events/{event}")).await.status, 204);
    assert_eq!(notification_titles(&bob, "event_cancelled").await.len(), 1);
    assert!(march(&bob).await.is_empty(), "a cancelled event leaves the invitee's calendar");
    assert_eq!(invitations(&bob, "").await["total"], 0);
    bob.post(&format!("/api/event-invitations/{invitation}/respond"), json!({"status": "declined"})).await.problem(404);
}

#[tokio::test]
async fn deleting_a_calendar_cancels_its_invitations() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    connect(&alice, &bob).await;
    let work = create_calendar(&alice, json!({"name": "Work"})).await;
    let event = id(&create_event(&alice, id(&work), "Offsite").await);
    create_event(&alice, id(&work), "Standup").await;
    invite(&alice, event, &["bob"]).await;
    assert_eq!(alice.get(&format!("/api/calendars/{}", id(&work))).await.json()["event_count"], 2);
    assert_eq!(alice.delete(&format!("/api/calendars/{}", id(&work))).await.status, 204);
    alice.get(&format!("/api/events/{event}")).await.problem(404);
    assert_eq!(notification_titles(&bob, "event_cancelled").await, ["Event cancelled: Offsite"]);
    assert_eq!(invitations(&bob, "").await["total"], 0);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(left, 0, "the calendar's events went with it");
}

#[tokio::test]
async fn a_removed_connection_ends_the_invitation() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    connect(&alice, &bob).await;
    let (event, invitation) = invited(&alice, &bob).await;
    respond(&bob, invitation, "accepted").await;
    assert_eq!(march(&bob).await.len(), 1);
    let connection = connection_id(&app, "alice", "bob").await;
    assert_eq!(alice.delete(&format!("/api/connections/{connection}")).await.status, 204);
    assert!(march(&bob).await.is_empty());
    bob.get(&format!("/api/events/{event}")).await.problem(404);
    assert_eq!(invitations(&bob, "").await["total"], 0);
    respond(&bob, invitation, "declined").await.problem(404);
    bob.get(&format!("/api/event-invitations/{invitation}")).await.problem(404);
    // Connecting again does not revive it, and later changes reach nobody.
    connect(&alice, &bob).await;
    assert!(march(&bob).await.is_empty());
    bob.get(&format!("/api/events/{event}")).await.problem(404);
    let before = bob.get("/api/notifications").await.json()["total"].clone();
    let moved = json!({"start": "2030-03-05T09:00:00Z", "end": "2030-03-05T10:00:00Z"});
    assert_eq!(alice.patch(&format!("/api/events/{event}"), moved).await.status, 200);
    assert_eq!(bob.get("/api/notifications").await.json()["total"], before);
}

#[tokio::test]
async fn another_users_invitations_are_never_found() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let eve = app.user("eve").await;
    connect(&alice, &bob).await;
    connect(&alice, &eve).await;
    let (event, invitation) = invited(&alice, &bob).await;
    let before = alice.get(&format!("/api/events/{event}/invitations")).await.body;
    let missing = alice.get("/api/event-invitations/999999").await;
    missing.problem(404);
    for (method, path, body) in [
        ("GET", format!("/api/event-invitations/{invitation}"), None),
        ("POST", format!("/api/event-invitations/{invitation}/respond"), Some(json!({"status": "accepted"}))),
        ("DELETE", format!("/api/event-invitations/{invitation}"), None),
        ("GET", format!("/api/events/{event}/invitations"), None),
    ] {
        let response = send(&eve, method, &path, body).await;
        assert_eq!((response.status, response.body.as_str()), (404, missing.body.as_str()), "{method} {path}");
    }
    // Alice's event id inside Eve's body.
    let response = invite(&eve, event, &["alice"]).await;
    assert_eq!((response.status, response.body.as_str()), (404, missing.body.as_str()));
    // The organiser cannot answer for Bob: not her invitation.
    respond(&alice, invitation, "declined").await.problem(404);
    assert_eq!(alice.get(&format!("/api/events/{event}/invitations")).await.body, before);
    assert_eq!(invitations(&eve, "").await["total"], 0);
}

#[tokio::test]
async fn bodies_are_strict_and_routes_need_an_unlocked_session() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    connect(&alice, &bob).await;
    let (event, invitation) = invited(&alice, &bob).await;
    alice
        .post("/api/event-invitations", json!({"event_id": event, "usernames": ["bob"], "status": "accepted"}))
        .await
        .problem(422);
    alice.post("/api/event-invitations", json!({"event_id": event})).await.problem(422);
    alice.post("/api/event-invitations", json!({"event_id": event, "usernames": "bob"})).await.problem(422);
    let huge =
        alice.post("/api/event-invitations", json!({"event_id": event, "usernames": ["x".repeat(70_000)]})).await;
    assert_eq!(huge.status, 413);
    let routes = vec![
        ("GET", "/api/event-invitations".to_string(), None),
        ("POST", "/api/event-invitations".to_string(), Some(json!({"event_id": event, "usernames": ["bob"]}))),
        ("GET", format!("/api/event-invitations/{invitation}"), None),
        ("POST", format!("/api/event-invitations/{invitation}/respond"), Some(json!({"status": "accepted"}))),
        ("DELETE", format!("/api/event-invitations/{invitation}"), None),
        ("GET", format!("/api/events/{event}/invitations"), None),
    ];
    let anonymous = app.anonymous();
    for (method, path, body) in &routes {
        let response = send(&anonymous, method, path, body.clone()).await;
        assert_eq!(response.status, 401, "{method} {path}: {}", response.body);
    }
    assert_eq!(bob.post_empty("/api/auth/lock").await.status, 204);
    for (method, path, body) in &routes {
        let response = send(&bob, method, path, body.clone()).await;
        assert_eq!(response.status, 423, "{method} {path}: {}", response.body);
    }
    assert_eq!(invitations(&alice, "").await["total"], 0);
}

/// Alice's weekly "Standup" in `calendar` (four Mondays of March 2030), Bob invited and
/// accepted, Carol invited and tentative; the event id.
async fn weekly_with_answers(alice: &Persona<'_>, bob: &Persona<'_>, carol: &Persona<'_>, calendar: i64) -> i64 {
    let made = alice
        .post(
            "/api/events",
            json!({"calendar_id": calendar, "title": "Standup", "start": "2030-03-04T09:00:00Z",
                   "end": "2030-03-04T10:00:00Z", "timezone": "UTC", "recurrence": "FREQ=WEEKLY;COUNT=4"}),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let event = id(&made.json());
    let guests = invite(alice, event, &[&bob.username, &carol.username]).await.json();
    for (who, answer) in [(bob, "accepted"), (carol, "tentative")] {
        let mine = guests["items"].as_array().unwrap().iter().find(|g| g["user"]["username"] == who.username);
        assert_eq!(respond(who, id(mine.unwrap()), answer).await.status, 200);
    }
    event
}

/// Who sees which occurrences, as (title, start, access, rsvp).
async fn seen(who: &Persona<'_>) -> Vec<(String, String, String, String)> {
    let mut items: Vec<_> = march(who)
        .await
        .iter()
        .map(|o| {
            let text = |key: &str| o[key].as_str().unwrap_or_default().to_string();
            (text("title"), text("start"), text("access"), text("rsvp"))
        })
        .collect();
    items.sort_by(|a, b| a.1.cmp(&b.1));
    items
}

/// "This and following" splits the series in two; both halves are the event the invitees
/// answered, so each keeps every invitation with its answer, and the invitees hear once.
async fn split_keeps_invitations(by_a_writer: bool) {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    let dave = app.user("dave").await;
    for other in [&bob, &carol, &dave] {
        connect(&alice, other).await;
    }
    let work = id(&create_calendar(&alice, json!({"name": "Work"})).await);
    let offer = alice
        .post("/api/shared-calendars", json!({"calendar_id": work, "username": "dave", "level": "write"}))
        .await
        .json();
    dave.post_empty(&format!("/api/shared-calendars/{}/accept", id(&offer))).await;
    let event = weekly_with_answers(&alice, &bob, &carol, work).await;
    // Dave may write the calendar but knows neither invitee: the organiser stays Alice.
    let editor = if by_a_writer { &dave } else { &alice };
    let split = editor
        .patch(
            &format!("/api/events/{event}?scope=following&recurrence_id=2030-03-18T09:00:00.000Z"),
            json!({"title": "Standup (new room)"}),
        )
        .await;
    assert_eq!(split.status, 200, "{}", split.body);
    let later = id(&split.json());
    assert_ne!(later, event);

    for (who, rsvp) in [(&bob, "accepted"), (&carol, "tentative")] {
        let expected: Vec<_> =
            [("Standup", 4), ("Standup", 11), ("Standup (new room)", 18), ("Standup (new room)", 25)]
                .iter()
                .map(|(title, day)| {
                    (
                        title.to_string(),
                        format!("2030-03-{day:02}T09:00:00.000Z"),
                        "invited".to_string(),
                        rsvp.to_string(),
                    )
                })
                .collect();
        assert_eq!(seen(who).await, expected, "{}", who.username);
        let detail = who.get(&format!("/api/events/{later}")).await;
        assert_eq!((detail.status, detail.json()["title"].clone()), (200, json!("Standup (new room)")));
        assert_eq!(
            notification_titles(who, "event_updated").await,
            ["Event changed: Standup (new room)"],
            "one notice for one change"
        );
        assert_eq!(invitations(who, &format!("?status={rsvp}")).await["total"], 2, "one per half");
    }
    let guests = alice.get(&format!("/api/events/{later}/invitations")).await.json();
    let answers: Vec<_> = guests["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["user"]["username"].clone(), g["status"].clone()))
        .collect();
    assert_eq!(answers, [(json!("bob"), json!("accepted")), (json!("carol"), json!("tentative"))]);
}

#[tokio::test]
async fn a_following_split_by_the_organiser_keeps_the_invitations_and_answers() {
    split_keeps_invitations(false).await;
}

#[tokio::test]
async fn a_following_split_by_another_writer_keeps_the_organiser_and_the_invitations() {
    split_keeps_invitations(true).await;
}
