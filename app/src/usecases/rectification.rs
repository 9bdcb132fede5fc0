//! 整改: an applicant that failed the county review reports its rectification and asks
//! for acceptance (the panel scores it again).

use super::Actor;
use crate::applications::handlers::{visible, Viewer};
use crate::errors::AppError;
use crate::review::common;
use domain::lifecycle::{Action, Facts, State};
use store::applications::Application;
use store::Store;

/// What came of a rectification step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rectified {
    Done,
    /// The report was empty: nothing changed.
    NoReport,
    /// Acceptance asked for before the report, and before the deadline: nothing changed.
    Early,
    /// Not the actor's application, or not rectifying: nothing changed.
    NotOpen,
}

/// The actor's own application `id`, while it is rectifying.
async fn own_open(store: &Store, actor: &Actor, id: i64) -> Option<Application> {
    let (app, viewer) = visible(store, &actor.user, id).await.ok()?;
    (viewer == Viewer::Applicant && app.state == State::Rectifying).then_some(app)
}

/// The applicant reports what it changed (整改报告).
#[tracing::instrument(skip_all, fields(application = id))]
pub async fn report(
    store: &Store,
    actor: &Actor,
    id: i64,
    report: &str,
) -> Result<Rectified, AppError> {
    if own_open(store, actor, id).await.is_none() {
        return Ok(Rectified::NotOpen);
    }
    let report = report.trim();
    if report.is_empty() {
        return Ok(Rectified::NoReport);
    }
    let event = actor.audit(
        "rectification.report",
        format!("application:{id}"),
        report.chars().take(60).collect(),
    );
    Ok(if store.report_rectification(id, report, &event).await? {
        Rectified::Done
    } else {
        Rectified::NotOpen
    })
}

/// The applicant asks for acceptance: back to county review for another round, once it
/// has reported or the deadline has passed.
#[tracing::instrument(skip_all, fields(application = id))]
pub async fn request_acceptance(
    store: &Store,
    actor: &Actor,
    id: i64,
) -> Result<Rectified, AppError> {
    let Some(app) = own_open(store, actor, id).await else {
        return Ok(Rectified::NotOpen);
    };
    let Some(case) = store.rectification(id).await? else {
        return Ok(Rectified::NotOpen);
    };
    let today = actor.today(store).await;
    let past = chrono::NaiveDate::parse_from_str(&case.due_on, "%Y-%m-%d")
        .map(|d| today > d)
        .unwrap_or(false);
    let facts = Facts {
        failed_before: true,
        rectification_reported: case.reported_at.is_some(),
        rectification_deadline_passed: past,
        ..Default::default()
    };
    if domain::lifecycle::next(State::Rectifying, Action::RequestAcceptance, &facts).is_err() {
        return Ok(Rectified::Early);
    }
    let event = actor.audit(
        "rectification.request_acceptance",
        format!("application:{id}"),
        String::new(),
    );
    if !store.request_acceptance(id, &facts, &event).await? {
        return Ok(Rectified::NotOpen);
    }
    common::notify_org(
        store,
        app.organisation_id,
        "已申请整改验收，等待县级评审组复评。",
        "Acceptance requested: the county panel will score the application again.",
        "/apply",
    )
    .await;
    Ok(Rectified::Done)
}

/// What came of adding a file to a rectification item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemFile {
    Kept,
    /// Empty, too large, of a type not accepted, or no room left: nothing kept.
    Refused(domain::application::UploadProblem),
    /// Not the actor's application, not rectifying, or no such item: nothing changed.
    NotOpen,
}

/// The applicant adds evidence of what it changed for rectification item `item` (the
/// index in the panel's list of items to rectify).
#[tracing::instrument(skip_all, fields(application = id))]
pub async fn upload(
    store: &Store,
    objects: &store::objects::ObjectStore,
    actor: &Actor,
    id: i64,
    item: &str,
    file: crate::applications::handlers::Upload,
) -> Result<ItemFile, AppError> {
    use super::evidence::{keep, Kept};
    if own_open(store, actor, id).await.is_none() {
        return Ok(ItemFile::NotOpen);
    }
    let Some(case) = store.rectification(id).await? else {
        return Ok(ItemFile::NotOpen);
    };
    let known: Vec<serde_json::Value> = serde_json::from_str(&case.items).unwrap_or_default();
    if !known
        .iter()
        .any(|v| v["index"].as_u64().map(|i| i.to_string()).as_deref() == Some(item))
    {
        return Ok(ItemFile::NotOpen);
    }
    let slot = format!("rect.{item}");
    let event = actor.audit(
        "rectification.upload",
        format!("application:{id}"),
        slot.clone(),
    );
    Ok(
        match keep(store, objects, actor, id, &slot, file, &event).await? {
            Kept::Kept(_) => ItemFile::Kept,
            Kept::Refused(problem) => ItemFile::Refused(problem),
        },
    )
}
