//! Campaign batches (创建批次): their windows and how their status may change.
//!
//! The county office plans a batch (its indicator sets can still be edited), opens it for
//! applications, and closes it. One batch of an area is open at a time.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
/// Where a batch is: planned (its indicator sets may still change), open for
/// applications, or closed.
pub enum BatchStatus {
    Planned,
    Open,
    Closed,
}

impl BatchStatus {
    pub fn code(self) -> &'static str {
        match self {
            BatchStatus::Planned => "planned",
            BatchStatus::Open => "open",
            BatchStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<BatchStatus> {
        match s {
            "planned" => Some(BatchStatus::Planned),
            "open" => Some(BatchStatus::Open),
            "closed" => Some(BatchStatus::Closed),
            _ => None,
        }
    }
}

/// What is wrong with a batch as the office entered it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BatchProblem {
    NameMissing,
    /// A date is not a valid `YYYY-MM-DD`.
    DateMalformed,
    /// The application window closes before it opens.
    ApplicationWindowBackwards,
    /// The review window closes before it opens.
    ReviewWindowBackwards,
    /// Evaluation starts before applications close.
    ReviewBeforeApplicationsClose,
}

/// The four dates of a batch, inclusive, as ISO text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Windows {
    pub application_opens: String,
    pub application_closes: String,
    pub review_opens: String,
    pub review_closes: String,
}

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// Problems of a new batch: a name in Chinese, four valid dates in order.
pub fn problems(name_zh: &str, w: &Windows) -> Vec<BatchProblem> {
    let mut out = Vec::new();
    if name_zh.trim().is_empty() {
        out.push(BatchProblem::NameMissing);
    }
    let dates = [
        date(&w.application_opens),
        date(&w.application_closes),
        date(&w.review_opens),
        date(&w.review_closes),
    ];
    let [Some(ao), Some(ac), Some(ro), Some(rc)] = dates else {
        out.push(BatchProblem::DateMalformed);
        return out;
    };
    if ac < ao {
        out.push(BatchProblem::ApplicationWindowBackwards);
    }
    if rc < ro {
        out.push(BatchProblem::ReviewWindowBackwards);
    }
    if ro <= ac {
        out.push(BatchProblem::ReviewBeforeApplicationsClose);
    }
    out
}

/// Whether a batch may go from one status to another: planned → open → closed.
pub fn may_change(from: &str, to: &str) -> bool {
    matches!((from, to), ("planned", "open") | ("open", "closed"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn w(a: &str, b: &str, c: &str, d: &str) -> Windows {
        Windows {
            application_opens: a.into(),
            application_closes: b.into(),
            review_opens: c.into(),
            review_closes: d.into(),
        }
    }

    #[test]
    fn windows_must_be_dates_in_order() {
        let good = w("2028-09-01", "2029-03-31", "2029-04-01", "2029-09-30");
        assert!(problems("2028—2029年度", &good).is_empty());
        assert_eq!(problems(" ", &good), vec![BatchProblem::NameMissing]);
        assert_eq!(
            problems(
                "x",
                &w("2028-09-01", "2029-02-30", "2029-04-01", "2029-09-30")
            ),
            vec![BatchProblem::DateMalformed]
        );
        assert_eq!(
            problems(
                "x",
                &w("2029-09-01", "2029-03-31", "2029-03-01", "2029-02-01")
            ),
            vec![
                BatchProblem::ApplicationWindowBackwards,
                BatchProblem::ReviewWindowBackwards,
                BatchProblem::ReviewBeforeApplicationsClose
            ]
        );
    }

    #[test]
    fn status_moves_forward_only() {
        assert!(may_change("planned", "open"));
        assert!(may_change("open", "closed"));
        for (a, b) in [
            ("open", "planned"),
            ("closed", "open"),
            ("planned", "closed"),
            ("open", "open"),
        ] {
            assert!(!may_change(a, b), "{a} → {b}");
        }
    }

    proptest! {
        #[test]
        fn any_ordered_dates_pass(start in 0i64..3000, a in 0i64..400, gap in 1i64..60, r in 0i64..400) {
            let base = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
            let d = |n: i64| (base + chrono::Duration::days(n)).format("%Y-%m-%d").to_string();
            let ws = w(&d(start), &d(start + a), &d(start + a + gap), &d(start + a + gap + r));
            prop_assert!(problems("批次", &ws).is_empty());
        }
    }
}
