//! The sign-in steps after the password: a TOTP code, enrolling an authenticator, and
//! the first password of one's own. Each session records what it proved; see `advance`.

use super::*;

/// The session owes `stage`; anything else is refused.
#[cfg(feature = "ssr")]
fn require_stage(stage: Stage) -> Result<CurrentUser, AppError> {
    match current_user() {
        Some(u) if u.stage == stage => Ok(u),
        Some(_) => Err(AppError::Forbidden),
        None => Err(AppError::SignInRequired),
    }
}

/// The sign-in step a session has just completed.
#[cfg(feature = "ssr")]
#[derive(Clone, Copy, PartialEq, Eq)]
enum Done {
    /// Gave a valid code of an enrolled authenticator.
    TotpVerified,
    /// Enrolled an authenticator with a valid code: a new credential.
    TotpEnrolled,
    /// Set a new password: a new credential.
    PasswordChanged,
}

/// Moves the session to its next stage and sends the browser there. Which factors the
/// session proved is its own record (`sessions.totp_proved`), never read off the account:
/// an account enrolled by its holder elsewhere does not vouch for this session. After a
/// new credential the session gets a new token and every other session of the account
/// ends (one left half-way by someone else included).
#[cfg(feature = "ssr")]
async fn advance(user: &CurrentUser, done: Done) -> Result<(), AppError> {
    let store = crate::state::store()?;
    let account = store
        .account(user.account_id)
        .await?
        .ok_or(AppError::SignInRequired)?;
    let session = store
        .session(&user.token_hash)
        .await?
        .ok_or(AppError::SignInRequired)?;
    let proved = session.totp_proved || matches!(done, Done::TotpVerified | Done::TotpEnrolled);
    let stage = next_stage(
        user.role,
        account.must_change_password,
        account.totp_enrolled,
        proved,
    );
    match done {
        Done::TotpVerified => store.prove_totp(&user.token_hash, stage.code()).await?,
        Done::TotpEnrolled | Done::PasswordChanged => {
            rotate_session(&user.token_hash, stage, proved).await?
        }
    }
    if stage == Stage::Full {
        leptos_axum::redirect(&landing(user.role, take_next().as_deref()));
    } else {
        leptos_axum::redirect(stage.page());
    }
    Ok(())
}

#[server(prefix = "/api", endpoint = "verify_totp")]
pub async fn verify_totp(code: String) -> Result<(), AppError> {
    use crate::usecases::accounts::{spend_totp_code, TotpUse};
    let user = require_stage(Stage::VerifyTotp)?;
    let store = crate::state::store()?;
    let actor = crate::usecases::Actor::new(user.clone(), session::client_addr());
    let accepted =
        spend_totp_code(&store, &actor, &code, TotpUse::SignIn, AppError::Forbidden).await?;
    if !accepted {
        return Err(match count_failure(&user).await? {
            AppError::BadCredentials => {
                AppError::Invalid(vec![(Field::TotpCode, Problem::CodeWrong)])
            }
            other => other,
        });
    }
    store.clear_login_failures(user.account_id).await?;
    advance(&user, Done::TotpVerified).await
}

/// Starts (or resumes) TOTP enrolment: a new secret until one is confirmed.
#[server(prefix = "/api", endpoint = "totp_enrolment")]
pub async fn start_totp_enrolment() -> Result<TotpEnrolment, AppError> {
    let user = require_stage(Stage::EnrolTotp)?;
    let store = crate::state::store()?;
    let account = store
        .account(user.account_id)
        .await?
        .ok_or(AppError::SignInRequired)?;
    // An enrolled secret is never replaced here (only an administrator's reset clears it):
    // a session left at this step after the holder enrolled elsewhere gets nothing.
    if account.totp_enrolled {
        return Err(AppError::Forbidden);
    }
    let secret = match account.totp_secret {
        Some(s) => s,
        None => {
            let s = domain::totp::base32_encode(&random_bytes::<20>());
            store.set_totp_secret(user.account_id, &s).await?;
            s
        }
    };
    let uri = domain::totp::otpauth_uri("放心消费东至", &user.login, &secret);
    let qr = qrcode::QrCode::new(uri.as_bytes()).map_err(AppError::internal)?;
    let qr_svg = qr
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Ok(TotpEnrolment { secret, qr_svg })
}

#[server(prefix = "/api", endpoint = "confirm_totp")]
pub async fn confirm_totp(code: String) -> Result<(), AppError> {
    let user = require_stage(Stage::EnrolTotp)?;
    let store = crate::state::store()?;
    // The step must still be owed: enrolled meanwhile (by the holder, elsewhere) ends it.
    if store
        .account(user.account_id)
        .await?
        .ok_or(AppError::SignInRequired)?
        .totp_enrolled
    {
        return Err(AppError::Forbidden);
    }
    use crate::usecases::accounts::{spend_totp_code, TotpUse};
    let wrong = AppError::Invalid(vec![(Field::TotpCode, Problem::CodeWrong)]);
    let actor = crate::usecases::Actor::new(user.clone(), session::client_addr());
    let accepted = spend_totp_code(&store, &actor, &code, TotpUse::Enrolment, wrong).await?;
    if !accepted {
        return Err(AppError::Invalid(vec![(
            Field::TotpCode,
            Problem::CodeWrong,
        )]));
    }
    advance(&user, Done::TotpEnrolled).await
}

#[server(prefix = "/api", endpoint = "change_password")]
pub async fn change_password(
    new_password: String,
    password_confirm: String,
) -> Result<(), AppError> {
    let user = require_stage(Stage::ChangePassword)?;
    let store = crate::state::store()?;
    let actor = crate::usecases::Actor::new(user.clone(), session::client_addr());
    crate::usecases::accounts::change_password(&store, &actor, &new_password, &password_confirm)
        .await?;
    advance(&user, Done::PasswordChanged).await
}
