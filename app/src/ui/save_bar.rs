//! A section's one Save button with a sign of unsaved changes: the button is live only when
//! something changed, and a line beside it says so (also to screen readers).

use super::Button;
use crate::i18n::{Msg, use_t};
use leptos::prelude::*;

#[component]
pub fn SaveBar(
    /// Whether the section's fields differ from what is saved.
    #[prop(into)]
    dirty: Signal<bool>,
    /// The section may not be changed at all (the button stays off).
    #[prop(into, optional)]
    locked: Signal<bool>,
    #[prop(into)] on_save: Callback<()>,
    test_id: &'static str,
) -> impl IntoView {
    let t = use_t();
    view! {
        <div class="save-bar">
            <Button on_click=on_save disabled=Signal::derive(move || locked.get() || !dirty.get()) test_id=test_id>{t(Msg::Save)}</Button>
            <span class="save-state" class:save-dirty=move || dirty.get() aria-live="polite" data-testid=format!("{test_id}-state")>
                {move || if dirty.get() { t(Msg::UnsavedChanges) } else { t(Msg::NoChanges) }}
            </span>
        </div>
    }
}
