//! The REST API v1 through the real server: keys and scopes on every documented operation,
//! problems, ETags and If-Match, idempotency under concurrency, incremental sync while another
//! client writes, bulk upsert, the rate limit and the OpenAPI document.

use crate::helpers::{Backend, TestApp, eventually, spawn_app};
use app::api_keys::NewApiKey;
use app::domain::audit::Origin;
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

async fn key_with(
    app: &TestApp,
    name: &str,
    scopes: &[&str],
    f: impl FnOnce(&mut NewApiKey),
) -> String {
    let mut k = NewApiKey {
        name: name.into(),
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        rate_per_sec: 1000,
        burst: 1000,
        ..NewApiKey::default()
    };
    f(&mut k);
    app::api_keys::service::create(&app.state, None, k, &Origin::channel("test"))
        .await
        .expect("key created")
        .secret
}

async fn key(app: &TestApp, scopes: &[&str]) -> String {
    key_with(app, "test", scopes, |_| ()).await
}

struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Value,
}

async fn call(
    app: &TestApp,
    key: Option<&str>,
    method: Method,
    path: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> Answer {
    let mut req = reqwest::Client::new().request(method, app.url(path));
    if let Some(k) = key {
        req = req.bearer_auth(k);
    }
    for (h, v) in headers {
        req = req.header(*h, *v);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap_or_default();
    Answer {
        status,
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
    }
}

fn is_problem(a: &Answer, code: &str) {
    assert_eq!(
        a.headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/problem+json"),
        "{:?}",
        a.body
    );
    assert_eq!(a.body["code"], code, "{:?}", a.body);
    assert_eq!(a.body["status"], a.status, "{:?}", a.body);
    assert!(
        a.body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{:?}",
        a.body
    );
}

/// Every operation of the served document, with the scope it needs.
fn operations(doc: &Value) -> Vec<(Method, String, &'static str)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (m, op) in item.as_object().unwrap() {
            let method = Method::from_bytes(m.to_uppercase().as_bytes()).unwrap();
            let tag = op["tags"][0].as_str().unwrap_or_default();
            let write = method != Method::GET;
            let scope = match (tag, write) {
                ("users", false) => "users:read",
                ("users", true) => "users:write",
                ("dictionaries", false) => "dictionaries:read",
                ("dictionaries", true) => "dictionaries:write",
                ("achievements", false) => "achievements:read",
                ("achievements", true) => "achievements:write",
                ("certifications", false) => "certifications:read",
                ("certifications", true) => "certifications:write",
                other => panic!("an operation without a known tag: {other:?} {path}"),
            };
            let concrete = path
                .replace("{ref}", "1")
                .replace("{id}", "1")
                .replace("{kind}", "user")
                .replace("{target_id}", "1")
                .replace("{badge_id}", "1");
            out.push((method, concrete, scope));
        }
    }
    out
}

async fn every_operation_refuses_missing_wrong_expired_and_revoked_keys(backend: Backend) {
    let app = spawn_app(backend).await;
    let doc = call(&app, None, Method::GET, "/api/v1/openapi.json", None, &[]).await;
    assert_eq!(doc.status, 200);
    assert!(
        doc.body["openapi"].as_str().unwrap().starts_with("3.1"),
        "{:?}",
        doc.body["openapi"]
    );
    let ops = operations(&doc.body);
    let documented: BTreeSet<(String, String)> = ops
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.clone()))
        .collect();
    // The routes the API serves; a route missing from the document fails here.
    for (m, p) in [
        ("GET", "/api/v1/users"),
        ("POST", "/api/v1/users"),
        ("POST", "/api/v1/users/bulk"),
        ("GET", "/api/v1/users/1"),
        ("PATCH", "/api/v1/users/1"),
        ("DELETE", "/api/v1/users/1"),
        ("GET", "/api/v1/users/1/achievements"),
        ("POST", "/api/v1/users/1/points"),
        ("GET", "/api/v1/positions"),
        ("POST", "/api/v1/positions"),
        ("PATCH", "/api/v1/positions/1"),
        ("GET", "/api/v1/branches"),
        ("POST", "/api/v1/branches"),
        ("PATCH", "/api/v1/branches/1"),
        ("GET", "/api/v1/certifications"),
        ("GET", "/api/v1/certifications/1"),
        ("GET", "/api/v1/certifications/1/assignments"),
        ("POST", "/api/v1/certifications/1/assignments"),
        ("DELETE", "/api/v1/certifications/1/assignments/user/1"),
        ("GET", "/api/v1/certifications/1/results"),
        ("GET", "/api/v1/users/1/results"),
        ("GET", "/api/v1/users/1/certifications/1/attempts"),
        ("POST", "/api/v1/users/1/certifications/1/reset"),
        ("POST", "/api/v1/users/1/certifications/1/grant-attempt"),
        ("GET", "/api/v1/levels"),
        ("GET", "/api/v1/badges"),
        ("GET", "/api/v1/users/1/badges"),
        ("POST", "/api/v1/users/1/badges"),
        ("DELETE", "/api/v1/users/1/badges/1"),
    ] {
        assert!(
            documented.contains(&(m.to_owned(), p.to_owned())),
            "{m} {p} is not documented"
        );
    }
    assert_eq!(
        documented.len(),
        29,
        "a documented route has no test row: {documented:?}"
    );
    let revoked = key_with(
        &app,
        "revoked",
        &[
            "users:write",
            "dictionaries:write",
            "achievements:write",
            "certifications:read",
        ],
        |_| (),
    )
    .await;
    let id = {
        let keys = app::api_keys::service::list(&app.state).await.unwrap();
        keys.iter().find(|k| k.name == "revoked").unwrap().id
    };
    app::api_keys::service::revoke(&app.state, None, id, &Origin::channel("test"))
        .await
        .unwrap();
    let expiring = key_with(
        &app,
        "expiring",
        &[
            "users:write",
            "dictionaries:write",
            "achievements:write",
            "certifications:read",
        ],
        |k| k.expires_days = Some(1),
    )
    .await;
    let elsewhere = key_with(
        &app,
        "elsewhere",
        &[
            "users:write",
            "dictionaries:write",
            "achievements:write",
            "certifications:read",
        ],
        |k| k.ip_allow = "10.0.0.0/8".into(),
    )
    .await;
    let all = [
        "users:write",
        "dictionaries:write",
        "achievements:write",
        "certifications:write",
    ];
    let mut wrong: BTreeMap<&str, String> = BTreeMap::new();
    for scope in [
        "users:read",
        "users:write",
        "dictionaries:read",
        "dictionaries:write",
        "achievements:read",
        "achievements:write",
        "certifications:read",
        "certifications:write",
    ] {
        // A key with every scope but the needed one (and not its write form).
        let resource = scope.split(':').next().unwrap();
        let others: Vec<&str> = all
            .iter()
            .copied()
            .filter(|s| !s.starts_with(resource))
            .collect();
        let mut with_read = others.clone();
        if scope.ends_with(":write") {
            with_read.push(match resource {
                "users" => "users:read",
                "dictionaries" => "dictionaries:read",
                "certifications" => "certifications:read",
                _ => "achievements:read",
            });
        }
        wrong.insert(scope, key(&app, &with_read).await);
    }
    app.clock.advance_secs(2 * 86_400);
    for (method, path, scope) in &ops {
        let body = Some(json!({}));
        let a = call(&app, None, method.clone(), path, body.clone(), &[]).await;
        assert_eq!(a.status, 401, "{method} {path} without a key");
        is_problem(&a, "unauthorized");
        assert_eq!(a.headers.get("www-authenticate").unwrap(), "Bearer");
        for (what, k) in [
            ("garbage", "at_live_nonsense"),
            ("revoked", revoked.as_str()),
            ("expired", expiring.as_str()),
            ("from elsewhere", elsewhere.as_str()),
        ] {
            let a = call(&app, Some(k), method.clone(), path, body.clone(), &[]).await;
            assert_eq!(
                a.status, 401,
                "{method} {path} with a {what} key: {:?}",
                a.body
            );
        }
        let a = call(
            &app,
            Some(&wrong[scope]),
            method.clone(),
            path,
            body.clone(),
            &[("accept-language", "en")],
        )
        .await;
        assert_eq!(
            a.status, 403,
            "{method} {path} without {scope}: {:?}",
            a.body
        );
        is_problem(&a, "forbidden");
        assert!(
            a.body["detail"].as_str().unwrap().contains(scope),
            "{:?}",
            a.body
        );
    }
    // Unknown addresses and methods are problems too.
    let k = key(&app, &all).await;
    let a = call(
        &app,
        Some(&k),
        Method::GET,
        "/api/v1/nothing-here",
        None,
        &[],
    )
    .await;
    assert_eq!(a.status, 404);
    is_problem(&a, "not_found");
    let a = call(&app, Some(&k), Method::PUT, "/api/v1/users", None, &[]).await;
    assert_eq!(a.status, 405, "{:?}", a.body);
    // The docs page is served from our own assets.
    let (status, _, html) = app.get_raw("/api/docs/").await;
    assert_eq!(status, 200);
    let html = String::from_utf8_lossy(&html);
    assert!(
        !html.contains("://cdn") && !html.contains("unpkg") && !html.contains("jsdelivr"),
        "{html}"
    );
    app.stop().await;
}

async fn only_admins_manage_keys_and_see_a_secret_once(backend: Backend) {
    const PW: &str = "Str0ng-password-2026";
    let app = spawn_app(backend).await;
    let root = app
        .create_account("root", PW, app::domain::user::Role::Admin, None)
        .await;
    let mgr = app
        .create_account("mgr", PW, app::domain::user::Role::Manager, None)
        .await;
    let mut tx = app.state.db.begin().await.unwrap();
    app::storage::permissions::set_override(
        tx.conn(),
        mgr.id,
        app::domain::permissions::Module::ApiKeys,
        Some(true),
        root.id,
        app.state.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let r = app.call_json("api-keys/list", &json!({})).await;
    assert_eq!(r.status, 401);
    assert_eq!(app.sign_in_admin("mgr", PW).await.status, 200);
    let r = app.call_json("api-keys/list", &json!({})).await;
    assert_eq!(
        r.status, 403,
        "a manager holds no keys even with the module: {:?}",
        r.body
    );
    app.forget_cookies();
    assert_eq!(app.sign_in_admin("root", PW).await.status, 200);
    let new = |scopes: Value, ip: &str, rate: i64| json!({ "key": { "name": "1С:ЗУП", "scopes": scopes, "expires_days": 30, "ip_allow": ip, "rate_per_sec": rate, "burst": 100 } });
    for (body, field) in [
        (new(json!([]), "", 50), "scopes"),
        (new(json!(["users:delete"]), "", 50), "scopes"),
        (new(json!(["users:read"]), "10.0.0.0/99", 50), "ip_allow"),
        (new(json!(["users:read"]), "", 0), "rate_per_sec"),
    ] {
        let r = app.call_json("api-keys/create", &body).await;
        assert_eq!(r.status, 422, "{body}: {:?}", r.body);
        assert_eq!(
            r.body["Invalid"]["fields"][0]["field"], field,
            "{:?}",
            r.body
        );
    }
    let r = app
        .call_json(
            "api-keys/create",
            &new(json!(["users:read"]), "127.0.0.1, 10.0.0.0/8", 50),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let secret = r.body["secret"].as_str().unwrap().to_owned();
    let id = r.body["key"]["id"].as_i64().unwrap();
    let listed = app.call_json("api-keys/list", &json!({})).await;
    assert!(
        !listed.body.to_string().contains(&secret[8..]),
        "a list never shows the secret"
    );
    let a = call(&app, Some(&secret), Method::GET, "/api/v1/users", None, &[]).await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    let r = app.call_json("api-keys/revoke", &json!({ "id": id })).await;
    assert_eq!(r.status, 200);
    let r = app.call_json("api-keys/revoke", &json!({ "id": id })).await;
    assert_eq!(r.status, 422);
    let a = call(&app, Some(&secret), Method::GET, "/api/v1/users", None, &[]).await;
    assert_eq!(a.status, 401, "revoked at once");
    app.stop().await;
}

async fn people_are_created_read_and_updated_with_etags_and_rules(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = key(&app, &["users:write", "dictionaries:write"]).await;
    let admin_key = key(&app, &["users:write", "admin"]).await;
    let pos = call(
        &app,
        Some(&k),
        Method::POST,
        "/api/v1/positions",
        Some(json!({ "name": "Кассир" })),
        &[],
    )
    .await;
    assert_eq!(pos.status, 201, "{:?}", pos.body);
    let again = call(
        &app,
        Some(&k),
        Method::POST,
        "/api/v1/positions",
        Some(json!({ "name": "Кассир" })),
        &[],
    )
    .await;
    assert_eq!(
        again.body["id"], pos.body["id"],
        "a name is the natural key"
    );
    let created = call(
        &app,
        Some(&k),
        Method::POST,
        "/api/v1/users",
        Some(json!({
            "telegram_id": 5_550_001, "first_name": "Анна", "last_name": "Иванова",
            "position_id": pos.body["id"], "external_id": "HR-1"
        })),
        &[],
    )
    .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let id = created.body["id"].as_i64().unwrap();
    assert_eq!(
        created.headers.get("location").unwrap().to_str().unwrap(),
        format!("/api/v1/users/{id}")
    );
    let etag = created
        .headers
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(etag, format!("\"{}\"", created.body["version"]));
    for r in [id.to_string(), "ext:HR-1".into(), "tg:5550001".into()] {
        let a = call(
            &app,
            Some(&k),
            Method::GET,
            &format!("/api/v1/users/{r}"),
            None,
            &[],
        )
        .await;
        assert_eq!(a.status, 200, "{r}");
        assert_eq!(a.body["id"], id);
        assert_eq!(a.body["external_id"], "HR-1");
    }
    // A stale If-Match changes nothing.
    let ok = call(
        &app,
        Some(&k),
        Method::PATCH,
        &format!("/api/v1/users/{id}"),
        Some(json!({ "first_name": "Анна-Мария" })),
        &[("if-match", &etag)],
    )
    .await;
    assert_eq!(ok.status, 200, "{:?}", ok.body);
    assert_ne!(ok.headers.get("etag").unwrap().to_str().unwrap(), etag);
    let stale = call(
        &app,
        Some(&k),
        Method::PATCH,
        &format!("/api/v1/users/{id}"),
        Some(json!({ "first_name": "Никто" })),
        &[("if-match", &etag)],
    )
    .await;
    assert_eq!(stale.status, 412, "{:?}", stale.body);
    is_problem(&stale, "precondition_failed");
    let now = call(
        &app,
        Some(&k),
        Method::GET,
        &format!("/api/v1/users/{id}"),
        None,
        &[],
    )
    .await;
    assert_eq!(now.body["first_name"], "Анна-Мария");
    // Bad input: problems, never 500.
    for (body, status) in [
        (json!({ "first_name": "" }), 422),
        (json!({ "first_name": 5 }), 422),
        (json!({ "surname": "x" }), 422),
        (json!({ "position_id": 999_999 }), 422),
    ] {
        let a = call(
            &app,
            Some(&k),
            Method::PATCH,
            &format!("/api/v1/users/{id}"),
            Some(body.clone()),
            &[],
        )
        .await;
        assert_eq!(a.status, status, "{body}: {:?}", a.body);
        assert_eq!(
            a.headers.get("content-type").unwrap(),
            "application/problem+json"
        );
    }
    let raw = reqwest::Client::new()
        .post(app.url("/api/v1/users"))
        .bearer_auth(&k)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status().as_u16(), 400);
    let a = call(
        &app,
        Some(&k),
        Method::GET,
        "/api/v1/users?cursor=garbage",
        None,
        &[],
    )
    .await;
    assert_eq!(a.status, 400);
    let a = call(
        &app,
        Some(&k),
        Method::GET,
        "/api/v1/users?updated_since=yesterday",
        None,
        &[],
    )
    .await;
    assert_eq!(a.status, 400);
    let a = call(
        &app,
        Some(&k),
        Method::GET,
        "/api/v1/users?limit=1001",
        None,
        &[],
    )
    .await;
    assert_eq!(a.status, 400);
    let a = call(
        &app,
        Some(&k),
        Method::GET,
        "/api/v1/users/ext:nobody",
        None,
        &[],
    )
    .await;
    assert_eq!(a.status, 404);
    let a = call(
        &app,
        Some(&k),
        Method::POST,
        "/api/v1/users",
        Some(json!({ "telegram_id": 5_550_002, "first_name": "Б", "external_id": "HR-1" })),
        &[],
    )
    .await;
    assert_eq!(a.status, 422, "a taken HR id: {:?}", a.body);
    // Managers and role changes need the admin scope.
    let a = call(
        &app,
        Some(&k),
        Method::POST,
        "/api/v1/users",
        Some(json!({ "telegram_id": 5_550_003, "first_name": "Борис", "role": "manager" })),
        &[("accept-language", "en")],
    )
    .await;
    assert_eq!(a.status, 403, "{:?}", a.body);
    assert!(
        a.body["detail"].as_str().unwrap().contains("admin scope"),
        "{:?}",
        a.body
    );
    let a = call(
        &app,
        Some(&k),
        Method::PATCH,
        &format!("/api/v1/users/{id}"),
        Some(json!({ "role": "admin" })),
        &[],
    )
    .await;
    assert_eq!(a.status, 403, "{:?}", a.body);
    let m = call(
        &app,
        Some(&admin_key),
        Method::POST,
        "/api/v1/users",
        Some(json!({ "telegram_id": 5_550_003, "first_name": "Борис", "role": "manager" })),
        &[],
    )
    .await;
    assert_eq!(m.status, 201, "{:?}", m.body);
    let a = call(
        &app,
        Some(&k),
        Method::PATCH,
        &format!("/api/v1/users/{}", m.body["id"]),
        Some(json!({ "first_name": "Б." })),
        &[],
    )
    .await;
    assert_eq!(
        a.status, 403,
        "a key without admin cannot edit a manager: {:?}",
        a.body
    );
    // Deactivation is a tombstone.
    let d = call(
        &app,
        Some(&k),
        Method::DELETE,
        &format!("/api/v1/users/{id}"),
        None,
        &[],
    )
    .await;
    assert_eq!(d.status, 200, "{:?}", d.body);
    assert_eq!(d.body["status"], "deactivated");
    // The key is the actor of the audit entries, with the API channel.
    let mut c = app.state.db.read().await.unwrap();
    let page = app::storage::audit::list(
        c.conn(),
        &app::audit::AuditFilter {
            target_type: Some("user".into()),
            target_id: Some(id.to_string()),
            ..Default::default()
        },
        &app::domain::scope::PeopleScope::Everyone,
        None,
        50,
    )
    .await
    .unwrap();
    assert!(!page.is_empty());
    assert!(
        page.iter().all(|e| e.actor_kind == "api_key"
            && e.channel == "api"
            && e.actor_label.contains("test")),
        "{page:?}"
    );
    drop(c);
    app.stop().await;
}

async fn ten_identical_posts_at_once_make_one_person_and_one_payment(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = key(&app, &["users:write", "achievements:write"]).await;
    let body = json!({ "telegram_id": 5_560_001, "first_name": "Вера" });
    let posts = (0..10).map(|_| {
        call(
            &app,
            Some(&k),
            Method::POST,
            "/api/v1/users",
            Some(body.clone()),
            &[("idempotency-key", "sync-2026-12-01-1")],
        )
    });
    let answers = futures::future::join_all(posts).await;
    let ids: BTreeSet<String> = answers
        .iter()
        .map(|a| {
            assert_eq!(a.status, 201, "{:?}", a.body);
            a.body["id"].to_string()
        })
        .collect();
    assert_eq!(ids.len(), 1, "one person: {ids:?}");
    assert!(
        answers
            .iter()
            .filter(|a| a.headers.contains_key("idempotent-replayed"))
            .count()
            >= 9
    );
    let other = call(
        &app,
        Some(&k),
        Method::POST,
        "/api/v1/users",
        Some(json!({ "telegram_id": 5_560_002, "first_name": "Вера" })),
        &[("idempotency-key", "sync-2026-12-01-1")],
    )
    .await;
    assert_eq!(other.status, 422, "{:?}", other.body);
    let id = ids.into_iter().next().unwrap();
    let points = json!({ "delta": 40, "reason": "Премия за наставничество" });
    let points_path = format!("/api/v1/users/{id}/points");
    let posts = (0..10).map(|_| {
        call(
            &app,
            Some(&k),
            Method::POST,
            &points_path,
            Some(points.clone()),
            &[("idempotency-key", "bonus-77")],
        )
    });
    for a in futures::future::join_all(posts).await {
        assert_eq!(a.status, 201, "{:?}", a.body);
        assert_eq!(a.body["balance"], 40);
    }
    let a = call(
        &app,
        Some(&k),
        Method::GET,
        &format!("/api/v1/users/{id}/achievements"),
        None,
        &[],
    )
    .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["balance"], 40, "paid once");
    let a = call(
        &app,
        Some(&k),
        Method::POST,
        &format!("/api/v1/users/{id}/points"),
        Some(json!({ "delta": -1000, "reason": "x" })),
        &[],
    )
    .await;
    assert_eq!(a.status, 422, "never below zero: {:?}", a.body);
    let mut c = app.state.db.read().await.unwrap();
    let made = app::storage::audit::list(
        c.conn(),
        &app::audit::AuditFilter {
            action: Some("user_preregistered".into()),
            ..Default::default()
        },
        &app::domain::scope::PeopleScope::Everyone,
        None,
        50,
    )
    .await
    .unwrap();
    assert_eq!(made.len(), 1, "one entry for one person");
    drop(c);
    app.stop().await;
}

async fn a_client_paging_while_another_writes_sees_every_change(backend: Backend) {
    let app = spawn_app(backend).await;
    let writer_key = key(&app, &["users:write"]).await;
    let reader_key = key(&app, &["users:read"]).await;
    let mut writer = Some({
        let (url, k) = (app.address.clone(), writer_key.clone());
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut final_versions: BTreeMap<i64, i64> = BTreeMap::new();
            for i in 0..40i64 {
                let r: Value = client.post(format!("{url}/api/v1/users")).bearer_auth(&k)
                    .json(&json!({ "telegram_id": 5_570_000 + i, "first_name": format!("Человек {i}") }))
                    .send().await.unwrap().json().await.unwrap();
                let id = r["id"].as_i64().unwrap();
                final_versions.insert(id, r["version"].as_i64().unwrap());
                if i % 3 == 0 {
                    // Update an earlier person: they move to the end of the change order.
                    let (&old, _) = final_versions.iter().next().unwrap();
                    let r: Value = client
                        .patch(format!("{url}/api/v1/users/{old}"))
                        .bearer_auth(&k)
                        .json(&json!({ "last_name": format!("Правка {i}") }))
                        .send()
                        .await
                        .unwrap()
                        .json()
                        .await
                        .unwrap();
                    final_versions.insert(old, r["version"].as_i64().unwrap());
                }
            }
            final_versions
        })
    });
    let mut seen: BTreeMap<i64, i64> = BTreeMap::new();
    let mut pairs: BTreeSet<(i64, i64)> = BTreeSet::new();
    let mut cursor: Option<String> = None;
    async fn page(app: &TestApp, k: &str, cursor: Option<String>) -> Answer {
        let path = match cursor {
            Some(c) => format!("/api/v1/users?limit=7&cursor={c}"),
            None => "/api/v1/users?limit=7".to_owned(),
        };
        call(app, Some(k), Method::GET, &path, None, &[]).await
    }
    // Page while the writer writes, then sync on (as a client would, every few minutes) until
    // it has caught up: on PostgreSQL the newest changes wait below the safe horizon while
    // transactions elsewhere in the cluster are open.
    let mut written: Option<BTreeMap<i64, i64>> = None;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let a = page(&app, &reader_key, cursor.clone()).await;
        assert_eq!(a.status, 200, "{:?}", a.body);
        for u in a.body["items"].as_array().unwrap() {
            let (id, v) = (u["id"].as_i64().unwrap(), u["version"].as_i64().unwrap());
            assert!(pairs.insert((id, v)), "person {id} version {v} came twice");
            seen.insert(id, v.max(*seen.get(&id).unwrap_or(&0)));
        }
        cursor = Some(a.body["next_cursor"].as_str().unwrap().to_owned());
        if writer.as_ref().is_some_and(|w| w.is_finished()) {
            written = Some(writer.take().unwrap().await.unwrap());
        }
        if let Some(w) = &written
            && w.iter().all(|(id, v)| seen.get(id) == Some(v))
        {
            break;
        }
        if std::time::Instant::now() > deadline {
            let w = written.unwrap_or_default();
            let missing: Vec<_> = w
                .iter()
                .filter(|(id, v)| seen.get(*id) != Some(*v))
                .collect();
            panic!("latest versions never seen: {missing:?}");
        }
        if a.body["has_more"] == false {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
    let written = written.unwrap();
    // A sync with the kept cursor finds nothing new, then exactly the next change.
    let a = page(&app, &reader_key, cursor.clone()).await;
    assert_eq!(a.body["items"].as_array().unwrap().len(), 0);
    let (&first, _) = written.iter().next().unwrap();
    let r = call(
        &app,
        Some(&writer_key),
        Method::PATCH,
        &format!("/api/v1/users/{first}"),
        Some(json!({ "first_name": "Снова" })),
        &[],
    )
    .await;
    assert_eq!(r.status, 200);
    let a = crate::helpers::eventually(
        "the change shows",
        std::time::Duration::from_secs(10),
        || {
            let c = cursor.clone();
            let (app, k) = (&app, &reader_key);
            async move {
                let a = page(app, k, c).await;
                (a.body["items"].as_array().unwrap().len() == 1).then_some(a)
            }
        },
    )
    .await;
    assert_eq!(a.body["items"][0]["id"], first);
    app.stop().await;
}

async fn bulk_upsert_applies_each_row_and_the_rate_limit_answers_429(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = key(&app, &["users:write"]).await;
    let rows = json!({ "users": [
        { "external_id": "E-1", "telegram_id": 5_580_001, "first_name": "Глеб" },
        { "external_id": "E-2", "first_name": "Без Телеграма" },
        { "external_id": "E-3", "telegram_id": 5_580_003, "first_name": "Дина", "role": "admin" },
        { "external_id": "E-4", "telegram_id": 5_580_004, "first_name": "" },
        { "external_id": "E-5", "telegram_id": 5_580_005, "first_name": "Ева" },
    ]});
    let a = call(
        &app,
        Some(&k),
        Method::POST,
        "/api/v1/users/bulk",
        Some(rows),
        &[],
    )
    .await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    assert_eq!(
        (a.body["created"].as_i64(), a.body["failed"].as_i64()),
        (Some(2), Some(3)),
        "{:?}",
        a.body
    );
    let outcomes: Vec<&str> = a.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes,
        ["created", "failed", "failed", "failed", "created"]
    );
    assert_eq!(a.body["rows"][2]["error"]["status"], 403);
    let again = json!({ "users": [
        { "external_id": "E-1", "first_name": "Глеб", "last_name": "Жуков" },
        { "external_id": "E-5", "first_name": "Ева" },
    ]});
    let a = call(
        &app,
        Some(&k),
        Method::POST,
        "/api/v1/users/bulk",
        Some(again),
        &[],
    )
    .await;
    let outcomes: Vec<&str> = a.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["updated", "unchanged"], "{:?}", a.body);
    let too_many = json!({ "users": (0..1001).map(|i| json!({ "external_id": format!("X{i}"), "first_name": "x" })).collect::<Vec<_>>() });
    let a = call(
        &app,
        Some(&k),
        Method::POST,
        "/api/v1/users/bulk",
        Some(too_many),
        &[],
    )
    .await;
    assert_eq!(a.status, 422, "{:?}", a.body);
    // Two bulk calls: two audit entries with counts, and each change its own.
    let mut c = app.state.db.read().await.unwrap();
    let imports = app::storage::audit::list(
        c.conn(),
        &app::audit::AuditFilter {
            action: Some("users_imported".into()),
            ..Default::default()
        },
        &app::domain::scope::PeopleScope::Everyone,
        None,
        50,
    )
    .await
    .unwrap();
    assert_eq!(imports.len(), 2, "{imports:?}");
    let per_row = app::storage::audit::list(
        c.conn(),
        &app::audit::AuditFilter {
            action: Some("user_preregistered".into()),
            ..Default::default()
        },
        &app::domain::scope::PeopleScope::Everyone,
        None,
        50,
    )
    .await
    .unwrap();
    assert_eq!(per_row.len(), 2, "E-1 and E-5 created: {per_row:?}");
    drop(c);

    let slow = key_with(&app, "slow", &["users:read"], |k| {
        k.rate_per_sec = 1;
        k.burst = 2;
    })
    .await;
    let mut statuses = Vec::new();
    let mut limited = None;
    for _ in 0..4 {
        let a = call(
            &app,
            Some(&slow),
            Method::GET,
            "/api/v1/users?limit=1",
            None,
            &[],
        )
        .await;
        statuses.push(a.status);
        if a.status == 429 {
            limited = Some(a);
            break;
        }
        assert!(a.headers.contains_key("ratelimit-remaining"));
    }
    let limited = limited.unwrap_or_else(|| panic!("no 429 in {statuses:?}"));
    is_problem(&limited, "throttled");
    let retry: u64 = limited
        .headers
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry), "{retry}");
    assert_eq!(limited.headers.get("ratelimit-remaining").unwrap(), "0");
    app.stop().await;
}

async fn certifications_assignments_results_and_badges_through_the_api(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app
        .create_account(
            "author",
            "author-password-1",
            app::domain::user::Role::Admin,
            None,
        )
        .await;
    let (cert, badge) = {
        let now = app.state.now();
        let mut tx = app.state.db.begin().await.unwrap();
        let settings = app::domain::certification::CertSettings {
            title: "Охрана труда".into(),
            ..Default::default()
        };
        let cert = app::storage::certifications::insert(tx.conn(), &settings, admin.id, now)
            .await
            .unwrap();
        let badge = app::storage::gamification::save_badge(
            tx.conn(),
            &app::gamification::BadgeRow {
                id: 0,
                name: "Наставник".into(),
                description: "Помогает новичкам".into(),
                icon_url: None,
                kind: "manual".into(),
                rule: None,
                rule_n: None,
                archived: false,
            },
            now,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        (cert.0, badge)
    };
    let k = key(
        &app,
        &["users:write", "certifications:write", "achievements:write"],
    )
    .await;
    let read_only = key(&app, &["certifications:read", "achievements:read"]).await;
    let person = call(
        &app,
        Some(&k),
        Method::POST,
        "/api/v1/users",
        Some(json!({ "telegram_id": 5_550_900, "first_name": "Олег", "external_id": "HR-900" })),
        &[],
    )
    .await;
    assert_eq!(person.status, 201, "{:?}", person.body);
    let uid = person.body["id"].as_i64().unwrap();

    let detail = call(
        &app,
        Some(&read_only),
        Method::GET,
        &format!("/api/v1/certifications/{cert}"),
        None,
        &[],
    )
    .await;
    assert_eq!(detail.status, 200, "{:?}", detail.body);
    assert_eq!(detail.body["settings"]["title"], "Охрана труда");
    assert_eq!(detail.body["status"], "draft");
    assert_eq!(detail.body["question_count"], 0);
    assert!(
        !detail.body.to_string().contains("correct"),
        "never answer keys"
    );
    let missing = call(
        &app,
        Some(&read_only),
        Method::GET,
        "/api/v1/certifications/999999",
        None,
        &[],
    )
    .await;
    is_problem(&missing, "not_found");

    // Assign the person; the read-only key may not.
    let assign = json!({ "target_kind": "user", "target_id": uid });
    let refused = call(
        &app,
        Some(&read_only),
        Method::POST,
        &format!("/api/v1/certifications/{cert}/assignments"),
        Some(assign.clone()),
        &[],
    )
    .await;
    assert_eq!(refused.status, 403);
    let added = call(
        &app,
        Some(&k),
        Method::POST,
        &format!("/api/v1/certifications/{cert}/assignments"),
        Some(assign.clone()),
        &[],
    )
    .await;
    assert_eq!(added.status, 200, "{:?}", added.body);
    assert_eq!(added.body[0]["target_id"], uid);
    let bad = call(
        &app,
        Some(&k),
        Method::POST,
        &format!("/api/v1/certifications/{cert}/assignments"),
        Some(json!({ "target_kind": "planet", "target_id": 1 })),
        &[],
    )
    .await;
    assert_eq!(bad.status, 422, "{:?}", bad.body);
    let nobody = call(
        &app,
        Some(&k),
        Method::POST,
        &format!("/api/v1/certifications/{cert}/assignments"),
        Some(json!({ "target_kind": "branch", "target_id": 424242 })),
        &[],
    )
    .await;
    assert_eq!(nobody.status, 404, "{:?}", nobody.body);
    let results = call(
        &app,
        Some(&read_only),
        Method::GET,
        &format!("/api/v1/certifications/{cert}/results"),
        None,
        &[],
    )
    .await;
    assert_eq!(results.status, 200, "{:?}", results.body);
    assert!(
        results
            .body
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["user_id"] == uid),
        "{:?}",
        results.body
    );
    let mine = call(
        &app,
        Some(&read_only),
        Method::GET,
        "/api/v1/users/ext:HR-900/results",
        None,
        &[],
    )
    .await;
    assert_eq!(mine.status, 200, "{:?}", mine.body);
    let attempts = call(
        &app,
        Some(&read_only),
        Method::GET,
        &format!("/api/v1/users/ext:HR-900/certifications/{cert}/attempts"),
        None,
        &[],
    )
    .await;
    assert_eq!(attempts.status, 200, "{:?}", attempts.body);
    assert_eq!(attempts.body, json!([]));
    let removed = call(
        &app,
        Some(&k),
        Method::DELETE,
        &format!("/api/v1/certifications/{cert}/assignments/user/{uid}"),
        None,
        &[],
    )
    .await;
    assert_eq!(removed.status, 204);
    let after = call(
        &app,
        Some(&read_only),
        Method::GET,
        &format!("/api/v1/certifications/{cert}/assignments"),
        None,
        &[],
    )
    .await;
    assert_eq!(after.body, json!([]));

    // A reset needs a reason, and is refused for a manager without the admin scope.
    let no_reason = call(
        &app,
        Some(&k),
        Method::POST,
        &format!("/api/v1/users/{uid}/certifications/{cert}/reset"),
        Some(json!({ "reason": " " })),
        &[],
    )
    .await;
    assert_eq!(no_reason.status, 422, "{:?}", no_reason.body);
    let reset = call(
        &app,
        Some(&k),
        Method::POST,
        &format!("/api/v1/users/{uid}/certifications/{cert}/reset"),
        Some(json!({ "reason": "пересдача по заявке HR" })),
        &[],
    )
    .await;
    assert_eq!(reset.status, 204, "{:?}", reset.body);
    let nothing_used = call(
        &app,
        Some(&k),
        Method::POST,
        &format!("/api/v1/users/{uid}/certifications/{cert}/grant-attempt"),
        None,
        &[],
    )
    .await;
    assert_eq!(nothing_used.status, 422, "{:?}", nothing_used.body);
    let admins_reset = call(
        &app,
        Some(&k),
        Method::POST,
        &format!("/api/v1/users/{}/certifications/{cert}/reset", admin.id.0),
        Some(json!({ "reason": "x" })),
        &[],
    )
    .await;
    assert_eq!(admins_reset.status, 403, "{:?}", admins_reset.body);

    // Badges: the catalogue, an award (once), a revoke with a reason.
    let catalogue = call(
        &app,
        Some(&read_only),
        Method::GET,
        "/api/v1/badges",
        None,
        &[],
    )
    .await;
    assert!(
        catalogue
            .body
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["id"] == badge)
    );
    let levels = call(
        &app,
        Some(&read_only),
        Method::GET,
        "/api/v1/levels",
        None,
        &[],
    )
    .await;
    assert_eq!(levels.status, 200);
    let grant = json!({ "badge_id": badge, "reason": "за наставничество" });
    let awarded = call(
        &app,
        Some(&k),
        Method::POST,
        "/api/v1/users/ext:HR-900/badges",
        Some(grant.clone()),
        &[],
    )
    .await;
    assert_eq!(awarded.status, 200, "{:?}", awarded.body);
    assert_eq!(awarded.body[0]["badge_id"], badge);
    let twice = call(
        &app,
        Some(&k),
        Method::POST,
        "/api/v1/users/ext:HR-900/badges",
        Some(grant),
        &[],
    )
    .await;
    assert_eq!(twice.status, 422, "{:?}", twice.body);
    let no_reason = call(
        &app,
        Some(&k),
        Method::DELETE,
        &format!("/api/v1/users/ext:HR-900/badges/{badge}"),
        None,
        &[],
    )
    .await;
    assert_eq!(no_reason.status, 422, "{:?}", no_reason.body);
    let revoked = call(
        &app,
        Some(&k),
        Method::DELETE,
        &format!("/api/v1/users/ext:HR-900/badges/{badge}?reason=ошибка"),
        None,
        &[],
    )
    .await;
    assert_eq!(revoked.status, 204, "{:?}", revoked.body);
    let held = call(
        &app,
        Some(&read_only),
        Method::GET,
        "/api/v1/users/ext:HR-900/badges",
        None,
        &[],
    )
    .await;
    assert!(held.body[0]["revoked_at"].is_number(), "{:?}", held.body);
    // Every change is audited with the key as actor. (The connection goes back to the pool
    // before the server stops: closing the pool waits for it.)
    let recent = {
        let mut c = app.state.db.read().await.unwrap();
        app::storage::audit::recent(c.conn(), None, 200)
            .await
            .unwrap()
    };
    let by_key: BTreeSet<&str> = recent
        .iter()
        .filter(|e| e.actor_kind == "api_key")
        .map(|e| e.action.as_str())
        .collect();
    for action in [
        "assignment_changed",
        "progress_reset",
        "badge_awarded",
        "badge_revoked",
    ] {
        assert!(by_key.contains(action), "{action} by the key in {by_key:?}");
    }
    app.stop().await;
}

async fn a_key_whose_request_was_cut_off_runs_again(backend: Backend) {
    use sha2::Digest;
    let app = spawn_app(backend).await;
    let created = app::api_keys::service::create(
        &app.state,
        None,
        NewApiKey {
            name: "hr".into(),
            scopes: vec!["users:write".into()],
            rate_per_sec: 1000,
            burst: 1000,
            ..NewApiKey::default()
        },
        &Origin::channel("test"),
    )
    .await
    .expect("key created");
    let body = json!({ "telegram_id": 5_570_001, "first_name": "Лев" });
    // A request with this key was claimed by a process that died: its lease ran out.
    let mut hasher = sha2::Sha256::new();
    hasher.update(b"POST /users");
    hasher.update([0]);
    hasher.update(serde_json::to_vec(&body).unwrap());
    let hash = hex::encode(hasher.finalize());
    let now = app.state.now();
    let mut tx = app.state.db.begin().await.unwrap();
    let claimed = app::storage::api_keys::claim(
        tx.conn(),
        created.key.id,
        "cut-off-1",
        &hash,
        app::domain::Timestamp(0),
        now,
        app::domain::Timestamp(now.0 - 1),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert!(matches!(
        claimed,
        app::storage::api_keys::Idempotent::Claimed
    ));
    let started = std::time::Instant::now();
    let retry = call(
        &app,
        Some(&created.secret),
        Method::POST,
        "/api/v1/users",
        Some(body.clone()),
        &[("idempotency-key", "cut-off-1")],
    )
    .await;
    assert_eq!(retry.status, 201, "{:?}", retry.body);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "the retry did not wait for the dead claim"
    );
    let again = call(
        &app,
        Some(&created.secret),
        Method::POST,
        "/api/v1/users",
        Some(body),
        &[("idempotency-key", "cut-off-1")],
    )
    .await;
    assert_eq!(again.status, 201);
    assert_eq!(
        again.body["id"], retry.body["id"],
        "replayed, not made twice"
    );
    assert!(again.headers.contains_key("idempotent-replayed"));
}

/// Every operation that changes a person, with a key without the `admin` scope, against an
/// admin and a manager: what each answers, and that nothing changed.
async fn a_key_without_the_admin_scope_changes_no_manager_or_admin(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app
        .create_account(
            "root",
            "root-password-42",
            app::domain::user::Role::Admin,
            Some(1),
        )
        .await;
    let manager = app
        .create_account(
            "lead",
            "lead-password-42",
            app::domain::user::Role::Manager,
            Some(2),
        )
        .await;
    assert_eq!(
        app.sign_in_admin("root", "root-password-42").await.status,
        200
    );
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
    let k = key(
        &app,
        &["users:write", "achievements:write", "certifications:write"],
    )
    .await;
    // (operation, method, path, body, answer): the answer is the same for both targets.
    let ops = |id: i64| {
        vec![
            (
                "edit",
                Method::PATCH,
                format!("/api/v1/users/{id}"),
                Some(json!({ "last_name": "Чужой" })),
                403,
            ),
            (
                "deactivate",
                Method::DELETE,
                format!("/api/v1/users/{id}"),
                None,
                403,
            ),
            // Only employees earn points: the same answer as with the admin scope.
            (
                "points",
                Method::POST,
                format!("/api/v1/users/{id}/points"),
                Some(json!({ "delta": 5, "reason": "x" })),
                422,
            ),
            (
                "award",
                Method::POST,
                format!("/api/v1/users/{id}/badges"),
                Some(json!({ "badge_id": badge, "reason": "x" })),
                403,
            ),
            (
                "revoke",
                Method::DELETE,
                format!("/api/v1/users/{id}/badges/{badge}?reason=x"),
                None,
                403,
            ),
            (
                "reset",
                Method::POST,
                format!("/api/v1/users/{id}/certifications/1/reset"),
                Some(json!({ "reason": "x" })),
                403,
            ),
        ]
    };
    for target in [admin.id.0, manager.id.0] {
        for (op, method, path, body, expected) in ops(target) {
            let a = call(&app, Some(&k), method, &path, body, &[]).await;
            assert_eq!(a.status, expected, "{op} on {target}: {:?}", a.body);
            if expected == 403 {
                is_problem(&a, "forbidden");
            }
        }
    }
    let created = call(
        &app,
        Some(&k),
        Method::POST,
        "/api/v1/users",
        Some(json!({ "telegram_id": 5_590_001, "first_name": "Новый", "role": "manager" })),
        &[],
    )
    .await;
    assert_eq!(
        created.status, 403,
        "creating a manager: {:?}",
        created.body
    );
    let mut c = app.state.db.read().await.unwrap();
    for (before, last) in [(admin, "root"), (manager, "lead")] {
        let now = app::storage::users::get(c.conn(), before.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((now.last_name.as_str(), now.status), (last, before.status));
        assert!(
            app::storage::gamification::held(c.conn(), before.id)
                .await
                .unwrap()
                .is_empty()
        );
    }
}

async fn a_bulk_cut_off_midway_ends_as_if_it_ran_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let k = key(&app, &["users:write"]).await;
    let rows: Vec<Value> = (0..600)
        .map(|i| json!({ "external_id": format!("C-{i}"), "telegram_id": 5_600_000 + i, "first_name": "Имя" }))
        .collect();
    let body = json!({ "users": rows });
    let count = |sql: &'static str| {
        let app = &app;
        async move {
            let mut c = app.state.db.read().await.unwrap();
            let (n,): (i64,) =
                app::on_conn!(c.conn(), |c| sqlx::query_as(sql).fetch_one(c).await).unwrap();
            n
        }
    };
    const PEOPLE: &str = "SELECT COUNT(*) FROM users WHERE external_id LIKE 'C-%'";
    const AUDITED: &str = "SELECT COUNT(*) FROM audit_log WHERE action = 'user_preregistered' \
         AND details LIKE '%\"C-%'";
    // The client goes away once some rows are in.
    let first = {
        let req = reqwest::Client::new()
            .post(app.url("/api/v1/users/bulk"))
            .bearer_auth(&k)
            .header("idempotency-key", "cut-1")
            .json(&body);
        tokio::spawn(async move { req.send().await })
    };
    eventually("some rows are in", Duration::from_secs(30), || async {
        (count(PEOPLE).await > 0).then_some(())
    })
    .await;
    first.abort();
    let retry = eventually("the retry answers", Duration::from_secs(60), || async {
        let a = call(
            &app,
            Some(&k),
            Method::POST,
            "/api/v1/users/bulk",
            Some(body.clone()),
            &[("idempotency-key", "cut-1")],
        )
        .await;
        (a.status == 200).then_some(a)
    })
    .await;
    assert_eq!(retry.body["failed"], 0, "{:?}", retry.body["rows"][0]);
    assert_eq!(count(PEOPLE).await, 600, "each row once");
    assert_eq!(count(AUDITED).await, 600, "every change audited");
}

crate::both_backends!(
    certifications_assignments_results_and_badges_through_the_api,
    a_bulk_cut_off_midway_ends_as_if_it_ran_once,
    a_key_without_the_admin_scope_changes_no_manager_or_admin,
    a_key_whose_request_was_cut_off_runs_again,
    every_operation_refuses_missing_wrong_expired_and_revoked_keys,
    only_admins_manage_keys_and_see_a_secret_once,
    people_are_created_read_and_updated_with_etags_and_rules,
    ten_identical_posts_at_once_make_one_person_and_one_payment,
    a_client_paging_while_another_writes_sees_every_change,
    bulk_upsert_applies_each_row_and_the_rate_limit_answers_429,
);
