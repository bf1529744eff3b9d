//! Issue 8 §5: batches the balance cannot make are refused with the smallest batch it can make
//! (or the finer balance that makes this one); an active below the minimum weight is weighed by
//! a calculated aliquot, the base never; the capacity is checked; a batch that fills no
//! container says so.

use rust_decimal::Decimal;

use crate::common::{args, d, fails, json, ok, temp_dir, value, ZO_100G};

#[test]
fn regression_a_batch_smaller_than_the_minimum_weight_is_refused_not_aliquoted() {
    // The reproducer: 5 g of 20 % on a 0.01 g balance. Minimum weight (USP <41>, repeatability
    // at its floor 0.41 d): 2000 × 0.41 × 0.01 g = 8.2 g, more than the whole batch; every
    // component used to be flagged "BELOW MINIMUM: aliquot", the base included.
    let min = d("2000") * d("0.41") * d("0.01");
    assert_eq!(min, d("8.2"));
    // The smallest share is the levigating agent, 5 % of the batch (mineral oil, weighed
    // directly): it reaches 8.2 g at 8.2 ÷ 0.05 = 164 g, a whole number of 1 g steps. The base
    // (75 % of it, less the active's part) is then far above 8.2 g, and the active (20 %) too.
    let smallest = min / d("0.05");
    assert_eq!(smallest, d("164"));
    // A balance that makes this batch: its oil, 5 g × 5 % = 0.25 g, needs a minimum weight of
    // at most 0.25 g: 820 × 0.001 g = 0.82 g is too much, 820 × 0.0001 g = 0.082 g is enough.
    assert!(d("820") * d("0.001") > d("0.25") && d("820") * d("0.0001") <= d("0.25"));
    let err = fails(
        &[
            "batch",
            "sts-20-petrolatum",
            "--quantity",
            "5g",
            "--readability",
            "0.01g",
        ],
        &[
            "the balance cannot make this batch",
            "minimum weight 8.2 g",
            "the smallest batch this balance can make is 164 g (--quantity 164g)",
            "readability 0.0001 g or finer",
        ],
    );
    assert!(!err.contains("aliquot the base"), "{err}");
    // And 164 g is indeed made on that balance, every component weighed directly.
    let plan = json(&[
        "batch",
        "sts-20-petrolatum",
        "--quantity",
        "164g",
        "--readability",
        "0.01g",
    ]);
    for c in plan["components"].as_array().unwrap() {
        assert_eq!(c["below_minimum_weight"], false, "{c}");
        assert!(value(&c["to_weigh"]) >= min, "{c}");
    }
    assert!(plan["aliquot"].is_null());
}

#[test]
fn regression_the_aliquot_is_calculated_and_the_base_is_never_aliquoted() {
    // 20 g of 25 % in Zinc Oxide Ointment (no levigating agent) on a 0.01 g balance, minimum
    // weight 2000 × 0.41 × 0.01 g = 8.2 g: the STS, 20 × 0.25 = 5 g, is below it; the base,
    // 15 g, is not. Every aliquot weighing is planned at least at the next round quantity
    // above the minimum weight (steps of 1 g for 8.2 g): m = 9 g, never the edge 8.2 g.
    // Weigh 9 g of STS; dilution ≥ 9 × 9 ÷ 5 = 16.2 g with the base in it at least 9 g:
    // 9 + max(9, 16.2 − 9 = 7.2) = 18 g. Aliquot: 5 × 18 ÷ 9 = 10 g (holds 10 × 9 ÷ 18 = 5 g of
    // STS); 18 − 10 = 8 g discarded; base weighed directly 20 − 10 = 10 g ≥ 8.2 g.
    let plan = json(&[
        "batch",
        "sts-25-zinc-oxide",
        "--quantity",
        "20g",
        "--readability",
        "0.01g",
    ]);
    let a = &plan["aliquot"];
    let minimum = d("2000") * d("0.41") * d("0.01");
    assert_eq!(minimum, d("8.2"));
    let m = minimum.floor() + d("1");
    let (stock, base_in) = (m, m.max(m * m / d("5") - m));
    let dilution = stock + base_in;
    let q = d("5") * dilution / stock;
    assert_eq!(value(&a["stock_to_weigh"]), stock);
    assert_eq!(value(&a["diluent_to_weigh"]), base_in);
    assert_eq!(value(&a["dilution_total"]), d("18"));
    assert_eq!(value(&a["aliquot_to_weigh"]), q);
    assert_eq!(q, d("10"));
    assert_eq!(value(&a["active_delivered"]), q * stock / dilution);
    assert_eq!(value(&a["discard"]), dilution - q);
    assert_eq!(value(&a["base_to_weigh_directly"]), d("20") - q);
    assert_eq!(a["diluent"], "Zinc Oxide Ointment USP");
    let text = ok(&[
        "batch",
        "sts-25-zinc-oxide",
        "--quantity",
        "20g",
        "--readability",
        "0.01g",
    ]);
    assert!(
        text.contains("weigh 9 g of the stock and mix it with 9 g of Zinc Oxide Ointment USP to a uniform dilution of 18 g; weigh 10 g of the dilution into the batch"),
        "{text}"
    );
    assert!(!text.contains("BELOW MINIMUM"), "{text}");
}

#[test]
fn regression_aliquot_batch_table_lists_the_real_weighings_not_15_g_of_base() {
    // The same 20 g aliquot batch (stock 9 g + base 9 g = 18 g dilution; 10 g of it into the
    // batch; base 20 − 10 = 10 g directly). The table used to say "weigh 15 g of base"
    // (20 − 5): following it gives 10 + 15 = 25 g holding 5 g of STS, 5 ÷ 25 = 20 % w/w,
    // 80 % of label. The rows must be the four weighings, in order, everywhere.
    let q = d("5") * d("18") / d("9");
    let base_direct = d("20") - q;
    assert_eq!(d("5") / (q + d("15")), d("0.2")); // the old table's batch: 20 % w/w
    let expected = [
        ("sts", "stock-for-dilution", d("9")),
        (
            "zinc-oxide-ointment-for-dilution",
            "base-for-dilution",
            d("9"),
        ),
        ("sts-dilution", "dilution-into-batch", q),
        ("zinc-oxide-ointment", "base", base_direct),
    ];
    let cmd = [
        "batch",
        "sts-25-zinc-oxide",
        "--quantity",
        "20g",
        "--readability",
        "0.01g",
    ];
    let plan = json(&cmd);
    let rows = plan["components"].as_array().unwrap();
    assert_eq!(rows.len(), expected.len(), "{rows:?}");
    for (row, (id, role, mass)) in rows.iter().zip(expected) {
        assert_eq!(row["id"], id);
        assert_eq!(row["role"], role);
        assert_eq!(value(&row["to_weigh"]), mass, "{row}");
    }
    // What goes into the batch sums to the batch: the dilution plus the base directly.
    assert_eq!(q + base_direct, d("20"));

    let text = ok(&cmd);
    assert!(!text.contains(" 15 g "), "{text}");
    assert!(
        text.contains("Zinc Oxide Ointment USP — weighed directly"),
        "{text}"
    );

    // The record: the same rows, and method steps that describe the aliquot.
    let mut html_args = cmd.to_vec();
    html_args.extend(["--format", "html"]);
    let html = ok(&html_args);
    assert!(html.contains("stock for the dilution"), "record rows");
    assert!(
        !html.contains(">15 g<"),
        "the record still weighs 15 g of base"
    );
    assert!(
        html.contains("Weigh 10 g of the dilution into the batch"),
        "method"
    );
    assert!(
        html.contains("Weigh 10 g of Zinc Oxide Ointment USP directly"),
        "method"
    );
    assert!(!html.contains("Weigh the sodium thiosulfate"), "method");

    // verify refuses it and says how to check it.
    fails(
        &[
            "verify",
            "sts-25-zinc-oxide",
            "--quantity",
            "20g",
            "--readability",
            "0.01g",
            "--actual",
            "sts=5g",
            "--actual",
            "zinc-oxide-ointment=15g",
        ],
        &[
            "aliquot method",
            "compare each weighing with the record's table",
        ],
    );
}

#[test]
fn regression_the_balance_capacity_is_checked() {
    // 300 g of 25 % in Zinc Oxide Ointment: the base, 300 × 0.75 = 225 g, is more than the
    // default capacity 200 g (data/balance.toml).
    assert_eq!(d("300") * d("0.75"), d("225"));
    fails(
        &["batch", "sts-25-zinc-oxide", "--quantity", "300g"],
        &[
            "Zinc Oxide Ointment USP (225 g)",
            "capacity 200 g",
            "--capacity",
        ],
    );
    let plan = json(&[
        "batch",
        "sts-25-zinc-oxide",
        "--quantity",
        "300g",
        "--capacity",
        "620g",
    ]);
    assert_eq!(value(&plan["capacity"]), d("620"));
    assert_eq!(value(&plan["components"][1]["to_weigh"]), d("225"));
    // The same capacity from a request file; a solution is not checked against one.
    let dir = temp_dir();
    let path = dir.path().join("r.toml");
    std::fs::write(
        &path,
        "formula = \"sts-25-zinc-oxide\"\nquantity = \"300 g\"\n[balance]\ncapacity = \"620 g\"\n",
    )
    .unwrap();
    let plan = json(&["batch", "--request", path.to_str().unwrap()]);
    assert_eq!(value(&plan["capacity"]), d("620"));
    fails(
        &[
            "batch",
            "sts-150-intralesional",
            "--quantity",
            "10mL",
            "--capacity",
            "200g",
        ],
        &["`--capacity`", "solution"],
    );
    fails(
        &args(&[&["batch"], ZO_100G, &["--capacity", "0g"]]),
        &["`--capacity`"],
    );
}

#[test]
fn regression_a_batch_that_fills_no_container_says_so() {
    // 20 g in 30 g jars: 20 ÷ 30 < 1, no jar is filled. It used to print `0 × 30 g`.
    let text = ok(&["batch", "sts-25-zinc-oxide", "--quantity", "20g"]);
    assert!(!text.contains("0 × 30 g"), "{text}");
    assert!(
        text.contains("! the batch (20 g) fills no container: it is less than one 30 g fill"),
        "{text}"
    );
    let plan = json(&["batch", "sts-25-zinc-oxide", "--quantity", "20g"]);
    assert_eq!(plan["fill"]["count"], 0);
    assert!(plan["warnings"].to_string().contains("fills no container"));
    // 60 g fills two: no such warning.
    let plan = json(&["batch", "sts-25-zinc-oxide", "--quantity", "60g"]);
    assert_eq!(plan["fill"]["count"], 2);
    assert!(!plan["warnings"].to_string().contains("fills no container"));
}

#[test]
fn regression_a_saved_plan_keeps_the_capacity_it_was_made_for() {
    // A 300 g plan made with --capacity 620g (its 225 g of base passes the default 200 g) is
    // verified with its plan alone: 75 g + 225 g, exactly 25 %.
    let dir = temp_dir();
    let plan = dir.path().join("plan.json");
    ok(&[
        "batch",
        "sts-25-zinc-oxide",
        "--quantity",
        "300g",
        "--capacity",
        "620g",
        "--date",
        "2026-11-21",
        "--format",
        "json",
        "-o",
        plan.to_str().unwrap(),
    ]);
    let v = json(&[
        "verify",
        "sts-25-zinc-oxide",
        "--quantity",
        "300g",
        "--plan",
        plan.to_str().unwrap(),
        "--actual",
        "sts=75g",
        "--actual",
        "zinc-oxide-ointment=225g",
    ]);
    assert_eq!(value(&v["actual_strength"]), d("75") / d("300") * d("100"));
    assert_eq!(v["result"], "pass");
}

#[test]
fn regression_aliquot_instructions_agree_with_the_weighing_table_in_text_json_and_html() {
    // 20 g of 25 % in Zinc Oxide Ointment on a 0.01 g balance (minimum weight 8.2 g, aliquot
    // weighings planned from 9 g): STS needed 20 × 0.25 = 5 g; dilution 9 g stock + 9 g base =
    // 18 g; 5 × 18 ÷ 9 = 10 g of it into the batch; base weighed directly 20 − 10 = 10 g. The
    // base in the batch in all is 15 g (20 − 5): 10 g directly plus the 10 − 5 = 5 g that
    // comes with the dilution. The calculation once said "to weigh: … 5 g" and "(q.s.) … 15 g"
    // beside a table saying weigh 9 g of stock and 10 g of base, and the method went on to
    // triturate "the powder" that was already in the dilution.
    let (stock, base_in, needed, total) = (d("9"), d("9"), d("5"), d("20"));
    let dilution = stock + base_in;
    let into_batch = needed * dilution / stock;
    let direct = total - into_batch;
    assert_eq!((dilution, into_batch, direct), (d("18"), d("10"), d("10")));
    assert_eq!(direct + (into_batch - needed), total - needed);
    let cmd = [
        "batch",
        "sts-25-zinc-oxide",
        "--quantity",
        "20g",
        "--readability",
        "0.01g",
    ];

    // JSON: the table is the four weighings; the calculation says the same.
    let plan = json(&cmd);
    let weighs: Vec<Decimal> = plan["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| value(&c["to_weigh"]))
        .collect();
    assert_eq!(weighs, vec![stock, base_in, into_batch, direct]);
    // Nothing is "aliquoted" but the active: the base is weighed whole, above the minimum.
    assert!(direct > d("8.2"));
    let calc: Vec<String> = plan["calculations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    let all = calc.join("\n");
    assert!(!all.contains("to weigh"), "{all}");
    assert!(
        all.contains("Sodium thiosulfate pentahydrate needed in the batch: 5 g ÷ 1 = 5 g → 5 g"),
        "{all}"
    );
    assert!(all.contains("weighed by the aliquot method (below), not directly"));
    assert!(
        all.contains("Zinc Oxide Ointment USP in the batch in all (q.s.), part of it in the dilution (below): 20 g − 5 g = 15 g"),
        "{all}"
    );
    let instruction = "weigh 9 g of the stock and mix it with 9 g of Zinc Oxide Ointment USP to a uniform dilution of 18 g; weigh 10 g of the dilution into the batch";
    assert!(all.contains(instruction), "{all}");
    assert!(
        all.contains("the base weighed directly is then 20 g − 10 g = 10 g"),
        "{all}"
    );

    // Text: the same table and the same calculation lines.
    let text = ok(&cmd);
    for line in &calc {
        assert!(text.contains(line.as_str()), "{line}\n{text}");
    }
    for row in [
        "stock for the dilution",
        "base for the dilution",
        "Dilution (above) into the batch, holding 5 g of stock",
        "Zinc Oxide Ointment USP — weighed directly",
    ] {
        assert_eq!(text.matches(row).count(), 1, "{row}\n{text}");
    }

    // The record: the same rows, the same calculation, and method steps in the order of the
    // table, none of which works a powder that is already in the dilution.
    let mut html_args = cmd.to_vec();
    html_args.extend(["--format", "html"]);
    let html = ok(&html_args);
    for line in &calc {
        assert!(html.contains(line.as_str()), "{line}");
    }
    let steps = [
        "weigh 9 g of the sodium thiosulfate stock",
        "Weigh 9 g of Zinc Oxide Ointment USP and incorporate the powder into it",
        "Weigh 10 g of the dilution into the batch (it holds 5 g of the stock); discard the 8 g left.",
        "Weigh 10 g of Zinc Oxide Ointment USP directly",
        "Triturate the dilution with about an equal weight of the ointment",
    ];
    let at: Vec<usize> = steps
        .iter()
        .map(|s| html.find(s).unwrap_or_else(|| panic!("{s}")))
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");
    assert!(!html.contains("Triturate the powder"), "method");
    assert_eq!(dilution - into_batch, d("8"));
}
