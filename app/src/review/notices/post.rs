//! The no-JS form handlers (server only): publish a notice, settings, the holiday
//! calendar, objections and recognition.

use super::super::common::{self, field, text, CountyOffice, Staff};
use super::{NoticeDeskNote, NoticeNote};
use crate::state::AppState;
use crate::usecases::notices::{self as usecase, NewNotice, NoticeRefusal, ObjectionDecided};
use crate::usecases::notices::{publish, Publication};
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
    let notice = NewNotice {
        title,
        working_days: days,
        starts_on: NaiveDate::parse_from_str(&field(&p, "published_on"), "%Y-%m-%d").ok(),
        applications: apps,
    };
    let actor = crate::usecases::Actor::new(user, addr);
    match publish(store, &actor, &notice).await {
        Ok(Publication::Published(id)) => {
            to(&NoticeNote::OkPublished.done_at(&format!("/notices/{id}")))
        }
        Ok(Publication::Refused(problem)) => refuse(match problem {
            NoticeRefusal::TooShort => NoticeDeskNote::TooShort,
            NoticeRefusal::TooLong => NoticeDeskNote::TooLong,
            NoticeRefusal::NothingChosen => NoticeDeskNote::NothingChosen,
            NoticeRefusal::Title => NoticeDeskNote::Title,
            NoticeRefusal::Date => NoticeDeskNote::Date,
            NoticeRefusal::State => NoticeDeskNote::State,
        }),
        Err(e) => {
            tracing::warn!(error = ?e, "notice not published");
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
    let actor = crate::usecases::Actor::new(user, addr);
    match usecase::decide_objection(store, &actor, &o, status, &outcome).await {
        Ok(ObjectionDecided::Decided) => back(NoticeNote::OkDecided.done_at(&page)),
        Ok(ObjectionDecided::NoOutcome) => back(NoticeNote::Outcome.error_at(&page)),
        Ok(ObjectionDecided::NotOpen) => back(NoticeNote::State.error_at(&page)),
        Err(e) => {
            tracing::warn!(error = ?e, "objection not decided");
            back(NoticeNote::State.error_at(&page))
        }
    }
}

pub async fn recognise(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Staff { user, addr, .. }: Staff<CountyOffice>,
) -> Response {
    use crate::usecases::notices::{recognise, Recognition};
    let actor = crate::usecases::Actor::new(user, addr);
    match recognise(&state.store, &actor, id).await {
        Ok(Recognition::Recognised(n)) => {
            to(&format!("/notices/{id}?done={}{n}", super::RECOGNISED))
        }
        Ok(Recognition::NoticeRunning) => {
            to(&NoticeNote::Running.error_at(&format!("/notices/{id}")))
        }
        Err(e) => {
            tracing::warn!(?e, "recognition failed");
            to(&NoticeNote::State.error_at(&format!("/notices/{id}")))
        }
    }
}
