//! Sheet templates from a folder (`stscalc templates`, `--templates`): used, missing or broken.

use crate::common::{fails, ok, record_html, root, temp_dir};

/// Writes the embedded templates into a fresh folder.
fn exported() -> tempfile::TempDir {
    let dir = temp_dir();
    let out = ok(&["templates", dir.path().to_str().unwrap()]);
    assert_eq!(out.lines().count(), 4, "{out}");
    dir
}

#[test]
fn a_template_folder_replaces_the_embedded_templates() {
    let dir = exported();
    let t = dir.path().to_str().unwrap();
    let embedded = record_html(&[]);
    assert_eq!(record_html(&["--templates", t]), embedded);
    // A site's change shows.
    let record = dir.path().join("record.html");
    let text = std::fs::read_to_string(&record).unwrap().replace(
        "<h1>Compounding record</h1>",
        "<h1>Hill Pharmacy batch record</h1>",
    );
    std::fs::write(&record, text).unwrap();
    assert!(record_html(&["--templates", t]).contains("Hill Pharmacy batch record"));
    // Exporting again refuses to replace them without --force.
    fails(&["templates", t], &["already exists", "--force"]);
}

#[test]
fn a_template_folder_missing_a_template_is_refused() {
    let dir = exported();
    std::fs::remove_file(dir.path().join("labels.html")).unwrap();
    let t = dir.path().to_str().unwrap();
    fails(
        &[
            "batch",
            "sts-25-zinc-oxide",
            "--quantity",
            "100g",
            "--format",
            "html",
            "--templates",
            t,
        ],
        &["template `labels.html`", "missing", "stscalc templates DIR"],
    );
}

#[test]
fn a_template_syntax_error_names_the_template_and_line() {
    let dir = exported();
    let record = dir.path().join("record.html");
    let text = std::fs::read_to_string(&record).unwrap();
    // Break the line of the title block.
    let mut lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("{% block title %}"))
        .unwrap();
    lines[at] = "{% block title %}{% if %}{% endblock title %}";
    std::fs::write(&record, lines.join("\n")).unwrap();
    let expected = format!("template `record.html`, line {}", at + 1);
    let t = dir.path().to_str().unwrap();
    fails(
        &[
            "batch",
            "sts-25-zinc-oxide",
            "--quantity",
            "100g",
            "--format",
            "html",
            "--templates",
            t,
        ],
        &[&expected],
    );
    // A field the data does not have is named with its line when the sheet is rendered.
    let session = dir.path().join("session-sheet.html");
    let text = std::fs::read_to_string(&session)
        .unwrap()
        .replace("{{ l.number }}", "{{ l.numbr }}");
    std::fs::write(&session, &text).unwrap();
    let line = text.lines().position(|l| l.contains("l.numbr")).unwrap() + 1;
    std::fs::write(
        &record,
        std::fs::read_to_string(root().join("templates/record.html")).unwrap(),
    )
    .unwrap();
    fails(
        &["session-sheet", "--templates", t],
        &[
            &format!("template `session-sheet.html`, line {line}"),
            "numbr",
        ],
    );
}
