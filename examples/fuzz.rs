//! stscalc's own fuzz harness, on the stable toolchain.
//!
//! ```sh
//! cargo run --locked --profile fuzz --example fuzz -- --iterations 10000000 --threads 2
//! cargo run --locked --example fuzz -- --seconds 50      # the short run of .ci/run
//! ```
//!
//! cargo-fuzz (libFuzzer) needs a nightly compiler, so the project runs its own small engine
//! instead: a deterministic mutation fuzzer (xorshift random numbers from `--seed`) that starts
//! from the shipped files (formulas, label stocks, the request examples of
//! `docs/batch-request.md`, lesion lists and the README's command lines) and mutates them with
//! byte flips, deletions, duplications, splices and a dictionary of hostile values (huge and
//! tiny numbers, leap seconds, year 0, control characters). It has no coverage feedback; it
//! makes up for that with volume and with the dictionary, and it needs no extra crate.
//!
//! Targets, each iteration picking one by weight (the cheap parsers get more of the budget):
//! `quantity` (every quantity, number, duration and FTU parser), `date` (the date, time and
//! expiry parsers), `formula` (formula files; one that loads is then used by `show`, `batch`,
//! `session` and `supply` through the CLI), `stock` (label stocks; one that loads is printed
//! on), `request` (request files in TOML and JSON, run by `batch` and `verify`), `csv` (lesion
//! lists, run by `session` and `labels session`) and `cli` (whole command lines through
//! `stscalc::commands::run`, in-process, as `src/main.rs` runs them).
//!
//! Every call runs under `catch_unwind`. A panic is a failure, and so is an error whose message
//! is not one line or a call slower than 5 s. Each failure is printed with its target and its
//! input (escaped); the summary gives the iterations per target. The exit code is 1 if anything
//! failed. The commands' own output and warnings are discarded (the harness runs itself as a
//! child process with them sent to /dev/null); the report goes to standard error. No browser is started: `STSCALC_CHROMIUM` is pointed at a missing
//! file, so a PDF request fails fast with its ordinary error. No command writes a file: command
//! lines with `-o`, `--output` or `templates` are skipped.

use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use clap::{CommandFactory, Parser};

use stscalc::quantity::{Concentration, Mass, Percent, Volume};

/// The shipped files the engine starts from.
const FORMULAS: [(&str, &str); 4] = [
    (
        "sts-150-intralesional",
        include_str!("../formulas/sts-150-intralesional.toml"),
    ),
    (
        "sts-20-petrolatum",
        include_str!("../formulas/sts-20-petrolatum.toml"),
    ),
    (
        "sts-25-petrolatum",
        include_str!("../formulas/sts-25-petrolatum.toml"),
    ),
    (
        "sts-25-zinc-oxide",
        include_str!("../formulas/sts-25-zinc-oxide.toml"),
    ),
];
const STOCKS: [(&str, &str); 4] = [
    ("avery-5160", include_str!("../data/labels/avery-5160.toml")),
    ("avery-5163", include_str!("../data/labels/avery-5163.toml")),
    (
        "avery-l7160",
        include_str!("../data/labels/avery-l7160.toml"),
    ),
    (
        "single-4x2in",
        include_str!("../data/labels/single-4x2in.toml"),
    ),
];
const REQUEST_DOC: &str = include_str!("../docs/batch-request.md");
const README: &str = include_str!("../README.md");

/// Lesion lists in the documented format (header, quoted fields, comments).
const CSV_SEEDS: [&str; 3] = [
    "site,size,volume\n\"left elbow, posterior\",12 x 8 mm,0.2 mL\nright knee,5 mm,0.1mL\n",
    "# visit 2\nvolume,site,ulceration,inflammation\n0.15 mL,left hip,yes,no\n0.3mL,\"right \"\"outer\"\" thigh\",no,yes\n",
    "volume\n0.1 mL\n0.2 mL\n0.25 mL\n",
];

/// Quantities, dates and durations as people type them.
const VALUE_SEEDS: [&str; 24] = [
    "100g",
    "100 g",
    "0.2mL",
    "150 mg/mL",
    "25%",
    "25 % w/w",
    "2.5 % w/v",
    "250 mcg",
    "1.5 kg",
    "0.5 L",
    "4FTU",
    "0.5 ftu",
    "2g",
    "7d",
    "2 weeks",
    "12 weeks",
    "2026-11-21",
    "2026-11-21T09:30",
    "2026-11-21 09:30:15",
    "2027-01",
    "2028-02-29",
    "308 mOsm/L",
    "2.625 in",
    "63.5 mm",
];

/// Hostile values: overflow, underflow, wrapping counts, odd dates, control characters.
const DICTIONARY: &[&str] = &[
    "79228162514264337593543950335",
    "0.0000000000000000000000000001",
    "-79228162514264337593543950335",
    "4294967295",
    "4294967296",
    "65536",
    "18446744073709551616",
    "9223372036854775807",
    "2147483647",
    "1000000000000",
    "999999999999.999999999999",
    "0.000000000001",
    "1e3",
    "1E-5",
    "NaN",
    "inf",
    "-0",
    "-1",
    "0",
    "+5",
    "1.",
    ".5",
    "00000000000000000000000000000001",
    "2026-11-21T23:59:60",
    "0000-01-01",
    "-0001-01-01",
    "+2026-11-21",
    "2199-12-31",
    "9999-12-31",
    "2000-01-01",
    "2026-02-29",
    "24:00",
    "23:59:59.999999999",
    "\n",
    "\r\n",
    "\t",
    "\u{0}",
    "\u{1b}[31m",
    "\u{202e}",
    "é",
    "\"",
    "'",
    "=",
    "[",
    "]",
    "[[components]]",
    "[certificate]",
    "#",
    "'''",
    "{",
    "}",
    ",",
    ":",
    "@",
    "x",
    " ",
    "mg",
    "g",
    "kg",
    "mcg",
    "mL",
    "L",
    "%",
    "% w/v",
    "% w/w",
    "mg/mL",
    "FTU",
    "mm",
    "in",
    "pt",
    "mOsm/L",
    "d",
    "w",
    "months",
    "columns = 65536",
    "rows = 65536",
    "quantity = 100",
    "lot = \"A\\nB\"",
    "1000000000000g",
    "1000000000000kg",
    "1000000000000L",
    "0.000000000001g",
    "0.000000000001mcg",
    "0.000000000001mL",
    "0.000000000001%",
    "99.999999999999%",
    "100%",
    "1000000000000mg/mL",
    "0.000000000001mg/mL",
    "4294967295x1000000000000g",
    "10000d",
];

/// Options with a numeric value, for the mutation that inserts an option with a hostile value.
const VALUE_OPTIONS: &[&str] = &[
    "--quantity",
    "--containers",
    "--assay",
    "--water",
    "--readability",
    "--repeatability",
    "--overage",
    "--strength",
    "--per-lesion",
    "--lesion",
    "--lesions",
    "--sessions",
    "--every",
    "--per-application",
    "--per-day",
    "--days",
    "--months",
    "--measure-step",
    "--vial",
    "--stock-concentration",
    "--copies",
    "--skip",
    "--date",
    "--start",
    "--bud",
    "--actual",
    "--solution-bud",
];

/// Random numbers: xorshift64*, deterministic from the seed.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Applies one to four random mutations to `input`; `others` are spliced from.
fn mutate(rng: &mut Rng, input: &str, others: &[String]) -> String {
    let mut b = input.as_bytes().to_vec();
    for _ in 0..1 + rng.below(4) {
        let len = b.len();
        match rng.below(10) {
            0 if len > 0 => {
                let i = rng.below(len);
                b[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                b[i] = *rng.pick(b"\n\"'=.-+0123456789[],{}:#@ xe%/\\\t\x00\xff");
            }
            2 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below(16.min(len - i));
                b.drain(i..i + n);
            }
            3 | 4 => {
                let i = rng.below(len + 1);
                let word = rng.pick(DICTIONARY).as_bytes();
                b.splice(i..i, word.iter().copied());
            }
            5 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below(64.min(len - i));
                let copy = b[i..i + n].to_vec();
                let at = rng.below(len + 1);
                b.splice(at..at, copy);
            }
            6 => {
                // Replace a run of digits (a number) with a hostile one.
                let digits: Vec<usize> = (0..len).filter(|&i| b[i].is_ascii_digit()).collect();
                if !digits.is_empty() {
                    let start = *rng.pick(&digits);
                    let mut end = start;
                    while end < len && (b[end].is_ascii_digit() || b[end] == b'.') {
                        end += 1;
                    }
                    let word = rng.pick(&DICTIONARY[..23]).as_bytes();
                    b.splice(start..end, word.iter().copied());
                }
            }
            7 if !others.is_empty() => {
                // Splice: this input's head with another's tail.
                let other = rng.pick(others).as_bytes();
                let cut = rng.below(len + 1);
                let from = rng.below(other.len() + 1);
                b.truncate(cut);
                b.extend_from_slice(&other[from..]);
            }
            8 => {
                // Duplicate or drop a whole line.
                let text = String::from_utf8_lossy(&b).to_string();
                let mut lines: Vec<&str> = text.lines().collect();
                if !lines.is_empty() {
                    let i = rng.below(lines.len());
                    if rng.chance(2) {
                        lines.insert(i, lines[i]);
                    } else {
                        lines.remove(i);
                    }
                }
                b = lines.join("\n").into_bytes();
            }
            _ => {
                // Grow: repeat the tail (long values, many rows).
                if len > 0 && len < 4096 {
                    let i = rng.below(len);
                    let tail = b[i..].to_vec();
                    for _ in 0..1 + rng.below(8) {
                        b.extend_from_slice(&tail);
                    }
                }
            }
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

/// The fuzz targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Quantity,
    Date,
    Formula,
    Stock,
    Request,
    Csv,
    Cli,
}

const TARGETS: [Target; 7] = [
    Target::Quantity,
    Target::Date,
    Target::Formula,
    Target::Stock,
    Target::Request,
    Target::Csv,
    Target::Cli,
];

impl Target {
    fn name(self) -> &'static str {
        match self {
            Target::Quantity => "quantity",
            Target::Date => "date",
            Target::Formula => "formula",
            Target::Stock => "stock",
            Target::Request => "request",
            Target::Csv => "csv",
            Target::Cli => "cli",
        }
    }
    /// Share of the iterations, per 1,000. An iteration of a parser takes about 20 µs, one
    /// that runs a command in-process about half a millisecond and a batch from a request file
    /// about five; these shares keep 10^7 iterations near a quarter of an hour on two free
    /// cores while every command-running target gets 10^5 iterations or more.
    fn weight(self) -> usize {
        match self {
            Target::Quantity => 500,
            Target::Date => 300,
            Target::Formula => 25,
            Target::Stock => 25,
            Target::Request => 10,
            Target::Csv => 50,
            Target::Cli => 90,
        }
    }
}

/// Everything one worker thread needs: its folder, the seeds, its random numbers.
struct Worker {
    rng: Rng,
    dir: PathBuf,
    seeds: std::sync::Arc<Seeds>,
}

#[derive(Clone)]
struct Seeds {
    values: Vec<String>,
    formulas: Vec<String>,
    stocks: Vec<String>,
    requests: Vec<String>,
    csv: Vec<String>,
    commands: Vec<Vec<String>>,
    options: Vec<String>,
}

impl Seeds {
    fn load() -> Seeds {
        // Request examples: the fenced toml and json blocks of docs/batch-request.md.
        let mut requests = Vec::new();
        let mut block: Option<String> = None;
        for line in REQUEST_DOC.lines() {
            match (&mut block, line.trim()) {
                (None, l) if l == "```toml" || l == "```json" => block = Some(String::new()),
                (Some(b), "```") => {
                    requests.push(std::mem::take(b));
                    block = None;
                }
                (Some(b), _) => {
                    b.push_str(line);
                    b.push('\n');
                }
                _ => {}
            }
        }
        // Command lines: the README's, with file names pointed at the seed files.
        let mut commands: Vec<Vec<String>> = README
            .lines()
            .map(str::trim)
            .filter_map(|l| l.strip_prefix("stscalc "))
            .map(|l| l.split('#').next().unwrap_or(""))
            .map(split_words)
            .filter(|w| !w.is_empty())
            .collect();
        commands.extend(
            [
                "supply sts-25-petrolatum --per-application 2g --per-day 2 --days 30",
                "session --lesions 3 --per-lesion 0.2mL --sessions 4 --every 7d --start 2026-11-23",
                "session --lesion-file lesions.csv --format json",
                "labels session --lesion-file lesions.csv --date 2026-11-23 --lot STS150I-20261121-01 --bud 2026-11-30 --format html",
                "labels sts-25-zinc-oxide --containers 4x30g --date 2026-11-21 --lot STS25ZO-20261121-01 --label-stock avery-5160 --format html",
                "batch --request batch.toml --format json",
                "verify --request batch.toml",
                "batch sts-150-intralesional --quantity 10mL --diluent sodium-chloride-0.9",
                "session-sheet --patient \"Jane Doe\" --session 2 --date 2026-11-21 --format html",
            ]
            .map(split_words),
        );
        // Every long option of every command, for the CLI mutations.
        let mut options = Vec::new();
        collect_options(&stscalc::cli::Cli::command(), &mut options);
        Seeds {
            values: VALUE_SEEDS.iter().map(|s| s.to_string()).collect(),
            formulas: FORMULAS.iter().map(|(_, t)| t.to_string()).collect(),
            stocks: STOCKS.iter().map(|(_, t)| t.to_string()).collect(),
            requests,
            csv: CSV_SEEDS.iter().map(|s| s.to_string()).collect(),
            commands,
            options,
        }
    }
}

fn collect_options(cmd: &clap::Command, out: &mut Vec<String>) {
    out.push(cmd.get_name().to_string());
    for a in cmd.get_arguments() {
        if let Some(l) = a.get_long() {
            out.push(format!("--{l}"));
        }
        for v in a.get_possible_values() {
            out.push(v.get_name().to_string());
        }
    }
    for s in cmd.get_subcommands() {
        collect_options(s, out);
    }
}

/// Splits a command line into words, honouring double quotes.
fn split_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in line.trim().chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            _ => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// A failure: what broke, on which input.
struct Failure {
    target: &'static str,
    kind: String,
    input: String,
}

thread_local! {
    static PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs `f` for `target` on `input`, turning a panic, a multi-line error or a slow call into a
/// failure.
fn guard<T>(
    target: Target,
    input: &dyn Fn() -> String,
    f: impl FnOnce() -> Result<T, stscalc::Error>,
) -> Result<Option<T>, Failure> {
    let start = Instant::now();
    let result = catch_unwind(AssertUnwindSafe(f));
    let slow = start.elapsed() > Duration::from_secs(5);
    let fail = |kind: String| Failure {
        target: target.name(),
        kind,
        input: input(),
    };
    match result {
        Err(_) => {
            let message = PANIC.with(|p| p.borrow_mut().take()).unwrap_or_default();
            Err(fail(format!("panic: {message}")))
        }
        Ok(_) if slow => Err(fail(format!("slow: {:?}", start.elapsed()))),
        Ok(Err(e)) => {
            let text = e.to_string();
            if text.contains(['\n', '\r']) {
                Err(fail(format!(
                    "error of more than one line: {}",
                    text.escape_debug()
                )))
            } else {
                Ok(None)
            }
        }
        Ok(Ok(v)) => Ok(Some(v)),
    }
}

/// Runs a command line in-process, as `src/main.rs` does. Usage errors (clap) are not failures.
fn run_cli(args: &[String]) -> Result<(), stscalc::Error> {
    let argv = std::iter::once("stscalc".to_string()).chain(args.iter().cloned());
    match stscalc::cli::Cli::try_parse_from(argv) {
        Ok(cli) => stscalc::commands::run(cli),
        Err(_) => Ok(()),
    }
}

/// Command lines that would write files are not run (the engine must not scribble on disk).
fn writes_files(args: &[String]) -> bool {
    args.iter()
        .any(|a| a == "-o" || a.starts_with("--output") || a.starts_with("-o") || a == "templates")
}

impl Worker {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).expect("the fuzz folder is writable");
        p
    }

    fn cli(&self, target: Target, args: Vec<String>) -> Result<(), Failure> {
        if writes_files(&args) {
            return Ok(());
        }
        let shown = args.clone();
        guard(
            target,
            &|| format!("stscalc {}", quote_args(&shown)),
            || run_cli(&args),
        )
        .map(|_| ())
    }

    fn one(&mut self, target: Target) -> Result<(), Failure> {
        let s = std::sync::Arc::clone(&self.seeds);
        match target {
            Target::Quantity => {
                let seed = self.rng_pick(&s.values).to_string();
                let text = mutate(&mut self.rng, &seed, &s.values);
                let t = text.as_str();
                let show = || format!("{t:?}");
                guard(target, &show, || {
                    let _ = stscalc::quantity::parse_field::<Mass>("f", t);
                    let _ = stscalc::quantity::parse_field::<Volume>("f", t);
                    let _ = stscalc::quantity::parse_positive::<Concentration>("f", t);
                    let _ = stscalc::quantity::parse_positive::<Percent>("f", t);
                    let _ = stscalc::quantity::bounded_number(t);
                    let _ = stscalc::days::Days::parse("f", t);
                    let _ = stscalc::formula::solution::Milliosmolar::parse(t);
                    let _ = t.parse::<stscalc::view::labels::Length>();
                    stscalc::request::parse::per_application(t).map(|_| ())
                })?;
            }
            Target::Date => {
                let seed = self.rng_pick(&s.values).to_string();
                let text = mutate(&mut self.rng, &seed, &s.values);
                let t = text.as_str();
                let show = || format!("{t:?}");
                guard(target, &show, || {
                    let _ = stscalc::bud::parse_expiry("f", t, t);
                    let _ = stscalc::bud::CompoundedAt::parse("f", t);
                    stscalc::bud::parse_date("f", t, t).map(|_| ())
                })?;
                // The parsers are the target; a command with the date, now and then, checks
                // that the commands use them.
                if self.rng.chance(64) {
                    let args = ["session-sheet", "--date", t, "--format", "html"];
                    self.cli(target, args.map(String::from).to_vec())?;
                }
            }
            Target::Formula => {
                let i = self.rng.below(FORMULAS.len());
                let (stem, seed) = FORMULAS[i];
                let text = mutate(&mut self.rng, seed, &s.formulas);
                let show = || format!("{stem}.toml: {text:?}");
                let name = format!("{stem}.toml");
                let parsed = guard(target, &show, || {
                    stscalc::formula::Formula::parse(&name, &text)
                })?;
                if parsed.is_some() {
                    let dir = self.path("formulas");
                    let _ = std::fs::remove_dir_all(&dir);
                    std::fs::create_dir_all(&dir).expect("fuzz folder");
                    std::fs::write(dir.join(&name), &text).expect("fuzz folder");
                    let d = dir.display().to_string();
                    let runs: [&[&str]; 6] = [
                        &["show", stem, "--format", "json"],
                        &["batch", stem, "--quantity", "100g"],
                        &[
                            "batch",
                            stem,
                            "--quantity",
                            "10mL",
                            "--diluent",
                            "sodium-chloride-0.9",
                        ],
                        &["batch", stem, "--containers", "4x30g", "--format", "json"],
                        &[
                            "session",
                            "--formula",
                            stem,
                            "--lesions",
                            "3",
                            "--per-lesion",
                            "0.2mL",
                        ],
                        &[
                            "supply",
                            stem,
                            "--per-application",
                            "4FTU",
                            "--per-day",
                            "2",
                            "--days",
                            "30",
                        ],
                    ];
                    let run = self.rng.pick(&runs);
                    let mut args = vec!["--formulas".to_string(), d];
                    args.extend(run.iter().map(|a| a.to_string()));
                    self.cli(target, args)?;
                }
            }
            Target::Stock => {
                let i = self.rng.below(STOCKS.len());
                let (stem, seed) = STOCKS[i];
                let text = mutate(&mut self.rng, seed, &s.stocks);
                let show = || format!("{stem}.toml: {text:?}");
                let name = format!("{stem}.toml");
                let stock = guard(target, &show, || {
                    let stock = stscalc::view::labels::Stock::parse(&name, &text)?;
                    let _ = (stock.per_sheet(), stock.fit());
                    let _ = stscalc::view::labels::StockView::of(&stock);
                    Ok(stock)
                })?;
                if stock.is_some() {
                    let p = self.write(&name, &text).display().to_string();
                    let args = [
                        "labels",
                        "sts-25-zinc-oxide",
                        "--containers",
                        "4x30g",
                        "--date",
                        "2026-11-21",
                        "--lot",
                        "STS25ZO-20261121-01",
                        "--label-stock",
                        &p,
                        "--format",
                        "html",
                    ];
                    self.cli(target, args.map(String::from).to_vec())?;
                }
            }
            Target::Request => {
                let seed = self.rng_pick(&s.requests).to_string();
                let text = mutate(&mut self.rng, &seed, &s.requests);
                let json = text.trim_start().starts_with('{');
                let p = self.write(if json { "r.json" } else { "r.toml" }, &text);
                let show = || format!("{text:?}");
                guard(target, &show, || {
                    stscalc::request::file::read(&p).map(|_| ())
                })?;
                let command = if self.rng.chance(3) {
                    "verify"
                } else {
                    "batch"
                };
                let args = [command, "--request", &p.display().to_string()];
                self.cli(target, args.map(String::from).to_vec())?;
            }
            Target::Csv => {
                let seed = self.rng_pick(&s.csv).to_string();
                let text = mutate(&mut self.rng, &seed, &s.csv);
                let show = || format!("{text:?}");
                let parsed = guard(target, &show, || {
                    stscalc::request::lesion_csv::lesions_from_csv("l.csv", &text)
                })?;
                if parsed.is_some() {
                    let p = self.write("l.csv", &text).display().to_string();
                    let args: Vec<String> = if self.rng.chance(3) {
                        [
                            "labels",
                            "session",
                            "--lesion-file",
                            &p,
                            "--date",
                            "2026-11-23",
                            "--lot",
                            "STS150I-20261121-01",
                            "--bud",
                            "2026-11-30",
                            "--format",
                            "html",
                        ]
                        .map(String::from)
                        .to_vec()
                    } else {
                        ["session", "--lesion-file", &p, "--format", "json"]
                            .map(String::from)
                            .to_vec()
                    };
                    self.cli(target, args)?;
                }
            }
            Target::Cli => {
                let args = self.mutate_args(&s);
                self.cli(target, args)?;
            }
        }
        Ok(())
    }

    fn rng_pick<'a>(&mut self, items: &'a [String]) -> &'a str {
        &items[self.rng.below(items.len())]
    }

    /// A seed command line with one to three changes: a word mutated, a word replaced by an
    /// option name or a hostile value, a word inserted, dropped or duplicated.
    fn mutate_args(&mut self, s: &Seeds) -> Vec<String> {
        let mut args = self.rng.pick(&s.commands).clone();
        for a in args.iter_mut() {
            // File names of the README point at this worker's seed files.
            *a = match a.as_str() {
                "batch.toml" | "visit.csv" | "lesions.csv" | "plan.json" => {
                    self.path(a).display().to_string()
                }
                _ => a.clone(),
            };
        }
        for _ in 0..1 + self.rng.below(3) {
            let len = args.len();
            match self.rng.below(7) {
                0 | 1 if len > 0 => {
                    let i = self.rng.below(len);
                    args[i] = mutate(&mut self.rng, &args[i], &s.values);
                }
                2 if len > 0 => {
                    let i = self.rng.below(len);
                    args[i] = self.rng.pick(DICTIONARY).to_string();
                }
                3 => {
                    let i = self.rng.below(len + 1);
                    let word = if self.rng.chance(2) {
                        self.rng.pick(&s.options).clone()
                    } else {
                        self.rng.pick(&s.values).clone()
                    };
                    args.insert(i, word);
                }
                4 if len > 1 => {
                    args.remove(self.rng.below(len));
                }
                5 if self.rng.chance(2) => {
                    // An option with an extreme value, where the planners may multiply it.
                    let option = self.rng.pick(VALUE_OPTIONS).to_string();
                    let value = self.rng.pick(&DICTIONARY[..23]).to_string();
                    let unit = self.rng.pick(&[
                        "", "g", "mg", "kg", "mcg", "mL", "L", "%", "mg/mL", "d", "w", "FTU",
                    ]);
                    args.push(option);
                    args.push(format!("{value}{unit}"));
                }
                _ if len > 0 => {
                    let i = self.rng.below(len);
                    let w = args[i].clone();
                    args.insert(i, w);
                }
                _ => {}
            }
        }
        args
    }
}

fn quote_args(args: &[String]) -> String {
    args.iter()
        .map(|a| format!("{a:?}"))
        .collect::<Vec<_>>()
        .join(" ")
}

struct Options {
    iterations: Option<u64>,
    seconds: Option<u64>,
    seed: u64,
    threads: usize,
    only: Option<Target>,
}

fn options() -> Options {
    let mut o = Options {
        iterations: None,
        seconds: None,
        seed: 1,
        threads: 1,
        only: None,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    let usage = "usage: fuzz [--iterations N] [--seconds S] [--seed N] [--threads N] [--target quantity|date|formula|stock|request|csv|cli]";
    while let Some(a) = it.next() {
        let mut value = || -> String {
            it.next().cloned().unwrap_or_else(|| {
                eprintln!("{usage}");
                std::process::exit(2)
            })
        };
        let number = |v: String| -> u64 {
            v.replace('_', "").parse().unwrap_or_else(|_| {
                eprintln!("{usage}");
                std::process::exit(2)
            })
        };
        match a.as_str() {
            "--iterations" => o.iterations = Some(number(value())),
            "--seconds" => o.seconds = Some(number(value())),
            "--seed" => o.seed = number(value()),
            "--threads" => o.threads = number(value()).max(1) as usize,
            "--target" => {
                let v = value();
                o.only = Some(*TARGETS.iter().find(|t| t.name() == v).unwrap_or_else(|| {
                    eprintln!("{usage}");
                    std::process::exit(2)
                }));
            }
            _ => {
                eprintln!("{usage}");
                std::process::exit(2)
            }
        }
    }
    if o.iterations.is_none() && o.seconds.is_none() {
        o.iterations = Some(100_000);
    }
    o
}

/// Where the child process writes its report (see [`main`]).
const REPORT_ENV: &str = "STSCALC_FUZZ_REPORT";

/// Writes one line of the report.
fn report(line: &str) {
    use std::io::Write;
    static FILE: Mutex<Option<std::fs::File>> = Mutex::new(None);
    let mut file = FILE.lock().unwrap_or_else(|e| e.into_inner());
    if file.is_none() {
        if let Some(p) = std::env::var_os(REPORT_ENV) {
            *file = std::fs::OpenOptions::new().append(true).open(p).ok();
        }
    }
    match file.as_mut() {
        Some(f) => {
            let _ = writeln!(f, "{line}");
        }
        None => eprintln!("{line}"),
    }
}

/// The commands print their output and warnings as the binary would; the harness runs itself
/// as a child process with both sent to /dev/null, and prints the child's report (written to
/// a file) as it grows, so that one command gives a readable report and the exit code.
fn supervise() -> ! {
    use std::io::{Read, Seek, SeekFrom, Write};
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("report.txt");
    std::fs::write(&path, "").expect("a report file");
    let mut child = std::process::Command::new(std::env::current_exe().expect("own path"))
        .args(std::env::args_os().skip(1))
        .env(REPORT_ENV, &path)
        // Nothing to read: a command that reads standard input (a password) ends at once.
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the fuzz child starts");
    let mut file = std::fs::File::open(&path).expect("the report file");
    let mut offset = 0u64;
    loop {
        let done = child.try_wait().expect("the fuzz child runs");
        let mut new = String::new();
        let _ = file.seek(SeekFrom::Start(offset));
        let _ = file.read_to_string(&mut new);
        offset += new.len() as u64;
        eprint!("{new}");
        let _ = std::io::stderr().flush();
        if let Some(status) = done {
            // A child killed by a signal (a stack overflow, the OOM killer) is a failure too.
            if status.code().is_none() {
                eprintln!("fuzz: the fuzz process died: {status}");
            }
            std::process::exit(status.code().unwrap_or(1));
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn main() {
    let o = options();
    if std::env::var_os(REPORT_ENV).is_none() {
        supervise();
    }
    // No browser: a PDF request fails fast with its ordinary error.
    std::env::set_var(
        stscalc::render::pdf::BROWSER_ENV,
        "/nonexistent/stscalc-fuzz-no-browser",
    );
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        PANIC.with(|p| *p.borrow_mut() = Some(format!("{message}{location}")));
    }));
    let root = tempfile::tempdir().expect("a temporary folder");
    let seeds = Seeds::load();
    // Whatever a fuzzed command writes stays in the temporary folder: relative output paths
    // (a README command's `register backup NAME`) land there, not in the working copy, and a
    // register command without --register opens one there, not the user's own register.
    std::env::set_current_dir(root.path()).expect("the temporary folder");
    std::env::set_var("STSCALC_REGISTER", root.path().join("register.sqlite3"));
    std::env::set_var("XDG_DATA_HOME", root.path());
    let schedule: Vec<Target> = match o.only {
        Some(t) => vec![t],
        None => TARGETS
            .iter()
            .flat_map(|t| std::iter::repeat_n(*t, t.weight()))
            .collect(),
    };
    let counts: Vec<AtomicU64> = TARGETS.iter().map(|_| AtomicU64::new(0)).collect();
    let failures: Mutex<Vec<Failure>> = Mutex::new(Vec::new());
    let stop = AtomicBool::new(false);
    let start = Instant::now();
    let deadline = o.seconds.map(|s| start + Duration::from_secs(s));
    std::thread::scope(|scope| {
        for t in 0..o.threads {
            let dir = root.path().join(format!("t{t}"));
            std::fs::create_dir_all(&dir).expect("fuzz folder");
            let mut w = Worker {
                rng: Rng::new(o.seed.wrapping_add(t as u64 * 7919)),
                dir,
                seeds: std::sync::Arc::new(seeds.clone()),
            };
            // Seed files the README's command lines name.
            w.write("batch.toml", &seeds.requests[0]);
            w.write("lesions.csv", CSV_SEEDS[0]);
            w.write("visit.csv", CSV_SEEDS[1]);
            let share = o
                .iterations
                .map(|n| n / o.threads as u64 + u64::from((t as u64) < n % o.threads as u64));
            let (schedule, counts, failures, stop) = (&schedule, &counts, &failures, &stop);
            scope.spawn(move || {
                let mut i: u64 = 0;
                loop {
                    if share.is_some_and(|n| i >= n) || stop.load(Ordering::Relaxed) {
                        break;
                    }
                    if i % 256 == 0 && deadline.is_some_and(|d| Instant::now() >= d) {
                        break;
                    }
                    let target = schedule[(i as usize) % schedule.len()];
                    if let Err(f) = w.one(target) {
                        report(&format!(
                            "FAIL [{}] {}\n  input: {}",
                            f.target,
                            f.kind,
                            f.input.chars().take(2000).collect::<String>()
                        ));
                        let mut all = failures.lock().unwrap_or_else(|e| e.into_inner());
                        all.push(f);
                        if all.len() >= 50 {
                            stop.store(true, Ordering::Relaxed);
                        }
                    }
                    let k = TARGETS.iter().position(|x| *x == target).unwrap_or(0);
                    counts[k].fetch_add(1, Ordering::Relaxed);
                    i += 1;
                    if t == 0 && i % 1_000_000 == 0 {
                        let total: u64 = counts.iter().map(|c| c.load(Ordering::Relaxed)).sum();
                        report(&format!(
                            "fuzz: {total} iterations, {:.0} s",
                            start.elapsed().as_secs_f64()
                        ));
                    }
                }
            });
        }
    });
    let total: u64 = counts.iter().map(|c| c.load(Ordering::Relaxed)).sum();
    let per: Vec<String> = TARGETS
        .iter()
        .zip(&counts)
        .map(|(t, c)| format!("{} {}", t.name(), c.load(Ordering::Relaxed)))
        .collect();
    let failures = failures.into_inner().unwrap_or_else(|e| e.into_inner());
    let secs = start.elapsed().as_secs_f64();
    report(&format!(
        "fuzz: {total} iterations in {secs:.0} s ({:.0}/s; seed {}, {} thread(s)): {}",
        total as f64 / secs.max(0.001),
        o.seed,
        o.threads,
        per.join(", ")
    ));
    if failures.is_empty() {
        report("fuzz: no panic, no multi-line error, no call slower than 5 s");
    } else {
        report(&format!(
            "fuzz: {} failure(s), listed above",
            failures.len()
        ));
        std::process::exit(1);
    }
}
