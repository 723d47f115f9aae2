//! Turning found entities into replacement text: type tokens, masks, keyed pseudonyms.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::RedactionMode;

/// How one entity is replaced.
#[derive(Debug, Clone)]
pub(crate) struct Redactor {
    pub(crate) mode: RedactionMode,
    pub(crate) mask_char: char,
    pub(crate) keep_head: usize,
    pub(crate) keep_tail: usize,
    /// HMAC key for pseudonyms; `None` falls back to type tokens.
    pub(crate) key: Option<Vec<u8>>,
}

/// Hex digits of the pseudonym (48 bits: collisions are negligible within one conversation).
const PSEUDONYM_HEX: usize = 12;

impl Redactor {
    /// The replacement for `value` of entity type `name` with its `token`.
    /// `secret` entities are never partially shown, whatever the mask settings.
    pub(crate) fn replace(
        &self,
        mode: RedactionMode,
        name: &str,
        token: &str,
        value: &str,
        secret: bool,
    ) -> String {
        match mode {
            RedactionMode::Token => token.to_string(),
            RedactionMode::Mask => self.mask(value, secret),
            RedactionMode::Pseudonym => match &self.key {
                Some(key) => pseudonym(key, name, token, value),
                None => token.to_string(),
            },
        }
    }

    fn mask(&self, value: &str, secret: bool) -> String {
        let total = value.chars().filter(|c| c.is_alphanumeric()).count();
        let (head, tail) = if secret || total <= 2 * (self.keep_head + self.keep_tail) {
            (0, 0)
        } else {
            (self.keep_head, self.keep_tail)
        };
        let mut seen = 0;
        value
            .chars()
            .map(|c| {
                if !c.is_alphanumeric() {
                    return c;
                }
                seen += 1;
                if seen <= head || seen > total - tail {
                    c
                } else {
                    self.mask_char
                }
            })
            .collect()
    }
}

/// Case and separators do not make a different person: `4111 1111 ...` and `4111-1111-...`
/// get the same pseudonym.
fn canonical(value: &str) -> String {
    if value.contains('@') {
        return value.to_lowercase();
    }
    let alnum: String = value.chars().filter(|c| c.is_alphanumeric()).collect();
    if alnum.chars().count() * 2 >= value.chars().count()
        && alnum.chars().any(|c| c.is_ascii_digit())
    {
        alnum.to_uppercase()
    } else {
        value.to_string()
    }
}

fn pseudonym(key: &[u8], name: &str, token: &str, value: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail; fall back to the token anyway.
    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(key) else {
        return token.to_string();
    };
    mac.update(name.as_bytes());
    mac.update(&[0]);
    mac.update(canonical(value).as_bytes());
    let digest = mac.finalize().into_bytes();
    let hex: String = digest
        .iter()
        .take(PSEUDONYM_HEX / 2)
        .map(|b| format!("{b:02x}"))
        .collect();
    match token.strip_suffix(']') {
        Some(head) => format!("{head}_{hex}]"),
        None => format!("{token}_{hex}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(head: usize, tail: usize) -> Redactor {
        Redactor {
            mode: RedactionMode::Mask,
            mask_char: '*',
            keep_head: head,
            keep_tail: tail,
            key: Some(b"0123456789abcdef0123".to_vec()),
        }
    }

    #[test]
    fn mask_keeps_separators_and_tail() {
        let red = r(0, 4);
        assert_eq!(
            red.mask("4111 1111 1111 1234", false),
            "**** **** **** 1234"
        );
        assert_eq!(red.mask("4111 1111 1111 1234", true), "**** **** **** ****");
        assert_eq!(red.mask("12345", false), "*****");
    }

    #[test]
    fn pseudonyms_are_stable_and_keyed() {
        let red = r(0, 0);
        let a = red.replace(
            RedactionMode::Pseudonym,
            "CREDIT_CARD",
            "[CARD]",
            "4111 1111 1111 1111",
            false,
        );
        let b = red.replace(
            RedactionMode::Pseudonym,
            "CREDIT_CARD",
            "[CARD]",
            "4111-1111-1111-1111",
            false,
        );
        assert_eq!(a, b);
        assert!(a.starts_with("[CARD_") && a.ends_with(']') && a.len() == "[CARD_]".len() + 12);
        let mut other = r(0, 0);
        other.key = Some(b"another key, 16+ bytes".to_vec());
        assert_ne!(
            a,
            other.replace(
                RedactionMode::Pseudonym,
                "CREDIT_CARD",
                "[CARD]",
                "4111 1111 1111 1111",
                false
            )
        );
    }
}
