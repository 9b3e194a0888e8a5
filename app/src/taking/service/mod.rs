//! The rules of taking a certification, enforced by the server whatever the client does.
//!
//! One file per part: `reading`, `start`, `answer` (the running attempt), `finish` (and the result), `review`, `overdue` (the job) and `admin`; this
//! file holds what they share.

use super::touches::{Sign, Touch};
use super::{
    AttemptRecord, AttemptScreen, AttemptSummary, CertForTaking, CertResults, CertRules, ClockAck,
    Earned, MyCert, PreviewData, ReadState, ResultState, ResultView, ReviewItem, ShownQuestion,
    Started, TestEntry, TheoryData,
};
use crate::auth::cookie::hash_token;
use crate::domain::actor::{Actor, By, label_of};
use crate::domain::attempt::{
    self, AttemptClock, ReviewDepth, Standing, TouchKind, TouchRefusal, build_questions,
    build_questions_for, review_depth,
};
use crate::domain::audit::{AuditAction, Origin};
use crate::domain::certification::{CertStatus, Certification, TheoryBlock, TimerMode};
use crate::domain::events::DomainEvent;
use crate::domain::progress::theory_is_read;
use crate::domain::user::{User, UserStatus};
use crate::domain::{AttemptId, BlockId, CertId, Timestamp, UserId};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::state::AppState;
use crate::storage::attempts::{self as store, AttemptLite, Progress};
use crate::storage::certifications as certs;
use crate::storage::{self, Conn, StorageError};
use crate::taking::start_reads::cert_for_taking_at;
use serde_json::json;
use std::sync::Arc;

mod admin;
mod answer;
mod finish;
mod overdue;
mod reading;
mod results;
mod review;
mod start;

pub use super::finalize::{Ending, finalize, finalize_many};
pub use admin::*;
pub use answer::*;
pub use finish::*;
pub use overdue::*;
pub use reading::*;
pub use results::*;
pub use review::*;
pub use start::*;

/// A Mini App request to the taking service: the session it came with (the batch writer checks
/// the session itself, so the plain answer never resolves the member), where it came from, and
/// whether it is the server rendering of a page (which only reads).
#[derive(Clone)]
pub struct Taker {
    pub token: Option<String>,
    pub origin: Origin,
    pub render: bool,
}

impl Taker {
    /// The active member behind the request's session.
    pub async fn member(&self, state: &AppState) -> AppResult<Actor> {
        crate::auth::service::member(state, self.token.as_deref()).await
    }

    /// [`Self::member`] on the read connection the request goes on with.
    pub async fn member_on(&self, state: &AppState, c: Conn<'_>) -> AppResult<Actor> {
        crate::auth::service::member_on(state, c, self.token.as_deref()).await
    }

    /// The session's label in the integrity record.
    fn session(&self) -> Option<String> {
        self.token
            .as_deref()
            .map(|t| store::session_label(&hash_token(t)))
    }
}

/// What a person's standing in a certification is computed from (one read).
type Facts = store::Standing;

async fn facts(c: Conn<'_>, user: UserId, cert: CertId) -> Result<Facts, StorageError> {
    store::standing(c, user, cert).await
}

/// The certification as a member may see it ([`visible_cert`]) from the cache, with the
/// person's standing in it, read once for the rules that follow.
async fn visible_for_taking(
    mut c: Conn<'_>,
    caches: &crate::cache::Caches,
    user: UserId,
    id: CertId,
) -> AppResult<(Arc<CertForTaking>, Facts)> {
    let versions = crate::cache::Versions::read_on(c.re()).await?;
    visible_for_taking_at(c, caches, versions, user, id).await
}

/// [`visible_for_taking`] at cache versions the caller has read.
async fn visible_for_taking_at(
    mut c: Conn<'_>,
    caches: &crate::cache::Caches,
    versions: crate::cache::Versions,
    user: UserId,
    id: CertId,
) -> AppResult<(Arc<CertForTaking>, Facts)> {
    let view = cert_for_taking_at(c.re(), caches, versions, id).await?;
    if !matches!(view.cert.status, CertStatus::Open | CertStatus::Closed) {
        return Err(AppError::NotFound);
    }
    let facts = facts(c, user, id).await?;
    if !facts.assigned && facts.progress.is_none() {
        return Err(AppError::NotFound);
    }
    Ok((view, facts))
}

/// The certification as a member may see it: open or closed, and assigned to them (or they
/// have progress in it).
async fn visible_cert(mut c: Conn<'_>, user: UserId, id: CertId) -> AppResult<Certification> {
    let Some(cert) = certs::get(c.re(), id).await? else {
        return Err(AppError::NotFound);
    };
    if !matches!(cert.status, CertStatus::Open | CertStatus::Closed) {
        return Err(AppError::NotFound);
    }
    let facts = facts(c, user, id).await?;
    if !facts.assigned && facts.progress.is_none() {
        return Err(AppError::NotFound);
    }
    Ok(cert)
}
