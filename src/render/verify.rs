//! Plain text for `stscalc verify`.

use std::fmt::Write;

use super::table::table;
use crate::plan::verify::Verification;

/// The verification sheet.
pub fn text(v: &Verification) -> String {
    let p = &v.plan;
    let mut o = header(
        &p.title,
        &p.formula,
        p.record.as_ref(),
        (&p.strength, p.basis),
    );
    let added = !v.additions.is_empty();
    let mut rows: Vec<Vec<String>> = v
        .actual
        .iter()
        .map(|l| {
            let mut row = vec![l.name.clone(), l.planned.to_string()];
            if added {
                row.extend([l.first.to_string(), l.added.to_string()]);
            }
            row.extend([l.actual.to_string(), l.difference.to_string()]);
            row
        })
        .collect();
    let mut total = vec!["Total".into(), p.total.to_string()];
    if added {
        total.extend([
            v.first_total.to_string(),
            crate::quantity::Mass::from_g(v.actual_total.g() - v.first_total.g()).to_string(),
        ]);
    }
    total.extend([v.actual_total.to_string(), v.total_difference.to_string()]);
    rows.push(total);
    let headers: &[&str] = if added {
        &[
            "component",
            "planned",
            "first weighed",
            "added",
            "in the batch",
            "difference",
        ]
    } else {
        &["component", "planned", "actual", "difference"]
    };
    o.push_str(&table(headers, &rows));
    o.push('\n');
    if let Some(first) = &v.first_strength_text {
        let _ = writeln!(o, "First weighings: {first}");
        let _ = writeln!(o, "Additions after them, in order:");
        for (i, a) in v.additions.iter().enumerate() {
            let _ = writeln!(o, "  {}. {} of {}", i + 1, a.mass, a.name);
        }
    }
    let _ = writeln!(
        o,
        "{}: {} ({} of label)",
        if added {
            "Final strength"
        } else {
            "Actual strength"
        },
        v.actual_strength,
        v.of_label
    );
    let _ = writeln!(
        o,
        "Result: {} (tolerance {} to {} of label; {})",
        crate::view::verification::result_text(v),
        v.tolerance.low,
        v.tolerance.high,
        v.tolerance.source
    );
    if let Some(r) = &v.rejection {
        let _ = writeln!(o, "  {}", r.text);
    }
    if let Some(c) = &v.correction {
        if c.required {
            let _ = writeln!(
                o,
                "\nCorrection REQUIRED before release, back to {} (then enter the additions with --addition and verify again):",
                p.strength
            );
        } else {
            let _ = writeln!(
                o,
                "\nOptional correction, only to come closer to {} (the batch passes as it is):",
                p.strength
            );
        }
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

/// The verification sheet of a solution: planned against measured, the strength made, its
/// percentage of the target, the result and the correction.
pub fn solution_text(v: &crate::plan::verify_solution::SolutionVerification) -> String {
    let p = &v.plan;
    let mut o = header(
        &p.title,
        &p.formula,
        p.record.as_ref(),
        (&p.strength, p.basis),
    );
    let rows: Vec<Vec<String>> = v
        .measured
        .iter()
        .map(|l| vec![l.name.clone(), l.planned.to_string(), l.actual.to_string()])
        .collect();
    o.push_str(&table(&["component", "planned", "actual"], &rows));
    let _ = writeln!(
        o,
        "\nStrength made: {} ({} basis), {} of the target {}",
        v.made, p.basis, v.of_target, p.strength
    );
    let _ = writeln!(
        o,
        "Tolerance: {} to {} of the target ({})",
        v.tolerance.low, v.tolerance.high, v.tolerance.source
    );
    let _ = writeln!(
        o,
        "Result: {}",
        crate::view::verification::solution_result_text(v)
    );
    if let Some(r) = &v.rejection {
        let _ = writeln!(o, "Why: {r}");
    }
    if let Some(c) = &v.correction {
        let _ = writeln!(
            o,
            "\nCorrection REQUIRED before release: {}\nAfter it: {}, strength {} ({})",
            c.text, c.new_volume, c.resulting, c.resulting_of_target_text
        );
    }
    o.push_str("\nCalculation:\n");
    for (i, c) in v.calculations.iter().enumerate() {
        let _ = writeln!(o, "  {}. {c}", i + 1);
    }
    for w in &v.warnings {
        let _ = writeln!(o, "! {w}");
    }
    o
}

/// The head of a verification sheet, ointment or solution: the preparation and formula, the
/// lot with its dates, and the target strength on its basis.
fn header(
    title: &str,
    formula: &crate::plan::ointment::FormulaRef,
    record: Option<&crate::plan::record::BatchRecord>,
    (strength, basis): (&dyn std::fmt::Display, crate::substance::Form),
) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Verification — {title} (formula {} version {})",
        formula.id, formula.version
    );
    if let Some(r) = record {
        let _ = writeln!(
            o,
            "Lot: {}; compounded {}; beyond-use date {}",
            r.lot.number, r.compounded_at, r.bud.text
        );
    }
    let _ = writeln!(o, "Target: {strength} ({basis} basis)");
    o.push('\n');
    o
}
