//! Snapshots of every output format of every command (the `insta` crate), so that a change to
//! any output is seen in review; they add to, never replace, the hand-worked assertions.
//!
//! Each test runs one command in each of its formats with a fixed `--date` (with a time where
//! the output would read the clock) and `--lot` where one is printed, so that the output is the
//! same on every run. No PDF (browser bytes) and no `templates` (temporary paths). The
//! snapshots are in `tests/snapshots/`; review a change with `cargo insta review`, or
//! regenerate with `INSTA_UPDATE=always cargo test --locked outputs` and read the diff. With
//! `CI=true` a difference fails the test.

use crate::common::{args, ok, stscalc, DATE, ZO_100G};

/// The compounding date and time of the snapshot batches: without a time the record would
/// read the clock for it.
const DATE_TIME: &[&str] = &["--date", "2026-11-21T09:30"];

/// Snapshots `stscalc {cmd_args} --format {fmt}` for each format as `{name}_{fmt}`.
fn snapshot_formats(name: &str, cmd_args: &[&str], formats: &[&str]) {
    for fmt in formats {
        let out = ok(&args(&[cmd_args, &["--format", fmt]]));
        insta::assert_snapshot!(format!("{name}_{fmt}"), out);
    }
}

/// Snapshots a command whose report goes to standard output while it exits 1 (a failed
/// verification): the report is what the pharmacist reads.
fn snapshot_failing_formats(name: &str, cmd_args: &[&str], formats: &[&str]) {
    for fmt in formats {
        let out = stscalc(&args(&[cmd_args, &["--format", fmt]]));
        assert_eq!(out.status.code(), Some(1), "{name} {fmt}");
        let out = String::from_utf8(out.stdout).unwrap();
        insta::assert_snapshot!(format!("{name}_{fmt}"), out);
    }
}

#[test]
fn formulas_output() {
    snapshot_formats("formulas", &["formulas"], &["text", "json"]);
}

#[test]
fn show_output() {
    snapshot_formats("show", &["show", "sts-25-zinc-oxide"], &["toml", "json"]);
}

#[test]
fn batch_ointment_output() {
    // A certificate and component lots, so that the record prints them.
    let cmd = args(&[
        &["batch"],
        ZO_100G,
        DATE_TIME,
        &[
            "--assay",
            "99.5%",
            "--assay-basis",
            "as-is",
            "--component",
            "sts=A1@2027-01-31",
        ],
    ]);
    snapshot_formats("batch_ointment", &cmd, &["text", "json", "html"]);
}

#[test]
fn batch_solution_output() {
    let cmd = args(&[
        &[
            "batch",
            "sts-150-intralesional",
            "--quantity",
            "10mL",
            "--method",
            "dilution",
        ],
        DATE_TIME,
    ]);
    snapshot_formats("batch_solution", &cmd, &["text", "json", "html"]);
}

#[test]
fn verify_output() {
    let cmd = args(&[
        &["verify"],
        ZO_100G,
        DATE_TIME,
        &[
            "--actual",
            "sts=25.01g",
            "--actual",
            "zinc-oxide-ointment=75g",
        ],
    ]);
    snapshot_formats("verify", &cmd, &["text", "json", "html"]);
}

#[test]
fn verify_failed_output() {
    let cmd = args(&[
        &["verify"],
        ZO_100G,
        DATE_TIME,
        &["--actual", "sts=20g", "--actual", "zinc-oxide-ointment=75g"],
    ]);
    snapshot_failing_formats("verify_failed", &cmd, &["text", "json"]);
}

#[test]
fn session_output() {
    let lesions = &["session", "--lesion", "0.125mL", "--lesion", "0.33mL"];
    snapshot_formats("session", lesions, &["text", "json"]);
    // The sheet prints the session's date, the vial's lot and its BUD.
    let sheet = args(&[
        lesions,
        &[
            "--date",
            "2026-11-23",
            "--lot",
            "STS150I-20261121-01",
            "--bud",
            "2026-11-30",
        ],
    ]);
    snapshot_formats("session", &sheet, &["html"]);
}

#[test]
fn session_series_output() {
    let cmd = [
        "session",
        "--lesions",
        "2",
        "--per-lesion",
        "0.2mL",
        "--sessions",
        "4",
        "--start",
        "2026-11-23",
    ];
    snapshot_formats("session_series", &cmd, &["text", "json"]);
}

#[test]
fn supply_output() {
    let cmd = [
        "supply",
        "sts-25-zinc-oxide",
        "--per-application",
        "1.3g",
        "--per-day",
        "2",
        "--days",
        "30",
    ];
    snapshot_formats("supply", &cmd, &["text", "json"]);
}

#[test]
fn labels_batch_output() {
    let cmd = args(&[
        &["labels", "sts-25-zinc-oxide", "--containers", "3x30g"],
        DATE_TIME,
        &["--lot", "STS25ZO-20261121-01"],
    ]);
    snapshot_formats("labels_batch", &cmd, &["json", "html"]);
}

#[test]
fn labels_session_output() {
    let cmd = [
        "labels",
        "session",
        "--lesion",
        "0.125mL",
        "--lesion",
        "0.3mL",
        "--date",
        "2026-11-23",
        "--lot",
        "STS150I-20261121-01",
        "--bud",
        "2026-11-30",
    ];
    snapshot_formats("labels_session", &cmd, &["json", "html"]);
}

#[test]
fn session_sheet_output() {
    // The blank sheet to fill in by hand; with a date it prints it.
    let cmd = args(&[&["session-sheet"], DATE]);
    snapshot_formats("session_sheet", &cmd, &["json", "html"]);
}
