//! PII recognizers, redaction, configuration and the engine contract, table-driven.

use vigil_core::pii::{RedactionMode, VALIDATORS};
use vigil_core::{
    AnalyzeRequest, BranchResult, Config, ConfigError, Decision, Engine, PiiConfig, PiiReport,
    ThreatLevel,
};

fn engine_with(pii: PiiConfig) -> Engine {
    Engine::new(Config {
        pii,
        ..Config::default()
    })
    .expect("valid config")
}

fn default_engine() -> Engine {
    engine_with(PiiConfig::default())
}

/// (type, matched text) for every entity.
fn found(engine: &Engine, text: &str) -> Vec<(String, String)> {
    let report = engine.scan_pii(text);
    report
        .entities
        .iter()
        .map(|e| {
            (
                e.entity_type.clone(),
                text[e.byte_start..e.byte_end].to_string(),
            )
        })
        .collect()
}

#[test]
fn every_builtin_recognizer_finds_its_entity_in_context() {
    let engine = default_engine();
    let cases: &[(&str, &str, &str)] = &[
        (
            "EMAIL_ADDRESS",
            "Write to anna.nowak+work@example.co.uk today.",
            "anna.nowak+work@example.co.uk",
        ),
        (
            "EMAIL_ADDRESS",
            "Napisz na zażółć@przykład.pl",
            "zażółć@przykład.pl",
        ),
        (
            "PHONE_NUMBER",
            "Call me at +48 601 234 567.",
            "+48 601 234 567",
        ),
        ("PHONE_NUMBER", "Zadzwoń: 601-234-567", "601-234-567"),
        (
            "PHONE_NUMBER",
            "US office (415) 555-2671 ext. 12",
            "(415) 555-2671 ext. 12",
        ),
        ("PHONE_NUMBER", "UK mobile 07700 900123", "07700 900123"),
        ("PHONE_NUMBER", "Berlin: +49 30 901820", "+49 30 901820"),
        ("PHONE_NUMBER", "Telefon 030 / 901820", "030 / 901820"),
        ("PHONE_NUMBER", "Paris 01 42 68 53 00", "01 42 68 53 00"),
        ("PHONE_NUMBER", "Madrid tel. 912 345 678", "912 345 678"),
        ("PHONE_NUMBER", "Roma +39 06 6982 1234", "+39 06 6982 1234"),
        (
            "PHONE_NUMBER",
            "E.164 +447700900123 please",
            "+447700900123",
        ),
        ("IP_ADDRESS", "server at 10.20.30.40 is down", "10.20.30.40"),
        (
            "IP_ADDRESS",
            "host 2001:db8:85a3::8a2e:370:7334 unreachable",
            "2001:db8:85a3::8a2e:370:7334",
        ),
        (
            "URL",
            "see https://example.org/path?q=1.",
            "https://example.org/path?q=1",
        ),
        (
            "URL",
            "link: [docs](https://docs.example.com/a_(b)) ok",
            "https://docs.example.com/a_(b)",
        ),
        (
            "MAC_ADDRESS",
            "device 3c:22:fb:12:34:56 joined",
            "3c:22:fb:12:34:56",
        ),
        (
            "CREDIT_CARD",
            "card 4111 1111 1111 1111 exp 12/28",
            "4111 1111 1111 1111",
        ),
        ("CREDIT_CARD", "Amex 3782-822463-10005", "3782-822463-10005"),
        (
            "CREDIT_CARD",
            "numer karty 5555555555554444",
            "5555555555554444",
        ),
        (
            "IBAN_CODE",
            "IBAN: PL61 1090 1014 0000 0712 1981 2874.",
            "PL61 1090 1014 0000 0712 1981 2874",
        ),
        (
            "IBAN_CODE",
            "konto DE89370400440532013000",
            "DE89370400440532013000",
        ),
        (
            "IBAN_CODE",
            "nr konta pl61109010140000071219812874",
            "pl61109010140000071219812874",
        ),
        ("SWIFT_CODE", "SWIFT/BIC: BPKOPLPW", "BPKOPLPW"),
        ("PL_PESEL", "Mój PESEL: 44051401359", "44051401359"),
        (
            "PL_PESEL",
            "pesel urodzonego w 2002 r.: 02271409867",
            "02271409867",
        ),
        ("PL_NIP", "NIP 123-456-32-18", "123-456-32-18"),
        ("PL_NIP", "VAT EU: PL1234563218", "PL1234563218"),
        ("PL_REGON", "REGON 123456785", "123456785"),
        ("PL_REGON", "regon spółki 12345678512347", "12345678512347"),
        (
            "PL_ID_CARD",
            "seria i numer dowodu: ABA 300000",
            "ABA 300000",
        ),
        ("PL_PASSPORT", "numer paszportu AB4123456", "AB4123456"),
        ("US_SSN", "my SSN is 054-28-6917", "054-28-6917"),
        (
            "UK_NINO",
            "National Insurance number AB 12 34 56 C",
            "AB 12 34 56 C",
        ),
        ("UK_NHS", "NHS number 943 476 5919", "943 476 5919"),
        ("DE_TAX_ID", "Steuer-ID 86095742719", "86095742719"),
        ("NL_BSN", "mijn BSN is 111222333", "111222333"),
        ("SE_PERSONNUMMER", "personnummer 811218-9876", "811218-9876"),
        (
            "SE_PERSONNUMMER",
            "personnummer 19811218-9876",
            "19811218-9876",
        ),
        ("ES_DNI", "DNI 12345678Z", "12345678Z"),
        ("ES_DNI", "NIE X1234567L", "X1234567L"),
        (
            "IT_FISCAL_CODE",
            "codice fiscale RSSMRA85T10A562S",
            "RSSMRA85T10A562S",
        ),
        (
            "FR_NIR",
            "numéro de sécurité sociale 1 85 05 78 006 084 91",
            "1 85 05 78 006 084 91",
        ),
        (
            "AWS_ACCESS_KEY",
            "key AKIAIOSFODNN7EXAMPLE",
            "AKIAIOSFODNN7EXAMPLE",
        ),
        (
            "AWS_SECRET_KEY",
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        ),
        (
            "GITHUB_TOKEN",
            "token ghp_abcdefghijklmnopqrstuvwxyz0123456789",
            "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
        ),
        (
            "SLACK_TOKEN",
            "xoxb-123456789012-1234567890123-AbCdEfGhIjKl",
            "xoxb-123456789012-1234567890123-AbCdEfGhIjKl",
        ),
        (
            "STRIPE_KEY",
            "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
            "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
        ),
        (
            "OPENAI_API_KEY",
            "OPENAI sk-proj-AbCdEf0123456789AbCdEf0123",
            "sk-proj-AbCdEf0123456789AbCdEf0123",
        ),
        (
            "GOOGLE_API_KEY",
            "AIzaSyA-1234567890abcdefghijklmnopqrstu",
            "AIzaSyA-1234567890abcdefghijklmnopqrstu",
        ),
        (
            "JWT",
            "Bearer-less eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ",
        ),
        (
            "PASSWORD",
            "db password=\"Tr0ub4dor&3\" in config",
            "Tr0ub4dor&3",
        ),
        ("PASSWORD", "moje hasło to Kot123#", "Kot123#"),
        (
            "PASSWORD",
            "DATABASE_URL=postgres://app:s3cr3t@db.internal:5432/app",
            "s3cr3t",
        ),
        (
            "SECRET",
            "api_key: 9f8e7d6c5b4a39281706",
            "9f8e7d6c5b4a39281706",
        ),
    ];
    for (ty, text, value) in cases {
        let f = found(&engine, text);
        assert!(
            f.contains(&(ty.to_string(), value.to_string())),
            "{ty} not found as {value:?} in {text:?}; got {f:?}"
        );
    }
}

#[test]
fn csv_rows_and_parentheses_keep_exact_spans() {
    let engine = default_engine();
    assert_eq!(
        found(&engine, "pesel,nip\n44051401359,1234563218"),
        [
            ("PL_PESEL".to_string(), "44051401359".to_string()),
            ("PL_NIP".to_string(), "1234563218".to_string())
        ]
    );
    assert_eq!(
        found(&engine, "klient (PESEL 44051401359)"),
        [("PL_PESEL".to_string(), "44051401359".to_string())]
    );
    assert_eq!(
        found(&engine, "kwota 1234,56 zł"),
        Vec::<(String, String)>::new()
    );
}

#[test]
fn pem_private_keys_are_redacted_whole_even_when_cut_off() {
    let engine = default_engine();
    let key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\nAAAAAAABAAAAMwAAAAtzc2gtZWQyNTUxOQ\n-----END OPENSSH PRIVATE KEY-----";
    let report = engine.scan_pii(&format!("my key:\n{key}\nthanks"));
    assert_eq!(
        report.sanitized_text.as_deref(),
        Some("my key:\n[PRIVATE_KEY]\nthanks")
    );
    let cut = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7";
    let report = engine.scan_pii(cut);
    assert_eq!(report.sanitized_text.as_deref(), Some("[PRIVATE_KEY]"));
}

#[test]
fn invalid_checksums_and_bare_numbers_are_not_pii() {
    let engine = default_engine();
    let texts = [
        "PESEL: 44051401358",                      // wrong check digit
        "PESEL: 44133101353",                      // month 13
        "NIP 123-456-32-19",                       // wrong check digit
        "REGON 123456786",                         // wrong check digit
        "card 4111 1111 1111 1112",                // fails Luhn
        "IBAN PL61 1090 1014 0000 0712 1981 2875", // fails mod-97
        "IBAN PL61 1090 1014 0000 0712 1981 287",  // wrong length for PL
        "SSN 666-28-6917",                         // area 666
        "SSN 054-00-6917",                         // group 00
        "NHS number 943 476 5918",                 // wrong check digit
        "44051401359",                             // valid PESEL, but no context at all
        "Order 4111111111111111 shipped",          // valid Luhn, no card context, "order" nearby
        "The population grew to 38265432 in 2020.",
        "Version 1.2.3 was built on 2024-05-17 at 12:30:45.",
        "It costs $1,234,567.89 or 1 234 567 zł.",
        "Invoice INV-2025-0411-C and ticket #48213.",
        "pi = 3.14159265358979",
        "Termin: 17/05/2024 und 18/05/2024",
        "Call log of 02/24/2023: nothing",
        "Enter your e-mail and password to access your account.",
        "The password is incorrect, please try again.",
        "password = input(\"Password: \")",
        "let password: String = form['password'];",
        "db_password=self.config.db_password",
        "token: str, api_key: Optional[str] = None",
        "Our BUSINESS bank account is with a big bank.",
    ];
    for text in texts {
        let f = found(&engine, text);
        assert!(f.is_empty(), "{text:?} gave {f:?}");
    }
}

#[test]
fn context_words_raise_and_lower_confidence() {
    let engine = default_engine();
    // The same valid number: no context, PL context, EN context.
    assert!(found(&engine, "44051401359").is_empty());
    assert_eq!(found(&engine, "PESEL 44051401359")[0].0, "PL_PESEL");
    // A bare 9-digit number is a phone only when something says so.
    assert!(found(&engine, "see 601234567").is_empty());
    assert_eq!(found(&engine, "tel. 601234567")[0].0, "PHONE_NUMBER");
    assert_eq!(found(&engine, "call me on 601234567")[0].0, "PHONE_NUMBER");
    // An order number right before a phone-shaped number lowers it below the threshold.
    assert!(found(&engine, "order no. 601 234 567").is_empty());
    // Scores rise with context.
    let bare = engine.scan_pii("Reach 10.1.2.3").entities[0].score;
    let ctx = engine.scan_pii("IP address 10.1.2.3").entities[0].score;
    assert!(ctx > bare);
}

#[test]
fn overlaps_resolve_to_the_most_specific_entity() {
    let engine = default_engine();
    // A valid PESEL would also be an 11-digit phone number.
    assert_eq!(
        found(&engine, "tel/PESEL: 44051401359"),
        [("PL_PESEL".to_string(), "44051401359".to_string())]
    );
    // An e-mail inside a URL: the URL is the longer equally specific span.
    let f = found(&engine, "https://example.com/u/jan@example.com/profile");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].0, "URL");
    // A connection string password wins over the URL around it.
    let f = found(&engine, "postgres://admin:hunter22@10.0.0.5/db");
    assert!(f.contains(&("PASSWORD".into(), "hunter22".into())), "{f:?}");
    // Entities never overlap.
    let r = engine
        .scan_pii("IBAN GB82 WEST 1234 5698 7654 32, card 4111111111111111, tel +44 20 7946 0958");
    for w in r.entities.windows(2) {
        assert!(w[0].byte_end <= w[1].byte_start);
    }
}

#[test]
fn offsets_are_code_points_and_bytes_into_the_original() {
    let engine = default_engine();
    let text = "Zażółć 🦀 gęślą: jan@example.com i PESEL 44051401359";
    let r = engine.scan_pii(text);
    let chars: Vec<char> = text.chars().collect();
    assert_eq!(r.entities.len(), 2);
    for e in &r.entities {
        let by_bytes = &text[e.byte_start..e.byte_end];
        let by_chars: String = chars[e.start..e.end].iter().collect();
        assert_eq!(by_bytes, by_chars);
    }
    assert_eq!(r.entities[0].start, 16);
}

#[test]
fn redaction_modes() {
    let text = "Mail jan@example.com, card 4111 1111 1111 1111, again jan@example.com";
    let token = default_engine().scan_pii(text);
    assert_eq!(
        token.sanitized_text.as_deref(),
        Some("Mail [EMAIL], card [CARD], again [EMAIL]")
    );

    let mut cfg = PiiConfig::default();
    cfg.redaction.mode = RedactionMode::Mask;
    let masked = engine_with(cfg).scan_pii(text);
    assert_eq!(
        masked.sanitized_text.as_deref(),
        Some("Mail ***@******e.com, card **** **** **** 1111, again ***@******e.com")
    );

    let mut cfg = PiiConfig::default();
    cfg.redaction.mode = RedactionMode::Mask;
    cfg.redaction.mask_keep_head = 1;
    cfg.redaction.mask_keep_tail = 0;
    cfg.redaction.mask_char = '#';
    let masked = engine_with(cfg)
        .scan_pii("token ghp_abcdefghijklmnopqrstuvwxyz0123456789 card 4111 1111 1111 1111");
    // Secrets are masked completely whatever head/tail say.
    assert_eq!(
        masked.sanitized_text.as_deref(),
        Some("token ###_#################################### card 4### #### #### ####")
    );

    let toml = r#"
        [pii.redaction]
        mode = "pseudonym"
        pseudonym_key = "host-secret-key-0123456789"
        [pii.redaction.tokens]
        EMAIL_ADDRESS = "<email>"
    "#;
    let engine = Engine::new(Config::from_toml_str(toml).unwrap()).unwrap();
    let p = engine.scan_pii(text).sanitized_text.unwrap();
    let parts: Vec<&str> = p.split(", ").collect();
    let first = parts[0].strip_prefix("Mail ").unwrap();
    let again = parts[2].strip_prefix("again ").unwrap();
    assert_eq!(first, again, "same value, same pseudonym: {p}");
    assert!(
        first.starts_with("<email>_") && first.len() == "<email>_".len() + 12,
        "{p}"
    );
    assert!(parts[1].starts_with("card [CARD_"), "{p}");
    let other = engine
        .scan_pii("Mail ann@example.com")
        .sanitized_text
        .unwrap();
    assert_ne!(other.strip_prefix("Mail ").unwrap(), first);
    // A per-call mode overrides the configured one.
    let t = engine.scan_pii_with(text, RedactionMode::Token);
    assert_eq!(
        t.sanitized_text.as_deref(),
        Some("Mail <email>, card [CARD], again <email>")
    );
}

#[test]
fn per_entity_switches_thresholds_and_tokens() {
    let toml = r#"
        [pii]
        disabled = ["URL"]
        [pii.thresholds]
        IP_ADDRESS = 0.9
        [pii.redaction.tokens]
        PL_PESEL = "[NR PESEL]"
    "#;
    let engine = Engine::new(Config::from_toml_str(toml).unwrap()).unwrap();
    let r = engine.scan_pii("see https://example.com from 10.1.2.3, PESEL 44051401359");
    assert_eq!(
        r.sanitized_text.as_deref(),
        Some("see https://example.com from 10.1.2.3, PESEL [NR PESEL]")
    );
    // With an IP context word the IP clears 0.9.
    assert_eq!(found(&engine, "IP address 10.1.2.3")[0].0, "IP_ADDRESS");
}

#[test]
fn host_recognizers_with_validator_and_context() {
    let toml = r#"
        [[pii.recognizers]]
        entity = "EMPLOYEE_ID"
        pattern = "EMP-[0-9]{6}"
        score = 0.4
        context = ["employee", "pracownik*"]

        [[pii.recognizers]]
        entity = "LOYALTY_CARD"
        pattern = "LC[0-9]{12}"
        validator = "luhn"
        score = 0.7
    "#;
    let engine = Engine::new(Config::from_toml_str(toml).unwrap()).unwrap();
    assert!(
        found(&engine, "ref EMP-123456").is_empty(),
        "0.4 alone is under the threshold"
    );
    assert_eq!(
        found(&engine, "numer pracownika EMP-123456")[0].0,
        "EMPLOYEE_ID"
    );
    assert_eq!(found(&engine, "card LC411111111117")[0].0, "LOYALTY_CARD");
    assert!(
        found(&engine, "card LC411111111112").is_empty(),
        "fails Luhn"
    );
    let r = engine.scan_pii("employee EMP-123456");
    assert_eq!(r.sanitized_text.as_deref(), Some("employee [EMPLOYEE_ID]"));
}

fn invalid_field(toml: &str) -> String {
    match Config::from_toml_str(toml)
        .and_then(Engine::new)
        .map(|_| ())
    {
        Err(ConfigError::Invalid { field, .. }) => field,
        other => panic!("expected an invalid field for {toml}, got {other:?}"),
    }
}

#[test]
fn config_errors_name_the_field() {
    assert_eq!(invalid_field("[pii]\nmin_score = 1.5"), "pii.min_score");
    assert_eq!(
        invalid_field("[pii]\ndisabled = [\"EMAILS\"]"),
        "pii.disabled"
    );
    assert_eq!(
        invalid_field("[pii.thresholds]\nPL_PESEL = -0.1"),
        "pii.thresholds.PL_PESEL"
    );
    assert_eq!(
        invalid_field("[pii.redaction]\nmode = \"pseudonym\""),
        "pii.redaction.pseudonym_key"
    );
    assert_eq!(
        invalid_field("[pii.redaction]\npseudonym_key = \"short\""),
        "pii.redaction.pseudonym_key"
    );
    assert_eq!(
        invalid_field("[pii.redaction]\nmask_char = \"x\""),
        "pii.redaction.mask_char"
    );
    assert_eq!(
        invalid_field("[[pii.recognizers]]\nentity = \"X_ID\"\npattern = \"(unclosed\""),
        "pii.recognizers[0].pattern"
    );
    assert_eq!(
        invalid_field("[[pii.recognizers]]\nentity = \"X_ID\"\npattern = \"a*\""),
        "pii.recognizers[0].pattern"
    );
    assert_eq!(
        invalid_field("[[pii.recognizers]]\nentity = \"PL_PESEL\"\npattern = \"x\""),
        "pii.recognizers[0].entity"
    );
    assert_eq!(
        invalid_field(
            "[[pii.recognizers]]\nentity = \"X_ID\"\npattern = \"x\"\nvalidator = \"crc32\""
        ),
        "pii.recognizers[0].validator"
    );
    match Config::from_toml_str("[pii]\nperson_name = true") {
        Err(ConfigError::Parse(msg)) => assert!(msg.contains("person_name"), "{msg}"),
        other => panic!("unknown key must not parse: {other:?}"),
    }
    let msg = match Config::from_toml_str(
        "[pii.redaction]\nmode = \"pseudonym\"\npseudonym_key = \"short\"",
    ) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("short key accepted"),
    };
    assert!(
        !msg.contains("short\""),
        "the key itself is not echoed: {msg}"
    );
    assert!(VALIDATORS.contains(&"luhn") && VALIDATORS.contains(&"mod97"));
}

#[test]
fn the_pseudonym_key_is_not_in_debug_output() {
    let toml = "[pii.redaction]\nmode = \"pseudonym\"\npseudonym_key = \"do-not-print-this-key\"";
    let engine = Engine::new(Config::from_toml_str(toml).unwrap()).unwrap();
    assert!(!format!("{engine:?}").contains("do-not-print-this-key"));
}

#[test]
fn person_names_are_off_by_default_and_found_when_switched_on() {
    let text = "Dear Mr. Kowalski, please forward this to Anna Nowak.";
    assert!(found(&default_engine(), text).is_empty());
    let engine = engine_with(PiiConfig {
        person_names: true,
        ..PiiConfig::default()
    });
    let f = found(&engine, text);
    assert_eq!(
        f,
        [
            ("PERSON".to_string(), "Kowalski".to_string()),
            ("PERSON".to_string(), "Anna Nowak".to_string())
        ]
    );
}

#[test]
fn analyze_sanitizes_allowed_prompts_and_never_echoes_blocked_ones() {
    let engine = default_engine();
    let text = "Please email the summary to jan.kowalski@example.com";
    let verdict = engine.analyze(&AnalyzeRequest::new("r-1", text));
    if verdict.decision != Decision::Block {
        assert_eq!(verdict.decision, Decision::Sanitize);
        assert_eq!(
            verdict.sanitized_text.as_deref(),
            Some("Please email the summary to [EMAIL]")
        );
    }
    assert_eq!(verdict.pii.len(), 1);
    let json = serde_json::to_value(&verdict.pii[0]).unwrap();
    let mut keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["byteEnd", "byteStart", "end", "score", "start", "type"]
    );

    // A blocked verdict keeps the entity list but never carries text.
    let detection = engine.detect(text);
    let mut attack = BranchResult::degraded("C", "classifier", "n/a");
    attack.degraded = false;
    attack.score = 100;
    attack.threat_level = ThreatLevel::High;
    attack.confidence = 1.0;
    attack.explanations.clear();
    attack.features.clear();
    let report: PiiReport = engine.scan_pii(text);
    let blocked = engine.decide("r-2", &detection, &[attack], Some(&report));
    assert_eq!(blocked.decision, Decision::Block);
    assert!(blocked.sanitized_text.is_none());
    let wire = serde_json::to_string(&blocked).unwrap();
    assert!(!wire.contains("jan.kowalski"), "{wire}");
}

#[test]
fn redact_helper_for_detect_pii_first() {
    let engine = default_engine();
    assert_eq!(engine.redact("nothing here"), "nothing here");
    assert_eq!(engine.redact("ssn 054-28-6917"), "ssn [SSN]");
}

#[test]
fn hostile_inputs_are_scanned_in_linear_time() {
    // Each of these would be quadratic for a scanner that walks forward from every match;
    // the test finishes in seconds only if the scan is linear.
    let engine = default_engine();
    let n = 100_000;
    let inputs = [
        "www.".repeat(n / 4),
        "www.,".repeat(n / 5),
        "-----BEGIN PRIVATE KEY-----".repeat(n / 27),
        "1 ".repeat(n / 2),
        "a@".repeat(n / 2),
        "a.b@".repeat(n / 4),
        ":".repeat(n),
        "0".repeat(n),
        "password=".repeat(n / 9),
        "Anna ".repeat(n / 5),
        "+48 ".repeat(n / 4),
        "AB12".repeat(n / 4),
    ];
    for text in &inputs {
        let r = engine.scan_pii(text);
        for e in &r.entities {
            assert!(e.byte_end <= text.len());
        }
    }
}
