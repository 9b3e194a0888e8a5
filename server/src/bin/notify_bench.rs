//! Benchmark of the Telegram sender: queues N notifications, runs the real server against a
//! fake Bot API with Telegram's limits (1 a second per chat, 30 a second overall), and prints
//! the time taken beside the physical minimum at the configured rate, the 429s received, the
//! messages lost and sent twice, and the server's CPU time.
//!
//! `notify_bench --server-bin target/release/server [--messages 10000] [--chats 2000]
//!  [--rate 25] [--database-url sqlite://...]` (`scripts/bench-notify.sh` builds and runs it).

use app::domain::Timestamp;
use app::storage::Db;
use app::storage::telegram::{NewMessage, OutboxStatus};
use clap::Parser;
use server::fake_telegram::{FakeTelegram, Limits};
use std::collections::HashMap;
use std::time::{Duration, Instant};

#[derive(Parser, Debug)]
struct Args {
    #[arg(long)]
    server_bin: String,
    #[arg(long, default_value_t = 10_000)]
    messages: usize,
    #[arg(long, default_value_t = 2_000)]
    chats: usize,
    /// The sender's rate (messages a second).
    #[arg(long, default_value_t = 25)]
    rate: u32,
    #[arg(long)]
    database_url: Option<String>,
}

fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    let hz = std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse::<f64>().ok())
        .unwrap_or(100.0);
    Some(ticks / hz)
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let args = Args::parse();
    let fake = FakeTelegram::start(Limits::default()).await;
    let dir = std::env::temp_dir().join(format!("notify-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let database_url = args
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", dir.join("bench.db").display()));
    let db = Db::connect(&database_url, &Default::default())
        .await
        .map_err(|e| e.to_string())?;
    db.migrate().await.map_err(|e| e.to_string())?;
    let now = Timestamp(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_err(|e| e.to_string())?
            .as_millis() as i64,
    );
    let mut tx = db.begin().await.map_err(|e| e.to_string())?;
    for i in 0..args.messages {
        let key = format!("bench-{i:06}");
        app::storage::telegram::enqueue(
            tx.conn(),
            &NewMessage {
                dedupe_key: &key,
                chat_id: 1_000_000 + (i % args.chats) as i64,
                thread_id: None,
                recipient: None,
                kind: "bench",
                text: &key,
                buttons: &[],
                payload: serde_json::json!({}),
                status: OutboxStatus::Queued,
                note: None,
                send_at: now,
            },
            now,
        )
        .await
        .map_err(|e| e.to_string())?;
    }
    tx.commit().await.map_err(|e| e.to_string())?;
    println!(
        "queued {} messages to {} chats; sender rate {}/s; fake Bot API limits: 1/s per chat, 30/s overall",
        args.messages, args.chats, args.rate
    );
    let started = Instant::now();
    let mut child = std::process::Command::new(&args.server_bin)
        .env("DATABASE_URL", &database_url)
        .env("TELEGRAM_BOT_TOKEN", "1000:bench")
        .env("TELEGRAM_API_URL", &fake.url)
        .env("BOT_MODE", "polling")
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("APP_CONFIG", "/nonexistent.toml")
        .env("TELEGRAM_GLOBAL_RATE", args.rate.to_string())
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", args.server_bin))?;
    let deadline = started + Duration::from_secs(3600);
    loop {
        let mut c = db.read().await.map_err(|e| e.to_string())?;
        let counts = app::storage::telegram::counts(c.conn())
            .await
            .map_err(|e| e.to_string())?;
        let sent = counts
            .iter()
            .find(|(s, _)| s == "sent")
            .map_or(0, |(_, n)| *n);
        let waiting: i64 = counts
            .iter()
            .filter(|(s, _)| matches!(s.as_str(), "queued" | "failed" | "sending"))
            .map(|(_, n)| *n)
            .sum();
        if waiting == 0 && sent > 0 || Instant::now() > deadline {
            break;
        }
        drop(c);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let cpu = cpu_seconds(child.id());
    child.kill().map_err(|e| e.to_string())?;
    let _ = child.wait();
    let delivered = fake.delivered();
    let mut per_key: HashMap<String, usize> = HashMap::new();
    for c in &delivered {
        if let Some(t) = c.body["text"].as_str() {
            *per_key.entry(t.to_owned()).or_default() += 1;
        }
    }
    let lost = args.messages.saturating_sub(per_key.len());
    let duplicates: usize = per_key.values().map(|n| n.saturating_sub(1)).sum();
    let first = delivered.iter().map(|c| c.at).min().unwrap_or_default();
    let last = delivered.iter().map(|c| c.at).max().unwrap_or_default();
    let took = (last - first).as_secs_f64();
    let minimum = (args.messages.saturating_sub(1)) as f64 / f64::from(args.rate);
    println!();
    println!("| figure | value |");
    println!("|---|---|");
    println!(
        "| messages delivered | {} of {} |",
        per_key.len(),
        args.messages
    );
    println!("| time, first to last message | {took:.1} s |");
    println!("| physical minimum at {}/s | {minimum:.1} s |", args.rate);
    println!(
        "| ratio (goal ≤ 1.05) | {:.3} |",
        if minimum > 0.0 { took / minimum } else { 0.0 }
    );
    println!("| 429s received (goal 0) | {} |", fake.limited());
    println!("| lost (goal 0) | {lost} |");
    println!("| duplicates (goal 0) | {duplicates} |");
    match cpu {
        Some(s) => println!(
            "| server CPU | {s:.1} s ({:.1} ms per message) |",
            s * 1000.0 / args.messages.max(1) as f64
        ),
        None => println!("| server CPU | n/a |"),
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
