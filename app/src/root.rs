//! The HTML shell and the route table: the Mini App under `/app`, the admin panel under
//! `/admin`. Telegram passes its launch parameters in the URL hash, so routing uses paths only.

use crate::admin::routes::*;
use crate::i18n::{Lang, Msg, provide_lang, use_t};
use crate::links::page::GoPage;
use crate::miniapp::routes::*;
use crate::miniapp::{CertEntry, MiniAppHome, MiniAppLayout, TheoryPage};
use crate::ui::{Toaster, provide_toasts};
use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::{Lazy, path};

/// The document around the app (rendered on the server only).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    security_headers();
    let lang = request_lang();
    let offset = page_offset();
    let telegram_js = telegram_script_for_request();
    let texts = page_texts_for_request(lang);
    view! {
        <!DOCTYPE html>
        <html lang=lang.code() data-utc-offset=offset.to_string()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
                <meta name="color-scheme" content="light dark" />
                {telegram_js.map(|src| view! { <script src=src></script> })}
                // Before the hydration script: deferred scripts run in document order.
                <script defer src=texts></script>
                <HashedStylesheet options=options.clone() id="leptos" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The Content-Security-Policy header of this page, with the nonce of its inline scripts.
#[cfg(feature = "ssr")]
fn security_headers() {
    let Some(opts) = use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    let path = use_context::<axum::http::request::Parts>()
        .map(|p| p.uri.path().to_owned())
        .unwrap_or_default();
    let script = use_context::<crate::state::AppState>()
        .and_then(|s| crate::csp::origin_of(&s.config.telegram_web_app_js));
    let nonce = leptos::nonce::use_nonce().map(|n| n.to_string());
    let policy = crate::csp::policy(&path, nonce.as_deref(), script.as_deref());
    if let Ok(v) = axum::http::HeaderValue::from_str(&policy) {
        opts.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, v);
    }
}

/// The language of this page: on the server from the `lang` cookie, in the browser from the
/// `lang` attribute the server wrote, so both render the same.
fn request_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        let cookie = use_context::<axum::http::request::Parts>().and_then(|p| {
            p.headers
                .get(axum::http::header::COOKIE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        });
        Lang::from_cookie_header(cookie.as_deref())
    }
    #[cfg(not(feature = "ssr"))]
    {
        document()
            .document_element()
            .and_then(|e| e.get_attribute("lang"))
            .and_then(|l| Lang::from_code(&l))
            .unwrap_or_default()
    }
}

/// The display time zone: from the configuration on the server, from the page in the browser.
fn page_offset() -> i32 {
    #[cfg(feature = "ssr")]
    {
        use_context::<crate::state::AppState>()
            .map(|s| s.config.display_utc_offset_minutes)
            .unwrap_or(180)
    }
    #[cfg(not(feature = "ssr"))]
    {
        document()
            .document_element()
            .and_then(|e| e.get_attribute("data-utc-offset"))
            .and_then(|v| v.parse().ok())
            .unwrap_or(180)
    }
}

/// The address of the texts this page carries (`i18n::page_texts`).
fn page_texts_for_request(lang: Lang) -> String {
    #[cfg(feature = "ssr")]
    {
        use crate::i18n::page_texts::{Surface, TextsScript};
        let path = use_context::<axum::http::request::Parts>()
            .map(|p| p.uri.path().to_owned())
            .unwrap_or_default();
        TextsScript::for_page(lang, Surface::of_path(&path)).url()
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = lang;
        String::new()
    }
}

/// Telegram's script belongs to Mini App pages only, and tests leave it out.
fn telegram_script_for_request() -> Option<String> {
    #[cfg(feature = "ssr")]
    {
        let path = use_context::<axum::http::request::Parts>().map(|p| p.uri.path().to_owned())?;
        let src = use_context::<crate::state::AppState>()?
            .config
            .telegram_web_app_js
            .clone();
        (path.starts_with("/app") && !src.is_empty()).then_some(src)
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_lang(request_lang());
    provide_context(crate::i18n::UtcOffset(page_offset()));
    provide_toasts();
    let t = use_t();

    view! {
        <Title text=t(Msg::AppName) />
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=|| view! { <Redirect path="/app" /> } />
                <ParentRoute path=path!("/app") view=MiniAppLayout>
                    <Route path=path!("") view=MiniAppHome />
                    <Route path=path!("achievements") view={Lazy::<AchievementsRoute>::new()} />
                    <Route path=path!("rating") view={Lazy::<RatingRoute>::new()} />
                    <Route path=path!("u/:id") view={Lazy::<PersonAchievementsRoute>::new()} />
                    <Route path=path!("c/:id") view=CertEntry />
                    <Route path=path!("c/:id/theory/:n") view=TheoryPage />
                    <Route path=path!("c/:id/test") view={Lazy::<TestRoute>::new()} />
                    <Route path=path!("c/:id/result/:attempt") view={Lazy::<ResultRoute>::new()} />
                    <Route path=path!("c/:id/history") view={Lazy::<HistoryRoute>::new()} />
                    <Route path=path!("c/:id/review/:attempt") view={Lazy::<ReviewRoute>::new()} />
                    <Route path=path!("go/:token") view=GoPage />
                    <Route path=path!("team") view={Lazy::<TeamRoute>::new()} />
                    <Route path=path!("team/:id") view={Lazy::<TeamPersonRoute>::new()} />
                    <Route path=path!("settings") view={Lazy::<MiniSettingsRoute>::new()} />
                </ParentRoute>
                <Route path=path!("/admin/login") view={Lazy::<LoginRoute>::new()} />
                <ParentRoute path=path!("/admin") view={Lazy::<LayoutRoute>::new()}>
                    <Route path=path!("") view={Lazy::<DashboardRoute>::new()} />
                    <Route path=path!("profile") view={Lazy::<ProfileRoute>::new()} />
                    <Route path=path!("certifications") view={Lazy::<CertificationsRoute>::new()} />
                    <Route path=path!("compliance") view={Lazy::<ComplianceRoute>::new()} />
                    <Route path=path!("certifications/:id") view={Lazy::<CertEditorRoute>::new()} />
                    <Route path=path!("certifications/:id/preview") view={Lazy::<PreviewRoute>::new()} />
                    <Route path=path!("certifications/:id/results") view={Lazy::<ResultsRoute>::new()} />
                    <Route path=path!("attempts/:id") view={Lazy::<AttemptRecordRoute>::new()} />
                    <Route path=path!("questions") view={Lazy::<QuestionBankRoute>::new()} />
                    <Route path=path!("questions/new") view={Lazy::<QuestionEditorRoute>::new()} />
                    <Route path=path!("questions/:id") view={Lazy::<QuestionEditorRoute>::new()} />
                    <Route path=path!("users") view={Lazy::<UsersRoute>::new()} />
                    <Route path=path!("users/dictionaries") view={Lazy::<DictionariesRoute>::new()} />
                    <Route path=path!("users/:id") view={Lazy::<UserCardRoute>::new()} />
                    <Route path=path!("gamification") view={Lazy::<GamificationRoute>::new()} />
                    <Route path=path!("audit") view={Lazy::<AuditLogRoute>::new()} />
                    <Route path=path!("api-keys") view={Lazy::<ApiKeysRoute>::new()} />
                    <Route path=path!("webhooks") view={Lazy::<WebhooksRoute>::new()} />
                    <Route path=path!("settings") view={Lazy::<NotificationsRoute>::new()} />
                </ParentRoute>
                <Route path=path!("/dev") view={Lazy::<DevSignInRoute>::new()} />
            </Routes>
        </Router>
        <Toaster />
    }
}

/// A real 404: the status is set during server rendering.
#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    let t = use_t();
    view! {
        <main class="page-center">
            <h1>{t(Msg::NotFoundTitle)}</h1>
            <p>{t(Msg::NotFoundText)}</p>
        </main>
    }
}
