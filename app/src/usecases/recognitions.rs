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
    actor.must_be(domain::Role::CountyOffice)?;
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
    let today = actor.today(store).await.format("%Y-%m-%d").to_string();
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

/// Whom a yearly re-inspection plan (年度复查计划) takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlanChoice {
    /// Only the units the complaint thresholds flag.
    pub flagged_only: bool,
    /// A random sample of this many; None: all of them.
    pub sample: Option<usize>,
}

/// What came of planning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Planned {
    /// This many re-inspections were added (a unit with one pending is not added again).
    Planned(usize),
    /// The plan has no name: nothing changed.
    NoName,
}

/// The county office puts valid recognitions of its area without a pending
/// re-inspection on plan `name`, and tells each unit chosen.
#[tracing::instrument(skip_all)]
pub async fn plan_reinspections(
    store: &Store,
    actor: &Actor,
    name: &str,
    choice: PlanChoice,
) -> Result<Planned, AppError> {
    actor.must_be(domain::Role::CountyOffice)?;
    let name: String = name.trim().chars().take(80).collect();
    if name.is_empty() {
        return Ok(Planned::NoName);
    }
    let rows = crate::review::recognitions::register(store, &actor.user.area_code).await?;
    let mut ids: Vec<i64> = rows
        .iter()
        .filter(|r| r.status == domain::notice::PlaqueStatus::Valid && r.pending.is_none())
        .filter(|r| !choice.flagged_only || !r.complaint_flags.is_empty())
        .map(|r| r.id)
        .collect();
    if let Some(n) = choice.sample {
        // A random sample: order by the OS's randomness, keep n.
        let mut keyed: Vec<(u64, i64)> = ids
            .iter()
            .map(|id| {
                let mut b = [0u8; 8];
                let _ = getrandom::fill(&mut b);
                (u64::from_le_bytes(b), *id)
            })
            .collect();
        keyed.sort_unstable();
        ids = keyed.into_iter().take(n).map(|(_, id)| id).collect();
    }
    let event = actor.audit(
        "reinspection.plan",
        format!("plan:{name}"),
        format!("{} units chosen", ids.len()),
    );
    let n = store.plan_reinspections(&name, &ids, &event).await?;
    for id in &ids {
        if let Some(rec) = store.recognition(*id).await? {
            common::notify_org(
                store,
                rec.organisation_id,
                &format!("您的单位已列入复查计划：{name}。"),
                &format!("You are on a re-inspection plan: {name}."),
                "/inbox",
            )
            .await;
        }
    }
    Ok(Planned::Planned(n))
}
