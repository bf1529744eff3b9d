//! A sterile solution batch (w/v), made up to volume by one of two methods:
//!
//! - **dilution** of a commercial injection, C1·V1 = C2·V2 with both concentrations on the same
//!   basis (an anhydrous-basis product is converted with the molar masses of
//!   `data/substance.toml`); the stock volume is rounded to a stated measuring step, the diluent
//!   makes up the rest, and the vials opened and what is left in them are counted;
//! - **powder**: the mass of sodium thiosulfate corrected for its form and certificate (the same
//!   [`content_factor`] as the ointment), dissolved and made up to volume with water for
//!   injection, then sterile-filtered.
//!
//! Both print the ideal osmolarity, an upper estimate, so the clinician sees how hypertonic the
//! solution is. Nothing here prints or touches files.

use std::fmt;
use std::str::FromStr;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use super::ointment::{factor_explanation, FormulaRef, Stock};
use super::{display_factor, Balance};
use crate::bud::{duration_limit, DurationLimit};
use crate::error::{Error, Result};
use crate::formula::solution::Diluent;
use crate::formula::{Entry, Formula, Preparation, SolutionSpec, Strength};
use crate::quantity::{format_calculated, Concentration, Mass, Percent, Quantity, Volume};
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
    /// Measuring step for volumes, or the formula's.
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
    /// Concentration from the measured volumes (exact), on the target basis.
    pub concentration_from_rounded: Concentration,
    /// The same as people read it.
    pub concentration_from_rounded_text: String,
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
    /// Concentration from the weighed mass (exact), on the target basis.
    pub concentration_from_rounded: Concentration,
    /// The same as people read it.
    pub concentration_from_rounded_text: String,
}

/// The ideal osmolarity.
#[derive(Debug, Clone, Serialize)]
pub struct Osmolarity {
    /// mOsm/L, exact.
    pub mosm_per_l: Decimal,
    /// As people read it.
    pub text: String,
    /// How it was worked out and why it is an upper estimate.
    pub basis: String,
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
    /// Volume to make (nominal plus overage, rounded up to the measuring step).
    pub total: Volume,
    /// The measuring step volumes are rounded to.
    pub measure_step: Volume,
    /// Why that step.
    pub measure_step_reason: String,
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
    /// The BUD this method earns at the formula's storage before any date or component expiry
    /// is known, from the rules file (the batch record gives the dated BUD).
    pub bud: DurationLimit,
    /// Storage.
    pub storage: String,
    /// The calculation, step by step.
    pub calculations: Vec<String>,
    /// Things the pharmacist must act on.
    pub warnings: Vec<String>,
    /// Lot, compounding date, component lots and beyond-use date; `None` until
    /// [`SolutionPlan::attach_record`] adds them (the binary always does).
    pub record: Option<super::record::BatchRecord>,
}

const NEAREST: &str = "nearest step, halves away from zero";

/// Rounds a volume to a multiple of `step` with the given strategy.
pub fn round_volume(v: Volume, step: Volume, strategy: RoundingStrategy) -> Volume {
    let steps = (v.ml() / step.ml()).round_dp_with_strategy(0, strategy);
    Volume::from_ml(steps * step.ml())
}

/// Writes a calculated concentration to two decimals, `≈` when cut.
pub fn concentration_text(c: Concentration) -> String {
    format_calculated(c.mg_per_ml(), "mg/mL", 2)
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

/// The ideal osmolarity of `c` (on `basis`): mg/mL ÷ molar mass × particles × 1000.
pub fn osmolarity(c: Concentration, basis: Form) -> Osmolarity {
    let s = Substance::sodium_thiosulfate();
    let m = s.molar_mass(basis);
    let n = Decimal::from(PARTICLES_PER_FORMULA_UNIT);
    let value = c.mg_per_ml() / m * n * Decimal::ONE_THOUSAND;
    let text = format_calculated(value, "mOsm/L", 0);
    Osmolarity {
        mosm_per_l: value,
        basis: format!(
            "upper estimate: {c} ({basis}) ÷ {m} g/mol × {n} particles × 1000 = {text}, assuming complete \
             dissociation into 2 Na+ and 1 S2O3 2- (ideal); the real osmolality is lower. Plasma is about 290 mOsm/L: strongly hypertonic"
        ),
        text,
    }
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
    let step = req.measure_step.unwrap_or(spec.measure_step);
    let step_reason = if req.measure_step.is_some() {
        "given with --measure-step".to_string()
    } else {
        spec.measure_step_reason.clone()
    };
    let mut calc = Vec::new();
    let mut warnings = Vec::new();

    let nominal = req.volume;
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
    // Rounded up, never down: the batch must hold at least what was asked for.
    let total = round_volume(with_overage, step, RoundingStrategy::ToPositiveInfinity);
    if total != with_overage {
        calc.push(format!(
            "Volume to make rounded up to the measuring step {step}: {total}"
        ));
    }

    let (method, dilution, powder) = match &req.method {
        MethodRequest::Dilution { stock, diluent } => {
            let d = dilution(
                spec,
                stock,
                diluent.as_deref(),
                strength,
                basis,
                total,
                step,
                &mut calc,
                &mut warnings,
            )?;
            (Method::Dilution, Some(d), None)
        }
        MethodRequest::Powder {
            stock_form,
            certificate,
            balance,
        } => {
            let p = powder(
                formula,
                stock_form.unwrap_or(formula.active.stock_form),
                certificate.as_ref(),
                *balance,
                strength,
                basis,
                total,
                &mut calc,
                &mut warnings,
            )?;
            (Method::Powder, None, Some(p))
        }
    };
    let method_spec = match method {
        Method::Dilution => &spec.dilution,
        Method::Powder => &spec.powder,
    };

    let osmolarity = osmolarity(strength, basis);
    calc.push(format!("Ideal osmolarity: {}", osmolarity.basis));

    let container = spec.container(req.container.as_deref())?;
    let count = (nominal.ml() / container.volume.ml()).ceil();
    let last = nominal.ml() - (count - Decimal::ONE) * container.volume.ml();
    let fill = SolutionFill {
        container: container.id.clone(),
        name: container.name.clone(),
        volume: container.volume,
        count: count.to_u32().unwrap_or(u32::MAX),
        last_holds: Volume::from_ml(last),
    };

    let mut equipment = formula.equipment.clone();
    equipment.extend(method_spec.equipment.iter().cloned());
    let mut method_steps = method_spec.method.clone();
    method_steps.extend(formula.method.iter().cloned());

    Ok(SolutionPlan {
        formula: FormulaRef::of(entry),
        method,
        strength,
        basis,
        nominal,
        overage: req.overage,
        total,
        measure_step: step,
        measure_step_reason: step_reason,
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

/// Checks `c` against the formula's range, comparing mass concentrations so that a formula
/// written in `% w/v` and a strength given in mg/mL (or the reverse) compare correctly.
fn check_strength(formula: &Formula, c: Concentration) -> Result<()> {
    let (min, max) = (
        formula.strength.min.get_ref(),
        formula.strength.max.get_ref(),
    );
    match (min.concentration(), max.concentration()) {
        (Some(lo), Some(hi)) if c >= lo && c <= hi => Ok(()),
        (Some(_), Some(_)) => Err(Error::input(
            "--strength",
            format!(
                "a strength from {min} to {max} ({} basis) for formula `{}`",
                formula.strength.basis, formula.id
            ),
            format!("`{c}`"),
        )),
        _ => formula.check_strength("--strength", Strength::Concentration(c)),
    }
}

/// A concentration on one basis expressed on another (same moles per mL).
pub fn convert(c: Concentration, from: Form, to: Form) -> Concentration {
    let s = Substance::sodium_thiosulfate();
    Concentration::from_mg_per_ml(c.mg_per_ml() * s.basis_factor(from, to))
}

#[allow(clippy::too_many_arguments)]
fn dilution(
    spec: &SolutionSpec,
    choice: &StockChoice,
    diluent: Option<&str>,
    target: Concentration,
    basis: Form,
    total: Volume,
    step: Volume,
    calc: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> Result<DilutionPart> {
    let s = Substance::sodium_thiosulfate();
    let diluent = spec.diluent(diluent)?.clone();
    let (id, name, concentration, stock_basis, vial, source) = match choice {
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
    let v1 = Volume::from_ml(target.mg_per_ml() * total.ml() / on_target.mg_per_ml());
    let v1_text = format_calculated(v1.ml(), "mL", 4);
    let v1r = round_volume(v1, step, RoundingStrategy::MidpointAwayFromZero);
    calc.push(format!(
        "C1·V1 = C2·V2: stock volume = {target} × {total} ÷ {} = {v1_text} → {v1r} (to the measuring step {step}, {NEAREST})",
        concentration_text(on_target)
    ));
    if v1r.ml() <= Decimal::ZERO {
        return Err(Error::Refused(format!(
            "the stock volume {v1_text} rounds to 0 mL at the measuring step {step}: make a larger volume or give a finer --measure-step"
        )));
    }
    let diluent_exact = Volume::from_ml(total.ml() - v1r.ml());
    let dv = round_volume(diluent_exact, step, RoundingStrategy::MidpointAwayFromZero);
    calc.push(format!(
        "{} (diluent): {total} − {v1r} = {dv}",
        diluent.name
    ));
    let final_volume = Volume::from_ml(v1r.ml() + dv.ml());
    if final_volume != total {
        warnings.push(format!(
            "The measured volumes make {final_volume}, not {total}, because of rounding to {step}."
        ));
    }
    let from_rounded =
        Concentration::from_mg_per_ml(on_target.mg_per_ml() * v1r.ml() / final_volume.ml());
    calc.push(format!(
        "Concentration from the measured volumes: {} × {v1r} ÷ {final_volume} = {} ({basis} basis)",
        concentration_text(on_target),
        concentration_text(from_rounded)
    ));
    let vials = (v1r.ml() / vial.ml()).ceil();
    let left_over = Volume::from_ml(vials * vial.ml() - v1r.ml());
    let vials_opened = vials.to_u32().unwrap_or(u32::MAX);
    calc.push(format!(
        "Vials: {v1r} ÷ {vial} per vial → {vials_opened} opened, {left_over} left over (discarded: single-dose)"
    ));
    Ok(DilutionPart {
        stock: StockUsed {
            id,
            name,
            concentration,
            basis: stock_basis,
            on_target_basis: on_target,
            on_target_basis_text: concentration_text(on_target),
            vial,
            source,
        },
        diluent,
        stock_volume_calculated: v1,
        stock_volume_calculated_text: v1_text,
        stock_volume: v1r,
        diluent_volume: dv,
        final_volume,
        concentration_from_rounded: from_rounded,
        concentration_from_rounded_text: concentration_text(from_rounded),
        vials_opened,
        left_over,
    })
}

#[allow(clippy::too_many_arguments)]
fn powder(
    formula: &Formula,
    stock_form: Form,
    cert: Option<&Certificate>,
    balance: Balance,
    target: Concentration,
    basis: Form,
    total: Volume,
    calc: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> Result<PowderPart> {
    let s = Substance::sodium_thiosulfate();
    let factor = content_factor(s, stock_form, cert, basis);
    let factor_basis = factor_explanation(s, stock_form, cert, basis);
    let needed = Mass::from_mg(target.mg_per_ml() * total.ml());
    calc.push(format!(
        "{} needed ({basis} basis): {target} × {total} = {}",
        formula.active.name,
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
    if to_weigh.g() <= Decimal::ZERO {
        return Err(Error::Refused(format!(
            "the powder to weigh ({calculated_text}) is below the balance readability {d}: make a larger volume"
        )));
    }
    let make_up = format!(
        "Dissolve in water for injection and make up to {total} (q.s.) in a volumetric flask; the dissolved salt takes up volume, so never add a calculated volume of water"
    );
    calc.push(make_up.clone());
    let from_rounded = Concentration::from_mg_per_ml(to_weigh.mg() * factor / total.ml());
    calc.push(format!(
        "Concentration from the weighed mass: {to_weigh} × {} ÷ {total} = {} ({basis} basis)",
        display_factor(factor),
        concentration_text(from_rounded)
    ));
    let minimum_weight = balance.minimum_weight();
    let below = to_weigh < minimum_weight;
    if below {
        warnings.push(format!(
            "The powder ({to_weigh}) is below the balance's minimum weight {minimum_weight}: make a larger volume or use a finer balance."
        ));
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
        concentration_from_rounded: from_rounded,
        concentration_from_rounded_text: concentration_text(from_rounded),
    })
}

/// The BUD a preparation method earns at the formula's usual storage, from the USP rules (the
/// formula's `[bud]` declaration resolved for the method).
pub fn method_bud(formula: &crate::formula::Formula, method: Method) -> Result<DurationLimit> {
    let resolved = formula.bud().resolve(Some(&method.to_string()))?;
    duration_limit(&resolved, resolved.default_storage)
}
