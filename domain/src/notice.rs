//! Public notice (公示), objections, recognition and rectification dates: the calendar
//! rules of steps 5–7, on the official working-day calendar.

use crate::workdays::HolidayCalendar;
use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// The plan's floor: a notice runs at least five working days.
pub const MIN_NOTICE_WORKING_DAYS: u32 = 5;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum NoticeProblem {
    #[error("a notice runs at least five working days")]
    TooShort,
    #[error("a notice runs at most sixty working days")]
    TooLong,
    #[error("a notice lists at least one application")]
    NoApplications,
}

pub fn notice_problems(working_days: u32, applications: usize) -> Vec<NoticeProblem> {
    let mut out = Vec::new();
    if working_days < MIN_NOTICE_WORKING_DAYS {
        out.push(NoticeProblem::TooShort);
    }
    if working_days > 60 {
        out.push(NoticeProblem::TooLong);
    }
    if applications == 0 {
        out.push(NoticeProblem::NoApplications);
    }
    out
}

/// Where a notice stands on a given day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NoticeStatus {
    /// Published for a later day.
    Upcoming,
    /// Running, with this many working days left including today when it is one.
    Running { working_days_left: u32 },
    /// The last day has passed: recognition may follow.
    Ended,
}

/// Working days left count today when it is one of the period's days (the publication
/// day is only when `first_day_counts`).
pub fn notice_status(
    cal: &HolidayCalendar,
    today: NaiveDate,
    published_on: NaiveDate,
    ends_on: NaiveDate,
    first_day_counts: bool,
) -> NoticeStatus {
    if today < published_on {
        NoticeStatus::Upcoming
    } else if today > ends_on {
        NoticeStatus::Ended
    } else {
        let today_counts = cal.is_working_day(today) && (today > published_on || first_day_counts);
        let left = cal.working_days_between(today, ends_on) + u32::from(today_counts);
        NoticeStatus::Running {
            working_days_left: left,
        }
    }
}

/// What became of an objection (异议).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ObjectionStatus {
    Open,
    /// Found true: the applicant's recognition stays on hold.
    Upheld,
    Dismissed,
}

impl ObjectionStatus {
    pub fn code(self) -> &'static str {
        match self {
            ObjectionStatus::Open => "open",
            ObjectionStatus::Upheld => "upheld",
            ObjectionStatus::Dismissed => "dismissed",
        }
    }

    pub fn parse(s: &str) -> Option<ObjectionStatus> {
        [
            ObjectionStatus::Open,
            ObjectionStatus::Upheld,
            ObjectionStatus::Dismissed,
        ]
        .into_iter()
        .find(|o| o.code() == s)
    }

    pub fn name(self) -> (&'static str, &'static str) {
        match self {
            ObjectionStatus::Open => ("待核查", "Open"),
            ObjectionStatus::Upheld => ("异议成立", "Upheld"),
            ObjectionStatus::Dismissed => ("异议不成立", "Dismissed"),
        }
    }

    /// Open and upheld objections both hold the recognition.
    pub fn holds_recognition(self) -> bool {
        !matches!(self, ObjectionStatus::Dismissed)
    }
}

/// A plaque's live status, as the public verification page shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlaqueStatus {
    Valid,
    Expired,
    Revoked,
}

pub fn plaque_status(today: NaiveDate, valid_until: NaiveDate, revoked: bool) -> PlaqueStatus {
    if revoked {
        PlaqueStatus::Revoked
    } else if today > valid_until {
        PlaqueStatus::Expired
    } else {
        PlaqueStatus::Valid
    }
}

impl PlaqueStatus {
    pub fn code(self) -> &'static str {
        match self {
            PlaqueStatus::Valid => "valid",
            PlaqueStatus::Expired => "expired",
            PlaqueStatus::Revoked => "revoked",
        }
    }

    pub fn name(self) -> (&'static str, &'static str) {
        match self {
            PlaqueStatus::Valid => ("有效", "Valid"),
            PlaqueStatus::Expired => ("已过期", "Expired"),
            PlaqueStatus::Revoked => ("已撤销", "Revoked"),
        }
    }
}

/// Certificate number: county, year of recognition, category letter, sequence —
/// e.g. 东至放心-2026-U-0007.
pub fn certificate_number(year: i32, category: crate::Category, sequence: u32) -> String {
    let letter = match category {
        crate::Category::Unit => 'U',
        crate::Category::Street => 'S',
        crate::Category::Association => 'A',
        crate::Category::Village => 'V',
    };
    format!("东至放心-{year}-{letter}-{sequence:04}")
}

/// The rectification deadline: `months` calendar months after the failure (the end of
/// a shorter month when the day does not exist in it).
pub fn rectification_due(failed_on: NaiveDate, months: u32) -> NaiveDate {
    failed_on
        .checked_add_months(Months::new(months))
        .unwrap_or(failed_on)
}

/// The in-app reminders owed on `today` for a deadline: 30 days and 7 days before.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reminder {
    ThirtyDays,
    SevenDays,
}

pub fn reminders_due(today: NaiveDate, due: NaiveDate) -> Vec<Reminder> {
    let days_left = (due - today).num_days();
    let mut out = Vec::new();
    if days_left <= 30 {
        out.push(Reminder::ThirtyDays);
    }
    if days_left <= 7 {
        out.push(Reminder::SevenDays);
    }
    out
}

/// Recognition lasts to the end of the batch's last year (typically two years).
pub fn valid_until(batch_end_year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(batch_end_year, 12, 31).expect("31 December exists")
}

/// Calendar days from `today` to `due` (negative once past).
pub fn days_left(today: NaiveDate, due: NaiveDate) -> i64 {
    (due - today).num_days()
}

/// The year a date falls in (for certificate numbering).
pub fn year_of(d: NaiveDate) -> i32 {
    d.year()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_notice_is_five_to_sixty_working_days_with_someone_on_it() {
        assert!(notice_problems(5, 1).is_empty());
        assert_eq!(notice_problems(4, 1), vec![NoticeProblem::TooShort]);
        assert_eq!(
            notice_problems(61, 0),
            vec![NoticeProblem::TooLong, NoticeProblem::NoApplications]
        );
    }

    #[test]
    fn status_across_national_day_2026() {
        let cal = HolidayCalendar::builtin();
        let (p, e) = (d("2026-09-30"), d("2026-10-13"));
        assert_eq!(
            notice_status(&cal, d("2026-09-29"), p, e, false),
            NoticeStatus::Upcoming
        );
        // Published on the 30th, which does not count: all five remain.
        assert_eq!(
            notice_status(&cal, d("2026-09-30"), p, e, false),
            NoticeStatus::Running {
                working_days_left: 5
            }
        );
        // Through the holiday: 8, 9, 10 (a make-up Saturday), 12, 13 October remain.
        assert_eq!(
            notice_status(&cal, d("2026-10-03"), p, e, false),
            NoticeStatus::Running {
                working_days_left: 5
            }
        );
        assert_eq!(
            notice_status(&cal, d("2026-10-08"), p, e, false),
            NoticeStatus::Running {
                working_days_left: 5
            }
        );
        assert_eq!(
            notice_status(&cal, d("2026-10-13"), p, e, false),
            NoticeStatus::Running {
                working_days_left: 1
            }
        );
        assert_eq!(
            notice_status(&cal, d("2026-10-14"), p, e, false),
            NoticeStatus::Ended
        );
        // Counting the publication day: 30 Sep, 8, 9, 10, 12 October.
        let e2 = d("2026-10-12");
        assert_eq!(
            notice_status(&cal, d("2026-09-30"), p, e2, true),
            NoticeStatus::Running {
                working_days_left: 5
            }
        );
    }

    #[test]
    fn objections_hold_until_dismissed() {
        assert!(ObjectionStatus::Open.holds_recognition());
        assert!(ObjectionStatus::Upheld.holds_recognition());
        assert!(!ObjectionStatus::Dismissed.holds_recognition());
        for s in [
            ObjectionStatus::Open,
            ObjectionStatus::Upheld,
            ObjectionStatus::Dismissed,
        ] {
            assert_eq!(ObjectionStatus::parse(s.code()), Some(s));
        }
    }

    #[test]
    fn plaques_are_valid_expired_or_revoked() {
        let until = d("2027-12-31");
        assert_eq!(
            plaque_status(d("2027-12-31"), until, false),
            PlaqueStatus::Valid
        );
        assert_eq!(
            plaque_status(d("2028-01-01"), until, false),
            PlaqueStatus::Expired
        );
        assert_eq!(
            plaque_status(d("2026-01-01"), until, true),
            PlaqueStatus::Revoked
        );
        assert_eq!(valid_until(2027), until);
    }

    #[test]
    fn certificate_numbers_and_deadlines() {
        assert_eq!(
            certificate_number(2026, crate::Category::Street, 7),
            "东至放心-2026-S-0007"
        );
        assert_eq!(rectification_due(d("2026-08-31"), 6), d("2027-02-28"));
        assert_eq!(rectification_due(d("2026-05-15"), 6), d("2026-11-15"));
        assert!(reminders_due(d("2026-01-01"), d("2026-03-01")).is_empty());
        assert_eq!(
            reminders_due(d("2026-02-01"), d("2026-03-01")),
            vec![Reminder::ThirtyDays]
        );
        assert_eq!(
            reminders_due(d("2026-02-25"), d("2026-03-01")),
            vec![Reminder::ThirtyDays, Reminder::SevenDays]
        );
    }
}
