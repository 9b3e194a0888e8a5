//! The Content-Security-Policy of our pages. Scripts run only from our own origin, with the
//! nonce Leptos puts on its inline hydration scripts, plus the wasm (`'wasm-unsafe-eval'`) and
//! Telegram's script for the Mini App. The admin panel is never framed; the Mini App only by
//! Telegram's web clients (the apps show it in a web view, which framing rules do not affect).

/// Telegram's web clients (web.telegram.org/k and /a, and their older hosts).
const TELEGRAM_FRAMES: &str = "https://web.telegram.org https://*.telegram.org";

/// The policy for a page at `path`. `script_origin` is the origin of an extra script the page
/// loads (telegram-web-app.js), if any.
pub fn policy(path: &str, nonce: Option<&str>, script_origin: Option<&str>) -> String {
    let mut script = String::from("script-src 'self' 'wasm-unsafe-eval'");
    if let Some(n) = nonce {
        script.push_str(&format!(" 'nonce-{n}'"));
    }
    let mini_app = path == "/app" || path.starts_with("/app/");
    if mini_app && let Some(o) = script_origin {
        script.push(' ');
        script.push_str(o);
    }
    let frames = if mini_app {
        format!("frame-ancestors 'self' {TELEGRAM_FRAMES}")
    } else {
        "frame-ancestors 'none'".to_owned()
    };
    format!("{script}; object-src 'none'; base-uri 'self'; {frames}")
}

/// `scheme://host[:port]` of an absolute URL, for a policy's source list.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest
        .split(['/', '?', '#'])
        .next()
        .filter(|h| !h.is_empty())?;
    matches!(scheme, "https" | "http").then(|| format!("{scheme}://{host}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_admin_panel_is_never_framed_and_the_mini_app_only_by_telegram() {
        let admin = policy("/admin/users", Some("abc"), Some("https://telegram.org"));
        assert!(admin.contains("frame-ancestors 'none'"), "{admin}");
        assert!(admin.contains("'nonce-abc'"));
        assert!(!admin.contains("telegram.org"), "{admin}");
        let app = policy("/app/c/1/test", Some("abc"), Some("https://telegram.org"));
        assert!(
            app.contains("frame-ancestors 'self' https://web.telegram.org"),
            "{app}"
        );
        assert!(
            app.contains("script-src 'self' 'wasm-unsafe-eval' 'nonce-abc' https://telegram.org")
        );
        assert!(policy("/application", None, None).contains("frame-ancestors 'none'"));
    }

    #[test]
    fn origins_are_cut_from_urls() {
        assert_eq!(
            origin_of("https://telegram.org/js/telegram-web-app.js").as_deref(),
            Some("https://telegram.org")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:9/x.js").as_deref(),
            Some("http://127.0.0.1:9")
        );
        assert_eq!(origin_of("/local.js"), None);
        assert_eq!(origin_of("javascript://x"), None);
    }
}
