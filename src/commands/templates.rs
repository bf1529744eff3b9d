//! `stscalc templates DIR`: the embedded sheet templates written out, to change them.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::output;
use crate::render::html::TEMPLATES;

/// `stscalc templates DIR`: writes the embedded templates, to copy and change.
pub fn run(dir: &Path, force: bool) -> Result<()> {
    if !dir.is_dir() {
        return Err(Error::Io {
            path: dir.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "expected an existing folder to write the templates into",
            ),
        });
    }
    // All or nothing: one refused or failed file leaves none written.
    let paths: Vec<PathBuf> = TEMPLATES.iter().map(|(n, _)| dir.join(n)).collect();
    let files: Vec<(PathBuf, Vec<u8>)> = paths
        .iter()
        .zip(TEMPLATES)
        .map(|(p, (_, text))| (p.clone(), text.as_bytes().to_vec()))
        .collect();
    crate::output::write_files(&files, force)?;
    let mut out = String::new();
    for p in &paths {
        let _ = writeln!(out, "wrote {}", p.display());
    }
    output::emit(out.as_bytes(), None, false)
}
