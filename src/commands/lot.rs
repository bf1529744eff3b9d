//! `stscalc lot new|verify|release|reject|show|list`: the batch register's lots. `lot new` and
//! `lot verify` reuse `batch` and `verify` (request, plan, view, render) and store what they
//! print; `show` reprints from what was stored. Nothing is written to the register before the
//! input has been read and the batch planned.

use std::path::Path;

use chrono::NaiveTime;
use sha2::{Digest, Sha256};

use super::batch::{self, Planned};
use super::register::{now_utc, open_existing, open_or_create, reg};
use super::verify;
use crate::cli::{
    Format, LabelsArgs, LotCommand, LotLabelsArgs, LotListArgs, LotNewArgs, LotRejectArgs,
    LotReleaseArgs, LotShowArgs, LotVerifyArgs, SheetFormat,
};
use crate::error::{Error, Result};
use crate::formula::{Catalog, Entry};
use crate::output;
use crate::register::{
    self, Bud, ComponentUse, LotFilter, LotNumbering, NewLot, RegisterStore, Rejection, Release,
    Status, Verification,
};
use crate::render;
use crate::request;
use crate::request::register::StoredRequest;

/// Runs one `lot` subcommand.
pub fn run(
    catalog: &Catalog,
    register: Option<&Path>,
    command: LotCommand,
    templates: Option<&Path>,
) -> Result<()> {
    match command {
        LotCommand::New(args) => new(catalog, register, *args, templates),
        LotCommand::Verify(args) => verify_lot(catalog, register, *args, templates),
        LotCommand::Release(args) => release(register, &args),
        LotCommand::Reject(args) => reject(register, &args),
        LotCommand::Show(args) => show(register, &args),
        LotCommand::List(args) => list(register, &args),
        LotCommand::Labels(args) => labels(catalog, register, *args, templates),
    }
}

/// The SHA-256 of the templates that print the record: each template's name and text, in
/// name order, the embedded set or the `--templates` folder's.
fn templates_sha256(templates: Option<&Path>) -> Result<String> {
    let mut hasher = Sha256::new();
    let mut names: Vec<&str> = render::html::TEMPLATES.iter().map(|(n, _)| *n).collect();
    names.sort_unstable();
    for name in names {
        let text = match templates {
            None => render::html::TEMPLATES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, t)| t.to_string())
                .unwrap_or_default(),
            Some(dir) => crate::data::read_text(&dir.join(name))?,
        };
        for part in [name.as_bytes(), b"\0", text.as_bytes(), b"\0"] {
            hasher.update(part);
        }
    }
    Ok(hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `stscalc lot new`: plans the batch as `batch` does, then registers it under the next free
/// number of its scheme. The number is checked and stored in one write transaction (the
/// register refuses a number it holds); when another process took it meanwhile, the batch is
/// planned again with the next one, so the stored plan and the printed record always carry
/// the number the register holds.
fn new(
    catalog: &Catalog,
    register: Option<&Path>,
    args: LotNewArgs,
    templates: Option<&Path>,
) -> Result<()> {
    let by = request::parse::user_text("--by", &args.by)?;
    let (mut batch, extras) = request::file::load(args.batch)?;
    let keys = extras.keys();
    // An error about a value from the request file names the file's key, not the option.
    (|| -> Result<()> {
        let entry = catalog.get(request::batch::formula_id(&batch)?)?;
        request::register::for_register(&mut batch, extras, chrono::Local::now().naive_local())?;
        output::check(batch.output.as_deref(), batch.force)?;
        let given = batch.record.lot.is_some();
        let templates_sha256 = templates_sha256(templates)?;
        // Planned, checked and printed once before the register is opened: bad input writes
        // nothing.
        let first = attempt(
            entry,
            &mut batch,
            given,
            1,
            &by,
            &templates_sha256,
            templates,
        )?;
        let mut store = open_or_create(register)?;
        let mut sequence = if given {
            1
        } else {
            next_sequence(store.as_ref(), entry, &first.0)?
        };
        let mut ready = Some(first).filter(|_| sequence == 1);
        loop {
            let (_, new_lot, bytes) = match ready.take() {
                Some(a) => a,
                None => attempt(
                    entry,
                    &mut batch,
                    given,
                    sequence,
                    &by,
                    &templates_sha256,
                    templates,
                )?,
            };
            match store.new_lot(&new_lot) {
                Ok(_) => return output::emit(&bytes, batch.output.as_deref(), batch.force),
                Err(register::Error::DuplicateLot(_)) if !given && sequence < 99 => sequence += 1,
                Err(register::Error::DuplicateLot(l)) if !given => {
                    let code = l.rsplitn(3, '-').nth(2).unwrap_or(&l).to_string();
                    let date = l.rsplit('-').nth(1).unwrap_or_default().to_string();
                    return Err(reg(register::Error::SchemeFull { code, date }));
                }
                Err(e) => return Err(reg(e)),
            }
        }
    })()
    .map_err(|e| keys.name_keys(e))
}

/// One try at a lot number: the batch planned with sequence `sequence`, what the register
/// stores of it, and the bytes printed once it is stored.
fn attempt(
    entry: &Entry,
    batch: &mut crate::cli::BatchArgs,
    given: bool,
    sequence: u32,
    by: &str,
    templates_sha256: &str,
    templates: Option<&Path>,
) -> Result<(Planned, NewLot, Vec<u8>)> {
    let planned = planned(entry, batch, given, sequence)?;
    let new_lot = new_lot(entry, batch, &planned, by, templates_sha256)?;
    let bytes = batch::printed(entry, &planned, batch, templates)?;
    Ok((planned, new_lot, bytes))
}

/// Plans the batch with the sequence `sequence` of the day (unless its number is given), its
/// record saying that the register assigned it.
fn planned(
    entry: &Entry,
    batch: &mut crate::cli::BatchArgs,
    given: bool,
    sequence: u32,
) -> Result<Planned> {
    if !given {
        batch.record.lot_sequence = Some(sequence.to_string());
        batch.record.numbered_by_register = true;
    }
    batch::plan(entry, batch, Vec::new())
}

/// The next sequence of the day of `first`'s lot code: one past the highest the register
/// holds (the register still refuses a number taken meanwhile).
fn next_sequence(store: &dyn RegisterStore, entry: &Entry, first: &Planned) -> Result<u32> {
    let Some(record) = first.record() else {
        return Ok(1);
    };
    let number = &record.lot.number;
    let prefix = number
        .rsplit_once('-')
        .map_or(number.as_str(), |(head, _)| head);
    let day = record.compounded_at.date;
    let lots = store
        .list(&LotFilter {
            formula_id: Some(entry.formula.id.clone()),
            since: Some(day),
            until: Some(day),
            ..LotFilter::default()
        })
        .map_err(reg)?;
    let highest = lots
        .iter()
        .filter_map(|l| l.lot.strip_prefix(prefix)?.strip_prefix('-')?.parse().ok())
        .max()
        .unwrap_or(0u32);
    Ok((highest + 1).min(99))
}

/// What the register stores of a planned batch.
fn new_lot(
    entry: &Entry,
    batch: &crate::cli::BatchArgs,
    planned: &Planned,
    by: &str,
    templates_sha256: &str,
) -> Result<NewLot> {
    let record = planned.record().ok_or_else(|| {
        Error::Refused("the batch has no record to register (a bug: please report it)".into())
    })?;
    let missing: Vec<String> = record
        .components
        .iter()
        .filter(|c| c.lot.is_none())
        .map(|c| format!("`{}`", c.id))
        .collect();
    if !missing.is_empty() {
        return Err(Error::input(
            "--component",
            "the lot and expiry of every component (`ID=LOT@YYYY-MM-DD`), so the lot can be recalled",
            format!("none for {}", missing.join(", ")),
        ));
    }
    let components = record
        .components
        .iter()
        .filter_map(|c| {
            Some(ComponentUse {
                component_id: c.id.clone(),
                lot: c.lot.clone()?,
                expiry: c.expiry,
            })
        })
        .collect();
    let bud_time = record
        .bud
        .time
        .as_deref()
        .and_then(|t| NaiveTime::parse_from_str(t, "%H:%M").ok());
    Ok(NewLot {
        formula_id: entry.formula.id.clone(),
        numbering: LotNumbering::Given(record.lot.number.clone()),
        compounded_on: record.compounded_at.date,
        compounded_time: record.compounded_at.time,
        request_json: render::json(&StoredRequest::of(batch, &entry.formula.id))?,
        // Stored as printed: its field markers named as flags.
        plan_json: crate::request::parse::with_flags(&planned.json()?),
        formula_text: entry.text.clone(),
        formula_sha256: entry.sha256.clone(),
        templates_sha256: templates_sha256.to_string(),
        stscalc_version: env!("CARGO_PKG_VERSION").to_string(),
        by: by.to_string(),
        components,
        bud: Bud {
            date: record.bud.date,
            time: bud_time,
        },
    })
}

/// `stscalc lot verify`: the stored batch worked out again (refused if it no longer comes
/// out as stored) and verified as `verify` does; the weights and result are stored before
/// they are printed. Exit 1 when the batch fails, as `verify`.
fn verify_lot(
    catalog: &Catalog,
    register: Option<&Path>,
    args: LotVerifyArgs,
    templates: Option<&Path>,
) -> Result<()> {
    let by = request::parse::user_text("--by", &args.by)?;
    output::check(args.output.as_deref(), args.force)?;
    let mut store = open_existing(register)?;
    let detail = store.lot(args.lot.trim()).map_err(reg)?;
    let lot = detail.summary.lot.clone();
    let stored = StoredRequest::parse(&lot, &detail.request_json)?;
    let mut batch = stored.batch_args(args.format);
    batch.output = args.output.clone();
    batch.force = args.force;
    let entry = catalog.get(&stored.formula)?;
    let saved: serde_json::Value = serde_json::from_str(&detail.plan_json)
        .map_err(|e| Error::Refused(format!("lot `{lot}`: its stored plan cannot be read: {e}")))?;
    if entry.formula.preparation == crate::formula::Preparation::Solution {
        return verify_solution_lot(
            store.as_mut(),
            entry,
            (lot, by),
            &batch,
            &args,
            &saved,
            templates,
        );
    }
    if let Some(v) = &args.final_volume {
        return Err(Error::input(
            "--final-volume",
            "nothing for a batch made up by weight (it is for a solution made up to volume)",
            format!("`{v}`"),
        ));
    }
    let v = verify::verification(
        entry,
        &batch,
        request::file::Extras::default(),
        &args.actual,
        &args.addition,
        Some(&saved),
    )?;
    let out = verify::printed(entry, &v, &batch, templates)?;
    let lot_number = lot.clone();
    store
        .verify(&Verification {
            lot,
            by,
            passed: v.pass && v.rejection.is_none(),
            data_json: crate::request::parse::with_flags(&render::json(&v)?),
        })
        .map_err(reg)?;
    output::emit(&out, batch.output.as_deref(), batch.force)?;
    verify::outcome(&v, verify::Next::Registered(&lot_number))
}

/// `lot verify` of a solution lot: the stored batch worked out again (refused if it differs
/// from the stored plan) and verified from the volumes measured (and, from powder, the volume
/// made up to), as `verify` does; the result is stored before it is printed.
fn verify_solution_lot(
    store: &mut dyn RegisterStore,
    entry: &Entry,
    (lot, by): (String, String),
    batch: &crate::cli::BatchArgs,
    args: &LotVerifyArgs,
    saved: &serde_json::Value,
    templates: Option<&Path>,
) -> Result<()> {
    let measured = verify::Measured {
        actual: &args.actual,
        addition: &args.addition,
        final_volume: args.final_volume.as_deref(),
    };
    let v = verify::solution_verification(
        entry,
        batch,
        request::file::Extras::default(),
        measured,
        Some((&lot, saved)),
    )?;
    let out = verify::solution_printed(entry, &v, batch, templates)?;
    let lot_number = lot.clone();
    store
        .verify(&Verification {
            lot,
            by,
            passed: v.result == "pass",
            data_json: crate::request::parse::with_flags(&render::json(&v)?),
        })
        .map_err(reg)?;
    output::emit(&out, batch.output.as_deref(), batch.force)?;
    verify::solution_outcome(&v, verify::Next::Registered(&lot_number))
}

/// Prints an audit event: one line of text, or the event as JSON.
fn event(e: &register::AuditEvent, what: &str, format: Format) -> Result<()> {
    let out = match format {
        Format::Text => format!(
            "{what} (audit event {}, {}, hash {})\n",
            e.seq, e.at, e.hash
        ),
        Format::Json => render::json(e)?,
    };
    output::emit(out.as_bytes(), None, false)
}

/// `stscalc lot release`.
fn release(register: Option<&Path>, args: &LotReleaseArgs) -> Result<()> {
    let by = request::parse::user_text("--by", &args.by)?;
    let checked_by = request::parse::user_text("--checked-by", &args.checked_by)?;
    let mut store = open_existing(register)?;
    let lot = args.lot.trim().to_string();
    let e = store
        .release(&Release {
            lot: lot.clone(),
            by: by.clone(),
            // Names typed on the command line: nobody vouches for them, so three people.
            checker: register::Checker::Typed(checked_by.clone()),
        })
        .map_err(reg)?;
    event(
        &e,
        &format!("lot {lot} released by {by}, checked by {checked_by}"),
        args.format,
    )
}

/// `stscalc lot reject`.
fn reject(register: Option<&Path>, args: &LotRejectArgs) -> Result<()> {
    let by = request::parse::user_text("--by", &args.by)?;
    let reason = request::parse::user_text("--reason", &args.reason)?;
    let mut store = open_existing(register)?;
    let lot = args.lot.trim().to_string();
    let e = store
        .reject(&Rejection {
            lot: lot.clone(),
            by: by.clone(),
            reason: reason.clone(),
        })
        .map_err(reg)?;
    event(
        &e,
        &format!("lot {lot} rejected by {by}: {reason}"),
        args.format,
    )
}

/// `stscalc lot show`: the record as stored, marked as a reprint with its time.
fn show(register: Option<&Path>, args: &LotShowArgs) -> Result<()> {
    output::check(args.output.as_deref(), args.force)?;
    let store = open_existing(register)?;
    let detail = store.lot(args.lot.trim()).map_err(reg)?;
    let at = now_utc();
    let mut value = serde_json::to_value(&detail).map_err(|e| Error::Refused(e.to_string()))?;
    let reprint = crate::view::lot::reprint(&value, &at);
    let out = match args.format {
        SheetFormat::Text => render::lot::reprint(&reprint),
        SheetFormat::Html | SheetFormat::Pdf => {
            let paper = match args.paper {
                Some(crate::cli::PaperArg::A4) => "A4",
                _ => "letter",
            };
            let html = render::lot::reprint_html(&reprint, paper);
            let bytes = super::sheet_bytes(html, args.format == SheetFormat::Pdf)?;
            return output::emit(&bytes, args.output.as_deref(), args.force);
        }
        SheetFormat::Json => {
            // The stored JSON texts as objects, so the output is one JSON document.
            for key in ["plan_json", "request_json"] {
                value[key] = crate::view::lot::stored_json(&value, key);
            }
            render::json(&serde_json::json!({
                "reprint": { "at": at, "notice": reprint.notice },
                "lot": value,
            }))?
        }
    };
    output::emit(out.as_bytes(), args.output.as_deref(), args.force)
}

/// `stscalc lot list`.
fn list(register: Option<&Path>, args: &LotListArgs) -> Result<()> {
    let f = request::register::list_filter(args)?;
    let status = f
        .status
        .as_deref()
        .map(|s| {
            Status::parse(s.trim()).ok_or_else(|| {
                Error::input(
                    "--status",
                    "`in_preparation`, `verified_pass`, `verified_fail`, `released` or `rejected`",
                    format!("`{}`", s.trim()),
                )
            })
        })
        .transpose()?;
    let store = open_existing(register)?;
    let lots = store
        .list(&LotFilter {
            formula_id: f.formula,
            status,
            since: f.since,
            until: f.until,
            limit: None,
        })
        .map_err(reg)?;
    let out = match args.format {
        Format::Text => {
            let value = serde_json::to_value(&lots).map_err(|e| Error::Refused(e.to_string()))?;
            render::lot::table_text("Lots", &crate::view::lot::list(&value))
        }
        Format::Json => render::json(&lots)?,
    };
    output::emit(out.as_bytes(), None, false)
}

/// `stscalc lot labels`: the labels of the stored batch (worked out again and refused if it
/// no longer comes out as stored), `NOT RELEASED` on each label until the lot is released;
/// none for a rejected lot.
fn labels(
    catalog: &Catalog,
    register: Option<&Path>,
    args: LotLabelsArgs,
    templates: Option<&Path>,
) -> Result<()> {
    let store = open_existing(register)?;
    let detail = store.lot(args.lot.trim()).map_err(reg)?;
    let lot = detail.summary.lot.clone();
    let banner = match detail.summary.status {
        Status::Released => None,
        Status::Rejected => {
            return Err(Error::Refused(format!(
                "lot `{lot}` was rejected: no labels are printed for it"
            )))
        }
        _ => Some("NOT RELEASED"),
    };
    let stored = StoredRequest::parse(&lot, &detail.request_json)?;
    let mut batch = stored.batch_args(args.format);
    batch.output = args.output;
    batch.force = args.force;
    let saved: serde_json::Value = serde_json::from_str(&detail.plan_json)
        .map_err(|e| Error::Refused(format!("lot `{lot}`: its stored plan cannot be read: {e}")))?;
    let labels = LabelsArgs {
        batch,
        sheet: args.sheet,
        dispensing: args.dispensing,
        plan: None,
        target: None,
    };
    super::labels::batch_labels(catalog, &labels, Some(saved), banner, templates)
}
