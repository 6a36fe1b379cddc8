//! The spec's constraints on values (`minimum`, `maxLength`, `maxItems`, …):
//! one function per rule, shared by parameters and bodies, and the
//! [`Validate`] trait the generated models implement, which gathers every
//! failure of a value with the JSON pointer of the part that broke its rule.

use std::collections::HashSet;
use std::fmt::{self, Display};

use serde::Serialize;

/// A rule a value broke, as a sentence fragment (`must be at most 5`).
pub type Rule = Result<(), String>;

/// Where a value sits inside the one being checked: a chain of segments on
/// the stack, made into a JSON pointer only when a rule fails.
#[derive(Debug, Clone, Copy)]
pub struct At<'a> {
    parent: Option<&'a At<'a>>,
    segment: Segment<'a>,
}

#[derive(Debug, Clone, Copy)]
enum Segment<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

impl<'a> At<'a> {
    /// The value itself (the pointer `""`).
    pub const ROOT: At<'static> = At {
        parent: None,
        segment: Segment::Root,
    };

    /// A property of an object or a value of a map.
    pub fn key(&'a self, key: &'a str) -> At<'a> {
        At {
            parent: Some(self),
            segment: Segment::Key(key),
        }
    }

    /// An item of an array.
    pub fn index(&'a self, index: usize) -> At<'a> {
        At {
            parent: Some(self),
            segment: Segment::Index(index),
        }
    }

    /// The JSON pointer (RFC 6901): `""` for the value itself, else `/tags/3`.
    pub fn pointer(&self) -> String {
        let mut segments = Vec::new();
        let mut at = Some(self);
        while let Some(here) = at {
            segments.push(here.segment);
            at = here.parent;
        }
        let mut pointer = String::new();
        for segment in segments.iter().rev() {
            match segment {
                Segment::Root => {}
                Segment::Key(key) => {
                    pointer.push('/');
                    pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
                }
                Segment::Index(index) => {
                    pointer.push('/');
                    pointer.push_str(&index.to_string());
                }
            }
        }
        pointer
    }
}

/// One broken rule: where (a JSON pointer) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub pointer: String,
    pub rule: String,
}

impl Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pointer.is_empty() {
            f.write_str(&self.rule)
        } else {
            write!(f, "{}: {}", self.pointer, self.rule)
        }
    }
}

/// The rules a value broke: the first [`Violations::LIMIT`] kept, all counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Violations {
    kept: Vec<Violation>,
    total: usize,
}

impl Violations {
    /// How many violations are kept (and reported) at most.
    pub const LIMIT: usize = 10;

    /// Records `rule` at `at` when it failed.
    pub fn check(&mut self, at: &At<'_>, rule: Rule) {
        if let Err(rule) = rule {
            self.total += 1;
            if self.kept.len() < Self::LIMIT {
                self.kept.push(Violation {
                    pointer: at.pointer(),
                    rule,
                });
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// How many rules failed, the ones not kept included.
    pub fn total(&self) -> usize {
        self.total
    }

    /// The kept violations, in the order they were found.
    pub fn iter(&self) -> impl Iterator<Item = &Violation> {
        self.kept.iter()
    }

    /// `Ok` when nothing failed.
    pub fn into_result(self) -> Result<(), Violations> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }
}

impl Display for Violations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, violation) in self.kept.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{violation}")?;
        }
        let left = self.total - self.kept.len();
        if left > 0 {
            write!(f, " (and {left} more)")?;
        }
        Ok(())
    }
}

impl std::error::Error for Violations {}

/// A value the spec constrains beyond its type.
pub trait Validate {
    /// Records every rule the value, found at `at`, breaks.
    fn validate_at(&self, at: &At<'_>, out: &mut Violations);

    /// Every rule the value breaks, or `Ok`.
    fn validate(&self) -> Result<(), Violations> {
        let mut out = Violations::default();
        self.validate_at(&At::ROOT, &mut out);
        out.into_result()
    }
}

impl<T: Validate + ?Sized> Validate for Box<T> {
    fn validate_at(&self, at: &At<'_>, out: &mut Violations) {
        (**self).validate_at(at, out);
    }
}

/// Every rule `value` breaks, as `check` (a type's `validate_at`, or the
/// checks of a body whose schema adds rules to its type) finds them.
pub fn check_with<T: ?Sized>(
    value: &T,
    check: impl FnOnce(&T, &At<'_>, &mut Violations),
) -> Result<(), Violations> {
    let mut out = Violations::default();
    check(value, &At::ROOT, &mut out);
    out.into_result()
}

/// `minimum`.
pub fn at_least<T: PartialOrd + Display>(value: T, bound: T) -> Rule {
    if value < bound {
        return Err(format!("must be at least {bound}"));
    }
    Ok(())
}

/// `minimum` with `exclusiveMinimum`.
pub fn greater_than<T: PartialOrd + Display>(value: T, bound: T) -> Rule {
    if value <= bound {
        return Err(format!("must be greater than {bound}"));
    }
    Ok(())
}

/// `maximum`.
pub fn at_most<T: PartialOrd + Display>(value: T, bound: T) -> Rule {
    if value > bound {
        return Err(format!("must be at most {bound}"));
    }
    Ok(())
}

/// `maximum` with `exclusiveMaximum`.
pub fn less_than<T: PartialOrd + Display>(value: T, bound: T) -> Rule {
    if value >= bound {
        return Err(format!("must be less than {bound}"));
    }
    Ok(())
}

/// `multipleOf` for integers.
pub fn multiple_of_int(value: impl Into<i64>, factor: i64) -> Rule {
    if factor != 0 && value.into() % factor != 0 {
        return Err(format!("must be a multiple of {factor}"));
    }
    Ok(())
}

/// `multipleOf` for numbers: the quotient is an integer, up to rounding
/// (`0.3` is a multiple of `0.1`).
pub fn multiple_of(value: impl Into<f64>, factor: f64) -> Rule {
    if factor > 0.0 {
        let quotient = value.into() / factor;
        if (quotient - quotient.round()).abs() > 1e-9 * quotient.abs().max(1.0) {
            return Err(format!("must be a multiple of {factor}"));
        }
    }
    Ok(())
}

/// `minLength`, in characters (Unicode scalar values, as JSON Schema counts).
pub fn min_length(value: &str, min: usize) -> Rule {
    // Only the first `min` characters are counted.
    if value.chars().take(min).count() < min {
        return Err(format!(
            "must be at least {min} {} long",
            plural(min, "character")
        ));
    }
    Ok(())
}

/// `maxLength`, in characters.
pub fn max_length(value: &str, max: usize) -> Rule {
    // A string of at most `max` bytes has at most `max` characters.
    if value.len() > max && value.chars().nth(max).is_some() {
        return Err(format!(
            "must be at most {max} {} long",
            plural(max, "character")
        ));
    }
    Ok(())
}

/// `minItems`.
pub fn min_items(len: usize, min: usize) -> Rule {
    if len < min {
        return Err(format!("must have at least {min} {}", plural(min, "item")));
    }
    Ok(())
}

/// `maxItems`.
pub fn max_items(len: usize, max: usize) -> Rule {
    if len > max {
        return Err(format!("must have at most {max} {}", plural(max, "item")));
    }
    Ok(())
}

/// `uniqueItems`: no two items are the same JSON value.
pub fn unique_items<T: Serialize>(items: &[T]) -> Rule {
    let mut seen = HashSet::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        // Equal values serialize alike: generated types write their fields in
        // a fixed order and maps are sorted.
        let text = serde_json::to_string(item).unwrap_or_default();
        if !seen.insert(text) {
            return Err(format!(
                "items must be unique (item {index} repeats an earlier one)"
            ));
        }
    }
    Ok(())
}

/// `minProperties`.
pub fn min_properties(count: usize, min: usize) -> Rule {
    if count < min {
        return Err(format!(
            "must have at least {min} {}",
            plural(min, "property")
        ));
    }
    Ok(())
}

/// `maxProperties`.
pub fn max_properties(count: usize, max: usize) -> Rule {
    if count > max {
        return Err(format!(
            "must have at most {max} {}",
            plural(max, "property")
        ));
    }
    Ok(())
}

fn plural(count: usize, noun: &str) -> String {
    match (count, noun) {
        (1, _) => noun.to_owned(),
        (_, "property") => "properties".to_owned(),
        _ => format!("{noun}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_escape_and_nest() {
        let root = At::ROOT;
        let tags = root.key("tags");
        let third = tags.index(3);
        let odd = third.key("a/b~c");
        assert_eq!(root.pointer(), "");
        assert_eq!(third.pointer(), "/tags/3");
        assert_eq!(odd.pointer(), "/tags/3/a~1b~0c");
    }

    #[test]
    fn violations_are_capped_and_counted() {
        let mut out = Violations::default();
        let root = At::ROOT;
        for index in 0..12 {
            out.check(&root.index(index), min_length("", 1));
            out.check(&root.index(index), min_length("ok", 1));
        }
        assert_eq!(out.total(), 12);
        assert_eq!(out.iter().count(), Violations::LIMIT);
        let text = out.to_string();
        assert!(
            text.starts_with("/0: must be at least 1 character long; /1:"),
            "{text}"
        );
        assert!(text.ends_with(" (and 2 more)"), "{text}");
    }

    #[test]
    fn numbers() {
        assert!(at_least(1, 1).is_ok());
        assert_eq!(at_least(0, 1), Err("must be at least 1".to_owned()));
        assert!(greater_than(0.0, 0.0).is_err());
        assert!(greater_than(0.5, 0.0).is_ok());
        assert!(at_most(5, 5).is_ok() && at_most(6, 5).is_err());
        assert!(less_than(5, 5).is_err() && less_than(4, 5).is_ok());
        assert!(multiple_of_int(10, 5).is_ok() && multiple_of_int(11, 5).is_err());
        assert!(multiple_of(0.3, 0.1).is_ok());
        assert!(multiple_of(0.35, 0.1).is_err());
    }

    #[test]
    fn lengths_count_characters() {
        assert!(min_length("é", 1).is_ok());
        assert!(max_length("éé", 2).is_ok());
        assert_eq!(
            max_length("ééé", 2),
            Err("must be at most 2 characters long".to_owned())
        );
        assert!(min_length("", 1).is_err());
    }

    #[test]
    fn collections() {
        assert!(min_items(0, 1).is_err() && min_items(1, 1).is_ok());
        assert_eq!(max_items(6, 5), Err("must have at most 5 items".to_owned()));
        assert!(unique_items(&["a", "b"]).is_ok());
        assert!(unique_items(&["a", "b", "a"]).is_err());
        assert!(min_properties(0, 1).is_err());
        assert_eq!(
            max_properties(3, 2),
            Err("must have at most 2 properties".to_owned())
        );
    }
}
