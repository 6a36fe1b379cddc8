//! `info.version` read as a version number: what the generated crate's
//! version follows and what `codegen diff` compares.

/// A version made of up to three numbers and an optional pre-release
/// (`1`, `1.2`, `v1.2.3`, `1.2.3-beta.1`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub numbers: [u64; 3],
    pub pre: Option<String>,
}

impl Version {
    /// `None` when the text is not such a version (`2024-01-01`, `beta`).
    pub fn parse(text: &str) -> Option<Version> {
        let text = text.trim().trim_start_matches(['v', 'V']);
        let (core, pre) = match text.split_once('-') {
            Some((core, pre)) => (core, Some(pre)),
            None => (text, None),
        };
        // Build metadata says nothing about the version's order.
        let pre = pre.map(|pre| pre.split('+').next().unwrap_or_default());
        let core = core.split('+').next().unwrap_or_default();
        let pieces: Vec<&str> = core.split('.').collect();
        // `2024-01-01` is a date, not version 2024 with a pre-release.
        if pieces.len() > 3 || (pieces.len() == 1 && pre.is_some()) {
            return None;
        }
        let mut numbers = [0u64; 3];
        for (slot, piece) in numbers.iter_mut().zip(&pieces) {
            if piece.is_empty() || !piece.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            *slot = piece.parse().ok()?;
        }
        let pre = match pre {
            Some(pre)
                if !pre.is_empty()
                    && pre.split('.').all(|id| {
                        !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    }) =>
            {
                Some(pre.to_owned())
            }
            Some(_) => return None,
            None => None,
        };
        Some(Version { numbers, pre })
    }

    /// As Cargo writes it: `1.2.0`, `1.2.3-beta.1`.
    pub fn cargo(&self) -> String {
        let [major, minor, patch] = self.numbers;
        match &self.pre {
            Some(pre) => format!("{major}.{minor}.{patch}-{pre}"),
            None => format!("{major}.{minor}.{patch}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Version;

    #[test]
    fn versions_are_read_as_cargo_writes_them() {
        let cargo = |text: &str| Version::parse(text).map(|v| v.cargo());
        assert_eq!(cargo("1.0").as_deref(), Some("1.0.0"));
        assert_eq!(cargo("v2").as_deref(), Some("2.0.0"));
        assert_eq!(cargo("1.2.3-beta.1").as_deref(), Some("1.2.3-beta.1"));
        assert_eq!(cargo("1.2.3+build.5").as_deref(), Some("1.2.3"));
        assert_eq!(cargo("2024-01-01"), None);
        assert_eq!(cargo("1.2.3.4"), None);
        assert_eq!(cargo("latest"), None);
        assert_eq!(cargo("1..2"), None);
    }
}
