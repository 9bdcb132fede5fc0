//! The dashboard's charts and tables, one function per section; `build::view` reads
//! the roll-ups once and hands each section what it shows.

use super::build::{money, months, percent, rate_cells, rate_columns, thousands, UNITS_SHOWN};
use super::charts;
use super::{Bi, Chart, DashboardQuery, Table, TableRow};
use chrono::{Datelike, NaiveDate};
use domain::complaint::Industry;
use domain::dashboard::{funnel, rank, RankBy, FUNNEL, MIN_RANKED_VOLUME};
use domain::lifecycle::State;
use domain::rates::ComplaintCounts;
use domain::{Category, Locale};
use store::complaints::ComplaintFigures;
use store::dashboard::{ApplicationCount, Group, UnitGroup};
use store::reference::AreaRow;

/// What the sections add to the page, in order.
#[derive(Default)]
pub(super) struct Sections {
    pub charts: Vec<Chart>,
    pub tables: Vec<Table>,
}

/// The monthly trend of the three rates, chart and table.
pub(super) fn trend(
    out: &mut Sections,
    by_month: &[Group],
    (from_month, to_month): (&str, &str),
    today: NaiveDate,
    year: i32,
    locale: Locale,
) {
    // Monthly trend of the three rates: from the first month with complaints (empty
    // years before the data would squeeze it), at least the last twelve months.
    let by_key: std::collections::HashMap<&str, &ComplaintFigures> = by_month
        .iter()
        .map(|g| (g.key.as_str(), &g.figures))
        .collect();
    let trend_months = {
        let all = months(from_month, to_month);
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
    out.charts.push(Chart {
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
    out.tables.push(Table {
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
}

/// The areas one level down, side by side and ranked.
#[allow(clippy::too_many_arguments)]
pub(super) fn ranking(
    out: &mut Sections,
    groups: &[Group],
    children: &[&AreaRow],
    child_digits: usize,
    rank_by: RankBy,
    period: (&str, &str),
    qs: &dyn Fn(&str) -> String,
    locale: Locale,
) {
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
        format!("{}排名（按{}，{}）", level.0, by_name.0, period.0),
        format!("{} ranking by {}, {}", level.1, by_name.1, period.1),
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
    out.charts.push(Chart {
        id: "ranking".into(),
        title: title.clone(),
        svg: charts::bar_chart(
            &title.pick(locale),
            locale.pick(
                "横条长度为所选比率；受理不足最低件数的不参与排名。",
                "Bar length is the chosen rate; places under the minimum volume are not ranked.",
            ),
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
    out.tables.push(Table {
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

/// Complaints by industry in the period, chart and table.
pub(super) fn industries(
    out: &mut Sections,
    by_industry: &[Group],
    (pl_zh, pl_en): (&str, &str),
    query: &DashboardQuery,
    locale: Locale,
) {
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
    out.charts.push(Chart {
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
    out.tables.push(Table {
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
}

/// The campaign funnel, overall (chart and table) and by category.
pub(super) fn funnels(
    out: &mut Sections,
    apps: &[ApplicationCount],
    year: i32,
    category: &Option<String>,
    query: &DashboardQuery,
    locale: Locale,
) {
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
    out.charts.push(Chart {
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
    out.tables.push(Table {
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
    out.tables.push(Table {
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
}

/// Overdue complaints by the limit passed.
pub(super) fn overdue(overdue: [i64; 3], today: NaiveDate, area: &str) -> Table {
    Table {
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
    }
}

/// The businesses complained about, within one township.
pub(super) fn units(units: &[UnitGroup], year: i32) -> Table {
    Table {
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
    }
}
