//! A sterile solution batch (w/v), made up to volume by one of two methods:
//!
//! - **dilution** of a commercial injection, C1·V1 = C2·V2 with both concentrations on the same
//!   basis (an anhydrous-basis product is converted with the molar masses of
//!   `data/substance.toml`); the stock volume is rounded to a stated measuring step, the diluent
//!   makes up the rest, and the vials opened and what is left in them are counted;
//! - **powder**: the mass of sodium thiosulfate corrected for its form and certificate (the same
//!   [`content_factor`] as the ointment), dissolved and made up to volume with water for
//!   injection, then sterile-filtered. No volume is measured by syringe, so no measuring step
//!   applies: the flask is made up to the volume asked for.
//!
//! Rounding never changes the strength silently: the strength the rounded volumes (or the
//! rounded weight) give is checked against the formula's `[tolerance]`, and a batch outside it
//! is refused with the smallest volume that can be made within it ([`BatchSizing`], which
//! `stscalc session` uses to suggest its batch). Both print the ideal osmolarity, an upper
//! estimate with the diluent's share, so the clinician sees how hypertonic the solution is.
//! Nothing here prints or touches files.

use std::fmt;
use std::str::FromStr;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use super::ointment::{factor_explanation, FormulaRef, Stock};
use super::session::SyringeTable;
use super::verify::Tolerance;
use super::NEAREST_STEP as NEAREST;
use super::{display_factor, display_percent, Balance};
use crate::bud::{duration_limit, DurationLimit};
use crate::error::{Error, Result};
use crate::formula::solution::Diluent;
use crate::formula::{Entry, Formula, Preparation, SolutionSpec, Strength};
use crate::quantity::{
    format_calculated, format_number, format_quantity, Concentration, Mass, Percent, Quantity,
    Shown, Volume,
};
use crate::substance::{content_factor, Certificate, Form, Substance};

/// Ideal number of particles one formula unit of Na2S2O3 gives in solution (2 Na⁺ + S2O3²⁻).
pub const PARTICLES_PER_FORMULA_UNIT: u32 = 3;

/// How the solution is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Dilution of a commercial sterile injection.
    Dilution,
    /// From powder, q.s. to volume, sterile-filtered.
    Powder,
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Method::Dilution => "dilution",
            Method::Powder => "powder",
        })
    }
}

impl FromStr for Method {
    type Err = Error;
    fn from_str(s: &str) -> Result<Method> {
        match s.trim().to_ascii_lowercase().as_str() {
            "dilution" => Ok(Method::Dilution),
            "powder" => Ok(Method::Powder),
            _ => Err(Error::input(
                "--method",
                "`dilution` or `powder`",
                format!("`{s}`"),
            )),
        }
    }
}

/// Which injection to dilute.
#[derive(Debug, Clone)]
pub enum StockChoice {
    /// A product listed in the formula, by id, or its first when `None`.
    Listed(Option<String>),
    /// A product described on the command line.
    Custom {
        /// Labeled concentration.
        concentration: Concentration,
        /// What it is stated on.
        basis: Form,
        /// Vial or ampoule volume.
        vial: Volume,
    },
}

/// What the method needs.
#[derive(Debug, Clone)]
pub enum MethodRequest {
    /// Dilute a commercial injection.
    Dilution {
        /// The injection.
        stock: StockChoice,
        /// Diluent id, or the formula's first.
        diluent: Option<String>,
    },
    /// Dissolve powder.
    Powder {
        /// The form on the shelf, or the formula's usual stock form.
        stock_form: Option<Form>,
        /// The lot's certificate of analysis.
        certificate: Option<Certificate>,
        /// The balance.
        balance: Balance,
    },
}

/// Extra solution made to cover losses (syringe and filter hold-up).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "amount", rename_all = "kebab-case")]
pub enum VolumeOverage {
    /// A percentage of the nominal volume.
    Percent(Percent),
    /// A fixed extra volume.
    Amount(Volume),
}

impl VolumeOverage {
    /// Parses `10%` or `1mL` for `--overage`; 0 to 100 % or a non-negative volume.
    pub fn parse(text: &str) -> Result<VolumeOverage> {
        let found = format!("`{}`", text.trim());
        match text.parse::<Quantity>() {
            Ok(Quantity::Percent(p))
                if p.value() >= Decimal::ZERO && p.value() <= Decimal::ONE_HUNDRED =>
            {
                Ok(VolumeOverage::Percent(p))
            }
            Ok(Quantity::Volume(v)) if v.ml() >= Decimal::ZERO => Ok(VolumeOverage::Amount(v)),
            _ => Err(Error::input(
                "--overage",
                "a percentage from 0 % to 100 % such as `10%`, or a volume such as `1mL`, for a solution",
                found,
            )),
        }
    }

    fn apply(&self, nominal: Volume) -> Volume {
        match *self {
            VolumeOverage::Percent(p) => {
                Volume::from_ml(nominal.ml() * (Decimal::ONE + p.fraction()))
            }
            VolumeOverage::Amount(v) => Volume::from_ml(nominal.ml() + v.ml()),
        }
    }
}

/// What the pharmacist asks for.
#[derive(Debug, Clone)]
pub struct SolutionRequest {
    /// Volume to make (before overage).
    pub volume: Volume,
    /// Strength, or the formula's default (on the formula's basis).
    pub strength: Option<Concentration>,
    /// Extra for losses.
    pub overage: Option<VolumeOverage>,
    /// The method and what it needs.
    pub method: MethodRequest,
    /// Measuring step for volumes, or the formula's (dilution only).
    pub measure_step: Option<Volume>,
    /// Final container id, or the formula's first.
    pub container: Option<String>,
}

/// The injection diluted, as used.
#[derive(Debug, Clone, Serialize)]
pub struct StockUsed {
    /// Product id in the formula (`None` when described on the command line).
    pub id: Option<String>,
    /// Product name.
    pub name: String,
    /// Labeled concentration.
    pub concentration: Concentration,
    /// What it is stated on.
    pub basis: Form,
    /// Its concentration on the target's basis (exact).
    pub on_target_basis: Concentration,
    /// The same as people read it.
    pub on_target_basis_text: String,
    /// Vial volume.
    pub vial: Volume,
    /// Where the product facts come from.
    pub source: String,
}

/// The dilution worked out.
#[derive(Debug, Clone, Serialize)]
pub struct DilutionPart {
    /// The injection.
    pub stock: StockUsed,
    /// The diluent.
    pub diluent: Diluent,
    /// Stock volume before rounding (exact).
    pub stock_volume_calculated: Volume,
    /// The same as people read it.
    pub stock_volume_calculated_text: String,
    /// Stock volume to measure.
    pub stock_volume: Volume,
    /// Diluent volume to measure.
    pub diluent_volume: Volume,
    /// Stock plus diluent.
    pub final_volume: Volume,
    /// Concentration from the measured volumes, on the target basis: exact `value`, read to
    /// two decimals.
    pub concentration_from_rounded: Shown<Concentration>,
    /// That concentration as a percentage of the target (exact); within the formula's
    /// tolerance, or the batch is refused.
    pub of_target: Decimal,
    /// The same as people read it.
    pub of_target_text: String,
    /// Stock vials opened.
    pub vials_opened: u32,
    /// Stock left in the opened vials (discarded: single-dose).
    pub left_over: Volume,
}

/// The powder method worked out.
#[derive(Debug, Clone, Serialize)]
pub struct PowderPart {
    /// The powder and its correction.
    pub stock: Stock,
    /// Active needed on the target basis.
    pub active_needed: Mass,
    /// Mass of powder before rounding (exact).
    pub calculated: Mass,
    /// The same as people read it.
    pub calculated_text: String,
    /// Mass to weigh.
    pub to_weigh: Mass,
    /// How `to_weigh` was obtained.
    pub rounding: String,
    /// The balance.
    pub balance: Balance,
    /// Its minimum weight (USP <41>).
    pub minimum_weight: Mass,
    /// Below it: weigh by the aliquot method.
    pub below_minimum_weight: bool,
    /// The q.s. instruction.
    pub make_up: String,
    /// Concentration from the weighed mass, on the target basis: exact `value`, read to two
    /// decimals.
    pub concentration_from_rounded: Shown<Concentration>,
    /// That concentration as a percentage of the target (exact); within the formula's
    /// tolerance, or the batch is refused.
    pub of_target: Decimal,
    /// The same as people read it.
    pub of_target_text: String,
}

/// The ideal osmolarity.
#[derive(Debug, Clone, Serialize)]
pub struct Osmolarity {
    /// mOsm/L, exact: sodium thiosulfate's and the diluent's share together.
    pub mosm_per_l: Decimal,
    /// As people read it.
    pub text: String,
    /// How it was worked out and why it is an upper estimate.
    pub basis: String,
    /// Sodium thiosulfate's part, mOsm/L (exact).
    pub sodium_thiosulfate_mosm_per_l: Decimal,
    /// The diluent's part: its own osmolarity times its share of the final volume (exact);
    /// 0 for water and for the powder method; `None` when the formula gives no figure for the
    /// diluent, so the total leaves it out (the `basis` says so).
    pub diluent_mosm_per_l: Option<Decimal>,
}

/// How the batch fills the final containers.
#[derive(Debug, Clone, Serialize)]
pub struct SolutionFill {
    /// Container id.
    pub container: String,
    /// Description.
    pub name: String,
    /// Nominal volume of one.
    pub volume: Volume,
    /// Containers needed for the nominal volume.
    pub count: u32,
    /// Volume in the last container.
    pub last_holds: Volume,
}

/// The complete solution batch plan.
#[derive(Debug, Clone, Serialize)]
pub struct SolutionPlan {
    /// The formula used.
    pub formula: FormulaRef,
    /// The preparation made, titled with the strength actually made and its basis.
    pub title: String,
    /// The method.
    pub method: Method,
    /// Target strength.
    pub strength: Concentration,
    /// Its basis.
    pub basis: Form,
    /// Volume asked for.
    pub nominal: Volume,
    /// Overage asked for.
    pub overage: Option<VolumeOverage>,
    /// Volume to make: nominal plus overage, for a dilution rounded up to the measuring step.
    pub total: Volume,
    /// The measuring step the dilution's volumes are rounded to; `None` for the powder method,
    /// which measures no volume by syringe (it is made up to volume in a flask).
    pub measure_step: Option<Volume>,
    /// Why that step (`None` for the powder method).
    pub measure_step_reason: Option<String>,
    /// The strength the rounded volumes or weight must give, as a percentage of the target
    /// (the formula's `[tolerance]`).
    pub tolerance: Tolerance,
    /// The dilution, for that method.
    pub dilution: Option<DilutionPart>,
    /// The powder method, for that method.
    pub powder: Option<PowderPart>,
    /// Ideal osmolarity of the target strength.
    pub osmolarity: Osmolarity,
    /// Final containers.
    pub fill: SolutionFill,
    /// Equipment: the formula's and the method's.
    pub equipment: Vec<String>,
    /// Steps: the method's, then the formula's finishing steps.
    pub method_steps: Vec<String>,
    /// The BUD this method earns at the batch's storage (the formula's usual one until
    /// [`SolutionPlan::attach_record`] adds a record stored otherwise) before any date or
    /// component expiry is known, from the rules file (the batch record gives the dated BUD).
    pub bud: DurationLimit,
    /// The storage statement: the formula's, or the batch's own storage when the record
    /// stores it otherwise.
    pub storage: String,
    /// The calculation, step by step.
    pub calculations: Vec<String>,
    /// Things the pharmacist must act on.
    pub warnings: Vec<String>,
    /// Lot, compounding date, component lots and beyond-use date; `None` until
    /// [`SolutionPlan::attach_record`] adds them (the binary always does).
    pub record: Option<super::record::BatchRecord>,
}

/// Rounds a volume to a multiple of `step` with the given strategy.
pub fn round_volume(v: Volume, step: Volume, strategy: RoundingStrategy) -> Volume {
    Volume::from_ml(super::round_to_multiple(v.ml(), step.ml(), strategy))
}

/// Writes a calculated concentration to two decimals, `≈` when cut.
pub fn concentration_text(c: Concentration) -> String {
    shown_concentration(c).to_string()
}

/// A concentration read to two decimals, for the JSON and the sheets alike.
pub fn shown_concentration(c: Concentration) -> Shown<Concentration> {
    Shown::new(c, 2)
}

/// The formula's solution section, or a refusal naming the formula.
pub fn solution_spec(formula: &Formula) -> Result<&SolutionSpec> {
    match (&formula.preparation, &formula.solution) {
        (Preparation::Solution, Some(s)) => Ok(s),
        _ => Err(Error::Refused(format!(
            "formula `{}` is not a solution: it has no `[solution]` section",
            formula.id
        ))),
    }
}

/// The formula's default strength as a concentration.
pub fn default_concentration(formula: &Formula) -> Result<Concentration> {
    formula.default_strength().concentration().ok_or_else(|| {
        Error::Refused(format!(
            "formula `{}` has strength {}: a solution needs mg/mL or % w/v",
            formula.id,
            formula.default_strength()
        ))
    })
}

/// Most measuring steps tried when looking for the smallest volume that can be made; only a
/// tolerance of exactly 100 % can need more, and then the search reports that it found none.
const SEARCH_STEPS: u32 = 100_000;

/// The largest batch accepted, so that a typo cannot overflow the arithmetic (1,000 L).
pub const HARD_MAX_VOLUME_ML: u32 = 1_000_000;

/// The finest measuring step accepted (0.0001 mL), finer than any syringe or pipette; it keeps
/// the number of steps in a batch within exact arithmetic.
pub fn min_measure_step() -> Volume {
    Volume::from_ml(Decimal::new(1, 4))
}

/// The ideal osmolarity of `c` (on `basis`): mg/mL ÷ molar mass × particles × 1000. Nothing
/// else is dissolved (the powder method makes up to volume with water).
pub fn osmolarity(c: Concentration, basis: Form) -> Osmolarity {
    let s = Substance::sodium_thiosulfate();
    let m = s.molar_mass(basis);
    let n = Decimal::from(PARTICLES_PER_FORMULA_UNIT);
    let value = c.mg_per_ml() / m * n * Decimal::ONE_THOUSAND;
    let text = format_calculated(value, "mOsm/L", 0);
    Osmolarity {
        mosm_per_l: value,
        basis: format!(
            "upper estimate: {c} ({basis}) ÷ {m} g/mol × {n} particles × 1000 = {text}, {IDEAL}"
        ),
        text,
        sodium_thiosulfate_mosm_per_l: value,
        diluent_mosm_per_l: Some(Decimal::ZERO),
    }
}

const IDEAL: &str = "assuming complete dissociation into 2 Na+ and 1 S2O3 2- (ideal); the real \
                     osmolality is lower. Plasma is about 290 mOsm/L: strongly hypertonic";

/// The ideal osmolarity of `c` made by dilution: sodium thiosulfate's (as [`osmolarity`]) plus
/// the diluent's own osmolarity times its share of the final volume. The stock product's
/// excipients (e.g. a buffer) are not counted.
pub fn osmolarity_with_diluent(
    c: Concentration,
    basis: Form,
    diluent: &Diluent,
    diluent_volume: Volume,
    final_volume: Volume,
) -> Osmolarity {
    let mut o = osmolarity(c, basis);
    let sts = o.sodium_thiosulfate_mosm_per_l;
    let sts_text = format_calculated(sts, "mOsm/L", 0);
    let s = Substance::sodium_thiosulfate();
    let m = s.molar_mass(basis);
    let n = PARTICLES_PER_FORMULA_UNIT;
    let sts_part = format!("{c} ({basis}) ÷ {m} g/mol × {n} particles × 1000 = {sts_text}");
    match diluent.osmolarity {
        _ if diluent_volume.ml().is_zero() => {
            o.basis = format!("upper estimate: {sts_part}, no diluent; the stock's excipients are not counted; {IDEAL}");
        }
        Some(own) if final_volume.ml() > Decimal::ZERO => {
            let part = own.value() * diluent_volume.ml() / final_volume.ml();
            let total = sts + part;
            let text = format_calculated(total, "mOsm/L", 0);
            o.basis = if part.is_zero() {
                format!(
                    "upper estimate: {sts_part}; the diluent ({}) adds none; the stock's excipients are not counted; {IDEAL}",
                    diluent.name
                )
            } else {
                format!(
                    "upper estimate: sodium thiosulfate {sts_part}, plus the diluent ({}, {own}) × {diluent_volume} ÷ {final_volume} of the volume = {} ({}): {text}; the stock's excipients are not counted; {IDEAL}",
                    diluent.name,
                    format_calculated(part, "mOsm/L", 0),
                    diluent.osmolarity_source.as_deref().unwrap_or_default()
                )
            };
            o.mosm_per_l = total;
            o.text = text;
            o.diluent_mosm_per_l = Some(part);
        }
        _ => {
            o.basis = format!(
                "upper estimate: {sts_part}, sodium thiosulfate only: it LEAVES OUT the diluent ({}, {diluent_volume} of {final_volume}), for which the formula gives no osmolarity, and the stock's excipients; {IDEAL}",
                diluent.name
            );
            o.diluent_mosm_per_l = None;
        }
    }
    o
}

/// Plans a solution batch.
pub fn plan(entry: &Entry, req: &SolutionRequest) -> Result<SolutionPlan> {
    let formula = &entry.formula;
    let spec = solution_spec(formula)?;
    let basis = formula.strength.basis;
    let strength = match req.strength {
        Some(c) => {
            check_strength(formula, c)?;
            c
        }
        None => default_concentration(formula)?,
    };
    let tolerance = formula.tolerance();
    let mut calc = Vec::new();
    let mut warnings = Vec::new();

    let nominal = req.volume;
    let hard_max = Volume::from_ml(Decimal::from(HARD_MAX_VOLUME_ML));
    if nominal > hard_max {
        return Err(Error::input(
            "--quantity",
            format!("a volume of at most {hard_max} (1,000 L)"),
            format!("`{nominal}`"),
        ));
    }
    let with_overage = req.overage.map_or(nominal, |o| o.apply(nominal));
    calc.push(format!("Volume asked for: {nominal}"));
    match req.overage {
        Some(VolumeOverage::Percent(p)) => calc.push(format!(
            "Overage {p}: {nominal} × (1 + {p}) = {with_overage}"
        )),
        Some(VolumeOverage::Amount(v)) => {
            calc.push(format!("Overage {v}: {nominal} + {v} = {with_overage}"))
        }
        None => {}
    }

    let (method, total, step, dilution, powder) = match &req.method {
        MethodRequest::Dilution { stock, diluent } => {
            let step = req.measure_step.unwrap_or(spec.measure_step);
            check_step(nominal, with_overage, step, req.measure_step.is_some())?;
            // Rounded up, never down: the batch must hold at least what was asked for.
            let total = round_volume(with_overage, step, RoundingStrategy::ToPositiveInfinity);
            if total != with_overage {
                calc.push(format!(
                    "Volume to make rounded up to the measuring step {step}: {total}"
                ));
            }
            let d = dilution(
                spec,
                stock,
                diluent.as_deref(),
                Target {
                    strength,
                    basis,
                    tolerance: &tolerance,
                },
                total,
                step,
                &mut calc,
                &mut warnings,
            )?;
            (Method::Dilution, total, Some(step), Some(d), None)
        }
        MethodRequest::Powder {
            stock_form,
            certificate,
            balance,
        } => {
            if let Some(step) = req.measure_step {
                return Err(Error::input(
                    "--measure-step",
                    "no measuring step with `--method powder` (it makes up to volume in a flask; the step is for the dilution's syringes)",
                    format!("`{step}`"),
                ));
            }
            let p = powder(
                formula,
                stock_form.unwrap_or(formula.active.stock_form),
                certificate.as_ref(),
                *balance,
                Target {
                    strength,
                    basis,
                    tolerance: &tolerance,
                },
                with_overage,
                &mut calc,
                &mut warnings,
            )?;
            (Method::Powder, with_overage, None, None, Some(p))
        }
    };
    let method_spec = match method {
        Method::Dilution => &spec.dilution,
        Method::Powder => &spec.powder,
    };

    let osmolarity = match &dilution {
        Some(d) => osmolarity_with_diluent(
            strength,
            basis,
            &d.diluent,
            d.diluent_volume,
            d.final_volume,
        ),
        None => osmolarity(strength, basis),
    };
    calc.push(format!("Ideal osmolarity: {}", osmolarity.basis));

    let container = spec.container(req.container.as_deref())?;
    let count = (nominal.ml() / container.volume.ml()).ceil();
    let last = nominal.ml() - (count - Decimal::ONE) * container.volume.ml();
    let fill = SolutionFill {
        container: container.id.clone(),
        name: container.name.clone(),
        volume: container.volume,
        count: count.to_u32().ok_or_else(|| {
            Error::Refused(format!(
                "{nominal} needs more than {} containers of {}",
                format_number(u32::MAX.into()),
                container.volume
            ))
        })?,
        last_holds: Volume::from_ml(last),
    };

    let mut equipment = formula.equipment.clone();
    equipment.extend(method_spec.equipment.iter().cloned());
    let mut method_steps = method_spec.method.clone();
    method_steps.extend(formula.method.iter().cloned());

    let (measure_step, measure_step_reason) = match step {
        None => (None, None),
        Some(step) => (
            Some(step),
            Some(if req.measure_step.is_some() {
                "given with --measure-step".to_string()
            } else {
                spec.measure_step_reason.clone()
            }),
        ),
    };
    Ok(SolutionPlan {
        formula: FormulaRef::of(entry),
        title: crate::plan::record::preparation_title(formula, Strength::Concentration(strength)),
        method,
        strength,
        basis,
        nominal,
        overage: req.overage,
        total,
        measure_step,
        measure_step_reason,
        tolerance,
        dilution,
        powder,
        osmolarity,
        fill,
        equipment,
        method_steps,
        bud: method_bud(formula, method)?,
        storage: formula.storage.clone(),
        calculations: calc,
        warnings,
        record: None,
    })
}

/// Refuses a measuring step that cannot measure the batch: finer than any device, or larger
/// than the volume to make (the option to blame is the step when it was given, else the
/// volume).
fn check_step(nominal: Volume, with_overage: Volume, step: Volume, given: bool) -> Result<()> {
    // What was typed, exactly (a volume's display is cut to a few decimals).
    let exact = |v: Volume| format!("`{}`", format_quantity(v.ml(), "mL"));
    let min = min_measure_step();
    if step < min {
        return Err(Error::input(
            "--measure-step",
            format!("a measuring step of at least {min}"),
            exact(step),
        ));
    }
    if step > with_overage {
        return Err(if given {
            Error::input(
                "--measure-step",
                format!("a measuring step no larger than the volume to make, {with_overage}"),
                exact(step),
            )
        } else {
            Error::input(
                "--quantity",
                format!(
                    "a volume of at least the measuring step {step} (or a finer --measure-step for the device you use)"
                ),
                exact(nominal),
            )
        });
    }
    Ok(())
}

/// Checks `c` against the formula's range, comparing mass concentrations so that a formula
/// written in `% w/v` and a strength given in mg/mL (or the reverse) compare correctly.
fn check_strength(formula: &Formula, c: Concentration) -> Result<()> {
    check_concentration(formula, "--strength", c, formula.strength.basis)
}

/// Checks a concentration stated on `basis` against the formula's strength range (on the
/// formula's basis, converted with the molar masses when the bases differ); the refusal names
/// `field`, the range and its basis.
pub fn check_concentration(
    formula: &Formula,
    field: &str,
    c: Concentration,
    basis: Form,
) -> Result<()> {
    let (min, max) = (
        formula.strength.min.get_ref(),
        formula.strength.max.get_ref(),
    );
    let on_formula = convert(c, basis, formula.strength.basis);
    let found = if basis == formula.strength.basis {
        format!("`{c}`")
    } else {
        format!(
            "`{c}` ({basis} basis, {} on the {} basis)",
            concentration_text(on_formula),
            formula.strength.basis
        )
    };
    match (min.concentration(), max.concentration()) {
        (Some(lo), Some(hi)) if on_formula >= lo && on_formula <= hi => Ok(()),
        (Some(_), Some(_)) => Err(Error::input(
            field,
            format!(
                "a strength from {min} to {max} ({} basis) for formula `{}`",
                formula.strength.basis, formula.id
            ),
            found,
        )),
        _ => formula.check_strength(field, Strength::Concentration(on_formula)),
    }
}

/// A concentration on one basis expressed on another (same moles per mL).
pub fn convert(c: Concentration, from: Form, to: Form) -> Concentration {
    if from == to {
        return c;
    }
    let s = Substance::sodium_thiosulfate();
    Concentration::from_mg_per_ml(c.mg_per_ml() * s.basis_factor(from, to))
}

/// What the batch must give: the strength, its basis, and the tolerance around it.
#[derive(Clone, Copy)]
struct Target<'a> {
    strength: Concentration,
    basis: Form,
    tolerance: &'a Tolerance,
}

impl Target<'_> {
    fn limits(&self) -> String {
        format!(
            "the formula's tolerance {} to {}",
            self.tolerance.low, self.tolerance.high
        )
    }
}

/// A concentration as a percentage of the target.
fn of_target(c: Concentration, target: Concentration) -> Decimal {
    c.mg_per_ml() / target.mg_per_ml() * Decimal::ONE_HUNDRED
}

/// The volumes a dilution measures for one batch volume at one step, and what they give.
#[derive(Debug, Clone, Copy)]
struct Measured {
    total: Volume,
    stock_exact: Volume,
    stock: Volume,
    diluent_exact: Volume,
    diluent: Volume,
    final_volume: Volume,
    concentration: Concentration,
    of_target: Decimal,
}

/// C1·V1 = C2·V2 for `total`, the stock rounded to `step` (nearest, halves away from zero),
/// the diluent making up the rest.
fn measure(
    on_target: Concentration,
    target: Concentration,
    total: Volume,
    step: Volume,
) -> Measured {
    let stock_exact = Volume::from_ml(target.mg_per_ml() * total.ml() / on_target.mg_per_ml());
    let stock = round_volume(stock_exact, step, RoundingStrategy::MidpointAwayFromZero);
    let diluent = round_volume(
        Volume::from_ml(total.ml() - stock.ml()),
        step,
        RoundingStrategy::MidpointAwayFromZero,
    );
    let final_volume = Volume::from_ml(stock.ml() + diluent.ml());
    let concentration = if final_volume.ml() > Decimal::ZERO {
        Concentration::from_mg_per_ml(on_target.mg_per_ml() * stock.ml() / final_volume.ml())
    } else {
        Concentration::default()
    };
    Measured {
        total,
        stock_exact,
        stock,
        diluent_exact: Volume::from_ml(total.ml() - stock_exact.ml()),
        diluent,
        final_volume,
        concentration,
        of_target: of_target(concentration, target),
    }
}

/// Why measured volumes cannot be used: a component smaller than the step that measures it
/// (as text), and whether the strength they give is outside the tolerance.
fn faults(m: &Measured, step: Volume, target: Target<'_>) -> (Vec<String>, bool) {
    let mut out = Vec::new();
    let exact = |v: Volume| format_calculated(v.ml(), "mL", 6);
    if m.stock_exact < step {
        out.push(format!(
            "the stock ({}) is less than the measuring step",
            exact(m.stock_exact)
        ));
    }
    if m.diluent_exact.ml() > Decimal::ZERO && m.diluent_exact < step {
        out.push(format!(
            "the diluent ({}) is less than the measuring step",
            exact(m.diluent_exact)
        ));
    }
    (out, !target.tolerance.contains(m.of_target))
}

/// Whether every measured volume is at least the syringe table's minimum share of a syringe
/// whose graduation measures it (a volume no syringe graduation measures passes: the step then
/// assumes another device, which the batch states).
fn syringes_measure(m: &Measured, table: &SyringeTable) -> bool {
    [m.stock, m.diluent]
        .into_iter()
        .filter(|v| v.ml() > Decimal::ZERO)
        .all(|v| !matches!(table.fit(v), super::session::SyringeFit::TooSmall { .. }))
}

/// The smallest multiple of `step` from `from` up whose measured volumes are all at least the
/// step, give a strength within the tolerance, and are each measured well by a syringe.
fn smallest_dilution(
    on_target: Concentration,
    from: Volume,
    step: Volume,
    target: Target<'_>,
    table: &SyringeTable,
) -> Option<Measured> {
    let mut k = (from.ml() / step.ml()).ceil().max(Decimal::ONE);
    for _ in 0..SEARCH_STEPS {
        let m = measure(
            on_target,
            target.strength,
            Volume::from_ml(k * step.ml()),
            step,
        );
        let (below_step, outside) = faults(&m, step, target);
        if below_step.is_empty() && !outside && syringes_measure(&m, table) {
            return Some(m);
        }
        k += Decimal::ONE;
    }
    None
}

/// `stock 0.3 mL + diluent 0.2 mL give 150 mg/mL, 100 %`.
fn measured_text(m: &Measured) -> String {
    let dil = if m.diluent.ml().is_zero() {
        "no diluent".to_string()
    } else {
        format!("diluent {}", m.diluent)
    };
    format!(
        "stock {} + {dil} give {}, {}",
        m.stock,
        concentration_text(m.concentration),
        display_percent(m.of_target, "%")
    )
}

fn smallest_text(
    found: Option<Measured>,
    from: Volume,
    step: Volume,
    table: &SyringeTable,
) -> String {
    match found {
        Some(m) => format!(
            "The smallest volume from {from} up that can be made within the tolerance at the measuring step {step}, each volume at least {} of a syringe that measures it, is {} ({}): ask for that volume, or give a finer --measure-step for a device that measures it",
            table.min_fraction,
            m.total,
            measured_text(&m)
        ),
        None => format!(
            "No volume from {from} up to {} can be made within the tolerance at the measuring step {step}: give a finer --measure-step",
            Volume::from_ml(from.ml() + step.ml() * Decimal::from(SEARCH_STEPS))
        ),
    }
}

#[allow(clippy::too_many_arguments)]
fn dilution(
    spec: &SolutionSpec,
    choice: &StockChoice,
    diluent: Option<&str>,
    target: Target<'_>,
    total: Volume,
    step: Volume,
    calc: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> Result<DilutionPart> {
    let diluent = spec.diluent(diluent)?.clone();
    let table = SyringeTable::embedded();
    let mut stock = stock_used(spec, choice, warnings)?;
    let on_target = stock_on_target(&stock, target, calc)?;
    stock.on_target_basis = on_target;
    stock.on_target_basis_text = concentration_text(on_target);
    let basis = target.basis;
    let m = measure(on_target, target.strength, total, step);
    let v1_text = format_calculated(m.stock_exact.ml(), "mL", 4);
    let (v1r, dv) = (m.stock, m.diluent);
    calc.push(format!(
        "C1·V1 = C2·V2: stock volume = {} × {total} ÷ {} = {v1_text} → {v1r} (to the measuring step {step}, {NEAREST})",
        target.strength,
        concentration_text(on_target)
    ));
    let (below_step, outside) = faults(&m, step, target);
    if outside || !below_step.is_empty() {
        let found = smallest_dilution(on_target, total, step, target, table);
        let verdict = match (outside, below_step.is_empty()) {
            (true, true) => format!("outside {}", target.limits()),
            (true, false) => format!("outside {}; {}", target.limits(), below_step.join("; ")),
            (false, _) => format!("within {}, but {}", target.limits(), below_step.join("; ")),
        };
        return Err(Error::Refused(format!(
            "{total} of {} ({basis} basis) cannot be made by dilution at the measuring step {step}: the stock {v1_text} → {v1r} and {} give {}, {} of the target, {verdict}. {}",
            target.strength,
            if dv.ml().is_zero() { "no diluent".to_string() } else { format!("the diluent {dv}") },
            concentration_text(m.concentration),
            display_percent(m.of_target, "%"),
            smallest_text(found, total, step, table)
        )));
    }
    if dv.ml().is_zero() {
        calc.push(format!(
            "No diluent: the stock is used as it is ({} on the {basis} basis is the target strength)",
            concentration_text(on_target)
        ));
    } else {
        calc.push(format!(
            "{} (diluent): {total} − {v1r} = {dv}",
            diluent.name
        ));
    }
    let final_volume = m.final_volume;
    if final_volume != total {
        warnings.push(format!(
            "The measured volumes make {final_volume}, not {total}, because of rounding to {step}."
        ));
    }
    calc.push(format!(
        "Concentration from the measured volumes: {} × {v1r} ÷ {final_volume} = {} ({basis} basis), {} of the target {}: within {}",
        concentration_text(on_target),
        concentration_text(m.concentration),
        display_percent(m.of_target, "%"),
        target.strength,
        target.limits()
    ));
    for (what, v) in [("stock", v1r), ("diluent", dv)] {
        if v.ml().is_zero() {
            continue;
        }
        match table.fit(v) {
            super::session::SyringeFit::Fits => {}
            super::session::SyringeFit::TooSmall { name, minimum } => warnings.push(format!(
                "The {what} volume {v} is below {} of the {name} ({minimum}), the smallest syringe whose graduation measures it: hard to measure accurately. Make a larger volume (`stscalc session` suggests one).",
                table.min_fraction
            )),
            super::session::SyringeFit::NoSyringe => warnings.push(format!(
                "No syringe of data/syringes.toml measures the {what} volume {v} on its graduations: the measuring step {step} assumes a finer device; check that it measures {v} at no less than {} of its capacity.",
                table.min_fraction
            )),
        }
    }
    let vial = stock.vial;
    let vials = (v1r.ml() / vial.ml()).ceil();
    let left_over = Volume::from_ml(vials * vial.ml() - v1r.ml());
    let vials_opened = vials.to_u32().ok_or_else(|| {
        Error::Refused(format!(
            "{v1r} of stock needs more than {} vials of {vial}",
            format_number(u32::MAX.into())
        ))
    })?;
    calc.push(format!(
        "Vials: {v1r} ÷ {vial} per vial → {} opened, {left_over} left over (discarded: single-dose)",
        format_number(vials)
    ));
    Ok(DilutionPart {
        stock,
        diluent,
        stock_volume_calculated: m.stock_exact,
        stock_volume_calculated_text: v1_text,
        stock_volume: v1r,
        diluent_volume: dv,
        final_volume,
        concentration_from_rounded: shown_concentration(m.concentration),
        of_target: m.of_target,
        of_target_text: display_percent(m.of_target, "%"),
        vials_opened,
        left_over,
    })
}

/// The injection chosen: listed in the formula, or described on the command line (which is
/// warned about).
fn stock_used(
    spec: &SolutionSpec,
    choice: &StockChoice,
    warnings: &mut Vec<String>,
) -> Result<StockUsed> {
    let (id, name, concentration, basis, vial, source) = match choice {
        StockChoice::Listed(id) => {
            let p = spec.stock(id.as_deref())?;
            let c = p
                .concentration
                .concentration()
                .expect("stock concentrations are checked when the formula is loaded");
            (
                Some(p.id.clone()),
                p.name.clone(),
                c,
                p.basis,
                p.vial,
                p.source.clone(),
            )
        }
        StockChoice::Custom {
            concentration,
            basis,
            vial,
        } => {
            warnings.push(format!(
                "The stock was described on the command line ({concentration}, {basis} basis, {vial} vials): check these against the product's label."
            ));
            (
                None,
                "Sodium thiosulfate injection (described on the command line)".to_string(),
                *concentration,
                *basis,
                *vial,
                "given on the command line".to_string(),
            )
        }
    };
    Ok(StockUsed {
        id,
        name,
        concentration,
        basis,
        // Filled by `stock_on_target`.
        on_target_basis: concentration,
        on_target_basis_text: String::new(),
        vial,
        source,
    })
}

/// The stock's concentration on the target's basis; refuses a stock weaker than the target,
/// with both on one basis.
fn stock_on_target(
    stock: &StockUsed,
    target: Target<'_>,
    calc: &mut Vec<String>,
) -> Result<Concentration> {
    let s = Substance::sodium_thiosulfate();
    let (concentration, stock_basis, name) = (stock.concentration, stock.basis, &stock.name);
    let (basis, target) = (target.basis, target.strength);
    let on_target = convert(concentration, stock_basis, basis);
    if stock_basis != basis {
        calc.push(format!(
            "Stock on the {basis} basis: {concentration} {stock_basis} × {} / {} (molar masses, {basis} / {stock_basis}) = {}",
            s.molar_mass(basis),
            s.molar_mass(stock_basis),
            concentration_text(on_target)
        ));
    }
    if on_target < target {
        let target_on_stock = convert(target, basis, stock_basis);
        let same = if stock_basis == basis {
            format!("the stock is {concentration}, the target {target} (both {basis} basis)")
        } else {
            format!(
                "on the {stock_basis} basis the target {target} {basis} is {target} × {} / {} = {} {stock_basis}, \
                 above the stock's {concentration} {stock_basis} (on the {basis} basis: stock {} < target {target})",
                s.molar_mass(stock_basis),
                s.molar_mass(basis),
                concentration_text(target_on_stock),
                concentration_text(on_target),
            )
        };
        return Err(Error::Refused(format!(
            "dilution cannot make {target} ({basis} basis) from `{name}`: the stock is weaker than the target; {same}. \
             Use a stronger stock or `--method powder`"
        )));
    }
    Ok(on_target)
}

/// The smallest volume at which weighing to the balance's readability `d` keeps the strength
/// within the tolerance whatever the volume above it: the powder must then be at least
/// `d ÷ (2 × margin)`, the margin being the tolerance's narrower side, so that rounding by at
/// most `d / 2` moves it by at most the margin. Rounded up to 0.01 mL. `None` for a tolerance
/// with no margin.
fn powder_min_volume(
    target: Target<'_>,
    factor: Decimal,
    balance: Balance,
) -> Option<(Volume, Mass, Decimal)> {
    let hundred = Decimal::ONE_HUNDRED;
    let margin =
        (target.tolerance.high.value() - hundred).min(hundred - target.tolerance.low.value());
    if margin <= Decimal::ZERO {
        return None;
    }
    let powder = Mass::from_g(balance.readability.g() * hundred / (Decimal::TWO * margin));
    let ml = powder.mg() * factor / target.strength.mg_per_ml();
    let ml = ml.round_dp_with_strategy(2, RoundingStrategy::ToPositiveInfinity);
    Some((Volume::from_ml(ml), powder, margin))
}

/// The smallest volume (rounded up to 0.01 mL, as [`powder_min_volume`]) whose powder, weighed
/// to the balance, reaches the balance's minimum weight (USP <41>): below it the weighing
/// error is too large a share of the mass for a sterile injection. `None` when no volume up to
/// the largest batch does.
fn powder_min_weight_volume(
    strength: Concentration,
    factor: Decimal,
    balance: Balance,
) -> Option<Volume> {
    let min = balance.minimum_weight();
    let ml = (min.mg() * factor / strength.mg_per_ml())
        .round_dp_with_strategy(2, RoundingStrategy::ToPositiveInfinity);
    let step = Decimal::new(1, 2);
    // Rounding the weighed mass to the nearest readable step may take it just below a minimum
    // weight that is not a whole number of steps (a measured repeatability): go up until the
    // weighed mass reaches it; a few steps at most.
    let mut ml = ml.max(step);
    for _ in 0..SEARCH_STEPS {
        if ml > Decimal::from(HARD_MAX_VOLUME_ML) {
            return None;
        }
        let weighed = balance.round(Mass::from_mg(strength.mg_per_ml() * ml / factor));
        if weighed >= min {
            return Some(Volume::from_ml(ml));
        }
        ml += step;
    }
    None
}

#[allow(clippy::too_many_arguments)]
fn powder(
    formula: &Formula,
    stock_form: Form,
    cert: Option<&Certificate>,
    balance: Balance,
    target: Target<'_>,
    total: Volume,
    calc: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> Result<PowderPart> {
    let s = Substance::sodium_thiosulfate();
    let basis = target.basis;
    let factor = content_factor(s, stock_form, cert, basis);
    if let Some(c) = cert {
        warnings.extend(s.certificate_warnings(stock_form, c));
    }
    let factor_basis = factor_explanation(s, stock_form, cert, basis);
    let needed = Mass::from_mg(target.strength.mg_per_ml() * total.ml());
    calc.push(format!(
        "{} needed ({basis} basis): {} × {total} = {}",
        formula.active.name,
        target.strength,
        needed.display_mg()
    ));
    calc.push(format!(
        "1 g of powder ({stock_form}) gives {} g on the {basis} basis: {factor_basis}",
        display_factor(factor)
    ));
    let calculated = Mass::from_g(needed.g() / factor);
    let calculated_text = calculated.display_calculated(6);
    let to_weigh = balance.round(calculated);
    let d = balance.readability;
    calc.push(format!(
        "Powder to weigh: {needed} ÷ {} = {calculated_text} → {to_weigh} (to the balance readability {d}, {NEAREST})",
        display_factor(factor)
    ));
    let from_rounded = Concentration::from_mg_per_ml(to_weigh.mg() * factor / total.ml());
    let of = of_target(from_rounded, target.strength);
    let minimum_weight = balance.minimum_weight();
    let min_weight_volume = powder_min_weight_volume(target.strength, factor, balance);
    let min_weight_fix = |v: Volume| {
        format!(
            "Make at least {v}: its powder then reaches the minimum weight ({}); or use a finer balance (--readability)",
            balance.minimum_weight_basis()
        )
    };
    if !target.tolerance.contains(of) {
        let fix = match powder_min_volume(target, factor, balance) {
            // The minimum weight asks for more than the tolerance: suggest what is made.
            Some((v, _, _)) if min_weight_volume.is_some_and(|m| m > v) => {
                min_weight_fix(min_weight_volume.expect("checked"))
            }
            Some((v, powder, margin)) => format!(
                "Make at least {v}: the powder is then at least {d} ÷ (2 × {}) = {}, so rounding to the balance moves the strength by at most {}; or use a finer balance (--readability)",
                display_percent(margin, "%"),
                powder.display_calculated(6),
                display_percent(margin, "%"),
            ),
            None => "Use a finer balance (--readability)".to_string(),
        };
        return Err(Error::Refused(format!(
            "{total} of {} ({basis} basis) cannot be made from powder within {} at the balance readability {d}: the powder {calculated_text} → {to_weigh} gives {}, {} of the target. {fix}",
            target.strength,
            target.limits(),
            concentration_text(from_rounded),
            display_percent(of, "%"),
        )));
    }
    let make_up = format!(
        "Dissolve in water for injection and make up to {total} (q.s.) in a volumetric flask; the dissolved salt takes up volume, so never add a calculated volume of water"
    );
    calc.push(make_up.clone());
    calc.push(format!(
        "Concentration from the weighed mass: {to_weigh} × {} ÷ {total} = {} ({basis} basis), {} of the target {}: within {}",
        display_factor(factor),
        concentration_text(from_rounded),
        display_percent(of, "%"),
        target.strength,
        target.limits()
    ));
    // A sterile injection weighed below the balance's minimum weight is refused, not warned:
    // the weighing error is then too large a share of the dose.
    let below = to_weigh < minimum_weight;
    if below {
        let fix = min_weight_volume.map_or_else(
            || "Use a finer balance (--readability)".to_string(),
            min_weight_fix,
        );
        return Err(Error::Refused(format!(
            "{total} of {} ({basis} basis) from powder weighs {to_weigh}, below the balance's minimum weight {minimum_weight} (USP <41>). {fix}",
            target.strength
        )));
    }
    warnings.push(
        "Nonsterile powder: the solution must be sterile-filtered (0.22 µm) and the filter's integrity tested before release."
            .into(),
    );
    Ok(PowderPart {
        stock: Stock {
            form: stock_form,
            formula: s.form(stock_form).formula.clone(),
            certificate: cert.copied(),
            factor,
            factor_text: display_factor(factor),
            factor_basis,
        },
        active_needed: needed,
        calculated,
        calculated_text,
        to_weigh,
        rounding: if calculated == to_weigh {
            "none needed".into()
        } else {
            format!("to the balance readability {d} ({NEAREST})")
        },
        balance,
        minimum_weight,
        below_minimum_weight: below,
        make_up,
        concentration_from_rounded: shown_concentration(from_rounded),
        of_target: of,
        of_target_text: display_percent(of, "%"),
    })
}

/// Finds the smallest batch volume that can be made within the formula's tolerance, for one
/// strength made by one method with the formula's defaults: the first stock and diluent and
/// the formula's measuring step for a dilution (each volume also at least the syringe table's
/// minimum share of a syringe that measures it); the usual stock form, no certificate and the
/// default balance ([`super::DEFAULT_READABILITY`]) for powder. `stscalc session` and its
/// series use it so that the batch they suggest is one `stscalc batch` makes.
#[derive(Debug, Clone)]
pub struct BatchSizing {
    method: Method,
    strength: Concentration,
    basis: Form,
    tolerance: Tolerance,
    how: Sizing,
}

#[derive(Debug, Clone)]
enum Sizing {
    Dilution {
        on_target: Concentration,
        step: Volume,
    },
    Powder {
        factor: Decimal,
        balance: Balance,
    },
}

/// A batch volume chosen by [`BatchSizing::smallest_from`].
#[derive(Debug, Clone, Serialize)]
pub struct SizedBatch {
    /// The volume to make.
    pub volume: Volume,
    /// How it was chosen and what it gives, for the calculation lines.
    pub reason: String,
}

impl BatchSizing {
    /// For `strength` (on the formula's basis) made by `method`. Refuses a formula whose
    /// default stock is weaker than `strength`.
    pub fn new(formula: &Formula, strength: Concentration, method: Method) -> Result<BatchSizing> {
        let spec = solution_spec(formula)?;
        let basis = formula.strength.basis;
        let tolerance = formula.tolerance();
        let how = match method {
            Method::Dilution => {
                let mut none = Vec::new();
                let stock = stock_used(spec, &StockChoice::Listed(None), &mut none)?;
                let on_target = stock_on_target(
                    &stock,
                    Target {
                        strength,
                        basis,
                        tolerance: &tolerance,
                    },
                    &mut none,
                )?;
                Sizing::Dilution {
                    on_target,
                    step: spec.measure_step,
                }
            }
            Method::Powder => {
                let s = Substance::sodium_thiosulfate();
                let readability = crate::quantity::parse_positive::<Mass>(
                    "--readability",
                    super::DEFAULT_READABILITY,
                )?;
                Sizing::Powder {
                    factor: content_factor(s, formula.active.stock_form, None, basis),
                    balance: Balance {
                        readability,
                        repeatability: None,
                    },
                }
            }
        };
        Ok(BatchSizing {
            method,
            strength,
            basis,
            tolerance,
            how,
        })
    }

    /// The method it sizes for.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The smallest volume from `from` up that the method makes within the tolerance: for a
    /// dilution a multiple of the measuring step, for powder `from` itself unless weighing to
    /// the balance would put it outside. `None` when none was found.
    pub fn smallest_from(&self, from: Volume) -> Option<SizedBatch> {
        if from.ml() <= Decimal::ZERO {
            return None;
        }
        let target = Target {
            strength: self.strength,
            basis: self.basis,
            tolerance: &self.tolerance,
        };
        match self.how {
            Sizing::Dilution { on_target, step } => {
                let table = SyringeTable::embedded();
                let m = smallest_dilution(on_target, from, step, target, table)?;
                let plain =
                    Volume::from_ml((from.ml() / step.ml()).ceil().max(Decimal::ONE) * step.ml());
                let reason = if m.total == plain {
                    format!(
                        "{from} rounded up to the measuring step {step}: {} ({}, within {})",
                        m.total,
                        measured_text(&m),
                        target.limits()
                    )
                } else {
                    format!(
                        "{from} rounded up to {}, the smallest volume from {from} up that the measuring step {step} makes within {} with each volume at least {} of a syringe that measures it ({})",
                        m.total,
                        target.limits(),
                        table.min_fraction,
                        measured_text(&m)
                    )
                };
                Some(SizedBatch {
                    volume: m.total,
                    reason,
                })
            }
            Sizing::Powder { factor, balance } => {
                // `stscalc batch --method powder` refuses a powder below the balance's minimum
                // weight: start from the volume that reaches it.
                let min_weight = powder_min_weight_volume(self.strength, factor, balance)?;
                let (asked, from) = (from, from.max(min_weight));
                let raised = if from > asked {
                    format!(
                        "{asked} raised to {from}, the smallest volume (rounded up to 0.01 mL) whose powder reaches the balance's minimum weight {} ({}); ",
                        balance.minimum_weight(),
                        balance.minimum_weight_basis()
                    )
                } else {
                    String::new()
                };
                let weighed = balance.round(Mass::from_g(
                    self.strength.mg_per_ml() * from.ml() / Decimal::ONE_THOUSAND / factor,
                ));
                let c = Concentration::from_mg_per_ml(weighed.mg() * factor / from.ml());
                if self.tolerance.contains(of_target(c, self.strength)) {
                    return Some(SizedBatch {
                        volume: from,
                        reason: format!(
                            "{raised}{from} made up to volume from powder (weighed to {}: within {})",
                            balance.readability,
                            target.limits()
                        ),
                    });
                }
                let (v, _, _) = powder_min_volume(target, factor, balance)?;
                Some(SizedBatch {
                    volume: v,
                    reason: format!(
                        "{raised}{from} raised to {v}, the smallest volume that weighing to {} keeps within {}",
                        balance.readability,
                        target.limits()
                    ),
                })
            }
        }
    }
}

/// The BUD a preparation method earns at the formula's usual storage, from the USP rules (the
/// formula's `[bud]` declaration resolved for the method).
pub fn method_bud(formula: &crate::formula::Formula, method: Method) -> Result<DurationLimit> {
    let resolved = formula.bud().resolve(Some(&method.to_string()))?;
    duration_limit(&resolved, resolved.default_storage)
}
