//! One error type for every server function. Each variant maps to a translated
//! message; internal causes are logged on the server and never sent to the browser.

use crate::i18n::Msg;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// A form field, so an error can name it and the page can mark it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Field {
    CreditCode,
    OrganisationName,
    Category,
    Township,
    ContactName,
    Mobile,
    Login,
    DisplayName,
    Role,
    Password,
    NewPassword,
    PasswordConfirm,
    TotpCode,
    Area,
    MemberUnit,
    TemporaryPassword,
    IdleMinutes,
    AbsoluteHours,
    LockoutThreshold,
    LockoutWindow,
    LockoutMinutes,
    AuthRate,
}

/// What is wrong with a field's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Problem {
    Required,
    TooLong,
    CreditCodeLength,
    CreditCodeCharacter,
    CreditCodeCheck,
    MobileMalformed,
    PasswordTooShort,
    PasswordClasses,
    PasswordContainsName,
    PasswordMismatch,
    AlreadyRegistered,
    Unknown,
    CodeWrong,
    OutOfRange,
    NotANumber,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// One or more fields are wrong; nothing was saved.
    #[error("invalid input")]
    Invalid(Vec<(Field, Problem)>),
    /// Wrong account or password (never says which).
    #[error("wrong credentials")]
    BadCredentials,
    /// Too many failures: locked until the given RFC 3339 time.
    #[error("locked")]
    Locked(String),
    /// The request reached the server but could not be decoded.
    #[error("bad request")]
    BadRequest,
    #[error("not found")]
    NotFound,
    #[error("sign-in required")]
    SignInRequired,
    #[error("forbidden")]
    Forbidden,
    #[error("too many requests")]
    TooManyRequests,
    /// The request body is beyond what the server reads.
    #[error("request too large")]
    TooLarge,
    /// The browser could not reach the server.
    #[error("network")]
    Network,
    /// Something failed on the server; the cause is in the server's log only.
    #[error("internal error")]
    Internal,
}

impl AppError {
    pub fn message(&self) -> Msg {
        match self {
            AppError::Invalid(_) => Msg::ErrorInvalid,
            AppError::BadCredentials => Msg::ErrorBadCredentials,
            AppError::Locked(_) => Msg::ErrorLocked,
            AppError::BadRequest => Msg::ErrorBadRequest,
            AppError::NotFound => Msg::ErrorNotFound,
            AppError::SignInRequired => Msg::ErrorSignInRequired,
            AppError::Forbidden => Msg::ErrorForbidden,
            AppError::TooManyRequests => Msg::ErrorTooManyRequests,
            AppError::TooLarge => Msg::ErrorTooLarge,
            AppError::Network => Msg::ErrorNetwork,
            AppError::Internal => Msg::ErrorInternal,
        }
    }

    /// The HTTP status a server function answers with for this error.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Invalid(_) => 422,
            AppError::BadCredentials => 401,
            AppError::Locked(_) => 423,
            AppError::BadRequest => 400,
            AppError::NotFound => 404,
            AppError::SignInRequired => 401,
            AppError::Forbidden => 403,
            AppError::TooManyRequests => 429,
            AppError::TooLarge => 413,
            AppError::Network => 502,
            AppError::Internal => 500,
        }
    }

    /// Logs an internal cause and returns the generic error the user sees.
    #[cfg(feature = "ssr")]
    pub fn internal(cause: impl std::fmt::Display) -> AppError {
        tracing::error!(%cause, "internal error");
        AppError::Internal
    }
}

impl AppError {
    /// The problem with one field, if this error names it.
    pub fn problem_with(&self, field: Field) -> Option<Problem> {
        match self {
            AppError::Invalid(list) => list.iter().find(|(f, _)| *f == field).map(|(_, p)| *p),
            _ => None,
        }
    }
}

impl Field {
    pub fn label(self) -> Msg {
        match self {
            Field::CreditCode => Msg::FieldCreditCode,
            Field::OrganisationName => Msg::FieldOrganisationName,
            Field::Category => Msg::FieldCategory,
            Field::Township => Msg::FieldTownship,
            Field::ContactName => Msg::FieldContactName,
            Field::Mobile => Msg::FieldMobile,
            Field::Login => Msg::FieldLogin,
            Field::DisplayName => Msg::FieldDisplayName,
            Field::Role => Msg::FieldRole,
            Field::Password => Msg::FieldPassword,
            Field::NewPassword => Msg::FieldNewPassword,
            Field::PasswordConfirm => Msg::FieldPasswordConfirm,
            Field::TotpCode => Msg::FieldTotpCode,
            Field::Area => Msg::FieldArea,
            Field::MemberUnit => Msg::FieldMemberUnit,
            Field::TemporaryPassword => Msg::FieldTemporaryPassword,
            Field::IdleMinutes => Msg::FieldIdleMinutes,
            Field::AbsoluteHours => Msg::FieldAbsoluteHours,
            Field::LockoutThreshold => Msg::FieldLockoutThreshold,
            Field::LockoutWindow => Msg::FieldLockoutWindow,
            Field::LockoutMinutes => Msg::FieldLockoutMinutes,
            Field::AuthRate => Msg::FieldAuthRate,
        }
    }
}

impl Problem {
    pub fn message(self) -> Msg {
        match self {
            Problem::Required => Msg::ProblemRequired,
            Problem::TooLong => Msg::ProblemTooLong,
            Problem::CreditCodeLength => Msg::ProblemCreditCodeLength,
            Problem::CreditCodeCharacter => Msg::ProblemCreditCodeCharacter,
            Problem::CreditCodeCheck => Msg::ProblemCreditCodeCheck,
            Problem::MobileMalformed => Msg::ProblemMobileMalformed,
            Problem::PasswordTooShort => Msg::ProblemPasswordTooShort,
            Problem::PasswordClasses => Msg::ProblemPasswordClasses,
            Problem::PasswordContainsName => Msg::ProblemPasswordContainsName,
            Problem::PasswordMismatch => Msg::ProblemPasswordMismatch,
            Problem::AlreadyRegistered => Msg::ProblemAlreadyRegistered,
            Problem::Unknown => Msg::ProblemUnknown,
            Problem::CodeWrong => Msg::ProblemCodeWrong,
            Problem::OutOfRange => Msg::ProblemOutOfRange,
            Problem::NotANumber => Msg::ProblemNotANumber,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // In the browser: the server could not be reached. On the server: the
            // request's body could not be read, which is the caller's fault.
            ServerFnErrorErr::Request(_) if cfg!(feature = "ssr") => AppError::BadRequest,
            ServerFnErrorErr::Request(_) => AppError::Network,
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::Deserialization(_)
            | ServerFnErrorErr::Serialization(_)
            | ServerFnErrorErr::UnsupportedRequestMethod(_) => AppError::BadRequest,
            other => {
                #[cfg(feature = "ssr")]
                tracing::error!(error = %other, "server function failed");
                #[cfg(not(feature = "ssr"))]
                let _ = other;
                AppError::Internal
            }
        }
    }
}

#[cfg(feature = "ssr")]
impl From<store::StoreError> for AppError {
    fn from(e: store::StoreError) -> Self {
        AppError::internal(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding_failures_are_the_callers_fault() {
        assert_eq!(
            AppError::from_server_fn_error(ServerFnErrorErr::Args("x".into())),
            AppError::BadRequest
        );
        assert_eq!(
            AppError::from_server_fn_error(ServerFnErrorErr::Request("x".into())),
            if cfg!(feature = "ssr") {
                AppError::BadRequest
            } else {
                AppError::Network
            }
        );
        assert_eq!(
            AppError::from_server_fn_error(ServerFnErrorErr::ServerError("x".into())),
            AppError::Internal
        );
    }

    #[test]
    fn every_error_has_a_4xx_or_5xx_status() {
        for e in [
            AppError::BadRequest,
            AppError::NotFound,
            AppError::SignInRequired,
            AppError::Forbidden,
            AppError::TooManyRequests,
            AppError::TooLarge,
            AppError::Internal,
            AppError::Invalid(vec![]),
            AppError::BadCredentials,
            AppError::Locked(String::new()),
        ] {
            assert!((400..600).contains(&e.status()));
        }
    }
}
