//! The permission guard, table-driven: every server function that needs a module is called
//! without it and must refuse; with it, it must not refuse for lack of permission.

use crate::helpers::{Backend, TestApp, spawn_app};
use app::domain::permissions::Module;
use app::domain::user::Role;
use app::storage;

const PASSWORD: &str = "correct-horse-42";

/// A server function endpoint with form arguments that are valid for it.
type Call = (
    Module,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// Every module-guarded server function.
const GUARDED: &[Call] = &[
    (Module::Users, "dictionaries/list", &[]),
    (
        Module::Users,
        "dictionaries/add",
        &[("kind", "branch"), ("name", "Тверь")],
    ),
];

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

async fn each_guarded_function_refuses_without_its_module(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app
        .create_account("root", PASSWORD, Role::Admin, None)
        .await;
    let manager = app
        .create_account("mgr", PASSWORD, Role::Manager, None)
        .await;
    // Withdraw every module but one the table does not use, so the manager can still sign in.
    for m in Module::ALL {
        let keep = m == Module::Certifications;
        set_module(&app, manager.id, admin.id, m, Some(keep)).await;
    }
    for (module, endpoint, args) in GUARDED {
        app.forget_cookies();
        let r = app.call(endpoint, args).await;
        assert_eq!(r.status, 401, "{endpoint} without a session");

        assert_eq!(app.sign_in_admin("mgr", PASSWORD).await.status, 200);
        let r = app.call(endpoint, args).await;
        assert_eq!(r.status, 403, "{endpoint} without {module:?}: {:?}", r.body);

        // Granted to this one user: the next request passes, no new sign-in needed.
        set_module(&app, manager.id, admin.id, *module, Some(true)).await;
        let r = app.call(endpoint, args).await;
        assert_eq!(r.status, 200, "{endpoint} with {module:?}: {:?}", r.body);
        set_module(&app, manager.id, admin.id, *module, Some(false)).await;
        let r = app.call(endpoint, args).await;
        assert_eq!(
            r.status, 403,
            "{endpoint}: a withdrawal takes effect at once"
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
    for (_, endpoint, args) in GUARDED {
        assert_eq!(app.call(endpoint, args).await.status, 401, "{endpoint}");
    }
    assert_eq!(app.call("profile/get", &[]).await.status, 401);
}

crate::both_backends!(
    each_guarded_function_refuses_without_its_module,
    mini_app_sessions_do_not_open_the_admin_panel,
);
