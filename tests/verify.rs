//! `stscalc verify`: the strength the measured weights give, pass or fail, and the correction
//! (issue 5). Expected values are worked out by hand in each test.

use rust_decimal::Decimal;

use crate::common::{d, fails, json, ok, temp_dir, value};

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

#[test]
fn regression_a_solution_is_refused_before_its_volumes_are_read() {
    // Measured volumes used to be refused as "not a mass" before verify said it does not check
    // solutions at all.
    fails(
        &[
            "verify",
            "sts-150-intralesional",
            "--quantity",
            "10mL",
            "--date",
            "2026-11-21",
            "--actual",
            "sts-250-us=6.5mL",
        ],
        &["solution", "does not verify"],
    );
}
