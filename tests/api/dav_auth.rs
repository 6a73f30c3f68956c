//! DAV sign-in over a real socket, as a calendar app meets it: HTTP Basic with the user's name
//! and an app password, and nothing else — not the account password, not a bearer token, not
//! malformed credentials. Refusals are one identical 401 (unknown name, wrong secret, locked
//! name); wrong secrets count toward the name's lockout; one address's failures reach 429
//! while a right app password from it still works; a revoked one fails on the very next
//! request; and an app password never opens the JSON API.
//!
//! Until the protocol slice lands, `/dav/` answers a signed-in request from a stub: the tests
//! assert "not refused" (not 401/429) rather than a particular success.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use umbra::auth::password::PasswordHasher;
use umbra::domain::id::{AppPasswordId, UserId};
use umbra::domain::role::Role;
use umbra::domain::time::UtcMillis;
use umbra::domain::username::Username;

use crate::harness::{PASSWORD, cheap_argon2, generous_limits};
use crate::live::{LiveServer, serve_https, signed_in};

/// A refusal as a client sees it: status, the challenge header and the body.
#[derive(Debug, PartialEq, Eq)]
struct Answer {
    status: u16,
    challenge: Option<String>,
    body: String,
}

fn basic(username: &str, secret: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{username}:{secret}")))
}

/// `PROPFIND /dav/` (Depth 0) with this `Authorization` header, if any.
async fn propfind(server: &LiveServer, authorization: Option<&str>) -> Answer {
    let method = reqwest::Method::from_bytes(b"PROPFIND").unwrap();
    let mut request = server.client.request(method, server.url("/dav/")).header("Depth", "0");
    if let Some(value) = authorization {
        request = request.header("Authorization", value);
    }
    let response = request.send().await.expect("PROPFIND");
    let status = response.status().as_u16();
    let challenge = response.headers().get("www-authenticate").map(|v| v.to_str().unwrap().to_string());
    Answer { status, challenge, body: response.text().await.unwrap() }
}

async fn signs_in(server: &LiveServer, username: &str, secret: &str) -> bool {
    let answer = propfind(server, Some(&basic(username, secret))).await;
    assert!(answer.status != 429, "rate limited: {answer:?}");
    answer.status != 401
}

/// A standard account with the harness password, made in the database.
async fn account(server: &LiveServer, username: &str) -> UserId {
    let hasher = PasswordHasher::new(cheap_argon2()).unwrap();
    let password = umbra::domain::password_policy::check(PASSWORD, username).unwrap();
    let hash = hasher.hash(&password).await.unwrap();
    let name = Username::parse(username).unwrap();
    umbra::db::users::create(server.db.pool(), &name, &hash, Role::Standard, UtcMillis::now()).await.unwrap().id
}

/// An app password for `user`, stored as the service stores one; its id and secret.
async fn app_password(server: &LiveServer, user: UserId, name: &str) -> (AppPasswordId, String) {
    let hex = hex::encode(rand::random::<[u8; 20]>());
    let secret = (0..5).map(|i| &hex[i * 8..i * 8 + 8]).collect::<Vec<_>>().join("-");
    let hash = umbra::service::app_passwords::hash_secret(&secret);
    let mut tx = server.db.write().await.unwrap();
    let row =
        umbra::db::app_passwords::create(&mut tx, user, name, &hash, UtcMillis::now(), 50).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    (row.id, secret)
}

async fn failures(server: &LiveServer, key: &str) -> i64 {
    sqlx::query_scalar("SELECT failures FROM login_failures WHERE username_key = $1")
        .bind(key)
        .fetch_optional(server.db.pool())
        .await
        .unwrap()
        .unwrap_or(0)
}

async fn audited(server: &LiveServer, action: &str) -> Vec<(Option<String>, Option<String>)> {
    umbra::db::audit::recent(server.db.pool(), 500)
        .await
        .unwrap()
        .into_iter()
        .filter(|row| row.action == action)
        .map(|row| (row.target, row.detail))
        .collect()
}

#[tokio::test]
async fn only_an_app_password_in_well_formed_basic_credentials_signs_in() {
    let server = serve_https(|_| {}).await;
    let alice = account(&server, "alice").await;
    let (_, secret) = app_password(&server, alice, "Phone").await;

    // OPTIONS needs no sign-in: clients ask what the server is before they sign in.
    let method = reqwest::Method::OPTIONS;
    let options = server.client.request(method, server.url("/dav/")).send().await.unwrap();
    assert_eq!(options.status(), 200);
    assert!(options.headers()["dav"].to_str().unwrap().contains("calendar-access"));

    let refused = propfind(&server, None).await;
    assert_eq!(refused.status, 401);
    assert!(refused.challenge.as_deref().unwrap().starts_with("Basic realm=\"UMBRA\""), "{refused:?}");
    assert!(refused.body.contains("app password"), "{refused:?}");

    let encoded = |raw: &str| format!("Basic {}", STANDARD.encode(raw));
    let malformed = [
        format!("Bearer {secret}"),
        "Basic !!!not base64!!!".to_string(),
        "Basic".to_string(),
        encoded("alice"),
        encoded(&format!(":{secret}")),
        encoded("alice:"),
        format!("Digest username=\"alice\", response=\"{secret}\""),
    ];
    for header in &malformed {
        assert_eq!(propfind(&server, Some(header)).await, refused, "{header}");
    }
    // Malformed credentials cannot be a guess at a secret: nothing was counted or audited.
    assert_eq!(failures(&server, "alice").await, 0);
    assert!(audited(&server, "dav_login_failure").await.is_empty());

    // The account password is not an app password: refused, counted and audited.
    assert_eq!(propfind(&server, Some(&basic("alice", PASSWORD))).await, refused);
    assert_eq!(failures(&server, "alice").await, 1);
    assert_eq!(
        audited(&server, "dav_login_failure").await,
        vec![(Some("alice".into()), Some("bad credentials".into()))]
    );

    // The app password, with or without its dashes, in either case, any case of the name.
    assert!(signs_in(&server, "alice", &secret).await);
    assert!(signs_in(&server, "Alice", &secret.replace('-', "").to_uppercase()).await);
    let gets = server.client.get(server.url("/dav/")).header("Authorization", basic("alice", &secret));
    assert_ne!(gets.send().await.unwrap().status(), 401);
}

#[tokio::test]
async fn a_revoked_app_password_fails_on_the_next_request() {
    let server = serve_https(|_| {}).await;
    let alice = account(&server, "alice").await;
    let (id, secret) = app_password(&server, alice, "Phone").await;
    let (_, other) = app_password(&server, alice, "Laptop").await;
    assert!(signs_in(&server, "alice", &secret).await);

    // Revoked through the API, signed in as Alice in another client.
    let web = signed_in(&server, "alice").await.unwrap();
    let revoked = web
        .delete(server.url(&format!("/api/auth/app-passwords/{}", id.0)))
        .header("X-Requested-With", "XMLHttpRequest")
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 204);
    // The DAV client's connection is kept alive; its very next request is refused.
    assert!(!signs_in(&server, "alice", &secret).await);
    assert!(signs_in(&server, "alice", &other).await);
}

#[tokio::test]
async fn failures_lock_the_name_and_every_refusal_looks_the_same() {
    let server = serve_https(|c| c.lockout.threshold = 3).await;
    let alice = account(&server, "alice").await;
    let (_, secret) = app_password(&server, alice, "Phone").await;
    let (_, bobs) = {
        let bob = account(&server, "bob").await;
        app_password(&server, bob, "Tablet").await
    };
    let wrong = "0123abcd-0123abcd-0123abcd-0123abcd-0123abcd";

    // A made-up name answers exactly like a real one with a wrong secret, and is counted
    // the same way (a guesser learns nothing from the answers or the lock).
    let unknown = propfind(&server, Some(&basic("nobody", wrong))).await;
    let known = propfind(&server, Some(&basic("alice", wrong))).await;
    assert_eq!(unknown.status, 401);
    assert_eq!(unknown, known);
    assert_eq!((failures(&server, "nobody").await, failures(&server, "alice").await), (1, 1));
    // Bob's right secret under Alice's name is a failure on Alice's name, like any other.
    assert_eq!(propfind(&server, Some(&basic("alice", &bobs))).await, known);
    assert_eq!(failures(&server, "alice").await, 2);

    // A success in between forgives nothing: a syncing phone must not reset a guesser's count.
    assert!(signs_in(&server, "alice", &secret).await);
    assert_eq!(failures(&server, "alice").await, 2);
    // The third failure locks the name; then the right app password gets the same 401.
    assert_eq!(propfind(&server, Some(&basic("alice", wrong))).await, known);
    let locked = propfind(&server, Some(&basic("alice", &secret))).await;
    assert_eq!(locked, known);
    // The same counter as the sign-in page: the account password is refused there too.
    let login =
        server.post("/api/auth/login", serde_json::json!({"username": "alice", "password": PASSWORD}), &[]).await;
    assert_eq!(login.status(), 401);
    // Bob is not affected by Alice's lock.
    assert!(signs_in(&server, "bob", &bobs).await);

    let targets: Vec<_> = audited(&server, "dav_login_failure").await;
    assert_eq!(targets.iter().filter(|(t, _)| t.as_deref() == Some("alice")).count(), 4);
    assert!(targets.contains(&(Some("alice".into()), Some("locked".into()))));
    assert!(targets.contains(&(Some("alice".into()), Some("bad credentials; locked".into()))));
    // The made-up name is recorded as a keyed marker, never as typed.
    let marked = targets.iter().filter(|(t, _)| t.as_deref().is_some_and(|t| t.starts_with("unknown name #"))).count();
    assert_eq!(marked, 1);
    assert!(!targets.iter().any(|(t, _)| t.as_deref() == Some("nobody")));
    let lockouts = audited(&server, "lockout").await;
    assert_eq!(lockouts, vec![(Some("alice".into()), Some("app password, at DAV sign-in".into()))]);
}

#[tokio::test]
async fn one_address_reaches_429_while_a_right_app_password_from_it_still_works() {
    let server = serve_https(|c| {
        c.rate_limits = umbra::config::RateLimits { auth_per_minute: 1, auth_burst: 3, ..generous_limits() };
    })
    .await;
    let alice = account(&server, "alice").await;
    let (_, secret) = app_password(&server, alice, "Phone").await;
    let wrong = "0123abcd-0123abcd-0123abcd-0123abcd-0123abcd";
    // Different made-up names, so no name's lock gets in the way: only the address's budget.
    for n in 0..3 {
        assert_eq!(propfind(&server, Some(&basic(&format!("guess{n}"), wrong))).await.status, 401);
    }
    let method = reqwest::Method::from_bytes(b"PROPFIND").unwrap();
    let limited = server
        .client
        .request(method, server.url("/dav/"))
        .header("Authorization", basic("guess3", wrong))
        .send()
        .await
        .unwrap();
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().get("retry-after").is_some());
    // A turned-away attempt is neither counted on the name nor audited, as at sign-in.
    assert_eq!(failures(&server, "guess3").await, 0);
    assert_eq!(audited(&server, "dav_login_failure").await.len(), 3);

    // The household's phone behind the same address keeps syncing.
    for _ in 0..3 {
        assert!(signs_in(&server, "alice", &secret).await);
    }
}

#[tokio::test]
async fn an_app_password_does_not_open_the_json_api() {
    let server = serve_https(|_| {}).await;
    let alice = account(&server, "alice").await;
    let (_, secret) = app_password(&server, alice, "Phone").await;
    let get = |path: &str| {
        server
            .client
            .get(server.url(path))
            .header("Authorization", basic("alice", &secret))
            .header("X-Requested-With", "XMLHttpRequest")
    };
    let status: serde_json::Value = get("/api/auth/status").send().await.unwrap().json().await.unwrap();
    assert_eq!(status["authenticated"], false);
    for path in ["/api/auth/app-passwords", "/api/todos", "/api/calendars", "/api/settings"] {
        assert_eq!(get(path).send().await.unwrap().status(), 401, "{path}");
    }
    let created = server
        .client
        .post(server.url("/api/auth/app-passwords"))
        .header("Authorization", basic("alice", &secret))
        .header("X-Requested-With", "XMLHttpRequest")
        .json(&serde_json::json!({"name": "Another"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 401);
    // And it still works where it belongs.
    assert!(signs_in(&server, "alice", &secret).await);
}
