//! Making link tokens (for messages) and resolving them (when a person opens one).

use super::{LinkResolution, LinkTarget, plausible_token};
use crate::domain::actor::Actor;
use crate::state::AppState;

use crate::domain::Timestamp;
use crate::domain::scope::visible_people;
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::storage::{self, Conn, StorageError};

/// The token of a target (made once, reused).
pub async fn token(
    c: Conn<'_>,
    target: LinkTarget,
    now: Timestamp,
) -> Result<String, StorageError> {
    let (kind, id, extra) = target.parts();
    storage::links::token_for(c, kind, id, extra, now).await
}

/// The URL a `web_app` button opens: the Mini App's page that resolves the token.
pub fn button_url(public_url: &str, token: &str) -> String {
    format!("{public_url}/app/go/{token}")
}

/// A `t.me` link that opens the Mini App (where `web_app` buttons are not allowed): the named
/// Mini App of the bot, or its main one.
pub fn startapp_url(bot_username: &str, app_name: Option<&str>, token: &str) -> String {
    match app_name {
        Some(app) => format!("https://t.me/{bot_username}/{app}?startapp={token}"),
        None => format!("https://t.me/{bot_username}?startapp={token}"),
    }
}

fn gone(msg: Msg, fallback: &str) -> LinkResolution {
    LinkResolution::Gone {
        msg,
        fallback: fallback.to_owned(),
    }
}

pub async fn resolve(state: &AppState, actor: &Actor, token: &str) -> AppResult<LinkResolution> {
    if !plausible_token(token) {
        return Ok(gone(Msg::LinkUnknown, "/app"));
    }
    let me = &actor.user;
    let result = async {
        let mut c = state.db.read().await?;
        let Some((kind, id, _)) = storage::links::resolve(c.conn(), token).await? else {
            return Ok(gone(Msg::LinkUnknown, "/app"));
        };
        let Some(target) = LinkTarget::from_parts(&kind, id) else {
            return Ok(gone(Msg::LinkUnknown, "/app"));
        };
        Ok::<_, StorageError>(match target {
            LinkTarget::Achievements => LinkResolution::Go("/app/achievements".into()),
            LinkTarget::Badge(badge) => {
                let held = storage::gamification::held(c.conn(), me.id).await?;
                if held
                    .iter()
                    .any(|h| h.badge_id == badge && h.revoked_at.is_none())
                {
                    LinkResolution::Go(format!("/app/achievements#badge-{badge}"))
                } else {
                    gone(Msg::LinkBadgeGone, "/app/achievements")
                }
            }
            LinkTarget::Certification(cert) => {
                match storage::certifications::get(c.conn(), cert).await? {
                    Some(cert) if cert.status == crate::domain::certification::CertStatus::Open => {
                        let assigned =
                            storage::attempts::is_assigned(c.conn(), me.id, cert.id).await?;
                        if assigned {
                            LinkResolution::Go(format!("/app/c/{}", cert.id))
                        } else {
                            gone(Msg::LinkCertGone, "/app")
                        }
                    }
                    _ => gone(Msg::LinkCertGone, "/app"),
                }
            }
            LinkTarget::Attempt(attempt) => {
                match storage::attempts::get(c.conn(), attempt).await? {
                    Some(a) if a.user_id == me.id && a.running() => {
                        LinkResolution::Go(format!("/app/c/{}/test", a.certification_id))
                    }
                    Some(a) if a.user_id == me.id => gone(
                        Msg::LinkAttemptOver,
                        &format!("/app/c/{}/result/{}", a.certification_id, a.id),
                    ),
                    _ => gone(Msg::LinkUnknown, "/app"),
                }
            }
            LinkTarget::TeamPerson(person) => {
                let limit = storage::notifications::manager_branches(c.conn(), me.id).await?;
                let scope = visible_people(me.role, &limit);
                match storage::users::get(c.conn(), person).await? {
                    Some(p) if scope.includes(p.branch_id) => {
                        LinkResolution::Go(format!("/app/team/{person}"))
                    }
                    _ => gone(Msg::LinkNotYours, "/app"),
                }
            }
            LinkTarget::Team => {
                if visible_people(me.role, &[]) == crate::domain::scope::PeopleScope::Nobody {
                    gone(Msg::LinkNotYours, "/app")
                } else {
                    LinkResolution::Go("/app/team".into())
                }
            }
        })
    }
    .await;
    result.map_err(AppError::from)
}
