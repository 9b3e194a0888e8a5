//! The question set of a certification.

use super::*;

pub async fn set_questions(
    state: &AppState,
    actor: &Actor,
    id: CertId,
    questions: Vec<QuestionId>,
    origin: &Origin,
) -> AppResult<()> {
    let mut unique = questions.clone();
    unique.sort();
    unique.dedup();
    if unique.len() != questions.len() {
        return Err(AppError::refused(Msg::ErrDuplicateQuestion));
    }
    let now = state.now();
    async {
        let mut tx = state.db.begin().await?;
        let cert = locked(tx.conn(), id).await?;
        if cert.status == CertStatus::Closed {
            return Err(AppError::refused(Msg::ErrClosedCertification));
        }
        let before: Vec<QuestionId> = storage::questions::of_certification(tx.conn(), id)
            .await?
            .into_iter()
            .map(|q| q.id)
            .collect();
        for q in &questions {
            match storage::questions::get(tx.conn(), *q).await? {
                None => return Err(AppError::NotFound),
                // An archived question can stay where it is but cannot be added anew.
                Some(found) if found.archived && !before.contains(q) => {
                    return Err(AppError::refused(Msg::ErrQuestionArchived));
                }
                Some(_) => {}
            }
        }
        if cert.status != CertStatus::Draft {
            if questions.is_empty() {
                return Err(AppError::refused(Msg::ErrNeedQuestion));
            }
            if cert
                .settings
                .draw_count
                .is_some_and(|n| n as usize > questions.len())
            {
                return Err(AppError::refused(Msg::ErrDrawTooLarge));
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
                origin,
                now,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
    .await
}

pub async fn create_question_in(
    state: &AppState,
    actor: &Actor,
    id: CertId,
    content: QuestionContent,
    origin: &Origin,
) -> AppResult<Question> {
    let existing = load_editor(state, id).await?;
    let q = crate::questions::service::save(state, actor, None, content, origin).await?;
    let mut ids: Vec<QuestionId> = existing.questions.iter().map(|q| q.id).collect();
    ids.push(q.id);
    set_questions(state, actor, id, ids, origin).await?;
    Ok(q)
}

pub async fn pickable(
    state: &AppState,
    actor: &Actor,
    search: Option<String>,
    page: i64,
) -> AppResult<Page<Question>> {
    // Picking needs the questions' texts, not their keys: those belong to the question bank.
    let sees_keys = actor.modules.contains(Module::QuestionBank);
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
