//! The one error type of the crate.
//!
//! Every message is a single line in the style of `just`: lower case, the offending name in
//! backticks, what was expected and what was found. The binary prints it after `error: ` and
//! exits with code 1; clap keeps code 2 for usage errors.

use std::path::PathBuf;

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in stscalc.
#[derive(Debug)]
pub enum Error {
    /// A value given by the user (option, file field) is not what was expected.
    Input {
        /// The option or field name, e.g. `--quantity` or `certificate.assay`.
        field: String,
        /// What a valid value looks like.
        expected: String,
        /// What was given, already quoted in backticks where it is a value.
        found: String,
    },

    /// A formula id that is in neither the embedded set nor the user's folder.
    UnknownFormula {
        /// The id asked for.
        id: String,
        /// The known ids, comma separated.
        known: String,
    },

    /// A formula file that cannot be used.
    FormulaFile {
        /// File name (embedded name or path on disk).
        file: String,
        /// 1-based line, when known.
        line: Option<usize>,
        /// 1-based column, when known.
        column: Option<usize>,
        /// What is wrong and how to fix it.
        message: String,
    },

    /// A data file shipped with or given to stscalc (substance, rules, stock) that cannot be used.
    DataFile {
        /// File name.
        file: String,
        /// 1-based line, when known.
        line: Option<usize>,
        /// 1-based column, when known.
        column: Option<usize>,
        /// What is wrong.
        message: String,
    },

    /// A calculation the tool refuses because it would be unsafe or impossible.
    Refused(String),

    /// Reading or writing a file failed.
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },

    /// A sheet template that cannot be used: missing, a syntax error, or an error while
    /// rendering. One line naming the template and, when known, the line.
    Template {
        /// Template name, e.g. `record.html`.
        template: String,
        /// 1-based line in the template, when known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },

    /// Printing to PDF failed: no browser, or the browser did not produce a PDF.
    Pdf(String),

    /// An output file exists and `--force` was not given.
    OutputExists {
        /// The existing file.
        path: PathBuf,
    },
}

/// The most characters of a user's value echoed in an error; a longer value is cut with `…`
/// (a 50 MB lot number must not become a 50 MB error line).
pub const MAX_ECHO: usize = 80;

/// A user's value as an error echoes it: in backticks, control characters escaped (a newline in
/// a value must not split the one-line error) and cut to [`MAX_ECHO`] characters.
pub fn quote(text: &str) -> String {
    format!("`{}`", escape_cut(text, MAX_ECHO))
}

/// A path as an error echoes it: like [`quote`], but cut only beyond 240 characters (the
/// folder matters to the reader as much as the file name).
pub fn quote_path(path: &std::path::Path) -> String {
    format!("`{}`", escape_cut(&path.display().to_string(), 240))
}

/// `text` with control characters escaped (`\n`, `\u{1b}`) and cut to `max` characters.
pub fn escape_cut(text: &str, max: usize) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out
}

/// The longest error line printed; longer ones are cut with `…`.
pub const MAX_LINE: usize = 1000;

impl Error {
    /// The message before it is made one line.
    fn raw(&self) -> String {
        match self {
            Error::Input {
                field,
                expected,
                found,
            } => format!("`{field}`: expected {expected}, found {found}"),
            Error::UnknownFormula { id, known } => {
                format!("unknown formula {}: expected one of {known}", quote(id))
            }
            Error::FormulaFile {
                file,
                line,
                column,
                message,
            } => format!(
                "formula file `{file}`{}: {message}",
                location(*line, *column)
            ),
            Error::DataFile {
                file,
                line,
                column,
                message,
            } => format!("data file `{file}`{}: {message}", location(*line, *column)),
            Error::Refused(message) => message.clone(),
            Error::Io { path, source } => {
                format!("{}: {source}", quote_path(path))
            }
            Error::Template {
                template,
                line,
                message,
            } => format!("template `{template}`{}: {message}", location(*line, None)),
            Error::Pdf(message) => format!("cannot print to PDF: {message}"),
            Error::OutputExists { path } => format!(
                "{} already exists: expected a new file name, or `--force` to replace it",
                quote_path(path)
            ),
        }
    }
}

/// Every error is one line, however it was built: each value is quoted by [`quote`] where it
/// is echoed, and this is the guard for text that reached a message some other way (a file
/// name, a message from a library), so that a control character never splits the line and a
/// huge value never floods the terminal.
impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&escape_cut(&self.raw(), MAX_LINE))
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

fn location(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(", line {l}, column {c}"),
        (Some(l), None) => format!(", line {l}"),
        _ => String::new(),
    }
}

/// The request fields the calculations ([`crate::plan`], [`crate::formula`]) name in their
/// errors and texts. A calculation does not know whether a value came from a command-line
/// option, a request file or a form, so it writes a marker, `‹measure_step›` (the field's key
/// between U+2039 and U+203A: as many characters as `--measure-step`, so tables keep their
/// widths), and the front end names it once, at its boundary ([`name_fields`]): the command line
/// as `--measure-step`.
pub mod field {
    /// Defines each field's marker, and [`ALL`] from the same list, so that no field can be
    /// left out of it (and so left unnamed).
    macro_rules! fields {
        ($($name:ident = $key:literal;)*) => {
            $(
                #[doc = concat!("The request field `", $key, "`.")]
                pub const $name: &str = concat!("‹", $key, "›");
            )*
            /// Every field, to name them all and to check that each is an option of the
            /// command line.
            pub const ALL: &[&str] = &[$($name),*];
        };
    }

    fields! {
        ACTUAL = "actual";
        ADDITION = "addition";
        ASSAY = "assay";
        ASSAY_BASIS = "assay_basis";
        BUD = "bud";
        BUD_LIMIT = "bud_limit";
        CAPACITY = "capacity";
        COMPONENT = "component";
        CONCENTRATION = "concentration";
        CONTAINER = "container";
        CONTAINERS = "containers";
        DATE = "date";
        DAYS = "days";
        DILUENT = "diluent";
        EVERY = "every";
        FILL_ACROSS = "fill_across";
        FILTER_HOLD_UP = "filter_hold_up";
        FINAL_VOLUME = "final_volume";
        LESION = "lesion";
        LESIONS = "lesions";
        LOT = "lot";
        LOT_SEQUENCE = "lot_sequence";
        MEASURE_STEP = "measure_step";
        METHOD = "method";
        OVERRIDE_REASON = "override_reason";
        PER_DAY = "per_day";
        QUANTITY = "quantity";
        READABILITY = "readability";
        SESSIONS = "sessions";
        SOLUTION_BUD = "solution_bud";
        START = "start";
        STOCK = "stock";
        STRENGTH = "strength";
        VIALS = "vials";
        VIAL_RESIDUAL = "vial_residual";
    }
}

/// Replaces each field marker of [`field::ALL`] in `text` by what `name` calls its key (e.g.
/// `measure_step` → `--measure-step`); any other text, other `‹…›` included, is left as it is.
pub fn name_fields(text: &str, name: impl Fn(&str) -> String) -> String {
    if !text.contains('‹') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('‹') {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        match tail.find('›') {
            Some(end) if field::ALL.contains(&&tail[..end + '›'.len_utf8()]) => {
                out.push_str(&name(&tail['‹'.len_utf8()..end]));
                rest = &tail[end + '›'.len_utf8()..];
            }
            _ => {
                out.push('‹');
                rest = &tail['‹'.len_utf8()..];
            }
        }
    }
    out.push_str(rest);
    out
}

impl Error {
    /// The error with its field markers named by `name` ([`name_fields`]): the front end's
    /// names for the fields a calculation refers to.
    pub fn name_fields(self, name: impl Fn(&str) -> String) -> Error {
        let n = |t: String| name_fields(&t, &name);
        match self {
            Error::Input {
                field,
                expected,
                found,
            } => Error::Input {
                field: n(field),
                expected: n(expected),
                found: n(found),
            },
            Error::FormulaFile {
                file,
                line,
                column,
                message,
            } => Error::FormulaFile {
                file,
                line,
                column,
                message: n(message),
            },
            Error::DataFile {
                file,
                line,
                column,
                message,
            } => Error::DataFile {
                file,
                line,
                column,
                message: n(message),
            },
            Error::Refused(message) => Error::Refused(n(message)),
            other => other,
        }
    }

    /// Shorthand for [`Error::Input`].
    pub fn input(
        field: impl Into<String>,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Self {
        Error::Input {
            field: field.into(),
            expected: expected.into(),
            found: found.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_values_are_escaped_and_cut() {
        assert_eq!(quote("a\nb"), "`a\\nb`");
        let long = "x".repeat(MAX_ECHO + 20);
        let q = quote(&long);
        // 80 characters kept, then the ellipsis, inside the backticks.
        assert_eq!(q.chars().count(), 1 + MAX_ECHO + 1 + 1, "{q}");
        assert!(q.ends_with("…`"), "{q}");
    }

    #[test]
    fn every_error_is_one_capped_line_however_it_was_built() {
        let e = Error::Refused(format!("one\ntwo\r{}", "y".repeat(5000)));
        let text = e.to_string();
        assert!(!text.contains(['\n', '\r']), "{text}");
        assert!(text.starts_with("one\\ntwo\\r"), "{text}");
        // MAX_LINE characters of the message are kept, the two control characters each take
        // one more to escape, and `…` marks the cut.
        assert!(text.ends_with('…'), "{text}");
        assert_eq!(text.chars().count(), MAX_LINE + 2 + 1);
    }
}
