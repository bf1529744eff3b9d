//! Regressions from the second pharmacist review: lot numbers and BUDs given for labels and
//! session sheets are checked against the batch, a sterile BUD counted from day zero runs from
//! the compounding time, and a batch stored otherwise gets its own BUD line and storage
//! statement.

use crate::common::{args, fails, json, ok, root, temp_dir, DATE};

/// Container labels of a 30 g jar of the zinc oxide ointment at its default 25 %, compounded
/// 2026-11-21, with the lot `lot`.
fn ointment_labels(lot: &str) -> Vec<&str> {
    vec![
        "labels",
        "sts-25-zinc-oxide",
        "--containers",
        "1x30g",
        "--date",
        "2026-11-21",
        "--lot",
        lot,
    ]
}

#[test]
fn container_labels_refuse_a_lot_of_another_strength_formula_or_day_in_any_case() {
    // The batch is made at 25 %: its lot code is STS25ZO, its day 20261121.
    // STS22ZO names 22 %: the label would print 25 % beside another batch's lot.
    fails(
        &ointment_labels("STS22ZO-20261121-01"),
        &["`--lot`", "STS25ZO-20261121-NN", "code `STS22ZO`"],
    );
    // Lowercase, another day (22 November, not 21).
    fails(
        &ointment_labels("sts25zo-20261122-01"),
        &["`--lot`", "date 20261122", "another day"],
    );
    // Another formula's code (the 150 mg/mL injection).
    fails(
        &ointment_labels("STS150I-20261121-01"),
        &["`--lot`", "code `STS150I`", "another formula"],
    );
    // Both wrong: both are named.
    fails(
        &ointment_labels("STS150I-20261122-01"),
        &["code `STS150I`", "date 20261122"],
    );
    // The batch's own lot, in either case, and a lot of the site's own format are printed.
    for lot in ["STS25ZO-20261121-01", "sts25zo-20261121-02", "SITE/0042"] {
        let html = ok(&ointment_labels(lot));
        assert!(html.contains(lot), "{lot}");
    }
}

/// Syringe labels (or, with `sheet`, the session sheet) of one 0.2 mL lesion on 2026-11-23.
fn session_with(sheet: bool, lot: &str, bud: Option<&str>) -> Vec<String> {
    let mut a: Vec<String> = if sheet {
        vec!["session".into()]
    } else {
        vec!["labels".into(), "session".into()]
    };
    for s in ["--lesion", "0.2mL", "--date", "2026-11-23", "--lot", lot] {
        a.push(s.into());
    }
    if let Some(b) = bud {
        a.extend(["--bud".into(), b.into()]);
    }
    if sheet {
        a.extend(["--format".into(), "html".into()]);
    }
    a
}

#[test]
fn syringe_labels_and_session_sheet_check_the_lot_and_bud_given() {
    // A lot compounded 2026-11-21 of sts-150-intralesional: the longest limit its rules allow
    // is 10 days refrigerated (dilution; powder 4 days). With the compounding day as day 1,
    // day 10 is 2026-11-21 + 9 days = 2026-11-30.
    for sheet in [false, true] {
        let run = |lot: &str, bud: Option<&str>| session_with(sheet, lot, bud);
        let a = run("STS150I-20261121-01", Some("2027-12-31"));
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        fails(&a, &["`--bud`", "no later than 2026-11-30", "`2027-12-31`"]);
        // One day past the limit: 2026-11-30 + 1.
        let a = run("STS150I-20261121-01", Some("2026-12-01"));
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        fails(&a, &["`--bud`", "no later than 2026-11-30"]);
        // Compounded 2026-11-24, after the session of 2026-11-23.
        let a = run("sts150i-20261124-01", None);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        fails(&a, &["`--lot`", "after the session"]);
        // An ointment lot on an injection syringe.
        let a = run("STS25ZO-20261121-01", None);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        fails(&a, &["`--lot`", "code `STS25ZO`", "STS150I-YYYYMMDD-NN"]);
        // The lot's last day is accepted, as is a site's own lot number with any BUD.
        for (lot, bud) in [
            ("STS150I-20261121-01", "2026-11-30"),
            ("PHARM-A7", "2026-12-15"),
        ] {
            let a = run(lot, Some(bud));
            let a: Vec<&str> = a.iter().map(String::as_str).collect();
            let html = ok(&a);
            assert!(html.contains(lot) && html.contains(bud), "{lot} {bud}");
        }
    }
}

#[test]
fn sterile_day_zero_bud_is_counted_from_the_compounding_time() {
    // USP <797> counts from when compounding starts: 10 days (dilution, refrigerated) from
    // 2026-11-21 09:30 end 2026-12-01 09:30 (21 + 10 = 31 November = 1 December).
    let v = json(&[
        "batch",
        "sts-150-intralesional",
        "--quantity",
        "10mL",
        "--method",
        "dilution",
        "--date",
        "2026-11-21T09:30",
        "--bud-count",
        "day-zero",
    ]);
    assert_eq!(v["record"]["bud"]["text"], "2026-12-01 09:30");
    assert_eq!(v["record"]["bud"]["time"], "09:30");
    // Without a time there is nothing to count from: refused, asking for it.
    fails(
        &args(&[
            &[
                "batch",
                "sts-150-intralesional",
                "--quantity",
                "10mL",
                "--method",
                "dilution",
            ],
            DATE,
            &["--bud-count", "day-zero"],
        ]),
        &["`--date`", "2026-11-21T09:30", "USP <797>", "day-one"],
    );
    // The default (day one) stays date-only: 2026-11-21 + 9 = 2026-11-30.
    let v = json(&[
        "batch",
        "sts-150-intralesional",
        "--quantity",
        "10mL",
        "--method",
        "dilution",
        "--date",
        "2026-11-21T09:30",
    ]);
    assert_eq!(v["record"]["bud"]["text"], "2026-11-30");
    // A nonsterile preparation keeps a date-only day-zero BUD: the zinc oxide ointment at room
    // temperature (its usual storage) may keep 180 days (USP <795>, nonaqueous):
    // 2026-11-21 + 180 days = 2027-05-20.
    let v = json(&args(&[
        &["batch", "sts-25-zinc-oxide", "--quantity", "30g"],
        DATE,
        &["--bud-count", "day-zero"],
    ]));
    assert_eq!(v["record"]["bud"]["text"], "2027-05-20");
}

#[test]
fn a_solution_stored_otherwise_gets_its_own_bud_line_and_storage_statement() {
    // A site's copy of the injection that may also be kept at room temperature.
    let dir = temp_dir();
    let text = std::fs::read_to_string(root().join("formulas/sts-150-intralesional.toml"))
        .unwrap()
        .replace(
            "storages = [\"refrigerator\"]",
            "storages = [\"refrigerator\", \"room\"]",
        );
    std::fs::write(dir.path().join("sts-150-intralesional.toml"), text).unwrap();
    let args = |storage: &str| {
        vec![
            "batch".to_string(),
            "sts-150-intralesional".into(),
            "--formulas".into(),
            dir.path().to_str().unwrap().into(),
            "--quantity".into(),
            "10mL".into(),
            "--method".into(),
            "dilution".into(),
            "--date".into(),
            "2026-11-21".into(),
            "--storage".into(),
            storage.into(),
        ]
    };
    let a = args("room");
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let out = ok(&a);
    // USP <797> Category 2 at room temperature: 4 days, 2026-11-21 + 3 = 2026-11-24.
    assert!(
        out.contains(
            "BUD (this method, before component expiries): 4 days at controlled room temperature"
        ),
        "{out}"
    );
    assert!(
        out.contains("Storage: Store at controlled room temperature"),
        "{out}"
    );
    assert!(!out.contains("10 days in a refrigerator"), "{out}");
    assert!(!out.contains("refrigerated storage only"), "{out}");
    assert!(out.contains("Beyond-use date: 2026-11-24"), "{out}");
    let mut j = a.clone();
    j.extend(["--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&ok(&j)).unwrap();
    assert_eq!(v["bud"]["limit"]["value"], "4");
    assert_eq!(v["bud"]["storage"], "room");
    assert_eq!(v["record"]["bud"]["storage"], "room");
    // Refrigerated, the formula's usual storage: 10 days and its own statement.
    let a = args("refrigerator");
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let out = ok(&a);
    assert!(out.contains("10 days in a refrigerator"), "{out}");
    assert!(out.contains("refrigerated storage only"), "{out}");
}
