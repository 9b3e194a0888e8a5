//! The compliance matrix through the real server: one person passes, two in other branches
//! have not started; after the close date they are overdue and the pass stays; a manager
//! limited to one branch sees that branch only; the CSV holds exactly the filtered rows.

use crate::helpers::{Backend, TestApp};
use crate::taking::setup;
use app::domain::user::{Role, UserStatus};
use app::domain::{BranchId, TelegramId, UserId};
use serde_json::{Value, json};

async fn matrix(app: &TestApp, filter: Value) -> Value {
    let r = app
        .call_json("compliance/matrix", &json!({ "filter": filter }))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body
}

/// Each row's name and its cell states.
fn states(m: &Value) -> Vec<(String, Vec<String>)> {
    m["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let cells = r["cells"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["state"].as_str().unwrap().to_owned())
                .collect();
            (r["name"].as_str().unwrap().to_owned(), cells)
        })
        .collect()
}

pub async fn person(app: &TestApp, tg: i64, last: &str, branch: BranchId) -> UserId {
    let mut tx = app.state.db.begin().await.unwrap();
    let u = app::storage::users::insert(
        tx.conn(),
        &app::storage::users::NewUser {
            telegram_id: Some(TelegramId(tg)),
            first_name: "Сотрудник".into(),
            last_name: last.into(),
            names_edited: true,
            username: None,
            role: Role::Employee,
            status: UserStatus::Active,
            position_id: None,
            branch_id: Some(branch),
            login: None,
            password_hash: None,
        },
        app.state.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    u.id
}

async fn the_matrix_counts_overdue_across_the_close_date_in_the_actors_scope(backend: Backend) {
    let closes = crate::helpers::now_ms() + 2 * 86_400_000;
    let s = setup(
        backend,
        json!({ "min_read_secs": 0, "closes_at": closes }),
        1,
        1,
        None,
    )
    .await;
    let app = &s.app;
    let (kazan, perm) = {
        let mut tx = app.state.db.begin().await.unwrap();
        use app::storage::dictionaries::{Dictionary, ensure};
        let k = ensure(tx.conn(), Dictionary::Branches, "Казань", app.state.now())
            .await
            .unwrap();
        let p = ensure(tx.conn(), Dictionary::Branches, "Пермь", app.state.now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        (BranchId(k.id), BranchId(p.id))
    };
    let kazansky = person(app, 8101, "Казанский", kazan).await;
    let permsky = person(app, 8102, "Пермский", perm).await;
    for b in [kazan, perm] {
        let r = app
            .call(
                "certifications/assign",
                &[
                    ("id", &s.cert.to_string()),
                    ("kind", "branch"),
                    ("target_id", &b.0.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
    }
    // Anna (no branch, assigned by name) passes.
    s.read_all().await;
    let attempt = s.started().await;
    s.answer(attempt, 0, &[1]).await;
    // While her attempt runs, the dashboard counts it (assigned by name and running).
    let running = app.call("analytics/dashboard", &[]).await.body;
    assert_eq!(running["in_progress"], 1, "{running}");
    assert_eq!(running["open"][0]["in_progress"], 1, "{running}");
    assert_eq!(running["open"][0]["assigned"], 3, "{running}");
    s.finish(attempt).await;

    let all = matrix(app, json!({ "page": 1 })).await;
    assert_eq!(all["columns"].as_array().unwrap().len(), 1);
    let row = |name: &str, state: &str| (name.to_owned(), vec![state.to_owned()]);
    assert_eq!(
        states(&all),
        vec![
            row("Сотрудник Казанский", "not_started"),
            row("Сотрудник Пермский", "not_started"),
            row("Анна Тестова", "passed"),
        ],
        "rows in last-name order"
    );
    assert_eq!(
        all["rows"][2]["cells"][0],
        json!({ "state": "passed", "percent": 100 })
    );
    let kazan_rate = all["by_branch"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "Казань")
        .unwrap()
        .clone();
    assert_eq!(kazan_rate["rates"], json!([0]));

    // The dashboard reads the same: one open certification, 1 of 3 passed, two people due
    // within 3 days, and today's finished attempt.
    let dash = app.call("analytics/dashboard", &[]).await;
    assert_eq!(dash.status, 200, "{:?}", dash.body);
    let d = &dash.body;
    assert_eq!(d["open"][0]["assigned"], 3, "{d}");
    assert_eq!(d["open"][0]["passed"], 1);
    assert_eq!(d["open"][0]["completion"], 33);
    assert_eq!(
        (d["due_soon"].as_i64(), d["overdue"].as_i64()),
        (Some(2), Some(0))
    );
    // Who needs a push: completion over everyone, and per branch the due soon.
    assert_eq!(
        d["overall"],
        json!({ "assigned": 3, "attempted": 1, "passed": 1 })
    );
    let branch = |d: &Value, name: &str| {
        d["branches"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} in {d}"))
    };
    assert_eq!(branch(d, "Казань")["due_soon"], 1, "{d}");
    assert_eq!(branch(d, "Казань")["branch"], kazan.0);
    assert_eq!(branch(d, "—")["due_soon"], 0, "Anna passed");
    // The dashboard's links open the matrix filtered to them.
    let due = matrix(app, json!({ "due": 7, "page": 1 })).await;
    assert_eq!(due["total"], 2, "{due}");
    let due_kazan = matrix(app, json!({ "due": 7, "branch": kazan.0, "page": 1 })).await;
    assert_eq!(due_kazan["total"], 1);
    assert_eq!(
        matrix(app, json!({ "due": 1, "page": 1 })).await["total"],
        0
    );
    assert_eq!(
        due["overall"],
        json!({ "assigned": 3, "attempted": 1, "passed": 1 }),
        "the overall rate is of everyone, whatever the state and due filters"
    );
    // Remind everyone not passed in what the filter shows: a preview, then once a day.
    let remind =
        |dry_run: bool| json!({ "filter": { "branch": kazan.0, "page": 1 }, "dry_run": dry_run });
    let preview = app.call_json("compliance/remind", &remind(true)).await;
    assert_eq!(preview.status, 200, "{:?}", preview.body);
    assert_eq!(
        preview.body,
        json!({ "chosen": 1, "applies": 1, "reached": 1, "done": 0 })
    );
    let sent = app.call_json("compliance/remind", &remind(false)).await;
    assert_eq!(sent.body["done"], 1, "{:?}", sent.body);
    let again = app.call_json("compliance/remind", &remind(false)).await;
    assert_eq!(again.body["done"], 0, "one a day: {:?}", again.body);
    let days = d["activity"].as_array().unwrap();
    assert_eq!(days.len(), 30);
    assert_eq!(
        (days[29]["attempts"].as_i64(), days[29]["passes"].as_i64()),
        (Some(1), Some(1))
    );

    // After the close date: overdue, and the pass stays a pass.
    app.clock.advance_secs(3 * 86_400);
    // Three days on, the admin session has expired too.
    assert_eq!(
        app.sign_in_admin("author", "correct-horse-42").await.status,
        200
    );
    let later = matrix(app, json!({ "page": 1 })).await;
    assert_eq!(
        states(&later),
        vec![
            row("Сотрудник Казанский", "overdue"),
            row("Сотрудник Пермский", "overdue"),
            row("Анна Тестова", "passed"),
        ]
    );
    let later_dash = app.call("analytics/dashboard", &[]).await.body;
    assert_eq!(
        (
            later_dash["due_soon"].as_i64(),
            later_dash["overdue"].as_i64()
        ),
        (Some(0), Some(2))
    );
    let overdue = matrix(app, json!({ "state": "overdue", "page": 1 })).await;
    assert_eq!(overdue["total"], 2);
    // The rates stay those of everyone: the state filter narrows the rows only.
    let no_branch = overdue["by_branch"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "—")
        .cloned()
        .unwrap();
    assert_eq!(no_branch["rates"], json!([100]), "Anna passed: {overdue}");
    let in_perm = matrix(app, json!({ "branch": perm.0, "page": 1 })).await;
    assert_eq!(in_perm["total"], 1);

    // The CSV: what the filter shows, every row, with the BOM.
    let r = reqwest::Client::new()
        .get(app.url("/admin/compliance.csv?state=overdue"))
        .header("cookie", app.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let csv = r.text().await.unwrap();
    assert!(csv.starts_with('\u{feff}'));
    let lines: Vec<&str> = csv.trim_end().lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(
        lines[1].contains("Казанский") && lines[1].contains("просрочено"),
        "{csv}"
    );
    let bad = reqwest::Client::new()
        .get(app.url("/admin/compliance.csv?state=whatever"))
        .header("cookie", app.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);

    // The same as XLSX, and the dashboard's open certifications as CSV.
    let (status, headers, body) = app.get_raw("/admin/compliance.xlsx?state=overdue").await;
    assert_eq!(status, 200);
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("compliance.xlsx")
    );
    assert_eq!(&body[..2], b"PK");
    let (status, _, _) = app.get_raw("/admin/compliance.xlsx?branch=x").await;
    assert_eq!(status, 400);
    let (status, _, body) = app.get_raw("/admin/dashboard.csv").await;
    assert_eq!(status, 200);
    let csv = String::from_utf8(body).unwrap();
    assert!(
        csv.trim_start_matches('\u{feff}')
            .starts_with("Аттестация,Закрывается,Назначено"),
        "{csv}"
    );

    // Newest badges and level-ups: a badge for Kazansky, a level for Permsky.
    let badge = app
        .call_json(
            "gamification/badge",
            &json!({ "badge": { "id": 0, "name": "Наставник", "description": "",
                "icon_url": null, "kind": "manual", "rule": null, "rule_n": null, "archived": false } }),
        )
        .await
        .body;
    let r = app
        .call(
            "users/badges/award",
            &[
                ("id", &kazansky.0.to_string()),
                ("badge_id", &badge.as_i64().unwrap().to_string()),
                ("reason", "помог новичку"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = app
        .call(
            "users/level",
            &[
                ("id", &permsky.0.to_string()),
                ("level", "2"),
                ("reason", "перевод"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let recent = crate::helpers::eventually(
        "both on the dashboard",
        std::time::Duration::from_secs(10),
        || async {
            let d = app.call("analytics/dashboard", &[]).await.body;
            let recent = d["recent"].as_array().cloned().unwrap_or_default();
            (recent.len() == 2).then_some(recent)
        },
    )
    .await;
    let whats: Vec<String> = recent.iter().map(|r| r["what"].to_string()).collect();
    assert!(whats.iter().any(|w| w.contains("Наставник")), "{whats:?}");
    assert!(
        whats.iter().any(|w| w.contains("\"number\":2")),
        "{whats:?}"
    );

    // A manager limited to Kazan sees Kazan only.
    let manager = app
        .create_account("kazan-lead", "kazan-password-1", Role::Manager, None)
        .await;
    let r = app
        .call_json(
            "users/manager_branches",
            &json!({ "id": manager.id, "branches": [kazan.0] }),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    app.forget_cookies();
    assert_eq!(
        app.sign_in_admin("kazan-lead", "kazan-password-1")
            .await
            .status,
        200
    );
    let theirs = matrix(app, json!({ "page": 1 })).await;
    assert_eq!(states(&theirs), vec![row("Сотрудник Казанский", "overdue")]);
    let names: Vec<&str> = theirs["by_branch"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Казань"]);
    let perm_asked = matrix(app, json!({ "branch": perm.0, "page": 1 })).await;
    assert_eq!(perm_asked["total"], 0, "another branch asked for: nothing");
    let theirs = app.call("analytics/dashboard", &[]).await.body;
    assert_eq!(theirs["overdue"], 1, "Kazan's only: {theirs}");
    assert_eq!(theirs["activity"][29]["attempts"], 0, "Anna is not theirs");
    let recent = theirs["recent"].as_array().unwrap();
    assert_eq!(recent.len(), 1, "Permsky's level is not theirs: {recent:?}");
    assert_eq!(recent[0]["user_id"], kazansky.0);
}

crate::both_backends!(the_matrix_counts_overdue_across_the_close_date_in_the_actors_scope);
