//! Verification of a solution batch from what was actually measured: for the powder method the
//! powder weighed and the volume it was made up to, for a dilution the stock and diluent volumes
//! measured. It gives the strength made, its percentage of the target and pass, fail or reject
//! against the formula's tolerance, and the correction where one exists.
//!
//! With `c` mg of active on the strength's basis in `V` mL and a target `T` mg/mL:
//!
//! - strength made = `c / V`;
//! - over target: add vehicle (powder) or diluent (dilution), `x = c / T − V`;
//! - under target, dilution: add stock of `Cs` mg/mL, `x = (T·V − c) / (Cs − T)`;
//! - under target from powder: no correction is calculated (dissolving more powder in a
//!   solution made up to volume changes its volume by an amount not known here): the batch is
//!   made again.
//!
//! A correction is offered only for a batch that fails, rounded to the measuring step, and only
//! while it adds no more than the rescue limit (`[rescue]`) of the volume first made; past it,
//! or without a correction, the batch is rejected.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use super::solution::{concentration_text, Method, SolutionPlan};
use super::{display_percent, round_to_multiple, NEAREST_STEP};
use crate::error::field::{ACTUAL, FINAL_VOLUME};
use crate::error::{Error, Result};
use crate::formula::{Formula, Rescue, Tolerance};
use crate::quantity::{Concentration, Mass, Percent, PercentKind, Shown, Volume};

/// The largest volume a measurement may state: 1,000 L, the largest batch a solution is
/// planned for.
const MAX_MEASURED_ML: i64 = 1_000_000;

/// A quantity actually measured for one component: a mass (the powder) or a volume (stock,
/// diluent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Amount {
    /// Weighed.
    Mass(Mass),
    /// Measured by volume.
    Volume(Volume),
}

impl std::fmt::Display for Amount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Amount::Mass(m) => m.fmt(f),
            Amount::Volume(v) => v.fmt(f),
        }
    }
}

/// What was measured for one component, as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measurement {
    /// Component id (the active for powder; the stock's and diluent's ids for a dilution).
    pub id: String,
    /// The amount.
    pub amount: Amount,
}

/// One component, planned against measured.
#[derive(Debug, Clone, Serialize)]
pub struct MeasuredLine {
    /// Component id.
    pub id: String,
    /// Name.
    pub name: String,
    /// What the plan said.
    pub planned: Amount,
    /// What was measured.
    pub actual: Amount,
}

/// How to bring a failed solution back to its target.
#[derive(Debug, Clone, Serialize)]
pub struct SolutionCorrection {
    /// Component id of what is added.
    pub id: String,
    /// What is added.
    pub name: String,
    /// Exact volume to add.
    pub calculated: Volume,
    /// The same, as people read it.
    pub calculated_text: String,
    /// Volume to add, rounded to the measuring step.
    pub to_add: Volume,
    /// How it was rounded.
    pub rounding: String,
    /// Volume after the addition.
    pub new_volume: Volume,
    /// Strength after it: exact `value`, read to two decimals.
    pub resulting: Shown<Concentration>,
    /// Its percentage of the target, as people read it.
    pub resulting_of_target_text: String,
    /// The instruction.
    pub text: String,
    /// The arithmetic.
    pub explanation: Vec<String>,
}

/// A solution batch verified from what was measured.
#[derive(Debug, Clone, Serialize)]
pub struct SolutionVerification {
    /// The plan verified.
    pub plan: SolutionPlan,
    /// Planned against measured.
    pub measured: Vec<MeasuredLine>,
    /// The volume of the batch: the volume made up to (powder) or stock plus diluent.
    pub volume: Volume,
    /// Active in it, on the strength's basis.
    pub active_content: Mass,
    /// Strength made: exact `value`, read to two decimals.
    pub made: Shown<Concentration>,
    /// Its percentage of the target: exact `value`, read to two decimals.
    pub of_target: Shown<Percent>,
    /// The tolerance applied.
    pub tolerance: Tolerance,
    /// The rescue limit applied.
    pub rescue: Rescue,
    /// Within the tolerance.
    pub pass: bool,
    /// `pass`, `fail` (a correction within the rescue limit) or `reject` (discard, remake).
    pub result: String,
    /// Why the batch is rejected; `None` unless `result` is `reject`.
    pub rejection: Option<String>,
    /// The correction of a failed batch, when one exists within the rescue limit.
    pub correction: Option<SolutionCorrection>,
    /// The calculation, step by step.
    pub calculations: Vec<String>,
    /// Things the pharmacist must act on.
    pub warnings: Vec<String>,
}

/// What the measurements give: the lines, the volume, the active content (mg), and what a
/// correction may add above and below the target: (id, name, mg/mL it brings).
struct Measured {
    lines: Vec<MeasuredLine>,
    volume: Volume,
    content_mg: Decimal,
    calc: Vec<String>,
    over: (String, String),
    under: Option<(String, String, Decimal)>,
    step: Volume,
}

/// Verifies a solution `plan` of `formula` from `measured` (and, for powder, `final_volume`).
pub fn verify(
    formula: &Formula,
    plan: &SolutionPlan,
    measured: &[Measurement],
    final_volume: Option<Volume>,
) -> Result<SolutionVerification> {
    let tolerance = formula.tolerance();
    let rescue = formula.rescue();
    for m in measured {
        if let Amount::Volume(v) = m.amount {
            check_volume(&format!("{ACTUAL} {}", m.id), v)?;
        }
    }
    if let Some(v) = final_volume {
        check_volume(FINAL_VOLUME, v)?;
    }
    let m = match plan.method {
        Method::Powder => powder(formula, plan, measured, final_volume)?,
        Method::Dilution => {
            if let Some(v) = final_volume {
                return Err(Error::input(
                    FINAL_VOLUME,
                    "nothing for a dilution (its volume is the stock and diluent measured)",
                    format!("`{v}`"),
                ));
            }
            dilution(plan, measured)?
        }
    };
    let mut calc = m.calc.clone();
    let target = plan.strength.mg_per_ml();
    let hundred = Decimal::ONE_HUNDRED;
    let made = m.content_mg / m.volume.ml();
    let of = made / target * hundred;
    let made_c = Concentration::from_mg_per_ml(made);
    let of_shown = Shown::new(Percent::new(of, PercentKind::Plain), 2);
    let pass = of >= tolerance.low.value() && of <= tolerance.high.value();
    calc.push(format!(
        "Strength made: {} ÷ {} = {} ({} basis), {} of the target {}: {} the tolerance {} to {}",
        Mass::from_mg(m.content_mg).display_calculated(6),
        m.volume,
        concentration_text(made_c),
        plan.basis,
        display_percent(of, "%"),
        plan.strength,
        if pass { "within" } else { "OUTSIDE" },
        tolerance.low,
        tolerance.high
    ));
    let (correction, rejection) = if pass {
        (None, None)
    } else {
        correct(&m, target, &rescue, plan, &mut calc)
    };
    let result = match (pass, &rejection) {
        (true, _) => "pass",
        (false, Some(_)) => "reject",
        (false, None) => "fail",
    };
    Ok(SolutionVerification {
        plan: plan.clone(),
        measured: m.lines,
        volume: m.volume,
        active_content: Mass::from_mg(m.content_mg),
        made: Shown::new(made_c, 2),
        of_target: of_shown,
        tolerance,
        rescue,
        pass,
        result: result.into(),
        rejection,
        correction,
        calculations: calc,
        warnings: plan.warnings.clone(),
    })
}

/// A measured volume must be above zero (checked where it is read) and no larger than the
/// largest batch a solution is planned for.
fn check_volume(field: &str, v: Volume) -> Result<()> {
    let max = Volume::from_ml(Decimal::from(MAX_MEASURED_ML));
    if v.ml() <= Decimal::ZERO || v > max {
        return Err(Error::input(
            field,
            format!("a volume above 0 mL and at most {max} (1,000 L)"),
            format!("`{v}`"),
        ));
    }
    Ok(())
}

/// The one measurement of `id`, of the kind expected; anything measured for another id is
/// refused naming those expected.
fn take(measured: &[Measurement], expected: &[&str]) -> Result<()> {
    for m in measured {
        if !expected.contains(&m.id.as_str()) {
            return Err(Error::input(
                format!("{ACTUAL} {}", m.id),
                format!(
                    "a component of this batch: {}",
                    expected
                        .iter()
                        .map(|e| format!("`{e}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                format!("`{}`", m.id),
            ));
        }
        if measured.iter().filter(|o| o.id == m.id).count() > 1 {
            return Err(Error::input(
                format!("{ACTUAL} {}", m.id),
                "one measurement per component",
                "two".to_string(),
            ));
        }
    }
    Ok(())
}

fn find(measured: &[Measurement], id: &str) -> Option<Amount> {
    measured.iter().find(|m| m.id == id).map(|m| m.amount)
}

/// Powder: the powder weighed and the volume it was made up to.
fn powder(
    formula: &Formula,
    plan: &SolutionPlan,
    measured: &[Measurement],
    final_volume: Option<Volume>,
) -> Result<Measured> {
    let p = plan.powder.as_ref().expect("a powder plan has its part");
    let id = formula.active.id.as_str();
    take(measured, &[id])?;
    let mass = match find(measured, id) {
        Some(Amount::Mass(m)) => m,
        Some(Amount::Volume(v)) => {
            return Err(Error::input(
                format!("{ACTUAL} {id}"),
                "the mass of powder weighed, e.g. `10.02g`",
                format!("`{v}`"),
            ))
        }
        None => {
            return Err(Error::input(
                ACTUAL,
                format!("the powder weighed, `{id}=MASS`"),
                "nothing",
            ))
        }
    };
    let volume = final_volume.ok_or_else(|| {
        Error::input(
            FINAL_VOLUME,
            format!(
                "the volume the solution was made up to (the flask's mark, {} as planned)",
                plan.total
            ),
            "nothing",
        )
    })?;
    let content_mg = mass.mg() * p.stock.factor;
    let calc = vec![
        format!(
            "Powder weighed: {mass} ({} {}); made up to {volume}",
            p.stock.form, p.stock.formula
        ),
        format!(
            "Active on the {} basis: {mass} × {} = {}",
            plan.basis,
            p.stock.factor_text,
            Mass::from_mg(content_mg).display_calculated(6)
        ),
    ];
    let qs = formula.qs();
    Ok(Measured {
        lines: vec![
            MeasuredLine {
                id: id.into(),
                name: format!("{} {}", formula.active.name, p.stock.form),
                planned: Amount::Mass(p.to_weigh),
                actual: Amount::Mass(mass),
            },
            MeasuredLine {
                id: qs.id.clone(),
                name: format!("{} (q.s. to volume)", qs.name),
                planned: Amount::Volume(plan.total),
                actual: Amount::Volume(volume),
            },
        ],
        volume,
        content_mg,
        calc,
        over: (qs.id.clone(), qs.name.clone()),
        under: None,
        step: formula
            .solution
            .as_ref()
            .map_or(Volume::from_ml(Decimal::ONE), |s| s.measure_step),
    })
}

/// Dilution: the stock and diluent volumes measured.
fn dilution(plan: &SolutionPlan, measured: &[Measurement]) -> Result<Measured> {
    let d = plan
        .dilution
        .as_ref()
        .expect("a dilution plan has its part");
    let stock_id = d.stock.id.clone().unwrap_or_else(|| "stock".into());
    let has_diluent = !d.diluent_volume.ml().is_zero();
    let mut expected = vec![stock_id.as_str()];
    if has_diluent {
        expected.push(d.diluent.id.as_str());
    }
    take(measured, &expected)?;
    let volume_of = |id: &str, what: &str| -> Result<Volume> {
        match find(measured, id) {
            Some(Amount::Volume(v)) => Ok(v),
            Some(Amount::Mass(m)) => Err(Error::input(
                format!("{ACTUAL} {id}"),
                format!("the {what} volume measured, e.g. `{id}=4.2mL`"),
                format!("`{m}`"),
            )),
            None => Err(Error::input(
                ACTUAL,
                format!("the {what} volume measured, `{id}=VOLUME`"),
                "nothing",
            )),
        }
    };
    let vs = volume_of(&stock_id, "stock")?;
    let vd = if has_diluent {
        volume_of(&d.diluent.id, "diluent")?
    } else {
        Volume::from_ml(Decimal::ZERO)
    };
    let cs = d.stock.on_target_basis.mg_per_ml();
    let volume = Volume::from_ml(vs.ml() + vd.ml());
    let content_mg = cs * vs.ml();
    let mut lines = vec![MeasuredLine {
        id: stock_id.clone(),
        name: d.stock.name.clone(),
        planned: Amount::Volume(d.stock_volume),
        actual: Amount::Volume(vs),
    }];
    if has_diluent {
        lines.push(MeasuredLine {
            id: d.diluent.id.clone(),
            name: d.diluent.name.clone(),
            planned: Amount::Volume(d.diluent_volume),
            actual: Amount::Volume(vd),
        });
    }
    let calc = vec![
        format!(
            "Volume: stock {vs} + diluent {vd} = {volume} (volumes taken as additive, as planned)"
        ),
        format!(
            "Active on the {} basis: {} × {vs} = {}",
            plan.basis,
            d.stock.on_target_basis_text,
            Mass::from_mg(content_mg).display_calculated(6)
        ),
    ];
    Ok(Measured {
        lines,
        volume,
        content_mg,
        calc,
        over: (d.diluent.id.clone(), d.diluent.name.clone()),
        under: Some((stock_id, d.stock.name.clone(), cs)),
        step: plan.measure_step.unwrap_or(Volume::from_ml(Decimal::ONE)),
    })
}

/// The correction of a failed batch, or why it is rejected.
fn correct(
    m: &Measured,
    target: Decimal,
    rescue: &Rescue,
    plan: &SolutionPlan,
    calc: &mut Vec<String>,
) -> (Option<SolutionCorrection>, Option<String>) {
    let v = m.volume.ml();
    let fmt = |x: Decimal| Volume::from_ml(x).to_string();
    let exact_fmt = |x: Decimal| crate::quantity::format_calculated(x, "mL", 6);
    let mut explanation = Vec::new();
    let (id, name, x, brings) = if m.content_mg > target * v {
        let x = m.content_mg / target - v;
        explanation.push(format!(
            "Volume that holds the active at {}: {} ÷ {} = {}; to add: {} − {} = {}",
            plan.strength,
            Mass::from_mg(m.content_mg).display_calculated(6),
            plan.strength,
            exact_fmt(m.content_mg / target),
            exact_fmt(m.content_mg / target),
            fmt(v),
            exact_fmt(x)
        ));
        (m.over.0.clone(), m.over.1.clone(), x, Decimal::ZERO)
    } else {
        match &m.under {
            Some((id, name, cs)) if *cs > target => {
                let x = (target * v - m.content_mg) / (cs - target);
                explanation.push(format!(
                    "Stock that brings the batch to {}: ({} × {} − {}) ÷ ({} − {}) = {}",
                    plan.strength,
                    plan.strength,
                    fmt(v),
                    Mass::from_mg(m.content_mg).display_calculated(6),
                    concentration_text(Concentration::from_mg_per_ml(*cs)),
                    plan.strength,
                    exact_fmt(x)
                ));
                (id.clone(), name.clone(), x, *cs)
            }
            _ => {
                let why = "under strength, and no correction is calculated: dissolving more powder changes the volume of a solution made up to volume by an amount not known here (or the stock is no stronger than the target): discard and make the batch again".to_string();
                calc.push(format!("REJECT: {why}"));
                return (None, Some(why));
            }
        }
    };
    let add =
        round_to_multiple(x, m.step.ml(), RoundingStrategy::MidpointAwayFromZero).max(m.step.ml());
    let share = add / v * Decimal::ONE_HUNDRED;
    if share > rescue.max_addition.value() {
        let why = format!(
            "the correction adds {} of {name}, {} of the {} made, past the rescue limit {} ({})",
            fmt(add),
            display_percent(share, "%"),
            fmt(v),
            rescue.max_addition,
            rescue.reason
        );
        calc.push(format!("REJECT: {why}"));
        return (None, Some(why));
    }
    let new_v = v + add;
    let resulting = (m.content_mg + brings * add) / new_v;
    let resulting_c = Concentration::from_mg_per_ml(resulting);
    let of_text = display_percent(resulting / target * Decimal::ONE_HUNDRED, "% of the target");
    explanation.push(format!(
        "Rounded to the measuring step {} ({NEAREST_STEP}, at least one step): {}",
        m.step,
        fmt(add)
    ));
    explanation.push(format!(
        "After it: ({} + {} × {}) ÷ {} = {} ({of_text})",
        Mass::from_mg(m.content_mg).display_calculated(6),
        concentration_text(Concentration::from_mg_per_ml(brings)),
        fmt(add),
        fmt(new_v),
        concentration_text(resulting_c)
    ));
    calc.extend(explanation.iter().cloned());
    let text = format!(
        "Add {} of {name} (calculated {}), mix, and verify again",
        fmt(add),
        exact_fmt(x)
    );
    (
        Some(SolutionCorrection {
            id,
            name,
            calculated: Volume::from_ml(x),
            calculated_text: exact_fmt(x),
            to_add: Volume::from_ml(add),
            rounding: format!("to the measuring step {} ({NEAREST_STEP})", m.step),
            new_volume: Volume::from_ml(new_v),
            resulting: Shown::new(resulting_c, 2),
            resulting_of_target_text: of_text,
            text,
            explanation,
        }),
        None,
    )
}
