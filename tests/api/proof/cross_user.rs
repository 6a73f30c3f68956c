//! The cross-user matrix, generated from the OpenAPI document: Bob, connected to Alice,
//! calls every operation whose path (or query) names an object with Alice's ids, every
//! method, with a plausible body. Every answer is a 404 problem — the same as for an id that
//! does not exist, so ids leak nothing — except where a share Alice made grants Bob the
//! level, and those exceptions are the table `GRANTS`, each with its reason. Alice's ids
//! inside Bob's bodies are refused (404/422) where Bob's own are taken. Alice reads all her
//! data back byte-for-byte the same afterwards. A path parameter, query id or body id with no
//! object to name fails the test, so a new route cannot go unexercised.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::{Value, json};

use super::objects::{self, Ids, PRIVATE, Worlds, alices_world, bobs_world, cast};
use super::spec::{Operation, Spec, is_integer, sample};
use super::{Payload, brief, is_problem, send};
use crate::harness::{Persona, app};

/// What a share grants Bob, as an exception to "404". `world` is a granted world of
/// `objects::granted` (or `*`); `op` is `METHOD /path`, where a trailing `*` matches a prefix
/// and a method `*` any method. `writes`: the call changes what Alice sees by design (Bob
/// leaving a share, answering an invitation), so it runs after the snapshot check.
struct Grant {
    world: &'static str,
    op: &'static str,
    status: u16,
    writes: bool,
    why: &'static str,
}

const fn grant(world: &'static str, op: &'static str, status: u16, why: &'static str) -> Grant {
    Grant { world, op, status, writes: false, why }
}

const fn grant_writes(world: &'static str, op: &'static str, status: u16, why: &'static str) -> Grant {
    Grant { world, op, status, writes: true, why }
}

const GRANTS: &[Grant] = &[
    grant(
        "*",
        "* /api/admin/*",
        403,
        "the admin guard refuses a standard user by role before any id is read: the same answer for every id",
    ),
    grant(
        "private",
        "GET /api/todos",
        200,
        "a list filtered by a category the caller cannot see matches nothing: the empty page an unknown id gets",
    ),
    // A calendar shared with Bob to read: he reads it, its events and its feed's existence,
    // keeps his own preferences for it, and may leave the share; changing it is 403 (he can
    // see it, so 404 would lie), as documented.
    grant("shared calendar (read)", "GET /api/calendars/{id}", 200, "a reader sees the calendar"),
    grant("shared calendar (read)", "PATCH /api/calendars/{id}", 403, "a reader may not change it"),
    grant("shared calendar (read)", "DELETE /api/calendars/{id}", 403, "only the owner deletes"),
    grant(
        "shared calendar (read)",
        "PATCH /api/calendars/{id}/preferences",
        200,
        "his own view of it (hidden, colour)",
    ),
    grant("shared calendar (read)", "GET /api/calendars/{id}/export.ics", 200, "a reader may export what he reads"),
    grant("shared calendar (read)", "POST /api/calendars/{id}/import", 403, "importing writes events"),
    grant("shared calendar (read)", "GET /api/calendars/{id}/feed", 200, "whether a feed exists, for anyone who reads"),
    grant("shared calendar (read)", "POST /api/calendars/{id}/feed", 403, "only the owner or a manager makes a feed"),
    grant("shared calendar (read)", "DELETE /api/calendars/{id}/feed", 403, "only the owner or a manager revokes it"),
    grant("shared calendar (read)", "GET /api/events", 200, "the window of a calendar he reads"),
    grant("shared calendar (read)", "GET /api/events/{id}", 200, "an event of a calendar he reads"),
    grant("shared calendar (read)", "PATCH /api/events/{id}", 403, "a reader may not change events"),
    grant("shared calendar (read)", "DELETE /api/events/{id}", 403, "a reader may not delete events"),
    grant(
        "shared calendar (read)",
        "GET /api/events/{id}/invitations",
        403,
        "the guest list is for those who may write",
    ),
    grant("shared calendar (read)", "PATCH /api/shared-calendars/{id}", 403, "owners and managers set the level"),
    grant(
        "shared calendar (read)",
        "POST /api/shared-calendars/{id}/accept",
        200,
        "his share, already accepted: no change",
    ),
    grant_writes("shared calendar (read)", "POST /api/shared-calendars/{id}/decline", 204, "declining ends his share"),
    grant_writes(
        "shared calendar (read)",
        "DELETE /api/shared-calendars/{id}",
        404,
        "leaving (204) a share he declined just before (writes run in this table's order): gone, so 404",
    ),
    // A project Bob is a viewer of: he reads it all; every change is 403 (the member id he
    // aims at is Alice's owner membership).
    grant("project (viewer)", "GET /api/projects/{id}", 200, "a member reads the project"),
    grant("project (viewer)", "PATCH /api/projects/{id}", 403, "owners only"),
    grant("project (viewer)", "DELETE /api/projects/{id}", 403, "owners only"),
    grant("project (viewer)", "GET /api/projects/{id}/activity", 200, "a member reads the feed"),
    grant("project (viewer)", "GET /api/projects/{id}/members", 200, "a member sees who else is in it"),
    grant("project (viewer)", "POST /api/projects/{id}/members", 403, "owners only"),
    grant("project (viewer)", "PATCH /api/projects/{id}/members/{member_id}", 403, "owners only"),
    grant("project (viewer)", "DELETE /api/projects/{id}/members/{member_id}", 403, "owners only (or oneself)"),
    grant("project (viewer)", "POST /api/projects/{id}/transfer", 403, "owners only"),
    grant("project (viewer)", "GET /api/projects/{id}/tasks", 200, "a member reads the tasks"),
    grant("project (viewer)", "POST /api/projects/{id}/tasks", 403, "viewers change nothing"),
    grant("project (viewer)", "GET /api/projects/{id}/tasks/{task_id}", 200, "a member reads a task"),
    grant("project (viewer)", "PATCH /api/projects/{id}/tasks/{task_id}", 403, "viewers change nothing"),
    grant("project (viewer)", "DELETE /api/projects/{id}/tasks/{task_id}", 403, "viewers change nothing"),
    grant("project (viewer)", "POST /api/projects/{id}/tasks/{task_id}/move", 403, "viewers change nothing"),
    grant("project (viewer)", "GET /api/projects/{id}/tasks/{task_id}/comments", 200, "a member reads comments"),
    grant("project (viewer)", "POST /api/projects/{id}/tasks/{task_id}/comments", 403, "viewers change nothing"),
    grant(
        "project (viewer)",
        "PATCH /api/projects/{id}/tasks/{task_id}/comments/{comment_id}",
        403,
        "only the author edits a comment",
    ),
    grant(
        "project (viewer)",
        "DELETE /api/projects/{id}/tasks/{task_id}/comments/{comment_id}",
        403,
        "only its author or an owner deletes a comment",
    ),
    // An event of Alice's private calendar Bob is invited to: he sees the event and his
    // invitation, and answers it (which Alice is told: a write); the rest is 403.
    grant("invited", "GET /api/events/{id}", 200, "an invitee sees the event"),
    grant("invited", "PATCH /api/events/{id}", 403, "an invitee may not change it"),
    grant("invited", "DELETE /api/events/{id}", 403, "an invitee may not delete it"),
    grant("invited", "GET /api/events/{id}/invitations", 403, "the guest list is for those who may write"),
    grant("invited", "GET /api/event-invitations/{id}", 200, "his own invitation"),
    grant("invited", "DELETE /api/event-invitations/{id}", 403, "an invitee declines rather than deletes"),
    grant_writes("invited", "POST /api/event-invitations/{id}/respond", 200, "his answer, which Alice sees"),
];

impl Grant {
    fn matches(&self, world: &str, op: &Operation) -> bool {
        let (method, path) = self.op.split_once(' ').expect("METHOD /path");
        (self.world == "*" || self.world == world)
            && (method == "*" || method == op.method.as_str())
            && path.strip_suffix('*').map_or(path == op.path, |prefix| op.path.starts_with(prefix))
    }
}

/// Query parameters some operations need to answer at all (the events window holds the
/// January 2030 events of `objects`).
const QUERIES: &[(&str, &str)] = &[("GET /api/events", "start=2030-01-01T00:00:00Z&end=2030-02-01T00:00:00Z")];

/// More query strings Alice's snapshot reads, beyond each list's default view.
const SNAPSHOT_QUERIES: &[(&str, &str)] =
    &[("GET /api/shared-calendars", "direction=outgoing"), ("GET /api/connections/requests", "direction=outgoing")];

/// GETs whose object Alice herself does not read at that address, and why. Every other GET
/// Bob is aimed at answers Alice 2xx, so Bob's 404 is about whose it is, not a wrong address.
const ALICE_NOT_2XX: &[(&str, &str)] = &[
    ("GET /ics/{file}", "Bob's id-shaped guess at a feed name: nobody's feed"),
    (
        "GET /api/event-invitations/{id}",
        "an invitation is its invitee's; the organiser reads /api/events/{id}/invitations",
    ),
];

/// Integer query parameters that name no object (paging, windows, flags).
const NOT_IDS: &[&str] = &["limit", "offset", "days"];

/// Bodies that the schema alone does not make plausible. A string `"$kind"` is replaced by
/// the id of that kind in the world at hand.
fn body_table() -> Vec<(&'static str, Payload)> {
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//zq//proof//EN\r\nBEGIN:VEVENT\r\nUID:zq-proof@example.org\r\n\
               DTSTAMP:20300101T000000Z\r\nDTSTART:20300115T090000Z\r\nDTEND:20300115T100000Z\r\nSUMMARY:zq-bob import\r\n\
               END:VEVENT\r\nEND:VCALENDAR\r\n";
    let json_bodies = [
        (
            "POST /api/events",
            json!({"calendar_id": "$calendar", "title": "zq-bob event", "start": "2030-01-15T09:00:00Z",
                   "end": "2030-01-15T10:00:00Z", "timezone": "UTC"}),
        ),
        ("PATCH /api/events/{id}", json!({"title": "zq-bob was here"})),
        ("POST /api/reminders", json!({"title": "zq-bob reminder", "remind_at": "2030-01-15T09:00:00Z"})),
        ("POST /api/shared-calendars", json!({"calendar_id": "$calendar", "username": "carol", "level": "read"})),
        ("POST /api/event-invitations", json!({"event_id": "$event", "usernames": ["carol"]})),
        ("POST /api/projects/{id}/members", json!({"username": "carol", "role": "viewer"})),
        ("POST /api/projects/{id}/transfer", json!({"member_id": "$project_member"})),
        ("POST /api/todos/reorder", json!({"ids": ["$todo"]})),
        ("POST /api/event-invitations/{id}/respond", json!({"status": "accepted"})),
    ];
    let mut table: Vec<(&'static str, Payload)> =
        json_bodies.into_iter().map(|(op, body)| (op, Payload::Json(body))).collect();
    table.push((
        "POST /api/calendars/{id}/import",
        Payload::Raw { content_type: "text/calendar".into(), text: ics.into() },
    ));
    table
}

/// `"$kind"` strings replaced by that kind's id in `ids`.
fn placed(template: &Value, ids: &Ids) -> Value {
    match template {
        Value::String(text) if text.starts_with('$') => {
            let value = ids.get(&text[1..]).unwrap_or_else(|| panic!("no {text} in this world"));
            value.parse::<i64>().map_or_else(|_| json!(value), |id| json!(id))
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| placed(v, ids)).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), placed(v, ids))).collect()),
        other => other.clone(),
    }
}

/// The body Bob sends: the table's, else one derived from the schema.
fn payload(op: &Operation, table: &[(&'static str, Payload)], ids: &Ids) -> Payload {
    if let Some((_, payload)) = table.iter().find(|(name, _)| *name == op.name()) {
        return match payload {
            Payload::Json(template) => Payload::Json(placed(template, ids)),
            other => other.clone(),
        };
    }
    match &op.body {
        None => Payload::None,
        Some(body) if body.content_type.contains("json") => Payload::Json(sample(&body.schema)),
        Some(body) => Payload::Raw { content_type: body.content_type.clone(), text: "zq-sample".into() },
    }
}

fn group(op: &Operation) -> &str {
    op.path.trim_start_matches("/api").split('/').nth(1).unwrap_or("")
}

/// The query parameters of `op` that name objects: (name, kind), or the name alone when no
/// kind is known for it.
fn query_ids(op: &Operation) -> Vec<(String, Option<&'static str>)> {
    op.query_params
        .iter()
        .filter(|p| !NOT_IDS.contains(&p.name.as_str()))
        .filter(|p| p.is_id() || is_integer(&p.schema["items"]))
        .map(|p| (p.name.clone(), objects::query_kind(group(op), &p.name)))
        .collect()
}

/// The kinds of object `op` names, in its path and query; `Err` lists what has no kind.
fn kinds(op: &Operation) -> Result<Vec<&'static str>, Vec<String>> {
    let mut kinds = Vec::new();
    let mut unknown = Vec::new();
    for (segment, param) in op.param_slots() {
        match objects::path_kind(&segment, &param) {
            Some(kind) => kinds.push(kind),
            None => unknown.push(format!("{}: path parameter {param} after {segment}/", op.name())),
        }
    }
    for (name, kind) in query_ids(op) {
        match kind {
            Some(kind) => kinds.push(kind),
            None => unknown.push(format!("{}: query parameter {name}", op.name())),
        }
    }
    if unknown.is_empty() { Ok(kinds) } else { Err(unknown) }
}

/// The URI for `op` with `ids`: path parameters, id query parameters, and the fixed query.
fn uri(op: &Operation, ids: &Ids, with_query_ids: bool) -> String {
    let path = op.fill(|name| {
        let (segment, _) = op.param_slots().into_iter().find(|(_, p)| p == name).expect("slot");
        ids[objects::path_kind(&segment, name).expect("kind")].clone()
    });
    let mut query: Vec<String> =
        QUERIES.iter().filter(|(name, _)| *name == op.name()).map(|(_, q)| (*q).to_string()).collect();
    if with_query_ids {
        for (name, kind) in query_ids(op) {
            query.push(format!("{name}={}", ids[kind.expect("kind")]));
        }
    }
    if query.is_empty() { path } else { format!("{path}?{}", query.join("&")) }
}

/// Alice's view of everything she can read: every GET of the document, for each world's ids,
/// with the extra list views; status and body exactly as served.
async fn snapshot(alice: &Persona<'_>, spec: &Spec, worlds: &Worlds) -> BTreeMap<String, String> {
    let mut uris = BTreeSet::new();
    for op in spec.operations.iter().filter(|op| op.method.as_str() == "GET" && !op.is_admin()) {
        for (_, ids) in worlds.all() {
            uris.insert(uri(op, &ids, false));
        }
        for (_, query) in SNAPSHOT_QUERIES.iter().filter(|(name, _)| *name == op.name()) {
            uris.insert(format!("{}?{query}", op.path));
        }
    }
    let mut seen = BTreeMap::new();
    for uri in uris {
        let response = alice.get(&uri).await;
        seen.insert(uri, format!("{} {}", response.status, response.body));
    }
    seen
}

/// Alice reads every object Bob is aimed at (but `ALICE_NOT_2XX`): the addresses are real.
fn assert_alice_reaches_them(spec: &Spec, worlds: &Worlds, seen: &BTreeMap<String, String>) {
    let mut unreached = Vec::new();
    for op in spec.operations.iter().filter(|op| op.method.as_str() == "GET" && !op.is_admin()) {
        if op.path_params.is_empty() || ALICE_NOT_2XX.iter().any(|(name, _)| *name == op.name()) {
            continue;
        }
        for (world, ids) in worlds.all() {
            let uri = uri(op, &ids, false);
            if !seen[&uri].starts_with('2') {
                unreached.push(format!("[{world}] {uri}: {}", &seen[&uri]));
            }
        }
    }
    assert!(unreached.is_empty(), "Alice cannot read her own objects there:\n{}", unreached.join("\n"));
}

fn assert_unchanged(before: &BTreeMap<String, String>, after: &BTreeMap<String, String>) {
    let changed: Vec<String> = before
        .iter()
        .filter(|(uri, body)| after.get(*uri) != Some(body))
        .map(|(uri, body)| format!("{uri}\n  before: {body}\n  after:  {}", after[uri]))
        .collect();
    assert!(changed.is_empty(), "Alice's data changed:\n{}", changed.join("\n"));
}

/// Every path parameter and query id of the document names a kind Alice has an object of.
fn assert_every_slot_mapped(spec: &Spec, worlds: &Worlds) {
    let mut problems = Vec::new();
    for op in &spec.operations {
        match kinds(op) {
            Ok(kinds) => problems.extend(
                kinds
                    .into_iter()
                    .filter(|kind| !worlds.private.contains_key(kind))
                    .map(|kind| format!("{}: Alice has no {kind} (objects::alices_world)", op.name())),
            ),
            Err(unknown) => problems.extend(unknown),
        }
    }
    assert!(
        problems.is_empty(),
        "operations the matrix cannot aim at (map them in objects::PATH_SLOTS / QUERY_SLOTS):\n{}",
        problems.join("\n")
    );
    // And the other way: no entry outlives its route.
    let slots: BTreeSet<(String, String)> = spec.operations.iter().flat_map(Operation::param_slots).collect();
    let stale: Vec<_> =
        objects::PATH_SLOTS.iter().filter(|(s, p, _)| !slots.contains(&((*s).to_string(), (*p).to_string()))).collect();
    assert!(stale.is_empty(), "PATH_SLOTS entries no route has: {stale:?}");
    let queries: BTreeSet<(String, String)> = spec
        .operations
        .iter()
        .flat_map(|op| query_ids(op).into_iter().map(|(n, _)| (group(op).to_string(), n)))
        .collect();
    let stale: Vec<_> = objects::QUERY_SLOTS
        .iter()
        .filter(|(g, n, _)| !queries.contains(&((*g).to_string(), (*n).to_string())))
        .collect();
    assert!(stale.is_empty(), "QUERY_SLOTS entries no route has: {stale:?}");
}

struct Call {
    world: &'static str,
    op: Operation,
    uri: String,
    payload: Payload,
    expected: u16,
    grant: Option<usize>,
}

fn check(spec: &Spec, call: &Call, response: &crate::harness::Resp, failures: &mut Vec<String>) {
    let what = format!("[{}] {} {}", call.world, call.op.method.as_str(), call.uri);
    // Answers of the guards (the admin 403 for every id) are every route's, and the
    // schemathesis suite checks status codes against the document; a grant is the route's own.
    let own_grant = call.grant.is_some_and(|g| GRANTS[g].world != "*");
    if own_grant && !spec.documents(&call.op, call.expected) {
        failures.push(format!("{what}: answers {}, which its OpenAPI responses do not list", call.expected));
    }
    let expected_ok =
        if call.expected >= 400 { is_problem(response, call.expected) } else { response.status == call.expected };
    if !expected_ok {
        failures.push(format!("{what}: expected {}, got {}", call.expected, brief(response)));
    } else if response.body.contains(PRIVATE) {
        failures.push(format!("{what}: the answer shows Alice's private data: {}", brief(response)));
    }
}

#[tokio::test]
async fn bob_gets_404_for_each_of_alices_objects_on_every_operation_but_what_a_share_grants() {
    let app = app().await;
    let spec = Spec::fetch(&app).await;
    let cast = cast(&app).await;
    let worlds = alices_world(&app, &cast).await;
    assert_every_slot_mapped(&spec, &worlds);
    let table = body_table();
    // Sensitive routes ask for a recent password first, whoever's id is in the path: Bob
    // gives his, so every call reaches the ownership check.
    assert_eq!(cast.bob.post("/api/auth/reauth", json!({"password": cast.bob.password})).await.status, 204);

    // Every call: each operation with an object in its path or query, in every world whose
    // ids change its URI.
    let private_uris: BTreeMap<String, String> =
        spec.operations.iter().map(|op| (op.name(), uri(op, &worlds.private, true))).collect();
    let mut calls = Vec::new();
    for (world, ids) in worlds.all() {
        for op in spec.operations.iter().filter(|op| kinds(op).is_ok_and(|k| !k.is_empty())) {
            let uri = uri(op, &ids, true);
            if world != "private" && private_uris[&op.name()] == uri {
                continue; // nothing of this world's grant in it
            }
            let grant = GRANTS.iter().position(|g| g.matches(world, op));
            let expected = grant.map_or(404, |g| GRANTS[g].status);
            let payload = payload(op, &table, &ids);
            calls.push(Call { world, op: op.clone(), uri, payload, expected, grant });
        }
    }

    let before = snapshot(&cast.alice, &spec, &worlds).await;
    assert_alice_reaches_them(&spec, &worlds, &before);
    let mut failures = Vec::new();
    let writes = |call: &Call| call.grant.is_some_and(|g| GRANTS[g].writes);
    let (later, now): (Vec<&Call>, Vec<&Call>) = calls.iter().partition(|call| writes(call));
    for call in &now {
        let response = send(&cast.bob, call.op.method, &call.uri, &call.payload).await;
        check(&spec, call, &response, &mut failures);
    }
    let after = snapshot(&cast.alice, &spec, &worlds).await;
    // Grants that write by design run last, in the table's order.
    let mut later = later;
    later.sort_by_key(|call| call.grant);
    for call in &later {
        let response = send(&cast.bob, call.op.method, &call.uri, &call.payload).await;
        check(&spec, call, &response, &mut failures);
    }

    let used: BTreeSet<usize> = calls.iter().filter_map(|call| call.grant).collect();
    let unused: Vec<String> = (0..GRANTS.len())
        .filter(|g| !used.contains(g))
        .map(|g| format!("{} in {} ({})", GRANTS[g].op, GRANTS[g].world, GRANTS[g].why))
        .collect();
    let operations: BTreeSet<String> = calls.iter().map(|call| call.op.name()).collect();
    println!(
        "cross-user matrix: {} operations × {} worlds of Alice's ids = {} calls ({} answered by a grant), {} snapshot reads",
        operations.len(),
        worlds.all().len(),
        calls.len(),
        calls.iter().filter(|call| call.grant.is_some()).count(),
        before.len()
    );
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    assert_unchanged(&before, &after);
    assert!(unused.is_empty(), "grants no call needed (stale?):\n{}", unused.join("\n"));
}

/// The id fields of a body schema: integer (or integer-list) properties named like ids.
fn body_id_fields(schema: &Value) -> Vec<(String, bool)> {
    let Some(properties) = schema["properties"].as_object() else {
        return Vec::new();
    };
    properties
        .iter()
        .filter(|(name, _)| name.ends_with("_id") || name.ends_with("_ids") || *name == "ids")
        .filter_map(|(name, property)| {
            if is_integer(property) {
                Some((name.clone(), false))
            } else if is_integer(&property["items"]) {
                Some((name.clone(), true))
            } else {
                None
            }
        })
        .collect()
}

#[tokio::test]
async fn alices_ids_inside_bobs_bodies_are_refused_where_his_own_are_taken() {
    let app = app().await;
    let spec = Spec::fetch(&app).await;
    let cast = cast(&app).await;
    let worlds = alices_world(&app, &cast).await;
    let bobs = bobs_world(&app, &cast).await;
    let table = body_table();
    let before = snapshot(&cast.alice, &spec, &worlds).await;

    let mut failures = Vec::new();
    let mut unknown = Vec::new();
    let mut controls = Vec::new();
    let mut refused = Vec::new();
    for op in spec.operations.iter().filter(|op| !op.is_admin()) {
        let Some(body) = &op.body else { continue };
        for (field, list) in body_id_fields(&body.schema) {
            let Some(kind) = objects::body_kind(&field) else {
                unknown.push(format!("{}: body field {field}", op.name()));
                continue;
            };
            let uri = uri(op, &bobs, false);
            let Payload::Json(base) = payload(op, &table, &bobs) else { panic!("{}: not JSON", op.name()) };
            let with = |id: &str| {
                let mut body = base.clone();
                let id = json!(id.parse::<i64>().unwrap());
                body[field.as_str()] = if list { json!([id]) } else { id };
                Payload::Json(body)
            };
            let response = send(&cast.bob, op.method, &uri, &with(&worlds.private[kind])).await;
            if !(is_problem(&response, 404) || is_problem(&response, 422)) || response.body.contains(PRIVATE) {
                failures.push(format!(
                    "{} {uri} with Alice's {kind} in {field}: expected 404 or 422, got {}",
                    op.method.as_str(),
                    brief(&response)
                ));
            }
            controls.push((refused.len(), op.clone(), field.clone(), uri, with(&bobs[kind])));
            refused.push(format!("{} {field}: {}", op.name(), response.status));
        }
    }
    assert!(unknown.is_empty(), "body ids with no kind (map them in objects::BODY_FIELDS):\n{}", unknown.join("\n"));
    let stale: Vec<_> = objects::BODY_FIELDS
        .iter()
        .filter(|(f, _)| !refused.iter().any(|line| line.contains(&format!(" {f}: "))))
        .collect();
    assert!(stale.is_empty(), "BODY_FIELDS entries no body has: {stale:?}");
    assert_unchanged(&before, &snapshot(&cast.alice, &spec, &worlds).await);

    // The same bodies with Bob's own ids are taken: the refusals were about whose id it is.
    // A transfer hands Bob's project away, so it goes last.
    controls.sort_by_key(|(_, op, ..)| op.path.ends_with("/transfer"));
    for (line, op, field, uri, payload) in &controls {
        let response = send(&cast.bob, op.method, uri, payload).await;
        let _ = write!(refused[*line], ", with Bob's own: {}", response.status);
        if !(200..300).contains(&response.status) {
            failures.push(format!(
                "{} {uri} with Bob's own id in {field}: the control failed, got {}",
                op.method.as_str(),
                brief(&response)
            ));
        }
    }
    println!("body ids: {} fields tried with Alice's ids, each also with Bob's own:", refused.len());
    for line in &refused {
        println!("  {line}");
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}
