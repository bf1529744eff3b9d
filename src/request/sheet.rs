//! What the session sheet and the syringe labels print besides the plan (`--patient`,
//! `--date`, `--lot`, `--bud`, `--drawn-up`, …), checked; and their refusal with a text or
//! JSON session, where they would not print.

use chrono::{NaiveDate, NaiveDateTime};

use super::parse::{count, date, facility, first_given, optional_text, parse_clock};
use crate::bud::{CompoundedAt, DrawnUp, SyringeLimit};
use crate::cli::{DrawnUpArg, PaperArg, SessionArgs, SessionSheetArgs, SessionSheetOptions};
use crate::error::{Error, Result};
use crate::formula::Entry;

/// What the session sheet and syringe labels print besides the plan, checked.
#[derive(Debug, Default)]
pub struct SheetFields {
    /// The patient (`--patient`).
    pub patient: Option<String>,
    /// The patient's identifier (`--patient-id`).
    pub patient_id: Option<String>,
    /// The prescriber (`--prescriber`).
    pub prescriber: Option<String>,
    /// The facility line (`--facility`).
    pub facility: Option<String>,
    /// The session number in the series (`--session`).
    pub session: Option<u32>,
    /// The session's date as printed, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// The solution's lot (`--lot`).
    pub lot: Option<String>,
    /// The solution's beyond-use date as printed (`--bud`).
    pub bud: Option<String>,
    /// The session's date and the BUD's date, to check a lot of stscalc's scheme against.
    pub day: Option<NaiveDate>,
    /// The date of the solution's beyond-use date.
    pub bud_date: Option<NaiveDate>,
    /// The vial's BUD as given (date, and time when given).
    pub bud_at: Option<CompoundedAt>,
    /// Where the syringes are drawn up (default immediate use).
    pub drawn_up: DrawnUp,
    /// When they are drawn up: `--drawn-at` on the session's date.
    pub drawn_at: Option<NaiveDateTime>,
}

impl SheetFields {
    /// The syringes' own limit (`--drawn-up`, `--drawn-at`; rules in data/bud-rules.toml),
    /// never after the vial's BUD. An ISO 5 syringe is stored as the formula's solution is.
    pub fn syringe_limit(&self, entry: &Entry) -> Result<SyringeLimit> {
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
    pub fn check_lot(&self, entry: &Entry, plan: &crate::plan::session::SessionPlan) -> Result<()> {
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
    pub fn parse(o: &SessionSheetOptions, now: NaiveDateTime) -> Result<Self> {
        let given = o.date.as_deref().map(|t| date("--date", t)).transpose()?;
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
                .map(|s| count("--session", s, 1, 1000, None))
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
            drawn_up: o.drawn_up.map(drawn_up).unwrap_or_default(),
            drawn_at: o
                .drawn_at
                .as_deref()
                .map(|t| parse_clock("--drawn-at", t).map(|t| day.and_time(t)))
                .transpose()?,
        })
    }
}

/// The sheet options print only on the session sheet and labels: refused, not ignored, with
/// `--format text|json`.
pub fn refuse_sheet_options(args: &SessionArgs) -> Result<()> {
    refuse_sheet_options_but(args, &[])
}

/// [`refuse_sheet_options`] but for the options named in `allowed` (e.g. `--lot` with
/// `--record`, which records the session in the register).
pub fn refuse_sheet_options_but(args: &SessionArgs, allowed: &[&str]) -> Result<()> {
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
        ("--drawn-up", o.drawn_up.map(DrawnUpArg::as_str)),
        ("--drawn-at", o.drawn_at.as_deref()),
        ("--paper", o.paper.map(PaperArg::as_str)),
    ];
    let given: Vec<(&str, Option<&str>)> = given
        .into_iter()
        .filter(|(name, _)| !allowed.contains(name))
        .collect();
    match first_given(&given) {
        Some((name, value)) => Err(Error::input(
            name,
            "`--format html` or `pdf` with it (it prints on the session sheet; the syringe labels take it too, `stscalc labels session`)",
            format!("`{value}`"),
        )),
        None => Ok(()),
    }
}

/// What `stscalc session-sheet` prints in the blanks it can fill, checked.
#[derive(Debug, Default)]
pub struct BlankSheetRequest {
    /// How many lesion rows (`--lesions`).
    pub rows: u32,
    /// The patient (`--patient`).
    pub patient: Option<String>,
    /// The patient's identifier (`--patient-id`).
    pub patient_id: Option<String>,
    /// The prescriber (`--prescriber`).
    pub prescriber: Option<String>,
    /// The facility line (`--facility`).
    pub facility: Option<String>,
    /// The session number (`--session`).
    pub session: Option<u32>,
    /// The session's date as printed, `YYYY-MM-DD` (`--date`).
    pub date: Option<String>,
}

/// Reads the options of `stscalc session-sheet`.
pub fn blank_sheet_request(args: &SessionSheetArgs) -> Result<BlankSheetRequest> {
    Ok(BlankSheetRequest {
        rows: count("--lesions", &args.lesions, 1, 40, None)?,
        patient: optional_text("--patient", args.patient.as_deref())?,
        patient_id: optional_text("--patient-id", args.patient_id.as_deref())?,
        prescriber: optional_text("--prescriber", args.prescriber.as_deref())?,
        facility: facility(args.facility.as_deref())?,
        session: match args.session.as_deref() {
            None => None,
            Some(s) => Some(count("--session", s, 1, 1000, None)?),
        },
        date: args
            .date
            .as_deref()
            .map(|t| date("--date", t).map(|d| d.format("%Y-%m-%d").to_string()))
            .transpose()?,
    })
}

/// Where the syringes are drawn up, as the rules name it.
fn drawn_up(arg: DrawnUpArg) -> DrawnUp {
    match arg {
        DrawnUpArg::ImmediateUse => DrawnUp::ImmediateUse,
        DrawnUpArg::Iso5 => DrawnUp::Iso5,
    }
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
