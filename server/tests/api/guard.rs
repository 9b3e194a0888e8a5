//! The permission guard, table-driven: every server function that needs a module is called
//! without it and must refuse for that reason; with the module it must not refuse.

use crate::helpers::Options;
use crate::helpers::init_data_for;
use crate::helpers::spawn_app_with;
use crate::helpers::{Backend, TestApp, spawn_app};
use crate::taking::setup;
use app::domain::permissions::Module;
use app::domain::user::Role;
use app::storage;
use reqwest::Method;
use serde_json::{Value, json};

const PASSWORD: &str = "correct-horse-42";

/// A module-guarded server function with a body (form or JSON) that is valid for it.
struct Guarded {
    module: Module,
    endpoint: &'static str,
    body: Body,
    /// A second module the function needs as well (points and badges from the user card).
    also: Option<Module>,
    /// Whether the call succeeds (200) on an empty database once the module is granted;
    /// functions that need an existing record answer 404 instead.
    succeeds: bool,
    /// Admins only even with the module: a manager gets 403 "admins only".
    admin_only: bool,
}

/// Functions a manager with the module is still refused (passwords, permissions).
fn admin_only(g: Guarded) -> Guarded {
    Guarded {
        admin_only: true,
        ..g
    }
}

enum Body {
    Form(Vec<(&'static str, &'static str)>),
    Json(Value),
}

fn form(
    module: Module,
    endpoint: &'static str,
    args: Vec<(&'static str, &'static str)>,
    succeeds: bool,
) -> Guarded {
    Guarded {
        module,
        endpoint,
        body: Body::Form(args),
        succeeds,
        also: None,
        admin_only: false,
    }
}

/// Rewards from the user card: the users module and the gamification module.
fn rewards(
    endpoint: &'static str,
    args: Vec<(&'static str, &'static str)>,
    succeeds: bool,
) -> Guarded {
    Guarded {
        also: Some(Module::Gamification),
        ..form(Module::Users, endpoint, args, succeeds)
    }
}

fn json_body(module: Module, endpoint: &'static str, body: Value, succeeds: bool) -> Guarded {
    Guarded {
        module,
        endpoint,
        body: Body::Json(body),
        succeeds,
        also: None,
        admin_only: false,
    }
}

/// Every module-guarded server function of the admin panel.
fn guarded() -> Vec<Guarded> {
    use Module::*;
    let question = json!({ "kind": "single", "text": "<p>Q</p>", "options": [{ "text": "a", "correct": true }, { "text": "b" }] });
    let settings =
        serde_json::to_value(app::domain::certification::CertSettings::default()).unwrap();
    let person = json!({ "telegram_id": 5, "first_name": "A", "last_name": "", "role": "employee", "position": null, "branch": null });
    let edit = json!({ "first_name": "A", "last_name": "", "role": "employee", "status": "active", "position": null, "branch": null });
    let badge = json!({ "id": 0, "name": "x", "description": "", "icon_url": null, "kind": "manual", "rule": null, "rule_n": null, "archived": false });
    let block = json!({ "kind": "text", "title": "", "body": "<p>x</p>", "url": "" });
    vec![
        form(Users, "dictionaries/list", vec![], true),
        form(
            Users,
            "dictionaries/add",
            vec![("kind", "branch"), ("name", "Тверь")],
            true,
        ),
        form(
            Users,
            "users/list",
            vec![("sort", "name"), ("page", "1")],
            true,
        ),
        form(Users, "users/card", vec![("id", "999")], false),
        form(
            Users,
            "users/activate",
            vec![("id", "999"), ("position", "1"), ("branch", "1")],
            false,
        ),
        admin_only(form(
            Users,
            "users/password",
            vec![
                ("id", "999"),
                ("login", "someone"),
                ("password", "Password-1234"),
                ("confirm", "Password-1234"),
            ],
            false,
        )),
        rewards(
            "users/points",
            vec![("id", "999"), ("delta", "1"), ("reason", "x")],
            false,
        ),
        rewards(
            "users/level",
            vec![("id", "999"), ("level", "1"), ("reason", "x")],
            false,
        ),
        rewards(
            "users/badges/award",
            vec![("id", "999"), ("badge_id", "1"), ("reason", "x")],
            false,
        ),
        rewards(
            "users/badges/revoke",
            vec![("id", "999"), ("badge_id", "1"), ("reason", "x")],
            false,
        ),
        rewards("users/badges/evaluate", vec![("id", "999")], false),
        json_body(
            Users,
            "users/update",
            json!({ "id": 999, "edit": edit }),
            false,
        ),
        json_body(
            Users,
            "users/preregister",
            json!({ "person": person }),
            true,
        ),
        json_body(
            Users,
            "users/import",
            json!({ "csv": "telegram_id,first_name\n6,A\n" }),
            true,
        ),
        admin_only(json_body(
            Users,
            "users/permissions",
            json!({ "id": 999, "changes": [] }),
            false,
        )),
        form(
            QuestionBank,
            "questions/list",
            vec![("archived", "false"), ("page", "1")],
            true,
        ),
        form(QuestionBank, "questions/tags", vec![], true),
        form(
            QuestionBank,
            "questions/export",
            vec![("format", "csv")],
            true,
        ),
        form(QuestionBank, "questions/get", vec![("id", "999")], false),
        form(
            QuestionBank,
            "questions/duplicate",
            vec![("id", "999")],
            false,
        ),
        form(
            QuestionBank,
            "questions/archive",
            vec![("id", "999"), ("archived", "true")],
            false,
        ),
        form(QuestionBank, "questions/delete", vec![("id", "999")], false),
        json_body(
            QuestionBank,
            "questions/save",
            json!({ "id": null, "content": question }),
            true,
        ),
        json_body(
            QuestionBank,
            "questions/import",
            json!({ "format": "csv", "data": "kind,text,options,correct,explanation,tags\nsingle,Q,a|b,1,,\n" }),
            true,
        ),
        form(
            Certifications,
            "certifications/list",
            vec![("page", "1")],
            true,
        ),
        form(
            Certifications,
            "certifications/create",
            vec![("title", "Проверка")],
            true,
        ),
        form(
            Certifications,
            "certifications/assign_targets",
            vec![],
            true,
        ),
        form(
            Certifications,
            "certifications/questions/pick",
            vec![("page", "1")],
            true,
        ),
        form(
            Certifications,
            "certifications/get",
            vec![("id", "999")],
            false,
        ),
        form(
            Certifications,
            "certifications/lifecycle",
            vec![("id", "999"), ("action", "OpenNow")],
            false,
        ),
        form(
            Certifications,
            "certifications/assign",
            vec![("id", "999"), ("kind", "branch"), ("target_id", "1")],
            false,
        ),
        form(
            Certifications,
            "certifications/unassign",
            vec![("id", "999"), ("kind", "branch"), ("target_id", "1")],
            false,
        ),
        form(
            Certifications,
            "certifications/blocks/delete",
            vec![("block_id", "999"), ("require_reread", "false")],
            false,
        ),
        form(
            Certifications,
            "certifications/materials/delete",
            vec![("material_id", "999")],
            false,
        ),
        form(
            Certifications,
            "certifications/results",
            vec![("id", "999")],
            false,
        ),
        form(
            Certifications,
            "certifications/preview",
            vec![("id", "999")],
            false,
        ),
        form(
            Certifications,
            "certifications/reset",
            vec![
                ("id", "999"),
                ("user_id", "1"),
                ("reason", "x"),
                ("require_reread", "false"),
            ],
            false,
        ),
        json_body(
            Certifications,
            "certifications/settings",
            json!({ "id": 999, "settings": settings }),
            false,
        ),
        json_body(
            Certifications,
            "certifications/blocks/add",
            json!({ "id": 999, "block": block, "require_reread": false }),
            false,
        ),
        json_body(
            Certifications,
            "certifications/blocks/update",
            json!({ "block_id": 999, "block": block, "require_reread": false }),
            false,
        ),
        json_body(
            Certifications,
            "certifications/blocks/reorder",
            json!({ "id": 999, "order": [], "require_reread": false }),
            false,
        ),
        json_body(
            Certifications,
            "certifications/materials/add",
            json!({ "id": 999, "kind": "link", "title": "t", "url": "https://x.org" }),
            false,
        ),
        json_body(
            Certifications,
            "certifications/questions",
            json!({ "id": 999, "questions": [] }),
            false,
        ),
        json_body(
            Certifications,
            "certifications/questions/create",
            json!({ "id": 999, "content": question }),
            false,
        ),
        form(Gamification, "gamification/catalogue", vec![], true),
        json_body(
            Gamification,
            "gamification/levels",
            json!({ "levels": [{ "number": 1, "name": "Новичок", "min_points": 0 }] }),
            true,
        ),
        json_body(
            Gamification,
            "gamification/badge",
            json!({ "badge": badge }),
            true,
        ),
        admin_only(form(
            Users,
            "users/sessions/end",
            vec![("id", "999")],
            false,
        )),
        json_body(
            AuditLog,
            "audit/list",
            json!({ "filter": {}, "before": null }),
            true,
        ),
        form(AuditLog, "audit/entry", vec![("id", "999999")], false),
        form(Settings, "audit/settings", vec![], true),
        json_body(
            Settings,
            "audit/settings/save",
            json!({ "settings": { "chat_id": null, "topics": { "mode": "per_group" }, "posted": [], "retention_days": null } }),
            true,
        ),
    ]
}

async fn set_module(
    app: &TestApp,
    user: app::domain::UserId,
    by: app::domain::UserId,
    module: Module,
    granted: Option<bool>,
) {
    let mut tx = app.state.db.begin().await.unwrap();
    storage::permissions::set_override(tx.conn(), user, module, granted, by, app.state.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn call(app: &TestApp, g: &Guarded) -> crate::helpers::Response {
    match &g.body {
        Body::Form(args) => app.call(g.endpoint, args).await,
        Body::Json(v) => app.call_json(g.endpoint, v).await,
    }
}

async fn each_guarded_function_refuses_without_its_module(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app
        .create_account("root", PASSWORD, Role::Admin, None)
        .await;
    let manager = app
        .create_account("mgr", PASSWORD, Role::Manager, None)
        .await;
    // The manager keeps one module none of these functions needs: a refusal below is about the
    // missing module, not about access to the admin panel.
    for m in Module::ALL {
        set_module(&app, manager.id, admin.id, m, Some(m == Module::ApiKeys)).await;
    }
    for g in guarded() {
        app.forget_cookies();
        let r = call(&app, &g).await;
        assert_eq!(r.status, 401, "{} without a session", g.endpoint);

        assert_eq!(app.sign_in_admin("mgr", PASSWORD).await.status, 200);
        let r = call(&app, &g).await;
        assert_eq!(
            r.status, 403,
            "{} without {:?}: {:?}",
            g.endpoint, g.module, r.body
        );
        assert_eq!(r.body["Forbidden"], "ErrNoModule", "{}", g.endpoint);

        // Granted to this one user: the next request passes, no new sign-in needed.
        set_module(&app, manager.id, admin.id, g.module, Some(true)).await;
        if let Some(also) = g.also {
            let r = call(&app, &g).await;
            assert_eq!(
                r.status, 403,
                "{} without {:?}: {:?}",
                g.endpoint, also, r.body
            );
            set_module(&app, manager.id, admin.id, also, Some(true)).await;
        }
        let r = call(&app, &g).await;
        let want = match (g.admin_only, g.succeeds) {
            (true, _) => 403,
            (false, true) => 200,
            (false, false) => 404,
        };
        assert_eq!(
            r.status, want,
            "{} with {:?}: {:?}",
            g.endpoint, g.module, r.body
        );
        if g.admin_only {
            assert_eq!(r.body["Forbidden"], "ErrAdminOnly", "{}", g.endpoint);
        }
        set_module(&app, manager.id, admin.id, g.module, Some(false)).await;
        if let Some(also) = g.also {
            set_module(&app, manager.id, admin.id, also, Some(false)).await;
        }
        let r = call(&app, &g).await;
        assert_eq!(
            r.status, 403,
            "{}: a withdrawal takes effect at once",
            g.endpoint
        );
    }
}

async fn mini_app_sessions_do_not_open_the_admin_panel(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app
        .create_account("root", PASSWORD, Role::Admin, Some(9001))
        .await;
    assert_eq!(admin.role, Role::Admin);
    // Signed in through Telegram only: the admin cookie is absent.
    assert_eq!(app.sign_in_telegram(9001, "Root").await.status, 200);
    for g in guarded() {
        assert_eq!(call(&app, &g).await.status, 401, "{}", g.endpoint);
    }
    assert_eq!(app.call("profile/get", &[]).await.status, 401);
}

crate::both_backends!(
    each_guarded_function_refuses_without_its_module,
    mini_app_sessions_do_not_open_the_admin_panel,
);

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

crate::both_backends!(
    cookie_writes_need_our_origin,
    pages_carry_a_content_security_policy,
    forwarded_addresses_count_only_from_trusted_proxies,
    malformed_arguments_get_400_and_page_numbers_are_clamped,
);
