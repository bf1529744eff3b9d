//! `stscalc verify`: a batch checked from the weights actually measured, as text, JSON or the
//! compounding record with its actual-weight column filled. Exits 1 when the batch fails.

use std::path::Path;

use super::batch::{plan_ointment, record_sheet_bytes};
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
    // Said before the measured amounts are read, so a volume is not first refused as
    // "not a mass" for a formula that cannot be verified at all.
    refuse_solution(entry)?;
    let v = verification(
        entry,
        &batch,
        extras,
        &args.actual,
        &args.addition,
        saved.as_ref(),
    )?;
    let out = printed(entry, &v, &batch, templates)?;
    crate::output::emit(&out, batch.output.as_deref(), batch.force)?;
    // The full report is out; the exit code tells a pharmacy system the batch failed.
    outcome(&v)
}

/// Plans the batch of `batch` and verifies it from the weights measured (`actual`, in the
/// request file or the options) and the additions of a correction; refused when a saved plan
/// is given and the batch worked out again differs from it.
pub(crate) fn verification(
    entry: &Entry,
    batch: &BatchArgs,
    extras: crate::request::file::Extras,
    actual: &[String],
    addition: &[String],
    saved: Option<&serde_json::Value>,
) -> Result<verify::Verification> {
    let actuals = request::batch::actuals(extras.actual, actual)?;
    let additions = request::batch::additions(extras.additions, addition)?;
    let plan = plan_ointment(entry, batch, extras.components)?;
    if let Some(saved) = saved {
        crate::request::saved_plan::check_saved_plan(&plan, saved)?;
    }
    verify::verify(
        &plan,
        &entry.formula.tolerance(),
        &entry.formula.rescue(),
        &actuals,
        &additions,
    )
}

/// Refuses to verify a solution: only batches made up by weight are verified.
pub(crate) fn refuse_solution(entry: &Entry) -> Result<()> {
    if entry.formula.preparation == Preparation::Solution {
        return Err(Error::Refused(format!(
            "`stscalc verify` checks batches made up by weight (ointments); formula `{}` is a solution, whose measured volumes it does not verify yet",
            entry.formula.id
        )));
    }
    Ok(())
}

/// What `verify` prints, in the format asked for.
pub(crate) fn printed(
    entry: &Entry,
    v: &verify::Verification,
    batch: &BatchArgs,
    templates: Option<&Path>,
) -> Result<Vec<u8>> {
    Ok(match batch.format {
        SheetFormat::Text => super::text_bytes(&render::verify::text(v)),
        SheetFormat::Json => super::text_bytes(&render::json(v)?),
        // The compounding record, its actual-weight column filled, with the result.
        SheetFormat::Html | SheetFormat::Pdf => {
            record_sheet_bytes(batch, templates, |facility, paper| {
                RecordView::verified(entry, v, facility, paper)
            })?
        }
    })
}

/// The exit status of a verification: an error (exit 1) when the batch failed or must be
/// made again.
pub(crate) fn outcome(v: &verify::Verification) -> Result<()> {
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
