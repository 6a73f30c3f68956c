//! CalDAV and CardDAV under `/dav/`, for the calendar and contact apps people already use.
//! Rocket has no names for WebDAV's methods, so the listener hands them over as POSTs with
//! the real method in a header it controls (`http::listener::bridge`); the gate, the access
//! log and the security headers apply here as everywhere. DAV clients sign in with HTTP
//! Basic and an app password (`auth`), never a session cookie, and never the account
//! password.
//!
//! The resource tree (`<user>` is the signed-in user's name; another name is 404):
//! - `/dav/` — the root: `current-user-principal`.
//! - `/dav/principals/<user>/` — the principal: homes, display name.
//! - `/dav/calendars/<user>/` — the calendar home; in it `<calendar id>/` for each calendar
//!   the user can read (own and shared), holding `<name>.ics` events, and `todos/`, the
//!   user's todos as one VTODO calendar.
//! - `/dav/addressbooks/<user>/contacts/` — the user's people as one address book, holding
//!   `<name>.vcf` cards.
//!
//! `/.well-known/caldav` and `/.well-known/carddav` redirect to `/dav/` (RFC 6764).

mod answer;
pub mod auth;
pub mod calendar_objects;
mod calendar_text;
pub mod contact_objects;
pub mod dispatch;
mod load;
mod methods;
mod objects;
pub mod paths;
pub mod per_user;
mod propfind;
mod proppatch;
pub mod props;
mod reports;
pub mod requests;
mod reschedule;
pub mod store;
pub mod todo_objects;
pub mod xml;

use std::io::Cursor;

use rocket::data::{Data, ToByteUnit};
use rocket::http::{ContentType, Header, Method, Status};
use rocket::request::Request;
use rocket::response::{self, Responder, Response};
use rocket::route::{Handler, Outcome, Route};

use crate::server::AppState;

/// The largest request body DAV takes: a calendar object or a REPORT. The listener refuses
/// bodies over 1 MiB before Rocket sees them.
pub const MAX_BODY_BYTES: u64 = 1024 * 1024;

/// Where the listener tells Rocket the WebDAV method of a request that Rocket has no name
/// for (see `http::listener::bridge`); a client's own header of that name is dropped there.
pub const DAV_METHOD_HEADER: &str = "X-Umbra-Dav-Method";

/// Whether a request path belongs to DAV: `/dav`, under `/dav/`, or a well-known DAV address.
pub fn is_dav_path(path: &str) -> bool {
    path == "/dav" || path.starts_with("/dav/") || path == "/.well-known/caldav" || path == "/.well-known/carddav"
}

/// A DAV request's method: HTTP's own, or the WebDAV one the listener named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DavMethod {
    Options,
    Get,
    Head,
    Put,
    Delete,
    Propfind,
    Proppatch,
    Report,
    Mkcalendar,
    Mkcol,
    /// COPY, MOVE, LOCK, UNLOCK, ACL, POST: understood, not supported (405).
    Other,
}

impl DavMethod {
    fn of(req: &Request<'_>) -> DavMethod {
        match req.method() {
            Method::Options => DavMethod::Options,
            Method::Get => DavMethod::Get,
            Method::Head => DavMethod::Head,
            Method::Put => DavMethod::Put,
            Method::Delete => DavMethod::Delete,
            Method::Post => match req.headers().get_one(DAV_METHOD_HEADER) {
                Some("PROPFIND") => DavMethod::Propfind,
                Some("PROPPATCH") => DavMethod::Proppatch,
                Some("REPORT") => DavMethod::Report,
                Some("MKCALENDAR") => DavMethod::Mkcalendar,
                Some("MKCOL") => DavMethod::Mkcol,
                _ => DavMethod::Other,
            },
            _ => DavMethod::Other,
        }
    }
}

/// What `dispatch` needs of a request: its method, path, the headers DAV reads (names
/// lower-case) and the body.
#[derive(Debug)]
pub struct DavRequest {
    pub method: DavMethod,
    /// The raw (percent-encoded, canonical) path.
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl DavRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// A DAV answer: status, headers and an optional typed body.
#[derive(Debug)]
pub struct DavResponse {
    pub status: Status,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<(ContentType, Vec<u8>)>,
}

impl DavResponse {
    pub fn status(status: Status) -> Self {
        Self { status, headers: Vec::new(), body: None }
    }

    #[must_use]
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    #[must_use]
    pub fn with_body(mut self, content_type: ContentType, body: Vec<u8>) -> Self {
        self.body = Some((content_type, body));
        self
    }

    /// A short plain-text explanation, for errors a person may read in a client's log.
    pub fn text(status: Status, detail: &str) -> Self {
        Self::status(status).with_body(ContentType::Plain, detail.as_bytes().to_vec())
    }
}

impl<'r> Responder<'r, 'static> for DavResponse {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        let mut response = Response::build();
        response.status(self.status);
        // DAV answers describe one user's data at one moment.
        response.raw_header("Cache-Control", "no-store");
        for (name, value) in self.headers {
            response.header_adjoin(Header::new(name, value));
        }
        if let Some((content_type, body)) = self.body {
            response.header(content_type);
            response.sized_body(body.len(), Cursor::new(body));
        }
        response.ok()
    }
}

/// What `OPTIONS` and every answer advertise (RFC 4918 §10.1, RFC 4791 §5.1, RFC 6352 §6.1).
pub const DAV_CAPABILITIES: &str = "1, 3, calendar-access, addressbook";
pub const ALLOWED_METHODS: &str = "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, REPORT, MKCALENDAR";

#[derive(Clone)]
struct DavHandler;

#[rocket::async_trait]
impl Handler for DavHandler {
    async fn handle<'r>(&self, req: &'r Request<'_>, data: Data<'r>) -> Outcome<'r> {
        let Some(state) = req.rocket().state::<AppState>() else {
            return Outcome::from(req, DavResponse::status(Status::InternalServerError));
        };
        let path = req.uri().path().as_str().to_string();
        if path.starts_with("/.well-known/") {
            // RFC 6764 §5: the context path, for the client to look for the principal there.
            return Outcome::from(req, DavResponse::status(Status::MovedPermanently).with_header("Location", "/dav/"));
        }
        let method = DavMethod::of(req);
        if method == DavMethod::Options {
            // Clients ask before signing in; the answer says what the server is, not what anyone has.
            let answer = DavResponse::status(Status::Ok)
                .with_header("DAV", DAV_CAPABILITIES)
                .with_header("Allow", ALLOWED_METHODS);
            return Outcome::from(req, answer);
        }
        let account = match auth::account(req, state).await {
            Ok(account) => account,
            Err(refusal) => return Outcome::from(req, refusal),
        };
        let body = match data.open(MAX_BODY_BYTES.bytes()).into_bytes().await {
            Ok(body) if body.is_complete() => body.into_inner(),
            Ok(_) => {
                return Outcome::from(
                    req,
                    DavResponse::text(Status::PayloadTooLarge, "The request body is too large."),
                );
            }
            Err(_) => {
                return Outcome::from(req, DavResponse::text(Status::BadRequest, "The request body was cut off."));
            }
        };
        let headers =
            req.headers().iter().map(|h| (h.name().as_str().to_ascii_lowercase(), h.value().to_string())).collect();
        let request = DavRequest { method, path, headers, body };
        let response = dispatch::dispatch(state, &account, request).await;
        Outcome::from(req, response.with_header("DAV", DAV_CAPABILITIES))
    }
}

/// Every method on every DAV path, ahead of the web UI's catch-all.
pub fn routes() -> Vec<Route> {
    let methods = [Method::Get, Method::Head, Method::Put, Method::Delete, Method::Options, Method::Post];
    let paths = ["/dav/<path..>", "/.well-known/caldav", "/.well-known/carddav"];
    methods
        .into_iter()
        .flat_map(|method| paths.into_iter().map(move |path| Route::ranked(-50, method, path, DavHandler)))
        .collect()
}
