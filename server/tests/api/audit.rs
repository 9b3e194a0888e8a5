//! The audit log: every state-changing server function leaves exactly one entry of its kind
//! (table-driven, with a check that no function is left out); the admin list, its filters and
//! the CSV export; the retention purge as the one path that deletes; and the Telegram feed into
//! the topics of a forum group through the fake Bot API: `/audit_here`, a role change in the
//! "people" topic, a burst of 1,000 entries in digests within the group's limit, a deleted
//! topic made again, a bot removed from the group, and `kill -9` mid-post.

use crate::fake_bot::{self, FakeTelegram, Limits};
use crate::helpers::{Backend, Options, TestApp, eventually, fresh_database_url, spawn_app_with};
use crate::taking::{EMPLOYEE_TG, setup};
use app::audit::{AuditSettings, TopicMode};
use app::domain::audit::{AuditAction, AuditEntry, Origin};
use app::domain::user::{Role, UserStatus};
use app::domain::{TelegramId, Timestamp, UserId};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

const PASSWORD: &str = "correct-horse-42";
const GROUP: i64 = -1_001_234_567_890;
const ADMIN_TG: i64 = 5_005;

fn bot_options(fake: &FakeTelegram, extra: &[(&str, &str)]) -> Options {
    let mut env: Vec<(String, String)> = vec![
        ("JOBS_TICK_MS".into(), "50".into()),
        ("TELEGRAM_HTTP_BUTTONS".into(), "true".into()),
        ("TELEGRAM_GLOBAL_RATE".into(), "500".into()),
        ("TELEGRAM_CHAT_SPACING_MS".into(), "20".into()),
        ("TELEGRAM_GROUP_SPACING_MS".into(), "20".into()),
    ];
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Options {
        bot_api_url: Some(fake.url.clone()),
        env,
    }
}

/// Accepted messages to the group.
fn group_posts(fake: &FakeTelegram) -> Vec<Value> {
    fake.delivered()
        .into_iter()
        .filter(|c| c.body["chat_id"].as_i64() == Some(GROUP))
        .map(|c| c.body)
        .collect()
}

/// The bot's next reply in the group after `seen` replies.
async fn reply(fake: &FakeTelegram, seen: usize) -> String {
    eventually("the bot's reply", Duration::from_secs(20), || async {
        let replies: Vec<String> = group_posts(fake)
            .into_iter()
            .filter(|b| b["message_thread_id"].is_null())
            .filter_map(|b| b["text"].as_str().map(str::to_owned))
            .collect();
        replies.get(seen).cloned()
    })
    .await
}

async fn settings_of(app: &TestApp) -> AuditSettings {
    let mut c = app.state.db.read().await.unwrap();
    app::settings::load(c.conn()).await.unwrap()
}

async fn save_settings_directly(app_state: &app::state::AppState, settings: &AuditSettings) {
    let mut tx = app_state.db.begin().await.unwrap();
    app::settings::save(tx.conn(), settings, None, app_state.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// Records `n` entries straight into the store (what a burst of activity leaves), each with a
/// unique target `item #nNNNN`, cycling over three kinds of three topics.
async fn record_burst(state: &app::state::AppState, from: usize, n: usize, actor: UserId) {
    let kinds = [
        AuditAction::UserEdited,
        AuditAction::QuestionEdited,
        AuditAction::PointsChanged,
    ];
    for chunk in (from..from + n).collect::<Vec<_>>().chunks(100) {
        let mut tx = state.db.begin().await.unwrap();
        for i in chunk {
            app::storage::audit::record(
                tx.conn(),
                &AuditEntry {
                    at: state.now(),
                    actor_id: Some(actor),
                    actor_label: "Root Тест".into(),
                    action: kinds[i % 3],
                    target_type: Some("item".into()),
                    target_id: Some(format!("n{i:04}")),
                    details: json!({ "n": [i, i + 1] }),
                    origin: Origin::channel("test"),
                },
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
    }
}

/// What the feed and the outbox hold (printed when a test times out).
async fn feed_state(app: &TestApp) -> String {
    let mut c = app.state.db.read().await.unwrap();
    type Unsent = (i64, String, i64, Option<String>, Option<i64>);
    let outbox: Vec<Unsent> = app::on_conn!(c.conn(), |c| {
        sqlx::query_as(
            "SELECT id, status, attempts, last_error, thread_id FROM tg_outbox \
             WHERE status <> 'sent' ORDER BY id",
        )
        .fetch_all(c)
        .await
    })
    .unwrap();
    let (queued,): (i64,) = app::on_conn!(c.conn(), |c| {
        sqlx::query_as("SELECT COUNT(*) FROM audit_feed_queue")
            .fetch_one(c)
            .await
    })
    .unwrap();
    let status: app::audit::AuditFeedStatus = app::settings::load(c.conn()).await.unwrap();
    format!("unsent {outbox:?}, {queued} lines queued, status {status:?}")
}

/// The items a text mentions, in order.
fn items_in(text: &str) -> Vec<usize> {
    text.match_indices("item «n")
        .filter_map(|(i, m)| text[i + m.len()..].get(..4)?.parse().ok())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Binding the group, and a role change in the "people" topic.

async fn a_role_change_is_posted_in_the_people_topic_with_before_and_after(backend: Backend) {
    let fake = fake_bot::start().await;
    let app = spawn_app_with(backend, bot_options(&fake, &[])).await;
    app.create_account("root", PASSWORD, Role::Admin, Some(ADMIN_TG))
        .await;
    // Refused: an anonymous group admin, someone who is not our admin, a member of the group
    // who is not its admin, and a private chat.
    fake.send_group_text_anonymous(GROUP, "/audit_here");
    assert!(reply(&fake, 0).await.contains("Анонимного администратора"));
    fake.send_group_text(GROUP, 6_006, "/audit_here");
    assert!(
        reply(&fake, 1)
            .await
            .contains("только администратор системы")
    );
    fake.set_member(GROUP, ADMIN_TG, "member", false);
    fake.send_group_text(GROUP, ADMIN_TG, "/audit_here");
    assert!(reply(&fake, 2).await.contains("только её администратор"));
    assert_eq!(settings_of(&app).await.chat_id, None, "nothing bound yet");
    // Our admin, an admin of the group: bound, one topic per kind group.
    fake.set_member(GROUP, ADMIN_TG, "administrator", true);
    fake.send_group_text(GROUP, ADMIN_TG, "/audit_here");
    assert!(reply(&fake, 3).await.contains("по темам"), "bound");
    let s = settings_of(&app).await;
    assert_eq!((s.chat_id, s.topics), (Some(GROUP), TopicMode::PerGroup));

    assert_eq!(app.sign_in_admin("root", PASSWORD).await.status, 200);
    let person = app
        .call_json(
            "users/preregister",
            &json!({ "person": { "telegram_id": 42, "first_name": "Борис", "last_name": "Петров",
                "role": "employee", "position": null, "branch": null } }),
        )
        .await;
    assert_eq!(person.status, 200, "{:?}", person.body);
    let id = person.body.as_i64().unwrap();
    let r = app
        .call_json(
            "users/update",
            &json!({ "id": id, "edit": { "first_name": "Борис", "last_name": "Петров",
                "role": "manager", "status": "active", "position": null, "branch": null } }),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let post = eventually(
        "the role change posted",
        Duration::from_secs(20),
        || async {
            group_posts(&fake).into_iter().find(|b| {
                b["text"]
                    .as_str()
                    .is_some_and(|t| t.contains("Роль: сотрудник → руководитель"))
            })
        },
    )
    .await;
    let text = post["text"].as_str().unwrap();
    assert!(text.contains("Пользователь изменён"), "{text}");
    assert!(
        text.contains("Тест root") && text.contains("Борис Петров"),
        "{text}"
    );
    assert!(post["parse_mode"].is_null(), "plain text: {post}");
    // In the thread of the "people" topic the bot made.
    let topics = fake.calls("createForumTopic");
    let people = topics
        .iter()
        .find(|c| c.body["name"] == "Аудит · Люди")
        .unwrap_or_else(|| panic!("a people topic: {topics:?}"));
    let mut c = app.state.db.read().await.unwrap();
    let thread = app::storage::audit_feed::topic(c.conn(), GROUP, "people")
        .await
        .unwrap()
        .expect("the topic is stored")
        .thread_id;
    drop(c);
    assert_eq!(
        post["message_thread_id"].as_i64(),
        Some(thread),
        "{people:?}"
    );
    // The button opens the entry in the panel (or, for a digest, the people entries of its
    // time range).
    let url = post["reply_markup"]["inline_keyboard"][0][0]["url"]
        .as_str()
        .unwrap();
    assert!(
        url.contains("/admin/audit?entry=") || url.contains("&group=people"),
        "{url}"
    );
    // The settings page sees the group through the bot.
    let v = app.call("audit/settings", &[]).await;
    assert_eq!(v.status, 200, "{:?}", v.body);
    assert_eq!(
        v.body["group"]["Ok"]["can_manage_topics"], true,
        "{:?}",
        v.body
    );
}

// ---------------------------------------------------------------------------------------------
// A burst within the group's limit.

/// 1,000 entries at once, with the fake enforcing 20 messages per (scaled) minute for the
/// group: everything is posted, in digests, in order per topic, with no 429.
async fn a_burst_of_1000_entries_is_posted_in_digests_within_the_group_limit(backend: Backend) {
    // 20 messages per 2 s for the group (a minute scaled down 30 times); the sender spaces
    // the group's messages by 110 ms (2,000 / 20 = 100, with room).
    let fake = FakeTelegram::start(Limits {
        per_chat: Duration::ZERO,
        global_per_sec: 1_000,
        group_per_min: 20,
        group_window: Duration::from_secs(2),
    })
    .await;
    let app = spawn_app_with(
        backend,
        bot_options(&fake, &[("TELEGRAM_GROUP_SPACING_MS", "110")]),
    )
    .await;
    let admin = app
        .create_account("root", PASSWORD, Role::Admin, Some(ADMIN_TG))
        .await;
    save_settings_directly(
        &app.state,
        &AuditSettings {
            chat_id: Some(GROUP),
            ..AuditSettings::default()
        },
    )
    .await;
    record_burst(&app.state, 0, 1_000, admin.id).await;
    let posted = || {
        group_posts(&fake)
            .iter()
            .flat_map(|b| items_in(b["text"].as_str().unwrap_or_default()))
            .collect::<Vec<usize>>()
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    let seen = loop {
        let all = posted();
        if all.len() >= 1_000 {
            break all;
        }
        if tokio::time::Instant::now() > deadline {
            panic!(
                "{} of 1,000 posted; the feed: {}",
                all.len(),
                feed_state(&app).await
            );
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    };
    let unique: BTreeSet<usize> = seen.iter().copied().collect();
    assert_eq!(unique.len(), 1_000, "each entry once");
    assert_eq!(seen.len(), 1_000, "none twice");
    assert_eq!(fake.limited(), 0, "never over the group's limit");
    let posts = group_posts(&fake);
    assert!(
        posts.len() <= 60,
        "digests, not one message per entry: {} messages",
        posts.len()
    );
    // In order within each topic.
    let mut by_thread: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    for p in &posts {
        assert!(p["text"].as_str().unwrap().chars().count() <= 4_096);
        by_thread
            .entry(p["message_thread_id"].as_i64().unwrap_or(0))
            .or_default()
            .extend(items_in(p["text"].as_str().unwrap()));
    }
    by_thread.retain(|_, items| !items.is_empty());
    assert_eq!(by_thread.len(), 3, "three topics: {:?}", by_thread.keys());
    for items in by_thread.values() {
        assert!(items.windows(2).all(|w| w[0] < w[1]), "in order: {items:?}");
    }
    // A digest's button opens the page filtered to its topic and time range.
    let digest = posts
        .iter()
        .find(|p| items_in(p["text"].as_str().unwrap()).len() > 1)
        .unwrap();
    let url = digest["reply_markup"]["inline_keyboard"][0][0]["url"]
        .as_str()
        .unwrap();
    assert!(
        url.contains("/admin/audit?from=") && url.contains("&group="),
        "{url}"
    );
}

// ---------------------------------------------------------------------------------------------
// Topics deleted, a bot removed.

async fn a_deleted_topic_is_made_again_and_a_removed_bot_shows_on_the_settings_page(
    backend: Backend,
) {
    let fake = fake_bot::start().await;
    let app = spawn_app_with(backend, bot_options(&fake, &[])).await;
    let admin = app
        .create_account("root", PASSWORD, Role::Admin, Some(ADMIN_TG))
        .await;
    save_settings_directly(
        &app.state,
        &AuditSettings {
            chat_id: Some(GROUP),
            ..AuditSettings::default()
        },
    )
    .await;
    let posted_item = |n: usize| {
        let fake = fake.clone();
        move || {
            let fake = fake.clone();
            async move {
                group_posts(&fake)
                    .into_iter()
                    .find(|b| items_in(b["text"].as_str().unwrap_or_default()).contains(&n))
            }
        }
    };
    record_burst(&app.state, 0, 1, admin.id).await;
    let first = eventually("the first post", Duration::from_secs(20), posted_item(0)).await;
    let t1 = first["message_thread_id"].as_i64().unwrap();
    fake.delete_topic(GROUP, t1);
    record_burst(&app.state, 3, 1, admin.id).await;
    let second = eventually(
        "posted after the topic was deleted",
        Duration::from_secs(20),
        posted_item(3),
    )
    .await;
    let t2 = second["message_thread_id"].as_i64().unwrap();
    assert_ne!(t1, t2, "into a new topic");
    let made: Vec<_> = fake
        .calls("createForumTopic")
        .into_iter()
        .filter(|c| c.body["name"] == "Аудит · Люди")
        .collect();
    assert_eq!(made.len(), 2, "made again once");
    // Deleted again at once: not made a third time, posted into the main chat instead.
    fake.delete_topic(GROUP, t2);
    record_burst(&app.state, 6, 1, admin.id).await;
    let third = eventually(
        "posted into the main chat",
        Duration::from_secs(20),
        posted_item(6),
    )
    .await;
    assert!(third["message_thread_id"].is_null(), "{third}");
    assert_eq!(
        fake.calls("createForumTopic")
            .iter()
            .filter(|c| c.body["name"] == "Аудит · Люди")
            .count(),
        2
    );
    // The bot is removed from the group: the settings page says so; posting pauses instead of
    // being refused again and again; nothing queued is lost.
    fake.kick_bot(GROUP);
    record_burst(&app.state, 9, 1, admin.id).await;
    eventually("the refusal noted", Duration::from_secs(20), || async {
        let mut c = app.state.db.read().await.unwrap();
        let s: app::audit::AuditFeedStatus = app::settings::load(c.conn()).await.unwrap();
        s.paused_until.and(s.last_error)
    })
    .await;
    assert_eq!(app.sign_in_admin("root", PASSWORD).await.status, 200);
    let v = app.call("audit/settings", &[]).await;
    assert!(
        v.body["group"]["Err"]
            .as_str()
            .is_some_and(|e| e.contains("kicked")),
        "{:?}",
        v.body
    );
    assert!(
        v.body["status"]["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("kicked")),
        "{:?}",
        v.body
    );
    let refused = fake
        .calls("sendMessage")
        .iter()
        .filter(|c| c.refused)
        .count();
    record_burst(&app.state, 12, 3, admin.id).await;
    // Collected into the queue, where they stay while posting is paused.
    eventually(
        "the new entries queued",
        Duration::from_secs(20),
        || async {
            let mut c = app.state.db.read().await.unwrap();
            let (n,): (i64,) = app::on_conn!(c.conn(), |c| {
                sqlx::query_as("SELECT COUNT(*) FROM audit_feed_queue")
                    .fetch_one(c)
                    .await
            })
            .unwrap();
            (n >= 3).then_some(())
        },
    )
    .await;
    assert_eq!(
        fake.calls("sendMessage")
            .iter()
            .filter(|c| c.refused)
            .count(),
        refused,
        "paused: not tried again and again"
    );
    // Typed settings are checked with the bot: a bad id and a group it cannot open.
    let save = |chat: i64| {
        json!({ "settings": { "chat_id": chat, "topics": { "mode": "per_group" },
            "posted": ["people"], "retention_days": null } })
    };
    let r = app.call_json("audit/settings/save", &save(12_345)).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert!(
        r.body.to_string().contains("ErrAuditChatId"),
        "{:?}",
        r.body
    );
    let r = app.call_json("audit/settings/save", &save(GROUP)).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert!(
        r.body.to_string().contains("ErrAuditChatUnreachable"),
        "{:?}",
        r.body
    );
}

// ---------------------------------------------------------------------------------------------
// kill -9 while posting.

async fn a_kill_9_while_posting_loses_nothing(backend: Backend) {
    let fake = fake_bot::start().await;
    let database_url = fresh_database_url(backend).await;
    let db = app::storage::Db::connect(&database_url, &Default::default())
        .await
        .unwrap();
    db.migrate().await.unwrap();
    let clock = std::sync::Arc::new(app::domain::clock::SystemClock);
    let state = app::state::AppState::new(db.clone(), clock, app::state::AppConfig::default());
    let mut tx = db.begin().await.unwrap();
    let admin = app::storage::users::insert(
        tx.conn(),
        &app::storage::users::NewUser {
            telegram_id: Some(TelegramId(ADMIN_TG)),
            first_name: "Root".into(),
            last_name: "Тест".into(),
            names_edited: true,
            username: None,
            role: Role::Admin,
            status: UserStatus::Active,
            position_id: None,
            branch_id: None,
            login: None,
            password_hash: None,
        },
        state.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    save_settings_directly(
        &state,
        &AuditSettings {
            chat_id: Some(GROUP),
            ..AuditSettings::default()
        },
    )
    .await;
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_server"))
            .env("DATABASE_URL", &database_url)
            .env("TELEGRAM_BOT_TOKEN", crate::helpers::BOT_TOKEN)
            .env("TELEGRAM_API_URL", &fake.url)
            .env("BOT_MODE", "polling")
            .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
            .env("JOBS_TICK_MS", "20")
            .env("TELEGRAM_GROUP_SPACING_MS", "10")
            .env("APP_CONFIG", "/nonexistent.toml")
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("the server starts")
    };
    let seen = || {
        group_posts(&fake)
            .iter()
            .flat_map(|b| items_in(b["text"].as_str().unwrap_or_default()))
            .collect::<Vec<_>>()
    };
    let mut first = run();
    // Entries keep coming while the first process posts; it dies in the middle.
    for round in 0..30 {
        record_burst(&state, round * 100, 100, admin.id).await;
        if seen().len() >= 300 {
            record_burst(
                &state,
                (round + 1) * 100,
                3_000 - (round + 1) * 100,
                admin.id,
            )
            .await;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eventually("some posted", Duration::from_secs(60), || async {
        (seen().len() >= 300).then_some(())
    })
    .await;
    first.kill().expect("kill -9");
    first.wait().unwrap();
    let mut second = run();
    let all = eventually("all 3,000 posted", Duration::from_secs(120), || async {
        let all = seen();
        let unique: BTreeSet<usize> = all.iter().copied().collect();
        (unique.len() >= 3_000).then_some(all)
    })
    .await;
    second.kill().unwrap();
    second.wait().unwrap();
    let unique: BTreeSet<usize> = all.iter().copied().collect();
    assert_eq!(unique.len(), 3_000, "nothing lost");
    assert_eq!(unique.last(), Some(&2_999));
    // Twice at most what was mid-send when the process died (one message's entries).
    assert!(
        all.len() - 3_000 <= 200,
        "{} posted twice",
        all.len() - 3_000
    );
}

// ---------------------------------------------------------------------------------------------
// Retention: the one path that deletes.

async fn retention_purges_old_entries_through_the_one_privileged_path(backend: Backend) {
    let app = spawn_app_with(backend, Options::default()).await;
    let admin = app
        .create_account("root", PASSWORD, Role::Admin, None)
        .await;
    let old = Timestamp(app.clock_ms() - 400 * 86_400_000);
    let mut tx = app.state.db.begin().await.unwrap();
    for i in 0..5 {
        app::storage::audit::record(
            tx.conn(),
            &AuditEntry {
                at: old,
                actor_id: Some(admin.id),
                actor_label: "Root".into(),
                action: AuditAction::UserEdited,
                target_type: Some("item".into()),
                target_id: Some(format!("old{i}")),
                details: json!({}),
                origin: Origin::channel("test"),
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let count = |app: &TestApp| {
        let db = app.state.db.clone();
        async move {
            let mut c = db.read().await.unwrap();
            let n: (i64, i64) = app::on_conn!(c.conn(), |c| sqlx::query_as(
                "SELECT COUNT(*), COALESCE(SUM(CASE WHEN target_id LIKE 'old%' THEN 1 ELSE 0 END), 0) FROM audit_log"
            )
            .fetch_one(c)
            .await)
            .unwrap();
            n
        }
    };
    let (total, old_n) = count(&app).await;
    assert_eq!(old_n, 5);
    // The application cannot delete or change entries any other way.
    for sql in [
        "DELETE FROM audit_log",
        "UPDATE audit_log SET actor_label = 'x'",
    ] {
        let mut tx = app.state.db.begin().await.unwrap();
        let r = app::on_conn!(tx.conn(), |c| sqlx::query(sql)
            .execute(c)
            .await
            .map(|r| r.rows_affected()));
        assert!(r.is_err(), "{sql} must be refused");
    }
    assert_eq!(count(&app).await, (total, 5));
    // Retention of 30 days, set on the settings page, purged by the job's path.
    assert_eq!(app.sign_in_admin("root", PASSWORD).await.status, 200);
    let r = app
        .call_json(
            "audit/settings/save",
            &json!({ "settings": { "chat_id": null, "topics": { "mode": "per_group" },
                "posted": ["people"], "retention_days": 5 } }),
        )
        .await;
    assert_eq!(r.status, 422, "fewer than 30 days is refused: {:?}", r.body);
    let r = app
        .call_json(
            "audit/settings/save",
            &json!({ "settings": { "chat_id": null, "topics": { "mode": "per_group" },
                "posted": ["people"], "retention_days": 30 } }),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let purged = server::audit_feed::purge_expired(&app.state).await.unwrap();
    assert_eq!(purged, 5);
    let (after, old_after) = count(&app).await;
    assert_eq!(old_after, 0);
    assert!(after >= total - 5, "recent entries are kept");
    // Still append-only after the purge.
    let mut tx = app.state.db.begin().await.unwrap();
    let r = app::on_conn!(tx.conn(), |c| sqlx::query("DELETE FROM audit_log")
        .execute(c)
        .await
        .map(|r| r.rows_affected()));
    assert!(r.is_err(), "the guard is back");
}

// ---------------------------------------------------------------------------------------------
// The admin list and the export.

async fn the_list_filters_searches_pages_and_exports(backend: Backend) {
    let app = spawn_app_with(backend, Options::default()).await;
    let admin = app
        .create_account("root", PASSWORD, Role::Admin, None)
        .await;
    let manager = app
        .create_account("mgr", PASSWORD, Role::Manager, None)
        .await;
    let mut tx = app.state.db.begin().await.unwrap();
    let kinds = [
        ("Иванов Пётр", AuditAction::UserEdited),
        ("=HYPERLINK(\"http://x\")", AuditAction::PointsChanged),
        ("ИВАНОВА Анна", AuditAction::BadgeAwarded),
    ];
    for i in 0..120 {
        let (label, action) = kinds[i % 3];
        app::storage::audit::record(
            tx.conn(),
            &AuditEntry {
                at: app.state.now(),
                actor_id: Some(admin.id),
                actor_label: label.into(),
                action,
                target_type: Some("item".into()),
                target_id: Some(format!("t{i}")),
                details: json!({ "points": [i, i + 1] }),
                origin: Origin::channel("test"),
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let list = |filter: Value, before: Option<i64>| {
        let app = &app;
        async move {
            let r = app
                .call_json("audit/list", &json!({ "filter": filter, "before": before }))
                .await;
            assert_eq!(r.status, 200, "{:?}", r.body);
            r.body
        }
    };
    assert_eq!(app.sign_in_admin("mgr", PASSWORD).await.status, 200);
    let r = app
        .call_json("audit/list", &json!({ "filter": {}, "before": null }))
        .await;
    assert_eq!(r.status, 403, "a manager without the module");
    let (status, _, _) = app.get_raw("/admin/audit/export.csv").await;
    assert_eq!(status, 403);
    app.forget_cookies();
    let (status, _, _) = app.get_raw("/admin/audit/export.csv").await;
    assert_eq!(status, 401);
    assert!(manager.id != admin.id);
    assert_eq!(app.sign_in_admin("root", PASSWORD).await.status, 200);

    // Case-insensitive search on Cyrillic labels, the same on both backends.
    let found = list(json!({ "search": "иванов" }), None).await;
    let labels: BTreeSet<String> = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["actor_label"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        labels,
        BTreeSet::from(["Иванов Пётр".to_owned(), "ИВАНОВА Анна".to_owned()])
    );
    // By kind group, by kind, by actor: keyset pages of 50, no overlap, nothing skipped.
    let rewards = list(json!({ "group": "rewards" }), None).await;
    assert_eq!(rewards["items"].as_array().unwrap().len(), 50);
    let older = rewards["older"].as_i64().expect("more pages");
    let page2 = list(json!({ "group": "rewards" }), Some(older)).await;
    assert_eq!(page2["items"].as_array().unwrap().len(), 30);
    assert!(page2["older"].is_null());
    let ids: BTreeSet<i64> = rewards["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(page2["items"].as_array().unwrap())
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 80, "80 rewards entries (points and badges)");
    let points = list(
        json!({ "action": "points_changed", "actor_id": admin.id.0 }),
        None,
    )
    .await;
    assert_eq!(points["items"].as_array().unwrap().len(), 40);
    let detail = app
        .call(
            "audit/entry",
            &[("id", &points["items"][0]["id"].to_string())],
        )
        .await;
    assert_eq!(detail.status, 200, "{:?}", detail.body);
    assert_eq!(detail.body["changes"][0]["field"], "points");

    // The export: the filtered entries, BOM, formulas neutralised.
    let (status, headers, body) = app
        .get_raw("/admin/audit/export.csv?action=points_changed")
        .await;
    assert_eq!(status, 200);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = String::from_utf8(body).unwrap();
    assert!(text.starts_with('\u{feff}'), "BOM for Excel");
    let lines: Vec<&str> = text.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 41, "a header and the 40 filtered entries");
    assert!(lines[1].contains("\"'=HYPERLINK("), "{}", lines[1]);
    assert!(lines.iter().skip(1).all(|l| l.contains("points_changed")));
    let (status, _, _) = app.get_raw("/admin/audit/export.csv?from=yesterday").await;
    assert_eq!(status, 400, "a bad filter is a clear 400");
}

// ---------------------------------------------------------------------------------------------
// Coverage: every state-changing server function leaves exactly one entry of its kind.

enum Args<'a> {
    F(&'a [(&'a str, &'a str)]),
    J(Value),
}
use Args::{F, J};

struct Walk<'a> {
    app: &'a TestApp,
    last: i64,
    covered: BTreeSet<String>,
}

impl<'a> Walk<'a> {
    async fn new(app: &'a TestApp) -> Walk<'a> {
        let mut w = Walk {
            app,
            last: 0,
            covered: BTreeSet::new(),
        };
        w.last = w.entries().await.iter().map(|e| e.0).max().unwrap_or(0);
        w
    }

    /// Entries after the last seen, not written by a background job, oldest first.
    async fn entries(&self) -> Vec<(i64, String)> {
        let mut c = self.app.state.db.read().await.unwrap();
        let rows: Vec<(i64, String)> = app::on_conn!(c.conn(), |c| sqlx::query_as(
            "SELECT id, action FROM audit_log WHERE id > $1 AND actor_kind <> 'job' ORDER BY id"
        )
        .bind(self.last)
        .fetch_all(c)
        .await)
        .unwrap();
        rows
    }

    async fn call(&mut self, endpoint: &str, args: Args<'_>) -> crate::helpers::Response {
        self.covered.insert(endpoint.to_owned());
        match args {
            F(a) => self.app.call(endpoint, a).await,
            J(v) => self.app.call_json(endpoint, &v).await,
        }
    }

    /// Calls `endpoint`, which must succeed and leave exactly the entries `actions`.
    async fn expect(&mut self, endpoint: &str, args: Args<'_>, actions: &[&str]) -> Value {
        let r = self.call(endpoint, args).await;
        assert_eq!(r.status, 200, "{endpoint}: {:?}", r.body);
        let new = self.entries().await;
        let kinds: Vec<&str> = new.iter().map(|e| e.1.as_str()).collect();
        assert_eq!(kinds, actions, "{endpoint} left these entries");
        self.last = new.iter().map(|e| e.0).max().unwrap_or(self.last);
        r.body
    }

    async fn one(&mut self, endpoint: &str, args: Args<'_>, action: &str) -> Value {
        self.expect(endpoint, args, &[action]).await
    }

    /// A read, or a change the audit log leaves out by design: no entry.
    async fn none(&mut self, endpoint: &str, args: Args<'_>) -> Value {
        self.expect(endpoint, args, &[]).await
    }
}

async fn every_state_changing_function_leaves_one_entry_of_its_kind(backend: Backend) {
    let s = setup(backend, json!({ "min_read_secs": 0 }), 2, 2, None).await;
    let app = &s.app;
    let cert = s.cert.to_string();
    let mut w = Walk::new(app).await;

    // Sign-in and the admin's own account.
    w.none("auth/admin", F(&[])).await;
    w.one(
        "auth/admin_sign_in",
        F(&[("login", "author"), ("password", PASSWORD)]),
        "sign_in",
    )
    .await;
    w.none("profile/get", F(&[])).await;
    w.one(
        "profile/update_names",
        F(&[("first_name", "Автор"), ("last_name", "Книг")]),
        "profile_edited",
    )
    .await;
    w.one(
        "profile/change_password",
        F(&[
            ("current", PASSWORD),
            ("password", "Another-horse-43"),
            ("confirm", "Another-horse-43"),
        ]),
        "password_changed",
    )
    .await;

    // People.
    w.none("dictionaries/list", F(&[])).await;
    let branch = w
        .one(
            "dictionaries/add",
            F(&[("kind", "branch"), ("name", "Тверь")]),
            "dictionary_edited",
        )
        .await["id"]
        .to_string();
    let position = w
        .one(
            "dictionaries/add",
            F(&[("kind", "position"), ("name", "Кассир")]),
            "dictionary_edited",
        )
        .await["id"]
        .to_string();
    w.none("users/list", F(&[("sort", "name"), ("page", "1")]))
        .await;
    let person = w
        .one(
            "users/preregister",
            J(
                json!({ "person": { "telegram_id": 4_001, "first_name": "Вера", "last_name": "Лес",
                "role": "employee", "position": null, "branch": null } }),
            ),
            "user_preregistered",
        )
        .await
        .to_string();
    w.none("users/card", F(&[("id", &person)])).await;
    w.one(
        "users/update",
        J(json!({ "id": person.parse::<i64>().unwrap(), "edit": { "first_name": "Вера", "last_name": "Лес",
            "role": "manager", "status": "active", "position": null, "branch": null } })),
        "user_edited",
    )
    .await;
    w.one(
        "users/manager_branches",
        J(json!({ "id": person.parse::<i64>().unwrap(), "branches": [branch.parse::<i64>().unwrap()] })),
        "manager_branches_changed",
    )
    .await;
    w.one(
        "users/permissions",
        J(json!({ "id": person.parse::<i64>().unwrap(), "changes": [["audit_log", true]] })),
        "permissions_changed",
    )
    .await;
    w.one(
        "users/password",
        F(&[
            ("id", &person),
            ("login", "vera"),
            ("password", "Password-1234"),
            ("confirm", "Password-1234"),
        ]),
        "password_changed",
    )
    .await;
    w.one(
        "users/sessions/end",
        F(&[("id", &person)]),
        "sessions_revoked",
    )
    .await;
    w.one(
        "users/import",
        J(json!({ "csv": "telegram_id,first_name\n4002,Глеб\n4003,Дина\n" })),
        "users_imported",
    )
    .await;
    // A person who registered in the bot waits for an admin to let them in.
    let pending = {
        let mut tx = app.state.db.begin().await.unwrap();
        let u = app::storage::users::insert(
            tx.conn(),
            &app::storage::users::NewUser {
                telegram_id: Some(TelegramId(4_004)),
                first_name: "Ждан".into(),
                last_name: "Ждущий".into(),
                names_edited: false,
                username: None,
                role: Role::Employee,
                status: UserStatus::Pending,
                position_id: None,
                branch_id: None,
                login: None,
                password_hash: None,
            },
            app.state.now(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        u.id.to_string()
    };
    w.one(
        "users/activate",
        F(&[
            ("id", &pending),
            ("position", &position),
            ("branch", &branch),
        ]),
        "user_activated",
    )
    .await;

    // Rewards.
    w.none("gamification/catalogue", F(&[])).await;
    w.one(
        "gamification/levels",
        J(
            json!({ "levels": [{ "number": 1, "name": "Новичок", "min_points": 0 },
            { "number": 2, "name": "Знаток", "min_points": 100 }] }),
        ),
        "levels_edited",
    )
    .await;
    let badge = w
        .one(
            "gamification/badge",
            J(json!({ "badge": { "id": 0, "name": "Наставник", "description": "", "icon_url": null,
                "kind": "manual", "rule": null, "rule_n": null, "archived": false } })),
            "badge_edited",
        )
        .await
        .to_string();
    w.one(
        "users/points",
        F(&[
            ("id", &pending),
            ("delta", "15"),
            ("reason", "Помог коллеге"),
        ]),
        "points_changed",
    )
    .await;
    w.one(
        "users/level",
        F(&[("id", &pending), ("level", "2"), ("reason", "Опыт")]),
        "points_changed",
    )
    .await;
    w.one(
        "users/badges/award",
        F(&[
            ("id", &pending),
            ("badge_id", &badge),
            ("reason", "Наставник"),
        ]),
        "badge_awarded",
    )
    .await;
    w.one(
        "users/badges/revoke",
        F(&[("id", &pending), ("badge_id", &badge), ("reason", "Ошибка")]),
        "badge_revoked",
    )
    .await;
    // Re-evaluating records one entry per badge awarded: none qualifies here.
    w.none("users/badges/evaluate", F(&[("id", &pending)]))
        .await;

    // The question bank.
    let question = json!({ "kind": "single", "text": "<p>Сколько?</p>",
        "options": [{ "text": "1", "correct": true }, { "text": "2" }] });
    w.none("questions/list", F(&[("archived", "false"), ("page", "1")]))
        .await;
    w.none("questions/tags", F(&[])).await;
    let q = w
        .one(
            "questions/save",
            J(json!({ "id": null, "content": question })),
            "question_created",
        )
        .await["id"]
        .to_string();
    w.one(
        "questions/save",
        J(json!({ "id": q.parse::<i64>().unwrap(), "content": question })),
        "question_edited",
    )
    .await;
    w.none("questions/get", F(&[("id", &q)])).await;
    let copy = w
        .one("questions/duplicate", F(&[("id", &q)]), "question_created")
        .await["id"]
        .to_string();
    w.one(
        "questions/archive",
        F(&[("id", &copy), ("archived", "true")]),
        "question_archived",
    )
    .await;
    w.one("questions/delete", F(&[("id", &copy)]), "question_deleted")
        .await;
    w.one(
        "questions/import",
        J(json!({ "format": "csv", "data": "kind,text,options,correct,explanation,tags\nsingle,Q,a|b,1,,\n" })),
        "questions_imported",
    )
    .await;
    w.none("questions/export", F(&[("format", "csv")])).await;

    // Certifications.
    w.none("certifications/list", F(&[("page", "1")])).await;
    let draft = w
        .one(
            "certifications/create",
            F(&[("title", "Черновик")]),
            "certification_created",
        )
        .await
        .to_string();
    let draft_id = draft.parse::<i64>().unwrap();
    let editor = w.none("certifications/get", F(&[("id", &draft)])).await;
    w.one(
        "certifications/settings",
        J(json!({ "id": draft_id, "settings": editor["cert"]["settings"] })),
        "certification_edited",
    )
    .await;
    let block = json!({ "kind": "text", "title": "Введение", "body": "<p>Текст</p>", "url": "" });
    w.one(
        "certifications/blocks/add",
        J(json!({ "id": draft_id, "block": block, "require_reread": false })),
        "theory_edited",
    )
    .await;
    w.one(
        "certifications/blocks/add",
        J(json!({ "id": draft_id, "block": block, "require_reread": false })),
        "theory_edited",
    )
    .await;
    let blocks: Vec<i64> = w.none("certifications/get", F(&[("id", &draft)])).await["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_i64().unwrap())
        .collect();
    w.one(
        "certifications/blocks/update",
        J(json!({ "block_id": blocks[0], "block": block, "require_reread": false })),
        "theory_edited",
    )
    .await;
    w.one(
        "certifications/blocks/reorder",
        J(json!({ "id": draft_id, "order": [blocks[1], blocks[0]], "require_reread": false })),
        "theory_edited",
    )
    .await;
    w.one(
        "certifications/blocks/delete",
        F(&[
            ("block_id", &blocks[1].to_string()),
            ("require_reread", "false"),
        ]),
        "theory_edited",
    )
    .await;
    w.one(
        "certifications/materials/add",
        J(json!({ "id": draft_id, "kind": "link", "title": "Регламент", "url": "https://example.org/r" })),
        "theory_edited",
    )
    .await;
    let material =
        w.none("certifications/get", F(&[("id", &draft)])).await["materials"][0]["id"].to_string();
    w.one(
        "certifications/materials/delete",
        F(&[("material_id", &material)]),
        "theory_edited",
    )
    .await;
    w.none("certifications/questions/pick", F(&[("page", "1")]))
        .await;
    w.one(
        "certifications/questions",
        J(json!({ "id": draft_id, "questions": [q.parse::<i64>().unwrap()] })),
        "certification_questions_changed",
    )
    .await;
    // Writing a question from the certification adds it to the bank and to the certification:
    // two changes in two modules, one entry each.
    w.expect(
        "certifications/questions/create",
        J(json!({ "id": draft_id, "content": question })),
        &["question_created", "certification_questions_changed"],
    )
    .await;
    w.none("certifications/assign_targets", F(&[])).await;
    w.one(
        "certifications/assign",
        F(&[("id", &draft), ("kind", "branch"), ("target_id", &branch)]),
        "assignment_changed",
    )
    .await;
    w.one(
        "certifications/unassign",
        F(&[("id", &draft), ("kind", "branch"), ("target_id", &branch)]),
        "assignment_changed",
    )
    .await;
    w.one(
        "certifications/lifecycle",
        F(&[("id", &draft), ("action", "OpenNow")]),
        "certification_status_changed",
    )
    .await;
    w.none("certifications/preview", F(&[("id", &cert)])).await;

    // Settings and notifications.
    let page = w.none("notifications/settings", F(&[])).await;
    w.one(
        "notifications/settings/save",
        J(json!({ "settings": page["settings"] })),
        "settings_changed",
    )
    .await;
    w.none("notifications/log", F(&[("page", "1")])).await;
    let dead = {
        let now = app.state.now();
        let mut tx = app.state.db.begin().await.unwrap();
        app::storage::telegram::enqueue(
            tx.conn(),
            &app::storage::telegram::NewMessage {
                dedupe_key: "coverage-dead",
                chat_id: 4_001,
                thread_id: None,
                recipient: None,
                kind: "opened",
                text: "x",
                buttons: &[],
                payload: json!({}),
                status: app::storage::telegram::OutboxStatus::Queued,
                note: None,
                send_at: now,
            },
            now,
        )
        .await
        .unwrap();
        let m = app::storage::telegram::due(tx.conn(), now, 10)
            .await
            .unwrap();
        let id = m
            .iter()
            .find(|m| m.dedupe_key == "coverage-dead")
            .unwrap()
            .id;
        app::storage::telegram::finish(
            tx.conn(),
            &[id],
            app::storage::telegram::OutboxStatus::Dead,
            "test",
            now,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        id.to_string()
    };
    w.one(
        "notifications/resend",
        F(&[("id", &dead)]),
        "notification_resent",
    )
    .await;
    w.none("notifications/mine", F(&[("surface", "admin")]))
        .await;
    w.one(
        "notifications/mine/save",
        J(json!({ "surface": "admin", "muted": ["reminder"] })),
        "notifications_muted",
    )
    .await;
    let audit = w.none("audit/settings", F(&[])).await;
    w.one(
        "audit/settings/save",
        J(json!({ "settings": audit["settings"] })),
        "settings_changed",
    )
    .await;
    let listed = w
        .none("audit/list", J(json!({ "filter": {}, "before": null })))
        .await;
    w.none(
        "audit/entry",
        F(&[("id", &listed["items"][0]["id"].to_string())]),
    )
    .await;
    // API keys: created and revoked once each; the secret never reaches the entry.
    let key = w
        .one(
            "api-keys/create",
            J(
                json!({ "key": { "name": "HR", "scopes": ["users:read"], "expires_days": null,
                "ip_allow": "", "rate_per_sec": 5, "burst": 10 } }),
            ),
            "api_key_created",
        )
        .await;
    w.none("api-keys/list", J(json!({}))).await;
    w.one(
        "api-keys/revoke",
        J(json!({ "id": key["key"]["id"] })),
        "api_key_revoked",
    )
    .await;
    // Webhooks: every change is one `webhook_changed` entry; reads leave none.
    let form = json!({ "name": "HR", "url": "https://hooks.example.com/attest", "events": ["user.created"] });
    let hook = w
        .one(
            "webhooks/create",
            J(json!({ "form": form })),
            "webhook_changed",
        )
        .await;
    let id = hook["id"].clone();
    w.none("webhooks/list", J(json!({}))).await;
    w.one(
        "webhooks/update",
        J(json!({ "id": id, "form": { "name": "HR sync", "url": "https://hooks.example.com/attest", "events": ["user.created", "badge.awarded"] } })),
        "webhook_changed",
    )
    .await;
    w.one("webhooks/ping", J(json!({ "id": id })), "webhook_changed")
        .await;
    let deliveries = w.none("webhooks/deliveries", J(json!({ "id": id }))).await;
    w.one(
        "webhooks/enable",
        J(json!({ "id": id, "enabled": false })),
        "webhook_changed",
    )
    .await;
    w.one(
        "webhooks/redeliver",
        J(json!({ "id": id, "delivery": deliveries[0]["id"] })),
        "webhook_changed",
    )
    .await;
    w.one("webhooks/rotate", J(json!({ "id": id })), "webhook_changed")
        .await;
    w.one(
        "webhooks/enable",
        J(json!({ "id": id, "enabled": true })),
        "webhook_changed",
    )
    .await;
    w.one("webhooks/delete", J(json!({ "id": id })), "webhook_changed")
        .await;
    // xAPI settings: saved as a settings change, the password never in the entry.
    w.none("xapi/settings", J(json!({}))).await;
    w.one(
        "xapi/settings/save",
        J(json!({ "form": { "enabled": false, "endpoint": "https://lrs.example.com/xapi", "username": "lrs", "password": "lrs-password-9" } })),
        "settings_changed",
    )
    .await;
    // SCIM: the mapping is a settings change; an invite link for someone without Telegram.
    w.none("scim/settings", J(json!({}))).await;
    w.one(
        "scim/settings/save",
        J(json!({ "settings": { "user_name": "telegram_id" } })),
        "settings_changed",
    )
    .await;
    let unlinked = {
        let now = app.state.now();
        let mut tx = app.state.db.begin().await.unwrap();
        let bot = app::settings::BotStatus {
            username: Some("attest_bot".into()),
            ..Default::default()
        };
        app::settings::save(tx.conn(), &bot, None, now)
            .await
            .unwrap();
        let u = app::storage::users::insert(
            tx.conn(),
            &app::storage::users::NewUser {
                telegram_id: None,
                first_name: "Без".into(),
                last_name: "Телеграма".into(),
                names_edited: true,
                username: None,
                role: Role::Employee,
                status: app::domain::user::UserStatus::Active,
                position_id: None,
                branch_id: None,
                login: None,
                password_hash: None,
            },
            now,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        u.id
    };
    let invite = w
        .one(
            "users/telegram-invite",
            J(json!({ "id": unlinked })),
            "telegram_invite_created",
        )
        .await;
    assert!(
        invite["url"]
            .as_str()
            .unwrap()
            .starts_with("https://t.me/attest_bot?start=link_")
    );
    let secret = key["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("at_live_"), "{key:?}");
    let hook_secret = hook["secret"].as_str().unwrap().to_owned();
    for (what, needle) in [
        ("webhook secret", &hook_secret[6..]),
        ("LRS password", "lrs-password-9"),
    ] {
        let mut c = app.state.db.read().await.unwrap();
        let n: (i64,) = match c.conn() {
            app::storage::Conn::Sqlite(c) => {
                sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE details LIKE '%' || $1 || '%'")
                    .bind(needle)
                    .fetch_one(c)
                    .await
                    .unwrap()
            }
            app::storage::Conn::Postgres(c) => {
                sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE details LIKE '%' || $1 || '%'")
                    .bind(needle)
                    .fetch_one(c)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(n.0, 0, "the {what} is in the audit log");
    }
    let leaked: (i64,) = {
        let mut c = app.state.db.read().await.unwrap();
        match c.conn() {
            app::storage::Conn::Sqlite(c) => {
                sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE details LIKE '%' || $1 || '%'")
                    .bind(&secret[8..])
                    .fetch_one(c)
                    .await
                    .unwrap()
            }
            app::storage::Conn::Postgres(c) => {
                sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE details LIKE '%' || $1 || '%'")
                    .bind(&secret[8..])
                    .fetch_one(c)
                    .await
                    .unwrap()
            }
        }
    };
    assert_eq!(leaked.0, 0, "the key's secret is in the audit log");
    // The test message posts nothing without a group (a clear refusal) and changes no data.
    let r = w.call("audit/test_message", F(&[])).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert!(w.entries().await.is_empty());

    // The employee in the Mini App: a launch with a live session goes on with it (no new
    // sign-in); after signing out it is one.
    let t = init_for(app, EMPLOYEE_TG);
    w.none("auth/telegram_sign_in", F(&[("init_data", &t)]))
        .await;
    w.one("auth/sign_out", F(&[("surface", "mini_app")]), "sign_out")
        .await;
    w.one("auth/telegram_sign_in", F(&[("init_data", &t)]), "sign_in")
        .await;
    w.none("auth/member", F(&[])).await;
    w.none("app/certifications", F(&[])).await;
    let theory = w.none("app/theory", F(&[("cert_id", &cert)])).await;
    // Reading progress is not audited (like answers and heartbeats).
    for b in theory["blocks"].as_array().unwrap() {
        w.none(
            "app/theory/shown",
            F(&[("cert_id", &cert), ("block_id", &b["id"].to_string())]),
        )
        .await;
    }
    let attempt = w
        .one(
            "app/attempts/start",
            F(&[("cert_id", &cert)]),
            "attempt_started",
        )
        .await["attempt_id"]
        .to_string();
    w.none("app/attempts/current", F(&[("cert_id", &cert)]))
        .await;
    let ids = s.ids(attempt.parse().unwrap(), 0, &[1]).await;
    w.none(
        "app/attempts/answer",
        J(json!({ "attempt_id": attempt.parse::<i64>().unwrap(), "index": 0, "answer": ids })),
    )
    .await;
    w.none(
        "app/attempts/heartbeat",
        F(&[("attempt_id", &attempt), ("index", "0")]),
    )
    .await;
    w.none(
        "app/attempts/show",
        F(&[("attempt_id", &attempt), ("index", "0")]),
    )
    .await;
    w.none("app/attempts/leave", F(&[("attempt_id", &attempt)]))
        .await;
    w.one(
        "app/attempts/finish",
        F(&[("attempt_id", &attempt)]),
        "attempt_finished",
    )
    .await;
    w.none("app/attempts/result", F(&[("attempt_id", &attempt)]))
        .await;
    w.none("app/attempts/history", F(&[("cert_id", &cert)]))
        .await;
    w.none("app/attempts/review", F(&[("attempt_id", &attempt)]))
        .await;
    w.none("app/achievements", F(&[])).await;
    w.none("app/rating", F(&[("period", "all"), ("page", "1")]))
        .await;
    let employee = theory_user(app).await;
    w.none("app/achievements/of", F(&[("user_id", &employee)]))
        .await;
    w.none("notifications/mine", F(&[("surface", "mini_app")]))
        .await;
    w.one(
        "notifications/mine/save",
        J(json!({ "surface": "mini_app", "muted": [] })),
        "notifications_muted",
    )
    .await;
    let r = w.call("app/link", F(&[("token", "no-such-token")])).await;
    assert_eq!(r.status, 200);
    assert!(w.entries().await.is_empty());
    w.one("auth/sign_out", F(&[("surface", "mini_app")]), "sign_out")
        .await;

    // A manager's Mini App views.
    let t = init_for(app, 4_001);
    w.one("auth/telegram_sign_in", F(&[("init_data", &t)]), "sign_in")
        .await;
    w.none("app/team", F(&[("page", "1")])).await;
    // The employee is outside the manager's branch: refused, and nothing recorded.
    let r = w
        .call("app/team/person", F(&[("user_id", &employee)]))
        .await;
    assert!(r.status == 403 || r.status == 404, "{:?}", r.body);
    assert!(w.entries().await.is_empty());

    // Back in the panel: results and a reset.
    w.none("certifications/results", F(&[("id", &cert)])).await;
    w.none("certifications/attempt", F(&[("id", &attempt)]))
        .await;
    w.none(
        "certifications/stats",
        F(&[("id", &cert), ("first_only", "false")]),
    )
    .await;
    w.none(
        "certifications/results/bulk",
        J(
            json!({ "id": cert.parse::<i64>().unwrap(), "filter": { "search": null, "branch": null,
            "position": null, "state": null, "flagged": false }, "selected": null,
            "action": "Remind", "dry_run": true }),
        ),
    )
    .await;
    w.none(
        "compliance/remind",
        J(json!({ "filter": { "page": 1 }, "dry_run": true })),
    )
    .await;
    w.none("compliance/matrix", J(json!({ "filter": { "page": 1 } })))
        .await;
    w.none("analytics/dashboard", F(&[])).await;
    w.one(
        "certifications/grant-attempt",
        F(&[("id", &cert), ("user_id", &employee)]),
        "attempt_granted",
    )
    .await;
    w.one(
        "certifications/lifecycle",
        F(&[("id", &draft), ("action", "Close")]),
        "certification_status_changed",
    )
    .await;
    let until = app.state.now().millis() + 3_600_000;
    w.one(
        "certifications/reopen",
        J(json!({ "id": draft.parse::<i64>().unwrap(), "closes_at": until })),
        "certification_reopened",
    )
    .await;
    w.one(
        "certifications/reset",
        F(&[
            ("id", &cert),
            ("user_id", &employee),
            ("reason", "Пересдача"),
            ("require_reread", "false"),
        ]),
        "progress_reset",
    )
    .await;
    w.one("auth/sign_out", F(&[("surface", "admin")]), "sign_out")
        .await;

    // Every server function is walked above, or is here with the reason it is not.
    let exempt: BTreeMap<&str, &str> = BTreeMap::from([
        (
            "auth/dev_users",
            "development sign-in, off outside DEV_LOGIN",
        ),
        (
            "auth/dev_sign_in",
            "development sign-in, off outside DEV_LOGIN",
        ),
    ]);
    let all: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .filter_map(|(p, _)| p.strip_prefix("/api/").map(str::to_owned))
        .collect();
    let missing: Vec<&String> = all
        .iter()
        .filter(|p| !w.covered.contains(*p) && !exempt.contains_key(p.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "server functions not walked: {missing:?}"
    );
}

fn init_for(app: &TestApp, telegram_id: i64) -> String {
    crate::helpers::init_data_for(telegram_id, "Tg", app.now_secs())
}

/// The id of the setup's employee.
async fn theory_user(app: &TestApp) -> String {
    let mut c = app.state.db.read().await.unwrap();
    app::storage::users::get_by_telegram_id(c.conn(), TelegramId(EMPLOYEE_TG))
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string()
}

crate::both_backends!(
    a_role_change_is_posted_in_the_people_topic_with_before_and_after,
    a_burst_of_1000_entries_is_posted_in_digests_within_the_group_limit,
    a_deleted_topic_is_made_again_and_a_removed_bot_shows_on_the_settings_page,
    a_kill_9_while_posting_loses_nothing,
    retention_purges_old_entries_through_the_one_privileged_path,
    the_list_filters_searches_pages_and_exports,
    every_state_changing_function_leaves_one_entry_of_its_kind,
);
