//! What a generated `reqwest` client needs besides its spec-specific code:
//! the error type, retries, and one request/response exchange. The generated
//! `Client` builds an [`OutgoingRequest`] per operation and decodes the
//! [`IncomingResponse`] by the statuses the spec documents.

use std::borrow::Cow;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::HeaderMap;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::media;
use super::params::{PathStyle, styled};
use super::request_error::RequestError;
use super::stream::ByteStream;
use super::validate::{self, At, Violations};

/// Retries of idempotent requests (GET, HEAD, PUT, DELETE, OPTIONS) after a
/// connection error, a timeout, a 5XX or a 429, with exponential backoff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// The wait before the first retry; it doubles each time.
    pub initial_backoff: Duration,
    /// The longest wait between two attempts.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
        }
    }
}

/// Settings of one call that differ from the client's: see `Client::with_options`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestOptions {
    /// The longest the call may take, retries included per attempt.
    pub timeout: Option<Duration>,
    /// Retries of this call (`Some(RetryPolicy { max_retries: 0, .. })` turns them off).
    pub retry: Option<RetryPolicy>,
    /// Headers sent besides the operation's own.
    pub headers: Vec<(String, String)>,
    /// Another server than the client's (e.g. one of the spec's `SERVER_…`).
    pub base_url: Option<String>,
}

impl RequestOptions {
    pub fn new() -> Self {
        RequestOptions::default()
    }

    /// Each attempt of the call may take at most `timeout`.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Retries as `policy` says, whatever the client's policy.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Sends one more header (`name: value`); an invalid one fails the call
    /// with [`ClientError::InvalidRequest`] before anything is sent.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Calls the API at `base_url` instead of the client's.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into().trim_end_matches('/').to_owned());
        self
    }
}

/// A successful response: its decoded body, its status, its headers (raw,
/// and typed as the spec documents them: `H`, `()` when it documents none).
#[derive(Debug, Clone)]
pub struct ResponseValue<T, H = ()> {
    status: u16,
    headers: HeaderMap,
    documented: H,
    body: T,
}

impl<T, H> ResponseValue<T, H> {
    /// The body, decoded.
    pub fn into_inner(self) -> T {
        self.body
    }

    /// The body, the documented headers, the status and every header.
    pub fn into_parts(self) -> (T, H, u16, HeaderMap) {
        (self.body, self.documented, self.status, self.headers)
    }

    pub fn status(&self) -> u16 {
        self.status
    }

    /// Every header of the response, documented or not.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The headers the spec documents for the response, typed.
    pub fn documented_headers(&self) -> &H {
        &self.documented
    }

    /// The same response with its body mapped (into a variant of the
    /// operation's enum of media types).
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> ResponseValue<U, H> {
        ResponseValue {
            status: self.status,
            headers: self.headers,
            documented: self.documented,
            body: f(self.body),
        }
    }
}

impl<T, H> std::ops::Deref for ResponseValue<T, H> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.body
    }
}

/// Why a call failed. `E` is the body type of the operation's documented errors.
#[derive(Debug)]
pub enum ClientError<E> {
    /// A status the spec documents for this operation, with its parsed body.
    Documented {
        status: u16,
        body: E,
        headers: HeaderMap,
    },
    /// Any other status that is not a success, with the raw body.
    Api {
        status: u16,
        body: String,
        headers: HeaderMap,
    },
    /// The request could not be sent or the response not read.
    Transport(reqwest::Error),
    /// The response body does not match the documented type.
    Decode {
        status: u16,
        message: String,
        body: String,
    },
    /// The request could not be built (e.g. a bad base URL).
    InvalidRequest(String),
    /// The request body breaks rules of its schema; nothing was sent.
    InvalidBody(Violations),
    /// Parameters break rules of their schemas, each named as the server
    /// would (`query parameter `limit`: must be at least 5`); nothing was sent.
    InvalidParameters(RequestError),
}

impl<E> ClientError<E> {
    /// The response's headers, when a response came back.
    pub fn headers(&self) -> Option<&HeaderMap> {
        match self {
            ClientError::Documented { headers, .. } | ClientError::Api { headers, .. } => {
                Some(headers)
            }
            _ => None,
        }
    }

    /// The response's headers read as a documented headers struct (`read` is
    /// its `from_pairs`), when a response came back: typed, and checked as
    /// the spec says.
    pub fn headers_as<H>(
        &self,
        read: impl FnOnce(&[(String, String)]) -> Result<H, RequestError>,
    ) -> Option<Result<H, RequestError>> {
        self.headers().map(|headers| read(&header_pairs(headers)))
    }

    /// The HTTP status, when a response came back.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Documented { status, .. }
            | ClientError::Api { status, .. }
            | ClientError::Decode { status, .. } => Some(*status),
            ClientError::Transport(err) => err.status().map(|s| s.as_u16()),
            ClientError::InvalidRequest(_)
            | ClientError::InvalidBody(_)
            | ClientError::InvalidParameters(_) => None,
        }
    }
}

impl<E: std::fmt::Debug> std::fmt::Display for ClientError<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientError::Documented { status, body, .. } => {
                write!(f, "the server answered {status}: {body:?}")
            }
            ClientError::Api { status, body, .. } => {
                write!(f, "the server answered {status} (undocumented): {body}")
            }
            ClientError::Transport(err) => write!(f, "request failed: {err}"),
            ClientError::Decode {
                status, message, ..
            } => write!(f, "cannot read the {status} response: {message}"),
            ClientError::InvalidRequest(message) => write!(f, "invalid request: {message}"),
            ClientError::InvalidBody(violations) => {
                write!(f, "invalid request body, not sent: {violations}")
            }
            ClientError::InvalidParameters(error) => {
                write!(f, "invalid parameters, not sent: {error}")
            }
        }
    }
}

impl<E: std::fmt::Debug> std::error::Error for ClientError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ClientError::Transport(err) => Some(err),
            _ => None,
        }
    }
}

/// One request of an operation, before credentials of the client are known to the server.
#[derive(Debug)]
pub struct OutgoingRequest {
    method: reqwest::Method,
    path: String,
    query: Vec<(&'static str, String)>,
    headers: Vec<(&'static str, String)>,
    /// `name=value`, values as sent.
    cookies: Vec<String>,
    body: Option<(Cow<'static, str>, ByteStream)>,
    /// The statuses whose response body is streamed, not read whole.
    stream_when: Option<fn(u16) -> bool>,
}

impl OutgoingRequest {
    /// A request to `path` (already percent-encoded, after the base URL).
    pub fn new(method: reqwest::Method, path: String) -> Self {
        OutgoingRequest {
            method,
            path,
            query: Vec::new(),
            headers: Vec::new(),
            cookies: Vec::new(),
            body: None,
            stream_when: None,
        }
    }

    /// Adds query pairs (from a generated query struct's `to_pairs`).
    pub fn query(mut self, pairs: Vec<(&'static str, String)>) -> Self {
        self.query.extend(pairs);
        self
    }

    /// Adds a header.
    pub fn header(mut self, name: &'static str, value: String) -> Self {
        self.headers.push((name, value));
        self
    }

    /// Adds a header when there is a value.
    pub fn optional_header(self, name: &'static str, value: Option<String>) -> Self {
        match value {
            Some(value) => self.header(name, value),
            None => self,
        }
    }

    /// Adds a cookie (its value is percent-encoded; all cookies go in one
    /// `Cookie` header, as RFC 6265 asks).
    pub fn cookie(mut self, name: &'static str, value: String) -> Self {
        self.cookies
            .push(format!("{name}={}", encode_path_segment(&value)));
        self
    }

    /// Adds a cookie per pair (an object spread into cookies).
    pub fn cookies(self, pairs: Vec<(&'static str, String)>) -> Self {
        pairs
            .into_iter()
            .fold(self, |request, (name, value)| request.cookie(name, value))
    }

    /// Adds a cookie when there is a value.
    pub fn optional_cookie(self, name: &'static str, value: Option<String>) -> Self {
        match value {
            Some(value) => self.cookie(name, value),
            None => self,
        }
    }

    /// The media types the client decodes.
    pub fn accept(self, media_types: &'static str) -> Self {
        self.header("accept", media_types.to_owned())
    }

    /// An API key in a header, when the client has one.
    pub fn header_credential(self, name: &'static str, key: Option<&str>) -> Self {
        self.optional_header(name, key.map(str::to_owned))
    }

    /// An API key in the query string, when the client has one.
    pub fn query_credential(mut self, name: &'static str, key: Option<&str>) -> Self {
        if let Some(key) = key {
            self.query.push((name, key.to_owned()));
        }
        self
    }

    /// An API key in a cookie, when the client has one.
    pub fn cookie_credential(mut self, name: &'static str, key: Option<&str>) -> Self {
        if let Some(key) = key {
            // An API key is sent as it is: the server compares it raw.
            self.cookies.push(format!("{name}={key}"));
        }
        self
    }

    /// `Authorization: <scheme> <credentials>`, when the client has credentials.
    pub fn authorization(self, scheme: &'static str, credentials: Option<&str>) -> Self {
        self.optional_header(
            "authorization",
            credentials.map(|credentials| format!("{scheme} {credentials}")),
        )
    }

    /// A JSON body.
    pub fn json_body<T: Serialize + ?Sized, E>(
        mut self,
        content_type: &'static str,
        body: &T,
    ) -> Result<Self, ClientError<E>> {
        let bytes = serde_json::to_vec(body)
            .map_err(|err| ClientError::InvalidRequest(format!("cannot encode the body: {err}")))?;
        self.body = Some((content_type.into(), Bytes::from(bytes).into()));
        Ok(self)
    }

    /// A JSON body, when there is one.
    pub fn optional_json_body<T: Serialize + ?Sized, E>(
        self,
        content_type: &'static str,
        body: Option<&T>,
    ) -> Result<Self, ClientError<E>> {
        match body {
            Some(body) => self.json_body(content_type, body),
            None => Ok(self),
        }
    }

    /// A body of raw bytes.
    pub fn bytes_body(mut self, content_type: &'static str, body: &[u8]) -> Self {
        self.body = Some((content_type.into(), Bytes::copy_from_slice(body).into()));
        self
    }

    /// A body of raw bytes for a media range of the spec (`image/*`):
    /// `content_type` must be one media type inside it, else nothing is sent.
    pub fn bytes_body_in<E>(
        self,
        range: &'static str,
        content_type: &str,
        body: &[u8],
    ) -> Result<Self, ClientError<E>> {
        self.stream_body_in(range, content_type, Bytes::copy_from_slice(body).into())
    }

    /// A body of raw bytes for a media range, when there is one.
    pub fn optional_bytes_body_in<E>(
        self,
        range: &'static str,
        content_type: &str,
        body: Option<&[u8]>,
    ) -> Result<Self, ClientError<E>> {
        match body {
            Some(body) => self.bytes_body_in(range, content_type, body),
            None => Ok(self),
        }
    }

    /// A streamed body; a stream that is not whole in memory is sent once
    /// (the call is not retried).
    pub fn stream_body(mut self, content_type: &'static str, body: ByteStream) -> Self {
        self.body = Some((content_type.into(), body));
        self
    }

    /// A streamed body, when there is one.
    pub fn optional_stream_body(
        self,
        content_type: &'static str,
        body: Option<ByteStream>,
    ) -> Self {
        match body {
            Some(body) => self.stream_body(content_type, body),
            None => self,
        }
    }

    /// A streamed body for a media range of the spec (`image/*`):
    /// `content_type` must be one media type inside it, else nothing is sent.
    pub fn stream_body_in<E>(
        mut self,
        range: &'static str,
        content_type: &str,
        body: ByteStream,
    ) -> Result<Self, ClientError<E>> {
        if !media::is_concrete(content_type) || !media::in_range(content_type, range) {
            return Err(ClientError::InvalidRequest(format!(
                "the body's content type must be one media type in `{range}`, not `{content_type}`"
            )));
        }
        self.body = Some((content_type.to_owned().into(), body));
        Ok(self)
    }

    /// A streamed body for a media range, when there is one.
    pub fn optional_stream_body_in<E>(
        self,
        range: &'static str,
        content_type: &str,
        body: Option<ByteStream>,
    ) -> Result<Self, ClientError<E>> {
        match body {
            Some(body) => self.stream_body_in(range, content_type, body),
            None => Ok(self),
        }
    }

    /// A body with its own content type (a multipart body and its boundary).
    pub fn body_as(mut self, content_type: String, body: ByteStream) -> Self {
        self.body = Some((content_type.into(), body));
        self
    }

    /// The body of a response whose status `when` takes is streamed to the
    /// caller ([`IncomingResponse::stream_value`]) rather than read whole.
    pub fn stream_response(mut self, when: fn(u16) -> bool) -> Self {
        self.stream_when = Some(when);
        self
    }

    /// A body of raw bytes, when there is one.
    pub fn optional_bytes_body(self, content_type: &'static str, body: Option<&[u8]>) -> Self {
        match body {
            Some(body) => self.bytes_body(content_type, body),
            None => self,
        }
    }
}

/// A response: its status, headers and whole body, or its body stream
/// when the request asked for it ([`OutgoingRequest::stream_response`]).
#[derive(Debug)]
pub struct IncomingResponse {
    pub status: u16,
    pub headers: HeaderMap,
    /// Empty when the body is streamed.
    pub body: Bytes,
    pub stream: Option<ByteStream>,
}

impl IncomingResponse {
    /// A success whose body `decode` reads; no documented headers.
    pub fn value<T, E>(
        self,
        decode: impl FnOnce(&Self) -> Result<T, ClientError<E>>,
    ) -> Result<ResponseValue<T>, ClientError<E>> {
        let body = decode(&self)?;
        Ok(ResponseValue {
            status: self.status,
            headers: self.headers,
            documented: (),
            body,
        })
    }

    /// A success whose body `decode` reads and whose documented headers
    /// `read` parses from the `(name, value)` pairs; a documented header the
    /// response lacks or that breaks its schema is a [`ClientError::Decode`].
    pub fn value_with_headers<T, H, E>(
        self,
        decode: impl FnOnce(&Self) -> Result<T, ClientError<E>>,
        read: impl FnOnce(&[(String, String)]) -> Result<H, RequestError>,
    ) -> Result<ResponseValue<T, H>, ClientError<E>> {
        let body = decode(&self)?;
        let documented = read(&header_pairs(&self.headers)).map_err(|err| ClientError::Decode {
            status: self.status,
            message: format!("response headers: {err}"),
            body: String::from_utf8_lossy(&self.body).into_owned(),
        })?;
        Ok(ResponseValue {
            status: self.status,
            headers: self.headers,
            documented,
            body,
        })
    }

    /// A success whose body is streamed to the caller; no documented headers.
    pub fn stream_value<E>(self) -> Result<ResponseValue<ByteStream>, ClientError<E>> {
        self.stream_value_with_headers(|_| Ok(()))
    }

    /// A success whose body is streamed to the caller, with the documented
    /// headers `read` parses (as [`IncomingResponse::value_with_headers`]).
    pub fn stream_value_with_headers<H, E>(
        self,
        read: impl FnOnce(&[(String, String)]) -> Result<H, RequestError>,
    ) -> Result<ResponseValue<ByteStream, H>, ClientError<E>> {
        let documented = read(&header_pairs(&self.headers)).map_err(|err| ClientError::Decode {
            status: self.status,
            message: format!("response headers: {err}"),
            body: String::new(),
        })?;
        Ok(ResponseValue {
            status: self.status,
            headers: self.headers,
            documented,
            body: self.stream.unwrap_or_else(|| self.body.into()),
        })
    }

    /// Which of `media` (the spec's media types of the response, in its
    /// order) the response's `Content-Type` is; another is a decode error.
    pub fn media_index<E>(&self, media: &[&str]) -> Result<usize, ClientError<E>> {
        let given = self.content_type().unwrap_or_default();
        media
            .iter()
            .position(|range| media::in_range(given, range))
            .ok_or_else(|| ClientError::Decode {
                status: self.status,
                message: format!(
                    "the response's content type `{given}` is none of `{}`",
                    media.join(", ")
                ),
                body: String::from_utf8_lossy(&self.body).into_owned(),
            })
    }

    /// The response with a streamed body read whole, to decode it in memory.
    pub async fn into_whole<E>(mut self) -> Result<Self, ClientError<E>> {
        if let Some(stream) = self.stream.take() {
            self.body = stream
                .collect(usize::MAX)
                .await
                .map_err(|err| ClientError::Decode {
                    status: self.status,
                    message: format!("the body broke off: {err}"),
                    body: String::new(),
                })?;
        }
        Ok(self)
    }

    /// The `Content-Type` header, when there is one.
    pub fn content_type(&self) -> Option<&str> {
        self.headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
    }

    /// A documented error body in JSON. A body of another media type (an
    /// HTML page from a proxy in front of the server) is not the documented
    /// error: it comes back as [`ClientError::Api`], raw.
    pub fn json_error<E: DeserializeOwned>(&self) -> Result<E, ClientError<E>> {
        match self.content_type() {
            Some(media) if !media::is_json(media) => self.undocumented(),
            _ => self.json(),
        }
    }

    /// The body as JSON of type `T`.
    pub fn json<T: DeserializeOwned, E>(&self) -> Result<T, ClientError<E>> {
        serde_json::from_slice(&self.body).map_err(|err| ClientError::Decode {
            status: self.status,
            message: err.to_string(),
            body: String::from_utf8_lossy(&self.body).into_owned(),
        })
    }

    /// The body as any JSON value; an empty body is `null`.
    pub fn json_or_null<E>(&self) -> Result<serde_json::Value, ClientError<E>> {
        if self.body.is_empty() {
            Ok(serde_json::Value::Null)
        } else {
            self.json()
        }
    }

    /// A documented error status, with its body decoded by `decode`.
    pub fn documented<T, E>(
        &self,
        decode: impl FnOnce(&Self) -> Result<E, ClientError<E>>,
    ) -> Result<T, ClientError<E>> {
        Err(ClientError::Documented {
            status: self.status,
            body: decode(self)?,
            headers: self.headers.clone(),
        })
    }

    /// A status the spec does not document for the operation.
    pub fn undocumented<T, E>(&self) -> Result<T, ClientError<E>> {
        Err(ClientError::Api {
            status: self.status,
            body: String::from_utf8_lossy(&self.body).into_owned(),
            headers: self.headers.clone(),
        })
    }

    /// The body as it came.
    pub fn bytes<E>(&self) -> Result<Bytes, ClientError<E>> {
        Ok(self.body.clone())
    }

    /// The body as text; a body that is not UTF-8 does not decode.
    pub fn text<E>(&self) -> Result<String, ClientError<E>> {
        String::from_utf8(self.body.to_vec()).map_err(|err| ClientError::Decode {
            status: self.status,
            message: format!("the body is not UTF-8 text: {err}"),
            body: String::from_utf8_lossy(&self.body).into_owned(),
        })
    }

    /// No body is read.
    pub fn nothing<E>(&self) -> Result<(), ClientError<E>> {
        Ok(())
    }
}

/// The HTTP side of a generated client: base URL, `reqwest` client, retries,
/// and the options of the calls made through it.
#[derive(Debug, Clone)]
pub struct Transport {
    base_url: String,
    http: reqwest::Client,
    retry: Option<RetryPolicy>,
    options: RequestOptions,
}

impl Transport {
    pub fn new(base_url: String) -> Self {
        Transport {
            base_url: base_url.trim_end_matches('/').to_owned(),
            http: reqwest::Client::new(),
            retry: None,
            options: RequestOptions::default(),
        }
    }

    /// This transport, with `options` for every call made through it.
    pub fn with_options(&self, options: RequestOptions) -> Self {
        Transport {
            options,
            ..self.clone()
        }
    }

    pub fn set_http_client(&mut self, http: reqwest::Client) {
        self.http = http;
    }

    pub fn set_retries(&mut self, policy: RetryPolicy) {
        self.retry = Some(policy);
    }

    /// The base URL of the calls: the options', else the client's.
    pub fn base_url(&self) -> &str {
        match &self.options.base_url {
            Some(url) => url.trim_end_matches('/'),
            None => &self.base_url,
        }
    }

    /// Sends the request, retrying idempotent ones as the policy says, and
    /// reads the whole response.
    pub async fn send<E>(
        &self,
        request: OutgoingRequest,
    ) -> Result<IncomingResponse, ClientError<E>> {
        let OutgoingRequest {
            method,
            path,
            query,
            mut headers,
            cookies,
            mut body,
            stream_when,
        } = request;
        if !cookies.is_empty() {
            headers.push(("cookie", cookies.join("; ")));
        }
        let base_url = self.base_url();
        let mut url = reqwest::Url::parse(&format!("{base_url}{path}")).map_err(|err| {
            ClientError::InvalidRequest(format!("bad URL {base_url}{path}: {err}"))
        })?;
        let mut extra = reqwest::header::HeaderMap::new();
        for (name, value) in &self.options.headers {
            let header =
                reqwest::header::HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                    ClientError::InvalidRequest(format!("`{name}` is not a header name"))
                })?;
            let value = reqwest::header::HeaderValue::from_str(value).map_err(|_| {
                ClientError::InvalidRequest(format!("the `{name}` header cannot carry {value:?}"))
            })?;
            extra.append(header, value);
        }
        if !query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        let idempotent = matches!(
            method,
            reqwest::Method::GET
                | reqwest::Method::HEAD
                | reqwest::Method::PUT
                | reqwest::Method::DELETE
                | reqwest::Method::OPTIONS
        );
        // A body read from a stream cannot be sent twice.
        let replayable = body
            .as_ref()
            .is_none_or(|(_, body)| body.as_whole().is_some());
        let policy = self
            .options
            .retry
            .clone()
            .or_else(|| self.retry.clone())
            .filter(|_| idempotent && replayable);
        let mut attempt: u32 = 0;
        loop {
            let mut builder = self.http.request(method.clone(), url.clone());
            for (name, value) in &headers {
                builder = builder.header(*name, value.as_str());
            }
            if !extra.is_empty() {
                builder = builder.headers(extra.clone());
            }
            if let Some(timeout) = self.options.timeout {
                builder = builder.timeout(timeout);
            }
            if let Some((content_type, stream)) = &mut body {
                let payload = match stream.as_whole() {
                    Some(bytes) => reqwest::Body::from(bytes.clone()),
                    None => reqwest::Body::wrap_stream(std::mem::take(stream)),
                };
                builder = builder
                    .header("content-type", content_type.as_ref())
                    .body(payload);
            }
            let retry_wait = policy
                .as_ref()
                .filter(|p| attempt < p.max_retries)
                .map(|p| {
                    let factor = 2u32.saturating_pow(attempt);
                    p.initial_backoff.saturating_mul(factor).min(p.max_backoff)
                });
            match builder.send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    if let Some(wait) = retry_wait.filter(|_| status >= 500 || status == 429) {
                        tokio::time::sleep(wait).await;
                        attempt += 1;
                        continue;
                    }
                    let headers = response.headers().clone();
                    if stream_when.is_some_and(|when| when(status)) {
                        return Ok(IncomingResponse {
                            status,
                            headers,
                            body: Bytes::new(),
                            stream: Some(ByteStream::new(response.bytes_stream())),
                        });
                    }
                    let body = response.bytes().await.map_err(ClientError::Transport)?;
                    return Ok(IncomingResponse {
                        status,
                        headers,
                        body,
                        stream: None,
                    });
                }
                Err(err) => {
                    if let Some(wait) = retry_wait.filter(|_| err.is_connect() || err.is_timeout())
                    {
                        tokio::time::sleep(wait).await;
                        attempt += 1;
                        continue;
                    }
                    return Err(ClientError::Transport(err));
                }
            }
        }
    }
}

/// A path parameter as one percent-encoded segment. An empty value, `.` or
/// `..` would change the path (`/tasks/..` is `/`), calling another
/// operation: refused before anything is sent.
pub fn path_segment<E>(name: &str, value: &str) -> Result<String, ClientError<E>> {
    if matches!(value, "" | "." | "..") {
        return Err(ClientError::InvalidRequest(format!(
            "path parameter `{name}` cannot be `{value}`: it would change the path"
        )));
    }
    Ok(encode_path_segment(value))
}

/// A `label` or `matrix` path segment (RFC 6570's `{.x}` and `{;x}`): each
/// item percent-encoded, the prefix and separators literal. An array item
/// holding its separator could not be read back, nor a dot segment: both
/// are refused.
pub fn styled_path_segment<E>(
    name: &str,
    items: impl IntoIterator<Item = String>,
    style: PathStyle,
    array: bool,
    exploded: bool,
) -> Result<String, ClientError<E>> {
    let separator = match (style, exploded) {
        (_, false) => ",".to_owned(),
        (PathStyle::Label, true) => ".".to_owned(),
        (PathStyle::Matrix, true) => format!(";{name}="),
    };
    let mut encoded = Vec::new();
    for item in items {
        if array && item.contains(separator.as_str()) {
            return Err(ClientError::InvalidRequest(format!(
                "path parameter `{name}`: the item `{item}` holds `{separator}`, which separates \
                 the items"
            )));
        }
        encoded.push(encode_path_segment(&item));
    }
    let segment = styled(
        &encode_path_segment(name),
        encoded,
        style,
        array && exploded,
    );
    if matches!(segment.as_str(), "." | "..") {
        return Err(ClientError::InvalidRequest(format!(
            "path parameter `{name}` cannot be `{}`: it would change the path",
            segment.strip_prefix('.').unwrap_or_default()
        )));
    }
    Ok(segment)
}

/// Everything but RFC 3986's unreserved characters.
const RESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes a path segment or a cookie value (everything but
/// unreserved characters).
pub fn encode_path_segment(segment: &str) -> String {
    percent_encoding::utf8_percent_encode(segment, RESERVED).to_string()
}

/// The parameters' checks (`Param::check`), all of them, before anything
/// is sent: every failure is reported together.
pub fn check_params<E>(
    checks: impl IntoIterator<Item = Result<(), RequestError>>,
) -> Result<(), ClientError<E>> {
    RequestError::all_ok(checks).map_err(ClientError::InvalidParameters)
}

/// The `(name, value)` pairs of response headers (values that are not text
/// left out), as the generated headers structs read them.
fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter_map(|(name, value)| {
            Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))
        })
        .collect()
}

/// The rules of the body's schema, checked before anything is sent.
pub fn check_body<T: ?Sized, E>(
    body: &T,
    check: impl FnOnce(&T, &At<'_>, &mut Violations),
) -> Result<(), ClientError<E>> {
    validate::check_with(body, check).map_err(ClientError::InvalidBody)
}
