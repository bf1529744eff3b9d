//! A batch verified from its measured weights, as the record prints it: the result with its
//! numbers, and the correction.

use serde::Serialize;

use crate::plan::verify::Verification;

/// A batch verified from its measured weights, as the record prints it (`stscalc verify
/// --format html|pdf`): the result with its numbers, and the correction.
#[derive(Debug, Clone, Serialize)]
pub struct VerificationView {
    /// Within the tolerance.
    pub pass: bool,
    /// `PASS`, `FAIL — DO NOT RELEASE` or `REJECT — DISCARD AND REMAKE`.
    pub result: String,
    /// Why the batch is rejected, when it is.
    pub rejection: Option<String>,
    /// The first weighings' total and strength, when additions followed them.
    pub first: Option<String>,
    /// The additions after the first weighings, in order (`2.5 g of …`).
    pub additions: Vec<String>,
    /// Sum of what the batch holds.
    pub actual_total: String,
    /// The strength the measured weights give.
    pub actual_strength: String,
    /// What was measured, for the heading: `weights` (an ointment), `volumes` (a dilution) or
    /// `weight and volume` (a solution from powder).
    pub measured: &'static str,
    /// The heading of `of_label`: `Of label` (an ointment's labeled strength) or `Of the
    /// target` (a solution's).
    pub share_heading: &'static str,
    /// Its percentage of the labeled strength (or of a solution's target).
    pub of_label: String,
    /// The tolerance applied and its source.
    pub tolerance: String,
    /// The tolerance alone, `90 % to 110 % of label`: the result beside the signatures.
    pub tolerance_range: String,
    /// The correction back to target, when the batch is not exactly on it.
    pub correction: Option<CorrectionView>,
    /// The calculation, step by step.
    pub calculations: Vec<String>,
    /// Things the pharmacist must act on.
    pub warnings: Vec<String>,
}

/// The correction of a verified batch, written for people.
#[derive(Debug, Clone, Serialize)]
pub struct CorrectionView {
    /// Required before release (printed as such), or optional (printed plainly).
    pub required: bool,
    /// Whether it is required before release, or optional.
    pub heading: String,
    /// The additions, in order.
    pub steps: Vec<String>,
    /// The batch after them.
    pub result: String,
    /// The arithmetic.
    pub explanation: Vec<String>,
}

impl VerificationView {
    /// The view of `v`.
    pub fn of(v: &Verification) -> Self {
        let p = &v.plan;
        VerificationView {
            pass: v.pass,
            result: result_text(v).into(),
            rejection: v.rejection.as_ref().map(|r| r.text.clone()),
            first: v
                .first_strength_text
                .as_ref()
                .map(|s| format!("total {}, strength {s}", v.first_total)),
            additions: v
                .additions
                .iter()
                .map(|a| format!("{} of {}", a.mass, a.name))
                .collect(),
            actual_total: v.actual_total.to_string(),
            actual_strength: format!("{} ({} basis)", v.actual_strength, p.basis),
            measured: "weights",
            share_heading: "Of label",
            of_label: format!("{} of label", v.of_label),
            tolerance: format!(
                "{} to {} of label ({})",
                v.tolerance.low, v.tolerance.high, v.tolerance.source
            ),
            tolerance_range: format!("{} to {} of label", v.tolerance.low, v.tolerance.high),
            correction: v.correction.as_ref().map(|c| CorrectionView {
                required: c.required,
                heading: if c.required {
                    format!(
                        "Correction REQUIRED before release, back to {}; then enter the additions and verify again",
                        p.strength
                    )
                } else {
                    format!(
                        "Optional correction, only to come closer to {} (the batch passes as it is)",
                        p.strength
                    )
                },
                steps: c
                    .steps
                    .iter()
                    .map(crate::plan::verify::instruction)
                    .collect(),
                result: format!(
                    "New total {}; strength {} ({})",
                    c.new_total, c.resulting_strength, c.resulting_of_label_text
                ),
                explanation: c.explanation.clone(),
            }),
            calculations: v.calculations.clone(),
            // The record prints the plan's warnings already; this section adds the
            // verification's own.
            warnings: v
                .warnings
                .iter()
                .filter(|w| !v.plan.warnings.contains(w))
                .cloned()
                .collect(),
        }
    }
}

impl VerificationView {
    /// The view of a verified solution: the strength made, its percentage of the target, the
    /// result, and the correction (a volume to add).
    pub fn of_solution(v: &crate::plan::verify_solution::SolutionVerification) -> Self {
        let p = &v.plan;
        VerificationView {
            pass: v.pass,
            result: solution_result_text(v).into(),
            rejection: v.rejection.clone(),
            first: None,
            additions: Vec::new(),
            actual_total: v.volume.to_string(),
            actual_strength: format!("{} ({} basis)", v.made, p.basis),
            measured: match p.method {
                crate::plan::solution::Method::Dilution => "volumes",
                crate::plan::solution::Method::Powder => "weight and volume",
            },
            share_heading: "Of the target",
            of_label: format!("{} of the target", v.of_target),
            tolerance: format!(
                "{} to {} of the target ({})",
                v.tolerance.low, v.tolerance.high, v.tolerance.source
            ),
            tolerance_range: format!("{} to {} of the target", v.tolerance.low, v.tolerance.high),
            correction: v.correction.as_ref().map(|c| CorrectionView {
                required: true,
                heading: format!(
                    "Correction REQUIRED before release, back to {}; then verify again with the volumes measured in all",
                    p.strength
                ),
                steps: vec![c.text.clone()],
                result: format!(
                    "New volume {}; strength {} ({})",
                    c.new_volume, c.resulting, c.resulting_of_target_text
                ),
                explanation: c.explanation.clone(),
            }),
            calculations: v.calculations.clone(),
            // The record prints the plan's warnings already.
            warnings: Vec::new(),
        }
    }
}

/// The result as the sheets write it: `PASS`, `FAIL — DO NOT RELEASE` or
/// `REJECT — DISCARD AND REMAKE`.
pub fn result_text(v: &Verification) -> &'static str {
    result_words(v.rejection.is_some(), v.pass)
}

/// The result of a verified solution as the sheets write it, in the same words.
pub fn solution_result_text(
    v: &crate::plan::verify_solution::SolutionVerification,
) -> &'static str {
    result_words(v.result == "reject", v.result == "pass")
}

/// The words of a result, ointment's or solution's: a rejection first, then pass or fail.
fn result_words(rejected: bool, pass: bool) -> &'static str {
    match (rejected, pass) {
        (true, _) => "REJECT — DISCARD AND REMAKE",
        (false, true) => "PASS",
        (false, false) => "FAIL — DO NOT RELEASE",
    }
}
