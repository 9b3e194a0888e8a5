//! Binding the audit group from Telegram: an admin of ours adds the bot to a supergroup and
//! sends `/audit_here` there. The sender must be an active admin in our records and an
//! administrator of the group; an anonymous group admin (who writes as the group) cannot be
//! told apart from anyone, so is refused. And the probe the settings page asks about a group.

use app::audit::{AuditFeedStatus, AuditSettings, TopicMode};
use app::domain::TelegramId;
use app::domain::actor::audit_by;
use app::domain::audit::{AuditAction, Origin};
use app::domain::user::{Role, UserStatus};
use app::i18n::{Lang, Msg};
use app::state::{AppState, GroupInfo, TelegramProbe};
use app::storage::{self, StorageError};
use futures::future::BoxFuture;
use serde_json::json;
use teloxide::prelude::*;
use teloxide::types::{
    ChatFullInfoKind, ChatFullInfoPublicKind, ChatKind, ChatMemberKind, PublicChatKind,
};

fn is_forum(chat: &teloxide::types::Chat) -> bool {
    matches!(
        &chat.kind,
        ChatKind::Public(p) if matches!(&p.kind, PublicChatKind::Supergroup(s) if s.is_forum)
    )
}

/// Whether the bot may create topics in `chat`.
async fn bot_can_manage_topics(bot: &Bot, chat: ChatId) -> Result<bool, String> {
    let me = bot.get_me().await.map_err(|e| e.to_string())?;
    let member = bot
        .get_chat_member(chat, me.id)
        .await
        .map_err(|e| e.to_string())?;
    Ok(match &member.kind {
        ChatMemberKind::Administrator(a) => a.can_manage_topics,
        ChatMemberKind::Owner(_) => true,
        _ => false,
    })
}

/// The reply to `/audit_here` (the group is bound when the reply says so).
pub async fn audit_here(bot: &Bot, msg: &Message, state: &AppState) -> String {
    let lang = Lang::Ru;
    if msg.chat.is_private() {
        return Msg::AuditHereInGroup.text(lang).to_owned();
    }
    if msg.sender_chat.is_some() {
        return Msg::AuditHereAnonymous.text(lang).to_owned();
    }
    let Some(from) = msg.from.as_ref() else {
        return Msg::AuditHereAnonymous.text(lang).to_owned();
    };
    let ours = async {
        let mut c = state.db.read().await?;
        storage::users::get_by_telegram_id(c.conn(), TelegramId(from.id.0 as i64)).await
    }
    .await;
    let admin = match ours {
        Ok(Some(u)) if u.role == Role::Admin && u.status == UserStatus::Active => u,
        Ok(_) => return Msg::AuditHereNotOurAdmin.text(lang).to_owned(),
        Err(e) => {
            tracing::error!(error = %e, "/audit_here: cannot read the sender");
            return Msg::ErrInternal.text(lang).to_owned();
        }
    };
    match bot.get_chat_member(msg.chat.id, from.id).await {
        Ok(m) if m.kind.is_privileged() => {}
        Ok(_) => return Msg::AuditHereNotGroupAdmin.text(lang).to_owned(),
        Err(e) => {
            return Msg::ErrAuditChatUnreachable.with(lang, &[("error", &e.to_string())]);
        }
    }
    let topics = match (
        is_forum(&msg.chat),
        bot_can_manage_topics(bot, msg.chat.id).await,
    ) {
        (true, Ok(true)) => TopicMode::PerGroup,
        _ => TopicMode::General,
    };
    let now = state.now();
    let chat = msg.chat.id.0;
    let title = msg.chat.title().map(str::to_owned);
    let saved = async {
        let mut tx = state.db.begin().await?;
        let before: AuditSettings = app::settings::load(tx.conn()).await?;
        let after = AuditSettings {
            chat_id: Some(chat),
            topics,
            ..before.clone()
        };
        app::settings::save(tx.conn(), &after, Some(admin.id), now).await?;
        if before.chat_id.is_none() {
            storage::audit_feed::start_at_end(tx.conn(), now).await?;
        }
        let mut status: AuditFeedStatus = app::settings::load(tx.conn()).await?;
        status.chat_title = title.clone();
        status.last_error = None;
        app::settings::save(tx.conn(), &status, None, now).await?;
        storage::audit::record(
            tx.conn(),
            &audit_by(
                &admin,
                AuditAction::SettingsChanged,
                "settings",
                "audit",
                json!({ "before": before, "after": after, "bound_from": "telegram" }),
                &Origin::channel("bot"),
                now,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok::<_, StorageError>(())
    }
    .await;
    match saved {
        Ok(()) if topics == TopicMode::PerGroup => Msg::AuditHereBound.text(lang).to_owned(),
        Ok(()) => Msg::AuditHereBoundNoTopics.text(lang).to_owned(),
        Err(e) => {
            tracing::error!(error = %e, "/audit_here: cannot save");
            Msg::ErrInternal.text(lang).to_owned()
        }
    }
}

/// The settings page's questions about a group, answered by the bot.
pub struct BotProbe {
    pub bot: Bot,
}

impl TelegramProbe for BotProbe {
    fn group(&self, chat_id: i64) -> BoxFuture<'_, Result<GroupInfo, String>> {
        Box::pin(async move {
            let chat = self
                .bot
                .get_chat(ChatId(chat_id))
                .await
                .map_err(|e| e.to_string())?;
            let is_forum = matches!(
                &chat.kind,
                ChatFullInfoKind::Public(p)
                    if matches!(&p.kind, ChatFullInfoPublicKind::Supergroup(s) if s.is_forum)
            );
            let me = self.bot.get_me().await.map_err(|e| e.to_string())?;
            let member = self
                .bot
                .get_chat_member(ChatId(chat_id), me.id)
                .await
                .map_err(|e| e.to_string())?;
            let (bot_is_admin, can_manage_topics) = match &member.kind {
                ChatMemberKind::Administrator(a) => (true, a.can_manage_topics),
                ChatMemberKind::Owner(_) => (true, true),
                _ => (false, false),
            };
            Ok(GroupInfo {
                title: chat.title().unwrap_or_default().to_owned(),
                is_forum,
                bot_is_admin,
                can_manage_topics,
            })
        })
    }
}
