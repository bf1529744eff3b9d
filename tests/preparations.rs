//! The four formulas of issue 12, each worked by hand: the glycerin-lanolin ointment and the
//! gel with every excipient, the 10 % topical solution from pentahydrate, anhydrous and
//! commercial stock, and 250 mg/mL by transfer and from powder; and a study-supported BUD.

use std::fs;

use rust_decimal::RoundingStrategy;

use crate::common::{d, fails, json, ok, temp_dir, value};

/// Anhydrous and pentahydrate molar masses (USP): 1 g of pentahydrate holds 158.11 / 248.19 g
/// of anhydrous salt.
const ANHYDROUS: &str = "158.11";
const PENTAHYDRATE: &str = "248.19";

fn weigh(plan: &serde_json::Value, id: &str) -> rust_decimal::Decimal {
    value(
        &plan["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("no component {id}"))["to_weigh"],
    )
}

fn share(plan: &serde_json::Value, starts: &str) -> rust_decimal::Decimal {
    value(
        &plan["composition"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"].as_str().unwrap().starts_with(starts))
            .unwrap_or_else(|| panic!("no constituent {starts}"))["percent"],
    )
}

#[test]
fn glycerin_lanolin_100_g_from_pentahydrate_is_the_published_recipe() {
    let plan = json(&[
        "batch",
        "sts-25-glycerin-lanolin",
        "--quantity",
        "100g",
        "--date",
        "2026-11-21",
    ]);
    // Per 100 g: STS 25 % = 25 g of crystals (pentahydrate basis, pentahydrate stock: factor
    // 1); glycerin 10 % = 10 g; lanolin 32.5 % = 32.5 g; white petrolatum q.s. = 100 − 25 − 10
    // − 32.5 = 32.5 g, as published.
    assert_eq!(weigh(&plan, "sts"), d("25"));
    assert_eq!(weigh(&plan, "glycerin"), d("10"));
    assert_eq!(weigh(&plan, "lanolin"), d("32.5"));
    assert_eq!(
        weigh(&plan, "white-petrolatum"),
        d("100") - d("25") - d("10") - d("32.5")
    );
    // The order of addition: the active, then glycerin (the paste), lanolin, petrolatum.
    let ids: Vec<&str> = plan["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["sts", "glycerin", "lanolin", "white-petrolatum"]);
    // Every constituent in the final composition.
    assert_eq!(share(&plan, "Sodium thiosulfate pentahydrate"), d("25"));
    assert_eq!(share(&plan, "Glycerin"), d("10"));
    assert_eq!(share(&plan, "Lanolin"), d("32.5"));
    assert_eq!(share(&plan, "White petrolatum"), d("32.5"));
    // Those 25 g of pentahydrate hold 25 × 158.11 / 248.19 ≈ 15.926 g of anhydrous salt: the
    // strength is stated on the pentahydrate basis, and says so.
    let anhydrous_content = d("25") * d(ANHYDROUS) / d(PENTAHYDRATE);
    assert_eq!(
        anhydrous_content.round_dp_with_strategy(3, RoundingStrategy::MidpointAwayFromZero),
        d("15.926")
    );
    assert_eq!(plan["basis"], "pentahydrate");
    assert!(plan["title"]
        .as_str()
        .unwrap()
        .contains("25 % w/w (pentahydrate basis), ointment in Lanolin USP (anhydrous) and White petrolatum USP"));
    // Nonaqueous (no water added): USP <795> 180 days, day 1 = 2026-11-21 → 2027-05-19.
    assert_eq!(plan["record"]["bud"]["date"], "2027-05-19");
    assert_eq!(plan["record"]["lot"]["number"], "STS25GL-20261121-01");
}

#[test]
fn glycerin_lanolin_100_g_from_anhydrous_stock_converts_and_the_petrolatum_takes_up_the_rest() {
    let plan = json(&[
        "batch",
        "sts-25-glycerin-lanolin",
        "--quantity",
        "100g",
        "--stock-form",
        "anhydrous",
    ]);
    // 25 g on the pentahydrate basis from anhydrous stock: 25 × 158.11 / 248.19 = 15.92630…
    // → 15.926 g at the 0.001 g balance.
    let exact = d("25") * d(ANHYDROUS) / d(PENTAHYDRATE);
    assert!(exact > d("15.9263") && exact < d("15.9264"), "{exact}");
    assert_eq!(weigh(&plan, "sts"), d("15.926"));
    // Glycerin and lanolin are shares of the batch, unchanged; the petrolatum is the rest:
    // 100 − 15.926 − 10 − 32.5 = 41.574 g.
    assert_eq!(weigh(&plan, "glycerin"), d("10"));
    assert_eq!(weigh(&plan, "lanolin"), d("32.5"));
    assert_eq!(weigh(&plan, "white-petrolatum"), d("41.574"));
    // Strength from the rounded weight, back on the pentahydrate basis: 15.926 × 248.19 /
    // 158.11 = 24.99952… % w/w.
    let made = value(&plan["strength_check"]["from_rounded"]);
    let hand = d("15.926") * d(PENTAHYDRATE) / d(ANHYDROUS);
    assert!((made - hand).abs() < d("0.0000000001"), "{made} vs {hand}");
    assert!(made > d("24.9995") && made < d("24.9996"), "{made}");
}

#[test]
fn gel_100_g_with_every_excipient() {
    let plan = json(&[
        "batch",
        "sts-25-gel",
        "--quantity",
        "100g",
        "--date",
        "2026-11-21",
    ]);
    // STS 25 % = 25 g, xanthan gum 2 % = 2 g, ethanol 10 % = 10 g, purified water to 100 g:
    // 100 − 25 − 2 − 10 = 63 g.
    assert_eq!(weigh(&plan, "sts"), d("25"));
    assert_eq!(weigh(&plan, "xanthan-gum"), d("2"));
    assert_eq!(weigh(&plan, "ethanol"), d("10"));
    assert_eq!(
        weigh(&plan, "purified-water"),
        d("100") - d("25") - d("2") - d("10")
    );
    let roles: Vec<&str> = plan["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["active", "gelling-agent", "cosolvent", "vehicle"]);
    assert_eq!(share(&plan, "Xanthan gum"), d("2"));
    assert_eq!(share(&plan, "Ethanol"), d("10"));
    assert_eq!(share(&plan, "Purified water"), d("63"));
    // Aqueous, not preserved: USP <795> 14 days in a refrigerator, day 1 = 2026-11-21 →
    // 2026-12-04; the day-90 assay of the source does not lengthen it.
    assert_eq!(plan["record"]["bud"]["date"], "2026-12-04");
    assert_eq!(plan["record"]["bud"]["set_by"], "rule");
    fails(
        &[
            "batch",
            "sts-25-gel",
            "--quantity",
            "100g",
            "--storage",
            "room",
        ],
        &["--storage", "`refrigerator`"],
    );
}

#[test]
fn topical_solution_10_percent_from_pentahydrate_and_from_anhydrous_powder() {
    let run = |form: &str| {
        json(&[
            "batch",
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
            "--stock-form",
            form,
            "--date",
            "2026-11-21",
        ])
    };
    let penta = run("pentahydrate");
    // 90 mL in three 30 mL bottles, each keeping 0.1 mL: 90 + 3 × 0.1 = 90.3 mL; not
    // filtered (nonsterile), so no filter hold-up; the smallest flask that holds it: 100 mL.
    assert_eq!(value(&penta["need"]), d("90") + d("3") * d("0.1"));
    assert_eq!(value(&penta["total"]), d("100"));
    assert_eq!(penta["sterile"], false);
    // 10 % w/v = 100 mg/mL × 100 mL = 10 g of pentahydrate.
    assert_eq!(value(&penta["powder"]["to_weigh"]), d("10"));
    assert_eq!(value(&penta["strength"]), d("100"));
    // From anhydrous: 10 × 158.11 / 248.19 = 6.37052… → 6.371 g.
    let anhydrous = run("anhydrous");
    let exact = d("10") * d(ANHYDROUS) / d(PENTAHYDRATE);
    assert!(exact > d("6.3705") && exact < d("6.3706"), "{exact}");
    assert_eq!(value(&anhydrous["powder"]["to_weigh"]), d("6.371"));
    // Made: 6.371 × 248.19 / 158.11 g in 100 mL = 100.0075 mg/mL, 100.01 % of the target.
    let made = value(&anhydrous["made"]);
    let hand = d("6.371") * d(PENTAHYDRATE) / d(ANHYDROUS) / d("100") * d("1000");
    assert!((made - hand).abs() < d("0.0000000001"), "{made} vs {hand}");
    // Aqueous, not preserved (USP <795>): 14 days in a refrigerator, day 1 → 2026-12-04.
    for p in [&penta, &anhydrous] {
        assert_eq!(p["record"]["bud"]["date"], "2026-12-04");
        let steps = p["method_steps"].to_string();
        assert!(steps.contains("purified water"), "{steps}");
        assert!(!steps.contains("0.22"), "{steps}");
        assert!(!p["warnings"].to_string().contains("sterile-filtered"));
    }
    let text = ok(&[
        "batch",
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
    ]);
    assert!(
        text.contains("Method: from powder, q.s. to volume\n"),
        "{text}"
    );
    assert!(text.contains("Dissolve in purified water"), "{text}");
    // A filter hold-up for a preparation that is not filtered is a mistake, said.
    fails(
        &[
            "batch",
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
            "--filter-hold-up",
            "0.1mL",
        ],
        &["--filter-hold-up", "not sterile-filtered", "`0.1 mL`"],
    );
}

#[test]
fn topical_solution_10_percent_by_dilution_of_the_25_percent_injection() {
    let plan = json(&[
        "batch",
        "sts-10-topical-solution",
        "--quantity",
        "100mL",
        "--stock",
        "sts-250-us",
    ]);
    // 100 mL in four 30 mL bottles: 100 + 4 × 0.1 = 100.4 mL. 250 → 100 mg/mL is 2 volumes
    // of stock to 3 of water; at the 1 mL step the smallest exact batch from 100.4 mL is a
    // multiple of 5 mL: 105 mL = 42 mL stock (105 × 100 / 250) + 63 mL water.
    assert_eq!(value(&plan["need"]), d("100.4"));
    assert_eq!(value(&plan["dilution"]["final_volume"]), d("105"));
    assert_eq!(
        value(&plan["dilution"]["stock_volume"]),
        d("105") * d("100") / d("250")
    );
    assert_eq!(value(&plan["dilution"]["diluent_volume"]), d("63"));
    assert_eq!(plan["dilution"]["vials_opened"], 1);
    // The German 10 % ampoule is already 100 mg/mL: transferred, no water.
    let de = json(&[
        "batch",
        "sts-10-topical-solution",
        "--quantity",
        "30mL",
        "--stock",
        "sts-100-de",
    ]);
    assert_eq!(value(&de["dilution"]["diluent_volume"]), d("0"));
    // 30 + 0.1 = 30.1 mL → 31 mL at the 1 mL step, from ⌈31 / 10⌉ = 4 ampoules.
    assert_eq!(value(&de["dilution"]["stock_volume"]), d("31"));
    assert_eq!(de["dilution"]["vials_opened"], 4);
}

#[test]
fn intralesional_250_by_transfer_and_from_powder() {
    let transfer = json(&[
        "batch",
        "sts-250-intralesional",
        "--quantity",
        "8mL",
        "--date",
        "2026-11-21",
    ]);
    // By transfer: 8 mL in one 10 mL vial that keeps 0.1 mL: 8.1 mL of the 250 mg/mL
    // injection, no diluent, from one 50 mL vial (41.9 mL discarded).
    assert_eq!(value(&transfer["dilution"]["stock_volume"]), d("8.1"));
    assert_eq!(value(&transfer["dilution"]["diluent_volume"]), d("0"));
    assert_eq!(
        value(&transfer["dilution"]["left_over"]),
        d("50") - d("8.1")
    );
    assert_eq!(value(&transfer["made"]), d("250"));
    // Sterile components only (USP <797> Category 2, aseptic, not tested): 10 days in a
    // refrigerator, day 1 = 2026-11-21 → 2026-11-30.
    assert_eq!(transfer["record"]["bud"]["date"], "2026-11-30");

    let powder = json(&[
        "batch",
        "sts-250-intralesional",
        "--quantity",
        "8mL",
        "--method",
        "powder",
        // The certificate: assay 100 % as is (the factor is 1).
        "--assay",
        "100%",
        "--assay-basis",
        "as-is",
        "--stock-form",
        "anhydrous",
        "--date",
        "2026-11-21",
    ]);
    // From powder: 8 + 0.1 (vial) + 0.1 (filter hold-up) = 8.2 mL → the 10 mL flask; 250 mg/mL
    // × 10 mL = 2.5 g on the pentahydrate basis = 2.5 × 158.11 / 248.19 = 1.59263… g
    // anhydrous → 1.593 g.
    assert_eq!(value(&powder["need"]), d("8.2"));
    assert_eq!(value(&powder["total"]), d("10"));
    assert_eq!(value(&powder["powder"]["to_weigh"]), d("1.593"));
    // 1.593 × 248.19 / 158.11 = 2.50058 g in 10 mL = 250.058 mg/mL: 100.02 %, inside the
    // injection's 95–105 %.
    let made = value(&powder["made"]);
    let hand = d("1.593") * d(PENTAHYDRATE) / d(ANHYDROUS) / d("10") * d("1000");
    assert!((made - hand).abs() < d("0.0000000001"), "{made} vs {hand}");
    assert!(made > d("250.05") && made < d("250.06"), "{made}");
    assert_eq!(powder["tolerance"]["low"]["value"], "95");
    // A nonsterile component: 4 days in a refrigerator → 2026-11-24; it is filtered.
    assert_eq!(powder["record"]["bud"]["date"], "2026-11-24");
    assert!(powder["warnings"].to_string().contains("sterile-filtered"));
    // No dosing policy is published for 250 mg/mL, and none is guessed.
    fails(
        &[
            "session",
            "--formula",
            "sts-250-intralesional",
            "--lesion",
            "0.2mL",
        ],
        &["sts-250-intralesional", "no `[dosing]` section"],
    );
}

#[test]
fn every_new_formula_states_the_confidence_of_its_facts() {
    for id in [
        "sts-10-topical-solution",
        "sts-25-gel",
        "sts-25-glycerin-lanolin",
        "sts-250-intralesional",
    ] {
        let f = json(&["show", id]);
        let facts = f["formula"]["facts"]
            .as_array()
            .unwrap_or_else(|| panic!("{id}: no facts in {f}"));
        assert!(facts.len() >= 3, "{id}");
        for fact in facts {
            assert!(["H", "M", "L"].contains(&fact["confidence"].as_str().unwrap()));
            assert!(!fact["source"].as_str().unwrap().is_empty());
        }
        assert!(!f["formula"]["references"].as_array().unwrap().is_empty());
    }
}

// ---------------------------------------------------------------- study-supported BUD

fn gel_with(bud_extra: &str) -> tempfile::TempDir {
    let dir = temp_dir();
    let text = format!("{}\n{bud_extra}", ok(&["show", "sts-25-gel"]));
    fs::write(dir.path().join("sts-25-gel.toml"), text).unwrap();
    dir
}

#[test]
fn a_study_supported_bud_is_longer_and_printed_with_its_reference() {
    let dir = gel_with(
        "[[bud.study]]\nlimit = \"90 days\"\nstorage = [\"refrigerator\"]\nreference = \"Site study 2026-07: assay 98-102 % and microbial limits met at day 90, refrigerated\"\n",
    );
    let folder = dir.path().to_str().unwrap();
    let args = [
        "--formulas",
        folder,
        "batch",
        "sts-25-gel",
        "--quantity",
        "100g",
        "--date",
        "2026-11-21",
    ];
    let plan = json(&args);
    // 90 days, the compounding day counted as day 1: 2026-11-21 + 89 days = 2027-02-18.
    assert_eq!(plan["record"]["bud"]["date"], "2027-02-18");
    assert_eq!(plan["record"]["bud"]["set_by"], "formula-study");
    let text = ok(&args);
    assert!(text.contains("study-supported limit: 90 days"), "{text}");
    assert!(text.contains("Site study 2026-07"), "{text}");
    let html = ok(&[&args[..], &["--format", "html"]].concat());
    assert!(html.contains("Site study 2026-07"));
}

#[test]
fn a_study_bud_needs_its_reference_and_a_nonsterile_preparation() {
    let dir = gel_with("[[bud.study]]\nlimit = \"90 days\"\nreference = \" \"\n");
    fails(
        &["--formulas", dir.path().to_str().unwrap(), "formulas"],
        &["`bud.study`", "expected the study's `reference`"],
    );
    let dir = temp_dir();
    let text = format!(
        "{}\n[[bud.study]]\nlimit = \"30 days\"\nreference = \"EJHP 2013\"\n",
        ok(&["show", "sts-250-intralesional"])
    );
    // [[bud.study]] after [tolerance] and [rescue] is still the [bud] table's.
    fs::write(dir.path().join("sts-250-intralesional.toml"), text).unwrap();
    fails(
        &["--formulas", dir.path().to_str().unwrap(), "formulas"],
        &["`bud.study`", "only in a nonsterile preparation"],
    );
}

// ---------------------------------------------------------------- one vial per session

#[test]
fn a_solution_batch_fills_a_list_of_vials_and_labels_each() {
    // Two sessions of 4.08 mL (injected and dead space), one vial each: 4.08 + 4.08 = 8.16 mL
    // asked, + 2 × 0.1 mL vial residual = 8.36 mL; 150 from 250 mg/mL is 3 : 2, so at the
    // 0.1 mL step exact batches are multiples of 0.5 mL: 8.5 mL = 5.1 mL stock + 3.4 mL water.
    let plan = json(&["batch", "sts-150-intralesional", "--vials", "4.08mL,4.08mL"]);
    assert_eq!(value(&plan["nominal"]), d("4.08") + d("4.08"));
    assert_eq!(value(&plan["need"]), d("8.16") + d("2") * d("0.1"));
    assert_eq!(value(&plan["total"]), d("8.5"));
    assert_eq!(
        value(&plan["dilution"]["stock_volume"]),
        d("8.5") * d("3") / d("5")
    );
    assert_eq!(plan["fill"]["count"], 2);
    // The first vial holds its 4.08 mL and its residual, the last the rest: 8.5 − 4.18.
    let vials: Vec<_> = plan["fill"]["vials"]
        .as_array()
        .unwrap()
        .iter()
        .map(value)
        .collect();
    assert_eq!(vials, [d("4.18"), d("8.5") - d("4.18")]);
    // Each vial gets its own label with what it holds.
    let labels = ok(&[
        "labels",
        "sts-150-intralesional",
        "--vials",
        "4.08mL,2.5mL",
        "--method",
        "dilution",
        "--date",
        "2026-11-21T09:00",
        "--lot",
        "STS150I-20261121-01",
    ]);
    assert!(labels.contains("2 containers"), "{labels}");
    assert!(labels.contains("Net 4.18 mL."), "{labels}");
    // 6.58 mL + 0.2 mL = 6.78 mL → 7 mL (multiples of 0.5 mL): the last holds 7 − 4.18 = 2.82.
    assert!(labels.contains("Net 2.82 mL."), "{labels}");
    // A vial its container cannot hold, a zero vial, and vials for an ointment are refused.
    fails(
        &["batch", "sts-150-intralesional", "--vials", "9.95mL,1mL"],
        &["--vials", "at most 10 mL", "10.05 mL"],
    );
    fails(
        &["batch", "sts-150-intralesional", "--vials", "4mL,0mL"],
        &["--vials", "greater than zero"],
    );
    fails(
        &["batch", "sts-25-zinc-oxide", "--vials", "4mL"],
        &["--vials", "it is for solutions"],
    );
}
