//! Container labels: label stock (data files), the fit check, and the placement of labels on
//! sheets. All of it is pure: it returns plain data that the `labels.html` template draws.
//!
//! Label stocks live in `data/labels/*.toml`, embedded in the binary, with the manufacturer's
//! dimensions and where they come from; `--label-stock FILE.toml` uses a site's own stock.
//!
//! ## The fit check
//!
//! Labels are set in a monospaced font (Liberation Mono, else DejaVu Sans Mono: every character
//! is 0.6 em wide, 0.602 em for DejaVu), so whether a text fits can be decided here, exactly and
//! the same way every time, instead of being discovered by the browser:
//!
//! - characters per line = ⌊(label width − 2 × padding x) ÷ (0.61 em × font size)⌋, where 0.61 em
//!   is a bound just above both fonts' advance;
//! - lines per label = ⌊(label height − 2 × padding y) ÷ (line height × font size)⌋.
//!
//! A character is measured in the font that prints it ([`crate::fonts`]): it takes as many of
//! those 0.61 em columns as its advance needs, rounded up (a Latin letter one; a Chinese
//! character, 1 em in Noto Sans Mono CJK, two). A character no installed font has is an error
//! naming it. The text is wrapped at spaces to that many columns; a word longer than a line, or more
//! lines than the label holds, is an error, never clipped text. The template draws each wrapped
//! line as it is (`white-space: pre`), so the page shows exactly what was checked.

pub mod content;

use std::fmt;
use std::path::Path;
use std::sync::OnceLock;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::data::{file_error, from_toml, FileKind};
use crate::error::{Error, Result};
use crate::quantity::format_number;

/// The label stocks shipped in the binary: (file name, contents).
pub const EMBEDDED: &[(&str, &str)] = &[
    (
        "avery-5160.toml",
        include_str!("../../../data/labels/avery-5160.toml"),
    ),
    (
        "avery-5163.toml",
        include_str!("../../../data/labels/avery-5163.toml"),
    ),
    (
        "avery-l7160.toml",
        include_str!("../../../data/labels/avery-l7160.toml"),
    ),
    (
        "avery-l7165.toml",
        include_str!("../../../data/labels/avery-l7165.toml"),
    ),
    (
        "single-4x2in.toml",
        include_str!("../../../data/labels/single-4x2in.toml"),
    ),
    (
        "syringe-flag-3x2in.toml",
        include_str!("../../../data/labels/syringe-flag-3x2in.toml"),
    ),
];

/// The stock used for container and vial labels when `--label-stock` is not given: 4 × 2 in,
/// which holds a dispensing label's text with its GS1 DataMatrix at 6 pt or more (a 1 in
/// address label does not).
pub const DEFAULT_STOCK: &str = "avery-5163";

/// The container stock on A4 paper (`--paper a4` without `--label-stock`): the same room as
/// [`DEFAULT_STOCK`] on an A4 sheet.
pub const DEFAULT_STOCK_A4: &str = "avery-l7165";

/// The stock used for syringe labels when `--label-stock` is not given: a flag label that
/// leaves a 1 mL syringe's graduations readable.
pub const SYRINGE_STOCK: &str = "syringe-flag-3x2in";

/// Width of one character of the label font, in em: a bound just above Liberation Mono's 0.6
/// and DejaVu Sans Mono's 0.602 (see the module documentation).
const MONO_ADVANCE_EM: Decimal = Decimal::from_parts(61, 0, 0, false, 2);

/// The smallest type on any label: 6 pt (issue 13: nothing on a label under 6 pt).
const MIN_FONT_PT: Decimal = Decimal::from_parts(6, 0, 0, false, 0);

/// The smallest type of a dose line: 9 pt, bold (issue 13: a nurse reads the dose at arm's
/// length, on every stock).
const MIN_DOSE_FONT_PT: Decimal = Decimal::from_parts(9, 0, 0, false, 0);

/// The least clear space inside a label's edges: 1.5 mm, a label printer's and a sheet feeder's
/// registration tolerance (issue 13), so that no line is cut when a sheet feeds off by that much.
const MIN_PADDING_MM: Decimal = Decimal::from_parts(15, 0, 0, false, 1);

/// The least height of a line of write-in blanks: 4 mm, room for a hand to write a name or a
/// number above the rule, as on a ruled form (a 6 pt line is 2.3 mm, too low to write in).
pub const WRITE_IN_MM: Decimal = Decimal::from_parts(4, 0, 0, false, 0);

/// The largest factor text is scaled up by to use a large label (tenths from 1 up to this).
const MAX_SCALE_TENTHS: u32 = 20;

/// The most columns, and the most rows, a label stock may have.
const MAX_GRID: u32 = 100;

/// A length on paper, held in millimetres. Written in files as `"66.675 mm"`, `"2.625 in"` or
/// `"6 pt"`; inches convert exactly (1 in = 25.4 mm), points as 1/72 in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Length(Decimal);

impl Length {
    /// A length of `mm` millimetres.
    pub fn from_mm(mm: Decimal) -> Self {
        Length(mm)
    }
    /// The length in millimetres.
    pub fn mm(self) -> Decimal {
        self.0
    }
    /// The length in points (1/72 in).
    pub fn pt(self) -> Decimal {
        self.0 * Decimal::from(72) / Decimal::new(254, 1)
    }
    /// The length for CSS, in millimetres without separators (`66.675mm`).
    pub fn css(self) -> String {
        format!("{}mm", self.0.normalize())
    }
    /// The length for people, in millimetres to 0.01 mm (`66.68 mm`).
    pub fn display_mm(self) -> String {
        crate::quantity::format_calculated(self.0, "mm", 2)
    }
}

impl std::str::FromStr for Length {
    type Err = String;
    fn from_str(text: &str) -> std::result::Result<Self, String> {
        let t = text.trim();
        // (multiplier, divisor): multiply first so that whole points stay exact (72 pt = 25.4 mm).
        let (number, times, per) = if let Some(n) = t.strip_suffix("mm") {
            (n, Decimal::ONE, Decimal::ONE)
        } else if let Some(n) = t.strip_suffix("in") {
            (n, Decimal::new(254, 1), Decimal::ONE)
        } else if let Some(n) = t.strip_suffix("pt") {
            (n, Decimal::new(254, 1), Decimal::from(72))
        } else {
            return Err(format!(
                "expected a length with its unit (mm, in or pt), such as \"2.625 in\", found {}",
                crate::error::quote(text)
            ));
        };
        let value = crate::quantity::bounded_number(number).map_err(|_| {
            format!(
                "expected a length such as \"2.625 in\" or \"63.5 mm\" (at most 12 digits before and after the point), found {}",
                crate::error::quote(text)
            )
        })?;
        if value < Decimal::ZERO {
            return Err(format!(
                "expected a length of zero or more, found {}",
                crate::error::quote(text)
            ));
        }
        Ok(Length(value * times / per))
    }
}

impl<'de> Deserialize<'de> for Length {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Length;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a length written as a quoted string with its unit, e.g. \"2.625 in\" (TOML numbers lose digits)")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Length, E> {
                v.parse().map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for Length {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{} mm", self.0.normalize()))
    }
}

/// How text is set on a label: stscalc's choice for each stock, used by the fit check.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextSettings {
    /// Font size, e.g. `"6 pt"` (at least 6 pt).
    pub font_size: Length,
    /// Font size of a dose line (printed in bold), e.g. `"9 pt"` (at least 9 pt).
    pub dose_font_size: Length,
    /// Line height as a multiple of the font size, e.g. `"1.1"`.
    #[serde(deserialize_with = "crate::quantity::exact_decimal")]
    pub line_height: Decimal,
    /// Space kept clear at the left and right edges.
    pub padding_x: Length,
    /// Space kept clear at the top and bottom edges.
    pub padding_y: Length,
}

/// A label stock: the sheet, the grid of labels on it, and how text is set.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stock {
    /// Identifier, equal to the file name without `.toml`.
    pub id: String,
    /// Name for people.
    pub name: String,
    /// Where the dimensions come from.
    pub source: String,
    /// The paper: `letter`, `a4`, or `label` for a page that is one label.
    pub paper: String,
    /// Sheet width.
    pub page_width: Length,
    /// Sheet height.
    pub page_height: Length,
    /// Label width.
    pub label_width: Length,
    /// Label height.
    pub label_height: Length,
    /// Labels across.
    pub columns: u32,
    /// Labels down.
    pub rows: u32,
    /// From the sheet's left edge to the first column's left edge.
    pub left: Length,
    /// From the sheet's top edge to the first row's top edge.
    pub top: Length,
    /// From one column's left edge to the next one's.
    pub pitch_x: Length,
    /// From one row's top edge to the next one's.
    pub pitch_y: Length,
    /// Corner radius, for outlines on a test print.
    #[serde(default)]
    pub corner_radius: Length,
    /// The size of one module of a label's GS1 DataMatrix (its X-dimension), e.g. `"0.3 mm"`.
    pub barcode_module: Length,
    /// A strip at the label's left edge kept free of text: a flag label's tab, stuck on the
    /// syringe barrel (0 for other labels).
    #[serde(default)]
    pub tab: Length,
    /// How text is set.
    pub text: TextSettings,
}

/// How much text a label of a stock holds (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Fit {
    /// Lines per label.
    pub max_lines: usize,
    /// Characters per line.
    pub max_chars: usize,
}

/// The type sizes a sheet is printed at: the stock's own, or scaled up to use a large label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    /// The factor on the stock's sizes (1 for its own).
    pub scale: Decimal,
    /// Body text size.
    pub body: Length,
    /// Dose line size.
    pub dose: Length,
    /// Line height as a multiple of the font size.
    pub line_height: Decimal,
    /// Width for text: the label less the padding and the tab.
    pub width: Length,
    /// Height for text: the label less the padding.
    pub height: Length,
}

fn floor_count(x: Decimal) -> usize {
    x.round_dp_with_strategy(0, RoundingStrategy::ToZero)
        .try_into()
        .unwrap_or(0usize)
}

impl Setting {
    /// Characters per line at `size` (see the module documentation).
    pub fn chars_at(&self, size: Length) -> usize {
        let char_width = MONO_ADVANCE_EM * size.mm();
        if char_width > Decimal::ZERO && self.width.mm() > Decimal::ZERO {
            floor_count(self.width.mm() / char_width)
        } else {
            0
        }
    }

    /// The height of one line at `size`.
    pub fn line_at(&self, size: Length) -> Length {
        Length(self.line_height * size.mm())
    }

    /// The size a line is set at.
    pub fn size_of(&self, line: &LabelLine) -> Length {
        if line.dose {
            self.dose
        } else {
            self.body
        }
    }

    /// The height a line takes: its size's line, or for write-in blanks at least
    /// [`WRITE_IN_MM`].
    pub fn height_of(&self, line: &LabelLine) -> Length {
        let h = self.line_at(self.size_of(line));
        if line.write_in {
            Length(h.mm().max(WRITE_IN_MM))
        } else {
            h
        }
    }

    /// How much body text fits.
    pub fn fit(&self) -> Fit {
        let line = self.line_at(self.body).mm();
        Fit {
            max_chars: self.chars_at(self.body),
            max_lines: if line > Decimal::ZERO && self.height.mm() > Decimal::ZERO {
                floor_count(self.height.mm() / line)
            } else {
                0
            },
        }
    }

    /// Wraps `lines` (dose lines at their own size) and checks that they fit the label's
    /// height; the wrapped lines, or why they do not fit.
    pub fn set(&self, stock: &Stock, lines: &[LabelLine]) -> Result<Vec<LabelLine>> {
        self.set_with(stock, lines, None).map(|(lines, _)| lines)
    }

    /// [`Setting::set`] with a symbol below the lines: its row is the symbol's height or the
    /// text beside it (at body size), whichever is taller. Beside it go the label's last
    /// paragraph (the facility, which every label ends with) and the symbol's human-readable
    /// text: the symbol is three lines high, and a line is saved for a label's write-in blanks.
    fn set_with(
        &self,
        stock: &Stock,
        lines: &[LabelLine],
        symbol: Option<&Symbol>,
    ) -> Result<(Vec<LabelLine>, Option<LabelBarcode>)> {
        let (lines, last) = match (symbol, lines.split_last()) {
            (Some(_), Some((last, rest))) if !last.dose && !last.write_in => (rest, Some(last)),
            _ => (lines, None),
        };
        let mut out = Vec::new();
        for para in lines {
            out.extend(wrap(
                std::slice::from_ref(para),
                self.chars_at(self.size_of(para)),
            )?);
        }
        let mut used: Decimal = out.iter().map(|l| self.height_of(l).mm()).sum();
        let barcode = match symbol {
            None => None,
            Some(sym) => {
                let beside = Setting {
                    width: Length(self.width.mm() - sym.size.mm() - BARCODE_GAP_MM),
                    ..*self
                };
                let width = beside.chars_at(self.body);
                // The last paragraph, set beside the symbol: still one of the label's lines
                // (marked), so that whoever reads the lines reads it.
                let mut next: Vec<LabelLine> =
                    wrap(&last.into_iter().cloned().collect::<Vec<_>>(), width)?;
                for l in &mut next {
                    l.beside = true;
                }
                let hri = wrap(&[LabelLine::plain(sym.pieces.join(" "))], width)?;
                let n = next.len() + hri.len();
                out.append(&mut next);
                let text_height = self.line_at(self.body).mm() * Decimal::from(n as u64);
                let row = sym.size.mm().max(text_height);
                used += row;
                Some(LabelBarcode {
                    svg: sym.svg.clone(),
                    element_string: sym.element_string.clone(),
                    text: hri.into_iter().map(|l| l.text).collect(),
                    width: sym.size.css(),
                    height: Length(row).css(),
                })
            }
        };
        if used > self.height.mm() {
            return Err(Error::Refused(format!(
                "the label text needs {} lines{}, {} high, but a label of stock `{}` holds {} of text ({}): choose a larger stock (e.g. `--label-stock avery-5163`) or shorten the text",
                out.len(),
                if barcode.is_some() { " and its barcode" } else { "" },
                Length(used).display_mm(),
                stock.id,
                self.height.display_mm(),
                self.fit_text()
            )));
        }
        Ok((out, barcode))
    }

    /// `at most 9 lines of 49 characters at 6 pt (dose 9 pt, bold)`.
    pub fn fit_text(&self) -> String {
        let fit = self.fit();
        format!(
            "at most {} lines of {} characters at {} (a dose at {}, bold)",
            format_number(Decimal::from(fit.max_lines as u64)),
            format_number(Decimal::from(fit.max_chars as u64)),
            crate::quantity::format_calculated(self.body.pt(), "pt", 2),
            crate::quantity::format_calculated(self.dose.pt(), "pt", 2),
        )
    }
}

impl Stock {
    /// Labels per sheet.
    pub fn per_sheet(&self) -> u32 {
        // `validate` bounds both counts, so the product cannot wrap; saturate all the same.
        self.columns.saturating_mul(self.rows)
    }

    /// How much body text one label holds, at the stock's own sizes.
    pub fn fit(&self) -> Fit {
        self.setting(Decimal::ONE).fit()
    }

    /// The type sizes at `scale` times the stock's own.
    pub fn setting(&self, scale: Decimal) -> Setting {
        let t = &self.text;
        Setting {
            scale,
            body: Length(t.font_size.mm() * scale),
            dose: Length(t.dose_font_size.mm() * scale),
            line_height: t.line_height,
            width: Length(self.label_width.mm() - Decimal::TWO * t.padding_x.mm() - self.tab.mm()),
            height: Length(self.label_height.mm() - Decimal::TWO * t.padding_y.mm()),
        }
    }

    /// Parses and checks a stock file.
    pub fn parse(file: &str, text: &str) -> Result<Stock> {
        let s: Stock = from_toml(FileKind::Data, file, text)?;
        s.validate(file, text)?;
        Ok(s)
    }

    fn validate(&self, file: &str, text: &str) -> Result<()> {
        let err = |message: String| file_error(FileKind::Data, file, text, None, message);
        let stem = Path::new(file)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("");
        if self.id != stem {
            return Err(err(format!(
                "`id` is `{}`: expected it to equal the file name `{stem}`",
                self.id
            )));
        }
        if !matches!(self.paper.as_str(), "letter" | "a4" | "label") {
            return Err(err(format!(
                "`paper` is `{}`: expected `letter`, `a4` or `label`",
                self.paper
            )));
        }
        if self.columns == 0 || self.rows == 0 {
            return Err(err("`columns` and `rows` must be at least 1".into()));
        }
        // No sheet carries more than a few hundred labels; the bound keeps every count and
        // product of counts far from wrapping.
        if self.columns > MAX_GRID || self.rows > MAX_GRID {
            return Err(err(format!(
                "`columns` is {} and `rows` is {}: expected at most {MAX_GRID} each",
                self.columns, self.rows
            )));
        }
        let pt = |l: Length| l.pt();
        if pt(self.text.font_size) < MIN_FONT_PT || pt(self.text.dose_font_size) < MIN_DOSE_FONT_PT
        {
            return Err(err(format!(
                "`text.font_size` is {} and `text.dose_font_size` {}: expected at least {} and {} (nothing on a label under 6 pt, a dose at least 9 pt)",
                self.font_size_text(),
                crate::quantity::format_calculated(pt(self.text.dose_font_size), "pt", 2),
                crate::quantity::format_quantity(MIN_FONT_PT, "pt"),
                crate::quantity::format_quantity(MIN_DOSE_FONT_PT, "pt"),
            )));
        }
        if self.text.padding_x.mm() < MIN_PADDING_MM || self.text.padding_y.mm() < MIN_PADDING_MM {
            return Err(err(format!(
                "`text.padding_x` is {} and `text.padding_y` {}: expected at least {} each (the printer's feed tolerance)",
                self.text.padding_x.display_mm(),
                self.text.padding_y.display_mm(),
                crate::quantity::format_quantity(MIN_PADDING_MM, "mm"),
            )));
        }
        for (name, l) in [
            ("page_width", self.page_width),
            ("page_height", self.page_height),
            ("label_width", self.label_width),
            ("label_height", self.label_height),
            ("text.font_size", self.text.font_size),
        ] {
            if l.mm() <= Decimal::ZERO {
                return Err(err(format!("`{name}` must be above 0")));
            }
        }
        if self.pitch_x < self.label_width || self.pitch_y < self.label_height {
            return Err(err(
                "`pitch_x` and `pitch_y` must be at least the label's width and height (labels may not overlap)".into(),
            ));
        }
        let n = |k: u32| Decimal::from(k - 1);
        let right = self.left.mm() + n(self.columns) * self.pitch_x.mm() + self.label_width.mm();
        let bottom = self.top.mm() + n(self.rows) * self.pitch_y.mm() + self.label_height.mm();
        if right > self.page_width.mm() || bottom > self.page_height.mm() {
            return Err(err(format!(
                "the labels reach {} across and {} down, beyond the {} × {} page",
                Length(right).display_mm(),
                Length(bottom).display_mm(),
                self.page_width.display_mm(),
                self.page_height.display_mm()
            )));
        }
        let fit = self.fit();
        if fit.max_chars < 20 || fit.max_lines < 3 {
            return Err(err(format!(
                "a label holds only {} lines of {} characters at {}: expected at least 3 lines of 20 (smaller type or padding)",
                fit.max_lines,
                fit.max_chars,
                self.font_size_text()
            )));
        }
        Ok(())
    }

    /// The font size for people, e.g. `6 pt`.
    pub fn font_size_text(&self) -> String {
        crate::quantity::format_calculated(self.text.font_size.pt(), "pt", 2)
    }
}

/// The embedded stocks, parsed once.
pub fn embedded() -> &'static [Stock] {
    static CELL: OnceLock<Vec<Stock>> = OnceLock::new();
    CELL.get_or_init(|| {
        EMBEDDED
            .iter()
            .map(|(name, text)| {
                Stock::parse(&format!("data/labels/{name}"), text)
                    .expect("the embedded label stocks are checked by the test suite")
            })
            .collect()
    })
}

/// The stock named by `--label-stock`: an embedded id, or the path of a stock file (`.toml`).
pub fn find(name: Option<&str>) -> Result<Stock> {
    find_or(name, DEFAULT_STOCK)
}

/// The stock named by `--label-stock`, else `default`.
pub fn find_or(name: Option<&str>, default: &str) -> Result<Stock> {
    let name = name.unwrap_or(default).trim();
    if let Some(s) = embedded().iter().find(|s| s.id == name) {
        return Ok(s.clone());
    }
    if name.ends_with(".toml") {
        let path = Path::new(name);
        let text = crate::data::read_text(path)?;
        return Stock::parse(name, &text);
    }
    let known: Vec<String> = embedded().iter().map(|s| format!("`{}`", s.id)).collect();
    Err(Error::input(
        "--label-stock",
        format!(
            "one of {} or a stock file such as `my-stock.toml`",
            known.join(", ")
        ),
        format!("`{name}`"),
    ))
}

/// One paragraph of a label before wrapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LabelLine {
    /// The text.
    pub text: String,
    /// Printed in bold (same width in the monospaced font, so the fit is unchanged).
    pub strong: bool,
    /// A dose: printed in bold at the stock's dose size (at least 9 pt).
    pub dose: bool,
    /// A line with write-in blanks: at least [`WRITE_IN_MM`] high, so that a hand can write
    /// on it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub write_in: bool,
    /// Set beside the label's barcode, above its human-readable text (the label's last
    /// paragraph, when it has a barcode).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub beside: bool,
}

impl LabelLine {
    /// A plain paragraph.
    pub fn plain(text: impl Into<String>) -> Self {
        LabelLine {
            text: text.into(),
            strong: false,
            dose: false,
            write_in: false,
            beside: false,
        }
    }
    /// A line of write-in blanks (`Patient ______`), as tall as handwriting needs.
    pub fn write_in(text: impl Into<String>) -> Self {
        LabelLine {
            text: text.into(),
            strong: false,
            dose: false,
            write_in: true,
            beside: false,
        }
    }
    /// A bold paragraph.
    pub fn strong(text: impl Into<String>) -> Self {
        LabelLine {
            text: text.into(),
            strong: true,
            dose: false,
            write_in: false,
            beside: false,
        }
    }
    /// A dose: bold, at the stock's dose size.
    pub fn dose(text: impl Into<String>) -> Self {
        LabelLine {
            text: text.into(),
            strong: true,
            dose: true,
            write_in: false,
            beside: false,
        }
    }
}

/// What one label says, and why it is printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LabelText {
    /// `container`, `record copy`, `syringe`...
    pub purpose: String,
    /// Its paragraphs.
    pub lines: Vec<LabelLine>,
    /// What its GS1 DataMatrix carries (`None` while the lot is a blank).
    #[serde(skip)]
    pub barcode: Option<crate::gs1::Gs1Data>,
}

/// A GS1 DataMatrix as a label prints it: the symbol, and its human-readable text beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LabelBarcode {
    /// The symbol as an SVG element (numbers and fixed text only: see [`crate::barcode`]).
    pub svg: String,
    /// The element string encoded, GS (0x1D) where a separator is.
    pub element_string: String,
    /// The human-readable text, `(17)270519 (10)LOT (91)formula`, wrapped to its column
    /// (below the label's lines set beside the symbol).
    pub text: Vec<String>,
    /// CSS width of the symbol with its quiet zone.
    pub width: String,
    /// CSS height of the row (the symbol or its text, whichever is taller).
    pub height: String,
}

/// An encoded symbol before it is placed: its SVG, size and the human-readable pieces.
#[derive(Debug, Clone)]
struct Symbol {
    svg: String,
    element_string: String,
    pieces: Vec<String>,
    size: Length,
}

/// The quiet zone kept round a symbol, in modules (GS1 asks for at least one).
const QUIET_ZONE: u32 = 1;

/// The gap between a symbol and its human-readable text.
const BARCODE_GAP_MM: Decimal = Decimal::from_parts(1, 0, 0, false, 0);

fn encode_symbol(data: &crate::gs1::Gs1Data, module: Length) -> Result<Symbol> {
    let refused = |e: crate::barcode::BarcodeError| Error::Refused(format!("label barcode: {e}"));
    let symbol =
        crate::barcode::encode(data, crate::barcode::SymbolShape::Square).map_err(refused)?;
    let svg = symbol.svg(module.mm(), QUIET_ZONE).map_err(refused)?;
    // The human-readable text with a space between elements, so that it wraps between them.
    let hri = data.human_readable().map_err(|e| refused(e.into()))?;
    let mut pieces: Vec<String> = Vec::new();
    for part in hri.split('(').filter(|p| !p.is_empty()) {
        pieces.push(format!("({part}"));
    }
    let modules = symbol.width().max(symbol.height()) + 2 * QUIET_ZONE as usize;
    Ok(Symbol {
        svg,
        element_string: symbol.element_string().to_string(),
        pieces,
        size: Length(module.mm() * Decimal::from(modules as u64)),
    })
}

/// Columns a character takes in the font that prints it: its advance in 0.61 em columns,
/// rounded up (see the module documentation); an error naming it when no font has it.
fn char_columns(c: char) -> Result<usize> {
    let advance = crate::fonts::advance_em(c)?;
    let cols = (advance / MONO_ADVANCE_EM).ceil();
    Ok(rust_decimal::prelude::ToPrimitive::to_usize(&cols).unwrap_or(usize::MAX))
}

fn columns(s: &str) -> Result<usize> {
    s.chars().map(char_columns).sum()
}

/// Wraps paragraphs at spaces to lines of at most `max_chars` columns. A word longer than a line
/// is an error (it would be cut).
pub fn wrap(lines: &[LabelLine], max_chars: usize) -> Result<Vec<LabelLine>> {
    let mut out = Vec::new();
    for para in lines {
        let mut current = String::new();
        for word in para.text.split_whitespace() {
            if columns(word)? > max_chars {
                return Err(Error::Refused(format!(
                    "the label text `{word}` is longer than a label line ({max_chars} characters): choose a larger stock or shorten it"
                )));
            }
            if current.is_empty() {
                current.push_str(word);
            } else if columns(&current)? + 1 + columns(word)? <= max_chars {
                current.push(' ');
                current.push_str(word);
            } else {
                out.push(LabelLine {
                    text: std::mem::take(&mut current),
                    strong: para.strong,
                    dose: para.dose,
                    write_in: para.write_in,
                    beside: para.beside,
                });
                current.push_str(word);
            }
        }
        if !current.is_empty() {
            out.push(LabelLine {
                text: current,
                strong: para.strong,
                dose: para.dose,
                write_in: para.write_in,
                beside: para.beside,
            });
        }
    }
    Ok(out)
}

/// The stock as the template needs it: CSS lengths and the facts printed on the sheet.
#[derive(Debug, Clone, Serialize)]
pub struct StockView {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Source of the dimensions.
    pub source: String,
    /// `letter`, `a4` or `label`.
    pub paper: String,
    /// CSS page width.
    pub page_width: String,
    /// CSS page height.
    pub page_height: String,
    /// CSS label width.
    pub label_width: String,
    /// CSS label height.
    pub label_height: String,
    /// CSS corner radius.
    pub corner_radius: String,
    /// CSS font size.
    pub font_size: String,
    /// CSS line height (one line's height, as a length).
    pub line_height: String,
    /// CSS font size of a dose line.
    pub dose_font_size: String,
    /// CSS height of a dose line.
    pub dose_line_height: String,
    /// CSS padding at the left: the padding and the flag's tab.
    pub padding_left: String,
    /// CSS width of a flag's tab (0 without one).
    pub tab: String,
    /// The factor the stock's type sizes are scaled by, e.g. `1.4` (1 at its own sizes).
    pub scale: String,
    /// CSS padding, top and bottom.
    pub padding_y: String,
    /// CSS padding, left and right.
    pub padding_x: String,
    /// Labels per sheet.
    pub per_sheet: u32,
    /// Labels across.
    pub columns: u32,
    /// Labels down.
    pub rows: u32,
    /// How much text a label holds.
    pub fit: Fit,
    /// The same for people, e.g. `at most 10 lines of 49 characters at 6 pt`.
    pub fit_text: String,
    /// CSS font family: the fonts the fit check measured with, in order.
    pub font_family: String,
    /// CSS height of a line of write-in blanks.
    pub write_in_height: String,
    /// CSS space above a line of write-in blanks' text: the room to write in.
    pub write_in_room: String,
}

impl StockView {
    /// The view of `stock` at its own type sizes.
    pub fn of(stock: &Stock) -> StockView {
        StockView::at(stock, &stock.setting(Decimal::ONE))
    }

    /// The view of `stock` at the sizes of `setting`.
    pub fn at(stock: &Stock, setting: &Setting) -> StockView {
        let fit = setting.fit();
        StockView {
            id: stock.id.clone(),
            name: stock.name.clone(),
            source: stock.source.clone(),
            paper: stock.paper.clone(),
            page_width: stock.page_width.css(),
            page_height: stock.page_height.css(),
            label_width: stock.label_width.css(),
            label_height: stock.label_height.css(),
            corner_radius: stock.corner_radius.css(),
            font_size: setting.body.css(),
            line_height: setting.line_at(setting.body).css(),
            dose_font_size: setting.dose.css(),
            dose_line_height: setting.line_at(setting.dose).css(),
            padding_y: stock.text.padding_y.css(),
            padding_x: stock.text.padding_x.css(),
            padding_left: Length(stock.text.padding_x.mm() + stock.tab.mm()).css(),
            tab: stock.tab.css(),
            scale: format_number(setting.scale),
            per_sheet: stock.per_sheet(),
            columns: stock.columns,
            rows: stock.rows,
            fit,
            fit_text: setting.fit_text(),
            font_family: crate::fonts::css_family(),
            write_in_height: setting.height_of(&LabelLine::write_in("")).css(),
            write_in_room: Length(
                setting.height_of(&LabelLine::write_in("")).mm()
                    - setting.line_at(setting.body).mm(),
            )
            .css(),
        }
    }
}

/// One label placed on a sheet.
#[derive(Debug, Clone, Serialize)]
pub struct PlacedLabel {
    /// Position on its sheet, 1-based, left to right then top to bottom.
    pub position: u32,
    /// Row on the sheet, 1-based.
    pub row: u32,
    /// Column on the sheet, 1-based.
    pub column: u32,
    /// CSS distance from the sheet's left edge.
    pub left: String,
    /// CSS distance from the sheet's top edge.
    pub top: String,
    /// Why it is printed.
    pub purpose: String,
    /// The wrapped lines, exactly as printed.
    pub lines: Vec<LabelLine>,
    /// Its GS1 DataMatrix with the human-readable text, below the lines.
    pub barcode: Option<LabelBarcode>,
}

/// One printed sheet.
#[derive(Debug, Clone, Serialize)]
pub struct SheetPage {
    /// 1-based sheet number.
    pub number: u32,
    /// The labels on it (empty positions are left out).
    pub labels: Vec<PlacedLabel>,
}

/// Labels laid out on sheets of a stock.
#[derive(Debug, Clone, Serialize)]
pub struct LabelSheet {
    /// The stock.
    pub stock: StockView,
    /// Positions left empty at the start of the first sheet (`--skip`).
    pub skipped: u32,
    /// Labels printed.
    pub count: u32,
    /// Draw each label's outline (a test print on plain paper).
    pub outline: bool,
    /// The sheets.
    pub pages: Vec<SheetPage>,
    /// What the pharmacist must know before sticking the labels on (e.g. the BUD does not yet
    /// account for component lots not recorded); not printed on the labels.
    pub warnings: Vec<String>,
}

/// Lays `labels` out on `stock`, leaving the first `skip` positions of the first sheet empty.
/// Every label's text is wrapped and checked to fit (see the module documentation).
pub fn lay_out(
    stock: &Stock,
    labels: &[LabelText],
    skip: u32,
    outline: bool,
) -> Result<LabelSheet> {
    let per_sheet = stock.per_sheet();
    if skip >= per_sheet {
        return Err(Error::input(
            "--skip",
            format!(
                "0 to {} positions for stock `{}` ({} labels per sheet)",
                per_sheet - 1,
                stock.id,
                per_sheet
            ),
            format!("`{skip}`"),
        ));
    }
    if labels.is_empty() {
        return Err(Error::Refused(
            "no labels to print: the batch fills no container (ask for `--containers` or `--copies`)".into(),
        ));
    }
    let (setting, set) = scaled_to_fit(stock, labels)?;
    let mut pages: Vec<SheetPage> = Vec::new();
    for (k, (label, (lines, barcode))) in labels.iter().zip(set).enumerate() {
        let index = skip + k as u32;
        let (sheet, pos) = (index / per_sheet, index % per_sheet);
        let (row, col) = (pos / stock.columns, pos % stock.columns);
        if pages.len() <= sheet as usize {
            pages.push(SheetPage {
                number: sheet + 1,
                labels: Vec::new(),
            });
        }
        let left = stock.left.mm() + Decimal::from(col) * stock.pitch_x.mm();
        let top = stock.top.mm() + Decimal::from(row) * stock.pitch_y.mm();
        pages[sheet as usize].labels.push(PlacedLabel {
            position: pos + 1,
            row: row + 1,
            column: col + 1,
            left: Length::from_mm(left).css(),
            top: Length::from_mm(top).css(),
            purpose: label.purpose.clone(),
            lines,
            barcode,
        });
    }
    Ok(LabelSheet {
        stock: StockView::at(stock, &setting),
        skipped: skip,
        count: labels.len() as u32,
        outline,
        pages,
        warnings: Vec::new(),
    })
}

/// A label's wrapped lines and its placed barcode.
type SetLabel = (Vec<LabelLine>, Option<LabelBarcode>);

/// The largest setting, from the stock's own sizes up to [`MAX_SCALE_TENTHS`] tenths of them,
/// at which every label fits, with the labels' wrapped lines and barcodes: a large label is
/// used to its size instead of being left two-fifths empty. At the stock's own sizes a label
/// that does not fit is an error (see [`Setting::set`]). The symbols keep their module size
/// whatever the scale.
fn scaled_to_fit(stock: &Stock, labels: &[LabelText]) -> Result<(Setting, Vec<SetLabel>)> {
    let symbols: Vec<Option<Symbol>> = labels
        .iter()
        .map(|l| {
            l.barcode
                .as_ref()
                .map(|d| encode_symbol(d, stock.barcode_module))
                .transpose()
        })
        .collect::<Result<_>>()?;
    let set_all = |setting: &Setting| -> Result<Vec<SetLabel>> {
        labels
            .iter()
            .zip(&symbols)
            .map(|(l, sym)| setting.set_with(stock, &l.lines, sym.as_ref()))
            .collect()
    };
    for tenths in (11..=MAX_SCALE_TENTHS).rev() {
        let setting = stock.setting(Decimal::new(i64::from(tenths), 1));
        if let Ok(set) = set_all(&setting) {
            return Ok((setting, set));
        }
    }
    let setting = stock.setting(Decimal::ONE);
    let set = set_all(&setting)?;
    Ok((setting, set))
}

/// One label as `stock` prints it alone (the record's sample): the stock's view at the sizes
/// used, the wrapped lines, and whether they fit (when not, the lines at the stock's own
/// sizes, for the record to show what does not fit).
pub fn sample(stock: &Stock, label: &LabelText) -> Result<(StockView, Vec<LabelLine>, bool)> {
    match scaled_to_fit(stock, std::slice::from_ref(label)) {
        Ok((setting, mut set)) => Ok((StockView::at(stock, &setting), set.remove(0).0, true)),
        Err(_) => {
            let setting = stock.setting(Decimal::ONE);
            let mut lines = Vec::new();
            for para in &label.lines {
                lines.extend(wrap(
                    std::slice::from_ref(para),
                    setting.chars_at(setting.size_of(para)),
                )?);
            }
            Ok((StockView::at(stock, &setting), lines, false))
        }
    }
}

/// The paper of a label stock is the stock's; `--paper` may only confirm it.
pub fn check_paper(stock: &Stock, paper: Option<&str>) -> Result<()> {
    match paper {
        Some(p) if p != stock.paper => Err(Error::input(
            "--paper",
            if stock.paper == "label" {
                format!(
                    "no `--paper` for stock `{}` (its page is the label)",
                    stock.id
                )
            } else {
                format!("`{}`, the paper of stock `{}`", stock.paper, stock.id)
            },
            format!("`{p}`"),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    #[test]
    fn embedded_stocks_parse_and_fit_their_sheets() {
        let ids: Vec<&str> = embedded().iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "avery-5160",
                "avery-5163",
                "avery-l7160",
                "avery-l7165",
                "single-4x2in",
                "syringe-flag-3x2in"
            ]
        );
    }

    #[test]
    fn lengths_convert_exactly() {
        let l: Length = "2.625 in".parse().unwrap();
        assert_eq!(l.mm(), d("2.625") * d("25.4"));
        let l: Length = "63.5 mm".parse().unwrap();
        assert_eq!(l.mm(), d("63.5"));
        let l: Length = "72 pt".parse().unwrap();
        assert_eq!(l.mm(), d("25.4"));
        assert!("3 cm".parse::<Length>().is_err());
        assert!("-1 mm".parse::<Length>().is_err());
    }

    #[test]
    fn avery_5160_holds_9_lines_of_49_characters() {
        let s = find(Some("avery-5160")).unwrap();
        // Width: 2.625 in = 66.675 mm, less 2 × 1.5 mm = 63.675 mm; one character is
        // 0.61 × 6 pt = 0.61 × 6 × 25.4 / 72 mm = 1.2911666.. mm; 63.675 / 1.29116 = 49.3.
        // Height: 25.4 mm less 2 × 1.5 mm = 22.4 mm; one line is 1.1 × 6 pt = 2.32833.. mm;
        // 22.4 / 2.32833 = 9.62.
        assert_eq!(
            s.fit(),
            Fit {
                max_lines: 9,
                max_chars: 49
            }
        );
    }

    #[test]
    fn every_shipped_stock_keeps_6_pt_9_pt_doses_and_1_5_mm_clear() {
        for s in embedded() {
            assert!(s.text.font_size.pt() >= d("6"), "{}", s.id);
            assert!(s.text.dose_font_size.pt() >= d("9"), "{}", s.id);
            assert!(s.text.padding_x.mm() >= d("1.5"), "{}", s.id);
            assert!(s.text.padding_y.mm() >= d("1.5"), "{}", s.id);
        }
    }

    #[test]
    fn text_is_scaled_up_to_use_a_large_label() {
        let s = find(Some("single-4x2in")).unwrap();
        let label = LabelText {
            purpose: "container".into(),
            lines: vec![LabelLine::dose("0.3 mL = 45 mg"), LabelLine::plain("x")],
            barcode: None,
        };
        let sheet = lay_out(&s, &[label], 0, false).unwrap();
        // Two short lines fit at twice the stock's 7 pt (14 pt), the largest scale tried.
        assert_eq!(sheet.stock.scale, "2");
        assert_eq!(
            sheet.stock.font_size,
            // 7 pt in mm (7 × 25.4 / 72), doubled: in that order, as Decimal rounds it.
            format!("{}mm", (d("7") * d("25.4") / d("72") * d("2")).normalize())
        );
    }

    #[test]
    fn wrap_breaks_at_spaces_and_refuses_long_words() {
        let lines = [LabelLine::plain("aaa bbb ccc dddd")];
        let w = wrap(&lines, 8).unwrap();
        let texts: Vec<&str> = w.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["aaa bbb", "ccc dddd"]);
        assert!(wrap(&[LabelLine::plain("abcdefghi")], 8).is_err());
    }

    #[test]
    fn wide_characters_count_twice() {
        // Needs the label fonts installed (fonts-liberation, fonts-noto-cjk: .ci/run).
        assert_eq!(columns("ab°×").unwrap(), 4);
        assert_eq!(columns("薬").unwrap(), 2);
        assert_eq!(columns("王小明").unwrap(), 6);
    }

    #[test]
    fn positions_run_across_then_down_and_onto_new_sheets() {
        let s = find(Some("avery-5160")).unwrap();
        let label = LabelText {
            purpose: "container".into(),
            lines: vec![LabelLine::plain("x")],
            barcode: None,
        };
        let labels = vec![label; 5];
        let sheet = lay_out(&s, &labels, 28, false).unwrap();
        assert_eq!(sheet.pages.len(), 2);
        let first: Vec<(u32, u32, u32)> = sheet.pages[0]
            .labels
            .iter()
            .map(|l| (l.position, l.row, l.column))
            .collect();
        assert_eq!(first, [(29, 10, 2), (30, 10, 3)]);
        assert_eq!(sheet.pages[1].labels[0].position, 1);
        // Position 29: column 2, row 10 → left 0.1875 + 1 × 2.75 in, top 0.5 + 9 × 1 in.
        assert_eq!(
            sheet.pages[0].labels[0].left,
            format!("{}mm", ((d("0.1875") + d("2.75")) * d("25.4")).normalize())
        );
        assert_eq!(
            sheet.pages[0].labels[0].top,
            format!("{}mm", ((d("0.5") + d("9")) * d("25.4")).normalize())
        );
        let e = lay_out(&s, &labels, 30, false).unwrap_err();
        assert!(e.to_string().contains("`--skip`"), "{e}");
    }
}
