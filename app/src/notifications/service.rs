//! Server side of the notification settings, the log and each person's mutes.

use super::{LogEntry, MyNotificationKinds, NotificationsPageData, texts};
use crate::domain::actor::{Actor, audit_by};
use crate::domain::audit::AuditAction;
use crate::domain::audit::Origin;
use crate::domain::notifications::{DigestCounts, NotificationKind, NotificationSettings};
use crate::domain::{AttemptId, CertId, Timestamp, UserId};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::paging::{DEFAULT_PER_PAGE, Page, window};
use crate::settings::BotStatus;
use crate::state::AppState;
use crate::storage::{self, StorageError};
use serde_json::json;

/// Each kind's text with sample values, as the settings page previews them.
fn previews(lang: Lang, offset: i32) -> Vec<(NotificationKind, String)> {
    let terms = texts::CertTerms {
        id: CertId(0),
        title: "Охрана труда",
        closes_at: Some(Timestamp(1_893_456_000_000)),
        time_limit_secs: 1_200,
        max_attempts: 3,
    };
    NotificationKind::ALL
        .into_iter()
        .map(|k| {
            let text = match k {
                NotificationKind::Badge => texts::badge(lang, "Отличник", "Сдал на 100 %", 0),
                NotificationKind::Level => texts::level(lang, "Эксперт", 500),
                NotificationKind::Assigned | NotificationKind::Opened => {
                    texts::available(lang, k, &terms, offset)
                }
                NotificationKind::Reminder => texts::reminder(lang, &terms, offset),
                NotificationKind::Nudge => texts::nudge(lang, terms.title, 360_000, AttemptId(0)),
                NotificationKind::TeamResult => texts::team_result(
                    lang,
                    &texts::ResultFacts {
                        person: UserId(0),
                        name: "Анна Смирнова",
                        title: terms.title,
                        percent: 85,
                        best: 85,
                        passed: true,
                        attempt: 2,
                        max_attempts: 3,
                    },
                ),
            };
            (k, text.body)
        })
        .chain(std::iter::once((
            NotificationKind::TeamResult,
            texts::digest(
                lang,
                DigestCounts {
                    passed: 37,
                    failed: 5,
                },
            )
            .body,
        )))
        .collect()
}

pub async fn admin_page(state: &AppState, lang: Lang) -> AppResult<NotificationsPageData> {
    let result = async {
        let mut c = state.db.read().await?;
        Ok::<_, StorageError>(NotificationsPageData {
            settings: crate::settings::load(c.conn()).await?,
            bot: crate::settings::load::<BotStatus>(c.conn()).await?,
            bot_configured: state.config.bot_token.is_some(),
            buttons_allowed: super::queue::buttons_allowed(state),
            counts: storage::telegram::counts(c.conn()).await?,
            previews: previews(lang, state.config.display_utc_offset_minutes),
        })
    }
    .await;
    result.map_err(AppError::from)
}

pub async fn save_settings(
    state: &AppState,
    actor: &Actor,
    mut settings: NotificationSettings,
    origin: &Origin,
) -> AppResult<()> {
    settings.enabled.sort();
    settings.enabled.dedup();
    let errors = settings.validate();
    if !errors.is_empty() {
        return Err(AppError::Invalid { fields: errors });
    }
    let now = state.now();
    let result = async {
        let mut tx = state.db.begin().await?;
        let before: NotificationSettings = crate::settings::load(tx.conn()).await?;
        crate::settings::save(tx.conn(), &settings, Some(actor.user.id), now).await?;
        storage::audit::record(
            tx.conn(),
            &audit_by(
                &actor.user,
                AuditAction::SettingsChanged,
                "settings",
                "notifications",
                json!({ "before": before, "after": settings }),
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

pub async fn log(
    state: &AppState,
    actor: &Actor,
    status: Option<String>,
    kind: Option<String>,
    page: i64,
) -> AppResult<Page<LogEntry>> {
    let (limit, offset, page, per_page) = window(page, DEFAULT_PER_PAGE);
    let filter = storage::telegram::LogFilter {
        status: status.filter(|s| !s.is_empty()),
        kind: kind.filter(|s| !s.is_empty()),
        recipient: None,
        notifications_only: true,
        scope: actor.scope.clone(),
    };
    let result = async {
        let mut c = state.db.read().await?;
        let (rows, total) = storage::telegram::log(c.conn(), &filter, limit, offset).await?;
        let mut items = Vec::with_capacity(rows.len());
        for m in rows {
            let recipient = match m.recipient_id {
                Some(id) => storage::users::get(c.conn(), id)
                    .await?
                    .map(|u| u.full_name()),
                None => None,
            };
            items.push(LogEntry {
                message: m,
                recipient,
            });
        }
        Ok::<_, StorageError>(Page {
            items,
            total,
            page,
            per_page,
        })
    }
    .await;
    result.map_err(AppError::from)
}

pub async fn resend(state: &AppState, actor: &Actor, id: i64, origin: &Origin) -> AppResult<()> {
    let now = state.now();
    async {
        let mut tx = state.db.begin().await?;
        let Some(m) = storage::telegram::get(tx.conn(), id).await? else {
            return Err(AppError::NotFound);
        };
        if let Some(to) = m.recipient_id
            && storage::users::get_in_scope(tx.conn(), to, &actor.scope)
                .await?
                .is_none()
        {
            return Err(AppError::NotFound);
        }
        if !storage::telegram::resend(tx.conn(), id, now).await? {
            return Err(AppError::refused(crate::i18n::Msg::ErrNotResendable));
        }
        storage::audit::record(
            tx.conn(),
            &audit_by(
                &actor.user,
                AuditAction::NotificationResent,
                "notification",
                id,
                json!({ "kind": m.kind, "status_before": m.status, "last_error": m.last_error }),
                origin,
                now,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await
}

/// The kinds a person hears about: results for managers and admins, the rest for everyone who
/// takes certifications.
fn kinds_for(actor: &Actor) -> Vec<NotificationKind> {
    let manager = actor.user.role != crate::domain::user::Role::Employee;
    NotificationKind::ALL
        .into_iter()
        .filter(|k| manager || !k.for_managers())
        .collect()
}

pub async fn mine(state: &AppState, actor: &Actor) -> AppResult<MyNotificationKinds> {
    let mut c = state.db.read().await.map_err(AppError::from)?;
    let muted = storage::notifications::mutes(c.conn(), actor.user.id)
        .await
        .map_err(AppError::from)?
        .iter()
        .filter_map(|k| k.parse().ok())
        .collect();
    Ok(MyNotificationKinds {
        kinds: kinds_for(actor),
        muted,
    })
}

pub async fn save_mine(
    state: &AppState,
    actor: &Actor,
    mut muted: Vec<NotificationKind>,
    origin: &Origin,
) -> AppResult<()> {
    let kinds = kinds_for(actor);
    muted.retain(|k| kinds.contains(k));
    muted.sort();
    muted.dedup();
    let now = state.now();
    let names: Vec<&str> = muted.iter().map(|k| k.as_str()).collect();
    let result = async {
        let mut tx = state.db.begin().await?;
        storage::notifications::set_mutes(tx.conn(), actor.user.id, &names, now).await?;
        storage::audit::record(
            tx.conn(),
            &audit_by(
                &actor.user,
                AuditAction::NotificationsMuted,
                "user",
                actor.user.id,
                json!({ "muted": names }),
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

/// Who a reminder by hand reaches, and how many were queued.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reminded {
    /// The bot can write to them (now, or after the quiet hours).
    pub reached: i64,
    /// Queued now (0 for a dry run; a person reminded of it today already is not again).
    pub queued: i64,
}

/// Reminds `people` of a certification through the bot, one message each, as the deadline
/// reminder is sent: the kind switched on, each person's mutes and the quiet hours apply. At
/// most one such reminder per person and certification a day (a double click sends one).
/// A run that queued any is audited once, with its counts.
pub async fn remind(
    state: &AppState,
    actor: &Actor,
    origin: &Origin,
    cert: &crate::domain::certification::Certification,
    people: &[UserId],
    dry_run: bool,
) -> AppResult<Reminded> {
    use super::queue::{Context, Note, queue, skip_reason};
    let now = state.now();
    let offset = state.config.display_utc_offset_minutes;
    let result = async {
        // Who the bot can write to, read without taking the writer (a preview writes nothing).
        let (settings, reachable) = {
            let mut c = state.db.read().await?;
            let settings: NotificationSettings = crate::settings::load(c.conn()).await?;
            let mut reachable = Vec::new();
            for id in people {
                let Some(to) = storage::notifications::recipient(c.conn(), *id).await? else {
                    continue;
                };
                let mutes = storage::notifications::mutes(c.conn(), to.id).await?;
                if skip_reason(&settings, NotificationKind::Reminder, &mutes, &to).is_none() {
                    reachable.push(to);
                }
            }
            (settings, reachable)
        };
        let mut out = Reminded {
            reached: reachable.len() as i64,
            queued: 0,
        };
        if dry_run || reachable.is_empty() {
            return Ok::<_, StorageError>(out);
        }
        let cx = Context {
            state,
            settings: &settings,
            now,
        };
        let send_at = settings
            .quiet_hours
            .map_or(now, |q| q.next_allowed(now, offset))
            .max(now);
        let terms = texts::CertTerms {
            id: cert.id,
            title: &cert.settings.title,
            closes_at: cert.settings.closes_at,
            time_limit_secs: cert.settings.time_limit_secs,
            max_attempts: cert.settings.max_attempts,
        };
        let day = now.millis() / 86_400_000;
        let mut tx = state.db.begin().await?;
        for to in &reachable {
            let key = format!("remind:{}:{}:{day}", cert.id, to.id);
            let note = Note {
                kind: NotificationKind::Reminder,
                key: &key,
                text: texts::manual_reminder(to.lang(), &terms, offset),
                send_at,
                payload: json!({ "by_hand": true }),
            };
            if queue(tx.conn(), &cx, to, note).await? {
                out.queued += 1;
            }
        }
        if out.queued > 0 {
            storage::audit::record(
                tx.conn(),
                &audit_by(
                    &actor.user,
                    AuditAction::RemindersSent,
                    "certification",
                    cert.id,
                    json!({ "certification": cert.settings.title, "queued": out.queued,
                            "reached": out.reached, "chosen": people.len() }),
                    origin,
                    now,
                ),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(out)
    }
    .await;
    result.map_err(AppError::from)
}
