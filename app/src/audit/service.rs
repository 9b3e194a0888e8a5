//! Server side of the audit page and the audit feed's settings.

use super::{
    AuditDetail, AuditFeedStatus, AuditFilter, AuditPage, AuditSettings, AuditSettingsView,
    GroupInfo, TopicMode,
};
use crate::domain::AuditId;
use crate::domain::actor::Actor;
use crate::domain::actor::audit_by;
use crate::domain::audit::AuditAction;
use crate::domain::audit::Origin;
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Msg};
use crate::state::AppState;
use crate::storage::telegram::{NewMessage, OutboxStatus};
use crate::storage::{self, StorageError};
use serde_json::json;

/// Entries per page of the list.
pub const PAGE: i64 = 50;
/// The most days a retention setting may keep, and the least.
const RETENTION_DAYS: std::ops::RangeInclusive<u32> = 30..=3650;

pub async fn list(
    state: &AppState,
    actor: &Actor,
    filter: AuditFilter,
    before: Option<AuditId>,
) -> AppResult<AuditPage> {
    let filter = filter.normalized();
    let mut c = state.db.read().await.map_err(AppError::from)?;
    let mut items = storage::audit::list(c.conn(), &filter, &actor.scope, before, PAGE + 1)
        .await
        .map_err(AppError::from)?;
    let more = items.len() as i64 > PAGE;
    items.truncate(PAGE as usize);
    Ok(AuditPage {
        older: more.then(|| items.last().map(|r| r.id)).flatten(),
        items,
    })
}

pub async fn entry(
    state: &AppState,
    actor: &Actor,
    id: AuditId,
    lang: Lang,
) -> AppResult<AuditDetail> {
    let mut c = state.db.read().await.map_err(AppError::from)?;
    let row = storage::audit::get(c.conn(), id, &actor.scope)
        .await
        .map_err(AppError::from)?
        .ok_or(AppError::NotFound)?;
    let details: serde_json::Value = serde_json::from_str(&row.details).unwrap_or_default();
    Ok(AuditDetail {
        changes: super::text::changes(lang, &details),
        details: serde_json::to_string_pretty(&details).unwrap_or_default(),
        row,
    })
}

pub async fn settings(state: &AppState) -> AppResult<AuditSettingsView> {
    let result = async {
        let mut c = state.db.read().await?;
        Ok::<_, StorageError>((
            crate::settings::load::<AuditSettings>(c.conn()).await?,
            crate::settings::load::<AuditFeedStatus>(c.conn()).await?,
        ))
    }
    .await;
    let (settings, status) = result.map_err(AppError::from)?;
    let group = match (settings.chat_id, state.telegram()) {
        (Some(chat), Some(probe)) => Some(ask_group(probe.as_ref(), chat).await),
        _ => None,
    };
    Ok(AuditSettingsView {
        settings,
        status,
        group,
    })
}

/// The group as the bot sees it, within a few seconds (the page must not hang on Telegram).
async fn ask_group(
    probe: &dyn crate::state::TelegramProbe,
    chat: i64,
) -> Result<GroupInfo, String> {
    match tokio::time::timeout(std::time::Duration::from_secs(5), probe.group(chat)).await {
        Ok(answer) => answer,
        Err(_) => Err(Msg::ErrTelegramTimeout.text(Lang::Ru).to_owned()),
    }
}

pub async fn save_settings(
    state: &AppState,
    actor: &Actor,
    mut settings: AuditSettings,
    origin: &Origin,
) -> AppResult<()> {
    settings.posted.sort();
    settings.posted.dedup();
    if settings
        .retention_days
        .is_some_and(|d| !RETENTION_DAYS.contains(&d))
    {
        return Err(AppError::invalid("retention_days", Msg::ErrRetention));
    }
    if let TopicMode::Single { thread_id } = settings.topics
        && thread_id <= 0
    {
        return Err(AppError::invalid("thread_id", Msg::ErrThreadId));
    }
    let mut title = None;
    if let Some(chat) = settings.chat_id {
        // Groups and supergroups have negative ids; the bot must be in it to post.
        if chat >= 0 {
            return Err(AppError::invalid("chat_id", Msg::ErrAuditChatId));
        }
        let Some(probe) = state.telegram() else {
            return Err(AppError::refused(Msg::ErrAuditNoBot));
        };
        let info = ask_group(probe.as_ref(), chat)
            .await
            .map_err(|e| AppError::Refused {
                msg: Msg::ErrAuditChatUnreachable,
                params: vec![("error".into(), e)],
            })?;
        if settings.topics == TopicMode::PerGroup && !(info.is_forum && info.can_manage_topics) {
            return Err(AppError::refused(if info.is_forum {
                Msg::ErrAuditNoTopicRights
            } else {
                Msg::ErrAuditNotForum
            }));
        }
        title = Some(info.title);
    }
    let now = state.now();
    let result = async {
        let mut tx = state.db.begin().await?;
        let before: AuditSettings = crate::settings::load(tx.conn()).await?;
        crate::settings::save(tx.conn(), &settings, Some(actor.user.id), now).await?;
        if before.chat_id.is_none() && settings.chat_id.is_some() {
            storage::audit_feed::start_at_end(tx.conn(), now).await?;
        }
        // A new group starts with a clean status; saving also ends a pause after a refusal
        // (the admin has fixed the bot's rights).
        let mut status: AuditFeedStatus = crate::settings::load(tx.conn()).await?;
        if before.chat_id != settings.chat_id {
            status = AuditFeedStatus::default();
        }
        status.paused_until = None;
        if title.is_some() {
            status.chat_title = title.clone();
        }
        crate::settings::save(tx.conn(), &status, None, now).await?;
        storage::audit::record(
            tx.conn(),
            &audit_by(
                &actor.user,
                AuditAction::SettingsChanged,
                "settings",
                "audit",
                json!({ "before": before, "after": settings }),
                origin,
                now,
            ),
        )
        .await?;
        tx.commit().await
    }
    .await;
    result.map_err(AppError::from)
}

pub async fn test_message(state: &AppState, actor: &Actor) -> AppResult<()> {
    let now = state.now();
    async {
        let mut tx = state.db.begin().await?;
        let settings: AuditSettings = crate::settings::load(tx.conn()).await?;
        let Some(chat) = settings.chat_id else {
            return Err(AppError::refused(Msg::ErrAuditNoChat));
        };
        let thread = match settings.topics {
            TopicMode::Single { thread_id } => Some(thread_id),
            _ => None,
        };
        let text = Msg::AuditTestMessage.with(Lang::Ru, &[("name", &actor.user.full_name())]);
        storage::telegram::enqueue(
            tx.conn(),
            &NewMessage {
                dedupe_key: &format!("audit_test:{}", crate::auth::cookie::new_token()),
                chat_id: chat,
                thread_id: thread,
                recipient: None,
                kind: "audit",
                text: &text,
                buttons: &[],
                payload: json!({}),
                status: OutboxStatus::Queued,
                note: None,
                send_at: now,
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await
}
