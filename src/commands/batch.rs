//! `stscalc batch`: an ointment or a solution batch, as text, JSON or its compounding record
//! (HTML or PDF). The batch options are read into a request here; [`plan_ointment`] and
//! [`plan_solution`] (which `verify` and `labels` share) plan the batch and attach its record.

use std::path::Path;

use super::{facility, parse_concentration, parse_form, parse_loss};
use crate::cli::{BatchArgs, SheetFormat};
use crate::error::{Error, Result};
use crate::formula::{Catalog, Entry, Preparation};
use crate::output;
use crate::plan::ointment::{self, OintmentPlan, OintmentRequest};
use crate::plan::record;
use crate::plan::solution::{Method, MethodRequest, SolutionPlan, SolutionRequest, StockChoice};
use crate::plan::{Balance, BatchSize};
use crate::quantity::{parse_positive, Mass, Percent, Volume};
use crate::render;
use crate::render::html::Renderer;
use crate::request;
use crate::sheets::{Paper, RecordView};
use crate::substance::{AssayBasis, Certificate, Form};

/// `stscalc batch`.
pub fn run(catalog: &Catalog, args: BatchArgs, templates: Option<&Path>) -> Result<()> {
    let (args, extras) = request::file::load(args)?;
    let entry = catalog.get(request::batch::formula_id(&args)?)?;
    let out = match entry.formula.preparation {
        Preparation::Ointment => {
            refuse_solution_options(&args)?;
            let plan = plan_ointment(entry, &args, extras.components)?;
            match args.format {
                SheetFormat::Text => render::text::ointment(&plan),
                SheetFormat::Json => render::json(&plan)?,
                SheetFormat::Html | SheetFormat::Pdf => {
                    return record_sheet_ointment(entry, &plan, &args, templates)
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
            let plan = plan_solution(entry, &args, extras.components)?;
            match args.format {
                SheetFormat::Text => render::dosing::solution(&plan),
                SheetFormat::Json => render::json(&plan)?,
                SheetFormat::Html | SheetFormat::Pdf => {
                    return record_sheet_solution(entry, &plan, &args, templates)
                }
            }
        }
    };
    crate::output::emit(out.as_bytes(), args.output.as_deref(), args.force)
}

/// Plans a solution batch and adds its record (lot, components, BUD for the method used).
pub fn plan_solution(
    entry: &crate::formula::Entry,
    args: &BatchArgs,
    components: Vec<crate::plan::record::ComponentLotInput>,
) -> Result<crate::plan::solution::SolutionPlan> {
    let req = solution_request(args)?;
    let mut plan = crate::plan::solution::plan(entry, &req)?;
    let now = chrono::Local::now().naive_local();
    let method = crate::plan::solution::bud_method(&entry.formula, plan.method);
    let mut record_req = request::batch::record_request(
        &args.record,
        args.print.facility.as_deref(),
        method,
        components,
        now,
    )?;
    record_req.strength = Some(crate::formula::Strength::Concentration(plan.strength));
    let known = crate::plan::solution::solution_components(&entry.formula, &plan);
    plan.attach_record(
        &entry.formula,
        record::record_for(&entry.formula, &known, &record_req)?,
    )?;
    Ok(plan)
}

/// Plans an ointment batch and adds its record (lot, components, BUD).
pub fn plan_ointment(
    entry: &crate::formula::Entry,
    args: &BatchArgs,
    components: Vec<crate::plan::record::ComponentLotInput>,
) -> Result<ointment::OintmentPlan> {
    let req = ointment_request(args)?;
    let mut plan = ointment::plan(entry, &req)?;
    let now = chrono::Local::now().naive_local();
    let mut record_req = request::batch::record_request(
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

/// Builds the ointment request from the batch options, validating every field.
pub fn ointment_request(args: &BatchArgs) -> Result<OintmentRequest> {
    let size = match (&args.quantity, &args.containers) {
        (Some(q), _) => BatchSize::Total {
            total: parse_positive::<Mass>("--quantity", q)?,
        },
        (None, Some(c)) => crate::request::parse::containers(c)?,
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
    let overage = args
        .overage
        .as_deref()
        .map(crate::request::parse::overage)
        .transpose()?;
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
    let readability: Mass = match args.readability.as_deref() {
        Some(r) => parse_positive("--readability", r)?,
        None => crate::plan::default_readability(),
    };
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

/// The first option of `options` that was given, as (name, value).
fn first_given<'a>(options: &[(&'a str, Option<&'a str>)]) -> Option<(&'a str, &'a str)> {
    options
        .iter()
        .find_map(|(name, value)| value.map(|v| (*name, v)))
}

/// Refuses the solution-only batch options for an ointment, rather than ignoring them.
pub fn refuse_solution_options(args: &BatchArgs) -> Result<()> {
    let given = first_given(&[
        ("--method", args.method.as_deref()),
        ("--stock", args.stock.as_deref()),
        ("--stock-concentration", args.stock_concentration.as_deref()),
        ("--stock-basis", args.stock_basis.as_deref()),
        ("--vial", args.vial.as_deref()),
        ("--diluent", args.diluent.as_deref()),
        ("--measure-step", args.measure_step.as_deref()),
        ("--vial-residual", args.vial_residual.as_deref()),
        ("--filter-hold-up", args.filter_hold_up.as_deref()),
    ]);
    if let Some((name, value)) = given {
        return Err(Error::input(
            name,
            format!(
                "no {name} for the ointment `{}` (it is for solutions)",
                args.id.as_deref().unwrap_or_default()
            ),
            format!("`{value}`"),
        ));
    }
    Ok(())
}

/// Builds the solution request from the batch options, validating every field.
pub fn solution_request(args: &BatchArgs) -> Result<SolutionRequest> {
    let volume = match (&args.quantity, &args.containers) {
        (Some(q), _) => parse_positive::<Volume>("--quantity", q).map_err(|e| match e {
            Error::Input { found, .. } => Error::input(
                "--quantity",
                format!(
                    "a volume such as `10 mL` above zero (`{}` is a solution, made up to volume)",
                    args.id.as_deref().unwrap_or_default()
                ),
                found,
            ),
            other => other,
        })?,
        (None, _) => {
            return Err(Error::input(
                "--quantity",
                format!(
                    "a volume such as `--quantity 10mL` for the solution `{}`",
                    args.id.as_deref().unwrap_or_default()
                ),
                "--containers",
            ))
        }
    };
    let method: Method = args.method.as_deref().unwrap_or("dilution").parse()?;
    let strength = args
        .strength
        .as_deref()
        .map(|s| parse_concentration("--strength", s))
        .transpose()?;
    let overage = args
        .overage
        .as_deref()
        .map(crate::request::parse::volume_overage)
        .transpose()?;
    let measure_step = args
        .measure_step
        .as_deref()
        .map(|s| parse_positive::<Volume>("--measure-step", s))
        .transpose()?;
    let dilution_only = first_given(&[
        ("--stock", args.stock.as_deref()),
        ("--stock-concentration", args.stock_concentration.as_deref()),
        ("--stock-basis", args.stock_basis.as_deref()),
        ("--vial", args.vial.as_deref()),
        ("--diluent", args.diluent.as_deref()),
        // The powder method measures no volume by syringe: it makes up to volume in a flask.
        ("--measure-step", args.measure_step.as_deref()),
    ]);
    let loss = |field: &str, text: Option<&str>| text.map(|t| parse_loss(field, t)).transpose();
    let vial_residual = loss("--vial-residual", args.vial_residual.as_deref())?;
    let filter_hold_up = loss("--filter-hold-up", args.filter_hold_up.as_deref())?;
    let powder_only = first_given(&[
        ("--filter-hold-up", args.filter_hold_up.as_deref()),
        ("--stock-form", args.stock_form.as_deref()),
        ("--assay", args.assay.as_deref()),
        ("--water", args.water.as_deref()),
    ]);
    let method_request = match method {
        Method::Dilution => {
            if let Some((name, value)) = powder_only {
                return Err(Error::input(
                    name,
                    "no powder option with `--method dilution` (add `--method powder`)",
                    format!("`{value}`"),
                ));
            }
            let stock = match (&args.stock, &args.stock_concentration) {
                (Some(_), Some(_)) => {
                    return Err(Error::input(
                        "--stock",
                        "either a listed --stock or a --stock-concentration, not both",
                        "both",
                    ))
                }
                (_, Some(c)) => {
                    let concentration = parse_concentration("--stock-concentration", c)?;
                    let basis = match &args.stock_basis {
                        Some(b) => parse_form("--stock-basis", b)?,
                        None => return Err(Error::input(
                            "--stock-basis",
                            "the basis the stock's label states (`pentahydrate` or `anhydrous`)",
                            "nothing",
                        )),
                    };
                    let vial = match &args.vial {
                        Some(v) => parse_positive::<Volume>("--vial", v)?,
                        None => {
                            return Err(Error::input(
                                "--vial",
                                "the stock's vial volume, e.g. `50mL`",
                                "nothing",
                            ))
                        }
                    };
                    StockChoice::Custom {
                        concentration,
                        basis,
                        vial,
                    }
                }
                (id, None) => {
                    if args.stock_basis.is_some() || args.vial.is_some() {
                        return Err(Error::input(
                            "--stock-concentration",
                            "a stock concentration with --stock-basis and --vial (a listed --stock has its own)",
                            "nothing",
                        ));
                    }
                    StockChoice::Listed(id.clone())
                }
            };
            MethodRequest::Dilution {
                stock,
                diluent: args.diluent.clone(),
            }
        }
        Method::Powder => {
            if let Some((name, value)) = dilution_only {
                return Err(Error::input(
                    name,
                    "no dilution option with `--method powder`",
                    format!("`{value}`"),
                ));
            }
            let PowderOptions {
                stock_form,
                certificate,
                balance,
            } = powder_options(args)?;
            MethodRequest::Powder {
                stock_form,
                certificate,
                balance,
            }
        }
    };
    Ok(SolutionRequest {
        volume,
        strength,
        overage,
        method: method_request,
        measure_step,
        container: args.container.clone(),
        vial_residual,
        filter_hold_up,
    })
}

/// `stscalc batch --format html|pdf`: the compounding record of an ointment batch.
fn record_sheet_ointment(
    entry: &Entry,
    plan: &OintmentPlan,
    args: &BatchArgs,
    templates: Option<&Path>,
) -> Result<()> {
    record_sheet(args, templates, |facility, paper| {
        RecordView::ointment(entry, plan, facility, paper)
    })
}

/// `stscalc batch --format html|pdf` of a solution: its compounding record.
fn record_sheet_solution(
    entry: &Entry,
    plan: &SolutionPlan,
    args: &BatchArgs,
    templates: Option<&Path>,
) -> Result<()> {
    record_sheet(args, templates, |facility, paper| {
        RecordView::solution(entry, plan, facility, paper)
    })
}

/// Renders a compounding record from the view `view` builds for the facility and paper, and
/// writes it as HTML or PDF. The output path is checked first, before any slow work.
pub(crate) fn record_sheet<'a>(
    args: &BatchArgs,
    templates: Option<&Path>,
    view: impl FnOnce(Option<String>, Paper) -> Result<RecordView<'a>>,
) -> Result<()> {
    output::check(args.output.as_deref(), args.force)?;
    let facility = facility(args.print.facility.as_deref())?;
    let paper = args.print.paper.unwrap_or(Paper::Letter);
    let renderer = Renderer::new(templates)?;
    let html = renderer.render("record.html", &view(facility, paper)?)?;
    output::emit(
        &crate::render::pdf::bytes(html, args.format == SheetFormat::Pdf)?,
        args.output.as_deref(),
        args.force,
    )
}
