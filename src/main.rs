//! The `umbra` executable: parse the command line and dispatch.

use std::process::ExitCode;

use clap::Parser;
use umbra::cli::{Cli, Command};
use umbra::commands;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            return commands::Exit::Failed(format!("cannot start the async runtime: {e}")).report();
        }
    };
    let exit = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => commands::serve::run(args).await,
            Command::Admin(command) => commands::admin::run(command).await,
            Command::GenerateAssets { dir } => commands::generate_assets::run(&dir),
        }
    });
    exit.report()
}
