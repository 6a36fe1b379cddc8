//! Why a generated server refused a request before calling the implementation.
//! Shared by the parameter parsers (which need no HTTP framework) and the server.

use super::validate::Violations;

/// Why the server refused a request before calling the implementation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestError {
    /// Credentials are missing or the hook rejected them (401).
    Unauthorized {
        scheme: &'static str,
        message: String,
    },
    /// A required parameter is absent (400).
    MissingParameter {
        name: String,
        location: &'static str,
    },
    /// A parameter does not parse or breaks a constraint (400).
    InvalidParameter {
        name: String,
        location: &'static str,
        message: String,
    },
    /// A required body is absent (400).
    MissingBody,
    /// The body is not valid for its schema; `field` is the JSON pointer of
    /// the value that is not (400).
    InvalidBody {
        field: Option<String>,
        message: String,
    },
    /// The body breaks rules of its schema: every broken rule, with its place (400).
    BodyViolations(Violations),
    /// The body has a content type the operation does not take (415).
    UnsupportedMediaType {
        content_type: Option<String>,
        expected: &'static str,
    },
    /// The body is larger than the router's limit (413).
    PayloadTooLarge,
    /// The request's `Accept` takes none of the media types the operation
    /// answers in (406).
    NotAcceptable {
        accept: String,
        offered: &'static str,
    },
    /// No operation has this path (404).
    UnknownRoute { method: String, path: String },
    /// The operation is in the spec but the server does not implement it
    /// (501): the default body of a trait method, when the crate is
    /// generated with `--default-not-implemented`.
    NotImplemented { operation: &'static str },
    /// The path exists, but not with this method (405).
    MethodNotAllowed { method: String, path: String },
    /// Several parameters are missing or invalid, in the order the server
    /// read them (400): each is reported, not only the first.
    Several(Vec<RequestError>),
    /// The implementation panicked; the router answered for it (500).
    Panicked,
    /// A part of the body could not be kept for the implementation (a
    /// multipart file part and a full disk): the server's failure (500).
    BodyNotStored { message: String },
    /// The implementation set a response header to a value HTTP cannot carry
    /// (a line break, a non-ASCII character); the router answered for it (500).
    InvalidResponseHeader { name: String },
}

impl RequestError {
    pub fn missing_parameter(name: &str, location: &'static str) -> Self {
        RequestError::MissingParameter {
            name: name.to_owned(),
            location,
        }
    }

    pub fn invalid_parameter(
        name: &str,
        location: &'static str,
        message: impl Into<String>,
    ) -> Self {
        RequestError::InvalidParameter {
            name: name.to_owned(),
            location,
            message: message.into(),
        }
    }

    /// One error for every failure of `found` (`None`s are skipped): the
    /// failure itself when there is one, else [`RequestError::Several`]
    /// (empty, for no failure at all: [`RequestError::all_ok`] is the
    /// function for results that may all be fine).
    pub fn all(found: impl IntoIterator<Item = Option<RequestError>>) -> Self {
        let mut errors: Vec<RequestError> = found
            .into_iter()
            .flatten()
            .flat_map(|error| match error {
                RequestError::Several(inner) => inner,
                error => vec![error],
            })
            .collect();
        if errors.len() == 1 {
            errors.remove(0)
        } else {
            RequestError::Several(errors)
        }
    }

    /// `Ok` when every check passed, else one error for all that failed.
    pub fn all_ok(
        checks: impl IntoIterator<Item = Result<(), RequestError>>,
    ) -> Result<(), RequestError> {
        let failed: Vec<Option<RequestError>> = checks
            .into_iter()
            .filter_map(|checked| checked.err().map(Some))
            .collect();
        if failed.is_empty() {
            Ok(())
        } else {
            Err(Self::all(failed))
        }
    }

    /// The kind of refusal as a stable code, for an error format with a
    /// `code` text field.
    pub fn code(&self) -> &'static str {
        match self {
            RequestError::Several(errors) => errors.first().map_or("invalid_parameter", Self::code),
            RequestError::Unauthorized { .. } => "unauthorized",
            RequestError::MissingParameter { .. } => "missing_parameter",
            RequestError::InvalidParameter { .. } => "invalid_parameter",
            RequestError::MissingBody => "missing_body",
            RequestError::InvalidBody { .. } | RequestError::BodyViolations(_) => "invalid_body",
            RequestError::UnsupportedMediaType { .. } => "unsupported_media_type",
            RequestError::PayloadTooLarge => "payload_too_large",
            RequestError::NotAcceptable { .. } => "not_acceptable",
            RequestError::UnknownRoute { .. } => "not_found",
            RequestError::MethodNotAllowed { .. } => "method_not_allowed",
            RequestError::NotImplemented { .. } => "not_implemented",
            RequestError::Panicked
            | RequestError::InvalidResponseHeader { .. }
            | RequestError::BodyNotStored { .. } => "internal_error",
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            RequestError::Several(errors) => errors.first().map_or(400, Self::status),
            RequestError::Unauthorized { .. } => 401,
            RequestError::UnsupportedMediaType { .. } => 415,
            RequestError::PayloadTooLarge => 413,
            RequestError::NotAcceptable { .. } => 406,
            RequestError::UnknownRoute { .. } => 404,
            RequestError::MethodNotAllowed { .. } => 405,
            RequestError::NotImplemented { .. } => 501,
            RequestError::Panicked
            | RequestError::InvalidResponseHeader { .. }
            | RequestError::BodyNotStored { .. } => 500,
            _ => 400,
        }
    }
}

impl std::fmt::Display for RequestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RequestError::Unauthorized { message, .. } => f.write_str(message),
            RequestError::MissingParameter { name, location } => {
                write!(f, "{location} parameter `{name}` is required")
            }
            RequestError::InvalidParameter {
                name,
                location,
                message,
            } => write!(f, "{location} parameter `{name}`: {message}"),
            RequestError::MissingBody => f.write_str("a request body is required"),
            RequestError::InvalidBody {
                field: Some(field),
                message,
            } => write!(f, "invalid request body: {field}: {message}"),
            RequestError::InvalidBody {
                field: None,
                message,
            } => write!(f, "invalid request body: {message}"),
            RequestError::Several(errors) => {
                for (index, error) in errors.iter().enumerate() {
                    if index > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{error}")?;
                }
                Ok(())
            }
            RequestError::BodyViolations(violations) => {
                write!(f, "invalid request body: {violations}")
            }
            RequestError::UnsupportedMediaType {
                content_type: Some(found),
                expected,
            } => write!(
                f,
                "content type `{found}` is not supported; send `{expected}`"
            ),
            RequestError::UnsupportedMediaType {
                content_type: None,
                expected,
            } => write!(f, "the request has no content type; send `{expected}`"),
            RequestError::PayloadTooLarge => f.write_str("the request body is too large"),
            RequestError::NotAcceptable { accept, offered } => write!(
                f,
                "`Accept: {accept}` takes none of the media types of the answer; accept `{offered}`"
            ),
            RequestError::UnknownRoute { method, path } => {
                write!(f, "no operation at {method} {path}")
            }
            RequestError::MethodNotAllowed { method, path } => {
                write!(f, "{path} does not take {method}")
            }
            RequestError::NotImplemented { operation } => {
                write!(f, "`{operation}` is not implemented by this server")
            }
            RequestError::Panicked => f.write_str("the server failed while handling the request"),
            RequestError::BodyNotStored { message } => {
                write!(f, "the server could not store the request body: {message}")
            }
            RequestError::InvalidResponseHeader { name } => write!(
                f,
                "the server failed to build its response (header `{name}` has a value HTTP cannot carry)"
            ),
        }
    }
}

impl std::error::Error for RequestError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_has_a_code_and_a_status() {
        let cases = [
            (
                RequestError::Unauthorized {
                    scheme: "Key",
                    message: "no key".to_owned(),
                },
                "unauthorized",
                401,
            ),
            (
                RequestError::missing_parameter("limit", "query"),
                "missing_parameter",
                400,
            ),
            (
                RequestError::invalid_parameter("limit", "query", "must be a number"),
                "invalid_parameter",
                400,
            ),
            (RequestError::MissingBody, "missing_body", 400),
            (RequestError::PayloadTooLarge, "payload_too_large", 413),
            (
                RequestError::NotAcceptable {
                    accept: "application/xml".to_owned(),
                    offered: "application/json",
                },
                "not_acceptable",
                406,
            ),
            (
                RequestError::UnknownRoute {
                    method: "GET".to_owned(),
                    path: "/x".to_owned(),
                },
                "not_found",
                404,
            ),
            (RequestError::Panicked, "internal_error", 500),
            (
                RequestError::BodyNotStored {
                    message: "disk full".to_owned(),
                },
                "internal_error",
                500,
            ),
            (
                RequestError::NotImplemented {
                    operation: "cancelTask",
                },
                "not_implemented",
                501,
            ),
        ];
        for (error, code, status) in cases {
            assert_eq!((error.code(), error.status()), (code, status), "{error}");
        }
    }

    #[test]
    fn several_failures_are_reported_together() {
        let missing = RequestError::missing_parameter("id", "path");
        let invalid = RequestError::invalid_parameter("limit", "query", "must be at least 1");
        assert_eq!(
            RequestError::all([None, Some(missing.clone()), None]),
            missing.clone()
        );
        let both = RequestError::all([Some(missing.clone()), None, Some(invalid.clone())]);
        assert_eq!(
            both.to_string(),
            "path parameter `id` is required; query parameter `limit`: must be at least 1"
        );
        assert_eq!((both.code(), both.status()), ("missing_parameter", 400));
        // Already several: flattened, not nested.
        let three = RequestError::all([Some(both), Some(invalid)]);
        assert!(matches!(&three, RequestError::Several(errors) if errors.len() == 3));
    }
}
