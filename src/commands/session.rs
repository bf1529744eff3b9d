//! `stscalc session`: an intralesional session checked (and its series planned) as text or
//! JSON, or printed as the session sheet (HTML or PDF). [`session_plan`] and `SheetFields`
//! serve the syringe labels (`stscalc labels session`) too.

use std::path::Path;

use super::register::{open_existing, reg};
use crate::cli::{SessionArgs, SheetFormat};
use crate::error::{Error, Result};
use crate::formula::{Catalog, Entry};
use crate::output;
use crate::plan::series::{self, SeriesRequest};
use crate::plan::session::{self};
use crate::plan::solution::{solution_spec, BatchSizing};
use crate::plan::syringe::SyringeTable;
use crate::register;
use crate::render;
use crate::render::html::Renderer;
use crate::request::session::{refuse_series, session_request};
use crate::request::sheet::{refuse_sheet_options, refuse_sheet_options_but, SheetFields};
use crate::view::labels::content;
use crate::view::session_sheet::SessionSheet;

/// `stscalc session`: the check as text or JSON, or the session sheet with `--format html|pdf`.
///
/// With `--record`, the session's doses are stored in the register (`register`) against its
/// lot once everything is checked and printed to memory, and written out after.
pub fn run(
    catalog: &Catalog,
    args: &SessionArgs,
    templates: Option<&Path>,
    register: Option<&Path>,
) -> Result<()> {
    let args = &crate::request::command_file::load_session(args.clone())?;
    let record = crate::request::register::session_to_record(args)?;
    let out = if matches!(args.format, SheetFormat::Html | SheetFormat::Pdf) {
        sheet(catalog, args, templates)?
    } else {
        match record {
            Some(_) => refuse_sheet_options_but(args, crate::request::register::RECORDED_OPTIONS)?,
            None => refuse_sheet_options(args)?,
        }
        output::check(args.output.as_deref(), args.force)?;
        super::text_bytes(&report(catalog, args)?)
    };
    if let Some(r) = &record {
        let (entry, plan) = session_plan(catalog, args)?;
        record_session(register, r, entry, &plan)?;
    }
    output::emit(&out, args.output.as_deref(), args.force)
}

/// `stscalc session` as text or JSON: the rendered check (and series). The printed sheet
/// (`--format html|pdf`) is [`sheet`]'s.
pub(crate) fn report(catalog: &Catalog, args: &SessionArgs) -> Result<String> {
    let (_, plan) = session_plan(catalog, args)?;
    match args.format {
        SheetFormat::Json => render::json(&plan),
        _ => Ok(render::dosing::session(&plan)),
    }
}

/// Checks the session the options describe (and plans its series when asked): the formula
/// whose policy applies and the plan.
pub fn session_plan<'c>(
    catalog: &'c Catalog,
    args: &SessionArgs,
) -> Result<(&'c Entry, session::SessionPlan)> {
    let entry = catalog.get(args.formula_id())?;
    let formula = &entry.formula;
    // A solution formula only: the session's batch is a solution batch.
    solution_spec(formula)?;
    let dosing = session::dosing_spec(entry)?;
    let (req, series_options) = session_request(args, formula, dosing)?;
    let mut plan = session::plan(entry, SyringeTable::embedded(), &req)?;
    if let Some(o) = series_options {
        let sr = SeriesRequest {
            sessions: o.sessions,
            every: o.every,
            start: o.start,
            bud: o.bud,
            method: o.method,
            // A strength the method cannot make is a warning of the session, not an error.
            sizing: BatchSizing::new(formula, plan.formula_basis_concentration, o.method)
                .ok()
                .map(|b| b.with_vial_residual(req.vial_residual)),
            override_reason: plan.override_reason.clone(),
            container: solution_spec(formula)?.container(None)?.volume,
            vial_residual: req.vial_residual,
        };
        let planned = series::plan(&(&plan).into(), dosing, &sr)?;
        // The override line names the series' interval too, once it is known.
        plan.override_text = session::override_text(
            &plan.exceeded,
            planned.overridden.as_deref(),
            plan.override_reason.as_deref(),
        );
        plan.series = Some(planned);
    }
    Ok((entry, plan))
}

/// `stscalc session --format html|pdf`: the session sheet filled from the checked session.
pub(crate) fn sheet(
    catalog: &Catalog,
    args: &SessionArgs,
    templates: Option<&Path>,
) -> Result<Vec<u8>> {
    output::check(args.output.as_deref(), args.force)?;
    refuse_series(args, "sheet")?;
    let fields = SheetFields::parse(&args.sheet, chrono::Local::now().naive_local())?;
    let (entry, plan) = session_plan(catalog, args)?;
    fields.check_lot(entry, &plan)?;
    let limit = fields.syringe_limit(entry)?;
    let mut sheet = SessionSheet::from_plan(entry, &plan, super::paper(args.sheet.paper));
    sheet.drawn_up = Some(content::drawn_up_sentence(&limit));
    sheet.patient = fields.patient;
    sheet.patient_id = fields.patient_id;
    sheet.prescriber = fields.prescriber;
    sheet.facility = fields.facility;
    sheet.session = fields.session;
    sheet.date = fields.date;
    sheet.lot = fields.lot;
    sheet.bud = fields.bud;
    sheet.set_page_header();
    let html = Renderer::new(templates)?.render("session-sheet.html", &sheet)?;
    super::sheet_bytes(html, args.format == SheetFormat::Pdf)
}

/// `stscalc session --record`: the session's doses stored against its lot, which must be a
/// released lot of the session's formula, on a date from its compounding date to its BUD.
fn record_session(
    register: Option<&Path>,
    r: &crate::request::register::SessionToRecord,
    entry: &Entry,
    plan: &crate::plan::session::SessionPlan,
) -> Result<()> {
    let mut store = open_existing(register)?;
    let detail = store.lot(&r.lot).map_err(reg)?;
    if detail.summary.formula_id != entry.formula.id {
        return Err(Error::input(
            "--lot",
            format!("a lot of formula `{}` (the session's)", entry.formula.id),
            format!(
                "`{}`, a lot of `{}`",
                detail.summary.lot, detail.summary.formula_id
            ),
        ));
    }
    store
        .record_session(&register::SessionRecord {
            lot: detail.summary.lot,
            patient_id: r.patient_id.clone(),
            date: r.date,
            doses_json: crate::request::parse::with_flags(&render::json(plan)?),
            by: r.by.clone(),
        })
        .map_err(reg)?;
    Ok(())
}
