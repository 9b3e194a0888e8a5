//! The rules of authoring, enforced on the server: every change goes through here.
//!
//! One file per part: `settings` (and the lifecycle), `theory`, `questions` and
//! `assignments`; this file holds what they share.

use super::{AssignKind, AssignOptions, AssignmentView, CertEditorData, CertListItem, VersionView};
use crate::domain::actor::{Actor, By, audit_by};
use crate::domain::audit::{AuditAction, Origin};
use crate::domain::certification::{
    BlockInput, BlockKind, CertSettings, CertStatus, Certification, Content, LifecycleAction,
    MaterialKind, TITLE_MAX, check_settings_update, theory_edit_makes_new_version, transition,
};
use crate::domain::events::DomainEvent;
use crate::domain::permissions::Module;
use crate::domain::question::{Question, QuestionContent, is_safe_url};
use crate::domain::scope::PeopleScope;
use crate::domain::{BlockId, CertId, MaterialId, QuestionId, Timestamp};
use crate::error::{AppError, AppResult, FieldError};
use crate::i18n::Msg;
use crate::paging::{DEFAULT_PER_PAGE, Page, window};
use crate::richtext;
use crate::state::AppState;
use crate::storage::certifications::{self as certs, TargetKind};
use crate::storage::{self, Conn, StorageError};
use serde_json::json;

mod assignments;
mod questions;
mod settings;
mod theory;

pub use assignments::*;
pub use questions::*;
pub use settings::*;
pub use theory::*;

async fn locked(c: Conn<'_>, id: CertId) -> AppResult<Certification> {
    certs::get_for_update(c, id)
        .await?
        .ok_or(AppError::NotFound)
}

fn target_kind(k: AssignKind) -> TargetKind {
    match k {
        AssignKind::Position => TargetKind::Position,
        AssignKind::Branch => TargetKind::Branch,
        AssignKind::User => TargetKind::User,
    }
}
