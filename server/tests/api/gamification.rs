//! Points, levels, badges and the rating through the real server.

use crate::helpers::{Backend, TestApp};
use crate::taking::{Setup, setup};
use app::domain::user::{Role, UserStatus};
use app::domain::{TelegramId, UserId};
use serde_json::{Value, json};

async fn user_id(app: &TestApp, tg: i64) -> UserId {
    let mut c = app.state.db.read().await.unwrap();
    app::storage::users::get_by_telegram_id(c.conn(), TelegramId(tg))
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn balance(app: &TestApp, user: UserId) -> i64 {
    let mut c = app.state.db.read().await.unwrap();
    app::storage::gamification::balance(c.conn(), user)
        .await
        .unwrap()
}

async fn pass(s: &Setup) -> Value {
    s.read_all().await;
    let a = s.started().await;
    s.answer(a, 0, &[1]).await;
    s.finish(a).await
}

async fn a_pass_pays_once_even_when_the_event_is_delivered_many_times(backend: Backend) {
    let s = setup(
        backend,
        json!({ "min_read_secs": 0, "points": 150, "max_attempts": 5 }),
        1,
        1,
        None,
    )
    .await;
    let r = pass(&s).await;
    assert_eq!(r["passed"], true);
    let user = user_id(&s.app, crate::taking::EMPLOYEE_TG).await;
    // Deliver the outbox again, ten times at once (as several instances would).
    // Rewind the consumer to the beginning of the outbox.
    let mut tx = s.app.state.db.begin().await.unwrap();
    app::storage::events::set_cursor(
        tx.conn(),
        "gamification",
        app::storage::horizon::Position::START,
        s.app.state.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    // The safe horizon is cluster-wide on PostgreSQL: a transaction open in a
    // parallel test can hold it back for a moment, so deliver until it passes.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let runs = (0..10).map(|_| app::gamification::consumer::process_events(&s.app.state));
        for r in futures::future::join_all(runs).await {
            r.unwrap();
        }
        let paid = balance(&s.app, user).await;
        assert!(paid <= 150, "paid more than once: {paid}");
        if paid == 150 || std::time::Instant::now() > deadline {
            assert_eq!(paid, 150, "paid exactly once");
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    // A reset and a second pass pay nothing more.
    let cert = s.cert.to_string();
    let r = s
        .app
        .call(
            "certifications/reset",
            &[
                ("id", cert.as_str()),
                ("user_id", user.to_string().as_str()),
                ("reason", "повтор"),
                ("require_reread", "false"),
            ],
        )
        .await;
    assert_eq!(r.status, 200);
    let again = pass(&s).await;
    assert_eq!(again["passed"], true);
    assert_eq!(balance(&s.app, user).await, 150);

    // "My achievements" draws the balance over time and the standing per certification.
    let mine = s.app.call("app/achievements", &[]).await.body;
    assert_eq!(
        mine["history"],
        json!([[mine["history"][0][0], 150]]),
        "{mine}"
    );
    let certs = mine["certifications"].as_array().unwrap();
    assert_eq!(certs.len(), 1, "{mine}");
    assert_eq!(certs[0]["id"], s.cert);
    assert_eq!(certs[0]["passed"], true);
    assert_eq!(certs[0]["best_percent"], 100);
    assert_eq!(certs[0]["attempts_used"], 1, "one attempt since the reset");
    // Someone's public page (and the API) carries neither.
    let theirs = s
        .app
        .call("app/achievements/of", &[("user_id", &user.to_string())])
        .await
        .body;
    assert!(
        theirs.get("history").is_none() && theirs.get("certifications").is_none(),
        "{theirs}"
    );
}

async fn a_manager_passing_gets_no_points_and_is_not_rated(backend: Backend) {
    let s = setup(
        backend,
        json!({ "min_read_secs": 0, "points": 100 }),
        1,
        1,
        None,
    )
    .await;
    let user = user_id(&s.app, crate::taking::EMPLOYEE_TG).await;
    let mut tx = s.app.state.db.begin().await.unwrap();
    app::storage::users::set_role_and_status(
        tx.conn(),
        user,
        Role::Manager,
        UserStatus::Active,
        s.app.state.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(pass(&s).await["passed"], true);
    assert_eq!(
        balance(&s.app, user).await,
        0,
        "the ledger refuses to pay a manager"
    );
    let r = s
        .app
        .call("app/rating", &[("period", "all"), ("page", "1")])
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert!(
        r.body["page"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|row| row["user_id"] != user.0)
    );
    assert_eq!(
        r.body["me"],
        Value::Null,
        "a manager has no place in the rating"
    );
    let a = s.app.call("app/achievements", &[]).await;
    assert_eq!(a.body["earns"], false);
    // An admin cannot add points to a manager either.
    let r = s
        .app
        .call(
            "users/points",
            &[
                ("id", user.to_string().as_str()),
                ("delta", "10"),
                ("reason", "бонус"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["Refused"]["msg"], "ErrOnlyEmployeesEarn");
}

async fn levels_points_and_badges_from_the_card(backend: Backend) {
    let s = setup(backend, json!({ "min_read_secs": 0 }), 1, 1, None).await;
    let user = user_id(&s.app, crate::taking::EMPLOYEE_TG)
        .await
        .to_string();
    let r = s
        .app
        .call(
            "users/points",
            &[
                ("id", user.as_str()),
                ("delta", "120"),
                ("reason", "за наставничество"),
            ],
        )
        .await;
    assert_eq!(r.body, 120, "{:?}", r.body);
    let r = s
        .app
        .call(
            "users/points",
            &[
                ("id", user.as_str()),
                ("delta", "-500"),
                ("reason", "ошибка"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "never below zero");
    assert_eq!(r.body["Refused"]["msg"], "ErrNegativeBalance");
    let r = s
        .app
        .call(
            "users/points",
            &[("id", user.as_str()), ("delta", "5"), ("reason", "  ")],
        )
        .await;
    assert_eq!(r.status, 422, "a reason is required");
    // Raise to level 3 (500): the entry moves the balance to the threshold; then correct it down.
    let r = s
        .app
        .call(
            "users/level",
            &[("id", user.as_str()), ("level", "3"), ("reason", "перевод")],
        )
        .await;
    assert_eq!(r.body, 500);
    let r = s
        .app
        .call(
            "users/level",
            &[
                ("id", user.as_str()),
                ("level", "2"),
                ("reason", "исправление"),
            ],
        )
        .await;
    assert_eq!(r.body, 200);
    let card = s
        .app
        .call("users/card", &[("id", user.as_str())])
        .await
        .body;
    assert_eq!(card["balance"], 200);
    assert_eq!(card["level"]["number"], 2);
    assert_eq!(card["ledger"].as_array().unwrap().len(), 3);

    // A manual badge: awarded with a reason, revoked, awarded again.
    let badge = s
        .app
        .call_json(
            "gamification/badge",
            &json!({ "badge": { "id": 0, "name": "Наставник", "description": "",
        "icon_url": null, "kind": "manual", "rule": null, "rule_n": null, "archived": false } }),
        )
        .await
        .body;
    let badge = badge.as_i64().unwrap().to_string();
    assert_eq!(
        s.app
            .call(
                "users/badges/award",
                &[
                    ("id", user.as_str()),
                    ("badge_id", &badge),
                    ("reason", "помог новичку")
                ]
            )
            .await
            .status,
        200
    );
    let r = s
        .app
        .call(
            "users/badges/award",
            &[
                ("id", user.as_str()),
                ("badge_id", &badge),
                ("reason", "ещё раз"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "held already");
    assert_eq!(
        s.app
            .call(
                "users/badges/revoke",
                &[
                    ("id", user.as_str()),
                    ("badge_id", &badge),
                    ("reason", "ошибочно")
                ]
            )
            .await
            .status,
        200
    );
    assert_eq!(
        s.app
            .call(
                "users/badges/award",
                &[
                    ("id", user.as_str()),
                    ("badge_id", &badge),
                    ("reason", "снова")
                ]
            )
            .await
            .status,
        200
    );
    let mine = s.app.call("app/achievements", &[]).await.body;
    let earned = mine["badges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| !b["earned_at"].is_null())
        .count();
    assert_eq!(earned, 1);
    let mut c = s.app.state.db.read().await.unwrap();
    let audit = app::storage::audit::recent(c.conn(), Some("badge_revoked"), 5)
        .await
        .unwrap();
    assert!(
        audit[0].details.contains("ошибочно"),
        "the reason is recorded"
    );
}

async fn automatic_badges_follow_their_rules(backend: Backend) {
    let s = setup(backend, json!({ "min_read_secs": 0 }), 1, 2, None).await;
    for (name, rule, n) in [
        ("Первый успех", "first_pass", None),
        ("Отличник", "perfect", None),
        ("Три сдачи", "passed_count", Some(3)),
    ] {
        let r = s.app.call_json("gamification/badge", &json!({ "badge": { "id": 0, "name": name, "description": "",
            "icon_url": null, "kind": "automatic", "rule": rule, "rule_n": n, "archived": false } })).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
    }
    s.read_all().await;
    let a = s.started().await;
    s.answer(a, 0, &[1]).await;
    s.answer(a, 1, &[1]).await;
    assert_eq!(s.finish(a).await["percent"], 100);
    // The rules run on the pass event: at once, or (when the cluster-wide safe horizon of
    // PostgreSQL waits for a transaction of a parallel test) on the next delivery.
    let earned: Vec<String> = crate::helpers::eventually(
        "the automatic badges",
        std::time::Duration::from_secs(20),
        || async {
            let mine = s.app.call("app/achievements", &[]).await.body;
            let earned: Vec<String> = mine["badges"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|b| !b["earned_at"].is_null())
                .map(|b| b["badge"]["name"].as_str().unwrap().to_owned())
                .collect();
            (earned.iter().any(|e| e == "Первый успех") && earned.iter().any(|e| e == "Отличник"))
                .then_some(earned)
        },
    )
    .await;
    let earned: Vec<&str> = earned.iter().map(String::as_str).collect();
    assert!(!earned.contains(&"Три сдачи"));
    // Re-evaluating awards nothing twice.
    let user = user_id(&s.app, crate::taking::EMPLOYEE_TG)
        .await
        .to_string();
    assert_eq!(
        s.app
            .call("users/badges/evaluate", &[("id", user.as_str())])
            .await
            .body,
        0
    );
}

async fn the_rating_orders_by_points_then_by_who_got_there_first(backend: Backend) {
    let s = setup(backend, json!({ "min_read_secs": 0 }), 1, 1, None).await;
    let me = user_id(&s.app, crate::taking::EMPLOYEE_TG).await;
    let mut ids = vec![];
    for (i, tg) in [901, 902, 903].iter().enumerate() {
        let r = s
            .app
            .call_json(
                "users/preregister",
                &json!({ "person": { "telegram_id": tg, "first_name": format!("Сотрудник{i}"),
            "last_name": "", "role": "employee", "position": null, "branch": null } }),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        ids.push(r.body.as_i64().unwrap().to_string());
    }
    // 902 reaches 50 before 901 does; 903 gets 80; me 10.
    s.app
        .call(
            "users/points",
            &[("id", ids[1].as_str()), ("delta", "50"), ("reason", "r")],
        )
        .await;
    s.app.clock.advance_secs(5);
    s.app
        .call(
            "users/points",
            &[("id", ids[0].as_str()), ("delta", "50"), ("reason", "r")],
        )
        .await;
    s.app
        .call(
            "users/points",
            &[("id", ids[2].as_str()), ("delta", "80"), ("reason", "r")],
        )
        .await;
    s.app
        .call(
            "users/points",
            &[
                ("id", me.to_string().as_str()),
                ("delta", "10"),
                ("reason", "r"),
            ],
        )
        .await;
    let r = s
        .app
        .call("app/rating", &[("period", "all"), ("page", "1")])
        .await
        .body;
    let order: Vec<i64> = r["page"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["user_id"].as_i64().unwrap())
        .collect();
    let want: Vec<i64> = [&ids[2], &ids[1], &ids[0]]
        .iter()
        .map(|x| x.parse().unwrap())
        .chain([me.0])
        .collect();
    assert_eq!(order, want);
    assert_eq!(r["me"]["place"], 4);
    assert_eq!(r["me"]["points"], 10);
}

crate::both_backends!(
    a_pass_pays_once_even_when_the_event_is_delivered_many_times,
    a_manager_passing_gets_no_points_and_is_not_rated,
    levels_points_and_badges_from_the_card,
    automatic_badges_follow_their_rules,
    the_rating_orders_by_points_then_by_who_got_there_first,
);

/// A finish does not wait for a run of the consumers that cannot end: the finisher who starts
/// it waits a moment, then answers with the result, and the run pays the points once it can.
/// Here the ledger is locked (as a long run in a wave of finishes would hold the finisher), so
/// the run is stuck at its insert; without the bound the finish would answer only after the
/// lock is released.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_finish_does_not_wait_for_a_run_that_cannot_end() {
    let s = setup(
        Backend::Postgres,
        json!({ "min_read_secs": 0, "points": 150 }),
        1,
        1,
        None,
    )
    .await;
    let user = user_id(&s.app, crate::taking::EMPLOYEE_TG).await;
    let mut blocker = s.app.state.db.begin().await.unwrap();
    app::storage::on_conn!(blocker.conn(), |c| sqlx::query(
        "LOCK TABLE points_ledger IN SHARE MODE"
    )
    .execute(c)
    .await
    .map(|_| ()))
    .unwrap();
    const WAIT: std::time::Duration = std::time::Duration::from_secs(20);
    let finished = tokio::time::timeout(std::time::Duration::from_secs(10), pass(&s)).await;
    let r = finished.expect("the finish answered while the ledger was locked");
    assert_eq!(r["passed"], true);
    // The run is really stuck behind the lock (otherwise nothing above was tested).
    let app = &s.app;
    crate::helpers::eventually("a run waits for the ledger", WAIT, || async {
        let mut c = app.state.db.read().await.unwrap();
        let waiting: i64 = app::storage::on_conn!(c.conn(), |c| sqlx::query_scalar(
            "SELECT count(*) FROM pg_locks l JOIN pg_class t ON t.oid = l.relation \
             WHERE t.relname = 'points_ledger' AND NOT l.granted"
        )
        .fetch_one(c)
        .await)
        .unwrap();
        (waiting > 0).then_some(())
    })
    .await;
    assert_eq!(balance(app, user).await, 0);
    blocker.commit().await.unwrap();
    crate::helpers::eventually("the run pays once the lock is gone", WAIT, || async {
        (balance(app, user).await == 150).then_some(())
    })
    .await;
}
