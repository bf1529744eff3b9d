//! A sterile solution batch (w/v), made up to volume by one of two methods:
//!
//! - **dilution** of a commercial injection, C1·V1 = C2·V2 with both concentrations on the same
//!   basis (an anhydrous-basis product is converted with the molar masses of
//!   `data/substance.toml`); the stock and diluent are whole measuring steps, and the vials
//!   opened (each less its residual) and what is left in them are counted;
//! - **powder**: the mass of sodium thiosulfate corrected for its form and certificate (the same
//!   [`content_factor`] as the ointment), dissolved and made up to volume in a volumetric flask
//!   that exists (`data/volumes.toml`), then sterile-filtered. No volume is measured by syringe,
//!   so no measuring step applies.
//!
//! The volume made covers what cannot be recovered: the residual each final vial keeps and, for
//! powder, the filter's hold-up (`data/volumes.toml`, overridable). A dilution is never planned
//! to the edge of the tolerance: the volume made is the smallest from the need up whose measured
//! volumes give the target exactly, or, where none does, within the data's planning margin
//! (±1 %), which the plan states ([`BatchSizing`] does the same for `stscalc session`). The
//! formula's `[tolerance]` still checks what the rounded volumes or weight give. The ideal
//! osmolarity, an upper estimate with the diluent's share, is that of the concentration made.
//! Nothing here prints or touches files.

use std::fmt;
use std::str::FromStr;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::ointment::{factor_explanation, FormulaRef, Stock};
use super::syringe::SyringeTable;
use super::NEAREST_STEP as NEAREST;
use super::{display_factor, display_percent, Balance};
use crate::bud::{duration_limit, DurationLimit};
use crate::error::field::{
    CONTAINER, FILTER_HOLD_UP, MEASURE_STEP, METHOD, QUANTITY, READABILITY, STRENGTH, VIALS,
    VIAL_RESIDUAL,
};
use crate::error::{Error, Result};
use crate::formula::solution::Diluent;
use crate::formula::Tolerance;
use crate::formula::{Entry, Formula, Preparation, SolutionSpec, Strength};
use crate::quantity::{
    format_calculated, format_number, format_quantity, Concentration, Mass, Percent, Shown, Volume,
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
                METHOD,
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
    /// One single-dose vial per volume listed (`--vials 4.1mL,4.1mL`), each filled with its
    /// volume and the residual it keeps; `volume` is then their sum. `None`: the volume fills
    /// as many containers as it takes.
    pub vials: Option<Vec<Volume>>,
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
    /// What each vial keeps that cannot be drawn up, or `data/volumes.toml`'s figure.
    pub vial_residual: Option<Volume>,
    /// What the sterilizing filter keeps (powder method), or `data/volumes.toml`'s figure.
    pub filter_hold_up: Option<Volume>,
}

/// A volume with the source of its figure.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourcedVolume {
    /// The volume.
    pub volume: Volume,
    /// Where the figure comes from.
    pub source: String,
}

/// The volumetric flask sizes the powder method makes up to.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flasks {
    /// Sizes, smallest first.
    pub sizes: Vec<Volume>,
    /// Where the list comes from.
    pub source: String,
}

/// How a dilution is planned around its target.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DilutionPolicy {
    /// Where no volume reaches the target exactly, the largest distance from it a planned
    /// batch may have (a share of the target).
    pub planning_margin: Percent,
    /// Where that margin comes from.
    pub planning_margin_source: String,
    /// An exact volume is preferred to a near one up to this many times the volume needed
    /// (a plain number written as a string, e.g. `"2"`).
    pub exact_up_to: String,
    /// Why that factor.
    pub exact_up_to_source: String,
}

impl DilutionPolicy {
    /// `exact_up_to` as a number (checked when the file is loaded).
    pub fn exact_up_to(&self) -> Decimal {
        Decimal::from_str_exact(self.exact_up_to.trim()).unwrap_or(Decimal::ONE)
    }
}

/// The volumes data (`data/volumes.toml`): what a batch loses, the flasks it is made up in and
/// how close to its target a dilution is planned.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VolumeData {
    /// What a vial keeps that cannot be drawn up.
    pub vial_residual: SourcedVolume,
    /// What a 0.22 µm syringe filter keeps (powder method).
    pub filter_hold_up: SourcedVolume,
    /// Volumetric flask sizes.
    pub flasks: Flasks,
    /// The dilution's planning margin.
    pub dilution: DilutionPolicy,
}

const VOLUMES_TOML: &str = include_str!("../../data/volumes.toml");

impl VolumeData {
    /// Parses and checks the volumes data: losses not negative, flask sizes above zero and
    /// smallest first, a planning margin from 0 % to below 100 %, `exact_up_to` at least 1.
    pub fn parse(file: &str, text: &str) -> Result<VolumeData> {
        let d: VolumeData = crate::data::from_toml(crate::data::FileKind::Data, file, text)?;
        let bad = |message: String| Error::DataFile {
            file: file.to_string(),
            line: None,
            column: None,
            message,
        };
        for (name, v) in [
            ("vial_residual.volume", d.vial_residual.volume),
            ("filter_hold_up.volume", d.filter_hold_up.volume),
        ] {
            if v.ml() < Decimal::ZERO {
                return Err(bad(format!(
                    "`{name}` is {v}: expected a volume of 0 mL or more"
                )));
            }
        }
        if d.flasks.sizes.is_empty() {
            return Err(bad(
                "`flasks.sizes` is empty: expected at least one size".into()
            ));
        }
        let mut previous = Decimal::ZERO;
        for f in &d.flasks.sizes {
            if f.ml() <= previous {
                return Err(bad(format!(
                    "`flasks.sizes`: expected sizes above zero, smallest first, found {f} after {}",
                    Volume::from_ml(previous)
                )));
            }
            previous = f.ml();
        }
        let m = d.dilution.planning_margin.value();
        if m < Decimal::ZERO || m >= Decimal::ONE_HUNDRED {
            return Err(bad(format!(
                "`dilution.planning_margin` is {}: expected a percentage from 0 % to below 100 %",
                d.dilution.planning_margin
            )));
        }
        match Decimal::from_str_exact(d.dilution.exact_up_to.trim()) {
            Ok(x) if x >= Decimal::ONE && x <= Decimal::ONE_HUNDRED => {}
            _ => {
                return Err(bad(format!(
                    "`dilution.exact_up_to` is `{}`: expected a number from 1 to 100",
                    d.dilution.exact_up_to
                )))
            }
        }
        Ok(d)
    }

    /// The shipped data, parsed once.
    pub fn embedded() -> &'static VolumeData {
        static CELL: std::sync::OnceLock<VolumeData> = std::sync::OnceLock::new();
        CELL.get_or_init(|| {
            VolumeData::parse("data/volumes.toml", VOLUMES_TOML)
                .expect("the embedded volumes data is checked by the test suite")
        })
    }

    /// The losses with the overrides given (`None`: the data's figure).
    pub fn losses(&self, vial_residual: Option<Volume>, filter_hold_up: Option<Volume>) -> Losses {
        Losses {
            vial_residual: vial_residual.unwrap_or(self.vial_residual.volume),
            vial_residual_source: match vial_residual {
                Some(_) => format!("given with {VIAL_RESIDUAL}"),
                None => self.vial_residual.source.clone(),
            },
            filter_hold_up: filter_hold_up.unwrap_or(self.filter_hold_up.volume),
            filter_hold_up_source: match filter_hold_up {
                Some(_) => format!("given with {FILTER_HOLD_UP}"),
                None => self.filter_hold_up.source.clone(),
            },
        }
    }
}

/// What a batch loses and must make in addition to what is drawn from it.
#[derive(Debug, Clone, Serialize)]
pub struct Losses {
    /// Kept by each vial (each final vial, and each opened stock vial).
    pub vial_residual: Volume,
    /// Where that figure comes from.
    pub vial_residual_source: String,
    /// Kept by the sterilizing filter (powder method only).
    pub filter_hold_up: Volume,
    /// Where that figure comes from.
    pub filter_hold_up_source: String,
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
    /// Volume in each container but the last: its nominal volume and the residual it keeps.
    pub holds: Volume,
    /// Volume in the last container: the rest of what was made.
    pub last_holds: Volume,
    /// With a list of vials (`--vials`), what each holds: its volume and the residual it keeps,
    /// the last the rest of what was made. Empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vials: Vec<Volume>,
}

impl SolutionFill {
    /// What the containers hold, as the record and the text output say it.
    pub fn holds_text(&self) -> String {
        if !self.vials.is_empty() {
            let each: Vec<String> = self.vials.iter().map(Volume::to_string).collect();
            return format!("they hold {}", each.join(", "));
        }
        if self.count == 1 {
            format!("it holds {}", self.last_holds)
        } else {
            format!("each holds {}, the last {}", self.holds, self.last_holds)
        }
    }

    /// What container `k` (from 1 to `count`) holds: the last one holds the rest.
    pub fn holds_in(&self, k: u32) -> Volume {
        if let Some(v) = self.vials.get(k.saturating_sub(1) as usize) {
            return *v;
        }
        if k >= self.count {
            self.last_holds
        } else {
            self.holds
        }
    }
}

/// The complete solution batch plan.
#[derive(Debug, Clone, Serialize)]
pub struct SolutionPlan {
    /// The formula used.
    pub formula: FormulaRef,
    /// The preparation made, titled with the strength actually made and its basis.
    pub title: String,
    /// A sterile preparation (the formula's `[bud] kind`): from powder it is sterile-filtered.
    pub sterile: bool,
    /// The quantity-sufficient vehicle the powder is made up to volume with.
    pub vehicle: String,
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
    /// Volume needed: nominal plus overage plus the residual each final vial keeps (and, for
    /// powder, the filter's hold-up).
    pub need: Volume,
    /// The losses counted, with their sources.
    pub losses: Losses,
    /// Volume to make: the smallest from `need` up that a dilution's measuring step makes at
    /// exactly the target (or, where none does, within the planning margin of
    /// `data/volumes.toml`); for powder the smallest volumetric flask that holds `need`.
    pub total: Volume,
    /// What goes into the final vials: all of a dilution; for powder `need` less the filter's
    /// hold-up (the rest of the flask is discarded).
    pub filled: Volume,
    /// The powder method's volumetric flask; `None` for a dilution, or when no listed flask
    /// holds the batch (then the calculation says which measure is assumed).
    pub flask: Option<Volume>,
    /// The concentration actually made (from the measured volumes or the weighed mass), on
    /// `basis`: what the label states.
    pub made: Concentration,
    /// The same as people read it.
    pub made_text: String,
    /// Whether `made` is exactly the target strength.
    pub made_exactly: bool,
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
    /// Ideal osmolarity of the concentration made.
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

/// Most vials in one `--vials` list (and so in one batch of a series), so a typo cannot ask
/// for thousands of labels.
pub const HARD_MAX_VIALS: usize = 100;

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
            QUANTITY,
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

    let container = spec.container(req.container.as_deref())?;
    let data = VolumeData::embedded();
    let (losses, sterile) = losses_for(formula, req, data)?;
    let target = Target {
        strength,
        basis,
        tolerance: &tolerance,
    };
    let (method, sized, step, dilution, powder) = method_part(
        formula,
        spec,
        req,
        target,
        (nominal, with_overage, container.volume),
        (data, &losses),
        (&mut calc, &mut warnings),
    )?;
    let total = sized.total;
    let method_spec = match method {
        Method::Dilution => &spec.dilution,
        Method::Powder => &spec.powder,
    };

    // The concentration actually made: its osmolarity, its label.
    let (made, made_text) = match (&dilution, &powder) {
        (Some(d), _) => (
            d.concentration_from_rounded.get(),
            d.concentration_from_rounded.to_string(),
        ),
        (_, Some(p)) => (
            p.concentration_from_rounded.get(),
            p.concentration_from_rounded.to_string(),
        ),
        _ => (strength, strength.to_string()),
    };
    let osmolarity = match &dilution {
        Some(d) => {
            osmolarity_with_diluent(made, basis, &d.diluent, d.diluent_volume, d.final_volume)
        }
        None => osmolarity(made, basis),
    };
    calc.push(format!("Ideal osmolarity: {}", osmolarity.basis));

    let fill = solution_fill(req, container, &losses, &sized, nominal)?;

    let mut equipment = formula.equipment.clone();
    equipment.extend(method_spec.equipment.iter().cloned());
    let mut method_steps = method_spec.method.clone();
    method_steps.extend(formula.method.iter().cloned());

    let (measure_step, measure_step_reason) = measure_step_note(step, req, spec);
    Ok(SolutionPlan {
        formula: FormulaRef::of(entry),
        // The title states what the vial holds, as its label does: the concentration made.
        title: crate::plan::record::preparation_title_as(formula, &made_text),
        sterile,
        vehicle: formula.qs().name.clone(),
        method,
        strength,
        basis,
        nominal,
        overage: req.overage,
        need: sized.need,
        losses,
        total,
        filled: sized.filled,
        flask: sized.flask,
        made,
        made_text,
        made_exactly: made == strength,
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

/// The measuring step used (dilution only) and why: given with the option, or the formula's.
fn measure_step_note(
    step: Option<Volume>,
    req: &SolutionRequest,
    spec: &SolutionSpec,
) -> (Option<Volume>, Option<String>) {
    match step {
        None => (None, None),
        Some(step) => (
            Some(step),
            Some(if req.measure_step.is_some() {
                format!("given with {MEASURE_STEP}")
            } else {
                spec.measure_step_reason.clone()
            }),
        ),
    }
}

/// What [`method_part`] works out: the method, the batch volume, the measuring step (dilution)
/// and the dilution or the powder.
type MethodPart = (
    Method,
    BatchVolume,
    Option<Volume>,
    Option<DilutionPart>,
    Option<PowderPart>,
);

/// The method's part of a solution batch (`nominal`, with its overage, into containers of
/// `container`): the batch volume sized for the method, the measuring step (dilution), and
/// the dilution or the powder worked out at that volume.
fn method_part(
    formula: &Formula,
    spec: &SolutionSpec,
    req: &SolutionRequest,
    target: Target<'_>,
    (nominal, with_overage, container): (Volume, Volume, Volume),
    (data, losses): (&VolumeData, &Losses),
    (calc, warnings): (&mut Vec<String>, &mut Vec<String>),
) -> Result<MethodPart> {
    let (strength, basis, tolerance) = (target.strength, target.basis, target.tolerance);
    Ok(match &req.method {
        MethodRequest::Dilution { stock, diluent } => {
            let step = req.measure_step.unwrap_or(spec.measure_step);
            check_step(nominal, with_overage, step, req.measure_step.is_some())?;
            let mut none = Vec::new();
            let on_target =
                stock_on_target(&stock_used(spec, stock, &mut none)?, target, &mut none)?;
            let table = SyringeTable::embedded();
            let maker = Maker::Dilution {
                on_target,
                step,
                target,
                table,
                policy: &data.dilution,
            };
            // Never rounded to the edge of the tolerance: the smallest volume covering the
            // need that gives the target exactly (or, where none does, within the margin).
            let vials = req.vials.as_ref().map(Vec::len);
            let sized = batch_volume(with_overage, (container, vials), losses, &maker).ok_or_else(|| {
                Error::Refused(format!(
                    "{with_overage} of {strength} ({basis} basis) cannot be made by dilution at the measuring step {step}: no volume from it up gives exactly {strength} or within {} of it with each volume at least the step and {} of a syringe that measures it: give a finer {MEASURE_STEP}",
                    data.dilution.planning_margin, table.min_fraction
                ))
            })?;
            calc.extend(sized.lines.iter().cloned());
            let d = dilution(
                spec,
                stock,
                diluent.as_deref(),
                target,
                sized.total,
                step,
                losses,
                calc,
                warnings,
            )?;
            (Method::Dilution, sized, Some(step), Some(d), None)
        }
        MethodRequest::Powder {
            stock_form,
            certificate,
            balance,
        } => {
            if let Some(step) = req.measure_step {
                return Err(Error::input(
                    MEASURE_STEP,
                    format!("no measuring step with `{METHOD} powder` (it makes up to volume in a flask; the step is for the dilution's syringes)"),
                    format!("`{step}`"),
                ));
            }
            // Never guessed: the weight is the only thing that sets this solution's strength,
            // so the lot's assay and its basis must be stated (issue 8 §3).
            if certificate.is_none() {
                return Err(Substance::sodium_thiosulfate().missing_certificate());
            }
            let stock_form = stock_form.unwrap_or(formula.active.stock_form);
            let factor = content_factor(
                Substance::sodium_thiosulfate(),
                stock_form,
                certificate.as_ref(),
                basis,
            );
            let weighs = |v: Volume| powder_weighs(strength, factor, *balance, tolerance, v);
            let sized = batch_volume(
                with_overage,
                (container, req.vials.as_ref().map(Vec::len)),
                losses,
                &Maker::Powder {
                    flasks: &data.flasks,
                    weighs: &weighs,
                },
            )
            .expect("the powder method always has a volume");
            calc.extend(sized.lines.iter().cloned());
            let p = powder(
                formula,
                stock_form,
                certificate.as_ref(),
                *balance,
                target,
                sized.total,
                sized.flask,
                calc,
                warnings,
            )?;
            if !losses.filter_hold_up.ml().is_zero() {
                calc.push(format!(
                    "Filtered into the final vials: {} needed − filter hold-up {} = {}",
                    sized.need, losses.filter_hold_up, sized.filled
                ));
            }
            (Method::Powder, sized, None, None, Some(p))
        }
    })
}

/// How the batch fills its final containers. Every vial holds its nominal volume (or its
/// listed `--vials` volume) and the residual it keeps, but the last, which holds the rest of
/// what was made: the label states what each holds.
fn solution_fill(
    req: &SolutionRequest,
    container: &crate::formula::solution::SolutionContainer,
    losses: &Losses,
    sized: &BatchVolume,
    nominal: Volume,
) -> Result<SolutionFill> {
    let count = sized.containers;
    let full = Volume::from_ml(container.volume.ml() + losses.vial_residual.ml());
    let last = match &req.vials {
        // Each listed vial but the last holds its volume and residual; the last, the rest.
        Some(v) => {
            sized.filled.ml()
                - v.iter()
                    .take(v.len().saturating_sub(1))
                    .map(|x| x.ml() + losses.vial_residual.ml())
                    .sum::<Decimal>()
        }
        None => sized.filled.ml() - (count - Decimal::ONE) * full.ml(),
    };
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
        // One container is also the last: it holds what was made.
        holds: if count == Decimal::ONE {
            Volume::from_ml(last)
        } else {
            full
        },
        last_holds: Volume::from_ml(last),
        vials: vial_fills(req, container, losses, last)?,
    };
    Ok(fill)
}

/// What each vial of a `--vials` list holds: its volume and the residual it keeps, the last
/// the rest of what was made (`last` mL); each must fit in the container.
fn vial_fills(
    req: &SolutionRequest,
    container: &crate::formula::solution::SolutionContainer,
    losses: &Losses,
    last: Decimal,
) -> Result<Vec<Volume>> {
    let Some(vials) = &req.vials else {
        return Ok(Vec::new());
    };
    let fills = vial_contents(vials, losses.vial_residual, Volume::from_ml(last));
    if let Some(v) = fills.iter().find(|v| **v > container.volume) {
        return Err(Error::input(
            VIALS,
            format!(
                "vials that the {} holds with the residual and the rest of the batch (at most {}): choose a larger container with {CONTAINER}",
                container.name, container.volume
            ),
            format!("a vial of {v}"),
        ));
    }
    Ok(fills)
}

/// What each vial of a list holds: its volume and the `residual` it keeps, but the last,
/// which holds `last` (the rest of what was made). The batch and the series' batches fill
/// their vials by this one rule.
fn vial_contents(vials: &[Volume], residual: Volume, last: Volume) -> Vec<Volume> {
    let mut fills: Vec<Volume> = vials
        .iter()
        .map(|v| Volume::from_ml(v.ml() + residual.ml()))
        .collect();
    if let Some(l) = fills.last_mut() {
        *l = last;
    }
    fills
}

/// The losses a batch makes up for, and whether the preparation is sterile. Only a sterile
/// preparation is filtered: a nonsterile one (a topical solution) loses nothing to a filter,
/// and a hold-up given for it is a mistake to say, not to ignore.
fn losses_for(
    formula: &Formula,
    req: &SolutionRequest,
    data: &VolumeData,
) -> Result<(Losses, bool)> {
    let mut losses = data.losses(req.vial_residual, req.filter_hold_up);
    let sterile = formula.bud().kind == Some(crate::bud::BudKind::Sterile);
    if !sterile {
        if let Some(v) = req.filter_hold_up {
            return Err(Error::input(
                FILTER_HOLD_UP,
                format!(
                    "nothing for formula `{}`: a nonsterile preparation is not sterile-filtered",
                    formula.id
                ),
                format!("`{v}`"),
            ));
        }
        losses.filter_hold_up = Volume::from_ml(Decimal::ZERO);
        losses.filter_hold_up_source = "not filtered: a nonsterile preparation".into();
    }
    Ok((losses, sterile))
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
            MEASURE_STEP,
            format!("a measuring step of at least {min}"),
            exact(step),
        ));
    }
    if step > with_overage {
        return Err(if given {
            Error::input(
                MEASURE_STEP,
                format!("a measuring step no larger than the volume to make, {with_overage}"),
                exact(step),
            )
        } else {
            Error::input(
                QUANTITY,
                format!(
                    "a volume of at least the measuring step {step} (or a finer {MEASURE_STEP} for the device you use)"
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
    check_concentration(formula, STRENGTH, c, formula.strength.basis)
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
    // Normalised: the JSON writes the exact value, with no trailing zero.
    (c.mg_per_ml() / target.mg_per_ml() * Decimal::ONE_HUNDRED).normalize()
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
        .all(|v| !matches!(table.fit(v), super::syringe::SyringeFit::TooSmall { .. }))
}

/// Whether measured volumes can be used: each at least the step, a strength within the
/// tolerance, each volume measured well by a syringe.
fn usable(m: &Measured, step: Volume, target: Target<'_>, table: &SyringeTable) -> bool {
    let (below_step, outside) = faults(m, step, target);
    below_step.is_empty() && !outside && syringes_measure(m, table)
}

/// The dilution made for a volume needed: the smallest multiple of `step` from `need` up whose
/// measured volumes give exactly the target (up to `exact_up_to` times the need), else the
/// smallest whose measured volumes give within the planning margin of it; each volume at
/// least the step and measured well by a syringe. `None` when none was found.
fn smallest_dilution(
    on_target: Concentration,
    need: Volume,
    step: Volume,
    target: Target<'_>,
    table: &SyringeTable,
    policy: &DilutionPolicy,
) -> Option<Measured> {
    let first = (need.ml() / step.ml()).ceil().max(Decimal::ONE);
    let at = |k: Decimal| {
        measure(
            on_target,
            target.strength,
            Volume::from_ml(k * step.ml()),
            step,
        )
    };
    let cap = need.ml() * policy.exact_up_to();
    let mut k = first;
    for _ in 0..SEARCH_STEPS {
        if k * step.ml() > cap {
            break;
        }
        let m = at(k);
        if m.of_target == Decimal::ONE_HUNDRED && usable(&m, step, target, table) {
            return Some(m);
        }
        k += Decimal::ONE;
    }
    let margin = policy.planning_margin.value();
    let mut k = first;
    for _ in 0..SEARCH_STEPS {
        let m = at(k);
        if (m.of_target - Decimal::ONE_HUNDRED).abs() <= margin && usable(&m, step, target, table) {
            return Some(m);
        }
        k += Decimal::ONE;
    }
    None
}

/// `3 : 2`: the stock and diluent volumes as the smallest whole ratio of measuring steps.
fn ratio_text(m: &Measured, step: Volume) -> Option<String> {
    let whole = |v: Volume| {
        (v.ml() / step.ml())
            .to_u64()
            .filter(|_| (v.ml() % step.ml()).is_zero())
    };
    let (a, b) = (whole(m.stock)?, whole(m.diluent)?);
    fn gcd(a: u64, b: u64) -> u64 {
        if b == 0 {
            a
        } else {
            gcd(b, a % b)
        }
    }
    let g = gcd(a, b).max(1);
    Some(format!("{} : {}", a / g, b / g))
}

/// How the volume to make was chosen for the volume needed, as one calculation line.
fn chosen_text(
    m: &Measured,
    need: Volume,
    step: Volume,
    target: Target<'_>,
    policy: &DilutionPolicy,
) -> String {
    let exactly = m.of_target == Decimal::ONE_HUNDRED;
    if exactly {
        let ratio = ratio_text(m, step)
            .map(|r| format!(", stock : diluent {r}"))
            .unwrap_or_default();
        format!(
            "{need} → {}, the smallest volume from {need} up whose stock and diluent the measuring step {step} measures to give exactly {} ({}{ratio})",
            m.total,
            target.strength,
            measured_text(m)
        )
    } else {
        format!(
            "{need} → {}: no volume from {need} up to {} × {need} gives exactly {} at the measuring step {step}; {} is the smallest that gives within {} of it ({}; {})",
            m.total,
            policy.exact_up_to.trim(),
            target.strength,
            m.total,
            policy.planning_margin,
            measured_text(m),
            policy.planning_margin_source
        )
    }
}

/// The volume to make for a volume asked for, and the final containers it fills.
#[derive(Debug, Clone)]
struct BatchVolume {
    /// What must be made: asked for (with overage) plus every loss.
    need: Volume,
    /// What is made.
    total: Volume,
    /// What goes into the final containers: all of a dilution; for powder what is needed less
    /// the filter's hold-up (the rest of the flask is discarded).
    filled: Volume,
    /// Final containers filled.
    containers: Decimal,
    /// The dilution's measured volumes.
    measured: Option<Measured>,
    /// The powder method's flask; `None`: none listed holds it.
    flask: Option<Volume>,
    /// The calculation, step by step.
    lines: Vec<String>,
}

/// How a [`BatchVolume`] is made.
enum Maker<'a> {
    Dilution {
        on_target: Concentration,
        step: Volume,
        target: Target<'a>,
        table: &'a SyringeTable,
        policy: &'a DilutionPolicy,
    },
    Powder {
        flasks: &'a Flasks,
        /// Whether the powder for a volume can be weighed (minimum weight, tolerance): a
        /// larger flask is taken when the smallest that holds the need cannot.
        weighs: &'a dyn Fn(Volume) -> bool,
    },
}

/// Sizes a batch: what is asked for plus the residual each final vial keeps (and, for powder,
/// the filter's hold-up), made exactly (dilution) or up to a flask that exists (powder).
/// `None`: no dilution found.
fn batch_volume(
    asked: Volume,
    (container, vials): (Volume, Option<usize>),
    losses: &Losses,
    maker: &Maker<'_>,
) -> Option<BatchVolume> {
    let hold_up = match maker {
        Maker::Dilution { .. } => Decimal::ZERO,
        Maker::Powder { .. } => losses.filter_hold_up.ml(),
    };
    // Each final vial keeps its residual: it is filled with its share and the residual (an
    // overfill, as USP <1151> has for commercial vials), so each still gives what was asked.
    // A list of vials (`vials`) fills one vial per volume listed; else as many containers as
    // the volume asked for takes.
    let count = vials.map_or_else(
        || (asked.ml() / container.ml()).ceil().max(Decimal::ONE),
        Decimal::from,
    );
    {
        let residual = Volume::from_ml(losses.vial_residual.ml() * count);
        let need = Volume::from_ml(asked.ml() + residual.ml() + hold_up);
        let mut lines = vec![if hold_up.is_zero() {
            format!(
                "Volume needed: {asked} + vial residual {} × {} = {need} ({})",
                losses.vial_residual,
                format_number(count),
                losses.vial_residual_source
            )
        } else {
            format!(
                "Volume needed: {asked} + vial residual {} × {} + filter hold-up {} = {need} ({}; {})",
                losses.vial_residual,
                format_number(count),
                losses.filter_hold_up,
                losses.vial_residual_source,
                losses.filter_hold_up_source
            )
        }];
        let (total, measured, flask) = match maker {
            Maker::Dilution {
                on_target,
                step,
                target,
                table,
                policy,
            } => {
                let m = smallest_dilution(*on_target, need, *step, *target, table, policy)?;
                lines.push(format!(
                    "Volume to make: {}",
                    chosen_text(&m, need, *step, *target, policy)
                ));
                (m.total, Some(m), None)
            }
            Maker::Powder { flasks, weighs } => match flasks
                .sizes
                .iter()
                .filter(|f| **f >= need)
                .enumerate()
                .find(|(_, f)| weighs(**f))
            {
                Some((i, f)) => {
                    let larger = if i == 0 {
                        String::new()
                    } else {
                        format!(
                            "; a smaller flask holds it, but its powder is below the balance's minimum weight or weighs outside the tolerance, so the {f} flask is used and the rest discarded"
                        )
                    };
                    lines.push(format!(
                        "Volume to make: {need} → {f}, the smallest volumetric flask that holds it ({}){larger}",
                        flasks.source
                    ));
                    (*f, None, Some(*f))
                }
                None => {
                    lines.push(format!(
                        "Volume to make: {need}; no volumetric flask listed in data/volumes.toml holds it (largest {}): made up to {need} in a graduated measure, assumed",
                        flasks.sizes.last().copied().unwrap_or_default()
                    ));
                    (need, None, None)
                }
            },
        };
        // A dilution is mixed in the final vial(s): all of it is filled. Powder is made up in
        // a flask: what is needed goes through the filter into the vials, the rest of the
        // flask is discarded.
        let filled = match maker {
            Maker::Dilution { .. } => total,
            Maker::Powder { .. } => {
                if total > need {
                    lines.push(format!(
                        "The flask's {} beyond the {need} needed is discarded",
                        Volume::from_ml(total.ml() - need.ml())
                    ));
                }
                Volume::from_ml(need.ml() - hold_up)
            }
        };
        Some(BatchVolume {
            need,
            total,
            filled,
            containers: count,
            measured,
            flask,
            lines,
        })
    }
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
            "The smallest volume from {from} up that can be made within the tolerance at the measuring step {step}, each volume at least {} of a syringe that measures it, is {} ({}): ask for that volume, or give a finer {MEASURE_STEP} for a device that measures it",
            table.min_fraction,
            m.total,
            measured_text(&m)
        ),
        None => format!(
            "No volume from {from} up to {} can be made within the tolerance at the measuring step {step}: give a finer {MEASURE_STEP}",
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
    losses: &Losses,
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
        let found = smallest_dilution(
            on_target,
            total,
            step,
            target,
            table,
            &VolumeData::embedded().dilution,
        );
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
            super::syringe::SyringeFit::Fits => {}
            super::syringe::SyringeFit::TooSmall { name, minimum } => warnings.push(format!(
                "The {what} volume {v} is below {} of the {name} ({minimum}), the smallest syringe whose graduation measures it: hard to measure accurately. Make a larger volume (`stscalc session` suggests one).",
                table.min_fraction
            )),
            super::syringe::SyringeFit::NoSyringe => warnings.push(format!(
                "No syringe of data/syringes.toml measures the {what} volume {v} on its graduations: the measuring step {step} assumes a finer device; check that it measures {v} at no less than {} of its capacity.",
                table.min_fraction
            )),
        }
    }
    let vial = stock.vial;
    let (vials, left_over) = stock_vials(v1r, vial, losses.vial_residual);
    let vials_opened = vials.to_u32().ok_or_else(|| {
        Error::Refused(format!(
            "{v1r} of stock needs more than {} vials of {vial}",
            format_number(u32::MAX.into())
        ))
    })?;
    calc.push(format!(
        "Vials: {v1r} ÷ ({vial} − residual {}) per vial → {} opened, {left_over} left over (discarded: single-dose)",
        losses.vial_residual,
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

/// The stock vials of `vial` that `stock` takes, and what is left in them: each opened vial
/// keeps its `residual` too, so it gives its volume less that.
fn stock_vials(stock: Volume, vial: Volume, residual: Volume) -> (Decimal, Volume) {
    let usable = if vial > residual {
        Volume::from_ml(vial.ml() - residual.ml())
    } else {
        vial
    };
    let vials = (stock.ml() / usable.ml()).ceil();
    (vials, Volume::from_ml(vials * vial.ml() - stock.ml()))
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
             Use a stronger stock or `{METHOD} powder`"
        )));
    }
    Ok(on_target)
}

/// Whether the powder for `volume` of `strength`, weighed to the balance, reaches its minimum
/// weight and gives a strength within the tolerance.
fn powder_weighs(
    strength: Concentration,
    factor: Decimal,
    balance: Balance,
    tolerance: &Tolerance,
    volume: Volume,
) -> bool {
    let w = balance.round(Mass::from_g(
        strength.mg_per_ml() * volume.ml() / Decimal::ONE_THOUSAND / factor,
    ));
    let c = Concentration::from_mg_per_ml(w.mg() * factor / volume.ml());
    w >= balance.minimum_weight() && tolerance.contains(of_target(c, strength))
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
    flask: Option<Volume>,
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
            "Make at least {v}: its powder then reaches the minimum weight ({}); or use a finer balance ({READABILITY})",
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
                "Make at least {v}: the powder is then at least {d} ÷ (2 × {}) = {}, so rounding to the balance moves the strength by at most {}; or use a finer balance ({READABILITY})",
                display_percent(margin, "%"),
                powder.display_calculated(6),
                display_percent(margin, "%"),
            ),
            None => format!("Use a finer balance ({READABILITY})"),
        };
        return Err(Error::Refused(format!(
            "{total} of {} ({basis} basis) cannot be made from powder within {} at the balance readability {d}: the powder {calculated_text} → {to_weigh} gives {}, {} of the target. {fix}",
            target.strength,
            target.limits(),
            concentration_text(from_rounded),
            display_percent(of, "%"),
        )));
    }
    let measure = match flask {
        Some(f) => format!("a {f} volumetric flask (class A, ISO 1042)"),
        None => format!("a graduated measure of at least {total} (assumed: no listed volumetric flask holds it)"),
    };
    let vehicle = formula.qs().name.to_lowercase();
    let make_up = format!(
        "Dissolve in {vehicle} and make up to {total} (q.s.) in {measure}; the dissolved salt takes up volume, so never add a calculated volume of {vehicle}"
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
            || format!("Use a finer balance ({READABILITY})"),
            min_weight_fix,
        );
        return Err(Error::Refused(format!(
            "{total} of {} ({basis} basis) from powder weighs {to_weigh}, below the balance's minimum weight {minimum_weight} (USP <41>). {fix}",
            target.strength
        )));
    }
    if formula.bud().kind == Some(crate::bud::BudKind::Sterile) {
        warnings.push(
            "Nonsterile powder: the solution must be sterile-filtered (0.22 µm) and the filter's integrity tested before release."
                .into(),
        );
    }
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

/// Sizes the batch for a volume needed, as `stscalc batch` does ([`plan`]), for one strength
/// made by one method with the formula's defaults: the first stock, diluent and container and
/// the formula's measuring step for a dilution (made exactly, or within the planning margin of
/// `data/volumes.toml`; each volume at least the syringe table's minimum share of a syringe
/// that measures it); the usual stock form, no certificate, the default balance
/// ([`super::default_readability`]) and a listed volumetric flask for powder. The residual of
/// the final vial (and the filter's hold-up) are added as the batch adds them. `stscalc
/// session` and its series use it so that the batch they suggest is the one `stscalc batch`
/// makes.
#[derive(Debug, Clone)]
pub struct BatchSizing {
    method: Method,
    strength: Concentration,
    basis: Form,
    tolerance: Tolerance,
    how: Sizing,
    container: Volume,
    losses: Losses,
}

#[derive(Debug, Clone)]
enum Sizing {
    Dilution {
        on_target: Concentration,
        step: Volume,
        /// The default stock's vial, for the stock vials a batch opens.
        stock_vial: Volume,
    },
    Powder {
        factor: Decimal,
        balance: Balance,
    },
}

/// A batch sized by [`BatchSizing::for_vials`] for a list of vials.
#[derive(Debug, Clone, Serialize)]
pub struct SizedVials {
    /// The batch: its `quantity` is the vials' volumes added up, as `batch --vials` asks.
    pub batch: SizedBatch,
    /// What each vial holds: its volume and the residual it keeps, the last the rest of what
    /// was made (as `batch --vials` fills them).
    pub fills: Vec<Volume>,
    /// The final container's nominal volume, which every fill must fit.
    pub container: Volume,
    /// The stock vials a dilution opens (`None` from powder).
    pub stock_vials_opened: Option<u32>,
    /// The stock vial's volume (`None` from powder).
    pub stock_vial: Option<Volume>,
}

/// A batch volume chosen by [`BatchSizing::smallest_from`].
#[derive(Debug, Clone, Serialize)]
pub struct SizedBatch {
    /// The volume made.
    pub volume: Volume,
    /// The `--quantity` that makes it with `stscalc batch` (the volume asked for, before the
    /// batch adds its losses and rounds up).
    pub quantity: Volume,
    /// The concentration made, on the formula's basis.
    pub concentration: Concentration,
    /// Whether that is exactly the strength asked for.
    pub exactly: bool,
    /// How it was chosen and what it gives, for the calculation lines.
    pub reason: String,
}

impl BatchSizing {
    /// For `strength` (on the formula's basis) made by `method`, with the losses of
    /// `data/volumes.toml`. Refuses a formula whose default stock is weaker than `strength`.
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
                    stock_vial: stock.vial,
                }
            }
            Method::Powder => {
                let s = Substance::sodium_thiosulfate();
                let readability = super::default_readability();
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
            container: spec.container(None)?.volume,
            losses: VolumeData::embedded().losses(None, None),
        })
    }

    /// The same with another vial residual (`--vial-residual`); `None` keeps the data's.
    pub fn with_vial_residual(mut self, residual: Option<Volume>) -> BatchSizing {
        self.losses = VolumeData::embedded().losses(residual, None);
        self
    }

    /// The method it sizes for.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The final container's nominal volume (the formula's first container).
    pub fn container(&self) -> Volume {
        self.container
    }

    /// The default stock's vial volume (dilution; `None` from powder).
    pub fn stock_vial(&self) -> Option<Volume> {
        match self.how {
            Sizing::Dilution { stock_vial, .. } => Some(stock_vial),
            Sizing::Powder { .. } => None,
        }
    }

    /// What each final vial keeps that cannot be drawn up.
    pub fn vial_residual(&self) -> Volume {
        self.losses.vial_residual
    }

    /// The batch that covers `from` (what is drawn from it) as [`plan`] makes it. `None` when
    /// none was found.
    pub fn smallest_from(&self, from: Volume) -> Option<SizedBatch> {
        self.sized(from, None).map(|(b, _)| b)
    }

    /// The batch that fills one vial per volume of `vials`, as [`plan`] makes it for
    /// `batch --vials` (the same sizing, the same fill and the same stock vials counted).
    /// `None` when none was found.
    pub fn for_vials(&self, vials: &[Volume]) -> Option<SizedVials> {
        let from = Volume::from_ml(vials.iter().map(|v| v.ml()).sum());
        let (batch, b) = self.sized(from, Some(vials.len()))?;
        let rest = Volume::from_ml(
            b.filled.ml()
                - vials
                    .iter()
                    .take(vials.len().saturating_sub(1))
                    .map(|v| v.ml() + self.losses.vial_residual.ml())
                    .sum::<Decimal>(),
        );
        let (stock_vials_opened, stock_vial) = match (&self.how, &b.measured) {
            (Sizing::Dilution { stock_vial, .. }, Some(m)) => {
                let (n, _) = stock_vials(m.stock, *stock_vial, self.losses.vial_residual);
                (n.to_u32(), Some(*stock_vial))
            }
            _ => (None, None),
        };
        Some(SizedVials {
            batch,
            fills: vial_contents(vials, self.losses.vial_residual, rest),
            container: self.container,
            stock_vials_opened,
            stock_vial,
        })
    }

    /// The batch that covers `from`, into `vials` vials when a list is given (else as many
    /// containers as it takes), with the batch volume worked out.
    fn sized(&self, from: Volume, vials: Option<usize>) -> Option<(SizedBatch, BatchVolume)> {
        if from.ml() <= Decimal::ZERO {
            return None;
        }
        let target = Target {
            strength: self.strength,
            basis: self.basis,
            tolerance: &self.tolerance,
        };
        let data = VolumeData::embedded();
        match self.how {
            Sizing::Dilution {
                on_target, step, ..
            } => {
                let maker = Maker::Dilution {
                    on_target,
                    step,
                    target,
                    table: SyringeTable::embedded(),
                    policy: &data.dilution,
                };
                let b = batch_volume(from, (self.container, vials), &self.losses, &maker)?;
                let m = b.measured.as_ref().expect("a dilution measures");
                let sized = SizedBatch {
                    volume: b.total,
                    quantity: from,
                    concentration: m.concentration,
                    exactly: m.of_target == Decimal::ONE_HUNDRED,
                    reason: b.lines.join("; "),
                };
                Some((sized, b))
            }
            Sizing::Powder { factor, balance } => {
                let weighs =
                    |v: Volume| powder_weighs(self.strength, factor, balance, &self.tolerance, v);
                let maker = Maker::Powder {
                    flasks: &data.flasks,
                    weighs: &weighs,
                };
                let b = batch_volume(from, (self.container, vials), &self.losses, &maker)?;
                if !weighs(b.total) {
                    return None;
                }
                let w = balance.round(Mass::from_g(
                    self.strength.mg_per_ml() * b.total.ml() / Decimal::ONE_THOUSAND / factor,
                ));
                let c = Concentration::from_mg_per_ml(w.mg() * factor / b.total.ml());
                let sized = SizedBatch {
                    volume: b.total,
                    quantity: from,
                    concentration: c,
                    exactly: c == self.strength,
                    reason: b.lines.join("; "),
                };
                Some((sized, b))
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

/// The components of a solution batch as (id, name): the stock injection and the diluent for
/// the dilution method, the active and the vehicle (water for injection) from powder.
pub fn solution_components(formula: &Formula, plan: &SolutionPlan) -> Vec<(String, String)> {
    match &plan.dilution {
        Some(d) => {
            let mut v = vec![(
                d.stock.id.clone().unwrap_or_else(|| "stock".into()),
                d.stock.name.clone(),
            )];
            // At the stock's own strength no diluent is used, so none has a lot to record.
            if !d.diluent_volume.ml().is_zero() {
                v.push((d.diluent.id.clone(), d.diluent.name.clone()));
            }
            v
        }
        None => vec![
            (formula.active.id.clone(), formula.active.name.clone()),
            (formula.qs().id.clone(), formula.qs().name.clone()),
        ],
    }
}

/// The preparation method to evaluate the BUD with: the solution's method when the formula's
/// `[bud]` declares per-method inputs, otherwise none.
pub fn bud_method(formula: &Formula, method: Method) -> Option<String> {
    (!formula.bud().methods.is_empty()).then(|| method.to_string())
}

impl SolutionPlan {
    /// Adds the batch record to the plan; its warnings join the plan's. The plan's BUD line
    /// and storage statement were worked out at the formula's usual storage: a batch stored
    /// otherwise (`--storage`) gets them for its own storage, so the sheet does not state one
    /// storage and BUD above and another in the record.
    pub fn attach_record(
        &mut self,
        formula: &Formula,
        record: crate::plan::record::BatchRecord,
    ) -> Result<()> {
        let storage = record.bud.storage;
        if storage != self.bud.storage {
            let resolved = formula.bud().resolve(record.method.as_deref())?;
            self.bud = crate::bud::duration_limit(&resolved, storage)?;
        }
        self.storage = crate::plan::record::storage_statement(formula, Some(&record));
        self.warnings.extend(record.warnings.iter().cloned());
        let mut record = record;
        record.strength_notice = self.strength_notice(formula);
        self.record = Some(record);
        Ok(())
    }

    /// The strength with its basis as the record and the text state it: what the vial holds,
    /// with the strength asked beside it when the batch cannot make it exactly.
    pub fn strength_text(&self) -> String {
        if self.made_exactly {
            format!("{} ({} basis)", self.strength, self.basis)
        } else {
            format!(
                "{} ({} basis), asked for {}",
                self.made_text, self.basis, self.strength
            )
        }
    }

    /// The notice of a batch not made at the formula's default strength, or not exactly at
    /// the strength asked: then the title and the labels state the concentration made, and
    /// the notice says so (the lot code keeps the strength asked, which identifies the order).
    pub fn strength_notice(&self, formula: &Formula) -> Option<String> {
        if self.made_exactly {
            return crate::plan::record::strength_notice(
                formula,
                Strength::Concentration(self.strength),
            );
        }
        Some(format!(
            "This batch was asked for at {} and is made at {}: no volume at the measuring step gives {} exactly, so it is made within the planning margin; its title and every label state {}, what the vial holds",
            self.strength, self.made_text, self.strength, self.made_text
        ))
    }
}

#[cfg(test)]
mod volume_data_tests {
    use super::*;

    #[test]
    fn the_embedded_volumes_data_loads_with_the_iso_1042_flasks() {
        let d = VolumeData::embedded();
        let sizes: Vec<String> = d.flasks.sizes.iter().map(|v| v.to_string()).collect();
        assert_eq!(
            sizes,
            [
                "5 mL", "10 mL", "20 mL", "25 mL", "50 mL", "100 mL", "200 mL", "250 mL", "500 mL",
                "1,000 mL"
            ]
        );
        assert!(!d.vial_residual.source.trim().is_empty());
        assert!(!d.filter_hold_up.source.trim().is_empty());
    }

    #[test]
    fn refuses_flasks_out_of_order_and_a_margin_of_100_percent() {
        let text = VOLUMES_TOML.replacen("\"5 mL\", \"10 mL\"", "\"10 mL\", \"5 mL\"", 1);
        let e = VolumeData::parse("v.toml", &text).unwrap_err().to_string();
        assert!(e.contains("smallest first"), "{e}");
        let text = VOLUMES_TOML.replacen(
            "planning_margin = \"1 %\"",
            "planning_margin = \"100 %\"",
            1,
        );
        let e = VolumeData::parse("v.toml", &text).unwrap_err().to_string();
        assert!(e.contains("planning_margin"), "{e}");
    }
}
