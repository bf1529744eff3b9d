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
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// Options of `stscalc batch`.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("size").required(true).multiple(false))]
pub struct BatchArgs {
    /// Formula id, e.g. `sts-25-zinc-oxide`.
    pub id: String,

    /// Batch total, e.g. `100g`.
    #[arg(long, group = "size", allow_hyphen_values = true, value_name = "MASS")]
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
}
