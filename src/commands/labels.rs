//! `stscalc labels`: container labels for a batch (from its options or its saved plan), and
//! `stscalc labels session`: one label per syringe of a session, laid out on a label stock.

use std::path::Path;

use super::batch::{plan_ointment, plan_solution};
use super::session::session_plan;
use crate::cli::{
    LabelSheetArgs, LabelsArgs, LabelsTarget, PaperArg, SessionLabelsArgs, SheetFormat,
};
use crate::error::Result;
use crate::formula::{Catalog, Preparation};
use crate::output;
use crate::render::html::Renderer;
use crate::request::batch::refuse_solution_options;
use crate::request::parse::facility;
use crate::request::session::refuse_series;
use crate::request::sheet::SheetFields;
use crate::view::labels::content::{self, Recipient};
use crate::view::labels::{self, LabelText, Stock};
use crate::view::trace::Traceability;

/// The label options shared by batch and session labels.
struct LabelRun<'a> {
    stock: Stock,
    copies: u32,
    skip: u32,
    outline: bool,
    format: SheetFormat,
    output: Option<&'a Path>,
    force: bool,
}

impl<'a> LabelRun<'a> {
    fn new(
        sheet: &LabelSheetArgs,
        paper: Option<PaperArg>,
        format: SheetFormat,
        output: Option<&'a Path>,
        force: bool,
        default_stock: &str,
    ) -> Result<Self> {
        // Containers on A4 paper get the A4 stock of the same size, not a Letter one refused.
        let default_stock = match paper {
            Some(PaperArg::A4) if default_stock == labels::DEFAULT_STOCK => {
                labels::DEFAULT_STOCK_A4
            }
            _ => default_stock,
        };
        let stock = labels::find_or(sheet.label_stock.as_deref(), default_stock)?;
        labels::check_paper(&stock, paper.map(PaperArg::as_str))?;
        let options = crate::request::labels::label_options(sheet)?;
        Ok(LabelRun {
            stock,
            copies: options.copies,
            skip: options.skip,
            outline: options.outline,
            format,
            output,
            force,
        })
    }

    /// Lays `texts` out and writes them in the asked format; `title` and `what` describe the
    /// run in the text preview. `warnings` go with the preview and the JSON, and to standard
    /// error for HTML and PDF (never onto the labels).
    fn print(
        &self,
        texts: &[LabelText],
        title: &str,
        what: (&str, u32),
        warnings: Vec<String>,
        templates: Option<&Path>,
    ) -> Result<()> {
        if matches!(self.format, SheetFormat::Html | SheetFormat::Pdf) {
            output::check(self.output, self.force)?;
        }
        let (bytes, warnings) = self.bytes(texts, title, what, warnings, templates)?;
        output::emit(&bytes, self.output, self.force)?;
        // Once the labels are written: a failed run prints its one error line only.
        output::warn(&warnings);
        Ok(())
    }

    /// The label sheet's bytes in the format asked for, and the warnings to show once they
    /// are delivered (for HTML and PDF; text and JSON carry them inside).
    fn bytes(
        &self,
        texts: &[LabelText],
        title: &str,
        what: (&str, u32),
        warnings: Vec<String>,
        templates: Option<&Path>,
    ) -> Result<(Vec<u8>, Vec<String>)> {
        let mut sheet = labels::lay_out(&self.stock, texts, self.skip, self.outline)?;
        sheet.warnings = warnings;
        Ok(match self.format {
            SheetFormat::Text => (
                super::text_bytes(&crate::render::labels::preview(
                    title,
                    what,
                    self.copies,
                    &sheet,
                )),
                Vec::new(),
            ),
            SheetFormat::Json => (super::text_bytes(&crate::render::json(&sheet)?), Vec::new()),
            SheetFormat::Html | SheetFormat::Pdf => {
                let html = Renderer::new(templates)?.render("labels.html", &sheet)?;
                let bytes = super::sheet_bytes(html, self.format == SheetFormat::Pdf)?;
                let warnings = sheet
                    .warnings
                    .iter()
                    .map(|w| crate::request::parse::with_flags(w))
                    .collect();
                (bytes, warnings)
            }
        })
    }
}

/// `stscalc labels`: container labels for a batch (or, with `session`, syringe labels for a
/// session), on a label stock.
pub fn run(catalog: &Catalog, args: &LabelsArgs, templates: Option<&Path>) -> Result<()> {
    if let Some(LabelsTarget::Session(s)) = &args.target {
        return session_labels(catalog, s, templates);
    }
    let saved = args
        .plan
        .as_deref()
        .map(crate::request::saved_plan::read_saved_plan)
        .transpose()?;
    batch_labels(catalog, args, saved, None, templates)
}

/// Container labels for the batch of `args`, from its saved plan `saved` when there is one;
/// `banner` (e.g. `NOT RELEASED`) is printed in bold first on every label.
pub(crate) fn batch_labels(
    catalog: &Catalog,
    args: &LabelsArgs,
    saved: Option<serde_json::Value>,
    banner: Option<&str>,
    templates: Option<&Path>,
) -> Result<()> {
    let b = &args.batch;
    let run = LabelRun::new(
        &args.sheet,
        b.print.paper,
        b.format,
        b.output.as_deref(),
        b.force,
        labels::DEFAULT_STOCK,
    )?;
    // The batch's request (options and --request file) gives the lot and the BUD printed: the
    // lot and the compounding date of the batch's record, never today's clock, so that labels
    // printed another day say what the record says.
    let (mut b, mut extras) = crate::request::file::load(b.clone())?;
    let keys = extras.keys();
    // An error about a value from the request file names the file's key, not the option.
    (|| -> Result<()> {
    let entry = catalog.get(crate::request::batch::formula_id(&b)?)?;
    let mut warnings = Vec::new();
    match &saved {
        Some(saved) => {
            crate::request::saved_plan::check_saved_formula(
                &crate::plan::ointment::FormulaRef::of(entry),
                saved,
            )?;
            crate::request::saved_plan::apply_saved_plan(&mut b, &mut extras, saved)?;
        }
        None => crate::request::batch::require_record_identity(&b, entry)?,
    }
    let b = &b;
    // The labels are the saved plan's, or worked out again from the options: say so.
    let check = |mine: serde_json::Value| match &saved {
        Some(saved) => crate::request::saved_plan::check_saved_batch(
            &crate::plan::ointment::FormulaRef::of(entry),
            &mine,
            saved,
        ),
        None => Ok(()),
    };
    let facility = facility(b.print.facility.as_deref())?;
    let d = crate::request::labels::dispensing(&args.dispensing)?;
    let dispensing = content::Dispensing {
        patient: d.patient,
        patient_id: d.patient_id,
        directions: d.directions,
        rx_number: d.rx_number,
        prescriber: d.prescriber,
    };
    let facility = (facility.as_deref(), &dispensing);
    let mut texts: Vec<LabelText> = Vec::new();
    let containers = match entry.formula.preparation {
        Preparation::Ointment => {
            refuse_solution_options(b)?;
            let plan = plan_ointment(entry, b, extras.components)?;
            check(crate::request::saved_plan::plan_json(&plan)?)?;
            crate::plan::record::check_record_lot(
                &entry.formula,
                crate::formula::Strength::Percent(plan.strength),
                plan.record.as_ref(),
            )?;
            warnings.extend(plan.record.iter().flat_map(|r| r.warnings.clone()));
            let trace = crate::view::trace::trace_of(plan.record.as_ref());
            let label = |purpose| content::ointment(entry, &plan, facility, &trace, purpose);
            texts.extend((0..plan.fill.count).map(|_| label("container")));
            texts.extend((0..run.copies).map(|_| label("record copy")));
            plan.fill.count
        }
        Preparation::Solution => {
            let plan = plan_solution(entry, b, extras.components)?;
            check(crate::request::saved_plan::plan_json(&plan)?)?;
            crate::plan::record::check_record_lot(
                &entry.formula,
                crate::formula::Strength::Concentration(plan.strength),
                plan.record.as_ref(),
            )?;
            warnings.extend(plan.record.iter().flat_map(|r| r.warnings.clone()));
            let trace = crate::view::trace::trace_of(plan.record.as_ref());
            let fill = &plan.fill;
            // Every vial holds its share and its residual but the last, which holds the rest.
            for k in 1..=fill.count {
                texts.push(content::solution(
                    entry,
                    &plan,
                    fill.holds_in(k),
                    facility,
                    &trace,
                    "container",
                ));
            }
            // The record's copy is the first vial's label.
            let copy = content::solution(
                entry,
                &plan,
                fill.holds_in(1),
                facility,
                &trace,
                "record copy",
            );
            texts.extend((0..run.copies).map(|_| copy.clone()));
            fill.count
        }
    };
    if saved.is_none() {
        warnings.push(
            "these labels are worked out again from the options given: check their lot, BUD and storage against the compounding record (`--plan` prints them from the batch's saved plan)"
                .to_string(),
        );
    }
    if let Some(banner) = banner {
        for t in &mut texts {
            t.lines
                .insert(0, crate::view::labels::LabelLine::strong(banner));
        }
    }
    let title = format!("Labels for {}", entry.formula.id);
    run.print(
        &texts,
        &title,
        ("container", containers),
        warnings,
        templates,
    )
    })()
    .map_err(|e| keys.name_keys(e))
}

/// `stscalc labels session`: one label per syringe of a checked session, plus `--copies` of
/// each for the record.
fn session_labels(
    catalog: &Catalog,
    args: &SessionLabelsArgs,
    templates: Option<&Path>,
) -> Result<()> {
    let s = &args.session;
    if matches!(s.format, SheetFormat::Html | SheetFormat::Pdf) {
        output::check(s.output.as_deref(), s.force)?;
    }
    let (bytes, warnings) = session_label_bytes(catalog, args, templates)?;
    output::emit(&bytes, s.output.as_deref(), s.force)?;
    output::warn(&warnings);
    Ok(())
}

/// The syringe labels of a session (`labels session`, and the web app's), and the warnings to
/// show with them.
pub(crate) fn session_label_bytes(
    catalog: &Catalog,
    args: &SessionLabelsArgs,
    templates: Option<&Path>,
) -> Result<(Vec<u8>, Vec<String>)> {
    let s = &crate::request::command_file::load_session(args.session.clone())?;
    let run = LabelRun::new(
        &args.sheet,
        s.sheet.paper,
        s.format,
        s.output.as_deref(),
        s.force,
        labels::SYRINGE_STOCK,
    )?;
    refuse_series(s, "labels")?;
    let fields = SheetFields::parse(&s.sheet, chrono::Local::now().naive_local())?;
    let (entry, plan) = session_plan(catalog, s)?;
    fields.check_lot(entry, &plan)?;
    let limit = fields.syringe_limit(entry)?;
    // The vial's lot and BUD: printed as the syringes' source, never as their own BUD.
    let vial = Traceability {
        lot: fields.lot.clone(),
        bud: fields.bud.clone(),
        ..Traceability::default()
    };
    let recipient = Recipient {
        patient: fields.patient.clone(),
        patient_id: fields.patient_id.clone(),
    };
    let mut texts = Vec::new();
    for purpose in std::iter::once("syringe").chain((0..run.copies).map(|_| "record copy")) {
        for fill in &plan.syringes {
            texts.push(content::syringe(
                entry,
                &plan,
                fill,
                &recipient,
                fields.facility.as_deref(),
                &vial,
                &limit,
                purpose,
            ));
        }
    }
    let title = format!("Syringe labels for a session of {}", entry.formula.id);
    run.bytes(
        &texts,
        &title,
        ("syringe", plan.syringes.len() as u32),
        Vec::new(),
        templates,
    )
}
