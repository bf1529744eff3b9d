//! The session request: the lesions (`--lesions`/`--per-lesion`, `--lesion`, `--lesion-file`),
//! the concentration and its basis, and the series options (`--sessions`, `--every`, `--start`,
//! `--solution-bud`, `--method`).

use chrono::NaiveDate;

use super::parse::{count, date, first_given, parse_concentration, parse_form, parse_loss};
use crate::cli::SessionArgs;
use crate::days::Days;
use crate::error::{Error, Result};
use crate::formula::{DosingSpec, Formula};
use crate::plan::series::{self, SolutionBud};
use crate::plan::session::{Lesion, SessionRequest, HARD_MAX_LESIONS};
use crate::plan::solution::{
    check_concentration, concentration_text, convert, default_concentration, Method,
};
use crate::quantity::{parse_positive, Quantity, Volume};

/// Reads the session options into the request the session planner takes, and the series
/// options when a series is asked for (`--sessions`). `dosing` is the formula's dosing policy
/// (its usual interval between sessions).
pub fn session_request(
    args: &SessionArgs,
    formula: &Formula,
    dosing: &DosingSpec,
) -> Result<(SessionRequest, Option<SeriesOptions>)> {
    let lesions = lesions(args)?;
    let basis = match &args.basis {
        Some(b) => parse_form("--basis", b)?,
        None => formula.strength.basis,
    };
    let (concentration, source, exact_on_formula_basis) = match &args.concentration {
        Some(c) => {
            let c = parse_concentration("--concentration", c)?;
            // A concentration the formula cannot be made at would give a batch command that
            // `batch` refuses: refused here, naming the range and its basis.
            check_concentration(formula, "--concentration", c, basis)?;
            (c, "given with --concentration".to_string(), None)
        }
        None if basis != formula.strength.basis => {
            // `--basis` alone: the formula's strength stated on the asked basis (same moles),
            // never the same number relabelled.
            let default = default_concentration(formula)?;
            let substance = crate::substance::Substance::sodium_thiosulfate();
            let converted = convert(default, formula.strength.basis, basis);
            (
                converted,
                format!(
                    "the default of formula `{}`, {default} ({} basis), on the {basis} basis: {default} × {} / {} (molar masses) = {}",
                    formula.id,
                    formula.strength.basis,
                    substance.molar_mass(basis),
                    substance.molar_mass(formula.strength.basis),
                    concentration_text(converted)
                ),
                Some(default),
            )
        }
        None => (
            default_concentration(formula)?,
            format!("the default of formula `{}`", formula.id),
            None,
        ),
    };
    // Parse the series options before planning so a bad date is reported whatever the doses.
    let series_options = series_request(args, formula, dosing)?;
    let req = SessionRequest {
        lesions,
        concentration,
        basis,
        concentration_source: source,
        exact_on_formula_basis,
        fill_across: args.fill_across,
        override_reason: args.override_reason.clone(),
        vial_residual: args
            .vial_residual
            .as_deref()
            .map(|v| parse_loss("--vial-residual", v))
            .transpose()?,
    };
    Ok((req, series_options))
}

/// The lesions from `--lesions`/`--per-lesion`, repeated `--lesion`, or `--lesion-file`.
pub fn lesions(args: &SessionArgs) -> Result<Vec<Lesion>> {
    let expected = "lesions as `--lesions N --per-lesion VOLUME`, repeated `--lesion VOLUME`, or `--lesion-file FILE` (one of them)";
    let ways = [
        args.lesions.is_some() || args.per_lesion.is_some(),
        !args.lesion.is_empty(),
        args.lesion_file.is_some() || args.lesion_table.is_some(),
    ];
    match ways.iter().filter(|w| **w).count() {
        0 => return Err(Error::input("--lesions", expected, "nothing")),
        1 => {}
        _ => return Err(Error::input("--lesions", expected, "more than one way")),
    }
    if let Some(text) = &args.lesion_table {
        return crate::request::lesion_csv::lesions_from_csv("lesion table", text);
    }
    if let Some(path) = &args.lesion_file {
        let text = crate::data::read_text(path)?;
        return crate::request::lesion_csv::lesions_from_csv(&path.display().to_string(), &text);
    }
    if !args.lesion.is_empty() {
        if args.lesion.len() > HARD_MAX_LESIONS as usize {
            return Err(Error::input(
                "--lesion",
                format!("at most {HARD_MAX_LESIONS} lesions"),
                format!("{} lesions", args.lesion.len()),
            ));
        }
        return args
            .lesion
            .iter()
            .map(|v| {
                let (volume, mass) = parse_dose("--lesion", v)?;
                Ok(Lesion {
                    site: None,
                    size: None,
                    ulceration: None,
                    inflammation: None,
                    volume,
                    mass,
                })
            })
            .collect();
    }
    let count_text = args.lesions.as_deref().ok_or_else(|| {
        Error::input(
            "--lesions",
            "the number of lesions with --per-lesion",
            "nothing",
        )
    })?;
    let count = count(
        "--lesions",
        count_text,
        1,
        HARD_MAX_LESIONS,
        Some("lesions"),
    )?;
    let per = args.per_lesion.as_deref().ok_or_else(|| {
        Error::input(
            "--per-lesion",
            "the dose per lesion with --lesions, e.g. `0.2mL` or `30mg`",
            "nothing",
        )
    })?;
    let (volume, mass) = parse_dose("--per-lesion", per)?;
    Ok(vec![
        Lesion {
            site: None,
            size: None,
            ulceration: None,
            inflammation: None,
            volume,
            mass,
        };
        count as usize
    ])
}

/// Parses a lesion's dose: a volume above zero, or a mass above zero (prescribed in mg; the
/// volume is then worked out at the concentration made, so the volume returned is a
/// placeholder).
fn parse_dose(field: &str, text: &str) -> Result<(Volume, Option<crate::quantity::Mass>)> {
    match text.parse::<Quantity>() {
        Ok(Quantity::Mass(_)) => {
            let m = parse_positive::<crate::quantity::Mass>(field, text)?;
            Ok((Volume::from_ml(rust_decimal::Decimal::ONE), Some(m)))
        }
        _ => Ok((parse_positive::<Volume>(field, text)?, None)),
    }
}

/// The series options, parsed before the session is planned.
pub struct SeriesOptions {
    /// How many sessions.
    pub sessions: u32,
    /// Days between sessions.
    pub every: Days,
    /// The date of the first session.
    pub start: NaiveDate,
    /// The solution's beyond-use date for each session's batch, and why.
    pub bud: SolutionBud,
    /// How each batch is made.
    pub method: Method,
}

fn series_request(
    args: &SessionArgs,
    formula: &crate::formula::Formula,
    dosing: &crate::formula::DosingSpec,
) -> Result<Option<SeriesOptions>> {
    let Some(sessions) = &args.sessions else {
        for (name, given) in [
            ("--every", args.every.is_some()),
            ("--start", args.start.is_some()),
            ("--solution-bud", args.solution_bud.is_some()),
            ("--method", args.method.is_some()),
        ] {
            if given {
                return Err(Error::input(
                    "--sessions",
                    format!("the number of sessions, because {name} was given"),
                    "nothing",
                ));
            }
        }
        return Ok(None);
    };
    let sessions = count(
        "--sessions",
        sessions,
        1,
        series::HARD_MAX_SESSIONS,
        Some("sessions"),
    )?;
    let every = match &args.every {
        Some(e) => Days::parse("--every", e)?,
        None => dosing.interval,
    };
    let start_text = args.start.as_deref().ok_or_else(|| {
        Error::input(
            "--start",
            "the date of the first session, e.g. `2026-11-23`",
            "nothing",
        )
    })?;
    let start = date("--start", start_text)?;
    let method: Method = args.method.as_deref().unwrap_or("dilution").parse()?;
    // The BUD comes from the USP rules for the method (the formula's [bud] declaration); a
    // pharmacist may shorten it with --solution-bud, never lengthen it.
    let rule = crate::plan::solution::method_bud(formula, method)?;
    let given = match &args.solution_bud {
        Some(b) => Some((Days::parse("--solution-bud", b)?, b.trim())),
        None => None,
    };
    let bud = series::solution_bud(&rule, method, given)?;
    Ok(Some(SeriesOptions {
        sessions,
        every,
        start,
        bud,
        method,
    }))
}

/// The series is planned by `stscalc session --format text|json`; a sheet or labels are for one
/// session, so the series options are refused there rather than ignored.
pub fn refuse_series(args: &SessionArgs, what: &str) -> Result<()> {
    let given = first_given(&[
        ("--sessions", args.sessions.as_deref()),
        ("--every", args.every.as_deref()),
        ("--start", args.start.as_deref()),
        ("--solution-bud", args.solution_bud.as_deref()),
        ("--method", args.method.as_deref()),
    ]);
    if let Some((name, v)) = given {
        return Err(Error::input(
            name,
            format!("no series option for the {what} of one session (plan the series with `--format text` or `json`)"),
            format!("`{v}`"),
        ));
    }
    Ok(())
}
