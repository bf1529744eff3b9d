//! `stscalc supply`: a topical supply, the total to dispense and the containers to fill.

use crate::cli::{Format, SupplyArgs};
use crate::error::Result;
use crate::formula::Catalog;
use crate::plan::supply::{self, TopicalData};
use crate::render;

/// `stscalc supply`.
pub fn run(catalog: &Catalog, args: &SupplyArgs) -> Result<()> {
    let out = report(catalog, args)?;
    super::emit(&out, args.output.as_deref(), args.force)
}

/// `stscalc supply`: the rendered supply.
fn report(catalog: &Catalog, args: &SupplyArgs) -> Result<String> {
    let entry = catalog.get(&args.id)?;
    let req = crate::request::supply::supply_request(args)?;
    let plan = supply::plan(entry, TopicalData::embedded(), &req)?;
    match args.format {
        Format::Text => Ok(render::dosing::supply(&plan)),
        Format::Json => render::json(&plan),
    }
}
