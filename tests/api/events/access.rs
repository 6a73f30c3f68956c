//! Access through the calendar capability: members of a shared calendar read (`read`) or also
//! write (`write`) its events; a read-only member or an invitee who tries to write is 403 (they
//! know the event exists); a share or invitation counts only while the two are connected, from
//! the very next request; invitees see accepted and tentative events read-only in their range
//! reads and hear of changes.

use serde_json::json;

use super::{add_calendar, connect, create, id, invite, range, share, timed, user_id};
use crate::harness::app;

const WINDOW: (&str, &str) = ("2027-01-01T00:00:00Z", "2027-02-01T00:00:00Z");

#[tokio::test]
async fn shared_calendars_give_their_level_and_read_only_members_get_403() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    connect(&alice, &bob).await;
    connect(&alice, &carol).await;
    let family = add_calendar(&app, "alice", "Family", "#123456").await;
    share(&app, family, "bob", "read").await;
    share(&app, family, "carol", "write").await;
    let mut body = timed("Dinner", "2027-01-10T18:00:00Z", "2027-01-10T20:00:00Z");
    body["calendar_id"] = json!(family);
    let dinner = create(&alice, body.clone()).await;
    let path = format!("/api/events/{}", id(&dinner));

    let seen = range(&bob, WINDOW.0, WINDOW.1).await;
    assert_eq!(seen.len(), 1);
    assert_eq!((seen[0]["access"].clone(), seen[0]["colour"].clone()), (json!("read"), json!("#123456")));
    assert_eq!(bob.get(&path).await.json()["access"], "read");
    bob.patch(&path, json!({"title": "mine now"})).await.problem(403);
    bob.delete(&path).await.problem(403);
    bob.post("/api/events", body.clone()).await.problem(403);
    // A writer creates, changes and deletes there, but cannot move events to unseen calendars.
    assert_eq!(range(&carol, WINDOW.0, WINDOW.1).await[0]["access"], "write");
    let made = create(&carol, body.clone()).await;
    assert_eq!(made["access"], "write");
    assert_eq!(carol.patch(&path, json!({"title": "Dinner at 7"})).await.status, 200);
    let private = add_calendar(&app, "alice", "Private", "#000000").await;
    carol.patch(&path, json!({"calendar_id": private})).await.problem(404);
    let carols = super::default_calendar(&app, "carol").await;
    bob.patch(&path, json!({"calendar_id": carols})).await.problem(403);
    assert_eq!(carol.delete(&format!("/api/events/{}", id(&made))).await.status, 204);
    // A member's colour for the calendar wins over the calendar's; the event's own over both.
    sqlx::query("INSERT INTO calendar_preferences (calendar_id, user_id, colour_override) VALUES ($1, $2, '#abcdef')")
        .bind(family)
        .bind(user_id(&app, "bob").await)
        .execute(app.db.pool())
        .await
        .unwrap();
    assert_eq!(range(&bob, WINDOW.0, WINDOW.1).await[0]["colour"], "#abcdef");
    assert_eq!(range(&alice, WINDOW.0, WINDOW.1).await[0]["colour"], "#123456");
    alice.patch(&path, json!({"colour": "#ff0000"})).await;
    assert_eq!(range(&bob, WINDOW.0, WINDOW.1).await[0]["colour"], "#ff0000");

    // Without the connection the share grants nothing, from the next request on.
    sqlx::query("DELETE FROM connections").execute(app.db.pool()).await.unwrap();
    assert!(range(&bob, WINDOW.0, WINDOW.1).await.is_empty());
    bob.get(&path).await.problem(404);
    carol.patch(&path, json!({"title": "x"})).await.problem(404);
}

#[tokio::test]
async fn invitees_see_accepted_events_read_only_and_hear_of_changes() {
    let app = app().await;
    let alice = app.user("alice").await;
    let dave = app.user("dave").await;
    let erin = app.user("erin").await;
    connect(&alice, &dave).await;
    connect(&alice, &erin).await;
    let mut body = timed("Party", "2027-01-15T19:00:00Z", "2027-01-15T23:00:00Z");
    body["recurrence"] = json!("FREQ=WEEKLY;COUNT=2");
    let party = create(&alice, body).await;
    let path = format!("/api/events/{}", id(&party));
    invite(&app, id(&party), "dave", "accepted").await;
    invite(&app, id(&party), "erin", "pending").await;

    let seen = range(&dave, WINDOW.0, WINDOW.1).await;
    assert_eq!(seen.len(), 2);
    assert_eq!((seen[0]["access"].clone(), seen[0]["rsvp"].clone()), (json!("invited"), json!("accepted")));
    assert!(range(&alice, WINDOW.0, WINDOW.1).await[0].get("rsvp").is_none());
    assert!(range(&erin, WINDOW.0, WINDOW.1).await.is_empty(), "pending invitations are not in the calendar");
    assert_eq!(erin.get(&path).await.json()["access"], "invited", "but the invitee may look at it");
    dave.patch(&format!("{path}?scope=all"), json!({"title": "x"})).await.problem(403);
    dave.delete(&format!("{path}?scope=all")).await.problem(403);
    sqlx::query("UPDATE event_invitations SET status = 'tentative' WHERE invitee_id = $1")
        .bind(user_id(&app, "erin").await)
        .execute(app.db.pool())
        .await
        .unwrap();
    assert_eq!(range(&erin, WINDOW.0, WINDOW.1).await[0]["rsvp"], "tentative");
    // Another event of Alice's stays hidden from them.
    create(&alice, timed("Private", "2027-01-16T19:00:00Z", "2027-01-16T20:00:00Z")).await;
    assert_eq!(range(&dave, WINDOW.0, WINDOW.1).await.len(), 2);

    // A new time tells both (not a new title only); a cancelled occurrence too.
    alice.patch(&format!("{path}?scope=all"), json!({"title": "Party!"})).await;
    alice.patch(&format!("{path}?scope=all"), json!({"start": "2027-01-15T20:00:00Z"})).await;
    alice.delete(&format!("{path}?scope=this&recurrence_id=2027-01-22T20:00:00Z")).await;
    let kinds = |json: serde_json::Value| -> Vec<String> {
        json["items"].as_array().unwrap().iter().map(|n| n["type"].as_str().unwrap().to_string()).collect()
    };
    let notes = kinds(dave.get("/api/notifications").await.json());
    assert_eq!(notes.iter().filter(|k| *k == "event_updated").count(), 1, "{notes:?}");
    assert_eq!(notes.iter().filter(|k| *k == "event_cancelled").count(), 1, "{notes:?}");
    assert_eq!(range(&dave, WINDOW.0, WINDOW.1).await.len(), 1);
    // Deleting the event takes it out of their calendars.
    assert_eq!(alice.delete(&format!("{path}?scope=all")).await.status, 204);
    assert!(range(&dave, WINDOW.0, WINDOW.1).await.is_empty());
    assert_eq!(
        kinds(erin.get("/api/notifications").await.json()).iter().filter(|k| *k == "event_cancelled").count(),
        2
    );
    // Without the connection the invitation grants nothing.
    let other = create(&alice, timed("Later", "2027-01-20T19:00:00Z", "2027-01-20T20:00:00Z")).await;
    invite(&app, id(&other), "dave", "accepted").await;
    assert_eq!(range(&dave, WINDOW.0, WINDOW.1).await.len(), 1);
    sqlx::query("DELETE FROM connections").execute(app.db.pool()).await.unwrap();
    assert!(range(&dave, WINDOW.0, WINDOW.1).await.is_empty());
    dave.get(&format!("/api/events/{}", id(&other))).await.problem(404);
}
