//! (server only) Demo complaints: four years in every township, handled in every way,
//! with the three rates rising year on year; plus a few against the demo businesses
//! (one waiting on the recognised restaurant's desk, two closed and rated) and some
//! overdue ones for the staff list. Deterministic, and seeded once.

use app::errors::AppError;
use chrono::{Datelike, Duration, NaiveDate};
use domain::complaint::{Channel, Facts, Industry, Outcome, Rating, Record, RefusalGround, Status};
use store::complaints::{ComplaintFilter, NewComplaint, IMPORT_BATCH};
use store::Store;

struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next(100) < percent
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙",
];
const GIVEN: &[&str] = &[
    "芳", "伟", "敏", "静", "磊", "洋", "娟", "强", "军", "丽", "涛", "燕",
];
const SHOPS: &[(&str, Industry)] = &[
    ("家家乐超市", Industry::Retail),
    ("好再来饭店", Industry::Catering),
    ("美佳美发", Industry::Beauty),
    ("顺达家电", Industry::Appliances),
    ("移动营业厅", Industry::Telecom),
    ("鑫鑫汽修", Industry::Vehicles),
    ("博学培训", Industry::Education),
    ("仁心药房", Industry::Medicine),
    ("山水旅行社", Industry::Tourism),
    ("安居装饰", Industry::Housing),
    ("丰收农资", Industry::Farming),
    ("老字号食品", Industry::Food),
];
const STORIES: &[&str] = &[
    "购买的商品已过保质期，商家拒绝退换。",
    "预付卡办理后商家停业，余额无法退还。",
    "维修后故障依旧，商家要求再次付费。",
    "实际收费高于明码标价。",
    "网购商品与描述不符，七日内申请退货被拒。",
    "服务未按约定完成，要求退还部分费用。",
];

/// Per year: (closed %, success % of mediated, satisfied %, basically satisfied %).
fn year_profile(year: i32) -> (u64, u64, u64, u64) {
    match year {
        2023 => (86, 70, 58, 22),
        2024 => (90, 76, 62, 23),
        2025 => (94, 82, 67, 22),
        _ => (96, 86, 71, 21),
    }
}

pub async fn seed_demo_complaints(store: &Store) -> Result<(), AppError> {
    if store.count_complaints(&ComplaintFilter::default()).await? > 0 {
        return Ok(());
    }
    let today = app::review::common::today(store).await;
    let townships: Vec<String> = store
        .areas_under(domain::application::COUNTY)
        .await?
        .into_iter()
        .filter(|a| a.level == "township")
        .map(|a| a.code)
        .collect();
    let mut rng = Lcg(20_231_115);
    let mut records = Vec::new();
    let start = NaiveDate::from_ymd_opt(2023, 1, 1).expect("valid");
    let mut day = start;
    let mut n = 0;
    while day < today - Duration::days(20) {
        // More complaints around the Spring Festival and the summer.
        let month_weight = match day.month() {
            1 | 2 => 3,
            7 | 8 => 2,
            _ => 1,
        };
        for _ in 0..rng.next(2 + month_weight) {
            n += 1;
            // Bigger townships (the county seat first) get more complaints.
            let t = (rng.next(townships.len() as u64 * 3) as usize)
                .min(rng.next(townships.len() as u64) as usize);
            let (shop, industry) = SHOPS[rng.next(SHOPS.len() as u64) as usize];
            let (closed_p, success_p, sat_p, basic_p) = year_profile(day.year());
            let accepted = day + Duration::days(rng.next(4) as i64);
            let refused = rng.chance(6);
            let closed = !refused && rng.chance(closed_p);
            let mediated_outcome = if rng.chance(success_p) {
                if rng.chance(60) {
                    Outcome::Settlement
                } else {
                    Outcome::Agreement
                }
            } else if rng.chance(50) {
                Outcome::Withdrawn
            } else {
                Outcome::Terminated
            };
            let rating = if closed && rng.chance(80) {
                let r = rng.next(100);
                Some(if r < sat_p {
                    Rating::Satisfied
                } else if r < sat_p + basic_p {
                    Rating::BasicallySatisfied
                } else {
                    Rating::Dissatisfied
                })
            } else {
                None
            };
            let status = if refused {
                Status::NotAccepted
            } else if closed {
                Status::Closed
            } else if rng.chance(50) {
                Status::Mediating
            } else {
                Status::Negotiating
            };
            let close_day = accepted + Duration::days(3 + rng.next(40) as i64);
            let recovered = if closed && mediated_outcome.is_success() {
                (50 + rng.next(3000)) as i64 * 100
            } else {
                0
            };
            records.push(Record {
                number: Some(format!("DEMO-{}-{n:05}", day.year())),
                channel: Channel::ALL[rng.next(Channel::ALL.len() as u64) as usize],
                consumer_name: format!(
                    "{}{}",
                    SURNAMES[rng.next(SURNAMES.len() as u64) as usize],
                    GIVEN[rng.next(GIVEN.len() as u64) as usize]
                ),
                consumer_phone: format!("139{:08}", rng.next(100_000_000)),
                unit_name: format!("东至县{shop}"),
                unit_credit_code: None,
                area_code: townships[t].clone(),
                industry,
                summary: STORIES[rng.next(STORIES.len() as u64) as usize].to_string(),
                facts: Facts {
                    status,
                    received_on: day,
                    accepted_on: status.is_accepted().then_some(accepted),
                    closed_on: match status {
                        Status::Closed => Some(close_day.min(today)),
                        Status::NotAccepted => Some(accepted),
                        _ => None,
                    },
                    outcome: closed.then_some(mediated_outcome),
                    rating,
                },
                refusal_ground: refused.then_some(RefusalGround::ALL[rng.next(5) as usize]),
                recovered_fen: recovered,
                advance_fen: if recovered > 0 && rng.chance(10) {
                    recovered / 2
                } else {
                    0
                },
            });
        }
        day += Duration::days(1);
    }
    // Complaints left open long ago are closed by now, except the recent ones.
    for r in records.iter_mut() {
        if r.facts.status.is_open() && r.facts.received_on < today - Duration::days(90) {
            r.facts.status = Status::Closed;
            r.facts.closed_on = r
                .facts
                .accepted_on
                .map(|a| (a + Duration::days(30)).min(today));
            r.facts.outcome = Some(Outcome::Settlement);
        }
    }
    let mut run = store
        .begin_import("演示数据（12315导出）", "demo", records.len() as u64)
        .await?;
    for chunk in records.chunks(IMPORT_BATCH) {
        run.add(chunk).await?;
    }
    run.commit(
        store,
        records.len() as i64,
        &crate::demo::seed_audit_event("complaint.import"),
    )
    .await?;

    // The city's other counties, so a city leader sees the counties side by side
    // (recorded at county level: their townships are not on this platform).
    for (county, n, seed) in [
        ("341702", 2_400u64, 71u64),
        ("341723", 1_500, 72),
        ("341722", 600, 73),
    ] {
        let places = [county.to_string()];
        let plan = testkit::generate::ComplaintPlan {
            first_year: 2023,
            today,
            townships: &places,
            businesses: &[],
            seed,
        };
        let rows: Vec<_> = (0..n).map(|i| (plan.complaint(i).record, None)).collect();
        store.insert_generated_complaints(&rows).await?;
    }

    // The directory's recognised units: a few complaints each over the last year, closed
    // and mostly rated, so each unit's page shows its own figures (some none at all).
    let mut against_units = Vec::new();
    for (i, r) in store
        .recognitions_under(domain::application::COUNTY)
        .await?
        .into_iter()
        .filter(|r| r.credit_code != "91341721MA3R7T8U9K")
        .enumerate()
    {
        for k in 0..(i % 4) as i64 {
            let received = today - Duration::days(20 + 70 * k + i as i64 % 9);
            let status = if k == 0 && i % 3 == 1 {
                Status::Negotiating
            } else {
                Status::Closed
            };
            let closed = status == Status::Closed;
            against_units.push((
                Record {
                    number: Some(format!("DEMO-U{}-{k}", r.id)),
                    channel: if k == 0 {
                        Channel::PlaqueQr
                    } else {
                        Channel::Platform12315
                    },
                    consumer_name: SURNAMES[(i + k as usize) % SURNAMES.len()].to_string()
                        + GIVEN[(i * 3 + k as usize) % GIVEN.len()],
                    consumer_phone: format!("1370566{:04}", i * 10 + k as usize),
                    unit_name: r.organisation_name.clone(),
                    unit_credit_code: Some(r.credit_code.clone()),
                    area_code: r.area_code.clone(),
                    // The unit's own industry: one list for units and complaints.
                    industry: Industry::parse(&r.industry).unwrap_or(Industry::Other),
                    summary: STORIES[(i + k as usize) % STORIES.len()].to_string(),
                    facts: Facts {
                        status,
                        received_on: received,
                        accepted_on: Some(received + Duration::days(1)),
                        closed_on: closed.then_some(received + Duration::days(6)),
                        outcome: closed.then_some(Outcome::Settlement),
                        rating: closed.then_some(if (i + k as usize).is_multiple_of(5) {
                            Rating::Dissatisfied
                        } else if k == 1 {
                            Rating::BasicallySatisfied
                        } else {
                            Rating::Satisfied
                        }),
                    },
                    refusal_ground: None,
                    recovered_fen: if closed { 8_000 + 1_500 * k } else { 0 },
                    advance_fen: 0,
                },
                Some(r.organisation_id),
            ));
        }
    }
    store.insert_generated_complaints(&against_units).await?;
    let seed = crate::demo::seed_audit_event("complaint.seed");

    // The demo businesses: the recognised restaurant has one complaint waiting on its
    // desk and two closed and rated; two recent ones wait for acceptance past 7 days.
    if let Some(org) = store
        .organisation_by_credit_code("91341721MA3R7T8U9K")
        .await?
    {
        let base = |status: Status, received: NaiveDate, summary: &str| Record {
            number: None,
            channel: Channel::PlaqueQr,
            consumer_name: "孙丽".into(),
            consumer_phone: "13955667788".into(),
            unit_name: org.name.clone(),
            unit_credit_code: Some(org.credit_code.clone()),
            area_code: org.area_code.clone(),
            industry: Industry::Catering,
            summary: summary.into(),
            facts: Facts {
                status,
                received_on: received,
                accepted_on: Some(received),
                closed_on: None,
                outcome: None,
                rating: None,
            },
            refusal_ground: None,
            recovered_fen: 0,
            advance_fen: 0,
        };
        let waiting = base(
            Status::Negotiating,
            today - Duration::days(3),
            "包间最低消费未事先告知，结账时被加收 200 元。",
        );
        store
            .file_complaint(
                &NewComplaint {
                    record: &waiting,
                    source: "web",
                    organisation_id: Some(org.id),
                    demand: "退还加收的 200 元",
                    actor: "consumer",
                },
                &seed,
            )
            .await?;
        // Enough this quarter, and rated badly enough, to raise the complaint flag.
        for (days, rating, summary) in [
            (60, Rating::Satisfied, "菜品中发现异物，要求退款。"),
            (30, Rating::BasicallySatisfied, "预订的宴席菜品与约定不符。"),
            (12, Rating::Dissatisfied, "结账时发现多收了一道未点的菜。"),
            (8, Rating::Dissatisfied, "外卖送达时餐盒破损，菜品洒漏。"),
            (5, Rating::Dissatisfied, "服务员态度恶劣，拒绝开具发票。"),
        ] {
            let r = base(Status::Negotiating, today - Duration::days(days), summary);
            let (id, _) = store
                .file_complaint(
                    &NewComplaint {
                        record: &r,
                        source: "web",
                        organisation_id: Some(org.id),
                        demand: "",
                        actor: "consumer",
                    },
                    &seed,
                )
                .await?;
            let on = (today - Duration::days(days - 2)).to_string();
            store
                .record_business_contact(
                    id,
                    org.id,
                    &on,
                    "当面致歉并退还餐费",
                    0,
                    "unit:demo",
                    &seed,
                )
                .await?;
            store
                .record_business_settlement(id, org.id, &on, 18800, "unit:demo", &seed)
                .await?;
            store.rate_complaint(id, rating, &seed).await?;
        }
    }
    for (days, shop) in [(15, "东至县某手机店"), (12, "东至县某健身房")] {
        let r = Record {
            number: None,
            channel: Channel::Hotline12345,
            consumer_name: "周强".into(),
            consumer_phone: "13811112222".into(),
            unit_name: shop.into(),
            unit_credit_code: None,
            area_code: "341721100".into(),
            industry: Industry::Other,
            summary: "办卡后商家跑路，预付款无法退还。".into(),
            facts: Facts {
                status: Status::Received,
                received_on: today - Duration::days(days),
                accepted_on: None,
                closed_on: None,
                outcome: None,
                rating: None,
            },
            refusal_ground: None,
            recovered_fen: 0,
            advance_fen: 0,
        };
        store
            .file_complaint(
                &NewComplaint {
                    record: &r,
                    source: "staff",
                    organisation_id: None,
                    demand: "退还预付款",
                    actor: "yaodu",
                },
                &seed,
            )
            .await?;
    }
    Ok(())
}
