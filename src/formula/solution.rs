//! The parts of a master formulation record that only a sterile solution has: the preparation
//! methods a pharmacist may choose (dilution of a commercial injection, or from powder), the
//! diluents and stock products they use, the beyond-use date each method earns, and the dosing
//! policy a site sets for intralesional use.
//!
//! These are optional sections of the formula file (`[solution]`, `[dosing]`); an ointment has
//! neither. Quantities are quoted strings with units, like everywhere else.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::Strength;
use crate::days::Days;
use crate::error::field::{CONTAINER, DILUENT, STOCK};
use crate::error::{Error, Result};
use crate::quantity::{Concentration, Kind, Mass, PercentKind, Volume};
use crate::substance::Form;

/// A diluent the formula allows for the dilution method.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Diluent {
    /// Id used on the command line (`--diluent`).
    pub id: String,
    /// Name for people.
    pub name: String,
    /// Why it is allowed, or what to watch (printed with the plan).
    pub note: String,
    /// Its own ideal osmolarity (`"308 mOsm/L"`, `"0 mOsm/L"`), added to the solution's in
    /// proportion to its share of the final volume. Absent: the osmolarity shown says it
    /// leaves the diluent out.
    #[serde(default)]
    pub osmolarity: Option<Milliosmolar>,
    /// Where that figure comes from (required with `osmolarity`).
    #[serde(default)]
    pub osmolarity_source: Option<String>,
}

/// An ideal osmolarity in mOsm/L, written in formula files as a quoted string with its unit
/// (`"308 mOsm/L"`), exact like every other quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Milliosmolar(Decimal);

impl Milliosmolar {
    /// `value` mOsm/L.
    pub fn new(value: Decimal) -> Self {
        Milliosmolar(value)
    }
    /// The value in mOsm/L.
    pub fn value(self) -> Decimal {
        self.0
    }
    /// Parses `308 mOsm/L` (also `308mOsm/L`); the number must not be negative.
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        let t = text.trim();
        let expected = || {
            format!(
                "expected an osmolarity such as `308 mOsm/L` (at most 12 digits before and after the point), found {}",
                crate::error::quote(t)
            )
        };
        let number = t
            .strip_suffix("mOsm/L")
            .or_else(|| t.strip_suffix("mosm/L"))
            .ok_or_else(expected)?;
        let v = crate::quantity::bounded_number(number).map_err(|_| expected())?;
        if v < Decimal::ZERO {
            return Err(expected());
        }
        Ok(Milliosmolar(v))
    }
}

impl std::fmt::Display for Milliosmolar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::quantity::format_quantity(self.0, "mOsm/L"))
    }
}

impl Serialize for Milliosmolar {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Milliosmolar", 3)?;
        st.serialize_field("value", &self.0.normalize().to_string())?;
        st.serialize_field("unit", "mOsm/L")?;
        st.serialize_field("text", &self.to_string())?;
        st.end()
    }
}

impl<'de> Deserialize<'de> for Milliosmolar {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Milliosmolar::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A commercial injection that can be diluted: its concentration, the basis that concentration
/// is stated on, and the vial size, all as printed on the product.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockProduct {
    /// Id used on the command line (`--stock`).
    pub id: String,
    /// Product name for people.
    pub name: String,
    /// Labeled concentration (`250 mg/mL` or `25 % w/v`).
    pub concentration: Strength,
    /// What the labeled concentration is stated on.
    pub basis: Form,
    /// Volume of one vial or ampoule.
    pub vial: Volume,
    /// Where these facts come from.
    pub source: String,
}

/// One way of making the solution.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MethodSpec {
    /// Equipment specific to this method.
    #[serde(default)]
    pub equipment: Vec<String>,
    /// The numbered steps of this method. Its beyond-use date comes from the formula's `[bud]`
    /// declaration and the USP rules, per method.
    pub method: Vec<String>,
}

/// A final container for the solution.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SolutionContainer {
    /// Id used on the command line (`--container`).
    pub id: String,
    /// Description.
    pub name: String,
    /// Nominal volume it holds.
    pub volume: Volume,
}

/// The `[solution]` section.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SolutionSpec {
    /// Volumes to measure are rounded to this step.
    pub measure_step: Volume,
    /// Why that step (the measuring device it corresponds to).
    pub measure_step_reason: String,
    /// Diluents allowed for the dilution method; the first is the default.
    pub diluents: Vec<Diluent>,
    /// Commercial products that may be diluted; the first is the default.
    pub stocks: Vec<StockProduct>,
    /// Final containers; the first is the default.
    pub containers: Vec<SolutionContainer>,
    /// Making it by dilution of a commercial injection.
    pub dilution: MethodSpec,
    /// Making it from powder, q.s. to volume, sterile-filtered.
    pub powder: MethodSpec,
}

/// A maximum set by local policy, with the reason it has that value.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    /// Largest volume.
    pub max_volume: Volume,
    /// Largest mass of active, on the formula's strength basis.
    pub max_mass: Mass,
    /// Why these values.
    pub reason: String,
}

/// The `[dosing]` section: what a site allows per lesion and per session, and the regimen.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DosingSpec {
    /// A statement that these are local policy values, and who sets them.
    pub policy: String,
    /// Most lesions injected in one session.
    pub max_lesions: u32,
    /// Why that number.
    pub max_lesions_reason: String,
    /// Per-lesion maximums.
    pub per_lesion: Limit,
    /// Per-session maximums.
    pub per_session: Limit,
    /// The usual interval between sessions (`--every` default), and the shortest the policy
    /// allows without `--override-reason`.
    pub interval: Days,
    /// Number of sessions in the published regimen (e.g. 4 for weekly for 4 weeks): a series
    /// of more sessions is planned with a warning. Absent: no regimen length is checked, and
    /// the series says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regimen_sessions: Option<u32>,
    /// Start of the follow-up window, counted from the last session of the series.
    pub follow_up_from: Days,
    /// End of the follow-up window, counted from the last session of the series.
    pub follow_up_to: Days,
    /// Where the regimen and follow-up come from.
    pub regimen_source: String,
}

impl SolutionSpec {
    /// The diluent with this id, or the default (first).
    pub fn diluent(&self, id: Option<&str>) -> Result<&Diluent> {
        pick(&self.diluents, id, DILUENT, |d| &d.id)
    }

    /// The stock product with this id, or the default (first).
    pub fn stock(&self, id: Option<&str>) -> Result<&StockProduct> {
        pick(&self.stocks, id, STOCK, |s| &s.id)
    }

    /// The container with this id, or the default (first).
    pub fn container(&self, id: Option<&str>) -> Result<&SolutionContainer> {
        pick(&self.containers, id, CONTAINER, |c| &c.id)
    }
}

fn pick<'a, T>(
    items: &'a [T],
    id: Option<&str>,
    field: &str,
    key: impl Fn(&T) -> &String,
) -> Result<&'a T> {
    let known = || {
        items
            .iter()
            .map(|i| format!("`{}`", key(i)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match id {
        None => items
            .first()
            .ok_or_else(|| Error::input(field, "an option listed in the formula", "none listed")),
        Some(id) => items
            .iter()
            .find(|i| key(i) == id)
            .ok_or_else(|| Error::input(field, format!("one of {}", known()), format!("`{id}`"))),
    }
}

impl Strength {
    /// The strength as a mass concentration: mg/mL as is, `% w/v` × 10 (1 g per 100 mL is
    /// 10 mg/mL). `None` for a `% w/w` or a plain `%`, which say nothing about a volume.
    pub fn concentration(&self) -> Option<Concentration> {
        match self {
            Strength::Concentration(c) => Some(*c),
            Strength::Percent(p) if p.kind() == PercentKind::WeightInVolume => {
                Some(Concentration::from_mg_per_ml(p.value() * Decimal::TEN))
            }
            Strength::Percent(_) => None,
        }
    }
}

/// Checks the solution and dosing sections; the message names the key. Returns the problem as
/// text so the caller can attach the file name.
pub(super) fn validate(solution: &SolutionSpec, dosing: Option<&DosingSpec>) -> Result<(), String> {
    let positive = |name: &str, v: Decimal, shown: String| {
        if v <= Decimal::ZERO {
            Err(format!("`{name}` must be above zero, found `{shown}`"))
        } else {
            Ok(())
        }
    };
    positive(
        "solution.measure_step",
        solution.measure_step.ml(),
        solution.measure_step.to_string(),
    )?;
    for (name, len) in [
        ("solution.diluents", solution.diluents.len()),
        ("solution.stocks", solution.stocks.len()),
        ("solution.containers", solution.containers.len()),
    ] {
        if len == 0 {
            return Err(format!("`{name}` is empty: expected at least one entry"));
        }
    }
    unique("solution.diluents", solution.diluents.iter().map(|d| &d.id))?;
    for d in &solution.diluents {
        let sourced = d
            .osmolarity_source
            .as_deref()
            .is_some_and(|s| !s.trim().is_empty());
        if d.osmolarity.is_some() && !sourced {
            return Err(format!(
                "diluent `{}` has an `osmolarity` without an `osmolarity_source`: say where the figure comes from",
                d.id
            ));
        }
    }
    unique("solution.stocks", solution.stocks.iter().map(|s| &s.id))?;
    unique(
        "solution.containers",
        solution.containers.iter().map(|c| &c.id),
    )?;
    for s in &solution.stocks {
        match s.concentration.concentration() {
            Some(c) if c.mg_per_ml() > Decimal::ZERO => {}
            _ => {
                return Err(format!(
                    "stock `{}` has concentration `{}`: expected mg/mL or % w/v above zero",
                    s.id, s.concentration
                ))
            }
        }
        positive(
            &format!("solution.stocks `{}` vial", s.id),
            s.vial.ml(),
            s.vial.to_string(),
        )?;
    }
    for c in &solution.containers {
        positive(
            &format!("solution.containers `{}` volume", c.id),
            c.volume.ml(),
            c.volume.to_string(),
        )?;
    }
    for (name, m) in [
        ("solution.dilution", &solution.dilution),
        ("solution.powder", &solution.powder),
    ] {
        if m.method.is_empty() {
            return Err(format!(
                "`{name}.method` is empty: expected the numbered steps"
            ));
        }
    }
    if let Some(d) = dosing {
        if d.max_lesions == 0 {
            return Err("`dosing.max_lesions` must be at least 1".into());
        }
        for (name, l) in [
            ("dosing.per_lesion", &d.per_lesion),
            ("dosing.per_session", &d.per_session),
        ] {
            positive(
                &format!("{name}.max_volume"),
                l.max_volume.amount(),
                l.max_volume.to_string(),
            )?;
            positive(
                &format!("{name}.max_mass"),
                l.max_mass.amount(),
                l.max_mass.to_string(),
            )?;
        }
        if d.regimen_sessions == Some(0) {
            return Err(
                "`dosing.regimen_sessions` is 0: expected the number of sessions of the regimen, 1 or more".into(),
            );
        }
        if d.follow_up_from > d.follow_up_to {
            return Err(format!(
                "`dosing.follow_up_from` {} is after `dosing.follow_up_to` {}",
                d.follow_up_from, d.follow_up_to
            ));
        }
    }
    Ok(())
}

fn unique<'a>(name: &str, ids: impl Iterator<Item = &'a String>) -> Result<(), String> {
    let mut seen = BTreeSet::new();
    for id in ids {
        if !seen.insert(id) {
            return Err(format!("`{name}` lists the id `{id}` twice"));
        }
    }
    Ok(())
}
