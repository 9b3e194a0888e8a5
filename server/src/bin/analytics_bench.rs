//! Benchmark of the analytics: seeds USERS employees in 20 branches, 20 open certifications
//! each assigned to 5 branches, two scored attempts per person and assigned certification
//! over the last year (1,000,000 attempts for 100,000 people) with ten answer facts each,
//! then times the dashboard (everyone, and a manager limited to two branches) and one
//! certification's statistics (all attempts, first attempts), server time in process,
//! p50/p99 beside a `SELECT 1` baseline from the same run. Prints figures; asserts nothing.
//!
//! `analytics_bench [--users 100000] [--repeat 20] [--database-url …] [--seeded]`
//! (`scripts/bench-analytics.sh` builds and runs it on both backends).
//!
//! The seed is bulk SQL run by the database itself (a recursive counter), not product code:
//! going through the product's writes would take hours for a million attempts.

use app::domain::UserId;
use app::domain::clock::SystemClock;
use app::state::{AppConfig, AppState};
use app::storage::{self, Db};
use clap::Parser;
use server::bench::percentile;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

#[derive(Parser, Debug)]
struct Args {
    #[arg(long, default_value_t = 100_000)]
    users: i64,
    /// Times each read runs.
    #[arg(long, default_value_t = 20)]
    repeat: usize,
    #[arg(long)]
    database_url: Option<String>,
    /// The database holds a seed from an earlier run: only time the reads.
    #[arg(long)]
    seeded: bool,
}

const BRANCHES: i64 = 20;
const CERTS: i64 = 20;
const QUESTIONS: i64 = 10;

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// The seed, statement by statement; `{json}` is an empty JSON array of the backend.
fn seed_sql(users: i64, now: i64) -> Vec<String> {
    // BIGINT: PostgreSQL multiplies 32-bit integers in 32 bits.
    let day = "CAST(86400000 AS BIGINT)";
    let counter = |n: i64| {
        format!("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n})")
    };
    vec![
        format!(
            "{} INSERT INTO branches (name, created_at, updated_at) SELECT 'Филиал ' || i, 0, 0 FROM n",
            counter(BRANCHES)
        ),
        format!(
            "{} INSERT INTO users (telegram_id, first_name, last_name, role, status, branch_id, \
             registered_at, created_at, updated_at) \
             SELECT 1000000000 + i, 'Имя' || i, 'Фамилия' || i, 'employee', 'active', \
               (SELECT MIN(id) FROM branches) + i % {BRANCHES}, {now}, {now}, {now} FROM n",
            counter(users)
        ),
        format!(
            "INSERT INTO users (first_name, last_name, role, status, login, registered_at, created_at, updated_at) \
             VALUES ('Менеджер', 'Казанский', 'manager', 'active', 'bench-manager', {now}, {now}, {now})"
        ),
        "INSERT INTO manager_branches (manager_id, branch_id, created_at, updated_at) \
         SELECT u.id, b.id, 0, 0 FROM users u CROSS JOIN branches b \
         WHERE u.login = 'bench-manager' AND b.id < (SELECT MIN(id) FROM branches) + 2"
            .into(),
        format!(
            "{} INSERT INTO certifications (title, pass_threshold, max_attempts, time_limit_secs, timer_mode, \
               min_read_secs, shuffle_questions, shuffle_options, points, review_allowed, status, \
               closes_at, opened_at, created_at, updated_at) \
             SELECT 'Аттестация ' || i, 70, 3, 1200, 'continuous', 0, FALSE, FALSE, 10, TRUE, 'open', \
               {now} + (i % 5) * {day}, {now} - 40 * {day}, {now}, {now} FROM n",
            counter(CERTS)
        ),
        // Certification c goes to branches c … c+4 (mod 20): five per person.
        format!(
            "{} INSERT INTO certification_assignments (certification_id, target_kind, target_id, created_at, updated_at) \
             SELECT c.id, 'branch', b.id, 0, 0 FROM certifications c CROSS JOIN branches b CROSS JOIN n \
             WHERE n.i <= 5 AND b.id - (SELECT MIN(id) FROM branches) = \
               (c.id - (SELECT MIN(id) FROM certifications) + n.i - 1) % {BRANCHES}",
            counter(5)
        ),
        // Two attempts per person and assigned certification, finished over the last year.
        format!(
            "{} INSERT INTO attempts (user_id, certification_id, number, status, timer_mode, time_limit_ms, \
               started_at, used_ms, seed, questions, shapes, pass_threshold, finished_at, finish_reason, \
               correct, total, percent, passed, facts_recorded, created_at, updated_at) \
             SELECT user_id, certification_id, k, 'finished', 'continuous', 1200000, at - used, used, '', \
               {{json}}, {{json}}, 70, at, 'submitted', p / 10, {QUESTIONS}, p, p >= 70, TRUE, at, at \
             FROM (SELECT u.id AS user_id, a.certification_id, n.i AS k, \
                     (u.id * 7 + a.certification_id * 13 + n.i * 31) % 101 AS p, \
                     60000 + (u.id * 11 + n.i) % 900000 AS used, \
                     {now} - ((u.id * 17 + a.certification_id * 5 + n.i) % 365) * {day} - n.i * 1000 AS at \
                   FROM users u JOIN certification_assignments a \
                     ON a.target_kind = 'branch' AND a.target_id = u.branch_id CROSS JOIN n \
                   WHERE n.i <= 2 AND u.role = 'employee') t",
            counter(2)
        ),
        "INSERT INTO certification_progress (user_id, certification_id, read_version, read_at, attempts_used, \
           best_percent, passed_at, created_at, updated_at) \
         SELECT user_id, certification_id, 1, MIN(started_at), COUNT(*), MAX(percent), \
           MIN(CASE WHEN passed THEN finished_at END), MIN(started_at), MAX(finished_at) \
         FROM attempts GROUP BY user_id, certification_id"
            .into(),
        format!(
            "{} INSERT INTO answer_facts (attempt_id, question_index, certification_id, question_id, revision, \
               first_attempt, is_right, rest) \
             SELECT a.id, q.i - 1, a.certification_id, a.certification_id * 100 + q.i, 1, a.number = 1, \
               CASE WHEN (a.id + q.i) % 10 < a.percent / 10 THEN 1 ELSE 0 END, \
               a.percent / 10 - CASE WHEN (a.id + q.i) % 10 < a.percent / 10 THEN 1 ELSE 0 END \
             FROM attempts a CROSS JOIN n q",
            counter(QUESTIONS)
        ),
        format!(
            "{} INSERT INTO answer_option_facts (attempt_id, question_index, option_id, certification_id, \
               question_id, revision, first_attempt) \
             SELECT a.id, q.i - 1, (a.id + q.i) % 4 + 1, a.certification_id, a.certification_id * 100 + q.i, 1, \
               a.number = 1 FROM attempts a CROSS JOIN n q",
            counter(QUESTIONS)
        ),
        format!(
            "{} INSERT INTO stats_questions (certification_id, question_id, revision, snapshot) \
             SELECT c.id, c.id * 100 + q.i, 1, {{question}} FROM certifications c CROSS JOIN n q",
            counter(QUESTIONS)
        ),
        format!(
            "INSERT INTO badges (name, kind, created_at, updated_at) VALUES ('Наставник', 'manual', {now}, {now})"
        ),
        format!(
            "INSERT INTO user_badges (user_id, badge_id, awarded_at, source_key, created_at, updated_at) \
             SELECT u.id, (SELECT MIN(id) FROM badges), {now} - u.id * 1000, 'bench:' || u.id, {now}, {now} \
             FROM users u WHERE u.id % 10 = 0"
        ),
    ]
}

async fn exec(db: &Db, sql: &str) -> Result<(), String> {
    let mut tx = db.begin().await.map_err(|e| e.to_string())?;
    app::on_conn!(tx.conn(), |c| sqlx::query(sql).execute(c).await.map(|_| ()))
        .map_err(|e| format!("{e}: {sql}"))?;
    tx.commit().await.map_err(|e| e.to_string())
}

/// Whether each timed read finds the cache cold (a result changed since the last read) or
/// warm (nothing changed: the versioned cache answers).
#[derive(Clone, Copy, PartialEq)]
enum Cache {
    Cold,
    Warm,
}

/// Bumps the results version, as applying a finished attempt's events does.
async fn result_changed(db: &app::storage::Db) -> Result<(), String> {
    let mut tx = db.begin().await.map_err(|e| e.to_string())?;
    app::storage::cache_versions::bump(tx.conn(), app::cache::Scope::Results.as_str())
        .await
        .map_err(|e| e.to_string())?;
    tx.commit().await.map_err(|e| e.to_string())
}

async fn time<F, Fut, T>(
    repeat: usize,
    cache: Cache,
    db: &app::storage::Db,
    mut f: F,
) -> Result<(f64, f64), String>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let mut ms = Vec::with_capacity(repeat);
    if cache == Cache::Warm {
        f().await?;
    }
    for _ in 0..repeat {
        if cache == Cache::Cold {
            result_changed(db).await?;
        }
        let t = Instant::now();
        f().await?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    ms.sort_by(f64::total_cmp);
    Ok((percentile(&ms, 0.5), percentile(&ms, 0.99)))
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let args = Args::parse();
    let dir = std::env::temp_dir().join(format!("analytics-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let database_url = args
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", dir.join("bench.db").display()));
    let db = Db::connect(&database_url, &Default::default())
        .await
        .map_err(|e| e.to_string())?;
    db.migrate().await.map_err(|e| e.to_string())?;
    let pg = database_url.starts_with("postgres");
    let backend = if pg { "PostgreSQL" } else { "SQLite" };
    let (json, question) = if pg {
        (
            "'[]'::jsonb",
            "'{\"text\":\"Вопрос\",\"options\":[[1,\"А\",true],[2,\"Б\",false],[3,\"В\",false],[4,\"Г\",false]]}'::jsonb",
        )
    } else {
        (
            "'[]'",
            "'{\"text\":\"Вопрос\",\"options\":[[1,\"А\",true],[2,\"Б\",false],[3,\"В\",false],[4,\"Г\",false]]}'",
        )
    };
    let seeded = Instant::now();
    for sql in seed_sql(args.users, now_ms())
        .into_iter()
        .filter(|_| !args.seeded)
    {
        let sql = sql.replace("{json}", json).replace("{question}", question);
        exec(&db, &sql).await?;
    }
    if !args.seeded {
        // What the leader's job does with the deltas the seed's rows appended (PostgreSQL).
        let mut tx = db.begin().await.map_err(|e| e.to_string())?;
        storage::dashboard::fold_counts(tx.conn())
            .await
            .map_err(|e| e.to_string())?;
        storage::analytics::fold_sums(tx.conn())
            .await
            .map_err(|e| e.to_string())?;
        tx.commit().await.map_err(|e| e.to_string())?;
    }
    if pg && !args.seeded {
        // What autovacuum does after a bulk load: statistics, and the visibility map that
        // lets the aggregates read the covering indexes alone. (Outside a transaction.)
        let mut c = db.read().await.map_err(|e| e.to_string())?;
        app::on_conn!(c.conn(), |c| sqlx::query("VACUUM ANALYZE")
            .execute(c)
            .await
            .map(|_| ()))
        .map_err(|e| e.to_string())?;
    }
    let count = |sql: &'static str| {
        let db = db.clone();
        async move {
            let mut c = db.read().await.map_err(|e| e.to_string())?;
            let (n,): (i64,) = app::on_conn!(c.conn(), |c| sqlx::query_as(sql).fetch_one(c).await)
                .map_err(|e| e.to_string())?;
            Ok::<i64, String>(n)
        }
    };
    println!(
        "{backend}: {} people, {} attempts, {} answer facts (seeded in {:.1} s)",
        count("SELECT COUNT(*) FROM users").await?,
        count("SELECT COUNT(*) FROM attempts").await?,
        count("SELECT COUNT(*) FROM answer_facts").await?,
        seeded.elapsed().as_secs_f64()
    );
    let state = AppState::new(db.clone(), Arc::new(SystemClock), AppConfig::default());
    let user = |login: Option<&'static str>| {
        let db = db.clone();
        async move {
            let mut c = db.read().await.map_err(|e| e.to_string())?;
            let id: (UserId,) = match login {
                Some(l) => app::on_conn!(c.conn(), |c| sqlx::query_as(
                    "SELECT id FROM users WHERE login = $1"
                )
                .bind(l)
                .fetch_one(c)
                .await),
                None => app::on_conn!(c.conn(), |c| sqlx::query_as("SELECT MIN(id) FROM users")
                    .fetch_one(c)
                    .await),
            }
            .map_err(|e| e.to_string())?;
            let mut u = storage::users::get(c.conn(), id.0)
                .await
                .map_err(|e| e.to_string())?
                .ok_or("no user")?;
            if login.is_none() {
                // The first employee, looking as an admin would.
                u.role = app::domain::user::Role::Admin;
            }
            Ok::<_, String>(u)
        }
    };
    let admin = user(None).await?;
    let manager = user(Some("bench-manager")).await?;
    let cert = app::domain::CertId(count("SELECT MIN(id) FROM certifications").await?);
    let r = args.repeat;
    let base = time(r * 10, Cache::Cold, &db, || async {
        db.ping().await.map_err(|e| e.to_string())
    })
    .await?;
    let mut rows = vec![("baseline: SELECT 1".to_owned(), base)];
    // The dashboard's largest part both ways: recounted from the progress rows (as it was
    // read before the counts were kept) and read from the kept counts.
    let everyone = app::domain::scope::PeopleScope::Everyone;
    for (label, kept) in [
        ("recounted from progress rows", false),
        ("kept counts", true),
    ] {
        let t = time(r, Cache::Cold, &db, || async {
            let mut c = db.read().await.map_err(|e| e.to_string())?;
            if kept {
                storage::dashboard::progress_counts(c.conn(), &everyone).await
            } else {
                storage::dashboard::progress_recounted(c.conn(), &everyone).await
            }
            .map_err(|e| e.to_string())
        })
        .await?;
        rows.push((format!("compliance groups, everyone: {label}"), t));
    }
    for (cache, label) in [(Cache::Cold, "changed since"), (Cache::Warm, "unchanged")] {
        let dash = time(r, cache, &db, || async {
            app::dashboard::service::dashboard_of(&state, &admin)
                .await
                .map_err(|e| format!("{e:?}"))
        })
        .await?;
        let dash_mgr = time(r, cache, &db, || async {
            app::dashboard::service::dashboard_of(&state, &manager)
                .await
                .map_err(|e| format!("{e:?}"))
        })
        .await?;
        let stats = time(r, cache, &db, || async {
            app::analytics::service::stats_of(&state, cert, false, &everyone)
                .await
                .map_err(|e| format!("{e:?}"))
        })
        .await?;
        let stats_first = time(r, cache, &db, || async {
            app::analytics::service::stats_of(&state, cert, true, &everyone)
                .await
                .map_err(|e| format!("{e:?}"))
        })
        .await?;
        rows.extend([
            (format!("dashboard, everyone ({label})"), dash),
            (
                format!("dashboard, a manager of 2 branches ({label})"),
                dash_mgr,
            ),
            (format!("statistics of one certification ({label})"), stats),
            (
                format!("statistics, first attempts only ({label})"),
                stats_first,
            ),
        ]);
    }
    let per_cert = count("SELECT COUNT(*) FROM attempts WHERE certification_id = (SELECT MIN(id) FROM certifications)").await?;
    println!(
        "{:<56} {:>10} {:>10}",
        "read (server time, in process)", "p50 ms", "p99 ms"
    );
    println!("(one certification's statistics cover {per_cert} attempts)");
    for (name, (p50, p99)) in rows {
        println!("{name:<56} {p50:>10.1} {p99:>10.1}");
    }
    if let Err(e) = std::fs::remove_dir_all(&dir) {
        eprintln!("could not remove {}: {e}", dir.display());
    }
    Ok(())
}
