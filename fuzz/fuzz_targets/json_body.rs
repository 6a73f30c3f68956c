//! The JSON body extractor (`http::json::parse`, what `JsonBody<T>` runs on every request body)
//! into real request bodies, then the domain validation those bodies go through.
//!
//! Properties, for any bytes:
//! - `parse` never panics, and a refusal is a 400 (not JSON) or a 422 (JSON of the wrong
//!   shape); a 422 from the shape check names a field.
//! - `parse` accepts exactly what serde_json accepts, less the `\u0000` escape (which
//!   PostgreSQL cannot store): a body serde_json takes is refused only for that reason.
//! - An accepted body's validation (`todos::new_state`, `patched_state`, `events::new_state`,
//!   `PersonFields::validate`) never panics and a refusal names each field at fault.
//!
//! Every input is tried as every body type: each type sees the shapes the others' seeds reach.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use umbra::api::auth::login::LoginRequest;
use umbra::domain::events::{self, NewEvent, NewEventContext};
use umbra::domain::id::CalendarId;
use umbra::domain::people::NewPerson;
use umbra::domain::todos::{self, NewTodo, Problems, TodoPatch};
use umbra::error::ApiError;

/// 2027-03-01T09:00:00Z: a fixed "now", so a crash reproduces.
const NOW: i64 = 1_803_891_600_000;

fn accepted<T: DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    match umbra::http::json::parse::<T>(bytes) {
        Ok(value) => {
            assert!(serde_json::from_slice::<T>(bytes).is_ok(), "parse accepted what serde_json refuses");
            Some(value)
        }
        Err(error) => {
            check_refusal(&error);
            if serde_json::from_slice::<T>(bytes).is_ok() {
                // The one refusal of a body serde_json takes: the NUL escape.
                assert_eq!(error.status.code, 422, "{}", error.detail);
                assert!(error.detail.contains("NUL"), "refused a valid body: {}", error.detail);
                let lower = bytes.to_ascii_lowercase();
                assert!(lower.windows(5).any(|w| w == b"u0000"), "NUL refusal without a NUL escape");
            }
            None
        }
    }
}

fn check_refusal(error: &ApiError) {
    match error.status.code {
        400 => assert!(error.errors.is_empty()),
        422 => {
            // The field named is the key the client sent, which may be the empty key.
            let empty_key = error.detail.contains("unknown field ``");
            for field in &error.errors {
                assert!(!field.field.is_empty() || empty_key, "a 422 without a field name: {}", error.detail);
            }
        }
        other => panic!("a body was refused with {other}: {}", error.detail),
    }
}

fn check_problems(problems: &Problems) {
    assert!(!problems.is_empty(), "a refusal without a problem");
    for (field, message) in &problems.0 {
        assert!(!field.is_empty() && !message.is_empty(), "an unnamed problem: {field:?} {message:?}");
    }
}

fn todo(bytes: &[u8]) {
    let Some(body) = accepted::<NewTodo>(bytes) else { return };
    match todos::new_state(body, NOW) {
        Ok(state) => {
            if let Some(rule) = &state.recurrence {
                // Completing a repeating todo expands its rule: no panic, whatever it says.
                let _ = todos::advance(&state, rule, NOW, 0, state.due_at);
            }
        }
        Err(problems) => check_problems(&problems),
    }
}

fn todo_patch(bytes: &[u8]) {
    let Some(patch) = accepted::<TodoPatch>(bytes) else { return };
    let base: NewTodo =
        serde_json::from_str(r#"{"title":"Water the plants","due_date":"2027-03-02"}"#).expect("a valid base todo");
    let current = todos::new_state(base, NOW).expect("a valid base todo");
    if let Err(problems) = todos::patched_state(&current, patch) {
        check_problems(&problems);
    }
}

fn event(bytes: &[u8]) {
    let Some(body) = accepted::<NewEvent>(bytes) else { return };
    let ctx = NewEventContext { calendar_id: CalendarId(1), default_zone: chrono_tz::Europe::Berlin, template: None };
    if let Err(problems) = events::new_state(body, ctx) {
        check_problems(&problems);
    }
}

fn person(bytes: &[u8]) {
    let Some(body) = accepted::<NewPerson>(bytes) else { return };
    let (fields, _) = body.into_fields();
    if let Err(errors) = fields.validate() {
        assert!(!errors.is_empty());
        assert!(errors.iter().all(|e| !e.field.is_empty()));
    }
}

fuzz_target!(|bytes: &[u8]| {
    todo(bytes);
    todo_patch(bytes);
    event(bytes);
    person(bytes);
    let _ = accepted::<LoginRequest>(bytes);
});
