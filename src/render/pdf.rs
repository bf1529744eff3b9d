//! Printing an HTML sheet to PDF with headless Chromium. Returns the PDF's bytes; writing them is
//! [`crate::output`]'s job.
//!
//! The sheet is written to a fresh temporary folder and opened as a `file://` URL; Chromium runs
//! with a fresh profile folder, no network services, and `--no-pdf-header-footer`, so the PDF
//! holds the page exactly as the print CSS lays it out (`@page` size and margins). The sheets are
//! self-contained (inline CSS, no scripts, no external resources).
//!
//! The browser is `$STSCALC_CHROMIUM` when set (tests point it at a missing file to check the
//! error), else the first of `chromium`, `chromium-browser`, `google-chrome` found on `PATH`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// The environment variable that names the browser to use.
pub const BROWSER_ENV: &str = "STSCALC_CHROMIUM";

/// What to install when no browser is found.
const INSTALL_HINT: &str =
    "install the Debian package `chromium` (apt-get install chromium), or set STSCALC_CHROMIUM to the browser";

/// How long one PDF may take before the browser is stopped.
const TIMEOUT: Duration = Duration::from_secs(120);

/// The bytes of a sheet: the HTML itself, or (with `pdf`) the PDF the browser prints from it.
pub fn bytes(html: String, pdf: bool) -> Result<Vec<u8>> {
    if pdf {
        print_html(&html)
    } else {
        Ok(html.into_bytes())
    }
}

/// The browser to run, or an error that says what to install.
pub fn browser() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os(BROWSER_ENV).filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        if path.is_file() {
            return Ok(path);
        }
        return Err(Error::Pdf(format!(
            "no browser at `{}` ({BROWSER_ENV}): {INSTALL_HINT}",
            path.display()
        )));
    }
    let names = ["chromium", "chromium-browser", "google-chrome"];
    if let Some(paths) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&paths) {
            for name in names {
                let candidate = dir.join(name);
                if candidate.is_file() {
                    return Ok(candidate);
                }
            }
        }
    }
    Err(Error::Pdf(format!(
        "Chromium was not found on PATH: {INSTALL_HINT}"
    )))
}

/// Percent-encodes a path for a `file://` URL (everything but unreserved characters and `/`).
fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~') {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

/// Prints `html` to PDF and returns the PDF's bytes.
pub fn print_html(html: &str) -> Result<Vec<u8>> {
    let browser = browser()?;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io { path, source }
    };
    let work = tempfile::Builder::new()
        .prefix("stscalc-pdf-")
        .tempdir()
        .map_err(io(&std::env::temp_dir()))?;
    let page = work.path().join("sheet.html");
    let pdf = work.path().join("sheet.pdf");
    let profile = work.path().join("profile");
    std::fs::write(&page, html).map_err(io(&page))?;
    let mut child = Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg("--no-pdf-header-footer")
        .arg(file_url(&page))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            Error::Pdf(format!(
                "cannot run `{}`: {e}: {INSTALL_HINT}",
                browser.display()
            ))
        })?;
    // Read stderr on a thread so a chatty browser never blocks on a full pipe.
    let mut stderr = child.stderr.take();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(s) = stderr.as_mut() {
            let _ = s.read_to_string(&mut text);
        }
        text
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Error::Pdf(format!(
                    "`{}` did not finish within {} seconds",
                    browser.display(),
                    TIMEOUT.as_secs()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(Error::Pdf(format!("waiting for the browser: {e}"))),
        }
    };
    let log = reader.join().unwrap_or_default();
    let bytes = std::fs::read(&pdf).unwrap_or_default();
    if !status.success() || !bytes.starts_with(b"%PDF") {
        // The browser's log is long and mostly noise (D-Bus, GPU); keep its last error line.
        let last = log
            .lines()
            .rev()
            .find(|l| l.contains("ERROR") || l.contains("rror"))
            .unwrap_or("no message")
            .trim();
        return Err(Error::Pdf(format!(
            "`{}` wrote no PDF ({status}): {last}",
            browser.display()
        )));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_urls_are_encoded() {
        assert_eq!(
            file_url(Path::new("/tmp/a b/sheet.html")),
            "file:///tmp/a%20b/sheet.html"
        );
    }
}
