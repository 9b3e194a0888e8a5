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
    view! {
        <Show when=move || open.get()>
            <div class="dialog-backdrop" on:click=move |_| open.set(false)></div>
            <div
                class="dialog"
                role="dialog"
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
