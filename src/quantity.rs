//! Exact quantities with units, their parsing and the one safe way to write them.
//!
//! Every amount is a [`rust_decimal::Decimal`]; conversions between units multiply or divide by
//! powers of ten and are therefore exact. Parsing accepts what people type (`100g`, `100 g`,
//! `0.2mL`, `150 mg/mL`, `25%`, `25 % w/w`); writing goes through [`format_quantity`] so that
//! every number a person reads has a leading zero, no trailing zero, thousands separators, `mL`
//! and a space before the unit (Joint Commission "Do Not Use" list, ISMP).

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Writes a number the safe way: leading zero, no trailing zero, thousands separators from
/// 1,000 up. This is the only place numbers are turned into text for people.
pub fn format_number(value: Decimal) -> String {
    let value = value.normalize();
    let text = value.abs().to_string();
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text.as_str(), None),
    };
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 && int.len() >= 4 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let int = if grouped.is_empty() {
        "0".into()
    } else {
        grouped
    };
    let sign = if value.is_sign_negative() && !value.is_zero() {
        "-"
    } else {
        ""
    };
    match frac {
        Some(f) => format!("{sign}{int}.{f}"),
        None => format!("{sign}{int}"),
    }
}

/// Writes a number with its unit: `format_quantity(0.5, "mL")` is `0.5 mL`.
pub fn format_quantity(value: Decimal, unit: &str) -> String {
    format!("{} {}", format_number(value), unit)
}

/// Writes a calculated value that may carry many digits: exact when it has at most `places`
/// decimals, otherwise rounded half away from zero to `places` and marked with `≈` so the
/// reader knows it was rounded for display only.
pub fn format_calculated(value: Decimal, unit: &str, places: u32) -> String {
    let rounded = value.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    if rounded == value {
        format_quantity(value, unit)
    } else {
        format!("≈ {}", format_quantity(rounded, unit))
    }
}

/// A mass, held in grams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Mass(Decimal);

/// A volume, held in millilitres.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Volume(Decimal);

/// A mass concentration, held in milligrams per millilitre (equal to grams per litre).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Concentration(Decimal);

/// What a percentage is a percentage of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PercentKind {
    /// No qualifier was written (`25 %`); the context decides.
    #[default]
    Plain,
    /// Grams per 100 g.
    WeightInWeight,
    /// Grams per 100 mL.
    WeightInVolume,
}

/// A percentage, e.g. `25 % w/w`. The number is the percentage itself (25, not 0.25).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Percent {
    value: Decimal,
    kind: PercentKind,
}

impl Mass {
    /// A mass of `g` grams.
    pub fn from_g(g: Decimal) -> Self {
        Mass(g)
    }
    /// A mass of `mg` milligrams.
    pub fn from_mg(mg: Decimal) -> Self {
        Mass(mg / Decimal::ONE_THOUSAND)
    }
    /// The mass in grams.
    pub fn g(self) -> Decimal {
        self.0
    }
    /// The mass in milligrams.
    pub fn mg(self) -> Decimal {
        self.0 * Decimal::ONE_THOUSAND
    }
    /// Written in milligrams, e.g. `360 mg`.
    pub fn display_mg(self) -> String {
        format_quantity(self.mg(), "mg")
    }
    /// Written in grams, marked `≈` when more than `places` decimals were cut for display.
    pub fn display_calculated(self, places: u32) -> String {
        format_calculated(self.0, "g", places)
    }
}

impl Volume {
    /// A volume of `ml` millilitres.
    pub fn from_ml(ml: Decimal) -> Self {
        Volume(ml)
    }
    /// The volume in millilitres.
    pub fn ml(self) -> Decimal {
        self.0
    }
}

impl Concentration {
    /// A concentration of `mg_per_ml` mg/mL.
    pub fn from_mg_per_ml(mg_per_ml: Decimal) -> Self {
        Concentration(mg_per_ml)
    }
    /// The concentration in mg/mL.
    pub fn mg_per_ml(self) -> Decimal {
        self.0
    }
}

impl Percent {
    /// A percentage of `value` (25 for 25 %) of the given kind.
    pub fn new(value: Decimal, kind: PercentKind) -> Self {
        Percent { value, kind }
    }
    /// The percentage as written (25 for 25 %).
    pub fn value(self) -> Decimal {
        self.value
    }
    /// The fraction (0.25 for 25 %).
    pub fn fraction(self) -> Decimal {
        self.value / Decimal::ONE_HUNDRED
    }
    /// What it is a percentage of.
    pub fn kind(self) -> PercentKind {
        self.kind
    }
    /// The same number as a w/w percentage (a plain `25 %` given for an ointment).
    pub fn as_kind(self, kind: PercentKind) -> Self {
        Percent { kind, ..self }
    }
    fn unit(self) -> &'static str {
        match self.kind {
            PercentKind::Plain => "%",
            PercentKind::WeightInWeight => "% w/w",
            PercentKind::WeightInVolume => "% w/v",
        }
    }
}

impl fmt::Display for Mass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_calculated(self.0, "g", DISPLAY_PLACES))
    }
}
impl fmt::Display for Volume {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_calculated(self.0, "mL", DISPLAY_PLACES))
    }
}
impl fmt::Display for Concentration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_calculated(self.0, "mg/mL", DISPLAY_PLACES))
    }
}
impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_calculated(self.value, self.unit(), DISPLAY_PLACES))
    }
}

/// Decimal places a quantity shows before it is rounded for display and marked `≈`. A
/// calculated value such as 25 × 158.11 / 248.19 g has 28 digits; people read six at most,
/// and the exact value stays in the JSON `value`.
pub const DISPLAY_PLACES: u32 = 6;

/// Any parsed quantity, before the caller says which kind it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    /// A mass.
    Mass(Mass),
    /// A volume.
    Volume(Volume),
    /// A mass concentration.
    Concentration(Concentration),
    /// A percentage.
    Percent(Percent),
}

impl Quantity {
    fn kind_name(&self) -> &'static str {
        match self {
            Quantity::Mass(_) => "a mass",
            Quantity::Volume(_) => "a volume",
            Quantity::Concentration(_) => "a concentration",
            Quantity::Percent(_) => "a percentage",
        }
    }
}

/// Why a text is not a quantity; [`parse_field`] turns it into an [`Error::Input`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// Nothing, or no number, was written.
    NoNumber,
    /// The number is not a plain decimal (e.g. `1,5`, `1e3`).
    BadNumber(String),
    /// The number is above the input bound ([`MAX_INPUT`], in the unit written or in g, mL or
    /// mg/mL).
    TooLarge,
    /// The quantity has more than [`MAX_DECIMALS`] decimals once in g, mL or mg/mL.
    TooSmall,
    /// The unit is not one stscalc knows.
    UnknownUnit(String),
}

/// Parses the number at the start of `text` and its unit.
fn split_number(text: &str) -> std::result::Result<(Decimal, &str), ParseError> {
    let text = text.trim();
    let end = text
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | ',' | '_')))
        .map(|(i, _)| i)
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(end);
    if number.is_empty() || !number.chars().any(|c| c.is_ascii_digit()) {
        return Err(ParseError::NoNumber);
    }
    if number.contains(',') || number.contains('_') {
        return Err(ParseError::BadNumber(
            "write a decimal point and no separators, e.g. `1000.5`".into(),
        ));
    }
    if unit.starts_with(['e', 'E']) && unit[1..].starts_with(|c: char| c.is_ascii_digit()) {
        return Err(ParseError::BadNumber("write the number in full".into()));
    }
    let value = bounded_number(number)?;
    Ok((value, unit.trim()))
}

/// Parses a plain decimal number (`158.11`, `-0.5`) within the input bounds: at most
/// [`MAX_INPUT`] in size and [`MAX_DECIMALS`] decimal places. Every number stscalc reads, from
/// the command line or any file, goes through here, which is what keeps all later arithmetic
/// far inside `Decimal`'s 28 digits.
pub fn bounded_number(number: &str) -> std::result::Result<Decimal, ParseError> {
    let number = number.trim();
    if number.is_empty() || !number.chars().any(|c| c.is_ascii_digit()) {
        return Err(ParseError::NoNumber);
    }
    if number.contains(',') || number.contains('_') {
        return Err(ParseError::BadNumber(
            "write a decimal point and no separators, e.g. `1000.5`".into(),
        ));
    }
    if !number
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+'))
    {
        return Err(ParseError::BadNumber("write a plain decimal number".into()));
    }
    // Leading zeros and the sign do not count towards the size; a longer number is too large
    // before `Decimal` is even asked (it would fail on 29 digits with a less useful message).
    let digits = number.trim_start_matches(['-', '+']);
    let int_part = digits
        .split('.')
        .next()
        .unwrap_or("")
        .trim_start_matches('0');
    if int_part.len() > 13 {
        return Err(ParseError::TooLarge);
    }
    let frac_len = digits.split_once('.').map_or(0, |(_, f)| f.len());
    if frac_len > MAX_DECIMALS as usize {
        return Err(ParseError::BadNumber(format!(
            "at most {MAX_DECIMALS} decimal places"
        )));
    }
    let value = Decimal::from_str_exact(number).map_err(|e| {
        let msg = e.to_string();
        if msg.contains("large") || msg.contains("overflow") || msg.contains("scale") {
            ParseError::TooLarge
        } else {
            ParseError::BadNumber("write a plain decimal number".into())
        }
    })?;
    // Bounds far beyond any compounding quantity keep every later product and quotient well
    // inside Decimal's 28 digits, so arithmetic on parsed input can never overflow.
    if value.abs() > Decimal::from(MAX_INPUT) {
        return Err(ParseError::TooLarge);
    }
    Ok(value)
}

/// [`bounded_number`] for a named field, with the one-line error every input gets: the field,
/// what was expected and what was found (escaped and cut, see [`crate::error::quote`]).
pub fn parse_number(field: &str, text: &str) -> Result<Decimal> {
    bounded_number(text).map_err(|e| {
        let found = crate::error::quote(text.trim());
        let found = match e {
            ParseError::TooLarge => format!(
                "{found} (too large: at most {})",
                format_number(Decimal::from(MAX_INPUT))
            ),
            ParseError::BadNumber(hint) => format!("{found} ({hint})"),
            _ => found,
        };
        Error::input(field, "a plain decimal number such as `158.11`", found)
    })
}

/// The largest number accepted in any quantity, in the unit it is written in.
pub const MAX_INPUT: i64 = 1_000_000_000_000;
/// The most decimal places accepted in any quantity.
pub const MAX_DECIMALS: u32 = 12;

impl FromStr for Quantity {
    type Err = ParseError;

    fn from_str(text: &str) -> std::result::Result<Self, ParseError> {
        let (v, unit) = split_number(text)?;
        let compact: String = unit.chars().filter(|c| !c.is_whitespace()).collect();
        let mass = |factor: Decimal| Quantity::Mass(Mass(v * factor));
        let conc = |factor: Decimal| Quantity::Concentration(Concentration(v * factor));
        let thousand = Decimal::ONE_THOUSAND;
        let q = match compact.as_str() {
            "mcg" => mass(Decimal::ONE / thousand / thousand),
            "mg" => mass(Decimal::ONE / thousand),
            "g" => mass(Decimal::ONE),
            "kg" => mass(thousand),
            "mL" | "ml" => Quantity::Volume(Volume(v)),
            "L" | "l" => Quantity::Volume(Volume(v * thousand)),
            "mg/mL" | "mg/ml" | "g/L" | "g/l" => conc(Decimal::ONE),
            "g/mL" | "g/ml" => conc(thousand),
            "mcg/mL" | "mcg/ml" => conc(Decimal::ONE / thousand),
            "%" => Quantity::Percent(Percent::new(v, PercentKind::Plain)),
            "%w/w" | "%m/m" => Quantity::Percent(Percent::new(v, PercentKind::WeightInWeight)),
            "%w/v" | "%m/v" => Quantity::Percent(Percent::new(v, PercentKind::WeightInVolume)),
            _ => return Err(ParseError::UnknownUnit(unit.to_string())),
        };
        // The bounds hold in the unit stscalc computes in too (g, mL, mg/mL): `10^12 kg` or
        // `10^-12 mcg` would otherwise reach 10^15 g or 10^-18 g, and the ratio of two such
        // numbers overflows an exact decimal.
        let base = match q {
            Quantity::Mass(m) => m.0,
            Quantity::Volume(v) => v.0,
            Quantity::Concentration(c) => c.0,
            Quantity::Percent(p) => p.value,
        };
        if base.abs() > Decimal::from(MAX_INPUT) {
            return Err(ParseError::TooLarge);
        }
        if base.normalize().scale() > MAX_DECIMALS {
            return Err(ParseError::TooSmall);
        }
        Ok(q)
    }
}

/// A kind of quantity that can be asked for by name in a field.
pub trait Kind: Sized {
    /// How to describe a valid value, e.g. "a mass such as `100 g` (mg, g, kg)".
    const EXPECTED: &'static str;
    /// Takes the quantity if it is of this kind.
    fn take(q: Quantity) -> Option<Self>;
    /// The number in the kind's base unit, for range checks.
    fn amount(&self) -> Decimal;
    /// The unit that number is in, as written (`g`, `mL`, `mg/mL`, `% w/w`).
    fn unit_text(&self) -> &'static str;
}

impl Kind for Mass {
    const EXPECTED: &'static str = "a mass such as `100 g` (mcg, mg, g, kg)";
    fn take(q: Quantity) -> Option<Self> {
        match q {
            Quantity::Mass(m) => Some(m),
            _ => None,
        }
    }
    fn amount(&self) -> Decimal {
        self.0
    }
    fn unit_text(&self) -> &'static str {
        "g"
    }
}
impl Kind for Volume {
    const EXPECTED: &'static str = "a volume such as `0.2 mL` (mL, L)";
    fn take(q: Quantity) -> Option<Self> {
        match q {
            Quantity::Volume(v) => Some(v),
            _ => None,
        }
    }
    fn amount(&self) -> Decimal {
        self.0
    }
    fn unit_text(&self) -> &'static str {
        "mL"
    }
}
impl Kind for Concentration {
    const EXPECTED: &'static str = "a concentration such as `150 mg/mL` (mg/mL, g/L, g/mL)";
    fn take(q: Quantity) -> Option<Self> {
        match q {
            Quantity::Concentration(c) => Some(c),
            _ => None,
        }
    }
    fn amount(&self) -> Decimal {
        self.0
    }
    fn unit_text(&self) -> &'static str {
        "mg/mL"
    }
}
impl Kind for Percent {
    const EXPECTED: &'static str = "a percentage such as `25 %`";
    fn take(q: Quantity) -> Option<Self> {
        match q {
            Quantity::Percent(p) => Some(p),
            _ => None,
        }
    }
    fn amount(&self) -> Decimal {
        self.value
    }
    fn unit_text(&self) -> &'static str {
        self.unit()
    }
}

/// Parses `text` as a quantity of kind `T` for the named field, with a one-line error that
/// names the field, what was expected and what was found.
pub fn parse_field<T: Kind>(field: &str, text: &str) -> Result<T> {
    let found = crate::error::quote(text.trim());
    let q: Quantity = text.parse().map_err(|e| {
        let found = match e {
            ParseError::NoNumber => format!("{found} (no number)"),
            ParseError::BadNumber(hint) => format!("{found} ({hint})"),
            ParseError::TooLarge => format!(
                "{found} (too large: at most {} in the unit written and in g, mL or mg/mL)",
                format_number(Decimal::from(MAX_INPUT))
            ),
            ParseError::TooSmall => format!(
                "{found} (too fine: at most {MAX_DECIMALS} decimals once in g, mL or mg/mL)"
            ),
            ParseError::UnknownUnit(u) if u.is_empty() => format!("{found} (no unit)"),
            ParseError::UnknownUnit(u) if u == "cc" => format!("{found} (write `mL`, not `cc`)"),
            ParseError::UnknownUnit(u) if u == "µg" || u == "ug" => {
                format!("{found} (write `mcg`)")
            }
            ParseError::UnknownUnit(u) => {
                format!("{found} (unknown unit {})", crate::error::quote(&u))
            }
        };
        Error::input(field, T::EXPECTED, found)
    })?;
    let kind = q.kind_name();
    T::take(q).ok_or_else(|| Error::input(field, T::EXPECTED, format!("{kind} {found}")))
}

/// Like [`parse_field`] but also requires the value to be greater than zero.
pub fn parse_positive<T: Kind>(field: &str, text: &str) -> Result<T> {
    let q: T = parse_field(field, text)?;
    if q.amount() <= Decimal::ZERO {
        return Err(Error::input(
            field,
            format!("{} greater than zero", T::EXPECTED),
            crate::error::quote(text.trim()),
        ));
    }
    Ok(q)
}

// Serialization: every quantity is an object with the exact value as a string (no float ever
// reaches JSON), its unit, and the safe text a person reads: the same text the sheets print,
// because both come from the quantity's `Display` (or [`Shown`]'s).
fn serialize_with_text<S: serde::Serializer>(
    name: &'static str,
    value: Decimal,
    unit: &str,
    text: &str,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    let mut st = s.serialize_struct(name, 3)?;
    st.serialize_field("value", &value.normalize().to_string())?;
    st.serialize_field("unit", unit)?;
    st.serialize_field("text", text)?;
    st.end()
}

macro_rules! serialize_quantity {
    ($ty:ident) => {
        impl Serialize for $ty {
            fn serialize<S: serde::Serializer>(
                &self,
                s: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                serialize_with_text(
                    stringify!($ty),
                    self.amount(),
                    self.unit_text(),
                    &self.to_string(),
                    s,
                )
            }
        }
    };
}
serialize_quantity!(Mass);
serialize_quantity!(Volume);
serialize_quantity!(Concentration);
serialize_quantity!(Percent);

/// A calculated quantity together with the decimal places people read it to, e.g. a strength
/// from rounded weights shown to 0.0001 %. Its `Display` and its JSON `text` are the one text
/// of it ([`format_calculated`]: exact when it fits, else rounded and marked `≈`), so a sheet
/// and the JSON cannot disagree; the JSON `value` stays exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shown<T> {
    quantity: T,
    places: u32,
}

impl<T: Kind + Copy> Shown<T> {
    /// `quantity`, read to `places` decimals.
    pub fn new(quantity: T, places: u32) -> Self {
        Shown { quantity, places }
    }
    /// The exact quantity.
    pub fn get(self) -> T {
        self.quantity
    }
}

impl<T: Kind> fmt::Display for Shown<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_calculated(
            self.quantity.amount(),
            self.quantity.unit_text(),
            self.places,
        ))
    }
}

impl<T: Kind> Serialize for Shown<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        serialize_with_text(
            "Shown",
            self.quantity.amount(),
            self.quantity.unit_text(),
            &self.to_string(),
            s,
        )
    }
}

/// Deserializes a quantity written as a string with a unit. A TOML or JSON number is refused
/// because TOML floats are lossy; the message says how to write it.
struct QuantityVisitor<T>(std::marker::PhantomData<T>);

impl<T: Kind> serde::de::Visitor<'_> for QuantityVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "{} written as a quoted string with its unit (TOML numbers lose digits)",
            T::EXPECTED
        )
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<T, E> {
        parse_field::<T>("value", v).map_err(|e| match e {
            Error::Input {
                expected, found, ..
            } => E::custom(format!("expected {expected}, found {found}")),
            other => E::custom(other.to_string()),
        })
    }
}

macro_rules! deserialize_quantity {
    ($ty:ty) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(
                d: D,
            ) -> std::result::Result<Self, D::Error> {
                d.deserialize_any(QuantityVisitor::<$ty>(std::marker::PhantomData))
            }
        }
    };
}
deserialize_quantity!(Mass);
deserialize_quantity!(Volume);
deserialize_quantity!(Concentration);
deserialize_quantity!(Percent);

/// Serde helper for a bare exact number written as a string (`"158.11"`), for fields such as
/// molar masses that carry their unit in the key name. Numbers are refused as lossy.
pub fn exact_decimal<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Decimal, D::Error> {
    struct V;
    impl serde::de::Visitor<'_> for V {
        type Value = Decimal;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an exact number written as a quoted string, e.g. \"158.11\" (TOML numbers lose digits)")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Decimal, E> {
            parse_number("value", v).map_err(|e| match e {
                Error::Input {
                    expected, found, ..
                } => E::custom(format!("expected {expected}, found {found}")),
                other => E::custom(other.to_string()),
            })
        }
    }
    d.deserialize_any(V)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros_free::dec;

    mod rust_decimal_macros_free {
        /// Tiny local stand-in for the `dec!` macro so tests need no extra crate.
        macro_rules! dec {
            ($s:literal) => {
                rust_decimal::Decimal::from_str_exact(stringify!($s)).unwrap()
            };
        }
        pub(crate) use dec;
    }

    #[test]
    fn safe_numbers() {
        assert_eq!(format_number(dec!(0.50)), "0.5");
        assert_eq!(format_number(dec!(5.0)), "5");
        assert_eq!(format_number(dec!(10000)), "10,000");
        assert_eq!(format_number(dec!(1234567.250)), "1,234,567.25");
        assert_eq!(format_number(dec!(999)), "999");
        assert_eq!(format_number(dec!(-0.5)), "-0.5");
        assert_eq!(format_quantity(dec!(0.20), "mL"), "0.2 mL");
    }

    #[test]
    fn parses_what_people_type() {
        let m: Mass = parse_field("q", "100g").unwrap();
        assert_eq!(m.g(), dec!(100));
        let m: Mass = parse_field("q", "250 mg").unwrap();
        assert_eq!(m.g(), dec!(0.25));
        let v: Volume = parse_field("q", "0.2mL").unwrap();
        assert_eq!(v.ml(), dec!(0.2));
        let c: Concentration = parse_field("q", "150 mg/mL").unwrap();
        assert_eq!(c.mg_per_ml(), dec!(150));
        let p: Percent = parse_field("q", "25%").unwrap();
        assert_eq!(p.value(), dec!(25));
        let p: Percent = parse_field("q", "25 % w/w").unwrap();
        assert_eq!(p.kind(), PercentKind::WeightInWeight);
        assert_eq!(p.to_string(), "25 % w/w");
    }

    #[test]
    fn refuses_wrong_kind_and_units() {
        let e = parse_field::<Mass>("--quantity", "0.2 mL").unwrap_err();
        assert!(e.to_string().contains("found a volume `0.2 mL`"), "{e}");
        let e = parse_field::<Volume>("--v", "2 cc").unwrap_err();
        assert!(e.to_string().contains("write `mL`"), "{e}");
        let e = parse_positive::<Mass>("--quantity", "-5 g").unwrap_err();
        assert!(e.to_string().contains("greater than zero"), "{e}");
        let e = parse_field::<Mass>("--q", "99999999999999999999999999999999 g").unwrap_err();
        assert!(e.to_string().contains("too large"), "{e}");
    }
}
