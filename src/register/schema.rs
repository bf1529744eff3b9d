//! The register's schema, as an ordered list of forward migrations.
//!
//! `MIGRATIONS[i]` takes a register from schema version `i` to `i + 1`; the version is kept in
//! SQLite's `PRAGMA user_version`. Each step runs in one transaction with the version update, so
//! a register is always at a whole version. A released step is never edited: a change is a new
//! step (the fixture `tests/fixtures/register-v1.sql` is a register made by version 1, and the
//! tests upgrade it). Dates and times are ISO 8601 text and the audit fields plain text, so the
//! PostgreSQL backend (issue 14) keeps the same versions, tables and columns; it needs its own
//! spelling of each step where SQLite's is its own (`WITHOUT ROWID`, `COLLATE NOCASE`, the
//! `RAISE(ABORT, …)` triggers, `INSERT OR IGNORE` in the backend's code).

/// One forward migration.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// The version this step produces.
    pub version: u32,
    /// What it adds, in a few words.
    pub summary: &'static str,
    /// The SQL, run as one batch inside the step's transaction.
    pub sql: &'static str,
}

/// Version 1: lots, their components, verification, release, rejection, the formula texts and
/// the audit chain.
const V1: &str = r#"
CREATE TABLE audit (
    seq        INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    lot        TEXT NOT NULL,
    data       TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE INDEX audit_lot ON audit (lot, seq);

CREATE TABLE formulas (
    sha256     TEXT PRIMARY KEY,
    text       TEXT NOT NULL
);

CREATE TABLE lots (
    id               INTEGER PRIMARY KEY,
    lot              TEXT NOT NULL UNIQUE,
    scheme_code      TEXT,
    seq              INTEGER,
    formula_id       TEXT NOT NULL,
    compounded_on    TEXT NOT NULL,
    compounded_time  TEXT,
    bud_date         TEXT NOT NULL,
    bud_time         TEXT,
    status           TEXT NOT NULL CHECK (status IN
                       ('in_preparation', 'verified_pass', 'verified_fail', 'released', 'rejected')),
    created_by       TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    request_json     TEXT NOT NULL,
    plan_json        TEXT NOT NULL,
    formula_sha256   TEXT NOT NULL REFERENCES formulas (sha256),
    templates_sha256 TEXT NOT NULL,
    stscalc_version  TEXT NOT NULL,
    event_seq        INTEGER NOT NULL REFERENCES audit (seq),
    UNIQUE (scheme_code, compounded_on, seq)
);
CREATE INDEX lots_formula ON lots (formula_id, compounded_on);
CREATE INDEX lots_date ON lots (compounded_on);

CREATE TABLE lot_components (
    lot_id        INTEGER NOT NULL REFERENCES lots (id),
    component_id  TEXT NOT NULL,
    lot           TEXT NOT NULL,
    expiry        TEXT,
    PRIMARY KEY (lot_id, component_id)
) WITHOUT ROWID;

CREATE TABLE verifications (
    lot_id     INTEGER PRIMARY KEY REFERENCES lots (id),
    passed     INTEGER NOT NULL CHECK (passed IN (0, 1)),
    data_json  TEXT NOT NULL,
    by_name    TEXT NOT NULL,
    at         TEXT NOT NULL,
    event_seq  INTEGER NOT NULL REFERENCES audit (seq)
);

CREATE TABLE releases (
    lot_id      INTEGER PRIMARY KEY REFERENCES lots (id),
    by_name     TEXT NOT NULL,
    checked_by  TEXT NOT NULL,
    at          TEXT NOT NULL,
    event_seq   INTEGER NOT NULL REFERENCES audit (seq)
);

CREATE TABLE rejections (
    lot_id     INTEGER PRIMARY KEY REFERENCES lots (id),
    by_name    TEXT NOT NULL,
    reason     TEXT NOT NULL,
    at         TEXT NOT NULL,
    event_seq  INTEGER NOT NULL REFERENCES audit (seq)
);
"#;

/// Version 2: the sessions recorded from a lot, the index that makes a recall by component lot
/// fast (case-insensitive on the supplier's lot: a recall notice typed in other capitals must
/// still find it), the status index of `lot list`, and triggers that refuse an update or delete
/// of a recorded row (the one column that changes is a lot's status, the index of its events).
const V2: &str = r#"
CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY,
    lot_id        INTEGER NOT NULL REFERENCES lots (id),
    patient_id    TEXT NOT NULL,
    session_date  TEXT NOT NULL,
    doses_json    TEXT NOT NULL,
    by_name       TEXT NOT NULL,
    at            TEXT NOT NULL,
    event_seq     INTEGER NOT NULL REFERENCES audit (seq)
);
CREATE INDEX sessions_lot ON sessions (lot_id, session_date);
CREATE INDEX lot_components_recall ON lot_components (component_id, lot COLLATE NOCASE);
CREATE INDEX lots_status ON lots (status, compounded_on);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER lots_no_delete BEFORE DELETE ON lots
BEGIN SELECT RAISE(ABORT, 'a registered lot is never deleted'); END;
CREATE TRIGGER lots_frozen BEFORE UPDATE OF id, lot, scheme_code, seq, formula_id, compounded_on,
    compounded_time, bud_date, bud_time, created_by, created_at, request_json, plan_json,
    formula_sha256, templates_sha256, stscalc_version, event_seq ON lots
BEGIN SELECT RAISE(ABORT, 'a registered lot is never changed, only its status'); END;
CREATE TRIGGER lot_components_frozen BEFORE UPDATE ON lot_components
BEGIN SELECT RAISE(ABORT, 'recorded rows are never changed'); END;
CREATE TRIGGER lot_components_kept BEFORE DELETE ON lot_components
BEGIN SELECT RAISE(ABORT, 'recorded rows are never deleted'); END;
CREATE TRIGGER verifications_frozen BEFORE UPDATE ON verifications
BEGIN SELECT RAISE(ABORT, 'recorded rows are never changed'); END;
CREATE TRIGGER verifications_kept BEFORE DELETE ON verifications
BEGIN SELECT RAISE(ABORT, 'recorded rows are never deleted'); END;
CREATE TRIGGER releases_frozen BEFORE UPDATE ON releases
BEGIN SELECT RAISE(ABORT, 'recorded rows are never changed'); END;
CREATE TRIGGER releases_kept BEFORE DELETE ON releases
BEGIN SELECT RAISE(ABORT, 'recorded rows are never deleted'); END;
CREATE TRIGGER rejections_frozen BEFORE UPDATE ON rejections
BEGIN SELECT RAISE(ABORT, 'recorded rows are never changed'); END;
CREATE TRIGGER rejections_kept BEFORE DELETE ON rejections
BEGIN SELECT RAISE(ABORT, 'recorded rows are never deleted'); END;
CREATE TRIGGER sessions_frozen BEFORE UPDATE ON sessions
BEGIN SELECT RAISE(ABORT, 'recorded rows are never changed'); END;
CREATE TRIGGER sessions_kept BEFORE DELETE ON sessions
BEGIN SELECT RAISE(ABORT, 'recorded rows are never deleted'); END;
"#;

/// Version 3: the web app's user accounts. The password is an argon2id PHC string (salt and
/// parameters inside it); a user is never deleted (events name it), only disabled.
const V3: &str = r#"
CREATE TABLE users (
    name           TEXT PRIMARY KEY,
    role           TEXT NOT NULL CHECK (role IN ('technician', 'pharmacist')),
    password_hash  TEXT NOT NULL,
    disabled       INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at     TEXT NOT NULL,
    event_seq      INTEGER NOT NULL REFERENCES audit (seq)
);
CREATE TRIGGER users_kept BEFORE DELETE ON users
BEGIN SELECT RAISE(ABORT, 'a user is never deleted, only disabled'); END;
"#;

/// Every migration, oldest first.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        summary: "lots, components, verification, release, rejection, audit chain",
        sql: V1,
    },
    Migration {
        version: 2,
        summary: "sessions, recall index, status index, append-only triggers",
        sql: V2,
    },
    Migration {
        version: 3,
        summary: "user accounts of the web app",
        sql: V3,
    },
];

/// The schema version this stscalc writes.
pub const LATEST: u32 = MIGRATIONS[MIGRATIONS.len() - 1].version;

/// Version 1 in PostgreSQL's spelling: the same tables and columns. Every text column sorts
/// and compares byte by byte (`COLLATE "C"`, SQLite's `BINARY`), so lists come out in the
/// same order on both backends; integers are `BIGINT`; the row ids are identity columns.
const PG_V1: &str = r#"
CREATE TABLE audit (
    seq        BIGINT PRIMARY KEY,
    at         TEXT COLLATE "C" NOT NULL,
    actor      TEXT COLLATE "C" NOT NULL,
    action     TEXT COLLATE "C" NOT NULL,
    lot        TEXT COLLATE "C" NOT NULL,
    data       TEXT COLLATE "C" NOT NULL,
    prev_hash  TEXT COLLATE "C" NOT NULL,
    hash       TEXT COLLATE "C" NOT NULL
);
CREATE INDEX audit_lot ON audit (lot, seq);

CREATE TABLE formulas (
    sha256     TEXT COLLATE "C" PRIMARY KEY,
    text       TEXT COLLATE "C" NOT NULL
);

CREATE TABLE lots (
    id               BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    lot              TEXT COLLATE "C" NOT NULL UNIQUE,
    scheme_code      TEXT COLLATE "C",
    seq              BIGINT,
    formula_id       TEXT COLLATE "C" NOT NULL,
    compounded_on    TEXT COLLATE "C" NOT NULL,
    compounded_time  TEXT COLLATE "C",
    bud_date         TEXT COLLATE "C" NOT NULL,
    bud_time         TEXT COLLATE "C",
    status           TEXT COLLATE "C" NOT NULL CHECK (status IN
                       ('in_preparation', 'verified_pass', 'verified_fail', 'released', 'rejected')),
    created_by       TEXT COLLATE "C" NOT NULL,
    created_at       TEXT COLLATE "C" NOT NULL,
    request_json     TEXT COLLATE "C" NOT NULL,
    plan_json        TEXT COLLATE "C" NOT NULL,
    formula_sha256   TEXT COLLATE "C" NOT NULL REFERENCES formulas (sha256),
    templates_sha256 TEXT COLLATE "C" NOT NULL,
    stscalc_version  TEXT COLLATE "C" NOT NULL,
    event_seq        BIGINT NOT NULL REFERENCES audit (seq),
    UNIQUE (scheme_code, compounded_on, seq)
);
CREATE INDEX lots_formula ON lots (formula_id, compounded_on);
CREATE INDEX lots_date ON lots (compounded_on);

CREATE TABLE lot_components (
    lot_id        BIGINT NOT NULL REFERENCES lots (id),
    component_id  TEXT COLLATE "C" NOT NULL,
    lot           TEXT COLLATE "C" NOT NULL,
    expiry        TEXT COLLATE "C",
    PRIMARY KEY (lot_id, component_id)
);

CREATE TABLE verifications (
    lot_id     BIGINT PRIMARY KEY REFERENCES lots (id),
    passed     BIGINT NOT NULL CHECK (passed IN (0, 1)),
    data_json  TEXT COLLATE "C" NOT NULL,
    by_name    TEXT COLLATE "C" NOT NULL,
    at         TEXT COLLATE "C" NOT NULL,
    event_seq  BIGINT NOT NULL REFERENCES audit (seq)
);

CREATE TABLE releases (
    lot_id      BIGINT PRIMARY KEY REFERENCES lots (id),
    by_name     TEXT COLLATE "C" NOT NULL,
    checked_by  TEXT COLLATE "C" NOT NULL,
    at          TEXT COLLATE "C" NOT NULL,
    event_seq   BIGINT NOT NULL REFERENCES audit (seq)
);

CREATE TABLE rejections (
    lot_id     BIGINT PRIMARY KEY REFERENCES lots (id),
    by_name    TEXT COLLATE "C" NOT NULL,
    reason     TEXT COLLATE "C" NOT NULL,
    at         TEXT COLLATE "C" NOT NULL,
    event_seq  BIGINT NOT NULL REFERENCES audit (seq)
);
"#;

/// Version 2 in PostgreSQL's spelling. The recall index is on `lower(lot)`: with the `C`
/// collation `lower` folds ASCII letters only, exactly SQLite's `NOCASE`. The guards are
/// triggers calling one function that raises the trigger's message; PostgreSQL's `TRUNCATE`
/// skips row triggers, so each table also refuses it.
const PG_V2: &str = r#"
CREATE TABLE sessions (
    id            BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    lot_id        BIGINT NOT NULL REFERENCES lots (id),
    patient_id    TEXT COLLATE "C" NOT NULL,
    session_date  TEXT COLLATE "C" NOT NULL,
    doses_json    TEXT COLLATE "C" NOT NULL,
    by_name       TEXT COLLATE "C" NOT NULL,
    at            TEXT COLLATE "C" NOT NULL,
    event_seq     BIGINT NOT NULL REFERENCES audit (seq)
);
CREATE INDEX sessions_lot ON sessions (lot_id, session_date);
CREATE INDEX lot_components_recall ON lot_components (component_id, lower(lot));
CREATE INDEX lots_status ON lots (status, compounded_on);

CREATE FUNCTION stscalc_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0];
END
$$;

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    FOR EACH ROW EXECUTE FUNCTION stscalc_refuse('the audit trail is append-only');
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION stscalc_refuse('the audit trail is append-only');
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION stscalc_refuse('the audit trail is append-only');
CREATE TRIGGER lots_no_delete BEFORE DELETE ON lots
    FOR EACH ROW EXECUTE FUNCTION stscalc_refuse('a registered lot is never deleted');
CREATE TRIGGER lots_no_truncate BEFORE TRUNCATE ON lots
    FOR EACH STATEMENT EXECUTE FUNCTION stscalc_refuse('a registered lot is never deleted');
CREATE TRIGGER lots_frozen BEFORE UPDATE OF id, lot, scheme_code, seq, formula_id, compounded_on,
    compounded_time, bud_date, bud_time, created_by, created_at, request_json, plan_json,
    formula_sha256, templates_sha256, stscalc_version, event_seq ON lots
    FOR EACH ROW EXECUTE FUNCTION stscalc_refuse('a registered lot is never changed, only its status');
CREATE TRIGGER lot_components_frozen BEFORE UPDATE ON lot_components
    FOR EACH ROW EXECUTE FUNCTION stscalc_refuse('recorded rows are never changed');
CREATE TRIGGER lot_components_kept BEFORE DELETE ON lot_components
    FOR EACH ROW EXECUTE FUNCTION stscalc_refuse('recorded rows are never deleted');
CREATE TRIGGER verifications_frozen BEFORE UPDATE ON verifications
    FOR EACH ROW EXECUTE FUNCTION stscalc_refuse('recorded rows are never changed');
CREATE TRIGGER verifications_kept BEFORE DELETE ON verifications
    FOR EACH ROW EXECUTE FUNCTION stscalc_refuse('recorded rows are never deleted');
CREATE TRIGGER releases_frozen BEFORE UPDATE ON releases
    FOR EACH ROW EXECUTE FUNCTION stscalc_refuse('recorded rows are never changed');
CREATE TRIGGER releases_kept BEFORE DELETE ON releases
    FOR EACH ROW EXECUTE FUNCTION stscalc_refuse('recorded rows are never deleted');
CREATE TRIGGER rejections_frozen BEFORE UPDATE ON rejections
    FOR EACH ROW EXECUTE FUNCTION stscalc_refuse('recorded rows are never changed');
CREATE TRIGGER rejections_kept BEFORE DELETE ON rejections
    FOR EACH ROW EXECUTE FUNCTION stscalc_refuse('recorded rows are never deleted');
CREATE TRIGGER sessions_frozen BEFORE UPDATE ON sessions
    FOR EACH ROW EXECUTE FUNCTION stscalc_refuse('recorded rows are never changed');
CREATE TRIGGER sessions_kept BEFORE DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION stscalc_refuse('recorded rows are never deleted');
CREATE TRIGGER rows_no_truncate BEFORE TRUNCATE ON lot_components
    FOR EACH STATEMENT EXECUTE FUNCTION stscalc_refuse('recorded rows are never deleted');
CREATE TRIGGER rows_no_truncate BEFORE TRUNCATE ON verifications
    FOR EACH STATEMENT EXECUTE FUNCTION stscalc_refuse('recorded rows are never deleted');
CREATE TRIGGER rows_no_truncate BEFORE TRUNCATE ON releases
    FOR EACH STATEMENT EXECUTE FUNCTION stscalc_refuse('recorded rows are never deleted');
CREATE TRIGGER rows_no_truncate BEFORE TRUNCATE ON rejections
    FOR EACH STATEMENT EXECUTE FUNCTION stscalc_refuse('recorded rows are never deleted');
CREATE TRIGGER rows_no_truncate BEFORE TRUNCATE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION stscalc_refuse('recorded rows are never deleted');
"#;

/// Version 3 in PostgreSQL's spelling.
const PG_V3: &str = r#"
CREATE TABLE users (
    name           TEXT COLLATE "C" PRIMARY KEY,
    role           TEXT COLLATE "C" NOT NULL CHECK (role IN ('technician', 'pharmacist')),
    password_hash  TEXT COLLATE "C" NOT NULL,
    disabled       BIGINT NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at     TEXT COLLATE "C" NOT NULL,
    event_seq      BIGINT NOT NULL REFERENCES audit (seq)
);
CREATE TRIGGER users_kept BEFORE DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION stscalc_refuse('a user is never deleted, only disabled');
CREATE TRIGGER users_no_truncate BEFORE TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION stscalc_refuse('a user is never deleted, only disabled');
"#;

/// The same migrations in PostgreSQL's SQL, version for version (a test holds the versions and
/// summaries equal to [`MIGRATIONS`]). The version is kept in the table `stscalc_schema`.
pub const PG_MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        summary: "lots, components, verification, release, rejection, audit chain",
        sql: PG_V1,
    },
    Migration {
        version: 2,
        summary: "sessions, recall index, status index, append-only triggers",
        sql: PG_V2,
    },
    Migration {
        version: 3,
        summary: "user accounts of the web app",
        sql: PG_V3,
    },
];
