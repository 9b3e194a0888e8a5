//! Development sign-in: pick a demo user without Telegram or password. The server refuses it
//! unless the configuration enables it (dev mode).

use crate::auth::Surface;
use crate::auth::api::{dev_sign_in, dev_users};
use crate::i18n::{Msg, use_lang, use_t};
use crate::ui::{ErrorNotice, Spinner};
use leptos::prelude::*;

#[component]
pub fn DevSignIn() -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let users = Resource::new(|| (), |_| dev_users());
    let sign_in = Action::new(|(id, surface): &(crate::domain::UserId, Surface)| {
        let (id, surface) = (*id, *surface);
        async move { dev_sign_in(id, surface).await.map(|_| surface) }
    });
    let error = Signal::derive(move || sign_in.value().get().and_then(|r| r.err()));
    Effect::new(move |_| {
        if let Some(Ok(surface)) = sign_in.value().get() {
            let target = match surface {
                Surface::MiniApp => "/app",
                Surface::Admin => "/admin",
            };
            #[cfg(feature = "hydrate")]
            let _ = window().location().set_href(target);
            let _ = target;
        }
    });
    view! {
        <main class="page-center">
            <section class="card">
                <h1>{t(Msg::DevSignInTitle)}</h1>
                <p class="muted">{t(Msg::DevSignInHint)}</p>
                <ErrorNotice error />
                <Suspense fallback=|| view! { <Spinner /> }>
                    {move || Suspend::new(async move {
                        match users.await {
                            Ok(list) => view! {
                                <ul class="dev-users">
                                    {list.into_iter().map(|u| {
                                        let label = Msg::DevSignInAs.with(lang, &[("name", &u.name)]);
                                        let id = u.id;
                                        view! {
                                            <li>
                                                <span>{label}" · "{u.role.label().text(lang)}</span>
                                                <button type="button" class="btn btn-secondary"
                                                    on:click=move |_| { sign_in.dispatch((id, Surface::MiniApp)); }>
                                                    "Mini App"
                                                </button>
                                                {u.has_admin_access.then(|| view! {
                                                    <button type="button" class="btn btn-secondary"
                                                        on:click=move |_| { sign_in.dispatch((id, Surface::Admin)); }>
                                                        {t(Msg::AdminPanel)}
                                                    </button>
                                                })}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any(),
                            Err(e) => view! { <p class="notice notice-error" role="alert">{e.message(lang)}</p> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
        </main>
    }
}
