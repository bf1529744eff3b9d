//! Issue 8 §6: the JSON says what the text says, the saved plan reproduces the record's labels,
//! and no sheet meant for people prints an internal identifier or note.
//!
//! The JSON checks walk every object of every command's JSON, not a sample of fields: every
//! object with a `text` must have that text printed by the same command.

use std::process::Output;

use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::Value;

use crate::common::{args, d, json, ok, root, stscalc, temp_dir, value, DATE, ZO_100G};

/// One command of the suite: its arguments, and for `verify` the batch whose plan the
/// verification's JSON embeds (`plan`): the verify sheet prints the weighings and the result,
/// while that plan's own figures are what `stscalc batch` prints for the same request.
struct Case {
    args: Vec<&'static str>,
    embeds_batch: Option<Vec<&'static str>>,
    /// `verify` of a batch out of tolerance exits 1 after printing its report.
    fails: bool,
}

fn case(args: &[&'static str]) -> Case {
    Case {
        args: args.to_vec(),
        embeds_batch: None,
        fails: false,
    }
}

/// Every command that prints JSON and text: a batch of each shipped formula and method (with an
/// assay and an overage, so that strengths and shares are not round), verify passing and
/// failing, a session, a series, a supply, container and syringe labels.
fn cases() -> Vec<Case> {
    let verify_batch = vec![
        "batch",
        "sts-25-zinc-oxide",
        "--quantity",
        "100g",
        "--date",
        "2026-11-21",
    ];
    let verify = |sts: &'static str, fails: bool| {
        let mut args = verify_batch.clone();
        args[0] = "verify";
        args.extend(["--actual", sts, "--actual", "zinc-oxide-ointment=75g"]);
        Case {
            args,
            embeds_batch: Some(verify_batch.clone()),
            fails,
        }
    };
    vec![
        case(&[
            "batch",
            "sts-25-zinc-oxide",
            "--quantity",
            "100g",
            "--assay",
            "99.5%",
            "--assay-basis",
            "as-is",
            "--overage",
            "3%",
            "--date",
            "2026-11-21",
        ]),
        case(&[
            "batch",
            "sts-20-petrolatum",
            "--quantity",
            "50g",
            "--assay",
            "99.7%",
            "--assay-basis",
            "as-is",
            "--date",
            "2026-11-21",
        ]),
        case(&[
            "batch",
            "sts-25-petrolatum",
            "--containers",
            "2x30g",
            "--assay",
            "99.7%",
            "--assay-basis",
            "as-is",
            "--date",
            "2026-11-21",
            "--component",
            "sts=A1@2027-01-31",
        ]),
        case(&[
            "batch",
            "sts-150-intralesional",
            "--quantity",
            "10mL",
            "--method",
            "dilution",
            "--date",
            "2026-11-21",
        ]),
        case(&[
            "batch",
            "sts-150-intralesional",
            "--quantity",
            "7mL",
            "--method",
            "powder",
            "--assay",
            "99.6%",
            "--assay-basis",
            "as-is",
            "--date",
            "2026-11-21",
        ]),
        verify("sts=25.3g", false),
        verify("sts=20g", true),
        case(&["session", "--lesions", "3", "--per-lesion", "0.23mL"]),
        case(&["session", "--lesion", "0.125mL", "--lesion", "0.33mL"]),
        // Doses prescribed in mg: `prescribed_mass` is printed in mg (25 mg, not 0.025 g).
        case(&[
            "session",
            "--lesion",
            "25mg",
            "--lesion",
            "600mg",
            "--override-reason",
            "tested",
        ]),
        case(&[
            "session",
            "--lesions",
            "2",
            "--per-lesion",
            "0.2mL",
            "--sessions",
            "4",
            "--start",
            "2026-11-23",
        ]),
        case(&[
            "supply",
            "sts-25-zinc-oxide",
            "--per-application",
            "1.3g",
            "--per-day",
            "2",
            "--days",
            "30",
        ]),
        case(&[
            "labels",
            "sts-25-zinc-oxide",
            "--containers",
            "3x30g",
            "--date",
            "2026-11-21",
            "--lot",
            "STS25ZO-20261121-01",
        ]),
        case(&[
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
        ]),
    ]
}

/// Runs a case in one format; a failing verification still prints its report.
fn run(c: &Case, format: &str) -> String {
    let mut args = c.args.clone();
    args.extend(["--format", format]);
    let out: Output = stscalc(&args);
    let expected = if c.fails { 1 } else { 0 };
    assert_eq!(
        out.status.code(),
        Some(expected),
        "stscalc {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The text a person reads for a case: its own, and for verify also the embedded batch's.
fn printed(c: &Case) -> String {
    let mut text = run(c, "text");
    if let Some(batch) = &c.embeds_batch {
        text.push_str(&ok(batch));
    }
    text
}

/// Calls `f(path, object)` for every object in `v`.
fn walk<'a>(v: &'a Value, path: &str, f: &mut dyn FnMut(&str, &'a Value)) {
    match v {
        Value::Object(m) => {
            f(path, v);
            for (k, x) in m {
                walk(x, &format!("{path}.{k}"), f);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                walk(x, &format!("{path}[{i}]"), f);
            }
        }
        _ => {}
    }
}

/// Calls `f(path, string)` for every string in `v`.
fn strings<'a>(v: &'a Value, path: &str, f: &mut dyn FnMut(&str, &'a str)) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                strings(x, &format!("{path}.{k}"), f);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                strings(x, &format!("{path}[{i}]"), f);
            }
        }
        Value::String(s) => f(path, s),
        _ => {}
    }
}

/// A quantity's `text` read back: the number (without `≈` and thousands separators) and its
/// unit, when the text is a plain `number unit`.
fn read_text(text: &str) -> Option<(bool, Decimal, &str)> {
    let (approx, rest) = match text.strip_prefix("≈ ") {
        Some(r) => (true, r),
        None => (false, text),
    };
    let (number, unit) = rest.split_once(' ')?;
    let number = Decimal::from_str_exact(&number.replace(',', "")).ok()?;
    Some((approx, number, unit))
}

#[test]
fn json_text_fields_are_exactly_what_the_text_prints_for_every_command() {
    for c in cases() {
        let text = printed(&c);
        let j: Value = serde_json::from_str(&run(&c, "json")).expect("valid JSON");
        let mut checked = 0;
        walk(&j, "", &mut |path, o| {
            let Some(t) = o.get("text").and_then(Value::as_str) else {
                return;
            };
            checked += 1;
            assert!(
                text.contains(t),
                "stscalc {:?}: JSON {path}.text `{t}` is not in the text output:\n{text}",
                c.args
            );
            // Stricter for a quantity whose text is in its own unit: the text is its exact
            // value, or the value rounded (half away from zero) to the places shown and marked
            // `≈`: never a different number.
            let (Some(v), Some(unit)) = (
                o.get("value").and_then(Value::as_str),
                o.get("unit").and_then(Value::as_str),
            ) else {
                return;
            };
            let Some((approx, shown, text_unit)) = read_text(t) else {
                return;
            };
            if text_unit != unit {
                return; // e.g. a session's mass, valued in g and read in mg
            }
            let exact = d(v);
            if approx {
                let places = shown.scale();
                let rounded =
                    exact.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
                assert_eq!(rounded, shown, "{:?} {path}: `{t}` for {v}", c.args);
                assert_ne!(rounded, exact, "{:?} {path}: `≈` on an exact {v}", c.args);
            } else {
                assert_eq!(shown, exact, "{:?} {path}: `{t}` for {v}", c.args);
            }
        });
        assert!(checked > 5, "{:?}: only {checked} texts", c.args);
    }
}

#[test]
fn json_decimals_have_no_trailing_zeros_for_every_command() {
    // `change_percent` was written `4.00`: a decimal in the JSON is written normalized.
    for c in cases() {
        let j: Value = serde_json::from_str(&run(&c, "json")).unwrap();
        strings(&j, "", &mut |path, s| {
            if let Some((_, frac)) = s.split_once('.') {
                let numeric = Decimal::from_str_exact(s).is_ok();
                assert!(
                    !(numeric && frac.ends_with('0')),
                    "{:?} {path}: `{s}` has a trailing zero",
                    c.args
                );
            }
        });
        walk(&j, "", &mut |path, o| {
            for (k, x) in o.as_object().unwrap() {
                assert!(!x.is_f64(), "{:?} {path}.{k}: a float {x}", c.args);
            }
        });
    }
}

#[test]
fn every_json_quantity_is_a_value_unit_text_object() {
    // `limits[].limit` was `{"amount": 180, ...}`: whatever has a unit and a text carries its
    // exact value as a string, like every other quantity.
    for c in cases() {
        let j: Value = serde_json::from_str(&run(&c, "json")).unwrap();
        walk(&j, "", &mut |path, o| {
            if o.get("unit").is_some() && o.get("text").is_some() {
                let v = o.get("value").and_then(Value::as_str);
                assert!(
                    v.is_some_and(|v| Decimal::from_str_exact(v).is_ok()),
                    "{:?} {path}: no exact `value` in {o}",
                    c.args
                );
                assert!(o.get("amount").is_none(), "{:?} {path}: {o}", c.args);
            }
        });
    }
}

#[test]
fn bud_limit_is_a_quantity_object_regression() {
    // USP <795> (2023): a nonaqueous ointment keeps 180 days at room temperature.
    let j = json(&args(&[&["batch"], ZO_100G, DATE]));
    let limits = j["record"]["bud"]["limits"].as_array().unwrap();
    let limit = &limits[0]["limit"];
    assert_eq!(limit["value"], "180");
    assert_eq!(limit["unit"], "days");
    assert_eq!(limit["text"], "180 days");
    assert_eq!(j["record"]["bud"]["rule"]["limit"]["value"], "180");
}

#[test]
fn strength_from_rounded_text_is_the_printed_one_regression() {
    // Assay 99.5 % as is: 25 g ÷ 0.995 = 25.125628… g → 25.126 g (0.001 g). The strength from
    // the rounded weight: 25.126 × 0.995 ÷ 100 g × 100 = 25.00037 % w/w, read to 0.0001 %:
    // ≈ 25.0004 % w/w. The stock is 25.126 g of 100 g, 25.126 %, read to 0.01 %: ≈ 25.13 %.
    let args = [
        "batch",
        "sts-25-zinc-oxide",
        "--quantity",
        "100g",
        "--assay",
        "99.5%",
        "--assay-basis",
        "as-is",
        "--date",
        "2026-11-21",
    ];
    let j = json(&args);
    let text = ok(&args);
    let from_rounded = &j["strength_check"]["from_rounded"];
    assert_eq!(
        value(from_rounded),
        d("25.126") * d("0.995") / d("100") * d("100")
    );
    assert_eq!(from_rounded["text"], "≈ 25.0004 % w/w");
    assert!(text.contains("Strength from the rounded quantities: ≈ 25.0004 % w/w"));
    let stock = &j["composition"][0]["percent"];
    assert_eq!(value(stock), d("25.126"));
    assert_eq!(stock["text"], "≈ 25.13 % w/w");
    assert!(
        j["composition"][0].get("text").is_none(),
        "one text per value"
    );
    // The base, 100 − 25.126 = 74.874 g, is 20 % zinc oxide: 14.9748 g of 100 g, ≈ 14.97 %.
    let zinc = &j["composition"][1]["percent"];
    assert_eq!(value(zinc), (d("100") - d("25.126")) * d("0.20"));
    assert_eq!(zinc["text"], "≈ 14.97 % w/w");
    assert!(text.contains("≈ 14.97 % w/w"));
}

#[test]
fn verify_actual_strength_and_of_label_text_are_the_printed_ones_regression() {
    // 25.3 g of pentahydrate in 25.3 + 75 = 100.3 g: 25.3 ÷ 100.3 × 100 = 25.224327… % w/w,
    // ≈ 25.22 %; of a 25 % label: 25.224327… ÷ 25 × 100 = 100.897308… %, ≈ 100.9 %.
    let args = [
        "verify",
        "sts-25-zinc-oxide",
        "--quantity",
        "100g",
        "--date",
        "2026-11-21",
        "--actual",
        "sts=25.3g",
        "--actual",
        "zinc-oxide-ointment=75g",
    ];
    let j = json(&args);
    let text = ok(&args);
    let strength = d("25.3") / d("100.3") * d("100");
    assert_eq!(value(&j["actual_strength"]), strength);
    assert_eq!(j["actual_strength"]["text"], "≈ 25.22 % w/w");
    assert_eq!(value(&j["of_label"]), strength / d("25") * d("100"));
    assert_eq!(j["of_label"]["text"], "≈ 100.9 %");
    assert!(
        text.contains("Actual strength: ≈ 25.22 % w/w (≈ 100.9 % of label)"),
        "{text}"
    );
}

#[test]
fn session_change_percent_has_no_trailing_zeros_regression() {
    // 0.125 mL on a 0.01 mL graduation: 0.13 mL (halves away from zero), a change of
    // (0.13 − 0.125) ÷ 0.125 × 100 = 4 %, written `4`, not `4.00`.
    let j = json(&["session", "--lesion", "0.125mL", "--lesion", "0.33mL"]);
    let l = &j["lesions"][0];
    assert_eq!(l["drawn"]["value"], "0.13");
    assert_eq!(l["change_percent"], "4");
    assert_eq!(j["lesions"][1]["change_percent"], "0");
}

/// The lines of the text's `Warnings:` section.
fn printed_warnings(text: &str) -> Vec<String> {
    text.split_once("\nWarnings:\n")
        .map(|(_, rest)| {
            rest.lines()
                .map_while(|l| l.strip_prefix("  ! "))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn verify_json_warnings_hold_every_warning_the_text_prints() {
    for c in cases().into_iter().filter(|c| c.args[0] == "verify") {
        let text = run(&c, "text");
        let j: Value = serde_json::from_str(&run(&c, "json")).unwrap();
        let listed: Vec<String> = j["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w.as_str().unwrap().to_string())
            .collect();
        let shown = printed_warnings(&text);
        // The plan's warning (no component lots) is printed, so it is in `warnings` too.
        assert!(
            shown
                .iter()
                .any(|w| w.starts_with("no lot or expiry recorded")),
            "{shown:?}"
        );
        assert_eq!(listed, shown, "{:?}", c.args);
    }
}

/// HTML back to the characters a person reads.
fn unescape(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

/// Every sheet a person reads: each case's text, and the HTML of the compounding records
/// (each formula and method, verified), the filled and blank session sheets and the labels.
fn sheets_for_people() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for c in cases() {
        out.push((format!("{:?}", c.args), run(&c, "text")));
        if c.args[0] == "session" && c.args.contains(&"--sessions") {
            continue; // a series prints no sheet
        }
        let mut html = Case {
            args: c.args.clone(),
            embeds_batch: None,
            fails: c.fails,
        };
        if c.args[0] == "session" {
            html.args.extend([
                "--date",
                "2026-11-23",
                "--lot",
                "STS150I-20261121-01",
                "--bud",
                "2026-11-30",
            ]);
        }
        if c.args[0] == "supply" {
            continue; // text and JSON only
        }
        out.push((format!("{:?} html", c.args), unescape(&run(&html, "html"))));
    }
    for args in [&["formulas"][..], &["session-sheet", "--format", "html"]] {
        out.push((format!("{args:?}"), unescape(&ok(args))));
    }
    out
}

/// The ids of the rules in data/bud-rules.toml: keys for the data file, never printed.
fn rule_ids() -> Vec<String> {
    let rules = std::fs::read_to_string(root().join("data/bud-rules.toml")).unwrap();
    let ids: Vec<String> = rules
        .lines()
        .filter_map(|l| l.strip_prefix("id = \""))
        .map(|l| l.trim_end_matches('"').to_string())
        .collect();
    assert!(ids.len() >= 10, "{ids:?}");
    ids
}

#[test]
fn sheets_print_no_internal_identifiers_or_notes() {
    let ids = rule_ids();
    for (what, sheet) in sheets_for_people() {
        let lower = sheet.to_lowercase();
        for note in ["domain.md", "§", "seeds/", "seed 0", "seed-0", "usp rule `"] {
            assert!(!lower.contains(note), "{what}: prints `{note}`:\n{sheet}");
        }
        for id in &ids {
            assert!(!sheet.contains(id.as_str()), "{what}: prints rule id {id}");
        }
        // A data file's field name in backticks (`max_dose_change`) is an internal key.
        for (i, part) in sheet.split('`').enumerate() {
            let key = i % 2 == 1
                && part.contains('_')
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.');
            assert!(!key, "{what}: prints the data key `{part}`");
        }
    }
}

#[test]
fn a_bud_rule_is_named_by_its_source() {
    let text = ok(&args(&[
        &[
            "batch",
            "sts-150-intralesional",
            "--quantity",
            "10mL",
            "--method",
            "dilution",
        ],
        DATE,
    ]));
    assert!(
        text.contains(
            "Beyond-use date: 2026-11-30 — set by USP <797> (2023), Category 2 CSP, aseptically processed, not sterility tested, prepared only from sterile starting components: 10 days in a refrigerator"
        ),
        "{text}"
    );
    assert!(
        text.contains("  Rule: USP <797> (2023), Category 2 CSP,"),
        "{text}"
    );
}

/// The text lines of the record's sample label (HTML `<span class="l…">`).
fn sample_label(html: &str) -> Vec<String> {
    let sample = html
        .split_once("<div class=\"sample\"")
        .expect("a sample label")
        .1
        .split_once("</div>")
        .unwrap()
        .0;
    sample
        .split("<span class=\"l")
        .skip(1)
        .map(|s| {
            unescape(
                s.split_once('>')
                    .unwrap()
                    .1
                    .split_once("</span>")
                    .unwrap()
                    .0,
            )
        })
        .collect()
}

/// The lines of every label in a `labels --format json`.
fn labels(j: &Value) -> Vec<Vec<String>> {
    j["pages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["labels"].as_array().unwrap().iter())
        .map(|l| {
            l["lines"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["text"].as_str().unwrap().to_string())
                .collect()
        })
        .collect()
}

/// Saves the plan of `batch` and prints its labels with `--plan` only: every label reads as
/// the record's sample label.
fn labels_from_saved_plan_match_the_record(id: &str, batch: &[&str], facility: &str) {
    let dir = temp_dir();
    let plan = dir.path().join("plan.json");
    let plan = plan.to_str().unwrap();
    let mut args = vec!["batch", id];
    args.extend(batch);
    args.extend(["--facility", facility]);
    let mut saving = args.clone();
    saving.extend(["--format", "json", "-o", plan]);
    ok(&saving);
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(plan).unwrap()).unwrap();
    assert_eq!(saved["record"]["facility"], facility);
    let mut html = args.clone();
    html.extend(["--format", "html"]);
    let sample = sample_label(&ok(&html));
    assert!(sample.iter().any(|l| l == facility), "{sample:?}");

    // Nothing but the formula and the plan: size, lot, date, storage, stock, lots, facility.
    let printed = labels(&json(&["labels", id, "--plan", plan]));
    assert!(!printed.is_empty());
    assert_eq!(printed[0], sample, "the first label is the record's sample");
    for label in &printed {
        assert!(label.iter().any(|l| l == facility), "{label:?}");
    }
    // A facility given against the plan is refused by name.
    crate::common::fails(
        &[
            "labels",
            id,
            "--plan",
            plan,
            "--facility",
            "Another Pharmacy",
        ],
        &["`--facility`", "the saved plan's facility", facility],
    );
}

#[test]
fn labels_from_the_saved_plan_match_the_records_sample_label() {
    // An ointment with every option the label prints: containers, a generated lot of the
    // third batch of the day, the date, a storage chosen for the batch, component lots (the
    // zinc oxide ointment's expiry sets the BUD), overage and balance.
    labels_from_saved_plan_match_the_record(
        "sts-25-zinc-oxide",
        &[
            "--containers",
            "4x30g",
            "--date",
            "2026-11-21T09:30",
            "--lot-sequence",
            "3",
            "--storage",
            "refrigerator",
            "--component",
            "sts=A1@2027-05",
            "--component",
            "zinc-oxide-ointment=Z9@2027-03-31@Fougera",
            "--overage",
            "2g",
            "--readability",
            "0.01g",
        ],
        "Hill Pharmacy, 555-0100",
    );
    // A solution diluted from a stock described on the command line, 20 mL into two vials.
    labels_from_saved_plan_match_the_record(
        "sts-150-intralesional",
        &[
            "--quantity",
            "20mL",
            "--method",
            "dilution",
            "--stock-concentration",
            "250mg/mL",
            "--stock-basis",
            "pentahydrate",
            "--vial",
            "50mL",
            "--date",
            "2026-11-21T08:00",
            "--lot",
            "STS150I-20261121-02",
        ],
        "Clinic X, 555-0199",
    );
}

#[test]
fn regression_prescribed_mass_text_is_the_printed_mg_not_grams() {
    // 25 mg was written `{"value": "0.025", "unit": "g", "text": "0.025 g"}` while the text
    // prints `25 mg (≈ 0.166667 mL)` (25 ÷ 150 = 0.1666… mL); 600 mg is 600 ÷ 150 = 4 mL.
    assert_eq!(d("25") / d("1000"), d("0.025"));
    let args = [
        "session",
        "--lesion",
        "25mg",
        "--lesion",
        "600mg",
        "--override-reason",
        "tested",
    ];
    let j = json(&args);
    let t = ok(&args);
    let first = &j["lesions"][0]["prescribed_mass"];
    assert_eq!(value(first), d("0.025"));
    assert_eq!(first["unit"], "g");
    assert_eq!(first["text"], "25 mg");
    assert!(t.contains("25 mg (≈ 0.166667 mL)"), "{t}");
    assert_eq!(d("600") / d("150"), d("4"));
    assert_eq!(j["lesions"][1]["prescribed_mass"]["text"], "600 mg");
    assert!(t.contains("600 mg (4 mL)"), "{t}");
    // A dose prescribed as a volume has none.
    let v = json(&["session", "--lesions", "1", "--per-lesion", "0.2mL"]);
    assert!(v["lesions"][0]["prescribed_mass"].is_null());
}
