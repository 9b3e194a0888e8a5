//! Group commit of theory pages shown, and the reading state they answer with.
//!
//! Each page on screen is a write (the time of the page before, the page now on screen, and
//! when the reading completes, the reading recorded with its event and badges). Before a
//! scheduled opening everyone reads at once; one transaction each kept SQLite's single writer
//! busy right when the starts arrive. Here the pages shown waiting in the queue are written
//! together: per certification one statement per table, one commit.
//!
//! A page shown is planned on a read connection (`service::page_shown`: the certification from
//! the cache, the person's standing); the batch checks in its transaction that the person's
//! progress row is what the plan saw (locked on PostgreSQL, in person order) and the
//! certification unchanged. Otherwise — and for a second page of the same person in one
//! batch, or a database error — the page is handed back and the caller takes the one-request
//! path.

use crate::domain::attempt::{Standing as Counted, may_start};
use crate::domain::certification::{CertStatus, Certification, TheoryBlock};
use crate::domain::clock::Clock;
use crate::domain::events::DomainEvent;
use crate::domain::progress::{all_blocks_read, still_to_read, theory_is_read};
use crate::domain::user::User;
use crate::domain::{BlockId, CertId, Timestamp, UserId};
use crate::gamification::ledger::{evaluate_badges_many, note_activity_many};
use crate::group_commit::{BatchWrite, GroupCommit};
use crate::model::taking::{CertForTaking, ReadState};
use crate::storage::attempts::{self as store, Progress, Standing};
use crate::storage::certifications as certs;
use crate::storage::{Db, StorageResult, events};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// Whether pages shown go through batches; `ATTEST_SHOWN_BATCH=off` takes the one-request
/// path for every page (to compare in one build).
pub(crate) fn batching() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| !std::env::var("ATTEST_SHOWN_BATCH").is_ok_and(|v| v == "off"))
}

/// A page shown, planned, waiting for its batch.
pub struct QueuedShown {
    pub user: User,
    pub view: Arc<CertForTaking>,
    pub block: BlockId,
    /// The person's standing as the plan read it.
    pub facts: Standing,
    /// Today's activity is not noted yet (on this instance).
    pub new_day: bool,
}

/// Pages shown written in batches: `submit` gives a page back when the plan no longer held.
pub type ShownWriter = GroupCommit<PagesShown>;

pub fn shown_writer(db: Db, clock: Arc<dyn Clock>, utc_offset: i32) -> ShownWriter {
    GroupCommit::new(PagesShown {
        db,
        clock,
        utc_offset,
    })
}

pub struct PagesShown {
    db: Db,
    clock: Arc<dyn Clock>,
    utc_offset: i32,
}

impl BatchWrite for PagesShown {
    type Job = Arc<QueuedShown>;
    type Done = ReadState;
    /// Up to two reading rows of five parameters a page: 640, far inside both backends' limits.
    const MAX_BATCH: usize = 64;

    fn db(&self) -> &Db {
        &self.db
    }

    /// One person's pages are written in the order they came.
    fn key(job: &Arc<QueuedShown>) -> u64 {
        job.user.id.0 as u64
    }

    async fn write(&self, jobs: &[Arc<QueuedShown>]) -> Vec<Option<ReadState>> {
        write_batch(&self.db, jobs, self.utc_offset, self.clock.now())
            .await
            .unwrap_or_else(|e| {
                // Nothing was committed: each page is retried on its own path.
                tracing::warn!(error = %e, pages = jobs.len(), "batched pages shown failed");
                vec![None; jobs.len()]
            })
    }
}

/// Writes the pages whose plans still hold in one transaction; `None` for the others.
async fn write_batch(
    db: &Db,
    jobs: &[Arc<QueuedShown>],
    utc_offset: i32,
    now: Timestamp,
) -> StorageResult<Vec<Option<ReadState>>> {
    let mut by_cert: BTreeMap<CertId, Vec<usize>> = BTreeMap::new();
    for (i, j) in jobs.iter().enumerate() {
        by_cert.entry(j.view.cert.id).or_default().push(i);
    }
    let mut out: Vec<Option<ReadState>> = vec![None; jobs.len()];
    let mut read_events: Vec<DomainEvent> = Vec::new();
    let mut read_by: Vec<&User> = Vec::new();
    let mut tx = db.begin().await?;
    for (cert_id, idx) in &by_cert {
        let cert = certs::get(tx.conn(), *cert_id).await?;
        // A first page creates the person's progress row, as the one-request path does.
        let mut missing: Vec<UserId> = idx
            .iter()
            .filter(|&&i| jobs[i].facts.progress.is_none())
            .map(|&i| jobs[i].user.id)
            .collect();
        missing.sort_unstable();
        missing.dedup();
        store::ensure_progress_many(tx.conn(), *cert_id, &missing, now).await?;
        let mut users: Vec<UserId> = idx.iter().map(|&i| jobs[i].user.id).collect();
        users.sort_unstable();
        users.dedup();
        let progress: HashMap<UserId, Progress> =
            store::progress_many_for_update(tx.conn(), *cert_id, &users)
                .await?
                .into_iter()
                .collect();
        let mut seen = HashSet::new();
        let held: Vec<usize> = idx
            .iter()
            .copied()
            .filter(|&i| {
                let j = &jobs[i];
                let expected = j.facts.progress.clone().unwrap_or_default();
                cert.as_ref() == Some(&j.view.cert)
                    && progress.get(&j.user.id) == Some(&expected)
                    && seen.insert(j.user.id)
            })
            .collect();
        if held.is_empty() {
            continue;
        }
        // The page before gets its time on screen; the page now shown gets its row.
        let mut dwell: BTreeMap<(UserId, BlockId), i64> = BTreeMap::new();
        for &i in &held {
            let j = &jobs[i];
            let p = &progress[&j.user.id];
            if let (Some(prev), Some(since)) = (p.current_block_id, p.current_since) {
                *dwell.entry((j.user.id, prev)).or_default() +=
                    (now.millis() - since.millis()).max(0);
            }
            dwell.entry((j.user.id, j.block)).or_default();
        }
        let rows: Vec<(UserId, CertId, BlockId, i64)> = dwell
            .into_iter()
            .map(|((user, block), ms)| (user, *cert_id, block, ms))
            .collect();
        store::add_dwell_many(tx.conn(), &rows, now).await?;
        let shown: Vec<(UserId, BlockId)> = held
            .iter()
            .map(|&i| (jobs[i].user.id, jobs[i].block))
            .collect();
        store::show_blocks(tx.conn(), *cert_id, &shown, now).await?;
        // The reading state after it: the time on screen of those still reading.
        let reading: Vec<UserId> = held
            .iter()
            .map(|&i| &jobs[i])
            .filter(|j| !theory_is_read(progress[&j.user.id].read_version, &j.view.theory_versions))
            .map(|j| j.user.id)
            .collect();
        let mut times: HashMap<UserId, Vec<(BlockId, i64)>> = HashMap::new();
        for (user, block, ms) in store::dwell_many(tx.conn(), *cert_id, &reading).await? {
            times.entry(user).or_default().push((block, ms));
        }
        let mut read_now: Vec<UserId> = Vec::new();
        for &i in &held {
            let j = &jobs[i];
            let mut p = progress[&j.user.id].clone();
            p.current_block_id = Some(j.block);
            p.current_since = Some(now);
            let facts = Standing {
                progress: Some(p),
                ..j.facts.clone()
            };
            let time = times.get(&j.user.id).map_or(&[][..], Vec::as_slice);
            let view = &j.view;
            let (state, newly_read) = reading_state(
                &view.cert,
                &view.blocks,
                &view.theory_versions,
                &facts,
                time,
                now,
            );
            if newly_read {
                read_now.push(j.user.id);
                read_by.push(&j.user);
                read_events.push(DomainEvent::TheoryRead {
                    user_id: j.user.id,
                    certification_id: *cert_id,
                    version: view.cert.theory_version,
                });
            }
            out[i] = Some(state);
        }
        let version = jobs[held[0]].view.cert.theory_version;
        store::mark_read_many(tx.conn(), *cert_id, &read_now, version, now).await?;
    }
    events::emit_many(tx.conn(), &read_events, now).await?;
    // A page is a day of activity (the launch has usually noted it), then the badges that a
    // completed reading may bring.
    let new_day: Vec<&User> = jobs
        .iter()
        .zip(&out)
        .filter(|(j, state)| j.new_day && state.is_some())
        .map(|(j, _)| &j.user)
        .collect();
    note_activity_many(tx.conn(), &new_day, utc_offset, now).await?;
    evaluate_badges_many(tx.conn(), &read_by, utc_offset, now).await?;
    tx.commit().await?;
    Ok(out)
}

/// The reading state at `now` from the person's standing and the time each page has been on
/// screen (`dwell`, read only while the theory is not read yet); `true` when the reading is
/// complete only now and still has to be recorded.
pub(crate) fn reading_state(
    cert: &Certification,
    blocks: &[TheoryBlock],
    versions: &[(i64, bool)],
    facts: &Standing,
    dwell: &[(BlockId, i64)],
    now: Timestamp,
) -> (ReadState, bool) {
    let progress = facts.progress.clone().unwrap_or_default();
    let in_progress = facts.running.is_some();
    let mut read = theory_is_read(progress.read_version, versions);
    let mut newly_read = false;
    let remaining_ms = if read {
        vec![0; blocks.len()]
    } else {
        let per_block: Vec<i64> = blocks
            .iter()
            .map(|b| {
                let stored = dwell
                    .iter()
                    .find(|(id, _)| *id == b.id)
                    .map(|(_, d)| *d)
                    .unwrap_or(-1);
                let running = match (progress.current_block_id, progress.current_since) {
                    (Some(cur), Some(since)) if cur == b.id => {
                        (now.millis() - since.millis()).max(0)
                    }
                    _ => 0,
                };
                // A block never shown is not read, whatever the minimum.
                if stored < 0 { -1 } else { stored + running }
            })
            .collect();
        let shown_all = per_block.iter().all(|d| *d >= 0);
        if shown_all && all_blocks_read(cert.settings.min_read_secs, &per_block) {
            newly_read = true;
            read = true;
            vec![0; blocks.len()]
        } else {
            let min = cert.settings.min_read_secs * 1000;
            per_block
                .iter()
                .map(|d| {
                    if *d < 0 {
                        min.max(1)
                    } else {
                        still_to_read(cert.settings.min_read_secs, &[*d])[0]
                    }
                })
                .collect()
        }
    };
    let counted = Counted {
        attempts_used: progress.attempts_used,
        best_percent: progress.best_percent,
        in_progress,
    };
    let refusal = if in_progress {
        None
    } else {
        may_start(
            cert.status == CertStatus::Open,
            facts.assigned,
            read,
            cert.settings.max_attempts,
            counted,
        )
        .err()
        .map(|r| r.msg())
    };
    (
        ReadState {
            read,
            remaining_ms,
            in_progress,
            refusal,
        },
        newly_read,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::certification::{BlockKind, CertSettings};

    fn cert(min_read_secs: i64) -> Certification {
        Certification {
            id: CertId(1),
            settings: CertSettings {
                min_read_secs,
                max_attempts: 3,
                ..CertSettings::default()
            },
            status: CertStatus::Open,
            theory_version: 1,
            opened_at: None,
            closed_at: None,
            updated_at: Timestamp(0),
        }
    }

    fn blocks() -> Vec<TheoryBlock> {
        (1..=2)
            .map(|i| TheoryBlock {
                id: BlockId(i),
                position: i,
                kind: BlockKind::Text,
                title: String::new(),
                body: String::new(),
                url: String::new(),
            })
            .collect()
    }

    /// The second page on screen since `since`.
    fn standing(since: i64, running: bool) -> Standing {
        Standing {
            assigned: true,
            progress: Some(Progress {
                current_block_id: Some(BlockId(2)),
                current_since: Some(Timestamp(since)),
                ..Progress::default()
            }),
            running: running.then_some(crate::domain::AttemptId(9)),
            made: 0,
        }
    }

    #[test]
    fn a_page_never_shown_needs_the_whole_minimum() {
        let (read, newly) = reading_state(
            &cert(10),
            &blocks(),
            &[(1, false)],
            &standing(0, false),
            &[(BlockId(2), 0)],
            Timestamp(4_000),
        );
        assert!(!read.read && !newly);
        assert_eq!(read.remaining_ms, [10_000, 6_000]);
        assert!(read.refusal.is_some());
    }

    #[test]
    fn the_page_on_screen_counts_until_now_and_completes_the_reading() {
        let dwell = [(BlockId(1), 10_000), (BlockId(2), 3_000)];
        let at = |ms| {
            reading_state(
                &cert(10),
                &blocks(),
                &[(1, false)],
                &standing(0, false),
                &dwell,
                Timestamp(ms),
            )
        };
        let (read, newly) = at(6_999);
        assert!(!read.read && !newly);
        assert_eq!(read.remaining_ms, [0, 1]);
        let (read, newly) = at(7_000);
        assert!(read.read && newly, "complete only now");
        assert_eq!(read.remaining_ms, [0, 0]);
        assert_eq!(read.refusal, None);
    }

    #[test]
    fn a_recorded_reading_stands_and_a_running_attempt_is_never_refused() {
        let mut facts = standing(0, true);
        facts.progress.as_mut().unwrap().read_version = Some(1);
        let (read, newly) = reading_state(
            &cert(10),
            &blocks(),
            &[(1, false)],
            &facts,
            &[],
            Timestamp(1),
        );
        assert!(read.read && !newly);
        assert!(read.in_progress);
        assert_eq!(read.refusal, None);
        // A later version that asks to read again.
        let (read, _) = reading_state(
            &cert(10),
            &blocks(),
            &[(2, true), (1, false)],
            &facts,
            &[],
            Timestamp(1),
        );
        assert!(!read.read);
    }
}
