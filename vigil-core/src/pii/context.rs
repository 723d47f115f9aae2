//! Context words (English and Polish, plus the native words for the other national ids) that
//! raise or lower a candidate's score. One Aho-Corasick pass per text finds them all.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

/// Bit flags: which entity families a context word supports.
pub(crate) mod group {
    pub(crate) const PHONE: u64 = 1 << 0;
    pub(crate) const CARD: u64 = 1 << 1;
    pub(crate) const BANK: u64 = 1 << 2;
    pub(crate) const PESEL: u64 = 1 << 3;
    pub(crate) const NIP: u64 = 1 << 4;
    pub(crate) const REGON: u64 = 1 << 5;
    pub(crate) const SSN: u64 = 1 << 6;
    pub(crate) const NHS: u64 = 1 << 7;
    pub(crate) const NINO: u64 = 1 << 8;
    pub(crate) const ID_CARD: u64 = 1 << 9;
    pub(crate) const PASSPORT: u64 = 1 << 10;
    pub(crate) const DE_TAX: u64 = 1 << 11;
    pub(crate) const FR_NIR: u64 = 1 << 12;
    pub(crate) const ES_DNI: u64 = 1 << 13;
    pub(crate) const IP: u64 = 1 << 14;
    pub(crate) const PERSON: u64 = 1 << 15;
    pub(crate) const IT_CF: u64 = 1 << 16;
    /// "swift", "bic": the only words that make an all-letter 8-char word a BIC.
    pub(crate) const SWIFT: u64 = 1 << 17;
    pub(crate) const NL_BSN: u64 = 1 << 18;
    pub(crate) const SE_PNR: u64 = 1 << 19;
    /// Any national-id or card family: a phone-shaped number next to one of these words is
    /// more likely a mistyped id than a phone number.
    pub(crate) const IDS: u64 = CARD
        | BANK
        | PESEL
        | NIP
        | REGON
        | SSN
        | NHS
        | NINO
        | ID_CARD
        | PASSPORT
        | DE_TAX
        | FR_NIR
        | ES_DNI
        | IT_CF
        | NL_BSN
        | SE_PNR;
    /// Words that say a number is not personal data (order, version, invoice number ...).
    pub(crate) const NOT_PII: u64 = 1 << 63;
    /// First bit free for host-defined recognizers.
    pub(crate) const CUSTOM_BASE: u32 = 20;
}

use group::*;

/// Built-in context words. A trailing `*` makes the word a stem (matches any word starting
/// with it), otherwise the whole word must match.
const WORDS: &[(&str, u64)] = &[
    // phone
    ("phone*", PHONE),
    ("telephone*", PHONE),
    ("tel", PHONE),
    ("tel.", PHONE),
    ("mobile", PHONE),
    ("cell", PHONE),
    ("cellphone", PHONE),
    ("fax", PHONE),
    ("call*", PHONE),
    ("dial*", PHONE),
    ("ring", PHONE),
    ("sms", PHONE),
    ("text me", PHONE),
    ("whatsapp", PHONE),
    ("reach me", PHONE),
    ("contact", PHONE),
    ("answering", PHONE),
    ("message*", PHONE),
    ("voicemail", PHONE),
    ("office", PHONE),
    ("hotline", PHONE),
    ("telefon*", PHONE),
    ("komórk*", PHONE),
    ("komork*", PHONE),
    ("zadzwo*", PHONE),
    ("dzwoni*", PHONE),
    ("kontakt*", PHONE),
    ("faks", PHONE),
    ("handy", PHONE),
    ("rufnummer", PHONE),
    ("téléphone", PHONE),
    ("portable", PHONE),
    ("teléfono", PHONE),
    ("móvil", PHONE),
    ("cellulare", PHONE),
    // cards
    ("card*", CARD),
    ("credit", CARD),
    ("debit", CARD),
    ("cc", CARD),
    ("visa", CARD),
    ("mastercard", CARD),
    ("amex", CARD),
    ("maestro", CARD),
    ("cvv", CARD),
    ("expir*", CARD),
    ("karta", CARD),
    ("karty", CARD),
    ("kartę", CARD),
    ("karte", CARD),
    ("kartą", CARD),
    ("karcie", CARD),
    ("kredytow*", CARD),
    ("płatnicz*", CARD),
    ("platnicz*", CARD),
    ("debetow*", CARD),
    ("kreditkarte", CARD),
    ("carte", CARD),
    ("tarjeta", CARD),
    ("carta", CARD),
    // bank
    ("iban", BANK),
    ("swift", BANK | SWIFT),
    ("bic", BANK | SWIFT),
    ("bank*", BANK),
    ("account", BANK),
    ("transfer*", BANK),
    ("wire", BANK),
    ("konto", BANK),
    ("konta", BANK),
    ("rachun*", BANK),
    ("przelew*", BANK),
    // Polish ids
    ("pesel*", PESEL),
    ("urodzeni*", PESEL),
    ("ewidencyjn*", PESEL),
    ("identyfikacyjn*", PESEL | NIP),
    ("nip", NIP),
    ("vat", NIP),
    ("podatk*", NIP),
    ("podatnik*", NIP),
    ("faktur*", NIP),
    ("regon", REGON),
    ("firm*", NIP | REGON),
    ("spółk*", NIP | REGON),
    ("krs", REGON),
    ("dowód", ID_CARD),
    ("dowod", ID_CARD),
    ("dowodu", ID_CARD),
    ("osobist*", ID_CARD | PESEL),
    ("tożsamości", ID_CARD | PASSPORT),
    ("seria", ID_CARD),
    ("id card", ID_CARD),
    ("identity card", ID_CARD),
    ("paszport*", PASSPORT),
    ("passport*", PASSPORT),
    ("reisepass", PASSPORT),
    ("pasaporte", PASSPORT),
    ("passeport", PASSPORT),
    ("passaporto", PASSPORT),
    // US / UK
    ("ssn", SSN),
    ("social security", SSN),
    ("social", SSN),
    ("tax", SSN | NIP | DE_TAX),
    ("taxpayer", SSN | NIP | DE_TAX),
    ("nhs", NHS),
    ("health", NHS),
    ("patient", NHS),
    ("medical", NHS),
    ("national insurance", NINO),
    ("nino", NINO),
    ("ni number", NINO),
    ("hmrc", NINO),
    // other EU ids
    ("steuer*", DE_TAX),
    ("idnr", DE_TAX),
    ("identifikationsnummer", DE_TAX),
    ("sécurité sociale", FR_NIR),
    ("securite sociale", FR_NIR),
    ("nir", FR_NIR),
    ("insee", FR_NIR),
    ("social insurance", FR_NIR),
    ("dni", ES_DNI),
    ("nie", ES_DNI),
    ("nif", ES_DNI),
    ("documento", ES_DNI),
    ("bsn", NL_BSN),
    ("burgerservicenummer", NL_BSN),
    ("sofinummer", NL_BSN),
    ("personnummer", SE_PNR),
    ("personnumret", SE_PNR),
    ("samordningsnummer", SE_PNR),
    ("codice fiscale", IT_CF),
    ("fiscale", IT_CF),
    ("cf", IT_CF),
    // network
    ("ip", IP),
    ("ipv4", IP),
    ("ipv6", IP),
    ("address", IP),
    ("server", IP),
    ("host", IP),
    ("adres*", IP),
    ("serwer*", IP),
    // person
    ("name", PERSON),
    ("named", PERSON),
    ("mr", PERSON),
    ("mr.", PERSON),
    ("mrs", PERSON),
    ("mrs.", PERSON),
    ("ms.", PERSON),
    ("miss", PERSON),
    ("dr.", PERSON),
    ("prof.", PERSON),
    ("dear", PERSON),
    ("nazywam", PERSON),
    ("imię", PERSON),
    ("nazwisko", PERSON),
    ("pan", PERSON),
    ("pani", PERSON),
    ("panem", PERSON),
    ("panią", PERSON),
    ("herr", PERSON),
    ("frau", PERSON),
    ("monsieur", PERSON),
    ("madame", PERSON),
    ("señor", PERSON),
    ("señora", PERSON),
    ("signor", PERSON),
    ("signora", PERSON),
    // negative: numbers that are references, versions, amounts
    ("order*", NOT_PII),
    ("tracking", NOT_PII),
    ("invoice", NOT_PII),
    ("isbn", NOT_PII),
    ("version", NOT_PII),
    ("build", NOT_PII),
    ("ticket", NOT_PII),
    ("commit", NOT_PII),
    ("zamówieni*", NOT_PII),
    ("zamowieni*", NOT_PII),
    ("przesyłk*", NOT_PII),
    ("wersj*", NOT_PII),
];

/// A context word found in the text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hit {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) groups: u64,
}

/// Compiled context words.
#[derive(Debug, Clone)]
pub(crate) struct ContextWords {
    matcher: AhoCorasick,
    /// Per pattern: groups and whether it is a stem.
    info: Vec<(u64, bool)>,
}

/// How far from a candidate a context word may be, in bytes.
pub(crate) const WINDOW_BEFORE: usize = 48;
/// Context after the candidate ("... 416 60 039 office").
pub(crate) const WINDOW_AFTER: usize = 24;

impl ContextWords {
    /// Built-in words plus host words `(word, groups)`.
    pub(crate) fn new(extra: &[(String, u64)]) -> Result<Self, aho_corasick::BuildError> {
        let mut patterns: Vec<String> = Vec::new();
        let mut info = Vec::new();
        let all = WORDS
            .iter()
            .map(|(w, g)| ((*w).to_string(), *g))
            .chain(extra.iter().cloned());
        for (word, groups) in all {
            let (word, stem) = match word.strip_suffix('*') {
                Some(w) => (w.to_string(), true),
                None => (word, false),
            };
            let lower = word.to_lowercase();
            let mut variants = vec![lower.clone(), lower.to_uppercase()];
            let mut chars = lower.chars();
            if let Some(first) = chars.next() {
                variants.push(first.to_uppercase().chain(chars).collect());
            }
            variants.sort();
            variants.dedup();
            for v in variants {
                patterns.push(v);
                info.push((groups, stem));
            }
        }
        let matcher = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&patterns)?;
        Ok(ContextWords { matcher, info })
    }

    /// Every context word in `text`, ordered by position.
    pub(crate) fn find(&self, text: &str) -> Vec<Hit> {
        let bytes = text.as_bytes();
        let mut hits = Vec::new();
        for m in self.matcher.find_iter(text) {
            let (groups, stem) = self.info[m.pattern().as_usize()];
            if !boundary_before(text, m.start()) || inside_address(bytes, m.start(), m.end()) {
                continue;
            }
            // A word ending in punctuation ("tel.") carries its own boundary.
            let last_is_word =
                bytes[m.end() - 1].is_ascii_alphanumeric() || bytes[m.end() - 1] >= 0x80;
            if !stem && last_is_word && !boundary_after(text, m.end()) {
                continue;
            }
            hits.push(Hit {
                start: m.start(),
                end: m.end(),
                groups,
            });
        }
        hits
    }
}

/// Whether a word is part of an e-mail address or host name (`contact@...`, `phone.example`).
fn inside_address(b: &[u8], start: usize, end: usize) -> bool {
    let before = start.checked_sub(1).map(|i| b[i]);
    let after = b.get(end).copied();
    before == Some(b'@')
        || (before == Some(b'.') && start >= 2 && b[start - 2].is_ascii_alphanumeric())
        || matches!(after, Some(b'@'))
        || (after == Some(b'.') && b.get(end + 1).is_some_and(u8::is_ascii_alphanumeric))
}

/// Whether the char before byte `i` is not a letter or digit.
pub(crate) fn boundary_before(text: &str, i: usize) -> bool {
    text[..i]
        .chars()
        .next_back()
        .is_none_or(|c| !c.is_alphanumeric() && c != '_')
}

/// Whether the char at byte `i` is not a letter or digit.
pub(crate) fn boundary_after(text: &str, i: usize) -> bool {
    text[i..]
        .chars()
        .next()
        .is_none_or(|c| !c.is_alphanumeric() && c != '_')
}

/// A "not personal data" word must label the number directly ("Order #", "invoice no.").
pub(crate) const NEGATIVE_WINDOW_BEFORE: usize = 20;

/// The union of groups of context words near `[start, end)`, words inside the span excluded.
pub(crate) fn near(hits: &[Hit], start: usize, end: usize) -> u64 {
    within(hits, start, end, WINDOW_BEFORE, WINDOW_AFTER)
}

/// The union of groups of context words at most `before` bytes before or `after` bytes after
/// `[start, end)`.
pub(crate) fn within(hits: &[Hit], start: usize, end: usize, before: usize, after: usize) -> u64 {
    let lo = start.saturating_sub(before);
    let hi = end + after;
    let first = hits.partition_point(|h| h.end <= lo);
    let mut groups = 0;
    for h in &hits[first..] {
        if h.start >= hi {
            break;
        }
        if h.end <= start || h.start >= end {
            groups |= h.groups;
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_words_with_boundaries_and_stems() {
        let cw = ContextWords::new(&[]).unwrap();
        let hits = cw.find("Hotel: call me, Telefon komórkowy; PESEL-u");
        let words: Vec<u64> = hits.iter().map(|h| h.groups).collect();
        // "tel" inside "Hotel" is not a word.
        assert_eq!(words[0], PHONE); // call
        assert!(hits.iter().any(|h| h.groups & PESEL != 0));
        assert_eq!(hits.len(), 4);
    }

    #[test]
    fn window() {
        let hits = [Hit {
            start: 0,
            end: 5,
            groups: PHONE,
        }];
        assert_eq!(near(&hits, 7, 20), PHONE);
        assert_eq!(near(&hits, 200, 220), 0);
    }
}
