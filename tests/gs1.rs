//! GS1 element strings and the GS1 DataMatrix: values checked against the GS1 General
//! Specifications by hand, round trips, scanner strings, every bad input, and the symbol
//! decoded back from pixels by an independent reader (rxing, a ZXing port).

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rxing::{BarcodeFormat, RXingResultMetadataType, RXingResultMetadataValue};
use stscalc::barcode::{self, Gs1DataMatrix, SymbolShape, FNC1};
use stscalc::gs1::{Gs1Data, Gs1Date, Gs1Error, Gtin, GS};

const THIS_YEAR: i32 = 2026;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The GS1 General Specifications' example: GTIN 0950600013435?, expiry 2020-12-25, lot ABC123.
fn spec_example() -> Gs1Data {
    Gs1Data {
        gtin: Some(Gtin::new("09506000134352").unwrap()),
        expiry: Some(Gs1Date::from_date(date(2020, 12, 25))),
        lot: Some("ABC123".into()),
        ..Gs1Data::default()
    }
}

#[test]
fn gs1_gtin_check_digit_computed_by_hand() {
    // 0950600013435 + check digit. From the right, weights 3, 1, 3, …:
    // 5×3 + 3×1 + 4×3 + 3×1 + 1×3 + 0×1 + 0×3 + 0×1 + 6×3 + 0×1 + 5×3 + 9×1 + 0×3
    // = 15 + 3 + 12 + 3 + 3 + 0 + 0 + 0 + 18 + 0 + 15 + 9 + 0 = 78; 80 − 78 = 2.
    assert_eq!(Gtin::check_digit("0950600013435"), Some(2));
    assert_eq!(
        Gtin::new("09506000134352").unwrap().as_str(),
        "09506000134352"
    );
    // A GTIN-13 is padded to 14 digits with a leading zero for AI (01).
    assert_eq!(
        Gtin::new("9506000134352").unwrap().as_str(),
        "09506000134352"
    );
    // GTIN-8 9638507?: from the right 7×3 + 0×1 + 5×3 + 8×1 + 3×3 + 6×1 + 9×3
    // = 21 + 0 + 15 + 8 + 9 + 6 + 27 = 86; 90 − 86 = 4.
    assert_eq!(Gtin::check_digit("9638507"), Some(4));
    assert_eq!(Gtin::new("96385074").unwrap().as_str(), "00000096385074");
    let error = Gtin::new("09506000134353").unwrap_err();
    assert_eq!(
        error.to_string(),
        "GS1 `(01)` GTIN: expected check digit 2, found 3 in `09506000134353`"
    );
}

#[test]
fn gs1_spec_example_encodes_without_a_separator_when_the_lot_is_last() {
    let data = spec_example();
    // (01) and (17) have predefined lengths; (10) is last, so no GS anywhere.
    assert_eq!(
        data.element_string().unwrap(),
        "01095060001343521720122510ABC123"
    );
    assert_eq!(
        data.human_readable().unwrap(),
        "(01)09506000134352(17)201225(10)ABC123"
    );
}

#[test]
fn gs1_separator_only_after_variable_length_elements_that_are_not_last() {
    let mut data = spec_example();
    data.serial = Some("SER1".into());
    data.internal_91 = Some("sts-25-zinc-oxide".into());
    // Fixed first, then (10) GS (21) GS (91), nothing after the last. GS is ASCII 29.
    assert_eq!(u32::from(GS), 29);
    assert_eq!(
        data.element_string().unwrap(),
        "010950600013435217201225\
         10ABC123\u{1d}21SER1\u{1d}91sts-25-zinc-oxide"
    );
    assert_eq!(
        data.human_readable().unwrap(),
        "(01)09506000134352(17)201225(10)ABC123(21)SER1(91)sts-25-zinc-oxide"
    );
    // Only an expiry and a lot (no GTIN): the expiry still goes first.
    let data = Gs1Data {
        expiry: Some(Gs1Date::from_date(date(2026, 12, 31))),
        lot: Some("2612-01".into()),
        internal_91: Some("sts-150".into()),
        ..Gs1Data::default()
    };
    assert_eq!(
        data.element_string().unwrap(),
        "17261231102612-01\u{1d}91sts-150"
    );
}

#[test]
fn gs1_expiry_day_00_is_the_end_of_the_month() {
    let feb_2026 = Gs1Date::from_yymmdd("260200", THIS_YEAR).unwrap();
    assert_eq!(feb_2026.day(), None);
    // 2026 is not a leap year (not divisible by 4): February has 28 days.
    assert_eq!(feb_2026.last_day(), date(2026, 2, 28));
    // 2028 is divisible by 4 and not by 100: February has 29 days.
    let feb_2028 = Gs1Date::from_yymmdd("280200", THIS_YEAR).unwrap();
    assert_eq!(feb_2028.last_day(), date(2028, 2, 29));
    assert_eq!(Gs1Date::end_of_month(2028, 2).unwrap().yymmdd(), "280200");
}

#[test]
fn gs1_expiry_century_rule() {
    // GS1 General Specifications §7.12, current year 2026 (26):
    // 76 − 26 = 50: not 51 or more, so this century: 2076.
    assert_eq!(Gs1Date::from_yymmdd("761231", 2026).unwrap().year(), 2076);
    // 77 − 26 = 51: the previous century: 1977.
    assert_eq!(Gs1Date::from_yymmdd("771231", 2026).unwrap().year(), 1977);
    // Current year 2075: 00 − 75 = −75, −50 or less, so the next century: 2100.
    assert_eq!(Gs1Date::from_yymmdd("000101", 2075).unwrap().year(), 2100);
    // Current year 2075: 25 − 75 = −50: the next century: 2125.
    assert_eq!(Gs1Date::from_yymmdd("250101", 2075).unwrap().year(), 2125);
    // Current year 2075: 26 − 75 = −49: this century: 2026.
    assert_eq!(Gs1Date::from_yymmdd("260101", 2075).unwrap().year(), 2026);
}

#[test]
fn gs1_bud_with_a_time_encodes_its_date() {
    let bud = NaiveDateTime::parse_from_str("2026-12-02 14:30", "%Y-%m-%d %H:%M").unwrap();
    assert_eq!(Gs1Date::from_bud(bud).yymmdd(), "261202");
    // Just before midnight is still that day, not the next.
    let late = NaiveDateTime::parse_from_str("2026-12-31 23:59", "%Y-%m-%d %H:%M").unwrap();
    assert_eq!(Gs1Date::from_bud(late).yymmdd(), "261231");
}

#[test]
fn gs1_parse_scanner_strings() {
    let mut expected = spec_example();
    expected.serial = Some("SER1".into());
    let transmitted = "010950600013435217201225\
                       10ABC123\u{1d}21SER1";
    for input in [
        format!("]d2{transmitted}"),
        format!("]C1{transmitted}"),
        format!("]Q3{transmitted}"),
        transmitted.to_string(),
        // A scanner ending with Enter; one sending the leading FNC1 as GS.
        format!("]d2{transmitted}\r\n"),
        format!("\u{1d}{transmitted}"),
        // A GS after a predefined-length element is not needed but allowed; one at the end too.
        "0109506000134352\u{1d}1720122510ABC123\u{1d}21SER1\u{1d}".to_string(),
        // Any order, as commercial packs print them.
        "21SER1\u{1d}010950600013435210ABC123\u{1d}17201225".to_string(),
        "(01)09506000134352(17)201225(10)ABC123(21)SER1".to_string(),
        "(01) 09506000134352 (17) 201225 (10) ABC123 (21) SER1".to_string(),
    ] {
        assert_eq!(
            Gs1Data::parse(&input, THIS_YEAR).unwrap(),
            expected,
            "{input:?}"
        );
    }
    // A commercial vial: (01)(17)(10)(21) and a company-internal (93).
    let vial = Gs1Data::parse(
        "]d2010030012345678917271130\
         10L2345A\u{1d}21X7Y8Z9\u{1d}93ABC",
        THIS_YEAR,
    );
    // 0030012345678? check digit: from the right 8×3+7×1+6×3+5×1+4×3+3×1+2×3+1×1+0×3+0×1
    // +3×3+0×1+0×3 = 24+7+18+5+12+3+6+1+0+0+9+0+0 = 85; 90 − 85 = 5, not 9: refused.
    assert_eq!(
        vial.unwrap_err().to_string(),
        "GS1 `(01)` GTIN: expected check digit 5, found 9 in `00300123456789`"
    );
    let vial = Gs1Data::parse(
        "]d2010030012345678517271130\
         10L2345A\u{1d}21X7Y8Z9\u{1d}93ABC",
        THIS_YEAR,
    )
    .unwrap();
    assert_eq!(vial.expiry.unwrap().last_day(), date(2027, 11, 30));
    assert_eq!(vial.lot.as_deref(), Some("L2345A"));
    assert_eq!(
        vial.internal_other,
        BTreeMap::from([(93, "ABC".to_string())])
    );
}

/// Asserts an error is one line, echoes no control character, and says what was expected
/// and what was found; returns the message.
fn one_line_error(input: &str) -> String {
    let message = Gs1Data::parse(input, THIS_YEAR).unwrap_err().to_string();
    assert!(!message.chars().any(char::is_control), "{message:?}");
    assert!(message.contains("expected"), "{message}");
    assert!(message.contains("found"), "{message}");
    assert!(message.chars().count() < 300, "{message}");
    message
}

#[test]
fn gs1_every_bad_input_is_one_clear_line() {
    let cases: &[(&str, &str)] = &[
        ("", "expected at least one element"),
        ("]d2", "expected at least one element"),
        (
            "]d10109506000134352",
            "GS1 symbology identifier: expected `]d2`, `]C1` or `]Q3`, found `]d1`",
        ),
        // (11) production date is a real AI, but not one this tool reads.
        (
            "010950600013435211201225",
            "GS1 application identifier at character 17: expected (01), (10), (17), (21) or (91)–(99), found `112012…`",
        ),
        ("(7003)2612311200", "found `(7003)`"),
        ("ABC", "at character 1"),
        (
            "0109506000134353",
            "expected check digit 2, found 3 in `09506000134353`",
        ),
        ("01095060001343", "expected 14 characters, found `095060001343` (12) before the end"),
        ("01095060\u{1d}10A", "found `095060` (6) before a separator"),
        ("(01)0950600013435", "expected 14 digits"),
        ("0109506000134A52", "expected 14 digits (or a GTIN-8, -12 or -13), found `09506000134A52`"),
        ("17201332", "found `201332` (month 13 is not 01 to 12)"),
        ("17260230", "found `260230` (2026-02 has no day 30)"),
        ("1726023", "expected 6 characters, found `26023` (5) before the end"),
        ("(17)26-02-28", "six digits needed"),
        ("10ABCDEFGHIJKLMNOPQRSTU", "expected 1 to 20 characters, found 21 in `ABCDEFGHIJKLMNOPQRSTU`"),
        // The lot runs into the expiry: a separator is missing.
        (
            "10ABCDEFGHIJ12345678917261231",
            "(is the group separator GS after it missing?)",
        ),
        ("10\u{1d}17261231", "expected 1 to 20 characters, found 0"),
        ("10AB C1", "found ` ` at character 3 of `AB C1`"),
        ("10AB#1", "found `#` at character 3"),
        ("10Lé1", "found `é` at character 2"),
        ("10AB\u{1e}1", "found `\\u{1e}` at character 3 of `AB\\u{1e}1`"),
        ("(10)AB\u{1d}1", "found `<GS>` at character 3 of `AB<GS>1`"),
        ("10AB\u{1d}10CD", "GS1 `(10)` batch/lot: expected once, found twice"),
        ("\u{1d}\u{1d}10AB", "at character 2"),
        ("(01)09506000134352(17)201225(10)", "expected 1 to 20 characters, found 0"),
        ("(21)", "expected 1 to 20 characters, found 0"),
    ];
    for (input, wanted) in cases {
        let message = one_line_error(input);
        assert!(
            message.contains(wanted),
            "input {input:?}: {message:?} lacks {wanted:?}"
        );
    }
}

#[test]
fn gs1_errors_cap_what_they_echo_and_never_panic() {
    let long = format!("10{}", "A".repeat(500));
    let message = one_line_error(&long);
    assert!(
        message.contains(&format!("`{}…`", "A".repeat(40))),
        "{message}"
    );
    // Non-ASCII where fixed-length digits belong must be an error, not a panic on slicing.
    one_line_error("01ééééééééééééééé");
    one_line_error("17é");
    one_line_error("é");
    one_line_error("(é)");
    // A bidi override cannot reorder the message.
    assert!(one_line_error("10A\u{202e}B").contains("\\u{202e}"));
}

#[test]
fn gs1_building_refuses_what_parsing_would() {
    let too_long = Gs1Data {
        lot: Some("L".repeat(21)),
        ..Gs1Data::default()
    };
    assert!(too_long
        .element_string()
        .unwrap_err()
        .to_string()
        .contains("expected 1 to 20 characters, found 21"));
    let space = Gs1Data {
        internal_91: Some("sts 25".into()),
        ..Gs1Data::default()
    };
    assert!(matches!(
        space.element_string(),
        Err(Gs1Error::Character { position: 4, .. })
    ));
    assert_eq!(Gs1Data::default().element_string(), Err(Gs1Error::Empty));
    let bad_key = Gs1Data {
        internal_other: BTreeMap::from([(91, "x".to_string())]),
        ..Gs1Data::default()
    };
    assert_eq!(
        bad_key.element_string(),
        Err(Gs1Error::InternalKey { key: 91 })
    );
    assert!(Gs1Date::new(2026, 2, 29).is_err());
    assert!(Gs1Date::new(2026, 13, 1).is_err());
}

/// GS1 character set 82.
const SET_82: &str =
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

fn set_82_text(max: usize) -> impl Strategy<Value = String> {
    let chars: Vec<char> = SET_82.chars().collect();
    assert_eq!(chars.len(), 82, "GS1 set 82 has 82 characters");
    prop::collection::vec(prop::sample::select(chars), 1..=max)
        .prop_map(|chars| chars.into_iter().collect())
}

fn gs1_data() -> impl Strategy<Value = Gs1Data> {
    let gtin = prop::collection::vec(0u8..10, 13).prop_map(|digits| {
        let body: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
        let check = Gtin::check_digit(&body).unwrap();
        Gtin::new(&format!("{body}{check}")).unwrap()
    });
    // Years the century rule maps back from 2026: 1977 to 2076; day 0 = end of month.
    let expiry =
        (1977i32..=2076, 1u32..=12, 0u32..=28).prop_map(|(y, m, d)| Gs1Date::new(y, m, d).unwrap());
    (
        prop::option::of(gtin),
        prop::option::of(expiry),
        prop::option::of(set_82_text(20)),
        prop::option::of(set_82_text(20)),
        prop::option::of(set_82_text(90)),
        prop::collection::btree_map(92u8..=99, set_82_text(90), 0..3),
    )
        .prop_map(
            |(gtin, expiry, lot, serial, internal_91, internal_other)| Gs1Data {
                gtin,
                expiry,
                lot,
                serial,
                internal_91,
                internal_other,
            },
        )
        .prop_filter("at least one element", |d| d.element_string().is_ok())
}

proptest! {
    #[test]
    fn gs1_round_trip_parse_of_build(data in gs1_data()) {
        let element_string = data.element_string().unwrap();
        prop_assert_eq!(&Gs1Data::parse(&element_string, THIS_YEAR).unwrap(), &data);
        prop_assert_eq!(&Gs1Data::parse(&format!("]d2{element_string}"), THIS_YEAR).unwrap(), &data);
        // The human-readable form reads back too, unless a value itself holds `(` digits `)`
        // (the documented ambiguity of that form).
        let human = data.human_readable().unwrap();
        let ambiguous = human.matches('(').count() != element_count(&data);
        if !ambiguous {
            prop_assert_eq!(&Gs1Data::parse(&human, THIS_YEAR).unwrap(), &data);
        }
    }
}

fn element_count(data: &Gs1Data) -> usize {
    usize::from(data.gtin.is_some())
        + usize::from(data.expiry.is_some())
        + usize::from(data.lot.is_some())
        + usize::from(data.serial.is_some())
        + usize::from(data.internal_91.is_some())
        + data.internal_other.len()
}

// ---- the symbol ----------------------------------------------------------------------------

/// Pixels of the symbol with a white quiet zone, `scale` pixels per module (0 dark, 255 light).
fn rasterise(symbol: &Gs1DataMatrix, quiet: usize, scale: usize) -> (Vec<u8>, u32, u32) {
    let (w, h) = (
        (symbol.width() + 2 * quiet) * scale,
        (symbol.height() + 2 * quiet) * scale,
    );
    let mut luma = vec![255u8; w * h];
    for py in 0..h {
        for px in 0..w {
            let (mx, my) = (px / scale, py / scale);
            if mx >= quiet && my >= quiet && symbol.is_dark(mx - quiet, my - quiet) {
                luma[py * w + px] = 0;
            }
        }
    }
    (luma, w as u32, h as u32)
}

/// Pixels of the SVG `barcode::Gs1DataMatrix::svg` wrote, by reading its path of rectangles
/// (`M x y h n v1 h-n z`) and its view box: what a browser would paint, `scale` px per unit.
fn rasterise_svg(svg: &str, scale: usize) -> (Vec<u8>, u32, u32) {
    let view: Vec<usize> = svg
        .split("viewBox=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .split(' ')
        .map(|n| n.parse().unwrap())
        .collect();
    let (w, h) = (view[2] * scale, view[3] * scale);
    let mut luma = vec![255u8; w * h];
    let path = svg
        .split(" d=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    for rect in path.split('z').filter(|r| !r.is_empty()) {
        let rect = rect.strip_prefix('M').unwrap();
        let (x, rest) = rect.split_once(' ').unwrap();
        let (y, rest) = rest.split_once('h').unwrap();
        let (run, rest) = rest.split_once('v').unwrap();
        assert_eq!(rest, format!("1h-{run}"), "a whole-module rectangle");
        let (x, y, run): (usize, usize, usize) =
            (x.parse().unwrap(), y.parse().unwrap(), run.parse().unwrap());
        for py in y * scale..(y + 1) * scale {
            for px in x * scale..(x + run) * scale {
                luma[py * w + px] = 0;
            }
        }
    }
    (luma, w as u32, h as u32)
}

/// Decodes pixels with rxing; returns the text and the symbology identifier it reports.
fn decode(luma: Vec<u8>, w: u32, h: u32) -> (String, String) {
    let result = rxing::helpers::detect_in_luma(luma, w, h, Some(BarcodeFormat::DATA_MATRIX))
        .expect("rxing decodes the symbol");
    let identifier = match result
        .getRXingResultMetadata()
        .get(&RXingResultMetadataType::SYMBOLOGY_IDENTIFIER)
    {
        Some(RXingResultMetadataValue::SymbologyIdentifier(id)) => id.clone(),
        other => panic!("no symbology identifier: {other:?}"),
    };
    (result.getText().to_string(), identifier)
}

fn label_data() -> Gs1Data {
    Gs1Data {
        gtin: Some(Gtin::new("09506000134352").unwrap()),
        expiry: Some(Gs1Date::from_date(date(2027, 1, 31))),
        lot: Some("2612-0042".into()),
        internal_91: Some("sts-25-zinc-oxide".into()),
        ..Gs1Data::default()
    }
}

#[test]
fn gs1_datamatrix_codewords_use_fnc1_first_and_between_elements() {
    let data = Gs1Data {
        lot: Some("ABC123".into()),
        serial: Some("SER1".into()),
        ..Gs1Data::default()
    };
    let symbol = barcode::encode(&data, SymbolShape::Square).unwrap();
    // ISO/IEC 16022 ASCII encodation by hand: FNC1 = 232; a digit pair nn = 130 + nn;
    // another ASCII character = its code + 1; then the pad 129.
    // FNC1, "10" → 140, A → 66, B → 67, C → 68, "12" → 142, '3' (51) → 52,
    // FNC1 (the separator, not GS = 30), "21" → 151, S → 84, E → 70, R → 83, '1' (49) → 50.
    let expected = [232, 140, 66, 67, 68, 142, 52, 232, 151, 84, 70, 83, 50, 129];
    assert_eq!(&symbol.data_codewords()[..expected.len()], &expected);
    assert_eq!(FNC1, 232);
}

#[test]
fn gs1_datamatrix_decoded_from_pixels_matches_the_element_string() {
    for (data, shape) in [
        (label_data(), SymbolShape::Square),
        (label_data(), SymbolShape::Rectangular),
        (spec_example(), SymbolShape::Square),
        (
            Gs1Data {
                expiry: Some(Gs1Date::end_of_month(2027, 2).unwrap()),
                lot: Some("A-1/2".into()),
                ..Gs1Data::default()
            },
            SymbolShape::Rectangular,
        ),
    ] {
        let symbol = barcode::encode(&data, shape).unwrap();
        let element_string = data.element_string().unwrap();
        assert_eq!(symbol.element_string(), element_string);
        if shape == SymbolShape::Rectangular {
            assert!(symbol.width() > symbol.height());
        } else {
            assert_eq!(symbol.width(), symbol.height());
        }
        let (luma, w, h) = rasterise(&symbol, 2, 4);
        let (text, identifier) = decode(luma, w, h);
        // `]d2`: the reader saw FNC1 first, so this is a GS1 DataMatrix.
        assert_eq!(identifier, "]d2");
        assert_eq!(text, element_string);
        // What the reader transmits parses back to the same data.
        assert_eq!(
            Gs1Data::parse(&format!("{identifier}{text}"), THIS_YEAR).unwrap(),
            data
        );
    }
}

#[test]
fn gs1_datamatrix_svg_decodes_and_has_its_size_in_mm() {
    let data = label_data();
    let symbol = barcode::encode(&data, SymbolShape::Square).unwrap();
    let module = Decimal::new(3, 1); // 0.3 mm
    let svg = symbol.svg(module, 1).unwrap();
    // One module of quiet zone each side: (modules + 2) × 0.3 mm.
    let side = Decimal::from(symbol.width() + 2) * module;
    assert!(
        svg.contains(&format!(
            "width=\"{}mm\" height=\"{}mm\"",
            side.normalize(),
            side.normalize()
        )),
        "{svg}"
    );
    assert!(svg.contains("shape-rendering=\"crispEdges\""));
    // Nothing from the data is in the SVG: no escaping can be needed.
    assert!(!svg.contains("sts") && !svg.contains("2612"));
    let fixed =
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"mm\" height=\"mm\" viewBox=\"\" \
                 shape-rendering=\"crispEdges\"><rect width=\"\" height=\"\" fill=\"#fff\"/><path \
                 fill=\"#000\" d=\"\"/></svg>";
    assert!(svg
        .chars()
        .all(|c| c.is_ascii_digit() || "Mhvz-. ".contains(c) || fixed.contains(c)));
    // The 1-module quiet zone as drawn, and a wider one, both read back.
    for quiet in [1, 4] {
        let svg = symbol.svg(module, quiet).unwrap();
        let (luma, w, h) = rasterise_svg(&svg, 4);
        let (text, identifier) = decode(luma, w, h);
        assert_eq!(
            (identifier.as_str(), text.as_str()),
            ("]d2", data.element_string().unwrap().as_str())
        );
    }
    assert_eq!(
        symbol.svg(Decimal::ZERO, 1).unwrap_err().to_string(),
        "GS1 DataMatrix module size: expected a size above 0 mm, found `0 mm`"
    );
    assert_eq!(
        symbol.svg(module, 0).unwrap_err().to_string(),
        "GS1 DataMatrix quiet zone: expected at least 1 module, found 0"
    );
}

#[test]
fn gs1_datamatrix_refuses_what_does_not_fit_or_is_not_gs1() {
    // 90 letters need 1 + 1 + 90 codewords in ASCII encodation: more than the largest
    // rectangle's 49, fewer than a 52 × 52 square's 204.
    let data = Gs1Data {
        internal_91: Some("Z".repeat(90)),
        ..Gs1Data::default()
    };
    assert!(barcode::encode(&data, SymbolShape::Square).is_ok());
    let error = barcode::encode(&data, SymbolShape::Rectangular).unwrap_err();
    assert!(
        error.to_string().contains("fits a rectangular symbol"),
        "{error}"
    );
    let bad = Gs1Data {
        lot: Some("no spaces".into()),
        ..Gs1Data::default()
    };
    assert!(barcode::encode(&bad, SymbolShape::Square).is_err());
}
