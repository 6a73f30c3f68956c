//! The objects the cross-user matrix aims at, made through the API as their owners would
//! make them, and the map from what a path or body parameter names to the object of that
//! kind. Alice owns one object of every kind a path parameter can name; some are shared with
//! Bob on purpose (a calendar he may read, a project he views, an event he is invited to),
//! and those form the "granted" worlds. Bob owns a smaller set of his own, for the bodies
//! that carry ids. Every name Alice gives carries a marker (`zq-alice-private`,
//! `zq-alice-shared`), so a leak shows up in any answer Bob gets.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_rs::prelude::{CreationChallengeResponse, Url};

use crate::harness::{Persona, TestApp};

/// Marks Alice's objects that nobody else may see.
pub const PRIVATE: &str = "zq-alice-private";
/// Marks Alice's objects shared with Bob.
pub const SHARED: &str = "zq-alice-shared";

/// What a path parameter names, keyed by the path segment before it and its own name
/// (`/api/projects/{id}/tasks/{task_id}` has `("projects", "id")` and `("tasks", "task_id")`).
/// A parameter missing here fails the matrix: a new route must say what it points at.
pub const PATH_SLOTS: &[(&str, &str, &str)] = &[
    ("users", "id", "user"),
    ("app-passwords", "id", "app_password"),
    ("app-passwords", "app_password_id", "app_password"),
    ("oidc", "identity_id", "oidc_identity"),
    ("identities", "id", "oidc_identity"),
    ("passkeys", "id", "passkey"),
    ("sessions", "id", "session"),
    ("calendars", "id", "calendar"),
    ("ics", "file", "feed_file"),
    ("shared-calendars", "id", "share"),
    ("events", "id", "event"),
    ("event-invitations", "id", "event_invitation"),
    ("event-templates", "id", "event_template"),
    ("todos", "id", "todo"),
    ("categories", "id", "todo_category"),
    ("reminders", "id", "reminder"),
    ("people", "id", "person"),
    ("locations", "id", "location"),
    ("projects", "id", "project"),
    ("members", "member_id", "project_member"),
    ("tasks", "task_id", "task"),
    ("comments", "comment_id", "comment"),
    ("notifications", "id", "notification"),
    ("connections", "id", "connection"),
    ("requests", "id", "connection_request"),
    ("blocks", "id", "block"),
    // `/api/push-actions/{todos|reminders}/{id}/{action}`: the action is a word, not an id.
    ("todos", "action", "push_action"),
    ("reminders", "action", "push_action"),
];

/// What an id inside a request body names, by field name. A body field that looks like an
/// id (an integer `…_id`, `…_ids` or `ids`) and is missing here fails the body check.
pub const BODY_FIELDS: &[(&str, &str)] = &[
    ("calendar_id", "calendar"),
    ("event_id", "event"),
    ("template_id", "event_template"),
    ("location_id", "location"),
    ("todo_id", "todo"),
    ("category_id", "todo_category"),
    ("ids", "todo"),
    ("assignee_ids", "user"),
    ("member_id", "project_member"),
    ("before_id", "other_task"),
    ("after_id", "other_task"),
];

/// What an id in a query names, keyed by the API group (`/api/<group>/…`) and its name.
pub const QUERY_SLOTS: &[(&str, &str, &str)] =
    &[("events", "calendar_id", "calendar"), ("people", "ids", "person"), ("todos", "category_id", "todo_category")];

pub fn path_kind(segment: &str, param: &str) -> Option<&'static str> {
    PATH_SLOTS.iter().find(|(s, p, _)| *s == segment && *p == param).map(|(_, _, kind)| *kind)
}

pub fn body_kind(field: &str) -> Option<&'static str> {
    BODY_FIELDS.iter().find(|(f, _)| *f == field).map(|(_, kind)| *kind)
}

pub fn query_kind(group: &str, name: &str) -> Option<&'static str> {
    QUERY_SLOTS.iter().find(|(g, n, _)| *g == group && *n == name).map(|(_, _, kind)| *kind)
}

/// Object kind → the value that names it (an id, or a word for the few non-id slots).
pub type Ids = BTreeMap<&'static str, String>;

/// Alice's objects as Bob will aim at them: `private` (nothing of it is Bob's business) and
/// the granted worlds, each replacing some kinds with objects Bob was given access to.
pub struct Worlds {
    pub private: Ids,
    pub granted: Vec<(&'static str, Ids)>,
}

impl Worlds {
    /// Each world's full map: the private one, then each granted one over it.
    pub fn all(&self) -> Vec<(&'static str, Ids)> {
        let mut all = vec![("private", self.private.clone())];
        for (name, overrides) in &self.granted {
            let mut ids = self.private.clone();
            ids.extend(overrides.iter().map(|(k, v)| (*k, v.clone())));
            all.push((name, ids));
        }
        all
    }
}

/// A 2xx answer's JSON; anything else fails with the answer.
pub fn ok(who: &Persona<'_>, response: crate::harness::Resp, what: &str) -> Value {
    assert!((200..300).contains(&response.status), "{} could not {what}: {}", who.username, response.body);
    if response.body.is_empty() { Value::Null } else { response.json() }
}

fn id(value: &Value) -> String {
    value["id"].as_i64().unwrap_or_else(|| panic!("no id in {value}")).to_string()
}

async fn created(who: &Persona<'_>, path: &str, body: Value) -> String {
    id(&ok(who, who.post(path, body).await, &format!("POST {path}")))
}

/// The id of the list item that `pick` chooses.
async fn listed(who: &Persona<'_>, path: &str, pick: impl Fn(&Value) -> bool) -> String {
    let page = ok(who, who.get(path).await, &format!("GET {path}"));
    let found = page["items"].as_array().and_then(|items| items.iter().find(|item| pick(item)).cloned());
    id(&found.unwrap_or_else(|| panic!("nothing fitting in {path}: {page}")))
}

pub async fn user_id(app: &TestApp, username: &str) -> String {
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(app.db.pool())
        .await
        .expect("the user exists");
    id.to_string()
}

/// `from` asks, `to` accepts; the connection's id.
pub async fn connect(from: &Persona<'_>, to: &Persona<'_>) -> String {
    let sent = from.post("/api/connections", json!({"username": to.username})).await;
    assert_eq!(sent.status, 202, "{}", sent.body);
    let request =
        listed(to, "/api/connections/requests?direction=incoming", |r| r["username"] == from.username.as_str()).await;
    ok(to, to.post_empty(&format!("/api/connections/requests/{request}/accept")).await, "accept");
    request
}

/// A calendar event on a January day of 2030 (the snapshot's window).
fn event_body(calendar: &str, title: &str) -> Value {
    json!({"calendar_id": calendar.parse::<i64>().unwrap(), "title": title, "start": "2030-01-14T09:00:00Z",
           "end": "2030-01-14T10:00:00Z", "timezone": "UTC"})
}

async fn member(owner: &Persona<'_>, project: &str, who: &Persona<'_>, role: &str) -> String {
    created(owner, &format!("/api/projects/{project}/members"), json!({"username": who.username, "role": role})).await
}

/// The owner's own membership of a project (the creator is its owner).
async fn own_membership(owner: &Persona<'_>, project: &str) -> String {
    listed(owner, &format!("/api/projects/{project}/members"), |m| m["user"]["username"] == owner.username.as_str())
        .await
}

/// A project with one task and one comment on it: (project, task, comment).
async fn project(owner: &Persona<'_>, mark: &str) -> (String, String, String) {
    let project = created(owner, "/api/projects", json!({"name": format!("{mark} project")})).await;
    let task =
        created(owner, &format!("/api/projects/{project}/tasks"), json!({"title": format!("{mark} task")})).await;
    let comment = created(
        owner,
        &format!("/api/projects/{project}/tasks/{task}/comments"),
        json!({"body": format!("{mark} comment")}),
    )
    .await;
    (project, task, comment)
}

/// The people of the matrix: Alice owns, Bob probes, Carol is Alice's other connection (so
/// Alice's connection, share and invitation ids exist that are not Bob's), and an admin links
/// an identity to Alice (only an admin can, without a provider).
pub struct Cast<'a> {
    pub alice: Persona<'a>,
    pub bob: Persona<'a>,
    pub carol: Persona<'a>,
    pub admin: Persona<'a>,
}

pub async fn cast(app: &TestApp) -> Cast<'_> {
    let admin = app.admin().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    Cast { alice, bob, carol, admin }
}

/// Builds Alice's objects and the shares that make the granted worlds.
pub async fn alices_world(app: &TestApp, cast: &Cast<'_>) -> Worlds {
    let Cast { alice, bob, carol, admin } = cast;
    let mut ids = Ids::new();
    ids.insert("user", user_id(app, "alice").await);
    connect(alice, bob).await;
    // Carol accepting tells Alice so: that notification is Alice's.
    ids.insert("connection", connect(alice, carol).await);
    ids.insert("notification", listed(alice, "/api/notifications", |_| true).await);
    ok(alice, alice.post("/api/connections", json!({"username": "dave-nobody"})).await, "ask");
    ids.insert("connection_request", listed(alice, "/api/connections/requests?direction=outgoing", |_| true).await);
    ids.insert("block", created(alice, "/api/connections/blocks", json!({"username": "zed-nobody"})).await);

    // Sign-in things (an app password and a passkey need a recent re-authentication).
    assert_eq!(alice.post("/api/auth/reauth", json!({"password": alice.password})).await.status, 204);
    ids.insert("session", listed(alice, "/api/auth/sessions", |s| s["current"] == true).await);
    ids.insert(
        "app_password",
        created(alice, "/api/auth/app-passwords", json!({"name": format!("{PRIVATE} phone")})).await,
    );
    ids.insert("passkey", register_passkey(alice).await);
    let linked = admin
        .post(
            &format!("/api/admin/users/{}/oidc", ids["user"]),
            json!({"issuer": "https://id.example.org", "subject": "alice-at-idp"}),
        )
        .await;
    ids.insert("oidc_identity", id(&ok(admin, linked, "link an identity")));

    // Calendars: a private one (offered to Carol, so a share id exists that is not Bob's),
    // with an event, a feed and a template, and one shared with Bob to read.
    let calendar = created(alice, "/api/calendars", json!({"name": format!("{PRIVATE} calendar")})).await;
    let body = json!({"calendar_id": calendar.parse::<i64>().unwrap(), "username": "carol", "level": "read"});
    ids.insert("share", created(alice, "/api/shared-calendars", body).await);
    ok(alice, alice.post_empty(&format!("/api/calendars/{calendar}/feed")).await, "make a feed");
    // The feed's real name is a secret token Bob cannot know; he tries the id-shaped guess.
    ids.insert("feed_file", format!("{calendar}.ics"));
    ids.insert("event", created(alice, "/api/events", event_body(&calendar, &format!("{PRIVATE} event"))).await);
    let body = json!({"event_id": ids["event"].parse::<i64>().unwrap(), "usernames": ["carol"]});
    let invited = ok(alice, alice.post("/api/event-invitations", body).await, "invite Carol");
    ids.insert("event_invitation", id(&invited["items"][0]));
    let body = json!({"name": format!("{PRIVATE} template"), "calendar_id": calendar.parse::<i64>().unwrap()});
    ids.insert("event_template", created(alice, "/api/event-templates", body).await);
    ids.insert("calendar", calendar.clone());

    // Todos, reminders, people, places.
    let category = created(alice, "/api/todos/categories", json!({"name": format!("{PRIVATE} category")})).await;
    let body = json!({"title": format!("{PRIVATE} todo"), "category_id": category.parse::<i64>().unwrap()});
    ids.insert("todo", created(alice, "/api/todos", body).await);
    ids.insert("todo_category", category);
    let body = json!({"title": format!("{PRIVATE} reminder"), "remind_at": "2030-01-14T09:00:00Z",
                      "todo_id": ids["todo"].parse::<i64>().unwrap()});
    ids.insert("reminder", created(alice, "/api/reminders", body).await);
    ids.insert("push_action", "done".into());
    let location = created(alice, "/api/locations", json!({"name": format!("{PRIVATE} place")})).await;
    let body = json!({"name": format!("{PRIVATE} person"), "location_id": location.parse::<i64>().unwrap()});
    ids.insert("person", created(alice, "/api/people", body).await);
    ids.insert("location", location);

    // A project Bob is not in.
    let (project_id, task, comment) = project(alice, PRIVATE).await;
    ids.insert("project_member", own_membership(alice, &project_id).await);
    ids.insert("other_task", task.clone());
    ids.extend([("project", project_id), ("task", task), ("comment", comment)]);

    Worlds { private: ids, granted: granted(alice, bob, &calendar_of(alice).await).await }
}

/// The private calendar's id (the one event invitations were sent from).
async fn calendar_of(alice: &Persona<'_>) -> String {
    listed(alice, "/api/calendars", |c| c["name"] == format!("{PRIVATE} calendar")).await
}

/// The worlds where Bob holds a grant: a calendar shared with him to read (with an event in
/// it), a project he is a viewer of (its owner's membership is what he aims at), and an
/// event of Alice's private calendar he is invited to.
async fn granted(alice: &Persona<'_>, bob: &Persona<'_>, private_calendar: &str) -> Vec<(&'static str, Ids)> {
    let calendar = created(alice, "/api/calendars", json!({"name": format!("{SHARED} calendar")})).await;
    let body = json!({"calendar_id": calendar.parse::<i64>().unwrap(), "username": "bob", "level": "read"});
    let share = created(alice, "/api/shared-calendars", body).await;
    ok(bob, bob.post_empty(&format!("/api/shared-calendars/{share}/accept")).await, "accept the share");
    let shared_event = created(alice, "/api/events", event_body(&calendar, &format!("{SHARED} event"))).await;
    let shared_calendar = Ids::from([("calendar", calendar), ("share", share), ("event", shared_event)]);

    let (project, task, comment) = project(alice, SHARED).await;
    member(alice, &project, bob, "viewer").await;
    let project_member = own_membership(alice, &project).await;
    let viewed_project =
        Ids::from([("project", project), ("task", task), ("comment", comment), ("project_member", project_member)]);

    let event = created(alice, "/api/events", event_body(private_calendar, &format!("{SHARED} invitation"))).await;
    let body = json!({"event_id": event.parse::<i64>().unwrap(), "usernames": ["bob"]});
    let invited = ok(alice, alice.post("/api/event-invitations", body).await, "invite Bob");
    let invitation = Ids::from([("event", event), ("event_invitation", id(&invited["items"][0]))]);

    vec![("shared calendar (read)", shared_calendar), ("project (viewer)", viewed_project), ("invited", invitation)]
}

/// Bob's own objects, for the bodies that carry ids: his id in a field must be taken where
/// Alice's is refused, or the refusal proves nothing. Carol is in his project (a member id
/// of his that is not his own).
pub async fn bobs_world(app: &TestApp, cast: &Cast<'_>) -> Ids {
    let Cast { bob, carol, .. } = cast;
    let mut ids = Ids::new();
    ids.insert("user", user_id(app, "bob").await);
    connect(bob, carol).await;
    let calendar = created(bob, "/api/calendars", json!({"name": "bob's calendar"})).await;
    ids.insert("event", created(bob, "/api/events", event_body(&calendar, "bob's event")).await);
    ids.insert("event_template", created(bob, "/api/event-templates", json!({"name": "bob's template"})).await);
    ids.insert("calendar", calendar);
    ids.insert("todo_category", created(bob, "/api/todos/categories", json!({"name": "bob's category"})).await);
    ids.insert("todo", created(bob, "/api/todos", json!({"title": "bob's todo"})).await);
    let body = json!({"title": "bob's reminder", "remind_at": "2030-01-14T09:00:00Z"});
    ids.insert("reminder", created(bob, "/api/reminders", body).await);
    ids.insert("location", created(bob, "/api/locations", json!({"name": "bob's place"})).await);
    ids.insert("person", created(bob, "/api/people", json!({"name": "bob's person"})).await);
    let (project, task, comment) = project(bob, "bob's").await;
    ids.insert("project_member", member(bob, &project, carol, "editor").await);
    // A task to move the first one next to (a task is never placed beside itself).
    let body = json!({"title": "bob's other task"});
    ids.insert("other_task", created(bob, &format!("/api/projects/{project}/tasks"), body).await);
    ids.extend([("project", project), ("task", task), ("comment", comment)]);
    ids
}

/// Registers a passkey for `who` (recently re-authenticated) with a software authenticator; its id.
async fn register_passkey(who: &Persona<'_>) -> String {
    let origin = Url::parse("https://localhost:8443").unwrap();
    let start = ok(who, who.post("/api/auth/passkeys/register/begin", json!({"name": "laptop"})).await, "begin");
    let mut options: CreationChallengeResponse = serde_json::from_value(start["options"].clone()).unwrap();
    // SoftPasskey refuses `requireResidentKey` though it makes such credentials (see passkeys.rs).
    if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
        selection.require_resident_key = false;
    }
    let credential = SoftPasskey::new(true).do_registration(origin, options).expect("the authenticator registers");
    let body = json!({"ceremony_id": start["ceremony_id"], "credential": credential});
    id(&ok(who, who.post("/api/auth/passkeys/register/finish", body).await, "register a passkey"))
}
