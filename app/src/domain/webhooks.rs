//! Webhooks out and the generic HTTP outbox's rules: which domain events a subscriber can hear
//! of, how a payload is signed (HMAC-SHA256 over `timestamp.body`, Stripe-style header, two
//! signatures while a rotated secret overlaps), how a failed delivery is retried, and which
//! targets may be called at all (https, public addresses only, unless the operator allows
//! private ones).

use super::events::DomainEvent;
use serde::{Deserialize, Serialize};

/// What a subscription can listen to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WebhookEvent {
    #[serde(rename = "user.created")]
    UserCreated,
    #[serde(rename = "user.updated")]
    UserUpdated,
    #[serde(rename = "attempt.finished")]
    AttemptFinished,
    #[serde(rename = "points.changed")]
    PointsChanged,
    #[serde(rename = "badge.awarded")]
    BadgeAwarded,
    #[serde(rename = "certification.opened")]
    CertificationOpened,
}

impl WebhookEvent {
    /// When it is sent, in words.
    pub fn description(self) -> crate::i18n::Msg {
        use crate::i18n::Msg;
        match self {
            WebhookEvent::UserCreated => Msg::EventUserCreated,
            WebhookEvent::UserUpdated => Msg::EventUserUpdated,
            WebhookEvent::AttemptFinished => Msg::EventAttemptFinished,
            WebhookEvent::PointsChanged => Msg::EventPointsChanged,
            WebhookEvent::BadgeAwarded => Msg::EventBadgeAwarded,
            WebhookEvent::CertificationOpened => Msg::EventCertificationOpened,
        }
    }

    pub const ALL: [WebhookEvent; 6] = [
        WebhookEvent::UserCreated,
        WebhookEvent::UserUpdated,
        WebhookEvent::AttemptFinished,
        WebhookEvent::PointsChanged,
        WebhookEvent::BadgeAwarded,
        WebhookEvent::CertificationOpened,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WebhookEvent::UserCreated => "user.created",
            WebhookEvent::UserUpdated => "user.updated",
            WebhookEvent::AttemptFinished => "attempt.finished",
            WebhookEvent::PointsChanged => "points.changed",
            WebhookEvent::BadgeAwarded => "badge.awarded",
            WebhookEvent::CertificationOpened => "certification.opened",
        }
    }

    pub fn parse(s: &str) -> Option<WebhookEvent> {
        Self::ALL.into_iter().find(|e| e.as_str() == s.trim())
    }

    /// The kinds of domain event (`DomainEvent::kind`) that [`WebhookEvent::of`] maps: the
    /// webhooks consumer passes over the others.
    pub const DOMAIN_KINDS: &'static [&'static str] = &[
        "user_registered",
        "user_edited",
        "attempt_finished",
        "points_paid",
        "badge_awarded",
        "certification_opened",
    ];

    /// The webhook event a domain event is, if subscribers can hear of it.
    pub fn of(event: &DomainEvent) -> Option<WebhookEvent> {
        Some(match event {
            DomainEvent::UserRegistered { .. } => WebhookEvent::UserCreated,
            DomainEvent::UserEdited { .. } => WebhookEvent::UserUpdated,
            DomainEvent::AttemptFinished { .. } => WebhookEvent::AttemptFinished,
            DomainEvent::PointsPaid { .. } => WebhookEvent::PointsChanged,
            DomainEvent::BadgeAwarded { .. } => WebhookEvent::BadgeAwarded,
            DomainEvent::CertificationOpened { .. } => WebhookEvent::CertificationOpened,
            _ => return None,
        })
    }

    /// A comma-separated list, checked: every name known, at least one, no repeats kept.
    pub fn parse_list(list: &str) -> Result<Vec<WebhookEvent>, String> {
        let mut out = Vec::new();
        for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let e = WebhookEvent::parse(name).ok_or_else(|| name.to_owned())?;
            if !out.contains(&e) {
                out.push(e);
            }
        }
        if out.is_empty() {
            return Err(String::new());
        }
        Ok(out)
    }

    pub fn list_to_string(events: &[WebhookEvent]) -> String {
        events
            .iter()
            .map(|e| e.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Webhook secrets start with this (recognisable in a leaked config).
pub const SECRET_PREFIX: &str = "whsec_";
/// A rotated-out secret still signs (as a second signature) this long.
pub const ROTATION_OVERLAP_SECS: i64 = 24 * 3600;
/// A receiver should refuse a signature older than this (replays).
pub const SIGNATURE_TOLERANCE_SECS: i64 = 300;
/// The header with the timestamp and signatures.
pub const SIGNATURE_HEADER: &str = "Attest-Signature";
/// The header with the delivery's stable id (the same on every retry: dedupe on it).
pub const ID_HEADER: &str = "Attest-Webhook-Id";
pub const EVENT_HEADER: &str = "Attest-Event";
pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_URL_CHARS: usize = 2_000;

/// Deliveries give up (dead) after this many failed tries.
pub const MAX_ATTEMPTS: i64 = 8;

/// Wait before try number `failed + 1`, after `failed` failures: 10 s, 30 s, 90 s, … capped at
/// 6 h, so the 8 tries span about 3 hours.
pub fn retry_delay_secs(failed: i64) -> i64 {
    let failed = failed.clamp(1, 10) as u32;
    (10 * 3_i64.pow(failed - 1)).min(6 * 3600)
}

/// What to do with a delivery after a try.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Delivered,
    /// Try again after this many seconds.
    Retry(i64),
    /// No more tries.
    Dead,
    /// The target answered 410 Gone: no more tries, and the subscription is switched off.
    Gone,
}

/// The verdict on a try that got HTTP `status` (None: no answer: timeout, refused, TLS…), the
/// `failed` tries before it not counting this one.
pub fn verdict(status: Option<u16>, failed_before: i64) -> Verdict {
    match status {
        Some(200..=299) => Verdict::Delivered,
        Some(410) => Verdict::Gone,
        _ if failed_before + 1 >= MAX_ATTEMPTS => Verdict::Dead,
        _ => Verdict::Retry(retry_delay_secs(failed_before + 1)),
    }
}

/// The signed string: `"{timestamp}.{body}"`.
#[cfg(feature = "ssr")]
fn mac(secret: &str, timestamp: i64, body: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let mut m = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    m.update(timestamp.to_string().as_bytes());
    m.update(b".");
    m.update(body);
    hex::encode(m.finalize().into_bytes())
}

/// The signature header's value: `t=<unix seconds>,v1=<hex>` with one `v1` per secret (the
/// current one first; the previous one too while it overlaps).
#[cfg(feature = "ssr")]
pub fn signature_header(secrets: &[&str], timestamp: i64, body: &[u8]) -> String {
    let mut out = format!("t={timestamp}");
    for s in secrets {
        out.push_str(",v1=");
        out.push_str(&mac(s, timestamp, body));
    }
    out
}

/// What a receiver does (the documented check, and the tests' receiver): some `v1` matches
/// and the timestamp is within the tolerance of `now`.
#[cfg(feature = "ssr")]
pub fn verify(header: &str, secret: &str, body: &[u8], now: i64) -> bool {
    use subtle::ConstantTimeEq;
    let mut t = None;
    let mut sigs = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => sigs.push(v.to_owned()),
            _ => {}
        }
    }
    let Some(t) = t else { return false };
    if (now - t).abs() > SIGNATURE_TOLERANCE_SECS {
        return false;
    }
    let want = mac(secret, t, body);
    sigs.iter()
        .any(|s| bool::from(s.as_bytes().ct_eq(want.as_bytes())))
}

/// Why a target address is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("not an absolute http(s) URL")]
    Malformed,
    #[error("only https targets are allowed")]
    NotHttps,
    #[error("user names and passwords in the URL are not allowed")]
    Credentials,
    #[error("the target resolves to a private, loopback or reserved address")]
    PrivateAddress,
}

/// Whether an address is on the public internet (not loopback, private, link-local, CGNAT,
/// multicast, documentation or otherwise reserved): only those are called unless allowed.
pub fn is_public(ip: std::net::IpAddr) -> bool {
    use std::net::IpAddr;
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0)
                || (a == 198 && (18..20).contains(&b))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            let seg = v6.segments();
            // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d, `::` and `::1`
            // among them) addresses reach the IPv4 address inside.
            if let Some(v4) = v6.to_ipv4() {
                return is_public(IpAddr::V4(v4));
            }
            // 6to4 (2002::/16) embeds the IPv4 address of its relay's other end.
            if seg[0] == 0x2002 {
                let [a, b] = seg[1].to_be_bytes();
                let [c, d] = seg[2].to_be_bytes();
                return is_public(IpAddr::V4(std::net::Ipv4Addr::new(a, b, c, d)));
            }
            let first = seg[0];
            !(v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                // Site-local (deprecated, still routed inside some networks).
                || (first & 0xffc0) == 0xfec0
                // Teredo (its IPv4 address is obfuscated inside).
                || first == 0x2001 && seg[1] == 0x0000
                || first == 0x2001 && seg[1] == 0x0db8
                // NAT64 (64:ff9b::/96 and the local-use 64:ff9b:1::/48).
                || first == 0x0064 && seg[1] == 0xff9b
                // Discard-only.
                || first == 0x0100 && seg[1..4] == [0, 0, 0])
        }
    }
}

/// `localhost`, its subdomains, with or without the root's trailing dot.
#[cfg(feature = "ssr")]
fn is_local_name(d: &str) -> bool {
    let d = d.trim_end_matches('.').to_ascii_lowercase();
    d == "localhost" || d.ends_with(".localhost")
}

/// Checks a target URL as typed (before any name is resolved): absolute http(s), https unless
/// `allow_private`, no credentials, and a literal address or `localhost` must be public.
/// The sender checks every resolved address again at send time (DNS can change).
#[cfg(feature = "ssr")]
pub fn check_target(raw: &str, allow_private: bool) -> Result<url::Url, TargetError> {
    let url = url::Url::parse(raw.trim()).map_err(|_| TargetError::Malformed)?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        "http" => return Err(TargetError::NotHttps),
        _ => return Err(TargetError::Malformed),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(TargetError::Credentials);
    }
    if allow_private {
        return url
            .host()
            .is_some()
            .then_some(url)
            .ok_or(TargetError::Malformed);
    }
    match url.host() {
        None => Err(TargetError::Malformed),
        Some(url::Host::Ipv4(ip)) if !is_public(ip.into()) => Err(TargetError::PrivateAddress),
        Some(url::Host::Ipv6(ip)) if !is_public(ip.into()) => Err(TargetError::PrivateAddress),
        Some(url::Host::Domain(d)) if is_local_name(d) => Err(TargetError::PrivateAddress),
        Some(_) => Ok(url),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::UserId;

    #[test]
    fn the_events_subscribers_hear_of() {
        let e = DomainEvent::UserRegistered {
            user_id: UserId(1),
            pending: false,
        };
        assert_eq!(WebhookEvent::of(&e), Some(WebhookEvent::UserCreated));
        assert!(WebhookEvent::DOMAIN_KINDS.contains(&e.kind()));
        // One domain kind per webhook event: a new one must be added to both.
        assert_eq!(WebhookEvent::DOMAIN_KINDS.len(), WebhookEvent::ALL.len());
        let closed = DomainEvent::CertificationClosed {
            certification_id: crate::domain::CertId(1),
        };
        assert_eq!(WebhookEvent::of(&closed), None);
        for e in WebhookEvent::ALL {
            assert_eq!(WebhookEvent::parse(e.as_str()), Some(e));
            assert_eq!(
                serde_json::to_string(&e).unwrap(),
                format!("\"{}\"", e.as_str())
            );
        }
    }

    #[test]
    fn event_lists_are_checked() {
        assert_eq!(
            WebhookEvent::parse_list(" user.created, badge.awarded,user.created"),
            Ok(vec![WebhookEvent::UserCreated, WebhookEvent::BadgeAwarded])
        );
        assert_eq!(
            WebhookEvent::parse_list("user.created,user.exploded"),
            Err("user.exploded".into())
        );
        assert!(WebhookEvent::parse_list(" , ").is_err());
    }

    #[test]
    fn retries_back_off_then_die_and_410_stops_everything() {
        assert_eq!(verdict(Some(204), 0), Verdict::Delivered);
        assert_eq!(verdict(Some(500), 0), Verdict::Retry(10));
        assert_eq!(verdict(None, 1), Verdict::Retry(30));
        assert_eq!(verdict(Some(302), 2), Verdict::Retry(90));
        assert_eq!(verdict(Some(503), MAX_ATTEMPTS - 1), Verdict::Dead);
        assert_eq!(verdict(Some(410), 0), Verdict::Gone);
        let total: i64 = (1..MAX_ATTEMPTS).map(retry_delay_secs).sum();
        assert!((3 * 3600..6 * 3600).contains(&total), "{total}");
        assert_eq!(retry_delay_secs(20), 6 * 3600);
    }

    #[test]
    fn signatures_verify_with_either_secret_and_expire() {
        let body = br#"{"id":"evt_1"}"#;
        let h = signature_header(&["new", "old"], 1_000, body);
        assert!(h.starts_with("t=1000,v1="));
        assert!(verify(&h, "new", body, 1_100));
        assert!(verify(&h, "old", body, 1_100));
        assert!(!verify(&h, "other", body, 1_100));
        assert!(!verify(&h, "new", b"{}", 1_100), "a changed body fails");
        assert!(!verify(
            &h,
            "new",
            body,
            1_000 + SIGNATURE_TOLERANCE_SECS + 1
        ));
        assert!(!verify("v1=abc", "new", body, 1_000));
        // The documented recipe: HMAC-SHA256(secret, "1000.{body}") in hex.
        let alone = signature_header(&["new"], 1_000, body);
        assert_eq!(alone.len(), "t=1000,v1=".len() + 64);
    }

    #[test]
    fn only_public_https_targets_unless_allowed() {
        let ok = |u: &str| check_target(u, false).map(|_| ());
        assert_eq!(ok("https://hooks.example.com/x"), Ok(()));
        assert_eq!(ok("http://hooks.example.com/x"), Err(TargetError::NotHttps));
        assert_eq!(ok("ftp://example.com"), Err(TargetError::Malformed));
        assert_eq!(ok("not a url"), Err(TargetError::Malformed));
        assert_eq!(ok("https://u:p@example.com"), Err(TargetError::Credentials));
        for private in [
            "https://127.0.0.1/",
            "https://10.1.2.3/",
            "https://192.168.0.1/",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/",
            "https://[fd00::1]/",
            "https://[::ffff:127.0.0.1]/",
            "https://localhost:8443/",
            "https://LocalHost./",
            "https://a.localhost/",
            "https://100.64.0.1/",
            "https://0.0.0.0/",
        ] {
            assert_eq!(ok(private), Err(TargetError::PrivateAddress), "{private}");
        }
        assert!(check_target("http://127.0.0.1:9/", true).is_ok());
        assert!(is_public("8.8.8.8".parse().unwrap()));
        assert!(is_public("2a00:1450::1".parse().unwrap()));
    }

    #[test]
    fn ipv6_forms_that_carry_a_private_ipv4_address_are_refused() {
        let public = |a: &str| is_public(a.parse().unwrap());
        for private in [
            "::1",
            "::",
            "::127.0.0.1",
            "::10.0.0.1",
            "::ffff:192.168.1.1",
            "2002:7f00:1::",
            "2002:c0a8:101::1",
            "fec0::1",
            "fed0::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "64:ff9b::10.0.0.1",
            "64:ff9b::8.8.8.8",
            "64:ff9b:1::1",
            "100::1",
            "fe80::1",
            "fd12::1",
        ] {
            assert!(!public(private), "{private}");
        }
        for ok in ["2002:808:808::1", "::8.8.8.8", "2a00:1450::1"] {
            assert!(public(ok), "{ok}");
        }
    }
}
