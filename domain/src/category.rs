//! The four kinds of trusted-consumption demonstrators (创建类别).

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Category {
    /// 放心消费示范单位: market entities.
    Unit,
    /// 放心消费示范街区: commercial streets and districts, applied for by their management body.
    Street,
    /// 放心消费示范行业协会（商会）: industry associations and chambers of commerce.
    Association,
    /// 放心消费示范乡村（社区）: villages and communities.
    Village,
}

impl Category {
    pub const ALL: [Category; 4] = [
        Category::Unit,
        Category::Street,
        Category::Association,
        Category::Village,
    ];

    /// The stable code used in URLs and in the database.
    pub fn code(self) -> &'static str {
        match self {
            Category::Unit => "unit",
            Category::Street => "street",
            Category::Association => "association",
            Category::Village => "village",
        }
    }

    pub fn parse(code: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.code() == code)
    }

    /// The plan's own name (Chinese) and its English rendering.
    pub fn name(self) -> (&'static str, &'static str) {
        match self {
            Category::Unit => ("放心消费示范单位", "Trusted-consumption model business"),
            Category::Street => ("放心消费示范街区", "Trusted-consumption model street"),
            Category::Association => (
                "放心消费示范行业协会（商会）",
                "Trusted-consumption model association (chamber)",
            ),
            Category::Village => (
                "放心消费示范乡村（社区）",
                "Trusted-consumption model village (community)",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.code()), Some(c));
        }
        let mut codes: Vec<_> = Category::ALL.iter().map(|c| c.code()).collect();
        codes.dedup();
        assert_eq!(codes.len(), 4);
        assert_eq!(Category::parse("shop"), None);
    }
}
