//! The batch request beyond the file: the formula asked for, the record's request (lot, date,
//! storage, facility, component lots) and the weights measured (`--actual`, `--addition`).

use chrono::{NaiveDateTime, Timelike};

use crate::bud::{self, CompoundedAt, DayCount, Storage};
use crate::cli::{BatchArgs, RecordArgs};
use crate::error::{Error, Result};
use crate::plan::record::{check_lot, ComponentLotInput, RecordRequest};
use crate::plan::verify::Actual;
use crate::quantity::{parse_positive, Mass};

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
        facility: super::parse::facility(facility)?,
    })
}

/// The additions after the first weighings: the file's, then `--addition` options, in order.
pub fn additions(file: Vec<Actual>, options: &[String]) -> Result<Vec<Actual>> {
    let mut all = file;
    for a in options {
        all.push(parse_addition(a)?);
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

/// Parses `ID=MASS` (`sts=25.5g`) for `--actual`; the mass must be above zero.
pub fn parse_actual(field: &str, text: &str) -> Result<Actual> {
    let t = text.trim();
    let (id, mass) = t
        .split_once('=')
        .ok_or_else(|| Error::input(field, "`ID=MASS`, e.g. `sts=25.5g`", format!("`{t}`")))?;
    actual(field, id, mass)
}

/// Builds an [`Actual`] from an id and a mass text (the request file's `actual` table).
pub fn actual(field: &str, id: &str, mass: &str) -> Result<Actual> {
    let id = id.trim();
    let mass: Mass = parse_positive(&format!("{field} {id}"), mass)?;
    Ok(Actual {
        id: id.to_string(),
        mass,
        field: field.to_string(),
    })
}

/// Parses `ID=MASS` for `--addition`: an amount added after the first weighings, in the order
/// given (the same component may be added more than once).
pub fn parse_addition(text: &str) -> Result<Actual> {
    parse_actual("--addition", text)
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
