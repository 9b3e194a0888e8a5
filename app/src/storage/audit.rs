//! The append-only audit store. Every feature records through [`record`]; the admin page
//! lists with keyset pagination; the Telegram feed reads below the safe horizon; only the
//! retention purge deletes, through its own privileged path.

use super::horizon::{self, Position};
use super::{Conn, StorageResult, on_conn};
use crate::domain::audit::{ActorKind, AuditEntry};
use crate::domain::scope::PeopleScope;
use crate::domain::{AuditId, Timestamp};
use crate::model::audit::{AuditFilter, AuditRow};
use serde_json::Value;

/// Keys whose values are secrets: never stored in an entry, whatever a feature passes.
const SECRET_KEYS: &[&str] = &[
    "password",
    "password_hash",
    "secret",
    "token",
    "api_key",
    "key_material",
    "credentials",
    "lrs_password",
    "webhook_secret",
    "bot_token",
];

/// The details with every secret-looking value replaced.
pub fn redact(details: &Value) -> Value {
    match details {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let lower = k.to_ascii_lowercase();
                    let secret = SECRET_KEYS
                        .iter()
                        .any(|s| lower == *s || lower.ends_with(&format!("_{s}")));
                    if secret && !v.is_null() {
                        (k.clone(), Value::String("•••".into()))
                    } else {
                        (k.clone(), redact(v))
                    }
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redact).collect()),
        Value::String(text) => Value::String(redact_url(text).unwrap_or_else(|| text.clone())),
        other => other.clone(),
    }
}

/// An http(s) URL with its secrets hidden: the user-info, every query value and the
/// fragment (endpoints often carry a token there). `None` when `text` is not such a URL or
/// has nothing to hide.
pub fn redact_url(text: &str) -> Option<String> {
    let mut url = url::Url::parse(text.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let user_info = !url.username().is_empty() || url.password().is_some();
    if !user_info && url.query().is_none() && url.fragment().is_none() {
        return None;
    }
    if user_info {
        url.set_password(None).ok()?;
        url.set_username("***").ok()?;
    }
    let keys: Vec<String> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
    if keys.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut()
            .clear()
            .extend_pairs(keys.iter().map(|k| (k.as_str(), "***")));
    }
    url.set_fragment(None);
    Some(url.to_string())
}

/// The label of a target as it is now (kept in the entry even if renamed later).
async fn label_of(
    c: Conn<'_>,
    target_type: &str,
    target_id: &str,
) -> StorageResult<Option<String>> {
    let Ok(id) = target_id.parse::<i64>() else {
        return Ok(None);
    };
    let sql = match target_type {
        "user" => "SELECT TRIM(first_name || ' ' || last_name) FROM users WHERE id = $1",
        "certification" => "SELECT title FROM certifications WHERE id = $1",
        "question" => "SELECT text FROM questions WHERE id = $1",
        "badge" => "SELECT name FROM badges WHERE id = $1",
        "attempt" => {
            "SELECT TRIM(u.first_name || ' ' || u.last_name) || ' · ' || c.title FROM attempts a \
             JOIN users u ON u.id = a.user_id JOIN certifications c ON c.id = a.certification_id \
             WHERE a.id = $1"
        }
        _ => return Ok(None),
    };
    let row: Option<(String,)> =
        on_conn!(c, |c| sqlx::query_as(sql).bind(id).fetch_optional(c).await)?;
    Ok(row.map(|(l,)| {
        let plain = if target_type == "question" {
            crate::richtext::plain_text(&l)
        } else {
            l
        };
        clip_label(&plain)
    }))
}

/// The labels of several attempts in the log (as [`label_of`] reads one's), with one statement.
pub async fn attempt_labels(
    c: Conn<'_>,
    ids: &[crate::domain::AttemptId],
) -> StorageResult<std::collections::HashMap<crate::domain::AttemptId, String>> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let sql = format!(
        "SELECT a.id, TRIM(u.first_name || ' ' || u.last_name) || ' · ' || c.title FROM attempts a \
         JOIN users u ON u.id = a.user_id JOIN certifications c ON c.id = a.certification_id \
         WHERE a.id IN ({})",
        super::placeholders(1, ids.len())
    );
    let sql = c.list_sql(&sql);
    let rows: Vec<(crate::domain::AttemptId, String)> = on_conn!(c, |c| {
        let mut q = sqlx::query_as(&sql).persistent(super::single(ids.len()));
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(c).await
    })?;
    Ok(rows
        .into_iter()
        .map(|(id, l)| (id, clip_label(&l)))
        .collect())
}

/// A target's label as the log keeps it: at most 120 characters.
pub fn clip_label(plain: &str) -> String {
    let mut s: String = plain.chars().take(120).collect();
    if plain.chars().count() > 120 {
        s.push('…');
    }
    s
}

/// The label of an attempt in the log (as [`label_of`] reads it): the person and the
/// certification.
pub fn attempt_label(first_name: &str, last_name: &str, cert_title: &str) -> String {
    clip_label(&format!(
        "{} · {cert_title}",
        format!("{first_name} {last_name}").trim()
    ))
}

#[tracing::instrument(skip(c, entry), fields(action = entry.action.as_str()))]
pub async fn record(mut c: Conn<'_>, entry: &AuditEntry) -> StorageResult<AuditId> {
    let details = redact(&entry.details).to_string();
    let target_label = match (&entry.target_type, &entry.target_id) {
        (Some(t), Some(id)) => label_of(c.re(), t, id).await?,
        _ => None,
    };
    let id: (AuditId,) = on_conn!(c, |c| {
        sqlx::query_as(
            "INSERT INTO audit_log (at, actor_id, actor_label, action, target_type, target_id, details, \
             ip, user_agent, channel, actor_kind, target_label, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $1, $1) RETURNING id",
        )
        .bind(entry.at)
        .bind(entry.actor_id)
        .bind(&entry.actor_label)
        .bind(entry.action.as_str())
        .bind(&entry.target_type)
        .bind(&entry.target_id)
        .bind(&details)
        .bind(&entry.origin.ip)
        .bind(&entry.origin.user_agent)
        .bind(&entry.origin.channel)
        .bind(ActorKind::of(entry).as_str())
        .bind(&target_label)
        .fetch_one(c)
        .await
    })?;
    Ok(id.0)
}

const COLUMNS: &str = "id, at, actor_id, actor_kind, actor_label, action, target_type, target_id, \
     target_label, details, ip, user_agent, channel";

/// Records many entries in few statements (seeding a benchmark, bulk history). Targets'
/// labels are not looked up.
pub async fn record_many(c: Conn<'_>, entries: &[AuditEntry]) -> StorageResult<u64> {
    let labelled: Vec<(&AuditEntry, Option<&str>)> = entries.iter().map(|e| (e, None)).collect();
    record_many_labelled(c, &labelled).await
}

/// Records many entries in few statements, each with its target's label as the caller knows it
/// (see [`clip_label`]).
pub async fn record_many_labelled(
    mut c: Conn<'_>,
    entries: &[(&AuditEntry, Option<&str>)],
) -> StorageResult<u64> {
    const COLS: usize = 14;
    let mut n = 0;
    for chunk in entries.chunks(1_000) {
        let values: Vec<String> = (0..chunk.len())
            .map(|r| format!("({})", super::placeholders(1 + r * COLS, COLS)))
            .collect();
        let sql = format!(
            "INSERT INTO audit_log (at, actor_id, actor_label, action, target_type, target_id, details, \
             ip, user_agent, channel, actor_kind, target_label, created_at, updated_at) VALUES {}",
            values.join(", ")
        );
        let details: Vec<String> = chunk
            .iter()
            .map(|(e, _)| redact(&e.details).to_string())
            .collect();
        let sql = c.list_sql(&sql);
        n += on_conn!(c.re(), |c| {
            let mut q = sqlx::query(&sql).persistent(super::single(chunk.len()));
            for ((e, label), d) in chunk.iter().zip(&details) {
                q = q
                    .bind(e.at)
                    .bind(e.actor_id)
                    .bind(&e.actor_label)
                    .bind(e.action.as_str())
                    .bind(&e.target_type)
                    .bind(&e.target_id)
                    .bind(d)
                    .bind(&e.origin.ip)
                    .bind(&e.origin.user_agent)
                    .bind(&e.origin.channel)
                    .bind(ActorKind::of(e).as_str())
                    .bind(*label)
                    .bind(e.at)
                    .bind(e.at);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(n)
}

/// The newest entries first, optionally of one action only.
pub async fn recent(c: Conn<'_>, action: Option<&str>, limit: i64) -> StorageResult<Vec<AuditRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM audit_log WHERE ($1 IS NULL OR action = $1) ORDER BY id DESC LIMIT $2"
    );
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(action)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

pub async fn get(c: Conn<'_>, id: AuditId, scope: &PeopleScope) -> StorageResult<Option<AuditRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM audit_log WHERE id = $1 AND {}",
        about_visible_people(scope)
    );
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

/// A filter as SQL: the condition and its values, from `$3` on (`$1` is the keyset bound,
/// `$2` the limit).
fn filter_sql(f: &AuditFilter, scope: &PeopleScope) -> (String, Vec<FilterValue>) {
    let mut cond = vec!["id < $1".to_owned(), about_visible_people(scope)];
    let mut values = Vec::new();
    let next = |v: FilterValue, values: &mut Vec<FilterValue>| {
        values.push(v);
        format!("${}", values.len() + 2)
    };
    if let Some(a) = &f.actor {
        let p = next(
            FilterValue::Text(format!("%{}%", a.to_lowercase())),
            &mut values,
        );
        cond.push(format!("LOWER(actor_label) LIKE {p}"));
    }
    if let Some(id) = f.actor_id {
        let p = next(FilterValue::Int(id.0), &mut values);
        cond.push(format!("actor_id = {p}"));
    }
    if let Some(action) = &f.action {
        let p = next(FilterValue::Text(action.clone()), &mut values);
        cond.push(format!("action = {p}"));
    } else if let Some(g) = f.group {
        let list: Vec<String> = g
            .actions()
            .into_iter()
            .map(|a| next(FilterValue::Text(a.as_str().to_owned()), &mut values))
            .collect();
        cond.push(format!("action IN ({})", list.join(", ")));
    }
    if let Some(t) = &f.target_type {
        let p = next(FilterValue::Text(t.clone()), &mut values);
        cond.push(format!("target_type = {p}"));
    }
    if let Some(t) = &f.target_id {
        let p = next(FilterValue::Text(t.clone()), &mut values);
        cond.push(format!("target_id = {p}"));
    }
    if let Some(from) = f.from {
        let p = next(FilterValue::Int(from.millis()), &mut values);
        cond.push(format!("at >= {p}"));
    }
    if let Some(to) = f.to {
        let p = next(FilterValue::Int(to.millis()), &mut values);
        cond.push(format!("at < {p}"));
    }
    if let Some(s) = &f.search {
        let p = next(
            FilterValue::Text(format!("%{}%", s.to_lowercase())),
            &mut values,
        );
        cond.push(format!(
            "(LOWER(actor_label) LIKE {p} OR LOWER(COALESCE(target_label, '')) LIKE {p})"
        ));
    }
    (cond.join(" AND "), values)
}

/// The entries a reader limited to `scope` sees: an entry about a person (its target) shows
/// when that person is visible; any other entry shows unless an employee out of the scope
/// made it (their sign-ins, their attempts). Staff's work on shared things (certifications,
/// questions, settings) stays visible.
fn about_visible_people(scope: &PeopleScope) -> String {
    if *scope == PeopleScope::Everyone {
        return "TRUE".into();
    }
    let visible = scope.sql("u.branch_id");
    format!(
        "(CASE WHEN target_type = 'user' THEN target_id IN \
           (SELECT CAST(u.id AS TEXT) FROM users u WHERE {visible}) \
         ELSE actor_id IS NULL OR actor_id NOT IN \
           (SELECT u.id FROM users u WHERE u.role = 'employee' AND NOT COALESCE({visible}, FALSE)) END)"
    )
}

enum FilterValue {
    Text(String),
    Int(i64),
}

/// Entries matching `f`, newest first, older than `before` (keyset pagination: the same cost
/// on the thousandth page as on the first).
pub async fn list(
    c: Conn<'_>,
    f: &AuditFilter,
    scope: &PeopleScope,
    before: Option<AuditId>,
    limit: i64,
) -> StorageResult<Vec<AuditRow>> {
    let (cond, values) = filter_sql(f, scope);
    let sql = format!("SELECT {COLUMNS} FROM audit_log WHERE {cond} ORDER BY id DESC LIMIT $2");
    let bound = before.map_or(i64::MAX, |b| b.0);
    Ok(on_conn!(c, |c| {
        let mut q = sqlx::query_as(&sql).bind(bound).bind(limit);
        for v in &values {
            q = match v {
                FilterValue::Text(s) => q.bind(s.clone()),
                FilterValue::Int(i) => q.bind(*i),
            };
        }
        q.fetch_all(c).await
    })?)
}

/// Entries after `from` below the safe horizon, oldest first (the Telegram feed's cursor).
pub async fn after(
    mut c: Conn<'_>,
    from: Position,
    limit: i64,
) -> StorageResult<Vec<(Position, AuditRow)>> {
    let h = horizon::horizon(c.re()).await?;
    let sql = format!(
        "SELECT tx, {COLUMNS} FROM audit_log WHERE {} ORDER BY tx, id LIMIT $4",
        horizon::after_clause("audit_log", 1)
    );
    let rows: Vec<AuditWithTx> = on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(h)
        .bind(from.tx)
        .bind(from.id)
        .bind(limit)
        .fetch_all(c)
        .await)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                Position {
                    tx: r.tx,
                    id: r.row.id.0,
                },
                r.row,
            )
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct AuditWithTx {
    tx: i64,
    #[sqlx(flatten)]
    row: AuditRow,
}

/// The newest position of the log (where a feed starts when it is first switched on).
pub async fn last_position(c: Conn<'_>) -> StorageResult<Position> {
    let row: Option<(i64, i64)> = on_conn!(c, |c| sqlx::query_as(
        "SELECT tx, id FROM audit_log ORDER BY tx DESC, id DESC LIMIT 1"
    )
    .fetch_optional(c)
    .await)?;
    Ok(row.map_or(Position::START, |(tx, id)| Position { tx, id }))
}

/// The one path that deletes entries: those older than `before` (the retention setting).
/// Entries are append-only for everything else: the database refuses updates and deletes
/// unless this transaction says it is the purge.
pub async fn purge_older_than(mut c: Conn<'_>, before: Timestamp) -> StorageResult<u64> {
    match c.re() {
        Conn::Postgres(pg) => {
            sqlx::query("SET LOCAL attest.audit_purge = 'on'")
                .execute(&mut *pg)
                .await?;
            let n = sqlx::query("DELETE FROM audit_log WHERE at < $1")
                .bind(before)
                .execute(&mut *pg)
                .await?
                .rows_affected();
            sqlx::query("SET LOCAL attest.audit_purge = 'off'")
                .execute(&mut *pg)
                .await?;
            Ok(n)
        }
        Conn::Sqlite(lite) => {
            // SQLite has no session settings: the guard trigger is lifted and put back within
            // the caller's transaction.
            sqlx::query("DROP TRIGGER audit_log_no_delete")
                .execute(&mut *lite)
                .await?;
            let n = sqlx::query("DELETE FROM audit_log WHERE at < $1")
                .bind(before)
                .execute(&mut *lite)
                .await?
                .rows_affected();
            sqlx::query(
                "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log \
                 BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
            )
            .execute(&mut *lite)
            .await?;
            Ok(n)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_never_reach_an_entry() {
        let d = json!({ "login": "anna", "password": "hunter2", "webhook": { "url": "https://x",
            "webhook_secret": "s3" }, "keys": [{ "api_key": "at_live_x" }] });
        let r = redact(&d);
        assert_eq!(r["login"], "anna");
        assert_eq!(r["password"], "•••");
        assert_eq!(r["webhook"]["webhook_secret"], "•••");
        assert_eq!(r["webhook"]["url"], "https://x");
        assert_eq!(r["keys"][0]["api_key"], "•••");
    }

    #[test]
    fn urls_lose_their_user_info_and_query_values() {
        let d = serde_json::json!({
            "url": "https://bob:pa55@hooks.example.com/in?token=abc123&team=x#frag",
            "endpoint": "https://lrs.example.com/xapi/",
            "nested": ["http://h.example/?key=s3cret"],
            "name": "not a url ?token=1",
        });
        let r = redact(&d);
        let text = r.to_string();
        for secret in ["bob", "pa55", "abc123", "s3cret", "frag"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert_eq!(
            r["url"],
            "https://***@hooks.example.com/in?token=***&team=***"
        );
        assert_eq!(r["endpoint"], "https://lrs.example.com/xapi/");
        assert_eq!(r["nested"][0], "http://h.example/?key=***");
        assert_eq!(r["name"], "not a url ?token=1");
    }
}
