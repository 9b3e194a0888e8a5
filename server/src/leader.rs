//! One leader among the instances that share a database: background jobs (scheduler, sweeper,
//! event consumers) and the Telegram sender run on the leader only, so they run once and the
//! instances together keep to Telegram's rates.
//!
//! On PostgreSQL the leader holds a session-level advisory lock on a connection of its own
//! (not from the pool); the others try again every [`RETRY`]. The lock goes with the session,
//! so if the leader dies (even `kill -9`: the server closes its connection) another instance
//! takes over within seconds. A leader that loses its connection stops leading at once. On
//! SQLite there is one process: it always leads.

use app::storage::Db;
use sqlx::Connection;
use std::time::Duration;
use tokio::sync::watch;

/// The advisory lock's key ("Attest" in ASCII).
const LOCK_KEY: i64 = 0x0000_4174_7465_7374;
/// How often a follower tries to take the lead, and the leader checks its connection.
const RETRY: Duration = Duration::from_secs(1);

/// Whether this instance leads now; cheap to clone and to ask.
#[derive(Clone)]
pub struct Leadership {
    rx: watch::Receiver<bool>,
    /// Keeps a fixed leadership's channel open (a closed one would read as "changed").
    _fixed: Option<std::sync::Arc<watch::Sender<bool>>>,
}

impl Leadership {
    pub fn is_leader(&self) -> bool {
        *self.rx.borrow()
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
        }
    }
}

/// Starts the election for `db`; ends with `stop`.
pub fn elect(db: &Db, mut stop: watch::Receiver<bool>) -> Leadership {
    let Db::Postgres(pool) = db else {
        return Leadership::fixed(true);
    };
    let options = (*pool.connect_options()).clone();
    let (tx, rx) = watch::channel(false);
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = campaign(&options, &tx) => {}
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
    Leadership { rx, _fixed: None }
}

/// Tries to take the lock; while it holds it, checks the connection every second. Returns
/// when the lock was not taken or the connection is lost.
async fn campaign(options: &sqlx::postgres::PgConnectOptions, tx: &watch::Sender<bool>) {
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
    tracing::info!("this instance leads: background jobs and the Telegram sender run here");
    let _ = tx.send(true);
    loop {
        tokio::time::sleep(RETRY).await;
        if let Err(e) = sqlx::query("SELECT 1").execute(&mut conn).await {
            tracing::warn!(error = %e, "leader lost its connection: stepping down");
            return;
        }
    }
}
