//! Whole-day durations: treatment intervals (`--every 7d`), beyond-use dates of a solution
//! (`--solution-bud 4d`) and follow-up windows (`"12 weeks"` in a formula file).
//!
//! Days are counted, never measured, so they are plain integers; a week is exactly 7 days.
//! Months are deliberately not accepted here: their length varies, and where stscalc needs a
//! month (topical supply) it uses a length written in a data file and prints it.

use std::fmt;

use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A whole number of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Days(u32);

/// The longest duration accepted (about 27 years), so date arithmetic can never overflow.
const MAX_DAYS: u32 = 10_000;

impl Days {
    /// `n` days.
    pub fn new(n: u32) -> Self {
        Days(n)
    }

    /// The number of days.
    pub fn get(self) -> u32 {
        self.0
    }

    /// As a chrono duration, for date arithmetic.
    pub fn duration(self) -> chrono::Duration {
        chrono::Duration::days(i64::from(self.0))
    }

    /// Parses `7d`, `7 d`, `7 days`, `1w`, `2 weeks` for the named field. Zero, negative and
    /// fractional values are refused with a one-line error.
    pub fn parse(field: &str, text: &str) -> Result<Days> {
        let expected = "a whole number of days or weeks above zero, such as `7d` or `2w`";
        let found = format!("`{}`", text.trim());
        let t = text.trim();
        let end = t
            .char_indices()
            .find(|(_, c)| !(c.is_ascii_digit() || matches!(c, '-' | '+' | '.')))
            .map_or(t.len(), |(i, _)| i);
        let (number, unit) = t.split_at(end);
        let factor: u32 = match unit.trim().to_ascii_lowercase().as_str() {
            "d" | "day" | "days" => 1,
            "w" | "wk" | "week" | "weeks" => 7,
            "" => return Err(Error::input(field, expected, format!("{found} (no unit)"))),
            "m" | "mo" | "month" | "months" => {
                return Err(Error::input(
                    field,
                    expected,
                    format!("{found} (months vary in length: give days or weeks)"),
                ))
            }
            u => {
                return Err(Error::input(
                    field,
                    expected,
                    format!("{found} (unknown unit `{u}`)"),
                ))
            }
        };
        let n: i64 = number
            .parse()
            .map_err(|_| Error::input(field, expected, found.clone()))?;
        if n <= 0 {
            return Err(Error::input(field, expected, found));
        }
        let days = u32::try_from(n)
            .ok()
            .and_then(|n| n.checked_mul(factor))
            .filter(|d| *d <= MAX_DAYS)
            .ok_or_else(|| {
                Error::input(
                    field,
                    format!(
                        "at most {} days",
                        crate::quantity::format_number(MAX_DAYS.into())
                    ),
                    found.clone(),
                )
            })?;
        Ok(Days(days))
    }
}

impl fmt::Display for Days {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = crate::quantity::format_number(self.0.into());
        if self.0 == 1 {
            write!(f, "{n} day")
        } else {
            write!(f, "{n} days")
        }
    }
}

impl Serialize for Days {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Days", 3)?;
        st.serialize_field("value", &self.0.to_string())?;
        st.serialize_field("unit", "days")?;
        st.serialize_field("text", &self.to_string())?;
        st.end()
    }
}

impl<'de> Deserialize<'de> for Days {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Days::parse("value", &text).map_err(|e| match e {
            Error::Input {
                expected, found, ..
            } => serde::de::Error::custom(format!("expected {expected}, found {found}")),
            other => serde::de::Error::custom(other.to_string()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_days_and_weeks() {
        assert_eq!(Days::parse("--every", "7d").unwrap(), Days(7));
        assert_eq!(Days::parse("--every", "7 days").unwrap(), Days(7));
        assert_eq!(Days::parse("--every", "2w").unwrap(), Days(14));
        assert_eq!(Days::parse("--every", "12 weeks").unwrap(), Days(84));
        assert_eq!(Days(1).to_string(), "1 day");
    }

    #[test]
    fn refuses_zero_negative_fractions_and_months() {
        for bad in [
            "0d",
            "-7d",
            "1.5d",
            "7",
            "1 month",
            "7 fortnights",
            "d",
            "99999w",
        ] {
            let e = Days::parse("--every", bad).unwrap_err().to_string();
            assert!(e.starts_with("`--every`: expected"), "{bad}: {e}");
        }
    }
}
