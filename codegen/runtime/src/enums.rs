//! The error of `FromStr` on a generated string enum.

/// A string that is not one of an enum's values (the error of `FromStr`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseEnumError {
    type_name: &'static str,
    value: String,
    expected: &'static [&'static str],
}

impl ParseEnumError {
    /// The enum that was asked for.
    pub fn type_name(&self) -> &'static str {
        self.type_name
    }

    /// The string that matched no value.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The values the enum accepts.
    pub fn expected(&self) -> &'static [&'static str] {
        self.expected
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
                expected: values,
            })
    }
}

impl std::fmt::Display for ParseEnumError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` is not a valid {}; expected one of: {}",
            self.value,
            self.type_name,
            self.expected.join(", ")
        )
    }
}

impl std::error::Error for ParseEnumError {}
