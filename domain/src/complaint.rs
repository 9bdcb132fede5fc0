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

// ---------------------------------------------------------------------------------
// Importing a 12315 export
// ---------------------------------------------------------------------------------

/// The columns Fangxin reads from an export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Column {
    Number,
    ReceivedOn,
    AcceptedOn,
    ClosedOn,
    ConsumerName,
    ConsumerPhone,
    UnitName,
    UnitCreditCode,
    Township,
    Industry,
    Channel,
    Status,
    Outcome,
    RefusalGround,
    Recovered,
    AdvancePaid,
    Rating,
    Summary,
}

impl Column {
    pub const ALL: &'static [Column] = &[
        Column::Number,
        Column::ReceivedOn,
        Column::AcceptedOn,
        Column::ClosedOn,
        Column::ConsumerName,
        Column::ConsumerPhone,
        Column::UnitName,
        Column::UnitCreditCode,
        Column::Township,
        Column::Industry,
        Column::Channel,
        Column::Status,
        Column::Outcome,
        Column::RefusalGround,
        Column::Recovered,
        Column::AdvancePaid,
        Column::Rating,
        Column::Summary,
    ];

    /// The header of the column in a 12315 export (and in Fangxin's own CSV export).
    pub fn header(self) -> Text {
        match self {
            Column::Number => ("投诉编号", "Complaint number"),
            Column::ReceivedOn => ("登记日期", "Received on"),
            Column::AcceptedOn => ("受理日期", "Accepted on"),
            Column::ClosedOn => ("办结日期", "Closed on"),
            Column::ConsumerName => ("投诉人", "Consumer"),
            Column::ConsumerPhone => ("联系电话", "Phone"),
            Column::UnitName => ("被投诉单位", "Business complained about"),
            Column::UnitCreditCode => ("统一社会信用代码", "Credit code"),
            Column::Township => ("所属乡镇", "Township"),
            Column::Industry => ("行业", "Industry"),
            Column::Channel => ("投诉渠道", "Channel"),
            Column::Status => ("办理状态", "Status"),
            Column::Outcome => ("办结方式", "Outcome"),
            Column::RefusalGround => ("不予受理原因", "Ground for not accepting"),
            Column::Recovered => ("挽回经济损失（元）", "Recovered (yuan)"),
            Column::AdvancePaid => ("先行赔付（元）", "Advance compensation (yuan)"),
            Column::Rating => ("满意度", "Satisfaction"),
            Column::Summary => ("投诉内容", "What happened"),
        }
    }

    /// Other headers seen in exports for the same column.
    fn synonyms(self) -> &'static [&'static str] {
        match self {
            Column::Number => &["投诉单号", "工单编号", "登记编号", "number"],
            Column::ReceivedOn => &["登记时间", "投诉日期", "接收日期", "received_on"],
            Column::AcceptedOn => &["受理时间", "accepted_on"],
            Column::ClosedOn => &["办结时间", "结案日期", "closed_on"],
            Column::ConsumerName => &["投诉人姓名", "消费者姓名", "consumer_name"],
            Column::ConsumerPhone => &["投诉人电话", "手机号码", "consumer_phone"],
            Column::UnitName => &["被投诉方", "被投诉方名称", "被投诉人", "unit_name"],
            Column::UnitCreditCode => &["被投诉方统一社会信用代码", "信用代码", "credit_code"],
            Column::Township => &["乡镇", "属地", "township"],
            Column::Industry => &["行业分类", "所属行业", "industry"],
            Column::Channel => &["投诉来源", "来源渠道", "channel"],
            Column::Status => &["状态", "处理状态", "status"],
            Column::Outcome => &["办结结果", "处理结果", "outcome"],
            Column::RefusalGround => &["不予受理理由", "refusal_ground"],
            Column::Recovered => &["挽回经济损失", "挽回损失（元）", "recovered_yuan"],
            Column::AdvancePaid => &["先行赔付金额（元）", "先行赔付金额", "advance_yuan"],
            Column::Rating => &["满意度评价", "回访满意度", "rating"],
            Column::Summary => &["投诉事项", "投诉内容摘要", "summary"],
        }
    }

    fn matches(self, header: &str) -> bool {
        let h = header.trim().trim_start_matches('\u{feff}').trim();
        let (zh, en) = self.header();
        h == zh || h.eq_ignore_ascii_case(en) || self.synonyms().contains(&h)
    }

    fn required(self) -> bool {
        matches!(
            self,
            Column::Number
                | Column::ReceivedOn
                | Column::UnitName
                | Column::Township
                | Column::Industry
                | Column::Status
        )
    }
}

/// Which column of the file holds each field Fangxin reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderMap {
    positions: Vec<(Column, usize)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum HeaderProblem {
    Missing(Column),
    Twice(Column),
}

impl HeaderProblem {
    pub fn describe(&self) -> (String, String) {
        match self {
            HeaderProblem::Missing(c) => (
                format!("缺少“{}”列", c.header().0),
                format!("The column \"{}\" is missing", c.header().1),
            ),
            HeaderProblem::Twice(c) => (
                format!("“{}”列出现了两次", c.header().0),
                format!("The column \"{}\" appears twice", c.header().1),
            ),
        }
    }
}

impl HeaderMap {
    /// Maps the header row; columns Fangxin does not read are ignored.
    pub fn read(headers: &[&str]) -> Result<HeaderMap, Vec<HeaderProblem>> {
        let mut positions = Vec::new();
        let mut problems = Vec::new();
        for &col in Column::ALL {
            let found: Vec<usize> = headers
                .iter()
                .enumerate()
                .filter(|(_, h)| col.matches(h))
                .map(|(i, _)| i)
                .collect();
            match found.as_slice() {
                [] if col.required() => problems.push(HeaderProblem::Missing(col)),
                [] => {}
                [i] => positions.push((col, *i)),
                _ => problems.push(HeaderProblem::Twice(col)),
            }
        }
        if problems.is_empty() {
            Ok(HeaderMap { positions })
        } else {
            Err(problems)
        }
    }

    fn get<'a>(&self, cells: &'a [&'a str], col: Column) -> &'a str {
        self.positions
            .iter()
            .find(|(c, _)| *c == col)
            .and_then(|(_, i)| cells.get(*i))
            .map(|s| s.trim())
            .unwrap_or("")
    }
}

/// One checked complaint, ready to store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub number: Option<String>,
    pub channel: Channel,
    pub consumer_name: String,
    pub consumer_phone: String,
    pub unit_name: String,
    pub unit_credit_code: Option<String>,
    pub area_code: String,
    pub industry: Industry,
    pub summary: String,
    pub facts: Facts,
    pub refusal_ground: Option<RefusalGround>,
    pub recovered_fen: i64,
    pub advance_fen: i64,
}

/// One thing wrong with a row, naming the column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowProblem {
    pub column: Column,
    pub zh: String,
    pub en: String,
}

fn problem(column: Column, zh: impl Into<String>, en: impl Into<String>) -> RowProblem {
    RowProblem {
        column,
        zh: zh.into(),
        en: en.into(),
    }
}

/// The first `n` characters of `s` (all of it when shorter).
fn first_chars(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((end, _)) => &s[..end],
        None => s,
    }
}

/// Township names (尧渡镇, 尧渡) and codes to area codes.
pub trait Townships {
    fn code_of(&self, name_or_code: &str) -> Option<String>;
}

impl HeaderMap {
    /// Reads and checks one data row: every problem is reported, not just the first.
    pub fn record(
        &self,
        cells: &[&str],
        townships: &impl Townships,
    ) -> Result<Record, Vec<RowProblem>> {
        let mut p = Vec::new();
        let g = |c| self.get(cells, c);

        let number = g(Column::Number).to_string();
        if number.is_empty() || number.chars().count() > 40 {
            p.push(problem(
                Column::Number,
                "投诉编号不能为空，且不超过40个字符",
                "The complaint number must be 1–40 characters",
            ));
        }
        let date = |c: Column, p: &mut Vec<RowProblem>| -> Option<NaiveDate> {
            let v = g(c);
            if v.is_empty() {
                return None;
            }
            let d = parse_date(v);
            if d.is_none() {
                p.push(problem(
                    c,
                    format!("“{}”不是日期：{v}（应为 2024-03-05）", c.header().0),
                    format!("\"{}\" is not a date: {v} (write 2024-03-05)", c.header().1),
                ));
            }
            d
        };
        let received = date(Column::ReceivedOn, &mut p);
        if g(Column::ReceivedOn).is_empty() {
            p.push(problem(
                Column::ReceivedOn,
                "缺少登记日期",
                "The date received is missing",
            ));
        }
        let accepted = date(Column::AcceptedOn, &mut p);
        let closed = date(Column::ClosedOn, &mut p);

        // Each enumeration is parsed once: names are compared one by one, and a 12315
        // file has a million rows.
        fn choice<T>(
            v: &str,
            c: Column,
            parse: impl Fn(&str) -> Option<T>,
            p: &mut Vec<RowProblem>,
        ) -> Option<T> {
            if v.is_empty() {
                return None;
            }
            let parsed = parse(v);
            if parsed.is_none() {
                p.push(problem(
                    c,
                    format!("“{}”的值无法识别：{v}", c.header().0),
                    format!("\"{}\" has an unknown value: {v}", c.header().1),
                ));
            }
            parsed
        }
        let channel = choice(g(Column::Channel), Column::Channel, Channel::parse, &mut p);
        let status = choice(g(Column::Status), Column::Status, Status::parse, &mut p);
        let outcome = choice(g(Column::Outcome), Column::Outcome, Outcome::parse, &mut p);
        let ground = choice(
            g(Column::RefusalGround),
            Column::RefusalGround,
            RefusalGround::parse,
            &mut p,
        );
        let rating = choice(g(Column::Rating), Column::Rating, Rating::parse, &mut p);
        let industry = choice(
            g(Column::Industry),
            Column::Industry,
            Industry::parse,
            &mut p,
        );
        let channel = channel.unwrap_or(Channel::Platform12315);
        if g(Column::Status).is_empty() {
            p.push(problem(
                Column::Status,
                "缺少办理状态",
                "The status is missing",
            ));
        }
        if g(Column::Industry).is_empty() {
            p.push(problem(
                Column::Industry,
                "缺少行业",
                "The industry is missing",
            ));
        }
        let rating = rating.filter(|r| *r != Rating::NoAnswer);

        let unit_name = g(Column::UnitName).to_string();
        if unit_name.is_empty() || unit_name.chars().count() > 100 {
            p.push(problem(
                Column::UnitName,
                "被投诉单位不能为空，且不超过100个字符",
                "The business must be named (at most 100 characters)",
            ));
        }
        let code = g(Column::UnitCreditCode);
        let unit_credit_code = if code.is_empty() {
            None
        } else {
            match CreditCode::parse(code) {
                Ok(c) => Some(c.as_str().to_string()),
                Err(_) => {
                    p.push(problem(
                        Column::UnitCreditCode,
                        format!("统一社会信用代码校验不通过：{code}"),
                        format!("The credit code fails its check: {code}"),
                    ));
                    None
                }
            }
        };
        let township = g(Column::Township);
        let area_code = townships.code_of(township);
        if area_code.is_none() {
            p.push(problem(
                Column::Township,
                format!("不是东至县的乡镇：{township}"),
                format!("Not a township of Dongzhi: {township}"),
            ));
        }
        let phone = g(Column::ConsumerPhone).to_string();
        if !phone.is_empty() && !phone_ok(&phone) {
            p.push(problem(
                Column::ConsumerPhone,
                format!("联系电话格式不对：{phone}"),
                format!("The phone number is malformed: {phone}"),
            ));
        }
        let money = |c: Column, p: &mut Vec<RowProblem>| {
            let v = g(c);
            parse_yuan(v).unwrap_or_else(|| {
                p.push(problem(
                    c,
                    format!("“{}”应为不小于0的金额：{v}", c.header().0),
                    format!("\"{}\" must be an amount of 0 or more: {v}", c.header().1),
                ));
                0
            })
        };
        let recovered_fen = money(Column::Recovered, &mut p);
        let advance_fen = money(Column::AdvancePaid, &mut p);

        // The record must tell one consistent story.
        if let (Some(r), Some(a)) = (received, accepted) {
            if a < r {
                p.push(problem(
                    Column::AcceptedOn,
                    "受理日期早于登记日期",
                    "Accepted before it was received",
                ));
            }
        }
        if let (Some(a), Some(c)) = (accepted.or(received), closed) {
            if c < a {
                p.push(problem(
                    Column::ClosedOn,
                    "办结日期早于受理日期",
                    "Closed before it was accepted",
                ));
            }
        }
        match status {
            Some(Status::Closed) => {
                if closed.is_none() && g(Column::ClosedOn).is_empty() {
                    p.push(problem(
                        Column::ClosedOn,
                        "已办结的投诉需要办结日期",
                        "A closed complaint needs the date closed",
                    ));
                }
                if outcome.is_none() && g(Column::Outcome).is_empty() {
                    p.push(problem(
                        Column::Outcome,
                        "已办结的投诉需要办结方式",
                        "A closed complaint needs its outcome",
                    ));
                }
            }
            Some(Status::NotAccepted)
                if ground.is_none() && g(Column::RefusalGround).is_empty() =>
            {
                p.push(problem(
                    Column::RefusalGround,
                    "不予受理需要写明原因",
                    "Not accepting needs a ground",
                ));
            }
            Some(s)
                if s.is_accepted() && accepted.is_none() && g(Column::AcceptedOn).is_empty() =>
            {
                p.push(problem(
                    Column::AcceptedOn,
                    "已受理的投诉需要受理日期",
                    "An accepted complaint needs the date accepted",
                ));
            }
            _ => {}
        }
        if rating.is_some() && status != Some(Status::Closed) {
            p.push(problem(
                Column::Rating,
                "只有已办结的投诉才有满意度",
                "Only closed complaints are rated",
            ));
        }
        if !p.is_empty() {
            return Err(p);
        }
        let status = status.expect("checked");
        Ok(Record {
            number: Some(number),
            channel,
            consumer_name: first_chars(g(Column::ConsumerName), 40).to_string(),
            consumer_phone: phone,
            unit_name,
            unit_credit_code,
            area_code: area_code.expect("checked"),
            industry: industry.expect("checked"),
            summary: first_chars(g(Column::Summary), 2000).to_string(),
            facts: Facts {
                status,
                received_on: received.expect("checked"),
                accepted_on: if status.is_accepted() {
                    accepted.or(received)
                } else {
                    accepted
                },
                closed_on: if status == Status::Closed || status == Status::NotAccepted {
                    closed
                } else {
                    None
                },
                outcome: if status == Status::Closed {
                    outcome
                } else {
                    None
                },
                rating: if status == Status::Closed {
                    rating
                } else {
                    None
                },
            },
            refusal_ground: if status == Status::NotAccepted {
                ground
            } else {
                None
            },
            recovered_fen,
            advance_fen,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    struct Dongzhi;
    impl Townships for Dongzhi {
        fn code_of(&self, s: &str) -> Option<String> {
            match s {
                "尧渡镇" | "尧渡" | "341721100" => Some("341721100".into()),
                "东流镇" | "341721101" => Some("341721101".into()),
                _ => None,
            }
        }
    }

    fn facts(status: Status, received: &str, accepted: Option<&str>) -> Facts {
        Facts {
            status,
            received_on: d(received),
            accepted_on: accepted.map(d),
            closed_on: None,
            outcome: None,
            rating: None,
        }
    }

    #[test]
    fn enumerations_read_codes_and_both_names() {
        for &c in Channel::ALL {
            assert_eq!(Channel::parse(c.code()), Some(c));
            assert_eq!(Channel::parse(c.name().0), Some(c));
            assert_eq!(Channel::parse(&c.name().1.to_uppercase()), Some(c));
        }
        assert_eq!(Outcome::parse(" 协商和解 "), Some(Outcome::Settlement));
        assert_eq!(Rating::parse("基本满意"), Some(Rating::BasicallySatisfied));
        assert_eq!(Status::parse("办结"), None);
    }

    #[test]
    fn the_acceptance_clock_skips_the_national_day_holiday() {
        let cal = HolidayCalendar::builtin();
        // Received Wednesday 30 Sep 2026: 1–7 Oct off, Sat 10 Oct a make-up day.
        let f = facts(Status::Received, "2026-09-30", None);
        assert_eq!(
            due_date(&cal, &f),
            Some((Overdue::Acceptance, d("2026-10-15")))
        );
        assert_eq!(overdue(&cal, &f, d("2026-10-15")), None);
        assert_eq!(
            overdue(&cal, &f, d("2026-10-16")),
            Some(Overdue::Acceptance)
        );
        assert_eq!(working_days_left(&cal, &f, d("2026-09-30")), Some(7));
    }

    #[test]
    fn the_business_has_ten_working_days_and_mediation_forty_five() {
        let cal = HolidayCalendar::builtin();
        let f = facts(Status::Negotiating, "2026-03-02", Some("2026-03-02"));
        assert_eq!(
            due_date(&cal, &f),
            Some((Overdue::Negotiation, d("2026-03-16")))
        );
        assert_eq!(working_days_left(&cal, &f, d("2026-03-18")), Some(-2));
        let f = facts(Status::Mediating, "2026-03-02", Some("2026-03-02"));
        let (_, due) = due_date(&cal, &f).unwrap();
        assert_eq!(cal.working_days_between(d("2026-03-02"), due), 45);
        let mut closed = f.clone();
        closed.status = Status::Closed;
        assert_eq!(overdue(&cal, &closed, d("2030-01-01")), None);
    }

    #[test]
    fn a_complaint_counts_in_the_period_it_was_accepted() {
        let f = Facts {
            status: Status::Closed,
            received_on: d("2025-12-28"),
            accepted_on: Some(d("2025-12-30")),
            closed_on: Some(d("2026-01-05")),
            outcome: Some(Outcome::Settlement),
            rating: Some(Rating::BasicallySatisfied),
        };
        // Accepted in 2025, closed in 2026: all of it is 2025's.
        let in_2025 = counts_of(&f, |x| x.year() == 2025);
        assert_eq!(
            (
                in_2025.accepted,
                in_2025.closed,
                in_2025.mediated,
                in_2025.mediated_successfully,
                in_2025.rated_basically_satisfied
            ),
            (1, 1, 1, 1, 1)
        );
        assert_eq!(
            counts_of(&f, |x| x.year() == 2026),
            ComplaintCounts::default()
        );
        let open = Facts {
            status: Status::Mediating,
            closed_on: None,
            outcome: None,
            rating: None,
            ..f.clone()
        };
        let c = counts_of(&open, |x| x.year() == 2025);
        assert_eq!((c.accepted, c.closed), (1, 0));
        // Not accepted: in neither side of the handling rate.
        let refused = Facts {
            status: Status::NotAccepted,
            closed_on: Some(d("2026-01-05")),
            ..f
        };
        assert_eq!(counts_of(&refused, |_| true), ComplaintCounts::default());
    }

    #[test]
    fn masks_hide_all_but_a_hint() {
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳娜娜"), "欧***");
        assert_eq!(mask_name("李"), "李*");
        assert_eq!(mask_name(""), "");
        assert_eq!(mask_phone("13912345678"), "139****5678");
        assert_eq!(mask_phone("0566-7021234"), "056*******34");
        assert_eq!(mask_phone("1234"), "****");
    }

    #[test]
    fn amounts_and_dates_as_exports_write_them() {
        assert_eq!(parse_yuan("1,280.5"), Some(128050));
        assert_eq!(parse_yuan("￥300元"), Some(30000));
        assert_eq!(parse_yuan(""), Some(0));
        assert_eq!(parse_yuan("-5"), None);
        assert_eq!(parse_yuan("1.234"), None);
        assert_eq!(parse_yuan("."), None);
        assert_eq!(yuan(128050), "1280.50");
        assert_eq!(parse_date("2024/3/5"), Some(d("2024-03-05")));
        assert_eq!(parse_date("2024年3月5日"), Some(d("2024-03-05")));
        assert_eq!(parse_date("2024-03-05 10:11:12"), Some(d("2024-03-05")));
        assert_eq!(parse_date("2024-02-30"), None);
        assert_eq!(parse_date("24-3-5"), None);
    }

    #[test]
    fn quarters() {
        assert_eq!(quarter_of(d("2026-11-27")), "2026Q4");
        assert_eq!(
            quarter_bounds(d("2026-11-27")),
            (d("2026-10-01"), d("2026-12-31"))
        );
        assert_eq!(
            quarter_bounds(d("2026-02-01")),
            (d("2026-01-01"), d("2026-03-31"))
        );
    }

    #[test]
    fn thresholds_flag_volume_and_low_satisfaction_with_enough_ratings() {
        let t = Thresholds::default();
        assert!(flags(&t, 3, &ComplaintCounts::default()).is_empty());
        assert_eq!(
            flags(&t, 4, &ComplaintCounts::default()),
            vec![Flag::TooManyComplaints {
                complaints: 4,
                limit: 3
            }]
        );
        let one_bad = ComplaintCounts {
            rated_dissatisfied: 1,
            ..Default::default()
        };
        assert!(
            flags(&t, 1, &one_bad).is_empty(),
            "one rating is not enough"
        );
        let bad = ComplaintCounts {
            rated_satisfied: 1,
            rated_dissatisfied: 2,
            ..Default::default()
        };
        assert_eq!(
            flags(&t, 3, &bad),
            vec![Flag::LowSatisfaction {
                percent: 33,
                limit: 60
            }]
        );
    }

    #[test]
    fn tracking_codes_read_back() {
        let code = tracking_code_from(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 30]);
        assert_eq!(code, "TS012345678Y");
        assert_eq!(
            normalise_tracking_code(" ts01-2345 678y "),
            Some(code.clone())
        );
        assert_eq!(normalise_tracking_code("TS012345678I"), None);
        assert_eq!(normalise_tracking_code("TS0123"), None);
    }

    fn header() -> Vec<&'static str> {
        Column::ALL.iter().map(|c| c.header().0).collect()
    }

    fn row<'a>(overrides: &[(Column, &'a str)]) -> Vec<&'a str> {
        Column::ALL
            .iter()
            .map(|c| {
                overrides
                    .iter()
                    .find(|(k, _)| k == c)
                    .map(|(_, v)| *v)
                    .unwrap_or(match c {
                        Column::Number => "12315-2025-0001",
                        Column::ReceivedOn => "2025-03-03",
                        Column::AcceptedOn => "2025-03-04",
                        Column::ClosedOn => "2025-03-20",
                        Column::ConsumerName => "王芳",
                        Column::ConsumerPhone => "13912345678",
                        Column::UnitName => "东至县某超市",
                        Column::UnitCreditCode => "91341721MA2N0Y7B3K",
                        Column::Township => "尧渡镇",
                        Column::Industry => "商品零售",
                        Column::Channel => "全国12315平台",
                        Column::Status => "已办结",
                        Column::Outcome => "协商和解",
                        Column::RefusalGround => "",
                        Column::Recovered => "128.00",
                        Column::AdvancePaid => "0",
                        Column::Rating => "满意",
                        Column::Summary => "购买的酸奶已过期，要求退款。",
                    })
            })
            .collect()
    }

    #[test]
    fn a_clean_row_reads() {
        let map = HeaderMap::read(&header()).unwrap();
        let r = map.record(&row(&[]), &Dongzhi).unwrap();
        assert_eq!(r.facts.status, Status::Closed);
        assert_eq!(r.facts.outcome, Some(Outcome::Settlement));
        assert_eq!(r.facts.rating, Some(Rating::Satisfied));
        assert_eq!(r.recovered_fen, 12800);
        assert_eq!(r.area_code, "341721100");
        assert_eq!(r.industry, Industry::Retail);
    }

    #[test]
    fn headers_are_mapped_by_name_in_any_order_and_extra_columns_are_ignored() {
        let map = HeaderMap::read(&[
            "\u{feff}投诉单号",
            "备注",
            "登记时间",
            "被投诉方名称",
            "乡镇",
            "行业分类",
            "处理状态",
        ])
        .unwrap();
        let r = map
            .record(
                &[
                    "A-1",
                    "x",
                    "2025/1/2",
                    "某店",
                    "东流镇",
                    "餐饮住宿",
                    "待受理",
                ],
                &Dongzhi,
            )
            .unwrap();
        assert_eq!(r.number.as_deref(), Some("A-1"));
        assert_eq!(r.facts.status, Status::Received);
        assert_eq!(r.area_code, "341721101");
        assert_eq!(
            HeaderMap::read(&["投诉编号", "投诉编号"]).unwrap_err()[0],
            HeaderProblem::Twice(Column::Number)
        );
        assert!(HeaderMap::read(&["投诉编号"])
            .unwrap_err()
            .contains(&HeaderProblem::Missing(Column::Township)));
    }

    #[test]
    fn a_bad_row_names_every_column_at_fault() {
        let map = HeaderMap::read(&header()).unwrap();
        let problems = map
            .record(
                &row(&[
                    (Column::ReceivedOn, "2025-13-01"),
                    (Column::UnitCreditCode, "91341721MA2N0Y7B3X"),
                    (Column::Township, "上海"),
                    (Column::Channel, "微博"),
                    (Column::Recovered, "-3"),
                    (Column::Outcome, ""),
                ]),
                &Dongzhi,
            )
            .unwrap_err();
        let cols: Vec<Column> = problems.iter().map(|p| p.column).collect();
        for c in [
            Column::ReceivedOn,
            Column::UnitCreditCode,
            Column::Township,
            Column::Channel,
            Column::Recovered,
            Column::Outcome,
        ] {
            assert!(cols.contains(&c), "{c:?} not reported in {problems:?}");
        }
    }

    #[test]
    fn a_row_must_tell_a_consistent_story() {
        let map = HeaderMap::read(&header()).unwrap();
        let e = map
            .record(&row(&[(Column::ClosedOn, "2025-03-01")]), &Dongzhi)
            .unwrap_err();
        assert_eq!(e[0].column, Column::ClosedOn);
        let e = map
            .record(
                &row(&[(Column::Status, "调解中"), (Column::ClosedOn, "")]),
                &Dongzhi,
            )
            .unwrap_err();
        assert_eq!(e[0].column, Column::Rating, "a rating on an open complaint");
        let e = map
            .record(
                &row(&[
                    (Column::Status, "不予受理"),
                    (Column::Rating, ""),
                    (Column::Outcome, ""),
                ]),
                &Dongzhi,
            )
            .unwrap_err();
        assert_eq!(e[0].column, Column::RefusalGround);
    }

    proptest! {
        #[test]
        fn no_row_panics(cells in proptest::collection::vec(".{0,12}", 18)) {
            let map = HeaderMap::read(&header()).unwrap();
            let cells: Vec<&str> = cells.iter().map(|s| s.as_str()).collect();
            let _ = map.record(&cells, &Dongzhi);
        }

        #[test]
        fn a_closed_complaint_adds_one_to_closed_in_exactly_one_year_and_never_exceeds_accepted(
            day in 0i64..2000, wait in 0i64..200
        ) {
            let received = d("2022-01-01") + chrono::Duration::days(day);
            let f = Facts {
                status: Status::Closed,
                received_on: received,
                accepted_on: Some(received),
                closed_on: Some(received + chrono::Duration::days(wait)),
                outcome: Some(Outcome::Agreement),
                rating: None,
            };
            let total: u64 = (2022..2030).map(|y| counts_of(&f, |x| x.year() == y).closed).sum();
            prop_assert_eq!(total, 1);
            for y in 2022..2030 {
                let c = counts_of(&f, |x| x.year() == y);
                prop_assert!(c.closed <= c.accepted && c.mediated <= c.closed);
            }
        }

        #[test]
        fn overdue_only_after_the_due_date(day in 0i64..1500, after in 0i64..120) {
            let cal = HolidayCalendar::builtin();
            let received = d("2022-01-01") + chrono::Duration::days(day);
            let f = facts(Status::Received, &received.to_string(), None);
            let (_, due) = due_date(&cal, &f).unwrap();
            let today = received + chrono::Duration::days(after);
            prop_assert_eq!(overdue(&cal, &f, today).is_some(), today > due);
        }
    }
}
