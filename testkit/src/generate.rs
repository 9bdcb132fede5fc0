//! Realistic generated data for benchmarks and demos (`fangxin generate`): businesses
//! spread over townships of different sizes, complaints with seasons (the Spring
//! Festival, 3·15, the November sales), industries in realistic shares, and handling,
//! success and satisfaction that improve year on year, as the campaign intends.
//!
//! Deterministic for a seed, with no dependencies: the same command gives the same data.

use chrono::{Datelike, Duration, NaiveDate};
use domain::complaint::{Channel, Facts, Industry, Outcome, Rating, Record, RefusalGround, Status};
use domain::uscc::{check_character, ALPHABET};

/// SplitMix64: small, fast and good enough for test data.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when n is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// An index drawn with the given weights.
    pub fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len().saturating_sub(1)
    }
}

/// A generated business.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Business {
    pub credit_code: String,
    pub name: String,
    pub category: &'static str,
    pub township: String,
    pub industry: Industry,
}

impl Business {
    /// The business as the organisations table keeps it.
    pub fn row(&self) -> store::dashboard::GeneratedBusiness<'_> {
        store::dashboard::GeneratedBusiness {
            credit_code: &self.credit_code,
            name: &self.name,
            category: self.category,
            area_code: &self.township,
        }
    }
}

/// Registers generated businesses; returns their ids in order.
pub async fn register(store: &store::Store, list: &[Business]) -> store::StoreResult<Vec<i64>> {
    let rows: Vec<_> = list.iter().map(Business::row).collect();
    store.insert_generated_businesses(&rows).await
}

/// Township weights: a few big towns and many small ones (Zipf-like), so rankings have
/// both high-volume and low-volume places.
pub fn township_weights(n: usize) -> Vec<f64> {
    (0..n).map(|i| 1.0 / (1.0 + i as f64).powf(0.9)).collect()
}

/// Industry shares of consumer complaints, roughly as county 12315 statistics run.
fn industry_weight(i: Industry) -> f64 {
    use Industry::*;
    match i {
        Retail => 22.0,
        Catering => 18.0,
        Appliances => 7.0,
        Telecom => 8.0,
        Vehicles => 6.0,
        Beauty => 6.0,
        Education => 6.0,
        Medicine => 4.0,
        Tourism => 4.0,
        Housing => 7.0,
        Farming => 3.0,
        Food => 9.0,
        Other => 3.0,
    }
}

/// How busy a month is, relative to an average month.
pub fn month_weight(month: u32) -> f64 {
    match month {
        1 | 2 => 1.35, // the Spring Festival
        3 => 1.25,     // 3·15
        11 => 1.3,     // the November sales
        12 => 1.15,
        7 | 8 => 1.05,
        _ => 0.85,
    }
}

const NAME_HEADS: &[&str] = &[
    "东至",
    "尧渡",
    "东流",
    "大渡口",
    "胜利",
    "张溪",
    "洋湖",
    "葛公",
    "香隅",
    "官港",
    "昭潭",
    "泥溪",
    "木塔",
    "青山",
    "花园",
    "龙泉",
];
const NAME_TAILS: &[(&str, Industry)] = &[
    ("超市", Industry::Retail),
    ("百货商店", Industry::Retail),
    ("农家菜馆", Industry::Catering),
    ("餐厅", Industry::Catering),
    ("通讯营业厅", Industry::Telecom),
    ("培训学校", Industry::Education),
    ("装饰公司", Industry::Housing),
    ("汽车销售服务店", Industry::Vehicles),
    ("旅行社", Industry::Tourism),
    ("美容美发店", Industry::Beauty),
    ("大药房", Industry::Medicine),
    ("家电城", Industry::Appliances),
    ("农资店", Industry::Farming),
    ("食品商行", Industry::Food),
];

/// A valid credit code for business number `n` registered in `county` (6 digits).
pub fn credit_code(county: &str, n: u64) -> String {
    let mut body = format!("92{county}");
    let mut x = n;
    let mut tail = Vec::new();
    for _ in 0..9 {
        tail.push(ALPHABET[(x % 31) as usize]);
        x /= 31;
    }
    tail.reverse();
    body.push_str(std::str::from_utf8(&tail).expect("ASCII"));
    let check = check_character(body.as_bytes()).expect("17 valid characters");
    body.push(check);
    body
}

/// `n` businesses over the townships (by weight), numbered from `first`.
pub fn businesses(
    rng: &mut Rng,
    county: &str,
    townships: &[String],
    first: u64,
    n: u64,
) -> Vec<Business> {
    let weights = township_weights(townships.len());
    (first..first + n)
        .map(|i| {
            let (tail, industry) = NAME_TAILS[rng.below(NAME_TAILS.len() as u64) as usize];
            let head = NAME_HEADS[rng.below(NAME_HEADS.len() as u64) as usize];
            Business {
                credit_code: credit_code(county, i),
                name: format!("{head}{tail}{}号店", i + 1),
                category: "unit",
                township: townships[rng.weighted(&weights)].clone(),
                industry,
            }
        })
        .collect()
}

/// What a generated complaint is against: a registered business (by index into the
/// business list) or an unregistered one in a township.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Generated {
    pub record: Record,
    pub business: Option<usize>,
}

/// The plan for a run of complaints: from which year to which day, and where.
pub struct ComplaintPlan<'a> {
    pub first_year: i32,
    pub today: NaiveDate,
    pub townships: &'a [String],
    pub businesses: &'a [Business],
    pub seed: u64,
}

impl ComplaintPlan<'_> {
    /// Complaint number `i` of the run (any order; each is independent of the others,
    /// so a run can be generated in batches and in parallel).
    pub fn complaint(&self, i: u64) -> Generated {
        let mut rng = Rng::new(self.seed.wrapping_mul(0x1000_0000_01B3) ^ i);
        let start = NaiveDate::from_ymd_opt(self.first_year, 1, 1).expect("valid year");
        let span = (self.today - start).num_days().max(1) as u64;
        // Seasons: draw a day, keep it with the month's weight (rejection sampling),
        // and a volume that grows a little each year.
        let received = loop {
            let d = start + Duration::days(rng.below(span) as i64);
            let growth = 1.0 + 0.08 * (d.year() - self.first_year) as f64;
            if rng.unit() * 1.35 * 1.5 < month_weight(d.month()) * growth {
                break d;
            }
        };
        let years_in = (received.year() - self.first_year).max(0) as f64;
        let age = (self.today - received).num_days();
        let industry_weights: Vec<f64> =
            Industry::ALL.iter().map(|i| industry_weight(*i)).collect();
        let (business, township, industry, unit_name, credit) =
            if !self.businesses.is_empty() && rng.chance(0.7) {
                let k = rng.below(self.businesses.len() as u64) as usize;
                let b = &self.businesses[k];
                (
                    Some(k),
                    b.township.clone(),
                    b.industry,
                    b.name.clone(),
                    Some(b.credit_code.clone()),
                )
            } else {
                let weights = township_weights(self.townships.len());
                let t = self.townships[rng.weighted(&weights)].clone();
                let industry = Industry::ALL[rng.weighted(&industry_weights)];
                (
                    None,
                    t,
                    industry,
                    format!("个体经营户{}", rng.below(100_000)),
                    None,
                )
            };
        // The campaign works: each year more are handled, settled and rated well.
        let refused = rng.chance(0.06 - 0.005 * years_in.min(6.0));
        let accepted_on = received + Duration::days(rng.below(6) as i64);
        let took = 3 + rng.below(40) as i64;
        let handled = rng.chance((0.86 + 0.02 * years_in).min(0.985));
        let mut facts = Facts {
            status: Status::Received,
            received_on: received,
            accepted_on: None,
            closed_on: None,
            outcome: None,
            rating: None,
        };
        let mut refusal = None;
        let (mut recovered, mut advance) = (0, 0);
        if refused && age > 7 {
            facts.status = Status::NotAccepted;
            facts.closed_on = Some(accepted_on.min(self.today));
            refusal = Some(RefusalGround::ALL[rng.below(RefusalGround::ALL.len() as u64) as usize]);
        } else if accepted_on <= self.today && (age > 5 || rng.chance(0.5)) {
            facts.accepted_on = Some(accepted_on);
            let closes_on = accepted_on + Duration::days(took);
            if closes_on <= self.today && handled {
                facts.status = Status::Closed;
                facts.closed_on = Some(closes_on);
                let success = rng.chance((0.72 + 0.035 * years_in).min(0.95));
                let outcome = if success {
                    if business.is_some() && rng.chance(0.5) {
                        Outcome::Settlement
                    } else {
                        Outcome::Agreement
                    }
                } else if rng.chance(0.6) {
                    Outcome::Terminated
                } else {
                    Outcome::Withdrawn
                };
                facts.outcome = Some(outcome);
                if outcome.is_success() {
                    recovered = 2_000 + rng.below(300_000) as i64;
                    if rng.chance(0.1) {
                        advance = recovered / 2;
                    }
                }
                facts.rating = if rng.chance(0.75) {
                    let good = (0.80 + 0.03 * years_in).min(0.97);
                    Some(if rng.chance(good) {
                        if rng.chance(0.7) {
                            Rating::Satisfied
                        } else {
                            Rating::BasicallySatisfied
                        }
                    } else {
                        Rating::Dissatisfied
                    })
                } else {
                    None
                };
            } else {
                facts.status = if business.is_some() && rng.chance(0.6) {
                    Status::Negotiating
                } else {
                    Status::Mediating
                };
            }
        }
        let channel_weights = [55.0, 20.0, 8.0, 7.0, 4.0, 6.0];
        let channel = Channel::ALL[rng.weighted(&channel_weights[..Channel::ALL.len().min(6)])];
        Generated {
            record: Record {
                number: Some(format!("G{}-{i:09}", self.seed)),
                channel,
                consumer_name: format!(
                    "{}{}",
                    ["王", "李", "张", "刘", "陈", "杨"][rng.below(6) as usize],
                    ["芳", "伟", "娜", "敏", "静", "强"][rng.below(6) as usize]
                ),
                consumer_phone: format!("139{:08}", rng.below(100_000_000)),
                unit_name,
                unit_credit_code: credit,
                area_code: township,
                industry,
                summary: "商品质量问题，要求退换".into(),
                facts,
                refusal_ground: refusal,
                recovered_fen: recovered,
                advance_fen: advance,
            },
            business,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::complaint::counts_of;
    use domain::rates::ComplaintCounts;
    use domain::uscc::CreditCode;

    fn plan<'a>(townships: &'a [String], businesses: &'a [Business]) -> ComplaintPlan<'a> {
        ComplaintPlan {
            first_year: 2021,
            today: NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
            townships,
            businesses,
            seed: 7,
        }
    }

    #[test]
    fn credit_codes_are_valid_and_distinct() {
        let codes: std::collections::HashSet<String> =
            (0..5000).map(|n| credit_code("341721", n)).collect();
        assert_eq!(codes.len(), 5000);
        for c in codes.iter().take(200) {
            CreditCode::parse(c).unwrap();
        }
    }

    #[test]
    fn the_rates_rise_year_on_year_and_seasons_show() {
        let townships: Vec<String> = (100..115).map(|n| format!("341721{n}")).collect();
        let mut rng = Rng::new(1);
        let businesses = businesses(&mut rng, "341721", &townships, 0, 500);
        let p = plan(&townships, &businesses);
        let rows: Vec<Generated> = (0..40_000).map(|i| p.complaint(i)).collect();
        let year = |y: i32| {
            let mut c = ComplaintCounts::default();
            for g in &rows {
                c.add(&counts_of(&g.record.facts, |d| d.year() == y));
            }
            c
        };
        let (a, b) = (year(2022), year(2025));
        assert!(b.success_rate() > a.success_rate());
        assert!(b.satisfaction_rate() > a.satisfaction_rate());
        assert!(b.handling_rate() > a.handling_rate());
        let in_month = |m: u32| {
            rows.iter()
                .filter(|g| g.record.facts.received_on.month() == m)
                .count()
        };
        assert!(in_month(3) > in_month(6), "3·15 is busier than June");
        // Big towns and small ones.
        let in_town = |t: &str| rows.iter().filter(|g| g.record.area_code == t).count();
        assert!(in_town(&townships[0]) > 3 * in_town(&townships[14]));
        // Every record is consistent by the import's own rules.
        for g in rows.iter().take(2000) {
            let f = &g.record.facts;
            if let Some(a) = f.accepted_on {
                assert!(a >= f.received_on);
            }
            if let (Some(a), Some(c)) = (f.accepted_on, f.closed_on) {
                assert!(c >= a);
            }
            assert_eq!(f.status == Status::Closed, f.outcome.is_some());
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_data() {
        let townships: Vec<String> = vec!["341721100".into()];
        let p = plan(&townships, &[]);
        assert_eq!(p.complaint(42), p.complaint(42));
        assert_ne!(p.complaint(42), p.complaint(43));
    }
}
