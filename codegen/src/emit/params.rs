//! The params emitter: `src/params.rs` of the generated crate, the structs of
//! each operation's path, query, header and cookie parameters and of its form
//! body's fields. Shared by the server
//! (`from_pairs`: parse and check) and the client (`to_pairs`), so it needs
//! neither axum nor reqwest. Spec names only ever appear as struct fields;
//! the parsing runs in closures of the runtime's `Param`.

use proc_macro2::TokenStream;
use quote::quote;

use super::checks;
use super::rust::{
    doc_attrs, ident, let_all, mentions_path, model_type, object_layout, or_default, value_text,
};
use crate::ir::{
    Api, BodyKind, BodyVariant, Param, ParamLocation, ParamShape, RequestBody, ResponseContent,
    TypeRef, ValueForm,
};

/// Whether the crate has a `params` module: some operation has parameters
/// or a response documents headers.
pub fn has_params(api: &Api) -> bool {
    api.operations.iter().any(|op| {
        op.path_struct.is_some()
            || op.query_struct.is_some()
            || op.header_struct.is_some()
            || op.cookie_struct.is_some()
            || op.body.as_ref().is_some_and(|body| {
                matches!(
                    body.kind,
                    BodyKind::Form { .. } | BodyKind::Choice { .. } | BodyKind::Multipart { .. }
                )
            })
            || op.responses.iter().any(|r| r.headers_struct.is_some())
            || op.negotiation.is_some()
            || op
                .responses
                .iter()
                .any(|r| matches!(r.content, ResponseContent::Choice { .. }))
    })
}

/// What a struct of values holds, for its docs and its methods.
#[derive(Clone, Copy, PartialEq)]
enum Holds {
    /// A request's parameters in one location: the server reads them, a
    /// client sends query pairs.
    Request(ParamLocation),
    /// A response's headers: the server writes them, the client reads them.
    ResponseHeaders,
}

/// The parameter structs; `open`: enums with an `Unknown(String)` variant.
pub fn params_file(api: &Api, open: &std::collections::BTreeSet<String>) -> TokenStream {
    let mut items = TokenStream::new();
    for op in &api.operations {
        for (location, name) in [
            (ParamLocation::Path, &op.path_struct),
            (ParamLocation::Query, &op.query_struct),
            (ParamLocation::Header, &op.header_struct),
            (ParamLocation::Cookie, &op.cookie_struct),
        ] {
            if let Some(name) = name {
                let params: Vec<&Param> = op.params_in(location).collect();
                let doc = format!(
                    " {} of `{}`, parsed and validated.",
                    match location {
                        ParamLocation::Path => "Path parameters",
                        ParamLocation::Query => "Query parameters",
                        ParamLocation::Header => "Header parameters",
                        ParamLocation::Cookie => "Cookie parameters",
                        ParamLocation::Form => "Form fields",
                    },
                    op.id
                );
                items.extend(values_struct(
                    &params,
                    Holds::Request(location),
                    name,
                    &doc,
                    open,
                ));
            }
        }
        for kind in op.body.iter().flat_map(|body| body.kind.each()) {
            if let BodyKind::Form {
                struct_name,
                fields,
            } = kind
            {
                let fields: Vec<&Param> = fields.iter().collect();
                let doc = format!(
                    " The `application/x-www-form-urlencoded` body of `{}`, parsed and validated.",
                    op.id
                );
                items.extend(values_struct(
                    &fields,
                    Holds::Request(ParamLocation::Form),
                    struct_name,
                    &doc,
                    open,
                ));
            }
        }
        if let Some(RequestBody {
            kind:
                BodyKind::Multipart {
                    struct_name,
                    fields_struct,
                    fields,
                    files,
                },
            ..
        }) = &op.body
        {
            if !fields.is_empty() {
                let fields: Vec<&Param> = fields.iter().collect();
                let doc = format!(
                    " The text parts of the `multipart/form-data` body of `{}`, parsed and validated as form fields.",
                    op.id
                );
                items.extend(values_struct(
                    &fields,
                    Holds::Request(ParamLocation::Form),
                    fields_struct,
                    &doc,
                    open,
                ));
            }
            items.extend(multipart_struct(
                op,
                struct_name,
                fields_struct,
                fields,
                files,
            ));
        }
        if let Some(RequestBody {
            kind:
                BodyKind::Choice {
                    enum_name,
                    variants,
                },
            ..
        }) = &op.body
        {
            items.extend(choice_enum(op, enum_name, variants));
        }
        for response in &op.responses {
            if let ResponseContent::Choice {
                enum_name,
                variants,
            } = &response.content
            {
                items.extend(content_enum(op, response, enum_name, variants));
            }
        }
        if let Some(negotiation) = &op.negotiation {
            items.extend(media_enum(op, negotiation));
        }
        for response in &op.responses {
            if let Some(name) = &response.headers_struct {
                let params: Vec<&Param> = response.headers.iter().collect();
                let doc = format!(
                    " Headers of the `{}` response of `{}`: set by the server, read by the client.",
                    response.status, op.id
                );
                items.extend(values_struct(
                    &params,
                    Holds::ResponseHeaders,
                    name,
                    &doc,
                    open,
                ));
            }
        }
    }
    let models = mentions_path(&items, "models").then(|| {
        quote!(
            use crate::models;
        )
    });
    let runtime = mentions_path(&items, "runtime").then(|| {
        quote!(
            use crate::runtime;
        )
    });
    // A crate whose only request shapes are bodies of several media types
    // has no parameter struct to use these.
    let param = mentions_ident(&items, "Param").then(|| {
        quote!(
            use crate::runtime::params::Param;
        )
    });
    let request_error = mentions_ident(&items, "RequestError").then(|| {
        quote!(
            use crate::runtime::request_error::RequestError;
        )
    });
    quote! {
        #param
        #request_error
        #models
        #runtime

        #items
    }
}

/// Whether `name` appears as an identifier anywhere in `tokens`.
fn mentions_ident(tokens: &TokenStream, name: &str) -> bool {
    tokens.clone().into_iter().any(|tree| match tree {
        proc_macro2::TokenTree::Ident(ident) => ident == name,
        proc_macro2::TokenTree::Group(group) => mentions_ident(&group.stream(), name),
        _ => false,
    })
}

/// The enum of a body that comes in several media types, one variant per
/// type (a bytes variant is `bytes::Bytes`, which such a crate then always
/// depends on).
fn choice_enum(
    op: &crate::ir::Operation,
    enum_name: &str,
    variants: &[BodyVariant],
) -> TokenStream {
    let name = ident(enum_name);
    let doc = format!(
        " The body of `{}`, in one of its media types: the server tells them by `Content-Type`, the client sends the one given.",
        op.id
    );
    let variants = variants.iter().map(|variant| {
        let value = ident(&variant.name);
        let doc = format!(" `{}`", variant.content_type);
        let ty = match &variant.kind {
            BodyKind::Json(Some(ty)) => model_type(ty),
            BodyKind::Json(None) => quote!(serde_json::Value),
            BodyKind::Text => quote!(String),
            BodyKind::Form { struct_name, .. } => {
                let form = ident(struct_name);
                quote!(#form)
            }
            // The lowering keeps multipart bodies out of a choice.
            BodyKind::Bytes | BodyKind::Choice { .. } | BodyKind::Multipart { .. } => {
                quote!(bytes::Bytes)
            }
        };
        quote!(#[doc = #doc] #value(#ty),)
    });
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name {
            #(#variants)*
        }
    }
}

/// The enum of a response that comes in several media types, one variant
/// per type; in server and client builds (a variant may be a stream).
fn content_enum(
    op: &crate::ir::Operation,
    response: &crate::ir::Response,
    enum_name: &str,
    variants: &[crate::ir::ResponseVariant],
) -> TokenStream {
    let name = ident(enum_name);
    let doc = format!(
        " The `{}` response of `{}`, in one of its media types: the server sends the one given, the client tells them by `Content-Type`.",
        response.status, op.id
    );
    let streamed = response.content.is_streamed();
    let variants = variants.iter().map(|variant| {
        let value = ident(&variant.name);
        let media = variant.content.media_types().join(", ");
        let doc = format!(" `{media}`");
        let ty = match &variant.content {
            ResponseContent::Json { ty: Some(ty), .. } => model_type(ty),
            ResponseContent::Text { .. } => quote!(String),
            ResponseContent::Bytes { .. } => quote!(crate::runtime::stream::ByteStream),
            ResponseContent::Events { ty: Some(ty), .. } => {
                let ty = model_type(ty);
                quote!(crate::runtime::events::EventStream<#ty>)
            }
            ResponseContent::Events { ty: None, .. } => {
                quote!(crate::runtime::events::EventStream<String>)
            }
            // The lowering makes no choice inside a choice, nor a bodiless variant.
            _ => quote!(serde_json::Value),
        };
        quote!(#[doc = #doc] #value(#ty),)
    });
    let derives = if streamed {
        quote!(#[derive(Debug)])
    } else {
        quote!(#[derive(Debug, Clone, PartialEq)])
    };
    quote! {
        #[doc = #doc]
        #[cfg(any(feature = "server", feature = "client"))]
        #derives
        pub enum #name {
            #(#variants)*
        }
    }
}

/// The media types an operation's successes come in: what the server
/// negotiated for the implementation, what a client may ask for.
fn media_enum(op: &crate::ir::Operation, negotiation: &crate::ir::Negotiation) -> TokenStream {
    let name = ident(&negotiation.enum_name);
    let doc = format!(
        " The media types `{}` answers in: the one the server chose by `Accept`, or the one a client asks for.",
        op.id
    );
    let variants = negotiation.variants.iter().map(|(variant, media)| {
        let variant = ident(variant);
        let doc = format!(" `{media}`");
        quote!(#[doc = #doc] #variant,)
    });
    let arms = negotiation.variants.iter().map(|(variant, media)| {
        let variant = ident(variant);
        quote!(#name::#variant => #media,)
    });
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum #name {
            #(#variants)*
        }

        impl #name {
            /// The media type, as the spec writes it.
            pub fn media_type(self) -> &'static str {
                match self {
                    #(#arms)*
                }
            }
        }
    }
}

/// The struct of a multipart body: its text parts (a fields struct, when
/// there are any) and its file parts, streamed; in server and client builds,
/// which have streams.
fn multipart_struct(
    op: &crate::ir::Operation,
    struct_name: &str,
    fields_struct: &str,
    fields: &[Param],
    files: &[crate::ir::FileField],
) -> TokenStream {
    let name = ident(struct_name);
    let doc = format!(
        " The `multipart/form-data` body of `{}`: text parts in `fields`, files as streamed parts.",
        op.id
    );
    let file_part = quote!(runtime::multipart::FilePart);
    let mut members = Vec::new();
    let mut reads = Vec::new();
    // Each member from its read: `fields` from a local of its own name,
    // files from `file_N` (no spec name becomes a local).
    let mut inits = Vec::new();
    let mut sends = Vec::new();
    if !fields.is_empty() {
        let fields_ty = ident(fields_struct);
        members.push(quote!(
            /// The text parts, read and checked as form fields.
            pub fields: #fields_ty,
        ));
        reads.push((quote!(fields), quote!(#fields_ty::from_pairs(&parts.pairs))));
        inits.push(quote!(fields));
    }
    for (index, file) in files.iter().enumerate() {
        let field = ident(&file.field);
        let wire = &file.wire_name;
        let accepted = match &file.accepted {
            Some(accepted) => quote!(Some(#accepted)),
            None => quote!(None),
        };
        let (ty, read, send) = if file.repeated {
            (
                quote!(Vec<#file_part>),
                quote!(parts.many(#wire, #accepted)),
                quote!(files.extend(self.#field.into_iter().map(|file| (#wire, file)));),
            )
        } else if file.required {
            (
                file_part.clone(),
                quote!(parts.one(#wire, #accepted)),
                quote!(files.push((#wire, self.#field));),
            )
        } else {
            (
                quote!(Option<#file_part>),
                quote!(parts.optional(#wire, #accepted)),
                quote!(if let Some(file) = self.#field { files.push((#wire, file)); }),
            )
        };
        let mut docs = file.docs.clone().unwrap_or_default();
        if let Some(accepted) = &file.accepted {
            if !docs.is_empty() {
                docs.push_str("\n\n");
            }
            docs.push_str(&format!("Of a media type in `{accepted}`."));
        }
        let docs = doc_attrs((!docs.is_empty()).then_some(docs.as_str()));
        members.push(quote!(#docs pub #field: #ty,));
        let local = quote::format_ident!("file_{index}");
        reads.push((quote!(#local), read));
        inits.push(quote!(#field: #local));
        sends.push(send);
    }
    let pairs = if fields.is_empty() {
        quote!(Vec::new())
    } else {
        quote!(self.fields.to_pairs())
    };
    let let_all = let_all(&reads);
    let mutable = (!files.is_empty()).then(|| quote!(mut));
    quote! {
        #[doc = #doc]
        #[cfg(any(feature = "server", feature = "client"))]
        #[derive(Debug)]
        pub struct #name {
            #(#members)*
        }

        #[cfg(any(feature = "server", feature = "client"))]
        impl #name {
            /// Reads the parts of a multipart body: every text part and file
            /// checked, every failure reported together; parts of other
            /// names are ignored.
            pub fn from_parts(#mutable parts: runtime::multipart::Parts) -> Result<Self, RequestError> {
                #let_all
                Ok(#name { #(#inits,)* })
            }

            /// The parts to send: text parts as `(name, value)` pairs, files by name.
            #[allow(clippy::vec_init_then_push)]
            pub fn into_parts(self) -> runtime::multipart::PartsToSend {
                let #mutable files = Vec::new();
                #(#sends)*
                (#pairs, files)
            }
        }
    }
}

/// The body of `from_pairs`: every field read, and every failure reported
/// together. The reads are matched as a tuple, so no spec name becomes a local.
fn read_all(name: &proc_macro2::Ident, params: &[&Param]) -> TokenStream {
    let fields = params.iter().map(|p| ident(&p.field));
    let reads: Vec<(TokenStream, TokenStream)> = params
        .iter()
        .enumerate()
        .map(|(index, p)| {
            let value = quote::format_ident!("value_{index}");
            (quote!(#value), read_expr(p))
        })
        .collect();
    let let_all = let_all(&reads);
    let values = reads.iter().map(|(value, _)| value);
    quote! {
        #let_all
        Ok(#name { #(#fields: #values,)* })
    }
}

/// `validate`: the rules the fields break, named as the server names them
/// (the client checks what it sends with it); `None` when nothing is checked.
fn validate_fn(params: &[&Param]) -> Option<TokenStream> {
    let checks: Vec<TokenStream> = params
        .iter()
        .filter_map(|p| {
            let field = ident(&p.field);
            let (value, optional) = if p.required || matches!(p.ty, TypeRef::Vec(_)) {
                (quote!(&self.#field), false)
            } else {
                (quote!(self.#field.as_ref()), true)
            };
            checks::param_check(p, quote!(Param), value, optional)
        })
        .chain(params.iter().filter_map(|p| {
            let field = ident(&p.field);
            checks::present_check(p, quote!(Param), quote!(&self.#field))
        }))
        .collect();
    if checks.is_empty() {
        return None;
    }
    Some(quote! {
        /// Every rule of the spec these values break, each named as the server
        /// names it (`query parameter `limit`: must be at least 5`).
        pub fn validate(&self) -> Result<(), RequestError> {
            RequestError::all_ok([#(#checks),*])
        }
    })
}

/// The Rust type of a parameter's field.
fn field_type(param: &Param) -> TokenStream {
    let ty = model_type(&param.ty);
    if param.required || matches!(param.ty, TypeRef::Vec(_)) {
        ty
    } else {
        quote!(Option<#ty>)
    }
}

fn values_struct(
    params: &[&Param],
    holds: Holds,
    name: &str,
    doc: &str,
    open: &std::collections::BTreeSet<String>,
) -> TokenStream {
    let name = ident(name);
    let fields = params.iter().map(|p| {
        let field = ident(&p.field);
        let ty = field_type(p);
        let mut docs = p.docs.clone().unwrap_or_default();
        if let Some(default) = &p.default {
            if !docs.is_empty() {
                docs.push_str("\n\n");
            }
            docs.push_str(&format!("Default: `{}`.", default.json));
        }
        let docs = doc_attrs((!docs.is_empty()).then_some(docs.as_str()));
        quote!(#docs pub #field: #ty,)
    });
    let derive_default = params.iter().all(|p| !p.required).then(|| quote!(Default,));
    let from_pairs = read_all(&name, params);
    let from_doc = match holds {
        Holds::Request(ParamLocation::Path) => " Reads the path parameters the router matched.",
        Holds::Request(ParamLocation::Query) => {
            " Reads the decoded `(name, value)` pairs of a query string; unknown names are ignored."
        }
        Holds::Request(ParamLocation::Cookie) => {
            " Reads the `(name, value)` pairs of the request's cookies (values percent-decoded)."
        }
        Holds::Request(ParamLocation::Form) => {
            " Reads the decoded `(name, value)` pairs of a form body; unknown names are ignored."
        }
        Holds::Request(_) => {
            " Reads the `(name, value)` pairs of the request headers (names in any case)."
        }
        Holds::ResponseHeaders => {
            " Reads the `(name, value)` pairs of the response headers (names in any case)."
        }
    };
    let to_pairs = match holds {
        Holds::Request(ParamLocation::Query) => Some(to_pairs(
            params,
            " The `(name, value)` pairs of this query, as a client sends them.",
        )),
        Holds::Request(ParamLocation::Form) => Some(to_pairs(
            params,
            " The `(name, value)` pairs of this form, as a client sends them.",
        )),
        Holds::ResponseHeaders => Some(to_pairs(
            params,
            " The `(name, value)` pairs of these headers, as the server sends them.",
        )),
        Holds::Request(_) => None,
    };
    let defaults = params.iter().filter_map(|p| default_accessor(p, open));
    let validate = matches!(holds, Holds::Request(_))
        .then(|| validate_fn(params))
        .flatten();
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq, #derive_default)]
        pub struct #name {
            #(#fields)*
        }

        impl #name {
            #[doc = #from_doc]
            pub fn from_pairs(pairs: &[(String, String)]) -> Result<Self, RequestError> {
                #from_pairs
            }

            #to_pairs

            #validate

            #(#defaults)*
        }
    }
}

/// `Param::query("limit").optional(pairs, |param, text| …)`: reads one
/// field, a `Result`.
fn read_expr(param: &Param) -> TokenStream {
    let constructor = checks::param_constructor(param, quote!(Param));
    if let Some((style, keys)) = object_layout(param) {
        let ty = model_type(&param.ty);
        let parse = quote!(param.parse_object::<#ty>(values));
        let body = if param.checks.is_empty() {
            parse
        } else {
            let checker = checks::checker(&param.checks);
            quote!(param.validated(#parse?, #checker))
        };
        let read = quote!(|param, values| #body);
        return if param.required {
            quote!(#constructor.object_required(pairs, #style, #keys, #read))
        } else {
            quote!(#constructor.object_optional(pairs, #style, #keys, #read))
        };
    }
    let element = match &param.ty {
        TypeRef::Vec(inner) => inner.as_ref(),
        other => other,
    };
    let (parse, repeated) = match param.shape {
        // Read above.
        ParamShape::Spread | ParamShape::ObjectJoined(_) | ParamShape::ObjectPairs => {
            return TokenStream::new();
        }
        ParamShape::Single(ValueForm::Json) => {
            let ty = model_type(&param.ty);
            (quote!(param.parse_json::<#ty>(text)), false)
        }
        ParamShape::Single(_) => {
            let ty = model_type(&param.ty);
            (quote!(param.parse::<#ty>(text)), false)
        }
        ParamShape::Repeated(ValueForm::Json) => {
            let ty = model_type(element);
            (quote!(param.parse_json::<#ty>(text)), true)
        }
        ParamShape::Repeated(_) => {
            let ty = model_type(element);
            (quote!(param.parse::<#ty>(text)), true)
        }
        ParamShape::Delimited(_, delimiter) => {
            let ty = model_type(element);
            (
                quote!(param.parse_delimited::<#ty>(text, #delimiter)),
                false,
            )
        }
    };
    let checker = (!param.checks.is_empty()).then(|| checks::checker(&param.checks));
    if repeated {
        // The items are checked together, once all are read.
        let read = quote!(|param, text| #parse);
        return match checker {
            Some(checker) => quote!(#constructor.repeated_validated(pairs, #read, #checker)),
            None => quote!(#constructor.repeated(pairs, #read)),
        };
    }
    let body = match checker {
        Some(checker) => quote!(param.validated(#parse?, #checker)),
        None => parse,
    };
    // A `label` or `matrix` value loses its prefix first.
    let body = match checks::path_style(param) {
        Some((style, exploded)) => quote!({
            let text = &param.unstyled(text, #style, #exploded)?;
            #body
        }),
        None => body,
    };
    let read = quote!(|param, text| #body);
    if param.required {
        quote!(#constructor.required(pairs, #read))
    } else if matches!(param.ty, TypeRef::Vec(_)) {
        quote!(#constructor.optional(pairs, #read).map(Option::unwrap_or_default))
    } else {
        quote!(#constructor.optional(pairs, #read))
    }
}

/// `to_pairs`: the pairs sent, required values first.
fn to_pairs(params: &[&Param], doc: &str) -> TokenStream {
    let mut required = Vec::new();
    let mut others = Vec::new();
    for p in params {
        let field = ident(&p.field);
        let wire = &p.wire_name;
        if let Some((style, keys)) = object_layout(p) {
            let pairs = quote!(runtime::object_params::object_pairs(#wire, value, #style, #keys));
            others.push(if p.required {
                quote!(let value = &self.#field; pairs.extend(#pairs);)
            } else {
                quote!(if let Some(value) = &self.#field { pairs.extend(#pairs); })
            });
            continue;
        }
        match (p.shape, p.required) {
            (ParamShape::Spread | ParamShape::ObjectJoined(_) | ParamShape::ObjectPairs, _) => {}
            (ParamShape::Repeated(form), _) => {
                let text = value_text(form, quote!(value));
                others.push(quote!(pairs.extend(self.#field.iter().map(|value| (#wire, #text)));));
            }
            (ParamShape::Single(form), true) => {
                let text = value_text(form, quote!(self.#field));
                required.push(quote!((#wire, #text)));
            }
            (ParamShape::Single(form), false) => {
                let text = value_text(form, quote!(value));
                others.push(quote!(pairs.extend(self.#field.iter().map(|value| (#wire, #text)));));
            }
            (ParamShape::Delimited(form, delimiter), _) => {
                let text = value_text(form, quote!(item));
                others.push(quote! {
                    if !self.#field.is_empty() {
                        pairs.push((#wire, runtime::params::delimited(self.#field.iter().map(|item| #text), #delimiter)));
                    }
                });
            }
        }
    }
    let body = if others.is_empty() {
        quote!(vec![#(#required),*])
    } else if required.is_empty() {
        quote! {
            let mut pairs = Vec::new();
            #(#others)*
            pairs
        }
    } else {
        quote! {
            let mut pairs = vec![#(#required),*];
            #(#others)*
            pairs
        }
    };
    quote! {
        #[doc = #doc]
        pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
            #body
        }
    }
}

/// `<param>_or_default()` for an optional parameter whose schema has a usable `default`.
fn default_accessor(
    param: &Param,
    open: &std::collections::BTreeSet<String>,
) -> Option<TokenStream> {
    let default = param.default.as_ref()?;
    let field = ident(&param.field);
    let method = ident(&default.method);
    let ty = model_type(&param.ty);
    let value = or_default(quote!(self.#field), &default.value, &quote!(models::), open);
    let doc = format!(
        " `{}`, or the spec's default `{}` when it was not given.",
        param.wire_name, default.json
    );
    Some(quote! {
        #[doc = #doc]
        pub fn #method(&self) -> #ty {
            #value
        }
    })
}
