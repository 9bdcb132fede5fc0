//! Scoring against a category's indicators (分类评价指标): a 100-point basic score,
//! veto (bottom-line) items that fail an application outright, and bonus items whose
//! points are capped. The sets themselves are data the county office edits per batch.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ItemKind {
    Basic,
    /// 否决项: failing it fails the application whatever the points.
    Veto,
    /// 加分项: extra points, capped per set.
    Bonus,
}

impl ItemKind {
    pub fn code(self) -> &'static str {
        match self {
            ItemKind::Basic => "basic",
            ItemKind::Veto => "veto",
            ItemKind::Bonus => "bonus",
        }
    }

    pub fn parse(s: &str) -> Option<ItemKind> {
        [ItemKind::Basic, ItemKind::Veto, ItemKind::Bonus]
            .into_iter()
            .find(|k| k.code() == s)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetRules {
    pub basic_points: u32,
    pub bonus_cap: u32,
    pub pass_score: u32,
}

impl Default for SetRules {
    fn default() -> Self {
        SetRules {
            basic_points: 100,
            bonus_cap: 15,
            pass_score: 80,
        }
    }
}

/// One item of an indicator set, as the county office wrote it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indicator {
    pub group_zh: String,
    pub group_en: String,
    pub text_zh: String,
    pub text_en: String,
    pub max_points: u32,
    pub kind: ItemKind,
    pub evidence_required: bool,
}

/// One reviewer's verdict on one item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemScore {
    Points(u32),
    /// For a veto item: the bottom line is breached.
    VetoBreached,
    /// For a veto item: the bottom line holds.
    VetoHolds,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub basic: u32,
    pub bonus: u32,
    pub total: u32,
    pub vetoed: bool,
    pub passed: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ScoreError {
    #[error("item {0} has no score")]
    Missing(usize),
    #[error("item {0} is scored above its maximum")]
    AboveMaximum(usize),
    #[error("item {0} is scored in the wrong way for its kind")]
    WrongKind(usize),
}

/// Totals one reviewer's scores. Every item must be scored, within its maximum.
pub fn score(
    items: &[(ItemKind, u32)],
    scores: &[Option<ItemScore>],
    rules: &SetRules,
) -> Result<Outcome, ScoreError> {
    let (mut basic, mut bonus, mut vetoed) = (0u32, 0u32, false);
    for (i, (kind, max)) in items.iter().enumerate() {
        match (kind, scores.get(i).copied().flatten()) {
            (_, None) => return Err(ScoreError::Missing(i)),
            (ItemKind::Veto, Some(ItemScore::VetoBreached)) => vetoed = true,
            (ItemKind::Veto, Some(ItemScore::VetoHolds)) => {}
            (ItemKind::Basic | ItemKind::Bonus, Some(ItemScore::Points(p))) if p > *max => {
                return Err(ScoreError::AboveMaximum(i))
            }
            (ItemKind::Basic, Some(ItemScore::Points(p))) => basic += p,
            (ItemKind::Bonus, Some(ItemScore::Points(p))) => bonus += p,
            _ => return Err(ScoreError::WrongKind(i)),
        }
    }
    let bonus = bonus.min(rules.bonus_cap);
    let total = basic + bonus;
    Ok(Outcome {
        basic,
        bonus,
        total,
        vetoed,
        passed: !vetoed && total >= rules.pass_score,
    })
}

/// What is wrong with an indicator set as the county office edited it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SetProblem {
    /// The basic items' maxima do not add up to the set's basic points.
    BasicPointsMismatch {
        sum: u32,
        expected: u32,
    },
    /// The pass score is above the basic points.
    PassScoreTooHigh,
    /// A veto item carries points.
    VetoWithPoints,
    NoItems,
}

pub fn set_problems(items: &[(ItemKind, u32)], rules: &SetRules) -> Vec<SetProblem> {
    let mut out = Vec::new();
    if items.is_empty() {
        out.push(SetProblem::NoItems);
    }
    let sum: u32 = items
        .iter()
        .filter(|(k, _)| *k == ItemKind::Basic)
        .map(|(_, p)| p)
        .sum();
    if sum != rules.basic_points {
        out.push(SetProblem::BasicPointsMismatch {
            sum,
            expected: rules.basic_points,
        });
    }
    if rules.pass_score > rules.basic_points {
        out.push(SetProblem::PassScoreTooHigh);
    }
    if items.iter().any(|(k, p)| *k == ItemKind::Veto && *p > 0) {
        out.push(SetProblem::VetoWithPoints);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use ItemKind::*;

    const ITEMS: [(ItemKind, u32); 5] = [
        (Basic, 60),
        (Basic, 40),
        (Veto, 0),
        (Bonus, 10),
        (Bonus, 10),
    ];

    #[test]
    fn basic_plus_capped_bonus() {
        let s = [
            Some(ItemScore::Points(50)),
            Some(ItemScore::Points(25)),
            Some(ItemScore::VetoHolds),
            Some(ItemScore::Points(10)),
            Some(ItemScore::Points(8)),
        ];
        let o = score(&ITEMS, &s, &SetRules::default()).unwrap();
        assert_eq!((o.basic, o.bonus, o.total), (75, 15, 90));
        assert!(o.passed);
    }

    #[test]
    fn a_breached_veto_fails_whatever_the_points() {
        let s = [
            Some(ItemScore::Points(60)),
            Some(ItemScore::Points(40)),
            Some(ItemScore::VetoBreached),
            Some(ItemScore::Points(0)),
            Some(ItemScore::Points(0)),
        ];
        let o = score(&ITEMS, &s, &SetRules::default()).unwrap();
        assert_eq!(o.total, 100);
        assert!(o.vetoed && !o.passed);
    }

    #[test]
    fn refuses_incomplete_or_impossible_scores() {
        let mut s = [
            Some(ItemScore::Points(60)),
            None,
            Some(ItemScore::VetoHolds),
            Some(ItemScore::Points(0)),
            Some(ItemScore::Points(0)),
        ];
        assert_eq!(
            score(&ITEMS, &s, &SetRules::default()),
            Err(ScoreError::Missing(1))
        );
        s[1] = Some(ItemScore::Points(41));
        assert_eq!(
            score(&ITEMS, &s, &SetRules::default()),
            Err(ScoreError::AboveMaximum(1))
        );
        s[1] = Some(ItemScore::VetoHolds);
        assert_eq!(
            score(&ITEMS, &s, &SetRules::default()),
            Err(ScoreError::WrongKind(1))
        );
    }

    #[test]
    fn set_checks() {
        assert!(set_problems(&ITEMS, &SetRules::default()).is_empty());
        assert_eq!(
            set_problems(&[(Basic, 90), (Veto, 5)], &SetRules::default()),
            vec![
                SetProblem::BasicPointsMismatch {
                    sum: 90,
                    expected: 100
                },
                SetProblem::VetoWithPoints
            ]
        );
    }

    proptest! {
        #[test]
        fn bonus_never_exceeds_the_cap_and_pass_follows_the_threshold(
            a in 0u32..=60, b in 0u32..=40, x in 0u32..=10, y in 0u32..=10, veto in any::<bool>()
        ) {
            let s = [
                Some(ItemScore::Points(a)),
                Some(ItemScore::Points(b)),
                Some(if veto { ItemScore::VetoBreached } else { ItemScore::VetoHolds }),
                Some(ItemScore::Points(x)),
                Some(ItemScore::Points(y)),
            ];
            let rules = SetRules { bonus_cap: 15, ..SetRules::default() };
            let o = score(&ITEMS, &s, &rules).unwrap();
            prop_assert!(o.bonus <= 15);
            prop_assert_eq!(o.total, a + b + (x + y).min(15));
            prop_assert_eq!(o.passed, !veto && o.total >= 80);
        }
    }
}
