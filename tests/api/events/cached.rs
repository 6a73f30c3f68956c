//! The range answers kept by the server (`service::events::range_cache`) are given again only
//! while right: the same window read after each kind of change shows the change at once —
//! an event changed by its owner or by the owner of a shared calendar, a colour of one's own
//! set and set back, a share that appears and a connection that ends, an invitation answered
//! and declined, a new time zone moving all-day events — and a change made through a second
//! server on the same database is seen by the first on its next request.

use std::sync::Arc;

use serde_json::{Value, json};

use super::{add_calendar, connect, create, default_calendar, id, invite, range, share, timed};
use crate::harness::{Persona, TestApp, app, app_on};

const FROM: &str = "2030-03-01T00:00:00Z";
const TO: &str = "2030-03-08T00:00:00Z";

async fn titles(user: &Persona<'_>) -> Vec<String> {
    range(user, FROM, TO).await.iter().map(|item| item["title"].as_str().unwrap().to_string()).collect()
}

fn kept(app: &TestApp) -> usize {
    app.client.rocket().state::<umbra::server::AppState>().expect("the app's state").range_cache.len()
}

async fn colour_of(user: &Persona<'_>, title: &str) -> Value {
    let items = range(user, FROM, TO).await;
    items.iter().find(|item| item["title"] == title).map_or(Value::Null, |item| item["colour"].clone())
}

#[tokio::test]
async fn a_kept_window_shows_every_change_on_the_next_read() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    connect(&alice, &bob).await;
    assert!(titles(&alice).await.is_empty());
    assert_eq!(kept(&app), 1, "the answer is kept");

    // Her own event: made, then renamed.
    let walk = create(&alice, timed("Walk", "2030-03-02T09:00:00Z", "2030-03-02T10:00:00Z")).await;
    assert_eq!(titles(&alice).await, ["Walk"]);
    assert_eq!(titles(&alice).await, ["Walk"], "read twice, the same");
    let renamed = alice.patch(&format!("/api/events/{}", id(&walk)), json!({"title": "Long walk"})).await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert_eq!(titles(&alice).await, ["Long walk"]);

    // Her own colour for the calendar, set and set back (the same stamp as before the first
    // change must mean the same answer as then).
    let personal = default_calendar(&app, "alice").await;
    let own_colour = colour_of(&alice, "Long walk").await;
    let path = format!("/api/calendars/{personal}/preferences");
    assert_eq!(alice.patch(&path, json!({"colour_override": "#112233"})).await.status, 200);
    assert_eq!(colour_of(&alice, "Long walk").await, "#112233");
    assert_eq!(alice.patch(&path, json!({"colour_override": null})).await.status, 200);
    assert_eq!(colour_of(&alice, "Long walk").await, own_colour);

    // Bob's calendar, shared with her: it appears; his change shows; the connection ends
    // and it is gone.
    let club = add_calendar(&app, "bob", "Club", "#445566").await;
    let match_day = create(&bob, {
        let mut body = timed("Match", "2030-03-03T15:00:00Z", "2030-03-03T17:00:00Z");
        body["calendar_id"] = json!(club);
        body
    })
    .await;
    assert_eq!(titles(&alice).await, ["Long walk"]);
    share(&app, club, "alice", "read").await;
    assert_eq!(titles(&alice).await, ["Long walk", "Match"]);
    assert_eq!(bob.patch(&format!("/api/events/{}", id(&match_day)), json!({"title": "Final"})).await.status, 200);
    assert_eq!(titles(&alice).await, ["Long walk", "Final"]);

    // An invitation to an event in bob's unshared calendar: shown once answered yes, gone
    // once declined.
    let dinner = create(&bob, timed("Dinner", "2030-03-04T19:00:00Z", "2030-03-04T21:00:00Z")).await;
    invite(&app, id(&dinner), "alice", "accepted").await;
    assert_eq!(titles(&alice).await, ["Long walk", "Final", "Dinner"]);
    sqlx::query("UPDATE event_invitations SET status = 'declined'").execute(app.db.pool()).await.unwrap();
    assert_eq!(titles(&alice).await, ["Long walk", "Final"]);

    let connection = crate::calendars::connection_id(&app, "alice", "bob").await;
    assert_eq!(alice.delete(&format!("/api/connections/{connection}")).await.status, 204);
    assert_eq!(titles(&alice).await, ["Long walk"]);

    // An all-day event on the 8th falls outside the window in UTC, inside it 14 hours ahead.
    create(&alice, json!({"title": "Holiday", "all_day": true, "start_date": "2030-03-08", "end_date": "2030-03-09"}))
        .await;
    assert_eq!(titles(&alice).await, ["Long walk"]);
    assert_eq!(alice.patch("/api/settings", json!({"timezone": "Pacific/Kiritimati"})).await.status, 200);
    assert_eq!(titles(&alice).await, ["Long walk", "Holiday"]);
}

#[tokio::test]
async fn a_change_through_another_server_shows_at_once() {
    let first = app().await;
    let second = app_on(Arc::clone(&first.database), |_| {}).await;
    let alice = first.user("alice").await;
    let walk = create(&alice, timed("Walk", "2030-03-02T09:00:00Z", "2030-03-02T10:00:00Z")).await;
    assert_eq!(titles(&alice).await, ["Walk"]);
    let elsewhere = second.persona("alice", crate::harness::PASSWORD);
    assert_eq!(elsewhere.login().await.status, 200);
    let renamed = elsewhere.patch(&format!("/api/events/{}", id(&walk)), json!({"title": "Run"})).await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert_eq!(titles(&alice).await, ["Run"]);
}
