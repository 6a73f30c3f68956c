//! Hostile bodies: a billion-laughs DOCTYPE, an external entity, deep nesting, too many
//! elements and an oversized body are refused before any work (400/413), never a 500; and
//! one PROPFIND and REPORT over a real socket, through the listener's method bridge.

use serde_json::json;
use umbra::auth::password::PasswordHasher;
use umbra::db::users;
use umbra::domain::password_policy;
use umbra::domain::role::Role;
use umbra::domain::time::UtcMillis;
use umbra::domain::username::Username;

use crate::dav_kit::{basic, dav_user, default_calendar_id, prop_body};
use crate::harness::{PASSWORD, app};
use crate::live;

#[tokio::test]
async fn xml_bombs_and_huge_bodies_are_refused() {
    let app = app().await;
    let (ann, dav) = dav_user(&app, "ann").await;
    let calendar = dav.calendar(default_calendar_id(&ann).await);
    let laughs = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]><propfind xmlns="DAV:"><prop><displayname>&lol2;</displayname></prop></propfind>"#;
    let external = r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><propfind xmlns="DAV:"><prop><x>&x;</x></prop></propfind>"#;
    let undeclared = r#"<propfind xmlns="DAV:"><prop><displayname>&x;</displayname></prop></propfind>"#;
    let deep = format!(r#"<propfind xmlns="DAV:">{}{}</propfind>"#, "<prop>".repeat(100), "</prop>".repeat(100));
    let wide = format!(r#"<propfind xmlns="DAV:"><prop>{}</prop></propfind>"#, "<displayname/>".repeat(20_000));
    for (what, body) in [
        ("laughs", laughs.to_string()),
        ("external", external.to_string()),
        ("undeclared", undeclared.to_string()),
        ("deep", deep),
        ("wide", wide),
    ] {
        let response = dav.propfind(&calendar, "0", &body).await;
        assert_eq!(response.status, 400, "{what}: {}", response.body);
        let report = dav.report(&calendar, &body).await;
        assert_eq!(report.status, 400, "{what}");
    }
    let huge =
        format!(r#"<propfind xmlns="DAV:"><prop><displayname/></prop><!--{}--></propfind>"#, "x".repeat(1_100_000));
    assert_eq!(dav.propfind(&calendar, "0", &huge).await.status, 413);
    let big_event = format!("BEGIN:VCALENDAR\r\n{}", "X".repeat(1_100_000));
    assert_eq!(dav.put(&format!("{calendar}big.ics"), &big_event, &[]).await.status, 413);
    assert_eq!(dav.propfind(&calendar, "0", "<propfind xmlns=\"DAV:\"><prop>").await.status, 400);
    assert_eq!(dav.propfind(&calendar, "0", "<other xmlns=\"DAV:\"/>").await.status, 400);
    assert_eq!(dav.send("PROPPATCH", &calendar, Some("<x/>"), &[]).await.status, 400);
}

#[tokio::test]
async fn propfind_and_report_go_through_the_listener() {
    let server = live::serve_https(|_| {}).await;
    let hasher = PasswordHasher::new(crate::harness::cheap_argon2()).unwrap();
    let hash = hasher.hash(&password_policy::check(PASSWORD, "ann").unwrap()).await.unwrap();
    users::create(server.db.pool(), &Username::parse("ann").unwrap(), &hash, Role::Standard, UtcMillis::now())
        .await
        .unwrap();
    let client = live::signed_in(&server, "ann").await.expect("signed in");
    live::call(&server, &client, "POST", "/api/auth/reauth", json!({"password": PASSWORD})).await.unwrap();
    let made = live::call(&server, &client, "POST", "/api/auth/app-passwords", json!({"name": "phone"})).await.unwrap();
    let auth = basic("ann", made["password"].as_str().unwrap());
    let propfind = reqwest::Method::from_bytes(b"PROPFIND").unwrap();
    let found = server
        .client
        .request(propfind, server.url("/dav/calendars/ann/"))
        .header("Authorization", &auth)
        .header("Depth", "1")
        .header("Content-Type", "application/xml")
        .body(prop_body(&["d:displayname", "d:sync-token"]))
        .send()
        .await
        .unwrap();
    assert_eq!(found.status().as_u16(), 207);
    let text = found.text().await.unwrap();
    assert!(text.contains("/dav/calendars/ann/todos/"), "{text}");
    let calendar = text
        .split("<D:href>/dav/calendars/ann/")
        .filter_map(|rest| rest.split('/').next())
        .find(|segment| segment.bytes().all(|b| b.is_ascii_digit()) && !segment.is_empty())
        .expect("the default calendar in the home")
        .to_string();
    let report = reqwest::Method::from_bytes(b"REPORT").unwrap();
    let synced = server
        .client
        .request(report, server.url(&format!("/dav/calendars/ann/{calendar}/")))
        .header("Authorization", &auth)
        .header("Content-Type", "application/xml")
        .body(r#"<d:sync-collection xmlns:d="DAV:"><d:sync-token/><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>"#)
        .send()
        .await
        .unwrap();
    assert_eq!(synced.status().as_u16(), 207);
    assert!(synced.text().await.unwrap().contains("https://umbra.invalid/sync/"));
}
