//! Rectification (整改): after a first failure, each failed item is a to-do with its
//! own evidence upload. The applicant sees the countdown to the deadline (six months, a
//! setting), gets in-app reminders 30 and 7 days before it, reports the rectification
//! done, and asks for acceptance — then the county panel scores it once more.

use super::EvidenceView;
use crate::errors::AppError;
use crate::i18n::{t, use_locale, Msg};
use crate::layout::Title;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Todo {
    pub index: usize,
    pub zh: String,
    pub en: String,
    pub files: Vec<EvidenceView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RectificationView {
    pub id: i64,
    pub organisation_name: String,
    pub state: domain::lifecycle::State,
    pub opened_on: String,
    pub due_on: String,
    pub days_left: i64,
    pub todos: Vec<Todo>,
    pub report: String,
    pub reported_at: Option<String>,
    /// The signed-in user is the applicant and the case is open.
    pub editable: bool,
    pub may_request_acceptance: bool,
}

#[server(prefix = "/api", endpoint = "rectification_view")]
#[tracing::instrument(skip_all)]
pub async fn fetch_rectification(id: i64) -> Result<RectificationView, AppError> {
    let user = crate::accounts::session::require_user()?;
    let store = crate::state::store()?;
    let (app, viewer) = super::handlers::visible(&store, &user, id).await?;
    let case = store.rectification(id).await?.ok_or(AppError::NotFound)?;
    let today = crate::review::common::today(&store).await;
    let due =
        chrono::NaiveDate::parse_from_str(&case.due_on, "%Y-%m-%d").map_err(AppError::internal)?;
    let files = store.evidence_of(id).await?;
    let todos: Vec<serde_json::Value> = serde_json::from_str(&case.items).unwrap_or_default();
    let todos = todos
        .into_iter()
        .map(|v| {
            let index = v["index"].as_u64().unwrap_or(0) as usize;
            Todo {
                index,
                zh: v["zh"].as_str().unwrap_or_default().to_string(),
                en: v["en"].as_str().unwrap_or_default().to_string(),
                files: files
                    .iter()
                    .filter(|f| f.slot == format!("rect.{index}"))
                    .map(|f| EvidenceView {
                        id: f.id,
                        slot: f.slot.clone(),
                        name: f.original_name.clone(),
                        media_type: f.media_type.clone(),
                        size_bytes: f.size_bytes,
                    })
                    .collect(),
            }
        })
        .collect();
    let open = app.state == domain::lifecycle::State::Rectifying;
    let days_left = domain::notice::days_left(today, due);
    let facts = domain::lifecycle::Facts {
        failed_before: true,
        rectification_reported: case.reported_at.is_some(),
        rectification_deadline_passed: days_left < 0,
        ..Default::default()
    };
    let may = open
        && domain::lifecycle::next(
            domain::lifecycle::State::Rectifying,
            domain::lifecycle::Action::RequestAcceptance,
            &facts,
        )
        .is_ok();
    let editable = open && viewer == super::handlers::Viewer::Applicant;
    Ok(RectificationView {
        id,
        organisation_name: crate::review::common::organisation_name(&store, app.organisation_id)
            .await,
        state: app.state,
        opened_on: case.opened_on,
        due_on: case.due_on,
        days_left,
        todos,
        report: case.report.unwrap_or_default(),
        reported_at: case.reported_at,
        editable,
        may_request_acceptance: may && editable,
    })
}

/// Sends the 30- and 7-day reminders owed today, once each: the reminder is claimed
/// with a conditional update before it is sent, so several instances running the
/// hourly job (server/src/jobs.rs) never send it twice.
#[cfg(feature = "ssr")]
pub async fn send_due_reminders(store: &store::Store, today: chrono::NaiveDate) {
    use domain::notice::{reminders_due, Reminder};
    let Ok(open) = store.open_rectifications().await else {
        return;
    };
    for (app, org, due, reminded) in open {
        let Ok(due_date) = chrono::NaiveDate::parse_from_str(&due, "%Y-%m-%d") else {
            continue;
        };
        let mut sent: Vec<String> = serde_json::from_str(&reminded).unwrap_or_default();
        let owed: Vec<&str> = reminders_due(today, due_date)
            .into_iter()
            .map(|r| match r {
                Reminder::ThirtyDays => "30",
                Reminder::SevenDays => "7",
            })
            .filter(|key| !sent.iter().any(|s| s == key))
            .collect();
        if owed.is_empty() {
            continue;
        }
        sent.extend(owed.iter().map(|k| k.to_string()));
        let claimed = serde_json::to_string(&sent).unwrap_or_else(|_| "[]".into());
        if !matches!(
            store.claim_reminders(app, &reminded, &claimed).await,
            Ok(true)
        ) {
            continue;
        }
        let days = domain::notice::days_left(today, due_date);
        // Both owed at once (a late first run) make one message, not two.
        crate::review::common::notify_org(
            store,
            org,
            &format!("整改提醒：距整改期限 {due} 还有 {days} 天。"),
            &format!("Rectification reminder: {days} days left until {due}."),
            &format!("/rectification/{app}"),
        )
        .await;
    }
}

#[component]
pub fn RectificationPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let id = move || {
        params
            .with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()))
            .unwrap_or(0)
    };
    let data = Resource::new_blocking(id, fetch_rectification);
    view! {
        <Title text=move || format!("{} · {}", locale.get().pick("整改", "Rectification"), Msg::AppName.text(locale.get()))/>
        <section class="panel wizard">
            <p><a href="/apply">{move || locale.get().pick("← 返回我的申报", "← Back to my applications")}</a></p>
            <crate::forms::PostNote text=RectificationNote::describe testid="rect-note"/>
            <Suspense fallback=move || view! { <p>{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(v) => view! { <RectificationBody v=v/> }.into_any(),
                        Err(e) => view! { <crate::forms::PageError error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

crate::notes::notes! {
    pub enum RectificationNote {
        OkUpload = "ok.upload" => ("整改材料已上传。", "The evidence is uploaded."),
        OkReport = "ok.report" => ("已报告整改完成，现在可以申请验收。", "Reported done: you can ask for acceptance now."),
        Report = "report" => ("请写明整改情况（做了什么、何时完成）。", "Describe the rectification: what was done, and when."),
        Early = "early" => ("请先报告整改完成（或等到整改期限届满）再申请验收。", "Report the rectification done first (or wait for the deadline) before asking for acceptance."),
        TooLarge = "too_large" => ("文件过大，请压缩后重新上传。", "The file is too large: make it smaller and upload again."),
        FileType = "file_type" => ("只能上传 JPG、PNG、WebP 图片或 PDF。", "Only JPG, PNG or WebP images and PDFs can be uploaded."),
        Empty = "empty" => ("请选择要上传的文件。", "Choose a file to upload."),
        State = "state" => ("操作未完成，请刷新后重试。", "That did not go through; reload and try again."),
        _ => State,
    }
}

#[component]
fn RectificationBody(v: RectificationView) -> impl IntoView {
    let locale = use_locale();
    let id = v.id;
    let days = v.days_left;
    let editable = v.editable;
    let (szh, sen) = super::state_text(v.state);
    view! {
        <h1>{v.organisation_name.clone()}</h1>
        <p class="panel__lead">{move || locale.get().pick(szh, sen)}</p>
        <div class="countdown" data-testid="rect-countdown">
            <span class="countdown__number">{days.max(0)}</span>
            <span class="countdown__label">{move || if days >= 0 {
                format!("{}{}", locale.get().pick("天后到期 · 整改期限 ", "days left · due "), v.due_on)
            } else {
                format!("{}{}", locale.get().pick("整改期限已过 · ", "Past the deadline · "), v.due_on)
            }}</span>
        </div>
        <section class="summary">
            <h2>{move || locale.get().pick("整改事项", "To do")}</h2>
            <ol class="todo-list" data-testid="todos">
                {v.todos.into_iter().map(|todo| {
                    let (zh, en) = (todo.zh.clone(), todo.en.clone());
                    let index = todo.index;
                    view! {
                        <li class="todo" data-testid="todo">
                            <p class="todo__text">{move || locale.get().pick(&zh, &en).to_string()}</p>
                            <ul class="files">
                                {todo.files.iter().map(|f| view! { <li class="files__item"><a href=format!("/files/{}", f.id) target="_blank" rel="noopener">{f.name.clone()}</a></li> }).collect_view()}
                            </ul>
                            {editable.then(|| view! {
                                <form method="post" action=format!("/rectification/{id}/upload") enctype="multipart/form-data" class="inline-form">
                                    <input type="hidden" name="todo" value=index/>
                                    <label>{move || locale.get().pick("整改材料", "Evidence")}<input type="file" name="file" accept="image/jpeg,image/png,image/webp,application/pdf"/></label>
                                    <button class="button button--secondary button--small">{move || locale.get().pick("上传", "Upload")}</button>
                                </form>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
        <section class="summary">
            <h2>{move || locale.get().pick("整改报告", "Rectification report")}</h2>
            {v.reported_at.clone().map(|at| view! { <p class="panel__lead" data-testid="reported">{move || locale.get().pick("已报告：", "Reported: ")}{crate::format::short_time(&at)}</p> })}
            {if editable {
                view! {
                    <form method="post" action=format!("/rectification/{id}/report") class="decision">
                        <label>{move || locale.get().pick("整改情况", "What was done")}<textarea name="report" rows="4" maxlength="2000">{crate::forms::textarea_text(&v.report)}</textarea></label>
                        <button class="button button--secondary" data-testid="report">{move || locale.get().pick("报告整改完成", "Report the rectification done")}</button>
                    </form>
                }.into_any()
            } else {
                view! { <p>{v.report.clone()}</p> }.into_any()
            }}
            {(editable && !v.may_request_acceptance).then(|| view! {
                <p class="panel__lead" data-testid="acceptance-hint">{move || locale.get().pick(
                    "报告整改完成后（或整改期限届满后），即可申请验收。",
                    "Once the rectification is reported done (or its deadline has passed), you can ask for acceptance."
                )}</p>
            })}
            {editable.then(|| view! {
                <form method="post" action=format!("/rectification/{id}/accept") class="wizard-nav">
                    <button class="button" data-testid="request-acceptance" disabled=!v.may_request_acceptance>{move || locale.get().pick("申请整改验收", "Ask for acceptance")}</button>
                </form>
            })}
        </section>
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::RectificationNote;
    use crate::accounts::session::ClientAddr;
    use crate::accounts::CurrentUser;
    use crate::review::common::{self, text};
    use crate::state::AppState;
    use crate::usecases::rectification::{self as rectify, Rectified};
    use crate::usecases::Actor;
    use axum::extract::{Multipart, Path, State};
    use axum::response::{IntoResponse, Redirect, Response};
    use axum::{Extension, Form};
    use domain::application::UploadProblem;

    fn done(id: i64, note: RectificationNote) -> Response {
        Redirect::to(&note.done_at(&format!("/rectification/{id}"))).into_response()
    }

    fn refused(id: i64, note: RectificationNote) -> Response {
        Redirect::to(&note.error_at(&format!("/rectification/{id}"))).into_response()
    }

    pub async fn upload(
        State(state): State<AppState>,
        Path(id): Path<i64>,
        user: Option<Extension<CurrentUser>>,
        addr: Option<Extension<ClientAddr>>,
        multipart: Multipart,
    ) -> Response {
        use crate::usecases::rectification::{upload, ItemFile};
        let Some(Extension(user)) = user else {
            return refused(id, RectificationNote::State);
        };
        let Ok(file) = crate::applications::handlers::read_upload(&state.store, multipart).await
        else {
            return refused(id, RectificationNote::State);
        };
        let item = file.field("todo");
        let actor = Actor::new(user, common::addr(&addr));
        match upload(&state.store, &state.objects, &actor, id, &item, file).await {
            Ok(ItemFile::Kept) => done(id, RectificationNote::OkUpload),
            Ok(ItemFile::NotOpen) => refused(id, RectificationNote::State),
            Ok(ItemFile::Refused(UploadProblem::Empty)) => refused(id, RectificationNote::Empty),
            Ok(ItemFile::Refused(
                UploadProblem::FileTooLarge { .. } | UploadProblem::ApplicationFull { .. },
            )) => refused(id, RectificationNote::TooLarge),
            Ok(ItemFile::Refused(_)) => refused(id, RectificationNote::FileType),
            Err(e) => {
                tracing::warn!(?e, "rectification upload failed");
                refused(id, RectificationNote::State)
            }
        }
    }

    pub async fn report(
        State(state): State<AppState>,
        Path(id): Path<i64>,
        user: Option<Extension<CurrentUser>>,
        addr: Option<Extension<ClientAddr>>,
        Form(p): Form<Vec<(String, String)>>,
    ) -> Response {
        let Some(Extension(user)) = user else {
            return refused(id, RectificationNote::State);
        };
        let actor = Actor::new(user, common::addr(&addr));
        match rectify::report(&state.store, &actor, id, &text(&p, "report", 2000)).await {
            Ok(Rectified::Done) => done(id, RectificationNote::OkReport),
            Ok(Rectified::NoReport) => refused(id, RectificationNote::Report),
            _ => refused(id, RectificationNote::State),
        }
    }

    pub async fn accept(
        State(state): State<AppState>,
        Path(id): Path<i64>,
        user: Option<Extension<CurrentUser>>,
        addr: Option<Extension<ClientAddr>>,
    ) -> Response {
        let Some(Extension(user)) = user else {
            return refused(id, RectificationNote::State);
        };
        let actor = Actor::new(user, common::addr(&addr));
        match rectify::request_acceptance(&state.store, &actor, id).await {
            Ok(Rectified::Done) => Redirect::to("/apply?acceptance=1").into_response(),
            Ok(Rectified::Early) => refused(id, RectificationNote::Early),
            _ => refused(id, RectificationNote::State),
        }
    }
}
