//! Starting, saving, submitting, handing over and finishing an application.

use super::*;

#[derive(serde::Deserialize)]
pub struct StartForm {
    /// For an agent: the merchant's credit code. Empty: apply for one's own organisation.
    #[serde(default)]
    merchant: String,
}

#[tracing::instrument(skip_all)]
pub(super) async fn start(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    addr: Option<Extension<ClientAddr>>,
    headers: HeaderMap,
    Form(f): Form<StartForm>,
) -> Response {
    use crate::usecases::wizard::{start, Started};
    let Some(Extension(user)) = user else {
        return error_response(AppError::SignInRequired, &headers, "/apply");
    };
    let actor = crate::usecases::Actor::new(user, client_addr(&addr));
    match start(&state.store, &actor, &f.merchant).await {
        Ok(Started::Started(id)) => Redirect::to(&format!("/apply/{id}/identity")).into_response(),
        Ok(Started::Refused(r)) => {
            Redirect::to(&format!("/apply?merchant_error={}", r.code())).into_response()
        }
        Err(e) => error_response(e, &headers, "/apply"),
    }
}

#[tracing::instrument(skip_all, fields(application = id))]
pub(super) async fn save(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    user: Option<Extension<CurrentUser>>,
    addr: Option<Extension<ClientAddr>>,
    headers: HeaderMap,
    Form(posted): Form<Vec<(String, String)>>,
) -> Response {
    let get = |k: &str| {
        posted
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let step = Step::parse(&get("step")).unwrap_or(Step::Identity);
    let back = format!("/apply/{id}/{}", step.code());
    let Some(Extension(user)) = user else {
        return error_response(AppError::SignInRequired, &headers, &back);
    };
    let actor = crate::usecases::Actor::new(user, client_addr(&addr));
    match crate::usecases::wizard::save_step(&state.store, &actor, id, step, &get("go"), &posted)
        .await
    {
        Ok(reply) if wants_json(&headers) => Json(reply).into_response(),
        Ok(reply) => Redirect::to(&reply.next).into_response(),
        Err(e) => error_response(e, &headers, &back),
    }
}

#[derive(serde::Deserialize)]
pub struct SubmitForm {
    /// The revision the review page showed (a hand-over carries it too, unused).
    #[serde(default)]
    revision: i64,
}

/// Submitting: the applicant confirms exactly the revision shown on the review page.
pub(super) async fn submit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    user: Option<Extension<CurrentUser>>,
    addr: Option<Extension<ClientAddr>>,
    headers: HeaderMap,
    Form(f): Form<SubmitForm>,
) -> Response {
    finish(&state, id, user, addr, &headers, Some(f.revision)).await
}

/// An agent hands a prepared application to the merchant to confirm.
pub(super) async fn hand_over(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    user: Option<Extension<CurrentUser>>,
    addr: Option<Extension<ClientAddr>>,
    headers: HeaderMap,
) -> Response {
    finish(&state, id, user, addr, &headers, None).await
}

/// The end of the wizard: the applicant submits (`Some(revision)`) or the agent hands
/// over (`None`). Only the applicant's own login submits; the self-check must be clear.
#[tracing::instrument(skip_all, fields(application = id))]
pub(super) async fn finish(
    state: &AppState,
    id: i64,
    user: Option<Extension<CurrentUser>>,
    addr: Option<Extension<ClientAddr>>,
    headers: &HeaderMap,
    submit_revision: Option<i64>,
) -> Response {
    let back = format!("/apply/{id}/review");
    let Some(Extension(user)) = user else {
        return error_response(AppError::SignInRequired, headers, &back);
    };
    let actor = crate::usecases::Actor::new(user, client_addr(&addr));
    let result = async {
        use crate::usecases::applications::{hand_over, submit, Finished};
        let finished = match submit_revision {
            Some(revision) => submit(&state.store, &actor, id, revision).await?,
            None => hand_over(&state.store, &actor, id).await?,
        };
        Ok::<_, AppError>(match finished {
            Finished::Submitted => format!("{back}?submitted=1"),
            Finished::HandedOver => format!("{back}?handed_over=1"),
            Finished::NotReady => format!("{back}?check=1"),
            // Changed elsewhere since the review page was shown: show it again.
            Finished::Stale => format!("{back}?error=stale"),
        })
    }
    .await;
    match result {
        Ok(to) if wants_json(headers) => Json(to).into_response(),
        Ok(to) => Redirect::to(&to).into_response(),
        Err(e) => error_response(e, headers, &back),
    }
}
