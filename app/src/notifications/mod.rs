//! Notifications in the bot: what employees, managers and admins are told, the settings and
//! the log in the admin panel, and each person's muted kinds. The consumer of domain events
//! and the clock-driven reminders queue messages in the Telegram outbox; the Telegram delivery
//! module (`server/src/telegram`) sends them within Telegram's limits.

pub mod pages;
pub mod texts;

#[cfg(feature = "ssr")]
pub mod consumer;
#[cfg(feature = "ssr")]
pub mod queue;
#[cfg(feature = "ssr")]
pub mod schedule;
#[cfg(feature = "ssr")]
pub mod service;

use crate::auth::Surface;
use crate::domain::notifications::{NotificationKind, NotificationSettings};
use crate::error::AppError;
use crate::paging::Page;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

pub use crate::model::notifications::*;

#[server(prefix = "/api", endpoint = "notifications/settings", output = crate::codec::Json)]
pub async fn notifications_admin() -> Result<NotificationsPageData, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            guard::module(crate::domain::permissions::Module::Settings).await?;
            service::admin_page(&guard::state(), guard::lang()).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "notifications/settings/save", input = Json, output = crate::codec::Json)]
pub async fn save_notification_settings(settings: NotificationSettings) -> Result<(), AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::module(crate::domain::permissions::Module::Settings).await?;
            service::save_settings(&guard::state(), &actor, settings, &guard::origin("admin")).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "notifications/log", output = crate::codec::Json)]
pub async fn notification_log(
    status: Option<String>,
    kind: Option<String>,
    page: i64,
) -> Result<Page<LogEntry>, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::module(crate::domain::permissions::Module::Settings).await?;
            service::log(&guard::state(), &actor, status, kind, page).await
        }
        .await,
    )
}

/// Queues a failed, dead or unreachable message again.
#[server(prefix = "/api", endpoint = "notifications/resend", output = crate::codec::Json)]
pub async fn resend_notification(id: i64) -> Result<(), AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::module(crate::domain::permissions::Module::Settings).await?;
            service::resend(&guard::state(), &actor, id, &guard::origin("admin")).await
        }
        .await,
    )
}

/// The person signed in on `surface`.
#[cfg(feature = "ssr")]
async fn person(surface: Surface) -> Result<crate::domain::actor::Actor, AppError> {
    use crate::auth::guard;
    match surface {
        Surface::Admin => guard::admin().await,
        Surface::MiniApp => guard::member().await,
    }
}

/// The signed-in person's notification kinds (from the Mini App or the admin panel).
#[server(prefix = "/api", endpoint = "notifications/mine", output = crate::codec::Json)]
pub async fn my_notifications(surface: Surface) -> Result<MyNotificationKinds, AppError> {
    crate::auth::guard::respond(
        async {
            let actor = person(surface).await?;
            service::mine(&crate::auth::guard::state(), &actor).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "notifications/mine/save", input = Json, output = crate::codec::Json)]
pub async fn save_my_notifications(
    surface: Surface,
    muted: Vec<NotificationKind>,
) -> Result<(), AppError> {
    crate::auth::guard::respond(
        async {
            let actor = person(surface).await?;
            let origin = crate::auth::guard::origin(surface.as_str());
            service::save_mine(&crate::auth::guard::state(), &actor, muted, &origin).await
        }
        .await,
    )
}
