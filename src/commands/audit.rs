//! `stscalc audit [--lot LOT]` lists the register's audit events; `stscalc audit verify
//! [--head HASH]` recomputes the hash chain and prints its head (exit 1 naming the first event
//! that differs).

use std::path::Path;

use super::register::{open_existing, reg};
use crate::cli::{AuditAction, AuditArgs, Format};
use crate::error::{Error, Result};
use crate::output;
use crate::render;

/// `stscalc audit`.
pub fn run(register: Option<&Path>, args: AuditArgs) -> Result<()> {
    match args.action {
        Some(AuditAction::Verify { head, format }) => verify(register, head.as_deref(), format),
        None => list(register, args.lot.as_deref(), args.format),
    }
}

fn list(register: Option<&Path>, lot: Option<&str>, format: Format) -> Result<()> {
    let store = open_existing(register)?;
    let events = store.audit(lot.map(str::trim)).map_err(reg)?;
    let out = match format {
        Format::Json => render::json(&events)?,
        Format::Text => {
            let value = serde_json::to_value(&events).map_err(|e| Error::Refused(e.to_string()))?;
            render::lot::table_text("Audit events", &crate::view::lot::events(&value))
        }
    };
    output::emit(out.as_bytes(), None, false)
}

fn verify(register: Option<&Path>, head: Option<&str>, format: Format) -> Result<()> {
    let store = open_existing(register)?;
    let h = store.verify_audit(head.map(str::trim)).map_err(reg)?;
    let out = match format {
        Format::Json => render::json(&h)?,
        Format::Text => format!(
            "audit trail verified: {} events, head {}\n",
            h.events, h.head
        ),
    };
    output::emit(out.as_bytes(), None, false)
}
