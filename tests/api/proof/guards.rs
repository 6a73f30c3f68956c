//! The session guards, generated from the OpenAPI document: every operation it lists is
//! called signed out (401), with a locked session (423) and, for `/api/admin/*`, as a
//! standard user (403), each answer a problem document and none a 5xx. A route added
//! tomorrow is in the document (the OpenAPI test proves it), so it is covered here without
//! an edit; the only hand-kept knowledge is the two short lists of `umbra::api::openapi`
//! (public, and reachable while locked, each entry with its reason), which the document's
//! answers are described from as well; an entry no longer in the document fails the test.

use serde_json::{Value, json};
use umbra::api::openapi::{PUBLIC_OPERATIONS, WHILE_LOCKED_OPERATIONS, listed};

use super::spec::{Operation, Spec, sample};
use super::{Payload, brief, is_problem, send};
use crate::harness::{PASSWORD, Persona, TestApp, app};

fn is_public(op: &Operation) -> bool {
    listed(PUBLIC_OPERATIONS, op.method.as_str(), &op.path)
}

fn reachable_while_locked(op: &Operation) -> bool {
    listed(WHILE_LOCKED_OPERATIONS, op.method.as_str(), &op.path)
}

/// Every entry of a hand-kept list names an operation of the document.
fn assert_listed_exist(spec: &Spec, list: &[(&str, &str, &str)], what: &str) {
    let stale: Vec<String> = list
        .iter()
        .filter(|(method, path, _)| !spec.operations.iter().any(|op| op.method.as_str() == *method && op.path == *path))
        .map(|(method, path, _)| format!("{method} {path}"))
        .collect();
    assert!(stale.is_empty(), "{what} lists operations the document no longer has: {stale:?}");
}

/// A path with every parameter filled by a plausible value of its schema (ids: 1).
fn sample_path(op: &Operation) -> String {
    op.fill(|name| {
        let schema = op.path_params.iter().find(|p| p.name == name).map_or(Value::Null, |p| p.schema.clone());
        match sample(&schema) {
            Value::String(text) => text,
            other => other.to_string(),
        }
    })
}

/// A plausible body for the operation, from its schema.
fn sample_payload(op: &Operation) -> Payload {
    match &op.body {
        None => Payload::None,
        Some(body) if body.content_type.contains("json") => Payload::Json(sample(&body.schema)),
        Some(body) => Payload::Raw { content_type: body.content_type.clone(), text: "zq-sample".into() },
    }
}

async fn call(who: &Persona<'_>, op: &Operation, payload: &Payload) -> crate::harness::Resp {
    send(who, op.method, &sample_path(op), payload).await
}

#[tokio::test]
async fn signed_out_every_private_operation_is_401_and_public_ones_answer() {
    let app = app().await;
    let spec = Spec::fetch(&app).await;
    assert_listed_exist(&spec, PUBLIC_OPERATIONS, "PUBLIC_OPERATIONS");
    let anonymous = app.anonymous();
    let (mut private, mut public, mut failures, mut answers) = (0, 0, Vec::new(), Vec::new());
    for op in &spec.operations {
        if is_public(op) {
            public += 1;
            // `{}` for a body: a session guard would answer 401 before the body is read, so
            // the 422 an incomplete body earns shows the handler was reached.
            let payload = if op.body.is_some() { Payload::Json(json!({})) } else { Payload::None };
            let response = call(&anonymous, op, &payload).await;
            answers.push(format!("{} {}", op.name(), response.status));
            // A probe may say "not ready" (503) when that is its documented answer.
            let probe_says_so = op.path == "/ready" && spec.documents(op, response.status);
            if response.status == 401 || response.status >= 500 && !probe_says_so {
                failures.push(format!("{} (public) answered {}", op.name(), brief(&response)));
            }
        } else {
            private += 1;
            let response = call(&anonymous, op, &sample_payload(op)).await;
            if !is_problem(&response, 401) {
                failures.push(format!("{} signed out answered {}, not a 401 problem", op.name(), brief(&response)));
            }
        }
    }
    println!("signed out: {private} operations answered 401, {public} public ones answered without a session:");
    println!("  {}", answers.join(", "));
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

/// A standard user signed in, then locked.
async fn locked_session<'a>(app: &'a TestApp, name: &str) -> Persona<'a> {
    let who = app.user(name).await;
    let locked = who.post_empty("/api/auth/lock").await;
    assert_eq!(locked.status, 204, "{}", locked.body);
    assert_eq!(who.get("/api/auth/status").await.json()["locked"], true);
    who
}

#[tokio::test]
async fn a_locked_session_is_423_everywhere_but_the_lock_screens_own_operations() {
    let app = app().await;
    let spec = Spec::fetch(&app).await;
    assert_listed_exist(&spec, WHILE_LOCKED_OPERATIONS, "WHILE_LOCKED_OPERATIONS");
    let locked = locked_session(&app, "locked").await;
    let (mut refused, mut failures, mut reached) = (0, Vec::new(), Vec::new());
    for op in spec.operations.iter().filter(|op| !is_public(op) && !reachable_while_locked(op)) {
        refused += 1;
        let response = call(&locked, op, &sample_payload(op)).await;
        if !is_problem(&response, 423) {
            failures.push(format!("{} while locked answered {}, not a 423 problem", op.name(), brief(&response)));
        }
    }
    // The session is still locked: nothing above unlocked it.
    assert_eq!(locked.get("/api/auth/status").await.json()["locked"], true);
    // Each lock-screen operation on a locked session of its own (unlocking lifts the lock).
    for (i, op) in spec.operations.iter().filter(|op| reachable_while_locked(op)).enumerate() {
        let who = locked_session(&app, &format!("locked{i}")).await;
        let payload = if op.path == "/api/auth/unlock" {
            Payload::Json(json!({"password": PASSWORD}))
        } else {
            sample_payload(op)
        };
        let response = call(&who, op, &payload).await;
        reached.push(format!("{} {}", op.name(), response.status));
        // Reaching the handler is the point: a made-up passkey answer may still be refused.
        if response.status == 423 || response.status >= 500 {
            failures.push(format!("{} must work while locked, answered {}", op.name(), brief(&response)));
        }
    }
    println!("locked: {refused} operations answered 423, {} lock-screen operations were reached:", reached.len());
    println!("  {}", reached.join(", "));
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[tokio::test]
async fn a_standard_user_is_403_on_every_admin_operation() {
    let app = app().await;
    let spec = Spec::fetch(&app).await;
    // An admin exists, so a 403 is about the caller's role, not an empty system.
    let _admin = app.admin().await;
    let user = app.user("standard").await;
    let (mut checked, mut failures) = (0, Vec::new());
    for op in spec.operations.iter().filter(|op| op.is_admin()) {
        checked += 1;
        let response = call(&user, op, &sample_payload(op)).await;
        if !is_problem(&response, 403) {
            failures.push(format!("{} as a standard user answered {}, not a 403 problem", op.name(), brief(&response)));
        }
    }
    assert!(checked > 10, "only {checked} admin operations in the document");
    println!("standard user: {checked} admin operations answered 403");
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}
