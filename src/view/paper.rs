//! The paper a record or a session sheet is printed on.

use serde::Serialize;

/// Paper size for a record or a session sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Paper {
    /// US Letter, 8.5 × 11 in.
    Letter,
    /// A4, 210 × 297 mm.
    A4,
}

impl Paper {
    /// The name label stocks use for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Paper::Letter => "letter",
            Paper::A4 => "a4",
        }
    }
}

/// The paper as the templates need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaperView {
    /// `letter` or `a4`.
    pub name: &'static str,
    /// The CSS `@page` size.
    pub css_size: &'static str,
}

impl PaperView {
    /// The view of `paper`.
    pub fn of(paper: Paper) -> Self {
        PaperView {
            name: paper.as_str(),
            css_size: match paper {
                Paper::Letter => "letter",
                Paper::A4 => "A4",
            },
        }
    }
}

impl Default for PaperView {
    fn default() -> Self {
        PaperView::of(Paper::Letter)
    }
}
