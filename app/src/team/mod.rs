//! Team results in the Mini App: what a manager or admin sees of the people they may see
//! (`visible_people`): the latest results, and one person's certifications and attempts. The
//! buttons of result notifications open these pages.

pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;

use crate::domain::UserId;
use crate::error::AppError;
use crate::paging::Page;
use leptos::prelude::*;

pub use crate::model::team::*;

#[server(prefix = "/api", endpoint = "app/team", output = crate::codec::Json)]
pub async fn team_results(page: i64) -> Result<Page<TeamResult>, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::member().await?;
            service::recent(&guard::state(), &actor, page).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "app/team/person", output = crate::codec::Json)]
pub async fn team_person(user_id: UserId) -> Result<TeamPersonView, AppError> {
    crate::auth::guard::respond(
        async {
            let actor = crate::auth::guard::member().await?;
            service::person(&crate::auth::guard::state(), &actor, user_id).await
        }
        .await,
    )
}
