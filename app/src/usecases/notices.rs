//! 公示 and 认定: the county office puts passed applications on public notice, and
//! recognises them when the notice period is over.

use super::Actor;
use crate::errors::AppError;
use crate::review::common;
use chrono::NaiveDate;
use domain::lifecycle::{next, Action, Facts, State as S};
use store::Store;

/// A notice the office publishes.
pub struct NewNotice {
    pub title: String,
    pub working_days: u32,
    /// The first day; None when the date given was not a date.
    pub starts_on: Option<NaiveDate>,
    pub applications: Vec<i64>,
}

/// Why a notice was not published (nothing changed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticeRefusal {
    /// Fewer working days than the plan's minimum of 5.
    TooShort,
    TooLong,
    NothingChosen,
    /// No title.
    Title,
    /// No date, or a date in the past.
    Date,
    /// No open batch, or an application no longer waiting for a notice.
    State,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Publication {
    Published(i64),
    Refused(NoticeRefusal),
}

/// Publishes the notice (its end counted in working days on the holiday calendar) and
/// tells each applicant on it.
#[tracing::instrument(skip_all)]
pub async fn publish(
    store: &Store,
    actor: &Actor,
    notice: &NewNotice,
) -> Result<Publication, AppError> {
    use Publication::Refused;
    actor.must_be(domain::Role::CountyOffice)?;
    let (days, apps) = (notice.working_days, &notice.applications);
    if let Some(problem) = domain::notice::notice_problems(days, apps.len()).first() {
        return Ok(Refused(match problem {
            domain::notice::NoticeProblem::TooShort => NoticeRefusal::TooShort,
            domain::notice::NoticeProblem::TooLong => NoticeRefusal::TooLong,
            domain::notice::NoticeProblem::NoApplications => NoticeRefusal::NothingChosen,
        }));
    }
    let title = notice.title.trim();
    if title.is_empty() {
        return Ok(Refused(NoticeRefusal::Title));
    }
    let today = actor.today(store).await;
    let start = match notice.starts_on {
        Some(d) if d >= today => d,
        _ => return Ok(Refused(NoticeRefusal::Date)),
    };
    let cal = common::calendar(store).await?;
    let first_counts = common::setting_u32(store, common::NOTICE_FIRST_DAY_COUNTS).await? == 1;
    let ends = cal.period_end(start, days, first_counts);
    let Some(batch) = store.open_batch(domain::application::COUNTY).await? else {
        return Ok(Refused(NoticeRefusal::State));
    };
    let published = start.format("%Y-%m-%d").to_string();
    let ends_text = ends.format("%Y-%m-%d").to_string();
    // The store names the notice in the entry once it has its number.
    let event = actor.audit(
        "notice.publish",
        String::new(),
        format!("{} applicants, {published} → {ends_text}", apps.len()),
    );
    let Some(id) = store
        .publish_notice(
            batch.id,
            title,
            &published,
            &ends_text,
            i64::from(days),
            first_counts,
            actor.user.account_id,
            apps,
            &event,
        )
        .await?
    else {
        return Ok(Refused(NoticeRefusal::State));
    };
    for app in apps {
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
    Ok(Publication::Published(id))
}

/// What came of a recognition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recognition {
    /// This many units were recognised.
    Recognised(usize),
    /// The notice period is not over: nothing changed.
    NoticeRunning,
}

/// The county office recognises every entry of notice `id` that drew no upheld
/// objection, once the notice period is over: certificate numbers, validity to the end
/// of the batch, and a message to each unit.
#[tracing::instrument(skip_all, fields(notice = id))]
pub async fn recognise(store: &Store, actor: &Actor, id: i64) -> Result<Recognition, AppError> {
    actor.must_be(domain::Role::CountyOffice)?;
    let n = store.notice(id).await?.ok_or(AppError::NotFound)?;
    let today = actor.today(store).await;
    let ends = NaiveDate::parse_from_str(&n.ends_on, "%Y-%m-%d").map_err(AppError::internal)?;
    // The state machine decides; the store applies it to each entry without objections.
    let facts = Facts {
        notice_period_complete: today > ends,
        ..Default::default()
    };
    if next(S::OnNotice, Action::Recognise, &facts).is_err() {
        return Ok(Recognition::NoticeRunning);
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
    let event = actor.audit("notice.recognise", format!("notice:{id}"), String::new());
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
    Ok(Recognition::Recognised(done.len()))
}
/// What came of deciding an objection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectionDecided {
    Decided,
    /// No outcome was written: nothing changed.
    NoOutcome,
    /// The objection was decided already: nothing changed.
    NotOpen,
}

/// The county office decides objection `o` (upheld or dismissed) with the outcome the
/// objector and the unit will read, and tells the unit.
#[tracing::instrument(skip_all, fields(objection = o.id))]
pub async fn decide_objection(
    store: &Store,
    actor: &Actor,
    o: &store::county::Objection,
    status: domain::notice::ObjectionStatus,
    outcome: &str,
) -> Result<ObjectionDecided, AppError> {
    use domain::notice::ObjectionStatus;
    actor.must_be(domain::Role::CountyOffice)?;
    if !matches!(status, ObjectionStatus::Upheld | ObjectionStatus::Dismissed) {
        return Ok(ObjectionDecided::NotOpen);
    }
    let outcome = outcome.trim();
    if outcome.is_empty() {
        return Ok(ObjectionDecided::NoOutcome);
    }
    let event = actor.audit(
        &format!("objection.{}", status.code()),
        format!("objection:{}", o.id),
        outcome.chars().take(60).collect(),
    );
    if !store
        .decide_objection(o.id, status.code(), outcome, actor.user.account_id, &event)
        .await?
    {
        return Ok(ObjectionDecided::NotOpen);
    }
    if let Some(a) = store.application(o.application_id).await? {
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
    Ok(ObjectionDecided::Decided)
}

/// The county office hands objection `id` to a county or township staff member to check
/// by its respond-by date, and tells them. False: not open any more (nothing changed).
#[tracing::instrument(skip_all, fields(objection = id))]
pub async fn assign_objection(
    store: &Store,
    actor: &Actor,
    id: i64,
    staff: i64,
) -> Result<bool, AppError> {
    use domain::Role;
    actor.must_be(Role::CountyOffice)?;
    let o = store.objection(id).await?.ok_or(AppError::NotFound)?;
    let to = store.account(staff).await?.ok_or(AppError::BadRequest)?;
    if to.role != Role::CountyOffice.code() && to.role != Role::TownshipReviewer.code() {
        return Err(AppError::BadRequest);
    }
    let event = actor.audit(
        "objection.assign",
        format!("objection:{id}"),
        format!("to {}", to.login),
    );
    if !store
        .assign_objection(id, staff, &o.respond_by, &event)
        .await?
    {
        return Ok(false);
    }
    common::notify_account(
        store,
        staff,
        &format!("请于 {} 前核查一件公示异议。", o.respond_by),
        &format!("Check an objection to a public notice by {}.", o.respond_by),
        &format!("/notices/{}", o.notice_id),
    )
    .await;
    Ok(true)
}
