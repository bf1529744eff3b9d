//! Runs a parsed command line: turns options into validated requests, calls the pure planners,
//! renders, and hands the result to standard output or [`crate::output::write_file`].

use std::path::Path;

use clap::CommandFactory;

pub mod dosing;

use crate::cli::{BatchArgs, Cli, Command, Format, SheetFormat, ShowFormat, VerifyArgs};
use crate::error::{Error, Result};
use crate::formula::{Catalog, Preparation};
use crate::plan::ointment::{self, OintmentRequest};
use crate::plan::{record, verify, Balance, BatchSize, Overage};
use crate::quantity::{parse_positive, Mass, Percent};
use crate::render;
use crate::request;
use crate::substance::{AssayBasis, Certificate, Form};

/// Runs one command.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut cmd, "stscalc", &mut buf);
            crate::output::emit(String::from_utf8_lossy(&buf).as_bytes(), None, false)
        }
        Command::Formulas { format } => {
            let catalog = Catalog::load(cli.formulas.as_deref())?;
            let out = match format {
                Format::Text => render::text::formulas(&catalog),
                Format::Json => render::json(&catalog.entries().collect::<Vec<_>>())?,
            };
            crate::output::emit(out.as_bytes(), None, false)
        }
        Command::Show { id, format } => {
            let catalog = Catalog::load(cli.formulas.as_deref())?;
            let entry = catalog.get(&id)?;
            let out = match format {
                ShowFormat::Toml => entry.text.clone(),
                ShowFormat::Json => render::json(entry)?,
            };
            crate::output::emit(out.as_bytes(), None, false)
        }
        Command::Batch(args) => {
            let catalog = Catalog::load(cli.formulas.as_deref())?;
            batch(&catalog, *args, cli.templates.as_deref())
        }
        Command::Verify(args) => {
            let catalog = Catalog::load(cli.formulas.as_deref())?;
            verify(&catalog, *args, cli.templates.as_deref())
        }
        Command::Session(args) => {
            let catalog = Catalog::load(cli.formulas.as_deref())?;
            if matches!(args.format, SheetFormat::Html | SheetFormat::Pdf) {
                return crate::print::session(&catalog, &args, cli.templates.as_deref());
            }
            crate::print::refuse_sheet_options(&args)?;
            let out = dosing::session(&catalog, &args)?;
            crate::output::emit(out.as_bytes(), args.output.as_deref(), args.force)
        }
        Command::Supply(args) => {
            let catalog = Catalog::load(cli.formulas.as_deref())?;
            let out = dosing::supply(&catalog, &args)?;
            crate::output::emit(out.as_bytes(), args.output.as_deref(), args.force)
        }
        Command::Labels(args) => {
            let catalog = Catalog::load(cli.formulas.as_deref())?;
            crate::print::labels(&catalog, &args, cli.templates.as_deref())
        }
        Command::SessionSheet(args) => crate::print::session_sheet(&args, cli.templates.as_deref()),
        Command::Templates { dir, force } => crate::print::export_templates(&dir, force),
    }
}

fn batch(catalog: &Catalog, args: BatchArgs, templates: Option<&Path>) -> Result<()> {
    let (args, extras) = request::load(args)?;
    let entry = catalog.get(request::formula_id(&args)?)?;
    let out = match entry.formula.preparation {
        Preparation::Ointment => {
            dosing::refuse_solution_options(&args)?;
            let plan = ointment_batch(entry, &args, extras.components)?;
            match args.format {
                SheetFormat::Text => render::text::ointment(&plan),
                SheetFormat::Json => render::json(&plan)?,
                SheetFormat::Html | SheetFormat::Pdf => {
                    return crate::print::record(entry, &plan, &args, templates)
                }
            }
        }
        Preparation::Solution => {
            if let Some(c) = &args.capacity {
                // Only ointments are checked against a capacity: a solution's powder weighs grams.
                return Err(Error::input(
                    "--capacity",
                    "no balance capacity for a solution (it is checked for ointments)",
                    format!("`{c}`"),
                ));
            }
            let plan = solution_batch(entry, &args, extras.components)?;
            match args.format {
                SheetFormat::Text => render::dosing::solution(&plan),
                SheetFormat::Json => render::json(&plan)?,
                SheetFormat::Html | SheetFormat::Pdf => {
                    return crate::print::solution_record(entry, &plan, &args, templates)
                }
            }
        }
    };
    crate::output::emit(out.as_bytes(), args.output.as_deref(), args.force)
}

/// Plans a solution batch and adds its record (lot, components, BUD for the method used).
pub fn solution_batch(
    entry: &crate::formula::Entry,
    args: &BatchArgs,
    components: Vec<crate::plan::record::ComponentLotInput>,
) -> Result<crate::plan::solution::SolutionPlan> {
    let req = dosing::solution_request(args)?;
    let mut plan = crate::plan::solution::plan(entry, &req)?;
    let now = chrono::Local::now().naive_local();
    let method = record::bud_method(&entry.formula, plan.method);
    let mut record_req = request::record_request(
        &args.record,
        args.print.facility.as_deref(),
        method,
        components,
        now,
    )?;
    record_req.strength = Some(crate::formula::Strength::Concentration(plan.strength));
    let known = record::solution_components(&entry.formula, &plan);
    plan.attach_record(
        &entry.formula,
        record::record_for(&entry.formula, &known, &record_req)?,
    )?;
    Ok(plan)
}

/// Plans an ointment batch and adds its record (lot, components, BUD).
pub fn ointment_batch(
    entry: &crate::formula::Entry,
    args: &BatchArgs,
    components: Vec<crate::plan::record::ComponentLotInput>,
) -> Result<ointment::OintmentPlan> {
    let req = ointment_request(args)?;
    let mut plan = ointment::plan(entry, &req)?;
    let now = chrono::Local::now().naive_local();
    let mut record_req = request::record_request(
        &args.record,
        args.print.facility.as_deref(),
        args.method.clone(),
        components,
        now,
    )?;
    record_req.strength = Some(crate::formula::Strength::Percent(plan.strength));
    plan.attach_record(record::record(&entry.formula, &record_req)?);
    Ok(plan)
}

fn verify(catalog: &Catalog, args: VerifyArgs, templates: Option<&Path>) -> Result<()> {
    let (mut batch, mut extras) = request::load(args.batch)?;
    let entry = catalog.get(request::formula_id(&batch)?)?;
    // A saved plan gives every input the options leave out; one given against it is refused.
    let saved = args
        .plan
        .as_deref()
        .map(request::read_saved_plan)
        .transpose()?;
    if let Some(saved) = &saved {
        verify::check_saved_formula(&crate::plan::ointment::FormulaRef::of(entry), saved)?;
        request::apply_saved_plan(&mut batch, &mut extras, saved)?;
    }
    if entry.formula.preparation == Preparation::Solution {
        // Said before the measured amounts are read, so a volume is not first refused as
        // "not a mass" for a formula that cannot be verified at all.
        return Err(Error::Refused(format!(
            "`stscalc verify` checks batches made up by weight (ointments); formula `{}` is a solution, whose measured volumes it does not verify yet",
            entry.formula.id
        )));
    }
    let actuals = request::actuals(extras.actual, &args.actual)?;
    let additions = request::additions(extras.additions, &args.addition)?;
    let plan = ointment_batch(entry, &batch, extras.components)?;
    if let Some(saved) = &saved {
        verify::check_saved_plan(&plan, saved)?;
    }
    let v = verify::verify(
        &plan,
        &entry.formula.tolerance(),
        &entry.formula.rescue(),
        &actuals,
        &additions,
    )?;
    match batch.format {
        SheetFormat::Text => crate::output::emit(
            render::verify::text(&v).as_bytes(),
            batch.output.as_deref(),
            batch.force,
        )?,
        SheetFormat::Json => crate::output::emit(
            render::json(&v)?.as_bytes(),
            batch.output.as_deref(),
            batch.force,
        )?,
        // The compounding record, its actual-weight column filled, with the result.
        SheetFormat::Html | SheetFormat::Pdf => {
            crate::print::verified_record(entry, &v, &batch, templates)?
        }
    }
    // The full report is out; the exit code tells a pharmacy system the batch failed.
    if let Some(r) = &v.rejection {
        return Err(Error::Refused(format!(
            "verification: REJECT, discard the batch and make it again: {}, with additions (made and needed) of {} of the batch first weighed, past the rescue limit {}",
            v.of_label, r.share_text, v.rescue.max_addition
        )));
    }
    if !v.pass {
        return Err(Error::Refused(format!(
            "verification failed: {} of label is outside the tolerance {} to {} of label: do not release it unless corrected and verified again",
            v.of_label, v.tolerance.low, v.tolerance.high
        )));
    }
    Ok(())
}

/// Builds the ointment request from the batch options, validating every field.
pub fn ointment_request(args: &BatchArgs) -> Result<OintmentRequest> {
    let size = match (&args.quantity, &args.containers) {
        (Some(q), _) => BatchSize::Total {
            total: parse_positive::<Mass>("--quantity", q)?,
        },
        (None, Some(c)) => BatchSize::parse_containers(c)?,
        (None, None) => {
            return Err(Error::input(
                "--quantity",
                "a batch size (`--quantity 100g` or `--containers 4x30g`)",
                "nothing",
            ))
        }
    };
    let strength = args
        .strength
        .as_deref()
        .map(|s| parse_positive::<Percent>("--strength", s))
        .transpose()?;
    let overage = args.overage.as_deref().map(Overage::parse).transpose()?;
    let PowderOptions {
        stock_form,
        certificate,
        balance,
    } = powder_options(args)?;
    Ok(OintmentRequest {
        size,
        strength,
        overage,
        stock_form,
        certificate,
        balance,
        capacity: args
            .capacity
            .as_deref()
            .map(|c| parse_positive::<Mass>("--capacity", c))
            .transpose()?,
        container: args.container.clone(),
    })
}

/// The powder on the shelf and the balance it is weighed on: the options an ointment and a
/// solution made from powder share.
pub(crate) struct PowderOptions {
    /// `--stock-form`, if given.
    pub stock_form: Option<Form>,
    /// `--assay`, `--assay-basis` and `--water`, if an assay was given.
    pub certificate: Option<Certificate>,
    /// `--readability` and `--repeatability`.
    pub balance: Balance,
}

/// Parses and checks the [`PowderOptions`].
pub(crate) fn powder_options(args: &BatchArgs) -> Result<PowderOptions> {
    let stock_form = args
        .stock_form
        .as_deref()
        .map(|s| parse_form("--stock-form", s))
        .transpose()?;
    let certificate = certificate(
        args.assay.as_deref(),
        args.assay_basis.as_deref(),
        args.water.as_deref(),
    )?;
    let readability: Mass = parse_positive(
        "--readability",
        args.readability
            .as_deref()
            .unwrap_or(crate::plan::DEFAULT_READABILITY),
    )?;
    let repeatability = args
        .repeatability
        .as_deref()
        .map(|r| parse_positive::<Mass>("--repeatability", r))
        .transpose()?;
    Ok(PowderOptions {
        stock_form,
        certificate,
        balance: Balance {
            readability,
            repeatability,
        },
    })
}

/// Parses a salt form option (`pentahydrate` or `anhydrous`) for `field`.
pub(crate) fn parse_form(field: &str, text: &str) -> Result<Form> {
    text.parse::<Form>()
        .map_err(|_| Error::input(field, "`pentahydrate` or `anhydrous`", format!("`{text}`")))
}

/// Builds a certificate from the `--assay`, `--assay-basis` and `--water` options.
/// Without an assay no certificate applies, so a water content or an assay basis given alone is
/// refused rather than silently ignored; an assay without its basis is refused too.
pub fn certificate(
    assay: Option<&str>,
    basis: Option<&str>,
    water: Option<&str>,
) -> Result<Option<Certificate>> {
    let given_basis = basis;
    let water = water
        .map(|w| crate::quantity::parse_field::<Percent>("--water", w))
        .transpose()?;
    match assay {
        None if water.is_some() => Err(Error::input(
            "--assay",
            "the certificate's assay, because `--water` was given",
            "nothing",
        )),
        None if given_basis.is_some() => Err(Error::input(
            "--assay",
            "the certificate's assay, because `--assay-basis` was given",
            "nothing",
        )),
        None => Ok(None),
        Some(a) => {
            let assay = crate::quantity::parse_field::<Percent>("--assay", a)?;
            // No default basis: a USP assay (dried basis) read as a Ph. Eur. one (as is)
            // overdoses by the loss on drying, about a third.
            let basis: AssayBasis = given_basis
                .ok_or_else(|| {
                    crate::substance::Substance::sodium_thiosulfate().missing_assay_basis()
                })?
                .parse()?;
            Certificate::new(assay, basis, water).map(Some)
        }
    }
}
