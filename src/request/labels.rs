//! The label run options: how many copies for the record (`--copies`), how many positions of
//! a started sheet to skip (`--skip`) and whether to outline the labels (`--outline`). The
//! label stock itself (`--label-stock`) is found by the view that knows the stocks.

use super::parse::count;
use crate::cli::LabelSheetArgs;
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
