//! 动态管理: the county office records a planned re-inspection: the recognition stays,
//! or it is revoked (取消资格) with the reason.

use super::Actor;
use crate::errors::AppError;
use crate::review::common;
use domain::lifecycle::{Action, State};
use store::Store;

/// What the re-inspection found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReinspectionResult {
    Kept,
    Revoked,
}

/// What came of recording it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reinspected {
    Kept,
    Revoked,
    /// A revocation without its reason: nothing changed.
    NoReason,
    /// No such re-inspection waiting in the actor's area (done meanwhile): nothing changed.
    NotPending,
}

/// Records re-inspection `id` with `note` (the reason, required for a revocation) and
/// tells the unit.
#[tracing::instrument(skip_all, fields(reinspection = id))]
pub async fn reinspect(
    store: &Store,
    actor: &Actor,
    id: i64,
    result: ReinspectionResult,
    note: &str,
) -> Result<Reinspected, AppError> {
    let kept = result == ReinspectionResult::Kept;
    let note = note.trim();
    if !kept && note.is_empty() {
        return Ok(Reinspected::NoReason);
    }
    // The state machine must allow it (recognised → revoked).
    if !kept
        && domain::lifecycle::next(State::Recognised, Action::Revoke, &Default::default()).is_err()
    {
        return Ok(Reinspected::NotPending);
    }
    let today = common::today(store).await.format("%Y-%m-%d").to_string();
    let Some(rec) = store
        .pending_reinspections(&actor.user.area_code)
        .await?
        .into_iter()
        .find(|(i, _)| i.id == id)
        .map(|(_, r)| r)
    else {
        return Ok(Reinspected::NotPending);
    };
    let action = if kept {
        "reinspection.keep"
    } else {
        "recognition.revoke"
    };
    let event = actor.audit(
        action,
        format!("recognition:{}", rec.id),
        note.chars().take(60).collect(),
    );
    if !store
        .record_reinspection(id, actor.user.account_id, kept, note, &today, &event)
        .await?
    {
        return Ok(Reinspected::NotPending);
    }
    let (zh, en) = if kept {
        (
            "复查合格，您的放心消费示范称号保留。".to_string(),
            "Re-inspection passed: your recognition stays.".to_string(),
        )
    } else {
        (
            format!("复查不合格，您的放心消费示范称号已撤销：{note}"),
            format!("Re-inspection failed: your recognition is revoked ({note})."),
        )
    };
    common::notify_org(
        store,
        rec.organisation_id,
        &zh,
        &en,
        &format!("/verify/{}", rec.token),
    )
    .await;
    Ok(if kept {
        Reinspected::Kept
    } else {
        Reinspected::Revoked
    })
}
