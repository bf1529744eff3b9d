//! The options of the register's commands (`lot`, `recall`, `audit`, `register`): the batch
//! request a lot is registered with, kept as typed JSON so the lot can be worked out again
//! (`lot verify`), and the filters of `lot list` and `recall`.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::cli::{
    BatchArgs, LotListArgs, PaperArg, PrintArgs, RecordArgs, SessionArgs, SheetFormat,
};
use crate::error::{Error, Result};
use crate::request::file::Extras;

/// The request of a registered batch: every option of `batch` that makes its numbers and its
/// record, with the request file merged in, the compounding time fixed and the lot sequence
/// the register assigned. [`StoredRequest::batch_args`] gives the same batch back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredRequest {
    /// Formula id.
    pub formula: String,
    /// `--quantity`.
    pub quantity: Option<String>,
    /// `--containers`.
    pub containers: Option<String>,
    /// `--strength`.
    pub strength: Option<String>,
    /// `--overage`.
    pub overage: Option<String>,
    /// `--stock-form`.
    pub stock_form: Option<String>,
    /// `--assay`.
    pub assay: Option<String>,
    /// `--assay-basis`.
    pub assay_basis: Option<String>,
    /// `--water`.
    pub water: Option<String>,
    /// `--readability`.
    pub readability: Option<String>,
    /// `--repeatability`.
    pub repeatability: Option<String>,
    /// `--capacity`.
    pub capacity: Option<String>,
    /// `--container`.
    pub container: Option<String>,
    /// `--method`.
    pub method: Option<String>,
    /// `--stock`.
    pub stock: Option<String>,
    /// `--stock-concentration`.
    pub stock_concentration: Option<String>,
    /// `--stock-basis`.
    pub stock_basis: Option<String>,
    /// `--vial`.
    pub vial: Option<String>,
    /// `--diluent`.
    pub diluent: Option<String>,
    /// `--measure-step`.
    pub measure_step: Option<String>,
    /// `--vial-residual`.
    pub vial_residual: Option<String>,
    /// `--vials` (absent in requests stored before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vials: Option<String>,
    /// `--filter-hold-up`.
    pub filter_hold_up: Option<String>,
    /// `--facility`.
    pub facility: Option<String>,
    /// `--paper` (`letter` or `a4`).
    pub paper: Option<String>,
    /// `--lot`, when the lot number was given.
    pub lot: Option<String>,
    /// The sequence of the day the register assigned.
    pub lot_sequence: Option<String>,
    /// Every component lot, as `ID=LOT@EXPIRY[@MANUFACTURER]`.
    pub components: Vec<String>,
    /// The compounding date and time.
    pub date: Option<String>,
    /// `--storage`.
    pub storage: Option<String>,
    /// `--bud-count`.
    pub bud_count: Option<String>,
    /// `--bud-limit` (absent in requests stored before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bud_limit: Option<String>,
}

/// Readies a batch's options for the register: refuses `--lot-sequence` (the register numbers
/// lots) and measured weights (`lot verify` takes them), fixes the compounding time to this
/// minute when not given (so the stored request makes the same record again), and moves the
/// request file's component lots into the options.
pub fn for_register(args: &mut BatchArgs, extras: Extras, now: NaiveDateTime) -> Result<()> {
    if let Some(s) = &args.record.lot_sequence {
        return Err(Error::input(
            "--lot-sequence",
            "no sequence number: the register assigns the next one of the day",
            format!("`{}`", s.trim()),
        ));
    }
    if !extras.actual.is_empty() || !extras.additions.is_empty() {
        return Err(Error::input(
            "actual",
            "no measured weights when a lot is registered (give them to `stscalc lot verify`)",
            format!("{} weights", extras.actual.len() + extras.additions.len()),
        ));
    }
    if args.record.date.is_none() {
        args.record.date = Some(now.format("%Y-%m-%dT%H:%M").to_string());
    }
    let mut components: Vec<String> = extras
        .components
        .iter()
        .map(|c| {
            let mut s = format!("{}={}@{}", c.id, c.lot, c.expiry_as_written);
            if let Some(m) = &c.manufacturer {
                s.push('@');
                s.push_str(m);
            }
            s
        })
        .collect();
    components.append(&mut args.record.components);
    // A scanned GS1 string is stored as what it was read to (`ID=LOT@YYYY-MM-DD`), so that
    // the stored request does not depend on the year it is read again in (the GS1 expiry
    // has no century).
    let year = chrono::Datelike::year(&now.date());
    for g in std::mem::take(&mut args.record.component_gs1) {
        let c = crate::request::batch::parse_component_gs1(&g, year)?;
        components.push(format!(
            "{}={}@{}",
            c.id,
            c.lot,
            c.expiry.format("%Y-%m-%d")
        ));
    }
    args.record.components = components;
    args.record.request = None;
    Ok(())
}

impl StoredRequest {
    /// The request of the batch `args` (readied by [`for_register`]).
    pub fn of(args: &BatchArgs, formula: &str) -> StoredRequest {
        StoredRequest {
            formula: formula.to_string(),
            quantity: args.quantity.clone(),
            containers: args.containers.clone(),
            strength: args.strength.clone(),
            overage: args.overage.clone(),
            stock_form: args.stock_form.clone(),
            assay: args.assay.clone(),
            assay_basis: args.assay_basis.clone(),
            water: args.water.clone(),
            readability: args.readability.clone(),
            repeatability: args.repeatability.clone(),
            capacity: args.capacity.clone(),
            container: args.container.clone(),
            method: args.method.clone(),
            stock: args.stock.clone(),
            stock_concentration: args.stock_concentration.clone(),
            stock_basis: args.stock_basis.clone(),
            vial: args.vial.clone(),
            diluent: args.diluent.clone(),
            measure_step: args.measure_step.clone(),
            vial_residual: args.vial_residual.clone(),
            vials: args.vials.clone(),
            filter_hold_up: args.filter_hold_up.clone(),
            facility: args.print.facility.clone(),
            paper: args.print.paper.map(|p| p.as_str().to_string()),
            lot: args.record.lot.clone(),
            lot_sequence: args.record.lot_sequence.clone(),
            components: args.record.components.clone(),
            date: args.record.date.clone(),
            storage: args.record.storage.clone(),
            bud_count: args.record.bud_count.clone(),
            bud_limit: args.record.bud_limit.clone(),
        }
    }

    /// Reads a stored request (the register's `request_json`).
    pub fn parse(lot: &str, json: &str) -> Result<StoredRequest> {
        serde_json::from_str(json).map_err(|e| {
            Error::Refused(format!(
                "lot `{lot}`: its stored request cannot be read by this stscalc: {e}"
            ))
        })
    }

    /// The batch options again, printing in `format`.
    pub fn batch_args(&self, format: SheetFormat) -> BatchArgs {
        let paper = match self.paper.as_deref() {
            Some("a4") => Some(PaperArg::A4),
            Some(_) => Some(PaperArg::Letter),
            None => None,
        };
        BatchArgs {
            id: Some(self.formula.clone()),
            quantity: self.quantity.clone(),
            containers: self.containers.clone(),
            strength: self.strength.clone(),
            overage: self.overage.clone(),
            stock_form: self.stock_form.clone(),
            assay: self.assay.clone(),
            assay_basis: self.assay_basis.clone(),
            water: self.water.clone(),
            readability: self.readability.clone(),
            repeatability: self.repeatability.clone(),
            capacity: self.capacity.clone(),
            container: self.container.clone(),
            method: self.method.clone(),
            stock: self.stock.clone(),
            stock_concentration: self.stock_concentration.clone(),
            stock_basis: self.stock_basis.clone(),
            vial: self.vial.clone(),
            diluent: self.diluent.clone(),
            measure_step: self.measure_step.clone(),
            vial_residual: self.vial_residual.clone(),
            vials: self.vials.clone(),
            filter_hold_up: self.filter_hold_up.clone(),
            format,
            print: PrintArgs {
                paper,
                facility: self.facility.clone(),
            },
            output: None,
            force: false,
            record: RecordArgs {
                request: None,
                lot: self.lot.clone(),
                lot_sequence: self.lot_sequence.clone(),
                components: self.components.clone(),
                component_gs1: Vec::new(),
                date: self.date.clone(),
                storage: self.storage.clone(),
                bud_count: self.bud_count.clone(),
                bud_limit: self.bud_limit.clone(),
                numbered_by_register: self.lot.is_none() && self.lot_sequence.is_some(),
            },
        }
    }
}

/// The filters of `lot list`, read.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Only this formula.
    pub formula: Option<String>,
    /// Only this status, as written.
    pub status: Option<String>,
    /// Compounded on or after.
    pub since: Option<NaiveDate>,
    /// Compounded on or before.
    pub until: Option<NaiveDate>,
}

/// Reads the filters of `lot list`.
pub fn list_filter(args: &LotListArgs) -> Result<ListFilter> {
    let day = |field: &str, t: &Option<String>| {
        t.as_deref()
            .map(|t| crate::request::parse::date(field, t))
            .transpose()
    };
    let since = day("--since", &args.since)?;
    let until = day("--until", &args.until)?;
    if let (Some(s), Some(u)) = (since, until) {
        if u < s {
            return Err(Error::input(
                "--until",
                format!("a date on or after --since {s}"),
                u.to_string(),
            ));
        }
    }
    Ok(ListFilter {
        formula: args.formula.clone(),
        status: args.status.clone(),
        since,
        until,
    })
}

/// Reads `--component ID=LOT` of `recall`.
pub fn recall_component(text: &str) -> Result<(String, String)> {
    let t = text.trim();
    match t.split_once('=') {
        Some((id, lot)) if !id.trim().is_empty() && !lot.trim().is_empty() => {
            Ok((id.trim().to_string(), lot.trim().to_string()))
        }
        _ => Err(Error::input(
            "--component",
            "`ID=LOT`, e.g. `sts=LOT123`",
            format!("`{t}`"),
        )),
    }
}

/// A session to record in the register (`session --record`), read.
#[derive(Debug, Clone)]
pub struct SessionToRecord {
    /// The lot the doses were given from.
    pub lot: String,
    /// The patient's identifier.
    pub patient_id: String,
    /// The session date.
    pub date: NaiveDate,
    /// Who records it.
    pub by: String,
}

/// The options the sheet prints that `--record` stores instead (so text and JSON take them).
pub const RECORDED_OPTIONS: &[&str] = &["--lot", "--patient-id", "--date"];

/// Reads `--record` of `stscalc session` (clap requires its companions): `None` without it.
/// A series is refused: one session is recorded at a time, when it is given.
pub fn session_to_record(args: &SessionArgs) -> Result<Option<SessionToRecord>> {
    if !args.record {
        return Ok(None);
    }
    if let Some(n) = &args.sessions {
        return Err(Error::input(
            "--sessions",
            "no series with --record (record each session when it is given)",
            format!("`{}`", n.trim()),
        ));
    }
    let o = &args.sheet;
    let text = |field: &str, v: &Option<String>| -> Result<String> {
        let t = crate::request::parse::user_text(field, v.as_deref().unwrap_or_default())?;
        if t.is_empty() {
            return Err(Error::input(field, "a value with --record", "nothing"));
        }
        Ok(t)
    };
    Ok(Some(SessionToRecord {
        lot: text("--lot", &o.lot)?,
        patient_id: text("--patient-id", &o.patient_id)?,
        date: crate::request::parse::date("--date", o.date.as_deref().unwrap_or_default())?,
        by: text("--by", &args.by)?,
    }))
}
