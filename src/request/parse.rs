//! The small readers of option and field values that several requests share: user text, batch
//! sizes, overages and doses given per application. Each returns a typed value or an error that
//! names the field, what was expected and what was found.

use chrono::{NaiveDate, NaiveTime};
use rust_decimal::Decimal;

use crate::error::{Error, Result};
use crate::plan::solution::VolumeOverage;
use crate::plan::supply::PerApplication;
use crate::plan::{BatchSize, Overage};
use crate::quantity::{format_number, parse_positive, Concentration, Mass, Quantity, Volume};
use crate::substance::Form;

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

/// Parses `2g` or `4FTU` (also `4 FTU`, `0.5 ftu`) for `--per-application`. An amount above
/// zero but below the smallest one accepted (more decimal places than any quantity may have)
/// is refused as such, not as "not above zero".
pub fn per_application(text: &str) -> Result<PerApplication> {
    let field = "--per-application";
    let t = text.trim();
    let lower = t.to_ascii_lowercase();
    let expected = "a mass such as `2g` or fingertip units such as `4FTU`, above zero";
    let tiny = |number: &str| {
        below_smallest(number).then(|| {
            Error::input(
                field,
                format!(
                    "a mass such as `2g` or fingertip units such as `4FTU`, of at least {} (the smallest amount accepted: {} decimal places)",
                    smallest(),
                    crate::quantity::MAX_DECIMALS
                ),
                format!("{}, below the smallest accepted amount", crate::error::quote(t)),
            )
        })
    };
    if let Some(number) = lower.strip_suffix("ftu") {
        if let Some(e) = tiny(number) {
            return Err(e);
        }
        let count = crate::quantity::bounded_number(number).map_err(|e| {
            let found = match e {
                crate::quantity::ParseError::BadNumber(hint) => {
                    format!("{} ({hint})", crate::error::quote(t))
                }
                _ => crate::error::quote(t),
            };
            Error::input(field, expected, found)
        })?;
        if count <= Decimal::ZERO {
            return Err(Error::input(field, expected, crate::error::quote(t)));
        }
        return Ok(PerApplication::Ftu { count });
    }
    let number = lower.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == ' ');
    if let Some(e) = tiny(number) {
        return Err(e);
    }
    let mass: Mass = parse_positive(field, t).map_err(|e| match e {
        Error::Input { found, .. } => Error::input(field, expected, found),
        other => other,
    })?;
    Ok(PerApplication::Mass { mass })
}

/// The smallest amount any quantity may state: one unit in its last accepted decimal place.
fn smallest() -> Decimal {
    Decimal::new(1, crate::quantity::MAX_DECIMALS)
}

/// Whether `number` is above zero but below [`smallest`] (`0.0000000000000000000000000001`).
fn below_smallest(number: &str) -> bool {
    number
        .trim()
        .parse::<Decimal>()
        .is_ok_and(|v| v > Decimal::ZERO && v < smallest())
}

/// Parses a salt form option (`pentahydrate` or `anhydrous`) for `field`.
pub fn parse_form(field: &str, text: &str) -> Result<Form> {
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

/// Parses a count option from `min` to `max` for `field`. `what` names what is counted in the
/// message (`a whole number of lesions from 1 to 1000`); without it the message gives the
/// range with thousands separators (`a whole number from 0 to 1,000`, or `… of 0 or more`
/// when there is no maximum).
pub fn count(field: &str, text: &str, min: u32, max: u32, what: Option<&str>) -> Result<u32> {
    let n = |x: u32| format_number(Decimal::from(x));
    let expected = match what {
        Some(what) => format!("a whole number of {what} from {min} to {max}"),
        None if max == u32::MAX => format!("a whole number of {} or more", n(min)),
        None => format!("a whole number from {} to {}", n(min), n(max)),
    };
    let found = format!("`{}`", text.trim());
    let value: i128 = text
        .trim()
        .parse()
        .map_err(|_| Error::input(field, expected.clone(), found.clone()))?;
    if value < i128::from(min) || value > i128::from(max) {
        return Err(Error::input(field, expected, found));
    }
    Ok(value as u32)
}

/// Parses a date `YYYY-MM-DD` for `field` with the one date parser ([`crate::bud::parse_date`]).
pub fn date(field: &str, text: &str) -> Result<NaiveDate> {
    crate::bud::parse_date(field, text, text.trim())
}

/// Parses a 24-hour time `HH:MM` for `field`.
pub fn parse_clock(field: &str, text: &str) -> Result<NaiveTime> {
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

/// The first option of `options` that was given, as (name, value).
pub fn first_given<'a>(options: &[(&'a str, Option<&'a str>)]) -> Option<(&'a str, &'a str)> {
    options
        .iter()
        .find_map(|(name, value)| value.map(|v| (*name, v)))
}

/// The command line's name for a request field the calculations refer to
/// ([`crate::error::field`]): `measure_step` is `--measure-step`.
pub fn flag(key: &str) -> String {
    format!("--{}", key.replace('_', "-"))
}

/// `text` with the calculations' field markers named as command-line flags.
pub fn with_flags(text: &str) -> String {
    crate::error::name_fields(text, flag)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Every field a calculation names is an option of the command line, under the name
    /// [`flag`] gives it: the names cannot drift apart.
    #[test]
    fn every_field_the_calculations_name_is_a_command_line_option() {
        fn longs(cmd: &clap::Command, out: &mut Vec<String>) {
            out.extend(
                cmd.get_arguments()
                    .filter_map(|a| a.get_long().map(str::to_string)),
            );
            for sub in cmd.get_subcommands() {
                longs(sub, out);
            }
        }
        let mut options = Vec::new();
        longs(&crate::cli::Cli::command(), &mut options);
        for marker in crate::error::field::ALL {
            let named = with_flags(marker);
            assert!(named.starts_with("--"), "{marker} is not named: {named}");
            assert!(
                options.contains(&named[2..].to_string()),
                "no option {named}"
            );
        }
    }

    #[test]
    fn markers_are_named_and_other_text_is_left_alone() {
        assert_eq!(
            with_flags("give ‹override_reason› \"...\" or leave out ‹fill_across›"),
            "give --override-reason \"...\" or leave out --fill-across"
        );
        assert_eq!(with_flags("‹not_a_field› ‹ › ‹"), "‹not_a_field› ‹ › ‹");
    }
}
