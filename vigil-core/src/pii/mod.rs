//! PII detection and redaction.
//!
//! ```text
//!   text ──> numeric runs (cards, PESEL, NIP, REGON, SSN, NHS, phones, IPv4, ...)
//!        ──> patterns (e-mail, URL, IPv6, MAC, IBAN, BIC, ID cards, secrets, host recognizers)
//!        ──> names (gazetteer, optional)
//!            │ candidates with a base score
//!            v
//!   context words (EN/PL, one Aho-Corasick pass) raise or lower each score
//!            v
//!   threshold per type ──> overlaps resolved (secret > checksum id > structured > phone/URL
//!   > name; then the longer span) ──> redaction (token | mask | keyed pseudonym)
//! ```
//!
//! Every validator is a real check (Luhn with issuer ranges, IBAN mod-97 with the per-country
//! length table, PESEL check digit and birth date, REGON remainder-10 rule, ...). A number with
//! neither a valid check nor a context word is never reported; most bare numbers with a valid
//! check still need a context word, because any check digit passes about one random number in
//! ten.
//!
//! ```
//! use vigil_core::Engine;
//!
//! let engine = Engine::default();
//! let report = engine.scan_pii("Mój PESEL to 44051401359, mail: jan@example.com");
//! let types: Vec<&str> = report.entities.iter().map(|e| e.entity_type.as_str()).collect();
//! assert_eq!(types, ["PL_PESEL", "EMAIL_ADDRESS"]);
//! assert_eq!(report.sanitized_text.as_deref(), Some("Mój PESEL to [PESEL], mail: [EMAIL]"));
//! ```

mod checksum;
mod context;
mod names;
mod numeric;
mod patterns;
mod redact;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use regex_automata::meta::Regex;
use serde::{Deserialize, Serialize};

use crate::config::ConfigError;
use context::ContextWords;
use redact::Redactor;

/// How found entities are replaced in `sanitizedText`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RedactionMode {
    /// One token per type: `[EMAIL]`, `[PESEL]`, ... (see [`RedactionConfig::tokens`]).
    #[default]
    Token,
    /// Letters and digits become the mask char, keeping `mask_keep_head`/`mask_keep_tail` of
    /// them (secrets are always masked completely).
    Mask,
    /// `[EMAIL_1f0c9a2b3d4e]`: HMAC-SHA256 of the value under the host's key, so the same value
    /// gives the same token and downstream text stays coherent. Falls back to `Token` when no
    /// key is configured.
    Pseudonym,
}

/// A key for keyed pseudonyms. Its `Debug` output never shows the key.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PseudonymKey(pub String);

impl fmt::Debug for PseudonymKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PseudonymKey(<redacted>)")
    }
}

/// Redaction settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RedactionConfig {
    /// Default mode (`Engine::scan_pii_with` overrides it per call).
    pub mode: RedactionMode,
    /// Token per entity type, overriding the built-in ones (`EMAIL_ADDRESS = "[E-MAIL]"`).
    pub tokens: BTreeMap<String, String>,
    /// Character that replaces masked letters and digits.
    pub mask_char: char,
    /// Letters/digits kept at the start in `mask` mode.
    pub mask_keep_head: usize,
    /// Letters/digits kept at the end in `mask` mode (values shorter than twice head + tail are
    /// masked completely).
    pub mask_keep_tail: usize,
    /// HMAC key for `pseudonym` mode, at least 16 bytes. Pass it in from a secret store.
    pub pseudonym_key: Option<PseudonymKey>,
}

impl Default for RedactionConfig {
    fn default() -> Self {
        RedactionConfig {
            mode: RedactionMode::Token,
            tokens: BTreeMap::new(),
            mask_char: '*',
            mask_keep_head: 0,
            mask_keep_tail: 4,
            pseudonym_key: None,
        }
    }
}

/// A recognizer the host adds from config.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecognizerSpec {
    /// Entity type it reports (`EMPLOYEE_ID`): upper case, digits and `_`, not a built-in type.
    pub entity: String,
    /// Regular expression (regex-automata syntax, linear time).
    pub pattern: String,
    /// Optional check on the match's letters and digits: one of [`VALIDATORS`].
    #[serde(default)]
    pub validator: Option<String>,
    /// Score of a match without context, 0-1.
    #[serde(default = "default_recognizer_score")]
    pub score: f32,
    /// Words that raise the score by 0.35 when near the match (case-insensitive; `word*` for a
    /// stem).
    #[serde(default)]
    pub context: Vec<String>,
}

fn default_recognizer_score() -> f32 {
    0.6
}

/// Validator names a host recognizer may use.
pub const VALIDATORS: &[&str] = &[
    "luhn",
    "iban",
    "mod97",
    "pesel",
    "nip",
    "regon",
    "us_ssn",
    "uk_nhs",
    "de_tax_id",
    "fr_nir",
    "nl_bsn",
    "se_personnummer",
    "es_dni",
    "it_fiscal_code",
    "pl_id_card",
];

/// PII settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PiiConfig {
    /// Run the PII pass in `Engine::analyze` unless a request says otherwise.
    pub enabled: bool,
    /// Score (0-1) an entity needs to be reported, unless `thresholds` names its type.
    pub min_score: f32,
    /// Per-type score thresholds (`PHONE_NUMBER = 0.7`).
    pub thresholds: BTreeMap<String, f32>,
    /// Entity types switched off (`["URL", "IP_ADDRESS"]`).
    pub disabled: Vec<String>,
    /// Find person names with the built-in gazetteer (off by default; see the README for its
    /// measured recall).
    pub person_names: bool,
    /// How entities are replaced.
    pub redaction: RedactionConfig,
    /// Host-defined recognizers (at most 32).
    pub recognizers: Vec<RecognizerSpec>,
}

impl Default for PiiConfig {
    fn default() -> Self {
        PiiConfig {
            enabled: true,
            min_score: 0.5,
            thresholds: BTreeMap::new(),
            disabled: Vec::new(),
            person_names: false,
            redaction: RedactionConfig::default(),
            recognizers: Vec::new(),
        }
    }
}

const MAX_RECOGNIZERS: usize = 32;

impl PiiConfig {
    fn known_types(&self) -> Vec<String> {
        Kind::ALL
            .iter()
            .map(|k| k.name().to_string())
            .chain(self.recognizers.iter().map(|r| r.entity.clone()))
            .collect()
    }

    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        let unit = |field: String, v: f32| {
            if (0.0..=1.0).contains(&v) {
                Ok(())
            } else {
                Err(ConfigError::invalid(field, v, "0.0 ..= 1.0"))
            }
        };
        unit("pii.min_score".into(), self.min_score)?;
        if self.recognizers.len() > MAX_RECOGNIZERS {
            return Err(ConfigError::invalid(
                "pii.recognizers",
                format!("{} recognizers", self.recognizers.len()),
                format!("at most {MAX_RECOGNIZERS}"),
            ));
        }
        let mut seen = BTreeSet::new();
        for (i, r) in self.recognizers.iter().enumerate() {
            let field = |name: &str| format!("pii.recognizers[{i}].{name}");
            let name_ok = r.entity.len() >= 2
                && r.entity.len() <= 48
                && r.entity.starts_with(|c: char| c.is_ascii_uppercase())
                && r.entity
                    .bytes()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_');
            if !name_ok {
                return Err(ConfigError::invalid(
                    field("entity"),
                    format!("{:?}", r.entity),
                    "2-48 chars of A-Z, 0-9 and _, starting with a letter",
                ));
            }
            if Kind::from_name(&r.entity).is_some() || !seen.insert(r.entity.as_str()) {
                return Err(ConfigError::invalid(
                    field("entity"),
                    format!("{:?}", r.entity),
                    "a name that is neither built in nor used by another recognizer",
                ));
            }
            if r.pattern.is_empty() || r.pattern.len() > 2000 {
                return Err(ConfigError::invalid(
                    field("pattern"),
                    format!("{} bytes", r.pattern.len()),
                    "a pattern of 1 ..= 2000 bytes",
                ));
            }
            if let Some(v) = &r.validator {
                if !VALIDATORS.contains(&v.as_str()) {
                    return Err(ConfigError::invalid(
                        field("validator"),
                        format!("{v:?}"),
                        VALIDATORS.join(", "),
                    ));
                }
            }
            unit(field("score"), r.score)?;
            if let Some(w) = r
                .context
                .iter()
                .find(|w| w.trim_end_matches('*').trim().is_empty())
            {
                return Err(ConfigError::invalid(
                    field("context"),
                    format!("{w:?}"),
                    "non-empty words",
                ));
            }
        }
        let known = self.known_types();
        let check_type = |field: String, name: &str| {
            if known.iter().any(|k| k == name) {
                Ok(())
            } else {
                Err(ConfigError::invalid(
                    field,
                    format!("{name:?}"),
                    known.join(", "),
                ))
            }
        };
        for (name, v) in &self.thresholds {
            check_type(format!("pii.thresholds.{name}"), name)?;
            unit(format!("pii.thresholds.{name}"), *v)?;
        }
        for name in &self.disabled {
            check_type("pii.disabled".into(), name)?;
        }
        for (name, token) in &self.redaction.tokens {
            check_type(format!("pii.redaction.tokens.{name}"), name)?;
            if token.trim().is_empty() || token.len() > 64 {
                return Err(ConfigError::invalid(
                    format!("pii.redaction.tokens.{name}"),
                    format!("{token:?}"),
                    "a non-empty token of at most 64 bytes",
                ));
            }
        }
        let r = &self.redaction;
        if r.mask_char.is_alphanumeric() {
            return Err(ConfigError::invalid(
                "pii.redaction.mask_char",
                format!("{:?}", r.mask_char),
                "a character that is not a letter or digit",
            ));
        }
        if r.mask_keep_head > 8 || r.mask_keep_tail > 8 {
            return Err(ConfigError::invalid(
                "pii.redaction.mask_keep_head/mask_keep_tail",
                format!("{}/{}", r.mask_keep_head, r.mask_keep_tail),
                "0 ..= 8 each",
            ));
        }
        match &r.pseudonym_key {
            Some(k) if k.0.len() < 16 => {
                return Err(ConfigError::invalid(
                    "pii.redaction.pseudonym_key",
                    format!("a key of {} bytes", k.0.len()),
                    "at least 16 bytes",
                ));
            }
            None if r.mode == RedactionMode::Pseudonym => {
                return Err(ConfigError::invalid(
                    "pii.redaction.pseudonym_key",
                    "none",
                    "a key of at least 16 bytes when mode = \"pseudonym\"",
                ));
            }
            _ => {}
        }
        Ok(())
    }
}

/// One piece of personal data or secret found in the text. Never carries the value itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PiiEntity {
    /// Entity type (`EMAIL_ADDRESS`, `PL_PESEL`, `CREDIT_CARD`, ...; see [`BUILTIN_TYPES`]).
    #[serde(rename = "type")]
    pub entity_type: String,
    /// Code-point offset of the first character in the original text.
    pub start: usize,
    /// Code-point offset one past the last character.
    pub end: usize,
    /// Byte offset of the first character.
    pub byte_start: usize,
    /// Byte offset one past the last character.
    pub byte_end: usize,
    /// Confidence, 0-1.
    pub score: f32,
}

/// What the PII pass found, and the redacted text when anything was redacted.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PiiReport {
    /// Entities, ordered by position, without overlaps.
    pub entities: Vec<PiiEntity>,
    /// The text with every entity redacted; `None` when nothing was found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sanitized_text: Option<String>,
}

impl PiiReport {
    /// The text that is safe to pass on: `sanitized_text`, or `original` when nothing was found.
    pub fn text_or<'a>(&'a self, original: &'a str) -> &'a str {
        self.sanitized_text.as_deref().unwrap_or(original)
    }
}

macro_rules! kinds {
    ($($variant:ident => $name:literal, $token:literal, $rank:literal;)*) => {
        /// Built-in entity types.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum Kind { $($variant),* }

        impl Kind {
            pub(crate) const ALL: &'static [Kind] = &[$(Kind::$variant),*];

            pub(crate) fn name(self) -> &'static str {
                match self { $(Kind::$variant => $name),* }
            }

            fn token(self) -> &'static str {
                match self { $(Kind::$variant => $token),* }
            }

            /// Specificity: on overlap the higher rank wins.
            fn rank(self) -> u8 {
                match self { $(Kind::$variant => $rank),* }
            }
        }

        /// Every built-in entity type name.
        pub const BUILTIN_TYPES: &[&str] = &[$($name),*];
    };
}

kinds! {
    Email => "EMAIL_ADDRESS", "[EMAIL]", 3;
    Phone => "PHONE_NUMBER", "[PHONE]", 2;
    IpAddress => "IP_ADDRESS", "[IP]", 3;
    Url => "URL", "[URL]", 3;
    MacAddress => "MAC_ADDRESS", "[MAC]", 3;
    CreditCard => "CREDIT_CARD", "[CARD]", 4;
    IbanCode => "IBAN_CODE", "[IBAN]", 4;
    SwiftCode => "SWIFT_CODE", "[SWIFT]", 3;
    PlPesel => "PL_PESEL", "[PESEL]", 4;
    PlNip => "PL_NIP", "[NIP]", 4;
    PlRegon => "PL_REGON", "[REGON]", 4;
    PlIdCard => "PL_ID_CARD", "[ID_CARD]", 4;
    PlPassport => "PL_PASSPORT", "[PASSPORT]", 4;
    UsSsn => "US_SSN", "[SSN]", 3;
    UkNino => "UK_NINO", "[NINO]", 3;
    UkNhs => "UK_NHS", "[NHS]", 4;
    DeTaxId => "DE_TAX_ID", "[STEUER_ID]", 4;
    EsDni => "ES_DNI", "[DNI]", 4;
    ItFiscalCode => "IT_FISCAL_CODE", "[CODICE_FISCALE]", 4;
    FrNir => "FR_NIR", "[NIR]", 4;
    NlBsn => "NL_BSN", "[BSN]", 4;
    SePersonnummer => "SE_PERSONNUMMER", "[PERSONNUMMER]", 4;
    AwsAccessKey => "AWS_ACCESS_KEY", "[AWS_ACCESS_KEY]", 5;
    AwsSecretKey => "AWS_SECRET_KEY", "[AWS_SECRET_KEY]", 5;
    GithubToken => "GITHUB_TOKEN", "[GITHUB_TOKEN]", 5;
    SlackToken => "SLACK_TOKEN", "[SLACK_TOKEN]", 5;
    StripeKey => "STRIPE_KEY", "[STRIPE_KEY]", 5;
    OpenaiApiKey => "OPENAI_API_KEY", "[OPENAI_API_KEY]", 5;
    GoogleApiKey => "GOOGLE_API_KEY", "[GOOGLE_API_KEY]", 5;
    Jwt => "JWT", "[JWT]", 5;
    PrivateKey => "PRIVATE_KEY", "[PRIVATE_KEY]", 5;
    Password => "PASSWORD", "[PASSWORD]", 5;
    Secret => "SECRET", "[SECRET]", 5;
    Person => "PERSON", "[PERSON]", 1;
}

impl Kind {
    fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|k| k.name() == name)
    }

    fn is_secret(self) -> bool {
        self.rank() == 5
    }
}

/// A proposed entity before context, thresholds and overlaps.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    /// Index into the scanner's type table (built-ins first, then host recognizers).
    pub(crate) kind: usize,
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) score: f32,
    /// Context groups that raise the score.
    pub(crate) context: u64,
    /// How much they raise it.
    pub(crate) boost: f32,
}

impl Candidate {
    pub(crate) fn new(kind: Kind, start: usize, end: usize, score: f32, context: u64) -> Self {
        Candidate {
            kind: kind as usize,
            start,
            end,
            score,
            context,
            boost: numeric::CONTEXT_BOOST,
        }
    }
}

/// How much an id's context word lowers a phone-shaped number that has no phone context.
const COMPETING_CONTEXT_PENALTY: f32 = 0.3;

/// How much a "not personal data" word (order, version, invoice ...) lowers a number's score.
const NOT_PII_PENALTY: f32 = 0.4;

#[derive(Debug, Clone)]
enum Validator {
    Digits(fn(&[u8]) -> bool),
    Alnum(fn(&[u8]) -> bool),
}

impl Validator {
    fn by_name(name: &str) -> Option<Validator> {
        use checksum as ck;
        fn mod97_one(s: &[u8]) -> bool {
            checksum::mod97(s.iter().copied()) == Some(1)
        }
        Some(match name {
            "luhn" => Validator::Digits(ck::luhn),
            "iban" => Validator::Alnum(ck::iban),
            "mod97" => Validator::Alnum(mod97_one),
            "pesel" => Validator::Digits(ck::pesel),
            "nip" => Validator::Digits(ck::nip),
            "regon" => Validator::Digits(ck::regon),
            "us_ssn" => Validator::Digits(ck::ssn),
            "uk_nhs" => Validator::Digits(ck::nhs),
            "de_tax_id" => Validator::Digits(ck::de_tax_id),
            "fr_nir" => Validator::Digits(ck::fr_nir),
            "nl_bsn" => Validator::Digits(ck::nl_bsn),
            "se_personnummer" => Validator::Digits(ck::se_personnummer),
            "es_dni" => Validator::Alnum(ck::es_dni),
            "it_fiscal_code" => Validator::Alnum(ck::it_fiscal_code),
            "pl_id_card" => Validator::Alnum(ck::pl_id_card),
            _ => return None,
        })
    }

    fn check(&self, m: &str) -> bool {
        match self {
            Validator::Digits(f) => {
                let d: Vec<u8> = m
                    .bytes()
                    .filter(u8::is_ascii_digit)
                    .map(|b| b - b'0')
                    .collect();
                f(&d)
            }
            Validator::Alnum(f) => {
                let a: Vec<u8> = m
                    .bytes()
                    .filter(u8::is_ascii_alphanumeric)
                    .map(|b| b.to_ascii_uppercase())
                    .collect();
                f(&a)
            }
        }
    }
}

#[derive(Debug, Clone)]
struct Custom {
    regex: Regex,
    validator: Option<Validator>,
    score: f32,
    group: u64,
}

/// One entry of the scanner's type table.
#[derive(Debug, Clone)]
struct TypeInfo {
    name: String,
    token: String,
    rank: u8,
    secret: bool,
    enabled: bool,
    threshold: f32,
}

/// Compiled PII recognizers. Immutable; build once (in [`crate::Engine::new`]) and share.
#[derive(Debug, Clone)]
pub(crate) struct PiiScanner {
    types: Vec<TypeInfo>,
    context: ContextWords,
    patterns: patterns::Patterns,
    names: Option<names::Names>,
    custom: Vec<Custom>,
    redactor: Redactor,
}

impl PiiScanner {
    pub(crate) fn new(config: &PiiConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        let threshold = |name: &str| {
            config
                .thresholds
                .get(name)
                .copied()
                .unwrap_or(config.min_score)
        };
        let token = |name: &str, default: String| {
            config
                .redaction
                .tokens
                .get(name)
                .cloned()
                .unwrap_or(default)
        };
        let disabled = |name: &str| config.disabled.iter().any(|d| d == name);
        let mut types: Vec<TypeInfo> = Kind::ALL
            .iter()
            .map(|&k| TypeInfo {
                name: k.name().to_string(),
                token: token(k.name(), k.token().to_string()),
                rank: k.rank(),
                secret: k.is_secret(),
                enabled: !disabled(k.name()) && (k != Kind::Person || config.person_names),
                threshold: threshold(k.name()),
            })
            .collect();
        let mut custom = Vec::new();
        let mut extra_words = Vec::new();
        for (i, spec) in config.recognizers.iter().enumerate() {
            let regex = Regex::builder()
                .configure(Regex::config().nfa_size_limit(Some(4 << 20)))
                .build(&spec.pattern)
                .map_err(|e| {
                    ConfigError::invalid(
                        format!("pii.recognizers[{i}].pattern"),
                        format!("{:?} ({e})", spec.pattern),
                        "a valid regex-automata pattern",
                    )
                })?;
            if regex.is_match("") {
                return Err(ConfigError::invalid(
                    format!("pii.recognizers[{i}].pattern"),
                    format!("{:?}", spec.pattern),
                    "a pattern that cannot match the empty string",
                ));
            }
            let group = 1u64 << (context::group::CUSTOM_BASE as usize + i);
            extra_words.extend(spec.context.iter().map(|w| (w.clone(), group)));
            custom.push(Custom {
                regex,
                validator: spec.validator.as_deref().and_then(Validator::by_name),
                score: spec.score,
                group,
            });
            types.push(TypeInfo {
                name: spec.entity.clone(),
                token: token(&spec.entity, format!("[{}]", spec.entity)),
                rank: if spec.validator.is_some() { 4 } else { 3 },
                secret: false,
                enabled: !disabled(&spec.entity),
                threshold: threshold(&spec.entity),
            });
        }
        let context = ContextWords::new(&extra_words).map_err(|e| {
            ConfigError::invalid(
                "pii.recognizers[].context",
                e.to_string(),
                "context words that compile",
            )
        })?;
        let patterns = patterns::Patterns::new()
            .map_err(|e| ConfigError::invalid("pii", e, "built-in patterns that compile"))?;
        let r = &config.redaction;
        Ok(PiiScanner {
            types,
            context,
            patterns,
            names: config.person_names.then(names::Names::new),
            custom,
            redactor: Redactor {
                mode: r.mode,
                mask_char: r.mask_char,
                keep_head: r.mask_keep_head,
                keep_tail: r.mask_keep_tail,
                key: r.pseudonym_key.as_ref().map(|k| k.0.as_bytes().to_vec()),
            },
        })
    }

    /// Find and redact with the configured mode.
    pub(crate) fn scan(&self, text: &str) -> PiiReport {
        self.scan_with(text, None)
    }

    /// Find and redact; `mode` overrides the configured redaction mode.
    pub(crate) fn scan_with(&self, text: &str, mode: Option<RedactionMode>) -> PiiReport {
        let found = self.find(text);
        if found.is_empty() {
            return PiiReport::default();
        }
        let mode = mode.unwrap_or(self.redactor.mode);
        let mut sanitized = String::with_capacity(text.len());
        let mut entities = Vec::with_capacity(found.len());
        let (mut last, mut chars) = (0, 0);
        for c in &found {
            let info = &self.types[c.kind];
            chars += text[last..c.start].chars().count();
            let start = chars;
            chars += text[c.start..c.end].chars().count();
            sanitized.push_str(&text[last..c.start]);
            sanitized.push_str(&self.redactor.replace(
                mode,
                &info.name,
                &info.token,
                &text[c.start..c.end],
                info.secret,
            ));
            last = c.end;
            entities.push(PiiEntity {
                entity_type: info.name.clone(),
                start,
                end: chars,
                byte_start: c.start,
                byte_end: c.end,
                score: (c.score * 1000.0).round() / 1000.0,
            });
        }
        sanitized.push_str(&text[last..]);
        PiiReport {
            entities,
            sanitized_text: Some(sanitized),
        }
    }

    /// Scored, thresholded, non-overlapping candidates ordered by position.
    fn find(&self, text: &str) -> Vec<Candidate> {
        let mut cands = Vec::new();
        numeric::scan(text, &mut cands);
        self.patterns.scan(text, &mut cands);
        if let Some(names) = &self.names {
            names.scan(text, &mut cands);
        }
        let base = Kind::ALL.len();
        for (i, c) in self.custom.iter().enumerate() {
            for m in c.regex.find_iter(text) {
                if m.is_empty()
                    || c.validator
                        .as_ref()
                        .is_some_and(|v| !v.check(&text[m.range()]))
                {
                    continue;
                }
                cands.push(Candidate {
                    kind: base + i,
                    start: m.start(),
                    end: m.end(),
                    score: c.score,
                    context: c.group,
                    boost: 0.35,
                });
            }
        }
        if cands.is_empty() {
            return cands;
        }
        let hits = self.context.find(text);
        cands.retain_mut(|c| {
            let info = &self.types[c.kind];
            if !info.enabled {
                return false;
            }
            let near = context::near(&hits, c.start, c.end);
            if near & c.context != 0 {
                c.score += c.boost;
            } else if c.kind == Kind::Phone as usize && near & context::group::IDS != 0 {
                // "SSN 054-00-6917" with an invalid SSN is not a phone number either.
                c.score -= COMPETING_CONTEXT_PENALTY;
            }
            let negative =
                context::within(&hits, c.start, c.end, context::NEGATIVE_WINDOW_BEFORE, 0);
            if negative & context::group::NOT_PII != 0 && c.context != 0 {
                c.score -= NOT_PII_PENALTY;
            }
            c.score = c.score.clamp(0.0, 1.0);
            c.score >= info.threshold && c.score > 0.0
        });
        // Most specific first, then the longer span, then the higher score.
        cands.sort_by(|a, b| {
            let (ra, rb) = (self.types[a.kind].rank, self.types[b.kind].rank);
            rb.cmp(&ra)
                .then((b.end - b.start).cmp(&(a.end - a.start)))
                .then(b.score.total_cmp(&a.score))
                .then(a.start.cmp(&b.start))
        });
        // Accepted spans keyed by start; neighbours tell whether a new span overlaps.
        let mut taken: BTreeMap<usize, Candidate> = BTreeMap::new();
        for c in cands {
            let before = taken.range(..c.end).next_back();
            let overlaps = before.is_some_and(|(_, p)| p.end > c.start);
            if !overlaps {
                taken.insert(c.start, c);
            }
        }
        taken.into_values().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_prefers_specific_then_longer() {
        let s = PiiScanner::new(&PiiConfig::default()).unwrap();
        // A PESEL is also 11 digits a phone could have; the checksum entity wins.
        let r = s.scan("PESEL 44051401359 tel. 601 234 567");
        let t: Vec<&str> = r.entities.iter().map(|e| e.entity_type.as_str()).collect();
        assert_eq!(t, ["PL_PESEL", "PHONE_NUMBER"]);
    }

    #[test]
    fn offsets_are_code_points_into_the_original() {
        let s = PiiScanner::new(&PiiConfig::default()).unwrap();
        let text = "Zażółć gęślą jaźń: jan@example.com";
        let r = s.scan(text);
        let e = &r.entities[0];
        assert_eq!(&text[e.byte_start..e.byte_end], "jan@example.com");
        let chars: Vec<char> = text.chars().collect();
        assert_eq!(
            chars[e.start..e.end].iter().collect::<String>(),
            "jan@example.com"
        );
    }
}
