//! In-process caches of reads that are costly or asked for often and change rarely, fresh on
//! the next request on every instance.
//!
//! A cached value depends on scopes ([`Scope`]), each with a version row
//! (`storage::cache_versions`) that moves in the same transaction as the writes that change
//! it. A read first takes the current versions (one small query), then looks its key up
//! *together with those versions*: once a change commits, the next request on any instance
//! misses and loads afresh. A slow load that began before a change is stored under the old
//! versions, where no later request looks, so it cannot bring an old value back. A cold key
//! loads once however many requests ask for it at the same moment (moka's `try_get_with`).
//! Entries under older versions are dropped when this instance first sees a newer version, and
//! at the latest after [`IDLE`]; correctness never depends on that eviction, so no cross-instance
//! message is needed (see docs/DECISIONS.md).

pub mod consumer;

use crate::error::AppResult;
use crate::storage::{self, Conn, Db, StorageError};
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Entries nobody asked for this long are dropped.
pub const IDLE: Duration = Duration::from_secs(600);

/// What a cached value is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// What the admin panel, SCIM and the scheduler write: certifications, theory, questions,
    /// assignments, levels, badges, dictionaries, people's role, status, branch and position,
    /// permissions. Bumped by triggers (migration `0012_cache.sql`).
    Content,
    /// What taking tests writes: attempts, progress, reading, points and badges. Bumped by
    /// [`consumer::CacheVersions`] once the events of the change are applied.
    Results,
}

impl Scope {
    pub const fn as_str(self) -> &'static str {
        match self {
            Scope::Content => "content",
            Scope::Results => "results",
        }
    }
}

/// The versions of the scopes at one moment (0 for a scope a value does not depend on).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Versions {
    pub content: i64,
    pub results: i64,
}

impl Versions {
    pub async fn read(db: &Db) -> Result<Versions, StorageError> {
        Self::read_on(db.read().await?.conn()).await
    }

    /// On a connection the caller holds (taking a second one from the pool while holding one
    /// could wait forever when the pool is exhausted).
    pub async fn read_on(c: Conn<'_>) -> Result<Versions, StorageError> {
        let mut v = Versions::default();
        for (scope, version) in storage::cache_versions::all(c).await? {
            match scope.as_str() {
                "content" => v.content = version,
                "results" => v.results = version,
                _ => {}
            }
        }
        Ok(v)
    }

    /// Only the scopes in `scopes`, so a change elsewhere does not miss.
    pub fn of(self, scopes: &[Scope]) -> Versions {
        Versions {
            content: if scopes.contains(&Scope::Content) {
                self.content
            } else {
                0
            },
            results: if scopes.contains(&Scope::Results) {
                self.results
            } else {
                0
            },
        }
    }

    /// Whether some scope is newer here than in `other`.
    fn newer_than(self, other: Versions) -> bool {
        self.content > other.content || self.results > other.results
    }

    fn max(self, other: Versions) -> Versions {
        Versions {
            content: self.content.max(other.content),
            results: self.results.max(other.results),
        }
    }
}

/// One cache: values of type `V` by key `K`, read from `scopes`.
pub struct Cached<K, V> {
    scopes: &'static [Scope],
    entries: moka::future::Cache<(K, Versions), Arc<V>>,
    /// The newest versions seen here: entries under older ones are dropped when they move.
    newest: Mutex<Versions>,
}

impl<K, V> Cached<K, V>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Send + Sync + 'static,
{
    pub fn new(scopes: &'static [Scope], capacity: u64) -> Self {
        Self {
            scopes,
            entries: moka::future::Cache::builder()
                .max_capacity(capacity)
                .time_to_idle(IDLE)
                .build(),
            newest: Mutex::new(Versions::default()),
        }
    }

    /// The value of `key` as of now: cached if nothing it is read from changed since it was
    /// loaded, else `load`ed (once, however many ask at the same time).
    pub async fn get<F>(&self, db: &Db, key: K, load: F) -> AppResult<Arc<V>>
    where
        F: Future<Output = AppResult<V>>,
    {
        let versions = Versions::read(db)
            .await
            .map_err(crate::error::AppError::from)?;
        self.get_at(versions, key, load).await
    }

    /// Like [`Cached::get`], with the versions already read by the caller.
    pub async fn get_at<F>(&self, versions: Versions, key: K, load: F) -> AppResult<Arc<V>>
    where
        F: Future<Output = AppResult<V>>,
    {
        let versions = versions.of(self.scopes);
        self.evict_older(versions);
        self.entries
            .try_get_with((key, versions), async { load.await.map(Arc::new) })
            .await
            .map_err(|e| (*e).clone())
    }

    fn evict_older(&self, seen: Versions) {
        let mut newest = self.newest.lock().unwrap_or_else(|p| p.into_inner());
        if seen.newer_than(*newest) {
            *newest = newest.max(seen);
            self.entries.invalidate_all();
        }
    }

    /// Entries held now (for tests; moka counts lazily).
    pub async fn entry_count(&self) -> u64 {
        self.entries.run_pending_tasks().await;
        self.entries.entry_count()
    }
}

/// Every cache of an instance (in `AppState`).
pub struct Caches {
    /// The dashboard's grouped counts, by people in scope and first day of its activity.
    pub dashboard: Cached<
        (crate::domain::scope::PeopleScope, crate::domain::Timestamp),
        crate::model::dashboard::Figures,
    >,
    /// A certification's statistics, by certification, "first attempts only" and the people
    /// in scope.
    pub statistics: Cached<
        (
            crate::domain::CertId,
            bool,
            crate::domain::scope::PeopleScope,
        ),
        crate::model::analytics::CertStats,
    >,
    /// The theory pages and materials of a certification's theory version.
    pub theory: Cached<(crate::domain::CertId, i64), crate::model::taking::TheoryContent>,
    /// A certification as taking it reads it (the row, its theory, its bank).
    pub cert_for_taking: Cached<crate::domain::CertId, crate::model::taking::CertForTaking>,
    /// The questions of the attempts this instance started.
    pub asked: AskedQuestions,
}

/// The questions of the attempts this instance started, as drawn: they never change once an
/// attempt exists, so no version applies, and moving to a question (`taking::service::show`)
/// reads nothing. An attempt started on another instance, or dropped from here, is read from
/// the database. Bounded by the bytes of the texts held (a wave of 5,000 ten-question tests
/// with short texts fits) and dropped after [`IDLE`] without a move.
pub struct AskedQuestions(
    moka::future::Cache<crate::domain::AttemptId, Arc<Vec<crate::domain::attempt::AskedQuestion>>>,
);

impl AskedQuestions {
    const MAX_BYTES: u64 = 32 << 20;

    fn new() -> Self {
        Self(
            moka::future::Cache::builder()
                .max_capacity(Self::MAX_BYTES)
                .weigher(|_, qs: &Arc<Vec<_>>| Self::weight(qs))
                .time_to_idle(IDLE)
                .build(),
        )
    }

    /// About the bytes a drawn test holds: its texts, and a little for each part.
    fn weight(qs: &[crate::domain::attempt::AskedQuestion]) -> u32 {
        let bytes: usize = (qs.iter().map(|q| &q.content))
            .map(|c| {
                let options: usize = c.options.iter().map(|o| 64 + o.text.len()).sum();
                let image = c.image_url.as_ref().map_or(0, String::len);
                256 + c.text.len() + c.explanation.len() + image + options
            })
            .sum();
        u32::try_from(bytes).unwrap_or(u32::MAX)
    }

    pub async fn keep(
        &self,
        attempt: crate::domain::AttemptId,
        questions: Vec<crate::domain::attempt::AskedQuestion>,
    ) {
        self.0.insert(attempt, Arc::new(questions)).await;
    }

    /// Question `index` of `attempt`, if this instance holds the attempt's questions.
    pub async fn get(
        &self,
        attempt: crate::domain::AttemptId,
        index: usize,
    ) -> Option<crate::domain::attempt::AskedQuestion> {
        self.0.get(&attempt).await?.get(index).cloned()
    }
}

impl Default for Caches {
    fn default() -> Self {
        const ALL: &[Scope] = &[Scope::Content, Scope::Results];
        Self {
            dashboard: Cached::new(ALL, 1_000),
            statistics: Cached::new(ALL, 1_000),
            theory: Cached::new(&[Scope::Content], 1_000),
            cert_for_taking: Cached::new(&[Scope::Content], 1_000),
            asked: AskedQuestions::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_depends_only_on_its_scopes() {
        let v = Versions {
            content: 4,
            results: 9,
        };
        assert_eq!(
            v.of(&[Scope::Content]),
            Versions {
                content: 4,
                results: 0
            }
        );
        assert_eq!(v.of(&[Scope::Content, Scope::Results]), v);
    }

    #[tokio::test]
    async fn a_newer_version_misses_and_drops_older_entries() {
        let cache: Cached<u8, &'static str> = Cached::new(&[Scope::Content], 10);
        let at = |content| Versions {
            content,
            results: 0,
        };
        let first = cache.get_at(at(1), 1, async { Ok("one") }).await.unwrap();
        assert_eq!(*first, "one");
        // Same versions: the loader does not run.
        let hit = cache
            .get_at(at(1), 1, async { panic!("loaded on a hit") })
            .await
            .unwrap();
        assert_eq!(*hit, "one");
        // A results bump does not concern a content-only value.
        let hit = cache
            .get_at(
                Versions {
                    content: 1,
                    results: 7,
                },
                1,
                async { panic!("loaded on a hit") },
            )
            .await
            .unwrap();
        assert_eq!(*hit, "one");
        let fresh = cache.get_at(at(2), 1, async { Ok("two") }).await.unwrap();
        assert_eq!(*fresh, "two");
        assert_eq!(
            cache.entry_count().await,
            1,
            "the entry under version 1 is gone"
        );
        // A request that read the versions before the bump loads for itself and does not
        // disturb the newer entry.
        let late = cache.get_at(at(1), 1, async { Ok("old") }).await.unwrap();
        assert_eq!(*late, "old");
        let hit = cache
            .get_at(at(2), 1, async { panic!("loaded on a hit") })
            .await
            .unwrap();
        assert_eq!(*hit, "two");
    }

    #[tokio::test]
    async fn a_failed_load_is_not_cached() {
        let cache: Cached<u8, u8> = Cached::new(&[Scope::Content], 10);
        let v = Versions::default();
        let e = cache
            .get_at(v, 1, async { Err(crate::error::AppError::Internal) })
            .await;
        assert!(e.is_err());
        assert_eq!(*cache.get_at(v, 1, async { Ok(5) }).await.unwrap(), 5);
    }

    #[tokio::test]
    async fn a_cold_key_loads_once_under_a_stampede() {
        let cache: Arc<Cached<u8, u8>> = Arc::new(Cached::new(&[Scope::Content], 10));
        let loads = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let gets = (0..20).map(|_| {
            let (cache, loads) = (cache.clone(), loads.clone());
            tokio::spawn(async move {
                cache
                    .get_at(Versions::default(), 1, async {
                        loads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        tokio::task::yield_now().await;
                        Ok(3)
                    })
                    .await
                    .unwrap()
            })
        });
        for g in futures::future::join_all(gets).await {
            assert_eq!(*g.unwrap(), 3);
        }
        assert_eq!(loads.load(std::sync::atomic::Ordering::SeqCst), 1);
    }
}
