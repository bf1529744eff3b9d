//! The compounding record (`stscalc batch --format html`) of ointments and solutions: what it
//! prints, numbers by hand arithmetic.

use crate::common::{
    args, browser_here, d, fails, json, keep_png, ok, pdf_pages, record_html, root, stscalc,
    temp_dir, value, DATE, F, ZO_100G,
};

#[test]
fn measuring_step_note_on_powder_records() {
    let j = json(&[
        "batch",
        F,
        "--quantity",
        "10mL",
        "--method",
        "powder",
        "--assay",
        "100%",
        "--assay-basis",
        "as-is",
    ]);
    assert!(j["measure_step"].is_null());
    // 10 mL + 0.1 mL vial residual + 0.1 mL filter hold-up = 10.2 mL: the 20 mL flask.
    assert_eq!(value(&j["total"]), d("20"));
    let t = ok(&[
        "batch",
        F,
        "--quantity",
        "10mL",
        "--method",
        "powder",
        "--assay",
        "100%",
        "--assay-basis",
        "as-is",
    ]);
    assert!(!t.contains("Measuring step"), "{t}");
    let h = ok(&[
        "batch",
        F,
        "--quantity",
        "10mL",
        "--method",
        "powder",
        "--assay",
        "100%",
        "--assay-basis",
        "as-is",
        "--format",
        "html",
    ]);
    assert!(!h.contains("Measuring step"));
    let h = ok(&["batch", F, "--quantity", "10mL", "--format", "html"]);
    assert!(h.contains("Measuring step"));
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
    // The formula's `Volume in each container` check heads the fill table (a row per vial),
    // not a QC row of its own.
    assert!(html.contains("Expected: Not less than the labeled volume."));
    assert!(!html.contains("<td>Volume in each container</td>"));
    assert!(html.contains("Released by"));
    // The sample label says the route and the single-dose statement.
    let sample = &html[html.find("class=\"sample\"").unwrap()..];
    assert!(sample.contains("For intralesional injection"));
    assert!(sample.contains("Single-dose: discard any remainder."));
    assert!(sample.contains("Lot STS150I-20261121-01 BUD 2026-11-30"));
    assert!(html.contains("Sample as printed on Avery 5163"));
}

#[test]
fn the_record_of_a_solution_from_powder() {
    let html = solution_record(&[
        "--method",
        "powder",
        "--assay",
        "100%",
        "--assay-basis",
        "as-is",
        "--filter-hold-up",
        "0mL",
    ]);
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
fn the_record_shows_the_batch_its_lot_bud_and_component_lots() {
    let html = record_html(&[]);
    // Strength with its basis, form, route, the formula's id, version and hash.
    assert!(html.contains("25 % w/w (pentahydrate basis)"), "strength");
    assert!(html.contains("ointment, topical: For external use only"));
    assert!(html.contains("sts-25-zinc-oxide, version 1.0.0"));
    let catalog: serde_json::Value =
        serde_json::from_str(&ok(&["formulas", "--format", "json"])).unwrap();
    let sha = catalog
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["formula"]["id"] == "sts-25-zinc-oxide")
        .unwrap()["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(html.contains(&sha), "SHA-256");
    // 4 × 30 g = 120 g; 25 % of 120 g = 30 g of pentahydrate, the base 120 − 30 = 90 g.
    assert!(html.contains("<strong>30 g</strong>"), "active to weigh");
    assert!(html.contains("<strong>90 g</strong>"), "base to weigh");
    assert!(html.contains("<strong>120 g</strong>"), "total");
    // Lot, date and time, BUD come from the batch record (issue 5): with a fixed date, the lot is
    // STS25ZO-20261121-01 and the BUD 180 days counting 2026-11-21 as day 1, 2027-05-19.
    let dated = record_html(&["--date", "2026-11-21T09:30"]);
    for (key, value) in [
        ("Lot number", "<strong>STS25ZO-20261121-01</strong>"),
        ("Date and time", "2026-11-21 09:30"),
        ("Beyond-use date", "<strong>2027-05-19</strong>"),
    ] {
        let at = dated.find(key).unwrap_or_else(|| panic!("{key}"));
        let row_end = at + dated[at..].find("</tr>").unwrap();
        assert!(dated[at..row_end].contains(value), "{key}: {value}");
    }
    // A component lot fills its cells; the base's lot, not given, stays a write-in blank.
    let with_lot = record_html(&args(&[
        DATE,
        &["--component", "sts=LOT123@2027-01-31@Example Chemicals"],
    ]));
    assert!(with_lot.contains("<td class=\"write lot\">LOT123</td>"));
    assert!(with_lot.contains("<td class=\"write\">Example Chemicals</td>"));
    assert!(
        with_lot.contains("<strong>2027-01-31</strong>"),
        "BUD set by the lot"
    );
    // The component table has blank cells for manufacturer, lot, expiry, actual weight, initials.
    for head in ["Manufacturer", "Lot", "Expiry", "Actual weight", "Initials"] {
        assert!(html.contains(&format!("<th>{head}</th>")), "{head}");
    }
    // The calculation, step by step, the method and the QC checks with expected results.
    assert!(html.contains("Batch: 4 × 30 g = 120 g"));
    assert!(html.contains("Triturate the powder"));
    assert!(html.contains("No particles felt or seen"));
    assert!(html.contains("Released by"));
    // The sample label, as on the default stock.
    assert!(html.contains("Sample as printed on Avery 5163"));
    // Print CSS: real page size and margins; rows never split across pages.
    assert!(html.contains("size: letter;"));
    assert!(html.contains("tr, li, .keep { break-inside: avoid;"));
    assert!(record_html(&["--paper", "a4"]).contains("size: A4;"));
}

#[test]
fn formats_other_than_sheets_are_unchanged() {
    // The batch's text and JSON formats still work with the new options present.
    let out = stscalc(&args(&[&["batch"], ZO_100G]));
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("Sodium thiosulfate"));
}

// ---- A batch made at another strength is titled and numbered with the default's -------

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

// ---- --storage overrides the formula's "refrigerated storage only" ------------------------

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

// ---- Readability on paper ---------------------------------------------------------------

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

// ---- The powder method's QC check prints on dilution records ------------------------------

#[test]
fn regression_qc_checks_print_only_for_their_methods() {
    let record = |method: &str| {
        let mut a = vec![
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
        ];
        // From powder the lot's certificate is required (a 100 % as-is assay: factor 1).
        if method == "powder" {
            a.extend(["--assay", "100%", "--assay-basis", "as-is"]);
        }
        ok(&a)
    };
    assert!(!record("dilution").contains("Filter integrity"));
    assert!(record("powder").contains("Filter integrity (bubble point)"));
    // Checks for every method print on both (the volume check heads the fill table).
    for method in ["dilution", "powder"] {
        assert!(record(method).contains("Expected: Not less than the labeled volume."));
    }
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

/// A check's `kind` places it where the record already asks for it: the 10 % solution's
/// `Volume in each bottle` (a name the old name matching did not know) heads the fill table
/// instead of printing again as a row of its own; the same check without `kind` still prints
/// as its own row, and an unknown kind is refused at load.
#[test]
fn regression_a_fill_check_named_otherwise_is_placed_by_its_kind() {
    let record = |dir: Option<&str>| {
        let mut a = vec![];
        if let Some(d) = dir {
            a.extend(["--formulas", d]);
        }
        a.extend([
            "batch",
            "sts-10-topical-solution",
            "--quantity",
            "100mL",
            "--date",
            "2026-12-01",
            "--format",
            "html",
        ]);
        ok(&a)
    };
    let html = record(None);
    assert!(html.contains("Expected: Not less than the labeled volume."));
    assert!(
        !html.contains("<td>Volume in each bottle</td>"),
        "printed twice"
    );
    let text =
        std::fs::read_to_string(root().join("formulas/sts-10-topical-solution.toml")).unwrap();
    let dir = temp_dir();
    let d = dir.path().to_str().unwrap();
    let file = dir.path().join("sts-10-topical-solution.toml");
    std::fs::write(&file, text.replace("kind = \"fill\"\n", "")).unwrap();
    assert!(record(Some(d)).contains("<td>Volume in each bottle</td>"));
    std::fs::write(&file, text.replace("kind = \"fill\"", "kind = \"weight\"")).unwrap();
    fails(
        &["--formulas", d, "formulas"],
        &["sts-10-topical-solution.toml", "kind", "weight"],
    );
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

/// The record's GS1 DataMatrix carries the formula as company internal information (91), or as
/// the site's product number (01) when its formula file sets `gtin`; a GTIN with a wrong check
/// digit is refused when the formula is loaded.
#[test]
fn the_record_barcode_carries_the_site_gtin_when_the_formula_sets_one() {
    let record = |extra: &[&str]| {
        let mut a = extra.to_vec();
        a.extend([
            "batch",
            "sts-25-zinc-oxide",
            "--quantity",
            "100g",
            "--date",
            "2026-11-21T09:30",
            "--format",
            "html",
        ]);
        ok(&a)
    };
    let html = record(&[]);
    // Lot STS25ZO-20261121-01; BUD 2027-05-19 (180 days counting 2026-11-21 as day 1:
    // 2026-11-21 + 179 days = 2027-05-19).
    let day1 = chrono::NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
    assert_eq!((day1 + chrono::Days::new(179)).to_string(), "2027-05-19");
    for hri in [
        "<span>(17)270519</span>",
        "<span>(10)STS25ZO-20261121-01</span>",
        "<span>(91)sts-25-zinc-oxide</span>",
    ] {
        assert!(html.contains(hri), "{hri}");
    }
    assert!(html.contains("<div class=\"gs1\"><svg"));
    let dir = temp_dir();
    let text = std::fs::read_to_string(root().join("formulas/sts-25-zinc-oxide.toml")).unwrap();
    let with = |gtin: &str| {
        let mut out = String::new();
        for line in text.lines() {
            out.push_str(line);
            out.push('\n');
            if line.starts_with("version = ") {
                out.push_str(&format!("gtin = \"{gtin}\"\n"));
            }
        }
        std::fs::write(dir.path().join("sts-25-zinc-oxide.toml"), out).unwrap();
    };
    // 0950600013435 with its check digit 2 (GS1 General Specifications' example; the digit is
    // worked by hand in tests/gs1.rs).
    with("09506000134352");
    let html = record(&["--formulas", dir.path().to_str().unwrap()]);
    assert!(html.contains("<span>(01)09506000134352</span>"));
    assert!(!html.contains("(91)"));
    with("09506000134353");
    fails(
        &["--formulas", dir.path().to_str().unwrap(), "formulas"],
        &["`gtin`", "check digit 2, found 3"],
    );
}

#[test]
fn regression_an_off_target_batch_record_title_and_labels_state_the_same_strength() {
    // 170 mg/mL from 250 mg/mL is 17 : 8; for 0.64 mL + 0.1 mL residual = 0.74 mL no volume up
    // to 1.48 mL is whole 0.1 mL steps in that ratio, so 1.9 mL is made (stock 1.3 + diluent
    // 0.6 mL): 250 × 1.3 ÷ 1.9 = 171.0526… mg/mL, ≈ 100.62 %. The label stated ≈ 171.05 while
    // the record's title, strength and notice said "made at 170 mg/mL".
    let made = d("250") * d("1.3") / d("1.9");
    assert_eq!(made.round_dp(2), d("171.05"));
    let cmd = [
        "batch",
        F,
        "--quantity",
        "0.64mL",
        "--strength",
        "170mg/mL",
        "--date",
        "2026-11-21",
    ];
    let j = json(&cmd);
    assert_eq!(value(&j["made"]), made);
    assert_eq!(j["made_exactly"], false);
    let title = "Sodium thiosulfate ≈ 171.05 mg/mL (pentahydrate basis), injection (sterile solution), intralesional";
    assert_eq!(j["title"], title);
    let mut html_args = cmd.to_vec();
    html_args.extend(["--format", "html"]);
    let html = ok(&html_args);
    assert!(html.matches(title).count() >= 2, "title and heading");
    assert!(
        html.contains("≈ 171.05 mg/mL (pentahydrate basis), asked for 170 mg/mL"),
        "strength row"
    );
    assert!(
        html.contains("This batch was asked for at 170 mg/mL and is made at ≈ 171.05 mg/mL"),
        "notice"
    );
    assert!(!html.contains("This batch is made at 170 mg/mL"), "notice");
    // The record's sample label and the labels command state the same strength and volume:
    // 1.9 mL in one vial.
    let sample = &html[html.find("Sample as printed").unwrap().saturating_sub(2000)..];
    assert!(sample.contains("≈ 171.05 mg/mL"), "sample label");
    let labels = ok(&[
        "labels",
        F,
        "--quantity",
        "0.64mL",
        "--strength",
        "170mg/mL",
        "--date",
        "2026-11-21",
        "--lot",
        "STS170I-20261121-01",
        "--method",
        "dilution",
    ]);
    assert!(
        labels.contains("Sodium thiosulfate ≈ 171.05 mg/mL (pentahydrate"),
        "{labels}"
    );
    assert!(labels.contains("Net 1.9 mL."), "{labels}");
    let t = ok(&cmd);
    assert!(t.starts_with(title), "{t}");
    assert!(
        t.contains("Strength: ≈ 171.05 mg/mL (pentahydrate basis), asked for 170 mg/mL"),
        "{t}"
    );

    // `--quantity 1.25mL` at 150: 1.25 + 0.1 = 1.35 mL, made as 1.5 mL (0.9 + 0.6 mL, exactly
    // 150): the record's batch, its container and its label all say 1.5 mL, the title 150.
    assert_eq!(d("250") * d("0.9") / d("1.5"), d("150"));
    let html = ok(&["batch", F, "--quantity", "1.25mL", "--format", "html"]);
    assert!(
        html.contains("1.25 mL asked for, 1.5 mL to make"),
        "batch row"
    );
    assert!(html.contains("it holds 1.5 mL"), "containers");
    assert!(html.contains("Net 1.5 mL."), "label");
    assert!(!html.contains("Net 1.25 mL"), "label");
    assert!(html.contains("Sodium thiosulfate 150 mg/mL (pentahydrate basis), injection"));

    // An ointment at 22 % w/w: title, strength, label and lot all say 22.
    let html = ok(&args(&[
        &["batch"],
        ZO_100G,
        &["--strength", "22%", "--format", "html"],
    ]));
    let title =
        "Sodium thiosulfate 22 % w/w (pentahydrate basis), ointment in Zinc Oxide Ointment USP";
    assert!(html.matches(title).count() >= 2, "title and heading");
    let sample = &html[html.find("Sample as printed").unwrap().saturating_sub(2000)..];
    assert!(
        sample.contains("Sodium thiosulfate 22 % w/w (pentahydrate"),
        "label"
    );
    assert!(html.contains("STS22ZO-"), "lot");
    assert!(
        !html.contains("25 % w/w (pentahydrate basis)"),
        "the default's strength"
    );
}
