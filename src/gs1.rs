//! GS1 element strings for the application identifiers stscalc uses, exactly as the GS1 General
//! Specifications define them.
//!
//! | AI     | meaning                     | format (GS1 General Specifications §3)              |
//! |--------|-----------------------------|-----------------------------------------------------|
//! | `(01)` | GTIN                        | 14 digits, the last a mod-10 check digit            |
//! | `(17)` | expiry date                 | 6 digits YYMMDD; DD `00` means the end of the month |
//! | `(10)` | batch/lot                   | 1 to 20 characters of GS1 character set 82          |
//! | `(21)` | serial number               | 1 to 20 characters of set 82                        |
//! | `(91)`–`(99)` | company internal     | 1 to 90 characters of set 82                        |
//!
//! [`Gs1Data`] is the typed content; [`Gs1Data::element_string`] builds what a GS1 DataMatrix
//! carries after its leading FNC1 (the predefined-length AIs (01) and (17) first, so that only
//! variable-length ones need a separator, and a group separator GS, 0x1D, after each
//! variable-length element that is not last); [`Gs1Data::human_readable`] builds the text
//! printed beside the symbol, `(01)…(17)…(10)…`. [`Gs1Data::parse`] reads what a scanner types
//! (GS separators, an optional symbology identifier `]d2`, `]C1` or `]Q3`) or the human-readable
//! form with parentheses.
//!
//! ```
//! use rust_decimal::Decimal;
//! use stscalc::barcode::{self, SymbolShape};
//! use stscalc::gs1::{Gs1Data, Gs1Date};
//!
//! let bud = chrono::NaiveDate::from_ymd_opt(2027, 1, 31).unwrap();
//! let data = Gs1Data {
//!     expiry: Some(Gs1Date::from_date(bud)),
//!     lot: Some("2612-0042".into()),
//!     internal_91: Some("sts-25-zinc-oxide".into()),
//!     ..Gs1Data::default()
//! };
//! // (17) has a predefined length; a GS ends the lot because (91) follows.
//! assert_eq!(data.element_string().unwrap(), "17270131102612-0042\u{1d}91sts-25-zinc-oxide");
//! assert_eq!(data.human_readable().unwrap(), "(17)270131(10)2612-0042(91)sts-25-zinc-oxide");
//! let symbol = barcode::encode(&data, SymbolShape::Square).unwrap();
//! let svg = symbol.svg(Decimal::new(3, 1), 1).unwrap(); // 0.3 mm modules
//! assert!(svg.starts_with("<svg"));
//!
//! // What a scanner types from a commercial vial, read back.
//! let vial = Gs1Data::parse("]d201095060001343521727113010L2345A", 2026).unwrap();
//! assert_eq!(vial.lot.as_deref(), Some("L2345A"));
//! assert_eq!(vial.expiry.unwrap().last_day().to_string(), "2027-11-30");
//! ```
//!
//! Every error is one line naming the element, what was expected and what was found; control
//! characters in echoed input are escaped (GS shows as `<GS>`) and long input is cut.
//!
//! Choices where the specification leaves room for the user of this module:
//! - An expiry in the typed data is a full date ([`Gs1Date`]); the element string keeps only
//!   YYMMDD, and [`Gs1Data::parse`] puts the century back with the GS1 rule (§7.12), relative to
//!   a reference year the caller passes (normally this year).
//! - A beyond-use date with a time (an hours-long BUD) encodes as YYMMDD of the BUD's date
//!   ([`Gs1Date::from_bud`]): AI (17) has no time, and rounding down to the day before would
//!   make a same-day preparation scan as expired. The hour stays in the label's printed text.
//! - The parser tolerates what scanners add and the specification does not forbid a reader to
//!   ignore: a trailing CR/LF, a leading GS (an FNC1 sent as GS), a GS after a predefined-length
//!   element or at the very end. It never guesses a missing separator: a variable-length value
//!   that runs past its maximum length is an error that says a GS may be missing.
//! - In the human-readable form a value ends where the next `(NN)` begins; a lot that itself
//!   contains `(` digits `)` cannot be told apart there and must be scanned from the symbol.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{Datelike, NaiveDate, NaiveDateTime};

/// The group separator (ASCII 29) that ends a variable-length element in a transmitted string.
pub const GS: char = '\u{1d}';

/// Symbology identifiers (ISO/IEC 15424) of GS1 symbols a scanner may prefix:
/// GS1 DataMatrix, GS1-128 and GS1 QR Code.
pub const GS1_SYMBOLOGY_IDENTIFIERS: [&str; 3] = ["]d2", "]C1", "]Q3"];

/// Longest part of the input echoed back in an error message, in characters.
const ECHO_MAX: usize = 40;

/// An application identifier this module knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ai {
    /// (01) GTIN, 14 digits.
    Gtin,
    /// (17) expiry date YYMMDD.
    Expiry,
    /// (10) batch or lot number.
    Lot,
    /// (21) serial number.
    Serial,
    /// (91)–(99) company internal information; the number is 91 to 99.
    Internal(u8),
}

impl Ai {
    /// The two digits of the identifier, e.g. `"01"`.
    pub fn code(self) -> String {
        match self {
            Ai::Gtin => "01".into(),
            Ai::Expiry => "17".into(),
            Ai::Lot => "10".into(),
            Ai::Serial => "21".into(),
            Ai::Internal(n) => n.to_string(),
        }
    }

    /// What the element means, as an error message names it.
    pub fn name(self) -> &'static str {
        match self {
            Ai::Gtin => "GTIN",
            Ai::Expiry => "expiry date",
            Ai::Lot => "batch/lot",
            Ai::Serial => "serial number",
            Ai::Internal(_) => "company internal",
        }
    }

    /// The fixed length of the data field, for the predefined-length identifiers.
    pub fn fixed_len(self) -> Option<usize> {
        match self {
            Ai::Gtin => Some(14),
            Ai::Expiry => Some(6),
            _ => None,
        }
    }

    /// The longest data field allowed.
    pub fn max_len(self) -> usize {
        match self {
            Ai::Gtin => 14,
            Ai::Expiry => 6,
            Ai::Lot | Ai::Serial => 20,
            Ai::Internal(_) => 90,
        }
    }

    fn from_code(code: &str) -> Option<Ai> {
        match code {
            "01" => Some(Ai::Gtin),
            "17" => Some(Ai::Expiry),
            "10" => Some(Ai::Lot),
            "21" => Some(Ai::Serial),
            _ => match code.parse::<u8>() {
                Ok(n @ 91..=99) if code.len() == 2 => Some(Ai::Internal(n)),
                _ => None,
            },
        }
    }
}

impl fmt::Display for Ai {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({})", self.code())
    }
}

/// Why a GS1 string or value cannot be used. Each displays as one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Gs1Error {
    /// Nothing to encode or nothing scanned.
    #[error("GS1 element string: expected at least one element (01), (17), (10), (21) or (91)–(99), found nothing")]
    Empty,
    /// A `]xx` prefix that is not a GS1 symbology.
    #[error("GS1 symbology identifier: expected `]d2`, `]C1` or `]Q3`, found `{found}`")]
    Symbology {
        /// The identifier found, escaped.
        found: String,
    },
    /// Something other than a known application identifier where one must start.
    #[error("GS1 application identifier at character {position}: expected (01), (10), (17), (21) or (91)–(99), found `{found}`")]
    UnknownAi {
        /// 1-based character position in the input.
        position: usize,
        /// What stands there, escaped and cut.
        found: String,
    },
    /// A key of [`Gs1Data::internal_other`] outside 92–99.
    #[error("GS1 company internal: expected an identifier 92 to 99 in `internal_other` ((91) has its own field), found {key}")]
    InternalKey {
        /// The key given.
        key: u8,
    },
    /// The same identifier twice.
    #[error("GS1 `{ai}` {name}: expected once, found twice")]
    Duplicate {
        /// The identifier, e.g. `(10)`.
        ai: String,
        /// Its meaning.
        name: &'static str,
    },
    /// A GTIN that is not 14 digits (or 8, 12 or 13 to be padded).
    #[error("GS1 `(01)` GTIN: expected 14 digits (or a GTIN-8, -12 or -13), found `{found}`")]
    GtinFormat {
        /// The value, escaped and cut.
        found: String,
    },
    /// A GTIN whose last digit is not its mod-10 check digit.
    #[error("GS1 `(01)` GTIN: expected check digit {expected}, found {found} in `{gtin}`")]
    GtinCheckDigit {
        /// The 14 digits given.
        gtin: String,
        /// The check digit the first 13 digits call for.
        expected: u8,
        /// The last digit given.
        found: u8,
    },
    /// An expiry that is not a YYMMDD date.
    #[error("GS1 `(17)` expiry date: expected YYMMDD (DD 00 = end of month), found `{found}` ({reason})")]
    Date {
        /// The value, escaped and cut.
        found: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A fixed-length element cut short by the end of the string or a separator.
    #[error(
        "GS1 `{ai}` {name}: expected {expected} characters, found `{found}` ({len}) before {cut}"
    )]
    Truncated {
        /// The identifier.
        ai: String,
        /// Its meaning.
        name: &'static str,
        /// The fixed length.
        expected: usize,
        /// What was there, escaped and cut.
        found: String,
        /// How many characters were there.
        len: usize,
        /// What ended it: `the end` or `a separator`.
        cut: &'static str,
    },
    /// A variable-length value that is empty or too long.
    #[error("GS1 `{ai}` {name}: expected 1 to {max} characters, found {len} in `{found}`{hint}")]
    Length {
        /// The identifier.
        ai: String,
        /// Its meaning.
        name: &'static str,
        /// The maximum length.
        max: usize,
        /// The length found.
        len: usize,
        /// The value, escaped and cut.
        found: String,
        /// A hint when a missing separator is the likely cause.
        hint: &'static str,
    },
    /// A character outside GS1 character set 82.
    #[error("GS1 `{ai}` {name}: expected characters of GS1 set 82 (A–Z a–z 0–9 and !\"%&'()*+,-./:;<=>?_), found `{found}` at character {position} of `{value}`")]
    Character {
        /// The identifier.
        ai: String,
        /// Its meaning.
        name: &'static str,
        /// The character, escaped.
        found: String,
        /// 1-based position in the value.
        position: usize,
        /// The value, escaped and cut.
        value: String,
    },
}

/// A GTIN-14 whose check digit has been verified.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Gtin(String);

impl Gtin {
    /// Reads a GTIN of 14 digits, or a GTIN-8, -12 or -13 that is padded with leading zeros to
    /// 14 digits as AI (01) requires; the check digit must be right.
    pub fn new(digits: &str) -> Result<Gtin, Gs1Error> {
        let format = || Gs1Error::GtinFormat {
            found: echo(digits),
        };
        if !digits.bytes().all(|b| b.is_ascii_digit()) || ![8, 12, 13, 14].contains(&digits.len()) {
            return Err(format());
        }
        let gtin = format!("{digits:0>14}");
        let expected = Gtin::check_digit(&gtin[..13]).ok_or_else(format)?;
        let found = gtin.as_bytes()[13] - b'0';
        if expected != found {
            return Err(Gs1Error::GtinCheckDigit {
                gtin,
                expected,
                found,
            });
        }
        Ok(Gtin(gtin))
    }

    /// The GS1 mod-10 check digit of the digits before it: from the right, weights 3, 1, 3, …;
    /// the check digit brings the weighted sum up to a multiple of ten. `None` unless all
    /// characters are digits and there is at least one.
    pub fn check_digit(digits: &str) -> Option<u8> {
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let sum: u32 = digits
            .bytes()
            .rev()
            .enumerate()
            .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
            .sum();
        Some(((10 - sum % 10) % 10) as u8)
    }

    /// The 14 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Gtin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An expiry date as AI (17) carries it: a calendar date, or a month with day `00` meaning
/// "until the end of that month".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Gs1Date {
    year: i32,
    month: u32,
    /// 1–31, or 0 for the end of the month.
    day: u32,
}

impl Gs1Date {
    /// An exact calendar date.
    pub fn from_date(date: NaiveDate) -> Gs1Date {
        Gs1Date {
            year: date.year(),
            month: date.month(),
            day: date.day(),
        }
    }

    /// A beyond-use date with a time encodes as its date: AI (17) has no hours (see the
    /// module documentation for why not the day before).
    pub fn from_bud(bud: NaiveDateTime) -> Gs1Date {
        Gs1Date::from_date(bud.date())
    }

    /// "Until the end of `month`/`year`", written with day `00`.
    pub fn end_of_month(year: i32, month: u32) -> Result<Gs1Date, Gs1Error> {
        Gs1Date::new(year, month, 0)
    }

    /// A date from its parts; `day` 0 means the end of the month.
    pub fn new(year: i32, month: u32, day: u32) -> Result<Gs1Date, Gs1Error> {
        let found = format!("{:02}{month:02}{day:02}", year.rem_euclid(100));
        let bad = |reason: String| Gs1Error::Date {
            found: echo(&found),
            reason,
        };
        if !(1..=12).contains(&month) {
            return Err(bad(format!("month {month} is not 01 to 12")));
        }
        if !(1000..=9999).contains(&year) {
            return Err(bad(format!("year {year} is not a four-digit year")));
        }
        if day != 0 && NaiveDate::from_ymd_opt(year, month, day).is_none() {
            return Err(bad(format!("{year}-{month:02} has no day {day}")));
        }
        Ok(Gs1Date { year, month, day })
    }

    /// Reads YYMMDD, putting the century back by the GS1 rule (General Specifications §7.12):
    /// a year 51 to 99 years after `reference_year` within its century belongs to the century
    /// before, one 50 to 99 years before it to the century after.
    pub fn from_yymmdd(text: &str, reference_year: i32) -> Result<Gs1Date, Gs1Error> {
        if text.len() != 6 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Gs1Error::Date {
                found: echo(text),
                reason: "six digits needed".into(),
            });
        }
        let number = |range: std::ops::Range<usize>| text[range].parse::<u32>().unwrap_or(0);
        let (yy, month, day) = (number(0..2) as i32, number(2..4), number(4..6));
        let current = reference_year.rem_euclid(100);
        let century = reference_year - current;
        let year = match yy - current {
            51..=99 => century - 100 + yy,
            -99..=-50 => century + 100 + yy,
            _ => century + yy,
        };
        Gs1Date::new(year, month, day).map_err(|error| match error {
            Gs1Error::Date { reason, .. } => Gs1Error::Date {
                found: echo(text),
                reason,
            },
            other => other,
        })
    }

    /// The four-digit year.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The month, 1–12.
    pub fn month(&self) -> u32 {
        self.month
    }

    /// The day, 1–31, or `None` for "end of the month" (DD `00`).
    pub fn day(&self) -> Option<u32> {
        (self.day != 0).then_some(self.day)
    }

    /// The last day the product may be used: the date itself, or the last day of the month
    /// for DD `00`.
    pub fn last_day(&self) -> NaiveDate {
        if self.day != 0 {
            return NaiveDate::from_ymd_opt(self.year, self.month, self.day)
                .expect("checked when built");
        }
        (28..=31)
            .rev()
            .find_map(|day| NaiveDate::from_ymd_opt(self.year, self.month, day))
            .expect("every month has a 28th")
    }

    /// The six digits YYMMDD.
    pub fn yymmdd(&self) -> String {
        format!(
            "{:02}{:02}{:02}",
            self.year.rem_euclid(100),
            self.month,
            self.day
        )
    }
}

/// What a GS1 barcode of stscalc carries, or what was read from a commercial one.
///
/// All fields are optional; at least one must be present to build an element string.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Gs1Data {
    /// (01) the product's GTIN, where a site sets one.
    pub gtin: Option<Gtin>,
    /// (17) expiry date (for a compounded preparation, its beyond-use date).
    pub expiry: Option<Gs1Date>,
    /// (10) batch/lot number.
    pub lot: Option<String>,
    /// (21) serial number (commercial packs).
    pub serial: Option<String>,
    /// (91) company internal information: stscalc writes the formula id here.
    pub internal_91: Option<String>,
    /// (92)–(99) other company internal information read from a scanned pack, keyed by AI.
    pub internal_other: BTreeMap<u8, String>,
}

impl Gs1Data {
    /// The elements in the order they are encoded: the predefined-length (01) and (17) first,
    /// so that only variable-length ones need a separator, then (10), (21), (91)–(99).
    fn elements(&self) -> Vec<(Ai, String)> {
        let mut elements = Vec::new();
        if let Some(gtin) = &self.gtin {
            elements.push((Ai::Gtin, gtin.as_str().to_string()));
        }
        if let Some(expiry) = &self.expiry {
            elements.push((Ai::Expiry, expiry.yymmdd()));
        }
        let texts = [
            (Ai::Lot, &self.lot),
            (Ai::Serial, &self.serial),
            (Ai::Internal(91), &self.internal_91),
        ];
        for (ai, value) in texts {
            if let Some(value) = value {
                elements.push((ai, value.clone()));
            }
        }
        for (ai, value) in &self.internal_other {
            elements.push((Ai::Internal(*ai), value.clone()));
        }
        elements
    }

    /// Checks every value: at least one element, set 82 and lengths of the variable-length
    /// ones, identifiers 92–99 in `internal_other`.
    pub fn validate(&self) -> Result<(), Gs1Error> {
        let elements = self.elements();
        if elements.is_empty() {
            return Err(Gs1Error::Empty);
        }
        if let Some(&key) = self.internal_other.keys().find(|k| !(92..=99).contains(*k)) {
            return Err(Gs1Error::InternalKey { key });
        }
        for (ai, value) in &elements {
            if ai.fixed_len().is_none() {
                check_text(*ai, value, "")?;
            }
        }
        Ok(())
    }

    /// The element string a GS1 DataMatrix encodes after its leading FNC1, with a GS (0x1D)
    /// after each variable-length element that is not the last one.
    pub fn element_string(&self) -> Result<String, Gs1Error> {
        self.validate()?;
        let elements = self.elements();
        let last = elements.len() - 1;
        let mut out = String::new();
        for (i, (ai, value)) in elements.into_iter().enumerate() {
            out.push_str(&ai.code());
            out.push_str(&value);
            if ai.fixed_len().is_none() && i != last {
                out.push(GS);
            }
        }
        Ok(out)
    }

    /// The human-readable interpretation printed beside the symbol, e.g.
    /// `(01)09506000134352(17)201225(10)ABC123`, in the element string's order.
    pub fn human_readable(&self) -> Result<String, Gs1Error> {
        self.validate()?;
        Ok(self
            .elements()
            .into_iter()
            .map(|(ai, value)| format!("{ai}{value}"))
            .collect())
    }

    /// Reads what a scanner types from a GS1 symbol, or the human-readable form.
    ///
    /// Accepted: an optional symbology identifier `]d2`, `]C1` or `]Q3`; then either element
    /// strings separated by GS (0x1D) where a variable-length one ends, or `(AI)value` pairs.
    /// `reference_year` (normally this year) puts the century back on the expiry date.
    pub fn parse(input: &str, reference_year: i32) -> Result<Gs1Data, Gs1Error> {
        let scanner_noise = |c| c == '\r' || c == '\n' || c == ' ';
        let mut body = input.trim_matches(scanner_noise);
        // Positions in messages count characters of the input as given.
        let mut offset = input.chars().take_while(|&c| scanner_noise(c)).count();
        if body.starts_with(']') {
            let id: String = body.chars().take(3).collect();
            if !GS1_SYMBOLOGY_IDENTIFIERS.contains(&id.as_str()) {
                return Err(Gs1Error::Symbology { found: echo(&id) });
            }
            body = &body[3..];
            offset += 3;
        }
        if let Some(rest) = body.strip_prefix(GS) {
            body = rest;
            offset += 1;
        }
        if body.is_empty() {
            return Err(Gs1Error::Empty);
        }
        let elements = if body.starts_with('(') {
            split_human_readable(body, offset)?
        } else {
            split_transmitted(body, offset)?
        };
        let mut data = Gs1Data::default();
        let mut seen = Vec::new();
        for (ai, value) in elements {
            if seen.contains(&ai) {
                return Err(Gs1Error::Duplicate {
                    ai: ai.to_string(),
                    name: ai.name(),
                });
            }
            seen.push(ai);
            match ai {
                Ai::Gtin => {
                    if value.len() != 14 {
                        return Err(Gs1Error::GtinFormat { found: echo(value) });
                    }
                    data.gtin = Some(Gtin::new(value)?);
                }
                Ai::Expiry => data.expiry = Some(Gs1Date::from_yymmdd(value, reference_year)?),
                Ai::Lot => data.lot = Some(value.to_string()),
                Ai::Serial => data.serial = Some(value.to_string()),
                Ai::Internal(91) => data.internal_91 = Some(value.to_string()),
                Ai::Internal(n) => {
                    data.internal_other.insert(n, value.to_string());
                }
            }
        }
        data.validate()?;
        Ok(data)
    }
}

/// Splits a transmitted string (GS separators, no parentheses) into elements.
fn split_transmitted(body: &str, offset: usize) -> Result<Vec<(Ai, &str)>, Gs1Error> {
    let mut elements = Vec::new();
    let mut at = 0;
    while at < body.len() {
        let rest = &body[at..];
        let code = rest.get(..2).unwrap_or(rest);
        let ai = Ai::from_code(code).ok_or_else(|| Gs1Error::UnknownAi {
            position: offset + body[..at].chars().count() + 1,
            found: echo_start(rest, 6),
        })?;
        let data = &rest[2..];
        let (value, used) = match ai.fixed_len() {
            Some(n) => {
                let field = &data[..data.find(GS).unwrap_or(data.len())];
                if field.chars().count() < n {
                    return Err(Gs1Error::Truncated {
                        ai: ai.to_string(),
                        name: ai.name(),
                        expected: n,
                        found: echo(field),
                        len: field.chars().count(),
                        cut: if field.len() == data.len() {
                            "the end"
                        } else {
                            "a separator"
                        },
                    });
                }
                // Byte index after the first n characters (a bad value may hold any character).
                let end = field.char_indices().nth(n).map_or(field.len(), |(i, _)| i);
                // A GS after a predefined-length element is not needed, but harmless.
                let used = end + usize::from(data[end..].starts_with(GS));
                (&data[..end], used)
            }
            None => {
                let end = data.find(GS).unwrap_or(data.len());
                check_text(
                    ai,
                    &data[..end],
                    " (is the group separator GS after it missing?)",
                )?;
                (&data[..end], end + usize::from(end < data.len()))
            }
        };
        elements.push((ai, value));
        at += 2 + used;
    }
    Ok(elements)
}

/// Splits the human-readable form `(AI)value(AI)value…` into elements.
fn split_human_readable(body: &str, offset: usize) -> Result<Vec<(Ai, &str)>, Gs1Error> {
    // Where each `(NN)` that could start an element begins, with its length.
    let starts: Vec<(usize, usize)> = body
        .char_indices()
        .filter(|&(_, c)| c == '(')
        .filter_map(|(i, _)| {
            let close = body[i + 1..].find(')')?;
            let digits = &body[i + 1..i + 1 + close];
            ((2..=4).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()))
                .then_some((i, close + 2))
        })
        .collect();
    if starts.first().map(|s| s.0) != Some(0) {
        return Err(Gs1Error::UnknownAi {
            position: offset + 1,
            found: echo_start(body, 6),
        });
    }
    let mut elements = Vec::new();
    for (k, &(start, len)) in starts.iter().enumerate() {
        let code = &body[start + 1..start + len - 1];
        let ai = Ai::from_code(code).ok_or_else(|| Gs1Error::UnknownAi {
            position: offset + body[..start].chars().count() + 1,
            found: echo(&body[start..start + len]),
        })?;
        let end = starts.get(k + 1).map_or(body.len(), |s| s.0);
        let value = body[start + len..end].trim_matches(' ');
        if let Some(n) = ai.fixed_len() {
            if value.chars().count() != n {
                return Err(match ai {
                    Ai::Gtin => Gs1Error::GtinFormat { found: echo(value) },
                    _ => Gs1Error::Date {
                        found: echo(value),
                        reason: "six digits needed".into(),
                    },
                });
            }
        } else {
            check_text(ai, value, "")?;
        }
        elements.push((ai, value));
    }
    Ok(elements)
}

/// Checks a variable-length value: 1 to the maximum length, characters of set 82.
fn check_text(ai: Ai, value: &str, too_long_hint: &'static str) -> Result<(), Gs1Error> {
    let len = value.chars().count();
    if len == 0 || len > ai.max_len() {
        return Err(Gs1Error::Length {
            ai: ai.to_string(),
            name: ai.name(),
            max: ai.max_len(),
            len,
            found: echo(value),
            hint: if len > ai.max_len() {
                too_long_hint
            } else {
                ""
            },
        });
    }
    if let Some((i, c)) = value.chars().enumerate().find(|&(_, c)| !is_set_82(c)) {
        return Err(Gs1Error::Character {
            ai: ai.to_string(),
            name: ai.name(),
            found: echo(&c.to_string()),
            position: i + 1,
            value: echo(value),
        });
    }
    Ok(())
}

/// GS1 AI encodable character set 82 (General Specifications, figure 7.11-1).
pub fn is_set_82(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!\"%&'()*+,-./:;<=>?_".contains(c)
}

/// The first `n` characters of `text` as [`echo`] shows them, with `…` if there is more.
fn echo_start(text: &str, n: usize) -> String {
    let start: String = text.chars().take(n).collect();
    let more = if start.len() < text.len() { "…" } else { "" };
    format!("{}{more}", echo(&start))
}

/// Input as an error message shows it: GS as `<GS>`, other control characters escaped, at
/// most [`ECHO_MAX`] characters.
pub fn escape_for_message(text: &str) -> String {
    echo(text)
}

/// See [`escape_for_message`].
fn echo(text: &str) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == ECHO_MAX {
            out.push('…');
            break;
        }
        match c {
            GS => out.push_str("<GS>"),
            '`' => out.push_str("\\`"),
            // Only what cannot hide or reorder text is shown as it is.
            c if c == ' ' || c.is_ascii_graphic() || (!c.is_ascii() && c.is_alphanumeric()) => {
                out.push(c)
            }
            c => out.extend(c.escape_default()),
        }
    }
    out
}
