//! The syringes a dose is drawn into (`data/syringes.toml`): capacity, graduation, dead space
//! and needle, and which syringe measures a volume well.

use std::sync::OnceLock;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::data::{from_toml, FileKind};
use crate::error::{Error, Result};
use crate::quantity::{Percent, Volume};

/// One syringe size.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Syringe {
    /// Name for people.
    pub name: String,
    /// Nominal capacity.
    pub capacity: Volume,
    /// Smallest graduation.
    pub graduation: Volume,
    /// Volume the syringe keeps after injection.
    pub dead_space: Volume,
    /// Where the figures come from.
    pub source: String,
}

/// The needle's hub dead space.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Needle {
    /// Volume the needle hub keeps.
    pub dead_space: Volume,
    /// Where the figure comes from.
    pub source: String,
}

/// The syringe table (`data/syringes.toml`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyringeTable {
    /// Below this share of capacity a dose is flagged.
    pub min_fraction: Percent,
    /// Where the rule comes from.
    pub min_fraction_source: String,
    /// The largest change rounding to a graduation may make to a dose, as a share of the dose;
    /// a larger change is refused.
    pub max_dose_change: Percent,
    /// Where that bound comes from.
    pub max_dose_change_source: String,
    /// The needle used with every syringe.
    pub needle: Needle,
    /// Sizes, smallest first.
    pub syringes: Vec<Syringe>,
}

const SYRINGES_TOML: &str = include_str!("../../data/syringes.toml");

impl SyringeTable {
    /// Parses and checks a syringe table: sizes listed smallest first, graduations above zero
    /// that divide the capacity, dead spaces not negative.
    pub fn parse(file: &str, text: &str) -> Result<SyringeTable> {
        let t: SyringeTable = from_toml(FileKind::Data, file, text)?;
        let bad = |message: String| Error::DataFile {
            file: file.to_string(),
            line: None,
            column: None,
            message,
        };
        if t.syringes.is_empty() {
            return Err(bad("`syringes` is empty: expected at least one size".into()));
        }
        let mut previous = Decimal::ZERO;
        for s in &t.syringes {
            let (cap, grad) = (s.capacity.ml(), s.graduation.ml());
            if cap <= previous {
                return Err(bad(format!(
                    "syringe `{}`: expected sizes listed smallest first, each larger than the one before",
                    s.name
                )));
            }
            if grad <= Decimal::ZERO || !(cap % grad).is_zero() {
                return Err(bad(format!(
                    "syringe `{}`: expected a graduation above zero that divides the capacity {}, found {}",
                    s.name, s.capacity, s.graduation
                )));
            }
            if s.dead_space.ml() < Decimal::ZERO {
                return Err(bad(format!("syringe `{}`: negative dead space", s.name)));
            }
            previous = cap;
        }
        if t.needle.dead_space.ml() < Decimal::ZERO {
            return Err(bad("`needle.dead_space` is negative".into()));
        }
        for (name, p) in [
            ("min_fraction", t.min_fraction),
            ("max_dose_change", t.max_dose_change),
        ] {
            if p.value() < Decimal::ZERO || p.value() >= Decimal::ONE_HUNDRED {
                return Err(bad(format!(
                    "`{name}` is {p}: expected a percentage from 0 % to below 100 %"
                )));
            }
        }
        Ok(t)
    }

    /// Whether a syringe of the table measures `v` well: one whose graduation measures `v`
    /// (divides it) and of which `v` is at least `min_fraction` of the capacity (a volume above
    /// the capacity takes several fills).
    pub fn fit(&self, v: Volume) -> SyringeFit {
        let mut measuring = self
            .syringes
            .iter()
            .filter(|s| (v.ml() % s.graduation.ml()).is_zero())
            .peekable();
        let Some(smallest) = measuring.peek().map(|s| (*s).clone()) else {
            return SyringeFit::NoSyringe;
        };
        if measuring.any(|s| v.ml() >= s.capacity.ml() * self.min_fraction.fraction()) {
            SyringeFit::Fits
        } else {
            SyringeFit::TooSmall {
                name: smallest.name,
                minimum: Volume::from_ml(smallest.capacity.ml() * self.min_fraction.fraction()),
            }
        }
    }

    /// The shipped table, parsed once.
    pub fn embedded() -> &'static SyringeTable {
        static CELL: OnceLock<SyringeTable> = OnceLock::new();
        CELL.get_or_init(|| {
            SyringeTable::parse("data/syringes.toml", SYRINGES_TOML)
                .expect("the embedded syringe table is checked by the test suite")
        })
    }

    /// The smallest syringe that holds `v`, if any.
    pub fn smallest_holding(&self, v: Volume) -> Option<&Syringe> {
        self.syringes.iter().find(|s| s.capacity >= v)
    }
}

/// How well the syringe table measures a volume ([`SyringeTable::fit`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyringeFit {
    /// A syringe whose graduation measures it holds it at no less than the minimum share.
    Fits,
    /// Every syringe whose graduation measures it is too large for it.
    TooSmall {
        /// The smallest of them.
        name: String,
        /// The least it measures well (`min_fraction` of its capacity).
        minimum: Volume,
    },
    /// No syringe's graduation measures it: another device is assumed.
    NoSyringe,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_syringe_table_loads() {
        let t = SyringeTable::embedded();
        assert_eq!(t.syringes.len(), 3);
    }

    #[test]
    fn a_volume_fits_a_syringe_whose_graduation_measures_it_at_20_percent() {
        let t = SyringeTable::embedded();
        let ml = |s: &str| Volume::from_ml(Decimal::from_str_exact(s).unwrap());
        // 0.2 mL is 20 % of the 1 mL syringe (0.01 mL graduations): measured well.
        assert_eq!(t.fit(ml("0.2")), SyringeFit::Fits);
        // 0.1 mL is below 20 % of 1 mL and of 3 mL; the 5 mL syringe's 0.2 mL does not divide it.
        assert!(
            matches!(t.fit(ml("0.1")), SyringeFit::TooSmall { ref name, .. } if name == "1 mL tuberculin syringe")
        );
        // 0.005 mL is on no syringe's graduation: another device is assumed.
        assert_eq!(t.fit(ml("0.005")), SyringeFit::NoSyringe);
    }

    #[test]
    fn refuses_a_dose_change_bound_of_100_percent() {
        let text = SYRINGES_TOML.replacen(
            "max_dose_change = \"5 %\"",
            "max_dose_change = \"100 %\"",
            1,
        );
        let e = SyringeTable::parse("s.toml", &text)
            .unwrap_err()
            .to_string();
        assert!(e.contains("max_dose_change"), "{e}");
    }

    #[test]
    fn refuses_an_unsorted_table() {
        let text = SYRINGES_TOML.replacen("capacity = \"1 mL\"", "capacity = \"4 mL\"", 1);
        let e = SyringeTable::parse("s.toml", &text)
            .unwrap_err()
            .to_string();
        assert!(e.contains("smallest first"), "{e}");
    }
}
