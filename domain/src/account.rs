//! Rules for account credentials: mobile numbers and password strength.
//! The browser checks them as the user types; the server checks them again.

use serde::{Deserialize, Serialize};

/// A mainland China mobile number: 11 digits starting with 1 and 3–9.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Mobile(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum MobileError {
    #[error("the mobile number is empty")]
    Empty,
    #[error("a mobile number has 11 digits starting with 13–19")]
    Malformed,
}

impl Mobile {
    /// Accepts spaces, dashes and a leading +86 / 86, as people write them.
    pub fn parse(input: &str) -> Result<Mobile, MobileError> {
        let digits: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if digits.is_empty() {
            return Err(MobileError::Empty);
        }
        let digits = digits
            .strip_prefix("+86")
            .or_else(|| digits.strip_prefix("0086"))
            .or_else(|| {
                if digits.len() == 13 {
                    digits.strip_prefix("86")
                } else {
                    None
                }
            })
            .unwrap_or(&digits);
        let b = digits.as_bytes();
        let ok = b.len() == 11
            && b.iter().all(u8::is_ascii_digit)
            && b[0] == b'1'
            && (b'3'..=b'9').contains(&b[1]);
        if ok {
            Ok(Mobile(digits.to_string()))
        } else {
            Err(MobileError::Malformed)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `138****5678`: what roles without a need to know see.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

pub const MIN_PASSWORD_CHARS: usize = 10;

/// What is wrong with a proposed password; empty when it is acceptable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PasswordProblem {
    TooShort,
    TooFewClasses,
    ContainsAccountName,
}

/// Checks the policy: at least 10 characters, 3 of the 4 classes (lower, upper,
/// digits, others), and not containing the account name (case-insensitive).
pub fn password_problems(password: &str, account_name: &str) -> Vec<PasswordProblem> {
    let mut problems = Vec::new();
    if password.chars().count() < MIN_PASSWORD_CHARS {
        problems.push(PasswordProblem::TooShort);
    }
    let classes = [
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password
            .chars()
            .any(|c| !c.is_alphanumeric() && !c.is_whitespace()),
    ];
    if classes.iter().filter(|&&x| x).count() < 3 {
        problems.push(PasswordProblem::TooFewClasses);
    }
    let name = account_name.trim().to_lowercase();
    if name.chars().count() >= 3 && password.to_lowercase().contains(&name) {
        problems.push(PasswordProblem::ContainsAccountName);
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn mobiles() {
        assert_eq!(
            Mobile::parse("13812345678").unwrap().as_str(),
            "13812345678"
        );
        assert_eq!(
            Mobile::parse("+86 138-1234-5678").unwrap().as_str(),
            "13812345678"
        );
        assert_eq!(
            Mobile::parse("8613812345678").unwrap().as_str(),
            "13812345678"
        );
        assert_eq!(Mobile::parse(""), Err(MobileError::Empty));
        assert_eq!(Mobile::parse("12812345678"), Err(MobileError::Malformed));
        assert_eq!(Mobile::parse("1381234567"), Err(MobileError::Malformed));
        assert_eq!(Mobile::parse("1381234567a"), Err(MobileError::Malformed));
        assert_eq!(
            Mobile::parse("13812345678").unwrap().masked(),
            "138****5678"
        );
    }

    #[test]
    fn password_policy() {
        assert!(password_problems("Dongzhi-2026!", "yaodu").is_empty());
        assert_eq!(
            password_problems("Ab1!", "x"),
            vec![PasswordProblem::TooShort]
        );
        assert_eq!(
            password_problems("abcdefghijk1", "x"),
            vec![PasswordProblem::TooFewClasses]
        );
        assert_eq!(
            password_problems("Yaodu-Store-2026", "yaodu"),
            vec![PasswordProblem::ContainsAccountName]
        );
        // Chinese characters count as characters and as the "other" class.
        assert!(password_problems("放心消费Abc12345", "x").is_empty());
    }

    proptest! {
        #[test]
        fn mobile_parse_never_panics(s in ".{0,30}") {
            let _ = Mobile::parse(&s);
        }

        #[test]
        fn valid_mobiles_mask_to_eleven_visible_chars(second in 3u8..10, rest in "[0-9]{9}") {
            let m = Mobile::parse(&format!("1{second}{rest}")).unwrap();
            prop_assert_eq!(m.masked().chars().count(), 11);
            prop_assert!(m.masked().contains("****"));
        }

        #[test]
        fn password_check_never_panics(p in ".{0,40}", n in ".{0,12}") {
            let _ = password_problems(&p, &n);
        }
    }
}
