//! The admin's preview: the theory pages and the test as an employee sees them, without an
//! attempt (answers are kept in the page only).

use crate::domain::CertId;
use crate::error::AppError;
use crate::i18n::{Msg, use_lang, use_t};
use crate::miniapp::content::{BlockContent, Materials, QuestionCard};
use crate::taking::preview_certification;
use crate::ui::{ErrorNotice, Spinner};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn PreviewPage() -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .map(CertId)
    };
    let data = Resource::new(id, |id| async move {
        match id {
            Some(id) => preview_certification(id).await,
            None => Err(AppError::NotFound),
        }
    });
    let page = RwSignal::new(0usize);
    view! {
        <p>{move || id().map(|id| view! { <a href=format!("/admin/certifications/{id}")>{t(Msg::BackToEditor)}</a> })}</p>
        <h1>{t(Msg::Preview)}</h1>
        <p class="hint">{t(Msg::PreviewHint)}</p>
        <Suspense fallback=|| view! { <Spinner /> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                    Ok(d) => {
                        let blocks = StoredValue::new(d.blocks.clone());
                        let total = d.blocks.len();
                        let answers = RwSignal::new(vec![None::<Vec<u32>>; d.questions.len()]);
                        view! {
                            <div class="phone-frame" data-testid="preview">
                                <div class="miniapp">
                                    <p class="muted small">{d.title.clone()}</p>
                                    <p class="page-count">{move || Msg::PageOf.with(lang, &[("n", &(page.get() + 1).to_string()), ("total", &total.to_string())])}</p>
                                    <Materials materials=d.materials.clone() />
                                    {move || blocks.get_value().get(page.get()).cloned().map(|b| view! { <BlockContent block=b /> })}
                                    <nav class="theory-nav">
                                        <button type="button" class="btn btn-secondary" disabled=move || page.get() == 0
                                            on:click=move |_| page.update(|p| *p = p.saturating_sub(1))>{t(Msg::Back)}</button>
                                        <button type="button" class="btn btn-secondary" disabled=move || { page.get() + 1 >= total }
                                            on:click=move |_| page.update(|p| *p += 1)>{t(Msg::Next)}</button>
                                    </nav>
                                    <h2>{t(Msg::Questions)}</h2>
                                    {d.questions.into_iter().enumerate().map(|(i, q)| view! {
                                        <QuestionCard question=q
                                            answer=Signal::derive(move || answers.get().get(i).cloned().flatten())
                                            on_answer=Callback::new(move |v| answers.update(|a| a[i] = Some(v))) />
                                    }).collect_view()}
                                </div>
                            </div>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
