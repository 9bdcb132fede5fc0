//! (server only) Demo complaints: four years in every township, handled in every way,
//! with the three rates rising year on year (one 12315 import, as a county brings its
//! past in); the city's other counties and the directory's units (the data generator's
//! bulk rows); the recognised restaurant's desk (one waiting, five settled and rated, on
//! their own days); and two hotline complaints the township entered, overdue for
//! acceptance. Deterministic, and seeded once.

use crate::fixtures::acting_as;
use app::complaints::import::csv_cell;
use app::errors::AppError;
use app::usecases as uc;
use chrono::{Datelike, Duration, NaiveDate};
use domain::complaint::{
    Channel, Column, Facts, Industry, Outcome, Rating, Record, RefusalGround, Status,
};
use store::complaints::ComplaintFilter;
use store::Store;
use uc::complaints::ComplaintEntry;
use uc::public::ComplaintForm;

/// The recognised restaurant (百味餐厅) whose desk has complaints.
const RESTAURANT: &str = "91341721MA3R7T8U9K";

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
    // The county's past complaints come in as a 12315 export, through the import.
    import_history(store, &records).await?;

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
        .filter(|r| r.credit_code != RESTAURANT)
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
    restaurant_desk(store, today).await?;
    // Two recent ones, entered by the township from the 12345 hotline, wait for
    // acceptance past 7 days.
    let Some(yaodu) = store.account_by_login("yaodu").await? else {
        return Ok(());
    };
    let yaodu = acting_as(store, yaodu.id, None)
        .await
        .map_err(AppError::internal)?;
    for (days, shop) in [(15, "东至县某手机店"), (12, "东至县某健身房")] {
        let entry = ComplaintEntry {
            channel: Some(Channel::Hotline12345),
            number: String::new(),
            received_on: Some(today - Duration::days(days)),
            form: ComplaintForm {
                unit_name: shop.into(),
                township: "341721100".into(),
                industry: Industry::Other.code().into(),
                name: "周强".into(),
                phone: "13811112222".into(),
                summary: "办卡后商家跑路，预付款无法退还。".into(),
                demand: "退还预付款".into(),
                ..Default::default()
            },
        };
        match uc::complaints::enter(store, &yaodu, &entry).await? {
            uc::complaints::Entered::Entered(_) => {}
            uc::complaints::Entered::Refused(why) => {
                return Err(AppError::internal(format!("entry refused: {why:?}")))
            }
        }
    }
    Ok(())
}

/// The county's complaints since 2023 as a 12315 export, imported by the operator.
async fn import_history(store: &Store, records: &[Record]) -> Result<(), AppError> {
    use std::io::Write;
    let header: Vec<&str> = Column::ALL.iter().map(|c| c.header().0).collect();
    let mut csv = header.join(",");
    csv.push('\n');
    for r in records {
        let cells: Vec<String> = r.cells().iter().map(|c| csv_cell(c)).collect();
        csv.push_str(&cells.join(","));
        csv.push('\n');
    }
    // A name of its own, created new (never an existing file or link).
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let path = std::env::temp_dir().join(format!(
        "fangxin-demo-12315-{}-{nanos}.csv",
        std::process::id()
    ));
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .and_then(|mut f| f.write_all(csv.as_bytes()))
        .map_err(AppError::internal)?;
    let outcome = uc::imports::import_file(
        store,
        uc::imports::Importer::Operator("demo-seed"),
        &path,
        "演示数据（12315导出）.csv",
    )
    .await;
    let _ = std::fs::remove_file(&path);
    match outcome? {
        app::complaints::import::ImportOutcome::Imported { .. } => Ok(()),
        other => Err(AppError::internal(format!(
            "the demo's 12315 export: {other:?}"
        ))),
    }
}

/// The recognised restaurant's desk: one complaint from its plaque's QR code waiting,
/// and five this quarter settled at the desk and rated, badly enough to raise its
/// complaint flag. Each consumer files, the restaurant answers and the consumer rates on
/// the day it happened.
async fn restaurant_desk(store: &Store, today: NaiveDate) -> Result<(), AppError> {
    use uc::complaints::DeskStep;
    use uc::public::{ComplaintFiled, Visitor};
    let Some(plaque) = store
        .recognitions_under(domain::application::COUNTY)
        .await?
        .into_iter()
        .find(|r| r.credit_code == RESTAURANT)
    else {
        return Ok(());
    };
    let Some(account) = store.account_by_login(RESTAURANT).await? else {
        return Ok(());
    };
    let complaint = |summary: &str, demand: &str| ComplaintForm {
        industry: Industry::Catering.code().into(),
        name: "孙丽".into(),
        phone: "13955667788".into(),
        summary: summary.into(),
        demand: demand.into(),
        ..Default::default()
    };
    // One address per filing: the public form takes five a minute from one.
    let file = |n: usize, day: NaiveDate, form: ComplaintForm| {
        let visitor = Visitor::new(format!("fangxin-tools/{n}")).as_of(day);
        let token = plaque.token.clone();
        async move {
            match uc::public::file_complaint(store, &visitor, &token, &form).await? {
                ComplaintFiled::Filed(code) => store
                    .complaint_by_code(&code)
                    .await?
                    .ok_or(AppError::NotFound),
                ComplaintFiled::Refused(why) => {
                    Err(AppError::internal(format!("complaint refused: {why:?}")))
                }
            }
        }
    };
    file(
        0,
        today - Duration::days(3),
        complaint(
            "包间最低消费未事先告知，结账时被加收 200 元。",
            "退还加收的 200 元",
        ),
    )
    .await?;
    for (n, (days, rating, summary)) in [
        (60, Rating::Satisfied, "菜品中发现异物，要求退款。"),
        (30, Rating::BasicallySatisfied, "预订的宴席菜品与约定不符。"),
        (12, Rating::Dissatisfied, "结账时发现多收了一道未点的菜。"),
        (8, Rating::Dissatisfied, "外卖送达时餐盒破损，菜品洒漏。"),
        (5, Rating::Dissatisfied, "服务员态度恶劣，拒绝开具发票。"),
    ]
    .into_iter()
    .enumerate()
    {
        let c = file(n + 1, today - Duration::days(days), complaint(summary, "")).await?;
        let answered = today - Duration::days(days - 2);
        let desk = acting_as(store, account.id, Some(answered))
            .await
            .map_err(AppError::internal)?;
        for step in [
            DeskStep::Contact {
                on: answered,
                offer: "当面致歉并退还餐费".into(),
                advance_fen: 0,
            },
            DeskStep::Settle {
                recovered_fen: 18800,
            },
        ] {
            if let Err(why) = uc::complaints::desk_step(store, &desk, c.id, &step).await? {
                return Err(AppError::internal(format!("desk step refused: {why:?}")));
            }
        }
        let token = store.rating_token(c.id).await?;
        let consumer = Visitor::new(format!("fangxin-tools/{}", n + 1)).as_of(answered);
        let rated = uc::public::rate(store, &consumer, &token, Some(rating)).await?;
        if rated != uc::public::Rated::Thanks {
            return Err(AppError::internal(format!("rating refused: {rated:?}")));
        }
    }
    Ok(())
}
