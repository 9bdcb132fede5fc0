//! Puts a dashboard together from the roll-ups: a handful of small queries, whatever the
//! number of complaints (see the benchmark, `scripts/bench-dashboard.sh`).

use super::sections::{self, Sections};
use super::{Bi, Choices, DashboardQuery, DashboardView, Tile};
use crate::accounts::CurrentUser;
use crate::errors::AppError;
use chrono::{Datelike, NaiveDate};
use domain::complaint::{Industry, Status};
use domain::dashboard::{count_change, rate_change, Change, Period, RankBy, Target};
use domain::rates::ComplaintCounts;
use domain::{Category, Locale};
use store::complaints::ComplaintFigures;
use store::dashboard::{By, Slice};
use store::Store;

/// How many years the trend shows (this one and the five before).
pub const TREND_YEARS: i32 = 6;
/// Units listed for a township.
pub const UNITS_SHOWN: i64 = 50;

pub use crate::format::{percent, thousands};

/// Fen as whole yuan with separators: "¥1,234,567".
pub fn money(fen: i64) -> String {
    format!("¥{}", thousands(fen / 100))
}

fn add(total: &mut ComplaintFigures, f: &ComplaintFigures) {
    total.counts.add(&f.counts);
    total.recovered_fen += f.recovered_fen;
    total.advance_fen += f.advance_fen;
}

fn change_text(c: Change, points: bool) -> Option<Bi> {
    let a = c.amount?;
    let sign = if a > 0.0 {
        "+"
    } else if a < 0.0 {
        "−"
    } else {
        "±"
    };
    let a = a.abs();
    Some(if points {
        Bi(
            format!("同比 {sign}{a:.1}个百分点"),
            format!("{sign}{a:.1} pp YoY"),
        )
    } else {
        Bi(format!("同比 {sign}{a:.1}%"), format!("{sign}{a:.1}% YoY"))
    })
}

fn target_text(t: Target) -> Bi {
    match t {
        Target::Up => Bi::new("目标：逐年提高", "Target: rising"),
        Target::Down => Bi::new("目标：下降", "Target: falling"),
        Target::Neutral => Bi::new("", ""),
    }
}

fn tile(
    key: &str,
    label: Bi,
    value: String,
    note: Bi,
    change: Change,
    points: bool,
    target: Target,
) -> Tile {
    Tile {
        key: key.into(),
        label,
        value,
        note,
        change: change_text(change, points),
        on_target: change.on_target,
        target: target_text(target),
    }
}

pub(super) fn rate_cells(c: &ComplaintCounts) -> Vec<Bi> {
    vec![
        Bi::same(thousands(c.accepted as i64)),
        Bi::same(thousands(c.closed as i64)),
        Bi::same(percent(c.handling_rate())),
        Bi::same(percent(c.success_rate())),
        Bi::same(percent(c.satisfaction_rate())),
    ]
}

pub(super) fn rate_columns() -> Vec<Bi> {
    vec![
        Bi::new("受理", "Accepted"),
        Bi::new("办结", "Closed"),
        Bi::new("处理率", "Handling rate"),
        Bi::new("处理成功率", "Success rate"),
        Bi::new("满意率", "Satisfaction rate"),
    ]
}

/// The area a user asked for, if it lies within theirs; otherwise their own.
fn area_in_scope(user: &CurrentUser, asked: Option<&str>) -> String {
    asked
        .filter(|a| domain::area::AreaCode::parse(a).is_ok() && a.starts_with(&user.area_code))
        .unwrap_or(&user.area_code)
        .to_string()
}

/// The months from `from` (YYYY-MM) to `to`, inclusive.
pub(super) fn months(from: &str, to: &str) -> Vec<String> {
    let parse = |s: &str| -> Option<(i32, u32)> {
        let (y, m) = s.split_once('-')?;
        Some((y.parse().ok()?, m.parse().ok()?))
    };
    let (Some((mut y, mut m)), Some(end)) = (parse(from), parse(to)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    while (y, m) <= end {
        out.push(format!("{y}-{m:02}"));
        m += 1;
        if m > 12 {
            m = 1;
            y += 1;
        }
    }
    out
}

pub async fn view(
    store: &Store,
    user: &CurrentUser,
    q: &DashboardQuery,
    locale: Locale,
) -> Result<DashboardView, AppError> {
    let (today, cal) = tokio::join!(
        crate::review::common::today(store),
        crate::review::common::calendar(store)
    );
    let cal = cal?;
    let this_year = today.year();
    let year = q
        .year
        .filter(|y| (2015..=this_year).contains(y))
        .unwrap_or(this_year);
    let area = area_in_scope(user, q.area.as_deref());
    let industry = q.industry.clone().filter(|i| Industry::parse(i).is_some());
    let category = q.category.clone().filter(|c| Category::parse(c).is_some());
    let rank_by = RankBy::parse(&q.rank).unwrap_or(RankBy::Handling);
    let query = DashboardQuery {
        year: Some(year),
        area: Some(area.clone()),
        industry: industry.clone(),
        category: category.clone(),
        rank: rank_by.code().to_string(),
    };
    let period = Period::of(year, today);
    let child_digits = match area.len() {
        2 => 4,
        4 => 6,
        6 => 9,
        _ => 0,
    };
    let slice = |from: &str, to: &str| Slice {
        area: area.clone(),
        industry: industry.clone(),
        from_month: from.to_string(),
        to_month: to.to_string(),
    };
    // One read of the month roll-up covers the trend, this period and the one before.
    let trend = slice(
        &format!("{}-01", year - (TREND_YEARS - 1)),
        &period.to_month,
    );
    let this_period = slice(&period.from_month, &period.to_month);
    let window = domain::dashboard::overdue_window(&cal, today).to_string();
    // The reads do not depend on each other: they run together, each on its own pooled
    // connection (SQLite in WAL mode reads in parallel too).
    let (reachable, by_month, clocks, apps, recognitions, by_area, by_industry, units) = tokio::try_join!(
        // Every area the user may see: this one, its children and the breadcrumbs are
        // all among them (area codes nest).
        store.areas_under(&user.area_code),
        store.complaint_groups(&trend, By::Month),
        store.open_clocks(&area, industry.as_deref(), &window),
        store.application_counts(&area, category.as_deref()),
        store.recognition_years(&area, category.as_deref()),
        async {
            match child_digits {
                0 => Ok(Vec::new()),
                n => store.complaint_groups(&this_period, By::Area(n)).await,
            }
        },
        store.complaint_groups(&this_period, By::Industry),
        async {
            match area.len() {
                9 => {
                    store
                        .unit_groups(&area, industry.as_deref(), year, UNITS_SHOWN)
                        .await
                }
                _ => Ok(Vec::new()),
            }
        },
    )?;
    let here = reachable
        .iter()
        .find(|a| a.code == area)
        .cloned()
        .ok_or_else(|| AppError::internal(format!("area {area} is not in the area table")))?;
    let children: Vec<_> = reachable
        .iter()
        .filter(|a| a.parent_code.as_deref() == Some(area.as_str()))
        .collect();

    let sum = |from: &str, to: &str| {
        let mut t = ComplaintFigures::default();
        for g in by_month
            .iter()
            .filter(|g| g.key.as_str() >= from && g.key.as_str() <= to)
        {
            add(&mut t, &g.figures);
        }
        t
    };
    let now = sum(&period.from_month, &period.to_month);
    let before = sum(&period.previous_from, &period.previous_to);
    let (n, b) = (now.counts, before.counts);

    // Overdue now: totals per state, less the recent clocks that still run (the
    // holiday calendar applied here).
    let totals: Vec<(Status, i64)> = clocks
        .totals
        .iter()
        .filter_map(|(s, n)| Some((Status::parse(s)?, *n)))
        .collect();
    let recent: Vec<(Status, NaiveDate, i64)> = clocks
        .recent
        .iter()
        .filter_map(|c| {
            Some((
                Status::parse(&c.status)?,
                NaiveDate::parse_from_str(&c.since, "%Y-%m-%d").ok()?,
                c.count,
            ))
        })
        .collect();
    let overdue = domain::dashboard::overdue_counts(&cal, today, &totals, &recent);
    let overdue_total: i64 = overdue.iter().sum();

    // Applications: by category, state and year of submission.
    let submitted_in = |y: i32| -> i64 {
        apps.iter()
            .filter(|a| a.year == y.to_string())
            .map(|a| a.count)
            .sum()
    };
    let in_force: i64 = apps
        .iter()
        .filter(|a| a.state == domain::lifecycle::State::Recognised)
        .map(|a| a.count)
        .sum();
    let granted = |y: i32| {
        recognitions
            .iter()
            .find(|r| r.year == y.to_string())
            .map(|r| r.recognised)
            .unwrap_or(0)
    };

    let (pl_zh, pl_en) = period.label();
    let prev = Period::of(year - 1, today);
    let prev_label = if period.last_month == 12 {
        prev.label()
    } else {
        (
            format!("{}年1–{}月", year - 1, period.last_month),
            Period::of(year - 1, today).label().1,
        )
    };
    let up = Target::Up;
    let mut tiles = vec![
        tile(
            "accepted",
            Bi::new("受理投诉", "Complaints accepted"),
            thousands(n.accepted as i64),
            Bi::new(
                format!("上年同期 {}", thousands(b.accepted as i64)),
                format!("Same months last year: {}", thousands(b.accepted as i64)),
            ),
            count_change(n.accepted as f64, b.accepted as f64, Target::Neutral),
            false,
            Target::Neutral,
        ),
        tile(
            "closed",
            Bi::new("办结", "Closed"),
            thousands(n.closed as i64),
            Bi::new(
                format!("上年同期 {}", thousands(b.closed as i64)),
                format!("Same months last year: {}", thousands(b.closed as i64)),
            ),
            count_change(n.closed as f64, b.closed as f64, up),
            false,
            up,
        ),
        tile(
            "handling",
            Bi::new("处理率", "Handling rate"),
            percent(n.handling_rate()),
            Bi::same(format!(
                "{} / {}",
                thousands(n.closed as i64),
                thousands(n.accepted as i64)
            )),
            rate_change(n.handling_rate(), b.handling_rate(), up),
            true,
            up,
        ),
        tile(
            "success",
            Bi::new("处理成功率", "Success rate"),
            percent(n.success_rate()),
            Bi::same(format!(
                "{} / {}",
                thousands(n.mediated_successfully as i64),
                thousands(n.mediated as i64)
            )),
            rate_change(n.success_rate(), b.success_rate(), up),
            true,
            up,
        ),
        tile(
            "satisfaction",
            Bi::new("满意率", "Satisfaction rate"),
            percent(n.satisfaction_rate()),
            Bi::same(format!(
                "{} / {}",
                thousands((n.rated_satisfied + n.rated_basically_satisfied) as i64),
                thousands(
                    (n.rated_satisfied + n.rated_basically_satisfied + n.rated_dissatisfied) as i64
                )
            )),
            rate_change(n.satisfaction_rate(), b.satisfaction_rate(), up),
            true,
            up,
        ),
        tile(
            "recovered",
            Bi::new("挽回经济损失", "Recovered for consumers"),
            money(now.recovered_fen),
            Bi::new(
                format!("先行赔付 {}", money(now.advance_fen)),
                format!("Advance compensation {}", money(now.advance_fen)),
            ),
            count_change(now.recovered_fen as f64, before.recovered_fen as f64, up),
            false,
            up,
        ),
        tile(
            "overdue",
            Bi::new("超期未办结", "Overdue now"),
            thousands(overdue_total),
            Bi::new(format!("截至 {today}"), format!("As of {today}")),
            Change {
                amount: None,
                on_target: Some(overdue_total == 0),
            },
            false,
            Target::Down,
        ),
        tile(
            "applications",
            Bi::new("创建申报", "Applications"),
            thousands(submitted_in(year)),
            Bi::new(
                format!("{year}年提交（上年 {}）", thousands(submitted_in(year - 1))),
                format!(
                    "Submitted in {year} ({} the year before)",
                    thousands(submitted_in(year - 1))
                ),
            ),
            count_change(submitted_in(year) as f64, submitted_in(year - 1) as f64, up),
            false,
            up,
        ),
        tile(
            "recognised",
            Bi::new("示范在册", "Recognised now"),
            thousands(in_force),
            Bi::new(
                format!(
                    "{year}年新认定 {}（上年 {}）",
                    granted(year),
                    granted(year - 1)
                ),
                format!(
                    "{} newly recognised in {year} ({} the year before)",
                    granted(year),
                    granted(year - 1)
                ),
            ),
            count_change(granted(year) as f64, granted(year - 1) as f64, up),
            false,
            up,
        ),
    ];
    // The overdue tile compares with nothing; its colour says whether any are late.
    if let Some(t) = tiles.iter_mut().find(|t| t.key == "overdue") {
        t.change = None;
    }

    let mut out = Sections::default();
    let qs = |a: &str| format!("/dashboard?{}", query.with_area(a).query_string());
    sections::trend(
        &mut out,
        &by_month,
        (&trend.from_month, &period.to_month),
        today,
        year,
        locale,
    );
    if child_digits > 0 {
        sections::ranking(
            &mut out,
            &by_area,
            &children,
            child_digits,
            rank_by,
            (&pl_zh, &pl_en),
            &qs,
            locale,
        );
    }
    sections::industries(&mut out, &by_industry, (&pl_zh, &pl_en), &query, locale);
    sections::funnels(&mut out, &apps, year, &category, &query, locale);
    out.tables.push(sections::overdue(overdue, today, &area));
    if area.len() == 9 {
        out.tables.push(sections::units(&units, year));
    }

    // Where the user may go: their area and what lies under it.
    let mut areas = vec![];
    for a in &reachable {
        if a.code.len() <= user.area_code.len() + 5 {
            areas.push((a.code.clone(), Bi(a.name_zh.clone(), a.name_en.clone())));
        }
    }
    let mut crumbs = Vec::new();
    let mut code =
        Some(domain::area::AreaCode::parse(&area).map_err(|e| AppError::internal(e.to_string()))?);
    while let Some(c) = code {
        if c.as_str().len() < user.area_code.len() {
            break;
        }
        if let Some(row) = reachable.iter().find(|a| a.code == c.as_str()) {
            crumbs.push((qs(c.as_str()), Bi(row.name_zh.clone(), row.name_en.clone())));
        }
        code = c.parent();
    }
    crumbs.reverse();

    Ok(DashboardView {
        query,
        area: Bi(here.name_zh, here.name_en),
        crumbs,
        period: Bi(pl_zh, pl_en),
        compared_with: Bi(
            format!("与{}同期相比", prev_label.0),
            format!("compared with {}", prev_label.1),
        ),
        tiles,
        charts: out.charts,
        tables: out.tables,
        choices: Choices {
            years: (this_year - 9..=this_year).rev().collect(),
            areas,
            industries: Industry::ALL
                .iter()
                .map(|i| (i.code().to_string(), Bi::new(i.name().0, i.name().1)))
                .collect(),
            categories: Category::ALL
                .into_iter()
                .map(|c| (c.code().to_string(), Bi::new(c.name().0, c.name().1)))
                .collect(),
        },
        read_at: (chrono::Utc::now() + chrono::Duration::hours(8))
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
    })
}
