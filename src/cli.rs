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

    /// A folder of sheet templates (*.html) used instead of the embedded ones; it must hold the
    /// whole set (`stscalc templates DIR` writes it).
    #[arg(long, global = true, value_name = "DIR")]
    pub templates: Option<PathBuf>,

    /// The batch register (an SQLite file) of `lot`, `recall`, `audit` and `register`
    /// (default: STSCALC_REGISTER, else $XDG_DATA_HOME/stscalc/register.sqlite3); created on
    /// first use.
    #[arg(long, global = true, value_name = "PATH")]
    pub register: Option<PathBuf>,

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

/// Output format for commands that also print sheets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SheetFormat {
    /// A readable table.
    Text,
    /// Stable JSON with the same numbers.
    Json,
    /// A printable HTML sheet (self-contained; print it from a browser).
    Html,
    /// A PDF printed by headless Chromium.
    Pdf,
}

/// Output format for the session sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PrintFormat {
    /// A printable HTML sheet.
    Html,
    /// A PDF printed by headless Chromium.
    Pdf,
    /// The sheet's data as JSON.
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
    /// Calculate a batch: every quantity to weigh (or, for a solution, to measure);
    /// `--format html|pdf` prints the compounding record.
    Batch(Box<BatchArgs>),
    /// Verify a batch from the weights actually measured: strength, pass/fail, correction.
    Verify(Box<VerifyArgs>),
    /// Check an intralesional session: dose per lesion, syringes, solution to prepare; and a
    /// treatment series with `--sessions`; `--format html|pdf` prints the session sheet.
    Session(Box<SessionArgs>),
    /// Work out a topical supply: total to dispense and containers to fill.
    Supply(Box<SupplyArgs>),
    /// Print container labels for a batch on a label stock (`labels session ...`: syringe
    /// labels for an intralesional session).
    Labels(Box<LabelsArgs>),
    /// Print a blank session sheet for intralesional injections, to fill in by hand
    /// (`stscalc session --format html|pdf` prints it filled from a checked session).
    SessionSheet(Box<SessionSheetArgs>),
    /// Write the embedded sheet templates into a folder, to change them and use `--templates`.
    Templates {
        /// An existing folder.
        dir: PathBuf,
        /// Replace templates already in the folder.
        #[arg(long)]
        force: bool,
    },
    /// The batch register: register a batch and its lot number, verify, release, reject,
    /// reprint and list lots, print a lot's labels.
    Lot {
        /// What to do with lots.
        #[command(subcommand)]
        command: LotCommand,
    },
    /// Every lot made with a supplier's component lot (or one of our lots), its status and
    /// BUD, and the sessions given from it.
    Recall(RecallArgs),
    /// The register's audit trail (`audit verify`: recompute its hash chain).
    Audit(AuditArgs),
    /// Back up or check the register.
    Register {
        /// What to do with the register.
        #[command(subcommand)]
        command: RegisterCommand,
    },
    /// The web app's user accounts (stored in the register): add, list, disable.
    User {
        /// What to do with users.
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Serve the web app and its JSON API: the session check, batches, lots and recall, the
    /// formulas, in a browser (on 127.0.0.1:8700 unless `--listen` says otherwise).
    Serve(ServeArgs),
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// Options of `stscalc batch`.
#[derive(Debug, Clone, Args)]
#[command(group = clap::ArgGroup::new("size").multiple(false))]
pub struct BatchArgs {
    /// Formula id, e.g. `sts-25-zinc-oxide` (or `formula` in the --request file).
    #[arg(required_unless_present = "request")]
    pub id: Option<String>,

    /// Batch total, e.g. `100g`; for a solution a volume, e.g. `10mL`.
    #[arg(
        long,
        group = "size",
        allow_hyphen_values = true,
        value_name = "QUANTITY",
        required_unless_present_any = ["containers", "request", "vials"]
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

    /// What the assay is stated on, required with --assay: `dried` (USP certificates: % of
    /// anhydrous Na2S2O3 on the dried basis, with --water) or `as-is` (Ph. Eur. certificates: % of
    /// the pentahydrate as it is).
    #[arg(long, value_name = "BASIS")]
    pub assay_basis: Option<String>,

    /// The lot's water content or loss on drying, for a dried-basis assay, e.g. `35.8%`.
    #[arg(long, allow_hyphen_values = true)]
    pub water: Option<String>,

    /// Balance readability d, e.g. `0.001g` or `1mg` (default `0.001 g`).
    #[arg(long, allow_hyphen_values = true)]
    pub readability: Option<String>,

    /// Measured repeatability standard deviation of the balance, if known.
    #[arg(long, allow_hyphen_values = true)]
    pub repeatability: Option<String>,

    /// Ointments: the balance's capacity, its largest single weighing, e.g. `620g` (default in
    /// data/balance.toml).
    #[arg(long, allow_hyphen_values = true, value_name = "MASS")]
    pub capacity: Option<String>,

    /// Container option of the formula (default: its first).
    #[arg(long)]
    pub container: Option<String>,

    /// Solution: how to make it, `dilution` (default) or `powder`.
    #[arg(long, value_name = "METHOD")]
    pub method: Option<String>,

    /// Solution, dilution: the stock product listed in the formula (default: its first).
    #[arg(long, value_name = "ID")]
    pub stock: Option<String>,

    /// Solution, dilution: a stock not listed in the formula, e.g. `250mg/mL` or `25%w/v`
    /// (with --stock-basis and --vial).
    #[arg(long, allow_hyphen_values = true, value_name = "CONCENTRATION")]
    pub stock_concentration: Option<String>,

    /// Solution, dilution: what --stock-concentration is stated on: `pentahydrate` or `anhydrous`.
    #[arg(long, value_name = "FORM")]
    pub stock_basis: Option<String>,

    /// Solution, dilution: vial volume of the --stock-concentration product, e.g. `50mL`.
    #[arg(long, allow_hyphen_values = true, value_name = "VOLUME")]
    pub vial: Option<String>,

    /// Solution, dilution: the diluent listed in the formula (default: its first).
    #[arg(long, value_name = "ID")]
    pub diluent: Option<String>,

    /// Solution: round measured volumes to this step (default: the formula's), e.g. `0.1mL`.
    #[arg(long, allow_hyphen_values = true, value_name = "VOLUME")]
    pub measure_step: Option<String>,

    /// Solution: what each vial keeps that cannot be drawn up, added per final vial and
    /// counted in each stock vial (default: data/volumes.toml, 0.1 mL), e.g. `0.05mL`.
    #[arg(long, allow_hyphen_values = true, value_name = "VOLUME")]
    pub vial_residual: Option<String>,

    /// Solution: one single-dose vial per volume listed, instead of --quantity, e.g.
    /// `4.1mL,4.1mL` (one vial per session); each is filled with its volume and the residual it
    /// keeps, and labelled.
    #[arg(long, group = "size", value_name = "VOL,VOL,...")]
    pub vials: Option<String>,

    /// Solution from powder: what the sterilizing filter keeps, added to the volume made
    /// (default: data/volumes.toml, 0.1 mL), e.g. `0.05mL`.
    #[arg(long, allow_hyphen_values = true, value_name = "VOLUME")]
    pub filter_hold_up: Option<String>,

    /// Output format (`html` and `pdf`: the compounding record).
    #[arg(long, value_enum, default_value_t = SheetFormat::Text)]
    pub format: SheetFormat,

    /// Paper and facility of printed sheets.
    #[command(flatten)]
    pub print: PrintArgs,

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

/// Options of printed sheets.
#[derive(Debug, Clone, Args)]
pub struct PrintArgs {
    /// Paper size (default letter; labels use their stock's paper).
    #[arg(long, value_enum)]
    pub paper: Option<PaperArg>,

    /// Facility name and contact printed on sheets and labels, e.g. "Hill Pharmacy, 555-0100".
    #[arg(long, value_name = "TEXT")]
    pub facility: Option<String>,
}

/// Options of `stscalc labels`: the batch's options (to know the containers) and the stock; or
/// `stscalc labels session ...` for a session's syringes.
#[derive(Debug, Args)]
#[command(subcommand_negates_reqs = true, args_conflicts_with_subcommands = true)]
// With --plan the batch size comes from the saved plan, like the rest of the record.
#[command(mut_arg("quantity", |a| a.required_unless_present_any(["containers", "request", "plan", "vials"])))]
pub struct LabelsArgs {
    /// The batch, as for `stscalc batch`.
    #[command(flatten)]
    pub batch: BatchArgs,

    /// Label stock, copies, resuming a sheet, outlines.
    #[command(flatten)]
    pub sheet: LabelSheetArgs,

    /// Who the containers are dispensed to, and how to use them.
    #[command(flatten)]
    pub dispensing: DispensingArgs,

    /// The batch's saved plan (JSON of `stscalc batch --format json`): the labels take its batch
    /// size, lot, date, strength, method, stock, storage, component lots and facility; an option
    /// given against it is refused. Without it, --lot and --date (and --method) of the record are required.
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,

    /// `session`: labels for the syringes of an intralesional session instead of a batch.
    #[command(subcommand)]
    pub target: Option<LabelsTarget>,
}

/// The label sheet options of `stscalc labels` and `stscalc labels session`.
#[derive(Debug, Args)]
pub struct LabelSheetArgs {
    /// Label stock: `avery-5163` (containers' default), `syringe-flag-3x2in` (syringes'
    /// default; `avery-l7165` with `--paper a4`), `avery-5160`, `avery-l7160`, `avery-l7165`, `single-4x2in`, or a stock file (`my-stock.toml`, same fields as data/labels/*.toml). (`--stock` is a
    /// solution batch's stock product.)
    #[arg(long, allow_hyphen_values = true, value_name = "STOCK")]
    pub label_stock: Option<String>,

    /// Extra copies of each label, for the record.
    #[arg(
        long,
        default_value = "0",
        allow_hyphen_values = true,
        value_name = "N"
    )]
    pub copies: String,

    /// Label positions already used on the first sheet (to resume a partly used sheet).
    #[arg(
        long,
        default_value = "0",
        allow_hyphen_values = true,
        value_name = "N"
    )]
    pub skip: String,

    /// Draw each label's outline (a test print on plain paper, to check the alignment).
    #[arg(long)]
    pub outline: bool,
}

/// A container label's dispensing part: the patient, the directions, the prescription and
/// the prescriber. Each one not given prints as a blank to write on.
#[derive(Debug, Clone, Default, Args)]
pub struct DispensingArgs {
    /// Patient name, on each container label.
    #[arg(long, allow_hyphen_values = true, value_name = "TEXT")]
    pub patient: Option<String>,

    /// Second patient identifier (date of birth or record number).
    #[arg(long, allow_hyphen_values = true, value_name = "TEXT")]
    pub patient_id: Option<String>,

    /// Directions for use, e.g. `Apply a thick layer once daily to the lesion`.
    #[arg(long, allow_hyphen_values = true, value_name = "TEXT")]
    pub directions: Option<String>,

    /// Prescription number.
    #[arg(long, allow_hyphen_values = true, value_name = "TEXT")]
    pub rx_number: Option<String>,

    /// Prescriber.
    #[arg(long, allow_hyphen_values = true, value_name = "TEXT")]
    pub prescriber: Option<String>,
}

/// What `stscalc labels` labels besides a batch.
#[derive(Debug, Subcommand)]
pub enum LabelsTarget {
    /// One label per syringe of an intralesional session (the options of `stscalc session`).
    Session(Box<SessionLabelsArgs>),
}

/// Options of `stscalc labels session`: the session, as for `stscalc session`, and the stock.
#[derive(Debug, Args)]
pub struct SessionLabelsArgs {
    /// The session, as for `stscalc session`.
    #[command(flatten)]
    pub session: SessionArgs,

    /// Label stock, copies, resuming a sheet, outlines.
    #[command(flatten)]
    pub sheet: LabelSheetArgs,
}

/// What the session sheet and the syringe labels print besides the check: the patient, the
/// session, the lot and BUD of the vial the syringes are drawn from (as their source), and
/// where and when the syringes are drawn up. Blanks to write in when not given.
#[derive(Debug, Clone, Default, Args)]
pub struct SessionSheetOptions {
    /// Patient name.
    #[arg(long, allow_hyphen_values = true, value_name = "TEXT")]
    pub patient: Option<String>,

    /// Second patient identifier: date of birth or record number.
    #[arg(long, allow_hyphen_values = true, value_name = "TEXT")]
    pub patient_id: Option<String>,

    /// Prescriber.
    #[arg(long, allow_hyphen_values = true, value_name = "TEXT")]
    pub prescriber: Option<String>,

    /// Clinic or facility name and contact.
    #[arg(long, allow_hyphen_values = true, value_name = "TEXT")]
    pub facility: Option<String>,

    /// Session number in the series.
    #[arg(long, allow_hyphen_values = true, value_name = "N")]
    pub session: Option<String>,

    /// Date of the session, YYYY-MM-DD.
    #[arg(long, allow_hyphen_values = true)]
    pub date: Option<String>,

    /// Lot of the vial the syringes are drawn from (from its label), printed as their source.
    #[arg(long, allow_hyphen_values = true)]
    pub lot: Option<String>,

    /// Beyond-use date of the vial the syringes are drawn from (from its label), `YYYY-MM-DD`
    /// or `YYYY-MM-DDTHH:MM`, printed as their source (never as the syringes' BUD); refused
    /// when before the session's `--date`.
    #[arg(long, allow_hyphen_values = true, value_name = "DATE")]
    pub bud: Option<String>,

    /// Where the syringes are drawn up: `immediate-use` (the default: at the bedside, given
    /// within 4 hours) or `iso5` (by the pharmacy in an ISO 5 primary engineering control,
    /// with a BUD of its own); the limits are in data/bud-rules.toml. A syringe never carries
    /// the vial's BUD.
    #[arg(long, value_enum, value_name = "WHERE")]
    pub drawn_up: Option<DrawnUpArg>,

    /// Time the syringes are drawn up, `HH:MM` (24-hour) on the session's date: fills in the
    /// time and the deadline (or the ISO 5 BUD) on the labels and the sheet.
    #[arg(long, allow_hyphen_values = true, value_name = "HH:MM")]
    pub drawn_at: Option<String>,

    /// Paper size of the session sheet (default letter; labels use their stock's paper).
    #[arg(long, value_enum)]
    pub paper: Option<PaperArg>,
}

/// Options of `stscalc session-sheet`.
#[derive(Debug, Args)]
pub struct SessionSheetArgs {
    /// The solution formula whose dosing policy the sheet prints (its limits, with blanks for
    /// the session's values).
    #[arg(long, default_value = "sts-150-intralesional", value_name = "ID")]
    pub formula: String,

    /// Patient name (blank line when not given).
    #[arg(long, allow_hyphen_values = true, value_name = "TEXT")]
    pub patient: Option<String>,

    /// Second patient identifier: date of birth or record number.
    #[arg(long, allow_hyphen_values = true, value_name = "TEXT")]
    pub patient_id: Option<String>,

    /// Prescriber.
    #[arg(long, allow_hyphen_values = true, value_name = "TEXT")]
    pub prescriber: Option<String>,

    /// Clinic or facility name and contact.
    #[arg(long, allow_hyphen_values = true, value_name = "TEXT")]
    pub facility: Option<String>,

    /// Session number in the series.
    #[arg(long, allow_hyphen_values = true, value_name = "N")]
    pub session: Option<String>,

    /// Date of the session, YYYY-MM-DD.
    #[arg(long, allow_hyphen_values = true)]
    pub date: Option<String>,

    /// Blank lesion rows.
    #[arg(
        long,
        default_value = "12",
        allow_hyphen_values = true,
        value_name = "N"
    )]
    pub lesions: String,

    /// Paper size (default letter).
    #[arg(long, value_enum)]
    pub paper: Option<PaperArg>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = PrintFormat::Html)]
    pub format: PrintFormat,

    /// Write to this file instead of standard output (atomically; see --force).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Replace the output file if it exists.
    #[arg(long)]
    pub force: bool,
}

/// The formula of `stscalc session` when none is given.
pub const DEFAULT_SESSION_FORMULA: &str = "sts-150-intralesional";

/// Options of `stscalc session`.
#[derive(Debug, Clone, Args)]
pub struct SessionArgs {
    /// A session request file (TOML or JSON) holding the whole request, its keys the long
    /// options with `-` written `_`; see docs/session-request.md. An option also given on the
    /// command line must agree with it.
    #[arg(long, value_name = "FILE")]
    pub request: Option<PathBuf>,

    /// The solution formula whose concentration and dosing policy apply (default:
    /// `sts-150-intralesional`).
    #[arg(long, value_name = "ID")]
    pub formula: Option<String>,

    /// The lesion table of a web form, as the text of a lesion file (`--lesion-file`): not an
    /// option of the command line.
    #[arg(skip)]
    pub lesion_table: Option<String>,

    /// Number of lesions, each receiving --per-lesion.
    #[arg(long, allow_hyphen_values = true, value_name = "N")]
    pub lesions: Option<String>,

    /// Dose per lesion with --lesions: a volume such as `0.2mL`, or a mass such as `30mg`
    /// (on the solution's basis), converted at the concentration the batch makes.
    #[arg(long, allow_hyphen_values = true, value_name = "VOLUME|MASS")]
    pub per_lesion: Option<String>,

    /// One lesion's volume, e.g. `0.1mL`; repeat for each lesion.
    #[arg(long, allow_hyphen_values = true, value_name = "VOLUME")]
    pub lesion: Vec<String>,

    /// A CSV file with a header `site,size,volume` and one lesion per row.
    #[arg(long, value_name = "FILE")]
    pub lesion_file: Option<PathBuf>,

    /// Concentration of the solution (default: the formula's), e.g. `150mg/mL`.
    #[arg(long, allow_hyphen_values = true, value_name = "CONCENTRATION")]
    pub concentration: Option<String>,

    /// What --concentration is stated on (default: the formula's basis).
    #[arg(long, value_name = "FORM")]
    pub basis: Option<String>,

    /// Fill syringes across lesions instead of one syringe per lesion.
    #[arg(long)]
    pub fill_across: bool,

    /// What the solution's vial keeps that cannot be drawn up, added to the batch suggested
    /// (default: data/volumes.toml, 0.1 mL), e.g. `0.05mL`.
    #[arg(long, allow_hyphen_values = true, value_name = "VOLUME")]
    pub vial_residual: Option<String>,

    /// Proceed although a policy maximum is exceeded; the reason is printed with the result.
    #[arg(long, value_name = "TEXT")]
    pub override_reason: Option<String>,

    /// Series: number of sessions.
    #[arg(long, allow_hyphen_values = true, value_name = "N")]
    pub sessions: Option<String>,

    /// Series: interval between sessions, e.g. `7d` or `1w` (default: the formula's).
    #[arg(long, allow_hyphen_values = true, value_name = "DAYS")]
    pub every: Option<String>,

    /// Series: date of the first session, e.g. `2026-11-23`.
    #[arg(long, allow_hyphen_values = true, value_name = "DATE")]
    pub start: Option<String>,

    /// Series: how the solution is made, `dilution` (default) or `powder`; sets the default BUD.
    #[arg(long, value_name = "METHOD")]
    pub method: Option<String>,

    /// Series: the solution's beyond-use date in days, e.g. `4d` (default: the formula's for
    /// the method).
    #[arg(long, allow_hyphen_values = true, value_name = "DAYS")]
    pub solution_bud: Option<String>,

    /// Who, when and what, printed on the session sheet and the syringe labels.
    #[command(flatten)]
    pub sheet: SessionSheetOptions,

    /// Record the session's doses in the batch register against the released lot `--lot`,
    /// for the patient `--patient-id` on `--date` (refused for a lot not released or past its
    /// BUD on that date).
    #[arg(long, requires_all = ["lot", "patient_id", "date", "by"])]
    pub record: bool,

    /// Who records the session (with --record).
    #[arg(long, value_name = "NAME", requires = "record")]
    pub by: Option<String>,

    /// Output format (`html` and `pdf`: the session sheet, filled from the check).
    #[arg(long, value_enum, default_value_t = SheetFormat::Text)]
    pub format: SheetFormat,

    /// Write to this file instead of standard output (atomically; see --force).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Replace the output file if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Options of `stscalc supply`.
#[derive(Debug, Clone, Args)]
#[command(group = clap::ArgGroup::new("course").multiple(false))]
pub struct SupplyArgs {
    /// Formula id of the topical preparation, e.g. `sts-25-petrolatum` (or `formula` in the
    /// --request file).
    pub id: Option<String>,

    /// A supply request file (TOML or JSON) holding the whole request, its keys the long
    /// options with `-` written `_` (`formula` for the id); see docs/session-request.md. An
    /// option also given on the command line must agree with it.
    #[arg(long, value_name = "FILE")]
    pub request: Option<PathBuf>,

    /// Amount per application: a mass (`2g`) or fingertip units (`4FTU`).
    #[arg(long, allow_hyphen_values = true, value_name = "AMOUNT")]
    pub per_application: Option<String>,

    /// Applications per day.
    #[arg(long, allow_hyphen_values = true, value_name = "N")]
    pub per_day: Option<String>,

    /// Length of the course in days.
    #[arg(long, group = "course", allow_hyphen_values = true, value_name = "N")]
    pub days: Option<String>,

    /// Length of the course in months (a month is counted as stated in the output).
    #[arg(long, group = "course", allow_hyphen_values = true, value_name = "N")]
    pub months: Option<String>,

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

/// Options of `stscalc batch` and `stscalc verify` for the batch record: lot, component lots,
/// compounding date, storage and beyond-use date. Kept as text so that bad values are one-line
/// input errors (exit 1).
#[derive(Debug, Clone, Args, Default)]
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

    /// A component's lot and expiry as a scanner reads them from its GS1 barcode:
    /// `ID=STRING` (repeatable), the string as the scanner types it (group separators and a
    /// `]d2` prefix allowed) or in its human-readable form, e.g.
    /// `sts=(01)09506000134352(17)271130(10)L2345A`. It must hold a lot (10) and an expiry (17).
    #[arg(
        long = "component-gs1",
        value_name = "ID=GS1",
        allow_hyphen_values = true
    )]
    pub component_gs1: Vec<String>,

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
    /// date) or `day-zero` (a sterile preparation then counts from the compounding time, so
    /// `--date` must give it).
    #[arg(long, value_name = "CONVENTION")]
    pub bud_count: Option<String>,

    /// A shorter beyond-use limit than the rules give, set by the pharmacist (local policy, or
    /// the BUD a treatment series was planned with): `8d`, `2w`. The BUD is the earliest of
    /// it and the other limits; a longer one is refused.
    #[arg(long, value_name = "DAYS", allow_hyphen_values = true)]
    pub bud_limit: Option<String>,

    /// True when the batch register assigned `lot_sequence` (`lot new`, and a stored lot worked
    /// out again), so the record says how the number was chosen: not an option of the command
    /// line.
    #[arg(skip)]
    pub numbered_by_register: bool,
}

/// Options of `stscalc verify`: the batch request plus the weights actually measured.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The batch request, as for `stscalc batch`.
    #[command(flatten)]
    pub batch: BatchArgs,

    /// A weight actually measured: `ID=MASS` (repeatable, one per component), e.g. `sts=25.5g`;
    /// for a solution the powder weighed (`sts=10.02g`), or the stock and diluent volumes
    /// measured (`sts-250-us=4.2mL`).
    #[arg(
        long = "actual",
        value_name = "ID=QUANTITY",
        allow_hyphen_values = true
    )]
    pub actual: Vec<String>,

    /// An amount added after the first weighings, as a correction was carried out: `ID=MASS`
    /// (repeatable, in the order added), e.g. `zinc-oxide-ointment=2.5g`.
    #[arg(long = "addition", value_name = "ID=MASS", allow_hyphen_values = true)]
    pub addition: Vec<String>,

    /// Solution from powder: the volume it was made up to (the flask's mark), e.g. `100mL`.
    #[arg(long, value_name = "VOLUME")]
    pub final_volume: Option<String>,

    /// The plan being verified (JSON from `stscalc batch --format json`); refused when its
    /// formula, batch size or lot differs from the request.
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
}

/// Paper size for a record or a session sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PaperArg {
    /// US Letter, 8.5 × 11 in.
    Letter,
    /// A4, 210 × 297 mm.
    A4,
}

impl PaperArg {
    /// Reads the name as written on the command line.
    pub fn parse(text: &str) -> Option<PaperArg> {
        <PaperArg as ValueEnum>::from_str(text.trim(), true).ok()
    }

    /// The name as written on the command line (and in label stocks).
    pub fn as_str(self) -> &'static str {
        match self {
            PaperArg::Letter => "letter",
            PaperArg::A4 => "a4",
        }
    }
}

/// Where the syringes of an intralesional session are drawn up (`--drawn-up`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DrawnUpArg {
    /// At the bedside from the vial, outside an ISO 5 primary engineering control: an
    /// immediate-use preparation, given within the time of its rule (USP <797>: 4 hours).
    ImmediateUse,
    /// By the pharmacy in an ISO 5 primary engineering control, as a sterile preparation with
    /// a beyond-use date of its own.
    Iso5,
}

impl DrawnUpArg {
    /// Reads the name as written on the command line.
    pub fn parse(text: &str) -> Option<DrawnUpArg> {
        <DrawnUpArg as ValueEnum>::from_str(text.trim(), false).ok()
    }

    /// The name as written on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            DrawnUpArg::ImmediateUse => "immediate-use",
            DrawnUpArg::Iso5 => "iso5",
        }
    }
}

/// What `stscalc lot` does.
#[derive(Debug, Subcommand)]
pub enum LotCommand {
    /// Register a batch (the options of `batch`): the register assigns the next lot number of
    /// the scheme and keeps the request, plan and formula; prints the record like `batch`.
    New(Box<LotNewArgs>),
    /// Verify a registered batch from the weights measured; stores the weights and the result.
    Verify(Box<LotVerifyArgs>),
    /// Release a verified, passing lot: two different people.
    Release(LotReleaseArgs),
    /// Reject a lot that is not released.
    Reject(LotRejectArgs),
    /// Reprint a lot's record as stored (never recalculated), with its later events.
    Show(LotShowArgs),
    /// List the lots of the register.
    List(LotListArgs),
    /// Container labels of a registered lot, from its stored plan: `NOT RELEASED` on each
    /// label until it is released; none for a rejected lot.
    Labels(Box<LotLabelsArgs>),
}

/// Options of `stscalc lot labels`.
#[derive(Debug, Args)]
pub struct LotLabelsArgs {
    /// The lot number.
    pub lot: String,

    /// Label stock, copies, resuming a sheet, outlines.
    #[command(flatten)]
    pub sheet: LabelSheetArgs,

    /// Who the containers are dispensed to, and how to use them.
    #[command(flatten)]
    pub dispensing: DispensingArgs,

    /// Output format (`text` previews the labels; `html` and `pdf` print them).
    #[arg(long, value_enum, default_value_t = SheetFormat::Text)]
    pub format: SheetFormat,

    /// Write to this file instead of standard output (atomically; see --force).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Replace the output file if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Options of `stscalc lot new`.
#[derive(Debug, Args)]
pub struct LotNewArgs {
    /// The batch, as for `stscalc batch` (`--lot-sequence` is the register's).
    #[command(flatten)]
    pub batch: BatchArgs,

    /// Who compounds the batch.
    #[arg(long, value_name = "NAME")]
    pub by: String,
}

/// Options of `stscalc lot verify`.
#[derive(Debug, Args)]
pub struct LotVerifyArgs {
    /// The lot number.
    pub lot: String,

    /// What was actually measured: `ID=MASS` for an ointment's weights; for a solution the
    /// powder weighed (`sts=10.02g`) or the stock and diluent volumes (`sts-250-us=5.4mL`)
    /// (repeatable, one per component).
    #[arg(
        long = "actual",
        value_name = "ID=QUANTITY",
        allow_hyphen_values = true
    )]
    pub actual: Vec<String>,

    /// An amount added as a correction: `ID=MASS` (repeatable, in the order added).
    #[arg(long = "addition", value_name = "ID=MASS", allow_hyphen_values = true)]
    pub addition: Vec<String>,

    /// A solution made from powder: the volume it was made up to (the flask's mark), e.g.
    /// `100mL`.
    #[arg(long, value_name = "VOLUME")]
    pub final_volume: Option<String>,

    /// Who measured.
    #[arg(long, value_name = "NAME")]
    pub by: String,

    /// Output format (`html` and `pdf`: the compounding record with the weights).
    #[arg(long, value_enum, default_value_t = SheetFormat::Text)]
    pub format: SheetFormat,

    /// Write to this file instead of standard output (atomically; see --force).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Replace the output file if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Options of `stscalc lot release`.
#[derive(Debug, Args)]
pub struct LotReleaseArgs {
    /// The lot number.
    pub lot: String,
    /// Who releases it.
    #[arg(long, value_name = "NAME")]
    pub by: String,
    /// The second person who checked it (not the compounder, not the person releasing).
    #[arg(long, value_name = "NAME")]
    pub checked_by: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Options of `stscalc lot reject`.
#[derive(Debug, Args)]
pub struct LotRejectArgs {
    /// The lot number.
    pub lot: String,
    /// Who rejects it.
    #[arg(long, value_name = "NAME")]
    pub by: String,
    /// Why.
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Options of `stscalc lot show`.
#[derive(Debug, Args)]
pub struct LotShowArgs {
    /// The lot number.
    pub lot: String,
    /// Output format (`html` and `pdf`: the reprint as a printable page).
    #[arg(long, value_enum, default_value_t = SheetFormat::Text)]
    pub format: SheetFormat,
    /// Paper size of the printed reprint (default letter).
    #[arg(long, value_enum)]
    pub paper: Option<PaperArg>,
    /// Write to this file instead of standard output (atomically; see --force).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace the output file if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Options of `stscalc lot list`.
#[derive(Debug, Args)]
pub struct LotListArgs {
    /// Only this formula.
    #[arg(long, value_name = "ID")]
    pub formula: Option<String>,
    /// Only this status: `in_preparation`, `verified_pass`, `verified_fail`, `released`,
    /// `rejected`.
    #[arg(long, value_name = "STATUS")]
    pub status: Option<String>,
    /// Compounded on or after, `YYYY-MM-DD`.
    #[arg(long, allow_hyphen_values = true, value_name = "DATE")]
    pub since: Option<String>,
    /// Compounded on or before, `YYYY-MM-DD`.
    #[arg(long, allow_hyphen_values = true, value_name = "DATE")]
    pub until: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Options of `stscalc recall`.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("what").required(true).multiple(false))]
pub struct RecallArgs {
    /// A supplier's component lot: `ID=LOT`, e.g. `sts=LOT123`.
    #[arg(
        long,
        group = "what",
        value_name = "ID=LOT",
        allow_hyphen_values = true
    )]
    pub component: Option<String>,
    /// One of our lots.
    #[arg(long, group = "what", value_name = "LOT", allow_hyphen_values = true)]
    pub lot: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Options of `stscalc audit`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AuditArgs {
    /// Only the events of this lot.
    #[arg(long, allow_hyphen_values = true)]
    pub lot: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// `verify`: recompute the hash chain.
    #[command(subcommand)]
    pub action: Option<AuditAction>,
}

/// What `stscalc audit` does besides listing.
#[derive(Debug, Subcommand)]
pub enum AuditAction {
    /// Recompute the audit chain; prints its head. Exit 1 naming the first event that differs.
    Verify {
        /// A head printed earlier: the chain must still contain it (detects a truncated tail).
        #[arg(long, value_name = "HASH")]
        head: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

/// A user's role in the web app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UserRole {
    /// Issues and verifies lots, records sessions.
    Technician,
    /// Also releases and rejects lots.
    Pharmacist,
}

/// What `stscalc user` does.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Adds a user. The password is asked on the terminal (not echoed), or read as the first
    /// line of standard input with `--password-stdin`; never given as an argument (it would
    /// show in the process list and the shell's history).
    Add {
        /// The login name: letters, digits, `.`, `_`, `-` (capitals folded).
        name: String,
        /// What the user may do.
        #[arg(long, value_enum)]
        role: UserRole,
        /// Read the password from the first line of standard input (for scripts).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Lists the users, their roles and whether they are disabled.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Disables a user: they can no longer log in (the name stays, the events name it).
    Disable {
        /// The login name.
        name: String,
    },
}

/// What `stscalc register` does.
#[derive(Debug, Subcommand)]
pub enum RegisterCommand {
    /// A consistent copy of the register as a new SQLite file (SQLite's online backup; a
    /// PostgreSQL register is copied event by event and checked).
    Backup {
        /// The new file.
        path: PathBuf,
    },
    /// The database's integrity check, the audit chain, and every row against its event.
    Check {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Every event and lot as JSON Lines (the format `stscalc-register-export`, version 1),
    /// to move a register between SQLite and PostgreSQL; `import` reads it.
    Export {
        /// Write to this file instead of standard output (a new file unless --force).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Replace an existing output file.
        #[arg(long)]
        force: bool,
    },
    /// Loads an export into an empty register: its chain is verified first, everything is
    /// written in one transaction and checked before it is committed.
    Import {
        /// The export file.
        file: PathBuf,
    },
}

impl SessionArgs {
    /// The formula asked for, or [`DEFAULT_SESSION_FORMULA`].
    pub fn formula_id(&self) -> &str {
        self.formula.as_deref().unwrap_or(DEFAULT_SESSION_FORMULA)
    }
}

/// Options of `stscalc serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// The address and port to listen on. A loopback address (127.0.0.1, ::1) may serve one
    /// person's machine without accounts; any other address is refused unless the register
    /// has users (`stscalc user add`), and then every page needs a login.
    #[arg(long, default_value = "127.0.0.1:8700", value_name = "ADDR")]
    pub listen: String,
    /// Serve HTTPS with this PEM certificate chain (with --tls-key).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<std::path::PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<std::path::PathBuf>,
}
