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

/// Page `page` of a PDF rasterised by poppler at 600 dpi in grey (PGM, a header and one byte
/// per pixel: the same pixels as its PNG, readable without an image crate).
fn pixels(pdf: &std::path::Path, page: u32) -> (Vec<u8>, u32, u32) {
    let p = page.to_string();
    let out = std::process::Command::new("pdftoppm")
        .args(["-gray", "-r", "600", "-f", &p, "-l", &p])
        .arg(pdf)
        .output()
        .unwrap();
    assert!(out.status.success());
    let bytes = out.stdout;
    // "P5\n<width> <height>\n255\n" then the pixels.
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8(bytes[start..at].to_vec()).unwrap());
    }
    assert_eq!(fields[0], "P5");
    let (w, h): (u32, u32) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    let data = bytes[at + 1..].to_vec();
    assert_eq!(data.len(), (w * h) as usize);
    (data, w, h)
}

/// The GS1 element string rxing reads from the pixels (`]d2` reported as its symbology, GS
/// between elements).
fn decode(luma: Vec<u8>, w: u32, h: u32) -> String {
    let result =
        rxing::helpers::detect_in_luma(luma, w, h, Some(rxing::BarcodeFormat::DATA_MATRIX))
            .expect("rxing decodes the label's GS1 DataMatrix from the printed page");
    result.getText().to_string()
}

fn print(dir: &std::path::Path, name: &str, args: &[&str]) -> std::path::PathBuf {
    let pdf = dir.join(format!("{name}.pdf"));
    let mut a = args.to_vec();
    a.extend(["--format", "pdf", "-o", pdf.to_str().unwrap()]);
    ok(&a);
    crate::common::keep_png(&pdf, name, 1);
    pdf
}

#[test]
fn the_labels_barcode_decodes_from_the_printed_page_to_the_lot_and_bud_printed() {
    if !crate::common::browser_here() {
        return;
    }
    let dir = crate::common::temp_dir();
    // A container label of a batch compounded 2026-11-21 (BUD by the formula's rule).
    let pdf = print(
        dir.path(),
        "labels-barcode-container-single-4x2in",
        &[
            "labels",
            "sts-25-zinc-oxide",
            "--containers",
            "1x30g",
            "--date",
            "2026-11-21",
            "--lot",
            "STS25ZO-20261121-01",
            "--label-stock",
            "single-4x2in",
        ],
    );
    let text = &crate::common::pdf_pages(&pdf)[0];
    // The lot and BUD as printed for people: `Lot X BUD YYYY-MM-DD`.
    let after = |key: &str| {
        let at = text
            .find(key)
            .unwrap_or_else(|| panic!("no `{key}` in {text}"))
            + key.len();
        text[at..].split_whitespace().next().unwrap().to_string()
    };
    let (lot, bud) = (after("Lot "), after(" BUD "));
    assert_eq!(lot, "STS25ZO-20261121-01");
    let (luma, w, h) = pixels(&pdf, 1);
    let decoded = decode(luma, w, h);
    // (17) the BUD as YYMMDD, (10) the lot, then GS and (91) the formula id.
    let yymmdd = format!("{}{}{}", &bud[2..4], &bud[5..7], &bud[8..10]);
    assert_eq!(
        decoded,
        format!("17{yymmdd}10{lot}\u{1d}91sts-25-zinc-oxide"),
        "printed lot {lot}, BUD {bud}"
    );
    // The human-readable text beside it says the same.
    assert!(
        text.contains(&format!("(17){yymmdd} (10){lot} (91)sts-25-zinc-oxide")),
        "{text}"
    );

    // A syringe label: the vial's lot, and the syringe's own end as (17): drawn up
    // 2026-11-23 09:30, given by 09:30 + 4 h = 13:30 the same day, so (17)261123; never the
    // vial's BUD 2026-11-30.
    let pdf = print(
        dir.path(),
        "labels-barcode-syringe-flag",
        &[
            "labels",
            "session",
            "--lesion",
            "0.3mL",
            "--date",
            "2026-11-23",
            "--drawn-at",
            "09:30",
            "--lot",
            "STS150I-20261121-01",
            "--bud",
            "2026-11-30",
        ],
    );
    let (luma, w, h) = pixels(&pdf, 1);
    assert_eq!(
        decode(luma, w, h),
        "1726112310STS150I-20261121-01\u{1d}91sts-150-intralesional"
    );
}

#[test]
fn a_character_no_installed_font_has_is_an_error_naming_it() {
    // U+10FFFD, a private-use code point no font maps: an error, never a box on the label.
    let name = "Ana \u{10FFFD}";
    let err = fails(
        &[
            "labels",
            "sts-25-zinc-oxide",
            "--containers",
            "1x30g",
            "--date",
            "2026-11-21",
            "--lot",
            "STS25ZO-20261121-01",
            "--patient",
            name,
        ],
        &["no installed font has the character", "U+10FFFD"],
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    // A Chinese name is measured in the CJK font (1 em: two columns each) and fits.
    let sheet = json(&[
        "labels",
        "sts-25-zinc-oxide",
        "--containers",
        "1x30g",
        "--date",
        "2026-11-21",
        "--lot",
        "STS25ZO-20261121-01",
        "--patient",
        "王小明",
    ]);
    let lines = sheet["pages"][0]["labels"][0]["lines"].as_array().unwrap();
    assert!(
        lines
            .iter()
            .any(|l| l["text"] == "Patient 王小明 ID ____________"),
        "{lines:?}"
    );
}
