//! A start wave's reads in batches. When thousands press "Go to test" at one moment, each start
//! read its session, the cache versions, the person's standing and (while the theory is not
//! read, or with a draw) their time on the pages or the questions asked before: three to five
//! statements on a pooled connection each, so a wave queued for the pool. A batch reads them
//! for every start queued meanwhile, one statement of each kind per certification on one
//! connection. What the rules decide from them is the same as on the one-request path
//! (`service::start`), which a start takes when the batch hands it back: no active member
//! behind the session, a certification they may not take, or a failed read. That path then
//! reads again and answers with its error.

use crate::cache::{Caches, Versions};
use crate::domain::actor::Surface;
use crate::domain::attempt::AskedQuestion;
use crate::domain::certification::CertStatus;
use crate::domain::clock::Clock;
use crate::domain::progress::theory_is_read;
use crate::domain::user::{User, UserStatus};
use crate::domain::{BlockId, CertId, Timestamp, UserId};
use crate::error::{AppError, AppResult};
use crate::group_commit::{BatchWrite, GroupCommit};
use crate::model::taking::CertForTaking;
use crate::storage::attempts::{self as store, Standing};
use crate::storage::certifications as certs;
use crate::storage::{Conn, Db, sessions};
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// What the rules of a start read about the person and the certification.
pub struct StartReads {
    pub view: Arc<CertForTaking>,
    pub facts: Standing,
    /// The time on each theory page, read only while the theory is not read.
    pub dwell: Vec<(BlockId, i64)>,
    /// The questions each earlier attempt asked, by its number; read only for a draw.
    pub shown: Vec<(i64, Vec<AskedQuestion>)>,
}

impl StartReads {
    /// Whether the time on the pages matters: the theory is not read yet.
    pub fn needs_dwell(view: &CertForTaking, facts: &Standing) -> bool {
        !facts
            .progress
            .as_ref()
            .is_some_and(|p| theory_is_read(p.read_version, &view.theory_versions))
    }

    /// Whether the earlier attempts' questions matter: the certification draws questions and
    /// no attempt is running (a running one is returned as it is).
    pub fn needs_shown(view: &CertForTaking, facts: &Standing) -> bool {
        view.cert.settings.draw_count.is_some() && facts.running.is_none()
    }
}

/// A start waiting for its reads: the session's token hash and the certification.
#[derive(Clone)]
pub struct StartRead {
    pub token_hash: String,
    pub cert: CertId,
}

/// The active member behind the session and what their start's rules read.
pub struct ReadForStart {
    pub user: User,
    pub reads: StartReads,
}

pub type StartReader = GroupCommit<ReadStarts>;

pub fn start_reader(db: Db, clock: Arc<dyn Clock>, caches: Arc<Caches>) -> StartReader {
    GroupCommit::new(ReadStarts { db, clock, caches })
}

pub struct ReadStarts {
    db: Db,
    clock: Arc<dyn Clock>,
    caches: Arc<Caches>,
}

impl BatchWrite for ReadStarts {
    type Job = StartRead;
    type Done = ReadForStart;
    /// Up to 128 tokens or people in a statement.
    const MAX_BATCH: usize = 128;
    const READ_ONLY: bool = true;

    fn db(&self) -> &Db {
        &self.db
    }

    fn key(job: &StartRead) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        job.token_hash.hash(&mut h);
        h.finish()
    }

    async fn write(&self, jobs: &[StartRead]) -> Vec<Option<ReadForStart>> {
        read_batch(&self.db, &self.caches, jobs, self.clock.now())
            .await
            .unwrap_or_else(|e| {
                // Each start reads again on its own path.
                tracing::warn!(error = %e, starts = jobs.len(), "batched start reads failed");
                jobs.iter().map(|_| None).collect()
            })
    }
}

async fn read_batch(
    db: &Db,
    caches: &Caches,
    jobs: &[StartRead],
    now: Timestamp,
) -> AppResult<Vec<Option<ReadForStart>>> {
    let mut read = db.read().await?;
    let hashes: Vec<&str> = jobs.iter().map(|j| j.token_hash.as_str()).collect();
    let members: HashMap<String, User> =
        sessions::find_active_users_many(read.conn(), &hashes, Surface::MiniApp, now)
            .await?
            .into_iter()
            .filter(|(_, found)| found.user.status == UserStatus::Active)
            .map(|(hash, found)| (hash, found.user))
            .collect();
    let mut by_cert: BTreeMap<CertId, Vec<(usize, &User)>> = BTreeMap::new();
    for (i, job) in jobs.iter().enumerate() {
        if let Some(user) = members.get(&job.token_hash) {
            by_cert.entry(job.cert).or_default().push((i, user));
        }
    }
    let mut out: Vec<Option<ReadForStart>> = jobs.iter().map(|_| None).collect();
    if by_cert.is_empty() {
        return Ok(out);
    }
    let versions = Versions::read_on(read.conn()).await?;
    for (cert_id, starts) in by_cert {
        let Ok(view) = cert_for_taking_at(read.conn(), caches, versions, cert_id).await else {
            continue;
        };
        if !matches!(view.cert.status, CertStatus::Open | CertStatus::Closed) {
            continue;
        }
        let mut users: Vec<UserId> = starts.iter().map(|(_, u)| u.id).collect();
        users.sort_unstable();
        users.dedup();
        let facts: HashMap<UserId, Standing> = store::standing_many(read.conn(), cert_id, &users)
            .await?
            .into_iter()
            // Not assigned and never started: not theirs to take.
            .filter(|(_, f)| f.assigned || f.progress.is_some())
            .collect();
        let wanting = |needs: fn(&CertForTaking, &Standing) -> bool| -> Vec<UserId> {
            (facts.iter())
                .filter(|(_, f)| needs(&view, f))
                .map(|(u, _)| *u)
                .collect()
        };
        let mut dwell: HashMap<UserId, Vec<(BlockId, i64)>> = HashMap::new();
        let unread = wanting(StartReads::needs_dwell);
        for (user, block, ms) in store::dwell_many(read.conn(), cert_id, &unread).await? {
            dwell.entry(user).or_default().push((block, ms));
        }
        let mut shown: HashMap<UserId, Vec<(i64, Vec<AskedQuestion>)>> = HashMap::new();
        let drawing = wanting(StartReads::needs_shown);
        for (user, number, asked) in
            store::shown_questions_many(read.conn(), cert_id, &drawing).await?
        {
            shown.entry(user).or_default().push((number, asked));
        }
        for (i, user) in starts {
            let Some(facts) = facts.get(&user.id) else {
                continue;
            };
            out[i] = Some(ReadForStart {
                user: user.clone(),
                reads: StartReads {
                    view: view.clone(),
                    facts: facts.clone(),
                    dwell: dwell.get(&user.id).cloned().unwrap_or_default(),
                    shown: shown.get(&user.id).cloned().unwrap_or_default(),
                },
            });
        }
    }
    Ok(out)
}

/// The certification as taking reads it, from the cache (read afresh once anything an author
/// or the scheduler writes has changed), at cache versions the caller has read.
pub(crate) async fn cert_for_taking_at(
    mut c: Conn<'_>,
    caches: &Caches,
    versions: Versions,
    id: CertId,
) -> AppResult<Arc<CertForTaking>> {
    caches
        .cert_for_taking
        .get_at(versions, id, async {
            let Some(cert) = certs::get(c.re(), id).await? else {
                return Err(AppError::NotFound);
            };
            let blocks = certs::blocks(c.re(), id, cert.theory_version).await?;
            let theory_versions = certs::versions(c.re(), id)
                .await?
                .into_iter()
                .map(|v| (v.version, v.require_reread))
                .collect();
            let bank = crate::storage::questions::of_certification(c.re(), id)
                .await?
                .into_iter()
                .map(|q| (q.id, q.revision, q.content))
                .collect();
            Ok(CertForTaking {
                cert,
                blocks,
                theory_versions,
                bank,
            })
        })
        .await
}
