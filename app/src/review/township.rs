//! Township pre-review (乡镇初审): a township reviewer's queue of submitted applications,
//! the application read in full, a checklist, comments per step, and the decision —
//! return with reasons (the applicant sees them on the steps concerned) or pass to the
//! county with a recommendation.

use crate::applications::{load_wizard, WizardData};
use crate::errors::AppError;
use crate::i18n::{t, use_locale, Msg};
use crate::layout::Title;
use domain::application::Step;
use domain::Locale;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

/// What a township checks before passing an application on.
pub const CHECKLIST: &[(&str, (&str, &str))] = &[
    ("materials", ("申报材料齐全、真实", "The materials are complete and true")),
    ("licence", ("统一社会信用代码与营业执照（登记证书）一致", "The credit code matches the licence or certificate")),
    ("credit", ("已查询信用中国和国家企业信用信息公示系统，无严重违法失信记录", "Checked Credit China and the enterprise credit system: no serious dishonesty on record")),
    ("premises", ("已实地查看经营场所", "The premises were visited")),
];

/// The steps a reviewer can comment on.
pub const COMMENTABLE: [Step; 6] = [
    Step::Identity,
    Step::Facts,
    Step::Pledge,
    Step::Declaration,
    Step::Evidence,
    Step::SelfAssessment,
];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueItem {
    pub id: i64,
    pub organisation_name: String,
    pub category: domain::Category,
    pub submitted_at: String,
    pub resubmitted: bool,
}

#[server(prefix = "/api", endpoint = "township_queue")]
#[tracing::instrument(skip_all)]
pub async fn township_queue() -> Result<Vec<QueueItem>, AppError> {
    let user = crate::accounts::session::require_role(&[domain::Role::TownshipReviewer])?;
    let store = crate::state::store()?;
    let mut out = Vec::new();
    for a in store.township_queue(&user.area_code).await? {
        let name = store
            .organisation(a.organisation_id)
            .await?
            .map(|o| o.name)
            .unwrap_or_default();
        let resubmitted = !store.township_reviews_of(a.id).await?.is_empty();
        out.push(QueueItem {
            id: a.id,
            organisation_name: name,
            category: domain::Category::parse(&a.category_code).unwrap_or(domain::Category::Unit),
            submitted_at: a.submitted_at.unwrap_or_default(),
            resubmitted,
        });
    }
    Ok(out)
}

#[component]
pub fn TownshipQueuePage() -> impl IntoView {
    let locale = use_locale();
    let queue = Resource::new_blocking(|| (), |_| township_queue());
    let query = use_query_map();
    let decided = move || query.with(|q| q.get("decided"));
    view! {
        <Title text=move || format!("{} · {}", locale.get().pick("乡镇初审", "Township pre-review"), Msg::AppName.text(locale.get()))/>
        <section class="panel">
            <h1>{move || locale.get().pick("乡镇初审", "Township pre-review")}</h1>
            <p class="panel__lead">{move || locale.get().pick(
                "本乡镇已提交的申报，按提交先后排列。逐项核查后，退回修改或推荐至县级评审。",
                "Applications submitted in your township, oldest first. Check each, then return it for changes or recommend it to the county."
            )}</p>
            {move || decided().map(|d| view! {
                <p class="alert alert--ok" role="status" data-testid="review-decided">{move || match (d.as_str(), locale.get()) {
                    ("return", Locale::ZhCn) => "已退回申报单位修改。",
                    ("return", Locale::En) => "Returned to the applicant for changes.",
                    (_, Locale::ZhCn) => "已推荐至县级评审。",
                    (_, Locale::En) => "Recommended to the county review.",
                }}</p>
            })}
            <Suspense fallback=move || view! { <p>{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match queue.await {
                        Err(e) => view! { <crate::forms::PageError error=e/> }.into_any(),
                        Ok(items) if items.is_empty() => view! {
                            <p class="empty" data-testid="queue-empty">{move || locale.get().pick("暂无待初审的申报。", "Nothing waiting for pre-review.")}</p>
                        }.into_any(),
                        Ok(items) => view! {
                            <ul class="app-list" data-testid="review-queue">
                                {items.into_iter().map(|i| {
                                    let (czh, cen) = i.category.name();
                                    view! {
                                        <li class="app-list__item">
                                            <a class="app-list__link" href=format!("/review/{}", i.id)>
                                                <span class="app-list__name">{i.organisation_name.clone()}</span>
                                                {i.resubmitted.then(|| view! { <span class="badge badge--draft">{move || locale.get().pick("修改后重新提交", "Resubmitted")}</span> })}
                                            </a>
                                            <span class="app-list__meta">
                                                {move || locale.get().pick(czh, cen).to_string()}" · "{crate::format::short_time(&i.submitted_at)}
                                            </span>
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

#[component]
pub fn TownshipReviewPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let id = move || {
        params
            .with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()))
            .unwrap_or(0)
    };
    let data = Resource::new_blocking(id, load_wizard);
    let query = use_query_map();
    let error = move || query.with(|q| q.get("error"));
    view! {
        <Title text=move || format!("{} · {}", locale.get().pick("乡镇初审", "Township pre-review"), Msg::AppName.text(locale.get()))/>
        <section class="panel wizard">
            <p><a href="/review">{move || locale.get().pick("← 返回初审列表", "← Back to the queue")}</a></p>
            {move || error().map(|_| view! {
                <p class="alert alert--error" role="alert" data-testid="review-error">{move || locale.get().pick(
                    "请填写初审意见（退回时写明原因）；若此申报已由他人处理，请返回列表刷新。",
                    "Write the opinion (the reasons, when returning); if someone else has decided meanwhile, go back to the queue."
                )}</p>
            })}
            <Suspense fallback=move || view! { <p>{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(d) => view! { <ReviewDetail data=d/> }.into_any(),
                        Err(e) => view! { <crate::forms::PageError error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn ReviewDetail(data: WizardData) -> impl IntoView {
    let locale = use_locale();
    let (czh, cen) = data.category.name();
    let waiting = data.state == domain::lifecycle::State::Submitted;
    let id = data.id;
    let evidence = data.evidence.clone();
    view! {
        <h1>{data.organisation_name.clone()}</h1>
        <p class="panel__lead">
            {move || locale.get().pick(czh, cen).to_string()}
            {data.submitted_at.clone().map(|s| format!(" · {}", crate::format::short_time(&s)))}
        </p>
        {data.returned.clone().map(|r| view! {
            <p class="alert">{move || locale.get().pick("上次退回意见：", "Last returned with: ")}{r.summary.clone()}</p>
        })}
        <crate::applications::wizard::SelfCheckPanel data=data.clone()/>
        <crate::applications::wizard::ApplicationSummary data=data.clone() edit_links=false/>
        <section class="summary">
            <h2>{move || locale.get().pick("证明材料", "Evidence")}</h2>
            <ul class="files">
                {evidence.into_iter().map(|f| view! {
                    <li class="files__item"><a href=format!("/files/{}", f.id) target="_blank" rel="noopener">{f.name.clone()}</a>
                    <span class="files__size">{crate::applications::text::size(f.size_bytes)}</span></li>
                }).collect_view()}
            </ul>
        </section>
        {waiting.then(|| view! {
            <form method="post" action=format!("/review/{id}/decide") class="decision" data-testid="decision-form">
                <fieldset class="decision__checklist">
                    <legend>{move || locale.get().pick("初审核查", "Checklist")}</legend>
                    {CHECKLIST.iter().map(|(code, (zh, en))| view! {
                        <label class="check"><input type="checkbox" name=format!("check.{code}")/><span>{move || locale.get().pick(zh, en)}</span></label>
                    }).collect_view()}
                </fieldset>
                <fieldset class="decision__comments">
                    <legend>{move || locale.get().pick("分项意见（选填，退回时申报单位在对应步骤看到）", "Comments per step (optional; on a return the applicant sees them on that step)")}</legend>
                    {COMMENTABLE.into_iter().map(|s| {
                        let (zh, en) = s.title();
                        view! {
                            <label class="decision__comment">{move || locale.get().pick(zh, en)}
                                <textarea name=format!("comment.{}", s.code()) rows="2" maxlength="500"></textarea>
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
                <label class="decision__summary">{move || locale.get().pick("初审意见（必填：推荐理由或退回原因）", "Opinion (required: why you recommend it, or why it goes back)")}
                    <textarea name="summary" rows="3" maxlength="1000" required></textarea>
                </label>
                <div class="wizard-nav">
                    <button type="submit" name="decision" value="return" class="button button--secondary" data-testid="return">{move || locale.get().pick("退回修改", "Return for changes")}</button>
                    <button type="submit" name="decision" value="pass" class="button" data-testid="pass">{move || locale.get().pick("推荐至县级评审", "Recommend to the county")}</button>
                </div>
            </form>
        })}
        {(!waiting).then(|| {
            let (zh, en) = crate::applications::state_text(data.state);
            view! { <p class="alert alert--ok" data-testid="review-state">{move || locale.get().pick(zh, en)}</p> }
        })}
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::*;
    use crate::review::common::{Staff, TownshipReviewer};
    use crate::state::AppState;
    use crate::usecases::township::{decide as decide_review, TownshipDecision, TownshipOutcome};
    use crate::usecases::Actor;
    use axum::extract::{Path, State};
    use axum::response::{IntoResponse, Redirect, Response};
    use axum::Form;
    use store::reviews::Decision;

    pub async fn decide(
        State(state): State<AppState>,
        Path(id): Path<i64>,
        Staff { user, addr, .. }: Staff<TownshipReviewer>,
        Form(posted): Form<Vec<(String, String)>>,
    ) -> Response {
        let back = format!("/review/{id}");
        let Some(input) = decision_of(id, &posted) else {
            return Redirect::to(&format!("{back}?error=1")).into_response();
        };
        match decide_review(&state.store, &Actor::new(user, addr), &input).await {
            Ok(TownshipOutcome::Decided(decision)) => {
                Redirect::to(&format!("/review?decided={}", decision.code())).into_response()
            }
            Ok(TownshipOutcome::NoSummary | TownshipOutcome::NotWaiting) => {
                Redirect::to(&format!("{back}?error=1")).into_response()
            }
            Err(e) => {
                tracing::warn!(error = ?e, "township decision not recorded");
                Redirect::to(&format!("{back}?error=1")).into_response()
            }
        }
    }

    /// The posted form as the use case's input; None without a known decision.
    fn decision_of(id: i64, posted: &[(String, String)]) -> Option<TownshipDecision> {
        let get = |k: &str| {
            posted
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.trim().to_string())
                .unwrap_or_default()
        };
        Some(TownshipDecision {
            application_id: id,
            decision: Decision::parse(&get("decision"))?,
            summary: get("summary"),
            checklist: CHECKLIST
                .iter()
                .map(|(code, _)| (*code, get(&format!("check.{code}")) == "on"))
                .collect(),
            comments: COMMENTABLE
                .iter()
                .map(|s| {
                    let comment = get(&format!("comment.{}", s.code()));
                    (s.code(), comment.chars().take(500).collect::<String>())
                })
                .filter(|(_, c)| !c.is_empty())
                .collect(),
        })
    }
}
