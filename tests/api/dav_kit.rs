//! What the DAV tests share: a user with an app password, WebDAV requests sent in-process
//! the way the listener hands them to Rocket (POST with `X-Umbra-Dav-Method`), and a reader
//! of multistatus answers (parsed with the server's own bounded parser).

use std::collections::HashMap;

use base64::Engine;
use rocket::http::Method;
use serde_json::json;
use umbra::dav::xml::{Element, parse};

use crate::harness::{PASSWORD, Persona, Resp, TestApp};

pub const D: &str = "DAV:";
pub const C: &str = "urn:ietf:params:xml:ns:caldav";
pub const CR: &str = "urn:ietf:params:xml:ns:carddav";

/// A DAV client of one user: Basic auth with a fresh app password, no session cookie.
pub struct Dav<'a> {
    pub client: Persona<'a>,
    pub auth: String,
    pub username: String,
}

/// Signs `persona` in again (recent re-authentication) and makes an app password.
pub async fn app_password(persona: &Persona<'_>) -> String {
    let reauth = persona.post("/api/auth/reauth", json!({"password": PASSWORD})).await;
    assert!(reauth.status < 300, "reauth: {} {}", reauth.status, reauth.body);
    let created = persona.post("/api/auth/app-passwords", json!({"name": "test device"})).await;
    assert_eq!(created.status, 201, "{}", created.body);
    created.json()["password"].as_str().unwrap().to_string()
}

pub fn basic(username: &str, password: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}")))
}

/// A signed-in user (for the JSON API) and their DAV client.
pub async fn dav_user<'a>(app: &'a TestApp, username: &str) -> (Persona<'a>, Dav<'a>) {
    let persona = app.user(username).await;
    let password = app_password(&persona).await;
    let dav =
        Dav { client: app.persona(username, PASSWORD), auth: basic(username, &password), username: username.into() };
    (persona, dav)
}

impl Dav<'_> {
    /// Any method; WebDAV ones as the listener would hand them over.
    pub async fn send(&self, method: &str, path: &str, body: Option<&str>, headers: &[(&str, &str)]) -> Resp {
        let mut all: Vec<(&str, &str)> = vec![("Authorization", self.auth.as_str())];
        all.extend_from_slice(headers);
        let http = match method {
            "GET" => Method::Get,
            "HEAD" => Method::Head,
            "PUT" => Method::Put,
            "DELETE" => Method::Delete,
            "OPTIONS" => Method::Options,
            other => {
                all.push(("X-Umbra-Dav-Method", other));
                Method::Post
            }
        };
        if body.is_some() && !matches!(method, "PUT") {
            all.push(("Content-Type", "application/xml; charset=utf-8"));
        }
        if method == "PUT" {
            all.push(("Content-Type", "text/calendar; charset=utf-8"));
        }
        self.client.request(http, path, body, &all).await
    }

    pub async fn propfind(&self, path: &str, depth: &str, body: &str) -> Resp {
        self.send("PROPFIND", path, Some(body), &[("Depth", depth)]).await
    }

    pub async fn report(&self, path: &str, body: &str) -> Resp {
        self.send("REPORT", path, Some(body), &[("Depth", "1")]).await
    }

    pub async fn put(&self, path: &str, body: &str, headers: &[(&str, &str)]) -> Resp {
        self.send("PUT", path, Some(body), headers).await
    }

    pub fn home(&self) -> String {
        format!("/dav/calendars/{}/", self.username)
    }

    pub fn calendar(&self, id: i64) -> String {
        format!("/dav/calendars/{}/{id}/", self.username)
    }
}

/// A PROPFIND body asking for these properties (`prefix:name`, prefixes d, c, cs, a, cr).
pub fn prop_body(props: &[&str]) -> String {
    let inner: String = props.iter().flat_map(|p| ["<", p, "/>"]).collect();
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/" xmlns:a="http://apple.com/ns/ical/" xmlns:cr="urn:ietf:params:xml:ns:carddav"><d:prop>{inner}</d:prop></d:propfind>"#
    )
}

/// One `response` of a multistatus: its href, its own status, and every property with the
/// status of its propstat.
#[derive(Debug, Clone)]
pub struct Entry {
    pub href: String,
    pub status: Option<String>,
    pub props: HashMap<String, (String, Element)>,
}

impl Entry {
    /// The property by local name, if it came back 200.
    pub fn ok(&self, name: &str) -> Option<&Element> {
        self.props.get(name).filter(|(s, _)| s.contains(" 200 ")).map(|(_, e)| e)
    }

    pub fn status_of(&self, name: &str) -> Option<&str> {
        self.props.get(name).map(|(s, _)| s.as_str())
    }

    pub fn text(&self, name: &str) -> String {
        self.ok(name).map(|e| e.text.clone()).unwrap_or_default()
    }

    /// The href inside a property (`current-user-principal`, `calendar-home-set`, …).
    pub fn href_in(&self, name: &str) -> String {
        self.ok(name).and_then(|e| e.child(D, "href")).map(|h| h.text.clone()).unwrap_or_default()
    }
}

/// A 207 answer's entries (asserts the status and that the body is well-formed).
pub fn entries(response: &Resp) -> Vec<Entry> {
    assert_eq!(response.status, 207, "{}", response.body);
    let root = parse(response.body.as_bytes()).expect("well-formed multistatus");
    assert!(root.is(D, "multistatus"), "{}", response.body);
    root.children_named(D, "response")
        .map(|r| {
            let mut props = HashMap::new();
            for propstat in r.children_named(D, "propstat") {
                let status = propstat.child(D, "status").map(|s| s.text.clone()).unwrap_or_default();
                for prop in propstat.child(D, "prop").map(|p| p.children.clone()).unwrap_or_default() {
                    props.insert(prop.name.clone(), (status.clone(), prop));
                }
            }
            Entry {
                href: r.child(D, "href").map(|h| h.text.clone()).unwrap_or_default(),
                status: r.child(D, "status").map(|s| s.text.clone()),
                props,
            }
        })
        .collect()
}

/// A sync-collection body asking for ETags after `token` (empty: the initial sync).
pub fn sync_body(token: &str) -> String {
    format!(
        r#"<d:sync-collection xmlns:d="DAV:"><d:sync-token>{token}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>"#
    )
}

/// The sync-token of a sync-collection answer.
pub fn sync_token(response: &Resp) -> String {
    let root = parse(response.body.as_bytes()).expect("well-formed multistatus");
    root.child(D, "sync-token").map(|t| t.text.clone()).expect("a sync-token")
}

/// The entry for `href`.
pub fn entry<'e>(entries: &'e [Entry], href: &str) -> &'e Entry {
    entries.iter().find(|e| e.href == href).unwrap_or_else(|| panic!("no response for {href}: {entries:?}"))
}

/// A one-hour event (UTC) as a calendar object.
pub fn event_ics(uid: &str, summary: &str, start: &str, end: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\n\
         DTSTART:{start}\r\nDTEND:{end}\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

/// The user's default calendar id (through the API).
pub async fn default_calendar_id(persona: &Persona<'_>) -> i64 {
    crate::calendars::id(&crate::calendars::default_calendar(persona).await)
}

/// The VEVENT components of a calendar object, unfolded (CRLF folds joined), each from its
/// `BEGIN:VEVENT` through its `END:VEVENT`, in order.
pub fn vevents(body: &str) -> Vec<String> {
    let unfolded = body.replace("\r\n ", "").replace("\r\n\t", "");
    let mut found = Vec::new();
    let mut rest = unfolded.as_str();
    while let Some(start) = rest.find("BEGIN:VEVENT\r\n") {
        let end = rest[start..].find("END:VEVENT\r\n").map_or(rest.len(), |e| start + e + "END:VEVENT\r\n".len());
        found.push(rest[start..end].to_string());
        rest = &rest[end..];
    }
    found
}
