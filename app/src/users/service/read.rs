//! The people list and a person's card.

use super::*;

#[allow(clippy::too_many_arguments)]
pub async fn list(
    state: &AppState,
    actor: &Actor,
    search: Option<String>,
    role: Option<Role>,
    status: Option<UserStatus>,
    branch: Option<BranchId>,
    position: Option<PositionId>,
    sort: String,
    page: i64,
) -> AppResult<Page<UserRow>> {
    let (limit, offset, page, per_page) = window(page, DEFAULT_PER_PAGE);
    let mut c = state.db.read().await.map_err(AppError::from)?;
    let filter = storage::users::UserFilter {
        search,
        role,
        status,
        branch,
        position,
        sort,
        scope: actor.scope.clone(),
    };
    let (rows, total) = storage::users::search(c.conn(), &filter, limit, offset)
        .await
        .map_err(AppError::from)?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(|r| UserRow {
                user: r.user,
                position: r.position,
                branch: r.branch,
                points: r.points,
                certs: crate::domain::rates::Rates {
                    assigned: r.certs_assigned,
                    attempted: r.certs_passed,
                    passed: r.certs_passed,
                },
            })
            .collect(),
        total,
        page,
        per_page,
    })
}

pub async fn card(state: &AppState, actor: &Actor, id: UserId) -> AppResult<UserCard> {
    async {
        let mut c = state.db.read().await?;
        let Some(user) = storage::users::get_in_scope(c.conn(), id, &actor.scope).await? else {
            return Err(AppError::NotFound);
        };
        let profile = storage::users::profile(c.conn(), id).await?;
        let balance = storage::gamification::balance(c.conn(), id).await?;
        let levels = storage::gamification::levels(c.conn()).await?;
        let catalogue = storage::gamification::badges(c.conn(), false).await?;
        let held = storage::gamification::held(c.conn(), id).await?;
        let badges = catalogue
            .iter()
            .filter_map(|b| {
                held.iter()
                    .find(|h| h.badge_id == b.id && h.revoked_at.is_none())
                    .map(|h| BadgeStatus {
                        badge: b.clone(),
                        earned_at: Some(h.awarded_at),
                    })
            })
            .collect();
        let ledger = storage::gamification::ledger(c.conn(), id, 100).await?;
        let overrides = storage::permissions::overrides_of(c.conn(), id).await?;
        let mine = storage::attempts::my_certifications(c.conn(), id).await?;
        let mut progress = Vec::new();
        for m in mine {
            let attempts = storage::attempts::history(c.conn(), id, m.id).await?;
            let versions: Vec<(i64, bool)> = storage::certifications::versions(c.conn(), m.id)
                .await?
                .into_iter()
                .map(|v| (v.version, v.require_reread))
                .collect();
            let open = m.status == crate::domain::certification::CertStatus::Open.as_str();
            let standing = crate::domain::attempt::Standing {
                attempts_used: m.attempts_used.unwrap_or(0),
                best_percent: m.best_percent,
                in_progress: m.attempt_id.is_some(),
            };
            let full_review = storage::certifications::get(c.conn(), m.id)
                .await?
                .is_some_and(|cert| {
                    crate::domain::attempt::full_review_open(
                        cert.settings.review_allowed,
                        open,
                        cert.settings.max_attempts,
                        standing,
                    )
                });
            progress.push(CardProgress {
                certification_id: m.id,
                state: m.state(&versions, m.attempt_id.map(|_| 0)),
                attempts_used: standing.attempts_used,
                max_attempts: m.max_attempts,
                may_grant: crate::domain::attempt::may_grant_attempt(open, standing).is_ok(),
                title: m.title,
                attempts,
                full_review,
            });
        }
        use storage::dictionaries::{Dictionary, list as dict};
        let branches = dict(c.conn(), Dictionary::Branches)
            .await?
            .into_iter()
            .map(|e| (e.id, e.name))
            .collect();
        let positions = dict(c.conn(), Dictionary::Positions)
            .await?
            .into_iter()
            .map(|e| (e.id, e.name))
            .collect();
        let has_password = storage::users::has_password(c.conn(), id).await?;
        let manager_branches = storage::notifications::manager_branches(c.conn(), id).await?;
        let tg_unreachable = storage::notifications::unreachable_of(c.conn(), id).await?;
        Ok(UserCard {
            manager_branches,
            tg_unreachable,
            level: level_of(&levels, balance).cloned(),
            role_defaults: role_defaults(user.role),
            effective: if user.is_active() {
                effective_modules(user.role, &overrides)
            } else {
                Default::default()
            },
            overrides,
            position: profile.as_ref().and_then(|p| p.position.clone()),
            branch: profile.and_then(|p| p.branch),
            user,
            has_password,
            balance,
            levels,
            badges,
            catalogue,
            ledger,
            progress,
            branches,
            positions,
        })
    }
    .await
}
