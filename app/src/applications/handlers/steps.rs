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
    match start_inner(&state.store, user.map(|u| u.0), client_addr(&addr), f).await {
        Ok(id) => Redirect::to(&format!("/apply/{id}/identity")).into_response(),
        Err(StartError::Refused(r)) => {
            Redirect::to(&format!("/apply?merchant_error={}", r.code())).into_response()
        }
        Err(StartError::Failed(e)) => error_response(e, &headers, "/apply"),
    }
}

/// Why `start_inner` did not start an application: a refusal the page explains, or a
/// failure.
pub(super) enum StartError {
    Refused(crate::applications::StartRefusal),
    Failed(AppError),
}

impl From<AppError> for StartError {
    fn from(e: AppError) -> Self {
        StartError::Failed(e)
    }
}

impl From<store::StoreError> for StartError {
    fn from(e: store::StoreError) -> Self {
        StartError::Failed(e.into())
    }
}

/// Starts an application.
pub(super) async fn start_inner(
    store: &Store,
    user: Option<CurrentUser>,
    addr: String,
    f: StartForm,
) -> Result<i64, StartError> {
    use crate::applications::StartRefusal as R;
    let refuse = StartError::Refused;
    let user = user.ok_or(AppError::SignInRequired)?;
    let own = own_organisation(store, &user).await?;
    let batch = store
        .open_batch(form::COUNTY)
        .await?
        .ok_or(refuse(R::NoBatch))?;
    let merchant = f.merchant.trim();
    let (org, agent) = if merchant.is_empty() {
        (own, None)
    } else {
        // Streets, villages and associations prepare for merchants in their township.
        if own.category_code == "unit" {
            return Err(refuse(R::NotAgent));
        }
        let code = domain::CreditCode::parse(merchant).map_err(|_| refuse(R::CodeInvalid))?;
        let m = store
            .organisation_by_credit_code(code.as_str())
            .await?
            .ok_or(refuse(R::Unknown))?;
        if m.category_code != "unit" || m.area_code != own.area_code {
            return Err(refuse(R::Outside));
        }
        (m, Some(own))
    };
    let set = store
        .indicator_set(batch.id, &org.category_code)
        .await?
        .ok_or_else(|| AppError::internal("open batch without indicator set"))?;
    let data = prefilled(&org, agent.is_some()).to_json();
    let new = NewApplication {
        organisation_id: org.id,
        batch_id: batch.id,
        category: &org.category_code,
        indicator_set_id: set.id,
        prepared_by: Some(user.account_id),
        agent_organisation_id: agent.as_ref().map(|a| a.id),
        data: &data,
    };
    // The store sets the target to the new application.
    let event = audit_event(
        &user,
        addr,
        "application.start",
        String::new(),
        format!("organisation {}", org.id),
    );
    // An agent proposes; the merchant's own slot stays free until it accepts.
    let started = if agent.is_some() {
        store.propose_application(&new, &event).await
    } else {
        store.start_application(&new, &event).await
    };
    let id = match started {
        Ok(id) => id,
        Err(store::StoreError::Duplicate(_)) => return Err(refuse(R::Exists)),
        Err(e) => return Err(e.into()),
    };
    Ok(id)
}

#[tracing::instrument(skip_all, fields(application = id))]
pub(super) async fn save(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    user: Option<Extension<CurrentUser>>,
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
    match save_inner(&state.store, &user, id, step, &get("go"), &posted).await {
        Ok(reply) if wants_json(&headers) => Json(reply).into_response(),
        Ok(reply) => Redirect::to(&reply.next).into_response(),
        Err(e) => error_response(e, &headers, &back),
    }
}

pub(super) async fn save_inner(
    store: &Store,
    user: &CurrentUser,
    id: i64,
    step: Step,
    go: &str,
    posted: &[(String, String)],
) -> Result<SaveReply, AppError> {
    let (mut app, viewer) = editable_as(store, user, id).await?;
    let category = category_of(&app)?;
    let now = store::now_text();
    // Pledge and declaration ticks are the applicant's own (an agent's save keeps them).
    let hand = match viewer {
        Viewer::Applicant => form::Hand::Applicant {
            login: &user.login,
            at: &now,
        },
        _ => form::Hand::Agent,
    };
    // Only the self-assessment's fields and checks depend on the indicator set: autosaves
    // of the other steps need not read it.
    let rules = if step == Step::SelfAssessment {
        form::item_rules(&indicator_items(store, &app).await?.0)
    } else {
        Vec::new()
    };
    let names = form::field_names(category, step, &rules);
    // Where the applicant goes decides where they resume; problems hold them on the step.
    let target = |problems: &[(String, FieldProblem)]| -> (Step, bool) {
        match go {
            "next" if problems.is_empty() => (step.next().unwrap_or(step), false),
            "next" => (step, true),
            "back" => (step.previous().unwrap_or(step), false),
            other => match other.strip_prefix("to:").and_then(Step::parse) {
                Some(s) => (s, false),
                None => (step, false),
            },
        }
    };
    // Each step's values replace that step's section only, so two devices editing
    // different steps never undo each other; a concurrent save is retried on top.
    for _ in 0..5 {
        let mut draft = Draft::from_json(&app.data);
        if step.has_fields() {
            draft.put_by(category, step, &names, posted, hand);
        }
        if step == Step::Pledge {
            let signed = draft.value(Step::Pledge, "sign") == "on";
            let section = draft.sections.entry(step.code().to_string()).or_default();
            match (signed, section.contains_key("_signed_at")) {
                (true, false) => {
                    section.insert("_signed_at".into(), store::now_text());
                }
                (false, true) => {
                    section.remove("_signed_at");
                }
                _ => {}
            }
        }
        // An agent moves on past what only the applicant settles (ticks, its contact):
        // the reply names only what holds the saver on this step.
        let problems: Vec<_> = form::problems(category, step, &draft, &rules)
            .into_iter()
            .filter(|(n, p)| hand != form::Hand::Agent || !form::left_to_the_applicant(n, *p))
            .collect();
        let (to, check) = target(&problems);
        match store
            .save_draft(id, app.revision, to.code(), &draft.to_json())
            .await?
        {
            SaveOutcome::Saved { revision } => {
                let next = format!(
                    "/apply/{id}/{}{}",
                    to.code(),
                    if check { "?check=1" } else { "" }
                );
                return Ok(SaveReply {
                    revision,
                    problems,
                    next,
                    saved_at: store::now_text(),
                });
            }
            SaveOutcome::Stale { .. } => {
                app = store.application(id).await?.ok_or(AppError::NotFound)?;
            }
            SaveOutcome::Locked => return Err(AppError::Forbidden),
        }
    }
    Err(AppError::internal(format!(
        "application {id}: save kept colliding"
    )))
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
