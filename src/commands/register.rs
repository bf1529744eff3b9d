//! `stscalc register backup PATH` (SQLite's online backup, to a new file) and `stscalc
//! register check` (integrity, the audit chain, and every row against its event).

use std::path::Path;

use super::lot::{open_existing, reg};
use crate::cli::{Format, RegisterCommand};
use crate::error::Result;
use crate::output;
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
