//! `stscalc verify`: a batch checked from the weights actually measured, as text, JSON or the
//! compounding record with its actual-weight column filled. Exits 1 when the batch fails.

use std::path::Path;

use super::batch::{plan_ointment, record_sheet};
use crate::cli::{BatchArgs, SheetFormat, VerifyArgs};
use crate::error::{Error, Result};
use crate::formula::{Catalog, Entry, Preparation};
use crate::plan::verify;
use crate::render;
use crate::request;
use crate::view::record::RecordView;

/// `stscalc verify`.
pub fn run(catalog: &Catalog, args: VerifyArgs, templates: Option<&Path>) -> Result<()> {
    let (mut batch, mut extras) = request::file::load(args.batch)?;
    let entry = catalog.get(request::batch::formula_id(&batch)?)?;
    // A saved plan gives every input the options leave out; one given against it is refused.
    let saved = args
        .plan
        .as_deref()
        .map(request::saved_plan::read_saved_plan)
        .transpose()?;
    if let Some(saved) = &saved {
        crate::request::saved_plan::check_saved_formula(
            &crate::plan::ointment::FormulaRef::of(entry),
            saved,
        )?;
        request::saved_plan::apply_saved_plan(&mut batch, &mut extras, saved)?;
    }
    if entry.formula.preparation == Preparation::Solution {
        // Said before the measured amounts are read, so a volume is not first refused as
        // "not a mass" for a formula that cannot be verified at all.
        return Err(Error::Refused(format!(
            "`stscalc verify` checks batches made up by weight (ointments); formula `{}` is a solution, whose measured volumes it does not verify yet",
            entry.formula.id
        )));
    }
    let actuals = request::batch::actuals(extras.actual, &args.actual)?;
    let additions = request::batch::additions(extras.additions, &args.addition)?;
    let plan = plan_ointment(entry, &batch, extras.components)?;
    if let Some(saved) = &saved {
        crate::request::saved_plan::check_saved_plan(&plan, saved)?;
    }
    let v = verify::verify(
        &plan,
        &entry.formula.tolerance(),
        &entry.formula.rescue(),
        &actuals,
        &additions,
    )?;
    match batch.format {
        SheetFormat::Text => super::emit(
            &render::verify::text(&v),
            batch.output.as_deref(),
            batch.force,
        )?,
        SheetFormat::Json => super::emit(&render::json(&v)?, batch.output.as_deref(), batch.force)?,
        // The compounding record, its actual-weight column filled, with the result.
        SheetFormat::Html | SheetFormat::Pdf => verified_record(entry, &v, &batch, templates)?,
    }
    // The full report is out; the exit code tells a pharmacy system the batch failed.
    if let Some(r) = &v.rejection {
        return Err(Error::Refused(format!(
            "verification: REJECT, discard the batch and make it again: {}, with additions (made and needed) of {} of the batch first weighed, past the rescue limit {}",
            v.of_label, r.share_text, v.rescue.max_addition
        )));
    }
    if !v.pass {
        return Err(Error::Refused(format!(
            "verification failed: {} of label is outside the tolerance {} to {} of label: do not release it unless corrected and verified again",
            v.of_label, v.tolerance.low, v.tolerance.high
        )));
    }
    Ok(())
}

/// `stscalc verify --format html|pdf`: the compounding record of a batch verified from its
/// measured weights, with the result and the correction (and no label when it failed).
fn verified_record(
    entry: &Entry,
    v: &crate::plan::verify::Verification,
    args: &BatchArgs,
    templates: Option<&Path>,
) -> Result<()> {
    record_sheet(args, templates, |facility, paper| {
        RecordView::verified(entry, v, facility, paper)
    })
}
