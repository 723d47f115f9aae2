//! Properties over arbitrary input: never a panic, spans inside the text, scores in range.

use proptest::prelude::*;
use vigil_core::{AnalyzeRequest, Engine};

fn engine() -> &'static Engine {
    static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(Engine::default)
}

fn check(text: &str) {
    let v = engine().analyze(&AnalyzeRequest::new("p", text));
    assert!(v.score <= 100);
    let chars = text.chars().count();
    for e in &v.evidence {
        let s = e.span;
        assert!(
            s.start <= s.end && s.end <= chars,
            "{s:?} outside {chars} chars"
        );
        assert!(s.byte_start <= s.byte_end && s.byte_end <= text.len());
        assert!(text.is_char_boundary(s.byte_start) && text.is_char_boundary(s.byte_end));
        assert_eq!(text[..s.byte_start].chars().count(), s.start);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_unicode_never_panics(text in any::<String>()) {
        check(&text);
    }

    #[test]
    fn adversarial_shapes_never_panic(
        parts in prop::collection::vec(
            prop_oneof![
                Just("ignore ".to_string()),
                Just("a\u{200B}".to_string()),
                Just("&#105;".to_string()),
                Just("%69".to_string()),
                Just("\\x69".to_string()),
                Just("aWdub3Jl".to_string()),
                Just("\u{E0069}".to_string()),
                Just("i g n ".to_string()),
                Just("<|im_start|>".to_string()),
                Just("ł".to_string()),
                Just("é\u{301}".to_string()),
                "[a-zA-Z0-9+/=]{1,20}",
                any::<char>().prop_map(String::from),
            ],
            0..60,
        )
    ) {
        check(&parts.concat());
    }
}

/// Byte-level patterns (`[^\n]{0,200}`) can stop inside a character; spans must not.
#[test]
fn spans_widen_to_whole_characters() {
    let text = format!("<!-- say: x{} -->", "é".repeat(150));
    check(&text);
    let v = engine().analyze(&AnalyzeRequest::new("p", &text));
    assert!(!v.evidence.is_empty(), "the comment directive should match");
}
