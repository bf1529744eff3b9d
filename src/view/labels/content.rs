//! What a label says (USP <795>/<797> as summarised in domain.md §3): the internal
//! identification (lot) number, the active ingredient with its strength and basis, the dosage
//! form, the amount in the container, the beyond-use date, storage, the route, the formula's
//! label statements (for a sterile preparation its single-dose statement), that it is a
//! compounded preparation, and the facility with its contact.
//!
//! Three kinds: an ointment container, a vial of a sterile solution, and a syringe drawn up for
//! one intralesional session. The lot and the beyond-use date come from [`Traceability`]; until
//! they are known they print as write-in blanks, never as made-up values.

use super::{LabelLine, LabelText};
use crate::bud::{CompoundedAt, DrawnUp, SyringeLimit};
use crate::formula::{Entry, Formula};
use crate::gs1::{Gs1Data, Gs1Date, Gtin};
use crate::plan::ointment::OintmentPlan;
use crate::plan::record::BatchRecord;
use crate::plan::session::{LesionDose, SessionPlan, SyringeFill};
use crate::plan::solution::SolutionPlan;
use crate::plan::text::mass_text;
use crate::quantity::{Mass, Volume};
use crate::view::trace::Traceability;

/// A write-in blank on a label: wide enough to write a lot number or a date by hand.
pub const LABEL_BLANK: &str = "____________";

/// A short write-in blank for a time or initials on a syringe label, where room is short.
pub const SHORT_BLANK: &str = "____";

/// The statement every label carries (USP <795>/<797>: a compounded preparation says so).
pub const COMPOUNDED: &str = "Compounded preparation.";

fn blank(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| LABEL_BLANK.to_string())
}

/// The lot and the beyond-use date, in bold: the date after which the preparation must not be
/// used is the line a nurse or patient must not miss.
fn lot_and_bud(trace: &Traceability) -> LabelLine {
    LabelLine::strong(format!(
        "Lot {} BUD {}",
        blank(&trace.lot),
        blank(&trace.bud)
    ))
}

fn facility_line(facility: Option<&str>) -> LabelLine {
    LabelLine::plain(match facility {
        Some(text) if !text.trim().is_empty() => text.trim().to_string(),
        _ => format!("Pharmacy {LABEL_BLANK}{LABEL_BLANK}"),
    })
}

/// The dosage form with a capital: `Ointment`, `Injection (sterile solution)`.
fn capitalised(form: &str) -> String {
    let mut chars = form.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

/// The active ingredient with its strength and basis, e.g.
/// `Sodium thiosulfate 150 mg/mL (pentahydrate basis)`.
fn active_line(
    formula: &Formula,
    strength: impl std::fmt::Display,
    basis: impl std::fmt::Display,
) -> LabelLine {
    LabelLine::strong(format!(
        "{} {strength} ({basis} basis)",
        formula.active.name
    ))
}

fn statements(formula: &Formula) -> impl Iterator<Item = LabelLine> + '_ {
    formula
        .label_statements
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| LabelLine::plain(s.trim()))
}

/// What a label's GS1 DataMatrix carries: the lot (10), the BUD's day (17), and the formula
/// as the site's product number (01) where its file sets one, else its id as company internal
/// information (91). `None` until the lot is known: a barcode is never printed for a blank.
pub fn barcode_data(
    f: &Formula,
    lot: Option<&str>,
    bud: Option<chrono::NaiveDate>,
) -> Option<Gs1Data> {
    let lot = lot?;
    let gtin = f.gtin.as_deref().and_then(|g| Gtin::new(g).ok());
    Some(Gs1Data {
        internal_91: gtin.is_none().then(|| f.id.clone()),
        gtin,
        expiry: bud.map(Gs1Date::from_date),
        lot: Some(lot.to_string()),
        ..Gs1Data::default()
    })
}

/// A container label's dispensing part, as given: who it is for, how to use it, the
/// prescription and the prescriber. What is not given prints as a blank to write on.
#[derive(Debug, Clone, Default)]
pub struct Dispensing {
    /// Patient name.
    pub patient: Option<String>,
    /// Second patient identifier (date of birth or record number).
    pub patient_id: Option<String>,
    /// Directions for use.
    pub directions: Option<String>,
    /// Prescription number.
    pub rx_number: Option<String>,
    /// Prescriber.
    pub prescriber: Option<String>,
}

/// A line of `parts` (`label`, value or blank): bold when every part is given (a patient's
/// name, a prescription), else a line of write-in blanks as tall as handwriting needs.
fn dispensing_line(parts: &[(&str, &Option<String>, &str)]) -> LabelLine {
    let text: Vec<String> = parts
        .iter()
        .map(|(label, v, blank)| match v {
            Some(v) => format!("{label} {v}"),
            None => format!("{label} {blank}"),
        })
        .collect();
    if parts.iter().all(|(_, v, _)| v.is_some()) {
        LabelLine::strong(text.join(" "))
    } else {
        LabelLine::write_in(text.join(" "))
    }
}

/// The dispensing lines: patient and identifier, prescription and prescriber, directions.
fn dispensing_lines(d: &Dispensing) -> Vec<LabelLine> {
    const NAME: &str = "________________________";
    const DIRECTIONS: &str = "__________________________________";
    let mut lines = vec![
        dispensing_line(&[
            ("Patient", &d.patient, NAME),
            ("ID", &d.patient_id, LABEL_BLANK),
        ]),
        dispensing_line(&[
            ("Rx", &d.rx_number, LABEL_BLANK),
            ("Prescriber", &d.prescriber, "____________________"),
        ]),
    ];
    match &d.directions {
        Some(text) => lines.push(LabelLine::strong(format!("Directions: {text}"))),
        None => lines.push(LabelLine::write_in(format!("Directions {DIRECTIONS}"))),
    }
    lines
}

/// A container label: the `head` lines of the preparation, the dispensing part, then what
/// every container label ends with: the formula's statements, lot and BUD, storage and
/// facility.
fn container_label(
    f: &Formula,
    head: Vec<LabelLine>,
    record: Option<&BatchRecord>,
    (facility, dispensing): (Option<&str>, &Dispensing),
    trace: &Traceability,
    purpose: &str,
) -> LabelText {
    let mut lines = head;
    lines.extend(dispensing_lines(dispensing));
    lines.extend(statements(f));
    lines.extend([
        lot_and_bud(trace),
        LabelLine::plain(crate::plan::record::storage_statement(f, record)),
        facility_line(facility),
    ]);
    LabelText {
        purpose: purpose.to_string(),
        lines,
        barcode: barcode_data(f, trace.lot.as_deref(), trace.bud_date),
    }
}

/// The label of one ointment container (or a copy of it for the record).
pub fn ointment(
    entry: &Entry,
    plan: &OintmentPlan,
    facility: (Option<&str>, &Dispensing),
    trace: &Traceability,
    purpose: &str,
) -> LabelText {
    let f = &entry.formula;
    let lines = vec![
        active_line(f, plan.strength, plan.basis),
        LabelLine::plain(format!(
            "{} in {}",
            capitalised(&f.dosage_form),
            f.base_name()
        )),
        LabelLine::plain(format!("Net {}. {COMPOUNDED}", plan.fill.fill)),
        LabelLine::strong(f.route_statement.clone()),
    ];
    container_label(f, lines, plan.record.as_ref(), facility, trace, purpose)
}

/// The label of one vial of a sterile solution holding `volume` (or a copy for the record).
pub fn solution(
    entry: &Entry,
    plan: &SolutionPlan,
    volume: Volume,
    facility: (Option<&str>, &Dispensing),
    trace: &Traceability,
    purpose: &str,
) -> LabelText {
    let f = &entry.formula;
    let lines = vec![
        // What the vial holds: the concentration made (the target, when made exactly).
        active_line(f, &plan.made_text, plan.basis),
        LabelLine::plain(format!(
            "{}. Net {volume}. {COMPOUNDED}",
            capitalised(&f.dosage_form)
        )),
        LabelLine::strong(f.route_statement.clone()),
    ];
    container_label(f, lines, plan.record.as_ref(), facility, trace, purpose)
}

/// Who a session's syringes are for, as given on the command line.
#[derive(Debug, Clone, Default)]
pub struct Recipient {
    /// Patient name.
    pub patient: Option<String>,
    /// Second identifier (date of birth or record number).
    pub patient_id: Option<String>,
}

/// `lesion 2 (left elbow)`, `lesions 1 to 4`: the lesions a syringe serves. A syringe filled
/// across lesions serves consecutive ones (they are filled in order).
fn lesions_text(plan: &SessionPlan, fill: &SyringeFill) -> String {
    match fill.lesions.as_slice() {
        [one] => {
            let site = plan
                .lesions
                .iter()
                .find(|l| l.number == *one)
                .and_then(|l| l.site.as_deref());
            match site {
                Some(s) => format!("lesion {one} ({s})"),
                None => format!("lesion {one}"),
            }
        }
        [first, .., last] => format!("lesions {first} to {last}"),
        [] => "no lesion".into(),
    }
}

/// The lesions a syringe serves, in order.
fn lesions_of<'a>(
    plan: &'a SessionPlan,
    fill: &'a SyringeFill,
) -> impl Iterator<Item = &'a LesionDose> + 'a {
    plan.lesions
        .iter()
        .filter(move |l| fill.lesions.contains(&l.number))
}

/// The active a syringe holds for injection (the sum of its lesions' doses, on the
/// concentration's basis), as the session prints it.
fn syringe_mass_text(plan: &SessionPlan, fill: &SyringeFill) -> String {
    let mg: rust_decimal::Decimal = lesions_of(plan, fill).map(|l| l.mass.mg()).sum();
    format!("{} {}", mass_text(Mass::from_mg(mg)), plan.basis.as_str())
}

/// `for lesion 1: 0.2 mL = 30 mg; lesion 2: 0.15 mL = 22.5 mg`: a syringe filled across
/// lesions, split (lesions in injection order, each with the volume drawn for it and the
/// active it holds, so that the nurse injects each lesion its own dose).
fn split_text(plan: &SessionPlan, fill: &SyringeFill) -> String {
    let parts: Vec<String> = lesions_of(plan, fill)
        .map(|l| format!("lesion {}: {} = {}", l.number, l.drawn, l.mass_text))
        .collect();
    format!("for {}", parts.join("; "))
}

/// A time as the syringe label and the session sheet print it: `13:30` on the day the syringes
/// are drawn up, else with its date; a date alone (a vial's BUD of a whole day) as
/// `the end of 2026-11-30`.
fn when(t: CompoundedAt, day: Option<chrono::NaiveDate>) -> String {
    match t.time_text() {
        None => format!("the end of {}", t.date),
        Some(time) if Some(t.date) == day => time,
        Some(_) => t.to_string(),
    }
}

/// Where and when the syringes are drawn up and how long they may be used, as the paragraphs
/// a label prints (the session sheet joins them). Immediate use, in one line of a 49-character
/// label: `Drawn up ____ (time) by ____; give within 4 hours`, or with the drawing-up time
/// `Drawn up 09:30 by ____; give by 13:30 (4 hours)`. ISO 5: when and by whom, then the
/// syringe's own beyond-use date. The vial's BUD is never the syringe's: it only ends the
/// syringe's time earlier when it comes first, and then says so.
pub fn drawn_up_parts(l: &SyringeLimit) -> Vec<String> {
    let day = l.drawn_at.map(|a| a.date);
    let at = l
        .drawn_at
        .map_or_else(|| format!("{SHORT_BLANK} (time)"), |a| when(a, day));
    match l.drawn_up {
        DrawnUp::ImmediateUse => vec![match l.until {
            None => format!("Drawn up {at} by {SHORT_BLANK}; give within {}", l.limit),
            // The vial's BUD, when it comes first, replaces the window as the reason.
            Some(u) if l.set_by_vial => format!(
                "Drawn up {at} by {SHORT_BLANK}; give by {} (vial BUD)",
                when(u, day)
            ),
            Some(u) => format!(
                "Drawn up {at} by {SHORT_BLANK}; give by {} ({})",
                when(u, day),
                l.limit
            ),
        }],
        DrawnUp::Iso5 => {
            let storage = l.storage.map_or_else(String::new, |s| format!(", {s}"));
            let bud = match l.until {
                Some(u) if l.set_by_vial => format!("{u} (the vial's BUD)"),
                Some(u) => format!("{u} ({}{storage})", l.limit),
                None => format!(
                    "{SHORT_BLANK}: {} after drawing up{storage}, not after the vial's BUD",
                    l.limit
                ),
            };
            vec![
                format!("Drawn up in ISO 5 {at} by {SHORT_BLANK};"),
                format!("BUD {bud}"),
            ]
        }
    }
}

/// [`drawn_up_parts`] as one sentence, for the session sheet.
pub fn drawn_up_sentence(l: &SyringeLimit) -> String {
    drawn_up_parts(l).join(" ")
}

/// The vial a syringe is drawn from, as its source only: `Compounded preparation from vial
/// lot … (vial BUD …).` (blanks until known).
pub fn vial_source(vial: &Traceability) -> String {
    format!(
        "{} from vial lot {} (vial BUD {}).",
        COMPOUNDED.trim_end_matches('.'),
        blank(&vial.lot),
        blank(&vial.bud)
    )
}

/// The label of one syringe drawn up for a session (or a copy for the record): the solution
/// with its strength and basis, what the syringe holds and for which lesion(s), the route, the
/// formula's statements (single-dose), the patient when given, when and by whom it is drawn up
/// and until when it may be given (never the vial's BUD as its own: see
/// [`drawn_up_sentence`]), the vial it comes from (lot and BUD, as given, else blanks), the
/// storage of an ISO 5 syringe and the facility. An immediate-use syringe carries no storage:
/// it is given, not stored.
#[allow(clippy::too_many_arguments)]
pub fn syringe(
    entry: &Entry,
    plan: &SessionPlan,
    fill: &SyringeFill,
    recipient: &Recipient,
    facility: Option<&str>,
    vial: &Traceability,
    limit: &SyringeLimit,
    purpose: &str,
) -> LabelText {
    let f = &entry.formula;
    let mut lines = vec![
        LabelLine::strong(format!("{} {}", f.active.name, plan.label_strength)),
        LabelLine::dose(format!(
            "{} = {}",
            fill.volume,
            syringe_mass_text(plan, fill)
        )),
        LabelLine::plain(format!(
            "Syringe {} of {} {}",
            fill.number,
            plan.syringes.len(),
            if fill.lesions.len() > 1 {
                // Filled across lesions: how much goes into each one.
                split_text(plan, fill)
            } else {
                format!("for {}", lesions_text(plan, fill))
            }
        )),
    ];
    lines.push(LabelLine::strong(f.route_statement.clone()));
    lines.extend(statements(f));
    match (&recipient.patient, &recipient.patient_id) {
        (Some(p), Some(id)) => lines.push(LabelLine::plain(format!("Patient: {p} ({id})"))),
        (Some(p), None) => lines.push(LabelLine::plain(format!("Patient: {p}"))),
        (None, Some(id)) => lines.push(LabelLine::plain(format!("Patient ID: {id}"))),
        (None, None) => lines.push(LabelLine::plain(format!(
            "Patient {LABEL_BLANK}{LABEL_BLANK}"
        ))),
    }
    lines.extend(drawn_up_parts(limit).into_iter().map(LabelLine::strong));
    lines.push(LabelLine::plain(vial_source(vial)));
    if let Some(storage) = limit.storage {
        lines.push(LabelLine::plain(format!("Store {}.", storage.phrase())));
    }
    lines.push(facility_line(facility));
    LabelText {
        purpose: purpose.to_string(),
        lines,
        // The vial's lot, and the syringe's own end (never the vial's BUD); no (17) until the
        // drawing-up time gives it.
        barcode: barcode_data(f, vial.lot.as_deref(), limit.until.map(|u| u.date)),
    }
}
