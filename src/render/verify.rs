//! Plain text for `stscalc verify`.

use std::fmt::Write;

use super::text::table;
use crate::plan::verify::Verification;

/// The verification sheet.
pub fn text(v: &Verification) -> String {
    let p = &v.plan;
    let mut o = String::new();
    let title = &p.title;
    let _ = writeln!(
        o,
        "Verification — {title} (formula {} version {})",
        p.formula.id, p.formula.version
    );
    if let Some(r) = &p.record {
        let _ = writeln!(
            o,
            "Lot: {}; compounded {}; beyond-use date {}",
            r.lot.number, r.compounded_at, r.bud.text
        );
    }
    let _ = writeln!(o, "Target: {} ({} basis)", p.strength, p.basis);
    o.push('\n');
    let mut rows: Vec<Vec<String>> = v
        .actual
        .iter()
        .map(|l| {
            vec![
                l.name.clone(),
                l.planned.to_string(),
                l.actual.to_string(),
                l.difference.to_string(),
            ]
        })
        .collect();
    rows.push(vec![
        "Total".into(),
        p.total.to_string(),
        v.actual_total.to_string(),
        v.total_difference.to_string(),
    ]);
    o.push_str(&table(
        &["component", "planned", "actual", "difference"],
        &rows,
    ));
    o.push('\n');
    let _ = writeln!(
        o,
        "Actual strength: {} ({} of label)",
        v.actual_strength, v.of_label
    );
    let _ = writeln!(
        o,
        "Result: {} (tolerance {} to {} of label; {})",
        if v.pass {
            "PASS"
        } else {
            "FAIL — DO NOT RELEASE"
        },
        v.tolerance.low,
        v.tolerance.high,
        v.tolerance.source
    );
    if let Some(c) = &v.correction {
        let _ = writeln!(
            o,
            "\nCorrection to return to {} ({}):",
            p.strength,
            if c.required {
                "REQUIRED before release"
            } else {
                "optional: the batch passes as it is"
            }
        );
        for (i, s) in c.steps.iter().enumerate() {
            let _ = writeln!(o, "  {}. {}", i + 1, crate::plan::verify::instruction(s));
        }
        let _ = writeln!(
            o,
            "  New total {}; strength {} ({})",
            c.new_total, c.resulting_strength, c.resulting_of_label_text
        );
        for e in &c.explanation {
            let _ = writeln!(o, "    {e}");
        }
    }
    o.push_str("\nCalculation:\n");
    for (i, c) in v.calculations.iter().enumerate() {
        let _ = writeln!(o, "  {}. {c}", i + 1);
    }
    if !v.warnings.is_empty() {
        o.push_str("\nWarnings:\n");
        for w in &v.warnings {
            let _ = writeln!(o, "  ! {w}");
        }
    }
    o
}
