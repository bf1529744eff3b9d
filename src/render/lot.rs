//! The batch register's answers as text: a lot's reprint and the tables of `lot list`,
//! `recall` and `audit`.

use crate::render::table::table;
use crate::view::lot::{LotReprint, Table};

/// A [`Table`] as text, or `none` under its title when empty.
pub fn table_text(title: &str, t: &Table) -> String {
    if t.rows.is_empty() {
        return format!("{title}: none\n");
    }
    let headers: Vec<&str> = t.headers.iter().map(String::as_str).collect();
    format!("{title}:\n{}", table(&headers, &t.rows))
}

/// A lot's reprint as text.
pub fn reprint(r: &LotReprint) -> String {
    let mut out = format!("{}\n\n", r.notice);
    let width = r.facts.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (k, v) in &r.facts {
        out.push_str(&format!("{k:<width$}  {v}\n"));
    }
    out.push('\n');
    if !r.quantities.rows.is_empty() {
        out.push_str(&table_text("Quantities as issued", &r.quantities));
        out.push('\n');
    }
    out.push_str("Calculations as issued:\n");
    for c in &r.calculations {
        out.push_str(&format!("  {c}\n"));
    }
    out.push('\n');
    out.push_str(&table_text("Component lots", &r.components));
    out.push('\n');
    if r.events_summary.is_empty() {
        out.push_str("Not verified yet: in quarantine.\n");
    }
    for e in &r.events_summary {
        out.push_str(&format!("{e}\n"));
    }
    out.push('\n');
    out.push_str(&table_text("Sessions given from this lot", &r.sessions));
    out.push('\n');
    out.push_str(&table_text("Audit events", &r.events));
    out
}
