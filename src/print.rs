//! Glue for the printable sheets: options in, a view built from the plan, HTML from the
//! templates, optionally a PDF from headless Chromium, then standard output or
//! [`crate::output::write_file`].
//!
//! The output path is checked before the browser runs, so a missing folder or an existing file
//! fails at once and the same way for HTML and PDF.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::cli::{BatchArgs, LabelsArgs, PrintFormat, SessionSheetArgs, SheetFormat};
use crate::error::{Error, Result};
use crate::formula::{Catalog, Entry, Preparation};
use crate::labels::content::{self, Traceability};
use crate::labels::{self, LabelSheet, LabelText, Stock};
use crate::plan::ointment::OintmentPlan;
use crate::quantity::format_number;
use crate::render::html::{Renderer, TEMPLATES};
use crate::sheets::{user_text, Paper, RecordView, SessionSheet};

/// `stscalc batch --format html|pdf`: the compounding record.
pub fn record(
    entry: &Entry,
    plan: &OintmentPlan,
    args: &BatchArgs,
    templates: Option<&Path>,
) -> Result<()> {
    let pdf = args.format == SheetFormat::Pdf;
    check_output(args.output.as_deref(), args.force)?;
    let facility = facility(args.print.facility.as_deref())?;
    let paper = args.print.paper.unwrap_or(Paper::Letter);
    let renderer = Renderer::new(templates)?;
    let trace = plan
        .record
        .as_ref()
        .map(Traceability::from)
        .unwrap_or_default();
    let view = RecordView::ointment(entry, plan, facility, trace, paper)?;
    let html = renderer.render("record.html", &view)?;
    finish(html, pdf, args.output.as_deref(), args.force)
}

/// `stscalc labels`: container labels for a batch, on a label stock.
pub fn labels(catalog: &Catalog, args: &LabelsArgs, templates: Option<&Path>) -> Result<()> {
    let b = &args.batch;
    let stock = labels::find(args.label_stock.as_deref())?;
    check_paper(&stock, b.print.paper)?;
    let copies = count("--copies", &args.copies, 0, 1000)?;
    let skip = count("--skip", &args.skip, 0, u32::MAX)?;
    // The batch's request (options and --request file) gives the lot and the BUD printed.
    let (b, extras) = crate::request::load(b.clone())?;
    let b = &b;
    let entry = catalog.get(crate::request::formula_id(b)?)?;
    let facility = facility(b.print.facility.as_deref())?;
    let (plan, containers) = match entry.formula.preparation {
        Preparation::Ointment => {
            crate::app::dosing::refuse_solution_options(b)?;
            let plan = crate::app::ointment_batch(entry, b, extras.components)?;
            let n = plan.fill.count;
            (plan, n)
        }
        Preparation::Solution => {
            return Err(Error::Refused(format!(
                "labels for formula `{}` (a solution) are not made yet: only ointment batches are labelled so far",
                entry.formula.id
            )))
        }
    };
    let trace = plan
        .record
        .as_ref()
        .map(Traceability::from)
        .unwrap_or_default();
    let mut texts: Vec<LabelText> = Vec::new();
    for _ in 0..containers {
        texts.push(content::ointment(
            entry,
            &plan,
            facility.as_deref(),
            &trace,
            "container",
        ));
    }
    for _ in 0..copies {
        texts.push(content::ointment(
            entry,
            &plan,
            facility.as_deref(),
            &trace,
            "record copy",
        ));
    }
    let sheet = labels::lay_out(&stock, &texts, skip, args.outline)?;
    match b.format {
        SheetFormat::Text => emit(
            labels_text(&entry.formula.id, containers, copies, &sheet).as_bytes(),
            b.output.as_deref(),
            b.force,
        ),
        SheetFormat::Json => emit(
            crate::render::json(&sheet)?.as_bytes(),
            b.output.as_deref(),
            b.force,
        ),
        SheetFormat::Html | SheetFormat::Pdf => {
            check_output(b.output.as_deref(), b.force)?;
            let html = Renderer::new(templates)?.render("labels.html", &sheet)?;
            finish(
                html,
                b.format == SheetFormat::Pdf,
                b.output.as_deref(),
                b.force,
            )
        }
    }
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
    match args.format {
        PrintFormat::Json => emit(
            crate::render::json(&sheet)?.as_bytes(),
            args.output.as_deref(),
            args.force,
        ),
        PrintFormat::Html | PrintFormat::Pdf => {
            check_output(args.output.as_deref(), args.force)?;
            let html = Renderer::new(templates)?.render("session-sheet.html", &sheet)?;
            finish(
                html,
                args.format == PrintFormat::Pdf,
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
    // Check every file first so that nothing is written when one would be refused.
    let paths: Vec<PathBuf> = TEMPLATES.iter().map(|(n, _)| dir.join(n)).collect();
    for p in &paths {
        crate::output::check_target(p, force)?;
    }
    for (p, (_, text)) in paths.iter().zip(TEMPLATES) {
        crate::output::write_file(p, text.as_bytes(), force)?;
    }
    let mut out = String::new();
    for p in &paths {
        let _ = writeln!(out, "wrote {}", p.display());
    }
    emit(out.as_bytes(), None, false)
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
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map(|d| d.format("%Y-%m-%d").to_string())
        .map_err(|_| {
            Error::input(
                "--date",
                "a date written YYYY-MM-DD, such as `2025-03-14`",
                format!("`{}`", text.trim()),
            )
        })
}

fn optional_text(field: &str, text: Option<&str>) -> Result<Option<String>> {
    match text {
        Some(t) if !t.trim().is_empty() => user_text(field, t).map(Some),
        _ => Ok(None),
    }
}

fn facility(text: Option<&str>) -> Result<Option<String>> {
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

/// Fails early when the output cannot be written, before any slow work.
fn check_output(output: Option<&Path>, force: bool) -> Result<()> {
    match output {
        Some(p) => crate::output::check_target(p, force).map(|_| ()),
        None => Ok(()),
    }
}

/// Turns the HTML into the requested bytes and writes them.
fn finish(html: String, pdf: bool, output: Option<&Path>, force: bool) -> Result<()> {
    if pdf {
        let bytes = crate::pdf::print_html(&html)?;
        emit(&bytes, output, force)
    } else {
        emit(html.as_bytes(), output, force)
    }
}

/// Writes `bytes` to the output file, or to standard output.
fn emit(bytes: &[u8], output: Option<&Path>, force: bool) -> Result<()> {
    match output {
        Some(path) => crate::output::write_file(path, bytes, force),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)
                .and_then(|_| out.flush())
                .map_err(|source| Error::Io {
                    path: "standard output".into(),
                    source,
                })
        }
    }
}

/// The terminal preview of a label run: where the labels go and what they say.
fn labels_text(id: &str, containers: u32, copies: u32, sheet: &LabelSheet) -> String {
    let n = |x: u32| format_number(Decimal::from(x));
    let s = &sheet.stock;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Labels for {id}: {} container{} + {} cop{} for the record = {} label{}",
        n(containers),
        if containers == 1 { "" } else { "s" },
        n(copies),
        if copies == 1 { "y" } else { "ies" },
        n(sheet.count),
        if sheet.count == 1 { "" } else { "s" }
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
