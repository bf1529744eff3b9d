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
//! The text is wrapped at spaces to that many characters (a character outside U+0000–U+24FF
//! counts as two, for wide scripts a fallback font may draw); a word longer than a line, or more
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
        "single-4x2in.toml",
        include_str!("../../../data/labels/single-4x2in.toml"),
    ),
];

/// The stock used when `--label-stock` is not given.
pub const DEFAULT_STOCK: &str = "avery-5160";

/// Width of one character of the label font, in em: a bound just above Liberation Mono's 0.6
/// and DejaVu Sans Mono's 0.602 (see the module documentation).
const MONO_ADVANCE_EM: Decimal = Decimal::from_parts(61, 0, 0, false, 2);

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
    /// Font size, e.g. `"6 pt"`.
    pub font_size: Length,
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

impl Stock {
    /// Labels per sheet.
    pub fn per_sheet(&self) -> u32 {
        // `validate` bounds both counts, so the product cannot wrap; saturate all the same.
        self.columns.saturating_mul(self.rows)
    }

    /// How much text one label holds.
    pub fn fit(&self) -> Fit {
        let t = &self.text;
        let floor = |x: Decimal| {
            x.round_dp_with_strategy(0, RoundingStrategy::ToZero)
                .try_into()
                .unwrap_or(0usize)
        };
        let char_width = MONO_ADVANCE_EM * t.font_size.mm();
        let line = t.line_height * t.font_size.mm();
        let width = self.label_width.mm() - Decimal::TWO * t.padding_x.mm();
        let height = self.label_height.mm() - Decimal::TWO * t.padding_y.mm();
        Fit {
            max_chars: if char_width > Decimal::ZERO && width > Decimal::ZERO {
                floor(width / char_width)
            } else {
                0
            },
            max_lines: if line > Decimal::ZERO && height > Decimal::ZERO {
                floor(height / line)
            } else {
                0
            },
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
    let name = name.unwrap_or(DEFAULT_STOCK).trim();
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
}

impl LabelLine {
    /// A plain paragraph.
    pub fn plain(text: impl Into<String>) -> Self {
        LabelLine {
            text: text.into(),
            strong: false,
        }
    }
    /// A bold paragraph.
    pub fn strong(text: impl Into<String>) -> Self {
        LabelLine {
            text: text.into(),
            strong: true,
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
}

/// Columns a character takes in the label font (see the module documentation).
fn char_columns(c: char) -> usize {
    if (c as u32) <= 0x24FF {
        1
    } else {
        2
    }
}

fn columns(s: &str) -> usize {
    s.chars().map(char_columns).sum()
}

/// Wraps paragraphs at spaces to lines of at most `max_chars` columns. A word longer than a line
/// is an error (it would be cut).
pub fn wrap(lines: &[LabelLine], max_chars: usize) -> Result<Vec<LabelLine>> {
    let mut out = Vec::new();
    for para in lines {
        let mut current = String::new();
        for word in para.text.split_whitespace() {
            if columns(word) > max_chars {
                return Err(Error::Refused(format!(
                    "the label text `{word}` is longer than a label line ({max_chars} characters): choose a larger stock or shorten it"
                )));
            }
            if current.is_empty() {
                current.push_str(word);
            } else if columns(&current) + 1 + columns(word) <= max_chars {
                current.push(' ');
                current.push_str(word);
            } else {
                out.push(LabelLine {
                    text: std::mem::take(&mut current),
                    strong: para.strong,
                });
                current.push_str(word);
            }
        }
        if !current.is_empty() {
            out.push(LabelLine {
                text: current,
                strong: para.strong,
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
}

impl StockView {
    /// The view of `stock`.
    pub fn of(stock: &Stock) -> StockView {
        let fit = stock.fit();
        let line = Length::from_mm(stock.text.line_height * stock.text.font_size.mm());
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
            font_size: stock.text.font_size.css(),
            line_height: line.css(),
            padding_y: stock.text.padding_y.css(),
            padding_x: stock.text.padding_x.css(),
            per_sheet: stock.per_sheet(),
            columns: stock.columns,
            rows: stock.rows,
            fit,
            fit_text: format!(
                "at most {} lines of {} characters at {}",
                format_number(Decimal::from(fit.max_lines as u64)),
                format_number(Decimal::from(fit.max_chars as u64)),
                stock.font_size_text()
            ),
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
    let fit = stock.fit();
    let mut pages: Vec<SheetPage> = Vec::new();
    for (k, label) in labels.iter().enumerate() {
        let lines = wrap(&label.lines, fit.max_chars)?;
        if lines.len() > fit.max_lines {
            return Err(Error::Refused(format!(
                "the label text needs {} lines but a label of stock `{}` holds {} ({}): choose a larger stock (e.g. `--label-stock avery-5163`) or shorten the text",
                lines.len(),
                stock.id,
                fit.max_lines,
                StockView::of(stock).fit_text
            )));
        }
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
        });
    }
    Ok(LabelSheet {
        stock: StockView::of(stock),
        skipped: skip,
        count: labels.len() as u32,
        outline,
        pages,
        warnings: Vec::new(),
    })
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
            ["avery-5160", "avery-5163", "avery-l7160", "single-4x2in"]
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
    fn avery_5160_holds_10_lines_of_49_characters() {
        let s = find(Some("avery-5160")).unwrap();
        // Width: 2.625 in = 66.675 mm, less 2 × 1.5 mm = 63.675 mm; one character is
        // 0.61 × 6 pt = 0.61 × 6 × 25.4 / 72 mm = 1.2911666.. mm; 63.675 / 1.29116 = 49.3.
        // Height: 25.4 mm less 2 × 1 mm = 23.4 mm; one line is 1.1 × 6 pt = 2.32833.. mm;
        // 23.4 / 2.32833 = 10.05.
        assert_eq!(
            s.fit(),
            Fit {
                max_lines: 10,
                max_chars: 49
            }
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
        assert_eq!(columns("ab°×"), 4);
        assert_eq!(columns("薬"), 2);
    }

    #[test]
    fn positions_run_across_then_down_and_onto_new_sheets() {
        let s = find(Some("avery-5160")).unwrap();
        let label = LabelText {
            purpose: "container".into(),
            lines: vec![LabelLine::plain("x")],
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
