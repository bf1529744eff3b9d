//! `stscalc supply`: a topical supply, the total to dispense and the containers to fill.

use super::parse_count;
use crate::cli::{Format, SupplyArgs};
use crate::error::{Error, Result};
use crate::formula::Catalog;
use crate::plan::supply::{self, Course, SupplyRequest, TopicalData};
use crate::render;

/// `stscalc supply`.
pub fn run(catalog: &Catalog, args: &SupplyArgs) -> Result<()> {
    let out = report(catalog, args)?;
    crate::output::emit(out.as_bytes(), args.output.as_deref(), args.force)
}

/// `stscalc supply`: the rendered supply.
fn report(catalog: &Catalog, args: &SupplyArgs) -> Result<String> {
    let entry = catalog.get(&args.id)?;
    let per_application = crate::request::parse::per_application(&args.per_application)?;
    let per_day = parse_count("--per-day", &args.per_day, "applications a day", 24)?;
    let course = match (&args.days, &args.months) {
        (Some(d), _) => Course::Days {
            days: parse_count("--days", d, "days", supply::HARD_MAX_DAYS)?,
        },
        (None, Some(m)) => Course::Months {
            months: parse_count("--months", m, "months", 120)?,
        },
        (None, None) => {
            return Err(Error::input(
                "--days",
                "the length of the course (`--days 30` or `--months 6`)",
                "nothing",
            ))
        }
    };
    let req = SupplyRequest {
        per_application,
        per_day,
        course,
        container: args.container.clone(),
    };
    let plan = supply::plan(entry, TopicalData::embedded(), &req)?;
    match args.format {
        Format::Text => Ok(render::dosing::supply(&plan)),
        Format::Json => render::json(&plan),
    }
}
