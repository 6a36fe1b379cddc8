//! Media types and ranges (`image/png`, `image/*`, `*/*`), as the server
//! checks a request's `Content-Type` and the client checks the one it is
//! given for a body the spec lists as a range.

/// A media type without its parameters, lower case: `text/csv` of
/// `Text/CSV; charset=utf-8`.
pub fn bare(media: &str) -> String {
    media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Whether `media` is JSON: `application/json` or any `+json` type
/// (`application/problem+json`).
pub fn is_json(media: &str) -> bool {
    let media = bare(media);
    media == "application/json" || media.ends_with("+json")
}

/// Whether `media` is in `range` (`image/png`, `image/*`, `*/*`);
/// parameters of either do not count.
pub fn in_range(media: &str, range: &str) -> bool {
    let (media, range) = (bare(media), bare(range));
    match range.strip_suffix("/*") {
        Some("*") => true,
        Some(kind) => media
            .split_once('/')
            .is_some_and(|(given, subtype)| given == kind && !subtype.is_empty()),
        None => media == range,
    }
}

/// Whether `range` is one media type (not `image/*` or `*/*`).
pub fn is_concrete(range: &str) -> bool {
    let range = bare(range);
    range.split_once('/').is_some_and(|(kind, subtype)| {
        !kind.is_empty() && !subtype.is_empty() && !range.contains('*')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert!(in_range("image/png", "image/*"));
        assert!(in_range("Image/PNG; x=1", "image/*; q=0.5"));
        assert!(!in_range("image/", "image/*"));
        assert!(!in_range("text/plain", "image/*"));
        assert!(in_range("text/plain", "text/plain; charset=utf-8"));
        assert!(in_range("a/b", "*/*"));
        assert!(is_concrete("image/png; q=1"));
        assert!(!is_concrete("image/*"));
        assert!(!is_concrete("*/*"));
        assert!(!is_concrete("png"));
        assert!(is_json("Application/Problem+JSON; charset=utf-8"));
        assert!(!is_json("text/plain"));
    }
}
