//! The JSON API: `POST /api/batch`, `/api/session`, `/api/supply` and `/api/verify` take the
//! request documents of `--request` (docs/batch-request.md, docs/session-request.md) and answer
//! with exactly the JSON that `--format json` prints for the same request; `GET
//! /api/lots/{lot}` is `lot show LOT --format json`, `GET /api/recall?component=ID=LOT` is
//! `recall --component ID=LOT --format json`.
//!
//! An error is `{"error": MESSAGE, "field": KEY}`: the one-line message the command line prints
//! (options named as on the command line, since the message is the same) and the request
//! document's key it concerns (`per_day`), or null. Its status: 400 for a document that cannot
//! be read, 404 for an unknown lot, 409 for a register that refuses the change, 422 for a value
//! or a calculation refused; 500 only for a fault of the server.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{blocking, calculate, cli, opt, App};
use crate::cli::Command;
use crate::commands;
use crate::error::{Error, Result};
use crate::request;

/// The name a request body goes by in error messages.
const BODY: &str = "request";

/// `POST /api/batch`.
pub async fn batch(State(app): State<Arc<App>>, body: Bytes) -> Response {
    answer(calculate(app, move |app| plan_batch(app, &body)).await)
}

/// `POST /api/verify`.
pub async fn verify(State(app): State<Arc<App>>, body: Bytes) -> Response {
    answer(calculate(app, move |app| verify_batch(app, &body)).await)
}

/// `POST /api/session`.
pub async fn session(State(app): State<Arc<App>>, body: Bytes) -> Response {
    answer(calculate(app, move |app| check_session(app, &body)).await)
}

/// `POST /api/supply`.
pub async fn supply(State(app): State<Arc<App>>, body: Bytes) -> Response {
    answer(calculate(app, move |app| plan_supply(app, &body)).await)
}

/// `GET /api/lots/{lot}`.
pub async fn lot(State(app): State<Arc<App>>, Path(lot): Path<String>) -> Response {
    answer(blocking(move || show_lot(&app, &lot)).await)
}

/// The query of `GET /api/recall`.
#[derive(Debug, Deserialize)]
pub struct RecallQuery {
    /// `ID=LOT`: a supplier's component lot.
    pub component: Option<String>,
    /// One of our lots.
    pub lot: Option<String>,
}

/// `GET /api/recall?component=ID=LOT` (or `?lot=LOT`).
pub async fn recall(State(app): State<Arc<App>>, Query(q): Query<RecallQuery>) -> Response {
    answer(blocking(move || recall_lots(&app, &q)).await)
}

/// A failure of the API: its status, message and field.
#[derive(Debug)]
pub struct Failure {
    /// The HTTP status.
    pub status: StatusCode,
    /// The one-line message.
    pub message: String,
    /// The request document's key it concerns.
    pub field: Option<String>,
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        // Named as the command line names them: the message is the command line's.
        let e = e.name_fields(request::parse::flag);
        let status = status(&e);
        let field = match &e {
            Error::Input { field, .. } => Some(key(field)),
            _ => None,
        };
        Failure {
            status,
            message: e.to_string(),
            field,
        }
    }
}

/// The status of an error: what the client sent (400, 422) or the server's fault (500).
pub fn status(e: &Error) -> StatusCode {
    match e {
        Error::DataFile { file, .. } if file == BODY => StatusCode::BAD_REQUEST,
        Error::Input { .. } | Error::UnknownFormula { .. } | Error::Refused(_) => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Error::DataFile { .. }
        | Error::FormulaFile { .. }
        | Error::Io { .. }
        | Error::Template { .. }
        | Error::Pdf(_)
        | Error::OutputExists { .. } => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// A field as the request document's key: `--per-day` → `per_day`.
pub fn key(field: &str) -> String {
    field.trim_start_matches("--").replace('-', "_")
}

/// The answer: the JSON bytes, or the failure as JSON.
fn answer(r: std::result::Result<std::result::Result<Vec<u8>, Failure>, Response>) -> Response {
    match r {
        Err(response) => response,
        Ok(Ok(bytes)) => ([(header::CONTENT_TYPE, "application/json")], bytes).into_response(),
        Ok(Err(f)) => {
            let body = serde_json::json!({ "error": f.message, "field": f.field });
            (
                f.status,
                [(header::CONTENT_TYPE, "application/json")],
                format!("{body}\n"),
            )
                .into_response()
        }
    }
}

/// The body as text.
fn text(body: &[u8]) -> Result<&str> {
    std::str::from_utf8(body).map_err(|e| Error::DataFile {
        file: BODY.into(),
        line: None,
        column: None,
        message: format!("not UTF-8 text: {e}"),
    })
}

/// `batch --format json` for a request document.
fn plan_batch(app: &App, body: &[u8]) -> std::result::Result<Vec<u8>, Failure> {
    let file = request::file::parse(BODY, text(body)?, false)?;
    let Command::Batch(args) = cli(app, &batch_argv("batch"))?.command else {
        return Err(bug("batch"));
    };
    let mut args = *args;
    args.record.request = None;
    let extras = request::file::apply(&mut args, file)?;
    let entry = app.config.catalog.get(request::batch::formula_id(&args)?)?;
    let planned = commands::batch::plan(entry, &args, extras.components)?;
    Ok(commands::batch::printed(
        entry,
        &planned,
        &args,
        app.config.templates.as_deref(),
    )?)
}

/// The words of `command --format json` for a request document. `--request` names the body
/// so that the command line's rules take the formula and size from the document; it is never
/// read as a file (the document is merged by [`request::file::apply`], and the name cleared).
fn batch_argv(command: &str) -> Vec<String> {
    vec![
        command.into(),
        opt("--format", "json"),
        opt("--request", BODY),
    ]
}

/// `verify --format json` for a request document: the report, whether the batch passed or not
/// (the command line prints it and then exits 1 when it failed; here `pass` says so).
fn verify_batch(app: &App, body: &[u8]) -> std::result::Result<Vec<u8>, Failure> {
    let file = request::file::parse(BODY, text(body)?, false)?;
    let Command::Verify(args) = cli(app, &batch_argv("verify"))?.command else {
        return Err(bug("verify"));
    };
    let mut batch = args.batch;
    batch.record.request = None;
    let extras = request::file::apply(&mut batch, file)?;
    let entry = app
        .config
        .catalog
        .get(request::batch::formula_id(&batch)?)?;
    commands::verify::refuse_solution(entry)?;
    let v = commands::verify::verification(entry, &batch, extras, &[], &[], None)?;
    Ok(commands::verify::printed(
        entry,
        &v,
        &batch,
        app.config.templates.as_deref(),
    )?)
}

/// `session --format json` for a request document.
fn check_session(app: &App, body: &[u8]) -> std::result::Result<Vec<u8>, Failure> {
    let file = request::file::parse(BODY, text(body)?, false)?;
    let Command::Session(args) = cli(app, &["session".into(), opt("--format", "json")])?.command
    else {
        return Err(bug("session"));
    };
    let mut args = *args;
    request::command_file::apply_session(&mut args, file)?;
    request::sheet::refuse_sheet_options(&args)?;
    let json = commands::session::report(&app.config.catalog, &args)?;
    Ok(commands::text_bytes(&json))
}

/// `supply --format json` for a request document.
fn plan_supply(app: &App, body: &[u8]) -> std::result::Result<Vec<u8>, Failure> {
    let file = request::file::parse(BODY, text(body)?, false)?;
    let Command::Supply(args) = cli(app, &["supply".into(), opt("--format", "json")])?.command
    else {
        return Err(bug("supply"));
    };
    let mut args = *args;
    request::command_file::apply_supply(&mut args, file)?;
    let json = commands::supply::report(&app.config.catalog, &args)?;
    Ok(commands::text_bytes(&json))
}

/// `lot show LOT --format json`: 404 for a lot the register does not hold.
fn show_lot(app: &App, lot: &str) -> std::result::Result<Vec<u8>, Failure> {
    let store = commands::register::open_existing(app.config.register.as_deref())?;
    if let Err(e) = store.lot(lot.trim()) {
        return Err(register_failure(e));
    }
    drop(store);
    run(
        app,
        &[
            "lot".into(),
            "show".into(),
            opt("--format", "json"),
            "--".into(),
            lot.into(),
        ],
    )
}

/// `recall --component ID=LOT --format json` (or `--lot LOT`).
fn recall_lots(app: &App, q: &RecallQuery) -> std::result::Result<Vec<u8>, Failure> {
    let mut argv = vec!["recall".to_string(), opt("--format", "json")];
    match (&q.component, &q.lot) {
        (Some(c), None) => argv.push(opt("--component", c)),
        (None, Some(l)) => argv.push(opt("--lot", l)),
        _ => {
            return Err(Failure {
                status: StatusCode::BAD_REQUEST,
                message: "`component`: expected one of `component=ID=LOT` or `lot=LOT` in the query, found neither or both".into(),
                field: Some("component".into()),
            })
        }
    }
    run(app, &argv)
}

/// Runs a command of the command line and answers with what it printed.
pub(crate) fn run(app: &App, argv: &[String]) -> std::result::Result<Vec<u8>, Failure> {
    let parsed = cli(app, argv)?;
    let (result, out) = crate::output::capture(|| commands::run(parsed));
    result?;
    Ok(out.stdout)
}

/// A register's refusal: 404 for an unknown lot, 409 for a change the lot's state refuses.
pub fn register_failure(e: crate::register::Error) -> Failure {
    use crate::register::Error as R;
    let status = match &e {
        R::UnknownLot(_) => StatusCode::NOT_FOUND,
        R::Input { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        // A user whose role or own work forbids the release: the same 403 as a technician's.
        R::ReleaseOwnLot { .. } | R::NotAPharmacist { .. } => StatusCode::FORBIDDEN,
        R::DuplicateLot(_)
        | R::SchemeFull { .. }
        | R::NotVerified(_)
        | R::VerificationFailed(_)
        | R::Rejected(_)
        | R::AlreadyReleased(_)
        | R::AlreadyVerified(_)
        | R::SamePerson { .. }
        | R::NotReleased { .. } => StatusCode::CONFLICT,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let field = match &e {
        R::Input { field, .. } => Some(key(field)),
        R::UnknownLot(_) => Some("lot".to_string()),
        _ => None,
    };
    Failure {
        status,
        message: crate::error::escape_cut(&e.to_string(), crate::error::MAX_LINE),
        field,
    }
}

/// A command line that did not parse as the command it names: a bug of this module.
fn bug(what: &str) -> Failure {
    Failure {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        message: format!("internal error: `{what}` was not read as itself (please report it)"),
        field: None,
    }
}
