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

/// Who works complaints: the county office and township staff act; leaders read.
pub const HANDLERS: &[Role] = &[Role::CountyOffice, Role::TownshipReviewer];
pub const READERS: &[Role] = &[Role::CountyOffice, Role::TownshipReviewer, Role::Leader];

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

fn list_note(code: &str, l: domain::Locale) -> String {
    match code {
        "settings" => l.pick("预警阈值已保存。", "Thresholds saved."),
        "number" => l.pick(
            "阈值应为整数：投诉件数 1–1000，满意率 0–100，最少评价数 1–1000。",
            "Thresholds are whole numbers: complaints 1–1000, satisfaction 0–100, minimum ratings 1–1000.",
        ),
        _ => l.pick("操作未完成，请重试。", "That did not go through; try again."),
    }
    .to_string()
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
            <PostNote text=list_note testid="complaints-note"/>
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

// ---- one complaint -------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseView {
    pub complaint: ComplaintView,
    pub events: Vec<(String, String, String, String)>,
    pub can_act: bool,
    pub today: String,
}

#[server(prefix = "/api", endpoint = "complaint_case")]
#[tracing::instrument(skip_all)]
pub async fn fetch_complaint_case(id: i64) -> Result<CaseView, AppError> {
    let user = crate::accounts::session::require_role(READERS)?;
    let store = crate::state::store()?;
    let c = store.complaint(id).await?.ok_or(AppError::NotFound)?;
    if !scope::covers(&user, &c.area_code) {
        return Err(AppError::NotFound);
    }
    let (cal, today) = (
        crate::review::common::calendar(&store).await?,
        crate::review::common::today(&store).await,
    );
    let names = super::ssr::township_names(&store).await?;
    let can_act = HANDLERS.contains(&user.role);
    let events = store
        .complaint_events(id)
        .await?
        .into_iter()
        .map(|e| {
            (
                e.at.get(..10).unwrap_or_default().to_string(),
                e.actor,
                e.text_zh,
                e.text_en,
            )
        })
        .collect();
    Ok(CaseView {
        complaint: super::ssr::view_of(c, &cal, today, &names, can_act),
        events,
        can_act,
        today: today.to_string(),
    })
}

fn case_note(code: &str, l: domain::Locale) -> String {
    match code {
        "accept" => l.pick("已受理。", "Accepted."),
        "refuse" => l.pick("已决定不予受理。", "Not accepted."),
        "link" => l.pick(
            "已关联被投诉单位，其处理台可见。",
            "Linked: the business sees it on its desk.",
        ),
        "escalate" => l.pick("已转入调解。", "Escalated to mediation."),
        "close" => l.pick(
            "已办结。消费者将收到满意度评价链接。",
            "Closed. The consumer gets a link to rate it.",
        ),
        "rate" => l.pick("已记录回访评价。", "Callback rating recorded."),
        "filed" => l.pick("投诉已登记。", "Complaint entered."),
        "ground" => l.pick(
            "请选择不予受理的原因。",
            "Choose the ground for not accepting.",
        ),
        "credit_code" => l.pick(
            "统一社会信用代码未登记或校验不通过：请核对后再关联。",
            "That credit code fails its check or is not registered: check it and try again.",
        ),
        "outcome" => l.pick("请选择办结方式。", "Choose how it ended."),
        "amount" => l.pick(
            "金额不正确：请填写不小于 0 的金额，最多两位小数。",
            "The amount is wrong: 0 or more, with at most two decimals.",
        ),
        "rating" => l.pick(
            "请选择评价；每件投诉只能评价一次，且须已办结。",
            "Choose a rating; a complaint is rated once, after it is closed.",
        ),
        _ => l.pick(
            "这件投诉的状态已变化，请刷新后再试。",
            "This complaint has moved on; reload and try again.",
        ),
    }
    .to_string()
}

#[component]
pub fn ComplaintCasePage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let id = move || {
        params
            .with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()))
            .unwrap_or(0)
    };
    let data = Resource::new_blocking(id, fetch_complaint_case);
    view! {
        <Title text=move || format!("{} · {}", locale.get().pick("投诉详情", "Complaint"), Msg::AppName.text(locale.get()))/>
        <section class="panel">
            <p><a href="/complaints">{move || locale.get().pick("← 投诉管理", "← Complaints")}</a></p>
            <PostNote text=case_note testid="case-note"/>
            <Loaded data view=case_view/>
        </section>
    }
}

fn case_view(v: CaseView) -> impl IntoView {
    let locale = use_locale();
    let c = v.complaint;
    let id = c.id;
    let (izh, ien) = c.industry.name();
    let (czh, cen) = c.channel.name();
    let outcome = c.outcome.map(|o| o.name());
    let ground = c.refusal_ground.map(|g| g.name());
    let rating = c.rating.map(|r| r.name());
    let status = c.status;
    let act = v.can_act;
    let today = v.today.clone();
    view! {
        <h1>{c.unit_name.clone()}</h1>
        <p><StatusBadge status=c.status overdue=c.overdue()/></p>
        <ClockLine clock=c.clock.clone()/>
        <dl class="facts" data-testid="case-facts">
            <dt>{move || locale.get().pick("编号", "Number")}</dt><dd>{c.external_no.clone().or(c.tracking_code.clone()).unwrap_or_default()}</dd>
            <dt>{move || locale.get().pick("渠道", "Channel")}</dt><dd>{move || locale.get().pick(czh, cen)}</dd>
            <dt>{move || locale.get().pick("投诉人", "Consumer")}</dt><dd>{c.consumer.clone()}{" "}{c.phone.clone()}</dd>
            <dt>{move || locale.get().pick("乡镇 · 行业", "Township · industry")}</dt><dd>{c.township.clone()}{" · "}{move || locale.get().pick(izh, ien)}</dd>
            <dt>{move || locale.get().pick("信用代码", "Credit code")}</dt><dd>{c.unit_credit_code.clone().unwrap_or_else(|| "—".into())}{c.organisation_id.map(|_| view! { " " <span class="badge badge--ok">{move || locale.get().pick("已登记单位", "registered")}</span> })}</dd>
            <dt>{move || locale.get().pick("投诉内容", "What happened")}</dt><dd>{c.summary.clone()}</dd>
            <dt>{move || locale.get().pick("诉求", "Asks for")}</dt><dd>{if c.demand.is_empty() { "—".to_string() } else { c.demand.clone() }}</dd>
            <dt>{move || locale.get().pick("登记 · 受理 · 办结", "Received · accepted · closed")}</dt>
            <dd>{format!("{} · {} · {}", c.received_on, c.accepted_on.clone().unwrap_or_else(|| "—".into()), c.closed_on.clone().unwrap_or_else(|| "—".into()))}</dd>
            {c.unit_offer.clone().map(|o| view! { <dt>{move || locale.get().pick("商家方案", "Business's offer")}</dt><dd>{c.unit_contacted_on.clone().unwrap_or_default()}{" · "}{o}</dd> })}
            {outcome.map(|(zh, en)| view! { <dt>{move || locale.get().pick("办结方式", "Outcome")}</dt><dd>{move || locale.get().pick(zh, en)}</dd> })}
            {ground.map(|(zh, en)| view! { <dt>{move || locale.get().pick("不予受理原因", "Ground")}</dt><dd>{move || locale.get().pick(zh, en)}</dd> })}
            <dt>{move || locale.get().pick("挽回损失 · 先行赔付", "Recovered · advance")}</dt><dd>{format!("¥{} · ¥{}", c.recovered, c.advance)}</dd>
            <dt>{move || locale.get().pick("满意度", "Satisfaction")}</dt><dd data-testid="case-rating">{match rating { Some((zh, en)) => view! { <span>{move || locale.get().pick(zh, en)}</span> }.into_any(), None => view! { <span>{move || locale.get().pick("未评价", "No answer")}</span> }.into_any() }}</dd>
        </dl>
        {(act && status == Status::Received).then(|| view! {
            <form method="post" action=format!("/complaints/case/{id}/act") class="decision">
                <input type="hidden" name="action" value="accept"/>
                <p class="panel__lead">{move || locale.get().pick("受理后，已登记的单位在其处理台协商（10个工作日），否则直接进入调解。", "Once accepted, a registered business negotiates on its desk (10 working days); otherwise it goes to mediation.")}</p>
                <button class="button" data-testid="case-accept">{move || locale.get().pick("受理", "Accept")}</button>
            </form>
            <form method="post" action=format!("/complaints/case/{id}/act") class="decision">
                <input type="hidden" name="action" value="refuse"/>
                <label>{move || locale.get().pick("不予受理原因", "Ground for not accepting")}
                    <select name="ground"><option value="">{move || locale.get().pick("请选择", "Choose")}</option>
                        {options::<RefusalGround>("")}
                    </select></label>
                <button class="button button--secondary" data-testid="case-refuse">{move || locale.get().pick("不予受理", "Do not accept")}</button>
            </form>
        })}
        {(act && status.is_open() && c.organisation_id.is_none()).then(|| view! {
            <form method="post" action=format!("/complaints/case/{id}/act") class="decision">
                <input type="hidden" name="action" value="link"/>
                <label>{move || locale.get().pick("关联已登记单位（统一社会信用代码）", "Link a registered business (credit code)")}<input type="text" name="credit_code" maxlength="18" value=c.unit_credit_code.clone().unwrap_or_default()/></label>
                <button class="button button--secondary">{move || locale.get().pick("关联", "Link")}</button>
            </form>
        })}
        {(act && status == Status::Negotiating).then(|| view! {
            <form method="post" action=format!("/complaints/case/{id}/act") class="decision">
                <input type="hidden" name="action" value="escalate"/>
                <p class="panel__lead">{move || locale.get().pick("商家协商未果或超过10个工作日时，转由市场监管部门调解。", "When the business fails or its 10 working days run out, the regulator mediates.")}</p>
                <button class="button button--secondary" data-testid="case-escalate">{move || locale.get().pick("转入调解", "Escalate to mediation")}</button>
            </form>
        })}
        {(act && matches!(status, Status::Negotiating | Status::Mediating)).then(|| view! {
            <form method="post" action=format!("/complaints/case/{id}/act") class="decision" data-testid="case-close-form">
                <input type="hidden" name="action" value="close"/>
                <label>{move || locale.get().pick("办结方式", "Outcome")}
                    <select name="outcome"><option value="">{move || locale.get().pick("请选择", "Choose")}</option>
                        {options::<Outcome>("")}
                    </select></label>
                <label>{move || locale.get().pick("挽回经济损失（元）", "Recovered for the consumer (yuan)")}<input type="text" inputmode="decimal" name="recovered"/></label>
                <label>{move || locale.get().pick("先行赔付（元）", "Advance compensation (yuan)")}<input type="text" inputmode="decimal" name="advance"/></label>
                <button class="button" data-testid="case-close">{move || locale.get().pick("办结", "Close")}</button>
            </form>
        })}
        {(act && status == Status::Closed && c.rating.is_none()).then(|| view! {
            <form method="post" action=format!("/complaints/case/{id}/act") class="decision">
                <input type="hidden" name="action" value="rate"/>
                <label>{move || locale.get().pick("电话回访评价", "Rating from a callback")}
                    <select name="rating">
                        {[Rating::Satisfied, Rating::BasicallySatisfied, Rating::Dissatisfied].iter().map(|r| { let (zh, en) = r.name(); view! { <option value=r.code()>{move || locale.get().pick(zh, en)}</option> } }).collect_view()}
                    </select></label>
                <button class="button button--secondary">{move || locale.get().pick("记录评价", "Record")}</button>
            </form>
        })}
        <h2>{move || locale.get().pick("办理经过", "History")}</h2>
        <ol class="timeline">
            {v.events.into_iter().map(|(at, actor, zh, en)| view! {
                <li><span class="timeline__date">{at}</span>{" "}{move || locale.get().pick(&zh, &en).to_string()}<small class="muted">{format!(" · {actor}")}</small></li>
            }).collect_view()}
        </ol>
        <p class="muted">{move || locale.get().pick("今天：", "Today: ")}{today.clone()}</p>
    }
}

// ---- entry by staff ---------------------------------------------------------------------------

#[server(prefix = "/api", endpoint = "complaint_entry")]
#[tracing::instrument(skip_all)]
pub async fn fetch_complaint_entry() -> Result<(String, Vec<AreaChoice>), AppError> {
    let user = crate::accounts::session::require_role(HANDLERS)?;
    let store = crate::state::store()?;
    let today = crate::review::common::today(&store).await;
    let areas = store
        .areas_under(&user.area_code)
        .await?
        .into_iter()
        .filter(|a| a.level == "township")
        .map(|a| (a.code, a.name_zh, a.name_en))
        .collect();
    Ok((today.to_string(), areas))
}

fn entry_note(code: &str, l: domain::Locale) -> String {
    match code {
        "unit" => l.pick("请填写被投诉单位。", "Name the business."),
        "credit_code" => l.pick(
            "统一社会信用代码校验不通过，请核对或留空。",
            "The credit code fails its check: correct it or leave it empty.",
        ),
        "township" => l.pick("请选择您辖区内的乡镇。", "Choose a township in your area."),
        "industry" => l.pick("请选择行业。", "Choose the industry."),
        "channel" => l.pick("请选择投诉渠道。", "Choose the channel."),
        "name" => l.pick("请填写投诉人姓名。", "Give the consumer's name."),
        "phone" => l.pick("联系电话格式不对。", "The phone number is malformed."),
        "summary" => l.pick(
            "请写明投诉内容（至少 10 个字）。",
            "Describe the complaint (at least 10 characters).",
        ),
        "date" => l.pick(
            "登记日期不正确：不能晚于今天。",
            "The date received is wrong: not after today.",
        ),
        "number" => l.pick(
            "该投诉编号已登记过。",
            "That complaint number is already entered.",
        ),
        _ => l.pick("保存未完成，请重试。", "Not saved; try again."),
    }
    .to_string()
}

#[component]
pub fn ComplaintEntryPage() -> impl IntoView {
    let locale = use_locale();
    let data = Resource::new_blocking(|| (), |_| fetch_complaint_entry());
    view! {
        <Title text=move || format!("{} · {}", locale.get().pick("登记投诉", "Enter a complaint"), Msg::AppName.text(locale.get()))/>
        <section class="panel">
            <p><a href="/complaints">{move || locale.get().pick("← 投诉管理", "← Complaints")}</a></p>
            <h1>{move || locale.get().pick("登记投诉", "Enter a complaint")}</h1>
            <PostNote text=entry_note testid="entry-note"/>
            <Loaded data view=entry_form/>
        </section>
    }
}

fn entry_form((today, areas): (String, Vec<AreaChoice>)) -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let kept = move |k: &str| query.with_untracked(|q| q.get(k)).unwrap_or_default();
    let (township, industry, channel) = (kept("township"), kept("industry"), kept("channel"));
    let received = Some(kept("received_on"))
        .filter(|s| !s.is_empty())
        .unwrap_or(today.clone());
    view! {
        <form method="post" action="/complaints/file" class="decision" data-testid="entry-form">
            <label>{move || locale.get().pick("投诉渠道", "Channel")}
                <select name="channel">
                    {options::<Channel>(&channel)}
                </select></label>
            <label>{move || locale.get().pick("投诉编号（选填，如12315工单号）", "Complaint number (optional, e.g. the 12315 number)")}<input type="text" name="number" maxlength="40" value=kept("number")/></label>
            <label>{move || locale.get().pick("登记日期", "Received on")}<input type="date" name="received_on" max=today.clone() value=received/></label>
            <label>{move || locale.get().pick("投诉人姓名", "Consumer's name")}<input type="text" name="name" maxlength="40" value=kept("name")/></label>
            <label>{move || locale.get().pick("联系电话", "Phone")}<input type="tel" name="phone" maxlength="20" value=kept("phone")/></label>
            <label>{move || locale.get().pick("被投诉单位", "Business complained about")}<input type="text" name="unit_name" maxlength="100" value=kept("unit_name")/></label>
            <label>{move || locale.get().pick("统一社会信用代码（选填）", "Credit code (optional)")}<input type="text" name="unit_credit_code" maxlength="18" value=kept("unit_credit_code")/></label>
            <label>{move || locale.get().pick("所在乡镇", "Township")}
                <select name="township"><option value="">{move || locale.get().pick("请选择", "Choose")}</option>
                    {areas.iter().map(|(code, zh, en)| { let (zh, en) = (zh.clone(), en.clone()); view! { <option value=code.clone() selected=township == *code>{move || locale.get().pick(&zh, &en).to_string()}</option> } }).collect_view()}
                </select></label>
            <label>{move || locale.get().pick("行业", "Industry")}
                <select name="industry"><option value="">{move || locale.get().pick("请选择", "Choose")}</option>
                    {options::<Industry>(&industry)}
                </select></label>
            <label>{move || locale.get().pick("投诉内容", "What happened")}<textarea name="summary" rows="4" maxlength="2000">{crate::forms::textarea_text(kept("summary"))}</textarea></label>
            <label>{move || locale.get().pick("诉求（选填）", "Asks for (optional)")}<input type="text" name="demand" maxlength="200" value=kept("demand")/></label>
            <button class="button" data-testid="entry-save">{move || locale.get().pick("登记", "Enter")}</button>
        </form>
    }
}

// ---- imports ----------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPage {
    pub imports: Vec<store_types::ImportRow>,
    /// The first lines of the report asked for (`?report=id`).
    pub problems: Vec<(String, String, String)>,
}

pub mod store_types {
    use serde::{Deserialize, Serialize};
    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub struct ImportRow {
        pub id: i64,
        pub file_name: String,
        pub rows_read: i64,
        pub rows_bad: i64,
        pub outcome: String,
        pub imported_by: String,
        pub created_at: String,
    }
}

#[server(prefix = "/api", endpoint = "complaint_imports")]
#[tracing::instrument(skip_all)]
pub async fn fetch_import_page(report: Option<i64>) -> Result<ImportPage, AppError> {
    crate::accounts::session::require_role(&[Role::CountyOffice])?;
    let store = crate::state::store()?;
    let imports = store
        .complaint_imports(20)
        .await?
        .into_iter()
        .map(|i| store_types::ImportRow {
            id: i.id,
            file_name: i.file_name,
            rows_read: i.rows_read,
            rows_bad: i.rows_bad,
            outcome: i.outcome,
            imported_by: i.imported_by,
            created_at: i.created_at,
        })
        .collect();
    let problems = match report {
        Some(id) => store
            .complaint_import_report(id)
            .await?
            .unwrap_or_default()
            .lines()
            .skip(1)
            .take(50)
            .map(|l| {
                let mut cells = super::import::split_report_line(l).into_iter();
                (
                    cells.next().unwrap_or_default(),
                    cells.next().unwrap_or_default(),
                    cells.next().unwrap_or_default(),
                )
            })
            .collect(),
        None => Vec::new(),
    };
    Ok(ImportPage { imports, problems })
}

fn import_note(code: &str, l: domain::Locale) -> String {
    match code {
        "imported" => l.pick("导入完成，全部行已入库。", "Imported: every row is in."),
        "rejected" => l.pick(
            "文件中有错误行，整个文件未导入（全部或全不）。请按下方报告改正后重新导入。",
            "The file has bad rows, so nothing was imported (all or nothing). Fix the rows in the report below and import again.",
        ),
        "header" => l.pick(
            "表头不符合要求：缺少必需的列或有重复列，详见报告。",
            "The header row is wrong: a required column is missing or one appears twice; see the report.",
        ),
        "format" => l.pick(
            "只能导入 CSV（UTF-8 或 GBK）或 XLSX 文件。",
            "Only CSV (UTF-8 or GBK) or XLSX files can be imported.",
        ),
        "unpacked" => l.pick(
            "这个 XLSX 文件解压后过大，无法安全读取（共享字符串等部分超过 256 MB）。请在 Excel 中另存为 CSV（UTF-8）后再导入。",
            "This XLSX unpacks to more than can be read safely (a part such as its shared strings is over 256 MB). Save it as CSV (UTF-8) in Excel and import that.",
        ),
        "empty" => l.pick("请选择要导入的文件。", "Choose a file to import."),
        _ => l.pick("导入未完成，请重试。", "The import did not finish; try again."),
    }
    .to_string()
}

#[component]
pub fn ComplaintImportPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let report = move || query.with(|q| q.get("report").and_then(|r| r.parse::<i64>().ok()));
    let data = Resource::new_blocking(report, fetch_import_page);
    view! {
        <Title text=move || format!("{} · {}", locale.get().pick("导入12315数据", "Import from 12315"), Msg::AppName.text(locale.get()))/>
        <section class="panel">
            <p><a href="/complaints">{move || locale.get().pick("← 投诉管理", "← Complaints")}</a></p>
            <h1>{move || locale.get().pick("导入12315数据", "Import from 12315")}</h1>
            <p class="panel__lead">{move || locale.get().pick(
                "上传全国12315平台导出的 CSV 或 XLSX。按表头名称识别列（顺序不限）；每一行都会校验日期、信用代码、枚举值和重复编号。有任何错误行时整个文件不导入，并给出可下载的逐行错误报告。",
                "Upload a CSV or XLSX exported from the 12315 platform. Columns are found by their header (any order); every row's dates, credit code, values and complaint number are checked. If any row is bad nothing is imported, and you get a row-by-row report to download."
            )}</p>
            <details class="reading">
                <summary>{move || locale.get().pick("可识别的列", "Columns read")}</summary>
                <ul>{domain::complaint::Column::ALL.iter().map(|c| { let (zh, en) = c.header(); view! { <li>{move || locale.get().pick(zh, en)}</li> } }).collect_view()}</ul>
            </details>
            <PostNote text=import_note testid="import-note"/>
            <form method="post" enctype="multipart/form-data" action="/complaints/import/upload" class="decision" data-testid="import-form">
                <label>{move || locale.get().pick("文件（.csv 或 .xlsx）", "File (.csv or .xlsx)")}<input type="file" name="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required/></label>
                <button class="button" data-testid="import-submit">{move || locale.get().pick("导入", "Import")}</button>
            </form>
            <Loaded data view=import_view/>
        </section>
    }
}

fn import_view(p: ImportPage) -> impl IntoView {
    let locale = use_locale();
    view! {
        {(!p.problems.is_empty()).then(|| view! {
            <h2>{move || locale.get().pick("错误行（前 50 条）", "Bad rows (first 50)")}</h2>
            <div class="table-wrap" tabindex="0"><table class="table table--fit" data-testid="import-problems">
                <thead><tr><th>{move || locale.get().pick("行号", "Row")}</th><th>{move || locale.get().pick("列", "Column")}</th><th>{move || locale.get().pick("问题", "Problem")}</th></tr></thead>
                <tbody>{p.problems.into_iter().map(|(r, c, m)| view! { <tr><td>{r}</td><td>{c}</td><td>{m}</td></tr> }).collect_view()}</tbody>
            </table></div>
        })}
        <h2>{move || locale.get().pick("导入记录", "Imports")}</h2>
        <div class="table-wrap" tabindex="0"><table class="table" data-testid="import-history">
            <thead><tr>
                <th>{move || locale.get().pick("文件", "File")}</th><th>{move || locale.get().pick("行数", "Rows")}</th>
                <th>{move || locale.get().pick("错误行", "Bad")}</th><th>{move || locale.get().pick("结果", "Result")}</th>
                <th>{move || locale.get().pick("时间", "When")}</th><th><span class="visually-hidden">{move || locale.get().pick("错误报告", "Report")}</span></th>
            </tr></thead>
            <tbody>{p.imports.into_iter().map(|i| {
                let ok = i.outcome == "imported";
                view! { <tr>
                    <td>{i.file_name.clone()}</td><td class="num">{i.rows_read}</td><td class="num">{i.rows_bad}</td>
                    <td>{move || if ok { locale.get().pick("已导入", "Imported") } else { locale.get().pick("未导入", "Rejected") }}</td>
                    <td>{crate::format::short_time(&i.created_at)}</td>
                    <td>{(!ok).then(|| view! { <a href=format!("/complaints/imports/{}/report", i.id) download>{move || locale.get().pick("下载错误报告", "Download the report")}</a> })}</td>
                </tr> }
            }).collect_view()}</tbody>
        </table></div>
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::{ListQuery, HANDLERS, READERS};
    use crate::accounts::session::ClientAddr;
    use crate::accounts::CurrentUser;
    use crate::review::common::{self, field, q, staff, text};
    use crate::state::AppState;
    use axum::extract::{Multipart, Path, Query, State};
    use axum::http::{header, StatusCode};
    use axum::response::{IntoResponse, Redirect, Response};
    use axum::{Extension, Form};
    use domain::complaint::{
        Channel, Column, Facts, Industry, Outcome, Rating, Record, RefusalGround, Status,
    };
    use domain::Role;

    fn to(path: &str) -> Response {
        Redirect::to(path).into_response()
    }

    pub async fn settings(
        State(state): State<AppState>,
        user: Option<Extension<CurrentUser>>,
        addr: Option<Extension<ClientAddr>>,
        Form(p): Form<Vec<(String, String)>>,
    ) -> Response {
        let Some(user) = staff(user, &[Role::CountyOffice]) else {
            return to("/login");
        };
        let store = &state.store;
        let n = |k: &str, lo: u32, hi: u32| {
            field(&p, k)
                .parse::<u32>()
                .ok()
                .filter(|v| (lo..=hi).contains(v))
        };
        let (Some(count), Some(sat), Some(ratings)) = (
            n("max_complaints", 1, 1000),
            n("min_satisfaction", 0, 100),
            n("min_ratings", 1, 1000),
        ) else {
            return to("/complaints?error=number");
        };
        use super::super::ssr::{THRESHOLD_COUNT, THRESHOLD_RATINGS, THRESHOLD_SATISFACTION};
        for (k, v) in [
            (THRESHOLD_COUNT, count),
            (THRESHOLD_SATISFACTION, sat),
            (THRESHOLD_RATINGS, ratings),
        ] {
            if store.set_setting(k, &v.to_string()).await.is_err() {
                return to("/complaints?error=state");
            }
        }
        let _ = common::audit(
            store,
            &user,
            common::addr(&addr),
            "complaint.thresholds",
            "settings".into(),
            format!("{count} per quarter, {sat}% with {ratings} ratings"),
        )
        .await;
        to("/complaints?done=settings")
    }

    /// Entry by county or township staff; waits for acceptance like any other.
    pub async fn file(
        State(state): State<AppState>,
        user: Option<Extension<CurrentUser>>,
        addr: Option<Extension<ClientAddr>>,
        Form(p): Form<Vec<(String, String)>>,
    ) -> Response {
        let Some(user) = staff(user, HANDLERS) else {
            return to("/login");
        };
        let store = &state.store;
        let kept: String = [
            "channel",
            "number",
            "received_on",
            "name",
            "phone",
            "unit_name",
            "unit_credit_code",
            "township",
            "industry",
            "summary",
            "demand",
        ]
        .iter()
        .map(|k| format!("&{k}={}", q(&text(&p, k, 2000))))
        .collect();
        let refuse = |code: &str| to(&format!("/complaints/new?error={code}{kept}"));
        let today = common::today(store).await;
        let Some(channel) = Channel::parse(&field(&p, "channel")) else {
            return refuse("channel");
        };
        let Some(received) =
            chrono::NaiveDate::parse_from_str(&field(&p, "received_on"), "%Y-%m-%d")
                .ok()
                .filter(|d| *d <= today)
        else {
            return refuse("date");
        };
        let name = text(&p, "name", 40);
        if name.is_empty() {
            return refuse("name");
        }
        let phone = field(&p, "phone");
        if !domain::complaint::phone_ok(&phone) {
            return refuse("phone");
        }
        let unit_name = text(&p, "unit_name", 100);
        if unit_name.is_empty() {
            return refuse("unit");
        }
        let code = field(&p, "unit_credit_code").to_uppercase();
        let credit_code = if code.is_empty() {
            None
        } else {
            match domain::CreditCode::parse(&code) {
                Ok(c) => Some(c.as_str().to_string()),
                Err(_) => return refuse("credit_code"),
            }
        };
        let township = field(&p, "township");
        if township.len() != 9
            || !township.starts_with(&user.area_code)
            || !matches!(store.area(&township).await, Ok(Some(_)))
        {
            return refuse("township");
        }
        let Some(industry) = Industry::parse(&field(&p, "industry")) else {
            return refuse("industry");
        };
        let summary = text(&p, "summary", 2000);
        if summary.chars().count() < 10 {
            return refuse("summary");
        }
        let number = text(&p, "number", 40);
        let org = match &credit_code {
            Some(c) => store
                .organisation_by_credit_code(c)
                .await
                .ok()
                .flatten()
                .map(|o| o.id),
            None => None,
        };
        let record = Record {
            number: (!number.is_empty()).then_some(number),
            channel,
            consumer_name: name,
            consumer_phone: phone,
            unit_name,
            unit_credit_code: credit_code,
            area_code: township,
            industry,
            summary,
            facts: Facts {
                status: Status::Received,
                received_on: received,
                accepted_on: None,
                closed_on: None,
                outcome: None,
                rating: None,
            },
            refusal_ground: None,
            recovered_fen: 0,
            advance_fen: 0,
        };
        match store
            .file_complaint(
                &store::complaints::NewComplaint {
                    record: &record,
                    source: "staff",
                    organisation_id: org,
                    demand: &text(&p, "demand", 200),
                    actor: &user.login,
                },
                &common::audit_event(
                    &user,
                    common::addr(&addr),
                    "complaint.enter",
                    String::new(),
                    record.unit_name.clone(),
                ),
            )
            .await
        {
            Ok((id, _)) => to(&format!("/complaints/case/{id}?done=filed")),
            Err(e) if e.is_unique_violation() => refuse("number"),
            Err(e) => {
                tracing::warn!(error = %e, "complaint entry not stored");
                refuse("state")
            }
        }
    }

    /// One handling step on a complaint.
    pub async fn act(
        State(state): State<AppState>,
        Path(id): Path<i64>,
        user: Option<Extension<CurrentUser>>,
        addr: Option<Extension<ClientAddr>>,
        Form(p): Form<Vec<(String, String)>>,
    ) -> Response {
        let Some(user) = staff(user, HANDLERS) else {
            return to("/login");
        };
        let store = &state.store;
        let back = |k: &str, code: &str| to(&format!("/complaints/case/{id}?{k}={code}"));
        let Ok(Some(c)) = store.complaint(id).await else {
            return back("error", "state");
        };
        if !super::scope::covers(&user, &c.area_code) {
            return back("error", "state");
        }
        let today = common::today(store).await.to_string();
        let actor = user.login.clone();
        let action = field(&p, "action");
        let ev = common::audit_event(
            &user,
            common::addr(&addr),
            &format!("complaint.{action}"),
            format!("complaint:{id}"),
            String::new(),
        );
        let result = match action.as_str() {
            "accept" => store.accept_complaint(id, &today, &actor, &ev).await,
            "refuse" => {
                let Some(g) = RefusalGround::parse(&field(&p, "ground")) else {
                    return back("error", "ground");
                };
                store.refuse_complaint(id, g, &today, &actor, &ev).await
            }
            "link" => {
                let code = field(&p, "credit_code").to_uppercase();
                let org = match domain::CreditCode::parse(&code) {
                    Ok(_) => store
                        .organisation_by_credit_code(&code)
                        .await
                        .ok()
                        .flatten(),
                    Err(_) => None,
                };
                let Some(org) = org else {
                    return back("error", "credit_code");
                };
                store.link_complaint(id, org.id, &actor, &ev).await
            }
            "escalate" => store.escalate_complaint(id, &actor, &ev).await,
            "close" => {
                let Some(outcome) = Outcome::parse(&field(&p, "outcome")) else {
                    return back("error", "outcome");
                };
                let (Some(recovered), Some(advance)) = (
                    domain::complaint::parse_yuan(&field(&p, "recovered")),
                    domain::complaint::parse_yuan(&field(&p, "advance")),
                ) else {
                    return back("error", "amount");
                };
                let r = store
                    .close_complaint(id, outcome, &today, recovered, advance, &actor, &ev)
                    .await;
                if r.is_ok() {
                    super::super::ssr::send_rating_link(store, id).await;
                }
                r
            }
            "rate" => {
                let Some(r) =
                    Rating::parse(&field(&p, "rating")).filter(|r| *r != Rating::NoAnswer)
                else {
                    return back("error", "rating");
                };
                match store.rate_complaint(id, r, &ev).await {
                    Ok(true) => Ok(()),
                    Ok(false) => return back("error", "rating"),
                    Err(e) => Err(e),
                }
            }
            _ => return back("error", "state"),
        };
        match result {
            Ok(()) => {
                if action == "accept" || action == "link" {
                    if let Ok(Some(c)) = store.complaint(id).await {
                        if let (Some(org), "negotiating") = (c.organisation_id, c.status.as_str()) {
                            common::notify_org(
                                store,
                                org,
                                "收到一件消费投诉，请在 10 个工作日内与消费者协商处理。",
                                "A consumer complaint came in: settle it with the consumer within 10 working days.",
                                "/desk",
                            )
                            .await;
                        }
                    }
                }
                back("done", &action)
            }
            Err(e) => {
                tracing::info!(error = %e, "complaint action refused");
                back("error", "state")
            }
        }
    }

    /// A 12315 export, streamed to a temporary file, then imported all or nothing.
    pub async fn upload(
        State(state): State<AppState>,
        user: Option<Extension<CurrentUser>>,
        addr: Option<Extension<ClientAddr>>,
        mut form: Multipart,
    ) -> Response {
        let Some(user) = staff(user, &[Role::CountyOffice]) else {
            return to("/login");
        };
        let store = &state.store;
        let mut saved = None;
        while let Ok(Some(mut f)) = form.next_field().await {
            if f.name() != Some("file") {
                continue;
            }
            let name = f.file_name().unwrap_or("upload").to_string();
            let tmp = match super::super::import::TempFile::new() {
                Ok(t) => t,
                Err(e) => {
                    tracing::error!(error = %e, "no temporary file for an import");
                    return to("/complaints/import?error=state");
                }
            };
            let mut out = match tokio::fs::File::create(tmp.path()).await {
                Ok(o) => o,
                Err(_) => return to("/complaints/import?error=state"),
            };
            let mut size = 0usize;
            loop {
                match f.chunk().await {
                    Ok(Some(bytes)) => {
                        size += bytes.len();
                        if tokio::io::AsyncWriteExt::write_all(&mut out, &bytes)
                            .await
                            .is_err()
                        {
                            return to("/complaints/import?error=state");
                        }
                    }
                    Ok(None) => break,
                    Err(_) => return to("/complaints/import?error=state"),
                }
            }
            let _ = tokio::io::AsyncWriteExt::flush(&mut out).await;
            if size > 0 {
                saved = Some((name, tmp));
            }
        }
        let Some((name, tmp)) = saved else {
            return to("/complaints/import?error=empty");
        };
        let outcome =
            super::super::import::import_file(store, tmp.path(), &name, &user.login).await;
        let _ = common::audit(
            store,
            &user,
            common::addr(&addr),
            "complaint.import",
            format!("file:{name}"),
            format!("{outcome:?}"),
        )
        .await;
        use super::super::import::ImportOutcome::*;
        match outcome {
            Imported { .. } => to("/complaints/import?done=imported"),
            Rejected { import_id, .. } => to(&format!(
                "/complaints/import?error=rejected&report={import_id}"
            )),
            BadHeader { import_id } => to(&format!(
                "/complaints/import?error=header&report={import_id}"
            )),
            NotReadable => to("/complaints/import?error=format"),
            TooBigUnpacked { .. } => to("/complaints/import?error=unpacked"),
            Failed => to("/complaints/import?error=state"),
        }
    }

    pub async fn report(
        State(state): State<AppState>,
        Path(id): Path<i64>,
        user: Option<Extension<CurrentUser>>,
    ) -> Response {
        if staff(user, &[Role::CountyOffice]).is_none() {
            return to("/login");
        }
        match state.store.complaint_import_report(id).await {
            Ok(Some(r)) => (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                    (
                        header::CONTENT_DISPOSITION,
                        "attachment; filename=\"import-report.csv\"",
                    ),
                ],
                // A BOM so that Excel opens the Chinese text as UTF-8.
                format!("\u{feff}{r}"),
            )
                .into_response(),
            _ => StatusCode::NOT_FOUND.into_response(),
        }
    }

    struct Export {
        rows: Vec<store::complaints::Complaint>,
        townships: std::collections::HashMap<String, String>,
    }

    async fn rows_for_export(
        store: &store::Store,
        user: &CurrentUser,
        p: &[(String, String)],
    ) -> Result<Export, crate::errors::AppError> {
        let q = ListQuery::from_pairs(|k| p.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()));
        let today = common::today(store).await;
        let f = super::scope::filter(user, &q, today);
        let mut out = Vec::new();
        // Paged reads; an export holds at most one spreadsheet's rows.
        let page = 5000;
        loop {
            let rows = store.find_complaints(&f, page, out.len() as i64).await?;
            let n = rows.len() as i64;
            out.extend(rows);
            if n < page || out.len() >= 1_000_000 {
                break;
            }
        }
        Ok(Export {
            rows: out,
            townships: super::super::ssr::township_names(store).await?,
        })
    }

    /// The columns of an export: the import's own headers, so an export imports back.
    fn export_cells(
        c: &store::complaints::Complaint,
        townships: &std::collections::HashMap<String, String>,
    ) -> Vec<String> {
        let name = |code: &Option<String>,
                    parse: fn(&str) -> Option<(&'static str, &'static str)>| {
            code.as_deref()
                .and_then(parse)
                .map(|(zh, _)| zh.to_string())
                .unwrap_or_default()
        };
        Column::ALL
            .iter()
            .map(|col| match col {
                Column::Number => c
                    .external_no
                    .clone()
                    .or(c.tracking_code.clone())
                    .unwrap_or_else(|| format!("FX-{}", c.id)),
                Column::ReceivedOn => c.received_on.clone(),
                Column::AcceptedOn => c.accepted_on.clone().unwrap_or_default(),
                Column::ClosedOn => c.closed_on.clone().unwrap_or_default(),
                Column::ConsumerName => domain::complaint::mask_name(&c.consumer_name),
                Column::ConsumerPhone => domain::complaint::mask_phone(&c.consumer_phone),
                Column::UnitName => c.unit_name.clone(),
                Column::UnitCreditCode => c.unit_credit_code.clone().unwrap_or_default(),
                Column::Township => townships
                    .get(c.area_code.get(..9).unwrap_or(&c.area_code))
                    .cloned()
                    .unwrap_or_else(|| c.area_code.clone()),
                Column::Industry => Industry::parse(&c.industry)
                    .map(|i| i.name().0.to_string())
                    .unwrap_or_default(),
                Column::Channel => Channel::parse(&c.channel)
                    .map(|i| i.name().0.to_string())
                    .unwrap_or_default(),
                Column::Status => Status::parse(&c.status)
                    .map(|i| i.name().0.to_string())
                    .unwrap_or_default(),
                Column::Outcome => name(&c.outcome, |s| Outcome::parse(s).map(|o| o.name())),
                Column::RefusalGround => name(&c.refusal_ground, |s| {
                    RefusalGround::parse(s).map(|o| o.name())
                }),
                Column::Recovered => domain::complaint::yuan(c.recovered_fen),
                Column::AdvancePaid => domain::complaint::yuan(c.advance_fen),
                Column::Rating => name(&c.rating, |s| Rating::parse(s).map(|o| o.name())),
                Column::Summary => c.summary.clone(),
            })
            .collect()
    }

    pub async fn export_csv(
        State(state): State<AppState>,
        user: Option<Extension<CurrentUser>>,
        Query(p): Query<Vec<(String, String)>>,
    ) -> Response {
        let Some(user) = staff(user, READERS) else {
            return to("/login");
        };
        let Ok(export) = rows_for_export(&state.store, &user, &p).await else {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        let mut out = String::from("\u{feff}");
        let header: Vec<&str> = Column::ALL.iter().map(|c| c.header().0).collect();
        out.push_str(&header.join(","));
        out.push('\n');
        for c in &export.rows {
            let cells: Vec<String> = export_cells(c, &export.townships)
                .iter()
                .map(|s| super::super::import::csv_cell(s))
                .collect();
            out.push_str(&cells.join(","));
            out.push('\n');
        }
        (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"complaints.csv\"",
                ),
            ],
            out,
        )
            .into_response()
    }

    pub async fn export_xlsx(
        State(state): State<AppState>,
        user: Option<Extension<CurrentUser>>,
        Query(p): Query<Vec<(String, String)>>,
    ) -> Response {
        let Some(user) = staff(user, READERS) else {
            return to("/login");
        };
        let Ok(export) = rows_for_export(&state.store, &user, &p).await else {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        let book = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
            use rust_xlsxwriter::{Format, Workbook};
            let mut book = Workbook::new();
            let sheet = book.add_worksheet();
            sheet.set_name("投诉")?;
            let bold = Format::new().set_bold();
            for (i, col) in Column::ALL.iter().enumerate() {
                sheet.write_string_with_format(0, i as u16, col.header().0, &bold)?;
            }
            for (r, c) in export.rows.iter().enumerate() {
                for (i, cell) in export_cells(c, &export.townships).iter().enumerate() {
                    sheet.write_string(r as u32 + 1, i as u16, cell)?;
                }
            }
            sheet.set_column_width(6, 28)?;
            sheet.set_column_width(17, 40)?;
            book.save_to_buffer()
        };
        match book() {
            Ok(bytes) => (
                [
                    (
                        header::CONTENT_TYPE,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    ),
                    (
                        header::CONTENT_DISPOSITION,
                        "attachment; filename=\"complaints.xlsx\"",
                    ),
                ],
                bytes,
            )
                .into_response(),
            Err(e) => {
                tracing::error!(error = %e, "xlsx export failed");
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        }
    }
}
