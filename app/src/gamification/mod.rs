//! Points, levels, badges and the rating: what the Mini App shows and what the badges &
//! gamification module edits.

pub mod admin_page;
#[cfg(feature = "ssr")]
pub mod consumer;
#[cfg(feature = "ssr")]
pub mod days_noted;
#[cfg(feature = "ssr")]
pub mod ledger;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;

use crate::domain::UserId;
use crate::domain::gamification::{Level, Period};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

pub use crate::model::gamification::*;

#[server(prefix = "/api", endpoint = "app/achievements", input = GetUrl, output = crate::codec::Json)]
pub async fn my_achievements() -> Result<Achievements, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::member().await?;
            service::my_achievements(&guard::state(), &actor).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "app/achievements/of", input = GetUrl, output = crate::codec::Json)]
pub async fn user_achievements(user_id: UserId) -> Result<Achievements, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            guard::member().await?;
            service::user_achievements(&guard::state(), user_id).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "app/rating", input = GetUrl, output = crate::codec::Json)]
pub async fn rating(
    period: Period,
    branch: Option<i64>,
    position: Option<i64>,
    page: i64,
) -> Result<RatingView, AppError> {
    crate::auth::guard::respond(
        async {
            let actor = crate::auth::guard::member().await?;
            service::rating(
                &crate::auth::guard::state(),
                &actor,
                period,
                branch,
                position,
                page,
            )
            .await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "gamification/catalogue", input = GetUrl, output = crate::codec::Json)]
pub async fn get_catalogue() -> Result<Catalogue, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            guard::module(crate::domain::permissions::Module::Gamification).await?;
            service::catalogue(&guard::state()).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "gamification/levels", input = Json, output = crate::codec::Json)]
pub async fn save_levels(levels: Vec<Level>) -> Result<(), AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::module(crate::domain::permissions::Module::Gamification).await?;
            service::save_levels(&guard::state(), &actor, levels, &guard::origin("admin")).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "gamification/badge", input = Json, output = crate::codec::Json)]
pub async fn save_badge(badge: BadgeRow) -> Result<i64, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::module(crate::domain::permissions::Module::Gamification).await?;
            service::save_badge(&guard::state(), &actor, badge, &guard::origin("admin")).await
        }
        .await,
    )
}
