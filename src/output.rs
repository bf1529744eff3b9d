//! The one place that writes: files atomically (a temporary file in the same folder, then a
//! rename), only to a regular file or a new name, and never over an existing file unless asked;
//! standard output ([`emit`]) and the warnings on standard error ([`warn`]). The web app runs a
//! command with its standard output and warnings [`capture`]d, to answer with what the command
//! line would print.

use std::cell::RefCell;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// What a command printed to standard output and the warnings it gave, while [`capture`]d.
#[derive(Debug, Default)]
pub struct Captured {
    /// The bytes for standard output.
    pub stdout: Vec<u8>,
    /// The warnings, one line each, without `warning: `.
    pub warnings: Vec<String>,
}

thread_local! {
    /// The capture of this thread, while [`capture`] runs.
    static CAPTURE: RefCell<Option<Captured>> = const { RefCell::new(None) };
}

/// Runs `f` with standard output and the warnings captured on this thread (files named by an
/// output option are still written: the web app never names one). The capture ends however
/// `f` ends, a panic included.
pub fn capture<T>(f: impl FnOnce() -> T) -> (T, Captured) {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            CAPTURE.with(|c| c.borrow_mut().take());
        }
    }
    CAPTURE.with(|c| *c.borrow_mut() = Some(Captured::default()));
    let reset = Reset;
    let value = f();
    let captured = CAPTURE.with(|c| c.borrow_mut().take()).unwrap_or_default();
    drop(reset);
    (value, captured)
}

/// Appends to this thread's capture, if one runs; `false` when none does.
fn captured(f: impl FnOnce(&mut Captured)) -> bool {
    CAPTURE.with(|c| match c.borrow_mut().as_mut() {
        Some(cap) => {
            f(cap);
            true
        }
        None => false,
    })
}

/// Writes `bytes` to the output file, or to standard output when there is none.
pub fn emit(bytes: &[u8], output: Option<&Path>, force: bool) -> Result<()> {
    match output {
        Some(path) => write_file(path, bytes, force),
        None if captured(|c| c.stdout.extend_from_slice(bytes)) => Ok(()),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)
                .and_then(|_| out.flush())
                .map_err(|source| Error::Io {
                    path: "standard output".into(),
                    source,
                })
        }
    }
}

/// Checks the output file, if there is one, before slow work (printing a PDF) is done for it:
/// [`check_target`] for a file, nothing for standard output.
pub fn check(output: Option<&Path>, force: bool) -> Result<()> {
    match output {
        Some(p) => check_target(p, force).map(|_| ()),
        None => Ok(()),
    }
}

/// Prints warnings on standard error, one line each (`warning: …`). Best effort: a closed
/// standard error does not turn a written sheet into a failure.
pub fn warn(warnings: &[String]) {
    if captured(|c| c.warnings.extend(warnings.iter().cloned())) {
        return;
    }
    let mut err = std::io::stderr().lock();
    for w in warnings {
        let _ = writeln!(err, "warning: {w}");
    }
}

/// Writes a prompt on standard error (a question typed to, such as `user add`'s password),
/// so that standard output stays the command's answer.
pub fn prompt(text: &str) -> Result<()> {
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "{text}");
    let _ = err.flush();
    Ok(())
}

/// Writes `bytes` to `path` atomically. Without `force`, an existing file is an error and is
/// left untouched; the check and the rename are one step (`persist_noclobber`), so a file that
/// appears meanwhile is not replaced either. A file that `force` replaces keeps its mode (a
/// 0600 session sheet stays private). Anything but a regular file or a new name (a device, a
/// FIFO, a folder, a symbolic link) is refused, `force` or not.
pub fn write_file(path: &Path, bytes: &[u8], force: bool) -> Result<()> {
    write_files(&[(path.to_path_buf(), bytes.to_vec())], force)
}

/// Writes several files all or nothing: every file is written and flushed to a temporary file
/// first, so a full disk or any other write error leaves none of them behind; only then are
/// they renamed into place, and the folders synced so the renames survive a power cut.
pub fn write_files(files: &[(PathBuf, Vec<u8>)], force: bool) -> Result<()> {
    write_files_as(files, force, false)
}

/// [`emit`] for what only its owner may read (a register export, which holds the users'
/// password hashes): a file is written with mode 0600 whatever the umask, and keeps 0600 when
/// `force` replaces another.
pub fn emit_private(bytes: &[u8], output: Option<&Path>, force: bool) -> Result<()> {
    match output {
        Some(path) => write_files_as(&[(path.to_path_buf(), bytes.to_vec())], force, true),
        None => emit(bytes, None, force),
    }
}

/// [`write_files`], the files made 0600 when `private`.
fn write_files_as(files: &[(PathBuf, Vec<u8>)], force: bool, private: bool) -> Result<()> {
    let mut staged = Vec::with_capacity(files.len());
    for (path, bytes) in files {
        let io = |source| Error::Io {
            path: path.clone(),
            source,
        };
        let (dir, existing) = inspect(path, force)?;
        let existing = if private { Some(0o600) } else { existing };
        // A private file is 0600 from its creation, before a byte is written.
        let mut tmp = temp_file(dir, private).map_err(io)?;
        tmp.write_all(bytes).map_err(io)?;
        #[cfg(unix)]
        if let Some(mode) = existing {
            use std::os::unix::fs::PermissionsExt;
            tmp.as_file()
                .set_permissions(std::fs::Permissions::from_mode(mode))
                .map_err(io)?;
        }
        #[cfg(not(unix))]
        let _ = existing;
        tmp.as_file().sync_all().map_err(io)?;
        staged.push((path, dir, tmp));
    }
    // Renames within a folder do not need space; should one fail all the same, the files this
    // call created are removed again (a replaced file cannot be brought back).
    let mut created: Vec<&Path> = Vec::new();
    for (path, dir, tmp) in staged {
        let was_new = std::fs::symlink_metadata(path).is_err();
        let result = if force {
            tmp.persist(path).map_err(|e| e.error)
        } else {
            tmp.persist_noclobber(path).map_err(|e| e.error)
        };
        if let Err(source) = result {
            for p in &created {
                let _ = std::fs::remove_file(p);
            }
            return Err(if source.kind() == std::io::ErrorKind::AlreadyExists {
                Error::OutputExists {
                    path: path.to_path_buf(),
                }
            } else {
                Error::Io {
                    path: path.to_path_buf(),
                    source,
                }
            });
        }
        if was_new {
            created.push(path);
        }
        sync_dir(dir).map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    Ok(())
}

/// Flushes a folder, so that a rename into it is on disk (POSIX keeps it in the folder).
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// A temporary file in `dir` created the way an ordinary new file is: mode 0666 less the
/// umask (tempfile's own 0600 would leave records unreadable to the rest of the pharmacy);
/// 0600 when `private`.
fn temp_file(dir: &Path, private: bool) -> std::io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".stscalc-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if private { 0o600 } else { 0o666 };
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = private;
    builder.tempfile_in(dir)
}

/// Checks that `path` can be written: its folder exists, and it is a new name, or (with
/// `force`) a regular file. Returns the folder. Callers with slow work to do (printing a PDF)
/// call it first.
pub fn check_target(path: &Path, force: bool) -> Result<&Path> {
    inspect(path, force).map(|(dir, _)| dir)
}

/// [`check_target`], also returning the mode of the regular file that will be replaced.
fn inspect(path: &Path, force: bool) -> Result<(&Path, Option<u32>)> {
    let refuse = |what: String| Error::Io {
        path: path.to_path_buf(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, what),
    };
    // Not followed: a link is refused as such (a rename would replace the link, not what it
    // names, which is never what was meant).
    let existing = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_file() => Some(meta),
        Ok(meta) => {
            return Err(refuse(format!(
                "expected a regular file or a new file name, found {}",
                crate::data::file_type_name(&meta.file_type())
            )))
        }
        Err(_) => None,
    };
    if !force && existing.is_some() {
        return Err(Error::OutputExists {
            path: path.to_path_buf(),
        });
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(refuse(format!(
            "the folder {} does not exist",
            crate::error::quote(&dir.display().to_string())
        )));
    }
    #[cfg(unix)]
    let mode = existing.map(|m| {
        use std::os::unix::fs::PermissionsExt;
        m.permissions().mode() & 0o7777
    });
    #[cfg(not(unix))]
    let mode = existing.map(|_| 0);
    Ok((dir, mode))
}
