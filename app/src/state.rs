//! What server functions reach through context: the store and the settings.

use crate::errors::AppError;
use leptos::prelude::*;
use store::Store;

#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    /// The policy from flags and defaults; the security administrator's saved values
    /// override it (see `auth_settings`).
    pub auth: AuthSettings,
    /// Where uploaded files' bytes go.
    pub objects: store::objects::ObjectStore,
    auth_cache: std::sync::Arc<tokio::sync::RwLock<Option<(std::time::Instant, AuthSettings)>>>,
    /// Changes to complaints and applications, from this instance or any other
    /// (`Store::watch_changes` feeds it); open dashboards listen.
    pub live: tokio::sync::broadcast::Sender<store::live::Change>,
    /// Set when the server begins to shut down: long-lived responses (the change
    /// stream) end, so a graceful shutdown does not wait for them forever.
    pub stopping: std::sync::Arc<tokio::sync::watch::Sender<bool>>,
    /// The site's address as visitors reach it (`--public-url`), for QR codes, canonical
    /// and share links, the sitemap: never taken from a request's headers.
    pub public_origin: String,
    /// Reverse proxies whose `X-Forwarded-For` is believed (`--trusted-proxy`); from any
    /// other peer the header is ignored.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Addresses besides the loopback that may read `/metrics` (`--metrics-allow`).
    pub metrics_allowed: Vec<std::net::IpAddr>,
}

/// How long an instance trusts its copy of the security policy before reading it again.
pub const SETTINGS_TTL: std::time::Duration = std::time::Duration::from_secs(10);

impl AppState {
    pub fn new(store: Store, auth: AuthSettings, objects: store::objects::ObjectStore) -> AppState {
        AppState {
            store,
            auth,
            objects,
            auth_cache: Default::default(),
            live: tokio::sync::broadcast::channel(64).0,
            stopping: std::sync::Arc::new(tokio::sync::watch::channel(false).0),
            public_origin: "http://127.0.0.1:3000".into(),
            trusted_proxies: Vec::new(),
            metrics_allowed: Vec::new(),
        }
    }

    /// The policy in force: defaults overlaid with the saved `security.*` settings.
    pub async fn auth_settings(&self) -> Result<AuthSettings, store::StoreError> {
        if let Some((at, s)) = self.auth_cache.read().await.as_ref() {
            if at.elapsed() < SETTINGS_TTL {
                return Ok(s.clone());
            }
        }
        let mut settings = self.auth.clone();
        let limits = crate::accounts::security::LIMITS;
        let mut values = crate::accounts::security::SecurityPolicy::of(&settings).values();
        for (i, (_, key, lo, hi)) in limits.iter().enumerate() {
            if let Some(v) = self
                .store
                .setting(key)
                .await?
                .and_then(|v| v.parse::<i64>().ok())
            {
                values[i] = v.clamp(*lo, *hi);
            }
        }
        crate::accounts::security::SecurityPolicy::from_values(values).apply(&mut settings);
        *self.auth_cache.write().await = Some((std::time::Instant::now(), settings.clone()));
        Ok(settings)
    }

    /// Drops this instance's copy after a change, so it applies at once here.
    pub async fn forget_auth_settings(&self) {
        *self.auth_cache.write().await = None;
    }
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
