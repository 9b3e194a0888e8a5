//! A manager limited to branches sees and acts on only their branches' people. Every server
//! function is either walked here (as such a manager and as an admin) or listed as one that
//! neither shows nor changes other people; a new one fails the test until it is placed.

use crate::analytics::stats;
use crate::compliance::person;
use crate::helpers::{Backend, Response, TestApp};
use crate::taking::{EMPLOYEE_TG, setup};
use app::domain::user::Role;
use app::domain::{BranchId, TelegramId};
use serde_json::{Value, json};

const PASSWORD: &str = "moscow-lead-password-1";
/// Anna's last name. She works in St Petersburg and has taken the certification.
const HIDDEN: &str = "Тестова";
/// The Moscow employee the manager does see.
const SHOWN: &str = "Московская";

/// How a server function is called.
enum Call {
    Form(Vec<(&'static str, String)>),
    Json(Value),
}

impl Call {
    async fn on(&self, app: &TestApp, endpoint: &str) -> Response {
        match self {
            Call::Form(args) => {
                let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
                app.call(endpoint, &args).await
            }
            Call::Json(body) => app.call_json(endpoint, body).await,
        }
    }
}

/// Reads that show people: the admin's answer names Anna, the manager's never does.
fn reads(cert: i64, anna: i64, entry: i64, attempt: i64) -> Vec<(&'static str, Call)> {
    let f = |args: &[(&'static str, String)]| Call::Form(args.to_vec());
    vec![
        (
            "users/list",
            f(&[("sort", "name".into()), ("page", "1".into())]),
        ),
        ("users/card", f(&[("id", anna.to_string())])),
        ("certifications/results", f(&[("id", cert.to_string())])),
        ("certifications/assign_targets", f(&[])),
        (
            "compliance/matrix",
            Call::Json(json!({ "filter": { "page": 1 } })),
        ),
        (
            "audit/list",
            Call::Json(json!({ "filter": {}, "before": null })),
        ),
        ("audit/entry", f(&[("id", entry.to_string())])),
        ("certifications/attempt", f(&[("id", attempt.to_string())])),
    ]
}

/// Changes of Anna: refused to the manager as if she did not exist (404), or for admins
/// only (403), and never carried out.
fn writes(cert: i64, anna: i64, badge: i64, moscow: i64, spb: i64) -> Vec<(&'static str, Call)> {
    let f = |args: &[(&'static str, String)]| Call::Form(args.to_vec());
    let id = || ("id", anna.to_string());
    let reason = || ("reason", "проверка".to_owned());
    vec![
        (
            "users/update",
            Call::Json(
                json!({ "id": anna, "edit": { "first_name": "Анна", "last_name": "Чужая",
                "role": "employee", "status": "active", "position": null, "branch": moscow } }),
            ),
        ),
        (
            "users/activate",
            f(&[
                id(),
                ("position", "1".into()),
                ("branch", moscow.to_string()),
            ]),
        ),
        ("users/points", f(&[id(), ("delta", "50".into()), reason()])),
        ("users/level", f(&[id(), ("level", "3".into()), reason()])),
        (
            "users/badges/award",
            f(&[id(), ("badge_id", badge.to_string()), reason()]),
        ),
        (
            "users/badges/revoke",
            f(&[id(), ("badge_id", badge.to_string()), reason()]),
        ),
        ("users/sessions/end", f(&[id()])),
        ("users/badges/evaluate", f(&[id()])),
        (
            "users/password",
            f(&[
                id(),
                ("login", "anna".into()),
                ("password", "Another-password-42".into()),
                ("confirm", "Another-password-42".into()),
            ]),
        ),
        (
            "users/permissions",
            Call::Json(json!({ "id": anna, "changes": [["users", true]] })),
        ),
        (
            "users/manager_branches",
            Call::Json(json!({ "id": anna, "branches": [moscow] })),
        ),
        (
            "certifications/grant-attempt",
            f(&[("id", cert.to_string()), ("user_id", anna.to_string())]),
        ),
        (
            "certifications/reset",
            f(&[
                ("id", cert.to_string()),
                ("user_id", anna.to_string()),
                reason(),
                ("require_reread", "false".into()),
            ]),
        ),
        (
            "certifications/assign",
            f(&[
                ("id", cert.to_string()),
                ("kind", "user".into()),
                ("target_id", anna.to_string()),
            ]),
        ),
        (
            "certifications/assign",
            f(&[
                ("id", cert.to_string()),
                ("kind", "branch".into()),
                ("target_id", spb.to_string()),
            ]),
        ),
    ]
}

/// Server functions that neither show nor change people other than the caller, or that are
/// scoped and checked by their own tests (named).
const NOT_ABOUT_OTHERS: &[&str] = &[
    // Sign-in and the caller's own account, profile and notifications.
    "auth/telegram_sign_in",
    "auth/member",
    "auth/admin_sign_in",
    "auth/admin",
    "auth/sign_out",
    "auth/dev_users",
    "auth/dev_sign_in",
    "profile/get",
    "profile/update_names",
    "profile/change_password",
    "notifications/mine",
    "notifications/mine/save",
    // The Mini App: the member's own certifications, attempts and achievements; the rating
    // is every employee's public board; the team pages are scoped (notifications tests).
    "app/certifications",
    "app/theory",
    "app/theory/shown",
    "app/attempts/start",
    "app/attempts/current",
    "app/attempts/answer",
    "app/attempts/heartbeat",
    "app/attempts/show",
    "app/attempts/leave",
    "app/attempts/finish",
    "app/attempts/result",
    "app/attempts/history",
    "app/attempts/review",
    "app/achievements",
    "app/achievements/of",
    "app/rating",
    "app/team",
    "app/team/person",
    "app/link",
    // Shared content: certifications, theory, questions, dictionaries, badges and levels.
    "certifications/list",
    "certifications/create",
    "certifications/get",
    "certifications/settings",
    "certifications/lifecycle",
    "certifications/reopen",
    // Reaches only the people the results show the actor (tested in `results`).
    "certifications/results/bulk",
    // Reaches only the people the matrix shows the actor (checked below).
    "compliance/remind",
    "certifications/blocks/add",
    "certifications/blocks/update",
    "certifications/blocks/delete",
    "certifications/blocks/reorder",
    "certifications/materials/add",
    "certifications/materials/delete",
    "certifications/questions",
    "certifications/questions/create",
    "certifications/questions/pick",
    "certifications/unassign",
    "certifications/preview",
    "questions/list",
    "questions/tags",
    "questions/get",
    "questions/save",
    "questions/duplicate",
    "questions/archive",
    "questions/delete",
    "questions/import",
    "questions/export",
    "dictionaries/list",
    "dictionaries/add",
    "gamification/catalogue",
    "gamification/levels",
    "gamification/badge",
    // Settings and integrations (admins' modules).
    "xapi/settings",
    "xapi/settings/save",
    "audit/settings",
    "audit/settings/save",
    "audit/test_message",
    "api-keys/list",
    "api-keys/create",
    "api-keys/revoke",
    "scim/settings",
    "scim/settings/save",
    "notifications/settings",
    "notifications/settings/save",
    "webhooks/list",
    "webhooks/create",
    "webhooks/update",
    "webhooks/enable",
    "webhooks/rotate",
    "webhooks/delete",
    "webhooks/ping",
    "webhooks/deliveries",
    "webhooks/redeliver",
    // Creating people: the branch is checked (below); an invite names nobody yet.
    "users/preregister",
    "users/import",
    "users/telegram-invite",
    // Scoped and checked below by figures rather than names.
    "certifications/stats",
    "analytics/dashboard",
    "notifications/log",
    "notifications/resend",
];

fn text(r: &Response) -> String {
    r.body.to_string()
}

async fn a_limited_manager_sees_and_changes_only_their_branches(backend: Backend) {
    let s = setup(backend, json!({ "min_read_secs": 0 }), 1, 1, None).await;
    let app = &s.app;
    let (moscow, spb) = {
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
    };
    let anna = {
        let mut c = app.state.db.read().await.unwrap();
        app::storage::users::get_by_telegram_id(c.conn(), TelegramId(EMPLOYEE_TG))
            .await
            .unwrap()
            .unwrap()
            .id
    };
    {
        let mut tx = app.state.db.begin().await.unwrap();
        app::storage::users::set_placement(tx.conn(), anna, None, Some(spb), app.state.now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let mira = person(app, 8201, SHOWN, moscow).await;
    let r = app
        .call(
            "certifications/assign",
            &[
                ("id", &s.cert.to_string()),
                ("kind", "branch"),
                ("target_id", &moscow.0.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);

    // Anna (St Petersburg) passes; she earns points and a badge.
    s.read_all().await;
    let attempt = s.started().await;
    s.answer(attempt, 0, &[1]).await;
    s.finish(attempt).await;
    let badge = app
        .call_json(
            "gamification/badge",
            &json!({ "badge": { "id": 0, "name": "Наставник", "description": "",
                "icon_url": null, "kind": "manual", "rule": null, "rule_n": null, "archived": false } }),
        )
        .await
        .body
        .as_i64()
        .unwrap();
    let r = app
        .call(
            "users/badges/award",
            &[
                ("id", &anna.0.to_string()),
                ("badge_id", &badge.to_string()),
                ("reason", "помогла"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);

    // The Moscow manager, with the audit log and the settings granted.
    let lead = app
        .create_account("moscow-lead", PASSWORD, Role::Manager, None)
        .await;
    for (endpoint, body) in [
        (
            "users/manager_branches",
            json!({ "id": lead.id, "branches": [moscow.0] }),
        ),
        (
            "users/permissions",
            json!({ "id": lead.id, "changes": [["audit_log", true], ["settings", true]] }),
        ),
    ] {
        let r = app.call_json(endpoint, &body).await;
        assert_eq!(r.status, 200, "{endpoint}: {:?}", r.body);
    }
    let entry = {
        let mut c = app.state.db.read().await.unwrap();
        let filter = app::audit::AuditFilter {
            target_type: Some("user".into()),
            target_id: Some(anna.0.to_string()),
            ..Default::default()
        };
        let everyone = app::domain::scope::PeopleScope::Everyone;
        app::storage::audit::list(c.conn(), &filter, &everyone, None, 1)
            .await
            .unwrap()[0]
            .id
            .0
    };
    let admin = app.client();
    let manager = app.client();
    manager.forget_cookies();
    assert_eq!(
        manager.sign_in_admin("moscow-lead", PASSWORD).await.status,
        200
    );

    // Every server function is placed.
    let walked: Vec<&str> = reads(0, 0, 0, 0)
        .into_iter()
        .chain(writes(0, 0, 0, 0, 0))
        .map(|(e, _)| e)
        .collect();
    let mut unplaced: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(p, _)| p.trim_start_matches("/api/").to_owned())
        .filter(|p| !walked.contains(&p.as_str()) && !NOT_ABOUT_OTHERS.contains(&p.as_str()))
        .collect();
    unplaced.sort();
    unplaced.dedup();
    assert!(
        unplaced.is_empty(),
        "server functions not placed in this test: {unplaced:?}"
    );

    for (endpoint, call) in reads(s.cert, anna.0, entry, attempt) {
        let seen = call.on(&admin, endpoint).await;
        assert_eq!(seen.status, 200, "admin, {endpoint}: {:?}", seen.body);
        assert!(
            text(&seen).contains(HIDDEN),
            "admin, {endpoint}: {:?}",
            seen.body
        );
        let theirs = call.on(&manager, endpoint).await;
        assert!(
            theirs.status == 200 || theirs.status == 404,
            "manager, {endpoint}: {} {:?}",
            theirs.status,
            theirs.body
        );
        assert!(
            !text(&theirs).contains(HIDDEN),
            "manager, {endpoint}: {:?}",
            theirs.body
        );
    }
    // Where the list has people, the manager's own are there.
    for endpoint in ["users/list", "certifications/results", "compliance/matrix"] {
        let call = reads(s.cert, anna.0, entry, attempt)
            .into_iter()
            .find(|(e, _)| *e == endpoint)
            .unwrap()
            .1;
        let theirs = call.on(&manager, endpoint).await;
        assert!(
            text(&theirs).contains(SHOWN),
            "{endpoint}: {:?}",
            theirs.body
        );
    }
    let remind = manager
        .call_json(
            "compliance/remind",
            &json!({ "filter": { "page": 1 }, "dry_run": true }),
        )
        .await;
    assert_eq!(remind.body["chosen"], 1, "Mira only: {:?}", remind.body);
    assert_eq!(
        manager
            .call("users/card", &[("id", &anna.0.to_string())])
            .await
            .status,
        404
    );
    assert_eq!(
        manager
            .call("users/card", &[("id", &mira.0.to_string())])
            .await
            .status,
        200
    );

    // Statistics and the dashboard count only the manager's people.
    let all = stats(&admin, s.cert, false).await;
    let theirs = stats(&manager, s.cert, false).await;
    assert_eq!(
        (all["attempts"].as_i64(), all["attempted"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(all["questions"][0]["answered"], 1, "{all}");
    assert_eq!(
        (theirs["attempts"].as_i64(), theirs["attempted"].as_i64()),
        (Some(0), Some(0)),
        "{theirs}"
    );
    assert_eq!(theirs["assigned"], 1, "Mira only: {theirs}");
    assert!(
        theirs["questions"].as_array().unwrap().is_empty(),
        "{theirs}"
    );
    let log = manager.call("notifications/log", &[("page", "1")]).await;
    assert_eq!(log.status, 200, "{:?}", log.body);
    assert!(!text(&log).contains(HIDDEN), "{:?}", log.body);

    // Exports: the admin's name Anna, the manager's never do.
    let results_csv = format!("/admin/certifications/{}/results.csv", s.cert);
    for path in [
        "/admin/compliance.csv",
        "/admin/audit/export.csv",
        results_csv.as_str(),
    ] {
        let (status, _, body) = admin.get_raw(path).await;
        assert_eq!(status, 200, "admin, {path}");
        assert!(
            String::from_utf8_lossy(&body).contains(HIDDEN),
            "admin, {path}"
        );
        let (status, _, body) = manager.get_raw(path).await;
        assert_eq!(status, 200, "manager, {path}");
        let body = String::from_utf8_lossy(&body);
        assert!(!body.contains(HIDDEN), "manager, {path}: {body}");
    }
    let (status, _, body) = manager
        .get_raw(&format!("/admin/certifications/{}/statistics.csv", s.cert))
        .await;
    assert_eq!(status, 200);
    let body = String::from_utf8_lossy(&body);
    assert!(body.lines().count() <= 1, "no answers of Moscow: {body}");

    // Changes of Anna are refused and change nothing.
    let card_before = admin
        .call("users/card", &[("id", &anna.0.to_string())])
        .await
        .body;
    for (endpoint, call) in writes(s.cert, anna.0, badge, moscow.0, spb.0) {
        let r = call.on(&manager, endpoint).await;
        assert!(
            r.status == 404 || r.status == 403,
            "manager, {endpoint}: {} {:?}",
            r.status,
            r.body
        );
    }
    let card_after = admin
        .call("users/card", &[("id", &anna.0.to_string())])
        .await
        .body;
    assert_eq!(card_before, card_after, "Anna is unchanged");
    let results = admin
        .call("certifications/results", &[("id", &s.cert.to_string())])
        .await
        .body;
    assert_eq!(
        results["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["user_id"] == anna.0)
            .map(|r| r["resets"].clone()),
        Some(json!(0)),
        "not reset: {results}"
    );

    // A person is not created in, or moved to, another branch.
    let r = manager
        .call_json(
            "users/preregister",
            &json!({ "person": { "telegram_id": 8301, "first_name": "Новый", "last_name": "Питерский",
                "role": "employee", "position": null, "branch": spb.0 } }),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    let r = manager
        .call_json(
            "users/update",
            &json!({ "id": mira, "edit": { "first_name": "Мира", "last_name": SHOWN,
                "role": "employee", "status": "active", "position": null, "branch": spb.0 } }),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    // Their own person they change as before.
    let r = manager
        .call(
            "users/points",
            &[
                ("id", &mira.0.to_string()),
                ("delta", "5"),
                ("reason", "за помощь"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

crate::both_backends!(a_limited_manager_sees_and_changes_only_their_branches);

async fn answer_keys_stay_with_the_question_bank(backend: Backend) {
    let s = setup(backend, json!({ "min_read_secs": 0 }), 1, 1, None).await;
    let app = &s.app;
    s.read_all().await;
    let attempt = s.started().await;
    s.answer(attempt, 0, &[2]).await;
    s.finish(attempt).await;
    let lead = app
        .create_account("no-bank", PASSWORD, Role::Manager, None)
        .await;
    let r = app
        .call_json(
            "users/permissions",
            &json!({ "id": lead.id, "changes": [["question_bank", false]] }),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let with_bank = app.client();
    let without = app.client();
    without.forget_cookies();
    assert_eq!(without.sign_in_admin("no-bank", PASSWORD).await.status, 200);
    let cert = s.cert.to_string();

    let editor = |who: &TestApp| {
        let who = who.client();
        let cert = cert.clone();
        async move {
            let r = who
                .call("certifications/get", &[("id", cert.as_str())])
                .await;
            assert_eq!(r.status, 200, "{:?}", r.body);
            r.body
        }
    };
    let full = editor(&with_bank).await;
    assert_eq!(
        full["questions"][0]["content"]["options"][0]["correct"], true,
        "{full}"
    );
    assert_eq!(full["keys_hidden"], false);
    let keyless = editor(&without).await;
    assert_eq!(keyless["keys_hidden"], true);
    let options = keyless["questions"][0]["content"]["options"]
        .as_array()
        .unwrap();
    assert!(options.iter().all(|o| o["correct"] == false), "{keyless}");

    let full = stats(&with_bank, s.cert, false).await;
    let marked = |s: &Value| {
        s["questions"][0]["options"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["correct"] == true)
            .count()
    };
    assert_eq!(marked(&full), 1, "{full}");
    let keyless = stats(&without, s.cert, false).await;
    assert_eq!(marked(&keyless), 0, "{keyless}");
    assert_eq!(
        keyless["questions"][0]["facility"], full["questions"][0]["facility"],
        "the figures stay"
    );
    let path = format!("/admin/certifications/{cert}/statistics.csv");
    let (_, _, body) = with_bank.get_raw(&path).await;
    assert!(String::from_utf8_lossy(&body).contains('✓'));
    let (status, _, body) = without.get_raw(&path).await;
    assert_eq!(status, 200);
    assert!(!String::from_utf8_lossy(&body).contains('✓'));
}

crate::both_backends!(answer_keys_stay_with_the_question_bank);
