//! Check-digit and structure validators. Pure functions over digit values or ASCII bytes.
//!
//! Each follows the issuing authority's published rule, including the cases the reference
//! system gets wrong (REGON remainder 10 means 0, an NHS result of 10 is invalid, the PESEL
//! birth date is checked with its century offsets).

/// Luhn (ISO/IEC 7812) over digit values.
pub(crate) fn luhn(digits: &[u8]) -> bool {
    if digits.len() < 2 {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

/// Payment-card issuer ranges (IIN) and the lengths each network issues.
/// Returns the network name when the prefix and length fit a known network.
pub(crate) fn card_network(digits: &[u8]) -> Option<&'static str> {
    let n = digits.len();
    let prefix = |k: usize| -> u32 {
        digits
            .iter()
            .take(k)
            .fold(0u32, |acc, &d| acc * 10 + u32::from(d))
    };
    let (p1, p2, p3, p4, p6) = (prefix(1), prefix(2), prefix(3), prefix(4), prefix(6));
    let len_ok = |lo: usize, hi: usize| (lo..=hi).contains(&n);
    if p1 == 4 && (n == 13 || n == 16 || n == 19) {
        return Some("visa");
    }
    if ((51..=55).contains(&p2) || (2221..=2720).contains(&p4)) && n == 16 {
        return Some("mastercard");
    }
    if (p2 == 34 || p2 == 37) && n == 15 {
        return Some("amex");
    }
    if (p4 == 6011 || (644..=649).contains(&p3) || p2 == 65 || (622126..=622925).contains(&p6))
        && len_ok(16, 19)
    {
        return Some("discover");
    }
    if (3528..=3589).contains(&p4) && len_ok(16, 19) {
        return Some("jcb");
    }
    // Old 15-digit JCB ranges.
    if (p4 == 1800 || p4 == 2131) && n == 15 {
        return Some("jcb");
    }
    if ((300..=305).contains(&p3) || p4 == 3095 || p2 == 36 || p2 == 38 || p2 == 39)
        && len_ok(14, 19)
    {
        return Some("diners");
    }
    if p2 == 62 && len_ok(16, 19) {
        return Some("unionpay");
    }
    if (2200..=2204).contains(&p4) && len_ok(16, 19) {
        return Some("mir");
    }
    if (p2 == 50 || (56..=69).contains(&p2)) && len_ok(12, 19) {
        return Some("maestro");
    }
    // Issuers outside the big networks use the 3x/35xx space with 16 digits too.
    if p2 == 35 && n == 16 {
        return Some("jcb");
    }
    None
}

/// ISO 7064 MOD 97-10 over an alphanumeric string already rearranged (letters A=10 .. Z=35).
pub(crate) fn mod97(chars: impl Iterator<Item = u8>) -> Option<u32> {
    let mut rem: u32 = 0;
    for c in chars {
        match c {
            b'0'..=b'9' => rem = (rem * 10 + u32::from(c - b'0')) % 97,
            b'A'..=b'Z' => rem = (rem * 100 + u32::from(c - b'A' + 10)) % 97,
            b'a'..=b'z' => rem = (rem * 100 + u32::from(c - b'a' + 10)) % 97,
            _ => return None,
        }
    }
    Some(rem)
}

/// IBAN length per country (ISO 13616 registry, SWIFT release 2024/2025).
const IBAN_LENGTHS: &[(&[u8; 2], u8)] = &[
    (b"AD", 24),
    (b"AE", 23),
    (b"AL", 28),
    (b"AT", 20),
    (b"AZ", 28),
    (b"BA", 20),
    (b"BE", 16),
    (b"BG", 22),
    (b"BH", 22),
    (b"BI", 27),
    (b"BR", 29),
    (b"BY", 28),
    (b"CH", 21),
    (b"CR", 22),
    (b"CY", 28),
    (b"CZ", 24),
    (b"DE", 22),
    (b"DJ", 27),
    (b"DK", 18),
    (b"DO", 28),
    (b"EE", 20),
    (b"EG", 29),
    (b"ES", 24),
    (b"FI", 18),
    (b"FK", 18),
    (b"FO", 18),
    (b"FR", 27),
    (b"GB", 22),
    (b"GE", 22),
    (b"GI", 23),
    (b"GL", 18),
    (b"GR", 27),
    (b"GT", 28),
    (b"HN", 28),
    (b"HR", 21),
    (b"HU", 28),
    (b"IE", 22),
    (b"IL", 23),
    (b"IQ", 23),
    (b"IS", 26),
    (b"IT", 27),
    (b"JO", 30),
    (b"KW", 30),
    (b"KZ", 20),
    (b"LB", 28),
    (b"LC", 32),
    (b"LI", 21),
    (b"LT", 20),
    (b"LU", 20),
    (b"LV", 21),
    (b"LY", 25),
    (b"MC", 27),
    (b"MD", 24),
    (b"ME", 22),
    (b"MK", 19),
    (b"MN", 20),
    (b"MR", 27),
    (b"MT", 31),
    (b"MU", 30),
    (b"NI", 28),
    (b"NL", 18),
    (b"NO", 15),
    (b"OM", 23),
    (b"PK", 24),
    (b"PL", 28),
    (b"PS", 29),
    (b"PT", 25),
    (b"QA", 29),
    (b"RO", 24),
    (b"RS", 22),
    (b"RU", 33),
    (b"SA", 24),
    (b"SC", 31),
    (b"SD", 18),
    (b"SE", 24),
    (b"SI", 19),
    (b"SK", 24),
    (b"SM", 27),
    (b"SO", 23),
    (b"ST", 25),
    (b"SV", 28),
    (b"TL", 23),
    (b"TN", 24),
    (b"TR", 26),
    (b"UA", 29),
    (b"VA", 22),
    (b"VG", 24),
    (b"XK", 20),
    (b"YE", 30),
];

/// The registered IBAN length for a country code, if the country issues IBANs.
pub(crate) fn iban_length(country: [u8; 2]) -> Option<usize> {
    IBAN_LENGTHS
        .iter()
        .find(|(c, _)| **c == country)
        .map(|&(_, n)| usize::from(n))
}

/// Full IBAN check on the compact upper-case form: country, registered length, mod-97 == 1.
pub(crate) fn iban(compact: &[u8]) -> bool {
    if compact.len() < 15 || compact.len() > 34 {
        return false;
    }
    let country = [compact[0], compact[1]];
    if !country.iter().all(u8::is_ascii_uppercase) || !compact[2..4].iter().all(u8::is_ascii_digit)
    {
        return false;
    }
    if iban_length(country) != Some(compact.len()) {
        return false;
    }
    let rearranged = compact[4..].iter().chain(compact[..4].iter()).copied();
    mod97(rearranged) == Some(1)
}

/// ISO 3166-1 alpha-2 codes (for BIC country checks).
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN \
BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE \
EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU \
ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY \
MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM \
PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS \
ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS \
XK YE YT ZA ZM ZW";

/// Whether `cc` is an ISO 3166-1 alpha-2 country code.
pub(crate) fn is_country(cc: &[u8]) -> bool {
    cc.len() == 2
        && COUNTRIES
            .as_bytes()
            .chunks(3)
            .any(|c| c[0] == cc[0] && c[1] == cc[1])
}

/// SWIFT/BIC structure (ISO 9362): 4 letters bank, country, 2 alnum location, optional 3 branch.
pub(crate) fn bic(s: &[u8]) -> bool {
    (s.len() == 8 || s.len() == 11)
        && s[..4].iter().all(u8::is_ascii_uppercase)
        && is_country(&s[4..6])
        && s[6..].iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        // Location code "0" in the second position marks a test BIC; letters O/I never appear
        // in real location codes' first char per SWIFT's rules, but are too rare to matter.
        && s[7] != b'O'
}

fn weighted(digits: &[u8], weights: &[u32]) -> u32 {
    digits
        .iter()
        .zip(weights)
        .map(|(&d, &w)| u32::from(d) * w)
        .sum()
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// Whether a calendar date exists.
pub(crate) fn valid_date(year: u32, month: u32, day: u32) -> bool {
    day >= 1 && day <= days_in_month(year, month)
}

/// PESEL: check digit and the encoded birth date (month + 80/0/20/40/60 for the
/// 1800s/1900s/2000s/2100s/2200s).
pub(crate) fn pesel(d: &[u8]) -> bool {
    if d.len() != 11 {
        return false;
    }
    let sum = weighted(d, &[1, 3, 7, 9, 1, 3, 7, 9, 1, 3]);
    if (10 - sum % 10) % 10 != u32::from(d[10]) {
        return false;
    }
    let yy = u32::from(d[0]) * 10 + u32::from(d[1]);
    let mm = u32::from(d[2]) * 10 + u32::from(d[3]);
    let dd = u32::from(d[4]) * 10 + u32::from(d[5]);
    let (century, month) = match mm {
        81..=92 => (1800, mm - 80),
        1..=12 => (1900, mm),
        21..=32 => (2000, mm - 20),
        41..=52 => (2100, mm - 40),
        61..=72 => (2200, mm - 60),
        _ => return false,
    };
    valid_date(century + yy, month, dd)
}

/// NIP (Polish tax id): weights 6,5,7,2,3,4,5,6,7; remainder 10 is never issued.
pub(crate) fn nip(d: &[u8]) -> bool {
    if d.len() != 10 || d[0] == 0 {
        return false;
    }
    let r = weighted(d, &[6, 5, 7, 2, 3, 4, 5, 6, 7]) % 11;
    r != 10 && r == u32::from(d[9])
}

/// REGON-9 and REGON-14. A remainder of 10 gives check digit 0 (the official rule).
pub(crate) fn regon(d: &[u8]) -> bool {
    let check = |digits: &[u8], weights: &[u32]| {
        let r = weighted(digits, weights) % 11;
        (if r == 10 { 0 } else { r }) == u32::from(digits[digits.len() - 1])
    };
    match d.len() {
        9 => check(d, &[8, 9, 2, 3, 4, 5, 6, 7]),
        14 => {
            check(&d[..9], &[8, 9, 2, 3, 4, 5, 6, 7])
                && check(d, &[2, 4, 8, 5, 0, 9, 7, 3, 6, 1, 2, 4, 8])
        }
        _ => false,
    }
}

fn letter_value(c: u8) -> Option<u32> {
    match c {
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        _ => None,
    }
}

/// Polish ID card (dowód osobisty): 3 letters + 6 digits, the first digit is the check digit
/// (weights 7,3,1,_,7,3,1,7,3, letters A=10).
pub(crate) fn pl_id_card(s: &[u8]) -> bool {
    if s.len() != 9 || !s[..3].iter().all(u8::is_ascii_uppercase) {
        return false;
    }
    if !s[3..].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let weights = [7, 3, 1, 0, 7, 3, 1, 7, 3];
    let mut sum = 0;
    for (&c, &w) in s.iter().zip(&weights) {
        match letter_value(c) {
            Some(v) => sum += v * w,
            None => return false,
        }
    }
    sum % 10 == u32::from(s[3] - b'0')
}

/// Polish passport: 2 letters + 7 digits, the first digit is the check digit
/// (weights 7,3,_,1,7,3,1,7,3, letters A=10).
pub(crate) fn pl_passport(s: &[u8]) -> bool {
    if s.len() != 9 || !s[..2].iter().all(u8::is_ascii_uppercase) {
        return false;
    }
    if !s[2..].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let weights = [7, 3, 0, 1, 7, 3, 1, 7, 3];
    let mut sum = 0;
    for (&c, &w) in s.iter().zip(&weights) {
        match letter_value(c) {
            Some(v) => sum += v * w,
            None => return false,
        }
    }
    sum % 10 == u32::from(s[2] - b'0')
}

/// US SSN: area not 000, 666 or 9xx; group not 00; serial not 0000; not a famous sample number.
pub(crate) fn ssn(d: &[u8]) -> bool {
    if d.len() != 9 {
        return false;
    }
    let num = |r: std::ops::Range<usize>| d[r].iter().fold(0u32, |a, &x| a * 10 + u32::from(x));
    let (area, group, serial) = (num(0..3), num(3..5), num(5..9));
    if area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0 {
        return false;
    }
    let whole = num(0..9);
    // Woolworth's wallet card, the 1962 advertising number, and the textbook example.
    !matches!(whole, 78_051_120 | 219_099_999 | 457_555_462 | 123_456_789)
}

/// UK NHS number: weights 10..2, check = 11 - (sum mod 11); 11 means 0 and 10 is invalid.
pub(crate) fn nhs(d: &[u8]) -> bool {
    if d.len() != 10 {
        return false;
    }
    let sum = weighted(d, &[10, 9, 8, 7, 6, 5, 4, 3, 2]);
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return false,
        c => c,
    };
    check == u32::from(d[9])
}

/// UK National Insurance number (without spaces, upper case): prefix rules and suffix A-D.
pub(crate) fn nino(s: &[u8]) -> bool {
    if s.len() != 9 {
        return false;
    }
    let (a, b) = (s[0], s[1]);
    if !a.is_ascii_uppercase() || !b.is_ascii_uppercase() {
        return false;
    }
    if b"DFIQUV".contains(&a) || b"DFIOQUV".contains(&b) {
        return false;
    }
    if [b"BG", b"GB", b"NK", b"KN", b"TN", b"NT", b"ZZ"]
        .iter()
        .any(|p| p[..] == s[..2])
    {
        return false;
    }
    s[2..8].iter().all(u8::is_ascii_digit) && (b'A'..=b'D').contains(&s[8])
}

/// German tax id (Steuerliche Identifikationsnummer): first digit not 0; in the first ten digits
/// exactly one digit occurs twice or three times (three never in a row) and the rest at most
/// once; ISO 7064 MOD 11,10 check digit.
pub(crate) fn de_tax_id(d: &[u8]) -> bool {
    if d.len() != 11 || d[0] == 0 {
        return false;
    }
    let mut counts = [0u8; 10];
    for &x in &d[..10] {
        counts[usize::from(x)] += 1;
    }
    let multi: Vec<u8> = counts.iter().copied().filter(|&c| c > 1).collect();
    if multi.len() != 1 || multi[0] > 3 {
        return false;
    }
    if multi[0] == 3 && d[..10].windows(3).any(|w| w[0] == w[1] && w[1] == w[2]) {
        return false;
    }
    let mut product: u32 = 10;
    for &x in &d[..10] {
        let mut sum = (u32::from(x) + product) % 10;
        if sum == 0 {
            sum = 10;
        }
        product = (sum * 2) % 11;
    }
    let check = (11 - product) % 10;
    check == u32::from(d[10])
}

/// French NIR (numéro de sécurité sociale), 15 digits, mainland departments: sex digit,
/// birth month 01-12 or the 20/30-42/50-99 placeholders, key = 97 - (first 13 mod 97).
pub(crate) fn fr_nir(d: &[u8]) -> bool {
    if d.len() != 15 || !matches!(d[0], 1 | 2 | 3 | 4 | 7 | 8) {
        return false;
    }
    let month = u32::from(d[3]) * 10 + u32::from(d[4]);
    if !matches!(month, 1..=12 | 20 | 30..=42 | 50..=99) {
        return false;
    }
    let n13 = d[..13].iter().fold(0u64, |a, &x| a * 10 + u64::from(x));
    let key = u64::from(d[13]) * 10 + u64::from(d[14]);
    97 - n13 % 97 == key
}

/// Dutch BSN (burgerservicenummer): the "11-proef", weights 9..2 and -1.
pub(crate) fn nl_bsn(d: &[u8]) -> bool {
    if d.len() != 9 || d.iter().all(|&x| x == 0) {
        return false;
    }
    let sum: i32 = d[..8]
        .iter()
        .zip((2..=9).rev())
        .map(|(&x, w)| i32::from(x) * w)
        .sum::<i32>()
        - i32::from(d[8]);
    sum % 11 == 0
}

/// Swedish personnummer / samordningsnummer: YYMMDD (day + 60 for coordination numbers) or
/// YYYYMMDD, then 3 digits and a Luhn check over the 10-digit form.
pub(crate) fn se_personnummer(d: &[u8]) -> bool {
    let ten = match d.len() {
        10 => d,
        12 => {
            let century = u32::from(d[0]) * 10 + u32::from(d[1]);
            if !(18..=20).contains(&century) {
                return false;
            }
            &d[2..]
        }
        _ => return false,
    };
    let two = |i: usize| u32::from(ten[i]) * 10 + u32::from(ten[i + 1]);
    let (yy, mm, mut dd) = (two(0), two(2), two(4));
    if dd > 60 {
        dd -= 60;
    }
    let date_ok = valid_date(2000 + yy, mm, dd) || valid_date(1900 + yy, mm, dd);
    date_ok && luhn(ten)
}

const DNI_LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";

/// Spanish DNI (8 digits + letter) and NIE (X/Y/Z + 7 digits + letter), upper case, compact.
pub(crate) fn es_dni(s: &[u8]) -> bool {
    if s.len() != 9 {
        return false;
    }
    let lead = match s[0] {
        b'X' => 0,
        b'Y' => 1,
        b'Z' => 2,
        c if c.is_ascii_digit() => u32::from(c - b'0'),
        _ => return false,
    };
    if !s[1..8].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let n = s[1..8]
        .iter()
        .fold(lead, |a, &c| a * 10 + u32::from(c - b'0'));
    DNI_LETTERS.get((n % 23) as usize) == Some(&s[8])
}

/// Italian codice fiscale (16 chars, upper case), including omocodia substitutions.
pub(crate) fn it_fiscal_code(s: &[u8]) -> bool {
    if s.len() != 16 {
        return false;
    }
    const OMOCODIA: &[u8; 10] = b"LMNPQRSTUV";
    let digit_at = |i: usize| -> Option<u32> {
        let c = s[i];
        if c.is_ascii_digit() {
            Some(u32::from(c - b'0'))
        } else {
            OMOCODIA.iter().position(|&o| o == c).map(|p| p as u32)
        }
    };
    if !s[..6].iter().all(u8::is_ascii_uppercase) || !s[8].is_ascii_uppercase() {
        return false;
    }
    if !b"ABCDEHLMPRST".contains(&s[8]) || !s[11].is_ascii_uppercase() {
        return false;
    }
    let mut digits = [0u32; 7];
    for (k, i) in [6, 7, 9, 10, 12, 13, 14].into_iter().enumerate() {
        match digit_at(i) {
            Some(v) => digits[k] = v,
            None => return false,
        }
    }
    let day = digits[2] * 10 + digits[3];
    if !(1..=31).contains(&day) && !(41..=71).contains(&day) {
        return false;
    }
    const ODD: [u32; 26] = [
        1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24,
        23,
    ];
    let mut sum = 0;
    for (i, &c) in s[..15].iter().enumerate() {
        let v = if c.is_ascii_digit() {
            usize::from(c - b'0')
        } else if c.is_ascii_uppercase() {
            usize::from(c - b'A')
        } else {
            return false;
        };
        // Positions are 1-based in the standard: odd positions use the ODD table.
        sum += if i % 2 == 0 { ODD[v] } else { v as u32 };
    }
    s[15] == b'A' + (sum % 26) as u8
}

/// Phone-number sanity: not one repeated digit, not an ascending or descending run.
pub(crate) fn phone_plausible(d: &[u8]) -> bool {
    if d.len() < 6 {
        return false;
    }
    let same = d.iter().all(|&x| x == d[0]);
    let up = d.windows(2).all(|w| (w[0] + 1) % 10 == w[1]);
    let down = d.windows(2).all(|w| (w[1] + 1) % 10 == w[0]);
    !(same || up || down)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ds(s: &str) -> Vec<u8> {
        s.bytes()
            .filter(u8::is_ascii_digit)
            .map(|b| b - b'0')
            .collect()
    }

    #[test]
    fn luhn_and_networks() {
        assert!(luhn(&ds("4111111111111111")));
        assert!(!luhn(&ds("4111111111111112")));
        assert_eq!(card_network(&ds("4111111111111111")), Some("visa"));
        assert_eq!(card_network(&ds("378282246310005")), Some("amex"));
        assert_eq!(card_network(&ds("2720418695252980")), Some("mastercard"));
        assert_eq!(card_network(&ds("1234567812345670")), None);
    }

    #[test]
    fn iban_checks_length_table_and_mod97() {
        assert!(iban(b"GB82WEST12345698765432"));
        assert!(iban(b"PL61109010140000071219812874"));
        assert!(iban(b"DE89370400440532013000"));
        assert!(!iban(b"GB82WEST12345698765433"));
        // Right checksum shape but wrong length for the country.
        assert!(!iban(b"PL6110901014000007121981287"));
    }

    #[test]
    fn pesel_checks_date_and_century() {
        assert!(pesel(&ds("44051401359")));
        assert!(pesel(&ds("02271409867"))); // 2002-07-14
        assert!(!pesel(&ds("44051401358")));
        // Valid check digit, impossible date (month 13).
        let mut d = ds("44131401350");
        let s = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3]
            .iter()
            .zip(&d)
            .map(|(w, &x)| w * u32::from(x))
            .sum::<u32>();
        d[10] = ((10 - s % 10) % 10) as u8;
        assert!(!pesel(&d));
    }

    #[test]
    fn regon_remainder_ten_is_zero() {
        assert!(regon(&ds("123456785")));
        // 10000000 + weights: sum = 8*1 = 8 -> check 8
        assert!(regon(&ds("100000008")));
        // sum % 11 == 10 -> check digit 0: 8*0+9*0+2*0+3*0+4*0+5*2 = 10
        assert!(regon(&ds("000002000")));
        assert!(!regon(&ds("000002001")));
        assert!(regon(&ds("12345678512347")));
    }

    #[test]
    fn nip_and_nhs() {
        assert!(nip(&ds("1234563218")));
        assert!(!nip(&ds("1234563219")));
        assert!(nhs(&ds("9434765919")));
        assert!(!nhs(&ds("9434765918")));
    }

    #[test]
    fn ids() {
        assert!(pl_id_card(b"ABA300000"));
        assert!(!pl_id_card(b"ABA400000"));
        assert!(ssn(&ds("054286917")));
        assert!(!ssn(&ds("666286917")));
        assert!(!ssn(&ds("954286917")));
        assert!(nino(b"AB123456C"));
        assert!(!nino(b"BG123456C"));
        assert!(de_tax_id(&ds("86095742719")));
        assert!(!de_tax_id(&ds("86095742718")));
        assert!(es_dni(b"12345678Z"));
        assert!(es_dni(b"X1234567L"));
        assert!(!es_dni(b"12345678A"));
        assert!(it_fiscal_code(b"RSSMRA85T10A562S"));
        assert!(!it_fiscal_code(b"RSSMRA85T10A562T"));
        assert!(fr_nir(&ds("185057800608491")));
        assert!(nl_bsn(&ds("111222333")));
        assert!(!nl_bsn(&ds("111222334")));
        assert!(se_personnummer(&ds("8112189876")));
        assert!(se_personnummer(&ds("198112189876")));
        assert!(!se_personnummer(&ds("8112189875")));
        assert!(bic(b"DEUTDEFF"));
        assert!(bic(b"BPKOPLPWXXX"));
        assert!(!bic(b"DEUTXXFF"));
    }
}
