//! `stscalc formulas` and `stscalc show ID`: the catalog and one master formulation record.

use crate::cli::{Format, ShowFormat};
use crate::error::Result;
use crate::formula::Catalog;
use crate::render;

/// `stscalc formulas`: every formula and where it came from.
pub fn list(catalog: &Catalog, format: Format) -> Result<()> {
    let out = match format {
        Format::Text => render::text::formulas(catalog),
        Format::Json => render::json(&catalog.entries().collect::<Vec<_>>())?,
    };
    crate::output::emit(out.as_bytes(), None, false)
}

/// `stscalc show ID`: the formula file as written, or as JSON.
pub fn show(catalog: &Catalog, id: &str, format: ShowFormat) -> Result<()> {
    let entry = catalog.get(id)?;
    let out = match format {
        ShowFormat::Toml => entry.text.clone(),
        ShowFormat::Json => render::json(entry)?,
    };
    crate::output::emit(out.as_bytes(), None, false)
}
