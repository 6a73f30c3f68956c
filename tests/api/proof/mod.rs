//! The proof suite generated from the OpenAPI document (issue 14, §1 second bullet and §2).
//! It walks every operation the app documents — and the OpenAPI test proves that is every
//! mounted route — so a new route is covered without anyone editing these files:
//!
//! - `guards`: signed out → 401 problem+json on every non-public operation; a locked session
//!   → 423 on every operation that needs an unlocked one; a standard user → 403 on every
//!   `/api/admin/*` operation; nothing answers 5xx. The few public and works-while-locked
//!   operations are named in commented lists that fail when an entry stops existing.
//! - `cross_user`: user B, connected to user A, calls every operation whose path names an
//!   object with A's ids: 404 everywhere, except what an explicit share grants (a table, each
//!   entry with its reason); A's ids inside B's bodies are refused (404/422) where B's own are
//!   accepted; A's data reads back byte-for-byte the same afterwards. An operation whose
//!   path parameter has no object to name fails the test.
//!
//! `spec` reads the document; `objects` builds each user's set of objects through the API.

mod cross_user;
mod guards;
mod objects;
mod spec;

use rocket::http::Method;
use serde_json::Value;

use crate::harness::{Persona, Resp};

/// What a generated call sends as its body.
#[derive(Debug, Clone)]
pub enum Payload {
    None,
    Json(Value),
    /// Another media type (an iCalendar or vCard file), as the text it is.
    Raw {
        content_type: String,
        text: String,
    },
}

/// Sends one request as `who`, as the web UI would: with the CSRF header always, and the
/// body's media type when there is a body.
pub async fn send(who: &Persona<'_>, method: Method, path: &str, payload: &Payload) -> Resp {
    let csrf = ("X-Requested-With", "XMLHttpRequest");
    match payload {
        Payload::None => who.request(method, path, None, &[csrf]).await,
        Payload::Json(value) => {
            let text = value.to_string();
            who.request(method, path, Some(&text), &[csrf, ("Content-Type", "application/json")]).await
        }
        Payload::Raw { content_type, text } => {
            who.request(method, path, Some(text), &[csrf, ("Content-Type", content_type.as_str())]).await
        }
    }
}

/// Whether the answer is an RFC 9457 problem document with this status.
pub fn is_problem(response: &Resp, status: u16) -> bool {
    response.status == status
        && response.header("content-type") == Some("application/problem+json")
        && serde_json::from_str::<Value>(&response.body).is_ok_and(|p| p["status"] == status)
}

/// A short form of an answer for failure messages.
pub fn brief(response: &Resp) -> String {
    let body: String = response.body.chars().take(300).collect();
    format!("{} {body}", response.status)
}
