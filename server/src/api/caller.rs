//! The key behind an API request, as handlers see it (put on the request by
//! `keys::authenticate`), and the scope check every operation starts with.

use super::problem::ApiError;
use app::domain::actor::By;
use app::domain::api_keys::{Access, Resource, Scope, Scopes};
use app::domain::audit::Origin;
use app::error::AppError;
use app::i18n::Msg;

/// The key behind a request, as handlers see it.
#[derive(Debug, Clone)]
pub struct Caller {
    pub key_id: i64,
    pub scopes: Scopes,
    pub by: By,
    pub origin: Origin,
}

impl Caller {
    /// Refuses (403) unless the key holds `resource:access` (write implies read).
    pub fn require(&self, resource: Resource, access: Access) -> Result<(), ApiError> {
        if self.scopes.allows(resource, access) {
            return Ok(());
        }
        Err(ApiError::with_msg(
            AppError::Forbidden(Msg::ErrApiScope),
            Msg::ErrApiScope,
            vec![("scope", Scope::On(resource, access).as_string())],
        ))
    }
}
