//! Formula files: the embedded set, `formulas`, `show`, user folders and broken files.

use std::fs;

use crate::common::{fails, ok, root, temp_dir, F};

#[test]
fn every_file_in_formulas_is_embedded_and_listed() {
    let listed = ok(&["formulas"]);
    for entry in fs::read_dir(root().join("formulas")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let id = path.file_stem().unwrap().to_str().unwrap().to_string();
            assert!(
                listed.contains(&format!("embedded formulas/{id}.toml")),
                "{id} not embedded: {listed}"
            );
            // `show` prints the file exactly, so it can be copied and edited.
            assert_eq!(ok(&["show", &id]), fs::read_to_string(&path).unwrap());
        }
    }
    for id in [
        "sts-20-petrolatum",
        "sts-25-petrolatum",
        "sts-25-zinc-oxide",
    ] {
        assert!(listed.contains(id));
    }
}

fn user_folder(name: &str, text: &str) -> tempfile::TempDir {
    let dir = temp_dir();
    fs::write(dir.path().join(name), text).unwrap();
    dir
}

fn zinc_oxide_text() -> String {
    fs::read_to_string(root().join("formulas/sts-25-zinc-oxide.toml")).unwrap()
}

#[test]
fn a_user_folder_overrides_by_id_and_adds() {
    // Override: the same recipe at a narrower range, and a new formula copied from it.
    let changed = zinc_oxide_text().replace("min = \"20 % w/w\"", "min = \"22 % w/w\"");
    let dir = user_folder("sts-25-zinc-oxide.toml", &changed);
    let copy = zinc_oxide_text().replace("id = \"sts-25-zinc-oxide\"", "id = \"site-zinc\"");
    fs::write(dir.path().join("site-zinc.toml"), copy).unwrap();
    let folder = dir.path().to_str().unwrap();
    let listed = ok(&["--formulas", folder, "formulas"]);
    assert!(listed.contains("overrides the embedded one"), "{listed}");
    assert!(listed.contains("site-zinc"), "{listed}");
    fails(
        &[
            "--formulas",
            folder,
            "batch",
            "sts-25-zinc-oxide",
            "--quantity",
            "100g",
            "--strength",
            "21%",
        ],
        &["22 % w/w to 25 % w/w"],
    );
    ok(&[
        "--formulas",
        folder,
        "batch",
        "site-zinc",
        "--quantity",
        "100g",
        "--strength",
        "21%",
    ]);
}

#[test]
fn invalid_toml_names_line_and_column() {
    let text = zinc_oxide_text().replacen("version = \"1.0.0\"", "version = \"1.0.0", 1);
    let dir = user_folder("sts-25-zinc-oxide.toml", &text);
    fails(
        &["--formulas", dir.path().to_str().unwrap(), "formulas"],
        &["sts-25-zinc-oxide.toml", "line 5, column"],
    );
}

#[test]
fn a_float_quantity_says_how_to_write_it() {
    let text = zinc_oxide_text().replace("default = \"25 % w/w\"", "default = 25.0");
    let dir = user_folder("sts-25-zinc-oxide.toml", &text);
    let line = text
        .lines()
        .position(|l| l.starts_with("default = 25.0"))
        .unwrap()
        + 1;
    fails(
        &["--formulas", dir.path().to_str().unwrap(), "formulas"],
        &[&format!("line {line}"), "quoted string", "\"25 % w/w\""],
    );
}

#[test]
fn an_unknown_key_is_named() {
    let text = zinc_oxide_text().replace(
        "route = \"topical\"",
        "route = \"topical\"\nrout = \"oops\"",
    );
    let dir = user_folder("sts-25-zinc-oxide.toml", &text);
    fails(
        &["--formulas", dir.path().to_str().unwrap(), "formulas"],
        &["unknown field `rout`", "line 9"],
    );
}

#[test]
fn a_missing_field_is_named() {
    let text = zinc_oxide_text().replace("dosage_form = \"ointment\"\n", "");
    let dir = user_folder("sts-25-zinc-oxide.toml", &text);
    fails(
        &["--formulas", dir.path().to_str().unwrap(), "formulas"],
        &["missing field `dosage_form`"],
    );
}

#[test]
fn a_range_that_excludes_its_default() {
    let text = zinc_oxide_text().replace("max = \"25 % w/w\"", "max = \"24 % w/w\"");
    let dir = user_folder("sts-25-zinc-oxide.toml", &text);
    let line = text
        .lines()
        .position(|l| l.starts_with("default = "))
        .unwrap()
        + 1;
    fails(
        &["--formulas", dir.path().to_str().unwrap(), "formulas"],
        &[
            "`strength.default`",
            "outside its own range",
            &format!("line {line}"),
        ],
    );
}

#[test]
fn an_id_that_differs_from_the_file_name() {
    let dir = user_folder("mine.toml", &zinc_oxide_text());
    fails(
        &["--formulas", dir.path().to_str().unwrap(), "formulas"],
        &["mine.toml", "`id`"],
    );
}

#[test]
fn a_missing_user_folder() {
    fails(
        &["--formulas", "/nonexistent/formulas", "formulas"],
        &["/nonexistent/formulas"],
    );
}

// ---------------------------------------------------------------- the formula

#[test]
fn the_solution_formula_is_listed_with_its_basis() {
    let t = ok(&["formulas"]);
    assert!(t.contains("sts-150-intralesional"), "{t}");
    assert!(t.contains("150 mg/mL (pentahydrate basis)"), "{t}");
}

#[test]
fn a_solution_formula_with_a_w_w_strength_is_refused() {
    let dir = temp_dir();
    let text = ok(&["show", F]).replace("default = \"150 mg/mL\"", "default = \"15 % w/w\"");
    std::fs::write(dir.path().join(format!("{F}.toml")), text).unwrap();
    fails(
        &["--formulas", dir.path().to_str().unwrap(), "formulas"],
        &["strength.default", "mg/mL or % w/v for a solution"],
    );
}

#[test]
fn an_ointment_with_a_dosing_section_is_refused() {
    let dir = temp_dir();
    let solution = ok(&["show", F]);
    let dosing = &solution[solution.find("\n[dosing]").unwrap()..];
    let text = format!("{}\n{dosing}", ok(&["show", "sts-25-petrolatum"]));
    std::fs::write(dir.path().join("sts-25-petrolatum.toml"), text).unwrap();
    fails(
        &["--formulas", dir.path().to_str().unwrap(), "formulas"],
        &["sts-25-petrolatum.toml", "`[dosing]` is only for"],
    );
}

// ---------------------------------------------------------------- excipients (issue 12)

fn petrolatum_with(from: &str, to: &str) -> String {
    let text = ok(&["show", "sts-20-petrolatum"]);
    assert!(text.contains(from), "`{from}` not in the shipped formula");
    text.replacen(from, to, 1)
}

fn refused(text: &str, needles: &[&str]) {
    let dir = user_folder("sts-20-petrolatum.toml", text);
    let mut all = vec!["sts-20-petrolatum.toml"];
    all.extend_from_slice(needles);
    fails(
        &["--formulas", dir.path().to_str().unwrap(), "formulas"],
        &all,
    );
}

#[test]
fn a_formula_needs_exactly_one_quantity_sufficient_component() {
    // Two: the levigating agent made q.s. as well as the base.
    refused(
        &petrolatum_with("amount = \"5 % w/w\"", "qs = \"mass\""),
        &[
            "`excipients`",
            "exactly one quantity-sufficient component",
            "found 2: `mineral-oil`, `white-petrolatum`",
        ],
    );
    // None: the base given an amount instead.
    refused(
        &petrolatum_with("qs = \"mass\"", "amount = \"70 % w/w\""),
        &["exactly one quantity-sufficient component", "found none"],
    );
    // Made up to the wrong kind of total for an ointment.
    refused(
        &petrolatum_with("qs = \"mass\"", "qs = \"volume\""),
        &["`excipients[1].qs`", "expected `mass`", "found `volume`"],
    );
}

#[test]
fn amounts_before_the_quantity_sufficient_component_must_leave_room_for_it() {
    // Highest strength 25 % + mineral oil 75 % = 100 %: nothing left for the base.
    refused(
        &petrolatum_with("amount = \"5 % w/w\"", "amount = \"75 % w/w\""),
        &["`excipients[0].amount`", "less than 100 %", "found 100 %"],
    );
    // 74 % leaves 1 % at the highest strength: accepted.
    let dir = user_folder(
        "sts-20-petrolatum.toml",
        &petrolatum_with("amount = \"5 % w/w\"", "amount = \"74 % w/w\""),
    );
    ok(&["--formulas", dir.path().to_str().unwrap(), "formulas"]);
}

#[test]
fn an_amount_in_a_unit_the_form_cannot_take_is_refused() {
    // An ointment is made up to mass: no volume to take a % w/v of, no density for mL.
    refused(
        &petrolatum_with("amount = \"5 % w/w\"", "amount = \"5 % w/v\""),
        &[
            "`excipients[0].amount`",
            "expected a `% w/w`",
            "found `5 % w/v`",
        ],
    );
    refused(
        &petrolatum_with("amount = \"5 % w/w\"", "amount = \"3 mL\""),
        &[
            "`excipients[0].amount`",
            "made up to mass",
            "found `3 mL per batch`",
        ],
    );
    refused(
        &petrolatum_with("role = \"base\"", "role = \"bse\""),
        &["`excipients.role`", "unknown variant `bse`"],
    );
    refused(
        &petrolatum_with("id = \"mineral-oil\"", "id = \"sts\""),
        &["`excipients[0].id`", "found `sts`"],
    );
}

#[test]
fn a_fixed_quantity_per_batch_does_not_scale_with_the_batch() {
    // Mineral oil 2 g in every batch: 60 g gives STS 12 g, oil 2 g, petrolatum 60 − 12 − 2 =
    // 46 g; 30 g gives STS 6 g, oil still 2 g, petrolatum 30 − 6 − 2 = 22 g.
    let dir = user_folder(
        "sts-20-petrolatum.toml",
        &petrolatum_with("amount = \"5 % w/w\"", "amount = \"2 g\""),
    );
    let folder = dir.path().to_str().unwrap();
    for (size, sts, base) in [("60g", "12", "46"), ("30g", "6", "22")] {
        let plan = crate::common::json(&[
            "--formulas",
            folder,
            "batch",
            "sts-20-petrolatum",
            "--quantity",
            size,
        ]);
        let weigh = |id: &str| {
            crate::common::value(
                &plan["components"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|c| c["id"] == id)
                    .unwrap()["to_weigh"],
            )
        };
        assert_eq!(weigh("sts"), crate::common::d(sts));
        assert_eq!(weigh("mineral-oil"), crate::common::d("2"));
        assert_eq!(weigh("white-petrolatum"), crate::common::d(base));
    }
    // 2.4 g: STS 2.4 × 20 % = 0.48 g and oil 2 g weigh 2.48 g, more than the batch: no room
    // for the base.
    fails(
        &[
            "--formulas",
            folder,
            "batch",
            "sts-20-petrolatum",
            "--quantity",
            "2.4g",
        ],
        &["no room for the quantity-sufficient White petrolatum USP"],
    );
}
