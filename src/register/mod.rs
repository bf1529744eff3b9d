//! The batch register (issue 11): the pharmacy's record of every lot made with stscalc, its
//! verification, release or rejection, the sessions given from it, and a tamper-evident audit
//! trail. A library layer only: the `lot`, `recall`, `audit` and `register` commands wire it
//! later, each in a few lines: resolve the location ([`default_location`]), [`open`] it, call
//! one [`RegisterStore`] method, render what it returns.
//!
//! # Storage
//!
//! The storage sits behind the [`RegisterStore`] trait, with two backends: [`PostgresRegister`]
//! (issue 14), a PostgreSQL database for a pharmacy whose benches and desks share one register,
//! chosen by a `postgres://` or `postgresql://` URL as the location (see [`PostgresRegister`]
//! and the connection settings in [`pgconn`]), and the embedded default [`SqliteRegister`], an
//! SQLite file (bundled SQLite: nothing to install) opened with WAL journaling (readers never wait for the writer), `synchronous=FULL`
//! (a lot reported to the user survives a power cut), a busy timeout (a second writer waits
//! instead of failing) and foreign keys on. The file is created on first use with mode 0600,
//! its missing parent folders with 0700.
//!
//! Tables (schema version 2, see [`schema`]): `lots` (one row per lot: number, scheme and
//! sequence, formula, compounding date, BUD, status, who and when, the request and plan JSON,
//! the formula's hash, the templates' hash, the stscalc version), `formulas` (each formula text
//! once, by its SHA-256), `lot_components` (component id, supplier lot, expiry; indexed by
//! component and lot for recalls), `verifications`, `releases`, `rejections` (at most one each
//! per lot), `sessions` (patient, date, doses) and `audit`. Every row of the other tables names
//! the audit event that wrote it (`event_seq`). Nothing is updated or deleted (triggers refuse
//! it) except a lot's `status`, which is an index of its events kept in the same transaction:
//! [`RegisterStore::check`] replays the events and proves every lot's status agrees.
//!
//! Lot numbers follow stscalc's scheme `CODE-YYYYMMDD-NN` (see
//! [`crate::plan::record::lot_code`]): the register assigns `NN`, the next sequence of that code
//! on that compounding date, inside the write transaction that stores the lot (`BEGIN
//! IMMEDIATE` on SQLite, `LOCK TABLE audit IN EXCLUSIVE MODE` on PostgreSQL), so two batches
//! never get the same number whatever runs at the same time, on one machine or several.
//!
//! [`transfer`] moves a whole register between backends (export to documented JSON Lines,
//! import into an empty register), keeping the audit chain and its head.
//!
//! # Status
//!
//! `in_preparation` (quarantine) → `verified_pass` or `verified_fail` (one verification per
//! lot) → `released` (only a passing lot, checked by a second person: with typed names a
//! checker who is neither the person releasing nor the compounder; with the web app's accounts
//! the logged-in pharmacist releasing, who must not be the compounder, see [`Checker`]) or
//! `rejected` (from any status but released). Sessions are recorded only
//! from a released lot, on a date from its compounding date to its BUD.
//!
//! # The audit chain
//!
//! Every change appends one event `(seq, at, actor, action, lot, data)`: `seq` counts from 1
//! without gaps, `at` is UTC as `YYYY-MM-DDTHH:MM:SS.ffffffZ`, `actor` is the person named,
//! `action` one of `lot.new`, `lot.verify`, `lot.release`, `lot.reject`, `session.record`,
//! `user.add`, `user.disable`,
//! `lot` the lot number (empty for none) and `data` a JSON text stored and hashed byte for byte
//! as written (never re-serialised, so no backend's JSON formatting enters the hash). The
//! **canonical bytes** of an event are
//!
//! ```text
//! "stscalc-audit-v1\n" F(seq) F(at) F(actor) F(action) F(lot) F(data)
//! F(x) = <byte length of x's UTF-8 in decimal> ":" <x's UTF-8 bytes> "\n"
//! ```
//!
//! (`seq` written in decimal without leading zeros), and the event's **hash** is the lowercase
//! hexadecimal SHA-256 of the previous event's hash (its 64 ASCII hex characters; 64 `0`s for
//! event 1) followed by the canonical bytes. Each row stores `prev_hash` and `hash`.
//! [`RegisterStore::verify_audit`] recomputes the chain from event 1 and names the first event
//! that was changed, is missing, or does not follow its predecessor; it returns the head (the
//! last hash). Someone who rewrites the whole chain from a changed event on is caught only by a
//! head kept elsewhere: given an earlier head, verification also requires the chain to contain
//! it, which also detects a truncated tail. [`audit::event_hash`] computes a hash, so any
//! backend or outside tool reproduces it.

pub mod audit;
pub mod password;
pub mod pgconn;
mod postgres;
mod rules;
pub mod schema;
mod sqlite;
pub mod transfer;

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveTime};
use serde::Serialize;

pub use pgconn::PostgresUrl;
pub use postgres::PostgresRegister;
pub use sqlite::SqliteRegister;
pub use transfer::{export, import};

/// Result of the register's operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything the register refuses or fails at: one line each, naming the lot or file.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A value given to the register is not what was expected.
    #[error("`{field}`: expected {expected}, found {found}")]
    Input {
        /// The field, e.g. `by`.
        field: String,
        /// What a valid value looks like.
        expected: String,
        /// What was given.
        found: String,
    },
    /// No lot with that number in the register.
    #[error("unknown lot `{0}`: it is not in the register")]
    UnknownLot(String),

    /// `user add` of a name the register has.
    #[error("user `{0}` exists already: give another name")]
    UserExists(String),

    /// A user name the register does not have.
    #[error("unknown user `{0}`: it is not in the register")]
    UnknownUser(String),
    /// A lot number given by the user that the register already holds.
    #[error("lot `{0}` is already in the register: give another number")]
    DuplicateLot(String),
    /// All 99 sequence numbers of a code on one day are taken.
    #[error(
        "lot scheme `{code}-{date}-NN` is full: 99 batches registered that day; give a lot number"
    )]
    SchemeFull {
        /// The lot code.
        code: String,
        /// The compounding date as `YYYYMMDD`.
        date: String,
    },
    /// Releasing a lot that has not been verified.
    #[error("lot `{0}` cannot be released: it has not been verified")]
    NotVerified(String),
    /// Releasing a lot whose verification failed.
    #[error("lot `{0}` cannot be released: its verification failed")]
    VerificationFailed(String),
    /// Any change to a rejected lot.
    #[error("lot `{0}` was rejected: nothing more can be recorded for it")]
    Rejected(String),
    /// Verifying, releasing or rejecting a lot already released.
    #[error("lot `{0}` is already released")]
    AlreadyReleased(String),
    /// A second verification.
    #[error("lot `{0}` is already verified: a lot is verified once")]
    AlreadyVerified(String),
    /// The releasing and checking person are the same (or the checker compounded the lot).
    #[error("lot `{lot}`: the checker `{checker}` must be a second person, not {role} `{person}`")]
    SamePerson {
        /// The lot.
        lot: String,
        /// The checker named.
        checker: String,
        /// `the person releasing` or `the compounder`.
        role: String,
        /// The other person's name.
        person: String,
    },
    /// An authenticated release by the pharmacist who compounded the lot.
    #[error("lot `{lot}`: `{user}` compounded it, so another pharmacist must release it")]
    ReleaseOwnLot {
        /// The lot.
        lot: String,
        /// The pharmacist releasing.
        user: String,
    },
    /// An authenticated release by a name that is not an enabled pharmacist of the register.
    #[error(
        "lot `{lot}`: `{user}` is not an enabled pharmacist of the register, so cannot release it"
    )]
    NotAPharmacist {
        /// The lot.
        lot: String,
        /// The name releasing.
        user: String,
    },
    /// A session recorded from a lot that is not released.
    #[error("lot `{lot}` is {status}, not released: no session can be recorded from it")]
    NotReleased {
        /// The lot.
        lot: String,
        /// Its status.
        status: Status,
    },
    /// A session dated after the lot's BUD.
    #[error("lot `{lot}` is past its beyond-use date {bud} on the session date {date}")]
    Expired {
        /// The lot.
        lot: String,
        /// Its BUD.
        bud: NaiveDate,
        /// The session date.
        date: NaiveDate,
    },
    /// The register was written by a newer stscalc.
    #[error("register `{path}` has schema version {found}; this stscalc reads up to {supported}: use a newer stscalc")]
    NewerSchema {
        /// The register.
        path: String,
        /// Its schema version.
        found: u32,
        /// The newest this build knows.
        supported: u32,
    },
    /// The file is not an SQLite database.
    #[error("register `{0}` is not an SQLite database")]
    NotADatabase(String),
    /// An SQLite database that holds other tables than a register's.
    #[error("`{0}` is an SQLite database but not an stscalc register")]
    NotARegister(String),
    /// The register cannot be written.
    #[error("register `{0}` is read-only: nothing was written")]
    ReadOnly(String),
    /// An import into a register that holds lots or events already.
    #[error("register `{0}` is not empty: import only into a new register")]
    NotEmpty(String),
    /// A backup target that exists already.
    #[error("backup `{0}` exists already: give a new path")]
    Exists(String),
    /// The audit chain does not verify.
    #[error("audit trail: {0}")]
    Audit(AuditFault),
    /// The tables disagree with the audit events, or SQLite's integrity check failed.
    #[error("register check: {0}")]
    Inconsistent(String),
    /// A file-system error.
    #[error("register `{path}`: {source}")]
    Io {
        /// The path.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// The PostgreSQL server cannot be reached or refused the connection (the cause as the
    /// server or network said it, never with the password).
    #[error("register `{register}`: cannot connect to the PostgreSQL server: {cause}")]
    Connect {
        /// The register's URL without its password.
        register: String,
        /// What went wrong.
        cause: String,
    },
    /// A database error not foreseen above.
    #[error("register database: {0}")]
    Database(String),
}

/// The first thing wrong in an audit chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditFault {
    /// The stored hash does not match the event's content.
    #[error("event {seq} was changed after it was written: its content does not match its hash")]
    Changed {
        /// The event.
        seq: u64,
    },
    /// The event does not name the previous event's hash.
    #[error("event {seq} does not follow event {}: an event was inserted or deleted before it", seq - 1)]
    Unlinked {
        /// The event.
        seq: u64,
    },
    /// A gap in the sequence.
    #[error("event {seq} is missing (the next stored event is {next}): it was deleted")]
    Missing {
        /// The missing event.
        seq: u64,
        /// The next one found.
        next: u64,
    },
    /// The expected head is not in the chain.
    #[error("head {expected} is not in the chain ({events} events, head {found}): events were removed or rewritten")]
    Head {
        /// The head given.
        expected: String,
        /// The chain's head.
        found: String,
        /// Events in the chain.
        events: u64,
    },
}

/// A lot's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Registered, in quarantine: not verified yet.
    InPreparation,
    /// Verified within tolerance: may be released.
    VerifiedPass,
    /// Verified outside tolerance: may only be rejected.
    VerifiedFail,
    /// Released by two people: may be dispensed until its BUD.
    Released,
    /// Rejected: never dispensed.
    Rejected,
}

impl Status {
    /// The name stored and shown (`in_preparation`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::InPreparation => "in_preparation",
            Status::VerifiedPass => "verified_pass",
            Status::VerifiedFail => "verified_fail",
            Status::Released => "released",
            Status::Rejected => "rejected",
        }
    }

    /// The status named `s` (as [`Status::as_str`] writes it).
    pub fn parse(s: &str) -> Option<Status> {
        [
            Status::InPreparation,
            Status::VerifiedPass,
            Status::VerifiedFail,
            Status::Released,
            Status::Rejected,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Status::InPreparation => "in preparation (quarantine)",
            Status::VerifiedPass => "verified, passed",
            Status::VerifiedFail => "verified, failed",
            Status::Released => "released",
            Status::Rejected => "rejected",
        })
    }
}

/// How the lot is numbered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LotNumbering {
    /// The scheme `CODE-YYYYMMDD-NN`: the register assigns `NN` on the compounding date.
    Scheme {
        /// The lot code ([`crate::plan::record::lot_code`]), e.g. `STS25ZO`.
        code: String,
    },
    /// A number given by the user (`--lot`): refused if the register holds it already.
    Given(String),
}

/// A beyond-use date, with its time when counted in hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Bud {
    /// Last day of use.
    pub date: NaiveDate,
    /// The time it ends that day, for a BUD counted in hours.
    pub time: Option<NaiveTime>,
}

/// One component lot used in a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComponentUse {
    /// The formula's component id, e.g. `sts`.
    pub component_id: String,
    /// The supplier's lot (required: a lot in the register is traceable).
    pub lot: String,
    /// Its expiry, if stated.
    pub expiry: Option<NaiveDate>,
}

/// A batch to register.
#[derive(Debug, Clone)]
pub struct NewLot {
    /// The formula id.
    pub formula_id: String,
    /// How to number it.
    pub numbering: LotNumbering,
    /// The compounding date (and the lot number's date).
    pub compounded_on: NaiveDate,
    /// The compounding time, if given.
    pub compounded_time: Option<NaiveTime>,
    /// The typed request, as JSON.
    pub request_json: String,
    /// The plan with its record, as JSON (what `batch --format json` prints).
    pub plan_json: String,
    /// The formula file's text.
    pub formula_text: String,
    /// SHA-256 (lowercase hex) of `formula_text`: checked against it.
    pub formula_sha256: String,
    /// Hash of the templates that printed the record.
    pub templates_sha256: String,
    /// The stscalc version.
    pub stscalc_version: String,
    /// Who compounds it.
    pub by: String,
    /// The component lots.
    pub components: Vec<ComponentUse>,
    /// The beyond-use date.
    pub bud: Bud,
}

/// What the register assigned to a new lot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LotCreated {
    /// The lot number.
    pub lot: String,
    /// The sequence of the day, for a scheme number.
    pub sequence: Option<u32>,
    /// When it was registered (UTC, as the audit writes it).
    pub at: String,
    /// Its audit event.
    pub event_seq: u64,
}

/// A verification of a lot's weights.
#[derive(Debug, Clone)]
pub struct Verification {
    /// The lot.
    pub lot: String,
    /// Who weighed.
    pub by: String,
    /// Within tolerance.
    pub passed: bool,
    /// The weights and the result, as JSON (what `verify --format json` prints).
    pub data_json: String,
}

/// A release, checked by a second person: see [`Checker`] for who that is.
#[derive(Debug, Clone)]
pub struct Release {
    /// The lot.
    pub lot: String,
    /// Who releases.
    pub by: String,
    /// Who is the independent second check.
    pub checker: Checker,
}

/// Who checked a release, and how the register knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checker {
    /// A name typed beside the releaser's (the command line, the web app without accounts):
    /// nobody vouches for either name, so the lot takes three: the checker is neither the
    /// person releasing nor the compounder. Stored as `checked_by` = that name, and the event
    /// data `{"checked_by": NAME}`.
    Typed(String),
    /// The releaser is a logged-in user of the web app, authenticated by password: that
    /// pharmacist is the independent second check of the compounder's work, so the lot takes
    /// two. The register refuses it unless the releaser is an enabled pharmacist among its
    /// users and did not compound the lot. Stored as `checked_by` = `by`, and the event data
    /// `{"checked_by": NAME, "check": "authenticated_releaser"}`.
    AuthenticatedReleaser,
}

/// A rejection.
#[derive(Debug, Clone)]
pub struct Rejection {
    /// The lot.
    pub lot: String,
    /// Who rejects.
    pub by: String,
    /// Why.
    pub reason: String,
}

/// A session's doses given from a lot.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    /// The lot.
    pub lot: String,
    /// The patient's identifier (as the pharmacy writes it; no name needed).
    pub patient_id: String,
    /// The session date.
    pub date: NaiveDate,
    /// The doses, as JSON (the session plan).
    pub doses_json: String,
    /// Who records it.
    pub by: String,
}

/// A lot in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LotSummary {
    /// The lot number.
    pub lot: String,
    /// The formula id.
    pub formula_id: String,
    /// Compounding date.
    pub compounded_on: NaiveDate,
    /// Beyond-use date.
    pub bud: Bud,
    /// Status.
    pub status: Status,
    /// Who compounded it.
    pub created_by: String,
    /// When it was registered.
    pub created_at: String,
}

/// A recorded verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerificationRow {
    /// Who weighed.
    pub by: String,
    /// When.
    pub at: String,
    /// Passed.
    pub passed: bool,
    /// The weights and result.
    pub data_json: String,
}

/// A recorded release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseRow {
    /// Who released.
    pub by: String,
    /// Who checked (the releaser, for a [`Checker::AuthenticatedReleaser`] release).
    pub checked_by: String,
    /// When.
    pub at: String,
}

/// A recorded rejection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectionRow {
    /// Who rejected.
    pub by: String,
    /// Why.
    pub reason: String,
    /// When.
    pub at: String,
}

/// A recorded session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionRow {
    /// The lot it was given from.
    pub lot: String,
    /// The patient's identifier.
    pub patient_id: String,
    /// The session date.
    pub date: NaiveDate,
    /// The doses.
    pub doses_json: String,
    /// Who recorded it.
    pub by: String,
    /// When.
    pub at: String,
}

/// Everything stored about a lot: the record as issued and every later event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LotDetail {
    /// The list fields.
    pub summary: LotSummary,
    /// The sequence of the day, for a scheme number.
    pub sequence: Option<u32>,
    /// Compounding time, if given.
    pub compounded_time: Option<NaiveTime>,
    /// The request as stored.
    pub request_json: String,
    /// The plan as stored (reprints use it, never a recalculation).
    pub plan_json: String,
    /// The formula text as used.
    pub formula_text: String,
    /// Its SHA-256.
    pub formula_sha256: String,
    /// The templates' hash.
    pub templates_sha256: String,
    /// The stscalc version that registered it.
    pub stscalc_version: String,
    /// The component lots.
    pub components: Vec<ComponentUse>,
    /// The verification, if any.
    pub verification: Option<VerificationRow>,
    /// The release, if any.
    pub release: Option<ReleaseRow>,
    /// The rejection, if any.
    pub rejection: Option<RejectionRow>,
    /// Sessions given from it.
    pub sessions: Vec<SessionRow>,
    /// Its audit events, oldest first.
    pub events: Vec<AuditEvent>,
}

/// A lot found by a recall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecallHit {
    /// The lot, its status and BUD.
    pub lot: LotSummary,
    /// The component lot that matched (as the lot recorded it), for a recall by component.
    pub component: Option<ComponentUse>,
    /// The sessions given from it.
    pub sessions: Vec<SessionRow>,
}

/// One audit event as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEvent {
    /// Position in the chain, from 1.
    pub seq: u64,
    /// When (UTC).
    pub at: String,
    /// Who.
    pub actor: String,
    /// What (`lot.new`, …).
    pub action: String,
    /// The lot, if the event concerns one.
    pub lot: Option<String>,
    /// The event's data, JSON as hashed.
    pub data_json: String,
    /// The previous event's hash.
    pub prev_hash: String,
    /// This event's hash.
    pub hash: String,
}

/// A verified chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditHead {
    /// Number of events.
    pub events: u64,
    /// The last event's hash ([`audit::GENESIS`] when empty).
    pub head: String,
}

/// What `lot list` filters on; every field optional.
#[derive(Debug, Clone, Default)]
pub struct LotFilter {
    /// Only this formula.
    pub formula_id: Option<String>,
    /// Only this status.
    pub status: Option<Status>,
    /// Compounded on or after.
    pub since: Option<NaiveDate>,
    /// Compounded on or before.
    pub until: Option<NaiveDate>,
    /// At most this many (newest first).
    pub limit: Option<u32>,
}

/// What `register check` found when all is well.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    /// The verified chain.
    pub audit: AuditHead,
    /// Lots checked against their events.
    pub lots: u64,
    /// Users checked against their `user.add` and `user.disable` events (a role or a
    /// disabled flag changed behind the audit trail is reported).
    pub users: u64,
}

/// What a user may do in the web app: a technician issues and verifies lots; a pharmacist
/// also releases and rejects them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Issues and verifies lots, records sessions.
    Technician,
    /// Everything a technician does, and releases and rejects lots.
    Pharmacist,
}

impl Role {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Technician => "technician",
            Role::Pharmacist => "pharmacist",
        }
    }

    /// Reads the stored spelling.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "technician" => Some(Role::Technician),
            "pharmacist" => Some(Role::Pharmacist),
            _ => None,
        }
    }
}

/// A user account of the web app, as `user list` shows it (never its password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// The login name (lowercase letters, digits, `.`, `_`, `-`).
    pub name: String,
    /// What the user may do.
    pub role: Role,
    /// A disabled user cannot log in; the name stays taken (events name it).
    pub disabled: bool,
    /// When the account was added (UTC).
    pub created_at: String,
}

/// The register's interface: what the commands call, whatever the backend.
pub trait RegisterStore: Send {
    /// Registers a batch and assigns its lot number atomically; status `in_preparation`.
    fn new_lot(&mut self, lot: &NewLot) -> Result<LotCreated>;
    /// Records the verification of a lot in preparation.
    fn verify(&mut self, v: &Verification) -> Result<AuditEvent>;
    /// Releases a verified, passing lot (two different people).
    fn release(&mut self, r: &Release) -> Result<AuditEvent>;
    /// Rejects a lot that is not released.
    fn reject(&mut self, r: &Rejection) -> Result<AuditEvent>;
    /// Records a session given from a released lot within its BUD.
    fn record_session(&mut self, s: &SessionRecord) -> Result<AuditEvent>;
    /// Everything stored about a lot.
    fn lot(&self, lot: &str) -> Result<LotDetail>;
    /// Lots matching the filter, newest compounding date first.
    fn list(&self, filter: &LotFilter) -> Result<Vec<LotSummary>>;
    /// Every lot made with the supplier's lot `lot` of component `component_id` (the lot
    /// compared without regard to capitals), with its sessions.
    fn recall_component(&self, component_id: &str, lot: &str) -> Result<Vec<RecallHit>>;
    /// The lot itself and its sessions (a recall of one of our own lots).
    fn recall_lot(&self, lot: &str) -> Result<RecallHit>;
    /// The audit events, of one lot or all, oldest first.
    fn audit(&self, lot: Option<&str>) -> Result<Vec<AuditEvent>>;
    /// Recomputes the audit chain (see the module docs); returns its head.
    fn verify_audit(&self, expected_head: Option<&str>) -> Result<AuditHead>;
    /// The database's own integrity check, the audit chain, and every table row against the
    /// event that wrote it (and every lot's status against its events).
    fn check(&self) -> Result<CheckReport>;
    /// A consistent copy of the register at a new path (refused if the path exists).
    fn backup(&self, to: &Path) -> Result<()>;
    /// The schema version of the open register.
    fn schema_version(&self) -> Result<u32>;
    /// Writes a whole exported register ([`transfer`]) into this one, which must be empty, in
    /// one transaction: the events as they were (times and hashes kept) and every row, then
    /// checks the chain against the dump's head and every row against its event before
    /// committing. Call [`import`], which reads and verifies the file first.
    fn import(&mut self, dump: &transfer::Dump) -> Result<CheckReport>;
    /// Adds a user with a password hash (PHC string, made by the caller), writing a `user.add`
    /// event by `actor` whose data names the user and role, never the hash.
    fn add_user(
        &mut self,
        actor: &str,
        name: &str,
        role: Role,
        password_hash: &str,
    ) -> Result<AuditEvent>;
    /// Disables a user (a `user.disable` event); the account stays, so events still name it.
    fn disable_user(&mut self, actor: &str, name: &str) -> Result<AuditEvent>;
    /// Every user, by name.
    fn users(&self) -> Result<Vec<User>>;
    /// A user and the stored password hash, to check a login.
    fn user_login(&self, name: &str) -> Result<Option<(User, String)>>;
}

/// Where a register lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// An SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL database, by its URL (`postgres://…` or `postgresql://…`).
    Postgres(PostgresUrl),
}

impl Location {
    /// `value` (of `--register` or `STSCALC_REGISTER`) as a location: a PostgreSQL URL, else a
    /// file path.
    pub fn from_setting(value: &std::ffi::OsStr) -> Location {
        match value.to_str().and_then(PostgresUrl::parse) {
            Some(url) => Location::Postgres(url),
            None => Location::Sqlite(PathBuf::from(value)),
        }
    }
}

/// The register to use: `explicit` (`--register`), else `STSCALC_REGISTER` (either a file path
/// or a `postgres://`/`postgresql://` URL), else
/// `$XDG_DATA_HOME/stscalc/register.sqlite3`, else `$HOME/.local/share/stscalc/register.sqlite3`.
/// `env` reads a variable (pass `|k| std::env::var_os(k)`; tests pass their own).
pub fn default_location(
    explicit: Option<&Path>,
    env: impl Fn(&str) -> Option<std::ffi::OsString>,
) -> Result<Location> {
    let nonempty = |k: &str| env(k).filter(|v| !v.is_empty());
    if let Some(p) = explicit {
        return Ok(Location::from_setting(p.as_os_str()));
    }
    if let Some(p) = nonempty("STSCALC_REGISTER") {
        return Ok(Location::from_setting(&p));
    }
    // The XDG spec: a relative XDG_DATA_HOME is invalid and ignored.
    if let Some(d) = nonempty("XDG_DATA_HOME").map(PathBuf::from) {
        if d.is_absolute() {
            return Ok(Location::Sqlite(d.join("stscalc").join("register.sqlite3")));
        }
    }
    match nonempty("HOME") {
        Some(h) => Ok(Location::Sqlite(
            PathBuf::from(h).join(".local/share/stscalc/register.sqlite3"),
        )),
        None => Err(Error::Input {
            field: "--register".into(),
            expected: "a register path (or STSCALC_REGISTER, XDG_DATA_HOME or HOME set)".into(),
            found: "none of them".into(),
        }),
    }
}

/// Opens (creating on first use and migrating) the register at `location`.
pub fn open(location: &Location) -> Result<Box<dyn RegisterStore>> {
    match location {
        Location::Sqlite(p) => Ok(Box::new(SqliteRegister::open(p)?)),
        Location::Postgres(url) => Ok(Box::new(PostgresRegister::open(url)?)),
    }
}
