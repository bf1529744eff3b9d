//! Issue 12 §4: a treatment series made from the fewest batches whose BUD covers their
//! sessions, each batch filled into one sealed single-dose vial per session. Every count and
//! volume here is worked out by hand in the test, then compared with what stscalc prints, and
//! each batch command the series prints is run.

use crate::common::{d, fails, json, ok, up_to, value, F};

/// 12 lesions × 0.2 mL at 150 mg/mL (the formula's default, by dilution), weekly from
/// Mon 2026-12-07, four sessions.
const WEEKLY: [&str; 9] = [
    "session",
    "--lesions",
    "12",
    "--per-lesion",
    "0.2mL",
    "--sessions",
    "4",
    "--start",
    "2026-12-07",
];

fn with(extra: &[&'static str]) -> Vec<&'static str> {
    let mut a = WEEKLY.to_vec();
    a.extend_from_slice(extra);
    a
}

#[test]
fn four_weekly_sessions_are_two_batches_of_two_vials() {
    let j = json(&WEEKLY);
    let s = &j["series"];
    // USP <797> Category 2, dilution of sterile components: 10 days, refrigerated, the
    // compounding day being day 1.
    assert_eq!(s["bud"]["days"]["value"], "10");
    assert!(s["bud"]["reason"].as_str().unwrap().contains("Category 2"));
    // Sessions: 7, 14, 21, 28 Dec. Batch #1 made Mon 7 Dec is used through 7 + 10 − 1 =
    // Wed 16 Dec: it serves the 7th and the 14th, not the 21st; batch #2 is made on the 21st
    // (used through the 30th) and serves the 21st and the 28th.
    let b = s["preparations"].as_array().unwrap();
    assert_eq!(b.len(), 2);
    assert_eq!(b[0]["compound_on"], "2026-12-07");
    assert_eq!(b[0]["use_through"], "2026-12-16");
    assert_eq!(b[0]["sessions"], serde_json::json!([1, 2]));
    assert_eq!(b[1]["compound_on"], "2026-12-21");
    assert_eq!(b[1]["use_through"], "2026-12-30");
    assert_eq!(b[1]["sessions"], serde_json::json!([3, 4]));
    let batch_of: Vec<u64> = s["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["preparation"].as_u64().unwrap())
        .collect();
    assert_eq!(batch_of, [1, 1, 2, 2]);
    // Each session: 12 × 0.2 = 2.4 mL injected + 12 × (0.07 syringe + 0.07 needle) = 1.68 mL
    // dead space = 4.08 mL, one vial per session.
    let per_session = d("12") * d("0.2") + d("12") * (d("0.07") + d("0.07"));
    assert_eq!(per_session, d("4.08"));
    // Each batch: 2 × 4.08 + 2 × 0.1 residual = 8.36 mL. At 3 : 2 (150 from 250: stock is
    // 150/250 = 0.6 of the volume) the stock is a whole 0.1 mL step only at multiples of
    // 0.5 mL: 8.4 → 5.04 mL, 8.5 → 5.1 mL. So 8.5 mL: stock 5.1 + diluent 3.4 mL. (The issue's
    // brief said 9 mL, stock 5.4 + diluent 3.6: also 3 : 2, but not the smallest from 8.36.)
    let need = d("2") * per_session + d("2") * d("0.1");
    assert_eq!(need, d("8.36"));
    assert_eq!(d("0.6") * d("8.4"), d("5.04"));
    let make = up_to(need, d("0.5"));
    assert_eq!(make, d("8.5"));
    let (stock, diluent) = (d("0.6") * make, make - d("0.6") * make);
    assert_eq!((stock, diluent), (d("5.1"), d("3.4")));
    assert_eq!(d("250") * stock / make, d("150"));
    for p in b {
        let vials = p["vials"].as_array().unwrap();
        assert_eq!(vials.len(), 2);
        for v in vials {
            assert_eq!(value(&v["volume"]), per_session);
        }
        assert_eq!(value(&p["volume"]), d("2") * per_session);
        assert_eq!(value(&p["batch_volume"]), make);
        // The first vial holds 4.08 + 0.1 = 4.18 mL, the last the rest: 8.5 − 4.18 = 4.32 mL.
        assert_eq!(value(&vials[0]["holds"]), d("4.18"));
        assert_eq!(value(&vials[1]["holds"]), make - d("4.18"));
        // 5.1 mL of stock from one 50 mL vial (it gives 50 − 0.1 = 49.9 mL).
        assert_eq!(p["stock_vials_opened"], 1);
        // Compounded on its first session's day: the command dates the record and labels.
        assert_eq!(
            p["batch_command"],
            format!(
                "stscalc batch sts-150-intralesional --vials 4.08mL,4.08mL --method dilution --date {}",
                p["compound_on"].as_str().unwrap()
            )
        );
    }
    // 2 stock vials in all; one batch per session opened 4 (4 × 2.7 mL, one vial each).
    assert_eq!(s["stock_vials_opened"], 2);
    assert_eq!(value(&s["stock_vial"]), d("50"));

    let t = ok(&WEEKLY);
    for needle in [
        "Batch #1: compound on Mon 2026-12-07, use through Wed 2026-12-16 (BUD); sessions 1, 2",
        "Batch #2: compound on Mon 2026-12-21, use through Wed 2026-12-30 (BUD); sessions 3, 4",
        "  vial 2: session 2, 4.08 mL, filled with 4.32 mL",
        "  stock vials opened: 1 × 50 mL",
        "Stock vials opened in all: 2 × 50 mL",
        "a vial opened at a session is discarded after it",
    ] {
        assert!(t.contains(needle), "{needle}\n{t}");
    }
    assert!(!t.contains("one batch never serves two sessions"), "{t}");
    // One answer to "what do I make": the series' batches, not also the one batch of a single
    // session (by --quantity).
    assert!(
        t.contains("Batch: see the series' batches below (one sealed vial per session)"),
        "{t}"
    );
    assert!(!t.contains("--quantity"), "{t}");
}

#[test]
fn the_batch_command_of_each_batch_plans_what_the_series_printed() {
    let j = json(&WEEKLY);
    for p in j["series"]["preparations"].as_array().unwrap() {
        let cmd = p["batch_command"].as_str().unwrap();
        let args: Vec<&str> = cmd.split_whitespace().skip(1).collect();
        let b = json(&args);
        assert_eq!(value(&b["total"]), value(&p["batch_volume"]), "{cmd}");
        assert_eq!(value(&b["dilution"]["stock_volume"]), d("5.1"));
        assert_eq!(value(&b["dilution"]["diluent_volume"]), d("3.4"));
        assert_eq!(b["dilution"]["vials_opened"], p["stock_vials_opened"]);
        // The record it prints has the BUD the series planned with.
        assert_eq!(b["record"]["bud"]["date"], p["use_through"], "{cmd}");
        let fills: Vec<_> = b["fill"]["vials"]
            .as_array()
            .unwrap()
            .iter()
            .map(value)
            .collect();
        let holds: Vec<_> = p["vials"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| value(&v["holds"]))
            .collect();
        assert_eq!(fills, holds);
    }
}

#[test]
fn a_four_day_bud_is_one_batch_per_session() {
    // 4 days from Mon 7 Dec: day 4 is Thu 10 Dec, before the next session (14 Dec).
    let j = json(&with(&["--solution-bud", "4d"]));
    let b = j["series"]["preparations"].as_array().unwrap();
    assert_eq!(b.len(), 4);
    assert_eq!(b[0]["use_through"], "2026-12-10");
    for (i, p) in b.iter().enumerate() {
        assert_eq!(p["sessions"], serde_json::json!([i + 1]));
        assert_eq!(p["vials"].as_array().unwrap().len(), 1);
        // One vial: 4.08 + 0.1 = 4.18 mL → 4.5 mL (a multiple of 0.5 mL), stock 2.7 mL.
        assert_eq!(value(&p["batch_volume"]), up_to(d("4.18"), d("0.5")));
        // The 4-day BUD is shorter than the rule's 10 days: the command carries it, so the
        // batch's record and labels print the BUD the series planned with.
        let cmd = p["batch_command"].as_str().unwrap();
        assert_eq!(
            cmd,
            format!(
                "stscalc batch sts-150-intralesional --vials 4.08mL --method dilution --date {} --bud-limit 4d",
                p["compound_on"].as_str().unwrap()
            )
        );
        let run = json(&cmd.split_whitespace().skip(1).collect::<Vec<_>>());
        assert_eq!(run["record"]["bud"]["date"], p["use_through"], "{cmd}");
    }
    // 7 Dec + 3 days = 10 Dec (day 1 is the compounding day), not the rule's 16 Dec.
    assert_eq!(b[0]["use_through"], "2026-12-10");
    // Four batches, one 50 mL stock vial each.
    assert_eq!(j["series"]["stock_vials_opened"], 4);
}

#[test]
fn a_bud_that_covers_three_sessions_makes_batches_of_three_vials() {
    // Every 4 days (shorter than the 7-day policy interval: a reason is needed) from Mon
    // 7 Dec, six sessions: 7, 11, 15, 19, 23, 27 Dec. Batch #1 (7 Dec) is used through 16 Dec:
    // sessions 7, 11 and 15; the 19th is after it, so batch #2 (19 Dec, through 28 Dec)
    // serves 19, 23 and 27.
    let args = [
        "session",
        "--lesions",
        "2",
        "--per-lesion",
        "0.2mL",
        "--sessions",
        "6",
        "--every",
        "4d",
        "--start",
        "2026-12-07",
        "--override-reason",
        "prescriber: twice-weekly loading",
    ];
    let j = json(&args);
    let b = j["series"]["preparations"].as_array().unwrap();
    assert_eq!(b.len(), 2);
    assert_eq!(b[0]["sessions"], serde_json::json!([1, 2, 3]));
    assert_eq!(b[0]["use_through"], "2026-12-16");
    assert_eq!(b[1]["compound_on"], "2026-12-19");
    assert_eq!(b[1]["sessions"], serde_json::json!([4, 5, 6]));
    // A session: 2 × 0.2 + 2 × 0.14 = 0.68 mL. A batch: 3 × 0.68 + 3 × 0.1 = 2.34 mL → 2.5 mL
    // (multiples of 0.5 mL at 3 : 2): stock 1.5 mL + diluent 1 mL.
    let per_session = d("2") * d("0.2") + d("2") * d("0.14");
    let make = up_to(d("3") * (per_session + d("0.1")), d("0.5"));
    assert_eq!(make, d("2.5"));
    for p in b {
        let vials = p["vials"].as_array().unwrap();
        assert_eq!(vials.len(), 3);
        assert_eq!(value(&p["batch_volume"]), make);
        assert!(
            p["batch_command"].as_str().unwrap().starts_with(
                "stscalc batch sts-150-intralesional --vials 0.68mL,0.68mL,0.68mL --method dilution --date "
            ),
            "{}",
            p["batch_command"]
        );
        let args: Vec<&str> = p["batch_command"]
            .as_str()
            .unwrap()
            .split_whitespace()
            .skip(1)
            .collect();
        let run = json(&args);
        assert_eq!(value(&run["total"]), make);
        assert_eq!(value(&run["dilution"]["stock_volume"]), d("0.6") * make);
    }
    assert_eq!(j["series"]["stock_vials_opened"], 2);
}

#[test]
fn a_session_larger_than_a_vial_gets_more_vials_for_itself() {
    // 10 lesions × 1 mL (the per-lesion maximum) = 10 mL, each syringe
    // taking 1 + 0.07 + 0.07 = 1.14 mL (1 mL tuberculin syringe and needle). A 10 mL vial
    // keeps 0.1 mL: 9.9 mL for the session, 8 syringes = 9.12 mL (9 would be 10.26 mL), then
    // 2 syringes = 2.28 mL. Two vials per session, both labelled for it.
    let j = json(&[
        "session",
        "--lesions",
        "10",
        "--per-lesion",
        "1mL",
        "--sessions",
        "2",
        "--start",
        "2026-12-07",
    ]);
    let take = value(&j["syringes"][0]["volume"]) + value(&j["syringes"][0]["dead_space"]);
    let b = j["series"]["preparations"].as_array().unwrap();
    assert_eq!(b.len(), 1);
    let vials = b[0]["vials"].as_array().unwrap();
    assert_eq!(vials.len(), 4);
    let sessions: Vec<u64> = vials
        .iter()
        .map(|v| v["session"].as_u64().unwrap())
        .collect();
    assert_eq!(sessions, [1, 1, 2, 2]);
    assert_eq!(value(&vials[0]["volume"]), d("8") * take);
    assert_eq!(value(&vials[1]["volume"]), d("2") * take);
    assert!(d("9") * take > d("9.9"));
}

#[test]
fn bad_a_series_no_batch_can_serve() {
    // 30 lesions of 5 mL (with a reason): one 5 mL syringe per lesion, one vial each (two
    // would not fit a 10 mL vial), 30 vials a session; daily sessions all within the 10-day
    // BUD put 4 × 30 = 120 vials in one batch, more than the 100 of one `batch --vials`.
    fails(
        &[
            "session",
            "--lesions",
            "30",
            "--per-lesion",
            "5mL",
            "--sessions",
            "4",
            "--every",
            "1d",
            "--start",
            "2026-12-07",
            "--override-reason",
            "test",
        ],
        &["`--sessions`", "at most 100 vials", "120 vials"],
    );
    // Two sessions of 2 × 4.8 mL in one batch: 2 × (4.8 + 0.14) = 9.88 mL a vial, 19.76 +
    // 0.2 = 19.96 mL → 20 mL, so the last vial would hold 20 − 9.98 = 10.02 mL: no 10 mL vial
    // holds it, and `batch` refuses the same list.
    assert_eq!(d("20") - (d("9.88") + d("0.1")), d("10.02"));
    fails(
        &[
            "session",
            "--lesions",
            "2",
            "--per-lesion",
            "4.8mL",
            "--sessions",
            "2",
            "--start",
            "2026-12-07",
            "--override-reason",
            "test",
        ],
        &["`--sessions`", "10.02 mL", "--solution-bud"],
    );
    fails(
        &["batch", F, "--vials", "9.88mL,9.88mL"],
        &["`--vials`", "10.02 mL"],
    );
}
