//! The PostgreSQL backend of the register (issue 14): for a pharmacy whose benches, release
//! desk and web app share one register. The same schema versions, tables and columns as the
//! SQLite file ([`super::schema::PG_MIGRATIONS`]), the same rules ([`super::rules`]) and the
//! same audit chain ([`super::audit`]).
//!
//! The client is the synchronous `postgres` crate: the [`super::RegisterStore`] trait is
//! synchronous, one command makes a handful of round trips, and the sync client keeps the code
//! shaped like the SQLite backend's (it runs its own small runtime inside; no async leaks out).
//!
//! Every change is one transaction that starts with `LOCK TABLE audit IN EXCLUSIVE MODE`: one
//! writer at a time, on every machine, while readers go on (the mode lets `SELECT` through).
//! Under that lock the transaction reads the head of the chain and the day's last sequence with
//! fresh snapshots (read committed), so the chain stays one chain and no two lots get the same
//! number; the unique indexes on `lot` and `(scheme_code, compounded_on, seq)` would refuse a
//! duplicate anyway. A lot is reported only after `COMMIT` returns, and PostgreSQL's commit is
//! durable (`synchronous_commit` on, its default), so a server restarted at any point keeps
//! every lot that was reported. Reads that must see one moment (`verify_audit`, `check`) run
//! in a read-only repeatable-read transaction.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;

use postgres::error::SqlState;
use postgres::{Client, GenericClient, IsolationLevel, Row};

use super::audit::{self, sha256_hex, GENESIS};
use super::pgconn::{cause, PostgresUrl, Target};
use super::rules::*;
use super::schema::{LATEST, PG_MIGRATIONS};
use super::transfer::{Dump, ExportedLot};
use super::{
    AuditEvent, AuditHead, CheckReport, ComponentUse, Error, LotCreated, LotDetail, LotFilter,
    LotNumbering, LotSummary, NewLot, RecallHit, Rejection, RejectionRow, Release, ReleaseRow,
    Result, SessionRecord, SessionRow, Status, Verification, VerificationRow,
};

/// The key of the advisory lock that serialises migrations (any fixed number: "stscalc" in
/// ASCII).
const MIGRATION_LOCK: i64 = 0x0073_7473_6361_6c63;

/// The register in a PostgreSQL database (its current schema, usually `public`).
pub struct PostgresRegister {
    client: RefCell<Client>,
    target: Target,
}

impl std::fmt::Debug for PostgresRegister {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresRegister")
            .field("register", &self.target.shown)
            .finish()
    }
}

const EVENT_COLUMNS: &str = "seq, at, actor, action, lot, data, prev_hash, hash";
const SUMMARY_COLUMNS: &str =
    "l.lot, l.formula_id, l.compounded_on, l.bud_date, l.bud_time, l.status, l.created_by, l.created_at";

fn event_from_row(r: &Row) -> AuditEvent {
    let lot: String = r.get(4);
    AuditEvent {
        seq: r.get::<_, i64>(0) as u64,
        at: r.get(1),
        actor: r.get(2),
        action: r.get(3),
        lot: (!lot.is_empty()).then_some(lot),
        data_json: r.get(5),
        prev_hash: r.get(6),
        hash: r.get(7),
    }
}

fn summary_raw(r: &Row, at: usize) -> SummaryRaw {
    (
        r.get(at),
        r.get(at + 1),
        r.get(at + 2),
        r.get(at + 3),
        r.get(at + 4),
        r.get(at + 5),
        r.get(at + 6),
        r.get(at + 7),
    )
}

/// Maps a PostgreSQL error to the register's: one line, without the password.
fn pg_error(target: &Target, e: postgres::Error) -> Error {
    let network = std::error::Error::source(&e).is_some_and(|c| c.is::<std::io::Error>());
    if e.is_closed() || network {
        return Error::Database(format!(
            "register `{}`: the connection to the server was lost before the server confirmed anything ({})",
            target.shown,
            target.scrub(&cause(&e))
        ));
    }
    match e.code() {
        Some(c) if *c == SqlState::READ_ONLY_SQL_TRANSACTION => {
            Error::ReadOnly(target.shown.clone())
        }
        Some(c) if *c == SqlState::INSUFFICIENT_PRIVILEGE => Error::Database(format!(
            "register `{}`: permission denied, nothing was written ({})",
            target.shown,
            target.scrub(&cause(&e))
        )),
        _ => Error::Database(format!(
            "register `{}`: {}",
            target.shown,
            target.scrub(&cause(&e))
        )),
    }
}

impl PostgresRegister {
    /// Connects to the register at `url` (settings completed from the `PG*` environment
    /// variables), creating its tables on first use and bringing its schema up to date.
    /// Refuses, before writing anything, a database whose schema is newer than this stscalc's
    /// and one that holds other tables than a register's.
    pub fn open(url: &PostgresUrl) -> Result<PostgresRegister> {
        Self::open_with_env(url, |k| std::env::var(k).ok())
    }

    /// [`PostgresRegister::open`] reading the environment through `env`.
    pub fn open_with_env(
        url: &PostgresUrl,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<PostgresRegister> {
        let target = Target::new(url, env)?;
        let mut client = target.connect()?;
        // A writer waits for another at most this long, like SQLite's busy timeout.
        client
            .batch_execute("SET lock_timeout = '30s'; SET synchronous_commit = on;")
            .map_err(|e| pg_error(&target, e))?;
        let reg = PostgresRegister {
            client: RefCell::new(client),
            target,
        };
        reg.migrate()?;
        Ok(reg)
    }

    /// The register's name in messages: its URL without the password.
    pub fn name(&self) -> &str {
        &self.target.shown
    }

    fn err(&self) -> impl Fn(postgres::Error) -> Error + '_ {
        move |e| pg_error(&self.target, e)
    }

    /// The schema version (0 for a database without a register) and whether the current
    /// schema holds any table, read in one statement so at one moment.
    fn version_and_tables(&self, c: &mut impl GenericClient) -> Result<(u32, i64)> {
        let row = c
            .query_one(
                "SELECT to_regclass('stscalc_schema') IS NOT NULL, \
                 (SELECT count(*) FROM pg_class k JOIN pg_namespace n ON n.oid = k.relnamespace \
                  WHERE n.nspname = current_schema() AND k.relkind IN ('r', 'p', 'v', 'm'))",
                &[],
            )
            .map_err(self.err())?;
        let has: bool = row.get(0);
        let tables: i64 = row.get(1);
        if !has {
            return Ok((0, tables));
        }
        let v: Option<i64> = c
            .query_opt("SELECT version FROM stscalc_schema", &[])
            .map_err(self.err())?
            .map(|r| r.get(0));
        Ok((v.unwrap_or(0) as u32, tables))
    }

    /// Applies every step newer than the register's version, each in one transaction holding
    /// an advisory lock, re-reading the version inside it (another machine may have just done
    /// the step).
    fn migrate(&self) -> Result<()> {
        let mut c = self.client.borrow_mut();
        let (version, tables) = self.version_and_tables(&mut *c)?;
        if version > LATEST {
            return Err(Error::NewerSchema {
                path: self.target.shown.clone(),
                found: version,
                supported: LATEST,
            });
        }
        if version == 0 && tables > 0 {
            return Err(Error::NotARegister(self.target.shown.clone()));
        }
        for step in PG_MIGRATIONS {
            if version >= step.version {
                continue;
            }
            let mut tx = c.transaction().map_err(self.err())?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
                .map_err(self.err())?;
            let (now, tables) = self.version_and_tables(&mut tx)?;
            if now >= step.version {
                continue;
            }
            if now == 0 && tables > 0 {
                return Err(Error::NotARegister(self.target.shown.clone()));
            }
            tx.batch_execute(
                "CREATE TABLE IF NOT EXISTS stscalc_schema (\
                   one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one), version BIGINT NOT NULL)",
            )
            .map_err(self.err())?;
            tx.batch_execute(step.sql).map_err(self.err())?;
            tx.execute(
                "INSERT INTO stscalc_schema (one, version) VALUES (TRUE, $1) \
                 ON CONFLICT (one) DO UPDATE SET version = EXCLUDED.version",
                &[&(step.version as i64)],
            )
            .map_err(self.err())?;
            tx.commit().map_err(self.err())?;
        }
        Ok(())
    }

    /// A write transaction holding the one-writer lock.
    fn write_tx<'a>(&self, c: &'a mut Client) -> Result<postgres::Transaction<'a>> {
        let mut tx = c.transaction().map_err(self.err())?;
        tx.batch_execute("LOCK TABLE audit IN EXCLUSIVE MODE")
            .map_err(self.err())?;
        Ok(tx)
    }

    /// A read-only transaction that sees one moment.
    fn snapshot<'a>(&self, c: &'a mut Client) -> Result<postgres::Transaction<'a>> {
        c.build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(self.err())
    }

    fn lot_state(&self, c: &mut impl GenericClient, lot: &str) -> Result<LotState> {
        let row = c
            .query_opt(
                "SELECT id, status, created_by, compounded_on, bud_date, bud_time FROM lots WHERE lot = $1",
                &[&lot],
            )
            .map_err(self.err())?
            .ok_or_else(|| Error::UnknownLot(lot.to_string()))?;
        Ok(LotState {
            id: row.get(0),
            status: parse_status(row.get(1))?,
            created_by: row.get(2),
            compounded_on: parse_date(row.get(3))?,
            bud: super::Bud {
                date: parse_date(row.get(4))?,
                time: parse_time(row.get(5))?,
            },
        })
    }

    /// Appends one event after the current head, inside a write transaction (which holds the
    /// lock, so the chain has one head whatever runs at the same time).
    fn append_event(
        &self,
        c: &mut impl GenericClient,
        actor: &str,
        action: &str,
        lot: &str,
        data: &str,
    ) -> Result<AuditEvent> {
        let last = c
            .query_opt("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", &[])
            .map_err(self.err())?;
        let (last_seq, prev_hash) = last
            .map(|r| (r.get::<_, i64>(0), r.get::<_, String>(1)))
            .unwrap_or((0, GENESIS.to_string()));
        let seq = last_seq as u64 + 1;
        let at = now_text();
        let hash = audit::event_hash(&prev_hash, seq, &at, actor, action, lot, data);
        c.execute(
            "INSERT INTO audit (seq, at, actor, action, lot, data, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[&(seq as i64), &at, &actor, &action, &lot, &data, &prev_hash, &hash],
        )
        .map_err(self.err())?;
        Ok(AuditEvent {
            seq,
            at,
            actor: actor.to_string(),
            action: action.to_string(),
            lot: (!lot.is_empty()).then(|| lot.to_string()),
            data_json: data.to_string(),
            prev_hash,
            hash,
        })
    }

    fn components_of(&self, c: &mut impl GenericClient, lot_id: i64) -> Result<Vec<ComponentUse>> {
        c.query(
            "SELECT component_id, lot, expiry FROM lot_components WHERE lot_id = $1 ORDER BY component_id",
            &[&lot_id],
        )
        .map_err(self.err())?
        .iter()
        .map(|r| {
            Ok(ComponentUse {
                component_id: r.get(0),
                lot: r.get(1),
                expiry: r.get::<_, Option<&str>>(2).map(parse_date).transpose()?,
            })
        })
        .collect()
    }

    fn sessions_of(
        &self,
        c: &mut impl GenericClient,
        lot_id: i64,
        lot: &str,
    ) -> Result<Vec<SessionRow>> {
        c.query(
            "SELECT patient_id, session_date, doses_json, by_name, at FROM sessions WHERE lot_id = $1 ORDER BY session_date, id",
            &[&lot_id],
        )
        .map_err(self.err())?
        .iter()
        .map(|r| {
            Ok(SessionRow {
                lot: lot.to_string(),
                patient_id: r.get(0),
                date: parse_date(r.get(1))?,
                doses_json: r.get(2),
                by: r.get(3),
                at: r.get(4),
            })
        })
        .collect()
    }

    fn events(&self, c: &mut impl GenericClient, lot: Option<&str>) -> Result<Vec<AuditEvent>> {
        let rows = match lot {
            Some(lot) => c.query(
                &format!("SELECT {EVENT_COLUMNS} FROM audit WHERE lot = $1 ORDER BY seq"),
                &[&lot],
            ),
            None => c.query(
                &format!("SELECT {EVENT_COLUMNS} FROM audit ORDER BY seq"),
                &[],
            ),
        }
        .map_err(self.err())?;
        Ok(rows.iter().map(event_from_row).collect())
    }

    /// Reads the audit rows in order and verifies the chain.
    fn chain(&self, c: &mut impl GenericClient, expected_head: Option<&str>) -> Result<AuditHead> {
        let events = self.events(c, None)?;
        audit::verify_chain(events.into_iter().map(Ok), expected_head)
    }

    /// Checks every row of the tables against the audit event that wrote it, and every lot's
    /// status against the status its events give (as the SQLite backend does). Returns the
    /// number of lots.
    fn check_rows(&self, c: &mut impl GenericClient) -> Result<u64> {
        let bad = |what: String| Err(Error::Inconsistent(what));
        let mut replayed: HashMap<String, Status> = HashMap::new();
        let mut counts: HashMap<String, u64> = HashMap::new();
        for r in c
            .query("SELECT seq, action, lot, data FROM audit ORDER BY seq", &[])
            .map_err(self.err())?
        {
            let action: String = r.get(1);
            *counts.entry(action.clone()).or_default() += 1;
            if let Some(s) = replayed_status(r.get(0), &action, r.get(3))? {
                replayed.insert(r.get(2), s);
            }
        }

        let mut lots: u64 = 0;
        let rows = c
            .query(
                "SELECT l.id, l.lot, l.seq, l.formula_id, l.compounded_on, l.compounded_time, l.bud_date, l.bud_time, \
                        l.request_json, l.plan_json, l.formula_sha256, l.templates_sha256, l.stscalc_version, l.status, \
                        l.created_by, l.created_at, l.event_seq, a.action, a.lot, a.actor, a.at, a.data, \
                        f.sha256, f.text \
                 FROM lots l LEFT JOIN audit a ON a.seq = l.event_seq \
                 LEFT JOIN formulas f ON f.sha256 = l.formula_sha256 ORDER BY l.id",
                &[],
            )
            .map_err(self.err())?;
        for r in rows {
            let g = |i| r.get::<_, Option<String>>(i);
            let id: i64 = r.get(0);
            let lot = g(1).unwrap_or_default();
            let seq: Option<i64> = r.get(2);
            let components = self.components_of(c, id)?;
            let expected = to_json(&LotNewData {
                lot: &lot,
                sequence: seq.map(|s| s as u32),
                formula_id: &g(3).unwrap_or_default(),
                compounded_on: g(4).unwrap_or_default(),
                compounded_time: g(5),
                bud_date: g(6).unwrap_or_default(),
                bud_time: g(7),
                components: component_data(&components),
                request_sha256: sha256_hex(g(8).unwrap_or_default().as_bytes()),
                plan_sha256: sha256_hex(g(9).unwrap_or_default().as_bytes()),
                formula_sha256: &g(10).unwrap_or_default(),
                templates_sha256: &g(11).unwrap_or_default(),
                stscalc_version: &g(12).unwrap_or_default(),
            });
            let event = (g(17), g(18), g(19), g(20), g(21));
            let created = (g(14), g(15));
            let ok = event.0.as_deref() == Some("lot.new")
                && event.1.as_deref() == Some(lot.as_str())
                && event.2 == created.0
                && event.3 == created.1
                && event.4.as_deref() == Some(expected.as_str());
            if !ok {
                return bad(format!(
                    "lot `{lot}` differs from its audit event {}: the lot's row was changed",
                    r.get::<_, i64>(16)
                ));
            }
            let stored_formula = g(10).unwrap_or_default();
            if g(23).map(|t| sha256_hex(t.as_bytes())).as_deref() != Some(stored_formula.as_str()) {
                return bad(format!(
                    "lot `{lot}`: the stored formula text does not match its SHA-256"
                ));
            }
            let status = g(13).unwrap_or_default();
            if replayed.remove(&lot).map(Status::as_str) != Some(status.as_str()) {
                return bad(format!(
                    "lot `{lot}`: its status `{status}` is not what its audit events give"
                ));
            }
            lots += 1;
        }
        if let Some(lot) = replayed.keys().next() {
            return bad(format!(
                "lot `{lot}` has audit events but no row: it was deleted"
            ));
        }

        self.check_event_rows(c, &counts)?;
        Ok(lots)
    }

    /// Checks the verification, release, rejection and session rows: each rebuilds its
    /// audit event's data and actor, and each action has as many rows as events.
    fn check_event_rows(
        &self,
        c: &mut impl GenericClient,
        counts: &HashMap<String, u64>,
    ) -> Result<()> {
        let bad = |what: String| Err(Error::Inconsistent(what));
        let tables: [(&str, &str, &str); 4] = [
            (
                "lot.verify",
                "SELECT l.lot, v.event_seq, v.by_name, v.at, v.passed, v.data_json, NULL::text, NULL::text FROM verifications v JOIN lots l ON l.id = v.lot_id",
                "verification",
            ),
            (
                "lot.release",
                "SELECT l.lot, r.event_seq, r.by_name, r.at, 0::bigint, r.checked_by, NULL::text, NULL::text FROM releases r JOIN lots l ON l.id = r.lot_id",
                "release",
            ),
            (
                "lot.reject",
                "SELECT l.lot, r.event_seq, r.by_name, r.at, 0::bigint, r.reason, NULL::text, NULL::text FROM rejections r JOIN lots l ON l.id = r.lot_id",
                "rejection",
            ),
            (
                "session.record",
                "SELECT l.lot, s.event_seq, s.by_name, s.at, 0::bigint, s.doses_json, s.patient_id, s.session_date FROM sessions s JOIN lots l ON l.id = s.lot_id",
                "session",
            ),
        ];
        for (action, sql, what) in tables {
            let rows = c.query(sql, &[]).map_err(self.err())?;
            let n = rows.len() as u64;
            for r in rows {
                let lot: String = r.get(0);
                let seq: i64 = r.get(1);
                let by: String = r.get(2);
                let at: String = r.get(3);
                let text: String = r.get(5);
                let patient: Option<String> = r.get(6);
                let date: Option<String> = r.get(7);
                let other = if action == "lot.release" {
                    (by.as_str(), "")
                } else {
                    (
                        patient.as_deref().unwrap_or(""),
                        date.as_deref().unwrap_or(""),
                    )
                };
                let data = row_event_data(action, r.get::<_, i64>(4) == 1, &text, other);
                let event = c
                    .query_opt(
                        "SELECT action, lot, actor, at, data FROM audit WHERE seq = $1",
                        &[&seq],
                    )
                    .map_err(self.err())?
                    .map(|e| {
                        (
                            e.get::<_, String>(0),
                            e.get::<_, String>(1),
                            e.get::<_, String>(2),
                            e.get::<_, String>(3),
                            e.get::<_, String>(4),
                        )
                    });
                if event != Some((action.to_string(), lot.clone(), by, at, data)) {
                    return bad(format!(
                        "the {what} of lot `{lot}` differs from its audit event {seq}: the row was changed"
                    ));
                }
            }
            let events = counts.get(action).copied().unwrap_or(0);
            if events != n {
                return bad(format!(
                    "{events} {action} events but {n} {what} rows: rows were added or deleted"
                ));
            }
        }
        Ok(())
    }

    /// Writes one exported lot and its rows (inside the import's transaction).
    fn import_lot(&self, c: &mut impl GenericClient, l: &ExportedLot) -> Result<()> {
        c.execute(
            "INSERT INTO formulas (sha256, text) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING",
            &[&l.formula_sha256, &l.formula_text],
        )
        .map_err(self.err())?;
        let id: i64 = c
            .query_one(
                "INSERT INTO lots (lot, scheme_code, seq, formula_id, compounded_on, compounded_time, bud_date, bud_time, status, \
                 created_by, created_at, request_json, plan_json, formula_sha256, templates_sha256, stscalc_version, event_seq) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id",
                &[
                    &l.lot,
                    &l.scheme_code,
                    &l.sequence.map(i64::from),
                    &l.formula_id,
                    &l.compounded_on,
                    &l.compounded_time,
                    &l.bud_date,
                    &l.bud_time,
                    &l.status,
                    &l.created_by,
                    &l.created_at,
                    &l.request_json,
                    &l.plan_json,
                    &l.formula_sha256,
                    &l.templates_sha256,
                    &l.stscalc_version,
                    &(l.event_seq as i64),
                ],
            )
            .map_err(self.err())?
            .get(0);
        for comp in &l.components {
            c.execute(
                "INSERT INTO lot_components (lot_id, component_id, lot, expiry) VALUES ($1, $2, $3, $4)",
                &[&id, &comp.component_id, &comp.lot, &comp.expiry],
            )
            .map_err(self.err())?;
        }
        if let Some(v) = &l.verification {
            c.execute(
                "INSERT INTO verifications (lot_id, passed, data_json, by_name, at, event_seq) VALUES ($1, $2, $3, $4, $5, $6)",
                &[&id, &(v.passed as i64), &v.data_json, &v.by, &v.at, &(v.event_seq as i64)],
            )
            .map_err(self.err())?;
        }
        if let Some(r) = &l.release {
            c.execute(
                "INSERT INTO releases (lot_id, by_name, checked_by, at, event_seq) VALUES ($1, $2, $3, $4, $5)",
                &[&id, &r.by, &r.checked_by, &r.at, &(r.event_seq as i64)],
            )
            .map_err(self.err())?;
        }
        if let Some(r) = &l.rejection {
            c.execute(
                "INSERT INTO rejections (lot_id, by_name, reason, at, event_seq) VALUES ($1, $2, $3, $4, $5)",
                &[&id, &r.by, &r.reason, &r.at, &(r.event_seq as i64)],
            )
            .map_err(self.err())?;
        }
        for s in &l.sessions {
            c.execute(
                "INSERT INTO sessions (lot_id, patient_id, session_date, doses_json, by_name, at, event_seq) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[&id, &s.patient_id, &s.date, &s.doses_json, &s.by, &s.at, &(s.event_seq as i64)],
            )
            .map_err(self.err())?;
        }
        Ok(())
    }
}

impl super::RegisterStore for PostgresRegister {
    fn new_lot(&mut self, new: &NewLot) -> Result<LotCreated> {
        let valid = validate_new_lot(new)?;
        let mut c = self.client.borrow_mut();
        let mut tx = self.write_tx(&mut c)?;
        let on = date_text(new.compounded_on);
        let (lot, code, sequence) = match &new.numbering {
            LotNumbering::Scheme { code } => {
                let code = scheme_code(code)?;
                let max: Option<i64> = tx
                    .query_one(
                        "SELECT max(seq) FROM lots WHERE scheme_code = $1 AND compounded_on = $2",
                        &[&code, &on],
                    )
                    .map_err(self.err())?
                    .get(0);
                let mut n = max.unwrap_or(0) as u32 + 1;
                // A number given by the user may already have the scheme's form: skip it.
                let number = loop {
                    let number = scheme_number(&code, new.compounded_on, n)?;
                    let taken: bool = tx
                        .query_one(
                            "SELECT EXISTS (SELECT 1 FROM lots WHERE lot = $1)",
                            &[&number],
                        )
                        .map_err(self.err())?
                        .get(0);
                    if !taken {
                        break number;
                    }
                    n += 1;
                };
                (number, Some(code), Some(n))
            }
            LotNumbering::Given(l) => {
                let l = given_lot(l)?;
                let taken: bool = tx
                    .query_one("SELECT EXISTS (SELECT 1 FROM lots WHERE lot = $1)", &[&l])
                    .map_err(self.err())?
                    .get(0);
                if taken {
                    return Err(Error::DuplicateLot(l));
                }
                (l, None, None)
            }
        };
        let data = lot_new_data(new, &valid, &lot, sequence);
        let event = self.append_event(&mut tx, &valid.by, "lot.new", &lot, &data)?;
        tx.execute(
            "INSERT INTO formulas (sha256, text) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING",
            &[&valid.formula_sha256, &new.formula_text],
        )
        .map_err(self.err())?;
        let id: i64 = tx
            .query_one(
                "INSERT INTO lots (lot, scheme_code, seq, formula_id, compounded_on, compounded_time, bud_date, bud_time, status, \
                 created_by, created_at, request_json, plan_json, formula_sha256, templates_sha256, stscalc_version, event_seq) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'in_preparation', $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
                &[
                    &lot,
                    &code,
                    &sequence.map(i64::from),
                    &valid.formula_id,
                    &on,
                    &new.compounded_time.map(time_text),
                    &date_text(new.bud.date),
                    &new.bud.time.map(time_text),
                    &valid.by,
                    &event.at,
                    &new.request_json,
                    &new.plan_json,
                    &valid.formula_sha256,
                    &valid.templates_sha256,
                    &valid.version,
                    &(event.seq as i64),
                ],
            )
            .map_err(self.err())?
            .get(0);
        let stmt = tx
            .prepare("INSERT INTO lot_components (lot_id, component_id, lot, expiry) VALUES ($1, $2, $3, $4)")
            .map_err(self.err())?;
        for comp in &valid.components {
            tx.execute(
                &stmt,
                &[
                    &id,
                    &comp.component_id,
                    &comp.lot,
                    &comp.expiry.map(date_text),
                ],
            )
            .map_err(self.err())?;
        }
        tx.commit().map_err(self.err())?;
        Ok(LotCreated {
            lot,
            sequence,
            at: event.at,
            event_seq: event.seq,
        })
    }

    fn verify(&mut self, v: &Verification) -> Result<AuditEvent> {
        let by = person("by", &v.by)?;
        json("data_json", &v.data_json)?;
        let lot = v.lot.trim();
        let mut c = self.client.borrow_mut();
        let mut tx = self.write_tx(&mut c)?;
        let state = self.lot_state(&mut tx, lot)?;
        may_verify(lot, &state)?;
        let data = row_event_data("lot.verify", v.passed, &v.data_json, ("", ""));
        let event = self.append_event(&mut tx, &by, "lot.verify", lot, &data)?;
        tx.execute(
            "INSERT INTO verifications (lot_id, passed, data_json, by_name, at, event_seq) VALUES ($1, $2, $3, $4, $5, $6)",
            &[&state.id, &(v.passed as i64), &v.data_json, &by, &event.at, &(event.seq as i64)],
        )
        .map_err(self.err())?;
        let status = if v.passed {
            Status::VerifiedPass
        } else {
            Status::VerifiedFail
        };
        tx.execute(
            "UPDATE lots SET status = $1 WHERE id = $2",
            &[&status.as_str(), &state.id],
        )
        .map_err(self.err())?;
        tx.commit().map_err(self.err())?;
        Ok(event)
    }

    fn release(&mut self, r: &Release) -> Result<AuditEvent> {
        let valid = validate_release(r)?;
        let (by, checker) = (&valid.by, &valid.checked_by);
        let lot = r.lot.trim();
        let mut c = self.client.borrow_mut();
        let mut tx = self.write_tx(&mut c)?;
        let state = self.lot_state(&mut tx, lot)?;
        let releaser = match valid.authenticated {
            true => self.user_with_hash(&mut tx, by)?.map(|(u, _)| u),
            false => None,
        };
        may_release(lot, &state, &valid, releaser.as_ref())?;
        let data = row_event_data("lot.release", false, checker, (by, ""));
        let event = self.append_event(&mut tx, by, "lot.release", lot, &data)?;
        tx.execute(
            "INSERT INTO releases (lot_id, by_name, checked_by, at, event_seq) VALUES ($1, $2, $3, $4, $5)",
            &[&state.id, &by, &checker, &event.at, &(event.seq as i64)],
        )
        .map_err(self.err())?;
        tx.execute(
            "UPDATE lots SET status = 'released' WHERE id = $1",
            &[&state.id],
        )
        .map_err(self.err())?;
        tx.commit().map_err(self.err())?;
        Ok(event)
    }

    fn reject(&mut self, r: &Rejection) -> Result<AuditEvent> {
        let by = person("by", &r.by)?;
        let reason = text("reason", &r.reason, "the reason for rejecting", 1000)?;
        let lot = r.lot.trim();
        let mut c = self.client.borrow_mut();
        let mut tx = self.write_tx(&mut c)?;
        let state = self.lot_state(&mut tx, lot)?;
        may_reject(lot, &state)?;
        let data = row_event_data("lot.reject", false, &reason, ("", ""));
        let event = self.append_event(&mut tx, &by, "lot.reject", lot, &data)?;
        tx.execute(
            "INSERT INTO rejections (lot_id, by_name, reason, at, event_seq) VALUES ($1, $2, $3, $4, $5)",
            &[&state.id, &by, &reason, &event.at, &(event.seq as i64)],
        )
        .map_err(self.err())?;
        tx.execute(
            "UPDATE lots SET status = 'rejected' WHERE id = $1",
            &[&state.id],
        )
        .map_err(self.err())?;
        tx.commit().map_err(self.err())?;
        Ok(event)
    }

    fn record_session(&mut self, s: &SessionRecord) -> Result<AuditEvent> {
        let by = person("by", &s.by)?;
        let patient = text("patient_id", &s.patient_id, "the patient's identifier", 100)?;
        json("doses_json", &s.doses_json)?;
        let lot = s.lot.trim();
        let mut c = self.client.borrow_mut();
        let mut tx = self.write_tx(&mut c)?;
        let state = self.lot_state(&mut tx, lot)?;
        may_record_session(lot, &state, s.date)?;
        let date = date_text(s.date);
        let data = row_event_data("session.record", false, &s.doses_json, (&patient, &date));
        let event = self.append_event(&mut tx, &by, "session.record", lot, &data)?;
        tx.execute(
            "INSERT INTO sessions (lot_id, patient_id, session_date, doses_json, by_name, at, event_seq) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[&state.id, &patient, &date, &s.doses_json, &by, &event.at, &(event.seq as i64)],
        )
        .map_err(self.err())?;
        tx.commit().map_err(self.err())?;
        Ok(event)
    }

    fn lot(&self, lot: &str) -> Result<LotDetail> {
        let lot = lot.trim();
        let mut c = self.client.borrow_mut();
        // One snapshot: the record and its later events as of one moment.
        let mut tx = self.snapshot(&mut c)?;
        let r = tx
            .query_opt(
                &format!(
                    "SELECT {SUMMARY_COLUMNS}, l.id, l.seq, l.compounded_time, l.request_json, l.plan_json, \
                     l.formula_sha256, l.templates_sha256, l.stscalc_version, f.text \
                     FROM lots l JOIN formulas f ON f.sha256 = l.formula_sha256 WHERE l.lot = $1"
                ),
                &[&lot],
            )
            .map_err(self.err())?
            .ok_or_else(|| Error::UnknownLot(lot.to_string()))?;
        let id: i64 = r.get(8);
        let verification = tx
            .query_opt(
                "SELECT by_name, at, passed, data_json FROM verifications WHERE lot_id = $1",
                &[&id],
            )
            .map_err(self.err())?
            .map(|v| VerificationRow {
                by: v.get(0),
                at: v.get(1),
                passed: v.get::<_, i64>(2) == 1,
                data_json: v.get(3),
            });
        let release = tx
            .query_opt(
                "SELECT by_name, checked_by, at FROM releases WHERE lot_id = $1",
                &[&id],
            )
            .map_err(self.err())?
            .map(|v| ReleaseRow {
                by: v.get(0),
                checked_by: v.get(1),
                at: v.get(2),
            });
        let rejection = tx
            .query_opt(
                "SELECT by_name, reason, at FROM rejections WHERE lot_id = $1",
                &[&id],
            )
            .map_err(self.err())?
            .map(|v| RejectionRow {
                by: v.get(0),
                reason: v.get(1),
                at: v.get(2),
            });
        let detail = LotDetail {
            summary: summary(summary_raw(&r, 0))?,
            sequence: r.get::<_, Option<i64>>(9).map(|s| s as u32),
            compounded_time: parse_time(r.get(10))?,
            request_json: r.get(11),
            plan_json: r.get(12),
            formula_sha256: r.get(13),
            templates_sha256: r.get(14),
            stscalc_version: r.get(15),
            formula_text: r.get(16),
            components: self.components_of(&mut tx, id)?,
            verification,
            release,
            rejection,
            sessions: self.sessions_of(&mut tx, id, lot)?,
            events: self.events(&mut tx, Some(lot))?,
        };
        tx.commit().map_err(self.err())?;
        Ok(detail)
    }

    fn list(&self, filter: &LotFilter) -> Result<Vec<LotSummary>> {
        let mut sql = format!("SELECT {SUMMARY_COLUMNS} FROM lots l WHERE 1 = 1");
        let mut args: Vec<String> = Vec::new();
        let mut add = |cond: &str, v: String| {
            args.push(v);
            sql.push_str(&format!(" AND {cond} ${}", args.len()));
        };
        if let Some(f) = &filter.formula_id {
            add("l.formula_id =", f.trim().to_string());
        }
        if let Some(s) = filter.status {
            add("l.status =", s.as_str().to_string());
        }
        if let Some(d) = filter.since {
            add("l.compounded_on >=", date_text(d));
        }
        if let Some(d) = filter.until {
            add("l.compounded_on <=", date_text(d));
        }
        sql.push_str(" ORDER BY l.compounded_on DESC, l.lot DESC");
        if let Some(n) = filter.limit {
            sql.push_str(&format!(" LIMIT {n}"));
        }
        let params: Vec<&(dyn postgres::types::ToSql + Sync)> = args
            .iter()
            .map(|a| a as &(dyn postgres::types::ToSql + Sync))
            .collect();
        let rows = self
            .client
            .borrow_mut()
            .query(&sql, &params)
            .map_err(self.err())?;
        rows.iter().map(|r| summary(summary_raw(r, 0))).collect()
    }

    fn recall_component(&self, component_id: &str, lot: &str) -> Result<Vec<RecallHit>> {
        let component_id = text("component_id", component_id, "a component id", 100)?;
        let lot = text("lot", lot, "the supplier's lot number", 100)?;
        let mut c = self.client.borrow_mut();
        let mut tx = self.snapshot(&mut c)?;
        let rows = tx
            .query(
                &format!(
                    "SELECT {SUMMARY_COLUMNS}, l.id, c.component_id, c.lot, c.expiry \
                     FROM lot_components c JOIN lots l ON l.id = c.lot_id \
                     WHERE c.component_id = $1 AND lower(c.lot) = lower($2 COLLATE \"C\") \
                     ORDER BY l.compounded_on, l.lot"
                ),
                &[&component_id, &lot],
            )
            .map_err(self.err())?;
        // The sessions of every lot found, in one query: a round trip per lot would cost more
        // than the recall itself on a server across the network.
        let ids: Vec<i64> = rows.iter().map(|r| r.get(8)).collect();
        let mut sessions: HashMap<i64, Vec<Row>> = HashMap::new();
        for s in tx
            .query(
                "SELECT lot_id, patient_id, session_date, doses_json, by_name, at FROM sessions \
                 WHERE lot_id = ANY($1) ORDER BY lot_id, session_date, id",
                &[&ids],
            )
            .map_err(self.err())?
        {
            sessions.entry(s.get(0)).or_default().push(s);
        }
        let mut hits = Vec::with_capacity(rows.len());
        for r in rows {
            let summary = summary(summary_raw(&r, 0))?;
            let of_lot = sessions
                .remove(&r.get::<_, i64>(8))
                .unwrap_or_default()
                .iter()
                .map(|s| {
                    Ok(SessionRow {
                        lot: summary.lot.clone(),
                        patient_id: s.get(1),
                        date: parse_date(s.get(2))?,
                        doses_json: s.get(3),
                        by: s.get(4),
                        at: s.get(5),
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            hits.push(RecallHit {
                sessions: of_lot,
                lot: summary,
                component: Some(ComponentUse {
                    component_id: r.get(9),
                    lot: r.get(10),
                    expiry: r.get::<_, Option<&str>>(11).map(parse_date).transpose()?,
                }),
            });
        }
        tx.commit().map_err(self.err())?;
        Ok(hits)
    }

    fn recall_lot(&self, lot: &str) -> Result<RecallHit> {
        let lot = lot.trim();
        let mut c = self.client.borrow_mut();
        let mut tx = self.snapshot(&mut c)?;
        let r = tx
            .query_opt(
                &format!("SELECT {SUMMARY_COLUMNS}, l.id FROM lots l WHERE l.lot = $1"),
                &[&lot],
            )
            .map_err(self.err())?
            .ok_or_else(|| Error::UnknownLot(lot.to_string()))?;
        let hit = RecallHit {
            lot: summary(summary_raw(&r, 0))?,
            component: None,
            sessions: self.sessions_of(&mut tx, r.get(8), lot)?,
        };
        tx.commit().map_err(self.err())?;
        Ok(hit)
    }

    fn audit(&self, lot: Option<&str>) -> Result<Vec<AuditEvent>> {
        let mut c = self.client.borrow_mut();
        let mut tx = self.snapshot(&mut c)?;
        let lot = lot.map(str::trim);
        if let Some(lot) = lot {
            let exists: bool = tx
                .query_one("SELECT EXISTS (SELECT 1 FROM lots WHERE lot = $1)", &[&lot])
                .map_err(self.err())?
                .get(0);
            if !exists {
                return Err(Error::UnknownLot(lot.to_string()));
            }
        }
        let events = self.events(&mut tx, lot)?;
        tx.commit().map_err(self.err())?;
        Ok(events)
    }

    fn verify_audit(&self, expected_head: Option<&str>) -> Result<AuditHead> {
        let mut c = self.client.borrow_mut();
        let mut tx = self.snapshot(&mut c)?;
        let head = self.chain(&mut tx, expected_head)?;
        tx.commit().map_err(self.err())?;
        Ok(head)
    }

    fn check(&self) -> Result<CheckReport> {
        // PostgreSQL has no quick whole-database integrity check like SQLite's (its pages carry
        // checksums when the cluster has them on); the chain and the rows are checked here.
        let mut c = self.client.borrow_mut();
        let mut tx = self.snapshot(&mut c)?;
        let audit = self.chain(&mut tx, None)?;
        let lots = self.check_rows(&mut tx)?;
        tx.commit().map_err(self.err())?;
        drop(c);
        let users = super::transfer::check_stored_users(self)?;
        Ok(CheckReport { audit, lots, users })
    }

    fn backup(&self, to: &Path) -> Result<()> {
        super::transfer::backup_to_sqlite(self, to)
    }

    fn schema_version(&self) -> Result<u32> {
        let mut c = self.client.borrow_mut();
        Ok(self.version_and_tables(&mut *c)?.0)
    }

    fn import(&mut self, dump: &Dump) -> Result<CheckReport> {
        super::transfer::check_users(&dump.events, &dump.users)?;
        let mut c = self.client.borrow_mut();
        let mut tx = self.write_tx(&mut c)?;
        let (events, lots): (i64, i64) = {
            let r = tx
                .query_one(
                    "SELECT (SELECT count(*) FROM audit), (SELECT count(*) FROM lots)",
                    &[],
                )
                .map_err(self.err())?;
            (r.get(0), r.get(1))
        };
        if events > 0 || lots > 0 {
            return Err(Error::NotEmpty(self.target.shown.clone()));
        }
        let stmt = tx
            .prepare("INSERT INTO audit (seq, at, actor, action, lot, data, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .map_err(self.err())?;
        for e in &dump.events {
            tx.execute(
                &stmt,
                &[
                    &(e.seq as i64),
                    &e.at,
                    &e.actor,
                    &e.action,
                    &e.lot.as_deref().unwrap_or(""),
                    &e.data_json,
                    &e.prev_hash,
                    &e.hash,
                ],
            )
            .map_err(self.err())?;
        }
        for u in &dump.users {
            tx.execute(
                "INSERT INTO users (name, role, password_hash, disabled, created_at, event_seq) VALUES ($1, $2, $3, $4, $5, $6)",
                &[&u.name, &u.role, &u.password_hash, &i64::from(u.disabled), &u.created_at, &(u.event_seq as i64)],
            )
            .map_err(self.err())?;
        }
        for l in &dump.lots {
            self.import_lot(&mut tx, l)?;
        }
        // Checked before the commit: a dump that does not verify leaves the register empty.
        let audit = self.chain(&mut tx, Some(&dump.head))?;
        let lots = self.check_rows(&mut tx)?;
        tx.commit().map_err(self.err())?;
        // The users were checked against their events before anything was written.
        let users = dump.users.len() as u64;
        Ok(CheckReport { audit, lots, users })
    }

    fn add_user(
        &mut self,
        actor: &str,
        name: &str,
        role: super::Role,
        password_hash: &str,
    ) -> Result<AuditEvent> {
        let actor = person("by", actor)?;
        let name = user_name(name)?;
        let mut c = self.client.borrow_mut();
        let mut tx = self.write_tx(&mut c)?;
        let taken = tx
            .query_opt("SELECT 1 FROM users WHERE name = $1", &[&name])
            .map_err(self.err())?;
        if taken.is_some() {
            return Err(Error::UserExists(name));
        }
        let data = super::rules::user_add_data(&name, role, password_hash);
        let event = self.append_event(&mut tx, &actor, "user.add", "", &data)?;
        tx.execute(
            "INSERT INTO users (name, role, password_hash, disabled, created_at, event_seq) VALUES ($1, $2, $3, 0, $4, $5)",
            &[&name, &role.as_str(), &password_hash, &event.at, &(event.seq as i64)],
        )
        .map_err(self.err())?;
        tx.commit().map_err(self.err())?;
        Ok(event)
    }

    fn disable_user(&mut self, actor: &str, name: &str) -> Result<AuditEvent> {
        let actor = person("by", actor)?;
        let name = user_name(name)?;
        let mut c = self.client.borrow_mut();
        let mut tx = self.write_tx(&mut c)?;
        let n = tx
            .execute("UPDATE users SET disabled = 1 WHERE name = $1", &[&name])
            .map_err(self.err())?;
        if n == 0 {
            return Err(Error::UnknownUser(name));
        }
        let data = user_event_data(&name, None);
        let event = self.append_event(&mut tx, &actor, "user.disable", "", &data)?;
        tx.commit().map_err(self.err())?;
        Ok(event)
    }

    fn users(&self) -> Result<Vec<super::User>> {
        let mut c = self.client.borrow_mut();
        let rows = c
            .query(
                "SELECT name, role, disabled, created_at FROM users ORDER BY name",
                &[],
            )
            .map_err(self.err())?;
        rows.iter()
            .map(|r| user_row(r.get(0), r.get::<_, &str>(1), r.get(2), r.get(3)))
            .collect()
    }

    fn user_login(&self, name: &str) -> Result<Option<(super::User, String)>> {
        let mut c = self.client.borrow_mut();
        self.user_with_hash(&mut *c, name)
    }
}

impl PostgresRegister {
    /// A user and the stored password hash (`None` for a name the register does not have), on
    /// the connection or inside a transaction.
    fn user_with_hash(
        &self,
        c: &mut impl GenericClient,
        name: &str,
    ) -> Result<Option<(super::User, String)>> {
        let Ok(name) = user_name(name) else {
            return Ok(None);
        };
        let row = c
            .query_opt(
                "SELECT name, role, disabled, created_at, password_hash FROM users WHERE name = $1",
                &[&name],
            )
            .map_err(self.err())?;
        row.map(|r| {
            Ok((
                user_row(r.get(0), r.get::<_, &str>(1), r.get(2), r.get(3))?,
                r.get(4),
            ))
        })
        .transpose()
    }
}
