//! One module per subcommand: each reads its options into a request, calls the pure planners
//! in [`crate::plan`], builds what people read ([`crate::sheets`], [`crate::labels`]), renders it
//! ([`crate::render`]) and hands the bytes to [`crate::output`], the one writer. [`run`] only
//! loads the catalog and dispatches.
//!
//! The small option parsers several commands share are here for now (issue 10 moves them to the
//! request layer).

use std::path::Path;

use chrono::{NaiveDate, NaiveTime};
use rust_decimal::Decimal;

use crate::cli::{Cli, Command};
use crate::error::{Error, Result};
use crate::formula::Catalog;
use crate::quantity::{format_number, parse_positive, Concentration, Quantity, Volume};
pub(crate) use crate::request::parse::{facility, optional_text};
use crate::substance::Form;

pub mod batch;
pub mod completions;
pub mod formulas;
pub mod labels;
pub mod session;
pub mod session_sheet;
pub mod supply;
pub mod templates;
pub mod verify;

/// Runs one command.
pub fn run(cli: Cli) -> Result<()> {
    let templates: Option<&Path> = cli.templates.as_deref();
    match cli.command {
        Command::Completions { shell } => completions::run(shell),
        Command::Formulas { format } => {
            formulas::list(&Catalog::load(cli.formulas.as_deref())?, format)
        }
        Command::Show { id, format } => {
            formulas::show(&Catalog::load(cli.formulas.as_deref())?, &id, format)
        }
        Command::Batch(args) => {
            batch::run(&Catalog::load(cli.formulas.as_deref())?, *args, templates)
        }
        Command::Verify(args) => {
            verify::run(&Catalog::load(cli.formulas.as_deref())?, *args, templates)
        }
        Command::Session(args) => {
            session::run(&Catalog::load(cli.formulas.as_deref())?, &args, templates)
        }
        Command::Supply(args) => supply::run(&Catalog::load(cli.formulas.as_deref())?, &args),
        Command::Labels(args) => {
            labels::run(&Catalog::load(cli.formulas.as_deref())?, &args, templates)
        }
        Command::SessionSheet(args) => session_sheet::run(&args, templates),
        Command::Templates { dir, force } => templates::run(&dir, force),
    }
}

/// Parses a salt form option (`pentahydrate` or `anhydrous`) for `field`.
pub(crate) fn parse_form(field: &str, text: &str) -> Result<Form> {
    text.parse::<Form>()
        .map_err(|_| Error::input(field, "`pentahydrate` or `anhydrous`", format!("`{text}`")))
}

/// Parses a solution strength or stock concentration: mg/mL or % w/v, above zero. A plain `%`
/// is refused as ambiguous and a `% w/w` as meaningless for a solution.
pub fn parse_concentration(field: &str, text: &str) -> Result<Concentration> {
    let expected = "a concentration such as `150 mg/mL` or `15 % w/v`, above zero";
    let found = format!("`{}`", text.trim());
    let c = match text.parse::<Quantity>() {
        Ok(Quantity::Concentration(c)) => c,
        Ok(Quantity::Percent(p)) => match p.kind() {
            crate::quantity::PercentKind::WeightInVolume => {
                Concentration::from_mg_per_ml(p.value() * rust_decimal::Decimal::TEN)
            }
            crate::quantity::PercentKind::WeightInWeight => {
                return Err(Error::input(
                    field,
                    expected,
                    format!("{found} (a % w/w is for ointments; a solution is w/v)"),
                ))
            }
            crate::quantity::PercentKind::Plain => {
                return Err(Error::input(
                    field,
                    expected,
                    format!("{found} (write `% w/v` or mg/mL: a plain % does not say w/v)"),
                ))
            }
        },
        _ => return parse_positive::<Concentration>(field, text),
    };
    if c.mg_per_ml() <= rust_decimal::Decimal::ZERO {
        return Err(Error::input(field, expected, found));
    }
    Ok(c)
}

/// Parses a volume lost (`--vial-residual`, `--filter-hold-up`): 0 mL or more, at most 10 mL
/// (more is a typo, not a vial or a filter).
pub fn parse_loss(field: &str, text: &str) -> Result<Volume> {
    let expected = "a volume from 0 mL to 10 mL, e.g. `0.1mL`";
    match text.parse::<Quantity>() {
        Ok(Quantity::Volume(v))
            if v.ml() >= rust_decimal::Decimal::ZERO && v.ml() <= rust_decimal::Decimal::TEN =>
        {
            Ok(v)
        }
        _ => Err(Error::input(field, expected, format!("`{}`", text.trim()))),
    }
}

pub(crate) fn parse_count(field: &str, text: &str, what: &str, max: u32) -> Result<u32> {
    let expected = format!("a whole number of {what} from 1 to {max}");
    let n: i64 = text
        .trim()
        .parse()
        .map_err(|_| Error::input(field, expected.clone(), format!("`{}`", text.trim())))?;
    if n < 1 || n > i64::from(max) {
        return Err(Error::input(field, expected, format!("`{}`", text.trim())));
    }
    Ok(n as u32)
}

/// Parses a count option (`--copies 2`, `--skip 3`) from `min` to `max`.
pub(crate) fn count(field: &str, text: &str, min: u32, max: u32) -> Result<u32> {
    let n = |x: u32| format_number(Decimal::from(x));
    let expected = if max == u32::MAX {
        format!("a whole number of {} or more", n(min))
    } else {
        format!("a whole number from {} to {}", n(min), n(max))
    };
    let found = format!("`{}`", text.trim());
    let value: u64 = text
        .trim()
        .parse()
        .map_err(|_| Error::input(field, expected.clone(), found.clone()))?;
    if value < u64::from(min) || value > u64::from(max) {
        return Err(Error::input(field, expected, found));
    }
    Ok(value as u32)
}

pub(crate) fn parse_date(text: &str) -> Result<String> {
    parse_day(text).map(|d| d.format("%Y-%m-%d").to_string())
}

pub(crate) fn parse_day(text: &str) -> Result<NaiveDate> {
    crate::bud::parse_date("--date", text, text.trim())
}

/// Parses a 24-hour time `HH:MM` for `field`.
pub(crate) fn parse_clock(field: &str, text: &str) -> Result<NaiveTime> {
    let t = text.trim();
    let shaped = t.len() == 5 && t.as_bytes()[2] == b':';
    match NaiveTime::parse_from_str(t, "%H:%M") {
        Ok(time) if shaped => Ok(time),
        _ => Err(Error::input(
            field,
            "a 24-hour time `HH:MM` such as `09:30`",
            format!("`{t}`"),
        )),
    }
}
