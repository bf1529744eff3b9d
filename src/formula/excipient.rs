//! The excipients of a master formulation record: every constituent besides the active, each
//! with its role and its amount, and exactly one of them quantity sufficient (q.s.).
//!
//! A formula lists its excipients in `[[excipients]]`, in the order they are added. Each has an
//! `amount` (`"10 % w/w"`, `"2 % w/v"`, or a fixed quantity per batch, `"0.5 g"`, `"2 mL"`)
//! or, for exactly one of them, `qs = "mass"` or `qs = "volume"`: the component that makes the
//! batch up to its total mass (ointments, creams, gels made to mass) or volume (solutions, gels
//! made to volume). Which amounts a preparation can take follows from what it is made up to: a
//! preparation made to mass has no volume to take a `% w/v` of, nor a density to turn millilitres
//! into grams.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::quantity::{Mass, Percent, PercentKind, Quantity, Volume};

/// What a constituent does in the preparation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// The active ingredient (never an excipient's role: the active is `[active]`).
    Active,
    /// Wets a powder into a smooth paste before it meets the base.
    LevigatingAgent,
    /// Keeps the preparation moist (glycerin).
    Humectant,
    /// Builds a gel (xanthan gum).
    GellingAgent,
    /// A second solvent (ethanol).
    Cosolvent,
    /// Softens the skin or the base (lanolin).
    Emollient,
    /// A semisolid base (petrolatum, a zinc oxide ointment).
    Base,
    /// A liquid vehicle (water).
    Vehicle,
    /// An antimicrobial preservative.
    Preservative,
    /// Holds the pH.
    Buffer,
    /// Protects the active from oxidation.
    Antioxidant,
    /// Anything else: the name says what it is.
    Other,
    /// Aliquot method (a weighing, never a formula's role): the stock weighed for the dilution.
    #[serde(skip_deserializing)]
    StockForDilution,
    /// Aliquot method: the base weighed and mixed with that stock.
    #[serde(skip_deserializing)]
    BaseForDilution,
    /// Aliquot method: the part of the dilution weighed into the batch.
    #[serde(skip_deserializing)]
    DilutionIntoBatch,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Active => "active",
            Role::LevigatingAgent => "levigating agent",
            Role::Humectant => "humectant",
            Role::GellingAgent => "gelling agent",
            Role::Cosolvent => "cosolvent",
            Role::Emollient => "emollient",
            Role::Base => "base",
            Role::Vehicle => "vehicle",
            Role::Preservative => "preservative",
            Role::Buffer => "buffer",
            Role::Antioxidant => "antioxidant",
            Role::Other => "other",
            Role::StockForDilution => "stock for the dilution",
            Role::BaseForDilution => "base for the dilution",
            Role::DilutionIntoBatch => "dilution into the batch",
        })
    }
}

/// What the quantity-sufficient component makes the batch up to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MadeTo {
    /// The batch total is a mass: the q.s. component is weighed as the remainder.
    Mass,
    /// The batch total is a volume: the q.s. component is added up to the mark.
    Volume,
}

impl fmt::Display for MadeTo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MadeTo::Mass => "mass",
            MadeTo::Volume => "volume",
        })
    }
}

/// How much of an excipient a batch holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Amount {
    /// A share of the batch: `% w/w` (made to mass) or `% w/v` (made to volume).
    Percent(Percent),
    /// The same mass in every batch, whatever its size.
    FixedMass(Mass),
    /// The same volume in every batch, whatever its size (made to volume only).
    FixedVolume(Volume),
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Amount::Percent(p) => p.fmt(f),
            Amount::FixedMass(m) => write!(f, "{m} per batch"),
            Amount::FixedVolume(v) => write!(f, "{v} per batch"),
        }
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Amount;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an amount written as a quoted string with its unit, e.g. \"10 % w/w\", \"2 % w/v\" or a fixed \"0.5 g\" per batch (TOML numbers lose digits)")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Amount, E> {
                match v.parse::<Quantity>() {
                    Ok(Quantity::Percent(p)) => Ok(Amount::Percent(p)),
                    Ok(Quantity::Mass(m)) => Ok(Amount::FixedMass(m)),
                    Ok(Quantity::Volume(m)) => Ok(Amount::FixedVolume(m)),
                    _ => Err(E::custom(format!(
                        "expected an amount such as \"10 % w/w\", \"2 % w/v\", \"0.5 g\" or \"2 mL\", found \"{v}\""
                    ))),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// One constituent of a compound excipient (a base that is itself a mixture).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Constituent {
    /// Name for people.
    pub name: String,
    /// Share of the excipient, `% w/w`.
    pub fraction: Percent,
}

/// An excipient: its identity, role and amount.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Excipient {
    /// Component id (used for lots and actual weights).
    pub id: String,
    /// Name for people.
    pub name: String,
    /// What it does.
    pub role: Role,
    /// Its amount; absent only for the quantity-sufficient component.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Spanned<Amount>>,
    /// `mass` or `volume` for the one quantity-sufficient component: it makes the batch up to
    /// that total.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qs: Option<MadeTo>,
    /// Its composition when it is a compound base (shares add up to 100 %); absent: itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub composition: Option<Spanned<Vec<Constituent>>>,
    /// Where its composition or grade comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl Excipient {
    /// True for the quantity-sufficient component.
    pub fn is_qs(&self) -> bool {
        self.qs.is_some()
    }

    /// The constituents it brings to the final composition, with their share of it: its
    /// composition, or itself at 100 %.
    pub fn constituents(&self) -> Vec<(String, Decimal)> {
        match &self.composition {
            Some(c) => c
                .get_ref()
                .iter()
                .map(|k| {
                    (
                        format!("{} (from {})", k.name, self.name),
                        k.fraction.fraction(),
                    )
                })
                .collect(),
            None => vec![(self.name.clone(), Decimal::ONE)],
        }
    }
}

/// A check of the excipients failed: where (a byte offset, when known) and the one-line message.
pub(super) type Problem = (Option<usize>, String);

/// Checks the excipients against what the preparation is made up to (`made_to`) and the largest
/// strength (`max_strength`, a percentage of the same kind, or `None` for a mg/mL strength):
/// exactly one q.s. component of that kind, every other with an amount its form can take, and
/// room left for the q.s. component.
pub(super) fn validate(
    excipients: &[Excipient],
    active_id: &str,
    made_to: MadeTo,
    max_strength: Decimal,
) -> Result<(), Problem> {
    let key = |i: usize, field: &str| format!("`excipients[{i}].{field}`");
    let qs: Vec<usize> = (0..excipients.len())
        .filter(|&i| excipients[i].is_qs())
        .collect();
    match qs.as_slice() {
        [_] => {}
        [] => {
            return Err((
                None,
                format!("`excipients`: expected exactly one quantity-sufficient component (`qs = \"{made_to}\"`), found none"),
            ))
        }
        many => {
            return Err((
                None,
                format!(
                    "`excipients`: expected exactly one quantity-sufficient component, found {}: {}",
                    many.len(),
                    many.iter()
                        .map(|&i| format!("`{}`", excipients[i].id))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ))
        }
    }
    let mut ids = vec![active_id];
    let mut percent_total = max_strength;
    for (i, e) in excipients.iter().enumerate() {
        if ids.contains(&e.id.as_str()) || e.id.trim().is_empty() {
            return Err((
                None,
                format!(
                    "{}: expected an id of its own, found `{}` (already used, or empty)",
                    key(i, "id"),
                    e.id
                ),
            ));
        }
        ids.push(&e.id);
        if e.role == Role::Active {
            return Err((
                None,
                format!(
                    "{}: expected the excipient's role (the active is `[active]`), found `active`",
                    key(i, "role")
                ),
            ));
        }
        if let Some(c) = &e.composition {
            let total: Decimal = c.get_ref().iter().map(|k| k.fraction.value()).sum();
            if c.get_ref().is_empty() || total != Decimal::ONE_HUNDRED {
                return Err((
                    Some(c.span().start),
                    format!(
                        "{}: expected fractions that add up to 100 %, found {}",
                        key(i, "composition"),
                        Percent::new(total, PercentKind::Plain)
                    ),
                ));
            }
        }
        match (&e.amount, e.qs) {
            (Some(a), Some(_)) => {
                return Err((
                    Some(a.span().start),
                    format!(
                        "{}: expected no amount on the quantity-sufficient component `{}`, found `{}`",
                        key(i, "amount"),
                        e.id,
                        a.get_ref()
                    ),
                ))
            }
            (None, None) => {
                return Err((
                    None,
                    format!("{}: expected an amount (e.g. \"10 % w/w\") or `qs = \"{made_to}\"`, found neither for `{}`", key(i, "amount"), e.id),
                ))
            }
            (None, Some(q)) if q != made_to => {
                return Err((
                    None,
                    format!(
                        "{}: expected `{made_to}` (the preparation is made up to {made_to}), found `{q}`",
                        key(i, "qs")
                    ),
                ))
            }
            (None, Some(_)) => {}
            (Some(a), None) => {
                let at = Some(a.span().start);
                let (ok, value) = match (*a.get_ref(), made_to) {
                    (Amount::Percent(p), MadeTo::Mass) => {
                        (p.kind() == PercentKind::WeightInWeight, p.value())
                    }
                    (Amount::Percent(p), MadeTo::Volume) => {
                        (p.kind() == PercentKind::WeightInVolume, p.value())
                    }
                    (Amount::FixedMass(m), _) => (true, m.g()),
                    (Amount::FixedVolume(v), MadeTo::Volume) => (true, v.ml()),
                    (Amount::FixedVolume(_), MadeTo::Mass) => (false, Decimal::ZERO),
                };
                if !ok {
                    let want = match made_to {
                        MadeTo::Mass => "a `% w/w` or a fixed mass such as \"0.5 g\" (the preparation is made up to mass)",
                        MadeTo::Volume => "a `% w/v`, a fixed mass such as \"0.5 g\" or a fixed volume such as \"2 mL\" (the preparation is made up to volume)",
                    };
                    return Err((
                        at,
                        format!("{}: expected {want}, found `{}`", key(i, "amount"), a.get_ref()),
                    ));
                }
                if value <= Decimal::ZERO {
                    return Err((
                        at,
                        format!(
                            "{}: expected an amount above 0, found `{}`",
                            key(i, "amount"),
                            a.get_ref()
                        ),
                    ));
                }
                if let Amount::Percent(p) = a.get_ref() {
                    percent_total += p.value();
                    if percent_total >= Decimal::ONE_HUNDRED {
                        return Err((at, format!(
                            "{}: expected the active at its highest strength and the amounts before the quantity-sufficient component to add to less than 100 %, found {} with `{}`",
                            key(i, "amount"),
                            Percent::new(percent_total, PercentKind::Plain),
                            e.id
                        )));
                    }
                }
            }
        }
    }
    Ok(())
}
