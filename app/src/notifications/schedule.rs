//! Notifications that come from the clock, not from an event: the reminder a day before an
//! assigned certification closes (to those who have not passed it), and the nudge for an
//! attempt left in progress. Run by the leader's background job; each is queued once (its key),
//! however often the job looks.

use super::consumer::available_key;
use super::queue::{Context, Note, queue};
use super::texts::{self, CertTerms};
use crate::domain::Timestamp;
use crate::domain::attempt::PRESENCE_GRACE_MS;
use crate::domain::certification::TimerMode;
use crate::domain::notifications::{
    NotificationKind, NotificationSettings, REMINDER_BEFORE_MS, nudge_due, reminder_at,
};
use crate::state::AppState;
use crate::storage::{self, StorageError};
use serde_json::json;

/// Queues the reminders and nudges due now; returns how many were queued.
pub async fn run_due(state: &AppState) -> Result<usize, StorageError> {
    let now = state.now();
    let mut tx = state.db.begin().await?;
    let settings: NotificationSettings = crate::settings::load(tx.conn()).await?;
    let cx = Context {
        state,
        settings: &settings,
        now,
    };
    let offset = state.config.display_utc_offset_minutes;
    let mut queued = 0;

    let closing = storage::notifications::closing_before(
        tx.conn(),
        Timestamp(now.millis() + REMINDER_BEFORE_MS),
    )
    .await?;
    for cert in closing {
        let Some(closes_at) = cert.closes_at else {
            continue;
        };
        for to in storage::notifications::not_passed(tx.conn(), cert.id).await? {
            let key = format!("reminder:{}:{}", cert.id, to.id);
            if storage::telegram::queued_at(tx.conn(), &key)
                .await?
                .is_some()
            {
                continue;
            }
            // Told about it when it became theirs; never told (e.g. no Telegram): no reminder.
            let Some(told) =
                storage::telegram::queued_at(tx.conn(), &available_key(cert.id, to.id)).await?
            else {
                continue;
            };
            let Some(at) = reminder_at(closes_at, told, now, settings.quiet_hours, offset) else {
                continue;
            };
            let terms = CertTerms {
                id: cert.id,
                title: &cert.title,
                closes_at: cert.closes_at,
                time_limit_secs: cert.time_limit_secs,
                max_attempts: cert.max_attempts,
            };
            let text = texts::reminder(to.lang(), &terms, offset);
            let note = Note {
                kind: NotificationKind::Reminder,
                key: &key,
                text,
                send_at: at,
                payload: json!({}),
            };
            if queue(tx.conn(), &cx, &to, note).await? {
                queued += 1;
            }
        }
    }

    for running in storage::notifications::away_attempts(tx.conn(), now, PRESENCE_GRACE_MS).await? {
        let key = format!("nudge:{}", running.id);
        if storage::telegram::queued_at(tx.conn(), &key)
            .await?
            .is_some()
        {
            continue;
        }
        let Some(a) = storage::attempts::get(tx.conn(), running.id).await? else {
            continue;
        };
        if !a.running() {
            continue;
        }
        let clock = a.clock();
        let away_since = a
            .left_at
            .or(clock
                .segment_last
                .map(|l| Timestamp(l.millis() + PRESENCE_GRACE_MS)))
            .or(Some(a.started_at));
        let remaining = clock.remaining(now);
        if !nudge_due(a.timer_mode, away_since, remaining, now) {
            continue;
        }
        let mut at = settings
            .quiet_hours
            .map_or(now, |q| q.next_allowed(now, offset));
        if a.timer_mode == TimerMode::Continuous && at.millis() >= now.millis() + remaining {
            // The quiet hours last past the deadline: a nudge then would be too late.
            continue;
        }
        at = at.max(now);
        let (Some(to), Some(cert)) = (
            storage::notifications::recipient(tx.conn(), a.user_id).await?,
            storage::notifications::cert_brief(tx.conn(), a.certification_id).await?,
        ) else {
            continue;
        };
        let text = texts::nudge(to.lang(), &cert.title, remaining, a.id);
        let note = Note {
            kind: NotificationKind::Nudge,
            key: &key,
            text,
            send_at: at,
            payload: json!({}),
        };
        if queue(tx.conn(), &cx, &to, note).await? {
            queued += 1;
        }
    }
    tx.commit().await?;
    Ok(queued)
}
