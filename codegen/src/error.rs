//! Errors that stop generation. Every error names the file and the place in it:
//! a JSON pointer (`#/components/schemas/Foo/properties/bar`) once the document
//! parsed, or a line and column while it does not.

use std::fmt;

/// What kind of problem an [`SpecError`] reports; tests and callers match on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The file could not be read.
    Io,
    /// The text is not valid JSON or YAML.
    Syntax,
    /// The document is not an OpenAPI 3.0 document (e.g. Swagger 2.0, OpenAPI 3.1).
    UnsupportedVersion,
    /// A `$ref` points at nothing in the document.
    DanglingRef,
    /// A construct the generator does not handle (e.g. `oneOf`, external `$ref`).
    Unsupported,
    /// The document parses but breaks the OpenAPI 3.0 structure.
    Invalid,
    /// A `--tag` or `--operation` selection names something no operation has.
    UnknownSelection,
}

/// Where in the input an error is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A JSON pointer into the document, `#` for the root.
    Pointer(String),
    /// A position in the text (1-based), for input that does not parse.
    LineColumn { line: usize, column: usize },
    /// The file as a whole.
    File,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Pointer(pointer) => f.write_str(pointer),
            Location::LineColumn { line, column } => write!(f, "line {line}, column {column}"),
            Location::File => Ok(()),
        }
    }
}

/// An error in the input spec (or in reading it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct SpecError {
    pub kind: ErrorKind,
    /// The spec file as the user named it.
    pub file: String,
    pub location: Location,
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Location::File => write!(f, "{}: {}", self.file, self.message),
            location => write!(f, "{}: {}: {}", self.file, location, self.message),
        }
    }
}

impl SpecError {
    pub fn at(kind: ErrorKind, file: &str, pointer: &str, message: impl Into<String>) -> Self {
        SpecError {
            kind,
            file: file.to_owned(),
            location: Location::Pointer(pointer.to_owned()),
            message: message.into(),
        }
    }

    /// The JSON pointer of the offending node, when the error has one.
    pub fn pointer(&self) -> Option<&str> {
        match &self.location {
            Location::Pointer(pointer) => Some(pointer),
            _ => None,
        }
    }
}

/// Escapes one JSON pointer segment (RFC 6901): `~` → `~0`, `/` → `~1`.
pub fn escape_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Appends one segment to a JSON pointer.
pub fn child(pointer: &str, segment: &str) -> String {
    format!("{pointer}/{}", escape_segment(segment))
}
