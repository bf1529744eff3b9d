//! The terminal preview of a label run: where the labels go on the sheets and what they say.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use rust_decimal::Decimal;

use crate::quantity::format_number;
use crate::view::labels::LabelSheet;

/// The terminal preview of a label run: where the labels go and what they say.
pub fn preview(
    title: &str,
    (what, n_items): (&str, u32),
    copies: u32,
    sheet: &LabelSheet,
) -> String {
    let n = |x: u32| format_number(Decimal::from(x));
    let plural = |x: u32, word: &str| {
        if x == 1 {
            word.to_string()
        } else {
            format!("{word}s")
        }
    };
    let s = &sheet.stock;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{title}: {} {} + {} cop{} for the record = {} {}",
        n(n_items),
        plural(n_items, what),
        n(copies),
        if copies == 1 { "y" } else { "ies" },
        n(sheet.count),
        plural(sheet.count, "label")
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
    for w in &sheet.warnings {
        let _ = writeln!(o, "! {w}");
    }
    // Identical labels are shown once.
    let mut seen = BTreeSet::new();
    for page in &sheet.pages {
        for l in &page.labels {
            let mut text: Vec<&str> = l.lines.iter().map(|x| x.text.as_str()).collect();
            // The barcode's human-readable text, as printed beside the symbol.
            if let Some(b) = &l.barcode {
                text.push("[GS1 DataMatrix]");
                text.extend(b.text.iter().map(String::as_str));
            }
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
