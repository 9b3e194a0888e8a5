//! `/app/go/<token>`: where a message's button lands. It resolves the token once signed in
//! and goes to the section, or says clearly why it cannot.

use super::{LinkResolution, resolve_link};
use crate::i18n::use_t;
use crate::miniapp::use_mini;
use crate::ui::{ErrorNotice, Spinner};
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_params_map;

#[component]
pub fn GoPage() -> impl IntoView {
    let t = use_t();
    let ctx = use_mini();
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let resolved = Resource::new(
        move || (token(), ctx.version.get()),
        |(token, _)| resolve_link(token),
    );
    view! {
        <Suspense fallback=|| view! { <Spinner /> }>
            {move || Suspend::new(async move {
                if ctx.active_member().await.is_none() {
                    return ().into_any();
                }
                match resolved.await {
                    Ok(LinkResolution::Go(path)) => view! { <Redirect path /> }.into_any(),
                    Ok(LinkResolution::Gone { msg, fallback }) => view! {
                        <section class="screen" data-testid="link-gone">
                            <h1>{t(crate::i18n::Msg::LinkGoneTitle)}</h1>
                            <p>{t(msg)}</p>
                            <a class="btn btn-primary" href=fallback>{t(crate::i18n::Msg::LinkGoOn)}</a>
                        </section>
                    }
                    .into_any(),
                    Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
