//! The users module: edits, activation, pre-registration, import, permissions, passwords and
//! every escalation path.

use crate::helpers::{Backend, TestApp, spawn_app};
use crate::taking::EMPLOYEE_TG;
use crate::taking::setup;
use app::domain::user::Role;
use serde_json::json;

const PASSWORD: &str = "correct-horse-42";

async fn with_admin_and_manager(backend: Backend) -> (TestApp, i64, i64) {
    let app = spawn_app(backend).await;
    let admin = app
        .create_account("root", PASSWORD, Role::Admin, Some(1))
        .await;
    let manager = app
        .create_account("mgr", PASSWORD, Role::Manager, Some(2))
        .await;
    (app, admin.id.0, manager.id.0)
}

async fn employee(app: &TestApp, tg: i64) -> i64 {
    let r = app
        .call_json(
            "users/preregister",
            &json!({ "person": { "telegram_id": tg, "first_name": "Иван",
        "last_name": "Сотрудников", "role": "employee", "position": null, "branch": null } }),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body.as_i64().unwrap()
}

fn edit(role: &str) -> serde_json::Value {
    json!({ "first_name": "Имя", "last_name": "Фамилия", "role": role, "status": "active", "position": null, "branch": null })
}

async fn every_escalation_path_is_refused(backend: Backend) {
    let (app, admin, manager) = with_admin_and_manager(backend).await;
    app.sign_in_admin("mgr", PASSWORD).await;
    let emp = employee(&app, 10).await;

    // A manager edits an employee's profile fields…
    let r = app
        .call_json(
            "users/update",
            &json!({ "id": emp, "edit": edit("employee") }),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // …but makes nobody a manager or admin, and edits no admin.
    let r = app
        .call_json("users/update", &json!({ "id": emp, "edit": edit("admin") }))
        .await;
    assert_eq!(r.status, 403, "promoting another to admin");
    let r = app
        .call_json(
            "users/update",
            &json!({ "id": emp, "edit": edit("manager") }),
        )
        .await;
    assert_eq!(r.status, 403, "promoting another to manager");
    let r = app
        .call_json(
            "users/update",
            &json!({ "id": manager, "edit": edit("admin") }),
        )
        .await;
    assert_eq!(r.status, 403, "promoting oneself");
    let r = app
        .call_json(
            "users/update",
            &json!({ "id": admin, "edit": edit("admin") }),
        )
        .await;
    assert_eq!(r.status, 403, "editing an admin");
    let r = app
        .call_json(
            "users/permissions",
            &json!({ "id": manager, "changes": [["api_keys", true]] }),
        )
        .await;
    assert_eq!(r.status, 403, "granting oneself a module");
    let r = app
        .call_json(
            "users/permissions",
            &json!({ "id": emp, "changes": [["users", true]] }),
        )
        .await;
    assert_eq!(r.status, 403, "permissions are for admins");
    let r = app
        .call(
            "users/password",
            &[
                ("id", &admin.to_string()),
                ("login", "root"),
                ("password", "new-Password-123"),
                ("confirm", "new-Password-123"),
            ],
        )
        .await;
    assert_eq!(r.status, 403, "changing an admin's password as a manager");
    let r = app
        .call(
            "users/password",
            &[
                ("id", &emp.to_string()),
                ("login", "emp"),
                ("password", "new-Password-123"),
                ("confirm", "new-Password-123"),
            ],
        )
        .await;
    assert_eq!(r.status, 403, "other people's passwords are for admins");

    // Even an admin changes neither their own role nor their own permissions.
    app.forget_cookies();
    app.sign_in_admin("root", PASSWORD).await;
    let r = app
        .call_json(
            "users/update",
            &json!({ "id": admin, "edit": edit("employee") }),
        )
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .call_json(
            "users/permissions",
            &json!({ "id": admin, "changes": [["settings", false]] }),
        )
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .call_json(
            "users/update",
            &json!({ "id": emp, "edit": edit("manager") }),
        )
        .await;
    assert_eq!(
        r.status, 200,
        "an admin promotes someone else: {:?}",
        r.body
    );
    let mut stale = edit("employee");
    stale["position"] = json!(99_999);
    let r = app
        .call_json("users/update", &json!({ "id": emp, "edit": stale }))
        .await;
    assert_eq!(
        r.status, 422,
        "a position that does not exist: {:?}",
        r.body
    );
    assert_eq!(r.body["Invalid"]["fields"][0]["field"], "position");
}

async fn permissions_differ_per_user_and_apply_at_once(backend: Backend) {
    let (app, _admin, manager) = with_admin_and_manager(backend).await;
    let other = app
        .create_account("mgr2", PASSWORD, Role::Manager, Some(3))
        .await
        .id
        .0;
    app.sign_in_admin("root", PASSWORD).await;
    let r = app
        .call_json(
            "users/permissions",
            &json!({ "id": manager, "changes": [["users", false], ["audit_log", true]] }),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let a = app
        .call("users/card", &[("id", &manager.to_string())])
        .await
        .body;
    let b = app
        .call("users/card", &[("id", &other.to_string())])
        .await
        .body;
    assert_ne!(
        a["effective"], b["effective"],
        "same role, different modules"
    );
    // The manager's next request is refused, without signing in again.
    let admin_jar = app.cookies();
    app.forget_cookies();
    app.sign_in_admin("mgr", PASSWORD).await;
    assert_eq!(
        app.call("users/list", &[("sort", "name"), ("page", "1")])
            .await
            .status,
        403
    );
    let mgr_jar = app.cookies();
    app.set_cookies(admin_jar);
    app.call_json(
        "users/permissions",
        &json!({ "id": manager, "changes": [["users", null]] }),
    )
    .await;
    app.set_cookies(mgr_jar);
    assert_eq!(
        app.call("users/list", &[("sort", "name"), ("page", "1")])
            .await
            .status,
        200,
        "back to the role default"
    );
}

async fn pending_people_are_activated_with_a_position_and_a_branch(backend: Backend) {
    let (app, _, _) = with_admin_and_manager(backend).await;
    app.sign_in_telegram(4242, "Новенький").await;
    let me = app.get("/auth/me").await.body;
    assert_eq!(me["status"], "pending");
    assert_eq!(
        app.call("app/certifications", &[]).await.status,
        403,
        "pending: nothing but waiting"
    );
    let user = me["id"].as_i64().unwrap().to_string();
    app.sign_in_admin("root", PASSWORD).await;
    let b = app
        .call("dictionaries/add", &[("kind", "branch"), ("name", "Тула")])
        .await
        .body["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let p = app
        .call(
            "dictionaries/add",
            &[("kind", "position"), ("name", "Кассир")],
        )
        .await
        .body["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let r = app
        .call(
            "users/list",
            &[("status", "pending"), ("sort", "registered"), ("page", "1")],
        )
        .await;
    assert_eq!(r.body["total"], 1);
    let r = app
        .call(
            "users/activate",
            &[("id", &user), ("position", &p), ("branch", &b)],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = app
        .call(
            "users/activate",
            &[("id", &user), ("position", &p), ("branch", &b)],
        )
        .await;
    assert_eq!(r.status, 422, "only pending people are activated");
    assert_eq!(app.get("/auth/me").await.body["status"], "active");
    assert_eq!(app.call("app/certifications", &[]).await.status, 200);
    let card = app.call("users/card", &[("id", &user)]).await.body;
    assert_eq!(card["position"], "Кассир");
    assert_eq!(card["branch"], "Тула");
}

async fn preregistration_and_csv_import(backend: Backend) {
    let (app, _, _) = with_admin_and_manager(backend).await;
    app.sign_in_admin("root", PASSWORD).await;
    employee(&app, 500).await;
    let r = app
        .call_json(
            "users/preregister",
            &json!({ "person": { "telegram_id": 500, "first_name": "Дубль",
        "last_name": "", "role": "employee", "position": null, "branch": null } }),
        )
        .await;
    assert_eq!(r.status, 422, "one person per Telegram id");
    assert_eq!(
        app.sign_in_telegram(500, "Tg").await.body["status"],
        "active",
        "pre-registered: active at once"
    );

    let bad = "telegram_id,first_name,last_name,position,branch\n600,Анна,А,Кассир,Тула\nnot-a-number,Б,Б,,\n";
    let r = app.call_json("users/import", &json!({ "csv": bad })).await;
    assert_eq!(r.body["imported"], 0);
    assert_eq!(r.body["errors"][0]["row"], 2);
    let r = app
        .call(
            "users/list",
            &[("search", "600"), ("sort", "name"), ("page", "1")],
        )
        .await;
    assert_eq!(r.body["total"], 0, "nothing imported half-way");
    let good =
        "telegram_id;first_name;last_name;position;branch\n600;Анна;А;Кассир;Тула\n601;Борис;Б;;\n";
    let r = app.call_json("users/import", &json!({ "csv": good })).await;
    assert_eq!(r.body["imported"], 2, "{:?}", r.body);
    let r = app
        .call(
            "users/list",
            &[("search", "анна"), ("sort", "name"), ("page", "1")],
        )
        .await;
    assert_eq!(r.body["items"][0]["branch"], "Тула");
}

async fn passwords_are_set_with_confirmation_and_the_strength_rule(backend: Backend) {
    let (app, _, manager) = with_admin_and_manager(backend).await;
    app.sign_in_admin("root", PASSWORD).await;
    let id = manager.to_string();
    let set = |p: &'static str, c: &'static str| {
        let id = id.clone();
        let app = &app;
        async move {
            app.call(
                "users/password",
                &[
                    ("id", &id),
                    ("login", "mgr"),
                    ("password", p),
                    ("confirm", c),
                ],
            )
            .await
        }
    };
    assert_eq!(set("short1", "short1").await.status, 422);
    assert_eq!(
        set("long-enough-password", "long-enough-password")
            .await
            .status,
        422,
        "needs a digit"
    );
    let r = set("New-password-2026", "New-password-2027").await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["Invalid"]["fields"][0]["field"], "confirm");
    assert_eq!(
        set("New-password-2026", "New-password-2026").await.status,
        200
    );
    app.forget_cookies();
    assert_eq!(
        app.sign_in_admin("mgr", PASSWORD).await.status,
        401,
        "the old password no longer works"
    );
    assert_eq!(
        app.sign_in_admin("mgr", "New-password-2026").await.status,
        200
    );
}

crate::both_backends!(
    every_escalation_path_is_refused,
    permissions_differ_per_user_and_apply_at_once,
    pending_people_are_activated_with_a_position_and_a_branch,
    preregistration_and_csv_import,
    passwords_are_set_with_confirmation_and_the_strength_rule,
);

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

crate::both_backends!(
    nobody_rewards_or_resets_themselves,
    activation_follows_the_role_rules,
);
