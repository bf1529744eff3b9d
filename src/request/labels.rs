//! The label run options: how many copies for the record (`--copies`), how many positions of
//! a started sheet to skip (`--skip`) and whether to outline the labels (`--outline`). The
//! label stock itself (`--label-stock`) is found by the view that knows the stocks.

use super::parse::{count, optional_text};
use crate::cli::{DispensingArgs, LabelSheetArgs};
use crate::error::Result;

/// The label run options, checked.
#[derive(Debug, Clone, Copy)]
pub struct LabelOptions {
    /// Copies of each label for the record.
    pub copies: u32,
    /// Positions of the first sheet already used.
    pub skip: u32,
    /// Whether each label is outlined (to check the alignment on plain paper).
    pub outline: bool,
}

/// Reads the label run options.
pub fn label_options(sheet: &LabelSheetArgs) -> Result<LabelOptions> {
    Ok(LabelOptions {
        copies: count("--copies", &sheet.copies, 0, 1000, None)?,
        skip: count("--skip", &sheet.skip, 0, u32::MAX, None)?,
        outline: sheet.outline,
    })
}

/// A container label's dispensing part, read: each text as given (trimmed), `None` for a
/// blank to write on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dispensing {
    /// Patient name.
    pub patient: Option<String>,
    /// Second patient identifier.
    pub patient_id: Option<String>,
    /// Directions for use.
    pub directions: Option<String>,
    /// Prescription number.
    pub rx_number: Option<String>,
    /// Prescriber.
    pub prescriber: Option<String>,
}

/// Reads the dispensing options of `labels` and `lot labels`.
pub fn dispensing(d: &DispensingArgs) -> Result<Dispensing> {
    Ok(Dispensing {
        patient: optional_text("--patient", d.patient.as_deref())?,
        patient_id: optional_text("--patient-id", d.patient_id.as_deref())?,
        directions: optional_text("--directions", d.directions.as_deref())?,
        rx_number: optional_text("--rx-number", d.rx_number.as_deref())?,
        prescriber: optional_text("--prescriber", d.prescriber.as_deref())?,
    })
}
