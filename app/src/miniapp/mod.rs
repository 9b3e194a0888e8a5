//! The Mini App: what employees see inside Telegram.

pub mod content;
pub mod pages;
pub mod routes;
pub mod telegram;
pub mod test_page;
pub mod visibility;

pub use pages::{CertEntry, MiniAppHome, ResultPage, TheoryPage};
pub use test_page::TestPage;

use crate::auth::api::{current_member, telegram_sign_in};
use crate::domain::user::{User, UserStatus};
use crate::error::AppError;
use crate::i18n::{Msg, use_lang, use_t};
use crate::taking::AttemptScreen;
use crate::ui::Spinner;
use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};

/// The Mini App's session, shared by the layout and the pages.
///
/// `member` is loaded from the session cookie (so the server renders a returning user at
/// once) and reloaded when the browser's Telegram sign-in changes who is signed in. Pages
/// create their own resources keyed on [`MiniCtx::version`] and read them inside their own
/// `Suspense`; the layout never wraps the `Outlet` in one.
#[derive(Clone, Copy)]
pub struct MiniCtx {
    pub member: Resource<Result<Option<User>, AppError>>,
    /// Bumped when a sign-in in the browser changed the session.
    pub version: RwSignal<u32>,
    /// Why the Telegram sign-in failed, if it did and no session is left to fall back on.
    pub failure: RwSignal<Option<AppError>>,
    /// Opened without Telegram's launch data.
    pub outside_telegram: RwSignal<bool>,
    /// The test screen a start just returned, for the test page it navigates to (taken once).
    pub started: StoredValue<Option<AttemptScreen>>,
}

pub fn use_mini() -> MiniCtx {
    expect_context::<MiniCtx>()
}

impl MiniCtx {
    /// The signed-in, active member (read inside `Suspend`).
    pub async fn active_member(self) -> Option<User> {
        self.member
            .await
            .ok()
            .flatten()
            .filter(|u| u.status == UserStatus::Active)
    }
}

/// Signs in with Telegram's initData once the page is live, and shows the state of the
/// session (signing in, failed, waiting for access, deactivated) above the pages.
#[component]
pub fn MiniAppLayout() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let ctx = MiniCtx {
        member: Resource::new(move || version.get(), |_| current_member()),
        version,
        failure: RwSignal::new(None),
        outside_telegram: RwSignal::new(false),
        started: StoredValue::new(None),
    };
    provide_context(ctx);

    // A link into a section (`startapp=<token>` in initData, or the bot's `?start=<token>`)
    // opens it once the person is signed in.
    let query = use_query_map();
    let navigate = use_navigate();
    let location = use_location();
    let follow_link = move |init_data: Option<&str>| {
        let token = init_data
            .and_then(telegram::start_param)
            .or_else(|| query.get_untracked().get("start"))
            .or_else(|| query.get_untracked().get("startapp"))
            .filter(|t| crate::links::plausible_token(t));
        let at_home = location.pathname.get_untracked().trim_end_matches('/') == "/app";
        if let Some(token) = token.filter(|_| at_home) {
            navigate(&format!("/app/go/{token}"), Default::default());
        }
    };

    // Runs in the browser only, once, after hydration.
    Effect::new(move |prev: Option<()>| {
        if prev.is_some() {
            return;
        }
        telegram::start();
        routes::prefetch_next_steps();
        let init_data = telegram::init_data();
        let follow_link = follow_link.clone();
        leptos::task::spawn_local(async move {
            let existing = ctx.member.await.ok().flatten();
            let Some(init_data) = init_data else {
                ctx.outside_telegram.set(existing.is_none());
                if existing.is_some() {
                    follow_link(None);
                }
                return;
            };
            let same_person =
                |u: &User| u.telegram_id.map(|t| t.0) == telegram::unsafe_user_id(&init_data);
            match telegram_sign_in(init_data.clone()).await {
                Ok(user) => {
                    if existing.as_ref() != Some(&user) {
                        ctx.version.update(|v| *v += 1);
                    }
                    follow_link(Some(&init_data));
                }
                // A stale launch (e.g. a reload a day later) keeps the session of the same person.
                Err(_) if existing.as_ref().is_some_and(same_person) => {
                    follow_link(Some(&init_data));
                }
                Err(e) => ctx.failure.set(Some(e)),
            }
        });
    });

    Effect::new(move |_| {
        let path = location.pathname.get();
        telegram::set_back_button(path.trim_end_matches('/') != "/app");
    });

    view! {
        <div class="miniapp">
            <Suspense fallback=|| view! { <Spinner label=Msg::MiniSigningIn /> }>
                {move || {
                    let failure = ctx.failure.get();
                    let outside = ctx.outside_telegram.get();
                    Suspend::new(async move {
                        let member = ctx.member.await.ok().flatten();
                        view! { <Gate member failure outside /> }
                    })
                }}
            </Suspense>
            <Outlet />
        </div>
    }
}

/// Everything but an active member's pages: the screens of the sign-in states.
#[component]
fn Gate(member: Option<User>, failure: Option<AppError>, outside: bool) -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    if let Some(e) = failure {
        return view! {
            <section class="screen screen-error" data-testid="auth-error">
                <h1>{t(Msg::MiniAuthErrorTitle)}</h1>
                <p>{e.message(lang)}</p>
            </section>
        }
        .into_any();
    }
    match member.map(|u| u.status) {
        None if outside => view! {
            <section class="screen" data-testid="outside-telegram">
                <h1>{t(Msg::AppName)}</h1>
                <p>{t(Msg::MiniOpenInTelegram)}</p>
            </section>
        }
        .into_any(),
        None => view! { <Spinner label=Msg::MiniSigningIn /> }.into_any(),
        Some(UserStatus::Active) => ().into_any(),
        Some(UserStatus::Pending) => view! {
            <section class="screen" data-testid="pending">
                <h1>{t(Msg::MiniPendingTitle)}</h1>
                <p>{t(Msg::MiniPendingText)}</p>
            </section>
        }
        .into_any(),
        Some(UserStatus::Deactivated) => view! {
            <section class="screen" data-testid="deactivated">
                <h1>{t(Msg::MiniDeactivatedTitle)}</h1>
                <p>{t(Msg::MiniDeactivatedText)}</p>
            </section>
        }
        .into_any(),
    }
}
