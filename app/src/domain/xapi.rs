//! xAPI 1.0.3 statements for a learning record store: what is said (verbs with their exact
//! IRIs), who (an `account` on our public URL named by our user id, stable even when an HR id
//! comes later), about what (activity IRIs under our public URL), and deterministic ids
//! (UUIDv5 of the event) so a resent statement is the same statement.

use super::Timestamp;
use serde_json::{Value, json};

/// The version header every request carries (what most LRSs accept).
pub const VERSION: &str = "1.0.3";

pub const EXPERIENCED: &str = "http://adlnet.gov/expapi/verbs/experienced";
pub const ATTEMPTED: &str = "http://adlnet.gov/expapi/verbs/attempted";
pub const PASSED: &str = "http://adlnet.gov/expapi/verbs/passed";
pub const FAILED: &str = "http://adlnet.gov/expapi/verbs/failed";
pub const ABANDONED: &str = "https://w3id.org/xapi/adl/verbs/abandoned";
/// "earned" from the public xAPI vocabulary registry (registry.tincanapi.com): the actor
/// achieved something, such as a badge or a level.
pub const EARNED: &str = "http://id.tincanapi.com/verb/earned";

const ASSESSMENT: &str = "http://adlnet.gov/expapi/activities/assessment";
const LESSON: &str = "http://adlnet.gov/expapi/activities/lesson";
const BADGE: &str = "http://activitystrea.ms/schema/1.0/badge";
const ACHIEVEMENT: &str = "http://id.tincanapi.com/activitytype/achievement";

/// What a statement says happened.
#[derive(Debug, Clone, PartialEq)]
pub enum Learning {
    TheoryRead {
        certification_id: i64,
        title: String,
    },
    AttemptStarted {
        attempt_id: i64,
        certification_id: i64,
        title: String,
    },
    AttemptEnded {
        attempt_id: i64,
        certification_id: i64,
        title: String,
        percent: i64,
        passed: bool,
        /// The time ran out: "abandoned" rather than passed or failed.
        timed_out: bool,
        duration_ms: i64,
    },
    BadgeEarned {
        badge_id: i64,
        name: String,
    },
    LevelReached {
        level: i64,
        name: String,
    },
}

/// Who did it.
#[derive(Debug, Clone, PartialEq)]
pub struct Learner {
    pub user_id: i64,
    pub name: String,
}

/// ISO 8601 duration with centisecond precision, as xAPI recommends: `PT75.5S`, `PT0S`.
pub fn iso_duration(ms: i64) -> String {
    let cs = ms.max(0) / 10;
    let (secs, frac) = (cs / 100, cs % 100);
    match frac {
        0 => format!("PT{secs}S"),
        f if f % 10 == 0 => format!("PT{secs}.{}S", f / 10),
        f => format!("PT{secs}.{f:02}S"),
    }
}

/// The UUIDv5 namespace of this installation: derived from its public URL, so two
/// installations never mint the same statement id.
#[cfg(feature = "ssr")]
pub fn namespace(public_url: &str) -> uuid::Uuid {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, public_url.as_bytes())
}

/// The statement id of one domain event (the same on every resend).
#[cfg(feature = "ssr")]
pub fn statement_id(public_url: &str, event_id: i64) -> uuid::Uuid {
    uuid::Uuid::new_v5(
        &namespace(public_url),
        format!("event:{event_id}").as_bytes(),
    )
}

/// `context.registration`: one per attempt, shared by its started and ended statements.
#[cfg(feature = "ssr")]
pub fn registration(public_url: &str, attempt_id: i64) -> uuid::Uuid {
    uuid::Uuid::new_v5(
        &namespace(public_url),
        format!("attempt:{attempt_id}").as_bytes(),
    )
}

fn activity(id: String, kind: &str, name: &str) -> Value {
    json!({
        "objectType": "Activity",
        "id": id,
        "definition": { "type": kind, "name": { "ru-RU": name } },
    })
}

fn verb(id: &str) -> Value {
    let display = id.rsplit('/').next().unwrap_or(id);
    json!({ "id": id, "display": { "en-US": display } })
}

/// The statement for `what`, by `who`, at `at`, with id `id`.
#[cfg(feature = "ssr")]
pub fn statement(
    public_url: &str,
    id: uuid::Uuid,
    who: &Learner,
    what: &Learning,
    at: Timestamp,
) -> Value {
    let base = public_url.trim_end_matches('/');
    let cert = |c: i64| format!("{base}/xapi/certifications/{c}");
    let (verb_id, object, result, attempt) = match what {
        Learning::TheoryRead {
            certification_id,
            title,
        } => (
            EXPERIENCED,
            activity(format!("{}/theory", cert(*certification_id)), LESSON, title),
            None,
            None,
        ),
        Learning::AttemptStarted {
            attempt_id,
            certification_id,
            title,
        } => (
            ATTEMPTED,
            activity(cert(*certification_id), ASSESSMENT, title),
            None,
            Some(*attempt_id),
        ),
        Learning::AttemptEnded {
            attempt_id,
            certification_id,
            title,
            percent,
            passed,
            timed_out,
            duration_ms,
        } => {
            let v = match (timed_out, passed) {
                (true, _) => ABANDONED,
                (false, true) => PASSED,
                (false, false) => FAILED,
            };
            let result = json!({
                "score": { "scaled": (*percent as f64 / 100.0).clamp(0.0, 1.0), "raw": percent, "min": 0, "max": 100 },
                "success": passed,
                "completion": !timed_out,
                "duration": iso_duration(*duration_ms),
            });
            (
                v,
                activity(cert(*certification_id), ASSESSMENT, title),
                Some(result),
                Some(*attempt_id),
            )
        }
        Learning::BadgeEarned { badge_id, name } => (
            EARNED,
            activity(format!("{base}/xapi/badges/{badge_id}"), BADGE, name),
            None,
            None,
        ),
        Learning::LevelReached { level, name } => (
            EARNED,
            activity(format!("{base}/xapi/levels/{level}"), ACHIEVEMENT, name),
            None,
            None,
        ),
    };
    let mut s = json!({
        "id": id.to_string(),
        "actor": {
            "objectType": "Agent",
            "name": who.name,
            "account": { "homePage": base, "name": who.user_id.to_string() },
        },
        "verb": verb(verb_id),
        "object": object,
        "timestamp": at.to_rfc3339(),
        "context": { "platform": "Attest", "language": "ru-RU" },
    });
    if let Some(r) = result {
        s["result"] = r;
    }
    if let Some(a) = attempt {
        s["context"]["registration"] = json!(registration(public_url, a).to_string());
    }
    s
}

/// What to do after a try at the LRS: 2xx delivered; 4xx (but 408 and 429) dead; else the
/// webhooks' retry schedule.
pub fn lrs_verdict(status: Option<u16>, failed_before: i64) -> super::webhooks::Verdict {
    use super::webhooks::{Verdict, verdict};
    match status {
        Some(408 | 429) => verdict(Some(500), failed_before),
        Some(400..=499) => Verdict::Dead,
        other => match verdict(other, failed_before) {
            Verdict::Gone => Verdict::Dead,
            v => v,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_iso_8601() {
        assert_eq!(iso_duration(0), "PT0S");
        assert_eq!(iso_duration(75_500), "PT75.5S");
        assert_eq!(iso_duration(1_234), "PT1.23S");
        assert_eq!(iso_duration(600_000), "PT600S");
        assert_eq!(iso_duration(-5), "PT0S");
    }

    #[test]
    fn ids_are_deterministic_per_installation_and_event() {
        let a = statement_id("https://a.example", 7);
        assert_eq!(a, statement_id("https://a.example", 7));
        assert_ne!(a, statement_id("https://a.example", 8));
        assert_ne!(a, statement_id("https://b.example", 7));
        assert_eq!(a.get_version_num(), 5);
        assert_eq!(
            registration("https://a.example", 3),
            registration("https://a.example", 3)
        );
    }

    #[test]
    fn an_ended_attempt_says_passed_failed_or_abandoned_with_its_result() {
        let who = Learner {
            user_id: 42,
            name: "Анна Иванова".into(),
        };
        let ended = |passed, timed_out| Learning::AttemptEnded {
            attempt_id: 9,
            certification_id: 3,
            title: "Охрана труда".into(),
            percent: 85,
            passed,
            timed_out,
            duration_ms: 754_300,
        };
        let id = statement_id("https://lms.example/", 1);
        let s = statement(
            "https://lms.example/",
            id,
            &who,
            &ended(true, false),
            Timestamp(0),
        );
        assert_eq!(s["verb"]["id"], PASSED);
        assert_eq!(s["actor"]["account"]["homePage"], "https://lms.example");
        assert_eq!(s["actor"]["account"]["name"], "42");
        assert_eq!(
            s["object"]["id"],
            "https://lms.example/xapi/certifications/3"
        );
        assert_eq!(s["result"]["score"]["scaled"], 0.85);
        assert_eq!(s["result"]["success"], true);
        assert_eq!(s["result"]["duration"], "PT754.3S");
        assert_eq!(
            s["context"]["registration"],
            registration("https://lms.example/", 9).to_string()
        );
        assert_eq!(s["id"], id.to_string());
        let failed = statement(
            "https://lms.example",
            id,
            &who,
            &ended(false, false),
            Timestamp(0),
        );
        assert_eq!(failed["verb"]["id"], FAILED);
        let gone = statement(
            "https://lms.example",
            id,
            &who,
            &ended(false, true),
            Timestamp(0),
        );
        assert_eq!(gone["verb"]["id"], ABANDONED);
        assert_eq!(gone["result"]["completion"], false);
        let read = Learning::TheoryRead {
            certification_id: 3,
            title: "Охрана труда".into(),
        };
        let r = statement("https://lms.example", id, &who, &read, Timestamp(0));
        assert_eq!(r["verb"]["id"], EXPERIENCED);
        assert!(r.get("result").is_none());
        assert!(r["context"].get("registration").is_none());
        let badge = Learning::BadgeEarned {
            badge_id: 5,
            name: "Наставник".into(),
        };
        let b = statement("https://lms.example", id, &who, &badge, Timestamp(0));
        assert_eq!(b["verb"]["id"], EARNED);
        assert_eq!(b["object"]["id"], "https://lms.example/xapi/badges/5");
    }

    /// An LRS refusing a statement (4xx) will refuse it again: it ends dead with the answer
    /// kept; 5xx and no answer are retried.
    #[test]
    fn lrs_verdicts() {
        use crate::domain::webhooks::Verdict;
        assert_eq!(lrs_verdict(Some(204), 0), Verdict::Delivered);
        assert_eq!(lrs_verdict(Some(400), 0), Verdict::Dead);
        assert_eq!(lrs_verdict(Some(409), 0), Verdict::Dead);
        assert!(matches!(lrs_verdict(Some(429), 0), Verdict::Retry(_)));
        assert!(matches!(lrs_verdict(Some(503), 0), Verdict::Retry(_)));
        assert!(matches!(lrs_verdict(None, 0), Verdict::Retry(_)));
    }
}
