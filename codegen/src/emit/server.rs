//! The server emitter: `src/server.rs` of the generated crate (cargo feature
//! `server`). One trait per tag whose methods return `Result<Reply, HttpError>`,
//! a reply enum per operation, the checks of security requirements, and an
//! axum router whose handlers do all the extraction. Handlers bind only names
//! of their own: spec names reach them as fields of the parameter structs.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::checks;
use super::rust::{doc_attrs, ident, let_all, mentions_path, model_type, status_literal};
use crate::ir::{
    Api, BodyKind, ErrorFill, FillValue, Method, Operation, ParamLocation, Requirement, Response,
    ResponseContent, SchemeUse, SecurityKind, StatusCode, TypeRef,
};

/// The type of a response variant's body, if it has one.
fn payload_type(content: &ResponseContent) -> Option<TokenStream> {
    match content {
        ResponseContent::None => None,
        ResponseContent::Json { ty: Some(ty), .. } => Some(model_type(ty)),
        ResponseContent::Json { ty: None, .. } => Some(quote!(serde_json::Value)),
        ResponseContent::Text { .. } => Some(quote!(String)),
        ResponseContent::Bytes { .. } => Some(quote!(ByteStream)),
        ResponseContent::Events { ty: Some(ty), .. } => {
            let ty = model_type(ty);
            Some(quote!(EventStream<#ty>))
        }
        ResponseContent::Events { ty: None, .. } => Some(quote!(EventStream<String>)),
        ResponseContent::Choice { enum_name, .. } => {
            let name = ident(enum_name);
            Some(quote!(params::#name))
        }
    }
}

/// The response built from `body`, a value of `content`, with `status`.
fn build_response(content: &ResponseContent, status: &TokenStream) -> TokenStream {
    match content {
        ResponseContent::None => quote!(runtime::empty_response(#status)),
        ResponseContent::Json { media_type, .. }
            if media_type.eq_ignore_ascii_case("application/json") =>
        {
            quote!(runtime::json_response(#status, body))
        }
        ResponseContent::Json { media_type, .. } => {
            quote!(runtime::json_response_as(#status, #media_type, body))
        }
        ResponseContent::Text { media_type } => {
            quote!(runtime::bytes_response(#status, #media_type, body.into()))
        }
        ResponseContent::Bytes { media_type } => {
            quote!(runtime::stream_response(#status, #media_type, body))
        }
        ResponseContent::Events { ty: Some(_), .. } => {
            quote!(crate::runtime::events::json_response(#status, body))
        }
        ResponseContent::Events { ty: None, .. } => {
            quote!(crate::runtime::events::text_response(#status, body))
        }
        ResponseContent::Choice {
            enum_name,
            variants,
        } => {
            let name = ident(enum_name);
            let arms = variants.iter().map(|variant| {
                let value = ident(&variant.name);
                let build = build_response(&variant.content, status);
                quote!(params::#name::#value(body) => #build,)
            });
            quote!(match body { #(#arms)* })
        }
    }
}

/// The type of `HttpError::body`: the spec's error type, else any JSON value.
fn error_body_type(api: &Api) -> TokenStream {
    match &api.error.body {
        Some(ty) => model_type(ty),
        None => quote!(serde_json::Value),
    }
}

/// Whether a response's variant can carry an [`HttpError`]: it has no body,
/// or a JSON body of the error type, and no header it must set.
fn takes_error(api: &Api, response: &Response) -> bool {
    if response.headers.iter().any(|header| header.required) {
        return false;
    }
    match &response.content {
        ResponseContent::None => true,
        ResponseContent::Json { ty, .. } => *ty == api.error.body,
        ResponseContent::Text { .. }
        | ResponseContent::Bytes { .. }
        | ResponseContent::Events { .. }
        | ResponseContent::Choice { .. } => false,
    }
}

fn reply_enum(api: &Api, op: &Operation) -> TokenStream {
    let name = ident(&op.reply);
    let doc = format!(" Every documented response of `{}`.", op.id);
    let variants = op.responses.iter().map(|response| {
        let variant = ident(&response.variant);
        let doc = doc_attrs(Some(&format!(
            "{}: {}",
            response.status, response.description
        )));
        let status = (!matches!(response.status, StatusCode::Code(_)))
            .then(|| quote!(axum::http::StatusCode));
        let headers = response.headers_struct.as_ref().map(|name| {
            let name = ident(name);
            quote!(params::#name)
        });
        let fields: Vec<TokenStream> = [status, payload_type(&response.content), headers]
            .into_iter()
            .flatten()
            .collect();
        let fields = (!fields.is_empty()).then(|| quote!((#(#fields),*)));
        quote! { #doc #variant #fields, }
    });
    let arms = op.responses.iter().map(|response| {
        let variant = ident(&response.variant);
        let has_body = !matches!(response.content, ResponseContent::None);
        let (bound_status, status) = match response.status {
            StatusCode::Code(code) => {
                let code = status_literal(code);
                (None, quote!(runtime::status(#code)))
            }
            _ => (Some(quote!(status)), quote!(status)),
        };
        let bindings: Vec<TokenStream> = [
            bound_status,
            has_body.then(|| quote!(body)),
            response.headers_struct.as_ref().map(|_| quote!(headers)),
        ]
        .into_iter()
        .flatten()
        .collect();
        let pattern = if bindings.is_empty() {
            quote!(#name::#variant)
        } else {
            quote!(#name::#variant(#(#bindings),*))
        };
        let build = build_response(&response.content, &status);
        let build = match &response.headers_struct {
            Some(_) => quote!(runtime::with_headers(#build, headers.to_pairs())),
            None => build,
        };
        quote!(#pattern => #build,)
    });
    let mut error_arms = Vec::new();
    let mut catches_all = None;
    for response in op.responses.iter().filter(|r| takes_error(api, r)) {
        let variant = ident(&response.variant);
        let has_body = !matches!(response.content, ResponseContent::None);
        let status = (!matches!(response.status, StatusCode::Code(_)))
            .then(|| quote!(runtime::status(error.status)));
        let headers = response
            .headers_struct
            .as_ref()
            .map(|_| quote!(Default::default()));
        let fields: Vec<TokenStream> = [status, has_body.then(|| quote!(error.body)), headers]
            .into_iter()
            .flatten()
            .collect();
        let value = if fields.is_empty() {
            quote!(#name::#variant)
        } else {
            quote!(#name::#variant(#(#fields),*))
        };
        match response.status {
            StatusCode::Code(code) => {
                let code = status_literal(code);
                error_arms.push(quote!(#code => Ok(#value),));
            }
            StatusCode::Range(hundreds) => {
                let low = status_literal(hundreds * 100);
                let high = status_literal(hundreds * 100 + 99);
                error_arms.push(quote!(#low..=#high => Ok(#value),));
            }
            StatusCode::Default => {
                error_arms.push(quote!(_ => Ok(#value),));
                catches_all = Some(value);
            }
        }
    }
    let from_error_body = if error_arms.is_empty() {
        quote!(Err(error))
    } else if let (1, Some(value)) = (error_arms.len(), &catches_all) {
        quote!(Ok(#value))
    } else {
        let rest = catches_all.is_none().then(|| quote!(_ => Err(error),));
        quote! {
            match error.status {
                #(#error_arms)*
                #rest
            }
        }
    };
    // A stream is read once: it can be neither copied nor compared.
    let derives = if op.responses.iter().any(|r| r.content.is_streamed()) {
        quote!(#[derive(Debug)])
    } else {
        quote!(#[derive(Debug, Clone, PartialEq)])
    };
    quote! {
        #[doc = #doc]
        #derives
        pub enum #name {
            #(#variants)*
        }

        impl #name {
            /// The documented response for an operation's error: the variant of
            /// its status, else its range or `default`; an undocumented status
            /// comes back as the error, which is then sent as it is.
            pub fn from_error(error: HttpError) -> Result<Self, HttpError> {
                #from_error_body
            }
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

/// The authentication hooks of `ApiHooks`, one per security scheme.
fn auth_hooks(api: &Api) -> TokenStream {
    let hooks = api.security_schemes.iter().map(|scheme| {
        let method = ident(&scheme.hook);
        let name = &scheme.name;
        let (doc, args) = match &scheme.kind {
            SecurityKind::ApiKey { location, param_name } => (
                format!(" Maps the `{name}` API key (the `{param_name}` {} parameter) to a principal; `None` rejects the request with 401.", location.as_str()),
                quote!(api_key: &str),
            ),
            SecurityKind::Basic => (
                format!(" Maps the `{name}` user name and password (HTTP `basic` scheme, decoded from `Authorization`) to a principal; `None` rejects the request with 401."),
                quote!(username: &str, password: &str),
            ),
            SecurityKind::Http { scheme: http } => (
                format!(" Maps the `{name}` credentials (HTTP `{http}` scheme, the text after it in `Authorization`) to a principal; `None` rejects the request with 401."),
                quote!(credentials: &str),
            ),
            SecurityKind::OAuth2 | SecurityKind::OpenIdConnect => (
                format!(" Maps the `{name}` bearer token (from `Authorization: Bearer`) to a principal if it grants every one of `scopes` (those the operation's security requirement lists); `None` rejects the request with 401."),
                quote!(token: &str, scopes: &[&str]),
            ),
        };
        let description = doc_attrs(
            scheme
                .description
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(|d| format!("\n{d}"))
                .as_deref(),
        );
        quote! {
            #[doc = #doc]
            #description
            fn #method(&self, #args) -> impl Future<Output = Option<Self::Principal>> + Send;
        }
    });
    quote!(#(#hooks)*)
}

/// Where a scheme's credentials are in a request (`runtime::Credentials`).
fn credential_source(kind: &SecurityKind) -> TokenStream {
    match kind {
        SecurityKind::ApiKey {
            location: ParamLocation::Header,
            param_name,
        } => quote!(credentials.header(#param_name)),
        SecurityKind::ApiKey {
            location: ParamLocation::Query,
            param_name,
        } => quote!(credentials.query(#param_name)),
        SecurityKind::ApiKey { param_name, .. } => quote!(credentials.cookie(#param_name)),
        SecurityKind::Basic => quote!(credentials.authorization("basic")),
        SecurityKind::Http { scheme } => quote!(credentials.authorization(#scheme)),
        SecurityKind::OAuth2 | SecurityKind::OpenIdConnect => {
            quote!(credentials.authorization("bearer"))
        }
    }
}

/// The conditions of a `let` chain that hold when the request's credentials
/// for `used` are there and its hook accepts them (binding `principal` if `bind`).
fn accepted(api: &Api, used: &SchemeUse, bind: bool) -> TokenStream {
    let scheme = &api.security_schemes[used.scheme];
    let hook = ident(&scheme.hook);
    let source = credential_source(&scheme.kind);
    let (found, call) = match &scheme.kind {
        SecurityKind::Basic => (
            quote!(let Some(given) = #source && let Some((username, password)) = crate::runtime::basic_auth::decode(given)),
            quote!(api.#hook(&username, &password).await),
        ),
        SecurityKind::OAuth2 | SecurityKind::OpenIdConnect => {
            let scopes = &used.scopes;
            (
                quote!(let Some(given) = #source),
                quote!(api.#hook(given, &[#(#scopes),*]).await),
            )
        }
        _ => (
            quote!(let Some(given) = #source),
            quote!(api.#hook(given).await),
        ),
    };
    if bind {
        quote!(#found && let Some(principal) = #call)
    } else {
        quote!(#found && #call.is_some())
    }
}

/// `require_…`: one security requirement, checked through the hooks.
fn requirement_fn(api: &Api, requirement: &Requirement) -> TokenStream {
    let name = ident(&requirement.fn_name);
    // `A and B (scopes x, y) or C`: what would have been accepted.
    let wanted: Vec<String> = requirement
        .alternatives
        .iter()
        .map(|alternative| {
            let schemes: Vec<String> = alternative
                .iter()
                .map(|used| {
                    let name = &api.security_schemes[used.scheme].name;
                    match used.scopes.as_slice() {
                        [] => name.clone(),
                        [scope] => format!("{name} with scope {scope}"),
                        scopes => format!("{name} with scopes {}", scopes.join(", ")),
                    }
                })
                .collect();
            schemes.join(" and ")
        })
        .collect();
    let message = format!("missing or invalid credentials ({})", wanted.join(" or "));
    let first_scheme = requirement
        .alternatives
        .iter()
        .flatten()
        .next()
        .map_or("", |used| api.security_schemes[used.scheme].name.as_str());
    let found = if requirement.optional {
        quote!(Some(principal))
    } else {
        quote!(principal)
    };
    let alternatives = requirement.alternatives.iter().map(|alternative| {
        // The first scheme of an alternative gives the principal; the others must accept too.
        let conditions = alternative
            .iter()
            .enumerate()
            .map(|(position, used)| accepted(api, used, position == 0));
        quote! {
            if #(#conditions)&&* {
                return Ok(#found);
            }
        }
    });
    let refuse = quote!(Err(RequestError::Unauthorized { scheme: #first_scheme, message: #message.to_owned() }));
    if !requirement.optional {
        return quote! {
            async fn #name<A: ApiHooks>(api: &A, credentials: runtime::Credentials<'_>) -> Result<A::Principal, RequestError> {
                #(#alternatives)*
                #refuse
            }
        };
    }
    // Without credentials the request is served anonymously; credentials that
    // were given but not accepted are still refused.
    let mut schemes: Vec<usize> = requirement
        .alternatives
        .iter()
        .flatten()
        .map(|used| used.scheme)
        .collect();
    schemes.sort_unstable();
    schemes.dedup();
    let given = schemes.into_iter().map(|i| {
        let source = credential_source(&api.security_schemes[i].kind);
        quote!(#source.is_some())
    });
    quote! {
        async fn #name<A: ApiHooks>(api: &A, credentials: runtime::Credentials<'_>) -> Result<Option<A::Principal>, RequestError> {
            #(#alternatives)*
            if #(#given)||* {
                return #refuse;
            }
            Ok(None)
        }
    }
}

/// Whether an operation's handler reads the query: for its parameters, or
/// for an API key sent there.
fn reads_query(api: &Api, op: &Operation) -> bool {
    let query_credentials = op.requirement.is_some_and(|index| {
        api.requirements[index]
            .alternatives
            .iter()
            .flatten()
            .any(|used| {
                matches!(
                    api.security_schemes[used.scheme].kind,
                    SecurityKind::ApiKey {
                        location: ParamLocation::Query,
                        ..
                    }
                )
            })
    });
    query_credentials || op.query_struct.is_some()
}

/// An operation's method in its tag's trait; with `defaults`, a body that
/// answers 501 Not Implemented.
fn trait_method(api: &Api, op: &Operation, defaults: bool) -> TokenStream {
    let name = ident(&op.fn_name);
    let reply = ident(&op.reply);
    let docs = doc_attrs(Some(&op.docs));
    // (name, type) of each argument after `&self`.
    let mut args: Vec<(TokenStream, TokenStream)> = Vec::new();
    match op.requirement.map(|index| api.requirements[index].optional) {
        Some(false) => args.push((quote!(principal), quote!(Self::Principal))),
        Some(true) => args.push((quote!(principal), quote!(Option<Self::Principal>))),
        None => {}
    }
    for (arg, ty) in [
        (quote!(path), &op.path_struct),
        (quote!(headers), &op.header_struct),
        (quote!(cookies), &op.cookie_struct),
        (quote!(query), &op.query_struct),
    ] {
        if let Some(ty) = ty {
            let ty = ident(ty);
            args.push((arg, quote!(params::#ty)));
        }
    }
    if let Some(ty) = body_type(op) {
        args.push((quote!(body), ty));
    }
    if let Some(negotiation) = &op.negotiation {
        let ty = ident(&negotiation.enum_name);
        args.push((quote!(media), quote!(params::#ty)));
    }
    if op.streams_events() {
        args.push((quote!(last_event_id), quote!(Option<String>)));
    }
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    let params = args.iter().map(|(name, ty)| quote!(#name: #ty));
    let signature = quote! {
        fn #name(&self, #(#params),*) -> impl Future<Output = Result<#reply, HttpError>> + Send
    };
    if !defaults {
        return quote! {
            #docs
            #deprecated
            #signature;
        };
    }
    let names = args.iter().map(|(name, _)| name);
    let id = &op.id;
    quote! {
        #docs
        #deprecated
        #signature {
            #(let _ = #names;)*
            std::future::ready(Err(HttpError::not_implemented(#id)))
        }
    }
}

/// Whether the handler reads the request's headers for the body (its
/// content type; a multipart body is read from the request itself), for
/// `Accept` or for `Last-Event-ID`.
fn reads_header_map(op: &Operation) -> bool {
    op.body
        .as_ref()
        .is_some_and(|body| !matches!(body.kind, BodyKind::Multipart { .. }))
        || op.negotiation.is_some()
        || op.streams_events()
}

/// The body argument's type (`Option<…>` when the body is optional).
fn body_type(op: &Operation) -> Option<TokenStream> {
    let body = op.body.as_ref()?;
    let ty = match &body.kind {
        BodyKind::Json(Some(ty)) => model_type(ty),
        BodyKind::Json(None) => quote!(serde_json::Value),
        BodyKind::Text => quote!(String),
        BodyKind::Form { struct_name, .. } => {
            let name = ident(struct_name);
            quote!(params::#name)
        }
        BodyKind::Bytes => quote!(ByteStream),
        BodyKind::Multipart { struct_name, .. } => {
            let name = ident(struct_name);
            quote!(params::#name)
        }
        BodyKind::Choice { enum_name, .. } => {
            let name = ident(enum_name);
            quote!(params::#name)
        }
    };
    Some(if body.required {
        ty
    } else {
        quote!(Option<#ty>)
    })
}

/// Reads a body of `kind` from `raw` (a `Result<Bytes, BytesRejection>`) in
/// the `accepted` media types, with its `checks`: a `Result` of the value
/// (`Option` of it when not `required`).
fn read_body(
    kind: &BodyKind,
    required: bool,
    accepted: &str,
    body_checks: &crate::ir::Checks,
    raw: TokenStream,
) -> TokenStream {
    let parse = match (kind, required) {
        (BodyKind::Json(ty), true) => {
            let ty = ty.as_ref().map_or(quote!(serde_json::Value), model_type);
            quote!(runtime::json_body::<#ty>(&header_map, #raw))
        }
        (BodyKind::Json(ty), false) => {
            let ty = ty.as_ref().map_or(quote!(serde_json::Value), model_type);
            quote!(runtime::optional_json_body::<#ty>(&header_map, #raw))
        }
        (BodyKind::Text, true) => quote!(
            runtime::body_of(&header_map, #raw, #accepted)
                .and_then(|bytes| runtime::text(&header_map, bytes))
        ),
        (BodyKind::Text, false) => quote!(
            runtime::optional_body_of(&header_map, #raw, #accepted)
                .and_then(|body| body.map(|bytes| runtime::text(&header_map, bytes)).transpose())
        ),
        (BodyKind::Form { struct_name, .. }, true) => {
            let name = ident(struct_name);
            quote!(
                runtime::fields_body_of(&header_map, #raw, #accepted)
                    .and_then(|bytes| crate::runtime::form::decode(&bytes))
                    .and_then(|pairs| params::#name::from_pairs(&pairs))
            )
        }
        (BodyKind::Form { struct_name, .. }, false) => {
            let name = ident(struct_name);
            quote!(
                runtime::optional_body_of(&header_map, #raw, #accepted)
                    .and_then(|body| body.map(|bytes| {
                        crate::runtime::form::decode(&bytes)
                            .and_then(|pairs| params::#name::from_pairs(&pairs))
                    }).transpose())
            )
        }
        (BodyKind::Bytes, true) => quote!(runtime::body_of(&header_map, #raw, #accepted)),
        (BodyKind::Bytes, false) => quote!(runtime::optional_body_of(&header_map, #raw, #accepted)),
        // A choice's variants are read one by one, each as its own kind;
        // a multipart body is read part by part, in the handler.
        (BodyKind::Choice { .. } | BodyKind::Multipart { .. }, _) => {
            quote!(compile_error!("a body read as a whole cannot be this kind"))
        }
    };
    if body_checks.is_empty() {
        return parse;
    }
    let checker = checks::checker(body_checks);
    let check = if required {
        quote!(runtime::check_body(&body, #checker)?;)
    } else {
        quote!(if let Some(value) = &body {
            runtime::check_body(value, #checker)?;
        })
    };
    quote!(#parse.and_then(|body| { #check Ok(body) }))
}

fn handler(api: &Api, op: &Operation) -> TokenStream {
    let name = ident(&op.handler);
    let method = ident(&op.fn_name);
    let reply = ident(&op.reply);
    let trait_ident = ident(&op.trait_name);
    let needs_query = reads_query(api, op);
    // Credentials, header parameters and the content type of a body.
    let needs_header_map = op.requirement.is_some()
        || op.header_struct.is_some()
        || op.cookie_struct.is_some()
        || reads_header_map(op);
    let mut extractors = vec![quote!(State(api): State<Arc<A>>)];
    if op.path_struct.is_some() {
        extractors.push(quote!(raw_path: Result<Path<Vec<(String, String)>>, PathRejection>));
    }
    if needs_header_map {
        extractors.push(quote!(header_map: HeaderMap));
    }
    if needs_query {
        extractors.push(quote!(raw_query: Result<Query<Vec<(String, String)>>, QueryRejection>));
    }
    match op.body.as_ref().map(|body| &body.kind) {
        // Raw bytes reach the handler as they arrive.
        Some(BodyKind::Bytes) => extractors.push(quote!(raw_body: axum::body::Body)),
        // A multipart body is read with the router's limits, in the request.
        Some(BodyKind::Multipart { .. }) => {
            extractors.push(quote!(raw_body: axum::extract::Request))
        }
        Some(_) => extractors.push(quote!(raw_body: Result<bytes::Bytes, BytesRejection>)),
        None => {}
    }
    let mut steps = Vec::new();
    let mut call_args = Vec::new();
    if needs_query {
        steps.push(quote!(let query_pairs = runtime::query_pairs(raw_query)?;));
    }
    if let Some(index) = op.requirement {
        let check = ident(&api.requirements[index].fn_name);
        let query = if needs_query {
            quote!(&query_pairs)
        } else {
            quote!(&[])
        };
        steps.push(quote! {
            let principal = #check(&*api, runtime::Credentials::new(&header_map, #query)).await?;
        });
        call_args.push(quote!(principal));
    }
    // An answer the client cannot take is refused before anything is read.
    if let Some(negotiation) = &op.negotiation {
        let name = ident(&negotiation.enum_name);
        let media: Vec<&str> = negotiation
            .variants
            .iter()
            .map(|(_, media)| media.as_str())
            .collect();
        let listed = media.join(", ");
        let count = negotiation.variants.len();
        let arms = negotiation
            .variants
            .iter()
            .enumerate()
            .map(|(index, (variant, _))| {
                let variant = ident(variant);
                if index + 1 == count {
                    quote!(_ => params::#name::#variant,)
                } else {
                    quote!(#index => params::#name::#variant,)
                }
            });
        steps.push(quote! {
            let media = match runtime::negotiate(&header_map, &[#(#media),*], #listed)? {
                #(#arms)*
            };
        });
    }
    // Each location's struct, read in this order; all their failures are
    // reported together.
    let mut reads = Vec::new();
    for (local, ty, pairs) in [
        (
            quote!(path),
            &op.path_struct,
            quote!(&runtime::path_pairs(raw_path)?),
        ),
        (
            quote!(headers),
            &op.header_struct,
            quote!(&runtime::header_pairs(&header_map)),
        ),
        (
            quote!(cookies),
            &op.cookie_struct,
            quote!(&runtime::cookie_pairs(&header_map)),
        ),
        (quote!(query), &op.query_struct, quote!(&query_pairs)),
    ] {
        if let Some(ty) = ty {
            let ty = ident(ty);
            reads.push((local.clone(), quote!(params::#ty::from_pairs(#pairs))));
            call_args.push(local);
        }
    }
    // The body is read with the parameters: its failures join theirs.
    if let Some(body) = &op.body {
        let read = match &body.kind {
            BodyKind::Choice {
                enum_name,
                variants,
            } => {
                let enum_name = ident(enum_name);
                let media = variants.iter().map(|v| &v.content_type);
                let accepted = &body.content_type;
                let count = variants.len();
                let arms = variants.iter().enumerate().map(|(index, variant)| {
                    let name = ident(&variant.name);
                    let read = read_body(
                        &variant.kind,
                        true,
                        &variant.content_type,
                        &variant.checks,
                        quote!(Ok::<_, BytesRejection>(bytes)),
                    );
                    let wrap = if body.required {
                        quote!(params::#enum_name::#name)
                    } else {
                        quote!(|value| Some(params::#enum_name::#name(value)))
                    };
                    // The last arm takes every index, so the match needs no other.
                    let pattern = if index + 1 == count {
                        quote!(Some(_))
                    } else {
                        quote!(Some(#index))
                    };
                    quote!(#pattern => #read.map(#wrap),)
                });
                let none = if body.required {
                    quote!(None => Err(crate::runtime::request_error::RequestError::MissingBody),)
                } else {
                    quote!(None => Ok(None),)
                };
                quote!(runtime::read_body(raw_body).and_then(|bytes| {
                    match runtime::choose_media(&header_map, &bytes, &[#(#media),*], #accepted)? {
                        #none
                        #(#arms)*
                    }
                }))
            }
            BodyKind::Multipart {
                struct_name, files, ..
            } => {
                let name = ident(struct_name);
                let files = files.iter().map(|file| &file.wire_name);
                let (some, none) = if body.required {
                    (
                        quote!(params::#name::from_parts(parts)),
                        quote!(Err(RequestError::MissingBody)),
                    )
                } else {
                    (
                        quote!(params::#name::from_parts(parts).map(Some)),
                        quote!(Ok(None)),
                    )
                };
                // Read after the credentials are checked: no file is
                // stored for a request that is refused anyway.
                steps.push(quote! {
                    let body_read = crate::runtime::multipart::read(raw_body, &[#(#files),*])
                        .await
                        .and_then(|parts| match parts {
                            Some(parts) => #some,
                            None => #none,
                        });
                });
                quote!(body_read)
            }
            BodyKind::Bytes => {
                let accepted = &body.content_type;
                if body.required {
                    quote!(runtime::stream_body_of(&header_map, raw_body, #accepted))
                } else {
                    quote!(runtime::optional_stream_body_of(&header_map, raw_body, #accepted))
                }
            }
            kind => read_body(
                kind,
                body.required,
                &body.content_type,
                &body.checks,
                quote!(raw_body),
            ),
        };
        reads.push((quote!(body), read));
        call_args.push(quote!(body));
    }
    if !reads.is_empty() {
        steps.push(let_all(&reads));
    }
    if op.negotiation.is_some() {
        call_args.push(quote!(media));
    }
    if op.streams_events() {
        call_args.push(quote!(runtime::last_event_id(&header_map)));
    }
    // The router serves deprecated operations too.
    let allow_deprecated = op.deprecated.then(|| quote!(#[allow(deprecated)]));
    let body = if steps.is_empty() {
        quote! {
            api.#method().await.or_else(#reply::from_error).into_response()
        }
    } else {
        quote! {
            let request = async {
                #(#steps)*
                Ok::<_, RequestError>(api.#method(#(#call_args),*).await)
            };
            match request.await {
                Ok(result) => result.or_else(#reply::from_error).into_response(),
                Err(error) => api.request_error(error),
            }
        }
    };
    quote! {
        #allow_deprecated
        async fn #name<A: #trait_ident>(#(#extractors),*) -> Response {
            #body
        }
    }
}

/// The body of `default_request_error`: the spec's error format, filled.
fn request_error_body(api: &Api) -> TokenStream {
    let value = error_body_value(api);
    quote!(runtime::json_response(status, #value))
}

/// The spec's error body for the `RequestError` bound to `error`: the
/// error struct filled field by field, else `{"message", "status"}`.
fn error_body_value(api: &Api) -> TokenStream {
    let ErrorFill::Struct { type_name, fields } = &api.error.fill else {
        return quote! {
            serde_json::json!({ "message": error.to_string(), "status": error.status() })
        };
    };
    let inits = fields.iter().map(|fill| {
        let field = ident(&fill.field);
        let value = match &fill.value {
            FillValue::Message => quote!(error.to_string()),
            FillValue::Status(TypeRef::I32) => quote!(i32::from(error.status())),
            FillValue::Status(_) => quote!(i64::from(error.status())),
            FillValue::Code {
                enum_name,
                invalid,
                unauthorized,
                not_found,
                not_allowed,
                internal,
            } => {
                let enum_ident = ident(enum_name);
                let [invalid, unauthorized, not_found, not_allowed, internal] =
                    [invalid, unauthorized, not_found, not_allowed, internal].map(|v| ident(v));
                quote! {
                    match error {
                        RequestError::Unauthorized { .. } => models::#enum_ident::#unauthorized,
                        RequestError::UnknownRoute { .. } => models::#enum_ident::#not_found,
                        RequestError::MethodNotAllowed { .. } => models::#enum_ident::#not_allowed,
                        RequestError::Panicked | RequestError::InvalidResponseHeader { .. } | RequestError::BodyNotStored { .. } | RequestError::NotImplemented { .. } => models::#enum_ident::#internal,
                        _ => models::#enum_ident::#invalid,
                    }
                }
            }
            FillValue::CodeText => quote!(error.code().to_owned()),
            FillValue::Nothing => quote!(None),
            FillValue::Default => quote!(Default::default()),
        };
        let value = (0..fill.wrap).fold(value, |inner, _| quote!(Some(#inner)));
        quote!(#field: #value,)
    });
    let ty = ident(type_name);
    quote!(models::#ty { #(#inits)* })
}

/// Whether `HttpError::not_implemented` can be built: the body of a request
/// error has `HttpError`'s body type.
pub fn can_answer_not_implemented(api: &Api) -> bool {
    match &api.error.fill {
        ErrorFill::Struct { .. } => true,
        ErrorFill::Generic => api.error.body.is_none(),
    }
}

/// The server module; with `defaults`, every trait method has a body that
/// answers 501 Not Implemented (see [`can_answer_not_implemented`]).
pub fn server_file(api: &Api, defaults: bool) -> TokenStream {
    let events_use = api.uses_events().then(|| {
        quote!(
            pub use crate::runtime::events::{Event, EventStream};
        )
    });
    let file_part_use = api.uses_multipart().then(|| {
        quote!(
            pub use crate::runtime::multipart::FilePart;
        )
    });
    let has_security = !api.requirements.is_empty();
    let principal = has_security.then(|| {
        let hooks = auth_hooks(api);
        quote! {
            /// Who made a request, as the authentication hooks establish it.
            type Principal: Send + 'static;

            #hooks
        }
    });
    let trait_items = api.traits.iter().map(|t| {
        let name = ident(&t.name);
        let methods = t
            .operations
            .iter()
            .map(|&i| trait_method(api, &api.operations[i], defaults));
        let doc = if defaults {
            format!(
                " The operations tagged `{}`. Implement those you serve; the others answer \
                 501 Not Implemented. [`router`] does the HTTP.",
                t.tag
            )
        } else {
            format!(
                " The operations tagged `{}`. Implement them; [`router`] does the HTTP.",
                t.tag
            )
        };
        quote! {
            #[doc = #doc]
            pub trait #name: ApiHooks {
                #(#methods)*
            }
        }
    });
    let bounds: Vec<_> = api.traits.iter().map(|t| ident(&t.name)).collect();
    let bound = if bounds.is_empty() {
        quote!(ApiHooks)
    } else {
        quote!(#(#bounds)+*)
    };
    let replies = api.operations.iter().map(|op| reply_enum(api, op));
    let requirement_fns = api.requirements.iter().map(|r| requirement_fn(api, r));
    let handlers = api.operations.iter().map(|op| handler(api, op));

    let mut path_order: Vec<&str> = Vec::new();
    for op in &api.operations {
        if !path_order.contains(&op.path.as_str()) {
            path_order.push(&op.path);
        }
    }
    let route_calls = path_order.iter().map(|path| {
        let mut chain = TokenStream::new();
        for op in api.operations.iter().filter(|op| op.path == *path) {
            let method = match op.method {
                Method::Trace => format_ident!("trace"),
                other => format_ident!("{}", other.as_str().to_ascii_lowercase()),
            };
            let handler = ident(&op.handler);
            chain = if chain.is_empty() {
                quote!(routing::#method(#handler::<A>))
            } else {
                quote!(#chain.#method(#handler::<A>))
            };
        }
        quote!(.route(#path, #chain))
    });
    let base = &api.base_path;
    let base_doc = if base.is_empty() {
        " The path of the spec's first server URL: empty, so routes are mounted at the root."
            .to_owned()
    } else {
        format!(
            " The path of the spec's first server URL (`{}`), where routes are mounted by default.",
            api.servers[0].url
        )
    };
    let error_body = error_body_type(api);
    let request_error = request_error_body(api);
    let not_implemented = defaults.then(|| {
        let body = error_body_value(api);
        quote! {
            /// 501 Not Implemented in the spec's error format: what the
            /// trait methods an implementation leaves out answer.
            pub fn not_implemented(operation: &'static str) -> Self {
                let error = RequestError::NotImplemented { operation };
                HttpError { status: error.status(), body: #body }
            }
        }
    });
    let hooks_doc = format!(
        " Hooks the generated server calls before any operation of {}: authentication and the shape of request errors.",
        api.title
    );

    let items = quote! {
        #[doc = #base_doc]
        pub const BASE_PATH: &str = #base;

        #[doc = #hooks_doc]
        pub trait ApiHooks: Send + Sync + 'static {
            #principal

            /// Turns a request the server refused (bad parameter, body, credentials…)
            /// into the response sent. Override to change the error format.
            fn request_error(&self, error: RequestError) -> Response {
                default_request_error(&error)
            }
        }

        /// An error an operation returns instead of a reply, in the spec's error
        /// format. Convert your own error type once (`impl From<MyError> for
        /// HttpError`) and every operation answers with `?`: the server sends the
        /// operation's documented response for the status (see each reply's
        /// `from_error`), or the error as it is when the status is undocumented.
        #[derive(Debug, Clone, PartialEq)]
        pub struct HttpError {
            /// The HTTP status.
            pub status: u16,
            /// The body, in the spec's error format.
            pub body: #error_body,
        }

        impl HttpError {
            pub fn new(status: u16, body: #error_body) -> Self {
                HttpError { status, body }
            }

            #not_implemented
        }

        impl IntoResponse for HttpError {
            fn into_response(self) -> Response {
                runtime::json_response(runtime::status(self.status), self.body)
            }
        }

        #(#trait_items)*

        impl Default for RouterOptions {
            /// Routes under [`BASE_PATH`], bodies up to 2 MiB.
            fn default() -> Self {
                RouterOptions::at(BASE_PATH)
            }
        }

        /// Every operation of the spec, with default [`RouterOptions`].
        pub fn router<A: #bound>(api: Arc<A>) -> Router {
            router_with(api, RouterOptions::default())
        }

        /// Every operation of the spec, mounted and limited as `options` say.
        pub fn router_with<A: #bound>(api: Arc<A>, options: RouterOptions) -> Router {
            let routes = Router::new()
                #(#route_calls)*
                .with_state(api.clone());
            runtime::mount(routes, &options, move |error| api.request_error(error))
        }

        /// The spec's error body for a refused request, with the request error's status.
        pub fn default_request_error(error: &RequestError) -> Response {
            let status = runtime::status(error.status());
            #request_error
        }

        #(#replies)*

        #(#requirement_fns)*

        #(#handlers)*
    };

    let any_ops = !api.operations.is_empty();
    let has = |location| {
        api.operations
            .iter()
            .any(|op| op.params.iter().any(|p| p.location == location))
    };
    let any_path = has(ParamLocation::Path);
    let any_query = api.operations.iter().any(|op| reads_query(api, op));
    let any_whole_body = api.operations.iter().any(|op| {
        op.body
            .as_ref()
            .is_some_and(|body| !matches!(body.kind, BodyKind::Bytes | BodyKind::Multipart { .. }))
    });
    let any_header_map = has(ParamLocation::Header)
        || has(ParamLocation::Cookie)
        || has_security
        || api.operations.iter().any(reads_header_map);
    let mut extract = Vec::new();
    let mut rejections = Vec::new();
    if any_path {
        extract.push(quote!(Path));
        rejections.push(quote!(PathRejection));
    }
    if any_query {
        extract.push(quote!(Query));
        rejections.push(quote!(QueryRejection));
    }
    if any_ops {
        extract.push(quote!(State));
    }
    if any_whole_body {
        rejections.insert(0, quote!(BytesRejection));
    }
    let extract_use = (!extract.is_empty()).then(|| quote!(use axum::extract::{#(#extract),*};));
    let rejection_use =
        (!rejections.is_empty()).then(|| quote!(use axum::extract::rejection::{#(#rejections),*};));
    let header_use = any_header_map.then(|| {
        quote!(
            use axum::http::HeaderMap;
        )
    });
    let router_use = if any_ops {
        quote!(
            use axum::{Router, routing};
        )
    } else {
        quote!(
            use axum::Router;
        )
    };
    let models_use = mentions_path(&items, "models").then(|| {
        quote!(
            use crate::models;
        )
    });
    let params_use = mentions_path(&items, "params").then(|| {
        quote!(
            use crate::params;
        )
    });
    quote! {
        // Replies hold bodies inline, so they can be matched on.
        #![allow(clippy::large_enum_variant)]

        use std::sync::Arc;

        #rejection_use
        #extract_use
        #header_use
        use axum::response::{IntoResponse, Response};
        #router_use

        #models_use
        #params_use
        use crate::runtime::server as runtime;

        pub use crate::runtime::request_error::RequestError;
        pub use crate::runtime::server::RouterOptions;
        pub use crate::runtime::stream::ByteStream;
        #file_part_use
        #events_use
        pub use crate::spec::OPENAPI_JSON;

        #items
    }
}
