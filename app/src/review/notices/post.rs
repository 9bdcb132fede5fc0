//! The no-JS form handlers (server only): publish a notice, settings, the holiday
//! calendar, objections and recognition.

use super::super::common::{self, field, text, CountyOffice, Staff};
use super::{NoticeDeskNote, NoticeNote};
use crate::accounts::CurrentUser;
use crate::errors::AppError;
use crate::state::AppState;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::NaiveDate;
use domain::Role;

type Posted = Form<Vec<(String, String)>>;

fn to(path: &str) -> Response {
    Redirect::to(path).into_response()
}

pub async fn create(
    State(state): State<AppState>,
    Staff { user, addr, .. }: Staff<CountyOffice>,
    Form(p): Posted,
) -> Response {
    let store = &state.store;
    let kept = format!(
        "&title={}&working_days={}&published_on={}",
        common::q(&field(&p, "title")),
        common::q(&field(&p, "working_days")),
        common::q(&field(&p, "published_on"))
    );
    let refuse = |note: NoticeDeskNote| to(&format!("{}{kept}", note.error_at("/notices")));
    let apps: Vec<i64> = p
        .iter()
        .filter(|(k, v)| k.starts_with("app.") && v == "on")
        .filter_map(|(k, _)| k[4..].parse().ok())
        .collect();
    let title = text(&p, "title", 120);
    let Ok(days) = field(&p, "working_days").parse::<u32>() else {
        return refuse(NoticeDeskNote::TooShort);
    };
    if let Some(problem) = domain::notice::notice_problems(days, apps.len()).first() {
        return refuse(match problem {
            domain::notice::NoticeProblem::TooShort => NoticeDeskNote::TooShort,
            domain::notice::NoticeProblem::TooLong => NoticeDeskNote::TooLong,
            domain::notice::NoticeProblem::NoApplications => NoticeDeskNote::NothingChosen,
        });
    }
    if title.is_empty() {
        return refuse(NoticeDeskNote::Title);
    }
    let today = common::today(store).await;
    let start = match NaiveDate::parse_from_str(&field(&p, "published_on"), "%Y-%m-%d") {
        Ok(d) if d >= today => d,
        _ => return refuse(NoticeDeskNote::Date),
    };
    let Ok(cal) = common::calendar(store).await else {
        return refuse(NoticeDeskNote::State);
    };
    let Ok(first_counts) = common::setting_u32(store, common::NOTICE_FIRST_DAY_COUNTS)
        .await
        .map(|v| v == 1)
    else {
        return refuse(NoticeDeskNote::State);
    };
    let ends = cal.period_end(start, days, first_counts);
    let Ok(Some(batch)) = store.open_batch(domain::application::COUNTY).await else {
        return refuse(NoticeDeskNote::State);
    };
    let published = start.format("%Y-%m-%d").to_string();
    let ends_text = ends.format("%Y-%m-%d").to_string();
    // The store names the notice in the entry once it has its number.
    let event = common::audit_event(
        &user,
        addr.clone(),
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
            to(&NoticeNote::OkPublished.done_at(&format!("/notices/{id}")))
        }
        Ok(None) => refuse(NoticeDeskNote::State),
        Err(e) => {
            tracing::warn!(error = %e, "notice not published");
            refuse(NoticeDeskNote::State)
        }
    }
}

pub async fn settings(
    State(state): State<AppState>,
    Staff { user, addr, .. }: Staff<CountyOffice>,
    Form(p): Posted,
) -> Response {
    let store = &state.store;
    let days: u32 = field(&p, "working_days").parse().unwrap_or(0);
    if days < domain::notice::MIN_NOTICE_WORKING_DAYS {
        return to(&NoticeDeskNote::TooShort.error_at("/notices"));
    }
    if days > 60 {
        return to(&NoticeDeskNote::TooLong.error_at("/notices"));
    }
    let counts = if field(&p, "first_day_counts") == "on" {
        "1"
    } else {
        "0"
    };
    let event = common::audit_event(
        &user,
        addr.clone(),
        "notice.settings",
        "settings".into(),
        format!("{days} working days, first day counts {counts}"),
    );
    let pairs = [
        (common::NOTICE_WORKING_DAYS.0, days.to_string()),
        (common::NOTICE_FIRST_DAY_COUNTS.0, counts.to_string()),
    ];
    if let Err(e) = store.set_settings(&pairs, &event).await {
        tracing::error!(error = %e, "notice settings not saved");
        return to(&NoticeDeskNote::State.error_at("/notices"));
    }
    to(&NoticeDeskNote::OkSettings.done_at("/notices"))
}

pub async fn load_calendar(
    State(state): State<AppState>,
    Staff { user, addr, .. }: Staff<CountyOffice>,
    multipart: Multipart,
) -> Response {
    let store = &state.store;
    let Ok(upload) = crate::applications::handlers::read_upload(store, multipart).await else {
        return to(&NoticeDeskNote::Calendar.error_at("/notices"));
    };
    let Some((_, bytes, _)) = upload.file else {
        return to(&NoticeDeskNote::Calendar.error_at("/notices"));
    };
    let Ok(json) = String::from_utf8(bytes) else {
        return to(&NoticeDeskNote::Calendar.error_at("/notices"));
    };
    let mut probe = domain::workdays::HolidayCalendar::default();
    let Ok((year, _)) = probe.load_holiday_cn(&json) else {
        return to(&NoticeDeskNote::Calendar.error_at("/notices"));
    };
    if !(2000..=2100).contains(&year) {
        return to(&NoticeDeskNote::Calendar.error_at("/notices"));
    }
    let event = common::audit_event(
        &user,
        addr.clone(),
        "calendar.load",
        format!("year:{year}"),
        String::new(),
    );
    if let Err(e) = store
        .save_holiday_calendar(i64::from(year), &json, user.account_id, &event)
        .await
    {
        tracing::error!(error = %e, "holiday calendar not saved");
        return to(&NoticeDeskNote::Calendar.error_at("/notices"));
    }
    to(&NoticeDeskNote::OkCalendar.done_at("/notices"))
}

pub async fn assign_objection(
    State(state): State<AppState>,
    Path(oid): Path<i64>,
    Staff { user, addr, .. }: Staff<CountyOffice>,
    Form(p): Posted,
) -> Response {
    let store = &state.store;
    let Ok(Some(o)) = store.objection(oid).await else {
        return to(&NoticeDeskNote::State.error_at("/notices"));
    };
    let page = format!("/notices/{}", o.notice_id);
    let back = |to_note: String| to(&to_note);
    let Ok(staff_id) = field(&p, "staff").parse::<i64>() else {
        return back(NoticeNote::State.error_at(&page));
    };
    let Ok(Some(acc)) = store.account(staff_id).await else {
        return back(NoticeNote::State.error_at(&page));
    };
    if acc.role != Role::CountyOffice.code() && acc.role != Role::TownshipReviewer.code() {
        return back(NoticeNote::State.error_at(&page));
    }
    match store
        .assign_objection(
            oid,
            staff_id,
            &o.respond_by,
            &common::audit_event(
                &user,
                addr.clone(),
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
            back(NoticeNote::OkAssigned.done_at(&page))
        }
        _ => back(NoticeNote::State.error_at(&page)),
    }
}

pub async fn decide_objection(
    State(state): State<AppState>,
    Path(oid): Path<i64>,
    Staff { user, addr, .. }: Staff<CountyOffice>,
    Form(p): Posted,
) -> Response {
    let store = &state.store;
    let Ok(Some(o)) = store.objection(oid).await else {
        return to(&NoticeDeskNote::State.error_at("/notices"));
    };
    let page = format!("/notices/{}", o.notice_id);
    let back = |to_note: String| to(&to_note);
    let status = match domain::notice::ObjectionStatus::parse(&field(&p, "status")) {
        Some(
            s @ (domain::notice::ObjectionStatus::Upheld
            | domain::notice::ObjectionStatus::Dismissed),
        ) => s,
        _ => return back(NoticeNote::State.error_at(&page)),
    };
    let outcome = text(&p, "outcome", 1000);
    if outcome.is_empty() {
        return back(NoticeNote::Outcome.error_at(&page));
    }
    match store
        .decide_objection(
            oid,
            status.code(),
            &outcome,
            user.account_id,
            &common::audit_event(
                &user,
                addr.clone(),
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
            back(NoticeNote::OkDecided.done_at(&page))
        }
        _ => back(NoticeNote::State.error_at(&page)),
    }
}

pub async fn recognise(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Staff { user, addr, .. }: Staff<CountyOffice>,
) -> Response {
    match recognise_inner(&state, &user, addr.clone(), id).await {
        Ok(n) => to(&format!("/notices/{id}?done={}{n}", super::RECOGNISED)),
        Err(AppError::BadRequest) => to(&NoticeNote::Running.error_at(&format!("/notices/{id}"))),
        Err(e) => {
            tracing::warn!(?e, "recognition failed");
            to(&NoticeNote::State.error_at(&format!("/notices/{id}")))
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
