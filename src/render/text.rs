//! The terminal text of `stscalc formulas` and of an ointment batch.

use std::fmt::Write;

use super::table::table;
use crate::formula::Catalog;
use crate::plan::ointment::OintmentPlan;

/// `stscalc formulas`.
pub fn formulas(catalog: &Catalog) -> String {
    let rows: Vec<Vec<String>> = catalog
        .entries()
        .map(|e| {
            let f = &e.formula;
            let origin = if e.overrides_embedded {
                format!("{} (overrides the embedded one)", e.origin)
            } else {
                e.origin.to_string()
            };
            vec![
                f.id.clone(),
                format!("{} ({} basis)", f.default_strength(), f.strength.basis),
                f.dosage_form.clone(),
                f.name.clone(),
                origin,
            ]
        })
        .collect();
    table(&["id", "strength", "form", "name", "source"], &rows)
}

/// `stscalc batch` for an ointment.
pub fn ointment(p: &OintmentPlan) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{} — formula {} version {}",
        p.title, p.formula.id, p.formula.version
    );
    let _ = writeln!(o, "Strength: {} ({} basis)", p.strength, p.basis);
    let _ = writeln!(o, "Batch: {} nominal, {} to make", p.nominal, p.total);
    let _ = writeln!(
        o,
        "Stock: sodium thiosulfate {} ({}); 1 g gives {} g on the {} basis — {}",
        p.stock.form, p.stock.formula, p.stock.factor_text, p.basis, p.stock.factor_basis
    );
    let _ = writeln!(
        o,
        "Balance: readability {}, capacity {}; minimum weight {} ({})",
        p.balance.readability, p.capacity, p.minimum_weight, p.minimum_weight_basis
    );
    o.push('\n');
    let rows: Vec<Vec<String>> = p
        .components
        .iter()
        .map(|c| {
            vec![
                c.name.clone(),
                c.calculated_text.clone(),
                c.to_weigh.to_string(),
                c.rounding.clone(),
                if c.below_minimum_weight {
                    "below: by aliquot (see below)"
                } else {
                    "ok"
                }
                .into(),
            ]
        })
        .collect();
    let mut rows = rows;
    rows.push(vec![
        "Total".into(),
        String::new(),
        p.total.to_string(),
        String::new(),
        String::new(),
    ]);
    o.push_str(&table(
        &[
            "component",
            "calculated",
            "weigh",
            "rounding",
            "minimum weight",
        ],
        &rows,
    ));
    o.push('\n');
    let s = &p.strength_check;
    let _ = writeln!(
        o,
        "Strength from the rounded quantities: {} (target {}); worst case {} to {} ({} to {}), assuming {}",
        s.from_rounded, s.target, s.worst_low, s.worst_high, s.worst_low_of_label, s.worst_high_of_label, s.assumption
    );
    let _ = writeln!(o, "Containers: {}", p.fill.text);
    if let Some(a) = &p.aliquot {
        let _ = writeln!(o, "Aliquot of the active: {}", a.text);
    }
    o.push_str("\nFinal composition (from the rounded quantities, percentages to 0.01 %):\n");
    let rows: Vec<Vec<String>> = p
        .composition
        .iter()
        .map(|c| vec![c.name.clone(), c.percent.to_string()])
        .collect();
    o.push_str(&table(&["constituent", "share"], &rows));
    if let Some(r) = &p.record {
        o.push('\n');
        o.push_str(&super::record::text(r));
    }
    o.push_str("\nCalculation:\n");
    for (i, c) in p.calculations.iter().enumerate() {
        let _ = writeln!(o, "  {}. {c}", i + 1);
    }
    if !p.warnings.is_empty() {
        o.push_str("\nWarnings:\n");
        for w in &p.warnings {
            let _ = writeln!(o, "  ! {w}");
        }
    }
    o
}
