//! One notice: its applications, objections and their handling.

use super::*;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectionView {
    pub id: i64,
    pub application_id: i64,
    pub name: String,
    pub contact: String,
    pub facts: String,
    pub evidence: String,
    pub filed_at: String,
    pub assigned_to: Option<String>,
    pub respond_by: String,
    pub status: domain::notice::ObjectionStatus,
    pub outcome: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeAdmin {
    pub summary: NoticeSummary,
    /// (application, organisation, category, state, certificate token once recognised)
    pub entries: Vec<(
        i64,
        String,
        domain::Category,
        domain::lifecycle::State,
        Option<String>,
    )>,
    pub objections: Vec<ObjectionView>,
    pub staff: Vec<(i64, String)>,
}

#[server(prefix = "/api", endpoint = "notice_admin")]
#[tracing::instrument(skip_all)]
pub async fn fetch_notice_admin(id: i64) -> Result<NoticeAdmin, AppError> {
    use crate::review::common::*;
    let user = crate::accounts::session::require_role(&[domain::Role::CountyOffice])?;
    let store = crate::state::store()?;
    let n = store.notice(id).await?.ok_or(AppError::NotFound)?;
    let summary = summarise(&store, &calendar(&store).await?, today(&store).await, n).await?;
    let mut entries = Vec::new();
    for e in store.notice_entries(id).await? {
        let token = store
            .recognition_of_application(e.application_id)
            .await?
            .map(|r| r.token);
        entries.push((
            e.application_id,
            e.organisation_name,
            domain::Category::parse(&e.category_code).unwrap_or(domain::Category::Unit),
            e.state,
            token,
        ));
    }
    let accounts = store.accounts_under(&user.area_code).await?;
    let staff: Vec<(i64, String)> = accounts
        .iter()
        .filter(|a| {
            a.role == domain::Role::CountyOffice.code()
                || a.role == domain::Role::TownshipReviewer.code()
        })
        .map(|a| (a.id, format!("{} ({})", a.display_name, a.login)))
        .collect();
    let objections = store
        .objections_of_notice(id)
        .await?
        .into_iter()
        .map(|o| ObjectionView {
            id: o.id,
            application_id: o.application_id,
            name: o.name,
            contact: o.contact,
            facts: o.facts,
            evidence: o.evidence,
            filed_at: o.filed_at,
            assigned_to: o.assigned_to.and_then(|a| {
                staff
                    .iter()
                    .find(|(id, _)| *id == a)
                    .map(|(_, n)| n.clone())
            }),
            respond_by: o.respond_by,
            status: o.status,
            outcome: o.outcome,
        })
        .collect();
    Ok(NoticeAdmin {
        summary,
        entries,
        objections,
        staff,
    })
}

#[component]
pub fn NoticeAdminPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let id = move || {
        params
            .with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()))
            .unwrap_or(0)
    };
    let data = Resource::new_blocking(id, fetch_notice_admin);
    view! {
        <Title text=move || format!("{} · {}", locale.get().pick("公示", "Notice"), Msg::AppName.text(locale.get()))/>
        <section class="panel">
            <p><a href="/notices">{move || locale.get().pick("← 返回公示与认定", "← Back to notices")}</a></p>
            <crate::forms::PostNote text=admin_note testid="notice-note"/>
            <Suspense fallback=move || view! { <p>{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(d) => view! { <AdminBody d=d/> }.into_any(),
                        Err(e) => view! { <crate::forms::PageError error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The prefix of the note that says how many were recognised (`ok.recognised.N`).
pub const RECOGNISED: &str = "ok.recognised.";

crate::notes::notes! {
    pub enum NoticeNote {
        OkPublished = "ok.published" => ("公示已发布。", "The notice is published."),
        OkAssigned = "ok.assigned" => ("异议已交办。", "The objection is assigned."),
        OkDecided = "ok.decided" => ("异议处理结果已记录。", "The outcome is recorded."),
        Running = "running" => ("公示期未满，暂不能认定。", "The notice has not ended: recognition must wait."),
        Outcome = "outcome" => ("请写明核查结论。", "Write the finding."),
        State = "state" => ("操作未完成，请刷新后重试。", "That did not go through; reload and try again."),
        _ => State,
    }
}

fn admin_note(code: &str, l: domain::Locale) -> String {
    if let Some(n) = code.strip_prefix(RECOGNISED) {
        return format!(
            "{}{n}{}",
            l.pick("已认定 ", "Recognised "),
            l.pick(
                " 家单位，证书编号已生成。",
                " applicants; certificate numbers issued."
            )
        );
    }
    NoticeNote::describe(code, l)
}

#[component]
fn AdminBody(d: NoticeAdmin) -> impl IntoView {
    let locale = use_locale();
    let s = d.summary.clone();
    let id = s.id;
    let ended = s.status == domain::notice::NoticeStatus::Ended;
    let staff = d.staff.clone();
    view! {
        <h1>{s.title.clone()}</h1>
        <p class="panel__lead" data-testid="notice-dates">{move || format!("{} · {} ", crate::format::date_range(locale.get(), &s.published_on, &s.ends_on), s.working_days)}{move || locale.get().pick("个工作日 · ", "working days · ")}{move || status_text(s.status, locale.get())}</p>
        <p><a href=format!("/notice/{id}")>{move || locale.get().pick("查看公众页面", "See the public page")}</a></p>
        <div class="table-wrap" tabindex="0"><table class="table table--fit" data-testid="entries">
            <thead><tr><th>{move || locale.get().pick("单位", "Applicant")}</th><th>{move || locale.get().pick("类别", "Category")}</th><th>{move || locale.get().pick("状态", "State")}</th></tr></thead>
            <tbody>
                {d.entries.into_iter().map(|(_, name, cat, state, token)| {
                    let (czh, cen) = cat.name();
                    let (szh, sen) = crate::applications::state_text(state);
                    view! { <tr><td>{name}</td><td>{move || locale.get().pick(czh, cen)}</td><td>{move || locale.get().pick(szh, sen)}
                        {token.map(|t| view! { " · " <a href=format!("/certificate/{t}") data-testid="certificate-link">{move || locale.get().pick("证书", "Certificate")}</a> })}</td></tr> }
                }).collect_view()}
            </tbody>
        </table></div>
        {(ended && !s.recognised).then(|| view! {
            <form method="post" action=format!("/notices/{id}/recognise") class="wizard-nav">
                <crate::forms::ConfirmSubmit
                    label=("公示期满，一键认定", "The notice has ended: recognise")
                    question=("将认定本公示中未被异议撤回的全部单位，发放证书并向社会公布，认定后不能撤回。确定认定？", "Every unit on this notice that was not withdrawn is recognised, given a certificate and published; this cannot be undone. Recognise them?")
                    act=("确认认定", "Yes, recognise")
                    testid="recognise"
                />
            </form>
        })}
        <section class="summary">
            <h2>{move || locale.get().pick("异议", "Objections")}</h2>
            {d.objections.is_empty().then(|| view! { <p class="empty">{move || locale.get().pick("暂无异议。", "No objections.")}</p> })}
            <ul class="review-list" data-testid="objections">
                {d.objections.into_iter().map(|o| {
                    let status = o.status;
                    let (zh, en) = status.name();
                    let oid = o.id;
                    let staff = staff.clone();
                    view! {
                        <li class="review-card" data-testid="objection">
                            <p><strong>{move || locale.get().pick(zh, en)}</strong>{format!(" · {} · {}", o.name, o.contact)}</p>
                            <p>{o.facts.clone()}</p>
                            {(!o.evidence.is_empty()).then(|| view! { <p class="panel__lead">{move || locale.get().pick("证据：", "Evidence: ")}{o.evidence.clone()}</p> })}
                            <p class="panel__lead">{move || locale.get().pick("答复期限：", "Respond by: ")}{move || crate::format::date(locale.get(), &o.respond_by)}
                                {o.assigned_to.clone().map(|a| view! { " · " {move || locale.get().pick("承办：", "Assigned to: ")}{a.clone()} })}</p>
                            {o.outcome.clone().map(|x| view! { <p>{move || locale.get().pick("结论：", "Finding: ")}{x.clone()}</p> })}
                            {(status != domain::notice::ObjectionStatus::Dismissed).then(|| view! {
                                <form method="post" action=format!("/objections/{oid}/assign") class="inline-form">
                                    <label>{move || locale.get().pick("交办给", "Assign to")}
                                        <select name="staff">{staff.iter().map(|(sid, n)| view! { <option value=*sid>{n.clone()}</option> }).collect_view()}</select>
                                    </label>
                                    <button class="button button--secondary button--small">{move || locale.get().pick("交办", "Assign")}</button>
                                </form>
                                <form method="post" action=format!("/objections/{oid}/decide") class="decision">
                                    <label>{move || locale.get().pick("核查结论", "Finding")}<textarea name="outcome" rows="2" maxlength="1000"></textarea></label>
                                    <div class="wizard-nav">
                                        <button class="button button--secondary" name="status" value="upheld" data-testid="uphold">{move || locale.get().pick("异议成立（暂缓认定）", "Uphold (hold the recognition)")}</button>
                                        <button class="button" name="status" value="dismissed" data-testid="dismiss">{move || locale.get().pick("异议不成立", "Dismiss")}</button>
                                    </div>
                                </form>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
