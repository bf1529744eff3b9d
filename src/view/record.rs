//! The compounding record's view.
//!
//! The compounding record has one view for every preparation ([`RecordView::ointment`],
//! [`RecordView::solution`]): the template prints facts, component rows and notes without
//! knowing which plan they came from. Fields that may not be known (lot, date and time,
//! beyond-use date, the lots of components, the quantity actually measured) are `Option`s or
//! lists; when they are empty the templates print write-in blanks, never made-up values.

use serde::Serialize;

use super::barcode::BarcodeView;
use super::facility::TextPart;
use super::labels::{self, LabelLine, LabelText, StockView};
use super::paper::{Paper, PaperView};
pub use super::record_fields::QcRow;
use super::record_fields::{qc_rows, sterile_rows, Fills, WriteIn};
use super::trace::{trace_of, Traceability};
use super::verification::VerificationView;
use crate::error::Result;
use crate::formula::Strength;
use crate::formula::{Entry, Formula};
use crate::plan::ointment::{FormulaRef, OintmentPlan, Stock};
use crate::plan::record::BatchRecord;
use crate::plan::solution::{DilutionPart, Method, PowderPart, SolutionPlan};
use crate::plan::verify::Verification;

/// One line of facts on a sheet: a key, its value, and an optional note in small type.
#[derive(Debug, Clone, Serialize)]
pub struct Fact {
    /// What it is, e.g. `Containers`.
    pub key: String,
    /// The value, already written for people.
    pub value: String,
    /// Where it comes from or how it was worked out.
    pub note: Option<String>,
}

impl Fact {
    fn new(key: &str, value: String) -> Self {
        Fact {
            key: key.to_string(),
            value,
            note: None,
        }
    }
    fn noted(key: &str, value: String, note: String) -> Self {
        Fact {
            key: key.to_string(),
            value,
            note: Some(note),
        }
    }
}

/// One row of the component table on the compounding record.
#[derive(Debug, Clone, Serialize)]
pub struct ComponentRow {
    /// Component id from the formula (or the stock product), against which lots are given.
    pub id: String,
    /// What it is.
    pub name: String,
    /// Its part in the batch, e.g. `stock injection`, `diluent`, `q.s. to volume`.
    pub role: Option<String>,
    /// The exact calculated quantity, as people read it.
    pub calculated: String,
    /// What to weigh or measure.
    pub measure: String,
    /// A warning for this line (e.g. below the balance's minimum weight).
    pub flag: Option<String>,
    /// Manufacturer, when recorded.
    pub manufacturer: Option<String>,
    /// The component's lot, when recorded.
    pub lot: Option<String>,
    /// The component's expiry date, when recorded.
    pub expiry: Option<String>,
    /// The quantity actually measured, when recorded (`stscalc verify`).
    pub actual: Option<String>,
}

impl ComponentRow {
    /// A row with the lot, expiry, manufacturer and actual quantity of component `id` in the
    /// batch record, when there.
    fn new(
        record: Option<&BatchRecord>,
        id: &str,
        name: String,
        role: Option<&str>,
        calculated: String,
        measure: String,
    ) -> Self {
        let rec = record.and_then(|r| r.components.iter().find(|c| c.id == id));
        ComponentRow {
            id: id.to_string(),
            name,
            role: role.map(str::to_string),
            calculated,
            measure,
            flag: None,
            manufacturer: rec.and_then(|c| c.manufacturer.clone()),
            lot: rec.and_then(|c| c.lot.clone()),
            expiry: rec.and_then(|c| c.expiry).map(|e| e.to_string()),
            actual: rec.and_then(|c| c.actual).map(|m| m.to_string()),
        }
    }
}

/// One constituent of the finished preparation.
#[derive(Debug, Clone, Serialize)]
pub struct CompositionRow {
    /// Constituent.
    pub name: String,
    /// Its share, as people read it.
    pub text: String,
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

/// The stock of a record's sample label: the containers' default stock for the record's paper,
/// the one `stscalc labels` prints on without `--label-stock` (US Letter: Avery 5163, 4 × 2 in;
/// A4: Avery L7165, the A4 stock of that size), so that the sample is the label.
fn sample_stock(paper: Paper) -> &'static str {
    match paper {
        Paper::Letter => labels::DEFAULT_STOCK,
        Paper::A4 => labels::DEFAULT_STOCK_A4,
    }
}

impl SampleLabel {
    /// `label` as it is printed on the stock of the record's `paper` ([`sample_stock`]).
    fn of(label: &LabelText, paper: Paper) -> Result<Self> {
        let (stock, lines, fits) =
            labels::sample(&labels::find(Some(sample_stock(paper)))?, label)?;
        Ok(SampleLabel { stock, lines, fits })
    }
}

/// The calculated plan behind a record, for templates that want more than the view gives.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum RecordPlan<'a> {
    /// An ointment batch.
    Ointment(&'a OintmentPlan),
    /// A solution batch.
    Solution(&'a SolutionPlan),
}

/// The compounding record of one batch, for any preparation: everything the `record.html`
/// template prints, already written for people.
#[derive(Debug, Clone, Serialize)]
pub struct RecordView<'a> {
    /// The paper.
    pub paper: PaperView,
    /// Facility name and contact, as given.
    pub facility: Option<String>,
    /// The same, cut where it may wrap: telephone numbers are kept whole.
    pub facility_parts: Vec<TextPart>,
    /// The batch's GS1 DataMatrix (lot, BUD, formula) with its text, once the lot is known.
    pub barcode: Option<BarcodeView>,
    /// The master formulation record.
    pub formula: &'a Formula,
    /// The preparation made, with the strength actually made (the plan's `title`).
    pub title: String,
    /// The line printed at the top of every page: record, lot, formula (and a failed
    /// verification).
    pub page_header: String,
    /// Set when the batch is made at another strength than the formula's default.
    pub strength_notice: Option<String>,
    /// The formula file as cited: id, version, origin, SHA-256.
    pub source: &'a FormulaRef,
    /// Strength with its basis, e.g. `25 % w/w (pentahydrate basis)`.
    pub strength: String,
    /// Lot, date and time, beyond-use date (blanks until known).
    pub trace: Traceability,
    /// How to store the batch.
    pub storage: String,
    /// The preparation's own facts: batch size, containers, stock, balance, method...
    pub facts: Vec<Fact>,
    /// Heading of the column of quantities to weigh or measure.
    pub measure_heading: &'static str,
    /// Heading of the column of quantities actually weighed or measured.
    pub actual_heading: &'static str,
    /// The component table.
    pub components: Vec<ComponentRow>,
    /// The total of the component table.
    pub total: String,
    /// Notes under the component table: rounding, strength from the measured quantities.
    pub notes: Vec<String>,
    /// Things the pharmacist must act on.
    pub warnings: Vec<String>,
    /// The calculation, step by step.
    pub calculations: Vec<String>,
    /// The final composition (empty when the plan gives none).
    pub composition: Vec<CompositionRow>,
    /// Equipment.
    pub equipment: Vec<String>,
    /// Method steps, in order.
    pub method: Vec<String>,
    /// Quality-control checks: the physical description first, then the formula's, each once.
    pub qc: Vec<QcRow>,
    /// Each container's fill, a row per container.
    pub fills: Fills,
    /// What the whole batch should yield, against which the actual yield is written in.
    pub theoretical_yield: String,
    /// For a sterile preparation: the hood, the room and (powder method) the filter.
    pub sterile: Vec<WriteIn>,
    /// A sample of the container label.
    pub sample_label: SampleLabel,
    /// Why no label may be printed for this batch (it failed verification); the sample is then
    /// not shown.
    pub label_withheld: Option<String>,
    /// The verification from the measured weights (`stscalc verify`), when done.
    pub verification: Option<VerificationView>,
    /// The sum of the quantities actually measured, when recorded.
    pub actual_total: Option<String>,
    /// The calculated plan itself.
    pub plan: RecordPlan<'a>,
}

/// The storage line of the record: the formula's statement for its usual storage, or, for
/// another storage the formula allows, that storage alone (the formula's statement would
/// contradict it).
fn record_storage(formula: &Formula, record: Option<&BatchRecord>) -> String {
    match record {
        Some(r) if r.storage_from == "request" => {
            let usual = formula.bud().storage.map_or(String::new(), |s| {
                format!("; the formula's usual storage is {}", s.phrase())
            });
            format!(
                "Store {}: chosen for this batch, and its beyond-use date is for it{usual}",
                r.bud.storage.phrase()
            )
        }
        _ => formula.storage.clone(),
    }
}

/// The batch's GS1 DataMatrix, carrying what its labels' symbols carry: its lot and beyond-use
/// date from the batch record; none without one (the lot is then a blank to write in).
fn record_barcode(f: &Formula, record: Option<&BatchRecord>) -> Result<Option<BarcodeView>> {
    record
        .and_then(|r| labels::content::barcode_data(f, Some(&r.lot.number), Some(r.bud.date)))
        .map(|data| BarcodeView::sheet(&data))
        .transpose()
}

/// The formula's method steps; with the aliquot method, the step that weighs the active
/// becomes the aliquot's three weighings and the base's step names what is weighed directly,
/// so that the steps say what the component table says.
fn ointment_method(f: &Formula, plan: &OintmentPlan) -> Vec<String> {
    let Some(a) = &plan.aliquot else {
        return f.method.clone();
    };
    let vehicle = f.qs().name.to_lowercase();
    let mut out = Vec::new();
    let mut diluted = false;
    for step in &f.method {
        let lower = step.to_lowercase();
        if lower.starts_with("weigh the sodium thiosulfate") {
            diluted = true;
            out.push(format!(
                "Aliquot method (the balance cannot weigh the active directly): weigh {} of the sodium thiosulfate stock and pulverise it to a fine, uniform powder in the mortar.",
                a.stock_to_weigh
            ));
            out.push(format!(
                "Weigh {} of {} and incorporate the powder into it by geometric dilution to a uniform dilution of {}.",
                a.diluent_to_weigh, a.diluent, a.dilution_total
            ));
            out.push(format!(
                "Weigh {} of the dilution into the batch (it holds {} of the stock); discard the {} left.",
                a.aliquot_to_weigh, a.active_delivered_text, a.discard
            ));
        } else if lower.starts_with("weigh the")
            && (lower.contains(&vehicle) || lower.contains("quantity-sufficient"))
        {
            out.push(format!(
                "Weigh {} of {} directly (the rest of the base, besides the dilution).",
                a.base_to_weigh_directly,
                f.qs().name
            ));
        } else if diluted {
            // After the aliquot's steps the stock is in the dilution: a later step that works
            // "the powder" into the base works the dilution in instead.
            out.push(step.replace("the powder", "the dilution"));
        } else {
            out.push(step.clone());
        }
    }
    out
}

/// The record's running header: which record, which lot (a blank until known), which formula.
fn record_page_header(trace: &Traceability, formula: &FormulaRef) -> String {
    format!(
        "Compounding record — lot {} — {} version {}",
        trace.lot.as_deref().unwrap_or("____________________"),
        formula.id,
        formula.version
    )
}

impl<'a> RecordView<'a> {
    /// The record of an ointment batch made from `entry`. The lot, date, BUD and component
    /// lots come from the plan's batch record when it has one.
    pub fn ointment(
        entry: &'a Entry,
        plan: &'a OintmentPlan,
        facility: Option<String>,
        paper: Paper,
    ) -> Result<Self> {
        let f = &entry.formula;
        let record = plan.record.as_ref();
        let trace = trace_of(record);
        // The sample as a container label prints it, dispensing blanks included.
        let blanks = labels::content::Dispensing::default();
        let label = labels::content::ointment(
            entry,
            plan,
            (facility.as_deref(), &blanks),
            &trace,
            "sample",
        );
        let mut facts = vec![
            Fact::new(
                "Batch",
                if plan.overage.is_some() {
                    format!(
                        "{} nominal, {} to make with overage",
                        plan.nominal, plan.total
                    )
                } else {
                    format!("{} nominal, {} to make", plan.nominal, plan.total)
                },
            ),
            Fact::new("Containers", plan.fill.text.clone()),
        ];
        facts.push(stock_fact(f, &plan.stock, plan.basis));
        facts.push(Fact::noted(
            "Balance",
            format!(
                "readability {}; minimum weight {}",
                plan.balance.readability, plan.minimum_weight
            ),
            plan.minimum_weight_basis.clone(),
        ));
        let components = plan
            .components
            .iter()
            .map(|c| {
                let mut row = ComponentRow::new(
                    record,
                    &c.id,
                    c.name.clone(),
                    None,
                    c.calculated_text.clone(),
                    c.to_weigh.to_string(),
                );
                if c.below_minimum_weight {
                    row.flag = Some("below minimum weight: aliquot".into());
                }
                row
            })
            .collect();
        let rounding: Vec<String> = plan
            .components
            .iter()
            .map(|c| format!("{}: {}", c.name, c.rounding))
            .collect();
        let sc = &plan.strength_check;
        let made = Strength::Percent(plan.strength);
        Ok(RecordView {
            paper: PaperView::of(paper),
            facility_parts: facility.as_deref().map(super::facility::parts).unwrap_or_default(),
            facility,
            barcode: record_barcode(f, record)?,
            formula: f,
            title: plan.title.clone(),
            page_header: record_page_header(&trace, &plan.formula),
            strength_notice: crate::plan::record::strength_notice(f, made),
            source: &plan.formula,
            strength: format!("{} ({} basis)", plan.strength, plan.basis),
            trace,
            storage: record_storage(f, record),
            facts,
            measure_heading: "Weigh",
            actual_heading: "Actual weight",
            components,
            total: plan.total.to_string(),
            notes: vec![
                format!("Rounding: {}.", rounding.join("; ")),
                format!(
                    "Strength from the rounded quantities: {} (target {}); worst case {} to {} ({} to {}), assuming {}.",
                    sc.from_rounded,
                    sc.target,
                    sc.worst_low,
                    sc.worst_high,
                    sc.worst_low_of_label,
                    sc.worst_high_of_label,
                    sc.assumption
                ),
            ],
            warnings: plan.warnings.clone(),
            calculations: plan.calculations.clone(),
            composition: plan
                .composition
                .iter()
                .map(|c| CompositionRow {
                    name: c.name.clone(),
                    text: c.percent.to_string(),
                })
                .collect(),
            equipment: f.equipment.clone(),
            method: ointment_method(f, plan),
            qc: qc_rows(f, None),
            fills: Fills::ointment(
                f,
                &plan.fill.name,
                plan.fill.count,
                plan.fill.fill.to_string(),
                (!plan.fill.left_over.g().is_zero())
                    .then(|| format!("{} left over (not filled)", plan.fill.left_over)),
            ),
            theoretical_yield: format!("{}, the total of the components", plan.total),
            sterile: sterile_rows(f, None),
            sample_label: SampleLabel::of(&label, paper)?,
            label_withheld: None,
            verification: None,
            actual_total: None,
            plan: RecordPlan::Ointment(plan),
        })
    }

    /// The record of an ointment batch verified from its measured weights: the actual weights
    /// and their total, the result with the actual strength, its percentage of label and the
    /// tolerance, and the correction. A batch that fails says `FAIL — DO NOT RELEASE` and gets
    /// no sample label.
    pub fn verified(
        entry: &'a Entry,
        v: &'a Verification,
        facility: Option<String>,
        paper: Paper,
    ) -> Result<Self> {
        let mut view = RecordView::ointment(entry, &v.plan, facility, paper)?;
        // The table's column holds the first weighings; additions are listed with the result.
        view.actual_total = Some(v.first_total.to_string());
        view.verification = Some(VerificationView::of(v));
        if let Some(r) = &v.rejection {
            view.page_header.push_str(" — REJECT — DISCARD AND REMAKE");
            view.label_withheld = Some(format!(
                "No label: the batch is rejected ({}). REJECT — DISCARD AND REMAKE.",
                r.text
            ));
        } else if !v.pass {
            view.page_header.push_str(" — FAIL — DO NOT RELEASE");
            view.label_withheld = Some(format!(
                "No label: the batch failed verification ({} of label against {} to {}). FAIL — DO NOT RELEASE. Correct it, verify it again, and print the labels only when it passes.",
                v.of_label, v.tolerance.low, v.tolerance.high
            ));
        }
        Ok(view)
    }

    /// The record of a solution batch verified from what was measured: the actual amounts in
    /// the component table, the result with the strength made and its percentage of the
    /// target, and the correction. A batch that fails gets no sample label.
    pub fn verified_solution(
        entry: &'a Entry,
        v: &'a crate::plan::verify_solution::SolutionVerification,
        facility: Option<String>,
        paper: Paper,
    ) -> Result<Self> {
        let mut view = RecordView::solution(entry, &v.plan, facility, paper)?;
        for line in &v.measured {
            if let Some(row) = view.components.iter_mut().find(|r| r.id == line.id) {
                row.actual = Some(line.actual.to_string());
            }
        }
        view.actual_total = Some(v.volume.to_string());
        view.verification = Some(VerificationView::of_solution(v));
        if v.result != "pass" {
            let head = super::verification::solution_result_text(v);
            view.page_header.push_str(&format!(" — {head}"));
            view.label_withheld = Some(format!(
                "No label: the batch failed verification ({} of the target against {} to {}). {head}.",
                v.of_target, v.tolerance.low, v.tolerance.high
            ));
        }
        Ok(view)
    }

    /// The record of a sterile solution batch made from `entry`, by dilution of a commercial
    /// injection or from powder: the stock and diluent (or powder and water) with blank cells
    /// for manufacturer, lot, expiry and the volume or weight actually measured, the method's
    /// sterile steps, and the BUD the method earns.
    pub fn solution(
        entry: &'a Entry,
        plan: &'a SolutionPlan,
        facility: Option<String>,
        paper: Paper,
    ) -> Result<Self> {
        let f = &entry.formula;
        let record = plan.record.as_ref();
        let trace = trace_of(record);
        // The record's sample is the first vial's label, as `labels` prints it.
        let label = labels::content::solution(
            entry,
            plan,
            plan.fill.holds_in(1),
            (facility.as_deref(), &labels::content::Dispensing::default()),
            &trace,
            "sample",
        );
        let mut facts = vec![
            Fact::new(
                "Method",
                match plan.method {
                    Method::Dilution if plan.sterile => {
                        "dilution of a commercial sterile injection".to_string()
                    }
                    Method::Dilution => "dilution of a commercial injection".to_string(),
                    Method::Powder if plan.sterile => {
                        "from powder: dissolved, made up to volume, sterile-filtered (0.22 µm)"
                            .to_string()
                    }
                    Method::Powder => "from powder: dissolved, made up to volume".to_string(),
                },
            ),
            Fact::new(
                "Batch",
                if plan.total == plan.nominal {
                    format!("{} to make", plan.total)
                } else {
                    format!(
                        "{} asked for, {} to make (overage, measuring step)",
                        plan.nominal, plan.total
                    )
                },
            ),
            Fact::new(
                "Containers",
                format!(
                    "{} × {}, {}; {}",
                    crate::quantity::format_number(plan.fill.count.into()),
                    plan.fill.volume,
                    plan.fill.name,
                    plan.fill.holds_text()
                ),
            ),
        ];
        let (measure_heading, actual_heading, components, notes) =
            match (&plan.dilution, &plan.powder) {
                (Some(d), _) => dilution_part(plan, d, record, &mut facts),
                (None, Some(p)) => powder_part(f, plan, p, record, &mut facts),
                (None, None) => {
                    return Err(crate::error::Error::Refused(
                        "the solution plan has neither a dilution nor a powder part".into(),
                    ))
                }
            };
        // The dilution's syringes only: the powder method makes up to volume in a flask.
        if let (Some(step), Some(reason)) = (plan.measure_step, &plan.measure_step_reason) {
            facts.push(Fact::noted(
                "Measuring step",
                step.to_string(),
                reason.clone(),
            ));
        }
        facts.push(Fact::noted(
            "Osmolarity",
            format!("{} (ideal, an upper estimate)", plan.osmolarity.text),
            "see the calculation".into(),
        ));
        let method = plan.method.to_string();
        Ok(RecordView {
            paper: PaperView::of(paper),
            facility_parts: facility
                .as_deref()
                .map(super::facility::parts)
                .unwrap_or_default(),
            facility,
            barcode: record_barcode(f, record)?,
            formula: f,
            title: plan.title.clone(),
            page_header: record_page_header(&trace, &plan.formula),
            strength_notice: plan.strength_notice(f),
            source: &plan.formula,
            // What the vial holds, as the title and the labels say; the strength asked beside
            // it when the batch cannot make it exactly.
            strength: plan.strength_text(),
            trace,
            storage: record_storage(f, record),
            facts,
            measure_heading,
            actual_heading,
            components,
            total: plan.total.to_string(),
            notes,
            warnings: plan.warnings.clone(),
            calculations: plan.calculations.clone(),
            composition: Vec::new(),
            equipment: plan.equipment.clone(),
            method: plan.method_steps.clone(),
            qc: qc_rows(f, Some(&method)),
            fills: Fills::solution(f, &method, &plan.fill.name, plan.fill.count, |k| {
                let holds = plan.fill.holds_in(k);
                if holds == plan.fill.volume {
                    holds.to_string()
                } else {
                    format!("{} labeled, holds {holds}", plan.fill.volume)
                }
            }),
            theoretical_yield: format!("{} made", plan.total),
            sterile: sterile_rows(f, Some(&method)),
            sample_label: SampleLabel::of(&label, paper)?,
            label_withheld: None,
            verification: None,
            actual_total: None,
            plan: RecordPlan::Solution(plan),
        })
    }
}

/// What a record's component table shows of one method: the measure and actual headings, the
/// rows and the notes under the table.
type Part = (&'static str, &'static str, Vec<ComponentRow>, Vec<String>);

/// The dilution part of a solution's record: the stock and diluent facts, their rows (no 0 mL
/// diluent row at the stock's own strength) and the note on the measured concentration.
fn dilution_part(
    plan: &SolutionPlan,
    d: &DilutionPart,
    record: Option<&BatchRecord>,
    facts: &mut Vec<Fact>,
) -> Part {
    let s = &d.stock;
    let converted = if s.basis == plan.basis {
        String::new()
    } else {
        format!(" = {} on the {} basis", s.on_target_basis_text, plan.basis)
    };
    facts.push(Fact::noted(
            "Stock",
            format!(
                "{}: {} ({} basis){converted}; {} per vial, {} opened, {} left over (discarded: single-dose)",
                s.name, s.concentration, s.basis, s.vial, d.vials_opened, d.left_over
            ),
            s.source.clone(),
        ));
    if d.diluent_volume.ml().is_zero() {
        facts.push(Fact::new(
            "Diluent",
            "none (the stock is used as it is, at the target strength)".into(),
        ));
    } else {
        facts.push(Fact::noted(
            "Diluent",
            d.diluent.name.clone(),
            d.diluent.note.clone(),
        ));
    }
    let stock_id = s.id.clone().unwrap_or_else(|| "stock".into());
    let mut rows = vec![ComponentRow::new(
        record,
        &stock_id,
        s.name.clone(),
        Some("stock injection"),
        d.stock_volume_calculated_text.clone(),
        d.stock_volume.to_string(),
    )];
    // At the stock's own strength there is no diluent: no 0 mL row.
    if !d.diluent_volume.ml().is_zero() {
        rows.push(ComponentRow::new(
            record,
            &d.diluent.id,
            d.diluent.name.clone(),
            Some("diluent"),
            format!("{} − {}", plan.total, d.stock_volume),
            d.diluent_volume.to_string(),
        ));
    }
    let notes = vec![format!(
            "Volumes rounded to the measuring step {} (nearest step, halves away from zero). Concentration from the measured volumes: {} ({} basis), {} of the target {}.",
            plan.measure_step.map_or_else(String::new, |s| s.to_string()),
            d.concentration_from_rounded,
            plan.basis,
            d.of_target_text,
            plan.strength
        )];
    ("Measure", "Actual volume", rows, notes)
}

/// The powder part of a solution's record: the powder and balance facts, the powder row
/// (flagged below the minimum weight) and the water made up to volume, and the notes.
fn powder_part(
    f: &Formula,
    plan: &SolutionPlan,
    p: &PowderPart,
    record: Option<&BatchRecord>,
    facts: &mut Vec<Fact>,
) -> Part {
    facts.push(stock_fact(f, &p.stock, plan.basis));
    facts.push(Fact::noted(
        "Balance",
        format!(
            "readability {}; minimum weight {}",
            p.balance.readability, p.minimum_weight
        ),
        "USP <41>".into(),
    ));
    let mut active = ComponentRow::new(
        record,
        &f.active.id,
        format!("{} {} ({})", f.active.name, p.stock.form, p.stock.formula),
        Some("powder"),
        p.calculated_text.clone(),
        p.to_weigh.to_string(),
    );
    if p.below_minimum_weight {
        active.flag = Some("below minimum weight".into());
    }
    let water = ComponentRow::new(
        record,
        &f.qs().id,
        f.qs().name.clone(),
        Some("q.s. to volume"),
        "q.s.".into(),
        format!("q.s. to {}", plan.total),
    );
    let notes = vec![
        format!("Rounding: {}: {}.", f.active.name, p.rounding),
        format!(
            "Concentration from the weighed mass: {} ({} basis), target {}.",
            p.concentration_from_rounded, plan.basis, plan.strength
        ),
    ];
    (
        "Weigh / measure",
        "Actual amount",
        vec![active, water],
        notes,
    )
}

/// The stock row: the form on the shelf and what 1 g of it gives on the strength's basis.
fn stock_fact(f: &Formula, stock: &Stock, basis: crate::substance::Form) -> Fact {
    Fact::noted(
        "Stock",
        format!(
            "{} {} ({}): 1 g gives {} g on the {basis} basis",
            f.active.name, stock.form, stock.formula, stock.factor_text
        ),
        stock.factor_basis.clone(),
    )
}
