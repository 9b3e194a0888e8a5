//! The client's address behind reverse proxies. `X-Forwarded-For` is trusted only when the
//! connection comes from a configured proxy, and then only as far as the hops are proxies of
//! ours: the client is the right-most hop that is not a trusted proxy. Anything to its left
//! was written by the client and proves nothing. Used for throttling, the audit log and the
//! API's allow-lists alike.

use std::net::IpAddr;

/// An address range in CIDR notation (`10.0.0.0/8`, `::1/128`, or a single address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    base: IpAddr,
    prefix: u8,
}

impl IpRange {
    pub fn parse(s: &str) -> Option<IpRange> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().ok()?)),
            None => (s, None),
        };
        let base: IpAddr = addr.parse().ok()?;
        let max = if base.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(IpRange { base, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.base, canonical(ip)) {
            (IpAddr::V4(b), IpAddr::V4(i)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(b) & mask == u32::from(i) & mask
            }
            (IpAddr::V6(b), IpAddr::V6(i)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(b) & mask == u128::from(i) & mask
            }
            _ => false,
        }
    }
}

/// An IPv4 address seen through an IPv6 socket (`::ffff:a.b.c.d`) is that IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The proxies whose `X-Forwarded-For` we believe (`TRUSTED_PROXIES`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpRange>);

impl TrustedProxies {
    /// A comma-separated list of addresses and ranges; `None` names the bad entry.
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| IpRange::parse(s).ok_or_else(|| s.to_owned()))
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|r| r.contains(ip))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// One hop of `X-Forwarded-For`: an address, possibly `[v6]`, possibly with a port.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    if let Ok(ip) = hop.parse() {
        return Some(ip);
    }
    if let Some(rest) = hop.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    let (addr, port) = hop.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    addr.parse().ok()
}

/// The client's address: the peer, unless the peer is a trusted proxy; then the right-most
/// hop of `X-Forwarded-For` (all its headers, in order) that is not a trusted proxy. A hop
/// that is not an address ends the walk at the last proxy that wrote a readable one.
pub fn client_ip<'a>(
    peer: IpAddr,
    forwarded_for: impl IntoIterator<Item = &'a str>,
    trusted: &TrustedProxies,
) -> IpAddr {
    let peer = canonical(peer);
    if !trusted.trusts(peer) {
        return peer;
    }
    let hops: Vec<&str> = forwarded_for
        .into_iter()
        .flat_map(|h| h.split(','))
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Some(ip) = parse_hop(hop).map(canonical) else {
            break;
        };
        client = ip;
        if !trusted.trusts(ip) {
            break;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ranges_match_what_they_cover() {
        let r = IpRange::parse("10.1.0.0/16").unwrap();
        assert!(r.contains(ip("10.1.200.3")));
        assert!(!r.contains(ip("10.2.0.1")));
        assert!(IpRange::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        assert!(IpRange::parse("::1").unwrap().contains(ip("::1")));
        assert!(
            IpRange::parse("127.0.0.1")
                .unwrap()
                .contains(ip("::ffff:127.0.0.1"))
        );
        for bad in ["10.0.0.0/33", "nonsense", "::1/129", "1.2.3.4/x"] {
            assert_eq!(IpRange::parse(bad), None, "{bad}");
        }
        assert!(TrustedProxies::parse("127.0.0.1, 10.0.0.0/8").is_ok());
        assert_eq!(
            TrustedProxies::parse("127.0.0.1, bogus"),
            Err("bogus".into())
        );
    }

    #[test]
    fn forwarded_for_counts_only_from_trusted_proxies() {
        let trusted = TrustedProxies::parse("127.0.0.1, 10.0.0.0/8").unwrap();
        // A direct client cannot pretend to be someone else.
        assert_eq!(
            client_ip(ip("203.0.113.9"), ["1.2.3.4"], &trusted),
            ip("203.0.113.9")
        );
        // Through our proxy: the right-most hop that is not ours.
        assert_eq!(
            client_ip(ip("127.0.0.1"), ["6.6.6.6, 198.51.100.7"], &trusted),
            ip("198.51.100.7")
        );
        // Through two of our proxies, in two headers.
        assert_eq!(
            client_ip(ip("127.0.0.1"), ["198.51.100.7", "10.0.0.5"], &trusted),
            ip("198.51.100.7")
        );
        // Ports and brackets are hops too; garbage stops the walk at our last proxy.
        assert_eq!(
            client_ip(ip("127.0.0.1"), ["[2001:db8::1]:443"], &trusted),
            ip("2001:db8::1")
        );
        assert_eq!(
            client_ip(ip("127.0.0.1"), ["198.51.100.7:5000"], &trusted),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_ip(ip("127.0.0.1"), ["6.6.6.6, not-an-ip, 10.0.0.5"], &trusted),
            ip("10.0.0.5")
        );
        // Nothing trusted: the header is ignored.
        assert_eq!(
            client_ip(ip("127.0.0.1"), ["1.2.3.4"], &TrustedProxies::default()),
            ip("127.0.0.1")
        );
    }
}
