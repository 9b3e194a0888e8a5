//! The rules of authoring, enforced on the server: every change goes through here.

use super::{AssignKind, AssignOptions, AssignmentView, CertEditorData, CertListItem, VersionView};
use crate::auth::guard;
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

/// The outcome of work inside a transaction: a storage failure, or a refusal with its reason.
type TxResult<T> = Result<Result<T, AppError>, StorageError>;

fn flatten<T>(r: TxResult<T>) -> AppResult<T> {
    r.map_err(AppError::from)?
}

async fn locked(c: Conn<'_>, id: CertId) -> Result<Result<Certification, AppError>, StorageError> {
    Ok(certs::get_for_update(c, id)
        .await?
        .ok_or(AppError::NotFound))
}

fn target_kind(k: AssignKind) -> TargetKind {
    match k {
        AssignKind::Position => TargetKind::Position,
        AssignKind::Branch => TargetKind::Branch,
        AssignKind::User => TargetKind::User,
    }
}

pub async fn list(
    status: Option<CertStatus>,
    search: Option<String>,
    page: i64,
) -> AppResult<Page<CertListItem>> {
    guard::module(Module::Certifications).await?;
    let state = guard::state();
    let (limit, offset, page, per_page) = window(page, DEFAULT_PER_PAGE);
    let mut c = state.db.read().await.map_err(AppError::from)?;
    let (rows, total) = certs::list(c.conn(), status, search.as_deref(), limit, offset)
        .await
        .map_err(AppError::from)?;
    let items = rows
        .into_iter()
        .filter_map(|r| {
            Some(CertListItem {
                id: r.id,
                title: r.title,
                status: r.status.parse().ok()?,
                opens_at: r.opens_at,
                closes_at: r.closes_at,
                questions: r.questions,
                blocks: r.blocks,
            })
        })
        .collect();
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

pub async fn create(title: String) -> AppResult<CertId> {
    let actor = guard::module(Module::Certifications).await?;
    let settings = CertSettings {
        title: title.trim().to_owned(),
        ..CertSettings::default()
    };
    if let Some(e) = settings.validate().into_iter().find(|e| e.field == "title") {
        return Err(AppError::Invalid { fields: vec![e] });
    }
    let state = guard::state();
    let now = state.now();
    let origin = guard::origin("admin");
    let result = async {
        let mut tx = state.db.begin().await?;
        let id = certs::insert(tx.conn(), &settings, actor.user.id, now).await?;
        storage::audit::record(
            tx.conn(),
            &audit_by(
                &actor.user,
                AuditAction::CertificationCreated,
                "certification",
                id,
                json!({ "title": settings.title }),
                &origin,
                now,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok::<_, StorageError>(id)
    }
    .await;
    result.map_err(AppError::from)
}

pub async fn load_editor(state: &AppState, id: CertId) -> AppResult<CertEditorData> {
    let mut c = state.db.read().await.map_err(AppError::from)?;
    let result = async {
        let Some(cert) = certs::get(c.conn(), id).await? else {
            return Ok(None);
        };
        let blocks = certs::blocks(c.conn(), id, cert.theory_version).await?;
        let materials = certs::materials(c.conn(), id, cert.theory_version).await?;
        let questions = storage::questions::of_certification(c.conn(), id).await?;
        let assignments = certs::assignments(c.conn(), id)
            .await?
            .into_iter()
            .map(|a| AssignmentView {
                kind: match a.target_kind {
                    TargetKind::Position => AssignKind::Position,
                    TargetKind::Branch => AssignKind::Branch,
                    TargetKind::User => AssignKind::User,
                },
                target_id: a.target_id,
                label: a.label.unwrap_or_else(|| format!("#{}", a.target_id)),
            })
            .collect();
        let versions = certs::versions(c.conn(), id)
            .await?
            .into_iter()
            .map(|v| VersionView {
                version: v.version,
                require_reread: v.require_reread,
                created_at: v.created_at,
            })
            .collect();
        let assigned_users = certs::assigned_users(c.conn(), id).await?.len() as i64;
        Ok::<_, StorageError>(Some(CertEditorData {
            cert,
            blocks,
            materials,
            questions,
            assignments,
            versions,
            assigned_users,
            keys_hidden: false,
        }))
    }
    .await;
    result.map_err(AppError::from)?.ok_or(AppError::NotFound)
}

pub async fn editor(id: CertId) -> AppResult<CertEditorData> {
    let actor = guard::module(Module::Certifications).await?;
    let mut data = load_editor(&guard::state(), id).await?;
    // The answer keys belong to the question bank: without it the questions are read-only
    // and keyless.
    if !actor.modules.contains(Module::QuestionBank) {
        data.keys_hidden = true;
        for q in &mut data.questions {
            q.content = q.content.clone().without_key();
        }
    }
    Ok(data)
}

fn sanitized(mut s: CertSettings) -> CertSettings {
    s.title = s.title.trim().to_owned();
    s.description = richtext::sanitize(&s.description);
    s
}

pub async fn update_settings(id: CertId, new: CertSettings) -> AppResult<Certification> {
    let actor = guard::module(Module::Certifications).await?;
    let new = sanitized(new);
    let state = guard::state();
    let now = state.now();
    let origin = guard::origin("admin");
    let result: TxResult<Certification> = async {
        let mut tx = state.db.begin().await?;
        let cert = match locked(tx.conn(), id).await? {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        if let Err(fields) = check_settings_update(cert.status, &cert.settings, &new, now) {
            return Ok(Err(AppError::Invalid { fields }));
        }
        certs::update_settings(tx.conn(), id, &new, now).await?;
        let before = serde_json::to_value(&cert.settings).unwrap_or_default();
        let after = serde_json::to_value(&new).unwrap_or_default();
        let changed: serde_json::Map<String, serde_json::Value> = after
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, v)| before.get(k.as_str()) != Some(v))
            .map(|(k, v)| {
                (
                    k.clone(),
                    json!({ "before": before.get(k.as_str()), "after": v }),
                )
            })
            .collect();
        storage::audit::record(
            tx.conn(),
            &audit_by(
                &actor.user,
                AuditAction::CertificationEdited,
                "certification",
                id,
                json!(changed),
                &origin,
                now,
            ),
        )
        .await?;
        let updated = certs::get(tx.conn(), id).await?;
        tx.commit().await?;
        Ok(updated.ok_or(AppError::NotFound))
    }
    .await;
    flatten(result)
}

/// Applies a lifecycle change by a person (`actor`) or the scheduler (`None`).
pub async fn apply_lifecycle(
    state: &AppState,
    id: CertId,
    action: Option<LifecycleAction>,
    actor: Option<&Actor>,
    origin: &Origin,
) -> AppResult<Option<Certification>> {
    let now = state.now();
    let result: TxResult<Option<Certification>> = async {
        let mut tx = state.db.begin().await?;
        let cert = match locked(tx.conn(), id).await? {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        let to = match action {
            Some(action) => {
                let content = Content {
                    theory_blocks: certs::blocks(tx.conn(), id, cert.theory_version).await?.len(),
                    questions: certs::question_count(tx.conn(), id).await? as usize,
                };
                match transition(cert.status, action, &cert.settings, content, now) {
                    Ok(s) => s,
                    Err(msg) => return Ok(Err(AppError::refused(msg))),
                }
            }
            None => match crate::domain::certification::due_transition(
                cert.status,
                cert.settings.opens_at,
                cert.settings.closes_at,
                now,
            ) {
                Some(s) => s,
                None => return Ok(Ok(None)),
            },
        };
        if !certs::set_status(tx.conn(), id, cert.status, to, now).await? {
            return Ok(Err(AppError::Conflict));
        }
        let details = json!({ "from": cert.status.as_str(), "to": to.as_str(), "by": if actor.is_some() { "admin" } else { "scheduler" } });
        let entry = match actor {
            Some(a) => audit_by(&a.user, AuditAction::CertificationStatusChanged, "certification", id, details, origin, now),
            None => crate::domain::audit::AuditEntry {
                at: now,
                actor_id: None,
                actor_label: "scheduler".into(),
                action: AuditAction::CertificationStatusChanged,
                target_type: Some("certification".into()),
                target_id: Some(id.to_string()),
                details,
                origin: origin.clone(),
            },
        };
        storage::audit::record(tx.conn(), &entry).await?;
        match to {
            CertStatus::Open => {
                storage::events::emit(tx.conn(), &DomainEvent::CertificationOpened { certification_id: id }, now)
                    .await?;
            }
            CertStatus::Closed => {
                storage::events::emit(tx.conn(), &DomainEvent::CertificationClosed { certification_id: id }, now)
                    .await?;
            }
            _ => {}
        }
        let updated = certs::get(tx.conn(), id).await?;
        tx.commit().await?;
        Ok(Ok(updated))
    }
    .await;
    flatten(result)
}

pub async fn lifecycle(id: CertId, action: LifecycleAction) -> AppResult<Certification> {
    let actor = guard::module(Module::Certifications).await?;
    apply_lifecycle(
        &guard::state(),
        id,
        Some(action),
        Some(&actor),
        &guard::origin("admin"),
    )
    .await?
    .ok_or(AppError::NotFound)
}

fn validate_block(mut b: BlockInput) -> AppResult<BlockInput> {
    b.title = b.title.trim().to_owned();
    b.url = b.url.trim().to_owned();
    b.body = richtext::sanitize(&b.body);
    if b.kind == BlockKind::Text {
        b.url.clear();
    }
    let errors = b.validate(richtext::is_blank(&b.body));
    if errors.is_empty() {
        Ok(b)
    } else {
        Err(AppError::Invalid { fields: errors })
    }
}

/// The version a theory edit writes to: the current one in a draft, a new copy otherwise.
async fn version_for_edit(
    mut c: Conn<'_>,
    cert: &Certification,
    require_reread: bool,
    actor: &Actor,
    now: Timestamp,
) -> Result<i64, StorageError> {
    if theory_edit_makes_new_version(cert.status) {
        certs::new_theory_version(
            c.re(),
            cert.id,
            cert.theory_version,
            require_reread,
            actor.user.id,
            now,
        )
        .await
    } else {
        Ok(cert.theory_version)
    }
}

async fn audit_theory(
    c: Conn<'_>,
    actor: &Actor,
    id: CertId,
    op: &str,
    version: i64,
    require_reread: bool,
    now: Timestamp,
) -> Result<(), StorageError> {
    storage::audit::record(
        c,
        &audit_by(
            &actor.user,
            AuditAction::TheoryEdited,
            "certification",
            id,
            json!({ "op": op, "version": version, "require_reread": require_reread }),
            &guard::origin("admin"),
            now,
        ),
    )
    .await?;
    Ok(())
}

pub async fn add_block(id: CertId, block: BlockInput, require_reread: bool) -> AppResult<()> {
    let actor = guard::module(Module::Certifications).await?;
    let block = validate_block(block)?;
    let state = guard::state();
    let now = state.now();
    let result: TxResult<()> = async {
        let mut tx = state.db.begin().await?;
        let cert = match locked(tx.conn(), id).await? {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        if cert.status == CertStatus::Closed {
            return Ok(Err(AppError::refused(Msg::ErrClosedCertification)));
        }
        let version = version_for_edit(tx.conn(), &cert, require_reread, &actor, now).await?;
        certs::insert_block(tx.conn(), id, version, &block, now).await?;
        audit_theory(
            tx.conn(),
            &actor,
            id,
            "add_block",
            version,
            require_reread,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }
    .await;
    flatten(result)
}

/// Finds a block's certification (locked) and checks that the block is of the current
/// version, so an editor showing an outdated version cannot overwrite the newer one.
async fn block_in_current(
    mut c: Conn<'_>,
    block: BlockId,
) -> Result<Result<(Certification, i64), AppError>, StorageError> {
    let Some((cert_id, version, position)) = certs::block_place(c.re(), block).await? else {
        return Ok(Err(AppError::NotFound));
    };
    let cert = match locked(c, cert_id).await? {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    if version != cert.theory_version {
        return Ok(Err(AppError::Conflict));
    }
    if cert.status == CertStatus::Closed {
        return Ok(Err(AppError::refused(Msg::ErrClosedCertification)));
    }
    Ok(Ok((cert, position)))
}

pub async fn update_block(
    block_id: BlockId,
    block: BlockInput,
    require_reread: bool,
) -> AppResult<()> {
    let actor = guard::module(Module::Certifications).await?;
    let block = validate_block(block)?;
    let state = guard::state();
    let now = state.now();
    let result: TxResult<()> = async {
        let mut tx = state.db.begin().await?;
        let (cert, position) = match block_in_current(tx.conn(), block_id).await? {
            Ok(x) => x,
            Err(e) => return Ok(Err(e)),
        };
        let version = version_for_edit(tx.conn(), &cert, require_reread, &actor, now).await?;
        let target = certs::block_at(tx.conn(), cert.id, version, position)
            .await?
            .unwrap_or(block_id);
        certs::update_block(tx.conn(), target, &block, now).await?;
        audit_theory(
            tx.conn(),
            &actor,
            cert.id,
            "update_block",
            version,
            require_reread,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }
    .await;
    flatten(result)
}

pub async fn delete_block(block_id: BlockId, require_reread: bool) -> AppResult<()> {
    let actor = guard::module(Module::Certifications).await?;
    let state = guard::state();
    let now = state.now();
    let result: TxResult<()> = async {
        let mut tx = state.db.begin().await?;
        let (cert, position) = match block_in_current(tx.conn(), block_id).await? {
            Ok(x) => x,
            Err(e) => return Ok(Err(e)),
        };
        let count = certs::blocks(tx.conn(), cert.id, cert.theory_version)
            .await?
            .len();
        if count <= 1 && cert.status != CertStatus::Draft {
            return Ok(Err(AppError::refused(Msg::ErrNeedTheory)));
        }
        let version = version_for_edit(tx.conn(), &cert, require_reread, &actor, now).await?;
        let target = certs::block_at(tx.conn(), cert.id, version, position)
            .await?
            .unwrap_or(block_id);
        certs::delete_block(tx.conn(), target).await?;
        audit_theory(
            tx.conn(),
            &actor,
            cert.id,
            "delete_block",
            version,
            require_reread,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }
    .await;
    flatten(result)
}

pub async fn reorder_blocks(
    id: CertId,
    order: Vec<BlockId>,
    require_reread: bool,
) -> AppResult<()> {
    let actor = guard::module(Module::Certifications).await?;
    let state = guard::state();
    let now = state.now();
    let result: TxResult<()> = async {
        let mut tx = state.db.begin().await?;
        let cert = match locked(tx.conn(), id).await? {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        if cert.status == CertStatus::Closed {
            return Ok(Err(AppError::refused(Msg::ErrClosedCertification)));
        }
        let current = certs::blocks(tx.conn(), id, cert.theory_version).await?;
        let mut given: Vec<BlockId> = order.clone();
        given.sort();
        let mut have: Vec<BlockId> = current.iter().map(|b| b.id).collect();
        have.sort();
        if given != have {
            // The editor shows another version or another set of blocks: reload, don't guess.
            return Ok(Err(AppError::Conflict));
        }
        let version = version_for_edit(tx.conn(), &cert, require_reread, &actor, now).await?;
        let mut mapped = Vec::with_capacity(order.len());
        for b in &order {
            let position = current
                .iter()
                .find(|x| x.id == *b)
                .map(|x| x.position)
                .unwrap_or_default();
            mapped.push(
                certs::block_at(tx.conn(), id, version, position)
                    .await?
                    .unwrap_or(*b),
            );
        }
        certs::set_block_order(tx.conn(), id, version, &mapped, now).await?;
        audit_theory(
            tx.conn(),
            &actor,
            id,
            "reorder",
            version,
            require_reread,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }
    .await;
    flatten(result)
}

pub async fn add_material(
    id: CertId,
    kind: MaterialKind,
    title: String,
    url: String,
) -> AppResult<()> {
    let actor = guard::module(Module::Certifications).await?;
    let title = title.trim().to_owned();
    let url = url.trim().to_owned();
    let mut fields = Vec::new();
    if title.is_empty() || title.chars().count() > TITLE_MAX || title.chars().any(char::is_control)
    {
        fields.push(FieldError {
            field: "material_title".into(),
            msg: Msg::ErrTitleEmpty,
        });
    }
    if !is_safe_url(&url) {
        fields.push(FieldError {
            field: "material_url".into(),
            msg: Msg::ErrUrl,
        });
    }
    if !fields.is_empty() {
        return Err(AppError::Invalid { fields });
    }
    let state = guard::state();
    let now = state.now();
    let result: TxResult<()> = async {
        let mut tx = state.db.begin().await?;
        let cert = match locked(tx.conn(), id).await? {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        if cert.status == CertStatus::Closed {
            return Ok(Err(AppError::refused(Msg::ErrClosedCertification)));
        }
        let version = version_for_edit(tx.conn(), &cert, false, &actor, now).await?;
        certs::insert_material(tx.conn(), id, version, kind, &title, &url, now).await?;
        audit_theory(tx.conn(), &actor, id, "add_material", version, false, now).await?;
        tx.commit().await?;
        Ok(Ok(()))
    }
    .await;
    flatten(result)
}

pub async fn delete_material(material_id: MaterialId) -> AppResult<()> {
    let actor = guard::module(Module::Certifications).await?;
    let state = guard::state();
    let now = state.now();
    let result: TxResult<()> = async {
        let mut tx = state.db.begin().await?;
        let Some((cert_id, version, position)) =
            certs::material_place(tx.conn(), material_id).await?
        else {
            return Ok(Err(AppError::NotFound));
        };
        let cert = match locked(tx.conn(), cert_id).await? {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        if version != cert.theory_version {
            return Ok(Err(AppError::Conflict));
        }
        if cert.status == CertStatus::Closed {
            return Ok(Err(AppError::refused(Msg::ErrClosedCertification)));
        }
        let version = version_for_edit(tx.conn(), &cert, false, &actor, now).await?;
        certs::delete_material_at(tx.conn(), cert_id, version, position).await?;
        audit_theory(
            tx.conn(),
            &actor,
            cert_id,
            "delete_material",
            version,
            false,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }
    .await;
    flatten(result)
}

pub async fn set_questions(id: CertId, questions: Vec<QuestionId>) -> AppResult<()> {
    let actor = guard::module(Module::Certifications).await?;
    let mut unique = questions.clone();
    unique.sort();
    unique.dedup();
    if unique.len() != questions.len() {
        return Err(AppError::refused(Msg::ErrDuplicateQuestion));
    }
    let state = guard::state();
    let now = state.now();
    let result: TxResult<()> = async {
        let mut tx = state.db.begin().await?;
        let cert = match locked(tx.conn(), id).await? {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        if cert.status == CertStatus::Closed {
            return Ok(Err(AppError::refused(Msg::ErrClosedCertification)));
        }
        let before: Vec<QuestionId> = storage::questions::of_certification(tx.conn(), id)
            .await?
            .into_iter()
            .map(|q| q.id)
            .collect();
        for q in &questions {
            match storage::questions::get(tx.conn(), *q).await? {
                None => return Ok(Err(AppError::NotFound)),
                // An archived question can stay where it is but cannot be added anew.
                Some(found) if found.archived && !before.contains(q) => {
                    return Ok(Err(AppError::refused(Msg::ErrQuestionArchived)));
                }
                Some(_) => {}
            }
        }
        if cert.status != CertStatus::Draft {
            if questions.is_empty() {
                return Ok(Err(AppError::refused(Msg::ErrNeedQuestion)));
            }
            if cert
                .settings
                .draw_count
                .is_some_and(|n| n as usize > questions.len())
            {
                return Ok(Err(AppError::refused(Msg::ErrDrawTooLarge)));
            }
        }
        certs::set_questions(tx.conn(), id, &questions, now).await?;
        storage::audit::record(
            tx.conn(),
            &audit_by(
                &actor.user,
                AuditAction::CertificationQuestionsChanged,
                "certification",
                id,
                json!({ "before": before, "after": questions }),
                &guard::origin("admin"),
                now,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }
    .await;
    flatten(result)
}

pub async fn create_question_in(id: CertId, content: QuestionContent) -> AppResult<Question> {
    guard::module(Module::Certifications).await?;
    let existing = load_editor(&guard::state(), id).await?;
    let q = crate::questions::service::save_as(Module::Certifications, None, content).await?;
    let mut ids: Vec<QuestionId> = existing.questions.iter().map(|q| q.id).collect();
    ids.push(q.id);
    set_questions(id, ids).await?;
    Ok(q)
}

pub async fn pickable(search: Option<String>, page: i64) -> AppResult<Page<Question>> {
    let actor = guard::module(Module::Certifications).await?;
    // Picking needs the questions' texts, not their keys: those belong to the question bank.
    let sees_keys = actor.modules.contains(Module::QuestionBank);
    let state = guard::state();
    let (limit, offset, page, per_page) = window(page, DEFAULT_PER_PAGE);
    let mut c = state.db.read().await.map_err(AppError::from)?;
    let filter = storage::questions::QuestionFilter {
        search,
        ..Default::default()
    };
    let (mut items, total) = storage::questions::list(c.conn(), &filter, limit, offset)
        .await
        .map_err(AppError::from)?;
    if !sees_keys {
        for q in &mut items {
            q.content = q.content.clone().without_key();
        }
    }
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

pub async fn add_assignment(id: CertId, kind: AssignKind, target_id: i64) -> AppResult<()> {
    let actor = guard::module(Module::Certifications).await?;
    add_assignment_as(
        &guard::state(),
        &By::Person(actor),
        &guard::origin("admin"),
        id,
        kind,
        target_id,
    )
    .await
}

/// Assigns a position, branch or person as `by` (the admin panel, or an API key).
pub async fn add_assignment_as(
    state: &AppState,
    by: &By,
    origin: &Origin,
    id: CertId,
    kind: AssignKind,
    target_id: i64,
) -> AppResult<()> {
    let now = state.now();
    let kind = target_kind(kind);
    let result: TxResult<()> = async {
        let mut tx = state.db.begin().await?;
        let cert = match locked(tx.conn(), id).await? {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        if cert.status == CertStatus::Closed {
            return Ok(Err(AppError::refused(Msg::ErrClosedCertification)));
        }
        if !certs::target_exists(tx.conn(), kind, target_id).await?
            || !target_in_scope(&mut tx, by.scope(), kind, target_id).await?
        {
            return Ok(Err(AppError::NotFound));
        }
        if certs::add_assignment(tx.conn(), id, kind, target_id, by.user_id(), now).await? {
            storage::audit::record(
                tx.conn(),
                &by.audit(
                    AuditAction::AssignmentChanged,
                    "certification",
                    id,
                    json!({ "op": "add", "kind": kind.as_str(), "target_id": target_id }),
                    origin,
                    now,
                ),
            )
            .await?;
            storage::events::emit(
                tx.conn(),
                &DomainEvent::CertificationAssigned {
                    certification_id: id,
                    target_kind: kind.as_str().into(),
                    target_id,
                },
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(Ok(()))
    }
    .await;
    flatten(result)
}

pub async fn remove_assignment(id: CertId, kind: AssignKind, target_id: i64) -> AppResult<()> {
    let actor = guard::module(Module::Certifications).await?;
    remove_assignment_as(
        &guard::state(),
        &By::Person(actor),
        &guard::origin("admin"),
        id,
        kind,
        target_id,
    )
    .await
}

/// Removes an assignment as `by` (only before the opening).
pub async fn remove_assignment_as(
    state: &AppState,
    by: &By,
    origin: &Origin,
    id: CertId,
    kind: AssignKind,
    target_id: i64,
) -> AppResult<()> {
    let now = state.now();
    let kind = target_kind(kind);
    let result: TxResult<()> = async {
        let mut tx = state.db.begin().await?;
        let cert = match locked(tx.conn(), id).await? {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        if !target_in_scope(&mut tx, by.scope(), kind, target_id).await? {
            return Ok(Err(AppError::NotFound));
        }
        if cert.status.has_opened() {
            return Ok(Err(AppError::refused(Msg::ErrUnassignAfterOpen)));
        }
        if certs::remove_assignment(tx.conn(), id, kind, target_id).await? {
            storage::audit::record(
                tx.conn(),
                &by.audit(
                    AuditAction::AssignmentChanged,
                    "certification",
                    id,
                    json!({ "op": "remove", "kind": kind.as_str(), "target_id": target_id }),
                    origin,
                    now,
                ),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(Ok(()))
    }
    .await;
    flatten(result)
}

/// Whether an assignment's target is within the actor's people: a person or a branch they
/// see (a position reaches people of every branch and is a certification-wide choice).
async fn target_in_scope(
    tx: &mut storage::Tx,
    scope: &PeopleScope,
    kind: TargetKind,
    target_id: i64,
) -> Result<bool, StorageError> {
    Ok(match kind {
        TargetKind::Position => true,
        TargetKind::Branch => scope.includes(Some(crate::domain::BranchId(target_id))),
        TargetKind::User => {
            storage::users::get_in_scope(tx.conn(), crate::domain::UserId(target_id), scope)
                .await?
                .is_some()
        }
    })
}

pub async fn assign_targets() -> AppResult<AssignOptions> {
    let actor = guard::module(Module::Certifications).await?;
    let state = guard::state();
    let mut c = state.db.read().await.map_err(AppError::from)?;
    use storage::dictionaries::{Dictionary, list};
    let result = async {
        let positions = list(c.conn(), Dictionary::Positions).await?;
        let branches = list(c.conn(), Dictionary::Branches)
            .await?
            .into_iter()
            .filter(|b| actor.scope.includes(Some(crate::domain::BranchId(b.id))))
            .collect::<Vec<_>>();
        let users = storage::users::list_active(c.conn(), &actor.scope, 1000).await?;
        Ok::<_, StorageError>(AssignOptions {
            positions: positions.into_iter().map(|e| (e.id, e.name)).collect(),
            branches: branches.into_iter().map(|e| (e.id, e.name)).collect(),
            users: users.into_iter().map(|u| (u.id.0, u.full_name())).collect(),
        })
    }
    .await;
    result.map_err(AppError::from)
}
