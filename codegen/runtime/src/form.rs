//! `application/x-www-form-urlencoded` bodies: the pairs a form struct of
//! `params` reads (`from_pairs`) and writes (`to_pairs`), decoded from and
//! encoded into the body. Only in crates whose spec has a form body, and
//! there for the server and the client.

use super::request_error::RequestError;

/// The form's media type, which the server requires and the client sends.
pub const MEDIA_TYPE: &str = "application/x-www-form-urlencoded";

/// The decoded `(name, value)` pairs of a form body, in order. A name or a
/// value that is not UTF-8 once decoded is refused, not patched.
pub fn decode(body: &[u8]) -> Result<Vec<(String, String)>, RequestError> {
    body.split(|byte| *byte == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = match pair.iter().position(|byte| *byte == b'=') {
                Some(at) => (&pair[..at], &pair[at + 1..]),
                None => (pair, &pair[pair.len()..]),
            };
            let name = form_decode(name).map_err(|_| invalid("a field name", None))?;
            let value = form_decode(value).map_err(|_| invalid("the value", Some(&name)))?;
            Ok((name, value))
        })
        .collect()
}

fn invalid(what: &str, field: Option<&str>) -> RequestError {
    RequestError::InvalidBody {
        field: field.map(|name| format!("/{}", name.replace('~', "~0").replace('/', "~1"))),
        message: format!("{what} is not UTF-8 text once percent-decoded (`{MEDIA_TYPE}`)"),
    }
}

/// One name or value: `+` is a space, `%XX` a byte.
fn form_decode(text: &[u8]) -> Result<String, std::string::FromUtf8Error> {
    let plus_as_space: Vec<u8> = text
        .iter()
        .map(|byte| if *byte == b'+' { b' ' } else { *byte })
        .collect();
    String::from_utf8(percent_encoding::percent_decode(&plus_as_space).collect())
}

/// The body that carries `pairs`, percent-encoded.
pub fn encode(pairs: &[(&str, String)]) -> String {
    let mut out = String::new();
    for (index, (name, value)) in pairs.iter().enumerate() {
        if index > 0 {
            out.push('&');
        }
        out.extend(form_encode(name));
        out.push('=');
        out.extend(form_encode(value));
    }
    out
}

/// One name or value as a form writes it: unreserved bytes as they are,
/// a space as `+`, every other byte as `%XX`.
fn form_encode(text: &str) -> impl Iterator<Item = char> + '_ {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    text.bytes().flat_map(|byte| {
        let (one, two, three) = match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                (byte as char, None, None)
            }
            b' ' => ('+', None, None),
            _ => (
                '%',
                Some(HEX[usize::from(byte >> 4)] as char),
                Some(HEX[usize::from(byte & 0xF)] as char),
            ),
        };
        std::iter::once(one).chain(two).chain(three)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_survive_encoding_and_decoding() {
        let pairs = [
            ("name", "Ada Lovelace".to_owned()),
            ("tags", "a&b=c".to_owned()),
            ("tags", "ünï + %".to_owned()),
            ("empty", String::new()),
        ];
        let body = encode(&pairs);
        assert_eq!(
            body,
            "name=Ada+Lovelace&tags=a%26b%3Dc&tags=%C3%BCn%C3%AF+%2B+%25&empty="
        );
        let decoded = decode(body.as_bytes()).unwrap();
        let expected: Vec<(String, String)> = pairs
            .iter()
            .map(|(name, value)| ((*name).to_owned(), value.clone()))
            .collect();
        assert_eq!(decoded, expected);
    }

    #[test]
    fn a_body_that_is_not_a_form_is_refused() {
        let refused = decode(b"name=%FF%FE").unwrap_err();
        assert!(
            matches!(&refused, RequestError::InvalidBody { field: Some(field), message }
                if field == "/name" && message.contains(MEDIA_TYPE)),
            "{refused:?}"
        );
        assert_eq!(
            decode(b"a&&b=1").unwrap(),
            [
                ("a".to_owned(), String::new()),
                ("b".to_owned(), "1".to_owned())
            ]
        );
    }
}
