//! The gate judges requests on the path routing uses: a non-canonical spelling of a path is
//! refused with 400 before CSRF, rate limits or any handler see it, and form bodies (which
//! carry Rocket's `_method` override) are refused under /api.

use rocket::http::Method;
use serde_json::json;
use umbra::config::RateLimits;

use crate::harness::{Persona, app, app_with};

const CSRF: (&str, &str) = ("X-Requested-With", "XMLHttpRequest");
const JSON: (&str, &str) = ("Content-Type", "application/json");

/// Non-canonical spellings of `canonical` (which must start with `/api/auth/`).
fn spellings(canonical: &str) -> Vec<String> {
    let rest = canonical.strip_prefix("/api/").unwrap();
    let last = canonical.rsplit('/').next().unwrap();
    let stem = canonical.strip_suffix(last).unwrap();
    let encoded_first = format!("%{:02X}{}", last.as_bytes()[0], &last[1..]);
    vec![
        format!("/%61pi/{rest}"),
        format!("/%61%70i/{rest}"),
        format!("//api/{rest}"),
        format!("/api//{rest}"),
        format!("{canonical}/"),
        format!("/api/./{rest}"),
        format!("/api/x/../{rest}"),
        format!("/api%2F{rest}"),
        format!("/api%2f{rest}"),
        format!("{stem}{encoded_first}"),
        format!("{stem}{}", encoded_first.to_lowercase()),
    ]
}

async fn status_of(who: &Persona<'_>) -> serde_json::Value {
    who.get("/api/auth/status").await.json()
}

#[tokio::test]
async fn csrf_cannot_be_dodged_by_spelling_the_path_differently() {
    let app = app().await;
    let admin = app.admin().await;
    for canonical in ["/api/auth/lock", "/api/auth/logout"] {
        for path in spellings(canonical) {
            for headers in [&[][..], &[CSRF][..]] {
                let response = admin.request(Method::Post, &path, None, headers).await;
                response.problem(400);
            }
            let status = status_of(&admin).await;
            assert_eq!(status["authenticated"], true, "{path} reached the handler");
            assert_eq!(status["locked"], false, "{path} reached the handler");
        }
        // The canonical spelling: refused without the header, accepted with it.
        admin.request(Method::Post, canonical, None, &[]).await.problem(403);
    }
    assert_eq!(admin.request(Method::Post, "/api/auth/lock", None, &[CSRF]).await.status, 204);
    assert_eq!(status_of(&admin).await["locked"], true);
    // Safe methods and static files are held to the same spelling.
    admin.get("//api/auth/status").await.problem(400);
    app.anonymous().get("/%61pp.js").await.problem(400);
    assert_eq!(app.anonymous().get("/app.js").await.status, 200);
}

fn strict() -> RateLimits {
    RateLimits {
        auth_per_minute: 1,
        auth_burst: 5,
        register_per_minute: 1,
        register_burst: 2,
        admin_per_minute: 1,
        admin_burst: 3,
        general_per_minute: 1,
        general_burst: 40,
        ..crate::harness::generous_limits()
    }
}

#[tokio::test]
async fn every_rate_limit_bucket_is_judged_on_the_canonical_path() {
    let app = app_with(|c| c.rate_limits = strict()).await;
    let admin = app.admin().await; // one auth request (setup)
    let guess = json!({"username": "admin", "password": "not the password at all"});
    let body = guess.to_string();

    // Auth: 15 guesses per spelling never reach the handler and cost nothing from the budget.
    for path in spellings("/api/auth/login") {
        for _ in 0..15 {
            app.anonymous().request(Method::Post, &path, Some(&body), &[CSRF, JSON]).await.problem(400);
        }
    }
    for n in 1..=6 {
        let response = app.anonymous().request(Method::Post, "/api/auth/login", Some(&body), &[CSRF, JSON]).await;
        let expected = if n < 5 { 401 } else { 429 };
        assert_eq!(response.status, expected, "canonical login attempt {n}: {}", response.body);
    }

    // Register (closed, so 403 until the budget of 2 runs out).
    let newcomer = json!({"username": "newcomer", "password": "violet kettle sings at dawn"}).to_string();
    for path in spellings("/api/auth/register") {
        app.anonymous().request(Method::Post, &path, Some(&newcomer), &[CSRF, JSON]).await.problem(400);
    }
    for n in 1..=3 {
        let response =
            app.anonymous().request(Method::Post, "/api/auth/register", Some(&newcomer), &[CSRF, JSON]).await;
        assert_eq!(response.status, if n <= 2 { 403 } else { 429 }, "register attempt {n}");
    }

    // Admin: three requests, then 429.
    for path in ["/%61pi/admin/users", "//api/admin/users", "/api/admin/users/", "/api/%61dmin/users"] {
        admin.get(path).await.problem(400);
    }
    for n in 1..=4 {
        let response = admin.get("/api/admin/users").await;
        assert_eq!(response.status, if n <= 3 { 200 } else { 429 }, "admin request {n}");
    }

    // General: the budget counts canonical requests only.
    let anonymous = app.anonymous();
    for path in spellings("/api/auth/status") {
        anonymous.get(&path).await.problem(400);
    }
    let mut served = 0;
    while anonymous.get("/api/auth/status").await.status == 200 {
        served += 1;
        assert!(served <= 40, "the general budget never ran out");
    }
    // Earlier canonical general requests (setup's status, the admin's) took a few.
    assert!(served >= 35, "non-canonical requests used the budget: only {served} served");
}

#[tokio::test]
async fn form_bodies_and_method_overrides_are_refused_under_the_api() {
    let app = app().await;
    let admin = app.admin().await;
    let laptop = app.persona("admin", crate::harness::PASSWORD);
    assert_eq!(laptop.login().await.status, 200);
    let sessions = admin.get("/api/auth/sessions").await.json();
    let other =
        sessions["items"].as_array().unwrap().iter().find(|s| s["current"] == false).unwrap()["id"].as_i64().unwrap();
    let path = format!("/api/auth/sessions/{other}");

    let form = ("Content-Type", "application/x-www-form-urlencoded");
    for headers in [&[form][..], &[form, CSRF][..]] {
        admin.request(Method::Post, &path, Some("_method=delete"), headers).await.problem(415);
        admin.request(Method::Post, "/api/auth/lock", Some("_method=post"), headers).await.problem(415);
    }
    let multipart = ("Content-Type", "multipart/form-data; boundary=x");
    let part = "--x\r\nContent-Disposition: form-data; name=\"_method\"\r\n\r\ndelete\r\n--x--\r\n";
    admin.request(Method::Post, &path, Some(part), &[multipart, CSRF]).await.problem(415);
    // A non-canonical path with a form is refused for its path.
    admin
        .request(Method::Post, &format!("/%61pi/auth/sessions/{other}"), Some("_method=delete"), &[form])
        .await
        .problem(400);

    assert_eq!(status_of(&laptop).await["authenticated"], true, "the other session survived");
    assert_eq!(status_of(&admin).await["locked"], false);
    // The JSON API itself still works.
    assert_eq!(admin.request(Method::Delete, &path, None, &[CSRF]).await.status, 204);
    assert_eq!(status_of(&laptop).await["authenticated"], false);
}

/// DAV collections end in `/` (RFC 4918 §5.2): the gate lets those through to the DAV
/// handler (which asks for credentials), while `//` and dot segments stay refused.
#[tokio::test]
async fn dav_collection_paths_reach_the_dav_handler() {
    let app = app().await;
    let anonymous = app.anonymous();
    let propfind = [("X-Umbra-Dav-Method", "PROPFIND"), ("Depth", "0")];
    for path in ["/dav/", "/dav/calendars/someone/", "/dav/calendars/someone/1/x.ics"] {
        let answer = anonymous.request(Method::Post, path, None, &propfind).await;
        assert_eq!(answer.status, 401, "{path}: {}", answer.body);
        assert!(answer.header("www-authenticate").is_some_and(|h| h.starts_with("Basic ")), "{path}");
    }
    for path in ["/dav//", "/dav/calendars//someone/", "/dav/./calendars/"] {
        assert_eq!(anonymous.request(Method::Post, path, None, &propfind).await.status, 400, "{path}");
    }
    let redirect = anonymous.request(Method::Get, "/.well-known/caldav", None, &[]).await;
    assert_eq!((redirect.status, redirect.header("location")), (301, Some("/dav/")));
}
