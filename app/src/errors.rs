//! One error type for every server function. Each variant maps to a translated
//! message; internal causes are logged on the server and never sent to the browser.

use crate::i18n::Msg;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
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
            AppError::BadRequest => Msg::ErrorBadRequest,
            AppError::NotFound => Msg::ErrorNotFound,
            AppError::SignInRequired => Msg::ErrorSignInRequired,
            AppError::Forbidden => Msg::ErrorForbidden,
            AppError::TooManyRequests => Msg::ErrorTooManyRequests,
            AppError::Network => Msg::ErrorNetwork,
            AppError::Internal => Msg::ErrorInternal,
        }
    }

    /// The HTTP status a server function answers with for this error.
    pub fn status(&self) -> u16 {
        match self {
            AppError::BadRequest => 400,
            AppError::NotFound => 404,
            AppError::SignInRequired => 401,
            AppError::Forbidden => 403,
            AppError::TooManyRequests => 429,
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

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
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
            AppError::Network
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
            AppError::Internal,
        ] {
            assert!((400..600).contains(&e.status()));
        }
    }
}
