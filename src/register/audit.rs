//! The audit chain: the canonical bytes of an event, its hash, and the verification of a chain.
//!
//! Backend-independent on purpose: every backend stores the six event fields as text exactly
//! as they were hashed and hands the rows to [`verify_chain`], so a chain written on SQLite and
//! moved to PostgreSQL verifies the same. See the module docs of [`crate::register`] for the
//! canonical form.

use sha2::{Digest, Sha256};

use super::{AuditEvent, AuditFault, AuditHead, Error, Result};

/// The `prev_hash` of the first event: 64 ASCII zeros.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The first line of every canonical event: names the form, so a later form can be told apart.
const MAGIC: &[u8] = b"stscalc-audit-v1\n";

/// One field: its UTF-8 byte length in decimal, `:`, the bytes, `\n` (a netstring-like form, so
/// no field can run into the next whatever it contains).
fn field(out: &mut Vec<u8>, value: &str) {
    out.extend_from_slice(value.len().to_string().as_bytes());
    out.push(b':');
    out.extend_from_slice(value.as_bytes());
    out.push(b'\n');
}

/// The canonical bytes of an event (everything but its hashes).
pub fn canonical(seq: u64, at: &str, actor: &str, action: &str, lot: &str, data: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(MAGIC.len() + at.len() + data.len() + 64);
    out.extend_from_slice(MAGIC);
    field(&mut out, &seq.to_string());
    field(&mut out, at);
    field(&mut out, actor);
    field(&mut out, action);
    field(&mut out, lot);
    field(&mut out, data);
    out
}

/// Lowercase hexadecimal SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// The hash of an event: lowercase hex SHA-256 of the previous event's hash (64 hex characters,
/// [`GENESIS`] for the first event) followed by the event's canonical bytes.
pub fn event_hash(
    prev_hash: &str,
    seq: u64,
    at: &str,
    actor: &str,
    action: &str,
    lot: &str,
    data: &str,
) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(canonical(seq, at, actor, action, lot, data));
    hex(&h.finalize())
}

impl AuditEvent {
    /// The hash this event's content gives after `prev_hash` (compare with [`AuditEvent::hash`]).
    pub fn computed_hash(&self, prev_hash: &str) -> String {
        event_hash(
            prev_hash,
            self.seq,
            &self.at,
            &self.actor,
            &self.action,
            self.lot.as_deref().unwrap_or(""),
            &self.data_json,
        )
    }
}

/// Walks stored events in `seq` order and checks that they form one unbroken chain from the
/// first event, reporting the first that differs. With `expected_head` (a head printed earlier
/// and kept elsewhere), also that the chain contains an event with that hash: the chain may have
/// grown since, but a tail cut off behind stscalc's back (or a chain rewritten from the first
/// changed event on) no longer contains it. Returns the number of events and the head.
pub fn verify_chain<I>(events: I, expected_head: Option<&str>) -> Result<AuditHead>
where
    I: IntoIterator<Item = Result<AuditEvent>>,
{
    let mut prev = GENESIS.to_string();
    let mut count: u64 = 0;
    let wanted = expected_head.map(|h| h.trim().to_ascii_lowercase());
    let mut seen = false;
    for event in events {
        let event = event?;
        let expected_seq = count + 1;
        if event.seq != expected_seq {
            return Err(Error::Audit(AuditFault::Missing {
                seq: expected_seq,
                next: event.seq,
            }));
        }
        if event.prev_hash != prev {
            return Err(Error::Audit(AuditFault::Unlinked { seq: event.seq }));
        }
        if event.computed_hash(&prev) != event.hash {
            return Err(Error::Audit(AuditFault::Changed { seq: event.seq }));
        }
        seen |= wanted.as_deref() == Some(event.hash.as_str());
        prev = event.hash;
        count += 1;
    }
    if let Some(head) = wanted {
        if !seen && head != prev {
            return Err(Error::Audit(AuditFault::Head {
                expected: head,
                found: prev,
                events: count,
            }));
        }
    }
    Ok(AuditHead {
        events: count,
        head: prev,
    })
}
