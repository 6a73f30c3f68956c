//! Reads the app's own OpenAPI document (`GET /api/openapi.json`) into the list of
//! operations the generated suites walk: method, path template, path and query parameters
//! and the request body's media type and schema ($ref resolved into `components`). It also
//! derives a plausible example value from a schema, so that a new route gets a body without
//! anyone writing one. Nothing here knows a route by name: that is the point.

use rocket::http::Method;
use serde_json::{Map, Value, json};

use crate::harness::TestApp;

/// A parameter of an operation (`in: path` or `in: query`).
#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    /// The parameter's schema, resolved.
    pub schema: Value,
}

impl Param {
    /// An id-like parameter: an integer schema (`{id}`, `{task_id}`, `?calendar_id=`), or
    /// an id list such as `?ids=`.
    pub fn is_id(&self) -> bool {
        is_integer(&self.schema) || self.name == "ids" || self.name.ends_with("_ids")
    }
}

/// The request body an operation declares.
#[derive(Debug, Clone)]
pub struct RequestBody {
    pub content_type: String,
    pub schema: Value,
}

/// One (method, path) of the document.
#[derive(Debug, Clone)]
pub struct Operation {
    pub method: Method,
    /// The template as documented, e.g. `/api/projects/{id}/tasks/{task_id}`.
    pub path: String,
    pub path_params: Vec<Param>,
    pub query_params: Vec<Param>,
    pub body: Option<RequestBody>,
}

impl Operation {
    /// `"GET /api/todos/{id}"`: how failures and the tables name an operation.
    pub fn name(&self) -> String {
        format!("{} {}", self.method.as_str(), self.path)
    }

    /// The path with every `{param}` replaced by `value(param)`.
    pub fn fill(&self, mut value: impl FnMut(&str) -> String) -> String {
        let mut out = String::new();
        for segment in self.path.split('/').skip(1) {
            out.push('/');
            match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => out.push_str(&value(name)),
                None => out.push_str(segment),
            }
        }
        out
    }

    /// The path segment before each parameter, with the parameter: `("tasks", "task_id")`.
    /// That pair, not the bare name (`id` is everywhere), says what kind of object it names.
    pub fn param_slots(&self) -> Vec<(String, String)> {
        let segments: Vec<&str> = self.path.split('/').collect();
        let mut slots = Vec::new();
        for (i, segment) in segments.iter().enumerate() {
            if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                let before = segments[..i].iter().rev().find(|s| !s.starts_with('{')).copied().unwrap_or("");
                slots.push((before.to_string(), name.to_string()));
            }
        }
        slots
    }

    pub fn is_admin(&self) -> bool {
        self.path.starts_with("/api/admin/")
    }
}

/// The document and its operations, in the document's order.
pub struct Spec {
    pub document: Value,
    pub operations: Vec<Operation>,
}

impl Spec {
    /// Fetches the document from the app (anonymously: it is public) and reads it.
    pub async fn fetch(app: &TestApp) -> Spec {
        let response = app.anonymous().get("/api/openapi.json").await;
        assert_eq!(response.status, 200, "{}", response.body);
        Spec::read(response.json())
    }

    pub fn read(document: Value) -> Spec {
        let mut spec = Spec { document, operations: Vec::new() };
        let paths = spec.document["paths"].as_object().expect("paths").clone();
        for (path, item) in &paths {
            for (method, operation) in item.as_object().expect("path item") {
                let Ok(method) = method.to_uppercase().parse::<Method>() else {
                    continue; // `parameters`, `summary`… of the path item, not an operation
                };
                let operation = spec.operation(method, path, operation);
                spec.operations.push(operation);
            }
        }
        assert!(spec.operations.len() > 50, "the document lists only {} operations", spec.operations.len());
        spec
    }

    fn operation(&self, method: Method, path: &str, operation: &Value) -> Operation {
        let mut path_params = Vec::new();
        let mut query_params = Vec::new();
        for param in operation["parameters"].as_array().into_iter().flatten() {
            let param = self.resolve(param);
            let read = Param {
                name: param["name"].as_str().expect("parameter name").to_string(),
                schema: self.resolve(&param["schema"]),
            };
            match param["in"].as_str() {
                Some("path") => path_params.push(read),
                Some("query") => query_params.push(read),
                _ => {}
            }
        }
        let body = operation["requestBody"]["content"].as_object().and_then(|content| {
            let (content_type, media) = content.iter().next()?;
            Some(RequestBody { content_type: content_type.clone(), schema: self.resolve(&media["schema"]) })
        });
        Operation { method, path: path.to_string(), path_params, query_params, body }
    }

    /// The operation's entry in the document.
    pub fn entry(&self, op: &Operation) -> &Value {
        &self.document["paths"][&op.path][op.method.as_str().to_ascii_lowercase()]
    }

    /// Whether the document lists `status` among the operation's responses.
    pub fn documents(&self, op: &Operation, status: u16) -> bool {
        self.entry(op)["responses"].get(status.to_string()).is_some()
    }

    /// The value with every `$ref` replaced by what it points at, recursively (a schema that
    /// refers to itself stops after a few levels: examples need no more).
    pub fn resolve(&self, value: &Value) -> Value {
        self.resolve_depth(value, 0)
    }

    fn resolve_depth(&self, value: &Value, depth: usize) -> Value {
        match value {
            Value::Object(map) => {
                if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                    if depth > 12 {
                        return json!({});
                    }
                    let pointer = reference.strip_prefix('#').unwrap_or_else(|| panic!("external $ref {reference}"));
                    let target = self.document.pointer(pointer).unwrap_or_else(|| panic!("dangling $ref {reference}"));
                    return self.resolve_depth(target, depth + 1);
                }
                let resolved: Map<String, Value> =
                    map.iter().map(|(k, v)| (k.clone(), self.resolve_depth(v, depth))).collect();
                Value::Object(resolved)
            }
            Value::Array(items) => Value::Array(items.iter().map(|v| self.resolve_depth(v, depth)).collect()),
            other => other.clone(),
        }
    }
}

/// The schema's types, with `null` left out (`type: ["string", "null"]` is a string).
fn types(schema: &Value) -> Vec<&str> {
    match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).filter(|t| *t != "null").collect(),
        _ => Vec::new(),
    }
}

pub fn is_integer(schema: &Value) -> bool {
    types(schema).contains(&"integer")
        || ["oneOf", "anyOf", "allOf"]
            .iter()
            .any(|k| schema[*k].as_array().is_some_and(|v| v.iter().any(|s| types(s).contains(&"integer"))))
}

/// The first variant of a `oneOf`/`anyOf` that is not just `null`.
fn variant(schema: &Value) -> Option<&Value> {
    ["oneOf", "anyOf"].iter().filter_map(|k| schema[*k].as_array()).flatten().find(|s| s["type"] != "null")
}

/// A value the schema accepts, as a client in a hurry would write it: the example when there
/// is one, else the required properties only (or, for an object with none required, one
/// property: a PATCH of nothing is refused), the first enum value, a date for a date.
pub fn sample(schema: &Value) -> Value {
    if let Some(example) = schema.get("example").or_else(|| schema["examples"].get(0)) {
        return example.clone();
    }
    if let Some(first) = schema["enum"].get(0) {
        return first.clone();
    }
    if let Some(one) = variant(schema) {
        return sample(one);
    }
    if let Some(all) = schema["allOf"].as_array() {
        let mut merged = Map::new();
        for part in all {
            if let Value::Object(object) = sample(part) {
                merged.extend(object);
            }
        }
        return Value::Object(merged);
    }
    let kinds = types(schema);
    if kinds.contains(&"object") || schema["properties"].is_object() {
        return sample_object(schema);
    }
    match kinds.first().copied() {
        Some("integer") => json!(1),
        Some("number") => json!(1.5),
        Some("boolean") => json!(true),
        Some("array") => json!([]),
        Some("string") => match schema["format"].as_str() {
            Some("date-time") => json!("2031-03-04T09:00:00Z"),
            Some("date") => json!("2031-03-04"),
            _ => json!("zq-sample"),
        },
        _ => json!({}),
    }
}

fn sample_object(schema: &Value) -> Value {
    let empty = Map::new();
    let properties = schema["properties"].as_object().unwrap_or(&empty);
    let required: Vec<&str> = schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    let mut out = Map::new();
    for name in &required {
        out.insert((*name).to_string(), sample(&properties[*name]));
    }
    if required.is_empty() {
        // One field to change: a name or title if there is one, else the first simple one.
        let pick = ["name", "title", "body"].iter().find(|n| properties.contains_key(**n)).map(|n| (*n).to_string());
        let pick = pick.or_else(|| {
            properties
                .iter()
                .find(|(_, s)| types(s).iter().any(|t| ["string", "boolean", "integer"].contains(t)))
                .map(|(n, _)| n.clone())
        });
        if let Some(name) = pick {
            out.insert(name.clone(), sample(&properties[&name]));
        }
    }
    Value::Object(out)
}

/// Every `$ref` of the document points at something in it (the audit log's `action`
/// parameter once referred to an `AuditAction` schema the components did not hold, which
/// left the document invalid for any OpenAPI tool).
#[tokio::test]
async fn every_reference_in_the_document_resolves() {
    fn refs<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                    found.push(reference);
                }
                map.values().for_each(|v| refs(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
            _ => {}
        }
    }
    let app = crate::harness::app().await;
    let document = app.anonymous().get("/api/openapi.json").await.json();
    let mut found = Vec::new();
    refs(&document, &mut found);
    assert!(found.len() > 20, "the document uses only {} references", found.len());
    let dangling: Vec<&str> = found
        .into_iter()
        .filter(|r| r.strip_prefix('#').and_then(|pointer| document.pointer(pointer)).is_none())
        .collect();
    assert!(dangling.is_empty(), "references to nothing: {dangling:?}");
}
