//! Command line: `server` (serve), `server --demo`, `server admin create …`, `server migrate`,
//! `server api-key create|list|revoke`.

use crate::config::Settings;
use crate::demo;
use crate::startup::{Application, connect_db};
use app::auth::service::{NewAdmin, create_admin};
use app::domain::TelegramId;
use app::domain::audit::Origin;
use app::domain::clock::SystemClock;
use app::domain::user::Role;
use app::state::AppState;
use clap::{Parser, Subcommand};
use std::io::BufRead;
use std::sync::Arc;

#[derive(Parser, Debug)]
#[command(
    name = "server",
    about = "Attest: certification and gamification in Telegram"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Load demo data (employees, a manager, an admin) before serving; prints the passwords.
    #[arg(long, global = true)]
    pub demo: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve HTTP, run the bot and the background jobs (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Admin-panel accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// REST API keys (the same as the admin panel's module "API keys").
    ApiKey {
        #[command(subcommand)]
        command: ApiKeyCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum ApiKeyCommand {
    /// Create a key and print its secret (once: only its hash is kept).
    Create {
        #[arg(long)]
        name: String,
        /// Comma-separated: users:read,users:write,dictionaries:read,dictionaries:write,
        /// achievements:read,achievements:write,certifications:read,certifications:write,admin
        #[arg(long)]
        scopes: String,
        #[arg(long)]
        expires_days: Option<i64>,
        /// Addresses or networks the key may be used from (comma-separated); any if empty.
        #[arg(long, default_value = "")]
        ip_allow: String,
        #[arg(long, default_value_t = 50)]
        rate_per_sec: i64,
        #[arg(long, default_value_t = 100)]
        burst: i64,
    },
    /// List the keys (never their secrets).
    List,
    /// Revoke a key by its id.
    Revoke { id: i64 },
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Create an admin (or promote the user with this Telegram id). The password is read from
    /// stdin with --password-stdin, otherwise generated and printed.
    Create {
        #[arg(long)]
        login: String,
        #[arg(long)]
        telegram_id: Option<i64>,
        #[arg(long, default_value = "Администратор")]
        first_name: String,
        #[arg(long, default_value = "")]
        last_name: String,
        #[arg(long, value_parser = ["admin", "manager"], default_value = "admin")]
        role: String,
        #[arg(long)]
        password_stdin: bool,
    },
}

pub async fn run(cli: Cli) -> Result<(), String> {
    let settings = Settings::load().map_err(|e| e.to_string())?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings, cli.demo).await,
        Command::ApiKey { command } => api_key(&settings, command).await,
        Command::Migrate => {
            connect_db(&settings).await.map_err(|e| e.to_string())?;
            println!("migrations applied");
            Ok(())
        }
        Command::Admin {
            command:
                AdminCommand::Create {
                    login,
                    telegram_id,
                    first_name,
                    last_name,
                    role,
                    password_stdin,
                },
        } => {
            let state = offline_state(&settings).await?;
            let (password, generated) = if password_stdin {
                let mut line = String::new();
                std::io::stdin()
                    .lock()
                    .read_line(&mut line)
                    .map_err(|e| e.to_string())?;
                (line.trim_end_matches(['\r', '\n']).to_owned(), false)
            } else {
                (demo::random_password(), true)
            };
            let user = create_admin(
                &state,
                NewAdmin {
                    login: login.clone(),
                    password: password.clone(),
                    telegram_id: telegram_id.map(TelegramId),
                    first_name,
                    last_name,
                    role: if role == "manager" {
                        Role::Manager
                    } else {
                        Role::Admin
                    },
                },
                &Origin::channel("cli"),
            )
            .await
            .map_err(|e| e.message(app::i18n::Lang::En))?;
            println!("created {} {} (user id {})", role, login, user.id);
            if generated {
                println!("password: {password}");
            }
            state.db.close().await;
            Ok(())
        }
    }
}

async fn api_key(settings: &Settings, command: ApiKeyCommand) -> Result<(), String> {
    use app::api_keys::{NewApiKey, service};
    let state = offline_state(settings).await?;
    let origin = Origin::channel("cli");
    let message = |e: app::error::AppError| match &e {
        app::error::AppError::Invalid { fields } => fields
            .iter()
            .map(|f| format!("{}: {}", f.field, f.msg.text(app::i18n::Lang::En)))
            .collect::<Vec<_>>()
            .join("; "),
        _ => e.message(app::i18n::Lang::En),
    };
    let result = match command {
        ApiKeyCommand::Create {
            name,
            scopes,
            expires_days,
            ip_allow,
            rate_per_sec,
            burst,
        } => {
            let key = NewApiKey {
                name,
                scopes: scopes.split(',').map(|s| s.trim().to_owned()).collect(),
                expires_days,
                ip_allow,
                rate_per_sec,
                burst,
            };
            service::create(&state, None, key, &origin).await.map(|c| {
                println!(
                    "created API key {} ({}), scopes {}",
                    c.key.id, c.key.name, c.key.scopes
                );
                println!("secret (shown once): {}", c.secret);
            })
        }
        ApiKeyCommand::List => service::list(&state).await.map(|keys| {
            for k in keys {
                let status = match (k.revoked_at, k.expires_at) {
                    (Some(_), _) => "revoked",
                    (None, Some(e)) if e <= state.now() => "expired",
                    _ => "active",
                };
                println!(
                    "{}\t{}\t{}…\t{}\t{}\trequests {}\tlast used {}",
                    k.id,
                    k.name,
                    k.prefix,
                    k.scopes,
                    status,
                    k.request_count,
                    k.last_used_at
                        .map(|t| t.to_rfc3339())
                        .unwrap_or_else(|| "never".into())
                );
            }
        }),
        ApiKeyCommand::Revoke { id } => service::revoke(&state, None, id, &origin)
            .await
            .map(|()| println!("revoked API key {id}")),
    };
    state.db.close().await;
    result.map_err(message)
}

async fn offline_state(settings: &Settings) -> Result<AppState, String> {
    let db = connect_db(settings).await.map_err(|e| e.to_string())?;
    Ok(AppState::new(
        db,
        Arc::new(SystemClock),
        settings.app.clone(),
    ))
}

async fn serve(settings: Settings, demo: bool) -> Result<(), String> {
    let app = Application::build(settings, Arc::new(SystemClock))
        .await
        .map_err(|e| e.to_string())?;
    if demo {
        let fixed = |name: &str| std::env::var(name).ok().filter(|p| !p.is_empty());
        let creds = demo::seed(
            app.state(),
            fixed("DEMO_ADMIN_PASSWORD"),
            fixed("DEMO_MANAGER_PASSWORD"),
        )
        .await
        .map_err(|e| e.to_string())?;
        let port = app.port();
        println!();
        println!("  Demo data is loaded.");
        println!("  Admin panel:  http://localhost:{port}/admin/login");
        println!("    admin   / {}", creds.admin_password);
        println!("    manager / {}", creds.manager_password);
        if app.state().config.dev_login {
            println!("  Mini App as a demo employee (dev sign-in): http://localhost:{port}/dev");
        }
        println!();
    }
    app.run(shutdown_signal()).await.map_err(|e| e.to_string())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
