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
use domain::scoring::{Indicator, ItemKind, ItemScore, SetRules};
use domain::Category;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewerRow {
    pub assignment_id: i64,
    pub reviewer: String,
    pub status: String,
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
        let waiting_for = rows.iter().filter(|r| r.status == "assigned").count();
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
                    status: r.status.clone(),
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
fn outcome_of(a: &store::county::Assignment) -> Option<domain::scoring::Outcome> {
    (a.status == "scored").then(|| {
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
    let notice = move || query.with(|q| q.get("done"));
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
            {move || notice().map(|d| view! { <p class="alert alert--ok" role="status" data-testid="panel-done">{move || done_text(&d, locale.get())}</p> })}
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

fn done_text(code: &str, l: domain::Locale) -> &'static str {
    match code {
        "assigned" => l.pick("已分配评审员。", "Reviewers assigned."),
        "members" => l.pick("评审组已更新。", "The panel is updated."),
        "passed" => l.pick("已确定：评审通过。", "Recorded: passed."),
        "failed" => l.pick(
            "已确定：未通过，已进入整改。",
            "Recorded: not passed; rectification opened.",
        ),
        "rejected" => l.pick(
            "已确定：验收仍未通过，评审结束。",
            "Recorded: failed again; the review ends.",
        ),
        "discussion" => l.pick(
            "已发起合议：评分重新开放修改。",
            "Discussion called: the scores are open for revision.",
        ),
        "settings" => l.pick("评审设置已保存。", "Review settings saved."),
        _ => l.pick(
            "操作未完成，请刷新后重试。",
            "That did not go through; reload and try again.",
        ),
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
    let active = a.reviewers.iter().filter(|r| r.status != "recused").count();
    view! {
        <li class="review-card" data-testid=format!("panel-app-{id}")>
            <h3><a href=format!("/review/{id}")>{a.organisation_name.clone()}</a>
                {(round > 1).then(|| view! { <span class="badge badge--draft">{move || locale.get().pick("整改验收", "Acceptance after rectification")}</span> })}
            </h3>
            <div class="table-wrap" tabindex="0"><table class="table table--fit">
                <thead><tr><th>{move || locale.get().pick("评审员", "Reviewer")}</th><th>{move || locale.get().pick("状态", "Status")}</th><th>{move || locale.get().pick("总分", "Total")}</th></tr></thead>
                <tbody>
                    {a.reviewers.iter().map(|r| {
                        let status = r.status.clone();
                        let conflict = r.conflict.clone().and_then(|c| domain::panel::Conflict::parse(&c));
                        view! {
                            <tr data-testid="reviewer-row">
                                <td>{r.reviewer.clone()}</td>
                                <td>{move || match (status.as_str(), locale.get()) {
                                    ("scored", l) => l.pick("已评分", "Scored").to_string(),
                                    ("recused", l) => format!("{}{}", l.pick("已回避：", "Recused: "), conflict.map(|c| l.pick(c.name().0, c.name().1)).unwrap_or("")),
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

// ---- the reviewer's side ------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyAssignment {
    pub assignment_id: i64,
    pub application_id: i64,
    pub organisation_name: String,
    pub category: Category,
    pub status: String,
}

#[server(prefix = "/api", endpoint = "my_assignments")]
#[tracing::instrument(skip_all)]
pub async fn my_assignments() -> Result<Vec<MyAssignment>, AppError> {
    let user = crate::accounts::session::require_role(&[domain::Role::PanelMember])?;
    let store = crate::state::store()?;
    let mut out = Vec::new();
    for a in store.assignments_of_reviewer(user.account_id).await? {
        let Some(app) = store.application(a.application_id).await? else {
            continue;
        };
        out.push(MyAssignment {
            assignment_id: a.id,
            application_id: a.application_id,
            organisation_name: super::common::organisation_name(&store, app.organisation_id).await,
            category: Category::parse(&app.category_code).unwrap_or(Category::Unit),
            status: a.status,
        });
    }
    Ok(out)
}

#[component]
pub fn MyAssignmentsPage() -> impl IntoView {
    let locale = use_locale();
    let data = Resource::new_blocking(|| (), |_| my_assignments());
    view! {
        <Title text=move || format!("{} · {}", locale.get().pick("评审任务", "My reviews"), Msg::AppName.text(locale.get()))/>
        <section class="panel">
            <h1>{move || locale.get().pick("评审任务", "My reviews")}</h1>
            <p class="panel__lead">{move || locale.get().pick(
                "先声明有无利益冲突，再独立逐项评分。提交前看不到其他评审员的评分。",
                "Declare any conflict of interest first, then score every item on your own. Others' scores stay hidden until you submit yours."
            )}</p>
            <Suspense fallback=move || view! { <p>{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <crate::forms::PageError error=e/> }.into_any(),
                        Ok(items) if items.is_empty() => view! { <p class="empty" data-testid="no-assignments">{move || locale.get().pick("暂无评审任务。", "Nothing assigned to you.")}</p> }.into_any(),
                        Ok(items) => view! {
                            <ul class="app-list" data-testid="assignments">
                                {items.into_iter().map(|i| {
                                    let (zh, en) = i.category.name();
                                    let status = i.status.clone();
                                    view! {
                                        <li class="app-list__item">
                                            <a class="app-list__link" href=format!("/scoring/{}", i.assignment_id)>
                                                <span class="app-list__name">{i.organisation_name.clone()}</span>
                                            </a>
                                            <span class="app-list__meta">{move || locale.get().pick(zh, en)}" · "{move || match status.as_str() {
                                                "scored" => locale.get().pick("已提交评分", "Scored"),
                                                "recused" => locale.get().pick("已回避", "Recused"),
                                                _ => locale.get().pick("待评分", "To score"),
                                            }}</span>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScoringSheet {
    pub assignment_id: i64,
    pub status: String,
    pub data: crate::applications::WizardData,
    pub items: Vec<Indicator>,
    pub rules: SetRules,
    /// This reviewer's scores, as submitted (or as kept while a discussion reopened them).
    pub mine: Vec<Option<ItemScore>>,
    pub comment: String,
    /// Everyone's totals, only once this reviewer has submitted.
    pub others: Option<Vec<PanelScore>>,
    pub visits: Vec<(i64, String, String, String)>,
    pub visit_photos: Vec<(i64, String, String)>,
}

/// One reviewer's line as the others see it: (name, total, veto breached, status).
pub type PanelScore = (String, Option<i64>, bool, String);

#[server(prefix = "/api", endpoint = "scoring_sheet")]
#[tracing::instrument(skip_all)]
pub async fn fetch_scoring_sheet(assignment_id: i64) -> Result<ScoringSheet, AppError> {
    let user = crate::accounts::session::require_role(&[domain::Role::PanelMember])?;
    let store = crate::state::store()?;
    let mine = store
        .assignments_of_reviewer(user.account_id)
        .await?
        .into_iter()
        .find(|a| a.id == assignment_id)
        .ok_or(AppError::NotFound)?;
    let data =
        crate::applications::handlers::wizard_data_for(&store, &user, mine.application_id).await?;
    let scores: Vec<Option<ItemScore>> = mine
        .scores
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_else(|| vec![None; data.items.len()]);
    let others = if mine.status == "scored" {
        Some(
            store
                .assignments_of_application(mine.application_id, mine.round)
                .await?
                .into_iter()
                .map(|a| (a.reviewer_name, a.total, a.vetoed == Some(1), a.status))
                .collect(),
        )
    } else {
        None
    };
    let visit_photos = data
        .evidence
        .iter()
        .filter(|f| f.slot.starts_with("site."))
        .map(|f| (f.id, f.slot.clone(), f.name.clone()))
        .collect();
    Ok(ScoringSheet {
        assignment_id,
        status: mine.status,
        items: data.items.clone(),
        rules: data.rules,
        mine: scores,
        comment: mine.comment.unwrap_or_default(),
        others,
        visits: store.site_visits(mine.application_id).await?,
        visit_photos,
        data,
    })
}

#[component]
pub fn ScoringPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let id = move || {
        params
            .with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()))
            .unwrap_or(0)
    };
    let data = Resource::new_blocking(id, fetch_scoring_sheet);
    let query = use_query_map();
    let error = move || query.with(|q| q.get("error"));
    view! {
        <Title text=move || format!("{} · {}", locale.get().pick("评分", "Scoring"), Msg::AppName.text(locale.get()))/>
        <section class="panel wizard">
            <p><a href="/scoring">{move || locale.get().pick("← 返回评审任务", "← Back to my reviews")}</a></p>
            {move || error().map(|e| view! { <p class="alert alert--error" role="alert" data-testid="scoring-error">{move || scoring_error(&e, locale.get())}</p> })}
            <Suspense fallback=move || view! { <p>{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(s) => view! { <ScoringBody s=s/> }.into_any(),
                        Err(e) => view! { <crate::forms::PageError error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

fn scoring_error(code: &str, l: domain::Locale) -> String {
    if let Some(i) = code.strip_prefix("missing.") {
        return format!(
            "{}{}{}",
            l.pick("第 ", "Item "),
            i.parse::<usize>().map(|n| n + 1).unwrap_or(0),
            l.pick(
                " 项尚未评分：每一项都要评分后才能提交。",
                " has no score: score every item before submitting."
            )
        );
    }
    if let Some(i) = code.strip_prefix("above.") {
        return format!(
            "{}{}{}",
            l.pick("第 ", "Item "),
            i.parse::<usize>().map(|n| n + 1).unwrap_or(0),
            l.pick(
                " 项的得分超过了该项满分，请改为不超过满分的整数。",
                " is scored above its maximum: enter a whole number up to the maximum."
            )
        );
    }
    match code {
        "conflict" => l.pick(
            "请选择利益冲突的类型。",
            "Choose what kind of conflict it is.",
        ),
        "visit" => l.pick("请填写现场核查记录。", "Write the on-site note."),
        _ => l.pick(
            "操作未完成：此任务可能已提交或已回避，请刷新。",
            "That did not go through: the task may be scored or recused already; reload.",
        ),
    }
    .to_string()
}

#[component]
fn ScoringBody(s: ScoringSheet) -> impl IntoView {
    let locale = use_locale();
    let aid = s.assignment_id;
    let open = s.status == "assigned";
    let query = use_query_map();
    // Values a refused submission sent back, so nothing typed is lost.
    let kept = move |i: usize| query.with_untracked(|q| q.get(&format!("v.{i}")));
    let data = s.data.clone();
    view! {
        <h1>{data.organisation_name.clone()}</h1>
        // The application in full, folded so that the scoring sheet is near on a phone.
        <details class="reading" open=false>
            <summary>{move || locale.get().pick("申报材料全文与自查结果", "The application in full, with its self-check")}</summary>
            <crate::applications::wizard::SelfCheckPanel data=data.clone()/>
            <crate::applications::wizard::ApplicationSummary data=data.clone() edit_links=false/>
        </details>
        <section class="summary">
            <h2>{move || locale.get().pick("证明材料", "Evidence")}</h2>
            <ul class="files">
                {data.evidence.iter().map(|f| view! {
                    <li class="files__item"><a href=format!("/files/{}", f.id) target="_blank" rel="noopener">{f.name.clone()}</a></li>
                }).collect_view()}
            </ul>
        </section>
        <section class="summary" id="visit">
            <h2>{move || locale.get().pick("现场核查", "On-site inspection")}</h2>
            <ul class="files" data-testid="visits">
                {s.visits.iter().map(|(vid, who, note, when)| {
                    let photos: Vec<_> = s.visit_photos.iter().filter(|(_, slot, _)| *slot == format!("site.{vid}")).cloned().collect();
                    view! {
                        <li class="files__item"><span>{format!("{who} · {} · {note}", crate::format::short_time(when))}</span>
                            {photos.into_iter().map(|(fid, _, name)| view! { " " <a href=format!("/files/{fid}") target="_blank" rel="noopener">{name}</a> }).collect_view()}
                        </li>
                    }
                }).collect_view()}
            </ul>
            {open.then(|| view! {
                <form method="post" action=format!("/scoring/{aid}/visit") enctype="multipart/form-data" class="decision">
                    <label>{move || locale.get().pick("现场核查记录", "On-site note")}<textarea name="note" rows="2" maxlength="1000"></textarea></label>
                    <label>{move || locale.get().pick("照片（可用手机拍摄）", "Photo (take it with your phone)")}<input type="file" name="file" accept="image/*" capture="environment"/></label>
                    <button class="button button--secondary">{move || locale.get().pick("添加现场记录", "Add the note")}</button>
                </form>
            })}
        </section>
        {open.then(|| view! {
            <form method="post" action=format!("/scoring/{aid}/recuse") class="decision" data-testid="conflict-form">
                <fieldset>
                    <legend>{move || locale.get().pick("利益冲突声明：如有下列情形，请回避本申报", "Conflict of interest: if any applies, step aside from this application")}</legend>
                    {domain::panel::Conflict::ALL.into_iter().map(|c| {
                        let (zh, en) = c.name();
                        view! { <label class="check"><input type="radio" name="conflict" value=c.code()/><span>{move || locale.get().pick(zh, en)}</span></label> }
                    }).collect_view()}
                    <label>{move || locale.get().pick("说明（选填）", "Details (optional)")}<input type="text" name="note" maxlength="200"/></label>
                </fieldset>
                <crate::forms::ConfirmSubmit
                    label=("声明冲突并回避", "Declare the conflict and step aside")
                    question=("回避后您不能再为本申报评分，已填的分数不计入结果。确定回避？", "Once you step aside you can no longer score this application, and nothing you entered counts. Step aside?")
                    act=("确认回避", "Yes, step aside")
                    testid="recuse"
                />
            </form>
        })}
        <form method="post" action=format!("/scoring/{aid}/submit") class="decision" data-testid="score-form">
            <fieldset disabled=!open>
                <legend>{move || locale.get().pick("逐项评分", "Score every item")}</legend>
                <ol class="score-items">
                    {s.items.iter().enumerate().map(|(i, item)| {
                        let given = kept(i).or_else(|| s.mine.get(i).copied().flatten().map(|g| match g {
                            ItemScore::Points(p) => p.to_string(),
                            ItemScore::VetoBreached => "breached".into(),
                            ItemScore::VetoHolds => "holds".into(),
                        })).unwrap_or_default();
                        let (zh, en) = (item.text_zh.clone(), item.text_en.clone());
                        let max = item.max_points;
                        view! {
                            <li class="score-item">
                                <span class="score-item__text">{move || locale.get().pick(&zh, &en).to_string()}</span>
                                {match item.kind {
                                    ItemKind::Veto => view! {
                                        <span class="score-item__veto">
                                            <label class="check"><input type="radio" name=format!("item.{i}") value="holds" checked=given == "holds"/><span>{move || locale.get().pick("未触及", "Holds")}</span></label>
                                            <label class="check"><input type="radio" name=format!("item.{i}") value="breached" checked=given == "breached"/><span>{move || locale.get().pick("触及否决", "Breached")}</span></label>
                                        </span>
                                    }.into_any(),
                                    kind => view! {
                                        <label class="score-item__points">
                                            <input type="number" name=format!("item.{i}") min="0" max=max inputmode="numeric" value=given.clone() aria-label=format!("{} / {max}", i + 1)/>
                                            {move || format!("/ {max}{}", if kind == ItemKind::Bonus { locale.get().pick("（加分）", " (bonus)") } else { "" })}
                                        </label>
                                    }.into_any(),
                                }}
                            </li>
                        }
                    }).collect_view()}
                </ol>
                <label>{move || locale.get().pick("评审意见（选填）", "Comment (optional)")}<textarea name="comment" rows="2" maxlength="1000">{crate::forms::textarea_text(&s.comment)}</textarea></label>
                <p class="panel__lead">{move || format!("{}{}{}", locale.get().pick("加分项合计最多 ", "Bonus points count up to "), s.rules.bonus_cap, locale.get().pick(" 分；达到 ", "; the pass mark is "))}{s.rules.pass_score}{move || locale.get().pick(" 分为通过。", ".")}</p>
                {open.then(|| view! { <button class="button" data-testid="submit-scores">{move || locale.get().pick("提交评分", "Submit my scores")}</button> })}
            </fieldset>
        </form>
        {s.others.map(|others| view! {
            <section class="summary" data-testid="others">
                <h2>{move || locale.get().pick("评审组评分", "The panel's scores")}</h2>
                <div class="table-wrap" tabindex="0"><table class="table table--fit"><tbody>
                    {others.into_iter().map(|(name, total, vetoed, status)| view! {
                        <tr><td>{name}</td><td>{if status == "recused" { "—".to_string() } else { total.map(|t| t.to_string()).unwrap_or_else(|| "…".into()) }}{vetoed.then_some(" ⚠")}</td></tr>
                    }).collect_view()}
                </tbody></table></div>
            </section>
        })}
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::super::common::{self, field, staff, text};
    use super::*;
    use crate::accounts::session::ClientAddr;
    use crate::accounts::CurrentUser;
    use crate::state::AppState;
    use axum::extract::{Multipart, Path, State};
    use axum::response::{IntoResponse, Redirect, Response};
    use axum::{Extension, Form};
    use domain::Role;

    type Posted = Form<Vec<(String, String)>>;

    fn back(category: &str, done: &str) -> Response {
        Redirect::to(&format!(
            "/panel?category={}&done={done}",
            common::q(category)
        ))
        .into_response()
    }

    pub async fn members(
        State(state): State<AppState>,
        user: Option<Extension<CurrentUser>>,
        addr: Option<Extension<ClientAddr>>,
        Form(p): Posted,
    ) -> Response {
        let Some(user) = staff(user, &[Role::CountyOffice]) else {
            return Redirect::to("/login").into_response();
        };
        let cat = field(&p, "category");
        let (Ok(batch), Ok(account), Some(category)) = (
            field(&p, "batch").parse::<i64>(),
            field(&p, "account").parse::<i64>(),
            Category::parse(&cat),
        ) else {
            return back(&cat, "error");
        };
        let store = &state.store;
        let reviewer = store
            .account(account)
            .await
            .ok()
            .flatten()
            .filter(|a| a.role == Role::PanelMember.code());
        if reviewer.is_none() {
            return back(&cat, "error");
        }
        let add = field(&p, "op") == "add";
        let done = if add {
            store
                .add_panel_member(batch, category.code(), account)
                .await
                .map(|_| ())
        } else {
            store
                .remove_panel_member(batch, category.code(), account)
                .await
        };
        if done.is_err() {
            return back(&cat, "error");
        }
        let _ = common::audit(
            store,
            &user,
            common::addr(&addr),
            if add {
                "panel.member_add"
            } else {
                "panel.member_remove"
            },
            format!("batch:{batch}"),
            format!("{} account {account}", category.code()),
        )
        .await;
        back(&cat, "members")
    }

    pub async fn settings(
        State(state): State<AppState>,
        user: Option<Extension<CurrentUser>>,
        addr: Option<Extension<ClientAddr>>,
        Form(p): Posted,
    ) -> Response {
        let Some(user) = staff(user, &[Role::CountyOffice]) else {
            return Redirect::to("/login").into_response();
        };
        let cat = field(&p, "category");
        let (Some(method), Ok(per)) = (
            domain::panel::Aggregate::parse(&field(&p, "method")),
            field(&p, "per_application").parse::<u32>(),
        ) else {
            return back(&cat, "error");
        };
        let store = &state.store;
        let per = per.clamp(1, 9);
        if store
            .set_setting(common::AGGREGATE, method.code())
            .await
            .is_err()
            || store
                .set_setting(common::REVIEWERS_PER_APPLICATION.0, &per.to_string())
                .await
                .is_err()
        {
            return back(&cat, "error");
        }
        let _ = common::audit(
            store,
            &user,
            common::addr(&addr),
            "panel.settings",
            "settings".into(),
            format!("{} {per}", method.code()),
        )
        .await;
        back(&cat, "settings")
    }

    /// Automatic (a batch and category) or by hand (one application and reviewer).
    pub async fn assign(
        State(state): State<AppState>,
        user: Option<Extension<CurrentUser>>,
        addr: Option<Extension<ClientAddr>>,
        Form(p): Posted,
    ) -> Response {
        let Some(user) = staff(user, &[Role::CountyOffice]) else {
            return Redirect::to("/login").into_response();
        };
        let cat = field(&p, "category");
        match assign_inner(&state, &user, &p).await {
            Ok(n) => {
                let _ = common::audit(
                    &state.store,
                    &user,
                    common::addr(&addr),
                    "panel.assign",
                    format!("category:{cat}"),
                    format!("{n} assignments"),
                )
                .await;
                back(&cat, "assigned")
            }
            Err(e) => {
                tracing::warn!(error = ?e, "assignment refused");
                back(&cat, "error")
            }
        }
    }

    async fn assign_inner(
        state: &AppState,
        user: &CurrentUser,
        p: &[(String, String)],
    ) -> Result<usize, AppError> {
        let store = &state.store;
        let _ = user;
        if let (Ok(app_id), Ok(reviewer)) = (
            field(p, "application").parse::<i64>(),
            field(p, "reviewer").parse::<i64>(),
        ) {
            let app = store.application(app_id).await?.ok_or(AppError::NotFound)?;
            if app.state != "county_review" {
                return Err(AppError::BadRequest);
            }
            let on_panel = store
                .panel_members(app.batch_id, &app.category_code)
                .await?
                .iter()
                .any(|m| m.account_id == reviewer);
            if !on_panel {
                return Err(AppError::BadRequest);
            }
            let round = store.current_round(app_id).await?;
            let added = store.assign_reviewer(app_id, round, reviewer).await?;
            if added {
                notify_assigned(store, reviewer).await;
            }
            return Ok(usize::from(added));
        }
        let batch: i64 = field(p, "batch")
            .parse()
            .map_err(|_| AppError::BadRequest)?;
        let category = Category::parse(&field(p, "category")).ok_or(AppError::BadRequest)?;
        let members: Vec<i64> = store
            .panel_members(batch, category.code())
            .await?
            .iter()
            .map(|m| m.account_id)
            .collect();
        let per = common::setting_u32(store, common::REVIEWERS_PER_APPLICATION).await? as usize;
        let mut apps = Vec::new();
        let mut excluded = Vec::new();
        for a in store.county_review_queue(batch).await? {
            if a.category_code != category.code() {
                continue;
            }
            let round = store.current_round(a.id).await?;
            let rows = store.assignments_of_application(a.id, round).await?;
            // Anyone who already has (or stepped aside from) this round is not picked again.
            excluded.extend(rows.iter().map(|r| (a.id, r.reviewer_id)));
            apps.push((
                (a.id, rows.iter().filter(|r| r.status != "recused").count()),
                round,
            ));
        }
        let load = store.reviewer_loads(batch).await?;
        let plan = domain::panel::balanced_assignment(
            &apps.iter().map(|(a, _)| *a).collect::<Vec<_>>(),
            &members,
            &load,
            &excluded,
            per,
        );
        let mut n = 0;
        for (app, reviewer) in plan {
            let round = apps
                .iter()
                .find(|((id, _), _)| *id == app)
                .map(|(_, r)| *r)
                .unwrap_or(1);
            if store.assign_reviewer(app, round, reviewer).await? {
                notify_assigned(store, reviewer).await;
                n += 1;
            }
        }
        Ok(n)
    }

    async fn notify_assigned(store: &store::Store, reviewer: i64) {
        common::notify_account(
            store,
            reviewer,
            "您有新的县级评审任务。",
            "You have a new application to score.",
            "/scoring",
        )
        .await;
    }

    /// Record the result, or call a discussion.
    pub async fn decide(
        State(state): State<AppState>,
        Path(id): Path<i64>,
        user: Option<Extension<CurrentUser>>,
        addr: Option<Extension<ClientAddr>>,
        Form(p): Posted,
    ) -> Response {
        let Some(user) = staff(user, &[Role::CountyOffice]) else {
            return Redirect::to("/login").into_response();
        };
        let cat = field(&p, "category");
        match decide_inner(&state, &user, common::addr(&addr), id, &field(&p, "op")).await {
            Ok(done) => back(&cat, done),
            Err(e) => {
                tracing::warn!(error = ?e, "panel decision refused");
                back(&cat, "error")
            }
        }
    }

    async fn decide_inner(
        state: &AppState,
        user: &CurrentUser,
        addr: String,
        id: i64,
        op: &str,
    ) -> Result<&'static str, AppError> {
        use domain::lifecycle::{next, Action, Facts, State as S};
        let store = &state.store;
        let app = store.application(id).await?.ok_or(AppError::NotFound)?;
        if app.state != "county_review" {
            return Err(AppError::BadRequest);
        }
        let round = store.current_round(id).await?;
        let rows = store.assignments_of_application(id, round).await?;
        if op == "discuss" {
            let n = store.reopen_scores(id, round).await?;
            for r in rows.iter().filter(|r| r.status == "scored") {
                common::notify_account(
                    store,
                    r.reviewer_id,
                    "县评审办已组织合议：请复核您的评分后重新提交。",
                    "The office called a discussion: review your scores and submit again.",
                    &format!("/scoring/{}", r.id),
                )
                .await;
            }
            common::audit(
                store,
                user,
                addr,
                "panel.discussion",
                format!("application:{id}"),
                format!("round {round}, {n} scores reopened"),
            )
            .await?;
            return Ok("discussion");
        }
        if rows.iter().any(|r| r.status == "assigned") {
            return Err(AppError::BadRequest);
        }
        let outcomes: Vec<_> = rows.iter().filter_map(outcome_of).collect();
        let set = store
            .indicator_set_by_id(app.indicator_set_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let method = common::aggregate(store).await?;
        let result = domain::panel::combine(&outcomes, method, set.rules.pass_score)
            .ok_or(AppError::BadRequest)?;
        let failed_before = round > 1;
        let action = if result.passed {
            Action::PanelPass
        } else {
            Action::PanelFail
        };
        let to = next(
            S::CountyReview,
            action,
            &Facts {
                failed_before,
                ..Default::default()
            },
        )
        .map_err(|e| AppError::internal(format!("lifecycle refused {action:?}: {e}")))?;
        let today = common::today(store).await;
        let items: Vec<(ItemKind, u32)> =
            set.items.iter().map(|i| (i.kind, i.max_points)).collect();
        let scores: Vec<Vec<Option<ItemScore>>> = rows
            .iter()
            .filter(|r| r.status == "scored")
            .filter_map(|r| {
                r.scores
                    .as_deref()
                    .and_then(|s| serde_json::from_str(s).ok())
            })
            .collect();
        let todos: Vec<serde_json::Value> = domain::panel::failed_items(&items, &scores)
            .into_iter()
            .map(|i| serde_json::json!({"index": i, "zh": set.items[i].text_zh, "en": set.items[i].text_en}))
            .collect();
        let todos = serde_json::to_string(&todos).map_err(AppError::internal)?;
        let months = common::setting_u32(store, common::RECTIFICATION_MONTHS).await?;
        let opened = today.format("%Y-%m-%d").to_string();
        let due = domain::notice::rectification_due(today, months)
            .format("%Y-%m-%d")
            .to_string();
        let rectify = to == S::Rectifying;
        let score = format!("{}.{}", result.score_tenths / 10, result.score_tenths % 10);
        let event = common::audit_event(
            user,
            addr,
            "panel.result",
            format!("application:{id}"),
            format!(
                "round {round} {} {score} spread {}",
                method.code(),
                result.spread
            ),
        );
        let recorded = store
            .record_panel_result(
                &store::county::NewPanelResult {
                    application_id: id,
                    round,
                    method: method.code(),
                    score_tenths: i64::from(result.score_tenths),
                    spread: i64::from(result.spread),
                    vetoed: result.vetoed,
                    passed: result.passed,
                    decided_by: user.account_id,
                    rectification: rectify.then_some((
                        opened.as_str(),
                        due.as_str(),
                        todos.as_str(),
                    )),
                },
                &event,
            )
            .await?;
        if !recorded {
            return Err(AppError::BadRequest);
        }
        let (zh, en, done) = match to {
            S::Passed => (format!("您的申报通过县级评审（{score} 分），将进入公示。"), format!("Your application passed the county review ({score}); it goes on public notice next."), "passed"),
            S::Rectifying => (format!("您的申报未通过县级评审（{score} 分），请在 {due} 前完成整改。"), format!("Your application did not pass ({score}). Rectify by {due}."), "failed"),
            _ => (format!("您的申报整改验收未通过（{score} 分），本批次评审结束。"), format!("Your application failed its acceptance ({score}); the review ends for this batch."), "rejected"),
        };
        let link = if rectify {
            format!("/rectification/{id}")
        } else {
            "/apply".to_string()
        };
        common::notify_org(store, app.organisation_id, &zh, &en, &link).await;
        Ok(done)
    }

    fn sheet_back(aid: i64, error: &str) -> Response {
        Redirect::to(&format!("/scoring/{aid}?error={error}")).into_response()
    }

    pub async fn recuse(
        State(state): State<AppState>,
        Path(aid): Path<i64>,
        user: Option<Extension<CurrentUser>>,
        addr: Option<Extension<ClientAddr>>,
        Form(p): Posted,
    ) -> Response {
        let Some(user) = staff(user, &[Role::PanelMember]) else {
            return Redirect::to("/login").into_response();
        };
        let Some(conflict) = domain::panel::Conflict::parse(&field(&p, "conflict")) else {
            return sheet_back(aid, "conflict");
        };
        let store = &state.store;
        let note = text(&p, "note", 200);
        let Ok(Some(a)) = store
            .assignments_of_reviewer(user.account_id)
            .await
            .map(|v| v.into_iter().find(|a| a.id == aid))
        else {
            return sheet_back(aid, "state");
        };
        match store
            .recuse(
                aid,
                user.account_id,
                conflict.code(),
                &note,
                &common::audit_event(
                    &user,
                    common::addr(&addr),
                    "panel.recusal",
                    format!("application:{}", a.application_id),
                    format!("{} {note}", conflict.code()),
                ),
            )
            .await
        {
            Ok(true) => Redirect::to("/scoring?recused=1").into_response(),
            _ => sheet_back(aid, "state"),
        }
    }

    pub async fn submit(
        State(state): State<AppState>,
        Path(aid): Path<i64>,
        user: Option<Extension<CurrentUser>>,
        addr: Option<Extension<ClientAddr>>,
        Form(p): Posted,
    ) -> Response {
        let Some(user) = staff(user, &[Role::PanelMember]) else {
            return Redirect::to("/login").into_response();
        };
        let store = &state.store;
        let Ok(Some(a)) = store
            .assignments_of_reviewer(user.account_id)
            .await
            .map(|v| v.into_iter().find(|a| a.id == aid))
        else {
            return sheet_back(aid, "state");
        };
        let Ok(Some(app)) = store.application(a.application_id).await else {
            return sheet_back(aid, "state");
        };
        let Ok(Some(set)) = store.indicator_set_by_id(app.indicator_set_id).await else {
            return sheet_back(aid, "state");
        };
        let raw: Vec<String> = (0..set.items.len())
            .map(|i| field(&p, &format!("item.{i}")))
            .collect();
        let scores: Vec<Option<ItemScore>> = set
            .items
            .iter()
            .zip(&raw)
            .map(|(item, v)| match (item.kind, v.as_str()) {
                (_, "") => None,
                (ItemKind::Veto, "breached") => Some(ItemScore::VetoBreached),
                (ItemKind::Veto, "holds") => Some(ItemScore::VetoHolds),
                (_, v) => Some(
                    v.parse::<u32>()
                        .map(ItemScore::Points)
                        .unwrap_or(ItemScore::Points(u32::MAX)),
                ),
            })
            .collect();
        let items: Vec<(ItemKind, u32)> =
            set.items.iter().map(|i| (i.kind, i.max_points)).collect();
        let kept: String = raw
            .iter()
            .enumerate()
            .map(|(i, v)| format!("&v.{i}={}", common::q(v)))
            .collect();
        let outcome = match domain::scoring::score(&items, &scores, &set.rules) {
            Ok(o) => o,
            Err(e) => {
                let code = match e {
                    domain::scoring::ScoreError::Missing(i) => format!("missing.{i}"),
                    domain::scoring::ScoreError::AboveMaximum(i)
                    | domain::scoring::ScoreError::WrongKind(i) => format!("above.{i}"),
                };
                return Redirect::to(&format!("/scoring/{aid}?error={code}{kept}#score-form"))
                    .into_response();
            }
        };
        let Ok(json) = serde_json::to_string(&scores) else {
            return sheet_back(aid, "state");
        };
        match store
            .submit_scores(
                aid,
                user.account_id,
                &json,
                i64::from(outcome.total),
                outcome.vetoed,
                &text(&p, "comment", 1000),
                &common::audit_event(
                    &user,
                    common::addr(&addr),
                    "panel.score",
                    format!("application:{}", a.application_id),
                    format!(
                        "total {}{}",
                        outcome.total,
                        if outcome.vetoed { " veto" } else { "" }
                    ),
                ),
            )
            .await
        {
            Ok(true) => Redirect::to(&format!("/scoring/{aid}?scored=1")).into_response(),
            _ => sheet_back(aid, "state"),
        }
    }

    /// An on-site note, with a photo when one is attached.
    pub async fn visit(
        State(state): State<AppState>,
        Path(aid): Path<i64>,
        user: Option<Extension<CurrentUser>>,
        addr: Option<Extension<ClientAddr>>,
        multipart: Multipart,
    ) -> Response {
        let Some(user) = staff(user, &[Role::PanelMember]) else {
            return Redirect::to("/login").into_response();
        };
        let store = &state.store;
        let Ok(Some(a)) = store
            .assignments_of_reviewer(user.account_id)
            .await
            .map(|v| {
                v.into_iter()
                    .find(|a| a.id == aid && a.status == "assigned")
            })
        else {
            return sheet_back(aid, "state");
        };
        let Ok(upload) = crate::applications::handlers::read_upload(store, multipart).await else {
            return sheet_back(aid, "upload");
        };
        let note: String = upload.field("note").chars().take(1000).collect();
        if note.trim().is_empty() {
            return sheet_back(aid, "visit");
        }
        let Ok(visit) = store
            .add_site_visit(a.application_id, user.account_id, note.trim())
            .await
        else {
            return sheet_back(aid, "state");
        };
        if upload.file.is_some() {
            if let Err(e) = crate::applications::handlers::keep_upload(
                &state,
                &user,
                a.application_id,
                &format!("site.{visit}"),
                upload,
            )
            .await
            {
                tracing::warn!(?e, "site photo not kept");
                return sheet_back(aid, "upload");
            }
        }
        let _ = common::audit(
            store,
            &user,
            common::addr(&addr),
            "panel.site_visit",
            format!("application:{}", a.application_id),
            note.chars().take(60).collect(),
        )
        .await;
        Redirect::to(&format!("/scoring/{aid}#visit")).into_response()
    }
}
