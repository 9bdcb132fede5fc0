//! What server functions reach through context: the store and the settings.

use crate::errors::AppError;
use leptos::prelude::*;
use store::Store;

#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
}

/// The store, for a server function. Missing context is a wiring bug: log it, answer 500.
pub fn store() -> Result<Store, AppError> {
    use_context::<AppState>()
        .map(|s| s.store)
        .ok_or_else(|| AppError::internal("AppState missing from context"))
}
