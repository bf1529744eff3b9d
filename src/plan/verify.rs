//! Verification of a batch from the weights actually measured: the strength they give, its
//! percentage of the labeled strength, pass, fail or reject against the formula's tolerance and
//! rescue limit, and the correction that brings the batch back to its target strength.
//!
//! A correction is offered only while everything it adds, with the additions already made, stays
//! within the rescue limit (`[rescue]`, default in `data/potency.toml`) of the batch first
//! weighed; past it the batch is rejected: discarded and made again. A correction that was made
//! is entered as additions (`--addition ID=MASS`) after the first weighings and verified again.
//!
//! With `a` g of stock weighed, `f` g of active (on the strength's basis) per g of stock, a
//! batch total `S` g and a target fraction `t`:
//!
//! - actual strength = `a·f / S`;
//! - over target: add base `B = a·f / t − S` (the active then makes up exactly `t`);
//! - under target: add stock `A₀ = (t·S − a·f) / (f − t)`; when `A₀` is below the balance's
//!   minimum weight `m`, add more stock, `A = max(m, A₀ + m·t / (f − t))`, and then base
//!   `B = (a + A)·f / t − (S + A)`, which is then at least `m` too.
//!
//! Added amounts are rounded to the balance readability (to the nearest step, except the
//! larger stock addition, rounded up so that the base after it is not below `m`) and the
//! strength they give is shown.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use super::ointment::{Component, OintmentPlan, Role};
use super::round_to_step;
use crate::error::field::{ACTUAL, ADDITION, READABILITY};
use crate::error::{Error, Result};
use crate::formula::{Rescue, Tolerance};
use crate::quantity::{format_calculated, Mass, Percent, PercentKind, Shown};

/// A weight actually measured for one component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actual {
    /// Component id.
    pub id: String,
    /// The weight.
    pub mass: Mass,
    /// Where it was given, for error messages.
    pub field: String,
}

/// One component, planned against measured.
#[derive(Debug, Clone, Serialize)]
pub struct ActualLine {
    /// Component id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Role in the batch.
    pub role: Role,
    /// What the plan said to weigh.
    pub planned: Mass,
    /// What was weighed first (`--actual`).
    pub first: Mass,
    /// What was added after (`--addition`), in all.
    pub added: Mass,
    /// What the batch holds: the first weighing plus the additions.
    pub actual: Mass,
    /// Actual minus planned.
    pub difference: Mass,
}

/// An addition made after the first weighings, as entered.
#[derive(Debug, Clone, Serialize)]
pub struct AdditionLine {
    /// Component id.
    pub id: String,
    /// Name.
    pub name: String,
    /// The amount added.
    pub mass: Mass,
}

/// Why a batch is rejected rather than corrected.
#[derive(Debug, Clone, Serialize)]
pub struct Rejection {
    /// What the correction would add (or the additions made), in all.
    pub addition: Mass,
    /// That as a percentage of the batch first weighed.
    pub share: Percent,
    /// The same, as people read it.
    pub share_text: String,
    /// The sentence people read.
    pub text: String,
}

/// Which correction the batch needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CorrectionKind {
    /// Over strength: add base.
    AddBase,
    /// Under strength: add active.
    AddActive,
    /// Under strength by less than the balance can weigh: add more active, then base.
    AddActiveThenBase,
}

/// A correction step as the verification sheet and the record write it. A step is a weighing
/// like those of the plan ([`Component`]): what to add, calculated and rounded.
pub fn instruction(step: &Component) -> String {
    format!(
        "Add {} of {} (calculated {}, rounded {}), mix until uniform",
        step.to_weigh, step.name, step.calculated_text, step.rounding
    )
}

/// How to bring the batch back to its target strength.
#[derive(Debug, Clone, Serialize)]
pub struct Correction {
    /// True when the batch fails without it.
    pub required: bool,
    /// Add base, or add active then base.
    pub kind: CorrectionKind,
    /// The additions, in order.
    pub steps: Vec<Component>,
    /// The batch total after the additions.
    pub new_total: Mass,
    /// The strength after the (rounded) additions: exact `value`, read to two decimals.
    pub resulting_strength: Shown<Percent>,
    /// Its percentage of label, as people read it.
    pub resulting_of_label_text: String,
    /// The arithmetic, for a second pharmacist.
    pub explanation: Vec<String>,
}

/// The verification of a batch.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    /// The plan verified; its record's components carry the actual weights.
    pub plan: OintmentPlan,
    /// Planned against measured, component by component.
    pub actual: Vec<ActualLine>,
    /// Additions made after the first weighings, in order; empty when none.
    pub additions: Vec<AdditionLine>,
    /// Sum of the first weighings.
    pub first_total: Mass,
    /// The strength of the first weighings and its percentage of label, as people read them,
    /// when additions followed.
    pub first_strength_text: Option<String>,
    /// Sum of what the batch holds (first weighings and additions).
    pub actual_total: Mass,
    /// The measured total minus the planned total.
    pub total_difference: Mass,
    /// Active in the batch on the strength's basis.
    pub active_content: Mass,
    /// Strength from the measured weights: exact `value`, read to two decimals.
    pub actual_strength: Shown<Percent>,
    /// Percentage of the labeled strength: exact `value`, read to two decimals (printed
    /// followed by `of label`).
    pub of_label: Shown<Percent>,
    /// The tolerance applied.
    pub tolerance: Tolerance,
    /// The rescue limit applied.
    pub rescue: Rescue,
    /// Within the tolerance (and not rejected).
    pub pass: bool,
    /// `pass`, `fail` (outside the tolerance, a correction within the rescue limit) or
    /// `reject` (past the rescue limit: discard and remake).
    pub result: String,
    /// Why the batch is rejected; `None` unless `result` is `reject`.
    pub rejection: Option<Rejection>,
    /// How to return to the target strength; `None` when the batch is exactly on target or
    /// rejected.
    pub correction: Option<Correction>,
    /// The calculation, step by step.
    pub calculations: Vec<String>,
    /// Things the pharmacist must act on: the verification's own, then the plan's (every
    /// warning the verification sheet prints).
    pub warnings: Vec<String>,
}

use super::NEAREST_STEP as ROUNDING_NEAREST;

/// Refuses a batch made by the aliquot method: its strength rests on four weighings and on
/// the dilution being uniform, which weights per formula component cannot check; the error
/// says how to check it instead.
fn refuse_aliquot(plan: &OintmentPlan) -> Result<()> {
    if let Some(a) = &plan.aliquot {
        return Err(Error::Refused(format!(
            "this batch is made by the aliquot method (stock {} + base {} = dilution {}; {} of it into the batch; base {} directly), which `stscalc verify` does not check: compare each weighing with the record's table and remake the dilution if any is off, or make a batch whose active the balance weighs directly (a larger batch or a finer {READABILITY})",
            a.stock_to_weigh, a.diluent_to_weigh, a.dilution_total, a.aliquot_to_weigh, a.base_to_weigh_directly
        )));
    }
    Ok(())
}

/// Verifies `plan` with the measured weights: every component of the plan must have exactly
/// one first weight, above zero; `additions` (made after them, in order) are added to it.
pub fn verify(
    plan: &OintmentPlan,
    tolerance: &Tolerance,
    rescue: &Rescue,
    actuals: &[Actual],
    additions: &[Actual],
) -> Result<Verification> {
    refuse_aliquot(plan)?;
    check_actuals(plan, actuals, additions)?;

    let hundred = Decimal::ONE_HUNDRED;
    let basis = plan.basis;
    let f = plan.stock.factor;
    let mut calc = Vec::new();
    let mut warnings = Vec::new();

    let (lines, addition_lines) = actual_lines(plan, actuals, additions);
    let active = lines
        .iter()
        .find(|l| l.role == Role::Active)
        .expect("every plan has an active");
    let a = active.actual.g();
    let s: Decimal = lines.iter().map(|l| l.actual.g()).sum();
    let first_s: Decimal = lines.iter().map(|l| l.first.g()).sum();
    let total = Mass::from_g(s);
    let content = a * f;
    let sum_of = |ms: Vec<Mass>| {
        ms.iter()
            .map(|m| m.to_string())
            .collect::<Vec<_>>()
            .join(" + ")
    };
    let first_strength_text = if additions.is_empty() {
        None
    } else {
        let fs = active.first.g() * f / first_s * hundred;
        let text = format!(
            "{} ({})",
            format_calculated(fs, "% w/w", 2),
            format_calculated(fs / plan.strength.value() * hundred, "% of label", 2)
        );
        calc.push(format!(
            "First weighings: {} = {}; strength {} × {} ÷ {} × 100 = {text}",
            sum_of(lines.iter().map(|l| l.first).collect()),
            Mass::from_g(first_s),
            active.first,
            plan.stock.factor_text,
            Mass::from_g(first_s)
        ));
        calc.push(format!(
            "Additions after them: {}",
            addition_lines
                .iter()
                .map(|a| format!("{} {}", a.mass, a.name))
                .collect::<Vec<_>>()
                .join(", then ")
        ));
        Some(text)
    };
    calc.push(format!(
        "Actual total: {} = {total}",
        sum_of(lines.iter().map(|l| l.actual).collect())
    ));
    calc.push(format!(
        "Active ({basis} basis): {} × {} = {}",
        active.actual,
        plan.stock.factor_text,
        Mass::from_g(content).display_calculated(6)
    ));
    let strength = content / s * hundred;
    let strength_shown = Shown::new(Percent::new(strength, PercentKind::WeightInWeight), 2);
    calc.push(format!(
        "Actual strength: {} ÷ {total} × 100 = {strength_shown}",
        Mass::from_g(content).display_calculated(6)
    ));
    let of_label = strength / plan.strength.value() * hundred;
    let of_label_shown = Shown::new(Percent::new(of_label, PercentKind::Plain), 2);
    calc.push(format!(
        "Of label: {strength_shown} ÷ {} × 100 = {of_label_shown} of label",
        plan.strength
    ));
    let within = tolerance.contains(of_label);
    calc.push(format!(
        "Tolerance {} to {} of label ({}): {}",
        tolerance.low,
        tolerance.high,
        tolerance.source,
        if within { "within" } else { "outside" }
    ));

    // What may be added, in all, before the batch is another batch: the rescue limit.
    let (rejection, correction_found) =
        rescue_decision(plan, rescue, (a, s, first_s, content), within, &mut calc)?;
    let pass = within && rejection.is_none();
    match (&rejection, &correction_found) {
        // The rejection is the result itself, printed with it, not one warning among others.
        (Some(_), _) => {}
        (None, Some(c)) if c.required => {
            for s in c.steps.iter().filter(|s| s.below_minimum_weight) {
                warnings.push(format!(
                    "the correction's {} ({}) is below the balance's minimum weight {}: weigh it by the aliquot method",
                    s.name, s.to_weigh, plan.minimum_weight
                ));
            }
            warnings.push(format!(
                "the batch is outside its tolerance: do not release it unless corrected and verified again (enter the additions with {ADDITION})"
            ));
        }
        _ => {}
    }
    let correction = correction_found;
    let result = match (&rejection, pass) {
        (Some(_), _) => "reject",
        (None, true) => "pass",
        (None, false) => "fail",
    };

    warnings.extend(plan.warnings.iter().cloned());
    let mut verified = plan.clone();
    if let Some(r) = verified.record.as_mut() {
        // The record's column holds what was weighed first; the additions are listed apart.
        for c in r.components.iter_mut() {
            c.actual = lines.iter().find(|l| l.id == c.id).map(|l| l.first);
        }
    }
    Ok(Verification {
        plan: verified,
        actual: lines,
        additions: addition_lines,
        first_total: Mass::from_g(first_s),
        first_strength_text,
        actual_total: total,
        total_difference: Mass::from_g(total.g() - plan.total.g()),
        active_content: Mass::from_g(content),
        actual_strength: strength_shown,
        of_label: of_label_shown,
        tolerance: tolerance.clone(),
        rescue: rescue.clone(),
        pass,
        result: result.into(),
        rejection,
        correction,
        calculations: calc,
        warnings,
    })
}

/// Refuses measured weights that do not fit the plan: an unknown component, one weighed twice,
/// an addition of an unknown component, or a component with no weight.
fn check_actuals(plan: &OintmentPlan, actuals: &[Actual], additions: &[Actual]) -> Result<()> {
    let known = || {
        plan.components
            .iter()
            .map(|c| format!("`{}`", c.id))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (i, a) in actuals.iter().enumerate() {
        if !plan.components.iter().any(|c| c.id == a.id) {
            return Err(Error::input(
                &a.field,
                format!("a component of formula `{}`: {}", plan.formula.id, known()),
                format!("`{}`", a.id),
            ));
        }
        if actuals[..i].iter().any(|o| o.id == a.id) {
            return Err(Error::input(
                &a.field,
                "one weight per component",
                format!("`{}` given twice", a.id),
            ));
        }
    }
    if let Some(a) = additions
        .iter()
        .find(|a| !plan.components.iter().any(|c| c.id == a.id))
    {
        return Err(Error::input(
            &a.field,
            format!("a component of formula `{}`: {}", plan.formula.id, known()),
            format!("`{}`", a.id),
        ));
    }
    let missing: Vec<String> = plan
        .components
        .iter()
        .filter(|c| !actuals.iter().any(|a| a.id == c.id))
        .map(|c| format!("`{}`", c.id))
        .collect();
    if !missing.is_empty() {
        return Err(Error::input(
            ACTUAL,
            format!("a weight for every component ({})", known()),
            format!("none for {}", missing.join(", ")),
        ));
    }
    Ok(())
}

/// Each component planned against measured (its first weighing and additions), and the
/// additions in the order made.
fn actual_lines(
    plan: &OintmentPlan,
    actuals: &[Actual],
    additions: &[Actual],
) -> (Vec<ActualLine>, Vec<AdditionLine>) {
    let lines: Vec<ActualLine> = plan
        .components
        .iter()
        .map(|c| {
            let first = actuals.iter().find(|a| a.id == c.id).expect("checked").mass;
            let added: Decimal = additions
                .iter()
                .filter(|a| a.id == c.id)
                .map(|a| a.mass.g())
                .sum();
            let m = first.g() + added;
            ActualLine {
                id: c.id.clone(),
                name: c.name.clone(),
                role: c.role,
                planned: c.to_weigh,
                first,
                added: Mass::from_g(added),
                actual: Mass::from_g(m),
                difference: Mass::from_g(m - c.to_weigh.g()),
            }
        })
        .collect();
    let addition_lines: Vec<AdditionLine> = additions
        .iter()
        .map(|a| AdditionLine {
            id: a.id.clone(),
            name: lines
                .iter()
                .find(|l| l.id == a.id)
                .map(|l| l.name.clone())
                .unwrap_or_default(),
            mass: a.mass,
        })
        .collect();
    (lines, addition_lines)
}

/// The rescue limit applied (`a` g of stock in a batch of `s` g, first weighed `first_s` g,
/// holding `content` g of active): a rejection when the additions made, or those a needed
/// correction would add, go past it; otherwise the correction, when one is within it.
fn rescue_decision(
    plan: &OintmentPlan,
    rescue: &Rescue,
    (a, s, first_s, content): (Decimal, Decimal, Decimal, Decimal),
    within: bool,
    calc: &mut Vec<String>,
) -> Result<(Option<Rejection>, Option<Correction>)> {
    let hundred = Decimal::ONE_HUNDRED;
    let t = plan.strength.fraction();
    let added_so_far = s - first_s;
    let limit = rescue.max_addition.fraction() * first_s;
    let share = |added: Decimal| added / first_s * hundred;
    let reject = |added: Decimal, what: String| {
        let share_text = crate::plan::display_percent(share(added), "%");
        Rejection {
            addition: Mass::from_g(added),
            share: Percent::new(share(added), PercentKind::Plain),
            text: format!(
                "{what} {} in all, {share_text} of the batch first weighed ({}), past the rescue limit {} ({}): REJECT, discard the batch and make it again; no correction is offered",
                Mass::from_g(added).display_calculated(6),
                Mass::from_g(first_s),
                rescue.max_addition,
                rescue.reason
            ),
            share_text,
        }
    };
    let mut rejection = None;
    let mut correction_found = None;
    if added_so_far > limit {
        rejection = Some(reject(
            added_so_far,
            "the additions already made come to".into(),
        ));
    } else if content != t * s {
        let c = correction(plan, a, s, within)?;
        let proposed: Decimal = c.steps.iter().map(|s| s.to_weigh.g()).sum();
        calc.push(format!(
            "Rescue limit: additions in all at most {} of the batch first weighed ({} × {} = {}); this correction adds {}{}: {}",
            rescue.max_addition,
            Mass::from_g(first_s),
            rescue.max_addition,
            Mass::from_g(limit).display_calculated(6),
            Mass::from_g(proposed),
            if added_so_far > Decimal::ZERO {
                format!(
                    " after {} already added, {} in all",
                    Mass::from_g(added_so_far),
                    Mass::from_g(added_so_far + proposed)
                )
            } else {
                String::new()
            },
            if added_so_far + proposed <= limit {
                "within it"
            } else {
                "past it"
            }
        ));
        if added_so_far + proposed <= limit {
            correction_found = Some(c);
        } else if !within {
            let what = if added_so_far > Decimal::ZERO {
                "the additions made and the correction needed would come to"
            } else {
                "the correction needed would add"
            };
            rejection = Some(reject(added_so_far + proposed, what.into()));
        }
        // A batch within its tolerance whose optional correction is past the limit is simply
        // not offered one: it passes as it is.
    }
    Ok((rejection, correction_found))
}

/// What a correction adds: more active, or more of the quantity-sufficient component.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Adds {
    Active,
    Qs,
}

fn step(
    plan: &OintmentPlan,
    adds: Adds,
    calculated: Decimal,
    to_weigh: Mass,
    rounding: String,
) -> Component {
    let c = plan
        .components
        .iter()
        .find(|c| match adds {
            Adds::Active => c.role == Role::Active,
            Adds::Qs => c.quantity_sufficient,
        })
        .expect("every plan has an active and a q.s. component");
    Component {
        id: c.id.clone(),
        role: c.role,
        quantity_sufficient: c.quantity_sufficient,
        name: c.name.clone(),
        calculated: Mass::from_g(calculated),
        calculated_text: Mass::from_g(calculated).display_calculated(6),
        to_weigh,
        rounding,
        below_minimum_weight: to_weigh < plan.minimum_weight,
    }
}

fn correction(plan: &OintmentPlan, a: Decimal, s: Decimal, pass: bool) -> Result<Correction> {
    let hundred = Decimal::ONE_HUNDRED;
    let f = plan.stock.factor;
    let t = plan.strength.fraction();
    let target = plan.strength;
    let d = plan.balance.readability;
    let min = plan.minimum_weight;
    let fmt = |x: Decimal| Mass::from_g(x).display_calculated(6);
    let mut explanation = Vec::new();
    let mut steps = Vec::new();
    let (kind, added_active, added_base) = if a * f > t * s {
        // Over strength: more base dilutes the active back to the target.
        let b = a * f / t - s;
        let b_weigh = round_to_step(Mass::from_g(b), d);
        explanation.push(format!(
            "Total that holds the active at {target}: {} ÷ {} = {}; base to add: {} − {} = {}",
            fmt(a * f),
            crate::quantity::format_number(t),
            fmt(a * f / t),
            fmt(a * f / t),
            fmt(s),
            fmt(b)
        ));
        explanation.push(format!(
            "Rounded to the balance readability {d} ({ROUNDING_NEAREST}): {b_weigh}"
        ));
        steps.push(step(
            plan,
            Adds::Qs,
            b,
            b_weigh,
            format!("to the balance readability {d} ({ROUNDING_NEAREST})"),
        ));
        (CorrectionKind::AddBase, Decimal::ZERO, b_weigh.g())
    } else {
        // Under strength: add stock; if that is too little to weigh, add more and dilute the
        // excess with base.
        if f <= t {
            return Err(Error::Refused(format!(
                "the batch cannot be corrected by adding stock: 1 g of stock gives {} g of active, not more than the target {target}",
                plan.stock.factor_text
            )));
        }
        let add = (t * s - a * f) / (f - t);
        let tf = crate::quantity::format_number(t);
        explanation.push(format!(
            "Stock that alone brings the batch to {target}: ({tf} × {} − {}) ÷ ({} − {tf}) = {}",
            fmt(s),
            fmt(a * f),
            plan.stock.factor_text,
            fmt(add)
        ));
        if add >= min.g() {
            let a_weigh = round_to_step(Mass::from_g(add), d);
            explanation.push(format!(
                "Rounded to the balance readability {d} ({ROUNDING_NEAREST}): {a_weigh}"
            ));
            steps.push(step(
                plan,
                Adds::Active,
                add,
                a_weigh,
                format!("to the balance readability {d} ({ROUNDING_NEAREST})"),
            ));
            (CorrectionKind::AddActive, a_weigh.g(), Decimal::ZERO)
        } else {
            // Too little to weigh: add more stock, then base to dilute the excess, choosing the
            // stock so that the base, (A − stock alone) × (f − t) / t, is at least the minimum
            // weight too.
            let for_base = add + min.g() * t / (f - t);
            let chosen = for_base.max(min.g());
            explanation.push(format!(
                "That is below the balance's minimum weight {min}: add more stock and then base. Stock so that the base is at least {min} too: {} + {min} × {tf} ÷ ({} − {tf}) = {}; at least {min}: {}",
                fmt(add),
                plan.stock.factor_text,
                fmt(for_base),
                fmt(chosen)
            ));
            let a_weigh =
                super::round_to_multiple(chosen, d.g(), RoundingStrategy::ToPositiveInfinity);
            explanation.push(format!(
                "Stock to weigh, rounded up to the readability {d}: {}",
                Mass::from_g(a_weigh)
            ));
            steps.push(step(
                plan,
                Adds::Active,
                chosen,
                Mass::from_g(a_weigh),
                format!("up to the balance readability {d}"),
            ));
            let b = (a + a_weigh) * f / t - (s + a_weigh);
            let b_weigh = round_to_step(Mass::from_g(b), d);
            explanation.push(format!(
                "Base to add after it: ({} + {}) × {} ÷ {tf} − ({} + {}) = {} → {b_weigh} ({ROUNDING_NEAREST})",
                fmt(a),
                Mass::from_g(a_weigh),
                plan.stock.factor_text,
                fmt(s),
                Mass::from_g(a_weigh),
                fmt(b)
            ));
            steps.push(step(
                plan,
                Adds::Qs,
                b,
                b_weigh,
                format!("to the balance readability {d} ({ROUNDING_NEAREST})"),
            ));
            (CorrectionKind::AddActiveThenBase, a_weigh, b_weigh.g())
        }
    };
    let new_total = s + added_active + added_base;
    let resulting = (a + added_active) * f / new_total * hundred;
    let resulting_shown = Shown::new(Percent::new(resulting, PercentKind::WeightInWeight), 2);
    let resulting_of_label =
        format_calculated(resulting / target.value() * hundred, "% of label", 2);
    explanation.push(format!(
        "After the additions: {} × {} ÷ {} × 100 = {resulting_shown} ({resulting_of_label})",
        Mass::from_g(a + added_active),
        plan.stock.factor_text,
        Mass::from_g(new_total)
    ));
    for s in steps.iter().filter(|s| s.below_minimum_weight) {
        explanation.push(format!(
            "{} ({}) is below the balance's minimum weight {min}: weigh it by the aliquot method",
            s.name, s.to_weigh
        ));
    }
    Ok(Correction {
        required: !pass,
        kind,
        steps,
        new_total: Mass::from_g(new_total),
        resulting_strength: resulting_shown,
        resulting_of_label_text: resulting_of_label,
        explanation,
    })
}
