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

use serde::Deserialize;

use super::batch::{actual, component_input};
use crate::cli::BatchArgs;
use crate::data::{from_toml, FileKind};
use crate::error::{Error, Result};
use crate::plan::record::ComponentLotInput;
use crate::plan::verify::Actual;

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
    /// A shorter beyond-use limit, in days (`8d`).
    pub bud_limit: Option<String>,
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
    /// The options whose value came from the file, each with the file's key.
    pub from_file: Vec<(String, String)>,
}

impl Extras {
    /// Only the request file's keys (`from_file`), kept to name them in errors
    /// ([`Extras::name_keys`]) once the rest has been handed on.
    pub fn keys(&self) -> Extras {
        Extras {
            from_file: self.from_file.clone(),
            ..Extras::default()
        }
    }

    /// `e` naming the request file's key (`lot`) where it is about an option whose value came
    /// from the file (`--lot`): the user wrote the key, not the option.
    pub fn name_keys(&self, e: Error) -> Error {
        match e {
            Error::Input {
                field,
                expected,
                found,
            } => {
                // A calculation names the field by its marker (`‹lot›`), the options by flag.
                let flag = crate::request::parse::with_flags(&field);
                let field = match self.from_file.iter().find(|(option, _)| *option == flag) {
                    Some((_, key)) => key.clone(),
                    None => field,
                };
                Error::Input {
                    field,
                    expected,
                    found,
                }
            }
            other => other,
        }
    }
}

/// Reads a request file: JSON when the name ends in `.json` or the text starts with `{`,
/// TOML otherwise. Errors name the file, line and column.
pub fn read(path: &Path) -> Result<RequestFile> {
    read_as(path)
}

/// Reads any request document from a file ([`parse`]): JSON when the name ends in `.json`
/// or the text starts with `{`, TOML otherwise.
pub fn read_as<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text = crate::data::read_text(path)?;
    let json = path.extension().is_some_and(|e| e == "json");
    parse(&path.display().to_string(), &text, json)
}

/// Parses a request document named `name` (a file, or a web request's body): JSON when
/// `json` or the text starts with `{`, TOML otherwise. Errors name the document, line and
/// column, and a value of the wrong type its key.
pub fn parse<T: serde::de::DeserializeOwned>(name: &str, text: &str, json: bool) -> Result<T> {
    let name = name.to_string();
    let json = json || text.trim_start().starts_with('{');
    if json {
        serde_json::from_str(text).map_err(|e| {
            let message = e
                .to_string()
                .lines()
                .next()
                .unwrap_or("invalid JSON")
                .to_string();
            // A type error names its key, as for TOML.
            let message = match crate::data::json_key_at(text, e.line(), e.column()) {
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
        from_toml(FileKind::Data, &name, text)
    }
}

fn same(a: &str, b: &str) -> bool {
    let strip = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    strip(a) == strip(b)
}

/// Takes the file's value when the option was not given; refuses a different value.
pub(crate) fn merge(
    cli: &mut Option<String>,
    file: Option<String>,
    option: &str,
    key: &str,
) -> Result<()> {
    merge_noted(&mut Vec::new(), cli, file, option, key)
}

/// [`merge`], noting in `taken` each option whose value came from the file, so that an error
/// about it names the file's key.
fn merge_noted(
    taken: &mut Vec<(String, String)>,
    cli: &mut Option<String>,
    file: Option<String>,
    option: &str,
    key: &str,
) -> Result<()> {
    match (cli.as_deref(), file) {
        (_, None) => Ok(()),
        (None, Some(f)) => {
            *cli = Some(f);
            taken.push((option.to_string(), key.to_string()));
            Ok(())
        }
        (Some(c), Some(f)) if same(c, &f) => Ok(()),
        (Some(c), Some(f)) => Err(conflict(option, key, &f, c)),
    }
}

pub(crate) fn conflict(option: &str, key: &str, file_value: &str, cli_value: &str) -> Error {
    Error::input(
        option,
        format!(
            "the request file's `{key}` ({}), or the option left out",
            crate::error::quote(file_value)
        ),
        crate::error::quote(cli_value),
    )
}

/// The file's component lots (`components[i]`), checked.
fn component_lots(components: &[ComponentInput]) -> Result<Vec<ComponentLotInput>> {
    components
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
        .collect()
}

/// Merges `file` into the options; returns the component lots and weights it holds.
pub fn apply(args: &mut BatchArgs, file: RequestFile) -> Result<Extras> {
    let mut taken = Vec::new();
    let mut m = |cli: &mut Option<String>, f: Option<String>, option: &str, key: &str| {
        merge_noted(&mut taken, cli, f, option, key)
    };
    m(&mut args.id, file.formula, "formula", "formula")?;
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
    m(&mut args.quantity, file.quantity, "--quantity", "quantity")?;
    m(
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
    m(&mut args.strength, file.strength, "--strength", "strength")?;
    m(&mut args.overage, file.overage, "--overage", "overage")?;
    m(
        &mut args.stock_form,
        file.stock_form,
        "--stock-form",
        "stock_form",
    )?;
    m(
        &mut args.container,
        file.container,
        "--container",
        "container",
    )?;
    let cert = file.certificate.unwrap_or_default();
    m(&mut args.assay, cert.assay, "--assay", "certificate.assay")?;
    m(
        &mut args.assay_basis,
        cert.basis,
        "--assay-basis",
        "certificate.basis",
    )?;
    m(&mut args.water, cert.water, "--water", "certificate.water")?;
    let bal = file.balance.unwrap_or_default();
    m(
        &mut args.readability,
        bal.readability,
        "--readability",
        "balance.readability",
    )?;
    m(
        &mut args.repeatability,
        bal.repeatability,
        "--repeatability",
        "balance.repeatability",
    )?;
    m(
        &mut args.capacity,
        bal.capacity,
        "--capacity",
        "balance.capacity",
    )?;
    m(&mut args.method, file.method, "--method", "method")?;
    m(&mut args.stock, file.stock, "--stock", "stock")?;
    m(
        &mut args.stock_concentration,
        file.stock_concentration,
        "--stock-concentration",
        "stock_concentration",
    )?;
    m(
        &mut args.stock_basis,
        file.stock_basis,
        "--stock-basis",
        "stock_basis",
    )?;
    m(&mut args.vial, file.vial, "--vial", "vial")?;
    m(&mut args.diluent, file.diluent, "--diluent", "diluent")?;
    m(
        &mut args.measure_step,
        file.measure_step,
        "--measure-step",
        "measure_step",
    )?;
    m(
        &mut args.vial_residual,
        file.vial_residual,
        "--vial-residual",
        "vial_residual",
    )?;
    m(
        &mut args.filter_hold_up,
        file.filter_hold_up,
        "--filter-hold-up",
        "filter_hold_up",
    )?;
    let r = &mut args.record;
    m(&mut r.lot, file.lot, "--lot", "lot")?;
    m(
        &mut r.lot_sequence,
        file.lot_sequence.map(|n| n.to_string()),
        "--lot-sequence",
        "lot_sequence",
    )?;
    m(&mut r.date, file.compounded_at, "--date", "compounded_at")?;
    m(&mut r.storage, file.storage, "--storage", "storage")?;
    m(&mut r.bud_count, file.bud_count, "--bud-count", "bud_count")?;
    m(&mut r.bud_limit, file.bud_limit, "--bud-limit", "bud_limit")?;

    let components = component_lots(&file.components)?;
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
        .map(|(i, a)| super::batch::actual(&format!("additions[{i}]"), &a.id, &a.mass))
        .collect::<Result<Vec<_>>>()?;
    Ok(Extras {
        components,
        actual,
        additions,
        from_file: taken,
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
