//! The admin home's live dashboard (certifications module, the actor's `visible_people`
//! scope): certifications open now with their pass rate and who has not passed, attempts in
//! progress, what is due within 3 days and what is overdue, attempts and passes per day over
//! 30 days, the branches with the highest and lowest pass rates, and the newest badges and
//! level-ups. It refreshes itself every
//! 30 s while visible.

pub mod page;
#[cfg(feature = "ssr")]
pub mod service;

use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

pub use crate::model::dashboard::*;

#[server(prefix = "/api", endpoint = "analytics/dashboard", input = GetUrl, output = crate::codec::Json)]
pub async fn load_dashboard() -> Result<Dashboard, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::module(crate::domain::permissions::Module::Certifications).await?;
            service::dashboard_of(&guard::state(), &actor.user).await
        }
        .await,
    )
}
