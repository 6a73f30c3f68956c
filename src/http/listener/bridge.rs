//! One HTTP request from hyper to Rocket and its response back. The body is read here, up to
//! `MAX_BODY_BYTES`, before Rocket sees the request; Rocket's own per-route limits (64 KiB
//! for JSON) then apply to that buffer. A body over the limit is read on and thrown away, up
//! to `DRAIN_LIMIT_BYTES`, before the 413 goes out: a client that is still sending when the
//! answer comes would otherwise see a reset connection (HTTP/1.1) or a broken stream
//! (HTTP/2) instead of the 413 — what a person uploading a too-large file would hit.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, COOKIE, HeaderValue};
use hyper::{Request, Response, StatusCode};
use rocket::http::{Cookie, Header, Method};
use rocket::local::asynchronous::Client;

use super::activity::Activity;
use crate::error::Problem;
use crate::http::headers::{HSTS, SECURITY_HEADERS};

/// The largest request body any route accepts.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// How much of an oversized body is read and discarded so that the client sees the 413.
const DRAIN_LIMIT_BYTES: usize = 16 * 1024 * 1024;

pub struct Bridge {
    pub app: Arc<Client>,
    pub peer: SocketAddr,
    pub activity: Activity,
    pub hsts: bool,
}

impl Bridge {
    pub async fn handle(self: Arc<Self>, request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
        self.activity.request_started();
        let (parts, body) = request.into_parts();
        let Ok(method) = parts.method.as_str().parse::<Method>() else {
            return Ok(self.problem(StatusCode::NOT_IMPLEMENTED, "This request method is not supported."));
        };
        let declared = parts.headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
        let body = match read_body(body, declared).await {
            Ok(body) => body,
            Err(BodyError::TooLarge) => {
                let detail = format!("The request body is larger than {} KiB.", MAX_BODY_BYTES / 1024);
                return Ok(self.problem(StatusCode::PAYLOAD_TOO_LARGE, &detail));
            }
            // The client went away or broke the framing mid-body: nobody is left to answer.
            Err(BodyError::Broken) => return Ok(self.problem(StatusCode::BAD_REQUEST, "The request body was cut off.")),
        };

        let target = parts.uri.path_and_query().map_or("/", |p| p.as_str());
        let mut local = self.app.req(method, target).remote(self.peer);
        for (name, value) in &parts.headers {
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
        response
    }
}

#[derive(Debug, PartialEq, Eq)]
enum BodyError {
    TooLarge,
    Broken,
}

/// The whole body, or `TooLarge` once it has been drained (or declared too big to drain).
async fn read_body(mut body: Incoming, declared: Option<usize>) -> Result<Bytes, BodyError> {
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
        if seen <= MAX_BODY_BYTES {
            kept.extend_from_slice(&data);
        }
    }
    if seen > MAX_BODY_BYTES { Err(BodyError::TooLarge) } else { Ok(kept.freeze()) }
}
