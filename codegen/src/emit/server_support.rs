//! The fixed part of every generated `server.rs`: the request error type and
//! the helpers that read parameters, credentials and bodies.

use proc_macro2::TokenStream;
use quote::quote;

/// Code every server file has: the request error type and the parsing helpers.
pub(super) fn support_items() -> TokenStream {
    quote! {
        /// A documented status code as an `axum` status.
        #[allow(dead_code)]
        fn status_code(code: u16) -> axum::http::StatusCode {
            axum::http::StatusCode::from_u16(code).unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR)
        }

        /// A JSON response (`application/json`).
        #[allow(dead_code)]
        fn json_response<T: serde::Serialize>(status: axum::http::StatusCode, body: T) -> Response {
            (status, axum::Json(body)).into_response()
        }

        /// A JSON response under another JSON media type (`application/problem+json`).
        #[allow(dead_code)]
        fn json_response_as<T: serde::Serialize>(status: axum::http::StatusCode, content_type: &'static str, body: T) -> Response {
            (status, [(axum::http::header::CONTENT_TYPE, content_type)], axum::Json(body)).into_response()
        }

        /// A response of raw bytes with their content type.
        #[allow(dead_code)]
        fn bytes_response(status: axum::http::StatusCode, content_type: &'static str, body: Bytes) -> Response {
            (status, [(axum::http::header::CONTENT_TYPE, content_type)], body).into_response()
        }

        /// The decoded query pairs, or why they could not be read.
        #[allow(dead_code)]
        fn query_pairs(query: Result<Query<Vec<(String, String)>>, QueryRejection>) -> Result<Vec<(String, String)>, RequestError> {
            query.map(|Query(pairs)| pairs).map_err(|rejection| RequestError::invalid_parameter("query", "query", rejection.body_text()))
        }

        /// The path parameters as pairs, or why they could not be read.
        #[allow(dead_code)]
        fn path_pairs(path: Result<Path<Vec<(String, String)>>, PathRejection>) -> Result<Vec<(String, String)>, RequestError> {
            path.map(|Path(pairs)| pairs).map_err(|rejection| RequestError::invalid_parameter("path", "path", rejection.body_text()))
        }

        /// Why the server refused a request before calling the implementation.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum RequestError {
            /// Credentials are missing or the hook rejected them (401).
            Unauthorized { scheme: &'static str, message: String },
            /// A required parameter is absent (400).
            MissingParameter { name: String, location: &'static str },
            /// A parameter does not parse or breaks a constraint (400).
            InvalidParameter { name: String, location: &'static str, message: String },
            /// A required body is absent (400).
            MissingBody,
            /// The body is not valid for its schema; `field` is the path inside it (400).
            InvalidBody { field: Option<String>, message: String },
            /// The body has a content type the operation does not take (415).
            UnsupportedMediaType { content_type: Option<String>, expected: &'static str },
            /// The body is larger than the router's limit (413).
            PayloadTooLarge,
            /// No operation has this path (404).
            UnknownRoute { method: String, path: String },
            /// The path exists, but not with this method (405).
            MethodNotAllowed { method: String, path: String },
        }

        impl RequestError {
            pub fn missing_parameter(name: &str, location: &'static str) -> Self {
                RequestError::MissingParameter { name: name.to_owned(), location }
            }

            pub fn invalid_parameter(name: &str, location: &'static str, message: impl Into<String>) -> Self {
                RequestError::InvalidParameter { name: name.to_owned(), location, message: message.into() }
            }

            /// The HTTP status this error is answered with.
            pub fn status(&self) -> axum::http::StatusCode {
                use axum::http::StatusCode;
                match self {
                    RequestError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
                    RequestError::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    RequestError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
                    RequestError::UnknownRoute { .. } => StatusCode::NOT_FOUND,
                    RequestError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
                    _ => StatusCode::BAD_REQUEST,
                }
            }
        }

        impl std::fmt::Display for RequestError {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self {
                    RequestError::Unauthorized { message, .. } => f.write_str(message),
                    RequestError::MissingParameter { name, location } => write!(f, "{location} parameter `{name}` is required"),
                    RequestError::InvalidParameter { name, location, message } => write!(f, "{location} parameter `{name}`: {message}"),
                    RequestError::MissingBody => f.write_str("a request body is required"),
                    RequestError::InvalidBody { field: Some(field), message } => write!(f, "invalid request body at `{field}`: {message}"),
                    RequestError::InvalidBody { field: None, message } => write!(f, "invalid request body: {message}"),
                    RequestError::UnsupportedMediaType { content_type: Some(found), expected } => write!(f, "content type `{found}` is not supported; send `{expected}`"),
                    RequestError::UnsupportedMediaType { content_type: None, expected } => write!(f, "the request has no content type; send `{expected}`"),
                    RequestError::PayloadTooLarge => f.write_str("the request body is too large"),
                    RequestError::UnknownRoute { method, path } => write!(f, "no operation at {method} {path}"),
                    RequestError::MethodNotAllowed { method, path } => write!(f, "{path} does not take {method}"),
                }
            }
        }

        impl std::error::Error for RequestError {}

        #[allow(dead_code)] // unused when no operation has path or header parameters
        fn parse_param<T>(name: &str, location: &'static str, value: &str) -> Result<T, RequestError>
        where
            T: std::str::FromStr,
            T::Err: std::fmt::Display,
        {
            value.parse::<T>().map_err(|err| RequestError::invalid_parameter(name, location, format!("`{value}` is not valid: {err}")))
        }

        #[allow(dead_code)]
        fn parse_json_param<T: serde::de::DeserializeOwned>(name: &str, location: &'static str, value: &str) -> Result<T, RequestError> {
            serde_json::from_str(value).map_err(|err| RequestError::invalid_parameter(name, location, format!("`{value}` is not valid: {err}")))
        }

        #[allow(dead_code)]
        fn path_value<'a>(path: &'a [(String, String)], name: &str) -> Result<&'a str, RequestError> {
            path.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str()).ok_or_else(|| RequestError::missing_parameter(name, "path"))
        }

        #[allow(dead_code)]
        fn header_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
            headers.get(name).and_then(|value| value.to_str().ok()).map(str::trim).filter(|value| !value.is_empty())
        }

        #[allow(dead_code)]
        fn query_value<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
            query.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str()).filter(|value| !value.is_empty())
        }

        #[allow(dead_code)]
        fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
            headers
                .get_all(axum::http::header::COOKIE)
                .iter()
                .filter_map(|value| value.to_str().ok())
                .flat_map(|value| value.split(';'))
                .filter_map(|pair| pair.trim().split_once('='))
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value)
        }

        #[allow(dead_code)]
        fn authorization_value<'a>(headers: &'a HeaderMap, scheme: &str) -> Option<&'a str> {
            let value = header_value(headers, axum::http::header::AUTHORIZATION.as_str())?;
            let (given, credentials) = value.split_once(' ')?;
            given.eq_ignore_ascii_case(scheme).then(|| credentials.trim()).filter(|c| !c.is_empty())
        }

        #[allow(dead_code)]
        fn read_body(body: Result<Bytes, BytesRejection>) -> Result<Bytes, RequestError> {
            body.map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    RequestError::PayloadTooLarge
                } else {
                    RequestError::InvalidBody { field: None, message: rejection.body_text() }
                }
            })
        }

        #[allow(dead_code)]
        fn check_json_content_type(headers: &HeaderMap) -> Result<(), RequestError> {
            let content_type = header_value(headers, axum::http::header::CONTENT_TYPE.as_str());
            let media = content_type.map(|value| value.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
            match media.as_deref() {
                Some("application/json") => Ok(()),
                Some(media) if media.ends_with("+json") => Ok(()),
                _ => Err(RequestError::UnsupportedMediaType { content_type: content_type.map(str::to_owned), expected: "application/json" }),
            }
        }

        #[allow(dead_code)]
        fn parse_json_body<T: serde::de::DeserializeOwned>(headers: &HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<T, RequestError> {
            let bytes = read_body(body)?;
            if bytes.is_empty() {
                return Err(RequestError::MissingBody);
            }
            check_json_content_type(headers)?;
            let deserializer = &mut serde_json::Deserializer::from_slice(&bytes);
            serde_path_to_error::deserialize(deserializer).map_err(|err| {
                let path = err.path().to_string();
                let message = err.inner().to_string();
                let message = match message.find(" at line ") {
                    Some(at) => message[..at].to_owned(),
                    None => message,
                };
                RequestError::InvalidBody { field: (path != ".").then_some(path), message }
            })
        }

        #[allow(dead_code)]
        fn parse_optional_json_body<T: serde::de::DeserializeOwned>(headers: &HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<Option<T>, RequestError> {
            match read_body(body) {
                Ok(bytes) if bytes.is_empty() => Ok(None),
                Ok(bytes) => parse_json_body(headers, Ok(bytes)).map(Some),
                Err(error) => Err(error),
            }
        }
    }
}
