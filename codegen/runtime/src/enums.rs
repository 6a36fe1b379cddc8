//! The error of `FromStr` (and of deserializing) on a generated enum, and the
//! lookups of a variant by its wire value.

/// A value that is not one of an enum's values (the error of `FromStr`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseEnumError {
    type_name: &'static str,
    value: String,
    expected: Expected,
}

/// The values an enum accepts, of the kind they are written in the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expected {
    Strings(&'static [&'static str]),
    Integers(&'static [i64]),
}

impl ParseEnumError {
    /// The enum that was asked for.
    pub fn type_name(&self) -> &'static str {
        self.type_name
    }

    /// The value that matched none, as text.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The values the enum accepts, as text.
    pub fn expected(&self) -> Vec<String> {
        match self.expected {
            Expected::Strings(values) => values.iter().map(|&value| value.to_owned()).collect(),
            Expected::Integers(values) => values.iter().map(i64::to_string).collect(),
        }
    }

    /// The variant of `all` whose wire value (same index in `values`) is `value`.
    /// Generated enums list their variants and values in the same order.
    pub fn find<T: Copy>(
        type_name: &'static str,
        value: &str,
        values: &'static [&'static str],
        all: &[T],
    ) -> Result<T, Self> {
        values
            .iter()
            .position(|candidate| *candidate == value)
            .and_then(|index| all.get(index).copied())
            .ok_or_else(|| ParseEnumError {
                type_name,
                value: value.to_owned(),
                expected: Expected::Strings(values),
            })
    }

    /// The variant of an integer enum whose value is `value`.
    pub fn find_integer<T: Copy>(
        type_name: &'static str,
        value: i64,
        values: &'static [i64],
        all: &[T],
    ) -> Result<T, Self> {
        values
            .iter()
            .position(|candidate| *candidate == value)
            .and_then(|index| all.get(index).copied())
            .ok_or_else(|| ParseEnumError {
                type_name,
                value: value.to_string(),
                expected: Expected::Integers(values),
            })
    }

    /// The variant of an integer enum whose value is written in `text`.
    pub fn parse_integer<T: Copy>(
        type_name: &'static str,
        text: &str,
        values: &'static [i64],
        all: &[T],
    ) -> Result<T, Self> {
        match text.parse::<i64>() {
            Ok(value) => Self::find_integer(type_name, value, values, all),
            Err(_) => Err(ParseEnumError {
                type_name,
                value: text.to_owned(),
                expected: Expected::Integers(values),
            }),
        }
    }
}

impl std::fmt::Display for ParseEnumError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` is not a valid {}; expected one of: {}",
            self.value,
            self.type_name,
            self.expected().join(", ")
        )
    }
}

impl std::error::Error for ParseEnumError {}
