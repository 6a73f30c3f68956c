//! One file per command. Each returns an `Exit` so `main` alone decides the process status.

pub mod admin;
pub mod generate_assets;
pub mod serve;

use std::process::ExitCode;

/// How a command ended: 0 done, 1 it could not do what was asked, 2 bad configuration.
#[derive(Debug)]
pub enum Exit {
    Done,
    Failed(String),
    BadConfig(String),
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
        }
    }
}
