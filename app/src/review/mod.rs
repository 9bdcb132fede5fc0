//! The staff side of the campaign: batches and indicator sets, township pre-review,
//! the county panel, public notices and objections, recognition and re-inspection.

pub mod batches;
#[cfg(feature = "ssr")]
pub mod common;
pub mod indicator_sets;
pub mod notices;
pub mod panel;
pub mod recognitions;
pub mod township;

/// Plain HTTP routes of this module (form posts that work without JavaScript).
#[cfg(feature = "ssr")]
pub const ROUTES: &[&str] = &[
    "/indicators/edit/save",
    "/review/{id}/decide",
    "/batches/create",
    "/batches/{id}/status",
    "/panel/members",
    "/panel/settings",
    "/panel/assign",
    "/panel/{id}/decide",
    "/scoring/{id}/recuse",
    "/scoring/{id}/submit",
    "/scoring/{id}/visit",
    "/notices/create",
    "/notices/settings",
    "/notices/calendar",
    "/notices/{id}/recognise",
    "/objections/{id}/assign",
    "/objections/{id}/decide",
    "/reinspections/plan",
    "/reinspections/{id}/record",
    "/recognitions.xlsx",
    "/rectification/{id}/upload",
    "/rectification/{id}/report",
    "/rectification/{id}/accept",
    "/notice/{id}/object",
];

#[cfg(feature = "ssr")]
pub fn routes<S>() -> axum::Router<S>
where
    S: Clone + Send + Sync + 'static,
    crate::state::AppState: axum::extract::FromRef<S>,
{
    use axum::routing::{get, post};
    let upload_limit =
        axum::extract::DefaultBodyLimit::max(crate::applications::handlers::UPLOAD_BODY_LIMIT);
    axum::Router::new()
        .route("/indicators/edit/save", post(indicator_sets::ssr::save))
        .route("/review/{id}/decide", post(township::ssr::decide))
        .route("/batches/create", post(batches::ssr::create))
        .route("/batches/{id}/status", post(batches::ssr::set_status))
        .route("/panel/members", post(panel::post::members))
        .route("/panel/settings", post(panel::post::settings))
        .route("/panel/assign", post(panel::post::assign))
        .route("/panel/{id}/decide", post(panel::post::decide))
        .route("/scoring/{id}/recuse", post(panel::post::recuse))
        .route("/scoring/{id}/submit", post(panel::post::submit))
        .route(
            "/scoring/{id}/visit",
            post(panel::post::visit).layer(upload_limit),
        )
        .route("/notices/create", post(notices::post::create))
        .route("/notices/settings", post(notices::post::settings))
        .route("/notices/calendar", post(notices::post::load_calendar))
        .route("/notices/{id}/recognise", post(notices::post::recognise))
        .route(
            "/objections/{id}/assign",
            post(notices::post::assign_objection),
        )
        .route(
            "/objections/{id}/decide",
            post(notices::post::decide_objection),
        )
        .route("/reinspections/plan", post(recognitions::ssr::plan))
        .route(
            "/reinspections/{id}/record",
            post(recognitions::ssr::record),
        )
        .route("/recognitions.xlsx", get(recognitions::ssr::export))
        .route(
            "/rectification/{id}/upload",
            post(crate::applications::rectification::ssr::upload).layer(upload_limit),
        )
        .route(
            "/rectification/{id}/report",
            post(crate::applications::rectification::ssr::report),
        )
        .route(
            "/rectification/{id}/accept",
            post(crate::applications::rectification::ssr::accept),
        )
        .route(
            "/notice/{id}/object",
            post(crate::portal::notices::ssr::object),
        )
}
