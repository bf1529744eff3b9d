//! The SQLite backend of the register: one file, WAL, every change one `BEGIN IMMEDIATE`
//! transaction that writes the rows and their audit event together.

use std::collections::HashMap;
use std::fs;
use std::io::Read;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::{params, Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior};

use super::audit::{self, sha256_hex, GENESIS};
use super::rules::*;
use super::schema::{LATEST, MIGRATIONS};
use super::transfer::Dump;
use super::{
    AuditEvent, AuditHead, Bud, CheckReport, ComponentUse, Error, LotCreated, LotDetail, LotFilter,
    LotNumbering, LotSummary, NewLot, RecallHit, Rejection, RejectionRow, Release, ReleaseRow,
    Result, SessionRecord, SessionRow, Status, Verification, VerificationRow,
};

/// How long a writer waits for another before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The register in one SQLite file.
pub struct SqliteRegister {
    conn: Connection,
    path: String,
}

impl std::fmt::Debug for SqliteRegister {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteRegister")
            .field("path", &self.path)
            .finish()
    }
}

/// Maps an SQLite error to the register's, naming the file where the cause is the file.
fn db_error(path: &str, e: rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => Error::NotADatabase(path.to_string()),
        Some(ErrorCode::ReadOnly) => Error::ReadOnly(path.to_string()),
        _ => Error::Database(e.to_string().replace('\n', " ")),
    }
}

fn lot_state(conn: &Connection, path: &str, lot: &str) -> Result<LotState> {
    let row = conn
        .query_row(
            "SELECT id, status, created_by, compounded_on, bud_date, bud_time FROM lots WHERE lot = ?1",
            [lot],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            },
        )
        .optional()
        .map_err(|e| db_error(path, e))?;
    let (id, status, created_by, on, bud_date, bud_time) =
        row.ok_or_else(|| Error::UnknownLot(lot.to_string()))?;
    Ok(LotState {
        id,
        status: parse_status(&status)?,
        created_by,
        compounded_on: parse_date(&on)?,
        bud: Bud {
            date: parse_date(&bud_date)?,
            time: parse_time(bud_time)?,
        },
    })
}

/// Appends one event after the current head. Called inside the write transaction, which holds
/// SQLite's write lock, so the chain has one head whatever runs at the same time.
fn append_event(
    conn: &Connection,
    path: &str,
    actor: &str,
    action: &str,
    lot: &str,
    data: &str,
) -> Result<AuditEvent> {
    let last: Option<(i64, String)> = conn
        .query_row(
            "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(|e| db_error(path, e))?;
    let (last_seq, prev_hash) = last.unwrap_or((0, GENESIS.to_string()));
    let seq = last_seq as u64 + 1;
    let at = now_text();
    let hash = audit::event_hash(&prev_hash, seq, &at, actor, action, lot, data);
    conn.execute(
        "INSERT INTO audit (seq, at, actor, action, lot, data, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![seq as i64, at, actor, action, lot, data, prev_hash, hash],
    )
    .map_err(|e| db_error(path, e))?;
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

fn event_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEvent> {
    let lot: String = r.get(4)?;
    Ok(AuditEvent {
        seq: r.get::<_, i64>(0)? as u64,
        at: r.get(1)?,
        actor: r.get(2)?,
        action: r.get(3)?,
        lot: (!lot.is_empty()).then_some(lot),
        data_json: r.get(5)?,
        prev_hash: r.get(6)?,
        hash: r.get(7)?,
    })
}

const EVENT_COLUMNS: &str = "seq, at, actor, action, lot, data, prev_hash, hash";
const SUMMARY_COLUMNS: &str =
    "l.lot, l.formula_id, l.compounded_on, l.bud_date, l.bud_time, l.status, l.created_by, l.created_at";

fn summary_raw(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<SummaryRaw> {
    Ok((
        r.get(at)?,
        r.get(at + 1)?,
        r.get(at + 2)?,
        r.get(at + 3)?,
        r.get(at + 4)?,
        r.get(at + 5)?,
        r.get(at + 6)?,
        r.get(at + 7)?,
    ))
}

impl SqliteRegister {
    /// Opens the register at `path`, creating it (mode 0600, parent folders 0700) on first use
    /// and bringing its schema up to date. Refuses, before writing anything, a file that is not
    /// an SQLite database, one with a newer schema, and a read-only one (a file without its
    /// owner's write permission is read-only even to root).
    pub fn open(path: &Path) -> Result<SqliteRegister> {
        let shown = path.display().to_string();
        let io = |source| Error::Io {
            path: shown.clone(),
            source,
        };
        match fs::metadata(path) {
            Ok(meta) => {
                if !meta.is_file() {
                    return Err(Error::NotADatabase(shown));
                }
                if meta.permissions().mode() & 0o200 == 0 {
                    return Err(Error::ReadOnly(shown));
                }
                let mut header = Vec::with_capacity(16);
                fs::File::open(path)
                    .and_then(|f| f.take(16).read_to_end(&mut header))
                    .map_err(io)?;
                // An empty file is an empty database (another process may have just created
                // it); anything else must start with SQLite's header.
                if !header.is_empty() && header.as_slice() != b"SQLite format 3\0" {
                    return Err(Error::NotADatabase(shown));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    fs::DirBuilder::new()
                        .recursive(true)
                        .mode(0o700)
                        .create(parent)
                        .map_err(io)?;
                }
                match fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(path)
                {
                    Ok(_) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                    Err(e) => return Err(io(e)),
                }
            }
            Err(e) => return Err(io(e)),
        }

        let err = |e| db_error(&shown, e);
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(err)?;
        if conn.is_readonly(rusqlite::MAIN_DB).map_err(err)? {
            return Err(Error::ReadOnly(shown));
        }
        let mut reg = SqliteRegister { conn, path: shown };
        // Version and tables read in one statement, so one snapshot: another process may be
        // creating this register right now, committing version 1 and its tables together.
        let (version, tables): (i64, i64) = reg
            .conn
            .query_row(
                "SELECT (SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM sqlite_master)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| db_error(&reg.path, e))?;
        let version = version as u32;
        if version > LATEST {
            return Err(Error::NewerSchema {
                path: reg.path,
                found: version,
                supported: LATEST,
            });
        }
        if version == 0 && tables > 0 {
            return Err(Error::NotARegister(reg.path));
        }
        reg.set_wal()?;
        reg.conn
            .execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
            .map_err(|e| db_error(&reg.path, e))?;
        reg.migrate()?;
        Ok(reg)
    }

    /// The path as given when opened.
    pub fn path(&self) -> &str {
        &self.path
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> Error + '_ {
        move |e| db_error(&self.path, e)
    }

    fn schema_version_raw(&self) -> Result<u32> {
        self.conn
            .pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))
            .map(|v| v as u32)
            .map_err(self.err())
    }

    /// Switches to WAL. Changing the journal mode needs the file to itself; when several
    /// processes open a new register at once, SQLite may answer busy without waiting, so retry.
    fn set_wal(&self) -> Result<()> {
        let start = Instant::now();
        loop {
            match self
                .conn
                .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))
            {
                Ok(mode) if mode.eq_ignore_ascii_case("wal") => return Ok(()),
                Ok(mode) => {
                    return Err(Error::Database(format!(
                        "register `{}`: cannot use WAL journaling (journal mode `{mode}`)",
                        self.path
                    )))
                }
                Err(e)
                    if matches!(
                        e.sqlite_error_code(),
                        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
                    ) && start.elapsed() < BUSY_TIMEOUT =>
                {
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(e) => return Err(db_error(&self.path, e)),
            }
        }
    }

    /// Applies every step newer than the register's version, each in its own write transaction
    /// (re-reading the version inside it: another process may have just done the step).
    fn migrate(&mut self) -> Result<()> {
        for step in MIGRATIONS {
            if self.schema_version_raw()? >= step.version {
                continue;
            }
            let path = self.path.clone();
            let err = |e| db_error(&path, e);
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(err)?;
            let now: i64 = tx
                .pragma_query_value(None, "user_version", |r| r.get(0))
                .map_err(err)?;
            if now as u32 >= step.version {
                continue;
            }
            tx.execute_batch(step.sql).map_err(err)?;
            tx.pragma_update(None, "user_version", step.version)
                .map_err(err)?;
            tx.commit().map_err(err)?;
        }
        Ok(())
    }

    fn write_tx(&mut self) -> Result<rusqlite::Transaction<'_>> {
        let path = &self.path;
        self.conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| db_error(path, e))
    }

    fn components_of(&self, lot_id: i64) -> Result<Vec<ComponentUse>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT component_id, lot, expiry FROM lot_components WHERE lot_id = ?1 ORDER BY component_id",
            )
            .map_err(self.err())?;
        let raw = stmt
            .query_map([lot_id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            })
            .map_err(self.err())?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.err())?;
        raw.into_iter()
            .map(|(component_id, lot, expiry)| {
                Ok(ComponentUse {
                    component_id,
                    lot,
                    expiry: expiry.as_deref().map(parse_date).transpose()?,
                })
            })
            .collect()
    }

    fn sessions_of(&self, lot_id: i64, lot: &str) -> Result<Vec<SessionRow>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT patient_id, session_date, doses_json, by_name, at FROM sessions WHERE lot_id = ?1 ORDER BY session_date, id",
            )
            .map_err(self.err())?;
        let raw = stmt
            .query_map([lot_id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })
            .map_err(self.err())?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.err())?;
        raw.into_iter()
            .map(|(patient_id, date, doses_json, by, at)| {
                Ok(SessionRow {
                    lot: lot.to_string(),
                    patient_id,
                    date: parse_date(&date)?,
                    doses_json,
                    by,
                    at,
                })
            })
            .collect()
    }

    /// Reads the audit rows in order and verifies the chain (inside the caller's transaction).
    fn chain(&self, expected_head: Option<&str>) -> Result<AuditHead> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {EVENT_COLUMNS} FROM audit ORDER BY seq"))
            .map_err(self.err())?;
        let rows = stmt.query_map([], event_from_row).map_err(self.err())?;
        audit::verify_chain(rows.map(|r| r.map_err(self.err())), expected_head)
    }

    /// Checks every row of the tables against the audit event that wrote it, and every lot's
    /// status against the status its events give. Returns the number of lots.
    fn check_rows(&self) -> Result<u64> {
        let bad = |what: String| Err(Error::Inconsistent(what));
        // The status each lot's events give, and how many events of each action there are.
        let mut replayed: HashMap<String, Status> = HashMap::new();
        let mut counts: HashMap<String, u64> = HashMap::new();
        {
            let mut stmt = self
                .conn
                .prepare("SELECT seq, action, lot, data FROM audit ORDER BY seq")
                .map_err(self.err())?;
            let mut rows = stmt.query([]).map_err(self.err())?;
            while let Some(r) = rows.next().map_err(self.err())? {
                let seq: i64 = r.get(0).map_err(self.err())?;
                let action: String = r.get(1).map_err(self.err())?;
                let lot: String = r.get(2).map_err(self.err())?;
                *counts.entry(action.clone()).or_default() += 1;
                let data: String = r.get(3).map_err(self.err())?;
                let next = replayed_status(seq, &action, &data)?;
                if let Some(s) = next {
                    replayed.insert(lot, s);
                }
            }
        }

        // Lots: the row rebuilds its `lot.new` event, and its status is the replayed one.
        let mut lots: u64 = 0;
        {
            let mut stmt = self
                .conn
                .prepare(
                    "SELECT l.id, l.lot, l.seq, l.formula_id, l.compounded_on, l.compounded_time, l.bud_date, l.bud_time, \
                            l.request_json, l.plan_json, l.formula_sha256, l.templates_sha256, l.stscalc_version, l.status, \
                            l.created_by, l.created_at, l.event_seq, a.action, a.lot, a.actor, a.at, a.data, \
                            (SELECT sha256 FROM formulas f WHERE f.sha256 = l.formula_sha256), \
                            (SELECT text FROM formulas f WHERE f.sha256 = l.formula_sha256) \
                     FROM lots l LEFT JOIN audit a ON a.seq = l.event_seq ORDER BY l.id",
                )
                .map_err(self.err())?;
            let mut rows = stmt.query([]).map_err(self.err())?;
            while let Some(r) = rows.next().map_err(self.err())? {
                let g = |i| r.get::<_, Option<String>>(i).map_err(self.err());
                let id: i64 = r.get(0).map_err(self.err())?;
                let lot = g(1)?.unwrap_or_default();
                let seq: Option<u32> = r.get(2).map_err(self.err())?;
                let components = self.components_of(id)?;
                let expected = to_json(&LotNewData {
                    lot: &lot,
                    sequence: seq,
                    formula_id: &g(3)?.unwrap_or_default(),
                    compounded_on: g(4)?.unwrap_or_default(),
                    compounded_time: g(5)?,
                    bud_date: g(6)?.unwrap_or_default(),
                    bud_time: g(7)?,
                    components: component_data(&components),
                    request_sha256: sha256_hex(g(8)?.unwrap_or_default().as_bytes()),
                    plan_sha256: sha256_hex(g(9)?.unwrap_or_default().as_bytes()),
                    formula_sha256: &g(10)?.unwrap_or_default(),
                    templates_sha256: &g(11)?.unwrap_or_default(),
                    stscalc_version: &g(12)?.unwrap_or_default(),
                });
                let event = (g(17)?, g(18)?, g(19)?, g(20)?, g(21)?);
                let created = (g(14)?, g(15)?);
                let ok = event.0.as_deref() == Some("lot.new")
                    && event.1.as_deref() == Some(lot.as_str())
                    && event.2 == created.0
                    && event.3 == created.1
                    && event.4.as_deref() == Some(expected.as_str());
                if !ok {
                    return bad(format!(
                        "lot `{lot}` differs from its audit event {}: the lot's row was changed",
                        r.get::<_, i64>(16).map_err(self.err())?
                    ));
                }
                let stored_formula = g(10)?.unwrap_or_default();
                if g(23)?.map(|t| sha256_hex(t.as_bytes())).as_deref()
                    != Some(stored_formula.as_str())
                {
                    return bad(format!(
                        "lot `{lot}`: the stored formula text does not match its SHA-256"
                    ));
                }
                let status = g(13)?.unwrap_or_default();
                if replayed.remove(&lot).map(Status::as_str) != Some(status.as_str()) {
                    return bad(format!(
                        "lot `{lot}`: its status `{status}` is not what its audit events give"
                    ));
                }
                lots += 1;
            }
        }
        if let Some(lot) = replayed.keys().next() {
            return bad(format!(
                "lot `{lot}` has audit events but no row: it was deleted"
            ));
        }

        self.check_event_rows(&counts)?;
        Ok(lots)
    }

    /// Checks the verification, release, rejection and session rows: each rebuilds its
    /// audit event's data and actor, and each action has as many rows as events.
    fn check_event_rows(&self, counts: &HashMap<String, u64>) -> Result<()> {
        let bad = |what: String| Err(Error::Inconsistent(what));
        // The other tables: each row rebuilds its event's data and actor.
        let tables: [(&str, &str, &str); 4] = [
            (
                "lot.verify",
                "SELECT l.lot, v.event_seq, v.by_name, v.at, v.passed, v.data_json, NULL FROM verifications v JOIN lots l ON l.id = v.lot_id",
                "verification",
            ),
            (
                "lot.release",
                "SELECT l.lot, r.event_seq, r.by_name, r.at, NULL, r.checked_by, NULL FROM releases r JOIN lots l ON l.id = r.lot_id",
                "release",
            ),
            (
                "lot.reject",
                "SELECT l.lot, r.event_seq, r.by_name, r.at, NULL, r.reason, NULL FROM rejections r JOIN lots l ON l.id = r.lot_id",
                "rejection",
            ),
            (
                "session.record",
                "SELECT l.lot, s.event_seq, s.by_name, s.at, NULL, s.doses_json, s.patient_id || char(10) || s.session_date FROM sessions s JOIN lots l ON l.id = s.lot_id",
                "session",
            ),
        ];
        for (action, sql, what) in tables {
            let mut stmt = self.conn.prepare(sql).map_err(self.err())?;
            let mut rows = stmt.query([]).map_err(self.err())?;
            let mut n: u64 = 0;
            while let Some(r) = rows.next().map_err(self.err())? {
                n += 1;
                let lot: String = r.get(0).map_err(self.err())?;
                let seq: i64 = r.get(1).map_err(self.err())?;
                let by: String = r.get(2).map_err(self.err())?;
                let at: String = r.get(3).map_err(self.err())?;
                let text: String = r.get(5).map_err(self.err())?;
                let passed = action == "lot.verify" && r.get::<_, i64>(4).map_err(self.err())? == 1;
                let pd: Option<String> = r.get(6).map_err(self.err())?;
                let pd = pd.unwrap_or_default();
                let other = if action == "lot.release" {
                    (by.as_str(), "")
                } else {
                    pd.split_once('\n').unwrap_or((&pd, ""))
                };
                let data = row_event_data(action, passed, &text, other);
                let event = self
                    .conn
                    .query_row(
                        "SELECT action, lot, actor, at, data FROM audit WHERE seq = ?1",
                        [seq],
                        |r| {
                            Ok((
                                r.get::<_, String>(0)?,
                                r.get::<_, String>(1)?,
                                r.get::<_, String>(2)?,
                                r.get::<_, String>(3)?,
                                r.get::<_, String>(4)?,
                            ))
                        },
                    )
                    .optional()
                    .map_err(self.err())?;
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
}

impl super::RegisterStore for SqliteRegister {
    fn new_lot(&mut self, new: &NewLot) -> Result<LotCreated> {
        let valid = validate_new_lot(new)?;
        let path = self.path.clone();
        let err = |e| db_error(&path, e);
        let tx = self.write_tx()?;
        let on = date_text(new.compounded_on);
        let (lot, code, sequence) = match &new.numbering {
            LotNumbering::Scheme { code } => {
                let code = scheme_code(code)?;
                let max: Option<i64> = tx
                    .query_row(
                        "SELECT max(seq) FROM lots WHERE scheme_code = ?1 AND compounded_on = ?2",
                        params![code, on],
                        |r| r.get(0),
                    )
                    .map_err(err)?;
                let mut n = max.unwrap_or(0) as u32 + 1;
                // A number given by the user may already have the scheme's form: skip it.
                let number = loop {
                    let number = scheme_number(&code, new.compounded_on, n)?;
                    let taken: bool = tx
                        .query_row(
                            "SELECT EXISTS (SELECT 1 FROM lots WHERE lot = ?1)",
                            [&number],
                            |r| r.get(0),
                        )
                        .map_err(err)?;
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
                    .query_row(
                        "SELECT EXISTS (SELECT 1 FROM lots WHERE lot = ?1)",
                        [&l],
                        |r| r.get(0),
                    )
                    .map_err(err)?;
                if taken {
                    return Err(Error::DuplicateLot(l));
                }
                (l, None, None)
            }
        };
        let data = lot_new_data(new, &valid, &lot, sequence);
        let event = append_event(&tx, &path, &valid.by, "lot.new", &lot, &data)?;
        tx.execute(
            "INSERT OR IGNORE INTO formulas (sha256, text) VALUES (?1, ?2)",
            params![valid.formula_sha256, new.formula_text],
        )
        .map_err(err)?;
        tx.execute(
            "INSERT INTO lots (lot, scheme_code, seq, formula_id, compounded_on, compounded_time, bud_date, bud_time, status, \
             created_by, created_at, request_json, plan_json, formula_sha256, templates_sha256, stscalc_version, event_seq) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'in_preparation', ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
            params![
                lot,
                code,
                sequence,
                valid.formula_id,
                on,
                new.compounded_time.map(time_text),
                date_text(new.bud.date),
                new.bud.time.map(time_text),
                valid.by,
                event.at,
                new.request_json,
                new.plan_json,
                valid.formula_sha256,
                valid.templates_sha256,
                valid.version,
                event.seq as i64
            ],
        )
        .map_err(err)?;
        let id = tx.last_insert_rowid();
        {
            let mut stmt = tx
                .prepare_cached("INSERT INTO lot_components (lot_id, component_id, lot, expiry) VALUES (?1, ?2, ?3, ?4)")
                .map_err(err)?;
            for c in &valid.components {
                stmt.execute(params![id, c.component_id, c.lot, c.expiry.map(date_text)])
                    .map_err(err)?;
            }
        }
        tx.commit().map_err(err)?;
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
        let path = self.path.clone();
        let err = |e| db_error(&path, e);
        let tx = self.write_tx()?;
        let state = lot_state(&tx, &path, v.lot.trim())?;
        let lot = v.lot.trim();
        may_verify(lot, &state)?;
        let data = row_event_data("lot.verify", v.passed, &v.data_json, ("", ""));
        let event = append_event(&tx, &path, &by, "lot.verify", lot, &data)?;
        tx.execute(
            "INSERT INTO verifications (lot_id, passed, data_json, by_name, at, event_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![state.id, v.passed as i64, v.data_json, by, event.at, event.seq as i64],
        )
        .map_err(err)?;
        let status = if v.passed {
            Status::VerifiedPass
        } else {
            Status::VerifiedFail
        };
        tx.execute(
            "UPDATE lots SET status = ?1 WHERE id = ?2",
            params![status.as_str(), state.id],
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(event)
    }

    fn release(&mut self, r: &Release) -> Result<AuditEvent> {
        let valid = validate_release(r)?;
        let (by, checker) = (&valid.by, &valid.checked_by);
        let path = self.path.clone();
        let err = |e| db_error(&path, e);
        let tx = self.write_tx()?;
        let lot = r.lot.trim();
        let state = lot_state(&tx, &path, lot)?;
        let releaser = match valid.authenticated {
            true => user_with_hash(&tx, &path, by)?.map(|(u, _)| u),
            false => None,
        };
        may_release(lot, &state, &valid, releaser.as_ref())?;
        let data = row_event_data("lot.release", false, checker, (by, ""));
        let event = append_event(&tx, &path, by, "lot.release", lot, &data)?;
        tx.execute(
            "INSERT INTO releases (lot_id, by_name, checked_by, at, event_seq) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![state.id, by, checker, event.at, event.seq as i64],
        )
        .map_err(err)?;
        tx.execute(
            "UPDATE lots SET status = 'released' WHERE id = ?1",
            [state.id],
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(event)
    }

    fn reject(&mut self, r: &Rejection) -> Result<AuditEvent> {
        let by = person("by", &r.by)?;
        let reason = text("reason", &r.reason, "the reason for rejecting", 1000)?;
        let path = self.path.clone();
        let err = |e| db_error(&path, e);
        let tx = self.write_tx()?;
        let lot = r.lot.trim();
        let state = lot_state(&tx, &path, lot)?;
        may_reject(lot, &state)?;
        let data = row_event_data("lot.reject", false, &reason, ("", ""));
        let event = append_event(&tx, &path, &by, "lot.reject", lot, &data)?;
        tx.execute(
            "INSERT INTO rejections (lot_id, by_name, reason, at, event_seq) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![state.id, by, reason, event.at, event.seq as i64],
        )
        .map_err(err)?;
        tx.execute(
            "UPDATE lots SET status = 'rejected' WHERE id = ?1",
            [state.id],
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(event)
    }

    fn record_session(&mut self, s: &SessionRecord) -> Result<AuditEvent> {
        let by = person("by", &s.by)?;
        let patient = text("patient_id", &s.patient_id, "the patient's identifier", 100)?;
        json("doses_json", &s.doses_json)?;
        let path = self.path.clone();
        let err = |e| db_error(&path, e);
        let tx = self.write_tx()?;
        let lot = s.lot.trim();
        let state = lot_state(&tx, &path, lot)?;
        may_record_session(lot, &state, s.date)?;
        let data = row_event_data(
            "session.record",
            false,
            &s.doses_json,
            (&patient, &date_text(s.date)),
        );
        let event = append_event(&tx, &path, &by, "session.record", lot, &data)?;
        tx.execute(
            "INSERT INTO sessions (lot_id, patient_id, session_date, doses_json, by_name, at, event_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![state.id, patient, date_text(s.date), s.doses_json, by, event.at, event.seq as i64],
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(event)
    }

    fn lot(&self, lot: &str) -> Result<LotDetail> {
        let lot = lot.trim();
        let row = self
            .conn
            .prepare_cached(&format!(
                "SELECT {SUMMARY_COLUMNS}, l.id, l.seq, l.compounded_time, l.request_json, l.plan_json, \
                 l.formula_sha256, l.templates_sha256, l.stscalc_version, f.text \
                 FROM lots l JOIN formulas f ON f.sha256 = l.formula_sha256 WHERE l.lot = ?1"
            ))
            .map_err(self.err())?
            .query_row([lot], |r| {
                Ok((
                    summary_raw(r, 0)?,
                    r.get::<_, i64>(8)?,
                    r.get::<_, Option<u32>>(9)?,
                    r.get::<_, Option<String>>(10)?,
                    r.get::<_, String>(11)?,
                    r.get::<_, String>(12)?,
                    r.get::<_, String>(13)?,
                    r.get::<_, String>(14)?,
                    r.get::<_, String>(15)?,
                    r.get::<_, String>(16)?,
                ))
            })
            .optional()
            .map_err(self.err())?;
        let (
            raw,
            id,
            sequence,
            time,
            request_json,
            plan_json,
            formula_sha256,
            templates_sha256,
            stscalc_version,
            formula_text,
        ) = row.ok_or_else(|| Error::UnknownLot(lot.to_string()))?;
        let verification = self
            .conn
            .prepare_cached(
                "SELECT by_name, at, passed, data_json FROM verifications WHERE lot_id = ?1",
            )
            .map_err(self.err())?
            .query_row([id], |r| {
                Ok(VerificationRow {
                    by: r.get(0)?,
                    at: r.get(1)?,
                    passed: r.get::<_, i64>(2)? == 1,
                    data_json: r.get(3)?,
                })
            })
            .optional()
            .map_err(self.err())?;
        let release = self
            .conn
            .prepare_cached("SELECT by_name, checked_by, at FROM releases WHERE lot_id = ?1")
            .map_err(self.err())?
            .query_row([id], |r| {
                Ok(ReleaseRow {
                    by: r.get(0)?,
                    checked_by: r.get(1)?,
                    at: r.get(2)?,
                })
            })
            .optional()
            .map_err(self.err())?;
        let rejection = self
            .conn
            .prepare_cached("SELECT by_name, reason, at FROM rejections WHERE lot_id = ?1")
            .map_err(self.err())?
            .query_row([id], |r| {
                Ok(RejectionRow {
                    by: r.get(0)?,
                    reason: r.get(1)?,
                    at: r.get(2)?,
                })
            })
            .optional()
            .map_err(self.err())?;
        Ok(LotDetail {
            summary: summary(raw)?,
            sequence,
            compounded_time: parse_time(time)?,
            request_json,
            plan_json,
            formula_text,
            formula_sha256,
            templates_sha256,
            stscalc_version,
            components: self.components_of(id)?,
            verification,
            release,
            rejection,
            sessions: self.sessions_of(id, lot)?,
            events: self.audit(Some(lot))?,
        })
    }

    fn list(&self, filter: &LotFilter) -> Result<Vec<LotSummary>> {
        let mut sql = format!("SELECT {SUMMARY_COLUMNS} FROM lots l WHERE 1 = 1");
        let mut args: Vec<String> = Vec::new();
        let mut add = |cond: &str, v: String| {
            args.push(v);
            sql.push_str(&format!(" AND {cond} ?{}", args.len()));
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
        let mut stmt = self.conn.prepare(&sql).map_err(self.err())?;
        let raw = stmt
            .query_map(rusqlite::params_from_iter(args.iter()), |r| {
                summary_raw(r, 0)
            })
            .map_err(self.err())?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.err())?;
        raw.into_iter().map(summary).collect()
    }

    fn recall_component(&self, component_id: &str, lot: &str) -> Result<Vec<RecallHit>> {
        let component_id = text("component_id", component_id, "a component id", 100)?;
        let lot = text("lot", lot, "the supplier's lot number", 100)?;
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {SUMMARY_COLUMNS}, l.id, c.component_id, c.lot, c.expiry \
                 FROM lot_components c JOIN lots l ON l.id = c.lot_id \
                 WHERE c.component_id = ?1 AND c.lot = ?2 COLLATE NOCASE \
                 ORDER BY l.compounded_on, l.lot"
            ))
            .map_err(self.err())?;
        let raw = stmt
            .query_map(params![component_id, lot], |r| {
                Ok((
                    summary_raw(r, 0)?,
                    r.get::<_, i64>(8)?,
                    r.get::<_, String>(9)?,
                    r.get::<_, String>(10)?,
                    r.get::<_, Option<String>>(11)?,
                ))
            })
            .map_err(self.err())?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.err())?;
        raw.into_iter()
            .map(|(s, id, component_id, clot, expiry)| {
                let lot = summary(s)?;
                Ok(RecallHit {
                    sessions: self.sessions_of(id, &lot.lot)?,
                    lot,
                    component: Some(ComponentUse {
                        component_id,
                        lot: clot,
                        expiry: expiry.as_deref().map(parse_date).transpose()?,
                    }),
                })
            })
            .collect()
    }

    fn recall_lot(&self, lot: &str) -> Result<RecallHit> {
        let lot = lot.trim();
        let row = self
            .conn
            .prepare_cached(&format!(
                "SELECT {SUMMARY_COLUMNS}, l.id FROM lots l WHERE l.lot = ?1"
            ))
            .map_err(self.err())?
            .query_row([lot], |r| Ok((summary_raw(r, 0)?, r.get::<_, i64>(8)?)))
            .optional()
            .map_err(self.err())?;
        let (raw, id) = row.ok_or_else(|| Error::UnknownLot(lot.to_string()))?;
        Ok(RecallHit {
            lot: summary(raw)?,
            component: None,
            sessions: self.sessions_of(id, lot)?,
        })
    }

    fn audit(&self, lot: Option<&str>) -> Result<Vec<AuditEvent>> {
        match lot.map(str::trim) {
            Some(lot) => {
                let exists: bool = self
                    .conn
                    .prepare_cached("SELECT EXISTS (SELECT 1 FROM lots WHERE lot = ?1)")
                    .map_err(self.err())?
                    .query_row([lot], |r| r.get(0))
                    .map_err(self.err())?;
                if !exists {
                    return Err(Error::UnknownLot(lot.to_string()));
                }
                let mut stmt = self
                    .conn
                    .prepare_cached(&format!(
                        "SELECT {EVENT_COLUMNS} FROM audit WHERE lot = ?1 ORDER BY seq"
                    ))
                    .map_err(self.err())?;
                let events = stmt
                    .query_map([lot], event_from_row)
                    .map_err(self.err())?
                    .collect::<rusqlite::Result<Vec<_>>>()
                    .map_err(self.err());
                events
            }
            None => {
                let mut stmt = self
                    .conn
                    .prepare(&format!("SELECT {EVENT_COLUMNS} FROM audit ORDER BY seq"))
                    .map_err(self.err())?;
                let events = stmt
                    .query_map([], event_from_row)
                    .map_err(self.err())?
                    .collect::<rusqlite::Result<Vec<_>>>()
                    .map_err(self.err());
                events
            }
        }
    }

    fn verify_audit(&self, expected_head: Option<&str>) -> Result<AuditHead> {
        // One read transaction, so the chain is seen at one moment while others write.
        let tx = self.conn.unchecked_transaction().map_err(self.err())?;
        let head = self.chain(expected_head)?;
        tx.finish().map_err(self.err())?;
        Ok(head)
    }

    fn check(&self) -> Result<CheckReport> {
        let tx = self.conn.unchecked_transaction().map_err(self.err())?;
        let problems: Vec<String> = {
            let mut stmt = tx.prepare("PRAGMA integrity_check").map_err(self.err())?;
            let rows = stmt
                .query_map([], |r| r.get::<_, String>(0))
                .map_err(self.err())?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(self.err())?;
            rows
        };
        if problems != ["ok"] {
            return Err(Error::Inconsistent(format!(
                "SQLite's integrity check failed: {}",
                problems.join("; ")
            )));
        }
        let audit = self.chain(None)?;
        let lots = self.check_rows()?;
        tx.finish().map_err(self.err())?;
        let users = super::transfer::check_stored_users(self)?;
        Ok(CheckReport { audit, lots, users })
    }

    fn backup(&self, to: &Path) -> Result<()> {
        let shown = to.display().to_string();
        let io = |source| Error::Io {
            path: shown.clone(),
            source,
        };
        if fs::symlink_metadata(to).is_ok() {
            return Err(Error::Exists(shown));
        }
        let dir = match to.parent().filter(|p| !p.as_os_str().is_empty()) {
            Some(p) => p.to_path_buf(),
            None => std::path::PathBuf::from("."),
        };
        // Written beside the target under a temporary name (mode 0600) and moved into place
        // only when complete, never over a file that appeared meanwhile.
        let tmp = tempfile::Builder::new()
            .prefix(".stscalc-backup-")
            .tempfile_in(&dir)
            .map_err(io)?;
        {
            let mut dst = Connection::open(tmp.path()).map_err(|e| db_error(&shown, e))?;
            let backup = rusqlite::backup::Backup::new(&self.conn, &mut dst)
                .map_err(|e| db_error(&shown, e))?;
            backup
                .run_to_completion(1024, Duration::from_millis(0), None)
                .map_err(|e| db_error(&shown, e))?;
        }
        tmp.as_file().sync_all().map_err(io)?;
        tmp.persist_noclobber(to).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                Error::Exists(shown.clone())
            } else {
                io(e.error)
            }
        })?;
        Ok(())
    }

    fn schema_version(&self) -> Result<u32> {
        self.schema_version_raw()
    }

    fn import(&mut self, dump: &Dump) -> Result<CheckReport> {
        super::transfer::check_users(&dump.events, &dump.users)?;
        let path = self.path.clone();
        let err = |e| db_error(&path, e);
        // Unchecked so the checks below can read through `self` inside the transaction.
        let tx = rusqlite::Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
            .map_err(err)?;
        let (events, lots): (i64, i64) = tx
            .query_row(
                "SELECT (SELECT count(*) FROM audit), (SELECT count(*) FROM lots)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(err)?;
        if events > 0 || lots > 0 {
            return Err(Error::NotEmpty(path.clone()));
        }
        {
            let mut ev = tx
                .prepare("INSERT INTO audit (seq, at, actor, action, lot, data, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
                .map_err(err)?;
            for e in &dump.events {
                ev.execute(params![
                    e.seq as i64,
                    e.at,
                    e.actor,
                    e.action,
                    e.lot.as_deref().unwrap_or(""),
                    e.data_json,
                    e.prev_hash,
                    e.hash
                ])
                .map_err(err)?;
            }
        }
        for u in &dump.users {
            tx.execute(
                "INSERT INTO users (name, role, password_hash, disabled, created_at, event_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![u.name, u.role, u.password_hash, u.disabled as i64, u.created_at, u.event_seq as i64],
            )
            .map_err(err)?;
        }
        for l in &dump.lots {
            tx.execute(
                "INSERT OR IGNORE INTO formulas (sha256, text) VALUES (?1, ?2)",
                params![l.formula_sha256, l.formula_text],
            )
            .map_err(err)?;
            tx.execute(
                "INSERT INTO lots (lot, scheme_code, seq, formula_id, compounded_on, compounded_time, bud_date, bud_time, status, \
                 created_by, created_at, request_json, plan_json, formula_sha256, templates_sha256, stscalc_version, event_seq) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
                params![
                    l.lot,
                    l.scheme_code,
                    l.sequence,
                    l.formula_id,
                    l.compounded_on,
                    l.compounded_time,
                    l.bud_date,
                    l.bud_time,
                    l.status,
                    l.created_by,
                    l.created_at,
                    l.request_json,
                    l.plan_json,
                    l.formula_sha256,
                    l.templates_sha256,
                    l.stscalc_version,
                    l.event_seq as i64
                ],
            )
            .map_err(err)?;
            let id = tx.last_insert_rowid();
            for c in &l.components {
                tx.execute(
                    "INSERT INTO lot_components (lot_id, component_id, lot, expiry) VALUES (?1, ?2, ?3, ?4)",
                    params![id, c.component_id, c.lot, c.expiry],
                )
                .map_err(err)?;
            }
            if let Some(v) = &l.verification {
                tx.execute(
                    "INSERT INTO verifications (lot_id, passed, data_json, by_name, at, event_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![id, v.passed as i64, v.data_json, v.by, v.at, v.event_seq as i64],
                )
                .map_err(err)?;
            }
            if let Some(r) = &l.release {
                tx.execute(
                    "INSERT INTO releases (lot_id, by_name, checked_by, at, event_seq) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![id, r.by, r.checked_by, r.at, r.event_seq as i64],
                )
                .map_err(err)?;
            }
            if let Some(r) = &l.rejection {
                tx.execute(
                    "INSERT INTO rejections (lot_id, by_name, reason, at, event_seq) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![id, r.by, r.reason, r.at, r.event_seq as i64],
                )
                .map_err(err)?;
            }
            for s in &l.sessions {
                tx.execute(
                    "INSERT INTO sessions (lot_id, patient_id, session_date, doses_json, by_name, at, event_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![id, s.patient_id, s.date, s.doses_json, s.by, s.at, s.event_seq as i64],
                )
                .map_err(err)?;
            }
        }
        // Checked before the commit: a dump that does not verify leaves the register empty.
        let audit = self.chain(Some(&dump.head))?;
        let lots = self.check_rows()?;
        tx.commit().map_err(err)?;
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
        let path = self.path.clone();
        let err = |e| db_error(&path, e);
        let tx = self.write_tx()?;
        let taken: Option<i64> = tx
            .query_row("SELECT 1 FROM users WHERE name = ?1", [&name], |r| r.get(0))
            .optional()
            .map_err(err)?;
        if taken.is_some() {
            return Err(Error::UserExists(name));
        }
        let data = super::rules::user_add_data(&name, role, password_hash);
        let event = append_event(&tx, &path, &actor, "user.add", "", &data)?;
        tx.execute(
            "INSERT INTO users (name, role, password_hash, disabled, created_at, event_seq) VALUES (?1, ?2, ?3, 0, ?4, ?5)",
            params![name, role.as_str(), password_hash, event.at, event.seq as i64],
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(event)
    }

    fn disable_user(&mut self, actor: &str, name: &str) -> Result<AuditEvent> {
        let actor = person("by", actor)?;
        let name = user_name(name)?;
        let path = self.path.clone();
        let err = |e| db_error(&path, e);
        let tx = self.write_tx()?;
        let n = tx
            .execute("UPDATE users SET disabled = 1 WHERE name = ?1", [&name])
            .map_err(err)?;
        if n == 0 {
            return Err(Error::UnknownUser(name));
        }
        let data = user_event_data(&name, None);
        let event = append_event(&tx, &path, &actor, "user.disable", "", &data)?;
        tx.commit().map_err(err)?;
        Ok(event)
    }

    fn users(&self) -> Result<Vec<super::User>> {
        let mut stmt = self
            .conn
            .prepare("SELECT name, role, disabled, created_at FROM users ORDER BY name")
            .map_err(self.err())?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .map_err(self.err())?;
        let mut out = Vec::new();
        for row in rows {
            let (name, role, disabled, created_at) = row.map_err(self.err())?;
            out.push(user_row(name, &role, disabled, created_at)?);
        }
        Ok(out)
    }

    fn user_login(&self, name: &str) -> Result<Option<(super::User, String)>> {
        user_with_hash(&self.conn, &self.path, name)
    }
}

/// A user and the stored password hash (`None` for a name the register does not have), on
/// the connection or inside a transaction.
fn user_with_hash(
    conn: &Connection,
    path: &str,
    name: &str,
) -> Result<Option<(super::User, String)>> {
    let Ok(name) = user_name(name) else {
        return Ok(None);
    };
    let row = conn
        .query_row(
            "SELECT name, role, disabled, created_at, password_hash FROM users WHERE name = ?1",
            [&name],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ))
            },
        )
        .optional()
        .map_err(|e| db_error(path, e))?;
    row.map(|(n, role, d, at, hash)| Ok((user_row(n, &role, d, at)?, hash)))
        .transpose()
}
