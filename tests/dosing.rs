//! Clinician dosing (issue 3): the 150 mg/mL intralesional solution, the session check, the
//! treatment series and the topical supply. Worked examples are checked against arithmetic
//! written out here, never against copied program output.

use rust_decimal::{Decimal, RoundingStrategy};

use crate::common::{d, fails, json, ok, temp_dir, value};

const F: &str = "sts-150-intralesional";

fn round2(x: Decimal) -> Decimal {
    x.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// `x` rounded up to a multiple of `m`.
fn up_to(x: Decimal, m: Decimal) -> Decimal {
    (x / m).ceil() * m
}

// ---------------------------------------------------------------- the solution batch

#[test]
fn ten_ml_of_150_from_250_stock_is_6_ml_stock_and_4_ml_diluent() {
    // The vial residual set to 0 mL: the C1·V1 = C2·V2 arithmetic alone (the residual is
    // added in `dilution_exact::batch_of_1_25_ml_was_made_as_1_3_ml_at_153_85_mg_per_ml`).
    let j = json(&[
        "batch",
        F,
        "--quantity",
        "10mL",
        "--method",
        "dilution",
        "--vial-residual",
        "0mL",
    ]);
    let dil = &j["dilution"];
    // C1·V1 = C2·V2: V1 = 150 mg/mL × 10 mL ÷ 250 mg/mL.
    let v1 = d("150") * d("10") / d("250");
    assert_eq!(v1, d("6"));
    assert_eq!(value(&dil["stock_volume"]), v1);
    assert_eq!(value(&dil["diluent_volume"]), d("10") - v1);
    assert_eq!(value(&dil["final_volume"]), d("10"));
    assert_eq!(value(&dil["concentration_from_rounded"]), d("150"));
    // One 50 mL vial opened, 50 − 6 = 44 mL left over.
    assert_eq!(dil["vials_opened"], 1);
    assert_eq!(value(&dil["left_over"]), d("50") - v1);
    assert_eq!(dil["diluent"]["id"], "water-for-injection");
    assert_eq!(j["basis"], "pentahydrate");
    // The text shows the same numbers.
    let t = ok(&["batch", F, "--quantity", "10mL", "--vial-residual", "0mL"]);
    assert!(t.contains("6 mL"), "{t}");
    assert!(t.contains("4 mL"), "{t}");
    assert!(t.contains("1 × 50 mL opened, 44 mL left over"), "{t}");
    assert!(t.contains("(pentahydrate basis)"), "{t}");
}

#[test]
fn domain_example_5_ml_is_3_ml_stock_and_2_ml_diluent_in_saline() {
    let j = json(&[
        "batch",
        F,
        "--quantity",
        "5mL",
        "--diluent",
        "sodium-chloride-0.9",
        "--vial-residual",
        "0mL",
    ]);
    let v1 = d("150") * d("5") / d("250");
    assert_eq!(value(&j["dilution"]["stock_volume"]), v1);
    assert_eq!(value(&j["dilution"]["diluent_volume"]), d("5") - v1);
    assert_eq!(j["dilution"]["diluent"]["id"], "sodium-chloride-0.9");
}

#[test]
fn an_80_mg_per_ml_anhydrous_stock_is_refused_with_both_on_one_basis() {
    // 150 mg/mL pentahydrate is 150 × 158.11 / 248.19 ≈ 95.56 mg/mL anhydrous (≈ 95.6);
    // the stock, 80 mg/mL anhydrous, is 80 × 248.19 / 158.11 ≈ 125.58 mg/mL pentahydrate.
    let target_anhydrous = round2(d("150") * d("158.11") / d("248.19"));
    assert_eq!(target_anhydrous, d("95.56"));
    let stock_penta = round2(d("80") * d("248.19") / d("158.11"));
    assert_eq!(stock_penta, d("125.58"));
    let needles = [
        "weaker than the target".to_string(),
        format!("≈ {target_anhydrous} mg/mL anhydrous"),
        "80 mg/mL anhydrous".to_string(),
        format!("stock ≈ {stock_penta} mg/mL"),
    ];
    let needles: Vec<&str> = needles.iter().map(String::as_str).collect();
    fails(
        &["batch", F, "--quantity", "10mL", "--stock", "pedmarqsi-80"],
        &needles,
    );
    fails(
        &[
            "batch",
            F,
            "--quantity",
            "10mL",
            "--stock-concentration",
            "80mg/mL",
            "--stock-basis",
            "anhydrous",
            "--vial",
            "100mL",
        ],
        &needles,
    );
}

#[test]
fn an_anhydrous_stock_strong_enough_is_converted() {
    // 160 mg/mL anhydrous = 160 × 248.19 / 158.11 mg/mL pentahydrate; V1 = 150 × 10 ÷ that,
    // ≈ 5.97 mL, rounded to the 0.1 mL measuring step: 6 mL.
    // (The program multiplies by the molar-mass ratio, so the test does too.)
    let on_penta = d("160") * (d("248.19") / d("158.11"));
    let v1 = d("150") * d("10") / on_penta;
    assert!(v1 > d("5.95") && v1 < d("6.05"));
    let j = json(&[
        "batch",
        F,
        "--quantity",
        "10mL",
        "--stock-concentration",
        "160mg/mL",
        "--stock-basis",
        "anhydrous",
        "--vial",
        "10mL",
        "--vial-residual",
        "0mL",
    ]);
    let dil = &j["dilution"];
    // No volume gives exactly 150 (the molar-mass ratio does not terminate): the smallest
    // within 1 % is made, 10 mL, whose 6 mL give 150.69…, 100.46 % of the target.
    assert_eq!(j["made_exactly"], false);
    let of = on_penta * d("6") / d("10") / d("150") * d("100");
    assert!(of > d("99") && of < d("101"), "{of}");
    assert_eq!(value(&dil["stock_volume"]), d("6"));
    assert_eq!(value(&dil["diluent_volume"]), d("4"));
    assert_eq!(dil["stock"]["basis"], "anhydrous");
    // The measured volumes give 6/10 of the converted stock.
    assert_eq!(
        value(&dil["concentration_from_rounded"]),
        on_penta * d("6") / d("10")
    );
    assert!(!j["warnings"].as_array().unwrap().is_empty());
}

#[test]
fn the_powder_method_corrects_for_the_certificate_and_filters() {
    // 150 mg/mL × 10 mL = 1,500 mg = 1.5 g pentahydrate; assay 99.5 % as is:
    // 1.5 ÷ 0.995 = 1.50753… g, weighed to 0.001 g: 1.508 g.
    let j = json(&[
        "batch",
        F,
        "--quantity",
        "10mL",
        "--method",
        "powder",
        "--assay",
        "99.5%",
        "--assay-basis",
        "as-is",
        "--vial-residual",
        "0mL",
        "--filter-hold-up",
        "0mL",
    ]);
    let p = &j["powder"];
    assert_eq!(value(&p["active_needed"]), d("150") * d("10") / d("1000"));
    assert_eq!(
        value(&p["to_weigh"]),
        (d("1.5") / d("0.995")).round_dp_with_strategy(3, RoundingStrategy::MidpointAwayFromZero)
    );
    assert_eq!(value(&p["to_weigh"]), d("1.508"));
    // USP <797> Category 2 with a nonsterile starting component, refrigerated: 4 days.
    assert_eq!(j["bud"]["limit"]["value"], "4");
    let steps = j["method_steps"].as_array().unwrap();
    assert!(steps
        .iter()
        .any(|s| s.as_str().unwrap().contains("0.22 µm")));
    assert!(steps.iter().any(|s| s.as_str().unwrap().contains("q.s.")));
    assert_eq!(value(&j["flask"]), d("10"));
    let t = ok(&[
        "batch",
        F,
        "--quantity",
        "10mL",
        "--method",
        "powder",
        "--vial-residual",
        "0mL",
        "--filter-hold-up",
        "0mL",
    ]);
    assert!(t.contains("1.5 g"), "{t}");
    assert!(t.contains("q.s. to 10 mL"), "{t}");
}

#[test]
fn the_osmolarity_is_an_upper_estimate_with_three_particles() {
    // 150 mg/mL ÷ 248.19 g/mol × 3 × 1000 = 1,813.13… mOsm/L.
    let exact = d("150") / d("248.19") * d("3") * d("1000");
    let whole = exact.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
    assert_eq!(whole, d("1813"));
    let j = json(&["batch", F, "--quantity", "10mL"]);
    assert_eq!(
        d(j["osmolarity"]["mosm_per_l"].as_str().unwrap()),
        exact,
        "exact value in JSON"
    );
    assert_eq!(j["osmolarity"]["text"], "≈ 1,813 mOsm/L");
    let t = ok(&["batch", F, "--quantity", "10mL"]);
    assert!(t.contains("upper estimate"), "{t}");
    assert!(t.contains("≈ 1,813 mOsm/L"), "{t}");
}

#[test]
fn a_coarse_measuring_step_no_longer_made_7_ml_at_142_86_mg_per_ml() {
    // Was: 7 mL at a 0.5 mL step measured 4 mL stock + 3 mL diluent, 142.86 mg/mL (95.24 %).
    // Now: 7 mL + 0.1 mL vial residual = 7.1 mL needed; 150 from 250 is 3 : 2, so at a 0.5 mL
    // step the stock (3 parts) and diluent (2 parts) are whole steps when the total is a
    // multiple of 5 × 0.5 = 2.5 mL: 7.5 mL, stock 4.5 mL + diluent 3 mL, exactly 150 mg/mL.
    let j = json(&["batch", F, "--quantity", "7mL", "--measure-step", "0.5mL"]);
    let total = up_to(d("7") + d("0.1"), d("5") * d("0.5"));
    assert_eq!(total, d("7.5"));
    assert_eq!(value(&j["measure_step"]), d("0.5"));
    assert_eq!(value(&j["total"]), total);
    assert_eq!(
        value(&j["dilution"]["stock_volume"]),
        total * d("3") / d("5")
    );
    assert_eq!(
        value(&j["dilution"]["diluent_volume"]),
        total * d("2") / d("5")
    );
    assert_eq!(
        value(&j["dilution"]["concentration_from_rounded"]),
        d("150")
    );
    let t = ok(&["batch", F, "--quantity", "7mL", "--measure-step", "0.5mL"]);
    assert!(t.contains("stock : diluent 3 : 2"), "{t}");
    assert!(!t.contains("142.86"), "{t}");
}

#[test]
fn several_vials_are_opened_when_one_is_not_enough() {
    // 100 mL of 150 from the 10 mL German 10 % ampoules is refused (weaker); from 250 mg/mL:
    // 100 mL in 20 mL vials is 5 vials, each keeping 0.1 mL: 100 + 5 × 0.1 = 100.5 mL, a
    // multiple of 0.5 mL (3 : 2 at the 0.1 mL step), so V1 = 100.5 × 3 ÷ 5 = 60.3 mL; a 50 mL
    // stock vial gives 50 − 0.1 mL, so two are opened, 2 × 50 − 60.3 = 39.7 mL left over.
    let j = json(&[
        "batch",
        F,
        "--quantity",
        "100mL",
        "--container",
        "vial-20mL",
    ]);
    assert_eq!(j["dilution"]["vials_opened"], 2);
    let total = up_to(d("100") + d("5") * d("0.1"), d("0.5"));
    let v1 = total * d("3") / d("5");
    assert_eq!(value(&j["dilution"]["stock_volume"]), v1);
    assert_eq!(value(&j["dilution"]["left_over"]), d("2") * d("50") - v1);
    // Four vials hold 20 mL + their 0.1 mL residual, the last the rest.
    assert_eq!(value(&j["fill"]["holds"]), d("20.1"));
    assert_eq!(value(&j["fill"]["last_holds"]), total - d("4") * d("20.1"));
    assert_eq!(j["fill"]["count"], 5);
    fails(
        &["batch", F, "--quantity", "10mL", "--stock", "sts-100-de"],
        &["weaker than the target", "100 mg/mL", "150 mg/mL"],
    );
}

// ---------------------------------------------------------------- the session check

#[test]
fn twelve_lesions_of_0_2_ml_at_150_is_2_4_ml_and_360_mg() {
    let j = json(&["session", "--lesions", "12", "--per-lesion", "0.2mL"]);
    let volume = d("12") * d("0.2");
    assert_eq!(volume, d("2.4"));
    assert_eq!(value(&j["total_volume"]), volume);
    // 2.4 mL × 150 mg/mL = 360 mg = 0.36 g.
    assert_eq!(value(&j["total_mass"]) * d("1000"), volume * d("150"));
    assert_eq!(j["total_mass_text"], "360 mg");
    assert_eq!(j["basis"], "pentahydrate");
    assert_eq!(j["lesions"].as_array().unwrap().len(), 12);
    assert_eq!(
        value(&j["lesions"][0]["mass"]) * d("1000"),
        d("0.2") * d("150")
    );
    // One 1 mL syringe per lesion, each with 0.07 mL syringe + 0.07 mL needle dead space.
    assert_eq!(j["syringes"].as_array().unwrap().len(), 12);
    let dead = d("12") * (d("0.07") + d("0.07"));
    assert_eq!(value(&j["dead_space"]), dead);
    assert_eq!(value(&j["to_prepare"]), volume + dead);
    // 4.08 mL + 0.1 mL vial residual = 4.18 mL, made as 4.5 mL: the next multiple of 0.5 mL
    // (150 from 250 is 3 : 2, whole 0.1 mL steps every 0.5 mL); was 4.1 mL at ≈ 152.44 mg/mL.
    assert_eq!(
        value(&j["batch_volume"]),
        up_to(volume + dead + d("0.1"), d("0.5"))
    );
    assert_eq!(value(&j["batch_volume"]), d("4.5"));
    // The command asks for what is drawn: `batch` adds the residual and rounds up the same way.
    assert_eq!(
        j["batch_command"],
        "stscalc batch sts-150-intralesional --quantity 4.08mL"
    );
    let t = ok(&["session", "--lesions", "12", "--per-lesion", "0.2mL"]);
    assert!(t.contains("2.4 mL"), "{t}");
    assert!(t.contains("360 mg"), "{t}");
    assert!(t.contains("4.08 mL"), "{t}");
    assert!(t.contains("LOCAL POLICY"), "{t}");
}

#[test]
fn a_0_15_ml_dose_goes_in_a_1_ml_syringe_with_the_20_percent_warning() {
    let j = json(&["session", "--lesion", "0.15mL"]);
    let l = &j["lesions"][0];
    let s = &j["syringes"][0]["syringe"];
    assert_eq!(value(&s["capacity"]), d("1"));
    assert_eq!(value(&s["graduation"]), d("0.01"));
    // 0.15 mL < 20 % × 1 mL = 0.2 mL.
    assert!(d("0.15") < d("0.2") * d("1"));
    assert_eq!(l["below_min_fraction"], true);
    assert_eq!(value(&l["drawn"]), d("0.15"));
    let t = ok(&["session", "--lesion", "0.15mL"]);
    assert!(t.contains("below 20 %"), "{t}");
}

#[test]
fn a_2_ml_dose_goes_in_a_3_ml_syringe() {
    // 2 mL is above the shipped per-lesion maximum (1 mL): refused without a reason.
    fails(
        &["session", "--lesion", "2mL"],
        &[
            "volume per lesion 2 mL",
            "maximum 1 mL",
            "--override-reason",
        ],
    );
    let args = [
        "session",
        "--lesion",
        "2mL",
        "--override-reason",
        "large hip deposit",
    ];
    let j = json(&args);
    let s = &j["syringes"][0]["syringe"];
    assert_eq!(value(&s["capacity"]), d("3"));
    assert_eq!(value(&s["graduation"]), d("0.1"));
    // 2 mL ≥ 20 % × 3 mL = 0.6 mL: no warning for the syringe size.
    assert_eq!(j["lesions"][0]["below_min_fraction"], false);
    assert_eq!(j["override_reason"], "large hip deposit");
    let t = ok(&args);
    assert!(t.contains("3 mL syringe"), "{t}");
    assert!(t.contains("reason: large hip deposit"), "{t}");
}

#[test]
fn doses_are_rounded_to_the_syringe_graduation() {
    // 1.25 mL needs the 3 mL syringe (0.1 mL graduations): 1.3 mL drawn (halves away from
    // zero), 1.3 × 150 = 195 mg.
    let j = json(&[
        "session",
        "--lesion",
        "1.25mL",
        "--override-reason",
        "large deposit",
    ]);
    let l = &j["lesions"][0];
    assert_eq!(value(&l["prescribed"]), d("1.25"));
    assert_eq!(value(&l["drawn"]), d("1.3"));
    assert_eq!(value(&l["mass"]) * d("1000"), d("1.3") * d("150"));
}

#[test]
fn fill_across_packs_lesions_into_fewer_syringes() {
    // 12 × 0.2 mL in 1 mL syringes: 5 + 5 + 2 lesions, 3 syringes, dead space 3 × 0.14 mL.
    let j = json(&[
        "session",
        "--lesions",
        "12",
        "--per-lesion",
        "0.2mL",
        "--fill-across",
    ]);
    let s = j["syringes"].as_array().unwrap();
    assert_eq!(s.len(), 3);
    assert_eq!(s[0]["lesions"].as_array().unwrap().len(), 5);
    assert_eq!(value(&s[0]["volume"]), d("5") * d("0.2"));
    assert_eq!(value(&s[2]["volume"]), d("2") * d("0.2"));
    let dead = d("3") * (d("0.07") + d("0.07"));
    assert_eq!(value(&j["to_prepare"]), d("2.4") + dead);
}

#[test]
fn the_batch_command_carries_the_session_strength() {
    // 2 × 0.2 mL + 2 × 0.14 mL dead space = 0.68 mL; + 0.1 mL vial residual = 0.78 mL, made as
    // 0.8 mL of the 250 mg/mL stock itself (no diluent, so any 0.1 mL step is exact).
    let j = json(&[
        "session",
        "--lesions",
        "2",
        "--per-lesion",
        "0.2mL",
        "--concentration",
        "250mg/mL",
        "--sessions",
        "2",
        "--start",
        "2026-11-23",
    ]);
    assert_eq!(
        value(&j["to_prepare"]),
        d("2") * d("0.2") + d("2") * d("0.14")
    );
    assert_eq!(
        j["batch_command"],
        "stscalc batch sts-150-intralesional --quantity 0.68mL --strength 250mg/mL"
    );
    assert_eq!(
        j["series"]["preparations"][0]["batch_command"],
        // One preparation per session (single-dose vials): the session's 0.68 mL.
        "stscalc batch sts-150-intralesional --quantity 0.68mL --method dilution --strength 250mg/mL"
    );
    // The command it prints runs: 250 from 250 is the stock itself, no diluent.
    let b = json(&["batch", F, "--quantity", "0.68mL", "--strength", "250mg/mL"]);
    assert_eq!(value(&b["dilution"]["stock_volume"]), d("0.8"));
    assert_eq!(value(&b["total"]), value(&j["batch_volume"]));
    assert_eq!(value(&b["dilution"]["diluent_volume"]), d("0"));
    // 15 % w/v is 150 mg/mL: accepted as the formula's strength.
    let w = json(&["batch", F, "--quantity", "10mL", "--strength", "15%w/v"]);
    assert_eq!(value(&w["strength"]), d("15") * d("10"));
}

#[test]
fn the_concentration_can_be_given_with_its_basis() {
    // 0.5 mL of 100 mg/mL anhydrous = 50 mg anhydrous = 50 × 248.19 / 158.11 mg pentahydrate
    // against the policy (≈ 78.49 mg, below 150 mg).
    let j = json(&[
        "session",
        "--lesion",
        "0.5mL",
        "--concentration",
        "100mg/mL",
        "--basis",
        "anhydrous",
    ]);
    assert_eq!(j["basis"], "anhydrous");
    assert_eq!(value(&j["total_mass"]) * d("1000"), d("0.5") * d("100"));
    let per_lesion = &j["limits"][2];
    let on_penta = round2(d("50") * d("248.19") / d("158.11"));
    assert!(
        per_lesion["value"]
            .as_str()
            .unwrap()
            .contains(&on_penta.to_string()),
        "{per_lesion}"
    );
}

#[test]
fn session_maximums_are_refused_unless_a_reason_is_given() {
    // 11 × 1 mL = 11 mL > 10 mL and 11 × 150 mg = 1,650 mg > 1,500 mg per session.
    fails(
        &["session", "--lesions", "11", "--per-lesion", "1mL"],
        &[
            "volume per session 11 mL is above the maximum 10 mL",
            "1,650 mg",
            "1,500 mg",
        ],
    );
    // 10 × 1 mL = 10 mL and 1,500 mg: at the maximum, allowed.
    ok(&["session", "--lesions", "10", "--per-lesion", "1mL"]);
    let t = ok(&[
        "session",
        "--lesions",
        "23",
        "--per-lesion",
        "0.1mL",
        "--override-reason",
        "extensive disease, agreed with the pharmacist",
    ]);
    assert!(
        t.contains("extensive disease, agreed with the pharmacist"),
        "{t}"
    );
    assert!(t.contains("EXCEEDED"), "{t}");
}

#[test]
fn a_lesion_file_gives_site_size_and_volume() {
    let dir = temp_dir();
    let path = dir.path().join("lesions.csv");
    std::fs::write(
        &path,
        "site,size,volume\n\"left elbow, posterior\",12 x 8 mm,0.2 mL\nright knee,5 mm,0.1mL\n",
    )
    .unwrap();
    let p = path.to_str().unwrap();
    let j = json(&["session", "--lesion-file", p]);
    assert_eq!(j["lesions"][0]["site"], "left elbow, posterior");
    assert_eq!(j["lesions"][0]["size"], "12 x 8 mm");
    assert_eq!(value(&j["total_volume"]), d("0.2") + d("0.1"));
    let t = ok(&["session", "--lesion-file", p]);
    assert!(t.contains("left elbow, posterior"), "{t}");
}

// ---------------------------------------------------------------- the series

#[test]
fn four_weekly_sessions_with_dates_preparations_and_follow_up() {
    let args = [
        "session",
        "--lesions",
        "12",
        "--per-lesion",
        "0.2mL",
        "--sessions",
        "4",
        "--every",
        "7d",
        "--start",
        "2026-11-23",
    ];
    let j = json(&args);
    let s = &j["series"];
    let dates: Vec<&str> = s["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["date"].as_str().unwrap())
        .collect();
    // 23 Nov + 7 = 30 Nov; + 7 = 7 Dec (November has 30 days); + 7 = 14 Dec.
    assert_eq!(
        dates,
        ["2026-11-23", "2026-11-30", "2026-12-07", "2026-12-14"]
    );
    // 4 × 360 mg = 1,440 mg; 4 × 2.4 mL = 9.6 mL.
    assert_eq!(value(&s["total_mass"]) * d("1000"), d("4") * d("360"));
    assert_eq!(value(&s["total_volume"]), d("4") * d("2.4"));
    // Dilution BUD 10 days, compounding day = day 1: made 23 Nov, usable through 2 Dec; but a
    // batch is one single-dose vial, so each session has its own preparation on its day.
    let preps = s["preparations"].as_array().unwrap();
    assert_eq!(preps.len(), 4);
    assert_eq!(preps[0]["use_through"], "2026-12-02");
    assert_eq!(preps[0]["sessions"], serde_json::json!([1]));
    assert_eq!(preps[2]["compound_on"], "2026-12-07");
    // Each session needs 2.4 mL + 12 × 0.14 mL = 4.08 mL, + 0.1 mL vial residual = 4.18 mL,
    // made as 4.5 mL (the next multiple of 0.5 mL, where 3 : 2 is whole 0.1 mL steps).
    let per_session = d("2.4") + d("12") * d("0.14");
    assert_eq!(value(&preps[0]["volume"]), per_session);
    assert_eq!(
        value(&preps[0]["batch_volume"]),
        up_to(per_session + d("0.1"), d("0.5"))
    );
    assert_eq!(
        preps[0]["batch_command"],
        "stscalc batch sts-150-intralesional --quantity 4.08mL --method dilution"
    );
    // Follow-up 12–16 weeks after the LAST session, 14 Dec 2026: + 84 days = 8 Mar 2027
    // (17 days to 31 Dec, 31 in Jan, 28 in Feb: 76, then 8), + 112 days = 5 Apr 2027 (+ 28).
    assert_eq!(s["follow_up"]["from"], "2027-03-08");
    assert_eq!(s["follow_up"]["to"], "2027-04-05");
    let t = ok(&args);
    assert!(t.contains("Mon 2026-11-23"), "{t}");
    assert!(t.contains("1,440 mg (1.44 g)"), "{t}");
    assert!(t.contains("2027-03-08 to Mon 2027-04-05"), "{t}");
}

#[test]
fn a_short_bud_means_one_preparation_per_session() {
    for extra in [&["--solution-bud", "4d"][..], &["--method", "powder"][..]] {
        let mut args = vec![
            "session",
            "--lesions",
            "2",
            "--per-lesion",
            "0.2mL",
            "--sessions",
            "4",
            "--every",
            "1w",
            "--start",
            "2026-11-23",
        ];
        args.extend_from_slice(extra);
        let j = json(&args);
        let preps = j["series"]["preparations"].as_array().unwrap();
        assert_eq!(preps.len(), 4, "{extra:?}");
        assert_eq!(j["series"]["bud"]["days"]["value"], "4");
        // 4-day BUD from 23 Nov: day 1 is 23 Nov, day 4 is 26 Nov.
        assert_eq!(preps[0]["use_through"], "2026-11-26");
    }
}

// ---------------------------------------------------------------- topical supply

#[test]
fn two_grams_twice_daily_for_30_days_is_120_g() {
    let args = [
        "supply",
        "sts-25-petrolatum",
        "--per-application",
        "2g",
        "--per-day",
        "2",
        "--days",
        "30",
    ];
    let j = json(&args);
    let needed = d("2") * d("2") * d("30");
    assert_eq!(needed, d("120"));
    assert_eq!(value(&j["needed"]), needed);
    // 120 g ÷ 30 g jars = 4 jars.
    assert_eq!(j["containers"], 4);
    assert_eq!(
        j["batch_command"],
        "stscalc batch sts-25-petrolatum --containers 4x30g"
    );
    let t = ok(&args);
    assert!(t.contains("120 g"), "{t}");
    // The command it prints runs.
    let next = ok(&["batch", "sts-25-petrolatum", "--containers", "4x30g"]);
    assert!(next.contains("120 g"), "{next}");
}

#[test]
fn fingertip_units_and_months_are_defined_in_the_output() {
    // 4 FTU × 0.5 g = 2 g once daily for 6 months × 30 days = 180 days: 360 g, 12 tubes of 30 g.
    // The ointment's BUD is 180 days (USP <795>, nonaqueous) with the compounding day as day 1
    // and not a day of use: one batch serves at most 179 days, so 180 days are two batches of
    // 90 days, each 2 g × 90 = 180 g = 6 tubes.
    let args = [
        "supply",
        "sts-25-zinc-oxide",
        "--per-application",
        "4FTU",
        "--per-day",
        "1",
        "--months",
        "6",
        "--container",
        "tube-30g",
    ];
    let j = json(&args);
    assert_eq!(value(&j["per_application_mass"]), d("4") * d("0.5"));
    assert_eq!(j["days"], 6 * 30);
    assert_eq!(value(&j["needed"]), d("2") * d("180"));
    assert_eq!(j["containers"], 12);
    let batches = j["batches"].as_array().unwrap();
    assert_eq!(batches.len(), 2);
    assert_eq!(batches[0]["days"], 90);
    assert_eq!(value(&batches[0]["needed"]), d("2") * d("90"));
    assert_eq!(batches[1]["first_day"], 91);
    assert_eq!(
        batches[1]["batch_command"],
        "stscalc batch sts-25-zinc-oxide --containers 6x30g --container tube-30g"
    );
    assert_eq!(j["batch_command"], batches[0]["batch_command"]);
    let t = ok(&args);
    assert!(t.contains("30 days"), "{t}");
    assert!(t.contains("FTU"), "{t}");
}

#[test]
fn supply_rounds_containers_up() {
    // 1 g × 1 × 45 days = 45 g → 2 jars of 30 g = 60 g, 15 g spare.
    let j = json(&[
        "supply",
        "sts-20-petrolatum",
        "--per-application",
        "1g",
        "--per-day",
        "1",
        "--days",
        "45",
    ]);
    assert_eq!(j["containers"], 2);
    assert_eq!(value(&j["to_dispense"]), d("2") * d("30"));
    assert_eq!(value(&j["spare"]), d("60") - d("45"));
}

// ---------------------------------------------------------------- the formula

#[test]
fn the_solution_formula_is_listed_with_its_basis() {
    let t = ok(&["formulas"]);
    assert!(t.contains("sts-150-intralesional"), "{t}");
    assert!(t.contains("150 mg/mL (pentahydrate basis)"), "{t}");
}

#[test]
fn a_solution_formula_with_a_w_w_strength_is_refused() {
    let dir = temp_dir();
    let text = ok(&["show", F]).replace("default = \"150 mg/mL\"", "default = \"15 % w/w\"");
    std::fs::write(dir.path().join(format!("{F}.toml")), text).unwrap();
    fails(
        &["--formulas", dir.path().to_str().unwrap(), "formulas"],
        &["strength.default", "mg/mL or % w/v for a solution"],
    );
}

#[test]
fn an_ointment_with_a_dosing_section_is_refused() {
    let dir = temp_dir();
    let solution = ok(&["show", F]);
    let dosing = &solution[solution.find("\n[dosing]").unwrap()..];
    let text = format!("{}\n{dosing}", ok(&["show", "sts-25-petrolatum"]));
    std::fs::write(dir.path().join("sts-25-petrolatum.toml"), text).unwrap();
    fails(
        &["--formulas", dir.path().to_str().unwrap(), "formulas"],
        &["sts-25-petrolatum.toml", "`[dosing]` is only for"],
    );
}

// ---------------------------------------------------------------- bad input (issue 3)

#[test]
fn bad_zero_lesions() {
    fails(
        &["session", "--lesions", "0", "--per-lesion", "0.2mL"],
        &["`--lesions`", "from 1", "0"],
    );
}

#[test]
fn bad_negative_or_zero_volume() {
    fails(
        &["session", "--lesions", "3", "--per-lesion", "-0.2mL"],
        &["`--per-lesion`", "greater than zero", "-0.2mL"],
    );
    fails(
        &["session", "--lesion", "0mL"],
        &["`--lesion`", "greater than zero", "0mL"],
    );
    fails(
        &["batch", F, "--quantity", "0mL"],
        &["`--quantity`", "above zero", "0mL"],
    );
}

#[test]
fn bad_volume_given_in_mg() {
    // A dose in mg is accepted by the session (issue 8 §6), a batch quantity in g is not.
    fails(
        &["batch", F, "--quantity", "10g"],
        &["`--quantity`", "a volume", "a mass", "10g"],
    );
}

#[test]
fn bad_concentration_of_zero() {
    fails(
        &[
            "session",
            "--lesions",
            "3",
            "--per-lesion",
            "0.2mL",
            "--concentration",
            "0mg/mL",
        ],
        &["`--concentration`", "above zero", "0mg/mL"],
    );
}

#[test]
fn bad_stock_concentration_in_w_w() {
    fails(
        &[
            "batch",
            F,
            "--quantity",
            "10mL",
            "--stock-concentration",
            "25%w/w",
            "--stock-basis",
            "pentahydrate",
            "--vial",
            "50mL",
        ],
        &["`--stock-concentration`", "mg/mL", "% w/w"],
    );
}

#[test]
fn bad_more_lesions_than_the_policy_allows() {
    // The shipped policy allows 22 lesions (seed 000).
    fails(
        &["session", "--lesions", "23", "--per-lesion", "0.1mL"],
        &[
            "lesions in the session 23",
            "maximum 22",
            "--override-reason",
        ],
    );
}

#[test]
fn bad_unknown_diluent() {
    fails(
        &["batch", F, "--quantity", "10mL", "--diluent", "saline"],
        &[
            "`--diluent`",
            "water-for-injection",
            "sodium-chloride-0.9",
            "saline",
        ],
    );
}

#[test]
fn bad_every_zero_days() {
    fails(
        &[
            "session",
            "--lesions",
            "3",
            "--per-lesion",
            "0.2mL",
            "--sessions",
            "4",
            "--every",
            "0d",
            "--start",
            "2026-11-23",
        ],
        &["`--every`", "above zero", "0d"],
    );
}

#[test]
fn bad_start_date() {
    for bad in ["23/11/2026", "2026-02-30", "tomorrow"] {
        fails(
            &[
                "session",
                "--lesions",
                "3",
                "--per-lesion",
                "0.2mL",
                "--sessions",
                "4",
                "--start",
                bad,
            ],
            &["`--start`", "YYYY-MM-DD", bad],
        );
    }
}

#[test]
fn bad_lesion_file_row_is_named() {
    let dir = temp_dir();
    let path = dir.path().join("lesions.csv");
    std::fs::write(
        &path,
        "site,size,volume\nleft elbow,12 mm,0.2 mL\n\"right knee, lateral\",8 mm,0.2mg\n",
    )
    .unwrap();
    fails(
        &["session", "--lesion-file", path.to_str().unwrap()],
        &["lesions.csv", "line 3", "row 2", "`volume`", "0.2mg"],
    );
    std::fs::write(&path, "site,volume\nleft elbow\n").unwrap();
    fails(
        &["session", "--lesion-file", path.to_str().unwrap()],
        &["line 2", "row 1", "expected 2 fields"],
    );
    std::fs::write(&path, "site,volume\nleft elbow,-1mL\n").unwrap();
    fails(
        &["session", "--lesion-file", path.to_str().unwrap()],
        &["row 1", "greater than zero"],
    );
}

#[test]
fn bad_other_inputs_are_one_line_errors() {
    fails(
        &["batch", F, "--quantity", "10mL", "--method", "boil"],
        &["`--method`", "boil"],
    );
    fails(
        &["batch", F, "--quantity", "10mL", "--stock", "nope"],
        &["`--stock`", "sts-250-us", "nope"],
    );
    fails(
        &["batch", F, "--quantity", "10mL", "--strength", "25%"],
        &["`--strength`", "% w/v"],
    );
    fails(
        &["batch", F, "--quantity", "10mL", "--strength", "300mg/mL"],
        &["`--strength`", "150 mg/mL to 250 mg/mL"],
    );
    fails(
        &[
            "batch",
            "sts-25-zinc-oxide",
            "--quantity",
            "10g",
            "--diluent",
            "x",
        ],
        &["`--diluent`", "ointment"],
    );
    fails(
        &[
            "session",
            "--lesions",
            "3",
            "--per-lesion",
            "0.2mL",
            "--start",
            "2026-11-23",
        ],
        &["`--sessions`", "--start"],
    );
    fails(
        &[
            "session",
            "--lesions",
            "3",
            "--per-lesion",
            "0.2mL",
            "--sessions",
            "0",
            "--start",
            "2026-11-23",
        ],
        &["`--sessions`", "0"],
    );
    fails(&["session", "--lesions", "3"], &["`--per-lesion`"]);
    fails(
        &["session", "--lesion", "6mL", "--override-reason", "x"],
        &["lesion 1", "largest syringe"],
    );
    fails(
        &[
            "session",
            "--formula",
            "sts-25-zinc-oxide",
            "--lesion",
            "0.1mL",
        ],
        &["sts-25-zinc-oxide", "not a solution"],
    );
    fails(
        &[
            "supply",
            F,
            "--per-application",
            "2g",
            "--per-day",
            "2",
            "--days",
            "30",
        ],
        &["`supply` is for ointments"],
    );
    fails(
        &[
            "supply",
            "sts-25-petrolatum",
            "--per-application",
            "2mL",
            "--per-day",
            "2",
            "--days",
            "30",
        ],
        &["`--per-application`", "FTU", "2mL"],
    );
    fails(
        &[
            "supply",
            "sts-25-petrolatum",
            "--per-application",
            "2g",
            "--per-day",
            "0",
            "--days",
            "30",
        ],
        &["`--per-day`", "0"],
    );
}
