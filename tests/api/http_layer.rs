//! Cross-cutting HTTP behaviour: CSRF, problem documents, body limits, headers, health.

use rocket::http::Method;
use serde_json::json;

use crate::harness::{app, app_with};

const XRW: (&str, &str) = ("X-Requested-With", "XMLHttpRequest");
const JSON: (&str, &str) = ("Content-Type", "application/json");

#[tokio::test]
async fn unsafe_api_requests_need_the_csrf_header() {
    let app = app().await;
    let admin = app.admin().await;
    let body = json!({"username": "admin", "password": admin.password}).to_string();
    for method in [Method::Post, Method::Put, Method::Patch, Method::Delete] {
        let response = admin.request(method, "/api/auth/login", Some(&body), &[JSON]).await;
        let problem = response.problem(403);
        assert!(problem["detail"].as_str().unwrap().contains("X-Requested-With"));
    }
    // Nothing happened: the lock route was never reached.
    admin.request(Method::Post, "/api/auth/lock", None, &[("X-Requested-With", "fetch")]).await.problem(403);
    assert_eq!(admin.get("/api/auth/status").await.json()["locked"], false);
}

#[tokio::test]
async fn bad_bodies_get_problem_documents_not_500s() {
    let app = app().await;
    let visitor = app.anonymous();
    let send = |body: String, content_type: &'static str| {
        let visitor = &visitor;
        async move {
            visitor.request(Method::Post, "/api/auth/login", Some(&body), &[XRW, ("Content-Type", content_type)]).await
        }
    };
    let unknown = send(json!({"username": "a", "password": "b", "admin": true}).to_string(), "application/json").await;
    assert_eq!(unknown.problem(422)["errors"][0]["field"], "admin");
    let wrong_type = send(json!({"username": "a", "password": ["b"]}).to_string(), "application/json").await;
    assert_eq!(wrong_type.problem(422)["errors"][0]["field"], "password");
    send("{\"username\": ".into(), "application/json").await.problem(400);
    send(json!({"username": "a", "password": "b"}).to_string(), "text/plain").await.problem(415);
    let huge = json!({"username": "a", "password": "x".repeat(70 * 1024)}).to_string();
    send(huge, "application/json").await.problem(413);
    app.anonymous().get("/api/no/such/thing").await.problem(404);
    app.anonymous().request(Method::Delete, "/api/auth/status", None, &[XRW]).await.problem(404);
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = app().await;
    let visitor = app.anonymous();
    let responses = [
        visitor.get("/").await,
        visitor.get("/app.js").await,
        visitor.get("/api/auth/status").await,
        visitor.get("/api/missing").await,
        visitor.post("/api/auth/login", json!({"username": "a"})).await,
        visitor.request(Method::Post, "/api/auth/logout", None, &[]).await,
    ];
    for response in &responses {
        let csp = response.header("content-security-policy").unwrap_or_default();
        for directive in [
            "default-src 'self'",
            "script-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
        ] {
            assert!(csp.contains(directive), "{directive} missing in {csp}");
        }
        assert!(!csp.contains("unsafe"), "{csp}");
        assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(response.header("referrer-policy"), Some("same-origin"));
        assert_eq!(response.header("x-frame-options"), Some("DENY"));
        assert_eq!(response.header("cross-origin-opener-policy"), Some("same-origin"));
        assert!(response.header("permissions-policy").unwrap().contains("camera=()"));
        assert!(response.header("server").is_none(), "no server banner");
        assert!(response.header("access-control-allow-origin").is_none());
        // The in-process app serves plain HTTP, so no HSTS here; the HTTPS test checks it.
        assert!(response.header("strict-transport-security").is_none());
    }
    for api in &responses[2..] {
        assert_eq!(api.header("cache-control"), Some("no-store"));
    }
}

#[tokio::test]
async fn foreign_origins_get_no_cors_grant() {
    let app = app().await;
    let response = app
        .anonymous()
        .request(
            Method::Options,
            "/api/auth/login",
            None,
            &[("Origin", "https://evil.example"), ("Access-Control-Request-Method", "POST")],
        )
        .await;
    assert!(response.header("access-control-allow-origin").is_none());
    assert!(response.header("access-control-allow-headers").is_none());
}

#[tokio::test]
async fn health_is_liveness_and_ready_reports_the_database() {
    let app = app().await;
    let ok = app.anonymous().get("/health").await;
    assert_eq!((ok.status, ok.json()), (200, json!({"status": "ok"})));
    app.db.close().await;
    // The process still serves: alive. Whether it can do its work is /ready's question.
    let alive = app.anonymous().get("/health").await;
    assert_eq!((alive.status, alive.json()), (200, json!({"status": "ok"})));
    let ready = app.anonymous().get("/ready").await;
    assert_eq!((ready.status, &ready.json()["checks"]["database"]), (503, &json!("unreachable")));
}

#[tokio::test]
async fn plain_http_keeps_secure_cookies_unless_told_otherwise() {
    for (insecure, name, secure) in [(false, "__Host-umbra_session=", true), (true, "umbra_session=", false)] {
        let app = crate::harness::app_with(|c| c.insecure_cookies = insecure).await;
        let code = app.setup_code().await;
        let response = app
            .anonymous()
            .post(
                "/api/auth/setup",
                json!({"setup_code": code, "username": "admin", "password": crate::harness::PASSWORD}),
            )
            .await;
        let cookie = response.header("set-cookie").unwrap();
        assert!(cookie.starts_with(name), "{cookie}");
        assert_eq!(cookie.contains("Secure"), secure, "{cookie}");
        assert!(cookie.contains("HttpOnly"));
    }
}

#[tokio::test]
async fn hsts_behind_a_proxy_whose_public_url_is_https() {
    let behind_https = app_with(|c| c.public_url = Some("https://umbra.example.org".into())).await;
    let hsts = behind_https.anonymous().get("/health").await.header("strict-transport-security").map(str::to_owned);
    assert!(hsts.is_some_and(|h| h.contains("max-age=63072000")));
    let behind_http = app_with(|c| c.public_url = Some("http://umbra.lan:8080".into())).await;
    assert!(behind_http.anonymous().get("/health").await.header("strict-transport-security").is_none());
}
