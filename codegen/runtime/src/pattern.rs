//! `pattern`: a regular expression compiled once, on first use. The generator
//! has already checked that the `regex` crate accepts it.

use std::sync::OnceLock;

use regex::Regex;

use super::validate::Rule;

/// A spec's `pattern`, held in a `static` of the generated crate.
#[derive(Debug)]
pub struct Pattern {
    source: &'static str,
    regex: OnceLock<Option<Regex>>,
}

impl Pattern {
    pub const fn new(source: &'static str) -> Self {
        Pattern {
            source,
            regex: OnceLock::new(),
        }
    }

    /// The pattern as the spec writes it.
    pub fn source(&self) -> &'static str {
        self.source
    }

    /// Whether `value` matches somewhere (JSON Schema patterns are not anchored).
    pub fn check(&self, value: &str) -> Rule {
        // The generator only emits patterns that compile; one that does not
        // would refuse every value rather than let them all through.
        let matches = self
            .regex
            .get_or_init(|| Regex::new(self.source).ok())
            .as_ref()
            .is_some_and(|regex| regex.is_match(value));
        if matches {
            Ok(())
        } else {
            Err(format!("must match the pattern `{}`", self.source))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static NAME: Pattern = Pattern::new("^[A-Za-z]");
    static DIGITS: Pattern = Pattern::new("[0-9]+");

    #[test]
    fn patterns_search_unanchored() {
        assert!(NAME.check("Rex").is_ok());
        assert_eq!(
            NAME.check("123!!"),
            Err("must match the pattern `^[A-Za-z]`".to_owned())
        );
        assert!(DIGITS.check("abc1").is_ok());
        assert_eq!(DIGITS.source(), "[0-9]+");
    }
}
