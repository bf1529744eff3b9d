//! `stscalc verify`: a batch checked from the weights actually measured, as text, JSON or the
//! compounding record with its actual-weight column filled. Exits 1 when the batch fails.

use std::path::Path;

use super::batch::{plan_ointment, record_sheet_bytes};
use crate::cli::{BatchArgs, SheetFormat, VerifyArgs};
use crate::error::{Error, Result};
use crate::formula::{Catalog, Entry, Preparation};
use crate::plan::{verify, verify_solution};
use crate::render;
use crate::request;
use crate::view::record::RecordView;

/// `stscalc verify`.
pub fn run(catalog: &Catalog, args: VerifyArgs, templates: Option<&Path>) -> Result<()> {
    let (mut batch, mut extras) = request::file::load(args.batch)?;
    let keys = extras.keys();
    // An error about a value from the request file names the file's key, not the option.
    (|| -> Result<()> {
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
            let measured = Measured {
                actual: &args.actual,
                addition: &args.addition,
                final_volume: args.final_volume.as_deref(),
            };
            return verify_solution(entry, &batch, extras, measured, templates);
        }
        if let Some(v) = &args.final_volume {
            return Err(Error::input(
                "--final-volume",
                "nothing for a batch made up by weight (it is for a solution made up to volume)",
                format!("`{v}`"),
            ));
        }
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
        outcome(&v, Next::Correct)
    })()
    .map_err(|e| keys.name_keys(e))
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

/// Verifies a solution batch from the powder weighed and the volume made up to, or the stock
/// and diluent volumes measured; prints it and exits 1 when it fails.
/// Refuses to verify a solution from a request document alone (the web API): its measured
/// volumes are given on the command line (`--actual`, `--final-volume`), and a request file's
/// `actual` table holds weights only.
pub(crate) fn refuse_solution(entry: &Entry) -> Result<()> {
    if entry.formula.preparation == Preparation::Solution {
        return Err(Error::Refused(format!(
            "formula `{}` is a solution: verify it with `stscalc verify` and the volumes measured (`--actual`, `--final-volume`); a request document's `actual` table holds weights only",
            entry.formula.id
        )));
    }
    Ok(())
}

/// What `verify` was told was measured.
pub(crate) struct Measured<'a> {
    pub(crate) actual: &'a [String],
    pub(crate) addition: &'a [String],
    pub(crate) final_volume: Option<&'a str>,
}

/// A saved plan's formula was checked, and its inputs applied to `batch`, by [`run`].
fn verify_solution(
    entry: &Entry,
    batch: &BatchArgs,
    extras: crate::request::file::Extras,
    args: Measured<'_>,
    templates: Option<&Path>,
) -> Result<()> {
    let v = solution_verification(entry, batch, extras, args, None)?;
    let out = solution_printed(entry, &v, batch, templates)?;
    crate::output::emit(&out, batch.output.as_deref(), batch.force)?;
    solution_outcome(&v, Next::Correct)
}

/// Plans the solution batch of `batch` and verifies it from what was measured; refused when
/// a stored plan is given (`lot verify`) and the batch worked out again differs from it.
pub(crate) fn solution_verification(
    entry: &Entry,
    batch: &BatchArgs,
    extras: crate::request::file::Extras,
    args: Measured<'_>,
    stored: Option<(&str, &serde_json::Value)>,
) -> Result<verify_solution::SolutionVerification> {
    if !extras.actual.is_empty() || !args.addition.is_empty() || !extras.additions.is_empty() {
        return Err(Error::input(
            "--addition",
            "nothing for a solution: give what was measured with --actual (and --final-volume), and after a correction verify again with the volumes measured in all",
            "additions or a request file's `actual` table",
        ));
    }
    let measured = request::batch::measurements(args.actual)?;
    let final_volume = args
        .final_volume
        .map(|v| crate::quantity::parse_positive::<crate::quantity::Volume>("--final-volume", v))
        .transpose()?;
    let plan = super::batch::plan_solution(entry, batch, extras.components)?;
    if let Some((lot, stored)) = stored {
        // The lot is verified against the batch the register issued: worked out again with
        // today's data files it must come out the same, or the record would not be the one
        // that was followed at the bench.
        let again: serde_json::Value = serde_json::from_str(&render::json(&plan)?)
            .map_err(|e| Error::Refused(e.to_string()))?;
        if &again != stored {
            return Err(Error::Refused(format!(
                "lot `{lot}`: its batch, worked out again from the stored request, differs from the plan stored when it was issued (the formula or data files changed): verify it by hand against its printed record"
            )));
        }
    }
    verify_solution::verify(&entry.formula, &plan, &measured, final_volume)
}

/// What `verify` prints for a solution, in the format asked for.
pub(crate) fn solution_printed(
    entry: &Entry,
    v: &verify_solution::SolutionVerification,
    batch: &BatchArgs,
    templates: Option<&Path>,
) -> Result<Vec<u8>> {
    Ok(match batch.format {
        SheetFormat::Text => super::text_bytes(&render::verify::solution_text(v)),
        SheetFormat::Json => super::text_bytes(&render::json(v)?),
        SheetFormat::Html | SheetFormat::Pdf => {
            record_sheet_bytes(batch, templates, |facility, paper| {
                RecordView::verified_solution(entry, v, facility, paper)
            })?
        }
    })
}

/// The exit status of a solution's verification: an error (exit 1) when it failed or must be
/// made again.
pub(crate) fn solution_outcome(
    v: &verify_solution::SolutionVerification,
    next: Next<'_>,
) -> Result<()> {
    match v.result.as_str() {
        "reject" => Err(next.after(
            format!(
                "verification: REJECT, discard the batch and make it again: {} of the target; {}",
                v.of_target,
                v.rejection.as_deref().unwrap_or_default()
            ),
            true,
        )),
        "fail" => Err(next.after(
            format!(
                "verification failed: {} of the target is outside the tolerance {} to {}",
                v.of_target, v.tolerance.low, v.tolerance.high
            ),
            false,
        )),
        _ => Ok(()),
    }
}

/// What a failed verification tells the pharmacist to do next.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Next<'a> {
    /// `verify`: correct the batch and verify it again (a rejected one is made again).
    Correct,
    /// `lot verify`: the register verifies a lot once, so the lot recorded as failed can only
    /// be rejected; a batch that may need a correction is checked with `verify` first.
    Registered(&'a str),
}

impl Next<'_> {
    /// The refusal: what failed (`said`), then what to do next.
    fn after(self, said: String, rejected: bool) -> Error {
        Error::Refused(match self {
            Next::Correct if rejected => said,
            Next::Correct => {
                format!("{said}: do not release it unless corrected and verified again")
            }
            Next::Registered(lot) => format!(
                "{said}: lot `{lot}` is recorded as failed and can only be rejected (`stscalc lot reject`); check a batch that may need a correction with `stscalc verify` before `lot verify`"
            ),
        })
    }
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
pub(crate) fn outcome(v: &verify::Verification, next: Next<'_>) -> Result<()> {
    if let Some(r) = &v.rejection {
        return Err(next.after(
            format!(
                "verification: REJECT, discard the batch and make it again: {}, with additions (made and needed) of {} of the batch first weighed, past the rescue limit {}",
                v.of_label, r.share_text, v.rescue.max_addition
            ),
            true,
        ));
    }
    if !v.pass {
        return Err(next.after(
            format!(
                "verification failed: {} of label is outside the tolerance {} to {} of label",
                v.of_label, v.tolerance.low, v.tolerance.high
            ),
            false,
        ));
    }
    Ok(())
}
