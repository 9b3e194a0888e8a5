//! The texts a page carries, so the wasm carries no translations: one small script per language
//! and surface (the Mini App's keys on a Mini App page, all of them on an admin page), built once
//! by the server and served under a name with its content's hash (`/texts/…`, cached for a
//! year). The shell loads it with `defer` before the hydration script, so the texts are there
//! when the wasm asks for them; a repeat visit takes them from the browser's cache.

#[cfg(not(feature = "hydrate"))]
use super::Lang;
use super::Msg;

/// The global the script sets: an array of texts, indexed by key.
pub const GLOBAL: &str = "attestTexts";

/// Where the scripts are served: `/texts/<name>`.
pub const PATH: &str = "/texts";

/// Which keys a page carries.
#[cfg(not(feature = "hydrate"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Surface {
    /// The Mini App's group (with what both surfaces share).
    MiniApp,
    /// Every key: the admin panel and the other pages.
    All,
}

#[cfg(not(feature = "hydrate"))]
impl Surface {
    pub fn of_path(path: &str) -> Surface {
        if path == "/app" || path.starts_with("/app/") {
            Surface::MiniApp
        } else {
            Surface::All
        }
    }

    fn keys(self) -> usize {
        match self {
            Surface::MiniApp => Msg::MINI_APP,
            Surface::All => Msg::ALL.len(),
        }
    }

    fn code(self) -> &'static str {
        match self {
            Surface::MiniApp => "app",
            Surface::All => "all",
        }
    }
}

/// One language's texts for one surface, as a script.
#[cfg(not(feature = "hydrate"))]
pub struct TextsScript {
    /// `texts-ru-app.<hash>.js`: the hash of the body, so a changed text is a new name.
    pub name: String,
    pub body: String,
}

#[cfg(not(feature = "hydrate"))]
impl TextsScript {
    fn build(lang: Lang, surface: Surface) -> TextsScript {
        let texts: Vec<&str> = Msg::ALL
            .iter()
            .take(surface.keys())
            .map(|m| m.text(lang))
            .collect();
        // A JSON array is a JavaScript expression.
        let json = serde_json::to_string(&texts).unwrap_or_else(|_| "[]".to_owned());
        let body = format!("self.{GLOBAL}={json};\n");
        let name = format!(
            "texts-{}-{}.{:016x}.js",
            lang.code(),
            surface.code(),
            fnv1a(body.as_bytes())
        );
        TextsScript { name, body }
    }

    /// The script for a page in `lang` on `surface`, built on first use.
    pub fn for_page(lang: Lang, surface: Surface) -> &'static TextsScript {
        let i = all()
            .iter()
            .position(|(l, s, _)| *l == lang && *s == surface)
            .unwrap_or(0);
        &all()[i].2
    }

    /// The script served under `name`, if it is one of ours.
    pub fn named(name: &str) -> Option<&'static TextsScript> {
        all().iter().map(|(_, _, t)| t).find(|t| t.name == name)
    }

    /// Its address, for the page's `<script src>`.
    pub fn url(&self) -> String {
        format!("{PATH}/{}", self.name)
    }
}

#[cfg(not(feature = "hydrate"))]
fn all() -> &'static [(Lang, Surface, TextsScript)] {
    static ALL: std::sync::OnceLock<Vec<(Lang, Surface, TextsScript)>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        [Lang::Ru, Lang::En]
            .into_iter()
            .flat_map(|l| [Surface::MiniApp, Surface::All].map(|s| (l, s)))
            .map(|(l, s)| (l, s, TextsScript::build(l, s)))
            .collect()
    })
}

/// A stable 64-bit hash (FNV-1a) for the scripts' names: they only need to change with the
/// content, the same on every instance of one build.
#[cfg(not(feature = "hydrate"))]
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The text of `m` from the page's script; its name if the page does not carry it.
#[cfg(feature = "hydrate")]
pub fn get(m: Msg) -> &'static str {
    static TEXTS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    let texts = TEXTS.get_or_init(|| {
        let array = js_sys::Reflect::get(
            &leptos::prelude::window(),
            &wasm_bindgen::JsValue::from_str(GLOBAL),
        )
        .ok()
        .and_then(|v| wasm_bindgen::JsCast::dyn_into::<js_sys::Array>(v).ok());
        let Some(array) = array else {
            leptos::logging::error!("the page's texts did not load ({PATH}/…): keys show as names");
            return Vec::new();
        };
        // Read once per page and kept for its life.
        array
            .iter()
            .map(|t| &*t.as_string().unwrap_or_default().leak())
            .collect()
    });
    match texts.get(m as usize) {
        Some(t) => t,
        None if texts.is_empty() => m.name(),
        None => {
            // A key of the admin panel's group on a Mini App page: move it to the first group.
            leptos::logging::error!("no text for {} on this page", m.name());
            m.name()
        }
    }
}

#[cfg(all(test, not(feature = "hydrate")))]
mod tests {
    use super::*;

    fn texts_of(script: &TextsScript) -> Vec<String> {
        let json = script
            .body
            .strip_prefix(&format!("self.{GLOBAL}="))
            .and_then(|b| b.strip_suffix(";\n"))
            .unwrap();
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_mini_app_page_carries_its_own_keys_and_an_admin_page_all() {
        assert_eq!(Surface::of_path("/app"), Surface::MiniApp);
        assert_eq!(Surface::of_path("/app/c/1/theory/1"), Surface::MiniApp);
        assert_eq!(Surface::of_path("/admin/users"), Surface::All);
        assert_eq!(Surface::of_path("/application"), Surface::All);
        assert!(Msg::MINI_APP > 0 && Msg::MINI_APP < Msg::ALL.len());
        let texts = texts_of(TextsScript::for_page(Lang::En, Surface::MiniApp));
        assert_eq!(texts.len(), Msg::MINI_APP);
        assert_eq!(texts[Msg::AppName as usize], "Attest");
        let all = texts_of(TextsScript::for_page(Lang::Ru, Surface::All));
        assert_eq!(all.len(), Msg::ALL.len());
        assert!(
            Msg::ALL
                .iter()
                .all(|m| all[*m as usize] == m.text(Lang::Ru))
        );
    }

    #[test]
    fn each_script_has_its_own_name_found_again_by_it() {
        let names: Vec<&str> = all().iter().map(|(_, _, t)| t.name.as_str()).collect();
        assert_eq!(names.len(), 4);
        for (i, n) in names.iter().enumerate() {
            assert!(!names[..i].contains(n), "{n} twice");
            assert_eq!(TextsScript::named(n).map(|t| t.name.as_str()), Some(*n));
        }
        let ru = TextsScript::for_page(Lang::Ru, Surface::MiniApp);
        assert!(ru.name.starts_with("texts-ru-app.") && ru.name.ends_with(".js"));
        assert_eq!(ru.url(), format!("/texts/{}", ru.name));
        assert!(TextsScript::named("texts-ru-app.0000000000000000.js").is_none());
        assert!(TextsScript::named("../Cargo.toml").is_none());
    }
}
