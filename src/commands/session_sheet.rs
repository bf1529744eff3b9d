//! `stscalc session-sheet`: a blank session sheet, to fill in by hand.

use std::path::Path;

use crate::bud::DrawnUp;
use crate::cli::{PrintFormat, SessionSheetArgs};
use crate::error::Result;
use crate::formula::Catalog;
use crate::output;
use crate::render::html::Renderer;
use crate::view::labels::content;
use crate::view::session_sheet::SessionSheet;

/// `stscalc session-sheet`: the clinician's sheet, blank rows to fill in by hand, with the
/// dosing policy of the formula (`--formula`) it already knows.
pub fn run(catalog: &Catalog, args: &SessionSheetArgs, templates: Option<&Path>) -> Result<()> {
    let req = crate::request::sheet::blank_sheet_request(args)?;
    let entry = catalog.get(&args.formula)?;
    let dosing = crate::plan::session::dosing_spec(entry)?;
    let mut sheet =
        SessionSheet::blank(req.rows, super::paper(args.paper)).with_policy(entry, dosing);
    sheet.patient = req.patient;
    sheet.patient_id = req.patient_id;
    sheet.prescriber = req.prescriber;
    sheet.facility = req.facility;
    sheet.session = req.session;
    sheet.date = req.date;
    // Filled in by hand: where the syringes are drawn up decides how long they may be used;
    // the blank sheet prints the default (immediate use) with its blanks.
    let limit = crate::bud::syringe_limit(
        crate::bud::Rules::embedded(),
        DrawnUp::ImmediateUse,
        crate::bud::Storage::Room,
        None,
        None,
    )?;
    sheet.drawn_up = Some(content::drawn_up_sentence(&limit));
    sheet.set_page_header();
    match args.format {
        PrintFormat::Json => output::emit(
            crate::render::json(&sheet)?.as_bytes(),
            args.output.as_deref(),
            args.force,
        ),
        PrintFormat::Html | PrintFormat::Pdf => {
            output::check(args.output.as_deref(), args.force)?;
            let html = Renderer::new(templates)?.render("session-sheet.html", &sheet)?;
            super::deliver(
                html,
                args.format == PrintFormat::Pdf,
                args.output.as_deref(),
                args.force,
            )
        }
    }
}
