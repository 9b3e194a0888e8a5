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
    /// Each value with whether it is picked.
    options: Vec<(String, RwSignal<bool>)>,
    #[prop(into)] error: Signal<Option<Msg>>,
) -> impl IntoView {
    let t = use_t();
    view! {
        <fieldset class="field">
            <legend>{t(legend)}</legend>
            {options.into_iter().map(|(value, on)| {
                let id = format!("{id_prefix}-{}", value.replace([':', '.'], "-"));
                let label_for = id.clone();
                view! {
                    <label class="field-check" for=label_for>
                        <input id=id type="checkbox" name=name value=value.clone()
                            prop:checked=move || on.get()
                            on:change=move |ev| on.set(event_target_checked(&ev)) />
                        <code>{value}</code>
                    </label>
                }
            }).collect_view()}
            <super::FieldErrorText id=format!("field-{name}-error") msg=error />
        </fieldset>
    }
}
