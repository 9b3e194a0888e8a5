//! Reading and saving the xAPI settings (admins with the "API keys" module), audited without
//! the password.

use super::{XapiForm, XapiSettings, XapiView};

use crate::domain::audit::{AuditAction, Origin};
use crate::domain::user::User;
use crate::domain::webhooks::{MAX_URL_CHARS, TargetError, check_target};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::state::AppState;
use crate::storage::{self, StorageError, http_outbox::XAPI};
use serde_json::json;

/// The settings without the password, with the delivery counts.
pub async fn view(state: &AppState) -> AppResult<XapiView> {
    let mut c = state.db.read().await.map_err(AppError::from)?;
    let s: XapiSettings = crate::settings::load(c.conn())
        .await
        .map_err(AppError::from)?;
    let sum = storage::http_outbox::summary(c.conn(), XAPI, 0)
        .await
        .map_err(AppError::from)?;
    Ok(XapiView {
        enabled: s.enabled,
        endpoint: s.endpoint,
        username: s.username,
        password_set: !s.password.is_empty(),
        pending: sum.pending,
        dead: sum.dead,
        delivered: sum.delivered,
        last_error: sum.last_error,
    })
}

/// Checks and saves the settings; an empty endpoint is allowed only while switched off.
pub async fn save(state: &AppState, by: &User, form: XapiForm, origin: &Origin) -> AppResult<()> {
    let endpoint = form.endpoint.trim().trim_end_matches('/').to_owned();
    if !endpoint.is_empty() || form.enabled {
        if endpoint.chars().count() > MAX_URL_CHARS {
            return Err(AppError::invalid("endpoint", Msg::ErrWebhookUrl));
        }
        check_target(&endpoint, state.config.outbox_allow_private).map_err(|e| match e {
            TargetError::PrivateAddress => AppError::invalid("endpoint", Msg::ErrWebhookUrlPrivate),
            _ => AppError::invalid("endpoint", Msg::ErrWebhookUrl),
        })?;
    }
    let username = form.username.trim().to_owned();
    if username.chars().count() > 200 || username.contains(':') {
        return Err(AppError::invalid("username", Msg::ErrXapiCredentials));
    }
    if form
        .password
        .as_ref()
        .is_some_and(|p| p.chars().count() > 500)
    {
        return Err(AppError::invalid("password", Msg::ErrXapiCredentials));
    }
    let result: Result<(), StorageError> = async {
        let mut tx = state.db.begin().await?;
        let before: XapiSettings = crate::settings::load(tx.conn()).await?;
        let changed_password = form.password.is_some();
        let next = XapiSettings {
            enabled: form.enabled,
            endpoint: endpoint.clone(),
            username: username.clone(),
            password: form.password.clone().unwrap_or(before.password),
        };
        crate::settings::save(tx.conn(), &next, Some(by.id), state.now()).await?;
        // The password never reaches the audit log, only whether it changed.
        let details = json!({ "section": "xapi", "enabled": next.enabled, "endpoint": endpoint,
            "username": username, "password_changed": changed_password });
        storage::audit::record(
            tx.conn(),
            &crate::domain::actor::audit_by(
                by,
                AuditAction::SettingsChanged,
                "settings",
                "xapi",
                details,
                origin,
                state.now(),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    result.map_err(AppError::from)
}
