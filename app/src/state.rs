//! What every server function and handler shares: the database, the clock and the settings.

use crate::auth::failures::FailedSignIns;
use crate::auth::launches::{LaunchWriter, launch_writer};
use crate::auth::limits::SignInLimits;
use crate::domain::client_ip::TrustedProxies;
use crate::domain::clock::Clock;
use crate::domain::throttle::{AddressLimits, ThrottlePolicy};
use crate::domain::user::RegistrationMode;
use crate::gamification::days_noted::DaysNoted;
use crate::storage::Db;
use crate::taking::finishes::{FinishWriter, finish_writer};
use crate::taking::shown::{ShownWriter, shown_writer};
use crate::taking::start_reads::{StartReader, start_reader};
use crate::taking::starts::{StartWriter, start_writer};
use crate::taking::touches::{TouchWriter, touch_writer};
use std::sync::Arc;

/// Settings the application layer needs (the server crate builds them from its configuration).
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// Bot token: the key of Mini App initData signatures. `None`: Telegram sign-in is off.
    pub bot_token: Option<String>,
    /// Maximum age of initData's `auth_date` in seconds; `None` switches the check off.
    pub init_data_max_age_secs: Option<i64>,
    pub registration: RegistrationMode,
    pub miniapp_session_secs: i64,
    pub admin_session_secs: i64,
    /// `Secure; SameSite=None; Partitioned` cookies (needed inside Telegram's iframe).
    pub secure_cookies: bool,
    /// Development sign-in without Telegram or password.
    pub dev_login: bool,
    pub login_throttle: ThrottlePolicy,
    /// Sign-ins per client address and minute.
    pub address_limits: AddressLimits,
    /// Public base URL of the app, e.g. `https://attest.example.com`.
    pub public_url: String,
    /// Offset used to show dates (minutes east of UTC; Moscow is 180).
    pub display_utc_offset_minutes: i32,
    /// URL of telegram-web-app.js, empty to leave it out (tests use a shim).
    pub telegram_web_app_js: String,
    /// Proxies whose `X-Forwarded-For` tells the client's address.
    pub trusted_proxies: TrustedProxies,
    /// Mini App buttons even with an http `PUBLIC_URL` (only a local fake Bot API takes them).
    pub http_buttons: bool,
    /// The Mini App's short name in BotFather, for `t.me/<bot>/<app>?startapp=` links.
    pub mini_app_name: Option<String>,
    /// Webhook and other outbound HTTP targets may be http and private or loopback addresses
    /// (tests and closed networks); otherwise only https to public addresses.
    pub outbox_allow_private: bool,
}

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            bot_token: None,
            init_data_max_age_secs: Some(3600),
            registration: RegistrationMode::Approval,
            miniapp_session_secs: 7 * 24 * 3600,
            admin_session_secs: 12 * 3600,
            secure_cookies: true,
            dev_login: false,
            login_throttle: ThrottlePolicy::default(),
            address_limits: AddressLimits::default(),
            public_url: "http://127.0.0.1:3000".into(),
            display_utc_offset_minutes: 180,
            telegram_web_app_js: "https://telegram.org/js/telegram-web-app.js".into(),
            trusted_proxies: TrustedProxies::default(),
            http_buttons: false,
            mini_app_name: None,
            outbox_allow_private: false,
        }
    }
}

pub use crate::model::audit::GroupInfo;

/// Questions the settings pages ask Telegram; the server crate answers them with the bot.
pub trait TelegramProbe: Send + Sync {
    fn group(&self, chat_id: i64) -> futures::future::BoxFuture<'_, Result<GroupInfo, String>>;
}

/// The state, shared: every request clones it (axum hands each handler its own copy), and
/// one reference count is cheaper than the thirty of its parts (measured: cloning the parts
/// was 4 % of the server's CPU in a start wave, `docs/PERFORMANCE.md`).
#[derive(Clone)]
pub struct AppState(Arc<AppStateInner>);

impl std::ops::Deref for AppState {
    type Target = AppStateInner;
    fn deref(&self) -> &AppStateInner {
        &self.0
    }
}

#[derive(Clone)]
pub struct AppStateInner {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<AppConfig>,
    /// Answers and heartbeats, written in batches.
    pub touches: TouchWriter,
    /// Mini App launches (sign-ins), written in batches.
    pub launches: LaunchWriter,
    /// Starts of attempts, written in batches.
    pub starts: StartWriter,
    /// What starts read, in batches.
    pub start_reads: StartReader,
    /// Theory pages shown, written in batches.
    pub shown: ShownWriter,
    /// Finishes of attempts, written in batches.
    pub finishes: FinishWriter,
    /// The runs that apply a finished attempt's events, shared by the requests that ask.
    pub finished_events: Arc<crate::shared_run::SharedRun>,
    /// Whose activity today is already recorded.
    pub days_noted: Arc<DaysNoted>,
    /// Failed sign-ins, counted until their window closes (then one audit entry each).
    pub failed_sign_ins: Arc<FailedSignIns>,
    pub sign_in_limits: Arc<SignInLimits>,
    /// Versioned in-process caches (`crate::cache`).
    pub caches: Arc<crate::cache::Caches>,
    telegram: Arc<std::sync::OnceLock<Arc<dyn TelegramProbe>>>,
}

impl AppState {
    pub fn new(db: Db, clock: Arc<dyn Clock>, config: AppConfig) -> Self {
        let days_noted = Arc::new(DaysNoted::default());
        let caches: Arc<crate::cache::Caches> = Arc::default();
        Self(Arc::new(AppStateInner {
            start_reads: start_reader(db.clone(), clock.clone(), caches.clone()),
            touches: touch_writer(db.clone(), clock.clone()),
            starts: start_writer(db.clone(), clock.clone()),
            shown: shown_writer(db.clone(), clock.clone(), config.display_utc_offset_minutes),
            finishes: finish_writer(db.clone(), clock.clone()),
            launches: launch_writer(
                db.clone(),
                clock.clone(),
                config.miniapp_session_secs,
                config.display_utc_offset_minutes,
                days_noted.clone(),
            ),
            days_noted,
            finished_events: Arc::default(),
            failed_sign_ins: Arc::default(),
            sign_in_limits: Arc::new(SignInLimits::new(config.address_limits)),
            caches,
            telegram: Arc::default(),
            db,
            clock,
            config: Arc::new(config),
        }))
    }

    /// The same state writing through another handle of the database (a leader's fenced one).
    pub fn with_db(&self, db: Db) -> Self {
        Self(Arc::new(AppStateInner {
            db,
            ..AppStateInner::clone(&self.0)
        }))
    }

    pub fn now(&self) -> crate::domain::Timestamp {
        self.clock.now()
    }

    /// The bot's answers to settings pages, when a bot is configured.
    pub fn telegram(&self) -> Option<Arc<dyn TelegramProbe>> {
        self.telegram.get().cloned()
    }

    pub fn set_telegram(&self, probe: Arc<dyn TelegramProbe>) {
        let _ = self.telegram.set(probe);
    }
}
