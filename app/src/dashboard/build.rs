//! Puts a dashboard together from the roll-ups: a handful of small queries, whatever the
//! number of complaints (see the benchmark, `scripts/bench-dashboard.sh`).

use super::charts;
use super::{Bi, Chart, Choices, DashboardQuery, DashboardView, Table, TableRow, Tile};
use crate::accounts::CurrentUser;
use crate::errors::AppError;
use chrono::{Datelike, NaiveDate};
use domain::complaint::{Industry, Status};
use domain::dashboard::{
    count_change, funnel, rank, rate_change, Change, Period, RankBy, Target, FUNNEL,
    MIN_RANKED_VOLUME,
};
use domain::lifecycle::State;
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

fn rate_cells(c: &ComplaintCounts) -> Vec<Bi> {
    vec![
        Bi::same(thousands(c.accepted as i64)),
        Bi::same(thousands(c.closed as i64)),
        Bi::same(percent(c.handling_rate())),
        Bi::same(percent(c.success_rate())),
        Bi::same(percent(c.satisfaction_rate())),
    ]
}

fn rate_columns() -> Vec<Bi> {
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
fn months(from: &str, to: &str) -> Vec<String> {
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

    let mut tables = Vec::new();
    let mut charts_out = Vec::new();
    let qs = |a: &str| format!("/dashboard?{}", query.with_area(a).query_string());

    // Monthly trend of the three rates: from the first month with complaints (empty
    // years before the data would squeeze it), at least the last twelve months.
    let by_key: std::collections::HashMap<&str, &ComplaintFigures> = by_month
        .iter()
        .map(|g| (g.key.as_str(), &g.figures))
        .collect();
    let trend_months = {
        let all = months(&trend.from_month, &period.to_month);
        let first_data = all
            .iter()
            .position(|m| {
                by_key
                    .get(m.as_str())
                    .is_some_and(|g| g.counts.accepted > 0)
            })
            .unwrap_or(all.len());
        let keep_from = first_data.min(all.len().saturating_sub(12));
        all[keep_from..].to_vec()
    };
    // The month running today is incomplete: marked, not read as a fall.
    let running_month = format!("{:04}-{:02}", today.year(), today.month());
    let partial = (trend_months.last() == Some(&running_month))
        .then(|| locale.pick("虚线：本月至今（未满）", "Dashed: this month so far"));
    let series_of = |f: fn(&ComplaintCounts) -> Option<f64>| -> Vec<Option<f64>> {
        trend_months
            .iter()
            .map(|m| by_key.get(m.as_str()).and_then(|g| f(&g.counts)))
            .collect()
    };
    let rate_names = [
        Bi::new("处理率", "Handling rate"),
        Bi::new("处理成功率", "Success rate"),
        Bi::new("满意率", "Satisfaction rate"),
    ];
    let first_year = trend_months
        .first()
        .and_then(|m| m.get(..4))
        .and_then(|y| y.parse::<i32>().ok())
        .unwrap_or(year);
    let trend_title = Bi::new(
        format!("三率月度走势（{first_year}–{year}年，按受理月份）"),
        format!("The three rates by month of acceptance, {first_year}–{year}"),
    );
    charts_out.push(Chart {
        id: "trend".into(),
        title: trend_title.clone(),
        svg: charts::line_chart(
            &trend_title.pick(locale),
            locale.pick(
                "三条折线分别为处理率、处理成功率和满意率；纵轴为百分比，横轴为受理月份。数据表见下方。",
                "Three lines: handling, success and satisfaction rates; the vertical axis is a percentage, the horizontal the month of acceptance. The data table follows.",
            ),
            &trend_months,
            &[
                (rate_names[0].pick(locale), charts::COLOURS[0], series_of(ComplaintCounts::handling_rate)),
                (rate_names[1].pick(locale), charts::COLOURS[1], series_of(ComplaintCounts::success_rate)),
                (rate_names[2].pick(locale), charts::COLOURS[2], series_of(ComplaintCounts::satisfaction_rate)),
            ],
            partial,
        ),
        table: "trend".into(),
    });
    tables.push(Table {
        id: "trend".into(),
        title: trend_title,
        columns: [vec![Bi::new("受理月份", "Month accepted")], rate_columns()].concat(),
        rows: trend_months
            .iter()
            .rev()
            .map(|m| {
                let c = by_key.get(m.as_str()).map(|g| g.counts).unwrap_or_default();
                let month = if *m == running_month {
                    Bi::new(format!("{m}（本月至今）"), format!("{m} (so far)"))
                } else {
                    Bi::same(m.clone())
                };
                TableRow {
                    cells: [vec![month], rate_cells(&c)].concat(),
                    href: None,
                    muted: c.accepted == 0,
                }
            })
            .collect(),
        note: None,
    });

    // The areas one level down, side by side and ranked.
    if child_digits > 0 {
        let groups = &by_area;
        let places: Vec<(String, ComplaintCounts)> = children
            .iter()
            .map(|c| {
                let counts = groups
                    .iter()
                    .find(|g| g.key == c.code)
                    .map(|g| g.figures.counts)
                    .unwrap_or_default();
                (c.code.clone(), counts)
            })
            .collect();
        let money_of = |code: &str| {
            groups
                .iter()
                .find(|g| g.key == code)
                .map(|g| g.figures.recovered_fen)
                .unwrap_or(0)
        };
        let name_of = |code: &str| {
            children
                .iter()
                .find(|c| c.code == code)
                .map(|c| Bi(c.name_zh.clone(), c.name_en.clone()))
                .unwrap_or_else(|| Bi::same(code))
        };
        let (ranked, apart) = rank(&places, rank_by, MIN_RANKED_VOLUME);
        let level = match child_digits {
            4 => Bi::new("市", "City"),
            6 => Bi::new("县（区）", "County"),
            _ => Bi::new("乡镇", "Township"),
        };
        let by_name = match rank_by {
            RankBy::Handling => Bi::new("处理率", "handling rate"),
            RankBy::Success => Bi::new("处理成功率", "success rate"),
            RankBy::Satisfaction => Bi::new("满意率", "satisfaction rate"),
        };
        let title = Bi::new(
            format!("{}排名（按{}，{}）", level.0, by_name.0, pl_zh),
            format!("{} ranking by {}, {}", level.1, by_name.1, pl_en),
        );
        let mut rows: Vec<TableRow> = ranked
            .iter()
            .enumerate()
            .map(|(i, (code, c))| TableRow {
                cells: [
                    vec![name_of(code), Bi::same((i + 1).to_string())],
                    rate_cells(c),
                    vec![Bi::same(money(money_of(code)))],
                ]
                .concat(),
                href: Some(qs(code)),
                muted: false,
            })
            .collect();
        rows.extend(apart.iter().map(|(code, c)| {
            TableRow {
                cells: [
                    vec![name_of(code), Bi::new("样本不足", "Too few")],
                    rate_cells(c),
                    vec![Bi::same(money(money_of(code)))],
                ]
                .concat(),
                href: Some(qs(code)),
                muted: true,
            }
        }));
        charts_out.push(Chart {
            id: "ranking".into(),
            title: title.clone(),
            svg: charts::bar_chart(
                &title.pick(locale),
                locale.pick("横条长度为所选比率；受理不足最低件数的不参与排名。", "Bar length is the chosen rate; places under the minimum volume are not ranked."),
                &ranked
                    .iter()
                    .map(|(code, c)| {
                        let r = rank_by.rate(c).unwrap_or(0.0);
                        (name_of(code).pick(locale), r, percent(Some(r)))
                    })
                    .collect::<Vec<_>>(),
                1.0,
            ),
            table: "ranking".into(),
        });
        tables.push(Table {
            id: "ranking".into(),
            title,
            columns: [
                vec![level, Bi::new("名次", "Rank")],
                rate_columns(),
                vec![Bi::new("挽回经济损失", "Recovered")],
            ]
            .concat(),
            rows,
            note: Some(Bi::new(
                format!("期内受理少于 {MIN_RANKED_VOLUME} 件的不参与排名，列在最后。点击名称查看下一级。"),
                format!("Places with fewer than {MIN_RANKED_VOLUME} complaints accepted in the period are listed last, unranked. Select a name to drill down."),
            )),
        });
    }

    // Industries.
    let mut industries: Vec<_> = by_industry.iter().collect();
    industries.sort_by_key(|g| std::cmp::Reverse(g.figures.counts.accepted));
    let industry_name = |code: &str| {
        Industry::parse(code)
            .map(|i| Bi::new(i.name().0, i.name().1))
            .unwrap_or_else(|| Bi::same(code))
    };
    let ind_title = Bi::new(
        format!("行业分布（{pl_zh}）"),
        format!("By industry, {pl_en}"),
    );
    let max_ind = industries
        .first()
        .map(|g| g.figures.counts.accepted)
        .unwrap_or(0) as f64;
    charts_out.push(Chart {
        id: "industries".into(),
        title: ind_title.clone(),
        svg: charts::bar_chart(
            &ind_title.pick(locale),
            locale.pick(
                "横条长度为受理件数。",
                "Bar length is the number of complaints accepted.",
            ),
            &industries
                .iter()
                .map(|g| {
                    let a = g.figures.counts.accepted as f64;
                    (industry_name(&g.key).pick(locale), a, thousands(a as i64))
                })
                .collect::<Vec<_>>(),
            max_ind.max(1.0),
        ),
        table: "industries".into(),
    });
    tables.push(Table {
        id: "industries".into(),
        title: ind_title,
        columns: [
            vec![Bi::new("行业", "Industry")],
            rate_columns(),
            vec![Bi::new("挽回经济损失", "Recovered")],
        ]
        .concat(),
        rows: industries
            .iter()
            .map(|g| TableRow {
                cells: [
                    vec![industry_name(&g.key)],
                    rate_cells(&g.figures.counts),
                    vec![Bi::same(money(g.figures.recovered_fen))],
                ]
                .concat(),
                href: Some(format!(
                    "/dashboard?{}",
                    DashboardQuery {
                        industry: Some(g.key.clone()),
                        ..query.clone()
                    }
                    .query_string()
                )),
                muted: false,
            })
            .collect(),
        note: None,
    });

    // The campaign funnel, overall and by category, for applications submitted this year.
    let funnel_of = |cat: Option<&str>| -> [u64; 7] {
        let states: Vec<(State, u64)> = apps
            .iter()
            .filter(|a| a.year == year.to_string() && cat.is_none_or(|c| a.category == c))
            .map(|a| (a.state, a.count as u64))
            .collect();
        funnel(&states)
    };
    let total_funnel = funnel_of(None);
    let fun_title = Bi::new(
        format!("创建漏斗（{year}年申报）"),
        format!("Campaign funnel, applications of {year}"),
    );
    charts_out.push(Chart {
        id: "funnel".into(),
        title: fun_title.clone(),
        svg: charts::bar_chart(
            &fun_title.pick(locale),
            locale.pick("从申报到认定、撤销，各阶段到达的申报数。", "How many applications reached each stage, from submission to recognition and revocation."),
            &FUNNEL
                .iter()
                .zip(total_funnel)
                .map(|((_, zh, en), n)| (locale.pick(zh, en).to_string(), n as f64, thousands(n as i64)))
                .collect::<Vec<_>>(),
            (total_funnel[0] as f64).max(1.0),
        ),
        table: "funnel".into(),
    });
    tables.push(Table {
        id: "funnel".into(),
        title: fun_title,
        columns: vec![Bi::new("阶段", "Stage"), Bi::new("申报数", "Applications")],
        rows: FUNNEL
            .iter()
            .zip(total_funnel)
            .map(|((_, zh, en), n)| TableRow {
                cells: vec![Bi::new(*zh, *en), Bi::same(thousands(n as i64))],
                href: None,
                muted: false,
            })
            .collect(),
        note: None,
    });
    tables.push(Table {
        id: "categories".into(),
        title: Bi::new(
            format!("分类别创建进展（{year}年申报）"),
            format!("By category, applications of {year}"),
        ),
        columns: [
            vec![Bi::new("类别", "Category")],
            FUNNEL.iter().map(|(_, zh, en)| Bi::new(*zh, *en)).collect(),
        ]
        .concat(),
        rows: Category::ALL
            .into_iter()
            .filter(|c| category.as_deref().is_none_or(|k| k == c.code()))
            .map(|c| {
                let f = funnel_of(Some(c.code()));
                TableRow {
                    cells: [
                        vec![Bi::new(c.name().0, c.name().1)],
                        f.iter().map(|n| Bi::same(thousands(*n as i64))).collect(),
                    ]
                    .concat(),
                    href: Some(format!(
                        "/dashboard?{}",
                        DashboardQuery {
                            category: Some(c.code().into()),
                            ..query.clone()
                        }
                        .query_string()
                    )),
                    muted: f[0] == 0,
                }
            })
            .collect(),
        note: None,
    });

    // Overdue complaints by the limit passed.
    tables.push(Table {
        id: "overdue".into(),
        title: Bi::new(
            format!("超期未办结投诉（截至 {today}）"),
            format!("Overdue complaints, as of {today}"),
        ),
        columns: vec![
            Bi::new("超期环节", "Limit passed"),
            Bi::new("件数", "Complaints"),
        ],
        rows: [
            domain::complaint::Overdue::Acceptance,
            domain::complaint::Overdue::Negotiation,
            domain::complaint::Overdue::Mediation,
        ]
        .into_iter()
        .zip(overdue)
        .map(|(k, n)| TableRow {
            cells: vec![Bi::new(k.name().0, k.name().1), Bi::same(thousands(n))],
            href: Some(format!("/complaints?area={area}&overdue=1&from=&to=")),
            muted: n == 0,
        })
        .collect(),
        note: None,
    });

    // Units, within one township.
    if area.len() == 9 {
        tables.push(Table {
            id: "units".into(),
            title: Bi::new(
                format!("被投诉单位（{year}年受理，前 {UNITS_SHOWN} 名）"),
                format!("Businesses complained about, accepted in {year} (top {UNITS_SHOWN})"),
            ),
            columns: [
                vec![Bi::new("单位", "Business")],
                rate_columns(),
                vec![Bi::new("挽回经济损失", "Recovered")],
            ]
            .concat(),
            rows: units
                .iter()
                .map(|u| TableRow {
                    cells: [
                        vec![if u.organisation_id == 0 {
                            Bi::new("未在平台登记的经营者", "Businesses not registered here")
                        } else {
                            Bi::same(u.name.clone())
                        }],
                        rate_cells(&u.figures.counts),
                        vec![Bi::same(money(u.figures.recovered_fen))],
                    ]
                    .concat(),
                    href: (u.organisation_id > 0)
                        .then(|| format!("/organisations/{}", u.organisation_id)),
                    muted: false,
                })
                .collect(),
            note: None,
        });
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
        charts: charts_out,
        tables,
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
