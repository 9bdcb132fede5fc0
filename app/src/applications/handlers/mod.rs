//! (server only) The wizard's plain HTTP endpoints: every step's form posts here, with
//! JavaScript (answered in JSON) or without it (answered with a redirect to the page to
//! show next), so one code path serves both. Uploads and file downloads too.
//!
//! Who may touch an application: the applicant organisation's accounts; the agent
//! organisation's accounts while they prepare it (until they hand it over); staff may
//! read submitted applications within their area. Anyone else gets "not found".

use super::{ApplicationSummary, EvidenceView, MyApplications, WizardData};
use crate::accounts::session::ClientAddr;
use crate::accounts::CurrentUser;
use crate::errors::AppError;
use crate::state::AppState;
use axum::extract::{FromRef, Multipart, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form, Json};
use domain::application::{self as form, Draft, Step, UploadProblem};
use domain::lifecycle::State as ApplicationState;
use domain::scoring::Indicator;
use domain::{AreaCode, Category, Role};
use serde::Serialize;
use store::applications::Application;
use store::Store;

mod files;
mod steps;
pub use files::*;
pub use steps::*;

/// Settings keys of the upload limits, and their defaults.
pub const MAX_FILE_MB: (&str, u32) = ("uploads.max_file_mb", 10);
pub const MAX_APPLICATION_MB: (&str, u32) = ("uploads.max_application_mb", 50);
/// What the HTTP layer accepts at most for one upload request; the settings decide below it.
pub const UPLOAD_BODY_LIMIT: usize = 64 * 1024 * 1024;

/// The paths `routes` serves (for the access policy's coverage test).
pub const ROUTES: &[&str] = &[
    "/apply/start",
    "/apply/{id}/save",
    "/apply/{id}/upload",
    "/apply/{id}/evidence/remove",
    "/apply/{id}/submit",
    "/apply/{id}/hand-over",
    "/apply/{id}/accept",
    "/apply/{id}/remove",
    "/files/{id}",
];

pub fn routes<S>() -> axum::Router<S>
where
    S: Clone + Send + Sync + 'static,
    AppState: FromRef<S>,
{
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/apply/start", post(start))
        .route("/apply/{id}/save", post(save))
        .route(
            "/apply/{id}/upload",
            post(upload).layer(axum::extract::DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        )
        .route("/apply/{id}/evidence/remove", post(remove_file))
        .route("/apply/{id}/submit", post(submit))
        .route("/apply/{id}/hand-over", post(hand_over))
        .route("/apply/{id}/accept", post(super::proposals::accept))
        .route("/apply/{id}/remove", post(super::proposals::remove))
        .route("/files/{id}", get(serve_file))
}

/// How the signed-in user relates to an application.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Viewer {
    Applicant,
    Agent,
    Staff,
}

pub(crate) async fn own_organisation(
    store: &Store,
    user: &CurrentUser,
) -> Result<store::accounts::Organisation, AppError> {
    if user.role != Role::Applicant {
        return Err(AppError::Forbidden);
    }
    let account = store
        .account(user.account_id)
        .await?
        .ok_or(AppError::SignInRequired)?;
    let org_id = account.organisation_id.ok_or(AppError::Forbidden)?;
    store.organisation(org_id).await?.ok_or(AppError::Forbidden)
}

/// Loads an application the user may see; "not found" for anything else, so ids reveal nothing.
pub(crate) async fn visible(
    store: &Store,
    user: &CurrentUser,
    id: i64,
) -> Result<(Application, Viewer), AppError> {
    let app = store.application(id).await?.ok_or(AppError::NotFound)?;
    if user.role == Role::Applicant {
        let org = own_organisation(store, user).await?;
        if app.organisation_id == org.id {
            return Ok((app, Viewer::Applicant));
        }
        if app.agent_organisation_id == Some(org.id) {
            return Ok((app, Viewer::Agent));
        }
        return Err(AppError::NotFound);
    }
    let staff_roles = [
        Role::TownshipReviewer,
        Role::CountyOffice,
        Role::PanelMember,
        Role::MemberUnitStaff,
        Role::Leader,
    ];
    if !staff_roles.contains(&user.role) || app.state.unsubmitted() {
        return Err(AppError::NotFound);
    }
    // A panel member reads only what it is assigned to score, and not once it stepped aside.
    if user.role == Role::PanelMember {
        let round = store.current_round(app.id).await?;
        let assigned = store
            .assignments_of_application(app.id, round)
            .await?
            .iter()
            .any(|a| {
                a.reviewer_id == user.account_id
                    && a.status != domain::panel::AssignmentStatus::Recused
            });
        if !assigned {
            return Err(AppError::NotFound);
        }
    }
    let org = store
        .organisation(app.organisation_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (Ok(scope), Ok(area)) = (
        AreaCode::parse(&user.area_code),
        AreaCode::parse(&org.area_code),
    ) else {
        return Err(AppError::NotFound);
    };
    if domain::role::in_scope(&scope, &area) {
        Ok((app, Viewer::Staff))
    } else {
        Err(AppError::NotFound)
    }
}

/// Staff who handle an application see the people in it in full (and each look is
/// audited); those who only oversee (leaders, member bureaus) see them masked.
pub(crate) fn sees_personal_data(role: Role) -> bool {
    matches!(
        role,
        Role::TownshipReviewer | Role::CountyOffice | Role::PanelMember
    )
}

pub(crate) fn is_editable_by(app: &Application, viewer: Viewer) -> bool {
    let open = app.state.open_to_applicant();
    match viewer {
        // A proposal is the agent's until the merchant accepts it.
        Viewer::Applicant => open,
        Viewer::Agent => {
            (open || app.state == ApplicationState::Proposed) && app.handed_over_at.is_none()
        }
        Viewer::Staff => false,
    }
}

pub(crate) async fn editable(
    store: &Store,
    user: &CurrentUser,
    id: i64,
) -> Result<Application, AppError> {
    editable_as(store, user, id).await.map(|(app, _)| app)
}

/// An application this user may change now, and as whom.
pub(crate) async fn editable_as(
    store: &Store,
    user: &CurrentUser,
    id: i64,
) -> Result<(Application, Viewer), AppError> {
    let (app, viewer) = visible(store, user, id).await?;
    if is_editable_by(&app, viewer) {
        Ok((app, viewer))
    } else {
        Err(AppError::Forbidden)
    }
}

pub async fn setting_u32(store: &Store, (key, default): (&str, u32)) -> Result<u32, AppError> {
    Ok(store
        .setting(key)
        .await?
        .and_then(|v| v.parse().ok())
        .unwrap_or(default))
}

pub(crate) fn category_of(app: &Application) -> Result<Category, AppError> {
    Category::parse(&app.category_code).ok_or_else(|| {
        AppError::internal(format!(
            "application {} has category {:?}",
            app.id, app.category_code
        ))
    })
}

pub(crate) async fn indicator_items(
    store: &Store,
    app: &Application,
) -> Result<(Vec<Indicator>, domain::scoring::SetRules), AppError> {
    let set = store
        .indicator_set_by_id(app.indicator_set_id)
        .await?
        .ok_or_else(|| {
            AppError::internal(format!("indicator set {} missing", app.indicator_set_id))
        })?;
    Ok((set.items, set.rules))
}

pub async fn wizard_data_for(
    store: &Store,
    user: &CurrentUser,
    id: i64,
) -> Result<WizardData, AppError> {
    let (app, viewer) = visible(store, user, id).await?;
    wizard_data_of(store, user, app, viewer).await
}

/// What the wizard shows of `app`, which `user` sees as `viewer` (see `visible`).
pub(crate) async fn wizard_data_of(
    store: &Store,
    user: &CurrentUser,
    app: Application,
    viewer: Viewer,
) -> Result<WizardData, AppError> {
    let category = category_of(&app)?;
    let (items, rules) = indicator_items(store, &app).await?;
    let mut draft = Draft::from_json(&app.data);
    if viewer == Viewer::Staff && !sees_personal_data(user.role) {
        form::mask_personal(&mut draft);
    }
    let org = store
        .organisation(app.organisation_id)
        .await?
        .ok_or_else(|| AppError::internal("application without organisation"))?;
    let agent_name = match app.agent_organisation_id {
        Some(a) => store.organisation(a).await?.map(|o| o.name),
        None => None,
    };
    // The latest township decision, when it was a return.
    let returned = store
        .township_reviews_of(app.id)
        .await?
        .into_iter()
        .next()
        .filter(|r| r.decision == "return")
        .map(|r| super::ReturnNote {
            reviewer: r.reviewer,
            summary: r.summary,
            comments: serde_json::from_str(&r.comments).unwrap_or_default(),
            at: r.decided_at,
        });
    let townships = crate::accounts::township_options(store).await?;
    let evidence = store
        .evidence_of(app.id)
        .await?
        .into_iter()
        .map(|e| EvidenceView {
            id: e.id,
            slot: e.slot,
            name: e.original_name,
            media_type: e.media_type,
            size_bytes: e.size_bytes,
        })
        .collect();
    Ok(WizardData {
        id: app.id,
        category,
        editable: is_editable_by(&app, viewer),
        state: app.state,
        revision: app.revision,
        step: app.step,
        draft,
        items,
        rules,
        evidence,
        townships,
        organisation_name: org.name,
        registered_credit_code: org.credit_code,
        max_file_mb: setting_u32(store, MAX_FILE_MB).await?,
        max_application_mb: setting_u32(store, MAX_APPLICATION_MB).await?,
        agent_name,
        handed_over: app.handed_over_at.is_some(),
        viewer_is_agent: viewer == Viewer::Agent,
        submitted_at: app.submitted_at,
        returned,
    })
}

async fn summary(store: &Store, a: Application) -> Result<ApplicationSummary, AppError> {
    let org_name = store
        .organisation(a.organisation_id)
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    let agent_name = match a.agent_organisation_id {
        Some(id) => store.organisation(id).await?.map(|o| o.name),
        None => None,
    };
    let plaque_token = if a.state.had_recognition() {
        store
            .recognition_of_application(a.id)
            .await?
            .map(|r| r.token)
    } else {
        None
    };
    Ok(ApplicationSummary {
        plaque_token,
        id: a.id,
        category: category_of(&a)?,
        organisation_name: org_name,
        state: a.state,
        step: a.step,
        updated_at: a.updated_at,
        agent_name,
        handed_over: a.handed_over_at.is_some(),
    })
}

pub async fn my_applications_for(
    store: &Store,
    user: &CurrentUser,
) -> Result<MyApplications, AppError> {
    let org = own_organisation(store, user).await?;
    let category = Category::parse(&org.category_code)
        .ok_or_else(|| AppError::internal("organisation with an unknown category"))?;
    let batch = store.open_batch(form::COUNTY).await?;
    let mut applications = Vec::new();
    for a in store.applications_of(org.id).await? {
        applications.push(summary(store, a).await?);
    }
    let can_start = batch.is_some() && !has_open(&applications, category);
    let is_agent = category != Category::Unit;
    let mut prepared = Vec::new();
    if is_agent {
        for a in store.applications_prepared_by(org.id).await? {
            prepared.push(summary(store, a).await?);
        }
    }
    Ok(MyApplications {
        organisation_name: org.name,
        category,
        batch_name: batch.map(|b| (b.name_zh, b.name_en)),
        can_start,
        applications,
        is_agent,
        prepared,
    })
}

/// True when one of the organisation's applications in the category is still open
/// (one batch is open at a time).
fn has_open(apps: &[ApplicationSummary], category: Category) -> bool {
    apps.iter().any(|a| {
        // An agent's proposal holds no slot of the merchant's (see `proposals`).
        a.category == category
            && !matches!(
                a.state,
                ApplicationState::Rejected
                    | ApplicationState::Revoked
                    | ApplicationState::Expired
                    | ApplicationState::Proposed
            )
    })
}

/// JavaScript's fetches ask for JSON; a plain form post gets a redirect.
pub(crate) fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

pub(crate) fn error_response(e: AppError, headers: &HeaderMap, back: &str) -> Response {
    if wants_json(headers) {
        let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return (status, Json(e)).into_response();
    }
    match e {
        AppError::SignInRequired => Redirect::to(&format!("/login?next={back}")).into_response(),
        AppError::NotFound => (StatusCode::NOT_FOUND, "not found · 找不到").into_response(),
        AppError::Forbidden => Redirect::to(&format!("{back}?error=locked")).into_response(),
        _ => Redirect::to(&format!("{back}?error=internal")).into_response(),
    }
}

pub(crate) fn client_addr(ext: &Option<Extension<ClientAddr>>) -> String {
    ext.as_ref()
        .map(|e| e.0 .0.clone())
        .unwrap_or_else(|| "unknown".into())
}

pub(crate) use crate::review::common::audit;

/// The wizard's first values, from what the organisation registered with. An agent's
/// proposal gets no contact details: the merchant's are filled in when it accepts.
pub fn prefilled(org: &store::accounts::Organisation, for_agent: bool) -> Draft {
    let mut draft = Draft::default();
    let mut fields = vec![
        ("credit_code", org.credit_code.as_str()),
        ("registered_name", org.name.as_str()),
        ("township", org.area_code.as_str()),
    ];
    if !for_agent {
        fields.extend(contact_fields(org));
    }
    let identity: Vec<(String, String)> = fields
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let names: Vec<String> = identity.iter().map(|(k, _)| k.clone()).collect();
    draft.put(Step::Identity, &names, &identity);
    draft
}

/// The contact details an organisation registered with, as identity fields.
pub(crate) fn contact_fields(org: &store::accounts::Organisation) -> [(&'static str, &str); 2] {
    [
        ("contact_name", org.contact_name.as_str()),
        ("contact_mobile", org.contact_mobile.as_str()),
    ]
}
