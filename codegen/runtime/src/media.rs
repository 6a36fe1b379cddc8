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

/// Of the media types a server can answer (`offered`, in its order of
/// preference), the one an `Accept` header prefers: each takes the weight
/// (`q`) of the most specific range that covers it; the heaviest wins, the
/// first on a tie. No header (or an empty one) takes the first; `None`: the
/// header excludes them all.
pub fn negotiate(accept: Option<&str>, offered: &[&str]) -> Option<usize> {
    let accept = accept.map(str::trim).filter(|accept| !accept.is_empty());
    let Some(accept) = accept else {
        return (!offered.is_empty()).then_some(0);
    };
    let ranges: Vec<(String, f32)> = accept
        .split(',')
        .filter_map(|range| {
            let mut parts = range.split(';');
            let media = parts.next()?.trim().to_ascii_lowercase();
            if media.is_empty() {
                return None;
            }
            let weight = parts
                .filter_map(|parameter| parameter.split_once('='))
                .find(|(name, _)| name.trim().eq_ignore_ascii_case("q"))
                .map_or(Some(1.0), |(_, value)| value.trim().parse::<f32>().ok())?;
            Some((media, weight))
        })
        .collect();
    let specificity = |range: &str| match range {
        "*/*" => 0,
        range if range.ends_with("/*") => 1,
        _ => 2,
    };
    let mut best: Option<(usize, f32)> = None;
    for (index, media) in offered.iter().enumerate() {
        // The spec may offer a range itself (`image/*`): a concrete
        // accepted type inside it covers it too.
        let weight = ranges
            .iter()
            .filter(|(range, _)| in_range(media, range) || in_range(range, media))
            .max_by_key(|(range, _)| specificity(range))
            .map_or(0.0, |(_, weight)| *weight);
        if weight > 0.0 && best.is_none_or(|(_, top)| weight > top) {
            best = Some((index, weight));
        }
    }
    best.map(|(index, _)| index)
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

    #[test]
    fn negotiation() {
        let offered = ["application/json", "text/csv"];
        assert_eq!(negotiate(None, &offered), Some(0));
        assert_eq!(negotiate(Some(""), &offered), Some(0));
        assert_eq!(negotiate(Some("text/csv"), &offered), Some(1));
        assert_eq!(negotiate(Some("*/*"), &offered), Some(0));
        assert_eq!(
            negotiate(Some("text/*, application/json;q=0.5"), &offered),
            Some(1)
        );
        assert_eq!(
            negotiate(Some("text/csv;q=0.2, */*;q=0.9"), &offered),
            Some(0)
        );
        // The most specific range decides: csv refused outright.
        assert_eq!(negotiate(Some("text/csv;q=0, */*"), &offered), Some(0));
        assert_eq!(negotiate(Some("application/xml"), &offered), None);
        assert_eq!(negotiate(Some("application/json;q=0"), &offered), None);
        assert_eq!(negotiate(Some("image/png"), &["image/*"]), Some(0));
        assert_eq!(
            negotiate(Some("Text/CSV; charset=utf-8"), &offered),
            Some(1)
        );
    }
}
