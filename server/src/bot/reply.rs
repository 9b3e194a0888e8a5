//! What the bot's answers share: the language of the person writing, and the button that
//! opens the Mini App.

use app::i18n::{Lang, Msg};
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, Message, WebAppInfo};

/// The language to answer in, from the sender's Telegram client.
pub(super) fn lang_of(msg: &Message) -> Lang {
    match msg.from.as_ref().and_then(|u| u.language_code.as_deref()) {
        Some(code) if code.starts_with("en") => Lang::En,
        _ => Lang::Ru,
    }
}

/// A `web_app` button (valid in private chats) that opens the Mini App; a deep-link payload
/// (`/start <section>`, Telegram's rules: up to 64 of `A-Z a-z 0-9 _ -`) is passed on.
pub(super) fn open_app_keyboard(
    public_url: &str,
    payload: &str,
    lang: Lang,
) -> Option<InlineKeyboardMarkup> {
    let valid = !payload.is_empty()
        && payload.len() <= 64
        && payload
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let url = if valid {
        format!("{public_url}/app?start={payload}")
    } else {
        format!("{public_url}/app")
    };
    let url = url::Url::parse(&url).ok()?;
    Some(InlineKeyboardMarkup::new([[
        InlineKeyboardButton::web_app(Msg::BotOpenApp.text(lang), WebAppInfo { url }),
    ]]))
}
