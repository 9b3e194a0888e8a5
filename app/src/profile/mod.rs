//! The signed-in person's profile: data from the database, first and last name editable.

pub mod page;
#[cfg(feature = "ssr")]
pub mod service;

use crate::error::AppError;
use leptos::prelude::*;

pub use crate::model::profile::*;

/// The admin-panel user's own profile.
#[server(prefix = "/api", endpoint = "profile/get", output = crate::codec::Json)]
pub async fn my_profile() -> Result<ProfileView, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::admin().await?;
            service::profile(&guard::state(), actor.user.id).await
        }
        .await,
    )
}

/// Changes the admin-panel user's own first and last name.
#[server(prefix = "/api", endpoint = "profile/update_names", output = crate::codec::Json)]
pub async fn update_my_names(
    first_name: String,
    last_name: String,
) -> Result<ProfileView, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::admin().await?;
            let state = guard::state();
            service::update_names(
                &state,
                &actor.user,
                actor.user.id,
                &first_name,
                &last_name,
                &guard::origin("admin"),
            )
            .await?;
            service::profile(&state, actor.user.id).await
        }
        .await,
    )
}

/// Changes the admin-panel user's own password; the current one is required. The other
/// admin-panel sessions of the user end, this one stays.
#[server(prefix = "/api", endpoint = "profile/change_password", output = crate::codec::Json)]
pub async fn change_my_password(
    current: String,
    password: String,
    confirm: String,
) -> Result<(), AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::admin().await?;
            service::change_own_password(
                &guard::state(),
                &actor,
                &current,
                &password,
                &confirm,
                &guard::origin("admin"),
            )
            .await
        }
        .await,
    )
}
