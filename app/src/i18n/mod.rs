//! The one translation mechanism for every user-facing string: [`Msg`] keys with a Russian and
//! an English text side by side in `messages.rs`, so a missing translation does not compile.
//! Russian is the default; a `lang` cookie switches to English.

mod messages;
pub mod page_texts;

use leptos::prelude::*;
pub use messages::Msg;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Ru,
    En,
}

impl Lang {
    pub const COOKIE: &'static str = "lang";

    pub fn code(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "ru" => Some(Lang::Ru),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language chosen by a `lang=..` cookie in a `Cookie` header value; Russian otherwise.
    pub fn from_cookie_header(header: Option<&str>) -> Lang {
        header
            .into_iter()
            .flat_map(|h| h.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(k, _)| *k == Self::COOKIE)
            .and_then(|(_, v)| Lang::from_code(v))
            .unwrap_or_default()
    }
}

impl Msg {
    /// The text with `{name}` placeholders replaced.
    pub fn with(self, lang: Lang, params: &[(&str, &str)]) -> String {
        params.iter().fold(self.text(lang).to_owned(), |s, (k, v)| {
            s.replace(&format!("{{{k}}}"), v)
        })
    }
}

/// The page's language, provided once at the root.
pub fn provide_lang(lang: Lang) {
    provide_context(lang);
}

pub fn use_lang() -> Lang {
    use_context::<Lang>().unwrap_or_default()
}

/// Minutes east of UTC in which dates are shown (the server's setting, written into the page
/// as `data-utc-offset` so the browser formats exactly as the server did).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UtcOffset(pub i32);

pub fn use_offset() -> i32 {
    use_context::<UtcOffset>().map(|o| o.0).unwrap_or(180)
}

/// Returns a translator for the current language: `let t = use_t(); t(Msg::Save)`.
pub fn use_t() -> impl Fn(Msg) -> &'static str + Copy + Send + Sync + 'static {
    let lang = use_lang();
    move |m: Msg| m.text(lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_comes_from_the_cookie_or_defaults_to_russian() {
        assert_eq!(Lang::from_cookie_header(None), Lang::Ru);
        assert_eq!(Lang::from_cookie_header(Some("a=1; lang=en")), Lang::En);
        assert_eq!(Lang::from_cookie_header(Some("lang=de")), Lang::Ru);
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            Msg::PageOf.with(Lang::En, &[("n", "2"), ("total", "3")]),
            "2 / 3"
        );
    }

    #[test]
    fn a_key_crosses_the_wire_as_its_name() {
        for m in Msg::ALL {
            let json = serde_json::to_string(m).unwrap();
            assert_eq!(json, format!("\"{}\"", m.name()));
            assert_eq!(format!("{m:?}"), m.name());
            assert_eq!(serde_json::from_str::<Msg>(&json).unwrap(), *m);
        }
        assert_eq!(serde_json::to_string(&Msg::PageOf).unwrap(), "\"PageOf\"");
        assert!(serde_json::from_str::<Msg>("\"NoSuchKey\"").is_err());
        assert!(serde_json::from_str::<Msg>("3").is_err());
    }

    #[test]
    fn every_message_has_both_texts() {
        for m in Msg::ALL {
            assert!(!m.text(Lang::Ru).is_empty(), "{m:?} ru");
            assert!(!m.text(Lang::En).is_empty(), "{m:?} en");
        }
    }
}

/// The Russian plural form of `n`: 0 for "1 минута", 1 for "2 минуты", 2 for "5 минут".
fn ru_form(n: i64) -> usize {
    let (last, last_two) = (n.abs() % 10, n.abs() % 100);
    if last == 1 && last_two != 11 {
        0
    } else if (2..=4).contains(&last) && !(12..=14).contains(&last_two) {
        1
    } else {
        2
    }
}

/// `n` with its word in the right plural form: `ru` are the forms for 1, 2 and 5, `en` for 1 and
/// many.
pub fn counted(lang: Lang, n: i64, ru: [&str; 3], en: [&str; 2]) -> String {
    let word = match lang {
        Lang::Ru => ru[ru_form(n)],
        Lang::En if n.abs() == 1 => en[0],
        Lang::En => en[1],
    };
    format!("{n} {word}")
}

pub fn minutes(lang: Lang, n: i64) -> String {
    counted(
        lang,
        n,
        ["минута", "минуты", "минут"],
        ["minute", "minutes"],
    )
}

pub fn attempts(lang: Lang, n: i64) -> String {
    counted(
        lang,
        n,
        ["попытка", "попытки", "попыток"],
        ["attempt", "attempts"],
    )
}

/// A number of points with the word in the right plural form: "1 балл", "22 балла",
/// "340 баллов" / "1 point", "5 points".
pub fn points(lang: Lang, n: i64) -> String {
    counted(lang, n, ["балл", "балла", "баллов"], ["point", "points"])
}

#[cfg(test)]
mod plural_tests {
    use super::*;

    #[test]
    fn points_agree_with_the_number() {
        assert_eq!(points(Lang::Ru, 1), "1 балл");
        assert_eq!(points(Lang::Ru, 22), "22 балла");
        assert_eq!(points(Lang::Ru, 12), "12 баллов");
        assert_eq!(points(Lang::Ru, 111), "111 баллов");
        assert_eq!(points(Lang::Ru, 340), "340 баллов");
        assert_eq!(points(Lang::En, 1), "1 point");
        assert_eq!(points(Lang::En, 0), "0 points");
        assert_eq!(minutes(Lang::Ru, 21), "21 минута");
        assert_eq!(minutes(Lang::Ru, 6), "6 минут");
        assert_eq!(attempts(Lang::Ru, 3), "3 попытки");
        assert_eq!(attempts(Lang::En, 1), "1 attempt");
    }
}
