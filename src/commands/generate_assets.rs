//! `umbra generate-assets DIR`: the man page and shell completions, generated from the clap
//! definitions so they never drift from the real command line. Packaging ships them.

use std::path::Path;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::commands::Exit;

pub fn run(dir: &Path) -> Exit {
    match write_all(dir) {
        Ok(()) => {
            println!("Wrote umbra.1 and completions for bash, zsh and fish to {}", dir.display());
            Exit::Done
        }
        Err(e) => Exit::Failed(format!("cannot write to {}: {e}", dir.display())),
    }
}

fn write_all(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut page)?;
    std::fs::write(dir.join("umbra.1"), page)?;
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        clap_complete::generate_to(shell, &mut Cli::command(), "umbra", dir)?;
    }
    Ok(())
}
