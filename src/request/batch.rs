//! The batch request beyond the file: the formula asked for, the record's request (lot, date,
//! storage, facility, component lots) and the weights measured (`--actual`, `--addition`).

use chrono::{NaiveDateTime, Timelike};

use super::parse::{first_given, parse_concentration, parse_form, parse_loss};
use crate::bud::{self, CompoundedAt, DayCount, Storage};
use crate::cli::{BatchArgs, RecordArgs};
use crate::error::{Error, Result};
use crate::plan::ointment::OintmentRequest;
use crate::plan::record::{check_lot, ComponentLotInput, RecordRequest};
use crate::plan::solution::{Method, MethodRequest, SolutionRequest, StockChoice, HARD_MAX_VIALS};
use crate::plan::verify::Actual;
use crate::plan::{Balance, BatchSize};
use crate::quantity::{parse_positive, Mass, Percent, Volume};
use crate::substance::{AssayBasis, Certificate, Form};

/// The formula id, from the first argument or the request file.
pub fn formula_id(args: &BatchArgs) -> Result<&str> {
    args.id.as_deref().ok_or_else(|| {
        Error::input(
            "formula",
            "a formula id as the first argument (e.g. `sts-25-zinc-oxide`) or `formula` in the --request file",
            "nothing",
        )
    })
}

/// Builds the record request from the options, the facility printed on the record, the
/// preparation method (for a formula whose BUD depends on it) and the file's component lots.
/// `now` is used when no compounding date was given (the binary passes the clock; tests pass a
/// date).
pub fn record_request(
    r: &RecordArgs,
    facility: Option<&str>,
    method: Option<String>,
    file_components: Vec<ComponentLotInput>,
    now: NaiveDateTime,
) -> Result<RecordRequest> {
    let compounded_at = match &r.date {
        Some(d) => CompoundedAt::parse("--date", d)?,
        None => {
            let minute = now
                .with_second(0)
                .and_then(|t| t.with_nanosecond(0))
                .unwrap_or(now);
            CompoundedAt::at(minute)
        }
    };
    let lot_sequence = match &r.lot_sequence {
        None => 1,
        Some(_) if r.lot.is_some() => {
            return Err(Error::input(
                "--lot-sequence",
                "no sequence number when the lot number is given with --lot",
                format!("`{}`", r.lot_sequence.as_deref().unwrap_or_default()),
            ))
        }
        Some(s) => match s.trim().parse::<u32>() {
            Ok(n) if (1..=99).contains(&n) => n,
            _ => {
                return Err(Error::input(
                    "--lot-sequence",
                    "a whole number from 1 to 99",
                    format!("`{}`", s.trim()),
                ))
            }
        },
    };
    let storage = r
        .storage
        .as_deref()
        .map(str::parse::<Storage>)
        .transpose()?;
    let convention = r
        .bud_count
        .as_deref()
        .map(str::parse::<DayCount>)
        .transpose()?
        .unwrap_or_default();
    let bud_limit = r
        .bud_limit
        .as_deref()
        .map(|t| crate::days::Days::parse("--bud-limit", t))
        .transpose()?;
    let mut components = file_components;
    for c in &r.components {
        components.push(parse_component("--component", c)?);
    }
    let this_year = chrono::Datelike::year(&chrono::Local::now().date_naive());
    for c in &r.component_gs1 {
        components.push(parse_component_gs1(c, this_year)?);
    }
    Ok(RecordRequest {
        lot: r.lot.clone(),
        lot_sequence,
        numbered_by_register: r.numbered_by_register,
        compounded_at,
        storage,
        convention,
        bud_limit,
        method,
        components,
        strength: None,
        facility: super::parse::facility(facility)?,
    })
}

/// The additions after the first weighings: the file's, then `--addition` options, in order.
pub fn additions(file: Vec<Actual>, options: &[String]) -> Result<Vec<Actual>> {
    let mut all = file;
    for a in options {
        all.push(parse_addition(a)?);
    }
    Ok(all)
}

/// The measured weights: the file's, then `--actual` options.
pub fn actuals(file: Vec<Actual>, options: &[String]) -> Result<Vec<Actual>> {
    let mut all = file;
    for a in options {
        all.push(parse_actual("--actual", a)?);
    }
    Ok(all)
}

/// The volume asked for: `--quantity`, or the `--vials` added up.
fn requested_volume(args: &BatchArgs, vials: Option<&[Volume]>) -> Result<Volume> {
    if let Some(v) = vials {
        return Ok(Volume::from_ml(
            v.iter().map(|v| v.ml()).sum::<rust_decimal::Decimal>(),
        ));
    }
    Ok(match (&args.quantity, &args.containers) {
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
    })
}

/// The `--vials` list: one volume per vial, each above zero, at most 100 vials, and instead of
/// `--quantity` (not with it).
fn vial_list(args: &BatchArgs) -> Result<Option<Vec<Volume>>> {
    let Some(text) = args.vials.as_deref() else {
        return Ok(None);
    };
    if let Some(q) = &args.quantity {
        return Err(Error::input(
            "--quantity",
            "nothing with --vials (the batch is the vials' volumes added up)",
            format!("`{q}`"),
        ));
    }
    let vials = text
        .split(',')
        .map(|v| parse_positive::<Volume>("--vials", v))
        .collect::<Result<Vec<_>>>()?;
    if vials.len() > HARD_MAX_VIALS {
        return Err(Error::input(
            "--vials",
            format!("at most {HARD_MAX_VIALS} vials"),
            format!("{} vials", vials.len()),
        ));
    }
    Ok(Some(vials))
}

/// Parses the `--actual ID=QUANTITY` of a solution: the powder weighed (`sts=10.02g`) or a
/// volume measured (`sts-250-us=4.2mL`), above zero.
pub fn measurements(options: &[String]) -> Result<Vec<crate::plan::verify_solution::Measurement>> {
    use crate::plan::verify_solution::{Amount, Measurement};
    options
        .iter()
        .map(|a| {
            let t = a.trim();
            let (id, q) = t.split_once('=').ok_or_else(|| {
                Error::input(
                    "--actual",
                    "`ID=QUANTITY`, e.g. `sts=10.02g` or `sts-250-us=4.2mL`",
                    format!("`{t}`"),
                )
            })?;
            let id = id.trim();
            let field = format!("--actual {id}");
            let amount = match q.trim().parse::<crate::quantity::Quantity>() {
                Ok(crate::quantity::Quantity::Volume(_)) => {
                    Amount::Volume(parse_positive(&field, q)?)
                }
                _ => Amount::Mass(parse_positive(&field, q).map_err(|_| {
                    Error::input(
                        &field,
                        "a mass weighed (`10.02g`) or a volume measured (`4.2mL`), above zero",
                        crate::error::quote(q.trim()),
                    )
                })?),
            };
            Ok(Measurement {
                id: id.to_string(),
                amount,
            })
        })
        .collect()
}

/// Parses `ID=MASS` (`sts=25.5g`) for `--actual`; the mass must be above zero.
pub fn parse_actual(field: &str, text: &str) -> Result<Actual> {
    let t = text.trim();
    let (id, mass) = t
        .split_once('=')
        .ok_or_else(|| Error::input(field, "`ID=MASS`, e.g. `sts=25.5g`", format!("`{t}`")))?;
    actual(field, id, mass)
}

/// Builds an [`Actual`] from an id and a mass text (the request file's `actual` table).
pub fn actual(field: &str, id: &str, mass: &str) -> Result<Actual> {
    let id = id.trim();
    let mass: Mass = parse_positive(&format!("{field} {id}"), mass)?;
    Ok(Actual {
        id: id.to_string(),
        mass,
        field: field.to_string(),
    })
}

/// Parses `ID=MASS` for `--addition`: an amount added after the first weighings, in the order
/// given (the same component may be added more than once).
pub fn parse_addition(text: &str) -> Result<Actual> {
    parse_actual("--addition", text)
}

/// Parses `ID=LOT@EXPIRY` or `ID=LOT@EXPIRY@MANUFACTURER`; the expiry is `YYYY-MM-DD` or
/// `YYYY-MM` (the month's last day).
pub fn parse_component(field: &str, text: &str) -> Result<ComponentLotInput> {
    let t = text.trim();
    let expected = "`ID=LOT@YYYY-MM-DD` (optionally `@MANUFACTURER`), e.g. `sts=LOT123@2027-05-31`";
    let bad = || Error::input(field, expected, format!("`{t}`"));
    let (id, rest) = t.split_once('=').ok_or_else(bad)?;
    let mut parts = rest.splitn(3, '@');
    let lot = parts.next().unwrap_or("");
    let expiry = parts.next().ok_or_else(bad)?;
    let manufacturer = parts.next().map(str::trim).filter(|m| !m.is_empty());
    let id = id.trim();
    if id.is_empty() || lot.trim().is_empty() {
        return Err(bad());
    }
    component_input(field, id, lot, expiry, manufacturer.map(str::to_string), t)
}

/// Parses `ID=GS1` for `--component-gs1`: what a scanner types from a commercial vial's or a
/// raw material's GS1 barcode, after the formula's component id. The id comes first because a
/// barcode names a product (its GTIN), not the formula's component, and stscalc keeps no table
/// from GTINs to components: the pharmacist who scans says which component it is.
/// `reference_year` puts the century back on the expiry (GS1 §7.12). The lot (10) and the
/// expiry (17) must both be there; an expiry day `00` is the month's last day.
pub fn parse_component_gs1(text: &str, reference_year: i32) -> Result<ComponentLotInput> {
    let field = "--component-gs1";
    let t = text.trim_start();
    let (id, scanned) = t.split_once('=').ok_or_else(|| {
        Error::input(
            field,
            "`ID=GS1 STRING`, e.g. `sts=(01)09506000134352(17)271130(10)L2345A`",
            format!("`{}`", crate::gs1::escape_for_message(t)),
        )
    })?;
    let id = id.trim();
    if id.is_empty() {
        return Err(Error::input(
            field,
            "a component id before `=`",
            format!("`{}`", crate::gs1::escape_for_message(t)),
        ));
    }
    // The GS1 error already says which element, what was expected and what was found.
    let data = crate::gs1::Gs1Data::parse(scanned, reference_year)
        .map_err(|e| Error::Refused(format!("`{field} {id}`: {e}")))?;
    let (Some(lot), Some(expiry)) = (data.lot.as_deref(), data.expiry) else {
        return Err(Error::input(
            format!("{field} {id}"),
            "a GS1 string with a lot (10) and an expiry (17)",
            format!(
                "{} without {}",
                data.human_readable().unwrap_or_default(),
                if data.lot.is_none() {
                    "a lot (10)"
                } else {
                    "an expiry (17)"
                }
            ),
        ));
    };
    let date = expiry.last_day();
    Ok(ComponentLotInput {
        id: id.to_string(),
        lot: check_lot(&format!("{field} {id}"), lot)?,
        expiry: date,
        expiry_as_written: format!("(17){}", expiry.yymmdd()),
        manufacturer: None,
        field: field.to_string(),
    })
}

/// Builds a [`ComponentLotInput`] from separate fields (the request file's `components`).
pub fn component_input(
    field: &str,
    id: &str,
    lot: &str,
    expiry: &str,
    manufacturer: Option<String>,
    whole: &str,
) -> Result<ComponentLotInput> {
    let lot = check_lot(&format!("{field} {id}"), lot)?;
    let date = bud::parse_expiry(&format!("{field} {id}"), expiry, whole)?;
    Ok(ComponentLotInput {
        id: id.trim().to_string(),
        lot,
        expiry: date,
        expiry_as_written: expiry.trim().to_string(),
        manufacturer,
        field: field.to_string(),
    })
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
pub struct PowderOptions {
    /// `--stock-form`, if given.
    pub stock_form: Option<Form>,
    /// `--assay`, `--assay-basis` and `--water`, if an assay was given.
    pub certificate: Option<Certificate>,
    /// `--readability` and `--repeatability`.
    pub balance: Balance,
}

/// Parses and checks the [`PowderOptions`].
pub fn powder_options(args: &BatchArgs) -> Result<PowderOptions> {
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
        ("--vials", args.vials.as_deref()),
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
    let vials = vial_list(args)?;
    let volume = requested_volume(args, vials.as_deref())?;
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
        vials,
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

/// Container labels carry the lot and the beyond-use date of the batch's compounding record:
/// they need the record's lot number and compounding date (`--lot` and `--date`, or `lot` and
/// `compounded_at` in the `--request` file), not ones made up again from today's clock.
pub fn require_record_identity(b: &BatchArgs, entry: &crate::formula::Entry) -> Result<()> {
    if b.record.date.is_none() {
        return Err(Error::input(
            "--date",
            "the batch's compounding date and time as on its compounding record (the labels carry the record's lot and BUD; or `compounded_at` in a --request file)",
            "nothing",
        ));
    }
    if b.record.lot.is_none() {
        return Err(Error::input(
            "--lot",
            "the batch's lot number as on its compounding record (or `lot` in a --request file)",
            "nothing",
        ));
    }
    // The BUD depends on the method (a solution from powder keeps 4 days, diluted 10): it is
    // not left to the default either.
    let methods = &entry.formula.bud().methods;
    if !methods.is_empty() && b.method.is_none() {
        return Err(Error::input(
            "--method",
            format!(
                "the batch's preparation method as on its compounding record ({}: the BUD depends on it)",
                methods
                    .keys()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
            "nothing",
        ));
    }
    Ok(())
}

/// Refuses `--capacity` for a solution: only ointments are checked against a balance's
/// capacity (a solution's powder weighs grams).
pub fn refuse_capacity(args: &BatchArgs) -> Result<()> {
    match &args.capacity {
        Some(c) => Err(Error::input(
            "--capacity",
            "no balance capacity for a solution (it is checked for ointments)",
            format!("`{c}`"),
        )),
        None => Ok(()),
    }
}
