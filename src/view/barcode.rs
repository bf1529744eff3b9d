//! The GS1 DataMatrix a sheet (the compounding record) prints, drawn as an SVG, with its
//! human-readable text beside it, one element a line.
//!
//! What a batch's symbol carries is the labels' rule ([`super::labels::content::barcode_data`]:
//! lot, BUD, formula), the element strings are [`crate::gs1`]'s and the symbol
//! [`crate::barcode`]'s; this module only decides how big a sheet draws it.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::gs1::Gs1Data;

/// Side of one module of a sheet's symbol: 0.4 mm, inside GS1's range for a DataMatrix read by
/// a hand scanner from paper (X-dimension 0.254 to 0.990 mm in the GS1 General Specifications'
/// symbol specification table for healthcare items not scanned at the retail point of sale),
/// and five pixels at 300 dpi, so that a photocopy or a fax still reads.
const SHEET_MODULE_MM: Decimal = Decimal::from_parts(4, 0, 0, false, 1);

/// The quiet zone, in modules: the one module GS1 requires, and a second for a printer's bleed.
const QUIET_ZONE: u32 = 2;

/// A GS1 DataMatrix as a sheet prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BarcodeView {
    /// The symbol: an SVG of numbers and fixed text only (no value from the data is in it), so
    /// that a template may embed it unescaped.
    pub svg: String,
    /// The human-readable interpretation, one element a line: `(10)STS25ZO-20261121-01`.
    pub text: Vec<String>,
    /// The element string the symbol holds (GS between elements), for tests and JSON readers.
    pub element_string: String,
}

impl BarcodeView {
    /// The square symbol of `data`, at the sheet's module size.
    pub fn sheet(data: &Gs1Data) -> Result<Self> {
        let symbol = crate::barcode::encode(data, crate::barcode::SymbolShape::Square)
            .map_err(|e| Error::Refused(e.to_string()))?;
        let svg = symbol
            .svg(SHEET_MODULE_MM, QUIET_ZONE)
            .map_err(|e| Error::Refused(e.to_string()))?;
        Ok(BarcodeView {
            svg,
            text: human_readable_lines(data)?,
            element_string: symbol.element_string().to_string(),
        })
    }
}

/// The human-readable text, one element a line in the symbol's order, each written as GS1
/// writes it (`(17)270519`): built element by element, so that a lot holding `(` stays whole.
fn human_readable_lines(data: &Gs1Data) -> Result<Vec<String>> {
    let one = |d: Gs1Data| -> Result<String> {
        d.human_readable()
            .map_err(|e| Error::Refused(e.to_string()))
    };
    let mut lines = Vec::new();
    if let Some(g) = &data.gtin {
        lines.push(one(Gs1Data {
            gtin: Some(g.clone()),
            ..Gs1Data::default()
        })?);
    }
    if let Some(e) = data.expiry {
        lines.push(one(Gs1Data {
            expiry: Some(e),
            ..Gs1Data::default()
        })?);
    }
    if let Some(l) = &data.lot {
        lines.push(one(Gs1Data {
            lot: Some(l.clone()),
            ..Gs1Data::default()
        })?);
    }
    if let Some(i) = &data.internal_91 {
        lines.push(one(Gs1Data {
            internal_91: Some(i.clone()),
            ..Gs1Data::default()
        })?);
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gs1::Gs1Date;
    use chrono::NaiveDate;

    #[test]
    fn the_text_beside_the_symbol_is_one_element_a_line() {
        let data = Gs1Data {
            expiry: Some(Gs1Date::from_date(
                NaiveDate::from_ymd_opt(2027, 5, 19).unwrap(),
            )),
            lot: Some("STS25ZO-20261121-01".into()),
            internal_91: Some("sts-25-zinc-oxide".into()),
            ..Gs1Data::default()
        };
        let v = BarcodeView::sheet(&data).unwrap();
        assert_eq!(
            v.text,
            [
                "(17)270519",
                "(10)STS25ZO-20261121-01",
                "(91)sts-25-zinc-oxide"
            ]
        );
        // (17) is fixed-length; a GS ends the lot because (91) follows.
        assert_eq!(
            v.element_string,
            "1727051910STS25ZO-20261121-01\u{1d}91sts-25-zinc-oxide"
        );
        assert!(v.svg.starts_with("<svg"));
    }
}
