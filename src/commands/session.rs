//! `stscalc session`: an intralesional session checked (and its series planned) as text or
//! JSON, or printed as the session sheet (HTML or PDF). [`session_plan`] and `SheetFields`
//! serve the syringe labels (`stscalc labels session`) too.

use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};

use super::{count, facility, optional_text, parse_clock, parse_concentration, parse_count};
use super::{parse_day, parse_form, parse_loss};
use crate::bud::{CompoundedAt, DrawnUp, SyringeLimit};
use crate::cli::{SessionArgs, SessionSheetOptions, SheetFormat};
use crate::days::Days;
use crate::error::{Error, Result};
use crate::formula::{Catalog, Entry};
use crate::labels::content;
use crate::output;
use crate::plan::series::{self, SeriesRequest, SolutionBud};
use crate::plan::session::{self, Lesion, SessionRequest, HARD_MAX_LESIONS};
use crate::plan::solution::{
    check_concentration, concentration_text, convert, default_concentration, solution_spec,
    BatchSizing, Method,
};
use crate::plan::syringe::SyringeTable;
use crate::quantity::{parse_positive, Quantity, Volume};
use crate::render;
use crate::render::html::Renderer;
use crate::sheets::{Paper, SessionSheet};

/// `stscalc session`: the check as text or JSON, or the session sheet with `--format html|pdf`.
pub fn run(catalog: &Catalog, args: &SessionArgs, templates: Option<&Path>) -> Result<()> {
    if matches!(args.format, SheetFormat::Html | SheetFormat::Pdf) {
        return sheet(catalog, args, templates);
    }
    refuse_sheet_options(args)?;
    let out = report(catalog, args)?;
    output::emit(out.as_bytes(), args.output.as_deref(), args.force)
}

/// The lesions from `--lesions`/`--per-lesion`, repeated `--lesion`, or `--lesion-file`.
pub fn lesions(args: &SessionArgs) -> Result<Vec<Lesion>> {
    let expected = "lesions as `--lesions N --per-lesion VOLUME`, repeated `--lesion VOLUME`, or `--lesion-file FILE` (one of them)";
    let ways = [
        args.lesions.is_some() || args.per_lesion.is_some(),
        !args.lesion.is_empty(),
        args.lesion_file.is_some(),
    ];
    match ways.iter().filter(|w| **w).count() {
        0 => return Err(Error::input("--lesions", expected, "nothing")),
        1 => {}
        _ => return Err(Error::input("--lesions", expected, "more than one way")),
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
    let count = parse_count("--lesions", count_text, "lesions", HARD_MAX_LESIONS)?;
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

/// `stscalc session` as text or JSON: the rendered check (and series). The printed sheet
/// (`--format html|pdf`) is [`sheet`]'s.
fn report(catalog: &Catalog, args: &SessionArgs) -> Result<String> {
    let (_, plan) = session_plan(catalog, args)?;
    match args.format {
        SheetFormat::Json => render::json(&plan),
        _ => Ok(render::dosing::session(&plan)),
    }
}

/// Checks the session the options describe (and plans its series when asked): the formula
/// whose policy applies and the plan.
pub fn session_plan<'c>(
    catalog: &'c Catalog,
    args: &SessionArgs,
) -> Result<(&'c Entry, session::SessionPlan)> {
    let entry = catalog.get(&args.formula)?;
    let formula = &entry.formula;
    // A solution formula only: the session's batch is a solution batch.
    solution_spec(formula)?;
    let dosing = session::dosing_spec(entry)?;
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
    let mut plan = session::plan(entry, SyringeTable::embedded(), &req)?;
    if let Some(o) = series_options {
        let sr = SeriesRequest {
            sessions: o.sessions,
            every: o.every,
            start: o.start,
            bud: o.bud,
            method: o.method,
            // A strength the method cannot make is a warning of the session, not an error.
            sizing: BatchSizing::new(formula, plan.formula_basis_concentration, o.method)
                .ok()
                .map(|b| b.with_vial_residual(req.vial_residual)),
            override_reason: plan.override_reason.clone(),
        };
        let planned = series::plan(&(&plan).into(), dosing, &sr)?;
        // The override line names the series' interval too, once it is known.
        plan.override_text = session::override_text(
            &plan.exceeded,
            planned.overridden.as_deref(),
            plan.override_reason.as_deref(),
        );
        plan.series = Some(planned);
    }
    Ok((entry, plan))
}

/// The series options, parsed before the session is planned.
struct SeriesOptions {
    sessions: u32,
    every: Days,
    start: NaiveDate,
    bud: SolutionBud,
    method: Method,
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
    let sessions = parse_count(
        "--sessions",
        sessions,
        "sessions",
        series::HARD_MAX_SESSIONS,
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
    let start = crate::bud::parse_date("--start", start_text, start_text.trim())?;
    let method: Method = args.method.as_deref().unwrap_or("dilution").parse()?;
    // The BUD comes from the USP rules for the method (the formula's [bud] declaration); a
    // pharmacist may shorten it with --solution-bud, never lengthen it.
    let rule = crate::plan::solution::method_bud(formula, method)?;
    let storage = rule.storage.label().to_string();
    let rule_days = match rule.limit.unit {
        crate::bud::LimitUnit::Days => Days::new(rule.limit.amount),
        // Under a day: usable on the compounding day only.
        crate::bud::LimitUnit::Hours => Days::new(1),
    };
    let rule_reason = format!("{} for the {method} method: {}", rule.limit, rule.reason);
    let bud = match &args.solution_bud {
        Some(b) => {
            let days = Days::parse("--solution-bud", b)?;
            if days > rule_days {
                return Err(Error::input(
                    "--solution-bud",
                    format!(
                        "at most {rule_days}, the limit for the {method} method ({rule}, {}); --solution-bud may only shorten it",
                        // The rule without its long source citation (printed with the series).
                        rule.reason.split(" — ").next().unwrap_or_default()
                    ),
                    format!("`{}`", b.trim()),
                ));
            }
            SolutionBud {
                days,
                storage,
                reason: format!("given with --solution-bud, within the limit of {rule_reason}"),
            }
        }
        None => SolutionBud {
            days: rule_days,
            storage,
            reason: rule_reason,
        },
    };
    Ok(Some(SeriesOptions {
        sessions,
        every,
        start,
        bud,
        method,
    }))
}

/// What the session sheet and syringe labels print besides the plan, checked.
#[derive(Debug, Default)]
pub(crate) struct SheetFields {
    pub(crate) patient: Option<String>,
    pub(crate) patient_id: Option<String>,
    pub(crate) prescriber: Option<String>,
    pub(crate) facility: Option<String>,
    pub(crate) session: Option<u32>,
    pub(crate) date: Option<String>,
    pub(crate) lot: Option<String>,
    pub(crate) bud: Option<String>,
    /// The session's date and the BUD's date, to check a lot of stscalc's scheme against.
    pub(crate) day: Option<NaiveDate>,
    pub(crate) bud_date: Option<NaiveDate>,
    /// The vial's BUD as given (date, and time when given).
    pub(crate) bud_at: Option<CompoundedAt>,
    /// Where the syringes are drawn up (default immediate use).
    pub(crate) drawn_up: DrawnUp,
    /// When they are drawn up: `--drawn-at` on the session's date.
    pub(crate) drawn_at: Option<NaiveDateTime>,
}

impl SheetFields {
    /// The syringes' own limit (`--drawn-up`, `--drawn-at`; rules in data/bud-rules.toml),
    /// never after the vial's BUD. An ISO 5 syringe is stored as the formula's solution is.
    pub(crate) fn syringe_limit(&self, entry: &Entry) -> Result<SyringeLimit> {
        let storage = entry.formula.bud().storage.ok_or_else(|| {
            Error::Refused(format!(
                "formula `{}` declares no storage (`bud.storage`): an ISO 5 syringe's BUD depends on it",
                entry.formula.id
            ))
        })?;
        crate::bud::syringe_limit(
            crate::bud::Rules::embedded(),
            self.drawn_up,
            storage,
            self.drawn_at,
            self.bud_at,
        )
    }

    /// Checks `--lot` and `--bud` against the session's formula and strength: a lot of
    /// stscalc's scheme must be of this formula and strength, compounded by the session's date,
    /// and the BUD no later than the formula's rules allow it (see
    /// [`crate::plan::record::check_session_lot`]).
    pub(crate) fn check_lot(
        &self,
        entry: &Entry,
        plan: &crate::plan::session::SessionPlan,
    ) -> Result<()> {
        match (&self.lot, self.day) {
            (Some(lot), Some(day)) => crate::plan::record::check_session_lot(
                &entry.formula,
                crate::formula::Strength::Concentration(plan.formula_basis_concentration),
                lot,
                day,
                self.bud_date,
            ),
            _ => Ok(()),
        }
    }
}

impl SheetFields {
    /// Checks the options; `now` is the clock (the binary's; tests pass a time). The session's
    /// date is `--date`, else today: the solution's BUD is always checked against a date, and
    /// the sheet prints the date it was checked against.
    pub(crate) fn parse(o: &SessionSheetOptions, now: NaiveDateTime) -> Result<Self> {
        let given = o.date.as_deref().map(parse_day).transpose()?;
        let day = given.unwrap_or(now.date());
        let date = Some(day.format("%Y-%m-%d").to_string());
        let bud = o
            .bud
            .as_deref()
            .map(|b| CompoundedAt::parse("--bud", b))
            .transpose()?;
        // A solution past its beyond-use date is not injected: refuse the sheet and the labels.
        if let Some(b) = &bud {
            let which = if given.is_some() {
                ""
            } else {
                " (today; give --date for a session on another day)"
            };
            if b.date < day {
                return Err(Error::Refused(format!(
                    "the solution's beyond-use date {b} is before the session's date {day}{which}: do not use it; prepare a new batch"
                )));
            }
            // A BUD in hours that ends today has passed once its time has.
            if given.is_none() && b.date == day && b.time.is_some_and(|t| t <= now.time()) {
                return Err(Error::Refused(format!(
                    "the solution's beyond-use date {b} has passed (it is now {}): do not use it; prepare a new batch",
                    now.format("%Y-%m-%d %H:%M")
                )));
            }
        }
        Ok(SheetFields {
            patient: optional_text("--patient", o.patient.as_deref())?,
            patient_id: optional_text("--patient-id", o.patient_id.as_deref())?,
            prescriber: optional_text("--prescriber", o.prescriber.as_deref())?,
            facility: facility(o.facility.as_deref())?,
            session: o
                .session
                .as_deref()
                .map(|s| count("--session", s, 1, 1000))
                .transpose()?,
            date,
            lot: o
                .lot
                .as_deref()
                .map(|l| crate::plan::record::check_lot("--lot", l))
                .transpose()?,
            bud_date: bud.map(|b| b.date),
            bud: bud.map(|b| b.to_string()),
            bud_at: bud,
            day: Some(day),
            drawn_up: o.drawn_up.unwrap_or_default(),
            drawn_at: o
                .drawn_at
                .as_deref()
                .map(|t| parse_clock("--drawn-at", t).map(|t| day.and_time(t)))
                .transpose()?,
        })
    }
}

/// The series is planned by `stscalc session --format text|json`; a sheet or labels are for one
/// session, so the series options are refused there rather than ignored.
pub(crate) fn refuse_series(args: &SessionArgs, what: &str) -> Result<()> {
    for (name, value) in [
        ("--sessions", &args.sessions),
        ("--every", &args.every),
        ("--start", &args.start),
        ("--solution-bud", &args.solution_bud),
        ("--method", &args.method),
    ] {
        if let Some(v) = value {
            return Err(Error::input(
                name,
                format!("no series option for the {what} of one session (plan the series with `--format text` or `json`)"),
                format!("`{v}`"),
            ));
        }
    }
    Ok(())
}

/// The sheet options print only on the session sheet and labels: refused, not ignored, with
/// `--format text|json`.
pub fn refuse_sheet_options(args: &SessionArgs) -> Result<()> {
    let o = &args.sheet;
    let given = [
        ("--patient", o.patient.as_deref()),
        ("--patient-id", o.patient_id.as_deref()),
        ("--prescriber", o.prescriber.as_deref()),
        ("--facility", o.facility.as_deref()),
        ("--session", o.session.as_deref()),
        ("--date", o.date.as_deref()),
        ("--lot", o.lot.as_deref()),
        ("--bud", o.bud.as_deref()),
        ("--drawn-up", o.drawn_up.map(crate::bud::DrawnUp::as_str)),
        ("--drawn-at", o.drawn_at.as_deref()),
        ("--paper", o.paper.map(Paper::as_str)),
    ]
    .into_iter()
    .find_map(|(n, v)| v.map(|v| (n, v)));
    match given {
        Some((name, value)) => Err(Error::input(
            name,
            "`--format html` or `pdf` with it (it prints on the session sheet; the syringe labels take it too, `stscalc labels session`)",
            format!("`{value}`"),
        )),
        None => Ok(()),
    }
}

/// `stscalc session --format html|pdf`: the session sheet filled from the checked session.
fn sheet(catalog: &Catalog, args: &SessionArgs, templates: Option<&Path>) -> Result<()> {
    output::check(args.output.as_deref(), args.force)?;
    refuse_series(args, "sheet")?;
    let fields = SheetFields::parse(&args.sheet, chrono::Local::now().naive_local())?;
    let (entry, plan) = session_plan(catalog, args)?;
    fields.check_lot(entry, &plan)?;
    let limit = fields.syringe_limit(entry)?;
    let mut sheet =
        SessionSheet::from_plan(entry, &plan, args.sheet.paper.unwrap_or(Paper::Letter));
    sheet.drawn_up = Some(content::drawn_up_sentence(&limit));
    sheet.patient = fields.patient;
    sheet.patient_id = fields.patient_id;
    sheet.prescriber = fields.prescriber;
    sheet.facility = fields.facility;
    sheet.session = fields.session;
    sheet.date = fields.date;
    sheet.lot = fields.lot;
    sheet.bud = fields.bud;
    sheet.set_page_header();
    let html = Renderer::new(templates)?.render("session-sheet.html", &sheet)?;
    output::emit(
        &crate::render::pdf::bytes(html, args.format == SheetFormat::Pdf)?,
        args.output.as_deref(),
        args.force,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
    }

    fn options(date: Option<&str>, bud: &str) -> SessionSheetOptions {
        SessionSheetOptions {
            date: date.map(str::to_string),
            bud: Some(bud.to_string()),
            ..SessionSheetOptions::default()
        }
    }

    #[test]
    fn the_bud_is_checked_against_today_when_no_session_date_is_given() {
        let now = at("2026-11-21 22:00");
        // The day before today: expired.
        let e = SheetFields::parse(&options(None, "2026-11-20"), now).unwrap_err();
        assert!(e
            .to_string()
            .contains("before the session's date 2026-11-21 (today"));
        // Today, in hours: 21:30 has passed at 22:00, 23:00 has not.
        let e = SheetFields::parse(&options(None, "2026-11-21T21:30"), now).unwrap_err();
        assert!(e.to_string().contains("has passed"), "{e}");
        let f = SheetFields::parse(&options(None, "2026-11-21T23:00"), now).unwrap();
        assert_eq!(f.date.as_deref(), Some("2026-11-21"));
        // A session date given is the date checked, and printed.
        let f = SheetFields::parse(&options(Some("2026-11-20"), "2026-11-20"), now).unwrap();
        assert_eq!(f.date.as_deref(), Some("2026-11-20"));
        assert!(SheetFields::parse(&options(Some("2026-11-22"), "2026-11-21T23:00"), now).is_err());
    }
}
