//! `GET /health` and `GET /ready`, both public.
//!
//! `/health` is liveness: 200 while the process serves requests, and nothing else is asked
//! (no database query), so a restart policy built on it never restarts UMBRA for an outage of
//! its database, which a restart would not cure. `/ready` is readiness, for systemd checks and
//! load balancers: 200 only when the database answers, its migrations are exactly the ones
//! this binary embeds, and the background jobs are running; otherwise 503 naming each check
//! that failed.

use std::time::Duration;

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{State, get};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::{Db, schema};
use crate::jobs;
use crate::server::AppState;

api_module![health, ready];

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always "ok": the process answers.
    pub status: &'static str,
}

#[utoipa::path(tag = "health", responses((status = 200, body = Health)))]
#[get("/health")]
pub fn health() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// How long `/ready` waits for the database: an answer within this is "reachable", and a
/// check during an outage answers well within the 5 s a load balancer waits.
const DATABASE_CHECK: Duration = Duration::from_secs(2);

#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// "ready" or "not ready".
    pub status: &'static str,
    /// The names of the checks that failed (empty when ready).
    pub failed: Vec<&'static str>,
    pub checks: ReadinessChecks,
}

/// Each check: "ok", or what is wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReadinessChecks {
    /// The database answers a query within 2 s.
    pub database: String,
    /// The applied migrations are exactly the ones this binary embeds.
    pub migrations: String,
    /// Every background job of this process is alive and passing on schedule.
    pub jobs: String,
}

#[utoipa::path(tag = "health",
    responses((status = 200, body = Readiness), (status = 503, body = Readiness)))]
#[get("/ready")]
pub async fn ready(state: &State<AppState>, runner: Option<&State<jobs::RunnerState>>) -> (Status, Json<Readiness>) {
    let (database, migrations) = match tokio::time::timeout(DATABASE_CHECK, database_checks(&state.db)).await {
        Ok(checks) => checks,
        Err(_) => (Err("no answer within 2 s".to_string()), Err("unknown".to_string())),
    };
    let jobs = runner.map_or_else(|| Err("not started".to_string()), |runner| runner.0.health());
    let mut failed = Vec::new();
    let mut word = |name: &'static str, check: Result<(), String>| match check {
        Ok(()) => "ok".to_string(),
        Err(why) => {
            failed.push(name);
            why
        }
    };
    let checks = ReadinessChecks {
        database: word("database", database),
        migrations: word("migrations", migrations),
        jobs: word("jobs", jobs),
    };
    let status = if failed.is_empty() { Status::Ok } else { Status::ServiceUnavailable };
    let readiness = Readiness { status: if failed.is_empty() { "ready" } else { "not ready" }, failed, checks };
    (status, Json(readiness))
}

/// Whether the database answers, and whether its migrations are current.
async fn database_checks(db: &Db) -> (Result<(), String>, Result<(), String>) {
    if !db.ping().await {
        return (Err("unreachable".into()), Err("unknown".into()));
    }
    let migrations = match schema::is_current(db).await {
        Ok(true) => Ok(()),
        Ok(false) => Err("the applied migrations differ from this binary's".into()),
        Err(_) => Err("unknown".into()),
    };
    (Ok(()), migrations)
}
