//! Connection hygiene over real sockets: caps on open connections, handshake, header and idle
//! timeouts, and a 413 that the client can read on HTTP/1.1 and HTTP/2.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use umbra::config::{Config, ConnectionLimits};

use crate::live::{LiveServer, pinned_client, serve_http_on_localhost, serve_https};

fn short_timeouts(config: &mut Config) {
    config.connections = ConnectionLimits {
        handshake_timeout_secs: 1,
        header_timeout_secs: 1,
        idle_timeout_secs: 2,
        ..config.connections
    };
}

fn addr(server: &LiveServer) -> SocketAddr {
    server.listening.local_addr
}

/// Waits until the server closes `stream` (EOF or reset); `false` if it stays open past `limit`.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> bool {
    let mut buf = [0u8; 1024];
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => {}
        }
    }
}

fn is_open(stream: &TcpStream) -> bool {
    let mut buf = [0u8; 1];
    matches!(stream.try_read(&mut buf), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
}

#[tokio::test]
async fn idle_connections_from_one_address_neither_starve_another_nor_stay_open() {
    let server = serve_https(short_timeouts).await;
    let target = addr(&server);
    // 2,000 connections from 127.0.0.1 that never send a TLS ClientHello.
    let mut idle = Vec::new();
    for _ in 0..2000 {
        idle.push(TcpStream::connect(target).await.expect("connect"));
    }
    // Another address is served at once.
    let other = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&server.cert_pem).unwrap()])
        .local_address(Some("127.0.0.2".parse().unwrap()))
        .build()
        .unwrap();
    let started = Instant::now();
    let response = other.get(server.url("/health")).send().await.expect("served despite the idle flood");
    let waited = started.elapsed();
    assert_eq!(response.status(), 200);
    println!("second address served in {waited:?}");
    assert!(waited < Duration::from_secs(1), "second address waited {waited:?}");
    // Everything over the per-address cap was closed on arrival, so at most 64 are still open…
    let still_open = idle.iter().filter(|s| is_open(s)).count();
    assert!(still_open <= 64, "{still_open} idle connections are open beyond the cap");
    // …and those go when the handshake timeout runs out.
    for stream in &mut idle {
        assert!(closed_within(stream, Duration::from_secs(5)).await, "an idle connection was never closed");
    }
}

#[tokio::test]
async fn the_per_address_cap_closes_excess_connections_at_once() {
    let server = serve_https(|c| c.connections.per_ip = 3).await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(TcpStream::connect(addr(&server)).await.unwrap());
    }
    let mut fourth = TcpStream::connect(addr(&server)).await.unwrap();
    assert!(closed_within(&mut fourth, Duration::from_secs(2)).await, "the fourth connection was kept");
    assert!(held.iter().all(is_open), "admitted connections stay open until their timeout");
    drop(held);
    // Places are freed when connections end; a fresh client is served.
    let client = pinned_client(&server.cert_pem);
    let mut answered = false;
    for _ in 0..50 {
        if client.get(server.url("/health")).send().await.is_ok_and(|r| r.status() == 200) {
            answered = true;
            break;
        }
        tokio::task::yield_now().await;
    }
    assert!(answered, "a freed place was not given to a new connection");
}

#[tokio::test]
async fn silent_and_slow_clients_are_closed_after_the_header_timeout() {
    let server = serve_http_on_localhost(short_timeouts).await;
    // Connected, says nothing.
    let mut silent = TcpStream::connect(addr(&server)).await.unwrap();
    // Starts a request and dribbles header bytes, never finishing them.
    let mut slow = TcpStream::connect(addr(&server)).await.unwrap();
    slow.write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\n").await.unwrap();
    let dribble = async {
        for n in 0..40 {
            if slow.write_all(format!("X-Slow-{n}: 1\r\n").as_bytes()).await.is_err() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    };
    assert!(closed_within(&mut silent, Duration::from_secs(3)).await, "a silent connection stayed open");
    assert!(dribble.await, "a client dribbling headers for 4 s was not cut off");
}

#[tokio::test]
async fn keep_alive_connections_close_when_idle() {
    let server = serve_http_on_localhost(short_timeouts).await;
    let mut stream = TcpStream::connect(addr(&server)).await.unwrap();
    stream.write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n").await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = stream.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"), "{}", String::from_utf8_lossy(&buf[..n]));
    // Rocket kept such connections for 5 s; the idle bound here is 2 s.
    assert!(closed_within(&mut stream, Duration::from_secs(3)).await, "an idle keep-alive connection stayed open");
}

async fn post_body(client: &reqwest::Client, server: &LiveServer, bytes: usize) -> reqwest::Response {
    let body = format!("{{\"username\":\"{}\",\"password\":\"x\"}}", "a".repeat(bytes));
    client
        .post(server.url("/api/auth/login"))
        .header("X-Requested-With", "XMLHttpRequest")
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .expect("the client reads an answer")
}

#[tokio::test]
async fn oversized_bodies_get_a_readable_413_over_http2_and_http1() {
    let server = serve_https(|_| {}).await;
    let h2 = pinned_client(&server.cert_pem);
    let h1 = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&server.cert_pem).unwrap()])
        .http1_only()
        .build()
        .unwrap();
    for (client, version) in [(&h2, reqwest::Version::HTTP_2), (&h1, reqwest::Version::HTTP_11)] {
        for _ in 0..5 {
            // 3 MB: over what any route takes, refused by the listener.
            let response = post_body(client, &server, 3_000_000).await;
            assert_eq!(response.version(), version);
            assert_eq!(response.status(), 413);
            assert_eq!(response.headers()["content-type"], "application/problem+json");
            assert!(response.headers().contains_key("content-security-policy"));
            let problem: serde_json::Value = response.json().await.expect("problem document");
            assert_eq!(problem["status"], 413);
        }
        // 100 KB: within the listener's bound, over the JSON limit of the route.
        let response = post_body(client, &server, 100_000).await;
        assert_eq!(response.status(), 413);
        assert_eq!(response.json::<serde_json::Value>().await.unwrap()["status"], 413);
        // The connection is still good for the next request.
        let ok = client.post(server.url("/api/auth/login")).header("X-Requested-With", "XMLHttpRequest");
        let status = ok.json(&json!({"username": "ghost", "password": "x"})).send().await.unwrap().status();
        assert_eq!(status, 401);
    }
}

#[tokio::test]
async fn real_peer_addresses_reach_the_client_ip_logic() {
    let server = serve_https(|c| {
        c.rate_limits.auth_per_minute = 1;
        c.rate_limits.auth_burst = 2;
    })
    .await;
    let from = |ip: &str| {
        reqwest::Client::builder()
            .tls_certs_only([reqwest::Certificate::from_pem(&server.cert_pem).unwrap()])
            .local_address(Some(ip.parse().unwrap()))
            .build()
            .unwrap()
    };
    let login = |client: reqwest::Client| {
        let request = client
            .post(server.url("/api/auth/login"))
            .header("X-Requested-With", "XMLHttpRequest")
            .json(&json!({"username": "ghost", "password": "x"}));
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(login(from("127.0.0.3")).await, 401);
    assert_eq!(login(from("127.0.0.3")).await, 401);
    assert_eq!(login(from("127.0.0.3")).await, 429, "127.0.0.3 has used its budget");
    assert_eq!(login(from("127.0.0.4")).await, 401, "127.0.0.4 has its own");
    let latest = umbra::db::audit::recent(server.db.pool(), 1).await.unwrap();
    assert_eq!(latest[0].ip.as_deref(), Some("127.0.0.4"));
}

#[tokio::test]
async fn the_listener_hands_rocket_the_path_as_sent() {
    // hyper does not normalise paths, so the gate's canonical-path rule sees what the client
    // sent over a real socket too: these spellings must be refused, not routed.
    let server = serve_https(|_| {}).await;
    // (reqwest itself removes `.` segments, so those are tested in-process, in gate.rs.)
    for path in ["//api/auth/logout", "/%61pi/auth/lock", "/api//auth/login"] {
        let response = server.client.post(server.url(path)).header("Content-Type", "application/json").send().await;
        let response = response.expect("answered");
        assert_eq!(response.status(), 400, "{path}");
        assert_eq!(response.headers()["content-type"], "application/problem+json");
    }
    // A form body under /api (Rocket's `_method` override) is refused, not turned into DELETE.
    let form = server
        .client
        .post(server.url("/api/auth/sessions/1"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("_method=DELETE")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 415);
}
