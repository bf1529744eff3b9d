//! Benchmark of the batch register (issues 11 and 14), not a test: fills a register with
//! 1,000,000 lots, 5,000,000 component rows and 80,000 sessions (every tenth lot, rejected ones
//! excepted), then times what the commands will call.
//!
//! ```text
//! cargo run --release --example register_bench [PATH | postgres://…]
//! ```
//!
//! PATH (a new file) keeps the filled register; without it a temporary one is used and removed.
//! A `postgres://` URL names an empty PostgreSQL database to fill instead (its role must be a
//! superuser: the filler turns off foreign-key enforcement for its session); the PostgreSQL
//! filler loads the same rows with `COPY`. `STSCALC_BENCH_LOTS=N` fills N lots instead of a
//! million (5 N component rows).
//! The filler writes the rows with plain SQL in one transaction and **bypasses the audit
//! trail** (no events, foreign keys off): chaining a million events through the public API
//! would take hours and measures nothing the commands do. Every timed call goes through the
//! public [`RegisterStore`] interface on a fresh connection, as a command would.

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate};
use rusqlite::{params, Connection};
use stscalc::register::{
    audit, Bud, ComponentUse, Location, LotNumbering, NewLot, PostgresUrl, SqliteRegister,
};

/// The number of lots: a million, or `STSCALC_BENCH_LOTS`.
fn lots() -> u64 {
    std::env::var("STSCALC_BENCH_LOTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000)
}
const COMPONENTS_PER_LOT: u64 = 5;
const CODES: u64 = 10;
const PER_DAY: u64 = 50;
/// Each supplier lot of a component is used by this many batches.
const BATCHES_PER_SUPPLIER_LOT: u64 = 200;
const SESSION_EVERY: u64 = 10;
const SAMPLES: usize = 101;

const COMPONENT_IDS: [&str; COMPONENTS_PER_LOT as usize] =
    ["sts", "zinc-oxide", "petrolatum", "mineral-oil", "lanolin"];

/// A small deterministic generator (xorshift), so runs are comparable.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2021, 1, 1).unwrap()
}

/// Lot `i`'s code, date and sequence: 10 codes × 50 lots a day over 2,000 days.
fn lot_of(i: u64) -> (String, NaiveDate, u64) {
    let day = i / (CODES * PER_DAY);
    let code = (i / PER_DAY) % CODES;
    let seq = i % PER_DAY + 1;
    (format!("STS{}ZO", 10 + code), start() + Days::new(day), seq)
}

fn lot_number(i: u64) -> String {
    let (code, date, seq) = lot_of(i);
    format!("{code}-{}-{seq:02}", date.format("%Y%m%d"))
}

fn supplier_lot(component: usize, i: u64) -> String {
    format!(
        "{}-L{:05}",
        COMPONENT_IDS[component].to_uppercase(),
        i / BATCHES_PER_SUPPLIER_LOT
    )
}

const FORMULA: &str =
    "id = \"sts-25-zinc-oxide\"\nname = \"Sodium thiosulfate 25 % in zinc oxide paste\"\n";

fn plan_json(i: u64) -> String {
    // About 600 bytes, the size of a small ointment plan.
    format!(
        r#"{{"lot":"{}","components":[{}],"total":"100 g","rounding":"to the balance's 0.001 g","notes":"{}"}}"#,
        lot_number(i),
        COMPONENT_IDS
            .iter()
            .map(|c| format!(r#"{{"id":"{c}","to_weigh":"20.000 g","basis":"pentahydrate"}}"#))
            .collect::<Vec<_>>()
            .join(","),
        "x".repeat(200)
    )
}

fn fill(path: &std::path::Path) -> rusqlite::Result<()> {
    let total = lots();
    let c = Connection::open(path)?;
    c.execute_batch(
        "PRAGMA foreign_keys = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -200000; BEGIN;",
    )?;
    let formula_sha = audit::sha256_hex(FORMULA.as_bytes());
    c.execute(
        "INSERT INTO formulas (sha256, text) VALUES (?1, ?2)",
        params![formula_sha, FORMULA],
    )?;
    {
        let mut lot = c.prepare(
            "INSERT INTO lots (id, lot, scheme_code, seq, formula_id, compounded_on, bud_date, status, created_by, created_at, \
             request_json, plan_json, formula_sha256, templates_sha256, stscalc_version, event_seq) \
             VALUES (?1, ?2, ?3, ?4, 'sts-25-zinc-oxide', ?5, ?6, ?7, 'Ann Compounder', ?8, '{\"quantity\":\"100 g\"}', ?9, ?10, 'bench', '0.1.0', 0)",
        )?;
        let mut comp = c.prepare(
            "INSERT INTO lot_components (lot_id, component_id, lot, expiry) VALUES (?1, ?2, ?3, '2030-12-31')",
        )?;
        let mut session = c.prepare(
            "INSERT INTO sessions (lot_id, patient_id, session_date, doses_json, by_name, at, event_seq) \
             VALUES (?1, ?2, ?3, '{\"doses\":[{\"site\":\"calf\",\"volume\":\"0.5 mL\"}]}', 'Dr Nurse', ?4, 0)",
        )?;
        for i in 0..total {
            let (code, date, seq) = lot_of(i);
            let on = date.format("%Y-%m-%d").to_string();
            let bud = (date + Days::new(30)).format("%Y-%m-%d").to_string();
            let status = if i % 50 == 0 { "rejected" } else { "released" };
            let id = i as i64 + 1;
            lot.execute(params![
                id,
                lot_number(i),
                code,
                seq as i64,
                on,
                bud,
                status,
                format!("{on}T09:00:00.000000Z"),
                plan_json(i),
                formula_sha
            ])?;
            for (k, cid) in COMPONENT_IDS.iter().enumerate() {
                comp.execute(params![id, cid, supplier_lot(k, i)])?;
            }
            if i % SESSION_EVERY == 0 && status == "released" {
                let sdate = (date + Days::new(1)).format("%Y-%m-%d").to_string();
                session.execute(params![
                    id,
                    format!("P-{:06}", i % 7919),
                    sdate,
                    format!("{sdate}T10:00:00.000000Z")
                ])?;
            }
            if i % 100_000 == 0 {
                eprint!("\r  filling: {i} lots");
            }
        }
    }
    c.execute_batch("COMMIT; ANALYZE;")?;
    eprintln!("\r  filling: {total} lots, done");
    Ok(())
}

/// The same rows into PostgreSQL, with `COPY` (text format: no value here holds a tab, a
/// newline or a backslash).
fn fill_postgres(url: &str) -> Result<(), postgres::Error> {
    let total = lots();
    let mut c: postgres::Client = url.parse::<postgres::Config>()?.connect(postgres::NoTls)?;
    c.batch_execute("SET session_replication_role = replica; SET synchronous_commit = off;")?;
    let formula_sha = audit::sha256_hex(FORMULA.as_bytes());
    c.execute(
        "INSERT INTO formulas (sha256, text) VALUES ($1, $2)",
        &[&formula_sha, &FORMULA],
    )?;
    let chunk = 100_000;
    let mut i = 0;
    while i < total {
        let end = (i + chunk).min(total);
        let mut tx = c.transaction()?;
        {
            let mut lots = tx.copy_in(
                "COPY lots (id, lot, scheme_code, seq, formula_id, compounded_on, bud_date, status, created_by, created_at, \
                 request_json, plan_json, formula_sha256, templates_sha256, stscalc_version, event_seq) FROM STDIN",
            )?;
            for i in i..end {
                let (code, date, seq) = lot_of(i);
                let on = date.format("%Y-%m-%d");
                let bud = (date + Days::new(30)).format("%Y-%m-%d");
                let status = if i % 50 == 0 { "rejected" } else { "released" };
                writeln!(
                    lots,
                    "{}\t{}\t{code}\t{seq}\tsts-25-zinc-oxide\t{on}\t{bud}\t{status}\tAnn Compounder\t{on}T09:00:00.000000Z\t{{\"quantity\":\"100 g\"}}\t{}\t{formula_sha}\tbench\t0.1.0\t0",
                    i + 1,
                    lot_number(i),
                    plan_json(i)
                )
                .unwrap();
            }
            lots.finish()?;
        }
        {
            let mut comps =
                tx.copy_in("COPY lot_components (lot_id, component_id, lot, expiry) FROM STDIN")?;
            for i in i..end {
                for (k, cid) in COMPONENT_IDS.iter().enumerate() {
                    writeln!(
                        comps,
                        "{}\t{cid}\t{}\t2030-12-31",
                        i + 1,
                        supplier_lot(k, i)
                    )
                    .unwrap();
                }
            }
            comps.finish()?;
        }
        {
            let mut sessions = tx.copy_in(
                "COPY sessions (lot_id, patient_id, session_date, doses_json, by_name, at, event_seq) FROM STDIN",
            )?;
            for i in (i..end).filter(|i| i % SESSION_EVERY == 0 && i % 50 != 0) {
                let (_, date, _) = lot_of(i);
                let sdate = (date + Days::new(1)).format("%Y-%m-%d");
                writeln!(
                    sessions,
                    "{}\tP-{:06}\t{sdate}\t{{\"doses\":[{{\"site\":\"calf\",\"volume\":\"0.5 mL\"}}]}}\tDr Nurse\t{sdate}T10:00:00.000000Z\t0",
                    i + 1,
                    i % 7919
                )
                .unwrap();
            }
            sessions.finish()?;
        }
        tx.commit()?;
        i = end;
        eprint!("\r  filling: {i} lots");
    }
    // The identity columns go on after the ids written here.
    c.batch_execute(
        "SELECT setval(pg_get_serial_sequence('lots', 'id'), (SELECT max(id) FROM lots)); \
         SELECT setval(pg_get_serial_sequence('sessions', 'id'), (SELECT coalesce(max(id), 1) FROM sessions));",
    )?;
    c.batch_execute("VACUUM ANALYZE")?;
    eprintln!("\r  filling: {total} lots, done");
    Ok(())
}

fn stats(name: &str, mut t: Vec<Duration>) {
    t.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:<38} median {:>7.3} ms   p95 {:>7.3} ms   max {:>7.3} ms   ({} runs)",
        ms(t[t.len() / 2]),
        ms(t[t.len() * 95 / 100]),
        ms(t[t.len() - 1]),
        t.len()
    );
}

fn main() {
    let arg = std::env::args().nth(1);
    let dir = tempfile::tempdir_in(std::env::var_os("TMPDIR").unwrap_or_else(|| "/tmp".into()))
        .expect("a temporary folder");
    let total = lots();
    let location = match arg.as_deref().and_then(PostgresUrl::parse) {
        Some(url) => Location::Postgres(url),
        None => Location::Sqlite(
            arg.map(PathBuf::from)
                .unwrap_or_else(|| dir.path().join("bench.sqlite3")),
        ),
    };
    let open = || stscalc::register::open(&location).expect("the register");
    let t = Instant::now();
    match &location {
        Location::Sqlite(path) => {
            assert!(!path.exists(), "{} exists: give a new path", path.display());
            drop(SqliteRegister::open(path).expect("a new register"));
            fill(path).expect("the filler");
        }
        Location::Postgres(url) => {
            let r = open();
            assert!(
                r.audit(None).unwrap().is_empty()
                    && r.list(&Default::default()).unwrap().is_empty(),
                "{url}: give an empty database"
            );
            drop(r);
            fill_postgres(url.expose()).expect("the filler");
        }
    }
    let fill_time = t.elapsed();
    let size = match &location {
        Location::Sqlite(path) => {
            let mib = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) as f64 / 1048576.0;
            format!("file {mib:.0} MiB")
        }
        Location::Postgres(url) => {
            let mut c: postgres::Client = url
                .expose()
                .parse::<postgres::Config>()
                .unwrap()
                .connect(postgres::NoTls)
                .unwrap();
            let bytes: i64 = c
                .query_one("SELECT pg_database_size(current_database())", &[])
                .unwrap()
                .get(0);
            format!("database {:.0} MiB", bytes as f64 / 1048576.0)
        }
    };
    println!(
        "{}: filled {total} lots, {} component rows, {} sessions in {:.1} s; {size}",
        match &location {
            Location::Sqlite(_) => "SQLite",
            Location::Postgres(_) => "PostgreSQL",
        },
        total * COMPONENTS_PER_LOT,
        (0..total)
            .filter(|i| i % SESSION_EVERY == 0 && i % 50 != 0)
            .count(),
        fill_time.as_secs_f64(),
    );

    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut recall = Vec::new();
    let mut recall_open = Vec::new();
    let mut hits = 0;
    let mut reg = open();
    for _ in 0..SAMPLES {
        let i = rng.below(total);
        let k = rng.below(COMPONENTS_PER_LOT) as usize;
        let t = Instant::now();
        let found = reg
            .recall_component(COMPONENT_IDS[k], &supplier_lot(k, i))
            .unwrap();
        recall.push(t.elapsed());
        hits = found.len();
        assert!(found.iter().any(|h| h.lot.lot == lot_number(i)));
        let t = Instant::now();
        let fresh = open();
        fresh
            .recall_component(COMPONENT_IDS[k], &supplier_lot(k, i))
            .unwrap();
        recall_open.push(t.elapsed());
    }
    stats(&format!("recall by component ({hits} lots)"), recall);
    stats("recall, with opening the register", recall_open);

    let mut show = Vec::new();
    let mut show_open = Vec::new();
    for _ in 0..SAMPLES {
        let lot = lot_number(rng.below(total));
        let t = Instant::now();
        let d = reg.lot(&lot).unwrap();
        show.push(t.elapsed());
        assert_eq!(d.components.len(), COMPONENTS_PER_LOT as usize);
        let t = Instant::now();
        open().lot(&lot).unwrap();
        show_open.push(t.elapsed());
    }
    stats("lot detail (show)", show);
    stats("lot detail, with opening the register", show_open);

    let mut new = Vec::new();
    let mut new_open = Vec::new();
    for n in 0..SAMPLES {
        let lot = NewLot {
            formula_id: "sts-25-zinc-oxide".into(),
            numbering: LotNumbering::Scheme {
                code: "STS25ZO".into(),
            },
            compounded_on: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap() + Days::new(n as u64 / 90),
            compounded_time: None,
            request_json: r#"{"quantity":"100 g"}"#.into(),
            plan_json: plan_json(n as u64),
            formula_text: FORMULA.into(),
            formula_sha256: audit::sha256_hex(FORMULA.as_bytes()),
            templates_sha256: "bench".into(),
            stscalc_version: "0.1.0".into(),
            by: "Ann Compounder".into(),
            components: COMPONENT_IDS
                .iter()
                .map(|c| ComponentUse {
                    component_id: c.to_string(),
                    lot: "NEW-1".into(),
                    expiry: None,
                })
                .collect(),
            bud: Bud {
                date: NaiveDate::from_ymd_opt(2027, 6, 1).unwrap(),
                time: None,
            },
        };
        if n % 2 == 0 {
            let t = Instant::now();
            reg.new_lot(&lot).unwrap();
            new.push(t.elapsed());
        } else {
            let t = Instant::now();
            open().new_lot(&lot).unwrap();
            new_open.push(t.elapsed());
        }
    }
    stats("new lot (one durable transaction)", new);
    stats("new lot, with opening the register", new_open);
    let t = Instant::now();
    let head = reg.verify_audit(None).unwrap();
    println!(
        "audit verify of the {} events written through the interface: {:.3} ms",
        head.events,
        t.elapsed().as_secs_f64() * 1000.0
    );
}
