//! The OpenAPI document covers every mounted route; the migration trees stay in step.

use std::collections::BTreeSet;

use crate::harness::app;

#[tokio::test]
async fn openapi_documents_every_api_route() {
    let app = app().await;
    let document = app.anonymous().get("/api/openapi.json").await.json();
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    let documented: BTreeSet<(String, String)> = document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object().unwrap().keys().map(move |method| (method.to_uppercase(), path.clone()))
        })
        .collect();
    let mounted: BTreeSet<(String, String)> = app
        .client
        .rocket()
        .routes()
        .filter(|route| {
            let path = route.uri.path();
            path.starts_with("/api/") || path.starts_with("/ics/") || path == "/health" || path == "/ready"
        })
        .map(|route| {
            let path = route.uri.path().replace('<', "{").replace('>', "}").replace("..}", "}");
            (route.method.as_str().to_string(), path)
        })
        .collect();
    let missing: Vec<_> = mounted.difference(&documented).collect();
    assert!(missing.is_empty(), "routes missing from the OpenAPI document: {missing:?}");
    let stale: Vec<_> = documented.difference(&mounted).collect();
    assert!(stale.is_empty(), "documented routes that are not mounted: {stale:?}");
    // Request bodies are described.
    assert!(document["paths"]["/api/auth/login"]["post"]["requestBody"].is_object());
    // Every path parameter is declared once, in the path, as an integer for ids.
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let params = operation["parameters"].as_array().cloned().unwrap_or_default();
            for name in path.split('/').filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}'))) {
                let declared: Vec<_> = params.iter().filter(|p| p["name"] == name && p["in"] == "path").collect();
                assert_eq!(declared.len(), 1, "{method} {path}: parameter {name} declared {} times", declared.len());
                if name == "id" {
                    assert_eq!(declared[0]["schema"]["type"], "integer", "{method} {path}");
                }
            }
        }
    }
    // Paged lists declare their paging parameters.
    let sessions = &document["paths"]["/api/auth/sessions"]["get"]["parameters"];
    assert!(sessions.as_array().unwrap().iter().any(|p| p["name"] == "limit" && p["in"] == "query"));
}

#[test]
fn migration_trees_have_the_same_names() {
    let (sqlite, postgres) = umbra::db::migration_names();
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres);
}
