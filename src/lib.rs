//! # stscalc
//!
//! Exact compounding and dosing calculations for sodium thiosulfate (STS) preparations used
//! against calcinosis cutis: batch quantities for pharmacists, per-session doses for clinicians.
//!
//! Data flows one way: formula files and options are validated into a request, a pure planner
//! turns it into a plan (plain `Serialize` data), and a renderer shows the plan. Every quantity
//! is a [`rust_decimal::Decimal`] with a unit; every rounding is explicit and shown.
//!
//! ## Layout and rules
//!
//! [`cli`] (clap only) → [`request`] (the only reader of options and input files; typed
//! requests) → [`plan`] (pure calculation over [`formula`]) → [`view`] (what people read) →
//! [`render`] (text, JSON, HTML, PDF) → [`output`] (the one writer); [`commands`] has one file
//! per subcommand and is the only module that wires them. Below them all, the foundation:
//! [`error`], [`quantity`], [`data`], [`days`], [`substance`], [`bud`], and the GS1 encoders
//! [`gs1`] and [`barcode`], and [`fonts`] (which installed font prints a label's character).
//!
//! Checked by `tests/architecture.rs`, which reads the sources: `plan` and `formula` import no
//! `cli`, `request`, `view`, `render`, `commands`, `register` or `output` and name request
//! fields ([`error::field`]), never command-line flags; `view` imports no
//! `render` or `output`; only `request` and `commands` see `cli`, and only `commands` imports
//! `render` and `output`; only `output` writes (besides the PDF printer's temporary folder and
//! the register's database); no module imports one that imports it back; no function is over
//! 150 lines. The test's `KNOWN` list says what is not there yet.
//!
//! ```
//! use stscalc::formula::Catalog;
//! use stscalc::plan::{ointment, Balance, BatchSize};
//! use stscalc::quantity::{parse_positive, Mass};
//!
//! let catalog = Catalog::load(None).unwrap();
//! let entry = catalog.get("sts-25-zinc-oxide").unwrap();
//! let request = ointment::OintmentRequest {
//!     size: BatchSize::Total { total: parse_positive::<Mass>("--quantity", "100 g").unwrap() },
//!     strength: None,
//!     overage: None,
//!     stock_form: None,
//!     certificate: None,
//!     balance: Balance { readability: parse_positive("--readability", "0.001 g").unwrap(), repeatability: None },
//!     capacity: None,
//!     container: None,
//! };
//! let plan = ointment::plan(entry, &request).unwrap();
//! assert_eq!(plan.components[0].to_weigh.to_string(), "25 g");
//! assert_eq!(plan.components[1].to_weigh.to_string(), "75 g");
//! ```

#![deny(missing_docs)]

pub mod barcode;
pub mod bud;
pub mod cli;
pub mod commands;
pub mod data;
pub mod days;
pub mod error;
pub mod fonts;
pub mod formula;
pub mod gs1;
pub mod output;
pub mod plan;
pub mod quantity;
pub mod register;
pub mod render;
pub mod request;
pub mod substance;
pub mod view;
pub mod web;

pub use error::{Error, Result};

/// Runs the command line: the web app (`stscalc serve`, [`web`]) or one of the [`commands`].
/// The web app calls the commands' functions, so it is started here rather than by them.
pub fn run(cli: cli::Cli) -> error::Result<()> {
    match &cli.command {
        cli::Command::Serve(args) => {
            let args = args.clone();
            web::serve::run(&cli, &args).map_err(|e| e.name_fields(request::parse::flag))
        }
        _ => commands::run(cli),
    }
}
