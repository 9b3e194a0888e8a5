//! The admin panel shell: sign-in page, sidebar with the modules the user may open, account
//! menu (profile, sign out).

pub mod routes;

use crate::auth::api::{AdminSignIn, current_admin, sign_out};
use crate::auth::{AdminMe, Surface};
use crate::domain::permissions::Module;
use crate::i18n::{Msg, use_lang, use_t};
use crate::ui::{Button, ErrorNotice, Spinner, TextField};
use leptos::prelude::*;
use leptos_router::components::{A, Outlet, Redirect};
use leptos_router::hooks::use_navigate;

/// The signed-in admin-panel user, loaded once by the layout and read by pages inside their own
/// `Suspense`. (Resources are created outside Suspense bodies: a layout that renders its
/// `Outlet` inside a Suspense would re-create the pages' resources on every pass.)
#[derive(Clone, Copy)]
pub struct AdminCtx(pub Resource<Result<Option<AdminMe>, crate::error::AppError>>);

pub fn use_admin() -> AdminCtx {
    expect_context::<AdminCtx>()
}

impl AdminCtx {
    /// The signed-in user, for use inside `Suspend`.
    pub async fn me(self) -> Option<AdminMe> {
        self.0.await.ok().flatten()
    }
}

/// What an admin page is called, from its path (the browser tab says it, then the product).
pub fn page_title(path: &str) -> Msg {
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').skip(2).collect();
    match parts.as_slice() {
        [] => Msg::AdminHome,
        ["profile"] => Msg::Profile,
        ["certifications"] => Msg::ModuleCertifications,
        ["certifications", _] => Msg::TitleCertEditor,
        ["certifications", _, "preview"] => Msg::Preview,
        ["certifications", _, "results"] => Msg::Results,
        ["compliance"] => Msg::ComplianceTitle,
        ["attempts", _] => Msg::AttemptRecordLink,
        ["questions"] => Msg::ModuleQuestionBank,
        ["questions", _] => Msg::TitleQuestion,
        ["users"] => Msg::ModuleUsers,
        ["users", "dictionaries"] => Msg::Dictionaries,
        ["users", _] => Msg::TitleUserCard,
        ["gamification"] => Msg::ModuleGamification,
        ["audit"] => Msg::ModuleAuditLog,
        ["api-keys"] => Msg::ModuleApiKeys,
        ["webhooks"] => Msg::WebhooksTitle,
        ["settings"] => Msg::ModuleSettings,
        _ => Msg::AdminPanel,
    }
}

#[component]
pub fn AdminLayout() -> impl IntoView {
    let ctx = AdminCtx(Resource::new(|| (), |_| current_admin()));
    provide_context(ctx);
    let t = use_t();
    let location = leptos_router::hooks::use_location();
    let title = move || {
        format!(
            "{} — {}",
            t(page_title(&location.pathname.get())),
            t(Msg::AppName)
        )
    };
    view! {
        <leptos_meta::Title text=title />
        <div class="admin">
            <aside class="sidebar">
                <a class="brand" href="/admin">{t(Msg::AdminPanel)}</a>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        match ctx.me().await {
                            Some(me) => view! { <Sidebar me /> }.into_any(),
                            None => view! { <Redirect path="/admin/login" /> }.into_any(),
                        }
                    })}
                </Suspense>
            </aside>
            <main class="admin-main">
                <Outlet />
            </main>
        </div>
    }
}

#[component]
fn Sidebar(me: AdminMe) -> impl IntoView {
    let t = use_t();
    let modules: Vec<Module> = me.modules.iter().collect();
    let admin = me.user.role == crate::domain::user::Role::Admin;
    view! {
        <nav aria-label=t(Msg::AdminPanel)>
            <ul data-testid="sidebar-modules">
                <li><A href="/admin" exact=true>{t(Msg::AdminHome)}</A></li>
                {modules
                    .into_iter()
                    .map(|m| view! {
                        <li><A href=m.path() attr:data-module=m.as_str()>{t(m.label())}</A></li>
                        {m.subpages().iter().filter(|(_, _, only)| admin || !only).map(|(path, label, _)| view! {
                            <li class="sidebar-sub"><A href=*path>{t(*label)}</A></li>
                        }).collect_view()}
                    })
                    .collect_view()}
            </ul>
        </nav>
        <AccountMenu name=me.user.full_name() photo=me.user.photo_url.clone() />
    }
}

/// The sidebar button with a small popup menu: Profile and Sign out.
#[component]
fn AccountMenu(name: String, photo: Option<String>) -> impl IntoView {
    let t = use_t();
    let open = RwSignal::new(false);
    let navigate = use_navigate();
    let sign_out_action = Action::new(|_: &()| sign_out(Surface::Admin));
    Effect::new(move |_| {
        if let Some(Ok(())) = sign_out_action.value().get() {
            // A full load drops every cached view of the signed-out user.
            #[cfg(feature = "hydrate")]
            let _ = window().location().set_href("/admin/login");
        }
    });
    let go_profile = move |_| {
        open.set(false);
        navigate("/admin/profile", Default::default());
    };
    view! {
        <div class="account">
            <button
                type="button"
                class="account-button"
                aria-haspopup="menu"
                aria-expanded=move || open.get().to_string()
                title=t(Msg::AccountMenu)
                data-testid="account-button"
                on:click=move |_| open.update(|o| *o = !*o)
            >
                {photo.map(|src| view! { <img class="avatar-sm" src=src alt="" /> })}
                <span>{name}</span>
            </button>
            <Show when=move || open.get()>
                <div
                    class="menu"
                    role="menu"
                    data-testid="account-menu"
                    on:keydown=move |ev| {
                        if ev.key() == "Escape" {
                            open.set(false);
                        }
                    }
                >
                    <button type="button" role="menuitem" on:click=go_profile.clone()>
                        {t(Msg::Profile)}
                    </button>
                    <button
                        type="button"
                        role="menuitem"
                        data-testid="sign-out"
                        on:click=move |_| {
                            sign_out_action.dispatch(());
                        }
                    >
                        {t(Msg::SignOut)}
                    </button>
                </div>
            </Show>
        </div>
    }
}

#[component]
pub fn AdminLogin() -> impl IntoView {
    let t = use_t();
    let action = ServerAction::<AdminSignIn>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            #[cfg(feature = "hydrate")]
            let _ = window().location().set_href("/admin");
        }
    });
    view! {
        <leptos_meta::Title text=format!("{} — {}", t(Msg::LoginTitle), t(Msg::AppName)) />
        <main class="page-center">
            <section class="card login-card">
                <p class="login-product">{t(Msg::AppName)}</p>
                <h1>{t(Msg::LoginTitle)}</h1>
                <ActionForm action>
                    <TextField name="login" label=Msg::LoginField autocomplete="username" required=true />
                    <TextField
                        name="password"
                        label=Msg::PasswordField
                        input_type="password"
                        autocomplete="current-password"
                        required=true
                    />
                    <ErrorNotice error />
                    <Button submit=true busy=action.pending() test_id="sign-in">
                        {t(Msg::SignIn)}
                    </Button>
                </ActionForm>
            </section>
        </main>
    }
}

#[component]
pub fn AdminDashboard() -> impl IntoView {
    let t = use_t();
    let lang = use_lang();
    let ctx = use_admin();
    view! {
        <Suspense fallback=|| view! { <Spinner /> }>
            {move || Suspend::new(async move {
                ctx.me().await.map(|me| {
                    let empty = me.modules.iter().next().is_none();
                    view! {
                        <h1>{Msg::AdminWelcome.with(lang, &[("name", &me.user.full_name())])}</h1>
                        // The sidebar lists the sections; the home is the dashboard.
                        {empty.then(|| view! { <p>{t(Msg::AdminNoModules)}</p> })}
                    }
                })
            })}
        </Suspense>
        // Its own resource, outside the Suspense above (a resource made inside another's
        // Suspend would be created twice on the server).
        <crate::dashboard::page::DashboardSection />
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_admin_path_has_a_page_name() {
        assert_eq!(page_title("/admin"), Msg::AdminHome);
        assert_eq!(page_title("/admin/"), Msg::AdminHome);
        assert_eq!(page_title("/admin/certifications/7/results"), Msg::Results);
        assert_eq!(page_title("/admin/users/dictionaries"), Msg::Dictionaries);
        assert_eq!(page_title("/admin/users/12"), Msg::TitleUserCard);
        assert_eq!(page_title("/admin/nowhere/at/all"), Msg::AdminPanel);
    }
}
