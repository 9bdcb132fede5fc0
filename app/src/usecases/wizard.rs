//! 申报: an applicant starts its application (or an agent — a street, village or
//! association — proposes one for a merchant of its township) and saves the wizard's
//! steps. Autosaves keep the draft; they are not audited one by one.

use super::Actor;
use crate::applications::handlers::{
    category_of, editable_as, indicator_items, own_organisation, prefilled, Viewer,
};
use crate::applications::SaveReply;
pub use crate::applications::StartRefusal;
use crate::errors::AppError;
use domain::application::{self as form, Draft, FieldProblem, Step};
use store::applications::{NewApplication, SaveOutcome};
use store::Store;

/// What came of starting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Started {
    /// The draft (or the agent's proposal) that was made.
    Started(i64),
    /// Refused for a reason the start page explains: nothing changed.
    Refused(StartRefusal),
}

/// Starts an application in the open batch for the actor's own organisation, or, with
/// `merchant` (a credit code), proposes one for that merchant as its agent.
#[tracing::instrument(skip_all)]
pub async fn start(store: &Store, actor: &Actor, merchant: &str) -> Result<Started, AppError> {
    use StartRefusal as R;
    let refuse = |r| Ok(Started::Refused(r));
    let own = own_organisation(store, &actor.user).await?;
    let Some(batch) = store.open_batch(form::COUNTY).await? else {
        return refuse(R::NoBatch);
    };
    let merchant = merchant.trim();
    let (org, agent) = if merchant.is_empty() {
        (own, None)
    } else {
        // Streets, villages and associations prepare for merchants in their township.
        if own.category_code == "unit" {
            return refuse(R::NotAgent);
        }
        let Ok(code) = domain::CreditCode::parse(merchant) else {
            return refuse(R::CodeInvalid);
        };
        let Some(m) = store.organisation_by_credit_code(code.as_str()).await? else {
            return refuse(R::Unknown);
        };
        if m.category_code != "unit" || m.area_code != own.area_code {
            return refuse(R::Outside);
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
        prepared_by: Some(actor.user.account_id),
        agent_organisation_id: agent.as_ref().map(|a| a.id),
        data: &data,
    };
    // The store sets the target to the new application.
    let event = actor.audit(
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
    match started {
        Ok(id) => Ok(Started::Started(id)),
        Err(store::StoreError::Duplicate(_)) => refuse(R::Exists),
        Err(e) => Err(e.into()),
    }
}

/// Saves step `step` of application `id` from the posted fields, while the actor may
/// change it; `go` ("next", "back", "to:<step>" or nothing) decides the page to resume
/// on. Problems hold the applicant on the step only when it asked for the next one.
#[tracing::instrument(skip_all, fields(application = id))]
pub async fn save_step(
    store: &Store,
    actor: &Actor,
    id: i64,
    step: Step,
    go: &str,
    posted: &[(String, String)],
) -> Result<SaveReply, AppError> {
    let user = &actor.user;
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
