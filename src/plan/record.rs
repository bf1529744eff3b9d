//! The batch record: internal lot number, compounding date and time, each component's lot and
//! expiry, the storage and the beyond-use date. Pure: the caller supplies the date (the binary
//! uses the clock only when `--date` is not given).
//!
//! Lot numbers follow one readable scheme, `PREFIX-YYYYMMDD-NN`: a short code for the formula
//! (its `lot_prefix`, or one derived from the id: `sts-25-zinc-oxide` gives `STS25ZO`), the
//! compounding date, and the batch's sequence number on that day. stscalc keeps no register,
//! so a second batch of the same formula on the same day needs `--lot-sequence 2` (or `--lot`).

use chrono::NaiveDate;
use serde::Serialize;

use super::ointment::OintmentPlan;
use super::solution::{Method, SolutionPlan};
use crate::bud::{self, BudResult, ComponentExpiry, CompoundedAt, DayCount, Storage};
use crate::error::{Error, Result};
use crate::formula::Formula;
use crate::quantity::Mass;

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

/// Parses `ID=LOT@EXPIRY` or `ID=LOT@EXPIRY@MANUFACTURER`; the expiry is `YYYY-MM-DD` or
/// `YYYY-MM` (the month's last day).
pub fn parse_component(field: &str, text: &str) -> Result<ComponentLotInput> {
    let t = text.trim();
    let expected = "`ID=LOT@YYYY-MM-DD` (optionally `@MANUFACTURER`), e.g. `sts=LOT123@2027-05-31`";
    let bad = || Error::input(field, expected, format!("`{t}`"));
    let (id, rest) = t.split_once('=').ok_or_else(bad)?;
    let mut parts = rest.splitn(3, '@');
    let lot = parts.next().unwrap_or("");
    let expiry = parts.next().ok_or_else(bad)?;
    let manufacturer = parts.next().map(str::trim).filter(|m| !m.is_empty());
    let id = id.trim();
    if id.is_empty() || lot.trim().is_empty() {
        return Err(bad());
    }
    component_input(field, id, lot, expiry, manufacturer.map(str::to_string), t)
}

/// Builds a [`ComponentLotInput`] from separate fields (the request file's `components`).
pub fn component_input(
    field: &str,
    id: &str,
    lot: &str,
    expiry: &str,
    manufacturer: Option<String>,
    whole: &str,
) -> Result<ComponentLotInput> {
    let lot = check_lot(&format!("{field} {id}"), lot)?;
    let date = bud::parse_expiry(&format!("{field} {id}"), expiry, whole)?;
    Ok(ComponentLotInput {
        id: id.trim().to_string(),
        lot,
        expiry: date,
        expiry_as_written: expiry.trim().to_string(),
        manufacturer,
        field: field.to_string(),
    })
}

/// What the record needs besides the formula.
#[derive(Debug, Clone)]
pub struct RecordRequest {
    /// A lot number given by the user; otherwise one is generated.
    pub lot: Option<String>,
    /// The batch's sequence number on the day, for a generated lot (1 to 99).
    pub lot_sequence: u32,
    /// When compounding began.
    pub compounded_at: CompoundedAt,
    /// Storage, or the formula's usual one.
    pub storage: Option<Storage>,
    /// Day-counting convention.
    pub convention: DayCount,
    /// Preparation method, for formulas whose BUD depends on it.
    pub method: Option<String>,
    /// Component lots and expiries.
    pub components: Vec<ComponentLotInput>,
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
    /// Internal identification number.
    pub lot: LotNumber,
    /// When compounding began.
    pub compounded_at: CompoundedAt,
    /// The preparation method, when the formula has several.
    pub method: Option<String>,
    /// Where the storage came from: `formula` (its usual storage) or `request`.
    pub storage_from: String,
    /// The beyond-use date.
    pub bud: BudResult,
    /// Every component, with its lot when given.
    pub components: Vec<ComponentRecord>,
    /// What must be done before release (e.g. lots not recorded).
    pub warnings: Vec<String>,
}

/// The code that starts generated lot numbers: the formula's `lot_prefix`, or one derived
/// from its id (first word in capitals, numbers whole, other words by their initial).
pub fn lot_prefix(formula: &Formula) -> String {
    if let Some(p) = &formula.lot_prefix {
        return p.get_ref().clone();
    }
    let mut out = String::new();
    for (i, word) in formula.id.split('-').filter(|w| !w.is_empty()).enumerate() {
        let word: String = word.chars().filter(char::is_ascii_alphanumeric).collect();
        if i == 0 || word.chars().all(|c| c.is_ascii_digit()) {
            out.push_str(&word.to_ascii_uppercase());
        } else if let Some(c) = word.chars().next() {
            out.push(c.to_ascii_uppercase());
        }
    }
    out.chars().take(12).collect()
}

/// Builds the record of a batch of `formula`, whose components are the formula's own
/// ([`Formula::components`]).
pub fn record(formula: &Formula, req: &RecordRequest) -> Result<BatchRecord> {
    record_for(formula, &formula.components(), req)
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
            (formula.vehicle.id.clone(), formula.vehicle.name.clone()),
        ],
    }
}

/// The preparation method to evaluate the BUD with: the solution's method when the formula's
/// `[bud]` declares per-method inputs, otherwise none.
pub fn bud_method(formula: &Formula, method: Method) -> Option<String> {
    (!formula.bud().methods.is_empty()).then(|| method.to_string())
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

    let lot = match &req.lot {
        Some(l) => LotNumber {
            number: check_lot("--lot", l)?,
            given: true,
            scheme: "given by the user".into(),
        },
        None => {
            if !(1..=99).contains(&req.lot_sequence) {
                return Err(Error::input(
                    "--lot-sequence",
                    "a whole number from 1 to 99",
                    format!("`{}`", req.lot_sequence),
                ));
            }
            let prefix = lot_prefix(formula);
            let date = req.compounded_at.date.format("%Y%m%d");
            let seq = req.lot_sequence;
            LotNumber {
                number: format!("{prefix}-{date}-{seq:02}"),
                given: false,
                scheme: format!(
                    "scheme PREFIX-YYYYMMDD-NN: formula code {prefix}, compounding date {date}, batch {seq:02} of the day; \
                     stscalc keeps no register, so give --lot-sequence for another batch of this formula the same day"
                ),
            }
        }
    };

    let resolved = formula.bud().resolve(req.method.as_deref())?;
    let storage = req.storage.unwrap_or(resolved.default_storage);
    let expiries: Vec<ComponentExpiry> = req
        .components
        .iter()
        .map(|c| ComponentExpiry {
            id: c.id.clone(),
            lot: c.lot.clone(),
            expiry: c.expiry,
        })
        .collect();
    let bud = bud::beyond_use(
        &resolved,
        storage,
        req.compounded_at,
        &expiries,
        req.convention,
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
            "no lot or expiry recorded for {}: give --component ID=LOT@YYYY-MM-DD for each before release \
             (the BUD does not yet account for their expiry)",
            missing.join(", ")
        ));
    }

    Ok(BatchRecord {
        lot,
        compounded_at: req.compounded_at,
        method: resolved.method.clone(),
        storage_from: if req.storage.is_some() {
            "request".into()
        } else {
            "formula".into()
        },
        bud,
        components,
        warnings,
    })
}

impl OintmentPlan {
    /// Adds the batch record to the plan; its warnings join the plan's.
    pub fn attach_record(&mut self, record: BatchRecord) {
        self.warnings.extend(record.warnings.iter().cloned());
        self.record = Some(record);
    }
}

impl SolutionPlan {
    /// Adds the batch record to the plan; its warnings join the plan's.
    pub fn attach_record(&mut self, record: BatchRecord) {
        self.warnings.extend(record.warnings.iter().cloned());
        self.record = Some(record);
    }
}

impl From<&BatchRecord> for crate::labels::content::Traceability {
    /// What the printed record and the labels show of a batch record.
    fn from(r: &BatchRecord) -> Self {
        let b = &r.bud;
        let days = b
            .limits
            .iter()
            .any(|l| l.limit.is_some_and(|x| x.unit == bud::LimitUnit::Days));
        crate::labels::content::Traceability {
            lot: Some(r.lot.number.clone()),
            compounded_at: Some(r.compounded_at.to_string()),
            bud: Some(b.text.clone()),
            bud_basis: Some(if days {
                format!("{}; {}", b.reason, b.convention_text)
            } else {
                b.reason.clone()
            }),
        }
    }
}
