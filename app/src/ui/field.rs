use crate::error::AppError;
use crate::i18n::{Msg, use_t};
use leptos::prelude::*;

/// A labelled text input with its error message, linked for screen readers.
#[component]
pub fn TextField(
    /// Form field name (also the key of server-side field errors).
    name: &'static str,
    label: Msg,
    #[prop(into, optional)] value: Signal<String>,
    #[prop(optional)] input_type: Option<&'static str>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(optional)] maxlength: Option<usize>,
    /// The last server error; its message for this field is shown under the input.
    #[prop(into, optional)]
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let t = use_t();
    let id = format!("field-{name}");
    let err_id = format!("{id}-error");
    let field_error = move || error.get().and_then(|e| e.field(name));
    view! {
        <div class="field" class:field-invalid=move || field_error().is_some()>
            <label for=id.clone()>{t(label)}</label>
            <input
                id=id
                name=name
                type=input_type.unwrap_or("text")
                autocomplete=autocomplete
                required=required
                maxlength=maxlength
                prop:value=move || value.get()
                aria-invalid=move || field_error().map(|_| "true")
                aria-describedby=err_id.clone()
            />
            <FieldErrorText id=err_id msg=Signal::derive(field_error) />
        </div>
    }
}

/// The error text under a field (empty when there is no error, so the layout does not jump).
#[component]
pub fn FieldErrorText(id: String, #[prop(into)] msg: Signal<Option<Msg>>) -> impl IntoView {
    let t = use_t();
    view! {
        <p class="field-error" id=id role="alert">
            {move || msg.get().map(t)}
        </p>
    }
}
