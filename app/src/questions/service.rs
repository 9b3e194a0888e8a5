//! The question bank's rules on the server.

use super::{ExchangeFormat, ImportReport};
use crate::domain::QuestionId;
use crate::domain::actor::Actor;
use crate::domain::actor::audit_by;
use crate::domain::audit::AuditAction;
use crate::domain::audit::Origin;
use crate::domain::question::{
    Question, QuestionContent, QuestionKind, assign_option_ids, normalize_tags,
};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::paging::{DEFAULT_PER_PAGE, Page, window};
use crate::richtext;
use crate::state::AppState;
use crate::storage::{self, StorageError, questions::QuestionFilter};
use serde_json::json;

/// Sanitises, normalises and validates a question from the editor or an import.
pub fn prepare(
    mut content: QuestionContent,
) -> Result<QuestionContent, Vec<crate::error::FieldError>> {
    content.text = richtext::sanitize(&content.text);
    content.explanation = richtext::sanitize(&content.explanation);
    content.tags = normalize_tags(content.tags.iter().map(String::as_str));
    content.image_url = content
        .image_url
        .map(|u| u.trim().to_owned())
        .filter(|u| !u.is_empty());
    for o in &mut content.options {
        o.text = o.text.trim().to_owned();
        if content.kind == QuestionKind::Ordering {
            o.correct = false;
        }
    }
    assign_option_ids(&mut content.options);
    let errors = content.validate(richtext::is_blank(&content.text));
    if errors.is_empty() {
        Ok(content)
    } else {
        Err(errors)
    }
}

pub async fn list(
    state: &AppState,
    search: Option<String>,
    kind: Option<QuestionKind>,
    tag: Option<String>,
    archived: bool,
    page: i64,
) -> AppResult<Page<Question>> {
    let (limit, offset, page, per_page) = window(page, DEFAULT_PER_PAGE);
    let mut c = state.db.read().await.map_err(AppError::from)?;
    let filter = QuestionFilter {
        search,
        kind,
        tag,
        archived,
    };
    let (items, total) = storage::questions::list(c.conn(), &filter, limit, offset)
        .await
        .map_err(AppError::from)?;
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

pub async fn tags(state: &AppState) -> AppResult<Vec<String>> {
    let mut c = state.db.read().await.map_err(AppError::from)?;
    storage::questions::all_tags(c.conn())
        .await
        .map_err(AppError::from)
}

pub async fn get(state: &AppState, id: QuestionId) -> AppResult<Question> {
    let mut c = state.db.read().await.map_err(AppError::from)?;
    storage::questions::get(c.conn(), id)
        .await
        .map_err(AppError::from)?
        .ok_or(AppError::NotFound)
}

/// Creates or edits a question (from the question bank, or in place from a certification's
/// editor: the caller's guard decides which module it needs).
pub async fn save(
    state: &AppState,
    actor: &Actor,
    id: Option<QuestionId>,
    content: QuestionContent,
    origin: &Origin,
) -> AppResult<Question> {
    let content = prepare(content).map_err(|fields| AppError::Invalid { fields })?;
    let now = state.now();
    let result = async {
        let mut tx = state.db.begin().await?;
        let (q, action) = match id {
            None => (
                Some(
                    storage::questions::insert(tx.conn(), &content, Some(actor.user.id), now)
                        .await?,
                ),
                AuditAction::QuestionCreated,
            ),
            Some(id) => (
                storage::questions::update(tx.conn(), id, &content, now).await?,
                AuditAction::QuestionEdited,
            ),
        };
        let Some(q) = q else { return Ok(None) };
        let details = json!({ "kind": q.content.kind.as_str(), "revision": q.revision,
            "text": richtext::plain_text(&q.content.text).chars().take(200).collect::<String>() });
        storage::audit::record(
            tx.conn(),
            &audit_by(&actor.user, action, "question", q.id, details, origin, now),
        )
        .await?;
        tx.commit().await?;
        Ok::<_, StorageError>(Some(q))
    }
    .await;
    result.map_err(AppError::from)?.ok_or(AppError::NotFound)
}

pub async fn duplicate(
    state: &AppState,
    actor: &Actor,
    id: QuestionId,
    origin: &Origin,
) -> AppResult<Question> {
    let original = get(state, id).await?;
    save(state, actor, None, original.content, origin).await
}

pub async fn archive(
    state: &AppState,
    actor: &Actor,
    id: QuestionId,
    archived: bool,
    origin: &Origin,
) -> AppResult<()> {
    let now = state.now();
    let result = async {
        let mut tx = state.db.begin().await?;
        if !storage::questions::set_archived(tx.conn(), id, archived, now).await? {
            return Ok(false);
        }
        storage::audit::record(
            tx.conn(),
            &audit_by(
                &actor.user,
                AuditAction::QuestionArchived,
                "question",
                id,
                json!({ "archived": archived }),
                origin,
                now,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok::<_, StorageError>(true)
    }
    .await;
    if result.map_err(AppError::from)? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

pub async fn delete(
    state: &AppState,
    actor: &Actor,
    id: QuestionId,
    origin: &Origin,
) -> AppResult<()> {
    let now = state.now();
    async {
        let mut tx = state.db.begin().await?;
        if storage::questions::is_referenced(tx.conn(), id).await? {
            return Err(AppError::refused(Msg::ErrQuestionInUse));
        }
        if !storage::questions::delete(tx.conn(), id).await? {
            return Err(AppError::NotFound);
        }
        storage::audit::record(
            tx.conn(),
            &audit_by(
                &actor.user,
                AuditAction::QuestionDeleted,
                "question",
                id,
                json!({}),
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

pub async fn import(
    state: &AppState,
    actor: &Actor,
    format: ExchangeFormat,
    data: String,
    origin: &Origin,
) -> AppResult<ImportReport> {
    if data.len() > super::import::MAX_IMPORT_BYTES {
        return Err(AppError::refused(Msg::ErrImportTooLarge));
    }
    let parsed = match format {
        ExchangeFormat::Json => super::import::parse_json(&data),
        ExchangeFormat::Csv => super::import::parse_csv(&data),
    };
    let mut errors = Vec::new();
    let mut ready = Vec::new();
    match parsed {
        Err(e) => errors.push(e),
        Ok(rows) => {
            for (row, content) in rows {
                match prepare(content) {
                    Ok(c) => ready.push(c),
                    Err(fields) => {
                        errors.extend(fields.into_iter().map(|f| super::import::RowError {
                            row,
                            field: f.field,
                            msg: f.msg,
                            detail: None,
                        }))
                    }
                }
            }
        }
    }
    if ready.is_empty() && errors.is_empty() {
        errors.push(super::import::RowError {
            row: 0,
            field: "file".into(),
            msg: Msg::ErrImportEmpty,
            detail: None,
        });
    }
    if !errors.is_empty() {
        return Ok(ImportReport {
            imported: 0,
            errors,
        });
    }
    let now = state.now();
    let count = ready.len();
    let result = async {
        let mut tx = state.db.begin().await?;
        for content in &ready {
            storage::questions::insert(tx.conn(), content, Some(actor.user.id), now).await?;
        }
        storage::audit::record(
            tx.conn(),
            &audit_by(
                &actor.user,
                AuditAction::QuestionsImported,
                "question",
                "import",
                json!({ "count": count }),
                origin,
                now,
            ),
        )
        .await?;
        tx.commit().await
    }
    .await;
    result.map_err(AppError::from)?;
    Ok(ImportReport {
        imported: count,
        errors: Vec::new(),
    })
}

pub async fn export(state: &AppState, format: ExchangeFormat) -> AppResult<String> {
    let mut c = state.db.read().await.map_err(AppError::from)?;
    let all = storage::questions::all(c.conn(), false)
        .await
        .map_err(AppError::from)?;
    let contents: Vec<QuestionContent> = all.into_iter().map(|q| q.content).collect();
    Ok(match format {
        ExchangeFormat::Json => super::import::to_json(&contents),
        ExchangeFormat::Csv => super::import::to_csv(&contents),
    })
}
