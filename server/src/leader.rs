//! One leader among the instances that share a database: background jobs (scheduler, sweeper,
//! event consumers) and the Telegram sender run on the leader only, so they run once and the
//! instances together keep to Telegram's rates.
//!
//! On PostgreSQL the leader holds a session-level advisory lock on a connection of its own
//! (not from the pool); the others try again every [`RETRY`]. The lock goes with the session,
//! so if the leader dies (even `kill -9`: the server closes its connection) another instance
//! takes over within seconds.
//!
//! Leadership is a lease of `LEADER_LEASE_MS` (5 s by default): the leader pings its session
//! four times per lease, and PostgreSQL ends a session idle for longer than the lease
//! (`idle_session_timeout`), which frees the lock. So a leader that is stopped (`kill -STOP`)
//! or cut off by a partition loses the lock a lease later, however long it stays away. On its
//! own side a leader whose last confirmed ping is a lease old no longer counts as leading
//! ([`Leadership::is_leader`]), before it even tries again: one that wakes up late does not
//! start a job, and its next ping, on the session the server ended, steps it down.
//!
//! Each new leader also takes the next epoch (`app::storage::leader`), and the jobs write
//! through a database handle fenced by it ([`Leadership::fence`]): a transaction of a leader
//! that was replaced is refused, even one begun just before it noticed, so a leader that
//! wakes up late cannot repeat work. On SQLite there is one process: it always leads.

use app::storage::Db;
use app::storage::leader::Fence;
use sqlx::Connection;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// The advisory lock's key ("Attest" in ASCII).
const LOCK_KEY: i64 = 0x0000_4174_7465_7374;
/// How often a follower tries to take the lead.
const RETRY: Duration = Duration::from_secs(1);
/// The lease when `LEADER_LEASE_MS` does not say.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(5);

/// When the leader last confirmed its session, on a monotonic clock (it keeps counting while
/// the process is stopped).
struct Confirmed {
    base: Instant,
    at_ms: AtomicU64,
    lease: Duration,
    /// The epoch this instance took with the lead (0 before it ever led).
    epoch: AtomicI64,
}

impl Confirmed {
    fn now_ms(&self) -> u64 {
        self.base.elapsed().as_millis() as u64
    }

    fn fresh(&self) -> bool {
        self.now_ms()
            .saturating_sub(self.at_ms.load(Ordering::Acquire))
            < self.lease.as_millis() as u64
    }
}

/// Whether this instance leads now; cheap to clone and to ask.
#[derive(Clone)]
pub struct Leadership {
    rx: watch::Receiver<bool>,
    /// Keeps a fixed leadership's channel open (a closed one would read as "changed").
    _fixed: Option<std::sync::Arc<watch::Sender<bool>>>,
    confirmed: Option<Arc<Confirmed>>,
}

impl Leadership {
    /// Leads, and confirmed it within the lease.
    pub fn is_leader(&self) -> bool {
        *self.rx.borrow() && self.confirmed.as_ref().is_none_or(|c| c.fresh())
    }

    /// What the jobs' transactions must pass: the epoch this instance leads in, while it
    /// leads. `None` where there is one process (nothing to fence).
    pub fn fence(&self) -> Option<Fence> {
        let confirmed = self.confirmed.clone()?;
        let lease = confirmed.lease;
        let me = self.clone();
        let epoch = move || {
            me.is_leader()
                .then(|| confirmed.epoch.load(Ordering::Acquire))
        };
        Some(Fence {
            epoch: Arc::new(epoch),
            lease,
        })
    }

    /// Waits until this instance leads (returns at once if it does).
    pub async fn until_leader(&mut self) {
        let _ = self.rx.wait_for(|l| *l).await;
    }

    /// Resolves when this instance stops leading.
    pub async fn lost(&mut self) {
        let _ = self.rx.wait_for(|l| !*l).await;
    }

    /// Leadership that never changes (SQLite, or tests that pin it).
    pub fn fixed(leads: bool) -> Self {
        let (tx, rx) = watch::channel(leads);
        Self {
            rx,
            _fixed: Some(std::sync::Arc::new(tx)),
            confirmed: None,
        }
    }
}

/// Starts the election for `db` with leases of `lease`; ends with `stop`.
pub fn elect(db: &Db, lease: Duration, mut stop: watch::Receiver<bool>) -> Leadership {
    let Db::Postgres(pools, _) = db else {
        return Leadership::fixed(true);
    };
    let options = (*pools.write.connect_options()).clone();
    let (tx, rx) = watch::channel(false);
    let confirmed = Arc::new(Confirmed {
        base: Instant::now(),
        at_ms: AtomicU64::new(0),
        lease,
        epoch: AtomicI64::new(0),
    });
    let mine = confirmed.clone();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = campaign(&options, &tx, &mine) => {}
                _ = stop.changed() => {
                    let _ = tx.send(false);
                    return;
                }
            }
            let _ = tx.send(false);
            tokio::select! {
                _ = tokio::time::sleep(RETRY) => {}
                _ = stop.changed() => return,
            }
        }
    });
    Leadership {
        rx,
        _fixed: None,
        confirmed: Some(confirmed),
    }
}

/// Tries to take the lock; while it holds it, confirms its session four times per lease.
/// Returns when the lock was not taken, or a confirmation failed or came too late.
async fn campaign(
    options: &sqlx::postgres::PgConnectOptions,
    tx: &watch::Sender<bool>,
    confirmed: &Confirmed,
) {
    let lease = confirmed.lease;
    let mut conn = match sqlx::PgConnection::connect_with(options).await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "leader election: cannot connect");
            return;
        }
    };
    let took: Result<(bool,), _> = sqlx::query_as("SELECT pg_try_advisory_lock($1)")
        .bind(LOCK_KEY)
        .fetch_one(&mut conn)
        .await;
    match took {
        Ok((true,)) => {}
        Ok((false,)) => return,
        Err(e) => {
            tracing::warn!(error = %e, "leader election failed");
            return;
        }
    }
    // The next epoch: waits for the fenced transactions of the previous leader to end.
    match app::storage::leader::take_epoch(&mut conn).await {
        Ok(epoch) => confirmed.epoch.store(epoch, Ordering::Release),
        Err(e) => {
            tracing::warn!(error = %e, "leader election: cannot take the next epoch");
            return;
        }
    }
    // The server ends this session (and frees the lock) once it is idle for a lease: the
    // lease holds only while the pings come.
    let timeout = format!("SET idle_session_timeout = {}", lease.as_millis());
    if let Err(e) = sqlx::query(&timeout).execute(&mut conn).await {
        tracing::warn!(error = %e, "leader election: no idle_session_timeout (PostgreSQL < 14?)");
    }
    confirmed.at_ms.store(confirmed.now_ms(), Ordering::Release);
    tracing::info!(
        epoch = confirmed.epoch.load(Ordering::Acquire),
        "this instance leads: background jobs and the Telegram sender run here"
    );
    let _ = tx.send(true);
    loop {
        tokio::time::sleep(lease / 4).await;
        let asked = confirmed.now_ms();
        if !confirmed.fresh() {
            tracing::warn!("leader woke up after its lease ran out: stepping down");
            return;
        }
        match tokio::time::timeout(lease / 2, sqlx::query("SELECT 1").execute(&mut conn)).await {
            Ok(Ok(_)) => confirmed.at_ms.store(asked, Ordering::Release),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "leader lost its connection: stepping down");
                return;
            }
            Err(_) => {
                tracing::warn!("leader's session does not answer: stepping down");
                return;
            }
        }
    }
}
