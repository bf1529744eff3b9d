//! `stscalc batch` for ointments: worked examples checked by hand arithmetic, and bad input.

use rust_decimal::RoundingStrategy;

use crate::common::{args, d, fails, json, ok, value, ZO_100G};

fn component<'a>(plan: &'a serde_json::Value, role: &str) -> &'a serde_json::Value {
    plan["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["role"] == role)
        .unwrap_or_else(|| panic!("no {role} component"))
}

#[test]
fn zinc_oxide_25_percent_100_g() {
    let plan = json(&args(&[&["batch"], ZO_100G]));
    // 100 g × 25 / 100 = 25 g of STS pentahydrate; the base is the rest: 100 − 25 = 75 g.
    assert_eq!(
        value(&component(&plan, "active")["to_weigh"]),
        d("100") * d("25") / d("100")
    );
    assert_eq!(
        value(&component(&plan, "base")["to_weigh"]),
        d("100") - d("25")
    );
    // Zinc Oxide Ointment USP is 20 % zinc oxide: 75 g × 0.20 = 15 g in 100 g = 15 %.
    let zinc = plan["composition"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"].as_str().unwrap().starts_with("Zinc oxide"))
        .unwrap();
    assert_eq!(
        value(&zinc["percent"]),
        d("75") * d("0.20") / d("100") * d("100")
    );
    assert_eq!(plan["basis"], "pentahydrate");
}

#[test]
fn petrolatum_20_percent_60_g() {
    let plan = json(&["batch", "sts-20-petrolatum", "--quantity", "60g"]);
    // 60 g × 20 / 100 = 12 g.
    assert_eq!(
        value(&component(&plan, "active")["to_weigh"]),
        d("60") * d("20") / d("100")
    );
    // Mineral oil 5 % of 60 g = 3 g; petrolatum q.s. = 60 − 12 − 3 = 45 g.
    assert_eq!(
        value(&component(&plan, "levigating-agent")["to_weigh"]),
        d("3")
    );
    assert_eq!(
        value(&component(&plan, "base")["to_weigh"]),
        d("60") - d("12") - d("3")
    );
}

#[test]
fn anhydrous_stock_for_a_pentahydrate_strength() {
    let plan = json(&args(&[
        &["batch"],
        ZO_100G,
        &["--stock-form", "anhydrous"],
    ]));
    let active = component(&plan, "active");
    // 25 g pentahydrate-basis × 158.11 / 248.19 of anhydrous salt.
    let hand = d("25") * d("158.11") / d("248.19");
    let calculated = value(&active["calculated"]);
    assert!(
        (calculated - hand).abs() < d("0.000000000000000001"),
        "{calculated} vs {hand}"
    );
    // Weighed to the default readability 0.001 g: 3952.75 / 248.19 = 15.9263… → 15.926 g.
    let weigh = hand.round_dp_with_strategy(3, RoundingStrategy::MidpointAwayFromZero);
    assert_eq!(value(&active["to_weigh"]), weigh);
    assert_eq!(weigh, d("15.926"));
    assert_eq!(
        value(&component(&plan, "base")["to_weigh"]),
        d("100") - weigh
    );
}

#[test]
fn certificate_on_the_dried_basis() {
    // Pentahydrate lot: assay 99.5 % of Na2S2O3 on the dried basis, loss on drying 36 %.
    // 1 g as is holds 0.64 × 0.995 g anhydrous = 0.6368 g, i.e. 0.6368 × 248.19 / 158.11 g on
    // the pentahydrate basis. 25 g needed → 25 / that.
    let plan = json(&args(&[
        &["batch"],
        ZO_100G,
        &[
            "--assay",
            "99.5%",
            "--assay-basis",
            "dried",
            "--water",
            "36%",
        ],
    ]));
    let factor = d("0.64") * d("0.995") * d("248.19") / d("158.11");
    let hand = (d("25") / factor).round_dp_with_strategy(3, RoundingStrategy::MidpointAwayFromZero);
    assert_eq!(value(&component(&plan, "active")["to_weigh"]), hand);
}

#[test]
fn containers_and_overage() {
    // 4 × 30 g = 120 g, plus 5 % = 126 g; 25 % of 126 g = 31.5 g.
    let plan = json(&[
        "batch",
        "sts-25-zinc-oxide",
        "--containers",
        "4x30g",
        "--overage",
        "5%",
    ]);
    assert_eq!(value(&plan["total"]), d("4") * d("30") * d("1.05"));
    assert_eq!(
        value(&component(&plan, "active")["to_weigh"]),
        d("126") * d("0.25")
    );
    assert_eq!(plan["fill"]["count"], 4);
    // A fixed overage: 100 g + 2 g.
    let plan = json(&args(&[&["batch"], ZO_100G, &["--overage", "2g"]]));
    assert_eq!(value(&plan["total"]), d("102"));
}

#[test]
fn small_quantities_are_refused_when_the_levigating_agent_is_below_the_minimum_weight() {
    // 2 g of 20 % with 5 % mineral oil: 0.1 g of oil, below the minimum weight 820 × 0.001 g
    // = 0.82 g. Only the active may be aliquoted (issue 8 §5), so the batch is refused; the oil
    // reaches 0.82 g in a batch of 0.82 ÷ 0.05 = 16.4 g.
    assert_eq!(d("0.82") / d("0.05"), d("16.4"));
    fails(
        &["batch", "sts-20-petrolatum", "--quantity", "2g"],
        &["Light mineral oil NF (0.1 g)", "0.82 g", "16.4 g"],
    );
}

#[test]
fn text_output_states_basis_and_rounding() {
    let text = ok(&args(&[
        &["batch"],
        ZO_100G,
        &["--stock-form", "anhydrous"],
    ]));
    assert!(text.contains("25 % w/w (pentahydrate basis)"), "{text}");
    assert!(text.contains("15.926 g"), "{text}");
    assert!(text.contains("halves away from zero"), "{text}");
    assert!(
        text.contains("Zinc oxide (from Zinc Oxide Ointment USP)"),
        "{text}"
    );
}

#[test]
fn text_and_json_show_the_same_numbers() {
    let args = [
        "batch",
        "sts-20-petrolatum",
        "--containers",
        "3x60g",
        "--overage",
        "3%",
    ];
    let text = ok(&args);
    let plan = json(&args);
    for c in plan["components"].as_array().unwrap() {
        let shown = c["to_weigh"]["text"].as_str().unwrap();
        assert!(text.contains(shown), "{shown} missing from text output");
    }
}

// Bad input: one line, exit 1, no panic.

#[test]
fn zero_or_negative_quantity() {
    fails(
        &["batch", "sts-25-zinc-oxide", "--quantity", "0g"],
        &["`--quantity`", "greater than zero", "`0g`"],
    );
    fails(
        &["batch", "sts-25-zinc-oxide", "--quantity", "-5g"],
        &["`--quantity`", "greater than zero", "`-5g`"],
    );
}

#[test]
fn bad_container_counts_and_fills() {
    fails(
        &["batch", "sts-25-zinc-oxide", "--containers", "0x30g"],
        &["`--containers`", "`0x30g`"],
    );
    fails(
        &["batch", "sts-25-zinc-oxide", "--containers", "4x0g"],
        &["`--containers`", "greater than zero"],
    );
    fails(
        &["batch", "sts-25-zinc-oxide", "--containers", "-2x30g"],
        &["`--containers`"],
    );
    fails(
        &["batch", "sts-25-zinc-oxide", "--containers", "four"],
        &["`--containers`", "`4x30g`"],
    );
}

#[test]
fn volume_where_a_mass_belongs() {
    fails(
        &["batch", "sts-25-zinc-oxide", "--quantity", "100mL"],
        &["`--quantity`", "a mass", "found a volume `100mL`"],
    );
}

#[test]
fn unknown_unit() {
    fails(
        &["batch", "sts-25-zinc-oxide", "--quantity", "100 gr"],
        &["`--quantity`", "unknown unit `gr`"],
    );
    fails(
        &["batch", "sts-25-zinc-oxide", "--quantity", "100"],
        &["`--quantity`", "no unit"],
    );
}

#[test]
fn unknown_formula_lists_the_known_ones() {
    fails(
        &["batch", "sts-99-nothing", "--quantity", "100g"],
        &[
            "unknown formula `sts-99-nothing`",
            "`sts-25-zinc-oxide`",
            "`sts-20-petrolatum`",
        ],
    );
    fails(&["show", "nope"], &["unknown formula `nope`"]);
}

#[test]
fn strength_outside_the_range() {
    fails(
        &args(&[&["batch"], ZO_100G, &["--strength", "30%"]]),
        &[
            "`--strength`",
            "20 % w/w to 25 % w/w",
            "pentahydrate basis",
            "`30 % w/w`",
        ],
    );
    fails(
        &args(&[&["batch"], ZO_100G, &["--strength", "25 % w/v"]]),
        &["`--strength`", "w/w"],
    );
}

#[test]
fn bad_assay_and_water() {
    let base = ["batch", "sts-25-zinc-oxide", "--quantity", "100g"];
    // The upper limits are the pharmacopoeias' (data/substance.toml): Ph. Eur. 101.0 % as is,
    // USP 100.5 % on the dried basis.
    for assay in ["0%", "-1%", "101.1%"] {
        let mut a = base.to_vec();
        a.extend(["--assay", assay, "--assay-basis", "as-is"]);
        fails(&a, &["`--assay`", "at most 101 %"]);
    }
    let mut a = base.to_vec();
    a.extend([
        "--assay",
        "100.6%",
        "--assay-basis",
        "dried",
        "--water",
        "35%",
    ]);
    fails(&a, &["`--assay`", "at most 100.5 %", "`dried` basis"]);
    let mut a = base.to_vec();
    a.extend([
        "--assay",
        "99%",
        "--assay-basis",
        "dried",
        "--water",
        "100%",
    ]);
    fails(&a, &["`--water`", "100 %"]);
    let mut a = base.to_vec();
    a.extend(["--assay", "99%", "--assay-basis", "dried"]);
    fails(&a, &["`--water`", "dried basis"]);
}

#[test]
fn numbers_too_large_for_decimal() {
    fails(
        &[
            "batch",
            "sts-25-zinc-oxide",
            "--quantity",
            "99999999999999999999999999999999g",
        ],
        &["`--quantity`", "too large"],
    );
}

#[test]
fn missing_size_is_a_usage_error() {
    let out = crate::common::stscalc(&["batch", "sts-25-zinc-oxide"]);
    assert_eq!(out.status.code(), Some(2));
}

// Regressions from the pharmacist review, named for the bug they pin.

#[test]
fn regression_a_quantity_beyond_decimal_range_is_refused_not_a_panic() {
    // 79228162514264337593543950335 is Decimal::MAX: multiplying it used to overflow.
    fails(
        &[
            "batch",
            "sts-25-zinc-oxide",
            "--quantity",
            "79228162514264337593543950335g",
        ],
        &["`--quantity`", "too large"],
    );
    fails(
        &args(&[
            &["batch"],
            ZO_100G,
            &["--overage", "99999999999999999999999kg"],
        ]),
        &["`--overage`"],
    );
}

#[test]
fn regression_rounding_outside_the_tolerance_is_refused() {
    // A 7 g balance: the total 100 g rounds to 98 g (14 steps) and the 25 g of STS to 28 g
    // (25 / 7 = 3.57 → 4 steps); 28 / 98 = 28.57 % w/w = 114.3 % of label, above 110 %.
    assert!(d("28") / d("98") * d("100") / d("25") * d("100") > d("110"));
    // Since issue 8 §5 it is refused before that: its minimum weight, 820 × 7 g = 5,740 g, is
    // far above every component (a balance that weighs a component can no longer round it out
    // of tolerance: half a step is at most 0.5 / 820 = 0.06 % of it).
    fails(
        &args(&[&["batch"], ZO_100G, &["--readability", "7g"]]),
        &["the balance cannot make this batch", "5,740 g"],
    );
}

#[test]
fn regression_a_worst_case_outside_the_tolerance_is_warned() {
    // 1.3 g at 0.1 g: 0.325 g of STS → 0.3 g (23.08 % w/w, 92.3 % of label, inside), but
    // weighed 0.05 g light with the base 0.05 g heavy: 0.25 / 1.3 = 19.23 % = 76.9 % of label.
    // Since issue 8 §5 such a batch is refused outright: the base, 1 g, is far below the
    // minimum weight 820 × 0.1 g = 82 g; the message names the smallest batch it can make.
    fails(
        &[
            "batch",
            "sts-25-zinc-oxide",
            "--quantity",
            "1.3g",
            "--readability",
            "0.1g",
        ],
        &[
            "the balance cannot make this batch",
            "82 g",
            "smallest batch",
        ],
    );
}

#[test]
fn regression_a_total_rounded_to_the_balance_is_warned() {
    // 100.005 g on a 0.01 g balance: 10000.5 steps round half away from zero to 100.01 g.
    // (It was 100.05 g on a 0.1 g balance, which cannot make a 100 g batch: minimum weight
    // 82 g, issue 8 §5.)
    let plan = json(&[
        "batch",
        "sts-25-zinc-oxide",
        "--quantity",
        "100.005g",
        "--readability",
        "0.01g",
    ]);
    assert_eq!(value(&plan["total"]), d("100.01"));
    let warnings = plan["warnings"].to_string();
    assert!(
        warnings.contains("rounded from 100.005 g to 100.01 g"),
        "{warnings}"
    );
}

#[test]
fn regression_a_fill_larger_than_the_container_is_refused() {
    fails(
        &["batch", "sts-25-zinc-oxide", "--containers", "2x100g"],
        &["`--containers`", "`jar-60g` (60 g)", "a fill of 100 g"],
    );
    // 45 g does not fit the 30 g jar: the smallest container that holds it is the 60 g jar.
    let plan = json(&["batch", "sts-25-zinc-oxide", "--containers", "2x45g"]);
    assert_eq!(plan["fill"]["container"], "jar-60g");
    fails(
        &[
            "batch",
            "sts-25-zinc-oxide",
            "--containers",
            "2x60g",
            "--container",
            "jar-30g",
        ],
        &["`--containers`", "a fill of 60 g"],
    );
}

#[test]
fn regression_the_composition_names_the_stock_as_weighed() {
    // A 50 % assay: 25 g needed / 0.5 = 50 g of stock in 100 g, i.e. 50 % w/w of the ointment,
    // which provides 25 % w/w on the pentahydrate basis.
    let plan = json(&args(&[
        &["batch"],
        ZO_100G,
        &["--assay", "50%", "--assay-basis", "as-is"],
    ]));
    let line = &plan["composition"][0];
    assert_eq!(value(&line["percent"]), d("25") / d("0.5"));
    let name = line["name"].as_str().unwrap();
    assert!(name.contains("stock as weighed"), "{name}");
    assert!(
        name.contains("providing 25 % w/w on the pentahydrate basis"),
        "{name}"
    );
    assert!(plan["warnings"]
        .to_string()
        .contains("below the pharmacopoeial minimum"));
}

#[test]
fn regression_an_implausible_water_content_is_flagged() {
    // USP: loss on drying of the pentahydrate 32.0-37.0 %; 5 % is more likely a typing error.
    let plan = json(&args(&[
        &["batch"],
        ZO_100G,
        &["--assay", "99%", "--assay-basis", "dried", "--water", "5%"],
    ]));
    assert!(plan["warnings"]
        .to_string()
        .contains("outside 32 % to 37 % for the pentahydrate"));
    let plan = json(&args(&[
        &["batch"],
        ZO_100G,
        &[
            "--assay",
            "99.5%",
            "--assay-basis",
            "dried",
            "--water",
            "36%",
        ],
    ]));
    assert!(!plan["warnings"].to_string().contains("water content"));
}

#[test]
fn regression_long_calculated_values_are_shown_rounded_and_marked() {
    // 25 × 158.11 / 248.19 has 28 significant digits; people read it to six decimals.
    let plan = json(&args(&[
        &["batch"],
        ZO_100G,
        &["--stock-form", "anhydrous"],
    ]));
    let calculated = &component(&plan, "active")["calculated"];
    let hand = (d("25") * d("158.11") / d("248.19"))
        .round_dp_with_strategy(6, RoundingStrategy::MidpointAwayFromZero);
    assert_eq!(calculated["text"], format!("≈ {hand} g"));
    assert!(value(calculated).scale() > 6, "the value stays exact");
}

#[test]
fn regression_output_files_get_the_usual_permissions() {
    // A file written with -o gets the mode any new file gets here (0666 less the umask), not
    // the 0600 of a temporary file.
    use std::os::unix::fs::PermissionsExt;
    let dir = crate::common::temp_dir();
    let reference = dir.path().join("reference");
    std::fs::write(&reference, "x").unwrap();
    let out = dir.path().join("batch.txt");
    ok(&[
        "batch",
        "sts-25-zinc-oxide",
        "--quantity",
        "100g",
        "-o",
        out.to_str().unwrap(),
    ]);
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&out), mode(&reference));
}

#[test]
fn regression_a_readability_coarser_than_the_batch_names_the_option() {
    // It used to say "the batch total 0 g is below the balance readability": the total had
    // already been rounded away and the option was not named.
    fails(
        &args(&[&["batch"], ZO_100G, &["--readability", "1kg"]]),
        &[
            "`--readability`",
            "finer than the batch total 100 g",
            "`1,000 g`",
        ],
    );
}

#[test]
fn regression_pentahydrate_water_on_an_anhydrous_stock_is_flagged() {
    // 36 % water is the pentahydrate's (5 × 18.02 / 248.19 = 36.3 %). Entered for a truly
    // anhydrous lot it makes the weight 1 / 0.64 = 1.56 times too heavy: a 157 % ointment.
    let plan = json(&args(&[
        &["batch"],
        ZO_100G,
        &[
            "--stock-form",
            "anhydrous",
            "--assay",
            "99.5%",
            "--assay-basis",
            "dried",
            "--water",
            "36%",
        ],
    ]));
    assert!(plan["warnings"]
        .to_string()
        .contains("outside 0 % to 5 % for the anhydrous form"));
}

#[test]
fn regression_an_explicit_readability_against_the_request_file_is_refused() {
    // The file says 0.01 g; an explicit 0.001 g used to be taken for the default and dropped.
    let dir = crate::common::temp_dir();
    let path = dir.path().join("r.toml");
    std::fs::write(
        &path,
        "formula = \"sts-25-zinc-oxide\"\nquantity = \"100 g\"\n[balance]\nreadability = \"0.01 g\"\n",
    )
    .unwrap();
    let file = path.to_str().unwrap();
    fails(
        &["batch", "--request", file, "--readability", "0.001g"],
        &[
            "`--readability`",
            "`balance.readability`",
            "`0.01 g`",
            "`0.001g`",
        ],
    );
    // Left out, the file's value applies.
    let plan = json(&["batch", "--request", file]);
    assert_eq!(value(&plan["balance"]["readability"]), d("0.01"));
}

#[test]
fn regression_an_assay_basis_without_an_assay_is_refused() {
    // `--assay-basis dried` alone used to be ignored ("100 % pentahydrate assumed").
    fails(
        &args(&[&["batch"], ZO_100G, &["--assay-basis", "dried"]]),
        &["`--assay`", "because `--assay-basis` was given"],
    );
}
