//! 乡镇初审: a township reviewer returns an application or recommends it to the county.

use super::Actor;
use crate::errors::AppError;
use domain::lifecycle::{Action, State};
use std::collections::BTreeMap;
use store::reviews::{Decision, NewTownshipReview};
use store::Store;

/// The longest opinion kept, in characters.
pub const SUMMARY_MAX: usize = 1000;

/// A township reviewer's decision on one application.
pub struct TownshipDecision {
    pub application_id: i64,
    pub decision: Decision,
    /// The opinion: why it is recommended or returned (required).
    pub summary: String,
    /// The checklist: item code → ticked.
    pub checklist: BTreeMap<&'static str, bool>,
    /// Comments for the applicant, by wizard step code (empty ones left out).
    pub comments: BTreeMap<&'static str, String>,
}

/// What came of a decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TownshipOutcome {
    Decided(Decision),
    /// No opinion was given: nothing changed.
    NoSummary,
    /// The application is not waiting for the township (decided meanwhile): nothing
    /// changed.
    NotWaiting,
}

/// Records the decision and moves the application on (returned to the applicant, or to
/// county review), with its audit entry in the same transaction.
#[tracing::instrument(skip_all, fields(application = input.application_id))]
pub async fn decide(
    store: &Store,
    actor: &Actor,
    input: &TownshipDecision,
) -> Result<TownshipOutcome, AppError> {
    actor.must_be(domain::Role::TownshipReviewer)?;
    let id = input.application_id;
    let summary: String = input.summary.trim().chars().take(SUMMARY_MAX).collect();
    if summary.is_empty() {
        return Ok(TownshipOutcome::NoSummary);
    }
    // Only an application of the reviewer's own township (refused otherwise), waiting
    // for it.
    let (app, _) = crate::applications::handlers::visible(store, &actor.user, id).await?;
    if app.state != State::Submitted {
        return Ok(TownshipOutcome::NotWaiting);
    }
    let action = match input.decision {
        Decision::Return => Action::TownshipReturn,
        Decision::Pass => Action::TownshipPass,
    };
    domain::lifecycle::next(State::Submitted, action, &Default::default())
        .map_err(|e| AppError::internal(format!("lifecycle refused {action:?}: {e}")))?;
    let audit = actor.audit(
        &format!("township_review.{}", input.decision.code()),
        format!("application:{id}"),
        summary.chars().take(80).collect(),
    );
    let done = store
        .decide_township_review(
            &NewTownshipReview {
                application_id: id,
                reviewer_id: actor.user.account_id,
                decision: input.decision,
                checklist: &serde_json::to_string(&input.checklist).map_err(AppError::internal)?,
                comments: &serde_json::to_string(&input.comments).map_err(AppError::internal)?,
                summary: &summary,
            },
            &audit,
        )
        .await?;
    Ok(if done {
        TownshipOutcome::Decided(input.decision)
    } else {
        TownshipOutcome::NotWaiting
    })
}
