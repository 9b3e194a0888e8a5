//! How an audit entry reads: the fields it changed, before and after (the detail page's diff
//! and the Telegram post's key change), and the post itself. Plain text only: a name typed by
//! anyone can never break a Telegram message.

use super::AuditRow;
use crate::domain::Timestamp;
use crate::domain::audit::AuditAction;
use crate::i18n::{Lang, Msg};
use serde_json::Value;

pub use crate::model::audit::Change;

fn field_label(lang: Lang, key: &str) -> String {
    let msg = match key {
        "role" => Some(Msg::RoleField),
        "status" => Some(Msg::Status),
        "first_name" => Some(Msg::FirstName),
        "last_name" => Some(Msg::LastName),
        "position_id" => Some(Msg::PositionField),
        "branch_id" => Some(Msg::BranchField),
        _ => None,
    };
    msg.map_or_else(|| key.replace('_', " "), |m| m.text(lang).to_owned())
}

fn value_text(lang: Lang, key: &str, v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::String(s) => match key {
            "role" => s
                .parse::<crate::domain::user::Role>()
                .map(|r| r.label().text(lang).to_lowercase())
                .unwrap_or_else(|_| s.clone()),
            "status" => s
                .parse::<crate::domain::user::UserStatus>()
                .map(|r| r.label().text(lang).to_lowercase())
                .unwrap_or_else(|_| s.clone()),
            _ => s.clone(),
        },
        Value::Bool(b) => if *b { "✓" } else { "✗" }.into(),
        Value::Number(n) => n.to_string(),
        other => {
            let s = other.to_string();
            if s.chars().count() > 120 {
                format!("{}…", s.chars().take(119).collect::<String>())
            } else {
                s
            }
        }
    }
}

/// The fields an entry changed: details as `{"field": [before, after]}`,
/// `{"field": {"before": …, "after": …}}`, or `{"before": {…}, "after": {…}}`.
pub fn changes(lang: Lang, details: &Value) -> Vec<Change> {
    let Some(obj) = details.as_object() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut push = |key: &str, before: &Value, after: &Value| {
        if before != after {
            out.push(Change {
                field: field_label(lang, key),
                before: value_text(lang, key, before),
                after: value_text(lang, key, after),
            });
        }
    };
    if let (Some(before), Some(after)) = (obj.get("before"), obj.get("after")) {
        match (before.as_object(), after.as_object()) {
            (Some(b), Some(a)) => {
                let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
                keys.sort();
                keys.dedup();
                for k in keys {
                    push(
                        k,
                        b.get(k).unwrap_or(&Value::Null),
                        a.get(k).unwrap_or(&Value::Null),
                    );
                }
            }
            _ => push("value", before, after),
        }
        return out;
    }
    for (k, v) in obj {
        match v {
            Value::Array(pair) if pair.len() == 2 => push(k, &pair[0], &pair[1]),
            Value::Object(o) if o.contains_key("before") && o.contains_key("after") => {
                push(k, &o["before"], &o["after"])
            }
            _ => {}
        }
    }
    out
}

/// The change in a line: "роль: сотрудник → руководитель", at most three fields.
pub fn key_change(lang: Lang, details: &Value) -> Option<String> {
    let c = changes(lang, details);
    if c.is_empty() {
        return None;
    }
    let mut parts: Vec<String> = c
        .iter()
        .take(3)
        .map(|c| format!("{}: {} → {}", c.field, c.before, c.after))
        .collect();
    if c.len() > 3 {
        parts.push(format!("+{}", c.len() - 3));
    }
    Some(parts.join("; "))
}

/// What a target type is called.
pub fn target_type_label(lang: Lang, target_type: &str) -> String {
    let msg = match target_type {
        "user" => Msg::AuditTargetUser,
        "certification" => Msg::AuditTargetCertification,
        "question" => Msg::AuditTargetQuestion,
        "attempt" => Msg::AuditTargetAttempt,
        "badge" => Msg::AuditTargetBadge,
        "session" => Msg::AuditTargetSession,
        "settings" => Msg::AuditTargetSettings,
        "sign_in" => Msg::AuditTargetSignIn,
        "api_key" => Msg::AuditTargetApiKey,
        "webhook" => Msg::AuditTargetWebhook,
        "level" | "levels" => Msg::AuditTargetLevels,
        "dictionary" => Msg::AuditTargetDictionary,
        "upload" => Msg::AuditTargetUpload,
        _ => return target_type.replace('_', " "),
    };
    msg.text(lang).to_owned()
}

/// Who or what an entry is about: its label, else its kind and number in words.
pub fn target_text(lang: Lang, row: &AuditRow) -> Option<String> {
    match (&row.target_label, &row.target_type, &row.target_id) {
        (Some(l), _, _) if !l.is_empty() => Some(l.clone()),
        (_, Some(t), Some(id)) if id.parse::<i64>().is_ok() => {
            Some(format!("{} №{id}", target_type_label(lang, t)))
        }
        (_, Some(t), Some(id)) => Some(format!("{} «{id}»", target_type_label(lang, t))),
        (_, Some(t), None) => Some(target_type_label(lang, t)),
        _ => None,
    }
}

/// Who acted, in words: the person's name, the API key by its name, or which part of the
/// system ("the system: badge rules"), never a bare internal label.
pub fn actor_text(lang: Lang, row: &AuditRow) -> String {
    let label = row.actor_label.as_str();
    match row.actor_kind.as_str() {
        "person" => label.to_owned(),
        "api_key" => {
            let name = label
                .strip_prefix("API key ")
                .and_then(|s| s.rsplit_once(" (#").map(|(n, _)| n))
                .unwrap_or(label);
            Msg::AuditActorApiKey.with(lang, &[("name", name)])
        }
        "bot" => Msg::AuditActorBot.text(lang).to_owned(),
        _ => {
            let part = match (label, row.channel.as_str()) {
                ("scheduler", _) | (_, "scheduler") => Some(Msg::AuditSystemScheduler),
                ("server", _) | (_, "server") => Some(Msg::AuditSystemServer),
                ("rules", _) | (_, "rules") => Some(Msg::AuditSystemRules),
                ("cli", _) | (_, "cli") => Some(Msg::AuditSystemCli),
                ("demo", _) | (_, "demo") => Some(Msg::AuditSystemDemo),
                (_, "scim") => Some(Msg::AuditSystemScim),
                _ => None,
            };
            match part {
                Some(m) => Msg::AuditSystem.with(lang, &[("part", m.text(lang))]),
                None if label.is_empty() => Msg::AuditActorUnknown.text(lang).to_owned(),
                None => label.to_owned(),
            }
        }
    }
}

/// Where an entry came from, in words.
pub fn channel_text(lang: Lang, channel: &str) -> String {
    let msg = match channel {
        "admin" => Msg::ChannelAdmin,
        "miniapp" | "mini_app" => Msg::ChannelMiniApp,
        "bot" => Msg::ChannelBot,
        "api" => Msg::ChannelApi,
        "cli" => Msg::AuditSystemCli,
        "scim" => Msg::AuditSystemScim,
        _ => return channel.to_owned(),
    };
    msg.text(lang).to_owned()
}

/// The change column: the fields changed, else what the entry says in a few words (a
/// status moved, points, a reason, counts).
pub fn summary(lang: Lang, details: &Value) -> Option<String> {
    if let Some(c) = key_change(lang, details) {
        return Some(c);
    }
    let obj = details.as_object()?;
    let mut parts: Vec<String> = Vec::new();
    if let (Some(from), Some(to)) = (
        obj.get("from").and_then(Value::as_str),
        obj.get("to").and_then(Value::as_str),
    ) {
        let status = |s: &str| {
            s.parse::<crate::domain::certification::CertStatus>()
                .map(|c| c.label().text(lang).to_lowercase())
                .unwrap_or_else(|_| s.to_owned())
        };
        parts.push(format!("{} → {}", status(from), status(to)));
    }
    if let Some(d) = obj.get("delta").and_then(Value::as_i64) {
        parts.push(Msg::AuditPointsDelta.with(lang, &[("n", &format!("{d:+}"))]));
    }
    if let Some(n) = obj.get("queued").and_then(Value::as_i64) {
        parts.push(Msg::AuditQueued.with(lang, &[("n", &n.to_string())]));
    }
    if let Some(n) = obj.get("count").and_then(Value::as_i64) {
        parts.push(Msg::AuditCount.with(lang, &[("n", &n.to_string())]));
    }
    if let Some(r) = obj.get("reason").and_then(Value::as_str)
        && !r.trim().is_empty()
    {
        parts.push(Msg::AuditReason.with(lang, &[("reason", r)]));
    }
    if let Some(t) = obj.get("certification").and_then(Value::as_str) {
        parts.push(format!("«{t}»"));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// One entry as the Telegram feed posts it.
pub fn post_line(lang: Lang, row: &AuditRow, utc_offset: i32) -> String {
    let action = AuditAction::try_from(row.action.clone()).ok();
    let label = action.map_or_else(|| row.action.clone(), |a| a.label().text(lang).to_owned());
    let emoji = action.map_or("•", AuditAction::emoji);
    let details: Value = serde_json::from_str(&row.details).unwrap_or(Value::Null);
    let mut lines = vec![format!("{emoji} {label}")];
    let actor = actor_text(lang, row);
    let who = match target_text(lang, row) {
        Some(t) => format!("{actor} → {t}"),
        None => actor,
    };
    lines.push(who);
    if let Some(c) = key_change(lang, &details) {
        lines.push(c);
    }
    if let Some(reason) = details.get("reason").and_then(Value::as_str)
        && !reason.is_empty()
    {
        lines.push(Msg::AuditReason.with(lang, &[("reason", reason)]));
    }
    if let Some(n) = details.get("count").and_then(Value::as_i64) {
        lines.push(Msg::AuditCount.with(lang, &[("n", &n.to_string())]));
    }
    lines.push(row.at.format_datetime(utc_offset));
    lines.join("\n")
}

/// A per-minute count line (sign-ins, attempt starts).
pub fn count_line(
    lang: Lang,
    action: AuditAction,
    count: i64,
    minute: Timestamp,
    utc_offset: i32,
) -> String {
    let to = minute.plus_secs(60);
    let hhmm = |t: Timestamp| {
        let s = t.format_datetime(utc_offset);
        s.rsplit(' ').next().unwrap_or_default().to_owned()
    };
    Msg::AuditCountLine.with(
        lang,
        &[
            ("emoji", action.emoji()),
            ("label", action.label().text(lang)),
            ("n", &count.to_string()),
            ("from", &hhmm(minute)),
            ("to", &hhmm(to)),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(action: &str, details: Value) -> AuditRow {
        AuditRow {
            id: crate::domain::AuditId(1),
            at: Timestamp(1_893_456_000_000),
            actor_id: None,
            actor_kind: "person".into(),
            actor_label: "Мария Админ".into(),
            action: action.into(),
            target_type: Some("user".into()),
            target_id: Some("7".into()),
            target_label: Some("Иван Петров".into()),
            details: details.to_string(),
            ip: None,
            user_agent: None,
            channel: "admin".into(),
        }
    }

    #[test]
    fn a_role_change_reads_before_and_after() {
        let d = json!({ "role": ["employee", "manager"], "status": ["active", "active"],
            "first_name": ["Иван", "Иван"] });
        assert_eq!(
            key_change(Lang::Ru, &d).as_deref(),
            Some("Роль: сотрудник → руководитель")
        );
        let line = post_line(Lang::Ru, &row("user_edited", d), 180);
        assert!(
            line.starts_with("👤 Пользователь изменён\nМария Админ → Иван Петров\n"),
            "{line}"
        );
        assert!(line.ends_with("01.01.2030 03:00"), "{line}");
    }

    #[test]
    fn other_shapes_of_details_are_diffed_too() {
        let d = json!({ "first_name": { "before": "Анна", "after": "Аня" } });
        assert_eq!(changes(Lang::En, &d)[0].after, "Аня");
        let d = json!({ "before": { "rate_per_sec": 25, "x": 1 }, "after": { "rate_per_sec": 20, "x": 1 } });
        let c = changes(Lang::Ru, &d);
        assert_eq!(c.len(), 1);
        assert_eq!((c[0].before.as_str(), c[0].after.as_str()), ("25", "20"));
        let reason = post_line(
            Lang::Ru,
            &row("points_changed", json!({ "reason": "Конкурс" })),
            0,
        );
        assert!(reason.contains("Причина: Конкурс"), "{reason}");
        assert!(changes(Lang::Ru, &json!("x")).is_empty());
    }

    #[test]
    fn actors_and_targets_read_as_words_never_as_internal_labels() {
        let mut r = row("sign_in", json!({}));
        r.target_label = None;
        r.target_type = Some("session".into());
        r.target_id = Some("4".into());
        assert_eq!(target_text(Lang::Ru, &r).as_deref(), Some("Сеанс №4"));
        r.actor_kind = "job".into();
        r.actor_label = "rules".into();
        assert_eq!(actor_text(Lang::Ru, &r), "Система: правила наград");
        r.actor_label = "demo".into();
        r.channel = "demo".into();
        assert_eq!(actor_text(Lang::Ru, &r), "Система: демо-данные");
        r.actor_kind = "api_key".into();
        r.actor_label = "API key «HR sync» (#3)".into();
        assert_eq!(actor_text(Lang::Ru, &r), "API-ключ «HR sync»");
        assert_eq!(
            summary(Lang::Ru, &json!({ "from": "open", "to": "closed" })).as_deref(),
            Some("открыта → закрыта")
        );
        assert_eq!(
            summary(Lang::Ru, &json!({ "delta": 50, "reason": "Конкурс" })).as_deref(),
            Some("+50 баллов; Причина: Конкурс")
        );
    }
}
