//! What the statistics read: a certification's finished attempts with their question
//! snapshots, and their answers.

use super::{Conn, StorageResult, on_conn};
use crate::domain::attempt::AskedQuestion;
use crate::domain::{AttemptId, CertId};
use sqlx::types::Json;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FinishedAttempt {
    pub id: AttemptId,
    pub number: i64,
    pub percent: Option<i64>,
    pub used_ms: i64,
    pub passed: Option<bool>,
    pub user_id: crate::domain::UserId,
    pub questions: Json<Vec<AskedQuestion>>,
}

/// Finished attempts, oldest first (`first_only`: each person's first attempt only).
pub async fn finished_attempts(
    c: Conn<'_>,
    cert: CertId,
    first_only: bool,
) -> StorageResult<Vec<FinishedAttempt>> {
    Ok(on_conn!(c, |c| sqlx::query_as(
        "SELECT id, number, percent, used_ms, passed, user_id, questions FROM attempts \
         WHERE certification_id = $1 AND status = 'finished' AND ($2 = FALSE OR number = 1) \
         ORDER BY id"
    )
    .bind(cert)
    .bind(first_only)
    .fetch_all(c)
    .await)?)
}

/// `(attempt, question index, answer)` of every finished attempt of the certification.
pub async fn answers(
    c: Conn<'_>,
    cert: CertId,
) -> StorageResult<Vec<(AttemptId, i64, Json<Vec<u32>>)>> {
    Ok(on_conn!(c, |c| sqlx::query_as(
        "SELECT aa.attempt_id, aa.question_index, aa.answer FROM attempt_answers aa \
         JOIN attempts a ON a.id = aa.attempt_id \
         WHERE a.certification_id = $1 AND a.status = 'finished'"
    )
    .bind(cert)
    .fetch_all(c)
    .await)?)
}
