//! Session and supply request files (`stscalc session --request`, `stscalc supply --request`,
//! and the bodies of the web API's `POST /api/session` and `/api/supply`): the whole request in
//! one TOML or JSON document whose keys are the long options with `-` written `_`, as for the
//! batch (`docs/batch-request.md`; the format is documented in `docs/session-request.md`).
//!
//! As for the batch, a value given in the file and on the command line must agree, otherwise
//! the request is refused naming the option. No key names a file: a document posted to the web
//! app must never make it read the server's files.

use serde::Deserialize;

use super::file::{conflict, merge, read_as};
use crate::cli::{DrawnUpArg, PaperArg, SessionArgs, SupplyArgs};
use crate::error::{Error, Result};

/// A session request document.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionFile {
    /// `--formula`.
    pub formula: Option<String>,
    /// `--lesions`: a whole number or its text.
    #[serde(default, deserialize_with = "text_or_whole")]
    pub lesions: Option<String>,
    /// `--per-lesion`.
    pub per_lesion: Option<String>,
    /// `--lesion`, one volume per lesion.
    #[serde(default)]
    pub lesion: Vec<String>,
    /// `--concentration`.
    pub concentration: Option<String>,
    /// `--basis`.
    pub basis: Option<String>,
    /// `--fill-across`.
    pub fill_across: Option<bool>,
    /// `--vial-residual`.
    pub vial_residual: Option<String>,
    /// `--override-reason`.
    pub override_reason: Option<String>,
    /// `--sessions`.
    #[serde(default, deserialize_with = "text_or_whole")]
    pub sessions: Option<String>,
    /// `--every`.
    pub every: Option<String>,
    /// `--start`.
    pub start: Option<String>,
    /// `--method`.
    pub method: Option<String>,
    /// `--solution-bud`.
    pub solution_bud: Option<String>,
    /// `--patient`.
    pub patient: Option<String>,
    /// `--patient-id`.
    pub patient_id: Option<String>,
    /// `--prescriber`.
    pub prescriber: Option<String>,
    /// `--facility`.
    pub facility: Option<String>,
    /// `--session`.
    #[serde(default, deserialize_with = "text_or_whole")]
    pub session: Option<String>,
    /// `--date`.
    pub date: Option<String>,
    /// `--lot`.
    pub lot: Option<String>,
    /// `--bud`.
    pub bud: Option<String>,
    /// `--drawn-up`.
    pub drawn_up: Option<String>,
    /// `--drawn-at`.
    pub drawn_at: Option<String>,
    /// `--paper`.
    pub paper: Option<String>,
}

/// A supply request document.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupplyFile {
    /// The formula id (the first argument).
    pub formula: Option<String>,
    /// `--per-application`.
    pub per_application: Option<String>,
    /// `--per-day`: a whole number or its text.
    #[serde(default, deserialize_with = "text_or_whole")]
    pub per_day: Option<String>,
    /// `--days`.
    #[serde(default, deserialize_with = "text_or_whole")]
    pub days: Option<String>,
    /// `--months`.
    #[serde(default, deserialize_with = "text_or_whole")]
    pub months: Option<String>,
    /// `--container`.
    pub container: Option<String>,
}

/// A count written as a whole number (`12`) or as text (`"12"`), kept as text so that the
/// option's own check reads it. A number with a fraction is refused: counts are whole, and a
/// JSON fraction would be read through a float.
fn text_or_whole<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<String>, D::Error> {
    struct V;
    impl serde::de::Visitor<'_> for V {
        type Value = Option<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a whole number or a string")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_unit<E: serde::de::Error>(self) -> std::result::Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: serde::de::Error>(self) -> std::result::Result<Self::Value, E> {
            Ok(None)
        }
    }
    d.deserialize_any(V)
}

/// Reads `--request` of `session` (if given) and merges it into the options.
pub fn load_session(mut args: SessionArgs) -> Result<SessionArgs> {
    if let Some(path) = args.request.clone() {
        apply_session(&mut args, read_as(&path)?)?;
    }
    Ok(args)
}

/// Reads `--request` of `supply` (if given) and merges it into the options.
pub fn load_supply(mut args: SupplyArgs) -> Result<SupplyArgs> {
    if let Some(path) = args.request.clone() {
        apply_supply(&mut args, read_as(&path)?)?;
    }
    Ok(args)
}

/// Merges a session document into the options.
pub fn apply_session(args: &mut SessionArgs, file: SessionFile) -> Result<()> {
    merge(&mut args.formula, file.formula, "--formula", "formula")?;
    merge(&mut args.lesions, file.lesions, "--lesions", "lesions")?;
    merge(
        &mut args.per_lesion,
        file.per_lesion,
        "--per-lesion",
        "per_lesion",
    )?;
    if !file.lesion.is_empty() {
        if args.lesion.is_empty() {
            args.lesion = file.lesion;
        } else if args.lesion != file.lesion {
            return Err(conflict(
                "--lesion",
                "lesion",
                &file.lesion.join(", "),
                &args.lesion.join(", "),
            ));
        }
    }
    merge(
        &mut args.concentration,
        file.concentration,
        "--concentration",
        "concentration",
    )?;
    merge(&mut args.basis, file.basis, "--basis", "basis")?;
    match file.fill_across {
        Some(true) => args.fill_across = true,
        Some(false) if args.fill_across => {
            return Err(conflict("--fill-across", "fill_across", "false", "given"))
        }
        _ => {}
    }
    merge(
        &mut args.vial_residual,
        file.vial_residual,
        "--vial-residual",
        "vial_residual",
    )?;
    merge(
        &mut args.override_reason,
        file.override_reason,
        "--override-reason",
        "override_reason",
    )?;
    merge(&mut args.sessions, file.sessions, "--sessions", "sessions")?;
    merge(&mut args.every, file.every, "--every", "every")?;
    merge(&mut args.start, file.start, "--start", "start")?;
    merge(&mut args.method, file.method, "--method", "method")?;
    merge(
        &mut args.solution_bud,
        file.solution_bud,
        "--solution-bud",
        "solution_bud",
    )?;
    apply_sheet(args, file.patient, file.patient_id, file.prescriber)?;
    let o = &mut args.sheet;
    merge(&mut o.facility, file.facility, "--facility", "facility")?;
    merge(&mut o.session, file.session, "--session", "session")?;
    merge(&mut o.date, file.date, "--date", "date")?;
    merge(&mut o.lot, file.lot, "--lot", "lot")?;
    merge(&mut o.bud, file.bud, "--bud", "bud")?;
    merge(&mut o.drawn_at, file.drawn_at, "--drawn-at", "drawn_at")?;
    if let Some(d) = file.drawn_up {
        let parsed = DrawnUpArg::parse(&d).ok_or_else(|| {
            Error::input(
                "--drawn-up",
                "`immediate-use` or `iso5`",
                crate::error::quote(&d),
            )
        })?;
        match o.drawn_up {
            Some(c) if c != parsed => {
                return Err(conflict("--drawn-up", "drawn_up", &d, c.as_str()))
            }
            _ => o.drawn_up = Some(parsed),
        }
    }
    if let Some(p) = file.paper {
        let parsed = PaperArg::parse(&p)
            .ok_or_else(|| Error::input("--paper", "`letter` or `a4`", crate::error::quote(&p)))?;
        match o.paper {
            Some(c) if c != parsed => return Err(conflict("--paper", "paper", &p, c.as_str())),
            _ => o.paper = Some(parsed),
        }
    }
    Ok(())
}

/// Merges who the session is for.
fn apply_sheet(
    args: &mut SessionArgs,
    patient: Option<String>,
    patient_id: Option<String>,
    prescriber: Option<String>,
) -> Result<()> {
    let o = &mut args.sheet;
    merge(&mut o.patient, patient, "--patient", "patient")?;
    merge(&mut o.patient_id, patient_id, "--patient-id", "patient_id")?;
    merge(&mut o.prescriber, prescriber, "--prescriber", "prescriber")
}

/// Merges a supply document into the options.
pub fn apply_supply(args: &mut SupplyArgs, file: SupplyFile) -> Result<()> {
    merge(&mut args.id, file.formula, "formula", "formula")?;
    merge(
        &mut args.per_application,
        file.per_application,
        "--per-application",
        "per_application",
    )?;
    merge(&mut args.per_day, file.per_day, "--per-day", "per_day")?;
    merge(&mut args.days, file.days, "--days", "days")?;
    merge(&mut args.months, file.months, "--months", "months")?;
    merge(
        &mut args.container,
        file.container,
        "--container",
        "container",
    )?;
    if args.days.is_some() && args.months.is_some() {
        return Err(Error::input(
            "--days",
            "one length of the course: `days` or `months`",
            "both",
        ));
    }
    Ok(())
}
