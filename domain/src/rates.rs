//! The three rates the plan wants to rise year on year (处理率, 处理成功率, 满意率),
//! defined once. Every view computes them with these functions.
//!
//! - handling rate = complaints closed ÷ complaints accepted, in the period (counted by
//!   the period of acceptance: of the complaints accepted in it, how many are closed —
//!   see `complaint::counts_of`);
//! - success rate = closed with a mediation agreement or a settlement ÷ closed cases
//!   that went to mediation;
//! - satisfaction rate = "satisfied" + "basically satisfied" ÷ all ratings given.
//!
//! A rate with an empty denominator is `None` ("no data"), never 0 % or 100 %.

use serde::{Deserialize, Serialize};

/// Counts over one period and area; what the store's roll-ups hold.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintCounts {
    pub accepted: u64,
    pub closed: u64,
    /// Closed cases that went to mediation (agreement, settlement, withdrawn, terminated).
    pub mediated: u64,
    /// Of those, closed with a mediation agreement or a settlement.
    pub mediated_successfully: u64,
    pub rated_satisfied: u64,
    pub rated_basically_satisfied: u64,
    pub rated_dissatisfied: u64,
}

impl ComplaintCounts {
    pub fn handling_rate(&self) -> Option<f64> {
        ratio(self.closed, self.accepted)
    }

    pub fn success_rate(&self) -> Option<f64> {
        ratio(self.mediated_successfully, self.mediated)
    }

    pub fn satisfaction_rate(&self) -> Option<f64> {
        let ratings =
            self.rated_satisfied + self.rated_basically_satisfied + self.rated_dissatisfied;
        ratio(
            self.rated_satisfied + self.rated_basically_satisfied,
            ratings,
        )
    }

    /// Adds another period or area (roll-ups are sums of counts, never of rates).
    pub fn add(&mut self, o: &ComplaintCounts) {
        self.accepted += o.accepted;
        self.closed += o.closed;
        self.mediated += o.mediated;
        self.mediated_successfully += o.mediated_successfully;
        self.rated_satisfied += o.rated_satisfied;
        self.rated_basically_satisfied += o.rated_basically_satisfied;
        self.rated_dissatisfied += o.rated_dissatisfied;
    }
}

fn ratio(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// Year-on-year change in percentage points, when both years have data.
pub fn change_in_points(this_year: Option<f64>, last_year: Option<f64>) -> Option<f64> {
    Some((this_year? - last_year?) * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn hand_computed_fixture() {
        let c = ComplaintCounts {
            accepted: 40,
            closed: 36,
            mediated: 20,
            mediated_successfully: 17,
            rated_satisfied: 12,
            rated_basically_satisfied: 6,
            rated_dissatisfied: 2,
        };
        assert_eq!(c.handling_rate(), Some(0.9));
        assert_eq!(c.success_rate(), Some(0.85));
        assert_eq!(c.satisfaction_rate(), Some(0.9));
    }

    #[test]
    fn no_complaints_means_no_rate_not_zero() {
        let c = ComplaintCounts::default();
        assert_eq!(c.handling_rate(), None);
        assert_eq!(c.success_rate(), None);
        assert_eq!(c.satisfaction_rate(), None);
    }

    #[test]
    fn all_withdrawn_gives_zero_success_and_missing_ratings_give_none() {
        let c = ComplaintCounts {
            accepted: 3,
            closed: 3,
            mediated: 3,
            mediated_successfully: 0,
            ..Default::default()
        };
        assert_eq!(c.handling_rate(), Some(1.0));
        assert_eq!(c.success_rate(), Some(0.0));
        assert_eq!(c.satisfaction_rate(), None);
    }

    #[test]
    fn change_needs_both_years() {
        assert_eq!(
            change_in_points(Some(0.9), Some(0.85)).map(|p| p.round()),
            Some(5.0)
        );
        assert_eq!(change_in_points(Some(0.9), None), None);
    }

    proptest! {
        #[test]
        fn rates_stay_between_zero_and_one(
            accepted in 0u64..1000, closed_frac in 0.0f64..=1.0,
            mediated in 0u64..500, ok_frac in 0.0f64..=1.0,
            s in 0u64..100, b in 0u64..100, d in 0u64..100,
        ) {
            let closed = (accepted as f64 * closed_frac) as u64;
            let c = ComplaintCounts {
                accepted, closed, mediated,
                mediated_successfully: (mediated as f64 * ok_frac) as u64,
                rated_satisfied: s, rated_basically_satisfied: b, rated_dissatisfied: d,
            };
            for r in [c.handling_rate(), c.success_rate(), c.satisfaction_rate()].into_iter().flatten() {
                prop_assert!((0.0..=1.0).contains(&r));
            }
        }

        #[test]
        fn rolling_up_sums_counts(a in 0u64..100, b in 0u64..100) {
            let mut x = ComplaintCounts { accepted: a, closed: a / 2, ..Default::default() };
            let y = ComplaintCounts { accepted: b, closed: b, ..Default::default() };
            x.add(&y);
            prop_assert_eq!(x.accepted, a + b);
            prop_assert_eq!(x.closed, a / 2 + b);
        }
    }
}
