//! The gate: a fairing that resolves the client IP, applies the rate limit and the CSRF rule
//! before routing. Rocket fairings cannot answer a request themselves, so a rejected request
//! is rerouted to `/__umbra/rejected`, whose handler answers with the stashed problem.

use rocket::Data;
use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::Method;
use rocket::http::uri::Origin;
use rocket::request::Request;
use rocket::route::{Handler, Outcome, Route};

use crate::error::ApiError;
use crate::http::client_ip::ClientIp;
use crate::http::csrf;
use crate::http::rate_limit::Bucket;
use crate::server::AppState;

const REJECTED_PATH: &str = "/__umbra/rejected";

pub struct Gate;

#[rocket::async_trait]
impl Fairing for Gate {
    fn info(&self) -> Info {
        Info { name: "client IP, rate limit and CSRF gate", kind: Kind::Request }
    }

    async fn on_request(&self, req: &mut Request<'_>, _: &mut Data<'_>) {
        let Some(state) = req.rocket().state::<AppState>() else {
            return;
        };
        let ip = ClientIp::of(req, &state.config.trusted_proxies).0;
        let bucket = Bucket::for_request(req.method(), req.uri().path().as_str());
        let verdict =
            state.rate_limiters.check(bucket, ip).map_err(ApiError::too_many_requests).and_then(|()| csrf::check(req));
        if let Err(problem) = verdict {
            if problem.status.code == 429 {
                tracing::warn!(client_ip = %ip, ?bucket, "rate limited");
            }
            let _ = problem.stash(req);
            req.set_uri(Origin::parse(REJECTED_PATH).expect("static path"));
        }
    }
}

/// Answers rerouted requests with the problem the gate stashed.
#[derive(Clone)]
struct Rejected;

#[rocket::async_trait]
impl Handler for Rejected {
    async fn handle<'r>(&self, req: &'r Request<'_>, _: Data<'r>) -> Outcome<'r> {
        let problem = [403, 429]
            .into_iter()
            .find_map(|code| ApiError::take_stashed(req, rocket::http::Status::new(code)))
            .unwrap_or_else(ApiError::not_found);
        Outcome::from(req, problem)
    }
}

pub fn rejection_routes() -> Vec<Route> {
    [Method::Get, Method::Head, Method::Post, Method::Put, Method::Patch, Method::Delete, Method::Options]
        .into_iter()
        .map(|method| Route::ranked(-100, method, REJECTED_PATH, Rejected))
        .collect()
}
