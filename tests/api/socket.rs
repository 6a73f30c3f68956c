//! Over a real HTTPS socket: TLS, cookie attributes, rate limits, client IPs.

use serde_json::json;
use umbra::config::RateLimits;

use crate::harness::PASSWORD;
use crate::live::serve_https;

#[tokio::test]
async fn serves_https_with_a_certificate_from_its_own_ca() {
    let server = serve_https(|_| {}).await;
    let response = server.client.get(server.url("/health")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let hsts = response.headers()["strict-transport-security"].to_str().unwrap();
    assert!(hsts.contains("max-age=63072000") && hsts.contains("includeSubDomains"));
    assert!(response.headers().get("server").is_none());
    // The fingerprint printed to the operator is the SHA-256 of the CA that clients trust.
    assert_eq!(Some(server.fingerprint.clone()), umbra::tls::pem_fingerprint(&server.cert_pem));
    // The same CA vouches for localhost.
    let port = server.base.rsplit(':').next().unwrap();
    let by_name =
        crate::live::pinned_client(&server.cert_pem).get(format!("https://localhost:{port}/health")).send().await;
    assert!(by_name.is_ok_and(|r| r.status() == 200));
}

#[tokio::test]
async fn the_session_cookie_is_host_prefixed_secure_and_http_only() {
    let server = serve_https(|_| {}).await;
    let code = umbra::auth::setup_code::current(server.db.pool()).await.unwrap().unwrap();
    let response = server
        .post("/api/auth/setup", json!({"setup_code": code, "username": "admin", "password": PASSWORD}), &[])
        .await;
    assert_eq!(response.status(), 201);
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("__Host-umbra_session="), "{cookie}");
    for attribute in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
    }
    assert!(!cookie.to_lowercase().contains("domain="), "{cookie}");
    // The value is encrypted: it is not the token that the database hashes.
    let value = cookie.split(';').next().unwrap().split_once('=').unwrap().1;
    assert!(value.len() > 60, "{value}");
    let status: serde_json::Value =
        server.client.get(server.url("/api/auth/status")).send().await.unwrap().json().await.unwrap();
    assert_eq!(status["authenticated"], true);
}

fn strict() -> RateLimits {
    RateLimits { auth_per_minute: 10, auth_burst: 5, ..RateLimits::default() }
}

async fn login(server: &crate::live::LiveServer, headers: &[(&str, &str)]) -> u16 {
    server.post("/api/auth/login", json!({"username": "ghost", "password": "x"}), headers).await.status().as_u16()
}

#[tokio::test]
async fn auth_endpoints_are_rate_limited_per_ip() {
    let server = serve_https(|c| c.rate_limits = strict()).await;
    for _ in 0..5 {
        assert_eq!(login(&server, &[]).await, 401);
    }
    let limited = server.post("/api/auth/login", json!({"username": "ghost", "password": "x"}), &[]).await;
    assert_eq!(limited.status(), 429);
    let retry_after: u64 = limited.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=6).contains(&retry_after), "{retry_after}");
    assert_eq!(limited.headers()["content-type"], "application/problem+json");
    // Other buckets are untouched.
    assert_eq!(server.client.get(server.url("/api/auth/status")).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn forwarded_headers_from_untrusted_peers_are_ignored() {
    let server = serve_https(|c| c.rate_limits = strict()).await;
    for n in 0..6 {
        let spoofed = format!("198.51.100.{n}");
        let status = login(&server, &[("X-Forwarded-For", &spoofed), ("X-Real-IP", &spoofed)]).await;
        assert_eq!(status, if n < 5 { 401 } else { 429 }, "attempt {n}");
    }
    let ips: Vec<Option<String>> =
        umbra::db::audit::recent(server.db.pool(), 10).await.unwrap().into_iter().map(|r| r.ip).collect();
    assert!(!ips.is_empty() && ips.iter().all(|ip| ip.as_deref() == Some("127.0.0.1")), "{ips:?}");
}

#[tokio::test]
async fn forwarded_for_is_believed_from_trusted_proxies() {
    let server = serve_https(|c| {
        c.rate_limits = strict();
        c.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
    })
    .await;
    for _ in 0..5 {
        assert_eq!(login(&server, &[("X-Forwarded-For", "203.0.113.7")]).await, 401);
    }
    assert_eq!(login(&server, &[("X-Forwarded-For", "203.0.113.7")]).await, 429, "that client is limited");
    // Another client behind the proxy has its own budget; the right-most untrusted hop counts.
    assert_eq!(login(&server, &[("X-Forwarded-For", "203.0.113.7, 203.0.113.8")]).await, 401);
    let latest = umbra::db::audit::recent(server.db.pool(), 1).await.unwrap();
    assert_eq!(latest[0].ip.as_deref(), Some("203.0.113.8"));
}
