//! County panel review (县级评审). The county office forms a panel per batch and
//! category, assigns reviewers (by hand, or balanced automatically), watches the
//! independent scores come in with their spread, calls a discussion when they differ,
//! and records the result: the mean or median of the totals (a setting). Reviewers see
//! their assignments, declare a conflict of interest (which removes them at once, and
//! is audited), score every indicator, and see the others' scores only after their own.
//! On-site notes and photos are attached from a phone.

use crate::errors::AppError;
use crate::i18n::{t, use_locale, Msg};
use crate::layout::Title;
use domain::panel::AssignmentStatus;
use domain::scoring::{Indicator, ItemKind, ItemScore, SetRules};
use domain::Category;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod post;
mod scoring;

pub use scoring::*;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewerRow {
    pub assignment_id: i64,
    pub reviewer: String,
    pub status: domain::panel::AssignmentStatus,
    pub conflict: Option<String>,
    pub total: Option<i64>,
    pub vetoed: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelApplication {
    pub id: i64,
    pub organisation_name: String,
    pub round: i64,
    pub reviewers: Vec<ReviewerRow>,
    /// Mean or median so far (tenths), spread and pass, once every active reviewer scored.
    pub result: Option<(u32, u32, bool, bool)>,
    pub waiting_for: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelOverview {
    pub batch_id: i64,
    pub batch_name: String,
    pub category: Category,
    pub members: Vec<(i64, String, String)>,
    /// Panel-member accounts not yet on this panel: (account, name, login).
    pub candidates: Vec<(i64, String, String)>,
    pub method: String,
    pub per_application: u32,
    pub applications: Vec<PanelApplication>,
}

#[server(prefix = "/api", endpoint = "panel_overview")]
#[tracing::instrument(skip_all)]
pub async fn fetch_panel_overview(category: String) -> Result<Option<PanelOverview>, AppError> {
    use super::common::*;
    let user = crate::accounts::session::require_role(&[domain::Role::CountyOffice])?;
    let store = crate::state::store()?;
    let category = Category::parse(&category).unwrap_or(Category::Unit);
    let Some(batch) = store.open_batch(domain::application::COUNTY).await? else {
        return Ok(None);
    };
    let members = store.panel_members(batch.id, category.code()).await?;
    let candidates = store
        .accounts_under(domain::application::COUNTY)
        .await?
        .into_iter()
        .filter(|a| a.role == domain::Role::PanelMember.code())
        .filter(|a| !members.iter().any(|m| m.account_id == a.id))
        .map(|a| (a.id, a.display_name, a.login))
        .collect();
    let method = aggregate(&store).await?;
    let mut applications = Vec::new();
    for a in store.county_review_queue(batch.id).await? {
        if a.category_code != category.code() {
            continue;
        }
        let round = store.current_round(a.id).await?;
        let rows = store.assignments_of_application(a.id, round).await?;
        let set = store.indicator_set_by_id(a.indicator_set_id).await?;
        let pass = set.map(|s| s.rules.pass_score).unwrap_or(80);
        let outcomes: Vec<_> = rows.iter().filter_map(outcome_of).collect();
        let waiting_for = rows
            .iter()
            .filter(|r| r.status == AssignmentStatus::Assigned)
            .count();
        let result = (waiting_for == 0)
            .then(|| domain::panel::combine(&outcomes, method, pass))
            .flatten()
            .map(|r| (r.score_tenths, r.spread, r.vetoed, r.passed));
        applications.push(PanelApplication {
            id: a.id,
            organisation_name: organisation_name(&store, a.organisation_id).await,
            round,
            reviewers: rows
                .iter()
                .map(|r| ReviewerRow {
                    assignment_id: r.id,
                    reviewer: r.reviewer_name.clone(),
                    status: r.status,
                    conflict: r.conflict.clone(),
                    total: r.total,
                    vetoed: r.vetoed == Some(1),
                })
                .collect(),
            result,
            waiting_for,
        });
    }
    let _ = user;
    Ok(Some(PanelOverview {
        batch_id: batch.id,
        batch_name: batch.name_zh,
        category,
        members: members
            .into_iter()
            .map(|m| (m.account_id, m.display_name, m.login))
            .collect(),
        candidates,
        method: method.code().to_string(),
        per_application: setting_u32(&store, REVIEWERS_PER_APPLICATION).await?,
        applications,
    }))
}

/// A scored assignment's outcome, as the domain combines it.
#[cfg(feature = "ssr")]
pub(crate) fn outcome_of(a: &store::county::Assignment) -> Option<domain::scoring::Outcome> {
    (a.status == AssignmentStatus::Scored).then(|| {
        let total = a.total.unwrap_or(0).max(0) as u32;
        let vetoed = a.vetoed == Some(1);
        domain::scoring::Outcome {
            basic: total,
            bonus: 0,
            total,
            vetoed,
            passed: !vetoed,
        }
    })
}

#[component]
pub fn PanelPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let category = move || query.with(|q| q.get("category").unwrap_or_else(|| "unit".into()));
    let data = Resource::new_blocking(category, fetch_panel_overview);
    view! {
        <Title text=move || format!("{} · {}", locale.get().pick("县级评审", "County review"), Msg::AppName.text(locale.get()))/>
        <section class="panel">
            <h1>{move || locale.get().pick("县级评审", "County review")}</h1>
            <p class="panel__lead">{move || locale.get().pick(
                "按批次和类别组建评审组、分配评审员，查看独立评分及其离散程度，必要时组织合议，然后确定结果。",
                "Form a panel per batch and category, assign reviewers, watch the independent scores and their spread, call a discussion when needed, then record the result."
            )}</p>
            <nav class="tabs" aria-label=move || locale.get().pick("类别", "Category")>
                {Category::ALL.into_iter().map(|c| {
                    let (zh, en) = c.name();
                    let current = move || category() == c.code();
                    view! { <a href=format!("/panel?category={}", c.code()) class="tabs__tab" aria-current=move || current().then_some("page")>{move || locale.get().pick(zh, en)}</a> }
                }).collect_view()}
            </nav>
            <crate::forms::PostNote text=PanelNote::describe testid="panel-done"/>
            <Suspense fallback=move || view! { <p>{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <crate::forms::PageError error=e/> }.into_any(),
                        Ok(None) => view! { <p class="empty">{move || locale.get().pick("没有进行中的批次。", "No batch is open.")}</p> }.into_any(),
                        Ok(Some(o)) => view! { <PanelBody o=o/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

crate::notes::notes! {
    pub enum PanelNote {
        Assigned = "assigned" => ("已分配评审员。", "Reviewers assigned."),
        Members = "members" => ("评审组已更新。", "The panel is updated."),
        Passed = "passed" => ("已确定：评审通过。", "Recorded: passed."),
        Failed = "failed" => ("已确定：未通过，已进入整改。", "Recorded: not passed; rectification opened."),
        Rejected = "rejected" => ("已确定：验收仍未通过，评审结束。", "Recorded: failed again; the review ends."),
        Discussion = "discussion" => ("已发起合议：评分重新开放修改。", "Discussion called: the scores are open for revision."),
        Settings = "settings" => ("评审设置已保存。", "Review settings saved."),
        State = "state" => ("操作未完成，请刷新后重试。", "That did not go through; reload and try again."),
        _ => State,
    }
}

#[component]
fn PanelBody(o: PanelOverview) -> impl IntoView {
    let locale = use_locale();
    let cat = o.category.code();
    let batch = o.batch_id;
    let method_mean = o.method == "mean";
    view! {
        <p class="panel__lead">{o.batch_name.clone()}</p>
        <section class="summary">
            <h2>{move || locale.get().pick("评审组", "Panel")}</h2>
            <ul class="app-list" data-testid="panel-members">
                {o.members.iter().map(|(id, name, login)| view! {
                    <li class="app-list__item">
                        <span class="app-list__name">{name.clone()}" ("{login.clone()}")"</span>
                        <form method="post" action="/panel/members" class="inline-form">
                            <input type="hidden" name="batch" value=batch/>
                            <input type="hidden" name="category" value=cat/>
                            <input type="hidden" name="account" value=*id/>
                            <button class="button button--secondary button--small" name="op" value="remove">{move || locale.get().pick("移出", "Remove")}</button>
                        </form>
                    </li>
                }).collect_view()}
            </ul>
            {(!o.candidates.is_empty()).then(|| view! {
                <form method="post" action="/panel/members" class="inline-form" data-testid="add-member">
                    <input type="hidden" name="batch" value=batch/>
                    <input type="hidden" name="category" value=cat/>
                    <label>{move || locale.get().pick("加入评审员", "Add a reviewer")}
                        <select name="account">
                            {o.candidates.iter().map(|(id, name, login)| view! { <option value=*id>{format!("{name} ({login})")}</option> }).collect_view()}
                        </select>
                    </label>
                    <button class="button" name="op" value="add">{move || locale.get().pick("加入", "Add")}</button>
                </form>
            })}
            <form method="post" action="/panel/settings" class="inline-form">
                <input type="hidden" name="category" value=cat/>
                <label>{move || locale.get().pick("结果取", "Result is the")}
                    <select name="method">
                        <option value="mean" selected=method_mean>{move || locale.get().pick("平均分", "mean")}</option>
                        <option value="median" selected=!method_mean>{move || locale.get().pick("中位数", "median")}</option>
                    </select>
                </label>
                <label>{move || locale.get().pick("每份申报评审员人数", "Reviewers per application")}
                    <input type="number" name="per_application" min="1" max="9" value=o.per_application inputmode="numeric"/>
                </label>
                <button class="button button--secondary">{move || locale.get().pick("保存设置", "Save settings")}</button>
            </form>
        </section>
        <section class="summary">
            <h2>{move || locale.get().pick("待评审申报", "Applications under review")}</h2>
            {o.applications.is_empty().then(|| view! { <p class="empty" data-testid="panel-empty">{move || locale.get().pick("暂无待县级评审的申报。", "Nothing waiting for the panel.")}</p> })}
            {(!o.applications.is_empty()).then(|| view! {
                <form method="post" action="/panel/assign" class="inline-form">
                    <input type="hidden" name="batch" value=batch/>
                    <input type="hidden" name="category" value=cat/>
                    <button class="button" data-testid="auto-assign">{move || locale.get().pick("自动均衡分配评审员", "Assign reviewers automatically (balanced)")}</button>
                </form>
            })}
            <ul class="review-list">
                {o.applications.into_iter().map(|a| view! { <PanelApplicationView a=a category=cat members=o.members.clone()/> }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn PanelApplicationView(
    a: PanelApplication,
    category: &'static str,
    members: Vec<(i64, String, String)>,
) -> impl IntoView {
    let locale = use_locale();
    let id = a.id;
    let round = a.round;
    let waiting = a.waiting_for;
    let active = a
        .reviewers
        .iter()
        .filter(|r| r.status != AssignmentStatus::Recused)
        .count();
    view! {
        <li class="review-card" data-testid=format!("panel-app-{id}")>
            <h3><a href=format!("/review/{id}")>{a.organisation_name.clone()}</a>
                {(round > 1).then(|| view! { <span class="badge badge--draft">{move || locale.get().pick("整改验收", "Acceptance after rectification")}</span> })}
            </h3>
            <div class="table-wrap" tabindex="0"><table class="table table--fit">
                <thead><tr><th>{move || locale.get().pick("评审员", "Reviewer")}</th><th>{move || locale.get().pick("状态", "Status")}</th><th>{move || locale.get().pick("总分", "Total")}</th></tr></thead>
                <tbody>
                    {a.reviewers.iter().map(|r| {
                        let status = r.status;
                        let conflict = r.conflict.clone().and_then(|c| domain::panel::Conflict::parse(&c));
                        view! {
                            <tr data-testid="reviewer-row">
                                <td>{r.reviewer.clone()}</td>
                                <td>{move || match (status, locale.get()) {
                                    (AssignmentStatus::Scored, l) => l.pick("已评分", "Scored").to_string(),
                                    (AssignmentStatus::Recused, l) => format!("{}{}", l.pick("已回避：", "Recused: "), conflict.map(|c| l.pick(c.name().0, c.name().1)).unwrap_or("")),
                                    (_, l) => l.pick("待评分", "Waiting").to_string(),
                                }}</td>
                                <td>{r.total.map(|t| t.to_string()).unwrap_or_else(|| "—".into())}{r.vetoed.then_some(" ⚠")}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table></div>
            {(!members.is_empty()).then(|| view! {
                <form method="post" action="/panel/assign" class="inline-form">
                    <input type="hidden" name="application" value=id/>
                    <input type="hidden" name="category" value=category/>
                    <label>{move || locale.get().pick("手动指派", "Assign by hand")}
                        <select name="reviewer">
                            {members.iter().map(|(mid, name, login)| view! { <option value=*mid>{format!("{name} ({login})")}</option> }).collect_view()}
                        </select>
                    </label>
                    <button class="button button--secondary button--small">{move || locale.get().pick("指派", "Assign")}</button>
                </form>
            })}
            {match a.result {
                Some((tenths, spread, vetoed, passed)) if active > 0 => view! {
                    <p class="score-line" data-testid="panel-result">
                        {move || locale.get().pick("结果：", "Result: ")}<strong>{format!("{}.{}", tenths / 10, tenths % 10)}</strong>
                        {move || format!(" · {}{spread}", locale.get().pick("分差 ", "spread "))}
                        {vetoed.then(|| view! { " · " {move || locale.get().pick("触及否决项", "veto item breached")} })}
                        " · "<strong>{move || if passed { locale.get().pick("通过", "pass") } else { locale.get().pick("不通过", "fail") }}</strong>
                    </p>
                    <form method="post" action=format!("/panel/{id}/decide") class="wizard-nav">
                        <input type="hidden" name="category" value=category/>
                        <button class="button button--secondary" name="op" value="discuss" data-testid="discuss">{move || locale.get().pick("组织合议（重新开放评分）", "Call a discussion (reopen scores)")}</button>
                        <crate::forms::ConfirmSubmit
                            label=("确定评审结果", "Record the result")
                            question=("结果确定后评分关闭，通过的进入公示，未通过的进入半年整改期。确定？", "Once recorded, scoring closes: a pass goes on public notice, a fail starts six months of rectification. Record it?")
                            act=("确认评审结果", "Yes, record it")
                            testid="finalise"
                            name="op"
                            value="finalise"
                        />
                    </form>
                }.into_any(),
                _ => view! {
                    <p class="panel__lead">{move || if active == 0 {
                        locale.get().pick("尚未分配评审员。", "No reviewer assigned yet.").to_string()
                    } else {
                        format!("{}{waiting}", locale.get().pick("等待评分：", "Scores outstanding: "))
                    }}</p>
                }.into_any(),
            }}
        </li>
    }
}
