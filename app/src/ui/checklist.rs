//! A group of checkboxes that picks several values of a list (an API key's scopes, a
//! webhook's events), with the field's error under it.

use crate::i18n::{Msg, use_t};
use leptos::prelude::*;

#[component]
pub fn CheckList(
    legend: Msg,
    /// The form field's name: each box's `name`, and the error's id `field-{name}-error`.
    name: &'static str,
    /// Each box's id is `{id_prefix}-{value}` (with `:` and `.` made `-`).
    id_prefix: &'static str,
    /// Each value, what it means in words, and whether it is picked.
    options: Vec<(String, Msg, RwSignal<bool>)>,
    /// A line under the title, for the group as a whole.
    #[prop(optional)]
    help: Option<Msg>,
    #[prop(into)] error: Signal<Option<Msg>>,
) -> impl IntoView {
    let t = use_t();
    view! {
        <fieldset class="field checks">
            <legend>{t(legend)}</legend>
            {help.map(|h| view! { <p class="hint">{t(h)}</p> })}
            {options.into_iter().map(|(value, meaning, on)| {
                let id = format!("{id_prefix}-{}", value.replace([':', '.'], "-"));
                let label_for = id.clone();
                view! {
                    // One per line: the box, what it means, and its id for those who script.
                    <label class="check" for=label_for>
                        <input id=id type="checkbox" name=name value=value.clone()
                            prop:checked=move || on.get()
                            on:change=move |ev| on.set(event_target_checked(&ev)) />
                        <span class="check-text">
                            {t(meaning)}
                            <small class="hint"><code>{value}</code></small>
                        </span>
                    </label>
                }
            }).collect_view()}
            <super::FieldErrorText id=format!("field-{name}-error") msg=error />
        </fieldset>
    }
}
