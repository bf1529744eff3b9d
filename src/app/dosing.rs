//! Glue for the clinician and solution commands: `batch` of a solution, `session` (with its
//! series) and `supply`. Options are parsed and validated here into requests; the planners in
//! [`crate::plan`] do the arithmetic; [`crate::render::dosing`] renders.

use chrono::NaiveDate;

use super::parse_form;
use crate::cli::{BatchArgs, Format, SessionArgs, SheetFormat, SupplyArgs};
use crate::days::Days;
use crate::error::{Error, Result};
use crate::formula::{Catalog, Entry};
use crate::plan::series::{self, SeriesRequest, SolutionBud};
use crate::plan::session::{self, Lesion, SessionRequest, SyringeTable, HARD_MAX_LESIONS};
use crate::plan::solution::{
    check_concentration, concentration_text, convert, default_concentration, solution_spec,
    BatchSizing, Method, MethodRequest, SolutionRequest, StockChoice, VolumeOverage,
};
use crate::plan::supply::{self, Course, PerApplication, SupplyRequest, TopicalData};
use crate::quantity::{parse_positive, Concentration, Quantity, Volume};
use crate::render;

/// Parses a solution strength or stock concentration: mg/mL or % w/v, above zero. A plain `%`
/// is refused as ambiguous and a `% w/w` as meaningless for a solution.
pub fn parse_concentration(field: &str, text: &str) -> Result<Concentration> {
    let expected = "a concentration such as `150 mg/mL` or `15 % w/v`, above zero";
    let found = format!("`{}`", text.trim());
    let c = match text.parse::<Quantity>() {
        Ok(Quantity::Concentration(c)) => c,
        Ok(Quantity::Percent(p)) => match p.kind() {
            crate::quantity::PercentKind::WeightInVolume => {
                Concentration::from_mg_per_ml(p.value() * rust_decimal::Decimal::TEN)
            }
            crate::quantity::PercentKind::WeightInWeight => {
                return Err(Error::input(
                    field,
                    expected,
                    format!("{found} (a % w/w is for ointments; a solution is w/v)"),
                ))
            }
            crate::quantity::PercentKind::Plain => {
                return Err(Error::input(
                    field,
                    expected,
                    format!("{found} (write `% w/v` or mg/mL: a plain % does not say w/v)"),
                ))
            }
        },
        _ => return parse_positive::<Concentration>(field, text),
    };
    if c.mg_per_ml() <= rust_decimal::Decimal::ZERO {
        return Err(Error::input(field, expected, found));
    }
    Ok(c)
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
        .map(VolumeOverage::parse)
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
            let super::PowderOptions {
                stock_form,
                certificate,
                balance,
            } = super::powder_options(args)?;
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

/// Parses a volume lost (`--vial-residual`, `--filter-hold-up`): 0 mL or more, at most 10 mL
/// (more is a typo, not a vial or a filter).
pub fn parse_loss(field: &str, text: &str) -> Result<Volume> {
    let expected = "a volume from 0 mL to 10 mL, e.g. `0.1mL`";
    match text.parse::<Quantity>() {
        Ok(Quantity::Volume(v))
            if v.ml() >= rust_decimal::Decimal::ZERO && v.ml() <= rust_decimal::Decimal::TEN =>
        {
            Ok(v)
        }
        _ => Err(Error::input(field, expected, format!("`{}`", text.trim()))),
    }
}

fn parse_count(field: &str, text: &str, what: &str, max: u32) -> Result<u32> {
    let expected = format!("a whole number of {what} from 1 to {max}");
    let n: i64 = text
        .trim()
        .parse()
        .map_err(|_| Error::input(field, expected.clone(), format!("`{}`", text.trim())))?;
    if n < 1 || n > i64::from(max) {
        return Err(Error::input(field, expected, format!("`{}`", text.trim())));
    }
    Ok(n as u32)
}

/// The lesions from `--lesions`/`--per-lesion`, repeated `--lesion`, or `--lesion-file`.
pub fn lesions(args: &SessionArgs) -> Result<Vec<Lesion>> {
    let expected = "lesions as `--lesions N --per-lesion VOLUME`, repeated `--lesion VOLUME`, or `--lesion-file FILE` (one of them)";
    let ways = [
        args.lesions.is_some() || args.per_lesion.is_some(),
        !args.lesion.is_empty(),
        args.lesion_file.is_some(),
    ];
    match ways.iter().filter(|w| **w).count() {
        0 => return Err(Error::input("--lesions", expected, "nothing")),
        1 => {}
        _ => return Err(Error::input("--lesions", expected, "more than one way")),
    }
    if let Some(path) = &args.lesion_file {
        let text = crate::data::read_text(path)?;
        return session::lesions_from_csv(&path.display().to_string(), &text);
    }
    if !args.lesion.is_empty() {
        if args.lesion.len() > HARD_MAX_LESIONS as usize {
            return Err(Error::input(
                "--lesion",
                format!("at most {HARD_MAX_LESIONS} lesions"),
                format!("{} lesions", args.lesion.len()),
            ));
        }
        return args
            .lesion
            .iter()
            .map(|v| {
                let (volume, mass) = parse_dose("--lesion", v)?;
                Ok(Lesion {
                    site: None,
                    size: None,
                    ulceration: None,
                    inflammation: None,
                    volume,
                    mass,
                })
            })
            .collect();
    }
    let count_text = args.lesions.as_deref().ok_or_else(|| {
        Error::input(
            "--lesions",
            "the number of lesions with --per-lesion",
            "nothing",
        )
    })?;
    let count = parse_count("--lesions", count_text, "lesions", HARD_MAX_LESIONS)?;
    let per = args.per_lesion.as_deref().ok_or_else(|| {
        Error::input(
            "--per-lesion",
            "the dose per lesion with --lesions, e.g. `0.2mL` or `30mg`",
            "nothing",
        )
    })?;
    let (volume, mass) = parse_dose("--per-lesion", per)?;
    Ok(vec![
        Lesion {
            site: None,
            size: None,
            ulceration: None,
            inflammation: None,
            volume,
            mass,
        };
        count as usize
    ])
}

/// Parses a lesion's dose: a volume above zero, or a mass above zero (prescribed in mg; the
/// volume is then worked out at the concentration made, so the volume returned is a
/// placeholder).
fn parse_dose(field: &str, text: &str) -> Result<(Volume, Option<crate::quantity::Mass>)> {
    match text.parse::<Quantity>() {
        Ok(Quantity::Mass(_)) => {
            let m = parse_positive::<crate::quantity::Mass>(field, text)?;
            Ok((Volume::from_ml(rust_decimal::Decimal::ONE), Some(m)))
        }
        _ => Ok((parse_positive::<Volume>(field, text)?, None)),
    }
}

/// `stscalc session` as text or JSON: the rendered check (and series). The printed sheet
/// (`--format html|pdf`) is [`crate::print::session`]'s.
pub fn session(catalog: &Catalog, args: &SessionArgs) -> Result<String> {
    let (_, plan) = session_plan(catalog, args)?;
    match args.format {
        SheetFormat::Json => render::json(&plan),
        _ => Ok(render::dosing::session(&plan)),
    }
}

/// Checks the session the options describe (and plans its series when asked): the formula
/// whose policy applies and the plan.
pub fn session_plan<'c>(
    catalog: &'c Catalog,
    args: &SessionArgs,
) -> Result<(&'c Entry, session::SessionPlan)> {
    let entry = catalog.get(&args.formula)?;
    let formula = &entry.formula;
    // A solution formula only: the session's batch is a solution batch.
    solution_spec(formula)?;
    let dosing = session::dosing_spec(entry)?;
    let lesions = lesions(args)?;
    let basis = match &args.basis {
        Some(b) => parse_form("--basis", b)?,
        None => formula.strength.basis,
    };
    let (concentration, source, exact_on_formula_basis) = match &args.concentration {
        Some(c) => {
            let c = parse_concentration("--concentration", c)?;
            // A concentration the formula cannot be made at would give a batch command that
            // `batch` refuses: refused here, naming the range and its basis.
            check_concentration(formula, "--concentration", c, basis)?;
            (c, "given with --concentration".to_string(), None)
        }
        None if basis != formula.strength.basis => {
            // `--basis` alone: the formula's strength stated on the asked basis (same moles),
            // never the same number relabelled.
            let default = default_concentration(formula)?;
            let substance = crate::substance::Substance::sodium_thiosulfate();
            let converted = convert(default, formula.strength.basis, basis);
            (
                converted,
                format!(
                    "the default of formula `{}`, {default} ({} basis), on the {basis} basis: {default} × {} / {} (molar masses) = {}",
                    formula.id,
                    formula.strength.basis,
                    substance.molar_mass(basis),
                    substance.molar_mass(formula.strength.basis),
                    concentration_text(converted)
                ),
                Some(default),
            )
        }
        None => (
            default_concentration(formula)?,
            format!("the default of formula `{}`", formula.id),
            None,
        ),
    };
    // Parse the series options before planning so a bad date is reported whatever the doses.
    let series_options = series_request(args, formula, dosing)?;
    let req = SessionRequest {
        lesions,
        concentration,
        basis,
        concentration_source: source,
        exact_on_formula_basis,
        fill_across: args.fill_across,
        override_reason: args.override_reason.clone(),
        vial_residual: args
            .vial_residual
            .as_deref()
            .map(|v| parse_loss("--vial-residual", v))
            .transpose()?,
    };
    let mut plan = session::plan(entry, SyringeTable::embedded(), &req)?;
    if let Some(o) = series_options {
        let sr = SeriesRequest {
            sessions: o.sessions,
            every: o.every,
            start: o.start,
            bud: o.bud,
            method: o.method,
            // A strength the method cannot make is a warning of the session, not an error.
            sizing: BatchSizing::new(formula, plan.formula_basis_concentration, o.method)
                .ok()
                .map(|b| b.with_vial_residual(req.vial_residual)),
            override_reason: plan.override_reason.clone(),
        };
        let planned = series::plan(&plan, dosing, &sr)?;
        // The override line names the series' interval too, once it is known.
        plan.override_text = session::override_text(
            &plan.exceeded,
            planned.overridden.as_deref(),
            plan.override_reason.as_deref(),
        );
        plan.series = Some(planned);
    }
    Ok((entry, plan))
}

/// The series options, parsed before the session is planned.
struct SeriesOptions {
    sessions: u32,
    every: Days,
    start: NaiveDate,
    bud: SolutionBud,
    method: Method,
}

fn series_request(
    args: &SessionArgs,
    formula: &crate::formula::Formula,
    dosing: &crate::formula::DosingSpec,
) -> Result<Option<SeriesOptions>> {
    let Some(sessions) = &args.sessions else {
        for (name, given) in [
            ("--every", args.every.is_some()),
            ("--start", args.start.is_some()),
            ("--solution-bud", args.solution_bud.is_some()),
            ("--method", args.method.is_some()),
        ] {
            if given {
                return Err(Error::input(
                    "--sessions",
                    format!("the number of sessions, because {name} was given"),
                    "nothing",
                ));
            }
        }
        return Ok(None);
    };
    let sessions = parse_count(
        "--sessions",
        sessions,
        "sessions",
        series::HARD_MAX_SESSIONS,
    )?;
    let every = match &args.every {
        Some(e) => Days::parse("--every", e)?,
        None => dosing.interval,
    };
    let start_text = args.start.as_deref().ok_or_else(|| {
        Error::input(
            "--start",
            "the date of the first session, e.g. `2026-11-23`",
            "nothing",
        )
    })?;
    let start = crate::bud::parse_date("--start", start_text, start_text.trim())?;
    let method: Method = args.method.as_deref().unwrap_or("dilution").parse()?;
    // The BUD comes from the USP rules for the method (the formula's [bud] declaration); a
    // pharmacist may shorten it with --solution-bud, never lengthen it.
    let rule = crate::plan::solution::method_bud(formula, method)?;
    let storage = rule.storage.label().to_string();
    let rule_days = match rule.limit.unit {
        crate::bud::LimitUnit::Days => Days::new(rule.limit.amount),
        // Under a day: usable on the compounding day only.
        crate::bud::LimitUnit::Hours => Days::new(1),
    };
    let rule_reason = format!("{} for the {method} method: {}", rule.limit, rule.reason);
    let bud = match &args.solution_bud {
        Some(b) => {
            let days = Days::parse("--solution-bud", b)?;
            if days > rule_days {
                return Err(Error::input(
                    "--solution-bud",
                    format!(
                        "at most {rule_days}, the limit for the {method} method ({rule}, {}); --solution-bud may only shorten it",
                        // The rule without its long source citation (printed with the series).
                        rule.reason.split(" — ").next().unwrap_or_default()
                    ),
                    format!("`{}`", b.trim()),
                ));
            }
            SolutionBud {
                days,
                storage,
                reason: format!("given with --solution-bud, within the limit of {rule_reason}"),
            }
        }
        None => SolutionBud {
            days: rule_days,
            storage,
            reason: rule_reason,
        },
    };
    Ok(Some(SeriesOptions {
        sessions,
        every,
        start,
        bud,
        method,
    }))
}

/// `stscalc supply`: the rendered supply.
pub fn supply(catalog: &Catalog, args: &SupplyArgs) -> Result<String> {
    let entry = catalog.get(&args.id)?;
    let per_application = PerApplication::parse(&args.per_application)?;
    let per_day = parse_count("--per-day", &args.per_day, "applications a day", 24)?;
    let course = match (&args.days, &args.months) {
        (Some(d), _) => Course::Days {
            days: parse_count("--days", d, "days", supply::HARD_MAX_DAYS)?,
        },
        (None, Some(m)) => Course::Months {
            months: parse_count("--months", m, "months", 120)?,
        },
        (None, None) => {
            return Err(Error::input(
                "--days",
                "the length of the course (`--days 30` or `--months 6`)",
                "nothing",
            ))
        }
    };
    let req = SupplyRequest {
        per_application,
        per_day,
        course,
        container: args.container.clone(),
    };
    let plan = supply::plan(entry, TopicalData::embedded(), &req)?;
    match args.format {
        Format::Text => Ok(render::dosing::supply(&plan)),
        Format::Json => render::json(&plan),
    }
}
