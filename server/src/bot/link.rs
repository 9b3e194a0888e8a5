//! Linking a provisioned person's Telegram account from the bot: `/start link_<token>` (an
//! invite link from their card), or the contact they share with the "share my phone number"
//! button, which the bot offers to people it does not know while anyone waits to be linked by
//! phone. A contact only counts when it is the sender's own (Telegram sets its `user_id`).

use super::reply::{lang_of, open_app_keyboard};
use super::send::with_retry;
use app::domain::TelegramId;
use app::i18n::{Lang, Msg};
use app::scim::link::{self, BotLink};
use app::state::AppState;
use teloxide::prelude::*;
use teloxide::types::{ButtonRequest, KeyboardButton, KeyboardMarkup};

async fn reply(
    bot: &Bot,
    msg: &Message,
    state: &AppState,
    outcome: BotLink,
    lang: Lang,
    unknown: Msg,
) {
    let (text, keyboard) = match outcome {
        BotLink::Linked(user) => (
            Msg::BotLinked.with(lang, &[("name", &user.full_name())]),
            open_app_keyboard(&state.config.public_url, "", lang),
        ),
        BotLink::NoMatch => (unknown.text(lang).to_owned(), None),
        BotLink::Taken => (Msg::BotTelegramTaken.text(lang).to_owned(), None),
    };
    with_retry("link reply", || {
        let req = bot.send_message(msg.chat.id, text.clone());
        match keyboard.clone() {
            Some(k) => req.reply_markup(k).send(),
            None => req.send(),
        }
    })
    .await;
}

/// `/start link_<token>`.
pub async fn by_invite(
    bot: Bot,
    msg: &Message,
    state: AppState,
    token: &str,
    tg: TelegramId,
) -> ResponseResult<()> {
    let lang = lang_of(msg);
    let outcome = match link::by_invite(&state, token, tg).await {
        Ok(o) => o,
        Err(e) => {
            tracing::error!(error = %e, "invite link: could not link");
            let text = Msg::ErrInternal.text(lang);
            with_retry("link error", || bot.send_message(msg.chat.id, text).send()).await;
            return Ok(());
        }
    };
    reply(&bot, msg, &state, outcome, lang, Msg::BotInviteInvalid).await;
    Ok(())
}

/// After `/start` from someone still pending: the "share my phone number" button, when anyone
/// waits to be linked by phone.
pub async fn offer_contact(bot: &Bot, msg: &Message, state: &AppState, lang: Lang) {
    match link::phones_waiting(state).await {
        Ok(true) => {}
        Ok(false) => return,
        Err(e) => {
            tracing::warn!(error = %e, "could not tell whether anyone waits to be linked");
            return;
        }
    }
    let keyboard =
        KeyboardMarkup::new([[KeyboardButton::new(Msg::BotShareContactButton.text(lang))
            .request(ButtonRequest::Contact)]])
        .resize_keyboard()
        .one_time_keyboard();
    let text = Msg::BotShareContact.text(lang);
    with_retry("share contact offer", || {
        bot.send_message(msg.chat.id, text)
            .reply_markup(keyboard.clone())
            .send()
    })
    .await;
}

/// A shared contact: the sender's own number, matched to a provisioned person's.
pub async fn on_contact(bot: Bot, msg: Message, state: AppState) -> ResponseResult<()> {
    let lang = lang_of(&msg);
    let (Some(from), Some(contact)) = (msg.from.as_ref(), msg.contact()) else {
        return Ok(());
    };
    if contact.user_id != Some(from.id) {
        let text = Msg::BotContactNotOwn.text(lang);
        with_retry("contact not own", || {
            bot.send_message(msg.chat.id, text).send()
        })
        .await;
        return Ok(());
    }
    let tg = TelegramId(from.id.0 as i64);
    let outcome = match link::by_phone(&state, &contact.phone_number, tg).await {
        Ok(o) => o,
        Err(e) => {
            tracing::error!(error = %e, "shared contact: could not link");
            let text = Msg::ErrInternal.text(lang);
            with_retry("contact error", || {
                bot.send_message(msg.chat.id, text).send()
            })
            .await;
            return Ok(());
        }
    };
    reply(&bot, &msg, &state, outcome, lang, Msg::BotContactUnknown).await;
    Ok(())
}
