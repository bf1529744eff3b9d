//! Moving a register between backends (`stscalc register export` / `import`, and the backup of
//! a PostgreSQL register to an SQLite file): every audit event and every row, as JSON Lines.
//!
//! # The export format (`stscalc-register-export`, version 2)
//!
//! UTF-8 text, one JSON object per line, each with a `"type"`:
//!
//! 1. One `header` line: `{"type":"header","format":"stscalc-register-export","version":2,
//!    "schema":3,"events":N,"users":K,"lots":M,"head":"<64 hex>"}`: the schema version of the
//!    register exported, how many event, user and lot lines follow, and the head of its audit
//!    chain.
//! 2. `N` `event` lines, by `seq` from 1: `{"type":"event","seq":1,"at":"…","actor":"…",
//!    "action":"lot.new","lot":"…","data":"…","prev_hash":"…","hash":"…"}`: the six fields of
//!    the canonical form (see [`crate::register`]) exactly as hashed (`lot` is `""` for an event
//!    of no lot; `data` is the JSON text as a JSON string, never re-serialised) and both hashes.
//! 3. `K` `user` lines, by name: `{"type":"user","name":"ann","role":"pharmacist",
//!    "password_hash":"$argon2id$v=19$…","disabled":false,"created_at":"…","event_seq":3}`: every
//!    column of the users table (schema 3), the password's argon2id hash (PHC string) carried
//!    verbatim, so a user logs in after an import with the same password. **An export holds
//!    the password hashes: keep it as the register itself is kept** (`register export -o FILE`
//!    writes the file with mode 0600, whatever the umask). Each user row names its `user.add`
//!    event; `disabled` is true exactly when a `user.disable` event names the user, and the
//!    import checks both against the events before writing anything.
//! 4. `M` `lot` lines, in the order the lots were registered: every column of the lot as stored
//!    (`lot`, `scheme_code` and `sequence` (null for a number given by hand), `formula_id`,
//!    `compounded_on` and `bud_date` as `YYYY-MM-DD`, `compounded_time` and `bud_time` as
//!    `HH:MM:SS` or null, `status`, `created_by`, `created_at`, `request_json`, `plan_json`,
//!    `formula_sha256`, `formula_text`, `templates_sha256`, `stscalc_version`, and `event_seq`,
//!    its `lot.new` event), with its rows: `components` (`component_id`, `lot`, `expiry`),
//!    `verification` (`by`, `at`, `passed`, `data_json`, `event_seq`) or null, `release`
//!    (`by`, `checked_by`, `at`, `event_seq`) or null, `rejection` (`by`, `reason`, `at`,
//!    `event_seq`) or null, and `sessions` (`patient_id`, `date`, `doses_json`, `by`, `at`,
//!    `event_seq`), each naming the event that wrote it.
//!
//! Version 1 (stscalc before users were exported) had no `users` count and no user lines; it is
//! still read, unless it holds `user.*` events: their accounts, hashes and all, are not in it,
//! so the import refuses it rather than make a register whose events name users it lacks.
//!
//! An export is taken at one moment (if the register changes while it is read, it is read
//! again) from a register whose chain verifies. An import goes only into an empty register: it
//! verifies the chain of the file against the head in its header *before* writing, writes
//! everything in one transaction, then checks the chain and every row against its event (as
//! `register check` does) before committing, so a file that does not verify leaves the
//! register empty. The events keep their times and hashes, so the imported register prints the
//! same head: a chain made on SQLite verifies the same on PostgreSQL, and back.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::rules::{date_text, parse_date, parse_time, time_text};
use super::schema::LATEST;
use super::{audit, AuditEvent, CheckReport, Error, LotFilter, RegisterStore, Result, Status};

/// The name of the format, in the header.
pub const FORMAT: &str = "stscalc-register-export";
/// The version of the format this stscalc writes (it reads this one and version 1).
pub const FORMAT_VERSION: u32 = 2;

/// A user row: every column of the users table, the password hash verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedUser {
    /// The login name.
    pub name: String,
    /// `technician` or `pharmacist`.
    pub role: String,
    /// The argon2id PHC string, as stored.
    pub password_hash: String,
    /// Disabled by a `user.disable` event.
    pub disabled: bool,
    /// When it was added (its `user.add` event's time).
    pub created_at: String,
    /// Its `user.add` event.
    pub event_seq: u64,
}

/// A component row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedComponent {
    /// The formula's component id.
    pub component_id: String,
    /// The supplier's lot.
    pub lot: String,
    /// Its expiry, `YYYY-MM-DD`.
    pub expiry: Option<String>,
}

/// A verification row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedVerification {
    /// Who weighed.
    pub by: String,
    /// When.
    pub at: String,
    /// Within tolerance.
    pub passed: bool,
    /// The weights and result.
    pub data_json: String,
    /// The event that wrote it.
    pub event_seq: u64,
}

/// A release row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedRelease {
    /// Who released.
    pub by: String,
    /// Who checked.
    pub checked_by: String,
    /// When.
    pub at: String,
    /// The event that wrote it.
    pub event_seq: u64,
}

/// A rejection row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedRejection {
    /// Who rejected.
    pub by: String,
    /// Why.
    pub reason: String,
    /// When.
    pub at: String,
    /// The event that wrote it.
    pub event_seq: u64,
}

/// A session row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedSession {
    /// The patient's identifier.
    pub patient_id: String,
    /// The session date, `YYYY-MM-DD`.
    pub date: String,
    /// The doses.
    pub doses_json: String,
    /// Who recorded it.
    pub by: String,
    /// When.
    pub at: String,
    /// The event that wrote it.
    pub event_seq: u64,
}

/// A lot and its rows, every column as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedLot {
    /// The lot number.
    pub lot: String,
    /// The scheme's code, for a scheme number.
    pub scheme_code: Option<String>,
    /// The sequence of the day, for a scheme number.
    pub sequence: Option<u32>,
    /// The formula id.
    pub formula_id: String,
    /// `YYYY-MM-DD`.
    pub compounded_on: String,
    /// `HH:MM:SS`.
    pub compounded_time: Option<String>,
    /// `YYYY-MM-DD`.
    pub bud_date: String,
    /// `HH:MM:SS`.
    pub bud_time: Option<String>,
    /// As [`Status::as_str`] writes it.
    pub status: String,
    /// Who compounded it.
    pub created_by: String,
    /// When it was registered.
    pub created_at: String,
    /// The request.
    pub request_json: String,
    /// The plan.
    pub plan_json: String,
    /// The formula text's SHA-256.
    pub formula_sha256: String,
    /// The formula text.
    pub formula_text: String,
    /// The templates' hash.
    pub templates_sha256: String,
    /// The stscalc version that registered it.
    pub stscalc_version: String,
    /// Its `lot.new` event.
    pub event_seq: u64,
    /// The component lots.
    pub components: Vec<ExportedComponent>,
    /// The verification.
    pub verification: Option<ExportedVerification>,
    /// The release.
    pub release: Option<ExportedRelease>,
    /// The rejection.
    pub rejection: Option<ExportedRejection>,
    /// The sessions.
    pub sessions: Vec<ExportedSession>,
}

/// An audit event line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct ExportedEvent {
    seq: u64,
    at: String,
    actor: String,
    action: String,
    lot: String,
    data: String,
    prev_hash: String,
    hash: String,
}

/// The header line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
    schema: u32,
    events: u64,
    /// Absent in version 1.
    #[serde(default)]
    users: u64,
    lots: u64,
    head: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Line {
    Header(Header),
    Event(ExportedEvent),
    User(ExportedUser),
    Lot(Box<ExportedLot>),
}

/// A whole register, as exported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dump {
    /// The schema version of the register exported.
    pub schema: u32,
    /// The head of its chain.
    pub head: String,
    /// Every event, by `seq`.
    pub events: Vec<AuditEvent>,
    /// Every user, by name, with the password hash.
    pub users: Vec<ExportedUser>,
    /// Every lot and its rows, in the order registered.
    pub lots: Vec<ExportedLot>,
}

/// The `user.add` event of each user name: its seq, time and data.
fn user_adds(events: &[AuditEvent]) -> HashMap<String, &AuditEvent> {
    events
        .iter()
        .filter(|e| e.action == "user.add")
        .filter_map(|e| {
            let v: serde_json::Value = serde_json::from_str(&e.data_json).ok()?;
            Some((v["name"].as_str()?.to_string(), e))
        })
        .collect()
}

/// Every user of `store` with its hash, each tied to its `user.add` event.
fn dump_users(store: &dyn RegisterStore, events: &[AuditEvent]) -> Result<Vec<ExportedUser>> {
    let adds = user_adds(events);
    let mut users = Vec::new();
    for u in store.users()? {
        let (user, hash) = store.user_login(&u.name)?.ok_or_else(|| {
            Error::Inconsistent(format!(
                "user `{}` cannot be read back by its name: its row was changed outside stscalc (a user's name is lowercase, as `user add` stores it), or removed while it was read",
                u.name.escape_debug()
            ))
        })?;
        let event_seq = adds.get(&user.name).map(|e| e.seq).ok_or_else(|| {
            Error::Inconsistent(format!("user `{}` has no user.add event", user.name))
        })?;
        users.push(ExportedUser {
            role: user.role.as_str().to_string(),
            password_hash: hash,
            disabled: user.disabled,
            created_at: user.created_at,
            event_seq,
            name: user.name,
        });
    }
    users.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(users)
}

/// Checks the user rows of an export against its events, before anything is written: each row
/// a valid name, role and argon2 PHC hash, written by the `user.add` event it names (same
/// name, role and time), disabled exactly when a `user.disable` event names it, and one row for
/// each `user.add` event.
pub(super) fn check_users(events: &[AuditEvent], users: &[ExportedUser]) -> Result<()> {
    check_users_of("the import", events, users)
}

/// The users of `store` checked against its events as an import's are ([`check_users`]), read
/// at one moment: the events are read again after the users, and all of it again when they
/// changed meanwhile. Returns how many users there are.
pub(super) fn check_stored_users(store: &dyn RegisterStore) -> Result<u64> {
    for _ in 0..5 {
        let events = store.audit(None)?;
        let users = dump_users(store, &events);
        if store.audit(None)?.len() != events.len() {
            continue;
        }
        let users = users?;
        check_users_of("the register", &events, &users)?;
        return Ok(users.len() as u64);
    }
    Err(Error::Inconsistent(
        "the register's users kept changing while they were checked: check again".into(),
    ))
}

/// [`check_users`] of `whose` users (`the import`, `the register`).
fn check_users_of(whose: &str, events: &[AuditEvent], users: &[ExportedUser]) -> Result<()> {
    let bad = |u: &ExportedUser, why: &str| {
        Error::Inconsistent(format!(
            "user `{}` of {whose}: {why}",
            u.name.escape_debug()
        ))
    };
    let adds = user_adds(events);
    let disabled: std::collections::HashSet<String> = events
        .iter()
        .filter(|e| e.action == "user.disable")
        .filter_map(|e| {
            let v: serde_json::Value = serde_json::from_str(&e.data_json).ok()?;
            Some(v["name"].as_str()?.to_string())
        })
        .collect();
    let mut seen = std::collections::HashSet::new();
    for u in users {
        if super::rules::user_name(&u.name).ok().as_deref() != Some(u.name.as_str()) {
            return Err(bad(u, "not a user name"));
        }
        if !seen.insert(u.name.as_str()) {
            return Err(bad(u, "listed twice"));
        }
        let Some(role) = super::Role::parse(&u.role) else {
            return Err(bad(u, "unknown role"));
        };
        if !super::password::is_phc(&u.password_hash) {
            return Err(bad(u, "the password hash is not a PHC string"));
        }
        let event = adds.get(&u.name).filter(|e| {
            e.seq == u.event_seq
                && e.at == u.created_at
                && (e.data_json
                    == super::rules::user_add_data(&u.name, role, &u.password_hash)
                    // An event written before the hash's digest was kept.
                    || e.data_json == super::rules::user_event_data(&u.name, Some(role)))
        });
        if event.is_none() {
            return Err(bad(u, "its row differs from its user.add event"));
        }
        if u.disabled != disabled.contains(&u.name) {
            return Err(bad(u, "`disabled` differs from its user.disable events"));
        }
    }
    if adds.len() != users.len() {
        return Err(Error::Inconsistent(format!(
            "{whose} has {} user.add events but {} user rows",
            adds.len(),
            users.len()
        )));
    }
    Ok(())
}

/// Everything in `store`, at one moment, from a chain that verifies.
pub fn dump(store: &dyn RegisterStore) -> Result<Dump> {
    // Read the events, then the lots, then the events again: if something was written in
    // between, read again (a few times; a register that never stops changing for that long is
    // reported).
    for _ in 0..5 {
        let events = store.audit(None)?;
        let head = audit::verify_chain(events.iter().cloned().map(Ok), None)?;
        let mut by_key: HashMap<(&str, &str, &str), u64> = HashMap::new();
        for e in &events {
            by_key.insert(
                (
                    e.lot.as_deref().unwrap_or(""),
                    e.action.as_str(),
                    e.at.as_str(),
                ),
                e.seq,
            );
        }
        let seq_of = |lot: &str, action: &str, at: &str| -> Result<u64> {
            by_key.get(&(lot, action, at)).copied().ok_or_else(|| {
                Error::Inconsistent(format!(
                    "lot `{lot}`: no {action} event at {at} for its row: the row was changed"
                ))
            })
        };
        let mut lots = Vec::new();
        let mut changed = false;
        for summary in store.list(&LotFilter::default())? {
            let d = store.lot(&summary.lot)?;
            let lot = d.summary.lot.clone();
            let event_seq = match seq_of(&lot, "lot.new", &d.summary.created_at) {
                Ok(s) => s,
                Err(_) if d.events.iter().any(|e| e.seq > head.events) => {
                    changed = true;
                    break;
                }
                Err(e) => return Err(e),
            };
            if d.events.iter().any(|e| e.seq > head.events) {
                changed = true;
                break;
            }
            lots.push(ExportedLot {
                scheme_code: d
                    .sequence
                    .map(|_| lot[..lot.len().saturating_sub(12)].to_string()),
                sequence: d.sequence,
                formula_id: d.summary.formula_id,
                compounded_on: date_text(d.summary.compounded_on),
                compounded_time: d.compounded_time.map(time_text),
                bud_date: date_text(d.summary.bud.date),
                bud_time: d.summary.bud.time.map(time_text),
                status: d.summary.status.as_str().to_string(),
                created_by: d.summary.created_by,
                created_at: d.summary.created_at,
                request_json: d.request_json,
                plan_json: d.plan_json,
                formula_sha256: d.formula_sha256,
                formula_text: d.formula_text,
                templates_sha256: d.templates_sha256,
                stscalc_version: d.stscalc_version,
                event_seq,
                components: d
                    .components
                    .into_iter()
                    .map(|c| ExportedComponent {
                        component_id: c.component_id,
                        lot: c.lot,
                        expiry: c.expiry.map(date_text),
                    })
                    .collect(),
                verification: d
                    .verification
                    .map(|v| {
                        Ok(ExportedVerification {
                            event_seq: seq_of(&lot, "lot.verify", &v.at)?,
                            by: v.by,
                            at: v.at,
                            passed: v.passed,
                            data_json: v.data_json,
                        })
                    })
                    .transpose()?,
                release: d
                    .release
                    .map(|r| {
                        Ok(ExportedRelease {
                            event_seq: seq_of(&lot, "lot.release", &r.at)?,
                            by: r.by,
                            checked_by: r.checked_by,
                            at: r.at,
                        })
                    })
                    .transpose()?,
                rejection: d
                    .rejection
                    .map(|r| {
                        Ok(ExportedRejection {
                            event_seq: seq_of(&lot, "lot.reject", &r.at)?,
                            by: r.by,
                            reason: r.reason,
                            at: r.at,
                        })
                    })
                    .transpose()?,
                sessions: d
                    .sessions
                    .into_iter()
                    .map(|s| {
                        Ok(ExportedSession {
                            event_seq: seq_of(&lot, "session.record", &s.at)?,
                            patient_id: s.patient_id,
                            date: date_text(s.date),
                            doses_json: s.doses_json,
                            by: s.by,
                            at: s.at,
                        })
                    })
                    .collect::<Result<_>>()?,
                lot,
            });
        }
        if changed || store.audit(None)?.len() as u64 != head.events {
            continue;
        }
        lots.sort_by_key(|l| l.event_seq);
        // Users change only with a user.* event, in the same transaction: the count above
        // holds them to this moment too (read before it).
        let users = dump_users(store, &events)?;
        if store.audit(None)?.len() as u64 != head.events {
            continue;
        }
        return Ok(Dump {
            schema: store.schema_version()?,
            head: head.head,
            events,
            users,
            lots,
        });
    }
    Err(Error::Database(
        "the register kept changing while it was exported: try again when it is quiet".into(),
    ))
}

/// Writes everything in `store` to `out` in the format of the module docs; returns what was
/// written (its event count and head).
pub fn export(store: &dyn RegisterStore, out: &mut dyn Write) -> Result<super::AuditHead> {
    let d = dump(store)?;
    write_dump(&d, out)?;
    Ok(super::AuditHead {
        events: d.events.len() as u64,
        head: d.head,
    })
}

fn write_dump(d: &Dump, out: &mut dyn Write) -> Result<()> {
    let io = |source| Error::Io {
        path: "export".into(),
        source,
    };
    let mut line = |l: &Line| -> Result<()> {
        let text = serde_json::to_string(l).expect("export lines are strings and numbers");
        writeln!(out, "{text}").map_err(io)
    };
    line(&Line::Header(Header {
        format: FORMAT.into(),
        version: FORMAT_VERSION,
        schema: d.schema,
        events: d.events.len() as u64,
        users: d.users.len() as u64,
        lots: d.lots.len() as u64,
        head: d.head.clone(),
    }))?;
    for e in &d.events {
        line(&Line::Event(ExportedEvent {
            seq: e.seq,
            at: e.at.clone(),
            actor: e.actor.clone(),
            action: e.action.clone(),
            lot: e.lot.clone().unwrap_or_default(),
            data: e.data_json.clone(),
            prev_hash: e.prev_hash.clone(),
            hash: e.hash.clone(),
        }))?;
    }
    for u in &d.users {
        line(&Line::User(u.clone()))?;
    }
    for l in &d.lots {
        line(&Line::Lot(Box::new(l.clone())))?;
    }
    out.flush().map_err(io)
}

fn bad_line(n: usize, expected: &str, found: String) -> Error {
    Error::Input {
        field: format!("import line {n}"),
        expected: expected.into(),
        found,
    }
}

/// Reads an export and verifies its chain against its header, writing nothing.
pub fn read(input: &mut dyn BufRead) -> Result<Dump> {
    let mut header: Option<Header> = None;
    let mut events = Vec::new();
    let mut users = Vec::new();
    let mut lots = Vec::new();
    for (i, text) in input.lines().enumerate() {
        let n = i + 1;
        let text = text.map_err(|source| Error::Io {
            path: "import".into(),
            source,
        })?;
        if text.trim().is_empty() {
            continue;
        }
        let parsed: Line = serde_json::from_str(&text).map_err(|e| {
            bad_line(
                n,
                "a header, event or lot line of an stscalc register export",
                format!("text that is not one ({e})"),
            )
        })?;
        match (parsed, &header) {
            (Line::Header(h), None) if n == 1 => {
                if h.format != FORMAT || !(1..=FORMAT_VERSION).contains(&h.version) {
                    return Err(bad_line(
                        n,
                        &format!("format `{FORMAT}` version 1 to {FORMAT_VERSION}"),
                        format!("`{}` version {}", h.format, h.version),
                    ));
                }
                if h.schema > LATEST {
                    return Err(bad_line(
                        n,
                        &format!("a register of schema version {LATEST} or older"),
                        format!("schema version {}: use a newer stscalc", h.schema),
                    ));
                }
                header = Some(h);
            }
            (_, None) => return Err(bad_line(n, "the header line first", "another line".into())),
            (Line::Header(_), Some(_)) => {
                return Err(bad_line(n, "one header line", "a second".into()))
            }
            (Line::Event(e), Some(_)) => {
                if !lots.is_empty() || !users.is_empty() {
                    return Err(bad_line(
                        n,
                        "every event before the lots",
                        format!("event {} after a lot", e.seq),
                    ));
                }
                events.push(AuditEvent {
                    seq: e.seq,
                    at: e.at,
                    actor: e.actor,
                    action: e.action,
                    lot: (!e.lot.is_empty()).then_some(e.lot),
                    data_json: e.data,
                    prev_hash: e.prev_hash,
                    hash: e.hash,
                })
            }
            (Line::User(u), Some(_)) => {
                if !lots.is_empty() {
                    return Err(bad_line(
                        n,
                        "every user before the lots",
                        format!("user `{}` after a lot", u.name.escape_debug()),
                    ));
                }
                users.push(u);
            }
            (Line::Lot(l), Some(_)) => {
                let dates = [Some(&l.compounded_on), Some(&l.bud_date)]
                    .into_iter()
                    .chain(l.components.iter().map(|c| c.expiry.as_ref()))
                    .chain(l.sessions.iter().map(|s| Some(&s.date)))
                    .flatten();
                for d in dates {
                    parse_date(d).map_err(|_| {
                        bad_line(n, "dates as YYYY-MM-DD", format!("`{}`", d.escape_debug()))
                    })?;
                }
                for t in [&l.compounded_time, &l.bud_time] {
                    parse_time(t.clone())
                        .map_err(|_| bad_line(n, "times as HH:MM:SS", format!("{t:?}")))?;
                }
                if Status::parse(&l.status).is_none() {
                    return Err(bad_line(
                        n,
                        "a status (in_preparation, verified_pass, verified_fail, released, rejected)",
                        format!("`{}`", l.status.escape_debug()),
                    ));
                }
                lots.push(*l);
            }
        }
    }
    let h = header.ok_or_else(|| bad_line(1, "the header line", "an empty file".into()))?;
    if events.len() as u64 != h.events
        || users.len() as u64 != h.users
        || lots.len() as u64 != h.lots
    {
        return Err(Error::Input {
            field: "import".into(),
            expected: format!(
                "{} events, {} users and {} lots, as the header says",
                h.events, h.users, h.lots
            ),
            found: format!(
                "{} events, {} users and {} lots: the file was cut short or added to",
                events.len(),
                users.len(),
                lots.len()
            ),
        });
    }
    if h.version == 1 && events.iter().any(|e| e.action.starts_with("user.")) {
        return Err(Error::Input {
            field: "import".into(),
            expected: format!(
                "an export of format version {FORMAT_VERSION}, which carries the users"
            ),
            found:
                "version 1 with user events but not the users: export it again with this stscalc"
                    .into(),
        });
    }
    let chain = audit::verify_chain(events.iter().cloned().map(Ok), Some(&h.head))?;
    if chain.head != h.head {
        return Err(Error::Audit(super::AuditFault::Head {
            expected: h.head,
            found: chain.head,
            events: chain.events,
        }));
    }
    check_users(&events, &users)?;
    Ok(Dump {
        schema: h.schema,
        head: h.head,
        events,
        users,
        lots,
    })
}

/// Imports an export into `store`, which must be empty: verifies the file's chain first,
/// writes everything in one transaction and checks it (chain and rows) before committing.
/// Returns the check of the imported register: its head is the exported one.
pub fn import(store: &mut dyn RegisterStore, input: &mut dyn BufRead) -> Result<CheckReport> {
    let dump = read(input)?;
    store.import(&dump)
}

/// A copy of `store` as a new SQLite register file at `to` (refused if `to` exists): written
/// beside it under a temporary name (mode 0600) and moved into place only when complete and
/// checked. The PostgreSQL backend's `backup`.
pub fn backup_to_sqlite(store: &dyn RegisterStore, to: &Path) -> Result<()> {
    let shown = to.display().to_string();
    let io = |source| Error::Io {
        path: shown.clone(),
        source,
    };
    if std::fs::symlink_metadata(to).is_ok() {
        return Err(Error::Exists(shown));
    }
    let dir = match to.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(p) => p.to_path_buf(),
        None => std::path::PathBuf::from("."),
    };
    let d = dump(store)?;
    let tmp = tempfile::Builder::new()
        .prefix(".stscalc-backup-")
        .tempfile_in(&dir)
        .map_err(io)?;
    {
        let mut copy = super::SqliteRegister::open(tmp.path())?;
        copy.import(&d)?;
    }
    // The SQLite file may have left its WAL beside it; the copy is complete in the main file
    // once the connection is closed (SQLite checkpoints on the last close).
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
