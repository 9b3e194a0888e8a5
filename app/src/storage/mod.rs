//! The storage layer: every SQL statement of the product lives in this module (and the schema in
//! `migrations/`). One code path serves SQLite and PostgreSQL: each function is written once
//! against [`Conn`] and the [`on_conn!`] macro instantiates it for both native drivers.
//!
//! SQL is kept portable: `$1` placeholders (SQLite accepts them), instants as BIGINT
//! milliseconds bound from the injectable clock, booleans as native booleans.

pub mod analytics;
pub mod api_keys;
pub mod attempts;
pub mod audit;
pub mod audit_feed;
pub mod cache_versions;
pub mod ceiling;
pub mod certifications;
pub mod compliance;
pub mod dashboard;
pub mod dictionaries;
pub mod events;
pub mod gamification;
pub mod horizon;
pub mod http_outbox;
mod lane;
pub mod leader;
pub mod links;
pub mod notifications;
pub mod permissions;
pub mod questions;
pub mod scim;
pub mod sessions;
pub mod settings;
mod sqlite_lower;
pub mod team;
pub mod telegram;
pub mod throttle;
pub mod uploads;
pub mod users;
pub mod webhooks;
pub mod write_stats;

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{ConnectOptions, PgConnection, Postgres, Sqlite, SqliteConnection, Transaction};
use std::borrow::Cow;
use std::str::FromStr;
use std::time::Duration;

/// Runs `$body` with `$c` bound to the concrete connection of either backend.
/// The body is written once and compiled for both drivers.
#[macro_export]
macro_rules! on_conn {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::storage::Conn::Sqlite($c) => $body,
            $crate::storage::Conn::Postgres($c) => $body,
        }
    };
}
pub use on_conn;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("unique constraint violated ({0})")]
    Conflict(String),
    #[error("stored value is invalid: {0}")]
    Corrupt(String),
    #[error("unsupported database url {0:?}: use sqlite://… or postgres://…")]
    UnsupportedUrl(String),
    /// Every connection stayed busy for the whole acquire timeout: the server is overloaded,
    /// and the request can be tried again.
    #[error("no database connection came free in time")]
    Busy,
    /// A background job's transaction from a leader that no longer leads (another instance
    /// took the lead, or this one could not confirm its lease): nothing was written.
    #[error("refused: this instance no longer leads (its epoch {mine:?}, current {current:?})")]
    Fenced {
        mine: Option<i64>,
        current: Option<i64>,
    },
    #[error("database error: {0}")]
    Sqlx(sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StorageError {
    fn from(e: sqlx::Error) -> Self {
        if let Some(db) = e.as_database_error()
            && db.is_unique_violation()
        {
            return StorageError::Conflict(db.constraint().unwrap_or_default().to_owned());
        }
        if matches!(e, sqlx::Error::PoolTimedOut) {
            return StorageError::Busy;
        }
        StorageError::Sqlx(e)
    }
}

pub type StorageResult<T> = Result<T, StorageError>;

/// Whether a statement over a list of `rows` is kept prepared: a one-row statement has the
/// same text every time (one attempt finished alone), so preparing it once saves PostgreSQL
/// a parse and a round trip each time; multi-row texts vary with the batch and are not kept.
pub(crate) fn single(rows: usize) -> bool {
    rows == 1
}

/// `$from, $from+1, …` for `n` values, for statements over a list.
/// `($1, …, $cols), ($cols+1, …), …` for a multi-row `VALUES` of `rows` rows.
pub(crate) fn value_rows(rows: usize, cols: usize) -> String {
    (0..rows)
        .map(|r| format!("({})", placeholders(1 + r * cols, cols)))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A statement's `$N` parameters in the form SQLite binds fastest. SQLite files `$N` by name:
/// preparing compares each new name with every one before it (`strncmp`), and binding looks
/// each one up in that list again (`sqlite3_bind_parameter_name`). `?N` is filed by number,
/// but binding still walks the list. Plain `?` (when the numbers run 1, 2, 3… in the order
/// they are written, each once) is not filed at all: only that form is linear in the number
/// of values, which is why batch statements bind a shared value again on every row.
pub(crate) fn sqlite_params(sql: &str) -> Cow<'_, str> {
    let marks = param_marks(sql);
    if marks.is_empty() {
        return Cow::Borrowed(sql);
    }
    let in_order = numbered_in_order(sql, &marks);
    let mut out = String::with_capacity(sql.len());
    let mut last = 0;
    for &(s, e) in &marks {
        out.push_str(&sql[last..s]);
        out.push('?');
        if !in_order {
            out.push_str(&sql[s + 1..e]);
        }
        last = e;
    }
    out.push_str(&sql[last..]);
    Cow::Owned(out)
}

/// (start, end) of every `$` followed by digits.
fn param_marks(sql: &str) -> Vec<(usize, usize)> {
    let bytes = sql.as_bytes();
    let mut marks = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let digits = bytes[i + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if bytes[i] == b'$' && digits > 0 {
            marks.push((i, i + 1 + digits));
            i += 1 + digits;
        } else {
            i += 1;
        }
    }
    marks
}

/// Whether the parameters are written as `$1, $2, $3…`, each once.
fn numbered_in_order(sql: &str, marks: &[(usize, usize)]) -> bool {
    marks
        .iter()
        .enumerate()
        .all(|(k, &(s, e))| sql[s + 1..e].parse::<usize>() == Ok(k + 1))
}

/// A borrowed connection of either backend: from a pool, or inside a transaction.
pub enum Conn<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

impl Conn<'_> {
    /// A statement over a long list of values, in this backend's fastest parameter form
    /// ([`sqlite_params`]; PostgreSQL takes `$N` as written). Its parameters must be numbered
    /// in the order they are written, each used once, or SQLite binds them in quadratic time;
    /// debug builds (the tests) check it on both backends.
    pub(crate) fn list_sql<'s>(&self, sql: &'s str) -> Cow<'s, str> {
        debug_assert!(
            numbered_in_order(sql, &param_marks(sql)),
            "a batch statement binds out of order: {sql:.200}"
        );
        match self {
            Conn::Sqlite(_) => sqlite_params(sql),
            Conn::Postgres(_) => Cow::Borrowed(sql),
        }
    }

    /// Re-borrows, so one connection serves several storage calls in a row.
    pub fn re(&mut self) -> Conn<'_> {
        match self {
            Conn::Sqlite(c) => Conn::Sqlite(c),
            Conn::Postgres(c) => Conn::Postgres(c),
        }
    }
}

/// Runs the statements that fold PostgreSQL's appended deltas of a kept count into the
/// count (each returns how many deltas it folded); SQLite's triggers keep the counts
/// directly, so there it folds nothing.
pub(crate) async fn fold_deltas(mut c: Conn<'_>, folds: &[&str]) -> StorageResult<u64> {
    let mut folded = 0;
    for sql in folds {
        folded += match c.re() {
            Conn::Postgres(c) => sqlx::query_scalar::<_, i64>(sql).fetch_one(&mut *c).await?,
            Conn::Sqlite(_) => 0,
        };
    }
    Ok(folded as u64)
}

/// A connection checked out of a pool.
pub enum PooledConn {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

impl PooledConn {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            PooledConn::Sqlite(c) => Conn::Sqlite(c),
            PooledConn::Postgres(c) => Conn::Postgres(c),
        }
    }
}

enum TxInner {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// An open transaction. Dropped without [`Tx::commit`], it rolls back. Its wait for a
/// connection, how long it holds it and its storage calls go to [`write_stats`].
pub struct Tx {
    inner: Option<TxInner>,
    wait: Duration,
    started: std::time::Instant,
    calls: u32,
    /// Where it was begun (for the figures per path).
    site: &'static std::panic::Location<'static>,
    /// What ran it, when one place begins transactions for several (the consumers).
    tag: &'static str,
}

impl Tx {
    fn new(
        inner: TxInner,
        asked: std::time::Instant,
        site: &'static std::panic::Location<'static>,
    ) -> Tx {
        let started = std::time::Instant::now();
        Tx {
            inner: Some(inner),
            wait: started - asked,
            started,
            calls: 0,
            site,
            tag: "",
        }
    }

    /// Names what runs this transaction in the figures per path ([`write_stats`]).
    pub fn tag(&mut self, tag: &'static str) {
        self.tag = tag;
    }

    /// Its wait, hold and calls, at its end (committed or rolled back).
    fn record(&self) {
        write_stats::record(
            self.wait,
            self.started.elapsed(),
            self.calls,
            self.site,
            self.tag,
        );
    }

    pub fn conn(&mut self) -> Conn<'_> {
        self.calls += 1;
        match self.inner.as_mut().expect("an open transaction") {
            TxInner::Sqlite(t) => Conn::Sqlite(t),
            TxInner::Postgres(t) => Conn::Postgres(t),
        }
    }

    pub async fn commit(mut self) -> StorageResult<()> {
        let result = match self.inner.take() {
            Some(TxInner::Sqlite(t)) => t.commit().await,
            Some(TxInner::Postgres(t)) => t.commit().await,
            None => Ok(()),
        };
        self.record();
        Ok(result?)
    }
}

impl Drop for Tx {
    fn drop(&mut self) {
        // Rolled back (sqlx rolls back on drop): its hold counted too.
        if self.inner.take().is_some() {
            self.record();
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database handle shared by every request.
///
/// SQLite admits one writer at a time, so writes go through a one-connection pool (queued in
/// process instead of failing with SQLITE_BUSY) while reads use a pool of their own in WAL mode.
/// PostgreSQL has a pool for reads and one for write transactions, so a page's reads never
/// queue behind a wave of writes holding every connection.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite {
        read: SqlitePool,
        write: SqlitePool,
    },
    /// The pools, and for the background jobs' handle the leader's fence their transactions
    /// must pass ([`leader::Fence`]).
    Postgres(PgPools, Option<leader::Fence>),
}

/// PostgreSQL's two pools, each `DATABASE_MAX_CONNECTIONS` in size.
#[derive(Debug, Clone)]
pub struct PgPools {
    pub read: PgPool,
    pub write: PgPool,
}

#[derive(Debug, Clone)]
pub struct PoolSettings {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
    /// How SQLite syncs a commit to disk.
    pub sqlite_sync: SqliteSync,
    /// How much of the SQLite file (MB) each connection reads through a memory map: pages are
    /// shared through the OS's cache instead of copied into each connection's own cache, so a
    /// read on a connection that has not read those pages yet is not the slow one (0: off).
    pub sqlite_mmap_mb: u64,
    /// How long a PostgreSQL connection may sit idle before it is pinged on its next use.
    pub pg_ping_after_idle: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(10),
            sqlite_sync: SqliteSync::Full,
            sqlite_mmap_mb: DEFAULT_SQLITE_MMAP_MB,
            pg_ping_after_idle: Duration::from_secs(1),
        }
    }
}

/// The memory map's default size (`SQLITE_MMAP_MB`).
pub const DEFAULT_SQLITE_MMAP_MB: u64 = 256;

/// SQLite's `synchronous` setting in WAL mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SqliteSync {
    /// Every commit is on disk before it is acknowledged (one sync per commit; a batch of
    /// answers is one commit). The default: an acknowledged answer survives a power loss.
    #[default]
    Full,
    /// Commits are synced at checkpoints only: faster, but a power loss or an OS crash can
    /// roll back what was already acknowledged. For tests and throwaway data.
    Normal,
}

impl SqliteSync {
    pub fn parse(s: &str) -> Option<SqliteSync> {
        match s.trim().to_ascii_lowercase().as_str() {
            "full" => Some(SqliteSync::Full),
            "normal" => Some(SqliteSync::Normal),
            _ => None,
        }
    }
}

/// Prepared statements the single SQLite writer keeps.
const WRITER_STATEMENTS: usize = 1024;

impl Db {
    /// Connects to `sqlite://path` (created if missing) or `postgres://…`.
    pub async fn connect(url: &str, settings: &PoolSettings) -> StorageResult<Db> {
        if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(match settings.sqlite_sync {
                    SqliteSync::Full => SqliteSynchronous::Full,
                    SqliteSync::Normal => SqliteSynchronous::Normal,
                })
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .pragma("temp_store", "memory")
                .pragma(
                    "mmap_size",
                    (settings.sqlite_mmap_mb * 1024 * 1024).to_string(),
                )
                .disable_statement_logging();
            if let Some(parent) = sqlite_parent_dir(url) {
                std::fs::create_dir_all(parent).map_err(|e| StorageError::Sqlx(e.into()))?;
            }
            // A connection to a local file does not go stale: no ping (a round trip to the
            // connection's thread) before every use.
            // The one writer runs every kind of write: a cache of sqlx's default 100 prepared
            // statements would evict and prepare again under load. (Multi-row statements of a
            // batch vary in length and are not cached at all: `persistent(false)`.)
            let write = SqlitePoolOptions::new()
                .after_connect(|c, _| Box::pin(sqlite_lower::install(c)))
                .test_before_acquire(false)
                .max_connections(1)
                .acquire_timeout(settings.acquire_timeout)
                .connect_with(opts.clone().statement_cache_capacity(WRITER_STATEMENTS))
                .await?;
            let read = SqlitePoolOptions::new()
                .after_connect(|c, _| Box::pin(sqlite_lower::install(c)))
                .test_before_acquire(false)
                .max_connections(settings.max_connections.max(2))
                .acquire_timeout(settings.acquire_timeout)
                .connect_with(opts)
                .await?;
            Ok(Db::Sqlite { read, write })
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let opts = PgConnectOptions::from_str(url)?.disable_statement_logging();
            // sqlx's default pings every connection before each use: a round trip per request
            // (6 % of the server's CPU under `scripts/load.sh postgres`). A connection in
            // steady use has just answered; one that sat idle may have been cut by a database
            // restart or a proxy's timeout, and is pinged (and replaced if dead) first.
            let ping_after_idle = settings.pg_ping_after_idle;
            let pool = || {
                PgPoolOptions::new()
                    .max_connections(settings.max_connections)
                    .acquire_timeout(settings.acquire_timeout)
                    .test_before_acquire(false)
                    .before_acquire(move |conn, meta| {
                        Box::pin(async move {
                            if meta.idle_for >= ping_after_idle {
                                sqlx::Connection::ping(conn).await?;
                            }
                            Ok(true)
                        })
                    })
                    .connect_with(opts.clone())
            };
            let write = pool().await?;
            let read = pool().await?;
            Ok(Db::Postgres(PgPools { read, write }, None))
        } else {
            Err(StorageError::UnsupportedUrl(url.to_owned()))
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite { .. } => Backend::Sqlite,
            Db::Postgres(..) => Backend::Postgres,
        }
    }

    /// Applies the migrations of this backend; a failure stops the process at start.
    pub async fn migrate(&self) -> StorageResult<()> {
        match self {
            Db::Sqlite { write, .. } => sqlx::migrate!("../migrations/sqlite").run(write).await?,
            Db::Postgres(pools, _) => {
                sqlx::migrate!("../migrations/postgres")
                    .run(&pools.write)
                    .await?
            }
        }
        Ok(())
    }

    /// A connection for reads.
    pub async fn read(&self) -> StorageResult<PooledConn> {
        let asked = std::time::Instant::now();
        let conn = match self {
            Db::Sqlite { read, .. } => PooledConn::Sqlite(read.acquire().await?),
            Db::Postgres(pools, _) => PooledConn::Postgres(pools.read.acquire().await?),
        };
        write_stats::record_read_wait(asked.elapsed());
        Ok(conn)
    }

    /// Starts a write transaction. On SQLite this waits for the single writer connection:
    /// never call it while holding another write transaction of the same task. The caller's
    /// place in the code is kept for the figures per path ([`write_stats`]).
    #[track_caller]
    pub fn begin(&self) -> impl std::future::Future<Output = StorageResult<Tx>> + Send + '_ {
        let site = std::panic::Location::caller();
        self.begin_at(site)
    }

    async fn begin_at(&self, site: &'static std::panic::Location<'static>) -> StorageResult<Tx> {
        let asked = std::time::Instant::now();
        Ok(match self {
            Db::Sqlite { write, .. } => Tx::new(TxInner::Sqlite(write.begin().await?), asked, site),
            Db::Postgres(pools, None) => {
                Tx::new(TxInner::Postgres(pools.write.begin().await?), asked, site)
            }
            Db::Postgres(pools, Some(fence)) => {
                // Not leading (as far as this instance knows): no connection is even taken.
                let Some(mine) = (fence.epoch)() else {
                    return Err(StorageError::Fenced {
                        mine: None,
                        current: None,
                    });
                };
                let mut tx = pools.write.begin().await?;
                leader::admit(&mut tx, mine, fence.lease).await?;
                Tx::new(TxInner::Postgres(tx), asked, site)
            }
        })
    }

    /// Runs a write path on SQLite's writer lane ([`lane`]); on PostgreSQL, where it is.
    pub async fn on_writer<F>(&self, job: F) -> F::Output
    where
        F: std::future::Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match self {
            Db::Sqlite { .. } => lane::run(job).await,
            Db::Postgres(..) => job.await,
        }
    }

    /// Starts a long-running writer task (a group commit's): on SQLite's writer lane, or on
    /// the runtime.
    pub fn spawn_writer<F>(&self, task: F)
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        match self {
            Db::Sqlite { .. } => lane::spawn(task),
            Db::Postgres(..) => drop(tokio::spawn(task)),
        }
    }

    /// The same database for the background jobs of a leader: each of their transactions
    /// passes `fence` first, so a leader that was replaced writes nothing more. SQLite has one
    /// process and no fence.
    pub fn fenced(&self, fence: leader::Fence) -> Db {
        match self {
            Db::Sqlite { .. } => self.clone(),
            Db::Postgres(pools, _) => Db::Postgres(pools.clone(), Some(fence)),
        }
    }

    /// Answers whether the database is reachable (for `/healthz`).
    pub async fn ping(&self) -> StorageResult<()> {
        let mut c = self.read().await?;
        on_conn!(c.conn(), |c| sqlx::query("SELECT 1")
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite { read, write } => {
                read.close().await;
                write.close().await;
            }
            Db::Postgres(pools, _) => {
                pools.read.close().await;
                pools.write.close().await;
            }
        }
    }
}

fn sqlite_parent_dir(url: &str) -> Option<&std::path::Path> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next()?;
    if path.is_empty() || path.starts_with(":memory:") {
        return None;
    }
    std::path::Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
}

#[cfg(test)]
mod tests {
    use super::sqlite_params;

    #[test]
    fn numbers_in_order_become_plain_question_marks() {
        assert_eq!(
            sqlite_params("SELECT x FROM t WHERE id IN ($1, $2, $3)"),
            "SELECT x FROM t WHERE id IN (?, ?, ?)"
        );
    }

    #[test]
    fn reused_or_reordered_numbers_keep_their_number() {
        assert_eq!(
            sqlite_params("UPDATE t SET a = $2, b = $1 WHERE c = $2"),
            "UPDATE t SET a = ?2, b = ?1 WHERE c = ?2"
        );
        assert_eq!(sqlite_params("VALUES ($1, $3)"), "VALUES (?1, ?3)");
    }

    #[test]
    fn a_dollar_without_digits_is_left_alone() {
        assert_eq!(
            sqlite_params("SELECT json_extract(x, '$.a') FROM t WHERE id = $1$"),
            "SELECT json_extract(x, '$.a') FROM t WHERE id = ?$"
        );
        assert_eq!(sqlite_params("SELECT 1"), "SELECT 1");
    }
}
