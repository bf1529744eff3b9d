//! Issue 8, §1 and the series items of §6: syringes drawn up for a session carry their own
//! limit (immediate use: given within the window of USP <797>; ISO 5: a BUD of their own, never
//! after the vial's), the vial's lot and BUD only as their source; a series longer than the
//! regimen warns, the follow-up is counted from the last session, the series table is not
//! printed under the warnings, and an override names what it overrides. Each test is named for
//! the defect it pins; times and dates are worked out here from the inputs.

use chrono::{NaiveDate, NaiveTime, TimeDelta};
use stscalc::bud::{DrawnUp, LimitUnit, Rules, Storage};

use crate::common::{fails, json, ok};

/// The command: two syringes from a vial of lot STS150I-20261121-01, BUD 2026-11-30.
const SESSION: [&str; 10] = [
    "session",
    "--lesion",
    "0.125mL",
    "--lesion",
    "0.3mL",
    "--date",
    "2026-11-23",
    "--lot",
    "STS150I-20261121-01",
    "--bud",
];

/// Each label's lines joined with spaces, from `labels session ... --format json`.
fn labels(extra: &[&str]) -> Vec<String> {
    let mut a = vec!["labels"];
    a.extend(SESSION);
    a.push("2026-11-30");
    a.extend(extra);
    let sheet = json(&a);
    sheet["pages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["labels"].as_array().unwrap().iter())
        .map(|l| {
            l["lines"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["text"].as_str().unwrap())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// The window of an immediate-use syringe, in hours, as the rules data file gives it.
fn immediate_use_hours() -> i64 {
    let l = Rules::embedded()
        .syringe_rule(DrawnUp::ImmediateUse)
        .room
        .unwrap();
    assert_eq!(l.unit, LimitUnit::Hours);
    i64::from(l.amount)
}

fn hhmm(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

#[test]
fn syringes_drawn_up_carried_the_vials_multi_day_bud() {
    // USP <797> (2023) 1.3: administration begins within 4 hours; the data file says so.
    assert_eq!(immediate_use_hours(), 4);
    let texts = labels(&[]);
    assert_eq!(texts.len(), 2);
    for t in &texts {
        // The default is immediate use, with blanks for the time and the preparer.
        assert!(
            t.contains("Drawn up ____ (time) by ____; give within 4 hours"),
            "{t}"
        );
        // The vial's lot and BUD only as the source, never as the syringe's BUD.
        assert!(
            t.contains("from vial lot STS150I-20261121-01 (vial BUD 2026-11-30)"),
            "{t}"
        );
        assert!(!t.contains("Lot STS150I-20261121-01 BUD"), "{t}");
        assert_eq!(t.matches("BUD 2026-11-30").count(), 1, "{t}");
        // An immediate-use syringe is given, not stored: no storage line.
        assert!(!t.contains("Store in"), "{t}");
    }
}

#[test]
fn drawn_at_fills_in_the_time_and_the_4_hour_deadline() {
    let texts = labels(&["--drawn-at", "09:30"]);
    // 09:30 + 4 hours = 13:30, the same day.
    let drawn = NaiveTime::from_hms_opt(9, 30, 0).unwrap();
    let (by, _) = drawn.overflowing_add_signed(TimeDelta::hours(immediate_use_hours()));
    assert_eq!(hhmm(by), "13:30");
    for t in &texts {
        let expected = format!(
            "Drawn up {} by ____; give by {} (4 hours)",
            hhmm(drawn),
            hhmm(by)
        );
        assert!(t.contains(&expected), "{t}");
    }
    // Drawn up at 22:30: 22:30 + 4 h = 02:30 on the next day, 2026-11-24, printed with it.
    let late = labels(&["--drawn-at", "22:30"]);
    let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let end = day.and_hms_opt(22, 30, 0).unwrap() + TimeDelta::hours(immediate_use_hours());
    assert_eq!(end.format("%Y-%m-%d %H:%M").to_string(), "2026-11-24 02:30");
    assert!(
        late[0].contains(&format!("give by {}", end.format("%Y-%m-%d %H:%M"))),
        "{}",
        late[0]
    );
}

#[test]
fn an_immediate_use_syringe_is_never_given_after_the_vials_bud() {
    // Vial BUD 2026-11-23 11:00, drawn up 09:30: 09:30 + 4 h = 13:30 is later, so the vial's
    // BUD ends it at 11:00, and the label says why.
    let mut a = vec!["labels"];
    a.extend(SESSION);
    a.extend(["2026-11-23T11:00", "--drawn-at", "09:30"]);
    // The text preview: each label's lines as printed, wrapped; joined for the check.
    let out = ok(&a).replace("\n  ", " ");
    assert!(out.contains("give by 11:00 (vial BUD)"), "{out}");
    // Drawn up after the vial's BUD: refused.
    let mut a = vec!["labels"];
    a.extend(SESSION);
    a.extend(["2026-11-23T11:00", "--drawn-at", "11:15"]);
    fails(&a, &["beyond-use date 2026-11-23 11:00 has passed"]);
}

#[test]
fn iso5_syringes_take_the_rules_limit_never_later_than_the_vials_bud() {
    // The limit of the ISO 5 row for the formula's storage (refrigerator), from the data file:
    // Category 1, 24 hours.
    let rule = Rules::embedded().syringe_rule(DrawnUp::Iso5);
    let limit = rule.limit(Storage::Refrigerator).unwrap();
    assert_eq!((limit.amount, limit.unit), (24, LimitUnit::Hours));
    // 2026-11-23 09:30 + 24 h = 2026-11-24 09:30, before the vial's 2026-11-30.
    let drawn = NaiveDate::from_ymd_opt(2026, 11, 23)
        .unwrap()
        .and_hms_opt(9, 30, 0)
        .unwrap();
    let bud = drawn + TimeDelta::hours(i64::from(limit.amount));
    let stock = ["--label-stock", "avery-5163"];
    let texts = labels(&[&["--drawn-up", "iso5", "--drawn-at", "09:30"][..], &stock].concat());
    for t in &texts {
        let expected = format!(
            "Drawn up in ISO 5 09:30 by ____; BUD {} (24 hours, refrigerator)",
            bud.format("%Y-%m-%d %H:%M")
        );
        assert!(t.contains(&expected), "{t}");
        assert!(t.contains("(vial BUD 2026-11-30)"), "{t}");
        assert!(t.contains("Store in a refrigerator (2-8 °C)."), "{t}");
    }
    // A vial whose BUD ends at 12:00 the same day: 09:30 + 24 h would pass it; the syringe's
    // BUD is the vial's.
    let mut a = vec!["labels"];
    a.extend(SESSION);
    a.extend([
        "2026-11-23T12:00",
        "--drawn-up",
        "iso5",
        "--drawn-at",
        "09:30",
        "--label-stock",
        "avery-5163",
    ]);
    let out = ok(&a);
    assert!(
        out.contains("BUD 2026-11-23 12:00 (the vial's BUD)"),
        "{out}"
    );
}

#[test]
fn the_filled_session_sheet_says_where_the_syringes_are_drawn_up() {
    let mut a: Vec<&str> = SESSION.to_vec();
    a.extend(["2026-11-30", "--drawn-at", "09:30", "--format", "html"]);
    let html = ok(&a);
    // The vial's lot and BUD are labelled as the vial's; the syringes have their own line.
    assert!(html.contains("Vial lot / vial BUD"), "{html}");
    assert!(
        html.contains("Drawn up 09:30 by ____; give by 13:30 (4 hours)"),
        "{html}"
    );
    // The blank sheet prints the default, immediate use, with its blanks.
    let blank = ok(&["session-sheet"]);
    assert!(
        blank.contains("Drawn up ____ (time) by ____; give within 4 hours"),
        "{blank}"
    );
}

#[test]
fn bad_drawn_up_options_are_named() {
    let mut a = vec!["labels"];
    a.extend(SESSION);
    a.extend(["2026-11-30", "--drawn-at", "9.30am"]);
    fails(&a, &["`--drawn-at`", "HH:MM", "`9.30am`"]);
    // With text output the sheet options are refused, not ignored.
    fails(
        &[
            "session",
            "--lesions",
            "1",
            "--per-lesion",
            "0.2mL",
            "--drawn-at",
            "09:30",
        ],
        &["`--drawn-at`", "--format html"],
    );
}

/// `session --sessions N --start 2026-11-23 --lesions 2 --per-lesion 0.2mL`, plus `extra`.
fn series(sessions: &str, extra: &[&str]) -> Vec<String> {
    let mut a = vec![
        "session",
        "--lesions",
        "2",
        "--per-lesion",
        "0.2mL",
        "--sessions",
        sessions,
        "--start",
        "2026-11-23",
    ];
    a.extend(extra);
    a.into_iter().map(str::to_string).collect()
}

fn run(args: &[String]) -> String {
    ok(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn a_series_longer_than_the_regimen_did_not_warn() {
    // The formula's regimen: weekly for 4 weeks (dosing.regimen_sessions = 4).
    let four = json(
        &series("4", &[])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert_eq!(four["series"]["warnings"], serde_json::json!([]));
    let five = run(&series("5", &[]));
    assert!(
        five.contains(
            "the series has 5 sessions, more than the 4 sessions of the formula's regimen"
        ),
        "{five}"
    );
}

#[test]
fn the_follow_up_window_was_counted_from_the_first_session() {
    // 3 sessions every 14 days from Mon 2026-11-23: the last is 2 × 14 = 28 days later,
    // 2026-12-21; follow-up 12 to 16 weeks after it: + 84 and + 112 days.
    let start = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let last = start + TimeDelta::days(2 * 14);
    assert_eq!(last.to_string(), "2026-12-21");
    let j = json(
        &series("3", &["--every", "14d"])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    let f = &j["series"]["follow_up"];
    assert_eq!(f["from"], (last + TimeDelta::days(84)).to_string());
    assert_eq!(f["to"], (last + TimeDelta::days(112)).to_string());
    // 2026-12-21 + 84 days: 10 days to 31 Dec, 31 in Jan, 28 in Feb (69), 15 more: 15 Mar.
    assert_eq!(f["from"], "2027-03-15");
    assert!(f["basis"]
        .as_str()
        .unwrap()
        .contains("after the last session, 2026-12-21"));
}

#[test]
fn the_series_table_was_printed_under_warnings() {
    // A series with a warning (longer than the regimen).
    let t = run(&series("6", &[]));
    let lines: Vec<&str> = t.lines().collect();
    let at = lines.iter().position(|l| *l == "Warnings:").expect("{t}");
    // The series table comes before the warnings, and nothing but warnings follows them.
    let table = lines.iter().position(|l| l.starts_with("session  date"));
    assert!(table.is_some_and(|k| k < at), "{t}");
    assert!(
        lines[at + 1..]
            .iter()
            .all(|l| l.starts_with("  ! ") || l.is_empty()),
        "{t}"
    );
    assert_eq!(t.matches("Warnings:").count(), 1, "{t}");
}

#[test]
fn an_override_message_did_not_name_what_it_overrides() {
    // Every 3 days is shorter than the policy's 7: the override names the interval.
    let t = run(&series(
        "2",
        &["--every", "3d", "--override-reason", "clinic closes early"],
    ));
    assert!(
        t.contains("OVERRIDE of the local policy: the interval between sessions 3 days is shorter than the policy interval 7 days — reason: clinic closes early"),
        "{t}"
    );
    // A reason that overrides nothing says so rather than looking like an override.
    let t = ok(&[
        "session",
        "--lesions",
        "1",
        "--per-lesion",
        "0.2mL",
        "--override-reason",
        "just in case",
    ]);
    assert!(
        t.contains("Override reason given, but it overrides nothing (no policy maximum exceeded, no policy interval shortened): just in case"),
        "{t}"
    );
}
