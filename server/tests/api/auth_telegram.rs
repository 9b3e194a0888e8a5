//! `POST /auth/telegram` and `GET /auth/me`: the public Mini App sign-in contract.

use crate::helpers::PASSWORD;
use crate::helpers::eventually;
use crate::helpers::{Backend, Options, init_data_for, spawn_app, spawn_app_with};
use app::domain::init_data;
use app::storage;
use serde_json::Value;
use serde_json::json;
use std::time::Duration;

async fn preregister(app: &crate::helpers::TestApp, tg: i64, first: &str) {
    crate::taking::insert_employee(app, tg, first, "Предзаписанная").await;
}

async fn audit_actions(app: &crate::helpers::TestApp) -> Vec<String> {
    let mut c = app.state.db.read().await.unwrap();
    storage::audit::recent(c.conn(), None, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect()
}

async fn a_preregistered_user_signs_in_and_is_active(backend: Backend) {
    let app = spawn_app(backend).await;
    preregister(&app, 7001, "Анна").await;
    let r = app.sign_in_telegram(7001, "Anna-in-Telegram").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["telegram_id"], 7001);
    assert_eq!(
        r.body["first_name"], "Анна",
        "edited names are never overwritten"
    );
    assert_eq!(r.body["last_name"], "Предзаписанная");
    assert_eq!(r.body["role"], "employee");
    assert_eq!(r.body["status"], "active");
    assert_eq!(
        r.body["username"], "user7001",
        "username is refreshed from Telegram"
    );
    let cookie = r.set_cookies.first().expect("a session cookie");
    for attr in [
        "HttpOnly",
        "Secure",
        "SameSite=None",
        "Partitioned",
        "Path=/",
    ] {
        assert!(cookie.contains(attr), "{attr} missing in {cookie}");
    }
    let me = app.get("/auth/me").await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["telegram_id"], 7001);
    assert_eq!(me.body["status"], "active");
    let actions = audit_actions(&app).await;
    assert!(actions.contains(&"sign_in".to_string()), "{actions:?}");
    assert!(!actions.contains(&"user_registered".to_string()));
}

async fn an_unknown_user_is_registered_as_pending(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.sign_in_telegram(7002, "Пётр").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["status"], "pending");
    assert_eq!(r.body["first_name"], "Пётр");
    let me = app.get("/auth/me").await;
    assert_eq!(me.body["status"], "pending");
    let actions = audit_actions(&app).await;
    assert!(
        actions.contains(&"user_registered".to_string()),
        "{actions:?}"
    );
    let mut c = app.state.db.read().await.unwrap();
    let events = storage::events::committed(c.conn(), 10).await.unwrap();
    assert!(
        events.iter().any(|e| e
            .event
            .as_ref()
            .is_ok_and(|e| e.kind() == "user_registered")),
        "registration publishes a domain event"
    );
}

async fn open_registration_activates_unknown_users(backend: Backend) {
    let app = spawn_app_with(
        backend,
        Options {
            env: vec![("REGISTRATION".into(), "open".into())],
            ..Options::default()
        },
    )
    .await;
    let r = app.sign_in_telegram(7003, "Ольга").await;
    assert_eq!(r.body["status"], "active");
}

async fn bad_init_data_gets_401_and_no_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let now = app.now_secs();
    let good = init_data_for(7004, "Ира", now);
    let forged = init_data::sign(
        &[
            ("user", r#"{"id":7004,"first_name":"Ира"}"#),
            ("auth_date", &now.to_string()),
        ],
        "999:another-bots-token",
    );
    let altered = good.replace("7004", "7005");
    let expired = init_data_for(7004, "Ира", now - 2 * 86_400);
    let cases = [
        ("forged", forged),
        ("altered", altered),
        ("expired", expired),
        ("malformed", "%%%not=init&data".to_string()),
        ("empty", String::new()),
        ("no hash", "auth_date=1&user=%7B%7D".to_string()),
    ];
    for (what, init) in cases {
        let r = app
            .post_json("/auth/telegram", &json!({ "init_data": init }))
            .await;
        assert_eq!(r.status, 401, "{what}: {:?}", r.body);
        assert_eq!(r.body["error"], "sign_in_failed", "{what}");
        assert!(
            r.body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{what}: a readable message"
        );
        assert!(r.set_cookies.is_empty(), "{what}: no cookie");
    }
    let r = app.get("/auth/me").await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["error"], "unauthorized");
    let r = app
        .post_json("/auth/telegram", &json!({ "initData": "x" }))
        .await;
    assert_eq!(r.status, 400, "a body of the wrong shape is a bad request");
    let actions = audit_actions(&app).await;
    assert!(
        !actions.iter().any(|a| a == "sign_in_failed"),
        "not one row per refused sign-in"
    );
    app.state
        .failed_sign_ins
        .flush(&app.state.db, app.state.now(), true)
        .await
        .unwrap();
    let mut c = app.state.db.read().await.unwrap();
    let rows = app::storage::audit::recent(c.conn(), Some("sign_in_failed"), 10)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "one row per address and window");
    let details: serde_json::Value = serde_json::from_str(&rows[0].details).unwrap();
    assert_eq!(details["count"], 6, "{details}");
    // Nothing was registered by the forgeries.
    let mut c = app.state.db.read().await.unwrap();
    assert_eq!(storage::users::count(c.conn()).await.unwrap(), 0);
}

async fn later_sign_ins_refresh_only_what_telegram_owns(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.sign_in_telegram(7006, "Первое").await;
    assert_eq!(r.body["first_name"], "Первое");
    // Not edited yet: Telegram's new name is taken.
    let r = app.sign_in_telegram(7006, "Второе").await;
    assert_eq!(r.body["first_name"], "Второе");
    // Edited in the admin panel: kept from now on.
    let id = app::domain::UserId(r.body["id"].as_i64().unwrap());
    let mut tx = app.state.db.begin().await.unwrap();
    storage::users::update_names(tx.conn(), id, "Правленое", "Имя", app.state.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let r = app.sign_in_telegram(7006, "Третье").await;
    assert_eq!(r.body["first_name"], "Правленое");
    assert_eq!(r.body["last_name"], "Имя");
}

async fn sessions_expire_and_the_age_limit_is_configurable(backend: Backend) {
    let app = spawn_app_with(
        backend,
        Options {
            env: vec![("MINIAPP_SESSION_SECS".into(), "60".into())],
            ..Options::default()
        },
    )
    .await;
    assert_eq!(app.sign_in_telegram(7007, "Таня").await.status, 200);
    assert_eq!(app.get("/auth/me").await.status, 200);
    app.clock.advance_secs(61);
    assert_eq!(
        app.get("/auth/me").await.status,
        401,
        "an expired session is refused"
    );
}

async fn without_a_bot_token_sign_in_is_refused_clearly(backend: Backend) {
    let app = spawn_app_with(
        backend,
        Options {
            env: vec![("TELEGRAM_BOT_TOKEN".into(), String::new())],
            ..Options::default()
        },
    )
    .await;
    let init = init_data_for(7008, "Ян", app.now_secs());
    let r = app
        .post_json("/auth/telegram", &json!({ "init_data": init }))
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["error"], "sign_in_failed");
}

async fn the_server_function_sign_in_matches_the_public_endpoint(backend: Backend) {
    let app = spawn_app(backend).await;
    let init = init_data_for(7009, "Лев", app.now_secs());
    let r = app
        .call("auth/telegram_sign_in", &[("init_data", &init)])
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["telegram_id"], 7009);
    let r = app.call("auth/member", &[]).await;
    assert_eq!(r.body["telegram_id"], 7009);
    app.forget_cookies();
    let r = app
        .call("auth/telegram_sign_in", &[("init_data", "user=1&hash=00")])
        .await;
    assert_eq!(r.status, 401);
}

async fn sessions_survive_a_server_restart(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_eq!(app.sign_in_telegram(7010, "Ада").await.status, 200);
    let cookie = app.get("/auth/me").await;
    assert_eq!(cookie.status, 200);
    let url = app.database_url.clone();
    let jar = app.cookies();
    app.stop().await;
    let app = crate::helpers::spawn_on(url, Options::default()).await;
    app.set_cookies(jar);
    let me = app.get("/auth/me").await;
    assert_eq!(me.status, 200, "the session lives in the database");
    assert_eq!(me.body["telegram_id"], 7010);
}

/// Launches at the same moment are written together (`app::auth::launches`); each still gets
/// what it would get alone: a new session, its own live session kept, someone else's session
/// replaced, a registration for a stranger, and one audit entry and day of activity each.
async fn launches_at_once_get_what_each_would_get_alone(backend: Backend) {
    let app = spawn_app(backend).await;
    for tg in 7100..7140 {
        preregister(&app, tg, "Сотрудник").await;
    }
    let fresh = || {
        let c = app.client();
        c.forget_cookies();
        c
    };
    let anna = fresh();
    assert_eq!(anna.sign_in_telegram(7100, "Анна").await.status, 200);
    let anna_jar = anna.cookies();
    let boris = fresh();
    assert_eq!(boris.sign_in_telegram(7101, "Борис").await.status, 200);
    let boris_jar = boris.cookies();

    let batched = app.state.launches.written();
    let crowd: Vec<(i64, crate::helpers::TestApp)> = (7102..7140).map(|tg| (tg, fresh())).collect();
    let stranger = fresh();
    let (crowd_answers, anna_again, boris_as_anna, stranger_answer) = tokio::join!(
        futures::future::join_all(
            crowd
                .iter()
                .map(|(tg, c)| c.sign_in_telegram(*tg, "Сотрудник"))
        ),
        anna.sign_in_telegram(7100, "Анна"),
        // Another person launches on Boris's phone: his session ends, hers begins.
        boris.sign_in_telegram(7100, "Анна"),
        stranger.sign_in_telegram(7999, "Незнакомец"),
    );
    for ((tg, _), r) in crowd.iter().zip(&crowd_answers) {
        assert_eq!(r.status, 200, "{tg}: {:?}", r.body);
        assert_eq!(r.body["telegram_id"], *tg);
        assert_eq!(r.body["status"], "active");
        assert_eq!(
            r.body["username"],
            format!("user{tg}"),
            "refreshed from Telegram"
        );
        assert_eq!(r.body["first_name"], "Сотрудник");
    }
    for ((tg, c), _) in crowd.iter().zip(&crowd_answers) {
        let me = c.get("/auth/me").await;
        assert_eq!(me.status, 200);
        assert_eq!(
            me.body["telegram_id"], *tg,
            "each launch gets its own session"
        );
    }
    assert_eq!(anna_again.status, 200);
    assert_eq!(
        anna.cookies(),
        anna_jar,
        "her live session goes on under the same token"
    );
    assert_eq!(anna.get("/auth/me").await.body["telegram_id"], 7100);
    assert_eq!(boris_as_anna.status, 200);
    assert_eq!(boris.get("/auth/me").await.body["telegram_id"], 7100);
    let old = fresh();
    old.set_cookies(boris_jar);
    assert_eq!(
        old.get("/auth/me").await.status,
        401,
        "Boris's session was revoked"
    );
    assert_eq!(stranger_answer.status, 200, "{:?}", stranger_answer.body);
    assert_eq!(stranger_answer.body["status"], "pending");
    // The crowd and Anna's repeat went the batched way; the other two the ordinary one.
    assert_eq!(app.state.launches.written() - batched, 39);

    let actions = audit_actions(&app).await;
    let count = |a: &str| actions.iter().filter(|x| *x == a).count();
    // Two earlier launches, 38 of the crowd, Anna on Boris's phone and the stranger; Anna's
    // own repeat launch opened nothing.
    assert_eq!(count("sign_in"), 42, "{actions:?}");
    assert_eq!(count("user_registered"), 1);
    let mut c = app.state.db.read().await.unwrap();
    for (r, tg) in crowd_answers.iter().zip(7102..) {
        let id = app::domain::UserId(r.body["id"].as_i64().unwrap());
        let days = storage::gamification::days(c.conn(), id, 0).await.unwrap();
        assert_eq!(days.len(), 1, "{tg}: the launch is a day of activity");
    }
}

crate::both_backends!(
    launches_at_once_get_what_each_would_get_alone,
    sessions_survive_a_server_restart,
    a_preregistered_user_signs_in_and_is_active,
    an_unknown_user_is_registered_as_pending,
    open_registration_activates_unknown_users,
    bad_init_data_gets_401_and_no_session,
    later_sign_ins_refresh_only_what_telegram_owns,
    sessions_expire_and_the_age_limit_is_configurable,
    without_a_bot_token_sign_in_is_refused_clearly,
    the_server_function_sign_in_matches_the_public_endpoint,
);

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

crate::both_backends!(
    sign_ins_are_limited_per_address_and_garbage_is_refused_early,
    bad_launches_are_limited_and_audited_once_per_window,
    a_relaunch_keeps_the_session_and_old_launch_data_is_refused,
);
