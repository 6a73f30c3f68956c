//! Single sign-on (issue 13) against the stand-in OpenID provider (`support::oidc_provider`),
//! a real authorization-code provider on 127.0.0.1 that the admin allow-lists: the kit that
//! configures it and plays the browser through the flow, then one file per area (and one
//! against an independent provider implementation, `interop`).

mod accounts;
mod admin;
mod flow;
mod interop;

use rocket::http::{Cookie, Method};
use serde_json::{Value, json};
use umbra::auth::session::SECURE_COOKIE;

use crate::harness::{Persona, Resp, TestApp};
use crate::outbound::allow;
use crate::support::oidc_provider::{CLIENT_ID, CLIENT_SECRET, Provider};

/// The in-process app uses secure cookies, so the flow cookie has the `__Host-` name.
const FLOW_COOKIE: &str = "__Host-umbra_oidc_flow";

/// The provider, allow-listed, with single sign-on on; groups: `umbra-admins` make admins,
/// `umbra-users` standard users.
pub async fn configure(admin: &Persona<'_>, provider: &Provider, extra: Value) {
    allow(admin, &["127.0.0.1"]).await;
    let mut body = json!({
        "enabled": true, "issuer": provider.issuer(), "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
        "admin_group": "umbra-admins", "user_group": "umbra-users",
    });
    for (key, value) in extra.as_object().unwrap() {
        body[key] = value.clone();
    }
    let response = admin.put("/api/admin/oidc", body).await;
    assert_eq!(response.status, 200, "{}", response.body);
}

/// Links the provider's `subject` to `username` on the admin's word.
pub async fn prelink(app: &TestApp, admin: &Persona<'_>, provider: &Provider, username: &str, subject: &str) {
    let id = user_id(app, username).await;
    let response = admin
        .post(&format!("/api/admin/users/{id}/oidc"), json!({"issuer": provider.issuer(), "subject": subject}))
        .await;
    assert_eq!(response.status, 201, "{}", response.body);
}

pub async fn user_id(app: &TestApp, username: &str) -> i64 {
    umbra::db::users::find_by_username(app.db.pool(), username).await.unwrap().expect("user").id.0
}

/// A browser half-way through a flow: the provider's answer to come back with, and the cookie
/// that binds the flow to this browser.
pub struct AtProvider {
    pub callback: String,
    pub flow_cookie: String,
}

/// Starts a sign-in as `browser` and lets the provider answer (it signs in whoever
/// `sign_in_as` chose). Returns the callback path and the flow cookie.
pub async fn to_provider(browser: &Persona<'_>, provider: &Provider) -> AtProvider {
    let started = browser.get("/api/auth/oidc/login").await;
    assert_eq!(started.status, 303, "{}", started.body);
    leave_for_provider(&started, provider).await
}

/// The provider's leg of a flow `started` sent the browser on.
pub async fn leave_for_provider(started: &Resp, provider: &Provider) -> AtProvider {
    let authorize = started.header("location").expect("a redirect").to_string();
    assert!(authorize.starts_with(&provider.issuer()), "{authorize}");
    let flow_cookie = flow_cookie(started).expect("the flow cookie");
    let back = provider.follow_authorize(&authorize).await;
    let url = url::Url::parse(&back).expect("the provider redirects to a URL");
    assert_eq!(url.path(), "/api/auth/oidc/callback", "{back}");
    AtProvider { callback: format!("{}?{}", url.path(), url.query().unwrap_or_default()), flow_cookie }
}

pub fn flow_cookie(response: &Resp) -> Option<String> {
    response.headers.get("set-cookie")?.iter().find_map(|header| {
        let cookie = Cookie::parse_encoded(header.clone()).ok()?;
        (cookie.name() == FLOW_COOKIE).then(|| cookie.value().to_string())
    })
}

/// The browser comes back to the callback (with the flow cookie unless `None`); returns
/// where it was sent, and keeps a session cookie it was given.
pub async fn come_back(browser: &Persona<'_>, callback: &str, flow_cookie: Option<&str>) -> String {
    let mut request = browser.app.client.req(Method::Get, callback.to_string());
    if let Some(session) = browser.cookie() {
        request = request.cookie(Cookie::new(SECURE_COOKIE, session));
    }
    if let Some(value) = flow_cookie {
        request = request.cookie(Cookie::new(FLOW_COOKIE, value.to_string()));
    }
    let response = request.dispatch().await;
    assert_eq!(response.status().code, 303);
    if let Some(cookie) = response.cookies().get(SECURE_COOKIE) {
        browser.set_cookie(Some(cookie.value().to_string()).filter(|v| !v.is_empty()));
    }
    response.headers().get_one("location").expect("a redirect").to_string()
}

/// The whole flow in one: where the browser ends up.
pub async fn sign_in(browser: &Persona<'_>, provider: &Provider) -> String {
    let at = to_provider(browser, provider).await;
    come_back(browser, &at.callback, Some(&at.flow_cookie)).await
}

/// Who the browser is signed in as (None: nobody).
pub async fn signed_in_as(browser: &Persona<'_>) -> Option<(String, String)> {
    let status = browser.get("/api/auth/status").await.json();
    status["user"]
        .as_object()
        .map(|user| (user["username"].as_str().unwrap().to_string(), user["role"].as_str().unwrap().to_string()))
}

/// How many audit entries have this action.
pub async fn audited(app: &TestApp, action: &str) -> usize {
    app.audit_actions().await.iter().filter(|(a, _, _)| a == action).count()
}
