//! The register's commands (`lot`, `recall`, `audit`, `register`) run as a user runs them: the
//! built binary on real SQLite files in temporary folders. Expected figures are worked out by
//! hand in the tests from the inputs.

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::common::{fails, ok, stscalc};
use crate::register_backends::{on_both_backends, Backend, Postgres, Sqlite};

/// The register file in `dir`.
fn reg(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("register.sqlite3")
}

/// `args` with `--register PATH` in front.
fn with_reg<'a>(path: &'a Path, args: &[&'a str]) -> Vec<&'a str> {
    let mut all = vec!["--register", path.to_str().unwrap()];
    all.extend_from_slice(args);
    all
}

/// A 100 g batch of STS 25 % in zinc oxide ointment, compounded on `date`, with every
/// component's lot.
const BATCH: &[&str] = &[
    "sts-25-zinc-oxide",
    "--quantity",
    "100g",
    "--component",
    "sts=STS-A1@2027-05",
    "--component",
    "zinc-oxide-ointment=ZO-9@2027-03-31",
];

/// `lot new` of [`BATCH`] on `date` by `by`, as JSON; returns the plan printed.
fn lot_new(path: &Path, date: &str, by: &str) -> Value {
    let mut args = vec!["lot", "new"];
    args.extend_from_slice(BATCH);
    args.extend_from_slice(&["--date", date, "--by", by, "--format", "json"]);
    serde_json::from_str(&ok(&with_reg(path, &args))).unwrap()
}

fn lot_of(plan: &Value) -> String {
    plan["record"]["lot"]["number"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The lot's detail, read with the library.
fn detail(path: &Path, lot: &str) -> stscalc::register::LotDetail {
    let store =
        stscalc::register::open(&stscalc::register::Location::from_setting(path.as_os_str()))
            .unwrap();
    store.lot(lot).unwrap()
}

/// Verifies `lot` with the weights of STS and base.
fn verify(path: &Path, lot: &str, sts: &str, base: &str) -> Output {
    let a = format!("sts={sts}");
    let b = format!("zinc-oxide-ointment={base}");
    stscalc(&with_reg(
        path,
        &[
            "lot", "verify", lot, "--actual", &a, "--actual", &b, "--by", "Ann Lee",
        ],
    ))
}

#[test]
fn lot_new_numbers_two_batches_of_a_day_and_prints_the_record_like_batch() {
    let dir = tempfile::tempdir().unwrap();
    let path = reg(&dir);
    let first = lot_new(&path, "2026-12-01", "Ann Lee");
    let second = lot_new(&path, "2026-12-01", "Ann Lee");
    // The scheme CODE-YYYYMMDD-NN: code STS25ZO, the date, then 01 and 02 of the day.
    assert_eq!(lot_of(&first), "STS25ZO-20261201-01");
    assert_eq!(lot_of(&second), "STS25ZO-20261201-02");
    // Another day starts again at 01.
    assert_eq!(
        lot_of(&lot_new(&path, "2026-12-02", "Ann Lee")),
        "STS25ZO-20261202-01"
    );
    // The numbers are `batch`'s: 100 g × 25 % = 25 g of STS pentahydrate, 100 g − 25 g = 75 g
    // of base.
    let weigh = |p: &Value, i: usize| p["components"][i]["to_weigh"]["value"].clone();
    assert_eq!(weigh(&first, 0), "25");
    assert_eq!(weigh(&first, 1), "75");
    // The text is `batch`'s text of the same batch with the register's sequence.
    let mut args = vec!["lot", "new"];
    args.extend_from_slice(BATCH);
    args.extend_from_slice(&["--date", "2026-12-01", "--by", "Ann Lee"]);
    let text = ok(&with_reg(&path, &args));
    let mut b = vec!["batch"];
    b.extend_from_slice(BATCH);
    b.extend_from_slice(&["--date", "2026-12-01", "--lot-sequence", "3"]);
    let batch_text = ok(&b);
    assert!(text.contains("STS25ZO-20261201-03"), "{text}");
    assert_eq!(
        text.lines().count(),
        batch_text.lines().count(),
        "{text}\n---\n{batch_text}"
    );
    assert!(text.contains("25 g") && text.contains("75 g"));
    // The record says how the number was chosen: by the register, not "give --lot-sequence".
    let scheme = |p: &Value| p["record"]["lot"]["scheme"].as_str().unwrap().to_string();
    assert!(
        scheme(&first).ends_with("batch 01 of the day; the next number of the day free in the batch register, assigned when the lot was registered"),
        "{}",
        scheme(&first)
    );
    assert!(!text.contains("keeps no register"), "{text}");
    assert!(batch_text.contains("stscalc keeps no register, so give --lot-sequence"));
    // `lot verify` works the stored lot out again: its record says the same.
    let verified = ok(&with_reg(
        &path,
        &[
            "lot",
            "verify",
            "STS25ZO-20261201-01",
            "--actual",
            "sts=25g",
            "--actual",
            "zinc-oxide-ointment=75g",
            "--by",
            "Ann Lee",
            "--format",
            "json",
        ],
    ));
    assert!(
        verified.contains("free in the batch register") && !verified.contains("keeps no register"),
        "{verified}"
    );
}

#[test]
fn lot_new_stores_request_plan_formula_templates_version_and_who() {
    let dir = tempfile::tempdir().unwrap();
    let path = reg(&dir);
    let plan = lot_new(&path, "2026-12-01", "Ann Lee");
    let d = detail(&path, "STS25ZO-20261201-01");
    assert_eq!(d.summary.created_by, "Ann Lee");
    assert_eq!(d.summary.status, stscalc::register::Status::InPreparation);
    assert_eq!(d.summary.compounded_on.to_string(), "2026-12-01");
    // The stored plan is the plan printed, byte for byte once parsed.
    let stored: Value = serde_json::from_str(&d.plan_json).unwrap();
    assert_eq!(stored, plan);
    let request: Value = serde_json::from_str(&d.request_json).unwrap();
    assert_eq!(request["formula"], "sts-25-zinc-oxide");
    assert_eq!(request["quantity"], "100g");
    assert_eq!(request["lot_sequence"], "1");
    // The formula text is the embedded file, with its SHA-256.
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("formulas/sts-25-zinc-oxide.toml"),
    )
    .unwrap();
    assert_eq!(d.formula_text, text);
    let sha: String = Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(d.formula_sha256, sha);
    assert_eq!(d.templates_sha256.len(), 64);
    assert_eq!(d.stscalc_version, env!("CARGO_PKG_VERSION"));
    // The component lots, for a recall; the month-only expiry read as the month's last day.
    let comps: Vec<(String, String, String)> = d
        .components
        .iter()
        .map(|c| {
            (
                c.component_id.clone(),
                c.lot.clone(),
                c.expiry.unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        comps,
        [
            ("sts".into(), "STS-A1".into(), "2027-05-31".into()),
            (
                "zinc-oxide-ointment".into(),
                "ZO-9".into(),
                "2027-03-31".into()
            )
        ]
    );
}

#[test]
fn lot_new_refuses_bad_input_in_one_line_and_creates_no_register() {
    let dir = tempfile::tempdir().unwrap();
    let path = reg(&dir);
    let p = path.to_str().unwrap();
    // No component lots: a lot that cannot be recalled is refused.
    fails(
        &[
            "--register",
            p,
            "lot",
            "new",
            "sts-25-zinc-oxide",
            "--quantity",
            "100g",
            "--by",
            "Ann",
        ],
        &["`--component`", "`sts`", "`zinc-oxide-ointment`"],
    );
    // The register numbers lots: no sequence by hand.
    let mut args = vec!["--register", p, "lot", "new"];
    args.extend_from_slice(BATCH);
    args.extend_from_slice(&["--by", "Ann", "--lot-sequence", "2"]);
    fails(&args, &["`--lot-sequence`", "register assigns"]);
    // A bad quantity.
    fails(
        &[
            "--register",
            p,
            "lot",
            "new",
            "sts-25-zinc-oxide",
            "--quantity",
            "-5g",
            "--by",
            "Ann",
        ],
        &["`--quantity`"],
    );
    // An output file that exists, without --force.
    let out = dir.path().join("record.txt");
    std::fs::write(&out, "keep").unwrap();
    let mut args = vec!["--register", p, "lot", "new"];
    args.extend_from_slice(BATCH);
    args.extend_from_slice(&["--by", "Ann", "-o", out.to_str().unwrap()]);
    fails(&args, &["record.txt"]);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep");
    assert!(!path.exists(), "no register is created by refused input");
    // A file that is not a register.
    let junk = dir.path().join("junk.sqlite3");
    std::fs::write(&junk, "not a database at all, just text").unwrap();
    let mut args = vec!["--register", junk.to_str().unwrap(), "lot", "new"];
    args.extend_from_slice(BATCH);
    args.extend_from_slice(&["--by", "Ann"]);
    fails(&args, &["not an SQLite database"]);
    assert_eq!(
        std::fs::read_to_string(&junk).unwrap(),
        "not a database at all, just text"
    );
    // Commands that read a register never create one.
    fails(
        &["--register", p, "lot", "show", "STS25ZO-20261201-01"],
        &["`--register`", "does not exist"],
    );
    assert!(!path.exists());
}

#[test]
fn lot_new_takes_the_register_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let path = reg(&dir);
    let mut args = vec!["lot", "new"];
    args.extend_from_slice(BATCH);
    args.extend_from_slice(&["--date", "2026-12-01", "--by", "Ann"]);
    let out = crate::common::command()
        .args(&args)
        .env("STSCALC_REGISTER", &path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        detail(&path, "STS25ZO-20261201-01").summary.created_by,
        "Ann"
    );
}

#[test]
fn lot_verify_release_and_reject_follow_the_status_rules() {
    let dir = tempfile::tempdir().unwrap();
    let path = reg(&dir);
    let p = path.to_str().unwrap();
    let good = lot_of(&lot_new(&path, "2026-12-01", "Ann Lee"));
    let bad = lot_of(&lot_new(&path, "2026-12-01", "Ann Lee"));
    // Not verified yet: no release.
    fails(
        &[
            "--register",
            p,
            "lot",
            "release",
            &good,
            "--by",
            "Ann Lee",
            "--checked-by",
            "Bo Chen",
        ],
        &["has not been verified"],
    );
    // 25 g in 100 g is 25 % w/w, 100 % of label: passes.
    let out = verify(&path, &good, "25g", "75g");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // 20 g of STS in 20 g + 75 g = 95 g is 20 ÷ 95 = 21.05 % w/w, 84.2 % of label: below the
    // 90 % limit, a failed verification (exit 1, stored all the same).
    let out = verify(&path, &bad, "20g", "75g");
    assert_eq!(out.status.code(), Some(1));
    let d = detail(&path, &bad);
    assert_eq!(d.summary.status, stscalc::register::Status::VerifiedFail);
    let v: Value = serde_json::from_str(&d.verification.unwrap().data_json).unwrap();
    assert!(v["of_label"]["value"].as_str().unwrap().starts_with("84.2"));
    fails(
        &[
            "--register",
            p,
            "lot",
            "release",
            &bad,
            "--by",
            "Ann Lee",
            "--checked-by",
            "Bo Chen",
        ],
        &["verification failed"],
    );
    // A lot is verified once.
    let out = verify(&path, &good, "25g", "75g");
    assert_eq!(out.status.code(), Some(1));
    // Two people, the checker not the compounder either.
    fails(
        &[
            "--register",
            p,
            "lot",
            "release",
            &good,
            "--by",
            "Bo Chen",
            "--checked-by",
            "bo  chen",
        ],
        &["second person"],
    );
    fails(
        &[
            "--register",
            p,
            "lot",
            "release",
            &good,
            "--by",
            "Bo Chen",
            "--checked-by",
            "Ann Lee",
        ],
        &["the compounder"],
    );
    let out = ok(&[
        "--register",
        p,
        "lot",
        "release",
        &good,
        "--by",
        "Bo Chen",
        "--checked-by",
        "Cy Diaz",
    ]);
    assert!(
        out.contains("released by Bo Chen, checked by Cy Diaz"),
        "{out}"
    );
    // The failed lot is rejected; a released one cannot be.
    ok(&[
        "--register",
        p,
        "lot",
        "reject",
        &bad,
        "--by",
        "Bo Chen",
        "--reason",
        "84.2 % of label",
    ]);
    fails(
        &[
            "--register",
            p,
            "lot",
            "reject",
            &good,
            "--by",
            "Bo Chen",
            "--reason",
            "x",
        ],
        &["already released"],
    );
    fails(
        &[
            "--register",
            p,
            "lot",
            "release",
            "NOPE-1",
            "--by",
            "A",
            "--checked-by",
            "B",
        ],
        &["unknown lot `NOPE-1`"],
    );
    // Listing by status.
    let list: Value = serde_json::from_str(&ok(&[
        "--register",
        p,
        "lot",
        "list",
        "--status",
        "released",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["lot"], good.as_str());
    let list: Value = serde_json::from_str(&ok(&[
        "--register",
        p,
        "lot",
        "list",
        "--since",
        "2026-12-02",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 0);
    fails(
        &["--register", p, "lot", "list", "--status", "done"],
        &["`--status`", "`done`"],
    );
    // The audit trail holds the 6 changes: 2 new, 2 verify, 1 release, 1 reject.
    let head = ok(&["--register", p, "audit", "verify"]);
    assert!(
        head.starts_with("audit trail verified: 6 events, head "),
        "{head}"
    );
    let check = ok(&["--register", p, "register", "check"]);
    assert!(check.contains("2 lots agree"), "{check}");
}

#[test]
fn lot_show_reprints_what_was_stored_even_when_the_formula_file_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    let path = reg(&dir);
    let p = path.to_str().unwrap();
    // A site formula in its own folder (a copy of the embedded file).
    let formulas = dir.path().join("formulas");
    std::fs::create_dir(&formulas).unwrap();
    let original = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("formulas/sts-25-zinc-oxide.toml"),
    )
    .unwrap();
    std::fs::write(formulas.join("sts-25-zinc-oxide.toml"), &original).unwrap();
    let f = formulas.to_str().unwrap();
    let out = ok(&[
        "--register",
        p,
        "--formulas",
        f,
        "lot",
        "new",
        "sts-25-zinc-oxide",
        "--quantity",
        "200g",
        "--component",
        "sts=S1@2027-01-31",
        "--component",
        "zinc-oxide-ointment=Z1@2027-06-30",
        "--date",
        "2026-11-01",
        "--by",
        "Ann Lee",
    ]);
    // 200 g × 25 % = 50 g of STS; 200 g − 50 g = 150 g of zinc oxide ointment.
    assert!(out.contains("50 g") && out.contains("150 g"), "{out}");
    std::fs::remove_dir_all(&formulas).unwrap();
    let lot = "STS25ZO-20261101-01";
    let show = ok(&["--register", p, "lot", "show", lot]);
    assert!(
        show.starts_with(&format!("REPRINT of the record of lot {lot}")),
        "{show}"
    );
    assert!(show.contains("reprinted 20"), "{show}");
    assert!(show.contains("50 g") && show.contains("150 g"), "{show}");
    assert!(show.contains("Not verified yet"), "{show}");
    let json: Value = serde_json::from_str(&ok(&[
        "--register",
        p,
        "lot",
        "show",
        lot,
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(json["lot"]["plan_json"]["record"]["lot"]["number"], lot);
    assert!(json["reprint"]["at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(json["lot"]["events"][0]["action"], "lot.new");
}

#[test]
fn recall_by_component_lot_finds_every_lot_made_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = reg(&dir);
    let p = path.to_str().unwrap();
    let a = lot_of(&lot_new(&path, "2026-12-01", "Ann Lee"));
    let b = lot_of(&lot_new(&path, "2026-12-02", "Ann Lee"));
    ok(&[
        "--register",
        p,
        "lot",
        "new",
        "sts-25-petrolatum",
        "--quantity",
        "100g",
        "--component",
        "sts=OTHER@2027-01-31",
        "--component",
        "white-petrolatum=P1@2027-06-30",
        "--component",
        "mineral-oil=M1@2027-06-30",
        "--date",
        "2026-12-01",
        "--by",
        "Ann",
    ]);
    // The supplier's notice typed in small letters still matches STS-A1.
    let hits: Value = serde_json::from_str(&ok(&[
        "--register",
        p,
        "recall",
        "--component",
        "sts=sts-a1",
        "--format",
        "json",
    ]))
    .unwrap();
    let mut lots: Vec<&str> = hits
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["lot"]["lot"].as_str().unwrap())
        .collect();
    lots.sort_unstable();
    assert_eq!(lots, [a.as_str(), b.as_str()]);
    let text = ok(&["--register", p, "recall", "--component", "sts=STS-A1"]);
    assert!(text.contains("2 lots, 0 sessions"), "{text}");
    let one = ok(&["--register", p, "recall", "--lot", &a]);
    assert!(one.contains("1 lot,"), "{one}");
    fails(
        &["--register", p, "recall", "--component", "sts"],
        &["`--component`", "ID=LOT"],
    );
}

#[test]
fn audit_verify_names_an_edited_event_and_a_kept_head_finds_a_truncated_tail() {
    let dir = tempfile::tempdir().unwrap();
    let path = reg(&dir);
    let p = path.to_str().unwrap();
    lot_new(&path, "2026-12-01", "Ann Lee");
    let out = ok(&["--register", p, "audit", "verify", "--format", "json"]);
    let head: Value = serde_json::from_str(&out).unwrap();
    let head = head["head"].as_str().unwrap().to_string();
    lot_new(&path, "2026-12-01", "Ann Lee");
    // The earlier head is still in the chain.
    ok(&["--register", p, "audit", "verify", "--head", &head]);
    let all = ok(&["--register", p, "audit"]);
    // A title, the headers, a rule, then one line per event.
    assert_eq!(all.lines().count(), 3 + 2, "{all}");
    let one = ok(&["--register", p, "audit", "--lot", "STS25ZO-20261201-02"]);
    assert_eq!(one.lines().count(), 3 + 1, "{one}");
    // Behind stscalc's back: the guards dropped, event 2 deleted, then event 1 edited.
    let c = raw(&path);
    c.execute_batch("DROP TRIGGER audit_no_delete; DROP TRIGGER audit_no_update;")
        .unwrap();
    c.execute("DELETE FROM audit WHERE seq = 2", []).unwrap();
    // A truncated tail verifies on its own, but not against the head kept after event 2.
    let later = ok(&["--register", p, "audit", "verify"]);
    assert!(later.contains("1 events"), "{later}");
    let full_head = {
        let d = detail(&path, "STS25ZO-20261201-01");
        d.events[0].hash.clone()
    };
    assert_eq!(full_head, head);
    c.execute("UPDATE audit SET actor = 'Mallory' WHERE seq = 1", [])
        .unwrap();
    fails(
        &["--register", p, "audit", "verify"],
        &["event 1 was changed"],
    );
    fails(&["--register", p, "register", "check"], &["event 1"]);
}

#[test]
fn audit_verify_with_the_head_of_a_longer_chain_reports_the_truncation() {
    let dir = tempfile::tempdir().unwrap();
    let path = reg(&dir);
    let p = path.to_str().unwrap();
    lot_new(&path, "2026-12-01", "Ann Lee");
    lot_new(&path, "2026-12-01", "Ann Lee");
    let out: Value = serde_json::from_str(&ok(&[
        "--register",
        p,
        "audit",
        "verify",
        "--format",
        "json",
    ]))
    .unwrap();
    let head = out["head"].as_str().unwrap().to_string();
    assert_eq!(out["events"], 2);
    let c = raw(&path);
    c.execute_batch("DROP TRIGGER audit_no_delete;").unwrap();
    c.execute("DELETE FROM audit WHERE seq = 2", []).unwrap();
    fails(
        &["--register", p, "audit", "verify", "--head", &head],
        &["is not in the chain"],
    );
}

#[test]
fn register_backup_is_a_new_file_that_checks_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let path = reg(&dir);
    let p = path.to_str().unwrap();
    lot_new(&path, "2026-12-01", "Ann Lee");
    let copy = dir.path().join("copy.sqlite3");
    let c = copy.to_str().unwrap();
    ok(&["--register", p, "register", "backup", c]);
    let a = ok(&["--register", p, "register", "check"]);
    let b = ok(&["--register", c, "register", "check"]);
    assert_eq!(a, b);
    assert!(a.contains(" 1 lot agrees with its events"), "{a}");
    fails(
        &["--register", p, "register", "backup", c],
        &["exists already"],
    );
}

/// A raw connection, as someone with the `sqlite3` tool would have (foreign keys off).
fn raw(path: &Path) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    c
}

/// `lot new` of [`BATCH`] as a child process, text output.
fn spawn_lot_new(path: &Path, date: &str) -> std::process::Child {
    let mut args = vec!["--register", path.to_str().unwrap(), "lot", "new"];
    args.extend_from_slice(BATCH);
    args.extend_from_slice(&["--date", date, "--by", "Ann Lee", "--format", "json"]);
    crate::common::command()
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Every lot reported is whole: in the register, its stored plan carrying its number, its
/// component lots kept.
fn assert_whole(path: &Path, lot: &str) {
    let d = detail(path, lot);
    let plan: Value = serde_json::from_str(&d.plan_json).unwrap();
    assert_eq!(plan["record"]["lot"]["number"], lot);
    assert_eq!(d.components.len(), 2);
    assert_eq!(d.events.len(), 1);
    assert_eq!(d.events[0].action, "lot.new");
}

on_both_backends!(
    lot_new_in_twenty_processes_at_once_gives_twenty_distinct_whole_lots,
    lot_new_killed_at_random_points_leaves_a_register_that_checks_and_whole_lots,
    register_export_then_import_elsewhere_keeps_the_head_and_every_lot,
);

fn lot_new_in_twenty_processes_at_once_gives_twenty_distinct_whole_lots(b: &dyn Backend) {
    let path = b.setting();
    // The register exists first, as in a pharmacy where it is in use.
    lot_new(&path, "2026-11-30", "Ann Lee");
    let children: Vec<_> = (0..20)
        .map(|_| spawn_lot_new(&path, "2026-12-01"))
        .collect();
    let mut lots = Vec::new();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let plan: Value = serde_json::from_slice(&out.stdout).unwrap();
        lots.push(lot_of(&plan));
    }
    lots.sort();
    // 20 batches of one code on one day: 01 to 20, each once.
    let expected: Vec<String> = (1..=20)
        .map(|n| format!("STS25ZO-20261201-{n:02}"))
        .collect();
    assert_eq!(lots, expected);
    for l in &lots {
        assert_whole(&path, l);
    }
    let check = ok(&["--register", path.to_str().unwrap(), "register", "check"]);
    assert!(check.contains("21 lots agree"), "{check}");
}

fn lot_new_killed_at_random_points_leaves_a_register_that_checks_and_whole_lots(b: &dyn Backend) {
    let path = b.setting();
    lot_new(&path, "2026-12-01", "Ann Lee");
    // A small deterministic generator, so a failure can be replayed.
    let mut seed: u64 = 0x5eed_1234;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut reported = vec!["STS25ZO-20261201-01".to_string()];
    let mut killed = 0;
    for i in 0..30 {
        let date = format!("2026-12-{:02}", 2 + i % 20);
        let mut child = spawn_lot_new(&path, &date);
        std::thread::sleep(std::time::Duration::from_millis(next() % 60));
        let _ = child.kill(); // SIGKILL on Unix; an error means it had finished
        let out = child.wait_with_output().unwrap();
        if out.status.success() {
            if let Ok(plan) = serde_json::from_slice::<Value>(&out.stdout) {
                reported.push(lot_of(&plan));
            }
        } else {
            killed += 1;
        }
    }
    // The loop did kill some runs (a run takes longer than the shortest waits).
    assert!(killed > 0, "no run was killed");
    let check = ok(&["--register", path.to_str().unwrap(), "register", "check"]);
    assert!(check.starts_with("register check passed"), "{check}");
    for l in &reported {
        assert_whole(&path, l);
    }
    // And every lot the register holds is whole, reported or not (killed after the commit).
    let store =
        stscalc::register::open(&stscalc::register::Location::from_setting(path.as_os_str()))
            .unwrap();
    let all = store
        .list(&stscalc::register::LotFilter::default())
        .unwrap();
    assert!(all.len() >= reported.len());
    for l in &all {
        assert_whole(&path, &l.lot);
    }
}

/// A 10 mL lot of the 150 mg/mL intralesional solution, compounded 2026-12-01 09:30, with its
/// stock and diluent lots; returns its number.
fn solution_lot(path: &Path) -> String {
    let out = ok(&with_reg(
        path,
        &[
            "lot",
            "new",
            "sts-150-intralesional",
            "--quantity",
            "10mL",
            "--component",
            "sts-250-us=V77@2027-08-31",
            "--component",
            "water-for-injection=W5@2027-10-31",
            "--date",
            "2026-12-01T09:30",
            "--by",
            "Ann Lee",
            "--format",
            "json",
        ],
    ));
    lot_of(&serde_json::from_str(&out).unwrap())
}

#[test]
fn lot_verify_of_a_solution_over_strength_fails_is_stored_and_the_lot_cannot_be_released() {
    let dir = tempfile::tempdir().unwrap();
    let path = reg(&dir);
    let p = path.to_str().unwrap();
    let lot = solution_lot(&path);
    // Stock 6.8 mL + diluent 3.7 mL = 10.5 mL; 250 mg/mL × 6.8 mL = 1,700 mg;
    // 1,700 mg ÷ 10.5 mL = 161.904… mg/mL, 107.94 % of 150 mg/mL: over 105 %.
    let out = stscalc(&[
        "--register",
        p,
        "lot",
        "verify",
        &lot,
        "--by",
        "Ann Lee",
        "--actual",
        "sts-250-us=6.8mL",
        "--actual",
        "water-for-injection=3.7mL",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["result"], "fail");
    assert!(
        v["made"]["text"].as_str().unwrap().starts_with("≈ 161.9"),
        "{}",
        v["made"]
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("verification failed"), "{err}");
    // The register verifies a lot once: it says the lot can only be rejected, not "corrected
    // and verified again".
    assert!(
        err.contains("is recorded as failed and can only be rejected (`stscalc lot reject`)"),
        "{err}"
    );
    assert!(!err.contains("verified again"), "{err}");
    // Stored as failed: the lot can only be rejected.
    let d = detail(&path, &lot);
    assert_eq!(d.summary.status, stscalc::register::Status::VerifiedFail);
    fails(
        &[
            "--register",
            p,
            "lot",
            "release",
            &lot,
            "--by",
            "Bo Chen",
            "--checked-by",
            "Cy Diaz",
        ],
        &["failed"],
    );
    // `--final-volume` is for a solution made up to volume, not an ointment's weights.
    let ointment = lot_of(&lot_new(&path, "2026-12-01", "Ann Lee"));
    fails(
        &[
            "--register",
            p,
            "lot",
            "verify",
            &ointment,
            "--by",
            "Ann Lee",
            "--actual",
            "sts=25g",
            "--actual",
            "zinc-oxide-ointment=75g",
            "--final-volume",
            "100mL",
        ],
        &["`--final-volume`: expected nothing for a batch made up by weight"],
    );
}

/// `session` of 3 lesions × 0.2 mL recorded against `lot` on `date`.
fn record_session(path: &Path, lot: &str, date: &str) -> Output {
    stscalc(&with_reg(
        path,
        &[
            "session",
            "--lesions",
            "3",
            "--per-lesion",
            "0.2mL",
            "--lot",
            lot,
            "--patient-id",
            "MRN-0042",
            "--date",
            date,
            "--record",
            "--by",
            "Ann Lee",
        ],
    ))
}

#[test]
fn session_record_needs_a_released_lot_within_its_bud_and_recall_lists_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = reg(&dir);
    let p = path.to_str().unwrap();
    let lot = solution_lot(&path);
    assert_eq!(lot, "STS150I-20261201-01");
    // Not released: refused, nothing recorded.
    let out = record_session(&path, &lot, "2026-12-02");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not released"));
    // A solution is verified from the volumes measured: none given is refused, naming the
    // stock's `--actual`.
    fails(
        &["--register", p, "lot", "verify", &lot, "--by", "Ann Lee"],
        &["`--actual`: expected the stock volume measured"],
    );
    // The lot is 10 mL asked, 10.5 mL made: stock 150 × 10.5 ÷ 250 = 6.3 mL, diluent
    // 10.5 − 6.3 = 4.2 mL; measured so, 250 × 6.3 ÷ 10.5 = 150 mg/mL, 100 % of the target.
    let text = ok(&[
        "--register",
        p,
        "lot",
        "verify",
        &lot,
        "--by",
        "Ann Lee",
        "--actual",
        "sts-250-us=6.3mL",
        "--actual",
        "water-for-injection=4.2mL",
    ]);
    assert!(text.contains("Result: PASS"), "{text}");
    assert!(
        text.contains("150 mg/mL (pentahydrate basis), 100 % of the target"),
        "{text}"
    );
    let shown = ok(&["--register", p, "lot", "show", &lot]);
    assert!(
        shown.contains("Verified PASS by Ann Lee") && shown.contains(": 100 % of the target"),
        "{shown}"
    );
    ok(&[
        "--register",
        p,
        "lot",
        "release",
        &lot,
        "--by",
        "Bo Chen",
        "--checked-by",
        "Cy Diaz",
    ]);
    let out = record_session(&path, &lot, "2026-12-02");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The BUD: 10 days in a refrigerator, counting the compounding day 2026-12-01 as day 1,
    // ends 2026-12-10; a session on 2026-12-11 is refused.
    let out = record_session(&path, &lot, "2026-12-11");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("past its beyond-use date 2026-12-10"));
    // An ointment lot cannot be the source of an injection session.
    let ointment = lot_of(&lot_new(&path, "2026-12-01", "Ann Lee"));
    let out = record_session(&path, &ointment, "2026-12-02");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("a lot of formula `sts-150-intralesional`")
    );
    // The recall of the stock lot finds the lot and the one session: 3 × 0.2 mL = 0.6 mL,
    // 0.6 mL × 150 mg/mL = 90 mg.
    let text = ok(&["--register", p, "recall", "--component", "sts-250-us=v77"]);
    assert!(text.contains("1 lot, 1 session\n"), "{text}");
    assert!(
        text.contains("MRN-0042") && text.contains("2026-12-02"),
        "{text}"
    );
    assert!(
        text.contains("3 lesions, 0.6 mL (90 mg pentahydrate)"),
        "{text}"
    );
    let d = detail(&path, &lot);
    assert_eq!(d.sessions.len(), 1);
}

#[test]
fn lot_labels_say_not_released_until_released_and_none_for_a_rejected_lot() {
    let dir = tempfile::tempdir().unwrap();
    let path = reg(&dir);
    let p = path.to_str().unwrap();
    let lot = lot_of(&lot_new(&path, "2026-12-01", "Ann Lee"));
    let labels = |lot: &str| -> Value {
        serde_json::from_str(&ok(&[
            "--register",
            p,
            "lot",
            "labels",
            lot,
            "--format",
            "json",
        ]))
        .unwrap()
    };
    let first_lines = |v: &Value| -> Vec<String> {
        v["pages"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|pg| pg["labels"].as_array().unwrap().iter())
            .map(|l| l["lines"][0]["text"].as_str().unwrap().to_string())
            .collect()
    };
    // One label per container of the stored plan, every one of them marked.
    let before = labels(&lot);
    let lines = first_lines(&before);
    let plan: Value = serde_json::from_str(&detail(&path, &lot).plan_json).unwrap();
    assert_eq!(lines.len() as u64, plan["fill"]["count"].as_u64().unwrap());
    assert!(lines.iter().all(|l| l == "NOT RELEASED"), "{lines:?}");
    assert!(verify(&path, &lot, "25g", "75g").status.success());
    ok(&[
        "--register",
        p,
        "lot",
        "release",
        &lot,
        "--by",
        "Bo Chen",
        "--checked-by",
        "Cy Diaz",
    ]);
    let after = first_lines(&labels(&lot));
    assert_eq!(after.len(), lines.len());
    assert!(after.iter().all(|l| l != "NOT RELEASED"), "{after:?}");
    let text = ok(&["--register", p, "lot", "labels", &lot]);
    assert!(text.contains(&format!("Lot {lot}")), "{text}");
    // Its labels carry the GS1 DataMatrix of the registered lot ((10) its number, (17) its
    // BUD as printed), and take the dispensing options of `labels`.
    let dispensed: Value = serde_json::from_str(&ok(&[
        "--register",
        p,
        "lot",
        "labels",
        &lot,
        "--patient",
        "王小明",
        "--rx-number",
        "RX-77",
        "--format",
        "json",
    ]))
    .unwrap();
    let label = &dispensed["pages"][0]["labels"][0];
    let code = label["barcode"]["element_string"].as_str().unwrap();
    assert!(code.contains(&format!("10{lot}")), "{code}");
    let printed: Vec<&str> = label["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["text"].as_str().unwrap())
        .collect();
    let bud = printed
        .iter()
        .find_map(|l| l.split(" BUD ").nth(1))
        .unwrap();
    // (17) is YYMMDD of the printed YYYY-MM-DD.
    let yymmdd = format!("{}{}{}", &bud[2..4], &bud[5..7], &bud[8..10]);
    assert!(code.starts_with(&format!("17{yymmdd}")), "{code} {bud}");
    assert!(
        printed.iter().any(|l| l.starts_with("Patient 王小明 ID ")),
        "{printed:?}"
    );
    assert!(
        printed
            .iter()
            .any(|l| l.starts_with("Rx RX-77 Prescriber ")),
        "{printed:?}"
    );
    // A rejected lot prints no label.
    let other = lot_of(&lot_new(&path, "2026-12-01", "Ann Lee"));
    ok(&[
        "--register",
        p,
        "lot",
        "reject",
        &other,
        "--by",
        "Bo Chen",
        "--reason",
        "spilled",
    ]);
    let out = dir.path().join("labels.html");
    fails(
        &[
            "--register",
            p,
            "lot",
            "labels",
            &other,
            "--format",
            "html",
            "-o",
            out.to_str().unwrap(),
        ],
        &["was rejected", "no labels"],
    );
    assert!(!out.exists());
}

/// Splits a README command line into arguments: spaces separate, double quotes group.
fn split_args(line: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any {
                    args.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            _ => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        args.push(cur);
    }
    args
}

#[test]
fn readme_day_at_the_pharmacy_runs_as_written() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = readme
        .split("### A day at the pharmacy")
        .nth(1)
        .expect("the README has the walk-through");
    let block = section
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .unwrap();
    let commands: Vec<Vec<String>> = block
        .lines()
        .filter(|l| l.starts_with("stscalc "))
        .map(|l| split_args(&l["stscalc ".len()..]))
        .collect();
    assert_eq!(commands.len(), 15, "{block}");
    let dir = tempfile::tempdir().unwrap();
    let path = reg(&dir);
    let mut outputs = Vec::new();
    for args in &commands {
        let out = crate::common::command()
            .args(args)
            .current_dir(dir.path())
            .env("STSCALC_REGISTER", &path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "stscalc {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        outputs.push(String::from_utf8(out.stdout).unwrap());
    }
    // The two lots of the day, 01 of each code.
    assert!(outputs[0].contains("STS25ZO-20261201-01"), "{}", outputs[0]);
    assert!(outputs[1].contains("STS150I-20261201-01"), "{}", outputs[1]);
    // 25.01 g ÷ (25.01 g + 74.99 g) = 25.01 % w/w; ÷ 25 % = 100.04 % of label.
    assert!(outputs[3].contains("100.04 % of label"), "{}", outputs[3]);
    // The recall: the solution lot, released, BUD 2026-12-10, and the patient's doses:
    // 3 × 0.2 mL = 0.6 mL; 0.6 mL × 150 mg/mL = 90 mg.
    let recall = &outputs[9];
    assert!(recall.contains("1 lot, 1 session\n"), "{recall}");
    assert!(
        recall.contains("released") && recall.contains("2026-12-10"),
        "{recall}"
    );
    assert!(
        recall.contains("MRN-0042") && recall.contains("0.6 mL (90 mg"),
        "{recall}"
    );
    assert!(outputs[10].starts_with("REPRINT of the record of lot STS25ZO-20261201-01"));
    assert!(outputs[10].contains("Released by Bo Chen, checked by Cy Diaz"));
    // 2 new + 2 verify + 2 release + 1 session = 7 events; labels, recall and reprints
    // change nothing.
    assert!(
        outputs[12].starts_with("audit trail verified: 7 events"),
        "{}",
        outputs[12]
    );
    assert!(dir.path().join("labels.html").exists());
    assert!(dir.path().join("register-2026-12-01.sqlite3").exists());
}

#[test]
fn lot_show_prints_the_reprint_as_html_escaped_and_as_a_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let path = reg(&dir);
    let p = path.to_str().unwrap();
    let lot = lot_of(&lot_new(&path, "2026-12-01", "Ann Lee"));
    ok(&[
        "--register",
        p,
        "lot",
        "reject",
        &lot,
        "--by",
        "Bo Chen",
        "--reason",
        "<b>spilled</b> & lost",
    ]);
    let html = ok(&["--register", p, "lot", "show", &lot, "--format", "html"]);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains(&format!("REPRINT of the record of lot {lot}")));
    // The reason is shown as text, never as markup.
    assert!(
        html.contains("&lt;b&gt;spilled&lt;/b&gt; &amp; lost"),
        "{html}"
    );
    assert!(!html.contains("<b>spilled"));
    assert!(html.contains("@page { size: letter;"));
    if !crate::common::browser_here() {
        return;
    }
    let pdf = dir.path().join("reprint.pdf");
    ok(&[
        "--register",
        p,
        "lot",
        "show",
        &lot,
        "--format",
        "pdf",
        "--paper",
        "a4",
        "-o",
        pdf.to_str().unwrap(),
    ]);
    let pages = crate::common::pdf_pages(&pdf).join(" ");
    assert!(
        pages.contains(&format!("REPRINT of the record of lot {lot}")),
        "{pages}"
    );
    assert!(pages.contains("REJECTED by Bo Chen"), "{pages}");
    // 100 g × 25 % = 25 g of STS; 100 g − 25 g = 75 g of base, as stored.
    assert!(pages.contains("25 g") && pages.contains("75 g"), "{pages}");
}

#[test]
fn lot_commands_on_a_read_only_register_say_so_and_write_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = reg(&dir);
    let p = path.to_str().unwrap();
    let lot = lot_of(&lot_new(&path, "2026-12-01", "Ann Lee"));
    // Folded into the main file, so the file alone holds every lot.
    drop(rusqlite::Connection::open(&path).unwrap());
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o400)).unwrap();
    let before = std::fs::read(&path).unwrap();
    let mut args = vec!["--register", p, "lot", "new"];
    args.extend_from_slice(BATCH);
    args.extend_from_slice(&["--date", "2026-12-01", "--by", "Ann Lee"]);
    fails(&args, &["read-only"]);
    fails(
        &[
            "--register",
            p,
            "lot",
            "reject",
            &lot,
            "--by",
            "Bo Chen",
            "--reason",
            "x",
        ],
        &["read-only"],
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

/// The head `audit verify` prints (`… head HASH`).
fn head_of(path: &Path) -> String {
    let out = ok(&with_reg(path, &["audit", "verify"]));
    out.trim().rsplit(' ').next().unwrap().to_string()
}

/// `stscalc user add NAME --role ROLE --password-stdin` on the register at `path`.
fn user_add(path: &Path, name: &str, role: &str, password: &str) {
    use std::io::Write;
    let mut child = crate::common::command()
        .arg("--register")
        .arg(path)
        .args(["user", "add", name, "--role", role, "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A register made on one backend, exported with `register export` and imported with
/// `register import` into the other (SQLite into PostgreSQL, PostgreSQL into SQLite): the
/// same head, the same lots, the same users who log in with the same passwords, and an export
/// of the copy that is the same file.
fn register_export_then_import_elsewhere_keeps_the_head_and_every_lot(b: &dyn Backend) {
    use std::os::unix::fs::PermissionsExt;
    let path = b.setting();
    // The web app's users go along: two added, one of them disabled.
    user_add(&path, "ann", "pharmacist", "ann's long password");
    user_add(&path, "tom", "technician", "tom's long password");
    ok(&with_reg(&path, &["user", "disable", "tom"]));
    let first = lot_new(&path, "2026-12-01", "Ann Lee");
    lot_new(&path, "2026-12-01", "Ann Lee");
    // 25 g and 75 g as planned: a pass.
    let v = verify(&path, &lot_of(&first), "25g", "75g");
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("register.jsonl");
    let said = ok(&with_reg(
        &path,
        &["register", "export", "-o", file.to_str().unwrap()],
    ));
    // Two `user.add` and a `user.disable`, two `lot.new` events and one verification.
    let head = head_of(&path);
    assert_eq!(
        said,
        format!(
            "register exported to {}: 6 events, head {head}\n",
            file.display()
        )
    );
    // It holds the password hashes: its owner's alone, whatever the umask.
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{mode:o}");
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text.matches("\"type\":\"user\"").count(), 2);
    assert_eq!(text.matches("\"password_hash\":\"$argon2id$").count(), 2);
    assert!(!text.contains("long password"), "no password in the export");
    // Into the other backend (PostgreSQL only when a server is given).
    let sqlite;
    let postgres;
    let other: &dyn Backend = if b.name() == "sqlite" {
        match Postgres::new("register_export_then_import_elsewhere") {
            Some(p) => {
                postgres = p;
                &postgres
            }
            None => {
                sqlite = Sqlite::new();
                &sqlite
            }
        }
    } else {
        sqlite = Sqlite::new();
        &sqlite
    };
    let copy = other.setting();
    let said = ok(&with_reg(
        &copy,
        &["register", "import", file.to_str().unwrap()],
    ));
    // The two users, ann and tom, each agree with their events.
    assert!(
        said.ends_with(&format!(
            "2 lots agree with their events, 2 users agree with their events, audit trail of 6 events verified, head {head}\n"
        )),
        "{said}"
    );
    assert_eq!(head_of(&copy), head);
    // The same users, and each logs in with the same password: the hash came over verbatim.
    let users = ok(&with_reg(&path, &["user", "list"]));
    assert_eq!(ok(&with_reg(&copy, &["user", "list"])), users);
    assert!(users.contains("tom  technician (disabled)"), "{users}");
    let (from, to) = (b.open(), other.open());
    for (name, password) in [
        ("ann", "ann's long password"),
        ("tom", "tom's long password"),
    ] {
        let (user, hash) = to.user_login(name).unwrap().unwrap();
        assert_eq!(Some((user, hash.clone())), from.user_login(name).unwrap());
        assert!(
            stscalc::register::password::verify(password, &hash),
            "{name}"
        );
        assert!(!stscalc::register::password::verify(
            "not the password",
            &hash
        ));
    }
    assert!(!to.user_login("ann").unwrap().unwrap().0.disabled);
    drop((from, to));
    let again = dir.path().join("again.jsonl");
    ok(&with_reg(
        &copy,
        &["register", "export", "-o", again.to_str().unwrap()],
    ));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        std::fs::read_to_string(&again).unwrap()
    );
    // A second import is refused: the copy is no longer empty, and nothing is added.
    fails(
        &with_reg(&copy, &["register", "import", file.to_str().unwrap()]),
        &["is not empty"],
    );
    assert_eq!(head_of(&copy), head);
}

/// A wrong password or an unreachable server, from the command line: one line, exit 1, the
/// URL shown without its password, the password nowhere.
#[test]
fn register_postgres_bad_connection_is_one_line_without_the_password() {
    let Some(server) = crate::register_backends::postgres_server("cli_bad_connection") else {
        return;
    };
    // The test server's URL with another password: `scheme://user:PASSWORD@rest`.
    let (scheme_user, rest) = server.split_once('@').unwrap();
    let (scheme_user, _) = scheme_user.rsplit_once(':').unwrap();
    let wrong = format!("{scheme_user}:Wr0ngSecret42@{rest}");
    let e = fails(
        &["--register", &wrong, "lot", "list"],
        &["password authentication failed", "stscalc_test@"],
    );
    assert!(!e.contains("Wr0ngSecret42"), "{e}");
    // Nothing listens on port 1 of the loopback.
    let e = fails(
        &[
            "--register",
            "postgresql://ann:Wr0ngSecret42@127.0.0.1:1/pharmacy?connect_timeout=5",
            "lot",
            "list",
        ],
        &["cannot connect to the PostgreSQL server"],
    );
    assert!(!e.contains("Wr0ngSecret42"), "{e}");
}

/// An import that fails writes nothing: no empty register is left at the new path (it would
/// later open as a real, empty register).
#[test]
fn a_failed_import_leaves_no_register_behind() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, "{\"bad\": 1}\n").unwrap();
    let path = reg(&dir);
    fails(
        &with_reg(&path, &["register", "import", bad.to_str().unwrap()]),
        &["`import line 1`"],
    );
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("register.sqlite3"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
