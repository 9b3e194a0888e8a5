//! `spawn_app(backend)`: a fresh database, the real application on port 0, and an HTTP client
//! that keeps its cookies (Secure cookies too, which a browser would keep on localhost).

use app::domain::Timestamp;
use app::domain::clock::ManualClock;
use app::domain::init_data;
use app::domain::user::Role;
use app::state::AppState;
use rand::Rng;
use reqwest::header::{COOKIE, ORIGIN, SET_COOKIE};
use serde_json::Value;
use server::config::Settings;
use server::startup::Application;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const BOT_TOKEN: &str = "123456789:TEST-token_for-integration-tests";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates `#[tokio::test]`s for both backends from one async test function.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::helpers::Backend::Sqlite).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::helpers::Backend::Postgres).await;
                }
            }
        )*
    };
}

/// The password the tests give the accounts they create.
pub const PASSWORD: &str = "correct-horse-42";

#[derive(Default)]
pub struct Options {
    pub bot_api_url: Option<String>,
    pub env: Vec<(String, String)>,
}

pub struct TestApp {
    pub address: String,
    pub state: AppState,
    pub clock: ManualClock,
    pub database_url: String,
    client: reqwest::Client,
    cookies: Arc<Mutex<BTreeMap<String, String>>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

fn random_suffix() -> String {
    let n: u64 = rand::thread_rng().r#gen();
    format!("{n:016x}")
}

/// A fresh, empty database of the backend.
pub async fn fresh_database_url(backend: Backend) -> String {
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join("attest-tests");
            std::fs::create_dir_all(&dir).expect("temp dir");
            format!(
                "sqlite://{}",
                dir.join(format!("{}.db", random_suffix())).display()
            )
        }
        Backend::Postgres => {
            let admin_url = std::env::var("TEST_POSTGRES_URL").expect(
                "TEST_POSTGRES_URL is not set: run the tests with scripts/test.sh, or start a \
                 cluster with scripts/pg.sh start and export its URL",
            );
            let name = format!("t_{}", random_suffix());
            let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin_url)
                .await
                .expect("connect to the test cluster");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .expect("create test database");
            let base = admin_url
                .rsplit_once('/')
                .map(|(b, _)| b)
                .unwrap_or(&admin_url);
            format!("{base}/{name}")
        }
    }
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, Options::default()).await
}

pub async fn spawn_app_with(backend: Backend, options: Options) -> TestApp {
    let database_url = fresh_database_url(backend).await;
    spawn_on(database_url, options).await
}

/// Starts the application on an existing database (e.g. after a restart).
pub async fn spawn_on(database_url: String, options: Options) -> TestApp {
    if std::env::var("TEST_LOG").is_ok() {
        server::telemetry::init();
    }
    let mut env: Vec<(String, String)> = vec![
        ("DATABASE_URL".into(), database_url.clone()),
        ("TELEGRAM_BOT_TOKEN".into(), BOT_TOKEN.into()),
        ("DEV_LOGIN".into(), "false".into()),
        ("DATABASE_MAX_CONNECTIONS".into(), "8".into()),
        // Throwaway databases: no sync per commit (the default, `full`, has its own test).
        ("SQLITE_SYNCHRONOUS".into(), "normal".into()),
        // Tests sign in often from one address; the per-address limit has its own test.
        ("PASSWORD_SIGN_INS_PER_IP_PER_MINUTE".into(), "10000".into()),
        (
            "UPLOADS_DIR".into(),
            std::env::temp_dir()
                .join("attest-tests")
                .join("uploads")
                .display()
                .to_string(),
        ),
    ];
    match &options.bot_api_url {
        Some(url) => {
            env.push(("TELEGRAM_API_URL".into(), url.clone()));
            env.push(("BOT_MODE".into(), "polling".into()));
        }
        None => env.push(("BOT_MODE".into(), "off".into())),
    }
    env.extend(options.env);
    let mut settings =
        Settings::from_sources(Path::new("/nonexistent/Leptos.toml"), &env).expect("settings");
    settings.leptos.site_addr = "127.0.0.1:0".parse().unwrap();
    let clock = ManualClock::at(Timestamp(now_ms()));
    let app = Application::build(settings, Arc::new(clock.clone()))
        .await
        .expect("application starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        app.run(async {
            let _ = rx.await;
        })
        .await
        .expect("server runs");
    });
    TestApp {
        address,
        state,
        clock,
        database_url,
        // Answers as the server sent them: tests look at the encoding themselves (loadgen,
        // which shares the crate, takes compressed answers).
        client: reqwest::Client::builder()
            .no_gzip()
            .no_brotli()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap(),
        cookies: Arc::default(),
        shutdown: Some(tx),
        server: Some(server),
    }
}

/// Whether the server function at `path` is called by GET.
pub fn is_get_fn(path: &str) -> bool {
    leptos::server_fn::axum::server_fn_paths().any(|(p, m)| p == path && m.as_str() == "GET")
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// initData for a Telegram user, signed with the test bot token exactly as Telegram signs it.
pub fn init_data_for(telegram_id: i64, first_name: &str, auth_date_secs: i64) -> String {
    let user = serde_json::json!({
        "id": telegram_id,
        "first_name": first_name,
        "last_name": "Тестов",
        "username": format!("user{telegram_id}"),
        "language_code": "ru",
        "photo_url": "https://t.me/i/userpic/320/x.jpg"
    })
    .to_string();
    let auth = auth_date_secs.to_string();
    init_data::sign(
        &[
            ("query_id", "AAHdF6IQAAAAAN0XohDhrOrc"),
            ("user", &user),
            ("auth_date", &auth),
        ],
        BOT_TOKEN,
    )
}

pub struct Response {
    pub status: u16,
    pub body: Value,
    pub set_cookies: Vec<String>,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// The app's clock, in milliseconds.
    pub fn clock_ms(&self) -> i64 {
        use app::domain::clock::Clock;
        self.clock.now().millis()
    }

    /// The app's clock, in seconds (what Telegram puts in `auth_date`).
    pub fn now_secs(&self) -> i64 {
        use app::domain::clock::Clock;
        self.clock.now().millis() / 1000
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .lock()
            .unwrap()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn cookies(&self) -> BTreeMap<String, String> {
        self.cookies.lock().unwrap().clone()
    }

    pub fn set_cookies(&self, jar: BTreeMap<String, String>) {
        *self.cookies.lock().unwrap() = jar;
    }

    pub fn forget_cookies(&self) {
        self.cookies.lock().unwrap().clear();
    }

    async fn finish(&self, resp: reqwest::Response) -> Response {
        let status = resp.status().as_u16();
        let set_cookies: Vec<String> = resp
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        {
            let mut jar = self.cookies.lock().unwrap();
            for c in &set_cookies {
                let pair = c.split(';').next().unwrap_or_default();
                if let Some((k, v)) = pair.split_once('=') {
                    let cleared = c.contains("Max-Age=0") || v.is_empty();
                    if cleared {
                        jar.remove(k);
                    } else {
                        jar.insert(k.to_owned(), v.to_owned());
                    }
                }
            }
        }
        let text = resp.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Response {
            status,
            body,
            set_cookies,
        }
    }

    pub async fn get(&self, path: &str) -> Response {
        let resp = self
            .client
            .get(self.url(path))
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .expect("request");
        self.finish(resp).await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        let resp = self
            .client
            .post(self.url(path))
            .header(COOKIE, self.cookie_header())
            .header(ORIGIN, &self.address)
            .json(body)
            .send()
            .await
            .expect("request");
        self.finish(resp).await
    }

    /// Calls a server function the way the browser does: a GET with the arguments in the query
    /// for the reads registered as GET (conditional reads), else a form-encoded POST.
    pub async fn call(&self, endpoint: &str, args: &[(&str, &str)]) -> Response {
        let path = format!("/api/{endpoint}");
        let req = if is_get_fn(&path) {
            self.client.get(self.url(&path)).query(args)
        } else {
            self.client
                .post(self.url(&path))
                .header(ORIGIN, &self.address)
                .form(args)
        };
        let resp = req
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .expect("request");
        self.finish(resp).await
    }

    /// Calls a server function that takes JSON input.
    pub async fn call_json(&self, endpoint: &str, body: &Value) -> Response {
        let resp = self
            .client
            .post(self.url(&format!("/api/{endpoint}")))
            .header(COOKIE, self.cookie_header())
            .header(ORIGIN, &self.address)
            .json(body)
            .send()
            .await
            .expect("request");
        self.finish(resp).await
    }

    /// Uploads a file to `/api/uploads`.
    pub async fn upload(&self, kind: &str, name: &str, bytes: Vec<u8>) -> Response {
        let form = reqwest::multipart::Form::new()
            .text("kind", kind.to_owned())
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
            );
        let resp = self
            .client
            .post(self.url("/api/uploads"))
            .header(COOKIE, self.cookie_header())
            .header(ORIGIN, &self.address)
            .multipart(form)
            .send()
            .await
            .expect("request");
        self.finish(resp).await
    }

    /// A request with the app's cookies and nothing else: the test sets the rest.
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(path))
            .header(COOKIE, self.cookie_header())
    }

    /// Sends a request built with [`TestApp::request`], keeping the cookies it sets.
    pub async fn send(&self, req: reqwest::RequestBuilder) -> Response {
        let resp = req.send().await.expect("request");
        self.finish(resp).await
    }

    /// A GET returning the raw bytes, status and headers.
    pub async fn get_raw(&self, path: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
        let resp = self
            .client
            .get(self.url(path))
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .expect("request");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        (
            status,
            headers,
            resp.bytes().await.unwrap_or_default().to_vec(),
        )
    }

    pub async fn sign_in_telegram(&self, telegram_id: i64, first_name: &str) -> Response {
        let init = init_data_for(telegram_id, first_name, self.now_secs());
        self.post_json("/auth/telegram", &serde_json::json!({ "init_data": init }))
            .await
    }

    /// Creates an admin-panel account through the same service as the CLI.
    pub async fn create_account(
        &self,
        login: &str,
        password: &str,
        role: Role,
        telegram_id: Option<i64>,
    ) -> app::domain::user::User {
        app::auth::service::create_admin(
            &self.state,
            app::auth::service::NewAdmin {
                login: login.into(),
                password: password.into(),
                telegram_id: telegram_id.map(app::domain::TelegramId),
                first_name: "Тест".into(),
                last_name: login.into(),
                role,
            },
            &app::domain::audit::Origin::channel("test"),
        )
        .await
        .expect("account created")
    }

    pub async fn sign_in_admin(&self, login: &str, password: &str) -> Response {
        self.call(
            "auth/admin_sign_in",
            &[("login", login), ("password", password)],
        )
        .await
    }

    /// Another client of this server, with a copy of the cookies and a jar of its own.
    pub fn client(&self) -> TestApp {
        TestApp {
            address: self.address.clone(),
            state: self.state.clone(),
            clock: self.clock.clone(),
            database_url: self.database_url.clone(),
            client: self.client.clone(),
            cookies: Arc::new(Mutex::new(self.cookies())),
            shutdown: None,
            server: None,
        }
    }

    /// Stops the server (graceful shutdown) and waits for it.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            // A hang here would stall the whole suite without saying which test.
            let _ = tokio::time::timeout(Duration::from_secs(60), server)
                .await
                .expect("the server stops within 60 s");
        }
    }
}

/// Polls `check` until it returns `Some`, or panics after `timeout`.
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}
