//! Public notice (公示) and recognition (认定), the county office's side: publish a
//! notice for passed applications (N working days on the holiday calendar, never fewer
//! than five), load next year's calendar, assign and decide objections, then recognise
//! everyone whose notice ended without an open or upheld objection — in one step.

use crate::errors::AppError;
use crate::i18n::{t, use_locale, Msg};
use crate::layout::Title;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeSummary {
    pub id: i64,
    pub title: String,
    pub published_on: String,
    pub ends_on: String,
    pub working_days: i64,
    pub status: domain::notice::NoticeStatus,
    pub entries: usize,
    pub open_objections: usize,
    pub recognised: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeDesk {
    pub today: String,
    pub batch: Option<(i64, String)>,
    /// Passed applications waiting for a notice: (id, organisation, category).
    pub passed: Vec<(i64, String, domain::Category)>,
    pub notices: Vec<NoticeSummary>,
    pub working_days: u32,
    pub first_day_counts: bool,
    /// Holiday years known: (year, loaded by the office rather than built in).
    pub calendar_years: Vec<(i32, bool)>,
}

/// A notice's status and counts, as office and public pages show them.
#[cfg(feature = "ssr")]
pub async fn summarise(
    store: &store::Store,
    cal: &domain::workdays::HolidayCalendar,
    today: chrono::NaiveDate,
    n: store::county::Notice,
) -> Result<NoticeSummary, AppError> {
    let parse =
        |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(AppError::internal);
    let status = domain::notice::notice_status(
        cal,
        today,
        parse(&n.published_on)?,
        parse(&n.ends_on)?,
        n.first_day_counts,
    );
    let listed = store.notice_entries(n.id).await?;
    let entries = listed.len();
    // Recognised once nobody on it is still waiting (a held applicant keeps it open).
    let recognised = n.recognised_at.is_some() && !listed.iter().any(|e| e.state == "on_notice");
    let open_objections = store
        .objections_of_notice(n.id)
        .await?
        .iter()
        .filter(|o| o.status == "open")
        .count();
    Ok(NoticeSummary {
        id: n.id,
        title: n.title,
        published_on: n.published_on,
        ends_on: n.ends_on,
        working_days: n.working_days,
        status,
        entries,
        open_objections,
        recognised,
    })
}

#[server(prefix = "/api", endpoint = "notice_desk")]
#[tracing::instrument(skip_all)]
pub async fn fetch_notice_desk() -> Result<NoticeDesk, AppError> {
    use super::common::*;
    crate::accounts::session::require_role(&[domain::Role::CountyOffice])?;
    let store = crate::state::store()?;
    let today = today(&store).await;
    let cal = calendar(&store).await?;
    let batch = store.open_batch(domain::application::COUNTY).await?;
    let mut passed = Vec::new();
    if let Some(b) = &batch {
        for a in store
            .applications_in_state(b.id, domain::lifecycle::State::Passed)
            .await?
        {
            passed.push((
                a.id,
                organisation_name(&store, a.organisation_id).await,
                domain::Category::parse(&a.category_code).unwrap_or(domain::Category::Unit),
            ));
        }
    }
    let mut notices = Vec::new();
    for n in store.notices().await? {
        notices.push(summarise(&store, &cal, today, n).await?);
    }
    let loaded: Vec<i64> = store
        .holiday_calendars()
        .await?
        .iter()
        .map(|(y, _, _)| *y)
        .collect();
    let calendar_years = (2020..=today
        .format("%Y")
        .to_string()
        .parse::<i32>()
        .unwrap_or(2026)
        + 1)
        .filter(|y| cal.knows_year(*y))
        .map(|y| (y, loaded.contains(&i64::from(y))))
        .collect();
    Ok(NoticeDesk {
        today: today.format("%Y-%m-%d").to_string(),
        batch: batch.map(|b| (b.id, b.name_zh)),
        passed,
        notices,
        working_days: setting_u32(&store, NOTICE_WORKING_DAYS)
            .await?
            .max(domain::notice::MIN_NOTICE_WORKING_DAYS),
        first_day_counts: setting_u32(&store, NOTICE_FIRST_DAY_COUNTS).await? == 1,
        calendar_years,
    })
}

pub fn status_text(s: domain::notice::NoticeStatus, l: domain::Locale) -> String {
    use domain::notice::NoticeStatus::*;
    match s {
        Upcoming => l.pick("尚未开始", "Not started").to_string(),
        Running { working_days_left } => format!(
            "{}{working_days_left}{}",
            l.pick("公示中 · 还剩 ", "Running · "),
            l.pick(" 个工作日", " working days left")
        ),
        Ended => l.pick("公示期满", "Ended").to_string(),
    }
}

#[component]
pub fn NoticeDeskPage() -> impl IntoView {
    let locale = use_locale();
    let data = Resource::new_blocking(|| (), |_| fetch_notice_desk());
    view! {
        <Title text=move || format!("{} · {}", locale.get().pick("公示与认定", "Notices and recognition"), Msg::AppName.text(locale.get()))/>
        <section class="panel">
            <h1>{move || locale.get().pick("公示与认定", "Notices and recognition")}</h1>
            <crate::forms::PostNote text=desk_note testid="notice-note"/>
            <Suspense fallback=move || view! { <p>{t(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(d) => view! { <DeskBody d=d/> }.into_any(),
                        Err(e) => view! { <crate::forms::PageError error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

fn desk_note(code: &str, l: domain::Locale) -> String {
    match code {
        "ok.published" => l.pick("公示已发布。", "The notice is published."),
        "ok.calendar" => l.pick("节假日安排已载入。", "The holiday calendar is loaded."),
        "ok.settings" => l.pick("公示设置已保存。", "Notice settings saved."),
        "too_short" => l.pick(
            "公示期不得少于 5 个工作日，请改为 5 或以上。",
            "A notice runs at least 5 working days: enter 5 or more.",
        ),
        "too_long" => l.pick(
            "公示期最多 60 个工作日。",
            "A notice runs at most 60 working days.",
        ),
        "none" => l.pick(
            "请至少勾选一家通过评审的单位。",
            "Tick at least one passed applicant.",
        ),
        "date" => l.pick(
            "公示开始日期格式应为 2026-12-01，且不得早于今天。",
            "The start date reads like 2026-12-01 and cannot be before today.",
        ),
        "title" => l.pick("请填写公示标题。", "Write the notice's title."),
        "calendar" => l.pick(
            "不是有效的节假日文件（holiday-cn JSON 格式，含 year 和 days）。",
            "Not a valid holiday file (holiday-cn JSON with year and days).",
        ),
        _ => l.pick(
            "操作未完成，请刷新后重试。",
            "That did not go through; reload and try again.",
        ),
    }
    .to_string()
}

#[component]
fn DeskBody(d: NoticeDesk) -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let kept = move |k: &str| query.with_untracked(|q| q.get(k));
    let title_default = kept("title").unwrap_or_else(|| {
        format!(
            "{}拟认定名单公示",
            d.batch.as_ref().map(|b| b.1.clone()).unwrap_or_default()
        )
    });
    let wd = kept("working_days").unwrap_or_else(|| d.working_days.to_string());
    let start = kept("published_on").unwrap_or_else(|| d.today.clone());
    view! {
        <section class="summary">
            <h2>{move || locale.get().pick("发布公示", "Publish a notice")}</h2>
            {if d.passed.is_empty() {
                view! { <p class="empty" data-testid="no-passed">{move || locale.get().pick("暂无待公示的单位（县级评审通过后出现在这里）。", "Nobody is waiting for a notice (applicants appear here once they pass the county review).")}</p> }.into_any()
            } else {
                view! {
                    <form method="post" action="/notices/create" class="decision" data-testid="publish-form">
                        <fieldset>
                            <legend>{move || locale.get().pick("公示名单", "On the notice")}</legend>
                            {d.passed.iter().map(|(id, name, cat)| {
                                let (zh, en) = cat.name();
                                view! { <label class="check"><input type="checkbox" name=format!("app.{id}") checked=true/><span>{name.clone()}" · "{move || locale.get().pick(zh, en)}</span></label> }
                            }).collect_view()}
                        </fieldset>
                        <label>{move || locale.get().pick("标题", "Title")}<input type="text" name="title" maxlength="120" value=title_default/></label>
                        <label>{move || locale.get().pick("开始日期", "Starts on")}<input type="date" name="published_on" value=start min=d.today.clone()/></label>
                        <label>{move || locale.get().pick("公示期（工作日，不少于 5）", "Runs for (working days, at least 5)")}<input type="number" name="working_days" min="5" max="60" value=wd inputmode="numeric"/></label>
                        <p class="panel__lead">{move || if d.first_day_counts {
                            locale.get().pick("发布当天计为第 1 个工作日（可在下方设置中修改）。", "The publication day counts as day 1 (change it in the settings below).")
                        } else {
                            locale.get().pick("发布当天不计入，从下一个工作日起算（可在下方设置中修改）。", "Counting starts the working day after publication (change it in the settings below).")
                        }}</p>
                        <button class="button" data-testid="publish">{move || locale.get().pick("发布公示", "Publish")}</button>
                    </form>
                }.into_any()
            }}
        </section>
        <section class="summary">
            <h2>{move || locale.get().pick("公示记录", "Notices")}</h2>
            <ul class="app-list" data-testid="notices">
                {d.notices.into_iter().map(|n| view! {
                    <li class="app-list__item">
                        <a class="app-list__link" href=format!("/notices/{}", n.id)><span class="app-list__name">{n.title.clone()}</span></a>
                        <span class="app-list__meta">{format!("{} → {} · ", n.published_on, n.ends_on)}{move || status_text(n.status, locale.get())}
                            {(n.open_objections > 0).then(|| view! { " · " <strong>{move || format!("{}{}", n.open_objections, locale.get().pick(" 件异议待处理", " open objections"))}</strong> })}
                            {n.recognised.then(|| view! { " · " {move || locale.get().pick("已认定", "recognised")} })}
                        </span>
                    </li>
                }).collect_view()}
            </ul>
        </section>
        <section class="summary">
            <h2>{move || locale.get().pick("公示设置与节假日", "Notice settings and holidays")}</h2>
            <form method="post" action="/notices/settings" class="inline-form">
                <label>{move || locale.get().pick("默认公示期（工作日）", "Default length (working days)")}<input type="number" name="working_days" min="5" max="60" value=d.working_days inputmode="numeric"/></label>
                <label class="check"><input type="checkbox" name="first_day_counts" checked=d.first_day_counts/><span>{move || locale.get().pick("发布当天计为第 1 天", "The publication day is day 1")}</span></label>
                <button class="button button--secondary">{move || locale.get().pick("保存", "Save")}</button>
            </form>
            <p class="panel__lead">{move || locale.get().pick("已知节假日安排的年份：", "Years with the official holiday calendar: ")}
                {d.calendar_years.iter().map(|(y, loaded)| format!("{y}{} ", if *loaded { "*" } else { "" })).collect::<String>()}
            </p>
            <form method="post" action="/notices/calendar" enctype="multipart/form-data" class="inline-form">
                <label>{move || locale.get().pick("载入国务院节假日安排（holiday-cn JSON 文件）", "Load the State Council's holiday calendar (a holiday-cn JSON file)")}<input type="file" name="file" accept=".json,application/json"/></label>
                <button class="button button--secondary">{move || locale.get().pick("载入", "Load")}</button>
            </form>
        </section>
    }
}

// ---- one notice ---------------------------------------------------------------------------

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
    pub status: String,
    pub outcome: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeAdmin {
    pub summary: NoticeSummary,
    /// (application, organisation, category, state, certificate token once recognised)
    pub entries: Vec<(i64, String, domain::Category, String, Option<String>)>,
    pub objections: Vec<ObjectionView>,
    pub staff: Vec<(i64, String)>,
}

#[server(prefix = "/api", endpoint = "notice_admin")]
#[tracing::instrument(skip_all)]
pub async fn fetch_notice_admin(id: i64) -> Result<NoticeAdmin, AppError> {
    use super::common::*;
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

fn admin_note(code: &str, l: domain::Locale) -> String {
    if let Some(n) = code.strip_prefix("ok.recognised.") {
        return format!(
            "{}{n}{}",
            l.pick("已认定 ", "Recognised "),
            l.pick(
                " 家单位，证书编号已生成。",
                " applicants; certificate numbers issued."
            )
        );
    }
    match code {
        "ok.published" => l.pick("公示已发布。", "The notice is published."),
        "ok.assigned" => l.pick("异议已交办。", "The objection is assigned."),
        "ok.decided" => l.pick("异议处理结果已记录。", "The outcome is recorded."),
        "running" => l.pick(
            "公示期未满，暂不能认定。",
            "The notice has not ended: recognition must wait.",
        ),
        "outcome" => l.pick("请写明核查结论。", "Write the finding."),
        _ => l.pick(
            "操作未完成，请刷新后重试。",
            "That did not go through; reload and try again.",
        ),
    }
    .to_string()
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
                    let (szh, sen) = crate::applications::state_text(&state);
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
                    let status = domain::notice::ObjectionStatus::parse(&o.status).unwrap_or(domain::notice::ObjectionStatus::Open);
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

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::super::common::{self, field, staff, text};
    use crate::accounts::session::ClientAddr;
    use crate::accounts::CurrentUser;
    use crate::errors::AppError;
    use crate::state::AppState;
    use axum::extract::{Multipart, Path, State};
    use axum::response::{IntoResponse, Redirect, Response};
    use axum::{Extension, Form};
    use chrono::NaiveDate;
    use domain::Role;

    type Posted = Form<Vec<(String, String)>>;

    fn to(path: &str) -> Response {
        Redirect::to(path).into_response()
    }

    pub async fn create(
        State(state): State<AppState>,
        user: Option<Extension<CurrentUser>>,
        addr: Option<Extension<ClientAddr>>,
        Form(p): Posted,
    ) -> Response {
        let Some(user) = staff(user, &[Role::CountyOffice]) else {
            return to("/login");
        };
        let store = &state.store;
        let kept = format!(
            "&title={}&working_days={}&published_on={}",
            common::q(&field(&p, "title")),
            common::q(&field(&p, "working_days")),
            common::q(&field(&p, "published_on"))
        );
        let refuse = |code: &str| to(&format!("/notices?error={code}{kept}"));
        let apps: Vec<i64> = p
            .iter()
            .filter(|(k, v)| k.starts_with("app.") && v == "on")
            .filter_map(|(k, _)| k[4..].parse().ok())
            .collect();
        let title = text(&p, "title", 120);
        let Ok(days) = field(&p, "working_days").parse::<u32>() else {
            return refuse("too_short");
        };
        if let Some(problem) = domain::notice::notice_problems(days, apps.len()).first() {
            return refuse(match problem {
                domain::notice::NoticeProblem::TooShort => "too_short",
                domain::notice::NoticeProblem::TooLong => "too_long",
                domain::notice::NoticeProblem::NoApplications => "none",
            });
        }
        if title.is_empty() {
            return refuse("title");
        }
        let today = common::today(store).await;
        let start = match NaiveDate::parse_from_str(&field(&p, "published_on"), "%Y-%m-%d") {
            Ok(d) if d >= today => d,
            _ => return refuse("date"),
        };
        let Ok(cal) = common::calendar(store).await else {
            return refuse("state");
        };
        let Ok(first_counts) = common::setting_u32(store, common::NOTICE_FIRST_DAY_COUNTS)
            .await
            .map(|v| v == 1)
        else {
            return refuse("state");
        };
        let ends = cal.period_end(start, days, first_counts);
        let Ok(Some(batch)) = store.open_batch(domain::application::COUNTY).await else {
            return refuse("state");
        };
        let published = start.format("%Y-%m-%d").to_string();
        let ends_text = ends.format("%Y-%m-%d").to_string();
        // The store names the notice in the entry once it has its number.
        let event = common::audit_event(
            &user,
            common::addr(&addr),
            "notice.publish",
            String::new(),
            format!("{} applicants, {published} → {ends_text}", apps.len()),
        );
        match store
            .publish_notice(
                batch.id,
                &title,
                &published,
                &ends_text,
                i64::from(days),
                first_counts,
                user.account_id,
                &apps,
                &event,
            )
            .await
        {
            Ok(Some(id)) => {
                for app in &apps {
                    if let Ok(Some(a)) = store.application(*app).await {
                        common::notify_org(
                            store,
                            a.organisation_id,
                            &format!("您的单位已列入公示（{published} 至 {ends_text}）。"),
                            &format!("You are on public notice from {published} to {ends_text}."),
                            &format!("/notice/{id}"),
                        )
                        .await;
                    }
                }
                to(&format!("/notices/{id}?done=ok.published"))
            }
            Ok(None) => refuse("state"),
            Err(e) => {
                tracing::warn!(error = %e, "notice not published");
                refuse("state")
            }
        }
    }

    pub async fn settings(
        State(state): State<AppState>,
        user: Option<Extension<CurrentUser>>,
        addr: Option<Extension<ClientAddr>>,
        Form(p): Posted,
    ) -> Response {
        let Some(user) = staff(user, &[Role::CountyOffice]) else {
            return to("/login");
        };
        let store = &state.store;
        let days: u32 = field(&p, "working_days").parse().unwrap_or(0);
        if days < domain::notice::MIN_NOTICE_WORKING_DAYS {
            return to("/notices?error=too_short");
        }
        if days > 60 {
            return to("/notices?error=too_long");
        }
        let counts = if field(&p, "first_day_counts") == "on" {
            "1"
        } else {
            "0"
        };
        if store
            .set_setting(common::NOTICE_WORKING_DAYS.0, &days.to_string())
            .await
            .is_err()
            || store
                .set_setting(common::NOTICE_FIRST_DAY_COUNTS.0, counts)
                .await
                .is_err()
        {
            return to("/notices?error=state");
        }
        let _ = common::audit(
            store,
            &user,
            common::addr(&addr),
            "notice.settings",
            "settings".into(),
            format!("{days} working days, first day counts {counts}"),
        )
        .await;
        to("/notices?done=ok.settings")
    }

    pub async fn load_calendar(
        State(state): State<AppState>,
        user: Option<Extension<CurrentUser>>,
        addr: Option<Extension<ClientAddr>>,
        multipart: Multipart,
    ) -> Response {
        let Some(user) = staff(user, &[Role::CountyOffice]) else {
            return to("/login");
        };
        let store = &state.store;
        let Ok(upload) = crate::applications::handlers::read_upload(store, multipart).await else {
            return to("/notices?error=calendar");
        };
        let Some((_, bytes, _)) = upload.file else {
            return to("/notices?error=calendar");
        };
        let Ok(json) = String::from_utf8(bytes) else {
            return to("/notices?error=calendar");
        };
        let mut probe = domain::workdays::HolidayCalendar::default();
        let Ok((year, _)) = probe.load_holiday_cn(&json) else {
            return to("/notices?error=calendar");
        };
        if !(2000..=2100).contains(&year)
            || store
                .save_holiday_calendar(i64::from(year), &json, user.account_id)
                .await
                .is_err()
        {
            return to("/notices?error=calendar");
        }
        let _ = common::audit(
            store,
            &user,
            common::addr(&addr),
            "calendar.load",
            format!("year:{year}"),
            String::new(),
        )
        .await;
        to("/notices?done=ok.calendar")
    }

    pub async fn assign_objection(
        State(state): State<AppState>,
        Path(oid): Path<i64>,
        user: Option<Extension<CurrentUser>>,
        addr: Option<Extension<ClientAddr>>,
        Form(p): Posted,
    ) -> Response {
        let Some(user) = staff(user, &[Role::CountyOffice]) else {
            return to("/login");
        };
        let store = &state.store;
        let Ok(Some(o)) = store.objection(oid).await else {
            return to("/notices?error=state");
        };
        let back = |c: &str| to(&format!("/notices/{}?{c}", o.notice_id));
        let Ok(staff_id) = field(&p, "staff").parse::<i64>() else {
            return back("error=state");
        };
        let Ok(Some(acc)) = store.account(staff_id).await else {
            return back("error=state");
        };
        if acc.role != Role::CountyOffice.code() && acc.role != Role::TownshipReviewer.code() {
            return back("error=state");
        }
        match store
            .assign_objection(
                oid,
                staff_id,
                &o.respond_by,
                &common::audit_event(
                    &user,
                    common::addr(&addr),
                    "objection.assign",
                    format!("objection:{oid}"),
                    format!("to {}", acc.login),
                ),
            )
            .await
        {
            Ok(true) => {
                common::notify_account(
                    store,
                    staff_id,
                    &format!("请于 {} 前核查一件公示异议。", o.respond_by),
                    &format!("Check an objection to a public notice by {}.", o.respond_by),
                    &format!("/notices/{}", o.notice_id),
                )
                .await;
                back("done=ok.assigned")
            }
            _ => back("error=state"),
        }
    }

    pub async fn decide_objection(
        State(state): State<AppState>,
        Path(oid): Path<i64>,
        user: Option<Extension<CurrentUser>>,
        addr: Option<Extension<ClientAddr>>,
        Form(p): Posted,
    ) -> Response {
        let Some(user) = staff(user, &[Role::CountyOffice]) else {
            return to("/login");
        };
        let store = &state.store;
        let Ok(Some(o)) = store.objection(oid).await else {
            return to("/notices?error=state");
        };
        let back = |c: &str| to(&format!("/notices/{}?{c}", o.notice_id));
        let status = match domain::notice::ObjectionStatus::parse(&field(&p, "status")) {
            Some(
                s @ (domain::notice::ObjectionStatus::Upheld
                | domain::notice::ObjectionStatus::Dismissed),
            ) => s,
            _ => return back("error=state"),
        };
        let outcome = text(&p, "outcome", 1000);
        if outcome.is_empty() {
            return back("error=outcome");
        }
        match store
            .decide_objection(
                oid,
                status.code(),
                &outcome,
                user.account_id,
                &common::audit_event(
                    &user,
                    common::addr(&addr),
                    &format!("objection.{}", status.code()),
                    format!("objection:{oid}"),
                    outcome.chars().take(60).collect(),
                ),
            )
            .await
        {
            Ok(true) => {
                if let Ok(Some(a)) = store.application(o.application_id).await {
                    let (zh, en) = status.name();
                    common::notify_org(
                        store,
                        a.organisation_id,
                        &format!("针对您的公示异议已处理：{zh}。"),
                        &format!("The objection to your notice was decided: {en}."),
                        &format!("/notice/{}", o.notice_id),
                    )
                    .await;
                }
                back("done=ok.decided")
            }
            _ => back("error=state"),
        }
    }

    pub async fn recognise(
        State(state): State<AppState>,
        Path(id): Path<i64>,
        user: Option<Extension<CurrentUser>>,
        addr: Option<Extension<ClientAddr>>,
    ) -> Response {
        let Some(user) = staff(user, &[Role::CountyOffice]) else {
            return to("/login");
        };
        match recognise_inner(&state, &user, common::addr(&addr), id).await {
            Ok(n) => to(&format!("/notices/{id}?done=ok.recognised.{n}")),
            Err(AppError::BadRequest) => to(&format!("/notices/{id}?error=running")),
            Err(e) => {
                tracing::warn!(?e, "recognition failed");
                to(&format!("/notices/{id}?error=state"))
            }
        }
    }

    async fn recognise_inner(
        state: &AppState,
        user: &CurrentUser,
        addr: String,
        id: i64,
    ) -> Result<usize, AppError> {
        use domain::lifecycle::{next, Action, Facts, State as S};
        let store = &state.store;
        let n = store.notice(id).await?.ok_or(AppError::NotFound)?;
        let today = common::today(store).await;
        let ends = NaiveDate::parse_from_str(&n.ends_on, "%Y-%m-%d").map_err(AppError::internal)?;
        // The state machine decides; the store applies it to each entry without objections.
        let facts = Facts {
            notice_period_complete: today > ends,
            ..Default::default()
        };
        if next(S::OnNotice, Action::Recognise, &facts).is_err() {
            return Err(AppError::BadRequest);
        }
        let batch = store.batch(n.batch_id).await?.ok_or(AppError::NotFound)?;
        let year = domain::notice::year_of(today);
        // Valid to the end of the batch: the year its review closes (and never less than
        // to the end of the year of recognition).
        let end_year = batch
            .review_closes
            .get(..4)
            .and_then(|y| y.parse::<i32>().ok())
            .unwrap_or(year)
            .max(year);
        let valid_until = domain::notice::valid_until(end_year)
            .format("%Y-%m-%d")
            .to_string();
        let on = today.format("%Y-%m-%d").to_string();
        let numbering = move |category: &str, seq: u32| {
            domain::notice::certificate_number(
                year,
                domain::Category::parse(category).unwrap_or(domain::Category::Unit),
                seq,
            )
        };
        // The store adds how many were recognised.
        let event = common::audit_event(
            user,
            addr,
            "notice.recognise",
            format!("notice:{id}"),
            String::new(),
        );
        let done = store
            .recognise_notice(id, &on, &valid_until, &numbering, &event)
            .await?;
        for app in &done {
            if let Ok(Some(r)) = store.recognition_of_application(*app).await {
                common::notify_org(
                    store,
                    r.organisation_id,
                    &format!(
                        "恭喜！您的单位已被认定为放心消费示范，证书编号 {}。",
                        r.certificate_no
                    ),
                    &format!(
                        "Recognised as a trusted-consumption demonstrator: certificate {}.",
                        r.certificate_no
                    ),
                    &format!("/certificate/{}", r.token),
                )
                .await;
            }
        }
        Ok(done.len())
    }
}
