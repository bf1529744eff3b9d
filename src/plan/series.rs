//! A treatment series: the same session repeated at a fixed interval, the solution to prepare
//! for it within the solution's beyond-use date, and the follow-up window (counted from the
//! last session). A series longer than the formula's regimen (`dosing.regimen_sessions`) is
//! planned with a warning.
//!
//! The beyond-use date is a plain input ([`SolutionBud`]): the USP limit for the method (the
//! formula's `[bud]` declaration), or a shorter `--solution-bud` (a longer one is refused before
//! it gets here). Each session gets its own preparation, compounded on the day of the session:
//! `stscalc batch` fills one batch into single-dose containers of the formula's size (one 10 mL
//! vial for a few mL, labelled "discard any remainder"), so a batch sized for two sessions would
//! be one opened vial kept for a week — not allowed for a single-dose sterile injection. (A
//! batch packaged as one sealed vial per session, `batch --vials`, could serve several sessions
//! within its BUD; the series does not plan that yet.) The BUD is still shown: the compounding day counts as day 1 (the
//! shorter of the two readings of a BUD, domain.md §3), so a 10-day BUD compounded on the 1st is
//! used through the 10th, and the session is on the compounding day.

use chrono::NaiveDate;
use serde::Serialize;

use super::solution::{BatchSizing, Method};
use super::text::{count_text, mass_text, serialize_mass_as_printed};
use crate::bud::{DurationLimit, LimitUnit};
use crate::days::Days;
use crate::error::field::{
    ASSAY, ASSAY_BASIS, EVERY, METHOD, OVERRIDE_REASON, QUANTITY, SESSIONS, SOLUTION_BUD, START,
};
use crate::error::{Error, Result};
use crate::formula::DosingSpec;
use crate::quantity::{Mass, Volume};

/// Most sessions in one series, so a typo cannot ask for thousands of rows.
pub const HARD_MAX_SESSIONS: u32 = 100;

/// The solution's beyond-use date, as a plain input.
#[derive(Debug, Clone, Serialize)]
pub struct SolutionBud {
    /// Whole days, the compounding day being day 1.
    pub days: Days,
    /// Storage the days apply to.
    pub storage: String,
    /// Where the days come from.
    pub reason: String,
}

/// The solution's beyond-use date for each session's batch: the USP limit of the method
/// (`rule`, the formula's `[bud]` declaration), or a shorter one the pharmacist gives (`given`,
/// as days and as written); never a longer one.
pub fn solution_bud(
    rule: &DurationLimit,
    method: Method,
    given: Option<(Days, &str)>,
) -> Result<SolutionBud> {
    let storage = rule.storage.label().to_string();
    let rule_days = match rule.limit.unit {
        LimitUnit::Days => Days::new(rule.limit.amount),
        // Under a day: usable on the compounding day only.
        LimitUnit::Hours => Days::new(1),
    };
    let rule_reason = format!("{} for the {method} method: {}", rule.limit, rule.reason);
    Ok(match given {
        Some((days, text)) => {
            if days > rule_days {
                return Err(Error::input(
                    SOLUTION_BUD,
                    format!(
                        "at most {rule_days}, the limit for the {method} method ({rule}, {}); {SOLUTION_BUD} may only shorten it",
                        // The rule without its long source citation (printed with the series).
                        rule.reason.split(" — ").next().unwrap_or_default()
                    ),
                    format!("`{text}`"),
                ));
            }
            SolutionBud {
                days,
                storage,
                reason: format!("given with {SOLUTION_BUD}, within the limit of {rule_reason}"),
            }
        }
        None => SolutionBud {
            days: rule_days,
            storage,
            reason: rule_reason,
        },
    })
}

/// What the series asks for.
#[derive(Debug, Clone)]
pub struct SeriesRequest {
    /// Number of sessions.
    pub sessions: u32,
    /// Interval between sessions.
    pub every: Days,
    /// Date of the first session.
    pub start: NaiveDate,
    /// The solution's BUD.
    pub bud: SolutionBud,
    /// How the solution is made (for the batch command).
    pub method: Method,
    /// Finds each preparation's batch volume: the smallest from its need up that the method
    /// makes within the formula's tolerance (for the same method as `method`); `None` when the
    /// method cannot make the session's strength (e.g. a formula whose stock is weaker), and
    /// then no batch command is given.
    pub sizing: Option<BatchSizing>,
    /// The pharmacist's reason for going beyond a policy limit (already trimmed, not empty):
    /// allows an interval shorter than the formula's policy interval.
    pub override_reason: Option<String>,
}

/// One session of the series.
#[derive(Debug, Clone, Serialize)]
pub struct SeriesSession {
    /// 1-based.
    pub number: u32,
    /// Its date.
    pub date: NaiveDate,
    /// Volume injected.
    pub volume: Volume,
    /// Active injected (its text as printed).
    #[serde(serialize_with = "serialize_mass_as_printed")]
    pub mass: Mass,
    /// The same as people read it.
    pub mass_text: String,
    /// The preparation it uses (1-based).
    pub preparation: u32,
}

/// One preparation (compounding) of the solution.
#[derive(Debug, Clone, Serialize)]
pub struct SeriesPreparation {
    /// 1-based.
    pub number: u32,
    /// Compounded on this day (the day of its first session).
    pub compound_on: NaiveDate,
    /// Last day of use: the BUD.
    pub use_through: NaiveDate,
    /// The sessions it serves.
    pub sessions: Vec<u32>,
    /// Solution needed: each session's injected volume plus dead space.
    pub volume: Volume,
    /// The volume to make: the smallest from `volume` up that the method makes within the
    /// formula's tolerance.
    pub batch_volume: Volume,
    /// How `batch_volume` was chosen.
    pub batch_reason: String,
    /// The command that plans it (empty when none can be given).
    pub batch_command: String,
}

/// The follow-up window.
#[derive(Debug, Clone, Serialize)]
pub struct FollowUp {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// How it is counted and where it comes from.
    pub basis: String,
}

/// The series worked out.
#[derive(Debug, Clone, Serialize)]
pub struct SeriesPlan {
    /// Interval.
    pub every: Days,
    /// The sessions.
    pub sessions: Vec<SeriesSession>,
    /// Volume injected over the series.
    pub total_volume: Volume,
    /// Active injected over the series (its text as printed).
    #[serde(serialize_with = "serialize_mass_as_printed")]
    pub total_mass: Mass,
    /// The same as people read it.
    pub total_mass_text: String,
    /// The BUD used.
    pub bud: SolutionBud,
    /// The preparations.
    pub preparations: Vec<SeriesPreparation>,
    /// The follow-up window.
    pub follow_up: FollowUp,
    /// What the plan assumes.
    pub assumptions: Vec<String>,
    /// Things the pharmacist must act on (a policy limit overridden, a series longer than the
    /// regimen).
    pub warnings: Vec<String>,
    /// The policy the override reason overrides for the series (a shorter interval), if any.
    pub overridden: Option<String>,
}

fn add(date: NaiveDate, days: i64, what: &str, start: NaiveDate) -> Result<NaiveDate> {
    let sum = date.checked_add_signed(chrono::Duration::days(days));
    sum.filter(|d| crate::bud::YEARS.contains(&chrono::Datelike::year(d)))
        .ok_or_else(|| {
            let (first, last) = (crate::bud::YEARS.start(), crate::bud::YEARS.end());
            Error::input(
                START,
                format!(
                    "a start that keeps every date of the series within the years {first} to {last} (the last date accepted is {last}-12-31)"
                ),
                format!(
                    "`{start}`: {what} would be {}",
                    sum.map_or_else(|| format!("after {last}"), |d| d.to_string())
                ),
            )
        })
}

/// What a series takes of its session's check: the formula and the solution one session needs.
/// Built from the session's plan (`SeriesInput::from(&session_plan)`).
#[derive(Debug, Clone)]
pub struct SeriesInput {
    /// The formula's id, for the batch command.
    pub formula_id: String,
    /// The solution to prepare for one session (injected, dead space and the vial's residual).
    pub to_prepare: Volume,
    /// The volume injected in one session.
    pub total_volume: Volume,
    /// The mass injected in one session.
    pub total_mass: Mass,
    /// That mass as printed.
    pub total_mass_text: String,
    /// The `--strength …` part of the batch command, when the batch is made off the default.
    pub batch_strength: Option<String>,
}

/// Plans a series of identical sessions.
pub fn plan(session: &SeriesInput, dosing: &DosingSpec, req: &SeriesRequest) -> Result<SeriesPlan> {
    if req.sessions == 0 || req.sessions > HARD_MAX_SESSIONS {
        return Err(Error::input(
            SESSIONS,
            format!("a number of sessions from 1 to {HARD_MAX_SESSIONS}"),
            req.sessions.to_string(),
        ));
    }
    let (warnings, overridden) = policy_checks(session, dosing, req)?;
    let every = i64::from(req.every.get());
    let bud = i64::from(req.bud.days.get());
    let mut sessions = Vec::new();
    let mut preparations: Vec<SeriesPreparation> = Vec::new();
    for i in 0..req.sessions {
        let date = add(
            req.start,
            every * i64::from(i),
            &format!("session {}", i + 1),
            req.start,
        )?;
        // One preparation per session, never shared: `stscalc batch` puts a batch of a few mL
        // into one single-dose vial, and an opened single-dose vial is not kept for the next
        // session (see the module docs).
        preparations.push(SeriesPreparation {
            number: preparations.len() as u32 + 1,
            compound_on: date,
            // Day 1 is the compounding day, so the last day is `bud − 1` days later.
            use_through: add(
                date,
                bud - 1,
                &format!("the BUD of session {}'s preparation", i + 1),
                req.start,
            )?,
            sessions: vec![i + 1],
            volume: session.to_prepare,
            batch_volume: Volume::default(),
            batch_reason: String::new(),
            batch_command: String::new(),
        });
        sessions.push(SeriesSession {
            number: i + 1,
            date,
            volume: session.total_volume,
            mass: session.total_mass,
            mass_text: session.total_mass_text.clone(),
            preparation: preparations.len() as u32,
        });
    }
    let without_batch = size_batches(session, req, &mut preparations);
    let n = rust_decimal::Decimal::from(req.sessions);
    let total_volume = Volume::from_ml(session.total_volume.ml() * n);
    let total_mass = Mass::from_g(session.total_mass.g() * n);
    // Follow-up assesses the treatment once it is over: counted from the last session, so a
    // longer series moves it too (counted from the first, it could fall within the series).
    let last = sessions.last().map_or(req.start, |s| s.date);
    let follow_up = FollowUp {
        from: add(
            last,
            i64::from(dosing.follow_up_from.get()),
            "the follow-up window's first day",
            req.start,
        )?,
        to: add(
            last,
            i64::from(dosing.follow_up_to.get()),
            "the follow-up window's last day",
            req.start,
        )?,
        basis: format!(
            "{} to {} after the last session, {} ({})",
            weeks(dosing.follow_up_from),
            weeks(dosing.follow_up_to),
            last,
            dosing.regimen_source.trim_end_matches('.')
        ),
    };
    let mut assumptions = vec![
        format!(
            "Each preparation is compounded on the day of its session; the compounding day is day 1 of its BUD of {} (the shorter reading).",
            req.bud.days
        ),
        "Each session has its own preparation: a batch goes into single-dose containers whose remainder is discarded, so one batch never serves two sessions.".to_string(),
    ];
    if !without_batch.is_empty() {
        assumptions.push(format!(
            "No batch command for {} {}: no volume near the need is made by the {} method within the formula's tolerance.",
            if without_batch.len() == 1 { "preparation" } else { "preparations" },
            without_batch
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            req.method
        ));
    }
    if dosing.regimen_sessions.is_none() {
        assumptions.push(format!(
            "Formula `{}` states no number of sessions for its regimen (`dosing.regimen_sessions`): the series length is not checked against it.",
            session.formula_id
        ));
    }
    Ok(SeriesPlan {
        every: req.every,
        sessions,
        total_volume,
        total_mass,
        total_mass_text: mass_text(total_mass),
        bud: req.bud.clone(),
        preparations,
        follow_up,
        assumptions,
        warnings,
        overridden,
    })
}

/// The formula's policy for a series: an interval shorter than the policy's is refused unless
/// a reason is given (then warned and returned as the override), and a series longer than the
/// published regimen is warned about. Returns the warnings and the override.
fn policy_checks(
    session: &SeriesInput,
    dosing: &DosingSpec,
    req: &SeriesRequest,
) -> Result<(Vec<String>, Option<String>)> {
    // The formula's interval is local policy like the per-session maximums: sessions closer
    // together put more drug into the patient per week than the policy allows.
    let mut warnings = Vec::new();
    let mut overridden = None;
    if req.every < dosing.interval {
        let shorter = format!(
            "the interval between sessions {} is shorter than the policy interval {}",
            req.every, dosing.interval
        );
        match &req.override_reason {
            None => {
                return Err(Error::Refused(format!(
                    "refused: `{EVERY}`: {shorter} (local policy of formula `{}`); to proceed anyway give {OVERRIDE_REASON} \"...\"",
                    session.formula_id
                )))
            }
            Some(r) => {
                warnings.push(format!(
                    "POLICY INTERVAL OVERRIDDEN: {shorter}. Reason given: {r}"
                ));
                overridden = Some(shorter);
            }
        }
    }
    // A series longer than the published regimen is the prescriber's decision, not the
    // formula's: planned, with a warning (the regimen's evidence covers its own length only).
    if let Some(regimen) = dosing.regimen_sessions {
        if req.sessions > regimen {
            warnings.push(format!(
                "the series has {}, more than the {} of the formula's regimen ({}): a longer series is the prescriber's decision; confirm it before preparing",
                count_text(req.sessions.into(), "session", "sessions"),
                count_text(regimen.into(), "session", "sessions"),
                dosing.regimen_source.trim_end_matches('.')
            ));
        }
    }
    if req.method == Method::Powder {
        warnings.push(format!(
            "From powder each batch needs the certificate of the powder's lot: in its command, put the assay for PERCENT and its basis for BASIS ({ASSAY_BASIS} `dried` for a USP certificate, `as-is` for a Ph. Eur. one)."
        ));
    }
    Ok((warnings, overridden))
}

/// Sizes each preparation's batch (the smallest the method makes within the formula's
/// tolerance) with its reason and command. Returns the numbers of the preparations no batch
/// could be sized for.
fn size_batches(
    session: &SeriesInput,
    req: &SeriesRequest,
    preparations: &mut [SeriesPreparation],
) -> Vec<u32> {
    let mut without_batch = Vec::new();
    for p in preparations.iter_mut() {
        let sized = req.sizing.as_ref().and_then(|b| b.smallest_from(p.volume));
        p.batch_volume = sized.as_ref().map_or(p.volume, |b| b.volume);
        p.batch_reason = sized.as_ref().map_or_else(
            || {
                without_batch.push(p.number);
                format!(
                    "no batch of {} by the {} method is made within the formula's tolerance: work it out with the pharmacist",
                    p.volume, req.method
                )
            },
            |b| b.reason.clone(),
        );
        // The command is machine input: plain digits, no thousands separator.
        // `--quantity` is what is drawn from the batch: `stscalc batch` adds its losses.
        // From powder `batch` needs the lot's certificate, which only the pharmacist has:
        // the command holds its place (a warning says so) rather than assume 100 %.
        let certificate = match req.method {
            Method::Powder => format!(" {ASSAY} PERCENT {ASSAY_BASIS} BASIS"),
            Method::Dilution => String::new(),
        };
        p.batch_command = match (&session.batch_strength, &sized) {
            (Some(s), Some(b)) => format!(
                "stscalc batch {} {QUANTITY} {}mL {METHOD} {}{s}{certificate}",
                session.formula_id,
                b.quantity.ml().normalize(),
                req.method
            ),
            _ => String::new(),
        };
    }
    without_batch
}

fn weeks(d: Days) -> String {
    if d.get() % 7 == 0 {
        let w = d.get() / 7;
        if w == 1 {
            "1 week".into()
        } else {
            format!("{w} weeks")
        }
    } else {
        d.to_string()
    }
}
