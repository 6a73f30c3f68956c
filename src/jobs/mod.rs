//! Background jobs, started at liftoff and stopped with the server. Each is a `Job`: a name,
//! a period and one pass (`run_once`) that tests call directly with the clock where they
//! want it; `spawn` runs it every period on the app's clock until shutdown. Work that must
//! happen once is claimed in the database inside the pass, so any number of processes may
//! run the same jobs.

pub mod cleanup;
pub mod dispatcher;
pub mod tls_renewal;

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use rocket::fairing::AdHoc;
use rocket::{Orbit, Rocket};

use crate::clock::SharedClock;
use crate::db::Db;
use crate::domain::time::UtcMillis;
use crate::server::AppState;

/// What a pass may fail with (it is logged; the next period tries again).
pub type JobError = Box<dyn std::error::Error + Send + Sync>;

/// What every pass works with.
#[derive(Clone)]
pub struct JobContext {
    pub db: Db,
}

pub trait Job: Send + Sync + 'static {
    fn name(&self) -> &'static str;
    /// The pause between the end of one pass and the start of the next.
    fn period(&self) -> Duration;
    /// One pass at `now`.
    fn run_once<'a>(&'a self, ctx: &'a JobContext, now: UtcMillis) -> BoxFuture<'a, Result<(), JobError>>;
}

/// Runs `job` now and then every period until `shutdown`; a pass in progress is finished
/// first (everything it claimed is either done or left to its lease).
pub fn spawn(job: Arc<dyn Job>, ctx: JobContext, clock: SharedClock, shutdown: rocket::Shutdown) {
    tokio::spawn(async move {
        loop {
            if let Err(e) = job.run_once(&ctx, clock.now()).await {
                tracing::warn!("{} failed: {e}", job.name());
            }
            tokio::select! {
                () = shutdown.clone() => break,
                () = tokio::time::sleep(job.period()) => {}
            }
        }
    });
}

pub fn fairing() -> AdHoc {
    AdHoc::on_liftoff("background jobs", |rocket| Box::pin(async move { start(rocket) }))
}

fn start(rocket: &Rocket<Orbit>) {
    let Some(state) = rocket.state::<AppState>() else {
        return;
    };
    let ctx = JobContext { db: state.db.clone() };
    let mut jobs: Vec<Arc<dyn Job>> = vec![Arc::new(cleanup::Cleanup::new(state))];
    if state.config.dispatch {
        jobs.extend(dispatcher::jobs(rocket, state));
    }
    if let Some(local_ca) = state.local_ca() {
        jobs.push(Arc::new(tls_renewal::TlsRenewal::new(local_ca.clone())));
    }
    for job in jobs {
        spawn(job, ctx.clone(), state.clock.clone(), rocket.shutdown());
    }
}
