//! Command-line interface (clap derive). Quantities are taken as text and parsed by the library,
//! so a bad quantity is a one-line input error (exit 1), while clap keeps exit 2 for usage errors
//! such as a missing option. Options that take quantities accept a leading `-` so that a negative
//! value reaches the library and gets a clear message instead of "unknown option".

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Exact compounding and dosing calculations for sodium thiosulfate (STS) preparations.
#[derive(Debug, Parser)]
#[command(name = "stscalc", version, about, long_about = None)]
pub struct Cli {
    /// A folder of formula files (*.toml) that add to or override the embedded ones.
    #[arg(long, global = true, value_name = "DIR")]
    pub formulas: Option<PathBuf>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Output format for data commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A readable table.
    Text,
    /// Stable JSON with the same numbers (field names documented in the README).
    Json,
}

/// How `show` prints a formula.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    /// The file exactly as stored, ready to copy and edit.
    Toml,
    /// The parsed record as JSON.
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the available formulas and where each came from.
    Formulas {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Print one formula (master formulation record).
    Show {
        /// Formula id, e.g. `sts-25-zinc-oxide`.
        id: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ShowFormat::Toml)]
        format: ShowFormat,
    },
    /// Calculate a batch: every quantity to weigh.
    Batch(Box<BatchArgs>),
    /// Verify a batch from the weights actually measured: strength, pass/fail, correction.
    Verify(Box<VerifyArgs>),
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// Options of `stscalc batch`.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("size").multiple(false))]
pub struct BatchArgs {
    /// Formula id, e.g. `sts-25-zinc-oxide` (or `formula` in the --request file).
    #[arg(required_unless_present = "request")]
    pub id: Option<String>,

    /// Batch total, e.g. `100g`.
    #[arg(
        long,
        group = "size",
        allow_hyphen_values = true,
        value_name = "MASS",
        required_unless_present_any = ["containers", "request"]
    )]
    pub quantity: Option<String>,

    /// Containers and fill, e.g. `4x30g`.
    #[arg(
        long,
        group = "size",
        allow_hyphen_values = true,
        value_name = "NxMASS"
    )]
    pub containers: Option<String>,

    /// Strength within the formula's range, e.g. `22%` (on the formula's basis).
    #[arg(long, allow_hyphen_values = true)]
    pub strength: Option<String>,

    /// Overage for compounding loss: a percentage (`5%`) or a mass (`2g`).
    #[arg(long, allow_hyphen_values = true)]
    pub overage: Option<String>,

    /// The form on the shelf: `pentahydrate` or `anhydrous` (default: the formula's).
    #[arg(long, value_name = "FORM")]
    pub stock_form: Option<String>,

    /// Assay from the lot's certificate of analysis, e.g. `99.5%`.
    #[arg(long, allow_hyphen_values = true)]
    pub assay: Option<String>,

    /// What the assay is stated on: `as-is` or `dried` (anhydrous/dried basis).
    #[arg(long, default_value = "as-is", value_name = "BASIS")]
    pub assay_basis: String,

    /// The lot's water content or loss on drying, for a dried-basis assay, e.g. `35.8%`.
    #[arg(long, allow_hyphen_values = true)]
    pub water: Option<String>,

    /// Balance readability d, e.g. `0.001g` or `1mg`.
    #[arg(long, default_value = "0.001 g", allow_hyphen_values = true)]
    pub readability: String,

    /// Measured repeatability standard deviation of the balance, if known.
    #[arg(long, allow_hyphen_values = true)]
    pub repeatability: Option<String>,

    /// Container option of the formula (default: its first).
    #[arg(long)]
    pub container: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Write to this file instead of standard output (atomically; see --force).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Replace the output file if it exists.
    #[arg(long)]
    pub force: bool,

    /// Lot, components, date, storage and BUD options.
    #[command(flatten)]
    pub record: RecordArgs,
}

/// Options of `stscalc batch` and `stscalc verify` for the batch record: lot, component lots,
/// compounding date, storage and beyond-use date. Kept as text so that bad values are one-line
/// input errors (exit 1).
#[derive(Debug, Args, Default)]
pub struct RecordArgs {
    /// A batch request file (TOML or JSON) holding the whole request; see docs/batch-request.md.
    /// An option also given on the command line must agree with it.
    #[arg(long, value_name = "FILE")]
    pub request: Option<PathBuf>,

    /// Internal lot number (default: generated as PREFIX-YYYYMMDD-NN).
    #[arg(long, allow_hyphen_values = true)]
    pub lot: Option<String>,

    /// This batch's sequence number on the day, for a generated lot number (1 to 99; default 1).
    #[arg(long, allow_hyphen_values = true, value_name = "N")]
    pub lot_sequence: Option<String>,

    /// A component's lot and expiry: `ID=LOT@YYYY-MM-DD` or `ID=LOT@YYYY-MM`, optionally
    /// `@MANUFACTURER` (repeatable), e.g. `sts=LOT123@2027-05-31`.
    #[arg(
        long = "component",
        value_name = "ID=LOT@EXPIRY",
        allow_hyphen_values = true
    )]
    pub components: Vec<String>,

    /// Compounding date, or date and time: `2026-11-21` or `2026-11-21T09:30` (default: now).
    #[arg(
        long,
        visible_alias = "compounded-at",
        value_name = "DATE",
        allow_hyphen_values = true
    )]
    pub date: Option<String>,

    /// Storage: `room`, `refrigerator` or `freezer` (default: the formula's).
    #[arg(long)]
    pub storage: Option<String>,

    /// BUD day counting: `day-one` (the compounding day is day 1; the default, the earlier
    /// date) or `day-zero`.
    #[arg(long, value_name = "CONVENTION")]
    pub bud_count: Option<String>,

    /// Preparation method, for a formula whose BUD depends on how it is made.
    #[arg(long)]
    pub method: Option<String>,
}

/// Options of `stscalc verify`: the batch request plus the weights actually measured.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The batch request, as for `stscalc batch`.
    #[command(flatten)]
    pub batch: BatchArgs,

    /// A weight actually measured: `ID=MASS` (repeatable, one per component), e.g. `sts=25.5g`.
    #[arg(long = "actual", value_name = "ID=MASS", allow_hyphen_values = true)]
    pub actual: Vec<String>,

    /// The plan being verified (JSON from `stscalc batch --format json`); refused when its
    /// formula, batch size or lot differs from the request.
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
}
