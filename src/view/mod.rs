//! What people read: plain `Serialize` views built from plans (the compounding record, the
//! verification, the session sheet, the labels and the paper they are printed on), and the
//! sentences on them. The text, HTML and PDF renderers all render these; views never calculate
//! (every number is already in the plan) and never write.

pub mod barcode;
pub mod facility;
pub mod labels;
pub mod lot;
pub mod paper;
pub mod record;
pub mod record_fields;
pub mod session_sheet;
pub mod trace;
pub mod verification;
