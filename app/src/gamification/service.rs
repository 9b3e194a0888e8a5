//! Gamification on the server: paying points through the ledger, evaluating badge rules when
//! events happen, and the pages' data. Everything that pays or awards is idempotent (source
//! keys), so an event delivered twice, or by two instances at once, pays once.

use super::{Achievements, BadgeRow, BadgeStatus, Catalogue, RatingView};
use crate::auth::guard;
use crate::auth::service::{Actor, audit_by, internal};
use crate::domain::audit::{AuditAction, AuditEntry, Origin};
use crate::domain::events::DomainEvent;
use crate::domain::gamification::{
    Activity, BadgeRule, Level, Period, check_entry, day_number, level_of, next_level,
    period_start, progress_to_next, rule_met, streak, validate_levels,
};
use crate::domain::permissions::Module;
use crate::domain::user::User;
use crate::domain::{CertId, EventId, Timestamp, UserId};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::paging::{DEFAULT_PER_PAGE, Page, window};
use crate::state::AppState;
use crate::storage::gamification as store;
use crate::storage::{self, Conn, StorageError};
use serde_json::json;

/// A ledger entry to write for a user.
pub struct Payment<'a> {
    pub user: &'a User,
    pub delta: i64,
    pub reason: &'a str,
    pub source: &'a str,
    pub source_key: &'a str,
    pub admin: Option<UserId>,
    pub certification: Option<CertId>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Paid {
    /// Written; the balance is now this.
    Yes {
        balance: i64,
    },
    /// This source already paid (an event delivered again).
    AlreadyPaid,
    Refused(crate::domain::gamification::LedgerRefusal),
}

/// Pays (or takes) points: employees only, never below zero, once per source key. A new level
/// reached is published as an event.
pub async fn pay(mut c: Conn<'_>, p: &Payment<'_>, now: Timestamp) -> Result<Paid, StorageError> {
    storage::users::lock(c.re(), p.user.id).await?;
    let before = store::balance(c.re(), p.user.id).await?;
    if let Err(refusal) = check_entry(p.user.role, before, p.delta) {
        return Ok(Paid::Refused(refusal));
    }
    let entry = store::NewEntry {
        user: p.user.id,
        delta: p.delta,
        reason: p.reason,
        source: p.source,
        source_key: p.source_key,
        admin: p.admin,
        certification: p.certification,
    };
    if !store::insert_entry(c.re(), &entry, now).await? {
        return Ok(Paid::AlreadyPaid);
    }
    let after = before + p.delta;
    let levels = store::levels(c.re()).await?;
    let (was, is) = (
        level_of(&levels, before).map(|l| l.number),
        level_of(&levels, after).map(|l| l.number),
    );
    if let Some(level) = is
        && Some(level) > was
    {
        storage::events::emit(
            c,
            &DomainEvent::LevelReached {
                user_id: p.user.id,
                level,
            },
            now,
        )
        .await?;
    }
    Ok(Paid::Yes { balance: after })
}

/// A badge to award: by an admin (`by`) or by a rule (`None`).
pub struct BadgeAward<'a> {
    pub user: &'a User,
    pub badge: &'a BadgeRow,
    pub by: Option<&'a crate::auth::service::By>,
    pub reason: &'a str,
    /// Unique per award: a rule's key makes it award once per user, ever.
    pub source_key: &'a str,
    pub origin: &'a Origin,
}

/// Awards a badge and publishes it; false if the user holds it already (or the key was used).
pub async fn award_badge(
    mut c: Conn<'_>,
    a: &BadgeAward<'_>,
    now: Timestamp,
) -> Result<bool, StorageError> {
    let BadgeAward {
        user,
        badge,
        by,
        reason,
        source_key,
        origin,
    } = *a;
    if !store::award(
        c.re(),
        user.id,
        badge.id,
        by.and_then(|b| b.user_id()),
        reason,
        source_key,
        now,
    )
    .await?
    {
        return Ok(false);
    }
    storage::events::emit(
        c.re(),
        &DomainEvent::BadgeAwarded {
            user_id: user.id,
            badge_id: badge.id,
        },
        now,
    )
    .await?;
    let details = json!({ "badge": badge.name, "badge_id": badge.id, "reason": reason });
    let entry = match by {
        Some(by) => by.audit(
            AuditAction::BadgeAwarded,
            "user",
            user.id,
            details,
            origin,
            now,
        ),
        None => AuditEntry {
            at: now,
            actor_id: None,
            actor_label: "rules".into(),
            action: AuditAction::BadgeAwarded,
            target_type: Some("user".into()),
            target_id: Some(user.id.to_string()),
            details,
            origin: origin.clone(),
        },
    };
    storage::audit::record(c, &entry).await?;
    Ok(true)
}

/// Evaluates every automatic badge for a user (employees only) and awards what is met.
pub async fn evaluate_badges(
    mut c: Conn<'_>,
    user: &User,
    utc_offset: i32,
    now: Timestamp,
) -> Result<usize, StorageError> {
    if !user.role.earns_rewards() {
        return Ok(0);
    }
    let badges = store::badges(c.re(), false).await?;
    evaluate_with(c, user, &badges, utc_offset, now).await
}

/// Evaluates the automatic badges among `badges` (the catalogue, read once per batch).
async fn evaluate_with(
    mut c: Conn<'_>,
    user: &User,
    badges: &[BadgeRow],
    utc_offset: i32,
    now: Timestamp,
) -> Result<usize, StorageError> {
    if !user.role.earns_rewards() || !badges.iter().any(|b| b.kind == "automatic") {
        return Ok(0);
    }
    let (passed, perfect, read, assigned) = store::activity_counts(c.re(), user.id).await?;
    let today = day_number(now, utc_offset);
    let days = store::days(c.re(), user.id, today - 400).await?;
    let activity = Activity {
        certifications_passed: passed,
        has_perfect: perfect,
        theory_read: read,
        theory_assigned: assigned,
        streak_days: streak(&days, today),
    };
    let origin = Origin::channel("rules");
    let mut awarded = 0;
    for b in badges.iter().filter(|b| b.kind == "automatic") {
        let Some(rule) = b.rule.as_deref().and_then(|r| r.parse::<BadgeRule>().ok()) else {
            continue;
        };
        if rule_met(rule, b.rule_n, activity) {
            // The rule awards a badge once per user, ever (a revoked one is not re-awarded by it).
            let key = format!("rule:{}:{}", b.id, user.id);
            let award = BadgeAward {
                user,
                badge: b,
                by: None,
                reason: rule.label().text(crate::i18n::Lang::Ru),
                source_key: &key,
                origin: &origin,
            };
            if award_badge(c.re(), &award, now).await? {
                awarded += 1;
            }
        }
    }
    Ok(awarded)
}

/// Records that the user was active in the Mini App today; a new day may complete a streak.
pub async fn note_activity(
    c: Conn<'_>,
    user: &User,
    utc_offset: i32,
    now: Timestamp,
) -> Result<(), StorageError> {
    note_activity_many(c, &[user], utc_offset, now).await
}

/// [`note_activity`] for many launches at once: one statement notes the day, and the badge
/// catalogue is read once for those whose day is new.
pub async fn note_activity_many(
    mut c: Conn<'_>,
    users: &[&User],
    utc_offset: i32,
    now: Timestamp,
) -> Result<(), StorageError> {
    let mut earners: Vec<UserId> = users
        .iter()
        .filter(|u| u.role.earns_rewards())
        .map(|u| u.id)
        .collect();
    earners.sort_unstable();
    earners.dedup();
    let new_day = store::record_days(c.re(), &earners, day_number(now, utc_offset), now).await?;
    if new_day.is_empty() {
        return Ok(());
    }
    let badges = store::badges(c.re(), false).await?;
    for id in new_day {
        if let Some(user) = users.iter().find(|u| u.id == id) {
            evaluate_with(c.re(), user, &badges, utc_offset, now).await?;
        }
    }
    Ok(())
}

/// Applies the outbox's new events (points for a first pass, badges after attempts) now,
/// instead of at the next job tick, unless another run holds the consumer's cursor: a
/// finishing request never queues behind it (at the end of a synchronized exam every finisher
/// would hold a connection while waiting); the job or the run in progress pays them. Returns
/// how many events were handled.
pub async fn process_events(state: &AppState) -> Result<usize, StorageError> {
    crate::outbox::run_unless_busy(state, &super::consumer::Gamification, 10).await
}

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
    result.map_err(internal)
}

/// Ledger entries the points chart of "my achievements" goes back over.
const HISTORY_ENTRIES: i64 = 100;

pub async fn my_achievements() -> AppResult<Achievements> {
    let actor = guard::member().await?;
    let state = guard::state();
    let user_id = actor.user.id;
    let mut a = achievements_of(&state, actor.user).await?;
    let mine = async {
        let mut c = state.db.read().await?;
        let ledger = store::ledger(c.conn(), user_id, HISTORY_ENTRIES).await?;
        let certs = storage::attempts::my_certifications(c.conn(), user_id).await?;
        Ok::<_, StorageError>((ledger, certs))
    };
    let (ledger, certs) = mine.await.map_err(internal)?;
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
pub async fn user_achievements(user_id: UserId) -> AppResult<Achievements> {
    guard::member().await?;
    let state = guard::state();
    let mut c = state.db.read().await.map_err(internal)?;
    let user = storage::users::get(c.conn(), user_id)
        .await
        .map_err(internal)?
        .filter(|u| u.is_active())
        .ok_or(AppError::NotFound)?;
    drop(c);
    achievements_of(&state, user).await
}

pub async fn rating(
    period: Period,
    branch: Option<i64>,
    position: Option<i64>,
    page: i64,
) -> AppResult<RatingView> {
    let actor: Actor = guard::member().await?;
    let state = guard::state();
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
    result.map_err(internal)
}

pub async fn catalogue() -> AppResult<Catalogue> {
    guard::module(Module::Gamification).await?;
    let state = guard::state();
    let mut c = state.db.read().await.map_err(internal)?;
    let result = async {
        Ok::<_, StorageError>(Catalogue {
            levels: store::levels(c.conn()).await?,
            badges: store::badges(c.conn(), true).await?,
        })
    }
    .await;
    result.map_err(internal)
}

pub async fn save_levels(levels: Vec<Level>) -> AppResult<()> {
    let actor = guard::module(Module::Gamification).await?;
    let levels: Vec<Level> = levels
        .into_iter()
        .map(|l| Level {
            name: l.name.trim().to_owned(),
            ..l
        })
        .collect();
    validate_levels(&levels).map_err(|m| AppError::invalid("levels", m))?;
    let state = guard::state();
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
                &guard::origin("admin"),
                now,
            ),
        )
        .await?;
        tx.commit().await
    }
    .await;
    result.map_err(internal)
}

pub async fn save_badge(mut badge: BadgeRow) -> AppResult<i64> {
    let actor = guard::module(Module::Gamification).await?;
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
    let state = guard::state();
    let now = state.now();
    let result = async {
        let mut tx = state.db.begin().await?;
        if badge.id != 0 && store::badge(tx.conn(), badge.id).await?.is_none() {
            return Ok(Err(AppError::NotFound));
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
                &guard::origin("admin"),
                now,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok::<_, StorageError>(Ok(id))
    }
    .await;
    result.map_err(internal)?
}
