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
    let (args, mut extras) = request::file::load(args)?;
    let components = std::mem::take(&mut extras.components);
    // An error about a value from the request file names the file's key, not the option.
    (|| {
        let entry = catalog.get(request::batch::formula_id(&args)?)?;
        let planned = plan(entry, &args, components)?;
        let out = printed(entry, &planned, &args, templates)?;
        crate::output::emit(&out, args.output.as_deref(), args.force)
    })()
    .map_err(|e| extras.name_keys(e))
}

/// A batch planned with its record: an ointment or a solution.
#[derive(Debug, Clone)]
pub(crate) enum Planned {
    /// An ointment (by weight).
    Ointment(Box<OintmentPlan>),
    /// A solution (by volume).
    Solution(Box<SolutionPlan>),
}

impl Planned {
    /// The record attached by [`plan`].
    pub(crate) fn record(&self) -> Option<&record::BatchRecord> {
        match self {
            Planned::Ointment(p) => p.record.as_ref(),
            Planned::Solution(p) => p.record.as_ref(),
        }
    }

    /// The plan as `batch --format json` prints it.
    pub(crate) fn json(&self) -> Result<String> {
        match self {
            Planned::Ointment(p) => render::json(p),
            Planned::Solution(p) => render::json(p),
        }
    }
}

/// Plans the batch of `args` (ointment or solution, refusing the other's options) with its
/// record.
pub(crate) fn plan(
    entry: &Entry,
    args: &BatchArgs,
    components: Vec<crate::plan::record::ComponentLotInput>,
) -> Result<Planned> {
    Ok(match entry.formula.preparation {
        Preparation::Ointment => {
            refuse_solution_options(args)?;
            Planned::Ointment(Box::new(plan_ointment(entry, args, components)?))
        }
        Preparation::Solution => {
            crate::request::batch::refuse_capacity(args)?;
            Planned::Solution(Box::new(plan_solution(entry, args, components)?))
        }
    })
}

/// The bytes `batch` prints for a planned batch, in the format asked for: text, JSON, or the
/// compounding record as HTML or PDF.
pub(crate) fn printed(
    entry: &Entry,
    planned: &Planned,
    args: &BatchArgs,
    templates: Option<&Path>,
) -> Result<Vec<u8>> {
    let text = match (planned, args.format) {
        (Planned::Ointment(p), SheetFormat::Text) => render::text::ointment(p),
        (Planned::Solution(p), SheetFormat::Text) => render::dosing::solution(p),
        (_, SheetFormat::Json) => planned.json()?,
        (Planned::Ointment(p), SheetFormat::Html | SheetFormat::Pdf) => {
            return record_sheet_bytes(args, templates, |facility, paper| {
                RecordView::ointment(entry, p, facility, paper)
            })
        }
        (Planned::Solution(p), SheetFormat::Html | SheetFormat::Pdf) => {
            return record_sheet_bytes(args, templates, |facility, paper| {
                RecordView::solution(entry, p, facility, paper)
            })
        }
    };
    Ok(super::text_bytes(&text))
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

/// The compounding record as HTML or PDF bytes (the output path checked first, before any
/// slow work).
pub(crate) fn record_sheet_bytes<'a>(
    args: &BatchArgs,
    templates: Option<&Path>,
    view: impl FnOnce(Option<String>, Paper) -> Result<RecordView<'a>>,
) -> Result<Vec<u8>> {
    output::check(args.output.as_deref(), args.force)?;
    let facility = facility(args.print.facility.as_deref())?;
    let paper = super::paper(args.print.paper);
    let renderer = Renderer::new(templates)?;
    let html = renderer.render("record.html", &view(facility, paper)?)?;
    super::sheet_bytes(html, args.format == SheetFormat::Pdf)
}
