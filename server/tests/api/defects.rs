//! The defects found by trying the product as a new user and in a security review: answer
//! integrity, the event consumer's horizon, closing with attempts in progress, the leave
//! beacon, sign-in limits, sessions, self-service, CSRF, read-only page renders, headers and
//! bad input. Each test failed before its fix.

use crate::helpers::{Backend, Options, eventually, init_data_for, spawn_app, spawn_app_with};
use crate::taking::{EMPLOYEE_TG, Setup, setup};
use app::domain::events::DomainEvent;
use app::domain::user::Role;
use app::domain::{AttemptId, EventId};
use app::outbox::Consumer;
use app::state::AppState;
use app::storage::{Conn, StorageError};
use futures::future::BoxFuture;
use reqwest::Method;
use serde_json::{Value, json};
use std::sync::Mutex;
use std::time::Duration;

const PASSWORD: &str = "correct-horse-42";

async fn screen(s: &Setup) -> Value {
    s.current().await["Attempt"].clone()
}

// ---- answer integrity ----

async fn option_ids_of_an_attempt_give_nothing_away(backend: Backend) {
    let s = setup(backend, json!({ "min_read_secs": 0 }), 1, 1, None).await;
    let r = s.app.call_json("questions/save", &json!({ "id": null, "content": { "kind": "ordering",
        "text": "<p>По порядку</p>", "options": [{ "text": "один" }, { "text": "два" }, { "text": "три" },
        { "text": "четыре" }, { "text": "пять" }] } })).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let bank_ids: Vec<i64> = s
        .app
        .call("certifications/get", &[("id", &s.cert.to_string())])
        .await
        .body["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_i64().unwrap())
        .chain([r.body["id"].as_i64().unwrap()])
        .collect();
    // Questions of an open certification can still be changed.
    let r = s
        .app
        .call_json(
            "certifications/questions",
            &json!({ "id": s.cert, "questions": bank_ids }),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    s.read_all().await;
    let a = s.started().await;
    let view = screen(&s).await;
    for q in view["questions"].as_array().unwrap() {
        let ids: Vec<u64> = q["options"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_u64().unwrap())
            .collect();
        assert!(
            ids.iter().all(|id| *id >= 100_000_000),
            "per-attempt random ids, not the bank's 1..n: {ids:?}"
        );
    }
    // The bank's ids mean nothing to an attempt; its own ids in the bank's order are the answer.
    let questions = view["questions"].as_array().unwrap();
    let ordering = questions
        .iter()
        .position(|q| q["kind"] == "ordering")
        .unwrap() as i64;
    let r = s.raw_answer(a, ordering, &[1, 2, 3, 4, 5]).await;
    assert_eq!(r.status, 422, "bank ids are refused");
    let right = s.ids(a, ordering, &[1, 2, 3, 4, 5]).await;
    assert_eq!(s.raw_answer(a, ordering, &right).await.status, 200);
    assert_eq!(s.answer(a, 1 - ordering, &[1]).await.status, 200);
    assert_eq!(
        s.finish(a).await["percent"],
        100,
        "scored in the attempt's ids"
    );
}

async fn a_review_shows_right_answers_only_when_no_attempt_remains(backend: Backend) {
    let s = setup(
        backend,
        json!({ "min_read_secs": 0, "max_attempts": 2, "review_allowed": true }),
        1,
        2,
        None,
    )
    .await;
    let review = |a: i64| {
        let app = &s.app;
        async move {
            let r = app
                .call("app/attempts/review", &[("attempt_id", &a.to_string())])
                .await;
            assert_eq!(r.status, 200, "{:?}", r.body);
            r.body
        }
    };
    s.read_all().await;
    let a1 = s.started().await;
    s.answer(a1, 0, &[2]).await;
    assert_eq!(s.finish(a1).await["percent"], 0);
    let items = review(a1).await;
    for it in items.as_array().unwrap() {
        assert_eq!(it["is_right"], false);
        assert!(it["right"].is_null(), "an attempt remains: {it}");
        assert!(it["explanation"].is_null());
    }
    let a2 = s.started().await;
    s.answer(a2, 0, &[1]).await;
    s.finish(a2).await;
    let items = review(a1).await;
    let right = items[0]["right"]
        .as_array()
        .expect("no attempt left: full review");
    assert_eq!(right.len(), 1);
    assert_eq!(items[0]["right"], json!(s.ids(a1, 0, &[1]).await));
}

async fn picking_questions_hides_keys_without_the_question_bank(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_account("boss", PASSWORD, Role::Admin, None)
        .await;
    let manager = app
        .create_account("mgr", PASSWORD, Role::Manager, None)
        .await;
    assert_eq!(app.sign_in_admin("boss", PASSWORD).await.status, 200);
    app.call_json(
        "questions/save",
        &json!({ "id": null, "content": { "kind": "single",
        "text": "<p>Q</p>", "explanation": "<p>because</p>",
        "options": [{ "text": "yes", "correct": true }, { "text": "no" }] } }),
    )
    .await;
    let r = app
        .call_json(
            "users/permissions",
            &json!({ "id": manager.id, "changes": [["question_bank", false]] }),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    app.forget_cookies();
    assert_eq!(app.sign_in_admin("mgr", PASSWORD).await.status, 200);
    let r = app
        .call("certifications/questions/pick", &[("page", "1")])
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let q = &r.body["items"][0]["content"];
    assert!(
        q["options"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["correct"] == false),
        "{q}"
    );
    assert_eq!(q["explanation"], "");
}

// ---- the event consumer's horizon ----

/// A consumer that only notes the events it saw, in order.
struct Recorder {
    seen: Mutex<Vec<EventId>>,
    fail_on: Option<EventId>,
}

impl Consumer for Recorder {
    fn name(&self) -> &'static str {
        "test_recorder"
    }

    fn handle<'a>(
        &'a self,
        _state: &'a AppState,
        _c: Conn<'a>,
        meta: app::outbox::EventMeta,
        _event: &'a DomainEvent,
    ) -> BoxFuture<'a, Result<(), StorageError>> {
        let id = meta.id;
        Box::pin(async move {
            if Some(id) == self.fail_on {
                return Err(StorageError::Corrupt("poison".into()));
            }
            self.seen.lock().unwrap().push(id);
            Ok(())
        })
    }
}

fn event(n: i64) -> DomainEvent {
    DomainEvent::CertificationOpened {
        certification_id: app::domain::CertId(n),
    }
}

async fn an_event_committed_late_is_not_skipped(backend: Backend) {
    let app = spawn_app(backend).await;
    let state = &app.state;
    let now = state.now();
    let recorder = Recorder {
        seen: Mutex::new(vec![]),
        fail_on: None,
    };
    let (early, late) = if backend == Backend::Postgres {
        // An id is handed out first to a transaction that commits last.
        let mut slow = state.db.begin().await.unwrap();
        let early = app::storage::events::emit(slow.conn(), &event(1), now)
            .await
            .unwrap();
        let mut fast = state.db.begin().await.unwrap();
        let late = app::storage::events::emit(fast.conn(), &event(2), now)
            .await
            .unwrap();
        fast.commit().await.unwrap();
        assert!(early < late);
        app::outbox::run(state, &recorder, 5).await.unwrap();
        assert!(
            recorder.seen.lock().unwrap().is_empty(),
            "nothing past a transaction still running"
        );
        slow.commit().await.unwrap();
        (early, late)
    } else {
        // One writer at a time: ids are in commit order.
        let mut tx = state.db.begin().await.unwrap();
        let early = app::storage::events::emit(tx.conn(), &event(1), now)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut tx = state.db.begin().await.unwrap();
        let late = app::storage::events::emit(tx.conn(), &event(2), now)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        (early, late)
    };
    // Transactions of other tests on the cluster may hold the horizon back for a moment.
    eventually("both events applied", Duration::from_secs(10), || async {
        app::outbox::run(state, &recorder, 5).await.unwrap();
        (recorder.seen.lock().unwrap().len() >= 2).then_some(())
    })
    .await;
    assert_eq!(
        *recorder.seen.lock().unwrap(),
        vec![early, late],
        "in order"
    );
    app::outbox::run(state, &recorder, 5).await.unwrap();
    assert_eq!(recorder.seen.lock().unwrap().len(), 2, "each once");
}

async fn a_poison_event_is_parked_and_the_rest_go_on(backend: Backend) {
    let app = spawn_app(backend).await;
    let state = &app.state;
    let now = state.now();
    let mut tx = state.db.begin().await.unwrap();
    let poison = app::storage::events::emit(tx.conn(), &event(1), now)
        .await
        .unwrap();
    let next = app::storage::events::emit(tx.conn(), &event(2), now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let recorder = Recorder {
        seen: Mutex::new(vec![]),
        fail_on: Some(poison),
    };
    let runs = std::sync::atomic::AtomicI64::new(0);
    eventually(
        "the next event applied",
        Duration::from_secs(10),
        || async {
            runs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            app::outbox::run(state, &recorder, 5).await.unwrap();
            (!recorder.seen.lock().unwrap().is_empty()).then_some(())
        },
    )
    .await;
    assert!(
        runs.into_inner() >= app::outbox::MAX_FAILURES,
        "retried before parking"
    );
    assert_eq!(*recorder.seen.lock().unwrap(), vec![next]);
    let mut c = state.db.read().await.unwrap();
    let parked = app::storage::events::parked(c.conn(), "test_recorder")
        .await
        .unwrap();
    assert_eq!(parked.len(), 1);
    assert_eq!(parked[0].0, poison);
    assert!(parked[0].2.contains("poison"));
}

// ---- closing with attempts in progress ----

async fn closing_a_certification_ends_the_attempts_in_progress(backend: Backend) {
    let s = setup(backend, json!({ "min_read_secs": 0 }), 1, 2, Some(50)).await;
    s.read_all().await;
    let a = s.started().await;
    assert_eq!(s.answer(a, 0, &[1]).await.status, 200);
    let r = s
        .app
        .call(
            "certifications/lifecycle",
            &[("id", &s.cert.to_string()), ("action", "Close")],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = s.answer(a, 1, &[1]).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["Refused"]["msg"], "ErrAttemptOver");
    let row = eventually(
        "the attempt is finished",
        Duration::from_secs(10),
        || async { Some(s.attempt_row(a).await).filter(|r| r.status == "finished") },
    )
    .await;
    assert_eq!(row.finish_reason.as_deref(), Some("timeout"));
    assert_eq!(row.percent, Some(50), "the answered question counts");
}

// ---- the clock: leave and resume ----

async fn a_leave_stops_the_clock_and_answers_after_it_count_the_gap(backend: Backend) {
    let s = setup(
        backend,
        json!({ "min_read_secs": 0, "time_limit_secs": 600, "timer_mode": "pause_while_away" }),
        1,
        2,
        None,
    )
    .await;
    s.read_all().await;
    let a = s.started().await;
    let id = a.to_string();
    let args = [("attempt_id", id.as_str())];
    let leave = || s.app.call("app/attempts/leave", &args);
    s.app.clock.advance_secs(5);
    assert_eq!(leave().await.status, 200);
    let left = s.attempt_row(a).await.clock().remaining(s.app.state.now());
    s.app.clock.advance_secs(60);
    // Coming back through the test screen: the minute away does not count.
    let back = screen(&s).await;
    assert_eq!(back["remaining_ms"].as_i64().unwrap(), left);
    assert_eq!(left, 595_000, "stopped at the leave, no grace added");
    // A leave, then an answer without coming back: the whole gap counts.
    assert_eq!(leave().await.status, 200);
    s.app.clock.advance_secs(30);
    let r = s.answer(a, 0, &[1]).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["remaining_ms"].as_i64().unwrap(), left - 30_000);
}

// ---- sign-in ----

async fn parallel_guesses_check_at_most_five_passwords(backend: Backend) {
    let app = spawn_app_with(
        backend,
        Options {
            env: vec![("PASSWORD_SIGN_INS_PER_IP_PER_MINUTE".into(), "1000".into())],
            ..Options::default()
        },
    )
    .await;
    app.create_account("target", PASSWORD, Role::Admin, None)
        .await;
    let guesses = (0..40).map(|i| {
        let app = &app;
        async move {
            app.sign_in_admin("target", &format!("wrong-{i}"))
                .await
                .status
        }
    });
    let statuses = futures::future::join_all(guesses).await;
    // Five checks: four answer "wrong password", the fifth locks the login; the rest wait.
    let wrong = statuses.iter().filter(|s| **s == 401).count();
    let throttled = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((wrong, throttled), (4, 36), "{statuses:?}");
    let mut c = app.state.db.read().await.unwrap();
    let counted = app::storage::throttle::get(c.conn(), "admin:target@127.0.0.1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        counted.count, 5,
        "five passwords were checked against the hash"
    );
    drop(c);
    let r = app.sign_in_admin("target", PASSWORD).await;
    assert_eq!(r.status, 429, "the lock holds for the right password too");
}

async fn sign_ins_are_limited_per_address_and_garbage_is_refused_early(backend: Backend) {
    let app = spawn_app_with(
        backend,
        Options {
            env: vec![("PASSWORD_SIGN_INS_PER_IP_PER_MINUTE".into(), "10".into())],
            ..Options::default()
        },
    )
    .await;
    let huge = "x".repeat(1_000_000);
    let r = app.sign_in_admin(&huge, PASSWORD).await;
    assert_eq!(r.status, 401);
    let r = app.sign_in_admin("someone", &huge).await;
    assert_eq!(r.status, 401);
    let mut c = app.state.db.read().await.unwrap();
    let rows: (i64,) = app::on_conn!(c.conn(), |c| sqlx::query_as(
        "SELECT COUNT(*) FROM login_throttle"
    )
    .fetch_one(c)
    .await)
    .unwrap();
    assert_eq!(rows.0, 0, "refused before the database");
    drop(c);
    // Ten password sign-ins a minute per address, whatever the logins.
    let mut statuses = vec![];
    for i in 0..10 {
        statuses.push(
            app.sign_in_admin(&format!("user{i}"), PASSWORD)
                .await
                .status,
        );
    }
    assert_eq!(
        statuses.len() - 2,
        statuses.iter().filter(|s| **s == 401).count()
    );
    assert_eq!(app.sign_in_admin("user-x", PASSWORD).await.status, 429);
}

async fn bad_launches_are_limited_and_audited_once_per_window(backend: Backend) {
    let app = spawn_app_with(
        backend,
        Options {
            env: vec![("JOBS_TICK_MS".into(), "50".into())],
            ..Options::default()
        },
    )
    .await;
    let mut statuses = vec![];
    for i in 0..25 {
        let r = app
            .post_json(
                "/auth/telegram",
                &json!({ "init_data": format!("user=%7B%7D&hash=bad{i}") }),
            )
            .await;
        statuses.push(r.status);
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count(),
        20,
        "{statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 5);
    // A valid launch from the same address is never limited.
    assert_eq!(app.sign_in_telegram(4242, "Office").await.status, 200);
    let failures = || async {
        let mut c = app.state.db.read().await.unwrap();
        app::storage::audit::recent(c.conn(), Some("sign_in_failed"), 10)
            .await
            .unwrap()
    };
    assert!(
        failures().await.is_empty(),
        "written when the window closes"
    );
    app.clock
        .advance_secs(app::domain::throttle::FAILURE_WINDOW_SECS + 1);
    let rows = eventually("one audit row", Duration::from_secs(10), || async {
        Some(failures().await).filter(|r| !r.is_empty())
    })
    .await;
    assert_eq!(rows.len(), 1);
    let details: Value = serde_json::from_str(&rows[0].details).unwrap();
    assert_eq!(details["count"], 20);
}

async fn a_relaunch_keeps_the_session_and_old_launch_data_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_eq!(app.sign_in_telegram(501, "Ира").await.status, 200);
    let first = app.cookies();
    assert_eq!(app.sign_in_telegram(501, "Ира").await.status, 200);
    assert_eq!(app.cookies(), first, "the same session");
    let sessions = || async {
        let mut c = app.state.db.read().await.unwrap();
        let n: (i64, i64) = app::on_conn!(c.conn(), |c| sqlx::query_as(
            "SELECT COUNT(*), COUNT(revoked_at) FROM sessions"
        )
        .fetch_one(c)
        .await)
        .unwrap();
        n
    };
    assert_eq!(sessions().await, (1, 0));
    // Someone else on this device: the old session ends.
    assert_eq!(app.sign_in_telegram(502, "Олег").await.status, 200);
    assert_eq!(sessions().await, (2, 1));
    let stale = init_data_for(503, "Old", app.now_secs() - 3_601);
    let r = app
        .post_json("/auth/telegram", &json!({ "init_data": stale }))
        .await;
    assert_eq!(r.status, 401, "launch data older than an hour");
}

// ---- self-service ----

async fn nobody_rewards_or_resets_themselves(backend: Backend) {
    let s = setup(backend, json!({ "min_read_secs": 0 }), 1, 1, None).await;
    s.read_all().await;
    let a = s.started().await;
    s.finish(a).await;
    // The employee becomes an admin with a password, and tries on themselves.
    let employee = s.attempt_row(a).await.user_id;
    s.app
        .create_account("anna", PASSWORD, Role::Admin, Some(EMPLOYEE_TG))
        .await;
    s.app.forget_cookies();
    assert_eq!(s.app.sign_in_admin("anna", PASSWORD).await.status, 200);
    let me = employee.to_string();
    let cert = s.cert.to_string();
    let r = s
        .app
        .call(
            "certifications/reset",
            &[
                ("id", &cert),
                ("user_id", &me),
                ("reason", "mine"),
                ("require_reread", "false"),
            ],
        )
        .await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    assert_eq!(r.body["Forbidden"], "ErrSelfService");
    let r = s
        .app
        .call(
            "users/points",
            &[("id", &me), ("delta", "100"), ("reason", "mine")],
        )
        .await;
    assert_eq!(r.status, 403, "{:?}", r.body);
}

async fn activation_follows_the_role_rules(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_account("mgr", PASSWORD, Role::Manager, None)
        .await;
    assert_eq!(app.sign_in_telegram(601, "Pending").await.status, 200);
    let mut c = app.state.db.read().await.unwrap();
    let pending = app::storage::users::get_by_telegram_id(c.conn(), app::domain::TelegramId(601))
        .await
        .unwrap()
        .unwrap();
    drop(c);
    let mut tx = app.state.db.begin().await.unwrap();
    app::storage::users::set_role_and_status(
        tx.conn(),
        pending.id,
        Role::Manager,
        app::domain::user::UserStatus::Pending,
        app.state.now(),
    )
    .await
    .unwrap();
    let pos = app::storage::dictionaries::ensure(
        tx.conn(),
        app::storage::dictionaries::Dictionary::Positions,
        "Продавец",
        app.state.now(),
    )
    .await
    .unwrap()
    .id;
    let branch = app::storage::dictionaries::ensure(
        tx.conn(),
        app::storage::dictionaries::Dictionary::Branches,
        "Казань",
        app.state.now(),
    )
    .await
    .unwrap()
    .id;
    tx.commit().await.unwrap();
    app.forget_cookies();
    assert_eq!(app.sign_in_admin("mgr", PASSWORD).await.status, 200);
    let r = app
        .call(
            "users/activate",
            &[
                ("id", &pending.id.to_string()),
                ("position", &pos.to_string()),
                ("branch", &branch.to_string()),
            ],
        )
        .await;
    assert_eq!(
        r.status, 403,
        "a manager does not activate a manager: {:?}",
        r.body
    );
}

// ---- CSRF, headers, client address ----

async fn cookie_writes_need_our_origin(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_account("admin", PASSWORD, Role::Admin, None)
        .await;
    let r = app.sign_in_admin("admin", PASSWORD).await;
    let cookie = r.set_cookies.join("; ");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("SameSite=None"), "{cookie}");
    let names = [("first_name", "Mallory"), ("last_name", "")];
    let path = "/api/profile/update_names";
    for origin in [Some("null"), None, Some("https://evil.example")] {
        let mut req = app.request(Method::POST, path).form(&names);
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        assert_eq!(app.send(req).await.status, 403, "origin {origin:?}");
    }
    let referer = app
        .request(Method::POST, path)
        .header("referer", app.url("/admin/profile"))
        .form(&names);
    assert_eq!(app.send(referer).await.status, 200, "our own Referer");
    let ours = app
        .request(Method::POST, path)
        .header("origin", &app.address)
        .form(&names);
    assert_eq!(app.send(ours).await.status, 200);
}

async fn pages_carry_a_content_security_policy(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, headers, body) = app.get_raw("/admin/login").await;
    assert_eq!(status, 200);
    let csp = headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    let body = String::from_utf8(body).unwrap();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|r| r.split('\'').next())
        .expect("a nonce");
    assert!(
        body.contains(&format!("nonce=\"{nonce}\"")),
        "inline scripts carry it"
    );
    let (_, headers, _) = app.get_raw("/app").await;
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("https://web.telegram.org"), "{csp}");
}

async fn forwarded_addresses_count_only_from_trusted_proxies(backend: Backend) {
    for (trusted, expect) in [(Some("127.0.0.1"), "203.0.113.5"), (None, "127.0.0.1")] {
        let mut env = vec![];
        if let Some(t) = trusted {
            env.push(("TRUSTED_PROXIES".into(), t.into()));
        }
        let app = spawn_app_with(
            backend,
            Options {
                env,
                ..Options::default()
            },
        )
        .await;
        let init = init_data_for(700, "Via", app.now_secs());
        let req = app
            .request(Method::POST, "/auth/telegram")
            .header("x-forwarded-for", "198.51.100.1, 203.0.113.5")
            .json(&json!({ "init_data": init }));
        assert_eq!(app.send(req).await.status, 200);
        let mut c = app.state.db.read().await.unwrap();
        let ip: (Option<String>,) =
            app::on_conn!(c.conn(), |c| sqlx::query_as("SELECT ip FROM sessions")
                .fetch_one(c)
                .await)
            .unwrap();
        assert_eq!(ip.0.as_deref(), Some(expect), "trusted: {trusted:?}");
    }
}

// ---- page renders only read ----

async fn rendering_the_test_and_result_pages_changes_nothing(backend: Backend) {
    // The sweeper runs once at start and then not for an hour: the test asserts that a GET
    // leaves an overdue attempt alone, which the sweeper would rightly finish.
    let s = setup(
        backend,
        json!({ "min_read_secs": 0, "time_limit_secs": 60, "timer_mode": "pause_while_away" }),
        1,
        2,
        Some(3_600_000),
    )
    .await;
    s.read_all().await;
    let a = s.started().await;
    let id = a.to_string();
    s.app
        .call("app/attempts/leave", &[("attempt_id", &id)])
        .await;
    let before = s.attempt_row(a).await;
    s.app.clock.advance_secs(30);
    let (status, _, _) = s.app.get_raw(&format!("/app/c/{}/test", s.cert)).await;
    assert_eq!(status, 200);
    // A full load of a certification's entry is redirected before rendering.
    let (status, headers, _) = s.app.get_raw(&format!("/app/c/{}", s.cert)).await;
    assert_eq!(status, 307);
    assert_eq!(
        headers["location"],
        format!("/app/c/{}/theory/1", s.cert).as_str()
    );
    assert_eq!(
        s.attempt_row(a).await,
        before,
        "rendering the test page is read-only"
    );
    // An attempt that ran out but was not finished yet: the result page shows no verdict.
    let mut tx = s.app.state.db.begin().await.unwrap();
    let mut clock = before.clock();
    clock.used_ms = 59_000;
    clock.resume(s.app.state.now());
    app::storage::attempts::save_clock(tx.conn(), AttemptId(a), &clock, 0, s.app.state.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    s.app.clock.advance_secs(120);
    let (status, _, body) = s
        .app
        .get_raw(&format!("/app/c/{}/result/{a}", s.cert))
        .await;
    assert_eq!(status, 200);
    let html = String::from_utf8(body).unwrap();
    assert!(
        !html.contains("data-testid=\"verdict\""),
        "no verdict before scoring"
    );
    assert_eq!(
        s.attempt_row(a).await.status,
        "in_progress",
        "not finished by a GET"
    );
    // The client's request finishes and scores it.
    let r = s
        .app
        .call("app/attempts/result", &[("attempt_id", &id)])
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["Ready"]["timed_out"], true);
}

// ---- bad input ----

async fn malformed_arguments_get_400_and_page_numbers_are_clamped(backend: Backend) {
    let s = setup(backend, json!({ "min_read_secs": 0 }), 1, 1, None).await;
    let r = s.app.call("app/attempts/finish", &[]).await;
    assert_eq!(r.status, 400, "{:?}", r.body);
    assert_eq!(r.body, json!("BadRequest"));
    let r = s
        .app
        .call("app/rating", &[("period", "decade"), ("page", "1")])
        .await;
    assert_eq!(r.status, 400, "{:?}", r.body);
    let r = s
        .app
        .call(
            "app/rating",
            &[("period", "all"), ("page", "9223372036854775807")],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = s
        .app
        .call(
            "app/attempts/heartbeat",
            &[("attempt_id", "x"), ("index", "0")],
        )
        .await;
    assert_eq!(r.status, 400);
}

async fn uploads_imports_and_exports_handle_real_files(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_account("admin", PASSWORD, Role::Admin, None)
        .await;
    assert_eq!(app.sign_in_admin("admin", PASSWORD).await.status, 200);
    // A Russian text file whose 4096th byte falls inside a letter.
    let mut text = "abc".to_string();
    while text.len() < 9_000 {
        text.push_str("ёлка ");
    }
    assert!(!text.is_char_boundary(4096));
    let r = app.upload("file", "заметки.txt", text.into_bytes()).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // An import over 2 MB reaches the service: a 3 MB file is read, a 6 MB one is "too large".
    let row = "single,Вопрос с длинным текстом для объёма,Да|Нет,1,,\n";
    let big = |bytes: usize| {
        let mut csv = "kind,text,options,correct,explanation,tags\n".to_string();
        while csv.len() < bytes {
            csv.push_str(row);
        }
        csv
    };
    let r = app
        .call_json(
            "questions/import",
            &json!({ "format": "csv", "data": big(3_000_000) }),
        )
        .await;
    assert_ne!(r.status, 500, "{:?}", r.body);
    assert_ne!(r.status, 413);
    let r = app
        .call_json(
            "questions/import",
            &json!({ "format": "csv", "data": big(6_000_000) }),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["Refused"]["msg"], "ErrImportTooLarge");
    // Exported options keep their pipes; formulas are neutralised.
    let r = app.call_json("questions/save", &json!({ "id": null, "content": { "kind": "single",
        "text": "<p>Q</p>", "options": [{ "text": "=1+1", "correct": true }, { "text": "a|b" }] } })).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = app.call("questions/export", &[("format", "csv")]).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let csv = r.body.as_str().unwrap();
    assert!(csv.contains("'=1+1|a\\|b"), "{csv}");
    // And they read back as they were.
    let r = app
        .call_json("questions/import", &json!({ "format": "csv", "data": csv }))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["imported"], 1, "{:?}", r.body);
}

/// `.part` files in `dir`.
fn parts_in(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".part"))
                .collect()
        })
        .unwrap_or_default()
}

async fn an_upload_the_client_abandons_leaves_no_part_file(backend: Backend) {
    use tokio::io::AsyncWriteExt;
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir()
        .join("attest-tests")
        .join(format!("uploads-{}-{stamp}", std::process::id()));
    let app = spawn_app_with(
        backend,
        Options {
            env: vec![("UPLOADS_DIR".into(), dir.display().to_string())],
            ..Options::default()
        },
    )
    .await;
    app.create_account("admin", PASSWORD, Role::Admin, None)
        .await;
    assert_eq!(app.sign_in_admin("admin", PASSWORD).await.status, 200);
    // A multipart body announced as 10 MB, of which 1 MB arrives before the client goes away.
    let boundary = "xyzzy";
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nfile\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.txt\"\r\n\
         Content-Type: text/plain\r\n\r\n"
    );
    let host = app.address.trim_start_matches("http://").to_owned();
    let mut tcp = tokio::net::TcpStream::connect(&host).await.unwrap();
    let request = format!(
        "POST /api/uploads HTTP/1.1\r\nHost: {host}\r\nOrigin: {}\r\nCookie: {}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\r\n{head}",
        app.address,
        app.cookie_header(),
        10_000_000
    );
    tcp.write_all(request.as_bytes()).await.unwrap();
    tcp.write_all(&vec![b'a'; 1_000_000]).await.unwrap();
    tcp.flush().await.unwrap();
    eventually(
        "the upload is being written",
        Duration::from_secs(10),
        || async { (!parts_in(&dir).is_empty()).then_some(()) },
    )
    .await;
    drop(tcp);
    eventually(
        "the abandoned upload is removed",
        Duration::from_secs(10),
        || async { parts_in(&dir).is_empty().then_some(()) },
    )
    .await;
    // A crashed process's leftover is swept; a fresh one is not.
    std::fs::write(dir.join("old.part"), b"x").unwrap();
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 3600);
    std::fs::File::options()
        .write(true)
        .open(dir.join("old.part"))
        .unwrap()
        .set_modified(old)
        .unwrap();
    std::fs::write(dir.join("fresh.part"), b"x").unwrap();
    let removed =
        server::routes::uploads::sweep_parts(&dir, server::routes::uploads::STALE_PART).await;
    assert_eq!(removed, 1);
    assert_eq!(parts_in(&dir), vec!["fresh.part".to_owned()]);
    let _ = std::fs::remove_dir_all(&dir);
}

crate::both_backends!(
    option_ids_of_an_attempt_give_nothing_away,
    a_review_shows_right_answers_only_when_no_attempt_remains,
    picking_questions_hides_keys_without_the_question_bank,
    an_event_committed_late_is_not_skipped,
    a_poison_event_is_parked_and_the_rest_go_on,
    closing_a_certification_ends_the_attempts_in_progress,
    a_leave_stops_the_clock_and_answers_after_it_count_the_gap,
    parallel_guesses_check_at_most_five_passwords,
    sign_ins_are_limited_per_address_and_garbage_is_refused_early,
    bad_launches_are_limited_and_audited_once_per_window,
    a_relaunch_keeps_the_session_and_old_launch_data_is_refused,
    nobody_rewards_or_resets_themselves,
    activation_follows_the_role_rules,
    cookie_writes_need_our_origin,
    pages_carry_a_content_security_policy,
    forwarded_addresses_count_only_from_trusted_proxies,
    rendering_the_test_and_result_pages_changes_nothing,
    malformed_arguments_get_400_and_page_numbers_are_clamped,
    uploads_imports_and_exports_handle_real_files,
    an_upload_the_client_abandons_leaves_no_part_file,
);
