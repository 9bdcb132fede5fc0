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
    use crate::usecases::settings::{notice, Saved};
    let Ok(days) = field(&p, "working_days").parse::<u32>() else {
        return to(&NoticeDeskNote::TooShort.error_at("/notices"));
    };
    let first_day_counts = field(&p, "first_day_counts") == "on";
    let actor = crate::usecases::Actor::new(user, addr);
    match notice(&state.store, &actor, days, first_day_counts).await {
        Ok(Saved::Saved) => to(&NoticeDeskNote::OkSettings.done_at("/notices")),
        Ok(Saved::TooLow) => to(&NoticeDeskNote::TooShort.error_at("/notices")),
        Ok(Saved::TooHigh) => to(&NoticeDeskNote::TooLong.error_at("/notices")),
        Err(e) => {
            tracing::error!(error = ?e, "notice settings not saved");
            to(&NoticeDeskNote::State.error_at("/notices"))
        }
    }
}

pub async fn load_calendar(
    State(state): State<AppState>,
    Staff { user, addr, .. }: Staff<CountyOffice>,
    multipart: Multipart,
) -> Response {
    use crate::usecases::settings::{holiday_calendar, CalendarLoaded};
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
    let actor = crate::usecases::Actor::new(user, addr);
    match holiday_calendar(store, &actor, &json).await {
        Ok(CalendarLoaded::Loaded(_)) => to(&NoticeDeskNote::OkCalendar.done_at("/notices")),
        Ok(CalendarLoaded::Invalid) => to(&NoticeDeskNote::Calendar.error_at("/notices")),
        Err(e) => {
            tracing::error!(error = ?e, "holiday calendar not saved");
            to(&NoticeDeskNote::Calendar.error_at("/notices"))
        }
    }
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
    let Ok(staff_id) = field(&p, "staff").parse::<i64>() else {
        return to(&NoticeNote::State.error_at(&page));
    };
    let actor = crate::usecases::Actor::new(user, addr);
    match usecase::assign_objection(store, &actor, oid, staff_id).await {
        Ok(true) => to(&NoticeNote::OkAssigned.done_at(&page)),
        Ok(false) => to(&NoticeNote::State.error_at(&page)),
        Err(e) => {
            tracing::warn!(error = ?e, "objection not assigned");
            to(&NoticeNote::State.error_at(&page))
        }
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
