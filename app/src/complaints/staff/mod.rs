//! The staff side: the complaint list of the county (or one township) with filters in
//! the URL, the three rates with their definitions, overdue flags, the units that cross
//! a dynamic-management threshold, entry by staff, each complaint's handling
//! (accept or refuse, link the business, escalate, close, record a callback rating),
//! imports of 12315 exports, and exports to csv and xlsx.

use super::{options, AreaChoice, ClockLine, ComplaintView, RatesTiles, RatesView, StatusBadge};
use crate::errors::AppError;
use crate::forms::{Loaded, PostNote};
use crate::i18n::{use_locale, Msg};
use crate::layout::Title;
use domain::complaint::{Channel, Industry, Outcome, Rating, RefusalGround, Status};
use domain::Role;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

mod case;
mod entry;
#[cfg(feature = "ssr")]
pub mod export;
mod imports;
#[cfg(feature = "ssr")]
pub mod post;

pub use case::*;
pub use entry::*;
pub use imports::*;

/// Who works complaints: the county office and township staff act; leaders read.
pub const HANDLERS: &[Role] = &[Role::CountyOffice, Role::TownshipReviewer];
pub const READERS: &[Role] = &[Role::CountyOffice, Role::TownshipReviewer, Role::Leader];

/// Form posts `HANDLERS` may make (see `review::common::Staff`).
#[cfg(feature = "ssr")]
pub struct Handlers;
#[cfg(feature = "ssr")]
impl crate::review::common::Allowed for Handlers {
    const ROLES: &'static [Role] = HANDLERS;
}

/// Downloads `READERS` may make.
#[cfg(feature = "ssr")]
pub struct Readers;
#[cfg(feature = "ssr")]
impl crate::review::common::Allowed for Readers {
    const ROLES: &'static [Role] = READERS;
}

/// The list's filters, as the URL holds them. An absent period means "this year"; an
/// empty one means "all time".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub area: Option<String>,
    pub industry: Option<String>,
    pub status: Option<String>,
    pub channel: Option<String>,
    pub text: Option<String>,
    pub overdue: bool,
    pub page: i64,
}

impl ListQuery {
    fn from_pairs(get: impl Fn(&str) -> Option<String>) -> ListQuery {
        ListQuery {
            from: get("from"),
            to: get("to"),
            area: get("area"),
            industry: get("industry"),
            status: get("status"),
            channel: get("channel"),
            text: get("q"),
            overdue: get("overdue").as_deref() == Some("1"),
            page: get("page").and_then(|p| p.parse().ok()).unwrap_or(0).max(0),
        }
    }

    /// The same filters as a query string (for exports and paging).
    pub fn query_string(&self) -> String {
        let mut parts = Vec::new();
        let mut push = |k: &str, v: &Option<String>| {
            if let Some(v) = v {
                parts.push(format!("{k}={}", crate::format::urlencode(v)));
            }
        };
        push("from", &self.from);
        push("to", &self.to);
        push("area", &self.area);
        push("industry", &self.industry);
        push("status", &self.status);
        push("channel", &self.channel);
        push("q", &self.text);
        if self.overdue {
            parts.push("overdue=1".into());
        }
        parts.join("&")
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintList {
    pub query: ListQuery,
    /// The period in force (after the "this year" default).
    pub from: String,
    pub to: String,
    pub rates: RatesView,
    pub rows: Vec<ComplaintView>,
    pub total: i64,
    pub overdue: i64,
    /// Recognised units over a threshold this quarter: (name, reasons zh, reasons en).
    pub flagged: Vec<(String, Vec<(String, String)>)>,
    pub thresholds: domain::complaint::Thresholds,
    /// The areas the user may choose.
    pub areas: Vec<AreaChoice>,
    pub can_act: bool,
    pub can_configure: bool,
}

pub const PAGE_SIZE: i64 = 50;

#[cfg(feature = "ssr")]
pub mod scope {
    use super::*;
    use crate::accounts::CurrentUser;
    use store::complaints::ComplaintFilter;

    /// The filter a user may see: their area, narrowed by what they asked for.
    pub fn filter(user: &CurrentUser, q: &ListQuery, today: chrono::NaiveDate) -> ComplaintFilter {
        let area = q
            .area
            .clone()
            .filter(|a| a.starts_with(&user.area_code))
            .unwrap_or_else(|| user.area_code.clone());
        let year_start = format!("{}-01-01", today.format("%Y"));
        ComplaintFilter {
            from: match &q.from {
                None => Some(year_start),
                Some(s) if s.is_empty() => None,
                Some(s) => Some(s.clone()),
            },
            to: match &q.to {
                None => Some(today.to_string()),
                Some(s) if s.is_empty() => None,
                Some(s) => Some(s.clone()),
            },
            area: Some(area),
            industry: q.industry.clone().filter(|s| !s.is_empty()),
            status: q.status.clone().filter(|s| !s.is_empty()),
            channel: q.channel.clone().filter(|s| !s.is_empty()),
            organisation_id: None,
            text: q.text.clone().filter(|s| !s.is_empty()),
        }
    }

    /// The user may see this complaint (its area is within theirs).
    pub fn covers(user: &CurrentUser, area_code: &str) -> bool {
        area_code.starts_with(&user.area_code)
    }
}

#[server(prefix = "/api", endpoint = "complaint_list")]
#[tracing::instrument(skip_all)]
pub async fn fetch_complaint_list(query: ListQuery) -> Result<ComplaintList, AppError> {
    let user = crate::accounts::session::require_role(READERS)?;
    let store = crate::state::store()?;
    let (cal, today) = (
        crate::review::common::calendar(&store).await?,
        crate::review::common::today(&store).await,
    );
    let f = scope::filter(&user, &query, today);
    let names = super::ssr::township_names(&store).await?;
    // Overdue: open complaints in scope whose clock has run out (the period does not apply).
    let open_in_scope = store
        .open_complaints(&store::complaints::ComplaintFilter {
            from: None,
            to: None,
            ..f.clone()
        })
        .await?;
    let late: Vec<_> = open_in_scope
        .into_iter()
        .filter(|c| {
            c.facts()
                .is_some_and(|fa| domain::complaint::overdue(&cal, &fa, today).is_some())
        })
        .collect();
    let overdue = late.len() as i64;
    let (rows, total) = if query.overdue {
        let rows = late
            .into_iter()
            .skip((query.page * PAGE_SIZE) as usize)
            .take(PAGE_SIZE as usize)
            .map(|c| super::ssr::view_of(c, &cal, today, &names, false))
            .collect();
        (rows, overdue)
    } else {
        let rows = store
            .find_complaints(&f, PAGE_SIZE, query.page * PAGE_SIZE)
            .await?
            .into_iter()
            .map(|c| super::ssr::view_of(c, &cal, today, &names, false))
            .collect();
        (rows, store.count_complaints(&f).await?)
    };
    let mut flagged = Vec::new();
    for (org, flags) in super::ssr::flagged_units(&store, &user.area_code).await? {
        let name = crate::review::common::organisation_name(&store, org).await;
        flagged.push((name, flags.iter().map(|f| f.describe()).collect()));
    }
    flagged.sort();
    let areas = store
        .areas_under(&user.area_code)
        .await?
        .into_iter()
        .filter(|a| a.level == "township" || a.code == user.area_code)
        .map(|a| (a.code, a.name_zh, a.name_en))
        .collect();
    Ok(ComplaintList {
        from: f.from.clone().unwrap_or_default(),
        to: f.to.clone().unwrap_or_default(),
        rates: super::ssr::rates(&store, &f).await?,
        query,
        rows,
        total,
        overdue,
        flagged,
        thresholds: super::ssr::thresholds(&store).await,
        areas,
        can_act: HANDLERS.contains(&user.role),
        can_configure: user.role == Role::CountyOffice,
    })
}

crate::notes::notes! {
    pub enum ListNote {
        Settings = "settings" => ("预警阈值已保存。", "Thresholds saved."),
        Number = "number" => ("阈值应为整数：投诉件数 1–1000，满意率 0–100，最少评价数 1–1000。", "Thresholds are whole numbers: complaints 1–1000, satisfaction 0–100, minimum ratings 1–1000."),
        State = "state" => ("操作未完成，请重试。", "That did not go through; try again."),
        _ => State,
    }
}

#[component]
pub fn ComplaintsPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let q = move || query.with(|m| ListQuery::from_pairs(|k| m.get(k)));
    let data = Resource::new_blocking(q, fetch_complaint_list);
    view! {
        <Title text=move || format!("{} · {}", locale.get().pick("投诉管理", "Complaints"), Msg::AppName.text(locale.get()))/>
        <section class="panel">
            <h1>{move || locale.get().pick("投诉管理", "Complaints")}</h1>
            <p class="batch-actions">
                <a class="button button--small" href="/complaints/new">{move || locale.get().pick("登记投诉", "Enter a complaint")}</a>
                <a class="button button--small button--secondary" href="/complaints/import">{move || locale.get().pick("导入12315数据", "Import from 12315")}</a>
            </p>
            <PostNote text=ListNote::describe testid="complaints-note"/>
            <Loaded data view=list_view/>
        </section>
    }
}

fn list_view(l: ComplaintList) -> impl IntoView {
    let locale = use_locale();
    let q = l.query.clone();
    let qs = q.query_string();
    let pages = (l.total + PAGE_SIZE - 1) / PAGE_SIZE;
    let page = q.page;
    let chosen = |v: &Option<String>, code: &str| v.as_deref() == Some(code);
    let t = l.thresholds;
    let overdue_class = if l.overdue > 0 {
        "badge badge--bad"
    } else {
        "badge"
    };
    view! {
        <form method="get" action="/complaints" class="filters" data-testid="complaint-filters">
            <label>{move || locale.get().pick("自", "From")}<input type="date" name="from" value=l.from.clone()/></label>
            <label>{move || locale.get().pick("至", "To")}<input type="date" name="to" value=l.to.clone()/></label>
            <label>{move || locale.get().pick("区域", "Area")}
                <select name="area">
                    {l.areas.iter().map(|(code, zh, en)| {
                        let (zh, en) = (zh.clone(), en.clone());
                        view! { <option value=code.clone() selected=chosen(&q.area, code)>{move || locale.get().pick(&zh, &en).to_string()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>{move || locale.get().pick("行业", "Industry")}
                <select name="industry">
                    <option value="">{move || locale.get().pick("全部", "All")}</option>
                    {options::<Industry>(q.industry.as_deref().unwrap_or_default())}
                </select>
            </label>
            <label>{move || locale.get().pick("状态", "Status")}
                <select name="status">
                    <option value="">{move || locale.get().pick("全部", "All")}</option>
                    {options::<Status>(q.status.as_deref().unwrap_or_default())}
                </select>
            </label>
            <label>{move || locale.get().pick("渠道", "Channel")}
                <select name="channel">
                    <option value="">{move || locale.get().pick("全部", "All")}</option>
                    {options::<Channel>(q.channel.as_deref().unwrap_or_default())}
                </select>
            </label>
            <label>{move || locale.get().pick("单位、编号或查询码", "Business, number or code")}<input type="text" name="q" value=q.text.clone().unwrap_or_default()/></label>
            <label class="check"><input type="checkbox" name="overdue" value="1" checked=q.overdue/>{move || locale.get().pick("只看超期", "Overdue only")}</label>
            <button class="button button--small">{move || locale.get().pick("筛选", "Filter")}</button>
        </form>
        <RatesTiles rates=l.rates.clone()/>
        <p class="batch-actions">
            <a class=overdue_class href="/complaints?overdue=1" data-testid="overdue-count">
                {move || locale.get().pick("超期未办 ", "Overdue ")}{l.overdue}
            </a>
            <a href=format!("/complaints/export/xlsx?{qs}") download data-testid="export-xlsx">{move || locale.get().pick("导出 Excel", "Export xlsx")}</a>
            <a href=format!("/complaints/export/csv?{qs}") download data-testid="export-csv">{move || locale.get().pick("导出 CSV", "Export CSV")}</a>
        </p>
        {(!l.flagged.is_empty()).then(|| view! {
            <section class="summary" data-testid="complaint-flags">
                <h2>{move || locale.get().pick("动态管理预警（本季度）", "Dynamic-management flags (this quarter)")}</h2>
                <p class="panel__lead">{move || locale.get().pick("以下示范单位触发投诉预警，建议列入复查。", "These recognised units cross a threshold: consider re-inspecting them.")}
                    {" "}<a href="/recognitions">{move || locale.get().pick("去安排复查", "Plan a re-inspection")}</a></p>
                <ul class="entry-list">
                    {l.flagged.iter().map(|(name, reasons)| {
                        let reasons = reasons.clone();
                        view! { <li class="entry"><p class="entry__name">{name.clone()}</p>
                            <p class="entry__meta">{move || reasons.iter().map(|(zh, en)| locale.get().pick(zh, en).to_string()).collect::<Vec<_>>().join(locale.get().pick("；", "; "))}</p></li> }
                    }).collect_view()}
                </ul>
            </section>
        })}
        <p class="muted" data-testid="complaint-total">{move || locale.get().pick(&format!("共 {} 件", l.total), &format!("{} complaints", l.total)).to_string()}</p>
        <ul class="entry-list" data-testid="complaint-list">
            {l.rows.into_iter().map(|c| {
                let (izh, ien) = c.industry.name();
                let overdue = c.overdue();
                view! {
                    <li class="entry">
                        <p class="entry__name"><StatusBadge status=c.status overdue/>{" "}<a href=format!("/complaints/case/{}", c.id)>{c.unit_name.clone()}</a></p>
                        <p class="entry__meta">{format!("{} · {} · ", c.received_on, c.township)}{move || locale.get().pick(izh, ien)}
                            {format!(" · {} · {}", c.consumer, c.external_no.clone().or(c.tracking_code.clone()).unwrap_or_default())}</p>
                        {overdue.then(|| view! { <ClockLine clock=c.clock.clone()/> })}
                    </li>
                }
            }).collect_view()}
        </ul>
        {(pages > 1).then(|| view! {
            <nav class="tabs" aria-label="pages">
                {(page > 0).then(|| view! { <a class="tabs__tab" href=format!("/complaints?{}&page={}", qs, page - 1)>{move || locale.get().pick("上一页", "Previous")}</a> })}
                <span class="tabs__tab tabs__tab--current">{format!("{} / {}", page + 1, pages)}</span>
                {(page + 1 < pages).then(|| view! { <a class="tabs__tab" href=format!("/complaints?{}&page={}", qs, page + 1)>{move || locale.get().pick("下一页", "Next")}</a> })}
            </nav>
        })}
        {l.can_configure.then(|| view! {
            <details class="reading">
                <summary>{move || locale.get().pick("预警阈值设置", "Threshold settings")}</summary>
                <form method="post" action="/complaints/settings" class="decision" data-testid="threshold-form">
                    <label>{move || locale.get().pick("一个季度内投诉超过（件）", "More complaints in a quarter than")}<input type="number" name="max_complaints" min="1" max="1000" value=t.max_complaints/></label>
                    <label>{move || locale.get().pick("满意率低于（%）", "Satisfaction below (%)")}<input type="number" name="min_satisfaction" min="0" max="100" value=t.min_satisfaction_percent/></label>
                    <label>{move || locale.get().pick("且至少有评价（条）", "With at least this many ratings")}<input type="number" name="min_ratings" min="1" max="1000" value=t.min_ratings/></label>
                    <button class="button button--small">{move || locale.get().pick("保存", "Save")}</button>
                </form>
            </details>
        })}
    }
}
