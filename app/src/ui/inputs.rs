//! Form controls beyond the text field: text area, number, checkbox, date-time.

use crate::error::AppError;
use crate::i18n::{Msg, use_t};
use crate::ui::FieldErrorText;
use leptos::prelude::*;

fn field_error(error: Signal<Option<AppError>>, name: &'static str) -> Signal<Option<Msg>> {
    Signal::derive(move || error.get().and_then(|e| e.field(name)))
}

/// A number input bound to a signal. The field is named for its server-side errors.
#[component]
pub fn NumberField(
    name: &'static str,
    label: Msg,
    value: RwSignal<i64>,
    #[prop(optional)] min: Option<i64>,
    #[prop(optional)] max: Option<i64>,
    #[prop(into, optional)] disabled: Signal<bool>,
    #[prop(into, optional)] error: Signal<Option<AppError>>,
    #[prop(optional)] hint: Option<Msg>,
) -> impl IntoView {
    let t = use_t();
    let id = format!("field-{name}");
    let err_id = format!("{id}-error");
    let msg = field_error(error, name);
    view! {
        <div class="field" class:field-invalid=move || msg.get().is_some()>
            <label for=id.clone()>{t(label)}</label>
            <input
                id=id
                name=name
                type="number"
                inputmode="numeric"
                min=min
                max=max
                disabled=move || disabled.get()
                prop:value=move || value.get().to_string()
                aria-invalid=move || msg.get().map(|_| "true")
                aria-describedby=err_id.clone()
                on:input=move |ev| {
                    if let Ok(v) = event_target_value(&ev).trim().parse::<i64>() {
                        value.set(v);
                    }
                }
            />
            {hint.map(|h| view! { <p class="hint">{t(h)}</p> })}
            <FieldErrorText id=err_id msg=msg />
        </div>
    }
}

#[component]
pub fn Checkbox(
    name: &'static str,
    label: Msg,
    checked: RwSignal<bool>,
    #[prop(into, optional)] disabled: Signal<bool>,
    #[prop(into, optional)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    let t = use_t();
    let id = format!("check-{name}");
    let err_id = format!("{id}-error");
    let msg = field_error(error, name);
    view! {
        <div class="field field-check">
            <label for=id.clone()>
                <input
                    id=id.clone()
                    name=name
                    type="checkbox"
                    disabled=move || disabled.get()
                    prop:checked=move || checked.get()
                    aria-describedby=err_id.clone()
                    on:change=move |ev| checked.set(event_target_checked(&ev))
                />
                <span>{t(label)}</span>
            </label>
            <FieldErrorText id=err_id msg=msg />
        </div>
    }
}

/// A text input bound to a signal (for forms that are not `ActionForm`s).
#[component]
pub fn BoundText(
    name: &'static str,
    label: Msg,
    value: RwSignal<String>,
    #[prop(optional)] input_type: Option<&'static str>,
    #[prop(optional)] maxlength: Option<usize>,
    #[prop(optional)] required: bool,
    #[prop(into, optional)] disabled: Signal<bool>,
    #[prop(into, optional)] error: Signal<Option<AppError>>,
    #[prop(optional)] placeholder: Option<&'static str>,
) -> impl IntoView {
    let t = use_t();
    let id = format!("field-{name}");
    let err_id = format!("{id}-error");
    let msg = field_error(error, name);
    view! {
        <div class="field" class:field-invalid=move || msg.get().is_some()>
            <label for=id.clone()>{t(label)}</label>
            <input
                id=id
                name=name
                type=input_type.unwrap_or("text")
                maxlength=maxlength
                required=required
                placeholder=placeholder
                disabled=move || disabled.get()
                prop:value=move || value.get()
                aria-invalid=move || msg.get().map(|_| "true")
                aria-describedby=err_id.clone()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
            <FieldErrorText id=err_id msg=msg />
        </div>
    }
}

#[component]
pub fn TextArea(
    name: &'static str,
    label: Msg,
    value: RwSignal<String>,
    #[prop(optional)] rows: Option<u32>,
    #[prop(into, optional)] disabled: Signal<bool>,
    #[prop(into, optional)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    let t = use_t();
    let id = format!("field-{name}");
    let err_id = format!("{id}-error");
    let msg = field_error(error, name);
    view! {
        <div class="field" class:field-invalid=move || msg.get().is_some()>
            <label for=id.clone()>{t(label)}</label>
            <textarea
                id=id
                name=name
                rows=rows.unwrap_or(4)
                disabled=move || disabled.get()
                prop:value=move || value.get()
                aria-describedby=err_id.clone()
                on:input=move |ev| value.set(event_target_value(&ev))
            ></textarea>
            <FieldErrorText id=err_id msg=msg />
        </div>
    }
}
