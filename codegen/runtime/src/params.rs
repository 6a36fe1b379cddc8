//! Path, query, header and cookie parameters, and the fields of form bodies:
//! reading them from the decoded `(name, value)` pairs of a request, checking
//! the spec's constraints, and writing them back as text. Generated parameter structs call these from
//! closures, so a spec's parameter names never meet a local variable.

use std::fmt::Display;
use std::str::FromStr;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::request_error::RequestError;
use super::validate::{At, Violations};

/// One parameter of an operation: its name on the wire and where it is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    name: &'static str,
    location: &'static str,
}

impl Param {
    pub const fn path(name: &'static str) -> Self {
        Param {
            name,
            location: "path",
        }
    }

    pub const fn query(name: &'static str) -> Self {
        Param {
            name,
            location: "query",
        }
    }

    pub const fn header(name: &'static str) -> Self {
        Param {
            name,
            location: "header",
        }
    }

    pub const fn cookie(name: &'static str) -> Self {
        Param {
            name,
            location: "cookie",
        }
    }

    /// A field of an `application/x-www-form-urlencoded` body.
    pub const fn form(name: &'static str) -> Self {
        Param {
            name,
            location: "form",
        }
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    pub fn location(&self) -> &'static str {
        self.location
    }

    fn matches(&self, key: &str) -> bool {
        if self.location == "header" {
            key.eq_ignore_ascii_case(self.name)
        } else {
            key == self.name
        }
    }

    /// Every value given for this parameter, in request order. Empty header
    /// values count as absent.
    pub fn values<'a>(&self, pairs: &'a [(String, String)]) -> impl Iterator<Item = &'a str> {
        let param = *self;
        pairs
            .iter()
            .filter(move |(key, _)| param.matches(key))
            .map(|(_, value)| value.as_str())
            .filter(move |value| param.location != "header" || !value.is_empty())
    }

    /// The value given for this parameter; the last one when it is repeated.
    pub fn value<'a>(&self, pairs: &'a [(String, String)]) -> Option<&'a str> {
        self.values(pairs).last()
    }

    /// Reads the parameter, which must be present.
    pub fn required<T>(
        &self,
        pairs: &[(String, String)],
        read: impl FnOnce(&Param, &str) -> Result<T, RequestError>,
    ) -> Result<T, RequestError> {
        match self.value(pairs) {
            Some(text) => read(self, text),
            None => Err(RequestError::missing_parameter(self.name, self.location)),
        }
    }

    /// Reads the parameter if it is present.
    pub fn optional<T>(
        &self,
        pairs: &[(String, String)],
        read: impl FnOnce(&Param, &str) -> Result<T, RequestError>,
    ) -> Result<Option<T>, RequestError> {
        self.value(pairs).map(|text| read(self, text)).transpose()
    }

    /// Reads every value of a repeated parameter (`ids=a&ids=b`).
    pub fn repeated<T>(
        &self,
        pairs: &[(String, String)],
        mut read: impl FnMut(&Param, &str) -> Result<T, RequestError>,
    ) -> Result<Vec<T>, RequestError> {
        self.values(pairs).map(|text| read(self, text)).collect()
    }

    /// Reads every value of a repeated parameter and checks them as one
    /// array, when there is any (an absent parameter has no items to count).
    pub fn repeated_validated<T>(
        &self,
        pairs: &[(String, String)],
        read: impl FnMut(&Param, &str) -> Result<T, RequestError>,
        check: impl FnOnce(&Vec<T>, &At<'_>, &mut Violations),
    ) -> Result<Vec<T>, RequestError> {
        let values = self.repeated(pairs, read)?;
        if values.is_empty() {
            return Ok(values);
        }
        self.validated(values, check)
    }

    /// The error for a value that breaks a rule.
    pub fn invalid(&self, message: impl Into<String>) -> RequestError {
        RequestError::invalid_parameter(self.name, self.location, message)
    }

    /// A value in its text form (`FromStr`: numbers, strings, dates, string enums).
    pub fn parse<T>(&self, text: &str) -> Result<T, RequestError>
    where
        T: FromStr,
        T::Err: Display,
    {
        text.parse::<T>().map_err(|err| {
            let err = err.to_string();
            // An enum's error already quotes the value and lists the choices.
            if err.contains(&format!("`{text}`")) {
                self.invalid(err)
            } else {
                self.invalid(format!("`{text}` is not valid: {err}"))
            }
        })
    }

    /// A structured value written as JSON text.
    pub fn parse_json<T: DeserializeOwned>(&self, text: &str) -> Result<T, RequestError> {
        serde_json::from_str(text)
            .map_err(|err| self.invalid(format!("`{text}` is not valid: {err}")))
    }

    /// Items joined by `delimiter` (`,` of `style: simple` and of `form`
    /// without `explode`, ` ` of `spaceDelimited`, `|` of `pipeDelimited`).
    pub fn parse_delimited<T>(&self, text: &str, delimiter: char) -> Result<Vec<T>, RequestError>
    where
        T: FromStr,
        T::Err: Display,
    {
        if text.is_empty() {
            // `tags=`: the empty array.
            return Ok(Vec::new());
        }
        text.split(delimiter).map(|item| self.parse(item)).collect()
    }

    /// The value, or a refusal naming this parameter and every rule it
    /// breaks (`check` records them, as a model's `validate_at` does; an
    /// array's items are named by index: `/1: must be …`).
    pub fn validated<T>(
        &self,
        value: T,
        check: impl FnOnce(&T, &At<'_>, &mut Violations),
    ) -> Result<T, RequestError> {
        self.check(&value, check)?;
        Ok(value)
    }

    /// Whether a value (one a client is about to send) keeps the rules
    /// `check` records; `Err` names this parameter and every rule it breaks.
    pub fn check<T: ?Sized>(
        &self,
        value: &T,
        check: impl FnOnce(&T, &At<'_>, &mut Violations),
    ) -> Result<(), RequestError> {
        let mut broken = Violations::default();
        check(value, &At::ROOT, &mut broken);
        if broken.is_empty() {
            Ok(())
        } else {
            Err(self.invalid(broken.to_string()))
        }
    }

    /// [`Param::check`] of an array, when it has items: an empty one is not
    /// sent, so there is nothing to count.
    pub fn check_items<T>(
        &self,
        items: &[T],
        check: impl FnOnce(&[T], &At<'_>, &mut Violations),
    ) -> Result<(), RequestError> {
        if items.is_empty() {
            return Ok(());
        }
        self.check(items, check)
    }
}

/// A path parameter's style when it has a prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathStyle {
    /// `.5`; an array `.a,b`, exploded `.a.b`.
    Label,
    /// `;id=5`; an array `;id=a,b`, exploded `;id=a;id=b`.
    Matrix,
}

impl Param {
    /// A `label` or `matrix` path value in the `simple` form the parsers
    /// read: the prefix removed, an exploded array's items joined by `,`.
    pub fn unstyled(
        &self,
        text: &str,
        style: PathStyle,
        exploded_array: bool,
    ) -> Result<String, RequestError> {
        let (prefix, separator) = match style {
            PathStyle::Label => (".".to_owned(), ".".to_owned()),
            PathStyle::Matrix => {
                let prefix = format!(";{}=", self.name);
                (prefix.clone(), prefix)
            }
        };
        // RFC 6570 writes an empty matrix value without `=`.
        if style == PathStyle::Matrix && text == format!(";{}", self.name) {
            return Ok(String::new());
        }
        let Some(rest) = text.strip_prefix(&prefix) else {
            return Err(self.invalid(format!("`{text}` does not start with `{prefix}`")));
        };
        Ok(if exploded_array {
            rest.split(separator.as_str()).collect::<Vec<_>>().join(",")
        } else {
            rest.to_owned()
        })
    }
}

/// A path value in a `label` or `matrix` style, from the texts of its items
/// (one for a single value): the inverse of [`Param::unstyled`].
pub fn styled<I: IntoIterator<Item = String>>(
    name: &str,
    items: I,
    style: PathStyle,
    exploded_array: bool,
) -> String {
    let prefix = match style {
        PathStyle::Label => ".".to_owned(),
        PathStyle::Matrix => format!(";{name}="),
    };
    let separator = if exploded_array { prefix.as_str() } else { "," };
    let items: Vec<String> = items.into_iter().collect();
    format!("{prefix}{}", items.join(separator))
}

/// A structured value as JSON text, the inverse of [`Param::parse_json`].
pub fn json_text<T: Serialize + ?Sized>(value: &T) -> String {
    // Generated types always serialize (map keys are strings).
    serde_json::to_string(value).unwrap_or_default()
}

/// Items as one value joined by `delimiter`, the inverse of [`Param::parse_delimited`].
pub fn delimited<I: IntoIterator<Item = String>>(items: I, delimiter: char) -> String {
    let mut joined = String::new();
    for (index, item) in items.into_iter().enumerate() {
        if index > 0 {
            joined.push(delimiter);
        }
        joined.push_str(&item);
    }
    joined
}
