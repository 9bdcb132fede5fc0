//! (server only) Sessions, password hashing, rate limits and the audit helper.
//!
//! The server's `authenticate` middleware resolves the session cookie once per request
//! and puts the `CurrentUser` into the request's extensions; server functions and pages
//! read it from there, so a request costs one session lookup.

use super::{CurrentUser, Stage};
use crate::errors::AppError;
use crate::state::{store, AppState, AuthSettings};
use chrono::{Duration, Utc};
use domain::Role;
use http::header::{COOKIE, SET_COOKIE};
use http::HeaderMap;
use leptos::prelude::*;
use sha2::{Digest, Sha256};
use store::audit::AuditEvent;
use store::Store;

pub const SESSION_COOKIE: &str = "fx_session";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).expect("the operating system's random source");
    b
}

pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Resolves the session cookie; expired or idle sessions are deleted and count as none.
pub async fn resolve_session(
    store: &Store,
    headers: &HeaderMap,
    settings: &AuthSettings,
) -> Result<Option<CurrentUser>, store::StoreError> {
    let Some(token) = cookie_value(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    if token.len() != 64 {
        return Ok(None);
    }
    let hash = token_hash(&token);
    let Some(session) = store.session(&hash).await? else {
        return Ok(None);
    };
    let now = Utc::now();
    let idle_cutoff = store::timestamp_text(now - settings.idle_timeout);
    if session.expires_at < store::timestamp_text(now) || session.last_seen_at < idle_cutoff {
        store.delete_session(&hash).await?;
        return Ok(None);
    }
    let Some(account) = store.account(session.account_id).await? else {
        return Ok(None);
    };
    if account.disabled {
        store.delete_session(&hash).await?;
        return Ok(None);
    }
    // Writing on every request would turn reads into writes; a minute's precision is plenty.
    if session.last_seen_at < store::timestamp_text(now - Duration::seconds(60)) {
        store.touch_session(&hash).await?;
    }
    let (Some(role), Some(stage)) = (Role::parse(&account.role), Stage::parse(&session.stage))
    else {
        return Ok(None);
    };
    Ok(Some(CurrentUser {
        account_id: account.id,
        login: account.login,
        display_name: account.display_name,
        role,
        area_code: account.area_code,
        stage,
        totp_enrolled: account.totp_enrolled,
        token_hash: hash,
    }))
}

pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| AppError::internal("AppState missing from context"))
}

/// The request's headers and extensions.
pub fn request_parts() -> Option<http::request::Parts> {
    use_context::<http::request::Parts>()
}

/// The signed-in user of this request, at whatever stage of signing in.
pub fn current_user() -> Option<CurrentUser> {
    request_parts().and_then(|p| p.extensions.get::<CurrentUser>().cloned())
}

/// A fully signed-in user, or `SignInRequired`.
pub fn require_user() -> Result<CurrentUser, AppError> {
    match current_user() {
        Some(u) if u.stage == Stage::Full => Ok(u),
        _ => Err(AppError::SignInRequired),
    }
}

/// A fully signed-in user holding one of `roles`.
pub fn require_role(roles: &[Role]) -> Result<CurrentUser, AppError> {
    let user = require_user()?;
    if roles.contains(&user.role) {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

/// The client's address as the server saw it (behind a proxy: its X-Forwarded-For).
pub fn client_addr() -> String {
    request_parts()
        .and_then(|p| p.extensions.get::<ClientAddr>().map(|c| c.0.clone()))
        .unwrap_or_else(|| "unknown".to_string())
}

/// Set by the server for every request.
#[derive(Clone, Debug)]
pub struct ClientAddr(pub String);

/// Counts one request of `kind` from this client; refuses past `per_minute`.
pub async fn rate_limit(kind: &str, per_minute: i64) -> Result<(), AppError> {
    let store = store()?;
    let window = Utc::now().timestamp() / 60;
    let bucket = format!("{kind}:{}", client_addr());
    if store.rate_limit_hit(&bucket, window, per_minute).await? {
        Ok(())
    } else {
        tracing::warn!(%bucket, "rate limit reached");
        Err(AppError::TooManyRequests)
    }
}

/// The audit entry of an action of this request, to be written with the change it
/// records (in the store method's transaction).
pub fn audit_event(
    actor: Option<&CurrentUser>,
    action: &str,
    target: &str,
    summary: &str,
) -> AuditEvent {
    AuditEvent {
        actor: actor.map(|u| u.login.clone()).unwrap_or_else(|| "-".into()),
        role: actor
            .map(|u| u.role.code().to_string())
            .unwrap_or_else(|| "-".into()),
        area_code: actor
            .map(|u| u.area_code.clone())
            .unwrap_or_else(|| "-".into()),
        action: action.into(),
        target: target.into(),
        summary: summary.into(),
        client_addr: client_addr(),
    }
}

/// Writes one audit entry of its own, for what changes no state beside it (a sign-in
/// attempt, a view, a verification).
pub async fn audit(
    actor: Option<&CurrentUser>,
    action: &str,
    target: &str,
    summary: &str,
) -> Result<(), AppError> {
    store()?
        .audit(&audit_event(actor, action, target, summary))
        .await?;
    Ok(())
}

/// Starts a session for an account at `stage` and sets the cookie.
pub async fn start_session(account_id: i64, stage: Stage) -> Result<(), AppError> {
    let state = app_state()?;
    let settings = state.auth_settings().await?;
    let token = hex(&random_bytes::<32>());
    let expires = store::timestamp_text(Utc::now() + settings.absolute_timeout);
    state
        .store
        .create_session(
            &token_hash(&token),
            account_id,
            stage.code(),
            &expires,
            &client_addr(),
        )
        .await?;
    set_cookie(&session_cookie(&token, &settings));
    Ok(())
}

/// Gives this session a new token (and cookie), its next stage and proved factor, and
/// ends every other session of the account.
pub async fn rotate_session(
    old_hash: &str,
    stage: Stage,
    totp_proved: bool,
) -> Result<(), AppError> {
    let state = app_state()?;
    let settings = state.auth_settings().await?;
    let token = hex(&random_bytes::<32>());
    if !state
        .store
        .rotate_session(old_hash, &token_hash(&token), stage.code(), totp_proved)
        .await?
    {
        return Err(AppError::SignInRequired);
    }
    set_cookie(&session_cookie(&token, &settings));
    Ok(())
}

fn session_cookie(token: &str, settings: &AuthSettings) -> String {
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        settings.absolute_timeout.num_seconds(),
        if settings.secure_cookies {
            "; Secure"
        } else {
            ""
        }
    )
}

pub fn clear_session_cookie() {
    set_cookie(&format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"
    ));
}

/// The page a sign-in was asked for, kept while the session owes a step (TOTP, a new
/// password): a short-lived cookie, read back by `take_next` at the last step.
const NEXT_COOKIE: &str = "fx_next";

pub fn keep_next(next: &str) {
    if let Some(path) = domain::navigation::same_site_path(next) {
        set_cookie(&format!(
            "{NEXT_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age=900",
            crate::layout::urlencode_path(path)
        ));
    }
}

/// The kept page, once: the cookie is cleared.
pub fn take_next() -> Option<String> {
    let raw = request_parts().and_then(|p| cookie_value(&p.headers, NEXT_COOKIE))?;
    set_cookie(&format!(
        "{NEXT_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"
    ));
    let decoded = percent_decode(&raw)?;
    domain::navigation::same_site_path(&decoded).map(str::to_string)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn set_cookie(value: &str) {
    if let (Some(resp), Ok(v)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(value),
    ) {
        resp.append_header(SET_COOKIE, v);
    }
}

/// Hashes a password with argon2id, off the async runtime (it takes tens of milliseconds).
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        use argon2::password_hash::{PasswordHasher, SaltString};
        let salt = SaltString::encode_b64(&random_bytes::<16>())
            .map_err(|e| AppError::internal(format!("salt: {e}")))?;
        argon2::Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::internal(format!("hash: {e}")))
    })
    .await
    .map_err(AppError::internal)?
}

/// Checks a password against a stored hash, off the async runtime.
pub async fn verify_password(password: String, stored: String) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || {
        use argon2::password_hash::{PasswordHash, PasswordVerifier};
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
    .await
    .map_err(AppError::internal)
}

/// A hash no password matches, verified for unknown accounts so that timing does not
/// tell which accounts exist.
pub const DECOY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$4k1Zz0tV1jv3n6yX6p2qG0C9v7m6Qmdl2zJ1p3Yl8aE";
