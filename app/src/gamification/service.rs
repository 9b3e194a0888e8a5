//! Gamification on the server: paying points through the ledger, evaluating badge rules when
//! events happen, and the pages' data. Everything that pays or awards is idempotent (source
//! keys), so an event delivered twice, or by two instances at once, pays once.

use super::{Achievements, BadgeRow, BadgeStatus, Catalogue, RatingView};
use crate::domain::actor::{Actor, audit_by};
use crate::domain::audit::{AuditAction, Origin};
use crate::domain::events::DomainEvent;
use crate::domain::gamification::{
    BadgeRule, Level, Period, level_of, next_level, period_start, progress_to_next, validate_levels,
};
use crate::domain::user::User;
use crate::domain::{CertId, EventId, Timestamp, UserId};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::paging::{DEFAULT_PER_PAGE, Page, window};
use crate::state::AppState;
use crate::storage::gamification as store;
use crate::storage::{self, Conn, StorageError};
use serde_json::json;

use super::ledger::{Paid, Payment, evaluate_badges, pay};

/// Points for a first pass and the badges an attempt may complete.
pub(super) async fn apply_attempt_finished(
    state: &AppState,
    mut c: Conn<'_>,
    event_id: EventId,
    user_id: UserId,
    certification_id: CertId,
    first_pass: bool,
) -> Result<(), StorageError> {
    let now = state.now();
    let Some(user) = storage::users::get(c.re(), user_id).await? else {
        return Ok(());
    };
    if first_pass
        && let Some(cert) = storage::certifications::get(c.re(), certification_id).await?
        && cert.settings.points > 0
    {
        // Once per user and certification, ever: a reset and a second pass pay nothing.
        let key = format!("cert:{certification_id}:{user_id}");
        let reason = format!(
            "{} ({})",
            Msg::PointsForPass.text(crate::i18n::Lang::Ru),
            cert.settings.title
        );
        let paid = pay(
            c.re(),
            &Payment {
                user: &user,
                delta: cert.settings.points,
                reason: &reason,
                source: "certification",
                source_key: &key,
                admin: None,
                certification: Some(certification_id),
            },
            now,
        )
        .await?;
        if matches!(paid, Paid::Yes { .. }) {
            storage::events::emit(
                c.re(),
                &DomainEvent::PointsPaid {
                    user_id,
                    delta: cert.settings.points,
                    source_event: event_id.0,
                },
                now,
            )
            .await?;
        }
    }
    evaluate_badges(c, &user, state.config.display_utc_offset_minutes, now).await?;
    Ok(())
}

pub async fn achievements_of(state: &AppState, user: User) -> AppResult<Achievements> {
    let result = async {
        let mut c = state.db.read().await?;
        let balance = store::balance(c.conn(), user.id).await?;
        let levels = store::levels(c.conn()).await?;
        let catalogue = store::badges(c.conn(), false).await?;
        let held = store::held(c.conn(), user.id).await?;
        let badges = catalogue
            .into_iter()
            .filter(|b| {
                b.kind == "manual"
                    || user.role.earns_rewards()
                    || held.iter().any(|h| h.badge_id == b.id)
            })
            .map(|b| {
                let earned_at = held
                    .iter()
                    .find(|h| h.badge_id == b.id && h.revoked_at.is_none())
                    .map(|h| h.awarded_at);
                BadgeStatus {
                    badge: b,
                    earned_at,
                }
            })
            .collect();
        Ok::<_, StorageError>(Achievements {
            user_id: user.id,
            name: user.full_name(),
            photo_url: user.photo_url.clone(),
            role: user.role,
            earns: user.role.earns_rewards(),
            balance,
            level: level_of(&levels, balance).cloned(),
            next: next_level(&levels, balance).cloned(),
            progress: progress_to_next(&levels, balance),
            badges,
            history: Vec::new(),
            certifications: Vec::new(),
        })
    }
    .await;
    result.map_err(AppError::from)
}

/// Ledger entries the points chart of "my achievements" goes back over.
const HISTORY_ENTRIES: i64 = 100;

pub async fn my_achievements(state: &AppState, actor: &Actor) -> AppResult<Achievements> {
    let user_id = actor.user.id;
    let mut a = achievements_of(state, actor.user.clone()).await?;
    let mine = async {
        let mut c = state.db.read().await?;
        let ledger = store::ledger(c.conn(), user_id, HISTORY_ENTRIES).await?;
        let certs = storage::attempts::my_certifications(c.conn(), user_id).await?;
        Ok::<_, StorageError>((ledger, certs))
    };
    let (ledger, certs) = mine.await.map_err(AppError::from)?;
    if a.earns {
        let entries: Vec<(Timestamp, i64)> =
            ledger.iter().map(|l| (l.created_at, l.delta)).collect();
        a.history = crate::ui::charts::balance_over_time(&entries, a.balance);
    }
    a.certifications = certs
        .into_iter()
        .map(|r| super::CertProgress {
            id: r.id,
            title: r.title,
            best_percent: r.best_percent,
            pass_threshold: r.pass_threshold,
            passed: r.passed,
            attempts_used: r.attempts_used.unwrap_or(0),
            max_attempts: r.max_attempts,
        })
        .collect();
    Ok(a)
}

/// Someone's public achievements (any active member may look).
pub async fn user_achievements(state: &AppState, user_id: UserId) -> AppResult<Achievements> {
    let mut c = state.db.read().await.map_err(AppError::from)?;
    let user = storage::users::get(c.conn(), user_id)
        .await
        .map_err(AppError::from)?
        .filter(|u| u.is_active())
        .ok_or(AppError::NotFound)?;
    drop(c);
    achievements_of(state, user).await
}

pub async fn rating(
    state: &AppState,
    actor: &Actor,
    period: Period,
    branch: Option<i64>,
    position: Option<i64>,
    page: i64,
) -> AppResult<RatingView> {
    let since = period_start(period, state.now(), state.config.display_utc_offset_minutes);
    let (limit, offset, page, per_page) = window(page, DEFAULT_PER_PAGE);
    let result = async {
        let mut c = state.db.read().await?;
        let (items, total) =
            store::rating(c.conn(), since, branch, position, limit, offset).await?;
        let me = store::rating_of(c.conn(), actor.user.id, since, branch, position).await?;
        use storage::dictionaries::{Dictionary, list};
        let branches = list(c.conn(), Dictionary::Branches)
            .await?
            .into_iter()
            .map(|e| (e.id, e.name))
            .collect();
        let positions = list(c.conn(), Dictionary::Positions)
            .await?
            .into_iter()
            .map(|e| (e.id, e.name))
            .collect();
        Ok::<_, StorageError>(RatingView {
            page: Page {
                items,
                total,
                page,
                per_page,
            },
            me,
            branches,
            positions,
        })
    }
    .await;
    result.map_err(AppError::from)
}

pub async fn catalogue(state: &AppState) -> AppResult<Catalogue> {
    let mut c = state.db.read().await.map_err(AppError::from)?;
    let result = async {
        Ok::<_, StorageError>(Catalogue {
            levels: store::levels(c.conn()).await?,
            badges: store::badges(c.conn(), true).await?,
        })
    }
    .await;
    result.map_err(AppError::from)
}

pub async fn save_levels(
    state: &AppState,
    actor: &Actor,
    levels: Vec<Level>,
    origin: &Origin,
) -> AppResult<()> {
    let levels: Vec<Level> = levels
        .into_iter()
        .map(|l| Level {
            name: l.name.trim().to_owned(),
            ..l
        })
        .collect();
    validate_levels(&levels).map_err(|m| AppError::invalid("levels", m))?;
    let now = state.now();
    let result = async {
        let mut tx = state.db.begin().await?;
        let before = store::levels(tx.conn()).await?;
        store::replace_levels(tx.conn(), &levels, now).await?;
        storage::audit::record(
            tx.conn(),
            &audit_by(
                &actor.user,
                AuditAction::LevelsEdited,
                "levels",
                "all",
                json!({ "before": before, "after": levels }),
                origin,
                now,
            ),
        )
        .await?;
        tx.commit().await
    }
    .await;
    result.map_err(AppError::from)
}

pub async fn save_badge(
    state: &AppState,
    actor: &Actor,
    mut badge: BadgeRow,
    origin: &Origin,
) -> AppResult<i64> {
    badge.name = badge.name.trim().to_owned();
    badge.description = badge.description.trim().to_owned();
    let mut fields = Vec::new();
    if badge.name.is_empty() || badge.name.chars().count() > 80 {
        fields.push(crate::error::FieldError {
            field: "badge_name".into(),
            msg: Msg::ErrTitleEmpty,
        });
    }
    if badge.description.chars().count() > 1000 {
        fields.push(crate::error::FieldError {
            field: "badge_description".into(),
            msg: Msg::ErrTextTooLong,
        });
    }
    match badge.kind.as_str() {
        "manual" => {
            badge.rule = None;
            badge.rule_n = None;
        }
        "automatic" => match badge.rule.as_deref().map(str::parse::<BadgeRule>) {
            Some(Ok(rule)) => {
                if rule.takes_n() && !badge.rule_n.is_some_and(|n| (1..=10_000).contains(&n)) {
                    fields.push(crate::error::FieldError {
                        field: "badge_n".into(),
                        msg: Msg::ErrBadgeN,
                    });
                }
                if !rule.takes_n() {
                    badge.rule_n = None;
                }
            }
            _ => fields.push(crate::error::FieldError {
                field: "badge_rule".into(),
                msg: Msg::ErrBadgeRule,
            }),
        },
        _ => fields.push(crate::error::FieldError {
            field: "badge_kind".into(),
            msg: Msg::ErrBadgeRule,
        }),
    }
    if badge
        .icon_url
        .as_deref()
        .is_some_and(|u| !crate::domain::question::is_safe_url(u))
    {
        fields.push(crate::error::FieldError {
            field: "badge_icon".into(),
            msg: Msg::ErrUrl,
        });
    }
    if !fields.is_empty() {
        return Err(AppError::Invalid { fields });
    }
    let now = state.now();
    async {
        let mut tx = state.db.begin().await?;
        if badge.id != 0 && store::badge(tx.conn(), badge.id).await?.is_none() {
            return Err(AppError::NotFound);
        }
        let id = store::save_badge(tx.conn(), &badge, now).await?;
        storage::audit::record(
            tx.conn(),
            &audit_by(
                &actor.user,
                AuditAction::BadgeEdited,
                "badge",
                id,
                json!(badge),
                origin,
                now,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok::<_, AppError>(id)
    }
    .await
}
