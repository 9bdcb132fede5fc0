//! Reading a 12315 export: the columns, the header map, and each row read and checked
//! into a record (or the problems that refuse it).

use super::*;

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

impl Record {
    /// The record as a row of a 12315 export, in `Column::ALL`'s order, with the
    /// township by its area code: `HeaderMap::record` reads it back as it was. (How the
    /// operator's tools bring a county's past complaints in: through the import.)
    pub fn cells(&self) -> Vec<String> {
        let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        let f = &self.facts;
        Column::ALL
            .iter()
            .map(|col| match col {
                Column::Number => self.number.clone().unwrap_or_default(),
                Column::ReceivedOn => f.received_on.to_string(),
                Column::AcceptedOn => date(f.accepted_on),
                Column::ClosedOn => date(f.closed_on),
                Column::ConsumerName => self.consumer_name.clone(),
                Column::ConsumerPhone => self.consumer_phone.clone(),
                Column::UnitName => self.unit_name.clone(),
                Column::UnitCreditCode => self.unit_credit_code.clone().unwrap_or_default(),
                Column::Township => self.area_code.clone(),
                Column::Industry => self.industry.name().0.to_string(),
                Column::Channel => self.channel.name().0.to_string(),
                Column::Status => f.status.name().0.to_string(),
                Column::Outcome => f
                    .outcome
                    .map(|o| o.name().0.to_string())
                    .unwrap_or_default(),
                Column::RefusalGround => self
                    .refusal_ground
                    .map(|g| g.name().0.to_string())
                    .unwrap_or_default(),
                Column::Recovered => super::yuan(self.recovered_fen),
                Column::AdvancePaid => super::yuan(self.advance_fen),
                Column::Rating => f.rating.map(|r| r.name().0.to_string()).unwrap_or_default(),
                Column::Summary => self.summary.clone(),
            })
            .collect()
    }
}

/// One thing wrong with a row, naming the column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowProblem {
    pub column: Column,
    pub zh: String,
    pub en: String,
}

pub(super) fn problem(column: Column, zh: impl Into<String>, en: impl Into<String>) -> RowProblem {
    RowProblem {
        column,
        zh: zh.into(),
        en: en.into(),
    }
}

/// The first `n` characters of `s` (all of it when shorter).
pub(super) fn first_chars(s: &str, n: usize) -> &str {
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
