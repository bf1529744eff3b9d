//! `stscalc batch`: an ointment or a solution batch, as text, JSON or its compounding record
//! (HTML or PDF). The batch options are read into a request here; [`plan_ointment`] and
//! [`plan_solution`] (which `verify` and `labels` share) plan the batch and attach its record.

use std::path::Path;

use crate::cli::{BatchArgs, SheetFormat};
use crate::error::Result;
use crate::formula::{Catalog, Entry, Preparation};
use crate::output;
use crate::plan::ointment::{self, OintmentPlan};
use crate::plan::record;
use crate::plan::solution::SolutionPlan;
use crate::render;
use crate::render::html::Renderer;
use crate::request;
use crate::request::batch::{ointment_request, refuse_solution_options, solution_request};
use crate::request::parse::facility;
use crate::view::paper::Paper;
use crate::view::record::RecordView;

/// `stscalc batch`.
pub fn run(catalog: &Catalog, args: BatchArgs, templates: Option<&Path>) -> Result<()> {
    let (args, extras) = request::file::load(args)?;
    let entry = catalog.get(request::batch::formula_id(&args)?)?;
    let out = match entry.formula.preparation {
        Preparation::Ointment => {
            refuse_solution_options(&args)?;
            let plan = plan_ointment(entry, &args, extras.components)?;
            match args.format {
                SheetFormat::Text => render::text::ointment(&plan),
                SheetFormat::Json => render::json(&plan)?,
                SheetFormat::Html | SheetFormat::Pdf => {
                    return record_sheet_ointment(entry, &plan, &args, templates)
                }
            }
        }
        Preparation::Solution => {
            crate::request::batch::refuse_capacity(&args)?;
            let plan = plan_solution(entry, &args, extras.components)?;
            match args.format {
                SheetFormat::Text => render::dosing::solution(&plan),
                SheetFormat::Json => render::json(&plan)?,
                SheetFormat::Html | SheetFormat::Pdf => {
                    return record_sheet_solution(entry, &plan, &args, templates)
                }
            }
        }
    };
    super::emit(&out, args.output.as_deref(), args.force)
}

/// Plans a solution batch and adds its record (lot, components, BUD for the method used).
pub fn plan_solution(
    entry: &crate::formula::Entry,
    args: &BatchArgs,
    components: Vec<crate::plan::record::ComponentLotInput>,
) -> Result<crate::plan::solution::SolutionPlan> {
    let req = solution_request(args)?;
    let mut plan = crate::plan::solution::plan(entry, &req)?;
    let now = chrono::Local::now().naive_local();
    let method = crate::plan::solution::bud_method(&entry.formula, plan.method);
    let mut record_req = request::batch::record_request(
        &args.record,
        args.print.facility.as_deref(),
        method,
        components,
        now,
    )?;
    record_req.strength = Some(crate::formula::Strength::Concentration(plan.strength));
    let known = crate::plan::solution::solution_components(&entry.formula, &plan);
    plan.attach_record(
        &entry.formula,
        record::record_for(&entry.formula, &known, &record_req)?,
    )?;
    Ok(plan)
}

/// Plans an ointment batch and adds its record (lot, components, BUD).
pub fn plan_ointment(
    entry: &crate::formula::Entry,
    args: &BatchArgs,
    components: Vec<crate::plan::record::ComponentLotInput>,
) -> Result<ointment::OintmentPlan> {
    let req = ointment_request(args)?;
    let mut plan = ointment::plan(entry, &req)?;
    let now = chrono::Local::now().naive_local();
    let mut record_req = request::batch::record_request(
        &args.record,
        args.print.facility.as_deref(),
        args.method.clone(),
        components,
        now,
    )?;
    record_req.strength = Some(crate::formula::Strength::Percent(plan.strength));
    plan.attach_record(record::record(&entry.formula, &record_req)?);
    Ok(plan)
}

/// `stscalc batch --format html|pdf`: the compounding record of an ointment batch.
fn record_sheet_ointment(
    entry: &Entry,
    plan: &OintmentPlan,
    args: &BatchArgs,
    templates: Option<&Path>,
) -> Result<()> {
    record_sheet(args, templates, |facility, paper| {
        RecordView::ointment(entry, plan, facility, paper)
    })
}

/// `stscalc batch --format html|pdf` of a solution: its compounding record.
fn record_sheet_solution(
    entry: &Entry,
    plan: &SolutionPlan,
    args: &BatchArgs,
    templates: Option<&Path>,
) -> Result<()> {
    record_sheet(args, templates, |facility, paper| {
        RecordView::solution(entry, plan, facility, paper)
    })
}

/// Renders a compounding record from the view `view` builds for the facility and paper, and
/// writes it as HTML or PDF. The output path is checked first, before any slow work.
pub(crate) fn record_sheet<'a>(
    args: &BatchArgs,
    templates: Option<&Path>,
    view: impl FnOnce(Option<String>, Paper) -> Result<RecordView<'a>>,
) -> Result<()> {
    output::check(args.output.as_deref(), args.force)?;
    let facility = facility(args.print.facility.as_deref())?;
    let paper = super::paper(args.print.paper);
    let renderer = Renderer::new(templates)?;
    let html = renderer.render("record.html", &view(facility, paper)?)?;
    super::deliver(
        html,
        args.format == SheetFormat::Pdf,
        args.output.as_deref(),
        args.force,
    )
}
