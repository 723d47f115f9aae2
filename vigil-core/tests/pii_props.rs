//! Property tests for the PII pass: generated valid identifiers are always found, random digit
//! strings are not, redaction leaves nothing of a found value, and no input panics.
//!
//! The generators compute check digits with their own code (the published algorithms), so they
//! cross-check the engine's validators rather than reuse them.
//!
//! `cargo test -p vigil-core --test pii_props -- --nocapture` also prints the false-positive
//! rate per 10,000 random numbers.

use std::sync::OnceLock;

use proptest::prelude::*;
use vigil_core::pii::RedactionMode;
use vigil_core::{Config, Engine, PiiConfig, PiiReport};

/// Engines are built once per test binary: compiling the patterns is the slow part.
fn engine(mode: RedactionMode) -> &'static Engine {
    static ENGINES: OnceLock<Vec<(RedactionMode, Engine)>> = OnceLock::new();
    let engines = ENGINES.get_or_init(|| {
        [
            RedactionMode::Token,
            RedactionMode::Mask,
            RedactionMode::Pseudonym,
        ]
        .into_iter()
        .map(|mode| {
            let mut pii = PiiConfig::default();
            pii.redaction.mode = mode;
            pii.redaction.pseudonym_key = Some(vigil_core::pii::PseudonymKey(
                "property-test-key-0123".into(),
            ));
            pii.person_names = true;
            let config = Config {
                pii,
                ..Config::default()
            };
            (mode, Engine::new(config).expect("valid config"))
        })
        .collect()
    });
    &engines
        .iter()
        .find(|(m, _)| *m == mode)
        .expect("an engine per mode")
        .1
}

fn types_at(report: &PiiReport, text: &str, value: &str) -> Vec<String> {
    let start = text.find(value).expect("value is in the text");
    let end = start + value.len();
    report
        .entities
        .iter()
        .filter(|e| e.byte_start == start && e.byte_end == end)
        .map(|e| e.entity_type.clone())
        .collect()
}

fn digits_str(d: &[u32]) -> String {
    d.iter().map(|x| char::from(b'0' + *x as u8)).collect()
}

fn days_in(year: u32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

prop_compose! {
    fn pesel()(year in 1800u32..2300, month in 1u32..=12, day_seed in 0u32..31, serial in 0u32..10_000) -> String {
        let day = day_seed % days_in(year, month) + 1;
        let offset = match year { 1800..=1899 => 80, 1900..=1999 => 0, 2000..=2099 => 20, 2100..=2199 => 40, _ => 60 };
        let mut d = vec![
            (year % 100) / 10, year % 10,
            (month + offset) / 10, (month + offset) % 10,
            day / 10, day % 10,
            serial / 1000, serial / 100 % 10, serial / 10 % 10, serial % 10,
        ];
        let sum: u32 = d.iter().zip([1, 3, 7, 9, 1, 3, 7, 9, 1, 3]).map(|(a, w)| a * w).sum();
        d.push((10 - sum % 10) % 10);
        digits_str(&d)
    }
}

prop_compose! {
    fn nip()(first in 1u32..10, rest in prop::collection::vec(0u32..10, 8)) -> Option<String> {
        let mut d = vec![first];
        d.extend(rest);
        let r: u32 = d.iter().zip([6, 5, 7, 2, 3, 4, 5, 6, 7]).map(|(a, w)| a * w).sum::<u32>() % 11;
        (r != 10).then(|| {
            d.push(r);
            digits_str(&d)
        })
    }
}

fn regon_check(d: &[u32], weights: &[u32]) -> u32 {
    let r = d.iter().zip(weights).map(|(a, w)| a * w).sum::<u32>() % 11;
    if r == 10 { 0 } else { r }
}

prop_compose! {
    fn regon()(base in prop::collection::vec(0u32..10, 8), local in prop::collection::vec(0u32..10, 4), long in any::<bool>()) -> String {
        let mut d = base;
        d.push(regon_check(&d, &[8, 9, 2, 3, 4, 5, 6, 7]));
        if long {
            d.extend(local);
            d.push(regon_check(&d, &[2, 4, 8, 5, 0, 9, 7, 3, 6, 1, 2, 4, 8]));
        }
        digits_str(&d)
    }
}

/// (country, BBAN length) for a sample of IBAN countries; BBANs here are all digits or
/// letters-then-digits like the real ones.
const IBAN_COUNTRIES: &[(&str, usize, usize)] = &[
    ("PL", 24, 0),
    ("DE", 18, 0),
    ("GB", 18, 4),
    ("FR", 23, 0),
    ("ES", 20, 0),
    ("IT", 23, 1),
    ("NL", 14, 4),
    ("CH", 17, 0),
    ("NO", 11, 0),
    ("MT", 27, 4),
];

fn letter_digits(c: char) -> String {
    if c.is_ascii_digit() {
        c.to_string()
    } else {
        (c as u32 - 'A' as u32 + 10).to_string()
    }
}

prop_compose! {
    fn iban()(i in 0..IBAN_COUNTRIES.len(), letters in prop::collection::vec(0u8..26, 4), digits in prop::collection::vec(0u32..10, 27)) -> String {
        let (cc, len, n_letters) = IBAN_COUNTRIES[i];
        let mut bban: String = letters.iter().take(n_letters).map(|l| char::from(b'A' + l)).collect();
        bban.extend(digits.iter().take(len - n_letters).map(|d| char::from(b'0' + *d as u8)));
        let numeric: String = format!("{bban}{cc}00").chars().map(letter_digits).collect();
        let rem = numeric.bytes().fold(0u32, |r, b| (r * 10 + u32::from(b - b'0')) % 97);
        format!("{cc}{:02}{bban}", 98 - rem)
    }
}

/// Card prefixes and lengths of the major networks.
const CARD_PREFIXES: &[(&str, usize)] = &[
    ("4", 16),
    ("4", 13),
    ("51", 16),
    ("55", 16),
    ("2221", 16),
    ("2720", 16),
    ("34", 15),
    ("37", 15),
    ("6011", 16),
    ("65", 16),
    ("3530", 16),
    ("36", 14),
    ("62", 19),
];

prop_compose! {
    fn card()(i in 0..CARD_PREFIXES.len(), body in prop::collection::vec(0u32..10, 18)) -> String {
        let (prefix, len) = CARD_PREFIXES[i];
        let mut d: Vec<u32> = prefix.bytes().map(|b| u32::from(b - b'0')).collect();
        d.extend(body.iter().take(len - 1 - d.len()));
        // Luhn check digit for the payload.
        let sum: u32 = d.iter().rev().enumerate().map(|(i, &x)| {
            if i % 2 == 0 { let y = x * 2; if y > 9 { y - 9 } else { y } } else { x }
        }).sum();
        d.push((10 - sum % 10) % 10);
        digits_str(&d)
    }
}

fn group4(s: &str, sep: &str) -> String {
    s.as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap_or(""))
        .collect::<Vec<_>>()
        .join(sep)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 200,
        // Integration tests have no lib.rs next to them to persist failures beside.
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_valid_pesel_is_found(p in pesel(), pl in any::<bool>()) {
        let e = engine(RedactionMode::Token);
        let text = if pl { format!("Mój numer PESEL to {p}.") } else { format!("PESEL: {p}") };
        prop_assert_eq!(types_at(&e.scan_pii(&text), &text, &p), vec!["PL_PESEL".to_string()]);
    }

    #[test]
    fn every_valid_nip_is_found(n in nip(), dashed in any::<bool>()) {
        let Some(n) = n else { return Ok(()) };
        let e = engine(RedactionMode::Token);
        let shown = if dashed { format!("{}-{}-{}-{}", &n[..3], &n[3..6], &n[6..8], &n[8..]) } else { n };
        let text = format!("NIP firmy: {shown}");
        prop_assert_eq!(types_at(&e.scan_pii(&text), &text, &shown), vec!["PL_NIP".to_string()]);
    }

    #[test]
    fn every_valid_regon_is_found(r in regon()) {
        let e = engine(RedactionMode::Token);
        let text = format!("REGON {r}");
        prop_assert_eq!(types_at(&e.scan_pii(&text), &text, &r), vec!["PL_REGON".to_string()]);
    }

    #[test]
    fn every_valid_iban_is_found(i in iban(), grouped in any::<bool>()) {
        let e = engine(RedactionMode::Token);
        let shown = if grouped { group4(&i, " ") } else { i };
        let text = format!("Please wire it to {shown} today.");
        prop_assert_eq!(types_at(&e.scan_pii(&text), &text, &shown), vec!["IBAN_CODE".to_string()]);
    }

    #[test]
    fn every_valid_card_is_found(c in card(), style in 0u8..3) {
        let e = engine(RedactionMode::Token);
        let shown = match (style, c.len()) {
            (1, 16) => group4(&c, " "),
            (2, 16) => group4(&c, "-"),
            _ => c,
        };
        let text = format!("my card number is {shown}, thanks");
        prop_assert_eq!(types_at(&e.scan_pii(&text), &text, &shown), vec!["CREDIT_CARD".to_string()]);
    }

    #[test]
    fn random_digit_strings_in_plain_text_are_not_pii(d in "[0-9]{6,19}") {
        let e = engine(RedactionMode::Token);
        let text = format!("The value was {d} at the end of the run.");
        let r = e.scan_pii(&text);
        prop_assert!(r.entities.is_empty(), "{:?}", r.entities);
    }

    #[test]
    fn redaction_leaves_no_fragment_of_a_found_value(
        parts in prop::collection::vec(prop_oneof![
            pesel().prop_map(|p| format!("PESEL {p}")),
            card().prop_map(|c| format!("card {c}")),
            iban(),
            "[a-z]{1,8}@[a-z]{2,8}\\.(com|pl|de)",
            "\\+48 [1-9][0-9]{2} [0-9]{3} [0-9]{3}",
            "[A-Za-zżółćęśąźń ,.!?]{0,30}",
            "[0-9 ./-]{0,20}",
            "\\PC{0,12}",
        ], 1..8),
        mode in prop_oneof![Just(RedactionMode::Token), Just(RedactionMode::Pseudonym)],
    ) {
        let text = parts.join(" ");
        let e = engine(mode);
        let r = e.scan_pii(&text);
        let Some(sanitized) = &r.sanitized_text else {
            prop_assert!(r.entities.is_empty());
            return Ok(());
        };
        // Rebuild: the text outside the spans, and for each span a token made only of the
        // type's token text and hex digits, nothing of the value.
        let mut rest = sanitized.as_str();
        let mut last = 0;
        for ent in &r.entities {
            let outside = &text[last..ent.byte_start];
            prop_assert!(rest.starts_with(outside));
            rest = &rest[outside.len()..];
            let close = rest.find(']').map(|i| i + 1);
            prop_assert!(rest.starts_with('[') && close.is_some(), "token expected at {rest:?}");
            let token = &rest[..close.unwrap_or(0)];
            let value = &text[ent.byte_start..ent.byte_end];
            prop_assert!(!token.contains(value));
            let allowed = token.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_hexdigit() || matches!(c, '[' | ']' | '_'));
            prop_assert!(allowed, "token {token:?}");
            rest = &rest[token.len()..];
            last = ent.byte_end;
        }
        prop_assert_eq!(rest, &text[last..]);
        for ent in &r.entities {
            let value = &text[ent.byte_start..ent.byte_end];
            if value.chars().count() >= 6 {
                prop_assert!(!sanitized.contains(value), "{value:?} survived in {sanitized:?}");
            }
        }
    }

    #[test]
    fn any_utf8_scans_without_panic_and_spans_are_consistent(
        text in prop_oneof!["\\PC{0,200}", ".{0,200}", "[0-9 +()@.:a-fA-F/=-]{0,120}", any::<String>()],
        mode in prop_oneof![Just(RedactionMode::Token), Just(RedactionMode::Mask), Just(RedactionMode::Pseudonym)],
    ) {
        let e = engine(mode);
        let r = e.scan_pii(&text);
        let chars: Vec<char> = text.chars().collect();
        let mut prev_end = 0;
        for ent in &r.entities {
            prop_assert!(ent.byte_start >= prev_end && ent.byte_start < ent.byte_end && ent.byte_end <= text.len());
            prop_assert!(text.is_char_boundary(ent.byte_start) && text.is_char_boundary(ent.byte_end));
            let by_chars: String = chars[ent.start..ent.end].iter().collect();
            prop_assert_eq!(&text[ent.byte_start..ent.byte_end], by_chars.as_str());
            prop_assert!((0.0..=1.0).contains(&ent.score));
            prev_end = ent.byte_end;
        }
        prop_assert_eq!(r.sanitized_text.is_some(), !r.entities.is_empty());
    }
}

/// A small deterministic generator (xorshift64*) so the rates below are reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + (self.next() % 10) as u8))
            .collect()
    }
}

/// False positives per 10,000 random numbers of each length, bare in plain text and right after
/// a context word (where only the check digit stands between a random number and a finding).
#[test]
fn false_positive_rate_per_10k_random_numbers() {
    let e = engine(RedactionMode::Token);
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    const N: usize = 10_000;
    let mut worst_plain = 0;
    println!("length  plain-text FP/10k  after-context-word FP/10k (context word)");
    for len in [7usize, 8, 9, 10, 11, 12, 13, 14, 15, 16, 19] {
        let context = match len {
            9 => "REGON",
            10 => "NIP",
            11 => "PESEL",
            12..=19 => "card number",
            _ => "ref",
        };
        let (mut plain, mut ctx) = (0, 0);
        for _ in 0..N {
            let d = rng.digits(len);
            plain += usize::from(
                !e.scan_pii(&format!("The value was {d} at the end."))
                    .entities
                    .is_empty(),
            );
            ctx += usize::from(!e.scan_pii(&format!("{context} {d}")).entities.is_empty());
        }
        println!("{len:>6}  {plain:>17}  {ctx:>25} ({context})");
        worst_plain = worst_plain.max(plain);
        // After a context word a random number passes only by its check digit (about 1 in 10
        // at worst); far more would mean a validator accepts too much.
        assert!(
            ctx <= N * 12 / 100,
            "length {len}: {ctx} of {N} random numbers reported after {context:?}"
        );
    }
    assert_eq!(
        worst_plain, 0,
        "random numbers in plain text must not be reported"
    );
}
