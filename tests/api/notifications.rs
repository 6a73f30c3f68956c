//! The notification centre (`/api/notifications`): newest first, the unread filter and count,
//! mark one or all read, delete, the fields the UI needs, `notify`'s idempotence on its source
//! key, the 90-day prune of read ones on the cleanup job's clock, and the 404/401/423 matrix.

use serde_json::{Value, json};
use umbra::domain::id::UserId;
use umbra::domain::notifications::NotificationKind;
use umbra::domain::time::UtcMillis;
use umbra::service::notifications::{Notice, notify};

use crate::harness::{Persona, TestApp, app};

const DAY: i64 = 24 * 60 * 60 * 1000;

async fn user_id(app: &TestApp, username: &str) -> UserId {
    UserId(
        sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
            .bind(username)
            .fetch_one(app.db.pool())
            .await
            .unwrap(),
    )
}

/// Writes a notification for `username` at `at` through `notify`, as the domains do.
async fn tell(app: &TestApp, username: &str, title: &str, at: i64, source_key: Option<&str>) -> Option<i64> {
    let notice = Notice {
        user_id: user_id(app, username).await,
        kind: NotificationKind::ReminderDue,
        title,
        body: "Body text",
        link: Some("/reminders"),
        late: false,
        source_key,
    };
    notify(app.db.pool(), &notice, UtcMillis(at)).await.unwrap().map(|id| id.0)
}

async fn list(who: &Persona<'_>, query: &str) -> Value {
    let response = who.get(&format!("/api/notifications{query}")).await;
    assert_eq!(response.status, 200, "{}", response.body);
    response.json()
}

fn titles(page: &Value) -> Vec<&str> {
    page["items"].as_array().unwrap().iter().map(|n| n["title"].as_str().unwrap()).collect()
}

async fn unread(who: &Persona<'_>) -> i64 {
    let response = who.get("/api/notifications/unread-count").await;
    assert_eq!(response.status, 200, "{}", response.body);
    let body = response.json();
    assert_eq!(body.as_object().unwrap().len(), 1, "only the count: {body}");
    body["count"].as_i64().unwrap()
}

#[tokio::test]
async fn the_centre_lists_newest_first_and_marks_and_deletes() {
    let app = app().await;
    let alice = app.user("alice").await;
    let now = app.clock.now_millis();
    assert_eq!(unread(&alice).await, 0);
    assert_eq!(list(&alice, "").await["total"], 0);
    let first = tell(&app, "alice", "First", now - 3000, None).await.unwrap();
    let second = tell(&app, "alice", "Second", now - 2000, None).await.unwrap();
    let third = tell(&app, "alice", "Third", now - 1000, None).await.unwrap();
    // A late delivery carries the flag.
    let notice = Notice {
        user_id: user_id(&app, "alice").await,
        kind: NotificationKind::Birthday,
        title: "Late",
        body: "",
        link: None,
        late: true,
        source_key: None,
    };
    notify(app.db.pool(), &notice, UtcMillis(now)).await.unwrap();

    let page = list(&alice, "").await;
    assert_eq!(titles(&page), ["Late", "Third", "Second", "First"]);
    assert_eq!(page["total"], 4);
    assert_eq!(unread(&alice).await, 4);
    let item = &page["items"][1];
    assert_eq!(
        item,
        &json!({"id": third, "type": "reminder_due", "title": "Third", "body": "Body text", "link": "/reminders",
                "created_at": UtcMillis(now - 1000).to_rfc3339(), "read_at": null, "late": false})
    );
    assert_eq!(page["items"][0]["late"], true);
    assert_eq!(page["items"][0]["type"], "birthday");
    assert_eq!(page["items"][0]["link"], Value::Null);
    // Paging keeps the order.
    assert_eq!(titles(&list(&alice, "?limit=2&offset=1").await), ["Third", "Second"]);

    // Mark one read: it leaves the unread list and the count; reading again keeps the time.
    let read = alice.post_empty(&format!("/api/notifications/{second}/read")).await;
    assert_eq!(read.status, 200, "{}", read.body);
    let read_at = read.json()["read_at"].clone();
    assert_eq!(read_at, json!(UtcMillis(now).to_rfc3339()));
    app.clock.advance_minutes(1);
    assert_eq!(alice.post_empty(&format!("/api/notifications/{second}/read")).await.json()["read_at"], read_at);
    assert_eq!(unread(&alice).await, 3);
    assert_eq!(titles(&list(&alice, "?unread=true").await), ["Late", "Third", "First"]);
    assert_eq!(list(&alice, "?unread=true").await["total"], 3);
    assert_eq!(list(&alice, "?unread=false").await["total"], 4);

    // Delete one; then mark the rest read.
    assert_eq!(alice.delete(&format!("/api/notifications/{first}")).await.status, 204);
    alice.delete(&format!("/api/notifications/{first}")).await.problem(404);
    assert_eq!(titles(&list(&alice, "").await), ["Late", "Third", "Second"]);
    let all = alice.post_empty("/api/notifications/read-all").await;
    assert_eq!(all.status, 200, "{}", all.body);
    assert_eq!(all.json(), json!({"marked": 2}));
    assert_eq!(unread(&alice).await, 0);
    assert_eq!(list(&alice, "?unread=true").await["total"], 0);
    let page = list(&alice, "").await;
    assert!(page["items"].as_array().unwrap().iter().all(|n| n["read_at"].is_string()));
    assert_eq!(page["items"][2]["read_at"], read_at, "read-all keeps earlier read times");
    assert_eq!(alice.post_empty("/api/notifications/read-all").await.json(), json!({"marked": 0}));
}

#[tokio::test]
async fn notify_is_idempotent_on_its_source_key_and_links_stay_in_the_app() {
    let app = app().await;
    let alice = app.user("alice").await;
    app.user("bob").await;
    let now = app.clock.now_millis();
    assert!(tell(&app, "alice", "Once", now, Some("reminder:1:100")).await.is_some());
    assert_eq!(tell(&app, "alice", "Once again", now, Some("reminder:1:100")).await, None);
    // The same key for another user, and another occurrence, are their own notifications.
    assert!(tell(&app, "bob", "Bob's", now, Some("reminder:1:100")).await.is_some());
    assert!(tell(&app, "alice", "Next time", now, Some("reminder:1:200")).await.is_some());
    assert_eq!(titles(&list(&alice, "").await), ["Next time", "Once"]);

    // A link is an app path; anything that leaves the app is dropped. Long text is cut.
    for (link, kept) in [("/connections", true), ("https://evil.example/", false), ("//evil.example", false)] {
        let notice = Notice {
            user_id: user_id(&app, "alice").await,
            kind: NotificationKind::TodoDue,
            title: &"t".repeat(300),
            body: "",
            link: Some(link),
            late: false,
            source_key: None,
        };
        notify(app.db.pool(), &notice, UtcMillis(now + 1)).await.unwrap();
        let newest = list(&alice, "?limit=1").await["items"][0].clone();
        assert_eq!(newest["link"] == link, kept, "{link}");
        assert_eq!(newest["title"].as_str().unwrap().chars().count(), 200);
    }
}

#[tokio::test]
async fn read_notifications_older_than_ninety_days_are_pruned_by_the_cleanup_job() {
    let app = app().await;
    let alice = app.user("alice").await;
    let now = app.clock.now_millis();
    let old_read = tell(&app, "alice", "Old and read", now - 91 * DAY, None).await.unwrap();
    tell(&app, "alice", "Old and unread", now - 91 * DAY, None).await.unwrap();
    let recent_read = tell(&app, "alice", "Recent and read", now - 89 * DAY, None).await.unwrap();
    tell(&app, "alice", "New", now, None).await.unwrap();
    for id in [old_read, recent_read] {
        assert_eq!(alice.post_empty(&format!("/api/notifications/{id}/read")).await.status, 200);
    }
    let defaults = umbra::server::default_system_settings(&app.config);
    umbra::jobs::cleanup::run_once(&app.db, UtcMillis(now), defaults).await.unwrap();
    assert_eq!(titles(&list(&alice, "").await), ["New", "Recent and read", "Old and unread"]);
    // Two days on (on the job's clock), the read one from 89 days ago goes too; unread stay.
    umbra::jobs::cleanup::run_once(&app.db, UtcMillis(now + 2 * DAY), defaults).await.unwrap();
    assert_eq!(titles(&list(&alice, "").await), ["New", "Old and unread"]);
}

#[tokio::test]
async fn another_users_notifications_are_404_on_every_verb() {
    let app = app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let now = app.clock.now_millis();
    let id = tell(&app, "alice", "Private", now, None).await.unwrap();
    for target in [id, 999_999] {
        bob.post_empty(&format!("/api/notifications/{target}/read")).await.problem(404);
        bob.delete(&format!("/api/notifications/{target}")).await.problem(404);
    }
    // Bob's read-all and list touch only his own.
    assert_eq!(bob.post_empty("/api/notifications/read-all").await.json(), json!({"marked": 0}));
    assert_eq!(list(&bob, "").await["total"], 0);
    assert_eq!(unread(&bob).await, 0);
    assert_eq!(unread(&alice).await, 1);
    assert_eq!(list(&alice, "").await["items"][0]["read_at"], Value::Null);
    // Bad parameters and ids.
    assert_eq!(alice.get("/api/notifications?unread=maybe").await.problem(422)["errors"][0]["field"], "unread");
    alice.get("/api/notifications?limit=501").await.problem(422);
    alice.post_empty("/api/notifications/abc/read").await.problem(422);
    alice.post_empty("/api/notifications/0/read").await.problem(422);
}

#[tokio::test]
async fn signed_out_is_401_and_a_locked_session_423() {
    let app = app().await;
    let alice = app.user("alice").await;
    let id = tell(&app, "alice", "Locked away", app.clock.now_millis(), None).await.unwrap();
    let anonymous = app.anonymous();
    assert_eq!(alice.post_empty("/api/auth/lock").await.status, 204);
    for (who, status) in [(&anonymous, 401), (&alice, 423)] {
        who.get("/api/notifications").await.problem(status);
        who.get("/api/notifications/unread-count").await.problem(status);
        who.post_empty(&format!("/api/notifications/{id}/read")).await.problem(status);
        who.post_empty("/api/notifications/read-all").await.problem(status);
        who.delete(&format!("/api/notifications/{id}")).await.problem(status);
    }
    assert_eq!(alice.post("/api/auth/unlock", json!({"password": alice.password})).await.status, 204);
    assert_eq!(unread(&alice).await, 1, "nothing changed while locked");
}
