//! Background jobs, started at liftoff and stopped with the server. Each is a `Job`: a name,
//! a period and one pass (`run_once`) that tests call directly with the clock where they
//! want it; `spawn` runs it every period on the app's clock until shutdown. Work that must
//! happen once is claimed in the database inside the pass, so any number of processes may
//! run the same jobs.
//!
//! The `Runner` (Rocket state) knows each job's heartbeat, for `/ready` ("the jobs are
//! running": every loop alive and passing on schedule), and holds their tasks, so that
//! `umbra serve` can wait at shutdown for the passes in progress: a pass records what it did
//! with everything it claimed (a push sent is marked sent, its lease released), which it
//! could not do once the process had exited under it.

pub mod cleanup;
pub mod dispatcher;
pub mod tls_renewal;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use rocket::fairing::{Fairing, Info, Kind};
use rocket::{Build, Orbit, Rocket};
use tokio::task::JoinHandle;

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

/// How late a job's heartbeat may be beyond its period before `/ready` says the jobs are not
/// running: the longest pass there is (a burst of pushes: 256, 64 at a time, each allowed 15 s)
/// fits in it.
const PASS_ALLOWANCE: Duration = Duration::from_mins(2);

/// The jobs of this process: heartbeats and tasks.
#[derive(Default)]
pub struct Runner {
    beats: Mutex<Vec<Beat>>,
    tasks: Mutex<Vec<(&'static str, JoinHandle<()>)>>,
}

#[derive(Debug, Clone, Copy)]
struct Beat {
    name: &'static str,
    period: Duration,
    /// When a pass last began or ended.
    last: Instant,
    /// The loop runs (false once it ended: shutdown, or a panic in a pass).
    alive: bool,
}

impl Runner {
    /// `Ok` when jobs were started and every one is alive and on schedule; otherwise what is
    /// wrong, in words for `/ready`.
    pub fn health(&self) -> Result<(), String> {
        let beats = self.beats.lock().map_err(|_| "the job registry is poisoned".to_string())?;
        if beats.is_empty() {
            return Err("not started".into());
        }
        for beat in beats.iter() {
            if !beat.alive {
                return Err(format!("{} stopped", beat.name));
            }
            if beat.last.elapsed() > beat.period + PASS_ALLOWANCE {
                return Err(format!("{} has not run for {} s", beat.name, beat.last.elapsed().as_secs()));
            }
        }
        Ok(())
    }

    /// Takes the jobs' tasks, to wait for them at shutdown (`finish`).
    pub fn take_tasks(&self) -> Vec<(&'static str, JoinHandle<()>)> {
        self.tasks.lock().map(|mut tasks| std::mem::take(&mut *tasks)).unwrap_or_default()
    }

    fn register(&self, name: &'static str, period: Duration) -> usize {
        let mut beats = self.beats.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        beats.push(Beat { name, period, last: Instant::now(), alive: true });
        beats.len() - 1
    }

    fn beat(&self, index: usize, alive: bool) {
        let mut beats = self.beats.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(beat) = beats.get_mut(index) {
            beat.last = Instant::now();
            beat.alive = alive;
        }
    }
}

/// Waits until every task has ended (after shutdown was notified), for at most `grace`; a job
/// still in its pass then is named in the log (its claims lapse with their leases).
pub async fn finish(tasks: Vec<(&'static str, JoinHandle<()>)>, grace: Duration) {
    let deadline = tokio::time::Instant::now() + grace;
    for (name, task) in tasks {
        if tokio::time::timeout_at(deadline, task).await.is_err() {
            tracing::warn!("{name} did not finish its pass within {} s of the stop", grace.as_secs());
        }
    }
}

/// Marks the job stopped when its loop ends, also when a pass panics (the task unwinds).
struct Alive<'a> {
    runner: &'a Runner,
    index: usize,
}

impl Drop for Alive<'_> {
    fn drop(&mut self) {
        self.runner.beat(self.index, false);
    }
}

/// Runs `job` now and then every period until `shutdown`; a pass in progress is finished
/// first (everything it claimed is either done or left to its lease).
pub fn spawn(
    job: Arc<dyn Job>,
    ctx: JobContext,
    clock: SharedClock,
    shutdown: rocket::Shutdown,
    runner: Arc<Runner>,
) -> JoinHandle<()> {
    let index = runner.register(job.name(), job.period());
    tokio::spawn(async move {
        let _alive = Alive { runner: &runner, index };
        loop {
            runner.beat(index, true);
            if let Err(e) = job.run_once(&ctx, clock.now()).await {
                tracing::warn!("{} failed: {e}", job.name());
            }
            runner.beat(index, true);
            tokio::select! {
                () = shutdown.clone() => break,
                () = tokio::time::sleep(job.period()) => {}
            }
        }
    })
}

/// The jobs' fairing: puts the `Runner` in the state at ignition and starts the jobs at
/// liftoff.
pub fn fairing() -> Jobs {
    Jobs
}

pub struct Jobs;

/// The runner as Rocket manages it (an `Arc`, so the tasks can hold it too).
pub struct RunnerState(pub Arc<Runner>);

#[rocket::async_trait]
impl Fairing for Jobs {
    fn info(&self) -> Info {
        Info { name: "background jobs", kind: Kind::Ignite | Kind::Liftoff | Kind::Singleton }
    }

    async fn on_ignite(&self, rocket: Rocket<Build>) -> rocket::fairing::Result {
        Ok(rocket.manage(RunnerState(Arc::new(Runner::default()))))
    }

    async fn on_liftoff(&self, rocket: &Rocket<Orbit>) {
        start(rocket);
    }
}

/// This server's job runner (none before ignition).
pub fn runner(rocket: &Rocket<Orbit>) -> Option<Arc<Runner>> {
    rocket.state::<RunnerState>().map(|state| state.0.clone())
}

fn start(rocket: &Rocket<Orbit>) {
    let (Some(state), Some(runner)) = (rocket.state::<AppState>(), runner(rocket)) else {
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
        let name = job.name();
        let task = spawn(job, ctx.clone(), state.clock.clone(), rocket.shutdown(), runner.clone());
        if let Ok(mut tasks) = runner.tasks.lock() {
            tasks.push((name, task));
        }
    }
}
