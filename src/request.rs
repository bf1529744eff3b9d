//! Batch request files: the whole batch request (formula, size, strength, certificate, balance,
//! lot, date, storage, component lots and, for `verify`, the weights measured) in one TOML or
//! JSON file, so that a pharmacy system can drive stscalc. The format is documented in
//! `docs/batch-request.md`.
//!
//! A request file and the command line are merged: an option given in both places must agree,
//! otherwise the request is refused (a batch must never be calculated from two different
//! requests). Quantities are strings with units, as on the command line.

use std::fmt;
use std::path::Path;

use chrono::{NaiveDateTime, Timelike};
use serde::Deserialize;

use crate::bud::{CompoundedAt, DayCount, Storage};
use crate::cli::{BatchArgs, RecordArgs};
use crate::data::{from_toml, FileKind};
use crate::error::{Error, Result};
use crate::plan::record::{component_input, parse_component, ComponentLotInput, RecordRequest};
use crate::plan::verify::{actual, parse_actual, Actual};

/// The certificate of analysis in a request file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateInput {
    /// Assay, e.g. `"99.5 %"`.
    pub assay: Option<String>,
    /// `as-is` or `dried`.
    pub basis: Option<String>,
    /// Water content or loss on drying, for a dried-basis assay.
    pub water: Option<String>,
}

/// The balance in a request file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BalanceInput {
    /// Readability, e.g. `"0.001 g"`.
    pub readability: Option<String>,
    /// Repeatability standard deviation, if measured.
    pub repeatability: Option<String>,
    /// Capacity: the largest single weighing, e.g. `"620 g"`.
    pub capacity: Option<String>,
}

/// A component lot in a request file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComponentInput {
    /// Component id from the formula.
    pub id: String,
    /// Lot number.
    pub lot: String,
    /// `YYYY-MM-DD` or `YYYY-MM`.
    pub expiry: String,
    /// Manufacturer or supplier.
    pub manufacturer: Option<String>,
}

/// An addition made after the first weighings, in a request file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdditionInput {
    /// Component id from the formula.
    pub id: String,
    /// The amount added, e.g. `"2.5 g"`.
    pub mass: String,
}

/// A table of `id = "mass"` that keeps its order and refuses a repeated id (JSON objects may
/// repeat keys; the last would silently win).
#[derive(Debug, Clone, Default)]
pub struct Weights(pub Vec<(String, String)>);

impl<'de> Deserialize<'de> for Weights {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Weights;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a table of component id = \"mass\", e.g. sts = \"25.5 g\"")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> std::result::Result<Weights, M::Error> {
                let mut v: Vec<(String, String)> = Vec::new();
                while let Some((k, m)) = map.next_entry::<String, String>()? {
                    if v.iter().any(|(o, _)| *o == k) {
                        return Err(serde::de::Error::custom(format!(
                            "component `{k}` is given twice in `actual`"
                        )));
                    }
                    v.push((k, m));
                }
                Ok(Weights(v))
            }
        }
        d.deserialize_map(V)
    }
}

/// A batch request file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestFile {
    /// Formula id.
    pub formula: Option<String>,
    /// Batch total, e.g. `"100 g"`.
    pub quantity: Option<String>,
    /// Containers, e.g. `"4x30g"`.
    pub containers: Option<String>,
    /// Strength, e.g. `"25 %"`.
    pub strength: Option<String>,
    /// Overage, e.g. `"5 %"` or `"2 g"`.
    pub overage: Option<String>,
    /// Stock form on the shelf.
    pub stock_form: Option<String>,
    /// Certificate of analysis of the active's lot.
    pub certificate: Option<CertificateInput>,
    /// The balance.
    pub balance: Option<BalanceInput>,
    /// Container option id.
    pub container: Option<String>,
    /// Internal lot number (otherwise generated).
    pub lot: Option<String>,
    /// Sequence number of the batch on the day, for a generated lot.
    pub lot_sequence: Option<u32>,
    /// Compounding date or date and time.
    #[serde(alias = "date")]
    pub compounded_at: Option<String>,
    /// `room`, `refrigerator` or `freezer`.
    pub storage: Option<String>,
    /// `day-one` or `day-zero`.
    pub bud_count: Option<String>,
    /// Preparation method: for the solution `dilution` or `powder`.
    pub method: Option<String>,
    /// Solution, dilution: stock product id.
    pub stock: Option<String>,
    /// Solution, dilution: concentration of a stock not listed in the formula.
    pub stock_concentration: Option<String>,
    /// Solution, dilution: what `stock_concentration` is stated on.
    pub stock_basis: Option<String>,
    /// Solution, dilution: vial volume of that stock.
    pub vial: Option<String>,
    /// Solution, dilution: diluent id.
    pub diluent: Option<String>,
    /// Solution: measuring step for volumes.
    pub measure_step: Option<String>,
    /// Solution: what each vial keeps that cannot be drawn up.
    #[serde(default)]
    pub vial_residual: Option<String>,
    /// Solution from powder: what the sterilizing filter keeps.
    #[serde(default)]
    pub filter_hold_up: Option<String>,
    /// Component lots and expiries.
    #[serde(default)]
    pub components: Vec<ComponentInput>,
    /// Weights actually measured (for `stscalc verify`).
    #[serde(default)]
    pub actual: Weights,
    /// Amounts added after the first weighings, in order (for `stscalc verify`).
    #[serde(default)]
    pub additions: Vec<AdditionInput>,
}

/// What a request file adds beyond the options: component lots and measured weights.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    /// Component lots from the file.
    pub components: Vec<ComponentLotInput>,
    /// Measured weights from the file.
    pub actual: Vec<Actual>,
    /// Additions after the first weighings, from the file.
    pub additions: Vec<Actual>,
}

/// Reads a request file: JSON when the name ends in `.json` or the text starts with `{`,
/// TOML otherwise. Errors name the file, line and column.
pub fn read(path: &Path) -> Result<RequestFile> {
    let text = crate::data::read_text(path)?;
    let name = path.display().to_string();
    let json = path.extension().is_some_and(|e| e == "json") || text.trim_start().starts_with('{');
    if json {
        serde_json::from_str(&text).map_err(|e| {
            let message = e
                .to_string()
                .lines()
                .next()
                .unwrap_or("invalid JSON")
                .to_string();
            // A type error names its key, as for TOML.
            let message = match crate::data::json_key_at(&text, e.line(), e.column()) {
                Some(key) if e.is_data() => format!("`{key}`: {message}"),
                _ => message,
            };
            Error::DataFile {
                file: name,
                line: Some(e.line()),
                column: Some(e.column()),
                message,
            }
        })
    } else {
        from_toml(FileKind::Data, &name, &text)
    }
}

fn same(a: &str, b: &str) -> bool {
    let strip = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    strip(a) == strip(b)
}

/// Takes the file's value when the option was not given; refuses a different value.
fn merge(cli: &mut Option<String>, file: Option<String>, option: &str, key: &str) -> Result<()> {
    match (cli.as_deref(), file) {
        (_, None) => Ok(()),
        (None, Some(f)) => {
            *cli = Some(f);
            Ok(())
        }
        (Some(c), Some(f)) if same(c, &f) => Ok(()),
        (Some(c), Some(f)) => Err(conflict(option, key, &f, c)),
    }
}

fn conflict(option: &str, key: &str, file_value: &str, cli_value: &str) -> Error {
    Error::input(
        option,
        format!(
            "the request file's `{key}` ({}), or the option left out",
            crate::error::quote(file_value)
        ),
        crate::error::quote(cli_value),
    )
}

/// Merges `file` into the options; returns the component lots and weights it holds.
pub fn apply(args: &mut BatchArgs, file: RequestFile) -> Result<Extras> {
    merge(&mut args.id, file.formula, "formula", "formula")?;
    match (
        &args.quantity,
        &args.containers,
        &file.quantity,
        &file.containers,
    ) {
        (Some(q), _, None, Some(c)) => return Err(conflict("--quantity", "containers", c, q)),
        (_, Some(c), Some(q), None) => return Err(conflict("--containers", "quantity", q, c)),
        _ => {}
    }
    merge(&mut args.quantity, file.quantity, "--quantity", "quantity")?;
    merge(
        &mut args.containers,
        file.containers,
        "--containers",
        "containers",
    )?;
    if args.quantity.is_some() && args.containers.is_some() {
        return Err(Error::input(
            "--quantity",
            "one batch size: `quantity` or `containers`",
            "both",
        ));
    }
    merge(&mut args.strength, file.strength, "--strength", "strength")?;
    merge(&mut args.overage, file.overage, "--overage", "overage")?;
    merge(
        &mut args.stock_form,
        file.stock_form,
        "--stock-form",
        "stock_form",
    )?;
    merge(
        &mut args.container,
        file.container,
        "--container",
        "container",
    )?;
    let cert = file.certificate.unwrap_or_default();
    merge(&mut args.assay, cert.assay, "--assay", "certificate.assay")?;
    merge(
        &mut args.assay_basis,
        cert.basis,
        "--assay-basis",
        "certificate.basis",
    )?;
    merge(&mut args.water, cert.water, "--water", "certificate.water")?;
    let bal = file.balance.unwrap_or_default();
    merge(
        &mut args.readability,
        bal.readability,
        "--readability",
        "balance.readability",
    )?;
    merge(
        &mut args.repeatability,
        bal.repeatability,
        "--repeatability",
        "balance.repeatability",
    )?;
    merge(
        &mut args.capacity,
        bal.capacity,
        "--capacity",
        "balance.capacity",
    )?;
    merge(&mut args.method, file.method, "--method", "method")?;
    merge(&mut args.stock, file.stock, "--stock", "stock")?;
    merge(
        &mut args.stock_concentration,
        file.stock_concentration,
        "--stock-concentration",
        "stock_concentration",
    )?;
    merge(
        &mut args.stock_basis,
        file.stock_basis,
        "--stock-basis",
        "stock_basis",
    )?;
    merge(&mut args.vial, file.vial, "--vial", "vial")?;
    merge(&mut args.diluent, file.diluent, "--diluent", "diluent")?;
    merge(
        &mut args.measure_step,
        file.measure_step,
        "--measure-step",
        "measure_step",
    )?;
    merge(
        &mut args.vial_residual,
        file.vial_residual,
        "--vial-residual",
        "vial_residual",
    )?;
    merge(
        &mut args.filter_hold_up,
        file.filter_hold_up,
        "--filter-hold-up",
        "filter_hold_up",
    )?;
    let r = &mut args.record;
    merge(&mut r.lot, file.lot, "--lot", "lot")?;
    merge(
        &mut r.lot_sequence,
        file.lot_sequence.map(|n| n.to_string()),
        "--lot-sequence",
        "lot_sequence",
    )?;
    merge(&mut r.date, file.compounded_at, "--date", "compounded_at")?;
    merge(&mut r.storage, file.storage, "--storage", "storage")?;
    merge(&mut r.bud_count, file.bud_count, "--bud-count", "bud_count")?;

    let components = file
        .components
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let whole = format!("{}={}@{}", c.id, c.lot, c.expiry);
            component_input(
                &format!("components[{i}]"),
                &c.id,
                &c.lot,
                &c.expiry,
                c.manufacturer.clone(),
                &whole,
            )
        })
        .collect::<Result<Vec<_>>>()?;
    let actual = file
        .actual
        .0
        .iter()
        .map(|(id, m)| actual("actual", id, m))
        .collect::<Result<Vec<_>>>()?;
    let additions = file
        .additions
        .iter()
        .enumerate()
        .map(|(i, a)| crate::plan::verify::actual(&format!("additions[{i}]"), &a.id, &a.mass))
        .collect::<Result<Vec<_>>>()?;
    Ok(Extras {
        components,
        actual,
        additions,
    })
}

/// Reads `--request` (if given) and merges it into the options.
pub fn load(mut args: BatchArgs) -> Result<(BatchArgs, Extras)> {
    let extras = match args.record.request.clone() {
        Some(path) => apply(&mut args, read(&path)?)?,
        None => Extras::default(),
    };
    Ok((args, extras))
}

/// Reads a saved plan for `stscalc verify --plan FILE` or `stscalc labels --plan FILE`: the
/// JSON of `stscalc batch --format json`.
pub fn read_saved_plan(path: &Path) -> Result<serde_json::Value> {
    let text = crate::data::read_text(path)?;
    serde_json::from_str(&text).map_err(|e| Error::DataFile {
        file: path.display().to_string(),
        line: Some(e.line()),
        column: Some(e.column()),
        message: format!("expected the JSON of `stscalc batch --format json`: {e}"),
    })
}

/// Takes from a saved plan every input that changes a batch's numbers and record, where the
/// options (and the request file) leave it out: strength, overage, stock form, certificate,
/// balance (readability, repeatability and a capacity given), container, method, a solution's stock product, diluent and measuring step, lot,
/// compounding date, storage, day counting and component lots.
/// Verifying a plan then verifies the batch the plan was made for, not one worked out again
/// with defaults. An option given against the plan is left as given, and
/// [`crate::plan::verify::check_saved_plan`] refuses it by name once the batch is planned.
pub fn apply_saved_plan(
    args: &mut BatchArgs,
    extras: &mut Extras,
    saved: &serde_json::Value,
) -> Result<()> {
    let at = |path: &[&str]| -> serde_json::Value {
        path.iter()
            .fold(saved.clone(), |v, k| v.get(k).cloned().unwrap_or_default())
    };
    let text = |path: &[&str]| at(path).as_str().map(str::to_string);
    let fill = |option: &mut Option<String>, value: Option<String>| {
        if option.is_none() {
            *option = value;
        }
    };
    fill(&mut args.strength, text(&["strength", "text"]));
    fill(&mut args.overage, text(&["overage", "amount", "text"]));
    fill(&mut args.stock_form, text(&["stock", "form"]));
    fill(
        &mut args.assay,
        text(&["stock", "certificate", "assay", "text"]),
    );
    fill(
        &mut args.water,
        text(&["stock", "certificate", "water", "text"]),
    );
    fill(
        &mut args.assay_basis,
        text(&["stock", "certificate", "basis"]),
    );
    fill(
        &mut args.readability,
        text(&["balance", "readability", "text"]),
    );
    fill(
        &mut args.repeatability,
        text(&["balance", "repeatability", "text"]),
    );
    // A capacity given for the plan (not the default) is the balance the batch is made on.
    if text(&["capacity_basis"]).as_deref() == Some("--capacity") {
        fill(&mut args.capacity, text(&["capacity", "text"]));
    }
    fill(&mut args.container, text(&["fill", "container"]));
    fill(&mut args.method, text(&["record", "method"]));
    // A solution made by dilution: the stock product, the diluent and the measuring step.
    fill(&mut args.stock, text(&["dilution", "stock", "id"]));
    fill(&mut args.diluent, text(&["dilution", "diluent", "id"]));
    // A stock described on the command line (no id): its concentration, basis and vial.
    let exact = |path: &[&str]| {
        let q = at(path);
        Some(format!("{}{}", q["value"].as_str()?, q["unit"].as_str()?))
    };
    let described = at(&["dilution", "stock", "id"]).is_null()
        && exact(&["dilution", "stock", "concentration"]).is_some();
    if described && args.stock.is_none() {
        fill(
            &mut args.stock_concentration,
            exact(&["dilution", "stock", "concentration"]),
        );
        fill(&mut args.stock_basis, text(&["dilution", "stock", "basis"]));
        fill(&mut args.vial, exact(&["dilution", "stock", "vial"]));
    }
    fill(&mut args.measure_step, text(&["measure_step", "text"]));
    // The losses, only when they were given (else the data's figures apply, as they did).
    let given = |key: &str| {
        text(&["losses", &format!("{key}_source")]).is_some_and(|s| s.starts_with("given with"))
    };
    if given("vial_residual") {
        fill(
            &mut args.vial_residual,
            text(&["losses", "vial_residual", "text"]),
        );
    }
    if given("filter_hold_up") {
        fill(
            &mut args.filter_hold_up,
            text(&["losses", "filter_hold_up", "text"]),
        );
    }
    // The batch size: `size` of an ointment plan, the nominal volume of a solution's. Written
    // from the exact value, so that no display rounding reaches the request.
    if args.quantity.is_none() && args.containers.is_none() {
        match at(&["size", "by"]).as_str() {
            Some("containers") => {
                args.containers = at(&["size", "count"])
                    .as_u64()
                    .and_then(|n| exact(&["size", "fill"]).map(|fill| format!("{n}x{fill}")));
            }
            Some(_) => args.quantity = exact(&["size", "total"]),
            None => args.quantity = exact(&["nominal"]),
        }
    }
    // What the record and its labels print besides the numbers.
    fill(&mut args.print.facility, text(&["record", "facility"]));
    let r = &mut args.record;
    fill(&mut r.date, text(&["record", "compounded_at", "text"]));
    if r.lot.is_none() && r.lot_sequence.is_none() {
        if let Some(number) = text(&["record", "lot", "number"]) {
            if at(&["record", "lot", "given"]).as_bool() == Some(true) {
                r.lot = Some(number);
            } else {
                // A generated lot: its sequence number is what makes it again.
                r.lot_sequence = number.rsplit('-').next().map(str::to_string);
            }
        }
    }
    if text(&["record", "storage_from"]).as_deref() == Some("request") {
        fill(&mut r.storage, text(&["record", "bud", "storage"]));
    }
    fill(&mut r.bud_count, text(&["record", "bud", "convention"]));
    if extras.components.is_empty() && r.components.is_empty() {
        for c in at(&["record", "components"])
            .as_array()
            .into_iter()
            .flatten()
        {
            let (Some(id), Some(lot), Some(expiry)) = (
                c["id"].as_str(),
                c["lot"].as_str(),
                c["expiry_as_written"].as_str(),
            ) else {
                continue;
            };
            let manufacturer = c["manufacturer"].as_str().map(str::to_string);
            let whole = format!("{id}={lot}@{expiry}");
            extras.components.push(component_input(
                "--plan",
                id,
                lot,
                expiry,
                manufacturer,
                &whole,
            )?);
        }
    }
    Ok(())
}

/// The formula id, from the first argument or the request file.
pub fn formula_id(args: &BatchArgs) -> Result<&str> {
    args.id.as_deref().ok_or_else(|| {
        Error::input(
            "formula",
            "a formula id as the first argument (e.g. `sts-25-zinc-oxide`) or `formula` in the --request file",
            "nothing",
        )
    })
}

/// Builds the record request from the options, the facility printed on the record, the
/// preparation method (for a formula whose BUD depends on it) and the file's component lots.
/// `now` is used when no compounding date was given (the binary passes the clock; tests pass a
/// date).
pub fn record_request(
    r: &RecordArgs,
    facility: Option<&str>,
    method: Option<String>,
    file_components: Vec<ComponentLotInput>,
    now: NaiveDateTime,
) -> Result<RecordRequest> {
    let compounded_at = match &r.date {
        Some(d) => CompoundedAt::parse("--date", d)?,
        None => {
            let minute = now
                .with_second(0)
                .and_then(|t| t.with_nanosecond(0))
                .unwrap_or(now);
            CompoundedAt::at(minute)
        }
    };
    let lot_sequence = match &r.lot_sequence {
        None => 1,
        Some(_) if r.lot.is_some() => {
            return Err(Error::input(
                "--lot-sequence",
                "no sequence number when the lot number is given with --lot",
                format!("`{}`", r.lot_sequence.as_deref().unwrap_or_default()),
            ))
        }
        Some(s) => match s.trim().parse::<u32>() {
            Ok(n) if (1..=99).contains(&n) => n,
            _ => {
                return Err(Error::input(
                    "--lot-sequence",
                    "a whole number from 1 to 99",
                    format!("`{}`", s.trim()),
                ))
            }
        },
    };
    let storage = r
        .storage
        .as_deref()
        .map(str::parse::<Storage>)
        .transpose()?;
    let convention = r
        .bud_count
        .as_deref()
        .map(str::parse::<DayCount>)
        .transpose()?
        .unwrap_or_default();
    let mut components = file_components;
    for c in &r.components {
        components.push(parse_component("--component", c)?);
    }
    Ok(RecordRequest {
        lot: r.lot.clone(),
        lot_sequence,
        compounded_at,
        storage,
        convention,
        method,
        components,
        strength: None,
        facility: self::facility(facility)?,
    })
}

/// The additions after the first weighings: the file's, then `--addition` options, in order.
pub fn additions(file: Vec<Actual>, options: &[String]) -> Result<Vec<Actual>> {
    let mut all = file;
    for a in options {
        all.push(crate::plan::verify::parse_addition(a)?);
    }
    Ok(all)
}

/// The measured weights: the file's, then `--actual` options.
pub fn actuals(file: Vec<Actual>, options: &[String]) -> Result<Vec<Actual>> {
    let mut all = file;
    for a in options {
        all.push(parse_actual("--actual", a)?);
    }
    Ok(all)
}

/// Checks a piece of user text (patient, facility...): one line, at most 200 characters. It is
/// escaped by the templates; this only keeps the sheet's layout sane.
pub fn user_text(field: &str, text: &str) -> Result<String> {
    let t = text.trim();
    if t.chars().any(char::is_control) || t.chars().count() > 200 {
        return Err(Error::input(
            field,
            "one line of text of at most 200 characters",
            crate::error::quote(t),
        ));
    }
    Ok(t.to_string())
}

/// An optional piece of user text for `field`: `None` when not given or blank, else checked
/// by [`user_text`].
pub fn optional_text(field: &str, text: Option<&str>) -> Result<Option<String>> {
    match text {
        Some(t) if !t.trim().is_empty() => user_text(field, t).map(Some),
        _ => Ok(None),
    }
}

/// The facility line of sheets and labels (`--facility`): `None` when not given or blank.
pub fn facility(text: Option<&str>) -> Result<Option<String>> {
    optional_text("--facility", text)
}
