//! `format`s a value of type string must have. Dates and date-times are
//! typed (`chrono`), so they are checked when the value is read.

use std::net::{Ipv4Addr, Ipv6Addr};

use base64::Engine;

use super::validate::Rule;

/// A string format the spec names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Email,
    Hostname,
    Ipv4,
    Ipv6,
    Uri,
    Uuid,
    /// Base64 (RFC 4648, with padding).
    Byte,
}

impl Format {
    /// The name the spec uses.
    pub fn name(self) -> &'static str {
        match self {
            Format::Email => "email",
            Format::Hostname => "hostname",
            Format::Ipv4 => "ipv4",
            Format::Ipv6 => "ipv6",
            Format::Uri => "uri",
            Format::Uuid => "uuid",
            Format::Byte => "byte",
        }
    }

    /// Whether `value` has this format.
    pub fn check(self, value: &str) -> Rule {
        let valid = match self {
            Format::Email => is_email(value),
            Format::Hostname => is_hostname(value),
            Format::Ipv4 => value.parse::<Ipv4Addr>().is_ok(),
            Format::Ipv6 => value.parse::<Ipv6Addr>().is_ok(),
            Format::Uri => is_uri(value),
            Format::Uuid => uuid::Uuid::try_parse(value).is_ok(),
            Format::Byte => base64::engine::general_purpose::STANDARD
                .decode(value)
                .is_ok(),
        };
        if valid {
            Ok(())
        } else {
            Err(format!("must be a valid {}", self.name()))
        }
    }
}

/// The "valid e-mail address" of the HTML standard, which browsers check:
/// `local@domain`, the local part of the allowed ASCII characters, the domain
/// of hostname labels.
fn is_email(value: &str) -> bool {
    const LOCAL: &str = ".!#$%&'*+/=?^_`{|}~-";
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || LOCAL.contains(c))
        && is_hostname(domain)
}

/// RFC 1123: dot-separated labels of letters, digits and inner hyphens,
/// each 1–63 characters, 253 in all.
fn is_hostname(value: &str) -> bool {
    let value = value.strip_suffix('.').unwrap_or(value);
    !value.is_empty()
        && value.len() <= 253
        && value.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// RFC 3986: an absolute URI, `scheme:` then characters a URI may hold
/// (percent escapes well-formed).
fn is_uri(value: &str) -> bool {
    const ALLOWED: &str = ":/?#[]@!$&'()*+,;=-._~";
    let Some((scheme, rest)) = value.split_once(':') else {
        return false;
    };
    let mut scheme_chars = scheme.chars();
    let scheme_ok = scheme_chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme_chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    if !scheme_ok {
        return false;
    }
    let bytes = rest.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'%' {
            let escaped = bytes.get(i + 1..i + 3);
            if !escaped.is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)) {
                return false;
            }
            i += 3;
            continue;
        }
        if !(c.is_ascii_alphanumeric() || ALLOWED.as_bytes().contains(&c)) {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let cases = [
            (Format::Email, "rex@pets.example", true),
            (Format::Email, "rex@", false),
            (Format::Email, "no at sign", false),
            (Format::Hostname, "api.example.com", true),
            (Format::Hostname, "-bad.example", false),
            (Format::Hostname, "under_score.example", false),
            (Format::Ipv4, "192.0.2.1", true),
            (Format::Ipv4, "192.0.2", false),
            (Format::Ipv6, "2001:db8::1", true),
            (Format::Ipv6, "2001:db8:::1", false),
            (Format::Uri, "https://example.com/a?b=c#d", true),
            (Format::Uri, "urn:isbn:0451450523", true),
            (Format::Uri, "/relative/path", false),
            (Format::Uri, "https://example.com/a b", false),
            (Format::Uri, "https://example.com/%zz", false),
            (Format::Uuid, "6f1c2a9e-3b5d-4c8e-9f0a-1b2c3d4e5f60", true),
            (Format::Uuid, "not-a-uuid", false),
            (Format::Byte, "aGVsbG8=", true),
            (Format::Byte, "aGVsbG8", false),
        ];
        for (format, value, valid) in cases {
            assert_eq!(format.check(value).is_ok(), valid, "{format:?} {value:?}");
        }
        assert_eq!(
            Format::Uuid.check("x"),
            Err("must be a valid uuid".to_owned())
        );
    }
}
