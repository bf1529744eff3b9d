//! Plain-text rendering of the solution batch, the session check (with its series) and the
//! topical supply. Every number comes formatted from the plan or through a quantity's
//! `Display`; nothing is calculated here.

use std::fmt::Write;

use super::text::table;
use crate::plan::series::SeriesPlan;
use crate::plan::session::SessionPlan;
use crate::plan::solution::{Method, SolutionPlan};
use crate::plan::supply::{Course, PerApplication, SupplyPlan};
use crate::quantity::format_number;

fn numbered(o: &mut String, title: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(o, "\n{title}:");
    for (i, c) in items.iter().enumerate() {
        let _ = writeln!(o, "  {}. {c}", i + 1);
    }
}

fn warnings(o: &mut String, items: &[String]) {
    if items.is_empty() {
        return;
    }
    o.push_str("\nWarnings:\n");
    for w in items {
        let _ = writeln!(o, "  ! {w}");
    }
}

/// `stscalc batch` for a solution.
pub fn solution(p: &SolutionPlan) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{} — formula {} version {}",
        p.formula.name, p.formula.id, p.formula.version
    );
    let method = match p.method {
        Method::Dilution => "dilution of a commercial injection",
        Method::Powder => "from powder, q.s. to volume, sterile-filtered",
    };
    let _ = writeln!(o, "Method: {method}");
    let _ = writeln!(o, "Strength: {} ({} basis)", p.strength, p.basis);
    if p.total == p.nominal {
        let _ = writeln!(o, "Volume: {}", p.total);
    } else {
        let _ = writeln!(o, "Volume: {} asked for, {} to make", p.nominal, p.total);
    }
    let _ = writeln!(
        o,
        "Measuring step: {} ({})",
        p.measure_step, p.measure_step_reason
    );
    o.push('\n');
    if let Some(d) = &p.dilution {
        let s = &d.stock;
        let converted = if s.basis == p.basis {
            String::new()
        } else {
            format!(" = {} on the {} basis", s.on_target_basis_text, p.basis)
        };
        let _ = writeln!(
            o,
            "Stock: {}, {} ({} basis){converted}; vial {} ({})",
            s.name, s.concentration, s.basis, s.vial, s.source
        );
        let _ = writeln!(o, "Diluent: {} ({})", d.diluent.name, d.diluent.note);
        o.push('\n');
        let rows = vec![
            vec![
                format!("{} (stock)", s.name),
                d.stock_volume_calculated_text.clone(),
                d.stock_volume.to_string(),
            ],
            vec![
                format!("{} (diluent)", d.diluent.name),
                String::new(),
                d.diluent_volume.to_string(),
            ],
            vec!["Total".into(), String::new(), d.final_volume.to_string()],
        ];
        o.push_str(&table(&["component", "calculated", "measure"], &rows));
        let _ = writeln!(
            o,
            "\nConcentration from the measured volumes: {} ({} basis)",
            d.concentration_from_rounded_text, p.basis
        );
        let _ = writeln!(
            o,
            "Stock vials: {} × {} opened, {} left over (discard: single-dose)",
            d.vials_opened, s.vial, d.left_over
        );
    }
    if let Some(w) = &p.powder {
        let _ = writeln!(
            o,
            "Powder: sodium thiosulfate {} ({}); 1 g gives {} g on the {} basis — {}",
            w.stock.form, w.stock.formula, w.stock.factor_text, p.basis, w.stock.factor_basis
        );
        let _ = writeln!(
            o,
            "Balance: readability {}; minimum weight {}",
            w.balance.readability, w.minimum_weight
        );
        o.push('\n');
        let rows = vec![
            vec![
                format!("Sodium thiosulfate {} ({})", w.stock.form, w.stock.formula),
                w.calculated_text.clone(),
                w.to_weigh.to_string(),
                w.rounding.clone(),
            ],
            vec![
                "Water for injection".into(),
                String::new(),
                format!("q.s. to {}", p.total),
                "make up to volume".into(),
            ],
        ];
        o.push_str(&table(
            &["component", "calculated", "weigh / measure", "rounding"],
            &rows,
        ));
        let _ = writeln!(o, "\n{}", w.make_up);
        let _ = writeln!(
            o,
            "Concentration from the weighed mass: {} ({} basis)",
            w.concentration_from_rounded_text, p.basis
        );
    }
    let _ = writeln!(o, "\nOsmolarity (ideal): {}", p.osmolarity.basis);
    let _ = writeln!(
        o,
        "Containers: {} × {} ({}); the last holds {}",
        p.fill.count, p.fill.volume, p.fill.name, p.fill.last_holds
    );
    let _ = writeln!(
        o,
        "BUD (this method, before component expiries): {} — {}",
        p.bud, p.bud.reason
    );
    let _ = writeln!(o, "Storage: {}", p.storage);
    if let Some(r) = &p.record {
        o.push('\n');
        o.push_str(&super::record::text(r));
    }
    o.push_str("\nEquipment:\n");
    for e in &p.equipment {
        let _ = writeln!(o, "  - {e}");
    }
    numbered(&mut o, "Method", &p.method_steps);
    numbered(&mut o, "Calculation", &p.calculations);
    warnings(&mut o, &p.warnings);
    o
}

/// `stscalc session` (and its series).
pub fn session(p: &SessionPlan) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Session check — formula {} version {} ({})",
        p.formula.id, p.formula.version, p.formula.name
    );
    let _ = writeln!(
        o,
        "Solution: {} ({} basis), {}",
        p.concentration, p.basis, p.concentration_source
    );
    o.push('\n');
    let with_site = p
        .lesions
        .iter()
        .any(|l| l.site.is_some() || l.size.is_some());
    let mut rows: Vec<Vec<String>> = p
        .lesions
        .iter()
        .map(|l| {
            let mut r = vec![l.number.to_string()];
            if with_site {
                r.push(l.site.clone().unwrap_or_default());
                r.push(l.size.clone().unwrap_or_default());
            }
            r.extend([
                l.prescribed.to_string(),
                l.drawn.to_string(),
                l.mass_text.clone(),
                format!(
                    "#{} {}",
                    l.syringe,
                    p.syringes[l.syringe as usize - 1].syringe.name
                ),
                if l.below_min_fraction {
                    "BELOW 20 % OF SYRINGE".into()
                } else if l.rounding == "none needed" {
                    String::new()
                } else {
                    "rounded to graduation".into()
                },
            ]);
            r
        })
        .collect();
    let mut total = vec!["Total".to_string()];
    if with_site {
        total.extend([String::new(), String::new()]);
    }
    total.extend([
        String::new(),
        p.total_volume.to_string(),
        p.total_mass_text.clone(),
        String::new(),
        String::new(),
    ]);
    rows.push(total);
    let mut headers = vec!["lesion"];
    if with_site {
        headers.extend(["site", "size"]);
    }
    let active = format!("active ({})", p.basis);
    headers.extend(["asked", "draw", active.as_str(), "syringe", "note"]);
    o.push_str(&table(&headers, &rows));

    let _ = writeln!(
        o,
        "\nSyringes ({}):",
        if p.fill_across {
            "filled across lesions"
        } else {
            "one per lesion"
        }
    );
    let rows: Vec<Vec<String>> = p
        .syringes
        .iter()
        .map(|s| {
            vec![
                format!("#{}", s.number),
                format!("{} ({} graduations)", s.syringe.name, s.syringe.graduation),
                s.lesions
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                s.volume.to_string(),
                s.dead_space.to_string(),
            ]
        })
        .collect();
    o.push_str(&table(
        &["syringe", "size", "lesions", "draw", "dead space"],
        &rows,
    ));
    let _ = writeln!(
        o,
        "\nSolution to prepare for the session: {} ({} injected + {} dead space)",
        p.to_prepare, p.total_volume, p.dead_space
    );
    if !p.batch_command.is_empty() {
        let _ = writeln!(
            o,
            "Batch: {} (rounded up to the measuring step): {}",
            p.batch_volume, p.batch_command
        );
    }

    let _ = writeln!(o, "\nDosing policy: {}", p.policy);
    let rows: Vec<Vec<String>> = p
        .limits
        .iter()
        .map(|l| {
            vec![
                l.what.clone(),
                l.limit.clone(),
                l.value.clone(),
                if l.exceeded { "EXCEEDED" } else { "ok" }.into(),
            ]
        })
        .collect();
    o.push_str(&table(
        &["limit", "maximum", "this session", "status"],
        &rows,
    ));
    if let Some(r) = &p.override_reason {
        if p.exceeded.is_empty() {
            let _ = writeln!(o, "Override reason given (no maximum exceeded): {r}");
        } else {
            let _ = writeln!(o, "OVERRIDE: {} — reason: {r}", p.exceeded.join("; "));
        }
    }
    numbered(&mut o, "Calculation", &p.calculations);
    warnings(&mut o, &p.warnings);
    if let Some(s) = &p.series {
        series(&mut o, s);
    }
    o
}

fn series(o: &mut String, s: &SeriesPlan) {
    let _ = writeln!(
        o,
        "\nSeries: {} sessions every {}",
        format_number(s.sessions.len().into()),
        s.every
    );
    let rows: Vec<Vec<String>> = s
        .sessions
        .iter()
        .map(|x| {
            vec![
                x.number.to_string(),
                x.date.format("%a %Y-%m-%d").to_string(),
                x.volume.to_string(),
                x.mass_text.clone(),
                format!("#{}", x.preparation),
            ]
        })
        .collect();
    let mut rows = rows;
    rows.push(vec![
        "Total".into(),
        String::new(),
        s.total_volume.to_string(),
        s.total_mass_text.clone(),
        String::new(),
    ]);
    o.push_str(&table(
        &["session", "date", "volume", "active", "preparation"],
        &rows,
    ));
    let _ = writeln!(
        o,
        "\nSolution BUD: {}, {} ({})",
        s.bud.days, s.bud.storage, s.bud.reason
    );
    let rows: Vec<Vec<String>> = s
        .preparations
        .iter()
        .map(|p| {
            vec![
                format!("#{}", p.number),
                p.compound_on.format("%a %Y-%m-%d").to_string(),
                p.use_through.format("%a %Y-%m-%d").to_string(),
                p.sessions
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                p.volume.to_string(),
                p.batch_command.clone(),
            ]
        })
        .collect();
    o.push_str(&table(
        &[
            "preparation",
            "compound on",
            "use through",
            "sessions",
            "needed",
            "batch (rounded up to the measuring step)",
        ],
        &rows,
    ));
    let _ = writeln!(
        o,
        "\nFollow-up window: {} to {} ({})",
        s.follow_up.from.format("%a %Y-%m-%d"),
        s.follow_up.to.format("%a %Y-%m-%d"),
        s.follow_up.basis
    );
    if !s.assumptions.is_empty() {
        o.push_str("\nAssumptions:\n");
        for a in &s.assumptions {
            let _ = writeln!(o, "  - {a}");
        }
    }
}

/// `stscalc supply`.
pub fn supply(p: &SupplyPlan) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Topical supply — formula {} version {} ({})",
        p.formula.id, p.formula.version, p.formula.name
    );
    let per = match p.per_application {
        PerApplication::Mass { mass } => mass.to_string(),
        PerApplication::Ftu { count } => {
            format!("{} FTU = {}", format_number(count), p.per_application_mass)
        }
    };
    let course = match p.course {
        Course::Days { days } => format!("{} days", format_number(days.into())),
        Course::Months { months } => format!(
            "{} months = {} days",
            format_number(months.into()),
            format_number(p.days.into())
        ),
    };
    let _ = writeln!(
        o,
        "Per application: {per}; {} a day; course: {course}",
        p.per_day
    );
    let _ = writeln!(o, "Total needed: {}", p.needed);
    let _ = writeln!(
        o,
        "Dispense: {} × {} ({}) = {} ({} spare)",
        p.containers, p.fill, p.container_name, p.to_dispense, p.spare
    );
    let _ = writeln!(o, "\nNext: {}", p.batch_command);
    numbered(&mut o, "Calculation", &p.calculations);
    o
}
