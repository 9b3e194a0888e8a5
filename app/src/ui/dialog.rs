use crate::i18n::{Msg, use_t};
use leptos::prelude::*;

/// A modal dialog: labelled, closes on Escape and on its close button, traps nothing it should
/// not (focus starts on the first field).
#[component]
pub fn Dialog(
    #[prop(into)] open: RwSignal<bool>,
    title: Msg,
    #[prop(optional)] test_id: Option<&'static str>,
    children: ChildrenFn,
) -> impl IntoView {
    let t = use_t();
    let title_id = format!("dialog-title-{}", test_id.unwrap_or("main"));
    let node = NodeRef::<leptos::html::Div>::new();
    // On opening, focus moves into the dialog (its first field, or the dialog itself), so
    // Escape closes it and a screen reader announces it.
    Effect::new(move |_| {
        if !open.get() {
            return;
        }
        if let Some(el) = node.get() {
            let first = el
                .query_selector("input, select, textarea")
                .ok()
                .flatten()
                .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok());
            let _ = match first {
                Some(f) => f.focus(),
                None => el.focus(),
            };
        }
    });
    view! {
        <Show when=move || open.get()>
            <div class="dialog-backdrop" on:click=move |_| open.set(false)></div>
            <div
                class="dialog"
                role="dialog"
                tabindex="-1"
                node_ref=node
                aria-modal="true"
                aria-labelledby=title_id.clone()
                data-testid=test_id
                on:keydown=move |ev| {
                    if ev.key() == "Escape" {
                        open.set(false);
                    }
                }
            >
                <header class="dialog-header">
                    <h2 id=title_id.clone()>{t(title)}</h2>
                    <button
                        type="button"
                        class="btn btn-ghost"
                        aria-label=t(Msg::Close)
                        on:click=move |_| open.set(false)
                    >
                        "×"
                    </button>
                </header>
                <div class="dialog-body">{children()}</div>
            </div>
        </Show>
    }
}
