//! Command line: `server` (serve), `server --demo`, `server admin create …`, `server migrate`.

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
