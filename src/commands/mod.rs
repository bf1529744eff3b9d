//! One module per subcommand: each reads its options into a request, calls the pure planners
//! in [`crate::plan`], builds what people read ([`crate::view`]), renders it
//! ([`crate::render`]) and hands the bytes to [`crate::output`], the one writer. [`run`] only
//! loads the catalog and dispatches.
//!
//! Reading options is [`crate::request`]'s job: a command here only wires request, plan, view,
//! render and output.

use std::path::Path;

use crate::cli::{Cli, Command, PaperArg};
use crate::error::Result;
use crate::formula::Catalog;
use crate::view::paper::Paper;

pub mod audit;
pub mod batch;
pub mod completions;
pub mod formulas;
pub mod labels;
pub mod lot;
pub mod recall;
pub mod register;
pub mod session;
pub mod session_sheet;
pub mod supply;
pub mod templates;
pub mod verify;

/// Runs one command. The calculations name the fields they refer to by key; here, at the
/// command line's boundary, errors and every text printed name them as its flags.
pub fn run(cli: Cli) -> Result<()> {
    dispatch(cli).map_err(|e| e.name_fields(crate::request::parse::flag))
}

/// Loads the catalog and runs the subcommand.
fn dispatch(cli: Cli) -> Result<()> {
    let templates: Option<&Path> = cli.templates.as_deref();
    match cli.command {
        Command::Completions { shell } => completions::run(shell),
        Command::Formulas { format } => {
            formulas::list(&Catalog::load(cli.formulas.as_deref())?, format)
        }
        Command::Show { id, format } => {
            formulas::show(&Catalog::load(cli.formulas.as_deref())?, &id, format)
        }
        Command::Batch(args) => {
            batch::run(&Catalog::load(cli.formulas.as_deref())?, *args, templates)
        }
        Command::Verify(args) => {
            verify::run(&Catalog::load(cli.formulas.as_deref())?, *args, templates)
        }
        Command::Session(args) => session::run(
            &Catalog::load(cli.formulas.as_deref())?,
            &args,
            templates,
            cli.register.as_deref(),
        ),
        Command::Supply(args) => supply::run(&Catalog::load(cli.formulas.as_deref())?, &args),
        Command::Labels(args) => {
            labels::run(&Catalog::load(cli.formulas.as_deref())?, &args, templates)
        }
        Command::SessionSheet(args) => {
            session_sheet::run(&Catalog::load(cli.formulas.as_deref())?, &args, templates)
        }
        Command::Templates { dir, force } => templates::run(&dir, force),
        Command::Lot { command } => lot::run(
            &Catalog::load(cli.formulas.as_deref())?,
            cli.register.as_deref(),
            command,
            templates,
        ),
        Command::Recall(args) => recall::run(cli.register.as_deref(), &args),
        Command::Audit(args) => audit::run(cli.register.as_deref(), args),
        Command::Register { command } => register::run(cli.register.as_deref(), command),
        // The web app is a front end of its own, beside this one: [`crate::run`] starts it.
        Command::Serve(_) => Err(crate::error::Error::Refused(
            "`stscalc serve` is started by `stscalc::run`, not by the commands".into(),
        )),
    }
}

/// The paper asked for (`--paper`), letter when none is.
pub(crate) fn paper(arg: Option<PaperArg>) -> Paper {
    match arg {
        Some(PaperArg::A4) => Paper::A4,
        Some(PaperArg::Letter) | None => Paper::Letter,
    }
}

/// The bytes of a printed sheet, its field markers named as flags: the HTML itself, or (with
/// `pdf`) the PDF the browser prints from it.
pub(crate) fn sheet_bytes(html: String, pdf: bool) -> Result<Vec<u8>> {
    crate::render::pdf::bytes(crate::request::parse::with_flags(&html), pdf)
}

/// The bytes of a text or JSON rendering, its field markers named as flags.
pub(crate) fn text_bytes(text: &str) -> Vec<u8> {
    crate::request::parse::with_flags(text).into_bytes()
}

/// Delivers a printed sheet ([`sheet_bytes`]) to the output file or standard output.
pub(crate) fn deliver(html: String, pdf: bool, output: Option<&Path>, force: bool) -> Result<()> {
    crate::output::emit(&sheet_bytes(html, pdf)?, output, force)
}

/// Emits a text or JSON rendering of a plan ([`text_bytes`]).
pub(crate) fn emit(text: &str, output: Option<&Path>, force: bool) -> Result<()> {
    crate::output::emit(&text_bytes(text), output, force)
}
