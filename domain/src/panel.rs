//! County panel review (县级评审): how independent scores become one result, how
//! reviewers are spread over applications, and what a failure leaves to rectify.

use crate::scoring::{ItemKind, ItemScore, Outcome};
use serde::{Deserialize, Serialize};

/// How reviewers' totals combine (a setting: `review.aggregate`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Aggregate {
    Mean,
    Median,
}

impl Aggregate {
    pub fn code(self) -> &'static str {
        match self {
            Aggregate::Mean => "mean",
            Aggregate::Median => "median",
        }
    }

    pub fn parse(s: &str) -> Option<Aggregate> {
        match s {
            "mean" => Some(Aggregate::Mean),
            "median" => Some(Aggregate::Median),
            _ => None,
        }
    }

    pub fn name(self) -> (&'static str, &'static str) {
        match self {
            Aggregate::Mean => ("平均分", "mean"),
            Aggregate::Median => ("中位数", "median"),
        }
    }
}

/// Where one reviewer's assignment to an application stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AssignmentStatus {
    /// Waiting for the reviewer's scores.
    Assigned,
    Scored,
    /// The reviewer stepped aside (回避): it no longer counts.
    Recused,
}

impl AssignmentStatus {
    pub const ALL: [AssignmentStatus; 3] = [
        AssignmentStatus::Assigned,
        AssignmentStatus::Scored,
        AssignmentStatus::Recused,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AssignmentStatus::Assigned => "assigned",
            AssignmentStatus::Scored => "scored",
            AssignmentStatus::Recused => "recused",
        }
    }

    pub fn parse(s: &str) -> Option<AssignmentStatus> {
        Self::ALL.into_iter().find(|a| a.code() == s)
    }
}

/// Why a reviewer steps aside for an application (回避).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Conflict {
    SameTownship,
    Relative,
    BusinessTie,
    Other,
}

impl Conflict {
    pub const ALL: [Conflict; 4] = [
        Conflict::SameTownship,
        Conflict::Relative,
        Conflict::BusinessTie,
        Conflict::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Conflict::SameTownship => "same_township",
            Conflict::Relative => "relative",
            Conflict::BusinessTie => "business_tie",
            Conflict::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Conflict> {
        Conflict::ALL.into_iter().find(|c| c.code() == s)
    }

    pub fn name(self) -> (&'static str, &'static str) {
        match self {
            Conflict::SameTownship => ("同一乡镇（工作或居住）", "Same township (work or home)"),
            Conflict::Relative => ("近亲属关系", "A close relative"),
            Conflict::BusinessTie => ("业务或经济往来", "Business or financial ties"),
            Conflict::Other => (
                "其他可能影响公正的情形",
                "Anything else that could affect fairness",
            ),
        }
    }
}

/// The panel's result from the reviewers' independent outcomes, in tenths of a point
/// so a mean of 80, 81 is 80.5 exactly (805), not rounded into a pass or a fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelResult {
    pub score_tenths: u32,
    /// Highest minus lowest total, in points.
    pub spread: u32,
    /// At least one reviewer found a veto item breached.
    pub vetoed: bool,
    pub passed: bool,
}

/// None without outcomes. A breached veto by any reviewer fails the application: a
/// reviewer who disagrees says so in a discussion, and the office may reopen the scores.
pub fn combine(outcomes: &[Outcome], method: Aggregate, pass_score: u32) -> Option<PanelResult> {
    if outcomes.is_empty() {
        return None;
    }
    let mut totals: Vec<u32> = outcomes.iter().map(|o| o.total).collect();
    totals.sort_unstable();
    let n = totals.len() as u64;
    let score_tenths = match method {
        Aggregate::Mean => {
            let sum: u64 = totals.iter().map(|t| u64::from(*t) * 10).sum();
            // Round half up to the tenth.
            ((sum * 2 + n) / (2 * n)) as u32
        }
        Aggregate::Median => {
            let mid = totals.len() / 2;
            if totals.len() % 2 == 1 {
                totals[mid] * 10
            } else {
                (totals[mid - 1] + totals[mid]) * 5
            }
        }
    };
    let vetoed = outcomes.iter().any(|o| o.vetoed);
    Some(PanelResult {
        score_tenths,
        spread: totals[totals.len() - 1] - totals[0],
        vetoed,
        passed: !vetoed && score_tenths >= pass_score * 10,
    })
}

/// Items left to rectify after a failure: every veto item any reviewer found breached,
/// and every scored item whose mean falls below 60 % of its maximum (不达标).
pub fn failed_items(items: &[(ItemKind, u32)], scores: &[Vec<Option<ItemScore>>]) -> Vec<usize> {
    let mut out = Vec::new();
    if scores.is_empty() {
        return out;
    }
    for (i, (kind, max)) in items.iter().enumerate() {
        let given = scores.iter().filter_map(|s| s.get(i).copied().flatten());
        let failed = match kind {
            ItemKind::Veto => given.into_iter().any(|s| s == ItemScore::VetoBreached),
            ItemKind::Basic => {
                let points: Vec<u32> = given
                    .filter_map(|s| match s {
                        ItemScore::Points(p) => Some(p),
                        _ => None,
                    })
                    .collect();
                !points.is_empty()
                    && (points.iter().sum::<u32>() * 10) < (*max * 6) * points.len() as u32
            }
            // Bonus items are never owed.
            ItemKind::Bonus => false,
        };
        if failed {
            out.push(i);
        }
    }
    out
}

/// A balanced assignment: each application gets `per_application` reviewers from the
/// panel, never one excluded for it (recused, or already assigned), always the least
/// loaded available (ties by panel order, so the result is reproducible).
/// `load` is each member's current number of assignments; returns (application, member).
pub fn balanced_assignment(
    applications: &[(i64, usize)],
    members: &[i64],
    load: &[(i64, usize)],
    excluded: &[(i64, i64)],
    per_application: usize,
) -> Vec<(i64, i64)> {
    let mut loads: Vec<(i64, usize)> = members
        .iter()
        .map(|m| {
            (
                *m,
                load.iter()
                    .find(|(id, _)| id == m)
                    .map(|(_, n)| *n)
                    .unwrap_or(0),
            )
        })
        .collect();
    let mut out = Vec::new();
    for (app, already) in applications {
        let mut need = per_application.saturating_sub(*already);
        while need > 0 {
            let pick = loads
                .iter_mut()
                .enumerate()
                .filter(|(_, (m, _))| !excluded.contains(&(*app, *m)) && !out.contains(&(*app, *m)))
                .min_by_key(|(i, (_, n))| (*n, *i))
                .map(|(_, entry)| entry);
            match pick {
                Some(entry) => {
                    entry.1 += 1;
                    out.push((*app, entry.0));
                    need -= 1;
                }
                None => break,
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn assignment_statuses_read_back_from_their_codes() {
        for a in AssignmentStatus::ALL {
            assert_eq!(AssignmentStatus::parse(a.code()), Some(a));
        }
        assert_eq!(AssignmentStatus::parse("Assigned"), None);
    }

    use super::*;
    use proptest::prelude::*;

    fn outcome(total: u32, vetoed: bool) -> Outcome {
        Outcome {
            basic: total,
            bonus: 0,
            total,
            vetoed,
            passed: !vetoed && total >= 80,
        }
    }

    #[test]
    fn mean_is_kept_to_the_tenth_and_median_takes_the_middle() {
        let o = [outcome(80, false), outcome(81, false)];
        let r = combine(&o, Aggregate::Mean, 80).unwrap();
        assert_eq!((r.score_tenths, r.spread, r.passed), (805, 1, true));
        let o = [outcome(60, false), outcome(85, false), outcome(90, false)];
        assert_eq!(combine(&o, Aggregate::Mean, 80).unwrap().score_tenths, 783);
        assert!(!combine(&o, Aggregate::Mean, 80).unwrap().passed);
        let m = combine(&o, Aggregate::Median, 80).unwrap();
        assert_eq!((m.score_tenths, m.spread, m.passed), (850, 30, true));
        let even = [
            outcome(70, false),
            outcome(79, false),
            outcome(90, false),
            outcome(95, false),
        ];
        assert_eq!(
            combine(&even, Aggregate::Median, 80).unwrap().score_tenths,
            845
        );
        assert_eq!(combine(&[], Aggregate::Mean, 80), None);
    }

    #[test]
    fn one_breached_veto_fails_the_application() {
        let o = [outcome(95, false), outcome(96, true)];
        let r = combine(&o, Aggregate::Mean, 80).unwrap();
        assert!(r.vetoed && !r.passed);
    }

    #[test]
    fn failed_items_are_breached_vetoes_and_weak_basics() {
        use ItemKind::*;
        let items = [(Basic, 10), (Basic, 10), (Veto, 0), (Bonus, 5)];
        let p = |n| Some(ItemScore::Points(n));
        let scores = vec![
            vec![p(5), p(10), Some(ItemScore::VetoHolds), p(0)],
            vec![p(6), p(9), Some(ItemScore::VetoBreached), p(0)],
        ];
        // Item 0: mean 5.5 < 6 → failed; item 1 fine; the veto breached once; bonus never.
        assert_eq!(failed_items(&items, &scores), vec![0, 2]);
        assert!(failed_items(&items, &[]).is_empty());
    }

    #[test]
    fn assignment_spreads_the_load_and_respects_recusals() {
        let apps = [(1, 0), (2, 0), (3, 0)];
        let got = balanced_assignment(&apps, &[10, 11, 12], &[], &[(1, 10)], 2);
        assert_eq!(got.len(), 6);
        assert!(!got.contains(&(1, 10)));
        for m in [10, 11, 12] {
            assert_eq!(got.iter().filter(|(_, r)| *r == m).count(), 2);
        }
        // Too few members: as many as possible, none twice.
        let got = balanced_assignment(&[(1, 0)], &[10], &[], &[], 3);
        assert_eq!(got, vec![(1, 10)]);
    }

    proptest! {
        #[test]
        fn assignment_is_balanced_within_one(
            apps in 1usize..20, members in 1usize..8, per in 1usize..4
        ) {
            let a: Vec<(i64, usize)> = (0..apps as i64).map(|i| (i, 0)).collect();
            let m: Vec<i64> = (100..100 + members as i64).collect();
            let got = balanced_assignment(&a, &m, &[], &[], per);
            prop_assert_eq!(got.len(), apps * per.min(members));
            let counts: Vec<usize> = m.iter().map(|x| got.iter().filter(|(_, r)| r == x).count()).collect();
            prop_assert!(counts.iter().max().unwrap() - counts.iter().min().unwrap() <= 1);
        }

        #[test]
        fn the_result_lies_between_the_lowest_and_highest_total(
            totals in proptest::collection::vec(0u32..130, 1..9), median in any::<bool>()
        ) {
            let o: Vec<Outcome> = totals.iter().map(|t| outcome(*t, false)).collect();
            let method = if median { Aggregate::Median } else { Aggregate::Mean };
            let r = combine(&o, method, 80).unwrap();
            prop_assert!(r.score_tenths >= totals.iter().min().unwrap() * 10);
            prop_assert!(r.score_tenths <= totals.iter().max().unwrap() * 10);
            prop_assert_eq!(r.passed, r.score_tenths >= 800);
        }
    }
}
