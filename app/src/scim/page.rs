//! The SCIM section of `/admin/webhooks` (what `userName` maps to, where the endpoint is), and
//! the user card's invite link for people without a Telegram account.

use super::{
    MakeTelegramInvite, SaveScimSettings, ScimSettings, UserNameMapping, load_scim_settings,
};
use crate::domain::UserId;
use crate::i18n::{Msg, use_t};
use crate::ui::{Button, ErrorNotice, Spinner, Submit};
use leptos::prelude::*;

#[component]
pub fn ScimSection() -> impl IntoView {
    let t = use_t();
    let loaded = Resource::new(|| (), |_| load_scim_settings());
    let saved = RwSignal::new(false);
    let saving = Submit::<SaveScimSettings>::new()
        .done(move |_| saved.set(true))
        .failed(move |_| saved.set(false));
    let (error, busy) = (saving.error(), saving.busy());
    view! {
        <section class="card section" aria-labelledby="scim-h" data-testid="scim">
            <h2 id="scim-h">{t(Msg::ScimTitle)}</h2>
            <p class="hint">{t(Msg::ScimIntro)}</p>
            <Suspense fallback=|| view! { <Spinner /> }>
                {move || Suspend::new(async move {
                    match loaded.await {
                        Err(e) => view! { <ErrorNotice error=Signal::derive(move || Some(e.clone())) /> }.into_any(),
                        Ok(s) => {
                            let mapping = RwSignal::new(s.user_name);
                            let submit = move || {
                                let settings = ScimSettings { user_name: mapping.get_untracked() };
                                saving.run(SaveScimSettings { settings });
                            };
                            let choice = move |value: UserNameMapping, id: &'static str, label: Msg| view! {
                                <label class="field-check" for=id>
                                    <input id=id type="radio" name="scim-user-name"
                                        prop:checked=move || mapping.get() == value
                                        on:change=move |_| mapping.set(value) />
                                    {t(label)}
                                </label>
                            };
                            view! {
                                <form on:submit=move |ev| { ev.prevent_default(); submit(); } data-testid="scim-form">
                                    <fieldset>
                                        <legend>{t(Msg::ScimUserName)}</legend>
                                        {choice(UserNameMapping::Login, "scim-login", Msg::ScimUserNameLogin)}
                                        {choice(UserNameMapping::TelegramId, "scim-telegram", Msg::ScimUserNameTelegram)}
                                    </fieldset>
                                    <ErrorNotice error />
                                    <Show when=move || saved.get()>
                                        <p class="notice" role="status">{t(Msg::Saved)}</p>
                                    </Show>
                                    <Button submit=true busy=busy test_id="scim-save">{t(Msg::Save)}</Button>
                                </form>
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

/// For a person without a Telegram account: makes a one-time link to pass on.
#[component]
pub fn TelegramInvite(id: UserId) -> impl IntoView {
    let t = use_t();
    let invite = Submit::<MakeTelegramInvite>::new();
    let made = Signal::derive(move || invite.action.value().get().and_then(Result::ok));
    let make = move || invite.run(MakeTelegramInvite { id });
    view! {
        <div class="telegram-invite" data-testid="telegram-invite">
            <p class="hint">{t(Msg::InviteNotLinked)}</p>
            <Button busy=invite.busy() test_id="telegram-invite-make" on_click=Callback::new(move |_| make())>
                {t(Msg::InviteMake)}
            </Button>
            <ErrorNotice error=invite.error() />
            {move || made.get().map(|i| view! {
                <p class="notice" role="status">{t(Msg::InviteMade)}</p>
                <input class="mono" readonly aria-label=t(Msg::InviteLink) value=i.url.clone() data-testid="telegram-invite-url" />
            })}
        </div>
    }
}
