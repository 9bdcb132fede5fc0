//! Working-day arithmetic on the official holiday calendar (节假日与调休).
//!
//! A day is a working day if it is Monday–Friday and not declared off, or if it is a
//! declared make-up working day (调休上班, `isOffDay: false` in holiday-cn files).
//! The calendars of 2020–2027 are built in; the county office loads newer files at
//! run time with `HolidayCalendar::load_holiday_cn`.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::Deserialize;
use std::collections::BTreeMap;

const BUILTIN: [&str; 8] = [
    include_str!("../data/holidays/2020.json"),
    include_str!("../data/holidays/2021.json"),
    include_str!("../data/holidays/2022.json"),
    include_str!("../data/holidays/2023.json"),
    include_str!("../data/holidays/2024.json"),
    include_str!("../data/holidays/2025.json"),
    include_str!("../data/holidays/2026.json"),
    include_str!("../data/holidays/2027.json"),
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeclaredDay {
    pub date: NaiveDate,
    pub name: String,
    /// true: a holiday; false: a make-up working day on a weekend.
    pub off: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HolidayCalendar {
    days: BTreeMap<NaiveDate, DeclaredDay>,
    /// Notice years whose file has been loaded with at least one day.
    years: Vec<i32>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("not a holiday-cn file: {0}")]
    Format(String),
    #[error("bad date {0:?}")]
    BadDate(String),
}

#[derive(Deserialize)]
struct HolidayCnFile {
    year: i32,
    days: Vec<HolidayCnDay>,
}

#[derive(Deserialize)]
struct HolidayCnDay {
    name: String,
    date: String,
    #[serde(rename = "isOffDay")]
    is_off_day: bool,
}

impl HolidayCalendar {
    /// The calendars shipped with the product (2020–2027).
    pub fn builtin() -> HolidayCalendar {
        let mut cal = HolidayCalendar::default();
        for text in BUILTIN {
            cal.load_holiday_cn(text)
                .expect("built-in holiday files are valid");
        }
        cal
    }

    /// Parses one holiday-cn JSON file and adds its days (a later file wins for a date).
    /// Returns the file's year and how many days it declared.
    pub fn load_holiday_cn(&mut self, json: &str) -> Result<(i32, usize), CalendarError> {
        let file: HolidayCnFile =
            serde_json::from_str(json).map_err(|e| CalendarError::Format(e.to_string()))?;
        let mut parsed = Vec::with_capacity(file.days.len());
        for d in file.days {
            let date = NaiveDate::parse_from_str(&d.date, "%Y-%m-%d")
                .map_err(|_| CalendarError::BadDate(d.date.clone()))?;
            parsed.push(DeclaredDay {
                date,
                name: d.name,
                off: d.is_off_day,
            });
        }
        let count = parsed.len();
        for d in parsed {
            self.days.insert(d.date, d);
        }
        if count > 0 && !self.years.contains(&file.year) {
            self.years.push(file.year);
            self.years.sort_unstable();
        }
        Ok((file.year, count))
    }

    /// True when the official notice for `year` has been loaded: before that, only
    /// weekends are known for the year and deadlines in it are provisional.
    pub fn knows_year(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    pub fn declared(&self, date: NaiveDate) -> Option<&DeclaredDay> {
        self.days.get(&date)
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        match self.days.get(&date) {
            Some(d) => !d.off,
            None => !matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// The last day of a period of `n` working days that starts on `start`.
    /// With `start_counts`, `start` itself is day 1 when it is a working day; otherwise
    /// counting begins with the next working day. `n = 0` gives `start`.
    pub fn period_end(&self, start: NaiveDate, n: u32, start_counts: bool) -> NaiveDate {
        let mut day = start;
        let mut counted = 0;
        if n == 0 {
            return start;
        }
        if start_counts && self.is_working_day(start) {
            counted = 1;
        }
        while counted < n {
            day += Duration::days(1);
            if self.is_working_day(day) {
                counted += 1;
            }
        }
        day
    }

    /// Working days after `from` up to and including `to` (0 when `to <= from`).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let mut day = from;
        let mut n = 0;
        while day < to {
            day += Duration::days(1);
            if self.is_working_day(day) {
                n += 1;
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_2026_calendar_knows_holidays_and_make_up_days() {
        let cal = HolidayCalendar::builtin();
        assert!(!cal.is_working_day(d("2026-10-01")), "National Day");
        assert!(!cal.is_working_day(d("2026-10-07")));
        assert!(
            cal.is_working_day(d("2026-10-10")),
            "Saturday, a make-up working day"
        );
        assert!(
            cal.is_working_day(d("2026-09-20")),
            "Sunday, a make-up working day"
        );
        assert!(
            !cal.is_working_day(d("2026-09-25")),
            "Mid-Autumn Festival, a Friday"
        );
        assert!(!cal.is_working_day(d("2026-11-28")), "an ordinary Saturday");
        assert!(cal.is_working_day(d("2026-11-27")), "an ordinary Friday");
        assert_eq!(cal.declared(d("2026-10-01")).unwrap().name, "国庆节");
        assert!(cal.knows_year(2026));
        assert!(!cal.knows_year(2027), "the 2027 notice is not out yet");
    }

    #[test]
    fn a_five_working_day_notice_across_national_day() {
        let cal = HolidayCalendar::builtin();
        // Published Wednesday 30 September 2026, publication day not counted:
        // 8, 9, 10 (Saturday, make-up), 12, 13 October.
        assert_eq!(cal.period_end(d("2026-09-30"), 5, false), d("2026-10-13"));
        // Counting the publication day: 30 Sep, 8, 9, 10, 12 Oct.
        assert_eq!(cal.period_end(d("2026-09-30"), 5, true), d("2026-10-12"));
        assert_eq!(
            cal.working_days_between(d("2026-09-30"), d("2026-10-13")),
            5
        );
    }

    #[test]
    fn a_notice_published_on_a_holiday_starts_counting_after_it() {
        let cal = HolidayCalendar::builtin();
        assert_eq!(cal.period_end(d("2026-10-03"), 5, true), d("2026-10-13"));
        assert_eq!(cal.period_end(d("2026-10-03"), 0, true), d("2026-10-03"));
    }

    #[test]
    fn a_new_year_can_be_loaded_at_run_time() {
        let mut cal = HolidayCalendar::builtin();
        let file = r#"{"year": 2027, "papers": [], "days": [
            {"name": "元旦", "date": "2027-01-01", "isOffDay": true},
            {"name": "春节", "date": "2027-02-06", "isOffDay": false}
        ]}"#;
        assert_eq!(cal.load_holiday_cn(file).unwrap(), (2027, 2));
        assert!(cal.knows_year(2027));
        assert!(!cal.is_working_day(d("2027-01-01")));
        assert!(
            cal.is_working_day(d("2027-02-06")),
            "a Saturday made a working day"
        );
        assert!(matches!(
            cal.load_holiday_cn("{}"),
            Err(CalendarError::Format(_))
        ));
        assert!(matches!(
            cal.load_holiday_cn(
                r#"{"year":2028,"days":[{"name":"x","date":"2028-13-01","isOffDay":true}]}"#
            ),
            Err(CalendarError::BadDate(_))
        ));
    }

    proptest! {
        #[test]
        fn a_period_of_n_working_days_holds_exactly_n(
            offset in 0i64..2900, n in 1u32..30, counts in any::<bool>()
        ) {
            let cal = HolidayCalendar::builtin();
            let start = d("2020-01-01") + Duration::days(offset);
            let end = cal.period_end(start, n, counts);
            prop_assert!(cal.is_working_day(end));
            let inside = cal.working_days_between(start, end)
                + u32::from(counts && cal.is_working_day(start));
            prop_assert_eq!(inside, n);
        }
    }
}
