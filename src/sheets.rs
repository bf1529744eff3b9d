//! The data each printed sheet shows: plain `Serialize` views built from plans, handed to the
//! templates. Views never calculate: every number is already in the plan.
//!
//! Fields that other parts of stscalc will supply (lot, date and time, beyond-use date, the
//! lots of components, a session's lesions and totals) are `Option`s or lists; when they are
//! empty the templates print write-in blanks, never made-up values.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::formula::{Entry, Formula};
use crate::labels::content::Traceability;
use crate::labels::{self, LabelLine, StockView};
use crate::plan::ointment::{Component, OintmentPlan};
use crate::quantity::{Mass, Volume};

/// Paper size for a record or a session sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Paper {
    /// US Letter, 8.5 × 11 in.
    Letter,
    /// A4, 210 × 297 mm.
    A4,
}

impl Paper {
    /// The name label stocks use for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Paper::Letter => "letter",
            Paper::A4 => "a4",
        }
    }
}

/// The paper as the templates need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaperView {
    /// `letter` or `a4`.
    pub name: &'static str,
    /// The CSS `@page` size.
    pub css_size: &'static str,
}

impl PaperView {
    /// The view of `paper`.
    pub fn of(paper: Paper) -> Self {
        PaperView {
            name: paper.as_str(),
            css_size: match paper {
                Paper::Letter => "letter",
                Paper::A4 => "A4",
            },
        }
    }
}

impl Default for PaperView {
    fn default() -> Self {
        PaperView::of(Paper::Letter)
    }
}

/// Checks a piece of user text (patient, facility...): one line, at most 200 characters. It is
/// escaped by the templates; this only keeps the sheet's layout sane.
pub fn user_text(field: &str, text: &str) -> Result<String> {
    let t = text.trim();
    if t.chars().any(char::is_control) || t.chars().count() > 200 {
        return Err(Error::input(
            field,
            "one line of text of at most 200 characters",
            format!("`{}`", t.escape_debug()),
        ));
    }
    Ok(t.to_string())
}

/// One row of the component table on the compounding record.
#[derive(Debug, Clone, Serialize)]
pub struct ComponentRow<'a> {
    /// The calculated line of the plan.
    pub component: &'a Component,
    /// Manufacturer, when recorded.
    pub manufacturer: Option<String>,
    /// The component's lot, when recorded.
    pub lot: Option<String>,
    /// The component's expiry date, when recorded.
    pub expiry: Option<String>,
    /// The weight actually measured, when recorded.
    pub actual: Option<String>,
}

/// The sample of the label printed on the record.
#[derive(Debug, Clone, Serialize)]
pub struct SampleLabel {
    /// The stock it is shown for.
    pub stock: StockView,
    /// The lines, wrapped as on that stock.
    pub lines: Vec<LabelLine>,
    /// Whether they fit that stock (`stscalc labels` refuses them if not).
    pub fits: bool,
}

/// The compounding record of an ointment batch.
#[derive(Debug, Clone, Serialize)]
pub struct RecordView<'a> {
    /// The paper.
    pub paper: PaperView,
    /// Facility name and contact, as given.
    pub facility: Option<String>,
    /// The master formulation record.
    pub formula: &'a Formula,
    /// The calculated batch.
    pub plan: &'a OintmentPlan,
    /// Lot, date and time, beyond-use date (blanks until known).
    pub trace: Traceability,
    /// The component table.
    pub components: Vec<ComponentRow<'a>>,
    /// A sample of the container label.
    pub sample_label: SampleLabel,
}

impl<'a> RecordView<'a> {
    /// The record of `plan`, made from `entry`.
    pub fn ointment(
        entry: &'a Entry,
        plan: &'a OintmentPlan,
        facility: Option<String>,
        trace: Traceability,
        paper: Paper,
    ) -> Result<Self> {
        let stock = labels::find(None)?;
        let label = labels::content::ointment(entry, plan, facility.as_deref(), &trace, "sample");
        let fit = stock.fit();
        let lines = labels::wrap(&label.lines, fit.max_chars)?;
        let fits = lines.len() <= fit.max_lines;
        Ok(RecordView {
            paper: PaperView::of(paper),
            facility,
            formula: &entry.formula,
            plan,
            trace,
            components: plan
                .components
                .iter()
                .map(|component| {
                    // Lots, expiries and measured weights come from the batch record.
                    let rec = plan
                        .record
                        .as_ref()
                        .and_then(|r| r.components.iter().find(|c| c.id == component.id));
                    ComponentRow {
                        component,
                        manufacturer: rec.and_then(|c| c.manufacturer.clone()),
                        lot: rec.and_then(|c| c.lot.clone()),
                        expiry: rec.and_then(|c| c.expiry).map(|e| e.to_string()),
                        actual: rec.and_then(|c| c.actual).map(|m| m.to_string()),
                    }
                })
                .collect(),
            sample_label: SampleLabel {
                stock: StockView::of(&stock),
                lines,
                fits,
            },
        })
    }
}

/// One lesion row of a session sheet; empty fields print as blanks.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LesionRow {
    /// 1-based row number.
    pub number: u32,
    /// Anatomical site.
    pub site: Option<String>,
    /// Size, as measured (e.g. `12 × 8 mm`).
    pub size: Option<String>,
    /// Ulceration (yes / no).
    pub ulceration: Option<String>,
    /// Inflammation (yes / no).
    pub inflammation: Option<String>,
    /// Volume to inject.
    pub volume: Option<Volume>,
    /// Dose of sodium thiosulfate in that volume.
    pub dose: Option<Mass>,
}

/// A session's totals.
#[derive(Debug, Clone, Serialize)]
pub struct SessionTotals {
    /// Total volume.
    pub volume: Volume,
    /// Total dose.
    pub dose: Mass,
}

/// One limit the session is checked against, already written for people.
#[derive(Debug, Clone, Serialize)]
pub struct LimitRow {
    /// What is limited, e.g. `Total dose per session`.
    pub what: String,
    /// The limit, e.g. `≤ 3,000 mg`.
    pub limit: String,
    /// The session's value, e.g. `450 mg`.
    pub value: String,
    /// Whether the value is within the limit.
    pub within: bool,
    /// Where the limit comes from.
    pub source: String,
}

/// The clinician's session sheet.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SessionSheet {
    /// The paper.
    pub paper: PaperView,
    /// Facility or clinic.
    pub facility: Option<String>,
    /// Patient name.
    pub patient: Option<String>,
    /// Second patient identifier (date of birth or record number).
    pub patient_id: Option<String>,
    /// Prescriber.
    pub prescriber: Option<String>,
    /// Session number in the series.
    pub session: Option<u32>,
    /// Date of the session (YYYY-MM-DD).
    pub date: Option<String>,
    /// The preparation injected, with strength and basis.
    pub preparation: Option<String>,
    /// Its lot.
    pub lot: Option<String>,
    /// Its beyond-use date.
    pub bud: Option<String>,
    /// The lesions (given rows first, then blank rows).
    pub lesions: Vec<LesionRow>,
    /// The totals, when calculated.
    pub totals: Option<SessionTotals>,
    /// The limits checked, when calculated.
    pub limits: Vec<LimitRow>,
    /// Warnings to show.
    pub warnings: Vec<String>,
}

impl SessionSheet {
    /// A sheet with `rows` blank lesion rows, to fill in by hand.
    pub fn blank(rows: u32, paper: Paper) -> Self {
        SessionSheet {
            paper: PaperView::of(paper),
            lesions: (1..=rows)
                .map(|number| LesionRow {
                    number,
                    ..LesionRow::default()
                })
                .collect(),
            ..SessionSheet::default()
        }
    }
}
