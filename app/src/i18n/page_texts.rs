//! The texts a page carries: written by the server into the shell as a JSON block (the page's
//! language; the Mini App's keys on a Mini App page, all of them on an admin page) and read
//! once by the browser, so the wasm carries no translations.

#[cfg(not(feature = "hydrate"))]
use super::Lang;
use super::Msg;

/// The id of the `<script type="application/json">` block that holds them.
pub const ELEMENT_ID: &str = "attest-texts";

/// The JSON array of the first `keys` texts in `lang`, safe inside a `<script>` element.
#[cfg(not(feature = "hydrate"))]
pub fn json(lang: Lang, keys: usize) -> String {
    let texts: Vec<&str> = Msg::ALL.iter().take(keys).map(|m| m.text(lang)).collect();
    // `<` never occurs in JSON outside strings, and `\u003c` keeps `</script>` out of the page.
    serde_json::to_string(&texts)
        .unwrap_or_else(|_| "[]".to_owned())
        .replace('<', "\\u003c")
}

/// How many keys a page under `path` carries.
#[cfg(not(feature = "hydrate"))]
pub fn keys_for_path(path: &str) -> usize {
    let mini_app = path == "/app" || path.starts_with("/app/");
    if mini_app {
        Msg::MINI_APP
    } else {
        Msg::ALL.len()
    }
}

/// The text of `m` from the page's block; its name if the page does not carry it.
#[cfg(feature = "hydrate")]
pub fn get(m: Msg) -> &'static str {
    static TEXTS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    let texts = TEXTS.get_or_init(|| {
        let json = leptos::prelude::document()
            .get_element_by_id(ELEMENT_ID)
            .and_then(|e| e.text_content())
            .unwrap_or_default();
        let texts: Vec<String> = serde_json::from_str(&json).unwrap_or_default();
        // Read once per page and kept for its life.
        texts.into_iter().map(|t| &*t.leak()).collect()
    });
    texts.get(m as usize).copied().unwrap_or_else(|| {
        // A key of the admin panel's group on a Mini App page: move it to the first group.
        leptos::logging::error!("no text for {} on this page", m.name());
        m.name()
    })
}

#[cfg(all(test, not(feature = "hydrate")))]
mod tests {
    use super::*;

    #[test]
    fn a_mini_app_page_carries_its_own_keys_and_an_admin_page_all() {
        assert_eq!(keys_for_path("/app"), Msg::MINI_APP);
        assert_eq!(keys_for_path("/app/c/1/theory/1"), Msg::MINI_APP);
        assert_eq!(keys_for_path("/admin/users"), Msg::ALL.len());
        assert_eq!(keys_for_path("/application"), Msg::ALL.len());
        assert!(Msg::MINI_APP > 0 && Msg::MINI_APP < Msg::ALL.len());
        let texts: Vec<String> = serde_json::from_str(&json(Lang::En, Msg::MINI_APP)).unwrap();
        assert_eq!(texts.len(), Msg::MINI_APP);
        assert_eq!(texts[Msg::AppName as usize], "Attest");
    }

    #[test]
    fn the_block_cannot_close_its_script_element() {
        let json = json(Lang::Ru, Msg::ALL.len());
        assert!(!json.contains('<'));
        let texts: Vec<String> = serde_json::from_str(&json).unwrap();
        assert_eq!(texts.len(), Msg::ALL.len());
        assert!(
            Msg::ALL
                .iter()
                .all(|m| texts[*m as usize] == m.text(Lang::Ru))
        );
    }
}
