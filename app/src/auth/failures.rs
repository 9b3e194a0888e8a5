//! Failed sign-ins are counted in memory per key (a login, or the address of bad Mini App
//! launches) and fixed window ([`FAILURE_WINDOW_SECS`]), and recorded as one audit entry per key
//! and window, written once when the window closes (the audit table is append-only). A flood of
//! bad requests therefore writes a handful of rows, not one per request. A crash loses the
//! windows still open (at most one per key); a graceful stop writes them.

use crate::domain::Timestamp;
use crate::domain::audit::{AuditAction, AuditEntry, Origin};
use crate::domain::throttle::{FAILURE_WINDOW_SECS, failure_window};
use crate::storage::{self, Db, StorageError};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

/// Keys counted at once; beyond that, failures of new keys share one overflow key.
const MAX_KEYS: usize = 50_000;
const OVERFLOW: &str = "overflow";

#[derive(Debug, Clone)]
struct Tally {
    window: Timestamp,
    label: String,
    surface: &'static str,
    reasons: BTreeMap<String, i64>,
    origin: Origin,
}

#[derive(Default)]
pub struct FailedSignIns {
    open: Mutex<HashMap<String, Tally>>,
    closed: Mutex<Vec<(String, Tally)>>,
}

impl FailedSignIns {
    /// Counts one failure of `key` (shown as `label`) for `reason`.
    pub fn note(
        &self,
        key: &str,
        label: &str,
        surface: &'static str,
        reason: &str,
        origin: &Origin,
        now: Timestamp,
    ) {
        let window = failure_window(now);
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let key = if open.len() >= MAX_KEYS && !open.contains_key(key) {
            OVERFLOW
        } else {
            key
        };
        if let Some(t) = open.get(key)
            && t.window != window
            && let Some(old) = open.remove(key)
        {
            self.closed
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((key.to_owned(), old));
        }
        let t = open.entry(key.to_owned()).or_insert_with(|| Tally {
            window,
            label: label.chars().take(128).collect(),
            surface,
            reasons: BTreeMap::new(),
            origin: origin.clone(),
        });
        *t.reasons.entry(reason.to_owned()).or_default() += 1;
        t.origin = origin.clone();
    }

    /// The tallies whose window has closed by `now` (every one with `all`), as audit entries.
    fn take(&self, now: Timestamp, all: bool) -> Vec<AuditEntry> {
        let mut out: Vec<(String, Tally)> =
            std::mem::take(&mut *self.closed.lock().unwrap_or_else(|e| e.into_inner()));
        let current = failure_window(now);
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let ended: Vec<String> = open
            .iter()
            .filter(|(_, t)| all || t.window < current)
            .map(|(k, _)| k.clone())
            .collect();
        for k in ended {
            if let Some(t) = open.remove(&k) {
                out.push((k, t));
            }
        }
        drop(open);
        out.into_iter()
            .map(|(key, t)| {
                let end = t.window.plus_secs(FAILURE_WINDOW_SECS);
                let count: i64 = t.reasons.values().sum();
                AuditEntry {
                    at: if all { now.min(end) } else { end },
                    actor_id: None,
                    actor_label: t.label,
                    action: AuditAction::SignInFailed,
                    target_type: Some("sign_in".into()),
                    target_id: Some(key),
                    details: json!({
                        "surface": t.surface,
                        "count": count,
                        "reasons": t.reasons,
                        "window_start": t.window,
                        "window_end": end,
                    }),
                    origin: t.origin,
                }
            })
            .collect()
    }
}

impl FailedSignIns {
    /// Writes the closed windows (every window with `all`, at shutdown) to the audit log.
    pub async fn flush(&self, db: &Db, now: Timestamp, all: bool) -> Result<usize, StorageError> {
        let entries = self.take(now, all);
        if entries.is_empty() {
            return Ok(0);
        }
        let mut tx = db.begin().await?;
        for e in &entries {
            storage::audit::record(tx.conn(), e).await?;
        }
        tx.commit().await?;
        Ok(entries.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Timestamp = Timestamp(1_800_000_000_000);

    #[test]
    fn failures_of_one_key_and_window_become_one_entry() {
        let f = FailedSignIns::default();
        let o = Origin::channel("admin");
        let start = failure_window(T0);
        for i in 0..40 {
            f.note(
                "admin:eve",
                "eve",
                "admin",
                "bad_credentials",
                &o,
                start.plus_secs(i),
            );
        }
        f.note(
            "admin:eve",
            "eve",
            "admin",
            "throttled",
            &o,
            start.plus_secs(50),
        );
        f.note(
            "admin:bob",
            "bob",
            "admin",
            "bad_credentials",
            &o,
            start.plus_secs(1),
        );
        assert!(
            f.take(start.plus_secs(60), false).is_empty(),
            "window still open"
        );
        let entries = f.take(start.plus_secs(FAILURE_WINDOW_SECS), false);
        assert_eq!(entries.len(), 2);
        let eve = entries.iter().find(|e| e.actor_label == "eve").unwrap();
        assert_eq!(eve.details["count"], 41);
        assert_eq!(eve.details["reasons"]["throttled"], 1);
        assert_eq!(eve.at, start.plus_secs(FAILURE_WINDOW_SECS));
        assert!(
            f.take(start.plus_secs(10_000), true).is_empty(),
            "written once"
        );
    }

    #[test]
    fn a_new_window_closes_the_old_one_and_shutdown_writes_what_is_open() {
        let f = FailedSignIns::default();
        let o = Origin::channel("miniapp");
        let start = failure_window(T0);
        f.note("ip:1", "telegram", "miniapp", "bad_signature", &o, start);
        let next = start.plus_secs(FAILURE_WINDOW_SECS + 1);
        f.note("ip:1", "telegram", "miniapp", "bad_signature", &o, next);
        let closed = f.take(next, false);
        assert_eq!(closed.len(), 1);
        let open = f.take(next, true);
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].at, next);
    }
}
