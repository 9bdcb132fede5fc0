//! The county office's side of the campaign (batches, indicator sets): the indicator sets applications are scored
//! against (township pre-review and panel scoring come here next).

pub mod batches;
pub mod indicator_sets;
pub mod township;

/// Plain HTTP routes of this module (form posts that work without JavaScript).
#[cfg(feature = "ssr")]
pub const ROUTES: &[&str] = &[
    "/indicators/edit/save",
    "/review/{id}/decide",
    "/batches/create",
    "/batches/{id}/status",
];

#[cfg(feature = "ssr")]
pub fn routes<S>() -> axum::Router<S>
where
    S: Clone + Send + Sync + 'static,
    crate::state::AppState: axum::extract::FromRef<S>,
{
    axum::Router::new()
        .route(
            "/indicators/edit/save",
            axum::routing::post(indicator_sets::ssr::save),
        )
        .route(
            "/review/{id}/decide",
            axum::routing::post(township::ssr::decide),
        )
        .route("/batches/create", axum::routing::post(batches::ssr::create))
        .route(
            "/batches/{id}/status",
            axum::routing::post(batches::ssr::set_status),
        )
}
