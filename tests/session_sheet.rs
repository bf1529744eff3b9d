//! The session sheet (`stscalc session --format html`, `stscalc session-sheet`): filled from a
//! check or blank, its options and the escaping of what people type.

use crate::common::{
    args, browser_here, d, fails, keep_png, lesion_file, ok, pdf_pages, temp_dir, ZO_100G,
};

/// The `<tr>` of the lesion table whose number cell is `n` (after the row's flag mark, if any).
fn lesion_row(html: &str, n: u32) -> String {
    let at = html
        .match_indices("<td class=\"n\">")
        .map(|(at, _)| at)
        .find(|&at| {
            let cell = &html[at..at + html[at..].find("</td>").unwrap()];
            cell.ends_with(&format!(">{n}")) || cell.ends_with(&format!("</span> {n}"))
        })
        .unwrap_or_else(|| panic!("no row {n}"));
    let end = at + html[at..].find("</tr>").unwrap();
    html[at..end].to_string()
}

#[test]
fn the_session_sheet_is_filled_from_the_check() {
    let dir = temp_dir();
    let file = lesion_file(&dir);
    let html = ok(&[
        "session",
        "--lesion-file",
        &file,
        "--patient",
        "Jane Doe",
        "--patient-id",
        "1950-02-03",
        "--session",
        "2",
        "--date",
        "2026-11-23",
        "--lot",
        "STS150I-20261121-01",
        "--bud",
        "2026-11-30",
        "--format",
        "html",
    ]);
    // Each dose is in a 1 mL syringe (0.01 mL graduation) at 150 mg/mL (pentahydrate basis):
    // 0.3 mL × 150 = 45 mg; 0.25 mL × 150 = 37.5 mg; 0.125 mL rounds half away from zero to
    // 0.13 mL, × 150 = 19.5 mg.
    assert_eq!(d("0.3") * d("150"), d("45"));
    assert_eq!(d("0.25") * d("150"), d("37.5"));
    assert_eq!(d("0.13") * d("150"), d("19.5"));
    let first = lesion_row(&html, 1);
    for cell in [
        "left elbow, posterior",
        "12 x 8 mm",
        "yes",
        "no",
        "0.3 mL",
        "45 mg",
    ] {
        assert!(first.contains(cell), "row 1 lacks {cell}: {first}");
    }
    let second = lesion_row(&html, 2);
    assert!(second.contains("37.5 mg"), "{second}");
    // Not given in the file: a write-in box.
    assert!(second.contains("&#9744; yes &#9744; no"), "{second}");
    let third = lesion_row(&html, 3);
    assert!(third.contains("0.13 mL"), "{third}");
    assert!(third.contains("asked 0.125 mL"), "{third}");
    assert!(third.contains("19.5 mg"), "{third}");
    assert!(
        third.contains(">yes<"),
        "inflammation YES is written yes: {third}"
    );
    // Only the three rows of the check, each with its syringe number.
    assert_eq!(html.matches("<td class=\"n\">").count(), 3);
    assert!(html.contains("<th class=\"num\">Syringe</th>"));
    // Totals: 0.3 + 0.25 + 0.13 = 0.68 mL; 45 + 37.5 + 19.5 = 102 mg.
    assert_eq!(d("0.3") + d("0.25") + d("0.13"), d("0.68"));
    assert_eq!(d("45") + d("37.5") + d("19.5"), d("102"));
    assert!(html.contains("<strong>0.68 mL</strong>"));
    assert!(html.contains("<strong>102 mg</strong>"));
    // The preparation with its basis, the patient, session, date, lot and BUD.
    assert!(html.contains("Sodium thiosulfate 150 mg/mL (pentahydrate basis)"));
    assert!(html.contains("Dose (mg, pentahydrate)"));
    for given in [
        "Jane Doe",
        "1950-02-03",
        "2026-11-23",
        "STS150I-20261121-01",
        "2026-11-30",
    ] {
        assert!(html.contains(given), "{given}");
    }
    // Every policy maximum, within, with its reason; the warning about the small dose.
    for what in [
        "Lesions in the session",
        "Volume per lesion",
        "Active per lesion (pentahydrate basis)",
        "Volume per session",
        "Active per session (pentahydrate basis)",
    ] {
        assert!(html.contains(what), "{what}");
    }
    assert!(!html.contains("<strong>NO</strong>"));
    assert!(html
        .contains("Medical Research Archives series (38 patients): 1 to 22 lesions per session"));
    assert!(html.contains("LOCAL POLICY"));
    // 0.13 mL is below 20 % of the 1 mL syringe (1 × 0.2 = 0.2 mL), and 0.125 → 0.13 mL is
    // (0.13 − 0.125) ÷ 0.125 = +4 %: both flagged in row 3 (marked `!`), not repeated in boxes
    // under the table; the other rows carry no flag.
    assert_eq!((d("0.13") - d("0.125")) / d("0.125") * d("100"), d("4"));
    assert!(third.contains("class=\"mark\""), "{third}");
    assert!(
        third.contains(
            "<span class=\"flag\">below 20 % of the 1 mL tuberculin syringe (0.2 mL)</span>"
        ),
        "{third}"
    );
    assert!(
        third.contains("<span class=\"flag\">dose rounded to the syringe graduation, +4 %</span>"),
        "{third}"
    );
    assert!(!first.contains("class=\"flag\"") && !second.contains("class=\"flag\""));
    assert!(!html.contains("Lesion 3: 0.13 mL is below 20 %"));
    assert!(!html.contains("Doses rounded to the syringe graduation"));
    assert!(!html.contains("class=\"warn keep\""));
    // The limits' sources, each once, numbered.
    assert!(html.contains("<td class=\"num\">[2]</td>"));
    // Three syringes; dead space 3 × (0.07 + 0.07) = 0.42 mL; 0.68 + 0.42 = 1.1 mL to prepare.
    assert_eq!(d("3") * (d("0.07") + d("0.07")), d("0.42"));
    assert!(
        html.contains("3 syringes (3 × 1 mL tuberculin syringe)"),
        "syringes"
    );
    assert!(html.contains("(0.42 mL): 1.1 mL"));
}

#[test]
fn an_override_is_printed_with_the_exceeded_limit() {
    // 12 × 1 mL = 12 mL, above the 10 mL per session; 12 × 150 mg = 1,800 mg above 1,500 mg.
    let html = ok(&[
        "session",
        "--lesions",
        "12",
        "--per-lesion",
        "1mL",
        "--override-reason",
        "Large deposits, agreed with the P&T committee",
        "--format",
        "html",
    ]);
    assert_eq!(d("12") * d("150"), d("1800"));
    assert!(html.contains("<strong>NO</strong>"));
    assert!(html.contains("1,800 mg"));
    // The override stands apart, with the prescriber's signature: it names what it overrides,
    // then the reason; it is not repeated among the warnings.
    let block = &html[html
        .find("<div class=\"override keep\">")
        .expect("override block")..];
    let block = &block[..block.find("</div>\n</div>").unwrap()];
    assert!(
        block.contains("<h2>Policy maximum exceeded: override</h2>"),
        "{block}"
    );
    assert!(block.contains(
        "OVERRIDE of the local policy: volume per session 12 mL is above the maximum 10 mL"
    ));
    assert!(block.contains("reason: Large deposits, agreed with the P&amp;T committee"));
    assert!(block.contains("Prescriber (name, signature)"), "{block}");
    assert!(!html.contains("POLICY MAXIMUM EXCEEDED"));
    // Nothing given: the patient and the lot are write-in blanks.
    assert!(html.contains("<span class=\"blank long\"></span>"));
}

#[test]
fn bad_session_sheet_inputs() {
    let base = ["session", "--lesions", "2", "--per-lesion", "0.2mL"];
    let with = |extra: &[&'static str]| {
        let mut a = base.to_vec();
        a.extend(extra);
        a.extend(["--format", "html"]);
        a
    };
    // A solution past its BUD on the session's date is not injected.
    fails(
        &with(&["--date", "2026-12-01", "--bud", "2026-11-30"]),
        &[
            "beyond-use date 2026-11-30",
            "before the session's date 2026-12-01",
        ],
    );
    // The BUD's own day is still within it.
    ok(&with(&[
        "--date",
        "2026-11-30",
        "--bud",
        "2026-11-30T18:00",
    ]));
    fails(
        &with(&["--bud", "30/11/2026"]),
        &["`--bud`", "found `30/11/2026`"],
    );
    fails(
        &with(&["--lot", "lot with spaces"]),
        &["`--lot`", "found `lot with spaces`"],
    );
    fails(&with(&["--session", "0"]), &["`--session`", "found `0`"]);
    fails(
        &with(&["--date", "2026-02-30"]),
        &["`--date`", "YYYY-MM-DD"],
    );
    // The sheet is for one session: the series options are refused, not ignored.
    fails(
        &with(&["--sessions", "4", "--start", "2026-11-23"]),
        &["`--sessions`", "one session"],
    );
    fails(
        &with(&["-o", "/nonexistent-folder/sheet.html"]),
        &["/nonexistent-folder", "does not exist"],
    );
}

#[test]
fn user_text_is_escaped_in_html() {
    let html = ok(&[
        "session-sheet",
        "--patient",
        "<script>alert(1)</script>",
        "--facility",
        "Tom & Jerry's <Clinic>",
    ]);
    assert!(
        !html.contains("<script>alert"),
        "raw script tag in the HTML"
    );
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("Tom &amp; Jerry&#39;s &lt;Clinic&gt;"));
    let record = ok(&args(&[
        &["batch"],
        ZO_100G,
        &[
            "--facility",
            "<img src=x onerror=alert(1)>",
            "--format",
            "html",
        ],
    ]));
    assert!(!record.contains("<img"), "raw tag in the record");
    assert!(record.contains("&lt;img src=x onerror=alert(1)&gt;"));
}

#[test]
fn session_sheet_options_are_checked() {
    fails(
        &["session-sheet", "--date", "14/03/2025"],
        &["`--date`", "YYYY-MM-DD", "found `14/03/2025`"],
    );
    fails(
        &["session-sheet", "--lesions", "0"],
        &["`--lesions`", "1 to 40", "found `0`"],
    );
    fails(
        &["session-sheet", "--session", "two"],
        &["`--session`", "found `two`"],
    );
    fails(
        &["session-sheet", "--patient", "line one\nline two"],
        &["`--patient`", "one line"],
    );
    // Blank rows: 12 by default, as many as asked.
    let html = ok(&["session-sheet", "--lesions", "3"]);
    assert_eq!(html.matches("<td class=\"n\">").count(), 3);
    let data: serde_json::Value =
        serde_json::from_str(&ok(&["session-sheet", "--format", "json"])).unwrap();
    assert_eq!(data["lesions"].as_array().unwrap().len(), 12);
    assert!(data["patient"].is_null());
}

#[test]
fn regression_every_page_of_the_session_sheet_names_the_patient_and_date() {
    if !browser_here() {
        return;
    }
    let dir = temp_dir();
    let file = dir.path().join("visit.csv");
    let mut csv = String::from("site,size,volume\n");
    for k in 1..=22 {
        csv.push_str(&format!("site {k},{k} mm,0.2mL\n"));
    }
    std::fs::write(&file, csv).unwrap();
    let pdf = dir.path().join("session.pdf");
    ok(&[
        "session",
        "--lesion-file",
        file.to_str().unwrap(),
        "--patient",
        "Jane Doe",
        "--patient-id",
        "1950-02-03",
        "--session",
        "3",
        "--date",
        "2026-11-23",
        "--lot",
        "STS150I-20261121-01",
        "--bud",
        "2026-11-30",
        "--format",
        "pdf",
        "-o",
        pdf.to_str().unwrap(),
    ]);
    keep_png(&pdf, "session-sheet-22-page-2", 2);
    let pages = pdf_pages(&pdf);
    assert_eq!(pages.len(), 2);
    for (i, page) in pages.iter().enumerate() {
        for needle in ["Jane Doe", "1950-02-03", "2026-11-23"] {
            assert!(
                page.contains(needle),
                "page {}: no `{needle}`: {page}",
                i + 1
            );
        }
    }
    // The blank sheet's header has write-in blanks for them.
    let blank = dir.path().join("blank.pdf");
    ok(&[
        "session-sheet",
        "--lesions",
        "36",
        "--format",
        "pdf",
        "-o",
        blank.to_str().unwrap(),
    ]);
    for page in pdf_pages(&blank) {
        assert!(page.contains("Patient"), "{page}");
    }
}

/// Pharmacist review: on the anhydrous basis a 0.2 mL dose at 150 mg/mL pentahydrate holds
/// 0.2 × 150 × 158.11 / 248.19 mg, a number with 28 digits; the printed sheet showed all of
/// them (`19.1115677505137193279342439 mg`) while the text output said `≈ 19.11 mg`.
#[test]
fn regression_the_session_sheet_printed_28_digit_doses() {
    let html = ok(&[
        "session",
        "--basis",
        "anhydrous",
        "--lesion",
        "0.2mL",
        "--date",
        "2026-11-23",
        "--format",
        "html",
    ]);
    let exact = d("0.2") * d("150") * d("158.11") / d("248.19");
    // 19.11156… mg, rounded half away from zero to 0.01 mg and marked as rounded.
    let shown =
        exact.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    assert_eq!(shown, d("19.11"));
    let row = lesion_row(&html, 1);
    assert!(row.contains(&format!("≈ {shown} mg")), "{row}");
    assert!(
        !html.contains(&exact.to_string()),
        "the exact dose leaked onto the sheet"
    );
    // The same figure as the text output of the same check.
    let text = ok(&["session", "--basis", "anhydrous", "--lesion", "0.2mL"]);
    assert!(text.contains(&format!("≈ {shown} mg")), "{text}");
}
