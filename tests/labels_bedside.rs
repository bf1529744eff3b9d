//! Issue 13, at the bench: a component's lot and expiry read from its GS1 barcode
//! (`--component-gs1`), on `batch`, `verify` and `labels`.

use crate::common::{fails, json, ok};

/// What a scanner types from a commercial pack: `]d2`, (01) GTIN, (17) expiry 2027-11-30,
/// (10) lot `L2345A` (last, so no group separator).
const SCANNED: &str = "]d201095060001343521727113010L2345A";

fn batch_json(extra: &[&str]) -> serde_json::Value {
    let mut a = vec![
        "batch",
        "sts-25-zinc-oxide",
        "--containers",
        "2x30g",
        "--date",
        "2026-11-21",
    ];
    a.extend(extra);
    json(&a)
}

#[test]
fn a_scanned_gs1_string_fills_the_components_lot_and_expiry() {
    let scanned = format!("sts={SCANNED}");
    let v = batch_json(&[
        "--component-gs1",
        &scanned,
        "--component",
        "zinc-oxide-ointment=ZO9@2028-03",
    ]);
    let r = &v["record"];
    let sts = r["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "sts")
        .unwrap();
    assert_eq!(sts["lot"], "L2345A");
    // (17)271130: 2027-11-30 (century from the GS1 rule, relative to this year).
    assert_eq!(sts["expiry"], "2027-11-30");
    // The BUD is never after the sts lot's expiry.
    assert!(r["bud"]["date"].as_str().unwrap() <= "2027-11-30");

    // With group separators (the lot first, so a GS ends it) and a day 00 (end of month).
    let with_gs = "sts=10LOT-7\u{1d}17280200";
    let v = batch_json(&["--component-gs1", with_gs]);
    let sts = &v["record"]["components"][0];
    assert_eq!(sts["lot"], "LOT-7");
    // 2028 is a leap year: February ends on the 29th.
    assert_eq!(sts["expiry"], "2028-02-29");

    // The same on `labels` (the lot printed is the batch's; the component's expiry can only
    // bring the BUD earlier).
    let out = ok(&[
        "labels",
        "sts-25-zinc-oxide",
        "--containers",
        "2x30g",
        "--date",
        "2026-11-21",
        "--lot",
        "STS25ZO-20261121-01",
        "--component-gs1",
        "sts=(17)261231(10)EARLY1",
    ]);
    assert!(out.contains("BUD 2026-12-31"), "{out}");
}

#[test]
fn a_string_that_is_not_valid_gs1_is_one_clear_error() {
    let base = [
        "batch",
        "sts-25-zinc-oxide",
        "--containers",
        "2x30g",
        "--date",
        "2026-11-21",
        "--component-gs1",
    ];
    let with = |s: &'static str| {
        let mut a = base.to_vec();
        a.push(s);
        a
    };
    // A wrong GTIN check digit (…4353 for …4352).
    fails(
        &with("sts=]d2010950600013435317271130"),
        &["`--component-gs1 sts`", "check digit"],
    );
    // No lot.
    fails(
        &with("sts=(01)09506000134352(17)271130"),
        &["`--component-gs1 sts`", "a lot (10) and an expiry (17)"],
    );
    // No component id.
    fails(&with(SCANNED), &["`--component-gs1`", "ID=GS1"]);
    // An id the formula does not have.
    fails(&with("nope=(17)271130(10)A1"), &["nope"]);
    // Each error is one line.
    let out = crate::common::stscalc(&with("sts=(17)2711(10)A1"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}
