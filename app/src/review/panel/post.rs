//! The no-JS form handlers (server only): panel members, settings, assignment,
//! the result, recusal, scores and site visits.

use super::super::common::{self, field, text, CountyOffice, PanelMember, Staff};
use super::*;
use crate::accounts::CurrentUser;
use crate::state::AppState;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use domain::Role;

type Posted = Form<Vec<(String, String)>>;

fn back(category: &str, done: PanelNote) -> Response {
    let page = format!("/panel?category={}", common::q(category));
    let to = match done {
        PanelNote::State => done.error_at(&page),
        _ => done.done_at(&page),
    };
    Redirect::to(&to).into_response()
}

pub async fn members(
    State(state): State<AppState>,
    Staff { user, addr, .. }: Staff<CountyOffice>,
    Form(p): Posted,
) -> Response {
    let cat = field(&p, "category");
    let (Ok(batch), Ok(account), Some(category)) = (
        field(&p, "batch").parse::<i64>(),
        field(&p, "account").parse::<i64>(),
        Category::parse(&cat),
    ) else {
        return back(&cat, PanelNote::State);
    };
    let store = &state.store;
    let reviewer = store
        .account(account)
        .await
        .ok()
        .flatten()
        .filter(|a| a.role == Role::PanelMember.code());
    if reviewer.is_none() {
        return back(&cat, PanelNote::State);
    }
    let add = field(&p, "op") == "add";
    let event = common::audit_event(
        &user,
        addr.clone(),
        if add {
            "panel.member_add"
        } else {
            "panel.member_remove"
        },
        format!("batch:{batch}"),
        format!("{} account {account}", category.code()),
    );
    let done = if add {
        store
            .add_panel_member(batch, category.code(), account, &event)
            .await
            .map(|_| ())
    } else {
        store
            .remove_panel_member(batch, category.code(), account, &event)
            .await
    };
    if let Err(e) = done {
        tracing::error!(error = %e, "panel membership not changed");
        return back(&cat, PanelNote::State);
    }
    back(&cat, PanelNote::Members)
}

pub async fn settings(
    State(state): State<AppState>,
    Staff { user, addr, .. }: Staff<CountyOffice>,
    Form(p): Posted,
) -> Response {
    let cat = field(&p, "category");
    let (Some(method), Ok(per)) = (
        domain::panel::Aggregate::parse(&field(&p, "method")),
        field(&p, "per_application").parse::<u32>(),
    ) else {
        return back(&cat, PanelNote::State);
    };
    let store = &state.store;
    let per = per.clamp(1, 9);
    let event = common::audit_event(
        &user,
        addr.clone(),
        "panel.settings",
        "settings".into(),
        format!("{} {per}", method.code()),
    );
    let pairs = [
        (common::AGGREGATE, method.code().to_string()),
        (common::REVIEWERS_PER_APPLICATION.0, per.to_string()),
    ];
    if let Err(e) = store.set_settings(&pairs, &event).await {
        tracing::error!(error = %e, "panel settings not saved");
        return back(&cat, PanelNote::State);
    }
    back(&cat, PanelNote::Settings)
}

/// Automatic (a batch and category) or by hand (one application and reviewer).
pub async fn assign(
    State(state): State<AppState>,
    Staff { user, addr, .. }: Staff<CountyOffice>,
    Form(p): Posted,
) -> Response {
    let cat = field(&p, "category");
    match assign_inner(&state, &user, addr.clone(), &p).await {
        Ok(_) => back(&cat, PanelNote::Assigned),
        Err(e) => {
            tracing::warn!(error = ?e, "assignment refused");
            back(&cat, PanelNote::State)
        }
    }
}

async fn assign_inner(
    state: &AppState,
    user: &CurrentUser,
    addr: String,
    p: &[(String, String)],
) -> Result<usize, AppError> {
    let store = &state.store;
    // Each assignment is audited with its own row, in its transaction.
    let event = |app: i64, reviewer: i64, round: i64| {
        common::audit_event(
            user,
            addr.clone(),
            "panel.assign",
            format!("application:{app}"),
            format!("reviewer {reviewer} round {round}"),
        )
    };
    if let (Ok(app_id), Ok(reviewer)) = (
        field(p, "application").parse::<i64>(),
        field(p, "reviewer").parse::<i64>(),
    ) {
        let app = store.application(app_id).await?.ok_or(AppError::NotFound)?;
        if app.state != domain::lifecycle::State::CountyReview {
            return Err(AppError::BadRequest);
        }
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
            .assign_reviewer(app_id, round, reviewer, &event(app_id, reviewer, round))
            .await?;
        if added {
            notify_assigned(store, reviewer).await;
        }
        return Ok(usize::from(added));
    }
    let batch: i64 = field(p, "batch")
        .parse()
        .map_err(|_| AppError::BadRequest)?;
    let category = Category::parse(&field(p, "category")).ok_or(AppError::BadRequest)?;
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
            (a.id, rows.iter().filter(|r| r.status != "recused").count()),
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
            .assign_reviewer(app, round, reviewer, &event(app, reviewer, round))
            .await?
        {
            notify_assigned(store, reviewer).await;
            n += 1;
        }
    }
    Ok(n)
}

async fn notify_assigned(store: &store::Store, reviewer: i64) {
    common::notify_account(
        store,
        reviewer,
        "您有新的县级评审任务。",
        "You have a new application to score.",
        "/scoring",
    )
    .await;
}

/// Record the result, or call a discussion.
pub async fn decide(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Staff { user, addr, .. }: Staff<CountyOffice>,
    Form(p): Posted,
) -> Response {
    let cat = field(&p, "category");
    match decide_inner(&state, &user, addr.clone(), id, &field(&p, "op")).await {
        Ok(done) => back(&cat, done),
        Err(e) => {
            tracing::warn!(error = ?e, "panel decision refused");
            back(&cat, PanelNote::State)
        }
    }
}

async fn decide_inner(
    state: &AppState,
    user: &CurrentUser,
    addr: String,
    id: i64,
    op: &str,
) -> Result<PanelNote, AppError> {
    use domain::lifecycle::{next, Action, Facts, State as S};
    let store = &state.store;
    let app = store.application(id).await?.ok_or(AppError::NotFound)?;
    if app.state != domain::lifecycle::State::CountyReview {
        return Err(AppError::BadRequest);
    }
    let round = store.current_round(id).await?;
    let rows = store.assignments_of_application(id, round).await?;
    if op == "discuss" {
        let event = common::audit_event(
            user,
            addr,
            "panel.discussion",
            format!("application:{id}"),
            format!("round {round}"),
        );
        store.reopen_scores(id, round, &event).await?;
        for r in rows.iter().filter(|r| r.status == "scored") {
            common::notify_account(
                store,
                r.reviewer_id,
                "县评审办已组织合议：请复核您的评分后重新提交。",
                "The office called a discussion: review your scores and submit again.",
                &format!("/scoring/{}", r.id),
            )
            .await;
        }
        return Ok(PanelNote::Discussion);
    }
    if rows.iter().any(|r| r.status == "assigned") {
        return Err(AppError::BadRequest);
    }
    let outcomes: Vec<_> = rows.iter().filter_map(outcome_of).collect();
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
    let today = common::today(store).await;
    let items: Vec<(ItemKind, u32)> = set.items.iter().map(|i| (i.kind, i.max_points)).collect();
    let scores: Vec<Vec<Option<ItemScore>>> = rows
        .iter()
        .filter(|r| r.status == "scored")
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
    let event = common::audit_event(
        user,
        addr,
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
                decided_by: user.account_id,
                rectification: rectify.then_some((opened.as_str(), due.as_str(), todos.as_str())),
            },
            &event,
        )
        .await?;
    if !recorded {
        return Err(AppError::BadRequest);
    }
    let (zh, en, done) = match to {
        S::Passed => (format!("您的申报通过县级评审（{score} 分），将进入公示。"), format!("Your application passed the county review ({score}); it goes on public notice next."), PanelNote::Passed),
        S::Rectifying => (format!("您的申报未通过县级评审（{score} 分），请在 {due} 前完成整改。"), format!("Your application did not pass ({score}). Rectify by {due}."), PanelNote::Failed),
        _ => (format!("您的申报整改验收未通过（{score} 分），本批次评审结束。"), format!("Your application failed its acceptance ({score}); the review ends for this batch."), PanelNote::Rejected),
    };
    let link = if rectify {
        format!("/rectification/{id}")
    } else {
        "/apply".to_string()
    };
    common::notify_org(store, app.organisation_id, &zh, &en, &link).await;
    Ok(done)
}

fn sheet_back(aid: i64, error: ScoringNote) -> Response {
    Redirect::to(&error.error_at(&format!("/scoring/{aid}"))).into_response()
}

pub async fn recuse(
    State(state): State<AppState>,
    Path(aid): Path<i64>,
    Staff { user, addr, .. }: Staff<PanelMember>,
    Form(p): Posted,
) -> Response {
    let Some(conflict) = domain::panel::Conflict::parse(&field(&p, "conflict")) else {
        return sheet_back(aid, ScoringNote::Conflict);
    };
    let store = &state.store;
    let note = text(&p, "note", 200);
    let Ok(Some(a)) = store
        .assignments_of_reviewer(user.account_id)
        .await
        .map(|v| v.into_iter().find(|a| a.id == aid))
    else {
        return sheet_back(aid, ScoringNote::State);
    };
    match store
        .recuse(
            aid,
            user.account_id,
            conflict.code(),
            &note,
            &common::audit_event(
                &user,
                addr.clone(),
                "panel.recusal",
                format!("application:{}", a.application_id),
                format!("{} {note}", conflict.code()),
            ),
        )
        .await
    {
        Ok(true) => Redirect::to("/scoring?recused=1").into_response(),
        _ => sheet_back(aid, ScoringNote::State),
    }
}

pub async fn submit(
    State(state): State<AppState>,
    Path(aid): Path<i64>,
    Staff { user, addr, .. }: Staff<PanelMember>,
    Form(p): Posted,
) -> Response {
    let store = &state.store;
    let Ok(Some(a)) = store
        .assignments_of_reviewer(user.account_id)
        .await
        .map(|v| v.into_iter().find(|a| a.id == aid))
    else {
        return sheet_back(aid, ScoringNote::State);
    };
    let Ok(Some(app)) = store.application(a.application_id).await else {
        return sheet_back(aid, ScoringNote::State);
    };
    let Ok(Some(set)) = store.indicator_set_by_id(app.indicator_set_id).await else {
        return sheet_back(aid, ScoringNote::State);
    };
    let raw: Vec<String> = (0..set.items.len())
        .map(|i| field(&p, &format!("item.{i}")))
        .collect();
    let scores: Vec<Option<ItemScore>> = set
        .items
        .iter()
        .zip(&raw)
        .map(|(item, v)| match (item.kind, v.as_str()) {
            (_, "") => None,
            (ItemKind::Veto, "breached") => Some(ItemScore::VetoBreached),
            (ItemKind::Veto, "holds") => Some(ItemScore::VetoHolds),
            (_, v) => Some(
                v.parse::<u32>()
                    .map(ItemScore::Points)
                    .unwrap_or(ItemScore::Points(u32::MAX)),
            ),
        })
        .collect();
    let items: Vec<(ItemKind, u32)> = set.items.iter().map(|i| (i.kind, i.max_points)).collect();
    let kept: String = raw
        .iter()
        .enumerate()
        .map(|(i, v)| format!("&v.{i}={}", common::q(v)))
        .collect();
    let outcome = match domain::scoring::score(&items, &scores, &set.rules) {
        Ok(o) => o,
        Err(e) => {
            let code = match e {
                domain::scoring::ScoreError::Missing(i) => format!("{MISSING_ITEM}{i}"),
                domain::scoring::ScoreError::AboveMaximum(i)
                | domain::scoring::ScoreError::WrongKind(i) => format!("{ABOVE_MAXIMUM}{i}"),
            };
            return Redirect::to(&format!("/scoring/{aid}?error={code}{kept}#score-form"))
                .into_response();
        }
    };
    let Ok(json) = serde_json::to_string(&scores) else {
        return sheet_back(aid, ScoringNote::State);
    };
    match store
        .submit_scores(
            aid,
            user.account_id,
            &json,
            i64::from(outcome.total),
            outcome.vetoed,
            &text(&p, "comment", 1000),
            &common::audit_event(
                &user,
                addr.clone(),
                "panel.score",
                format!("application:{}", a.application_id),
                format!(
                    "total {}{}",
                    outcome.total,
                    if outcome.vetoed { " veto" } else { "" }
                ),
            ),
        )
        .await
    {
        Ok(true) => Redirect::to(&format!("/scoring/{aid}?scored=1")).into_response(),
        _ => sheet_back(aid, ScoringNote::State),
    }
}

/// An on-site note, with a photo when one is attached.
pub async fn visit(
    State(state): State<AppState>,
    Path(aid): Path<i64>,
    Staff { user, addr, .. }: Staff<PanelMember>,
    multipart: Multipart,
) -> Response {
    let store = &state.store;
    let Ok(Some(a)) = store
        .assignments_of_reviewer(user.account_id)
        .await
        .map(|v| {
            v.into_iter()
                .find(|a| a.id == aid && a.status == "assigned")
        })
    else {
        return sheet_back(aid, ScoringNote::State);
    };
    let Ok(upload) = crate::applications::handlers::read_upload(store, multipart).await else {
        return sheet_back(aid, ScoringNote::Upload);
    };
    let note: String = upload.field("note").chars().take(1000).collect();
    if note.trim().is_empty() {
        return sheet_back(aid, ScoringNote::Visit);
    }
    let event = common::audit_event(
        &user,
        addr.clone(),
        "panel.site_visit",
        format!("application:{}", a.application_id),
        note.chars().take(60).collect(),
    );
    let visit = match store
        .add_site_visit(a.application_id, user.account_id, note.trim(), &event)
        .await
    {
        Ok(visit) => visit,
        Err(e) => {
            tracing::error!(error = %e, "site visit not recorded");
            return sheet_back(aid, ScoringNote::State);
        }
    };
    if upload.file.is_some() {
        let photo = common::audit_event(
            &user,
            addr.clone(),
            "panel.site_photo",
            format!("application:{}", a.application_id),
            format!("visit {visit}"),
        );
        if let Err(e) = crate::applications::handlers::keep_upload(
            &state,
            &user,
            a.application_id,
            &format!("site.{visit}"),
            upload,
            &photo,
        )
        .await
        {
            tracing::warn!(?e, "site photo not kept");
            return sheet_back(aid, ScoringNote::Upload);
        }
    }
    Redirect::to(&format!("/scoring/{aid}#visit")).into_response()
}
