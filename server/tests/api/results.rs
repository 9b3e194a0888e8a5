//! A certification's results for many people: both rates, search, filters, sorting, pages,
//! the export of what is filtered, and bulk actions that reach exactly the filtered people
//! in the actor's scope (reminders through a fake Bot API).

use crate::compliance::person;
use crate::fake_bot::{FakeTelegram, Limits};
use crate::helpers::{Backend, Options, TestApp, eventually};
use crate::taking::{EMPLOYEE_TG, Setup, setup, setup_with};
use app::domain::user::Role;
use app::domain::{BranchId, TelegramId, UserId};
use serde_json::{Value, json};
use std::time::Duration;

async fn branches(app: &TestApp) -> (BranchId, BranchId) {
    let mut tx = app.state.db.begin().await.unwrap();
    use app::storage::dictionaries::{Dictionary, ensure};
    let now = app.state.now();
    let m = ensure(tx.conn(), Dictionary::Branches, "Москва", now)
        .await
        .unwrap();
    let p = ensure(tx.conn(), Dictionary::Branches, "Петербург", now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (BranchId(m.id), BranchId(p.id))
}

async fn anna(app: &TestApp) -> UserId {
    let mut c = app.state.db.read().await.unwrap();
    app::storage::users::get_by_telegram_id(c.conn(), TelegramId(EMPLOYEE_TG))
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn place(app: &TestApp, user: UserId, branch: BranchId) {
    let mut tx = app.state.db.begin().await.unwrap();
    app::storage::users::set_placement(tx.conn(), user, None, Some(branch), app.state.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn assign_branch(s: &Setup, branch: BranchId) {
    let r = s
        .app
        .call(
            "certifications/assign",
            &[
                ("id", &s.cert.to_string()),
                ("kind", "branch"),
                ("target_id", &branch.0.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

async fn results(app: &TestApp, cert: i64, args: &[(&str, &str)]) -> Value {
    let cert = cert.to_string();
    let mut all = vec![("id", cert.as_str())];
    all.extend_from_slice(args);
    let r = app.call("certifications/results", &all).await;
    assert_eq!(r.status, 200, "{args:?}: {:?}", r.body);
    r.body
}

fn names(v: &Value) -> Vec<String> {
    v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r["last_name"].as_str().unwrap(),
                r["first_name"].as_str().unwrap()
            )
        })
        .collect()
}

async fn results_filter_sort_page_and_export_what_is_filtered(backend: Backend) {
    let s = setup(backend, json!({ "min_read_secs": 0 }), 1, 1, None).await;
    let app = &s.app;
    let (moscow, spb) = branches(app).await;
    let anna = anna(app).await;
    place(app, anna, spb).await;
    person(app, 7_001, "Дельта", spb).await;
    for i in 0..54 {
        person(app, 7_100 + i, &format!("Москвич{i:02}"), moscow).await;
    }
    assign_branch(&s, moscow).await;
    assign_branch(&s, spb).await;
    s.read_all().await;
    let a = s.started().await;
    s.answer(a, 0, &[1]).await;
    assert_eq!(s.finish(a).await["passed"], true);

    let all = results(app, s.cert, &[]).await;
    assert_eq!(all["total"], 56);
    assert_eq!(all["rows"].as_array().unwrap().len(), 50, "one page");
    assert_eq!(
        all["rates"],
        json!({ "assigned": 56, "attempted": 1, "passed": 1 }),
        "completion over everyone assigned, the pass rate over those who tried"
    );
    let sorted = names(&all);
    let mut expected = sorted.clone();
    expected.sort_by_key(|n| n.to_lowercase());
    assert_eq!(sorted, expected, "sorted by the name as shown");
    let second = results(app, s.cert, &[("page", "2")]).await;
    assert_eq!(second["rows"].as_array().unwrap().len(), 6);
    let desc = results(app, s.cert, &[("sort", "name"), ("desc", "true")]).await;
    let mut reversed: Vec<String> = expected
        .iter()
        .chain(names(&second).iter())
        .cloned()
        .collect();
    reversed.sort_by_key(|n| n.to_lowercase());
    reversed.reverse();
    assert_eq!(names(&desc)[..5], reversed[..5]);

    let spb_only = results(app, s.cert, &[("branch", &spb.0.to_string())]).await;
    assert_eq!(spb_only["total"], 2);
    assert_eq!(spb_only["rows"][0]["branch"], "Петербург");
    let found = results(app, s.cert, &[("search", "дЕЛЬ")]).await;
    assert_eq!(names(&found), vec!["Дельта Сотрудник".to_owned()]);
    let passed = results(app, s.cert, &[("state", "passed")]).await;
    assert_eq!(passed["total"], 1);
    assert_eq!(passed["rows"][0]["user_id"], anna.0);
    assert_eq!(passed["rows"][0]["state"]["state"], "passed");
    let best_first = results(app, s.cert, &[("sort", "best"), ("desc", "true")]).await;
    assert_eq!(
        best_first["rows"][0]["user_id"], anna.0,
        "the only result first"
    );
    let best_last = results(app, s.cert, &[("sort", "best")]).await;
    assert_eq!(
        best_last["rows"][0]["user_id"], anna.0,
        "empty results sort last either way"
    );
    assert_eq!(
        app.call(
            "certifications/results",
            &[("id", &s.cert.to_string()), ("state", "nonsense")]
        )
        .await
        .status,
        400
    );

    // The users list says each person's completion.
    let listed = app
        .call(
            "users/list",
            &[("search", "Тестова"), ("sort", "name"), ("page", "1")],
        )
        .await;
    assert_eq!(
        listed.body["items"][0]["certs"],
        json!({ "assigned": 1, "attempted": 1, "passed": 1 }),
        "{:?}",
        listed.body
    );
    let moscow_person = app
        .call(
            "users/list",
            &[("search", "Москвич00"), ("sort", "name"), ("page", "1")],
        )
        .await;
    assert_eq!(moscow_person.body["items"][0]["certs"]["assigned"], 1);
    assert_eq!(moscow_person.body["items"][0]["certs"]["passed"], 0);

    // The export holds what is filtered: every row, not one page.
    let path = format!(
        "/admin/certifications/{}/results.csv?branch={}&sort=name",
        s.cert, spb.0
    );
    let (status, headers, body) = app.get_raw(&path).await;
    assert_eq!(status, 200);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = String::from_utf8_lossy(&body);
    assert_eq!(csv.lines().count(), 3, "a header and two people: {csv}");
    assert!(csv.contains("Дельта Сотрудник"), "{csv}");
    assert!(!csv.contains("Москвич"), "{csv}");
    let (status, _, body) = app
        .get_raw(&format!("/admin/certifications/{}/results.csv", s.cert))
        .await;
    assert_eq!(status, 200);
    assert_eq!(String::from_utf8_lossy(&body).lines().count(), 57);
    let (status, headers, _) = app
        .get_raw(&format!(
            "/admin/certifications/{}/results.xlsx?state=passed",
            s.cert
        ))
        .await;
    assert_eq!(status, 200);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    let (status, _, _) = app
        .get_raw(&format!(
            "/admin/certifications/{}/results.csv?sort=sideways",
            s.cert
        ))
        .await;
    assert_eq!(status, 400);
}

fn bot_options(fake: &FakeTelegram) -> Options {
    Options {
        bot_api_url: Some(fake.url.clone()),
        env: vec![
            ("JOBS_TICK_MS".into(), "50".into()),
            ("TELEGRAM_HTTP_BUTTONS".into(), "true".into()),
            ("TELEGRAM_GLOBAL_RATE".into(), "500".into()),
            ("TELEGRAM_CHAT_SPACING_MS".into(), "20".into()),
            // The test moves its clock up to a day ahead (to daytime).
            ("ADMIN_SESSION_SECS".into(), "172800".into()),
        ],
    }
}

/// Moves the app's clock to the next noon of its display time zone: reminders wait out the
/// quiet hours, and a test must not depend on the hour it runs at.
fn to_next_noon(app: &TestApp) {
    let offset_ms = i64::from(app.state.config.display_utc_offset_minutes) * 60_000;
    let local = app.clock_ms() + offset_ms;
    let day = 86_400_000;
    let mut noon = local - local.rem_euclid(day) + day / 2;
    if noon <= local {
        noon += day;
    }
    app.clock.set(app::domain::Timestamp(noon - offset_ms));
}

async fn bulk(app: &TestApp, cert: i64, body: Value) -> crate::helpers::Response {
    let mut body = body;
    body["id"] = json!(cert);
    app.call_json("certifications/results/bulk", &body).await
}

async fn a_bulk_remind_reaches_exactly_the_filtered_people_in_scope(backend: Backend) {
    let fake = FakeTelegram::start(Limits::none()).await;
    let s = setup_with(
        backend,
        json!({ "min_read_secs": 0 }),
        1,
        1,
        bot_options(&fake),
    )
    .await;
    let app = &s.app;
    to_next_noon(app);
    let (moscow, spb) = branches(app).await;
    let anna = anna(app).await;
    place(app, anna, spb).await;
    let ivan = person(app, 7_201, "Иванов", moscow).await;
    let petr = person(app, 7_202, "Петров", moscow).await;
    let muted = person(app, 7_203, "Тихонов", moscow).await;
    person(app, 7_204, "Питерский", spb).await;
    {
        let mut tx = app.state.db.begin().await.unwrap();
        app::storage::notifications::set_mutes(tx.conn(), muted, &["reminder"], app.state.now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    assign_branch(&s, moscow).await;
    assign_branch(&s, spb).await;
    let lead = app
        .create_account("moscow-lead", "moscow-lead-password-1", Role::Manager, None)
        .await;
    let r = app
        .call_json(
            "users/manager_branches",
            &json!({ "id": lead.id, "branches": [moscow.0] }),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let manager = app.client();
    manager.forget_cookies();
    assert_eq!(
        manager
            .sign_in_admin("moscow-lead", "moscow-lead-password-1")
            .await
            .status,
        200
    );

    // Reminders only (assigning told everyone already).
    let reminders = |fake: &FakeTelegram| -> Vec<i64> {
        fake.delivered()
            .iter()
            .filter(|c| c.body["text"].as_str().is_some_and(|t| t.starts_with('⏰')))
            .filter_map(|c| c.body["chat_id"].as_i64())
            .collect()
    };
    let remind = |selected: Value, dry_run: bool| {
        json!({ "filter": { "search": null, "branch": null, "position": null, "state": null, "flagged": false },
                "selected": selected, "action": "Remind", "dry_run": dry_run })
    };
    // Choosing Anna (another branch) reaches nobody: she is not among the manager's people.
    let r = bulk(&manager, s.cert, remind(json!([anna.0]), true)).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["chosen"], 0);
    let preview = bulk(&manager, s.cert, remind(json!(null), true)).await;
    assert_eq!(
        preview.body,
        json!({ "chosen": 3, "applies": 3, "reached": 2, "done": 0 }),
        "three in Moscow, one muted reminders"
    );
    assert!(reminders(&fake).is_empty(), "a preview sends nothing");
    let sent = bulk(&manager, s.cert, remind(json!(null), false)).await;
    assert_eq!(sent.body["done"], 2, "{:?}", sent.body);
    for chat in [7_201, 7_202] {
        eventually("the reminder", Duration::from_secs(20), || async {
            reminders(&fake).contains(&chat).then_some(())
        })
        .await;
    }
    let chats = reminders(&fake);
    assert!(
        !chats.contains(&EMPLOYEE_TG) && !chats.contains(&7_204) && !chats.contains(&7_203),
        "only the manager's reachable people: {chats:?}"
    );
    let again = bulk(&manager, s.cert, remind(json!(null), false)).await;
    assert_eq!(again.body["done"], 0, "once a day: {:?}", again.body);
    let audit = app
        .call_json(
            "audit/list",
            &json!({ "filter": { "action": "reminders_sent" }, "before": null }),
        )
        .await;
    assert_eq!(
        audit.body["items"].as_array().map(Vec::len),
        Some(1),
        "{:?}",
        audit.body
    );

    // One more attempt for the chosen: only those who used one.
    s.read_all().await;
    let a = s.started().await;
    s.finish(a).await;
    let grant = |selected: Value, dry_run: bool| {
        json!({ "filter": { "search": null, "branch": null, "position": null, "state": null, "flagged": false },
                "selected": selected, "action": "GrantAttempt", "dry_run": dry_run })
    };
    let p = bulk(app, s.cert, grant(json!([anna.0, ivan.0, petr.0]), true)).await;
    assert_eq!(
        p.body["applies"], 1,
        "only Anna has used an attempt: {:?}",
        p.body
    );
    let done = bulk(app, s.cert, grant(json!([anna.0, ivan.0, petr.0]), false)).await;
    assert_eq!(done.body["done"], 1, "{:?}", done.body);
    let row = results(app, s.cert, &[("search", "Тестова")]).await;
    assert_eq!(row["rows"][0]["attempts_used"], 0, "{row}");
    // A reset without a reason is refused for everyone at once.
    let r = bulk(
        app,
        s.cert,
        json!({ "filter": { "search": null, "branch": null, "position": null, "state": null, "flagged": false },
                "selected": null, "action": { "Reset": { "reason": " ", "require_reread": false } }, "dry_run": true }),
    )
    .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
}

crate::both_backends!(
    results_filter_sort_page_and_export_what_is_filtered,
    a_bulk_remind_reaches_exactly_the_filtered_people_in_scope,
);
