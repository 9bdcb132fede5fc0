//! An applicant submits an application; an agent hands one it prepared over to the
//! merchant, who accepts it or removes it.

use super::Actor;
use crate::applications::handlers::{
    contact_fields, is_editable_by, visible, wizard_data_of, Viewer,
};
use crate::errors::AppError;
use domain::application::{Draft, Step};
use domain::lifecycle::{Action, Facts};
use store::Store;

/// What came of a submission or a handing over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Finished {
    Submitted,
    HandedOver,
    /// The self-check still finds something missing: nothing changed.
    NotReady,
    /// The application changed since `revision` was shown: nothing changed.
    Stale,
}

/// The applicant submits revision `revision` of application `id` to the township.
#[tracing::instrument(skip_all, fields(application = id))]
pub async fn submit(
    store: &Store,
    actor: &Actor,
    id: i64,
    revision: i64,
) -> Result<Finished, AppError> {
    if may_finish(store, actor, id, Viewer::Applicant)
        .await?
        .is_none()
    {
        return Ok(Finished::NotReady);
    }
    let event = actor.audit(
        "application.submit",
        format!("application:{id}"),
        format!("revision {revision}"),
    );
    if store
        .submit_application(id, revision, actor.user.account_id, &event)
        .await?
    {
        Ok(Finished::Submitted)
    } else {
        Ok(Finished::Stale)
    }
}

/// The agent that prepared application `id` hands it to the merchant, who submits it.
#[tracing::instrument(skip_all, fields(application = id))]
pub async fn hand_over(store: &Store, actor: &Actor, id: i64) -> Result<Finished, AppError> {
    let Some(revision) = may_finish(store, actor, id, Viewer::Agent).await? else {
        return Ok(Finished::NotReady);
    };
    let event = actor.audit(
        "application.hand_over",
        format!("application:{id}"),
        format!("revision {revision}"),
    );
    store.hand_over(id, &event).await?;
    Ok(Finished::HandedOver)
}

/// The revision of application `id` when `actor` may finish it as `who` and its
/// self-check is ready for that step; None when something is still missing. Refused when
/// the application is not theirs to finish or no longer editable.
async fn may_finish(
    store: &Store,
    actor: &Actor,
    id: i64,
    who: Viewer,
) -> Result<Option<i64>, AppError> {
    let (app, viewer) = visible(store, &actor.user, id).await?;
    if viewer != who || !is_editable_by(&app, viewer) {
        return Err(AppError::Forbidden);
    }
    let revision = app.revision;
    let check = wizard_data_of(store, &actor.user, app, viewer)
        .await?
        .self_check();
    let ready = match who {
        Viewer::Agent => check.ready_to_hand_over(),
        _ => check.ready(),
    };
    Ok(ready.then_some(revision))
}

/// What came of accepting an agent's proposal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proposal {
    /// The proposal is the merchant's draft now.
    Accepted,
    /// The merchant has an application of its own in this batch already: nothing changed.
    AlreadyHasOne,
}

/// The merchant accepts an agent's proposal: it becomes the merchant's draft, with the
/// merchant's own contact details filled in where the agent left them empty (the agent
/// never saw them).
#[tracing::instrument(skip_all, fields(application = id))]
pub async fn accept_proposal(store: &Store, actor: &Actor, id: i64) -> Result<Proposal, AppError> {
    let (app, viewer) = visible(store, &actor.user, id).await?;
    if viewer != Viewer::Applicant
        || domain::lifecycle::next(app.state, Action::Accept, &Facts::default()).is_err()
    {
        return Err(AppError::Forbidden);
    }
    let org = store
        .organisation(app.organisation_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut draft = Draft::from_json(&app.data);
    let section = draft
        .sections
        .entry(Step::Identity.code().to_string())
        .or_default();
    for (name, value) in contact_fields(&org) {
        let slot = section.entry(name.to_string()).or_default();
        if slot.trim().is_empty() {
            *slot = value.to_string();
        }
    }
    let event = actor.audit(
        "application.accept_proposal",
        format!("application:{id}"),
        format!("prepared by organisation {:?}", app.agent_organisation_id),
    );
    match store.accept_proposal(id, &draft.to_json(), &event).await {
        Ok(true) => Ok(Proposal::Accepted),
        Ok(false) => Err(AppError::Forbidden),
        Err(store::StoreError::Duplicate(_)) => Ok(Proposal::AlreadyHasOne),
        Err(e) => Err(e.into()),
    }
}

/// The merchant removes an application an agent prepared for it (never submitted).
#[tracing::instrument(skip_all, fields(application = id))]
pub async fn remove_agent_draft(store: &Store, actor: &Actor, id: i64) -> Result<(), AppError> {
    let (app, viewer) = visible(store, &actor.user, id).await?;
    if viewer != Viewer::Applicant || app.agent_organisation_id.is_none() {
        return Err(AppError::Forbidden);
    }
    let event = actor.audit(
        "application.remove_agent_draft",
        format!("application:{id}"),
        format!("prepared by organisation {:?}", app.agent_organisation_id),
    );
    if !store.remove_agent_draft(id, &event).await? {
        return Err(AppError::Forbidden);
    }
    Ok(())
}
