//! Whether the user can see the Mini App: the page hidden (phone locked, another chat), closed,
//! restored from the back-forward cache, or Telegram minimising and reactivating the app.
//! The test screen stops its clock on the way out and asks the server on the way back.

/// Listens until dropped: `on_back` when the page is visible again, `on_away` when it is hidden
/// or closing.
#[cfg(feature = "hydrate")]
pub fn on_presence_change(
    on_back: impl Fn() + 'static,
    on_away: impl Fn() + 'static,
) -> PresenceListener {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::Closure;

    let on_back = std::rc::Rc::new(on_back);
    let on_away = std::rc::Rc::new(on_away);
    let visibility = {
        let (on_back, on_away) = (on_back.clone(), on_away.clone());
        Closure::<dyn Fn()>::new(move || {
            if document().visibility_state() == web_sys::VisibilityState::Visible {
                on_back();
            } else {
                on_away();
            }
        })
    };
    let hide = {
        let on_away = on_away.clone();
        Closure::<dyn Fn()>::new(move || on_away())
    };
    let show = {
        let on_back = on_back.clone();
        Closure::<dyn Fn(web_sys::PageTransitionEvent)>::new(
            move |e: web_sys::PageTransitionEvent| {
                // A fresh load resumes by itself; a page restored from the cache must ask.
                if e.persisted() {
                    on_back();
                }
            },
        )
    };
    let doc = document();
    let win = window();
    let _ = doc
        .add_event_listener_with_callback("visibilitychange", visibility.as_ref().unchecked_ref());
    let _ = win.add_event_listener_with_callback("pagehide", hide.as_ref().unchecked_ref());
    let _ = win.add_event_listener_with_callback("pageshow", show.as_ref().unchecked_ref());
    let telegram = super::telegram::on_activation(
        {
            let on_back = on_back.clone();
            move || on_back()
        },
        move || on_away(),
    );
    PresenceListener {
        visibility,
        hide,
        show,
        _telegram: telegram,
    }
}

#[cfg(feature = "hydrate")]
pub struct PresenceListener {
    visibility: wasm_bindgen::prelude::Closure<dyn Fn()>,
    hide: wasm_bindgen::prelude::Closure<dyn Fn()>,
    show: wasm_bindgen::prelude::Closure<dyn Fn(web_sys::PageTransitionEvent)>,
    _telegram: super::telegram::Subscription,
}

#[cfg(feature = "hydrate")]
impl Drop for PresenceListener {
    fn drop(&mut self) {
        use wasm_bindgen::JsCast;
        let _ = document().remove_event_listener_with_callback(
            "visibilitychange",
            self.visibility.as_ref().unchecked_ref(),
        );
        let _ = window()
            .remove_event_listener_with_callback("pagehide", self.hide.as_ref().unchecked_ref());
        let _ = window()
            .remove_event_listener_with_callback("pageshow", self.show.as_ref().unchecked_ref());
    }
}

#[cfg(feature = "hydrate")]
use leptos::prelude::{document, window};
