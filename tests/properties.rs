//! Property tests over the ointment planner: for any valid input the components add up to the
//! batch total exactly, and the strength from the rounded quantities lies within the reported
//! worst case.

use proptest::prelude::*;
use rust_decimal::Decimal;

use stscalc::formula::Catalog;
use stscalc::plan::ointment::{plan, OintmentRequest, Role};
use stscalc::plan::{Balance, BatchSize, Overage};
use stscalc::quantity::{Mass, Percent, PercentKind};
use stscalc::substance::{AssayBasis, Certificate, Form};

fn request(
    total_mg: u64,
    strength_hundredths: u32,
    overage_tenths: u32,
    anhydrous: bool,
    cert: Option<(u32, Option<u32>)>,
    readability_exp: u32,
) -> OintmentRequest {
    let readability = Mass::from_g(Decimal::new(1, readability_exp));
    let certificate = cert.map(|(assay_tenths, water_tenths)| {
        let assay = Percent::new(Decimal::new(assay_tenths as i64, 1), PercentKind::Plain);
        match water_tenths {
            Some(w) => Certificate::new(
                assay,
                AssayBasis::Dried,
                Some(Percent::new(Decimal::new(w as i64, 1), PercentKind::Plain)),
            ),
            None => Certificate::new(assay, AssayBasis::AsIs, None),
        }
        .unwrap()
    });
    OintmentRequest {
        size: BatchSize::Total {
            total: Mass::from_mg(Decimal::from(total_mg)),
        },
        strength: Some(Percent::new(
            Decimal::new(strength_hundredths as i64, 2),
            PercentKind::WeightInWeight,
        )),
        overage: (overage_tenths > 0).then(|| {
            Overage::Percent(Percent::new(
                Decimal::new(overage_tenths as i64, 1),
                PercentKind::Plain,
            ))
        }),
        stock_form: Some(if anhydrous {
            Form::Anhydrous
        } else {
            Form::Pentahydrate
        }),
        certificate,
        balance: Balance {
            readability,
            repeatability: None,
        },
        // Large enough for every batch drawn here; the capacity has its own tests.
        capacity: Some(Mass::from_g(Decimal::from(100_000))),
        container: None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn components_sum_to_the_total_and_strength_stays_in_bounds(
        formula in prop::sample::select(vec!["sts-20-petrolatum", "sts-25-petrolatum", "sts-25-zinc-oxide"]),
        total_mg in 5_000u64..5_000_000,
        strength_hundredths in 2000u32..=2500,
        overage_tenths in 0u32..200,
        anhydrous in any::<bool>(),
        cert in prop::option::of((900u32..=1000, prop::option::of(0u32..400))),
        readability_exp in 1u32..=4,
    ) {
        let catalog = Catalog::load(None).unwrap();
        let entry = catalog.get(formula).unwrap();
        let req = request(total_mg, strength_hundredths, overage_tenths, anhydrous, cert, readability_exp);
        // A batch whose levigating agent or base the balance cannot weigh is refused (issue 8
        // §5), naming the smallest batch it can make; every other batch is planned.
        let p = match plan(entry, &req) {
            Ok(p) => p,
            Err(e) => {
                let m = e.to_string();
                prop_assert!(m.contains("the balance cannot make this batch") && m.contains("smallest batch"), "{}", m);
                return Ok(());
            }
        };
        // With the aliquot method the table lists the dilution's own weighings too; what goes
        // into the batch is every row but those two.
        let into_batch = |c: &&stscalc::plan::ointment::Component| {
            !matches!(c.role, Role::StockForDilution | Role::BaseForDilution)
        };
        let sum: Decimal = p.components.iter().filter(into_batch).map(|c| c.to_weigh.g()).sum();
        prop_assert_eq!(sum, p.total.g());
        let s = &p.strength_check;
        prop_assert!(s.worst_low.value() <= s.from_rounded.get().value(), "{} > {}", s.worst_low, s.from_rounded);
        prop_assert!(s.from_rounded.get().value() <= s.worst_high.value(), "{} > {}", s.from_rounded, s.worst_high);
        // Each rounded quantity is within half a readability step of its calculation.
        let half = req.balance.readability.g() / Decimal::TWO;
        for c in p.components.iter().filter(|c| c.role != Role::StockForDilution) {
            prop_assert!((c.to_weigh.g() - c.calculated.g()).abs() <= half);
        }
    }
}
