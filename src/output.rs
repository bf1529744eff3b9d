//! The one place that writes files: atomically (a temporary file in the same folder, then a
//! rename), and never over an existing file unless asked.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// Writes `bytes` to `path` atomically. Without `force`, an existing file is an error and is
/// left untouched; the check and the rename are one step (`persist_noclobber`), so a file that
/// appears meanwhile is not replaced either.
pub fn write_file(path: &Path, bytes: &[u8], force: bool) -> Result<()> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let dir = check_target(path, force)?;
    let mut tmp = temp_file(dir).map_err(io)?;
    tmp.write_all(bytes).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    if force {
        tmp.persist(path).map_err(|e| io(e.error))?;
    } else {
        tmp.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                Error::OutputExists {
                    path: path.to_path_buf(),
                }
            } else {
                io(e.error)
            }
        })?;
    }
    Ok(())
}

/// A temporary file in `dir` created the way an ordinary new file is: mode 0666 less the
/// umask (tempfile's own 0600 would leave records unreadable to the rest of the pharmacy).
fn temp_file(dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".stscalc-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(dir)
}

/// Checks that `path` can be written: its folder exists, and it does not exist yet unless
/// `force`. Returns the folder. Callers with slow work to do (printing a PDF) call it first.
pub fn check_target(path: &Path, force: bool) -> Result<&Path> {
    if !force && path.exists() {
        return Err(Error::OutputExists {
            path: path.to_path_buf(),
        });
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(Error::Io {
            path: path.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("the folder `{}` does not exist", dir.display()),
            ),
        });
    }
    Ok(dir)
}
