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

/// `format: byte`: bytes, written on the wire as base64 (RFC 4648, with
/// padding), in JSON and in parameters alike.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Base64(pub Vec<u8>);

impl Base64 {
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Base64(bytes.into())
    }

    pub fn into_inner(self) -> Vec<u8> {
        self.0
    }
}

impl std::ops::Deref for Base64 {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl AsRef<[u8]> for Base64 {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for Base64 {
    fn from(bytes: Vec<u8>) -> Self {
        Base64(bytes)
    }
}

impl From<Base64> for Vec<u8> {
    fn from(bytes: Base64) -> Self {
        bytes.0
    }
}

impl std::fmt::Display for Base64 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&base64::engine::general_purpose::STANDARD.encode(&self.0))
    }
}

/// Text that is not base64 (the error of `Base64::from_str`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidBase64(String);

impl std::fmt::Display for InvalidBase64 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "must be valid base64 ({})", self.0)
    }
}

impl std::error::Error for InvalidBase64 {}

impl std::str::FromStr for Base64 {
    type Err = InvalidBase64;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map(Base64)
            .map_err(|err| InvalidBase64(err.to_string()))
    }
}

impl serde::Serialize for Base64 {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Base64 {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
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

    #[test]
    fn base64_bytes_are_text_on_the_wire() {
        let bytes = Base64::new(*b"hello");
        assert_eq!(bytes.to_string(), "aGVsbG8=");
        assert_eq!(serde_json::to_string(&bytes).unwrap(), r#""aGVsbG8=""#);
        let read: Base64 = serde_json::from_str(r#""aGVsbG8=""#).unwrap();
        assert_eq!(&*read, b"hello");
        assert_eq!("aGVsbG8=".parse::<Base64>(), Ok(bytes));
        let error = serde_json::from_str::<Base64>(r#""%%%""#).unwrap_err();
        assert!(
            error.to_string().starts_with("must be valid base64"),
            "{error}"
        );
        assert!(serde_json::from_str::<Base64>("12").is_err());
    }
}
