//! The batch record: internal lot number, compounding date and time, each component's lot and
//! expiry, the storage and the beyond-use date. Pure: the caller supplies the date (the binary
//! uses the clock only when `--date` is not given).
//!
//! Lot numbers follow one readable scheme, `CODE-YYYYMMDD-NN`: a short code for the product
//! made, the compounding date, and the batch's sequence number on that day. The code holds the
//! strength actually made, never another ([`lot_code`]): derived from the formula's id with the
//! default strength's number replaced by the strength made (`sts-25-zinc-oxide` gives `STS25ZO`
//! at 25 % and `STS22ZO` at 22 %), or the formula's strength-free `lot_prefix` followed by the
//! strength made. stscalc keeps no register, so a second batch with the same code on the same
//! day needs `--lot-sequence 2` (or `--lot`).
//!
//! Plans are titled with the strength made ([`preparation_title`]), and so are their records: a batch made at
//! another strength than the formula's default is never headed with the default's name.

use chrono::NaiveDate;
use serde::Serialize;

use crate::bud::{self, BudResult, ComponentExpiry, CompoundedAt, DayCount, Storage};
use crate::error::field::{BUD, COMPONENT, LOT, LOT_SEQUENCE};
use crate::error::{Error, Result};
use crate::formula::{Formula, Preparation, Strength};
use crate::quantity::{Mass, PercentKind};

/// A component lot as given (`--component sts=LOT123@2027-05-31` or the request file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentLotInput {
    /// Component id from the formula.
    pub id: String,
    /// The lot number on the container.
    pub lot: String,
    /// Last day of use (a month-only expiry is read as the month's last day).
    pub expiry: NaiveDate,
    /// The expiry as written.
    pub expiry_as_written: String,
    /// The manufacturer or supplier, if given.
    pub manufacturer: Option<String>,
    /// Where it was given, for error messages (`--component` or `components[2]`).
    pub field: String,
}

/// Checks a lot number: 1 to 40 letters, digits or `-`, `_`, `.`, `/`.
pub fn check_lot(field: &str, text: &str) -> Result<String> {
    let t = text.trim();
    let ok = !t.is_empty()
        && t.chars().count() <= 40
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
    if ok {
        Ok(t.to_string())
    } else {
        Err(Error::input(
            field,
            "a lot number of 1 to 40 letters, digits, `-`, `_`, `.` or `/`",
            format!("`{t}`"),
        ))
    }
}

/// What the record needs besides the formula.
#[derive(Debug, Clone)]
pub struct RecordRequest {
    /// A lot number given by the user; otherwise one is generated.
    pub lot: Option<String>,
    /// The batch's sequence number on the day, for a generated lot (1 to 99).
    pub lot_sequence: u32,
    /// True when the batch register assigned `lot_sequence` (the next number of the day free in
    /// it); false when it is the default 1 or the user's.
    pub numbered_by_register: bool,
    /// When compounding began.
    pub compounded_at: CompoundedAt,
    /// Storage, or the formula's usual one.
    pub storage: Option<Storage>,
    /// Day-counting convention.
    pub convention: DayCount,
    /// A shorter beyond-use limit the pharmacist set, in days.
    pub bud_limit: Option<crate::days::Days>,
    /// Preparation method, for formulas whose BUD depends on it.
    pub method: Option<String>,
    /// Component lots and expiries.
    pub components: Vec<ComponentLotInput>,
    /// The strength made (the plan's); `None` means the formula's default.
    pub strength: Option<Strength>,
    /// The facility name and contact printed on the record and the labels (`--facility`).
    pub facility: Option<String>,
}

/// The internal identification (lot) number.
#[derive(Debug, Clone, Serialize)]
pub struct LotNumber {
    /// The number printed on the label and record.
    pub number: String,
    /// True when given by the user rather than generated.
    pub given: bool,
    /// How it was formed.
    pub scheme: String,
}

/// One component line of the record.
#[derive(Debug, Clone, Serialize)]
pub struct ComponentRecord {
    /// Component id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Lot number, if given.
    pub lot: Option<String>,
    /// Last day of use, if given.
    pub expiry: Option<NaiveDate>,
    /// The expiry as written (`2027-05` for a month-only expiry).
    pub expiry_as_written: Option<String>,
    /// Manufacturer or supplier, if given.
    pub manufacturer: Option<String>,
    /// The weight actually measured, filled by `stscalc verify`.
    pub actual: Option<Mass>,
}

/// Lot, date, components and BUD of one batch.
#[derive(Debug, Clone, Serialize)]
pub struct BatchRecord {
    /// Set when the batch is made at another strength than the formula's default: printed
    /// prominently on the record.
    pub strength_notice: Option<String>,
    /// Internal identification number.
    pub lot: LotNumber,
    /// The facility name and contact printed on the record and its labels: kept in the saved
    /// plan so that `labels --plan` prints the same.
    pub facility: Option<String>,
    /// When compounding began.
    pub compounded_at: CompoundedAt,
    /// The preparation method, when the formula has several.
    pub method: Option<String>,
    /// Where the storage came from: `formula` (its usual storage, asked for or not) or
    /// `request` (another storage the formula allows, asked for this batch).
    pub storage_from: String,
    /// The beyond-use date.
    pub bud: BudResult,
    /// Every component, with its lot when given.
    pub components: Vec<ComponentRecord>,
    /// What must be done before release (e.g. lots not recorded).
    pub warnings: Vec<String>,
}

/// The code that starts generated lot numbers of a batch made at the formula's default
/// strength (see [`lot_code`]).
pub fn lot_prefix(formula: &Formula) -> String {
    lot_code(formula, formula.default_strength())
}

/// The strength `made` as a number in the unit of the formula's strength (a solution planned in
/// mg/mL whose formula states `% w/v` is written in `% w/v`).
fn in_formula_unit(formula: &Formula, made: Strength) -> rust_decimal::Decimal {
    match (formula.default_strength(), made) {
        (Strength::Percent(p), Strength::Concentration(c))
            if p.kind() == PercentKind::WeightInVolume =>
        {
            c.mg_per_ml() / rust_decimal::Decimal::TEN
        }
        (_, m) => m.amount(),
    }
}

/// The number of a strength as a lot code writes it: `25`, `22.5`, `150`.
fn strength_number(formula: &Formula, made: Strength) -> String {
    in_formula_unit(formula, made).normalize().to_string()
}

/// The code that starts the generated lot numbers of a batch made at strength `made`. It states
/// the strength made and no other:
///
/// - with a `lot_prefix` (which states no strength), the prefix followed by the strength's number
///   (`lot_prefix = "ZNO"` gives `ZNO25` at 25 %);
/// - otherwise derived from the id: the first word in capitals, the word that is the default
///   strength's number replaced by the strength made, other numbers whole, other words by their
///   initial (`sts-25-zinc-oxide` gives `STS25ZO` at 25 % and `STS22ZO` at 22 %,
///   `sts-150-intralesional` gives `STS250I` at 250 mg/mL); an id without the default strength's
///   number gets the strength made at the end. The letters are cut to 12; the strength never is.
///
/// Two formulas for the same product (e.g. `sts-20-petrolatum` and `sts-25-petrolatum`, both
/// made at 25 %) share a code: number their batches of one day with `--lot-sequence`.
pub fn lot_code(formula: &Formula, made: Strength) -> String {
    let strength = strength_number(formula, made);
    if let Some(p) = &formula.lot_prefix {
        return format!("{}{strength}", p.get_ref());
    }
    let default = strength_number(formula, formula.default_strength());
    let (mut before, mut after) = (String::new(), String::new());
    let mut placed = false;
    for (i, word) in formula.id.split('-').filter(|w| !w.is_empty()).enumerate() {
        let out = if placed { &mut after } else { &mut before };
        if !placed && word == default {
            placed = true;
            continue;
        }
        let word: String = word.chars().filter(char::is_ascii_alphanumeric).collect();
        if i == 0 || word.chars().all(|c| c.is_ascii_digit()) {
            out.push_str(&word.to_ascii_uppercase());
        } else if let Some(c) = word.chars().next() {
            out.push(c.to_ascii_uppercase());
        }
    }
    let before: String = before.chars().take(12).collect();
    let after: String = after.chars().take(12 - before.chars().count()).collect();
    format!("{before}{strength}{after}")
}

/// A lot number that looks like stscalc's own scheme, `CODE-YYYYMMDD-NN` in any case (the
/// code letters, digits or `.`, the date eight digits, the sequence two): its code and date as
/// written. `None` for a lot of another format, the pharmacy's own.
fn scheme_parts(lot: &str) -> Option<(&str, &str)> {
    // Split from the right: the code holds no `-`.
    let mut parts = lot.rsplitn(3, '-');
    let (nn, date, code) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |s: &str, n: usize| s.len() == n && s.chars().all(|c| c.is_ascii_digit());
    let code_ok = !code.is_empty() && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '.');
    (digits(nn, 2) && digits(date, 8) && code_ok).then_some((code, date))
}

/// What a lot's code names when it is not `code`: the formula's default strength, or another
/// formula or strength.
fn other_code(formula: &Formula, code: &str, given: &str) -> String {
    let default_code = lot_code(formula, formula.default_strength());
    if given.eq_ignore_ascii_case(&default_code) && !code.eq_ignore_ascii_case(&default_code) {
        format!(
            "code `{given}`, the code of the formula's default strength {}",
            formula.default_strength()
        )
    } else {
        format!("code `{given}`, not `{code}` (another formula's or strength's code)")
    }
}

/// Checks a lot number given for a batch (to print its labels) against the batch: a lot that
/// looks like stscalc's scheme (in any case) must carry the code of this formula at the
/// strength made and the batch's compounding date; the message names what differs. Lots of
/// another format are the pharmacy's own and are taken as given.
pub fn check_given_lot(
    formula: &Formula,
    made: Strength,
    lot: &str,
    compounded: NaiveDate,
) -> Result<()> {
    let Some((given_code, date)) = scheme_parts(lot) else {
        return Ok(());
    };
    let code = lot_code(formula, made);
    let day = compounded.format("%Y%m%d").to_string();
    let mut differs = Vec::new();
    if !given_code.eq_ignore_ascii_case(&code) {
        differs.push(other_code(formula, &code, given_code));
    }
    if date != day {
        differs.push(format!("date {date}, a lot of another day"));
    }
    if differs.is_empty() {
        return Ok(());
    }
    Err(Error::input(
        LOT,
        format!(
            "the lot of the batch of `{}` made at {made} and compounded {compounded} (its generated lot reads {code}-{day}-NN)",
            formula.id
        ),
        format!("`{lot}`: {}", differs.join("; ")),
    ))
}

/// The latest beyond-use date any batch of `formula` may carry, as a number of days after its
/// compounding date: the longest limit the formula's rules and stability limits allow at any
/// of its storages and by any of its methods, with the compounding day as day 1 (a limit in
/// hours may end on a later day than it began: counted up to that day).
fn longest_days_after(formula: &Formula) -> Result<u64> {
    let decl = formula.bud();
    let methods: Vec<Option<&str>> = if decl.methods.is_empty() {
        vec![None]
    } else {
        decl.methods.keys().map(|m| Some(m.as_str())).collect()
    };
    let mut longest = 0;
    for method in methods {
        let resolved = decl.resolve(method)?;
        for storage in &resolved.storages {
            let limit = bud::duration_limit(&resolved, *storage)?.limit;
            let after = match limit.unit {
                bud::LimitUnit::Days => u64::from(limit.amount.saturating_sub(1)),
                bud::LimitUnit::Hours => u64::from(limit.amount).div_ceil(24),
            };
            longest = longest.max(after);
        }
    }
    Ok(longest)
}

/// Checks the solution lot and BUD given for a session's sheet and syringe labels (`--lot`,
/// `--bud`). A lot that looks like stscalc's scheme must carry the code of `formula` at the
/// session's strength `made` and a compounding date no later than the session's `day`; and
/// `bud` may be no later than that date plus the longest limit the formula allows (its rules
/// and stability limits at every storage and method, the compounding day counted as day 1).
/// Lots of another format are the pharmacy's own and are taken as given.
pub fn check_session_lot(
    formula: &Formula,
    made: Strength,
    lot: &str,
    day: NaiveDate,
    bud: Option<NaiveDate>,
) -> Result<()> {
    let Some((given_code, date)) = scheme_parts(lot) else {
        return Ok(());
    };
    let code = lot_code(formula, made);
    if !given_code.eq_ignore_ascii_case(&code) {
        return Err(Error::input(
            LOT,
            format!(
                "a lot of `{}` at the session's {made} (its lots read {code}-YYYYMMDD-NN)",
                formula.id
            ),
            format!("`{lot}`: {}", other_code(formula, &code, given_code)),
        ));
    }
    let compounded = NaiveDate::parse_from_str(date, "%Y%m%d").map_err(|_| {
        Error::input(
            LOT,
            "a lot whose date YYYYMMDD is a calendar date",
            format!("`{lot}`"),
        )
    })?;
    if compounded > day {
        return Err(Error::input(
            LOT,
            format!("a lot compounded on or before the session's date {day}"),
            format!("`{lot}`, compounded {compounded} (after the session)"),
        ));
    }
    if let Some(bud) = bud {
        let latest = compounded
            .checked_add_days(chrono::Days::new(longest_days_after(formula)?))
            .ok_or_else(|| Error::Refused("the lot's date is outside the calendar".into()))?;
        if bud > latest {
            return Err(Error::input(
                BUD,
                format!(
                    "a beyond-use date no later than {latest}, the longest the rules for `{}` allow a lot compounded {compounded} (`{lot}`; the compounding day is day 1)",
                    formula.id
                ),
                format!("`{bud}`"),
            ));
        }
    }
    Ok(())
}

/// The title of a batch's record: the active with the strength made and its basis, the dosage
/// form and the base (an ointment) or the route (a solution), e.g. `Sodium thiosulfate 22 % w/w
/// (pentahydrate basis), ointment in Zinc Oxide Ointment USP`. The formula's `name` states its
/// default strength, so it is not the title of a batch made at another.
pub fn preparation_title(formula: &Formula, made: Strength) -> String {
    preparation_title_as(formula, &made.to_string())
}

/// [`preparation_title`] with the strength made as its label prints it (`≈ 171.05 mg/mL` for
/// a solution made within the planning margin of the strength asked).
pub fn preparation_title_as(formula: &Formula, made: &str) -> String {
    let head = format!(
        "{} {made} ({} basis)",
        formula.active.name, formula.strength.basis
    );
    match formula.preparation {
        Preparation::Ointment => {
            format!("{head}, {} in {}", formula.dosage_form, formula.base_name())
        }
        Preparation::Solution => format!("{head}, {}, {}", formula.dosage_form, formula.route),
    }
}

/// The notice printed when a batch is not made at the formula's default strength.
pub fn strength_notice(formula: &Formula, made: Strength) -> Option<String> {
    let default = formula.default_strength();
    (in_formula_unit(formula, made) != default.amount()).then(|| {
        format!(
            "This batch is made at {made} — not the formula's default {default}: every quantity, label and the lot number are for {made}"
        )
    })
}

/// Builds the record of a batch of `formula`, whose components are the formula's own
/// ([`Formula::components`]).
pub fn record(formula: &Formula, req: &RecordRequest) -> Result<BatchRecord> {
    record_for(formula, &formula.components(), req)
}

/// Builds the record of a batch of `formula` made from `known` components, as (id, name).
pub fn record_for(
    formula: &Formula,
    known: &[(String, String)],
    req: &RecordRequest,
) -> Result<BatchRecord> {
    let known_list = || {
        known
            .iter()
            .map(|(id, _)| format!("`{id}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (i, c) in req.components.iter().enumerate() {
        if !known.iter().any(|(id, _)| *id == c.id) {
            return Err(Error::input(
                &c.field,
                format!("a component of formula `{}`: {}", formula.id, known_list()),
                format!("`{}`", c.id),
            ));
        }
        if req.components[..i].iter().any(|o| o.id == c.id) {
            return Err(Error::input(
                &c.field,
                "each component once (one lot per component)",
                format!("`{}` given twice", c.id),
            ));
        }
    }

    let made = req.strength.unwrap_or_else(|| formula.default_strength());
    let lot = match &req.lot {
        Some(l) => LotNumber {
            number: check_lot(LOT, l)?,
            given: true,
            scheme: "given by the user".into(),
        },
        None => {
            if !(1..=99).contains(&req.lot_sequence) {
                return Err(Error::input(
                    LOT_SEQUENCE,
                    "a whole number from 1 to 99",
                    format!("`{}`", req.lot_sequence),
                ));
            }
            let prefix = lot_code(formula, made);
            let date = req.compounded_at.date.format("%Y%m%d");
            let seq = req.lot_sequence;
            let numbering = if req.numbered_by_register {
                "the next number of the day free in the batch register, assigned when the lot was registered".to_string()
            } else {
                format!("stscalc keeps no register, so give {LOT_SEQUENCE} for another batch with this code the same day")
            };
            LotNumber {
                number: format!("{prefix}-{date}-{seq:02}"),
                given: false,
                scheme: format!(
                    "scheme CODE-YYYYMMDD-NN: code {prefix} (the formula's, with the strength made, {made}), compounding date {date}, batch {seq:02} of the day; {numbering}"
                ),
            }
        }
    };

    let resolved = formula.bud().resolve(req.method.as_deref())?;
    let storage = resolved.storage(req.storage, &formula.id)?;
    let expiries: Vec<ComponentExpiry> = req
        .components
        .iter()
        .map(|c| ComponentExpiry {
            id: c.id.clone(),
            name: known
                .iter()
                .find(|(id, _)| *id == c.id)
                .map_or_else(|| c.id.clone(), |(_, name)| name.to_string()),
            lot: c.lot.clone(),
            expiry: c.expiry,
        })
        .collect();
    let bud = bud::beyond_use_limited(
        &resolved,
        storage,
        req.compounded_at,
        &expiries,
        req.convention,
        req.bud_limit,
    )?;

    let components: Vec<ComponentRecord> = known
        .iter()
        .map(|(id, name)| {
            let given = req.components.iter().find(|c| c.id == *id);
            ComponentRecord {
                id: id.clone(),
                name: name.clone(),
                lot: given.map(|c| c.lot.clone()),
                expiry: given.map(|c| c.expiry),
                expiry_as_written: given.map(|c| c.expiry_as_written.clone()),
                manufacturer: given.and_then(|c| c.manufacturer.clone()),
                actual: None,
            }
        })
        .collect();
    let mut warnings = Vec::new();
    let missing: Vec<String> = components
        .iter()
        .filter(|c| c.lot.is_none())
        .map(|c| format!("`{}`", c.id))
        .collect();
    if !missing.is_empty() {
        warnings.push(format!(
            "no lot or expiry recorded for {}: give {COMPONENT} ID=LOT@YYYY-MM-DD for each before release \
             (the BUD does not yet account for their expiry)",
            missing.join(", ")
        ));
    }

    Ok(BatchRecord {
        strength_notice: strength_notice(formula, made),
        lot,
        facility: req.facility.clone(),
        compounded_at: req.compounded_at,
        method: resolved.method.clone(),
        // The formula's storage statement holds for its usual storage; another one the formula
        // allows is printed on its own (see `storage_statement`).
        storage_from: if storage != resolved.default_storage {
            "request".into()
        } else {
            "formula".into()
        },
        bud,
        components,
        warnings,
    })
}

/// The storage statement of a batch: the formula's own, unless the batch record stores the
/// batch otherwise (`--storage`), when it must say the storage its BUD was given for. The
/// plan, the record and the labels all print this one.
pub fn storage_statement(formula: &Formula, record: Option<&BatchRecord>) -> String {
    match record {
        Some(r) if r.storage_from == "request" => format!("Store {}.", r.bud.storage.phrase()),
        _ => formula.storage.clone(),
    }
}

/// A lot number of stscalc's own scheme for this formula must be of the batch's day and
/// strength: a mismatch means the lot of another batch was typed.
pub fn check_record_lot(
    formula: &Formula,
    made: Strength,
    record: Option<&BatchRecord>,
) -> Result<()> {
    match record {
        Some(r) => check_given_lot(formula, made, &r.lot.number, r.compounded_at.date),
        None => Ok(()),
    }
}
