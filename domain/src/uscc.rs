//! The unified social credit code (统一社会信用代码, GB 32100-2015).
//!
//! 18 characters from a 31-symbol alphabet (no I, O, S, V, Z). The last one is a
//! check character over the first 17 with weights 3^(i-1) mod 31.

use serde::{Deserialize, Serialize};
use std::fmt;

pub const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CreditCode(String);

/// Why a credit code was refused; each maps to a translated message naming the fix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum CreditCodeError {
    #[error("the code is empty")]
    Empty,
    #[error("the code must have 18 characters, it has {0}")]
    WrongLength(usize),
    #[error("character {position} is not allowed (I, O, S, V and Z are never used)")]
    BadCharacter { position: usize },
    #[error("the check character does not match: expected {expected}")]
    CheckMismatch { expected: char },
}

fn value_of(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

/// The check character for 17 leading characters that are already known to be valid.
pub fn check_character(first17: &[u8]) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (c, w) in first17.iter().zip(WEIGHTS) {
        sum += value_of(*c)? * w;
    }
    let check = (31 - sum % 31) % 31;
    Some(ALPHABET[check as usize] as char)
}

impl CreditCode {
    /// Accepts lower case and surrounding or inner spaces, as people type them.
    pub fn parse(input: &str) -> Result<CreditCode, CreditCodeError> {
        let cleaned: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if cleaned.is_empty() {
            return Err(CreditCodeError::Empty);
        }
        let count = cleaned.chars().count();
        if count != 18 {
            return Err(CreditCodeError::WrongLength(count));
        }
        let bytes = cleaned.as_bytes();
        if let Some(i) = bytes.iter().position(|b| value_of(*b).is_none()) {
            return Err(CreditCodeError::BadCharacter { position: i + 1 });
        }
        let expected = check_character(&bytes[..17]).expect("17 valid characters");
        if bytes[17] as char != expected {
            return Err(CreditCodeError::CheckMismatch { expected });
        }
        Ok(CreditCode(cleaned))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Position 1: the registering department (9 market regulation, 5 civil affairs …).
    pub fn registering_department(&self) -> char {
        self.0.as_bytes()[0] as char
    }

    /// Positions 3–8: the area code of the registering authority.
    pub fn area_code(&self) -> &str {
        &self.0[2..8]
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn with_check(first17: &str) -> String {
        let c = check_character(first17.as_bytes()).unwrap();
        format!("{first17}{c}")
    }

    #[test]
    fn known_valid_codes() {
        // Published codes of real organisations.
        for code in [
            "91110000802100433B",
            "91310000717866186P",
            "914403001922038216",
        ] {
            assert!(CreditCode::parse(code).is_ok(), "{code}");
        }
    }

    #[test]
    fn accepts_lower_case_and_spaces() {
        let code = CreditCode::parse(" 9111 0000 8021 00433b ").unwrap();
        assert_eq!(code.as_str(), "91110000802100433B");
        assert_eq!(code.registering_department(), '9');
        assert_eq!(code.area_code(), "110000");
    }

    #[test]
    fn explains_what_is_wrong() {
        assert_eq!(CreditCode::parse("  "), Err(CreditCodeError::Empty));
        assert_eq!(
            CreditCode::parse("9111000080210043"),
            Err(CreditCodeError::WrongLength(16))
        );
        assert_eq!(
            CreditCode::parse("9111000080210O433B"),
            Err(CreditCodeError::BadCharacter { position: 14 })
        );
        assert_eq!(
            CreditCode::parse("91110000802100433C"),
            Err(CreditCodeError::CheckMismatch { expected: 'B' })
        );
    }

    fn body() -> impl Strategy<Value = String> {
        proptest::collection::vec(0usize..31, 17)
            .prop_map(|v| v.into_iter().map(|i| ALPHABET[i] as char).collect())
    }

    proptest! {
        #[test]
        fn a_computed_check_character_always_validates(b in body()) {
            prop_assert!(CreditCode::parse(&with_check(&b)).is_ok());
        }

        #[test]
        fn any_single_substitution_is_caught(b in body(), pos in 0usize..18, delta in 1usize..31) {
            let good = with_check(&b);
            let mut bytes = good.into_bytes();
            let v = value_of(bytes[pos]).unwrap() as usize;
            bytes[pos] = ALPHABET[(v + delta) % 31];
            let bad = String::from_utf8(bytes).unwrap();
            prop_assert!(CreditCode::parse(&bad).is_err());
        }

        #[test]
        fn parse_never_panics(s in ".{0,40}") {
            let _ = CreditCode::parse(&s);
        }
    }
}
