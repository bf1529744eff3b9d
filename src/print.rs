//! Glue for the printable sheets: options in, a view built from the plan, HTML from the
//! templates, optionally a PDF from headless Chromium, then standard output or
//! [`crate::output::write_file`].
//!
//! The output path is checked before the browser runs, so a missing folder or an existing file
//! fails at once and the same way for HTML and PDF.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rust_decimal::Decimal;

use crate::bud::{CompoundedAt, DrawnUp, SyringeLimit};
use crate::cli::{
    BatchArgs, LabelSheetArgs, LabelsArgs, LabelsTarget, PrintFormat, SessionArgs,
    SessionLabelsArgs, SessionSheetArgs, SessionSheetOptions, SheetFormat,
};
use crate::error::{Error, Result};
use crate::formula::{Catalog, Entry, Preparation};
use crate::labels::content::{self, Recipient, Traceability};
use crate::labels::{self, LabelSheet, LabelText, Stock};
use crate::output;
use crate::plan::ointment::OintmentPlan;
use crate::plan::solution::SolutionPlan;
use crate::quantity::format_number;
use crate::render::html::{Renderer, TEMPLATES};
use crate::sheets::{user_text, Paper, RecordView, SessionSheet};

/// `stscalc batch --format html|pdf`: the compounding record of an ointment batch.
pub fn record(
    entry: &Entry,
    plan: &OintmentPlan,
    args: &BatchArgs,
    templates: Option<&Path>,
) -> Result<()> {
    record_sheet(args, templates, |facility, paper| {
        RecordView::ointment(entry, plan, facility, paper)
    })
}

/// `stscalc verify --format html|pdf`: the compounding record of a batch verified from its
/// measured weights, with the result and the correction (and no label when it failed).
pub fn verified_record(
    entry: &Entry,
    v: &crate::plan::verify::Verification,
    args: &BatchArgs,
    templates: Option<&Path>,
) -> Result<()> {
    record_sheet(args, templates, |facility, paper| {
        RecordView::verified(entry, v, facility, paper)
    })
}

/// `stscalc batch --format html|pdf` of a solution: its compounding record.
pub fn solution_record(
    entry: &Entry,
    plan: &SolutionPlan,
    args: &BatchArgs,
    templates: Option<&Path>,
) -> Result<()> {
    record_sheet(args, templates, |facility, paper| {
        RecordView::solution(entry, plan, facility, paper)
    })
}

/// Renders a compounding record from the view `view` builds for the facility and paper, and
/// writes it as HTML or PDF. The output path is checked first, before any slow work.
fn record_sheet<'a>(
    args: &BatchArgs,
    templates: Option<&Path>,
    view: impl FnOnce(Option<String>, Paper) -> Result<RecordView<'a>>,
) -> Result<()> {
    output::check(args.output.as_deref(), args.force)?;
    let facility = facility(args.print.facility.as_deref())?;
    let paper = args.print.paper.unwrap_or(Paper::Letter);
    let renderer = Renderer::new(templates)?;
    let html = renderer.render("record.html", &view(facility, paper)?)?;
    output::emit(
        &crate::render::pdf::bytes(html, args.format == SheetFormat::Pdf)?,
        args.output.as_deref(),
        args.force,
    )
}

/// The label options shared by batch and session labels.
struct LabelRun<'a> {
    stock: Stock,
    copies: u32,
    skip: u32,
    outline: bool,
    format: SheetFormat,
    output: Option<&'a Path>,
    force: bool,
}

impl<'a> LabelRun<'a> {
    fn new(
        sheet: &LabelSheetArgs,
        paper: Option<Paper>,
        format: SheetFormat,
        output: Option<&'a Path>,
        force: bool,
    ) -> Result<Self> {
        let stock = labels::find(sheet.label_stock.as_deref())?;
        check_paper(&stock, paper)?;
        Ok(LabelRun {
            stock,
            copies: count("--copies", &sheet.copies, 0, 1000)?,
            skip: count("--skip", &sheet.skip, 0, u32::MAX)?,
            outline: sheet.outline,
            format,
            output,
            force,
        })
    }

    /// Lays `texts` out and writes them in the asked format; `title` and `what` describe the
    /// run in the text preview. `warnings` go with the preview and the JSON, and to standard
    /// error for HTML and PDF (never onto the labels).
    fn print(
        &self,
        texts: &[LabelText],
        title: &str,
        what: (&str, u32),
        warnings: Vec<String>,
        templates: Option<&Path>,
    ) -> Result<()> {
        let mut sheet = labels::lay_out(&self.stock, texts, self.skip, self.outline)?;
        sheet.warnings = warnings;
        match self.format {
            SheetFormat::Text => output::emit(
                labels_text(title, what, self.copies, &sheet).as_bytes(),
                self.output,
                self.force,
            ),
            SheetFormat::Json => output::emit(
                crate::render::json(&sheet)?.as_bytes(),
                self.output,
                self.force,
            ),
            SheetFormat::Html | SheetFormat::Pdf => {
                output::check(self.output, self.force)?;
                let html = Renderer::new(templates)?.render("labels.html", &sheet)?;
                output::emit(
                    &crate::render::pdf::bytes(html, self.format == SheetFormat::Pdf)?,
                    self.output,
                    self.force,
                )?;
                // Once the labels are written: a failed run prints its one error line only.
                output::warn(&sheet.warnings);
                Ok(())
            }
        }
    }
}

/// `stscalc labels`: container labels for a batch (or, with `session`, syringe labels for a
/// session), on a label stock.
pub fn labels(catalog: &Catalog, args: &LabelsArgs, templates: Option<&Path>) -> Result<()> {
    if let Some(LabelsTarget::Session(s)) = &args.target {
        return session_labels(catalog, s, templates);
    }
    let b = &args.batch;
    let run = LabelRun::new(
        &args.sheet,
        b.print.paper,
        b.format,
        b.output.as_deref(),
        b.force,
    )?;
    // The batch's request (options and --request file) gives the lot and the BUD printed: the
    // lot and the compounding date of the batch's record, never today's clock, so that labels
    // printed another day say what the record says.
    let (mut b, mut extras) = crate::request::load(b.clone())?;
    let entry = catalog.get(crate::request::formula_id(&b)?)?;
    let saved = args
        .plan
        .as_deref()
        .map(crate::request::read_saved_plan)
        .transpose()?;
    let mut warnings = Vec::new();
    match &saved {
        Some(saved) => {
            crate::plan::verify::check_saved_formula(
                &crate::plan::ointment::FormulaRef::of(entry),
                saved,
            )?;
            crate::request::apply_saved_plan(&mut b, &mut extras, saved)?;
        }
        None => require_record_identity(&b, entry)?,
    }
    let b = &b;
    // The labels are the saved plan's, or worked out again from the options: say so.
    let check = |mine: serde_json::Value| match &saved {
        Some(saved) => crate::plan::verify::check_saved_batch(
            &crate::plan::ointment::FormulaRef::of(entry),
            &mine,
            saved,
        ),
        None => Ok(()),
    };
    let facility = facility(b.print.facility.as_deref())?;
    let mut texts: Vec<LabelText> = Vec::new();
    let containers = match entry.formula.preparation {
        Preparation::Ointment => {
            crate::app::dosing::refuse_solution_options(b)?;
            let plan = crate::app::ointment_batch(entry, b, extras.components)?;
            check(plan_json(&plan)?)?;
            check_record_lot(
                entry,
                crate::formula::Strength::Percent(plan.strength),
                plan.record.as_ref(),
            )?;
            warnings.extend(plan.record.iter().flat_map(|r| r.warnings.clone()));
            let trace = trace_of(plan.record.as_ref());
            let label =
                |purpose| content::ointment(entry, &plan, facility.as_deref(), &trace, purpose);
            texts.extend((0..plan.fill.count).map(|_| label("container")));
            texts.extend((0..run.copies).map(|_| label("record copy")));
            plan.fill.count
        }
        Preparation::Solution => {
            let plan = crate::app::solution_batch(entry, b, extras.components)?;
            check(plan_json(&plan)?)?;
            check_record_lot(
                entry,
                crate::formula::Strength::Concentration(plan.strength),
                plan.record.as_ref(),
            )?;
            warnings.extend(plan.record.iter().flat_map(|r| r.warnings.clone()));
            let trace = trace_of(plan.record.as_ref());
            let fill = &plan.fill;
            // Every vial holds its share and its residual but the last, which holds the rest.
            for k in 1..=fill.count {
                texts.push(content::solution(
                    entry,
                    &plan,
                    fill.holds_in(k),
                    facility.as_deref(),
                    &trace,
                    "container",
                ));
            }
            // The record's copy is the first vial's label.
            let copy = content::solution(
                entry,
                &plan,
                fill.holds_in(1),
                facility.as_deref(),
                &trace,
                "record copy",
            );
            texts.extend((0..run.copies).map(|_| copy.clone()));
            fill.count
        }
    };
    if saved.is_none() {
        warnings.push(
            "these labels are worked out again from the options given: check their lot, BUD and storage against the compounding record (`--plan` prints them from the batch's saved plan)"
                .to_string(),
        );
    }
    let title = format!("Labels for {}", entry.formula.id);
    run.print(
        &texts,
        &title,
        ("container", containers),
        warnings,
        templates,
    )
}

/// A plan as JSON, to compare with a saved one.
fn plan_json<T: serde::Serialize>(plan: &T) -> Result<serde_json::Value> {
    serde_json::to_value(plan).map_err(|e| Error::Refused(format!("cannot write JSON: {e}")))
}

/// Container labels carry the lot and the beyond-use date of the batch's compounding record:
/// they need the record's lot number and compounding date (`--lot` and `--date`, or `lot` and
/// `compounded_at` in the `--request` file), not ones made up again from today's clock.
fn require_record_identity(b: &BatchArgs, entry: &Entry) -> Result<()> {
    if b.record.date.is_none() {
        return Err(Error::input(
            "--date",
            "the batch's compounding date and time as on its compounding record (the labels carry the record's lot and BUD; or `compounded_at` in a --request file)",
            "nothing",
        ));
    }
    if b.record.lot.is_none() {
        return Err(Error::input(
            "--lot",
            "the batch's lot number as on its compounding record (or `lot` in a --request file)",
            "nothing",
        ));
    }
    // The BUD depends on the method (a solution from powder keeps 4 days, diluted 10): it is
    // not left to the default either.
    let methods = &entry.formula.bud().methods;
    if !methods.is_empty() && b.method.is_none() {
        return Err(Error::input(
            "--method",
            format!(
                "the batch's preparation method as on its compounding record ({}: the BUD depends on it)",
                methods
                    .keys()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
            "nothing",
        ));
    }
    Ok(())
}

/// A lot number of stscalc's own scheme for this formula must be of the batch's day and
/// strength: a mismatch means the lot of another batch was typed.
fn check_record_lot(
    entry: &Entry,
    made: crate::formula::Strength,
    record: Option<&crate::plan::record::BatchRecord>,
) -> Result<()> {
    match record {
        Some(r) => crate::plan::record::check_given_lot(
            &entry.formula,
            made,
            &r.lot.number,
            r.compounded_at.date,
        ),
        None => Ok(()),
    }
}

/// `stscalc labels session`: one label per syringe of a checked session, plus `--copies` of
/// each for the record.
fn session_labels(
    catalog: &Catalog,
    args: &SessionLabelsArgs,
    templates: Option<&Path>,
) -> Result<()> {
    let s = &args.session;
    let run = LabelRun::new(
        &args.sheet,
        s.sheet.paper,
        s.format,
        s.output.as_deref(),
        s.force,
    )?;
    refuse_series(s, "labels")?;
    let fields = SheetFields::parse(&s.sheet, chrono::Local::now().naive_local())?;
    let (entry, plan) = crate::app::dosing::session_plan(catalog, s)?;
    fields.check_lot(entry, &plan)?;
    let limit = fields.syringe_limit(entry)?;
    // The vial's lot and BUD: printed as the syringes' source, never as their own BUD.
    let vial = Traceability {
        lot: fields.lot.clone(),
        bud: fields.bud.clone(),
        ..Traceability::default()
    };
    let recipient = Recipient {
        patient: fields.patient.clone(),
        patient_id: fields.patient_id.clone(),
    };
    let mut texts = Vec::new();
    for purpose in std::iter::once("syringe").chain((0..run.copies).map(|_| "record copy")) {
        for fill in &plan.syringes {
            texts.push(content::syringe(
                entry,
                &plan,
                fill,
                &recipient,
                fields.facility.as_deref(),
                &vial,
                &limit,
                purpose,
            ));
        }
    }
    let title = format!("Syringe labels for a session of {}", entry.formula.id);
    run.print(
        &texts,
        &title,
        ("syringe", plan.syringes.len() as u32),
        Vec::new(),
        templates,
    )
}

/// What the session sheet and syringe labels print besides the plan, checked.
#[derive(Debug, Default)]
struct SheetFields {
    patient: Option<String>,
    patient_id: Option<String>,
    prescriber: Option<String>,
    facility: Option<String>,
    session: Option<u32>,
    date: Option<String>,
    lot: Option<String>,
    bud: Option<String>,
    /// The session's date and the BUD's date, to check a lot of stscalc's scheme against.
    day: Option<NaiveDate>,
    bud_date: Option<NaiveDate>,
    /// The vial's BUD as given (date, and time when given).
    bud_at: Option<CompoundedAt>,
    /// Where the syringes are drawn up (default immediate use).
    drawn_up: DrawnUp,
    /// When they are drawn up: `--drawn-at` on the session's date.
    drawn_at: Option<NaiveDateTime>,
}

impl SheetFields {
    /// The syringes' own limit (`--drawn-up`, `--drawn-at`; rules in data/bud-rules.toml),
    /// never after the vial's BUD. An ISO 5 syringe is stored as the formula's solution is.
    fn syringe_limit(&self, entry: &Entry) -> Result<SyringeLimit> {
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
    fn check_lot(&self, entry: &Entry, plan: &crate::plan::session::SessionPlan) -> Result<()> {
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
    fn parse(o: &SessionSheetOptions, now: NaiveDateTime) -> Result<Self> {
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
fn refuse_series(args: &SessionArgs, what: &str) -> Result<()> {
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
pub fn session(catalog: &Catalog, args: &SessionArgs, templates: Option<&Path>) -> Result<()> {
    output::check(args.output.as_deref(), args.force)?;
    refuse_series(args, "sheet")?;
    let fields = SheetFields::parse(&args.sheet, chrono::Local::now().naive_local())?;
    let (entry, plan) = crate::app::dosing::session_plan(catalog, args)?;
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

fn trace_of(record: Option<&crate::plan::record::BatchRecord>) -> Traceability {
    record.map(Traceability::from).unwrap_or_default()
}

/// `stscalc session-sheet`: the clinician's sheet, blank rows to fill in by hand.
pub fn session_sheet(args: &SessionSheetArgs, templates: Option<&Path>) -> Result<()> {
    let rows = count("--lesions", &args.lesions, 1, 40)?;
    let mut sheet = SessionSheet::blank(rows, args.paper.unwrap_or(Paper::Letter));
    sheet.patient = optional_text("--patient", args.patient.as_deref())?;
    sheet.patient_id = optional_text("--patient-id", args.patient_id.as_deref())?;
    sheet.prescriber = optional_text("--prescriber", args.prescriber.as_deref())?;
    sheet.facility = facility(args.facility.as_deref())?;
    sheet.session = match args.session.as_deref() {
        None => None,
        Some(s) => Some(count("--session", s, 1, 1000)?),
    };
    sheet.date = args.date.as_deref().map(parse_date).transpose()?;
    // Filled in by hand: where the syringes are drawn up decides how long they may be used;
    // the blank sheet prints the default (immediate use) with its blanks.
    let limit = crate::bud::syringe_limit(
        crate::bud::Rules::embedded(),
        DrawnUp::ImmediateUse,
        crate::bud::Storage::Room,
        None,
        None,
    )?;
    sheet.drawn_up = Some(content::drawn_up_sentence(&limit));
    sheet.set_page_header();
    match args.format {
        PrintFormat::Json => output::emit(
            crate::render::json(&sheet)?.as_bytes(),
            args.output.as_deref(),
            args.force,
        ),
        PrintFormat::Html | PrintFormat::Pdf => {
            output::check(args.output.as_deref(), args.force)?;
            let html = Renderer::new(templates)?.render("session-sheet.html", &sheet)?;
            output::emit(
                &crate::render::pdf::bytes(html, args.format == PrintFormat::Pdf)?,
                args.output.as_deref(),
                args.force,
            )
        }
    }
}

/// `stscalc templates DIR`: writes the embedded templates, to copy and change.
pub fn export_templates(dir: &Path, force: bool) -> Result<()> {
    if !dir.is_dir() {
        return Err(Error::Io {
            path: dir.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "expected an existing folder to write the templates into",
            ),
        });
    }
    // All or nothing: one refused or failed file leaves none written.
    let paths: Vec<PathBuf> = TEMPLATES.iter().map(|(n, _)| dir.join(n)).collect();
    let files: Vec<(PathBuf, Vec<u8>)> = paths
        .iter()
        .zip(TEMPLATES)
        .map(|(p, (_, text))| (p.clone(), text.as_bytes().to_vec()))
        .collect();
    crate::output::write_files(&files, force)?;
    let mut out = String::new();
    for p in &paths {
        let _ = writeln!(out, "wrote {}", p.display());
    }
    output::emit(out.as_bytes(), None, false)
}

/// Parses a count option (`--copies 2`, `--skip 3`) from `min` to `max`.
fn count(field: &str, text: &str, min: u32, max: u32) -> Result<u32> {
    let n = |x: u32| format_number(Decimal::from(x));
    let expected = if max == u32::MAX {
        format!("a whole number of {} or more", n(min))
    } else {
        format!("a whole number from {} to {}", n(min), n(max))
    };
    let found = format!("`{}`", text.trim());
    let value: u64 = text
        .trim()
        .parse()
        .map_err(|_| Error::input(field, expected.clone(), found.clone()))?;
    if value < u64::from(min) || value > u64::from(max) {
        return Err(Error::input(field, expected, found));
    }
    Ok(value as u32)
}

fn parse_date(text: &str) -> Result<String> {
    parse_day(text).map(|d| d.format("%Y-%m-%d").to_string())
}

fn parse_day(text: &str) -> Result<NaiveDate> {
    crate::bud::parse_date("--date", text, text.trim())
}

/// Parses a 24-hour time `HH:MM` for `field`.
fn parse_clock(field: &str, text: &str) -> Result<NaiveTime> {
    let t = text.trim();
    let shaped = t.len() == 5 && t.as_bytes()[2] == b':';
    match NaiveTime::parse_from_str(t, "%H:%M") {
        Ok(time) if shaped => Ok(time),
        _ => Err(Error::input(
            field,
            "a 24-hour time `HH:MM` such as `09:30`",
            format!("`{t}`"),
        )),
    }
}

fn optional_text(field: &str, text: Option<&str>) -> Result<Option<String>> {
    match text {
        Some(t) if !t.trim().is_empty() => user_text(field, t).map(Some),
        _ => Ok(None),
    }
}

/// The facility line of sheets and labels (`--facility`): `None` when not given or blank.
pub(crate) fn facility(text: Option<&str>) -> Result<Option<String>> {
    optional_text("--facility", text)
}

/// The paper of a label stock is the stock's; `--paper` may only confirm it.
fn check_paper(stock: &Stock, paper: Option<Paper>) -> Result<()> {
    match paper {
        Some(p) if p.as_str() != stock.paper => Err(Error::input(
            "--paper",
            if stock.paper == "label" {
                format!(
                    "no `--paper` for stock `{}` (its page is the label)",
                    stock.id
                )
            } else {
                format!("`{}`, the paper of stock `{}`", stock.paper, stock.id)
            },
            format!("`{}`", p.as_str()),
        )),
        _ => Ok(()),
    }
}

/// The terminal preview of a label run: where the labels go and what they say.
fn labels_text(
    title: &str,
    (what, n_items): (&str, u32),
    copies: u32,
    sheet: &LabelSheet,
) -> String {
    let n = |x: u32| format_number(Decimal::from(x));
    let plural = |x: u32, word: &str| {
        if x == 1 {
            word.to_string()
        } else {
            format!("{word}s")
        }
    };
    let s = &sheet.stock;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{title}: {} {} + {} cop{} for the record = {} {}",
        n(n_items),
        plural(n_items, what),
        n(copies),
        if copies == 1 { "y" } else { "ies" },
        n(sheet.count),
        plural(sheet.count, "label")
    );
    let _ = writeln!(o, "Stock {}: {}; {}", s.id, s.name, s.fit_text);
    for page in &sheet.pages {
        let first = page.labels.first().map_or(0, |l| l.position);
        let last = page.labels.last().map_or(0, |l| l.position);
        let skipped = if page.number == 1 && sheet.skipped > 0 {
            format!(" ({} skipped)", n(sheet.skipped))
        } else {
            String::new()
        };
        let _ = writeln!(
            o,
            "Sheet {}: positions {} to {}{skipped}",
            n(page.number),
            n(first),
            n(last)
        );
    }
    for w in &sheet.warnings {
        let _ = writeln!(o, "! {w}");
    }
    // Identical labels are shown once.
    let mut seen = BTreeSet::new();
    for page in &sheet.pages {
        for l in &page.labels {
            let text: Vec<&str> = l.lines.iter().map(|x| x.text.as_str()).collect();
            if seen.insert(text.clone()) {
                o.push_str("\nLabel text:\n");
                for t in text {
                    let _ = writeln!(o, "  {t}");
                }
            }
        }
    }
    o
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
