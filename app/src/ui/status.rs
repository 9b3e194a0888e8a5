use crate::error::AppError;
use crate::i18n::{Msg, use_lang, use_t};
use leptos::prelude::*;

#[component]
pub fn Spinner(#[prop(optional)] label: Option<Msg>) -> impl IntoView {
    let t = use_t();
    view! {
        <div class="spinner" role="status" aria-live="polite">
            <span class="spinner-dot" aria-hidden="true"></span>
            <span>{t(label.unwrap_or(Msg::Loading))}</span>
        </div>
    }
}

/// A translated error message for a failed request.
#[component]
pub fn ErrorNotice(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <Show when=move || error.get().is_some()>
            <div class="notice notice-error" role="alert" data-testid="error-notice">
                {move || error.get().map(|e| e.message(lang))}
            </div>
        </Show>
    }
}
