//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

use rust_decimal::Decimal;

/// Exact decimal from a literal string, e.g. `d("158.11")`.
pub fn d(s: &str) -> Decimal {
    Decimal::from_str_exact(s).unwrap()
}

/// Runs the built `stscalc` binary with `args`.
pub fn stscalc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stscalc"))
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
