//! What server functions reach through context: the store and the settings.

use crate::errors::AppError;
use leptos::prelude::*;
use store::Store;

#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    pub auth: AuthSettings,
}

/// Session and lockout policy (等保 2.0 level 3 defaults; the security administrator's
/// settings page will edit them).
#[derive(Clone, Debug)]
pub struct AuthSettings {
    pub idle_timeout: chrono::Duration,
    pub absolute_timeout: chrono::Duration,
    pub secure_cookies: bool,
    pub lockout_threshold: i64,
    pub lockout_window: chrono::Duration,
    pub lockout_duration: chrono::Duration,
    /// Sign-in and registration attempts per client address per minute.
    pub auth_requests_per_minute: i64,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            idle_timeout: chrono::Duration::minutes(30),
            absolute_timeout: chrono::Duration::hours(12),
            secure_cookies: false,
            lockout_threshold: 5,
            lockout_window: chrono::Duration::minutes(15),
            lockout_duration: chrono::Duration::minutes(15),
            auth_requests_per_minute: 30,
        }
    }
}

/// The store, for a server function. Missing context is a wiring bug: log it, answer 500.
pub fn store() -> Result<Store, AppError> {
    use_context::<AppState>()
        .map(|s| s.store)
        .ok_or_else(|| AppError::internal("AppState missing from context"))
}
