//! The admin panel's routes, each loaded on demand: built with `cargo leptos --split`, a
//! page's code (and what only admin pages use) is cut out of the main wasm into its own chunk,
//! fetched when the page is first shown, so the Mini App never downloads the admin panel.
//! Without `--split` they are ordinary routes.

use leptos::prelude::*;
use leptos_router::{LazyRoute, lazy_route};

/// A lazy route that renders one component and loads no data of its own (the page's
/// resources start when it renders, as they did before).
macro_rules! lazy_pages {
    ($($route:ident => $page:path),* $(,)?) => {$(
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page /> }.into_any()
            }
        }
    )*};
}

lazy_pages! {
    LayoutRoute => crate::admin::AdminLayout,
    LoginRoute => crate::admin::AdminLogin,
    DashboardRoute => crate::admin::AdminDashboard,
    ProfileRoute => crate::profile::page::ProfilePage,
    CertificationsRoute => crate::certifications::list::CertificationsPage,
    ComplianceRoute => crate::compliance::page::CompliancePage,
    CertEditorRoute => crate::certifications::editor::CertEditorPage,
    PreviewRoute => crate::certifications::preview::PreviewPage,
    ResultsRoute => crate::certifications::results::ResultsPage,
    AttemptRecordRoute => crate::certifications::attempt_record::AttemptRecordPage,
    QuestionBankRoute => crate::questions::page::QuestionBankPage,
    QuestionEditorRoute => crate::questions::page::QuestionEditorPage,
    UsersRoute => crate::users::list::UsersPage,
    DictionariesRoute => crate::users::list::DictionariesPage,
    UserCardRoute => crate::users::card::UserCardPage,
    GamificationRoute => crate::gamification::admin_page::GamificationPage,
    AuditLogRoute => crate::audit::page::AuditLogPage,
    ApiKeysRoute => crate::api_keys::page::ApiKeysPage,
    WebhooksRoute => crate::webhooks::page::WebhooksPage,
    NotificationsRoute => crate::notifications::pages::NotificationsPage,
}
