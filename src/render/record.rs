//! Plain text for the batch record (lot, components, storage, beyond-use date), appended to the
//! batch sheet.

use std::fmt::Write;

use super::table::table;
use crate::bud::LimitUnit;
use crate::plan::record::BatchRecord;

/// The record section of a batch sheet.
pub fn text(r: &BatchRecord) -> String {
    text_with_actual_heading(r, "actual weight")
}

/// The record section with its own heading for the measured-amount column (`actual volume`
/// for a solution made by dilution).
pub fn text_with_actual_heading(r: &BatchRecord, actual_heading: &str) -> String {
    let mut o = String::new();
    let b = &r.bud;
    if let Some(n) = &r.strength_notice {
        let _ = writeln!(o, "! {n}");
    }
    let _ = writeln!(o, "Lot: {} ({})", r.lot.number, r.lot.scheme);
    if let Some(f) = &r.facility {
        let _ = writeln!(o, "Facility: {f}");
    }
    let _ = writeln!(o, "Compounded: {}", r.compounded_at);
    if let Some(m) = &r.method {
        let _ = writeln!(o, "Method: {m}");
    }
    let _ = writeln!(
        o,
        "Storage: {} ({})",
        b.storage_text,
        if r.storage_from == "formula" {
            "the formula's usual storage"
        } else {
            "chosen for this batch among the storages the formula allows"
        }
    );
    let _ = writeln!(o, "Beyond-use date: {} — {}", b.text, b.reason);
    let _ = writeln!(
        o,
        "  Rule: {}: {} — {} [confidence {}]",
        b.rule.name, b.rule.limit, b.rule.source, b.rule.confidence
    );
    if b.limits
        .iter()
        .any(|l| l.limit.is_some_and(|x| x.unit == LimitUnit::Days))
    {
        let _ = writeln!(o, "  Day counting: {}", b.convention_text);
    }
    o.push_str("  Limits considered, earliest first:\n");
    for l in &b.limits {
        let when = match &l.time {
            Some(t) => format!("{} {t}", l.date),
            None => l.date.to_string(),
        };
        let _ = writeln!(o, "    {when}  {}", l.text);
    }
    o.push_str("\nComponent lots:\n");
    let rows: Vec<Vec<String>> = r
        .components
        .iter()
        .map(|c| {
            vec![
                c.name.clone(),
                c.id.clone(),
                c.lot.clone().unwrap_or_else(|| "NOT GIVEN".into()),
                match (&c.expiry, &c.expiry_as_written) {
                    (Some(e), Some(w)) if *w != e.to_string() => format!("{e} (written {w})"),
                    (Some(e), _) => e.to_string(),
                    _ => "NOT GIVEN".into(),
                },
                c.manufacturer.clone().unwrap_or_default(),
                c.actual.map(|m| m.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    o.push_str(&table(
        &[
            "component",
            "id",
            "lot",
            "expiry",
            "manufacturer",
            actual_heading,
        ],
        &rows,
    ));
    o
}
