//! How the session and series plans write counts, masses and percentages for people, and the
//! serializers that put the same text in their JSON.

use rust_decimal::Decimal;
use serde::ser::SerializeStruct;

use super::solution::concentration_text;
use crate::quantity::{format_calculated, Concentration, Mass};

/// Writes a mass in milligrams, with grams beside it from 1,000 mg up.
pub fn mass_text(m: Mass) -> String {
    let mg = format_calculated(m.mg(), "mg", 2);
    if m.g() >= Decimal::ONE {
        format!("{mg} ({})", format_calculated(m.g(), "g", 4))
    } else {
        mg
    }
}

/// Serializes a mass as every quantity is (the exact value in g and its unit) but with the
/// text the session prints ([`mass_text`]), so that the JSON and the text read the same.
pub fn serialize_mass_as_printed<S: serde::Serializer>(
    m: &Mass,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    serialize_mass_with_text(m, &mass_text(*m), s)
}

/// [`serialize_mass_as_printed`] for a mass that may be absent (`null`).
pub fn serialize_optional_mass_as_printed<S: serde::Serializer>(
    m: &Option<Mass>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match m {
        Some(m) => serialize_mass_as_printed(m, s),
        None => s.serialize_none(),
    }
}

/// Serializes a concentration as every quantity is, with the text the session prints
/// ([`concentration_text`]: two decimals, `≈` when cut).
pub fn serialize_concentration_as_printed<S: serde::Serializer>(
    c: &Concentration,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    let mut st = s.serialize_struct("Concentration", 3)?;
    st.serialize_field("value", &c.mg_per_ml().normalize().to_string())?;
    st.serialize_field("unit", "mg/mL")?;
    st.serialize_field("text", &concentration_text(*c))?;
    st.end()
}

/// Serializes a mass with the given text (see [`serialize_mass_as_printed`]).
pub fn serialize_mass_with_text<S: serde::Serializer>(
    m: &Mass,
    text: &str,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    let mut st = s.serialize_struct("Mass", 3)?;
    st.serialize_field("value", &m.g().normalize().to_string())?;
    st.serialize_field("unit", "g")?;
    st.serialize_field("text", text)?;
    st.end()
}

/// `n` and the word, singular for 1 (`1 syringe`, `3 syringes`), with thousands separators.
pub fn count_text(n: u64, singular: &str, plural: &str) -> String {
    let word = if n == 1 { singular } else { plural };
    format!("{} {word}", crate::quantity::format_number(n.into()))
}

/// A change as a signed percentage, `+4 %` or `≈ -33.33 %` (two decimals at most).
pub fn signed_percent(p: Decimal) -> String {
    let sign = if p < Decimal::ZERO { "-" } else { "+" };
    let t = format_calculated(p.abs(), "%", 2);
    match t.strip_prefix("≈ ") {
        Some(rest) => format!("≈ {sign}{rest}"),
        None => format!("{sign}{t}"),
    }
}
