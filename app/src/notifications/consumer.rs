//! Notifications as a consumer of domain events: each event that someone should hear about
//! becomes rows of the Telegram outbox, written in the consumer's transaction (with its
//! cursor), so an event is never lost and never queues twice.

use super::queue::{Context, Note, queue, queue_muted};
use super::texts::{self, CertTerms, ResultFacts};
use crate::domain::events::DomainEvent;
use crate::domain::notifications::{NotificationKind, NotificationSettings};
use crate::domain::scope::visible_people;
use crate::domain::{BranchId, CertId, EventId, UserId};
use crate::outbox::{BatchMemo, Consumer, EventMeta};
use crate::state::AppState;
use crate::storage::{self, Conn, StorageError};
use futures::future::BoxFuture;
use serde_json::json;
use std::collections::HashMap;

pub struct Notifications;

impl Consumer for Notifications {
    fn name(&self) -> &'static str {
        "notifications"
    }

    fn kinds(&self) -> Option<&'static [&'static str]> {
        Some(&[
            "badge_awarded",
            "level_reached",
            "certification_opened",
            "certification_assigned",
            "user_edited",
            "user_registered",
            "attempt_finished",
        ])
    }

    fn handle<'a>(
        &'a self,
        state: &'a AppState,
        c: Conn<'a>,
        meta: EventMeta,
        event: &'a DomainEvent,
    ) -> BoxFuture<'a, Result<(), StorageError>> {
        Box::pin(async move { handle(state, c, meta, event, &mut Remembered::default()).await })
    }

    fn handle_in_batch<'a>(
        &'a self,
        state: &'a AppState,
        c: Conn<'a>,
        meta: EventMeta,
        event: &'a DomainEvent,
        memo: &'a mut BatchMemo,
    ) -> BoxFuture<'a, Result<(), StorageError>> {
        Box::pin(handle(state, c, meta, event, memo.get()))
    }
}

/// The admins and managers, and each manager's branch limit.
type Managers = (
    Vec<storage::notifications::Recipient>,
    HashMap<UserId, Vec<BranchId>>,
);

/// What is read the same for every event of a batch: the settings, the admins and managers
/// with their branch limits, the kinds each of them muted, and the certifications' briefs.
#[derive(Default)]
struct Remembered {
    settings: Option<NotificationSettings>,
    managers: Option<Managers>,
    mutes: HashMap<UserId, Vec<String>>,
    briefs: HashMap<CertId, Option<storage::notifications::CertBrief>>,
}

impl Remembered {
    async fn settings(&mut self, c: Conn<'_>) -> Result<NotificationSettings, StorageError> {
        if let Some(s) = &self.settings {
            return Ok(s.clone());
        }
        let s: NotificationSettings = crate::settings::load(c).await?;
        self.settings = Some(s.clone());
        Ok(s)
    }

    async fn brief(
        &mut self,
        c: Conn<'_>,
        cert: CertId,
    ) -> Result<Option<storage::notifications::CertBrief>, StorageError> {
        if let Some(b) = self.briefs.get(&cert) {
            return Ok(b.clone());
        }
        let b = storage::notifications::cert_brief(c, cert).await?;
        self.briefs.insert(cert, b.clone());
        Ok(b)
    }
}

/// The admins and managers, and each manager's branch limit (a free function over the memo's
/// slot, so that the mutes' slot can be borrowed beside it).
async fn managers<'m>(
    slot: &'m mut Option<Managers>,
    mut c: Conn<'_>,
) -> Result<
    (
        &'m [storage::notifications::Recipient],
        &'m HashMap<UserId, Vec<BranchId>>,
    ),
    StorageError,
> {
    let read = match slot.take() {
        Some(read) => read,
        None => (
            storage::notifications::managers(c.re()).await?,
            storage::notifications::all_manager_branches(c.re()).await?,
        ),
    };
    let (managers, limits) = slot.insert(read);
    Ok((managers, limits))
}

/// The kinds `user` muted, read once a batch.
async fn mutes<'m>(
    memo: &'m mut HashMap<UserId, Vec<String>>,
    c: Conn<'_>,
    user: UserId,
) -> Result<&'m [String], StorageError> {
    Ok(match memo.entry(user) {
        std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
        std::collections::hash_map::Entry::Vacant(e) => {
            e.insert(storage::notifications::mutes(c, user).await?)
        }
    })
}

async fn handle(
    state: &AppState,
    mut c: Conn<'_>,
    meta: EventMeta,
    event: &DomainEvent,
    memo: &mut Remembered,
) -> Result<(), StorageError> {
    let id = meta.id;
    let settings = memo.settings(c.re()).await?;
    let cx = Context {
        state,
        settings: &settings,
        now: state.now(),
    };
    match event {
        DomainEvent::BadgeAwarded { user_id, badge_id } => {
            badge(c, &cx, id, *user_id, *badge_id).await
        }
        DomainEvent::LevelReached { user_id, level } => {
            new_level(c, &cx, id, *user_id, *level).await
        }
        DomainEvent::CertificationOpened { certification_id } => {
            available_to_all(c, &cx, *certification_id, NotificationKind::Opened, None).await
        }
        // An assignment made before the opening is told by the opening.
        DomainEvent::CertificationAssigned {
            certification_id, ..
        } => {
            available_to_all(
                c,
                &cx,
                *certification_id,
                NotificationKind::Assigned,
                Some(meta.occurred_at),
            )
            .await
        }
        DomainEvent::UserEdited { user_id, .. }
        | DomainEvent::UserRegistered {
            user_id,
            pending: false,
        } => newly_assigned(c, &cx, *user_id).await,
        DomainEvent::AttemptFinished {
            user_id,
            certification_id,
            percent,
            passed,
            ..
        } => {
            let facts = FinishedFacts {
                event: id,
                person: *user_id,
                cert: *certification_id,
                percent: *percent,
                passed: *passed,
            };
            team_results(c, &cx, &facts, memo).await
        }
        _ => Ok(()),
    }
}

async fn badge(
    mut c: Conn<'_>,
    cx: &Context<'_>,
    event: EventId,
    user: UserId,
    badge_id: i64,
) -> Result<(), StorageError> {
    let (Some(to), Some(b)) = (
        storage::notifications::recipient(c.re(), user).await?,
        storage::gamification::badge(c.re(), badge_id).await?,
    ) else {
        return Ok(());
    };
    let why = storage::gamification::award_reason(c.re(), user, badge_id)
        .await?
        .filter(|r| !r.is_empty())
        .unwrap_or(b.description.clone());
    let key = format!("badge:{event}:{user}");
    let text = texts::badge(to.lang(), &b.name, &why, b.id);
    queue(c, cx, &to, note(NotificationKind::Badge, &key, text, cx)).await?;
    Ok(())
}

fn note<'a>(kind: NotificationKind, key: &'a str, text: texts::Text, cx: &Context<'_>) -> Note<'a> {
    Note {
        kind,
        key,
        text,
        send_at: cx.now,
        payload: json!({}),
    }
}

async fn new_level(
    mut c: Conn<'_>,
    cx: &Context<'_>,
    event: EventId,
    user: UserId,
    level: i64,
) -> Result<(), StorageError> {
    let Some(to) = storage::notifications::recipient(c.re(), user).await? else {
        return Ok(());
    };
    let levels = storage::gamification::levels(c.re()).await?;
    let Some(l) = levels.iter().find(|l| l.number == level) else {
        return Ok(());
    };
    let balance = storage::gamification::balance(c.re(), user).await?;
    let key = format!("level:{event}:{user}");
    let text = texts::level(to.lang(), &l.name, balance);
    queue(c, cx, &to, note(NotificationKind::Level, &key, text, cx)).await?;
    Ok(())
}

/// The one message per person and certification that says it is theirs to take now.
pub(super) fn available_key(cert: CertId, user: UserId) -> String {
    format!("available:{cert}:{user}")
}

/// Everyone the open certification is assigned to who has not been told yet. `assigned_at`:
/// the assignment's time, for an assignment (made before the opening: nothing to do).
async fn available_to_all(
    mut c: Conn<'_>,
    cx: &Context<'_>,
    cert: CertId,
    kind: NotificationKind,
    assigned_at: Option<crate::domain::Timestamp>,
) -> Result<(), StorageError> {
    let Some(brief) = storage::notifications::cert_brief(c.re(), cert).await? else {
        return Ok(());
    };
    // A draft or scheduled certification notifies nobody; its opening will.
    if brief.status != "open" {
        return Ok(());
    }
    if let Some(at) = assigned_at
        && brief.opened_at.is_none_or(|opened| opened >= at)
    {
        return Ok(());
    }
    let people = storage::notifications::assigned_people(c.re(), cert).await?;
    for to in people {
        tell_available(c.re(), cx, &brief, &to, kind).await?;
    }
    Ok(())
}

async fn tell_available(
    c: Conn<'_>,
    cx: &Context<'_>,
    brief: &storage::notifications::CertBrief,
    to: &storage::notifications::Recipient,
    kind: NotificationKind,
) -> Result<bool, StorageError> {
    let key = available_key(brief.id, to.id);
    let terms = CertTerms {
        id: brief.id,
        title: &brief.title,
        closes_at: brief.closes_at,
        time_limit_secs: brief.time_limit_secs,
        max_attempts: brief.max_attempts,
    };
    let text = texts::available(
        to.lang(),
        kind,
        &terms,
        cx.state.config.display_utc_offset_minutes,
    );
    queue(c, cx, to, note(kind, &key, text, cx)).await
}

/// A person who joined a position or branch, or was activated: the open certifications that
/// reach them now.
async fn newly_assigned(
    mut c: Conn<'_>,
    cx: &Context<'_>,
    user: UserId,
) -> Result<(), StorageError> {
    let Some(to) = storage::notifications::recipient(c.re(), user).await? else {
        return Ok(());
    };
    if to.status != crate::domain::user::UserStatus::Active {
        return Ok(());
    }
    for cert in storage::notifications::open_assigned_to(c.re(), user).await? {
        if let Some(brief) = storage::notifications::cert_brief(c.re(), cert).await? {
            tell_available(c.re(), cx, &brief, &to, NotificationKind::Assigned).await?;
        }
    }
    Ok(())
}

struct FinishedFacts {
    event: EventId,
    person: UserId,
    cert: CertId,
    percent: i64,
    passed: bool,
}

/// "<name> passed / did not pass <certification>" to every admin and manager who may see the
/// person.
async fn team_results(
    mut c: Conn<'_>,
    cx: &Context<'_>,
    f: &FinishedFacts,
    memo: &mut Remembered,
) -> Result<(), StorageError> {
    let (Some(person), Some(brief)) = (
        storage::notifications::recipient(c.re(), f.person).await?,
        memo.brief(c.re(), f.cert).await?,
    ) else {
        return Ok(());
    };
    let progress = storage::attempts::progress(c.re(), f.person, f.cert)
        .await?
        .unwrap_or_default();
    // Attempts since the last reset, this one included.
    let number = progress.attempts_used.max(1);
    let name = person.name();
    let (managers, limits) = managers(&mut memo.managers, c.re()).await?;
    for to in managers {
        if to.id == person.id {
            continue;
        }
        let scope = visible_people(to.role, limits.get(&to.id).map_or(&[][..], |v| v));
        if !scope.includes(person.branch_id) {
            continue;
        }
        let text = texts::team_result(
            to.lang(),
            &ResultFacts {
                person: person.id,
                name: &name,
                title: &brief.title,
                percent: f.percent,
                best: progress.best_percent.unwrap_or(f.percent),
                passed: f.passed,
                attempt: number,
                max_attempts: brief.max_attempts,
            },
        );
        let key = format!("team_result:{}:{}", f.event, to.id);
        let muted = mutes(&mut memo.mutes, c.re(), to.id).await?;
        queue_muted(
            c.re(),
            cx,
            to,
            muted,
            Note {
                kind: NotificationKind::TeamResult,
                key: &key,
                text,
                send_at: cx.now,
                payload: json!({ "passed": f.passed, "person": person.id, "lang": to.lang().code() }),
            },
        )
        .await?;
    }
    Ok(())
}
