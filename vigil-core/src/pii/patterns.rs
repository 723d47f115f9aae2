//! Entities with letters in them: e-mail, URL, IPv6, MAC, IBAN, BIC, letter-bearing national
//! ids, and secrets. Each has a linear-time pattern (regex-automata) that proposes a span and a
//! validator in code that accepts, trims or rejects it.

use regex_automata::meta::Regex;

use crate::rules::{Literals, automaton, required_literals};

use super::checksum as ck;
use super::context::{boundary_after, boundary_before, group};
use super::{Candidate, Kind};

/// What to do with a pattern's match.
#[derive(Debug, Clone, Copy)]
enum Handler {
    IbanStart,
    Bic,
    Nino,
    PlIdCard,
    PlPassport,
    EsDni,
    ItFiscalCode,
    Mac,
    Ipv6,
    Url,
    /// A secret whose whole match is the value.
    Token(Kind, f32),
    Jwt,
    PemBegin,
    /// `key = value`: the value after the match is the secret.
    Assignment(Kind, usize),
    /// `scheme://user:password@`: the password is the secret.
    ConnectionString,
}

/// What a text must hold before a pattern is worth a search: a necessary condition of the
/// pattern and its handler together ([`Patterns::shape`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gate {
    /// One of the literals every match contains (`sk-`, `://`, `password`): one
    /// Aho-Corasick pass finds them for all such patterns, where each pattern's own
    /// prefilter would be a pass of its own.
    Literals,
    /// Two letters opening a word, then two digits (an IBAN's start).
    CountryDigits,
    /// A word of two capitals, then a digit, a space between allowed.
    TwoCapsDigit,
    /// A word of two or three capitals, then six digits, a space between allowed.
    CapsSixDigits,
    /// A whole word of ASCII letters and digits, 8, 11 or 16 long, opening with six capitals.
    CapsWord,
    /// Seven or more digits, then a capital, a dash between allowed.
    DigitsCap,
    /// `hh:hh:hh:hh:hh:hh` (or with `-`) or `hhhh.hhhh.hhhh`: hex joins at a MAC's spacing.
    HexChain,
    /// Two colons with only hex digits between them.
    HexColons,
    /// `=` or `:` after a word ending in "secret", "key" or "token" (quote and spaces between).
    SecretKey,
}

impl Gate {
    const fn bit(self) -> u16 {
        1 << self as u16
    }
}

/// Which gates a text opens: a bit per [`Gate`] (found in one byte pass, [`Shape::gates`]),
/// and for [`Gate::Literals`] a bit per recognizer whose literals occur.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Shape {
    gates: u16,
    literals: u32,
}

/// The last of a chain of hex joins evenly spaced (`aa:bb:cc`, `aaaa.bbbb.cccc`).
#[derive(Default)]
struct Chain {
    at: usize,
    len: usize,
}

impl Chain {
    /// A join at `i`; true once `needed` joins lie `step` bytes apart.
    fn join(&mut self, i: usize, step: usize, needed: usize) -> bool {
        self.len = if self.len > 0 && i == self.at + step {
            self.len + 1
        } else {
            1
        };
        self.at = i;
        self.len >= needed
    }
}

impl Shape {
    #[cfg(test)]
    const ALL: Shape = Shape {
        gates: u16::MAX,
        literals: u32::MAX,
    };

    fn gates(text: &str) -> u16 {
        // Only digits, capitals and `: - . =` can open a gate; other bytes cost one lookup.
        const WAKES: [bool; 256] = {
            let mut t = [false; 256];
            let mut c = 0;
            while c < 256 {
                let b = c as u8;
                t[c] = b.is_ascii_digit()
                    || b.is_ascii_uppercase()
                    || matches!(b, b':' | b'-' | b'.' | b'=');
                c += 1;
            }
            t
        };
        let b = text.as_bytes();
        let at = |i: Option<usize>| i.and_then(|i| b.get(i)).copied().unwrap_or(0);
        // Whether a word may start at `i`: no ASCII letter or digit right before it.
        let word_start = |i: usize| !at(i.checked_sub(1)).is_ascii_alphanumeric();
        let all_hex = |r: std::ops::Range<usize>| {
            b.get(r)
                .is_some_and(|s| s.iter().all(u8::is_ascii_hexdigit))
        };
        let mut open = 0;
        let (mut pairs, mut quads) = (Chain::default(), Chain::default());
        for (i, &c) in b.iter().enumerate() {
            if !WAKES[c as usize] {
                continue;
            }
            let before = at(i.checked_sub(1));
            match c {
                // Gates on digits are decided at the first digit of a run.
                b'0'..=b'9' if !before.is_ascii_digit() => {
                    let digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
                    if digits >= 2
                        && i >= 2
                        && before.is_ascii_alphabetic()
                        && b[i - 2].is_ascii_alphabetic()
                        && word_start(i - 2)
                    {
                        open |= Gate::CountryDigits.bit();
                    }
                    // The word of capitals before the digits, a space between allowed.
                    let end = if before == b' ' { i - 1 } else { i };
                    let caps = b[..end]
                        .iter()
                        .rev()
                        .take(4)
                        .take_while(|c| c.is_ascii_uppercase())
                        .count();
                    if (2..=3).contains(&caps) && word_start(end - caps) {
                        if caps == 2 {
                            open |= Gate::TwoCapsDigit.bit();
                        }
                        if digits >= 6 {
                            open |= Gate::CapsSixDigits.bit();
                        }
                    }
                    let after = at(Some(i + digits));
                    if digits >= 7
                        && (after.is_ascii_uppercase()
                            || (after == b'-' && at(Some(i + digits + 1)).is_ascii_uppercase()))
                    {
                        open |= Gate::DigitsCap.bit();
                    }
                }
                // At a word's start: does the word open with six capitals, and is it of a
                // length a BIC or fiscal code has?
                b'A'..=b'Z'
                    if word_start(i)
                        && b.len() - i >= 8
                        && b[i..i + 6].iter().all(u8::is_ascii_uppercase) =>
                {
                    let len = b[i..]
                        .iter()
                        .take(17)
                        .take_while(|c| c.is_ascii_alphanumeric())
                        .count();
                    if matches!(len, 8 | 11 | 16) {
                        open |= Gate::CapsWord.bit();
                    }
                }
                b':' | b'-' | b'.' | b'=' => {
                    let chained = match c {
                        b'.' => {
                            all_hex(i.saturating_sub(4)..i)
                                && i >= 4
                                && all_hex(i + 1..i + 5)
                                && quads.join(i, 5, 2)
                        }
                        b'=' => false,
                        _ => {
                            all_hex(i.saturating_sub(2)..i)
                                && i >= 2
                                && all_hex(i + 1..i + 3)
                                && pairs.join(i, 3, 5)
                        }
                    };
                    if chained {
                        open |= Gate::HexChain.bit();
                    }
                    if c == b':' {
                        // Back over the hex digits before this colon (each run is walked
                        // once: it ends here) to another colon.
                        let hex = b[..i]
                            .iter()
                            .rev()
                            .take_while(|c| c.is_ascii_hexdigit())
                            .count();
                        if at((i - hex).checked_sub(1)) == b':' {
                            open |= Gate::HexColons.bit();
                        }
                    }
                    if matches!(c, b':' | b'=') && secret_key_before(&text[..i]) {
                        open |= Gate::SecretKey.bit();
                    }
                }
                _ => {}
            }
        }
        open
    }

    /// Whether recognizer `i`, gated on `gate`, is worth a search.
    fn opens(self, i: usize, gate: Gate) -> bool {
        match gate {
            Gate::Literals => self.literals & (1 << i) != 0,
            _ => self.gates & gate.bit() != 0,
        }
    }
}

/// Whether `before` ends with a word ending in "secret", "key" or "token", then at most one
/// quote, then white space: what the secret-assignment pattern needs before its `=` or `:`.
fn secret_key_before(before: &str) -> bool {
    let mut s = before.trim_end();
    if let Some(rest) = s.strip_suffix(['"', '\'']) {
        s = rest;
    }
    let b = s.as_bytes();
    ["secret", "key", "token"]
        .iter()
        .any(|w| b.len() >= w.len() && b[b.len() - w.len()..].eq_ignore_ascii_case(w.as_bytes()))
}

#[derive(Debug, Clone)]
struct Recognizer {
    regex: Regex,
    gate: Gate,
    handler: Handler,
}

/// Compiled built-in patterns.
#[derive(Debug, Clone)]
pub(crate) struct Patterns {
    recognizers: Vec<Recognizer>,
    /// The literals of the [`Gate::Literals`] recognizers, and per literal the recognizers
    /// it opens (a bit each).
    literals: Option<Literals>,
    opened_by: Vec<u32>,
    /// [`Gate::Literals`] recognizers without a literal specific enough: always searched.
    unlit: u32,
}

const SPECS: &[(&str, Gate, Handler)] = &[
    // Lower case too ("pl61 1090 ..."): the length table and mod-97 keep it precise.
    (
        r"[A-Za-z]{2}[0-9]{2}",
        Gate::CountryDigits,
        Handler::IbanStart,
    ),
    (
        r"[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?",
        Gate::CapsWord,
        Handler::Bic,
    ),
    (
        r"[A-Z]{2} ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D]",
        Gate::TwoCapsDigit,
        Handler::Nino,
    ),
    (
        r"[A-Z]{3} ?[0-9]{6}",
        Gate::CapsSixDigits,
        Handler::PlIdCard,
    ),
    (
        r"[A-Z]{2} ?[0-9]{7}",
        Gate::CapsSixDigits,
        Handler::PlPassport,
    ),
    (
        r"(?:[0-9]{8}|[XYZ]-?[0-9]{7})-?[A-Z]",
        Gate::DigitsCap,
        Handler::EsDni,
    ),
    (
        r"[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]",
        Gate::CapsWord,
        Handler::ItFiscalCode,
    ),
    (
        r"[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}",
        Gate::HexChain,
        Handler::Mac,
    ),
    (
        r"[0-9A-Fa-f:]*:[0-9A-Fa-f]*:[0-9A-Fa-f:.]*",
        Gate::HexColons,
        Handler::Ipv6,
    ),
    (r"(?i:https?://|ftp://|www\.)", Gate::Literals, Handler::Url),
    (
        r"(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}",
        Gate::Literals,
        Handler::Token(Kind::AwsAccessKey, 0.95),
    ),
    (
        r"(?i:aws_?secret_?access_?key|aws_?secret)[\x22']?\s*(?:=|:|=>)\s*[\x22']?",
        Gate::Literals,
        Handler::Assignment(Kind::AwsSecretKey, 40),
    ),
    (
        r"gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255}",
        Gate::Literals,
        Handler::Token(Kind::GithubToken, 0.98),
    ),
    (
        r"xox[abposr]-[A-Za-z0-9-]{10,250}|https://hooks\.slack\.com/services/[A-Za-z0-9_/]{20,120}",
        Gate::Literals,
        Handler::Token(Kind::SlackToken, 0.97),
    ),
    (
        r"(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,247}|whsec_[A-Za-z0-9]{24,64}",
        Gate::Literals,
        Handler::Token(Kind::StripeKey, 0.97),
    ),
    (
        r"sk-[A-Za-z0-9_\-]{20,300}",
        Gate::Literals,
        Handler::Token(Kind::OpenaiApiKey, 0.9),
    ),
    (
        r"AIza[0-9A-Za-z_\-]{35}",
        Gate::Literals,
        Handler::Token(Kind::GoogleApiKey, 0.95),
    ),
    (
        r"eyJ[A-Za-z0-9_\-]{5,2000}\.[A-Za-z0-9_\-]{5,8000}\.[A-Za-z0-9_\-]{10,2000}",
        Gate::Literals,
        Handler::Jwt,
    ),
    (
        r"-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----",
        Gate::Literals,
        Handler::PemBegin,
    ),
    (
        r"(?i:password|passwd|passphrase|pwd|pass|hasło|haslo|kennwort|passwort|contraseña|mot de passe)[\x22']?\s*(?:=|:=|=>|:)\s*",
        Gate::Literals,
        Handler::Assignment(Kind::Password, 0),
    ),
    (
        r"(?i:password\s+(?:is|was)|has(?:l|ł)o\s+(?:to|jest|brzmi)|passwort\s+(?:ist|lautet))\s*:?\s*",
        Gate::Literals,
        Handler::Assignment(Kind::Password, 1),
    ),
    (
        r"(?i-u:client_?secret|secret_?key|secret|api_?key|apikey|access_?token|auth_?token|refresh_?token|private_?token|token)[\x22']?\s*(?:=|:=|=>|:)\s*",
        Gate::SecretKey,
        Handler::Assignment(Kind::Secret, 2),
    ),
    (
        r"(?i:bearer)\s+",
        Gate::Literals,
        Handler::Assignment(Kind::Secret, 3),
    ),
    (
        r"[A-Za-z][A-Za-z0-9+.\-]{1,20}://[^\s:/@]{1,64}:[^\s@/]{1,128}@",
        Gate::Literals,
        Handler::ConnectionString,
    ),
];

/// Longest value taken after `password=` and the like.
const MAX_VALUE_CHARS: usize = 256;
/// Longest URL taken (longer ones are cut, still redacted up to here).
const MAX_URL_BYTES: usize = 4096;
/// How far after a BEGIN line its END line is looked for.
const MAX_PEM_BYTES: usize = 16 * 1024;

/// The largest char boundary at or below `i` (clamped to the text).
fn floor_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn alnum_boundaries(text: &str, s: usize, e: usize) -> bool {
    boundary_before(text, s) && boundary_after(text, e)
}

fn compact_upper(s: &str) -> Vec<u8> {
    s.bytes()
        .filter(|b| b.is_ascii_alphanumeric())
        .map(|b| b.to_ascii_uppercase())
        .collect()
}

/// Decode base64url (no padding) into bytes; `None` on a bad char.
fn base64url(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// The value that follows a `key = ` match: quoted, or up to whitespace/delimiter.
fn assignment_value(text: &str, from: usize) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let first = *b.get(from)?;
    let (s, e) = if first == b'"' || first == b'\'' || first == b'`' {
        let s = from + 1;
        let len = b[s..]
            .iter()
            .take(MAX_VALUE_CHARS)
            .position(|&c| c == first || c == b'\n')?;
        if b[s + len] != first {
            return None;
        }
        (s, s + len)
    } else {
        // Up to a delimiter, or MAX_VALUE_CHARS chars (what follows is redacted no further).
        let mut len = 0;
        for (i, c) in text[from..].char_indices().take(MAX_VALUE_CHARS) {
            if c.is_whitespace()
                || matches!(
                    c,
                    ';' | ',' | '&' | '"' | '\'' | '<' | '>' | ')' | '}' | ']'
                )
            {
                break;
            }
            len = i + c.len_utf8();
        }
        let mut e = from + len;
        // A sentence-final period is punctuation, not part of the secret.
        while e > from && matches!(b[e - 1], b'.' | b'!' | b'?' | b':') {
            e -= 1;
        }
        (from, e)
    };
    let v = &text[s..e];
    // Code reads a password rather than containing one: `input()`, `form['password']`,
    // `self.db_password`, `os.environ`.
    let code = v.contains(['(', '[', '{'])
        || (v.contains('.')
            && v.chars()
                .all(|c| c.is_ascii_alphabetic() || c == '_' || c == '.'));
    let placeholder = v.is_empty()
        || code
        || v.starts_with(['$', '{', '<', '%', '*', '[', '('])
        || v.chars()
            .all(|c| c == '*' || c == 'x' || c == 'X' || c == '.')
        || matches!(
            v.to_ascii_lowercase().as_str(),
            "null"
                | "none"
                | "nil"
                | "true"
                | "false"
                | "undefined"
                | "required"
                | "optional"
                | "string"
                | "str"
                | "text"
                | "int"
                | "bool"
                | "password"
                | "secret"
                | "token"
                | "redacted"
        );
    (!placeholder).then_some((s, e))
}

impl Patterns {
    pub(crate) fn new() -> Result<Self, String> {
        const { assert!(SPECS.len() <= 32, "a recognizer bit each in a u32") };
        let recognizers: Vec<Recognizer> = SPECS
            .iter()
            .map(|&(p, gate, handler)| {
                Regex::new(p)
                    .map(|regex| Recognizer {
                        regex,
                        gate,
                        handler,
                    })
                    .map_err(|e| format!("built-in pattern {p}: {e}"))
            })
            .collect::<Result<_, _>>()?;
        let mut literals: Vec<Vec<u8>> = Vec::new();
        let mut opened_by: Vec<u32> = Vec::new();
        let mut unlit = 0;
        for (i, &(p, gate, _)) in SPECS.iter().enumerate() {
            if gate != Gate::Literals {
                continue;
            }
            match required_literals(p) {
                Some(lits) => {
                    for lit in lits {
                        let k = literals.iter().position(|l| *l == lit).unwrap_or_else(|| {
                            literals.push(lit);
                            opened_by.push(0);
                            literals.len() - 1
                        });
                        opened_by[k] |= 1 << i;
                    }
                }
                None => unlit |= 1 << i,
            }
        }
        let literals =
            automaton(&literals, true, "pii", "built-in literals").map_err(|e| e.to_string())?;
        Ok(Patterns {
            recognizers,
            literals,
            opened_by,
            unlit,
        })
    }

    /// The gates `text` opens.
    fn shape(&self, text: &str) -> Shape {
        let mut literals = self.unlit;
        if let Some(automaton) = &self.literals {
            automaton.each_in(text, |k, _, _| literals |= self.opened_by[k]);
        }
        Shape {
            gates: Shape::gates(text),
            literals,
        }
    }

    pub(crate) fn scan(&self, text: &str, out: &mut Vec<Candidate>) {
        self.scan_shaped(text, self.shape(text), out);
    }

    fn scan_shaped(&self, text: &str, shape: Shape, out: &mut Vec<Candidate>) {
        for (i, r) in self.recognizers.iter().enumerate() {
            if !shape.opens(i, r.gate) {
                continue;
            }
            // Matches inside a span a handler already walked over are skipped, so that
            // scanning forward from each match ("www.www.www...") stays linear.
            let mut covered = 0;
            for m in r.regex.find_iter(text) {
                if m.is_empty() || m.start() < covered {
                    continue;
                }
                handle(r.handler, text, m.start(), m.end(), out, &mut covered);
            }
        }
        emails(text, out);
    }
}

fn handle(
    h: Handler,
    text: &str,
    s: usize,
    e: usize,
    out: &mut Vec<Candidate>,
    covered: &mut usize,
) {
    let b = text.as_bytes();
    let m = &text[s..e];
    match h {
        Handler::IbanStart => {
            if !boundary_before(text, s) {
                return;
            }
            let country = [b[s].to_ascii_uppercase(), b[s + 1].to_ascii_uppercase()];
            let Some(len) = ck::iban_length(country) else {
                return;
            };
            // Collect `len` alphanumerics, allowing one space or dash between them.
            let mut compact = Vec::with_capacity(len);
            let mut i = s;
            while i < b.len() && compact.len() < len {
                let c = b[i];
                if c.is_ascii_alphanumeric() {
                    compact.push(c.to_ascii_uppercase());
                    i += 1;
                } else if (c == b' ' || c == b'-')
                    && !compact.is_empty()
                    && b.get(i + 1).is_some_and(u8::is_ascii_alphanumeric)
                {
                    i += 1;
                } else {
                    break;
                }
            }
            if compact.len() == len && boundary_after(text, i) && ck::iban(&compact) {
                out.push(Candidate::new(Kind::IbanCode, s, i, 0.95, group::BANK));
            }
        }
        Handler::Bic => {
            if alnum_boundaries(text, s, e) && ck::bic(m.as_bytes()) {
                // An all-letter 8-char word ("BUSINESS") is a BIC only next to "SWIFT"/"BIC".
                let wordlike = m.len() == 8 && m.bytes().all(|c| c.is_ascii_uppercase());
                let (score, ctx) = if wordlike {
                    (0.2, group::SWIFT)
                } else {
                    (0.35, group::BANK)
                };
                let mut c = Candidate::new(Kind::SwiftCode, s, e, score, ctx);
                c.boost = 0.5;
                out.push(c);
            }
        }
        Handler::Nino => {
            if alnum_boundaries(text, s, e) && ck::nino(&compact_upper(m)) {
                let mut c = Candidate::new(Kind::UkNino, s, e, 0.65, group::NINO);
                c.boost = 0.3;
                out.push(c);
            }
        }
        Handler::PlIdCard => {
            if alnum_boundaries(text, s, e) && ck::pl_id_card(&compact_upper(m)) {
                out.push(Candidate::new(Kind::PlIdCard, s, e, 0.5, group::ID_CARD));
            }
        }
        Handler::PlPassport => {
            if alnum_boundaries(text, s, e) && ck::pl_passport(&compact_upper(m)) {
                out.push(Candidate::new(
                    Kind::PlPassport,
                    s,
                    e,
                    0.35,
                    group::PASSPORT,
                ));
            }
        }
        Handler::EsDni => {
            if alnum_boundaries(text, s, e) && ck::es_dni(&compact_upper(m)) {
                let mut c = Candidate::new(Kind::EsDni, s, e, 0.6, group::ES_DNI);
                c.boost = 0.3;
                out.push(c);
            }
        }
        Handler::ItFiscalCode => {
            if alnum_boundaries(text, s, e) && ck::it_fiscal_code(m.as_bytes()) {
                let mut c = Candidate::new(Kind::ItFiscalCode, s, e, 0.85, group::IT_CF);
                c.boost = 0.15;
                out.push(c);
            }
        }
        Handler::Mac => {
            let before_ok = text[..s]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_ascii_hexdigit() && !matches!(c, ':' | '-' | '.'));
            let after_ok = text[e..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_ascii_hexdigit() && c != ':' && c != '-');
            if before_ok && after_ok && boundary_before(text, s) && boundary_after(text, e) {
                out.push(Candidate::new(Kind::MacAddress, s, e, 0.75, group::IP));
            }
        }
        Handler::Ipv6 => {
            let mut e = e;
            while e > s && b[e - 1] == b'.' {
                e -= 1;
            }
            let m = &text[s..e];
            if !boundary_before(text, s) || !boundary_after(text, e) {
                return;
            }
            if m.parse::<std::net::Ipv6Addr>().is_err() {
                return;
            }
            let full = !m.contains("::");
            // Compressed forms like `dead::beef` also read as code; ask for a digit.
            if !full && !m.bytes().any(|c| c.is_ascii_digit()) {
                return;
            }
            let score = if m == "::" || m == "::1" {
                0.3
            } else if full {
                0.8
            } else {
                0.6
            };
            let mut c = Candidate::new(Kind::IpAddress, s, e, score, group::IP);
            c.boost = 0.2;
            out.push(c);
        }
        Handler::Url => {
            if !boundary_before(text, s) {
                return;
            }
            // Up to whitespace, a quote or bracket that is not part of the URL, or a closing
            // bracket without its opening one (markdown `[text](url)`).
            let mut end = text.len();
            let (mut parens, mut squares) = (0i32, 0i32);
            for (i, c) in text[s..].char_indices() {
                let stop = match c {
                    '(' => {
                        parens += 1;
                        false
                    }
                    '[' => {
                        squares += 1;
                        false
                    }
                    ')' => {
                        parens -= 1;
                        parens < 0
                    }
                    ']' => {
                        squares -= 1;
                        squares < 0
                    }
                    c if c.is_whitespace() => true,
                    '<' | '>' | '"' | '`' | '\'' | '{' | '}' | '|' | '\\' | '^' | '“' | '”'
                    | '‘' | '’' | '«' | '»' => true,
                    _ => false,
                };
                // Bounded so that a hostile run of "www.www.www..." stays linear.
                if stop || i >= MAX_URL_BYTES {
                    end = s + i;
                    break;
                }
            }
            *covered = end;
            // Trailing punctuation is prose, not URL.
            while let Some(last) = text[s..end].chars().next_back() {
                if matches!(last, '.' | ',' | ';' | ':' | '!' | '?' | '*' | '-' | '_') {
                    end -= last.len_utf8();
                } else {
                    break;
                }
            }
            let url = &text[s..end];
            let after_scheme = url.find("://").map_or(url, |i| &url[i + 3..]);
            let host = after_scheme
                .split(['/', '?', '#'])
                .next()
                .unwrap_or("")
                .rsplit('@')
                .next()
                .unwrap_or("");
            let host = host.split(':').next().unwrap_or("");
            let valid_host = (host.contains('.')
                && host.split('.').all(|l| !l.is_empty())
                && host
                    .rsplit('.')
                    .next()
                    .is_some_and(|tld| tld.chars().all(char::is_alphanumeric)))
                || host.eq_ignore_ascii_case("localhost")
                || after_scheme.starts_with('[');
            if valid_host && end - s > m.len() + 1 {
                out.push(Candidate::new(Kind::Url, s, end, 0.6, 0));
            }
        }
        Handler::Token(kind, score) => {
            let tail_ok = text[e..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric() && c != '_' && c != '-');
            if boundary_before(text, s) && tail_ok {
                out.push(Candidate::new(kind, s, e, score, 0));
            }
        }
        Handler::Jwt => {
            if !boundary_before(text, s) {
                return;
            }
            let header = m.split('.').next().unwrap_or("");
            let ok = base64url(header)
                .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
                .is_some_and(|v| v.get("alg").is_some() || v.get("typ").is_some());
            if ok {
                out.push(Candidate::new(Kind::Jwt, s, e, 0.97, 0));
            }
        }
        Handler::PemBegin => {
            // Up to the matching END line, or to the end of the base64 body if it was cut off.
            let window = &text[e..floor_boundary(text, e + MAX_PEM_BYTES)];
            let end = match window.find("-----END ") {
                Some(i) => {
                    let after = e + i + "-----END ".len();
                    match text[after..].find("-----") {
                        Some(j) if j <= 60 => after + j + 5,
                        _ => after,
                    }
                }
                None => {
                    let body = window
                        .bytes()
                        .take_while(|c| c.is_ascii_alphanumeric() || b"+/=:,- \r\n\t".contains(c))
                        .count();
                    e + body
                }
            };
            *covered = end;
            out.push(Candidate::new(Kind::PrivateKey, s, end, 1.0, 0));
        }
        Handler::Assignment(kind, variant) => {
            if !boundary_before(text, s) {
                return;
            }
            let Some((vs, ve)) = assignment_value(text, e) else {
                return;
            };
            let v = &text[vs..ve];
            let (ok, score) = match variant {
                // AWS secret access key: exactly 40 base64 chars.
                40 => (
                    v.len() == 40
                        && v.bytes()
                            .all(|c| c.is_ascii_alphanumeric() || c == b'/' || c == b'+'),
                    0.97,
                ),
                // password=...
                0 => (v.chars().count() >= 3, 0.9),
                // "password is ..."
                1 => (v.chars().count() >= 4 && !is_common_word(v), 0.75),
                // token/api_key=...: long and not a plain word.
                2 => (v.len() >= 8 && v.bytes().any(|c| c.is_ascii_digit()), 0.85),
                // Authorization: Bearer ...
                _ => (v.len() >= 16, 0.9),
            };
            if ok {
                out.push(Candidate::new(kind, vs, ve, score, 0));
            }
        }
        Handler::ConnectionString => {
            if !boundary_before(text, s) {
                return;
            }
            let after_scheme = s + m.find("://").map_or(0, |i| i + 3);
            let Some(colon) = text[after_scheme..e].find(':') else {
                return;
            };
            let ps = after_scheme + colon + 1;
            let pe = e - 1;
            if pe > ps {
                out.push(Candidate::new(Kind::Password, ps, pe, 0.95, 0));
            }
        }
    }
}

/// Words that follow "password is" in prose about passwords rather than a password itself.
fn is_common_word(v: &str) -> bool {
    matches!(
        v.to_ascii_lowercase().as_str(),
        "correct"
            | "incorrect"
            | "wrong"
            | "invalid"
            | "required"
            | "missing"
            | "empty"
            | "expired"
            | "changed"
            | "reset"
            | "weak"
            | "strong"
            | "not"
            | "too"
            | "being"
            | "still"
            | "now"
            | "the"
            | "your"
            | "my"
            | "that"
            | "this"
            | "stored"
            | "saved"
            | "hashed"
            | "encrypted"
            | "błędne"
            | "nieprawidłowe"
            | "poprawne"
            | "wymagane"
            | "twoje"
            | "moje"
    )
}

/// E-mail addresses, found around each `@` (faster and clearer than a pattern with a
/// Unicode local part).
fn emails(text: &str, out: &mut Vec<Candidate>) {
    let b = text.as_bytes();
    let local_char =
        |c: char| c.is_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-' | '\'');
    let mut last_end = 0;
    for at in positions_of(b'@', b) {
        if at < last_end {
            continue;
        }
        // Local part: walk back over allowed chars.
        let mut s = at;
        for (i, c) in text[..at].char_indices().rev() {
            if !local_char(c) || at - i > 64 {
                break;
            }
            s = i;
        }
        while s < at && matches!(b[s], b'.' | b'\'' | b'-') {
            s += 1;
        }
        if s == at || b[at - 1] == b'.' || text[s..at].contains("..") {
            continue;
        }
        // Domain: labels of letters, digits and hyphens.
        let mut e = at + 1;
        for (i, c) in text[at + 1..].char_indices() {
            if !(c.is_alphanumeric() || c == '-' || c == '.') || i > 253 {
                break;
            }
            e = at + 1 + i + c.len_utf8();
        }
        while e > at + 1 && matches!(b[e - 1], b'.' | b'-') {
            e -= 1;
        }
        let domain = &text[at + 1..e];
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2
            || labels
                .iter()
                .any(|l| l.is_empty() || l.starts_with('-') || l.ends_with('-') || l.len() > 63)
        {
            continue;
        }
        let tld = labels[labels.len() - 1];
        if tld.chars().count() < 2 || !tld.chars().all(char::is_alphabetic) {
            continue;
        }
        // "icon@2x.png" is a file name.
        let file_ext = matches!(
            tld.to_ascii_lowercase().as_str(),
            "png"
                | "jpg"
                | "jpeg"
                | "gif"
                | "svg"
                | "webp"
                | "css"
                | "js"
                | "ts"
                | "json"
                | "txt"
                | "pdf"
                | "zip"
                | "rs"
                | "py"
        );
        out.push(Candidate::new(
            Kind::Email,
            s,
            e,
            if file_ext { 0.3 } else { 0.9 },
            0,
        ));
        last_end = e;
    }
}

fn positions_of(needle: u8, hay: &[u8]) -> impl Iterator<Item = usize> + '_ {
    hay.iter()
        .enumerate()
        .filter(move |&(_, &c)| c == needle)
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(Kind, String)> {
        let p = Patterns::new().unwrap();
        let mut out = Vec::new();
        p.scan(text, &mut out);
        out.into_iter()
            .map(|c| (Kind::ALL[c.kind], text[c.start..c.end].to_string()))
            .collect()
    }

    static PATTERNS: std::sync::LazyLock<Patterns> =
        std::sync::LazyLock::new(|| Patterns::new().unwrap());

    fn candidates(p: &Patterns, text: &str, shape: Shape) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        p.scan_shaped(text, shape, &mut out);
        out.iter().map(|c| (c.kind, c.start, c.end)).collect()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// Gates only skip searches that would find nothing: the gated scan equals a scan
        /// with every gate open, on any text and on texts dense in the gated shapes.
        #[test]
        fn gates_change_nothing(
            any in "\\PC{0,80}",
            dense in "([A-Z]{1,7}|[a-f0-9]{1,4}|[0-9]{1,9}|[A-Z]{2,3} ?[0-9]{6,8}|[0-9]{7,8}-?[A-Z]|[XYZ]-?[0-9]{7}[A-Z]|([0-9A-Fa-f]{2}[:\\-]){1,6}|[0-9a-f]{4}\\.|[ :.=\\-\"']|secret|Key|TOKEN|_|é|\u{2003}|https?://|WWW\\.|sk-|sk_live_|eyJ|AKIA|ghp_|xoxb-|Bearer|PassWord|hasło|://|@|-----BEGIN ){0,24}",
        ) {
            for text in [any, dense] {
                let shape = PATTERNS.shape(&text);
                proptest::prop_assert_eq!(
                    candidates(&PATTERNS, &text, shape),
                    candidates(&PATTERNS, &text, Shape::ALL),
                    "{:?} opens {:?}", text, shape
                );
            }
        }
    }

    /// Each gate opens for its entities, and closing it alone loses them: a gate that opened
    /// too rarely would fail here, one that opened too often in `prose_opens_no_gate`.
    #[test]
    fn each_gate_opens_for_its_entities() {
        let cases = [
            (
                Gate::CountryDigits,
                "IBAN PL61 1090 1014 0000 0712 1981 2874",
            ),
            (Gate::CapsWord, "SWIFT DEUTDEFF or DEUTDEFF500"),
            (Gate::CapsWord, "codice fiscale RSSMRA85T10A562S"),
            (
                Gate::TwoCapsDigit,
                "National Insurance number AB 12 34 56 C",
            ),
            (Gate::CapsSixDigits, "dowód ABA 300000"),
            (Gate::CapsSixDigits, "paszport AB4123456"),
            (Gate::DigitsCap, "DNI 12345678Z"),
            (Gate::DigitsCap, "NIE X1234567L"),
            (Gate::HexChain, "mac 00:1A:2B:3C:4D:5E"),
            (Gate::HexChain, "mac 00-1a-2b-3c-4d-5e"),
            (Gate::HexChain, "cisco 001a.2b3c.4d5e"),
            (Gate::HexColons, "host fe80::1ff:fe23:4567:890a"),
            (Gate::HexColons, "localhost is ::1"),
            (
                Gate::SecretKey,
                "client_secret = 'x9Vq2LmR77' and API-KEY:\tk7Jd0Qw1",
            ),
        ];
        for (gate, text) in cases {
            let shape = PATTERNS.shape(text);
            assert!(shape.gates & gate.bit() != 0, "{gate:?} shut on {text:?}");
            let without = Shape {
                gates: shape.gates & !gate.bit(),
                ..shape
            };
            let all = candidates(&PATTERNS, text, shape);
            assert_ne!(
                all,
                candidates(&PATTERNS, text, without),
                "{gate:?} on {text:?}"
            );
            assert_eq!(all, candidates(&PATTERNS, text, Shape::ALL), "{text:?}");
        }
    }

    #[test]
    fn every_literal_gated_pattern_has_literals() {
        assert_eq!(PATTERNS.unlit, 0, "{:032b}", PATTERNS.unlit);
        let opened = PATTERNS.opened_by.iter().fold(0, |all, bits| all | bits);
        for (i, (p, gate, _)) in SPECS.iter().enumerate() {
            assert_eq!(opened & (1 << i) != 0, *gate == Gate::Literals, "{p}");
        }
    }

    #[test]
    fn prose_opens_no_gate() {
        let text = "Please summarise the meeting notes: Anna said the launch moves to May 3.";
        assert_eq!(
            PATTERNS.shape(text),
            Shape {
                gates: 0,
                literals: 0
            }
        );
    }

    #[test]
    fn email_url_ip6_mac() {
        let f = found(
            "mail jan.kowalski@poczta.example.pl, see https://example.com/a?b=1). host fe80::1ff:fe23:4567:890a mac 00:1A:2B:3C:4D:5E",
        );
        assert!(
            f.contains(&(Kind::Email, "jan.kowalski@poczta.example.pl".into())),
            "{f:?}"
        );
        assert!(
            f.contains(&(Kind::Url, "https://example.com/a?b=1".into())),
            "{f:?}"
        );
        assert!(
            f.contains(&(Kind::IpAddress, "fe80::1ff:fe23:4567:890a".into())),
            "{f:?}"
        );
        assert!(
            f.contains(&(Kind::MacAddress, "00:1A:2B:3C:4D:5E".into())),
            "{f:?}"
        );
    }

    #[test]
    fn secrets() {
        let f = found("AWS AKIAIOSFODNN7EXAMPLE and password=hunter22; postgres://app:s3cr3t@db/x");
        assert!(
            f.contains(&(Kind::AwsAccessKey, "AKIAIOSFODNN7EXAMPLE".into())),
            "{f:?}"
        );
        assert!(f.contains(&(Kind::Password, "hunter22".into())), "{f:?}");
        assert!(f.contains(&(Kind::Password, "s3cr3t".into())), "{f:?}");
        let f = found("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\n");
        assert_eq!(
            f,
            vec![(
                Kind::PrivateKey,
                "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----".into()
            )]
        );
    }

    #[test]
    fn jwt_needs_a_json_header() {
        let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        assert_eq!(found(jwt), vec![(Kind::Jwt, jwt.into())]);
        assert!(found("eyJzzzzzzzzz.eyJzzzzzzz.zzzzzzzzzzzzzz").is_empty());
    }

    #[test]
    fn iban_with_spaces_and_trailing_word() {
        let f = found("IBAN PL61 1090 1014 0000 0712 1981 2874 PLN");
        assert!(
            f.contains(&(Kind::IbanCode, "PL61 1090 1014 0000 0712 1981 2874".into())),
            "{f:?}"
        );
    }
}
