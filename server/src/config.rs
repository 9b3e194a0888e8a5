//! Runtime configuration in layers: built-in defaults, then the `[app]` table of `Leptos.toml`
//! (or the file named by `APP_CONFIG`), then environment variables. Leptos' own options come
//! from the same file's `[package.metadata.leptos]` table and `LEPTOS_*` variables.

use app::domain::client_ip::TrustedProxies;
use app::domain::throttle::ThrottlePolicy;
use app::domain::user::RegistrationMode;
use app::state::AppConfig;
use leptos::config::LeptosOptions;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not valid TOML: {source}")]
    Parse {
        path: PathBuf,
        source: toml::de::Error,
    },
    #[error("Leptos options: {0}")]
    Leptos(String),
    #[error("environment variable {name}={value:?} is invalid: {reason}")]
    Env {
        name: &'static str,
        value: String,
        reason: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BotMode {
    /// Long polling with `getUpdates` (default).
    Polling,
    /// Telegram posts updates to `{public_url}/telegram/webhook` with a secret header.
    Webhook,
    /// No bot task (the token still validates Mini App sign-ins).
    Off,
}

/// The `[app]` table: every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct FileSettings {
    database_url: Option<String>,
    database_max_connections: Option<u32>,
    public_url: Option<String>,
    telegram_bot_token: Option<String>,
    telegram_api_url: Option<String>,
    bot_mode: Option<BotMode>,
    telegram_webhook_secret: Option<String>,
    registration: Option<RegistrationMode>,
    init_data_max_age_secs: Option<i64>,
    miniapp_session_secs: Option<i64>,
    admin_session_secs: Option<i64>,
    secure_cookies: Option<bool>,
    dev_login: Option<bool>,
    display_utc_offset_minutes: Option<i32>,
    telegram_web_app_js: Option<String>,
    uploads_dir: Option<String>,
    trusted_proxies: Option<String>,
    telegram_http_buttons: Option<bool>,
    telegram_mini_app_name: Option<String>,
    outbox_allow_private: Option<bool>,
}

#[derive(Debug, Deserialize, Default)]
struct FileRoot {
    #[serde(default)]
    app: FileSettings,
    // The Leptos table is read by leptos_config; accepted here so the file parses as a whole.
    #[serde(default)]
    #[allow(dead_code)]
    package: Option<toml::Value>,
}

#[derive(Debug, Clone)]
pub struct BotSettings {
    pub token: Option<String>,
    pub api_url: Option<String>,
    pub mode: BotMode,
    pub webhook_secret: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub leptos: LeptosOptions,
    pub database_url: String,
    pub database_max_connections: u32,
    /// `SQLITE_SYNCHRONOUS`: `full` (the default: nothing acknowledged is lost) or `normal`.
    pub sqlite_sync: app::storage::SqliteSync,
    /// `SQLITE_MMAP_MB`: how much of the file each connection reads through a memory map.
    pub sqlite_mmap_mb: u64,
    pub bot: BotSettings,
    pub app: AppConfig,
    pub uploads_dir: PathBuf,
    /// Period of the time-critical background jobs.
    pub jobs_tick: std::time::Duration,
    /// `LEADER_LEASE_MS`: how long leadership holds without the leader confirming it
    /// (`crate::leader`).
    pub leader_lease: std::time::Duration,
    /// `PUBLIC_URL` was configured; otherwise it follows the address the server listens on.
    pub public_url_explicit: bool,
    /// How the Telegram sender runs (rates forced for scaled-down tests).
    pub delivery: crate::delivery::sender::SenderConfig,
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/attest.db";

impl Settings {
    /// Loads `APP_CONFIG` (default `Leptos.toml` if present) and the environment.
    pub fn load() -> Result<Settings, ConfigError> {
        let path = std::env::var("APP_CONFIG").unwrap_or_else(|_| "Leptos.toml".into());
        let env: Vec<(String, String)> = std::env::vars().collect();
        Self::from_sources(Path::new(&path), &env)
    }

    pub fn from_sources(path: &Path, env: &[(String, String)]) -> Result<Settings, ConfigError> {
        let exists = path.exists();
        let root: FileRoot = if exists {
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: path.to_owned(),
                source,
            })?;
            toml::from_str(&text).map_err(|source| ConfigError::Parse {
                path: path.to_owned(),
                source,
            })?
        } else {
            FileRoot::default()
        };
        let mut leptos = if exists {
            leptos::config::get_configuration(Some(&path.to_string_lossy()))
        } else {
            leptos::config::get_configuration(None)
        }
        .map_err(|e| ConfigError::Leptos(e.to_string()))?
        .leptos_options;
        // cargo-leptos writes hash.txt beside the binary when it gives assets hashed names;
        // without it (a plain `cargo build`, the test binaries) the plain names are served.
        leptos.hash_files = leptos.hash_files || hash_file_beside_exe(&leptos.hash_file);
        let f = root.app;
        // The last entry of a name wins; an empty value counts as unset.
        let var = |name: &str| {
            env.iter()
                .rev()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .filter(|v| !v.is_empty())
        };

        let mut app = AppConfig::default();
        let dev_mode = cfg!(debug_assertions) && leptos.env == leptos::config::Env::DEV;
        app.dev_login = parse_bool("DEV_LOGIN", var("DEV_LOGIN"))?
            .or(f.dev_login)
            .unwrap_or(dev_mode);
        app.bot_token = var("TELEGRAM_BOT_TOKEN").or(f.telegram_bot_token);
        app.registration = match var("REGISTRATION") {
            Some(v) => match v.as_str() {
                "approval" => RegistrationMode::Approval,
                "open" => RegistrationMode::Open,
                _ => return Err(invalid("REGISTRATION", v, "use approval or open")),
            },
            None => f.registration.unwrap_or(RegistrationMode::Approval),
        };
        if let Some(age) =
            parse_num::<i64>("INIT_DATA_MAX_AGE_SECS", var("INIT_DATA_MAX_AGE_SECS"))?
                .or(f.init_data_max_age_secs)
        {
            // 0 switches the age check off (only for Telegram's published test vector).
            app.init_data_max_age_secs = (age > 0).then_some(age);
        }
        app.miniapp_session_secs = parse_num("MINIAPP_SESSION_SECS", var("MINIAPP_SESSION_SECS"))?
            .or(f.miniapp_session_secs)
            .unwrap_or(app.miniapp_session_secs);
        app.admin_session_secs = parse_num("ADMIN_SESSION_SECS", var("ADMIN_SESSION_SECS"))?
            .or(f.admin_session_secs)
            .unwrap_or(app.admin_session_secs);
        app.secure_cookies = parse_bool("SECURE_COOKIES", var("SECURE_COOKIES"))?
            .or(f.secure_cookies)
            .unwrap_or(true);
        app.display_utc_offset_minutes = parse_num(
            "DISPLAY_UTC_OFFSET_MINUTES",
            var("DISPLAY_UTC_OFFSET_MINUTES"),
        )?
        .or(f.display_utc_offset_minutes)
        .unwrap_or(app.display_utc_offset_minutes);
        if let Some(js) = var("TELEGRAM_WEB_APP_JS").or(f.telegram_web_app_js) {
            app.telegram_web_app_js = if js == "none" { String::new() } else { js };
        }
        app.login_throttle = ThrottlePolicy::default();
        if let Some(n) = parse_num::<u32>(
            "PASSWORD_SIGN_INS_PER_IP_PER_MINUTE",
            var("PASSWORD_SIGN_INS_PER_IP_PER_MINUTE"),
        )? {
            app.address_limits.password_sign_ins = n.max(1);
        }
        if let Some(n) = parse_num::<u32>(
            "FAILED_LAUNCHES_PER_IP_PER_MINUTE",
            var("FAILED_LAUNCHES_PER_IP_PER_MINUTE"),
        )? {
            app.address_limits.failed_launches = n.max(1);
        }
        let public_url = var("PUBLIC_URL").or(f.public_url);
        let public_url_explicit = public_url.is_some();
        app.public_url = public_url
            .unwrap_or_else(|| format!("http://{}", leptos.site_addr))
            .trim_end_matches('/')
            .to_owned();
        app.http_buttons = parse_bool("TELEGRAM_HTTP_BUTTONS", var("TELEGRAM_HTTP_BUTTONS"))?
            .or(f.telegram_http_buttons)
            .unwrap_or(false);
        app.mini_app_name = var("TELEGRAM_MINI_APP_NAME").or(f.telegram_mini_app_name);
        app.outbox_allow_private = parse_bool("OUTBOX_ALLOW_PRIVATE", var("OUTBOX_ALLOW_PRIVATE"))?
            .or(f.outbox_allow_private)
            .unwrap_or(false);
        if let Some(list) = var("TRUSTED_PROXIES").or(f.trusted_proxies) {
            app.trusted_proxies = TrustedProxies::parse(&list).map_err(|bad| {
                invalid(
                    "TRUSTED_PROXIES",
                    list.clone(),
                    &format!("{bad:?} is not an address or a CIDR range"),
                )
            })?;
        }

        let mode = match var("BOT_MODE") {
            Some(v) => match v.as_str() {
                "polling" => BotMode::Polling,
                "webhook" => BotMode::Webhook,
                "off" => BotMode::Off,
                _ => return Err(invalid("BOT_MODE", v, "use polling, webhook or off")),
            },
            None => f.bot_mode.unwrap_or(BotMode::Polling),
        };
        let bot = BotSettings {
            token: app.bot_token.clone(),
            api_url: var("TELEGRAM_API_URL").or(f.telegram_api_url),
            mode,
            webhook_secret: var("TELEGRAM_WEBHOOK_SECRET").or(f.telegram_webhook_secret),
        };
        if bot.mode == BotMode::Webhook && bot.token.is_some() {
            match &bot.webhook_secret {
                Some(s) if valid_webhook_secret(s) => {}
                _ => {
                    return Err(invalid(
                        "TELEGRAM_WEBHOOK_SECRET",
                        String::new(),
                        "webhook mode needs a secret of 1-256 characters A-Z a-z 0-9 _ -",
                    ));
                }
            }
        }

        let mut delivery = crate::delivery::sender::SenderConfig {
            global_rate: parse_num("TELEGRAM_GLOBAL_RATE", var("TELEGRAM_GLOBAL_RATE"))?,
            ..Default::default()
        };
        if let Some(ms) = parse_num("TELEGRAM_CHAT_SPACING_MS", var("TELEGRAM_CHAT_SPACING_MS"))? {
            delivery.chat_spacing_ms = ms;
        }
        if let Some(ms) = parse_num(
            "TELEGRAM_GROUP_SPACING_MS",
            var("TELEGRAM_GROUP_SPACING_MS"),
        )? {
            delivery.group_spacing_ms = ms;
        }
        if let Some(n) = parse_num::<usize>(
            "TELEGRAM_SEND_CONCURRENCY",
            var("TELEGRAM_SEND_CONCURRENCY"),
        )? {
            delivery.concurrency = n.clamp(1, 256);
        }
        Ok(Settings {
            delivery,
            database_url: var("DATABASE_URL")
                .or(f.database_url)
                .unwrap_or_else(|| DEFAULT_DATABASE_URL.into()),
            database_max_connections: parse_num(
                "DATABASE_MAX_CONNECTIONS",
                var("DATABASE_MAX_CONNECTIONS"),
            )?
            .or(f.database_max_connections)
            .unwrap_or(16),
            sqlite_sync: match var("SQLITE_SYNCHRONOUS") {
                None => app::storage::SqliteSync::Full,
                Some(v) => app::storage::SqliteSync::parse(&v).ok_or_else(|| {
                    invalid("SQLITE_SYNCHRONOUS", v.clone(), "not full or normal")
                })?,
            },
            sqlite_mmap_mb: parse_num("SQLITE_MMAP_MB", var("SQLITE_MMAP_MB"))?
                .unwrap_or(app::storage::DEFAULT_SQLITE_MMAP_MB),
            uploads_dir: var("UPLOADS_DIR")
                .or(f.uploads_dir)
                .unwrap_or_else(|| "data/uploads".into())
                .into(),
            leader_lease: parse_num::<u64>("LEADER_LEASE_MS", var("LEADER_LEASE_MS"))?
                .map(|ms| std::time::Duration::from_millis(ms.clamp(1_000, 600_000)))
                .unwrap_or(crate::leader::DEFAULT_LEASE),
            jobs_tick: std::time::Duration::from_millis(
                parse_num::<u64>("JOBS_TICK_MS", var("JOBS_TICK_MS"))?
                    .unwrap_or(5_000)
                    .max(10),
            ),
            public_url_explicit,
            leptos,
            bot,
            app,
        })
    }
}

fn valid_webhook_secret(s: &str) -> bool {
    (1..=256).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn invalid(name: &'static str, value: String, reason: &str) -> ConfigError {
    ConfigError::Env {
        name,
        value,
        reason: reason.to_owned(),
    }
}

fn parse_bool(name: &'static str, v: Option<String>) -> Result<Option<bool>, ConfigError> {
    v.map(|v| match v.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(invalid(name, v, "use true or false")),
    })
    .transpose()
}

fn parse_num<T: std::str::FromStr>(
    name: &'static str,
    v: Option<String>,
) -> Result<Option<T>, ConfigError> {
    v.map(|v| {
        v.parse()
            .map_err(|_| invalid(name, v.clone(), "not a number"))
    })
    .transpose()
}

/// Whether cargo-leptos left its list of hashed asset names beside this binary.
fn hash_file_beside_exe(name: &str) -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(name)))
        .is_some_and(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_without_a_file() {
        let s = Settings::from_sources(Path::new("/nonexistent.toml"), &env(&[])).unwrap();
        assert_eq!(s.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(s.bot.mode, BotMode::Polling);
        assert!(s.bot.token.is_none());
        assert_eq!(s.app.registration, RegistrationMode::Approval);
        assert_eq!(s.app.init_data_max_age_secs, Some(3_600));
        assert!(s.app.trusted_proxies.is_empty());
        assert!(s.app.secure_cookies);
        assert_eq!(
            s.sqlite_sync,
            app::storage::SqliteSync::Full,
            "acknowledged answers survive a power loss by default"
        );
        assert_eq!(
            app::storage::PoolSettings::default().sqlite_sync,
            app::storage::SqliteSync::Full
        );
    }

    #[test]
    fn environment_overrides_and_validates() {
        let s = Settings::from_sources(
            Path::new("/nonexistent.toml"),
            &env(&[
                ("DATABASE_URL", "postgres://x/y"),
                ("TELEGRAM_BOT_TOKEN", "1:abc"),
                ("BOT_MODE", "off"),
                ("REGISTRATION", "open"),
                ("INIT_DATA_MAX_AGE_SECS", "0"),
                ("PUBLIC_URL", "https://example.org/"),
            ]),
        )
        .unwrap();
        assert_eq!(s.database_url, "postgres://x/y");
        assert_eq!(s.bot.mode, BotMode::Off);
        assert_eq!(s.app.registration, RegistrationMode::Open);
        assert_eq!(s.app.init_data_max_age_secs, None);
        assert_eq!(s.app.public_url, "https://example.org");
        for bad in [
            ("BOT_MODE", "sometimes"),
            ("DEV_LOGIN", "maybe"),
            ("REGISTRATION", "x"),
            ("TRUSTED_PROXIES", "127.0.0.1, example.org"),
            ("SQLITE_SYNCHRONOUS", "off"),
            ("SQLITE_MMAP_MB", "lots"),
        ] {
            assert!(
                Settings::from_sources(Path::new("/nonexistent.toml"), &env(&[bad])).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn webhook_mode_requires_a_secret() {
        let e = env(&[("TELEGRAM_BOT_TOKEN", "1:abc"), ("BOT_MODE", "webhook")]);
        assert!(Settings::from_sources(Path::new("/nonexistent.toml"), &e).is_err());
        let e = env(&[
            ("TELEGRAM_BOT_TOKEN", "1:abc"),
            ("BOT_MODE", "webhook"),
            ("TELEGRAM_WEBHOOK_SECRET", "s3cret_-"),
        ]);
        assert!(Settings::from_sources(Path::new("/nonexistent.toml"), &e).is_ok());
    }

    #[test]
    fn the_repository_file_parses() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Leptos.toml");
        let s = Settings::from_sources(&path, &env(&[])).unwrap();
        assert_eq!(&*s.leptos.output_name, "attest");
    }
}
