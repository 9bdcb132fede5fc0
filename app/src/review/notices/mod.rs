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

mod admin;
#[cfg(feature = "ssr")]
pub mod post;

pub use admin::*;

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
    let recognised = n.recognised_at.is_some()
        && !listed
            .iter()
            .any(|e| e.state == domain::lifecycle::State::OnNotice);
    let open_objections = store
        .objections_of_notice(n.id)
        .await?
        .iter()
        .filter(|o| o.status == domain::notice::ObjectionStatus::Open)
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
            <crate::forms::PostNote text=NoticeDeskNote::describe testid="notice-note"/>
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

crate::notes::notes! {
    pub enum NoticeDeskNote {
        OkPublished = "ok.published" => ("公示已发布。", "The notice is published."),
        OkCalendar = "ok.calendar" => ("节假日安排已载入。", "The holiday calendar is loaded."),
        OkSettings = "ok.settings" => ("公示设置已保存。", "Notice settings saved."),
        TooShort = "too_short" => ("公示期不得少于 5 个工作日，请改为 5 或以上。", "A notice runs at least 5 working days: enter 5 or more."),
        TooLong = "too_long" => ("公示期最多 60 个工作日。", "A notice runs at most 60 working days."),
        NothingChosen = "none" => ("请至少勾选一家通过评审的单位。", "Tick at least one passed applicant."),
        Date = "date" => ("公示开始日期格式应为 2026-12-01，且不得早于今天。", "The start date reads like 2026-12-01 and cannot be before today."),
        Title = "title" => ("请填写公示标题。", "Write the notice's title."),
        Calendar = "calendar" => ("不是有效的节假日文件（holiday-cn JSON 格式，含 year 和 days）。", "Not a valid holiday file (holiday-cn JSON with year and days)."),
        State = "state" => ("操作未完成，请刷新后重试。", "That did not go through; reload and try again."),
        _ => State,
    }
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
