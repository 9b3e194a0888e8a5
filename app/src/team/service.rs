//! Team results on the server: the actor's `visible_people` scope decides every row.

use super::{TeamCert, TeamPersonView, TeamResult};
use crate::domain::UserId;
use crate::domain::actor::Actor;
use crate::domain::scope::PeopleScope;
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::paging::{DEFAULT_PER_PAGE, Page, window};
use crate::state::AppState;
use crate::storage::{self};

/// The Mini App member's scope; employees have none.
fn scope_of(actor: &Actor) -> AppResult<&PeopleScope> {
    match &actor.scope {
        PeopleScope::Nobody => Err(AppError::Forbidden(Msg::LinkNotYours)),
        scope => Ok(scope),
    }
}

pub async fn recent(state: &AppState, actor: &Actor, page: i64) -> AppResult<Page<TeamResult>> {
    let scope = scope_of(actor)?;
    let (limit, offset, page, per_page) = window(page, DEFAULT_PER_PAGE);
    let mut c = state.db.read().await.map_err(AppError::from)?;
    let (items, total) = storage::team::recent_results(c.conn(), scope, limit, offset)
        .await
        .map_err(AppError::from)?;
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

pub async fn person(state: &AppState, actor: &Actor, id: UserId) -> AppResult<TeamPersonView> {
    let scope = scope_of(actor)?;
    async {
        let mut c = state.db.read().await?;
        // Outside the scope, as if there were nobody (the panel's rule).
        let Some(user) = storage::users::get_in_scope(c.conn(), id, scope).await? else {
            return Err(AppError::NotFound);
        };
        let profile = storage::users::profile(c.conn(), id).await?;
        let mine = storage::attempts::my_certifications(c.conn(), id).await?;
        let mut certifications = Vec::new();
        for m in mine {
            certifications.push(TeamCert {
                certification_id: m.id,
                title: m.title,
                attempts: storage::attempts::history(c.conn(), id, m.id).await?,
            });
        }
        Ok::<_, AppError>(TeamPersonView {
            user_id: user.id,
            name: user.full_name(),
            position: profile.as_ref().and_then(|p| p.position.clone()),
            branch: profile.and_then(|p| p.branch),
            certifications,
        })
    }
    .await
}
