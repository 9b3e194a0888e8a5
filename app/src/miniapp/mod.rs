//! The Mini App: what employees see inside Telegram.

pub mod telegram;

use crate::auth::api::{current_member, telegram_sign_in};
use crate::domain::user::{User, UserStatus};
use crate::error::AppError;
use crate::i18n::{use_lang, use_t, Msg};
use crate::ui::Spinner;
use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::use_location;

/// Where the Mini App's sign-in stands.
#[derive(Debug, Clone, PartialEq)]
pub enum MiniSession {
    /// Waiting for the Telegram sign-in (also what the server renders without a session).
    SigningIn,
    SignedIn(User),
    Failed(AppError),
    /// Opened in a browser without Telegram's launch data and without a session.
    OutsideTelegram,
}

/// The signed-in Mini App user, for pages inside the layout.
pub fn use_member() -> Signal<Option<User>> {
    let session = expect_context::<RwSignal<MiniSession>>();
    Signal::derive(move || match session.get() {
        MiniSession::SignedIn(u) => Some(u),
        _ => None,
    })
}

/// Signs in with Telegram's initData once the page is live, then shows the page for the
/// user's status: waiting for access, deactivated, or the app itself.
#[component]
pub fn MiniAppLayout() -> impl IntoView {
    let session = RwSignal::new(MiniSession::SigningIn);
    provide_context(session);
    let member = Resource::new(|| (), |_| current_member());

    // Runs in the browser only, once, after hydration.
    Effect::new(move |prev: Option<()>| {
        if prev.is_some() {
            return;
        }
        telegram::start();
        let init_data = telegram::init_data();
        leptos::task::spawn_local(async move {
            let existing = member.await.ok().flatten();
            let Some(init_data) = init_data else {
                session.set(match existing {
                    Some(u) => MiniSession::SignedIn(u),
                    None => MiniSession::OutsideTelegram,
                });
                return;
            };
            match telegram_sign_in(init_data.clone()).await {
                Ok(user) => session.set(MiniSession::SignedIn(user)),
                // A stale launch (e.g. a reload a day later) keeps the session of the same person.
                Err(e) => session.set(match existing {
                    Some(u)
                        if u.telegram_id.map(|t| t.0)
                            == telegram::unsafe_user_id(&init_data) =>
                    {
                        MiniSession::SignedIn(u)
                    }
                    _ => MiniSession::Failed(e),
                }),
            }
        });
    });

    let location = use_location();
    Effect::new(move |_| {
        let path = location.pathname.get();
        telegram::set_back_button(path.trim_end_matches('/') != "/app");
    });

    view! {
        <div class="miniapp">
            <Suspense fallback=|| view! { <Spinner label=Msg::MiniSigningIn /> }>
                {move || {
                    let current = session.get();
                    Suspend::new(async move {
                        let state = match current {
                            // Before the browser signs in, render what the server knows.
                            MiniSession::SigningIn => match member.await {
                                Ok(Some(u)) => MiniSession::SignedIn(u),
                                _ => MiniSession::SigningIn,
                            },
                            other => other,
                        };
                        view! { <MiniScreen state /> }
                    })
                }}
            </Suspense>
        </div>
    }
}

#[component]
fn MiniScreen(state: MiniSession) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    match state {
        MiniSession::SigningIn => view! { <Spinner label=Msg::MiniSigningIn /> }.into_any(),
        MiniSession::Failed(e) => view! {
            <section class="screen screen-error" data-testid="auth-error">
                <h1>{t(Msg::MiniAuthErrorTitle)}</h1>
                <p>{e.message(lang)}</p>
            </section>
        }
        .into_any(),
        MiniSession::OutsideTelegram => view! {
            <section class="screen" data-testid="outside-telegram">
                <h1>{t(Msg::AppName)}</h1>
                <p>{t(Msg::MiniOpenInTelegram)}</p>
            </section>
        }
        .into_any(),
        MiniSession::SignedIn(user) => match user.status {
            UserStatus::Active => view! { <Outlet /> }.into_any(),
            UserStatus::Pending => view! {
                <section class="screen" data-testid="pending">
                    <h1>{t(Msg::MiniPendingTitle)}</h1>
                    <p>{t(Msg::MiniPendingText)}</p>
                </section>
            }
            .into_any(),
            UserStatus::Deactivated => view! {
                <section class="screen" data-testid="deactivated">
                    <h1>{t(Msg::MiniDeactivatedTitle)}</h1>
                    <p>{t(Msg::MiniDeactivatedText)}</p>
                </section>
            }
            .into_any(),
        },
    }
}

/// The Mini App's home page.
#[component]
pub fn MiniAppHome() -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let member = use_member();
    move || {
        member.get().map(|user| {
            let greeting = Msg::MiniGreeting.with(lang, &[("name", &user.full_name())]);
            let role = Msg::MiniYourRole.with(lang, &[("role", user.role.label().text(lang))]);
            view! {
                <header class="mini-header">
                    {user.photo_url.clone().map(|src| view! { <img class="avatar" src=src alt="" /> })}
                    <div>
                        <h1 data-testid="greeting">{greeting}</h1>
                        <p class="muted" data-testid="role">{role}</p>
                    </div>
                </header>
                <nav class="mini-sections">
                    <div class="card">{t(Msg::MiniMyCertifications)}<p class="muted">{t(Msg::MiniNothingYet)}</p></div>
                    <div class="card">{t(Msg::MiniAchievements)}<p class="muted">{t(Msg::MiniNothingYet)}</p></div>
                    <div class="card">{t(Msg::MiniRating)}<p class="muted">{t(Msg::MiniNothingYet)}</p></div>
                </nav>
            }
        })
    }
}
