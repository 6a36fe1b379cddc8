//! The client emitter: `src/client.rs` of the generated crate (cargo feature
//! `client`). A `reqwest`-based client with one async method per operation,
//! typed inputs (the server's query structs), typed results and errors that
//! tell documented error statuses from other statuses and from transport
//! failures; optional retries for idempotent methods.

use std::collections::{BTreeMap, BTreeSet};

use heck::{ToShoutySnakeCase, ToSnakeCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::params::{header_params, param_text, path_params, query_params};
use super::rust::{doc_attrs, ident};
use super::server::{body_type, is_json, model_type, operation_docs};
use crate::ir::{Api, Method, Operation, Response, SecurityKind, StatusCode, TypeDef, TypeRef};

fn is_success(status: StatusCode) -> bool {
    matches!(status, StatusCode::Code(200..=299) | StatusCode::Range(2))
}

/// The Rust type a set of responses decodes to, and whether they carry a body.
#[derive(Clone)]
enum Payload {
    /// No response has a body: `()`.
    Unit,
    /// Every response is JSON of this type.
    Json(TokenStream),
    /// Raw bytes (a non-JSON body).
    Bytes,
    /// Responses disagree: any JSON value (`null` when bodiless).
    Value,
}

impl Payload {
    fn tokens(&self) -> TokenStream {
        match self {
            Payload::Unit => quote!(()),
            Payload::Json(ty) => ty.clone(),
            Payload::Bytes => quote!(axum::body::Bytes),
            Payload::Value => quote!(serde_json::Value),
        }
    }

    /// An expression building the payload from `raw`, inside a `Result<_, Error<E>>` context.
    fn decode(&self) -> TokenStream {
        match self {
            Payload::Unit => quote!(()),
            Payload::Json(_) => quote!(decode_json(&raw)?),
            Payload::Bytes => quote!(raw.body.clone()),
            Payload::Value => quote!(decode_json_or_null(&raw)?),
        }
    }
}

fn payload_of(responses: &[&Response]) -> Payload {
    let payloads: Vec<Payload> = responses
        .iter()
        .map(|r| match (&r.content_type, &r.ty) {
            (None, _) => Payload::Unit,
            (Some(ct), _) if !is_json(ct) => Payload::Bytes,
            (Some(_), Some(ty)) => Payload::Json(model_type(ty)),
            (Some(_), None) => Payload::Value,
        })
        .collect();
    let kinds: BTreeSet<String> = payloads.iter().map(|p| p.tokens().to_string()).collect();
    match payloads.into_iter().next() {
        None => Payload::Unit,
        Some(_) if kinds.len() > 1 => Payload::Value,
        Some(first) => first,
    }
}

fn status_pattern(status: StatusCode) -> TokenStream {
    match status {
        StatusCode::Code(code) => {
            let code = proc_macro2::Literal::u16_unsuffixed(code);
            quote!(#code)
        }
        StatusCode::Range(hundreds) => {
            let low = proc_macro2::Literal::u16_unsuffixed(hundreds * 100);
            let high = proc_macro2::Literal::u16_unsuffixed(hundreds * 100 + 99);
            quote!(#low..=#high)
        }
        StatusCode::Default => quote!(_),
    }
}

/// Constant names for the servers: from their descriptions (`US Region` → `SERVER_US_REGION`).
fn server_constants(api: &Api) -> Vec<(String, String, String)> {
    let mut used = super::super::lower::names::NameSet::default();
    api.servers
        .iter()
        .enumerate()
        .map(|(i, server)| {
            let description = server.description.clone().unwrap_or_default();
            let stem = description.to_shouty_snake_case();
            let stem: String = stem
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let wish = if stem.is_empty() || stem.starts_with(|c: char| c.is_ascii_digit()) {
                format!("SERVER_{}", i + 1)
            } else {
                format!("SERVER_{stem}")
            };
            (used.claim_snake(&wish), server.url.clone(), description)
        })
        .collect()
}

fn credential_field(scheme: &str) -> proc_macro2::Ident {
    format_ident!("{}", scheme.to_snake_case())
}

fn operation_method(api: &Api, op: &Operation, types: &BTreeMap<&str, &TypeDef>) -> TokenStream {
    let name = ident(&op.fn_name);
    let successes: Vec<&Response> = op
        .responses
        .iter()
        .filter(|r| is_success(r.status))
        .collect();
    let errors: Vec<&Response> = op
        .responses
        .iter()
        .filter(|r| !is_success(r.status))
        .collect();
    let success = payload_of(&successes);
    let error = if errors.is_empty() {
        Payload::Value
    } else {
        payload_of(&errors)
    };
    let success_ty = success.tokens();
    let error_ty = error.tokens();

    let mut docs = operation_docs(op);
    let documented: Vec<String> = errors.iter().map(|r| r.status.to_string()).collect();
    if !documented.is_empty() {
        docs.push_str(&format!(
            "\n\nDocumented errors ({}) come back as [`Error::Documented`]; any other error status as [`Error::Api`].",
            documented.join(", ")
        ));
    }
    let docs = doc_attrs(Some(&docs));

    let mut args = Vec::new();
    let mut path_format = String::new();
    let mut path_args = Vec::new();
    let mut rest = op.path.as_str();
    while let Some(open) = rest.find('{') {
        path_format.push_str(&rest[..open].replace('{', "{{").replace('}', "}}"));
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let param_name = &rest[open + 1..open + close];
        path_format.push_str("{}");
        if let Some(param) = path_params(op)
            .into_iter()
            .find(|p| p.wire_name == param_name)
        {
            let var = ident(&param.name);
            if param.ty == TypeRef::String {
                path_args.push(quote!(encode_path_segment(#var)));
            } else {
                let text = param_text(&param.ty, quote!(#var), types);
                path_args.push(quote!(encode_path_segment(&#text)));
            }
        } else {
            path_args.push(quote!(String::new()));
        }
        rest = &rest[open + close + 1..];
    }
    path_format.push_str(&rest.replace('{', "{{").replace('}', "}}"));

    for p in path_params(op) {
        let var = ident(&p.name);
        let ty = if p.ty == TypeRef::String {
            quote!(&str)
        } else {
            model_type(&p.ty)
        };
        args.push(quote!(#var: #ty));
    }
    let mut header_pushes = Vec::new();
    for p in header_params(op) {
        let var = ident(&p.name);
        let wire = &p.wire_name;
        let base = if p.ty == TypeRef::String {
            quote!(&str)
        } else {
            model_type(&p.ty)
        };
        let text = param_text(&p.ty, quote!(value), types);
        if p.required {
            args.push(quote!(#var: #base));
            header_pushes.push(quote! {
                let value = &#var;
                headers.push((#wire, #text));
            });
        } else {
            args.push(quote!(#var: Option<#base>));
            header_pushes.push(quote! {
                if let Some(value) = &#var {
                    headers.push((#wire, #text));
                }
            });
        }
    }
    let query = if query_params(op).is_empty() {
        quote!(let mut query: Vec<(&'static str, String)> = Vec::new();)
    } else {
        let query_ty = format_ident!("{}Query", op.type_name);
        args.push(quote!(query: &#query_ty));
        quote!(let mut query = query.to_pairs();)
    };
    let body = match body_type(op) {
        None => quote!(let body = None;),
        Some((ty, json, required)) => {
            let content_type = op
                .body
                .as_ref()
                .map(|b| b.content_type.clone())
                .unwrap_or_default();
            let encode = if json {
                quote!(
                    serde_json::to_vec(body).map_err(|err| Error::InvalidRequest(format!(
                        "cannot encode the body: {err}"
                    )))?
                )
            } else {
                quote!(body.to_vec())
            };
            if required {
                args.push(quote!(body: &#ty));
                quote!(let body = Some((#content_type, #encode));)
            } else {
                args.push(quote!(body: Option<&#ty>));
                quote! {
                    let body = match body {
                        Some(body) => Some((#content_type, #encode)),
                        None => None,
                    };
                }
            }
        }
    };

    // Credentials of every scheme the operation accepts, when the client has them.
    let schemes: BTreeSet<&str> = op.security.iter().flatten().map(String::as_str).collect();
    let auth = schemes.iter().filter_map(|scheme_name| {
        let scheme = api.security_schemes.iter().find(|s| s.name == *scheme_name)?;
        let field = credential_field(&scheme.name);
        Some(match &scheme.kind {
            SecurityKind::ApiKey { location: crate::ir::ParamLocation::Query, param_name } => {
                quote!(if let Some(key) = &self.#field { query.push((#param_name, key.clone())); })
            }
            SecurityKind::ApiKey { location: crate::ir::ParamLocation::Cookie, param_name } => {
                quote!(if let Some(key) = &self.#field { headers.push(("cookie", format!("{}={key}", #param_name))); })
            }
            SecurityKind::ApiKey { param_name, .. } => {
                quote!(if let Some(key) = &self.#field { headers.push((#param_name, key.clone())); })
            }
            SecurityKind::Http { scheme } if !scheme.eq_ignore_ascii_case("bearer") => {
                let scheme = scheme.clone();
                quote!(if let Some(credentials) = &self.#field { headers.push(("authorization", format!("{} {credentials}", #scheme))); })
            }
            _ => quote!(if let Some(token) = &self.#field { headers.push(("authorization", format!("Bearer {token}"))); }),
        })
    });

    let path_binding = if path_args.is_empty() {
        let literal = op.path.clone();
        quote!(let path = #literal.to_owned();)
    } else {
        quote!(let path = format!(#path_format, #(#path_args),*);)
    };
    let method = format_ident!("{}", op.method.as_str());
    let mut arms = Vec::new();
    let mut has_default = false;
    if !successes.is_empty() {
        let patterns = successes.iter().map(|r| status_pattern(r.status));
        let decode = success.decode();
        arms.push(quote!(#(#patterns)|* => Ok(#decode),));
    }
    let specific: Vec<&&Response> = errors
        .iter()
        .filter(|r| r.status != StatusCode::Default)
        .collect();
    if !specific.is_empty() {
        let patterns = specific.iter().map(|r| status_pattern(r.status));
        let decode = error.decode();
        arms.push(
            quote!(#(#patterns)|* => Err(Error::Documented { status: raw.status, body: #decode }),),
        );
    }
    if errors.iter().any(|r| r.status == StatusCode::Default) {
        has_default = true;
        let decode = error.decode();
        arms.push(quote!(_ if raw.status >= 400 => Err(Error::Documented { status: raw.status, body: #decode }),));
        arms.push(quote!(_ => Err(Error::Api { status: raw.status, body: String::from_utf8_lossy(&raw.body).into_owned() }),));
    }
    if !has_default {
        arms.push(quote!(_ => Err(Error::Api { status: raw.status, body: String::from_utf8_lossy(&raw.body).into_owned() }),));
    }
    // Ask for the media types the client decodes (JSON when the spec offers it).
    let mut accepted: Vec<&str> = Vec::new();
    for response in &op.responses {
        if let Some(content_type) = response.content_type.as_deref()
            && !accepted.contains(&content_type)
        {
            accepted.push(content_type);
        }
    }
    let headers_init = if accepted.is_empty() {
        quote!(Vec::new())
    } else {
        let accept = accepted.join(", ");
        quote!(vec![("accept", #accept.to_owned())])
    };
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    quote! {
        #docs
        #deprecated
        pub async fn #name(&self, #(#args),*) -> Result<#success_ty, Error<#error_ty>> {
            #path_binding
            #[allow(unused_mut)]
            #query
            #[allow(unused_mut)]
            let mut headers: Vec<(&'static str, String)> = #headers_init;
            #(#header_pushes)*
            #(#auth)*
            #body
            let raw = self.execute(reqwest::Method::#method, &path, &query, &headers, body).await?;
            match raw.status {
                #(#arms)*
            }
        }
    }
}

pub fn client_file(api: &Api) -> TokenStream {
    let types: BTreeMap<&str, &TypeDef> = api.types.iter().map(|d| (d.name.as_str(), d)).collect();
    let servers = server_constants(api);
    let server_consts = servers.iter().map(|(name, url, description)| {
        let name = format_ident!("{}", name);
        let doc = if description.is_empty() {
            format!(" `{url}`")
        } else {
            format!(" {description}: `{url}`")
        };
        quote!(#[doc = #doc] pub const #name: &str = #url;)
    });
    let server_count = servers.len();
    let server_entries = servers.iter().map(|(name, _, description)| {
        let name = format_ident!("{}", name);
        quote!((#name, #description))
    });
    let query_types: Vec<proc_macro2::Ident> = api
        .operations
        .iter()
        .filter(|op| !query_params(op).is_empty())
        .map(|op| format_ident!("{}Query", op.type_name))
        .collect();
    let query_reexport =
        (!query_types.is_empty()).then(|| quote!(pub use crate::server::{#(#query_types),*};));

    let credential_fields = api.security_schemes.iter().map(|s| {
        let field = credential_field(&s.name);
        quote!(#field: Option<String>,)
    });
    let credential_inits = api.security_schemes.iter().map(|s| {
        let field = credential_field(&s.name);
        quote!(#field: None,)
    });
    let api_key_schemes: Vec<_> = api
        .security_schemes
        .iter()
        .filter(|s| matches!(s.kind, SecurityKind::ApiKey { .. }))
        .collect();
    let bearer_schemes: Vec<_> = api
        .security_schemes
        .iter()
        .filter(|s| !matches!(s.kind, SecurityKind::ApiKey { .. }))
        .collect();
    let mut setters: Vec<TokenStream> = api
        .security_schemes
        .iter()
        .map(|s| {
            let field = credential_field(&s.name);
            let method = format_ident!("with_{}", s.name.to_snake_case());
            let what = match &s.kind {
                SecurityKind::ApiKey {
                    location,
                    param_name,
                } => format!(
                    " Sends `key` as the `{}` credential (the `{param_name}` {}).",
                    s.name,
                    location.as_str()
                ),
                SecurityKind::Http { scheme } => format!(
                    " Sends `credentials` as the `{}` credential (`Authorization: {scheme} …`).",
                    s.name
                ),
                _ => format!(
                    " Sends `token` as the `{}` credential (`Authorization: Bearer …`).",
                    s.name
                ),
            };
            quote! {
                #[doc = #what]
                pub fn #method(mut self, key: impl Into<String>) -> Self {
                    self.#field = Some(key.into());
                    self
                }
            }
        })
        .collect();
    if let [only] = api_key_schemes.as_slice() {
        let method = format_ident!("with_{}", only.name.to_snake_case());
        if method != "with_api_key" {
            setters.push(quote! {
                /// Sends `key` as the API key (the spec's only API-key scheme).
                pub fn with_api_key(self, key: impl Into<String>) -> Self {
                    self.#method(key)
                }
            });
        }
    }
    if let [only] = bearer_schemes.as_slice() {
        let method = format_ident!("with_{}", only.name.to_snake_case());
        if method != "with_bearer_token" {
            setters.push(quote! {
                /// Sends `token` as the spec's only HTTP/bearer credential.
                pub fn with_bearer_token(self, token: impl Into<String>) -> Self {
                    self.#method(token)
                }
            });
        }
    }
    let methods = api
        .operations
        .iter()
        .map(|op| operation_method(api, op, &types));
    let idempotent = [
        Method::Get,
        Method::Head,
        Method::Put,
        Method::Delete,
        Method::Options,
    ]
    .iter()
    .map(|m| format_ident!("{}", m.as_str()));
    let first_server = servers
        .first()
        .map(|(name, _, _)| format_ident!("{}", name));
    let new_doc = match &first_server {
        Some(name) => format!(" A client for the API at `base_url` (e.g. [`{name}`]), with a default `reqwest` client, no credentials and no retries."),
        None => " A client for the API at `base_url`, with a default `reqwest` client, no credentials and no retries.".to_owned(),
    };
    quote! {
        use std::time::Duration;

        #[allow(unused_imports)]
        use crate::models;

        #query_reexport

        #(#server_consts)*

        /// Every server of the spec: URL and description.
        pub const SERVERS: [(&str, &str); #server_count] = [#(#server_entries),*];

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
                RetryPolicy { max_retries: 3, initial_backoff: Duration::from_millis(100), max_backoff: Duration::from_secs(5) }
            }
        }

        /// Why a call failed. `E` is the body type of the operation's documented errors.
        #[derive(Debug)]
        pub enum Error<E> {
            /// A status the spec documents for this operation, with its parsed body.
            Documented { status: u16, body: E },
            /// Any other status that is not a success, with the raw body.
            Api { status: u16, body: String },
            /// The request could not be sent or the response not read.
            Transport(reqwest::Error),
            /// The response body does not match the documented type.
            Decode { status: u16, message: String, body: String },
            /// The request could not be built (e.g. a bad base URL).
            InvalidRequest(String),
        }

        impl<E> Error<E> {
            /// The HTTP status, when a response came back.
            pub fn status(&self) -> Option<u16> {
                match self {
                    Error::Documented { status, .. } | Error::Api { status, .. } | Error::Decode { status, .. } => Some(*status),
                    Error::Transport(err) => err.status().map(|s| s.as_u16()),
                    Error::InvalidRequest(_) => None,
                }
            }
        }

        impl<E: std::fmt::Debug> std::fmt::Display for Error<E> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self {
                    Error::Documented { status, body } => write!(f, "the server answered {status}: {body:?}"),
                    Error::Api { status, body } => write!(f, "the server answered {status} (undocumented): {body}"),
                    Error::Transport(err) => write!(f, "request failed: {err}"),
                    Error::Decode { status, message, .. } => write!(f, "cannot read the {status} response: {message}"),
                    Error::InvalidRequest(message) => write!(f, "invalid request: {message}"),
                }
            }
        }

        impl<E: std::fmt::Debug> std::error::Error for Error<E> {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                match self {
                    Error::Transport(err) => Some(err),
                    _ => None,
                }
            }
        }

        /// A typed client of every operation of the spec.
        #[derive(Debug, Clone)]
        pub struct Client {
            base_url: String,
            http: reqwest::Client,
            retry: Option<RetryPolicy>,
            #(#credential_fields)*
        }

        struct RawResponse {
            status: u16,
            body: axum::body::Bytes,
        }

        impl Client {
            #[doc = #new_doc]
            pub fn new(base_url: impl Into<String>) -> Self {
                Client {
                    base_url: base_url.into().trim_end_matches('/').to_owned(),
                    http: reqwest::Client::new(),
                    retry: None,
                    #(#credential_inits)*
                }
            }

            /// Uses a prebuilt `reqwest` client (timeouts, proxies, TLS settings).
            pub fn with_http_client(mut self, http: reqwest::Client) -> Self {
                self.http = http;
                self
            }

            /// Retries idempotent requests as `policy` says (off by default).
            pub fn with_retries(mut self, policy: RetryPolicy) -> Self {
                self.retry = Some(policy);
                self
            }

            #(#setters)*

            /// The base URL every path is appended to.
            pub fn base_url(&self) -> &str {
                &self.base_url
            }

            #[allow(dead_code)] // unused when the spec has no operations
            async fn execute<E>(
                &self,
                method: reqwest::Method,
                path: &str,
                query: &[(&'static str, String)],
                headers: &[(&'static str, String)],
                body: Option<(&'static str, Vec<u8>)>,
            ) -> Result<RawResponse, Error<E>> {
                let mut url = reqwest::Url::parse(&format!("{}{path}", self.base_url))
                    .map_err(|err| Error::InvalidRequest(format!("bad URL {}{path}: {err}", self.base_url)))?;
                if !query.is_empty() {
                    url.query_pairs_mut().extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
                }
                let idempotent = matches!(method, #(reqwest::Method::#idempotent)|*);
                let policy = self.retry.clone().filter(|_| idempotent);
                let mut attempt: u32 = 0;
                loop {
                    let mut request = self.http.request(method.clone(), url.clone());
                    for (name, value) in headers {
                        request = request.header(*name, value.as_str());
                    }
                    if let Some((content_type, bytes)) = &body {
                        request = request.header("content-type", *content_type).body(bytes.clone());
                    }
                    let retry_wait = policy.as_ref().filter(|p| attempt < p.max_retries).map(|p| {
                        let factor = 2u32.saturating_pow(attempt);
                        p.initial_backoff.saturating_mul(factor).min(p.max_backoff)
                    });
                    match request.send().await {
                        Ok(response) => {
                            let status = response.status().as_u16();
                            if let Some(wait) = retry_wait.filter(|_| status >= 500 || status == 429) {
                                tokio::time::sleep(wait).await;
                                attempt += 1;
                                continue;
                            }
                            let body = response.bytes().await.map_err(Error::Transport)?;
                            return Ok(RawResponse { status, body });
                        }
                        Err(err) => {
                            if let Some(wait) = retry_wait.filter(|_| err.is_connect() || err.is_timeout()) {
                                tokio::time::sleep(wait).await;
                                attempt += 1;
                                continue;
                            }
                            return Err(Error::Transport(err));
                        }
                    }
                }
            }

            #(#methods)*
        }

        #[allow(dead_code)]
        fn decode_json<T: serde::de::DeserializeOwned, E>(raw: &RawResponse) -> Result<T, Error<E>> {
            serde_json::from_slice(&raw.body).map_err(|err| Error::Decode {
                status: raw.status,
                message: err.to_string(),
                body: String::from_utf8_lossy(&raw.body).into_owned(),
            })
        }

        #[allow(dead_code)]
        fn decode_json_or_null<E>(raw: &RawResponse) -> Result<serde_json::Value, Error<E>> {
            if raw.body.is_empty() {
                Ok(serde_json::Value::Null)
            } else {
                decode_json(raw)
            }
        }

        /// Percent-encodes a path segment (everything but unreserved characters).
        #[allow(dead_code)]
        fn encode_path_segment(segment: &str) -> String {
            let mut out = String::with_capacity(segment.len());
            for byte in segment.bytes() {
                if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
                    out.push(byte as char);
                } else {
                    out.push_str(&format!("%{byte:02X}"));
                }
            }
            out
        }
    }
}
