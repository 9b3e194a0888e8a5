//! How long write transactions wait for the writer and hold it, and how many storage calls
//! each makes: the measure every write-path change is judged by (issue 33). Recorded for
//! every transaction (a lock and three histogram updates at its end), with each wait for a
//! read connection and each group-committed job's time to its commit (a lock and one update
//! each); read and reset through the load test's debug endpoint.

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::panic::Location;
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

struct Hists {
    wait_us: Histogram<u64>,
    hold_us: Histogram<u64>,
    calls: Histogram<u64>,
    hold_total_us: u64,
    /// Totals per place a transaction begins (`Db::begin`'s caller) and its tag
    /// ([`crate::storage::Tx::tag`]: which consumer a shared place ran): which paths keep the
    /// writer busy.
    sites: HashMap<(&'static Location<'static>, &'static str), SiteTotals>,
    /// Waits for a read connection from the pool.
    read_wait_us: Histogram<u64>,
    /// Per kind of group-committed job: from its submission to its reply.
    batched: HashMap<&'static str, Batched>,
}

struct Batched {
    took_us: Histogram<u64>,
    batches: u64,
}

#[derive(Default)]
struct SiteTotals {
    transactions: u64,
    hold_us: u64,
    wait_us: u64,
    calls: u64,
    max_hold_us: u64,
}

fn fresh() -> Hists {
    // Up to an hour in microseconds, three significant digits.
    let us = || Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("valid bounds");
    Hists {
        wait_us: us(),
        hold_us: us(),
        calls: Histogram::new_with_bounds(1, 100_000, 3).expect("valid bounds"),
        hold_total_us: 0,
        sites: HashMap::new(),
        read_wait_us: us(),
        batched: HashMap::new(),
    }
}

static STATS: LazyLock<Mutex<Hists>> = LazyLock::new(|| Mutex::new(fresh()));

/// One finished write transaction (committed or rolled back), begun at `site` (with `tag`,
/// or "").
pub fn record(
    wait: Duration,
    hold: Duration,
    calls: u32,
    site: &'static Location<'static>,
    tag: &'static str,
) {
    if let Ok(mut h) = STATS.lock() {
        let (hold_us, wait_us) = (micros(hold), micros(wait));
        h.wait_us.saturating_record(wait_us);
        h.hold_us.saturating_record(hold_us);
        h.calls.saturating_record(u64::from(calls));
        h.hold_total_us += hold_us;
        let at = h.sites.entry((site, tag)).or_default();
        at.transactions += 1;
        at.hold_us += hold_us;
        at.max_hold_us = at.max_hold_us.max(hold_us);
        at.wait_us += wait_us;
        at.calls += u64::from(calls);
    }
}

fn micros(d: Duration) -> u64 {
    (d.as_micros() as u64).clamp(1, 3_600_000_000)
}

/// One wait for a read connection.
pub fn record_read_wait(wait: Duration) {
    if let Ok(mut h) = STATS.lock() {
        h.read_wait_us.saturating_record(micros(wait));
    }
}

/// One group-committed batch of `kind` (`crate::group_commit`): how long each of its jobs took
/// from its submission to the batch's commit.
pub fn record_batch(kind: &'static str, took: impl Iterator<Item = Duration>) {
    if let Ok(mut h) = STATS.lock() {
        let b = h.batched.entry(kind).or_insert_with(|| Batched {
            took_us: Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("valid bounds"),
            batches: 0,
        });
        b.batches += 1;
        for d in took {
            b.took_us.saturating_record(micros(d));
        }
    }
}

/// The group-committed jobs of one kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BatchStats {
    pub kind: String,
    pub jobs: u64,
    pub batches: u64,
    /// Milliseconds from a job's submission to its batch's commit.
    pub took_ms: Spread,
}

/// Percentiles of one measure.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
    pub mean: f64,
}

/// The write transactions begun at one place in the code.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SiteStats {
    /// `file:line` of the `Db::begin` call, and its tag after a space when it has one.
    pub site: String,
    pub transactions: u64,
    /// The sum of their holds, in seconds.
    pub hold_total_secs: f64,
    pub mean_hold_ms: f64,
    pub mean_wait_ms: f64,
    pub mean_calls: f64,
    /// The longest hold, in milliseconds.
    #[serde(default)]
    pub max_hold_ms: f64,
}

/// What the write transactions did since the last reset.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WriteStats {
    pub transactions: u64,
    /// Milliseconds waited for the writer (SQLite) or a pooled connection (PostgreSQL).
    pub wait_ms: Spread,
    /// Milliseconds from the first statement to the commit or rollback.
    pub hold_ms: Spread,
    /// Storage calls made on the transaction (each one statement or a few).
    pub calls: Spread,
    /// The sum of the holds, in seconds: on SQLite, the time the one writer was busy.
    pub hold_total_secs: f64,
    /// Per place a transaction begins, the busiest first.
    #[serde(default)]
    pub sites: Vec<SiteStats>,
    /// Milliseconds waited for a read connection.
    #[serde(default)]
    pub read_wait_ms: Spread,
    /// Per kind of group-committed job.
    #[serde(default)]
    pub batched: Vec<BatchStats>,
}

fn spread(h: &Histogram<u64>, scale: f64) -> Spread {
    if h.is_empty() {
        return Spread::default();
    }
    Spread {
        p50: h.value_at_quantile(0.5) as f64 / scale,
        p90: h.value_at_quantile(0.9) as f64 / scale,
        p99: h.value_at_quantile(0.99) as f64 / scale,
        max: h.max() as f64 / scale,
        mean: h.mean() / scale,
    }
}

/// The figures so far; `reset` starts counting anew.
pub fn snapshot(reset: bool) -> WriteStats {
    let Ok(mut h) = STATS.lock() else {
        return WriteStats::default();
    };
    let out = WriteStats {
        transactions: h.hold_us.len(),
        wait_ms: spread(&h.wait_us, 1_000.0),
        hold_ms: spread(&h.hold_us, 1_000.0),
        calls: spread(&h.calls, 1.0),
        hold_total_secs: h.hold_total_us as f64 / 1_000_000.0,
        sites: sites(&h.sites),
        read_wait_ms: spread(&h.read_wait_us, 1_000.0),
        batched: h
            .batched
            .iter()
            .map(|(kind, b)| BatchStats {
                kind: (*kind).to_owned(),
                jobs: b.took_us.len(),
                batches: b.batches,
                took_ms: spread(&b.took_us, 1_000.0),
            })
            .collect(),
    };
    if reset {
        *h = fresh();
    }
    out
}

fn sites(
    totals: &HashMap<(&'static Location<'static>, &'static str), SiteTotals>,
) -> Vec<SiteStats> {
    let mut out: Vec<SiteStats> = totals
        .iter()
        .map(|((at, tag), t)| {
            let n = t.transactions.max(1) as f64;
            let site = format!("{}:{}", at.file(), at.line());
            SiteStats {
                site: if tag.is_empty() {
                    site
                } else {
                    format!("{site} {tag}")
                },
                transactions: t.transactions,
                hold_total_secs: t.hold_us as f64 / 1_000_000.0,
                mean_hold_ms: t.hold_us as f64 / n / 1_000.0,
                mean_wait_ms: t.wait_us as f64 / n / 1_000.0,
                mean_calls: t.calls as f64 / n,
                max_hold_ms: t.max_hold_us as f64 / 1_000.0,
            }
        })
        .collect();
    out.sort_by(|a, b| b.hold_total_secs.total_cmp(&a.hold_total_secs));
    out
}
