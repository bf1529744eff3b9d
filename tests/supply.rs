//! `stscalc supply`: the topical supply to dispense and its containers; worked examples by hand
//! arithmetic.

use crate::common::{d, json, ok, value};

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

// ------------------------------------------------------------ supply and the BUD

#[test]
fn supply_ignored_the_bud() {
    // 4 FTU × 0.5 g = 2 g, 3 a day, 12 × 30 = 360 days: 2,160 g. BUD 180 days with the
    // compounding day as day 1 and not a day of use: at most 179 days a batch, so
    // 360 ÷ 179 → 3 batches of 360 ÷ 3 = 120 days, each 6 g × 120 = 720 g = 24 jars of 30 g.
    let days = d("12") * d("30");
    assert_eq!((days / d("179")).ceil(), d("3"));
    assert_eq!(d("2") * d("3") * d("120") / d("30"), d("24"));
    let args = [
        "supply",
        "sts-25-zinc-oxide",
        "--per-application",
        "4FTU",
        "--per-day",
        "3",
        "--months",
        "12",
    ];
    let j = json(&args);
    assert_eq!(j["bud"]["limit"]["value"], "180");
    assert_eq!(j["days_per_batch"], 179);
    let b = j["batches"].as_array().unwrap();
    assert_eq!(b.len(), 3);
    let ranges: Vec<(u64, u64)> = b
        .iter()
        .map(|x| {
            (
                x["first_day"].as_u64().unwrap(),
                x["last_day"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(ranges, [(1, 120), (121, 240), (241, 360)]);
    for x in b {
        assert_eq!(value(&x["needed"]), d("2") * d("3") * d("120"));
        assert_eq!(
            x["batch_command"],
            "stscalc batch sts-25-zinc-oxide --containers 24x30g"
        );
    }
    assert_eq!(j["containers"], 3 * 24);
    let t = ok(&args);
    assert!(t.contains("3 batches"), "{t}");
    assert!(t.contains("121–240"), "{t}");
    // 179 days fit in one batch; 180 need two (90 + 90).
    for (days, batches) in [("179", 1), ("180", 2)] {
        let j = json(&[
            "supply",
            "sts-25-zinc-oxide",
            "--per-application",
            "1g",
            "--per-day",
            "1",
            "--days",
            days,
        ]);
        assert_eq!(j["batches"].as_array().unwrap().len(), batches, "{days}");
    }
}

#[test]
fn small_masses_read_in_grams_and_json_text_differed_from_the_text() {
    let args = [
        "supply",
        "sts-25-petrolatum",
        "--per-application",
        "1mg",
        "--per-day",
        "1",
        "--days",
        "1",
    ];
    let t = ok(&args);
    assert!(t.contains("Per application: 1 mg;"), "{t}");
    let j = json(&args);
    assert_eq!(value(&j["per_application_mass"]), d("0.001"));
    assert_eq!(j["per_application_mass"]["text"], "1 mg");
    assert_eq!(j["per_application"]["mass"]["text"], "1 mg");
    // The session prints 0.2 mL × 150 mg/mL = 30 mg; its JSON says the same.
    let j = json(&["session", "--lesion", "0.2mL"]);
    assert_eq!(
        value(&j["lesions"][0]["mass"]),
        d("0.2") * d("150") / d("1000")
    );
    assert_eq!(j["lesions"][0]["mass"]["text"], "30 mg");
    assert_eq!(j["total_mass"]["text"], "30 mg");
}

#[test]
fn regression_error_reasons_say_what_is_wrong() {
    // 0.0000000000000000000000000001 FTU is above zero (10^-28) but below the smallest amount
    // any quantity may state, 10^-12 (12 decimal places): the reason said "above zero".
    assert!(d("0.0000000000000000000000000001") > d("0"));
    assert!(d("0.0000000000000000000000000001") < d("0.000000000001"));
    for amount in [
        "0.0000000000000000000000000001FTU",
        "0.0000000000000000000000000001g",
    ] {
        let err = crate::common::fails(
            &[
                "supply",
                "sts-25-zinc-oxide",
                "--per-application",
                amount,
                "--per-day",
                "2",
                "--days",
                "30",
            ],
            &[
                "`--per-application`",
                "of at least 0.000000000001",
                "below the smallest accepted amount",
            ],
        );
        assert!(!err.contains("above zero"), "{err}");
    }
    // A bad `lot` in a request file is named by its key, not as the option `--lot`.
    let dir = crate::common::temp_dir();
    let path = dir.path().join("request.json");
    std::fs::write(
        &path,
        r#"{"formula": "sts-25-zinc-oxide", "quantity": "100 g", "lot": "bad lot"}"#,
    )
    .unwrap();
    let err = crate::common::fails(
        &["batch", "--request", path.to_str().unwrap()],
        &["`lot`: expected a lot number", "found `bad lot`"],
    );
    assert!(!err.contains("--lot"), "{err}");
    // A series whose follow-up window would end past 2199 names the limit and the date:
    // 4 weekly sessions from 2199-11-01 end on 2199-11-22 (+ 21 days); the follow-up starts
    // 12 weeks (84 days) later, 2200-02-14.
    let last = chrono::NaiveDate::from_ymd_opt(2199, 11, 1).unwrap() + chrono::Duration::days(21);
    assert_eq!(
        (last + chrono::Duration::days(84)).to_string(),
        "2200-02-14"
    );
    crate::common::fails(
        &[
            "session",
            "--lesions",
            "1",
            "--per-lesion",
            "0.2mL",
            "--sessions",
            "4",
            "--start",
            "2199-11-01",
        ],
        &[
            "`--start`",
            "within the years 2000 to 2199 (the last date accepted is 2199-12-31)",
            "found `2199-11-01`: the follow-up window's first day would be 2200-02-14",
        ],
    );
    // The supply's batch wording reads as a sentence.
    let one = ok(&[
        "supply",
        "sts-25-zinc-oxide",
        "--per-application",
        "1.3g",
        "--per-day",
        "2",
        "--days",
        "30",
    ]);
    assert!(
        one.contains("Make it with: stscalc batch sts-25-zinc-oxide --containers 3x30g"),
        "{one}"
    );
    let many = ok(&[
        "supply",
        "sts-25-zinc-oxide",
        "--per-application",
        "1g",
        "--per-day",
        "2",
        "--days",
        "400",
    ]);
    assert!(many.contains("The course is longer than one BUD, so it is made in 3 batches: compound each one no earlier than the day before its first day of use."), "{many}");
}
