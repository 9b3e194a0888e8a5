//! The Mini App's bridge to `window.Telegram.WebApp`. Telegram passes launch parameters in the
//! URL hash (`#tgWebAppData=…`); the raw initData is read from the WebApp object or the hash and
//! kept in sessionStorage, because in-app navigation drops the hash.
//! Outside the browser (server rendering) every function is a no-op.

/// Raw initData of this launch, if the page was opened by Telegram.
pub fn init_data() -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        imp::init_data()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        None
    }
}

/// The Telegram user id inside initData, read without validation (only to compare with the
/// session the server already has; the server validates).
pub fn unsafe_user_id(init_data: &str) -> Option<i64> {
    let user = init_data
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == "user")
        .map(|(_, v)| v)?;
    let decoded = js_decode(user)?;
    let v: serde_json::Value = serde_json::from_str(&decoded).ok()?;
    v.get("id")?.as_i64()
}

/// The `start_param` of this launch (from a `t.me/...?startapp=` link), read from initData.
pub fn start_param(init_data: &str) -> Option<String> {
    init_data
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == "start_param")
        .and_then(|(_, v)| js_decode(v))
        .filter(|v| !v.is_empty())
}

fn js_decode(s: &str) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        js_sys::decode_uri_component(&s.replace('+', " "))
            .ok()
            .map(String::from)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        Some(s.to_owned())
    }
}

/// Tells Telegram the app is ready, expands it and applies its theme colours.
pub fn start() {
    #[cfg(feature = "hydrate")]
    imp::start();
}

/// Shows or hides Telegram's Back button; a tap goes back in the router's history.
pub fn set_back_button(visible: bool) {
    #[cfg(feature = "hydrate")]
    imp::set_back_button(visible);
    #[cfg(not(feature = "hydrate"))]
    let _ = visible;
}

/// Light haptic feedback (an answer was chosen).
pub fn haptic_selection() {
    #[cfg(feature = "hydrate")]
    imp::haptic();
}

/// Shows Telegram's main button with `text`, running `on_click` when tapped; `None` hides it.
/// Outside Telegram nothing happens (the page has its own buttons).
pub fn main_button(text: Option<&str>, on_click: Option<std::rc::Rc<dyn Fn()>>) {
    #[cfg(feature = "hydrate")]
    imp::main_button(text, on_click);
    #[cfg(not(feature = "hydrate"))]
    let _ = (text, on_click);
}

/// Telegram's `activated` / `deactivated` events (the Mini App minimised or brought back), until
/// the subscription is dropped. Outside Telegram nothing fires.
#[cfg(feature = "hydrate")]
pub fn on_activation(
    on_active: impl Fn() + 'static,
    on_inactive: impl Fn() + 'static,
) -> Subscription {
    imp::on_activation(on_active, on_inactive)
}

#[cfg(feature = "hydrate")]
pub use imp::Subscription;

#[cfg(feature = "hydrate")]
mod imp {
    use js_sys::{Function, Object, Reflect};
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::*;

    const STORAGE_KEY: &str = "attest.initData";

    fn web_app() -> Option<Object> {
        let window = web_sys::window()?;
        let tg = Reflect::get(&window, &"Telegram".into()).ok()?;
        let app = Reflect::get(&tg, &"WebApp".into()).ok()?;
        app.dyn_into::<Object>().ok()
    }

    fn get(obj: &JsValue, key: &str) -> Option<JsValue> {
        Reflect::get(obj, &key.into())
            .ok()
            .filter(|v| !v.is_undefined() && !v.is_null())
    }

    fn call(obj: &JsValue, method: &str, args: &[JsValue]) {
        if let Some(f) = get(obj, method).and_then(|f| f.dyn_into::<Function>().ok()) {
            let arr: js_sys::Array = args.iter().collect();
            if let Err(e) = f.apply(obj, &arr) {
                web_sys::console::warn_2(&format!("Telegram.WebApp.{method} failed").into(), &e);
            }
        }
    }

    fn from_hash() -> Option<String> {
        let hash = web_sys::window()?.location().hash().ok()?;
        let hash = hash.strip_prefix('#').unwrap_or(&hash);
        let params = web_sys::UrlSearchParams::new_with_str(hash).ok()?;
        params.get("tgWebAppData").filter(|s| !s.is_empty())
    }

    fn storage() -> Option<web_sys::Storage> {
        web_sys::window()?.session_storage().ok().flatten()
    }

    pub fn init_data() -> Option<String> {
        let found = web_app()
            .and_then(|app| get(&app, "initData"))
            .and_then(|v| v.as_string())
            .filter(|s| !s.is_empty())
            .or_else(from_hash);
        match found {
            Some(raw) => {
                if let Some(s) = storage() {
                    let _ = s.set_item(STORAGE_KEY, &raw);
                }
                Some(raw)
            }
            None => storage()
                .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
                .filter(|s| !s.is_empty()),
        }
    }

    pub fn start() {
        let Some(app) = web_app() else { return };
        call(&app, "ready", &[]);
        call(&app, "expand", &[]);
        apply_theme(&app);
        let on_theme = Closure::<dyn Fn()>::new(|| {
            if let Some(app) = web_app() {
                apply_theme(&app);
            }
        });
        call(
            &app,
            "onEvent",
            &[JsValue::from_str("themeChanged"), on_theme.as_ref().clone()],
        );
        // The handler lives as long as the page.
        on_theme.forget();
        let on_back = Closure::<dyn Fn()>::new(|| {
            if let Some(w) = web_sys::window() {
                let _ = w.history().and_then(|h| h.back());
            }
        });
        if let Some(back) = get(&app, "BackButton") {
            call(&back, "onClick", &[on_back.as_ref().clone()]);
        }
        // The handler lives as long as the page.
        on_back.forget();
    }

    /// Sets `--tg-theme-*` CSS variables from `themeParams` (telegram-web-app.js does the same;
    /// doing it here also covers a missing or late script).
    fn apply_theme(app: &Object) {
        let Some(params) = get(app, "themeParams") else {
            return;
        };
        let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        else {
            return;
        };
        let style = root.style();
        let keys = Object::keys(params.unchecked_ref::<Object>());
        for key in keys.iter() {
            let Some(name) = key.as_string() else {
                continue;
            };
            let Some(value) = get(&params, &name).and_then(|v| v.as_string()) else {
                continue;
            };
            let var = format!("--tg-theme-{}", name.replace('_', "-"));
            let _ = style.set_property(&var, &value);
        }
        // Secondary text in the theme's hint colour must stay readable on its background.
        let colour = |name: &str| get(&params, name).and_then(|v| v.as_string());
        if let (Some(hint), Some(bg)) = (colour("hint_color"), colour("bg_color"))
            && let Some(readable) = crate::ui::contrast::readable_hint(&hint, &bg)
        {
            let _ = style.set_property("--hint", &readable);
        }
    }

    pub fn haptic() {
        if let Some(h) = web_app().and_then(|app| get(&app, "HapticFeedback")) {
            call(&h, "selectionChanged", &[]);
        }
    }

    thread_local! {
        static MAIN_HANDLER: std::cell::RefCell<Option<std::rc::Rc<dyn Fn()>>> = const { std::cell::RefCell::new(None) };
        static MAIN_WIRED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    pub fn main_button(text: Option<&str>, on_click: Option<std::rc::Rc<dyn Fn()>>) {
        let Some(button) = web_app().and_then(|app| get(&app, "MainButton")) else {
            return;
        };
        MAIN_HANDLER.with(|h| *h.borrow_mut() = on_click);
        if !MAIN_WIRED.with(|w| w.replace(true)) {
            // One JS handler for the page's life; it calls whatever Rust handler is current.
            let relay = Closure::<dyn Fn()>::new(|| {
                if let Some(f) = MAIN_HANDLER.with(|h| h.borrow().clone()) {
                    f();
                }
            });
            call(&button, "onClick", &[relay.as_ref().clone()]);
            relay.forget();
        }
        match text {
            Some(t) => {
                call(&button, "setText", &[JsValue::from_str(t)]);
                call(&button, "show", &[]);
            }
            None => call(&button, "hide", &[]),
        }
    }

    /// A Telegram event name and the handler subscribed to it.
    type Handler = (&'static str, Closure<dyn Fn()>);

    pub struct Subscription {
        handlers: Vec<Handler>,
    }

    impl Drop for Subscription {
        fn drop(&mut self) {
            if let Some(app) = web_app() {
                for (name, f) in &self.handlers {
                    call(
                        &app,
                        "offEvent",
                        &[JsValue::from_str(name), f.as_ref().clone()],
                    );
                }
            }
        }
    }

    pub fn on_activation(
        on_active: impl Fn() + 'static,
        on_inactive: impl Fn() + 'static,
    ) -> Subscription {
        let handlers: Vec<Handler> = vec![
            ("activated", Closure::new(on_active)),
            ("deactivated", Closure::new(on_inactive)),
        ];
        if let Some(app) = web_app() {
            for (name, f) in &handlers {
                call(
                    &app,
                    "onEvent",
                    &[JsValue::from_str(name), f.as_ref().clone()],
                );
            }
        }
        Subscription { handlers }
    }

    pub fn set_back_button(visible: bool) {
        let Some(back) = web_app().and_then(|app| get(&app, "BackButton")) else {
            return;
        };
        call(&back, if visible { "show" } else { "hide" }, &[]);
    }
}
