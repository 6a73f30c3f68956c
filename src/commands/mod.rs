//! One file per command. Each returns an `Exit` so `main` alone decides the process status.

pub mod admin;
pub mod generate_assets;
pub mod serve;

use std::process::ExitCode;

/// How a command ended: 0 done, 1 it could not do what was asked, 2 bad configuration,
/// 3 the database was refused (damaged, not UMBRA's, or from a newer UMBRA; left untouched).
/// README.md documents them ("Exit codes"); a service manager may restart after 1 but not
/// after 2 or 3, which only a person can fix.
#[derive(Debug)]
pub enum Exit {
    Done,
    Failed(String),
    BadConfig(String),
    DatabaseRefused(String),
}

impl Exit {
    pub fn report(self) -> ExitCode {
        match self {
            Exit::Done => ExitCode::SUCCESS,
            Exit::Failed(message) => {
                eprintln!("umbra: {message}");
                ExitCode::from(1)
            }
            Exit::BadConfig(message) => {
                eprintln!("umbra: {message}");
                ExitCode::from(2)
            }
            Exit::DatabaseRefused(message) => {
                eprintln!("umbra: refusing to start: {message}");
                ExitCode::from(3)
            }
        }
    }
}
