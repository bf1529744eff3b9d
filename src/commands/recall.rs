//! `stscalc recall --component ID=LOT | --lot LOT`: every lot made with a supplier's
//! component lot (or one of our own lots), its status and BUD, and the sessions given from it.

use std::path::Path;

use super::register::{open_existing, reg};
use crate::cli::{Format, RecallArgs};
use crate::error::{Error, Result};
use crate::output;
use crate::plan::text::count_text;
use crate::render;
use crate::request;

/// `stscalc recall`.
pub fn run(register: Option<&Path>, args: &RecallArgs) -> Result<()> {
    let component = args
        .component
        .as_deref()
        .map(request::register::recall_component)
        .transpose()?;
    let store = open_existing(register)?;
    let hits = match (&component, &args.lot) {
        (Some((id, lot)), _) => store.recall_component(id, lot).map_err(reg)?,
        (None, Some(lot)) => vec![store.recall_lot(lot.trim()).map_err(reg)?],
        (None, None) => Vec::new(),
    };
    let out = match args.format {
        Format::Json => render::json(&hits)?,
        Format::Text => {
            let value = serde_json::to_value(&hits).map_err(|e| Error::Refused(e.to_string()))?;
            let (lots, sessions) = crate::view::lot::recall(&value);
            let what = match (&component, &args.lot) {
                (Some((id, lot)), _) => format!("Recall of component {id} lot {lot}"),
                (None, lot) => format!("Recall of lot {}", lot.as_deref().unwrap_or_default()),
            };
            format!(
                "{what}: {}, {}\n\n{}\n{}",
                count_text(lots.rows.len() as u64, "lot", "lots"),
                count_text(sessions.rows.len() as u64, "session", "sessions"),
                render::lot::table_text("Lots", &lots),
                render::lot::table_text("Sessions given from them", &sessions)
            )
        }
    };
    output::emit(out.as_bytes(), None, false)
}
