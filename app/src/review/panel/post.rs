//! The no-JS form handlers (server only): panel members, settings, assignment,
//! the result, recusal, scores and site visits.

use super::super::common::{self, field, text, CountyOffice, PanelMember, Staff};
use super::*;
use crate::state::AppState;
use crate::usecases::panel::{recuse as recuse_assignment, submit_scores, SheetOutcome};
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;

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
    use crate::usecases::panel::{change_membership, Membership};
    let cat = field(&p, "category");
    let (Ok(batch), Ok(account), Some(category)) = (
        field(&p, "batch").parse::<i64>(),
        field(&p, "account").parse::<i64>(),
        Category::parse(&cat),
    ) else {
        return back(&cat, PanelNote::State);
    };
    let change = if field(&p, "op") == "add" {
        Membership::Add
    } else {
        Membership::Remove
    };
    let actor = crate::usecases::Actor::new(user, addr);
    if let Err(e) = change_membership(&state.store, &actor, batch, category, account, change).await
    {
        tracing::warn!(error = ?e, "panel membership not changed");
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
    let actor = crate::usecases::Actor::new(user, addr);
    if let Err(e) = crate::usecases::settings::panel(&state.store, &actor, method, per).await {
        tracing::error!(error = ?e, "panel settings not saved");
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
    use crate::usecases::panel::{assign_balanced, assign_reviewer};
    let cat = field(&p, "category");
    let actor = crate::usecases::Actor::new(user, addr);
    let done = match (
        field(&p, "application").parse::<i64>(),
        field(&p, "reviewer").parse::<i64>(),
        field(&p, "batch").parse::<i64>(),
        Category::parse(&cat),
    ) {
        (Ok(app), Ok(reviewer), _, _) => assign_reviewer(&state.store, &actor, app, reviewer)
            .await
            .map(usize::from),
        (_, _, Ok(batch), Some(category)) => {
            assign_balanced(&state.store, &actor, batch, category).await
        }
        _ => Err(AppError::BadRequest),
    };
    match done {
        Ok(_) => back(&cat, PanelNote::Assigned),
        Err(e) => {
            tracing::warn!(error = ?e, "assignment refused");
            back(&cat, PanelNote::State)
        }
    }
}

/// Record the result, or call a discussion.
pub async fn decide(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Staff { user, addr, .. }: Staff<CountyOffice>,
    Form(p): Posted,
) -> Response {
    use crate::usecases::panel::{decide_result, PanelOutcome, PanelStep};
    let cat = field(&p, "category");
    let step = if field(&p, "op") == "discuss" {
        PanelStep::Discuss
    } else {
        PanelStep::Decide
    };
    let actor = crate::usecases::Actor::new(user, addr);
    match decide_result(&state.store, &actor, id, step).await {
        Ok(done) => back(
            &cat,
            match done {
                PanelOutcome::Discussion => PanelNote::Discussion,
                PanelOutcome::Passed => PanelNote::Passed,
                PanelOutcome::Failed => PanelNote::Failed,
                PanelOutcome::Rejected => PanelNote::Rejected,
            },
        ),
        Err(e) => {
            tracing::warn!(error = ?e, "panel decision refused");
            back(&cat, PanelNote::State)
        }
    }
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
    let actor = crate::usecases::Actor::new(user, addr);
    match recuse_assignment(&state.store, &actor, aid, conflict, &text(&p, "note", 200)).await {
        Ok(SheetOutcome::Done) => Redirect::to("/scoring?recused=1").into_response(),
        _ => sheet_back(aid, ScoringNote::State),
    }
}

pub async fn submit(
    State(state): State<AppState>,
    Path(aid): Path<i64>,
    Staff { user, addr, .. }: Staff<PanelMember>,
    Form(p): Posted,
) -> Response {
    // What was entered per item, by its number (`item.3`), refilled on a refusal.
    let mut values = std::collections::BTreeMap::<usize, String>::new();
    for (k, v) in &p {
        if let Some(i) = k.strip_prefix("item.").and_then(|i| i.parse().ok()) {
            // The first of a repeated field counts, as everywhere else; no set has
            // anywhere near 500 items.
            if i < 500 {
                values.entry(i).or_insert_with(|| v.trim().to_string());
            }
        }
    }
    let actor = crate::usecases::Actor::new(user, addr);
    let comment = text(&p, "comment", 1000);
    match submit_scores(&state.store, &actor, aid, &values, &comment).await {
        Ok(SheetOutcome::Done) => Redirect::to(&format!("/scoring/{aid}?scored=1")).into_response(),
        Ok(SheetOutcome::Invalid(e)) => {
            let code = match e {
                domain::scoring::ScoreError::Missing(i) => format!("{MISSING_ITEM}{i}"),
                domain::scoring::ScoreError::AboveMaximum(i)
                | domain::scoring::ScoreError::WrongKind(i) => format!("{ABOVE_MAXIMUM}{i}"),
            };
            let kept: String = values
                .iter()
                .map(|(i, v)| format!("&v.{i}={}", common::q(v)))
                .collect();
            Redirect::to(&format!("/scoring/{aid}?error={code}{kept}#score-form")).into_response()
        }
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
    use crate::usecases::panel::{site_visit, Visited};
    let store = &state.store;
    let Ok(upload) = crate::applications::handlers::read_upload(store, multipart).await else {
        return sheet_back(aid, ScoringNote::Upload);
    };
    let actor = crate::usecases::Actor::new(user, addr);
    let note = upload.field("note");
    match site_visit(store, &state.objects, &actor, aid, &note, Some(upload)).await {
        Ok(Visited::Recorded(_)) => Redirect::to(&format!("/scoring/{aid}#visit")).into_response(),
        Ok(Visited::PhotoRefused(problem)) => {
            tracing::info!(?problem, "site photo refused");
            sheet_back(aid, ScoringNote::Upload)
        }
        Ok(Visited::NoNote) => sheet_back(aid, ScoringNote::Visit),
        Ok(Visited::NotAssigned) => sheet_back(aid, ScoringNote::State),
        Err(e) => {
            tracing::error!(error = ?e, "site visit not recorded");
            sheet_back(aid, ScoringNote::State)
        }
    }
}
