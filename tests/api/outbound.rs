//! The SSRF-safe outbound client: every spelling of a loopback address, a name resolving to
//! one, other schemes, userinfo tricks, IPv6 forms and a redirect from an allowed host are
//! refused naming the rule, and a canary listener on 127.0.0.1 hears nothing; the admin's
//! allow-list lets exactly the listed address through; refusals and allow-list changes are
//! audited; the allow-list API is for admins only.

use serde_json::json;
use umbra::outbound::{OutboundClient, OutboundError, OutboundRequest, Requester};

use crate::harness::{Persona, TestApp, app};
use crate::stand_in::{Canary, Reply, StandIn};

pub async fn allow(admin: &Persona<'_>, entries: &[&str]) {
    let response = admin.put("/api/admin/outbound-allow", json!({"entries": entries})).await;
    assert_eq!(response.status, 200, "{}", response.body);
}

fn client(app: &TestApp) -> OutboundClient {
    OutboundClient::new(app.db.clone(), app.clock.clone()).expect("outbound client")
}

fn post(url: &str) -> OutboundRequest {
    OutboundRequest { method: reqwest::Method::POST, url: url.into(), headers: vec![], body: Some(b"{}".to_vec()) }
}

/// Each URL and the words its refusal must contain.
fn corpus(canary: u16, allowed: &str) -> Vec<(String, &'static str)> {
    let p = canary;
    vec![
        (format!("http://127.0.0.1:{p}/"), "address 127.0.0.1 is loopback"),
        (format!("http://2130706433:{p}/"), "address 127.0.0.1 is loopback"),
        (format!("http://0x7f000001:{p}/"), "address 127.0.0.1 is loopback"),
        (format!("http://0177.0.0.1:{p}/"), "address 127.0.0.1 is loopback"),
        (format!("http://127.1:{p}/"), "address 127.0.0.1 is loopback"),
        (format!("http://127.0.0.1.:{p}/"), "address 127.0.0.1 is loopback"),
        (format!("http://0x7f.0.0.1:{p}/"), "address 127.0.0.1 is loopback"),
        (format!("http://localhost:{p}/"), "is loopback"),
        (format!("http://LOCALHOST.:{p}/"), "is loopback"),
        (format!("http://[::1]:{p}/"), "address ::1 is loopback"),
        (format!("http://[::ffff:127.0.0.1]:{p}/"), "address ::ffff:127.0.0.1 is loopback"),
        (format!("http://[::ffff:7f00:1]:{p}/"), "address ::ffff:127.0.0.1 is loopback"),
        (format!("http://[::127.0.0.1]:{p}/"), "is loopback"),
        (format!("http://0:{p}/"), "address 0.0.0.0 is unspecified"),
        ("http://169.254.169.254/latest/meta-data/".into(), "address 169.254.169.254 is link-local"),
        ("http://100.64.0.1/".into(), "carrier-grade NAT"),
        ("http://192.168.1.10/".into(), "address 192.168.1.10 is private"),
        ("http://[fd00::1]/".into(), "unique-local"),
        ("file:///etc/passwd".into(), "only http and https URLs are allowed, not file:"),
        (format!("gopher://127.0.0.1:{p}/_GET"), "only http and https URLs are allowed, not gopher:"),
        (format!("ftp://127.0.0.1:{p}/"), "only http and https URLs are allowed, not ftp:"),
        (format!("http://{allowed}@127.0.0.1:{p}/"), "a user name or password in the URL is not allowed"),
        (format!("http://127.0.0.1:{p}@{allowed}/"), "a user name or password in the URL is not allowed"),
        (format!("http://user:pw@{allowed}/"), "a user name or password in the URL is not allowed"),
    ]
}

#[tokio::test]
async fn the_ssrf_corpus_is_refused_by_name_and_the_canary_hears_nothing() {
    let app = app().await;
    let canary = Canary::start();
    let allowed = StandIn::start("127.0.0.2").await;
    let admin = app.admin().await;
    allow(&admin, &["127.0.0.2"]).await;
    let ada = app.user("ada").await;
    let cases = corpus(canary.port, &allowed.addr.to_string());

    // Saved as the ntfy server: 422 at the field, naming the rule.
    for (url, rule) in &cases {
        let response = ada.patch("/api/settings", json!({"ntfy_server": url})).await;
        let problem = response.problem(422);
        assert_eq!(problem["errors"][0]["field"], "ntfy_server", "{url}");
        let message = problem["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(rule), "{url}: {message:?} does not say {rule:?}");
    }
    // Sent directly through the client: refused before any connection.
    let outbound = client(&app);
    for (url, rule) in &cases {
        match outbound.send(&Requester::system(), post(url)).await {
            Err(OutboundError::Refused(refusal)) => assert!(refusal.to_string().contains(rule), "{url}: {refusal}"),
            other => panic!("{url} was not refused: {other:?}"),
        }
    }
    assert_eq!(canary.contacted(), 0, "the canary was reached");
    assert!(allowed.requests().is_empty(), "userinfo tricks reached the allowed host");
    // Nothing was stored, and every refusal is in the audit log with its rule.
    assert_eq!(ada.get("/api/settings").await.json()["ntfy_server"], json!(null));
    let refused = app.audit_actions().await.into_iter().filter(|(action, _, _)| action == "outbound_refused").count();
    assert_eq!(refused, cases.len() * 2);
    let detail: String = sqlx::query_scalar(
        "SELECT detail FROM audit_log WHERE action = 'outbound_refused' AND actor = 'ada' ORDER BY id LIMIT 1",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(detail, "address 127.0.0.1 is loopback");
}

#[tokio::test]
async fn a_redirect_from_an_allowed_host_is_not_followed() {
    let app = app().await;
    let canary = Canary::start();
    let allowed = StandIn::start("127.0.0.2").await;
    let admin = app.admin().await;
    allow(&admin, &["127.0.0.2"]).await;
    let target = format!("http://127.0.0.1:{}/", canary.port);

    allowed.reply_next(Reply::redirect(&target));
    let response = client(&app).send(&Requester::system(), post(&allowed.url())).await.expect("sent");
    assert_eq!(response.status, 302);

    // Through the ntfy test too: not delivered, the status said, the canary untouched.
    let ada = app.user("ada").await;
    let saved = ada.patch("/api/settings", json!({"ntfy_server": allowed.url(), "ntfy_topic": "t"})).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    allowed.reply_next(Reply::redirect(&target));
    let outcome = ada.post_empty("/api/settings/ntfy/test").await.json();
    assert_eq!(outcome["delivered"], false);
    assert_eq!(outcome["status"], 302);
    assert_eq!(allowed.requests().len(), 2);
    assert_eq!(canary.contacted(), 0, "the redirect was followed to the canary");
}

#[tokio::test]
async fn the_allow_list_lets_exactly_the_listed_address_through() {
    let app = app().await;
    let canary = Canary::start();
    let listed = StandIn::start("127.0.0.2").await;
    let unlisted = StandIn::start("127.0.0.3").await;
    let admin = app.admin().await;
    let ada = app.user("ada").await;

    // Before the admin lists it, the LAN-like address is refused like any loopback one.
    let before = ada.patch("/api/settings", json!({"ntfy_server": listed.url()})).await;
    assert!(before.problem(422)["errors"][0]["message"].as_str().unwrap().contains("address 127.0.0.2 is loopback"));

    allow(&admin, &["127.0.0.2"]).await;
    let saved = ada.patch("/api/settings", json!({"ntfy_server": listed.url(), "ntfy_topic": "ada"})).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(ada.post_empty("/api/settings/ntfy/test").await.json()["delivered"], true);
    assert_eq!(listed.requests().len(), 1);

    for url in [
        unlisted.url(),
        format!("http://127.0.0.1:{}/", canary.port),
        format!("http://127.0.0.1:{}/", listed.addr.port()),
    ] {
        let refused = ada.patch("/api/settings", json!({"ntfy_server": url})).await;
        assert!(refused.problem(422)["errors"][0]["message"].as_str().unwrap().contains("is loopback"), "{url}");
        assert!(client(&app).send(&Requester::system(), post(&url)).await.is_err(), "{url}");
    }
    assert!(unlisted.requests().is_empty());
    assert_eq!(canary.contacted(), 0);

    // Taken off the list, the saved URL is refused at send time (checked again at every send).
    allow(&admin, &[]).await;
    let outcome = ada.post_empty("/api/settings/ntfy/test").await.json();
    assert_eq!(outcome["delivered"], false);
    assert_eq!(outcome["error"], "address 127.0.0.2 is loopback");
    assert!(outcome.get("status").is_none());
    assert_eq!(listed.requests().len(), 1, "a refused send reached the server");
}

#[tokio::test]
async fn the_allow_list_api_is_for_admins_and_checks_every_entry() {
    let app = app().await;
    let admin = app.admin().await;
    let ada = app.user("ada").await;
    assert_eq!(admin.get("/api/admin/outbound-allow").await.json(), json!({"entries": []}));

    let saved = admin
        .put(
            "/api/admin/outbound-allow",
            json!({"entries": ["192.168.1.10", " 10.1.2.3/8 ", "NTFY.lan.", "192.168.1.10"]}),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(saved.json(), json!({"entries": ["192.168.1.10", "10.0.0.0/8", "ntfy.lan"]}));
    assert_eq!(admin.get("/api/admin/outbound-allow").await.json()["entries"][1], "10.0.0.0/8");
    assert!(
        app.audit_actions()
            .await
            .iter()
            .any(|(a, t, _)| a == "admin_outbound_allow_change" && t.as_deref() == Some("outbound_allow"))
    );

    let bad = admin.put("/api/admin/outbound-allow", json!({"entries": ["ok.lan", "10.0.0.0/99", "not a host"]})).await;
    let problem = bad.problem(422);
    let fields: Vec<_> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect();
    assert_eq!(fields, ["entries[1]", "entries[2]"]);
    admin.put("/api/admin/outbound-allow", json!({"entries": [], "extra": 1})).await.problem(422);
    admin.put("/api/admin/outbound-allow", json!({"entries": "10.0.0.1"})).await.problem(422);
    let many: Vec<String> = (0..51).map(|i| format!("10.0.0.{i}")).collect();
    admin.put("/api/admin/outbound-allow", json!({"entries": many})).await.problem(422);
    // Unchanged by the refused writes.
    assert_eq!(admin.get("/api/admin/outbound-allow").await.json()["entries"].as_array().unwrap().len(), 3);

    ada.get("/api/admin/outbound-allow").await.problem(403);
    ada.put("/api/admin/outbound-allow", json!({"entries": ["127.0.0.1"]})).await.problem(403);
    app.anonymous().get("/api/admin/outbound-allow").await.problem(401);
    app.anonymous().put("/api/admin/outbound-allow", json!({"entries": []})).await.problem(401);
    assert_eq!(admin.post_empty("/api/auth/lock").await.status, 204);
    admin.get("/api/admin/outbound-allow").await.problem(423);
    admin.put("/api/admin/outbound-allow", json!({"entries": []})).await.problem(423);
}
