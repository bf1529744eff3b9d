//! A batch made up to mass (ointments, creams, gels made to mass): the active corrected for salt
//! form and certificate, the formula's excipients by their share of the batch (% w/w) or their
//! fixed quantity, and the quantity-sufficient (q.s.) component as the remainder, all rounded to
//! the balance.
//!
//! The q.s. component is never rounded on its own: it is the batch total minus the rounded
//! active and excipients, so the components always add up to the total exactly.
//!
//! What the balance can weigh decides whether the batch can be made at all: the excipients
//! and the q.s. component are weighed directly, so each must reach the balance's minimum weight
//! (USP <41>) and no weighing may pass its capacity; otherwise the batch is refused with the
//! smallest batch that this balance can make (and the finer balance that makes this one). An
//! active below the minimum weight is weighed by the aliquot method, which is calculated: the
//! stock diluted in the base, and the part of the dilution to weigh.

use std::sync::OnceLock;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::{display_factor, display_percent, Balance, BatchSize, Overage};
use crate::error::field::{CAPACITY, CONTAINER, CONTAINERS, QUANTITY, READABILITY, STRENGTH};
use crate::error::{Error, Result};
use crate::formula::{Entry, Formula, Strength};
use crate::quantity::{format_calculated, Mass, Percent, PercentKind, Shown};
use crate::substance::{content_factor, Certificate, Form, Substance};

/// What the pharmacist asks for.
#[derive(Debug, Clone)]
pub struct OintmentRequest {
    /// How much to make.
    pub size: BatchSize,
    /// Strength, or the formula's default.
    pub strength: Option<Percent>,
    /// Extra for compounding loss.
    pub overage: Option<Overage>,
    /// The form on the shelf, or the formula's usual stock form.
    pub stock_form: Option<Form>,
    /// The lot's certificate of analysis.
    pub certificate: Option<Certificate>,
    /// The balance.
    pub balance: Balance,
    /// The balance's capacity, or the default of `data/balance.toml`.
    pub capacity: Option<Mass>,
    /// Container option id, or the formula's first.
    pub container: Option<String>,
}

/// `data/balance.toml`: the balance assumed where the options do not describe it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BalanceDefaults {
    /// The largest single weighing.
    pub capacity: Mass,
    /// Why that figure.
    pub capacity_source: String,
}

impl BalanceDefaults {
    /// The shipped defaults, parsed once.
    pub fn get() -> &'static BalanceDefaults {
        static CELL: OnceLock<BalanceDefaults> = OnceLock::new();
        CELL.get_or_init(|| {
            crate::data::from_toml(
                crate::data::FileKind::Data,
                "data/balance.toml",
                include_str!("../../data/balance.toml"),
            )
            .expect("the embedded balance file is checked by the test suite")
        })
    }
}

/// How an active below the balance's minimum weight is weighed: a dilution of the stock in the
/// base, of which an aliquot goes into the batch. Every weighing is at least the minimum weight.
#[derive(Debug, Clone, Serialize)]
pub struct Aliquot {
    /// What the stock is diluted in (the base).
    pub diluent: String,
    /// Stock to weigh for the dilution: the minimum weight, rounded up to the readability.
    pub stock_to_weigh: Mass,
    /// Base to weigh and mix with it.
    pub diluent_to_weigh: Mass,
    /// The dilution made.
    pub dilution_total: Mass,
    /// The part of the dilution to weigh into the batch.
    pub aliquot_to_weigh: Mass,
    /// Stock that aliquot holds, exact.
    pub active_delivered: Mass,
    /// The same, as people read it.
    pub active_delivered_text: String,
    /// What is left of the dilution, to discard.
    pub discard: Mass,
    /// Base weighed directly into the batch besides the aliquot.
    pub base_to_weigh_directly: Mass,
    /// The instruction, for the sheet.
    pub text: String,
}

/// Why a batch cannot be weighed on the balance.
enum Unweighable {
    /// A component weighed directly is below the minimum weight.
    BelowMinimum(String),
    /// A weighing is above the capacity.
    OverCapacity(String),
}

/// The role of a component in the batch: the active, or the role its formula gives an
/// excipient.
pub use crate::formula::Role;

/// One line of the weighing list: with the aliquot method, the weighings actually made, in
/// order (stock and base for the dilution, the dilution into the batch, then the rest).
#[derive(Debug, Clone, Serialize)]
pub struct Component {
    /// Component id from the formula.
    pub id: String,
    /// What it is.
    pub role: Role,
    /// Name, with the form weighed for the active.
    pub name: String,
    /// The exact calculated quantity, before rounding.
    pub calculated: Mass,
    /// The calculated quantity as people read it (`≈` when cut for display).
    pub calculated_text: String,
    /// What to weigh.
    pub to_weigh: Mass,
    /// How `to_weigh` was obtained.
    pub rounding: String,
    /// Below the balance's minimum weight: weigh by the aliquot method.
    pub below_minimum_weight: bool,
    /// The quantity-sufficient component: the total minus the rounded components above.
    pub quantity_sufficient: bool,
}

/// The strength that the rounded quantities give, and its worst case.
#[derive(Debug, Clone, Serialize)]
pub struct StrengthCheck {
    /// Target strength.
    pub target: Percent,
    /// Strength from the rounded quantities: exact `value`, read to 0.0001 %.
    pub from_rounded: Shown<Percent>,
    /// Lowest strength if every weighing is off by half a readability step the wrong way
    /// (rounded down to 0.0001 %).
    pub worst_low: Percent,
    /// Highest such strength (rounded up to 0.0001 %).
    pub worst_high: Percent,
    /// Lowest as % of label.
    pub worst_low_of_label: String,
    /// Highest as % of label.
    pub worst_high_of_label: String,
    /// What the bounds assume.
    pub assumption: String,
}

/// How the batch fills containers.
#[derive(Debug, Clone, Serialize)]
pub struct Fill {
    /// Container id.
    pub container: String,
    /// Container description.
    pub name: String,
    /// Nominal fill.
    pub fill: Mass,
    /// Containers filled.
    pub count: u32,
    /// Nominal quantity left over after filling (overage not counted).
    pub left_over: Mass,
    /// As people read it: `3 × 30 g (…), 10 g left over`, or that the batch fills none.
    pub text: String,
}

/// One constituent of the finished ointment.
#[derive(Debug, Clone, Serialize)]
pub struct CompositionLine {
    /// Constituent name.
    pub name: String,
    /// Share, % w/w: exact `value`, read to two decimals (`≈` when cut).
    pub percent: Shown<Percent>,
}

/// The stock used and its correction.
#[derive(Debug, Clone, Serialize)]
pub struct Stock {
    /// Form on the shelf.
    pub form: Form,
    /// Chemical formula of that form.
    pub formula: String,
    /// Certificate of analysis, if given.
    pub certificate: Option<Certificate>,
    /// Grams of active on the strength's basis delivered by 1 g of stock.
    pub factor: Decimal,
    /// The factor as people read it.
    pub factor_text: String,
    /// How the factor was obtained.
    pub factor_basis: String,
}

/// The formula as cited on a sheet.
#[derive(Debug, Clone, Serialize)]
pub struct FormulaRef {
    /// Id.
    pub id: String,
    /// Version.
    pub version: String,
    /// Name.
    pub name: String,
    /// Where it came from.
    pub origin: String,
    /// SHA-256 of the file.
    pub sha256: String,
}

impl FormulaRef {
    /// Cites a catalog entry.
    pub fn of(entry: &Entry) -> Self {
        FormulaRef {
            id: entry.formula.id.clone(),
            version: entry.formula.version.clone(),
            name: entry.formula.name.clone(),
            origin: entry.origin.to_string(),
            sha256: entry.sha256.clone(),
        }
    }
}

/// The complete batch plan.
#[derive(Debug, Clone, Serialize)]
pub struct OintmentPlan {
    /// The formula used.
    pub formula: FormulaRef,
    /// The preparation made, titled with the strength actually made and its basis.
    pub title: String,
    /// Target strength.
    pub strength: Percent,
    /// Its basis.
    pub basis: Form,
    /// How the size was asked.
    pub size: BatchSize,
    /// Nominal quantity (before overage).
    pub nominal: Mass,
    /// Overage asked for.
    pub overage: Option<Overage>,
    /// Total to make (nominal plus overage, rounded to the balance if needed).
    pub total: Mass,
    /// The stock and its correction.
    pub stock: Stock,
    /// The balance.
    pub balance: Balance,
    /// Capacity of that balance: the largest single weighing.
    pub capacity: Mass,
    /// Where the capacity comes from.
    pub capacity_basis: String,
    /// How the active is weighed when it is below the minimum weight.
    pub aliquot: Option<Aliquot>,
    /// Minimum weight of that balance.
    pub minimum_weight: Mass,
    /// How the minimum weight was derived.
    pub minimum_weight_basis: String,
    /// The weighing list.
    pub components: Vec<Component>,
    /// Strength check.
    pub strength_check: StrengthCheck,
    /// Containers.
    pub fill: Fill,
    /// Final composition.
    pub composition: Vec<CompositionLine>,
    /// The calculation, step by step, for a second pharmacist.
    pub calculations: Vec<String>,
    /// Things the pharmacist must act on.
    pub warnings: Vec<String>,
    /// Lot, compounding date, component lots and beyond-use date; `None` until
    /// [`OintmentPlan::attach_record`] adds them (the binary always does).
    pub record: Option<super::record::BatchRecord>,
}

use super::NEAREST_STEP as ROUNDING_RULE;

/// Plans an ointment batch; refuses one the balance cannot weigh, naming the smallest batch it
/// can (and the finer balance that makes this one).
pub fn plan(entry: &Entry, req: &OintmentRequest) -> Result<OintmentPlan> {
    match plan_on_balance(entry, req)? {
        Ok(p) => Ok(p),
        Err(Unweighable::OverCapacity(what)) => {
            let (capacity, source) = capacity_of(req);
            Err(Error::Refused(format!(
                "{what} is more than the balance's capacity {capacity} ({source}): weigh on a balance of larger capacity ({CAPACITY}) or make a smaller batch"
            )))
        }
        Err(Unweighable::BelowMinimum(what)) => {
            let min = req.balance.minimum_weight();
            let mut advice = Vec::new();
            if let Some(n) = smallest_workable(entry, req) {
                advice.push(format!(
                    "the smallest batch this balance can make is {n} ({QUANTITY} {})",
                    crate::quantity::format_number(n.g()).replace(',', "") + "g"
                ));
            }
            if let Some(d) = finer_readability(entry, req) {
                let finer = Balance {
                    readability: d,
                    repeatability: None,
                };
                advice.push(format!(
                    "this batch needs a balance of readability {d} or finer (minimum weight {}, if its repeatability is at its floor)",
                    finer.minimum_weight()
                ));
            }
            Err(Error::Refused(format!(
                "the balance cannot make this batch: {what} is below its minimum weight {min} ({}), and only the active may be weighed by the aliquot method (the excipients are weighed directly){}{}",
                req.balance.minimum_weight_basis(),
                if advice.is_empty() { "" } else { ": " },
                advice.join("; or ")
            )))
        }
    }
}

/// The capacity used, and where it comes from.
fn capacity_of(req: &OintmentRequest) -> (Mass, String) {
    match req.capacity {
        Some(c) => (c, CAPACITY.into()),
        None => {
            let d = BalanceDefaults::get();
            (d.capacity, format!("default, {}", d.capacity_source))
        }
    }
}

/// The round step of the order of a minimum weight `min`: the power of ten at most `min`
/// (8.2 g → 1 g; 0.82 g → 0.1 g).
fn round_step(min: Decimal) -> Decimal {
    let mut step = Decimal::ONE;
    while step > min {
        step /= Decimal::TEN;
    }
    while step * Decimal::TEN <= min {
        step *= Decimal::TEN;
    }
    step
}

/// The next round quantity strictly above the minimum weight `min`, in its round step
/// (8.2 g → 9 g; 8 g → 9 g; 0.82 g → 0.9 g): the least an aliquot weighing is planned at.
pub fn above_minimum(min: Decimal) -> Decimal {
    let step = round_step(min);
    ((min / step).floor() + Decimal::ONE) * step
}

/// The smallest nominal batch, in round steps of the order of the minimum weight, that the
/// balance can make with the same strength, overage, stock and certificate.
fn smallest_workable(entry: &Entry, req: &OintmentRequest) -> Option<Mass> {
    let min = req.balance.minimum_weight().g();
    // 8.2 g → steps of 1 g; 0.82 g → 0.1 g: a round figure, at most ~12 % above the least.
    let step = round_step(min);
    let start = (min / step).ceil();
    // Every component is a fixed share of the batch, so 400 steps reach well past the size
    // where the smallest share (a 5 % levigating agent) is weighed directly.
    (0..400).find_map(|k| {
        let n = Mass::from_g((start + Decimal::from(k)) * step);
        let trial = OintmentRequest {
            size: BatchSize::Total { total: n },
            container: None,
            ..req.clone()
        };
        matches!(plan_on_balance(entry, &trial), Ok(Ok(_))).then_some(n)
    })
}

/// The coarsest readability, in decades finer than the one given, that makes this batch.
fn finer_readability(entry: &Entry, req: &OintmentRequest) -> Option<Mass> {
    let mut d = req.balance.readability.g();
    for _ in 0..4 {
        d /= Decimal::TEN;
        let trial = OintmentRequest {
            balance: Balance {
                readability: Mass::from_g(d),
                repeatability: None,
            },
            ..req.clone()
        };
        if matches!(plan_on_balance(entry, &trial), Ok(Ok(_))) {
            return Some(Mass::from_g(d));
        }
    }
    None
}

/// The calculation's line for the active (`name`, its stock form): what the batch needs
/// (`needed` ÷ the content `factor` = `exact` → `weigh` on the balance). Below the minimum
/// weight the stock is not weighed directly (the aliquot method): the line then says what the
/// batch needs, not what to weigh, so that it agrees with the weighing table.
fn active_line(
    name: &str,
    (needed, factor): (Mass, Decimal),
    (exact, weigh): (Mass, Mass),
    balance: &Balance,
) -> String {
    let minimum = balance.minimum_weight();
    let by_aliquot = weigh < minimum;
    format!(
        "{name} {}: {needed} ÷ {} = {} → {weigh} (to {}, {ROUNDING_RULE}){}",
        if by_aliquot {
            "needed in the batch"
        } else {
            "to weigh"
        },
        display_factor(factor),
        exact.display_calculated(6),
        balance.readability,
        if by_aliquot {
            format!(", below the minimum weight {minimum}: weighed by the aliquot method (below), not directly")
        } else {
            String::new()
        }
    )
}

/// The aliquot method for an active below the balance's minimum weight (`active`: its row and
/// its exact mass), said in the calculation and the warnings; `None` when it is weighed
/// directly.
fn aliquot_if_below_minimum(
    active: (&Component, Mass),
    batch: (&Formula, Mass, Option<Mass>),
    balance: &Balance,
    calc: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> Option<Aliquot> {
    let (row, active_calc) = active;
    let (formula, total, direct_weighed) = batch;
    if !row.below_minimum_weight {
        return None;
    }
    let a = aliquot(
        active_calc,
        balance,
        &formula.qs().name,
        total,
        direct_weighed,
    );
    calc.push(format!("Aliquot method: {}", a.text));
    warnings.push(format!(
        "{} ({}) is below the balance's minimum weight {}: weigh it by the aliquot method: {}",
        row.name,
        row.to_weigh,
        balance.minimum_weight(),
        a.text
    ));
    Some(a)
}

/// Plans the batch, or says why the balance cannot weigh it.
fn plan_on_balance(
    entry: &Entry,
    req: &OintmentRequest,
) -> Result<std::result::Result<OintmentPlan, Unweighable>> {
    let formula = &entry.formula;
    let substance = Substance::sodium_thiosulfate();
    let strength = target_strength(formula, req)?;
    let basis = formula.strength.basis;
    let balance = req.balance;
    let d = balance.readability;
    let mut calc = Vec::new();
    let mut warnings = Vec::new();

    // Size and overage.
    let (nominal, total) = batch_total(req, &balance, &mut calc, &mut warnings)?;

    // Active.
    let stock_form = req.stock_form.unwrap_or(formula.active.stock_form);
    let factor = content_factor(substance, stock_form, req.certificate.as_ref(), basis);
    let factor_basis = factor_explanation(substance, stock_form, req.certificate.as_ref(), basis);
    if let Some(c) = &req.certificate {
        warnings.extend(substance.certificate_warnings(stock_form, c));
    }
    let active_needed = Mass::from_g(total.g() * strength.fraction());
    calc.push(format!(
        "{} needed ({basis} basis): {total} × {strength} = {active_needed}",
        formula.active.name
    ));
    calc.push(format!(
        "1 g of stock ({stock_form}) gives {} g on the {basis} basis: {factor_basis}",
        display_factor(factor)
    ));
    let active_calc = Mass::from_g(active_needed.g() / factor);
    let active_weigh = balance.round(active_calc);
    calc.push(active_line(
        &format!("{} {stock_form}", formula.active.name),
        (active_needed, factor),
        (active_calc, active_weigh),
        &balance,
    ));

    let mut components = vec![component(
        &formula.active.id,
        Role::Active,
        format!(
            "{} {} ({})",
            formula.active.name,
            stock_form,
            substance.form(stock_form).formula
        ),
        active_calc,
        active_weigh,
        &balance,
    )];

    // The excipients with an amount, in their order of addition.
    let mut others = active_weigh.g();
    for e in formula.excipients().iter().filter(|e| !e.is_qs()) {
        let c = excipient(e, total, &balance, &mut calc);
        others += c.to_weigh.g();
        components.push(c);
    }
    // Weighed directly, never aliquoted: every excipient but the q.s. one.
    let direct: Vec<Component> = components[1..].to_vec();
    let direct_total =
        (!direct.is_empty()).then(|| Mass::from_g(direct.iter().map(|c| c.to_weigh.g()).sum()));

    // The q.s. component.
    let base = base_qs(formula, total, others, &balance, &mut calc, &mut components)?;

    let minimum_weight = balance.minimum_weight();
    let aliquot = aliquot_if_below_minimum(
        (&components[0], active_calc),
        (formula, total, direct_total),
        &balance,
        &mut calc,
        &mut warnings,
    );
    // The excipients and the base are weighed directly: never aliquoted.
    let base_direct = aliquot.as_ref().map_or(base, |a| a.base_to_weigh_directly);
    let (capacity, capacity_basis) = capacity_of(req);
    if let Some(u) = unweighable(
        formula,
        (&direct, base_direct),
        aliquot.as_ref(),
        &components,
        (minimum_weight, capacity),
    ) {
        return Ok(Err(u));
    }

    let strength_check = strength_check(strength, factor, &components, total, d);
    check_tolerance(formula, &strength_check, &balance, &mut warnings)?;
    let fill = fill(formula, req, nominal)?;
    if fill.count == 0 {
        warnings.push(fill.text.clone());
    }
    let composition = composition(
        entry,
        &components,
        total,
        stock_form,
        substance,
        &strength_check,
    );
    // The strength check and the composition are of the batch as a whole; the table the
    // pharmacist weighs from must be the weighings made, so with an aliquot it lists those.
    let components = match &aliquot {
        Some(a) => aliquot_weighings(&formula.qs().id, components, a),
        None => components,
    };

    Ok(Ok(OintmentPlan {
        formula: FormulaRef::of(entry),
        title: crate::plan::record::preparation_title(formula, Strength::Percent(strength)),
        strength,
        basis,
        size: req.size,
        nominal,
        overage: req.overage,
        total,
        stock: Stock {
            form: stock_form,
            formula: substance.form(stock_form).formula.clone(),
            certificate: req.certificate,
            factor,
            factor_text: display_factor(factor),
            factor_basis,
        },
        balance,
        capacity,
        capacity_basis,
        aliquot,
        minimum_weight,
        minimum_weight_basis: balance.minimum_weight_basis(),
        components,
        strength_check,
        fill,
        composition,
        calculations: calc,
        warnings,
        record: None,
    }))
}

/// The strength to make: the one asked for (a % w/w within the formula's range), else the
/// formula's default.
fn target_strength(formula: &Formula, req: &OintmentRequest) -> Result<Percent> {
    Ok(match req.strength {
        Some(p) => {
            if p.kind() == PercentKind::WeightInVolume {
                return Err(Error::input(
                    STRENGTH,
                    "a % w/w strength for an ointment",
                    format!("`{p}`"),
                ));
            }
            let p = p.as_kind(PercentKind::WeightInWeight);
            formula.check_strength(STRENGTH, Strength::Percent(p))?;
            p
        }
        None => match formula.default_strength() {
            Strength::Percent(p) => p.as_kind(PercentKind::WeightInWeight),
            Strength::Concentration(c) => {
                return Err(Error::Refused(format!(
                    "formula `{}` has strength {c}: the ointment calculator needs a % w/w",
                    formula.id
                )))
            }
        },
    })
}

/// The batch total: the size asked for, with its overage, rounded to the balance readability
/// (said in a warning when it moves). Returns the nominal size and the total to make.
fn batch_total(
    req: &OintmentRequest,
    balance: &Balance,
    calc: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> Result<(Mass, Mass)> {
    let d = balance.readability;
    let nominal = req.size.nominal();
    match req.size {
        BatchSize::Containers { count, fill } => {
            calc.push(format!("Batch: {count} × {fill} = {nominal}"))
        }
        BatchSize::Total { total } => calc.push(format!("Batch: {total}")),
    }
    let with_overage = req.overage.map_or(nominal, |o| o.apply(nominal));
    match req.overage {
        Some(Overage::Percent(p)) => calc.push(format!(
            "Overage {p}: {nominal} × (1 + {p}) = {with_overage}"
        )),
        Some(Overage::Amount(m)) => {
            calc.push(format!("Overage {m}: {nominal} + {m} = {with_overage}"))
        }
        None => {}
    }
    if d > with_overage {
        return Err(Error::input(
            READABILITY,
            format!("a balance readability finer than the batch total {with_overage}"),
            format!("`{d}`"),
        ));
    }
    let total = balance.round(with_overage);
    if total != with_overage {
        calc.push(format!(
            "Total rounded to the balance readability {d} ({ROUNDING_RULE}): {total}"
        ));
        warnings.push(format!(
            "the total to make was rounded from {with_overage} to {total} to match the balance readability {d}"
        ));
    }
    if total.g() <= Decimal::ZERO {
        return Err(Error::Refused(format!(
            "the batch total {total} is below the balance readability {d}"
        )));
    }
    Ok((nominal, total))
}

/// An excipient with an amount: its share of the batch total, or its fixed quantity, rounded
/// to the balance.
fn excipient(
    e: &crate::formula::Excipient,
    total: Mass,
    balance: &Balance,
    calc: &mut Vec<String>,
) -> Component {
    let amount = *e
        .amount
        .as_ref()
        .expect("only the q.s. component has no amount")
        .get_ref();
    let (calculated, how) = match amount {
        crate::formula::Amount::Percent(p) => (
            Mass::from_g(total.g() * p.fraction()),
            format!("{total} × {p}"),
        ),
        // A fixed quantity per batch (a made-to-mass formula's amounts are checked on load
        // to be a % w/w or a mass).
        crate::formula::Amount::FixedMass(m) => (m, "fixed per batch".to_string()),
        crate::formula::Amount::FixedVolume(v) => {
            unreachable!("a volume amount in a formula made to mass is refused on load: {v}")
        }
    };
    let weigh = balance.round(calculated);
    calc.push(format!(
        "{} ({}): {how} = {} → {weigh}",
        e.name,
        e.role,
        calculated.display_calculated(6)
    ));
    component(&e.id, e.role, e.name.clone(), calculated, weigh, balance)
}

/// The base, quantity sufficient: the total minus the rounded components above (`others` g).
fn base_qs(
    formula: &Formula,
    total: Mass,
    others: Decimal,
    balance: &Balance,
    calc: &mut Vec<String>,
    components: &mut Vec<Component>,
) -> Result<Mass> {
    let qs = formula.qs();
    let base = Mass::from_g(total.g() - others);
    if base.g() <= Decimal::ZERO {
        return Err(Error::Refused(format!(
            "no room for the quantity-sufficient {} ({}): the active and the other excipients weigh {} of a {total} batch (check the assay, the stock form and any fixed amounts per batch)",
            qs.name,
            qs.role,
            Mass::from_g(others)
        )));
    }
    let weighed: Vec<String> = components.iter().map(|c| c.to_weigh.to_string()).collect();
    // With the aliquot method part of the base goes in with the dilution: this is the base in
    // the batch in all, not what is weighed directly (the aliquot line says that).
    let by_aliquot = components
        .iter()
        .any(|c| c.role == Role::Active && c.below_minimum_weight);
    calc.push(format!(
        "{}{}: {total} − {} = {base}",
        qs.name,
        if by_aliquot {
            " in the batch in all (q.s.), part of it in the dilution (below)"
        } else {
            " (q.s.)"
        },
        weighed.join(" − ")
    ));
    components.push(Component {
        id: qs.id.clone(),
        role: qs.role,
        name: qs.name.clone(),
        calculated: base,
        calculated_text: base.to_string(),
        to_weigh: base,
        rounding: "quantity sufficient: the total minus the rounded components above".into(),
        below_minimum_weight: base < balance.minimum_weight(),
        quantity_sufficient: true,
    });
    Ok(base)
}

/// Why the balance cannot weigh the batch, if it cannot: a weighing made directly (the
/// excipients, the q.s. component) below the minimum weight, or one above the capacity.
fn unweighable(
    formula: &Formula,
    (excipients, base_direct): (&[Component], Mass),
    aliquot: Option<&Aliquot>,
    components: &[Component],
    (minimum_weight, capacity): (Mass, Mass),
) -> Option<Unweighable> {
    let qs = formula.qs();
    let direct: Vec<(String, String, Mass)> = excipients
        .iter()
        .map(|c| (c.name.clone(), format!("the {}", c.role), c.to_weigh))
        .chain(std::iter::once((
            qs.name.clone(),
            format!("the {} (q.s.)", qs.role),
            base_direct,
        )))
        .collect();
    for (i, (name, role, m)) in direct.iter().enumerate() {
        if *m < minimum_weight {
            return Some(Unweighable::BelowMinimum(format!(
                "{role} {name} ({m}{})",
                if aliquot.is_some() && i + 1 == direct.len() {
                    ", besides the active's aliquot"
                } else {
                    ""
                }
            )));
        }
    }
    let mut weighings: Vec<(String, Mass)> = direct
        .iter()
        .map(|(name, _, m)| (name.clone(), *m))
        .collect();
    match aliquot {
        Some(a) => {
            weighings.push(("the active's dilution".into(), a.dilution_total));
        }
        None => weighings.push((components[0].name.clone(), components[0].to_weigh)),
    }
    if let Some((name, m)) = weighings.iter().find(|(_, m)| *m > capacity) {
        return Some(Unweighable::OverCapacity(format!("{name} ({m})")));
    }
    None
}

/// The weighings of an aliquot batch, in the order they are made: the stock and the base for
/// the dilution, the dilution into the batch, the levigating agent (if any) and the base
/// weighed directly. The calculated cells keep the exact figures behind each weighing.
fn aliquot_weighings(base_id: &str, components: Vec<Component>, a: &Aliquot) -> Vec<Component> {
    let mut out = Vec::new();
    let mut rest = Vec::new();
    for c in components {
        match c.role {
            Role::Active => {
                out.push(Component {
                    role: Role::StockForDilution,
                    name: format!("{} — stock for the dilution", c.name),
                    calculated_text: format!("{} needed in the batch", c.calculated_text),
                    to_weigh: a.stock_to_weigh,
                    rounding: "aliquot method: the next round quantity above the minimum weight"
                        .into(),
                    below_minimum_weight: false,
                    ..c.clone()
                });
                out.push(Component {
                    id: format!("{base_id}-for-dilution"),
                    role: Role::BaseForDilution,
                    name: format!("{} — base for the dilution", a.diluent),
                    calculated: a.diluent_to_weigh,
                    calculated_text: a.diluent_to_weigh.to_string(),
                    to_weigh: a.diluent_to_weigh,
                    rounding: "aliquot method: mixed with the stock to a uniform dilution of "
                        .to_string()
                        + &a.dilution_total.to_string(),
                    below_minimum_weight: false,
                    quantity_sufficient: false,
                });
                out.push(Component {
                    id: format!("{}-dilution", c.id),
                    role: Role::DilutionIntoBatch,
                    name: format!(
                        "Dilution (above) into the batch, holding {} of stock",
                        a.active_delivered_text
                    ),
                    calculated: a.aliquot_to_weigh,
                    calculated_text: a.aliquot_to_weigh.to_string(),
                    to_weigh: a.aliquot_to_weigh,
                    rounding: format!("discard the {} left", a.discard),
                    below_minimum_weight: false,
                    quantity_sufficient: false,
                });
            }
            // The q.s. component: what is not in the dilution, weighed directly.
            _ if c.quantity_sufficient => rest.push(Component {
                name: format!("{} — weighed directly", c.name),
                calculated: a.base_to_weigh_directly,
                calculated_text: a.base_to_weigh_directly.to_string(),
                to_weigh: a.base_to_weigh_directly,
                rounding:
                    "quantity sufficient: the total minus the dilution (and levigating agent) above"
                        .into(),
                ..c
            }),
            _ => out.push(c),
        }
    }
    out.extend(rest);
    out
}

/// The aliquot method for an active of `needed` g of stock, below the minimum weight: with `m`
/// the next round quantity above the minimum weight ([`above_minimum`]), weigh `m` of stock,
/// dilute it in enough base that the aliquot holding `needed` is at least `m` too, and weigh
/// that aliquot; the rest of the base is weighed directly.
fn aliquot(
    needed: Mass,
    balance: &Balance,
    diluent: &str,
    total: Mass,
    excipients: Option<Mass>,
) -> Aliquot {
    let d = balance.readability.g();
    // A plan never targets the edge of a tolerance: every weighing of the aliquot is at least
    // the next round quantity above the minimum weight (8.2 g → 9 g), not the minimum itself.
    let m = above_minimum(balance.minimum_weight().g()).max(d);
    let up = |x: Decimal| super::round_to_multiple(x, d, RoundingStrategy::ToPositiveInfinity);
    let stock = up(m);
    // The aliquot is needed × dilution ÷ stock; at least m when dilution ≥ m × stock ÷ needed.
    let diluent_mass = up((m * stock / needed.g() - stock).max(m));
    let dilution = stock + diluent_mass;
    let exact = needed.g() * dilution / stock;
    let mut q = super::round_to_multiple(exact, d, RoundingStrategy::MidpointAwayFromZero);
    if q < m {
        q += d;
    }
    let delivered = Mass::from_g(q * stock / dilution);
    let base_direct = total.g() - excipients.map_or(Decimal::ZERO, |l| l.g()) - q;
    let text = format!(
        "weigh {} of the stock and mix it with {} of {diluent} to a uniform dilution of {}; weigh {} of the dilution into the batch ({} ÷ {} × {} = {}, calculated {} × {} ÷ {} = {}), which holds {} of stock; discard the {} left; the base weighed directly is then {} − {}{} = {}",
        Mass::from_g(stock),
        Mass::from_g(diluent_mass),
        Mass::from_g(dilution),
        Mass::from_g(q),
        Mass::from_g(q),
        Mass::from_g(dilution),
        Mass::from_g(stock),
        delivered.display_calculated(6),
        needed.display_calculated(6),
        Mass::from_g(dilution),
        Mass::from_g(stock),
        Mass::from_g(exact).display_calculated(6),
        delivered.display_calculated(6),
        Mass::from_g(dilution - q),
        total,
        Mass::from_g(q),
        excipients.map_or(String::new(), |l| format!(" − {l}")),
        Mass::from_g(base_direct)
    );
    Aliquot {
        diluent: diluent.to_string(),
        stock_to_weigh: Mass::from_g(stock),
        diluent_to_weigh: Mass::from_g(diluent_mass),
        dilution_total: Mass::from_g(dilution),
        aliquot_to_weigh: Mass::from_g(q),
        active_delivered: delivered,
        active_delivered_text: delivered.display_calculated(6),
        discard: Mass::from_g(dilution - q),
        base_to_weigh_directly: Mass::from_g(base_direct),
        text,
    }
}

/// Refuses a batch whose rounded quantities alone put it outside the formula's potency
/// tolerance, and warns when the worst case of the weighings could.
fn check_tolerance(
    formula: &crate::formula::Formula,
    check: &StrengthCheck,
    balance: &Balance,
    warnings: &mut Vec<String>,
) -> Result<()> {
    let tolerance = formula.tolerance();
    let of_label = |p: Percent| p.value() / check.target.value() * Decimal::ONE_HUNDRED;
    let inside = |x: Decimal| x >= tolerance.low.value() && x <= tolerance.high.value();
    let nominal = of_label(check.from_rounded.get());
    if !inside(nominal) {
        return Err(Error::Refused(format!(
            "rounding to the balance readability {} gives {} ({}), outside the formula's tolerance {} to {} of label: make a larger batch or use a balance with a finer readability",
            balance.readability,
            check.from_rounded,
            display_percent(nominal, "% of label"),
            tolerance.low,
            tolerance.high
        )));
    }
    if !inside(of_label(check.worst_low)) || !inside(of_label(check.worst_high)) {
        warnings.push(format!(
            "with each weighing off by half the readability {}, the strength could fall between {} and {}, beyond the formula's tolerance {} to {} of label: use a balance with a finer readability or make a larger batch",
            balance.readability,
            check.worst_low_of_label,
            check.worst_high_of_label,
            tolerance.low,
            tolerance.high
        ));
    }
    Ok(())
}

fn component(
    id: &str,
    role: Role,
    name: String,
    calculated: Mass,
    to_weigh: Mass,
    balance: &Balance,
) -> Component {
    Component {
        id: id.to_string(),
        role,
        name,
        calculated,
        calculated_text: calculated.display_calculated(6),
        to_weigh,
        rounding: if calculated == to_weigh {
            "none needed".into()
        } else {
            format!(
                "to the balance readability {} ({ROUNDING_RULE})",
                balance.readability
            )
        },
        below_minimum_weight: to_weigh < balance.minimum_weight(),
        quantity_sufficient: false,
    }
}

pub(crate) fn factor_explanation(
    s: &Substance,
    stock: Form,
    cert: Option<&Certificate>,
    target: Form,
) -> String {
    let molar = |from: Form, to: Form| {
        if from == to {
            "same form".to_string()
        } else {
            format!(
                "× {} / {} (molar masses, {to} / {from})",
                s.molar_mass(to),
                s.molar_mass(from)
            )
        }
    };
    match cert {
        None => format!(
            "100 % {stock} assumed (no certificate given); {}",
            molar(stock, target)
        ),
        Some(c) => match c.basis {
            crate::substance::AssayBasis::AsIs => {
                format!(
                    "assay {} of {stock} as is; {}",
                    c.assay,
                    molar(stock, target)
                )
            }
            crate::substance::AssayBasis::Dried => format!(
                "assay {} of anhydrous Na2S2O3 on the dried basis × (100 % − water {}); {}",
                c.assay,
                c.water.map_or("0 %".into(), |w| w.to_string()),
                molar(Form::Anhydrous, target)
            ),
        },
    }
}

fn strength_check(
    target: Percent,
    factor: Decimal,
    comps: &[Component],
    total: Mass,
    d: Mass,
) -> StrengthCheck {
    let hundred = Decimal::ONE_HUNDRED;
    let a = comps[0].to_weigh.g();
    let t = total.g();
    let h = d.g() / Decimal::TWO;
    let n_others = Decimal::from(comps.len() - 1);
    let from_rounded = a * factor / t * hundred;
    // Worst case: the active off by h one way, every other component off by h the other way.
    let low_a = (a - h).max(Decimal::ZERO);
    let low = low_a * factor / (t - (a - low_a) + n_others * h) * hundred;
    let high = (a + h) * factor / (t + h - n_others * h) * hundred;
    let low = low.round_dp_with_strategy(4, RoundingStrategy::ToNegativeInfinity);
    let high = high.round_dp_with_strategy(4, RoundingStrategy::ToPositiveInfinity);
    let of_label = |x: Decimal| format_calculated(x / target.value() * hundred, "% of label", 3);
    StrengthCheck {
        target,
        from_rounded: Shown::new(Percent::new(from_rounded, PercentKind::WeightInWeight), 4),
        worst_low: Percent::new(low, PercentKind::WeightInWeight),
        worst_high: Percent::new(high, PercentKind::WeightInWeight),
        worst_low_of_label: of_label(low),
        worst_high_of_label: of_label(high),
        assumption: format!(
            "each weighing within ± half the readability ({}); bounds rounded outward to 0.0001 %",
            Mass::from_g(h)
        ),
    }
}

/// The containers the batch fills. With `--containers NxFILL` the container must hold the
/// fill: the one named with `--container`, or else the smallest of the formula's that does.
fn fill(formula: &crate::formula::Formula, req: &OintmentRequest, nominal: Mass) -> Result<Fill> {
    let container = match (&req.container, req.size) {
        (Some(id), _) => formula.container(id)?,
        (None, BatchSize::Containers { fill, .. }) => formula
            .containers
            .iter()
            .filter(|c| c.fill >= fill)
            .min_by_key(|c| c.fill)
            .ok_or_else(|| too_full(formula, fill))?,
        (None, BatchSize::Total { .. }) => &formula.containers[0],
    };
    let (count, fill) = match req.size {
        BatchSize::Containers { count, fill } => {
            if fill > container.fill {
                return Err(too_full(formula, fill));
            }
            (count, fill)
        }
        BatchSize::Total { .. } => {
            let n = (nominal.g() / container.fill.g()).floor();
            (n.to_u32().unwrap_or(u32::MAX), container.fill)
        }
    };
    let left_over = Mass::from_g(nominal.g() - fill.g() * Decimal::from(count));
    let text = if count == 0 {
        format!(
            "the batch ({nominal}) fills no container: it is less than one {fill} fill of the {}; choose a smaller container with {CONTAINER}, or make at least {fill}",
            container.name
        )
    } else {
        format!(
            "{} × {fill} ({}), {left_over} left over",
            crate::quantity::format_number(count.into()),
            container.name
        )
    };
    Ok(Fill {
        container: container.id.clone(),
        name: container.name.clone(),
        fill,
        count,
        left_over,
        text,
    })
}

fn too_full(formula: &crate::formula::Formula, fill: Mass) -> Error {
    let known: Vec<String> = formula
        .containers
        .iter()
        .map(|c| format!("`{}` ({})", c.id, c.fill))
        .collect();
    Error::input(
        CONTAINERS,
        format!(
            "a fill that one of the formula's containers holds: {}",
            known.join(", ")
        ),
        format!("a fill of {fill}"),
    )
}

fn composition(
    entry: &Entry,
    comps: &[Component],
    total: Mass,
    stock: Form,
    s: &Substance,
    check: &StrengthCheck,
) -> Vec<CompositionLine> {
    let f = &entry.formula;
    let basis = f.strength.basis;
    let line = |name: String, mass: Decimal| {
        let p = mass / total.g() * Decimal::ONE_HUNDRED;
        CompositionLine {
            name,
            percent: Shown::new(Percent::new(p, PercentKind::WeightInWeight), 2),
        }
    };
    let mut out = Vec::new();
    for c in comps {
        match c.role {
            // The stock as weighed is not pure salt on the strength's basis when its form or
            // assay differs; the line says what it provides on that basis.
            Role::Active => out.push(line(
                format!(
                    "{} {stock} stock as weighed ({}), providing {} on the {basis} basis",
                    f.active.name,
                    s.form(stock).formula,
                    check.from_rounded
                ),
                c.to_weigh.g(),
            )),
            // Composition is computed from the batch's components before the aliquot's
            // weighings replace them in the table.
            Role::StockForDilution | Role::BaseForDilution | Role::DilutionIntoBatch => {}
            // Every excipient, through its own composition when it is a compound base.
            _ => {
                let e =
                    f.excipients().iter().find(|e| e.id == c.id).expect(
                        "every component but the active is one of the formula's excipients",
                    );
                for (name, share) in e.constituents() {
                    out.push(line(name, c.to_weigh.g() * share));
                }
            }
        }
    }
    out
}

impl OintmentPlan {
    /// Adds the batch record to the plan; its warnings join the plan's.
    pub fn attach_record(&mut self, record: crate::plan::record::BatchRecord) {
        self.warnings.extend(record.warnings.iter().cloned());
        self.record = Some(record);
    }
}
