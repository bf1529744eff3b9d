//! Issue 9: bad input found by a hostile tester and by fuzzing. Every reproducer of the issue
//! is a test here that requires exit 1 with one line naming the field (see `fails`), never a
//! panic, a hang or a file written where it should not be.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

const LABELS: [&str; 10] = [
    "labels",
    "sts-25-zinc-oxide",
    "--containers",
    "4x30g",
    "--date",
    "2026-11-21",
    "--lot",
    "STS25ZO-20261121-01",
    "--format",
    "html",
];

/// A copy of the shipped `avery-5160` stock in `dir` with `edit` applied to its text.
fn stock_with(dir: &Path, edit: &dyn Fn(String) -> String) -> String {
    let text = std::fs::read_to_string(root().join("data/labels/avery-5160.toml")).unwrap();
    let path = dir.join("avery-5160.toml");
    std::fs::write(&path, edit(text)).unwrap();
    path.to_str().unwrap().to_string()
}

/// Replaces the line starting `key =` with `key = value`.
fn set(text: String, key: &str, value: &str) -> String {
    text.lines()
        .map(|l| {
            if l.starts_with(&format!("{key} =")) {
                format!("{key} = {value}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn labels_with_stock(stock: &str, needles: &[&str]) {
    let mut args = LABELS.to_vec();
    args.extend(["--label-stock", stock]);
    fails(&args, needles);
}

#[test]
fn overflowing_ftu_count_is_refused_not_a_panic() {
    fails(
        &[
            "supply",
            "sts-25-petrolatum",
            "--per-application",
            "79228162514264337593543950335FTU",
            "--per-day",
            "2",
            "--days",
            "1",
        ],
        &["`--per-application`"],
    );
}

#[test]
fn tiny_ftu_count_is_refused_not_dispense_zero() {
    let err = fails(
        &[
            "supply",
            "sts-25-petrolatum",
            "--per-application",
            "0.0000000000000000000000000001FTU",
            "--per-day",
            "2",
            "--days",
            "1",
        ],
        &["`--per-application`"],
    );
    assert!(!err.contains("Dispense"), "{err}");
}

#[test]
fn the_smallest_accepted_ftu_count_still_dispenses_a_container() {
    // 12 decimals is the input bound; the total is tiny but at least one container is
    // dispensed, never "0 × 30 g".
    let out = ok(&[
        "supply",
        "sts-25-petrolatum",
        "--per-application",
        "0.000000000001FTU",
        "--per-day",
        "2",
        "--days",
        "1",
    ]);
    assert!(out.contains("Dispense: 1 × 30 g"), "{out}");
    assert!(!out.contains("Dispense: 0"), "{out}");
}

#[test]
fn label_stock_with_huge_lengths_is_refused_naming_the_key() {
    let dir = temp_dir();
    let huge = "\"79228162514264337593543950335 in\"";
    for key in ["page_width", "left", "label_height", "top", "pitch_y"] {
        let stock = stock_with(dir.path(), &|t| set(t, key, huge));
        labels_with_stock(&stock, &[&format!("`{key}`"), "avery-5160.toml"]);
    }
}

#[test]
fn label_stock_with_wrapping_columns_is_refused() {
    let dir = temp_dir();
    let stock = stock_with(dir.path(), &|t| {
        set(
            set(t, "columns", "4294967295"),
            "pitch_x",
            "\"100000000000000000000 mm\"",
        )
    });
    labels_with_stock(&stock, &["`pitch_x`"]);
    // 65536 × 65536 wrapped to 0 labels per sheet.
    let stock = stock_with(dir.path(), &|t| {
        set(set(t, "columns", "65536"), "rows", "65536")
    });
    labels_with_stock(&stock, &["`columns`", "`rows`", "at most 100"]);
}

#[test]
fn label_stock_with_huge_line_height_or_tiny_font_is_refused() {
    let dir = temp_dir();
    let stock = stock_with(dir.path(), &|t| {
        set(t, "line_height", "\"79228162514264337593543950335\"")
    });
    labels_with_stock(&stock, &["`text.line_height`", "too large"]);
    let stock = stock_with(dir.path(), &|t| {
        set(t, "font_size", "\"0.0000000000000000000000000001 mm\"")
    });
    labels_with_stock(&stock, &["`text.font_size`"]);
}

/// A folder holding the shipped intralesional formula with `edit` applied.
fn intralesional_with(dir: &Path, edit: &dyn Fn(String) -> String) -> String {
    let text = std::fs::read_to_string(root().join("formulas/sts-150-intralesional.toml")).unwrap();
    std::fs::write(dir.join("sts-150-intralesional.toml"), edit(text)).unwrap();
    dir.to_str().unwrap().to_string()
}

#[test]
fn formula_with_huge_diluent_osmolarity_is_refused_at_load() {
    let dir = temp_dir();
    let d = intralesional_with(dir.path(), &|t| {
        t.replace(
            "osmolarity = \"308 mOsm/L\"",
            "osmolarity = \"79228162514264337593543950335 mOsm/L\"",
        )
    });
    fails(
        &[
            "--formulas",
            &d,
            "batch",
            "sts-150-intralesional",
            "--quantity",
            "10mL",
            "--diluent",
            "sodium-chloride-0.9",
        ],
        &["osmolarity", "sts-150-intralesional.toml"],
    );
}

#[test]
fn output_to_a_device_fifo_or_linked_folder_is_refused_even_with_force() {
    let dir = temp_dir();
    let fifo = dir.path().join("pipe");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let folder = dir.path().join("folder");
    std::fs::create_dir(&folder).unwrap();
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&folder, &link).unwrap();
    let targets: [PathBuf; 4] = ["/dev/full".into(), "/dev/null".into(), fifo, link];
    for target in &targets {
        let t = target.to_str().unwrap();
        for force in [true, false] {
            let mut args = vec!["batch", "sts-25-zinc-oxide", "--quantity", "100g", "-o", t];
            if force {
                args.push("--force");
            }
            fails(&args, &[t, "expected a regular file or a new file name"]);
        }
    }
    // Nothing replaced the device nodes nor followed the link.
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device());
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 0);
}

#[test]
fn force_keeps_the_mode_of_the_file_it_replaces() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir();
    let path = dir.path().join("record.txt");
    let p = path.to_str().unwrap();
    ok(&["batch", "sts-25-zinc-oxide", "--quantity", "100g", "-o", p]);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    ok(&[
        "batch",
        "sts-25-zinc-oxide",
        "--quantity",
        "200g",
        "-o",
        p,
        "--force",
    ]);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{mode:o}");
    assert!(std::fs::read_to_string(&path).unwrap().contains("200 g"));
}

#[test]
fn templates_are_written_all_or_nothing() {
    let dir = temp_dir();
    // One of the names is taken by a FIFO: refused, and none of the others is written.
    let names: Vec<String> = {
        let d = temp_dir();
        ok(&["templates", d.path().to_str().unwrap()]);
        std::fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect()
    };
    assert!(names.len() >= 2, "{names:?}");
    let mut sorted = names.clone();
    sorted.sort();
    let blocked = dir.path().join(sorted.last().unwrap());
    assert!(Command::new("mkfifo")
        .arg(&blocked)
        .status()
        .unwrap()
        .success());
    fails(
        &["templates", dir.path().to_str().unwrap(), "--force"],
        &["expected a regular file"],
    );
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "only the FIFO is there: {left:?}");
}

/// Runs stscalc and kills it after `secs`: a hang fails the test instead of the suite.
fn within(args: &[&str], secs: u64) -> std::process::Output {
    let mut child = crate::common::command()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(secs) {
            let _ = child.kill();
            panic!("stscalc {args:?} hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn one_line_exit_1(out: &std::process::Output, needles: &[&str]) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    for n in needles {
        assert!(err.contains(n), "expected `{n}` in {err}");
    }
}

#[test]
fn a_fifo_among_the_formulas_is_refused_not_waited_on() {
    let dir = temp_dir();
    let fifo = dir.path().join("p.toml");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let out = within(
        &["--formulas", dir.path().to_str().unwrap(), "formulas"],
        10,
    );
    one_line_exit_1(&out, &["p.toml", "expected a regular file", "FIFO"]);
}

#[test]
fn endless_input_files_are_refused_not_read_into_memory() {
    let out = within(&["batch", "--request", "/dev/zero"], 10);
    one_line_exit_1(&out, &["/dev/zero", "expected a regular file"]);
    let dir = temp_dir();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("z.toml")).unwrap();
    let out = within(
        &["--formulas", dir.path().to_str().unwrap(), "formulas"],
        10,
    );
    one_line_exit_1(&out, &["z.toml", "expected a regular file"]);
    let stock = dir.path().join("s.toml");
    std::os::unix::fs::symlink("/dev/zero", &stock).unwrap();
    let mut args = LABELS.to_vec();
    args.extend(["--label-stock", stock.to_str().unwrap()]);
    one_line_exit_1(&within(&args, 10), &["s.toml", "expected a regular file"]);
}

#[test]
fn input_files_larger_than_the_cap_are_refused() {
    let dir = temp_dir();
    let path = dir.path().join("big.toml");
    // 4 MiB is the documented cap; one byte more is refused.
    let mut text = String::from("formula = \"sts-25-zinc-oxide\"\n");
    text.push_str(&"#".repeat(4 * 1024 * 1024 + 1 - text.len() - 1));
    text.push('\n');
    assert_eq!(text.len(), 4 * 1024 * 1024 + 1);
    std::fs::write(&path, &text).unwrap();
    fails(
        &["batch", "--request", path.to_str().unwrap()],
        &["big.toml", "at most 4 MiB"],
    );
}

#[test]
fn newline_in_a_component_lot_does_not_split_the_error() {
    let err = fails(
        &args(&[
            &["batch"],
            ZO_100G,
            &["--component", "sts=L1\nX@2027-01-01"],
        ]),
        &["`--component sts`", "L1\\nX"],
    );
    assert!(!err.trim_end().contains('\n'));
}

#[test]
fn newline_in_a_request_lot_does_not_split_the_error() {
    let dir = temp_dir();
    let path = dir.path().join("r.toml");
    std::fs::write(
        &path,
        "formula = \"sts-25-zinc-oxide\"\nquantity = \"100 g\"\nlot = \"A\\nB\"\n",
    )
    .unwrap();
    fails(
        &["batch", "--request", path.to_str().unwrap()],
        &["lot", "A\\nB"],
    );
}

#[test]
fn newline_in_a_formula_id_does_not_split_the_error() {
    let dir = temp_dir();
    let d = intralesional_with(dir.path(), &|t| {
        t.replace(
            "id = \"sts-150-intralesional\"",
            "id = \"sts-150\\nintralesional\"",
        )
    });
    fails(
        &["--formulas", &d, "formulas"],
        &["`id`", "sts-150\\nintralesional"],
    );
}

#[test]
fn newline_in_the_prescriber_does_not_split_the_error() {
    fails(
        &["session-sheet", "--prescriber", "a\nb", "--format", "html"],
        &["`--prescriber`", "a\\nb"],
    );
}

#[test]
fn a_huge_lot_is_cut_in_the_error() {
    let dir = temp_dir();
    let path = dir.path().join("r.toml");
    let lot = "A".repeat(3_000_000);
    std::fs::write(
        &path,
        format!("formula = \"sts-25-zinc-oxide\"\nquantity = \"100 g\"\nlot = \"{lot}\"\n"),
    )
    .unwrap();
    let err = fails(
        &["batch", "--request", path.to_str().unwrap()],
        &["lot", "…"],
    );
    assert!(err.len() < 1200, "{} bytes", err.len());
}

#[test]
fn type_errors_in_request_files_name_the_key() {
    let dir = temp_dir();
    let toml = dir.path().join("r.toml");
    std::fs::write(&toml, "formula = \"sts-25-zinc-oxide\"\nquantity = 100\n").unwrap();
    fails(
        &["batch", "--request", toml.to_str().unwrap()],
        &["`quantity`", "line 2"],
    );
    let json = dir.path().join("r.json");
    std::fs::write(
        &json,
        "{\"formula\": \"sts-25-zinc-oxide\",\n \"quantity\": 100}\n",
    )
    .unwrap();
    fails(
        &["batch", "--request", json.to_str().unwrap()],
        &["`quantity`", "line 2"],
    );
}

/// A bad value from a request file is named by the file's key (`quantity`), not the option
/// the user never typed (`--quantity`), in every command that takes a request file.
#[test]
fn bad_values_in_request_files_name_the_key_in_every_command() {
    let dir = temp_dir();
    let file = dir.path().join("r.toml");
    std::fs::write(
        &file,
        "formula = \"sts-25-zinc-oxide\"\nquantity = \"abc\"\nlot = \"X1\"\ncompounded_at = \"2026-12-01\"\n",
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let register = dir.path().join("reg.sqlite3");
    let commands: [&[&str]; 4] = [
        &["batch", "--request", f],
        &["verify", "--request", f, "--actual", "sts=25g"],
        &["labels", "--request", f],
        &[
            "--register",
            register.to_str().unwrap(),
            "lot",
            "new",
            "--request",
            f,
            "--by",
            "Ann Lee",
        ],
    ];
    for args in commands {
        let err = fails(args, &["`quantity`: expected a mass", "found `abc`"]);
        assert!(!err.contains("--quantity"), "{args:?}: {err}");
    }
    // Nothing was registered.
    assert!(
        !register.exists() || {
            let out = ok(&["--register", register.to_str().unwrap(), "lot", "list"]);
            !out.contains("STS25ZO")
        }
    );
}

#[test]
fn type_errors_in_formula_files_name_the_key() {
    let dir = temp_dir();
    let d = intralesional_with(dir.path(), &|t| {
        t.replace("measure_step = \"0.1 mL\"", "measure_step = 0.1")
    });
    fails(
        &["--formulas", &d, "formulas"],
        &["`solution.measure_step`"],
    );
}

#[test]
fn leap_second_is_not_a_time() {
    fails(
        &args(&[&["batch"], ZO_100G, &["--date", "2026-11-21T23:59:60"]]),
        &["`--date`", "no such time"],
    );
}

#[test]
fn session_sheet_dates_have_the_year_range_of_every_command() {
    for bad in ["0000-01-01", "-0001-01-01", "+2026-11-21", "2200-01-01"] {
        fails(
            &["session-sheet", "--date", bad, "--format", "html"],
            &["`--date`", bad],
        );
    }
}

#[test]
fn a_series_cannot_run_past_the_year_range() {
    fails(
        &[
            "session",
            "--lesions",
            "3",
            "--per-lesion",
            "0.2mL",
            "--sessions",
            "4",
            "--every",
            "4w",
            "--start",
            "2199-12-01",
        ],
        &["`--start`", "2000 to 2199"],
    );
}
