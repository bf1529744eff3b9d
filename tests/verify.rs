//! `stscalc verify`: the strength the measured weights give, pass or fail, and the correction
//! (issue 5). Expected values are worked out by hand in each test.

use rust_decimal::Decimal;

use crate::common::{
    args, browser_here, d, fails, json, keep_png, ok, pdf_pages, temp_dir, value, DATE, ZO_100G,
};

const PLAN: [&str; 6] = [
    "verify",
    "sts-25-zinc-oxide",
    "--quantity",
    "100g",
    "--date",
    "2026-11-21",
];

fn verify_json(extra: &[&str]) -> serde_json::Value {
    let mut a = PLAN.to_vec();
    a.extend(extra);
    json(&a)
}

fn verify_fails(extra: &[&str], needles: &[&str]) -> String {
    let mut a = PLAN.to_vec();
    a.extend(extra);
    fails(&a, needles)
}

/// Equal to 20 decimal places: enough to show the arithmetic is the same, whatever order the
/// divisions were done in.
fn close(a: Decimal, b: Decimal) -> bool {
    (a - b).abs() < d("0.00000000000000000001")
}

#[test]
fn over_weighed_active_passes_and_base_returns_it_to_target() {
    let v = verify_json(&[
        "--actual",
        "sts=25.5g",
        "--actual",
        "zinc-oxide-ointment=75g",
    ]);
    // 25.5 g of pentahydrate (factor 1, no certificate) in 25.5 g + 75 g = 100.5 g.
    assert_eq!(value(&v["actual_total"]), d("25.5") + d("75"));
    let strength = value(&v["actual_strength"]);
    assert!(
        close(strength, d("25.5") / d("100.5") * d("100")),
        "{strength}"
    );
    assert_eq!(v["actual_strength"]["text"], "≈ 25.37 % w/w");
    // 25.373… % of a 25 % label = 101.49… %, within 90–110 %.
    let of_label = value(&v["of_label"]);
    assert!(
        close(of_label, d("25.5") / d("100.5") / d("0.25") * d("100")),
        "{of_label}"
    );
    assert_eq!(v["of_label"]["text"], "≈ 101.49 %");
    assert_eq!(v["pass"], true);
    assert_eq!(v["result"], "pass");
    // The active holds 25 % of 25.5 / 0.25 = 102 g, so add 102 − 100.5 = 1.5 g of base.
    let c = &v["correction"];
    assert_eq!(c["required"], false);
    assert_eq!(c["kind"], "add-base");
    assert_eq!(c["steps"][0]["id"], "zinc-oxide-ointment");
    assert_eq!(
        value(&c["steps"][0]["to_weigh"]),
        d("25.5") / d("0.25") - d("100.5")
    );
    assert_eq!(value(&c["steps"][0]["to_weigh"]), d("1.5"));
    assert_eq!(value(&c["new_total"]), d("102"));
    assert_eq!(value(&c["resulting_strength"]), d("25"));
    // The measured weights fill the record's actual-weight column.
    let comps = &v["plan"]["record"]["components"];
    assert_eq!(value(&comps[0]["actual"]), d("25.5"));
    assert_eq!(value(&comps[1]["actual"]), d("75"));
}

#[test]
fn the_text_sheet_says_pass_and_the_correction() {
    let mut a = PLAN.to_vec();
    a.extend([
        "--actual",
        "sts=25.5g",
        "--actual",
        "zinc-oxide-ointment=75g",
    ]);
    let out = ok(&a);
    assert!(
        out.contains("Actual strength: ≈ 25.37 % w/w (≈ 101.49 % of label)"),
        "{out}"
    );
    assert!(
        out.contains("Result: PASS (tolerance 90 % to 110 % of label"),
        "{out}"
    );
    assert!(
        out.contains("Add 1.5 g of Zinc Oxide Ointment USP"),
        "{out}"
    );
    assert!(out.contains("Lot: STS25ZO-20261121-01"), "{out}");
}

#[test]
fn under_weighed_active_fails_and_active_is_added() {
    let mut a = PLAN.to_vec();
    a.extend(["--actual", "sts=20g", "--actual", "zinc-oxide-ointment=75g"]);
    let v = crate::common::verify_failed_json(&a);
    // 20 g in 95 g = 21.05… %, 84.2… % of label: below 90 %.
    assert!(close(
        value(&v["actual_strength"]),
        d("20") / d("95") * d("100")
    ));
    assert_eq!(v["pass"], false);
    assert_eq!(v["result"], "fail");
    // Stock alone: (0.25 × 95 − 20) ÷ (1 − 0.25) = 3.75 ÷ 0.75 = 5 g, giving 25 g in 100 g.
    let c = &v["correction"];
    assert_eq!(c["required"], true);
    assert_eq!(c["kind"], "add-active");
    assert_eq!(c["steps"].as_array().unwrap().len(), 1);
    assert_eq!(
        value(&c["steps"][0]["to_weigh"]),
        (d("0.25") * d("95") - d("20")) / (d("1") - d("0.25"))
    );
    assert_eq!(value(&c["resulting_strength"]), d("25"));
    assert!(v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w.as_str().unwrap().contains("outside its tolerance")));
}

#[test]
fn a_small_shortfall_adds_weighable_active_then_base() {
    let v = verify_json(&[
        "--actual",
        "sts=24.5g",
        "--actual",
        "zinc-oxide-ointment=75.2g",
    ]);
    // Stock alone would be (0.25 × 99.7 − 24.5) ÷ 0.75 = 0.425 ÷ 0.75 = 0.5666… g, below the
    // minimum weight 820 × 0.001 g = 0.82 g. Adding A of stock then base B = (A − 0.5666…) × 3
    // (from (24.5 + A) ÷ 0.25 − (99.7 + A)); B ≥ 0.82 g needs A ≥ 0.5666… + 0.82 ÷ 3 = 0.84 g.
    let c = &v["correction"];
    assert_eq!(c["kind"], "add-active-then-base");
    assert_eq!(value(&c["steps"][0]["to_weigh"]), d("0.84"));
    // B = (24.5 + 0.84) ÷ 0.25 − (99.7 + 0.84) = 101.36 − 100.54 = 0.82 g.
    assert_eq!(
        value(&c["steps"][1]["to_weigh"]),
        (d("24.5") + d("0.84")) / d("0.25") - (d("99.7") + d("0.84"))
    );
    assert_eq!(value(&c["new_total"]), d("101.36"));
    // 25.34 g in 101.36 g is exactly 25 %.
    assert_eq!(
        value(&c["resulting_strength"]),
        d("25.34") / d("101.36") * d("100")
    );
}

#[test]
fn a_certificate_assay_counts_in_the_actual_strength() {
    let v = verify_json(&[
        "--assay",
        "98%",
        "--assay-basis",
        "as-is",
        "--actual",
        "sts=25.5g",
        "--actual",
        "zinc-oxide-ointment=74.5g",
    ]);
    // 25.5 g at 98 % as is holds 24.99 g of pentahydrate, in 100 g: 24.99 %, 99.96 % of label.
    assert_eq!(value(&v["active_content"]), d("25.5") * d("0.98"));
    assert_eq!(value(&v["actual_strength"]), d("24.99"));
    assert_eq!(value(&v["of_label"]), d("24.99") / d("25") * d("100"));
    assert_eq!(v["pass"], true);
}

#[test]
fn an_exact_batch_needs_no_correction() {
    let v = verify_json(&["--actual", "sts=25g", "--actual", "zinc-oxide-ointment=75g"]);
    assert_eq!(value(&v["of_label"]), d("100"));
    assert!(v["correction"].is_null());
}

#[test]
fn a_formula_tolerance_replaces_the_default() {
    // A copy of the zinc oxide formula held to 95–105 %, as the injection monograph is.
    let dir = temp_dir();
    let text =
        std::fs::read_to_string(crate::common::root().join("formulas/sts-25-zinc-oxide.toml"))
            .unwrap()
            .replace("id = \"sts-25-zinc-oxide\"", "id = \"tight\"");
    std::fs::write(
        dir.path().join("tight.toml"),
        format!("{text}\n[tolerance]\nlow = \"95 %\"\nhigh = \"105 %\"\nsource = \"test: as the USP injection monograph\"\n"),
    )
    .unwrap();
    let d_ = dir.path().to_str().unwrap();
    let args = |sts: &'static str| {
        vec![
            "--formulas",
            d_,
            "verify",
            "tight",
            "--quantity",
            "100g",
            "--date",
            "2026-11-21",
            "--actual",
            sts,
            "--actual",
            "zinc-oxide-ointment=75g",
        ]
    };
    // 27 g in 102 g = 26.47… %, 105.88… % of label: passes 90–110 %, fails 95–105 %.
    let v = crate::common::verify_failed_json(&args("sts=27g"));
    assert!(close(
        value(&v["of_label"]),
        d("27") / d("102") / d("0.25") * d("100")
    ));
    assert_eq!(v["pass"], false);
    assert_eq!(value(&v["tolerance"]["high"]), d("105"));
    let default = verify_json(&["--actual", "sts=27g", "--actual", "zinc-oxide-ointment=75g"]);
    assert_eq!(default["pass"], true);
    // 26.5 g in 101.5 g = 104.43… % of label: passes 95–105 %.
    assert_eq!(json(&args("sts=26.5g"))["pass"], true);
}

#[test]
fn a_request_file_can_hold_the_actual_weights() {
    let dir = temp_dir();
    let path = dir.path().join("batch.toml");
    std::fs::write(
        &path,
        "formula = \"sts-25-zinc-oxide\"\nquantity = \"100 g\"\ncompounded_at = \"2026-11-21\"\n\n[actual]\nsts = \"25.5 g\"\nzinc-oxide-ointment = \"75 g\"\n",
    )
    .unwrap();
    let v = json(&["verify", "--request", path.to_str().unwrap()]);
    assert_eq!(v["pass"], true);
    assert_eq!(value(&v["correction"]["steps"][0]["to_weigh"]), d("1.5"));
    // `batch` ignores the weights.
    let b = json(&["batch", "--request", path.to_str().unwrap()]);
    assert_eq!(b["record"]["lot"]["number"], "STS25ZO-20261121-01");
}

#[test]
fn verify_checks_a_saved_plan() {
    let dir = temp_dir();
    let plan = dir.path().join("plan.json");
    let p = plan.to_str().unwrap();
    ok(&[
        "batch",
        "sts-25-zinc-oxide",
        "--quantity",
        "100g",
        "--date",
        "2026-11-21",
        "--format",
        "json",
        "-o",
        p,
    ]);
    // The same request passes the check.
    let v = verify_json(&[
        "--plan",
        p,
        "--actual",
        "sts=25g",
        "--actual",
        "zinc-oxide-ointment=75g",
    ]);
    assert_eq!(v["pass"], true);
}

// ---- Bad input: one line, exit 1 -------------------------------------------------------

#[test]
fn zero_or_negative_actual_weights_are_refused() {
    verify_fails(
        &["--actual", "sts=0g", "--actual", "zinc-oxide-ointment=75g"],
        &["`--actual sts`", "greater than zero", "0g"],
    );
    verify_fails(
        &[
            "--actual",
            "sts=-25g",
            "--actual",
            "zinc-oxide-ointment=75g",
        ],
        &["`--actual sts`", "greater than zero", "-25g"],
    );
    verify_fails(
        &[
            "--actual",
            "sts=25 mL",
            "--actual",
            "zinc-oxide-ointment=75g",
        ],
        &["`--actual sts`", "a mass"],
    );
}

#[test]
fn unknown_duplicate_and_missing_actual_weights_are_refused() {
    verify_fails(
        &[
            "--actual",
            "sts=25g",
            "--actual",
            "glycerin=10g",
            "--actual",
            "zinc-oxide-ointment=75g",
        ],
        &["`--actual`", "glycerin", "`sts`, `zinc-oxide-ointment`"],
    );
    verify_fails(
        &[
            "--actual",
            "sts=25g",
            "--actual",
            "sts=25g",
            "--actual",
            "zinc-oxide-ointment=75g",
        ],
        &["`--actual`", "`sts` given twice"],
    );
    verify_fails(
        &["--actual", "sts=25g"],
        &["`--actual`", "none for `zinc-oxide-ointment`"],
    );
    verify_fails(&["--actual", "sts:25g"], &["`--actual`", "ID=MASS"]);
}

#[test]
fn a_plan_for_another_formula_or_batch_size_is_refused() {
    let dir = temp_dir();
    let other_formula = dir.path().join("petrolatum.json");
    let other_size = dir.path().join("200g.json");
    ok(&[
        "batch",
        "sts-25-petrolatum",
        "--quantity",
        "100g",
        "--date",
        "2026-11-21",
        "--format",
        "json",
        "-o",
        other_formula.to_str().unwrap(),
    ]);
    ok(&[
        "batch",
        "sts-25-zinc-oxide",
        "--quantity",
        "200g",
        "--date",
        "2026-11-21",
        "--format",
        "json",
        "-o",
        other_size.to_str().unwrap(),
    ]);
    let actual = ["--actual", "sts=25g", "--actual", "zinc-oxide-ointment=75g"];
    let mut a = vec!["--plan", other_formula.to_str().unwrap()];
    a.extend(actual);
    verify_fails(
        &a,
        &[
            "`--plan`",
            "formula `sts-25-zinc-oxide`",
            "sts-25-petrolatum",
        ],
    );
    let mut a = vec!["--plan", other_size.to_str().unwrap()];
    a.extend(actual);
    verify_fails(&a, &["`--plan`", "batch nominal", "100 g", "200 g"]);
    // A plan for another lot (another day) is refused too.
    let other_day = dir.path().join("day.json");
    ok(&[
        "batch",
        "sts-25-zinc-oxide",
        "--quantity",
        "100g",
        "--date",
        "2026-11-22",
        "--format",
        "json",
        "-o",
        other_day.to_str().unwrap(),
    ]);
    // The plan's date is taken when --date is left out; given against it, --date is refused.
    let mut a = vec!["--plan", other_day.to_str().unwrap()];
    a.extend(actual);
    verify_fails(&a, &["`--date`", "saved plan", "2026-11-22", "2026-11-21"]);
    let mut a = vec![
        "verify",
        "sts-25-zinc-oxide",
        "--quantity",
        "100g",
        "--plan",
        other_day.to_str().unwrap(),
    ];
    a.extend(actual);
    assert_eq!(
        json(&a)["plan"]["record"]["lot"]["number"],
        "STS25ZO-20261122-01"
    );
    // A lot given against the plan's is refused by name.
    let mut a = vec![
        "verify",
        "sts-25-zinc-oxide",
        "--quantity",
        "100g",
        "--plan",
        other_day.to_str().unwrap(),
        "--lot-sequence",
        "2",
    ];
    a.extend(actual);
    fails(
        &a,
        &["`--lot`", "STS25ZO-20261122-01", "STS25ZO-20261122-02"],
    );
}

#[test]
fn a_request_whose_formula_or_size_differs_from_the_command_line_is_refused() {
    let dir = temp_dir();
    let path = dir.path().join("r.toml");
    std::fs::write(
        &path,
        "formula = \"sts-25-zinc-oxide\"\nquantity = \"100 g\"\ncompounded_at = \"2026-11-21\"\n\n[actual]\nsts = \"25 g\"\nzinc-oxide-ointment = \"75 g\"\n",
    )
    .unwrap();
    let p = path.to_str().unwrap();
    fails(
        &["verify", "sts-25-petrolatum", "--request", p],
        &["`formula`", "sts-25-zinc-oxide", "sts-25-petrolatum"],
    );
    fails(
        &["verify", "--request", p, "--quantity", "120g"],
        &["`--quantity`", "100 g", "120g"],
    );
    // The same weight in the file and on the command line is a duplicate.
    fails(
        &["verify", "--request", p, "--actual", "sts=25g"],
        &["`--actual`", "`sts` given twice"],
    );
    let bad = dir.path().join("zero.toml");
    std::fs::write(
        &bad,
        "formula = \"sts-25-zinc-oxide\"\nquantity = \"100 g\"\n\n[actual]\nsts = \"0 g\"\n",
    )
    .unwrap();
    fails(
        &["verify", "--request", bad.to_str().unwrap()],
        &["`actual sts`", "greater than zero"],
    );
}

#[test]
fn the_verified_weights_fill_the_records_actual_weight_column() {
    let mut a = PLAN.to_vec();
    a.extend([
        "--actual",
        "sts=25.5g",
        "--actual",
        "zinc-oxide-ointment=75g",
        "--format",
        "html",
    ]);
    let html = ok(&a);
    assert!(html.contains("<td class=\"write\">25.5 g</td>"), "active");
    assert!(html.contains("<td class=\"write\">75 g</td>"), "base");
    assert!(html.contains("STS25ZO-20261121-01"));
}

// ---------------------------------------------------------------- solutions (issue 12)

fn solution_verify(extra: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = ["verify", "sts-150-intralesional", "--quantity", "10mL"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    a.extend(DATE.iter().map(|s| s.to_string()));
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

#[test]
fn a_dilution_measured_as_planned_passes() {
    // 10 mL of 150 mg/mL from 250 mg/mL: planned 6.3 mL stock + 4.2 mL water = 10.5 mL.
    // Measured as planned: 250 × 6.3 ÷ 10.5 = 1575 ÷ 10.5 = 150 mg/mL, 100 %.
    let a = solution_verify(&[
        "--actual",
        "sts-250-us=6.3mL",
        "--actual",
        "water-for-injection=4.2mL",
    ]);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let v = crate::common::json(&a);
    assert_eq!(v["result"], "pass");
    assert_eq!(
        value(&v["made"]),
        d("250") * d("6.3") / (d("6.3") + d("4.2"))
    );
    assert_eq!(value(&v["made"]), d("150"));
    assert_eq!(value(&v["of_target"]), d("100"));
    assert!(v["correction"].is_null());
    // 6.2 mL + 3.8 mL: 250 × 6.2 ÷ 10 = 155 mg/mL, 103.33 %: inside 95-105 %, passes.
    let a = solution_verify(&[
        "--actual",
        "sts-250-us=6.2mL",
        "--actual",
        "water-for-injection=3.8mL",
    ]);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let v = crate::common::json(&a);
    assert_eq!(v["result"], "pass");
    assert_eq!(value(&v["made"]), d("155"));
}

/// A solution past its rescue limit is rejected for a solution's reasons (a volume misread),
/// not an ointment's (a slab or a mortar): the injection formulas state their own [rescue].
#[test]
fn a_solution_past_the_rescue_limit_is_rejected_for_a_solutions_reasons() {
    // 9 mL stock + 1.5 mL water: 250 × 9 ÷ 10.5 ≈ 214.29 mg/mL; back to 150 mg/mL takes
    // 2250 ÷ 150 − 10.5 = 4.5 mL of water, 4.5 ÷ 10.5 ≈ 42.86 % of the batch: past 10 %.
    assert_eq!(d("2250") / d("150") - d("10.5"), d("4.5"));
    let a = solution_verify(&[
        "--actual",
        "sts-250-us=9mL",
        "--actual",
        "water-for-injection=1.5mL",
    ]);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let out = crate::common::stscalc(&a);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("REJECT — DISCARD AND REMAKE"), "{text}");
    assert!(
        text.contains("a misread syringe or a wrong volume"),
        "{text}"
    );
    assert!(!text.contains("slab") && !text.contains("mortar"), "{text}");
}

#[test]
fn an_over_strength_dilution_fails_with_the_diluent_to_add() {
    // 6.5 mL stock + 3.5 mL water: 250 × 6.5 = 1625 mg in 10 mL = 162.5 mg/mL, 108.33 % of
    // 150: outside 95-105 %. Water to add: 1625 ÷ 150 − 10 = 0.8333 mL → 0.8 mL (0.1 mL step),
    // 8 % of the 10 mL made (within the 10 % rescue limit); then 1625 ÷ 10.8 = 150.46 mg/mL.
    let a = solution_verify(&[
        "--actual",
        "sts-250-us=6.5mL",
        "--actual",
        "water-for-injection=3.5mL",
    ]);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let err = fails(
        &a,
        &["verification failed", "outside the tolerance 95 % to 105 %"],
    );
    assert!(err.contains("108.33 %"), "{err}");
    let mut j = a.clone();
    j.extend(["--format", "json"]);
    let out = crate::common::stscalc(&j);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["result"], "fail");
    assert_eq!(value(&v["made"]), d("162.5"));
    let c = &v["correction"];
    assert_eq!(c["id"], "water-for-injection");
    assert_eq!(value(&c["calculated"]), d("1625") / d("150") - d("10"));
    assert_eq!(value(&c["to_add"]), d("0.8"));
    assert_eq!(value(&c["new_volume"]), d("10.8"));
    assert_eq!(value(&c["resulting"]), d("1625") / d("10.8"));
    // The record says so, and withholds the label.
    let mut h = a.clone();
    h.extend(["--format", "html"]);
    let out = crate::common::stscalc(&h);
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(html.contains("FAIL — DO NOT RELEASE"));
    // A solution's record speaks of the volumes measured and the target, not weights and label.
    assert!(html.contains("Verification from the volumes actually measured"));
    assert!(
        html.contains("<td class=\"key\">Of the target</td><td><strong>≈ 108.33 % of the target")
    );
    assert!(!html.contains("weights actually measured"));
    assert!(html.contains("Add 0.8 mL of Sterile water for injection"));
    assert!(
        html.contains("<td class=\"write\">6.5 mL</td>"),
        "actual stock volume"
    );
}

#[test]
fn an_under_strength_dilution_gets_stock_to_add() {
    // 5.6 mL + 4.4 mL: 1400 mg in 10 mL = 140 mg/mL, 93.33 %. Stock to add: (150 × 10 − 1400)
    // ÷ (250 − 150) = 1 mL, 10 % of the batch: at the rescue limit, allowed; then 1650 ÷ 11 =
    // 150 mg/mL.
    let mut a = solution_verify(&[
        "--actual",
        "sts-250-us=5.6mL",
        "--actual",
        "water-for-injection=4.4mL",
    ]);
    a.extend(["--format".into(), "json".into()]);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let v: serde_json::Value = serde_json::from_slice(&crate::common::stscalc(&a).stdout).unwrap();
    assert_eq!(v["result"], "fail");
    assert_eq!(v["correction"]["id"], "sts-250-us");
    assert_eq!(value(&v["correction"]["to_add"]), d("1"));
    assert_eq!(value(&v["correction"]["resulting"]), d("150"));
}

#[test]
fn an_under_strength_powder_batch_is_rejected_and_one_in_tolerance_passes() {
    let run = |mass: &str| {
        crate::common::stscalc(&[
            "verify",
            "sts-10-topical-solution",
            "--quantity",
            "90mL",
            "--method",
            "powder",
            // The certificate: assay 100 % as is (the factor is 1).
            "--assay",
            "100%",
            "--assay-basis",
            "as-is",
            "--actual",
            &format!("sts={mass}"),
            "--final-volume",
            "100mL",
            "--format",
            "json",
        ])
    };
    // 10.2 g in 100 mL: 102 mg/mL, 102 % of 100 (90-110 %): passes.
    let out = run("10.2g");
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["result"], "pass");
    assert_eq!(value(&v["made"]), d("10.2") * d("1000") / d("100"));
    // 8.9 g: 89 %, under; more powder cannot be dissolved into a solution made up to volume
    // by a calculated amount: reject, no correction.
    let out = run("8.9g");
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["result"], "reject");
    assert!(v["correction"].is_null());
    // 11.5 g: 115 %, over: water to add 11.5 g ÷ 100 mg/mL − 100 mL = 15 mL, 15 % of the
    // batch, past the 10 % rescue limit: reject.
    let v: serde_json::Value = serde_json::from_slice(&run("11.5g").stdout).unwrap();
    assert_eq!(v["result"], "reject");
    assert!(v["rejection"].as_str().unwrap().contains("15 mL"));
}

#[test]
fn a_verify_volume_that_is_zero_too_large_or_missing_is_refused() {
    let base = [
        "verify",
        "sts-10-topical-solution",
        "--quantity",
        "90mL",
        "--method",
        "powder",
        // The certificate: assay 100 % as is (the factor is 1).
        "--assay",
        "100%",
        "--assay-basis",
        "as-is",
        "--actual",
        "sts=10g",
    ];
    fails(
        &[&base[..], &["--final-volume", "0mL"]].concat(),
        &["--final-volume", "greater than zero", "`0mL`"],
    );
    fails(
        &[&base[..], &["--final-volume", "2000L"]].concat(),
        &["--final-volume", "at most 1,000,000 mL", "2,000,000 mL"],
    );
    fails(&base, &["--final-volume", "found nothing"]);
    // A dilution names its stock and diluent; anything else is refused, as is a zero volume.
    let a = solution_verify(&[
        "--actual",
        "sts=6.5mL",
        "--actual",
        "water-for-injection=3.5mL",
    ]);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    fails(&a, &["--actual sts", "`sts-250-us`, `water-for-injection`"]);
    let a = solution_verify(&[
        "--actual",
        "sts-250-us=0mL",
        "--actual",
        "water-for-injection=3.5mL",
    ]);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    fails(&a, &["--actual sts-250-us", "greater than zero"]);
    // --final-volume is for a solution.
    fails(
        &[
            "verify",
            "sts-25-zinc-oxide",
            "--quantity",
            "100g",
            "--actual",
            "sts=25g",
            "--actual",
            "zinc-oxide-ointment=75g",
            "--final-volume",
            "100mL",
        ],
        &["--final-volume", "made up by weight"],
    );
}

#[test]
fn regression_a_gross_error_is_rejected_not_corrected() {
    // The reproducer: 250 g of STS with 75 g of base is 250 ÷ 325 = 76.92 % w/w. Bringing it
    // back to 25 % needs 250 ÷ 0.25 − 325 = 675 g of base, 675 ÷ 325 = 207.7 % of the batch:
    // far past the default rescue limit of 10 % (32.5 g). It used to advise adding 675 g.
    let mut a = PLAN.to_vec();
    a.extend([
        "--actual",
        "sts=250g",
        "--actual",
        "zinc-oxide-ointment=75g",
    ]);
    let out = crate::common::stscalc(&a);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Result: REJECT — DISCARD AND REMAKE"),
        "{text}"
    );
    assert!(!text.contains("Add 675 g"), "{text}");
    assert!(!text.contains("Correction"), "{text}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("REJECT"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");

    a.extend(["--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&crate::common::stscalc(&a).stdout).unwrap();
    assert_eq!(v["result"], "reject");
    assert_eq!(v["pass"], false);
    assert!(v["correction"].is_null());
    let needed = d("250") / d("0.25") - d("325");
    assert_eq!(needed, d("675"));
    assert_eq!(value(&v["rejection"]["addition"]), needed);
    assert_eq!(
        value(&v["rejection"]["share"]),
        needed / d("325") * d("100")
    );
    assert_eq!(value(&v["rescue"]["max_addition"]), d("10"));
    assert!(!v["rescue"]["reason"].as_str().unwrap().is_empty());
}

#[test]
fn regression_a_correction_carried_out_is_entered_and_verified_again() {
    // 21 g + 75 g = 96 g at 21 ÷ 96 = 21.875 %, 87.5 % of label: FAIL. Stock that brings it
    // to 25 %: (0.25 × 96 − 21) ÷ (1 − 0.25) = 3 ÷ 0.75 = 4 g, 4 ÷ 96 = 4.2 % of the batch,
    // within the 10 % rescue limit, so the correction is required, not a rejection.
    let mut a = PLAN.to_vec();
    a.extend([
        "--actual",
        "sts=21g",
        "--actual",
        "zinc-oxide-ointment=75g",
        "--format",
        "json",
    ]);
    let out = crate::common::stscalc(&a);
    assert_eq!(out.status.code(), Some(1), "a failed batch exits 1");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["result"], "fail");
    assert_eq!(v["correction"]["required"], true);
    let add = (d("0.25") * d("96") - d("21")) / (d("1") - d("0.25"));
    assert_eq!(add, d("4"));
    assert_eq!(value(&v["correction"]["steps"][0]["to_weigh"]), add);
    // Carried out and entered: 25 g in 100 g, 25 %, 100 % of label: PASS. The record keeps the
    // first weighings, the addition and the final strength.
    let v = verify_json(&[
        "--actual",
        "sts=21g",
        "--actual",
        "zinc-oxide-ointment=75g",
        "--addition",
        "sts=4g",
    ]);
    assert_eq!(v["result"], "pass");
    assert_eq!(value(&v["first_total"]), d("21") + d("75"));
    assert_eq!(value(&v["actual_total"]), d("21") + d("75") + d("4"));
    assert_eq!(
        value(&v["actual_strength"]),
        (d("21") + d("4")) / d("100") * d("100")
    );
    assert_eq!(v["additions"][0]["id"], "sts");
    assert_eq!(value(&v["additions"][0]["mass"]), d("4"));
    assert_eq!(value(&v["actual"][0]["first"]), d("21"));
    assert_eq!(value(&v["actual"][0]["added"]), d("4"));
    let first = v["first_strength_text"].as_str().unwrap();
    assert!(first.contains("≈ 21.88 % w/w"), "{first}"); // 21.875 rounded half up
    assert!(first.contains("87.5 % of label"), "{first}");
    let text = ok(&args(&[
        &["verify"],
        ZO_100G,
        DATE,
        &[
            "--actual",
            "sts=21g",
            "--actual",
            "zinc-oxide-ointment=75g",
            "--addition",
            "sts=4g",
        ],
    ]));
    assert!(text.contains("first weighed"), "{text}");
    assert!(text.contains("1. 4 g of Sodium thiosulfate"), "{text}");
    assert!(
        text.contains("Final strength: 25 % w/w (100 % of label)"),
        "{text}"
    );
    // The same from a request file; an unknown component is refused by name.
    let dir = temp_dir();
    let path = dir.path().join("verify.toml");
    std::fs::write(
        &path,
        "formula = \"sts-25-zinc-oxide\"\nquantity = \"100 g\"\ncompounded_at = \"2026-11-21\"\n\
         additions = [{ id = \"sts\", mass = \"4 g\" }]\n[actual]\nsts = \"21 g\"\nzinc-oxide-ointment = \"75 g\"\n",
    )
    .unwrap();
    let f = json(&["verify", "--request", path.to_str().unwrap()]);
    assert_eq!(f["result"], "pass");
    verify_fails(
        &[
            "--actual",
            "sts=21g",
            "--actual",
            "zinc-oxide-ointment=75g",
            "--addition",
            "water=1g",
        ],
        &["`--addition`", "`water`"],
    );
}

#[test]
fn regression_additions_past_the_rescue_limit_are_rejected_even_when_they_pass() {
    // Someone added the 675 g anyway: 250 ÷ 1000 = 25 %, on target, but the batch is another
    // batch (675 ÷ 325 = 207.7 % added): REJECT.
    let mut a = PLAN.to_vec();
    a.extend([
        "--actual",
        "sts=250g",
        "--actual",
        "zinc-oxide-ointment=75g",
        "--addition",
        "zinc-oxide-ointment=675g",
        "--format",
        "json",
    ]);
    let out = crate::common::stscalc(&a);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        value(&v["actual_strength"]),
        d("250") / d("1000") * d("100")
    );
    assert_eq!(v["result"], "reject");
}

#[test]
fn regression_a_passing_batch_shows_its_optional_correction_plainly() {
    // 27.9 g + 75 g = 102.9 g at 27.9 ÷ 102.9 = 27.11 %, 108.45 % of label: PASS. Base that
    // returns it to 25 %: 27.9 ÷ 0.25 − 102.9 = 8.7 g (8.5 % of the batch, within 10 %).
    let mut a = PLAN.to_vec();
    a.extend([
        "--actual",
        "sts=27.9g",
        "--actual",
        "zinc-oxide-ointment=75g",
    ]);
    let text = ok(&a);
    assert!(text.contains("Result: PASS"), "{text}");
    assert!(
        text.contains(
            "Optional correction, only to come closer to 25 % w/w (the batch passes as it is)"
        ),
        "{text}"
    );
    assert!(
        text.contains("Add 8.7 g of Zinc Oxide Ointment USP"),
        "{text}"
    );
    assert!(!text.contains("REQUIRED"), "{text}");
    a.extend(["--format", "json"]);
    let v = json(&a[..a.len() - 2]);
    assert_eq!(v["correction"]["required"], false);
    assert_eq!(
        value(&v["correction"]["steps"][0]["to_weigh"]),
        d("27.9") / d("0.25") - d("102.9")
    );
    // No warning for an optional correction: warnings are for what must be acted on.
    assert!(
        !v["warnings"].to_string().contains("correction"),
        "{}",
        v["warnings"]
    );
    // The printed record: the optional steps are not bold and not in a warning box.
    let dir = temp_dir();
    let html = dir.path().join("record.html");
    let mut h = PLAN.to_vec();
    h.extend([
        "--actual",
        "sts=27.9g",
        "--actual",
        "zinc-oxide-ointment=75g",
        "--format",
        "html",
        "-o",
        html.to_str().unwrap(),
    ]);
    ok(&h);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("Optional correction"), "optional heading");
    assert!(
        !page.contains("<li><strong>Add 8.7 g"),
        "styled as an alarm"
    );
    assert!(
        !page.contains("class=\"warn\">Optional"),
        "in a warning box"
    );
}

#[test]
fn regression_a_formulas_own_rescue_limit_replaces_the_default() {
    // 21 g + 75 g needs (0.25 × 96 − 21) ÷ 0.75 = 4 g of stock, 4 ÷ 96 = 4.17 % of the batch:
    // within the default 10 %, but past a formula's own [rescue] max_addition = "4 %".
    let dir = temp_dir();
    let text =
        std::fs::read_to_string(crate::common::root().join("formulas/sts-25-zinc-oxide.toml"))
            .unwrap();
    let run = |limit: &str| {
        std::fs::write(
            dir.path().join("sts-25-zinc-oxide.toml"),
            format!("{text}\n[rescue]\nmax_addition = \"{limit}\"\nreason = \"test policy\"\n"),
        )
        .unwrap();
        crate::common::stscalc(&[
            "verify",
            "sts-25-zinc-oxide",
            "--formulas",
            dir.path().to_str().unwrap(),
            "--quantity",
            "100g",
            "--date",
            "2026-11-21",
            "--actual",
            "sts=21g",
            "--actual",
            "zinc-oxide-ointment=75g",
            "--format",
            "json",
        ])
    };
    assert!(d("4") / d("96") * d("100") > d("4"));
    let v: serde_json::Value = serde_json::from_slice(&run("4 %").stdout).unwrap();
    assert_eq!(v["result"], "reject");
    assert_eq!(v["rescue"]["reason"], "test policy");
    let v: serde_json::Value = serde_json::from_slice(&run("4.2 %").stdout).unwrap();
    assert_eq!(v["result"], "fail");
    // A limit that is not a share of the batch is refused on load, naming the field.
    let out = run("0 %");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`rescue.max_addition`"));
}

#[test]
fn regression_the_printed_record_shows_first_weighings_additions_and_final_strength() {
    // 21 g + 75 g (21 ÷ 96 = 21.875 %, 87.5 % of label), then 4 g of STS: 25 ÷ 100 = 25 %.
    let dir = temp_dir();
    let html = dir.path().join("record.html");
    let mut a = PLAN.to_vec();
    a.extend([
        "--actual",
        "sts=21g",
        "--actual",
        "zinc-oxide-ointment=75g",
        "--addition",
        "sts=4g",
        "--format",
        "html",
        "-o",
        html.to_str().unwrap(),
    ]);
    ok(&a);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page
        .contains("First weighings</td><td>total 96 g, strength ≈ 21.88 % w/w (87.5 % of label)"));
    assert!(page.contains("Additions, in order</td><td>1. 4 g of Sodium thiosulfate"));
    assert!(page.contains("Final strength</td><td>25 % w/w (pentahydrate basis)"));
    // A rejected batch's record says so and prints no label.
    let rejected = dir.path().join("rejected.html");
    let mut a = PLAN.to_vec();
    a.extend([
        "--actual",
        "sts=250g",
        "--actual",
        "zinc-oxide-ointment=75g",
        "--format",
        "html",
        "-o",
        rejected.to_str().unwrap(),
    ]);
    let out = crate::common::stscalc(&a);
    assert_eq!(out.status.code(), Some(1));
    let page = std::fs::read_to_string(&rejected).unwrap();
    assert!(page.contains("REJECT — DISCARD AND REMAKE"));
    assert!(page.contains("No label: the batch is rejected"));
    assert!(!page.contains("Add 675 g"));
}

// ---- A failed batch's record looks like a passed one ----------------------------------

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

// ---- verify --plan ignores the plan's stock form, strength and certificate -------------

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
