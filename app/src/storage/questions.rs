//! The question bank.

use super::{Conn, StorageResult, on_conn};
use crate::domain::question::{Question, QuestionContent, QuestionKind};
use crate::domain::{QuestionId, Timestamp, UserId};
use sqlx::types::Json;

const COLUMNS: &str = "id, kind, text, image_url, options, tags, explanation, archived, \
                       author_id, revision, updated_at";

/// The columns prefixed with `q.`, for queries that join.
fn qualified() -> String {
    COLUMNS
        .split(", ")
        .map(|c| format!("q.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Debug, Clone, Default)]
pub struct QuestionFilter {
    pub search: Option<String>,
    pub kind: Option<QuestionKind>,
    pub tag: Option<String>,
    pub archived: bool,
}

/// A `LIKE` pattern matching `s` anywhere, with wildcards in `s` escaped.
pub fn contains_pattern(s: &str) -> String {
    let escaped = s
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

const FILTER: &str = "q.archived = $1 AND ($2 IS NULL OR q.kind = $2) \
     AND ($3 IS NULL OR q.search_text LIKE $3 ESCAPE '\\') \
     AND ($4 IS NULL OR EXISTS (SELECT 1 FROM question_tags t WHERE t.question_id = q.id AND t.tag = $4))";

#[tracing::instrument(skip(c))]
pub async fn list(
    mut c: Conn<'_>,
    f: &QuestionFilter,
    limit: i64,
    offset: i64,
) -> StorageResult<(Vec<Question>, i64)> {
    let search = f
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(contains_pattern);
    let kind = f.kind.map(QuestionKind::as_str);
    let tag = f
        .tag
        .as_deref()
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty());
    let sql = format!(
        "SELECT {} FROM questions q WHERE {FILTER} ORDER BY q.id DESC LIMIT $5 OFFSET $6",
        qualified()
    );
    let items: Vec<Question> = on_conn!(c.re(), |c| sqlx::query_as(&sql)
        .bind(f.archived)
        .bind(kind)
        .bind(&search)
        .bind(&tag)
        .bind(limit)
        .bind(offset)
        .fetch_all(c)
        .await)?;
    let count_sql = format!("SELECT COUNT(*) FROM questions q WHERE {FILTER}");
    let total: (i64,) = on_conn!(c, |c| sqlx::query_as(&count_sql)
        .bind(f.archived)
        .bind(kind)
        .bind(&search)
        .bind(&tag)
        .fetch_one(c)
        .await)?;
    Ok((items, total.0))
}

pub async fn get(c: Conn<'_>, id: QuestionId) -> StorageResult<Option<Question>> {
    let sql = format!("SELECT {COLUMNS} FROM questions WHERE id = $1");
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

/// The questions of a certification, in its order.
pub async fn of_certification(
    c: Conn<'_>,
    cert: crate::domain::CertId,
) -> StorageResult<Vec<Question>> {
    let sql = format!(
        "SELECT {} FROM certification_questions cq JOIN questions q ON q.id = cq.question_id \
         WHERE cq.certification_id = $1 ORDER BY cq.position",
        qualified()
    );
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(cert)
        .fetch_all(c)
        .await)?)
}

fn search_text(content: &QuestionContent) -> String {
    let mut s = crate::richtext::plain_text(&content.text);
    for o in &content.options {
        s.push(' ');
        s.push_str(&o.text);
    }
    for t in &content.tags {
        s.push(' ');
        s.push_str(t);
    }
    s.to_lowercase()
}

async fn replace_tags(mut c: Conn<'_>, id: QuestionId, tags: &[String]) -> StorageResult<()> {
    on_conn!(c.re(), |c| sqlx::query(
        "DELETE FROM question_tags WHERE question_id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    for tag in tags {
        on_conn!(c.re(), |c| sqlx::query(
            "INSERT INTO question_tags (question_id, tag) VALUES ($1, $2)"
        )
        .bind(id)
        .bind(tag)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

#[tracing::instrument(skip(c, content))]
pub async fn insert(
    mut c: Conn<'_>,
    content: &QuestionContent,
    author: Option<UserId>,
    now: Timestamp,
) -> StorageResult<Question> {
    let sql = format!(
        "INSERT INTO questions (kind, text, image_url, options, tags, explanation, search_text, \
         archived, author_id, revision, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, FALSE, $8, 1, $9, $9) RETURNING {COLUMNS}"
    );
    let search = search_text(content);
    let q: Question = on_conn!(c.re(), |c| sqlx::query_as(&sql)
        .bind(content.kind.as_str())
        .bind(&content.text)
        .bind(&content.image_url)
        .bind(Json(&content.options))
        .bind(Json(&content.tags))
        .bind(&content.explanation)
        .bind(&search)
        .bind(author)
        .bind(now)
        .fetch_one(c)
        .await)?;
    replace_tags(c, q.id, &content.tags).await?;
    Ok(q)
}

#[tracing::instrument(skip(c, content))]
pub async fn update(
    mut c: Conn<'_>,
    id: QuestionId,
    content: &QuestionContent,
    now: Timestamp,
) -> StorageResult<Option<Question>> {
    let sql = format!(
        "UPDATE questions SET kind = $2, text = $3, image_url = $4, options = $5, tags = $6, \
         explanation = $7, search_text = $8, revision = revision + 1, updated_at = $9 \
         WHERE id = $1 RETURNING {COLUMNS}"
    );
    let search = search_text(content);
    let q: Option<Question> = on_conn!(c.re(), |c| sqlx::query_as(&sql)
        .bind(id)
        .bind(content.kind.as_str())
        .bind(&content.text)
        .bind(&content.image_url)
        .bind(Json(&content.options))
        .bind(Json(&content.tags))
        .bind(&content.explanation)
        .bind(&search)
        .bind(now)
        .fetch_optional(c)
        .await)?;
    if q.is_some() {
        replace_tags(c, id, &content.tags).await?;
    }
    Ok(q)
}

pub async fn set_archived(
    c: Conn<'_>,
    id: QuestionId,
    archived: bool,
    now: Timestamp,
) -> StorageResult<bool> {
    let n = on_conn!(c, |c| sqlx::query(
        "UPDATE questions SET archived = $2, updated_at = $3 WHERE id = $1"
    )
    .bind(id)
    .bind(archived)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Whether a certification or an attempt refers to the question.
pub async fn is_referenced(c: Conn<'_>, id: QuestionId) -> StorageResult<bool> {
    let n: (i64,) = on_conn!(c, |c| sqlx::query_as(
        "SELECT COUNT(*) FROM certification_questions WHERE question_id = $1"
    )
    .bind(id)
    .fetch_one(c)
    .await)?;
    Ok(n.0 > 0)
}

pub async fn delete(c: Conn<'_>, id: QuestionId) -> StorageResult<bool> {
    let n = on_conn!(c, |c| sqlx::query("DELETE FROM questions WHERE id = $1")
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Every tag in use, alphabetically.
pub async fn all_tags(c: Conn<'_>) -> StorageResult<Vec<String>> {
    let rows: Vec<(String,)> = on_conn!(c, |c| sqlx::query_as(
        "SELECT DISTINCT tag FROM question_tags ORDER BY tag"
    )
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Every question (for export), oldest first.
pub async fn all(c: Conn<'_>, archived: bool) -> StorageResult<Vec<Question>> {
    let sql = format!("SELECT {COLUMNS} FROM questions WHERE archived = $1 ORDER BY id");
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(archived)
        .fetch_all(c)
        .await)?)
}
