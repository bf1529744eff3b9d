//! The saved plan (`--plan plan.json`, the JSON of `stscalc batch --format json`): read, its
//! inputs taken for the options left out, and refused when it is not the plan of the batch
//! worked out again now.

use std::path::Path;

use rust_decimal::Decimal;

use crate::cli::BatchArgs;
use crate::error::{Error, Result};
use crate::plan::ointment::{FormulaRef, OintmentPlan};

use super::batch::component_input;
use super::file::Extras;

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
/// [`check_saved_plan`] refuses it by name once the batch is planned.
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
    // The powder and its balance: an ointment's at the top, a solution made from powder's
    // under `powder` (its certificate is required, so a plan without it would be refused).
    // A method given against the plan takes none of them: the check then names the method.
    let plan_method = text(&["record", "method"]);
    let same_method = args.method.is_none() || args.method == plan_method;
    let powder = |path: &[&str]| {
        text(path).or_else(|| {
            same_method
                .then(|| text(&[&["powder"][..], path].concat()))
                .flatten()
        })
    };
    fill(&mut args.stock_form, powder(&["stock", "form"]));
    fill(
        &mut args.assay,
        powder(&["stock", "certificate", "assay", "text"]),
    );
    fill(
        &mut args.water,
        powder(&["stock", "certificate", "water", "text"]),
    );
    fill(
        &mut args.assay_basis,
        powder(&["stock", "certificate", "basis"]),
    );
    fill(
        &mut args.readability,
        powder(&["balance", "readability", "text"]),
    );
    fill(
        &mut args.repeatability,
        powder(&["balance", "repeatability", "text"]),
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
    if extras.components.is_empty() && r.components.is_empty() && r.component_gs1.is_empty() {
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

/// Refuses a saved plan (JSON from `stscalc batch --format json`) made from another formula:
/// another id, or another version of the file (its SHA-256 differs).
pub fn check_saved_formula(formula: &FormulaRef, saved: &serde_json::Value) -> Result<()> {
    let field = "--plan";
    let text = |v: &serde_json::Value| v.as_str().map(str::to_string);
    let saved_id = text(&saved["formula"]["id"]);
    if saved_id.as_deref() != Some(formula.id.as_str()) {
        return Err(Error::input(
            field,
            format!(
                "a plan for formula `{}` (the formula being verified)",
                formula.id
            ),
            format!("formula `{}`", saved_id.unwrap_or_else(|| "none".into())),
        ));
    }
    if text(&saved["formula"]["sha256"]).as_deref() != Some(formula.sha256.as_str()) {
        return Err(Error::input(
            field,
            format!(
                "a plan made from the same formula file as now (`{}` version {})",
                formula.id, formula.version
            ),
            "a plan from a different version of the file (its sha256 differs)",
        ));
    }
    Ok(())
}

/// Whether two JSON values say the same: numbers written as strings compare as exact decimals
/// (`"0.010"` is `"0.01"`), objects key by key, lists item by item.
fn same_json(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (a, b) {
        (Value::String(x), Value::String(y)) => {
            x == y
                || matches!(
                    (Decimal::from_str_exact(x), Decimal::from_str_exact(y)),
                    (Ok(p), Ok(q)) if p == q
                )
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same_json(v, w))
        }
        _ => a == b,
    }
}

/// A JSON value as people read it: a quantity's `text`, a string, or `none`.
fn shown(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "none".into(),
        serde_json::Value::String(s) => s.clone(),
        other => match other.get("text").and_then(|t| t.as_str()) {
            Some(t) => t.to_string(),
            None => match other.get("amount").and_then(|a| a.get("text")) {
                Some(t) => t.as_str().unwrap_or_default().to_string(),
                None => other.to_string(),
            },
        },
    }
}

/// The inputs of a plan that change its numbers, each with the option that sets it: verifying
/// a plan means verifying with all of them as they were. An input a preparation does not have
/// (the stock form of a diluted solution) is absent from both plans and so agrees.
const INPUTS: [(&str, &[&str], &str); 27] = [
    // The method first: it decides which of the inputs below a batch has.
    ("preparation method", &["record", "method"], "--method"),
    ("strength", &["strength"], "--strength"),
    ("overage", &["overage"], "--overage"),
    ("stock form", &["stock", "form"], "--stock-form"),
    (
        "certificate assay",
        &["stock", "certificate", "assay"],
        "--assay",
    ),
    (
        "certificate basis",
        &["stock", "certificate", "basis"],
        "--assay-basis",
    ),
    (
        "certificate water",
        &["stock", "certificate", "water"],
        "--water",
    ),
    (
        "balance readability",
        &["balance", "readability"],
        "--readability",
    ),
    (
        "balance repeatability",
        &["balance", "repeatability"],
        "--repeatability",
    ),
    // A solution made from powder keeps its powder's inputs under `powder`.
    ("stock form", &["powder", "stock", "form"], "--stock-form"),
    (
        "certificate assay",
        &["powder", "stock", "certificate", "assay"],
        "--assay",
    ),
    (
        "certificate basis",
        &["powder", "stock", "certificate", "basis"],
        "--assay-basis",
    ),
    (
        "certificate water",
        &["powder", "stock", "certificate", "water"],
        "--water",
    ),
    (
        "balance readability",
        &["powder", "balance", "readability"],
        "--readability",
    ),
    (
        "balance repeatability",
        &["powder", "balance", "repeatability"],
        "--repeatability",
    ),
    ("container", &["fill", "container"], "--container"),
    ("stock product", &["dilution", "stock", "id"], "--stock"),
    (
        "stock concentration",
        &["dilution", "stock", "concentration"],
        "--stock-concentration",
    ),
    (
        "stock basis",
        &["dilution", "stock", "basis"],
        "--stock-basis",
    ),
    ("stock vial", &["dilution", "stock", "vial"], "--vial"),
    ("diluent", &["dilution", "diluent", "id"], "--diluent"),
    ("measuring step", &["measure_step"], "--measure-step"),
    ("compounding date", &["record", "compounded_at"], "--date"),
    ("lot", &["record", "lot", "number"], "--lot"),
    ("storage", &["record", "bud", "storage"], "--storage"),
    ("facility", &["record", "facility"], "--facility"),
    (
        "day counting",
        &["record", "bud", "convention"],
        "--bud-count",
    ),
];

/// The value at `path` in `v` (`null` where missing).
fn at(v: &serde_json::Value, path: &[&str]) -> serde_json::Value {
    path.iter()
        .fold(v.clone(), |v, k| v.get(k).cloned().unwrap_or_default())
}

/// Refuses a saved plan that is not the plan of the batch worked out now (`mine`, serialized),
/// for any preparation: another formula, batch size (`--plan`), or any input that changes the
/// numbers or the record (the option that differs is named), other component lots, containers,
/// or another beyond-use date. [`apply_saved_plan`] has already taken every
/// input the options left out from the plan, so only an option given against it is refused.
pub fn check_saved_batch(
    formula: &FormulaRef,
    mine: &serde_json::Value,
    saved: &serde_json::Value,
) -> Result<()> {
    let field = "--plan";
    check_saved_formula(formula, saved)?;
    let size = |name: &str| {
        let (theirs, ours) = (at(saved, &[name]), at(mine, &[name]));
        if same_json(&theirs, &ours) {
            return Ok(());
        }
        Err(Error::input(
            field,
            format!(
                "a plan with the batch {name} being worked out ({})",
                shown(&ours)
            ),
            format!("batch {name} {}", shown(&theirs)),
        ))
    };
    size("nominal")?;
    for (what, path, option) in INPUTS {
        let (theirs, ours) = (at(saved, path), at(mine, path));
        if !same_json(&theirs, &ours) {
            return Err(Error::input(
                option,
                format!(
                    "the saved plan's {what} `{}` (leave the option out to take it from --plan)",
                    shown(&theirs)
                ),
                format!("`{}`", shown(&ours)),
            ));
        }
    }
    // The total follows from the nominal and the overage (and a solution's measuring step),
    // all checked above.
    size("total")?;
    let lots = |v: &serde_json::Value| -> Vec<serde_json::Value> {
        at(v, &["record", "components"])
            .as_array()
            .map(|cs| {
                cs.iter()
                    .map(|c| serde_json::json!([c["id"], c["lot"], c["expiry"], c["manufacturer"]]))
                    .collect()
            })
            .unwrap_or_default()
    };
    if !same_json(&lots(saved).into(), &lots(mine).into()) {
        return Err(Error::input(
            "--component",
            "the saved plan's component lots and expiries (leave the options out to take them from --plan)",
            "other component lots",
        ));
    }
    for path in [&["fill"][..], &["record", "bud", "text"]] {
        if !same_json(&at(saved, path), &at(mine, path)) {
            return Err(Error::input(
                field,
                format!(
                    "a plan whose {} is the one worked out again now",
                    if path[0] == "fill" {
                        "containers"
                    } else {
                        "beyond-use date"
                    }
                ),
                "a plan that differs (made by another version of stscalc?)",
            ));
        }
    }
    Ok(())
}

/// Refuses a saved plan (JSON from `stscalc batch --format json`) that is not the ointment
/// plan being verified: see [`check_saved_batch`]; last, the quantities to weigh must come out
/// the same.
pub fn check_saved_plan(plan: &OintmentPlan, saved: &serde_json::Value) -> Result<()> {
    let mine = serde_json::to_value(plan)
        .map(named)
        .map_err(|e| Error::Refused(e.to_string()))?;
    check_saved_batch(&plan.formula, &mine, saved)?;
    let weighed = |v: &serde_json::Value| -> Vec<serde_json::Value> {
        at(v, &["components"])
            .as_array()
            .map(|cs| {
                cs.iter()
                    .map(|c| serde_json::json!([c["id"], c["to_weigh"]["value"]]))
                    .collect()
            })
            .unwrap_or_default()
    };
    if !same_json(&weighed(saved).into(), &weighed(&mine).into()) {
        return Err(Error::input(
            "--plan",
            "a plan whose quantities to weigh are those worked out again now",
            "a plan that differs (made by another version of stscalc?)",
        ));
    }
    Ok(())
}

/// A plan as JSON, to compare with a saved one.
pub fn plan_json<T: serde::Serialize>(plan: &T) -> Result<serde_json::Value> {
    serde_json::to_value(plan)
        .map(named)
        .map_err(|e| Error::Refused(format!("cannot write JSON: {e}")))
}

/// A plan's JSON as the saved one was written: its field markers named as flags.
fn named(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::String(s) => Value::String(super::parse::with_flags(&s)),
        Value::Array(a) => Value::Array(a.into_iter().map(named).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, named(v))).collect()),
        other => other,
    }
}
