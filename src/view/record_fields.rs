//! What the pharmacist who signs a compounding record writes on it besides the weights: each
//! container's fill, the actual yield, deviations and comments, the quality-control results,
//! and for a sterile preparation the hood (PEC), the room and, for a solution sterilised by
//! filtration, the filter's lot and its integrity test.
//!
//! Each check is asked for once. A formula's quality-control checks that one of these places
//! already records are folded into it rather than printed again: by the check's `kind` where
//! the formula states it, else by its name, without regard to case (`formulas/README.md`):
//! - `Appearance` or `Physical description …`: the physical description row, against the
//!   formula's `description` (the master formulation record's physical description);
//! - `Fill weight …`, `Fill volume …`, `Volume in each container …`: the fill table, whose
//!   heading states the check's expected result;
//! - a check naming `bubble point` or `filter integrity`: the filter integrity row of the
//!   sterile-filtration block (printed for the powder method only).

use serde::Serialize;

use crate::formula::{Formula, QcCheck, QcKind};

/// A quality-control check with its expected result.
#[derive(Debug, Clone, Serialize)]
pub struct QcRow {
    /// What is checked.
    pub check: String,
    /// The expected result.
    pub expected: String,
}

/// Where a formula's check is recorded on the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QcPlace {
    /// The physical description row.
    Description,
    /// The fill table.
    Fill,
    /// The filter integrity row.
    FilterIntegrity,
    /// A row of its own in the quality-control table.
    Own,
}

/// Where `q` is recorded: its `kind` when the formula states it, else what its name says
/// (for formulas written before `kind`, matched without regard to case).
fn place_of(q: &QcCheck) -> QcPlace {
    match q.kind {
        Some(QcKind::Appearance) => return QcPlace::Description,
        Some(QcKind::Fill) => return QcPlace::Fill,
        Some(QcKind::FilterIntegrity) => return QcPlace::FilterIntegrity,
        None => {}
    }
    let c = q.check.trim().to_lowercase();
    if c == "appearance" || c.starts_with("physical description") {
        QcPlace::Description
    } else if c.starts_with("fill weight")
        || c.starts_with("fill volume")
        || c.starts_with("volume in each container")
    {
        QcPlace::Fill
    } else if c.contains("bubble point") || c.contains("filter integrity") {
        QcPlace::FilterIntegrity
    } else {
        QcPlace::Own
    }
}

/// The formula's checks that apply to `method` (a check that names methods is for those only;
/// the others are for every batch).
fn applying<'f>(
    formula: &'f Formula,
    method: Option<&'f str>,
) -> impl Iterator<Item = &'f QcCheck> {
    formula.qc.iter().filter(move |q| {
        q.methods.is_empty() || method.is_some_and(|m| q.methods.iter().any(|x| x == m))
    })
}

/// The quality-control table: the physical description first (once, whatever the formula
/// calls its appearance check), then the formula's other checks for `method`, each once.
pub fn qc_rows(formula: &Formula, method: Option<&str>) -> Vec<QcRow> {
    std::iter::once(QcRow {
        check: "Physical description (appearance)".into(),
        expected: formula.description.clone(),
    })
    .chain(
        applying(formula, method)
            .filter(|q| place_of(q) == QcPlace::Own)
            .map(|q| QcRow {
                check: q.check.clone(),
                expected: q.expected.clone(),
            }),
    )
    .collect()
}

/// The expected result of the formula's check recorded at `place`, or `default`.
fn expected_at(formula: &Formula, method: Option<&str>, place: QcPlace, default: &str) -> String {
    applying(formula, method)
        .find(|q| place_of(q) == place)
        .map_or_else(|| default.to_string(), |q| q.expected.clone())
}

/// One container of the fill table.
#[derive(Debug, Clone, Serialize)]
pub struct FillRow {
    /// 1-based, the number written on the container's label.
    pub number: u32,
    /// What it is to hold, e.g. `30 g` or `10 mL (holds 10.1 mL)`.
    pub nominal: String,
}

/// The fill table: a row per container, to weigh (or measure) each one as filled.
#[derive(Debug, Clone, Serialize)]
pub struct Fills {
    /// The container, e.g. `30 g white polypropylene ointment jar with screw cap`.
    pub container: String,
    /// Heading of the column written in: `Fill weight`, or `Measured fill` (a vial's volume,
    /// or its weight).
    pub actual_heading: &'static str,
    /// The expected result, e.g. `Not less than the labeled amount`.
    pub expected: String,
    /// The containers, a row each, in one column (up to [`ONE_COLUMN`] containers) or two
    /// side by side (the first the longer), so that a batch of many jars keeps the record short.
    pub columns: Vec<Vec<FillRow>>,
    /// What is left over after filling, when something is.
    pub left_over: Option<String>,
}

/// The most containers listed in one column.
pub const ONE_COLUMN: usize = 4;

/// `rows` in one column, or in two (the first the longer) when there are more than
/// [`ONE_COLUMN`].
fn columns(rows: Vec<FillRow>) -> Vec<Vec<FillRow>> {
    if rows.len() <= ONE_COLUMN {
        return vec![rows];
    }
    let mut first = rows;
    let second = first.split_off(first.len().div_ceil(2));
    vec![first, second]
}

impl Fills {
    /// The fill table of an ointment batch: `count` containers of `fill` each.
    pub fn ointment(
        formula: &Formula,
        container: &str,
        count: u32,
        fill: String,
        left_over: Option<String>,
    ) -> Self {
        Fills {
            container: container.to_string(),
            actual_heading: "Fill weight",
            expected: expected_at(
                formula,
                None,
                QcPlace::Fill,
                "Not less than the labeled amount",
            ),
            columns: columns(
                (1..=count)
                    .map(|number| FillRow {
                        number,
                        nominal: fill.clone(),
                    })
                    .collect(),
            ),
            left_over,
        }
    }

    /// The fill table of a solution batch: `count` vials, each written as `nominal(k)`.
    pub fn solution(
        formula: &Formula,
        method: &str,
        container: &str,
        count: u32,
        nominal: impl Fn(u32) -> String,
    ) -> Self {
        Fills {
            container: container.to_string(),
            actual_heading: "Measured fill",
            expected: expected_at(
                formula,
                Some(method),
                QcPlace::Fill,
                "Not less than the labeled volume",
            ),
            columns: columns(
                (1..=count)
                    .map(|number| FillRow {
                        number,
                        nominal: nominal(number),
                    })
                    .collect(),
            ),
            left_over: None,
        }
    }
}

/// A line of the sterile-compounding block: what is recorded, with the labels of its blanks.
#[derive(Debug, Clone, Serialize)]
pub struct WriteIn {
    /// What it is, e.g. `Primary engineering control (hood)`.
    pub key: String,
    /// The blanks to fill in, by what each one holds (`ID`, `last certified`).
    pub blanks: Vec<String>,
    /// What the entry must show, when there is an expected result.
    pub expected: Option<String>,
}

impl WriteIn {
    fn new(key: &str, blanks: &[&str], expected: Option<String>) -> Self {
        WriteIn {
            key: key.to_string(),
            blanks: blanks.iter().map(|b| b.to_string()).collect(),
            expected,
        }
    }
}

/// The sterile-compounding block of a sterile preparation (USP <797>): where it was made (the
/// primary engineering control and the room) and, for the powder method, the sterilising
/// filter's lot and its integrity test after use. Empty for a nonsterile preparation.
pub fn sterile_rows(formula: &Formula, method: Option<&str>) -> Vec<WriteIn> {
    if formula.bud().kind != Some(crate::bud::BudKind::Sterile) {
        return Vec::new();
    }
    let mut rows = vec![WriteIn::new(
        "Hood (primary engineering control) and room",
        &["hood ID", "certified until", "room", "ISO class"],
        None,
    )];
    if method == Some("powder") {
        rows.push(WriteIn::new(
            "Sterilising filter (0.22 µm)",
            &["manufacturer", "lot", "expiry"],
            None,
        ));
        rows.push(WriteIn::new(
            "Filter integrity (bubble point) after use",
            &["maker's minimum", "observed", "pass / fail"],
            Some(expected_at(
                formula,
                method,
                QcPlace::FilterIntegrity,
                "At or above the filter maker's stated bubble point",
            )),
        ));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_containers_go_in_two_columns_the_first_the_longer() {
        let rows = |n: u32| -> Vec<FillRow> {
            (1..=n)
                .map(|number| FillRow {
                    number,
                    nominal: "30 g".into(),
                })
                .collect()
        };
        let numbers = |c: &[Vec<FillRow>]| -> Vec<Vec<u32>> {
            c.iter()
                .map(|col| col.iter().map(|r| r.number).collect())
                .collect()
        };
        assert_eq!(numbers(&columns(rows(4))), [vec![1, 2, 3, 4]]);
        assert_eq!(numbers(&columns(rows(5))), [vec![1, 2, 3], vec![4, 5]]);
        assert_eq!(
            numbers(&columns(rows(30)))
                .iter()
                .map(Vec::len)
                .collect::<Vec<_>>(),
            [15, 15]
        );
        assert!(columns(Vec::new())[0].is_empty());
    }

    /// A check named `check`, without `kind`.
    fn named(check: &str) -> QcCheck {
        QcCheck {
            check: check.into(),
            expected: String::new(),
            methods: Vec::new(),
            kind: None,
        }
    }

    #[test]
    fn a_stated_kind_wins_over_the_name() {
        let mut bottle = named("Volume in each bottle");
        assert_eq!(place_of(&bottle), QcPlace::Own);
        bottle.kind = Some(QcKind::Fill);
        assert_eq!(place_of(&bottle), QcPlace::Fill);
        let mut look = named("Fill weight of each container");
        look.kind = Some(QcKind::Appearance);
        assert_eq!(place_of(&look), QcPlace::Description);
        look.kind = Some(QcKind::FilterIntegrity);
        assert_eq!(place_of(&look), QcPlace::FilterIntegrity);
    }

    #[test]
    fn checks_are_placed_by_their_names() {
        assert_eq!(place_of(&named("Appearance")), QcPlace::Description);
        assert_eq!(place_of(&named(" appearance ")), QcPlace::Description);
        assert_eq!(
            place_of(&named("Physical description of the gel")),
            QcPlace::Description
        );
        assert_eq!(
            place_of(&named("Fill weight of each container")),
            QcPlace::Fill
        );
        assert_eq!(place_of(&named("Volume in each container")), QcPlace::Fill);
        assert_eq!(
            place_of(&named("Filter integrity (bubble point)")),
            QcPlace::FilterIntegrity
        );
        assert_eq!(
            place_of(&named("Bubble point test")),
            QcPlace::FilterIntegrity
        );
        // Not the appearance check: a check of its own.
        assert_eq!(place_of(&named("Appearance after 24 h")), QcPlace::Own);
        assert_eq!(
            place_of(&named("Grit test (thin film on a glass slide)")),
            QcPlace::Own
        );
        assert_eq!(place_of(&named("pH")), QcPlace::Own);
    }
}
