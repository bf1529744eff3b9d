//! `stscalc register backup PATH` (SQLite's online backup, to a new file) and `stscalc
//! register check` (integrity, the audit chain, and every row against its event); and how
//! every register command finds and opens the register.

use std::path::Path;

use crate::cli::{Format, RegisterCommand};
use crate::error::{Error, Result};
use crate::output;
use crate::register::{self, RegisterStore};
use crate::render;

/// `stscalc register`.
pub fn run(register: Option<&Path>, command: RegisterCommand) -> Result<()> {
    let store = open_existing(register)?;
    let out = match command {
        RegisterCommand::Backup { path } => {
            store.backup(&path).map_err(reg)?;
            format!("register backed up to {}\n", path.display())
        }
        RegisterCommand::Check { format } => {
            let c = store.check().map_err(reg)?;
            match format {
                Format::Json => render::json(&c)?,
                Format::Text => format!(
                    "register check passed: database integrity ok, {} lots agree with their events, audit trail of {} events verified, head {}\n",
                    c.lots, c.audit.events, c.audit.head
                ),
            }
        }
    };
    output::emit(out.as_bytes(), None, false)
}

/// A register error as the crate's one-line error.
pub(crate) fn reg(e: register::Error) -> Error {
    Error::Refused(e.to_string())
}

/// Opens the register, creating it on first use (only `lot new` creates one).
pub(crate) fn open_or_create(register: Option<&Path>) -> Result<Box<dyn RegisterStore>> {
    let location = register::default_location(register, |k| std::env::var_os(k)).map_err(reg)?;
    register::open(&location).map_err(reg)
}

/// Opens an existing register: a command that only reads or adds to a lot never creates an
/// empty register by mistake (a mistyped path says so instead).
pub(crate) fn open_existing(register: Option<&Path>) -> Result<Box<dyn RegisterStore>> {
    let location = register::default_location(register, |k| std::env::var_os(k)).map_err(reg)?;
    // A PostgreSQL database must exist already (its server refuses an unknown one); only an
    // SQLite file could be created by a mistyped path.
    if let register::Location::Sqlite(path) = &location {
        if !path.exists() {
            return Err(Error::input(
                "--register",
                "an existing register (`stscalc lot new` creates one)",
                format!("`{}`, which does not exist", path.display()),
            ));
        }
    }
    register::open(&location).map_err(reg)
}

/// The time now, UTC, as the register writes times.
pub(crate) fn now_utc() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
}
