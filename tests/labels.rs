//! `stscalc labels`: container, vial and syringe labels, label stocks and the fit check, and the
//! lot and BUD they are given.

use crate::common::{args, d, fails, lesion_file, ok, root, stscalc, temp_dir, DATE, F};

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
    // 3 syringes + 1 copy of each for the record, on the default syringe flag stock, one per
    // page.
    assert_eq!(sheet["stock"]["id"], "syringe-flag-3x2in");
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
    // The dose in mL and mg, each mg figure worked by hand at 150 mg/mL: 0.3 × 150 = 45,
    // 0.25 × 150 = 37.5, 0.13 × 150 = 19.5.
    for (k, (volume, mg, lesion)) in [
        (
            "0.3 mL",
            d("0.3") * d("150"),
            "lesion 1 (left elbow, posterior)",
        ),
        ("0.25 mL", d("0.25") * d("150"), "lesion 2 (right knee)"),
        ("0.13 mL", d("0.13") * d("150"), "lesion 3 (left hand)"),
    ]
    .iter()
    .enumerate()
    {
        let text = &labels[k].1;
        let dose = format!("{volume} = {} mg pentahydrate", mg.normalize());
        for needle in [
            "Sodium thiosulfate 150 mg/mL (pentahydrate basis)",
            &dose,
            &format!("Syringe {} of 3 for {lesion}", k + 1),
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
    // The dose line is the syringe's whole dose, 1 mL × 150 mg/mL = 150 mg, and the label
    // lists each lesion's share.
    assert!(text.contains("1 mL = 150 mg pentahydrate"), "{text}");
    assert!(
        text.contains(
            // Each lesion's share in mL and mg: 0.2 mL × 150 mg/mL = 30 mg.
            "Syringe 1 of 1 for lesion 1: 0.2 mL = 30 mg; lesion 2: 0.2 mL = 30 mg; lesion 3: 0.2 mL = 30 mg; lesion 4: 0.2 mL = 30 mg; lesion 5: 0.2 mL = 30 mg"
        ),
        "{text}"
    );
    let dose_lines: Vec<&serde_json::Value> = sheet["pages"][0]["labels"][0]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["dose"] == true)
        .collect();
    assert_eq!(dose_lines.len(), 1);
    assert_eq!(dose_lines[0]["strong"], true);
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
        "--label-stock",
        "avery-5163",
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
    fails(&with(&["--skip", "1"]), &["`--skip`", "0 to 0"]);
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

/// Container labels of a 30 g jar of the zinc oxide ointment at its default 25 %, compounded
/// 2026-11-21, with the lot `lot`.
fn ointment_labels(lot: &str) -> Vec<&str> {
    vec![
        "labels",
        "sts-25-zinc-oxide",
        "--containers",
        "1x30g",
        "--date",
        "2026-11-21",
        "--lot",
        lot,
    ]
}

#[test]
fn container_labels_refuse_a_lot_of_another_strength_formula_or_day_in_any_case() {
    // The batch is made at 25 %: its lot code is STS25ZO, its day 20261121.
    // STS22ZO names 22 %: the label would print 25 % beside another batch's lot.
    fails(
        &ointment_labels("STS22ZO-20261121-01"),
        &["`--lot`", "STS25ZO-20261121-NN", "code `STS22ZO`"],
    );
    // Lowercase, another day (22 November, not 21).
    fails(
        &ointment_labels("sts25zo-20261122-01"),
        &["`--lot`", "date 20261122", "another day"],
    );
    // Another formula's code (the 150 mg/mL injection).
    fails(
        &ointment_labels("STS150I-20261121-01"),
        &["`--lot`", "code `STS150I`", "another formula"],
    );
    // Both wrong: both are named.
    fails(
        &ointment_labels("STS150I-20261122-01"),
        &["code `STS150I`", "date 20261122"],
    );
    // The batch's own lot, in either case, and a lot of the site's own format are printed.
    for lot in ["STS25ZO-20261121-01", "sts25zo-20261121-02", "SITE/0042"] {
        let html = ok(&ointment_labels(lot));
        assert!(html.contains(lot), "{lot}");
    }
}

/// Syringe labels (or, with `sheet`, the session sheet) of one 0.2 mL lesion on 2026-11-23.
fn session_with(sheet: bool, lot: &str, bud: Option<&str>) -> Vec<String> {
    let mut a: Vec<String> = if sheet {
        vec!["session".into()]
    } else {
        vec!["labels".into(), "session".into()]
    };
    for s in ["--lesion", "0.2mL", "--date", "2026-11-23", "--lot", lot] {
        a.push(s.into());
    }
    if let Some(b) = bud {
        a.extend(["--bud".into(), b.into()]);
    }
    if sheet {
        a.extend(["--format".into(), "html".into()]);
    }
    a
}

#[test]
fn syringe_labels_and_session_sheet_check_the_lot_and_bud_given() {
    // A lot compounded 2026-11-21 of sts-150-intralesional: the longest limit its rules allow
    // is 10 days refrigerated (dilution; powder 4 days). With the compounding day as day 1,
    // day 10 is 2026-11-21 + 9 days = 2026-11-30.
    for sheet in [false, true] {
        let run = |lot: &str, bud: Option<&str>| session_with(sheet, lot, bud);
        let a = run("STS150I-20261121-01", Some("2027-12-31"));
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        fails(&a, &["`--bud`", "no later than 2026-11-30", "`2027-12-31`"]);
        // One day past the limit: 2026-11-30 + 1.
        let a = run("STS150I-20261121-01", Some("2026-12-01"));
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        fails(&a, &["`--bud`", "no later than 2026-11-30"]);
        // Compounded 2026-11-24, after the session of 2026-11-23.
        let a = run("sts150i-20261124-01", None);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        fails(&a, &["`--lot`", "after the session"]);
        // An ointment lot on an injection syringe.
        let a = run("STS25ZO-20261121-01", None);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        fails(&a, &["`--lot`", "code `STS25ZO`", "STS150I-YYYYMMDD-NN"]);
        // The lot's last day is accepted, as is a site's own lot number with any BUD.
        for (lot, bud) in [
            ("STS150I-20261121-01", "2026-11-30"),
            ("PHARM-A7", "2026-12-15"),
        ] {
            let a = run(lot, Some(bud));
            let a: Vec<&str> = a.iter().map(String::as_str).collect();
            let html = ok(&a);
            assert!(html.contains(lot) && html.contains(bud), "{lot} {bud}");
        }
    }
}

#[test]
fn labels_go_one_per_container_plus_copies_from_the_skipped_position() {
    let sheet = labels_json(&args(&[
        &["sts-25-zinc-oxide"],
        DATE,
        &[
            "--lot",
            "STS25ZO-20261121-01",
            "--containers",
            "4x30g",
            "--copies",
            "2",
            "--skip",
            "8",
        ],
    ]));
    // 4 containers + 2 copies = 6 labels on the default Avery 5163 (10 a sheet); positions 9
    // and 10 of sheet 1, then 1 to 4 of sheet 2.
    assert_eq!(sheet["count"], 4 + 2);
    let pages = sheet["pages"].as_array().unwrap();
    assert_eq!(pages.len(), 2);
    let positions = |p: &serde_json::Value| -> Vec<u64> {
        p["labels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["position"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(positions(&pages[0]), [9, 10]);
    assert_eq!(positions(&pages[1]), [1, 2, 3, 4]);
    let purposes: Vec<&str> = pages[1]["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["purpose"].as_str().unwrap())
        .collect();
    assert_eq!(
        purposes,
        ["container", "container", "record copy", "record copy"]
    );
    // Position 9 on Avery 5163 is row 5, column 1: 5/32 in from the left edge, 1/2 in + 4 × 2
    // in from the top; in millimetres (× 25.4).
    let l = &pages[0]["labels"][0];
    let css = |s: &serde_json::Value| d(s.as_str().unwrap().trim_end_matches("mm"));
    assert_eq!(css(&l["left"]), d("5") / d("32") * d("25.4"));
    assert_eq!(css(&l["top"]), (d("0.5") + d("4") * d("2")) * d("25.4"));
    assert_eq!(
        (l["row"].as_u64(), l["column"].as_u64()),
        (Some(5), Some(1))
    );
}

#[test]
fn the_fit_check_is_written_on_the_sheet() {
    let sheet = labels_json(&args(&[
        &["sts-25-zinc-oxide", "--quantity", "60g"],
        DATE,
        &["--lot", "STS25ZO-20261121-01"],
    ]));
    // The default Avery 5163 (4 × 2 in) at its 7 pt is scaled up to use the label: 1.1 × 7 pt
    // = 7.7 pt (its dispensing blanks and barcode take the rest).
    assert_eq!(sheet["stock"]["scale"], "1.1");
    // At 7.7 pt: (101.6 − 2 × 3) mm ÷ (0.61 × 7.7 × 25.4 / 72) mm = 57.7 → 57 characters;
    // (50.8 − 2 × 2) mm ÷ (1.1 × 7.7 × 25.4 / 72) mm = 15.7 → 15 lines.
    let chars = (d("101.6") - d("6")) / (d("0.61") * d("7.7") * d("25.4") / d("72"));
    let lines = (d("50.8") - d("4")) / (d("1.1") * d("7.7") * d("25.4") / d("72"));
    assert_eq!(
        sheet["stock"]["fit"]["max_chars"],
        chars.floor().to_string().parse::<u64>().unwrap()
    );
    assert_eq!(
        sheet["stock"]["fit"]["max_lines"],
        lines.floor().to_string().parse::<u64>().unwrap()
    );
    // 60 g fills 2 jars of 30 g.
    assert_eq!(sheet["count"], 2);
    for label in sheet["pages"][0]["labels"].as_array().unwrap() {
        let lines = label["lines"].as_array().unwrap();
        assert!(lines.len() <= 15);
        for l in lines {
            assert!(l["text"].as_str().unwrap().chars().count() <= 57, "{l}");
        }
    }
}

#[test]
fn the_text_preview_lists_positions_and_the_label_once() {
    let out = ok(&args(&[
        &["labels", "sts-25-zinc-oxide"],
        DATE,
        &[
            "--lot",
            "STS25ZO-20261121-01",
            "--containers",
            "3x30g",
            "--copies",
            "1",
            "--skip",
            "5",
        ],
    ]));
    assert!(
        out.contains("3 containers + 1 copy for the record = 4 labels"),
        "{out}"
    );
    assert!(
        out.contains("Sheet 1: positions 6 to 9 (5 skipped)"),
        "{out}"
    );
    assert_eq!(out.matches("Label text:").count(), 1, "{out}");
    // The lot and BUD of the batch record (issue 5): 180 days from 2026-11-21 as day 1.
    assert!(
        out.contains("Lot STS25ZO-20261121-01 BUD 2027-05-19"),
        "{out}"
    );
}

#[test]
fn text_that_does_not_fit_a_label_is_an_error_not_clipped() {
    let long = "Hill Top Compounding Pharmacy and Wellness Centre, 1234 Long Street Name, Springfield, telephone 555-0100";
    fails(
        &[
            "labels",
            "sts-25-zinc-oxide",
            "--date",
            "2026-11-21",
            "--lot",
            "STS25ZO-20261121-01",
            "--containers",
            "2x30g",
            "--facility",
            long,
            "--label-stock",
            "avery-l7160",
        ],
        &[
            "needs 17 lines and its barcode",
            "avery-l7160",
            // 38.1 mm less 2 × 2 mm of padding.
            "holds 34.1 mm of text",
            "--label-stock avery-5163",
        ],
    );
    // The same text fits the larger 4 × 2 in label.
    ok(&[
        "labels",
        "sts-25-zinc-oxide",
        "--date",
        "2026-11-21",
        "--lot",
        "STS25ZO-20261121-01",
        "--containers",
        "2x30g",
        "--facility",
        long,
        "--label-stock",
        "avery-5163",
    ]);
    // A word longer than a line cannot be wrapped.
    fails(
        &[
            "labels",
            "sts-25-zinc-oxide",
            "--date",
            "2026-11-21",
            "--lot",
            "STS25ZO-20261121-01",
            "--containers",
            "2x30g",
            "--facility",
            &"W".repeat(70),
        ],
        // 57 characters: the facility is set beside the barcode, (101.6 − 2 × 3 − 8.4 − 1) mm ÷
        // (0.61 × 7 × 25.4 / 72) mm = 57.2.
        &["longer than a label line", "57 characters"],
    );
}

#[test]
fn an_unknown_label_stock_is_refused() {
    fails(
        &args(&[
            &["labels", "sts-25-zinc-oxide"],
            DATE,
            &[
                "--lot",
                "STS25ZO-20261121-01",
                "--containers",
                "2x30g",
                "--label-stock",
                "avery-9999",
            ],
        ]),
        &[
            "`--label-stock`",
            "avery-5160",
            "avery-l7160",
            "found `avery-9999`",
        ],
    );
}

#[test]
fn skip_beyond_the_sheet_is_refused() {
    fails(
        &args(&[
            &["labels", "sts-25-zinc-oxide"],
            DATE,
            &[
                "--lot",
                "STS25ZO-20261121-01",
                "--containers",
                "2x30g",
                "--skip",
                "10",
            ],
        ]),
        &["`--skip`", "0 to 9", "avery-5163", "found `10`"],
    );
    fails(
        &args(&[
            &["labels", "sts-25-zinc-oxide"],
            DATE,
            &[
                "--lot",
                "STS25ZO-20261121-01",
                "--containers",
                "2x30g",
                "--label-stock",
                "avery-l7160",
                "--skip",
                "21",
            ],
        ]),
        &["`--skip`", "0 to 20", "found `21`"],
    );
    fails(
        &args(&[
            &["labels", "sts-25-zinc-oxide"],
            DATE,
            &[
                "--lot",
                "STS25ZO-20261121-01",
                "--containers",
                "2x30g",
                "--skip",
                "-1",
            ],
        ]),
        &["`--skip`", "found `-1`"],
    );
}

#[test]
fn the_paper_of_a_label_stock_is_its_own() {
    fails(
        &args(&[
            &["labels", "sts-25-zinc-oxide"],
            DATE,
            &[
                "--lot",
                "STS25ZO-20261121-01",
                "--containers",
                "2x30g",
                "--label-stock",
                "avery-l7160",
                "--paper",
                "letter",
            ],
        ]),
        &["`--paper`", "`a4`", "avery-l7160"],
    );
}

#[test]
fn a_site_stock_file_is_used_and_checked() {
    let dir = temp_dir();
    let text = std::fs::read_to_string(root().join("data/labels/avery-5163.toml"))
        .unwrap()
        .replace("id = \"avery-5163\"", "id = \"site-stock\"");
    let good = dir.path().join("site-stock.toml");
    std::fs::write(&good, &text).unwrap();
    let out = ok(&[
        "labels",
        "sts-25-zinc-oxide",
        "--date",
        "2026-11-21",
        "--lot",
        "STS25ZO-20261121-01",
        "--containers",
        "2x30g",
        "--label-stock",
        good.to_str().unwrap(),
    ]);
    assert!(out.contains("Stock site-stock"), "{out}");
    // Labels that run off the page are refused with the file named.
    let bad = dir.path().join("bad-stock.toml");
    std::fs::write(
        &bad,
        text.replace("id = \"site-stock\"", "id = \"bad-stock\"")
            .replace("rows = 5", "rows = 6"),
    )
    .unwrap();
    fails(
        &[
            "labels",
            "sts-25-zinc-oxide",
            "--date",
            "2026-11-21",
            "--lot",
            "STS25ZO-20261121-01",
            "--containers",
            "2x30g",
            "--label-stock",
            bad.to_str().unwrap(),
        ],
        &["bad-stock.toml", "beyond the"],
    );
    // A number where a length belongs is refused with its line.
    let float = dir.path().join("float-stock.toml");
    std::fs::write(
        &float,
        text.replace("id = \"site-stock\"", "id = \"float-stock\"")
            .replace("label_width = \"4 in\"", "label_width = 4.0"),
    )
    .unwrap();
    fails(
        &[
            "labels",
            "sts-25-zinc-oxide",
            "--date",
            "2026-11-21",
            "--lot",
            "STS25ZO-20261121-01",
            "--containers",
            "2x30g",
            "--label-stock",
            float.to_str().unwrap(),
        ],
        &["float-stock.toml", "line", "quoted string"],
    );
}

/// Runs `stscalc args` and returns (standard output, standard error); requires success.
fn ok_with_stderr(args: &[&str]) -> (String, String) {
    let out = stscalc(args);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "stscalc {args:?} failed: {err}");
    (String::from_utf8(out.stdout).unwrap(), err)
}

// ---- An expired BUD goes onto syringe labels when --date is left out --------------------

#[test]
fn regression_an_expired_bud_is_refused_without_a_session_date() {
    fails(
        &[
            "labels",
            "session",
            "--lesion",
            "0.2mL",
            "--bud",
            "2020-01-01",
            "--lot",
            "X1",
        ],
        &["beyond-use date 2020-01-01", "do not use"],
    );
    fails(
        &[
            "session",
            "--lesion",
            "0.2mL",
            "--bud",
            "2020-01-01",
            "--lot",
            "X1",
            "--format",
            "html",
        ],
        &["beyond-use date 2020-01-01", "do not use"],
    );
    // A BUD in the future is accepted, and the sheet states the date it was checked against:
    // today's, the session date by default. A run launched just before midnight may print
    // the next day's date, so the date is read before and after the run and either is accepted.
    let before = chrono::Local::now().date_naive().to_string();
    let html = ok(&[
        "session",
        "--lesion",
        "0.2mL",
        "--bud",
        "2199-12-31",
        "--lot",
        "X1",
        "--format",
        "html",
    ]);
    let after = chrono::Local::now().date_naive().to_string();
    assert!(
        html.contains(&before) || html.contains(&after),
        "session date {before} or {after}"
    );
}

// ---- Container labels printed another day get another lot and BUD -------------------------

#[test]
fn regression_batch_labels_need_the_records_lot_and_date() {
    fails(
        &["labels", "sts-25-zinc-oxide", "--containers", "4x30g"],
        &["`--date`", "compounding record"],
    );
    fails(
        &args(&[
            &["labels", "sts-25-zinc-oxide", "--containers", "4x30g"],
            DATE,
        ]),
        &["`--lot`", "compounding record"],
    );
    // A generated lot of another day than --date is a mix-up.
    fails(
        &[
            "labels",
            "sts-25-zinc-oxide",
            "--containers",
            "4x30g",
            "--date",
            "2026-11-22",
            "--lot",
            "STS25ZO-20261121-01",
        ],
        &["`--lot`", "2026-11-22"],
    );
    let (out, _) = ok_with_stderr(&args(&[
        &["labels", "sts-25-zinc-oxide", "--containers", "4x30g"],
        DATE,
        &["--lot", "STS25ZO-20261121-01"],
    ]));
    // 180 days from 2026-11-21 as day 1: 2027-05-19.
    assert!(
        out.contains("Lot STS25ZO-20261121-01 BUD 2027-05-19"),
        "{out}"
    );
    // The record's warning: no component lots, so the BUD does not account for their expiry.
    assert!(
        out.contains("does not yet account for their expiry"),
        "{out}"
    );
    let sheet: serde_json::Value = serde_json::from_str(&ok(&args(&[
        &["labels", "sts-25-zinc-oxide", "--containers", "4x30g"],
        DATE,
        &["--lot", "STS25ZO-20261121-01", "--format", "json"],
    ])))
    .unwrap();
    assert!(sheet["warnings"][0]
        .as_str()
        .unwrap()
        .contains("does not yet account"));
    let (_, err) = ok_with_stderr(&args(&[
        &["labels", "sts-25-zinc-oxide", "--containers", "4x30g"],
        DATE,
        &["--lot", "STS25ZO-20261121-01", "--format", "html"],
    ]));
    assert!(
        err.contains("warning:") && err.contains("does not yet account"),
        "{err}"
    );
    // A request file with the lot and the date serves as well.
    let dir = temp_dir();
    let path = dir.path().join("batch.toml");
    std::fs::write(
        &path,
        "formula = \"sts-25-zinc-oxide\"\ncontainers = \"4x30g\"\ncompounded_at = \"2026-11-21\"\nlot = \"STS25ZO-20261121-01\"\n",
    )
    .unwrap();
    let out = ok(&["labels", "--request", path.to_str().unwrap()]);
    assert!(
        out.contains("Lot STS25ZO-20261121-01 BUD 2027-05-19"),
        "{out}"
    );

    // The solution's BUD depends on its method: not left to the default.
    fails(
        &args(&[
            &["labels", "sts-150-intralesional", "--quantity", "15mL"],
            DATE,
            &["--lot", "STS150I-20261121-01"],
        ]),
        &["`--method`", "`dilution` or `powder`"],
    );
    // Or the labels come from the batch's saved plan, with everything the record used: made
    // from powder (4 days refrigerated: 2026-11-21 + 3 = 2026-11-24).
    let plan = dir.path().join("powder.json");
    ok(&[
        "batch",
        "sts-150-intralesional",
        "--quantity",
        "15mL",
        "--method",
        "powder",
        "--assay",
        "100%",
        "--assay-basis",
        "as-is",
        "--date",
        "2026-11-21",
        "--format",
        "json",
        "-o",
        plan.to_str().unwrap(),
    ]);
    let p = plan.to_str().unwrap();
    let out = ok(&[
        "labels",
        "sts-150-intralesional",
        "--quantity",
        "15mL",
        "--plan",
        p,
    ]);
    assert!(
        out.contains("Lot STS150I-20261121-01 BUD 2026-11-24"),
        "{out}"
    );
    assert!(!out.contains("worked out again from the options"), "{out}");
    fails(
        &[
            "labels",
            "sts-150-intralesional",
            "--quantity",
            "15mL",
            "--plan",
            p,
            "--method",
            "dilution",
        ],
        &["`--method`", "saved plan", "powder", "dilution"],
    );
    // A refrigerated ointment batch's plan gives its labels the refrigerator.
    let plan = dir.path().join("cold.json");
    ok(&[
        "batch",
        "sts-25-zinc-oxide",
        "--containers",
        "2x30g",
        "--storage",
        "refrigerator",
        "--date",
        "2026-11-21",
        "--format",
        "json",
        "-o",
        plan.to_str().unwrap(),
    ]);
    let out = ok(&[
        "labels",
        "sts-25-zinc-oxide",
        "--containers",
        "2x30g",
        "--plan",
        plan.to_str().unwrap(),
    ]);
    assert!(out.contains("Store in a refrigerator (2-8 °C)."), "{out}");
    assert!(
        out.contains("Lot STS25ZO-20261121-01 BUD 2027-05-19"),
        "{out}"
    );
}

#[test]
fn regression_the_readme_quotes_the_vial_net_volumes_the_labels_print() {
    // 15 mL in 10 mL vials: 15 + 2 × 0.1 mL residual = 15.2 mL, made as 15.5 mL (150 from 250
    // mg/mL is 3 : 2, multiples of 0.5 mL at the 0.1 mL step); the first vial holds 10 + 0.1 =
    // 10.1 mL, the second the rest, 15.5 − 10.1 = 5.4 mL. The README once said 10 and 5 mL.
    assert_eq!(d("15.5") - d("10.1"), d("5.4"));
    let out = ok(&[
        "labels",
        "sts-150-intralesional",
        "--quantity",
        "15mL",
        "--date",
        "2026-11-21",
        "--lot",
        "STS150I-20261121-01",
        "--method",
        "dilution",
    ]);
    assert!(out.contains("Net 10.1 mL."), "{out}");
    assert!(out.contains("Net 5.4 mL."), "{out}");
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let readme = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        readme.contains("a `Net 10.1 mL` and a `Net 5.4 mL` label"),
        "README"
    );
    assert!(!readme.contains("a 10 mL and a 5 mL label"), "README");
}

/// Container labels on A4 paper without `--label-stock` use the A4 stock of the Letter
/// default's size (Avery L7165, 99.1 × 67.7 mm, 2 × 4 = 8 a sheet), not a Letter stock the
/// paper check would refuse.
#[test]
fn container_labels_on_a4_default_to_the_a4_stock() {
    let t = ok(&[
        "labels",
        "sts-25-zinc-oxide",
        "--quantity",
        "100g",
        "--date",
        "2026-12-01",
        "--lot",
        "X1",
        "--paper",
        "a4",
    ]);
    assert!(
        t.contains("Stock avery-l7165: Avery L7165 parcel labels, 99.1 × 67.7 mm, 8 per A4 sheet"),
        "{t}"
    );
    // Letter without a stock stays on Avery 5163.
    let t = ok(&[
        "labels",
        "sts-25-zinc-oxide",
        "--quantity",
        "100g",
        "--date",
        "2026-12-01",
        "--lot",
        "X1",
    ]);
    assert!(t.contains("Stock avery-5163:"), "{t}");
}
