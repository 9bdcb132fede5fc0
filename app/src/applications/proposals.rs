//! (server) An agent's proposal, from the merchant's side: accept it, which makes it the
//! merchant's draft with its own contact details filled in, or remove it (any draft an
//! agent prepared that was never submitted). Only the merchant's own login does either.

use super::handlers::{client_addr, error_response};
use crate::accounts::session::ClientAddr;
use crate::accounts::CurrentUser;
use crate::errors::AppError;
use crate::state::AppState;
use crate::usecases::applications::{accept_proposal, remove_agent_draft, Proposal};
use crate::usecases::Actor;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;

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
    let actor = Actor::new(user, client_addr(&addr));
    let result = match accept_proposal(&state.store, &actor, id).await {
        Ok(Proposal::Accepted) => Ok(format!("/apply/{id}/identity")),
        Ok(Proposal::AlreadyHasOne) => Ok("/apply?proposal=exists".to_string()),
        Err(e) => Err(e),
    };
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
    let actor = Actor::new(user, client_addr(&addr));
    let result = remove_agent_draft(&state.store, &actor, id).await;
    match result {
        Ok(()) => Redirect::to("/apply?proposal=removed").into_response(),
        Err(e) => error_response(e, &headers, "/apply"),
    }
}
