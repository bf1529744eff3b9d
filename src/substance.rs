//! The active substance as data: its salt/hydrate forms, molar masses, basis conversion and the
//! correction for a lot's certificate of analysis.
//!
//! A published strength ("25 %", "150 mg/mL") means nothing until its basis is known: the
//! pentahydrate and the anhydrous salt differ by a factor of 248.19 / 158.11 ≈ 1.57. Every
//! strength in stscalc therefore carries a [`Form`] as its basis.

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::data::{from_toml, FileKind};
use crate::error::{field, Error, Result};
use crate::quantity::{exact_decimal, Percent};

/// The forms of sodium thiosulfate stscalc knows; their molar masses come from
/// `data/substance.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Form {
    /// Na2S2O3.
    Anhydrous,
    /// Na2S2O3·5H2O.
    Pentahydrate,
}

impl Form {
    /// The name as written in files and options.
    pub fn as_str(self) -> &'static str {
        match self {
            Form::Anhydrous => "anhydrous",
            Form::Pentahydrate => "pentahydrate",
        }
    }
}

impl fmt::Display for Form {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Form {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "anhydrous" => Ok(Form::Anhydrous),
            "pentahydrate" => Ok(Form::Pentahydrate),
            _ => Err(Error::input(
                "form",
                "`anhydrous` or `pentahydrate`",
                format!("`{s}`"),
            )),
        }
    }
}

/// One form's data row.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormData {
    /// Which form.
    pub form: Form,
    /// Chemical formula, for display.
    pub formula: String,
    /// Molar mass in g/mol.
    #[serde(deserialize_with = "exact_decimal")]
    pub molar_mass_g_per_mol: Decimal,
    /// Where the number comes from.
    pub source: String,
    /// Lowest plausible loss on drying of this form, if the monograph gives one.
    #[serde(default)]
    pub loss_on_drying_min: Option<Percent>,
    /// Highest plausible loss on drying of this form.
    #[serde(default)]
    pub loss_on_drying_max: Option<Percent>,
    /// Where the loss-on-drying limits come from.
    #[serde(default)]
    pub loss_on_drying_source: Option<String>,
}

/// The assay limits of the pharmacopoeia that states its assay on one basis.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssayLimits {
    /// The basis the assay is stated on.
    pub basis: AssayBasis,
    /// The pharmacopoeia that states it so, e.g. `USP`.
    pub pharmacopoeia: String,
    /// What a percentage on this basis means, for people.
    pub states: String,
    /// Lowest assay of a pharmacopoeial lot; a certificate below it is warned about.
    pub min: Percent,
    /// Highest assay of a pharmacopoeial lot; a certificate above it is refused.
    pub max: Percent,
    /// Where the limits come from.
    pub source: String,
}

/// The substance file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Substance {
    /// Identifier.
    pub id: String,
    /// Name for people.
    pub name: String,
    /// The pharmacopoeial assay limits, one row per basis a certificate may state.
    pub assay_limits: Vec<AssayLimits>,
    /// Its forms.
    pub forms: Vec<FormData>,
}

const SUBSTANCE_TOML: &str = include_str!("../data/substance.toml");

impl Substance {
    /// Sodium thiosulfate as shipped in `data/substance.toml`, parsed once.
    pub fn sodium_thiosulfate() -> &'static Substance {
        static CELL: OnceLock<Substance> = OnceLock::new();
        CELL.get_or_init(|| {
            let s: Substance = from_toml(FileKind::Data, "data/substance.toml", SUBSTANCE_TOML)
                .expect("the embedded substance file is checked by the test suite");
            assert!(
                s.forms.iter().any(|f| f.form == Form::Anhydrous)
                    && s.forms.iter().any(|f| f.form == Form::Pentahydrate),
                "the embedded substance file lists both forms"
            );
            assert!(
                s.assay_limits.iter().any(|l| l.basis == AssayBasis::AsIs)
                    && s.assay_limits.iter().any(|l| l.basis == AssayBasis::Dried),
                "the embedded substance file lists the assay limits of both bases"
            );
            s
        })
    }

    /// The data of one form.
    pub fn form(&self, form: Form) -> &FormData {
        self.forms
            .iter()
            .find(|f| f.form == form)
            .expect("both forms are present (checked on load)")
    }

    /// The assay limits of a certificate stated on `basis`.
    pub fn assay_limits(&self, basis: AssayBasis) -> &AssayLimits {
        self.assay_limits
            .iter()
            .find(|l| l.basis == basis)
            .expect("both bases are present (checked on load)")
    }

    /// The two bases a certificate may state its assay on, each with the pharmacopoeia whose
    /// certificates state it and what it states (`dried` (USP certificates: …) or `as-is`
    /// (Ph. Eur. certificates: …)), from the data.
    fn assay_bases(&self) -> String {
        let choice = |b: AssayBasis| {
            let l = self.assay_limits(b);
            format!(
                "`{}` ({} certificates: {})",
                b.as_str(),
                l.pharmacopoeia,
                l.states
            )
        };
        format!(
            "{} or {}",
            choice(AssayBasis::Dried),
            choice(AssayBasis::AsIs)
        )
    }

    /// The refusal of an assay given without its basis: one line that names the two bases and
    /// which pharmacopoeia states which, so that a USP certificate is never read as a Ph. Eur.
    /// one (their factors differ by the loss on drying, about a third).
    pub fn missing_assay_basis(&self) -> Error {
        Error::input(
            field::ASSAY_BASIS,
            format!(
                "the basis the certificate states its assay on, {} (in a request file `certificate.basis`)",
                self.assay_bases()
            ),
            "nothing",
        )
    }

    /// The refusal of a solution made from powder without the lot's certificate: its
    /// concentration rests on the weight alone, so no 100 % is assumed; one line that asks for
    /// the assay with its basis and says which pharmacopoeia states which.
    pub fn missing_certificate(&self) -> Error {
        Error::input(
            field::ASSAY,
            format!(
                "the assay from the certificate of the powder's lot (a solution made from powder takes its strength from the weight alone: no 100 % is assumed), with {} {} (in a request file `certificate.assay` and `certificate.basis`)",
                field::ASSAY_BASIS,
                self.assay_bases()
            ),
            "nothing",
        )
    }

    /// Molar mass of a form in g/mol.
    pub fn molar_mass(&self, form: Form) -> Decimal {
        self.form(form).molar_mass_g_per_mol
    }

    /// Warnings for a certificate that a pharmacopoeial lot would not have: an assay below the
    /// monograph's minimum, or a loss on drying outside the stock form's range. Such values are
    /// more often typing errors than real lots, and they change the weight by as much.
    pub fn certificate_warnings(&self, stock: Form, cert: &Certificate) -> Vec<String> {
        let mut out = Vec::new();
        let limits = self.assay_limits(cert.basis);
        if cert.assay.value() < limits.min.value() {
            out.push(format!(
                "the certificate's assay {} is below the pharmacopoeial minimum {} ({}): check the certificate before weighing",
                cert.assay, limits.min, limits.source
            ));
        }
        let form = self.form(stock);
        if let (Some(w), Some(min), Some(max)) =
            (cert.water, form.loss_on_drying_min, form.loss_on_drying_max)
        {
            if w.value() < min.value() || w.value() > max.value() {
                out.push(format!(
                    "the water content {w} is outside {min} to {max} for the {stock} form ({}): check the certificate and the stock form",
                    form.loss_on_drying_source.as_deref().unwrap_or("monograph")
                ));
            }
        }
        out
    }

    /// The factor that turns an amount on the `from` basis into the same number of moles on the
    /// `to` basis: `M(to) / M(from)`.
    pub fn basis_factor(&self, from: Form, to: Form) -> Decimal {
        if from == to {
            Decimal::ONE
        } else {
            self.molar_mass(to) / self.molar_mass(from)
        }
    }
}

/// What a certificate's assay is stated on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssayBasis {
    /// Percent of the labeled form in the material as it is (Ph. Eur. style).
    AsIs,
    /// Percent of anhydrous Na2S2O3 in the dried material (USP style); needs the lot's water
    /// content or loss on drying to know what one gram as it is contains.
    Dried,
}

impl AssayBasis {
    /// The name as written in options and files.
    pub fn as_str(self) -> &'static str {
        match self {
            AssayBasis::AsIs => "as-is",
            AssayBasis::Dried => "dried",
        }
    }
}

impl FromStr for AssayBasis {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "as-is" | "asis" | "as_is" => Ok(AssayBasis::AsIs),
            "dried" | "anhydrous" | "dry" => Ok(AssayBasis::Dried),
            _ => Err(Error::input(
                "--assay-basis",
                "`as-is` or `dried` (also `anhydrous`)",
                format!("`{s}`"),
            )),
        }
    }
}

/// A lot's certificate of analysis, as far as the calculation needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Certificate {
    /// Assay, e.g. 99.5 %.
    pub assay: Percent,
    /// What the assay is stated on.
    pub basis: AssayBasis,
    /// Water content or loss on drying, required with [`AssayBasis::Dried`].
    pub water: Option<Percent>,
}

impl Certificate {
    /// Checks the ranges: assay above 0 and at most the pharmacopoeial upper limit of its basis
    /// (`data/substance.toml`: USP 100.5 % dried, Ph. Eur. 101.0 % as is), water below 100 %,
    /// and water given exactly when the assay is on the dried basis.
    pub fn new(assay: Percent, basis: AssayBasis, water: Option<Percent>) -> Result<Self> {
        let hundred = Decimal::ONE_HUNDRED;
        let limits = Substance::sodium_thiosulfate().assay_limits(basis);
        if assay.value() <= Decimal::ZERO || assay.value() > limits.max.value() {
            return Err(Error::input(
                "--assay",
                format!(
                    "a percentage above 0 % and at most {} for an assay on the `{}` basis ({})",
                    limits.max,
                    basis.as_str(),
                    limits.source
                ),
                format!("`{assay}`"),
            ));
        }
        match (basis, water) {
            (_, Some(w)) if w.value() < Decimal::ZERO || w.value() >= hundred => Err(Error::input(
                "--water",
                "a water content or loss on drying from 0 % up to (not including) 100 %",
                format!("`{w}`"),
            )),
            (AssayBasis::Dried, None) => Err(Error::input(
                "--water",
                "the lot's water content or loss on drying, because the assay is on the dried basis",
                "nothing",
            )),
            (AssayBasis::AsIs, Some(w)) => Err(Error::input(
                "--water",
                "no water content with an as-is assay (it already counts the water)",
                format!("`{w}`"),
            )),
            _ => {
                // A stock under 1 % active is no certificate for this substance; refusing it
                // also keeps 1 ÷ content (grams of stock per gram of active) far from overflow.
                let dry = Decimal::ONE - water.map_or(Decimal::ZERO, |w| w.fraction());
                if assay.fraction() * dry < Decimal::new(1, 2) {
                    let found = match water {
                        Some(w) => format!("`{assay}` with water `{w}`"),
                        None => format!("`{assay}`"),
                    };
                    return Err(Error::input(
                        "--assay",
                        "a content of at least 1 % (the assay, times 1 − water on the dried basis)",
                        found,
                    ));
                }
                Ok(Certificate { assay, basis, water })
            }
        }
    }
}

/// Grams of active, expressed on the `target` basis, that one gram of stock delivers.
///
/// Without a certificate the stock is taken as 100 % of its labeled form. With an as-is assay
/// the stock holds `assay` of its labeled form. With a dried-basis assay one gram as it is holds
/// `(1 − water) × assay` of anhydrous Na2S2O3.
pub fn content_factor(
    substance: &Substance,
    stock: Form,
    cert: Option<&Certificate>,
    target: Form,
) -> Decimal {
    match cert {
        None => substance.basis_factor(stock, target),
        Some(c) => match c.basis {
            AssayBasis::AsIs => c.assay.fraction() * substance.basis_factor(stock, target),
            AssayBasis::Dried => {
                let water = c.water.map_or(Decimal::ZERO, |w| w.fraction());
                (Decimal::ONE - water)
                    * c.assay.fraction()
                    * substance.basis_factor(Form::Anhydrous, target)
            }
        },
    }
}
