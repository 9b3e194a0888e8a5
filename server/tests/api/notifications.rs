//! Notifications through a fake Telegram Bot API that records every call and enforces
//! Telegram's limits: who is told what, buttons that open the right section, mutes, branch
//! limits, 403, 429 storms, digests, reminders and nudges, a `kill -9` mid-send, and two
//! instances sharing the rate.

use crate::fake_bot::{FakeTelegram, Limits};
use crate::helpers::{Backend, Options, TestApp, eventually, fresh_database_url, spawn_on};
use crate::taking::{EMPLOYEE_TG, Setup, setup_with};
use app::domain::Timestamp;
use app::domain::user::Role;
use app::storage::telegram::{NewMessage, OutboxStatus};
use serde_json::{Value, json};
use std::time::Duration;

const PASSWORD: &str = "correct-horse-42";
const MANAGER_TG: i64 = 9_001;

fn options(fake: &FakeTelegram, extra: &[(&str, &str)]) -> Options {
    let mut env: Vec<(String, String)> = vec![
        ("JOBS_TICK_MS".into(), "50".into()),
        ("TELEGRAM_HTTP_BUTTONS".into(), "true".into()),
        ("TELEGRAM_GLOBAL_RATE".into(), "500".into()),
        ("TELEGRAM_CHAT_SPACING_MS".into(), "20".into()),
    ];
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Options {
        bot_api_url: Some(fake.url.clone()),
        env,
    }
}

/// Messages Telegram accepted for `chat`.
fn to_chat(fake: &FakeTelegram, chat: i64) -> Vec<Value> {
    fake.delivered()
        .into_iter()
        .filter(|c| c.body["chat_id"].as_i64() == Some(chat))
        .map(|c| c.body)
        .collect()
}

async fn wait_for(fake: &FakeTelegram, chat: i64, what: &str, n: usize) -> Vec<Value> {
    eventually(what, Duration::from_secs(20), || async {
        let m = to_chat(fake, chat);
        (m.len() >= n).then_some(m)
    })
    .await
}

/// The link token behind a message's Mini App button.
fn token_of(message: &Value) -> String {
    let url = message["reply_markup"]["inline_keyboard"][0][0]["web_app"]["url"]
        .as_str()
        .unwrap_or_else(|| panic!("a Mini App button: {message}"));
    url.rsplit("/app/go/").next().unwrap().to_owned()
}

async fn resolve(app: &TestApp, token: &str) -> Value {
    let r = app.call("app/link", &[("token", token)]).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body
}

async fn pass(s: &Setup) {
    s.read_all().await;
    let a = s.started().await;
    for i in 0..2 {
        s.answer(a, i, &[1]).await;
    }
    assert_eq!(s.finish(a).await["passed"], true);
}

/// The newest outbox rows of `kind` (up to 20), whoever they are to.
async fn rows_of_kind(app: &TestApp, kind: &str) -> Vec<app::storage::telegram::OutboxMessage> {
    let mut c = app.state.db.read().await.unwrap();
    app::storage::telegram::log(
        c.conn(),
        &app::storage::telegram::LogFilter {
            kind: Some(kind.into()),
            scope: app::domain::scope::PeopleScope::Everyone,
            ..Default::default()
        },
        20,
        0,
    )
    .await
    .unwrap()
    .0
}

async fn with_bot(backend: Backend, fake: &FakeTelegram, extra: &[(&str, &str)]) -> Setup {
    setup_with(
        backend,
        json!({ "min_read_secs": 0 }),
        1,
        2,
        options(fake, extra),
    )
    .await
}

async fn passing_tells_the_person_and_their_managers_with_buttons_into_the_mini_app(
    backend: Backend,
) {
    let fake = FakeTelegram::start(Limits::none()).await;
    let s = with_bot(backend, &fake, &[]).await;
    let manager = s
        .app
        .create_account("boss", PASSWORD, Role::Manager, Some(MANAGER_TG))
        .await;
    // The opening told the employee, with a button to the certification.
    let opened = wait_for(&fake, EMPLOYEE_TG, "the opening", 1).await;
    assert!(
        opened[0]["text"]
            .as_str()
            .unwrap()
            .contains("Открыта аттестация «Экзамен»"),
        "{}",
        opened[0]
    );
    let to_cert = token_of(&opened[0]);
    assert_eq!(
        resolve(&s.app, &to_cert).await,
        json!({ "Go": format!("/app/c/{}", s.cert) })
    );
    pass(&s).await;
    let results = wait_for(&fake, MANAGER_TG, "the manager's result", 1).await;
    let text = results[0]["text"].as_str().unwrap();
    assert!(
        text.contains("Анна Тестова сдал(а) «Экзамен»: 100% (лучший 100%), попытка 1 из 3"),
        "{text}"
    );
    // The manager's button opens the person's results, for them only.
    let token = token_of(&results[0]);
    let employee = marked_user(&s).await;
    assert_eq!(s.app.sign_in_telegram(MANAGER_TG, "Boss").await.status, 200);
    assert_eq!(
        resolve(&s.app, &token).await,
        json!({ "Go": format!("/app/team/{employee}") })
    );
    let person = s
        .app
        .call("app/team/person", &[("user_id", &employee.to_string())])
        .await;
    assert_eq!(person.status, 200, "{:?}", person.body);
    assert_eq!(person.body["name"], "Анна Тестова");
    assert!(manager.id != employee);
    // The employee may not follow the manager's link, and a forged token is refused clearly.
    assert_eq!(
        s.app.sign_in_telegram(EMPLOYEE_TG, "Anna").await.status,
        200
    );
    assert_eq!(resolve(&s.app, &token).await["Gone"]["msg"], "LinkNotYours");
    assert_eq!(
        resolve(&s.app, "no-such-token").await["Gone"]["msg"],
        "LinkUnknown"
    );
    assert_eq!(
        resolve(&s.app, "../etc").await["Gone"]["msg"],
        "LinkUnknown"
    );
}

async fn a_manager_limited_to_a_branch_hears_only_about_its_people(backend: Backend) {
    let fake = FakeTelegram::start(Limits::none()).await;
    let s = with_bot(backend, &fake, &[]).await;
    let manager = s
        .app
        .create_account("boss", PASSWORD, Role::Manager, Some(MANAGER_TG))
        .await;
    let mut tx = s.app.state.db.begin().await.unwrap();
    let now = s.app.state.now();
    use app::storage::dictionaries::{Dictionary, ensure};
    let kazan = ensure(tx.conn(), Dictionary::Branches, "Казань", now)
        .await
        .unwrap();
    let perm = ensure(tx.conn(), Dictionary::Branches, "Пермь", now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let r = s
        .app
        .call_json(
            "users/manager_branches",
            &json!({ "id": manager.id, "branches": [kazan.id] }),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // The employee is in Perm: the Kazan manager is not told.
    let employee = app::storage::users::get_by_telegram_id(
        s.app.state.db.read().await.unwrap().conn(),
        app::domain::TelegramId(EMPLOYEE_TG),
    )
    .await
    .unwrap()
    .unwrap();
    let mut tx = s.app.state.db.begin().await.unwrap();
    app::storage::users::set_placement(
        tx.conn(),
        employee.id,
        None,
        Some(app::domain::BranchId(perm.id)),
        now,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    pass(&s).await;
    let row = eventually("the result handled", Duration::from_secs(20), || async {
        let log = rows_of_kind(&s.app, "team_result").await;
        // The admin (no Telegram) is skipped; the Kazan manager gets no row at all.
        (!log.is_empty()).then_some(log)
    })
    .await;
    assert!(
        row.iter().all(|m| m.recipient_id != Some(manager.id)),
        "{row:?}"
    );
    assert!(to_chat(&fake, MANAGER_TG).is_empty());
}

/// A manager who muted team results is told of none (each result's row says why) while the
/// manager beside them hears of every one: the consumer reads each manager's mutes once a
/// batch and must still apply them to every event in it.
async fn a_manager_who_muted_team_results_is_not_told(backend: Backend) {
    let fake = FakeTelegram::start(Limits::none()).await;
    let s = with_bot(backend, &fake, &[]).await;
    let muting = s
        .app
        .create_account("boss", PASSWORD, Role::Manager, Some(MANAGER_TG))
        .await;
    let listening = s
        .app
        .create_account("boss2", PASSWORD, Role::Manager, Some(MANAGER_TG + 1))
        .await;
    assert_eq!(s.app.sign_in_telegram(MANAGER_TG, "Boss").await.status, 200);
    let r = s
        .app
        .call_json(
            "notifications/mine/save",
            &json!({ "surface": "mini_app", "muted": ["team_result"] }),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let mine = s
        .app
        .call("notifications/mine", &[("surface", "mini_app")])
        .await;
    assert_eq!(mine.body["muted"], json!(["team_result"]));
    assert_eq!(
        s.app.sign_in_telegram(EMPLOYEE_TG, "Anna").await.status,
        200
    );
    // A failed attempt, then a pass: two results.
    s.read_all().await;
    let a = s.started().await;
    assert_eq!(s.finish(a).await["passed"], false);
    pass(&s).await;
    let rows = eventually("both results handled", Duration::from_secs(20), || async {
        let log = rows_of_kind(&s.app, "team_result").await;
        let to = |id| log.iter().filter(|m| m.recipient_id == Some(id)).count();
        (to(muting.id) == 2 && to(listening.id) == 2).then_some(log)
    })
    .await;
    for m in &rows {
        if m.recipient_id == Some(muting.id) {
            assert_eq!(m.status, "skipped", "{m:?}");
            assert_eq!(m.last_error.as_deref(), Some("muted by the person"));
        } else if m.recipient_id == Some(listening.id) {
            assert_ne!(m.status, "skipped", "{m:?}");
        }
    }
    assert!(
        to_chat(&fake, MANAGER_TG).is_empty(),
        "nothing to the muting manager"
    );
}

async fn a_muted_kind_is_not_sent_and_a_403_stops_everything_until_start(backend: Backend) {
    let fake = FakeTelegram::start(Limits::none()).await;
    let s = with_bot(backend, &fake, &[]).await;
    wait_for(&fake, EMPLOYEE_TG, "the opening", 1).await;
    let r = s
        .app
        .call_json(
            "notifications/mine/save",
            &json!({ "surface": "mini_app", "muted": ["team_result", "badge"] }),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let mine = s
        .app
        .call("notifications/mine", &[("surface", "mini_app")])
        .await;
    assert_eq!(
        mine.body["muted"],
        json!(["badge"]),
        "results are not theirs to mute"
    );
    // A badge for the first pass is muted: the log says so, nothing reaches Telegram.
    let mut tx = s.app.state.db.begin().await.unwrap();
    let badge = app::storage::gamification::save_badge(
        tx.conn(),
        &app::gamification::BadgeRow {
            id: 0,
            name: "Первый".into(),
            description: "Первая сдача".into(),
            icon_url: None,
            kind: "automatic".into(),
            rule: Some("first_pass".into()),
            rule_n: None,
            archived: false,
        },
        s.app.state.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    pass(&s).await;
    let skipped = eventually("the badge row", Duration::from_secs(20), || async {
        rows_of_kind(&s.app, "badge").await.into_iter().next()
    })
    .await;
    assert_eq!(skipped.status, "skipped");
    assert_eq!(skipped.last_error.as_deref(), Some("muted by the person"));
    assert!(badge > 0);
    assert_eq!(to_chat(&fake, EMPLOYEE_TG).len(), 1, "only the opening");

    // The person blocks the bot: the next message gets 403, they become unreachable, and
    // nothing else is tried until they write /start.
    fake.block(EMPLOYEE_TG);
    let r = s
        .app
        .call_json(
            "notifications/mine/save",
            &json!({ "surface": "mini_app", "muted": [] }),
        )
        .await;
    assert_eq!(r.status, 200);
    queue_plain(&s.app, EMPLOYEE_TG, "one").await;
    queue_plain(&s.app, EMPLOYEE_TG, "two").await;
    let marked = eventually("unreachable", Duration::from_secs(20), || async {
        let mut c = s.app.state.db.read().await.unwrap();
        let u =
            app::storage::users::get_by_telegram_id(c.conn(), app::domain::TelegramId(EMPLOYEE_TG))
                .await
                .unwrap()
                .unwrap();
        app::storage::notifications::unreachable_of(c.conn(), u.id)
            .await
            .unwrap()
    })
    .await;
    assert!(marked.1.contains("blocked"), "{marked:?}");
    let tries = fake
        .calls("sendMessage")
        .into_iter()
        .filter(|c| c.body["chat_id"].as_i64() == Some(EMPLOYEE_TG) && c.refused)
        .count();
    assert_eq!(tries, 1, "one refused try, the rest not attempted");
    let card = s
        .app
        .call("users/card", &[("id", &marked_user(&s).await.to_string())])
        .await;
    assert!(card.body["tg_unreachable"].is_array(), "{:?}", card.body);
    fake.unblock(EMPLOYEE_TG);
    fake.send_text(EMPLOYEE_TG, "Anna", "/start");
    eventually("reachable again", Duration::from_secs(20), || async {
        let mut c = s.app.state.db.read().await.unwrap();
        app::storage::notifications::unreachable_of(c.conn(), marked_user(&s).await)
            .await
            .unwrap()
            .is_none()
            .then_some(())
    })
    .await;
}

async fn marked_user(s: &Setup) -> app::domain::UserId {
    let mut c = s.app.state.db.read().await.unwrap();
    app::storage::users::get_by_telegram_id(c.conn(), app::domain::TelegramId(EMPLOYEE_TG))
        .await
        .unwrap()
        .unwrap()
        .id
}

/// Queues a plain message straight into the outbox (what the consumers do), due at once for
/// any instance (each test instance has a clock of its own).
async fn queue_plain(app: &TestApp, chat: i64, key: &str) {
    let now = app.state.now();
    let due = Timestamp(0);
    let mut tx = app.state.db.begin().await.unwrap();
    app::storage::telegram::enqueue(
        tx.conn(),
        &NewMessage {
            dedupe_key: key,
            chat_id: chat,
            thread_id: None,
            recipient: None,
            kind: "test",
            text: key,
            buttons: &[],
            payload: json!({}),
            status: OutboxStatus::Queued,
            note: None,
            send_at: due,
        },
        now,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn a_storm_of_429s_delays_but_loses_nothing(backend: Backend) {
    // Telegram's limits, scaled down: 100 ms per chat, 40 a second overall.
    let fake = FakeTelegram::start(Limits {
        per_chat: Duration::from_millis(100),
        global_per_sec: 40,
        ..Limits::default()
    })
    .await;
    // The sender is told to go faster than the fake allows: it must recover from the 429s.
    let s = with_bot(
        backend,
        &fake,
        &[
            ("TELEGRAM_GLOBAL_RATE", "400"),
            ("TELEGRAM_CHAT_SPACING_MS", "10"),
        ],
    )
    .await;
    for chat in 0..20 {
        for n in 0..6 {
            queue_plain(&s.app, 70_000 + chat, &format!("storm-{chat}-{n}")).await;
        }
    }
    let delivered = eventually("all 120 delivered", Duration::from_secs(60), || async {
        let d: Vec<String> = fake
            .delivered()
            .into_iter()
            .filter_map(|c| c.body["text"].as_str().map(str::to_owned))
            .filter(|t| t.starts_with("storm-"))
            .collect();
        (d.len() >= 120).then_some(d)
    })
    .await;
    assert!(fake.limited() > 0, "the fake did refuse some");
    let mut unique = delivered.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 120, "nothing lost");
    assert_eq!(delivered.len(), 120, "nothing sent twice");
    // In order per chat.
    for chat in 0..20 {
        let of_chat: Vec<&String> = delivered
            .iter()
            .filter(|t| t.starts_with(&format!("storm-{chat}-")))
            .collect();
        let mut sorted = of_chat.clone();
        sorted.sort();
        assert_eq!(of_chat, sorted, "chat {chat} in order");
    }
}

async fn many_results_for_one_manager_become_a_digest(backend: Backend) {
    let fake = FakeTelegram::start(Limits::none()).await;
    // The sender is off while the results pile up.
    let s = setup_with(
        backend,
        json!({ "min_read_secs": 0 }),
        1,
        2,
        Options {
            env: vec![("JOBS_TICK_MS".into(), "50".into())],
            ..Options::default()
        },
    )
    .await;
    let manager = s
        .app
        .create_account("boss", PASSWORD, Role::Manager, Some(MANAGER_TG))
        .await;
    let now = s.app.state.now();
    let mut tx = s.app.state.db.begin().await.unwrap();
    for i in 0..15 {
        app::storage::telegram::enqueue(
            tx.conn(),
            &NewMessage {
                dedupe_key: &format!("team_result:{i}:{}", manager.id),
                chat_id: MANAGER_TG,
                thread_id: None,
                recipient: Some(manager.id),
                kind: "team_result",
                text: "result",
                buttons: &[],
                payload: json!({ "passed": i % 3 != 0, "lang": "ru" }),
                status: OutboxStatus::Queued,
                note: None,
                send_at: now,
            },
            now,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let db = s.app.database_url.clone();
    s.app.stop().await;
    let app = spawn_on(db, options(&fake, &[])).await;
    let sent = wait_for(&fake, MANAGER_TG, "the digest", 1).await;
    assert_eq!(
        sent[0]["text"],
        "📊 Новые результаты: сдали — 10, не сдали — 5."
    );
    // Everything folded in is marked sent, and nothing else goes out.
    eventually("all marked", Duration::from_secs(10), || async {
        let mut c = app.state.db.read().await.unwrap();
        let counts = app::storage::telegram::counts(c.conn()).await.unwrap();
        counts
            .iter()
            .any(|(s, n)| s == "sent" && *n >= 15)
            .then_some(())
    })
    .await;
    assert_eq!(to_chat(&fake, MANAGER_TG).len(), 1);
}

async fn a_reminder_and_a_nudge_come_once(backend: Backend) {
    let fake = FakeTelegram::start(Limits::none()).await;
    let s = with_bot(backend, &fake, &[]).await;
    wait_for(&fake, EMPLOYEE_TG, "the opening", 1).await;
    // The close moves to 20 h from now; the person was told days ago (the clock moves on).
    let closes = Timestamp(s.app.clock_ms() + 3 * 86_400_000 + 20 * 3_600_000);
    let mut c = s
        .app
        .call("certifications/get", &[("id", &s.cert.to_string())])
        .await
        .body["cert"]["settings"]
        .clone();
    c["closes_at"] = json!(closes.millis());
    let r = s
        .app
        .call_json(
            "certifications/settings",
            &json!({ "id": s.cert, "settings": c }),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // No quiet hours: the test's clock may be at night.
    let settings = app::domain::notifications::NotificationSettings {
        quiet_hours: None,
        ..Default::default()
    };
    let r = s
        .app
        .call_json(
            "notifications/settings/save",
            &json!({ "settings": settings }),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    s.app.clock.advance_secs(3 * 86_400 + 60);
    app::notifications::schedule::run_due(&s.app.state)
        .await
        .unwrap();
    let with = |sent: &[Value], words: &str| {
        sent.iter()
            .filter(|m| m["text"].as_str().is_some_and(|t| t.contains(words)))
            .cloned()
            .collect::<Vec<_>>()
    };
    let sent = wait_for(&fake, EMPLOYEE_TG, "the reminder", 2).await;
    assert_eq!(with(&sent, "закрывается").len(), 1, "{sent:?}");
    // A pause-mode attempt left for ten minutes gets one nudge.
    s.read_all().await;
    let a = s.started().await;
    s.app
        .call("app/attempts/leave", &[("attempt_id", &a.to_string())])
        .await;
    s.app.clock.advance_secs(11 * 60);
    for _ in 0..3 {
        app::notifications::schedule::run_due(&s.app.state)
            .await
            .unwrap();
    }
    let sent = wait_for(&fake, EMPLOYEE_TG, "the nudge", 3).await;
    let nudges = with(&sent, "не закончен");
    assert_eq!(nudges.len(), 1, "{sent:?}");
    let token = token_of(&nudges[0]);
    assert_eq!(
        resolve(&s.app, &token).await,
        json!({ "Go": format!("/app/c/{}/test", s.cert) })
    );
    s.finish(a).await;
    assert_eq!(
        resolve(&s.app, &token).await["Gone"]["msg"],
        "LinkAttemptOver",
        "a finished attempt's button says so"
    );
    app::notifications::schedule::run_due(&s.app.state)
        .await
        .unwrap();
    let mut c = s.app.state.db.read().await.unwrap();
    let (rows, _) = app::storage::telegram::log(
        c.conn(),
        &app::storage::telegram::LogFilter {
            scope: app::domain::scope::PeopleScope::Everyone,
            ..Default::default()
        },
        100,
        0,
    )
    .await
    .unwrap();
    let of = |kind: &str| rows.iter().filter(|m| m.kind == kind).count();
    assert_eq!((of("reminder"), of("nudge")), (1, 1), "each once");
}

/// `kill -9` of the server in the middle of a 2,000-message send: nothing is lost, and what is
/// sent twice is at most what the new sender found left mid-send.
async fn a_kill_9_mid_send_loses_nothing(backend: Backend) {
    let fake = FakeTelegram::start(Limits::none()).await;
    let database_url = fresh_database_url(backend).await;
    let db = app::storage::Db::connect(&database_url, &Default::default())
        .await
        .unwrap();
    db.migrate().await.unwrap();
    let now = Timestamp(crate::helpers::now_ms());
    let mut tx = db.begin().await.unwrap();
    for i in 0..2_000 {
        let key = format!("bulk-{i:04}");
        app::storage::telegram::enqueue(
            tx.conn(),
            &NewMessage {
                dedupe_key: &key,
                chat_id: 100_000 + i % 400,
                thread_id: None,
                recipient: None,
                kind: "test",
                text: &key,
                buttons: &[],
                payload: json!({}),
                status: OutboxStatus::Queued,
                note: None,
                send_at: now,
            },
            now,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_server"))
            .env("DATABASE_URL", &database_url)
            .env("TELEGRAM_BOT_TOKEN", crate::helpers::BOT_TOKEN)
            .env("TELEGRAM_API_URL", &fake.url)
            .env("BOT_MODE", "polling")
            .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
            .env("TELEGRAM_GLOBAL_RATE", "800")
            .env("TELEGRAM_CHAT_SPACING_MS", "5")
            .env("APP_CONFIG", "/nonexistent.toml")
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("the server starts")
    };
    let delivered = || {
        fake.delivered()
            .into_iter()
            .filter_map(|c| c.body["text"].as_str().map(str::to_owned))
            .collect::<Vec<_>>()
    };
    let mut first = run();
    eventually("some sent", Duration::from_secs(60), || async {
        (delivered().len() >= 300).then_some(())
    })
    .await;
    first.kill().expect("kill -9");
    first.wait().unwrap();
    let mut second = run();
    eventually("all recorded as sent", Duration::from_secs(120), || async {
        let mut c = db.read().await.unwrap();
        let counts = app::storage::telegram::counts(c.conn()).await.unwrap();
        (counts == vec![("sent".to_owned(), 2_000)]).then_some(())
    })
    .await;
    let mut c = db.read().await.unwrap();
    second.kill().unwrap();
    second.wait().unwrap();
    let all = delivered();
    let mut unique = all.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 2_000, "nothing lost");
    let resent: (i64,) = app::on_conn!(c.conn(), |c| sqlx::query_as(
        "SELECT COUNT(*) FROM tg_outbox WHERE last_error LIKE 'resent after a restart%'"
    )
    .fetch_one(c)
    .await)
    .unwrap();
    let duplicates = all.len() as i64 - 2_000;
    assert!(
        duplicates <= resent.0,
        "{duplicates} duplicates, {} resent after the restart",
        resent.0
    );
}

/// Two instances on one PostgreSQL: one leads and sends; together they keep to the rate.
async fn two_instances_keep_to_the_rate_together(backend: Backend) {
    if backend != Backend::Postgres {
        return;
    }
    // 100 a second allowed; each sender is told 80: two senders at once would exceed it.
    let fake = FakeTelegram::start(Limits {
        per_chat: Duration::ZERO,
        global_per_sec: 100,
        ..Limits::default()
    })
    .await;
    let database_url = fresh_database_url(backend).await;
    let opts = || {
        options(
            &fake,
            &[
                ("TELEGRAM_GLOBAL_RATE", "80"),
                ("TELEGRAM_CHAT_SPACING_MS", "0"),
            ],
        )
    };
    let a = spawn_on(database_url.clone(), opts()).await;
    let b = spawn_on(database_url, opts()).await;
    for i in 0..400 {
        queue_plain(
            if i % 2 == 0 { &a } else { &b },
            200_000 + i,
            &format!("pair-{i}"),
        )
        .await;
    }
    eventually("all 400 delivered", Duration::from_secs(60), || async {
        (fake.delivered().len() >= 400).then_some(())
    })
    .await;
    assert_eq!(fake.limited(), 0, "never over the rate");
    // The leader dies: the other takes over within seconds.
    a.stop().await;
    for i in 0..20 {
        queue_plain(&b, 300_000 + i, &format!("after-{i}")).await;
    }
    eventually(
        "sent by the other instance",
        Duration::from_secs(20),
        || async { (fake.delivered().len() >= 420).then_some(()) },
    )
    .await;
}

crate::both_backends!(
    passing_tells_the_person_and_their_managers_with_buttons_into_the_mini_app,
    a_manager_limited_to_a_branch_hears_only_about_its_people,
    a_muted_kind_is_not_sent_and_a_403_stops_everything_until_start,
    a_manager_who_muted_team_results_is_not_told,
    a_storm_of_429s_delays_but_loses_nothing,
    many_results_for_one_manager_become_a_digest,
    a_reminder_and_a_nudge_come_once,
    a_kill_9_mid_send_loses_nothing,
    two_instances_keep_to_the_rate_together,
);
