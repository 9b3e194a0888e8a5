//! Cross-site request forgery: the Mini App's session cookie is `SameSite=None` (Telegram shows
//! the Mini App in an iframe), so the browser sends it along with requests from any site. A
//! state-changing request that carries a session cookie must therefore prove it comes from our
//! own pages: its `Origin` (or, when a browser sends none, its `Referer`) is our public origin.
//! An absent or `null` origin is foreign. Routes that authenticate otherwise and ignore
//! cookies (the Telegram webhook with its secret header, the bearer-key APIs) are exempt.

use app::auth::Surface;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Paths whose requests never authenticate with cookies.
const EXEMPT: &[&str] = &["/telegram/webhook", "/api/v1/", "/scim/v2/"];

#[derive(Debug, Clone)]
pub struct CsrfPolicy {
    /// `scheme://host[:port]` of `PUBLIC_URL`.
    origin: String,
    /// Without a configured `PUBLIC_URL` (development), the same port on any loopback name
    /// (`localhost`, `127.0.0.1`, `[::1]`) is ours too.
    loopback_aliases: bool,
}

impl CsrfPolicy {
    pub fn new(public_url: &str, explicit: bool) -> Self {
        Self {
            origin: origin_of_url(public_url).unwrap_or_default(),
            loopback_aliases: !explicit,
        }
    }

    fn is_ours(&self, origin: &str) -> bool {
        if origin.eq_ignore_ascii_case(&self.origin) {
            return true;
        }
        self.loopback_aliases
            && match (loopback_port(origin), loopback_port(&self.origin)) {
                (Some(a), Some(b)) => a == b,
                _ => false,
            }
    }

    /// Whether a request may go on.
    pub fn allows(&self, method: &Method, path: &str, headers: &HeaderMap) -> bool {
        if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
            || EXEMPT.iter().any(|p| path.starts_with(p))
        {
            return true;
        }
        let cross_site = headers
            .get("sec-fetch-site")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v == "cross-site");
        if cross_site {
            return false;
        }
        let header_value = |name| headers.get(name).and_then(|v| v.to_str().ok());
        let claimed = match header_value(header::ORIGIN) {
            Some(o) => Some(o.to_owned()).filter(|o| o != "null"),
            None => header_value(header::REFERER).and_then(origin_of_url),
        };
        let has_session = [Surface::Admin, Surface::MiniApp]
            .into_iter()
            .any(|s| app::auth::cookie::token_from_headers(headers, s).is_some());
        match claimed {
            Some(o) => self.is_ours(&o),
            // Nothing to forge with: a request without a session (a sign-in, a script).
            None => !has_session && header_value(header::ORIGIN).is_none(),
        }
    }
}

/// `scheme://host[:port]` of a URL.
fn origin_of_url(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    let origin = u.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

/// The port of an origin whose host is a loopback name.
fn loopback_port(origin: &str) -> Option<u16> {
    let u = url::Url::parse(origin).ok()?;
    let loopback = match u.host()? {
        url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    };
    loopback.then(|| u.port_or_known_default()).flatten()
}

pub async fn same_origin_writes(
    State(policy): State<CsrfPolicy>,
    req: Request<Body>,
    next: Next,
) -> Response {
    if policy.allows(req.method(), req.uri().path(), req.headers()) {
        return next.run(req).await;
    }
    tracing::warn!(
        path = %req.uri().path(),
        origin = ?req.headers().get(header::ORIGIN),
        referer = ?req.headers().get(header::REFERER),
        "cross-site write refused"
    );
    (StatusCode::FORBIDDEN, "cross-site request refused").into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    const COOKIE: (&str, &str) = ("cookie", "attest_admin=t0ken");

    #[test]
    fn a_cookie_write_needs_our_origin() {
        let p = CsrfPolicy::new("https://attest.example.com", true);
        let post = Method::POST;
        let path = "/api/profile/update_names";
        let ok = headers(&[COOKIE, ("origin", "https://attest.example.com")]);
        assert!(p.allows(&post, path, &ok));
        for bad in [
            headers(&[COOKIE, ("origin", "null")]),
            headers(&[COOKIE]),
            headers(&[COOKIE, ("origin", "https://evil.example")]),
            headers(&[COOKIE, ("origin", "http://attest.example.com")]),
            headers(&[COOKIE, ("referer", "https://evil.example/page")]),
            headers(&[
                COOKIE,
                ("origin", "https://attest.example.com"),
                ("sec-fetch-site", "cross-site"),
            ]),
        ] {
            assert!(!p.allows(&post, path, &bad), "{bad:?}");
        }
        // Without Origin, our own Referer will do.
        let referer = headers(&[
            COOKIE,
            ("referer", "https://attest.example.com/admin/users"),
        ]);
        assert!(p.allows(&post, path, &referer));
        // Reads are never refused; neither are the bearer-key APIs and the webhook.
        assert!(p.allows(&Method::GET, path, &headers(&[COOKIE])));
        for exempt in ["/telegram/webhook", "/api/v1/users", "/scim/v2/Users"] {
            assert!(p.allows(&post, exempt, &headers(&[COOKIE, ("origin", "null")])));
        }
    }

    #[test]
    fn without_a_session_only_a_foreign_origin_is_refused() {
        let p = CsrfPolicy::new("https://attest.example.com", true);
        assert!(p.allows(&Method::POST, "/auth/telegram", &HeaderMap::new()));
        assert!(!p.allows(
            &Method::POST,
            "/auth/telegram",
            &headers(&[("origin", "https://evil.example")])
        ));
        assert!(!p.allows(
            &Method::POST,
            "/auth/telegram",
            &headers(&[("origin", "null")])
        ));
    }

    #[test]
    fn in_development_any_loopback_name_of_the_same_port_is_ours() {
        let p = CsrfPolicy::new("http://127.0.0.1:3000", false);
        let post = Method::POST;
        assert!(p.allows(
            &post,
            "/api/x",
            &headers(&[COOKIE, ("origin", "http://localhost:3000")])
        ));
        assert!(!p.allows(
            &post,
            "/api/x",
            &headers(&[COOKIE, ("origin", "http://localhost:3001")])
        ));
        let strict = CsrfPolicy::new("http://127.0.0.1:3000", true);
        assert!(!strict.allows(
            &post,
            "/api/x",
            &headers(&[COOKIE, ("origin", "http://localhost:3000")])
        ));
    }
}
