//! Beyond-use dates, lot numbers and component lots (issue 5). Every expected date is worked
//! out by hand in the test: the compounding date plus the limit in days, minus one when the
//! compounding day counts as day 1 (the default convention).

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate, NaiveTime};
use stscalc::bud::{
    beyond_use, BudKind, ComponentExpiry, CompoundedAt, Conditions, DayCount, Declaration, Limit,
    SetBy, StabilityLimit, Sterilization, Storage, Water,
};
use stscalc::formula::Catalog;

use crate::common::{args, fails, json, ok, temp_dir, DATE, ZO_100G};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// 2026-11-21, the compounding date of the issue's examples.
fn nov21() -> CompoundedAt {
    CompoundedAt::on(date(2026, 11, 21))
}

/// The 150 mg/mL intralesional solution, as its formula is meant to declare it (see
/// formulas/README.md): Category 2, aseptic, not sterility tested; the method decides whether
/// every starting component is sterile.
fn intralesional() -> Declaration {
    Declaration {
        kind: Some(BudKind::Sterile),
        category: Some(2),
        sterilization: Some(Sterilization::Aseptic),
        sterility_tested: Some(false),
        storage: Some(Storage::Refrigerator),
        methods: BTreeMap::from([
            (
                "dilution".to_string(),
                Conditions {
                    all_components_sterile: Some(true),
                    ..Default::default()
                },
            ),
            (
                "powder".to_string(),
                Conditions {
                    all_components_sterile: Some(false),
                    ..Default::default()
                },
            ),
        ]),
        ..Default::default()
    }
}

fn topical_solution_10() -> Declaration {
    Declaration {
        kind: Some(BudKind::Nonsterile),
        water: Some(Water::Aqueous),
        preserved: Some(false),
        storage: Some(Storage::Refrigerator),
        ..Default::default()
    }
}

#[test]
fn nonaqueous_ointment_gets_180_days_counted_from_day_one() {
    let catalog = Catalog::load(None).unwrap();
    let formula = &catalog.get("sts-25-zinc-oxide").unwrap().formula;
    let decl = formula.bud().resolve(None).unwrap();
    let bud = beyond_use(&decl, Storage::Room, nov21(), &[], DayCount::DayOne).unwrap();
    // Day 1 is 2026-11-21, so day 180 is 179 days later: 9 days to 2026-11-30, 31 in December,
    // 31 in January, 28 in February, 31 in March, 30 in April make 160 (2027-04-30), and 19
    // more give 2027-05-19.
    assert_eq!(bud.date, date(2026, 11, 21) + Days::new(180 - 1));
    assert_eq!(bud.date, date(2027, 5, 19));
    assert_eq!(bud.set_by, SetBy::Rule);
    assert_eq!(bud.rule.id, "795-nonaqueous-other");
    assert_eq!(bud.rule.limit, Limit::days(180));
    assert!(bud.rule.source.contains("USP <795>"), "{}", bud.rule.source);
    assert!(bud.convention_text.contains("day 1"));

    // Counting the compounding day as day 0 gives one day more.
    let zero = beyond_use(&decl, Storage::Room, nov21(), &[], DayCount::DayZero).unwrap();
    assert_eq!(zero.date, date(2026, 11, 21) + Days::new(180));
    assert_eq!(zero.date, date(2027, 5, 20));
}

#[test]
fn an_earlier_component_expiry_sets_the_bud() {
    let catalog = Catalog::load(None).unwrap();
    let formula = &catalog.get("sts-25-zinc-oxide").unwrap().formula;
    let decl = formula.bud().resolve(None).unwrap();
    let sts = ComponentExpiry {
        id: "sts".into(),
        name: "Sodium thiosulfate".into(),
        lot: "LOT123".into(),
        expiry: date(2027, 1, 31),
    };
    let bud = beyond_use(&decl, Storage::Room, nov21(), &[sts], DayCount::DayOne).unwrap();
    // 2027-01-31 comes before the rule's 2027-05-19.
    assert_eq!(bud.date, date(2027, 1, 31));
    assert_eq!(bud.set_by, SetBy::ComponentExpiry);
    assert!(
        bud.reason
            .contains("the expiry of Sodium thiosulfate lot LOT123"),
        "{}",
        bud.reason
    );
    // The rule is still reported, with the date it alone would give.
    assert_eq!(bud.limits.len(), 2);
    assert_eq!(bud.limits[1].date, date(2027, 5, 19));
}

#[test]
fn intralesional_from_the_sterile_injection_gets_10_days_refrigerated() {
    let decl = intralesional().resolve(Some("dilution")).unwrap();
    let bud = beyond_use(&decl, Storage::Refrigerator, nov21(), &[], DayCount::DayOne).unwrap();
    // USP <797> Category 2, aseptic, not tested, all sterile: 10 days refrigerated; day 10 is
    // 9 days after 2026-11-21.
    assert_eq!(bud.rule.limit, Limit::days(10));
    assert_eq!(
        bud.rule.id,
        "797-category-2-aseptic-untested-sterile-components"
    );
    assert_eq!(bud.date, date(2026, 11, 21) + Days::new(10 - 1));
    assert_eq!(bud.date, date(2026, 11, 30));
    assert_eq!(bud.method.as_deref(), Some("dilution"));
}

#[test]
fn intralesional_from_powder_gets_4_days_refrigerated() {
    let decl = intralesional().resolve(Some("powder")).unwrap();
    let bud = beyond_use(&decl, Storage::Refrigerator, nov21(), &[], DayCount::DayOne).unwrap();
    // One nonsterile starting component: 4 days refrigerated; day 4 is 2026-11-24.
    assert_eq!(bud.rule.limit, Limit::days(4));
    assert_eq!(bud.date, date(2026, 11, 21) + Days::new(4 - 1));
    assert_eq!(bud.date, date(2026, 11, 24));
    // At room temperature the same rule gives 1 day: the compounding day itself.
    let room = beyond_use(&decl, Storage::Room, nov21(), &[], DayCount::DayOne).unwrap();
    assert_eq!(room.rule.limit, Limit::days(1));
    assert_eq!(room.date, date(2026, 11, 21));
}

#[test]
fn the_intralesional_declaration_of_the_readme_parses_and_agrees() {
    // The example in formulas/README.md, parsed as a formula's [bud] section.
    let text = r#"
kind = "sterile"
category = 2
sterilization = "aseptic"
sterility_tested = false
storage = "refrigerator"

[methods.dilution]
all_components_sterile = true

[methods.powder]
all_components_sterile = false
"#;
    let decl: Declaration = toml::from_str(text).unwrap();
    for (method, days) in [("dilution", 10), ("powder", 4)] {
        let r = decl.resolve(Some(method)).unwrap();
        let bud = beyond_use(&r, Storage::Refrigerator, nov21(), &[], DayCount::DayOne).unwrap();
        assert_eq!(bud.rule.limit, Limit::days(days), "{method}");
    }
}

#[test]
fn a_formula_with_methods_needs_one() {
    let e = intralesional().resolve(None).unwrap_err().to_string();
    assert!(
        e.contains("--method") && e.contains("`dilution`, `powder`"),
        "{e}"
    );
    let e = intralesional()
        .resolve(Some("boiled"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("`boiled`"), "{e}");
}

#[test]
fn aqueous_unpreserved_topical_solution_gets_14_days_refrigerated() {
    let decl = topical_solution_10().resolve(None).unwrap();
    let bud = beyond_use(&decl, Storage::Refrigerator, nov21(), &[], DayCount::DayOne).unwrap();
    // USP <795>: aqueous, not preserved, 14 days in a refrigerator; day 14 is 2026-12-04.
    assert_eq!(bud.rule.id, "795-aqueous-unpreserved");
    assert_eq!(bud.rule.limit, Limit::days(14));
    assert_eq!(bud.date, date(2026, 11, 21) + Days::new(14 - 1));
    assert_eq!(bud.date, date(2026, 12, 4));
    // The rule gives no BUD at room temperature: refused, naming the storage.
    let e = beyond_use(&decl, Storage::Room, nov21(), &[], DayCount::DayOne)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("--storage") && e.contains("`refrigerator`"),
        "{e}"
    );
}

#[test]
fn category_1_is_given_in_hours_from_the_compounding_time() {
    let decl = Declaration {
        kind: Some(BudKind::Sterile),
        category: Some(1),
        storage: Some(Storage::Room),
        ..Default::default()
    }
    .resolve(None)
    .unwrap();
    let at = CompoundedAt {
        date: date(2026, 11, 21),
        time: NaiveTime::from_hms_opt(9, 30, 0),
    };
    let bud = beyond_use(&decl, Storage::Room, at, &[], DayCount::DayOne).unwrap();
    // 09:30 + 12 hours = 21:30 the same day.
    assert_eq!(bud.date, date(2026, 11, 21));
    assert_eq!(bud.time.as_deref(), Some("21:30"));
    assert_eq!(bud.text, "2026-11-21 21:30");
    // Refrigerated: 24 hours, 09:30 the next day.
    let bud = beyond_use(&decl, Storage::Refrigerator, at, &[], DayCount::DayOne).unwrap();
    assert_eq!(bud.text, "2026-11-22 09:30");
    // Without a time the hours cannot be counted.
    let e = beyond_use(&decl, Storage::Room, nov21(), &[], DayCount::DayOne)
        .unwrap_err()
        .to_string();
    assert!(e.contains("--date") && e.contains("hours"), "{e}");
    // Category 1 has no freezer limit.
    assert!(beyond_use(&decl, Storage::Freezer, at, &[], DayCount::DayOne).is_err());
}

#[test]
fn a_shorter_stability_limit_sets_the_bud_for_its_storage_only() {
    let mut d = topical_solution_10();
    d.water = Some(Water::Aqueous);
    d.preserved = Some(true);
    d.stability = vec![StabilityLimit {
        limit: Limit::days(21),
        storage: Some(vec![Storage::Refrigerator]),
        reference: "an in-house study".into(),
    }];
    let decl = d.resolve(None).unwrap();
    // Preserved aqueous: 35 days; the study's 21 days (refrigerated) is shorter: day 21 is
    // 2026-11-21 + 20 = 2026-12-11.
    let bud = beyond_use(&decl, Storage::Refrigerator, nov21(), &[], DayCount::DayOne).unwrap();
    assert_eq!(bud.set_by, SetBy::FormulaStability);
    assert_eq!(bud.date, date(2026, 11, 21) + Days::new(21 - 1));
    assert!(bud.reason.contains("an in-house study"), "{}", bud.reason);
    // At room temperature the study does not apply: the rule's 35 days, 2026-12-25.
    let room = beyond_use(&decl, Storage::Room, nov21(), &[], DayCount::DayOne).unwrap();
    assert_eq!(room.set_by, SetBy::Rule);
    assert_eq!(room.date, date(2026, 11, 21) + Days::new(35 - 1));
}

#[test]
fn a_component_expired_before_compounding_is_refused() {
    let decl = topical_solution_10().resolve(None).unwrap();
    let old = ComponentExpiry {
        id: "sts".into(),
        name: "Sodium thiosulfate".into(),
        lot: "OLD1".into(),
        expiry: date(2026, 11, 20),
    };
    let e = beyond_use(
        &decl,
        Storage::Refrigerator,
        nov21(),
        &[old],
        DayCount::DayOne,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("`OLD1`") && e.contains("2026-11-20"), "{e}");
    // Expiring on the compounding day itself is allowed, and then sets the BUD to that day.
    let today = ComponentExpiry {
        id: "sts".into(),
        name: "Sodium thiosulfate".into(),
        lot: "T1".into(),
        expiry: date(2026, 11, 21),
    };
    let bud = beyond_use(
        &decl,
        Storage::Refrigerator,
        nov21(),
        &[today],
        DayCount::DayOne,
    )
    .unwrap();
    assert_eq!(bud.date, date(2026, 11, 21));
    assert_eq!(bud.set_by, SetBy::ComponentExpiry);
}

#[test]
fn incomplete_declarations_name_the_missing_field() {
    let cases: [(Declaration, &str); 5] = [
        (Declaration::default(), "`bud.kind` is missing"),
        (
            Declaration {
                kind: Some(BudKind::Nonsterile),
                water: Some(Water::Aqueous),
                storage: Some(Storage::Refrigerator),
                ..Default::default()
            },
            "`bud.preserved` is missing",
        ),
        (
            Declaration {
                kind: Some(BudKind::Nonsterile),
                water: Some(Water::Nonaqueous),
                storage: Some(Storage::Room),
                ..Default::default()
            },
            "`bud.oral_liquid` is missing",
        ),
        (
            Declaration {
                kind: Some(BudKind::Sterile),
                category: Some(2),
                sterilization: Some(Sterilization::Aseptic),
                sterility_tested: Some(false),
                storage: Some(Storage::Refrigerator),
                ..Default::default()
            },
            "`bud.all_components_sterile` is missing",
        ),
        (
            Declaration {
                kind: Some(BudKind::Nonsterile),
                water: Some(Water::Nonaqueous),
                oral_liquid: Some(false),
                ..Default::default()
            },
            "`bud.storage` is missing",
        ),
    ];
    for (decl, needle) in cases {
        let e = decl.resolve(None).unwrap_err().to_string();
        assert!(e.contains(needle), "expected `{needle}` in: {e}");
    }
}

// ---- Command line ----------------------------------------------------------------------

const BATCH: [&str; 4] = ["batch", "sts-25-zinc-oxide", "--quantity", "100g"];

fn batch(extra: &[&str]) -> Vec<String> {
    BATCH.iter().chain(extra).map(|s| s.to_string()).collect()
}

fn run_json(extra: &[&str]) -> serde_json::Value {
    let args = batch(extra);
    json(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

fn run_fails(extra: &[&str], needles: &[&str]) -> String {
    let args = batch(extra);
    fails(
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
        needles,
    )
}

#[test]
fn batch_shows_lot_bud_and_its_reason() {
    let args = batch(&["--date", "2026-11-21"]);
    let out = ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(out.contains("Lot: STS25ZO-20261121-01"), "{out}");
    assert!(
        out.contains("Beyond-use date: 2027-05-19 — set by USP <795> (2023), Other nonaqueous dosage form (water activity < 0.6): nonaqueous topicals, capsules, tablets, powders: 180 days"),
        "{out}"
    );
    assert!(out.contains("compounding day counted as day 1"), "{out}");
    assert!(out.contains("NOT GIVEN"), "{out}");

    let v = run_json(&["--date", "2026-11-21"]);
    let r = &v["record"];
    assert_eq!(r["lot"]["number"], "STS25ZO-20261121-01");
    assert_eq!(r["bud"]["date"], "2027-05-19");
    assert_eq!(r["bud"]["set_by"], "rule");
    assert_eq!(r["bud"]["convention"], "day-one");
    assert_eq!(r["bud"]["rule"]["limit"]["value"], "180");
    assert_eq!(r["bud"]["storage"], "room");
    // The foundation's field names are unchanged.
    assert_eq!(v["components"][0]["to_weigh"]["value"], "25");
    assert_eq!(v["formula"]["id"], "sts-25-zinc-oxide");
}

#[test]
fn day_zero_counting_is_one_day_later() {
    let v = run_json(&args(&[DATE, &["--bud-count", "day-zero"]]));
    // 2026-11-21 + 180 days.
    assert_eq!(v["record"]["bud"]["date"], "2027-05-20");
    assert_eq!(v["record"]["bud"]["convention"], "day-zero");
}

#[test]
fn component_lots_appear_and_the_earliest_expiry_sets_the_bud() {
    let v = run_json(&args(&[
        DATE,
        &[
            "--component",
            "sts=LOT123@2027-01-31@Example Chemicals",
            "--component",
            "zinc-oxide-ointment=ZO9@2028-03",
        ],
    ]));
    let r = &v["record"];
    assert_eq!(r["bud"]["date"], "2027-01-31");
    assert_eq!(r["bud"]["set_by"], "component-expiry");
    assert_eq!(r["components"][0]["lot"], "LOT123");
    assert_eq!(r["components"][0]["manufacturer"], "Example Chemicals");
    // A month-only expiry means the month's last day.
    assert_eq!(r["components"][1]["expiry"], "2028-03-31");
    assert_eq!(r["warnings"].as_array().unwrap().len(), 0);

    let args = batch(&[
        "--date",
        "2026-11-21",
        "--component",
        "sts=LOT123@2027-01-31",
    ]);
    let out = ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        out.contains(
            "Beyond-use date: 2027-01-31 — set by the expiry of Sodium thiosulfate lot LOT123"
        ),
        "{out}"
    );
    // The base's lot is still missing: a warning says so.
    assert!(
        out.contains("no lot or expiry recorded for `zinc-oxide-ointment`"),
        "{out}"
    );
}

#[test]
fn lot_numbers_follow_the_scheme_or_are_given() {
    let v = run_json(&["--date", "2026-11-21T14:05", "--lot-sequence", "2"]);
    assert_eq!(v["record"]["lot"]["number"], "STS25ZO-20261121-02");
    assert_eq!(v["record"]["compounded_at"]["text"], "2026-11-21 14:05");
    let v = run_json(&args(&[DATE, &["--lot", "B-2026/117"]]));
    assert_eq!(v["record"]["lot"]["number"], "B-2026/117");
    assert_eq!(v["record"]["lot"]["given"], true);
    let v = json(&args(&[
        &["batch", "sts-20-petrolatum", "--quantity", "60g"],
        DATE,
    ]));
    assert_eq!(v["record"]["lot"]["number"], "STS20P-20261121-01");
}

#[test]
fn storage_may_be_chosen_within_the_rule() {
    let v = run_json(&args(&[DATE, &["--storage", "refrigerator"]]));
    assert_eq!(v["record"]["bud"]["storage"], "refrigerator");
    assert_eq!(v["record"]["storage_from"], "request");
    assert_eq!(v["record"]["bud"]["date"], "2027-05-19");
}

#[test]
fn a_request_file_drives_the_batch() {
    let dir = temp_dir();
    let toml_path = dir.path().join("request.toml");
    std::fs::write(
        &toml_path,
        r#"
formula = "sts-25-zinc-oxide"
quantity = "100 g"
compounded_at = "2026-11-21T09:30"
storage = "room"

[certificate]
assay = "99.5 %"
basis = "as-is"

[[components]]
id = "sts"
lot = "LOT123"
expiry = "2027-01-31"

[[components]]
id = "zinc-oxide-ointment"
lot = "ZO9"
expiry = "2028-03"
"#,
    )
    .unwrap();
    let from_file = json(&["batch", "--request", toml_path.to_str().unwrap()]);
    let from_options = json(&args(&[
        &["batch"],
        ZO_100G,
        &[
            "--date",
            "2026-11-21T09:30",
            "--assay",
            "99.5%",
            "--assay-basis",
            "as-is",
            "--component",
            "sts=LOT123@2027-01-31",
            "--component",
            "zinc-oxide-ointment=ZO9@2028-03",
        ],
    ]));
    assert_eq!(from_file["record"]["lot"], from_options["record"]["lot"]);
    assert_eq!(from_file["record"]["bud"]["date"], "2027-01-31");
    assert_eq!(from_file["components"], from_options["components"]);
    // 25 g ÷ 0.995 = 25.1256… g, rounded to 25.126 g.
    assert_eq!(from_file["components"][0]["to_weigh"]["value"], "25.126");

    let json_path = dir.path().join("request.json");
    std::fs::write(
        &json_path,
        r#"{"formula": "sts-25-zinc-oxide", "quantity": "100 g", "compounded_at": "2026-11-21",
            "components": [{"id": "sts", "lot": "LOT123", "expiry": "2027-01-31"}]}"#,
    )
    .unwrap();
    let v = json(&["batch", "--request", json_path.to_str().unwrap()]);
    assert_eq!(v["record"]["bud"]["date"], "2027-01-31");
    // An option that agrees with the file is accepted.
    let v = json(&[
        "batch",
        "sts-25-zinc-oxide",
        "--quantity",
        "100 g",
        "--request",
        json_path.to_str().unwrap(),
    ]);
    assert_eq!(v["record"]["bud"]["set_by"], "component-expiry");
}

// ---- Bad input: one line, exit 1 -------------------------------------------------------

#[test]
fn impossible_dates_are_refused() {
    run_fails(
        &["--date", "2026-02-30"],
        &["`--date`", "2026-02-30", "no such day"],
    );
    run_fails(&["--date", "2026-13-01"], &["`--date`", "no such day"]);
    run_fails(&["--date", "21/11/2026"], &["`--date`", "YYYY-MM-DD"]);
    run_fails(
        &["--date", "2026-11-21T25:00"],
        &["`--date`", "no such time"],
    );
    run_fails(
        &args(&[DATE, &["--component", "sts=L1@2027-02-29"]]),
        &["`--component sts`", "no such day"],
    );
}

#[test]
fn unknown_component_is_refused() {
    run_fails(
        &args(&[DATE, &["--component", "glycerin=G1@2027-01-01"]]),
        &["`--component`", "`sts`, `zinc-oxide-ointment`", "glycerin"],
    );
}

#[test]
fn duplicate_component_is_refused() {
    run_fails(
        &args(&[
            DATE,
            &[
                "--component",
                "sts=L1@2027-01-01",
                "--component",
                "sts=L2@2027-02-01",
            ],
        ]),
        &["`--component`", "`sts` given twice"],
    );
}

#[test]
fn expired_component_is_refused() {
    run_fails(
        &args(&[DATE, &["--component", "sts=OLD7@2026-10-31"]]),
        &[
            "`--component`",
            "OLD7",
            "2026-10-31",
            "compounding date 2026-11-21",
        ],
    );
}

#[test]
fn malformed_component_and_record_options_are_refused() {
    run_fails(
        &["--component", "sts=LOT1"],
        &["`--component`", "ID=LOT@YYYY-MM-DD"],
    );
    run_fails(
        &["--component", "sts=LOT 1@2027-01-01"],
        &["`--component sts`", "lot number"],
    );
    run_fails(
        &["--storage", "cellar"],
        &["`--storage`", "`room`, `refrigerator` or `freezer`"],
    );
    run_fails(
        &args(&[DATE, &["--storage", "freezer"]]),
        &[
            "`--storage`",
            "`room` or `refrigerator`",
            "formula `sts-25-zinc-oxide` allows",
        ],
    );
    run_fails(&["--bud-count", "day-two"], &["`--bud-count`", "day-one"]);
    run_fails(&["--lot-sequence", "100"], &["`--lot-sequence`", "1 to 99"]);
    run_fails(&["--lot-sequence", "-1"], &["`--lot-sequence`"]);
    run_fails(&["--lot", "LOT 1"], &["`--lot`"]);
    run_fails(
        &["--method", "powder"],
        &["`--method`", "it is for solutions"],
    );
}

#[test]
fn request_file_conflicts_and_errors_are_refused() {
    let dir = temp_dir();
    let path = dir.path().join("r.toml");
    std::fs::write(
        &path,
        "formula = \"sts-25-petrolatum\"\nquantity = \"100 g\"\n",
    )
    .unwrap();
    let p = path.to_str().unwrap();
    fails(
        &["batch", "sts-25-zinc-oxide", "--request", p],
        &["`formula`", "sts-25-petrolatum", "sts-25-zinc-oxide"],
    );
    fails(
        &["batch", "--request", p, "--quantity", "200g"],
        &["`--quantity`", "100 g", "200g"],
    );
    fails(
        &["batch", "--request", p, "--containers", "2x30g"],
        &["`--containers`", "quantity"],
    );
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "formula = \"sts-25-zinc-oxide\"\nsize = \"100 g\"\n").unwrap();
    fails(
        &["batch", "--request", bad.to_str().unwrap()],
        &["bad.toml", "line 2", "unknown field `size`"],
    );
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        "{\"formula\": \"sts-25-zinc-oxide\",\n \"quantity\": 100}",
    )
    .unwrap();
    fails(
        &["batch", "--request", bad.to_str().unwrap()],
        &["bad.json", "line 2"],
    );
    let bad = dir.path().join("dup.json");
    std::fs::write(
        &bad,
        r#"{"formula": "sts-25-zinc-oxide", "quantity": "100 g",
            "components": [{"id": "sts", "lot": "A", "expiry": "2027-01-01"},
                           {"id": "sts", "lot": "B", "expiry": "2027-01-01"}]}"#,
    )
    .unwrap();
    fails(
        &[
            "batch",
            "--request",
            bad.to_str().unwrap(),
            "--date",
            "2026-11-21",
        ],
        &["`components[1]`", "`sts` given twice"],
    );
    // Without a request file, a missing formula id stays a usage error (clap, exit 2).
    let out = crate::common::stscalc(&["batch", "--quantity", "100g"]);
    assert_eq!(out.status.code(), Some(2));
    // A request file without `formula` is an input error naming it.
    let empty = dir.path().join("empty.toml");
    std::fs::write(&empty, "quantity = \"100 g\"\n").unwrap();
    fails(
        &["batch", "--request", empty.to_str().unwrap()],
        &["`formula`", "found nothing"],
    );
}

/// Copies an embedded formula into `dir` under a new id, with `top` added to its top-level
/// keys and its `[bud]` section replaced by `bud`; returns "line N" of the new `[bud]` header.
fn formula_with(dir: &std::path::Path, id: &str, top: &str, bud: &str) -> String {
    let catalog = Catalog::load(None).unwrap();
    let text = &catalog.get("sts-25-petrolatum").unwrap().text;
    let head = text.split("\n[bud]").next().unwrap();
    let head = head
        .replace("id = \"sts-25-petrolatum\"", &format!("id = \"{id}\""))
        .replacen("\n[active]", &format!("\n{top}\n[active]"), 1);
    let path = dir.join(format!("{id}.toml"));
    std::fs::write(&path, format!("{head}\n{bud}")).unwrap();
    let line = format!("{head}\n").lines().count() + 1;
    format!("line {line}")
}

fn formula_with_bud(dir: &std::path::Path, id: &str, bud: &str) -> String {
    formula_with(dir, id, "", bud)
}

#[test]
fn incomplete_bud_declaration_in_a_formula_file_names_the_field_and_line() {
    let dir = temp_dir();
    let d = dir.path().to_str().unwrap();
    let line = formula_with_bud(
        dir.path(),
        "my-ointment",
        "[bud]\nkind = \"nonsterile\"\nwater = \"nonaqueous\"\nstorage = \"room\"\n",
    );
    fails(
        &["--formulas", d, "formulas"],
        &["my-ointment.toml", &line, "`bud.oral_liquid` is missing"],
    );

    let dir = temp_dir();
    let d = dir.path().to_str().unwrap();
    formula_with_bud(dir.path(), "no-bud", "");
    fails(
        &["--formulas", d, "formulas"],
        &["no-bud.toml", "`[bud]` is missing"],
    );

    let dir = temp_dir();
    let d = dir.path().to_str().unwrap();
    formula_with_bud(
        dir.path(),
        "wet-at-room",
        "[bud]\nkind = \"nonsterile\"\nwater = \"aqueous\"\npreserved = false\nstorage = \"room\"\n",
    );
    fails(
        &["--formulas", d, "formulas"],
        &[
            "wet-at-room.toml",
            "`bud.storage` is `room`",
            "795-aqueous-unpreserved",
        ],
    );

    let dir = temp_dir();
    let d = dir.path().to_str().unwrap();
    formula_with_bud(
        dir.path(),
        "mixed-up",
        "[bud]\nkind = \"nonsterile\"\nwater = \"nonaqueous\"\noral_liquid = false\ncategory = 2\nstorage = \"room\"\n",
    );
    fails(
        &["--formulas", d, "formulas"],
        &[
            "mixed-up.toml",
            "`bud.category` does not apply to a nonsterile preparation",
        ],
    );
}

#[test]
fn per_method_bud_inputs_are_only_for_solutions() {
    let dir = temp_dir();
    let d = dir.path().to_str().unwrap();
    formula_with_bud(
        dir.path(),
        "two-ways",
        "[bud]\nkind = \"sterile\"\ncategory = 2\nsterilization = \"aseptic\"\nsterility_tested = false\nstorage = \"refrigerator\"\n\n[bud.methods.dilution]\nall_components_sterile = true\n\n[bud.methods.powder]\nall_components_sterile = false\n",
    );
    fails(
        &["--formulas", d, "formulas"],
        &["two-ways.toml", "`bud.methods` is only for a solution"],
    );
}

#[test]
fn a_formula_lot_prefix_starts_the_lot_number() {
    let bud = "[bud]\nkind = \"nonsterile\"\nwater = \"nonaqueous\"\noral_liquid = false\nstorage = \"room\"\n";
    let dir = temp_dir();
    let d = dir.path().to_str().unwrap();
    formula_with(dir.path(), "my-ointment", "lot_prefix = \"MYO\"\n", bud);
    let v = json(&[
        "--formulas",
        d,
        "batch",
        "my-ointment",
        "--quantity",
        "30g",
        "--date",
        "2026-11-21",
    ]);
    // The prefix states no strength; the strength made follows it (the copied formula's
    // default, 25 % w/w; at 22 %, 22).
    assert_eq!(v["record"]["lot"]["number"], "MYO25-20261121-01");
    let v = json(&[
        "--formulas",
        d,
        "batch",
        "my-ointment",
        "--quantity",
        "30g",
        "--strength",
        "22%",
        "--date",
        "2026-11-21",
    ]);
    assert_eq!(v["record"]["lot"]["number"], "MYO22-20261121-01");
    let dir = temp_dir();
    formula_with(dir.path(), "bad-prefix", "lot_prefix = \"my-o\"\n", bud);
    fails(
        &["--formulas", dir.path().to_str().unwrap(), "formulas"],
        &["bad-prefix.toml", "`lot_prefix`", "capital letters"],
    );
}

// ---- The 150 mg/mL intralesional solution (sterile, two methods) -----------------------

const SOLUTION: [&str; 6] = [
    "batch",
    "sts-150-intralesional",
    "--quantity",
    "10mL",
    "--date",
    "2026-11-21",
];

fn solution_json(extra: &[&str]) -> serde_json::Value {
    let mut a = SOLUTION.to_vec();
    a.extend(extra);
    json(&a)
}

#[test]
fn intralesional_batch_by_dilution_gets_10_days_refrigerated() {
    let v = solution_json(&[]);
    let bud = &v["record"]["bud"];
    // Dilution (the default method) of the sterile injection: Category 2, aseptic, not tested,
    // all components sterile, refrigerated: 10 days; day 10 is 2026-11-21 + 9 = 2026-11-30.
    assert_eq!(v["record"]["method"], "dilution");
    assert_eq!(
        bud["rule"]["id"],
        "797-category-2-aseptic-untested-sterile-components"
    );
    assert_eq!(bud["storage"], "refrigerator");
    assert_eq!(bud["date"], "2026-11-30");
    assert_eq!(v["record"]["lot"]["number"], "STS150I-20261121-01");
    // The components of a dilution are the injection and the diluent.
    assert_eq!(v["record"]["components"][0]["id"], "sts-250-us");
    assert_eq!(v["record"]["components"][1]["id"], "water-for-injection");
}

#[test]
fn intralesional_batch_from_powder_gets_4_days_refrigerated() {
    let v = solution_json(&[
        "--method",
        "powder",
        "--assay",
        "100%",
        "--assay-basis",
        "as-is",
    ]);
    // One nonsterile starting component: 4 days refrigerated, 2026-11-21 + 3 = 2026-11-24.
    assert_eq!(v["record"]["method"], "powder");
    assert_eq!(v["record"]["bud"]["rule"]["limit"]["value"], "4");
    assert_eq!(v["record"]["bud"]["date"], "2026-11-24");
    assert_eq!(v["record"]["components"][0]["id"], "sts");
    // The shipped formula is for refrigerated storage only; a site's copy that allows the
    // other storages gets the same rule's limits for them.
    let dir = temp_dir();
    let text =
        std::fs::read_to_string(crate::common::root().join("formulas/sts-150-intralesional.toml"))
            .unwrap()
            .replace(
                "storages = [\"refrigerator\"]",
                "storages = [\"refrigerator\", \"room\", \"freezer\"]",
            );
    std::fs::write(dir.path().join("sts-150-intralesional.toml"), text).unwrap();
    let with_copy = |storage: &str| {
        let mut a = vec!["--formulas", dir.path().to_str().unwrap()];
        a.extend(SOLUTION);
        a.extend([
            "--method",
            "powder",
            "--assay",
            "100%",
            "--assay-basis",
            "as-is",
            "--storage",
            storage,
        ]);
        json(&a)
    };
    // At room temperature the same rule allows 1 day: the compounding day itself.
    let v = with_copy("room");
    assert_eq!(v["record"]["bud"]["date"], "2026-11-21");
    // Frozen, 45 days: 2026-11-21 + 44 = 2027-01-04.
    let v = with_copy("freezer");
    assert_eq!(v["record"]["bud"]["date"], "2027-01-04");
    // The shipped formula refuses them.
    fails(
        &[
            SOLUTION.to_vec(),
            vec![
                "--method",
                "powder",
                "--assay",
                "100%",
                "--assay-basis",
                "as-is",
                "--storage",
                "room",
            ],
        ]
        .concat(),
        &["`--storage`", "`refrigerator`", "found `room`"],
    );
}

#[test]
fn the_plans_bud_comes_from_the_rules_for_each_method() {
    // USP <797> Category 2, aseptic, not sterility tested, in a refrigerator: 10 days when every
    // starting component is sterile (dilution), 4 days with a nonsterile one (powder).
    for (method, days) in [("dilution", "10"), ("powder", "4")] {
        let v = if method == "powder" {
            // From powder the lot's certificate is required.
            solution_json(&[
                "--method",
                method,
                "--assay",
                "100%",
                "--assay-basis",
                "as-is",
            ])
        } else {
            solution_json(&["--method", method])
        };
        assert_eq!(v["bud"]["limit"]["value"], days, "{method}");
        assert_eq!(v["bud"]["limit"]["unit"], "days", "{method}");
        assert_eq!(v["bud"]["storage"], "refrigerator", "{method}");
        // The dated BUD of the record uses the same rule.
        assert_eq!(
            v["record"]["bud"]["rule"]["limit"]["value"], days,
            "{method}"
        );
    }
}

#[test]
fn intralesional_component_lots_and_their_errors() {
    let v = solution_json(&["--component", "sts-250-us=INJ7@2026-11-27"]);
    // The injection expires before the rule's 2026-11-30.
    assert_eq!(v["record"]["bud"]["date"], "2026-11-27");
    assert_eq!(v["record"]["bud"]["set_by"], "component-expiry");
    let mut a = SOLUTION.to_vec();
    a.extend(["--component", "sts=P1@2027-01-01"]);
    fails(
        &a,
        &[
            "`--component`",
            "`sts-250-us`, `water-for-injection`",
            "sts",
        ],
    );
}

#[test]
fn verify_of_a_solution_prints_its_lot_and_bud() {
    // Issue 12: a solution is verified. A dilution from sterile components, refrigerated: 10
    // days, 2026-11-21 + 9 = 2026-11-30; the powder weighed is not what a dilution measures.
    let t = ok(&args(&[
        &["verify", "sts-150-intralesional", "--quantity", "10mL"],
        DATE,
        &[
            "--actual",
            "sts-250-us=6.3mL",
            "--actual",
            "water-for-injection=4.2mL",
        ],
    ]));
    assert!(t.contains("beyond-use date 2026-11-30"), "{t}");
    fails(
        &args(&[
            &["verify", "sts-150-intralesional", "--quantity", "10mL"],
            DATE,
            &["--actual", "sts=1.5g"],
        ]),
        &["--actual sts", "`sts-250-us`, `water-for-injection`"],
    );
}

#[test]
fn regression_a_solution_formula_without_bud_methods_can_be_used() {
    // Its one [bud] declaration holds for every method; the implicit `--method dilution` used
    // to be refused with "this formula is made one way only". Sterile components, refrigerated:
    // 10 days, 2026-11-21 + 9 = 2026-11-30 (day 1 = compounding day).
    let text =
        std::fs::read_to_string(crate::common::root().join("formulas/sts-150-intralesional.toml"))
            .unwrap()
            .replace("id = \"sts-150-intralesional\"", "id = \"one-way\"")
            .replace(
                "[bud.methods.dilution]\nall_components_sterile = true\n",
                "",
            )
            .replace("[bud.methods.powder]\nall_components_sterile = false\n", "")
            .replacen(
                "kind = \"sterile\"",
                "kind = \"sterile\"\nall_components_sterile = true",
                1,
            );
    assert!(
        !text.contains("[bud.methods"),
        "the test removes the per-method sections"
    );
    let dir = crate::common::temp_dir();
    std::fs::write(dir.path().join("one-way.toml"), text).unwrap();
    let v = json(&[
        "--formulas",
        dir.path().to_str().unwrap(),
        "batch",
        "one-way",
        "--quantity",
        "10mL",
        "--date",
        "2026-11-21",
    ]);
    assert_eq!(v["record"]["bud"]["date"], "2026-11-30");
}

/// `--bud-limit`: a shorter limit the pharmacist sets is one more limit considered, and the
/// earliest sets the BUD; it can only shorten (a longer one is refused); it is stored with a
/// registered lot, so the lot's labels print the same BUD.
#[test]
fn a_pharmacist_bud_limit_only_shortens_and_stays_with_the_lot() {
    let batch = [
        "batch",
        "sts-25-zinc-oxide",
        "--quantity",
        "100g",
        "--date",
        "2026-12-01",
        "--bud-limit",
        "30d",
    ];
    let v = json(&batch);
    // Day 1 is 1 Dec, so day 30 is 29 days later: 30 Dec; the rule gives 180 days (29 May).
    let first = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    assert_eq!(
        v["record"]["bud"]["date"],
        (first + Days::new(29)).to_string()
    );
    assert_eq!(v["record"]["bud"]["set_by"], "pharmacist");
    let limits = v["record"]["bud"]["limits"].as_array().unwrap();
    assert_eq!(limits.len(), 2);
    assert_eq!(limits[0]["date"], "2026-12-30");
    assert_eq!(limits[1]["date"], (first + Days::new(179)).to_string());
    assert!(ok(&batch).contains("set by the pharmacist's shorter limit (--bud-limit 30 days)"));
    // Longer than the rule's 180 days: refused, naming the option.
    let mut longer = batch;
    longer[7] = "181d";
    fails(
        &longer,
        &["`--bud-limit`: expected at most the 180 days", "`181 days`"],
    );
    let mut zero = batch;
    zero[7] = "0d";
    fails(&zero, &["`--bud-limit`"]);
    // Registered with the lot: its labels, worked out again, print the same BUD.
    let dir = temp_dir();
    let reg = dir.path().join("r.sqlite3");
    let r = reg.to_str().unwrap();
    let mut new = vec!["--register", r, "lot", "new"];
    new.extend_from_slice(&batch[1..]);
    new.extend_from_slice(&[
        "--component",
        "sts=STS-A1@2027-05",
        "--component",
        "zinc-oxide-ointment=ZO-9@2027-03-31",
        "--by",
        "Ann Lee",
    ]);
    ok(&new);
    let labels = ok(&["--register", r, "lot", "labels", "STS25ZO-20261201-01"]);
    assert!(labels.contains("BUD 2026-12-30"), "{labels}");
}
