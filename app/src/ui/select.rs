use crate::i18n::{Msg, use_t};
use leptos::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectOption {
    pub value: String,
    pub label: String,
}

/// A native select (keyboard and screen-reader support come with it). In a form field the
/// placeholder is shown once: it is the hidden, disabled first option, never repeated among the
/// choices. A filter passes `all` instead: its "All …" is a real first choice (the empty value),
/// so the filter can always go back to it.
#[component]
pub fn Select(
    name: &'static str,
    label: Msg,
    #[prop(into)] options: Signal<Vec<SelectOption>>,
    /// The selected value; empty selects the placeholder.
    #[prop(into, optional)]
    value: Signal<String>,
    #[prop(optional)] required: bool,
    #[prop(optional, into)] on_change: Option<Callback<String>>,
    #[prop(optional)] placeholder: Option<Msg>,
    /// A filter's "All …" choice, selectable like any other.
    #[prop(optional)]
    all: Option<Msg>,
    #[prop(into, optional)] disabled: Signal<bool>,
) -> impl IntoView {
    let t = use_t();
    let id = format!("select-{name}");
    let placeholder = placeholder.unwrap_or(Msg::ChooseOption);
    view! {
        <div class="field">
            <label for=id.clone()>{t(label)}</label>
            <select
                id=id
                name=name
                required=required
                disabled=move || disabled.get()
                on:change=move |ev| {
                    if let Some(cb) = on_change {
                        cb.run(event_target_value(&ev));
                    }
                }
            >
                {match all {
                    Some(all) => view! {
                        <option value="" selected=move || value.get().is_empty()>{t(all)}</option>
                    }.into_any(),
                    None => view! {
                        <option value="" disabled=true hidden=true selected=move || value.get().is_empty()>
                            {t(placeholder)}
                        </option>
                    }.into_any(),
                }}
                <For
                    each=move || options.get()
                    key=|o| o.value.clone()
                    children=move |o| {
                        let v = o.value.clone();
                        view! {
                            <option value=o.value selected=move || value.get() == v>
                                {o.label}
                            </option>
                        }
                    }
                />
            </select>
        </div>
    }
}
