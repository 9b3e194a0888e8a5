//! Bot commands. `/start` registers the user (or refreshes them) and answers with a button
//! that opens the Mini App; anything else gets a short help.

use super::reply::{lang_of, open_app_keyboard};
use super::send::with_retry;
use app::auth::service::register_telegram_user;
use app::domain::TelegramId;
use app::domain::audit::Origin;
use app::domain::user::{TelegramProfile, UserStatus};
use app::i18n::Msg;
use app::state::AppState;
use teloxide::dispatching::{HandlerExt, UpdateFilterExt, UpdateHandler};
use teloxide::prelude::*;
use teloxide::utils::command::BotCommands;

/// Commands of the bot; the doc comments are the command descriptions.
#[derive(BotCommands, Clone, Debug)]
#[command(rename_rule = "lowercase")]
pub enum Command {
    /// Open the app
    Start(String),
    /// Show help
    Help,
    /// Post the audit log into this group (admins)
    #[command(rename = "audit_here")]
    AuditHere,
}

pub fn schema() -> UpdateHandler<teloxide::RequestError> {
    Update::filter_message()
        .branch(
            dptree::entry()
                .filter_command::<Command>()
                .endpoint(on_command),
        )
        .branch(dptree::endpoint(on_other_message))
}

fn profile_of(user: &teloxide::types::User) -> TelegramProfile {
    TelegramProfile {
        telegram_id: TelegramId(user.id.0 as i64),
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone().unwrap_or_default(),
        username: user.username.clone(),
        photo_url: None,
        language_code: user.language_code.clone(),
    }
}

async fn on_command(bot: Bot, msg: Message, cmd: Command, state: AppState) -> ResponseResult<()> {
    match cmd {
        Command::Start(payload) => start(bot, msg, state, payload).await,
        Command::Help => help(bot, msg).await,
        Command::AuditHere => {
            let text = crate::audit_feed::bind::audit_here(&bot, &msg, &state).await;
            with_retry("audit_here reply", || {
                bot.send_message(msg.chat.id, text.clone()).send()
            })
            .await;
            Ok(())
        }
    }
}

async fn on_other_message(bot: Bot, msg: Message, state: AppState) -> ResponseResult<()> {
    if !msg.chat.is_private() {
        return Ok(());
    }
    if msg.contact().is_some() {
        return super::link::on_contact(bot, msg, state).await;
    }
    help(bot, msg).await
}

async fn help(bot: Bot, msg: Message) -> ResponseResult<()> {
    let text = Msg::BotHelp.text(lang_of(&msg));
    with_retry("help", || bot.send_message(msg.chat.id, text).send()).await;
    Ok(())
}

async fn start(bot: Bot, msg: Message, state: AppState, payload: String) -> ResponseResult<()> {
    let (Some(from), true) = (msg.from.as_ref(), msg.chat.is_private()) else {
        return Ok(());
    };
    let lang = lang_of(&msg);
    let profile = profile_of(from);
    if let Some(token) = payload.strip_prefix(app::scim::link::INVITE_PREFIX) {
        return super::link::by_invite(bot, &msg, state, token, profile.telegram_id).await;
    }
    let registered = async {
        let mut tx = state.db.begin().await?;
        let user =
            register_telegram_user(&state, tx.conn(), &profile, &Origin::channel("bot")).await?;
        // Writing to the bot again makes a person who had blocked it reachable.
        app::storage::notifications::set_unreachable(
            tx.conn(),
            profile.telegram_id.0,
            None,
            state.now(),
        )
        .await?;
        tx.commit().await?;
        Ok::<_, app::storage::StorageError>(user)
    }
    .await;
    let user = match registered {
        Ok(u) => u,
        Err(e) => {
            tracing::error!(error = %e, telegram_id = %profile.telegram_id, "/start: could not register");
            let text = Msg::ErrInternal.text(lang);
            with_retry("start error", || bot.send_message(msg.chat.id, text).send()).await;
            return Ok(());
        }
    };
    let name = user.full_name();
    let text = match user.status {
        UserStatus::Active => Msg::BotWelcome.with(lang, &[("name", &name)]),
        UserStatus::Pending => Msg::BotWelcomePending.with(lang, &[("name", &name)]),
        UserStatus::Deactivated => Msg::BotDeactivated.text(lang).to_owned(),
    };
    let keyboard = (user.status != UserStatus::Deactivated)
        .then(|| open_app_keyboard(&state.config.public_url, &payload, lang))
        .flatten();
    with_retry("start reply", || {
        let req = bot.send_message(msg.chat.id, text.clone());
        match keyboard.clone() {
            Some(k) => req.reply_markup(k).send(),
            None => req.send(),
        }
    })
    .await;
    if user.status == UserStatus::Pending {
        super::link::offer_contact(&bot, &msg, &state, lang).await;
    }
    Ok(())
}
