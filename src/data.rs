//! Reading TOML data files (formulas, substance, rules, stock tables) with errors that name the
//! file, the line and the column, on one line.

use std::io::Read;
use std::path::Path;

use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

/// The largest input file stscalc reads (formula, label stock, request, saved plan, lesion
/// list, template): 4 MiB, hundreds of times the largest real one. A bigger file, or an endless
/// one such as `/dev/zero`, is refused instead of filling memory.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Reads an input file as UTF-8 text: only a regular file (a FIFO would block forever, a
/// device may never end), and at most [`MAX_FILE_BYTES`]. Symbolic links are followed to what
/// they name, which must be a regular file too. Every input file is read through here.
pub fn read_text(path: &Path) -> Result<String> {
    let file = open_regular(path)?;
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let refuse = |what: String| Error::Io {
        path: path.to_path_buf(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, what),
    };
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(refuse(format!(
            "expected a file of at most {} MiB, found a larger one",
            MAX_FILE_BYTES / 1024 / 1024
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        refuse(format!(
            "expected UTF-8 text, found a byte that is not at offset {}",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// Opens an input file for reading, only if it is a regular file (a FIFO would block forever,
/// a device may never end); symbolic links are followed to what they name. [`read_text`] reads
/// every small input file through here; a register export, which may be large, is streamed
/// from it.
pub fn open_regular(path: &Path) -> Result<std::fs::File> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let refuse = |what: String| Error::Io {
        path: path.to_path_buf(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, what),
    };
    // Checked before opening: opening a FIFO for reading blocks until a writer comes.
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(refuse(format!(
            "expected a regular file, found {}",
            file_type_name(&meta.file_type())
        )));
    }
    let file = std::fs::File::open(path).map_err(io)?;
    // Checked again on the open file, in case the name was swapped in between.
    if !file.metadata().map_err(io)?.is_file() {
        return Err(refuse("expected a regular file".into()));
    }
    Ok(file)
}

/// A file type for people: `a folder`, `a FIFO`, `a device`.
pub fn file_type_name(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a folder"
    } else if t.is_symlink() {
        "a symbolic link"
    } else if t.is_file() {
        "a regular file"
    } else {
        "something that is not a regular file"
    }
}

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
        let message = match offset.and_then(|o| toml_key_at(text, o)) {
            Some(key) if !message.contains(&format!("`{key}`")) => {
                format!("`{key}`: {message}")
            }
            _ => message,
        };
        file_error(kind, file, text, offset, message)
    })
}

/// The dotted key whose value starts at or around byte `offset` of a TOML text, e.g.
/// `certificate.assay`, so that a type error names the key and not only its position.
pub fn toml_key_at(text: &str, offset: usize) -> Option<String> {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[start..].lines().next().unwrap_or("");
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches('"');
    if key.is_empty() || key.starts_with('[') || key.starts_with('#') {
        return None;
    }
    let table = text[..start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('[') && l.ends_with(']'))
        .map(|l| l.trim_matches(['[', ']']).trim().to_string());
    Some(match table {
        Some(t) if !t.is_empty() => format!("{t}.{key}"),
        _ => key.to_string(),
    })
}

/// The key whose value is at 1-based `line` and `column` of a JSON text: the last `"key":`
/// before that point, so that a JSON type error names its key as a TOML one does.
pub fn json_key_at(text: &str, line: usize, column: usize) -> Option<String> {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            offset += l
                .char_indices()
                .nth(column.saturating_sub(1))
                .map_or(l.len(), |(b, _)| b);
            break;
        }
        offset += l.len();
    }
    let before = &text[..offset.min(text.len())];
    let colon = before.rfind(':')?;
    let head = before[..colon].trim_end().strip_suffix('"')?;
    let open = head.rfind('"')?;
    let key = &head[open + 1..];
    (!key.is_empty() && key.len() <= 64).then(|| key.to_string())
}
