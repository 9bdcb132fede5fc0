//! Consumer complaints (消费投诉): what a record holds, how it moves, its legal clocks,
//! what the public may see of it, and how a row of a 12315 export is read and checked.
//!
//! The flow:
//! - `received` (待受理): filed, waiting for the regulator to accept it (7 working days);
//! - `negotiating` (企业协商中): accepted and with the business, which has 10 working days
//!   to settle it with the consumer (the ODR rule);
//! - `mediating` (调解中): the regulator mediates (45 working days from acceptance);
//! - `closed` (已办结) with an outcome, or `not_accepted` (不予受理) with a ground.
//!
//! The three rates are in [`crate::rates`]; [`counts_of`] says what one record adds to them.

use crate::rates::ComplaintCounts;
use crate::uscc::CreditCode;
use crate::workdays::HolidayCalendar;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

mod import;

pub use import::*;

pub type Text = (&'static str, &'static str);

/// Working days the regulator has to accept or refuse a complaint.
pub const ACCEPT_WORKING_DAYS: u32 = 7;
/// Working days a business has to negotiate (ODR).
pub const NEGOTIATE_WORKING_DAYS: u32 = 10;
/// Working days of mediation before it ends without agreement.
pub const MEDIATE_WORKING_DAYS: u32 = 45;

/// The enumerations of a complaint: a stored code and a name in both languages.
pub trait Coded: Copy + 'static {
    fn all() -> &'static [Self];
    fn code(self) -> &'static str;
    fn name(self) -> Text;
}

macro_rules! coded_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $code:literal, $zh:literal, $en:literal;)+ }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn name(self) -> Text {
                match self { $($name::$variant => ($zh, $en)),+ }
            }

            /// By code, or by its Chinese or English name (as exports write it).
            pub fn parse(s: &str) -> Option<$name> {
                let s = s.trim();
                $name::ALL.iter().copied().find(|v| {
                    let (zh, en) = v.name();
                    v.code() == s || zh == s || en.eq_ignore_ascii_case(s)
                })
            }
        }

        impl Coded for $name {
            fn all() -> &'static [$name] {
                $name::ALL
            }
            fn code(self) -> &'static str {
                $name::code(self)
            }
            fn name(self) -> Text {
                $name::name(self)
            }
        }
    };
}

coded_enum!(
    /// Where the complaint came in.
    Channel {
        Platform12315 = "12315", "全国12315平台", "National 12315 platform";
        Hotline12345 = "12345", "12345政务服务热线", "12345 hotline";
        Odr = "odr", "在线消费纠纷解决(ODR)", "Online dispute resolution (ODR)";
        InPerson = "in_person", "现场投诉", "In person";
        PlaqueQr = "qr", "示范牌二维码", "Plaque QR code";
        Web = "web", "网上投诉", "Web form";
    }
);

coded_enum!(
    Status {
        Received = "received", "待受理", "Awaiting acceptance";
        Negotiating = "negotiating", "企业协商中", "With the business";
        Mediating = "mediating", "调解中", "In mediation";
        Closed = "closed", "已办结", "Closed";
        NotAccepted = "not_accepted", "不予受理", "Not accepted";
    }
);

coded_enum!(
    /// How a closed complaint ended. Every outcome counts as "went to mediation" for the
    /// success rate; agreement and settlement count as success.
    Outcome {
        Agreement = "agreement", "达成调解协议", "Mediation agreement";
        Settlement = "settlement", "协商和解", "Settlement";
        Withdrawn = "withdrawn", "撤回投诉", "Withdrawn";
        Terminated = "terminated", "终止调解", "Mediation terminated";
    }
);

impl Outcome {
    pub fn is_success(self) -> bool {
        matches!(self, Outcome::Agreement | Outcome::Settlement)
    }
}

coded_enum!(
    /// Why a complaint was not accepted (SAMR complaint rules).
    RefusalGround {
        OutsideJurisdiction = "jurisdiction", "不属于本部门管辖", "Outside our jurisdiction";
        HandledElsewhere = "elsewhere", "已由其他部门受理或处理", "Already handled elsewhere";
        NoConsumerDispute = "no_dispute", "不属于消费者权益争议", "Not a consumer dispute";
        OverThreeYears = "over_3_years", "超过三年", "More than 3 years old";
        MissingMaterials = "materials", "材料不全且未补正", "Missing materials";
    }
);

coded_enum!(
    /// The consumer's verdict on how it was handled.
    Rating {
        Satisfied = "satisfied", "满意", "Satisfied";
        BasicallySatisfied = "basic", "基本满意", "Basically satisfied";
        Dissatisfied = "dissatisfied", "不满意", "Dissatisfied";
        NoAnswer = "none", "未评价", "No answer";
    }
);

coded_enum!(
    /// The industries complaints are classed by (the 12315 classification, shortened).
    Industry {
        Catering = "catering", "餐饮住宿", "Catering and lodging";
        Retail = "retail", "商品零售", "Retail";
        Appliances = "appliances", "家用电器", "Household appliances";
        Telecom = "telecom", "通信服务", "Telecom services";
        Vehicles = "vehicles", "汽车及配件", "Vehicles and parts";
        Beauty = "beauty", "美容美发", "Beauty and hairdressing";
        Education = "education", "教育培训", "Education and training";
        Medicine = "medicine", "药品医疗", "Medicine";
        Tourism = "tourism", "旅游服务", "Tourism";
        Housing = "housing", "房屋装修", "Housing and decoration";
        Farming = "farming", "农资农机", "Farm supplies";
        Food = "food", "食品", "Food";
        Other = "other", "其他", "Other";
    }
);

impl Status {
    /// Accepted for handling (counts in the handling rate's denominator).
    pub fn is_accepted(self) -> bool {
        matches!(
            self,
            Status::Negotiating | Status::Mediating | Status::Closed
        )
    }

    pub fn is_open(self) -> bool {
        matches!(
            self,
            Status::Received | Status::Negotiating | Status::Mediating
        )
    }
}

/// The dates and state that the clocks and the rates read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    pub status: Status,
    pub received_on: NaiveDate,
    pub accepted_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub outcome: Option<Outcome>,
    pub rating: Option<Rating>,
}

/// Which legal limit an open complaint has passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Overdue {
    /// Not accepted or refused within 7 working days.
    Acceptance,
    /// The business did not settle within its 10 working days.
    Negotiation,
    /// Mediation ran past 45 working days.
    Mediation,
}

impl Overdue {
    pub fn name(self) -> Text {
        match self {
            Overdue::Acceptance => ("超期未受理", "Acceptance overdue"),
            Overdue::Negotiation => ("企业协商超期", "Business past its 10 days"),
            Overdue::Mediation => ("调解超期", "Mediation overdue"),
        }
    }
}

/// The clock that runs for a complaint in its current state: the last day allowed.
pub fn due_date(cal: &HolidayCalendar, f: &Facts) -> Option<(Overdue, NaiveDate)> {
    match f.status {
        Status::Received => Some((
            Overdue::Acceptance,
            cal.period_end(f.received_on, ACCEPT_WORKING_DAYS, false),
        )),
        Status::Negotiating => Some((
            Overdue::Negotiation,
            cal.period_end(
                f.accepted_on.unwrap_or(f.received_on),
                NEGOTIATE_WORKING_DAYS,
                false,
            ),
        )),
        Status::Mediating => Some((
            Overdue::Mediation,
            cal.period_end(
                f.accepted_on.unwrap_or(f.received_on),
                MEDIATE_WORKING_DAYS,
                false,
            ),
        )),
        Status::Closed | Status::NotAccepted => None,
    }
}

/// The limit passed, if any, on `today`.
pub fn overdue(cal: &HolidayCalendar, f: &Facts, today: NaiveDate) -> Option<Overdue> {
    due_date(cal, f).and_then(|(kind, due)| (today > due).then_some(kind))
}

/// Working days left on the current clock (negative when past it).
pub fn working_days_left(cal: &HolidayCalendar, f: &Facts, today: NaiveDate) -> Option<i64> {
    let (_, due) = due_date(cal, f)?;
    Some(if today <= due {
        cal.working_days_between(today, due) as i64
    } else {
        -(cal.working_days_between(due, today) as i64)
    })
}

/// What one complaint adds to the counts behind the rates, given the period it is
/// counted in. A complaint counts in the period it was accepted (a cohort): "closed"
/// means closed by now, and its outcome and rating count with it. So every rate stays
/// between 0 and 100 %, and a period's figures only improve as its complaints close.
/// Complaints never accepted (waiting, or refused) count nowhere.
pub fn counts_of(f: &Facts, in_period: impl Fn(NaiveDate) -> bool) -> ComplaintCounts {
    let mut c = ComplaintCounts::default();
    if !(f.status.is_accepted() && f.accepted_on.is_some_and(&in_period)) {
        return c;
    }
    c.accepted = 1;
    if f.status == Status::Closed {
        c.closed = 1;
        if let Some(o) = f.outcome {
            c.mediated = 1;
            c.mediated_successfully = o.is_success() as u64;
        }
        match f.rating {
            Some(Rating::Satisfied) => c.rated_satisfied = 1,
            Some(Rating::BasicallySatisfied) => c.rated_basically_satisfied = 1,
            Some(Rating::Dissatisfied) => c.rated_dissatisfied = 1,
            _ => {}
        }
    }
    c
}

/// `张*`, `欧阳**`: the first character of a name and a star for each other one.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    match chars.next() {
        None => String::new(),
        Some(first) => {
            let rest = chars.count().max(1);
            format!("{first}{}", "*".repeat(rest))
        }
    }
}

/// `139****5678` for a mobile; other numbers keep their first 3 and last 2 characters.
pub fn mask_phone(phone: &str) -> String {
    let p: Vec<char> = phone.trim().chars().collect();
    match p.len() {
        0 => String::new(),
        11 => format!(
            "{}****{}",
            p[..3].iter().collect::<String>(),
            p[7..].iter().collect::<String>()
        ),
        n if n > 5 => format!(
            "{}{}{}",
            p[..3].iter().collect::<String>(),
            "*".repeat(n - 5),
            p[n - 2..].iter().collect::<String>()
        ),
        n => "*".repeat(n),
    }
}

/// A phone as consumers and exports write it: digits, with `-`, spaces or `+86`, or a
/// number the export already masked with `*`.
pub fn phone_ok(phone: &str) -> bool {
    let digits = phone.chars().filter(|c| c.is_ascii_digit()).count();
    let all_allowed = phone
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | ' ' | '+' | '*'));
    all_allowed && (7..=20).contains(&phone.chars().count()) && digits >= 4
}

/// Yuan as typed (`1,280.5`, `¥300`) to fen. Negative or more than two decimals: `None`.
pub fn parse_yuan(s: &str) -> Option<i64> {
    let s: String = s
        .trim()
        .trim_start_matches(['¥', '￥'])
        .trim_end_matches('元')
        .chars()
        .filter(|c| *c != ',')
        .collect();
    if s.is_empty() {
        return Some(0);
    }
    let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
    if whole.is_empty() && frac.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 2
        || whole.len() > 12
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let frac: i64 = format!("{frac:0<2}").parse().ok()?;
    Some(whole * 100 + frac)
}

/// Fen as yuan with two decimals.
pub fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// A date as exports write it: `2024-03-05`, `2024/3/5`, `2024年3月5日`, optionally
/// followed by a time.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let date_part = s.split([' ', 'T']).next().unwrap_or("");
    let norm: String = date_part
        .replace(['/', '.', '年', '月'], "-")
        .trim_end_matches('日')
        .to_string();
    let mut it = norm.split('-');
    let (y, m, d) = (it.next()?, it.next()?, it.next()?);
    if it.next().is_some() || y.len() != 4 {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// The quarter a date falls in, as `2026Q3`.
pub fn quarter_of(d: NaiveDate) -> String {
    format!("{}Q{}", d.year(), (d.month() - 1) / 3 + 1)
}

/// First and last day of the quarter holding `d`.
pub fn quarter_bounds(d: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first_month = (d.month() - 1) / 3 * 3 + 1;
    let start = NaiveDate::from_ymd_opt(d.year(), first_month, 1).expect("valid");
    let next = if first_month == 10 {
        NaiveDate::from_ymd_opt(d.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(d.year(), first_month + 3, 1)
    }
    .expect("valid");
    (start, next.pred_opt().expect("valid"))
}

/// Thresholds of dynamic management: a recognised unit with more complaints than
/// `max_complaints` in a quarter, or satisfaction under `min_satisfaction_percent` (with
/// at least `min_ratings` ratings), is flagged for re-inspection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thresholds {
    pub max_complaints: u32,
    pub min_satisfaction_percent: u32,
    pub min_ratings: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            max_complaints: 3,
            min_satisfaction_percent: 60,
            min_ratings: 2,
        }
    }
}

/// Why a unit is flagged, if it is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Flag {
    TooManyComplaints { complaints: u32, limit: u32 },
    LowSatisfaction { percent: u32, limit: u32 },
}

impl Flag {
    pub fn describe(&self) -> (String, String) {
        match self {
            Flag::TooManyComplaints { complaints, limit } => (
                format!("本季度投诉 {complaints} 件（预警线 {limit} 件）"),
                format!("{complaints} complaints this quarter (limit {limit})"),
            ),
            Flag::LowSatisfaction { percent, limit } => (
                format!("本季度满意率 {percent}%（预警线 {limit}%）"),
                format!("satisfaction {percent}% this quarter (limit {limit}%)"),
            ),
        }
    }
}

/// The flags one unit raises over a quarter.
pub fn flags(t: &Thresholds, complaints: u32, ratings: &ComplaintCounts) -> Vec<Flag> {
    let mut out = Vec::new();
    if complaints > t.max_complaints {
        out.push(Flag::TooManyComplaints {
            complaints,
            limit: t.max_complaints,
        });
    }
    let given =
        ratings.rated_satisfied + ratings.rated_basically_satisfied + ratings.rated_dissatisfied;
    if given >= t.min_ratings as u64 {
        if let Some(rate) = ratings.satisfaction_rate() {
            let percent = (rate * 100.0).round() as u32;
            if percent < t.min_satisfaction_percent {
                out.push(Flag::LowSatisfaction {
                    percent,
                    limit: t.min_satisfaction_percent,
                });
            }
        }
    }
    out
}

/// A tracking code: 10 characters of the credit-code alphabet, grouped for reading.
pub fn tracking_code_from(bytes: &[u8; 10]) -> String {
    let a = crate::uscc::ALPHABET;
    let s: String = bytes
        .iter()
        .map(|b| a[(*b as usize) % a.len()] as char)
        .collect();
    format!("TS{s}")
}

/// True for something shaped like a tracking code (case and spaces forgiven by `normalise`).
pub fn normalise_tracking_code(s: &str) -> Option<String> {
    let s: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_ascii_uppercase();
    let ok = s.len() == 12
        && s.starts_with("TS")
        && s[2..].bytes().all(|b| crate::uscc::ALPHABET.contains(&b));
    ok.then_some(s)
}

#[cfg(test)]
mod tests;
