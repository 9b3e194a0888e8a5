//! Load generator: N employees sign in with signed initData (all at once, timed on its own), start
//! the same certification at the same moment, and answer with think time (and, with
//! `--paced-rounds`, at half the steady answer rate). Prints requests/s and p50/p95/p99 per
//! step, the measures as ratios to the run's own baselines, the errors, and then checks
//! in the database that every acknowledged answer is stored.
//!
//! `scripts/load.sh` starts a server and runs this; see `--help` for running it by hand.

use app::domain::init_data;
use clap::Parser;
use reqwest::header::{COOKIE, SET_COOKIE};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Barrier, Mutex};

#[derive(Parser, Debug, Clone)]
#[command(about = "Simulates employees taking the same certification at once")]
struct Args {
    #[arg(long, default_value = "http://127.0.0.1:3000")]
    base_url: String,
    #[arg(long, default_value = "admin")]
    admin_login: String,
    #[arg(long, env = "LOAD_ADMIN_PASSWORD")]
    admin_password: String,
    #[arg(long, env = "TELEGRAM_BOT_TOKEN")]
    bot_token: String,
    /// The server's database, to check the acknowledged answers afterwards.
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
    #[arg(long, default_value_t = 1000)]
    users: usize,
    #[arg(long, default_value_t = 10)]
    questions: usize,
    /// Think time between answers, in milliseconds (randomised ±50%).
    #[arg(long, default_value_t = 500)]
    think_ms: u64,
    /// How many times each person answers every question (answers can be changed until the end;
    /// more rounds measure the answer path in a steady state).
    #[arg(long, default_value_t = 1)]
    rounds: usize,
    /// Heartbeat period on the test screen, in milliseconds (0: none), as the Mini App sends.
    #[arg(long, default_value_t = 4000)]
    heartbeat_ms: u64,
    /// First Telegram id of the simulated people.
    #[arg(long, default_value_t = 900_000_000)]
    first_telegram_id: i64,
    /// How long each raw upsert ceiling is measured before the run, in seconds (0: skipped).
    #[arg(long, default_value_t = 3)]
    ceiling_secs: u64,
    /// After the rounds above (run them with `--think-ms 0` for the steady answer rate), every
    /// person answers this many more rounds paced so that all of them together send half the
    /// steady rate just measured; their latencies are the step `answer_paced`.
    #[arg(long, default_value_t = 0)]
    paced_rounds: usize,
    /// How many transactions the server writes at once: SQLite's one writer, or PostgreSQL's
    /// pool (the raw ceiling is measured at the same concurrency).
    #[arg(long, env = "DATABASE_MAX_CONNECTIONS", default_value_t = 32)]
    database_max_connections: usize,
    /// A working day instead of a synchronized start: each person arrives at a random moment
    /// within this many seconds (no gates, no raw ceilings), and `/healthz` is asked every
    /// 100 ms meanwhile, its latencies the baseline of the same load (0: everyone at once).
    #[arg(long, default_value_t = 0)]
    arrive_secs: u64,
}

/// Where every simulated person waits for the others, so that each phase is timed on its own:
/// signed in, the start, and (with `--paced-rounds`) the end of the steady rounds and the pace.
struct Gates {
    barriers: Vec<Barrier>,
    /// The think time of the paced rounds, set once the steady rate is known.
    paced_think_ms: std::sync::atomic::AtomicU64,
}

const SIGNED_IN: usize = 0;
const START: usize = 1;
const STEADY: usize = 2;
const PACED: usize = 3;

impl Gates {
    fn new(args: &Args) -> Gates {
        let n = if args.arrive_secs > 0 {
            0
        } else if args.paced_rounds > 0 {
            4
        } else {
            2
        };
        Gates {
            barriers: (0..n).map(|_| Barrier::new(args.users + 1)).collect(),
            paced_think_ms: Default::default(),
        }
    }

    fn paced(&self) -> bool {
        self.barriers.len() > PACED
    }
}

/// A person's way through the gates: whatever happens to them, they pass every gate once, so
/// that the others are never kept waiting.
struct Passage<'g> {
    gates: &'g Gates,
    passed: usize,
}

impl Passage<'_> {
    async fn pass(&mut self, gate: usize) {
        while self.passed <= gate && self.passed < self.gates.barriers.len() {
            self.gates.barriers[self.passed].wait().await;
            self.passed += 1;
        }
    }

    async fn pass_all(&mut self) {
        self.pass(usize::MAX - 1).await;
    }
}

/// One request: when it was sent and how long the answer took.
#[derive(Clone, Copy)]
struct Sample {
    sent: Instant,
    took: Duration,
}

type Samples = Arc<Mutex<BTreeMap<&'static str, Vec<Sample>>>>;

/// Not a request: from a start's tap to its test screen in hand (the start, and `current`
/// when the start did not bring the screen).
const SCREEN: &str = "screen";

async fn record(samples: &Samples, step: &'static str, sent: Instant) {
    let took = sent.elapsed();
    samples
        .lock()
        .await
        .entry(step)
        .or_default()
        .push(Sample { sent, took });
}

struct Client {
    http: reqwest::Client,
    base: String,
    cookie: String,
}

impl Client {
    async fn post(
        &self,
        samples: &Samples,
        step: &'static str,
        path: &str,
        body: Body,
    ) -> Result<Value, String> {
        let started = Instant::now();
        let req = self
            .http
            .post(format!("{}{}", self.base, path))
            .header(COOKIE, &self.cookie);
        let req = match body {
            Body::Form(f) => req.form(&f),
            Body::Json(j) => req.json(&j),
        };
        let result = req.send().await;
        record(samples, step, started).await;
        let resp = result.map_err(|e| format!("{step}: {e}"))?;
        let status = resp.status();
        let text = resp.text().await.map_err(|e| format!("{step}: {e}"))?;
        if !status.is_success() {
            return Err(format!("{step}: {status} {text}"));
        }
        serde_json::from_str(&text).map_err(|e| format!("{step}: {e}: {text}"))
    }
}

enum Body {
    Form(Vec<(String, String)>),
    Json(Value),
}

fn form(pairs: &[(&str, String)]) -> Body {
    Body::Form(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    )
}

async fn admin(args: &Args, http: &reqwest::Client) -> Result<Client, String> {
    let r = http
        .post(format!("{}/api/auth/admin_sign_in", args.base_url))
        .form(&[
            ("login", &args.admin_login),
            ("password", &args.admin_password),
        ])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !r.status().is_success() {
        return Err(format!("admin sign-in: {}", r.status()));
    }
    let cookie = r
        .headers()
        .get(SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or_default()
        .to_owned();
    Ok(Client {
        http: http.clone(),
        base: args.base_url.clone(),
        cookie,
    })
}

/// An open certification with one theory page and `questions` questions, assigned to a branch
/// the simulated people are imported into.
async fn prepare(args: &Args, a: &Client, samples: &Samples) -> Result<i64, String> {
    let branch = format!("Нагрузка {}", args.first_telegram_id);
    let mut csv = String::from("telegram_id,first_name,last_name,position,branch\n");
    for i in 0..args.users {
        csv.push_str(&format!(
            "{},Сотрудник,{i},Тестировщик,{branch}\n",
            args.first_telegram_id + i as i64
        ));
    }
    let r = a
        .post(
            samples,
            "setup",
            "/api/users/import",
            Body::Json(json!({ "csv": csv })),
        )
        .await?;
    if r["imported"].as_u64() != Some(args.users as u64) {
        return Err(format!("import: {r}"));
    }
    let cert = a
        .post(
            samples,
            "setup",
            "/api/certifications/create",
            form(&[("title", format!("Нагрузка {}", args.first_telegram_id))]),
        )
        .await?;
    let cert = cert.as_i64().ok_or("no certification id")?;
    a.post(samples, "setup", "/api/certifications/blocks/add", Body::Json(json!({ "id": cert,
        "block": { "kind": "text", "title": "Теория", "body": "<p>Коротко.</p>", "url": "" }, "require_reread": false }))).await?;
    let mut ids = Vec::new();
    for i in 0..args.questions {
        let q = a.post(samples, "setup", "/api/questions/save", Body::Json(json!({ "id": null, "content": { "kind": "single",
            "text": format!("<p>Вопрос {i}</p>"), "options": [{ "text": "Да", "correct": true }, { "text": "Нет" }] } }))).await?;
        ids.push(q["id"].clone());
    }
    a.post(
        samples,
        "setup",
        "/api/certifications/questions",
        Body::Json(json!({ "id": cert, "questions": ids })),
    )
    .await?;
    let editor = a
        .post(
            samples,
            "setup",
            "/api/certifications/get",
            form(&[("id", cert.to_string())]),
        )
        .await?;
    let mut settings = editor["cert"]["settings"].clone();
    settings["min_read_secs"] = json!(0);
    settings["time_limit_secs"] = json!(3600);
    settings["shuffle_questions"] = json!(true);
    a.post(
        samples,
        "setup",
        "/api/certifications/settings",
        Body::Json(json!({ "id": cert, "settings": settings })),
    )
    .await?;
    let targets = a
        .post(
            samples,
            "setup",
            "/api/certifications/assign_targets",
            form(&[]),
        )
        .await?;
    let branch_id = targets["branches"]
        .as_array()
        .and_then(|b| b.iter().find(|x| x[1] == branch.as_str()))
        .map(|x| x[0].clone())
        .ok_or("branch not found")?;
    a.post(
        samples,
        "setup",
        "/api/certifications/assign",
        form(&[
            ("id", cert.to_string()),
            ("kind", "branch".into()),
            ("target_id", branch_id.to_string()),
        ]),
    )
    .await?;
    a.post(
        samples,
        "setup",
        "/api/certifications/lifecycle",
        form(&[("id", cert.to_string()), ("action", "OpenNow".into())]),
    )
    .await?;
    Ok(cert)
}

/// What the server acknowledged: (attempt, question index, answer).
type Acks = Arc<Mutex<Vec<(i64, i64, Vec<u32>)>>>;

async fn employee(
    args: Arc<Args>,
    n: usize,
    cert: i64,
    http: reqwest::Client,
    samples: Samples,
    gates: Arc<Gates>,
    acks: Acks,
) -> Result<(), String> {
    let mut passage = Passage {
        gates: &gates,
        passed: 0,
    };
    let r = employee_steps(&args, n, cert, http, &samples, &mut passage, &acks).await;
    passage.pass_all().await;
    r
}

async fn employee_steps(
    args: &Args,
    n: usize,
    cert: i64,
    http: reqwest::Client,
    samples: &Samples,
    passage: &mut Passage<'_>,
    acks: &Acks,
) -> Result<(), String> {
    if args.arrive_secs > 0 {
        let at = rand::random::<u64>() % (args.arrive_secs * 1000);
        tokio::time::sleep(Duration::from_millis(at)).await;
    }
    let tg = args.first_telegram_id + n as i64;
    let user =
        json!({ "id": tg, "first_name": "Сотрудник", "last_name": n.to_string() }).to_string();
    let auth = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs())
    .to_string();
    let raw = init_data::sign(&[("user", &user), ("auth_date", &auth)], &args.bot_token);
    let t = Instant::now();
    let r = http
        .post(format!("{}/auth/telegram", args.base_url))
        .json(&json!({ "init_data": raw }))
        .send()
        .await;
    record(samples, "sign_in", t).await;
    let r = r.map_err(|e| e.to_string())?;
    if !r.status().is_success() {
        return Err(format!("sign_in: {}", r.status()));
    }
    let cookie = r
        .headers()
        .get(SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or_default()
        .to_owned();
    let c = Client {
        http,
        base: args.base_url.clone(),
        cookie,
    };
    // Everyone is signed in before anyone reads: the sign-in wave is timed on its own.
    passage.pass(SIGNED_IN).await;
    let theory = c
        .post(
            samples,
            "theory",
            "/api/app/theory",
            form(&[("cert_id", cert.to_string())]),
        )
        .await?;
    let block = theory["blocks"][0]["id"].to_string();
    c.post(
        samples,
        "page_shown",
        "/api/app/theory/shown",
        form(&[("cert_id", cert.to_string()), ("block_id", block)]),
    )
    .await?;
    // Everyone starts at the same moment.
    passage.pass(START).await;
    let asked = Instant::now();
    let started = c
        .post(
            samples,
            "start",
            "/api/app/attempts/start",
            form(&[("cert_id", cert.to_string())]),
        )
        .await?;
    // A new attempt's screen comes with its start, as the Mini App takes it; an attempt
    // already running is resumed with `current` (and so is every attempt of a server from
    // before, whose start answered with the bare id: kept to compare with).
    let attempt = (started["attempt_id"].as_i64())
        .or(started.as_i64())
        .ok_or("no attempt id")?;
    let screen = match &started["screen"] {
        Value::Null => {
            let current = c
                .post(
                    samples,
                    "current",
                    "/api/app/attempts/current",
                    form(&[("cert_id", cert.to_string())]),
                )
                .await?;
            current["Attempt"].clone()
        }
        screen => screen.clone(),
    };
    // From the tap to the test screen in hand: what the person waits for.
    record(samples, SCREEN, asked).await;
    let questions = screen["questions"].as_array().map(Vec::len).unwrap_or(0);
    let c = Arc::new(c);
    let beating = (args.heartbeat_ms > 0).then(|| {
        let (c, samples, period) = (c.clone(), samples.clone(), args.heartbeat_ms);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(period)).await;
                let body = form(&[("attempt_id", attempt.to_string()), ("index", "0".into())]);
                let beat = c.post(&samples, "heartbeat", "/api/app/attempts/heartbeat", body);
                if let Err(e) = beat.await {
                    return e;
                }
            }
        })
    });
    let steady = Pace {
        think_ms: args.think_ms,
        rounds: args.rounds,
        step: "answer",
    };
    let mut answered = answer_all(&c, samples, acks, attempt, &screen, questions, &steady).await;
    if answered.is_ok() && passage.gates.paced() {
        passage.pass(PACED).await;
        let paced = Pace {
            think_ms: passage
                .gates
                .paced_think_ms
                .load(std::sync::atomic::Ordering::Relaxed),
            rounds: args.paced_rounds,
            step: "answer_paced",
        };
        answered = answer_all(&c, samples, acks, attempt, &screen, questions, &paced).await;
    }
    let beat_failed = match beating {
        Some(b) if b.is_finished() => b.await.ok(),
        Some(b) => {
            b.abort();
            None
        }
        None => None,
    };
    answered?;
    if let Some(e) = beat_failed {
        return Err(e);
    }
    let result = c
        .post(
            samples,
            "finish",
            "/api/app/attempts/finish",
            form(&[("attempt_id", attempt.to_string())]),
        )
        .await?;
    if result["percent"] != 100 {
        return Err(format!("finish: expected 100%, got {result}"));
    }
    Ok(())
}

/// How a person answers: think time, rounds over every question, and the step it is timed as.
struct Pace {
    think_ms: u64,
    rounds: usize,
    step: &'static str,
}

async fn answer_all(
    c: &Client,
    samples: &Samples,
    acks: &Acks,
    attempt: i64,
    screen: &Value,
    questions: usize,
    pace: &Pace,
) -> Result<(), String> {
    // Pause mode sends the questions already shown only: moving to the next one reveals it,
    // as the Mini App does.
    let mut known: Vec<Value> = (0..questions)
        .map(|i| screen["questions"][i].clone())
        .collect();
    for i in (0..pace.rounds.max(1)).flat_map(|_| 0..questions) {
        let jitter = pace.think_ms / 2 + (rand::random::<u64>() % pace.think_ms.max(1));
        tokio::time::sleep(Duration::from_millis(jitter)).await;
        if known[i].is_null() {
            let shown = c
                .post(
                    samples,
                    "show",
                    "/api/app/attempts/show",
                    form(&[
                        ("attempt_id", attempt.to_string()),
                        ("index", i.to_string()),
                    ]),
                )
                .await?;
            known[i] = shown["question"].clone();
        }
        let options = &known[i]["options"];
        let pick = options
            .as_array()
            .and_then(|o| o.iter().find(|x| x["text"] == "Да"))
            .and_then(|x| x["id"].as_u64())
            .unwrap_or(1) as u32;
        c.post(
            samples,
            pace.step,
            "/api/app/attempts/answer",
            Body::Json(json!({ "attempt_id": attempt, "index": i, "answer": [pick] })),
        )
        .await?;
        acks.lock().await.push((attempt, i as i64, vec![pick]));
    }
    Ok(())
}

/// The same run's baselines: `/healthz` asked by every simulated person at once (the plain
/// endpoint beside the start burst), and the raw upsert ceilings of the database at the
/// server's write concurrency (the writes/s the answers are judged against).
async fn baselines(
    args: &Args,
    http: &reqwest::Client,
    db: &app::storage::Db,
    samples: &Samples,
) -> Result<Option<Ceilings>, String> {
    let at_once = Arc::new(Barrier::new(args.users));
    let asks = (0..args.users).map(|_| {
        let (http, at_once, samples) = (http.clone(), at_once.clone(), samples.clone());
        let url = format!("{}/healthz", args.base_url);
        tokio::spawn(async move {
            at_once.wait().await;
            let sent = Instant::now();
            let ok = http
                .get(url)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            record(&samples, "healthz", sent).await;
            ok
        })
    });
    let failed = futures::future::join_all(asks)
        .await
        .into_iter()
        .filter(|r| !matches!(r, Ok(true)))
        .count();
    if failed > 0 {
        return Err(format!("{failed} /healthz requests failed"));
    }
    if args.ceiling_secs == 0 {
        return Ok(None);
    }
    use app::storage::ceiling;
    // On SQLite the probe writes to a file of its own beside the server's (same directory and
    // settings): a second process writing the server's file would meet its writer's lock.
    let scratch;
    let db = match args.database_url.strip_prefix("sqlite:") {
        Some(_) => {
            let path = args.database_url.split('?').next().unwrap_or_default();
            scratch = app::storage::Db::connect(&format!("{path}.ceiling"), &Default::default())
                .await
                .map_err(|e| e.to_string())?;
            &scratch
        }
        None => db,
    };
    ceiling::prepare(db).await.map_err(|e| e.to_string())?;
    // As many writers as the server writes with at once: SQLite's one, PostgreSQL's pool.
    let writers = if args.database_url.starts_with("sqlite:") {
        1
    } else {
        args.database_max_connections.max(1)
    };
    let secs = Duration::from_secs(args.ceiling_secs);
    let one = upsert_rate(db, writers, secs, 1).await?;
    println!(
        "baseline: raw one-row upserts, {writers} writer(s), one transaction each: {one:.0}/s"
    );
    // The answers' group commit writes up to this many rows a transaction.
    let batch_rows = 64;
    let batch = upsert_rate(db, writers, secs, batch_rows).await?;
    println!(
        "baseline: raw upserts, {writers} writer(s), {batch_rows} rows a transaction: {batch:.0} rows/s"
    );
    ceiling::finish(db).await.map_err(|e| e.to_string())?;
    Ok(Some(Ceilings {
        one,
        batch,
        batch_rows,
    }))
}

/// The raw write ceilings of this run: rows/s upserted one a transaction, and `batch_rows` a
/// transaction.
#[derive(Clone, Copy)]
struct Ceilings {
    one: f64,
    batch: f64,
    batch_rows: usize,
}

/// Rows upserted per second by `writers` tasks for `secs`, `rows` a transaction.
async fn upsert_rate(
    db: &app::storage::Db,
    writers: usize,
    secs: Duration,
    rows: usize,
) -> Result<f64, String> {
    use app::storage::ceiling;
    let until = Instant::now() + secs;
    let began = Instant::now();
    let counts = futures::future::join_all((0..writers as i64).map(|w| {
        let db = db.clone();
        tokio::spawn(async move {
            let mut n = 0u64;
            while Instant::now() < until {
                let keys: Vec<i64> = (0..rows as i64)
                    .map(|r| (w * 1_000_003 + (n as i64 + r) * 7_919) % 10_000)
                    .collect();
                ceiling::upsert_many(&db, &keys, n as i64)
                    .await
                    .map_err(|e| e.to_string())?;
                n += rows as u64;
            }
            Ok::<u64, String>(n)
        })
    }))
    .await;
    let took = began.elapsed().as_secs_f64();
    let mut total = 0;
    for c in counts {
        total += c.map_err(|e| e.to_string())??;
    }
    Ok(total as f64 / took)
}

/// A step's requests per second over the window from its first request sent to its last answer.
fn rate(v: &[Sample]) -> f64 {
    let first = v.iter().map(|s| s.sent).min().expect("a sample");
    let last = v.iter().map(|s| s.sent + s.took).max().expect("a sample");
    v.len() as f64 / (last - first).as_secs_f64().max(1e-3)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let args = Arc::new(Args::parse());
    // Writes with a session cookie must carry the app's own origin, as the Mini App's do.
    let mut headers = reqwest::header::HeaderMap::new();
    let origin = url::Url::parse(&args.base_url)
        .map(|u| u.origin().ascii_serialization())
        .map_err(|e| e.to_string())?;
    headers.insert(
        reqwest::header::ORIGIN,
        origin.parse().map_err(|e| format!("{e}"))?,
    );
    let http = reqwest::Client::builder()
        .default_headers(headers)
        // Every simulated employee keeps their own connection, as each phone does: a pool
        // smaller than the crowd would close some between steps and reconnect them all at once.
        .pool_max_idle_per_host(usize::MAX)
        // Real clients take compressed answers, and the server pays for compressing them.
        .gzip(true)
        .brotli(true)
        .timeout(Duration::from_secs(120))
        .build()
        .map_err(|e| e.to_string())?;
    let samples: Samples = Arc::default();
    let a = admin(&args, &http).await?;
    let cert = prepare(&args, &a, &samples).await?;
    // As many connections as the server's pool, for the raw ceiling's writers.
    let pool = app::storage::PoolSettings {
        max_connections: args.database_max_connections as u32,
        ..Default::default()
    };
    let db = app::storage::Db::connect(&args.database_url, &pool)
        .await
        .map_err(|e| e.to_string())?;
    let day = args.arrive_secs > 0;
    let ceiling = if day {
        None
    } else {
        baselines(&args, &http, &db, &samples).await?
    };
    // The server's write figures count the test phase only.
    let stats_url = format!("{}/debug/write-stats", args.base_url);
    if let Err(e) = http.get(format!("{stats_url}?reset=true")).send().await {
        println!("write figures not reset ({e}): they include the set-up");
    }
    if day {
        println!(
            "certification {cert} ready; {} employees arrive within {} s, think {} ms ±50 %",
            args.users, args.arrive_secs, args.think_ms
        );
    } else {
        println!(
            "certification {cert} ready; {} employees start at once",
            args.users
        );
    }
    let gates = Arc::new(Gates::new(&args));
    let acks: Acks = Arc::default();
    let mut tasks = Vec::new();
    for n in 0..args.users {
        tasks.push(tokio::spawn(employee(
            args.clone(),
            n,
            cert,
            http.clone(),
            samples.clone(),
            gates.clone(),
            acks.clone(),
        )));
    }
    // The day's baseline: a plain endpoint asked at a steady pace under the same load.
    let probing = day.then(|| {
        let (http, samples) = (http.clone(), samples.clone());
        let url = format!("{}/healthz", args.base_url);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(100));
            loop {
                tick.tick().await;
                let sent = Instant::now();
                let ok = http
                    .get(&url)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success());
                // A failed probe is a step of its own: it shows among the errors' figures.
                record(
                    &samples,
                    if ok { "healthz" } else { "healthz_failed" },
                    sent,
                )
                .await;
            }
        })
    });
    let mut passage = Passage {
        gates: &gates,
        passed: 0,
    };
    passage.pass(START).await;
    let began = Instant::now();
    if gates.paced() {
        passage.pass(STEADY).await;
        // Half the steady rate, spread over everyone: each person thinks users / (rate / 2).
        let steady = samples.lock().await.get("answer").map_or(0.0, |v| rate(v));
        let think_ms = (args.users as f64 * 1000.0 / (steady / 2.0).max(1.0)) as u64;
        println!("steady answers {steady:.0}/s: paced rounds think {think_ms} ms each");
        gates
            .paced_think_ms
            .store(think_ms, std::sync::atomic::Ordering::Relaxed);
        passage.pass(PACED).await;
    }
    let mut errors: BTreeMap<String, usize> = BTreeMap::new();
    for t in tasks {
        if let Err(e) = t.await.map_err(|e| e.to_string()).and_then(|r| r) {
            let kind = e.chars().take(80).collect::<String>();
            *errors.entry(kind).or_default() += 1;
        }
    }
    let wall = began.elapsed();
    if let Some(p) = probing {
        p.abort();
    }
    let samples = samples.lock().await;
    println!();
    println!(
        "{:<12} {:>8} {:>10} {:>10} {:>10} {:>10} {:>10}",
        "step", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms"
    );
    let mut total = 0;
    for (step, v) in samples.iter() {
        let mut took: Vec<Duration> = v.iter().map(|s| s.took).collect();
        took.sort();
        if *step != SCREEN {
            total += v.len();
        }
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{:<12} {:>8} {:>10.0} {:>10.1} {:>10.1} {:>10.1} {:>10.1}",
            step,
            v.len(),
            rate(v),
            ms(percentile(&took, 0.5)),
            ms(percentile(&took, 0.95)),
            ms(percentile(&took, 0.99)),
            ms(*took.last().unwrap())
        );
    }
    if let Some(starts) = samples.get("start") {
        let slowest = starts.iter().map(|s| s.took).max().unwrap_or_default();
        println!(
            "\nall {} starts answered within {:.0} ms",
            starts.len(),
            slowest.as_secs_f64() * 1000.0
        );
    }
    println!(
        "{total} requests in {:.1} s of the test phase: {:.0} requests/s overall",
        wall.as_secs_f64(),
        samples
            .iter()
            .filter(|(k, _)| !matches!(**k, "setup" | "healthz" | "healthz_failed" | SCREEN))
            .map(|(_, v)| v.len())
            .sum::<usize>() as f64
            / wall.as_secs_f64()
    );
    if day {
        print_day(&samples);
    } else {
        print_ratios(&args, &samples, ceiling);
    }
    print_write_stats(&http, &stats_url).await;
    if errors.is_empty() {
        println!("errors: none");
    } else {
        println!("errors:");
        for (e, n) in &errors {
            println!("  {n} × {e}");
        }
    }

    // Every acknowledged answer must be in the database.
    let acks = acks.lock().await;
    let mut by_attempt: BTreeMap<i64, Vec<(i64, Vec<u32>)>> = BTreeMap::new();
    for (a, i, ans) in acks.iter() {
        by_attempt.entry(*a).or_default().push((*i, ans.clone()));
    }
    let mut missing = 0;
    let mut c = db.read().await.map_err(|e| e.to_string())?;
    for (attempt, answers) in &by_attempt {
        let stored = app::storage::attempts::answers(
            c.conn(),
            app::domain::AttemptId(*attempt),
            args.questions,
        )
        .await
        .map_err(|e| e.to_string())?;
        for (i, ans) in answers {
            if stored.get(*i as usize).cloned().flatten().as_ref() != Some(ans) {
                missing += 1;
            }
        }
    }
    println!(
        "acknowledged answers: {}, found in the database: {}",
        acks.len(),
        acks.len() - missing
    );
    if missing > 0 || !errors.is_empty() {
        return Err(format!(
            "{missing} acknowledged answers missing, {} errors",
            errors.values().sum::<usize>()
        ));
    }
    Ok(())
}

/// A working day's measure: each step's p99 beside the p99 of `/healthz` under the same load.
fn print_day(samples: &BTreeMap<&'static str, Vec<Sample>>) {
    let p99 = |v: &[Sample]| {
        let mut took: Vec<Duration> = v.iter().map(|s| s.took).collect();
        took.sort();
        percentile(&took, 0.99).as_secs_f64() * 1000.0
    };
    let Some(h) = samples.get("healthz").map(|v| p99(v)).filter(|h| *h > 0.0) else {
        return;
    };
    println!(
        "\np99 of each step as a ratio to /healthz p99 under the same load ({h:.1} ms; goal ≤ 10 ×)"
    );
    for (step, v) in samples {
        if !matches!(*step, "healthz" | "healthz_failed" | "setup" | SCREEN) {
            println!("  {step:<12} {:>9.1} ms = {:>6.1} ×", p99(v), p99(v) / h);
        }
    }
}

/// The measures as ratios to this run's own baselines, each beside its goal.
fn print_ratios(args: &Args, samples: &BTreeMap<&'static str, Vec<Sample>>, c: Option<Ceilings>) {
    let Some(h) = samples.get("healthz").map(|v| rate(v)).filter(|h| *h > 0.0) else {
        return;
    };
    let n = args.users as f64;
    println!("\nratios to this run's baselines (H = /healthz all at once: {h:.0}/s)");
    if let Some(v) = samples.get("sign_in") {
        let r = rate(v);
        println!(
            "  sign-in, timed alone      {r:>8.0}/s = {:>5.2} × H        (goal ≥ 0.4 × H)",
            r / h
        );
    }
    if let Some(v) = samples.get("start") {
        let slowest = v.iter().map(|s| s.took).max().unwrap_or_default();
        println!(
            "  all {} starts answered  {:>8.0} ms = {:>5.1} × N / H    (goal ≤ 2.5 × N / H)",
            v.len(),
            slowest.as_secs_f64() * 1000.0,
            slowest.as_secs_f64() * h / n
        );
    }
    if let Some(v) = samples.get(SCREEN) {
        let slowest = v.iter().map(|s| s.took).max().unwrap_or_default();
        println!(
            "  all {} test screens shown {:>8.0} ms = {:>5.1} × N / H    (the start, and `current` if asked)",
            v.len(),
            slowest.as_secs_f64() * 1000.0,
            slowest.as_secs_f64() * h / n
        );
    }
    if let (Some(v), Some(c)) = (samples.get("answer"), c) {
        let r = rate(v);
        println!(
            "  answers                   {r:>8.0}/s = {:>5.0} % of C ({:.0}/s, one row a commit) \
             = {:.0} % of C{} ({:.0}/s, {} rows a commit)   (goal ≥ 80 % of C in a steady state: \
             --rounds, --think-ms 0)",
            r / c.one * 100.0,
            c.one,
            r / c.batch * 100.0,
            c.batch_rows,
            c.batch,
            c.batch_rows
        );
    }
    if let Some(v) = samples.get("answer_paced") {
        let mut took: Vec<Duration> = v.iter().map(|s| s.took).collect();
        took.sort();
        println!(
            "  answers at half the steady rate: {:.0}/s, p99 {:.0} ms   (goal p99 < 250 ms)",
            rate(v),
            percentile(&took, 0.99).as_secs_f64() * 1000.0
        );
    }
}

/// The server's write transactions during the test phase: waits for the writer, holds, and
/// storage calls each (a server built without `--features bench` has no such figures).
async fn print_write_stats(http: &reqwest::Client, url: &str) {
    let Ok(r) = http.get(url).send().await else {
        return;
    };
    let Ok(s) = r.json::<app::storage::write_stats::WriteStats>().await else {
        println!("write transactions: no figures (the server was built without `bench`)");
        return;
    };
    println!(
        "\nwrite transactions: {} (the writer busy {:.1} s in all)",
        s.transactions, s.hold_total_secs
    );
    println!(
        "{:<22} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "", "p50", "p90", "p99", "max", "mean"
    );
    for (name, x, unit) in [
        ("wait for the writer", s.wait_ms, "ms"),
        ("hold of the writer", s.hold_ms, "ms"),
        ("storage calls", s.calls, ""),
        ("wait for a read conn.", s.read_wait_ms, "ms"),
    ] {
        println!(
            "{:<22} {:>7.1}{unit:2} {:>7.1}{unit:2} {:>7.1}{unit:2} {:>7.1}{unit:2} {:>7.1}{unit:2}",
            name, x.p50, x.p90, x.p99, x.max, x.mean
        );
    }
    let mut batched = s.batched.clone();
    batched.sort_by(|a, b| a.kind.cmp(&b.kind));
    if !batched.is_empty() {
        println!("\ngroup commits: from a job's submission to its batch's commit");
        println!(
            "{:<22} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
            "kind", "jobs/batch", "p50", "p90", "p99", "max", "mean"
        );
        for b in &batched {
            let x = b.took_ms;
            println!(
                "{:<22} {:>9.1} {:>7.1}ms {:>7.1}ms {:>7.1}ms {:>7.1}ms {:>7.1}ms",
                b.kind,
                b.jobs as f64 / b.batches.max(1) as f64,
                x.p50,
                x.p90,
                x.p99,
                x.max,
                x.mean
            );
        }
    }
    if s.sites.is_empty() {
        return;
    }
    println!("\nwhere the write transactions begin (the busiest first)");
    println!(
        "{:<48} {:>7} {:>9} {:>10} {:>10} {:>7} {:>10}",
        "site", "count", "busy s", "hold ms", "wait ms", "calls", "max hold"
    );
    for x in s.sites.iter().take(14) {
        // The path below `src/` says enough.
        let site = x
            .site
            .rsplit_once("src/")
            .map_or(x.site.as_str(), |(_, s)| s);
        println!(
            "{:<48} {:>7} {:>9.1} {:>10.2} {:>10.1} {:>7.1} {:>10.0}",
            site,
            x.transactions,
            x.hold_total_secs,
            x.mean_hold_ms,
            x.mean_wait_ms,
            x.mean_calls,
            x.max_hold_ms
        );
    }
}
