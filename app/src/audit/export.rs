//! The filtered audit log as CSV, written in chunks so an export of a million entries streams
//! in constant memory. One writer (`crate::csv`): UTF-8 with a BOM, formulas neutralised.

use super::{AuditFilter, AuditRow};
use crate::domain::AuditId;
use crate::domain::audit::AuditAction;
use crate::domain::scope::PeopleScope;
use crate::i18n::{Lang, Msg};
use crate::state::AppState;
use crate::storage::{self, StorageError};

/// Entries read per chunk (one keyset query each).
pub const CHUNK: i64 = 1_000;

/// The BOM and the header row.
pub fn header(lang: Lang) -> String {
    let cols = [
        Msg::AuditCsvTime,
        Msg::AuditCsvLocalTime,
        Msg::AuditActor,
        Msg::AuditCsvActorKind,
        Msg::AuditCsvActorId,
        Msg::AuditKind,
        Msg::AuditCsvActionCode,
        Msg::AuditTarget,
        Msg::AuditTargetId,
        Msg::AuditCsvTargetLabel,
        Msg::AuditChange,
        Msg::AuditCsvChannel,
        Msg::AuditOrigin,
        Msg::AuditCsvUserAgent,
        Msg::AuditRaw,
    ];
    let names: Vec<&str> = cols.iter().map(|m| m.text(lang)).collect();
    format!("{}{}", crate::csv::BOM, crate::csv::row(&names))
}

/// One entry as a CSV record.
pub fn record(lang: Lang, row: &AuditRow, utc_offset: i32) -> String {
    let label = AuditAction::try_from(row.action.clone())
        .map(|a| a.label().text(lang).to_owned())
        .unwrap_or_else(|_| row.action.clone());
    let details: serde_json::Value = serde_json::from_str(&row.details).unwrap_or_default();
    let change = super::text::key_change(lang, &details).unwrap_or_default();
    let opt = |s: &Option<String>| s.clone().unwrap_or_default();
    crate::csv::row(&[
        row.at.to_rfc3339(),
        row.at.format_datetime(utc_offset),
        row.actor_label.clone(),
        row.actor_kind.clone(),
        row.actor_id.map(|a| a.to_string()).unwrap_or_default(),
        label,
        row.action.clone(),
        opt(&row.target_type),
        opt(&row.target_id),
        opt(&row.target_label),
        change,
        row.channel.clone(),
        opt(&row.ip),
        opt(&row.user_agent),
        row.details.clone(),
    ])
}

/// The records of the next chunk older than `before`, and where the one after starts
/// (`None` when this was the last).
pub async fn chunk(
    state: &AppState,
    filter: &AuditFilter,
    scope: &PeopleScope,
    before: Option<AuditId>,
    lang: Lang,
) -> Result<(String, Option<AuditId>), StorageError> {
    let rows = {
        let mut c = state.db.read().await?;
        storage::audit::list(c.conn(), filter, scope, before, CHUNK).await?
    };
    let offset = state.config.display_utc_offset_minutes;
    let mut out = String::with_capacity(rows.len() * 200);
    for r in &rows {
        out.push_str(&record(lang, r, offset));
    }
    let next = (rows.len() as i64 == CHUNK)
        .then(|| rows.last().map(|r| r.id))
        .flatten();
    Ok((out, next))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Timestamp;

    #[test]
    fn a_record_neutralises_formulas_and_quotes_commas() {
        let row = AuditRow {
            id: AuditId(1),
            at: Timestamp(0),
            actor_id: None,
            actor_kind: "anonymous".into(),
            actor_label: "=HYPERLINK(\"x\")".into(),
            action: "sign_in_failed".into(),
            target_type: None,
            target_id: None,
            target_label: Some("Иванов, Иван".into()),
            details: "{}".into(),
            ip: None,
            user_agent: None,
            channel: "admin".into(),
        };
        let line = record(Lang::Ru, &row, 0);
        assert!(line.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{line}");
        assert!(line.contains("\"Иванов, Иван\""), "{line}");
        assert!(line.starts_with("1970-01-01T00:00:00Z,01.01.1970 00:00,"));
        assert!(header(Lang::Ru).starts_with('\u{feff}'));
    }
}
