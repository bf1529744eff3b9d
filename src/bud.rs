//! Beyond-use dates (BUDs) from rule tables, as pure functions.
//!
//! The limits live in `data/bud-rules.toml` (USP <795> for nonsterile, USP <797> for sterile
//! preparations, each row with its source). A formula declares in its `[bud]` section what the
//! rules need to know ([`Declaration`]); [`Declaration::resolve`] picks the preparation method
//! when the formula has several, and [`beyond_use`] returns the earliest of:
//!
//! 1. the rule's limit for the chosen storage,
//! 2. the formula's own stability-based limits for that storage,
//! 3. the earliest expiry of any component lot,
//!
//! and says which of the three set the date. Day limits are counted by an explicit
//! [`DayCount`] convention (default: the compounding day is day 1, which gives the earlier
//! date); hour limits (Category 1 sterile preparations) are counted from the compounding time.
//!
//! ```
//! use chrono::NaiveDate;
//! use stscalc::bud::{beyond_use, BudKind, CompoundedAt, DayCount, Declaration, SetBy, Storage, Water};
//!
//! // A 10 % aqueous, unpreserved topical solution: USP <795> gives 14 days refrigerated.
//! let declaration = Declaration {
//!     kind: Some(BudKind::Nonsterile),
//!     water: Some(Water::Aqueous),
//!     preserved: Some(false),
//!     storage: Some(Storage::Refrigerator),
//!     ..Default::default()
//! };
//! let resolved = declaration.resolve(None).unwrap();
//! let compounded = CompoundedAt::on(NaiveDate::from_ymd_opt(2026, 11, 21).unwrap());
//! let bud = beyond_use(&resolved, Storage::Refrigerator, compounded, &[], DayCount::DayOne).unwrap();
//! assert_eq!(bud.text, "2026-12-04"); // day 1 is 2026-11-21, day 14 is 13 days later
//! assert_eq!(bud.set_by, SetBy::Rule);
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Timelike};
use serde::{Deserialize, Serialize};

use crate::data::{from_toml, FileKind};
use crate::error::field::BUD_LIMIT;
use crate::error::{Error, Result};
use crate::quantity::format_number;

const RULES_FILE: &str = "data/bud-rules.toml";
const RULES_TOML: &str = include_str!("../data/bud-rules.toml");

/// Where the finished preparation is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Storage {
    /// Controlled room temperature (20-25 °C).
    Room,
    /// Refrigerator (2-8 °C).
    Refrigerator,
    /// Freezer (-25 to -10 °C).
    Freezer,
}

impl Storage {
    /// All storages, in the order the rule tables list them.
    pub const ALL: [Storage; 3] = [Storage::Room, Storage::Refrigerator, Storage::Freezer];

    /// The name as written in files and options.
    pub fn as_str(self) -> &'static str {
        match self {
            Storage::Room => "room",
            Storage::Refrigerator => "refrigerator",
            Storage::Freezer => "freezer",
        }
    }

    /// The name people read on a label.
    pub fn label(self) -> &'static str {
        match self {
            Storage::Room => "controlled room temperature (20-25 °C)",
            Storage::Refrigerator => "refrigerator (2-8 °C)",
            Storage::Freezer => "freezer (-25 to -10 °C)",
        }
    }
}

impl Storage {
    /// The storage in a sentence: `at controlled room temperature (20-25 °C)`,
    /// `in a refrigerator (2-8 °C)`.
    pub fn phrase(self) -> String {
        match self {
            Storage::Room => format!("at {}", self.label()),
            Storage::Refrigerator | Storage::Freezer => format!("in a {}", self.label()),
        }
    }
}

impl fmt::Display for Storage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Storage {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "room" | "room-temperature" => Ok(Storage::Room),
            "refrigerator" | "fridge" => Ok(Storage::Refrigerator),
            "freezer" => Ok(Storage::Freezer),
            _ => Err(Error::input(
                "--storage",
                "`room`, `refrigerator` or `freezer`",
                format!("`{}`", s.trim()),
            )),
        }
    }
}

/// Whether the compounding day counts as day 0 or day 1 of a BUD given in days.
///
/// USP does not settle it; stscalc makes it explicit, prints it, and defaults to
/// [`DayCount::DayOne`], the earlier (safer) date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DayCount {
    /// The compounding day is day 1: a 14-day BUD ends 13 days after compounding.
    #[default]
    DayOne,
    /// The compounding day is day 0: a 14-day BUD ends 14 days after compounding. For a
    /// sterile preparation it ends at the compounding time of that day (USP <797> counts from
    /// when compounding starts), so the time is needed.
    DayZero,
}

impl DayCount {
    /// The name as written in files and options.
    pub fn as_str(self) -> &'static str {
        match self {
            DayCount::DayOne => "day-one",
            DayCount::DayZero => "day-zero",
        }
    }

    /// The sentence printed beside every BUD counted in days.
    pub fn explanation(self) -> &'static str {
        match self {
            DayCount::DayOne => {
                "compounding day counted as day 1 (the default: the earlier of the two conventions)"
            }
            DayCount::DayZero => {
                "compounding day counted as day 0 (one day later than the default convention)"
            }
        }
    }

    /// Days to add to the compounding date for a limit of `days` days.
    fn offset(self, days: u32) -> u32 {
        match self {
            DayCount::DayOne => days.saturating_sub(1),
            DayCount::DayZero => days,
        }
    }
}

impl FromStr for DayCount {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "day-one" | "day-1" | "one" | "1" => Ok(DayCount::DayOne),
            "day-zero" | "day-0" | "zero" | "0" => Ok(DayCount::DayZero),
            _ => Err(Error::input(
                "--bud-count",
                "`day-one` (the compounding day is day 1, the default) or `day-zero`",
                format!("`{}`", s.trim()),
            )),
        }
    }
}

/// Water content by water activity, as USP <795> classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Water {
    /// Water activity at least 0.6.
    Aqueous,
    /// Water activity below 0.6.
    Nonaqueous,
}

/// How a sterile preparation is made sterile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sterilization {
    /// Aseptic processing, including sterile filtration (0.22 µm).
    Aseptic,
    /// Terminal sterilization in the final sealed container (steam, dry heat, irradiation).
    Terminal,
}

/// Which rule table applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BudKind {
    /// USP <795>.
    Nonsterile,
    /// USP <797>.
    Sterile,
}

impl BudKind {
    fn as_str(self) -> &'static str {
        match self {
            BudKind::Nonsterile => "nonsterile",
            BudKind::Sterile => "sterile",
        }
    }
}

/// Unit of a [`Limit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LimitUnit {
    /// Calendar days, counted by a [`DayCount`] convention.
    Days,
    /// Hours from the compounding time.
    Hours,
}

/// A BUD limit such as `14 days` or `12 hours`, written in data files as a quoted string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// How many days or hours (at least 1).
    pub amount: u32,
    /// Days or hours.
    pub unit: LimitUnit,
}

impl Limit {
    /// `amount` days.
    pub fn days(amount: u32) -> Self {
        Limit {
            amount,
            unit: LimitUnit::Days,
        }
    }
    /// `amount` hours.
    pub fn hours(amount: u32) -> Self {
        Limit {
            amount,
            unit: LimitUnit::Hours,
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match (self.unit, self.amount) {
            (LimitUnit::Days, 1) => "day",
            (LimitUnit::Days, _) => "days",
            (LimitUnit::Hours, 1) => "hour",
            (LimitUnit::Hours, _) => "hours",
        };
        write!(f, "{} {unit}", format_number(self.amount.into()))
    }
}

impl FromStr for Limit {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let bad = || format!("expected a limit such as \"14 days\" or \"12 hours\", found \"{s}\"");
        let (n, unit) = s.trim().split_once(char::is_whitespace).ok_or_else(bad)?;
        let amount: u32 = n.parse().map_err(|_| bad())?;
        if amount == 0 {
            return Err(format!("expected a limit of at least 1, found \"{s}\""));
        }
        match unit.trim() {
            "day" | "days" => Ok(Limit::days(amount)),
            "hour" | "hours" => Ok(Limit::hours(amount)),
            _ => Err(bad()),
        }
    }
}

impl<'de> Deserialize<'de> for Limit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

// A limit is written like every quantity in the JSON: the number as a string in `value`, its
// unit, and the text the sheets print.
impl Serialize for Limit {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Limit", 3)?;
        st.serialize_field("value", &self.amount.to_string())?;
        st.serialize_field("unit", &self.unit)?;
        st.serialize_field("text", &self.to_string())?;
        st.end()
    }
}

/// What the rules need to know about a preparation. In a rule row (`when`) a field that is
/// absent matches anything; in a formula's declaration a field the matching rule needs must be
/// present.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conditions {
    /// Nonsterile: aqueous (water activity ≥ 0.6) or not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub water: Option<Water>,
    /// Nonsterile: contains an antimicrobial preservative.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preserved: Option<bool>,
    /// Nonsterile: an oral liquid (USP <795> gives nonaqueous oral liquids 90 days).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oral_liquid: Option<bool>,
    /// Sterile: USP <797> category 1, 2 or 3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<u8>,
    /// Sterile: aseptic processing or terminal sterilization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sterilization: Option<Sterilization>,
    /// Sterile: sterility tested and passed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sterility_tested: Option<bool>,
    /// Sterile: every starting component is sterile (e.g. a commercial sterile injection) rather
    /// than one or more nonsterile ones (e.g. powder).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_components_sterile: Option<bool>,
}

/// The fields of [`Conditions`]: name, what a value looks like, which table uses it.
const FIELDS: [(&str, &str, BudKind); 7] = [
    (
        "water",
        "`aqueous` (water activity ≥ 0.6) or `nonaqueous` (below 0.6)",
        BudKind::Nonsterile,
    ),
    (
        "preserved",
        "`true` or `false` (does it contain an antimicrobial preservative?)",
        BudKind::Nonsterile,
    ),
    (
        "oral_liquid",
        "`true` or `false` (is it an oral liquid?)",
        BudKind::Nonsterile,
    ),
    ("category", "`1`, `2` or `3` (USP <797>)", BudKind::Sterile),
    (
        "sterilization",
        "`aseptic` (including sterile filtration) or `terminal`",
        BudKind::Sterile,
    ),
    (
        "sterility_tested",
        "`true` or `false` (sterility tested and passed?)",
        BudKind::Sterile,
    ),
    (
        "all_components_sterile",
        "`true` or `false` (are all starting components sterile?)",
        BudKind::Sterile,
    ),
];

impl Conditions {
    /// The value of each field as text (`None` when absent), in [`FIELDS`] order.
    fn values(&self) -> [Option<String>; 7] {
        fn s<T: Serialize>(v: &Option<T>) -> Option<String> {
            v.as_ref().map(|v| {
                serde_json::to_value(v)
                    .map(|j| match j {
                        serde_json::Value::String(s) => s,
                        other => other.to_string(),
                    })
                    .unwrap_or_default()
            })
        }
        [
            s(&self.water),
            s(&self.preserved),
            s(&self.oral_liquid),
            s(&self.category),
            s(&self.sterilization),
            s(&self.sterility_tested),
            s(&self.all_components_sterile),
        ]
    }

    /// `self` with every field that `over` sets replaced.
    pub fn overridden_by(&self, over: &Conditions) -> Conditions {
        Conditions {
            water: over.water.or(self.water),
            preserved: over.preserved.or(self.preserved),
            oral_liquid: over.oral_liquid.or(self.oral_liquid),
            category: over.category.or(self.category),
            sterilization: over.sterilization.or(self.sterilization),
            sterility_tested: over.sterility_tested.or(self.sterility_tested),
            all_components_sterile: over.all_components_sterile.or(self.all_components_sterile),
        }
    }

    /// The declared fields, e.g. `category 2, sterilization aseptic`, for messages.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = FIELDS
            .iter()
            .zip(self.values())
            .filter_map(|((name, _, _), v)| v.map(|v| format!("{name} = {v}")))
            .collect();
        if parts.is_empty() {
            "nothing declared".into()
        } else {
            parts.join(", ")
        }
    }

    /// A field declared that belongs to the other table, if any.
    fn foreign_field(&self, kind: BudKind) -> Option<&'static str> {
        FIELDS
            .iter()
            .zip(self.values())
            .find(|((_, _, k), v)| *k != kind && v.is_some())
            .map(|((name, _, _), _)| *name)
    }
}

/// One row of a rule table.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable identifier, for the data file and the JSON; sheets name a rule by
    /// [`Rule::name`].
    pub id: String,
    /// Which preparations it covers, for people.
    pub preparation: String,
    /// The declaration it matches.
    pub when: Conditions,
    /// Limit at controlled room temperature; absent when the row does not allow it.
    pub room: Option<Limit>,
    /// Limit in a refrigerator.
    pub refrigerator: Option<Limit>,
    /// Limit in a freezer.
    pub freezer: Option<Limit>,
    /// Where the row comes from.
    pub source: String,
    /// Confidence in the source (H, M or L, as in the project's domain notes).
    pub confidence: String,
}

impl Rule {
    /// The limit for `storage`, if the row allows it.
    pub fn limit(&self, storage: Storage) -> Option<Limit> {
        match storage {
            Storage::Room => self.room,
            Storage::Refrigerator => self.refrigerator,
            Storage::Freezer => self.freezer,
        }
    }

    /// The rule as people cite it: the standard its source quotes (the source up to its first
    /// comma, e.g. `USP <797> (2023)`) and the preparations it covers, e.g. `USP <797> (2023),
    /// Category 2 CSP, aseptically processed, …`. What a sheet prints, never the row's id.
    pub fn name(&self) -> String {
        let citation = self
            .source
            .split_once(", ")
            .map_or(self.source.as_str(), |(c, _)| c);
        format!("{citation}, {}", self.preparation)
    }

    /// The storages this row allows, e.g. "`room` or `refrigerator`".
    pub fn allowed(&self) -> String {
        let v: Vec<String> = Storage::ALL
            .iter()
            .filter(|s| self.limit(**s).is_some())
            .map(|s| format!("`{s}`"))
            .collect();
        v.join(" or ")
    }

    fn matches(&self, decl: &Conditions) -> bool {
        self.when
            .values()
            .iter()
            .zip(decl.values())
            .all(|(want, have)| want.is_none() || *want == have)
    }
}

/// The two rule tables.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// USP <795> rows.
    pub nonsterile: Vec<Rule>,
    /// USP <797> rows.
    pub sterile: Vec<Rule>,
    /// Limits of the syringes drawn up for one session, one row per [`DrawnUp`].
    #[serde(default)]
    pub syringe: Vec<SyringeRule>,
}

/// Where the syringes of an intralesional session are drawn up (`--drawn-up`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DrawnUp {
    /// At the bedside from the vial, outside an ISO 5 primary engineering control: an
    /// immediate-use preparation, given within the time of its rule (USP <797>: 4 hours).
    #[default]
    ImmediateUse,
    /// By the pharmacy in an ISO 5 primary engineering control, as a sterile preparation with
    /// a beyond-use date of its own.
    Iso5,
}

impl DrawnUp {
    /// The name as written in options and files.
    pub fn as_str(self) -> &'static str {
        match self {
            DrawnUp::ImmediateUse => "immediate-use",
            DrawnUp::Iso5 => "iso5",
        }
    }
}

impl fmt::Display for DrawnUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One row of the syringe table: the limit of a syringe drawn up one way.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyringeRule {
    /// Stable identifier.
    pub id: String,
    /// Which way of drawing up it covers.
    pub drawn_up: DrawnUp,
    /// What it covers, for people.
    pub preparation: String,
    /// Limit at room temperature (for an immediate-use syringe: its time window).
    pub room: Option<Limit>,
    /// Limit in a refrigerator.
    pub refrigerator: Option<Limit>,
    /// Where the row comes from.
    pub source: String,
    /// Confidence in the source (H, M or L).
    pub confidence: String,
}

impl SyringeRule {
    /// The limit for `storage`, if the row allows it.
    pub fn limit(&self, storage: Storage) -> Option<Limit> {
        match storage {
            Storage::Room => self.room,
            Storage::Refrigerator => self.refrigerator,
            Storage::Freezer => None,
        }
    }
}

/// Why no single rule applies to a declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FindError {
    /// A field the candidate rows depend on is not declared: (field, what a value looks like).
    Missing(&'static str, &'static str),
    /// No row covers the declaration.
    NoRule(String),
    /// More than one row matches (a fault in the rules file).
    Ambiguous(String),
}

impl fmt::Display for FindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FindError::Missing(field, expected) => {
                write!(f, "`bud.{field}` is missing: expected {expected}")
            }
            FindError::NoRule(what) => write!(
                f,
                "no row of {RULES_FILE} covers this declaration ({what}): USP gives no BUD for it"
            ),
            FindError::Ambiguous(ids) => {
                write!(f, "{RULES_FILE}: more than one row matches ({ids})")
            }
        }
    }
}

impl Rules {
    /// The rules shipped in `data/bud-rules.toml`, parsed and checked once.
    pub fn embedded() -> &'static Rules {
        static CELL: OnceLock<Rules> = OnceLock::new();
        CELL.get_or_init(|| {
            Rules::parse(RULES_FILE, RULES_TOML)
                .expect("the embedded BUD rules are checked by the test suite")
        })
    }

    /// Parses and checks a rules file: unique ids, each row allowing at least one storage, and
    /// each row naming only the fields of its own table.
    pub fn parse(file: &str, text: &str) -> Result<Rules> {
        let rules: Rules = from_toml(FileKind::Data, file, text)?;
        let bad = |message: String| Error::DataFile {
            file: file.to_string(),
            line: None,
            column: None,
            message,
        };
        let mut ids = std::collections::BTreeSet::new();
        for (kind, rows) in [
            (BudKind::Nonsterile, &rules.nonsterile),
            (BudKind::Sterile, &rules.sterile),
        ] {
            for r in rows {
                if !ids.insert(r.id.as_str()) {
                    return Err(bad(format!("rule id `{}` appears twice", r.id)));
                }
                if Storage::ALL.iter().all(|s| r.limit(*s).is_none()) {
                    return Err(bad(format!("rule `{}` allows no storage", r.id)));
                }
                if let Some(f) = r.when.foreign_field(kind) {
                    return Err(bad(format!(
                        "rule `{}` is in the {} table but names `{f}`",
                        r.id,
                        kind.as_str()
                    )));
                }
                if r.source.trim().is_empty() {
                    return Err(bad(format!("rule `{}` has no source", r.id)));
                }
            }
        }
        for r in &rules.syringe {
            if !ids.insert(r.id.as_str()) {
                return Err(bad(format!("rule id `{}` appears twice", r.id)));
            }
            if r.source.trim().is_empty() {
                return Err(bad(format!("rule `{}` has no source", r.id)));
            }
            // An immediate-use syringe is not stored: its window is the `room` limit.
            if r.room.is_none() && (r.drawn_up == DrawnUp::ImmediateUse || r.refrigerator.is_none())
            {
                return Err(bad(format!(
                    "syringe rule `{}` has no `room` limit (for `immediate-use`, its time window)",
                    r.id
                )));
            }
        }
        for d in [DrawnUp::ImmediateUse, DrawnUp::Iso5] {
            let n = rules.syringe.iter().filter(|r| r.drawn_up == d).count();
            if n != 1 {
                return Err(bad(format!(
                    "expected one `[[syringe]]` row with `drawn_up = \"{d}\"`, found {n}"
                )));
            }
        }
        Ok(rules)
    }

    /// The syringe row for `drawn_up` (checked to be there when the file was parsed).
    pub fn syringe_rule(&self, drawn_up: DrawnUp) -> &SyringeRule {
        self.syringe
            .iter()
            .find(|r| r.drawn_up == drawn_up)
            .expect("one row per way of drawing up, checked by Rules::parse")
    }

    /// The table for `kind`.
    pub fn table(&self, kind: BudKind) -> &[Rule] {
        match kind {
            BudKind::Nonsterile => &self.nonsterile,
            BudKind::Sterile => &self.sterile,
        }
    }

    /// The one row that covers `decl`. A row that would match if an undeclared field had the
    /// right value makes that field required, so an incomplete declaration is named precisely.
    pub fn find(&self, kind: BudKind, decl: &Conditions) -> std::result::Result<&Rule, FindError> {
        let have = decl.values();
        let candidates: Vec<&Rule> = self
            .table(kind)
            .iter()
            .filter(|r| {
                r.when
                    .values()
                    .iter()
                    .zip(&have)
                    .all(|(want, h)| want.is_none() || h.is_none() || want == h)
            })
            .collect();
        for (i, (name, expected, _)) in FIELDS.iter().enumerate() {
            if have[i].is_none() && candidates.iter().any(|r| r.when.values()[i].is_some()) {
                return Err(FindError::Missing(name, expected));
            }
        }
        let exact: Vec<&Rule> = candidates.into_iter().filter(|r| r.matches(decl)).collect();
        match exact.as_slice() {
            [one] => Ok(one),
            [] => Err(FindError::NoRule(format!(
                "{}, {}",
                kind.as_str(),
                decl.describe()
            ))),
            many => Err(FindError::Ambiguous(
                many.iter()
                    .map(|r| format!("`{}`", r.id))
                    .collect::<Vec<_>>()
                    .join(", "),
            )),
        }
    }
}

/// A stability-based limit a formula declares (shorter than the rule, from a study or a
/// reference), for some or all storages.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StabilityLimit {
    /// The limit, e.g. `30 days`.
    pub limit: Limit,
    /// The storages it was established for; absent means every storage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<Vec<Storage>>,
    /// The study or reference behind it.
    pub reference: String,
}

impl StabilityLimit {
    fn applies(&self, storage: Storage) -> bool {
        self.storage.as_ref().is_none_or(|s| s.contains(&storage))
    }
}

/// A formula's `[bud]` section, as written. Every field is optional in the file so that a
/// missing one is reported by name (`bud.preserved is missing`) rather than by the TOML parser.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Declaration {
    /// `nonsterile` (USP <795>) or `sterile` (USP <797>).
    pub kind: Option<BudKind>,
    /// See [`Conditions::water`].
    pub water: Option<Water>,
    /// See [`Conditions::preserved`].
    pub preserved: Option<bool>,
    /// See [`Conditions::oral_liquid`].
    pub oral_liquid: Option<bool>,
    /// See [`Conditions::category`].
    pub category: Option<u8>,
    /// See [`Conditions::sterilization`].
    pub sterilization: Option<Sterilization>,
    /// See [`Conditions::sterility_tested`].
    pub sterility_tested: Option<bool>,
    /// See [`Conditions::all_components_sterile`].
    pub all_components_sterile: Option<bool>,
    /// The usual storage; `--storage` may choose another of [`Declaration::storages`].
    pub storage: Option<Storage>,
    /// The storages a batch may be kept in (`--storage`), the usual one among them; absent
    /// means the usual storage only. Each must be one the rule gives a BUD for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub storages: Vec<Storage>,
    /// Why the preparation is classed as it is (e.g. why it counts as nonaqueous).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Stability-based limits shorter than the rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stability: Vec<StabilityLimit>,
    /// Study-supported limits **longer** than the USP <795> default (nonsterile only), each with
    /// the study's reference, which the record prints with the BUD it sets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub study: Vec<StabilityLimit>,
    /// Preparation methods whose sterility inputs differ (e.g. `dilution` of a sterile
    /// injection, `powder` with a nonsterile component): each overrides fields above. When
    /// present, a method must be chosen for every batch (`--method`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub methods: BTreeMap<String, Conditions>,
}

/// A declaration with its method chosen: what [`beyond_use`] evaluates.
#[derive(Debug, Clone, Serialize)]
pub struct Resolved {
    /// Which table.
    pub kind: BudKind,
    /// The declared conditions, method overrides applied.
    pub conditions: Conditions,
    /// The method chosen, if the formula has methods.
    pub method: Option<String>,
    /// The formula's usual storage.
    pub default_storage: Storage,
    /// The storages the formula allows, the usual one first.
    pub storages: Vec<Storage>,
    /// The formula's stability-based limits.
    pub stability: Vec<StabilityLimit>,
    /// The formula's study-supported limits, longer than the rule.
    pub study: Vec<StabilityLimit>,
    /// The formula's note on the classification.
    pub note: Option<String>,
}

impl Declaration {
    fn base(&self) -> Conditions {
        Conditions {
            water: self.water,
            preserved: self.preserved,
            oral_liquid: self.oral_liquid,
            category: self.category,
            sterilization: self.sterilization,
            sterility_tested: self.sterility_tested,
            all_components_sterile: self.all_components_sterile,
        }
    }

    /// Checks the declaration against `rules` as a formula file is loaded. The message names
    /// the field (`bud.preserved`, `bud.methods.powder.all_components_sterile`) and what it
    /// should hold.
    pub fn check(&self, rules: &Rules) -> std::result::Result<(), String> {
        let kind = self.kind.ok_or(
            "`bud.kind` is missing: expected `nonsterile` (USP <795>) or `sterile` (USP <797>)",
        )?;
        let storage = self.storage.ok_or(
            "`bud.storage` is missing: expected the usual storage, `room`, `refrigerator` or `freezer`",
        )?;
        let foreign = |c: &Conditions, prefix: &str| match c.foreign_field(kind) {
            Some(f) => Err(format!(
                "`{prefix}{f}` does not apply to a {} preparation (`bud.kind`)",
                kind.as_str()
            )),
            None => Ok(()),
        };
        foreign(&self.base(), "bud.")?;
        if let Some(c) = self.category {
            if !(1..=3).contains(&c) {
                return Err(format!(
                    "`bud.category` is {c}: expected `1`, `2` or `3` (USP <797>)"
                ));
            }
        }
        let mut variants = Vec::new();
        if self.methods.is_empty() {
            variants.push((None, self.base()));
        }
        for (name, over) in &self.methods {
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                return Err(format!(
                    "`bud.methods.{name}`: expected a method name of letters, digits and `-`"
                ));
            }
            foreign(over, &format!("bud.methods.{name}."))?;
            if let Some(c) = over.category.filter(|c| !(1..=3).contains(c)) {
                return Err(format!(
                    "`bud.methods.{name}.category` is {c}: expected `1`, `2` or `3` (USP <797>)"
                ));
            }
            variants.push((Some(name.as_str()), self.base().overridden_by(over)));
        }
        let storages = self.allowed_storages();
        if !self.storages.is_empty() && !self.storages.contains(&storage) {
            return Err(format!(
                "`bud.storages` lists {} but not `{storage}`, the usual storage (`bud.storage`): add it",
                list(&self.storages)
            ));
        }
        for (i, s) in self.storages.iter().enumerate() {
            if self.storages[..i].contains(s) {
                return Err(format!("`bud.storages` lists `{s}` twice"));
            }
        }
        for (method, c) in &variants {
            let rule = rules.find(kind, c).map_err(|e| match (method, e) {
                (Some(m), FindError::Missing(field, expected)) => format!(
                    "`bud.{field}` (or `bud.methods.{m}.{field}`) is missing for method `{m}`: expected {expected}"
                ),
                (Some(m), other) => format!("method `{m}`: {other}"),
                (None, other) => other.to_string(),
            })?;
            let which = method.map_or(String::new(), |m| format!(" for method `{m}`"));
            if rule.limit(storage).is_none() {
                return Err(format!(
                    "`bud.storage` is `{storage}`, but rule `{}`{which} gives a BUD only for {}",
                    rule.id,
                    rule.allowed()
                ));
            }
            if let Some(s) = storages.iter().find(|s| rule.limit(**s).is_none()) {
                return Err(format!(
                    "`bud.storages` lists `{s}`, but rule `{}`{which} gives a BUD only for {}",
                    rule.id,
                    rule.allowed()
                ));
            }
        }
        for s in &self.study {
            // USP <795> lets a stability study support a longer BUD for a nonsterile
            // preparation; USP <797>'s limits rest on sterility, which a stability study of the
            // active does not show.
            if kind != BudKind::Nonsterile {
                return Err(format!(
                    "`bud.study` limit {}: expected it only in a nonsterile preparation (USP <795>), found `bud.kind = \"{}\"`",
                    s.limit,
                    kind.as_str()
                ));
            }
            if s.reference.trim().is_empty() {
                return Err(format!(
                    "`bud.study` limit {}: expected the study's `reference`, found none",
                    s.limit
                ));
            }
            if s.storage.as_ref().is_some_and(Vec::is_empty) {
                return Err(format!(
                    "`bud.study` limit {}: `storage` is empty; leave it out to mean every storage",
                    s.limit
                ));
            }
        }
        for s in &self.stability {
            if s.reference.trim().is_empty() {
                return Err(format!(
                    "`bud.stability` limit {}: expected a `reference` for it",
                    s.limit
                ));
            }
            if s.storage.as_ref().is_some_and(Vec::is_empty) {
                return Err(format!(
                    "`bud.stability` limit {}: `storage` is empty; leave it out to mean every storage",
                    s.limit
                ));
            }
        }
        Ok(())
    }

    /// The storages a batch may be kept in: `storages`, or the usual storage alone. The usual
    /// storage comes first.
    pub fn allowed_storages(&self) -> Vec<Storage> {
        let mut v: Vec<Storage> = self.storage.into_iter().collect();
        v.extend(self.storages.iter().filter(|s| Some(**s) != self.storage));
        v
    }

    /// Chooses the preparation method (`--method`) and returns what [`beyond_use`] needs.
    /// A formula with methods needs one; a formula without methods accepts none.
    pub fn resolve(&self, method: Option<&str>) -> Result<Resolved> {
        self.check(Rules::embedded()).map_err(Error::Refused)?;
        let names = || {
            self.methods
                .keys()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let conditions = match (method, self.methods.is_empty()) {
            // A declaration without per-method variants holds for every method (a solution
            // formula is always planned with a method, `dilution` by default).
            (_, true) => self.base(),
            (None, false) => {
                return Err(Error::input(
                    "--method",
                    format!(
                        "one of {} (the formula's BUD depends on how it is made)",
                        names()
                    ),
                    "nothing",
                ))
            }
            (Some(m), false) => match self.methods.get(m) {
                Some(over) => self.base().overridden_by(over),
                None => {
                    return Err(Error::input(
                        "--method",
                        format!("one of {}", names()),
                        format!("`{m}`"),
                    ))
                }
            },
        };
        Ok(Resolved {
            kind: self.kind.expect("checked"),
            conditions,
            method: method.map(str::to_string),
            default_storage: self.storage.expect("checked"),
            storages: self.allowed_storages(),
            stability: self.stability.clone(),
            study: self.study.clone(),
            note: self.note.clone(),
        })
    }
}

impl Resolved {
    /// The storage of a batch: `asked` when the formula allows it, else the usual one. A storage
    /// the formula does not list is refused naming those it allows: the formula's storage
    /// statement, and the stability behind it, hold for those only.
    pub fn storage(&self, asked: Option<Storage>, formula: &str) -> Result<Storage> {
        match asked {
            None => Ok(self.default_storage),
            Some(s) if self.storages.contains(&s) => Ok(s),
            Some(s) => Err(Error::input(
                "--storage",
                format!(
                    "{} (the storage{} formula `{formula}` allows: its `bud.storages`)",
                    list_or(&self.storages),
                    if self.storages.len() == 1 { "" } else { "s" }
                ),
                format!("`{s}`"),
            )),
        }
    }
}

/// `` `room`, `refrigerator` `` for messages.
fn list(storages: &[Storage]) -> String {
    storages
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `` `room` or `refrigerator` `` for messages.
fn list_or(storages: &[Storage]) -> String {
    let v: Vec<String> = storages.iter().map(|s| format!("`{s}`")).collect();
    match v.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => v.join(""),
    }
}

/// When compounding began: a date, and the time when known (needed for limits in hours).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompoundedAt {
    /// The compounding date.
    pub date: NaiveDate,
    /// The time, if given.
    pub time: Option<NaiveTime>,
}

impl CompoundedAt {
    /// A date and time.
    pub fn at(at: NaiveDateTime) -> Self {
        CompoundedAt {
            date: at.date(),
            time: Some(at.time()),
        }
    }

    /// A date without a time.
    pub fn on(date: NaiveDate) -> Self {
        CompoundedAt { date, time: None }
    }

    /// Parses `2026-11-21`, `2026-11-21T09:30` or `2026-11-21 09:30[:00]` for `field`.
    pub fn parse(field: &str, text: &str) -> Result<Self> {
        let t = text.trim();
        let (d, time) = match t.split_once(['T', ' ']) {
            Some((d, time)) => (d, Some(time.trim())),
            None => (t, None),
        };
        let date = parse_date(field, d, t)?;
        let time = match time {
            None => None,
            Some(tm) => Some(
                NaiveTime::parse_from_str(tm, "%H:%M:%S")
                    .or_else(|_| NaiveTime::parse_from_str(tm, "%H:%M"))
                    .ok()
                    // chrono reads second 60 as a leap second; no clock in a pharmacy shows it.
                    .filter(|t| t.nanosecond() < 1_000_000_000)
                    .ok_or_else(|| {
                        Error::input(
                            field,
                            "a date `YYYY-MM-DD`, or a date and 24-hour time such as `2026-11-21T09:30`",
                            format!("`{t}` (no such time)"),
                        )
                    })?,
            ),
        };
        Ok(CompoundedAt { date, time })
    }

    /// The time of day as printed (`13:30`), when known.
    pub fn time_text(&self) -> Option<String> {
        self.time.map(format_time)
    }

    fn start(&self) -> NaiveDateTime {
        self.date.and_time(self.time.unwrap_or(NaiveTime::MIN))
    }
}

impl fmt::Display for CompoundedAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.time {
            Some(t) => write!(f, "{} {}", self.date, format_time(t)),
            None => write!(f, "{}", self.date),
        }
    }
}

impl Serialize for CompoundedAt {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("CompoundedAt", 3)?;
        st.serialize_field("date", &self.date.to_string())?;
        st.serialize_field("time", &self.time.map(format_time))?;
        st.serialize_field("text", &self.to_string())?;
        st.end()
    }
}

fn format_time(t: NaiveTime) -> String {
    if t.format("%S").to_string() == "00" {
        t.format("%H:%M").to_string()
    } else {
        t.format("%H:%M:%S").to_string()
    }
}

/// The years a date may fall in, on input and in anything planned from it (a series of sessions,
/// a beyond-use date): wide enough for any real use, and a guard against typos such as `0026`.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2199;

/// Parses a calendar date `YYYY-MM-DD` (years 2000 to 2199) for `field`; `whole` is what the
/// user wrote, quoted in the error.
pub fn parse_date(field: &str, text: &str, whole: &str) -> Result<NaiveDate> {
    let expected = "a date `YYYY-MM-DD` such as `2026-11-21`";
    let t = text.trim();
    let shaped = t.len() == 10
        && t.char_indices().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    if !shaped {
        return Err(Error::input(field, expected, crate::error::quote(whole)));
    }
    let date = NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| {
        Error::input(
            field,
            expected,
            format!("{} (no such day)", crate::error::quote(whole)),
        )
    })?;
    if !YEARS.contains(&date.year()) {
        return Err(Error::input(
            field,
            "a date with a year from 2000 to 2199",
            crate::error::quote(whole),
        ));
    }
    Ok(date)
}

/// Parses an expiry: `YYYY-MM-DD`, or `YYYY-MM` meaning the last day of that month (as
/// manufacturers print it).
pub fn parse_expiry(field: &str, text: &str, whole: &str) -> Result<NaiveDate> {
    let t = text.trim();
    if t.len() == 7 && t.as_bytes()[4] == b'-' {
        let first = parse_date(field, &format!("{t}-01"), whole)?;
        let next = first
            .checked_add_months(chrono::Months::new(1))
            .expect("years up to 2199");
        return Ok(next.pred_opt().expect("not the first day of time"));
    }
    parse_date(field, t, whole)
}

/// A component lot's expiry, one input of [`beyond_use`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComponentExpiry {
    /// Component id from the formula.
    pub id: String,
    /// Its name, as the record prints it.
    pub name: String,
    /// The lot number.
    pub lot: String,
    /// Last day the lot may be used.
    pub expiry: NaiveDate,
}

/// Which of the three kinds of limit set the BUD.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SetBy {
    /// The USP rule row for the storage.
    Rule,
    /// The formula's own stability-based limit.
    FormulaStability,
    /// A study the formula cites supports a longer limit than the USP rule's; it stands in
    /// for the rule.
    FormulaStudy,
    /// A component lot's expiry.
    ComponentExpiry,
    /// A shorter limit the pharmacist set for this batch (`‹bud_limit›`).
    Pharmacist,
}

/// One limit considered, with the date it gives.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    /// What kind of limit.
    pub kind: SetBy,
    /// The limit, for rule and stability limits.
    pub limit: Option<Limit>,
    /// Last day of use it gives.
    pub date: NaiveDate,
    /// Time of day it ends, for limits in hours.
    pub time: Option<String>,
    /// Who said so: the rule id and source, the stability reference, or the component and lot.
    pub reference: String,
    /// One line for people.
    pub text: String,
    #[serde(skip)]
    end: NaiveDateTime,
}

/// The rule row that applied.
#[derive(Debug, Clone, Serialize)]
pub struct RuleApplied {
    /// Row id (for the data file; sheets print `name`).
    pub id: String,
    /// The rule as people cite it ([`Rule::name`]).
    pub name: String,
    /// Which preparations it covers.
    pub preparation: String,
    /// Its limit for the chosen storage.
    pub limit: Limit,
    /// Its source.
    pub source: String,
    /// Confidence in the source.
    pub confidence: String,
}

/// The beyond-use date and everything behind it.
#[derive(Debug, Clone, Serialize)]
pub struct BudResult {
    /// Last day of use.
    pub date: NaiveDate,
    /// Time of day it ends (`HH:MM`), when the BUD is counted in hours.
    pub time: Option<String>,
    /// The BUD as printed: `2027-05-19`, or `2026-11-21 21:30` for hours.
    pub text: String,
    /// Which limit set it.
    pub set_by: SetBy,
    /// Why, in one sentence.
    pub reason: String,
    /// The storage it holds for.
    pub storage: Storage,
    /// The storage as a label reads it.
    pub storage_text: String,
    /// The day-counting convention.
    pub convention: DayCount,
    /// The convention, as printed.
    pub convention_text: String,
    /// When compounding began.
    pub compounded_at: CompoundedAt,
    /// The rule row for the preparation and storage.
    pub rule: RuleApplied,
    /// The preparation method chosen, if the formula has several.
    pub method: Option<String>,
    /// The declaration evaluated.
    pub conditions: Conditions,
    /// Every limit considered, earliest first.
    pub limits: Vec<Candidate>,
}

/// The USP rule row that covers a resolved declaration, and its limit at `storage`.
fn rule_for(decl: &Resolved, storage: Storage) -> Result<(&'static Rule, Limit)> {
    let rule = Rules::embedded()
        .find(decl.kind, &decl.conditions)
        .map_err(|e| Error::Refused(e.to_string()))?;
    let limit = rule.limit(storage).ok_or_else(|| {
        Error::input(
            "--storage",
            format!(
                "{} ({} gives no BUD for other storage)",
                rule.allowed(),
                rule.name()
            ),
            format!("`{storage}`"),
        )
    })?;
    Ok((rule, limit))
}

/// The shortest limit a resolved declaration earns at one storage before any date is known.
///
/// The USP rule's limit, or the formula's own stability limit when shorter; component expiries
/// are not known yet. Planners that need a BUD as a duration (a series of sessions) use this,
/// so the rules file stays the one source of beyond-use dates.
#[derive(Debug, Clone, Serialize)]
pub struct DurationLimit {
    /// The limit.
    pub limit: Limit,
    /// The storage it applies to.
    pub storage: Storage,
    /// What set it: the rule (id and source) or the formula's stability limit.
    pub reason: String,
}

impl fmt::Display for DurationLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.limit, self.storage.phrase())
    }
}

fn limit_hours(l: Limit) -> u64 {
    match l.unit {
        LimitUnit::Days => u64::from(l.amount) * 24,
        LimitUnit::Hours => u64::from(l.amount),
    }
}

/// The formula's longest study-supported limit for `storage`, when it is longer than the
/// rule's.
fn longest_study(decl: &Resolved, storage: Storage, rule: Limit) -> Option<&StabilityLimit> {
    decl.study
        .iter()
        .filter(|s| s.applies(storage) && limit_hours(s.limit) > limit_hours(rule))
        .max_by_key(|s| limit_hours(s.limit))
}

/// See [`DurationLimit`].
pub fn duration_limit(decl: &Resolved, storage: Storage) -> Result<DurationLimit> {
    let (rule, rule_limit) = rule_for(decl, storage)?;
    let hours = |l: Limit| match l.unit {
        LimitUnit::Days => u64::from(l.amount) * 24,
        LimitUnit::Hours => u64::from(l.amount),
    };
    let mut best = match longest_study(decl, storage, rule_limit) {
        Some(s) => DurationLimit {
            limit: s.limit,
            storage,
            reason: format!(
                "the formula's study-supported limit, longer than {} ({rule_limit}): {}",
                rule.name(),
                s.reference
            ),
        },
        None => DurationLimit {
            limit: rule_limit,
            storage,
            reason: format!("{} — {}", rule.name(), rule.source),
        },
    };
    for s in decl.stability.iter().filter(|s| s.applies(storage)) {
        if hours(s.limit) < hours(best.limit) {
            best = DurationLimit {
                limit: s.limit,
                storage,
                reason: format!("the formula's stability limit ({})", s.reference),
            };
        }
    }
    Ok(best)
}

/// The beyond-use date of a batch: the earliest of the rule's limit for `storage`, the
/// formula's stability limits for it, and the component expiries. A component that expires
/// before the compounding date is refused, as is a storage the rule does not allow and a limit
/// in hours without a compounding time.
pub fn beyond_use(
    decl: &Resolved,
    storage: Storage,
    compounded: CompoundedAt,
    components: &[ComponentExpiry],
    convention: DayCount,
) -> Result<BudResult> {
    beyond_use_limited(decl, storage, compounded, components, convention, None)
}

/// The limit a pharmacist set (`‹bud_limit›`, whole days), as a candidate like the rule's.
fn pharmacist_limit(
    days: crate::days::Days,
    storage: Storage,
    compounded: CompoundedAt,
    convention: DayCount,
    sterile: bool,
) -> Result<Candidate> {
    limit_candidate(
        SetBy::Pharmacist,
        Limit::days(days.get()),
        compounded,
        convention,
        sterile,
        "set by the pharmacist".into(),
        format!(
            "the pharmacist's shorter limit ({BUD_LIMIT} {days}) {}",
            storage.phrase()
        ),
    )
}

/// [`beyond_use`], with a shorter limit the pharmacist set (`shorter`, whole days) considered
/// beside the others: the BUD is the earliest of them all; a limit longer than the rule's (or
/// the study's) is refused, since it can only shorten the BUD.
pub fn beyond_use_limited(
    decl: &Resolved,
    storage: Storage,
    compounded: CompoundedAt,
    components: &[ComponentExpiry],
    convention: DayCount,
    shorter: Option<crate::days::Days>,
) -> Result<BudResult> {
    let (rule, rule_limit) = rule_for(decl, storage)?;

    let mut limits = Vec::new();
    let reference = format!("{} — {}", rule.id, rule.source);
    let sterile = decl.kind == BudKind::Sterile;
    // A study the formula cites stands in for the rule's limit when it supports a longer one.
    limits.push(match longest_study(decl, storage, rule_limit) {
        None => limit_candidate(
            SetBy::Rule,
            rule_limit,
            compounded,
            convention,
            sterile,
            reference,
            format!("{}: {rule_limit} {}", rule.name(), storage.phrase()),
        )?,
        Some(s) => limit_candidate(
            SetBy::FormulaStudy,
            s.limit,
            compounded,
            convention,
            sterile,
            s.reference.clone(),
            format!(
                "the formula's study-supported limit: {} {} (longer than {}'s {rule_limit}), supported by {}",
                s.limit,
                storage.phrase(),
                rule.name(),
                s.reference
            ),
        )?,
    });
    for s in decl.stability.iter().filter(|s| s.applies(storage)) {
        limits.push(limit_candidate(
            SetBy::FormulaStability,
            s.limit,
            compounded,
            convention,
            sterile,
            s.reference.clone(),
            format!(
                "the formula's stability limit: {} ({})",
                s.limit, s.reference
            ),
        )?);
    }
    if let Some(days) = shorter {
        let given = pharmacist_limit(days, storage, compounded, convention, sterile)?;
        // The pharmacist's own limit can only shorten the BUD: one longer than the rule's (or
        // the study's) would read as if it extended it.
        if given.end > limits[0].end {
            return Err(Error::input(
                BUD_LIMIT,
                format!(
                    "at most the {} of {} {} (a limit set by the pharmacist may only shorten the BUD)",
                    limits[0].limit.map(|l| l.to_string()).unwrap_or_default(),
                    rule.name(),
                    storage.phrase()
                ),
                format!("`{days}`"),
            ));
        }
        limits.push(given);
    }
    for c in components {
        if c.expiry < compounded.date {
            return Err(Error::input(
                "--component",
                format!(
                    "a lot that has not expired by the compounding date {}",
                    compounded.date
                ),
                format!(
                    "`{}` lot `{}` expiring {} (before the compounding date)",
                    c.id, c.lot, c.expiry
                ),
            ));
        }
        limits.push(Candidate {
            kind: SetBy::ComponentExpiry,
            limit: None,
            date: c.expiry,
            time: None,
            reference: format!("component `{}` lot `{}`", c.id, c.lot),
            text: format!("the expiry of {} lot {}", c.name, c.lot),
            end: end_of_day(c.expiry)?,
        });
    }
    // Stable sort: on a tie the rule comes first, then the formula, then the components.
    limits.sort_by_key(|c| c.end);
    let first = &limits[0];
    let text = match &first.time {
        Some(t) => format!("{} {t}", first.date),
        None => first.date.to_string(),
    };
    let base = limits
        .iter()
        .find(|c| matches!(c.kind, SetBy::Rule | SetBy::FormulaStudy))
        .expect("the rule, or a study standing in for it, is always considered");
    let (base_limit, rule_date) = (base.limit.unwrap_or(rule_limit), base.date);
    let reason = match first.kind {
        SetBy::Rule | SetBy::FormulaStudy => format!("set by {}", first.text),
        SetBy::FormulaStability | SetBy::ComponentExpiry | SetBy::Pharmacist => format!(
            "set by {}, earlier than the {} ({base_limit}: {rule_date})",
            first.text,
            if base.kind == SetBy::FormulaStudy {
                "study-supported limit"
            } else {
                "USP rule"
            }
        ),
    };
    Ok(BudResult {
        date: first.date,
        time: first.time.clone(),
        text,
        set_by: first.kind,
        reason,
        storage,
        storage_text: storage.label().to_string(),
        convention,
        convention_text: convention.explanation().to_string(),
        compounded_at: compounded,
        rule: RuleApplied {
            id: rule.id.clone(),
            name: rule.name(),
            preparation: rule.preparation.clone(),
            limit: rule_limit,
            source: rule.source.clone(),
            confidence: rule.confidence.clone(),
        },
        method: decl.method.clone(),
        conditions: decl.conditions.clone(),
        limits,
    })
}

/// The limit of the syringes drawn up for a session: the syringe rule's, counted from the
/// time they are drawn up, and never after the vial's beyond-use date.
#[derive(Debug, Clone, Serialize)]
pub struct SyringeLimit {
    /// How they are drawn up.
    pub drawn_up: DrawnUp,
    /// The rule row applied.
    pub rule_id: String,
    /// Its limit (for an immediate-use syringe, the time within which it is given).
    pub limit: Limit,
    /// The storage the limit is for; `None` for an immediate-use syringe (never stored).
    pub storage: Option<Storage>,
    /// The rule's source.
    pub source: String,
    /// Confidence in the source.
    pub confidence: String,
    /// When the syringes are drawn up, when given.
    pub drawn_at: Option<CompoundedAt>,
    /// The end: the time given by (immediate use) or the syringe's BUD (ISO 5), when the
    /// drawing-up time is known. A date alone when it is the vial's BUD of a whole day.
    pub until: Option<CompoundedAt>,
    /// Whether the vial's beyond-use date ends it before the rule's limit does.
    pub set_by_vial: bool,
}

/// See [`SyringeLimit`]. `storage` is the syringe's storage (used for ISO 5 only: an
/// immediate-use syringe is given, not stored); `drawn_at` the date and time the syringes are
/// drawn up; `vial_bud` the beyond-use date of the vial they are drawn from. Drawing up after
/// the vial's BUD is refused.
pub fn syringe_limit(
    rules: &Rules,
    drawn_up: DrawnUp,
    storage: Storage,
    drawn_at: Option<NaiveDateTime>,
    vial_bud: Option<CompoundedAt>,
) -> Result<SyringeLimit> {
    let rule = rules.syringe_rule(drawn_up);
    let (limit, storage) = match drawn_up {
        DrawnUp::ImmediateUse => (rule.room.expect("checked by Rules::parse"), None),
        DrawnUp::Iso5 => match rule.limit(storage) {
            Some(l) => (l, Some(storage)),
            None => {
                return Err(Error::Refused(format!(
                    "the syringe rule `{}` gives no limit for storage {}: it cannot be used for syringes of this formula",
                    rule.id,
                    storage.phrase()
                )))
            }
        },
    };
    // The vial's BUD ends at its time, or at the end of its day.
    let vial_end = vial_bud
        .map(|b| match b.time {
            Some(_) => Ok(b.start()),
            None => end_of_day(b.date),
        })
        .transpose()?;
    let (until, set_by_vial) = match drawn_at {
        None => (None, false),
        Some(at) => {
            if let (Some(end), Some(b)) = (vial_end, vial_bud) {
                if at >= end {
                    return Err(Error::Refused(format!(
                        "the vial's beyond-use date {b} has passed when the syringes are drawn up ({}): do not use it; prepare a new batch",
                        CompoundedAt::at(at)
                    )));
                }
            }
            let by_rule = match limit.unit {
                LimitUnit::Hours => at.checked_add_signed(TimeDelta::hours(limit.amount.into())),
                LimitUnit::Days => at.checked_add_days(Days::new(limit.amount.into())),
            }
            .ok_or_else(out_of_range)?;
            match (vial_end, vial_bud) {
                (Some(end), Some(b)) if end < by_rule => (Some(b), true),
                _ => (Some(CompoundedAt::at(by_rule)), false),
            }
        }
    };
    Ok(SyringeLimit {
        drawn_up,
        rule_id: rule.id.clone(),
        limit,
        storage,
        source: rule.source.clone(),
        confidence: rule.confidence.clone(),
        drawn_at: drawn_at.map(CompoundedAt::at),
        until,
        set_by_vial,
    })
}

fn out_of_range() -> Error {
    Error::Refused("the beyond-use date falls outside the calendar stscalc handles".into())
}

/// The first instant after `date`: a date limit holds through the whole of its last day.
fn end_of_day(date: NaiveDate) -> Result<NaiveDateTime> {
    date.succ_opt()
        .map(|d| d.and_time(NaiveTime::MIN))
        .ok_or_else(out_of_range)
}

/// One limit's end. `sterile`: USP <797> counts a sterile preparation's BUD from the time
/// compounding starts, so counted with the compounding day as day 0 a limit in days ends at the
/// compounding time of its last day (a date alone would give up to a day more than <797>
/// allows), and that needs the time.
fn limit_candidate(
    kind: SetBy,
    limit: Limit,
    compounded: CompoundedAt,
    convention: DayCount,
    sterile: bool,
    reference: String,
    text: String,
) -> Result<Candidate> {
    // Limits counted from the compounding time (hours, and a sterile day-zero count) need that
    // time, and end at an instant rather than at the end of a day.
    let timed = |why: String, add: &dyn Fn(NaiveDateTime) -> Option<NaiveDateTime>| {
        if compounded.time.is_none() {
            return Err(Error::input(
                "--date",
                format!("a date and time such as `{}T09:30`, {why}", compounded.date),
                format!("`{}`", compounded.date),
            ));
        }
        let end = add(compounded.start()).ok_or_else(out_of_range)?;
        Ok(Candidate {
            kind,
            limit: Some(limit),
            date: end.date(),
            time: Some(format_time(end.time())),
            reference: reference.clone(),
            text: format!("{text}, counted from the compounding time {compounded}"),
            end,
        })
    };
    match limit.unit {
        LimitUnit::Days if sterile && convention == DayCount::DayZero => timed(
            "because with `--bud-count day-zero` a sterile preparation's BUD is counted from the time compounding starts (USP <797>); or use `--bud-count day-one`".into(),
            &|start| start.checked_add_days(Days::new(limit.amount.into())),
        ),
        LimitUnit::Hours => timed(
            format!("because the limit {limit} is counted in hours"),
            &|start| start.checked_add_signed(TimeDelta::hours(limit.amount.into())),
        ),
        LimitUnit::Days => {
            let date = compounded
                .date
                .checked_add_days(Days::new(convention.offset(limit.amount).into()))
                .ok_or_else(out_of_range)?;
            Ok(Candidate {
                kind,
                limit: Some(limit),
                date,
                time: None,
                reference,
                text,
                end: end_of_day(date)?,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_rules_parse() {
        let r = Rules::parse(RULES_FILE, RULES_TOML).unwrap();
        assert_eq!(r.nonsterile.len(), 4);
        assert_eq!(r.sterile.len(), 8);
        assert_eq!(r.syringe.len(), 2);
    }

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn immediate_use_syringe_is_given_within_4_hours_of_drawing_up() {
        let rules = Rules::embedded();
        // The window comes from the data file, not from this test's constant.
        let window = rules.syringe_rule(DrawnUp::ImmediateUse).room.unwrap();
        assert_eq!(window, Limit::hours(4));
        // Drawn up 09:30, 4 hours later: 13:30 the same day; the vial's BUD is days later.
        let vial = CompoundedAt::parse("b", "2026-11-30").unwrap();
        let l = syringe_limit(
            rules,
            DrawnUp::ImmediateUse,
            Storage::Refrigerator,
            Some(at("2026-11-23 09:30")),
            Some(vial),
        )
        .unwrap();
        assert_eq!(l.until.unwrap().to_string(), "2026-11-23 13:30");
        assert!(!l.set_by_vial);
        assert_eq!(l.storage, None);
    }

    #[test]
    fn iso5_syringe_bud_is_never_after_the_vial_bud() {
        let rules = Rules::embedded();
        // Refrigerated, Category 1: 24 hours. Drawn up 2026-11-23 09:30 → 2026-11-24 09:30.
        let vial = CompoundedAt::parse("b", "2026-11-30").unwrap();
        let l = syringe_limit(
            rules,
            DrawnUp::Iso5,
            Storage::Refrigerator,
            Some(at("2026-11-23 09:30")),
            Some(vial),
        )
        .unwrap();
        assert_eq!(l.limit, Limit::hours(24));
        assert_eq!(l.until.unwrap().to_string(), "2026-11-24 09:30");
        // A vial whose BUD ends on the drawing-up day: the syringe ends with the vial.
        let vial = CompoundedAt::parse("b", "2026-11-23").unwrap();
        let l = syringe_limit(
            rules,
            DrawnUp::Iso5,
            Storage::Refrigerator,
            Some(at("2026-11-23 09:30")),
            Some(vial),
        )
        .unwrap();
        assert!(l.set_by_vial);
        assert_eq!(l.until.unwrap().to_string(), "2026-11-23");
        // Drawn up after the vial's BUD: refused.
        let vial = CompoundedAt::parse("b", "2026-11-23T09:00").unwrap();
        assert!(syringe_limit(
            rules,
            DrawnUp::Iso5,
            Storage::Refrigerator,
            Some(at("2026-11-23 09:30")),
            Some(vial)
        )
        .is_err());
    }

    /// Every combination of declared values matches at most one row, and a complete
    /// declaration is never asked for a field it already has.
    #[test]
    fn no_declaration_matches_two_rows() {
        let rules = Rules::embedded();
        let bools = [None, Some(false), Some(true)];
        for water in [None, Some(Water::Aqueous), Some(Water::Nonaqueous)] {
            for preserved in bools {
                for oral_liquid in bools {
                    let c = Conditions {
                        water,
                        preserved,
                        oral_liquid,
                        ..Default::default()
                    };
                    assert!(
                        !matches!(
                            rules.find(BudKind::Nonsterile, &c),
                            Err(FindError::Ambiguous(_))
                        ),
                        "{c:?}"
                    );
                }
            }
        }
        for category in [None, Some(1), Some(2), Some(3)] {
            for sterilization in [
                None,
                Some(Sterilization::Aseptic),
                Some(Sterilization::Terminal),
            ] {
                for sterility_tested in bools {
                    for all_components_sterile in bools {
                        let c = Conditions {
                            category,
                            sterilization,
                            sterility_tested,
                            all_components_sterile,
                            ..Default::default()
                        };
                        assert!(
                            !matches!(
                                rules.find(BudKind::Sterile, &c),
                                Err(FindError::Ambiguous(_))
                            ),
                            "{c:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn limits_parse_and_print() {
        assert_eq!("14 days".parse::<Limit>().unwrap(), Limit::days(14));
        assert_eq!("1 hour".parse::<Limit>().unwrap().to_string(), "1 hour");
        assert!("0 days".parse::<Limit>().is_err());
        assert!("14".parse::<Limit>().is_err());
        assert!("2 weeks".parse::<Limit>().is_err());
    }

    #[test]
    fn month_only_expiry_is_the_last_day() {
        let d = parse_expiry("e", "2028-02", "2028-02").unwrap();
        assert_eq!(d, NaiveDate::from_ymd_opt(2028, 2, 29).unwrap());
    }
}
