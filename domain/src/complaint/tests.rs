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

proptest! {
    /// What the tools write as a 12315 row is what the import reads back, for every
    /// consistent record.
    #[test]
    fn a_record_written_as_a_row_reads_back_the_same(
        status in prop::sample::select(Status::ALL),
        channel in prop::sample::select(Channel::ALL),
        industry in prop::sample::select(Industry::ALL),
        outcome in prop::sample::select(Outcome::ALL),
        ground in prop::sample::select(RefusalGround::ALL),
        rating in prop::option::of(prop::sample::select(&[Rating::Satisfied, Rating::BasicallySatisfied, Rating::Dissatisfied][..])),
        day in 0i64..2000,
        wait in 0i64..60,
        fen in 0i64..10_000_000,
        code in prop::option::of(Just("91341721MA2N0Y7B3K".to_string())),
    ) {
        let received = NaiveDate::from_ymd_opt(2021, 1, 1).unwrap() + chrono::Duration::days(day);
        let accepted = received + chrono::Duration::days(wait / 3);
        let closed = accepted + chrono::Duration::days(wait);
        let is_closed = status == Status::Closed;
        let record = Record {
            number: Some(format!("DEMO-{day}-{wait}")),
            channel,
            consumer_name: "王芳".into(),
            consumer_phone: "13912345678".into(),
            unit_name: "东至县某超市, \"老店\"".into(),
            unit_credit_code: code,
            area_code: "341721101".into(),
            industry,
            summary: "购买的酸奶已过期，要求退款。".into(),
            facts: Facts {
                status,
                received_on: received,
                accepted_on: status.is_accepted().then_some(accepted),
                closed_on: matches!(status, Status::Closed | Status::NotAccepted).then_some(closed),
                outcome: is_closed.then_some(outcome),
                rating: if is_closed { rating } else { None },
            },
            refusal_ground: (status == Status::NotAccepted).then_some(ground),
            recovered_fen: fen,
            advance_fen: fen / 3,
        };
        let map = HeaderMap::read(&header()).unwrap();
        let cells = record.cells();
        let cells: Vec<&str> = cells.iter().map(|c| c.as_str()).collect();
        prop_assert_eq!(map.record(&cells, &Dongzhi), Ok(record));
    }
}
