//! Issue 8 §3: a certificate's assay is read on the basis the certificate states it on, never on
//! a default one, and accepted up to the pharmacopoeial upper limit of that basis.

use rust_decimal::RoundingStrategy;

use crate::common::{args, d, fails, json, temp_dir, value, ZO_100G};

fn to_weigh_active(plan: &serde_json::Value) -> rust_decimal::Decimal {
    value(&plan["components"][0]["to_weigh"])
}

#[test]
fn regression_a_usp_certificate_read_as_a_ph_eur_one_by_default() {
    // The reproducer: a USP certificate (99.8 % on the dried basis) used to be read as 99.8 % as
    // is, 25 ÷ 0.998 = 25.05 g, about 106 % of label.
    let err = fails(
        &args(&[&["batch"], ZO_100G, &["--assay", "99.8%"]]),
        &["`--assay-basis`", "`dried`", "USP", "`as-is`", "Ph. Eur."],
    );
    assert!(err.contains("certificate.basis"), "{err}");
    // The same in a request file.
    let dir = temp_dir();
    let path = dir.path().join("request.toml");
    std::fs::write(
        &path,
        "formula = \"sts-25-zinc-oxide\"\nquantity = \"100 g\"\n[certificate]\nassay = \"99.8 %\"\n",
    )
    .unwrap();
    fails(
        &["batch", "--request", path.to_str().unwrap()],
        &["`--assay-basis`", "certificate.basis", "USP", "Ph. Eur."],
    );
    // And for the powder method of the intralesional solution.
    fails(
        &[
            "batch",
            "sts-150-intralesional",
            "--quantity",
            "10mL",
            "--method",
            "powder",
            "--assay",
            "99.8%",
        ],
        &["`--assay-basis`", "USP", "Ph. Eur."],
    );
}

#[test]
fn regression_a_usp_dried_basis_assay_weighs_by_hand_arithmetic() {
    // 100 g of 25 % (pentahydrate basis) needs 25 g of pentahydrate. A USP lot, assay 99.8 % of
    // Na2S2O3 on the dried basis with loss on drying 32.5 %: one gram as it is holds
    // (1 − 0.325) × 0.998 = 0.67365 g anhydrous, i.e. 0.67365 × 248.19 / 158.11 ≈ 1.05745 g on
    // the pentahydrate basis. To weigh: 25 ÷ 1.05745 ≈ 23.64 g (the figure).
    let plan = json(&args(&[
        &["batch"],
        ZO_100G,
        &[
            "--assay",
            "99.8%",
            "--assay-basis",
            "dried",
            "--water",
            "32.5%",
        ],
    ]));
    let factor = (d("1") - d("0.325")) * d("0.998") * d("248.19") / d("158.11");
    let exact = d("25") / factor;
    assert_eq!(
        to_weigh_active(&plan),
        exact.round_dp_with_strategy(3, RoundingStrategy::MidpointAwayFromZero)
    );
    assert_eq!(
        exact.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero),
        d("23.64")
    );
    // The as-is reading would have weighed 25 ÷ 0.998 ≈ 25.05 g: about 106 % of label.
    assert!(d("25") / d("0.998") / exact > d("1.05"));
}

#[test]
fn regression_assays_up_to_the_pharmacopoeial_upper_limits_are_accepted() {
    // Ph. Eur. 0414 allows 101.0 % as is: 25 ÷ 1.01 = 24.7524… g → 24.752 g.
    let plan = json(&args(&[
        &["batch"],
        ZO_100G,
        &["--assay", "101%", "--assay-basis", "as-is"],
    ]));
    assert_eq!(
        to_weigh_active(&plan),
        (d("25") / d("1.01")).round_dp_with_strategy(3, RoundingStrategy::MidpointAwayFromZero)
    );
    assert_eq!(to_weigh_active(&plan), d("24.752"));
    // USP allows 100.5 % on the dried basis; with loss on drying 36 %:
    // 25 ÷ ((1 − 0.36) × 1.005 × 248.19 / 158.11).
    let plan = json(&args(&[
        &["batch"],
        ZO_100G,
        &[
            "--assay",
            "100.5%",
            "--assay-basis",
            "dried",
            "--water",
            "36%",
        ],
    ]));
    let factor = d("0.64") * d("1.005") * d("248.19") / d("158.11");
    assert_eq!(
        to_weigh_active(&plan),
        (d("25") / factor).round_dp_with_strategy(3, RoundingStrategy::MidpointAwayFromZero)
    );
    // The powder method uses the value given too: 1.5 g ÷ 1.01 = 1.48514… → 1.485 g.
    let sol = json(&[
        "batch",
        "sts-150-intralesional",
        "--quantity",
        "10mL",
        "--method",
        "powder",
        "--assay",
        "101%",
        "--assay-basis",
        "as-is",
        // No unrecoverable volume, so the 10 mL flask holds exactly the 10 mL asked for.
        "--vial-residual",
        "0mL",
        "--filter-hold-up",
        "0mL",
    ]);
    assert_eq!(
        value(&sol["powder"]["to_weigh"]),
        (d("1.5") / d("1.01")).round_dp_with_strategy(3, RoundingStrategy::MidpointAwayFromZero)
    );
    // Above the limit of the basis stated: refused, naming the limit.
    fails(
        &args(&[
            &["batch"],
            ZO_100G,
            &[
                "--assay",
                "100.6%",
                "--assay-basis",
                "dried",
                "--water",
                "35%",
            ],
        ]),
        &["`--assay`", "100.5 %", "USP"],
    );
}

#[test]
fn regression_the_powder_method_of_a_solution_assumed_a_certificate() {
    // `batch sts-150-intralesional --method powder` used to weigh 10 mL × 150 mg/mL = 1.5 g "100 %
    // pentahydrate assumed (no certificate given)": a USP lot's dried-basis assay read that way
    // makes the injection about 106 % of label. The certificate is now required, with its basis.
    let base = [
        "batch",
        "sts-150-intralesional",
        "--quantity",
        "10mL",
        "--method",
        "powder",
        "--vial-residual",
        "0mL",
        "--filter-hold-up",
        "0mL",
    ];
    let err = fails(
        &base,
        &[
            "`--assay`",
            "--assay-basis `dried` (USP certificates",
            "`as-is` (Ph. Eur. certificates",
            "no 100 % is assumed",
            "found nothing",
        ],
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(!err.contains("100 % pentahydrate assumed"), "{err}");
    // The same in a request file, which names its keys.
    let dir = temp_dir();
    let path = dir.path().join("request.toml");
    std::fs::write(
        &path,
        "formula = \"sts-150-intralesional\"\nquantity = \"10 mL\"\nmethod = \"powder\"\n",
    )
    .unwrap();
    fails(
        &["batch", "--request", path.to_str().unwrap()],
        &["certificate.assay", "certificate.basis", "USP", "Ph. Eur."],
    );
    // With the certificate the factor uses the value given. A USP lot, 99.8 % on the dried
    // basis, loss on drying 32.5 %: 1 g holds 0.998 × 0.675 = 0.67365 g anhydrous, × 248.19 /
    // 158.11 ≈ 1.05745 g pentahydrate; 1.5 g ÷ 1.05745 ≈ 1.41851 g → 1.419 g on the 0.001 g
    // balance (the as-is reading would weigh 1.5 ÷ 0.998 ≈ 1.503 g, ≈ 106 % of label).
    let with = |extra: &[&str]| json(&[&base[..], extra].concat());
    let usp = with(&[
        "--assay",
        "99.8%",
        "--assay-basis",
        "dried",
        "--water",
        "32.5%",
    ]);
    let factor = d("0.998") * d("0.675") * d("248.19") / d("158.11");
    let exact = d("1.5") / factor;
    assert_eq!(
        exact.round_dp_with_strategy(3, RoundingStrategy::MidpointAwayFromZero),
        d("1.419")
    );
    assert_eq!(value(&usp["powder"]["to_weigh"]), d("1.419"));
    // A Ph. Eur. lot, 99.5 % as is: 1.5 ÷ 0.995 = 1.50753… → 1.508 g.
    let ph_eur = with(&["--assay", "99.5%", "--assay-basis", "as-is"]);
    assert_eq!(value(&ph_eur["powder"]["to_weigh"]), d("1.508"));
    assert_eq!(
        (d("1.5") / d("0.995")).round_dp_with_strategy(3, RoundingStrategy::MidpointAwayFromZero),
        d("1.508")
    );
    // A series from powder prints its batch commands with the certificate's place held, not
    // a command that would assume one.
    let series = crate::common::ok(&[
        "session",
        "--lesions",
        "2",
        "--per-lesion",
        "0.2mL",
        "--sessions",
        "2",
        "--start",
        "2026-12-07",
        "--method",
        "powder",
    ]);
    assert!(
        series.contains("--method powder --assay PERCENT --assay-basis BASIS"),
        "{series}"
    );
    assert!(
        series.contains("put the assay for PERCENT and its basis for BASIS (--assay-basis `dried` for a USP certificate, `as-is` for a Ph. Eur. one)"),
        "{series}"
    );
}
