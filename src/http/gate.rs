//! The gate: a fairing that checks the path is canonical, refuses form bodies under `/api`,
//! resolves the client IP, applies the rate limit and the CSRF rule before routing. Rocket
//! fairings cannot answer a request themselves, so a rejected request is rerouted to
//! `/__umbra/rejected`, whose handler answers with the stashed problem.
//!
//! The canonical check comes first: every later rule (bucket, CSRF, `/api` prefix) compares
//! the raw path, and is only sound because the raw path is the one routing matches.

use rocket::Data;
use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::Method;
use rocket::http::uri::Origin;
use rocket::request::Request;
use rocket::route::{Handler, Outcome, Route};

use crate::error::ApiError;
use crate::http::client_ip::ClientIp;
use crate::http::rate_limit::Bucket;
use crate::http::{canonical, csrf};
use crate::server::AppState;

const REJECTED_PATH: &str = "/__umbra/rejected";

/// Every status the gate may answer with; the rejection handler looks for each.
const GATE_STATUSES: [u16; 4] = [400, 403, 415, 429];

pub struct Gate;

#[rocket::async_trait]
impl Fairing for Gate {
    fn info(&self) -> Info {
        Info { name: "canonical path, client IP, rate limit and CSRF gate", kind: Kind::Request }
    }

    async fn on_request(&self, req: &mut Request<'_>, _: &mut Data<'_>) {
        let Some(state) = req.rocket().state::<AppState>() else {
            return;
        };
        if let Err(problem) = verdict(req, state) {
            let _ = problem.stash(req);
            req.set_uri(Origin::parse(REJECTED_PATH).expect("static path"));
        }
    }
}

fn verdict(req: &Request<'_>, state: &AppState) -> Result<(), ApiError> {
    let path = req.uri().path().as_str();
    canonical::check(path).map_err(|why| ApiError::bad_request(why.explain()))?;
    refuse_forms(req)?;
    let ip = ClientIp::of(req, &state.config.trusted_proxies).0;
    let bucket = Bucket::for_request(req.method(), path);
    state.rate_limiters.check(bucket, ip).map_err(|wait| {
        tracing::warn!(client_ip = %ip, ?bucket, "rate limited");
        ApiError::too_many_requests(wait)
    })?;
    csrf::check(req)
}

/// The API speaks JSON only. Refusing form bodies also closes Rocket's `_method` override,
/// which Rocket applies from an urlencoded POST body before any fairing runs: with it a
/// plain cross-site form could otherwise reach a DELETE or PATCH route.
fn refuse_forms(req: &Request<'_>) -> Result<(), ApiError> {
    let path = req.uri().path().as_str();
    let under_api = path == "/api" || path.starts_with("/api/");
    // DAV too: its clients send Basic credentials that a browser may have cached.
    let under_dav = path == "/dav" || path.starts_with("/dav/");
    if (under_api || under_dav) && req.content_type().is_some_and(|ct| ct.is_form() || ct.is_form_data()) {
        return Err(ApiError::unsupported_media_type());
    }
    Ok(())
}

/// Answers rerouted requests with the problem the gate stashed.
#[derive(Clone)]
struct Rejected;

#[rocket::async_trait]
impl Handler for Rejected {
    async fn handle<'r>(&self, req: &'r Request<'_>, _: Data<'r>) -> Outcome<'r> {
        let problem = GATE_STATUSES
            .into_iter()
            .find_map(|code| ApiError::take_stashed(req, rocket::http::Status::new(code)))
            .unwrap_or_else(ApiError::not_found);
        Outcome::from(req, problem)
    }
}

pub fn rejection_routes() -> Vec<Route> {
    [
        Method::Get,
        Method::Head,
        Method::Post,
        Method::Put,
        Method::Patch,
        Method::Delete,
        Method::Options,
        Method::Trace,
        Method::Connect,
    ]
    .into_iter()
    .map(|method| Route::ranked(-100, method, REJECTED_PATH, Rejected))
    .collect()
}
