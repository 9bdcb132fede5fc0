//! The dashboard's rules, as plain data: which months a period covers and what it is
//! compared with, the campaign funnel, year-on-year change against the plan's target
//! direction, and the township ranking with its minimum-volume rule.

use crate::complaint::{due_date, overdue, Facts, Overdue, Status};
use crate::lifecycle::State;
use crate::rates::ComplaintCounts;
use crate::workdays::HolidayCalendar;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// A dashboard period: a calendar year; the current year runs to the current month and
/// is compared with the same months of the year before, so the comparison is fair.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub year: i32,
    /// `YYYY-MM`, inclusive.
    pub from_month: String,
    pub to_month: String,
    pub previous_from: String,
    pub previous_to: String,
    /// The last month covered (12 for a past year).
    pub last_month: u32,
}

impl Period {
    pub fn of(year: i32, today: NaiveDate) -> Period {
        let last_month = if year == today.year() {
            today.month()
        } else {
            12
        };
        Period {
            year,
            from_month: format!("{year}-01"),
            to_month: format!("{year}-{last_month:02}"),
            previous_from: format!("{}-01", year - 1),
            previous_to: format!("{}-{last_month:02}", year - 1),
            last_month,
        }
    }

    /// `2026年1–11月` / `Jan–Nov 2026`, or the year alone when it is whole.
    pub fn label(&self) -> (String, String) {
        const EN: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        if self.last_month == 12 {
            (format!("{}年", self.year), self.year.to_string())
        } else {
            (
                format!("{}年1–{}月", self.year, self.last_month),
                format!("Jan–{} {}", EN[self.last_month as usize - 1], self.year),
            )
        }
    }
}

/// The campaign funnel's stages, in order.
pub const FUNNEL: [(&str, &str, &str); 7] = [
    ("submitted", "已申报", "Submitted"),
    ("pre_reviewed", "通过乡镇初审", "Pre-reviewed"),
    ("scored", "县级评分", "Scored"),
    ("passed", "评审通过", "Passed"),
    ("on_notice", "公示", "On notice"),
    ("recognised", "认定", "Recognised"),
    ("revoked", "撤销", "Revoked"),
];

/// The furthest funnel stage (index into `FUNNEL`) an application in `state` has
/// reached; none for a draft.
pub fn furthest_stage(state: State) -> Option<usize> {
    Some(match state {
        State::Draft | State::Proposed => return None,
        State::Submitted | State::Returned => 0,
        State::CountyReview => 1,
        State::Rectifying | State::Rejected => 2,
        State::Passed => 3,
        State::OnNotice => 4,
        State::Recognised | State::Expired => 5,
        State::Revoked => 6,
    })
}

/// How many applications reached each stage (a revoked one was recognised first).
pub fn funnel(states: &[(State, u64)]) -> [u64; 7] {
    let mut reached = [0u64; 7];
    for (state, n) in states {
        if let Some(s) = furthest_stage(*state) {
            for r in reached.iter_mut().take(s + 1) {
                *r += n;
            }
        }
    }
    reached
}

/// Which way the plan wants a figure to move.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Target {
    Up,
    Down,
    /// Neither (volumes of complaints say little by themselves).
    Neutral,
}

/// A figure now and a year before, and whether its change goes the plan's way.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// Percentage points for a rate, relative % for a count; none without both years.
    pub amount: Option<f64>,
    /// True when it moves the way the plan wants; none when neutral or unknown.
    pub on_target: Option<bool>,
}

pub fn rate_change(now: Option<f64>, before: Option<f64>, target: Target) -> Change {
    let amount = crate::rates::change_in_points(now, before);
    Change {
        amount,
        on_target: judge(amount, target),
    }
}

pub fn count_change(now: f64, before: f64, target: Target) -> Change {
    let amount = (before > 0.0).then(|| (now - before) / before * 100.0);
    Change {
        amount,
        on_target: judge(amount, target),
    }
}

fn judge(amount: Option<f64>, target: Target) -> Option<bool> {
    let a = amount?;
    match target {
        Target::Up => Some(a >= 0.0),
        Target::Down => Some(a <= 0.0),
        Target::Neutral => None,
    }
}

/// Which rate a ranking orders by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RankBy {
    Handling,
    Success,
    Satisfaction,
}

impl RankBy {
    pub const ALL: [RankBy; 3] = [RankBy::Handling, RankBy::Success, RankBy::Satisfaction];

    pub fn code(self) -> &'static str {
        match self {
            RankBy::Handling => "handling",
            RankBy::Success => "success",
            RankBy::Satisfaction => "satisfaction",
        }
    }

    pub fn parse(s: &str) -> Option<RankBy> {
        RankBy::ALL.into_iter().find(|r| r.code() == s)
    }

    pub fn rate(self, c: &ComplaintCounts) -> Option<f64> {
        match self {
            RankBy::Handling => c.handling_rate(),
            RankBy::Success => c.success_rate(),
            RankBy::Satisfaction => c.satisfaction_rate(),
        }
    }
}

/// Fewer accepted complaints than this in the period, and a place is listed apart, not
/// ranked: 2 out of 2 handled is not better than 980 out of 1,000.
pub const MIN_RANKED_VOLUME: u64 = 20;

/// Places with their counts.
pub type Places<K> = Vec<(K, ComplaintCounts)>;

/// Ranks places by a rate, best first (ties: more complaints first, then the key);
/// returns the ranked ones and, apart, those under the minimum volume or without data.
pub fn rank<K: Clone + Ord>(
    places: &[(K, ComplaintCounts)],
    by: RankBy,
    min_volume: u64,
) -> (Places<K>, Places<K>) {
    let (mut ranked, mut apart): (Vec<_>, Vec<_>) = places
        .iter()
        .cloned()
        .partition(|(_, c)| c.accepted >= min_volume && by.rate(c).is_some());
    ranked.sort_by(|(ka, a), (kb, b)| {
        let (ra, rb) = (by.rate(a).unwrap_or(0.0), by.rate(b).unwrap_or(0.0));
        rb.total_cmp(&ra)
            .then(b.accepted.cmp(&a.accepted))
            .then(ka.cmp(kb))
    });
    apart.sort_by(|(ka, a), (kb, b)| b.accepted.cmp(&a.accepted).then(ka.cmp(kb)));
    (ranked, apart)
}

/// Open complaints by overdue kind: how many clocks have run out, given the open
/// complaints' total per state and, one by one, those whose clock started after `window`
/// (the clocks that started on or before it have all run out: see [`overdue_window`]).
/// Complaints left open for years thus cost nothing to count.
pub fn overdue_counts(
    cal: &HolidayCalendar,
    today: NaiveDate,
    totals: &[(Status, i64)],
    recent: &[(Status, NaiveDate, i64)],
) -> [i64; 3] {
    let index = |kind: Overdue| match kind {
        Overdue::Acceptance => 0,
        Overdue::Negotiation => 1,
        Overdue::Mediation => 2,
    };
    let mut out = [0i64; 3];
    for &(status, n) in totals {
        if let Some((kind, _)) = due_date(cal, &open_clock(status, today)) {
            out[index(kind)] += n;
        }
    }
    for &(status, since, n) in recent {
        let facts = open_clock(status, since);
        if let Some((kind, _)) = due_date(cal, &facts) {
            // Counted above as overdue; take back those whose clock still runs.
            if overdue(cal, &facts, today).is_none() {
                out[index(kind)] -= n;
            }
        }
    }
    out
}

/// The latest day on which a clock of any kind could start and have run out by `today`
/// (later starts are read one by one; the due date never comes earlier for a later start).
pub fn overdue_window(cal: &HolidayCalendar, today: NaiveDate) -> NaiveDate {
    let mut day = today - chrono::Duration::days(60);
    while [Status::Received, Status::Negotiating, Status::Mediating]
        .into_iter()
        .any(|s| overdue(cal, &open_clock(s, day), today).is_none())
    {
        day -= chrono::Duration::days(7);
    }
    day
}

/// The facts of an open complaint whose clock started on `since`.
fn open_clock(status: Status, since: NaiveDate) -> Facts {
    Facts {
        status,
        received_on: since,
        accepted_on: Some(since),
        closed_on: None,
        outcome: None,
        rating: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn counts(accepted: u64, closed: u64) -> ComplaintCounts {
        ComplaintCounts {
            accepted,
            closed,
            ..Default::default()
        }
    }

    #[test]
    fn the_current_year_is_compared_with_the_same_months() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let p = Period::of(2026, today);
        assert_eq!(
            (p.from_month.as_str(), p.to_month.as_str()),
            ("2026-01", "2026-11")
        );
        assert_eq!(
            (p.previous_from.as_str(), p.previous_to.as_str()),
            ("2025-01", "2025-11")
        );
        assert_eq!(p.label().0, "2026年1–11月");
        assert_eq!(p.label().1, "Jan–Nov 2026");
        let past = Period::of(2024, today);
        assert_eq!(
            (past.to_month.as_str(), past.previous_to.as_str()),
            ("2024-12", "2023-12")
        );
        assert_eq!(past.label().0, "2024年");
    }

    #[test]
    fn a_township_with_two_complaints_does_not_top_the_table() {
        let places = vec![
            ("A", counts(2, 2)),
            ("B", counts(1000, 980)),
            ("C", counts(300, 240)),
            ("D", counts(0, 0)),
        ];
        let (ranked, apart) = rank(&places, RankBy::Handling, MIN_RANKED_VOLUME);
        let order: Vec<&str> = ranked.iter().map(|(k, _)| *k).collect();
        assert_eq!(order, vec!["B", "C"]);
        let apart: Vec<&str> = apart.iter().map(|(k, _)| *k).collect();
        assert_eq!(apart, vec!["A", "D"]);
    }

    #[test]
    fn the_funnel_counts_where_each_application_got_to() {
        let f = funnel(&[
            (State::Draft, 5),
            (State::Submitted, 3),
            (State::CountyReview, 2),
            (State::Rejected, 1),
            (State::OnNotice, 1),
            (State::Recognised, 4),
            (State::Revoked, 1),
        ]);
        assert_eq!(f, [12, 9, 7, 6, 6, 5, 1]);
    }

    #[test]
    fn changes_are_judged_against_the_target() {
        let up = rate_change(Some(0.95), Some(0.90), Target::Up);
        assert!((up.amount.unwrap() - 5.0).abs() < 1e-9);
        assert_eq!(up.on_target, Some(true));
        assert_eq!(
            rate_change(Some(0.85), Some(0.90), Target::Up).on_target,
            Some(false)
        );
        assert_eq!(count_change(8.0, 10.0, Target::Down).on_target, Some(true));
        assert_eq!(count_change(8.0, 0.0, Target::Up).amount, None);
        assert_eq!(count_change(8.0, 10.0, Target::Neutral).on_target, None);
        assert_eq!(rate_change(None, Some(0.9), Target::Up).on_target, None);
    }

    proptest! {
        #[test]
        fn the_funnel_never_widens(n in proptest::collection::vec((0usize..11, 0u64..50), 0..20)) {
            let states: Vec<(State, u64)> = n.iter().map(|(s, k)| (State::ALL[*s], *k)).collect();
            let f = funnel(&states);
            for w in f.windows(2) {
                prop_assert!(w[0] >= w[1]);
            }
        }

        #[test]
        fn ranking_keeps_every_place_once_and_orders_by_rate(
            raw in proptest::collection::vec((0u64..200, 0u64..200), 0..30)
        ) {
            let places: Vec<(usize, ComplaintCounts)> = raw
                .iter()
                .enumerate()
                .map(|(i, (a, c))| (i, counts(*a, (*c).min(*a))))
                .collect();
            let (ranked, apart) = rank(&places, RankBy::Handling, MIN_RANKED_VOLUME);
            prop_assert_eq!(ranked.len() + apart.len(), places.len());
            for (_, c) in &ranked {
                prop_assert!(c.accepted >= MIN_RANKED_VOLUME);
            }
            for w in ranked.windows(2) {
                prop_assert!(w[0].1.handling_rate() >= w[1].1.handling_rate());
            }
        }
    }
    proptest! {
        #[test]
        fn overdue_counts_from_totals_equal_counting_every_clock(
            clocks in proptest::collection::vec((0usize..3, 0i64..900, 1i64..5), 0..60),
            day in 0i64..1500,
        ) {
            let cal = HolidayCalendar::builtin();
            let today = NaiveDate::from_ymd_opt(2022, 1, 1).unwrap() + chrono::Duration::days(day);
            let states = [Status::Received, Status::Negotiating, Status::Mediating];
            let clocks: Vec<(Status, NaiveDate, i64)> = clocks
                .into_iter()
                .map(|(s, ago, n)| (states[s], today - chrono::Duration::days(ago), n))
                .collect();
            let mut expected = [0i64; 3];
            for &(s, since, n) in &clocks {
                match overdue(&cal, &open_clock(s, since), today) {
                    Some(Overdue::Acceptance) => expected[0] += n,
                    Some(Overdue::Negotiation) => expected[1] += n,
                    Some(Overdue::Mediation) => expected[2] += n,
                    None => {}
                }
            }
            let window = overdue_window(&cal, today);
            // Recent enough that old clocks are not read one by one.
            prop_assert!(window >= today - chrono::Duration::days(120));
            let mut totals: Vec<(Status, i64)> = Vec::new();
            for &(s, _, n) in &clocks {
                totals.push((s, n));
            }
            let recent: Vec<_> = clocks.iter().copied().filter(|c| c.1 > window).collect();
            prop_assert_eq!(overdue_counts(&cal, today, &totals, &recent), expected);
        }
    }
}
