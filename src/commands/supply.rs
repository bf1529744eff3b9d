//! `stscalc supply`: a topical supply, the total to dispense and the containers to fill.

use crate::cli::{Format, SupplyArgs};
use crate::error::Result;
use crate::formula::Catalog;
use crate::plan::supply::{self, TopicalData};
use crate::render;

/// `stscalc supply`.
pub fn run(catalog: &Catalog, args: &SupplyArgs) -> Result<()> {
    let args = crate::request::command_file::load_supply(args.clone())?;
    let out = report(catalog, &args)?;
    super::emit(&out, args.output.as_deref(), args.force)
}

/// `stscalc supply`: the rendered supply (the web API's answer too).
pub(crate) fn report(catalog: &Catalog, args: &SupplyArgs) -> Result<String> {
    let id = args.id.as_deref().ok_or_else(|| {
        crate::error::Error::input(
            "formula",
            "a formula id as the first argument (e.g. `sts-25-petrolatum`) or `formula` in the --request file",
            "nothing",
        )
    })?;
    let entry = catalog.get(id)?;
    let req = crate::request::supply::supply_request(args)?;
    let plan = supply::plan(entry, TopicalData::embedded(), &req)?;
    match args.format {
        Format::Text => Ok(render::dosing::supply(&plan)),
        Format::Json => render::json(&plan),
    }
}
