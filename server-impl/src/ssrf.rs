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
        if let Some(bad) = addresses.iter().find(|ip| !is_public(**ip)) {
            return Err(format!(
                "file_url must point to a public address, not {bad}"
            ));
        }
        Ok(CheckedUrl { url, pinned })
    }
}

/// Whether an address is on the public internet (not loopback, private, link-local, …).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80 // link local
        || (first == 0x2001 && ip.segments()[1] == 0x0db8)) // documentation
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
