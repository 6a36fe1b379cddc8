//! The guard on import URLs: the server fetches them, so they must not point
//! into the server's own network (SSRF). `https` only, no credentials, and
//! every address the host resolves to must be public. Hosts on the explicit
//! allow-list (development and tests) may be plain `http` and private.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use url::Url;

/// A URL that passed the guard, with the addresses it was checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedUrl {
    pub url: Url,
    /// The public addresses a domain name resolved to. A fetch must connect
    /// to these and nothing else (so a second DNS answer cannot point
    /// elsewhere). Empty for an address literal or an allow-listed host.
    pub pinned: Vec<SocketAddr>,
}

#[derive(Debug, Clone, Default)]
pub struct ImportUrlPolicy {
    /// `host` or `host:port` entries that skip the scheme and address checks.
    pub allowed_hosts: Vec<String>,
}

impl ImportUrlPolicy {
    fn is_allowed(&self, url: &Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let with_port = url
            .port_or_known_default()
            .map(|port| format!("{host}:{port}"));
        self.allowed_hosts.iter().any(|allowed| {
            allowed.eq_ignore_ascii_case(host) || Some(allowed.to_ascii_lowercase()) == with_port
        })
    }

    /// Checks `raw` and returns it parsed, or says why it is refused.
    pub async fn check(&self, raw: &str) -> Result<CheckedUrl, String> {
        let url = Url::parse(raw)
            .map_err(|err| format!("file_url is not a valid absolute URL: {err}"))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err("file_url must not contain credentials".to_owned());
        }
        let allowed = self.is_allowed(&url);
        match url.scheme() {
            "https" => {}
            "http" if allowed => {}
            other => return Err(format!("file_url must use https, not {other}")),
        }
        let Some(host) = url.host() else {
            return Err("file_url has no host".to_owned());
        };
        if allowed {
            return Ok(CheckedUrl {
                url,
                pinned: Vec::new(),
            });
        }
        let port = url.port_or_known_default().unwrap_or(443);
        let (addresses, pinned): (Vec<IpAddr>, Vec<SocketAddr>) = match host {
            url::Host::Ipv4(ip) => (vec![IpAddr::V4(ip)], Vec::new()),
            url::Host::Ipv6(ip) => (vec![IpAddr::V6(ip)], Vec::new()),
            url::Host::Domain(name) => {
                let resolved: Vec<SocketAddr> = tokio::net::lookup_host((name, port))
                    .await
                    .map_err(|err| format!("file_url host `{name}` does not resolve: {err}"))?
                    .collect();
                (resolved.iter().map(SocketAddr::ip).collect(), resolved)
            }
        };
        if addresses.is_empty() {
            return Err("file_url host does not resolve".to_owned());
        }
        for ip in &addresses {
            if let Some(why) = refusal(*ip) {
                return Err(format!(
                    "file_url must point to a public address, not {ip} ({why})"
                ));
            }
        }
        Ok(CheckedUrl { url, pinned })
    }
}

/// Why an address is not public: the special-purpose range it is in, and
/// for an IPv6 form that embeds an IPv4 address, that address and its range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub range: &'static str,
    pub embedded: Option<(Ipv4Addr, &'static str)>,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.embedded {
            None => f.write_str(self.range),
            Some((v4, range)) => write!(f, "{}, which embeds {v4}: {range}", self.range),
        }
    }
}

/// What an IPv6 range means for the guard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum V6Rule {
    /// Not reachable on the public internet, or not meant to be: refused.
    Refuse,
    /// The address carries an IPv4 address at bit `offset` (from the left)
    /// that a router or the host's stack may deliver to: judged by it.
    Embeds { offset: u32 },
}

/// IPv4 ranges that are not public (IANA's special-purpose registry, RFC 6890
/// and its updates), first match wins.
const V4_RANGES: &[(Ipv4Addr, u8, &str)] = &[
    (Ipv4Addr::new(0, 0, 0, 0), 8, "\"this network\" (0.0.0.0/8)"),
    (Ipv4Addr::new(10, 0, 0, 0), 8, "private (10.0.0.0/8)"),
    (
        Ipv4Addr::new(100, 64, 0, 0),
        10,
        "shared address space (100.64.0.0/10)",
    ),
    (Ipv4Addr::new(127, 0, 0, 0), 8, "loopback (127.0.0.0/8)"),
    (
        Ipv4Addr::new(169, 254, 0, 0),
        16,
        "link-local (169.254.0.0/16)",
    ),
    (Ipv4Addr::new(172, 16, 0, 0), 12, "private (172.16.0.0/12)"),
    (
        Ipv4Addr::new(192, 0, 0, 0),
        24,
        "IETF protocol assignments (192.0.0.0/24)",
    ),
    (
        Ipv4Addr::new(192, 0, 2, 0),
        24,
        "documentation (192.0.2.0/24)",
    ),
    (
        Ipv4Addr::new(192, 88, 99, 0),
        24,
        "6to4 relay anycast (192.88.99.0/24)",
    ),
    (
        Ipv4Addr::new(192, 168, 0, 0),
        16,
        "private (192.168.0.0/16)",
    ),
    (
        Ipv4Addr::new(198, 18, 0, 0),
        15,
        "benchmarking (198.18.0.0/15)",
    ),
    (
        Ipv4Addr::new(198, 51, 100, 0),
        24,
        "documentation (198.51.100.0/24)",
    ),
    (
        Ipv4Addr::new(203, 0, 113, 0),
        24,
        "documentation (203.0.113.0/24)",
    ),
    (Ipv4Addr::new(224, 0, 0, 0), 4, "multicast (224.0.0.0/4)"),
    (
        Ipv4Addr::new(240, 0, 0, 0),
        4,
        "reserved and broadcast (240.0.0.0/4)",
    ),
];

/// IPv6 ranges, first match wins: the forms that embed an IPv4 address come
/// before the broader ranges that hold them. Addresses outside global unicast
/// (2000::/3) that no entry names are refused as reserved.
const V6_RANGES: &[(Ipv6Addr, u8, &str, V6Rule)] = &[
    (
        Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 0),
        128,
        "unspecified (::/128)",
        V6Rule::Refuse,
    ),
    (
        Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 1),
        128,
        "loopback (::1/128)",
        V6Rule::Refuse,
    ),
    (
        Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0, 0),
        96,
        "IPv4-mapped (::ffff:0:0/96)",
        V6Rule::Embeds { offset: 96 },
    ),
    (
        Ipv6Addr::new(0, 0, 0, 0, 0xffff, 0, 0, 0),
        96,
        "IPv4-translated (::ffff:0:0:0/96)",
        V6Rule::Embeds { offset: 96 },
    ),
    (
        Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 0),
        96,
        "IPv4-compatible (::/96)",
        V6Rule::Embeds { offset: 96 },
    ),
    (
        Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0),
        96,
        "NAT64 (64:ff9b::/96)",
        V6Rule::Embeds { offset: 96 },
    ),
    (
        Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0),
        48,
        "local-use NAT64 (64:ff9b:1::/48)",
        V6Rule::Refuse,
    ),
    (
        Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0),
        64,
        "discard-only (100::/64)",
        V6Rule::Refuse,
    ),
    (
        Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0),
        32,
        "Teredo (2001::/32)",
        V6Rule::Refuse,
    ),
    (
        Ipv6Addr::new(0x2001, 0x2, 0, 0, 0, 0, 0, 0),
        48,
        "benchmarking (2001:2::/48)",
        V6Rule::Refuse,
    ),
    (
        Ipv6Addr::new(0x2001, 0x10, 0, 0, 0, 0, 0, 0),
        28,
        "ORCHID (2001:10::/28)",
        V6Rule::Refuse,
    ),
    (
        Ipv6Addr::new(0x2001, 0x20, 0, 0, 0, 0, 0, 0),
        28,
        "ORCHIDv2 (2001:20::/28)",
        V6Rule::Refuse,
    ),
    (
        Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0),
        23,
        "IETF protocol assignments (2001::/23)",
        V6Rule::Refuse,
    ),
    (
        Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0),
        32,
        "documentation (2001:db8::/32)",
        V6Rule::Refuse,
    ),
    (
        Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0),
        16,
        "6to4 (2002::/16)",
        V6Rule::Embeds { offset: 16 },
    ),
    (
        Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0),
        20,
        "documentation (3fff::/20)",
        V6Rule::Refuse,
    ),
    (
        Ipv6Addr::new(0x5f00, 0, 0, 0, 0, 0, 0, 0),
        16,
        "SRv6 SIDs (5f00::/16)",
        V6Rule::Refuse,
    ),
    (
        Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0),
        7,
        "unique local (fc00::/7)",
        V6Rule::Refuse,
    ),
    (
        Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0),
        10,
        "link-local (fe80::/10)",
        V6Rule::Refuse,
    ),
    (
        Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0),
        10,
        "site-local (fec0::/10)",
        V6Rule::Refuse,
    ),
    (
        Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0),
        8,
        "multicast (ff00::/8)",
        V6Rule::Refuse,
    ),
];

fn in_v4(ip: Ipv4Addr, network: Ipv4Addr, length: u8) -> bool {
    let mask = u32::MAX.checked_shl(32 - u32::from(length)).unwrap_or(0);
    u32::from(ip) & mask == u32::from(network) & mask
}

fn in_v6(ip: Ipv6Addr, network: Ipv6Addr, length: u8) -> bool {
    let mask = u128::MAX.checked_shl(128 - u32::from(length)).unwrap_or(0);
    u128::from(ip) & mask == u128::from(network) & mask
}

fn refuse_v4(ip: Ipv4Addr) -> Option<&'static str> {
    V4_RANGES
        .iter()
        .find(|(network, length, _)| in_v4(ip, *network, *length))
        .map(|(_, _, name)| *name)
}

/// `None` when `ip` is on the public internet; otherwise why it is not.
pub fn refusal(ip: IpAddr) -> Option<Refusal> {
    match ip {
        IpAddr::V4(v4) => refuse_v4(v4).map(|range| Refusal {
            range,
            embedded: None,
        }),
        IpAddr::V6(v6) => {
            let Some((_, _, range, rule)) = V6_RANGES
                .iter()
                .find(|(network, length, ..)| in_v6(v6, *network, *length))
            else {
                let global_unicast = in_v6(v6, Ipv6Addr::new(0x2000, 0, 0, 0, 0, 0, 0, 0), 3);
                return (!global_unicast).then_some(Refusal {
                    range: "reserved (outside 2000::/3)",
                    embedded: None,
                });
            };
            match rule {
                V6Rule::Refuse => Some(Refusal {
                    range,
                    embedded: None,
                }),
                V6Rule::Embeds { offset } => {
                    let embedded = Ipv4Addr::from((u128::from(v6) >> (96 - offset)) as u32);
                    // An embedded public address is as reachable as itself.
                    refuse_v4(embedded).map(|inner| Refusal {
                        range,
                        embedded: Some((embedded, inner)),
                    })
                }
            }
        }
    }
}

/// Whether an address is on the public internet (not loopback, private,
/// link-local, documentation, …, nor an IPv6 form embedding such an address).
pub fn is_public(ip: IpAddr) -> bool {
    refusal(ip).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> ImportUrlPolicy {
        ImportUrlPolicy::default()
    }

    #[tokio::test]
    async fn refuses_what_could_reach_inside() {
        for url in [
            "http://example.com/a.csv",
            "file:///etc/passwd",
            "https://127.0.0.1/a.csv",
            "https://169.254.169.254/latest/meta-data",
            "https://10.0.0.1/a.csv",
            "https://192.168.1.2/a.csv",
            "https://[::1]/a.csv",
            "https://[::ffff:127.0.0.1]/a.csv",
            "https://user:pass@example.com/a.csv",
            "https://localhost/a.csv",
            "https://0.0.0.0/a.csv",
            "not a url",
        ] {
            assert!(
                policy().check(url).await.is_err(),
                "{url} should be refused"
            );
        }
    }

    /// One address inside every range of the tables, with the range it must
    /// be refused as (and, for embedding forms, the range of what it embeds).
    const REFUSED: &[(&str, &str)] = &[
        ("0.1.2.3", "0.0.0.0/8"),
        ("10.1.2.3", "10.0.0.0/8"),
        ("100.64.0.1", "100.64.0.0/10"),
        ("127.0.0.1", "127.0.0.0/8"),
        ("169.254.169.254", "169.254.0.0/16"),
        ("172.31.255.255", "172.16.0.0/12"),
        ("192.0.0.8", "192.0.0.0/24"),
        ("192.0.2.1", "192.0.2.0/24"),
        ("192.88.99.1", "192.88.99.0/24"),
        ("192.168.1.2", "192.168.0.0/16"),
        ("198.19.0.1", "198.18.0.0/15"),
        ("198.51.100.7", "198.51.100.0/24"),
        ("203.0.113.9", "203.0.113.0/24"),
        ("239.255.255.250", "224.0.0.0/4"),
        ("255.255.255.255", "240.0.0.0/4"),
        ("::", "::/128"),
        ("::1", "::1/128"),
        (
            "::ffff:127.0.0.1",
            "::ffff:0:0/96, which embeds 127.0.0.1: loopback",
        ),
        (
            "::ffff:0:7f00:1",
            "::ffff:0:0:0/96, which embeds 127.0.0.1: loopback",
        ),
        ("::127.0.0.1", "::/96, which embeds 127.0.0.1: loopback"),
        (
            "64:ff9b::7f00:1",
            "64:ff9b::/96, which embeds 127.0.0.1: loopback",
        ),
        (
            "64:ff9b::a9fe:a9fe",
            "64:ff9b::/96, which embeds 169.254.169.254",
        ),
        ("64:ff9b:1::808:808", "64:ff9b:1::/48"),
        ("100::1", "100::/64"),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001::/32"),
        ("2001:2::1", "2001:2::/48"),
        ("2001:10::1", "2001:10::/28"),
        ("2001:20::1", "2001:20::/28"),
        ("2001:100::1", "2001::/23"),
        ("2001:db8::1", "2001:db8::/32"),
        (
            "2002:7f00:1::",
            "2002::/16, which embeds 127.0.0.1: loopback",
        ),
        (
            "2002:c0a8:101::1",
            "2002::/16, which embeds 192.168.1.1: private",
        ),
        ("3fff::1", "3fff::/20"),
        ("5f00::1", "5f00::/16"),
        ("fd00::1", "fc00::/7"),
        ("fe80::1", "fe80::/10"),
        ("fec0::1", "fec0::/10"),
        ("ff02::1", "ff00::/8"),
        ("4000::1", "outside 2000::/3"),
        ("::2:1", "::/96, which embeds 0.2.0.1"),
    ];

    #[test]
    fn every_special_purpose_range_is_refused_by_name() {
        for (address, range) in REFUSED {
            let ip: IpAddr = address.parse().unwrap();
            let why = refusal(ip).unwrap_or_else(|| panic!("{address} should be refused"));
            let text = why.to_string();
            let (own, embedded) = range.split_once(", which embeds ").unwrap_or((range, ""));
            assert!(
                text.contains(&format!("({own})")) && text.contains(embedded),
                "{address}: refused as `{text}`, expected `{range}`"
            );
        }
        // Every table entry has a case above, so a range added untested fails here.
        let names = V4_RANGES
            .iter()
            .map(|(_, _, name)| *name)
            .chain(V6_RANGES.iter().map(|(_, _, name, _)| *name));
        for name in names {
            let cidr = &name[name.rfind('(').unwrap() + 1..name.rfind(')').unwrap()];
            let cidr = cidr.split(',').next().unwrap();
            assert!(
                REFUSED
                    .iter()
                    .any(|(_, range)| range.split(", which").next() == Some(cidr)),
                "no case for {name}"
            );
        }
    }

    #[test]
    fn embedded_public_addresses_and_global_unicast_pass() {
        for address in [
            "93.184.215.14",
            "8.8.8.8",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
            "2001:4860:4860::8888",
        ] {
            let ip: IpAddr = address.parse().unwrap();
            assert_eq!(refusal(ip), None, "{address} is public");
        }
    }

    #[tokio::test]
    async fn ipv6_literals_that_embed_loopback_are_refused() {
        for url in [
            "https://[::127.0.0.1]/a.csv",
            "https://[::ffff:0:7f00:1]/a.csv",
            "https://[64:ff9b::7f00:1]/a.csv",
            "https://[2002:7f00:1::]/a.csv",
            "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/a.csv",
        ] {
            let err = policy().check(url).await.unwrap_err();
            assert!(err.contains("public address"), "{url}: {err}");
        }
    }

    #[tokio::test]
    async fn accepts_public_https_addresses() {
        assert!(
            policy()
                .check("https://93.184.215.14/data.csv")
                .await
                .is_ok()
        );
    }

    #[tokio::test]
    async fn the_allow_list_admits_a_local_test_server() {
        let policy = ImportUrlPolicy {
            allowed_hosts: vec!["127.0.0.1:9999".to_owned()],
        };
        assert!(policy.check("http://127.0.0.1:9999/a.csv").await.is_ok());
        assert!(policy.check("http://127.0.0.1:9998/a.csv").await.is_err());
        assert!(
            policy
                .check("http://user:pw@127.0.0.1:9999/a.csv")
                .await
                .is_err()
        );
    }
}
