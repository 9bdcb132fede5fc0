//! Accounts: applicant registration, sign-in with lockout, staff first-login password
//! and TOTP enrolment, sessions. Pages are in `pages`; the server-only parts in `session`.

pub mod admin;
pub mod audit_view;
pub mod inbox;
pub mod organisations;
pub mod pages;
pub mod security;
mod setup;
pub use setup::*;
#[cfg(feature = "ssr")]
pub mod session;
pub mod validate;

use crate::errors::AppError;
#[cfg(feature = "ssr")]
use crate::errors::{Field, Problem};
use domain::Role;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use session::*;
use validate::RegistrationInput;

/// Where a session stands: fully signed in, or owing one step first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stage {
    Full,
    ChangePassword,
    EnrolTotp,
    VerifyTotp,
}

impl Stage {
    pub fn code(self) -> &'static str {
        match self {
            Stage::Full => "full",
            Stage::ChangePassword => "change_password",
            Stage::EnrolTotp => "enrol_totp",
            Stage::VerifyTotp => "verify_totp",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        [
            Stage::Full,
            Stage::ChangePassword,
            Stage::EnrolTotp,
            Stage::VerifyTotp,
        ]
        .into_iter()
        .find(|x| x.code() == s)
    }

    /// The page that completes this stage.
    pub fn page(self) -> &'static str {
        match self {
            Stage::Full => "/account",
            Stage::ChangePassword => "/account/password",
            Stage::EnrolTotp => "/account/totp",
            Stage::VerifyTotp => "/login/totp",
        }
    }
}

/// The next step owed after signing in. Staff prove the second factor before anything
/// else once they have one; a forced password change comes next; staff without a
/// second factor must enrol before they can act.
pub fn next_stage(
    role: Role,
    must_change_password: bool,
    totp_enrolled: bool,
    totp_verified: bool,
) -> Stage {
    if role.is_staff() && totp_enrolled && !totp_verified {
        Stage::VerifyTotp
    } else if must_change_password {
        Stage::ChangePassword
    } else if role.is_staff() && !totp_enrolled {
        Stage::EnrolTotp
    } else {
        Stage::Full
    }
}

/// The signed-in user of a request (server side, from the session).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub account_id: i64,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub area_code: String,
    pub stage: Stage,
    pub totp_enrolled: bool,
    #[serde(skip)]
    pub token_hash: String,
}

/// What the browser may know about the signed-in user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub area_code: String,
    pub area_zh: String,
    pub area_en: String,
    pub stage: Stage,
    pub totp_enrolled: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TownshipOption {
    pub code: String,
    pub zh: String,
    pub en: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpEnrolment {
    pub secret: String,
    pub qr_svg: String,
}

#[server(prefix = "/api", endpoint = "whoami")]
pub async fn whoami() -> Result<Option<UserView>, AppError> {
    let Some(u) = current_user() else {
        return Ok(None);
    };
    let area = crate::state::store()?.area(&u.area_code).await?;
    Ok(Some(UserView {
        login: u.login,
        display_name: u.display_name,
        role: u.role,
        area_zh: area.as_ref().map(|a| a.name_zh.clone()).unwrap_or_default(),
        area_en: area.map(|a| a.name_en).unwrap_or_default(),
        area_code: u.area_code,
        stage: u.stage,
        totp_enrolled: u.totp_enrolled,
    }))
}

/// The townships of the home county, for the registration form.
#[server(prefix = "/api", endpoint = "townships")]
pub async fn townships() -> Result<Vec<TownshipOption>, AppError> {
    township_options(&crate::state::store()?).await
}

/// The home county's townships, for forms.
#[cfg(feature = "ssr")]
pub async fn township_options(store: &store::Store) -> Result<Vec<TownshipOption>, AppError> {
    Ok(store
        .area_children(Some(domain::application::COUNTY))
        .await?
        .into_iter()
        .map(|a| TownshipOption {
            code: a.code,
            zh: a.name_zh,
            en: a.name_en,
        })
        .collect())
}

#[server(prefix = "/api", endpoint = "register")]
#[tracing::instrument(skip_all)]
pub async fn register(input: RegistrationInput) -> Result<(), AppError> {
    let state = app_state()?;
    let settings = state.auth_settings().await?;
    rate_limit("register", settings.auth_requests_per_minute).await?;
    let visitor = crate::usecases::public::Visitor::new(session::client_addr());
    let account_id = crate::usecases::accounts::register(&state.store, &visitor, &input).await?;
    start_session(account_id, Stage::Full).await?;
    leptos_axum::redirect(&landing(Role::Applicant, None));
    Ok(())
}

#[server(prefix = "/api", endpoint = "login")]
#[tracing::instrument(skip_all)]
pub async fn login(
    login: String,
    password: String,
    /// Where to go once signed in (a path on this site; anything else is ignored).
    #[server(default)]
    next: String,
) -> Result<(), AppError> {
    let state = app_state()?;
    let settings = state.auth_settings().await?;
    rate_limit("login", settings.auth_requests_per_minute).await?;
    // Applicants may type their code in lower case or with spaces.
    let login = domain::CreditCode::parse(&login)
        .map(|c| c.as_str().to_string())
        .unwrap_or_else(|_| login.trim().to_string());
    let Some(account) = state.store.account_by_login(&login).await? else {
        let _ = verify_password(password, DECOY_HASH.to_string()).await?;
        audit(
            None,
            "login.failure",
            &format!("login/{login}"),
            "unknown account",
        )
        .await?;
        return Err(unknown_login_failure(&state.store, &login, &settings).await?);
    };
    let now = chrono::Utc::now();
    if let Some(until) = &account.locked_until {
        if until.as_str() > store::timestamp_text(now).as_str() {
            return Err(AppError::Locked(until.clone()));
        }
    }
    let role = Role::parse(&account.role).ok_or_else(|| AppError::internal("unknown role"))?;
    let actor = CurrentUser {
        account_id: account.id,
        login: account.login.clone(),
        display_name: account.display_name.clone(),
        role,
        area_code: account.area_code.clone(),
        stage: Stage::Full,
        totp_enrolled: account.totp_enrolled,
        token_hash: String::new(),
    };
    let ok = !account.disabled && verify_password(password, account.password_hash.clone()).await?;
    if !ok {
        return Err(count_failure(&actor).await?);
    }
    state.store.clear_login_failures(account.id).await?;
    let stage = next_stage(
        role,
        account.must_change_password,
        account.totp_enrolled,
        false,
    );
    audit(
        Some(&actor),
        "login.success",
        &format!("account/{}", account.id),
        &format!("stage={}", stage.code()),
    )
    .await?;
    start_session(account.id, stage).await?;
    if stage == Stage::Full {
        leptos_axum::redirect(&landing(role, Some(&next)));
    } else {
        // Staff owe a step first (TOTP …): the page asked for waits until the last one.
        keep_next(&next);
        leptos_axum::redirect(stage.page());
    }
    Ok(())
}

/// Where a fully signed-in session goes: `next` if it is a path on this site, else the
/// role's working page.
#[cfg(feature = "ssr")]
fn landing(role: Role, next: Option<&str>) -> String {
    next.and_then(domain::navigation::same_site_path)
        .unwrap_or(domain::navigation::working_page(role))
        .to_string()
}

/// A failed sign-in to a login that does not exist answers as one that does: "wrong"
/// until the lockout threshold, then "locked" for the lockout time, so the answers tell
/// nobody which logins exist. Counted per login in windows of the lockout window.
#[cfg(feature = "ssr")]
async fn unknown_login_failure(
    store: &store::Store,
    login: &str,
    settings: &crate::state::AuthSettings,
) -> Result<AppError, AppError> {
    let window_minutes = settings.lockout_window.num_minutes().max(1);
    let now = chrono::Utc::now();
    let window_start = now.timestamp() / 60 / window_minutes * window_minutes;
    let bucket = format!("login-unknown:{login}");
    let within = store
        .rate_limit_hit(&bucket, window_start, settings.lockout_threshold - 1)
        .await?;
    if within {
        return Ok(AppError::BadCredentials);
    }
    let until = chrono::DateTime::from_timestamp((window_start + window_minutes) * 60, 0)
        .unwrap_or(now)
        + settings.lockout_duration;
    Ok(AppError::Locked(store::timestamp_text(until)))
}

/// Counts a failed password or code; locks the account at the threshold. Both audited.
#[cfg(feature = "ssr")]
async fn count_failure(actor: &CurrentUser) -> Result<AppError, AppError> {
    let state = app_state()?;
    let settings = state.auth_settings().await?;
    let outcome = state
        .store
        .record_login_failure(
            actor.account_id,
            chrono::Utc::now(),
            settings.lockout_window,
            settings.lockout_threshold,
            settings.lockout_duration,
        )
        .await?;
    let target = format!("account/{}", actor.account_id);
    Ok(match outcome {
        store::accounts::FailureOutcome::Counted { failures } => {
            audit(
                Some(actor),
                "login.failure",
                &target,
                &format!("failures={failures}"),
            )
            .await?;
            AppError::BadCredentials
        }
        store::accounts::FailureOutcome::LockedUntil(until) => {
            audit(
                Some(actor),
                "account.locked",
                &target,
                &format!("until={until}"),
            )
            .await?;
            // Sessions already signed in stay: a lock stops guessing, and must not let
            // anyone who knows a login sign its holder out.
            AppError::Locked(until)
        }
    })
}

/// Ends this device's session (other devices stay signed in).
#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    if let Some(user) = current_user() {
        crate::state::store()?
            .delete_session(&user.token_hash)
            .await?;
        audit(
            Some(&user),
            "logout",
            &format!("account/{}", user.account_id),
            "this device",
        )
        .await?;
    }
    clear_session_cookie();
    leptos_axum::redirect("/");
    Ok(())
}

#[server(prefix = "/api", endpoint = "logout_everywhere")]
pub async fn logout_everywhere() -> Result<(), AppError> {
    let user = require_user()?;
    let n = crate::state::store()?
        .delete_sessions_of(user.account_id)
        .await?;
    audit(
        Some(&user),
        "logout.everywhere",
        &format!("account/{}", user.account_id),
        &format!("sessions={n}"),
    )
    .await?;
    clear_session_cookie();
    leptos_axum::redirect("/login");
    Ok(())
}

#[cfg(test)]
mod tests;
