//! Regression tests for the pharmacist's review of the printed records, labels, session sheets,
//! beyond-use dates and `verify` (one test per problem found, named for it). Expected numbers are
//! worked out by hand in each test.

use std::process::Command;

use crate::common::{args, d, fails, json, ok, root, stscalc, temp_dir, value, DATE, ZO_100G};

/// Runs `stscalc args` and returns (standard output, standard error); requires success.
fn ok_with_stderr(args: &[&str]) -> (String, String) {
    let out = stscalc(args);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "stscalc {args:?} failed: {err}");
    (String::from_utf8(out.stdout).unwrap(), err)
}

// ---- 1. A failed batch's record looks like a passed one ----------------------------------

const FAILED: [&str; 10] = [
    "verify",
    "sts-25-zinc-oxide",
    "--quantity",
    "100g",
    "--date",
    "2026-11-21",
    "--actual",
    "sts=20g",
    "--actual",
    "zinc-oxide-ointment=75g",
];

#[test]
fn regression_a_failed_batch_record_says_fail_do_not_release_and_prints_no_label() {
    let mut a = FAILED.to_vec();
    a.extend(["--format", "html"]);
    let html = crate::common::verify_failed(&a);
    // 20 g of pentahydrate in 20 + 75 = 95 g: 20 ÷ 95 × 100 = 21.0526… % w/w, which is
    // 21.0526… ÷ 25 × 100 = 84.2105… % of the 25 % label, below 90 %.
    assert_eq!(d("20") + d("75"), d("95"));
    let strength = d("20") / d("95") * d("100");
    assert!(strength > d("21.05") && strength < d("21.055"));
    let of_label = strength / d("25") * d("100");
    assert!(of_label > d("84.21") && of_label < d("84.215"));
    assert!(html.contains("FAIL — DO NOT RELEASE"), "banner");
    assert!(html.contains("≈ 21.05 % w/w"), "actual strength");
    assert!(html.contains("≈ 84.21 % of label"), "% of label");
    assert!(html.contains("90 % to 110 % of label"), "tolerance");
    // The actual total in the component table's actual column.
    assert!(html.contains("<strong>95 g</strong>"), "actual total");
    // The correction: stock alone (0.25 × 95 − 20) ÷ (1 − 0.25) = 3.75 ÷ 0.75 = 5 g.
    assert_eq!(
        (d("0.25") * d("95") - d("20")) / (d("1") - d("0.25")),
        d("5")
    );
    assert!(
        html.contains("Add 5 g of Sodium thiosulfate pentahydrate"),
        "correction"
    );
    // No label for a batch that may not be released.
    assert!(
        !html.contains("Sample as printed on"),
        "sample label printed"
    );
    assert!(!html.contains("class=\"sample\""), "sample label printed");
    assert!(html.contains("No label: the batch failed verification"));

    // A passing batch says PASS with its numbers and keeps its sample label: 25.5 g in
    // 25.5 + 75 = 100.5 g is 25.373… % w/w, 101.49… % of label.
    let html = ok(&args(&[
        &["verify"],
        ZO_100G,
        DATE,
        &[
            "--actual",
            "sts=25.5g",
            "--actual",
            "zinc-oxide-ointment=75g",
            "--format",
            "html",
        ],
    ]));
    let of_label = d("25.5") / d("100.5") / d("0.25") * d("100");
    assert!(of_label > d("101.49") && of_label < d("101.495"));
    assert!(html.contains("PASS"));
    assert!(html.contains("≈ 101.49 % of label"));
    assert!(!html.contains("DO NOT RELEASE"));
    assert!(html.contains("Sample as printed on"));
    // The text sheet says it too.
    let text = crate::common::verify_failed(&FAILED);
    assert!(text.contains("Result: FAIL — DO NOT RELEASE"), "{text}");
}

// ---- 2. A batch made at another strength is titled and numbered with the default's -------

#[test]
fn regression_records_and_lots_state_the_strength_actually_made() {
    let base = [
        "batch",
        "sts-150-intralesional",
        "--quantity",
        "10mL",
        "--strength",
        "250mg/mL",
        "--date",
        "2026-11-21",
    ];
    let v = json(&base);
    assert_eq!(v["record"]["lot"]["number"], "STS250I-20261121-01");
    let mut a = base.to_vec();
    a.extend(["--format", "html"]);
    let html = ok(&a);
    assert!(
        !html.contains("Sodium thiosulfate 150 mg/mL sterile solution"),
        "the default strength's name is the title"
    );
    assert!(html.contains("<div class=\"subtitle\">Sodium thiosulfate 250 mg/mL"));
    assert!(html.contains("STS250I-20261121-01"));
    assert!(!html.contains("STS150I"));
    assert!(html.contains("made at 250 mg/mL — not the formula&#39;s default 150 mg/mL"));

    // An ointment at 22 %.
    let base = [
        "batch",
        "sts-25-zinc-oxide",
        "--quantity",
        "100g",
        "--strength",
        "22%",
        "--date",
        "2026-11-21",
    ];
    assert_eq!(
        json(&base)["record"]["lot"]["number"],
        "STS22ZO-20261121-01"
    );
    let mut a = base.to_vec();
    a.extend(["--format", "html"]);
    let html = ok(&a);
    assert!(!html.contains("25 % w/w in Zinc Oxide"), "default title");
    assert!(html.contains("<div class=\"subtitle\">Sodium thiosulfate 22 % w/w"));
    assert!(html.contains("made at 22 % w/w — not the formula&#39;s default 25 % w/w"));
    // At the default strength the lot is unchanged.
    let v = json(&args(&[&["batch"], ZO_100G, DATE]));
    assert_eq!(v["record"]["lot"]["number"], "STS25ZO-20261121-01");
}

// ---- 3. verify --plan ignores the plan's stock form, strength and certificate -------------

fn save_plan(dir: &tempfile::TempDir, name: &str, extra: &[&str]) -> String {
    let path = dir.path().join(name);
    let p = path.to_str().unwrap().to_string();
    let mut a = vec![
        "batch",
        "sts-25-zinc-oxide",
        "--quantity",
        "100g",
        "--date",
        "2026-11-21",
    ];
    a.extend(extra);
    a.extend(["--format", "json", "-o", &p]);
    ok(&a);
    p
}

#[test]
fn regression_verify_with_a_plan_takes_its_stock_form_strength_and_certificate() {
    let dir = temp_dir();
    // Anhydrous stock: 25 g of pentahydrate is 25 × 158.11 ÷ 248.19 = 15.9263… g of anhydrous,
    // weighed as 15.926 g; the base is 100 − 15.926 = 84.074 g.
    let anhydrous = save_plan(&dir, "anhydrous.json", &["--stock-form", "anhydrous"]);
    let calc = d("25") * d("158.11") / d("248.19");
    assert!(calc > d("15.9263") && calc < d("15.9264"));
    let v = json(&[
        "verify",
        "sts-25-zinc-oxide",
        "--quantity",
        "100g",
        "--plan",
        &anhydrous,
        "--actual",
        "sts=15.926g",
        "--actual",
        "zinc-oxide-ointment=84.074g",
    ]);
    // 15.926 g × 248.19 ÷ 158.11 in 100 g: 24.9995… % w/w, 99.998… % of label.
    let expected = d("15.926") * d("248.19") / d("158.11") / d("100") * d("100");
    let strength = value(&v["actual_strength"]);
    assert!((strength - expected).abs() < d("0.000001"), "{strength}");
    assert_eq!(v["pass"], true, "{}", v["of_label"]["text"]);
    assert_eq!(v["plan"]["stock"]["form"], "anhydrous");
    assert_eq!(v["plan"]["record"]["lot"]["number"], "STS25ZO-20261121-01");
    // An explicit option that contradicts the plan is refused, naming it.
    fails(
        &[
            "verify",
            "sts-25-zinc-oxide",
            "--quantity",
            "100g",
            "--plan",
            &anhydrous,
            "--stock-form",
            "pentahydrate",
            "--actual",
            "sts=15.926g",
            "--actual",
            "zinc-oxide-ointment=84.074g",
        ],
        &["`--stock-form`", "saved plan", "anhydrous", "pentahydrate"],
    );

    // A 22 % plan: 22 g of pentahydrate in 100 g, verified without --strength, is on target.
    let p22 = save_plan(&dir, "22.json", &["--strength", "22%"]);
    let v = json(&[
        "verify",
        "sts-25-zinc-oxide",
        "--quantity",
        "100g",
        "--plan",
        &p22,
        "--actual",
        "sts=22g",
        "--actual",
        "zinc-oxide-ointment=78g",
    ]);
    assert_eq!(value(&v["actual_strength"]), d("22") / d("100") * d("100"));
    assert_eq!(value(&v["of_label"]), d("100"));
    fails(
        &[
            "verify",
            "sts-25-zinc-oxide",
            "--quantity",
            "100g",
            "--plan",
            &p22,
            "--strength",
            "25%",
            "--actual",
            "sts=22g",
            "--actual",
            "zinc-oxide-ointment=78g",
        ],
        &["`--strength`", "saved plan", "22 % w/w"],
    );

    // A certificate of 98 % (as is): 25 ÷ 0.98 = 25.5102… g, weighed 25.51 g, base 74.49 g.
    let cert = save_plan(
        &dir,
        "cert.json",
        &["--assay", "98%", "--assay-basis", "as-is"],
    );
    let v = json(&[
        "verify",
        "sts-25-zinc-oxide",
        "--quantity",
        "100g",
        "--plan",
        &cert,
        "--actual",
        "sts=25.51g",
        "--actual",
        "zinc-oxide-ointment=74.49g",
    ]);
    // 25.51 × 0.98 = 24.9998 g of pentahydrate in 100 g: 24.9998 % w/w.
    assert_eq!(value(&v["actual_strength"]), d("25.51") * d("0.98"));
    assert_eq!(v["pass"], true);
    fails(
        &[
            "verify",
            "sts-25-zinc-oxide",
            "--quantity",
            "100g",
            "--plan",
            &cert,
            "--assay",
            "99%",
            "--actual",
            "sts=25.51g",
            "--actual",
            "zinc-oxide-ointment=74.49g",
        ],
        &["`--assay`", "saved plan", "98 %"],
    );
    // Overage and balance too.
    let over = save_plan(
        &dir,
        "over.json",
        &["--overage", "5%", "--readability", "0.01g"],
    );
    let v = json(&[
        "verify",
        "sts-25-zinc-oxide",
        "--quantity",
        "100g",
        "--plan",
        &over,
        "--actual",
        "sts=26.25g",
        "--actual",
        "zinc-oxide-ointment=78.75g",
    ]);
    // 100 g + 5 % = 105 g, 25 % of it 26.25 g.
    assert_eq!(value(&v["plan"]["total"]), d("100") * d("1.05"));
    assert_eq!(value(&v["plan"]["balance"]["readability"]), d("0.01"));
    assert_eq!(value(&v["of_label"]), d("100"));
    fails(
        &[
            "verify",
            "sts-25-zinc-oxide",
            "--quantity",
            "100g",
            "--plan",
            &over,
            "--overage",
            "10%",
            "--actual",
            "sts=26.25g",
            "--actual",
            "zinc-oxide-ointment=78.75g",
        ],
        &["`--overage`", "saved plan", "5 %"],
    );
}

// ---- 4. An expired BUD goes onto syringe labels when --date is left out --------------------

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

// ---- 5. Container labels printed another day get another lot and BUD -------------------------

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

// ---- 6. --storage overrides the formula's "refrigerated storage only" ------------------------

#[test]
fn regression_a_storage_the_formula_does_not_allow_is_refused() {
    for storage in ["freezer", "room"] {
        fails(
            &[
                "batch",
                "sts-150-intralesional",
                "--quantity",
                "10mL",
                "--date",
                "2026-11-21",
                "--storage",
                storage,
            ],
            &[
                "`--storage`",
                "`refrigerator`",
                "sts-150-intralesional",
                &format!("found `{storage}`"),
            ],
        );
    }
    // The ointment allows a refrigerator: the record's storage line is the one chosen, without
    // the formula's room-temperature statement.
    let html = ok(&args(&[
        &["batch"],
        ZO_100G,
        DATE,
        &["--storage", "refrigerator", "--format", "html"],
    ]));
    let at = html.find("<td class=\"key\">Storage</td>").unwrap();
    let row = &html[at..at + html[at..].find("</tr>").unwrap()];
    assert!(row.contains("Store in a refrigerator (2-8 °C)"), "{row}");
    assert!(
        !row.contains("Store at controlled room temperature"),
        "{row}"
    );
    // A formula may not list a storage its rule gives no BUD for, nor leave out its usual one.
    let dir = temp_dir();
    let text = std::fs::read_to_string(root().join("formulas/sts-25-zinc-oxide.toml")).unwrap();
    std::fs::write(
        dir.path().join("sts-25-zinc-oxide.toml"),
        text.replace(
            "storages = [\"room\", \"refrigerator\"]",
            "storages = [\"room\", \"freezer\"]",
        ),
    )
    .unwrap();
    fails(
        &["--formulas", dir.path().to_str().unwrap(), "formulas"],
        &["`bud.storages`", "`freezer`", "795-nonaqueous-other"],
    );
    std::fs::write(
        dir.path().join("sts-25-zinc-oxide.toml"),
        text.replace(
            "storages = [\"room\", \"refrigerator\"]",
            "storages = [\"refrigerator\"]",
        ),
    )
    .unwrap();
    fails(
        &["--formulas", dir.path().to_str().unwrap(), "formulas"],
        &["`bud.storages`", "`room`", "`bud.storage`"],
    );
}

// ---- 8. Readability on paper ---------------------------------------------------------------

#[test]
fn regression_dates_stay_whole_the_bud_is_bold_and_headers_state_units_and_basis() {
    // The component expiry cell never wraps.
    let html = ok(&args(&[
        &["batch"],
        ZO_100G,
        DATE,
        &[
            "--component",
            "sts=LOT123@2027-01-31@Example Chemicals",
            "--format",
            "html",
        ],
    ]));
    assert!(
        html.contains("<td class=\"write date\">2027-01-31</td>"),
        "expiry cell"
    );
    assert!(html.contains("td.date { white-space: nowrap; }"));
    // The lot and BUD line of a label is bold.
    let sheet: serde_json::Value = serde_json::from_str(&ok(&args(&[
        &["labels", "sts-25-zinc-oxide", "--quantity", "30g"],
        DATE,
        &["--lot", "STS25ZO-20261121-01", "--format", "json"],
    ])))
    .unwrap();
    let lines = sheet["pages"][0]["labels"][0]["lines"].as_array().unwrap();
    let bud = lines
        .iter()
        .find(|l| l["text"].as_str().unwrap().contains("BUD 2027-05-19"))
        .unwrap();
    assert_eq!(bud["strong"], true);
    // The blank session sheet: the dose column states its basis is the preparation's, the size
    // column has no unit of its own.
    let blank = ok(&["session-sheet"]);
    assert!(!blank.contains(">Dose (mg)</th>"), "dose without basis");
    assert!(blank.contains("Dose (mg, basis as in Preparation)"));
    assert!(!blank.contains("Size (mm)"));
    // Filled: the size as written, its unit with it; a bare number is marked.
    let dir = temp_dir();
    let file = dir.path().join("visit.csv");
    std::fs::write(
        &file,
        "site,size,volume\nelbow,1.2 cm,0.2mL\nknee,12,0.2mL\n",
    )
    .unwrap();
    let html = ok(&[
        "session",
        "--lesion-file",
        file.to_str().unwrap(),
        "--format",
        "html",
    ]);
    assert!(
        html.contains("<th style=\"width: 12%\">Size</th>"),
        "size header"
    );
    assert!(html.contains("<td>1.2 cm</td>"));
    assert!(html.contains("12 (unit not given)"));
}

// ---- 9. The powder method's QC check prints on dilution records ------------------------------

#[test]
fn regression_qc_checks_print_only_for_their_methods() {
    let record = |method: &str| {
        ok(&[
            "batch",
            "sts-150-intralesional",
            "--quantity",
            "10mL",
            "--date",
            "2026-11-21",
            "--method",
            method,
            "--format",
            "html",
        ])
    };
    assert!(!record("dilution").contains("Filter integrity"));
    assert!(record("powder").contains("Filter integrity (bubble point)"));
    // Checks for every method print on both.
    assert!(record("dilution").contains("Volume in each container"));
    // A method the formula does not have, or methods on an ointment, are refused at load.
    let dir = temp_dir();
    let text = std::fs::read_to_string(root().join("formulas/sts-150-intralesional.toml")).unwrap();
    std::fs::write(
        dir.path().join("sts-150-intralesional.toml"),
        text.replace("methods = [\"powder\"]", "methods = [\"boiled\"]"),
    )
    .unwrap();
    fails(
        &["--formulas", dir.path().to_str().unwrap(), "formulas"],
        &["`qc`", "`boiled`", "`dilution`, `powder`"],
    );
    let text = std::fs::read_to_string(root().join("formulas/sts-25-zinc-oxide.toml")).unwrap();
    std::fs::write(
        dir.path().join("sts-150-intralesional.toml"),
        std::fs::read_to_string(root().join("formulas/sts-150-intralesional.toml")).unwrap(),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("sts-25-zinc-oxide.toml"),
        text.replace(
            "check = \"Appearance\"",
            "check = \"Appearance\"\nmethods = [\"powder\"]",
        ),
    )
    .unwrap();
    fails(
        &["--formulas", dir.path().to_str().unwrap(), "formulas"],
        &["sts-25-zinc-oxide.toml", "`qc`", "methods"],
    );
}

// ---- In a real browser: the failed record and the session sheet's second page ----------------

fn browser_here() -> bool {
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
fn pdf_pages(pdf: &std::path::Path) -> Vec<String> {
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

fn keep_png(pdf: &std::path::Path, name: &str, page: u32) {
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

#[test]
fn regression_the_printed_record_of_a_failed_batch_says_fail_and_its_percent_of_label() {
    if !browser_here() {
        return;
    }
    let dir = temp_dir();
    let pdf = dir.path().join("ver.pdf");
    let mut a = FAILED.to_vec();
    a.extend(["--format", "pdf", "-o", pdf.to_str().unwrap()]);
    crate::common::verify_failed(&a);
    keep_png(&pdf, "record-failed-verification", 1);
    let text = pdf_pages(&pdf).join(" ");
    assert!(text.contains("FAIL — DO NOT RELEASE"), "{text}");
    // 20 ÷ 95 ÷ 0.25 × 100 = 84.21… % of label (see the HTML test).
    assert!(text.contains("≈ 84.21 % of label"), "{text}");
    assert!(!text.contains("Sample as printed"), "{text}");
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

#[test]
fn regression_the_printed_component_expiry_is_not_broken_over_two_lines() {
    if !browser_here() {
        return;
    }
    let dir = temp_dir();
    let pdf = dir.path().join("record.pdf");
    ok(&[
        "batch",
        "sts-25-zinc-oxide",
        "--containers",
        "4x30g",
        "--date",
        "2026-11-21",
        "--component",
        "sts=LOT123@2027-01-31@Example Chemicals",
        "--component",
        "zinc-oxide-ointment=ZO-88812@2028-02@Example Pharma",
        "--format",
        "pdf",
        "-o",
        pdf.to_str().unwrap(),
    ]);
    keep_png(&pdf, "record-with-component-lots", 1);
    let text = pdf_pages(&pdf).join(" ");
    // 2028-02 is the last day of February 2028, a leap year: 2028-02-29.
    assert!(text.contains("2027-01-31"), "{text}");
    assert!(text.contains("2028-02-29"), "{text}");
}
