//! The printable sheets without a browser: the HTML they are made of, label placement and the
//! fit check by hand arithmetic, templates from a folder, and every bad input of the issue.

use std::process::Command;

use crate::common::{args, d, fails, ok, root, stscalc, temp_dir, DATE, ZO_100G};

const BATCH: [&str; 4] = ["sts-25-zinc-oxide", "--containers", "4x30g", "--facility"];

fn record_html(extra: &[&str]) -> String {
    let mut a = vec!["batch"];
    a.extend(BATCH);
    a.push("Hill Pharmacy, 555-0100");
    a.extend(extra);
    a.extend(["--format", "html"]);
    ok(&a)
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
    assert!(html.contains("Sample as printed on Avery 5160"));
    // Print CSS: real page size and margins; rows never split across pages.
    assert!(html.contains("size: letter;"));
    assert!(html.contains("tr, li, .keep { break-inside: avoid;"));
    assert!(record_html(&["--paper", "a4"]).contains("size: A4;"));
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

fn labels_json(args: &[&str]) -> serde_json::Value {
    let mut a = vec!["labels"];
    a.extend(args);
    a.extend(["--format", "json"]);
    serde_json::from_str(&ok(&a)).unwrap()
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
            "28",
        ],
    ]));
    // 4 containers + 2 copies = 6 labels; positions 29 and 30 of sheet 1, then 1 to 4 of sheet 2.
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
    assert_eq!(positions(&pages[0]), [29, 30]);
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
    // Position 29 on Avery 5160 is row 10, column 2: 3/16 in + 2 3/4 in from the left edge,
    // 1/2 in + 9 × 1 in from the top; in millimetres (× 25.4).
    let l = &pages[0]["labels"][0];
    let css = |s: &serde_json::Value| d(s.as_str().unwrap().trim_end_matches("mm"));
    assert_eq!(css(&l["left"]), (d("0.1875") + d("2.75")) * d("25.4"));
    assert_eq!(css(&l["top"]), (d("0.5") + d("9") * d("1")) * d("25.4"));
    assert_eq!(
        (l["row"].as_u64(), l["column"].as_u64()),
        (Some(10), Some(2))
    );
}

#[test]
fn the_fit_check_is_written_on_the_sheet() {
    let sheet = labels_json(&args(&[
        &["sts-25-zinc-oxide", "--quantity", "60g"],
        DATE,
        &["--lot", "STS25ZO-20261121-01"],
    ]));
    // Avery 5160 at 6 pt: (66.675 − 2 × 1.5) mm ÷ (0.61 × 6 × 25.4 / 72) mm = 49.3 → 49
    // characters; (25.4 − 2 × 1) mm ÷ (1.1 × 6 × 25.4 / 72) mm = 10.05 → 10 lines.
    let chars = (d("66.675") - d("3")) / (d("0.61") * d("6") * d("25.4") / d("72"));
    let lines = (d("25.4") - d("2")) / (d("1.1") * d("6") * d("25.4") / d("72"));
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
        assert!(lines.len() <= 10);
        for l in lines {
            assert!(l["text"].as_str().unwrap().chars().count() <= 49, "{l}");
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
        ],
        &[
            "needs",
            "lines",
            "avery-5160",
            "holds 10",
            "--label-stock avery-5163",
        ],
    );
    // The record's sample label says so too.
    let record = ok(&[
        "batch",
        "sts-25-zinc-oxide",
        "--containers",
        "2x30g",
        "--facility",
        long,
        "--format",
        "html",
    ]);
    assert!(record.contains("This text does not fit Avery 5160"));
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
            &"W".repeat(60),
        ],
        &["longer than a label line", "49 characters"],
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
                "30",
            ],
        ]),
        &["`--skip`", "0 to 29", "avery-5160", "found `30`"],
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

/// Writes the embedded templates into a fresh folder.
fn exported() -> tempfile::TempDir {
    let dir = temp_dir();
    let out = ok(&["templates", dir.path().to_str().unwrap()]);
    assert_eq!(out.lines().count(), 4, "{out}");
    dir
}

#[test]
fn a_template_folder_replaces_the_embedded_templates() {
    let dir = exported();
    let t = dir.path().to_str().unwrap();
    let embedded = record_html(&[]);
    assert_eq!(record_html(&["--templates", t]), embedded);
    // A site's change shows.
    let record = dir.path().join("record.html");
    let text = std::fs::read_to_string(&record).unwrap().replace(
        "<h1>Compounding record</h1>",
        "<h1>Hill Pharmacy batch record</h1>",
    );
    std::fs::write(&record, text).unwrap();
    assert!(record_html(&["--templates", t]).contains("Hill Pharmacy batch record"));
    // Exporting again refuses to replace them without --force.
    fails(&["templates", t], &["already exists", "--force"]);
}

#[test]
fn a_template_folder_missing_a_template_is_refused() {
    let dir = exported();
    std::fs::remove_file(dir.path().join("labels.html")).unwrap();
    let t = dir.path().to_str().unwrap();
    fails(
        &[
            "batch",
            "sts-25-zinc-oxide",
            "--quantity",
            "100g",
            "--format",
            "html",
            "--templates",
            t,
        ],
        &["template `labels.html`", "missing", "stscalc templates DIR"],
    );
}

#[test]
fn a_template_syntax_error_names_the_template_and_line() {
    let dir = exported();
    let record = dir.path().join("record.html");
    let text = std::fs::read_to_string(&record).unwrap();
    // Break the line of the title block.
    let mut lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("{% block title %}"))
        .unwrap();
    lines[at] = "{% block title %}{% if %}{% endblock title %}";
    std::fs::write(&record, lines.join("\n")).unwrap();
    let expected = format!("template `record.html`, line {}", at + 1);
    let t = dir.path().to_str().unwrap();
    fails(
        &[
            "batch",
            "sts-25-zinc-oxide",
            "--quantity",
            "100g",
            "--format",
            "html",
            "--templates",
            t,
        ],
        &[&expected],
    );
    // A field the data does not have is named with its line when the sheet is rendered.
    let session = dir.path().join("session-sheet.html");
    let text = std::fs::read_to_string(&session)
        .unwrap()
        .replace("{{ l.number }}", "{{ l.numbr }}");
    std::fs::write(&session, &text).unwrap();
    let line = text.lines().position(|l| l.contains("l.numbr")).unwrap() + 1;
    std::fs::write(
        &record,
        std::fs::read_to_string(root().join("templates/record.html")).unwrap(),
    )
    .unwrap();
    fails(
        &["session-sheet", "--templates", t],
        &[
            &format!("template `session-sheet.html`, line {line}"),
            "numbr",
        ],
    );
}

#[test]
fn an_output_path_in_a_missing_folder_is_refused() {
    for format in ["html", "pdf"] {
        fails(
            &[
                "batch",
                "sts-25-zinc-oxide",
                "--quantity",
                "100g",
                "--format",
                format,
                "-o",
                "/nonexistent-folder/record.out",
            ],
            &["/nonexistent-folder", "does not exist"],
        );
    }
    fails(
        &args(&[
            &["labels", "sts-25-zinc-oxide"],
            DATE,
            &[
                "--lot",
                "STS25ZO-20261121-01",
                "--quantity",
                "100g",
                "--format",
                "pdf",
                "-o",
                "/nonexistent-folder/labels.pdf",
            ],
        ]),
        &["does not exist"],
    );
}

#[test]
fn pdf_without_chromium_says_what_to_install() {
    let out = Command::new(env!("CARGO_BIN_EXE_stscalc"))
        .args([
            "batch",
            "sts-25-zinc-oxide",
            "--quantity",
            "100g",
            "--format",
            "pdf",
        ])
        .env("STSCALC_CHROMIUM", "/nonexistent/chromium")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains("/nonexistent/chromium"), "{err}");
    assert!(err.contains("Debian package `chromium`"), "{err}");
    assert!(out.stdout.is_empty());
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
fn formats_other_than_sheets_are_unchanged() {
    // The batch's text and JSON formats still work with the new options present.
    let out = stscalc(&args(&[&["batch"], ZO_100G]));
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("Sodium thiosulfate"));
}
