//! `pattern`: an ECMAScript regular expression (the dialect JSON Schema
//! names), compiled once, on first use, by `regress`. The generator has
//! already checked that it compiles.

use std::sync::OnceLock;

use regress::Regex;

use super::validate::Rule;

/// A spec's `pattern`, held in a `static` of the generated crate.
#[derive(Debug)]
pub struct Pattern {
    source: &'static str,
    /// Compiled with the `u` flag (`\p{L}`, code points); patterns that are
    /// only valid without it (a literal `{`) are compiled without.
    unicode: bool,
    regex: OnceLock<Option<Regex>>,
}

impl Pattern {
    pub const fn new(source: &'static str, unicode: bool) -> Self {
        Pattern {
            source,
            unicode,
            regex: OnceLock::new(),
        }
    }

    /// The pattern as the spec writes it.
    pub fn source(&self) -> &'static str {
        self.source
    }

    /// Whether `value` matches somewhere (JSON Schema patterns are not anchored).
    pub fn check(&self, value: &str) -> Rule {
        let flags = if self.unicode { "u" } else { "" };
        // The generator only emits patterns that compile; one that does not
        // would refuse every value rather than let them all through.
        let matches = self
            .regex
            .get_or_init(|| Regex::with_flags(self.source, flags).ok())
            .as_ref()
            .is_some_and(|regex| regex.find(value).is_some());
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

    static NAME: Pattern = Pattern::new("^[A-Za-z]", true);
    static DIGITS: Pattern = Pattern::new("[0-9]+", true);
    static LETTERS: Pattern = Pattern::new("^\\p{L}+$", true);
    static BRACES: Pattern = Pattern::new("^{[0-9]+}$", false);
    static AHEAD: Pattern = Pattern::new("^(?!admin$)[a-z]+$", true);

    #[test]
    fn patterns_are_ecmascript_and_search_unanchored() {
        assert!(NAME.check("Rex").is_ok());
        assert_eq!(
            NAME.check("123!!"),
            Err("must match the pattern `^[A-Za-z]`".to_owned())
        );
        assert!(DIGITS.check("abc1").is_ok());
        assert_eq!(DIGITS.source(), "[0-9]+");
        assert!(LETTERS.check("Zoë").is_ok() && LETTERS.check("Zoë1").is_err());
        assert!(BRACES.check("{42}").is_ok() && BRACES.check("42").is_err());
        assert!(AHEAD.check("rex").is_ok() && AHEAD.check("admin").is_err());
    }
}
