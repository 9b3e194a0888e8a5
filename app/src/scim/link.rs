//! Linking a provisioned person to their Telegram account. Identity providers do not know
//! Telegram ids, so a person created without one is linked by the first of: the id in our
//! SCIM extension attribute, the phone they share with the bot (matched to SCIM's
//! `phoneNumbers`), or a one-time invite link `t.me/<bot>?start=link_<token>` from their card.
//! A bare self-registration (`/start` before anyone approved it) holding the Telegram id gives
//! it up to the provisioned person; a real account never does.

use super::Invite;
use crate::domain::actor::{Actor, By, audit_by};
use crate::domain::audit::{AuditAction, Origin};
use crate::domain::events::DomainEvent;
use crate::domain::user::{User, UserStatus};
use crate::domain::{TelegramId, Timestamp, UserId};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::state::AppState;
use crate::storage::{self, StorageError};

use serde_json::json;

/// Invite links stay valid this long.
pub const INVITE_DAYS: i64 = 14;
/// The `/start` payload prefix of an invite (Telegram allows `A-Z a-z 0-9 _ -`, 64 at most).
pub const INVITE_PREFIX: &str = "link_";

/// How a link was made, for the audit entry and the event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkedBy {
    /// SCIM's extension attribute (or `userName` mapped to the Telegram id).
    Scim,
    /// A phone shared in the bot matched the provisioned one.
    Phone,
    Invite,
}

impl LinkedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkedBy::Scim => "scim",
            LinkedBy::Phone => "phone",
            LinkedBy::Invite => "invite",
        }
    }
}

/// Gives `user` the Telegram id `tg` in the caller's transaction. `by` is the key (SCIM);
/// `None` means the person themselves (the bot), who is then the audit entry's actor.
pub async fn link_in_tx(
    state: &AppState,
    tx: &mut storage::Tx,
    by: Option<&By>,
    user: UserId,
    tg: TelegramId,
    how: LinkedBy,
    origin: &Origin,
) -> AppResult<User> {
    let now = state.now();
    storage::users::lock(tx.conn(), user).await?;
    let Some(target) = storage::scim::get(tx.conn(), user).await? else {
        return Err(AppError::NotFound);
    };
    // The bot never links a deactivated person (an invite made before stays useless).
    if target.scim_hidden || (by.is_none() && target.user.status == UserStatus::Deactivated) {
        return Err(AppError::NotFound);
    }
    match target.user.telegram_id {
        Some(t) if t == tg => return Ok(target.user),
        Some(_) => return Err(AppError::refused(Msg::ErrTelegramAlreadyLinked)),
        None => {}
    }
    if let Some(holder) = storage::users::get_by_telegram_id(tx.conn(), tg).await? {
        // Only a request nobody approved yet (no login, pending) is folded into the person.
        if holder.status != UserStatus::Pending || holder.login.is_some() {
            return Err(AppError::invalid("telegram_id", Msg::ErrTelegramIdTaken));
        }
        storage::scim::set_telegram_id(tx.conn(), holder.id, None, now).await?;
        storage::users::set_role_and_status(
            tx.conn(),
            holder.id,
            holder.role,
            UserStatus::Deactivated,
            now,
        )
        .await?;
        storage::sessions::revoke_all_of_user(tx.conn(), holder.id, None, now).await?;
        let details = json!({ "telegram_id": [tg, null], "status": ["pending", "deactivated"], "merged_into": user });
        let entry = match by {
            Some(by) => by.audit(
                AuditAction::UserEdited,
                "user",
                holder.id,
                details.clone(),
                origin,
                now,
            ),
            None => audit_by(
                &target.user,
                AuditAction::UserEdited,
                "user",
                holder.id,
                details.clone(),
                origin,
                now,
            ),
        };
        storage::audit::record(tx.conn(), &entry).await?;
        storage::events::emit(
            tx.conn(),
            &DomainEvent::UserEdited {
                user_id: holder.id,
                by: None,
                changes: details,
            },
            now,
        )
        .await?;
        // The pending row's sign-in profile goes with the account.
        storage::scim::set_telegram_profile(tx.conn(), user, holder.username.as_deref(), None, now)
            .await?;
    }
    storage::scim::set_telegram_id(tx.conn(), user, Some(tg), now).await?;
    storage::scim::drop_invite(tx.conn(), user).await?;
    let details = json!({ "telegram_id": [null, tg], "linked_by": how.as_str() });
    let entry = match by {
        Some(by) => by.audit(
            AuditAction::TelegramLinked,
            "user",
            user,
            details.clone(),
            origin,
            now,
        ),
        None => audit_by(
            &target.user,
            AuditAction::TelegramLinked,
            "user",
            user,
            details.clone(),
            origin,
            now,
        ),
    };
    storage::audit::record(tx.conn(), &entry).await?;
    storage::events::emit(
        tx.conn(),
        &DomainEvent::UserEdited {
            user_id: user,
            by: by.and_then(By::user_id),
            changes: details,
        },
        now,
    )
    .await?;
    let Some(after) = storage::users::get(tx.conn(), user).await? else {
        return Err(AppError::NotFound);
    };
    Ok(after)
}

/// 192 random bits as 48 hex digits: with the prefix the payload stays within Telegram's 64.
fn invite_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// What a `/start link_<token>` or a shared contact came to.
#[derive(Debug, Clone, PartialEq)]
pub enum BotLink {
    Linked(Box<User>),
    /// The token is unknown, used or expired; or no one (or several) waits with this phone.
    NoMatch,
    /// This Telegram account already is someone else's.
    Taken,
}

fn outcome(r: AppResult<User>) -> AppResult<BotLink> {
    match r {
        Ok(u) => Ok(BotLink::Linked(Box::new(u))),
        Err(AppError::NotFound) => Ok(BotLink::NoMatch),
        // The database failed: no answer about the person.
        Err(e @ (AppError::Internal | AppError::Busy { .. } | AppError::Conflict)) => Err(e),
        Err(_) => Ok(BotLink::Taken),
    }
}

/// `/start link_<token>` from Telegram user `tg`.
pub async fn by_invite(state: &AppState, token: &str, tg: TelegramId) -> AppResult<BotLink> {
    let origin = Origin::channel("bot");
    let mut tx = state.db.begin().await?;
    let Some(user) = storage::scim::take_invite(
        tx.conn(),
        &crate::auth::cookie::hash_token(token),
        state.now(),
    )
    .await?
    else {
        return Ok(BotLink::NoMatch);
    };
    let linked =
        outcome(link_in_tx(state, &mut tx, None, user, tg, LinkedBy::Invite, &origin).await)?;
    if matches!(linked, BotLink::Linked(_)) {
        tx.commit().await?;
    }
    Ok(linked)
}

/// A contact the person shared (their own: the bot checks) with these digits.
pub async fn by_phone(state: &AppState, phone: &str, tg: TelegramId) -> AppResult<BotLink> {
    let Some(digits) = crate::domain::scim::phone::digits(phone) else {
        return Ok(BotLink::NoMatch);
    };
    let origin = Origin::channel("bot");
    let mut tx = state.db.begin().await?;
    let national = crate::domain::scim::phone::national_form(&digits);
    let candidates =
        storage::scim::unlinked_with_phone(tx.conn(), &digits, national.as_deref()).await?;
    // Two people with one number: the phone proves nothing, an invite link must do.
    let [user] = candidates.as_slice() else {
        return Ok(BotLink::NoMatch);
    };
    let linked =
        outcome(link_in_tx(state, &mut tx, None, *user, tg, LinkedBy::Phone, &origin).await)?;
    if matches!(linked, BotLink::Linked(_)) {
        tx.commit().await?;
    }
    Ok(linked)
}

/// Whether the bot should offer a person it does not know to share their phone.
pub async fn phones_waiting(state: &AppState) -> Result<bool, StorageError> {
    let mut c = state.db.read().await?;
    storage::scim::any_unlinked_with_phone(c.conn()).await
}

/// The card's "invite link" button: for the users module; only people without a Telegram
/// account, and never deactivated ones.
pub async fn invite(
    state: &AppState,
    actor: &Actor,
    id: UserId,
    origin: &Origin,
) -> AppResult<Invite> {
    let now = state.now();
    async {
        let mut tx = state.db.begin().await?;
        let bot: crate::settings::BotStatus = crate::settings::load(tx.conn()).await?;
        let Some(bot) = bot.username else {
            return Err(AppError::refused(Msg::ErrBotUsernameUnknown));
        };
        let Some(person) = storage::users::get(tx.conn(), id).await? else {
            return Err(AppError::NotFound);
        };
        if let Err(e) =
            crate::domain::permissions::may_edit_profile(actor.as_ref(), id, person.role)
        {
            return Err(e.into());
        }
        if person.telegram_id.is_some() {
            return Err(AppError::refused(Msg::ErrTelegramAlreadyLinked));
        }
        if person.status == UserStatus::Deactivated {
            return Err(AppError::refused(Msg::ErrAccountInactive));
        }
        let token = invite_token();
        let expires_at = Timestamp(now.0 + INVITE_DAYS * 86_400_000);
        storage::scim::put_invite(
            tx.conn(),
            id,
            &crate::auth::cookie::hash_token(&token),
            Some(actor.user.id),
            now,
            expires_at,
        )
        .await?;
        storage::audit::record(
            tx.conn(),
            &audit_by(
                &actor.user,
                AuditAction::TelegramInviteCreated,
                "user",
                id,
                json!({ "expires_at": expires_at }),
                origin,
                now,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(Invite {
            url: format!("https://t.me/{bot}?start={INVITE_PREFIX}{token}"),
            expires_at,
        })
    }
    .await
}
