//! The small readers of option and field values that several requests share: user text, batch
//! sizes, overages and doses given per application. Each returns a typed value or an error that
//! names the field, what was expected and what was found.

use rust_decimal::Decimal;

use crate::error::{Error, Result};
use crate::plan::solution::VolumeOverage;
use crate::plan::supply::PerApplication;
use crate::plan::{BatchSize, Overage};
use crate::quantity::{parse_positive, Mass, Quantity};

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

/// Parses `4x30g` (also `4 x 30 g`, `4×30g`) for the `--containers` option.
pub fn containers(text: &str) -> Result<BatchSize> {
    let field = "--containers";
    let expected = "a count and a fill such as `4x30g`";
    let found = format!("`{}`", text.trim());
    let (count, fill) = text
        .split_once(['x', 'X', '×'])
        .ok_or_else(|| Error::input(field, expected, found.clone()))?;
    let count: i64 = count
        .trim()
        .parse()
        .map_err(|_| Error::input(field, expected, found.clone()))?;
    if count <= 0 || count > 100_000 {
        return Err(Error::input(
            field,
            "a container count from 1 to 100,000 (as in `4x30g`)",
            found,
        ));
    }
    let fill: Mass = parse_positive(field, fill)?;
    Ok(BatchSize::Containers {
        count: count as u32,
        fill,
    })
}

/// Parses `10%` or `5g` for `--overage`; 0 to 100 % or a non-negative mass.
pub fn overage(text: &str) -> Result<Overage> {
    use crate::quantity::Quantity;
    let field = "--overage";
    let expected = "a percentage from 0 % to 100 % such as `10%`, or a mass such as `5g`";
    let found = format!("`{}`", text.trim());
    match text.parse::<Quantity>() {
        Ok(Quantity::Percent(p))
            if p.value() >= Decimal::ZERO && p.value() <= Decimal::ONE_HUNDRED =>
        {
            Ok(Overage::Percent(p))
        }
        Ok(Quantity::Mass(m)) if m.g() >= Decimal::ZERO => Ok(Overage::Amount(m)),
        _ => Err(Error::input(field, expected, found)),
    }
}

/// Parses `10%` or `1mL` for `--overage`; 0 to 100 % or a non-negative volume.
pub fn volume_overage(text: &str) -> Result<VolumeOverage> {
    let found = format!("`{}`", text.trim());
    match text.parse::<Quantity>() {
        Ok(Quantity::Percent(p))
            if p.value() >= Decimal::ZERO && p.value() <= Decimal::ONE_HUNDRED =>
        {
            Ok(VolumeOverage::Percent(p))
        }
        Ok(Quantity::Volume(v)) if v.ml() >= Decimal::ZERO => Ok(VolumeOverage::Amount(v)),
        _ => Err(Error::input(
            "--overage",
            "a percentage from 0 % to 100 % such as `10%`, or a volume such as `1mL`, for a solution",
            found,
        )),
    }
}

/// Parses `2g` or `4FTU` (also `4 FTU`, `0.5 ftu`) for `--per-application`.
pub fn per_application(text: &str) -> Result<PerApplication> {
    let field = "--per-application";
    let t = text.trim();
    let lower = t.to_ascii_lowercase();
    if let Some(number) = lower.strip_suffix("ftu") {
        let expected = "a mass such as `2g` or fingertip units such as `4FTU`, above zero";
        let count = crate::quantity::bounded_number(number)
            .map_err(|_| Error::input(field, expected, crate::error::quote(t)))?;
        if count <= Decimal::ZERO {
            return Err(Error::input(field, expected, crate::error::quote(t)));
        }
        return Ok(PerApplication::Ftu { count });
    }
    let mass: Mass = parse_positive(field, t).map_err(|e| match e {
        Error::Input { found, .. } => Error::input(
            field,
            "a mass such as `2g` or fingertip units such as `4FTU`, above zero",
            found,
        ),
        other => other,
    })?;
    Ok(PerApplication::Mass { mass })
}
