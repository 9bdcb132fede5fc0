//! (server) An agent's proposal, from the merchant's side: accept it, which makes it the
//! merchant's draft with its own contact details filled in, or remove it (any draft an
//! agent prepared that was never submitted). Only the merchant's own login does either.

use super::handlers::{client_addr, contact_fields, error_response, visible, Viewer};
use crate::accounts::session::ClientAddr;
use crate::accounts::CurrentUser;
use crate::errors::AppError;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use domain::application::{Draft, Step};
use domain::lifecycle::{next, Action, Facts};

/// The merchant accepts an agent's proposal.
#[tracing::instrument(skip_all, fields(application = id))]
pub async fn accept(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    user: Option<Extension<CurrentUser>>,
    addr: Option<Extension<ClientAddr>>,
    headers: HeaderMap,
) -> Response {
    let Some(Extension(user)) = user else {
        return error_response(AppError::SignInRequired, &headers, "/apply");
    };
    let store = &state.store;
    let result = async {
        let (app, viewer) = visible(store, &user, id).await?;
        let from = app.state;
        if viewer != Viewer::Applicant || next(from, Action::Accept, &Facts::default()).is_err() {
            return Err(AppError::Forbidden);
        }
        let org = store
            .organisation(app.organisation_id)
            .await?
            .ok_or(AppError::NotFound)?;
        // The agent never saw the merchant's contact details: they go in now, where the
        // agent left them empty.
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
        let event = crate::review::common::audit_event(
            &user,
            client_addr(&addr),
            "application.accept_proposal",
            format!("application:{id}"),
            format!("prepared by organisation {:?}", app.agent_organisation_id),
        );
        match store.accept_proposal(id, &draft.to_json(), &event).await {
            Ok(true) => {}
            Ok(false) => return Err(AppError::Forbidden),
            Err(store::StoreError::Duplicate(_)) => return Ok("/apply?proposal=exists".to_string()),
            Err(e) => return Err(e.into()),
        }
        Ok(format!("/apply/{id}/identity"))
    }
    .await;
    match result {
        Ok(to) => Redirect::to(&to).into_response(),
        Err(e) => error_response(e, &headers, "/apply"),
    }
}

/// The merchant removes an application an agent prepared for it (not yet submitted).
#[tracing::instrument(skip_all, fields(application = id))]
pub async fn remove(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    user: Option<Extension<CurrentUser>>,
    addr: Option<Extension<ClientAddr>>,
    headers: HeaderMap,
) -> Response {
    let Some(Extension(user)) = user else {
        return error_response(AppError::SignInRequired, &headers, "/apply");
    };
    let store = &state.store;
    let result = async {
        let (app, viewer) = visible(store, &user, id).await?;
        if viewer != Viewer::Applicant || app.agent_organisation_id.is_none() {
            return Err(AppError::Forbidden);
        }
        let event = crate::review::common::audit_event(
            &user,
            client_addr(&addr),
            "application.remove_agent_draft",
            format!("application:{id}"),
            format!("prepared by organisation {:?}", app.agent_organisation_id),
        );
        if !store.remove_agent_draft(id, &event).await? {
            return Err(AppError::Forbidden);
        }
        Ok(())
    }
    .await;
    match result {
        Ok(()) => Redirect::to("/apply?proposal=removed").into_response(),
        Err(e) => error_response(e, &headers, "/apply"),
    }
}
