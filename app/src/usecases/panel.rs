//! 县级评审: the county office records the panel's result.

use super::Actor;
use crate::errors::AppError;
use crate::review::common;
use domain::lifecycle::{next, Action, Facts, State as S};
use domain::panel::AssignmentStatus::{Assigned, Recused, Scored};
use domain::scoring::{ItemKind, ItemScore};
use store::Store;

/// What the office asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PanelStep {
    /// The scores go back to their authors for a discussion.
    Discuss,
    /// The result is recorded from the submitted scores.
    Decide,
}

/// What came of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PanelOutcome {
    Discussion,
    /// Passed: on to the public notice.
    Passed,
    /// Failed the first time: rectification, with its deadline.
    Failed,
    /// Failed the acceptance after rectification: the review ends for this batch.
    Rejected,
}

/// Application `id`, refused unless it is at county review.
async fn in_county_review(
    store: &Store,
    id: i64,
) -> Result<store::applications::Application, AppError> {
    let app = store.application(id).await?.ok_or(AppError::NotFound)?;
    if app.state != S::CountyReview {
        return Err(AppError::BadRequest);
    }
    Ok(app)
}

/// The county office records the panel's result of application `id` from the scores
/// its members submitted (or calls a discussion: the scores go back to their authors),
/// and tells the applicant.
#[tracing::instrument(skip_all, fields(application = id))]
pub async fn decide_result(
    store: &Store,
    actor: &Actor,
    id: i64,
    step: PanelStep,
) -> Result<PanelOutcome, AppError> {
    actor.must_be(domain::Role::CountyOffice)?;
    let app = in_county_review(store, id).await?;
    let round = store.current_round(id).await?;
    let rows = store.assignments_of_application(id, round).await?;
    if step == PanelStep::Discuss {
        let event = actor.audit(
            "panel.discussion",
            format!("application:{id}"),
            format!("round {round}"),
        );
        store.reopen_scores(id, round, &event).await?;
        for r in rows.iter().filter(|r| r.status == Scored) {
            common::notify_account(
                store,
                r.reviewer_id,
                "县评审办已组织合议：请复核您的评分后重新提交。",
                "The office called a discussion: review your scores and submit again.",
                &format!("/scoring/{}", r.id),
            )
            .await;
        }
        return Ok(PanelOutcome::Discussion);
    }
    if rows.iter().any(|r| r.status == Assigned) {
        return Err(AppError::BadRequest);
    }
    let outcomes: Vec<_> = rows
        .iter()
        .filter_map(crate::review::panel::outcome_of)
        .collect();
    let set = store
        .indicator_set_by_id(app.indicator_set_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let method = common::aggregate(store).await?;
    let result = domain::panel::combine(&outcomes, method, set.rules.pass_score)
        .ok_or(AppError::BadRequest)?;
    let failed_before = round > 1;
    let action = if result.passed {
        Action::PanelPass
    } else {
        Action::PanelFail
    };
    let to = next(
        S::CountyReview,
        action,
        &Facts {
            failed_before,
            ..Default::default()
        },
    )
    .map_err(|e| AppError::internal(format!("lifecycle refused {action:?}: {e}")))?;
    let today = actor.today(store).await;
    let items: Vec<(ItemKind, u32)> = set.items.iter().map(|i| (i.kind, i.max_points)).collect();
    let scores: Vec<Vec<Option<ItemScore>>> = rows
        .iter()
        .filter(|r| r.status == Scored)
        .filter_map(|r| {
            r.scores
                .as_deref()
                .and_then(|s| serde_json::from_str(s).ok())
        })
        .collect();
    let todos: Vec<serde_json::Value> = domain::panel::failed_items(&items, &scores)
        .into_iter()
        .map(|i| serde_json::json!({"index": i, "zh": set.items[i].text_zh, "en": set.items[i].text_en}))
        .collect();
    let todos = serde_json::to_string(&todos).map_err(AppError::internal)?;
    let months = common::setting_u32(store, common::RECTIFICATION_MONTHS).await?;
    let opened = today.format("%Y-%m-%d").to_string();
    let due = domain::notice::rectification_due(today, months)
        .format("%Y-%m-%d")
        .to_string();
    let rectify = to == S::Rectifying;
    let score = format!("{}.{}", result.score_tenths / 10, result.score_tenths % 10);
    let event = actor.audit(
        "panel.result",
        format!("application:{id}"),
        format!(
            "round {round} {} {score} spread {}",
            method.code(),
            result.spread
        ),
    );
    let recorded = store
        .record_panel_result(
            &store::county::NewPanelResult {
                application_id: id,
                round,
                method: method.code(),
                score_tenths: i64::from(result.score_tenths),
                spread: i64::from(result.spread),
                vetoed: result.vetoed,
                passed: result.passed,
                decided_by: actor.user.account_id,
                rectification: rectify.then_some((opened.as_str(), due.as_str(), todos.as_str())),
            },
            &event,
        )
        .await?;
    if !recorded {
        return Err(AppError::BadRequest);
    }
    let (zh, en, done) = match to {
        S::Passed => (format!("您的申报通过县级评审（{score} 分），将进入公示。"), format!("Your application passed the county review ({score}); it goes on public notice next."), PanelOutcome::Passed),
        S::Rectifying => (format!("您的申报未通过县级评审（{score} 分），请在 {due} 前完成整改。"), format!("Your application did not pass ({score}). Rectify by {due}."), PanelOutcome::Failed),
        _ => (format!("您的申报整改验收未通过（{score} 分），本批次评审结束。"), format!("Your application failed its acceptance ({score}); the review ends for this batch."), PanelOutcome::Rejected),
    };
    let link = if rectify {
        format!("/rectification/{id}")
    } else {
        "/apply".to_string()
    };
    common::notify_org(store, app.organisation_id, &zh, &en, &link).await;
    Ok(done)
}

/// The audit entry of one assignment (each is audited with its own row, in its
/// transaction).
fn assignment_event(
    actor: &Actor,
    app: i64,
    reviewer: i64,
    round: i64,
) -> store::audit::AuditEvent {
    actor.audit(
        "panel.assign",
        format!("application:{app}"),
        format!("reviewer {reviewer} round {round}"),
    )
}

/// The county office assigns panel member `reviewer` to application `app_id` by hand.
/// Returns false when that reviewer already has this round.
#[tracing::instrument(skip_all, fields(application = app_id))]
pub async fn assign_reviewer(
    store: &Store,
    actor: &Actor,
    app_id: i64,
    reviewer: i64,
) -> Result<bool, AppError> {
    actor.must_be(domain::Role::CountyOffice)?;
    let app = in_county_review(store, app_id).await?;
    let on_panel = store
        .panel_members(app.batch_id, &app.category_code)
        .await?
        .iter()
        .any(|m| m.account_id == reviewer);
    if !on_panel {
        return Err(AppError::BadRequest);
    }
    let round = store.current_round(app_id).await?;
    let added = store
        .assign_reviewer(
            app_id,
            round,
            reviewer,
            &assignment_event(actor, app_id, reviewer, round),
        )
        .await?;
    if added {
        notify_assigned(store, reviewer).await;
    }
    Ok(added)
}

/// The county office assigns the panel of `batch` and `category` to every application
/// waiting for it, balancing the load (`domain::panel::balanced_assignment`). Returns how
/// many assignments were made.
#[tracing::instrument(skip_all, fields(batch))]
pub async fn assign_balanced(
    store: &Store,
    actor: &Actor,
    batch: i64,
    category: domain::Category,
) -> Result<usize, AppError> {
    actor.must_be(domain::Role::CountyOffice)?;
    let members: Vec<i64> = store
        .panel_members(batch, category.code())
        .await?
        .iter()
        .map(|m| m.account_id)
        .collect();
    let per = common::setting_u32(store, common::REVIEWERS_PER_APPLICATION).await? as usize;
    let mut apps = Vec::new();
    let mut excluded = Vec::new();
    for a in store.county_review_queue(batch).await? {
        if a.category_code != category.code() {
            continue;
        }
        let round = store.current_round(a.id).await?;
        let rows = store.assignments_of_application(a.id, round).await?;
        // Anyone who already has (or stepped aside from) this round is not picked again.
        excluded.extend(rows.iter().map(|r| (a.id, r.reviewer_id)));
        apps.push((
            (a.id, rows.iter().filter(|r| r.status != Recused).count()),
            round,
        ));
    }
    let load = store.reviewer_loads(batch).await?;
    let plan = domain::panel::balanced_assignment(
        &apps.iter().map(|(a, _)| *a).collect::<Vec<_>>(),
        &members,
        &load,
        &excluded,
        per,
    );
    let mut n = 0;
    for (app, reviewer) in plan {
        let round = apps
            .iter()
            .find(|((id, _), _)| *id == app)
            .map(|(_, r)| *r)
            .unwrap_or(1);
        if store
            .assign_reviewer(
                app,
                round,
                reviewer,
                &assignment_event(actor, app, reviewer, round),
            )
            .await?
        {
            notify_assigned(store, reviewer).await;
            n += 1;
        }
    }
    Ok(n)
}

async fn notify_assigned(store: &Store, reviewer: i64) {
    common::notify_account(
        store,
        reviewer,
        "您有新的县级评审任务。",
        "You have a new application to score.",
        "/scoring",
    )
    .await;
}

/// What came of a panel member's recusal or scores.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SheetOutcome {
    Done,
    /// The scores break a rule of the indicator set: nothing changed.
    Invalid(domain::scoring::ScoreError),
    /// Not this member's assignment, or not open any more: nothing changed.
    NotOpen,
}

/// The assignment `id` of the acting panel member, when it is theirs.
async fn own_assignment(
    store: &Store,
    actor: &Actor,
    id: i64,
) -> Result<Option<store::county::Assignment>, AppError> {
    Ok(store
        .assignments_of_reviewer(actor.user.account_id)
        .await?
        .into_iter()
        .find(|a| a.id == id))
}

/// A panel member steps aside from assignment `id` for a conflict of interest (回避).
#[tracing::instrument(skip_all, fields(assignment = id))]
pub async fn recuse(
    store: &Store,
    actor: &Actor,
    id: i64,
    conflict: domain::panel::Conflict,
    note: &str,
) -> Result<SheetOutcome, AppError> {
    let Some(a) = own_assignment(store, actor, id).await? else {
        return Ok(SheetOutcome::NotOpen);
    };
    let note = note.trim();
    let event = actor.audit(
        "panel.recusal",
        format!("application:{}", a.application_id),
        format!("{} {note}", conflict.code()),
    );
    Ok(
        if store
            .recuse(id, actor.user.account_id, conflict.code(), note, &event)
            .await?
        {
            SheetOutcome::Done
        } else {
            SheetOutcome::NotOpen
        },
    )
}

/// A panel member submits scores for assignment `id`: `values[i]` is what was entered for
/// item i ("" for nothing, a number of points, or "holds"/"breached" for a veto item).
#[tracing::instrument(skip_all, fields(assignment = id))]
pub async fn submit_scores(
    store: &Store,
    actor: &Actor,
    id: i64,
    values: &std::collections::BTreeMap<usize, String>,
    comment: &str,
) -> Result<SheetOutcome, AppError> {
    let Some(a) = own_assignment(store, actor, id).await? else {
        return Ok(SheetOutcome::NotOpen);
    };
    let app = store
        .application(a.application_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let set = store
        .indicator_set_by_id(app.indicator_set_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let scores: Vec<Option<ItemScore>> = set
        .items
        .iter()
        .enumerate()
        .map(
            |(i, item)| match (item.kind, values.get(&i).map(|v| v.trim()).unwrap_or("")) {
                (_, "") => None,
                (ItemKind::Veto, "breached") => Some(ItemScore::VetoBreached),
                (ItemKind::Veto, "holds") => Some(ItemScore::VetoHolds),
                (_, v) => Some(
                    v.parse::<u32>()
                        .map(ItemScore::Points)
                        .unwrap_or(ItemScore::Points(u32::MAX)),
                ),
            },
        )
        .collect();
    let items: Vec<(ItemKind, u32)> = set.items.iter().map(|i| (i.kind, i.max_points)).collect();
    let outcome = match domain::scoring::score(&items, &scores, &set.rules) {
        Ok(o) => o,
        Err(e) => return Ok(SheetOutcome::Invalid(e)),
    };
    let json = serde_json::to_string(&scores).map_err(AppError::internal)?;
    let event = actor.audit(
        "panel.score",
        format!("application:{}", a.application_id),
        format!(
            "total {}{}",
            outcome.total,
            if outcome.vetoed { " veto" } else { "" }
        ),
    );
    Ok(
        if store
            .submit_scores(
                id,
                actor.user.account_id,
                &json,
                i64::from(outcome.total),
                outcome.vetoed,
                comment.trim(),
                &event,
            )
            .await?
        {
            SheetOutcome::Done
        } else {
            SheetOutcome::NotOpen
        },
    )
}

/// Adding or removing a member of a batch's panel for one category.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Membership {
    Add,
    Remove,
}

/// The county office adds panel member `account` to (or removes them from) the panel of
/// `batch` for `category`. Refused unless the account is a panel member's.
#[tracing::instrument(skip_all, fields(batch, account))]
pub async fn change_membership(
    store: &Store,
    actor: &Actor,
    batch: i64,
    category: domain::Category,
    account: i64,
    change: Membership,
) -> Result<(), AppError> {
    actor.must_be(domain::Role::CountyOffice)?;
    let reviewer = store.account(account).await?;
    if reviewer.is_none_or(|a| a.role != domain::Role::PanelMember.code()) {
        return Err(AppError::BadRequest);
    }
    store.batch(batch).await?.ok_or(AppError::NotFound)?;
    let (action, code) = match change {
        Membership::Add => ("panel.member_add", category.code()),
        Membership::Remove => ("panel.member_remove", category.code()),
    };
    let event = actor.audit(
        action,
        format!("batch:{batch}"),
        format!("{code} account {account}"),
    );
    match change {
        Membership::Add => {
            store.add_panel_member(batch, code, account, &event).await?;
        }
        Membership::Remove => {
            store
                .remove_panel_member(batch, code, account, &event)
                .await?
        }
    }
    Ok(())
}

/// What came of recording a site visit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visited {
    /// Recorded (with its photo, when one was sent): the visit's id.
    Recorded(i64),
    /// The note was recorded, its photo not (empty, too large, not a picture or PDF, no
    /// room left).
    PhotoRefused(domain::application::UploadProblem),
    /// No note was written: nothing changed.
    NoNote,
    /// Not an assignment of this reviewer that is still open: nothing changed.
    NotAssigned,
}

/// The panel member of assignment `assignment` records an on-site note (实地核查), and
/// its photo as the application's evidence.
#[tracing::instrument(skip_all, fields(assignment))]
pub async fn site_visit(
    store: &Store,
    objects: &store::objects::ObjectStore,
    actor: &Actor,
    assignment: i64,
    note: &str,
    photo: Option<crate::applications::handlers::Upload>,
) -> Result<Visited, AppError> {
    use super::evidence::{keep, Kept};
    actor.must_be(domain::Role::PanelMember)?;
    let Some(a) = store
        .assignments_of_reviewer(actor.user.account_id)
        .await?
        .into_iter()
        .find(|a| a.id == assignment && a.status == Assigned)
    else {
        return Ok(Visited::NotAssigned);
    };
    let note: String = note.trim().chars().take(1000).collect();
    if note.is_empty() {
        return Ok(Visited::NoNote);
    }
    let application = a.application_id;
    let event = actor.audit(
        "panel.site_visit",
        format!("application:{application}"),
        note.chars().take(60).collect(),
    );
    let visit = store
        .add_site_visit(application, actor.user.account_id, &note, &event)
        .await?;
    let Some(photo) = photo.filter(|p| p.file.is_some() || p.broken) else {
        return Ok(Visited::Recorded(visit));
    };
    let event = actor.audit(
        "panel.site_photo",
        format!("application:{application}"),
        format!("visit {visit}"),
    );
    let slot = format!("site.{visit}");
    Ok(
        match keep(store, objects, actor, application, &slot, photo, &event).await? {
            Kept::Kept(_) => Visited::Recorded(visit),
            Kept::Refused(problem) => Visited::PhotoRefused(problem),
        },
    )
}
