//! The request classifier: the canonical-path check (`http::canonical::check`, the gate's
//! first rule), the rate-limit bucket (`Bucket::for_request`), the `/api` and DAV prefixes
//! the CSRF and form rules compare, and the query and id parsing handlers share
//! (`Paging::parse`, `parse_id`). The input is a request target as a client sends it
//! (`/path?query`).
//!
//! Properties:
//! - `check` agrees with an independent statement of the rule (RFC 3986 §6.2.2 normalisation:
//!   a segment is canonical when decoding its unreserved escapes leaves it unchanged, it has
//!   no `%2F`, no malformed escape, and is neither empty nor a dot segment);
//! - a path accepted as canonical classifies the same as the decoded path Rocket routes on
//!   (its percent-decoded, non-empty segments): same bucket for every method, same `/api/`,
//!   `/api`, `/ics/` and DAV verdicts. This is what makes comparing the raw path sound;
//! - paging parameters parse to 1–500 and ≥ 0 or a 422 naming `limit` or `offset`; an id
//!   segment parses only when it is the decimal spelling of a positive i64.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rocket::http::Method;
use rocket::http::uri::Origin;
use umbra::api::page::{MAX_LIMIT, Paging};
use umbra::dav::is_dav_path;
use umbra::domain::id::parse_id;
use umbra::http::canonical;
use umbra::http::rate_limit::Bucket;

const METHODS: [Method; 7] =
    [Method::Get, Method::Head, Method::Post, Method::Put, Method::Patch, Method::Delete, Method::Options];

fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

/// The segment with its unreserved escapes decoded, `None` for a malformed escape.
fn decode_unreserved(segment: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = segment;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let hex = rest.get(at + 1..at + 3)?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let byte = u8::from_str_radix(hex, 16).ok()?;
        if is_unreserved(byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&rest[at..at + 3]);
        }
        rest = &rest[at + 3..];
    }
    out.push_str(rest);
    Some(out)
}

/// The canonical-path rule, stated independently of `canonical::check`.
fn canonical_by_rule(path: &str) -> bool {
    if path == "/" {
        return true;
    }
    let Some(rest) = path.strip_prefix('/') else { return false };
    let mut segments: Vec<&str> = rest.split('/').collect();
    // A DAV collection may end in one slash.
    if segments.len() > 1 && segments.last() == Some(&"") && is_dav_path(path) {
        segments.pop();
    }
    segments.iter().all(|segment| {
        !segment.is_empty()
            && *segment != "."
            && *segment != ".."
            && !segment.to_ascii_lowercase().contains("%2f")
            && decode_unreserved(segment).as_deref() == Some(*segment)
    })
}

fn check_routing(origin: &Origin<'_>) {
    let path = origin.path().as_str();
    if canonical::check(path).is_err() {
        return;
    }
    let segments: Vec<&str> = origin.path().segments().collect();
    for segment in &segments {
        assert!(!segment.is_empty() && *segment != "." && *segment != "..", "{path:?} routes on {segment:?}");
        if let Some(id) = parse_id(segment) {
            assert!(id > 0 && id.to_string() == segment.trim_start_matches('0'), "{segment:?} read as {id}");
        }
    }
    let mut routed = format!("/{}", segments.join("/"));
    if path.len() > 1 && path.ends_with('/') {
        routed.push('/');
    }
    for method in METHODS {
        let (raw, decoded) = (Bucket::for_request(method, path), Bucket::for_request(method, &routed));
        assert_eq!(raw, decoded, "{method} {path:?} is {raw:?}, but it routes to {routed:?}, which is {decoded:?}");
    }
    for prefix in ["/api/", "/ics/", "/dav/"] {
        assert_eq!(path.starts_with(prefix), routed.starts_with(prefix), "{path:?} vs {routed:?} on {prefix}");
    }
    assert_eq!(path == "/api", routed == "/api", "{path:?} vs {routed:?}");
    assert_eq!(is_dav_path(path), is_dav_path(&routed), "{path:?} vs {routed:?}");
}

fn check_query(origin: &Origin<'_>) {
    let Some(query) = origin.query() else { return };
    let (mut limit, mut offset) = (None, None);
    for (name, value) in query.segments() {
        match name {
            "limit" => limit = limit.or(Some(value)),
            "offset" => offset = offset.or(Some(value)),
            _ => {}
        }
    }
    match Paging::parse(limit, offset) {
        Ok(paging) => assert!((1..=MAX_LIMIT).contains(&paging.limit) && paging.offset >= 0, "{paging:?}"),
        Err(error) => {
            assert_eq!(error.status.code, 422);
            assert!(error.errors.iter().all(|e| e.field == "limit" || e.field == "offset"), "{:?}", error.errors);
        }
    }
}

fuzz_target!(|bytes: &[u8]| {
    let Ok(target) = std::str::from_utf8(bytes) else { return };
    // The rule alone, on any text (the gate hands it the path without the query).
    let path = target.split('?').next().unwrap_or_default();
    assert_eq!(canonical::check(path).is_ok(), canonical_by_rule(path), "{path:?}: {:?}", canonical::check(path));
    // What Rocket makes of the target, as it would route it.
    let Ok(origin) = Origin::parse(target) else { return };
    check_routing(&origin);
    check_query(&origin);
});
