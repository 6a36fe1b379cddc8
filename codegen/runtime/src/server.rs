//! What a generated axum server needs besides its spec-specific code: reading
//! the raw parts of a request (pairs, credentials, bodies) into the forms the
//! generated parameter structs and handlers take, and building responses.

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::media;
use super::request_error::RequestError;
use super::stream::ByteStream;
use super::validate::{self, At, Violations};

/// How the router is set up. The generated `server` module implements
/// `Default` for it: the spec's base path and [`RouterOptions::DEFAULT_BODY_LIMIT`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouterOptions {
    /// Where the routes are mounted; `""` for the root.
    pub base_path: String,
    /// The largest request body read into memory (JSON, text, forms), in
    /// bytes (larger: 413).
    pub body_limit: usize,
    /// The largest request body at all, streamed ones included (binary
    /// bodies, multipart): a larger declared `Content-Length` is refused
    /// (413) before the handler runs; a chunked body that passes it ends the
    /// handler's stream with an error.
    pub stream_limit: u64,
}

impl RouterOptions {
    /// 2 MiB.
    pub const DEFAULT_BODY_LIMIT: usize = 2 * 1024 * 1024;
    /// 4 GiB.
    pub const DEFAULT_STREAM_LIMIT: u64 = 4 * 1024 * 1024 * 1024;

    /// Routes under `base_path`, bodies up to the default limits.
    pub fn at(base_path: &str) -> Self {
        RouterOptions {
            base_path: base_path.to_owned(),
            body_limit: Self::DEFAULT_BODY_LIMIT,
            stream_limit: Self::DEFAULT_STREAM_LIMIT,
        }
    }
}

/// The limits of the router, in each request's extensions: what a handler
/// reading a body part by part (multipart) holds to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyLimits {
    /// The largest body, or part of one, read into memory.
    pub body: usize,
}

impl Default for BodyLimits {
    fn default() -> Self {
        BodyLimits {
            body: RouterOptions::DEFAULT_BODY_LIMIT,
        }
    }
}

/// Mounts `routes` as `options` say. A request no route takes (404) or whose
/// method its path does not take (405) is answered by `refuse`, the spec's
/// error format; so is a handler that panics (500), instead of a dropped
/// connection.
pub fn mount<F>(routes: Router, options: &RouterOptions, refuse: F) -> Router
where
    F: Fn(RequestError) -> Response + Clone + Send + Sync + 'static,
{
    let refuse_route = refuse.clone();
    let refuse_panic = refuse.clone();
    let refuse_header = refuse.clone();
    let refuse_large = refuse.clone();
    let stream_limit = options.stream_limit;
    let limits = BodyLimits {
        body: options.body_limit,
    };
    // Streamed bodies are not read by axum's extractors, whose limit is
    // `body_limit`: this one holds for every body.
    let limit_body =
        move |mut request: axum::extract::Request| {
            let refuse = refuse_large.clone();
            async move {
                let declared = request
                    .headers()
                    .get(header::CONTENT_LENGTH)
                    .and_then(|value| value.to_str().ok()?.parse::<u64>().ok());
                if declared.is_some_and(|length| length > stream_limit) {
                    return Err(refuse(RequestError::PayloadTooLarge));
                }
                let limit = usize::try_from(stream_limit).unwrap_or(usize::MAX);
                request.extensions_mut().insert(limits);
                Ok(request
                    .map(|body| axum::body::Body::new(http_body_util::Limited::new(body, limit))))
            }
        };
    let unknown_route = move |method: axum::http::Method, uri: axum::http::Uri| {
        let refuse = refuse_route.clone();
        async move {
            refuse(RequestError::UnknownRoute {
                method: method.to_string(),
                path: uri.path().to_owned(),
            })
        }
    };
    let method_not_allowed = move |method: axum::http::Method, uri: axum::http::Uri| {
        let refuse = refuse.clone();
        async move {
            refuse(RequestError::MethodNotAllowed {
                method: method.to_string(),
                path: uri.path().to_owned(),
            })
        }
    };
    let panicked =
        move |_: Box<dyn std::any::Any + Send + 'static>| refuse_panic(RequestError::Panicked);
    let broken_header = move |response: Response| {
        let refuse = refuse_header.clone();
        async move {
            match response.extensions().get::<InvalidResponseHeader>() {
                Some(InvalidResponseHeader(name)) => {
                    refuse(RequestError::InvalidResponseHeader { name: name.clone() })
                }
                None => response,
            }
        }
    };
    let routes = routes
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(unknown_route.clone())
        .layer(axum::middleware::map_response(broken_header))
        .layer(axum::extract::DefaultBodyLimit::max(options.body_limit))
        .layer(axum::middleware::map_request(limit_body))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panicked));
    let base = options.base_path.trim_end_matches('/');
    if base.is_empty() {
        routes
    } else {
        Router::new().nest(base, routes).fallback(unknown_route)
    }
}

/// Marks a response whose header the implementation set to a value HTTP
/// cannot carry; [`mount`] answers it as [`RequestError::InvalidResponseHeader`].
#[derive(Debug, Clone)]
struct InvalidResponseHeader(String);

/// `response` with the documented headers of its reply. A value that cannot
/// be a header value is never sent cut or dropped: the response becomes a
/// 500 in the spec's error format, naming the header.
pub fn with_headers(mut response: Response, pairs: Vec<(&'static str, String)>) -> Response {
    for (name, value) in pairs {
        let parsed = (
            header::HeaderName::from_bytes(name.as_bytes()),
            header::HeaderValue::from_str(&value),
        );
        match parsed {
            (Ok(name), Ok(value)) => {
                response.headers_mut().append(name, value);
            }
            _ => {
                let mut broken = StatusCode::INTERNAL_SERVER_ERROR.into_response();
                broken
                    .extensions_mut()
                    .insert(InvalidResponseHeader(name.to_owned()));
                return broken;
            }
        }
    }
    response
}

/// A status code as an `axum` status; an invalid one (outside 100..=999) is a 500.
pub fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// A bodiless response.
pub fn empty_response(status: StatusCode) -> Response {
    status.into_response()
}

/// A JSON response (`application/json`).
pub fn json_response<T: Serialize>(status: StatusCode, body: T) -> Response {
    (status, axum::Json(body)).into_response()
}

/// A JSON response under another JSON media type (`application/problem+json`).
pub fn json_response_as<T: Serialize>(
    status: StatusCode,
    content_type: &'static str,
    body: T,
) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, content_type)],
        axum::Json(body),
    )
        .into_response()
}

/// A response of raw bytes with their content type.
pub fn bytes_response(status: StatusCode, content_type: &'static str, body: Bytes) -> Response {
    (status, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// A response whose body is streamed (sent with its length when it is whole).
pub fn stream_response(
    status: StatusCode,
    content_type: &'static str,
    body: ByteStream,
) -> Response {
    let body = match body.as_whole() {
        Some(bytes) => axum::body::Body::from(bytes.clone()),
        None => axum::body::Body::from_stream(body),
    };
    (status, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// The decoded query pairs, or why they could not be read.
pub fn query_pairs(
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Vec<(String, String)>, RequestError> {
    query.map(|Query(pairs)| pairs).map_err(|rejection| {
        RequestError::invalid_parameter("query", "query", rejection.body_text())
    })
}

/// The path parameters as pairs, or why they could not be read.
pub fn path_pairs(
    path: Result<Path<Vec<(String, String)>>, PathRejection>,
) -> Result<Vec<(String, String)>, RequestError> {
    let Path(pairs) = path.map_err(|rejection| {
        RequestError::invalid_parameter("path", "path", rejection.body_text())
    })?;
    // A client that sent `%2E%2E` meant no path of ours: `..` is not an id.
    if let Some((name, value)) = pairs
        .iter()
        .find(|(_, value)| matches!(value.as_str(), "" | "." | ".."))
    {
        return Err(RequestError::invalid_parameter(
            name,
            "path",
            format!("cannot be `{value}`"),
        ));
    }
    Ok(pairs)
}

/// The headers as pairs (values trimmed; values that are not text are left out).
pub fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter_map(|(name, value)| {
            let value = value.to_str().ok()?.trim();
            Some((name.as_str().to_owned(), value.to_owned()))
        })
        .collect()
}

/// The request's cookies as pairs, values percent-decoded (as the generated
/// client encodes them); a cookie that is not `name=value` is left out.
pub fn cookie_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    raw_cookies(headers)
        .map(|(name, value)| {
            let value = percent_encoding::percent_decode_str(value).decode_utf8_lossy();
            (name.to_owned(), value.into_owned())
        })
        .collect()
}

/// Every `name=value` of the `Cookie` headers, as sent.
fn raw_cookies(headers: &HeaderMap) -> impl Iterator<Item = (&str, &str)> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .map(|(name, value)| (name.trim(), value.trim()))
}

/// Where a request's credentials may be: its headers (and cookies) and its query.
#[derive(Debug, Clone, Copy)]
pub struct Credentials<'a> {
    headers: &'a HeaderMap,
    query: &'a [(String, String)],
}

impl<'a> Credentials<'a> {
    pub fn new(headers: &'a HeaderMap, query: &'a [(String, String)]) -> Self {
        Credentials { headers, query }
    }

    /// An API key in a header.
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::trim)
            .filter(|value| !value.is_empty())
    }

    /// An API key in the query string.
    pub fn query(&self, name: &str) -> Option<&'a str> {
        self.query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .filter(|value| !value.is_empty())
    }

    /// An API key in a cookie.
    pub fn cookie(&self, name: &str) -> Option<&'a str> {
        raw_cookies(self.headers)
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value)
    }

    /// The credentials after `scheme` in `Authorization` (`Bearer`, `Basic`, …).
    pub fn authorization(&self, scheme: &str) -> Option<&'a str> {
        let value = self.header(header::AUTHORIZATION.as_str())?;
        let (given, credentials) = value.split_once(' ')?;
        given
            .eq_ignore_ascii_case(scheme)
            .then(|| credentials.trim())
            .filter(|credentials| !credentials.is_empty())
    }
}

/// The request body, or why it could not be read.
pub fn read_body(body: Result<Bytes, BytesRejection>) -> Result<Bytes, RequestError> {
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            RequestError::PayloadTooLarge
        } else {
            RequestError::InvalidBody {
                field: None,
                message: rejection.body_text(),
            }
        }
    })
}

/// The request's `Content-Type`, as sent.
fn content_type(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
}

/// That the request's content type is one of `accepted`, the operation's
/// media types or ranges (`image/*`, `*/*`) separated by commas; a refusal
/// (415) lists them.
pub fn check_content_type(headers: &HeaderMap, accepted: &'static str) -> Result<(), RequestError> {
    if accepted.split(',').any(|range| media::bare(range) == "*/*") {
        return Ok(());
    }
    let content_type = content_type(headers);
    match content_type {
        Some(media)
            if accepted
                .split(',')
                .any(|range| media::in_range(media, range)) =>
        {
            Ok(())
        }
        _ => Err(RequestError::UnsupportedMediaType {
            content_type: content_type.map(str::to_owned),
            expected: accepted,
        }),
    }
}

/// For a body of several media types: which of `media` the request's
/// content type is (the first that takes it), `None` when no body was sent,
/// a refusal (415) listing `accepted` when none takes it.
pub fn choose_media(
    headers: &HeaderMap,
    bytes: &Bytes,
    media: &[&str],
    accepted: &'static str,
) -> Result<Option<usize>, RequestError> {
    if !has_body(headers, bytes) {
        return Ok(None);
    }
    let content_type = content_type(headers);
    content_type
        .and_then(|given| media.iter().position(|range| media::in_range(given, range)))
        .map(Some)
        .ok_or_else(|| RequestError::UnsupportedMediaType {
            content_type: content_type.map(str::to_owned),
            expected: accepted,
        })
}

/// Whether a request carries a body: some bytes, or a content type (an
/// empty file or an empty text is a body; nothing at all is none).
fn has_body(headers: &HeaderMap, bytes: &Bytes) -> bool {
    !bytes.is_empty() || headers.contains_key(header::CONTENT_TYPE)
}

/// A required body of one of the `accepted` media types: present (empty
/// counts when it has a content type) and labelled so.
pub fn body_of(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    accepted: &'static str,
) -> Result<Bytes, RequestError> {
    let bytes = read_body(body)?;
    if !has_body(headers, &bytes) {
        return Err(RequestError::MissingBody);
    }
    check_content_type(headers, accepted)?;
    Ok(bytes)
}

/// A body that may be left out (no bytes and no content type is `None`);
/// one that is sent must be of one of the `accepted` media types.
pub fn optional_body_of(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    accepted: &'static str,
) -> Result<Option<Bytes>, RequestError> {
    let bytes = read_body(body)?;
    if !has_body(headers, &bytes) {
        return Ok(None);
    }
    check_content_type(headers, accepted)?;
    Ok(Some(bytes))
}

/// A body whose fields are checked one by one (a form): empty is no fields,
/// whose absence the fields' own rules judge; one that is sent must be of
/// one of the `accepted` media types.
pub fn fields_body_of(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    accepted: &'static str,
) -> Result<Bytes, RequestError> {
    let bytes = read_body(body)?;
    if !bytes.is_empty() {
        check_content_type(headers, accepted)?;
    }
    Ok(bytes)
}

/// Whether a request whose body is not read yet carries one: bytes to come,
/// or a content type (as for [`has_body`]).
pub(crate) fn has_stream(headers: &HeaderMap, body: &axum::body::Body) -> bool {
    use axum::body::HttpBody as _;
    !body.is_end_stream() || headers.contains_key(header::CONTENT_TYPE)
}

/// A required body of one of the `accepted` media types, streamed to the
/// handler as it arrives.
pub fn stream_body_of(
    headers: &HeaderMap,
    body: axum::body::Body,
    accepted: &'static str,
) -> Result<ByteStream, RequestError> {
    if !has_stream(headers, &body) {
        return Err(RequestError::MissingBody);
    }
    check_content_type(headers, accepted)?;
    Ok(ByteStream::new(body.into_data_stream()))
}

/// A streamed body that may be left out.
pub fn optional_stream_body_of(
    headers: &HeaderMap,
    body: axum::body::Body,
    accepted: &'static str,
) -> Result<Option<ByteStream>, RequestError> {
    if !has_stream(headers, &body) {
        return Ok(None);
    }
    check_content_type(headers, accepted)?;
    Ok(Some(ByteStream::new(body.into_data_stream())))
}

/// Which of the operation's answer media types (`offered`, in the spec's
/// order) the request's `Accept` prefers; a refusal (406) lists them when
/// it takes none.
pub fn negotiate(
    headers: &HeaderMap,
    offered: &[&str],
    listed: &'static str,
) -> Result<usize, RequestError> {
    let accept: Vec<&str> = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect();
    let accept = accept.join(", ");
    let given = (!accept.is_empty()).then_some(accept.as_str());
    media::negotiate(given, offered).ok_or_else(|| RequestError::NotAcceptable {
        accept: accept.clone(),
        offered: listed,
    })
}

/// The `Last-Event-ID` a client reconnecting to a stream of events sends.
pub fn last_event_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get("last-event-id")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

/// A text body as a `String`: sent as UTF-8 (or ASCII, or no charset
/// named), else refused (415); text that is not UTF-8 is refused (400).
pub fn text(headers: &HeaderMap, bytes: Bytes) -> Result<String, RequestError> {
    let content_type = content_type(headers);
    let charset = content_type
        .into_iter()
        .flat_map(|value| value.split(';').skip(1))
        .find_map(|parameter| {
            let (name, value) = parameter.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("charset")
                .then(|| value.trim().trim_matches('"').to_ascii_lowercase())
        });
    if let Some(charset) = charset
        && !matches!(charset.as_str(), "utf-8" | "utf8" | "us-ascii")
    {
        return Err(RequestError::UnsupportedMediaType {
            content_type: content_type.map(str::to_owned),
            expected: "UTF-8 text (`charset=utf-8`)",
        });
    }
    String::from_utf8(bytes.into()).map_err(|err| RequestError::InvalidBody {
        field: None,
        message: format!(
            "the body is not UTF-8 text (invalid from byte {})",
            err.utf8_error().valid_up_to()
        ),
    })
}

fn check_json_content_type(headers: &HeaderMap) -> Result<(), RequestError> {
    match content_type(headers) {
        Some(given) if media::is_json(given) => Ok(()),
        given => Err(RequestError::UnsupportedMediaType {
            content_type: given.map(str::to_owned),
            expected: "application/json",
        }),
    }
}

/// A required JSON body: present, sent as JSON and valid for `T`; a refusal
/// names the field that broke the schema.
pub fn json_body<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<T, RequestError> {
    let bytes = read_body(body)?;
    if bytes.is_empty() {
        return Err(RequestError::MissingBody);
    }
    check_json_content_type(headers)?;
    // The plain parse is the fast path; only a body that fails is parsed
    // again, tracking the path, to name the field that broke the schema.
    if let Ok(value) = serde_json::from_slice(&bytes) {
        return Ok(value);
    }
    let deserializer = &mut serde_json::Deserializer::from_slice(&bytes);
    serde_path_to_error::deserialize(deserializer).map_err(|err| {
        let pointer = json_pointer(err.path());
        let message = err.inner().to_string();
        let message = match message.find(" at line ") {
            Some(at) => message[..at].to_owned(),
            None => message,
        };
        RequestError::InvalidBody {
            field: (!pointer.is_empty()).then_some(pointer),
            message,
        }
    })
}

/// Where deserializing stopped, as a JSON pointer (`/tags/1`), the form the
/// refusals of broken rules use too.
fn json_pointer(path: &serde_path_to_error::Path) -> String {
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            serde_path_to_error::Segment::Seq { index } => {
                pointer.push('/');
                pointer.push_str(&index.to_string());
            }
            serde_path_to_error::Segment::Map { key } => {
                pointer.push('/');
                pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
            }
            // Generated unions are untagged: no enum segment names a value.
            serde_path_to_error::Segment::Enum { .. } | serde_path_to_error::Segment::Unknown => {}
        }
    }
    pointer
}

/// A JSON body that may be left out: empty is `None`.
pub fn optional_json_body<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Option<T>, RequestError> {
    match read_body(body)? {
        bytes if bytes.is_empty() => Ok(None),
        bytes => json_body(headers, Ok(bytes)).map(Some),
    }
}

/// The rules of the body's schema: every one it breaks is in the refusal.
pub fn check_body<T: ?Sized>(
    body: &T,
    check: impl FnOnce(&T, &At<'_>, &mut Violations),
) -> Result<(), RequestError> {
    validate::check_with(body, check).map_err(RequestError::BodyViolations)
}
