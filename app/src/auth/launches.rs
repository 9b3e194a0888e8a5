//! Group commit for Mini App launches (sign-ins from initData), the spike of a synchronized
//! start: everyone opens the app within the same few seconds.
//!
//! One at a time, a launch is a transaction of its own with six to eight statements (refresh the
//! person, look up the cookie's session, open a session, audit it, note the day's activity).
//! Here one task takes every launch waiting and writes them together: one refresh of the
//! people, one read of the people and one of the sessions, one insert of the new sessions and
//! one of their audit entries, one note of the day, one commit. The badge rules still run per
//! person, once a day, for those whose day is new.
//!
//! Only the plain case is handled here: an active person who is already registered, launching
//! with no session, their own live session, or one that ended. A first launch (registration,
//! with its audit entry and event), someone who is not active, a cookie of someone else's live
//! session, or a database error hands the launch back to the caller, which runs the ordinary
//! path with its exact outcome.

use super::cookie::NewSession;
use super::cookie::{hash_token, new_token};
use crate::domain::actor::Surface;
use crate::domain::actor::sign_in_entry;
use crate::domain::audit::Origin;
use crate::domain::clock::Clock;
use crate::domain::gamification::day_number;
use crate::domain::user::{TelegramProfile, User};
use crate::domain::{SessionId, TelegramId, Timestamp};
use crate::gamification::days_noted::DaysNoted;
use crate::group_commit::{BatchWrite, GroupCommit};
use crate::storage::sessions::{self, SessionToOpen};
use crate::storage::{Db, StorageResult, audit, users};
use std::collections::HashMap;
use std::sync::Arc;

/// A valid launch: the person Telegram vouched for, the session cookie it came with, and
/// where from.
#[derive(Debug, Clone)]
pub struct Launch {
    pub profile: TelegramProfile,
    pub existing_token: Option<String>,
    pub origin: Origin,
}

/// Launches written in batches: `submit` gives a launch back when the plain case did not
/// apply, and the caller then takes the ordinary path.
pub type LaunchWriter = GroupCommit<Launches>;

pub fn launch_writer(
    db: Db,
    clock: Arc<dyn Clock>,
    session_secs: i64,
    utc_offset_minutes: i32,
    days_noted: Arc<DaysNoted>,
) -> LaunchWriter {
    GroupCommit::new(Launches {
        db,
        clock,
        session_secs,
        utc_offset_minutes,
        days_noted,
    })
}

pub struct Launches {
    db: Db,
    clock: Arc<dyn Clock>,
    session_secs: i64,
    utc_offset_minutes: i32,
    days_noted: Arc<DaysNoted>,
}

impl BatchWrite for Launches {
    type Job = Launch;
    type Done = (User, NewSession);
    /// Large, because the batch waits its turn for SQLite's single writer behind every other
    /// transaction queued (theory pages, starts): a small batch would get a small share of the
    /// turns. 13 parameters a launch at most (its audit entry): 6,656, inside both backends'
    /// limits (32,766 and 65,535).
    const MAX_BATCH: usize = 512;

    fn db(&self) -> &Db {
        &self.db
    }

    async fn write(&self, launches: &[Launch]) -> Vec<Option<(User, NewSession)>> {
        self.write_batch(launches, self.clock.now())
            .await
            .unwrap_or_else(|e| {
                // Nothing was committed: each launch is retried on its own path.
                tracing::warn!(error = %e, launches = launches.len(), "batched launches failed");
                launches.iter().map(|_| None).collect()
            })
    }
}

/// What a launch gets.
enum Plan {
    /// Its cookie's live session goes on.
    Keep(SessionId),
    /// A new session with this token.
    Open(String),
    /// The ordinary path decides.
    Ordinary,
}

impl Launches {
    async fn write_batch(
        &self,
        launches: &[Launch],
        now: Timestamp,
    ) -> StorageResult<Vec<Option<(User, NewSession)>>> {
        let profiles: Vec<&TelegramProfile> = launches.iter().map(|l| &l.profile).collect();
        let hashes: Vec<Option<String>> = launches
            .iter()
            .map(|l| l.existing_token.as_deref().map(hash_token))
            .collect();
        let mut lookup: Vec<&str> = hashes.iter().flatten().map(String::as_str).collect();
        lookup.sort_unstable();
        lookup.dedup();

        let mut tx = self.db.begin().await?;
        let people: HashMap<TelegramId, User> =
            users::refresh_from_telegram_many(tx.conn(), &profiles, now)
                .await?
                .into_iter()
                .filter(User::is_active)
                .filter_map(|u| u.telegram_id.map(|t| (t, u)))
                .collect();
        let live: HashMap<String, sessions::ActiveSession> =
            sessions::find_active_many(tx.conn(), &lookup, Surface::MiniApp, now)
                .await?
                .into_iter()
                .map(|s| (s.token_hash.clone(), s))
                .collect();
        let plans: Vec<Plan> = launches
            .iter()
            .zip(&hashes)
            .map(|(l, hash)| {
                let Some(user) = people.get(&l.profile.telegram_id) else {
                    return Plan::Ordinary;
                };
                match hash.as_ref().and_then(|h| live.get(h)) {
                    Some(s) if s.user_id == user.id => Plan::Keep(s.session_id),
                    // Someone else's live session: the ordinary path revokes it.
                    Some(_) => Plan::Ordinary,
                    None => Plan::Open(new_token()),
                }
            })
            .collect();

        let expires_at = now.plus_secs(self.session_secs);
        let kept: Vec<SessionId> = plans
            .iter()
            .filter_map(|p| match p {
                Plan::Keep(id) => Some(*id),
                _ => None,
            })
            .collect();
        sessions::extend_many(tx.conn(), &kept, expires_at, now).await?;

        let opened: Vec<(usize, String)> = plans
            .iter()
            .enumerate()
            .filter_map(|(i, p)| match p {
                Plan::Open(token) => Some((i, hash_token(token))),
                _ => None,
            })
            .collect();
        let to_open: Vec<SessionToOpen> = opened
            .iter()
            .map(|(i, hash)| SessionToOpen {
                token_hash: hash,
                user_id: people[&launches[*i].profile.telegram_id].id,
                origin: &launches[*i].origin,
            })
            .collect();
        let ids: HashMap<String, SessionId> =
            sessions::insert_many(tx.conn(), &to_open, Surface::MiniApp, now, expires_at)
                .await?
                .into_iter()
                .collect();
        let entries = opened
            .iter()
            .map(|(i, hash)| {
                let user = &people[&launches[*i].profile.telegram_id];
                let session = ids.get(hash).copied().ok_or_else(|| {
                    crate::storage::StorageError::Corrupt("an opened session has no id".into())
                })?;
                Ok(sign_in_entry(
                    user,
                    session,
                    Surface::MiniApp,
                    "telegram",
                    &launches[*i].origin,
                    now,
                ))
            })
            .collect::<StorageResult<Vec<_>>>()?;
        audit::record_many(tx.conn(), &entries).await?;

        // Each launch is a day of activity (streak badges), written once a day.
        let day = day_number(now, self.utc_offset_minutes);
        let new_day: Vec<&User> = launches
            .iter()
            .zip(&plans)
            .filter(|(_, p)| !matches!(p, Plan::Ordinary))
            .map(|(l, _)| &people[&l.profile.telegram_id])
            .filter(|u| !self.days_noted.has(u.id, day))
            .collect();
        crate::gamification::ledger::note_activity_many(
            tx.conn(),
            &new_day,
            self.utc_offset_minutes,
            now,
        )
        .await?;
        tx.commit().await?;
        self.days_noted.noted(new_day.iter().map(|u| u.id), day);

        Ok(launches
            .iter()
            .zip(plans)
            .map(|(l, plan)| {
                let token = match plan {
                    Plan::Keep(_) => l.existing_token.clone()?,
                    Plan::Open(token) => token,
                    Plan::Ordinary => return None,
                };
                Some((
                    people[&l.profile.telegram_id].clone(),
                    NewSession {
                        token,
                        max_age_secs: self.session_secs,
                    },
                ))
            })
            .collect())
    }
}
