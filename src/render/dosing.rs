//! Plain-text rendering of the solution batch, the session check (with its series) and the
//! topical supply. Every number comes formatted from the plan or through a quantity's
//! `Display`; nothing is calculated here.

use std::fmt::Write;

use super::table::table;
use crate::plan::series::SeriesPlan;
use crate::plan::session::SessionPlan;
use crate::plan::solution::{DilutionPart, Method, PowderPart, SolutionPlan};
use crate::plan::supply::{supply_mass_text, Course, PerApplication, SupplyPlan};
use crate::plan::text::count_text;
use crate::quantity::format_number;

/// A count as people read it (thousands separators).
fn n(v: u32) -> String {
    format_number(v.into())
}

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
        p.title, p.formula.id, p.formula.version
    );
    let method = match p.method {
        Method::Dilution => "dilution of a commercial injection",
        Method::Powder if p.sterile => "from powder, q.s. to volume, sterile-filtered",
        Method::Powder => "from powder, q.s. to volume",
    };
    let _ = writeln!(o, "Method: {method}");
    let _ = writeln!(o, "Strength: {}", p.strength_text());
    if p.total == p.nominal {
        let _ = writeln!(o, "Volume: {}", p.total);
    } else {
        let _ = writeln!(o, "Volume: {} asked for, {} to make", p.nominal, p.total);
    }
    if let (Some(step), Some(reason)) = (p.measure_step, &p.measure_step_reason) {
        let _ = writeln!(o, "Measuring step: {step} ({reason})");
    }
    let _ = writeln!(
        o,
        "Tolerance: {} to {} of the target ({})",
        p.tolerance.low, p.tolerance.high, p.tolerance.source
    );
    o.push('\n');
    if let Some(d) = &p.dilution {
        dilution_section(&mut o, p, d);
    }
    if let Some(w) = &p.powder {
        powder_section(&mut o, p, w);
    }
    let _ = writeln!(o, "\nOsmolarity (ideal): {}", p.osmolarity.basis);
    let _ = writeln!(
        o,
        "Containers: {} × {} ({}); {}",
        n(p.fill.count),
        p.fill.volume,
        p.fill.name,
        p.fill.holds_text()
    );
    let _ = writeln!(
        o,
        "BUD (this method, before component expiries): {} — {}",
        p.bud, p.bud.reason
    );
    let _ = writeln!(o, "Storage: {}", p.storage);
    if let Some(r) = &p.record {
        o.push('\n');
        // A solution's components are measured by volume (dilution) or weighed and made up to
        // volume (powder): the column says which.
        let heading = match p.method {
            Method::Dilution => "actual volume",
            Method::Powder => "actual amount",
        };
        o.push_str(&super::record::text_with_actual_heading(r, heading));
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

/// The dilution part of a solution batch: the stock, the diluent and the volumes to measure.
fn dilution_section(o: &mut String, p: &SolutionPlan, d: &DilutionPart) {
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
    let no_diluent = d.diluent_volume.ml().is_zero();
    if no_diluent {
        let _ = writeln!(
            o,
            "Diluent: none (the stock is used as it is, at the target strength)"
        );
    } else {
        let _ = writeln!(o, "Diluent: {} ({})", d.diluent.name, d.diluent.note);
    }
    o.push('\n');
    let mut rows = vec![vec![
        format!("{} (stock)", s.name),
        d.stock_volume_calculated_text.clone(),
        d.stock_volume.to_string(),
    ]];
    if !no_diluent {
        rows.push(vec![
            format!("{} (diluent)", d.diluent.name),
            String::new(),
            d.diluent_volume.to_string(),
        ]);
    }
    rows.push(vec![
        "Total".into(),
        String::new(),
        d.final_volume.to_string(),
    ]);
    o.push_str(&table(&["component", "calculated", "measure"], &rows));
    let _ = writeln!(
        o,
        "\nConcentration from the measured volumes: {} ({} basis), {} of the target",
        d.concentration_from_rounded, p.basis, d.of_target_text
    );
    let _ = writeln!(
        o,
        "Stock vials: {} × {} opened, {} left over (discard: single-dose)",
        n(d.vials_opened),
        s.vial,
        d.left_over
    );
}

/// The powder part of a solution batch: the powder, the balance and the mass to weigh.
fn powder_section(o: &mut String, p: &SolutionPlan, w: &PowderPart) {
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
            p.vehicle.clone(),
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
        "Concentration from the weighed mass: {} ({} basis), {} of the target",
        w.concentration_from_rounded, p.basis, w.of_target_text
    );
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
        p.concentration_text, p.basis, p.concentration_source
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
            let mut r = vec![n(l.number)];
            if with_site {
                r.push(l.site.clone().unwrap_or_default());
                r.push(l.size.clone().unwrap_or_default());
            }
            let mut note = Vec::new();
            if !l.change_text.is_empty() {
                note.push(format!("rounded to graduation, {}", l.change_text));
            }
            if l.below_min_fraction {
                note.push("BELOW 20 % OF SYRINGE".into());
            }
            r.extend([
                // A dose prescribed in mg shows the mass and the volume it is at the
                // concentration given.
                match l.prescribed_mass {
                    Some(m) => format!("{} ({})", crate::plan::text::mass_text(m), l.prescribed),
                    None => l.prescribed.to_string(),
                },
                l.drawn.to_string(),
                l.mass_text.clone(),
                format!(
                    "#{} {}",
                    n(l.syringe),
                    p.syringes[l.syringe as usize - 1].syringe.name
                ),
                note.join("; "),
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
                format!("#{}", n(s.number)),
                format!("{} ({} graduations)", s.syringe.name, s.syringe.graduation),
                s.lesions
                    .iter()
                    .map(|l| n(*l))
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
    to_prepare(&mut o, p);

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
    if let Some(t) = &p.override_text {
        let _ = writeln!(o, "{t}");
    }
    numbered(&mut o, "Calculation", &p.calculations);
    if let Some(s) = &p.series {
        series(&mut o, s);
    }
    // One warnings section, last: the session's, then the series' (nothing else under it).
    let all: Vec<String> = p
        .warnings
        .iter()
        .chain(p.series.iter().flat_map(|s| &s.warnings))
        .cloned()
        .collect();
    warnings(&mut o, &all);
    o
}

/// The solution to prepare for the session, its vials and the batch to make.
fn to_prepare(o: &mut String, p: &SessionPlan) {
    let _ = writeln!(
        o,
        "\nSolution to prepare for the session: {} ({} injected + {} dead space)",
        p.to_prepare, p.total_volume, p.dead_space
    );
    if let Some(v) = p.vials_text() {
        let _ = writeln!(o, "{v}");
    }
    // With a series, its batches (one sealed vial per session) are what is made: the one batch
    // for this session alone would be a second, different answer to the same question.
    if p.series.is_some() {
        let _ = writeln!(
            o,
            "Batch: see the series' batches below (one sealed vial per session)"
        );
    } else if !p.batch_command.is_empty() {
        let _ = writeln!(o, "Batch: {}: {}", p.batch_reason, p.batch_command);
    }
}

fn series(o: &mut String, s: &SeriesPlan) {
    // One session has no interval to state.
    let _ = match s.sessions.len() {
        1 => writeln!(o, "\nSeries: 1 session"),
        n => writeln!(
            o,
            "\nSeries: {} every {}",
            count_text(n as u64, "session", "sessions"),
            s.every
        ),
    };
    let rows: Vec<Vec<String>> = s
        .sessions
        .iter()
        .map(|x| {
            vec![
                n(x.number),
                x.date.format("%a %Y-%m-%d").to_string(),
                x.volume.to_string(),
                x.mass_text.clone(),
                format!("#{}", n(x.preparation)),
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
        &["session", "date", "volume", "active", "batch"],
        &rows,
    ));
    let _ = writeln!(
        o,
        "\nSolution BUD: {}, {} ({})",
        s.bud.days, s.bud.storage, s.bud.reason
    );
    let _ = writeln!(
        o,
        "Batches: {} (the fewest whose BUD covers their sessions), one sealed single-dose vial per session",
        n(s.preparations.len() as u32)
    );
    let rows: Vec<Vec<String>> = s
        .preparations
        .iter()
        .map(|p| {
            vec![
                format!("#{}", n(p.number)),
                p.compound_on.format("%a %Y-%m-%d").to_string(),
                p.use_through.format("%a %Y-%m-%d").to_string(),
                p.sessions
                    .iter()
                    .map(|x| n(*x))
                    .collect::<Vec<_>>()
                    .join(", "),
                n(p.vials.len() as u32),
                p.volume.to_string(),
                p.batch_volume.to_string(),
                p.stock_vials_opened.map(n).unwrap_or_default(),
            ]
        })
        .collect();
    o.push_str(&table(
        &[
            "batch",
            "compound on",
            "use through",
            "sessions",
            "vials",
            "needed",
            "make",
            "stock vials",
        ],
        &rows,
    ));
    for p in &s.preparations {
        let _ = writeln!(
            o,
            "\nBatch #{}: compound on {}, use through {} (BUD); {} {}",
            n(p.number),
            p.compound_on.format("%a %Y-%m-%d"),
            p.use_through.format("%a %Y-%m-%d"),
            if p.sessions.len() == 1 {
                "session"
            } else {
                "sessions"
            },
            p.sessions
                .iter()
                .map(|x| n(*x))
                .collect::<Vec<_>>()
                .join(", ")
        );
        for v in &p.vials {
            let holds = v
                .holds
                .map(|h| format!(", filled with {h}"))
                .unwrap_or_default();
            let _ = writeln!(
                o,
                "  vial {}: session {}, {}{holds}",
                n(v.number),
                n(v.session),
                v.volume
            );
        }
        let _ = writeln!(o, "  make {}: {}", p.batch_volume, p.batch_reason);
        if let (Some(k), Some(vial)) = (p.stock_vials_opened, s.stock_vial) {
            let _ = writeln!(o, "  stock vials opened: {} × {vial}", n(k));
        }
        if !p.batch_command.is_empty() {
            let _ = writeln!(o, "  command: {}", p.batch_command);
        }
    }
    if let (Some(k), Some(vial)) = (s.stock_vials_opened, s.stock_vial) {
        let _ = writeln!(o, "\nStock vials opened in all: {} × {vial}", n(k));
    }
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
        PerApplication::Mass { mass } => supply_mass_text(mass),
        PerApplication::Ftu { count } => format!(
            "{} FTU = {}",
            format_number(count),
            supply_mass_text(p.per_application_mass)
        ),
    };
    let course = match p.course {
        Course::Days { days } => count_text(days.into(), "day", "days"),
        Course::Months { months } => format!(
            "{} = {}",
            count_text(months.into(), "month", "months"),
            count_text(p.days.into(), "day", "days")
        ),
    };
    let _ = writeln!(
        o,
        "Per application: {per}; {} a day; course: {course}",
        n(p.per_day)
    );
    let _ = writeln!(o, "Total needed: {}", supply_mass_text(p.needed));
    let _ = writeln!(
        o,
        "Dispense: {} × {} ({}) = {} ({} spare)",
        n(p.containers),
        p.fill,
        p.container_name,
        supply_mass_text(p.to_dispense),
        supply_mass_text(p.spare)
    );
    let _ = writeln!(
        o,
        "BUD: {}; one batch serves at most {} of use (the compounding day is day 1 and not a day of use; see the calculation)",
        p.bud,
        count_text(p.days_per_batch.into(), "day", "days")
    );
    if p.batches.len() == 1 {
        let _ = writeln!(o, "\nMake it with: {}", p.batch_command);
    } else {
        let _ = writeln!(
            o,
            "\nThe course is longer than one BUD, so it is made in {} batches: compound each one no earlier than the day before its first day of use.",
            n(p.batches.len() as u32)
        );
        let rows: Vec<Vec<String>> = p
            .batches
            .iter()
            .map(|b| {
                vec![
                    format!("#{}", n(b.number)),
                    format!("{}–{}", n(b.first_day), n(b.last_day)),
                    supply_mass_text(b.needed),
                    format!("{} × {}", n(b.containers), p.fill),
                    b.batch_command.clone(),
                ]
            })
            .collect();
        o.push_str(&table(
            &["batch", "course days", "needed", "containers", "command"],
            &rows,
        ));
    }
    numbered(&mut o, "Calculation", &p.calculations);
    o
}
