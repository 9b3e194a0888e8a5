//! Several instances on one PostgreSQL database. A change through one instance is seen on the
//! very next request through another (the versioned caches); behind nginx, killing an instance
//! moves its users to the other with no lost answer, and its background jobs to a survivor,
//! run once.

use crate::helpers::{
    BOT_TOKEN, Backend, Options, TestApp, eventually, fresh_database_url, spawn_on,
};
use crate::taking::{Setup, setup, setup_on};
use app::domain::user::Role;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, ETAG, IF_NONE_MATCH, ORIGIN};
use serde_json::{Value, json};
use std::time::Duration;

const PASSWORD: &str = "correct-horse-42";

async fn ok(r: crate::helpers::Response, what: &str) -> Value {
    assert_eq!(r.status, 200, "{what}: {:?}", r.body);
    r.body
}

async fn a_change_through_one_instance_is_fresh_on_another(backend: Backend) {
    let a = setup(
        backend,
        json!({ "min_read_secs": 0, "points": 10 }),
        2,
        3,
        None,
    )
    .await;
    // SQLite is one process by design: there, B is a second client of the same instance, which
    // still checks that nothing cached outlives a change.
    let b = match backend {
        Backend::Postgres => {
            let b = spawn_on(a.app.database_url.clone(), Options::default()).await;
            b.set_cookies(a.app.cookies());
            b
        }
        Backend::Sqlite => a.app.client(),
    };
    let b = Setup {
        app: b,
        cert: a.cert,
    };
    let cert = a.cert.to_string();

    // Theory: cached on B, edited through A.
    let theory = b.theory().await;
    assert_eq!(theory["blocks"][0]["title"], "Блок 0");
    let block = theory["blocks"][0]["id"].clone();
    let r = a.app.call_json("certifications/blocks/update", &json!({ "block_id": block,
        "block": { "kind": "text", "title": "Исправлено", "body": "<p>Новая теория</p>", "url": "" },
        "require_reread": false })).await;
    ok(r, "edit a block").await;
    let theory = b.theory().await;
    assert_eq!(theory["blocks"][0]["title"], "Исправлено");
    assert!(
        theory["blocks"][0]["body"]
            .as_str()
            .unwrap()
            .contains("Новая теория")
    );

    // A setting of the certification.
    let mut settings = a
        .app
        .call("certifications/get", &[("id", &cert)])
        .await
        .body["cert"]["settings"]
        .clone();
    settings["title"] = json!("Пожарная безопасность");
    let r = a
        .app
        .call_json(
            "certifications/settings",
            &json!({ "id": a.cert, "settings": settings }),
        )
        .await;
    ok(r, "settings").await;
    assert_eq!(b.theory().await["title"], "Пожарная безопасность");

    // Results: the dashboard and the statistics, cached on B, after a pass through A.
    let dash = ok(b.app.call("analytics/dashboard", &[]).await, "dashboard").await;
    assert_eq!(dash["open"][0]["passed"], 0, "{dash}");
    let stats = ok(
        b.app
            .call(
                "certifications/stats",
                &[("id", &cert), ("first_only", "false")],
            )
            .await,
        "stats",
    )
    .await;
    assert_eq!(stats["attempts"], 0);
    a.read_all().await;
    let attempt = a.started().await;
    // Started through A: B's dashboard shows it running once the events are applied (at the
    // next job tick at the latest; applied here at once).
    app::cache::consumer::catch_up(&a.app.state).await;
    eventually(
        "B's dashboard shows the attempt running",
        Duration::from_secs(30),
        || async {
            let dash = b.app.call("analytics/dashboard", &[]).await.body;
            (dash["in_progress"] == 1).then_some(())
        },
    )
    .await;
    for i in 0..3 {
        assert_eq!(a.answer(attempt, i, &[1]).await.status, 200);
    }
    assert_eq!(a.finish(attempt).await["passed"], true);
    // The finishing request applies the events (or, if an older transaction is still writing
    // or another run holds the consumer, the job does within a tick): B shows the pass.
    eventually(
        "B's dashboard shows the pass",
        Duration::from_secs(30),
        || async {
            let dash = b.app.call("analytics/dashboard", &[]).await.body;
            (dash["open"][0]["passed"] == 1 && dash["in_progress"] == 0).then_some(())
        },
    )
    .await;
    eventually(
        "B's statistics count the attempt",
        Duration::from_secs(30),
        || async {
            let stats = b
                .app
                .call(
                    "certifications/stats",
                    &[("id", &cert), ("first_only", "false")],
                )
                .await
                .body;
            (stats["attempts"] == 1).then_some(())
        },
    )
    .await;

    // A level threshold, and the conditional read of the catalogue: 304 while unchanged, the
    // new levels on the next request after the change.
    let (status, headers, _) = b.app.get_raw("/api/gamification/catalogue").await;
    assert_eq!(status, 200);
    let tag = headers[ETAG].to_str().unwrap().to_owned();
    let again = b
        .app
        .request(reqwest::Method::GET, "/api/gamification/catalogue")
        .header(IF_NONE_MATCH, &tag);
    assert_eq!(b.app.send(again).await.status, 304);
    let levels = json!({ "levels": [
        { "number": 1, "name": "Новичок", "min_points": 0 },
        { "number": 2, "name": "Знаток", "min_points": 5 },
    ] });
    ok(
        a.app.call_json("gamification/levels", &levels).await,
        "levels",
    )
    .await;
    let changed = b
        .app
        .request(reqwest::Method::GET, "/api/gamification/catalogue")
        .header(IF_NONE_MATCH, &tag);
    let changed = b.app.send(changed).await;
    assert_eq!(changed.status, 200);
    assert_eq!(changed.body["levels"][1]["min_points"], 5);
    // The pass's 10 points reach the new threshold. They are paid by the finish, or by the
    // leader's job within a tick when another run held the consumer at that moment.
    eventually(
        "10 points reach the new threshold",
        Duration::from_secs(30),
        || async {
            let mine = b.app.call("app/achievements", &[]).await.body;
            (mine["level"]["name"] == "Знаток").then_some(())
        },
    )
    .await;

    // A permission withdrawn through A is refused through B at once.
    let boss = a
        .app
        .create_account("boss", PASSWORD, Role::Admin, None)
        .await;
    assert_eq!(b.app.sign_in_admin("boss", PASSWORD).await.status, 200);
    ok(
        b.app.call("analytics/dashboard", &[]).await,
        "boss's dashboard",
    )
    .await;
    let r = a
        .app
        .call_json(
            "users/permissions",
            &json!({ "id": boss.id, "changes": [["certifications", false]] }),
        )
        .await;
    ok(r, "withdraw").await;
    assert_eq!(b.app.call("analytics/dashboard", &[]).await.status, 403);
    b.app.stop().await;
    a.app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// Two server processes behind nginx (PostgreSQL only: SQLite is one process by design).

/// A server process on `database_url`, killed when dropped.
struct Instance {
    child: tokio::process::Child,
    url: String,
}

/// Polls `url`'s `/healthz` until it answers 200.
async fn until_healthy(url: &str, what: &str, timeout: Duration) {
    let client = reqwest::Client::new();
    eventually(what, timeout, || async {
        let r = client.get(format!("{url}/healthz")).send().await.ok()?;
        r.status().is_success().then_some(())
    })
    .await;
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// An instance whose public address is nginx's `public_url`.
async fn start_instance(database_url: &str, public_url: &str) -> Instance {
    start_instance_with(database_url, public_url, &[]).await
}

/// [`start_instance`] with more settings.
async fn start_instance_with(
    database_url: &str,
    public_url: &str,
    env: &[(&str, &str)],
) -> Instance {
    let port = free_port();
    let uploads = std::env::temp_dir().join("attest-tests").join("uploads");
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .env("APP_CONFIG", "/nonexistent/Leptos.toml")
        .env("DATABASE_URL", database_url)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("TELEGRAM_BOT_TOKEN", BOT_TOKEN)
        .env("PUBLIC_URL", public_url)
        .env("BOT_MODE", "off")
        .env("JOBS_TICK_MS", "200")
        .env("DATABASE_MAX_CONNECTIONS", "8")
        .env("UPLOADS_DIR", uploads)
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start the server binary");
    let url = format!("http://127.0.0.1:{port}");
    until_healthy(&url, "the instance answers", Duration::from_secs(60)).await;
    Instance { child, url }
}

/// nginx on a free loopback port in front of `upstreams`, stopped when dropped.
struct Nginx {
    _child: tokio::process::Child,
    url: String,
    _dir: tempdir::Dir,
}

mod tempdir {
    /// A directory removed when dropped.
    pub struct Dir(pub std::path::PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn nginx_binary() -> String {
    ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .unwrap_or("nginx")
        .to_owned()
}

async fn start_nginx(port: u16, upstreams: &[&Instance]) -> Nginx {
    let dir = std::env::temp_dir().join(format!("attest-nginx-{port}"));
    std::fs::create_dir_all(&dir).unwrap();
    let servers: String = upstreams
        .iter()
        .map(|i| {
            format!(
                "    server {} max_fails=1 fail_timeout=10s;\n",
                i.url.trim_start_matches("http://")
            )
        })
        .collect();
    let d = dir.display();
    // As in docs/DEPLOY.md: nginx does not retry a POST that reached an instance (answers are
    // idempotent and the client retries); it does move a request whose connection failed.
    let conf = format!(
        "master_process off;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 512; }}
http {{
  access_log off;
  client_body_temp_path {d}/body;
  proxy_temp_path {d}/proxy;
  fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi;
  scgi_temp_path {d}/scgi;
  upstream attest {{
{servers}    keepalive 16;
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://attest;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_next_upstream error timeout;
      proxy_connect_timeout 2s;
    }}
  }}
}}
"
    );
    let path = dir.join("nginx.conf");
    std::fs::write(&path, conf).unwrap();
    let child = tokio::process::Command::new(nginx_binary())
        .arg("-p")
        .arg(&dir)
        .arg("-c")
        .arg(&path)
        .arg("-g")
        .arg("daemon off;")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("nginx is installed (scripts/test.sh installs Debian's package)");
    let url = format!("http://127.0.0.1:{port}");
    until_healthy(&url, "nginx answers", Duration::from_secs(30)).await;
    Nginx {
        _child: child,
        url,
        _dir: tempdir::Dir(dir),
    }
}

/// A Mini App client through nginx with the setup's cookies; it retries a request that failed
/// on the way (the Mini App retries a failed touch the same way).
struct Client {
    http: reqwest::Client,
    base: String,
    cookies: String,
}

impl Client {
    async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> Value {
        self.retrying(|| {
            self.http
                .post(format!("{}/api/{endpoint}", self.base))
                .header(COOKIE, &self.cookies)
                .header(ORIGIN, &self.base)
                .form(form)
        })
        .await
    }

    async fn call_json(&self, endpoint: &str, body: &Value) -> Value {
        self.retrying(|| {
            self.http
                .post(format!("{}/api/{endpoint}", self.base))
                .header(COOKIE, &self.cookies)
                .header(ORIGIN, &self.base)
                .json(body)
        })
        .await
    }

    async fn retrying(&self, req: impl Fn() -> reqwest::RequestBuilder) -> Value {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            match req().send().await {
                Ok(r) if r.status() == StatusCode::OK => return r.json().await.unwrap(),
                Ok(r) if r.status().is_client_error() => {
                    panic!("refused: {} {:?}", r.status(), r.text().await)
                }
                other => {
                    assert!(
                        std::time::Instant::now() < deadline,
                        "no instance answered: {other:?}"
                    );
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }
}

async fn behind_nginx_a_killed_instance_loses_nothing_and_its_jobs_move(backend: Backend) {
    if backend != Backend::Postgres {
        return;
    }
    let database_url = fresh_database_url(backend).await;
    let port = free_port();
    let public_url = format!("http://127.0.0.1:{port}");
    let mut first = start_instance(&database_url, &public_url).await;
    // The first instance leads (it holds the advisory lock) before the second starts, so
    // killing it moves the jobs.
    let db = app::storage::Db::connect(&database_url, &app::storage::PoolSettings::default())
        .await
        .unwrap();
    eventually(
        "the first instance leads",
        Duration::from_secs(30),
        || async {
            let mut c = db.read().await.unwrap();
            let (held,): (i64,) = app::on_conn!(c.conn(), |c| sqlx::query_as(
                "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND granted \
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            )
            .fetch_one(c)
            .await)
            .unwrap();
            (held > 0).then_some(())
        },
    )
    .await;
    let second = start_instance(&database_url, &public_url).await;
    let nginx = start_nginx(port, &[&first, &second]).await;
    // Seeds through a third, in-process instance, then stops it: its clock is the test's, and
    // the jobs must run on the two processes only.
    let questions = 12;
    let seed = setup_on(
        database_url.clone(),
        json!({ "min_read_secs": 0, "points": 10 }),
        1,
        questions,
        Options::default(),
    )
    .await;
    let app: &TestApp = &seed.app;
    // A second certification the scheduler opens in a few seconds, after the kill.
    let later = app
        .call("certifications/create", &[("title", "Позже")])
        .await
        .body
        .as_i64()
        .unwrap();
    let r = app.call_json("certifications/blocks/add", &json!({ "id": later,
        "block": { "kind": "text", "title": "Блок", "body": "<p>Теория</p>", "url": "" }, "require_reread": false })).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let ids = question_ids(app, seed.cert).await;
    let r = app
        .call_json(
            "certifications/questions",
            &json!({ "id": later, "questions": ids }),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let mut settings = app
        .call("certifications/get", &[("id", &later.to_string())])
        .await
        .body["cert"]["settings"]
        .clone();
    let opens_at = crate::helpers::now_ms() + 6_000;
    settings["opens_at"] = json!(opens_at);
    let r = app
        .call_json(
            "certifications/settings",
            &json!({ "id": later, "settings": settings }),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = app
        .call(
            "certifications/lifecycle",
            &[("id", &later.to_string()), ("action", "Schedule")],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let cookies = app.cookie_header();
    let cert = seed.cert;
    seed.app.stop().await;

    let client = Client {
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap(),
        base: nginx.url.clone(),
        cookies,
    };
    let theory = client
        .call("app/theory", &[("cert_id", &cert.to_string())])
        .await;
    for b in theory["blocks"].as_array().unwrap() {
        let block = b["id"].as_i64().unwrap().to_string();
        client
            .call(
                "app/theory/shown",
                &[("cert_id", &cert.to_string()), ("block_id", &block)],
            )
            .await;
    }
    let attempt = client
        .call("app/attempts/start", &[("cert_id", &cert.to_string())])
        .await["attempt_id"]
        .as_i64()
        .unwrap();
    let asked = {
        let mut c = db.read().await.unwrap();
        app::storage::attempts::questions(c.conn(), app::domain::AttemptId(attempt))
            .await
            .unwrap()
    };
    assert_eq!(asked.len(), questions);
    let mut killed_at = None;
    for (i, q) in asked.iter().enumerate() {
        // Bank option 1 is the right one; the attempt shows it under its own id.
        let right = q.bank_option_ids.iter().position(|x| *x == 1).unwrap();
        let id = q.content.options[right].id;
        let answer = json!({ "attempt_id": attempt, "index": i, "answer": [id] });
        let answer = client.call_json("app/attempts/answer", &answer);
        if i == questions / 2 {
            // Mid-test, with an answer in flight: the leader dies at once (SIGKILL).
            let kill = async {
                tokio::task::yield_now().await;
                first.child.kill().await.unwrap();
                killed_at = Some(crate::helpers::now_ms());
            };
            tokio::join!(answer, kill);
        } else {
            answer.await;
        }
    }
    assert!(
        killed_at.is_some_and(|at| at < opens_at),
        "the kill came after the scheduled opening: the test proves nothing, raise its delay"
    );
    let result = client
        .call(
            "app/attempts/finish",
            &[("attempt_id", &attempt.to_string())],
        )
        .await;
    assert_eq!(result["passed"], true, "every answer counted: {result}");
    assert_eq!(result["percent"], 100, "{result}");

    // Every answer is stored once; the first pass is paid once.
    let mut c = db.read().await.unwrap();
    let (answers,): (i64,) = app::on_conn!(c.conn(), |c| sqlx::query_as(
        "SELECT COUNT(*) FROM attempt_answers WHERE attempt_id = $1"
    )
    .bind(attempt)
    .fetch_one(c)
    .await)
    .unwrap();
    assert_eq!(answers, questions as i64);
    drop(c);
    let paid = eventually("the pass is paid", Duration::from_secs(30), || async {
        let mut c = db.read().await.unwrap();
        let rows: Vec<(i64,)> = app::on_conn!(c.conn(), |c| sqlx::query_as(
            "SELECT delta FROM points_ledger WHERE certification_id = $1"
        )
        .bind(cert)
        .fetch_all(c)
        .await)
        .unwrap();
        (!rows.is_empty()).then_some(rows)
    })
    .await;
    assert_eq!(paid, vec![(10,)], "paid exactly once");

    // The scheduler runs on the survivor and opens the later certification once.
    eventually(
        "the survivor opens the later certification",
        Duration::from_secs(60),
        || async {
            let mut c = db.read().await.unwrap();
            let (status,): (String,) = app::on_conn!(c.conn(), |c| sqlx::query_as(
                "SELECT status FROM certifications WHERE id = $1"
            )
            .bind(later)
            .fetch_one(c)
            .await)
            .unwrap();
            (status == "open").then_some(())
        },
    )
    .await;
    let mut c = db.read().await.unwrap();
    let (opened,): (i64,) = app::on_conn!(c.conn(), |c| sqlx::query_as(
        "SELECT COUNT(*) FROM domain_events WHERE kind = 'certification_opened' \
         AND (payload LIKE $1 OR payload LIKE $2)"
    )
    .bind(format!("%\"certification_id\":{later},%"))
    .bind(format!("%\"certification_id\":{later}}}%"))
    .fetch_one(c)
    .await)
    .unwrap();
    assert_eq!(opened, 1, "opened once");
    drop(c);
    // The survivor serves alone, through nginx.
    let r = reqwest::get(format!("{}/healthz", nginx.url))
        .await
        .unwrap();
    assert!(r.status().is_success());
    drop(second);
    drop(nginx);
    db.close().await;
}

async fn question_ids(app: &TestApp, cert: i64) -> Vec<i64> {
    let mut c = app.state.db.read().await.unwrap();
    let rows: Vec<(i64,)> = app::on_conn!(c.conn(), |c| sqlx::query_as(
        "SELECT question_id FROM certification_questions WHERE certification_id = $1"
    )
    .bind(cert)
    .fetch_all(c)
    .await)
    .unwrap();
    rows.into_iter().map(|r| r.0).collect()
}

/// The backend process holding the leader's advisory lock, if any.
async fn lock_holder(db: &app::storage::Db) -> Option<i32> {
    let mut c = db.read().await.unwrap();
    let row: Option<(i32,)> = app::on_conn!(c.conn(), |c| sqlx::query_as(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted \
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    .fetch_optional(c)
    .await)
    .unwrap();
    row.map(|r| r.0)
}

fn signal(child: &tokio::process::Child, sig: &str) {
    let pid = child.id().expect("the instance runs").to_string();
    let ok = std::process::Command::new("kill")
        .args([sig, &pid])
        .status()
        .expect("kill runs")
        .success();
    assert!(ok, "kill {sig} {pid}");
}

async fn a_stopped_leader_is_replaced_within_its_lease_and_steps_down(backend: Backend) {
    if backend != Backend::Postgres {
        return;
    }
    let database_url = fresh_database_url(backend).await;
    let lease = [("LEADER_LEASE_MS", "1500")];
    let public_url = "http://127.0.0.1:9";
    let first = start_instance_with(&database_url, public_url, &lease).await;
    let db = app::storage::Db::connect(&database_url, &app::storage::PoolSettings::default())
        .await
        .unwrap();
    let leader = eventually("the first instance leads", Duration::from_secs(30), || {
        lock_holder(&db)
    })
    .await;
    let second = start_instance_with(&database_url, public_url, &lease).await;
    // Stopped, not killed: its connection stays open, as in a partition or a hung process.
    signal(&first.child, "-STOP");
    let stopped_at = std::time::Instant::now();
    let successor = eventually(
        "another instance takes the lead",
        Duration::from_secs(15),
        || async { lock_holder(&db).await.filter(|pid| *pid != leader) },
    )
    .await;
    assert!(
        stopped_at.elapsed() < Duration::from_secs(10),
        "the lead moved after {:?}",
        stopped_at.elapsed()
    );
    signal(&first.child, "-CONT");
    until_healthy(
        &first.url,
        "the continued instance answers",
        Duration::from_secs(30),
    )
    .await;
    // For two leases after it continued, the continued instance does not take the lead back.
    let watch_until = std::time::Instant::now() + Duration::from_millis(3_000);
    while std::time::Instant::now() < watch_until {
        assert_eq!(lock_holder(&db).await, Some(successor));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    until_healthy(&second.url, "the successor answers", Duration::from_secs(5)).await;
}

crate::both_backends!(
    a_stopped_leader_is_replaced_within_its_lease_and_steps_down,
    a_change_through_one_instance_is_fresh_on_another,
    behind_nginx_a_killed_instance_loses_nothing_and_its_jobs_move,
);
