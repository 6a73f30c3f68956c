//! One log line per request: method, path without the query string (it could hold secrets),
//! status, latency, client IP and request id. A secret feed's path is its secret, so the token
//! in `/ics/<token>.ics` is never written.

use std::time::Instant;

use rocket::fairing::{Fairing, Info, Kind};
use rocket::{Data, Request, Response};

use crate::http::client_ip::ClientIp;
use crate::http::request_id::RequestId;

pub struct AccessLog;

/// Captured before the gate may reroute the request.
struct Started {
    at: Instant,
    path: String,
}

#[rocket::async_trait]
impl Fairing for AccessLog {
    fn info(&self) -> Info {
        Info { name: "access log", kind: Kind::Request | Kind::Response }
    }

    async fn on_request(&self, req: &mut Request<'_>, _: &mut Data<'_>) {
        let path = logged_path(req.uri().path().as_str());
        req.local_cache(|| Started { at: Instant::now(), path });
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        let started = req.local_cache(|| Started { at: Instant::now(), path: String::new() });
        let ip = req.local_cache(|| ClientIp(std::net::Ipv4Addr::UNSPECIFIED.into())).0;
        tracing::info!(
            target: "umbra::access",
            method = %req.method(),
            path = %started.path,
            status = res.status().code,
            latency_ms = format_args!("{:.1}", started.at.elapsed().as_secs_f64() * 1000.0),
            client_ip = %ip,
            request_id = RequestId::of(req),
        );
    }
}

/// The path as logged: a feed token replaced by `<token>`.
fn logged_path(path: &str) -> String {
    if path.starts_with("/ics/") { "/ics/<token>.ics".to_string() } else { path.to_string() }
}

#[cfg(test)]
mod tests {
    use super::logged_path;

    #[test]
    fn feed_tokens_are_not_logged() {
        assert_eq!(logged_path("/ics/s3cr3tT0ken.ics"), "/ics/<token>.ics");
        assert_eq!(logged_path("/api/calendars/3/feed"), "/api/calendars/3/feed");
    }
}
