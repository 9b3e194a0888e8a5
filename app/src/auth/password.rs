//! Admin-panel passwords: Argon2id hashes, computed off the async threads.

use crate::error::{AppError, AppResult};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use std::sync::OnceLock;
use tokio::sync::Semaphore;

/// Argon2 runs at most once per core at a time (19 MiB and tens of milliseconds each): a flood
/// of sign-ins queues here instead of exhausting memory and the blocking thread pool.
fn permits() -> &'static Semaphore {
    static PERMITS: OnceLock<Semaphore> = OnceLock::new();
    PERMITS
        .get_or_init(|| Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())))
}

async fn bounded<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, tokio::task::JoinError> {
    let _permit = permits().acquire().await;
    tokio::task::spawn_blocking(work).await
}

/// Hashes a password with Argon2id (default parameters: 19 MiB, 2 passes).
pub async fn hash(password: String) -> AppResult<String> {
    bounded(move || {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await
    .map_err(|e| internal("password hashing task", &e))?
    .map_err(|e| internal("password hashing", &e))
}

/// Checks a password against a stored hash. Without a hash (unknown login), a dummy hash is
/// checked so the answer takes as long as for a real account.
pub async fn verify(password: String, stored: Option<String>) -> AppResult<bool> {
    bounded(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.to_owned());
        let parsed = PasswordHash::new(&stored).map_err(|e| e.to_string())?;
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok::<bool, String>(ok && known)
    })
    .await
    .map_err(|e| internal("password verification task", &e))?
    .map_err(|e| internal("stored password hash", &e))
}

fn internal(what: &str, e: &dyn std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "{what} failed");
    AppError::Internal
}

/// Argon2id hash of a random string nobody knows.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$4DJJCZgrw4aNN4ewHKcgjNS3U1mJ9sDr+F/AGe3a4Sc";
