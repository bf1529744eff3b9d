//! GS1 DataMatrix symbols (ECC 200 with a leading FNC1) for the element strings of
//! [`crate::gs1`], as a module matrix and as an SVG that label templates embed.
//!
//! The `datamatrix` crate does the symbol work (sizes, Reed–Solomon error correction, module
//! placement). It writes a leading FNC1 but, between elements, would write the GS byte itself
//! (codeword 30), which readers transmit the same way but which the GS1 General Specifications
//! do not name: they separate elements with FNC1 (codeword 232). So the data is encoded in
//! ASCII encodation only, where codeword 30 can mean nothing but GS and codeword 129 nothing
//! but the first pad, each GS before the pad becomes FNC1, and the error correction is computed
//! again on the result. GS1 data is mostly digits, which ASCII encodation packs two to a
//! codeword, so little size is lost.

use std::fmt::Write as _;

use datamatrix::placement::MatrixMap;
use datamatrix::{errorcode, DataMatrixBuilder, EncodationType, SymbolList};
use rust_decimal::Decimal;

use crate::gs1::{Gs1Data, Gs1Error};

/// FNC1 in Data Matrix (ISO/IEC 16022): start of a GS1 symbol and separator between elements.
pub const FNC1: u8 = 232;
/// The ASCII-encodation codeword of the byte GS (ASCII value 29, plus one).
const ASCII_GS: u8 = 30;
/// The first pad codeword after the data in ASCII encodation.
const PAD: u8 = 129;

/// The shape of symbol to choose; the smallest of that shape that holds the data is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SymbolShape {
    /// Square symbols, 10 × 10 to 144 × 144 modules.
    #[default]
    Square,
    /// Rectangular symbols, 8 × 18 to 16 × 48 modules: for a syringe barrel or a narrow label.
    Rectangular,
}

/// Why a symbol or its SVG cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BarcodeError {
    /// The data is not valid GS1.
    #[error(transparent)]
    Gs1(#[from] Gs1Error),
    /// The data needs more codewords than the largest symbol of the shape holds.
    #[error("GS1 DataMatrix: expected an element string that fits a {shape} symbol, found {len} characters that do not")]
    TooLong {
        /// `square` or `rectangular`.
        shape: &'static str,
        /// Length of the element string.
        len: usize,
    },
    /// A module size that is zero or negative.
    #[error("GS1 DataMatrix module size: expected a size above 0 mm, found `{found} mm`")]
    ModuleSize {
        /// The size given.
        found: Decimal,
    },
    /// No quiet zone.
    #[error("GS1 DataMatrix quiet zone: expected at least 1 module, found 0")]
    QuietZone,
}

/// An encoded GS1 DataMatrix: its modules, row by row, `true` for dark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gs1DataMatrix {
    width: usize,
    height: usize,
    modules: Vec<bool>,
    data_codewords: Vec<u8>,
    element_string: String,
}

/// Encodes `data` as a GS1 DataMatrix of the given shape.
pub fn encode(data: &Gs1Data, shape: SymbolShape) -> Result<Gs1DataMatrix, BarcodeError> {
    let element_string = data.element_string()?;
    let (symbols, shape_name) = match shape {
        SymbolShape::Square => (SymbolList::default().enforce_square(), "square"),
        SymbolShape::Rectangular => (SymbolList::default().enforce_rectangular(), "rectangular"),
    };
    // Each size is tried alone, smallest first: given a list, the crate bounds the data by
    // what Base256 encodation (one codeword per byte) would need, and so refuses a 55-digit
    // string that ASCII encodation packs into a 16 × 48 rectangle's 49 codewords.
    let symbol = symbols
        .iter()
        .find_map(|size| {
            DataMatrixBuilder::new()
                .with_encodation_types(EncodationType::Ascii)
                .with_macros(false)
                .with_fnc1_start(true)
                .with_symbol_list(SymbolList::with_whitelist([size]))
                .encode(element_string.as_bytes())
                .ok()
        })
        .ok_or(BarcodeError::TooLong {
            shape: shape_name,
            len: element_string.len(),
        })?;
    let mut data_codewords = symbol.data_codewords().to_vec();
    debug_assert_eq!(
        data_codewords.first(),
        Some(&FNC1),
        "the crate writes FNC1 first"
    );
    let end = data_codewords
        .iter()
        .position(|&c| c == PAD)
        .unwrap_or(data_codewords.len());
    for codeword in &mut data_codewords[1..end] {
        if *codeword == ASCII_GS {
            *codeword = FNC1;
        }
    }
    let mut codewords = data_codewords.clone();
    codewords.extend(errorcode::encode_error(&data_codewords, symbol.size));
    let bitmap = MatrixMap::new_with_codewords(&codewords, symbol.size).bitmap();
    Ok(Gs1DataMatrix {
        width: bitmap.width(),
        height: bitmap.height(),
        modules: bitmap.bits().to_vec(),
        data_codewords,
        element_string,
    })
}

impl Gs1DataMatrix {
    /// Modules across, without the quiet zone.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Modules down, without the quiet zone.
    pub fn height(&self) -> usize {
        self.height
    }

    /// Whether the module in column `x`, row `y` (from the top left) is dark; `false` outside.
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.height && self.modules[y * self.width + x]
    }

    /// The rows of modules, top first.
    pub fn rows(&self) -> impl Iterator<Item = &[bool]> + '_ {
        self.modules.chunks(self.width)
    }

    /// The data codewords (FNC1 first, FNC1 between elements, then pads), before error
    /// correction: what a reader's raw output shows.
    pub fn data_codewords(&self) -> &[u8] {
        &self.data_codewords
    }

    /// The element string encoded (GS where an FNC1 separator is).
    pub fn element_string(&self) -> &str {
        &self.element_string
    }

    /// The symbol as a standalone SVG element, `module_mm` millimetres per module, with a
    /// white quiet zone of `quiet_zone` modules (GS1 asks for at least one) on every side.
    ///
    /// The dark modules are one path of whole-module rectangles (one path, so no hairline
    /// seams between neighbours) drawn with `shape-rendering="crispEdges"`. The SVG holds only
    /// numbers and fixed text, so a template can embed it without escaping.
    pub fn svg(&self, module_mm: Decimal, quiet_zone: u32) -> Result<String, BarcodeError> {
        if module_mm <= Decimal::ZERO {
            return Err(BarcodeError::ModuleSize { found: module_mm });
        }
        if quiet_zone == 0 {
            return Err(BarcodeError::QuietZone);
        }
        let q = quiet_zone as usize;
        let (view_w, view_h) = (self.width + 2 * q, self.height + 2 * q);
        let mm = |modules: usize| (Decimal::from(modules) * module_mm).normalize();
        let mut svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}mm\" height=\"{}mm\" \
             viewBox=\"0 0 {view_w} {view_h}\" shape-rendering=\"crispEdges\">\
             <rect width=\"{view_w}\" height=\"{view_h}\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
            mm(view_w),
            mm(view_h)
        );
        for (y, row) in self.rows().enumerate() {
            let mut x = 0;
            while x < row.len() {
                if !row[x] {
                    x += 1;
                    continue;
                }
                let run = row[x..].iter().take_while(|&&dark| dark).count();
                write!(svg, "M{} {}h{run}v1h-{run}z", x + q, y + q).expect("writing to a String");
                x += run;
            }
        }
        svg.push_str("\"/></svg>");
        Ok(svg)
    }
}
