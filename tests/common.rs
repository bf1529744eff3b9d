//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

use rust_decimal::{Decimal, RoundingStrategy};

/// Exact decimal from a literal string, e.g. `d("158.11")`.
pub fn d(s: &str) -> Decimal {
    Decimal::from_str_exact(s).unwrap()
}

/// The built `stscalc` binary, ready to run: its default register (`XDG_DATA_HOME`) is in a
/// folder of this test run, never the user's own, and `STSCALC_REGISTER` is unset; a test that
/// wants a register names it.
pub fn command() -> Command {
    let data = std::env::temp_dir().join(format!("stscalc-tests-{}", std::process::id()));
    let mut c = Command::new(env!("CARGO_BIN_EXE_stscalc"));
    c.env("XDG_DATA_HOME", data).env_remove("STSCALC_REGISTER");
    c
}

/// Runs the built `stscalc` binary with `args`.
pub fn stscalc(args: &[&str]) -> Output {
    command()
        .args(args)
        .output()
        .expect("the stscalc binary runs")
}

/// Runs `stscalc` and requires success; returns standard output.
pub fn ok(args: &[&str]) -> String {
    let out = stscalc(args);
    assert!(
        out.status.success(),
        "stscalc {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `stscalc`, requires exit code 1 and a one-line error that contains every `needles`.
pub fn fails(args: &[&str], needles: &[&str]) -> String {
    let out = stscalc(args);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(
        out.status.code(),
        Some(1),
        "stscalc {args:?}: expected exit 1, stderr: {err}"
    );
    assert!(
        !err.contains("panicked"),
        "stscalc {args:?} panicked: {err}"
    );
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "stscalc {args:?}: expected one line, got: {err}"
    );
    for n in needles {
        assert!(
            err.contains(n),
            "stscalc {args:?}: expected `{n}` in: {err}"
        );
    }
    err
}

/// Runs `stscalc` with `--format json` appended and parses the output.
pub fn json(args: &[&str]) -> serde_json::Value {
    let mut a = args.to_vec();
    a.extend(["--format", "json"]);
    serde_json::from_str(&ok(&a)).expect("valid JSON")
}

/// The exact decimal in a serialized quantity object (`{"value": "25", ...}`).
pub fn value(q: &serde_json::Value) -> Decimal {
    d(q["value"]
        .as_str()
        .unwrap_or_else(|| panic!("no value in {q}")))
}

/// A fresh temporary folder for a test.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs a `stscalc verify` that must find the batch out of tolerance: the full report still
/// goes to standard output, one line on standard error says it failed, and the exit code is 1.
pub fn verify_failed(args: &[&str]) -> String {
    let out = stscalc(args);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(
        out.status.code(),
        Some(1),
        "stscalc {args:?}: expected exit 1, stderr: {err}"
    );
    assert!(
        err.contains("verification failed"),
        "stscalc {args:?}: {err}"
    );
    assert!(err.contains("do not release"), "stscalc {args:?}: {err}");
    String::from_utf8(out.stdout).unwrap()
}

/// [`verify_failed`] with `--format json`, parsed.
pub fn verify_failed_json(args: &[&str]) -> serde_json::Value {
    let mut a = args.to_vec();
    a.extend(["--format", "json"]);
    serde_json::from_str(&verify_failed(&a)).expect("valid JSON")
}

/// The batch most tests make (`batch`, `verify` and `labels` take it after their name).
pub const ZO_100G: &[&str] = &["sts-25-zinc-oxide", "--quantity", "100g"];

/// The compounding date of the worked examples.
pub const DATE: &[&str] = &["--date", "2026-11-21"];

/// One argument list from parts, so that the common lists are written once:
/// `ok(&args(&[&["batch"], ZO_100G, DATE, &["--format", "json"]]))`.
pub fn args<'a>(parts: &[&[&'a str]]) -> Vec<&'a str> {
    parts.concat()
}

/// The intralesional solution formula of the solution, session and label tests.
pub const F: &str = "sts-150-intralesional";

/// `x` rounded to 2 decimals, halves away from zero.
pub fn round2(x: Decimal) -> Decimal {
    x.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// `x` rounded up to a multiple of `m`.
pub fn up_to(x: Decimal, m: Decimal) -> Decimal {
    (x / m).ceil() * m
}

/// Rounds a volume to the 0.1 mL measuring step, halves away from zero.
pub fn to_step(v: Decimal) -> Decimal {
    (v * d("10")).round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero) / d("10")
}

/// The strength 250 mg/mL stock diluted to `total` mL at 150 mg/mL gives after rounding.
pub fn from_rounded(total: &str) -> Decimal {
    let stock = to_step(d("150") * d(total) / d("250"));
    d("250") * stock / d(total)
}

/// Whether Chromium and poppler are here for the tests that print a record or sheet in a real
/// browser (the failed record, the session sheet's second page); says loudly when not, and
/// fails instead with `STSCALC_REQUIRE_BROWSER` set.
pub fn browser_here() -> bool {
    let chromium = std::env::var_os("STSCALC_CHROMIUM")
        .filter(|p| !p.is_empty())
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::split_paths(&std::env::var_os("PATH")?)
                .flat_map(|d| ["chromium", "chromium-browser", "google-chrome"].map(|n| d.join(n)))
                .find(|p| p.is_file())
        })
        .is_some_and(|p| p.is_file());
    let poppler = Command::new("pdftotext").arg("-v").output().is_ok();
    if chromium && poppler {
        return true;
    }
    let message = "SKIPPED browser regression test: chromium or poppler-utils not installed";
    if std::env::var_os("STSCALC_REQUIRE_BROWSER").is_some() {
        panic!("{message}, and STSCALC_REQUIRE_BROWSER is set");
    }
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "\n!!!!!!!! {message} !!!!!!!!\n");
    false
}

/// The text of each page of a PDF, whitespace collapsed.
pub fn pdf_pages(pdf: &std::path::Path) -> Vec<String> {
    let out = Command::new("pdftotext")
        .args([pdf.to_str().unwrap(), "-"])
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// Keeps page `page` of a printed PDF as `target/sheets/{name}.png`, for a person to look at.
pub fn keep_png(pdf: &std::path::Path, name: &str, page: u32) {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("sheets");
    std::fs::create_dir_all(&dir).unwrap();
    let p = page.to_string();
    let out = Command::new("pdftoppm")
        .args(["-png", "-r", "100", "-f", &p, "-l", &p, "-singlefile"])
        .arg(pdf)
        .arg(dir.join(name))
        .output()
        .unwrap();
    assert!(out.status.success());
}

/// A lesion file with sites, sizes, an ulceration column and one dose that the 1 mL syringe's
/// 0.01 mL graduation rounds.
pub fn lesion_file(dir: &tempfile::TempDir) -> String {
    let path = dir.path().join("visit.csv");
    std::fs::write(
        &path,
        "site,size,volume,ulceration,inflammation\n\
         \"left elbow, posterior\",12 x 8 mm,0.3mL,yes,no\n\
         right knee,5 mm,0.25 mL,No,\n\
         left hand,,0.125mL,,YES\n",
    )
    .unwrap();
    path.to_str().unwrap().to_string()
}

/// The ointment batch of the printed-record tests, up to its `--facility` option.
pub const BATCH: [&str; 4] = ["sts-25-zinc-oxide", "--containers", "4x30g", "--facility"];

/// The compounding record of [`BATCH`] (for Hill Pharmacy) in HTML, with `extra` options.
pub fn record_html(extra: &[&str]) -> String {
    let mut a = vec!["batch"];
    a.extend(BATCH);
    a.push("Hill Pharmacy, 555-0100");
    a.extend(extra);
    a.extend(["--format", "html"]);
    ok(&a)
}
