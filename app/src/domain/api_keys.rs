//! API keys: what a key may do (scopes), whether it may be used now, and from where.
//! A key is an integration, not a person: it acts within its scopes only, and changing roles or
//! permissions (or touching managers and admins at all) needs the separate `admin` scope.

use super::Timestamp;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// The resources a scope opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resource {
    Users,
    /// Positions and branches.
    Dictionaries,
    Achievements,
    Certifications,
}

impl Resource {
    pub const ALL: [Resource; 4] = [
        Resource::Users,
        Resource::Dictionaries,
        Resource::Achievements,
        Resource::Certifications,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Users => "users",
            Resource::Dictionaries => "dictionaries",
            Resource::Achievements => "achievements",
            Resource::Certifications => "certifications",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    Read,
    Write,
}

/// One scope: `users:read`, `achievements:write`, `admin` (roles and permissions, and
/// managers and admins as targets), or `scim` (the SCIM 2.0 endpoints, people and groups).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Scope {
    On(Resource, Access),
    Admin,
    Scim,
}

impl Scope {
    /// Every scope, in the order forms list them.
    pub fn all() -> Vec<Scope> {
        let mut v: Vec<Scope> = Resource::ALL
            .iter()
            .flat_map(|r| [Scope::On(*r, Access::Read), Scope::On(*r, Access::Write)])
            .collect();
        v.push(Scope::Admin);
        v.push(Scope::Scim);
        v
    }

    /// What the scope lets a key do, in words.
    pub fn description(self) -> crate::i18n::Msg {
        use crate::i18n::Msg;
        match self {
            Scope::On(Resource::Users, Access::Read) => Msg::ScopeUsersRead,
            Scope::On(Resource::Users, Access::Write) => Msg::ScopeUsersWrite,
            Scope::On(Resource::Dictionaries, Access::Read) => Msg::ScopeDictionariesRead,
            Scope::On(Resource::Dictionaries, Access::Write) => Msg::ScopeDictionariesWrite,
            Scope::On(Resource::Achievements, Access::Read) => Msg::ScopeAchievementsRead,
            Scope::On(Resource::Achievements, Access::Write) => Msg::ScopeAchievementsWrite,
            Scope::On(Resource::Certifications, Access::Read) => Msg::ScopeCertificationsRead,
            Scope::On(Resource::Certifications, Access::Write) => Msg::ScopeCertificationsWrite,
            Scope::Admin => Msg::ScopeAdmin,
            Scope::Scim => Msg::ScopeScim,
        }
    }

    pub fn as_string(self) -> String {
        match self {
            Scope::On(r, Access::Read) => format!("{}:read", r.as_str()),
            Scope::On(r, Access::Write) => format!("{}:write", r.as_str()),
            Scope::Admin => "admin".to_owned(),
            Scope::Scim => "scim".to_owned(),
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        let s = s.trim();
        if s == "admin" {
            return Some(Scope::Admin);
        }
        if s == "scim" {
            return Some(Scope::Scim);
        }
        let (r, a) = s.split_once(':')?;
        let r = Resource::ALL.into_iter().find(|x| x.as_str() == r)?;
        let a = match a {
            "read" => Access::Read,
            "write" => Access::Write,
            _ => return None,
        };
        Some(Scope::On(r, a))
    }
}

/// The scopes of a key. Write implies read on the same resource.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scopes(pub Vec<Scope>);

impl Scopes {
    /// A comma-separated list (`users:read,users:write`); an unknown scope names itself.
    pub fn parse(list: &str) -> Result<Scopes, String> {
        let mut v = Vec::new();
        for part in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let s = Scope::parse(part).ok_or_else(|| part.to_owned())?;
            if !v.contains(&s) {
                v.push(s);
            }
        }
        v.sort();
        Ok(Scopes(v))
    }

    pub fn allows(&self, resource: Resource, access: Access) -> bool {
        self.0.iter().any(|s| match *s {
            Scope::On(r, a) => r == resource && (a == access || a == Access::Write),
            Scope::Admin | Scope::Scim => false,
        })
    }

    pub fn admin(&self) -> bool {
        self.0.contains(&Scope::Admin)
    }

    pub fn scim(&self) -> bool {
        self.0.contains(&Scope::Scim)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn to_list(&self) -> String {
        self.0
            .iter()
            .map(|s| s.as_string())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Why a presented key is not accepted. All of them answer 401: a client cannot tell a
/// revoked key from a mistyped one, and should not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRefusal {
    Unknown,
    Revoked,
    Expired,
    /// The request comes from an address outside the key's allow-list.
    Address,
}

/// Whether a key in this state may be used at `now` from `ip`.
pub fn check_key(
    revoked_at: Option<Timestamp>,
    expires_at: Option<Timestamp>,
    allow: &[IpNet],
    ip: Option<IpAddr>,
    now: Timestamp,
) -> Result<(), KeyRefusal> {
    if revoked_at.is_some_and(|r| r <= now) {
        return Err(KeyRefusal::Revoked);
    }
    if expires_at.is_some_and(|e| e <= now) {
        return Err(KeyRefusal::Expired);
    }
    if !allow.is_empty() && !ip.is_some_and(|ip| allow.iter().any(|n| n.contains(ip))) {
        return Err(KeyRefusal::Address);
    }
    Ok(())
}

/// An address or a network (`10.0.0.0/8`, `2001:db8::/32`, `192.0.2.7`) of an allow-list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    pub fn parse(s: &str) -> Option<IpNet> {
        let s = s.trim();
        let (a, p) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = a.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match p {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max)?,
            None => max,
        };
        Some(IpNet { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        let bits = |a: IpAddr| -> u128 {
            match a {
                IpAddr::V4(v4) => u128::from(u32::from(v4)),
                IpAddr::V6(v6) => u128::from(v6),
            }
        };
        if self.addr.is_ipv4() != ip.is_ipv4() {
            return false;
        }
        let width = if ip.is_ipv4() { 32 } else { 128 };
        if self.prefix == 0 {
            return true;
        }
        let shift = width - u32::from(self.prefix);
        (bits(self.addr) >> shift) == (bits(ip) >> shift)
    }

    pub fn list(text: &str) -> Result<Vec<IpNet>, String> {
        text.split([',', '\n', ' '])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| IpNet::parse(p).ok_or_else(|| p.to_owned()))
            .collect()
    }
}

/// The recognisable start of every key (so secret scanners and people can tell what it is).
pub const KEY_PREFIX: &str = "at_live_";

/// How much of a key lists show: enough to tell keys apart, far too little to use.
pub fn display_prefix(secret: &str) -> String {
    secret.chars().take(KEY_PREFIX.len() + 6).collect()
}

/// The longest name and the bounds of a per-key rate.
pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_RATE_PER_SEC: i64 = 10_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse_and_write_implies_read() {
        let s = Scopes::parse("users:write, achievements:read,users:write").unwrap();
        assert_eq!(s.to_list(), "users:write,achievements:read");
        assert!(s.allows(Resource::Users, Access::Read));
        assert!(s.allows(Resource::Users, Access::Write));
        assert!(s.allows(Resource::Achievements, Access::Read));
        assert!(!s.allows(Resource::Achievements, Access::Write));
        assert!(!s.allows(Resource::Certifications, Access::Read));
        assert!(!s.admin());
        assert_eq!(
            Scopes::parse("users:read,users:delete"),
            Err("users:delete".into())
        );
        assert_eq!(Scopes::parse("admin").unwrap().0, vec![Scope::Admin]);
        assert_eq!(Scopes::parse("scim").unwrap().0, vec![Scope::Scim]);
        for s in Scope::all() {
            assert_eq!(Scope::parse(&s.as_string()), Some(s));
        }
    }

    #[test]
    fn a_key_is_refused_when_revoked_expired_or_from_elsewhere() {
        let now = Timestamp(1_000);
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        assert_eq!(check_key(None, None, &[], None, now), Ok(()));
        assert_eq!(
            check_key(Some(Timestamp(999)), None, &[], None, now),
            Err(KeyRefusal::Revoked)
        );
        assert_eq!(
            check_key(None, Some(Timestamp(1_000)), &[], None, now),
            Err(KeyRefusal::Expired)
        );
        assert_eq!(
            check_key(None, Some(Timestamp(1_001)), &[], None, now),
            Ok(())
        );
        let allow = IpNet::list("10.0.0.0/8, 192.0.2.7 2001:db8::/32").unwrap();
        assert_eq!(check_key(None, None, &allow, ip("10.1.2.3"), now), Ok(()));
        assert_eq!(
            check_key(None, None, &allow, ip("::ffff:10.1.2.3"), now),
            Ok(())
        );
        assert_eq!(check_key(None, None, &allow, ip("192.0.2.7"), now), Ok(()));
        assert_eq!(
            check_key(None, None, &allow, ip("2001:db8::1"), now),
            Ok(())
        );
        assert_eq!(
            check_key(None, None, &allow, ip("192.0.2.8"), now),
            Err(KeyRefusal::Address)
        );
        assert_eq!(
            check_key(None, None, &allow, None, now),
            Err(KeyRefusal::Address)
        );
        assert!(IpNet::list("10.0.0.0/33").is_err());
        assert!(IpNet::list("not-an-ip").is_err());
        assert!(
            IpNet::parse("0.0.0.0/0")
                .unwrap()
                .contains("8.8.8.8".parse().unwrap())
        );
    }
}
