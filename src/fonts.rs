//! Which installed font draws a character on a label, and how wide it is: the labels' fit check
//! measures with the font actually used, and a character that no installed font has is an
//! error naming it, never an empty box on a patient's label.
//!
//! The labels name their fonts in order ([`LABEL_FAMILIES`], the template's `font-family`).
//! Chromium draws each character with the first of them that has it; a character none of them
//! has goes to the fonts fontconfig offers for it. This module follows the same path:
//!
//! 1. it asks fontconfig (`fc-list`) for the faces of each named family, in order, and reads
//!    their character maps and advance widths from the font files (ttf-parser); the first
//!    family with the character gives its width: the widest of its faces (regular and bold);
//! 2. otherwise it asks fontconfig which installed faces have the character
//!    (`fc-list ':charset=HEX'`) and takes the widest of them all, since the browser may pick
//!    any one of them;
//! 3. none: an error naming the character and its code point.
//!
//! **Why fontconfig and the files, not a table of Unicode ranges or a scan of font folders**:
//! on Linux, Chromium finds fonts through fontconfig, so `fc-list` sees exactly the fonts and
//! the configuration (folders, a user's own fonts, rejected fonts) the printer sees; a table of
//! ranges would say a character is "CJK" without knowing whether any installed font draws it.
//! The widths come from the files themselves, not from a guess per script. What is read is
//! kept for the run, so a label's English text costs one `fc-list` and one small font file.

use std::collections::HashMap;
use std::process::Command;
use std::sync::{Mutex, OnceLock};

use rust_decimal::Decimal;

use crate::error::{Error, Result};

/// The label fonts, in the order the template names them: two monospaced Latin fonts whose
/// characters are all 0.6 em wide (Liberation Mono; DejaVu Sans Mono 0.602 em), then Noto's
/// monospaced CJK font (Debian's `fonts-noto-cjk`), whose Han, kana and hangul are 1 em wide.
pub const LABEL_FAMILIES: &[&str] = &[
    "Liberation Mono",
    "DejaVu Sans Mono",
    "Noto Sans Mono CJK SC",
];

/// The CSS `font-family` of the labels: [`LABEL_FAMILIES`], quoted, then `monospace`.
pub fn css_family() -> String {
    let mut s: Vec<String> = LABEL_FAMILIES.iter().map(|f| format!("\"{f}\"")).collect();
    s.push("monospace".to_string());
    s.join(", ")
}

/// One face as fontconfig lists it: its file and its index in a collection (`.ttc`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct FaceRef {
    file: String,
    index: u32,
}

/// What is kept of a face: its file's bytes, parsed again (cheaply: the table directory) for
/// each character looked up, rather than a map of every character of a 60,000-glyph CJK font.
struct Face {
    data: Vec<u8>,
    index: u32,
}

impl Face {
    /// Reads the face's file; `None` when it cannot be read or parsed (then it has nothing).
    fn read(r: &FaceRef) -> Option<Face> {
        let data = std::fs::read(&r.file).ok()?;
        ttf_parser::Face::parse(&data, r.index).ok()?;
        Some(Face {
            data,
            index: r.index,
        })
    }

    /// The advance width of `c` in em, when the face maps it.
    fn advance(&self, c: char) -> Option<Decimal> {
        let face = ttf_parser::Face::parse(&self.data, self.index).ok()?;
        let glyph = face.glyph_index(c)?;
        let advance = face.glyph_hor_advance(glyph)?;
        Some(Decimal::from(advance) / Decimal::from(face.units_per_em()))
    }
}

/// Everything read so far in this run.
#[derive(Default)]
struct Cache {
    faces: HashMap<FaceRef, Option<Face>>,
    families: HashMap<String, Vec<FaceRef>>,
    widths: HashMap<char, Decimal>,
}

fn cache() -> &'static Mutex<Cache> {
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(Cache::default()))
}

/// The faces fontconfig lists for `pattern` (a family name, or `:charset=HEX`).
fn fc_list(pattern: &str) -> Result<Vec<FaceRef>> {
    let out = Command::new("fc-list")
        .args(["-f", "%{file}\t%{index}\n", pattern])
        .output()
        .map_err(|e| {
            Error::Refused(format!(
                "the label fit check needs fontconfig's `fc-list` to find the fonts the labels print with ({e}): install fontconfig"
            ))
        })?;
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text
        .lines()
        .filter_map(|l| {
            let (file, index) = l.split_once('\t')?;
            Some(FaceRef {
                file: file.to_string(),
                index: index.trim().parse().ok()?,
            })
        })
        .collect())
}

impl Cache {
    /// The widest advance of `c` among `faces`, reading each face once.
    fn widest(&mut self, faces: &[FaceRef], c: char) -> Option<Decimal> {
        let mut best: Option<Decimal> = None;
        for r in faces {
            let face = self.faces.entry(r.clone()).or_insert_with(|| Face::read(r));
            if let Some(a) = face.as_ref().and_then(|f| f.advance(c)) {
                best = Some(best.map_or(a, |b| b.max(a)));
            }
        }
        best
    }

    fn width(&mut self, c: char) -> Result<Decimal> {
        if let Some(w) = self.widths.get(&c) {
            return Ok(*w);
        }
        let mut found = None;
        for family in LABEL_FAMILIES {
            if !self.families.contains_key(*family) {
                let faces = fc_list(family)?;
                self.families.insert(family.to_string(), faces);
            }
            let faces = self.families[*family].clone();
            found = self.widest(&faces, c);
            if found.is_some() {
                break;
            }
        }
        if found.is_none() {
            let faces = fc_list(&format!(":charset={:x}", c as u32))?;
            found = self.widest(&faces, c);
        }
        let w = found.ok_or_else(|| {
            Error::Refused(format!(
                "no installed font has the character `{c}` (U+{:04X}) to print it on a label: install a font that covers it (e.g. Debian's fonts-noto-core and fonts-noto-cjk), or write the text without it",
                c as u32
            ))
        })?;
        self.widths.insert(c, w);
        Ok(w)
    }
}

/// The advance width of `c`, in em, in the font the labels print it with (see the module
/// documentation); an error naming `c` when no installed font has it. Spaces and other
/// whitespace are the Latin font's.
pub fn advance_em(c: char) -> Result<Decimal> {
    let mut cache = cache().lock().unwrap_or_else(|p| p.into_inner());
    cache.width(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_css_names_the_families_in_order() {
        assert_eq!(
            css_family(),
            "\"Liberation Mono\", \"DejaVu Sans Mono\", \"Noto Sans Mono CJK SC\", monospace"
        );
    }
}
