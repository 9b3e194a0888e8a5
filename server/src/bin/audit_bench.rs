//! Benchmark of the audit log. Part one fills the log with N entries (a million by default) and
//! times the admin list's queries — the first page, pages deep in the keyset, by kind, group,
//! actor, target, period and label search — printing p50 and p99 beside a plain `SELECT 1`
//! baseline from the same run. Part two runs the real server against a fake Bot API with
//! Telegram's limits (20 messages a minute per group) and times posting a burst of 1,000
//! entries, beside the physical minimum at 20 a minute.
//!
//! `audit_bench --server-bin target/release/server [--rows 1000000] [--burst 1000]
//!  [--database-url …]` (`scripts/bench-audit.sh` builds and runs it).

use app::audit::{AuditFilter, AuditSettings};
use app::domain::audit::{AuditAction, AuditEntry, AuditGroup, Origin};
use app::domain::{AuditId, Timestamp, UserId};
use app::storage::{self, Db};
use clap::Parser;
use server::bench::percentile;
use server::fake_telegram::{FakeTelegram, Limits};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

#[derive(Parser, Debug)]
struct Args {
    #[arg(long)]
    server_bin: String,
    #[arg(long, default_value_t = 1_000_000)]
    rows: usize,
    #[arg(long, default_value_t = 1_000)]
    burst: usize,
    /// Times each query runs.
    #[arg(long, default_value_t = 200)]
    repeat: usize,
    #[arg(long)]
    database_url: Option<String>,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

const NAMES: [&str; 8] = [
    "Иванов Пётр",
    "Смирнова Анна",
    "Кузнецов Олег",
    "Попова Мария",
    "Васильев Игорь",
    "Петрова Ольга",
    "Соколов Денис",
    "Михайлова Ирина",
];

fn entry(i: usize, at: Timestamp) -> AuditEntry {
    let kinds = AuditAction::ALL;
    let actor = (i % 500) as i64 + 1;
    AuditEntry {
        at,
        actor_id: Some(UserId(actor)),
        actor_label: format!("{} {actor}", NAMES[i % NAMES.len()]),
        action: kinds[i % kinds.len()],
        target_type: Some("user".into()),
        target_id: Some(((i * 7) % 20_000).to_string()),
        details: serde_json::json!({ "points": [i, i + 1] }),
        origin: Origin::channel("admin"),
    }
}

async fn time_query(
    db: &Db,
    repeat: usize,
    f: &AuditFilter,
    before: Option<AuditId>,
) -> (f64, f64, usize) {
    let mut ms = Vec::with_capacity(repeat);
    let mut found = 0;
    for _ in 0..repeat {
        let t = Instant::now();
        let mut c = db.read().await.expect("a connection");
        let rows = storage::audit::list(
            c.conn(),
            f,
            &app::domain::scope::PeopleScope::Everyone,
            before,
            51,
        )
        .await
        .expect("the query");
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        found = rows.len();
    }
    ms.sort_by(f64::total_cmp);
    (percentile(&ms, 0.5), percentile(&ms, 0.99), found)
}

async fn baseline(db: &Db, repeat: usize) -> (f64, f64) {
    let mut ms = Vec::with_capacity(repeat);
    for _ in 0..repeat {
        let t = Instant::now();
        db.ping().await.expect("ping");
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    ms.sort_by(f64::total_cmp);
    (percentile(&ms, 0.5), percentile(&ms, 0.99))
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let args = Args::parse();
    let dir = std::env::temp_dir().join(format!("audit-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let database_url = args
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", dir.join("bench.db").display()));
    let db = Db::connect(&database_url, &Default::default())
        .await
        .map_err(|e| e.to_string())?;
    db.migrate().await.map_err(|e| e.to_string())?;
    let backend = if database_url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };

    // Part one: the list over a large log.
    let start = now_ms() - args.rows as i64 * 1_000;
    let filled = Instant::now();
    let batch = 10_000;
    for from in (0..args.rows).step_by(batch) {
        let entries: Vec<AuditEntry> = (from..(from + batch).min(args.rows))
            .map(|i| entry(i, Timestamp(start + i as i64 * 1_000)))
            .collect();
        let mut tx = db.begin().await.map_err(|e| e.to_string())?;
        storage::audit::record_many(tx.conn(), &entries)
            .await
            .map_err(|e| e.to_string())?;
        tx.commit().await.map_err(|e| e.to_string())?;
    }
    println!(
        "{backend}: {} entries written in {:.1} s",
        args.rows,
        filled.elapsed().as_secs_f64()
    );
    let deep = {
        // The cursor of page 200 (10,000 entries back), reached as the panel would.
        let mut before = None;
        let mut c = db.read().await.map_err(|e| e.to_string())?;
        for _ in 0..200 {
            let rows = storage::audit::list(
                c.conn(),
                &AuditFilter::default(),
                &app::domain::scope::PeopleScope::Everyone,
                before,
                50,
            )
            .await
            .map_err(|e| e.to_string())?;
            before = rows.last().map(|r| r.id);
        }
        before
    };
    let last_day = AuditFilter {
        from: Some(Timestamp(now_ms() - 86_400_000)),
        ..AuditFilter::default()
    };
    let cases: Vec<(&str, AuditFilter, Option<AuditId>)> = vec![
        ("first page, no filter", AuditFilter::default(), None),
        ("page 200 (keyset)", AuditFilter::default(), deep),
        (
            "one kind",
            AuditFilter {
                action: Some("badge_awarded".into()),
                ..AuditFilter::default()
            },
            None,
        ),
        (
            "one kind, page 200",
            AuditFilter {
                action: Some("badge_awarded".into()),
                ..AuditFilter::default()
            },
            deep,
        ),
        (
            "kind group (rewards)",
            AuditFilter {
                group: Some(AuditGroup::Rewards),
                ..AuditFilter::default()
            },
            None,
        ),
        (
            "one actor",
            AuditFilter {
                actor_id: Some(UserId(42)),
                ..AuditFilter::default()
            },
            None,
        ),
        (
            "one target",
            AuditFilter {
                target_type: Some("user".into()),
                target_id: Some("777".into()),
                ..AuditFilter::default()
            },
            None,
        ),
        ("the last day", last_day, None),
        (
            "label search (common)",
            AuditFilter {
                search: Some("смирнова".into()),
                ..AuditFilter::default()
            },
            None,
        ),
        (
            "label search (one actor's number)",
            AuditFilter {
                search: Some("иванов 497".into()),
                ..AuditFilter::default()
            },
            None,
        ),
    ];
    let (b50, b99) = baseline(&db, args.repeat).await;
    println!();
    println!("| {backend}, {} entries | p50 | p99 | rows |", args.rows);
    println!("|---|---|---|---|");
    println!("| baseline: SELECT 1 | {b50:.2} ms | {b99:.2} ms | |");
    for (name, filter, before) in &cases {
        let (p50, p99, n) = time_query(&db, args.repeat, filter, *before).await;
        println!("| {name} | {p50:.2} ms | {p99:.2} ms | {n} |");
    }

    // Part two: a burst posted within 20 messages a minute.
    let fake = FakeTelegram::start(Limits::default()).await;
    let group = -1_001_000_000_001_i64;
    let mut tx = db.begin().await.map_err(|e| e.to_string())?;
    app::settings::save(
        tx.conn(),
        &AuditSettings {
            chat_id: Some(group),
            ..AuditSettings::default()
        },
        None,
        Timestamp(now_ms()),
    )
    .await
    .map_err(|e| e.to_string())?;
    storage::audit_feed::start_at_end(tx.conn(), Timestamp(now_ms()))
        .await
        .map_err(|e| e.to_string())?;
    tx.commit().await.map_err(|e| e.to_string())?;
    let mut child = std::process::Command::new(&args.server_bin)
        .env("DATABASE_URL", &database_url)
        .env("TELEGRAM_BOT_TOKEN", "1000:bench")
        .env("TELEGRAM_API_URL", &fake.url)
        .env("BOT_MODE", "polling")
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("APP_CONFIG", "/nonexistent.toml")
        .env("JOBS_TICK_MS", "1000")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", args.server_bin))?;
    // Let the server start and take the lead before the burst.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let started = Instant::now();
    let entries: Vec<AuditEntry> = (0..args.burst)
        .map(|i| AuditEntry {
            target_type: Some("item".into()),
            target_id: Some(format!("b{i:05}")),
            ..entry(i * 3, Timestamp(now_ms()))
        })
        .collect();
    for chunk in entries.chunks(100) {
        let mut tx = db.begin().await.map_err(|e| e.to_string())?;
        for e in chunk {
            storage::audit::record(tx.conn(), e)
                .await
                .map_err(|e| e.to_string())?;
        }
        tx.commit().await.map_err(|e| e.to_string())?;
    }
    let wanted: BTreeSet<String> = (0..args.burst).map(|i| format!("item #b{i:05}")).collect();
    let deadline = started + Duration::from_secs(3_600);
    let (messages, seen) = loop {
        let posts: Vec<String> = fake
            .delivered()
            .into_iter()
            .filter(|c| c.body["chat_id"].as_i64() == Some(group))
            .filter_map(|c| c.body["text"].as_str().map(str::to_owned))
            .collect();
        let seen = wanted
            .iter()
            .filter(|w| posts.iter().any(|p| p.contains(w.as_str())))
            .count();
        if seen == args.burst || Instant::now() > deadline {
            break (posts.len(), seen);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let took = started.elapsed().as_secs_f64();
    child.kill().map_err(|e| e.to_string())?;
    let _ = child.wait();
    let topics = fake.calls("createForumTopic").len();
    let minimum = (messages + topics) as f64 * 3.0;
    println!();
    println!("| {backend}: a burst of {} entries | value |", args.burst);
    println!("|---|---|");
    println!("| entries posted | {seen} of {} |", args.burst);
    println!("| messages (digests) + topics made | {messages} + {topics} |");
    println!("| time to post everything | {took:.1} s |");
    println!(
        "| physical minimum for these calls at 20/min | {minimum:.1} s (ratio {:.2}) |",
        took / minimum.max(1.0)
    );
    println!(
        "| one message per entry at 20/min would take | {:.0} min |",
        args.burst as f64 / 20.0
    );
    println!("| 429s received (goal 0) | {} |", fake.limited());
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
