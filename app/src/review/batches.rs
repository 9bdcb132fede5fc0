//! Campaign batches (创建批次): the county office plans a batch with its application and
//! review windows, edits its indicator sets while it is planned, opens it for
//! applications and closes it. Every application belongs to a batch.

use crate::errors::AppError;
use crate::i18n::{pick, t, use_locale, Msg};
use crate::layout::Title;
use domain::batch::{BatchProblem, BatchStatus, Windows};
use domain::Locale;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchView {
    pub id: i64,
    pub name_zh: String,
    pub name_en: String,
    pub status: BatchStatus,
    pub windows: Windows,
    pub applications: i64,
}

#[server(prefix = "/api", endpoint = "list_batches")]
#[tracing::instrument(skip_all)]
pub async fn list_batches() -> Result<Vec<BatchView>, AppError> {
    crate::accounts::session::require_role(&[domain::Role::CountyOffice])?;
    let store = crate::state::store()?;
    let mut out = Vec::new();
    for b in store.batches(domain::application::COUNTY).await? {
        out.push(BatchView {
            applications: store.applications_in_batch(b.id).await?,
            id: b.id,
            name_zh: b.name_zh,
            name_en: b.name_en,
            status: b.status,
            windows: Windows {
                application_opens: b.application_opens,
                application_closes: b.application_closes,
                review_opens: b.review_opens,
                review_closes: b.review_closes,
            },
        });
    }
    Ok(out)
}

fn status_text(status: BatchStatus) -> (&'static str, &'static str) {
    match status {
        BatchStatus::Planned => ("筹备中", "Planned"),
        BatchStatus::Open => ("申报中", "Open"),
        BatchStatus::Closed => ("已结束", "Closed"),
    }
}

fn problem_text(p: BatchProblem) -> (&'static str, &'static str) {
    match p {
        BatchProblem::NameMissing => ("请填写批次名称。", "Give the batch a name."),
        BatchProblem::DateMalformed => (
            "请按 年-月-日 填写四个日期。",
            "Enter all four dates as year-month-day.",
        ),
        BatchProblem::ApplicationWindowBackwards => (
            "申报截止日期不能早于开始日期。",
            "Applications cannot close before they open.",
        ),
        BatchProblem::ReviewWindowBackwards => (
            "评估验收结束日期不能早于开始日期。",
            "The evaluation cannot end before it starts.",
        ),
        BatchProblem::ReviewBeforeApplicationsClose => (
            "评估验收应在申报截止之后开始。",
            "The evaluation starts after applications close.",
        ),
    }
}

#[component]
pub fn BatchesPage() -> impl IntoView {
    let locale = use_locale();
    let batches = Resource::new_blocking(|| (), |_| list_batches());
    let query = use_query_map();
    let q = move |k: &str| query.with_untracked(|q| q.get(k)).unwrap_or_default();
    let problems: Vec<BatchProblem> = {
        let entered = Windows {
            application_opens: q("application_opens"),
            application_closes: q("application_closes"),
            review_opens: q("review_opens"),
            review_closes: q("review_closes"),
        };
        if q("error") == "invalid" {
            domain::batch::problems(&q("name_zh"), &entered)
        } else {
            Vec::new()
        }
    };
    let another_open = q("error") == "another_open";
    let field =
        move |name: &'static str, label: (&'static str, &'static str), kind: &'static str| {
            let value = q(name);
            view! {
                <label class="batch-form__field">{move || locale.get().pick(label.0, label.1)}
                    <input name=name type=kind value=value required=name != "name_en"/>
                </label>
            }
        };
    view! {
        <Title text=move || format!("{} · {}", locale.get().pick("创建批次", "Campaign batches"), Msg::AppName.text(locale.get()))/>
        <section class="panel">
            <h1>{move || locale.get().pick("创建批次", "Campaign batches")}</h1>
            <p class="panel__lead">{move || locale.get().pick(
                "原则上每两年认定一批。新批次先筹备（可编辑评价指标），再开始申报，评估验收后结束。同一时间只有一个批次开放申报。",
                "A batch is recognised about every two years. A new batch is planned first (its indicators can be edited), then opened for applications, and closed after evaluation. One batch is open at a time."
            )}</p>
            {another_open.then(|| view! { <p class="alert alert--error" role="alert" data-testid="batch-error">{move || locale.get().pick("已有批次正在申报中：请先结束它，再开始新批次。", "Another batch is open: close it before opening a new one.")}</p> })}
            <Suspense fallback=move || view! { <p>{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match batches.await {
                        Err(e) => view! { <crate::forms::PageError error=e/> }.into_any(),
                        Ok(list) => view! {
                            <ul class="app-list" data-testid="batches">
                                {list.into_iter().map(|b| {
                                    let (szh, sen) = status_text(b.status);
                                    let next = match b.status {
                                        BatchStatus::Planned => Some((BatchStatus::Open.code(), ("开始申报", "Open for applications"))),
                                        BatchStatus::Open => Some((BatchStatus::Closed.code(), ("结束本批次", "Close the batch"))),
                                        BatchStatus::Closed => None,
                                    };
                                    let w = b.windows.clone();
                                    let n = b.applications;
                                    view! {
                                        <li class="app-list__item" data-status=b.status.code()>
                                            <div class="app-list__link">
                                                <span class="app-list__name">{pick(b.name_zh.clone(), b.name_en.clone())}</span>
                                                <span class=format!("badge badge--batch-{}", b.status.code())>{move || locale.get().pick(szh, sen)}</span>
                                            </div>
                                            <span class="app-list__meta">
                                                {move || crate::format::date_range(locale.get(), &w.application_opens, &w.application_closes)}
                                                {move || locale.get().pick(" 申报 · ", " applications · ")}
                                                {move || crate::format::date_range(locale.get(), &w.review_opens, &w.review_closes)}
                                                {move || locale.get().pick(" 评估验收 · ", " evaluation · ")}
                                                {move || match locale.get() { Locale::ZhCn => format!("{n} 份申报"), Locale::En => format!("{n} applications") }}
                                            </span>
                                            <div class="batch-actions">
                                                {(b.status != BatchStatus::Closed).then(|| view! {
                                                    <a class="button button--small button--secondary" href=format!("/indicators/edit?batch={}", b.id)>{move || locale.get().pick("评价指标", "Indicators")}</a>
                                                })}
                                                {next.map(|(to, (zh, en))| view! {
                                                    <form method="post" action=format!("/batches/{}/status", b.id)>
                                                        <input type="hidden" name="to" value=to/>
                                                        {if to == "closed" {
                                                            view! {
                                                                <crate::forms::ConfirmSubmit
                                                                    label=(zh, en)
                                                                    question=("结束后本批次不再受理申报，也不能重新开放。确定结束？", "Once closed the batch takes no more applications and cannot reopen. Close it?")
                                                                    act=("确认结束本批次", "Yes, close the batch")
                                                                    testid="batch-closed"
                                                                    small=true
                                                                />
                                                            }.into_any()
                                                        } else {
                                                            view! { <button type="submit" class="button button--small" data-testid=format!("batch-{to}")>{move || locale.get().pick(zh, en)}</button> }.into_any()
                                                        }}
                                                    </form>
                                                })}
                                            </div>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }
                })}
            </Suspense>
            <h2>{move || locale.get().pick("筹备新批次", "Plan a new batch")}</h2>
            {(!problems.is_empty()).then(|| view! {
                <ul class="alert alert--error" role="alert" data-testid="batch-problems">
                    {problems.into_iter().map(|p| { let (zh, en) = problem_text(p); view! { <li>{move || locale.get().pick(zh, en)}</li> } }).collect_view()}
                </ul>
            })}
            <form method="post" action="/batches/create" class="batch-form" data-testid="batch-form">
                {field("name_zh", ("批次名称", "Name (Chinese)"), "text")}
                {field("name_en", ("英文名称（选填）", "Name (English, optional)"), "text")}
                {field("application_opens", ("申报开始", "Applications open"), "date")}
                {field("application_closes", ("申报截止", "Applications close"), "date")}
                {field("review_opens", ("评估验收开始", "Evaluation starts"), "date")}
                {field("review_closes", ("评估验收结束", "Evaluation ends"), "date")}
                <div class="wizard-nav"><button type="submit" class="button" data-testid="create-batch">{move || locale.get().pick("筹备新批次", "Plan the batch")}</button></div>
            </form>
        </section>
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::*;
    use crate::review::common::{CountyOffice, Staff};
    use crate::state::AppState;
    use crate::usecases::{
        self,
        batches::{Planned, PlannedBatch, StatusChanged},
        Actor,
    };
    use axum::extract::{Path, State};
    use axum::response::{IntoResponse, Redirect, Response};
    use axum::Form;
    use store::BatchStatus;

    pub async fn create(
        State(state): State<AppState>,
        Staff { user, addr, .. }: Staff<CountyOffice>,
        Form(posted): Form<Vec<(String, String)>>,
    ) -> Response {
        let get = |k: &str| {
            posted
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.trim().to_string())
                .unwrap_or_default()
        };
        let input = PlannedBatch {
            name_zh: get("name_zh"),
            name_en: get("name_en"),
            windows: Windows {
                application_opens: get("application_opens"),
                application_closes: get("application_closes"),
                review_opens: get("review_opens"),
                review_closes: get("review_closes"),
            },
        };
        match usecases::batches::plan(&state.store, &Actor::new(user, addr), &input).await {
            Ok(Planned::Created(_)) => Redirect::to("/batches").into_response(),
            Ok(Planned::Invalid) => {
                // Back to the form with everything entered, and the problems named.
                let w = &input.windows;
                let keep: Vec<(&str, &str)> = vec![
                    ("error", "invalid"),
                    ("name_zh", &input.name_zh),
                    ("name_en", &input.name_en),
                    ("application_opens", &w.application_opens),
                    ("application_closes", &w.application_closes),
                    ("review_opens", &w.review_opens),
                    ("review_closes", &w.review_closes),
                ];
                let q = serde_urlencoded::to_string(keep).unwrap_or_default();
                Redirect::to(&format!("/batches?{q}")).into_response()
            }
            Err(e) => {
                tracing::warn!(error = ?e, "batch not created");
                Redirect::to("/batches?error=internal").into_response()
            }
        }
    }

    #[derive(serde::Deserialize)]
    pub struct StatusForm {
        to: String,
    }

    pub async fn set_status(
        State(state): State<AppState>,
        Path(id): Path<i64>,
        Staff { user, addr, .. }: Staff<CountyOffice>,
        Form(f): Form<StatusForm>,
    ) -> Response {
        let result = match BatchStatus::parse(&f.to) {
            Some(to) => {
                usecases::batches::set_status(&state.store, &Actor::new(user, addr), id, to).await
            }
            None => Err(AppError::BadRequest),
        };
        match result {
            Ok(StatusChanged::Changed) => Redirect::to("/batches").into_response(),
            Ok(StatusChanged::AnotherOpen) => {
                Redirect::to("/batches?error=another_open").into_response()
            }
            Err(e) => {
                tracing::warn!(error = ?e, "batch status not changed");
                Redirect::to("/batches?error=internal").into_response()
            }
        }
    }
}
