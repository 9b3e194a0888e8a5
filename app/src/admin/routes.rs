//! The admin panel's routes, each loaded on demand (`crate::lazy_pages`), so the Mini App never
//! downloads the admin panel.

use crate::lazy_pages::lazy_pages;

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
