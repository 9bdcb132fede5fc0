//! Public pages of steps 5–7: notices with their countdown and the objection form,
//! and the list of revocations. All server-rendered and usable without JavaScript.
//! A recognised unit's plaque and certificate are in `plaque`.

use crate::errors::AppError;
use crate::i18n::{t, use_locale, Msg};
use domain::notice::NoticeStatus;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicEntry {
    pub application_id: i64,
    pub organisation_name: String,
    pub credit_code: String,
    pub township: String,
    pub category: domain::Category,
    /// The objection holds it (open or upheld).
    pub held: bool,
    pub state: domain::lifecycle::State,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicNotice {
    pub id: i64,
    pub title: String,
    pub published_on: String,
    pub ends_on: String,
    pub working_days: i64,
    pub status: NoticeStatus,
    pub entries: Vec<PublicEntry>,
}

#[cfg(feature = "ssr")]
pub(crate) async fn township_name(store: &store::Store, area: &str) -> String {
    // An organisation's area may be a village below its township: name the township.
    let township = area.get(..9).unwrap_or(area);
    store
        .area(township)
        .await
        .ok()
        .flatten()
        .map(|a| a.name_zh)
        .unwrap_or_default()
}

#[server(prefix = "/api", endpoint = "public_notices")]
#[tracing::instrument(skip_all)]
pub async fn public_notices() -> Result<Vec<crate::review::notices::NoticeSummary>, AppError> {
    use crate::review::common::*;
    let store = crate::state::store()?;
    let (cal, today) = (calendar(&store).await?, today(&store).await);
    let mut out = Vec::new();
    for n in store.notices().await? {
        out.push(crate::review::notices::summarise(&store, &cal, today, n).await?);
    }
    Ok(out)
}

#[server(prefix = "/api", endpoint = "public_notice")]
#[tracing::instrument(skip_all)]
pub async fn fetch_public_notice(id: i64) -> Result<PublicNotice, AppError> {
    use crate::review::common::*;
    let store = crate::state::store()?;
    let n = store.notice(id).await?.ok_or(AppError::NotFound)?;
    let s =
        crate::review::notices::summarise(&store, &calendar(&store).await?, today(&store).await, n)
            .await?;
    let objections = store.objections_of_notice(id).await?;
    let mut entries = Vec::new();
    for e in store.notice_entries(id).await? {
        entries.push(PublicEntry {
            held: objections
                .iter()
                .any(|o| o.application_id == e.application_id && o.status.holds_recognition()),
            township: township_name(&store, &e.area_code).await,
            application_id: e.application_id,
            organisation_name: e.organisation_name,
            credit_code: e.credit_code,
            category: domain::Category::parse(&e.category_code).unwrap_or(domain::Category::Unit),
            state: e.state,
        });
    }
    Ok(PublicNotice {
        id,
        title: s.title,
        published_on: s.published_on,
        ends_on: s.ends_on,
        working_days: s.working_days,
        status: s.status,
        entries,
    })
}

#[component]
pub fn PublicNoticesPage() -> impl IntoView {
    let locale = use_locale();
    let data = Resource::new_blocking(|| (), |_| public_notices());
    view! {
        <crate::portal::seo::PublicMeta title=("公示公告", "Public notices")
            description=("东至县放心消费示范创建拟认定名单公示，公示期内任何单位和个人均可提出异议。", "Dongzhi County's notices of applicants about to be recognised as trusted-consumption units; anyone may object while a notice runs.")
            path="/notice"/>
        <section class="panel">
            <h1>{move || locale.get().pick("公示公告", "Public notices")}</h1>
            <p class="panel__lead">{move || locale.get().pick(
                "拟认定的放心消费示范名单在此公示。公示期内，任何单位和个人对名单有异议，均可实名提出。",
                "Applicants about to be recognised are listed here. While a notice runs, anyone may object, giving their name."
            )}</p>
            <p><a href="/revocations">{move || locale.get().pick("撤销公告", "Revocation notices")}</a></p>
            <Suspense fallback=move || view! { <p>{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <crate::forms::PageError error=e/> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="empty">{move || locale.get().pick("暂无公示。", "No notices yet.")}</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="app-list" data-testid="public-notices">
                                {list.into_iter().map(|n| view! {
                                    <li class="app-list__item">
                                        <a class="app-list__link" href=format!("/notice/{}", n.id)><span class="app-list__name">{n.title.clone()}</span></a>
                                        <span class="app-list__meta">{move || format!("{} · ", crate::format::date_range(locale.get(), &n.published_on, &n.ends_on))}{move || crate::review::notices::status_text(n.status, locale.get())}</span>
                                    </li>
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
pub fn PublicNoticePage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let id = move || {
        params
            .with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()))
            .unwrap_or(0)
    };
    let data = Resource::new_blocking(id, fetch_public_notice);
    let path = format!("/notice/{}", id());
    view! {
        <crate::portal::seo::PublicMeta title=("拟认定名单公示", "Public notice")
            description=("东至县放心消费示范拟认定名单公示：公示期倒计时、名单和异议表。", "A notice of applicants about to be recognised in Dongzhi County: the countdown, the list and the objection form.")
            path=path/>
        <section class="panel">
            <p><a href="/notice">{move || locale.get().pick("← 全部公示", "← All notices")}</a></p>
            <crate::forms::PostNote text=ObjectionNote::describe testid="objection-note"/>
            <Suspense fallback=move || view! { <p>{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(n) => view! { <NoticeBody n=n/> }.into_any(),
                        Err(e) => view! { <crate::forms::PageError error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

crate::notes::notes! {
    pub enum ObjectionNote {
        Filed = "filed" => ("异议已收到。我们将在答复期限内核查并联系您。", "Your objection is received. We will check it and contact you by the response date."),
        Name = "name" => ("请填写您的姓名（实名提出）。", "Give your name: objections are made in your own name."),
        Contact = "contact" => ("请填写联系电话或电子邮箱，以便答复。", "Give a phone number or e-mail so we can answer."),
        Facts = "facts" => ("请写明异议的事实和理由（至少 10 个字）。", "Describe the facts and reasons (at least 10 characters)."),
        Unit = "unit" => ("请选择异议针对的单位。", "Choose the applicant you object to."),
        Closed = "closed" => ("该公示已结束，不再受理异议。", "This notice has ended and takes no more objections."),
        Busy = "busy" => ("提交过于频繁，请稍后再试。", "Too many submissions: try again in a minute."),
        State = "state" => ("提交未完成，请重试。", "That did not go through; try again."),
        _ => State,
    }
}

#[component]
fn NoticeBody(n: PublicNotice) -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let kept = move |k: &str| query.with_untracked(|q| q.get(k)).unwrap_or_default();
    let running = matches!(
        n.status,
        NoticeStatus::Running { .. } | NoticeStatus::Upcoming
    );
    let left = match n.status {
        NoticeStatus::Running { working_days_left } => Some(working_days_left),
        _ => None,
    };
    let id = n.id;
    let chosen = kept("application");
    view! {
        <h1>{n.title.clone()}</h1>
        <div class="countdown" data-testid="notice-countdown">
            {match left {
                Some(d) => view! {
                    <span class="countdown__number">{d}</span>
                    <span class="countdown__label">{move || locale.get().pick("个工作日后公示期满", "working days left")}</span>
                }.into_any(),
                None => view! { <span class="countdown__label">{move || crate::review::notices::status_text(n.status, locale.get())}</span> }.into_any(),
            }}
        </div>
        <p class="panel__lead" data-testid="notice-period">
            {move || locale.get().pick("公示期：", "Runs: ")}{move || crate::format::date_range(locale.get(), &n.published_on, &n.ends_on)}
            {move || format!("（{} {}）", n.working_days, locale.get().pick("个工作日，节假日不计", "working days; public holidays do not count"))}
        </p>
        // A list rather than a table: it reads on a phone without sideways scrolling.
        <ul class="entry-list" data-testid="notice-entries">
            {n.entries.iter().map(|e| {
                let (zh, en) = e.category.name();
                view! {
                    <li class="entry">
                        <p class="entry__name">{e.organisation_name.clone()}
                            {e.held.then(|| view! { " " <span class="badge badge--draft">{move || locale.get().pick("异议核查中", "Objection under review")}</span> })}
                        </p>
                        <p class="entry__meta">{move || locale.get().pick(zh, en)}{format!(" · {} · ", e.township)}
                            <span class="entry__code">{move || locale.get().pick("统一社会信用代码 ", "Credit code ")}{e.credit_code.clone()}</span>
                        </p>
                    </li>
                }
            }).collect_view()}
        </ul>
        {running.then(|| view! {
            <section class="summary" id="object">
                <h2>{move || locale.get().pick("提出异议", "Object")}</h2>
                <p class="panel__lead">{move || locale.get().pick("请实名提出，写明事实和理由；我们会在答复期限内核查并答复。", "Object in your own name with the facts; we check and answer by the response date.")}</p>
                <form method="post" action=format!("/notice/{id}/object") class="decision" data-testid="objection-form">
                    <label>{move || locale.get().pick("异议对象", "Applicant")}
                        <select name="application">
                            {n.entries.iter().map(|e| view! { <option value=e.application_id selected=chosen == e.application_id.to_string()>{e.organisation_name.clone()}</option> }).collect_view()}
                        </select>
                    </label>
                    <label>{move || locale.get().pick("姓名", "Your name")}<input type="text" name="name" maxlength="40" autocomplete="name" value=kept("name")/></label>
                    <label>{move || locale.get().pick("联系方式（电话或邮箱）", "Contact (phone or e-mail)")}<input type="text" name="contact" maxlength="80" autocomplete="tel" value=kept("contact")/></label>
                    <label>{move || locale.get().pick("事实和理由", "Facts and reasons")}<textarea name="facts" rows="4" maxlength="2000">{crate::forms::textarea_text(kept("facts"))}</textarea></label>
                    <label>{move || locale.get().pick("证据（选填：说明或链接）", "Evidence (optional: a description or link)")}<textarea name="evidence" rows="2" maxlength="1000">{crate::forms::textarea_text(kept("evidence"))}</textarea></label>
                    <button class="button" data-testid="file-objection">{move || locale.get().pick("提交异议", "Submit the objection")}</button>
                </form>
            </section>
        })}
    }
}

#[server(prefix = "/api", endpoint = "public_revocations")]
#[tracing::instrument(skip_all)]
pub async fn public_revocations() -> Result<Vec<(String, String, String, String)>, AppError> {
    let store = crate::state::store()?;
    Ok(store
        .revocations()
        .await?
        .into_iter()
        .map(|r| {
            (
                r.organisation_name,
                r.certificate_no,
                r.revoked_on.unwrap_or_default(),
                r.revoke_reason.unwrap_or_default(),
            )
        })
        .collect())
}

#[component]
pub fn RevocationsPage() -> impl IntoView {
    let locale = use_locale();
    let data = Resource::new_blocking(|| (), |_| public_revocations());
    view! {
        <crate::portal::seo::PublicMeta title=("撤销公告", "Revocation notices")
            description=("东至县放心消费示范称号撤销公告：复查不合格或违反承诺的单位。", "Dongzhi County's revocations of trusted-consumption recognition: units that failed a re-inspection or broke their pledge.")
            path="/revocations"/>
        <section class="panel">
            <h1>{move || locale.get().pick("撤销公告", "Revocation notices")}</h1>
            <p class="panel__lead">{move || locale.get().pick("以下单位经复查不再符合放心消费示范条件，已撤销称号，其牌匾不再有效。", "These units no longer meet the standard on re-inspection: their recognition is revoked and their plaques are no longer valid.")}</p>
            <Suspense fallback=move || view! { <p>{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <crate::forms::PageError error=e/> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="empty">{move || locale.get().pick("暂无撤销。", "No revocations.")}</p> }.into_any(),
                        Ok(list) => view! {
                            <div class="table-wrap" tabindex="0"><table class="table table--fit" data-testid="revocations">
                                <thead><tr><th>{move || locale.get().pick("单位", "Unit")}</th><th>{move || locale.get().pick("证书编号", "Certificate")}</th><th>{move || locale.get().pick("撤销日期", "Revoked on")}</th><th>{move || locale.get().pick("原因", "Reason")}</th></tr></thead>
                                <tbody>{list.into_iter().map(|(n, c, d, r)| view! { <tr><td>{n}</td><td>{c}</td><td>{d}</td><td>{r}</td></tr> }).collect_view()}</tbody>
                            </table></div>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::ObjectionNote;
    use crate::accounts::session::ClientAddr;
    use crate::review::common::{self, field, text};
    use crate::state::AppState;
    use axum::extract::{Path, State};
    use axum::response::{IntoResponse, Redirect, Response};
    use axum::{Extension, Form};

    /// An objection from anyone; five per minute per address.
    pub async fn object(
        State(state): State<AppState>,
        Path(id): Path<i64>,
        addr: Option<Extension<ClientAddr>>,
        Form(p): Form<Vec<(String, String)>>,
    ) -> Response {
        let kept = format!(
            "&application={}&name={}&contact={}&facts={}&evidence={}",
            common::q(&field(&p, "application")),
            common::q(&text(&p, "name", 40)),
            common::q(&text(&p, "contact", 80)),
            common::q(&text(&p, "facts", 2000)),
            common::q(&text(&p, "evidence", 1000))
        );
        let refuse = |note: ObjectionNote| {
            Redirect::to(&format!(
                "{}{kept}#object",
                note.error_at(&format!("/notice/{id}"))
            ))
            .into_response()
        };
        use crate::usecases::public::{object, Objected, ObjectionForm, ObjectionProblem as P};
        let form = ObjectionForm {
            application: field(&p, "application").parse().ok(),
            name: text(&p, "name", 40),
            contact: text(&p, "contact", 80),
            facts: text(&p, "facts", 2000),
            evidence: text(&p, "evidence", 1000),
        };
        let visitor = crate::usecases::public::Visitor::new(common::addr(&addr));
        match object(&state.store, &visitor, id, &form).await {
            Ok(Objected::Filed { .. }) => {
                Redirect::to(&ObjectionNote::Filed.done_at(&format!("/notice/{id}")))
                    .into_response()
            }
            Ok(Objected::Refused(problem)) => refuse(match problem {
                P::Unit => ObjectionNote::Unit,
                P::Name => ObjectionNote::Name,
                P::Contact => ObjectionNote::Contact,
                P::Facts => ObjectionNote::Facts,
                P::Closed => ObjectionNote::Closed,
                P::Busy => ObjectionNote::Busy,
                P::Unknown => ObjectionNote::State,
            }),
            Err(e) => {
                tracing::warn!(error = ?e, "objection not stored");
                refuse(ObjectionNote::State)
            }
        }
    }
}
