//! The audit log as people see it: the admin page (module "audit log") with filters, keyset
//! pagination, an entry's before/after, and the CSV export; the settings of the Telegram
//! feed that posts it into the topics of a forum group. Every feature records entries through
//! `storage::audit::record`.

pub mod page;
pub mod text;

#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod service;

use crate::domain::AuditId;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

pub use crate::model::audit::*;

#[server(prefix = "/api", endpoint = "audit/list", input = Json, output = crate::codec::Json)]
pub async fn audit_list(
    filter: AuditFilter,
    before: Option<AuditId>,
) -> Result<AuditPage, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::module(crate::domain::permissions::Module::AuditLog).await?;
            service::list(&guard::state(), &actor, filter, before).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "audit/entry", output = crate::codec::Json)]
pub async fn audit_entry_detail(id: AuditId) -> Result<AuditDetail, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::module(crate::domain::permissions::Module::AuditLog).await?;
            service::entry(&guard::state(), &actor, id, guard::lang()).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "audit/settings", output = crate::codec::Json)]
pub async fn load_audit_settings() -> Result<AuditSettingsView, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            guard::module(crate::domain::permissions::Module::Settings).await?;
            service::settings(&guard::state()).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "audit/settings/save", input = Json, output = crate::codec::Json)]
pub async fn save_audit_settings(settings: AuditSettings) -> Result<(), AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::module(crate::domain::permissions::Module::Settings).await?;
            service::save_settings(&guard::state(), &actor, settings, &guard::origin("admin")).await
        }
        .await,
    )
}

/// Posts a test message into the audit group (through the outbox, like every post).
#[server(prefix = "/api", endpoint = "audit/test_message", output = crate::codec::Json)]
pub async fn audit_test_message() -> Result<(), AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::module(crate::domain::permissions::Module::Settings).await?;
            service::test_message(&guard::state(), &actor).await
        }
        .await,
    )
}
