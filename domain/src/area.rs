//! Administrative areas as a tree: province → city → county → township.
//!
//! Codes follow the national statistical division codes: 2 digits for a province,
//! 4 for a city, 6 for a county and 9 for a township (乡镇). A code's prefix is its
//! ancestors' codes, which is what makes "everything under Dongzhi County" a prefix test.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AreaLevel {
    Province,
    City,
    County,
    Township,
}

impl AreaLevel {
    pub fn code(self) -> &'static str {
        match self {
            AreaLevel::Province => "province",
            AreaLevel::City => "city",
            AreaLevel::County => "county",
            AreaLevel::Township => "township",
        }
    }

    pub fn parse(code: &str) -> Option<AreaLevel> {
        [
            AreaLevel::Province,
            AreaLevel::City,
            AreaLevel::County,
            AreaLevel::Township,
        ]
        .into_iter()
        .find(|l| l.code() == code)
    }

    fn digits(self) -> usize {
        match self {
            AreaLevel::Province => 2,
            AreaLevel::City => 4,
            AreaLevel::County => 6,
            AreaLevel::Township => 9,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AreaCode(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AreaCodeError {
    #[error("an area code has 2, 4, 6 or 9 digits")]
    BadLength,
    #[error("an area code has digits only")]
    NotDigits,
}

impl AreaCode {
    pub fn parse(s: &str) -> Result<AreaCode, AreaCodeError> {
        let s = s.trim();
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AreaCodeError::NotDigits);
        }
        match s.len() {
            2 | 4 | 6 | 9 => Ok(AreaCode(s.to_string())),
            _ => Err(AreaCodeError::BadLength),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> AreaLevel {
        match self.0.len() {
            2 => AreaLevel::Province,
            4 => AreaLevel::City,
            6 => AreaLevel::County,
            _ => AreaLevel::Township,
        }
    }

    /// The code of the area directly above, if any.
    pub fn parent(&self) -> Option<AreaCode> {
        let up = match self.level() {
            AreaLevel::Province => return None,
            AreaLevel::City => AreaLevel::Province,
            AreaLevel::County => AreaLevel::City,
            AreaLevel::Township => AreaLevel::County,
        };
        Some(AreaCode(self.0[..up.digits()].to_string()))
    }

    /// True when `other` is this area or lies inside it.
    pub fn contains(&self, other: &AreaCode) -> bool {
        other.0.starts_with(&self.0)
    }
}

impl fmt::Display for AreaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_the_length() {
        assert_eq!(AreaCode::parse("34").unwrap().level(), AreaLevel::Province);
        assert_eq!(AreaCode::parse("3417").unwrap().level(), AreaLevel::City);
        assert_eq!(
            AreaCode::parse("341721").unwrap().level(),
            AreaLevel::County
        );
        assert_eq!(
            AreaCode::parse("341721100").unwrap().level(),
            AreaLevel::Township
        );
        assert_eq!(AreaCode::parse("3417211"), Err(AreaCodeError::BadLength));
        assert_eq!(AreaCode::parse("34a7"), Err(AreaCodeError::NotDigits));
    }

    #[test]
    fn parents_and_containment() {
        let township = AreaCode::parse("341721100").unwrap();
        let county = township.parent().unwrap();
        assert_eq!(county.as_str(), "341721");
        assert_eq!(county.parent().unwrap().as_str(), "3417");
        assert_eq!(county.parent().unwrap().parent().unwrap().as_str(), "34");
        assert_eq!(AreaCode::parse("34").unwrap().parent(), None);
        assert!(county.contains(&township));
        assert!(county.contains(&county));
        assert!(!township.contains(&county));
        assert!(!AreaCode::parse("341722").unwrap().contains(&township));
    }

    #[test]
    fn level_codes_round_trip() {
        for l in [
            AreaLevel::Province,
            AreaLevel::City,
            AreaLevel::County,
            AreaLevel::Township,
        ] {
            assert_eq!(AreaLevel::parse(l.code()), Some(l));
        }
    }
}
