//! `stscalc completions SHELL`: the shell completion script.

use clap::CommandFactory;

use crate::cli::Cli;
use crate::error::Result;

/// Prints the completion script for `shell`.
pub fn run(shell: clap_complete::Shell) -> Result<()> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "stscalc", &mut buf);
    crate::output::emit(String::from_utf8_lossy(&buf).as_bytes(), None, false)
}
