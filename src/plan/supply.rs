//! Topical supply: how much ointment a patient needs for a course of daily applications, and the
//! containers to fill, ready to feed `stscalc batch --containers`.
//!
//! The amount per application is a mass or a number of fingertip units (FTU); the FTU's mass and
//! the length of a month are data (`data/topical.toml`) with their source, printed with the
//! result. Nothing here prints or touches files.

use std::sync::OnceLock;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::ointment::FormulaRef;
use crate::data::{from_toml, FileKind};
use crate::days::Days;
use crate::error::{Error, Result};
use crate::formula::{Entry, Preparation};
use crate::quantity::{format_number, parse_positive, Mass};

/// The fingertip unit as data.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FingertipUnit {
    /// Mass of one FTU.
    pub mass: Mass,
    /// Whose fingertip.
    pub applies_to: String,
    /// Where the figure comes from.
    pub source: String,
}

/// The month as data.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Month {
    /// Days counted per month.
    pub days: Days,
    /// Why.
    pub reason: String,
}

/// `data/topical.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicalData {
    /// The fingertip unit.
    pub fingertip_unit: FingertipUnit,
    /// The month.
    pub month: Month,
}

const TOPICAL_TOML: &str = include_str!("../../data/topical.toml");

impl TopicalData {
    /// The shipped data, parsed once.
    pub fn embedded() -> &'static TopicalData {
        static CELL: OnceLock<TopicalData> = OnceLock::new();
        CELL.get_or_init(|| {
            let t: TopicalData = from_toml(FileKind::Data, "data/topical.toml", TOPICAL_TOML)
                .expect("the embedded topical data is checked by the test suite");
            assert!(
                t.fingertip_unit.mass.g() > Decimal::ZERO,
                "FTU mass above zero"
            );
            t
        })
    }
}

/// The amount per application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "by", rename_all = "kebab-case")]
pub enum PerApplication {
    /// A mass.
    Mass {
        /// The mass.
        mass: Mass,
    },
    /// A number of fingertip units.
    Ftu {
        /// How many.
        count: Decimal,
    },
}

impl PerApplication {
    /// Parses `2g` or `4FTU` (also `4 FTU`, `0.5 ftu`) for `--per-application`.
    pub fn parse(text: &str) -> Result<PerApplication> {
        let field = "--per-application";
        let t = text.trim();
        let lower = t.to_ascii_lowercase();
        if let Some(number) = lower.strip_suffix("ftu") {
            let expected = "a mass such as `2g` or fingertip units such as `4FTU`, above zero";
            let count = Decimal::from_str_exact(number.trim())
                .map_err(|_| Error::input(field, expected, format!("`{t}`")))?;
            if count <= Decimal::ZERO {
                return Err(Error::input(field, expected, format!("`{t}`")));
            }
            return Ok(PerApplication::Ftu { count });
        }
        let mass: Mass = parse_positive(field, t).map_err(|e| match e {
            Error::Input { found, .. } => Error::input(
                field,
                "a mass such as `2g` or fingertip units such as `4FTU`, above zero",
                found,
            ),
            other => other,
        })?;
        Ok(PerApplication::Mass { mass })
    }
}

/// How long the course lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "by", rename_all = "kebab-case")]
pub enum Course {
    /// A number of days.
    Days {
        /// Days.
        days: u32,
    },
    /// A number of months, each counted as the data file's month.
    Months {
        /// Months.
        months: u32,
    },
}

/// What the prescriber asks for.
#[derive(Debug, Clone)]
pub struct SupplyRequest {
    /// Amount per application.
    pub per_application: PerApplication,
    /// Applications per day.
    pub per_day: u32,
    /// Length of the course.
    pub course: Course,
    /// Container id, or the formula's first.
    pub container: Option<String>,
}

/// The supply worked out.
#[derive(Debug, Clone, Serialize)]
pub struct SupplyPlan {
    /// The formula dispensed.
    pub formula: FormulaRef,
    /// As asked.
    pub per_application: PerApplication,
    /// Mass per application.
    pub per_application_mass: Mass,
    /// Applications per day.
    pub per_day: u32,
    /// As asked.
    pub course: Course,
    /// Days of treatment.
    pub days: u32,
    /// Total needed.
    pub needed: Mass,
    /// Container id.
    pub container: String,
    /// Container description.
    pub container_name: String,
    /// Fill of one container.
    pub fill: Mass,
    /// Containers to fill (rounded up).
    pub containers: u32,
    /// Total dispensed.
    pub to_dispense: Mass,
    /// Dispensed beyond the need.
    pub spare: Mass,
    /// The command that plans the batch.
    pub batch_command: String,
    /// The calculation, step by step, with the data used.
    pub calculations: Vec<String>,
}

/// Longest course accepted, in days (about 27 years).
pub const HARD_MAX_DAYS: u32 = 10_000;

/// Plans a topical supply.
pub fn plan(entry: &Entry, data: &TopicalData, req: &SupplyRequest) -> Result<SupplyPlan> {
    let formula = &entry.formula;
    if formula.preparation != Preparation::Ointment {
        return Err(Error::Refused(format!(
            "formula `{}` is not a topical preparation made up by weight: `supply` is for ointments",
            formula.id
        )));
    }
    if req.per_day == 0 {
        return Err(Error::input(
            "--per-day",
            "at least 1 application a day",
            "0",
        ));
    }
    let mut calc = Vec::new();
    let per_application_mass = match req.per_application {
        PerApplication::Mass { mass } => mass,
        PerApplication::Ftu { count } => {
            let ftu = &data.fingertip_unit;
            let m = Mass::from_g(count * ftu.mass.g());
            calc.push(format!(
                "Per application: {} FTU × {} = {m} (1 FTU ≈ {} for an {}: {})",
                format_number(count),
                ftu.mass,
                ftu.mass,
                ftu.applies_to,
                ftu.source
            ));
            m
        }
    };
    let days = match req.course {
        Course::Days { days } => days,
        Course::Months { months } => {
            let d = months.saturating_mul(data.month.days.get());
            calc.push(format!(
                "Course: {months} months × {} = {d} days ({})",
                data.month.days, data.month.reason
            ));
            d
        }
    };
    if days == 0 || days > HARD_MAX_DAYS {
        return Err(Error::input(
            "--days",
            format!(
                "a course from 1 to {} days",
                format_number(HARD_MAX_DAYS.into())
            ),
            format!("{days} days"),
        ));
    }
    let needed =
        Mass::from_g(per_application_mass.g() * Decimal::from(req.per_day) * Decimal::from(days));
    calc.push(format!(
        "Total needed: {per_application_mass} × {} a day × {days} days = {needed}",
        req.per_day
    ));
    let container = match &req.container {
        Some(id) => formula.container(id)?,
        None => formula.containers.first().ok_or_else(|| {
            Error::Refused(format!("formula `{}` lists no containers", formula.id))
        })?,
    };
    let count_dec = (needed.g() / container.fill.g()).ceil();
    let containers: u32 = count_dec
        .to_u32()
        .filter(|c| *c <= 100_000)
        .ok_or_else(|| {
            Error::Refused(format!(
                "{needed} needs more than 100,000 containers of {}",
                container.fill
            ))
        })?;
    let to_dispense = Mass::from_g(container.fill.g() * Decimal::from(containers));
    let spare = Mass::from_g(to_dispense.g() - needed.g());
    calc.push(format!(
        "Containers: {needed} ÷ {} = {} → {containers} (rounded up), {to_dispense} dispensed, {spare} spare",
        container.fill,
        super::display_factor(needed.g() / container.fill.g())
    ));
    // Machine input: plain digits without thousands separators.
    let mut batch_command = format!(
        "stscalc batch {} --containers {containers}x{}g",
        formula.id,
        container.fill.g().normalize()
    );
    if formula.containers.first().map(|c| &c.id) != Some(&container.id) {
        batch_command.push_str(&format!(" --container {}", container.id));
    }
    Ok(SupplyPlan {
        formula: FormulaRef::of(entry),
        per_application: req.per_application,
        per_application_mass,
        per_day: req.per_day,
        course: req.course,
        days,
        needed,
        container: container.id.clone(),
        container_name: container.name.clone(),
        fill: container.fill,
        containers,
        to_dispense,
        spare,
        batch_command,
        calculations: calc,
    })
}
