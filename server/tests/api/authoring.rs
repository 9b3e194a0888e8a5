//! Authoring: the question bank, certification settings and locking, theory versions, block
//! order, the lifecycle and its scheduler, assignments and uploads.

use crate::helpers::{Backend, Options, TestApp, eventually, spawn_app, spawn_app_with};
use app::domain::user::Role;
use serde_json::{Value, json};
use std::time::Duration;

const PASSWORD: &str = "correct-horse-42";

async fn admin(backend: Backend) -> TestApp {
    let app = spawn_app(backend).await;
    app.create_account("author", PASSWORD, Role::Admin, None)
        .await;
    assert_eq!(app.sign_in_admin("author", PASSWORD).await.status, 200);
    app
}

fn single(text: &str) -> Value {
    json!({ "kind": "single", "text": format!("<p>{text}</p>"),
            "options": [{ "text": "Да", "correct": true }, { "text": "Нет", "correct": false }],
            "explanation": "", "tags": ["Общее"] })
}

async fn new_question(app: &TestApp, text: &str) -> i64 {
    let r = app
        .call_json(
            "questions/save",
            &json!({ "id": null, "content": single(text) }),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body["id"].as_i64().unwrap()
}

async fn new_cert(app: &TestApp, title: &str) -> i64 {
    let r = app.call("certifications/create", &[("title", title)]).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body.as_i64().unwrap()
}

async fn add_text_block(app: &TestApp, cert: i64, title: &str, reread: bool) -> Value {
    app.call_json(
        "certifications/blocks/add",
        &json!({ "id": cert, "block": { "kind": "text", "title": title, "body": format!("<p>{title}</p>"), "url": "" }, "require_reread": reread }),
    )
    .await
    .body
}

async fn editor(app: &TestApp, cert: i64) -> Value {
    let r = app
        .call("certifications/get", &[("id", &cert.to_string())])
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body
}

async fn ready_cert(app: &TestApp, title: &str) -> i64 {
    let cert = new_cert(app, title).await;
    for b in ["Первый", "Второй", "Третий"] {
        add_text_block(app, cert, b, false).await;
    }
    let q = new_question(app, "Вопрос").await;
    let r = app
        .call_json(
            "certifications/questions",
            &json!({ "id": cert, "questions": [q] }),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    cert
}

fn block_titles(e: &Value) -> Vec<String> {
    e["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["title"].as_str().unwrap().to_owned())
        .collect()
}

async fn the_question_bank_validates_filters_and_protects_used_questions(backend: Backend) {
    let app = admin(backend).await;
    let bad = json!({ "kind": "single", "text": "<p> </p>",
        "options": [{ "text": "a", "correct": true }, { "text": "b", "correct": true }] });
    let r = app
        .call_json("questions/save", &json!({ "id": null, "content": bad }))
        .await;
    assert_eq!(r.status, 422);
    let fields: Vec<&str> = r.body["Invalid"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"text") && fields.contains(&"options"),
        "{fields:?}"
    );

    let dirty = json!({ "kind": "multiple", "text": "<p>Safe<script>alert(1)</script></p>",
        "options": [{ "text": "x", "correct": true }, { "text": "y" }], "tags": ["Tag", "tag"] });
    let r = app
        .call_json("questions/save", &json!({ "id": null, "content": dirty }))
        .await;
    assert_eq!(r.status, 200);
    assert!(
        !r.body["content"]["text"]
            .as_str()
            .unwrap()
            .contains("script"),
        "sanitised"
    );
    assert_eq!(r.body["content"]["tags"], json!(["tag"]));
    let multiple = r.body["id"].as_i64().unwrap();
    let used = new_question(&app, "Используемый").await;
    let unused = new_question(&app, "Лишний").await;

    let r = app
        .call(
            "questions/list",
            &[("search", "ИСПОЛЬЗ"), ("archived", "false"), ("page", "1")],
        )
        .await;
    assert_eq!(r.body["total"], 1, "case-insensitive search: {:?}", r.body);
    let r = app
        .call(
            "questions/list",
            &[("kind", "multiple"), ("archived", "false"), ("page", "1")],
        )
        .await;
    assert_eq!(r.body["items"][0]["id"], multiple);
    let r = app
        .call(
            "questions/list",
            &[("search", "100%_"), ("archived", "false"), ("page", "1")],
        )
        .await;
    assert_eq!(r.body["total"], 0, "wildcards in the search are literal");

    let dup = app
        .call("questions/duplicate", &[("id", &used.to_string())])
        .await;
    assert_eq!(dup.status, 200);
    assert_ne!(dup.body["id"], used);

    let cert = new_cert(&app, "Аттестация").await;
    app.call_json(
        "certifications/questions",
        &json!({ "id": cert, "questions": [used] }),
    )
    .await;
    let r = app
        .call("questions/delete", &[("id", &used.to_string())])
        .await;
    assert_eq!(r.status, 422, "a used question is never deleted");
    assert_eq!(
        app.call("questions/delete", &[("id", &unused.to_string())])
            .await
            .status,
        200
    );
    assert_eq!(
        app.call(
            "questions/archive",
            &[("id", &used.to_string()), ("archived", "true")]
        )
        .await
        .status,
        200
    );
    let r = app
        .call("questions/list", &[("archived", "true"), ("page", "1")])
        .await;
    assert_eq!(r.body["total"], 1);
    let r = app
        .call_json(
            "certifications/questions",
            &json!({ "id": cert, "questions": [used, multiple] }),
        )
        .await;
    assert_eq!(r.status, 200, "an archived question may stay where it is");
}

async fn imports_are_all_or_nothing_and_exports_round_trip(backend: Backend) {
    let app = admin(backend).await;
    let bad =
        "kind,text,options,correct,explanation,tags\nsingle,Q1,a|b,1,,\nsingle,Q2,a|b,1|2,,\n";
    let r = app
        .call_json("questions/import", &json!({ "format": "csv", "data": bad }))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["imported"], 0);
    assert_eq!(r.body["errors"][0]["row"], 2, "{:?}", r.body);
    let r = app
        .call("questions/list", &[("archived", "false"), ("page", "1")])
        .await;
    assert_eq!(r.body["total"], 0, "nothing imported half-way");

    let good =
        "kind;text;options;correct;explanation;tags\nsingle;Q1;a|b;1;;x\nordering;Q2;1|2|3;;;x\n";
    let r = app
        .call_json(
            "questions/import",
            &json!({ "format": "csv", "data": good }),
        )
        .await;
    assert_eq!(r.body["imported"], 2, "{:?}", r.body);
    let exported = app
        .call("questions/export", &[("format", "json")])
        .await
        .body;
    let json_text = exported.as_str().unwrap().to_owned();
    let r = app
        .call_json(
            "questions/import",
            &json!({ "format": "json", "data": json_text }),
        )
        .await;
    assert_eq!(r.body["imported"], 2, "{:?}", r.body);
    let r = app
        .call_json(
            "questions/import",
            &json!({ "format": "json", "data": "{oops" }),
        )
        .await;
    assert_eq!(r.body["errors"][0]["msg"], "ErrImportFormat");
}

async fn rules_lock_once_the_certification_opens(backend: Backend) {
    let app = admin(backend).await;
    let cert = new_cert(&app, "Техника безопасности").await;
    let r = app
        .call(
            "certifications/lifecycle",
            &[("id", &cert.to_string()), ("action", "OpenNow")],
        )
        .await;
    assert_eq!(r.status, 422, "no theory, no question: {:?}", r.body);
    assert_eq!(r.body["Refused"]["msg"], "ErrNeedTheory");

    let cert = ready_cert(&app, "Открываемая").await;
    let mut settings = editor(&app, cert).await["cert"]["settings"].clone();
    settings["pass_threshold"] = json!(0);
    let r = app
        .call_json(
            "certifications/settings",
            &json!({ "id": cert, "settings": settings }),
        )
        .await;
    assert_eq!(r.status, 422, "threshold 1-100");
    settings["pass_threshold"] = json!(75);
    let r = app
        .call_json(
            "certifications/settings",
            &json!({ "id": cert, "settings": settings }),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);

    let r = app
        .call(
            "certifications/lifecycle",
            &[("id", &cert.to_string()), ("action", "OpenNow")],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["status"], "open");

    settings["pass_threshold"] = json!(90);
    settings["title"] = json!("Новое название");
    let r = app
        .call_json(
            "certifications/settings",
            &json!({ "id": cert, "settings": settings }),
        )
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["Invalid"]["fields"][0]["field"], "pass_threshold");
    assert_eq!(r.body["Invalid"]["fields"][0]["msg"], "ErrLockedAfterOpen");
    let e = editor(&app, cert).await;
    assert_eq!(e["cert"]["settings"]["pass_threshold"], 75, "unchanged");
    assert_eq!(
        e["cert"]["settings"]["title"], "Открываемая",
        "nothing of a refused update is saved"
    );

    settings["pass_threshold"] = json!(75);
    let r = app
        .call_json(
            "certifications/settings",
            &json!({ "id": cert, "settings": settings }),
        )
        .await;
    assert_eq!(r.status, 200, "the title stays editable: {:?}", r.body);

    // Questions stay editable; removing assignments does not.
    let q2 = new_question(&app, "Ещё вопрос").await;
    let qs: Vec<i64> = e["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_i64().unwrap())
        .chain([q2])
        .collect();
    assert_eq!(
        app.call_json(
            "certifications/questions",
            &json!({ "id": cert, "questions": qs })
        )
        .await
        .status,
        200
    );
    let r = app
        .call_json(
            "certifications/questions",
            &json!({ "id": cert, "questions": [] }),
        )
        .await;
    assert_eq!(
        r.status, 422,
        "an open certification keeps at least one question"
    );
}

async fn theory_edits_after_opening_make_versions_and_keep_the_old(backend: Backend) {
    let app = admin(backend).await;
    let cert = ready_cert(&app, "Версии").await;
    let e = editor(&app, cert).await;
    let first_block = e["blocks"][0]["id"].as_i64().unwrap();
    // In a draft, an edit changes the block in place.
    let r = app.call_json("certifications/blocks/update", &json!({ "block_id": first_block,
        "block": { "kind": "text", "title": "Первый (правка)", "body": "<p>x</p>", "url": "" }, "require_reread": false })).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(editor(&app, cert).await["cert"]["theory_version"], 1);

    app.call(
        "certifications/lifecycle",
        &[("id", &cert.to_string()), ("action", "OpenNow")],
    )
    .await;
    let r = app.call_json("certifications/blocks/update", &json!({ "block_id": first_block,
        "block": { "kind": "text", "title": "Первый v2", "body": "<p>y</p>", "url": "" }, "require_reread": true })).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let e = editor(&app, cert).await;
    assert_eq!(e["cert"]["theory_version"], 2);
    assert_eq!(block_titles(&e), vec!["Первый v2", "Второй", "Третий"]);
    assert_eq!(e["versions"][0]["version"], 2);
    assert_eq!(e["versions"][0]["require_reread"], true);

    // The old version is kept as it was.
    let mut c = app.state.db.read().await.unwrap();
    let v1 = app::storage::certifications::blocks(c.conn(), app::domain::CertId(cert), 1)
        .await
        .unwrap();
    assert_eq!(v1[0].title, "Первый (правка)");
    drop(c);

    // A stale editor (showing version 1) cannot overwrite version 2.
    let r = app.call_json("certifications/blocks/update", &json!({ "block_id": first_block,
        "block": { "kind": "text", "title": "stale", "body": "<p>z</p>", "url": "" }, "require_reread": false })).await;
    assert_eq!(r.status, 409);
}

async fn blocks_reorder_in_one_transaction(backend: Backend) {
    let app = admin(backend).await;
    let cert = ready_cert(&app, "Порядок").await;
    let e = editor(&app, cert).await;
    let ids: Vec<i64> = e["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_i64().unwrap())
        .collect();
    let r = app
        .call_json(
            "certifications/blocks/reorder",
            &json!({ "id": cert, "order": [ids[2], ids[0]], "require_reread": false }),
        )
        .await;
    assert_eq!(r.status, 409, "a partial order is refused");
    let r = app
        .call_json(
            "certifications/blocks/reorder",
            &json!({ "id": cert, "order": [ids[2], ids[0], ids[1]], "require_reread": false }),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        block_titles(&editor(&app, cert).await),
        vec!["Третий", "Первый", "Второй"]
    );
    let r = app
        .call_json(
            "certifications/blocks/reorder",
            &json!({ "id": cert, "order": [ids[2], ids[0], 999_999], "require_reread": false }),
        )
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(
        block_titles(&editor(&app, cert).await),
        vec!["Третий", "Первый", "Второй"],
        "unchanged"
    );
}

async fn scheduled_certifications_open_and_close_by_themselves(backend: Backend) {
    let app = spawn_app_with(
        backend,
        Options {
            env: vec![("JOBS_TICK_MS".into(), "50".into())],
            ..Options::default()
        },
    )
    .await;
    app.create_account("author", PASSWORD, Role::Admin, None)
        .await;
    app.sign_in_admin("author", PASSWORD).await;
    let cert = ready_cert(&app, "По расписанию").await;
    let mut settings = editor(&app, cert).await["cert"]["settings"].clone();
    let now = app.clock_ms();
    settings["opens_at"] = json!(now + 60_000);
    settings["closes_at"] = json!(now + 3_600_000);
    assert_eq!(
        app.call_json(
            "certifications/settings",
            &json!({ "id": cert, "settings": settings })
        )
        .await
        .status,
        200
    );
    let r = app
        .call(
            "certifications/lifecycle",
            &[("id", &cert.to_string()), ("action", "Schedule")],
        )
        .await;
    assert_eq!(r.body["status"], "scheduled", "{:?}", r.body);

    app.clock.advance_secs(61);
    eventually(
        "the scheduler opens it",
        Duration::from_secs(10),
        || async { (editor(&app, cert).await["cert"]["status"] == "open").then_some(()) },
    )
    .await;
    app.clock.advance_secs(3600);
    eventually(
        "the scheduler closes it",
        Duration::from_secs(10),
        || async { (editor(&app, cert).await["cert"]["status"] == "closed").then_some(()) },
    )
    .await;
    let mut c = app.state.db.read().await.unwrap();
    let audit = app::storage::audit::recent(c.conn(), Some("certification_status_changed"), 10)
        .await
        .unwrap();
    assert!(
        audit.iter().any(|a| a.actor_label == "scheduler"),
        "the scheduler is audited"
    );
}

async fn assignments_reach_people_and_can_only_grow_after_opening(backend: Backend) {
    let app = admin(backend).await;
    let cert = ready_cert(&app, "Назначения").await;
    let branch = app
        .call(
            "dictionaries/add",
            &[("kind", "branch"), ("name", "Казань")],
        )
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    // A user in that branch.
    let mut tx = app.state.db.begin().await.unwrap();
    let u = app::storage::users::insert(
        tx.conn(),
        &app::storage::users::NewUser {
            telegram_id: Some(app::domain::TelegramId(42)),
            first_name: "Ира".into(),
            last_name: String::new(),
            names_edited: true,
            username: None,
            role: Role::Employee,
            status: app::domain::user::UserStatus::Active,
            position_id: None,
            branch_id: Some(app::domain::BranchId(branch)),
            login: None,
            password_hash: None,
        },
        app.state.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let r = app
        .call(
            "certifications/assign",
            &[
                ("id", &cert.to_string()),
                ("kind", "branch"),
                ("target_id", &branch.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = app
        .call(
            "certifications/assign",
            &[
                ("id", &cert.to_string()),
                ("kind", "user"),
                ("target_id", &u.id.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        editor(&app, cert).await["assigned_users"],
        1,
        "a person reached twice counts once"
    );
    let r = app
        .call(
            "certifications/assign",
            &[
                ("id", &cert.to_string()),
                ("kind", "branch"),
                ("target_id", "999999"),
            ],
        )
        .await;
    assert_eq!(r.status, 404);
    app.call(
        "certifications/lifecycle",
        &[("id", &cert.to_string()), ("action", "OpenNow")],
    )
    .await;
    let r = app
        .call(
            "certifications/unassign",
            &[
                ("id", &cert.to_string()),
                ("kind", "branch"),
                ("target_id", &branch.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
}

async fn uploads_are_checked_stored_and_served_to_signed_in_people(backend: Backend) {
    let app = admin(backend).await;
    let png = [b"\x89PNG\r\n\x1a\n".as_slice(), &[0u8; 64]].concat();
    let r = app.upload("image", "pic.png", png.clone()).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let url = r.body["url"].as_str().unwrap().to_owned();
    let (status, headers, body) = app.get_raw(&url).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(body, png);

    let r = app
        .upload(
            "image",
            "pic.png",
            b"<html><script>alert(1)</script>".to_vec(),
        )
        .await;
    assert_eq!(r.status, 422, "a disguised file is refused: {:?}", r.body);
    assert!(r.body["message"].as_str().unwrap().len() > 3);
    let big = [
        b"\x89PNG\r\n\x1a\n".as_slice(),
        &vec![0u8; 11 * 1024 * 1024],
    ]
    .concat();
    let r = app.upload("image", "big.png", big).await;
    assert_eq!(r.status, 422, "too large");

    app.forget_cookies();
    let (status, _, _) = app.get_raw(&url).await;
    assert_eq!(status, 401, "files are for signed-in people only");
    let r = app.upload("image", "pic.png", png).await;
    assert_eq!(r.status, 401);
}

crate::both_backends!(
    the_question_bank_validates_filters_and_protects_used_questions,
    imports_are_all_or_nothing_and_exports_round_trip,
    rules_lock_once_the_certification_opens,
    theory_edits_after_opening_make_versions_and_keep_the_old,
    blocks_reorder_in_one_transaction,
    scheduled_certifications_open_and_close_by_themselves,
    assignments_reach_people_and_can_only_grow_after_opening,
    uploads_are_checked_stored_and_served_to_signed_in_people,
);

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

crate::both_backends!(picking_questions_hides_keys_without_the_question_bank,);
