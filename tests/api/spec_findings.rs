//! What schemathesis (tests/schemathesis/run.sh) found wrong between the OpenAPI document and
//! the server, each kept as a regular test so that it cannot come back unnoticed:
//! - the answers of the request plumbing (400, 401, 403, 413, 415, 422, 423, 429, 503) were
//!   missing from most operations, and error answers had no problem+json body described;
//!   `PUBLIC_OPERATIONS` and `WHILE_LOCKED_OPERATIONS` say which operations answer 401 and 423,
//!   so both lists are proved here against the routes, in both directions;
//! - the settings' choice enums were documented with their Rust names ("Monday"), not the sent
//!   ones ("monday"), so a client following the document was refused;
//! - the people import's answer was documented with the calendar import's schema (two types
//!   named `ImportResult` shared one schema entry);
//! - a query parameter referred to a schema the document did not hold (`AuditAction`);
//! - the bounds of the paging parameters and of ids were not stated;
//! - a struct that flattens one that denies unknown fields (the admin's OIDC settings) was
//!   documented as `allOf` with a closed part, which forbade the other part's own fields.

use rocket::http::Method;
use serde_json::{Value, json};

use crate::harness::{Persona, Resp, TestApp, app};

async fn document(app: &TestApp) -> Value {
    app.anonymous().get("/api/openapi.json").await.json()
}

/// Every (method, path, operation) of the document, methods in upper case.
fn operations(document: &Value) -> Vec<(String, String, Value)> {
    let mut all = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            all.push((method.to_uppercase(), path.clone(), operation.clone()));
        }
    }
    all
}

/// The path with every parameter filled in with `value`.
fn fill(path: &str, value: &str) -> String {
    path.split('/')
        .map(|segment| if segment.starts_with('{') && segment.ends_with('}') { value } else { segment })
        .collect::<Vec<_>>()
        .join("/")
}

fn documented(operation: &Value, status: u16) -> bool {
    operation["responses"].get(status.to_string()).is_some()
}

/// Follows `$ref`s (`#/components/...`) to the schema they name.
fn resolve<'a>(document: &'a Value, mut schema: &'a Value) -> &'a Value {
    while let Some(pointer) = schema["$ref"].as_str() {
        schema = document.pointer(pointer.trim_start_matches('#')).unwrap_or_else(|| panic!("{pointer} resolves"));
    }
    schema
}

/// A request as a client that follows the document sends it: the CSRF header, and a JSON
/// body (`{}` unless given) where the operation takes one.
async fn call(who: &Persona<'_>, method: &str, path: &str, operation: &Value, body: Option<(&str, &str)>) -> Resp {
    let method: Method = method.parse().unwrap();
    let (content_type, text) = match (body, operation.get("requestBody")) {
        (Some((content_type, text)), _) => (Some(content_type), Some(text)),
        (None, Some(_)) => (Some("application/json"), Some("{}")),
        (None, None) => (None, None),
    };
    let mut headers = vec![("X-Requested-With", "XMLHttpRequest")];
    if let Some(content_type) = content_type {
        headers.push(("Content-Type", content_type));
    }
    who.request(method, path, text, &headers).await
}

/// The plumbing's answers to malformed and unauthorised requests, on every operation of the
/// document, are among the answers the document gives for it; and the two lists behind the
/// 401s and 423s match the routes: an operation answers 401 without a session exactly when it
/// is not public, and 423 on a locked session exactly when it is not usable while locked.
#[tokio::test]
async fn the_plumbings_answers_are_documented_on_every_operation() {
    use umbra::api::openapi::{PUBLIC_OPERATIONS, WHILE_LOCKED_OPERATIONS, listed};

    let app = app().await;
    let _admin = app.admin().await;
    let standard = app.user("standard").await;
    let locked = app.user("locked").await;
    assert_eq!(locked.post_empty("/api/auth/lock").await.status, 204);
    let anonymous = app.anonymous();
    let document = document(&app).await;
    let mut undocumented = Vec::new();
    let mut wrong_lists = Vec::new();
    let mut checked = 0;
    for (method, path, operation) in operations(&document) {
        let public = listed(PUBLIC_OPERATIONS, &method, &path);
        let while_locked = listed(WHILE_LOCKED_OPERATIONS, &method, &path);
        let plain = fill(&path, "1");
        let mut answers = Vec::new();
        if operation.get("requestBody").is_some() {
            answers.push((
                "a body of another type",
                call(&standard, &method, &plain, &operation, Some(("application/x-umbra", "x"))).await,
            ));
            answers.push((
                "a body that is not JSON",
                call(&standard, &method, &plain, &operation, Some(("application/json", "{"))).await,
            ));
        }
        if path.contains('{') {
            answers.push((
                "parameters that do not parse",
                call(&standard, &method, &fill(&path, "x"), &operation, None).await,
            ));
        }
        if path.starts_with("/api/") && method != "GET" {
            let method: Method = method.parse().unwrap();
            answers.push(("no CSRF header", standard.request(method, &plain, None, &[]).await));
        }
        if path.starts_with("/api/admin/") {
            answers
                .push(("a standard user on an admin route", call(&standard, &method, &plain, &operation, None).await));
        }
        if public {
            let answer = call(&anonymous, &method, &plain, &operation, None).await;
            if answer.status == 401 && answer.detail() == "You are not signed in." {
                wrong_lists.push(format!("{method} {path}: needs a session, yet in PUBLIC_OPERATIONS"));
            }
            answers.push(("no session", answer));
        } else {
            let answer = call(&anonymous, &method, &plain, &operation, None).await;
            if answer.status != 401 {
                wrong_lists.push(format!(
                    "{method} {path}: {} without a session, yet not in PUBLIC_OPERATIONS",
                    answer.status
                ));
            }
            answers.push(("no session", answer));
            // Public operations need no session: a locked one proves nothing about them (and
            // one of them, sign-out, would end it).
            let answer = call(&locked, &method, &plain, &operation, None).await;
            match (answer.status == 423, while_locked) {
                (false, false) => {
                    wrong_lists.push(format!("{method} {path}: {} on a locked session, not 423", answer.status));
                }
                (true, true) => wrong_lists.push(format!("{method} {path}: 423, yet in WHILE_LOCKED_OPERATIONS")),
                _ => {}
            }
            answers.push(("a locked session", answer));
        }
        for (what, answer) in answers {
            checked += 1;
            assert!(answer.status < 500, "{method} {path} with {what}: {} {}", answer.status, answer.body);
            if answer.status >= 400 {
                answer.problem(answer.status);
            }
            if !documented(&operation, answer.status) {
                undocumented.push(format!("{method} {path} with {what}: {}", answer.status));
            }
        }
    }
    // The lists name only operations that exist.
    for (method, path, _) in PUBLIC_OPERATIONS.iter().chain(WHILE_LOCKED_OPERATIONS) {
        let exists = document["paths"][*path].get(method.to_lowercase()).is_some();
        assert!(exists, "{method} {path} is listed but not in the document");
    }
    println!("{checked} malformed or unauthorised requests over {} operations", operations(&document).len());
    assert!(wrong_lists.is_empty(), "the operation lists are wrong:\n{}", wrong_lists.join("\n"));
    assert!(undocumented.is_empty(), "undocumented answers:\n{}", undocumented.join("\n"));
}

/// Every error answer the document describes carries a problem+json body.
#[tokio::test]
async fn every_documented_error_is_a_problem_document() {
    let app = app().await;
    let document = document(&app).await;
    let mut missing = Vec::new();
    for (method, path, operation) in operations(&document) {
        for (status, response) in operation["responses"].as_object().unwrap() {
            if !(status.starts_with('4') || status.starts_with('5')) || (path == "/ready" && status == "503") {
                continue;
            }
            let response = resolve(&document, response);
            let schema = &response["content"]["application/problem+json"]["schema"];
            if resolve(&document, schema)["properties"]["type"].is_null() {
                missing.push(format!("{method} {path} {status}"));
            }
        }
    }
    assert!(missing.is_empty(), "error answers without a problem+json body: {missing:?}");
}

/// Every `$ref` in the document names something the document holds.
#[tokio::test]
async fn every_reference_in_the_document_resolves() {
    fn walk(document: &Value, node: &Value, dangling: &mut Vec<String>) {
        match node {
            Value::Object(map) => {
                if let Some(pointer) = map.get("$ref").and_then(Value::as_str)
                    && document.pointer(pointer.trim_start_matches('#')).is_none()
                {
                    dangling.push(pointer.to_string());
                }
                map.values().for_each(|child| walk(document, child, dangling));
            }
            Value::Array(items) => items.iter().for_each(|child| walk(document, child, dangling)),
            _ => {}
        }
    }
    let app = app().await;
    let document = document(&app).await;
    let mut dangling = Vec::new();
    walk(&document, &document, &mut dangling);
    assert!(dangling.is_empty(), "references to nothing: {dangling:?}");
}

/// The first enum among a schema's alternatives (a nullable value is `oneOf` null and it).
fn enum_values(document: &Value, schema: &Value) -> Option<Vec<Value>> {
    let schema = resolve(document, schema);
    if let Some(values) = schema["enum"].as_array() {
        return Some(values.iter().filter(|v| !v.is_null()).cloned().collect());
    }
    ["oneOf", "anyOf", "allOf"]
        .iter()
        .filter_map(|key| schema[*key].as_array())
        .flatten()
        .find_map(|alternative| enum_values(document, alternative))
}

/// Each value the document offers for a setting's choice is accepted and read back as sent.
#[tokio::test]
async fn every_documented_settings_choice_is_accepted() {
    let app = app().await;
    let alice = app.user("alice").await;
    let document = document(&app).await;
    let answer = &document["paths"]["/api/settings"]["get"]["responses"]["200"];
    let view = resolve(&document, &answer["content"]["application/json"]["schema"]);
    let mut tried = 0;
    for (field, schema) in view["properties"].as_object().unwrap() {
        let Some(values) = enum_values(&document, schema) else { continue };
        for value in values {
            let response = alice.patch("/api/settings", json!({ field.as_str(): value })).await;
            assert_eq!(response.status, 200, "{field} = {value}: {}", response.body);
            assert_eq!(response.json()[field.as_str()], value, "{field}");
            tried += 1;
        }
    }
    // week_start, date_format, time_format and theme at least.
    assert!(tried >= 12, "only {tried} documented choices");
}

/// The keys of an answer are the properties of the schema documented for it, no more, no less.
fn assert_answer_matches(document: &Value, path: &str, answer: &Resp) {
    assert_eq!(answer.status, 200, "{path}: {}", answer.body);
    let documented = &document["paths"][path]["post"]["responses"]["200"]["content"]["application/json"]["schema"];
    let schema = resolve(document, documented);
    let mut expected: Vec<&String> = schema["properties"].as_object().unwrap().keys().collect();
    let body = answer.json();
    let mut sent: Vec<&String> = body.as_object().unwrap().keys().collect();
    expected.sort();
    sent.sort();
    assert_eq!(sent, expected, "{path}: the answer against its documented schema");
}

/// The people import and the calendar import answer with the schema each documents.
#[tokio::test]
async fn each_import_answers_with_its_own_documented_schema() {
    let app = app().await;
    let alice = app.user("alice").await;
    let document = document(&app).await;
    let headers = |content_type| [("X-Requested-With", "XMLHttpRequest"), ("Content-Type", content_type)];

    let vcard = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ann Example\r\nEND:VCARD\r\n";
    let people = alice.request(Method::Post, "/api/people/import", Some(vcard), &headers("text/vcard")).await;
    assert_answer_matches(&document, "/api/people/import", &people);

    let calendar = alice.post("/api/calendars", json!({"name": "Imported"})).await.json()["id"].as_i64().unwrap();
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:one@example.org\r\n\
               DTSTAMP:20260101T000000Z\r\nDTSTART:20260105T100000Z\r\nDTEND:20260105T110000Z\r\nSUMMARY:One\r\n\
               END:VEVENT\r\nEND:VCALENDAR\r\n";
    let path = format!("/api/calendars/{calendar}/import");
    let events = alice.request(Method::Post, &path, Some(ics), &headers("text/calendar")).await;
    assert_answer_matches(&document, "/api/calendars/{id}/import", &events);
}

/// The document states the paging bounds, and they are the ones the server keeps: the largest
/// documented `limit` is served, one more is refused, as is a negative `offset`.
#[tokio::test]
async fn the_documented_paging_bounds_are_the_servers() {
    let app = app().await;
    let _admin = app.admin().await;
    let alice = app.user("alice").await;
    let document = document(&app).await;
    let mut lists = 0;
    for (method, path, operation) in operations(&document) {
        let parameters = operation["parameters"].as_array().cloned().unwrap_or_default();
        let Some(limit) = parameters.iter().find(|p| p["name"] == "limit" && p["in"] == "query") else { continue };
        let offset = parameters.iter().find(|p| p["name"] == "offset" && p["in"] == "query").expect("offset too");
        assert_eq!(limit["schema"]["minimum"], 1, "{method} {path}");
        let max =
            limit["schema"]["maximum"].as_i64().unwrap_or_else(|| panic!("{method} {path}: limit has no maximum"));
        assert_eq!(offset["schema"]["minimum"], 0, "{method} {path}");
        // A list under an id needs an object of the caller's; those under /api/admin an admin.
        if method != "GET" || path.contains('{') || path.starts_with("/api/admin/") {
            continue;
        }
        assert_eq!(alice.get(&format!("{path}?limit={max}")).await.status, 200, "{path}?limit={max}");
        alice.get(&format!("{path}?limit={}", max + 1)).await.problem(422);
        alice.get(&format!("{path}?offset=-1")).await.problem(422);
        lists += 1;
    }
    assert!(lists >= 10, "only {lists} lists checked");
}

/// Every integer path parameter is an id: the document says it starts at 1, and the server
/// refuses 0 as it refuses any other non-id, with an answer the document gives.
#[tokio::test]
async fn the_documented_id_bounds_are_the_servers() {
    let app = app().await;
    let admin = app.admin().await;
    let alice = app.user("alice").await;
    let document = document(&app).await;
    let mut ids = 0;
    for (method, path, operation) in operations(&document) {
        let parameters = operation["parameters"].as_array().cloned().unwrap_or_default();
        let integers: Vec<_> =
            parameters.iter().filter(|p| p["in"] == "path" && p["schema"]["type"] == "integer").collect();
        if integers.is_empty() {
            continue;
        }
        for parameter in &integers {
            assert_eq!(parameter["schema"]["minimum"], 1, "{method} {path}: {}", parameter["name"]);
        }
        let zero = path
            .split('/')
            .map(|segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) if integers.iter().any(|p| p["name"] == name) => "0",
                Some(_) => "1",
                None => segment,
            })
            .collect::<Vec<_>>()
            .join("/");
        // The admin role is checked before the path (403 to anyone else).
        let who = if path.starts_with("/api/admin/") { &admin } else { &alice };
        // 422 from the route that cannot parse it, or 404 where a GET falls through to the
        // web UI's fallback route; never the handler's work.
        let answer = call(who, &method, &zero, &operation, None).await;
        assert!(matches!(answer.status, 404 | 422), "{method} {zero}: {} {}", answer.status, answer.body);
        answer.problem(answer.status);
        assert!(documented(&operation, answer.status), "{method} {path}: {} undocumented", answer.status);
        ids += 1;
    }
    assert!(ids >= 50, "only {ids} operations with ids");
}

/// The object-level rules of a schema as JSON Schema applies them: every part of an `allOf`
/// holds on its own, required names are present, a closed object has no other names.
fn object_problems(document: &Value, schema: &Value, value: &Value) -> Vec<String> {
    let schema = resolve(document, schema);
    if let Some(parts) = schema["allOf"].as_array() {
        return parts.iter().flat_map(|part| object_problems(document, part, value)).collect();
    }
    let mut problems = Vec::new();
    let object = value.as_object().expect("an object");
    for name in schema["required"].as_array().into_iter().flatten() {
        if !object.contains_key(name.as_str().unwrap()) {
            problems.push(format!("{name} is required"));
        }
    }
    if schema["additionalProperties"] == false {
        for name in object.keys() {
            if schema["properties"].get(name).is_none() {
                problems.push(format!("{name} is not allowed"));
            }
        }
    }
    problems
}

/// The admin's single sign-on settings, a flattened struct on both ways: what the server sends
/// conforms to the documented answer, and a body it accepts to the documented request body.
#[tokio::test]
async fn the_flattened_oidc_settings_conform_to_their_documented_schemas() {
    let app = app().await;
    let admin = app.admin().await;
    let document = document(&app).await;
    let operation = &document["paths"]["/api/admin/oidc"];

    let current = admin.get("/api/admin/oidc").await;
    assert_eq!(current.status, 200, "{}", current.body);
    let answer_schema = &operation["get"]["responses"]["200"]["content"]["application/json"]["schema"];
    assert_eq!(object_problems(&document, answer_schema, &current.json()), Vec::<String>::new(), "the answer");

    let mut body = current.json();
    let settings = body.as_object_mut().unwrap();
    settings.remove("client_secret_set");
    settings.remove("redirect_uri");
    settings.insert("client_secret".into(), json!("a new secret"));
    let saved = admin.put("/api/admin/oidc", body.clone()).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let body_schema = &operation["put"]["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(object_problems(&document, body_schema, &body), Vec::<String>::new(), "the accepted body");
    assert_eq!(saved.json()["client_secret_set"], true);
}
