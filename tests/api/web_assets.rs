//! The embedded web UI: content types, caching, SPA fallback.

use crate::harness::app;

#[tokio::test]
async fn assets_are_served_with_types_and_etags() {
    let app = app().await;
    let visitor = app.anonymous();
    let index = visitor.get("/").await;
    assert_eq!(index.status, 200);
    assert!(index.header("content-type").unwrap().starts_with("text/html"));
    assert!(index.body.contains("app.js"));
    for (path, kind) in [("/app.js", "text/javascript"), ("/styles.css", "text/css"), ("/api.js", "text/javascript")] {
        let asset = visitor.get(path).await;
        assert_eq!(asset.status, 200, "{path}");
        assert!(asset.header("content-type").unwrap().starts_with(kind), "{path}: {:?}", asset.header("content-type"));
        assert_eq!(asset.header("cache-control"), Some("no-cache"));
        let etag = asset.header("etag").unwrap().to_string();
        let again = visitor.request(rocket::http::Method::Get, path, None, &[("If-None-Match", &etag)]).await;
        assert_eq!(again.status, 304, "{path}");
        assert!(again.body.is_empty());
    }
}

#[tokio::test]
async fn deep_links_get_the_app_and_missing_files_404() {
    let app = app().await;
    let visitor = app.anonymous();
    let index = visitor.get("/").await.body;
    for deep_link in ["/login", "/settings/password", "/lock"] {
        let page = visitor.get(deep_link).await;
        assert_eq!((page.status, page.body.as_str()), (200, index.as_str()), "{deep_link}");
    }
    assert_eq!(visitor.get("/missing.js").await.status, 404);
    assert_eq!(visitor.get("/views/missing.js").await.status, 404);
    visitor.get("/api/unknown").await.problem(404);
}
