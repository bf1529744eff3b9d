//! The potency limits a batch is verified against: the tolerance (percent of labeled strength)
//! and the rescue limit (how much a correction may add before the batch is rejected). A
//! formula may set its own (`[tolerance]`, `[rescue]`); the defaults are `data/potency.toml`'s.

use std::sync::OnceLock;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::data::{from_toml, FileKind};
use crate::quantity::Percent;

const POTENCY_FILE: &str = "data/potency.toml";
const POTENCY_TOML: &str = include_str!("../../data/potency.toml");

/// Acceptable potency, as percentages of the labeled strength.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tolerance {
    /// Lowest acceptable, e.g. `90 %`.
    pub low: Percent,
    /// Highest acceptable, e.g. `110 %`.
    pub high: Percent,
    /// Where the limits come from.
    pub source: String,
}

/// How far a failed batch may be corrected before it is rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rescue {
    /// The most a correction may add in all (additions made and proposed), as a percentage of
    /// the batch first weighed, e.g. `10 %`.
    pub max_addition: Percent,
    /// Why that limit.
    pub reason: String,
}

impl Rescue {
    /// The default of `data/potency.toml`, parsed once.
    pub fn default_rescue() -> &'static Rescue {
        &potency_file().rescue
    }

    /// Checks `0 % < max_addition ≤ 100 %` and a reason; the message names `name`.
    pub fn check(&self, name: &str) -> std::result::Result<(), String> {
        let m = self.max_addition.value();
        if m <= Decimal::ZERO || m > Decimal::ONE_HUNDRED {
            return Err(format!(
                "`{name}.max_addition` is {}: expected a percentage of the batch above 0 % and at most 100 %",
                self.max_addition
            ));
        }
        if self.reason.trim().is_empty() {
            return Err(format!(
                "`{name}.reason` is empty: expected why the limit is where it is"
            ));
        }
        Ok(())
    }
}

/// `data/potency.toml`: the default tolerance and the default rescue limit.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PotencyFile {
    low: Percent,
    high: Percent,
    source: String,
    rescue: Rescue,
    #[serde(skip)]
    tolerance: Option<Tolerance>,
}

fn potency_file() -> &'static PotencyFile {
    static CELL: OnceLock<PotencyFile> = OnceLock::new();
    CELL.get_or_init(|| {
        let mut p: PotencyFile = from_toml(FileKind::Data, POTENCY_FILE, POTENCY_TOML)
            .expect("the embedded potency file is checked by the test suite");
        let t = Tolerance {
            low: p.low,
            high: p.high,
            source: p.source.clone(),
        };
        t.check("tolerance")
            .expect("the embedded potency file is valid");
        p.rescue
            .check("rescue")
            .expect("the embedded potency file is valid");
        p.tolerance = Some(t);
        p
    })
}

impl Tolerance {
    /// The default of `data/potency.toml` (90-110 % of labeled strength), parsed once.
    pub fn default_tolerance() -> &'static Tolerance {
        potency_file()
            .tolerance
            .as_ref()
            .expect("set when the file is read")
    }

    /// Checks `0 % < low ≤ 100 % ≤ high` and a source; the message names `name`.
    pub fn check(&self, name: &str) -> std::result::Result<(), String> {
        let hundred = Decimal::ONE_HUNDRED;
        let (l, h) = (self.low.value(), self.high.value());
        if l <= Decimal::ZERO || l > hundred || h < hundred {
            return Err(format!(
                "`{name}` is {} to {}: expected a low limit above 0 % and at most 100 %, and a high limit of at least 100 % of label",
                self.low, self.high
            ));
        }
        if self.source.trim().is_empty() {
            return Err(format!(
                "`{name}.source` is empty: expected where the limits come from"
            ));
        }
        Ok(())
    }

    /// Whether `of_label` (percent of labeled strength) is within the limits, inclusive.
    pub fn contains(&self, of_label: Decimal) -> bool {
        of_label >= self.low.value() && of_label <= self.high.value()
    }
}
