//! Topical supply: how much ointment a patient needs for a course of daily applications, and the
//! containers to fill, ready to feed `stscalc batch --containers`.
//!
//! The amount per application is a mass or a number of fingertip units (FTU); the FTU's mass and
//! the length of a month are data (`data/topical.toml`) with their source, printed with the
//! result.
//!
//! Every batch must be used up within its beyond-use date: the formula's `[bud]` declaration
//! resolved with the USP rules at its usual storage ([`crate::bud::duration_limit`]). The
//! compounding day is day 1 of the BUD and is not counted as a day of use (the batch is made,
//! checked and released before the patient starts on it, at the latest the day before), so one
//! batch serves at most `BUD − 1` days of use. A longer course is split into the fewest
//! batches that respect this, as equal in length as whole days allow, each with its course days
//! and its own `stscalc batch` command. Nothing here prints or touches files.

use std::sync::OnceLock;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::ointment::FormulaRef;
use super::text::{count_text, serialize_mass_with_text};
use crate::bud::{duration_limit, DurationLimit, LimitUnit};
use crate::data::{from_toml, FileKind};
use crate::days::Days;
use crate::error::field::{CONTAINER, CONTAINERS, DAYS, PER_DAY};
use crate::error::{Error, Result};
use crate::formula::{Container, Entry, Formula, Preparation};
use crate::quantity::{format_number, Mass};

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
        /// The mass (its text as printed: mg below 1 g).
        #[serde(serialize_with = "serialize_supply_mass")]
        mass: Mass,
    },
    /// A number of fingertip units.
    Ftu {
        /// How many.
        count: Decimal,
    },
}

impl PerApplication {}

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

/// Writes a supply mass: in milligrams below 1 g (`1 mg`, not `0.001 g`), else (and 0) in
/// grams.
pub fn supply_mass_text(m: Mass) -> String {
    if m.g() < Decimal::ONE && !m.g().is_zero() {
        m.display_mg()
    } else {
        m.to_string()
    }
}

fn serialize_supply_mass<S: serde::Serializer>(
    m: &Mass,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    serialize_mass_with_text(m, &supply_mass_text(*m), s)
}

/// One batch of the supply, used up within its BUD.
#[derive(Debug, Clone, Serialize)]
pub struct SupplyBatch {
    /// 1-based.
    pub number: u32,
    /// First course day it serves (day 1 is the first day of use).
    pub first_day: u32,
    /// Last course day it serves.
    pub last_day: u32,
    /// Days it serves.
    pub days: u32,
    /// Ointment needed for those days.
    #[serde(serialize_with = "serialize_supply_mass")]
    pub needed: Mass,
    /// Containers to fill (rounded up).
    pub containers: u32,
    /// Ointment dispensed in them.
    #[serde(serialize_with = "serialize_supply_mass")]
    pub to_dispense: Mass,
    /// The command that plans it.
    pub batch_command: String,
}

/// The supply worked out.
#[derive(Debug, Clone, Serialize)]
pub struct SupplyPlan {
    /// The formula dispensed.
    pub formula: FormulaRef,
    /// As asked.
    pub per_application: PerApplication,
    /// Mass per application (its text as printed: mg below 1 g).
    #[serde(serialize_with = "serialize_supply_mass")]
    pub per_application_mass: Mass,
    /// Applications per day.
    pub per_day: u32,
    /// As asked.
    pub course: Course,
    /// Days of treatment.
    pub days: u32,
    /// Total needed.
    #[serde(serialize_with = "serialize_supply_mass")]
    pub needed: Mass,
    /// Container id.
    pub container: String,
    /// Container description.
    pub container_name: String,
    /// Fill of one container.
    pub fill: Mass,
    /// Containers to fill over all batches.
    pub containers: u32,
    /// Total dispensed over all batches.
    #[serde(serialize_with = "serialize_supply_mass")]
    pub to_dispense: Mass,
    /// Dispensed beyond the need.
    #[serde(serialize_with = "serialize_supply_mass")]
    pub spare: Mass,
    /// The formula's BUD at its usual storage, from the USP rules.
    pub bud: DurationLimit,
    /// Most days of use one batch may serve (the BUD in days less the compounding day).
    pub days_per_batch: u32,
    /// The batches, each used up within its BUD.
    pub batches: Vec<SupplyBatch>,
    /// The command that plans the first batch (the only one when the course fits in one BUD;
    /// `batches` holds each batch's).
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
        return Err(Error::input(PER_DAY, "at least 1 application a day", "0"));
    }
    let mut calc = Vec::new();
    let per_application_mass = match req.per_application {
        PerApplication::Mass { mass } => mass,
        PerApplication::Ftu { count } => {
            let ftu = &data.fingertip_unit;
            let m = Mass::from_g(count * ftu.mass.g());
            calc.push(format!(
                "Per application: {} FTU × {} = {} (1 FTU ≈ {} for an {}: {})",
                format_number(count),
                ftu.mass,
                supply_mass_text(m),
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
                "Course: {} × {} = {} ({})",
                count_text(months.into(), "month", "months"),
                data.month.days,
                count_text(d.into(), "day", "days"),
                data.month.reason
            ));
            d
        }
    };
    if days == 0 || days > HARD_MAX_DAYS {
        return Err(Error::input(
            DAYS,
            format!(
                "a course from 1 to {} days",
                format_number(HARD_MAX_DAYS.into())
            ),
            format!("{days} days"),
        ));
    }
    let per_day_mass = Mass::from_g(per_application_mass.g() * Decimal::from(req.per_day));
    let needed = Mass::from_g(per_day_mass.g() * Decimal::from(days));
    calc.push(format!(
        "Total needed: {} × {} a day × {} = {}",
        supply_mass_text(per_application_mass),
        format_number(req.per_day.into()),
        count_text(days.into(), "day", "days"),
        supply_mass_text(needed)
    ));
    let container = match &req.container {
        Some(id) => formula.container(id)?,
        None => formula.containers.first().ok_or_else(|| {
            Error::Refused(format!("formula `{}` lists no containers", formula.id))
        })?,
    };

    // The BUD: the formula's declaration with the USP rules, at its usual storage.
    let resolved = formula.bud().resolve(None)?;
    let bud = duration_limit(&resolved, resolved.default_storage)?;
    let days_per_batch = match bud.limit.unit {
        LimitUnit::Days => bud.limit.amount.saturating_sub(1),
        LimitUnit::Hours => 0,
    };
    if days_per_batch == 0 {
        return Err(Error::Refused(format!(
            "formula `{}` has a BUD of {bud}: too short for a batch to serve a day of use after its compounding day",
            formula.id
        )));
    }
    let batches_n = days.div_ceil(days_per_batch);
    calc.push(format!(
        "BUD: {bud} ({}); the compounding day is day 1 and not a day of use, so one batch serves at most {} − 1 = {}",
        bud.reason,
        bud.limit,
        count_text(days_per_batch.into(), "day", "days")
    ));
    if batches_n > 1 {
        calc.push(format!(
            "Batches: {} ÷ {} per batch → {}, as equal as whole days allow",
            count_text(days.into(), "day", "days"),
            format_number(days_per_batch.into()),
            format_number(batches_n.into())
        ));
    }
    let (batches, total_containers) =
        batches(formula, container, days, batches_n, per_day_mass, &mut calc)?;
    let to_dispense = Mass::from_g(container.fill.g() * Decimal::from(total_containers));
    let spare = Mass::from_g(to_dispense.g() - needed.g());
    calc.push(format!(
        "Dispensed: {} × {} = {}, {} spare",
        format_number(total_containers.into()),
        container.fill,
        supply_mass_text(to_dispense),
        supply_mass_text(spare)
    ));
    let batch_command = batches[0].batch_command.clone();
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
        containers: total_containers,
        to_dispense,
        spare,
        bud,
        days_per_batch,
        batches,
        batch_command,
        calculations: calc,
    })
}

/// Splits a course of `days` into `batches_n` batches as equal as whole days allow, each filled
/// into whole containers with its `stscalc batch` command; the working goes to `calc`.
/// Returns the batches and the containers of all of them.
fn batches(
    formula: &Formula,
    container: &Container,
    days: u32,
    batches_n: u32,
    per_day_mass: Mass,
    calc: &mut Vec<String>,
) -> Result<(Vec<SupplyBatch>, u32)> {
    let (base, extra) = (days / batches_n, days % batches_n);
    let mut batches = Vec::with_capacity(batches_n as usize);
    let mut first_day = 1;
    let mut total_containers: u32 = 0;
    for i in 0..batches_n {
        let batch_days = base + u32::from(i < extra);
        let batch_needed = Mass::from_g(per_day_mass.g() * Decimal::from(batch_days));
        let count_dec = (batch_needed.g() / container.fill.g()).ceil();
        let containers: u32 = count_dec
            .to_u32()
            .filter(|c| *c <= 100_000)
            .ok_or_else(|| {
                Error::Refused(format!(
                    "{batch_needed} needs more than 100,000 containers of {}",
                    container.fill
                ))
            })?;
        let to_dispense = Mass::from_g(container.fill.g() * Decimal::from(containers));
        // Machine input: plain digits without thousands separators.
        let mut batch_command = format!(
            "stscalc batch {} {CONTAINERS} {containers}x{}g",
            formula.id,
            container.fill.g().normalize()
        );
        if formula.containers.first().map(|c| &c.id) != Some(&container.id) {
            batch_command.push_str(&format!(" {CONTAINER} {}", container.id));
        }
        let last_day = first_day + batch_days - 1;
        calc.push(format!(
            "Batch {} (course days {}–{}): {} × {} = {} ÷ {} = {} → {} (rounded up), {}",
            format_number((i + 1).into()),
            format_number(first_day.into()),
            format_number(last_day.into()),
            supply_mass_text(per_day_mass),
            count_text(batch_days.into(), "day", "days"),
            supply_mass_text(batch_needed),
            container.fill,
            super::display_factor(batch_needed.g() / container.fill.g()),
            count_text(containers.into(), "container", "containers"),
            supply_mass_text(to_dispense),
        ));
        total_containers = total_containers.saturating_add(containers);
        batches.push(SupplyBatch {
            number: i + 1,
            first_day,
            last_day,
            days: batch_days,
            needed: batch_needed,
            containers,
            to_dispense,
            batch_command,
        });
        first_day = last_day + 1;
    }
    Ok((batches, total_containers))
}
