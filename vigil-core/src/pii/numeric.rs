//! Numbers: one hand-written pass splits the text into runs of digit groups joined by single
//! separators (`4111 1111 1111 1111`, `+41 (0)38 549 02 90`, `054-28-6917`), then each run
//! is classified by digit count, grouping and check digits.
//!
//! Linear: every byte is visited once by the tokenizer; a run is classified as a whole and,
//! for runs of up to [`MAX_GROUPS`] groups, as sub-runs of at most [`MAX_SUB_GROUPS`] groups
//! split at spaces (so `PESEL 44051401359 44051401359` yields both).

use super::checksum as ck;
use super::context::group;
use super::{Candidate, Kind};

/// Runs with more groups than this are tables or sequences, not identifiers.
const MAX_GROUPS: usize = 24;
/// Longest sub-run tried inside a run.
const MAX_SUB_GROUPS: usize = 8;

/// Score added when a context word for the entity is near.
pub(crate) const CONTEXT_BOOST: f32 = 0.45;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sep {
    Space,
    Dash,
    Dot,
    Paren,
    /// "030/901820", "030 / 901820" (German area codes).
    Slash,
}

#[derive(Debug)]
struct Run {
    /// Byte offset of the first char (`+`, `(` or a digit).
    start: usize,
    /// Byte ranges of the digit groups.
    groups: Vec<(usize, usize)>,
    /// Separator after each group but the last.
    seps: Vec<Sep>,
    plus: bool,
    /// End of a phone extension (`x036`, ` ext. 12`), if one follows.
    ext_end: Option<usize>,
    /// Glued to letters, decimals, times or currency: not an identifier.
    glued: bool,
    /// Preceded directly by `PL` (the EU VAT form of a NIP).
    pl_prefix: bool,
}

fn is_digit(b: u8) -> bool {
    b.is_ascii_digit()
}

/// The separator starting at `i` and the index of the digit after it, if the run continues.
fn separator(b: &[u8], i: usize) -> Option<(Sep, usize)> {
    let at = |k: usize| b.get(k).copied();
    let digit_at = |k: usize| at(k).is_some_and(is_digit);
    let (sep, mut j) = match at(i)? {
        b' ' => (Sep::Space, i + 1),
        b'-' => (Sep::Dash, i + 1),
        b'.' => (Sep::Dot, i + 1),
        b'/' => (Sep::Slash, i + 1),
        b')' => (Sep::Paren, i + 1),
        b'(' => (Sep::Paren, i),
        0xC2 if at(i + 1) == Some(0xA0) => (Sep::Space, i + 2),
        // Unicode dashes U+2010..U+2015 and the minus sign U+2212.
        0xE2 if at(i + 1) == Some(0x80)
            && at(i + 2).is_some_and(|c| (0x90..=0x95).contains(&c)) =>
        {
            (Sep::Dash, i + 3)
        }
        0xE2 if at(i + 1) == Some(0x88) && at(i + 2) == Some(0x92) => (Sep::Dash, i + 3),
        _ => return None,
    };
    match sep {
        Sep::Paren if at(i) == Some(b')') => {
            if matches!(at(j), Some(b' ') | Some(b'-')) {
                j += 1;
            }
        }
        Sep::Paren => {
            // "(" directly after a group: "+41(0)38".
            j += 1;
        }
        Sep::Space | Sep::Dash => {
            if at(j) == Some(b'(') {
                return digit_at(j + 1).then_some((Sep::Paren, j + 1));
            }
            if sep == Sep::Space && at(j) == Some(b'/') && at(j + 1) == Some(b' ') {
                return digit_at(j + 2).then_some((Sep::Slash, j + 2));
            }
        }
        Sep::Dot | Sep::Slash => {}
    }
    digit_at(j).then_some((sep, j))
}

fn prev_char(text: &str, i: usize) -> Option<char> {
    text[..i].chars().next_back()
}

/// Split `text` into digit runs.
fn runs(text: &str) -> Vec<Run> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !is_digit(b[i]) {
            i += 1;
            continue;
        }
        let mut start = i;
        let mut plus = false;
        let mut glued = false;
        let mut pl_prefix = false;
        if i > 0 && b[i - 1] == b'(' {
            start = i - 1;
        }
        match prev_char(text, start) {
            Some('+') => {
                start -= 1;
                plus = true;
                if prev_char(text, start).is_some_and(|c| c.is_alphanumeric()) {
                    glued = true;
                }
            }
            Some(c) if c.is_alphanumeric() || c == '_' => {
                let before = &text[..start];
                if before.ends_with("PL")
                    && prev_char(text, start - 2).is_none_or(|c| !c.is_alphanumeric())
                {
                    pl_prefix = true;
                } else {
                    glued = true;
                }
            }
            Some(c @ ('.' | ',' | ':' | '/' | '$' | '€' | '£' | '¥' | '@' | '=' | '-' | '_')) =>
            {
                let p = start - c.len_utf8();
                let prev_alnum = prev_char(text, p).is_some_and(|x| x.is_alphanumeric());
                let prev_digit = b.get(p.wrapping_sub(1)).is_some_and(|&x| is_digit(x));
                // "44051401359,02271409867" is a CSV row; "1,50" a decimal.
                let digits_before = b[..p]
                    .iter()
                    .rev()
                    .take(4)
                    .take_while(|&&x| is_digit(x))
                    .count();
                let csv = c == ',' && digits_before > 3;
                // Decimals and times ("3.5", "12:30"), amounts ("$100"), and the tail of
                // an identifier ("INV-2025-0411", "build_123").
                if matches!(c, '$' | '€' | '£' | '¥' | '@' | '=')
                    || (matches!(c, '.' | ',' | ':' | '/') && prev_digit && !csv)
                    || (matches!(c, '-' | '_' | '/') && prev_alnum)
                {
                    glued = true;
                }
            }
            _ => {}
        }
        let mut groups = Vec::with_capacity(4);
        let mut seps = Vec::with_capacity(4);
        let mut j = i;
        loop {
            let gs = j;
            while j < b.len() && is_digit(b[j]) {
                j += 1;
            }
            groups.push((gs, j));
            match separator(b, j) {
                Some((sep, next)) if groups.len() <= MAX_GROUPS => {
                    seps.push(sep);
                    j = next;
                }
                _ => break,
            }
        }
        let end = j;
        // "(" belongs to the run only around an area code: "(579)888-3058", not "(44051401359)".
        if b[start] == b'(' && !(groups.len() > 1 && b.get(groups[0].1) == Some(&b')')) {
            start += 1;
        }
        let mut ext_end = None;
        let rest = &text[end..];
        let ext = ["x", " x", " ext. ", " ext ", " ext.", "ext.", "ext", " ext"]
            .iter()
            .find_map(|p| rest.starts_with(p).then(|| end + p.len()));
        if let Some(e) = ext {
            let k = b[e..].iter().take_while(|&&x| is_digit(x)).count();
            if (1..=6).contains(&k) && b.get(e + k).is_none_or(|&x| !x.is_ascii_alphanumeric()) {
                ext_end = Some(e + k);
            }
        }
        if ext_end.is_none() {
            match text[end..].chars().next() {
                Some(c) if c.is_alphanumeric() || c == '_' || c == '%' => glued = true,
                Some(c @ (':' | ',' | '.')) if b.get(end + 1).is_some_and(|&x| is_digit(x)) => {
                    let digits_after = b[end + 1..]
                        .iter()
                        .take(4)
                        .take_while(|&&x| is_digit(x))
                        .count();
                    if c != ',' || digits_after <= 3 {
                        glued = true;
                    }
                }
                _ => {}
            }
        }
        out.push(Run {
            start,
            groups,
            seps,
            plus,
            ext_end,
            glued,
            pl_prefix,
        });
        i = end.max(i + 1);
    }
    out
}

/// A slice of a run: groups `lo..hi`.
struct Span<'a> {
    text: &'a str,
    run: &'a Run,
    lo: usize,
    hi: usize,
    digits: &'a [u8],
    /// Digits per group of the span.
    lens: &'a [usize],
}

impl Span<'_> {
    fn glens(&self) -> &[usize] {
        self.lens
    }
    fn seps(&self) -> &[Sep] {
        &self.run.seps[self.lo..self.hi - 1]
    }
    fn k(&self) -> usize {
        self.hi - self.lo
    }
    fn whole(&self) -> bool {
        self.lo == 0 && self.hi == self.run.groups.len()
    }
    fn uniform(&self, sep: Sep) -> bool {
        self.seps().iter().all(|&s| s == sep)
    }
    fn byte_start(&self) -> usize {
        if self.lo == 0 {
            self.run.start
        } else {
            self.run.groups[self.lo].0
        }
    }
    fn byte_end(&self) -> usize {
        let last = self.run.groups[self.hi - 1].1;
        // Include the ")" of a closing parenthesized last group.
        if self.text.as_bytes().get(last) == Some(&b')')
            && self.text[self.byte_start()..last].contains('(')
            && self.hi == self.run.groups.len()
        {
            last + 1
        } else {
            last
        }
    }
    fn shape(&self, lens: &[usize]) -> bool {
        self.glens() == lens
    }
}

fn value(d: &[u8]) -> u32 {
    d.iter().fold(0, |a, &x| a * 10 + u32::from(x))
}

/// Y-M-D, D-M-Y or M-D-Y (4-digit year) at the start of the span, with a date separator.
fn starts_with_date(sp: &Span<'_>) -> bool {
    if sp.k() < 3 {
        return false;
    }
    let g = sp.glens();
    let seps = &sp.seps()[..2];
    if seps[0] != seps[1] || !matches!(seps[0], Sep::Dash | Sep::Dot | Sep::Space | Sep::Slash) {
        return false;
    }
    // The first three groups' digits, sliced from the span's.
    let d = sp.digits;
    let (a, rest) = d.split_at(g[0]);
    let (b, rest) = rest.split_at(g[1]);
    let c = &rest[..g[2]];
    let ok = |y: &[u8], m: &[u8], d: &[u8]| {
        let y = value(y);
        (1900..=2099).contains(&y) && ck::valid_date(y, value(m), value(d))
    };
    (g[0] == 4 && g[1] <= 2 && g[2] <= 2 && ok(a, b, c))
        || (g[2] == 4 && g[0] <= 2 && g[1] <= 2 && (ok(c, b, a) || ok(c, a, b)))
}

fn push(out: &mut Vec<Candidate>, sp: &Span<'_>, kind: Kind, score: f32, context: u64) {
    out.push(Candidate::new(
        kind,
        sp.byte_start(),
        sp.byte_end(),
        score,
        context,
    ));
}

/// Known E.164 country codes of one and two digits; every other code has three.
fn country_code_len(d: &[u8]) -> Option<usize> {
    let one = [1, 7];
    let two = [
        20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54, 55,
        56, 57, 58, 60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98,
    ];
    let first = *d.first()?;
    if first == 0 {
        return None;
    }
    if one.contains(&first) {
        return Some(1);
    }
    let two_digits = u32::from(first) * 10 + u32::from(*d.get(1)?);
    if two.contains(&two_digits) {
        return Some(2);
    }
    Some(3)
}

/// Score of a phone number written in international form (`+CC ...` or `00CC ...`).
fn international_phone(d: &[u8], trunk_zero: bool) -> f32 {
    let Some(cc_len) = country_code_len(d) else {
        return 0.2;
    };
    let cc = value(&d[..cc_len]);
    let mut nsn = &d[cc_len..];
    // "+44 0..." without parentheses: a redundant trunk zero.
    if !trunk_zero && nsn.first() == Some(&0) && cc != 39 {
        nsn = &nsn[1..];
    }
    let n = nsn.len();
    let ok = match cc {
        1 => n == 10 && nsn[0] >= 2 && nsn[3] >= 2,
        48 => n == 9,
        44 => (9..=10).contains(&n),
        49 => (6..=13).contains(&n),
        33 => n == 9 && nsn[0] != 0,
        34 => n == 9 && nsn[0] >= 6,
        39 => (6..=11).contains(&n),
        _ => (4..=13).contains(&n) && cc_len + n <= 15,
    };
    if ok { 0.85 } else { 0.25 }
}

fn nanp(d: &[u8]) -> bool {
    d.len() == 10 && d[0] >= 2 && d[3] >= 2 && !(d[1] == 1 && d[2] == 1)
}

/// Phone-number score for a whole run (0 when it cannot be a phone number).
fn phone_score(sp: &Span<'_>) -> f32 {
    let d = &sp.digits;
    let g = sp.glens();
    let k = sp.k();
    if !(7..=15).contains(&d.len()) || !ck::phone_plausible(d) || starts_with_date(sp) {
        return 0.0;
    }
    // "(0)" trunk group inside an international number: "+41 (0)38 549 02 90".
    let trunk_idx = (1..k).find(|&i| {
        let (s, e) = sp.run.groups[sp.lo + i];
        e - s == 1 && sp.text.as_bytes()[s] == b'0' && s > 0 && sp.text.as_bytes()[s - 1] == b'('
    });
    let strip = |digits: &[u8]| -> Vec<u8> {
        match trunk_idx {
            Some(i) => {
                let before: usize = g[..i].iter().sum();
                let mut v = digits.to_vec();
                v.remove(before);
                v
            }
            None => digits.to_vec(),
        }
    };
    if sp.run.plus && sp.lo == 0 {
        return international_phone(&strip(d), trunk_idx.is_some());
    }
    // "00" international prefix, only when written in groups ("0048 601 234 567"): a bare
    // digit string starting with 00 is more often a padded reference number.
    if k >= 2 && d.len() > 4 && d[0] == 0 && d[1] == 0 && g[0] >= 2 {
        return international_phone(&strip(&d[2..]), trunk_idx.is_some());
    }
    // Two groups: the last must be a subscriber block, not a short suffix ("55470 72").
    if k == 2 && g[1] < 4 {
        return 0.0;
    }
    if k == 2 && g[0] > 5 {
        return 0.0;
    }
    if k > 1 && g.iter().any(|&l| l > 8) {
        return 0.0;
    }
    let nanp_digits: &[u8] = if d.len() == 11 && d[0] == 1 {
        &d[1..]
    } else {
        d
    };
    if k >= 2 && nanp(nanp_digits) {
        let gl = if d.len() == 11 { &g[1..] } else { g };
        if gl == [3, 3, 4] {
            return 0.7;
        }
    }
    if d[0] == 0 && d[1] != 0 {
        // National number with a trunk zero: FR pairs, UK, DE, IT, ...
        if k == 5 && g.iter().all(|&l| l == 2) && d.len() == 10 {
            return 0.7;
        }
        return match k {
            1 => 0.2,
            2 => 0.4,
            _ => 0.5,
        };
    }
    if k == 1 {
        return if nanp(d) { 0.25 } else { 0.15 };
    }
    // PL and ES mobile/landline blocks: 3-3-3, 2-3-2-2, 3-2-2-2.
    if d.len() == 9 && (sp.shape(&[3, 3, 3]) || sp.shape(&[2, 3, 2, 2]) || sp.shape(&[3, 2, 2, 2]))
    {
        return 0.4;
    }
    0.3
}

fn classify(sp: &Span<'_>, out: &mut Vec<Candidate>) {
    let d = &sp.digits;
    let n = d.len();
    let k = sp.k();
    let whole = sp.whole();
    let seps_dot = sp.seps().contains(&Sep::Dot);
    let has_paren = sp.seps().contains(&Sep::Paren);

    if whole && k == 4 && sp.uniform(Sep::Dot) && !sp.run.plus {
        let ok = sp.run.groups.iter().all(|&(s, e)| {
            let g = &sp.text.as_bytes()[s..e];
            g.len() <= 3
                && (g.len() == 1 || g[0] != b'0')
                && value(&g.iter().map(|b| b - b'0').collect::<Vec<_>>()) <= 255
        });
        if ok {
            let first = value(&d[..sp.glens()[0]]);
            let score = if first == 0 || first == 127 || first >= 224 {
                0.4
            } else {
                0.75
            };
            let mut c = Candidate::new(
                Kind::IpAddress,
                sp.byte_start(),
                sp.byte_end(),
                score,
                group::IP,
            );
            c.boost = 0.2;
            out.push(c);
        }
        return;
    }
    if whole && !sp.run.glued {
        let s = phone_score(sp);
        if s > 0.0 {
            let mut c = Candidate::new(
                Kind::Phone,
                sp.byte_start(),
                sp.run.ext_end.unwrap_or(sp.byte_end()),
                s,
                group::PHONE,
            );
            c.boost = CONTEXT_BOOST;
            out.push(c);
        }
    }
    if seps_dot || has_paren || sp.run.plus || starts_with_date(sp) {
        return;
    }
    let g = sp.glens();
    let bare = k == 1;
    let uniform = sp.uniform(Sep::Space) || sp.uniform(Sep::Dash);

    if sp.run.pl_prefix && sp.lo == 0 {
        if n == 10 && ck::nip(d) {
            out.push(Candidate::new(
                Kind::PlNip,
                sp.run.start - 2,
                sp.byte_end(),
                0.7,
                group::NIP,
            ));
        }
        return;
    }

    if (12..=19).contains(&n) && ck::luhn(d) {
        let fours = g[..k - 1].iter().all(|&l| l == 4) && (1..=4).contains(&g[k - 1]);
        let grouped = !bare && uniform && (fours || g == [4, 6, 5] || g == [4, 6, 4]);
        let network = ck::card_network(d).is_some();
        let score = match (network, bare, grouped) {
            (true, true, _) => 0.45,
            (true, false, true) => 0.8,
            (false, true, _) if n >= 13 => 0.15,
            (false, false, true) => 0.3,
            _ => 0.0,
        };
        if score > 0.0 {
            push(out, sp, Kind::CreditCard, score, group::CARD);
        }
    }
    match n {
        9 => {
            if ck::ssn(d) {
                let score = if g == [3, 2, 4] && sp.uniform(Sep::Dash) {
                    0.6
                } else if g == [3, 2, 4] && uniform {
                    0.45
                } else if bare {
                    0.2
                } else {
                    0.0
                };
                if score > 0.0 {
                    push(out, sp, Kind::UsSsn, score, group::SSN);
                }
            }
            if ck::nl_bsn(d) && (bare || (g == [4, 2, 3] && uniform)) {
                push(out, sp, Kind::NlBsn, 0.3, group::NL_BSN);
            }
            if ck::regon(d) && (bare || (g == [3, 3, 3] && uniform)) {
                push(
                    out,
                    sp,
                    Kind::PlRegon,
                    if bare { 0.35 } else { 0.4 },
                    group::REGON,
                );
            }
        }
        10 => {
            if ck::nip(d) {
                let score = if uniform && !bare && (g == [3, 3, 2, 2] || g == [3, 2, 2, 3]) {
                    0.6
                } else if bare {
                    0.4
                } else if uniform && g == [3, 3, 4] {
                    0.3
                } else {
                    0.0
                };
                if score > 0.0 {
                    push(out, sp, Kind::PlNip, score, group::NIP);
                }
            }
            if ck::se_personnummer(d) && (bare || (g == [6, 4] && sp.uniform(Sep::Dash))) {
                let score = if bare { 0.3 } else { 0.45 };
                push(out, sp, Kind::SePersonnummer, score, group::SE_PNR);
            }
            if ck::nhs(d) && (bare || (g == [3, 3, 4] && uniform)) {
                push(
                    out,
                    sp,
                    Kind::UkNhs,
                    if bare { 0.25 } else { 0.3 },
                    group::NHS,
                );
            }
        }
        11 => {
            if ck::pesel(d) && (bare || (g == [6, 5] && uniform)) {
                push(out, sp, Kind::PlPesel, 0.45, group::PESEL);
            }
            if ck::de_tax_id(d) && (bare || (g == [2, 3, 3, 3] && uniform)) {
                push(
                    out,
                    sp,
                    Kind::DeTaxId,
                    if bare { 0.4 } else { 0.45 },
                    group::DE_TAX,
                );
            }
        }
        12 if ck::se_personnummer(d) && (bare || (g == [8, 4] && sp.uniform(Sep::Dash))) => {
            let score = if bare { 0.3 } else { 0.45 };
            push(out, sp, Kind::SePersonnummer, score, group::SE_PNR);
        }
        14 if ck::regon(d) && (bare || (g == [3, 3, 3, 5] && uniform)) => {
            let score = if bare { 0.45 } else { 0.5 };
            push(out, sp, Kind::PlRegon, score, group::REGON);
        }
        15 if ck::fr_nir(d) && (bare || (g == [1, 2, 2, 2, 3, 3, 2] && sp.uniform(Sep::Space))) => {
            let score = if bare { 0.45 } else { 0.6 };
            push(out, sp, Kind::FrNir, score, group::FR_NIR);
        }
        _ => {}
    }
}

/// Every numeric candidate in `text`.
pub(crate) fn scan(text: &str, out: &mut Vec<Candidate>) {
    let bytes = text.as_bytes();
    for run in runs(text) {
        let n_groups = run.groups.len();
        if n_groups > MAX_GROUPS {
            continue;
        }
        if run.glued && !run.pl_prefix {
            // Still an IP or phone check would be wrong; glued numbers are part of something else.
            continue;
        }
        // The run's digits once; a sub-span's digits are a slice of them.
        let mut digits = Vec::new();
        let mut offsets = Vec::with_capacity(n_groups + 1);
        let mut lens = Vec::with_capacity(n_groups);
        offsets.push(0);
        for &(s, e) in &run.groups {
            digits.extend(bytes[s..e].iter().map(|b| b - b'0'));
            offsets.push(digits.len());
            lens.push(e - s);
        }
        let digits_of = |lo: usize, hi: usize| &digits[offsets[lo]..offsets[hi]];
        let whole = Span {
            text,
            run: &run,
            lo: 0,
            hi: n_groups,
            digits: digits_of(0, n_groups),
            lens: &lens,
        };
        classify(&whole, out);
        if n_groups == 1 {
            continue;
        }
        // Sub-runs split at spaces: two identifiers listed side by side.
        for lo in 0..n_groups {
            if lo > 0 && run.seps[lo - 1] != Sep::Space {
                continue;
            }
            for hi in lo + 1..=n_groups.min(lo + MAX_SUB_GROUPS) {
                if (lo == 0 && hi == n_groups) || (hi < n_groups && run.seps[hi - 1] != Sep::Space)
                {
                    continue;
                }
                let sp = Span {
                    text,
                    run: &run,
                    lo,
                    hi,
                    digits: digits_of(lo, hi),
                    lens: &lens[lo..hi],
                };
                if sp.digits.len() >= 9 {
                    classify(&sp, out);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, String, f32)> {
        let mut out = Vec::new();
        scan(text, &mut out);
        out.into_iter()
            .map(|c| (Kind::ALL[c.kind], text[c.start..c.end].to_string(), c.score))
            .collect()
    }

    #[test]
    fn tokenizes_phone_shapes() {
        let k = kinds("Desk: +41 (0)96 471 07 95, fax (579)888-3058 or 463-612-6138x036");
        assert!(
            k.iter()
                .any(|(t, s, _)| *t == Kind::Phone && s == "+41 (0)96 471 07 95"),
            "{k:?}"
        );
        assert!(
            k.iter()
                .any(|(t, s, _)| *t == Kind::Phone && s == "(579)888-3058"),
            "{k:?}"
        );
        assert!(
            k.iter()
                .any(|(t, s, _)| *t == Kind::Phone && s == "463-612-6138x036"),
            "{k:?}"
        );
    }

    #[test]
    fn dates_times_and_decimals_are_not_numbers_of_interest() {
        assert!(kinds("Date: 1978-04-13 12:20:39").is_empty());
        assert!(kinds("pi is 3.14159265358979").is_empty());
        assert!(kinds("total $4111111111111111").is_empty());
    }

    #[test]
    fn side_by_side_ids() {
        let k = kinds("44051401359 02271409867");
        let pesels: Vec<_> = k.iter().filter(|(t, _, _)| *t == Kind::PlPesel).collect();
        assert_eq!(pesels.len(), 2, "{k:?}");
    }

    #[test]
    fn ipv4() {
        let k = kinds("address 172.61.42.192 blocked");
        assert_eq!(k.len(), 1);
        assert_eq!(k[0].0, Kind::IpAddress);
        assert!(kinds("999.1.1.1").is_empty());
    }
}
