//! The typed settings store: each section of the product's settings is a Rust type with a key,
//! stored as one JSON value (`storage::settings`). A missing or unreadable value reads as the
//! section's defaults, so a new section needs no migration.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// A section of the settings.
pub trait Section: Serialize + DeserializeOwned + Default + Clone {
    const KEY: &'static str;
}

impl Section for crate::domain::notifications::NotificationSettings {
    const KEY: &'static str = "notifications";
}

/// What the bot's sender last saw of Telegram (written by the instance that sends).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct BotStatus {
    pub username: Option<String>,
    pub mode: String,
    pub last_error: Option<String>,
    pub last_error_at: Option<crate::domain::Timestamp>,
    pub checked_at: Option<crate::domain::Timestamp>,
}

impl Section for BotStatus {
    const KEY: &'static str = "bot_status";
}

#[cfg(feature = "ssr")]
mod store {
    use super::Section;
    use crate::domain::{Timestamp, UserId};
    use crate::storage::{Conn, StorageResult};

    /// The section as stored, or its defaults.
    pub async fn load<T: Section>(c: Conn<'_>) -> StorageResult<T> {
        Ok(match crate::storage::settings::get(c, T::KEY).await? {
            Some((value, _)) => serde_json::from_str(&value).unwrap_or_else(|e| {
                tracing::warn!(section = T::KEY, error = %e, "unreadable settings: defaults used");
                T::default()
            }),
            None => T::default(),
        })
    }

    /// Saves the section; returns its new version.
    pub async fn save<T: Section>(
        c: Conn<'_>,
        value: &T,
        by: Option<UserId>,
        now: Timestamp,
    ) -> StorageResult<i64> {
        let json = serde_json::to_string(value)
            .map_err(|e| crate::storage::StorageError::Corrupt(e.to_string()))?;
        crate::storage::settings::put(c, T::KEY, &json, by, now).await
    }
}

#[cfg(feature = "ssr")]
pub use store::{load, save};
