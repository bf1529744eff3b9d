//! The pages of the web app, server-rendered from one template (`templates/web/page.html`) and
//! working without JavaScript: the session check, the batch and its lot, lots and recall, the
//! audit check, the formulas.
//!
//! A page's form is read into the words of the command line (only the keys the page knows, each
//! as `--option=value`, so a value is never read as an option) and run by the same command
//! functions; what a command prints is shown as it prints it. Calculations are GET forms (a
//! check changes nothing, and its address can be printed or kept); every change to the register
//! is a POST form carrying the server's token ([`super::Csrf`]), refused with 403 without it.

use std::sync::Arc;

use axum::extract::{Form, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Serialize;

use super::api::Failure;
use super::{blocking, cli, opt, App};
use crate::cli::{Command, LabelsTarget, SessionArgs};
use crate::commands;
use crate::error::Result;

/// A form's or a query's fields, in order (a key may repeat).
pub type Params = Vec<(String, String)>;

/// The pages' routes.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/", get(home))
        .route("/session", get(session))
        .route("/session/sheet", get(|s, q| sheet(s, q, "html")))
        .route("/session/sheet.pdf", get(|s, q| sheet(s, q, "pdf")))
        .route("/session/labels", get(|s, q| labels(s, q, "html")))
        .route("/session/labels.pdf", get(|s, q| labels(s, q, "pdf")))
        .route("/batch", get(batch))
        .route("/batch/record", get(|s, q| record(s, q, "html")))
        .route("/batch/record.pdf", get(|s, q| record(s, q, "pdf")))
        .route("/batch/issue", post(issue))
        .route("/lots", get(lots))
        .route("/lots/{lot}", get(lot))
        .route(
            "/lots/{lot}/record",
            get(|s, l| lot_print(s, l, "record", "html")),
        )
        .route(
            "/lots/{lot}/record.pdf",
            get(|s, l| lot_print(s, l, "record", "pdf")),
        )
        .route(
            "/lots/{lot}/labels",
            get(|s, l| lot_print(s, l, "labels", "html")),
        )
        .route("/lots/{lot}/{action}", post(lot_action))
        .route("/recall", get(recall))
        .route("/audit", get(audit))
        .route("/formulas", get(formulas))
        .route("/formulas/{id}", get(formula))
}

/// One page: what `templates/web/page.html` shows.
#[derive(Debug, Default, Serialize)]
pub struct Page {
    /// The heading and the window's title.
    pub title: String,
    /// The error of the last request, one line.
    pub error: Option<String>,
    /// The sections, in order.
    pub sections: Vec<Section>,
    /// The token of the POST forms.
    pub csrf: String,
    /// The logged-in user, with accounts.
    pub user: Option<String>,
    /// The user's role.
    pub role: Option<&'static str>,
}

/// A section of a page.
#[derive(Debug, Default, Serialize)]
pub struct Section {
    /// Its anchor.
    pub id: Option<String>,
    /// Its heading.
    pub heading: Option<String>,
    /// A paragraph.
    pub paragraph: Option<String>,
    /// Preformatted text: a command's report as it prints it.
    pub text: Option<String>,
    /// A table.
    pub table: Option<Table>,
    /// Links.
    pub links: Vec<Link>,
    /// A form.
    pub form: Option<FormView>,
}

/// A table of text cells, some of them links.
#[derive(Debug, Default, Serialize)]
pub struct Table {
    /// The column headings.
    pub head: Vec<String>,
    /// The rows.
    pub rows: Vec<Vec<Cell>>,
}

/// A cell of a [`Table`].
#[derive(Debug, Default, Serialize)]
pub struct Cell {
    /// Its text.
    pub text: String,
    /// Where it links to.
    pub href: Option<String>,
}

/// A link.
#[derive(Debug, Serialize)]
pub struct Link {
    /// The address.
    pub href: String,
    /// The text.
    pub label: String,
}

/// A form.
#[derive(Debug, Default, Serialize)]
pub struct FormView {
    /// Where it goes.
    pub action: String,
    /// `get` or `post`.
    pub method: &'static str,
    /// Its fields.
    pub fields: Vec<Field>,
    /// A grid of fields (the lesion table).
    pub grid: Option<Grid>,
    /// The submit button's text.
    pub submit: String,
    /// The number of rows a "More rows" button asks for.
    pub more: Option<usize>,
}

/// A grid of fields, one row per item.
#[derive(Debug, Default, Serialize)]
pub struct Grid {
    /// The column headings.
    pub head: Vec<String>,
    /// The rows.
    pub rows: Vec<Vec<Field>>,
}

/// A form field.
#[derive(Debug, Default, Serialize)]
pub struct Field {
    /// Its name.
    pub name: String,
    /// Its label.
    pub label: String,
    /// `text`, `select`, `textarea`, `checkbox` or `hidden`.
    pub kind: &'static str,
    /// Its value.
    pub value: String,
    /// A select's options.
    pub options: Vec<String>,
}

impl Field {
    pub(crate) fn text(name: &str, label: &str, q: &Params) -> Field {
        Field {
            name: name.into(),
            label: label.into(),
            kind: "text",
            value: param(q, name).unwrap_or_default().into(),
            options: Vec::new(),
        }
    }

    fn select(name: &str, label: &str, q: &Params, options: &[&str]) -> Field {
        Field {
            kind: "select",
            options: options.iter().map(|o| o.to_string()).collect(),
            ..Field::text(name, label, q)
        }
    }

    pub(crate) fn kind(self, kind: &'static str) -> Field {
        Field { kind, ..self }
    }
}

/// The first non-blank value of `key`, trimmed.
pub fn param<'a>(q: &'a Params, key: &str) -> Option<&'a str> {
    q.iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.trim())
        .find(|v| !v.is_empty())
}

/// The command line's words for the keys of `keys` given in `q`: `--key-with-dashes=value`.
fn options(q: &Params, keys: &[&str]) -> Vec<String> {
    keys.iter()
        .filter_map(|k| param(q, k).map(|v| opt(&format!("--{}", k.replace('_', "-")), v)))
        .collect()
}

/// `q` as a query string, for the links that print what the page shows.
fn query(q: &Params) -> String {
    let mut s = String::new();
    for (k, v) in q
        .iter()
        .filter(|(k, v)| k != "csrf" && !v.trim().is_empty())
    {
        if !s.is_empty() {
            s.push('&');
        }
        s.push_str(&encode(k));
        s.push('=');
        s.push_str(&encode(v));
    }
    s
}

/// Percent-encoding of a query's key or value.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Renders a page with `status`.
pub(crate) fn show(app: &App, status: StatusCode, mut page: Page) -> Response {
    match super::current() {
        Some(c) => {
            page.csrf = c.csrf;
            if let Some((user, role)) = c.user {
                page.user = Some(user);
                page.role = Some(role.as_str());
            }
        }
        None => page.csrf = app.csrf.token().to_string(),
    }
    match app.pages.render("web/page.html", &page) {
        Ok(html) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html,
        )
            .into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")).into_response(),
    }
}

/// A printed sheet: HTML, or the PDF printed from it.
fn sheet_response(bytes: Vec<u8>, format: &str) -> Response {
    let kind = if format == "pdf" {
        "application/pdf"
    } else {
        "text/html; charset=utf-8"
    };
    ([(header::CONTENT_TYPE, kind)], bytes).into_response()
}

/// A failure shown as a page of its own.
fn failure_page(app: &App, title: &str, f: Failure) -> Response {
    show(
        app,
        f.status,
        Page {
            title: title.into(),
            error: Some(f.message),
            ..Page::default()
        },
    )
}

/// Runs `f` on the blocking pool.
async fn run(f: impl FnOnce() -> Response + Send + 'static) -> Response {
    blocking(f).await.unwrap_or_else(|r| r)
}

async fn home(State(app): State<Arc<App>>) -> Response {
    let links = [
        ("/session", "Session check: intralesional doses, syringes, limits, the session sheet and syringe labels"),
        ("/batch", "Batch: plan a batch, print its record, issue its lot in the register"),
        ("/lots", "Lots: the register's lots, verification, release by a second person, rejection"),
        ("/recall", "Recall: every lot made with a supplier's component lot, and the sessions given from them"),
        ("/audit", "Audit: the register's audit trail checked"),
        ("/formulas", "Formulas: each master formulation record as written"),
    ];
    let page = Page {
        title: "stscalc".into(),
        sections: vec![Section {
            links: links
                .iter()
                .map(|(h, l)| Link {
                    href: h.to_string(),
                    label: l.to_string(),
                })
                .collect(),
            paragraph: Some("Exact calculations for sodium thiosulfate preparations, as the command line makes them. Every figure comes from stscalc; check it as you would a colleague's.".into()),
            ..Section::default()
        }],
        ..Page::default()
    };
    show(&app, StatusCode::OK, page)
}

// --- the session check ------------------------------------------------------------------------

/// The session options a form may give (the lesion table aside).
const SESSION_KEYS: &[&str] = &[
    "formula",
    "lesions",
    "per_lesion",
    "concentration",
    "basis",
    "vial_residual",
    "override_reason",
    "patient",
    "patient_id",
    "prescriber",
    "facility",
    "session",
    "date",
    "lot",
    "bud",
    "drawn_up",
    "drawn_at",
    "paper",
];

/// The columns of the lesion table, as the lesion file names them.
const LESION_COLUMNS: &[&str] = &["site", "size", "ulceration", "inflammation", "volume"];

/// The most rows the lesion table offers.
const MAX_ROWS: usize = 100;

/// The session's options from the form, as `session --format FORMAT`.
fn session_args(app: &App, q: &Params, format: &str) -> Result<SessionArgs> {
    let mut argv = vec!["session".to_string(), opt("--format", format)];
    argv.extend(session_words(q));
    let Command::Session(args) = cli(app, &argv)?.command else {
        return Err(crate::error::Error::Refused("not a session".into()));
    };
    let mut args = *args;
    args.lesion_table = lesion_table(q);
    Ok(args)
}

/// The words of the session's options.
fn session_words(q: &Params) -> Vec<String> {
    let mut words = options(q, SESSION_KEYS);
    if param(q, "fill_across") == Some("yes") {
        words.push("--fill-across".into());
    }
    words
}

/// The lesion table's filled rows as the text of a lesion file, or none when no row is filled.
fn lesion_table(q: &Params) -> Option<String> {
    let mut csv = LESION_COLUMNS.join(",");
    let mut any = false;
    // The rows that some cell names (`site3`, `volume12`), in order: only these can be filled,
    // so the other rows of the MAX_ROWS are not looked up one cell at a time.
    let mut named: Vec<usize> = q
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .filter_map(|(k, _)| {
            LESION_COLUMNS
                .iter()
                .find_map(|c| k.strip_prefix(c)?.parse::<usize>().ok())
        })
        .filter(|i| (1..=MAX_ROWS).contains(i))
        .collect();
    named.sort_unstable();
    named.dedup();
    for i in named {
        let cells: Vec<&str> = LESION_COLUMNS
            .iter()
            .map(|c| param(q, &format!("{c}{i}")).unwrap_or_default())
            .collect();
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        any = true;
        csv.push('\n');
        let quoted: Vec<String> = cells
            .iter()
            .map(|c| format!("\"{}\"", c.replace(['\r', '\n'], " ").replace('"', "\"\"")))
            .collect();
        csv.push_str(&quoted.join(","));
    }
    any.then_some(csv)
}

async fn session(State(app): State<Arc<App>>, Query(q): Query<Params>) -> Response {
    super::calculate(app, move |app| session_page(app, &q))
        .await
        .unwrap_or_else(|r| r)
}

fn session_page(app: &App, q: &Params) -> Response {
    let rows = param(q, "rows")
        .and_then(|r| r.parse::<usize>().ok())
        .unwrap_or(12)
        .clamp(1, MAX_ROWS);
    // Only the formulas with a dosing policy can be checked (`session` refuses the others, a
    // topical solution among them), the command line's default first so that a form sent
    // without a choice checks what `stscalc session` would.
    let default = crate::cli::DEFAULT_SESSION_FORMULA;
    let mut formulas: Vec<String> = app
        .config
        .catalog
        .entries()
        .filter(|e| e.formula.dosing.is_some())
        .map(|e| e.formula.id.clone())
        .collect();
    formulas.sort_by_key(|id| id != default);
    let mut formula = Field::select("formula", "Formula", q, &[]);
    formula.options = formulas;
    let yes_no = ["", "yes", "no"];
    let grid = Grid {
        head: vec![
            "#".into(),
            "Site".into(),
            "Size".into(),
            "Ulceration".into(),
            "Inflammation".into(),
            "Volume or dose, with its unit (0.2 mL, 30 mg)".into(),
        ],
        rows: (1..=rows)
            .map(|i| {
                let mut row = vec![Field {
                    name: format!("n{i}"),
                    kind: "hidden",
                    value: i.to_string(),
                    ..Field::default()
                }];
                for c in LESION_COLUMNS {
                    let name = format!("{c}{i}");
                    let label = format!("{c} of lesion {i}");
                    row.push(if matches!(*c, "ulceration" | "inflammation") {
                        Field::select(&name, &label, q, &yes_no)
                    } else {
                        Field::text(&name, &label, q)
                    });
                }
                row
            })
            .collect(),
    };
    let form = FormView {
        action: "/session".into(),
        method: "get",
        fields: vec![
            formula,
            Field::text("concentration", "Concentration (default: the formula's)", q),
            Field::text("lesions", "Or: number of lesions", q),
            Field::text("per_lesion", "… each receiving (mL or mg)", q),
            Field::select(
                "fill_across",
                "Fill syringes across lesions",
                q,
                &["", "yes"],
            ),
            Field::text("override_reason", "Override reason (a limit exceeded)", q),
            Field::text("patient", "Patient", q),
            Field::text("patient_id", "Patient identifier", q),
            Field::text("prescriber", "Prescriber", q),
            Field::text("date", "Session date (YYYY-MM-DD)", q),
            Field::text("lot", "Vial lot", q),
            Field::text("bud", "Vial BUD", q),
            Field::select("drawn_up", "Drawn up", q, &["", "immediate-use", "iso5"]),
            Field::text("drawn_at", "Drawn up at (HH:MM)", q),
        ],
        grid: Some(grid),
        submit: "Check the session".into(),
        more: Some((rows + 6).min(MAX_ROWS)),
    };
    let mut page = Page {
        title: "Session check".into(),
        sections: vec![Section {
            paragraph: Some("Enter each lesion in a row of the table (or a number of lesions and the dose each), then check. Rows left blank are ignored.".into()),
            form: Some(form),
            ..Section::default()
        }],
        ..Page::default()
    };
    let mut status = StatusCode::OK;
    if param(q, "go").is_some() {
        let checked = session_args(app, q, "text")
            .and_then(|args| commands::session::report(&app.config.catalog, &args));
        match checked {
            Ok(text) => {
                let qs = query(q);
                let link = |path: &str, label: &str| Link {
                    href: format!("{path}?{qs}"),
                    label: label.into(),
                };
                page.sections.insert(
                    0,
                    Section {
                        id: Some("check".into()),
                        heading: Some("The check".into()),
                        text: Some(crate::request::parse::with_flags(&text)),
                        links: vec![
                            link("/session/sheet", "The session sheet, to print"),
                            link("/session/sheet.pdf", "The session sheet as PDF"),
                            link("/session/labels", "The syringe labels, to print"),
                            link("/session/labels.pdf", "The syringe labels as PDF"),
                        ],
                        ..Section::default()
                    },
                );
            }
            Err(e) => {
                let f = Failure::from(e);
                status = f.status;
                page.error = Some(f.message);
            }
        }
    }
    show(app, status, page)
}

async fn sheet(
    State(app): State<Arc<App>>,
    Query(q): Query<Params>,
    format: &'static str,
) -> Response {
    run(move || {
        let printed = session_args(&app, &q, format).and_then(|args| {
            commands::session::sheet(&app.config.catalog, &args, app.config.templates.as_deref())
        });
        match printed {
            Ok(bytes) => sheet_response(bytes, format),
            Err(e) => failure_page(&app, "Session sheet", e.into()),
        }
    })
    .await
}

async fn labels(
    State(app): State<Arc<App>>,
    Query(q): Query<Params>,
    format: &'static str,
) -> Response {
    run(move || {
        let mut argv = vec![
            "labels".to_string(),
            "session".to_string(),
            opt("--format", format),
        ];
        argv.extend(session_words(&q));
        let printed = cli(&app, &argv).and_then(|c| match c.command {
            Command::Labels(l) => match l.target {
                Some(LabelsTarget::Session(mut s)) => {
                    s.session.lesion_table = lesion_table(&q);
                    commands::labels::session_label_bytes(
                        &app.config.catalog,
                        &s,
                        app.config.templates.as_deref(),
                    )
                }
                _ => Err(crate::error::Error::Refused("not session labels".into())),
            },
            _ => Err(crate::error::Error::Refused("not labels".into())),
        });
        match printed {
            Ok((bytes, _)) => sheet_response(bytes, format),
            Err(e) => failure_page(&app, "Syringe labels", e.into()),
        }
    })
    .await
}

// --- the batch ----------------------------------------------------------------------------------

/// The batch options a form may give (the formula and the component lots aside).
const BATCH_KEYS: &[&str] = &[
    "quantity",
    "containers",
    "strength",
    "overage",
    "stock_form",
    "container",
    "assay",
    "assay_basis",
    "water",
    "readability",
    "repeatability",
    "capacity",
    "lot",
    "date",
    "storage",
    "method",
    "stock",
    "diluent",
    "vials",
    "bud_limit",
];

/// The words of the batch's options: the formula, the options, a `--component` per line.
fn batch_words(q: &Params) -> Vec<String> {
    let mut words = options(q, BATCH_KEYS);
    for line in param(q, "components").unwrap_or_default().lines() {
        if !line.trim().is_empty() {
            words.push(opt("--component", line.trim()));
        }
    }
    words.push("--".into());
    words.push(param(q, "formula").unwrap_or_default().to_string());
    words
}

async fn batch(State(app): State<Arc<App>>, Query(q): Query<Params>) -> Response {
    run(move || batch_page(&app, &q)).await
}

fn batch_page(app: &App, q: &Params) -> Response {
    let mut formula = Field::select("formula", "Formula", q, &[]);
    formula.options = app
        .config
        .catalog
        .entries()
        .map(|e| e.formula.id.clone())
        .collect();
    let mut fields = vec![formula];
    for (k, label) in [
        ("quantity", "Batch size, e.g. 100 g"),
        ("containers", "Or containers, e.g. 4x30g"),
        (
            "vials",
            "Or a solution's vials, one per session, e.g. 4.08mL,4.08mL",
        ),
        ("strength", "Strength (default: the formula's)"),
        ("stock_form", "Stock form"),
        ("assay", "Certificate: assay"),
        ("assay_basis", "Assay basis (as-is or dried)"),
        ("water", "Water / loss on drying"),
        ("readability", "Balance readability"),
        ("capacity", "Balance capacity"),
        ("date", "Compounded at (YYYY-MM-DDTHH:MM)"),
        ("storage", "Storage"),
        (
            "bud_limit",
            "Shorter BUD set by the pharmacist, e.g. 8d (optional)",
        ),
        ("method", "Method (solutions)"),
        ("stock", "Stock product (solutions)"),
    ] {
        fields.push(Field::text(k, label, q));
    }
    fields.push(
        Field::text("components", "Component lots, one a line: ID=LOT@EXPIRY", q).kind("textarea"),
    );
    let mut page = Page {
        title: "Batch".into(),
        sections: vec![Section {
            form: Some(FormView {
                action: "/batch".into(),
                method: "get",
                fields,
                submit: "Plan the batch".into(),
                ..FormView::default()
            }),
            ..Section::default()
        }],
        ..Page::default()
    };
    let mut status = StatusCode::OK;
    if param(q, "go").is_some() {
        let mut argv = vec!["batch".to_string(), opt("--format", "text")];
        argv.extend(batch_words(q));
        match super::api::run(app, &argv) {
            Ok(bytes) => {
                let qs = query(q);
                let mut hidden: Vec<Field> = q
                    .iter()
                    .filter(|(k, v)| {
                        (k == "formula" || k == "components" || BATCH_KEYS.contains(&k.as_str()))
                            && !v.trim().is_empty()
                    })
                    .map(|(k, v)| Field {
                        name: k.clone(),
                        kind: "hidden",
                        value: v.clone(),
                        ..Field::default()
                    })
                    .collect();
                if signed_in().is_none() {
                    hidden.push(Field::text("by", "Compounded by", &Vec::new()));
                }
                page.sections.insert(
                    0,
                    Section {
                        id: Some("plan".into()),
                        heading: Some("The plan".into()),
                        text: Some(String::from_utf8_lossy(&bytes).into_owned()),
                        links: vec![
                            Link {
                                href: format!("/batch/record?{qs}"),
                                label: "The compounding record, to print".into(),
                            },
                            Link {
                                href: format!("/batch/record.pdf?{qs}"),
                                label: "The compounding record as PDF".into(),
                            },
                        ],
                        form: Some(FormView {
                            action: "/batch/issue".into(),
                            method: "post",
                            fields: hidden,
                            submit: "Issue the lot in the register".into(),
                            ..FormView::default()
                        }),
                        ..Section::default()
                    },
                );
            }
            Err(f) => {
                status = f.status;
                page.error = Some(f.message);
            }
        }
    }
    show(app, status, page)
}

async fn record(
    State(app): State<Arc<App>>,
    Query(q): Query<Params>,
    format: &'static str,
) -> Response {
    run(move || {
        let mut argv = vec!["batch".to_string(), opt("--format", format)];
        argv.extend(batch_words(&q));
        match super::api::run(&app, &argv) {
            Ok(bytes) => sheet_response(bytes, format),
            Err(f) => failure_page(&app, "Compounding record", f),
        }
    })
    .await
}

/// Refuses a POST form without the server's token: the 403 answer, or none when the token is
/// there.
pub(crate) fn check_token(app: &App, form: &Params) -> Option<Response> {
    let expected = super::current().map(|c| c.csrf);
    let ok = |t: &str| match &expected {
        Some(e) => super::Csrf(e.clone()).check(t),
        None => app.csrf.check(t),
    };
    match form.iter().find(|(k, _)| k == "csrf") {
        Some((_, t)) if ok(t) => None,
        _ => Some(
            (
                StatusCode::FORBIDDEN,
                "forbidden: the form's token is missing or wrong (reload the page and send it again)\n",
            )
                .into_response(),
        ),
    }
}

async fn issue(State(app): State<Arc<App>>, Form(form): Form<Params>) -> Response {
    run(move || {
        if let Some(r) = check_token(&app, &form) {
            return r;
        }
        let mut argv = vec![
            "lot".to_string(),
            "new".to_string(),
            opt("--format", "json"),
            opt("--by", &by(&form)),
        ];
        argv.extend(batch_words(&form));
        let issued = super::api::run(&app, &argv).and_then(|bytes| {
            let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
            v["record"]["lot"]["number"]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| Failure::from(crate::error::Error::Refused("no lot number".into())))
        });
        match issued {
            Ok(lot) => Redirect::to(&format!("/lots/{}", encode(&lot))).into_response(),
            Err(f) => failure_page(&app, "Issue the lot", f),
        }
    })
    .await
}

// --- lots, recall, audit --------------------------------------------------------------------------

async fn lots(State(app): State<Arc<App>>, Query(q): Query<Params>) -> Response {
    run(move || {
        let mut argv = vec![
            "lot".to_string(),
            "list".to_string(),
            opt("--format", "json"),
        ];
        argv.extend(options(&q, &["formula", "status", "since", "until"]));
        let form = FormView {
            action: "/lots".into(),
            method: "get",
            fields: vec![
                Field::text("formula", "Formula", &q),
                Field::select(
                    "status",
                    "Status",
                    &q,
                    &[
                        "",
                        "in_preparation",
                        "verified_pass",
                        "verified_fail",
                        "released",
                        "rejected",
                    ],
                ),
                Field::text("since", "Since (YYYY-MM-DD)", &q),
                Field::text("until", "Until (YYYY-MM-DD)", &q),
            ],
            submit: "Filter".into(),
            ..FormView::default()
        };
        let mut page = Page {
            title: "Lots".into(),
            sections: vec![Section {
                form: Some(form),
                ..Section::default()
            }],
            ..Page::default()
        };
        match super::api::run(&app, &argv) {
            Ok(bytes) => {
                let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
                page.sections.push(Section {
                    id: Some("lots".into()),
                    table: Some(lot_table(&v)),
                    ..Section::default()
                });
                show(&app, StatusCode::OK, page)
            }
            Err(f) => {
                page.error = Some(f.message);
                show(&app, f.status, page)
            }
        }
    })
    .await
}

/// The lot list (`lot list --format json`) as a table, each lot a link.
fn lot_table(v: &serde_json::Value) -> Table {
    let s = |x: &serde_json::Value| x.as_str().unwrap_or_default().to_string();
    Table {
        head: ["Lot", "Formula", "Status", "Compounded", "BUD", "By"]
            .map(String::from)
            .to_vec(),
        rows: v
            .as_array()
            .map(|a| a.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|l| {
                vec![
                    Cell {
                        text: s(&l["lot"]),
                        href: Some(format!("/lots/{}", encode(&s(&l["lot"])))),
                    },
                    Cell {
                        text: s(&l["formula_id"]),
                        href: None,
                    },
                    Cell {
                        text: s(&l["status"]),
                        href: None,
                    },
                    Cell {
                        text: s(&l["compounded_on"]),
                        href: None,
                    },
                    Cell {
                        text: s(&l["bud"]["date"]),
                        href: None,
                    },
                    Cell {
                        text: s(&l["created_by"]),
                        href: None,
                    },
                ]
            })
            .collect(),
    }
}

async fn lot(State(app): State<Arc<App>>, Path(lot): Path<String>) -> Response {
    run(move || lot_page(&app, &lot, None)).await
}

fn lot_page(app: &App, lot: &str, error: Option<Failure>) -> Response {
    let shown = super::api::run(app, &["lot".into(), "show".into(), "--".into(), lot.into()]);
    let text = match shown {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(f) => return failure_page(app, &format!("Lot {lot}"), f),
    };
    let none = Vec::new();
    let action = |what: &str| format!("/lots/{}/{what}", encode(lot));
    // Each form its own section id, so that its fields' ids (`f-verify-by`, `f-release-by`)
    // are unique on the page and each label names its own field.
    let form = |what: &str, submit: &str, fields: Vec<Field>| Section {
        id: Some(what.to_string()),
        heading: Some(submit.to_string()),
        form: Some(FormView {
            action: action(what),
            method: "post",
            fields,
            submit: submit.into(),
            ..FormView::default()
        }),
        ..Section::default()
    };
    let page = Page {
        title: format!("Lot {lot}"),
        error: error.as_ref().map(|f| f.message.clone()),
        sections: vec![
            Section {
                id: Some("record".into()),
                text: Some(text),
                links: vec![
                    Link {
                        href: action("record"),
                        label: "The record (reprint), to print".into(),
                    },
                    Link {
                        href: action("record.pdf"),
                        label: "The record (reprint) as PDF".into(),
                    },
                    Link {
                        href: action("labels"),
                        label: "The labels, to print".into(),
                    },
                ],
                ..Section::default()
            },
            form(
                "verify",
                "Verify: enter what was measured",
                vec![
                    Field::text("by", "Verified by", &none),
                    Field::text(
                        "actual",
                        "Actual weights or volumes, one a line: ID=QUANTITY (sts=25.1g, sts-250-us=5.4mL)",
                        &none,
                    )
                    .kind("textarea"),
                    Field::text(
                        "final_volume",
                        "A solution from powder: the volume made up to (e.g. 100mL)",
                        &none,
                    ),
                ],
            ),
            form(
                "release",
                "Release (by a second person)",
                vec![
                    Field::text("by", "Released by", &none),
                    Field::text("checked_by", "Checked by", &none),
                ],
            ),
            form(
                "reject",
                "Reject",
                vec![
                    Field::text("by", "Rejected by", &none),
                    Field::text("reason", "Reason", &none),
                ],
            ),
        ],
        ..Page::default()
    };
    let mut page = page;
    if signed_in().is_some() {
        // With accounts the names come from the login, never from the form.
        for s in &mut page.sections {
            if let Some(f) = &mut s.form {
                f.fields
                    .retain(|f| f.name != "by" && f.name != "checked_by");
                if f.action.ends_with("/release") {
                    s.paragraph = Some(
                        "You release it as the second check of the compounder's work: a pharmacist who did not compound this lot."
                            .into(),
                    );
                }
            }
        }
    }
    let status = error.map_or(StatusCode::OK, |f| f.status);
    show(app, status, page)
}

async fn lot_action(
    State(app): State<Arc<App>>,
    Path((lot, action)): Path<(String, String)>,
    Form(form): Form<Params>,
) -> Response {
    run(move || {
        if let Some(r) = check_token(&app, &form) {
            return r;
        }
        let mut argv = vec!["lot".to_string(), action.clone()];
        if let Err(f) = may(&action, &lot) {
            return lot_page(&app, &lot, Some(f));
        }
        match action.as_str() {
            "verify" => {
                argv.push(opt("--by", &by(&form)));
                for line in param(&form, "actual").unwrap_or_default().lines() {
                    if !line.trim().is_empty() {
                        argv.push(opt("--actual", line.trim()));
                    }
                }
                argv.extend(options(&form, &["final_volume"]));
            }
            "release" => match signed_in() {
                Some((user, _)) => return release_signed_in(&app, &lot, &user),
                None => argv.extend(options(&form, &["by", "checked_by"])),
            },
            "reject" => {
                argv.push(opt("--by", &by(&form)));
                argv.extend(options(&form, &["reason"]));
            }
            _ => return StatusCode::NOT_FOUND.into_response(),
        }
        argv.push("--".into());
        argv.push(lot.clone());
        match super::api::run(&app, &argv) {
            Ok(_) => Redirect::to(&format!("/lots/{}", encode(&lot))).into_response(),
            Err(mut f) => {
                // The register's refusals (a second person, a failed verification) are
                // conflicts with the lot's state.
                if f.status == StatusCode::UNPROCESSABLE_ENTITY && f.field.is_none() {
                    f.status = StatusCode::CONFLICT;
                }
                lot_page(&app, &lot, Some(f))
            }
        }
    })
    .await
}

/// The logged-in user and role, with accounts.
fn signed_in() -> Option<(String, crate::register::Role)> {
    super::current().and_then(|c| c.user)
}

/// Who did it: the logged-in user with accounts, else the name typed in the form.
fn by(form: &Params) -> String {
    signed_in().map_or_else(
        || param(form, "by").unwrap_or_default().to_string(),
        |u| u.0,
    )
}

/// With accounts, what a role may do to a lot: a technician issues and verifies (any user
/// verifies, the compounder too: the bench enters what it weighed); releasing and rejecting
/// take a pharmacist. Whether that pharmacist compounded the lot is the register's rule
/// ([`crate::register::Checker::AuthenticatedReleaser`]), refused there.
fn may(action: &str, lot: &str) -> std::result::Result<(), Failure> {
    use crate::register::Role;
    let Some((user, role)) = signed_in() else {
        return Ok(());
    };
    if matches!(action, "release" | "reject") && role != Role::Pharmacist {
        return Err(Failure {
            status: StatusCode::FORBIDDEN,
            message: format!(
                "lot `{lot}`: only a pharmacist may {action} a lot; `{user}` is a technician"
            ),
            field: None,
        });
    }
    Ok(())
}

/// With accounts, a release by the logged-in pharmacist, who is the second check of the
/// compounder's work: the register records them as releaser and checker, and refuses it if
/// they compounded the lot or are not an enabled pharmacist. Two people, each authenticated,
/// rather than three names typed: called directly, since the command line has typed names only.
fn release_signed_in(app: &App, lot: &str, user: &str) -> Response {
    use crate::register::{Checker, Release};
    let released = crate::commands::register::open_existing(app.config.register.as_deref())
        .map_err(Failure::from)
        .and_then(|mut store| {
            store
                .release(&Release {
                    lot: lot.trim().to_string(),
                    by: user.to_string(),
                    checker: Checker::AuthenticatedReleaser,
                })
                .map_err(super::api::register_failure)
        });
    match released {
        Ok(_) => Redirect::to(&format!("/lots/{}", encode(lot))).into_response(),
        Err(f) => lot_page(app, lot, Some(f)),
    }
}

async fn lot_print(
    State(app): State<Arc<App>>,
    Path(lot): Path<String>,
    what: &'static str,
    format: &'static str,
) -> Response {
    run(move || {
        let argv = match what {
            "record" => vec!["lot".into(), "show".into(), opt("--format", format)],
            _ => vec!["lot".into(), "labels".into(), opt("--format", format)],
        };
        let mut argv: Vec<String> = argv;
        argv.push("--".into());
        argv.push(lot.clone());
        match super::api::run(&app, &argv) {
            Ok(bytes) => sheet_response(bytes, format),
            Err(f) => failure_page(&app, &format!("Lot {lot}"), f),
        }
    })
    .await
}

async fn recall(State(app): State<Arc<App>>, Query(q): Query<Params>) -> Response {
    run(move || {
        let mut page = Page {
            title: "Recall".into(),
            sections: vec![Section {
                form: Some(FormView {
                    action: "/recall".into(),
                    method: "get",
                    fields: vec![
                        Field::text("component", "A component lot: ID=LOT (e.g. sts=LOT123)", &q),
                        Field::text("lot", "Or one of our lots", &q),
                    ],
                    submit: "Find".into(),
                    ..FormView::default()
                }),
                ..Section::default()
            }],
            ..Page::default()
        };
        let mut status = StatusCode::OK;
        if param(&q, "component").is_some() || param(&q, "lot").is_some() {
            let mut argv = vec!["recall".to_string()];
            argv.extend(options(&q, &["component", "lot"]));
            match super::api::run(&app, &argv) {
                Ok(bytes) => page.sections.insert(
                    0,
                    Section {
                        id: Some("found".into()),
                        text: Some(String::from_utf8_lossy(&bytes).into_owned()),
                        ..Section::default()
                    },
                ),
                Err(f) => {
                    status = f.status;
                    page.error = Some(f.message);
                }
            }
        }
        show(&app, status, page)
    })
    .await
}

async fn audit(State(app): State<Arc<App>>) -> Response {
    run(move || {
        let mut page = Page {
            title: "Audit".into(),
            ..Page::default()
        };
        let mut status = StatusCode::OK;
        for (heading, argv) in [
            (
                "The audit trail checked",
                vec!["audit".to_string(), "verify".to_string()],
            ),
            ("The events", vec!["audit".to_string()]),
        ] {
            match super::api::run(&app, &argv) {
                Ok(bytes) => page.sections.push(Section {
                    heading: Some(heading.into()),
                    text: Some(String::from_utf8_lossy(&bytes).into_owned()),
                    ..Section::default()
                }),
                Err(f) => {
                    status = f.status;
                    page.error = Some(f.message);
                }
            }
        }
        show(&app, status, page)
    })
    .await
}

// --- formulas -------------------------------------------------------------------------------------

async fn formulas(State(app): State<Arc<App>>) -> Response {
    let rows = app
        .config
        .catalog
        .entries()
        .map(|e| {
            vec![
                Cell {
                    text: e.formula.id.clone(),
                    href: Some(format!("/formulas/{}", encode(&e.formula.id))),
                },
                Cell {
                    text: e.formula.name.clone(),
                    href: None,
                },
                Cell {
                    text: e.origin.to_string(),
                    href: None,
                },
            ]
        })
        .collect();
    let page = Page {
        title: "Formulas".into(),
        sections: vec![Section {
            table: Some(Table {
                head: vec!["Formula".into(), "Name".into(), "From".into()],
                rows,
            }),
            ..Section::default()
        }],
        ..Page::default()
    };
    show(&app, StatusCode::OK, page)
}

async fn formula(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    match app.config.catalog.get(&id) {
        Ok(e) => {
            let page = Page {
                title: e.formula.name.clone(),
                sections: vec![Section {
                    paragraph: Some(format!(
                        "{} ({}), as the pharmacist wrote it:",
                        e.formula.id, e.origin
                    )),
                    text: Some(e.text.clone()),
                    ..Section::default()
                }],
                ..Page::default()
            };
            show(&app, StatusCode::OK, page)
        }
        Err(e) => {
            let mut f = Failure::from(e);
            f.status = StatusCode::NOT_FOUND;
            failure_page(&app, "Formula", f)
        }
    }
}
