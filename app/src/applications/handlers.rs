//! (server only) The wizard's plain HTTP endpoints: every step's form posts here, with
//! JavaScript (answered in JSON) or without it (answered with a redirect to the page to
//! show next), so one code path serves both. Uploads and file downloads too.
//!
//! Who may touch an application: the applicant organisation's accounts; the agent
//! organisation's accounts while they prepare it (until they hand it over); staff may
//! read submitted applications within their area. Anyone else gets "not found".

use super::{ApplicationSummary, EvidenceView, MyApplications, SaveReply, WizardData};
use crate::accounts::session::ClientAddr;
use crate::accounts::CurrentUser;
use crate::errors::AppError;
use crate::state::AppState;
use axum::extract::{FromRef, Multipart, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form, Json};
use domain::application::{self as form, Draft, FieldProblem, Step, UploadProblem};
use domain::scoring::Indicator;
use domain::{AreaCode, Category, Role};
use serde::Serialize;
use store::applications::{Application, NewApplication, SaveOutcome};
use store::Store;

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

async fn own_organisation(
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
    if !staff_roles.contains(&user.role) || matches!(app.state.as_str(), "draft" | "proposed") {
        return Err(AppError::NotFound);
    }
    // A panel member reads only what it is assigned to score, and not once it stepped aside.
    if user.role == Role::PanelMember {
        let round = store.current_round(app.id).await?;
        let assigned = store
            .assignments_of_application(app.id, round)
            .await?
            .iter()
            .any(|a| a.reviewer_id == user.account_id && a.status != "recused");
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
    let open = matches!(app.state.as_str(), "draft" | "returned");
    match viewer {
        // A proposal is the agent's until the merchant accepts it.
        Viewer::Applicant => open,
        Viewer::Agent => (open || app.state == "proposed") && app.handed_over_at.is_none(),
        Viewer::Staff => false,
    }
}

async fn editable(store: &Store, user: &CurrentUser, id: i64) -> Result<Application, AppError> {
    editable_as(store, user, id).await.map(|(app, _)| app)
}

/// An application this user may change now, and as whom.
async fn editable_as(
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

fn category_of(app: &Application) -> Result<Category, AppError> {
    Category::parse(&app.category_code).ok_or_else(|| {
        AppError::internal(format!(
            "application {} has category {:?}",
            app.id, app.category_code
        ))
    })
}

async fn indicator_items(
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
    let plaque_token = if matches!(a.state.as_str(), "recognised" | "revoked" | "expired") {
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
                a.state.as_str(),
                "rejected" | "revoked" | "expired" | "proposed"
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

#[derive(serde::Deserialize)]
pub struct StartForm {
    /// For an agent: the merchant's credit code. Empty: apply for one's own organisation.
    #[serde(default)]
    merchant: String,
}

#[tracing::instrument(skip_all)]
async fn start(
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
enum StartError {
    Refused(super::StartRefusal),
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
async fn start_inner(
    store: &Store,
    user: Option<CurrentUser>,
    addr: String,
    f: StartForm,
) -> Result<i64, StartError> {
    use super::StartRefusal as R;
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
    // An agent proposes; the merchant's own slot stays free until it accepts.
    let started = if agent.is_some() {
        store.propose_application(&new).await
    } else {
        store.start_application(&new).await
    };
    let id = match started {
        Ok(id) => id,
        Err(e) if e.is_unique_violation() => return Err(refuse(R::Exists)),
        Err(e) => return Err(e.into()),
    };
    audit(
        store,
        &user,
        addr,
        "application.start",
        format!("application:{id}"),
        format!("organisation {}", org.id),
    )
    .await?;
    Ok(id)
}

#[tracing::instrument(skip_all, fields(application = id))]
async fn save(
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

async fn save_inner(
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

#[derive(Serialize)]
struct UploadReply {
    file: EvidenceView,
}

#[tracing::instrument(skip_all, fields(application = id))]
async fn upload(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    user: Option<Extension<CurrentUser>>,
    addr: Option<Extension<ClientAddr>>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let back = format!("/apply/{id}/evidence");
    let Some(Extension(user)) = user else {
        return error_response(AppError::SignInRequired, &headers, &back);
    };
    match upload_inner(&state, &user, client_addr(&addr), id, multipart).await {
        Ok(file) if wants_json(&headers) => Json(UploadReply { file }).into_response(),
        Ok(file) => {
            Redirect::to(&format!("{back}?uploaded={}#slot-{}", file.id, file.slot)).into_response()
        }
        Err(Ok((slot, problem))) => {
            if wants_json(&headers) {
                let status = if problem == UploadProblem::StorageFull {
                    StatusCode::INSUFFICIENT_STORAGE
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                };
                (status, Json(problem)).into_response()
            } else {
                Redirect::to(&format!(
                    "{back}?upload_error={}&slot={slot}#slot-{slot}",
                    problem.code()
                ))
                .into_response()
            }
        }
        Err(Err(e)) => error_response(e, &headers, &back),
    }
}

type UploadResult = Result<EvidenceView, Result<(String, UploadProblem), AppError>>;

async fn upload_inner(
    state: &AppState,
    user: &CurrentUser,
    addr: String,
    id: i64,
    multipart: Multipart,
) -> UploadResult {
    let store = &state.store;
    let app = editable(store, user, id).await.map_err(Err)?;
    let (items, _) = indicator_items(store, &app).await.map_err(Err)?;
    let rules = form::item_rules(&items);
    let slots = form::evidence_slots(&rules);
    let upload = read_upload(store, multipart).await.map_err(Err)?;
    let slot = upload.field("slot");
    if !slots.contains(&slot) {
        return Err(Err(AppError::BadRequest));
    }
    let view = keep_upload(state, user, id, &slot, upload)
        .await
        .map_err(|e| e.map(|p| (slot.clone(), p)))?;
    audit(
        store,
        user,
        addr,
        "evidence.upload",
        format!("application:{id}"),
        format!("file {} slot {slot} {} bytes", view.id, view.size_bytes),
    )
    .await
    .map_err(Err)?;
    Ok(view)
}

/// A multipart form as read: its text fields and at most one file (name, the bytes kept
/// up to the per-file limit, the full size sent).
pub struct Upload {
    pub fields: Vec<(String, String)>,
    pub file: Option<(String, Vec<u8>, u64)>,
    /// The body broke off or went past the HTTP limit.
    pub broken: bool,
    max_file_mb: u32,
}

impl Upload {
    pub fn field(&self, key: &str) -> String {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    }
}

/// Reads a multipart form with one file field named `file` (an empty file input counts as none).
pub async fn read_upload(store: &Store, mut multipart: Multipart) -> Result<Upload, AppError> {
    let max_file = setting_u32(store, MAX_FILE_MB).await?;
    let limit = u64::from(max_file) * form::MB;
    let mut out = Upload {
        fields: Vec::new(),
        file: None,
        broken: false,
        max_file_mb: max_file,
    };
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                out.broken = true;
                break;
            }
        };
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let file_name = upload_file_name(field.file_name().unwrap_or_default());
            let mut bytes = Vec::new();
            let mut size = 0u64;
            let mut field = field;
            // Read to the end (so the browser gets our answer), keeping no more than the limit.
            loop {
                match field.chunk().await {
                    Ok(Some(chunk)) => {
                        size += chunk.len() as u64;
                        if size <= limit {
                            bytes.extend_from_slice(&chunk);
                        }
                    }
                    Ok(None) => break,
                    Err(_) => {
                        out.broken = true;
                        break;
                    }
                }
            }
            if size > 0 {
                out.file = Some((file_name, bytes, size));
            }
        } else if !name.is_empty() {
            let value = field.text().await.unwrap_or_default();
            out.fields.push((name, value.chars().take(4000).collect()));
        }
    }
    Ok(out)
}

/// The name a file is shown under: the last part of whatever path the browser sent
/// (`../../etc/passwd.png` is `passwd.png`), without control characters, at most 120
/// characters. Files are stored under their hash, so the name is only ever shown.
pub fn upload_file_name(sent: &str) -> String {
    let last = sent.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = last.chars().filter(|c| !c.is_control()).take(120).collect();
    let clean = clean.trim().trim_start_matches('.').trim();
    if clean.is_empty() {
        "file".to_string()
    } else {
        clean.to_string()
    }
}

/// Checks an uploaded file by content and the limits, stores its bytes and records it
/// as evidence of `application_id` in `slot`.
pub async fn keep_upload(
    state: &AppState,
    user: &CurrentUser,
    application_id: i64,
    slot: &str,
    upload: Upload,
) -> Result<EvidenceView, Result<UploadProblem, AppError>> {
    let store = &state.store;
    let max_file = upload.max_file_mb;
    if upload.broken {
        return Err(Ok(UploadProblem::FileTooLarge { max_mb: max_file }));
    }
    let Some((name, bytes, size)) = upload.file else {
        return Err(Ok(UploadProblem::Empty));
    };
    let max_total = setting_u32(store, MAX_APPLICATION_MB).await.map_err(Err)?;
    let used = store
        .evidence_bytes(application_id)
        .await
        .map_err(|e| Err(e.into()))?
        .max(0) as u64;
    let kind = form::check_upload(&bytes, size, used, max_file, max_total).map_err(Ok)?;
    let key = state.objects.put(&bytes).await.map_err(|e| {
        if e.is_storage_full() {
            tracing::error!(error = %e, "upload refused: the object store is full");
            Ok(UploadProblem::StorageFull)
        } else {
            Err(AppError::internal(e))
        }
    })?;
    let file_id = store
        .add_evidence(&store::evidence::NewEvidence {
            application_id,
            slot,
            object_key: &key,
            media_type: kind.mime(),
            size_bytes: size as i64,
            original_name: &name,
            uploaded_by: user.account_id,
        })
        .await
        .map_err(|e| Err(e.into()))?;
    Ok(EvidenceView {
        id: file_id,
        slot: slot.to_string(),
        name,
        media_type: kind.mime().to_string(),
        size_bytes: size as i64,
    })
}

#[derive(serde::Deserialize)]
pub struct RemoveForm {
    file: i64,
}

#[tracing::instrument(skip_all, fields(application = id))]
async fn remove_file(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    user: Option<Extension<CurrentUser>>,
    addr: Option<Extension<ClientAddr>>,
    headers: HeaderMap,
    Form(f): Form<RemoveForm>,
) -> Response {
    let back = format!("/apply/{id}/evidence");
    let Some(Extension(user)) = user else {
        return error_response(AppError::SignInRequired, &headers, &back);
    };
    let result = async {
        editable(&state.store, &user, id).await?;
        if state.store.remove_evidence(f.file, id).await? {
            audit(
                &state.store,
                &user,
                client_addr(&addr),
                "evidence.remove",
                format!("application:{id}"),
                format!("file {}", f.file),
            )
            .await?;
        }
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) if wants_json(&headers) => StatusCode::NO_CONTENT.into_response(),
        Ok(()) => Redirect::to(&back).into_response(),
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
async fn submit(
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
async fn hand_over(
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
async fn finish(
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
    let store = &state.store;
    let result = async {
        let (app, viewer) = visible(store, &user, id).await?;
        let expected = if submit_revision.is_some() {
            Viewer::Applicant
        } else {
            Viewer::Agent
        };
        if viewer != expected || !is_editable_by(&app, viewer) {
            return Err(AppError::Forbidden);
        }
        let check = wizard_data_for(store, &user, id).await?.self_check();
        let ready = if submit_revision.is_some() {
            check.ready()
        } else {
            check.ready_to_hand_over()
        };
        if !ready {
            return Ok(format!("{back}?check=1"));
        }
        match submit_revision {
            Some(revision) => {
                let event = crate::review::common::audit_event(
                    &user,
                    client_addr(&addr),
                    "application.submit",
                    format!("application:{id}"),
                    format!("revision {revision}"),
                );
                if !store
                    .submit_application(id, revision, user.account_id, &event)
                    .await?
                {
                    // Changed elsewhere since the review page was shown: show it again.
                    return Ok(format!("{back}?error=stale"));
                }
                Ok(format!("{back}?submitted=1"))
            }
            None => {
                store.hand_over(id).await?;
                audit(
                    store,
                    &user,
                    client_addr(&addr),
                    "application.hand_over",
                    format!("application:{id}"),
                    format!("revision {}", app.revision),
                )
                .await?;
                Ok(format!("{back}?handed_over=1"))
            }
        }
    }
    .await;
    match result {
        Ok(to) if wants_json(headers) => Json(to).into_response(),
        Ok(to) => Redirect::to(&to).into_response(),
        Err(e) => error_response(e, headers, &back),
    }
}

/// Serves an evidence file to those who may see its application, never to anyone else.
#[tracing::instrument(skip_all, fields(file = id))]
async fn serve_file(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    user: Option<Extension<CurrentUser>>,
    addr: Option<Extension<ClientAddr>>,
) -> Response {
    let Some(Extension(user)) = user else {
        return (StatusCode::UNAUTHORIZED, "sign in · 请先登录").into_response();
    };
    let result = async {
        let file = state
            .store
            .evidence_file(id)
            .await?
            .ok_or(AppError::NotFound)?;
        let (_, viewer) = visible(&state.store, &user, file.application_id).await?;
        // Who read which evidence, when: staff downloads are audited.
        if viewer == Viewer::Staff {
            audit(
                &state.store,
                &user,
                client_addr(&addr),
                "evidence.download",
                format!("application:{}", file.application_id),
                format!("file {id}"),
            )
            .await?;
        }
        let bytes = state
            .objects
            .get(&file.object_key)
            .await
            .map_err(AppError::internal)?
            .ok_or_else(|| AppError::internal(format!("object {} missing", file.object_key)))?;
        Ok::<_, AppError>((file, bytes))
    }
    .await;
    match result {
        Ok((file, bytes)) => {
            // An image opened on its own runs nothing and reaches nothing, whatever else
            // its bytes hold (a polyglot). PDFs keep the browser's own viewer, which a
            // sandbox would switch off.
            let is_image = file.media_type.starts_with("image/");
            let mut res = (
                [
                    (header::CONTENT_TYPE, file.media_type),
                    (header::CACHE_CONTROL, "private, no-store".to_string()),
                    (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
                    (header::CONTENT_DISPOSITION, "inline".to_string()),
                ],
                bytes,
            )
                .into_response();
            if is_image {
                res.headers_mut().insert(
                    header::CONTENT_SECURITY_POLICY,
                    header::HeaderValue::from_static("default-src 'none'; img-src 'self'; sandbox"),
                );
            }
            res
        }
        Err(e) => (
            StatusCode::from_u16(e.status()).unwrap_or(StatusCode::NOT_FOUND),
            "not found · 找不到",
        )
            .into_response(),
    }
}
