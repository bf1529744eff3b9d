//! Master formulation records: the TOML schema, loading, validation and the catalog of embedded
//! and user formulas.
//!
//! The shipped formulas live in `formulas/*.toml` and are embedded in the binary; a user's folder
//! (`--formulas DIR`) adds to or overrides them by id. Every quantity in a file is a quoted string
//! with its unit; a number, an unknown key or a missing field is an error naming the file, the
//! line and the fix. The schema is documented in `formulas/README.md`.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::data::{file_error, from_toml, FileKind};
use crate::error::field::{CONTAINER, METHOD};
use crate::error::{Error, Result};
use crate::quantity::{Concentration, Kind, Mass, Percent, PercentKind, Quantity};
use crate::substance::Form;

mod excipient;
pub mod solution;
mod tolerance;

pub use excipient::{Amount, Constituent, Excipient, MadeTo, Role};

pub use solution::{DosingSpec, SolutionSpec};
pub use tolerance::{Rescue, Tolerance};

/// The formulas shipped in the binary: (file name, contents).
pub const EMBEDDED: &[(&str, &str)] = &[
    (
        "sts-20-petrolatum.toml",
        include_str!("../../formulas/sts-20-petrolatum.toml"),
    ),
    (
        "sts-25-petrolatum.toml",
        include_str!("../../formulas/sts-25-petrolatum.toml"),
    ),
    (
        "sts-25-zinc-oxide.toml",
        include_str!("../../formulas/sts-25-zinc-oxide.toml"),
    ),
    (
        "sts-150-intralesional.toml",
        include_str!("../../formulas/sts-150-intralesional.toml"),
    ),
    (
        "sts-25-glycerin-lanolin.toml",
        include_str!("../../formulas/sts-25-glycerin-lanolin.toml"),
    ),
    (
        "sts-25-gel.toml",
        include_str!("../../formulas/sts-25-gel.toml"),
    ),
    (
        "sts-10-topical-solution.toml",
        include_str!("../../formulas/sts-10-topical-solution.toml"),
    ),
    (
        "sts-250-intralesional.toml",
        include_str!("../../formulas/sts-250-intralesional.toml"),
    ),
];

/// A strength: a percentage for ointments and topical solutions, or a mass concentration for
/// injections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Strength {
    /// `25 % w/w`, `10 % w/v`.
    Percent(Percent),
    /// `150 mg/mL`.
    Concentration(Concentration),
}

impl Strength {
    /// The number used for range comparisons, in the strength's own unit.
    pub fn amount(&self) -> Decimal {
        match self {
            Strength::Percent(p) => p.value(),
            Strength::Concentration(c) => c.mg_per_ml(),
        }
    }
    fn same_unit(&self, other: &Strength) -> bool {
        matches!(
            (self, other),
            (Strength::Percent(_), Strength::Percent(_))
                | (Strength::Concentration(_), Strength::Concentration(_))
        )
    }
}

impl fmt::Display for Strength {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Strength::Percent(p) => p.fmt(f),
            Strength::Concentration(c) => c.fmt(f),
        }
    }
}

impl<'de> Deserialize<'de> for Strength {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Strength;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a strength written as a quoted string with its unit, e.g. \"25 % w/w\" or \"150 mg/mL\" (TOML numbers lose digits)",
                )
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Strength, E> {
                match v.parse::<Quantity>() {
                    Ok(Quantity::Percent(p)) => Ok(Strength::Percent(p)),
                    Ok(Quantity::Concentration(c)) => Ok(Strength::Concentration(c)),
                    _ => Err(E::custom(format!(
                        "expected a strength such as \"25 % w/w\" or \"150 mg/mL\", found \"{v}\""
                    ))),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// How the preparation is made, which decides the calculator used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Preparation {
    /// Active incorporated into a semisolid base made up to weight (q.s.).
    Ointment,
    /// A sterile solution (w/v) made up to volume, by dilution of a commercial injection or
    /// from powder; needs a `[solution]` section.
    Solution,
}

/// The active ingredient.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Active {
    /// Component id (used for lots and actual weights).
    pub id: String,
    /// Name for people.
    pub name: String,
    /// The form usually on the shelf; `--stock-form` overrides it.
    pub stock_form: Form,
}

/// The formula's strength and what it allows.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrengthSpec {
    /// The strength made when none is asked for.
    pub default: Spanned<Strength>,
    /// What the strength is expressed as: `pentahydrate` or `anhydrous`.
    pub basis: Form,
    /// Lowest strength this formula may be made at.
    pub min: Spanned<Strength>,
    /// Highest strength this formula may be made at.
    pub max: Spanned<Strength>,
}

/// How sure the record is of one of its facts (`../shared` convention): `H` read in a primary or
/// official text, `M` a secondary source, `L` not confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Confidence {
    /// Read in a primary or official text.
    H,
    /// From a secondary source.
    M,
    /// Not confirmed.
    L,
}

/// A fact the record relies on, its source and how sure it is.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fact {
    /// The fact.
    pub fact: String,
    /// How sure.
    pub confidence: Confidence,
    /// Where it comes from.
    pub source: String,
}

/// A container-closure option.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Container {
    /// Id used on the command line.
    pub id: String,
    /// Description.
    pub name: String,
    /// Nominal fill.
    pub fill: Mass,
}

/// A quality-control check.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QcCheck {
    /// What is checked.
    pub check: String,
    /// The expected result.
    pub expected: String,
    /// The preparation methods it applies to (a solution's `dilution`, `powder`); absent:
    /// every batch.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub methods: Vec<String>,
    /// Where the compounding record already asks for it: the physical description row, the
    /// fill table or the filter integrity row; absent: recognised by its name (see
    /// `formulas/README.md`), else a row of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<QcKind>,
}

/// A quality-control check that one place of the compounding record already asks for, so it
/// is printed there, once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QcKind {
    /// The physical description (appearance), against the formula's `description`.
    Appearance,
    /// The fill of each container: heads the fill table.
    Fill,
    /// The integrity test of a sterilising filter (bubble point).
    FilterIntegrity,
}

/// A master formulation record.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Formula {
    /// Identifier, equal to the file name without `.toml`.
    pub id: String,
    /// Version of this record; printed on every sheet.
    pub version: String,
    /// Name of the preparation.
    pub name: String,
    /// Dosage form, e.g. `ointment`.
    pub dosage_form: String,
    /// Route, e.g. `topical`.
    pub route: String,
    /// The route statement for labels, e.g. `For external use only`.
    pub route_statement: String,
    /// Which calculator applies.
    pub preparation: Preparation,
    /// The active ingredient.
    pub active: Active,
    /// Strength, basis and allowed range.
    pub strength: StrengthSpec,
    /// Every constituent besides the active, in the order of addition, each with its role and
    /// amount; exactly one is quantity sufficient (`qs`).
    pub excipients: Spanned<Vec<Excipient>>,
    /// Equipment needed.
    pub equipment: Vec<String>,
    /// Method steps, numbered in order.
    pub method: Vec<String>,
    /// Container-closure options filled by weight; the first is the default. Required for an
    /// ointment; a solution lists its containers by volume in `[solution]` instead.
    #[serde(default)]
    pub containers: Vec<Container>,
    /// Storage conditions.
    pub storage: String,
    /// Physical description of the finished preparation.
    pub description: String,
    /// Quality-control checks.
    pub qc: Vec<QcCheck>,
    /// Literature and standards behind the record.
    pub references: Vec<String>,
    /// The facts the record relies on, each with its source and confidence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<Fact>,
    /// What the beyond-use date rules need to know (`[bud]`); required, checked on load.
    pub bud: Option<Spanned<crate::bud::Declaration>>,
    /// Potency tolerance (% of labeled strength); absent means the default in
    /// `data/potency.toml`.
    pub tolerance: Option<Spanned<Tolerance>>,
    /// How far a failed batch may be corrected before it is rejected; absent means the default
    /// in `data/potency.toml`.
    pub rescue: Option<Spanned<Rescue>>,
    /// Code that starts generated lot numbers, stating no strength: the strength made follows
    /// it (`STSZO` gives `STSZO25-20261121-01`); absent means a code derived from the id.
    pub lot_prefix: Option<Spanned<String>>,
    /// Statements every label of the preparation carries besides the route: special handling,
    /// warnings, and for a sterile preparation its single-dose (or multiple-dose) statement,
    /// which is therefore required when `[bud] kind = "sterile"`.
    #[serde(default)]
    pub label_statements: Vec<String>,
    /// The site's own GS1 product number (GTIN) for this preparation, when it has one: the
    /// labels' barcodes then carry it as (01) instead of the formula id as (91).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gtin: Option<String>,
    /// Preparation methods, diluents, stock products and BUDs of a solution.
    pub solution: Option<SolutionSpec>,
    /// Per-lesion and per-session limits (local policy) and the regimen, for an injection.
    pub dosing: Option<DosingSpec>,
}

impl Formula {
    /// The default strength.
    pub fn default_strength(&self) -> Strength {
        *self.strength.default.get_ref()
    }

    /// Checks `strength` lies within the formula's range.
    pub fn check_strength(&self, field: &str, strength: Strength) -> Result<()> {
        let (min, max) = (self.strength.min.get_ref(), self.strength.max.get_ref());
        if !strength.same_unit(min)
            || strength.amount() < min.amount()
            || strength.amount() > max.amount()
        {
            return Err(Error::input(
                field,
                format!(
                    "a strength from {min} to {max} ({} basis) for formula `{}`",
                    self.strength.basis, self.id
                ),
                format!("`{strength}`"),
            ));
        }
        Ok(())
    }

    /// Looks up a container option by id.
    pub fn container(&self, id: &str) -> Result<&Container> {
        self.containers.iter().find(|c| c.id == id).ok_or_else(|| {
            let known: Vec<_> = self
                .containers
                .iter()
                .map(|c| format!("`{}`", c.id))
                .collect();
            Error::input(
                CONTAINER,
                format!("one of {}", known.join(", ")),
                format!("`{id}`"),
            )
        })
    }

    /// Parses and validates a formula file.
    pub fn parse(file: &str, text: &str) -> Result<Formula> {
        let f: Formula = from_toml(FileKind::Formula, file, text)?;
        f.validate(file, text)?;
        Ok(f)
    }

    fn validate(&self, file: &str, text: &str) -> Result<()> {
        let err = |offset: Option<usize>, message: String| {
            file_error(FileKind::Formula, file, text, offset, message)
        };
        let stem = Path::new(file)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("");
        if self.id != stem {
            return Err(err(
                None,
                format!(
                    "`id` is `{}`: expected it to equal the file name `{stem}`",
                    self.id
                ),
            ));
        }
        if let Some(g) = &self.gtin {
            crate::gs1::Gtin::new(g).map_err(|e| err(None, format!("`gtin`: {e}")))?;
        }
        let s = &self.strength;
        for (name, sp) in [("default", &s.default), ("min", &s.min), ("max", &s.max)] {
            let v = sp.get_ref();
            let bad_kind = match (self.preparation, v) {
                (Preparation::Ointment, Strength::Percent(p)) => {
                    p.kind() == PercentKind::WeightInVolume
                }
                (Preparation::Ointment, Strength::Concentration(_)) => true,
                (Preparation::Solution, s) => s.concentration().is_none(),
            };
            if bad_kind {
                let want = match self.preparation {
                    Preparation::Ointment => "a % w/w for an ointment",
                    Preparation::Solution => "mg/mL or % w/v for a solution",
                };
                return Err(err(
                    Some(sp.span().start),
                    format!("`strength.{name}` must be {want}, found `{v}`"),
                ));
            }
            if !v.same_unit(s.default.get_ref()) {
                return Err(err(
                    Some(sp.span().start),
                    format!(
                        "`strength.{name}` `{v}` is not in the unit of `strength.default` `{}`",
                        s.default.get_ref()
                    ),
                ));
            }
            let ceiling = match v {
                // 1000 mg/mL is 100 % w/v: no solution holds more than its own volume of solute.
                Strength::Concentration(_) => Decimal::ONE_THOUSAND,
                Strength::Percent(_) => Decimal::ONE_HUNDRED,
            };
            if v.amount() <= Decimal::ZERO || v.amount() >= ceiling {
                return Err(err(
                    Some(sp.span().start),
                    format!(
                        "`strength.{name}` must be above 0 and below 100 % (1000 mg/mL), found `{v}`"
                    ),
                ));
            }
        }
        if s.min.get_ref().amount() > s.max.get_ref().amount() {
            return Err(err(
                Some(s.min.span().start),
                format!(
                    "`strength.min` {} is above `strength.max` {}",
                    s.min.get_ref(),
                    s.max.get_ref()
                ),
            ));
        }
        let d = s.default.get_ref().amount();
        if d < s.min.get_ref().amount() || d > s.max.get_ref().amount() {
            return Err(err(
                Some(s.default.span().start),
                format!(
                    "`strength.default` {} lies outside its own range {} to {}: widen the range or change the default",
                    s.default.get_ref(), s.min.get_ref(), s.max.get_ref()
                ),
            ));
        }
        self.validate_excipients(&err)?;
        match (self.preparation, &self.solution) {
            (Preparation::Solution, None) => {
                return Err(err(
                    None,
                    "a solution needs a `[solution]` section (diluents, stocks, containers, dilution, powder)".into(),
                ))
            }
            (Preparation::Solution, Some(sol)) => {
                if !self.containers.is_empty() {
                    return Err(err(
                        None,
                        "`containers` are filled by weight: list a solution's containers by volume in `[[solution.containers]]`".into(),
                    ));
                }
                solution::validate(sol, self.dosing.as_ref()).map_err(|m| err(None, m))?;
                return self.validate_method(err, text);
            }
            (Preparation::Ointment, Some(_)) => {
                return Err(err(
                    None,
                    "`[solution]` is only for `preparation = \"solution\"`".into(),
                ))
            }
            (Preparation::Ointment, None) if self.dosing.is_some() => {
                return Err(err(
                    None,
                    "`[dosing]` is only for `preparation = \"solution\"`".into(),
                ))
            }
            (Preparation::Ointment, None) => {}
        }
        if self.containers.is_empty() {
            return Err(err(
                None,
                "`containers` is empty: expected at least one container-closure option".into(),
            ));
        }
        for c in &self.containers {
            if c.fill.amount() <= Decimal::ZERO {
                return Err(err(
                    None,
                    format!(
                        "container `{}` has fill {}: expected a fill above 0 g",
                        c.id, c.fill
                    ),
                ));
            }
        }
        self.validate_method(err, text)
    }

    fn validate_method(
        &self,
        err: impl Fn(Option<usize>, String) -> Error,
        text: &str,
    ) -> Result<()> {
        if self.method.is_empty() {
            return Err(err(
                None,
                "`method` is empty: expected the numbered compounding steps".into(),
            ));
        }
        self.validate_release(&err, text)
    }

    /// Checks the excipients: exactly one q.s. component, of the kind the calculator makes the
    /// preparation up to (an ointment's mass, a solution's volume), amounts its form can take,
    /// room left for the q.s. component at the highest strength.
    fn validate_excipients(&self, err: &dyn Fn(Option<usize>, String) -> Error) -> Result<()> {
        let made_to = match self.preparation {
            Preparation::Ointment => MadeTo::Mass,
            Preparation::Solution => MadeTo::Volume,
        };
        // The active's share of the batch at its highest strength, as a percentage (mg/mL ÷ 10
        // is % w/v).
        let max = match self.strength.max.get_ref() {
            Strength::Percent(p) => p.value(),
            Strength::Concentration(c) => c.mg_per_ml() / Decimal::TEN,
        };
        let list = self.excipients.get_ref();
        excipient::validate(list, &self.active.id, made_to, max)
            .map_err(|(at, m)| err(at.or(Some(self.excipients.span().start)), m))?;
        // The solution calculator dissolves the active in its vehicle and weighs nothing else:
        // it cannot yet plan a solution's other excipients, so it refuses them rather than
        // leave them off the sheet.
        if made_to == MadeTo::Volume {
            if let Some((i, e)) = list.iter().enumerate().find(|(_, e)| !e.is_qs()) {
                return Err(err(
                    e.amount.as_ref().map(|a| a.span().start),
                    format!(
                        "`excipients[{i}]` (`{}`): expected only the quantity-sufficient vehicle in a solution (its calculator does not yet weigh other excipients), found `{}`",
                        e.id,
                        e.amount.as_ref().map_or(String::new(), |a| a.get_ref().to_string())
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Checks the sections issue 5 added: `[bud]`, `[tolerance]` and `lot_prefix`.
    fn validate_release(
        &self,
        err: &dyn Fn(Option<usize>, String) -> Error,
        text: &str,
    ) -> Result<()> {
        // A table's span may start at the line break before its header: point at the header.
        let at = |start: usize| {
            let skipped = text
                .get(start..)
                .map_or(0, |t| t.len() - t.trim_start().len());
            Some(start + skipped)
        };
        match &self.bud {
            None => {
                return Err(err(
                    None,
                    "`[bud]` is missing: expected the beyond-use declaration (`kind`, `storage` and what the USP rules need; see formulas/README.md)".into(),
                ))
            }
            Some(b) => {
                b.get_ref()
                    .check(crate::bud::Rules::embedded())
                    .map_err(|m| err(at(b.span().start), m))?;
                // A solution is made by dilution or from powder; per-method BUD inputs must
                // name exactly those, so that `--method` picks both the steps and the BUD.
                let methods: Vec<&str> =
                    b.get_ref().methods.keys().map(String::as_str).collect();
                let message = if methods.is_empty() {
                    None
                } else if self.solution.is_none() {
                    Some(format!("`bud.methods` is only for a solution (`preparation = \"solution\"`), made by `dilution` or from `powder` as chosen with {METHOD}"))
                } else if methods != ["dilution", "powder"] {
                    Some(format!(
                        "`bud.methods` names {}: expected `dilution` and `powder`, the solution's methods",
                        methods
                            .iter()
                            .map(|m| format!("`{m}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                } else {
                    None
                };
                if let Some(m) = message {
                    return Err(err(at(b.span().start), m));
                }
                // USP <797> labels say whether a sterile preparation is single- or multiple-dose;
                // stscalc cannot know which, so the formula must say it.
                if b.get_ref().kind == Some(crate::bud::BudKind::Sterile)
                    && self.label_statements.iter().all(|s| s.trim().is_empty())
                {
                    return Err(err(
                        None,
                        "`label_statements` is missing: a sterile preparation's labels need its single-dose or multiple-dose statement, e.g. `label_statements = [\"Single-dose: discard any remainder.\"]`".into(),
                    ));
                }
            }
        }
        for q in self.qc.iter().filter(|q| !q.methods.is_empty()) {
            let known = ["dilution", "powder"];
            if self.solution.is_none() {
                return Err(err(None, format!("`qc` check `{}` has `methods`: they are only for a solution, made by `dilution` or from `powder`", q.check)));
            }
            if let Some(m) = q.methods.iter().find(|m| !known.contains(&m.as_str())) {
                return Err(err(
                    None,
                    format!(
                        "`qc` check `{}` names method `{m}`: expected `dilution`, `powder`",
                        q.check
                    ),
                ));
            }
        }
        if let Some(t) = &self.tolerance {
            t.get_ref()
                .check("tolerance")
                .map_err(|m| err(at(t.span().start), m))?;
        }
        if let Some(r) = &self.rescue {
            r.get_ref()
                .check("rescue")
                .map_err(|m| err(at(r.span().start), m))?;
        }
        if let Some(p) = &self.lot_prefix {
            let v = p.get_ref();
            // The strength made follows the prefix (`ZNO` + `25`), so it ends in a letter.
            if v.is_empty()
                || v.len() > 12
                || !v
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                || !v.ends_with(|c: char| c.is_ascii_uppercase())
            {
                return Err(err(
                    Some(p.span().start),
                    format!("`lot_prefix` is `{v}`: expected 1 to 12 capital letters or digits ending in a letter, stating no strength (the strength made follows it), e.g. `STSZO`"),
                ));
            }
        }
        Ok(())
    }

    /// The `[bud]` declaration (present in every loaded formula).
    pub fn bud(&self) -> &crate::bud::Declaration {
        self.bud
            .as_ref()
            .expect("checked when the formula was loaded")
            .get_ref()
    }

    /// The potency tolerance: the formula's own, or the default.
    pub fn tolerance(&self) -> Tolerance {
        self.tolerance.as_ref().map_or_else(
            || Tolerance::default_tolerance().clone(),
            |t| t.get_ref().clone(),
        )
    }

    /// The rescue limit of a failed batch: the formula's own, or the default.
    pub fn rescue(&self) -> Rescue {
        self.rescue
            .as_ref()
            .map_or_else(|| Rescue::default_rescue().clone(), |r| r.get_ref().clone())
    }

    /// Every component a batch of this formula weighs, as (id, name): the active, then the
    /// excipients in their order of addition. Lots, expiries and actual weights are given
    /// against these ids.
    pub fn components(&self) -> Vec<(String, String)> {
        let mut v = vec![(self.active.id.clone(), self.active.name.clone())];
        v.extend(
            self.excipients
                .get_ref()
                .iter()
                .map(|e| (e.id.clone(), e.name.clone())),
        );
        v
    }

    /// The excipients, in their order of addition.
    pub fn excipients(&self) -> &[Excipient] {
        self.excipients.get_ref()
    }

    /// What the preparation is made in, for titles and labels ("ointment in …"): the names of
    /// its bases and vehicles and of the q.s. component, in their order of addition, joined
    /// with "and" (`Lanolin and White petrolatum`).
    pub fn base_name(&self) -> String {
        let names: Vec<&str> = self
            .excipients()
            .iter()
            .filter(|e| e.is_qs() || matches!(e.role, Role::Base | Role::Vehicle))
            .map(|e| e.name.as_str())
            .collect();
        match names.split_last() {
            Some((last, [])) => last.to_string(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
            None => String::new(),
        }
    }

    /// The quantity-sufficient component (exactly one in every loaded formula).
    pub fn qs(&self) -> &Excipient {
        self.excipients()
            .iter()
            .find(|e| e.is_qs())
            .expect("checked when the formula was loaded")
    }
}

/// Where a formula came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Shipped in the binary, with its file name.
    Embedded(&'static str),
    /// From the user's folder.
    File(PathBuf),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Embedded(name) => write!(f, "embedded formulas/{name}"),
            Origin::File(p) => write!(f, "{}", p.display()),
        }
    }
}

impl Serialize for Origin {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

/// A formula together with where it came from and the text it was read from.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// The parsed record.
    pub formula: Formula,
    /// Where it came from.
    pub origin: Origin,
    /// Whether it replaces an embedded formula of the same id.
    pub overrides_embedded: bool,
    /// SHA-256 of the file's bytes, so a printed sheet can be traced to the exact recipe.
    pub sha256: String,
    /// The file text, shown by `stscalc show`.
    #[serde(skip)]
    pub text: String,
}

/// All formulas available to a run.
#[derive(Debug, Clone)]
pub struct Catalog {
    entries: BTreeMap<String, Entry>,
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Catalog {
    /// The embedded formulas, plus those of `user_dir` (which win on equal ids).
    pub fn load(user_dir: Option<&Path>) -> Result<Catalog> {
        let mut entries = BTreeMap::new();
        for (name, text) in EMBEDDED {
            let formula = Formula::parse(name, text)?;
            entries.insert(
                formula.id.clone(),
                Entry {
                    formula,
                    origin: Origin::Embedded(name),
                    overrides_embedded: false,
                    sha256: sha256_hex(text),
                    text: text.to_string(),
                },
            );
        }
        if let Some(dir) = user_dir {
            let read = std::fs::read_dir(dir).map_err(|source| Error::Io {
                path: dir.to_path_buf(),
                source,
            })?;
            let mut paths: Vec<PathBuf> = read
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            paths.sort();
            for path in paths {
                let text = crate::data::read_text(&path)?;
                let formula = Formula::parse(&path.display().to_string(), &text)?;
                let overrides_embedded = entries.contains_key(&formula.id);
                entries.insert(
                    formula.id.clone(),
                    Entry {
                        formula,
                        origin: Origin::File(path),
                        overrides_embedded,
                        sha256: sha256_hex(&text),
                        text,
                    },
                );
            }
        }
        Ok(Catalog { entries })
    }

    /// The formula with this id, or an error listing the known ids.
    pub fn get(&self, id: &str) -> Result<&Entry> {
        self.entries.get(id).ok_or_else(|| Error::UnknownFormula {
            id: id.to_string(),
            known: self
                .entries
                .keys()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", "),
        })
    }

    /// All entries, by id.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values()
    }
}
