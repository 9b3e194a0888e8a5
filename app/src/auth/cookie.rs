//! Session tokens and their cookies.

use super::Surface;
use axum::http::HeaderMap;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A session just created; the caller turns it into a cookie.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub max_age_secs: i64,
}

/// A new random session token (256 bits, hex).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// What the database stores instead of the token.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// `Set-Cookie` value for a new session. The Mini App's secure cookie is `SameSite=None;
/// Partitioned` so it survives inside Telegram Web's iframe; the admin panel is never framed and
/// keeps `SameSite=Lax`.
pub fn session_cookie(surface: Surface, token: &str, max_age_secs: i64, secure: bool) -> String {
    format!(
        "{}={}; Path=/; Max-Age={}; HttpOnly; {}",
        surface.cookie_name(),
        token,
        max_age_secs,
        attributes(surface, secure)
    )
}

pub fn clear_cookie(surface: Surface, secure: bool) -> String {
    format!(
        "{}=; Path=/; Max-Age=0; HttpOnly; {}",
        surface.cookie_name(),
        attributes(surface, secure)
    )
}

fn attributes(surface: Surface, secure: bool) -> &'static str {
    match (surface, secure) {
        (Surface::MiniApp, true) => "Secure; SameSite=None; Partitioned",
        (Surface::Admin, true) => "Secure; SameSite=Lax",
        (_, false) => "SameSite=Lax",
    }
}

/// The session token of this surface from the request's cookies.
pub fn token_from_headers(headers: &HeaderMap, surface: Surface) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, v)| *k == surface.cookie_name() && !v.is_empty())
        .map(|(_, v)| v.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_iframe_safe_when_secure() {
        let c = session_cookie(Surface::MiniApp, "abc", 60, true);
        assert!(c.starts_with("attest_app=abc;"));
        for attr in [
            "HttpOnly",
            "Secure",
            "SameSite=None",
            "Partitioned",
            "Max-Age=60",
        ] {
            assert!(c.contains(attr), "{attr} missing in {c}");
        }
        assert!(!session_cookie(Surface::Admin, "x", 1, false).contains("Secure"));
        let admin = session_cookie(Surface::Admin, "x", 1, true);
        assert!(
            admin.contains("Secure") && admin.contains("SameSite=Lax"),
            "{admin}"
        );
        assert!(!admin.contains("Partitioned"));
    }

    #[test]
    fn tokens_are_read_per_surface() {
        let mut h = HeaderMap::new();
        h.insert(
            "cookie",
            "lang=en; attest_admin=t1; attest_app=t2".parse().unwrap(),
        );
        assert_eq!(
            token_from_headers(&h, Surface::Admin).as_deref(),
            Some("t1")
        );
        assert_eq!(
            token_from_headers(&h, Surface::MiniApp).as_deref(),
            Some("t2")
        );
        let empty = HeaderMap::new();
        assert_eq!(token_from_headers(&empty, Surface::Admin), None);
    }

    #[test]
    fn tokens_are_unique_and_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_ne!(hash_token(&a), a);
        assert_eq!(hash_token(&a), hash_token(&a));
    }
}
