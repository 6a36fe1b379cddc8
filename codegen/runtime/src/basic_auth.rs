//! HTTP `basic` credentials (RFC 7617): `user:password`, base64-encoded
//! after `Basic` in `Authorization`. Only in crates whose spec has such a
//! scheme.

use base64::Engine;

/// The text after `Basic ` for a user name and password.
pub fn encode(username: &str, password: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"))
}

/// The user name and password of the text after `Basic `, or `None` when it
/// is not base64 of UTF-8 `user:password`. The password may hold `:`.
pub fn decode(credentials: &str) -> Option<(String, String)> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(credentials.trim())
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (username, password) = text.split_once(':')?;
    Some((username.to_owned(), password.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_survive_the_round_trip() {
        // RFC 7617's example.
        assert_eq!(
            encode("Aladdin", "open sesame"),
            "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(
            decode("QWxhZGRpbjpvcGVuIHNlc2FtZQ=="),
            Some(("Aladdin".to_owned(), "open sesame".to_owned()))
        );
        assert_eq!(
            decode(&encode("ann", "a:b:c")),
            Some(("ann".to_owned(), "a:b:c".to_owned()))
        );
        assert_eq!(
            decode(&encode("", "")),
            Some((String::new(), String::new()))
        );
    }

    #[test]
    fn malformed_credentials_are_none() {
        assert_eq!(decode("not base64!"), None);
        // Base64 of text without a colon, and of bytes that are not UTF-8.
        assert_eq!(decode("YW5u"), None);
        assert_eq!(decode("/w=="), None);
    }
}
