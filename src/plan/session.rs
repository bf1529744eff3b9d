//! The session check: what a clinician is about to inject, lesion by lesion, checked against the
//! formula's dosing policy, with the syringes to draw up and the solution to prepare.
//!
//! Each dose goes in the smallest syringe of `data/syringes.toml` that holds it (or, filling
//! across lesions, the smallest that holds the largest dose) and is rounded to that syringe's
//! graduation; the drawn (rounded) volume is what is injected, so milligrams and limits are
//! worked out on it. A dose is never changed silently: the change is shown with its percentage
//! on the lesion's row, and a change larger than the table's `max_dose_change` is refused. A
//! dose below 20 % of its syringe's capacity is flagged. Every syringe and its needle keep some
//! solution (dead space), which is added to what must be prepared; the batch suggested is the
//! one `stscalc batch` makes for it ([`BatchSizing`]: the vial's residual added, the strength
//! made exactly where the measuring step allows). Every mg figure uses the concentration given
//! (what the vial's label says), and a dose prescribed in mg is converted at it: the suggested
//! batch never changes the doses; when it cannot make that concentration exactly it says what
//! it would make instead. Nothing here prints or touches files.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use super::ointment::FormulaRef;
use super::series::SeriesPlan;
use super::solution::{concentration_text, convert, round_volume, BatchSizing, Method};
use super::syringe::{Syringe, SyringeTable};
use super::text::{
    count_text, mass_text, serialize_concentration_as_printed, serialize_mass_as_printed,
    signed_percent,
};
use crate::error::field::{
    CONCENTRATION, FILL_ACROSS, LESION, LESIONS, OVERRIDE_REASON, QUANTITY, STRENGTH, VIAL_RESIDUAL,
};
use crate::error::{Error, Result};
use crate::formula::{DosingSpec, Entry};
use crate::quantity::{format_calculated, Concentration, Mass, Volume};
use crate::substance::Form;

/// Most lesions accepted in one session whatever the policy says, so a typo cannot ask for a
/// million rows.
pub const HARD_MAX_LESIONS: u32 = 1000;

/// One lesion as the clinician describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lesion {
    /// Where it is (free text), if given.
    pub site: Option<String>,
    /// Its size (free text, e.g. `12 x 8 mm`), if given.
    pub size: Option<String>,
    /// Ulcerated (`yes` or `no`), if recorded.
    pub ulceration: Option<String>,
    /// Inflamed (`yes` or `no`), if recorded.
    pub inflammation: Option<String>,
    /// Volume to inject (with `mass`, a placeholder: the volume is worked out from it).
    pub volume: Volume,
    /// The dose prescribed as a mass (on the session concentration's basis), when it was:
    /// converted to a volume at the concentration the batch makes.
    pub mass: Option<Mass>,
}

/// What the clinician asks to check.
#[derive(Debug, Clone)]
pub struct SessionRequest {
    /// The lesions, in injection order.
    pub lesions: Vec<Lesion>,
    /// Concentration of the solution.
    pub concentration: Concentration,
    /// What the concentration is stated on.
    pub basis: Form,
    /// Where the concentration came from (the formula's default, or given).
    pub concentration_source: String,
    /// The same concentration on the formula's basis when it is known exactly (the formula's
    /// strength shown on another basis); `None`: `concentration` is converted with the molar
    /// masses where the formula's basis is needed (limits, batch).
    pub exact_on_formula_basis: Option<Concentration>,
    /// Fill syringes across lesions instead of one per lesion.
    pub fill_across: bool,
    /// Why a policy maximum may be exceeded, if one is.
    pub override_reason: Option<String>,
    /// What the solution's vial keeps that cannot be drawn up, or `data/volumes.toml`'s.
    pub vial_residual: Option<Volume>,
}

/// One lesion's dose.
#[derive(Debug, Clone, Serialize)]
pub struct LesionDose {
    /// 1-based, in injection order.
    pub number: u32,
    /// Site, if given.
    pub site: Option<String>,
    /// Size, if given.
    pub size: Option<String>,
    /// Ulcerated (`yes` or `no`), if recorded.
    pub ulceration: Option<String>,
    /// Inflamed (`yes` or `no`), if recorded.
    pub inflammation: Option<String>,
    /// Volume asked for (for a dose prescribed as a mass, the mass ÷ the concentration given,
    /// exact).
    pub prescribed: Volume,
    /// The dose prescribed as a mass, when it was (on the concentration's basis; its text as
    /// printed, in mg).
    #[serde(serialize_with = "super::text::serialize_optional_mass_as_printed")]
    pub prescribed_mass: Option<Mass>,
    /// Volume drawn: rounded to the syringe's graduation.
    pub drawn: Volume,
    /// How `drawn` was obtained.
    pub rounding: String,
    /// The change from the asked volume, as a percentage of it (exact; 0 when none).
    pub change_percent: Decimal,
    /// The same as people read it (`+4 %`), empty when the dose is drawn as asked.
    pub change_text: String,
    /// Active in the drawn volume, on the concentration's basis (its text as printed).
    #[serde(serialize_with = "serialize_mass_as_printed")]
    pub mass: Mass,
    /// The same as people read it.
    pub mass_text: String,
    /// The syringe it is drawn into (1-based index into `syringes`).
    pub syringe: u32,
    /// The dose is below the table's minimum share of the syringe's capacity.
    pub below_min_fraction: bool,
    /// What a sheet flags in this lesion's row when the dose is below that share
    /// (`below 20 % of the 1 mL syringe (0.2 mL); the 0.5 mL syringe measures it better`).
    pub below_min_flag: Option<String>,
}

/// One syringe to draw up.
#[derive(Debug, Clone, Serialize)]
pub struct SyringeFill {
    /// 1-based.
    pub number: u32,
    /// Its size.
    pub syringe: Syringe,
    /// The lesions it serves.
    pub lesions: Vec<u32>,
    /// Volume drawn into it for injection.
    pub volume: Volume,
    /// Dead space of the syringe and its needle.
    pub dead_space: Volume,
}

/// One vial of the batch and the syringes drawn from it: a syringe is drawn from one vial,
/// never topped up from a second.
#[derive(Debug, Clone, Serialize)]
pub struct VialDraw {
    /// 1-based, in the order the batch fills them.
    pub number: u32,
    /// The syringes drawn from it (numbers of `syringes`).
    pub syringes: Vec<u32>,
    /// What they take from it: their doses and their dead space.
    pub volume: Volume,
    /// What the vial gives: its nominal volume for every vial but the last (the residual
    /// stays in it); for the last, what its syringes take (the batch adds its residual).
    pub gives: Volume,
}

/// A policy maximum as checked.
#[derive(Debug, Clone, Serialize)]
pub struct LimitCheck {
    /// What is limited.
    pub what: String,
    /// The maximum.
    pub limit: String,
    /// The largest value found.
    pub value: String,
    /// Above the limit.
    pub exceeded: bool,
    /// Why the limit has its value.
    pub reason: String,
}

/// The session worked out.
#[derive(Debug, Clone, Serialize)]
pub struct SessionPlan {
    /// The formula whose policy applies.
    pub formula: FormulaRef,
    /// Concentration of the solution in hand (given, or the formula's default), which every
    /// mg figure uses, whatever the suggested batch would make (its text as printed, `≈` when
    /// converted to another basis and cut).
    #[serde(serialize_with = "serialize_concentration_as_printed")]
    pub concentration: Concentration,
    /// The same as people read it (`≈` when converted to another basis and cut).
    pub concentration_text: String,
    /// Its basis.
    pub basis: Form,
    /// Where the concentration came from.
    pub concentration_source: String,
    /// The solution's strength with its basis as its label states it: the concentration given,
    /// or the formula's own strength when the doses are only shown on another basis (a label
    /// carries no converted, rounded figure).
    pub label_strength: String,
    /// The concentration on the formula's basis, which the policy limits and the batch use.
    pub formula_basis_concentration: Concentration,
    /// Per lesion.
    pub lesions: Vec<LesionDose>,
    /// Syringes to draw up.
    pub syringes: Vec<SyringeFill>,
    /// Whether syringes are filled across lesions.
    pub fill_across: bool,
    /// Total injected (sum of drawn volumes).
    pub total_volume: Volume,
    /// Total active injected, on the concentration's basis (its text as printed).
    #[serde(serialize_with = "serialize_mass_as_printed")]
    pub total_mass: Mass,
    /// The same as people read it.
    pub total_mass_text: String,
    /// Dead space of all syringes and needles.
    pub dead_space: Volume,
    /// Solution to prepare: injected plus dead space.
    pub to_prepare: Volume,
    /// The vials the batch fills and which syringes each one serves (one vial when it holds
    /// them all).
    pub vials: Vec<VialDraw>,
    /// What the batch is asked for (`--quantity`): `to_prepare` for one vial; with more, every
    /// vial but the last counted whole, so that each syringe is drawn from one vial.
    pub batch_quantity: Volume,
    /// The volume to make: the smallest from `to_prepare` up that the formula's measuring step
    /// makes within its tolerance by dilution (see `batch_reason`).
    pub batch_volume: Volume,
    /// How `batch_volume` was chosen.
    pub batch_reason: String,
    /// Whether the suggested batch makes the concentration given exactly (else within the
    /// planning margin of `data/volumes.toml`: a warning says so, and the doses stay at the
    /// concentration given).
    pub made_exactly: bool,
    /// What the suggested batch makes, as printed, on the session's basis (the concentration
    /// given when it makes it exactly).
    pub batch_concentration_text: String,
    /// The `--strength` option the batch needs (empty at the formula's default strength;
    /// `None` when the strength cannot be written exactly on the formula's basis).
    pub batch_strength: Option<String>,
    /// The command that plans that batch (dilution; add `--method powder` for the other);
    /// empty when `batch_strength` is `None`.
    pub batch_command: String,
    /// The policy statement of the formula.
    pub policy: String,
    /// Every maximum checked.
    pub limits: Vec<LimitCheck>,
    /// The maximums exceeded (only with an override reason).
    pub exceeded: Vec<String>,
    /// The reason given for exceeding them.
    pub override_reason: Option<String>,
    /// The override in one line, naming what it overrides (the maximums exceeded, a series'
    /// shorter interval) or saying that it overrides nothing; `None` without a reason.
    pub override_text: Option<String>,
    /// The calculation, step by step.
    pub calculations: Vec<String>,
    /// Things to act on.
    pub warnings: Vec<String>,
    /// The warnings of `warnings` about single lesions (a dose below the syringe's minimum
    /// share, doses rounded to the graduation): a session sheet flags them in the lesions' rows
    /// instead of repeating them under the table.
    pub lesion_warnings: Vec<String>,
    /// The treatment series, when asked for.
    pub series: Option<SeriesPlan>,
}

const NEAREST: &str = "nearest graduation, halves away from zero";

impl SessionPlan {
    /// Which syringes are drawn from which vial, as people read it; `None` when one vial
    /// serves them all.
    pub fn vials_text(&self) -> Option<String> {
        if self.vials.len() < 2 {
            return None;
        }
        let each: Vec<String> = self
            .vials
            .iter()
            .map(|v| {
                if v.gives == v.volume {
                    format!(
                        "vial {}: {} ({})",
                        v.number,
                        syringe_range(&v.syringes),
                        v.volume
                    )
                } else {
                    format!(
                        "vial {}: {} ({} of the {} it gives)",
                        v.number,
                        syringe_range(&v.syringes),
                        v.volume,
                        v.gives
                    )
                }
            })
            .collect();
        Some(format!(
            "Draw each syringe from one vial, never from two: {}",
            each.join("; ")
        ))
    }
}

/// The formula's dosing section, or a refusal naming the formula.
pub fn dosing_spec(entry: &Entry) -> Result<&DosingSpec> {
    entry.formula.dosing.as_ref().ok_or_else(|| {
        Error::Refused(format!(
            "formula `{}` has no `[dosing]` section: the session check needs its per-lesion and per-session maximums",
            entry.formula.id
        ))
    })
}

/// Checks a session. Every mg figure is worked out at the concentration given (or the
/// formula's default): what the vial's label states, the solution in hand. The batch suggested
/// to make it is only a suggestion: when it cannot make that concentration exactly, a warning
/// says what it would make, and the doses are not changed to it (a vial from that batch is
/// labelled with what it holds, and its session is checked at that concentration).
pub fn plan(entry: &Entry, table: &SyringeTable, req: &SessionRequest) -> Result<SessionPlan> {
    let dosing = dosing_spec(entry)?;
    let n = check_request(req)?;
    let basis = req.basis;
    let policy_basis = entry.formula.strength.basis;
    // The batch is made at the formula's basis: exact when the caller knows it (the formula's
    // own strength shown on another basis), else converted with the molar masses.
    let on_formula_basis = req
        .exact_on_formula_basis
        .unwrap_or_else(|| convert(req.concentration, basis, policy_basis));
    // Every mg figure and the limits use the concentration given: the vial's.
    let (conc, made_on_formula) = (req.concentration, on_formula_basis);
    let mut calc = Vec::new();
    let mut warnings = Vec::new();

    let converted = mg_doses(req, conc, &mut calc);
    // Syringe size per lesion: the smallest that holds the dose, or with --fill-across one size
    // for all, the smallest that holds the largest dose (the finest graduation that serves all).
    let (lesions, syringes) = draw(req, table, &converted, conc, &mut warnings)?;
    // Every warning so far is about single lesions' doses.
    let lesion_warnings = warnings.clone();

    let total_volume = Volume::from_ml(lesions.iter().map(|l| l.drawn.ml()).sum());
    let drawn_list: Vec<String> = lesions.iter().map(|l| l.drawn.to_string()).collect();
    if lesions.iter().all(|l| l.drawn == lesions[0].drawn) {
        calc.push(format!(
            "Volume injected: {} × {} = {total_volume}",
            crate::quantity::format_number(n.into()),
            lesions[0].drawn
        ));
    } else {
        calc.push(format!(
            "Volume injected: {} = {total_volume}",
            drawn_list.join(" + ")
        ));
    }
    let concentration_text = concentration_text(conc);
    let dead_space = Volume::from_ml(syringes.iter().map(|s| s.dead_space.ml()).sum());
    let per: Vec<String> = syringes
        .iter()
        .map(|s| {
            format!(
                "{} {} + needle {}",
                s.syringe.name, s.syringe.dead_space, table.needle.dead_space
            )
        })
        .collect();
    calc.push(format!(
        "Dead space: {} ({}) = {dead_space}",
        count_text(syringes.len() as u64, "syringe", "syringes"),
        summarize(&per)
    ));
    let to_prepare = Volume::from_ml(total_volume.ml() + dead_space.ml());
    calc.push(format!(
        "Solution to prepare: {total_volume} + {dead_space} dead space = {to_prepare}"
    ));
    let vial = super::solution::solution_spec(&entry.formula)?
        .container(None)?
        .volume;
    let (vials, batch_quantity) = vials(&syringes, vial, &mut calc)?;
    let Suggested {
        batch_volume,
        batch_reason,
        batch_strength,
        made_exactly,
        batch_concentration_text,
        batch_command,
    } = suggest_batch(
        entry,
        req,
        (on_formula_basis, &concentration_text),
        batch_quantity,
        &mut calc,
        &mut warnings,
    )?;
    let total_mass = Mass::from_g(lesions.iter().map(|l| l.mass.g()).sum());
    calc.push(format!(
        "Active injected: {total_volume} × {concentration_text} = {} ({basis} basis)",
        mass_text(total_mass)
    ));

    // Policy maximums, compared on the policy's basis (from the drawn volumes, so that a
    // converted concentration adds no rounding of its own).
    let limits = limits(
        dosing,
        &lesions,
        total_volume,
        made_on_formula,
        basis,
        policy_basis,
    );
    let exceeded: Vec<String> = limits
        .iter()
        .filter(|l| l.exceeded)
        .map(|l| format!("{} {} is above the maximum {}", l.what, l.value, l.limit))
        .collect();
    let override_reason = override_reason(req, &exceeded, entry, &mut warnings)?;

    Ok(SessionPlan {
        formula: FormulaRef::of(entry),
        concentration: conc,
        concentration_text,
        basis,
        concentration_source: req.concentration_source.clone(),
        // The label states what the vial holds: the concentration given.
        label_strength: match req.exact_on_formula_basis {
            Some(c) => format!("{c} ({policy_basis} basis)"),
            None => format!("{conc} ({basis} basis)"),
        },
        formula_basis_concentration: on_formula_basis,
        lesions,
        syringes,
        fill_across: req.fill_across,
        total_volume,
        total_mass,
        total_mass_text: mass_text(total_mass),
        dead_space,
        to_prepare,
        vials,
        batch_quantity,
        batch_volume,
        batch_reason,
        made_exactly,
        batch_concentration_text,
        batch_strength,
        batch_command,
        policy: dosing.policy.clone(),
        limits,
        override_text: override_text(&exceeded, None, override_reason.as_deref()),
        exceeded,
        override_reason,
        calculations: calc,
        warnings,
        lesion_warnings,
        series: None,
    })
}

/// Refuses a session of no lesion, of more than [`HARD_MAX_LESIONS`], or at no concentration.
/// Returns the number of lesions.
fn check_request(req: &SessionRequest) -> Result<usize> {
    let n = req.lesions.len();
    if n == 0 {
        return Err(Error::input(LESIONS, "at least one lesion", "0 lesions"));
    }
    if n > HARD_MAX_LESIONS as usize {
        return Err(Error::input(
            LESIONS,
            format!("at most {HARD_MAX_LESIONS} lesions"),
            format!("{n} lesions"),
        ));
    }
    if req.concentration.mg_per_ml() <= Decimal::ZERO {
        return Err(Error::input(
            CONCENTRATION,
            "a concentration above zero",
            format!("`{}`", req.concentration),
        ));
    }
    Ok(n)
}

/// The lesions with their doses as volumes: a dose prescribed in mg converted at the
/// concentration given (`conc`), the conversion said in `calc`.
fn mg_doses(req: &SessionRequest, conc: Concentration, calc: &mut Vec<String>) -> Vec<Lesion> {
    let converted: Vec<Lesion> = req
        .lesions
        .iter()
        .map(|l| Lesion {
            volume: l
                .mass
                .map_or(l.volume, |m| Volume::from_ml(m.mg() / conc.mg_per_ml())),
            ..l.clone()
        })
        .collect();
    let in_mg: Vec<String> = converted
        .iter()
        .filter_map(|l| {
            l.mass.map(|m| {
                format!(
                    "{} ÷ {} = {}",
                    mass_text(m),
                    concentration_text(conc),
                    format_calculated(l.volume.ml(), "mL", 4)
                )
            })
        })
        .collect();
    if !in_mg.is_empty() {
        calc.push(format!(
            "Doses prescribed in mg, at the concentration given: {}",
            summarize(&in_mg)
        ));
    }
    converted
}

/// Draws each dose into its syringe: the syringe chosen (its own smallest, or with
/// `--fill-across` the one for the largest dose), the dose rounded to its graduation (refused
/// past `max_dose_change`, flagged below `min_fraction`), and the syringes filled. Returns the
/// lesions' doses and the syringes.
fn draw(
    req: &SessionRequest,
    table: &SyringeTable,
    converted: &[Lesion],
    conc: Concentration,
    warnings: &mut Vec<String>,
) -> Result<(Vec<LesionDose>, Vec<SyringeFill>)> {
    let largest = converted.iter().map(|l| l.volume).max().expect("n > 0");
    let choose = |l: &Lesion, i: usize| -> Result<&Syringe> {
        let v = if req.fill_across { largest } else { l.volume };
        table.smallest_holding(v).ok_or_else(|| {
            let biggest = table.syringes.last().expect("checked on load");
            Error::Refused(format!(
                "lesion {}: {} is more than the largest syringe ({}, {}): split the dose into several `{LESION}` entries",
                i + 1,
                l.volume,
                biggest.name,
                biggest.capacity
            ))
        })
    };

    let mut lesions = Vec::with_capacity(converted.len());
    let mut syringes: Vec<SyringeFill> = Vec::new();
    let syringe_dead =
        |s: &Syringe| Volume::from_ml(s.dead_space.ml() + table.needle.dead_space.ml());
    for (i, l) in converted.iter().enumerate() {
        let number = i as u32 + 1;
        let s = choose(l, i)?;
        let drawn = round_volume(
            l.volume,
            s.graduation,
            RoundingStrategy::MidpointAwayFromZero,
        );
        if drawn.ml() <= Decimal::ZERO {
            return Err(Error::input(
                format!("lesion {number}"),
                format!(
                    "a volume of at least half the {}'s graduation {}",
                    s.name, s.graduation
                ),
                format!("`{}`", l.volume),
            ));
        }
        // Normalized: the JSON carries the exact number without trailing zeros (`4`, not `4.00`).
        let change_percent =
            ((drawn.ml() - l.volume.ml()) / l.volume.ml() * Decimal::ONE_HUNDRED).normalize();
        let change_text = if change_percent.is_zero() {
            String::new()
        } else {
            signed_percent(change_percent)
        };
        // A dose is never changed silently, and never by more than the table allows.
        if change_percent.abs() > table.max_dose_change.value() {
            let why = if req.fill_across
                && table
                    .smallest_holding(l.volume)
                    .is_some_and(|own| own.name != s.name)
            {
                format!(
                    "the {} shared across lesions with {FILL_ACROSS} (graduation {}, sized for the largest dose {largest})",
                    s.name, s.graduation
                )
            } else {
                format!(
                    "the {} (graduation {}), the smallest syringe that holds it",
                    s.name, s.graduation
                )
            };
            let fix = if req.fill_across {
                format!("draw it in its own syringe (leave out {FILL_ACROSS}) or prescribe a dose on the graduation")
            } else {
                "prescribe a dose on the graduation".to_string()
            };
            return Err(Error::Refused(format!(
                "lesion {number}: {} cannot be measured in {why}: it would be drawn as {drawn} ({change_text}), more than the {} a dose may change (`max_dose_change`, data/syringes.toml); {fix}",
                l.volume,
                table.max_dose_change,
            )));
        }
        let rounding = if drawn == l.volume {
            "none needed".to_string()
        } else {
            format!(
                "to the {} graduation {} ({NEAREST}): {} → {drawn}, {change_text}",
                s.name, s.graduation, l.volume
            )
        };
        let mass = Mass::from_mg(drawn.ml() * conc.mg_per_ml());
        let below = drawn.ml() < s.capacity.ml() * table.min_fraction.fraction();
        if below {
            warnings.push(below_min_warning(table, s, drawn, number));
        }
        // Start a new syringe unless filling across and this dose still fits in the current one.
        let fits = req.fill_across
            && syringes
                .last()
                .is_some_and(|f| f.volume.ml() + drawn.ml() <= f.syringe.capacity.ml());
        if fits {
            let f = syringes.last_mut().expect("checked");
            f.volume = Volume::from_ml(f.volume.ml() + drawn.ml());
            f.lesions.push(number);
        } else {
            syringes.push(SyringeFill {
                number: syringes.len() as u32 + 1,
                syringe: s.clone(),
                lesions: vec![number],
                volume: drawn,
                dead_space: syringe_dead(s),
            });
        }
        lesions.push(LesionDose {
            number,
            site: l.site.clone(),
            size: l.size.clone(),
            ulceration: l.ulceration.clone(),
            inflammation: l.inflammation.clone(),
            prescribed: l.volume,
            prescribed_mass: l.mass,
            drawn,
            rounding,
            change_percent,
            change_text,
            mass,
            mass_text: mass_text(mass),
            syringe: syringes.len() as u32,
            below_min_fraction: below,
            below_min_flag: below.then(|| below_min_flag(table, s, drawn)),
        });
    }
    let changed: Vec<String> = lesions
        .iter()
        .filter(|l| l.drawn != l.prescribed)
        .map(|l| {
            format!(
                "lesion {}: {} → {} ({})",
                l.number, l.prescribed, l.drawn, l.change_text
            )
        })
        .collect();
    if !changed.is_empty() {
        warnings.push(format!(
            "Doses rounded to the syringe graduation (at most {} allowed): {}.",
            table.max_dose_change,
            changed.join("; ")
        ));
    }
    Ok((lesions, syringes))
}

/// The flag of a lesion row whose dose is below the syringe's `min_fraction`: the limit, and
/// the syringe that would measure it better, if any (the warning says how).
fn below_min_flag(table: &SyringeTable, s: &Syringe, drawn: Volume) -> String {
    let limit = format!(
        "below {} of the {} ({})",
        table.min_fraction,
        s.name,
        Volume::from_ml(s.capacity.ml() * table.min_fraction.fraction())
    );
    match table
        .smallest_holding(drawn)
        .filter(|own| own.name != s.name)
    {
        Some(own) => format!("{limit}; the {} measures it better", own.name),
        None => limit,
    }
}

/// The warning for a dose of `drawn` below the syringe's `min_fraction`, with the syringe that
/// would measure it better, if any.
fn below_min_warning(table: &SyringeTable, s: &Syringe, drawn: Volume, number: u32) -> String {
    let better = table
        .smallest_holding(drawn)
        .filter(|own| own.name != s.name);
    let advice = match better {
        Some(own) => format!(
            "the {} would measure it better: give it its own syringe (leave out {FILL_ACROSS})",
            own.name
        ),
        None => "no smaller syringe is in the table".to_string(),
    };
    format!(
        "Lesion {number}: {drawn} is below {} of the {} ({}): hard to measure accurately; {advice}.",
        table.min_fraction,
        s.name,
        Volume::from_ml(s.capacity.ml() * table.min_fraction.fraction())
    )
}

/// One of a formula's policy maximums, written for people: what is limited, the maximum, and
/// why it has its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyLimit {
    /// What is limited, e.g. `volume per session`.
    pub what: String,
    /// The maximum, e.g. `10 mL`.
    pub limit: String,
    /// Why the limit has its value.
    pub reason: String,
}

/// The formula's policy maximums in the order every sheet lists them: lesions in the session,
/// volume and active per lesion, volume and active per session (active on the policy's basis).
/// A blank session sheet prints them with blanks for the session's values; [`plan`] checks
/// them.
pub fn policy_limits(dosing: &DosingSpec, policy_basis: Form) -> Vec<PolicyLimit> {
    let limit = |what: String, limit: String, reason: &str| PolicyLimit {
        what,
        limit,
        reason: reason.to_string(),
    };
    let (pl, ps) = (&dosing.per_lesion, &dosing.per_session);
    vec![
        limit(
            "lesions in the session".into(),
            crate::quantity::format_number(dosing.max_lesions.into()),
            &dosing.max_lesions_reason,
        ),
        limit(
            "volume per lesion".into(),
            pl.max_volume.to_string(),
            &pl.reason,
        ),
        limit(
            format!("active per lesion ({policy_basis} basis)"),
            mass_text(pl.max_mass),
            &pl.reason,
        ),
        limit(
            "volume per session".into(),
            ps.max_volume.to_string(),
            &ps.reason,
        ),
        limit(
            format!("active per session ({policy_basis} basis)"),
            mass_text(ps.max_mass),
            &ps.reason,
        ),
    ]
}

/// The formula's policy maximums ([`policy_limits`]), checked on the policy's basis against
/// the drawn volumes at the concentration given (`made_on_formula`).
fn limits(
    dosing: &DosingSpec,
    lesions: &[LesionDose],
    total_volume: Volume,
    made_on_formula: Concentration,
    basis: Form,
    policy_basis: Form,
) -> Vec<LimitCheck> {
    let n = lesions.len();
    let on_policy = |v: Volume| Mass::from_mg(v.ml() * made_on_formula.mg_per_ml());
    let largest_drawn = lesions.iter().map(|l| l.drawn).max().expect("n > 0");
    let basis_note = if basis == policy_basis {
        String::new()
    } else {
        format!(" on the {policy_basis} basis")
    };
    let (pl, ps) = (&dosing.per_lesion, &dosing.per_session);
    // The session's value of each limit, and whether it is above it, in `policy_limits`' order.
    let values = [
        (
            crate::quantity::format_number(n.into()),
            n > dosing.max_lesions as usize,
        ),
        (largest_drawn.to_string(), largest_drawn > pl.max_volume),
        (
            format!("{}{basis_note}", mass_text(on_policy(largest_drawn))),
            on_policy(largest_drawn) > pl.max_mass,
        ),
        (total_volume.to_string(), total_volume > ps.max_volume),
        (
            format!("{}{basis_note}", mass_text(on_policy(total_volume))),
            on_policy(total_volume) > ps.max_mass,
        ),
    ];
    policy_limits(dosing, policy_basis)
        .into_iter()
        .zip(values)
        .map(|(l, (value, exceeded))| LimitCheck {
            what: l.what,
            limit: l.limit,
            value,
            exceeded,
            reason: l.reason,
        })
        .collect()
}

/// How the warning of a session past a policy maximum begins (with an override reason): a
/// session sheet prints that override apart, with the prescriber's signature, not among the
/// warnings.
pub const POLICY_EXCEEDED: &str = "POLICY MAXIMUM EXCEEDED";

/// The override reason (`--override-reason`), trimmed; refused when empty. A session past a
/// policy maximum (`exceeded`) is refused without one, and warned about first with one.
fn override_reason(
    req: &SessionRequest,
    exceeded: &[String],
    entry: &Entry,
    warnings: &mut Vec<String>,
) -> Result<Option<String>> {
    let override_reason = req
        .override_reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string);
    if req.override_reason.is_some() && override_reason.is_none() {
        return Err(Error::input(
            OVERRIDE_REASON,
            "a reason in words",
            "an empty text",
        ));
    }
    if !exceeded.is_empty() {
        match &override_reason {
            None => {
                return Err(Error::Refused(format!(
                    "refused: {} (local policy of formula `{}`); to proceed anyway give {OVERRIDE_REASON} \"...\"",
                    exceeded.join("; "),
                    entry.formula.id
                )))
            }
            Some(r) => warnings.insert(
                0,
                format!(
                    "{POLICY_EXCEEDED}: {}. Reason given: {r}",
                    exceeded.join("; ")
                ),
            ),
        }
    }
    Ok(override_reason)
}

/// Which syringes are drawn from which vial of the batch. A syringe is filled from one vial
/// (topping it up from a second adds a puncture and a second measurement), and a vial gives at
/// most its nominal volume `vial` (the batch fills each but the last with its nominal volume
/// plus the residual that stays in it). Syringes are taken in order, each into the current
/// vial while it still gives what the syringe takes (dose and dead space), else into the next.
/// Returns the vials and what to ask the batch for: every vial but the last counted whole, the
/// last for its syringes. A syringe that takes more than one vial gives is refused.
fn vials(
    syringes: &[SyringeFill],
    vial: Volume,
    calc: &mut Vec<String>,
) -> Result<(Vec<VialDraw>, Volume)> {
    let mut out: Vec<VialDraw> = Vec::new();
    for s in syringes {
        let takes = s.volume.ml() + s.dead_space.ml();
        if takes > vial.ml() {
            return Err(Error::Refused(format!(
                "syringe #{} takes {} ({} + dead space {}), more than one {vial} vial gives: a syringe is drawn from one vial, so divide the dose between syringes",
                s.number,
                Volume::from_ml(takes),
                s.volume,
                s.dead_space
            )));
        }
        match out.last_mut() {
            Some(v) if v.volume.ml() + takes <= vial.ml() => {
                v.syringes.push(s.number);
                v.volume = Volume::from_ml(v.volume.ml() + takes);
            }
            _ => out.push(VialDraw {
                number: out.len() as u32 + 1,
                syringes: vec![s.number],
                volume: Volume::from_ml(takes),
                gives: vial,
            }),
        }
    }
    let Some(last) = out.last_mut() else {
        return Ok((out, Volume::default()));
    };
    last.gives = last.volume;
    let whole = out.len() - 1;
    let quantity =
        Volume::from_ml(vial.ml() * Decimal::from(whole as u64) + out[whole].volume.ml());
    if whole > 0 {
        let each: Vec<String> = out
            .iter()
            .map(|v| {
                format!(
                    "vial {}: {} = {}",
                    v.number,
                    syringe_range(&v.syringes),
                    v.volume
                )
            })
            .collect();
        calc.push(format!(
            "Vials: each syringe is drawn from one vial, which gives at most its {vial} (the residual stays in it): {}; the batch is asked for {} × {vial} + {} = {quantity}",
            each.join("; "),
            crate::quantity::format_number(Decimal::from(whole as u64)),
            out[whole].volume
        ));
    }
    Ok((out, quantity))
}

/// Syringe numbers as people read them: `#1–#16`, or `#3` for one (they are consecutive).
pub fn syringe_range(numbers: &[u32]) -> String {
    match numbers {
        [] => String::new(),
        [one] => format!("syringe #{one}"),
        [first, .., last] => format!("syringes #{first}–#{last}"),
    }
}

/// The batch a session suggests (see [`suggest_batch`]).
struct Suggested {
    batch_volume: Volume,
    batch_reason: String,
    batch_strength: Option<String>,
    made_exactly: bool,
    batch_concentration_text: String,
    batch_command: String,
}

/// The batch suggested for a session that needs `to_prepare`: the one `stscalc batch` makes at
/// the session's concentration (`on_formula_basis` on the formula's basis), exactly where the
/// measuring step allows, with its command; no command (and a warning) when the strength is
/// not exact in a few decimals on that basis or no batch volume reaches it.
fn suggest_batch(
    entry: &Entry,
    req: &SessionRequest,
    (on_formula_basis, concentration_text): (Concentration, &str),
    to_prepare: Volume,
    calc: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> Result<Suggested> {
    let basis = req.basis;
    let policy_basis = entry.formula.strength.basis;
    // The batch must be made at the session's concentration, which `batch` takes on the
    // formula's basis. A strength that is not exact in a few decimals on that basis is not
    // rounded behind the pharmacist's back: no command is given and a warning says why.
    let default = super::solution::default_concentration(&entry.formula)?;
    let batch_strength = if on_formula_basis == default {
        Some(String::new())
    } else if on_formula_basis.mg_per_ml().normalize().scale() <= 4 {
        Some(format!(
            " {STRENGTH} {}mg/mL",
            on_formula_basis.mg_per_ml().normalize()
        ))
    } else {
        warnings.push(format!(
            "The session's {concentration_text} ({basis}) is {} on the formula's {policy_basis} basis: no batch command is given, work out the batch strength with the pharmacist.",
            super::solution::concentration_text(on_formula_basis)
        ));
        None
    };
    // The batch suggested is the one `stscalc batch` makes: exactly at the strength where the
    // measuring step allows, covering the vial's residual too.
    let step = super::solution::solution_spec(&entry.formula)?.measure_step;
    let sized = BatchSizing::new(&entry.formula, on_formula_basis, Method::Dilution).map(|b| {
        b.with_vial_residual(req.vial_residual)
            .smallest_from(to_prepare)
    });
    let (batch_volume, batch_reason, batch_strength, batch_quantity, made_now) = match sized {
        Ok(Some(b)) => {
            // Without a batch command the session's concentration is the clinician's own
            // solution: it is kept.
            // The batch's own concentration when it is not the one given: said, never used
            // for the doses.
            let made_now = (!b.exactly && batch_strength.is_some()).then(|| {
                if basis == policy_basis {
                    b.concentration
                } else {
                    convert(b.concentration, policy_basis, basis)
                }
            });
            (b.volume, b.reason, batch_strength, b.quantity, made_now)
        }
        Ok(None) | Err(_) => {
            let why = match sized {
                Err(e) => e.to_string(),
                _ => "no volume nearby reaches the strength exactly or within the planning margin at the formula's measuring step"
                    .to_string(),
            };
            warnings.push(format!(
                "No batch command: {why}. Work out the batch with the pharmacist."
            ));
            let v = round_volume(to_prepare, step, RoundingStrategy::ToPositiveInfinity);
            (
                v,
                format!("{to_prepare} rounded up to the measuring step {step}"),
                None,
                to_prepare,
                None,
            )
        }
    };
    calc.push(format!("Batch: {batch_reason}"));
    let made_exactly = made_now.is_none();
    let batch_concentration_text =
        super::solution::concentration_text(made_now.unwrap_or(req.concentration));
    if let Some(would_make) = made_now {
        warnings.push(format!(
            "The suggested batch cannot make exactly {} ({basis} basis): no volume at the measuring step {step} reaches it, so it would make {} (within the planning margin). The doses here are at {}, the concentration given; a vial from that batch is labelled with what it holds, and its session is checked at that concentration.",
            req.concentration,
            super::solution::concentration_text(would_make),
            req.concentration,
        ));
    }
    // Machine input: plain digits, no thousands separator. The quantity is what is drawn from
    // the batch: `stscalc batch` adds the vial's residual and rounds up as above.
    let residual = req.vial_residual.map_or_else(String::new, |v| {
        format!(" {VIAL_RESIDUAL} {}mL", v.ml().normalize())
    });
    let batch_command = batch_strength.as_ref().map_or_else(String::new, |s| {
        format!(
            "stscalc batch {} {QUANTITY} {}mL{s}{residual}",
            entry.formula.id,
            batch_quantity.ml().normalize()
        )
    });
    Ok(Suggested {
        batch_volume,
        batch_reason,
        batch_strength,
        made_exactly,
        batch_concentration_text,
        batch_command,
    })
}

/// The override line: what the reason overrides — the per-session maximums `exceeded` and the
/// series' shorter interval `series` — or that it overrides nothing. `None` without a reason.
pub fn override_text(
    exceeded: &[String],
    series: Option<&str>,
    reason: Option<&str>,
) -> Option<String> {
    let reason = reason?;
    let what: Vec<&str> = exceeded.iter().map(String::as_str).chain(series).collect();
    Some(if what.is_empty() {
        format!(
            "Override reason given, but it overrides nothing (no policy maximum exceeded, no policy interval shortened): {reason}"
        )
    } else {
        format!(
            "OVERRIDE of the local policy: {} — reason: {reason}",
            what.join("; ")
        )
    })
}

/// Joins equal items as `n × item`, keeping their first order.
fn summarize(items: &[String]) -> String {
    let mut out: Vec<(String, usize)> = Vec::new();
    for i in items {
        match out.iter_mut().find(|(s, _)| s == i) {
            Some((_, c)) => *c += 1,
            None => out.push((i.clone(), 1)),
        }
    }
    out.iter()
        .map(|(s, c)| {
            if *c == 1 {
                s.clone()
            } else {
                format!("{c} × ({s})")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl From<&SessionPlan> for super::series::SeriesInput {
    fn from(p: &SessionPlan) -> Self {
        super::series::SeriesInput {
            formula_id: p.formula.id.clone(),
            to_prepare: p.batch_quantity,
            syringe_takes: p
                .syringes
                .iter()
                .map(|s| Volume::from_ml(s.volume.ml() + s.dead_space.ml()))
                .collect(),
            total_volume: p.total_volume,
            total_mass: p.total_mass,
            total_mass_text: p.total_mass_text.clone(),
            batch_strength: p.batch_strength.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fill(number: u32, ml: &str, dead: &str) -> SyringeFill {
        let v = |x: &str| Volume::from_ml(x.parse().unwrap());
        SyringeFill {
            number,
            syringe: Syringe {
                name: "test syringe".into(),
                capacity: v("20"),
                graduation: v("0.2"),
                dead_space: v(dead),
                source: String::new(),
            },
            lesions: vec![number],
            volume: v(ml),
            dead_space: v(dead),
        }
    }

    #[test]
    fn regression_a_syringe_larger_than_a_vial_is_refused() {
        // The shipped syringes hold at most 5 mL, but a site's table may list larger ones: a
        // syringe taking 9.9 + 0.2 = 10.1 mL is more than a 10 mL vial gives, and is refused,
        // not split across vials.
        let err = vials(
            &[fill(1, "1", "0.1"), fill(2, "9.9", "0.2")],
            Volume::from_ml(Decimal::TEN),
            &mut Vec::new(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("syringe #2 takes 10.1 mL (9.9 mL + dead space 0.2 mL), more than one 10 mL vial gives"),
            "{err}"
        );
    }

    #[test]
    fn syringes_fill_a_vial_in_order_then_the_next() {
        // 4 + 0.1, 4 + 0.1 = 8.2 mL in vial 1; a third 4.1 mL would make 12.3 > 10: vial 2,
        // which the last, 1.9 + 0.1 = 2 mL, joins (6.1 mL). Asked: 10 + 6.1 = 16.1 mL.
        let mut calc = Vec::new();
        let (v, q) = vials(
            &[
                fill(1, "4", "0.1"),
                fill(2, "4", "0.1"),
                fill(3, "4", "0.1"),
                fill(4, "1.9", "0.1"),
            ],
            Volume::from_ml(Decimal::TEN),
            &mut calc,
        )
        .unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].syringes, vec![1, 2]);
        assert_eq!(v[1].syringes, vec![3, 4]);
        assert_eq!(v[1].volume.ml(), "6.1".parse::<Decimal>().unwrap());
        assert_eq!(q.ml(), "16.1".parse::<Decimal>().unwrap());
        assert!(
            calc[0].contains("vial 1: syringes #1–#2 = 8.2 mL; vial 2: syringes #3–#4 = 6.1 mL")
        );
    }
}
