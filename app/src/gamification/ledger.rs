//! The ledger: the one place that writes points and badges (paying, awarding, the automatic
//! badge rules, the days of activity that make streaks). Every caller (the admin panel, the
//! API, the event consumer, sign-in's launch batch, a finish) goes through it inside its own
//! transaction. It imports no feature, so sign-in can note activity without depending on the
//! rest of gamification.

use crate::domain::audit::{AuditAction, AuditEntry, Origin};
use crate::domain::events::DomainEvent;
use crate::domain::gamification::{
    Activity, BadgeRule, check_entry, day_number, level_of, rule_met, streak,
};
use crate::domain::user::User;
use crate::domain::{CertId, Timestamp, UserId};
use crate::model::gamification::BadgeRow;
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
    pub by: Option<&'a crate::domain::actor::By>,
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

/// [`evaluate_badges`] for several people, the catalogue read once (a batch of writes).
pub async fn evaluate_badges_many(
    mut c: Conn<'_>,
    users: &[&User],
    utc_offset: i32,
    now: Timestamp,
) -> Result<usize, StorageError> {
    if !users.iter().any(|u| u.role.earns_rewards()) {
        return Ok(0);
    }
    let badges = store::badges(c.re(), false).await?;
    let mut awarded = 0;
    for user in users {
        awarded += evaluate_with(c.re(), user, &badges, utc_offset, now).await?;
    }
    Ok(awarded)
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
