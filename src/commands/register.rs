//! `stscalc register backup PATH` (SQLite's online backup, to a new file) and `stscalc
//! register check` (integrity, the audit chain, and every row against its event); and how
//! every register command finds and opens the register.

use std::path::{Path, PathBuf};

use crate::cli::{Format, RegisterCommand};
use crate::error::{Error, Result};
use crate::output;
use crate::register::{self, RegisterStore};
use crate::render;

/// `stscalc register`.
pub fn run(register: Option<&Path>, command: RegisterCommand) -> Result<()> {
    match command {
        RegisterCommand::Backup { path } => {
            open_existing(register)?.backup(&path).map_err(reg)?;
            let said = format!("register backed up to {}\n", path.display());
            output::emit(said.as_bytes(), None, false)
        }
        RegisterCommand::Check { format } => check(register, format),
        RegisterCommand::Export { output, force } => export(register, output, force),
        RegisterCommand::Import { file } => import(register, &file),
    }
}

/// `stscalc register check`: integrity, the audit chain, and every row against its event.
fn check(register: Option<&Path>, format: Format) -> Result<()> {
    let c = open_existing(register)?.check().map_err(reg)?;
    let out = match format {
        Format::Json => render::json(&c)?,
        Format::Text => format!(
            "register check passed: database integrity ok, {}, {}, audit trail of {} verified, head {}\n",
            agree(c.lots),
            users_agree(c.users),
            counted(c.audit.events, "event"),
            c.audit.head
        ),
    };
    output::emit(out.as_bytes(), None, false)
}

/// `stscalc register export`: the whole register, read at one moment, as JSON Lines to the
/// output (standard output, or a new file); with a file, a line on standard output says what
/// was written.
fn export(register: Option<&Path>, to: Option<PathBuf>, force: bool) -> Result<()> {
    output::check(to.as_deref(), force)?;
    let store = open_existing(register)?;
    let mut bytes = Vec::new();
    let head = register::transfer::export(store.as_ref(), &mut bytes).map_err(reg)?;
    // It holds the users' password hashes: a file is the register's owner's alone.
    output::emit_private(&bytes, to.as_deref(), force)?;
    if let Some(path) = &to {
        let said = format!(
            "register exported to {}: {}, head {}\n",
            path.display(),
            counted(head.events, "event"),
            head.head
        );
        output::emit(said.as_bytes(), None, false)?;
    }
    Ok(())
}

/// `stscalc register import FILE`: into an empty register (created on first use), all or
/// nothing.
fn import(register: Option<&Path>, file: &Path) -> Result<()> {
    let input = crate::data::open_regular(file)?;
    // An import that fails writes nothing: an SQLite file it created is removed again, so a
    // bad export never leaves an empty register behind to be mistaken for a real one.
    let location = register::default_location(register, |k| std::env::var_os(k)).map_err(reg)?;
    let created = match &location {
        register::Location::Sqlite(path) if !path.exists() => Some(path.clone()),
        _ => None,
    };
    let mut store = register::open(&location).map_err(reg)?;
    let imported = register::transfer::import(store.as_mut(), &mut std::io::BufReader::new(input));
    let c = match imported {
        Ok(c) => c,
        Err(e) => {
            drop(store);
            if let Some(path) = created {
                for suffix in ["", "-wal", "-shm", "-journal"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(p);
                }
            }
            return Err(reg(e));
        }
    };
    let said = format!(
        "register imported from {}: {}, {}, audit trail of {} verified, head {}\n",
        file.display(),
        agree(c.lots),
        users_agree(c.users),
        counted(c.audit.events, "event"),
        c.audit.head
    );
    output::emit(said.as_bytes(), None, false)
}

/// `n` of `noun`: `1 event`, `3 events`.
fn counted(n: impl Into<u64>, noun: &str) -> String {
    match n.into() {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}

/// `1 lot agrees with its events`, `3 lots agree with their events`.
fn agree(lots: impl Into<u64>) -> String {
    match lots.into() {
        1 => "1 lot agrees with its events".into(),
        n => format!("{n} lots agree with their events"),
    }
}

/// `1 user agrees with its events`, `2 users agree with their events`.
fn users_agree(users: u64) -> String {
    match users {
        1 => "1 user agrees with its events".into(),
        n => format!("{n} users agree with their events"),
    }
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
