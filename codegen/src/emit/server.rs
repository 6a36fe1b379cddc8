//! The server emitter: `src/server.rs` of the generated crate. One trait per
//! tag, a response enum per operation, query structs that validate, auth from
//! the security schemes, and an axum router that does all the extraction.

use std::collections::BTreeMap;

use heck::ToSnakeCase;
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::params::{header_params, param_readers, path_params, query_params, query_struct};
use super::rust::{doc_attrs, ident, type_tokens_in};
use crate::ir::{
    Api, Field, Method, Operation, ParamLocation, Response, SecurityKind, StatusCode, TypeDef,
    TypeKind, TypeRef,
};

fn models_path() -> TokenStream {
    quote!(models::)
}

pub(super) fn model_type(ty: &TypeRef) -> TokenStream {
    type_tokens_in(ty, Some(&models_path()))
}

/// Name of the trait that holds an operation: its first tag + `Api`.
pub fn trait_name(op: &Operation) -> String {
    let tag = op.tags.first().map(String::as_str).unwrap_or("Default");
    let name = super::super::lower::names::upper_camel_ident(tag, "T");
    format!("{name}Api")
}

/// Operations grouped by trait, traits in name order, operations in spec order.
pub fn traits(api: &Api) -> BTreeMap<String, Vec<&Operation>> {
    let mut traits: BTreeMap<String, Vec<&Operation>> = BTreeMap::new();
    for op in &api.operations {
        traits.entry(trait_name(op)).or_default().push(op);
    }
    traits
}

/// Variant name for a response status (`202` → `Accepted`).
pub fn status_variant(status: StatusCode) -> String {
    match status {
        StatusCode::Code(code) => match code {
            100 => "Continue".to_owned(),
            200 => "Ok".to_owned(),
            201 => "Created".to_owned(),
            202 => "Accepted".to_owned(),
            203 => "NonAuthoritativeInformation".to_owned(),
            204 => "NoContent".to_owned(),
            205 => "ResetContent".to_owned(),
            206 => "PartialContent".to_owned(),
            301 => "MovedPermanently".to_owned(),
            302 => "Found".to_owned(),
            303 => "SeeOther".to_owned(),
            304 => "NotModified".to_owned(),
            307 => "TemporaryRedirect".to_owned(),
            308 => "PermanentRedirect".to_owned(),
            400 => "BadRequest".to_owned(),
            401 => "Unauthorized".to_owned(),
            402 => "PaymentRequired".to_owned(),
            403 => "Forbidden".to_owned(),
            404 => "NotFound".to_owned(),
            405 => "MethodNotAllowed".to_owned(),
            406 => "NotAcceptable".to_owned(),
            408 => "RequestTimeout".to_owned(),
            409 => "Conflict".to_owned(),
            410 => "Gone".to_owned(),
            412 => "PreconditionFailed".to_owned(),
            413 => "PayloadTooLarge".to_owned(),
            415 => "UnsupportedMediaType".to_owned(),
            422 => "UnprocessableEntity".to_owned(),
            423 => "Locked".to_owned(),
            429 => "TooManyRequests".to_owned(),
            500 => "InternalServerError".to_owned(),
            501 => "NotImplemented".to_owned(),
            502 => "BadGateway".to_owned(),
            503 => "ServiceUnavailable".to_owned(),
            504 => "GatewayTimeout".to_owned(),
            other => format!("Status{other}"),
        },
        StatusCode::Range(hundreds) => format!("Status{hundreds}xx"),
        StatusCode::Default => "Default".to_owned(),
    }
}

pub(super) fn is_json(content_type: &str) -> bool {
    let media = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    media == "application/json" || media.ends_with("+json")
}

/// The Rust payload of a response variant, if it has one.
pub(super) fn response_payload(response: &Response) -> Option<TokenStream> {
    let content_type = response.content_type.as_deref()?;
    Some(match (&response.ty, is_json(content_type)) {
        (Some(ty), true) => model_type(ty),
        (None, true) => quote!(serde_json::Value),
        (_, false) => quote!(axum::body::Bytes),
    })
}

fn response_enum(op: &Operation) -> TokenStream {
    let name = format_ident!("{}Response", op.type_name);
    let doc = format!(" Every documented response of `{}`.", op.id);
    let variants = op.responses.iter().map(|response| {
        let variant = ident(&status_variant(response.status));
        let doc = doc_attrs(Some(&format!(
            "{}: {}",
            response.status, response.description
        )));
        let payload = response_payload(response);
        let fields = match (response.status, payload) {
            (StatusCode::Code(_), None) => quote!(),
            (StatusCode::Code(_), Some(p)) => quote!((#p)),
            (_, None) => quote!((axum::http::StatusCode)),
            (_, Some(p)) => quote!((axum::http::StatusCode, #p)),
        };
        quote! { #doc #variant #fields, }
    });
    let arms = op.responses.iter().map(|response| {
        let variant = ident(&status_variant(response.status));
        let json = response.content_type.as_deref().is_some_and(is_json);
        let content_type = response.content_type.clone().unwrap_or_default();
        let has_body = response.content_type.is_some();
        let (pattern, status) = match response.status {
            StatusCode::Code(code) => {
                let pattern = if has_body {
                    quote!(#name::#variant(body))
                } else {
                    quote!(#name::#variant)
                };
                let code = proc_macro2::Literal::u16_unsuffixed(code);
                (pattern, quote!(status_code(#code)))
            }
            _ => {
                let pattern = if has_body {
                    quote!(#name::#variant(status, body))
                } else {
                    quote!(#name::#variant(status))
                };
                (pattern, quote!(status))
            }
        };
        let plain_json = content_type.eq_ignore_ascii_case("application/json");
        let build = if !has_body {
            quote!(#status.into_response())
        } else if json && plain_json {
            quote!(json_response(#status, body))
        } else if json {
            // `application/problem+json` and the like: JSON, under the media type the spec names.
            quote!(json_response_as(#status, #content_type, body))
        } else {
            quote!(bytes_response(#status, #content_type, body))
        };
        quote!(#pattern => #build,)
    });
    let derive_eq = quote!(#[derive(Debug, Clone, PartialEq)]);
    quote! {
        #[doc = #doc]
        #derive_eq
        pub enum #name {
            #(#variants)*
        }

        impl IntoResponse for #name {
            fn into_response(self) -> Response {
                match self {
                    #(#arms)*
                }
            }
        }
    }
}

/// The security scheme hooks of [`ApiHooks`].
fn auth_hooks(api: &Api) -> TokenStream {
    let hooks = api.security_schemes.iter().map(|scheme| {
        let method = format_ident!("authenticate_{}", scheme.name.to_snake_case());
        let (doc, arg) = match &scheme.kind {
            SecurityKind::ApiKey { location, param_name } => (
                format!(" Maps the `{}` API key (the `{param_name}` {} parameter) to a principal; `None` rejects the request with 401.", scheme.name, location.as_str()),
                quote!(api_key),
            ),
            SecurityKind::Http { scheme: http } => (
                format!(" Maps the `{}` credentials (HTTP `{http}` scheme, the text after it in `Authorization`) to a principal; `None` rejects the request with 401.", scheme.name),
                quote!(credentials),
            ),
            _ => (
                format!(" Maps the `{}` bearer token (from `Authorization: Bearer`) to a principal; `None` rejects the request with 401.", scheme.name),
                quote!(token),
            ),
        };
        let description = doc_attrs(scheme.description.as_deref().map(|d| d.trim()).filter(|d| !d.is_empty()).map(|d| format!("\n{d}")).as_deref());
        quote! {
            #[doc = #doc]
            #description
            fn #method(&self, #arg: &str) -> impl Future<Output = Option<Self::Principal>> + Send;
        }
    });
    quote!(#(#hooks)*)
}

/// Reads one scheme's credentials and asks the hook; evaluates to `Option<Principal>`.
fn scheme_check(api: &Api, scheme_name: &str) -> TokenStream {
    let method = format_ident!("authenticate_{}", scheme_name.to_snake_case());
    let Some(scheme) = api.security_schemes.iter().find(|s| s.name == scheme_name) else {
        return quote!(None);
    };
    let credentials = match &scheme.kind {
        SecurityKind::ApiKey {
            location: ParamLocation::Header,
            param_name,
        } => quote!(header_value(headers, #param_name)),
        SecurityKind::ApiKey {
            location: ParamLocation::Query,
            param_name,
        } => quote!(query_value(query, #param_name)),
        SecurityKind::ApiKey { param_name, .. } => quote!(cookie_value(headers, #param_name)),
        SecurityKind::Http { scheme } => {
            let scheme = scheme.clone();
            quote!(authorization_value(headers, #scheme))
        }
        _ => quote!(authorization_value(headers, "bearer")),
    };
    quote! {
        match #credentials {
            Some(credentials) => api.#method(credentials).await,
            None => None,
        }
    }
}

/// The name of the function that checks one security requirement
/// (alternatives of schemes needed together): `require_api_key_auth`,
/// `require_a_and_b_or_c`. Operations with the same requirement share it.
fn requirement_fn(security: &[Vec<String>]) -> Ident {
    let alternatives: Vec<String> = security
        .iter()
        .map(|schemes| {
            schemes
                .iter()
                .map(|scheme| scheme.to_snake_case())
                .collect::<Vec<_>>()
                .join("_and_")
        })
        .collect();
    format_ident!("require_{}", alternatives.join("_or_"))
}

/// One check per distinct security requirement, in first-use order.
fn requirement_fns(api: &Api) -> Vec<TokenStream> {
    let mut seen: Vec<&Vec<Vec<String>>> = Vec::new();
    for op in &api.operations {
        if !op.security.is_empty() && !seen.contains(&&op.security) {
            seen.push(&op.security);
        }
    }
    seen.into_iter()
        .map(|security| requirement_check(api, security))
        .collect()
}

fn requirement_check(api: &Api, security: &[Vec<String>]) -> TokenStream {
    let name = requirement_fn(security);
    let schemes: Vec<String> = security
        .iter()
        .flat_map(|alt| alt.iter().cloned())
        .collect();
    let described = schemes.join(" or ");
    let message = format!("missing or invalid credentials ({described})");
    let alternatives = security.iter().map(|alternative| {
        let checks: Vec<TokenStream> = alternative.iter().map(|s| scheme_check(api, s)).collect();
        let first = &checks[0];
        let rest = &checks[1..];
        quote! {
            if let Some(principal) = #first {
                if true #(&& (#rest).is_some())* {
                    return Ok(principal);
                }
            }
        }
    });
    let first_scheme = security[0][0].clone();
    quote! {
        #[allow(unused_variables)]
        async fn #name<A: ApiHooks>(api: &A, headers: &HeaderMap, query: &[(String, String)]) -> Result<A::Principal, RequestError> {
            #(#alternatives)*
            Err(RequestError::Unauthorized { scheme: #first_scheme, message: #message.to_owned() })
        }
    }
}

pub(super) fn body_type(op: &Operation) -> Option<(TokenStream, bool, bool)> {
    let body = op.body.as_ref()?;
    let json = is_json(&body.content_type);
    let ty = match (&body.ty, json) {
        (Some(ty), true) => model_type(ty),
        (None, true) => quote!(serde_json::Value),
        (_, false) => quote!(axum::body::Bytes),
    };
    Some((ty, json, body.required))
}

/// An operation's summary, description and `METHOD /path`, as doc text.
pub(super) fn operation_docs(op: &Operation) -> String {
    let parts: Vec<&str> = [op.summary.as_deref(), op.description.as_deref()]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect();
    let mut docs = parts.join("\n\n");
    if !docs.is_empty() {
        docs.push_str("\n\n");
    }
    docs.push_str(&format!("`{} {}`", op.method.as_str(), op.path));
    docs
}

fn trait_method(op: &Operation) -> TokenStream {
    let name = ident(&op.fn_name);
    let response = format_ident!("{}Response", op.type_name);
    let docs = operation_docs(op);
    let docs = doc_attrs(Some(&docs));
    let mut args = Vec::new();
    if !op.security.is_empty() {
        args.push(quote!(principal: Self::Principal));
    }
    for p in path_params(op).into_iter().chain(header_params(op)) {
        let arg = ident(&p.name);
        let ty = model_type(&p.ty);
        let ty = if p.required { ty } else { quote!(Option<#ty>) };
        args.push(quote!(#arg: #ty));
    }
    if !query_params(op).is_empty() {
        let query = format_ident!("{}Query", op.type_name);
        args.push(quote!(query: #query));
    }
    if let Some((ty, _, required)) = body_type(op) {
        let ty = if required { ty } else { quote!(Option<#ty>) };
        args.push(quote!(body: #ty));
    }
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    quote! {
        #docs
        #deprecated
        fn #name(&self, #(#args),*) -> impl Future<Output = #response> + Send;
    }
}

fn handler(op: &Operation) -> TokenStream {
    let name = format_ident!("handle_{}", op.fn_name);
    let method = ident(&op.fn_name);
    let trait_ident = format_ident!("{}", trait_name(op));
    let mut call_args = Vec::new();
    // Each step is `let … = …?;` inside one async block whose error is a `RequestError`.
    let mut steps = Vec::new();
    let query_needed = !op.security.is_empty() || !query_params(op).is_empty();
    let mut extractor_args = vec![quote!(State(api): State<Arc<A>>)];
    if query_needed {
        steps.push(quote!(let query = query_pairs(query)?;));
    }
    if !path_params(op).is_empty() {
        extractor_args.push(quote!(path: Result<Path<Vec<(String, String)>>, PathRejection>));
        steps.push(quote!(let path = path_pairs(path)?;));
    }
    extractor_args.push(quote!(headers: HeaderMap));
    if query_needed {
        extractor_args.push(quote!(query: Result<Query<Vec<(String, String)>>, QueryRejection>));
    }
    if !op.security.is_empty() {
        let auth = requirement_fn(&op.security);
        steps.push(quote!(let principal = #auth(&*api, &headers, &query).await?;));
        call_args.push(quote!(principal));
    }
    // Path and header parameters go through their `*_params_<op>` readers.
    for (params, reader, source) in [
        (
            path_params(op),
            format_ident!("path_params_{}", op.fn_name),
            quote!(&path),
        ),
        (
            header_params(op),
            format_ident!("header_params_{}", op.fn_name),
            quote!(&headers),
        ),
    ] {
        if params.is_empty() {
            continue;
        }
        let vars: Vec<Ident> = params.iter().map(|p| ident(&p.name)).collect();
        steps.push(quote!(let (#(#vars,)*) = #reader(#source)?;));
        call_args.extend(vars.iter().map(|v| quote!(#v)));
    }
    if !query_params(op).is_empty() {
        let query_struct = format_ident!("{}Query", op.type_name);
        steps.push(quote!(let query = #query_struct::from_pairs(&query)?;));
        call_args.push(quote!(query));
    }
    if let Some((ty, json, required)) = body_type(op) {
        extractor_args.push(quote!(body: Result<Bytes, BytesRejection>));
        let parse = match (json, required) {
            (true, true) => quote!(parse_json_body::<#ty>(&headers, body)),
            (true, false) => quote!(parse_optional_json_body::<#ty>(&headers, body)),
            (false, true) => quote!(read_body(body)),
            (false, false) => {
                quote!(read_body(body).map(|bytes| (!bytes.is_empty()).then_some(bytes)))
            }
        };
        steps.push(quote!(let body = #parse?;));
        call_args.push(quote!(body));
    }
    // The router serves deprecated operations too.
    let allow_deprecated = op.deprecated.then(|| quote!(#[allow(deprecated)]));
    if steps.is_empty() {
        return quote! {
            #[allow(unused_variables)]
            #allow_deprecated
            async fn #name<A: #trait_ident>(#(#extractor_args),*) -> Response {
                api.#method(#(#call_args),*).await.into_response()
            }
        };
    }
    quote! {
        #[allow(unused_variables)]
        #allow_deprecated
        async fn #name<A: #trait_ident>(#(#extractor_args),*) -> Response {
            let called = async {
                #(#steps)*
                Ok::<_, RequestError>(api.#method(#(#call_args),*).await)
            };
            match called.await {
                Ok(response) => response.into_response(),
                Err(error) => api.request_error(error),
            }
        }
    }
}

/// The base path of the first server URL (`https://host/v1` → `/v1`), if any.
fn base_path(api: &Api) -> String {
    let Some(server) = api.servers.first() else {
        return String::new();
    };
    let url = server.url.as_str();
    let path = match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |at| &rest[at..]),
        None => url,
    };
    path.trim_end_matches('/').to_owned()
}

/// The error body the spec uses for client errors: the type most 4XX responses name.
fn error_body(api: &Api, types: &BTreeMap<&str, &TypeDef>) -> TokenStream {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for op in &api.operations {
        for response in &op.responses {
            let client_error = matches!(
                response.status,
                StatusCode::Code(400..=499) | StatusCode::Range(4)
            );
            if let (true, Some(TypeRef::Named(name))) = (client_error, &response.ty) {
                *counts.entry(name).or_default() += 1;
            }
        }
    }
    let best = counts
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(name, _)| *name);
    let fallback = quote! {
        (status, axum::Json(serde_json::json!({ "message": error.to_string(), "status": status.as_u16() }))).into_response()
    };
    let Some(def) = best.and_then(|name| types.get(name)) else {
        return fallback;
    };
    let TypeKind::Struct(s) = &def.kind else {
        return fallback;
    };
    let mut inits = Vec::new();
    for field in &s.fields {
        let name = ident(&field.name);
        let value = match field_fill(field, types) {
            Some(value) if field.is_three_state() => quote!(Some(Some(#value))),
            Some(value) if field.is_optional() => quote!(Some(#value)),
            Some(value) => value,
            None if field.is_optional() => quote!(None),
            None => return fallback,
        };
        inits.push(quote!(#name: #value,));
    }
    if let Some(extra) = &s.additional {
        let name = ident(&extra.name);
        inits.push(quote!(#name: Default::default(),));
    }
    let ty = ident(&def.name);
    quote! {
        let body = models::#ty { #(#inits)* };
        (status, axum::Json(body)).into_response()
    }
}

/// What goes into one field of the error body, when the field is one we know how to fill.
fn field_fill(field: &Field, types: &BTreeMap<&str, &TypeDef>) -> Option<TokenStream> {
    match (field.wire_name.as_str(), &field.ty) {
        ("message" | "error" | "detail", TypeRef::String) => Some(quote!(error.to_string())),
        ("http_status_code" | "status_code" | "status" | "code", TypeRef::I64) => {
            Some(quote!(i64::from(status.as_u16())))
        }
        ("http_status_code" | "status_code" | "status" | "code", TypeRef::I32) => {
            Some(quote!(i32::from(status.as_u16())))
        }
        ("code" | "error_code" | "kind", TypeRef::Named(name)) => {
            let TypeKind::Enum(e) = &types.get(name.as_str())?.kind else {
                return None;
            };
            let pick = |wanted: &[&str]| {
                wanted
                    .iter()
                    .find_map(|w| e.variants.iter().find(|v| v.value.eq_ignore_ascii_case(w)))
            };
            let invalid = pick(&[
                "validation_error",
                "bad_request",
                "invalid_request",
                "invalid_argument",
                "invalid",
            ])?;
            let unauthorized = pick(&[
                "unauthorized",
                "unauthenticated",
                "permission_denied",
                "forbidden",
            ])
            .unwrap_or(invalid);
            let not_found = pick(&["not_found", "unknown_route"]).unwrap_or(invalid);
            let not_allowed = pick(&["method_not_allowed", "invalid_operation"]).unwrap_or(invalid);
            let enum_ident = ident(name);
            let [invalid, unauthorized, not_found, not_allowed] =
                [invalid, unauthorized, not_found, not_allowed].map(|v| ident(&v.name));
            Some(quote! {
                match error {
                    RequestError::Unauthorized { .. } => models::#enum_ident::#unauthorized,
                    RequestError::UnknownRoute { .. } => models::#enum_ident::#not_found,
                    RequestError::MethodNotAllowed { .. } => models::#enum_ident::#not_allowed,
                    _ => models::#enum_ident::#invalid,
                }
            })
        }
        _ => None,
    }
}

pub fn server_file(api: &Api) -> TokenStream {
    let types: BTreeMap<&str, &TypeDef> = api.types.iter().map(|d| (d.name.as_str(), d)).collect();
    let traits = traits(api);
    let has_security = api.operations.iter().any(|op| !op.security.is_empty());

    let principal = has_security.then(|| {
        let hooks = auth_hooks(api);
        quote! {
            /// Who made a request, as the authentication hooks establish it.
            type Principal: Send + 'static;

            #hooks
        }
    });
    let trait_items = traits.iter().map(|(name, ops)| {
        let name = format_ident!("{}", name);
        let methods = ops.iter().map(|op| trait_method(op));
        let doc = format!(
            " The operations tagged `{}`. Implement them; [`router`] does the HTTP.",
            ops[0].tags.first().map(String::as_str).unwrap_or("Default")
        );
        quote! {
            #[doc = #doc]
            pub trait #name: ApiHooks {
                #(#methods)*
            }
        }
    });
    let bounds: Vec<Ident> = traits.keys().map(|n| format_ident!("{}", n)).collect();
    let bound = if bounds.is_empty() {
        quote!(ApiHooks)
    } else {
        quote!(#(#bounds)+*)
    };
    let responses = api.operations.iter().map(response_enum);
    let queries = api
        .operations
        .iter()
        .filter_map(|op| query_struct(op, &types));
    let auth_fns = requirement_fns(api);
    let handlers = api.operations.iter().map(handler);
    let readers = api.operations.iter().map(|op| param_readers(op, &types));

    let mut routes: BTreeMap<&str, Vec<&Operation>> = BTreeMap::new();
    let mut path_order = Vec::new();
    for op in &api.operations {
        if !routes.contains_key(op.path.as_str()) {
            path_order.push(op.path.as_str());
        }
        routes.entry(&op.path).or_default().push(op);
    }
    let route_calls = path_order.iter().map(|path| {
        let ops = &routes[path];
        let mut chain = TokenStream::new();
        for (i, op) in ops.iter().enumerate() {
            let method = format_ident!("{}", op.method.as_str().to_ascii_lowercase());
            let handler = format_ident!("handle_{}", op.fn_name);
            let method = if op.method == Method::Trace {
                format_ident!("trace")
            } else {
                method
            };
            if i == 0 {
                chain = quote!(routing::#method(#handler::<A>));
            } else {
                chain = quote!(#chain.#method(#handler::<A>));
            }
        }
        quote!(.route(#path, #chain))
    });
    let base = base_path(api);
    let base_doc = if base.is_empty() {
        " The path of the spec's first server URL: empty, so routes are mounted at the root."
            .to_owned()
    } else {
        format!(
            " The path of the spec's first server URL (`{}`), where routes are mounted by default.",
            api.servers[0].url
        )
    };
    let error_body = error_body(api, &types);
    let support = super::server_support::support_items();
    let trait_doc = format!(
        " Hooks the generated server calls before any operation of {}: authentication and the shape of request errors.",
        api.title
    );
    quote! {
        // Response enums hold bodies inline for easy matching; the parsing code is
        // generated per parameter, so some shapes are simple on purpose. A spec
        // without operations of some kind leaves some imports unused.
        #![allow(
            clippy::large_enum_variant,
            clippy::collapsible_if,
            clippy::single_match,
            unused_imports
        )]

        use std::future::Future;
        use std::sync::Arc;

        use axum::body::Bytes;
        use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
        use axum::extract::{DefaultBodyLimit, Path, Query, State};
        use axum::http::HeaderMap;
        use axum::response::{IntoResponse, Response};
        use axum::{Router, routing};

        use crate::models;

        pub use crate::spec::OPENAPI_JSON;

        #[doc = #base_doc]
        pub const BASE_PATH: &str = #base;

        #[doc = #trait_doc]
        pub trait ApiHooks: Send + Sync + 'static {
            #principal

            /// Turns a request the server refused (bad parameter, body, credentials…)
            /// into the response sent. Override to change the error format.
            fn request_error(&self, error: RequestError) -> Response {
                default_request_error(&error)
            }
        }

        #(#trait_items)*

        /// How the router is set up.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct RouterOptions {
            /// Where the routes are mounted: [`BASE_PATH`] by default; `""` for the root.
            pub base_path: String,
            /// The largest request body accepted, in bytes (larger: 413). Default 2 MiB.
            pub body_limit: usize,
        }

        impl Default for RouterOptions {
            fn default() -> Self {
                RouterOptions { base_path: BASE_PATH.to_owned(), body_limit: 2 * 1024 * 1024 }
            }
        }

        /// Every operation of the spec, with default [`RouterOptions`].
        pub fn router<A: #bound>(api: Arc<A>) -> Router {
            router_with(api, RouterOptions::default())
        }

        /// Every operation of the spec, mounted and limited as `options` say.
        pub fn router_with<A: #bound>(api: Arc<A>, options: RouterOptions) -> Router {
            let hooks = api.clone();
            let unknown_route = move |method: axum::http::Method, uri: axum::http::Uri| {
                let hooks = hooks.clone();
                async move {
                    hooks.request_error(RequestError::UnknownRoute { method: method.to_string(), path: uri.path().to_owned() })
                }
            };
            let hooks = api.clone();
            let method_not_allowed = move |method: axum::http::Method, uri: axum::http::Uri| {
                let hooks = hooks.clone();
                async move {
                    hooks.request_error(RequestError::MethodNotAllowed { method: method.to_string(), path: uri.path().to_owned() })
                }
            };
            let routes = Router::new()
                #(#route_calls)*
                .method_not_allowed_fallback(method_not_allowed)
                .fallback(unknown_route.clone())
                .layer(DefaultBodyLimit::max(options.body_limit))
                .with_state(api);
            let base = options.base_path.trim_end_matches('/');
            if base.is_empty() {
                routes
            } else {
                Router::new().nest(base, routes).fallback(unknown_route)
            }
        }

        /// The spec's error body for a refused request, with the request error's status.
        pub fn default_request_error(error: &RequestError) -> Response {
            let status = error.status();
            #error_body
        }

        #support

        #(#responses)*

        #(#queries)*

        #(#auth_fns)*

        #(#readers)*

        #(#handlers)*
    }
}
