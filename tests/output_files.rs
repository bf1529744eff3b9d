//! Where output goes: a path in a missing folder, and PDF without Chromium.

use crate::common::{args, fails, DATE};

#[test]
fn an_output_path_in_a_missing_folder_is_refused() {
    for format in ["html", "pdf"] {
        fails(
            &[
                "batch",
                "sts-25-zinc-oxide",
                "--quantity",
                "100g",
                "--format",
                format,
                "-o",
                "/nonexistent-folder/record.out",
            ],
            &["/nonexistent-folder", "does not exist"],
        );
    }
    fails(
        &args(&[
            &["labels", "sts-25-zinc-oxide"],
            DATE,
            &[
                "--lot",
                "STS25ZO-20261121-01",
                "--quantity",
                "100g",
                "--format",
                "pdf",
                "-o",
                "/nonexistent-folder/labels.pdf",
            ],
        ]),
        &["does not exist"],
    );
}

#[test]
fn pdf_without_chromium_says_what_to_install() {
    let out = crate::common::command()
        .args([
            "batch",
            "sts-25-zinc-oxide",
            "--quantity",
            "100g",
            "--format",
            "pdf",
        ])
        .env("STSCALC_CHROMIUM", "/nonexistent/chromium")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains("/nonexistent/chromium"), "{err}");
    assert!(err.contains("Debian package `chromium`"), "{err}");
    assert!(out.stdout.is_empty());
}
