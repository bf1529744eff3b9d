//! What a container label says (USP <795>/<797> as summarised in domain.md §3): the internal
//! identification (lot) number, the active ingredient with its strength and basis, the dosage
//! form, the amount in the container, the beyond-use date, storage, the route, that it is a
//! compounded preparation, and the facility with its contact.
//!
//! The lot and the beyond-use date come from [`Traceability`]; until they are known they print as
//! write-in blanks, never as made-up values.

use serde::Serialize;

use super::{LabelLine, LabelText};
use crate::formula::Entry;
use crate::plan::ointment::OintmentPlan;

/// A write-in blank on a label: wide enough to write a lot number or a date by hand.
pub const LABEL_BLANK: &str = "____________";

/// The batch's identity in time: lot number, when it was compounded, beyond-use date. Each is
/// `None` until known, and then prints as a blank line to fill in by hand.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Traceability {
    /// Internal identification (lot) number.
    pub lot: Option<String>,
    /// Date and time of compounding, as written on the sheet.
    pub compounded_at: Option<String>,
    /// Beyond-use date, as written on the sheet.
    pub bud: Option<String>,
    /// What the beyond-use date rests on (rule and reference).
    pub bud_basis: Option<String>,
}

/// The label of one ointment container (or a copy of it for the record).
pub fn ointment(
    entry: &Entry,
    plan: &OintmentPlan,
    facility: Option<&str>,
    trace: &Traceability,
    purpose: &str,
) -> LabelText {
    let f = &entry.formula;
    let blank = |v: &Option<String>| v.clone().unwrap_or_else(|| LABEL_BLANK.to_string());
    let mut form = f.dosage_form.clone();
    if let Some(first) = form.get(0..1) {
        form = first.to_uppercase() + &form[1..];
    }
    let lines = vec![
        LabelLine::strong(format!(
            "{} {} ({} basis)",
            f.active.name, plan.strength, plan.basis
        )),
        LabelLine::plain(format!("{form} in {}", f.vehicle.name)),
        LabelLine::plain(format!("Net {}. Compounded preparation.", plan.fill.fill)),
        LabelLine::strong(f.route_statement.clone()),
        LabelLine::plain(format!(
            "Lot {} BUD {}",
            blank(&trace.lot),
            blank(&trace.bud)
        )),
        LabelLine::plain(f.storage.clone()),
        LabelLine::plain(match facility {
            Some(text) if !text.trim().is_empty() => text.trim().to_string(),
            _ => format!("Pharmacy {LABEL_BLANK}{LABEL_BLANK}"),
        }),
    ];
    LabelText {
        purpose: purpose.to_string(),
        lines,
    }
}
