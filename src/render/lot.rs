//! The batch register's answers as text: a lot's reprint and the tables of `lot list`,
//! `recall` and `audit`; and the reprint as a self-contained HTML page (printed to PDF by
//! [`crate::render::pdf`]). The reprint's page is built here rather than from a template so
//! that a `--templates` folder made for the sheets stays a whole set.

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

/// Text escaped for HTML (element content and quoted attributes).
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            _ => out.push(c),
        }
    }
    out
}

/// A [`Table`] as an HTML table, or `none` when empty.
fn table_html(title: &str, t: &Table) -> String {
    let mut out = format!("<h2>{}</h2>\n", esc(title));
    if t.rows.is_empty() {
        out.push_str("<p>none</p>\n");
        return out;
    }
    out.push_str("<table>\n<tr>");
    for h in &t.headers {
        out.push_str(&format!("<th>{}</th>", esc(h)));
    }
    out.push_str("</tr>\n");
    for r in &t.rows {
        out.push_str("<tr>");
        for c in r {
            out.push_str(&format!("<td>{}</td>", esc(c)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    out
}

/// A lot's reprint as a printable HTML page on `paper` (`letter` or `A4`).
pub fn reprint_html(r: &LotReprint, paper: &str) -> String {
    let mut body = format!(
        "<p class=\"reprint\">{}</p>\n<table class=\"facts\">\n",
        esc(&r.notice)
    );
    for (k, v) in &r.facts {
        body.push_str(&format!(
            "<tr><th>{}</th><td>{}</td></tr>\n",
            esc(k),
            esc(v)
        ));
    }
    body.push_str("</table>\n");
    if !r.quantities.rows.is_empty() {
        body.push_str(&table_html("Quantities as issued", &r.quantities));
    }
    body.push_str("<h2>Calculations as issued</h2>\n<ol>\n");
    for c in &r.calculations {
        body.push_str(&format!("<li>{}</li>\n", esc(c)));
    }
    body.push_str("</ol>\n");
    body.push_str(&table_html("Component lots", &r.components));
    body.push_str("<h2>Verification, release, rejection</h2>\n");
    if r.events_summary.is_empty() {
        body.push_str("<p>Not verified yet: in quarantine.</p>\n");
    }
    for e in &r.events_summary {
        body.push_str(&format!("<p>{}</p>\n", esc(e)));
    }
    body.push_str(&table_html("Sessions given from this lot", &r.sessions));
    body.push_str(&table_html("Audit events", &r.events));
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>REPRINT {title}</title>\n<style>\n@page {{ size: {paper}; margin: 12mm; }}\nbody {{ font-family: sans-serif; font-size: 9pt; }}\n.reprint {{ font-weight: bold; border: 2px solid #000; padding: 4px; }}\ntable {{ border-collapse: collapse; margin-bottom: 6px; }}\nth, td {{ border: 1px solid #888; padding: 2px 4px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }}\nh2 {{ font-size: 10pt; margin: 8px 0 2px; }}\n</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        title = esc(r.facts.first().map_or("", |(_, v)| v.as_str())),
    )
}
