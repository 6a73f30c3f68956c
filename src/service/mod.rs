//! Workflows shared by the API, the CLI and jobs: each takes a `Context` and a typed caller
//! and returns domain errors, so a rule lives in one place whoever asks.

pub mod users;

use crate::db::Db;
use crate::domain::time::UtcMillis;

/// What a workflow works with: the database and the time it happens at (the app's clock in
/// the server, so tests control it; the system clock in the CLI).
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub db: &'a Db,
    pub now: UtcMillis,
}
