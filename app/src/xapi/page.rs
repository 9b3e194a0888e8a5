//! The xAPI section of `/admin/webhooks`: switch, endpoint, Basic credentials (the password is
//! write-only) and how sending goes.

use super::{SaveXapiSettings, XapiForm, load_xapi_settings};
use crate::error::AppError;
use crate::i18n::{Msg, use_t};
use crate::ui::{BoundText, Button, ErrorNotice, Spinner, Submit};
use leptos::prelude::*;

#[component]
pub fn XapiSection() -> impl IntoView {
    let t = use_t();
    let reload = RwSignal::new(0u32);
    let view_data = Resource::new(move || reload.get(), |_| load_xapi_settings());
    // Outside the Suspense: the reload after a save must not drop the note.
    let saved = RwSignal::new(false);
    let saving = Submit::<SaveXapiSettings>::new()
        .done(move |_| {
            saved.set(true);
            reload.update(|n| *n += 1);
        })
        .failed(move |_| saved.set(false));
    let (error, busy) = (saving.error(), saving.busy());
    view! {
        <section class="card section" aria-labelledby="xapi-h" data-testid="xapi">
            <h2 id="xapi-h">{t(Msg::XapiTitle)}</h2>
            <p class="hint">{t(Msg::XapiIntro)}</p>
            <Suspense fallback=|| view! { <Spinner /> }>
                {move || Suspend::new(async move {
                    match view_data.await {
                        Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                        Ok(v) => {
                            let enabled = RwSignal::new(v.enabled);
                            let endpoint = RwSignal::new(v.endpoint.clone());
                            let username = RwSignal::new(v.username.clone());
                            let password = RwSignal::new(String::new());
                            let submit = move || {
                                let typed = password.get_untracked();
                                let form = XapiForm {
                                    enabled: enabled.get_untracked(),
                                    endpoint: endpoint.get_untracked(),
                                    username: username.get_untracked(),
                                    password: (!typed.is_empty()).then_some(typed),
                                };
                                saving.run(SaveXapiSettings { form });
                            };
                            let err = error;
                            let kept = v.password_set.then(|| t(Msg::XapiPasswordKept));
                            view! {
                                <form on:submit=move |ev| { ev.prevent_default(); submit(); } data-testid="xapi-form">
                                    <label class="field-check" for="xapi-enabled">
                                        <input id="xapi-enabled" type="checkbox" prop:checked=move || enabled.get()
                                            on:change=move |ev| enabled.set(event_target_checked(&ev)) />
                                        {t(Msg::XapiEnabled)}
                                    </label>
                                    <BoundText name="endpoint" label=Msg::XapiEndpoint value=endpoint input_type="url" error=err />
                                    <BoundText name="username" label=Msg::XapiUsername value=username error=err />
                                    <BoundText name="password" label=Msg::XapiPassword value=password input_type="password" error=err />
                                    {kept.map(|k| view! { <p class="hint" data-testid="xapi-password-kept">{k}</p> })}
                                    <ErrorNotice error=Signal::derive(move || error.get().filter(|e| !matches!(e, AppError::Invalid { .. }))) />
                                    <Show when=move || saved.get()>
                                        <p class="notice" role="status">{t(Msg::Saved)}</p>
                                    </Show>
                                    <Button submit=true busy=busy test_id="xapi-save">{t(Msg::Save)}</Button>
                                </form>
                                <p data-testid="xapi-status">
                                    {t(Msg::XapiDelivered)} ": " {v.delivered} " · "
                                    {t(Msg::WebhookPendingCount)} ": " {v.pending} " · "
                                    {t(Msg::WebhookDeadCount)} ": " {v.dead}
                                    {v.last_error.clone().map(|e| format!(" · {}: {e}", t(Msg::WebhookLastError)))}
                                </p>
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}
