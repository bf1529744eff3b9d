//! What a sheet or a label prints of a batch record: its lot, when it was compounded and its
//! beyond-use date with the reason.

use serde::Serialize;

use crate::plan::record::BatchRecord;

/// The traceability of a batch record, or blanks when there is none.
pub fn trace_of(record: Option<&BatchRecord>) -> Traceability {
    record.map(Traceability::from).unwrap_or_default()
}

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
    /// The beyond-use date's day, for the barcode's (17) (a BUD in hours keeps its hour in
    /// the printed text only).
    #[serde(skip)]
    pub bud_date: Option<chrono::NaiveDate>,
}

impl From<&BatchRecord> for Traceability {
    /// What the printed record and the labels show of a batch record.
    fn from(r: &BatchRecord) -> Self {
        let b = &r.bud;
        let days = b.limits.iter().any(|l| {
            l.limit
                .is_some_and(|x| x.unit == crate::bud::LimitUnit::Days)
        });
        Traceability {
            lot: Some(r.lot.number.clone()),
            compounded_at: Some(r.compounded_at.to_string()),
            bud: Some(b.text.clone()),
            bud_date: Some(b.date),
            bud_basis: Some(if days {
                format!("{}; {}", b.reason, b.convention_text)
            } else {
                b.reason.clone()
            }),
        }
    }
}
