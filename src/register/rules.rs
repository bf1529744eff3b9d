//! What both backends share: the validation of what a command hands the register, the rules of
//! the status machine, the data of each audit event (built from the row it wrote, so `check`
//! rebuilds it from the stored row and compares the text) and the parsing of stored text. The
//! backends only say how to read and write their own database.

use chrono::{NaiveDate, NaiveTime, Utc};
use serde::Serialize;

use super::audit::sha256_hex;
use super::{Bud, ComponentUse, Error, LotSummary, NewLot, Result, Status};

pub(super) fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub(super) fn time_text(t: NaiveTime) -> String {
    t.format("%H:%M:%S").to_string()
}

pub(super) fn parse_date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| Error::Inconsistent(format!("stored date `{s}` is not YYYY-MM-DD")))
}

pub(super) fn parse_time(s: Option<String>) -> Result<Option<NaiveTime>> {
    s.map(|s| {
        NaiveTime::parse_from_str(&s, "%H:%M:%S")
            .map_err(|_| Error::Inconsistent(format!("stored time `{s}` is not HH:MM:SS")))
    })
    .transpose()
}

pub(super) fn parse_status(s: &str) -> Result<Status> {
    Status::parse(s).ok_or_else(|| Error::Inconsistent(format!("stored status `{s}` is unknown")))
}

/// A person's name as given: trimmed, one line, not empty.
pub(super) fn person(field: &str, name: &str) -> Result<String> {
    text(field, name, "a person's name", 200)
}

/// A one-line text field: trimmed, not empty, no control characters, at most `max` characters.
pub(super) fn text(field: &str, value: &str, what: &str, max: usize) -> Result<String> {
    let v = value.trim();
    let bad = |found: String| Error::Input {
        field: field.to_string(),
        expected: format!("{what} (one line, at most {max} characters)"),
        found,
    };
    if v.is_empty() {
        return Err(bad("nothing".into()));
    }
    if v.chars().any(char::is_control) || v.chars().count() > max {
        return Err(bad(format!("`{}`", v.escape_debug())));
    }
    Ok(v.to_string())
}

/// Two names for the same person: compared without regard to capitals or repeated spaces.
/// A user name: 1 to 64 lowercase ASCII letters, digits, `.`, `_` or `-` (capitals are
/// folded), so that a name is one spelling everywhere, in a cookie or a URL.
pub(super) fn user_name(name: &str) -> Result<String> {
    let n = name.trim().to_ascii_lowercase();
    let ok = (1..=64).contains(&n.len())
        && n.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if ok {
        Ok(n)
    } else {
        Err(Error::Input {
            field: "name".into(),
            expected: "a user name of 1 to 64 letters, digits, `.`, `_` or `-`".into(),
            found: crate::error::quote(name),
        })
    }
}

/// The data of a `user.add` or `user.disable` event: the name and role, never the hash.
pub(super) fn user_event_data(name: &str, role: Option<super::Role>) -> String {
    match role {
        Some(r) => serde_json::json!({"name": name, "role": r.as_str()}).to_string(),
        None => serde_json::json!({"name": name}).to_string(),
    }
}

/// The data of a `user.add` event: the name, the role and the SHA-256 of the password hash
/// stored (never the hash): `register check` and an import then notice a hash swapped in the
/// users table, which would let someone log in as that user. Events written before the digest
/// was kept are the name and role alone ([`user_event_data`]).
pub(super) fn user_add_data(name: &str, role: super::Role, password_hash: &str) -> String {
    serde_json::json!({
        "name": name,
        "role": role.as_str(),
        "password_sha256": sha256_hex(password_hash.as_bytes()),
    })
    .to_string()
}

/// A stored user row as a [`super::User`].
pub(super) fn user_row(
    name: String,
    role: &str,
    disabled: i64,
    created_at: String,
) -> Result<super::User> {
    let role = super::Role::parse(role)
        .ok_or_else(|| Error::Inconsistent(format!("user `{name}`: unknown role `{role}`")))?;
    Ok(super::User {
        name,
        role,
        disabled: disabled != 0,
        created_at,
    })
}

pub(super) fn same_person(a: &str, b: &str) -> bool {
    // Letters and digits only: `Ann Lee.` or `Ann-Lee` is Ann Lee, so punctuation cannot make
    // one person two (refusing two people whose names differ only so is the safe side).
    let norm = |s: &str| {
        s.chars()
            .map(|c| if c.is_alphanumeric() { c } else { ' ' })
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    norm(a) == norm(b)
}

pub(super) fn json(field: &str, value: &str) -> Result<()> {
    serde_json::from_str::<serde::de::IgnoredAny>(value)
        .map(|_| ())
        .map_err(|e| Error::Input {
            field: field.to_string(),
            expected: "JSON".into(),
            found: format!("text that is not JSON ({e})"),
        })
}

pub(super) fn now_text() -> String {
    Utc::now().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

// The data of each event: built from the row it wrote, so `check` rebuilds it from the stored
// row and compares the text. Field order is fixed by the struct; large texts enter by hash.

#[derive(Serialize)]
pub(super) struct ComponentData<'a> {
    pub(super) component_id: &'a str,
    pub(super) lot: &'a str,
    pub(super) expiry: Option<String>,
}

#[derive(Serialize)]
pub(super) struct LotNewData<'a> {
    pub(super) lot: &'a str,
    pub(super) sequence: Option<u32>,
    pub(super) formula_id: &'a str,
    pub(super) compounded_on: String,
    pub(super) compounded_time: Option<String>,
    pub(super) bud_date: String,
    pub(super) bud_time: Option<String>,
    pub(super) components: Vec<ComponentData<'a>>,
    pub(super) request_sha256: String,
    pub(super) plan_sha256: String,
    pub(super) formula_sha256: &'a str,
    pub(super) templates_sha256: &'a str,
    pub(super) stscalc_version: &'a str,
}

#[derive(Serialize)]
pub(super) struct VerifyData {
    pub(super) passed: bool,
    pub(super) data_sha256: String,
}

#[derive(Serialize)]
pub(super) struct ReleaseData<'a> {
    pub(super) checked_by: &'a str,
    /// `authenticated_releaser` when the logged-in pharmacist releasing was the second check;
    /// absent for a typed checker (so the events of earlier registers read as before).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) check: Option<&'static str>,
}

/// The event data's word for a [`super::Checker::AuthenticatedReleaser`] release.
pub(super) const AUTHENTICATED_RELEASER: &str = "authenticated_releaser";

#[derive(Serialize)]
pub(super) struct RejectData<'a> {
    pub(super) reason: &'a str,
}

#[derive(Serialize)]
pub(super) struct SessionData<'a> {
    pub(super) patient_id: &'a str,
    pub(super) date: String,
    pub(super) doses_sha256: String,
}

pub(super) fn to_json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("event data is plain strings and numbers")
}

/// What a status change needs to know about a lot.
pub(super) struct LotState {
    pub(super) id: i64,
    pub(super) status: Status,
    pub(super) created_by: String,
    pub(super) compounded_on: NaiveDate,
    pub(super) bud: Bud,
}

/// Raw summary columns, parsed after the query (parse errors are the register's, not SQLite's).
pub(super) type SummaryRaw = (
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
);

pub(super) fn summary(raw: SummaryRaw) -> Result<LotSummary> {
    let (lot, formula_id, on, bud_date, bud_time, status, created_by, created_at) = raw;
    Ok(LotSummary {
        lot,
        formula_id,
        compounded_on: parse_date(&on)?,
        bud: Bud {
            date: parse_date(&bud_date)?,
            time: parse_time(bud_time)?,
        },
        status: parse_status(&status)?,
        created_by,
        created_at,
    })
}

/// A [`NewLot`] checked field by field, before any transaction starts.
pub(super) struct ValidLot {
    pub(super) formula_id: String,
    pub(super) by: String,
    pub(super) templates_sha256: String,
    pub(super) version: String,
    pub(super) formula_sha256: String,
    /// Sorted by component id.
    pub(super) components: Vec<ComponentUse>,
}

/// Checks everything about a new lot that needs no database.
pub(super) fn validate_new_lot(new: &NewLot) -> Result<ValidLot> {
    let formula_id = text("formula_id", &new.formula_id, "a formula id", 100)?;
    let by = person("by", &new.by)?;
    json("request_json", &new.request_json)?;
    json("plan_json", &new.plan_json)?;
    let templates_sha256 = text("templates_sha256", &new.templates_sha256, "a hash", 128)?;
    let version = text("stscalc_version", &new.stscalc_version, "a version", 100)?;
    let formula_sha256 = sha256_hex(new.formula_text.as_bytes());
    if !new
        .formula_sha256
        .trim()
        .eq_ignore_ascii_case(&formula_sha256)
    {
        return Err(Error::Input {
            field: "formula_sha256".into(),
            expected: format!("the SHA-256 of the formula text, {formula_sha256}"),
            found: format!("`{}`", new.formula_sha256.trim()),
        });
    }
    if new.bud.date < new.compounded_on {
        return Err(Error::Input {
            field: "bud".into(),
            expected: format!(
                "a date on or after the compounding date {}",
                new.compounded_on
            ),
            found: new.bud.date.to_string(),
        });
    }
    if new.components.is_empty() {
        return Err(Error::Input {
            field: "components".into(),
            expected: "the lot of every component used".into(),
            found: "none".into(),
        });
    }
    let mut components = Vec::with_capacity(new.components.len());
    for (i, c) in new.components.iter().enumerate() {
        let id = text(
            &format!("components[{i}].component_id"),
            &c.component_id,
            "a component id",
            100,
        )?;
        let lot = text(
            &format!("components[{i}].lot"),
            &c.lot,
            "the supplier's lot number",
            100,
        )?;
        if components
            .iter()
            .any(|o: &ComponentUse| o.component_id == id)
        {
            return Err(Error::Input {
                field: format!("components[{i}].component_id"),
                expected: "each component once".into(),
                found: format!("`{id}` twice"),
            });
        }
        components.push(ComponentUse {
            component_id: id,
            lot,
            expiry: c.expiry,
        });
    }
    components.sort_by(|a, b| a.component_id.cmp(&b.component_id));
    Ok(ValidLot {
        formula_id,
        by,
        templates_sha256,
        version,
        formula_sha256,
        components,
    })
}

/// A scheme's lot code: 1 to 16 capital letters and digits.
pub(super) fn scheme_code(code: &str) -> Result<String> {
    let code = code.trim();
    if code.is_empty()
        || code.len() > 16
        || !code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    {
        return Err(Error::Input {
            field: "numbering.code".into(),
            expected: "a lot code of 1 to 16 capital letters and digits, e.g. `STS25ZO`".into(),
            found: format!("`{}`", code.escape_debug()),
        });
    }
    Ok(code.to_string())
}

/// The scheme's lot number `CODE-YYYYMMDD-NN`, or the scheme-full error past 99.
pub(super) fn scheme_number(code: &str, on: NaiveDate, n: u32) -> Result<String> {
    let day = on.format("%Y%m%d").to_string();
    if n > 99 {
        return Err(Error::SchemeFull {
            code: code.to_string(),
            date: day,
        });
    }
    Ok(format!("{code}-{day}-{n:02}"))
}

/// A lot number given by the user: one word.
pub(super) fn given_lot(l: &str) -> Result<String> {
    let l = text("lot", l, "a lot number", 40)?;
    if l.chars().any(char::is_whitespace) {
        return Err(Error::Input {
            field: "lot".into(),
            expected: "a lot number without spaces".into(),
            found: format!("`{l}`"),
        });
    }
    Ok(l)
}

/// The data of a `lot.new` event.
pub(super) fn lot_new_data(
    new: &NewLot,
    valid: &ValidLot,
    lot: &str,
    sequence: Option<u32>,
) -> String {
    to_json(&LotNewData {
        lot,
        sequence,
        formula_id: &valid.formula_id,
        compounded_on: date_text(new.compounded_on),
        compounded_time: new.compounded_time.map(time_text),
        bud_date: date_text(new.bud.date),
        bud_time: new.bud.time.map(time_text),
        components: component_data(&valid.components),
        request_sha256: sha256_hex(new.request_json.as_bytes()),
        plan_sha256: sha256_hex(new.plan_json.as_bytes()),
        formula_sha256: &valid.formula_sha256,
        templates_sha256: &valid.templates_sha256,
        stscalc_version: &valid.version,
    })
}

/// The components as a `lot.new` event lists them.
pub(super) fn component_data(components: &[ComponentUse]) -> Vec<ComponentData<'_>> {
    components
        .iter()
        .map(|c| ComponentData {
            component_id: &c.component_id,
            lot: &c.lot,
            expiry: c.expiry.map(date_text),
        })
        .collect()
}

/// Refuses a verification unless the lot is in preparation.
pub(super) fn may_verify(lot: &str, state: &LotState) -> Result<()> {
    match state.status {
        Status::InPreparation => Ok(()),
        Status::VerifiedPass | Status::VerifiedFail => Err(Error::AlreadyVerified(lot.into())),
        Status::Released => Err(Error::AlreadyReleased(lot.into())),
        Status::Rejected => Err(Error::Rejected(lot.into())),
    }
}

/// A [`super::Release`] checked field by field, before any transaction starts.
pub(super) struct ValidRelease {
    /// Who releases.
    pub(super) by: String,
    /// Who checked, as stored: the releaser for an authenticated release.
    pub(super) checked_by: String,
    /// The logged-in pharmacist releasing is the second check ([`super::Checker`]).
    pub(super) authenticated: bool,
}

/// Checks a release's names.
pub(super) fn validate_release(r: &super::Release) -> Result<ValidRelease> {
    let by = person("by", &r.by)?;
    Ok(match &r.checker {
        super::Checker::Typed(name) => ValidRelease {
            checked_by: person("checked_by", name)?,
            by,
            authenticated: false,
        },
        super::Checker::AuthenticatedReleaser => ValidRelease {
            checked_by: by.clone(),
            by,
            authenticated: true,
        },
    })
}

/// Refuses a release unless the lot passed its verification and a second person checked it.
/// A typed checker is neither the person releasing nor the compounder. An authenticated
/// releaser (`releaser` is the users-table row of that name, looked up in the same
/// transaction) is an enabled pharmacist who did not compound the lot.
pub(super) fn may_release(
    lot: &str,
    state: &LotState,
    release: &ValidRelease,
    releaser: Option<&super::User>,
) -> Result<()> {
    match state.status {
        Status::VerifiedPass => {}
        Status::InPreparation => return Err(Error::NotVerified(lot.into())),
        Status::VerifiedFail => return Err(Error::VerificationFailed(lot.into())),
        Status::Rejected => return Err(Error::Rejected(lot.into())),
        Status::Released => return Err(Error::AlreadyReleased(lot.into())),
    }
    let by = release.by.as_str();
    if release.authenticated {
        let pharmacist = releaser.is_some_and(|u| u.role == super::Role::Pharmacist && !u.disabled);
        if !pharmacist {
            return Err(Error::NotAPharmacist {
                lot: lot.into(),
                user: by.into(),
            });
        }
        if same_person(by, &state.created_by) {
            return Err(Error::ReleaseOwnLot {
                lot: lot.into(),
                user: by.into(),
            });
        }
        return Ok(());
    }
    let checker = release.checked_by.as_str();
    for (role, other) in [
        ("the person releasing", by),
        ("the compounder", state.created_by.as_str()),
    ] {
        if same_person(checker, other) {
            return Err(Error::SamePerson {
                lot: lot.into(),
                checker: checker.to_string(),
                role: role.into(),
                person: other.to_string(),
            });
        }
    }
    Ok(())
}

/// Refuses a rejection of a released or rejected lot.
pub(super) fn may_reject(lot: &str, state: &LotState) -> Result<()> {
    match state.status {
        Status::Released => Err(Error::AlreadyReleased(lot.into())),
        Status::Rejected => Err(Error::Rejected(lot.into())),
        _ => Ok(()),
    }
}

/// Refuses a session unless the lot is released and the date within its compounding date and
/// BUD.
pub(super) fn may_record_session(lot: &str, state: &LotState, date: NaiveDate) -> Result<()> {
    if state.status != Status::Released {
        return Err(Error::NotReleased {
            lot: lot.into(),
            status: state.status,
        });
    }
    if date > state.bud.date {
        return Err(Error::Expired {
            lot: lot.into(),
            bud: state.bud.date,
            date,
        });
    }
    if date < state.compounded_on {
        return Err(Error::Input {
            field: "date".into(),
            expected: format!(
                "a session date on or after the lot's compounding date {}",
                state.compounded_on
            ),
            found: date.to_string(),
        });
    }
    Ok(())
}

/// The status an event gives its lot when the events are replayed (`None` for a session), or
/// the inconsistency found.
pub(super) fn replayed_status(seq: i64, action: &str, data: &str) -> Result<Option<Status>> {
    Ok(match action {
        "lot.new" => Some(Status::InPreparation),
        "lot.verify" => {
            let v: serde_json::Value = serde_json::from_str(data)
                .map_err(|_| Error::Inconsistent(format!("event {seq}: data is not JSON")))?;
            match v.get("passed").and_then(serde_json::Value::as_bool) {
                Some(true) => Some(Status::VerifiedPass),
                Some(false) => Some(Status::VerifiedFail),
                None => {
                    return Err(Error::Inconsistent(format!(
                        "event {seq}: a verification without `passed`"
                    )))
                }
            }
        }
        "lot.release" => Some(Status::Released),
        "lot.reject" => Some(Status::Rejected),
        "session.record" | "user.add" | "user.disable" => None,
        other => {
            return Err(Error::Inconsistent(format!(
                "event {seq}: unknown action `{other}`"
            )))
        }
    })
}

/// The event data a stored row of `action` gives: `passed` for a verification, `text` its
/// data, checker, reason or doses, and `other` the release's releaser, or the session's patient
/// and date. A release whose checker is its releaser is an authenticated one: a typed checker
/// never is the releaser (the rule refuses it), so the row tells the two apart.
pub(super) fn row_event_data(
    action: &str,
    passed: bool,
    text: &str,
    other: (&str, &str),
) -> String {
    let patient_date = other;
    match action {
        "lot.verify" => to_json(&VerifyData {
            passed,
            data_sha256: sha256_hex(text.as_bytes()),
        }),
        "lot.release" => to_json(&ReleaseData {
            checked_by: text,
            check: (text == other.0).then_some(AUTHENTICATED_RELEASER),
        }),
        "lot.reject" => to_json(&RejectData { reason: text }),
        _ => to_json(&SessionData {
            patient_id: patient_date.0,
            date: patient_date.1.to_string(),
            doses_sha256: sha256_hex(text.as_bytes()),
        }),
    }
}
