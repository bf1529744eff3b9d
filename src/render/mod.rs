//! Rendering: plans in, text out. Renderers never calculate; every number they show was
//! formatted by [`crate::quantity::format_quantity`] (directly or through a quantity's
//! `Display`). They return `String`; [`crate::output`] is the one place that writes files.

pub mod dosing;
pub mod html;
pub mod labels;
pub mod lot;
pub mod pdf;
pub mod record;
pub mod table;
pub mod text;
pub mod verify;

use serde::Serialize;

use crate::error::{Error, Result};

/// Serializes any plan as pretty JSON (the stable machine format).
pub fn json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string_pretty(value)
        .map(|mut s| {
            s.push('\n');
            s
        })
        .map_err(|e| Error::Refused(format!("cannot write JSON: {e}")))
}
