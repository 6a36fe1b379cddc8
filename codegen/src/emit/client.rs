//! The client emitter: `src/client.rs` of the generated crate (cargo feature
//! `client`). A `Client` with one async method per operation: typed inputs
//! (path, header and cookie parameters as arguments, the query struct, the body),
//! typed results, and errors that tell documented error statuses from other
//! statuses and from transport failures. Each method reads its arguments in
//! one expression that builds the request, so no later local can shadow them.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::checks;
use super::rust::{
    doc_attrs, ident, mentions_path, model_type, object_layout, status_literal, value_text,
};
use crate::ir::{
    Api, BodyKind, Operation, Param, ParamLocation, ParamShape, PathPart, Response,
    ResponseContent, ResponseVariant, SecurityKind, StatusCode, TypeRef, ValueForm,
};

/// The Rust type a set of responses decodes to.
#[derive(Clone, PartialEq)]
enum Payload {
    /// No response has a body: `()`.
    Unit,
    /// Every response is JSON of this type.
    Json(TypeRef),
    /// Raw bytes (a non-JSON body): streamed for a success, whole for an error.
    Bytes,
    /// UTF-8 text (a `text/*` body whose schema is a string).
    Text,
    /// Responses disagree, or JSON without a schema: any JSON value (`null` when bodiless).
    Value,
    /// Server-sent events whose data is JSON of the type (text when `None`).
    Events(Option<TypeRef>),
    /// Several media types: the enum of `params` named so, decoded by `Content-Type`.
    Content(String, Vec<ResponseVariant>),
}

impl Payload {
    fn tokens(&self) -> TokenStream {
        match self {
            Payload::Unit => quote!(()),
            Payload::Json(ty) => model_type(ty),
            Payload::Bytes => quote!(ByteStream),
            Payload::Text => quote!(String),
            Payload::Value => quote!(serde_json::Value),
            Payload::Events(Some(ty)) => {
                let ty = model_type(ty);
                quote!(EventStream<#ty>)
            }
            Payload::Events(None) => quote!(EventStream<String>),
            Payload::Content(name, _) => {
                let name = ident(name);
                quote!(params::#name)
            }
        }
    }

    /// Whether the body is streamed to the caller rather than read whole
    /// (a variant of a body enum that is JSON or text is read whole then).
    fn is_streamed(&self) -> bool {
        matches!(
            self,
            Payload::Bytes | Payload::Events(_) | Payload::Content(..)
        )
    }

    /// As an error body: JSON is read whole (a body enum's JSON variant, or
    /// any JSON), nothing is streamed.
    fn for_errors(self) -> Payload {
        match self {
            Payload::Content(_, variants) => variants
                .iter()
                .find_map(|variant| match &variant.content {
                    ResponseContent::Json { ty: Some(ty), .. } => Some(Payload::Json(ty.clone())),
                    _ => None,
                })
                .unwrap_or(Payload::Value),
            Payload::Events(_) => Payload::Value,
            other => other,
        }
    }

    /// The decoder of a body, as a function of the response returning
    /// `Result<T, ClientError<E>>`; `error`: the body of a documented error.
    fn decoder(&self, error: bool) -> TokenStream {
        match self {
            Payload::Unit => quote!(IncomingResponse::nothing),
            Payload::Json(_) if error => quote!(IncomingResponse::json_error),
            Payload::Json(_) => quote!(IncomingResponse::json),
            Payload::Bytes => quote!(IncomingResponse::bytes),
            Payload::Text => quote!(IncomingResponse::text),
            Payload::Value | Payload::Events(_) | Payload::Content(..) => {
                quote!(IncomingResponse::json_or_null)
            }
        }
    }
}

fn payload_of(responses: &[&Response]) -> Payload {
    let payloads: Vec<Payload> = responses
        .iter()
        .map(|r| match &r.content {
            ResponseContent::None => Payload::Unit,
            ResponseContent::Bytes { .. } => Payload::Bytes,
            ResponseContent::Text { .. } => Payload::Text,
            ResponseContent::Json { ty: Some(ty), .. } => Payload::Json(ty.clone()),
            ResponseContent::Json { ty: None, .. } => Payload::Value,
            ResponseContent::Events { ty, .. } => Payload::Events(ty.clone()),
            ResponseContent::Choice {
                enum_name,
                variants,
            } => Payload::Content(enum_name.clone(), variants.clone()),
        })
        .collect();
    match payloads.first() {
        None => Payload::Unit,
        Some(first) if payloads.iter().all(|p| p == first) => first.clone(),
        Some(_) => Payload::Value,
    }
}

/// The bytes sent for `body`, a reference to a text, a form or a body
/// enum's `bytes::Bytes`.
fn body_bytes(kind: &BodyKind) -> TokenStream {
    match kind {
        BodyKind::Text => quote!(body.as_bytes()),
        BodyKind::Form { .. } => quote!(runtime::form::encode(&body.to_pairs()).as_bytes()),
        _ => quote!(&body[..]),
    }
}

/// The value of a success, `Result<ResponseValue<…>, ClientError<…>>`,
/// with the documented `headers` struct if any.
fn success_value(payload: &Payload, headers_struct: Option<&str>) -> TokenStream {
    let headers = headers_struct.map(ident);
    let stream_value = match &headers {
        Some(headers) => quote!(response.stream_value_with_headers(params::#headers::from_pairs)),
        None => quote!(response.stream_value()),
    };
    let whole_value = |decode: TokenStream| match &headers {
        Some(headers) => {
            quote!(response.into_whole().await?.value_with_headers(#decode, params::#headers::from_pairs))
        }
        None => quote!(response.into_whole().await?.value(#decode)),
    };
    match payload {
        Payload::Bytes => stream_value,
        Payload::Events(Some(ty)) => {
            let ty = model_type(ty);
            quote!(#stream_value.map(|value| value.map(crate::runtime::events::decode_json::<#ty>)))
        }
        Payload::Events(None) => {
            quote!(#stream_value.map(|value| value.map(crate::runtime::events::decode_text)))
        }
        Payload::Content(name, variants) => {
            let name = ident(name);
            let media: Vec<&str> = variants
                .iter()
                .flat_map(|variant| variant.content.media_types())
                .collect();
            let count = variants.len();
            let arms = variants.iter().enumerate().map(|(index, variant)| {
                let value = ident(&variant.name);
                let read = match &variant.content {
                    ResponseContent::Bytes { .. } => success_value(&Payload::Bytes, headers_struct),
                    ResponseContent::Events { ty, .. } => {
                        success_value(&Payload::Events(ty.clone()), headers_struct)
                    }
                    ResponseContent::Text { .. } => whole_value(quote!(IncomingResponse::text)),
                    ResponseContent::Json { ty: Some(ty), .. } => {
                        let ty = model_type(ty);
                        whole_value(quote!(IncomingResponse::json::<#ty, _>))
                    }
                    _ => whole_value(quote!(IncomingResponse::json_or_null)),
                };
                let pattern = if index + 1 == count {
                    quote!(_)
                } else {
                    quote!(#index)
                };
                quote!(#pattern => #read.map(|value| value.map(params::#name::#value)),)
            });
            quote!(match response.media_index(&[#(#media),*])? { #(#arms)* })
        }
        other => {
            let decode = other.decoder(false);
            match &headers {
                Some(headers) => {
                    quote!(response.value_with_headers(#decode, params::#headers::from_pairs))
                }
                None => quote!(response.value(#decode)),
            }
        }
    }
}

fn status_pattern(status: StatusCode) -> TokenStream {
    match status {
        StatusCode::Code(code) => {
            let code = status_literal(code);
            quote!(#code)
        }
        StatusCode::Range(hundreds) => {
            let low = status_literal(hundreds * 100);
            let high = status_literal(hundreds * 100 + 99);
            quote!(#low..=#high)
        }
        StatusCode::Default => quote!(_),
    }
}

/// The text of a path or header argument.
fn arg_text(param: &Param, value: TokenStream) -> TokenStream {
    if let Some((style, keys)) = object_layout(param) {
        return quote!(runtime::object_params::object_value(&#value, #style, #keys));
    }
    match param.shape {
        ParamShape::Delimited(form, delimiter) => {
            let item = value_text(form, quote!(item));
            quote!(runtime::params::delimited(#value.iter().map(|item| #item), #delimiter))
        }
        ParamShape::Single(form) | ParamShape::Repeated(form) => value_text(form, value),
        // Written above.
        ParamShape::Spread | ParamShape::ObjectJoined(_) | ParamShape::ObjectPairs => {
            TokenStream::new()
        }
    }
}

/// The argument type of a path or header parameter.
fn arg_type(param: &Param) -> TokenStream {
    let base = if param.ty == TypeRef::String {
        quote!(&str)
    } else {
        model_type(&param.ty)
    };
    if optional_arg(param) {
        quote!(Option<#base>)
    } else {
        base
    }
}

/// Whether a path, header or cookie argument is an `Option` (path
/// parameters never are).
fn optional_arg(param: &Param) -> bool {
    !(param.required || param.location == ParamLocation::Path)
}

fn operation_method(api: &Api, op: &Operation) -> TokenStream {
    let name = ident(&op.fn_name);
    let successes: Vec<&Response> = op
        .responses
        .iter()
        .filter(|r| r.status.is_success())
        .collect();
    let errors: Vec<&Response> = op
        .responses
        .iter()
        .filter(|r| !r.status.is_success())
        .collect();
    let success = payload_of(&successes);
    let error = if errors.is_empty() {
        Payload::Value
    } else {
        payload_of(&errors).for_errors()
    };
    let success_ty = match &op.success_headers {
        Some(headers) => {
            let body = success.tokens();
            let headers = ident(headers);
            quote!(ResponseValue<#body, params::#headers>)
        }
        None => {
            let body = success.tokens();
            quote!(ResponseValue<#body>)
        }
    };
    let error_ty = match error {
        Payload::Bytes => quote!(bytes::Bytes),
        _ => error.tokens(),
    };

    let mut docs = op.docs.clone();
    let documented: Vec<String> = errors.iter().map(|r| r.status.to_string()).collect();
    if !documented.is_empty() {
        docs.push_str(&format!(
            "\n\nDocumented errors ({}) come back as [`ClientError::Documented`]; any other error status as [`ClientError::Api`].",
            documented.join(", ")
        ));
        for response in &errors {
            if let Some(headers) = &response.headers_struct {
                docs.push_str(&format!(
                    " The {} response documents headers: `error.headers_as(params::{headers}::from_pairs)` reads them typed.",
                    response.status
                ));
            }
        }
    }
    let docs = doc_attrs(Some(&docs));

    let mut args = Vec::new();
    for p in op
        .params_in(ParamLocation::Path)
        .chain(op.params_in(ParamLocation::Header))
        .chain(op.params_in(ParamLocation::Cookie))
    {
        let arg = ident(&p.arg);
        let ty = arg_type(p);
        args.push(quote!(#arg: #ty));
    }
    if let Some(query) = &op.query_struct {
        let query = ident(query);
        args.push(quote!(query: &params::#query));
    }

    // The path: literal pieces and percent-encoded parameters.
    let mut format = String::new();
    let mut format_args = Vec::new();
    for part in &op.template {
        match part {
            PathPart::Literal(text) => format.push_str(&text.replace('{', "{{").replace('}', "}}")),
            PathPart::Param(index) => {
                let param = &op.params[*index];
                let arg = ident(&param.arg);
                format.push_str("{}");
                let wire = &param.wire_name;
                format_args.push(if let Some((style, exploded)) = checks::path_style(param) {
                    let items = match param.shape {
                        ParamShape::Delimited(form, _) => {
                            let item = value_text(form, quote!(item));
                            quote!(#arg.iter().map(|item| #item))
                        }
                        ParamShape::Single(form) => {
                            let text = value_text(form, quote!(#arg));
                            quote!([#text])
                        }
                        _ => {
                            let text = value_text(ValueForm::Json, quote!(#arg));
                            quote!([#text])
                        }
                    };
                    let array = matches!(param.ty, TypeRef::Vec(_));
                    quote!(runtime::client::styled_path_segment(#wire, #items, #style, #array, #exploded)?)
                } else if param.ty == TypeRef::String {
                    quote!(runtime::client::path_segment(#wire, #arg)?)
                } else if object_layout(param).is_some() {
                    // An object with no property set would empty the segment.
                    let text = arg_text(param, quote!(#arg));
                    quote!(runtime::client::path_segment(#wire, &#text)?)
                } else {
                    let text = arg_text(param, quote!(#arg));
                    quote!(runtime::client::encode_path_segment(&#text))
                });
            }
        }
    }
    let path = if format_args.is_empty() {
        quote!(#format.to_owned())
    } else {
        quote!(format!(#format, #(#format_args),*))
    };
    let method = format_ident!("{}", op.method.as_str());
    let mut chain = vec![quote!(OutgoingRequest::new(reqwest::Method::#method, #path))];
    let mut checks_before = Vec::new();
    // The parameters' rules, in the order the server reads them.
    let mut param_checks = Vec::new();
    for p in op
        .params_in(ParamLocation::Path)
        .chain(op.params_in(ParamLocation::Header))
        .chain(op.params_in(ParamLocation::Cookie))
    {
        let arg = ident(&p.arg);
        let optional = optional_arg(p);
        // The argument as a reference (`&str` already is one).
        let value = match (&p.ty, optional) {
            (TypeRef::String, _) => quote!(#arg),
            (TypeRef::Vec(_), true) => quote!(#arg.as_deref()),
            (_, true) => quote!(#arg.as_ref()),
            (_, false) => quote!(&#arg),
        };
        param_checks.extend(checks::param_check(
            p,
            quote!(runtime::params::Param),
            value,
            optional,
        ));
        param_checks.extend(checks::present_check(
            p,
            quote!(runtime::params::Param),
            quote!(&#arg),
        ));
    }
    if checks::validates(op.params_in(ParamLocation::Query)) {
        param_checks.push(quote!(query.validate()));
    }
    if let Some(body) = &op.body
        && let BodyKind::Form { fields, .. } = &body.kind
        && checks::validates(fields)
    {
        param_checks.push(if body.required {
            quote!(body.validate())
        } else {
            quote!(body.map_or(Ok(()), |body| body.validate()))
        });
    }
    if let Some(body) = &op.body
        && let BodyKind::Multipart { fields, .. } = &body.kind
        && checks::validates(fields)
    {
        param_checks.push(if body.required {
            quote!(body.fields.validate())
        } else {
            quote!(body.as_ref().map_or(Ok(()), |body| body.fields.validate()))
        });
    }
    if !param_checks.is_empty() {
        checks_before.push(quote!(runtime::client::check_params([#(#param_checks),*])?;));
    }
    let mut accept_arg = None;
    match (&op.accept, &op.negotiation) {
        // The caller may ask for one of the media types of the successes.
        (Some(accept), Some(negotiation)) => {
            let name = ident(&negotiation.enum_name);
            accept_arg = Some(quote!(accept: Option<params::#name>));
            chain.push(quote!(.accept(accept.map_or(#accept, params::#name::media_type))));
        }
        (Some(accept), None) => chain.push(quote!(.accept(#accept))),
        (None, _) => {}
    }
    if op.query_struct.is_some() {
        chain.push(quote!(.query(query.to_pairs())));
    }
    for p in op
        .params_in(ParamLocation::Header)
        .chain(op.params_in(ParamLocation::Cookie))
    {
        let arg = ident(&p.arg);
        let wire = &p.wire_name;
        let (one, optional) = if p.location == ParamLocation::Cookie {
            (quote!(cookie), quote!(optional_cookie))
        } else {
            (quote!(header), quote!(optional_header))
        };
        if p.location == ParamLocation::Cookie && p.shape == ParamShape::Spread {
            // One cookie per property.
            let (style, keys) = object_layout(p).unwrap_or_default();
            let pairs = quote!(runtime::object_params::object_pairs(#wire, value, #style, #keys));
            chain.push(if p.required {
                quote!(.cookies({ let value = &#arg; #pairs }))
            } else {
                quote!(.cookies(#arg.as_ref().map(|value| #pairs).unwrap_or_default()))
            });
        } else if p.required {
            let text = arg_text(p, quote!(#arg));
            chain.push(quote!(.#one(#wire, #text)));
        } else {
            let text = arg_text(p, quote!(value));
            chain.push(quote!(.#optional(#wire, #arg.map(|value| #text))));
        }
    }
    // Credentials of every scheme the operation accepts, when the client has them.
    let mut schemes: Vec<usize> = op
        .requirement
        .iter()
        .flat_map(|&i| api.requirements[i].alternatives.iter().flatten())
        .map(|used| used.scheme)
        .collect();
    schemes.sort_unstable();
    schemes.dedup();
    for i in schemes {
        let scheme = &api.security_schemes[i];
        let field = ident(&scheme.client_field);
        let value = quote!(self.#field.as_deref());
        chain.push(match &scheme.kind {
            SecurityKind::ApiKey {
                location: ParamLocation::Query,
                param_name,
            } => quote!(.query_credential(#param_name, #value)),
            SecurityKind::ApiKey {
                location: ParamLocation::Cookie,
                param_name,
            } => quote!(.cookie_credential(#param_name, #value)),
            SecurityKind::ApiKey { param_name, .. } => {
                quote!(.header_credential(#param_name, #value))
            }
            SecurityKind::Basic => quote!(.authorization("Basic", #value)),
            SecurityKind::Http { scheme } if !scheme.eq_ignore_ascii_case("bearer") => {
                let scheme = heck::ToUpperCamelCase::to_upper_camel_case(scheme.as_str());
                quote!(.authorization(#scheme, #value))
            }
            _ => quote!(.authorization("Bearer", #value)),
        });
    }
    // A body of several media types is set after the chain, by its variant.
    let mut choose_body = None;
    if let Some(body) = &op.body {
        let content_type = &body.content_type;
        let required_bytes = body_bytes(&body.kind);
        let (ty, call) = match (&body.kind, body.required) {
            // Several media types: the variant says which is sent.
            (
                BodyKind::Choice {
                    enum_name,
                    variants,
                },
                required,
            ) => {
                let name = ident(enum_name);
                let arms = variants.iter().map(|variant| {
                    let value = ident(&variant.name);
                    let media = &variant.content_type;
                    let send = match &variant.kind {
                        BodyKind::Json(_) => quote!(request.json_body(#media, body)?),
                        // The lowering makes no choice inside a choice.
                        BodyKind::Choice { .. } => quote!(request),
                        kind => {
                            let bytes = body_bytes(kind);
                            quote!(request.bytes_body(#media, #bytes))
                        }
                    };
                    let check = match &variant.kind {
                        BodyKind::Form { fields, .. } if checks::validates(fields) => {
                            Some(quote!(runtime::client::check_params([body.validate()])?;))
                        }
                        _ if !variant.checks.is_empty() => {
                            let checker = checks::checker(&variant.checks);
                            Some(quote!(runtime::client::check_body(body, #checker)?;))
                        }
                        _ => None,
                    };
                    let pattern = if required {
                        quote!(params::#name::#value(body))
                    } else {
                        quote!(Some(params::#name::#value(body)))
                    };
                    quote!(#pattern => { #check #send })
                });
                let none = (!required).then(|| quote!(None => request,));
                choose_body = Some(quote!(let request = match body { #none #(#arms)* };));
                (quote!(params::#name), TokenStream::new())
            }
            // A range (`image/*`): the caller names the media type it sends.
            (BodyKind::Bytes | BodyKind::Text, required) if body.is_range() => {
                let bytes = match (&body.kind, required) {
                    (BodyKind::Text, true) => quote!(body.as_bytes()),
                    (BodyKind::Text, false) => quote!(body.map(str::as_bytes)),
                    _ => quote!(body),
                };
                args.push(quote!(content_type: &str));
                if body.kind == BodyKind::Text {
                    let call = if required {
                        quote!(.bytes_body_in(#content_type, content_type, #bytes)?)
                    } else {
                        quote!(.optional_bytes_body_in(#content_type, content_type, #bytes)?)
                    };
                    (quote!(str), call)
                } else if required {
                    (
                        quote!(ByteStream),
                        quote!(.stream_body_in(#content_type, content_type, body.into())?),
                    )
                } else {
                    (
                        quote!(ByteStream),
                        quote!(.optional_stream_body_in(#content_type, content_type, body)?),
                    )
                }
            }
            (BodyKind::Json(ty), true) => (
                ty.as_ref().map_or(quote!(serde_json::Value), model_type),
                quote!(.json_body(#content_type, body)?),
            ),
            (BodyKind::Json(ty), false) => (
                ty.as_ref().map_or(quote!(serde_json::Value), model_type),
                quote!(.optional_json_body(#content_type, body)?),
            ),
            (BodyKind::Text, true) => (
                quote!(str),
                quote!(.bytes_body(#content_type, #required_bytes)),
            ),
            (BodyKind::Text, false) => (
                quote!(str),
                quote!(.optional_bytes_body(#content_type, body.map(str::as_bytes))),
            ),
            (BodyKind::Form { struct_name, .. }, true) => {
                let name = ident(struct_name);
                (
                    quote!(params::#name),
                    quote!(.bytes_body(#content_type, #required_bytes)),
                )
            }
            (BodyKind::Form { struct_name, .. }, false) => {
                let name = ident(struct_name);
                (
                    quote!(params::#name),
                    quote!(.optional_bytes_body(
                        #content_type,
                        body.map(|body| runtime::form::encode(&body.to_pairs())).as_deref().map(str::as_bytes),
                    )),
                )
            }
            (
                BodyKind::Multipart {
                    struct_name,
                    fields,
                    ..
                },
                required,
            ) => {
                let name = ident(struct_name);
                // Objects are JSON text, sent as such.
                let json = fields
                    .iter()
                    .filter(|field| {
                        matches!(
                            field.shape,
                            ParamShape::Single(ValueForm::Json)
                                | ParamShape::Repeated(ValueForm::Json)
                        )
                    })
                    .map(|field| &field.wire_name);
                let call = if required {
                    quote!(.multipart_body(body.into_parts(), &[#(#json),*])?)
                } else {
                    quote!(.optional_multipart_body(body.map(params::#name::into_parts), &[#(#json),*])?)
                };
                (quote!(params::#name), call)
            }
            (BodyKind::Bytes, true) => (
                quote!(ByteStream),
                quote!(.stream_body(#content_type, body.into())),
            ),
            (BodyKind::Bytes, false) => (
                quote!(ByteStream),
                quote!(.optional_stream_body(#content_type, body)),
            ),
        };
        // A stream is the caller's to give away: taken by value.
        args.push(match (&body.kind, body.required) {
            (BodyKind::Bytes, true) => quote!(body: impl Into<#ty>),
            (BodyKind::Bytes, false) => quote!(body: Option<#ty>),
            (BodyKind::Multipart { .. }, true) => quote!(body: #ty),
            (BodyKind::Multipart { .. }, false) => quote!(body: Option<#ty>),
            (_, true) => quote!(body: &#ty),
            (_, false) => quote!(body: Option<&#ty>),
        });
        if !body.checks.is_empty() {
            let checker = checks::checker(&body.checks);
            checks_before.push(if body.required {
                quote!(runtime::client::check_body(body, #checker)?;)
            } else {
                quote!(if let Some(body) = body {
                    runtime::client::check_body(body, #checker)?;
                })
            });
        }
        chain.push(call);
    }

    // The media type asked for comes last, after the body.
    args.extend(accept_arg);
    let mut arms = Vec::new();
    if !successes.is_empty() {
        let patterns: Vec<TokenStream> =
            successes.iter().map(|r| status_pattern(r.status)).collect();
        let value = success_value(&success, op.success_headers.as_deref());
        // Binary successes come as a stream, read by the caller.
        if success.is_streamed() {
            chain.push(quote!(.stream_response(|status| matches!(status, #(#patterns)|*))));
        }
        arms.push(quote!(#(#patterns)|* => #value,));
    }
    let specific: Vec<&&Response> = errors
        .iter()
        .filter(|r| r.status != StatusCode::Default)
        .collect();
    let decoder = error.decoder(true);
    if !specific.is_empty() {
        let patterns = specific.iter().map(|r| status_pattern(r.status));
        arms.push(quote!(#(#patterns)|* => response.documented(#decoder),));
    }
    if errors.iter().any(|r| r.status == StatusCode::Default) {
        arms.push(quote!(_ if response.status >= 400 => response.documented(#decoder),));
    }
    arms.push(quote!(_ => response.undocumented(),));
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    // Path, header and cookie parameters are arguments: a spec decides how many.
    let many = (args.len() >= 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    quote! {
        #docs
        #deprecated
        #many
        pub async fn #name(&self, #(#args),*) -> Result<#success_ty, ClientError<#error_ty>> {
            #(#checks_before)*
            let request = #(#chain)*;
            #choose_body
            let response = self.transport.send(request).await?;
            match response.status {
                #(#arms)*
            }
        }
    }
}

pub fn client_file(api: &Api) -> TokenStream {
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
    let server_consts = api.servers.iter().map(|server| {
        let name = ident(&server.const_name);
        let url = &server.url;
        let doc = match server.description.as_deref() {
            Some(description) if !description.is_empty() => format!(" {description}: `{url}`"),
            _ => format!(" `{url}`"),
        };
        quote!(#[doc = #doc] pub const #name: &str = #url;)
    });
    let server_count = api.servers.len();
    let server_entries = api.servers.iter().map(|server| {
        let name = ident(&server.const_name);
        let description = server.description.clone().unwrap_or_default();
        quote!((#name, #description))
    });
    let credential_fields = api.security_schemes.iter().map(|s| {
        let field = ident(&s.client_field);
        quote!(#field: Option<String>,)
    });
    let credential_inits = api.security_schemes.iter().map(|s| {
        let field = ident(&s.client_field);
        quote!(#field: None,)
    });
    let setters = api.security_schemes.iter().map(|s| {
        let field = ident(&s.client_field);
        let method = ident(&s.client_setter);
        let what = match &s.kind {
            SecurityKind::ApiKey {
                location,
                param_name,
            } => format!(
                " Sends `key` as the `{}` credential (the `{param_name}` {}).",
                s.name,
                location.as_str()
            ),
            SecurityKind::Basic => format!(
                " Sends `username` and `password` as the `{}` credentials (`Authorization: Basic …`). A `:` cannot be part of the user name (RFC 7617): the server reads the name up to the first one.",
                s.name
            ),
            SecurityKind::Http { scheme } => format!(
                " Sends `key` as the `{}` credential (`Authorization: {scheme} …`).",
                s.name
            ),
            _ => format!(
                " Sends `key` as the `{}` credential (`Authorization: Bearer …`).",
                s.name
            ),
        };
        let alias = s.client_alias.as_ref().map(|alias| {
            let alias = ident(alias);
            let doc = if matches!(s.kind, SecurityKind::ApiKey { .. }) {
                " Sends `key` as the API key (the spec's only API-key scheme)."
            } else {
                " Sends `key` as the spec's only HTTP/bearer credential."
            };
            quote! {
                #[doc = #doc]
                pub fn #alias(self, key: impl Into<String>) -> Self {
                    self.#method(key)
                }
            }
        });
        if s.kind == SecurityKind::Basic {
            // Kept encoded: it is sent as is with every request.
            return quote! {
                #[doc = #what]
                pub fn #method(mut self, username: &str, password: &str) -> Self {
                    self.#field = Some(runtime::basic_auth::encode(username, password));
                    self
                }
            };
        }
        quote! {
            #[doc = #what]
            pub fn #method(mut self, key: impl Into<String>) -> Self {
                self.#field = Some(key.into());
                self
            }

            #alias
        }
    });
    let methods: Vec<TokenStream> = api
        .operations
        .iter()
        .map(|op| operation_method(api, op))
        .collect();
    let new_doc = match api.servers.first() {
        Some(server) => format!(
            " A client for the API at `base_url` (e.g. [`{}`]), with a default `reqwest` client, no credentials and no retries.",
            server.const_name
        ),
        None => " A client for the API at `base_url`, with a default `reqwest` client, no credentials and no retries.".to_owned(),
    };
    let items = quote! {
        #(#server_consts)*

        /// Every server of the spec: URL and description.
        pub const SERVERS: [(&str, &str); #server_count] = [#(#server_entries),*];

        /// A typed client of every operation of the spec.
        #[derive(Debug, Clone)]
        pub struct Client {
            transport: Transport,
            #(#credential_fields)*
        }

        impl Client {
            #[doc = #new_doc]
            pub fn new(base_url: impl Into<String>) -> Self {
                Client {
                    transport: Transport::new(base_url.into()),
                    #(#credential_inits)*
                }
            }

            /// Uses a prebuilt `reqwest` client (timeouts, proxies, TLS settings).
            pub fn with_http_client(mut self, http: reqwest::Client) -> Self {
                self.transport.set_http_client(http);
                self
            }

            /// Retries idempotent requests as `policy` says (off by default).
            pub fn with_retries(mut self, policy: RetryPolicy) -> Self {
                self.transport.set_retries(policy);
                self
            }

            /// A copy of this client whose calls use `options` (a timeout, retries,
            /// more headers, another server); this client is unchanged:
            /// `client.with_options(RequestOptions::new().timeout(…)).get_pet(…)`.
            pub fn with_options(&self, options: RequestOptions) -> Self {
                let mut client = self.clone();
                client.transport = self.transport.with_options(options);
                client
            }

            #(#setters)*

            /// The base URL every path is appended to.
            pub fn base_url(&self) -> &str {
                self.transport.base_url()
            }

            #(#methods)*
        }
    };
    let mut runtime_types = vec![quote!(Transport)];
    if !api.operations.is_empty() {
        runtime_types.insert(0, quote!(OutgoingRequest));
    }
    if mentions_path(&items, "IncomingResponse") {
        runtime_types.insert(0, quote!(IncomingResponse));
    }
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
    let runtime_use = mentions_path(&items, "runtime").then(|| {
        quote!(
            use crate::runtime;
        )
    });
    quote! {
        #models_use
        #params_use
        #runtime_use
        use crate::runtime::client::{#(#runtime_types),*};

        pub use crate::runtime::client::{ClientError, RequestOptions, ResponseValue, RetryPolicy};
        pub use crate::runtime::stream::ByteStream;
        #file_part_use
        #events_use

        #items
    }
}
