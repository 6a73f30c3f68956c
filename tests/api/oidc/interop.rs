//! The same sign-in against an independent provider: oidc-provider-mock (PyPI, built on
//! Authlib), installed in the clients' venv by tests/clients/setup.sh. The stand-in the other
//! tests use is built on openidconnect like the server; this one shares no code with it, so a
//! mistake both sides of one library would make alike cannot hide here. Its consent form is
//! answered as a person would ("sign in as" a subject); the groups come from its user claims.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::json;
use umbra::domain::role::Role;

use super::{come_back, signed_in_as, user_id};
use crate::harness::app;
use crate::outbound::allow;

/// The provider process, stopped when dropped.
struct MockProvider {
    child: Child,
    issuer: String,
}

impl Drop for MockProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl MockProvider {
    async fn start(bin: &Path, user_claims: &str) -> MockProvider {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(bin.join("oidc-provider-mock"))
            .args(["--port", &port.to_string(), "--require-nonce", "true", "--user-claims", user_claims])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start oidc-provider-mock");
        let provider = MockProvider { child, issuer: format!("http://127.0.0.1:{port}") };
        let discovery = format!("{}/.well-known/openid-configuration", provider.issuer);
        for _ in 0..300 {
            if reqwest::get(&discovery).await.is_ok_and(|r| r.status().is_success()) {
                return provider;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("oidc-provider-mock did not answer at {discovery}");
    }
}

#[tokio::test]
async fn an_independent_provider_signs_a_prelinked_user_in() {
    let Some(bin) = crate::dav_clients::clients() else { return };
    crate::live::install_crypto();
    let claims = json!({"sub": "sub-jo", "preferred_username": "joan", "email": "joan@example.test",
                        "groups": ["umbra-users", "umbra-admins"]});
    let provider = MockProvider::start(&bin, &claims.to_string()).await;

    let app = app().await;
    let admin = app.admin().await;
    app.create_user("joan", Role::Standard).await;
    allow(&admin, &["127.0.0.1"]).await;
    let settings = json!({"enabled": true, "issuer": provider.issuer, "client_id": "umbra", "client_secret": "a-secret",
                          "admin_group": "umbra-admins", "user_group": "umbra-users"});
    assert_eq!(admin.put("/api/admin/oidc", settings).await.status, 200);
    let tested = admin.post("/api/admin/oidc/test", json!({"issuer": provider.issuer})).await.json();
    assert_eq!(tested["ok"], true, "{tested}");
    let id = user_id(&app, "joan").await;
    let link = json!({"issuer": provider.issuer, "subject": "sub-jo"});
    assert_eq!(admin.post(&format!("/api/admin/users/{id}/oidc"), link).await.status, 201);

    let browser = app.anonymous();
    let started = browser.get("/api/auth/oidc/login").await;
    assert_eq!(started.status, 303, "{}", started.body);
    let authorize = started.header("location").unwrap().to_string();
    assert!(authorize.starts_with(&format!("{}/oauth2/authorize?", provider.issuer)), "{authorize}");
    let flow_cookie = super::flow_cookie(&started).expect("the flow cookie");
    // The consent form, answered: sign in as sub-jo.
    let person = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let answer = person
        .post(&authorize)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("sub=sub-jo")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 302);
    let back = url::Url::parse(answer.headers()["location"].to_str().unwrap()).unwrap();
    let callback = format!("{}?{}", back.path(), back.query().unwrap_or_default());
    assert_eq!(come_back(&browser, &callback, Some(&flow_cookie)).await, "/");
    assert_eq!(signed_in_as(&browser).await, Some(("joan".into(), "admin".into())), "signed in, role from the groups");

    // The provider offers an end-session endpoint: logout goes on there.
    let out = browser.post_empty("/api/auth/logout").await;
    assert_eq!(out.status, 200, "{}", out.body);
    let redirect = out.json()["redirect"].as_str().unwrap().to_string();
    assert!(redirect.starts_with(&format!("{}/oauth2/end_session?", provider.issuer)), "{redirect}");
}
