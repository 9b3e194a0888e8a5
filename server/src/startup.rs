//! Builds the application: database, migrations, HTTP router, bot and jobs.

use crate::bot;
use crate::config::{BotMode, Settings};
use crate::routes;
use app::domain::clock::Clock;
use app::state::AppState;
use app::storage::{Db, PoolSettings, StorageError};
use app::{App, shell};
use axum::Router;
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::trace::TraceLayer;

/// How long shutdown waits for the database connections to come back.
const POOL_CLOSE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Connections the kernel may hold before the server accepts them (capped by
/// `net.core.somaxconn`). Tokio's `bind` asks for 1,024: when thousands of employees open
/// the Mini App at the same second, the SYNs beyond it are dropped and each phone waits for
/// its 1 s, 3 s, 7 s retransmission before the server even sees it.
const LISTEN_BACKLOG: u32 = 16_384;

/// Listens on `addr` with [`LISTEN_BACKLOG`].
fn listen(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    // As `TcpListener::bind` does: a restart may listen while old connections linger.
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

pub use crate::server_state::ServerState;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("database: {0}")]
    Database(#[from] StorageError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("bot: {0}")]
    Bot(String),
    #[error("server: {0}")]
    Serve(std::io::Error),
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
    bot: Option<bot::BotRuntime>,
    settings: Settings,
    api: crate::api::ApiRuntime,
}

pub async fn connect_db(settings: &Settings) -> Result<Db, StorageError> {
    let db = Db::connect(
        &settings.database_url,
        &PoolSettings {
            max_connections: settings.database_max_connections,
            sqlite_sync: settings.sqlite_sync,
            sqlite_mmap_mb: settings.sqlite_mmap_mb,
            ..PoolSettings::default()
        },
    )
    .await?;
    db.migrate().await?;
    Ok(db)
}

impl Application {
    pub async fn build(
        mut settings: Settings,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, StartupError> {
        let db = connect_db(&settings).await?;
        tracing::info!(backend = ?db.backend(), "database ready, migrations applied");
        let addr = settings.leptos.site_addr;
        let listener = listen(addr).map_err(|source| StartupError::Bind { addr, source })?;
        let local = listener.local_addr().map_err(StartupError::Serve)?;
        if !settings.public_url_explicit {
            // Without PUBLIC_URL the app is reached where it listens (port 0 included).
            settings.app.public_url = format!("http://{local}");
        }
        let state = AppState::new(db, clock, settings.app.clone());

        if settings.bot.token.is_none() {
            tracing::warn!(
                "TELEGRAM_BOT_TOKEN is not set: the bot is off and Mini App sign-in is refused"
            );
        } else if settings.bot.mode == BotMode::Off {
            tracing::info!("BOT_MODE=off: the bot is off (Mini App sign-in still works)");
        } else if !settings.app.public_url.starts_with("https://") {
            tracing::warn!(public_url = %settings.app.public_url, "PUBLIC_URL is not https: Telegram will refuse the Mini App button");
        }

        let api = crate::api::ApiRuntime::default();
        let mut router = router(&settings, state.clone(), api.clone());
        let mut bot = None;
        if let Some((webhook, runtime)) = bot::start_webhook(
            &settings.bot,
            &settings.app.public_url,
            local,
            state.clone(),
        )
        .await
        .map_err(StartupError::Bot)?
        {
            router = router.merge(webhook);
            bot = Some(runtime);
        }
        Ok(Self {
            listener,
            router,
            state,
            bot,
            settings,
            api,
        })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then stops the bot and the jobs.
    pub async fn run(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<(), StartupError> {
        let Application {
            listener,
            router,
            state,
            bot,
            settings,
            api,
        } = self;
        let bot = bot.or_else(|| bot::start_polling(&settings.bot, state.clone()));
        let (stop_tx, stop_rx) = watch::channel(false);
        let leadership = crate::leader::elect(&state.db, settings.leader_lease, stop_rx.clone());
        // The jobs and the senders write through the leader's fence: once another instance
        // has taken the lead, this one's late writes are refused.
        let leader_state = match leadership.fence() {
            Some(fence) => state.with_db(state.db.fenced(fence)),
            None => state.clone(),
        };
        let outgoing = bot::outgoing(&settings, leader_state.clone());
        let mut jobs = crate::jobs::spawn_all(
            leader_state,
            settings.jobs_tick,
            leadership.clone(),
            outgoing.as_ref().map(|o| o.feed.clone()),
            stop_rx.clone(),
        );
        jobs.push(tokio::spawn(crate::api::keys::housekeeping(
            api.clone(),
            state.clone(),
            stop_rx.clone(),
        )));
        jobs.push(tokio::spawn(sweep_uploads(
            settings.uploads_dir.clone(),
            stop_rx.clone(),
        )));
        if let Some(o) = outgoing {
            jobs.push(tokio::spawn(o.sender.run(leadership, stop_rx)));
        }
        tracing::info!(addr = %listener.local_addr().map_err(StartupError::Serve)?, "listening");
        // Small responses go out at once instead of waiting on Nagle for the client's ACK.
        let listener = listener.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(error = %e, "could not set TCP_NODELAY");
            }
        });
        let served = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        let _ = stop_tx.send(true);
        if let Some(bot) = bot {
            bot.stop().await;
        }
        for job in jobs {
            job.abort();
        }
        if let Err(e) = api.flush_usage(&state).await {
            tracing::warn!(error = %e, "could not record the last API key use");
        }
        // Failed sign-ins counted in windows still open are written now, not lost.
        if let Err(e) = state
            .failed_sign_ins
            .flush(&state.db, state.now(), true)
            .await
        {
            tracing::warn!(error = %e, "could not record the open sign-in failure counts");
        }
        // Closing waits for every connection to come back; one held forever (a leak) must
        // not keep the process from ending.
        if tokio::time::timeout(POOL_CLOSE_TIMEOUT, state.db.close())
            .await
            .is_err()
        {
            tracing::warn!(
                after = ?POOL_CLOSE_TIMEOUT,
                "database connections still in use at shutdown: stopping without them"
            );
        }
        served.map_err(StartupError::Serve)
    }
}

/// Removes uploads' `.part` files left by crashed processes: at start, then hourly (every
/// instance sweeps its own uploads directory; a file still being written is fresh).
async fn sweep_uploads(dir: std::path::PathBuf, mut stop: watch::Receiver<bool>) {
    loop {
        let n = routes::uploads::sweep_parts(&dir, routes::uploads::STALE_PART).await;
        if n > 0 {
            tracing::info!(files = n, "removed unfinished uploads");
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(3600)) => {}
            _ = stop.changed() => return,
        }
    }
}

fn router(settings: &Settings, app: AppState, api: crate::api::ApiRuntime) -> Router {
    let csrf =
        routes::csrf::CsrfPolicy::new(&settings.app.public_url, settings.public_url_explicit);
    let leptos = settings.leptos.clone();
    let server_state = ServerState::new(crate::server_state::ServerStateInner {
        leptos: leptos.clone(),
        app: app.clone(),
        uploads_dir: settings.uploads_dir.clone(),
    });
    let routes = generate_route_list(App);
    let context = {
        let app = app.clone();
        move || provide_context(app.clone())
    };
    let scim = crate::scim::router(app.clone(), api.clone()).layer(TraceLayer::new_for_http());
    let rest_api = crate::api::router(app.clone(), api).layer(TraceLayer::new_for_http());
    let (pkg_path, pkg) = routes::assets::pkg(&leptos);
    let router = Router::new();
    // The load test reads the write transactions' figures (`--features bench` only).
    #[cfg(feature = "bench")]
    let router = router.route("/debug/write-stats", get(routes::debug_stats::write_stats));
    router
        .nest(&pkg_path, pkg)
        .route("/healthz", get(routes::health::healthz))
        .route(
            &format!("{}/{{name}}", app::i18n::page_texts::PATH),
            get(routes::texts::script),
        )
        .route("/auth/telegram", post(routes::auth::telegram))
        .route("/auth/me", get(routes::auth::me))
        .route(
            "/api/uploads",
            post(routes::uploads::upload).layer(axum::extract::DefaultBodyLimit::max(
                routes::uploads::BODY_LIMIT,
            )),
        )
        .route("/uploads/{id}/{name}", get(routes::uploads::serve))
        .route(
            "/admin/audit/export.csv",
            get(routes::audit_export::export_csv),
        )
        .route(
            "/admin/compliance.csv",
            get(routes::exports::compliance_csv),
        )
        .route(
            "/admin/compliance.xlsx",
            get(routes::exports::compliance_xlsx),
        )
        .route(
            "/admin/certifications/{id}/statistics.csv",
            get(routes::exports::statistics_csv),
        )
        .route(
            "/admin/certifications/{id}/statistics.xlsx",
            get(routes::exports::statistics_xlsx),
        )
        .route(
            "/admin/certifications/{id}/results.csv",
            get(routes::exports::results_csv),
        )
        .route(
            "/admin/certifications/{id}/results.xlsx",
            get(routes::exports::results_xlsx),
        )
        .route("/admin/dashboard.csv", get(routes::exports::dashboard_csv))
        .route(
            "/admin/dashboard.xlsx",
            get(routes::exports::dashboard_xlsx),
        )
        .leptos_routes_with_context(&server_state, routes, context.clone(), {
            let leptos = leptos.clone();
            move || shell(leptos.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            ServerState,
            _,
        >(context, shell))
        .layer(axum::middleware::from_fn(
            routes::imports::larger_body_limit,
        ))
        .layer(axum::middleware::from_fn(
            routes::bad_request::decode_errors_are_400,
        ))
        .layer(axum::middleware::from_fn(routes::conditional::etag))
        .layer(axum::middleware::from_fn(routes::miniapp_entry::cert_entry))
        .layer(axum::middleware::from_fn_with_state(
            csrf,
            routes::csrf::same_origin_writes,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(server_state)
        .merge(rest_api)
        .merge(scim)
        .layer(routes::assets::compression())
}
