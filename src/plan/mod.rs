//! Pure calculations. A plan takes validated inputs and returns plain data (`Serialize`) that
//! every output format shows unchanged; nothing here prints or touches files.

pub mod ointment;
pub mod record;
pub mod series;
pub mod session;
pub mod solution;
pub mod supply;
pub mod syringe;
pub mod text;
pub mod verify;
pub mod verify_solution;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use crate::quantity::{Mass, Percent};

/// How much to make: a total, or a number of containers of a given fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "by", rename_all = "kebab-case")]
pub enum BatchSize {
    /// A total mass.
    Total {
        /// The total.
        total: Mass,
    },
    /// `count` containers of `fill` each.
    Containers {
        /// How many containers.
        count: u32,
        /// Fill of each.
        fill: Mass,
    },
}

impl BatchSize {
    /// The nominal total, before overage.
    pub fn nominal(&self) -> Mass {
        match *self {
            BatchSize::Total { total } => total,
            BatchSize::Containers { count, fill } => Mass::from_g(fill.g() * Decimal::from(count)),
        }
    }
}

/// Extra made to cover compounding loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "amount", rename_all = "kebab-case")]
pub enum Overage {
    /// A percentage of the nominal batch.
    Percent(Percent),
    /// A fixed extra mass.
    Amount(Mass),
}

impl Overage {
    /// The total to make from `nominal`.
    pub fn apply(&self, nominal: Mass) -> Mass {
        match *self {
            Overage::Percent(p) => Mass::from_g(nominal.g() * (Decimal::ONE + p.fraction())),
            Overage::Amount(m) => Mass::from_g(nominal.g() + m.g()),
        }
    }
}

/// The balance readability assumed when none is given (`--readability`'s default), also used
/// to size a powder batch that `stscalc session` suggests.
pub fn default_readability() -> Mass {
    // 0.001 g: a milligram analytical balance.
    Mass::from_g(Decimal::new(1, 3))
}

/// The balance used, and so the smallest quantity it may weigh (USP <41>).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Balance {
    /// Readability `d` (the smallest displayed step).
    pub readability: Mass,
    /// Measured repeatability standard deviation, if known.
    pub repeatability: Option<Mass>,
}

impl Balance {
    /// USP <41>: minimum weight = 2000 × s, where s is the repeatability standard deviation and
    /// is taken as at least 0.41 d; so at least 820 d.
    pub fn minimum_weight(&self) -> Mass {
        let floor = self.readability.g() * Decimal::new(41, 2);
        let s = self.repeatability.map_or(floor, |r| r.g().max(floor));
        Mass::from_g(s * Decimal::from(2000))
    }

    /// How the minimum weight was derived, for the sheet.
    pub fn minimum_weight_basis(&self) -> String {
        let min = self.minimum_weight();
        match self.repeatability {
            Some(r) if r.g() >= self.readability.g() * Decimal::new(41, 2) => {
                format!("USP <41>: 2000 × repeatability {r} = {min}")
            }
            _ => format!(
                "USP <41>: 2000 × 0.41 × readability {} = {min} (repeatability taken as its floor, 0.41 d)",
                self.readability
            ),
        }
    }

    /// Rounds a calculated mass to the nearest readable step, half away from zero.
    pub fn round(&self, m: Mass) -> Mass {
        round_to_step(m, self.readability)
    }
}

/// How [`round_to_step`] rounds, as every sheet states it.
pub const NEAREST_STEP: &str = "nearest step, halves away from zero";

/// Rounds `x` to a multiple of `step` with `strategy`: the one rounding of a quantity to a
/// balance readability, a measuring step or a syringe graduation.
///
/// When `x` is more than 10^28 steps (only reachable from extreme inputs, such as a 10^12 g
/// batch at a 10^-12 % assay weighed to 10^-12 g), a step is below the last digit an exact
/// decimal holds for `x`, so `x` is returned as it is instead of overflowing.
pub fn round_to_multiple(x: Decimal, step: Decimal, strategy: RoundingStrategy) -> Decimal {
    x.checked_div(step)
        .and_then(|n| n.round_dp_with_strategy(0, strategy).checked_mul(step))
        .unwrap_or(x)
}

/// Rounds `m` to the nearest multiple of `step`, halves away from zero ([`NEAREST_STEP`]).
pub fn round_to_step(m: Mass, step: Mass) -> Mass {
    Mass::from_g(round_to_multiple(
        m.g(),
        step.g(),
        RoundingStrategy::MidpointAwayFromZero,
    ))
}

/// Writes a percentage to two decimals, marked `≈` when that cut digits.
pub fn display_percent(p: Decimal, unit: &str) -> String {
    crate::quantity::format_calculated(p, unit, 2)
}

/// Writes a factor to six decimals, marked `≈` when that cut digits.
pub fn display_factor(f: Decimal) -> String {
    let rounded = f.round_dp_with_strategy(6, RoundingStrategy::MidpointAwayFromZero);
    if rounded == f {
        crate::quantity::format_number(f)
    } else {
        format!("≈ {}", crate::quantity::format_number(rounded))
    }
}
