//! One HTTP request from hyper to Rocket and its response back. The body is read here, up to
//! `MAX_BODY_BYTES` (more for the few routes that take files), before Rocket sees the request;
//! Rocket's own per-route limits (64 KiB for JSON) then apply to that buffer. A body over the
//! limit is read on and thrown away, up to `DRAIN_LIMIT_BYTES`, before the 413 goes out: a
//! client that is still sending when the answer comes would otherwise see a reset connection
//! (HTTP/1.1) or a broken stream (HTTP/2) instead of the 413 — what a person uploading a
//! too-large file would hit.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, COOKIE, HeaderValue, RETRY_AFTER};
use hyper::{Request, Response, StatusCode};
use rocket::http::{Cookie, Header, Method};
use rocket::local::asynchronous::Client;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::activity::Activity;
use crate::dav::DAV_METHOD_HEADER;
use crate::error::Problem;
use crate::http::headers::{HSTS, SECURITY_HEADERS};

/// The largest request body a route accepts, unless `LARGE_BODY_ROUTES` says otherwise.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// The routes that take files (method, path) and the body size each accepts: held in memory
/// like any body, against the same shared budget. A `*` segment stands for one id (digits).
const LARGE_BODY_ROUTES: [(&str, &str, usize); 2] =
    [("POST", "/api/people/import", 5 * 1024 * 1024), ("POST", "/api/calendars/*/import", 5 * 1024 * 1024)];

/// Whether `path` is `pattern`, a `*` segment matching one id.
fn route_matches(pattern: &str, path: &str) -> bool {
    let (mut pattern, mut path) = (pattern.split('/'), path.split('/'));
    loop {
        match (pattern.next(), path.next()) {
            (None, None) => return true,
            (Some("*"), Some(segment)) if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) => {}
            (Some(a), Some(b)) if a == b && a != "*" => {}
            _ => return false,
        }
    }
}

/// The largest body the listener reads for this request.
fn body_limit(method: &hyper::Method, path: &str) -> usize {
    LARGE_BODY_ROUTES
        .iter()
        .find(|(m, p, _)| method.as_str() == *m && route_matches(p, path))
        .map_or(MAX_BODY_BYTES, |(_, _, limit)| *limit)
}
/// The WebDAV methods Rocket has no name for. Under `/dav/` (and the two well-known DAV
/// addresses) the listener hands such a request
/// to Rocket as a POST carrying the real method in `DAV_METHOD_HEADER` (a header it strips
/// from what the client sent), so that the gate, the access log and the rest of the request
/// flow apply to DAV as to everything else; elsewhere they are 501.
const DAV_METHODS: [&str; 10] =
    ["PROPFIND", "PROPPATCH", "REPORT", "MKCALENDAR", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "ACL"];

/// The method Rocket sees, and the WebDAV method when it stands in for one.
fn rocket_method(method: &hyper::Method, path: &str) -> Option<(Method, Option<&'static str>)> {
    if let Ok(known) = method.as_str().parse::<Method>() {
        return Some((known, None));
    }
    let dav =
        DAV_METHODS.into_iter().find(|name| *name == method.as_str()).filter(|_| crate::dav::is_dav_path(path))?;
    Some((Method::Post, Some(dav)))
}

/// How much of an oversized body is read and discarded so that the client sees the 413.
const DRAIN_LIMIT_BYTES: usize = 16 * 1024 * 1024;

pub struct Bridge {
    pub app: Arc<Client>,
    pub peer: SocketAddr,
    pub activity: Activity,
    pub hsts: bool,
    pub body_budget: BodyBudget,
}

/// The bytes of request bodies that may be held in memory at once, shared by all connections,
/// counted in KiB. A body that finds the budget spent is refused with 503, not queued: queued
/// bodies would hold their connections and the budget would only move the problem.
#[derive(Clone)]
pub struct BodyBudget(Arc<Semaphore>);

impl BodyBudget {
    pub fn new(bytes: usize) -> Self {
        Self(Arc::new(Semaphore::new(bytes / 1024)))
    }

    /// Grows `held` to cover `bytes`; `false` when the budget is spent.
    fn cover(&self, held: &mut Option<OwnedSemaphorePermit>, bytes: usize) -> bool {
        let have = held.as_ref().map_or(0, OwnedSemaphorePermit::num_permits);
        let need = bytes.div_ceil(1024).saturating_sub(have);
        if need == 0 {
            return true;
        }
        let Ok(more) = self.0.clone().try_acquire_many_owned(u32::try_from(need).unwrap_or(u32::MAX)) else {
            return false;
        };
        match held {
            Some(permit) => permit.merge(more),
            None => *held = Some(more),
        }
        true
    }
}

impl Bridge {
    pub async fn handle(self: Arc<Self>, request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
        self.activity.request_started();
        let (parts, body) = request.into_parts();
        let Some((method, dav_method)) = rocket_method(&parts.method, parts.uri.path()) else {
            return Ok(self.problem(StatusCode::NOT_IMPLEMENTED, "This request method is not supported."));
        };
        let declared = parts.headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
        let mut reserved = None;
        let limit = body_limit(&parts.method, parts.uri.path());
        let body = match read_body(body, declared, limit, &self.body_budget, &mut reserved).await {
            Ok(body) => body,
            Err(BodyError::Busy) => {
                return Ok(self.problem(StatusCode::SERVICE_UNAVAILABLE, "The server is busy. Try again in a moment."));
            }
            Err(BodyError::TooLarge) => {
                let detail = format!("The request body is larger than {} KiB.", limit / 1024);
                return Ok(self.problem(StatusCode::PAYLOAD_TOO_LARGE, &detail));
            }
            // The client went away or broke the framing mid-body: nobody is left to answer.
            Err(BodyError::Broken) => return Ok(self.problem(StatusCode::BAD_REQUEST, "The request body was cut off.")),
        };

        let target = parts.uri.path_and_query().map_or("/", |p| p.as_str());
        let mut local = self.app.req(method, target).remote(self.peer);
        if let Some(dav_method) = dav_method {
            local.add_header(Header::new(DAV_METHOD_HEADER, dav_method));
        }
        for (name, value) in &parts.headers {
            if name.as_str().eq_ignore_ascii_case(DAV_METHOD_HEADER) {
                // Only the listener says which WebDAV method a request is.
                continue;
            }
            // Rocket, too, takes only UTF-8 header values.
            if let Ok(value) = value.to_str() {
                local.add_header(Header::new(name.as_str().to_owned(), value.to_owned()));
            }
        }
        for value in parts.headers.get_all(COOKIE).iter().filter_map(|v| v.to_str().ok()) {
            for piece in value.split(';').map(str::trim) {
                if let Ok(cookie) = Cookie::parse_encoded(piece) {
                    local = local.cookie(cookie.into_owned());
                }
            }
        }
        let response = local.body(&body).dispatch().await;

        let mut answer = Response::builder().status(response.status().code);
        for header in response.headers().iter() {
            answer = answer.header(header.name().as_str(), header.value());
        }
        let body = response.into_bytes().await.unwrap_or_default();
        drop(reserved);
        Ok(answer.body(Full::new(Bytes::from(body))).unwrap_or_else(|e| {
            tracing::error!("response headers Rocket made are not valid HTTP: {e}");
            self.problem(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on the server.")
        }))
    }

    /// A problem document for what the listener refuses before Rocket sees the request.
    fn problem(&self, status: StatusCode, detail: &str) -> Response<Full<Bytes>> {
        tracing::info!(peer = %self.peer, status = status.as_u16(), "{detail}");
        let problem = Problem {
            kind: "about:blank",
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail: detail.to_owned(),
            errors: Vec::new(),
        };
        let mut response = Response::new(Full::new(Bytes::from(serde_json::to_vec(&problem).unwrap_or_default())));
        *response.status_mut() = status;
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        headers.insert("cache-control", HeaderValue::from_static("no-store"));
        let hsts = self.hsts.then_some(&HSTS);
        for (name, value) in SECURITY_HEADERS.iter().chain(hsts) {
            headers.insert(*name, HeaderValue::from_static(value));
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            headers.insert(RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}

#[derive(Debug, PartialEq, Eq)]
enum BodyError {
    TooLarge,
    Broken,
    /// The shared body budget is spent.
    Busy,
}

/// The whole body, or `TooLarge` once it has been drained (or declared too big to drain).
async fn read_body(
    mut body: Incoming,
    declared: Option<usize>,
    limit: usize,
    budget: &BodyBudget,
    reserved: &mut Option<OwnedSemaphorePermit>,
) -> Result<Bytes, BodyError> {
    if declared.is_some_and(|length| length > DRAIN_LIMIT_BYTES) {
        return Err(BodyError::TooLarge);
    }
    let mut kept = BytesMut::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame.map_err(|_| BodyError::Broken)?.into_data() else {
            continue;
        };
        seen += data.len();
        if seen > DRAIN_LIMIT_BYTES {
            break;
        }
        if seen <= limit {
            if !budget.cover(reserved, seen) {
                return Err(BodyError::Busy);
            }
            kept.extend_from_slice(&data);
        }
    }
    if seen > limit { Err(BodyError::TooLarge) } else { Ok(kept.freeze()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_import_route_takes_a_large_body() {
        assert_eq!(body_limit(&hyper::Method::POST, "/api/people/import"), 5 * 1024 * 1024);
        assert_eq!(body_limit(&hyper::Method::PUT, "/api/people/import"), MAX_BODY_BYTES);
        assert_eq!(body_limit(&hyper::Method::POST, "/api/people/import/x"), MAX_BODY_BYTES);
        assert_eq!(body_limit(&hyper::Method::POST, "/api/auth/login"), MAX_BODY_BYTES);
        assert_eq!(body_limit(&hyper::Method::POST, "/api/calendars/12/import"), 5 * 1024 * 1024);
        assert_eq!(body_limit(&hyper::Method::POST, "/api/calendars/x/import"), MAX_BODY_BYTES);
        assert_eq!(body_limit(&hyper::Method::POST, "/api/calendars/12/import/x"), MAX_BODY_BYTES);
        assert_eq!(body_limit(&hyper::Method::POST, "/api/calendars//import"), MAX_BODY_BYTES);
    }

    #[test]
    fn webdav_methods_reach_rocket_only_under_dav() {
        let propfind = hyper::Method::from_bytes(b"PROPFIND").unwrap();
        assert_eq!(rocket_method(&propfind, "/dav/calendars/ann/"), Some((Method::Post, Some("PROPFIND"))));
        assert_eq!(rocket_method(&propfind, "/dav"), Some((Method::Post, Some("PROPFIND"))));
        assert_eq!(rocket_method(&propfind, "/api/todos"), None);
        assert_eq!(rocket_method(&propfind, "/davx"), None);
        assert_eq!(rocket_method(&propfind, "/.well-known/caldav"), Some((Method::Post, Some("PROPFIND"))));
        let made_up = hyper::Method::from_bytes(b"BREW").unwrap();
        assert_eq!(rocket_method(&made_up, "/dav/"), None);
        assert_eq!(rocket_method(&hyper::Method::PUT, "/dav/x"), Some((Method::Put, None)));
    }

    #[test]
    fn the_body_budget_is_shared_and_returned() {
        let budget = BodyBudget::new(10 * 1024);
        let mut first = None;
        assert!(budget.cover(&mut first, 6000));
        assert!(budget.cover(&mut first, 8000), "growing the same body");
        let mut second = None;
        assert!(!budget.cover(&mut second, 3000), "8 of 10 KiB are held");
        assert!(budget.cover(&mut second, 2000));
        drop(first);
        let mut third = None;
        assert!(budget.cover(&mut third, 8000), "a finished body gives its bytes back");
    }
}
