//! Reading TOML data files (formulas, substance, rules, stock tables) with errors that name the
//! file, the line and the column, on one line.

use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

/// What kind of file is being read, which decides the error variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A master formulation record.
    Formula,
    /// Any other data file (substance, rules, syringes, label stock).
    Data,
}

/// 1-based line and column of a byte offset in `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Builds the error for `file` at an optional byte offset.
pub fn file_error(
    kind: FileKind,
    file: &str,
    text: &str,
    offset: Option<usize>,
    message: String,
) -> Error {
    let (line, column) = match offset {
        Some(o) => {
            let (l, c) = line_column(text, o);
            (Some(l), Some(c))
        }
        None => (None, None),
    };
    let file = file.to_string();
    match kind {
        FileKind::Formula => Error::FormulaFile {
            file,
            line,
            column,
            message,
        },
        FileKind::Data => Error::DataFile {
            file,
            line,
            column,
            message,
        },
    }
}

/// Parses TOML `text` from `file` into `T`; errors are one line with the position.
pub fn from_toml<T: DeserializeOwned>(kind: FileKind, file: &str, text: &str) -> Result<T> {
    toml::from_str(text).map_err(|e| {
        let offset = e.span().map(|s| s.start);
        // toml's messages may span lines; keep the first so the error stays one line.
        let message = e
            .message()
            .lines()
            .next()
            .unwrap_or("invalid TOML")
            .trim()
            .to_string();
        file_error(kind, file, text, offset, message)
    })
}
