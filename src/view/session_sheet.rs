//! The session sheet: one intralesional session as the clinician fills it in, blank or filled
//! from a checked session.

use serde::Serialize;

use super::paper::{Paper, PaperView};
use crate::formula::solution::DosingSpec;
use crate::formula::Entry;
use crate::plan::session::{policy_limits, SessionPlan, POLICY_EXCEEDED};
use crate::quantity::{Mass, Volume};

/// One lesion row of a session sheet; empty fields print as blanks.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LesionRow {
    /// 1-based row number.
    pub number: u32,
    /// Anatomical site.
    pub site: Option<String>,
    /// Size, as measured (e.g. `12 × 8 mm`).
    pub size: Option<String>,
    /// Ulceration (yes / no).
    pub ulceration: Option<String>,
    /// Inflammation (yes / no).
    pub inflammation: Option<String>,
    /// Volume to inject (drawn up: rounded to the syringe's graduation).
    pub volume: Option<Volume>,
    /// The volume asked for, when rounding to the syringe changed it.
    pub asked: Option<Volume>,
    /// Dose of sodium thiosulfate in that volume.
    pub dose: Option<Mass>,
    /// The syringe it is drawn into (the number on its label).
    pub syringe: Option<u32>,
    /// What to watch in this row: a dose below the syringe's minimum share, a dose rounded to
    /// the graduation (the session's warnings about single lesions, flagged where they apply).
    pub flags: Vec<String>,
}

/// A lesion's size as the sheet prints it: as written, its unit with it (the column has none);
/// a size written without a unit (`12`) says so rather than letting the reader guess mm or cm.
fn size_as_written(size: &str) -> String {
    if size.chars().any(char::is_alphabetic) {
        size.to_string()
    } else {
        format!("{size} (unit not given)")
    }
}

/// The limits' sources, each once, and for each limit the number of its source (from 1): the
/// volume and the milligrams of one scope share their reason, printed once under the table.
fn number_sources<'a>(reasons: impl Iterator<Item = &'a String>) -> (Vec<usize>, Vec<String>) {
    let mut sources: Vec<String> = Vec::new();
    let numbers = reasons
        .map(|r| match sources.iter().position(|s| s == r) {
            Some(k) => k + 1,
            None => {
                sources.push(r.clone());
                sources.len()
            }
        })
        .collect();
    (numbers, sources)
}

/// A session's totals.
#[derive(Debug, Clone, Serialize)]
pub struct SessionTotals {
    /// Total volume.
    pub volume: Volume,
    /// Total dose.
    pub dose: Mass,
}

/// One limit the session is checked against, already written for people.
#[derive(Debug, Clone, Serialize)]
pub struct LimitRow {
    /// What is limited, e.g. `Total dose per session`.
    pub what: String,
    /// The limit, e.g. `≤ 3,000 mg`.
    pub limit: String,
    /// The session's value, e.g. `450 mg` (empty on a blank sheet: written in).
    pub value: String,
    /// Whether the value is within the limit (`None` on a blank sheet: ticked by hand).
    pub within: Option<bool>,
    /// The number of its source in the sheet's `limit_sources` (from 1).
    pub source: usize,
}

/// The clinician's session sheet.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SessionSheet {
    /// The paper.
    pub paper: PaperView,
    /// Facility or clinic.
    pub facility: Option<String>,
    /// Patient name.
    pub patient: Option<String>,
    /// Second patient identifier (date of birth or record number).
    pub patient_id: Option<String>,
    /// Prescriber.
    pub prescriber: Option<String>,
    /// Session number in the series.
    pub session: Option<u32>,
    /// Date of the session (YYYY-MM-DD).
    pub date: Option<String>,
    /// The preparation injected, with strength and basis.
    pub preparation: Option<String>,
    /// The basis the doses are stated on (`pentahydrate`), when known.
    pub basis: Option<String>,
    /// The master formula whose dosing policy was checked, as cited.
    pub formula: Option<String>,
    /// The lot of the vial the syringes are drawn from.
    pub lot: Option<String>,
    /// The vial's beyond-use date (never the syringes': see `drawn_up`).
    pub bud: Option<String>,
    /// Where and when the syringes are drawn up and until when they may be given (or their
    /// own BUD when drawn up in ISO 5), with blanks to fill in.
    pub drawn_up: Option<String>,
    /// The lesions (given rows first, then blank rows).
    pub lesions: Vec<LesionRow>,
    /// Whether the lesions' syringes are known (a syringe column is printed).
    pub syringes_known: bool,
    /// The syringes and the solution they need, in one line.
    pub syringes: Option<String>,
    /// The totals, when calculated.
    pub totals: Option<SessionTotals>,
    /// The limits checked (or, on a blank sheet, the formula's limits to check).
    pub limits: Vec<LimitRow>,
    /// Where the limits come from, each once, numbered from 1 in the order of `limits`.
    pub limit_sources: Vec<String>,
    /// The policy statement behind the limits.
    pub policy: Option<String>,
    /// The override: what it overrides and the reason given; printed apart, with the
    /// prescriber's signature.
    pub override_reason: Option<String>,
    /// Whether the override is of a policy maximum the session exceeds.
    pub override_exceeded: bool,
    /// Warnings to show.
    pub warnings: Vec<String>,
    /// The line printed at the top of every page (patient, identifier, session and date, or
    /// blanks to fill in), set by [`SessionSheet::set_page_header`] once those are known.
    pub page_header: String,
}

impl SessionSheet {
    /// Sets the running header from the patient, identifier, session and date: a sheet that runs
    /// over a page names the patient on every page.
    pub fn set_page_header(&mut self) {
        let or = |v: &Option<String>, blank: &str| v.clone().unwrap_or_else(|| blank.to_string());
        self.page_header = format!(
            "Patient: {} — ID: {} — Session {} — Date {}",
            or(&self.patient, "______________________"),
            or(&self.patient_id, "______________"),
            self.session
                .map_or_else(|| "____".to_string(), |n| n.to_string()),
            or(&self.date, "__________"),
        );
    }

    /// The blank sheet's policy: the limits of `entry`'s dosing policy `dosing`, with blanks
    /// for the session's values, its statement, and the formula they come from.
    pub fn with_policy(mut self, entry: &Entry, dosing: &DosingSpec) -> Self {
        let f = &entry.formula;
        let capital = |s: &str| {
            let mut c = s.chars();
            c.next()
                .map(|first| first.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        };
        let limits = policy_limits(dosing, f.strength.basis);
        let (numbers, sources) = number_sources(limits.iter().map(|l| &l.reason));
        self.limits = limits
            .iter()
            .zip(numbers)
            .map(|(l, source)| LimitRow {
                what: capital(&l.what),
                limit: format!("≤ {}", l.limit),
                value: String::new(),
                within: None,
                source,
            })
            .collect();
        self.limit_sources = sources;
        self.policy = Some(dosing.policy.clone());
        self.formula = Some(format!("{}, version {}", f.id, f.version));
        self
    }

    /// A sheet with `rows` blank lesion rows, to fill in by hand.
    pub fn blank(rows: u32, paper: Paper) -> Self {
        SessionSheet {
            paper: PaperView::of(paper),
            lesions: (1..=rows)
                .map(|number| LesionRow {
                    number,
                    ..LesionRow::default()
                })
                .collect(),
            ..SessionSheet::default()
        }
    }

    /// The sheet of a checked session: one row per lesion with its site, size, volume drawn up,
    /// dose and syringe, the totals, every policy maximum with the session's value, the
    /// warnings and any override reason. Patient, date, lot and BUD are the caller's.
    pub fn from_plan(entry: &Entry, plan: &SessionPlan, paper: Paper) -> Self {
        let f = &entry.formula;
        let lesions = plan
            .lesions
            .iter()
            .map(|l| LesionRow {
                number: l.number,
                site: l.site.clone(),
                size: l.size.as_deref().map(size_as_written),
                ulceration: l.ulceration.clone(),
                inflammation: l.inflammation.clone(),
                volume: Some(l.drawn),
                asked: (l.prescribed != l.drawn).then_some(l.prescribed),
                dose: Some(l.mass),
                syringe: Some(l.syringe),
                flags: l
                    .below_min_flag
                    .iter()
                    .cloned()
                    .chain((!l.change_text.is_empty()).then(|| {
                        format!("dose rounded to the syringe graduation, {}", l.change_text)
                    }))
                    .collect(),
            })
            .collect();
        let (numbers, sources) = number_sources(plan.limits.iter().map(|l| &l.reason));
        let n = plan.syringes.len();
        let sizes: Vec<String> = plan
            .syringes
            .iter()
            .map(|s| s.syringe.name.clone())
            .fold(Vec::<(String, usize)>::new(), |mut acc, name| {
                match acc.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, c)) => *c += 1,
                    None => acc.push((name, 1)),
                }
                acc
            })
            .into_iter()
            .map(|(name, c)| format!("{c} × {name}"))
            .collect();
        let capital = |s: &str| {
            let mut c = s.chars();
            c.next()
                .map(|first| first.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        };
        SessionSheet {
            paper: PaperView::of(paper),
            preparation: Some(format!("{} {}", f.active.name, plan.label_strength)),
            basis: Some(plan.basis.to_string()),
            formula: Some(format!(
                "{}, version {}",
                plan.formula.id, plan.formula.version
            )),
            lesions,
            syringes_known: true,
            syringes: Some(format!(
                "{n} syringe{} ({}){}; solution needed with the dead space of syringes and needles ({}): {}{}",
                if n == 1 { "" } else { "s" },
                sizes.join(", "),
                if plan.fill_across {
                    ", filled across lesions"
                } else {
                    ""
                },
                plan.dead_space,
                plan.to_prepare,
                plan.vials_text().map_or_else(String::new, |v| format!(". {v}"))
            )),
            totals: Some(SessionTotals {
                volume: plan.total_volume,
                dose: plan.total_mass,
            }),
            limits: plan
                .limits
                .iter()
                .zip(numbers)
                .map(|(l, source)| LimitRow {
                    what: capital(&l.what),
                    limit: format!("≤ {}", l.limit),
                    value: l.value.clone(),
                    within: Some(!l.exceeded),
                    source,
                })
                .collect(),
            limit_sources: sources,
            policy: Some(plan.policy.clone()),
            override_reason: plan.override_text.clone(),
            override_exceeded: !plan.exceeded.is_empty(),
            // The warnings about single lesions are flagged in their rows; a policy override
            // stands apart with the prescriber's signature.
            warnings: plan
                .warnings
                .iter()
                .filter(|w| !plan.lesion_warnings.contains(w) && !w.starts_with(POLICY_EXCEEDED))
                .cloned()
                .collect(),
            ..SessionSheet::default()
        }
    }
}
