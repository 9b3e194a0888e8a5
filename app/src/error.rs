//! The error type of server functions and API endpoints. It crosses the network as JSON and
//! carries translation keys, never internal details: those go to the logs.

use crate::domain::permissions::PermissionDenied;
use crate::i18n::{Lang, Msg};
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// A problem with one form field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub msg: Msg,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("not signed in")]
    Unauthorized,
    /// A sign-in attempt failed (bad initData, wrong password); the message says why.
    #[error("sign-in failed: {0:?}")]
    SignInFailed(Msg),
    #[error("forbidden: {0:?}")]
    Forbidden(Msg),
    #[error("not found")]
    NotFound,
    #[error("invalid input: {fields:?}")]
    Invalid { fields: Vec<FieldError> },
    /// A business rule refused the request; the message says which and why.
    #[error("refused: {msg:?}")]
    Refused {
        msg: Msg,
        params: Vec<(String, String)>,
    },
    #[error("too many attempts, retry after {retry_after_secs}s")]
    Throttled { retry_after_secs: u64 },
    #[error("conflict")]
    Conflict,
    /// The record changed since the caller read it (a failed `If-Match`).
    #[error("precondition failed")]
    PreconditionFailed,
    /// The request itself is malformed (a missing or unreadable argument).
    #[error("bad request")]
    BadRequest,
    /// Overloaded for now (no database connection came free in time): 503, retry shortly.
    #[error("busy, retry after {retry_after_secs}s")]
    Busy { retry_after_secs: u64 },
    #[error("internal error")]
    Internal,
    /// The request did not reach the server or its answer was unreadable (client side only).
    #[error("transport: {0}")]
    Transport(String),
}

impl AppError {
    pub fn refused(msg: Msg) -> Self {
        AppError::Refused {
            msg,
            params: Vec::new(),
        }
    }

    pub fn invalid(field: &str, msg: Msg) -> Self {
        AppError::Invalid {
            fields: vec![FieldError {
                field: field.to_owned(),
                msg,
            }],
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthorized | AppError::SignInFailed(_) => 401,
            AppError::Forbidden(_) => 403,
            AppError::NotFound => 404,
            AppError::Invalid { .. } | AppError::Refused { .. } => 422,
            AppError::Throttled { .. } => 429,
            AppError::Conflict => 409,
            AppError::PreconditionFailed => 412,
            AppError::BadRequest => 400,
            AppError::Internal => 500,
            AppError::Busy { .. } | AppError::Transport(_) => 503,
        }
    }

    /// A stable machine-readable code for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthorized => "unauthorized",
            AppError::SignInFailed(_) => "sign_in_failed",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound => "not_found",
            AppError::Invalid { .. } => "invalid_input",
            AppError::Refused { .. } => "refused",
            AppError::Throttled { .. } => "throttled",
            AppError::Conflict => "conflict",
            AppError::PreconditionFailed => "precondition_failed",
            AppError::BadRequest => "bad_request",
            AppError::Internal => "internal",
            AppError::Busy { .. } => "busy",
            AppError::Transport(_) => "network",
        }
    }

    /// The translated message shown to the user.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            AppError::Unauthorized => Msg::ErrUnauthorized.text(lang).to_owned(),
            AppError::Forbidden(m) | AppError::SignInFailed(m) => m.text(lang).to_owned(),
            AppError::NotFound => Msg::ErrNotFound.text(lang).to_owned(),
            AppError::Invalid { fields } => match fields.as_slice() {
                [one] => one.msg.text(lang).to_owned(),
                _ => Msg::ErrValidation.text(lang).to_owned(),
            },
            AppError::Refused { msg, params } => {
                let params: Vec<(&str, &str)> = params
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                msg.with(lang, &params)
            }
            AppError::Throttled { retry_after_secs } => {
                let minutes = retry_after_secs.div_ceil(60).max(1).to_string();
                Msg::ErrThrottled.with(lang, &[("minutes", &minutes)])
            }
            AppError::Conflict => Msg::ErrConflict.text(lang).to_owned(),
            AppError::PreconditionFailed => Msg::ErrChangedMeanwhile.text(lang).to_owned(),
            AppError::BadRequest => Msg::ErrBadRequest.text(lang).to_owned(),
            AppError::Internal => Msg::ErrInternal.text(lang).to_owned(),
            AppError::Busy { .. } => Msg::ErrBusy.text(lang).to_owned(),
            AppError::Transport(_) => Msg::ErrNetwork.text(lang).to_owned(),
        }
    }

    /// The message for one form field, if this error names it.
    pub fn field(&self, name: &str) -> Option<Msg> {
        match self {
            AppError::Invalid { fields } => fields.iter().find(|f| f.field == name).map(|f| f.msg),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = crate::codec::JsonText;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // Decoding the request's arguments failed on the server: the caller's fault. (The
            // server answers these with 500; `server/src/routes/bad_request.rs` makes them 400.)
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::Deserialization(_) => AppError::BadRequest,
            other => AppError::Transport(other.to_string()),
        }
    }
}

impl From<PermissionDenied> for AppError {
    fn from(e: PermissionDenied) -> Self {
        AppError::Forbidden(e.msg())
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// Logs a storage failure with its detail and hands the user a generic error: a transaction
/// block can return an [`AppResult`] and use `?` on storage calls.
#[cfg(feature = "ssr")]
impl From<crate::storage::StorageError> for AppError {
    fn from(e: crate::storage::StorageError) -> Self {
        use crate::storage::StorageError;
        match e {
            StorageError::Conflict(constraint) => {
                tracing::warn!(%constraint, "unique constraint refused a write");
                AppError::Conflict
            }
            StorageError::Busy => {
                tracing::warn!("no database connection came free in time: answered 503");
                AppError::Busy {
                    retry_after_secs: 1,
                }
            }
            other => {
                tracing::error!(error = %other, "storage failure");
                AppError::Internal
            }
        }
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::storage::StorageError;

    #[test]
    fn an_exhausted_pool_is_a_503_to_retry_not_a_500() {
        let e = AppError::from(StorageError::from(sqlx::Error::PoolTimedOut));
        assert_eq!(
            e,
            AppError::Busy {
                retry_after_secs: 1
            }
        );
        assert_eq!((e.status(), e.code()), (503, "busy"));
        assert!(!e.message(crate::i18n::Lang::Ru).is_empty());
        let other = AppError::from(StorageError::from(sqlx::Error::RowNotFound));
        assert_eq!(other.status(), 500);
    }
}
