//! A client's PUT over an event with invitees tells them what the API's update would: a new
//! time (of the event, its rule or one occurrence) is "Event changed" for every invitee who
//! has not declined; a new title or the same object again is no news.

use crate::calendars::connect;
use crate::dav_kit::{dav_user, default_calendar_id, event_ics};
use crate::event_invitations::{invited, notification_titles, respond};
use crate::harness::app;

#[tokio::test]
async fn a_dav_put_that_moves_an_event_tells_its_invitees() {
    let app = app().await;
    let (alice, dav) = dav_user(&app, "alice").await;
    let bob = app.user("bob").await;
    connect(&alice, &bob).await;
    let (event, invitation) = invited(&alice, &bob).await;
    assert_eq!(respond(&bob, invitation, "accepted").await.status, 200);
    let uid = alice.get(&format!("/api/events/{event}")).await.json()["uid"].as_str().unwrap().to_string();
    let path = format!("{}{uid}.ics", dav.calendar(default_calendar_id(&alice).await));
    assert_eq!(dav.send("GET", &path, None, &[]).await.status, 200);

    // The API's event is 2030-03-04 09:00–10:00 UTC: a new title at the same time is no news.
    let renamed = event_ics(&uid, "Planning (room 2)", "20300304T090000Z", "20300304T100000Z");
    let put = dav.put(&path, &renamed, &[]).await;
    assert_eq!(put.status, 204, "{}", put.body);
    assert!(notification_titles(&bob, "event_updated").await.is_empty());

    let moved = event_ics(&uid, "Planning (room 2)", "20300305T090000Z", "20300305T100000Z");
    assert_eq!(dav.put(&path, &moved, &[]).await.status, 204);
    assert_eq!(notification_titles(&bob, "event_updated").await, ["Event changed: Planning (room 2)"]);

    // The same object again changes nothing the invitee cares about.
    assert_eq!(dav.put(&path, &moved, &[]).await.status, 204);
    assert_eq!(notification_titles(&bob, "event_updated").await.len(), 1);
    let invitee_view = bob.get("/api/events?start=2030-03-01T00:00:00Z&end=2030-04-01T00:00:00Z").await.json();
    assert_eq!(invitee_view["items"][0]["start"], "2030-03-05T09:00:00.000Z", "{invitee_view}");
}
