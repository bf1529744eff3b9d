//! Printed sheets of issue 4, phase 2, without a browser: the session sheet filled from a
//! checked session, syringe labels, the compounding record and vial labels of the sterile
//! solution, and their bad inputs. Numbers are checked against arithmetic written out here.

use crate::common::{args, d, fails, ok, root, temp_dir, DATE};

const F: &str = "sts-150-intralesional";

/// A lesion file with sites, sizes, an ulceration column and one dose that the 1 mL syringe's
/// 0.01 mL graduation rounds.
fn lesion_file(dir: &tempfile::TempDir) -> String {
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

/// The `<tr>` of the lesion table whose number cell is `n`.
fn lesion_row(html: &str, n: u32) -> String {
    let at = html
        .find(&format!("<td class=\"n\">{n}</td>"))
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
    // 0.13 mL is below 20 % of the 1 mL syringe (0.2 mL).
    assert!(html.contains("Lesion 3: 0.13 mL is below 20 %"));
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
    // The override names what it overrides, then the reason.
    assert!(html.contains(
        "Override:</strong> OVERRIDE of the local policy: volume per session 12 mL is above the maximum 10 mL"
    ));
    assert!(html.contains("reason: Large deposits, agreed with the P&amp;T committee"));
    assert!(html.contains("POLICY MAXIMUM EXCEEDED"));
    // Nothing given: the patient and the lot are write-in blanks.
    assert!(html.contains("<span class=\"blank long\"></span>"));
}

#[test]
fn the_session_json_and_text_are_unchanged_and_refuse_sheet_options() {
    let j: serde_json::Value = serde_json::from_str(&ok(&[
        "session",
        "--lesions",
        "2",
        "--per-lesion",
        "0.2mL",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(j["lesions"].as_array().unwrap().len(), 2);
    for option in [
        ["--patient", "Jane Doe"],
        ["--date", "2026-11-23"],
        ["--lot", "L1"],
    ] {
        let mut a = vec!["session", "--lesions", "2", "--per-lesion", "0.2mL"];
        a.extend(option);
        fails(&a, &[&format!("`{}`", option[0]), "--format html"]);
    }
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
fn bad_ulceration_in_the_lesion_file_is_named() {
    let dir = temp_dir();
    let path = dir.path().join("bad.csv");
    std::fs::write(&path, "site,volume,ulceration\nelbow,0.2mL,maybe\n").unwrap();
    fails(
        &["session", "--lesion-file", path.to_str().unwrap()],
        &["bad.csv", "line 2", "row 1", "`ulceration`", "`maybe`"],
    );
}

fn labels_json(args: &[&str]) -> serde_json::Value {
    let mut a = vec!["labels"];
    a.extend(args);
    a.extend(["--format", "json"]);
    serde_json::from_str(&ok(&a)).unwrap()
}

/// The text of each placed label, lines joined by spaces, in order.
fn label_texts(sheet: &serde_json::Value) -> Vec<(String, String)> {
    sheet["pages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["labels"].as_array().unwrap().iter())
        .map(|l| {
            let text: Vec<&str> = l["lines"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["text"].as_str().unwrap())
                .collect();
            (l["purpose"].as_str().unwrap().to_string(), text.join(" "))
        })
        .collect()
}

#[test]
fn one_label_per_syringe_with_its_volume_lesion_route_and_bud() {
    let dir = temp_dir();
    let file = lesion_file(&dir);
    let sheet = labels_json(&[
        "session",
        "--lesion-file",
        &file,
        "--patient",
        "Jane Doe",
        "--lot",
        "STS150I-20261121-01",
        "--bud",
        "2026-11-21T21:30",
        "--date",
        "2026-11-21",
        "--facility",
        "Hill Clinic, 555-0100",
        "--copies",
        "1",
    ]);
    // 3 syringes + 1 copy of each for the record.
    assert_eq!(sheet["count"], 3 + 3);
    let labels = label_texts(&sheet);
    let purposes: Vec<&str> = labels.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        purposes,
        [
            "syringe",
            "syringe",
            "syringe",
            "record copy",
            "record copy",
            "record copy"
        ]
    );
    for (k, (volume, lesion)) in [
        ("0.3 mL", "lesion 1 (left elbow, posterior)"),
        ("0.25 mL", "lesion 2 (right knee)"),
        ("0.13 mL", "lesion 3 (left hand)"),
    ]
    .iter()
    .enumerate()
    {
        let text = &labels[k].1;
        for needle in [
            "Sodium thiosulfate 150 mg/mL (pentahydrate basis)",
            &format!("Syringe {} of 3: {volume} for {lesion}.", k + 1),
            "For intralesional injection",
            "Single-dose: discard any remainder.",
            "Patient: Jane Doe",
            // Immediate use by default: the 4-hour window, never the vial's BUD as its own.
            "Drawn up ____ (time) by ____; give within 4 hours",
            "Compounded preparation from vial lot STS150I-20261121-01 (vial BUD 2026-11-21 21:30).",
            "Hill Clinic, 555-0100",
        ] {
            assert!(
                text.contains(needle),
                "label {}: no `{needle}` in {text}",
                k + 1
            );
        }
        assert_eq!(labels[k + 3].1, *text, "the record copy is the same label");
    }
}

#[test]
fn a_syringe_filled_across_lesions_names_them_and_blanks_wait_for_the_lot() {
    let sheet = labels_json(&[
        "session",
        "--lesions",
        "5",
        "--per-lesion",
        "0.2mL",
        "--fill-across",
    ]);
    // 5 × 0.2 mL = 1 mL fills one 1 mL syringe.
    assert_eq!(d("5") * d("0.2"), d("1"));
    let labels = label_texts(&sheet);
    assert_eq!(labels.len(), 1);
    let text = &labels[0].1;
    assert!(
        text.contains("Syringe 1 of 1: 1 mL for lesions 1 to 5."),
        "{text}"
    );
    assert!(
        text.contains("from vial lot ____________ (vial BUD ____________)"),
        "{text}"
    );
    assert!(!text.contains("Lot ____________ BUD"), "{text}");
    assert!(text.contains("Patient ____"), "{text}");
    // The text preview counts syringes.
    let out = ok(&[
        "labels",
        "session",
        "--lesions",
        "2",
        "--per-lesion",
        "0.2mL",
        "--skip",
        "3",
    ]);
    assert!(
        out.contains("2 syringes + 0 copies for the record = 2 labels"),
        "{out}"
    );
    assert!(
        out.contains("Sheet 1: positions 4 to 5 (3 skipped)"),
        "{out}"
    );
}

#[test]
fn bad_syringe_label_inputs() {
    let base = [
        "labels",
        "session",
        "--lesions",
        "2",
        "--per-lesion",
        "0.2mL",
    ];
    let with = |extra: &[&'static str]| {
        let mut a = base.to_vec();
        a.extend(extra);
        a
    };
    fails(
        &with(&["--label-stock", "avery-9999"]),
        &["`--label-stock`", "found `avery-9999`"],
    );
    fails(&with(&["--skip", "30"]), &["`--skip`", "0 to 29"]);
    fails(
        &with(&["--sessions", "4", "--start", "2026-11-23"]),
        &["`--sessions`", "labels of one session"],
    );
    let long = "W".repeat(60);
    let mut a = base.to_vec();
    a.extend(["--facility", &long]);
    fails(&a, &["longer than a label line"]);
    fails(
        &with(&["--format", "pdf", "-o", "/nonexistent-folder/l.pdf"]),
        &["does not exist"],
    );
}

fn solution_record(extra: &[&str]) -> String {
    let mut a = vec![
        "batch",
        F,
        "--quantity",
        "10mL",
        "--date",
        "2026-11-21T09:30",
        "--facility",
        "Hill Pharmacy, 555-0100",
        // The C1·V1 = C2·V2 arithmetic alone (the residual has its own tests).
        "--vial-residual",
        "0mL",
    ];
    a.extend(extra);
    a.extend(["--format", "html"]);
    ok(&a)
}

/// The cells of the component row that starts with `name`.
fn component_row(html: &str, name: &str) -> String {
    let html = &html[html.find("<table class=\"components\">").unwrap()..];
    let at = html
        .find(&format!("<td>{name}"))
        .unwrap_or_else(|| panic!("no component row {name}"));
    let end = at + html[at..].find("</tr>").unwrap();
    html[at..end].to_string()
}

#[test]
fn the_record_of_a_diluted_solution() {
    let html = solution_record(&["--component", "sts-250-us=A123@2027-05@Example Pharma"]);
    assert!(html.contains("150 mg/mL (pentahydrate basis)"));
    assert!(html.contains(
        "injection (sterile solution), intralesional: For intralesional injection. Single-dose: discard any remainder."
    ));
    assert!(html.contains("dilution of a commercial sterile injection"));
    // C1·V1 = C2·V2: 150 mg/mL × 10 mL ÷ 250 mg/mL = 6 mL of stock, 10 − 6 = 4 mL of diluent.
    let stock_ml = d("150") * d("10") / d("250");
    assert_eq!(stock_ml, d("6"));
    let stock = component_row(&html, "Sodium Thiosulfate Injection USP 25 %");
    assert!(stock.contains("<strong>6 mL</strong>"), "{stock}");
    assert!(stock.contains("(stock injection)"), "{stock}");
    // The lot given fills its cells (an expiry given as a month is its last day).
    assert!(
        stock.contains("<td class=\"write lot\">A123</td>"),
        "{stock}"
    );
    assert!(
        stock.contains("<td class=\"write\">Example Pharma</td>"),
        "{stock}"
    );
    assert!(
        stock.contains("<td class=\"write date\">2027-05-31</td>"),
        "{stock}"
    );
    let diluent = component_row(&html, "Sterile water for injection");
    assert_eq!(d("10") - stock_ml, d("4"));
    assert!(diluent.contains("<strong>4 mL</strong>"), "{diluent}");
    assert!(diluent.contains("10 mL − 6 mL"), "{diluent}");
    // Not given: write-in blanks for manufacturer, lot, expiry, actual volume and initials.
    assert_eq!(diluent.matches("<td class=\"write\"></td>").count(), 3);
    assert_eq!(diluent.matches("<td class=\"write lot\"></td>").count(), 1);
    assert_eq!(diluent.matches("<td class=\"write date\"></td>").count(), 1);
    for head in ["Manufacturer", "Lot", "Expiry", "Actual volume", "Initials"] {
        assert!(html.contains(&format!("<th>{head}</th>")), "{head}");
    }
    // Lot STS150I (from the id) + date + batch 01; BUD: USP <797> Category 2 from sterile
    // components, 10 days refrigerated, counting 2026-11-21 as day 1: 21 + 9 = 2026-11-30.
    assert!(html.contains("<strong>STS150I-20261121-01</strong>"));
    assert!(html.contains("2026-11-21 09:30"));
    assert!(html.contains("<strong>2026-11-30</strong>"));
    assert!(html.contains("set by USP &lt;797&gt; (2023), Category 2 CSP"));
    // The sterile method's steps, then the formula's finishing steps; the QC checks.
    assert!(html.contains("Work aseptically in the ISO Class 5 primary engineering control"));
    assert!(html.contains("Discard the remainder of each opened single-dose stock vial"));
    assert!(html.contains("Inspect the solution against a light and a dark background"));
    assert!(html.contains("Volume in each container"));
    assert!(html.contains("Released by"));
    // The sample label says the route and the single-dose statement.
    let sample = &html[html.find("class=\"sample\"").unwrap()..];
    assert!(sample.contains("For intralesional injection"));
    assert!(sample.contains("Single-dose: discard any remainder."));
    assert!(sample.contains("Lot STS150I-20261121-01 BUD 2026-11-30"));
    assert!(html.contains("Sample as printed on Avery 5160"));
}

#[test]
fn the_record_of_a_solution_from_powder() {
    let html = solution_record(&["--method", "powder", "--filter-hold-up", "0mL"]);
    // 150 mg/mL × 10 mL = 1,500 mg = 1.5 g of the pentahydrate (no certificate: factor 1).
    assert_eq!(d("150") * d("10") / d("1000"), d("1.5"));
    let powder = component_row(&html, "Sodium thiosulfate pentahydrate");
    assert!(powder.contains("<strong>1.5 g</strong>"), "{powder}");
    let water = component_row(&html, "Sterile water for injection");
    assert!(water.contains("q.s. to 10 mL"), "{water}");
    assert!(html.contains("<th>Actual amount</th>"));
    // One nonsterile component: 4 days refrigerated, 2026-11-21 + 3 = 2026-11-24.
    assert!(html.contains("<strong>2026-11-24</strong>"));
    assert!(html.contains("integrity (bubble point) and record the result"));
    assert!(html.contains("Nonsterile powder: the solution must be sterile-filtered"));
}

#[test]
fn one_label_per_vial_each_with_what_it_holds() {
    // 15 mL in 10 mL vials: two vials, each keeping 0.1 mL that cannot be drawn up, so
    // 15 + 2 × 0.1 = 15.2 mL is needed, made as 15.5 mL (the next multiple of 0.5 mL, where
    // 3 : 2 is whole 0.1 mL steps). The first vial holds 10 + 0.1 = 10.1 mL, the second the
    // rest, 15.5 − 10.1 = 5.4 mL; each label states what its vial holds.
    let sheet = labels_json(&[
        F,
        "--quantity",
        "15mL",
        "--date",
        "2026-11-21",
        "--lot",
        "STS150I-20261121-01",
        "--method",
        "dilution",
        "--copies",
        "1",
    ]);
    assert_eq!(sheet["count"], 2 + 1);
    let labels = label_texts(&sheet);
    let made = ((d("15") + d("2") * d("0.1")) / d("0.5")).ceil() * d("0.5");
    assert_eq!(made, d("15.5"));
    assert_eq!(made - (d("10") + d("0.1")), d("5.4"));
    assert!(labels[0].1.contains("Net 10.1 mL."), "{}", labels[0].1);
    assert!(labels[1].1.contains("Net 5.4 mL."), "{}", labels[1].1);
    assert_eq!(labels[2].0, "record copy");
    for (_, text) in &labels {
        for needle in [
            "Sodium thiosulfate 150 mg/mL (pentahydrate basis)",
            "Injection (sterile solution).",
            "Compounded preparation.",
            "For intralesional injection",
            "Single-dose: discard any remainder.",
            "Lot STS150I-20261121-01 BUD 2026-11-30",
            "Store in a refrigerator (2-8 °C)",
        ] {
            assert!(text.contains(needle), "no `{needle}` in {text}");
        }
    }
}

#[test]
fn a_batch_stored_otherwise_is_labelled_with_its_own_storage() {
    // The ointment's BUD rule allows a refrigerator; asked for, the label says so instead of
    // the formula's room-temperature statement.
    let sheet = labels_json(&args(&[
        &["sts-25-zinc-oxide"],
        DATE,
        &[
            "--lot",
            "STS25ZO-20261121-01",
            "--quantity",
            "30g",
            "--storage",
            "refrigerator",
        ],
    ]));
    let text = &label_texts(&sheet)[0].1;
    assert!(text.contains("Store in a refrigerator (2-8 °C)."), "{text}");
    assert!(!text.contains("controlled room temperature"), "{text}");
}

#[test]
fn a_sterile_formula_without_its_single_dose_statement_is_refused() {
    let dir = temp_dir();
    let text = std::fs::read_to_string(root().join("formulas/sts-150-intralesional.toml"))
        .unwrap()
        .replace(
            "label_statements = [\"Single-dose: discard any remainder.\"]",
            "",
        );
    assert!(!text.contains("label_statements"));
    std::fs::write(dir.path().join("sts-150-intralesional.toml"), text).unwrap();
    fails(
        &[
            "--formulas",
            dir.path().to_str().unwrap(),
            "batch",
            F,
            "--quantity",
            "10mL",
        ],
        &[
            "sts-150-intralesional.toml",
            "`label_statements`",
            "single-dose",
        ],
    );
}
