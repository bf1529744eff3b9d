//! A treatment series: the same session repeated at a fixed interval, the solution to prepare
//! for it within the solution's beyond-use date, and the follow-up window (counted from the
//! last session). A series longer than the formula's regimen (`dosing.regimen_sessions`) is
//! planned with a warning.
//!
//! The beyond-use date is a plain input ([`SolutionBud`]): the USP limit for the method (the
//! formula's `[bud]` declaration), or a shorter `--solution-bud` (a longer one is refused before
//! it gets here).
//!
//! **Batches.** The series plans the fewest batches whose BUD covers the sessions they serve:
//! from the first session, a batch is compounded on the date of the first session it serves and
//! serves every following session whose date is on or before its last day of use; the next
//! session after that starts the next batch. The compounding day is day 1 of the BUD (the
//! shorter of the two readings, domain.md §3): a 10-day BUD compounded on Mon 2026-12-07 is
//! used through Wed 2026-12-16, so weekly sessions on the 7th and the 14th share one batch and
//! the session of the 21st starts the next.
//!
//! **Vials.** A single-dose vial, once opened, is not kept for another session. So a batch is
//! filled into one sealed single-dose vial per session it serves (`stscalc batch --vials`),
//! each holding that session's solution to prepare (the volume injected plus the dead space of
//! its syringes and needles) and the residual that cannot be drawn up; the last vial holds the
//! rest of what was made. A session whose solution does not fit one of the formula's (first)
//! container with its residual gets the fewest vials that do, filled in syringe order as the
//! session draws them, each syringe from one vial (all labelled for that session); for the
//! identical syringes of `--lesions N --per-lesion V` that is the fewest possible.
//!
//! **Sizing.** Each batch is sized by the very planner `stscalc batch --vials` uses
//! ([`BatchSizing::for_vials`]): its volume to make, what each vial holds and the stock vials a
//! dilution opens are the batch's own, and its command is printed to make it.
//!
//! **Refused** (a series whose sessions no BUD can serve, naming `‹sessions›`): a batch that
//! would fill more than [`HARD_MAX_VIALS`] vials (the limit of one `--vials` list), a syringe
//! that takes more than one container gives with its residual, and a batch whose last vial,
//! holding the rest of what was made, would not fit its container. A strength the method
//! cannot make near the need gives no batch command (an assumption says so), as for one
//! session.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::solution::{BatchSizing, Method, VolumeData, HARD_MAX_VIALS};
use super::text::{count_text, mass_text, serialize_mass_as_printed};
use crate::bud::{DurationLimit, LimitUnit};
use crate::days::Days;
use crate::error::field::{
    ASSAY, ASSAY_BASIS, BUD_LIMIT, DATE, EVERY, METHOD, OVERRIDE_REASON, SESSIONS, SOLUTION_BUD,
    START, VIALS, VIAL_RESIDUAL,
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
    /// The days, when the pharmacist shortened the rule's limit: each batch's command carries
    /// them (`‹bud_limit›`), so its record and labels print the BUD the series planned with.
    #[serde(skip)]
    pub shortened: Option<Days>,
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
                // The rule's own limit given again shortens nothing.
                shortened: (days < rule_days).then_some(days),
            }
        }
        None => SolutionBud {
            days: rule_days,
            storage,
            reason: rule_reason,
            shortened: None,
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
    /// The final container's nominal volume (the formula's first): each session's vials fit it
    /// with their residual.
    pub container: Volume,
    /// The vial residual given (`None`: the data's), for the vials and the batch command.
    pub vial_residual: Option<Volume>,
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

/// One sealed single-dose vial of a batch, for one session.
#[derive(Debug, Clone, Serialize)]
pub struct SeriesVial {
    /// 1-based, in the batch's `--vials` order.
    pub number: u32,
    /// The session it serves (1-based).
    pub session: u32,
    /// What the session draws from it: the doses and dead space of its syringes (the volume
    /// listed with `--vials`).
    pub volume: Volume,
    /// What it is filled with: `volume` and the residual, the batch's last vial the rest of
    /// what was made. `None` when no batch could be sized.
    pub holds: Option<Volume>,
}

/// One batch (compounding) of the solution.
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
    /// Its vials, one (or more) per session.
    pub vials: Vec<SeriesVial>,
    /// Solution needed: the vials' volumes added up (the batch adds each vial's residual).
    pub volume: Volume,
    /// The volume to make: what `stscalc batch --vials` makes for `vials`.
    pub batch_volume: Volume,
    /// How `batch_volume` was chosen.
    pub batch_reason: String,
    /// Stock vials the batch opens (dilution); `None` from powder or with no batch.
    pub stock_vials_opened: Option<u32>,
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
    /// The batches, fewest whose BUD covers the sessions they serve.
    pub preparations: Vec<SeriesPreparation>,
    /// Stock vials opened over the series (each batch's added up); `None` from powder or when
    /// a batch could not be sized.
    pub stock_vials_opened: Option<u32>,
    /// The stock vial's volume (`None` from powder).
    pub stock_vial: Option<Volume>,
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
    /// What each syringe of a session takes, in order: its doses and its dead space.
    pub syringe_takes: Vec<Volume>,
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
    let residual = VolumeData::embedded()
        .losses(req.vial_residual, None)
        .vial_residual;
    // The sessions are identical: each is drawn from the same vials.
    let per_session = session_vials(&session.syringe_takes, req.container, residual)?;
    let mut sessions = Vec::new();
    for i in 0..req.sessions {
        let date = add(
            req.start,
            every * i64::from(i),
            &format!("session {}", i + 1),
            req.start,
        )?;
        sessions.push(SeriesSession {
            number: i + 1,
            date,
            volume: session.total_volume,
            mass: session.total_mass,
            mass_text: session.total_mass_text.clone(),
            preparation: 0,
        });
    }
    let mut preparations = batches(&mut sessions, req, &per_session)?;
    let without_batch = size_batches(session, req, &mut preparations)?;
    let stock_vials_opened = preparations
        .iter()
        .map(|p| p.stock_vials_opened)
        .sum::<Option<u32>>();
    let n = Decimal::from(req.sessions);
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
            "The fewest batches whose BUD covers their sessions: each is compounded on the day of the first session it serves and serves every following session on or before its last day of use; the compounding day is day 1 of its BUD of {} (the shorter reading).",
            req.bud.days
        ),
        "Each session has its own sealed single-dose vial, filled from its batch on the compounding day with the session's solution (injected volume and dead space) and the residual; a vial opened at a session is discarded after it, never kept for the next.".to_string(),
    ];
    if !without_batch.is_empty() {
        assumptions.push(format!(
            "No batch command for {} {}: no volume near the need is made by the {} method within the formula's tolerance.",
            if without_batch.len() == 1 { "batch" } else { "batches" },
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
        stock_vials_opened,
        stock_vial: req.sizing.as_ref().and_then(BatchSizing::stock_vial),
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

/// The vials one session is drawn from: what each syringe takes (`takes`, in order) goes into
/// the current vial while it fits the `container` with the vial's `residual`, else into the
/// next (a syringe is filled from one vial: topping it up from a second adds a puncture and a
/// second measurement). One vial when the session fits one.
fn session_vials(takes: &[Volume], container: Volume, residual: Volume) -> Result<Vec<Volume>> {
    let room = container.ml() - residual.ml();
    let mut vials: Vec<Volume> = Vec::new();
    for (i, t) in takes.iter().enumerate() {
        if t.ml() > room {
            return Err(Error::input(
                SESSIONS,
                format!(
                    "sessions whose syringes each take at most what one {container} vial holds besides its residual {residual}, {}",
                    Volume::from_ml(room)
                ),
                format!("syringe #{} takes {t}: divide its dose between syringes", i + 1),
            ));
        }
        match vials.last_mut() {
            Some(v) if v.ml() + t.ml() <= room => *v = Volume::from_ml(v.ml() + t.ml()),
            _ => vials.push(*t),
        }
    }
    Ok(vials)
}

/// Groups the sessions into the fewest batches whose BUD covers them, numbering each session's
/// batch, with each batch's vials (`per_session` for every session it serves).
///
/// Greedy from the first session is optimal: the sessions are in date order and a batch serves
/// a run of consecutive sessions from its compounding date, so compounding each batch on the
/// first session not yet served reaches at least as far as any other plan's batch covering
/// that session (the usual exchange argument for covering points with intervals).
fn batches(
    sessions: &mut [SeriesSession],
    req: &SeriesRequest,
    per_session: &[Volume],
) -> Result<Vec<SeriesPreparation>> {
    let bud = i64::from(req.bud.days.get());
    let mut out: Vec<SeriesPreparation> = Vec::new();
    for s in sessions.iter_mut() {
        let opens = match out.last() {
            Some(b) => s.date > b.use_through,
            None => true,
        };
        if opens {
            out.push(SeriesPreparation {
                number: out.len() as u32 + 1,
                compound_on: s.date,
                // Day 1 is the compounding day, so the last day is `bud − 1` days later.
                use_through: add(
                    s.date,
                    bud - 1,
                    &format!("the BUD of the batch compounded for session {}", s.number),
                    req.start,
                )?,
                sessions: Vec::new(),
                vials: Vec::new(),
                volume: Volume::default(),
                batch_volume: Volume::default(),
                batch_reason: String::new(),
                stock_vials_opened: None,
                batch_command: String::new(),
            });
        }
        let b = out.last_mut().expect("a batch was just opened");
        b.sessions.push(s.number);
        s.preparation = b.number;
        for v in per_session {
            b.vials.push(SeriesVial {
                number: b.vials.len() as u32 + 1,
                session: s.number,
                volume: *v,
                holds: None,
            });
        }
        b.volume =
            Volume::from_ml(b.volume.ml() + per_session.iter().map(|v| v.ml()).sum::<Decimal>());
        if b.vials.len() > HARD_MAX_VIALS {
            return Err(Error::input(
                SESSIONS,
                format!("a series whose batches fill at most {HARD_MAX_VIALS} vials each (one `batch` fills at most that many)"),
                format!(
                    "batch #{} would fill {} vials for sessions {} to {}",
                    b.number,
                    b.vials.len(),
                    b.sessions[0],
                    s.number
                ),
            ));
        }
    }
    Ok(out)
}

/// Sizes each batch for its vials with the planner `stscalc batch --vials` uses: the volume to
/// make, what each vial holds and the stock vials opened, with its command. Returns the
/// numbers of the batches none could be sized for; refuses a batch whose last vial would not
/// fit its container with the rest of what was made.
fn size_batches(
    session: &SeriesInput,
    req: &SeriesRequest,
    preparations: &mut [SeriesPreparation],
) -> Result<Vec<u32>> {
    let mut without_batch = Vec::new();
    for p in preparations.iter_mut() {
        let volumes: Vec<Volume> = p.vials.iter().map(|v| v.volume).collect();
        let sized = req.sizing.as_ref().and_then(|b| b.for_vials(&volumes));
        match &sized {
            Some(s) => {
                if let Some((v, fill)) = p
                    .vials
                    .iter()
                    .zip(&s.fills)
                    .find(|(_, f)| **f > s.container)
                {
                    return Err(Error::input(
                        SESSIONS,
                        format!(
                            "a series whose vials fit their {} container with the rest of their batch",
                            s.container
                        ),
                        format!(
                            "batch #{}'s vial {} (session {}) would hold {fill}: a shorter {SOLUTION_BUD} puts fewer sessions in a batch",
                            p.number, v.number, v.session
                        ),
                    ));
                }
                for (v, fill) in p.vials.iter_mut().zip(&s.fills) {
                    v.holds = Some(*fill);
                }
                p.batch_volume = s.batch.volume;
                p.batch_reason = s.batch.reason.clone();
                p.stock_vials_opened = s.stock_vials_opened;
            }
            None => {
                without_batch.push(p.number);
                p.batch_volume = p.volume;
                p.batch_reason = format!(
                    "no batch of {} by the {} method is made within the formula's tolerance: work it out with the pharmacist",
                    p.volume, req.method
                );
            }
        }
        // The command is machine input: plain digits, no thousands separator. Each `--vials`
        // volume is what its session draws: `stscalc batch` adds the residual of each vial.
        // From powder `batch` needs the lot's certificate, which only the pharmacist has:
        // the command holds its place (a warning says so) rather than assume 100 %.
        let certificate = match req.method {
            Method::Powder => format!(" {ASSAY} PERCENT {ASSAY_BASIS} BASIS"),
            Method::Dilution => String::new(),
        };
        // Compounded on the day of its first session, and with the BUD the series planned:
        // the record and the labels the command prints then carry the same dates.
        let bud_limit = req
            .bud
            .shortened
            .map_or_else(String::new, |d| format!(" {BUD_LIMIT} {}d", d.get()));
        let date = format!(" {DATE} {}", p.compound_on.format("%Y-%m-%d"));
        let residual = req.vial_residual.map_or_else(String::new, |v| {
            format!(" {VIAL_RESIDUAL} {}mL", v.ml().normalize())
        });
        let list: Vec<String> = volumes
            .iter()
            .map(|v| format!("{}mL", v.ml().normalize()))
            .collect();
        p.batch_command = match (&session.batch_strength, &sized) {
            (Some(s), Some(_)) => format!(
                "stscalc batch {} {VIALS} {} {METHOD} {}{s}{residual}{certificate}{date}{bud_limit}",
                session.formula_id,
                list.join(","),
                req.method
            ),
            _ => String::new(),
        };
    }
    Ok(without_batch)
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
