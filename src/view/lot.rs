//! What people read from the batch register: a lot's record reprinted from what was stored
//! (never worked out again with today's data files), and the tables of `lot list`, `recall`
//! and `audit`. Built from the register's answers as JSON values (the register's own types
//! stay in the commands that call it), so this layer reads only what was stored.

use serde::Serialize;
use serde_json::Value;

/// A table: headers and rows of text.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    /// Column headers.
    pub headers: Vec<String>,
    /// Rows, one cell per header.
    pub rows: Vec<Vec<String>>,
}

/// A lot's record reprinted from the register.
#[derive(Debug, Clone, Serialize)]
pub struct LotReprint {
    /// The notice on top: a reprint, of what, when, from what.
    pub notice: String,
    /// `label: value` lines about the lot.
    pub facts: Vec<(String, String)>,
    /// The quantities as issued (component, amount).
    pub quantities: Table,
    /// The calculations as issued, one line each.
    pub calculations: Vec<String>,
    /// The component lots.
    pub components: Table,
    /// Verification, release, rejection, one line each.
    pub events_summary: Vec<String>,
    /// The sessions given from the lot.
    pub sessions: Table,
    /// The lot's audit events.
    pub events: Table,
}

/// A string field, empty when absent.
fn s(v: &Value, key: &str) -> String {
    match &v[key] {
        Value::String(t) => t.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A BUD as stored: its date, and its time when counted in hours.
fn bud_text(bud: &Value) -> String {
    match bud["time"].as_str() {
        Some(t) => format!("{} {}", s(bud, "date"), &t[..t.len().min(5)]),
        None => s(bud, "date"),
    }
}

/// The stored JSON text `key` of `v`, parsed (`Null` when it cannot be).
pub fn stored_json(v: &Value, key: &str) -> Value {
    v[key]
        .as_str()
        .and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or(Value::Null)
}

/// The reprint of the lot `detail` (the register's lot detail as JSON), printed at
/// `reprinted_at` (UTC).
pub fn reprint(detail: &Value, reprinted_at: &str) -> LotReprint {
    let summary = &detail["summary"];
    let plan = stored_json(detail, "plan_json");
    let record = &plan["record"];
    let lot = s(summary, "lot");
    let notice = format!(
        "REPRINT of the record of lot {lot} as registered {} by {}; reprinted {reprinted_at}. Every figure is the one stored when the lot was registered, not worked out again.",
        s(summary, "created_at"),
        s(summary, "created_by"),
    );
    let status = summary["status"]
        .as_str()
        .unwrap_or_default()
        .replace('_', " ");
    let facts = vec![
        ("Lot".to_string(), lot),
        (
            "Preparation".to_string(),
            format!("{} ({})", s(&plan, "title"), s(summary, "formula_id")),
        ),
        ("Status".to_string(), status),
        (
            "Compounded".to_string(),
            record["compounded_at"]["text"]
                .as_str()
                .map_or_else(|| s(summary, "compounded_on"), str::to_string),
        ),
        (
            "Beyond-use date".to_string(),
            format!(
                "{} ({})",
                record["bud"]["text"]
                    .as_str()
                    .map_or_else(|| bud_text(&summary["bud"]), str::to_string),
                s(&record["bud"], "storage_text")
            ),
        ),
        ("Batch".to_string(), s(&plan["total"], "text")),
        ("Compounded by".to_string(), s(summary, "created_by")),
        (
            "Formula file SHA-256".to_string(),
            s(detail, "formula_sha256"),
        ),
        (
            "Templates SHA-256".to_string(),
            s(detail, "templates_sha256"),
        ),
        ("stscalc".to_string(), s(detail, "stscalc_version")),
    ];
    let quantities = Table {
        headers: vec!["component".into(), "to weigh".into()],
        rows: plan["components"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| vec![s(c, "name"), s(&c["to_weigh"], "text")])
            .collect(),
    };
    let calculations = plan["calculations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c.as_str().map(str::to_string))
        .collect();
    let components = Table {
        headers: vec!["component".into(), "lot".into(), "expiry".into()],
        rows: detail["components"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| vec![s(c, "component_id"), s(c, "lot"), s(c, "expiry")])
            .collect(),
    };
    let mut events_summary = Vec::new();
    let v = &detail["verification"];
    if !v.is_null() {
        let result = stored_json(v, "data_json");
        // Registers written before `lot verify` checked a solution's volumes hold the
        // pharmacist's attestation instead: shown as what it is.
        if result["kind"] == "attestation" {
            events_summary.push(format!(
                "Verified by attestation at {}: {}",
                s(v, "at"),
                s(&result, "statement")
            ));
        } else {
            // An ointment's result is a share of the label; a solution's, of the target.
            let (share, of) = if result["of_label"].is_null() {
                (&result["of_target"], "of the target")
            } else {
                (&result["of_label"], "of label")
            };
            events_summary.push(format!(
                "Verified {} by {} at {}: {} {of}",
                if v["passed"].as_bool() == Some(true) {
                    "PASS"
                } else {
                    "FAIL"
                },
                s(v, "by"),
                s(v, "at"),
                s(share, "text")
            ));
        }
    }
    let r = &detail["release"];
    if !r.is_null() {
        // The register stores the releaser as checker only for a logged-in pharmacist of the
        // web app, who is then the second check (a typed checker is never the releaser).
        let checker = if s(r, "checked_by") == s(r, "by") {
            "who logged in as the second check of the compounder's work".to_string()
        } else {
            format!("checked by {}", s(r, "checked_by"))
        };
        events_summary.push(format!(
            "Released by {}, {checker}, at {}",
            s(r, "by"),
            s(r, "at")
        ));
    }
    let r = &detail["rejection"];
    if !r.is_null() {
        events_summary.push(format!(
            "REJECTED by {} at {}: {}",
            s(r, "by"),
            s(r, "at"),
            s(r, "reason")
        ));
    }
    LotReprint {
        notice,
        facts,
        quantities,
        calculations,
        components,
        events_summary,
        sessions: sessions(&detail["sessions"]),
        events: events(&detail["events"]),
    }
}

/// A session's doses in one line, from the session plan stored: the lesions, the volume
/// and the mass on its basis.
pub fn doses(session: &Value) -> String {
    let plan = stored_json(session, "doses_json");
    let lesions = plan["lesions"].as_array().map_or(0, Vec::len);
    format!(
        "{}, {} ({} {})",
        crate::plan::text::count_text(lesions as u64, "lesion", "lesions"),
        s(&plan["total_volume"], "text"),
        s(&plan, "total_mass_text"),
        s(&plan, "basis")
    )
}

/// The sessions table (patient, date, doses, who, when).
pub fn sessions(rows: &Value) -> Table {
    Table {
        headers: vec![
            "patient id".into(),
            "date".into(),
            "doses".into(),
            "recorded by".into(),
            "at".into(),
        ],
        rows: rows
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                vec![
                    s(r, "patient_id"),
                    s(r, "date"),
                    doses(r),
                    s(r, "by"),
                    s(r, "at"),
                ]
            })
            .collect(),
    }
}

/// The audit events table.
pub fn events(rows: &Value) -> Table {
    Table {
        headers: vec![
            "seq".into(),
            "at".into(),
            "who".into(),
            "what".into(),
            "lot".into(),
            "hash".into(),
        ],
        rows: rows
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                vec![
                    s(e, "seq"),
                    s(e, "at"),
                    s(e, "actor"),
                    s(e, "action"),
                    s(e, "lot"),
                    s(e, "hash"),
                ]
            })
            .collect(),
    }
}

/// The `lot list` table.
pub fn list(rows: &Value) -> Table {
    Table {
        headers: vec![
            "lot".into(),
            "formula".into(),
            "compounded".into(),
            "BUD".into(),
            "status".into(),
            "by".into(),
        ],
        rows: rows
            .as_array()
            .into_iter()
            .flatten()
            .map(|l| {
                vec![
                    s(l, "lot"),
                    s(l, "formula_id"),
                    s(l, "compounded_on"),
                    bud_text(&l["bud"]),
                    l["status"].as_str().unwrap_or_default().replace('_', " "),
                    s(l, "created_by"),
                ]
            })
            .collect(),
    }
}

/// The `recall` answer: one row per lot, then one per session given from it.
pub fn recall(hits: &Value) -> (Table, Table) {
    let mut lots = Vec::new();
    let mut given = Vec::new();
    for h in hits.as_array().into_iter().flatten() {
        let l = &h["lot"];
        lots.push(vec![
            s(l, "lot"),
            s(l, "formula_id"),
            l["status"].as_str().unwrap_or_default().replace('_', " "),
            bud_text(&l["bud"]),
            h["component"]["lot"]
                .as_str()
                .map_or_else(String::new, |c| {
                    format!("{}={c}", s(&h["component"], "component_id"))
                }),
        ]);
        for r in h["sessions"].as_array().into_iter().flatten() {
            given.push(vec![
                s(l, "lot"),
                s(r, "patient_id"),
                s(r, "date"),
                doses(r),
            ]);
        }
    }
    (
        Table {
            headers: vec![
                "lot".into(),
                "formula".into(),
                "status".into(),
                "BUD".into(),
                "component lot".into(),
            ],
            rows: lots,
        },
        Table {
            headers: vec![
                "lot".into(),
                "patient id".into(),
                "session date".into(),
                "doses".into(),
            ],
            rows: given,
        },
    )
}
