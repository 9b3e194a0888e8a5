use crate::i18n::{Msg, use_lang, use_t};
use leptos::prelude::*;

/// Previous / next with "page N of M".
#[component]
pub fn Pagination(page: RwSignal<i64>, #[prop(into)] pages: Signal<i64>) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    view! {
        <nav class="pagination" aria-label=t(Msg::Pagination)>
            <button
                type="button"
                class="btn btn-secondary"
                disabled=move || { page.get() <= 1 }
                on:click=move |_| page.update(|p| *p = (*p - 1).max(1))
            >
                {t(Msg::PrevPage)}
            </button>
            <span aria-live="polite">
                {move || Msg::PageNofM.with(lang, &[("n", &page.get().to_string()), ("m", &pages.get().to_string())])}
            </span>
            <button
                type="button"
                class="btn btn-secondary"
                disabled=move || { page.get() >= pages.get() }
                on:click=move |_| page.update(|p| *p += 1)
            >
                {t(Msg::NextPage)}
            </button>
        </nav>
    }
}
