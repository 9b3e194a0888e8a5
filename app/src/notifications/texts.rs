//! The texts of notifications, short and plain (no markup, so a name can never break a
//! message), in the recipient's language, each with the section its button opens.

use crate::domain::Timestamp;
use crate::domain::notifications::{DigestCounts, NotificationKind};
use crate::i18n::{Lang, Msg, attempts, minutes, points};
use crate::links::LinkTarget;

/// A message before it gets its button's URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub body: String,
    pub button: Option<(Msg, LinkTarget)>,
}

/// Telegram's limit on a message.
pub const MAX_CHARS: usize = 4096;

fn cut(s: String) -> String {
    if s.chars().count() <= MAX_CHARS {
        return s;
    }
    let mut out: String = s.chars().take(MAX_CHARS - 1).collect();
    out.push('…');
    out
}

fn mins_of(ms: i64) -> i64 {
    ((ms + 59_999) / 60_000).max(1)
}

pub fn badge(lang: Lang, name: &str, why: &str, badge_id: i64) -> Text {
    Text {
        body: cut(Msg::NotifBadge
            .with(lang, &[("badge", name), ("why", why)])
            .trim_end()
            .to_owned()),
        button: Some((Msg::BtnAchievements, LinkTarget::Badge(badge_id))),
    }
}

pub fn level(lang: Lang, level_name: &str, balance: i64) -> Text {
    Text {
        body: cut(Msg::NotifLevel.with(
            lang,
            &[("level", level_name), ("points", &points(lang, balance))],
        )),
        button: Some((Msg::BtnAchievements, LinkTarget::Achievements)),
    }
}

/// The certification's terms: deadline, time for the test, attempts.
fn details(
    lang: Lang,
    closes_at: Option<Timestamp>,
    utc_offset: i32,
    time_limit_secs: i64,
    max_attempts: i64,
) -> String {
    let deadline = closes_at.map_or_else(
        || Msg::NotifNoDeadline.text(lang).to_owned(),
        |c| c.format_datetime(utc_offset),
    );
    Msg::NotifDetails.with(
        lang,
        &[
            ("deadline", &deadline),
            ("minutes", &minutes(lang, mins_of(time_limit_secs * 1000))),
            ("attempts", &attempts(lang, max_attempts)),
        ],
    )
}

pub struct CertTerms<'a> {
    pub id: crate::domain::CertId,
    pub title: &'a str,
    pub closes_at: Option<Timestamp>,
    pub time_limit_secs: i64,
    pub max_attempts: i64,
}

/// A certification that has become available to the person: assigned while open, or opened.
pub fn available(lang: Lang, kind: NotificationKind, c: &CertTerms<'_>, utc_offset: i32) -> Text {
    let msg = if kind == NotificationKind::Opened {
        Msg::NotifOpened
    } else {
        Msg::NotifAssigned
    };
    let details = details(
        lang,
        c.closes_at,
        utc_offset,
        c.time_limit_secs,
        c.max_attempts,
    );
    Text {
        body: cut(msg.with(lang, &[("title", c.title), ("details", &details)])),
        button: Some((Msg::BtnOpenCert, LinkTarget::Certification(c.id))),
    }
}

pub fn reminder(lang: Lang, c: &CertTerms<'_>, utc_offset: i32) -> Text {
    let deadline = c
        .closes_at
        .map(|t| t.format_datetime(utc_offset))
        .unwrap_or_default();
    Text {
        body: cut(Msg::NotifReminder.with(lang, &[("title", c.title), ("deadline", &deadline)])),
        button: Some((Msg::BtnOpenCert, LinkTarget::Certification(c.id))),
    }
}

/// A reminder a manager sends by hand: the deadline when there is one.
pub fn manual_reminder(lang: Lang, c: &CertTerms<'_>, utc_offset: i32) -> Text {
    match c.closes_at {
        Some(_) => reminder(lang, c, utc_offset),
        None => Text {
            body: cut(Msg::NotifReminderNoDeadline.with(lang, &[("title", c.title)])),
            button: Some((Msg::BtnOpenCert, LinkTarget::Certification(c.id))),
        },
    }
}

pub fn nudge(
    lang: Lang,
    title: &str,
    remaining_ms: i64,
    attempt: crate::domain::AttemptId,
) -> Text {
    Text {
        body: cut(Msg::NotifNudge.with(
            lang,
            &[
                ("title", title),
                ("left", &minutes(lang, mins_of(remaining_ms))),
            ],
        )),
        button: Some((Msg::BtnContinue, LinkTarget::Attempt(attempt))),
    }
}

pub struct ResultFacts<'a> {
    pub person: crate::domain::UserId,
    pub name: &'a str,
    pub title: &'a str,
    pub percent: i64,
    pub best: i64,
    pub passed: bool,
    pub attempt: i64,
    pub max_attempts: i64,
}

pub fn team_result(lang: Lang, r: &ResultFacts<'_>) -> Text {
    let msg = if r.passed {
        Msg::NotifPassed
    } else {
        Msg::NotifFailed
    };
    Text {
        body: cut(msg.with(
            lang,
            &[
                ("name", r.name),
                ("title", r.title),
                ("percent", &r.percent.to_string()),
                ("best", &r.best.to_string()),
                ("n", &r.attempt.to_string()),
                ("max", &r.max_attempts.to_string()),
            ],
        )),
        button: Some((Msg::BtnPersonResults, LinkTarget::TeamPerson(r.person))),
    }
}

pub fn digest(lang: Lang, counts: DigestCounts) -> Text {
    Text {
        body: Msg::NotifDigest.with(
            lang,
            &[
                ("passed", &counts.passed.to_string()),
                ("failed", &counts.failed.to_string()),
            ],
        ),
        button: Some((Msg::BtnTeamResults, LinkTarget::Team)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{CertId, UserId};

    #[test]
    fn texts_are_in_the_recipients_language_with_plural_forms() {
        let terms = CertTerms {
            id: CertId(3),
            title: "Пожарная безопасность",
            closes_at: Some(Timestamp(1_893_456_000_000)),
            time_limit_secs: 1_260,
            max_attempts: 3,
        };
        let ru = available(Lang::Ru, NotificationKind::Assigned, &terms, 180);
        assert!(ru.body.contains("«Пожарная безопасность»"), "{}", ru.body);
        assert!(
            ru.body.contains("21 минута") && ru.body.contains("3 попытки"),
            "{}",
            ru.body
        );
        assert!(ru.body.contains("01.01.2030 03:00"), "{}", ru.body);
        assert_eq!(
            ru.button,
            Some((Msg::BtnOpenCert, LinkTarget::Certification(CertId(3))))
        );
        let en = available(Lang::En, NotificationKind::Opened, &terms, 180);
        assert!(
            en.body.starts_with("📋 A certification is open"),
            "{}",
            en.body
        );
        assert!(en.body.contains("21 minutes, 3 attempts"), "{}", en.body);
        let r = team_result(
            Lang::Ru,
            &ResultFacts {
                person: UserId(9),
                name: "Анна Смирнова",
                title: "ОТ",
                percent: 85,
                best: 85,
                passed: true,
                attempt: 2,
                max_attempts: 3,
            },
        );
        assert_eq!(
            r.body,
            "✅ Анна Смирнова сдал(а) «ОТ»: 85% (лучший 85%), попытка 2 из 3."
        );
        let n = nudge(Lang::Ru, "ОТ", 5 * 60_000 + 1, crate::domain::AttemptId(1));
        assert!(n.body.contains("6 минут"), "{}", n.body);
        let d = digest(
            Lang::Ru,
            DigestCounts {
                passed: 37,
                failed: 5,
            },
        );
        assert!(d.body.contains("37") && d.body.contains("5"));
        let long = badge(Lang::Ru, &"x".repeat(5000), "", 1);
        assert_eq!(long.body.chars().count(), MAX_CHARS);
    }
}
