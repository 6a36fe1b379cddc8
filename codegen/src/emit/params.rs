//! Parameters in the generated server and client: query structs that parse
//! and validate (`from_pairs`) and write back (`to_pairs`), the readers of path
//! and header parameters, and the text form of parameter values.

use std::collections::BTreeMap;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::rust::{doc_attrs, ident};
use super::server::model_type;
use crate::ir::{Operation, Param, ParamLocation, TypeDef, TypeKind, TypeRef};

pub(super) fn query_params(op: &Operation) -> Vec<&Param> {
    op.params
        .iter()
        .filter(|p| p.location == ParamLocation::Query)
        .collect()
}

pub(super) fn path_params(op: &Operation) -> Vec<&Param> {
    op.params
        .iter()
        .filter(|p| p.location == ParamLocation::Path)
        .collect()
}

pub(super) fn header_params(op: &Operation) -> Vec<&Param> {
    op.params
        .iter()
        .filter(|p| p.location == ParamLocation::Header)
        .collect()
}

/// How a parameter value is read from its text.
pub(super) fn parse_expr(
    param: &Param,
    value: TokenStream,
    types: &BTreeMap<&str, &TypeDef>,
) -> TokenStream {
    let name = &param.wire_name;
    let location = param.location.as_str();
    let element = match &param.ty {
        TypeRef::Vec(inner) => inner.as_ref(),
        other => other,
    };
    let ty = model_type(element);
    if is_scalar(element, types) {
        quote!(parse_param::<#ty>(#name, #location, #value)?)
    } else {
        quote!(parse_json_param::<#ty>(#name, #location, #value)?)
    }
}

/// Whether values of `ty` are written as plain text (`FromStr`/`Display`).
fn is_scalar(ty: &TypeRef, types: &BTreeMap<&str, &TypeDef>) -> bool {
    match ty {
        TypeRef::String
        | TypeRef::Bool
        | TypeRef::I32
        | TypeRef::I64
        | TypeRef::F32
        | TypeRef::F64
        | TypeRef::DateTime
        | TypeRef::Date => true,
        TypeRef::Named(n) => matches!(
            types.get(n.as_str()).map(|d| &d.kind),
            Some(TypeKind::Enum(_))
        ),
        _ => false,
    }
}

/// Parses a path or header parameter, which arrives as one value: an array of
/// scalars is comma-separated (`style: simple`), anything else structured is JSON.
fn parse_single_value_expr(
    param: &Param,
    value: TokenStream,
    types: &BTreeMap<&str, &TypeDef>,
) -> TokenStream {
    let name = &param.wire_name;
    let location = param.location.as_str();
    match &param.ty {
        TypeRef::Vec(inner) if is_scalar(inner, types) => {
            let ty = model_type(inner);
            quote! {
                #value
                    .split(',')
                    .map(|item| parse_param::<#ty>(#name, #location, item))
                    .collect::<Result<Vec<#ty>, RequestError>>()?
            }
        }
        TypeRef::Vec(_) => {
            let ty = model_type(&param.ty);
            quote!(parse_json_param::<#ty>(#name, #location, #value)?)
        }
        _ => parse_expr(param, value, types),
    }
}

/// The checks of `minimum`/`maximum`/length a parameter declares, on `value: &T`.
pub(super) fn constraint_checks(param: &Param) -> TokenStream {
    let name = &param.wire_name;
    let location = param.location.as_str();
    let c = &param.constraints;
    let mut checks = Vec::new();
    let numeric = matches!(
        param.ty,
        TypeRef::I32 | TypeRef::I64 | TypeRef::F32 | TypeRef::F64
    );
    if numeric {
        // (bound, exclusive, failing comparison when inclusive / exclusive, wording)
        let bounds = [
            (
                c.minimum,
                c.exclusive_minimum,
                quote!(<),
                quote!(<=),
                "at least",
                "greater than",
            ),
            (
                c.maximum,
                c.exclusive_maximum,
                quote!(>),
                quote!(>=),
                "at most",
                "less than",
            ),
        ];
        for (bound, exclusive, inclusive_op, exclusive_op, inclusive_word, exclusive_word) in bounds
        {
            let Some(bound) = bound else { continue };
            let (op, word) = if exclusive {
                (exclusive_op, exclusive_word)
            } else {
                (inclusive_op, inclusive_word)
            };
            let message = format!("must be {word} {bound}");
            checks.push(quote! {
                if (*value as f64) #op #bound {
                    return Err(RequestError::invalid_parameter(#name, #location, #message));
                }
            });
        }
    }
    if param.ty == TypeRef::String {
        if let Some(min) = c.min_length {
            let message = format!("must be at least {min} characters long");
            checks.push(quote! {
                if value.chars().count() < #min {
                    return Err(RequestError::invalid_parameter(#name, #location, #message));
                }
            });
        }
        if let Some(max) = c.max_length {
            let message = format!("must be at most {max} characters long");
            checks.push(quote! {
                if value.chars().count() > #max {
                    return Err(RequestError::invalid_parameter(#name, #location, #message));
                }
            });
        }
    }
    quote!(#(#checks)*)
}

/// The checks of an `Option` variable, when the parameter has any.
pub(super) fn optional_checks(param: &Param, var: &Ident) -> TokenStream {
    let checks = constraint_checks(param);
    if checks.is_empty() {
        return checks;
    }
    quote! {
        if let Some(value) = &#var {
            #checks
        }
    }
}

pub(super) fn is_required(param: &Param) -> bool {
    param.required && !matches!(param.ty, TypeRef::Vec(_))
}

pub(super) fn query_struct(
    op: &Operation,
    types: &BTreeMap<&str, &TypeDef>,
) -> Option<TokenStream> {
    let params = query_params(op);
    if params.is_empty() {
        return None;
    }
    let name = format_ident!("{}Query", op.type_name);
    let doc = format!(" Query parameters of `{}`, parsed and validated.", op.id);
    let fields = params.iter().map(|p| {
        let field = ident(&p.name);
        let ty = model_type(&p.ty);
        let ty = if is_required(p) || matches!(p.ty, TypeRef::Vec(_)) {
            ty
        } else {
            quote!(Option<#ty>)
        };
        let mut docs = p.docs.clone().unwrap_or_default();
        if let Some(default) = &p.constraints.default {
            if !docs.is_empty() {
                docs.push_str("\n\n");
            }
            docs.push_str(&format!("Default: `{default}`."));
        }
        let docs = doc_attrs((!docs.is_empty()).then_some(docs.as_str()));
        quote!(#docs pub #field: #ty,)
    });
    let vars = params.iter().map(|p| {
        let var = ident(&p.name);
        let ty = model_type(&p.ty);
        if matches!(p.ty, TypeRef::Vec(_)) {
            quote!(let mut #var: #ty = Vec::new();)
        } else {
            quote!(let mut #var: Option<#ty> = None;)
        }
    });
    let arms = params.iter().map(|p| {
        let var = ident(&p.name);
        let wire = &p.wire_name;
        let parsed = parse_expr(p, quote!(value), types);
        if matches!(p.ty, TypeRef::Vec(_)) {
            quote!(#wire => #var.push(#parsed),)
        } else {
            quote!(#wire => #var = Some(#parsed),)
        }
    });
    let checks = params
        .iter()
        .filter(|p| !matches!(p.ty, TypeRef::Vec(_)))
        .map(|p| optional_checks(p, &ident(&p.name)));
    let finish = params.iter().map(|p| {
        let var = ident(&p.name);
        let wire = &p.wire_name;
        if is_required(p) {
            quote!(#var: #var.ok_or_else(|| RequestError::missing_parameter(#wire, "query"))?,)
        } else {
            quote!(#var,)
        }
    });
    let derive_default = params
        .iter()
        .all(|p| !is_required(p))
        .then(|| quote!(Default,));
    let defaults = params.iter().filter_map(|p| default_accessor(p, types));
    let pushes = params.iter().map(|p| {
        let field = ident(&p.name);
        let wire = &p.wire_name;
        let element = match &p.ty {
            TypeRef::Vec(inner) => inner.as_ref(),
            other => other,
        };
        let text = param_text(element, quote!(value), types);
        if matches!(p.ty, TypeRef::Vec(_)) {
            quote! {
                for value in &self.#field {
                    pairs.push((#wire, #text));
                }
            }
        } else if is_required(p) {
            quote! {
                let value = &self.#field;
                pairs.push((#wire, #text));
            }
        } else {
            quote! {
                if let Some(value) = &self.#field {
                    pairs.push((#wire, #text));
                }
            }
        }
    });
    Some(quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq, #derive_default)]
        pub struct #name {
            #(#fields)*
        }

        impl #name {
            /// Reads the decoded `(name, value)` pairs of a query string; unknown names are ignored.
            pub fn from_pairs(pairs: &[(String, String)]) -> Result<Self, RequestError> {
                #(#vars)*
                for (key, value) in pairs {
                    match key.as_str() {
                        #(#arms)*
                        _ => {}
                    }
                }
                #(#checks)*
                Ok(#name {
                    #(#finish)*
                })
            }

            /// The `(name, value)` pairs of this query, as a client sends them.
            pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
                let mut pairs = Vec::new();
                #(#pushes)*
                pairs
            }

            #(#defaults)*
        }
    })
}

/// `<param>_or_default()` for an optional parameter whose schema has a usable `default`.
fn default_accessor(param: &Param, types: &BTreeMap<&str, &TypeDef>) -> Option<TokenStream> {
    if is_required(param) {
        return None;
    }
    let default = param.constraints.default.as_ref()?;
    let field = ident(&param.name);
    let method = format_ident!("{}_or_default", param.name.trim_end_matches('_'));
    let ty = model_type(&param.ty);
    let value = match (&param.ty, default) {
        (TypeRef::I64, serde_json::Value::Number(n)) => {
            let v = proc_macro2::Literal::i64_unsuffixed(n.as_i64()?);
            quote!(self.#field.unwrap_or(#v))
        }
        (TypeRef::I32, serde_json::Value::Number(n)) => {
            let v = proc_macro2::Literal::i32_unsuffixed(i32::try_from(n.as_i64()?).ok()?);
            quote!(self.#field.unwrap_or(#v))
        }
        (TypeRef::F64 | TypeRef::F32, serde_json::Value::Number(n)) => {
            let v = proc_macro2::Literal::f64_unsuffixed(n.as_f64()?);
            quote!(self.#field.unwrap_or(#v))
        }
        (TypeRef::Bool, serde_json::Value::Bool(b)) => quote!(self.#field.unwrap_or(#b)),
        (TypeRef::String, serde_json::Value::String(text)) => {
            quote!(self.#field.clone().unwrap_or_else(|| #text.to_owned()))
        }
        (TypeRef::Named(name), serde_json::Value::String(text)) => {
            let TypeKind::Enum(e) = &types.get(name.as_str())?.kind else {
                return None;
            };
            let variant = ident(&e.variants.iter().find(|v| &v.value == text)?.name);
            let enum_ident = ident(name);
            quote!(self.#field.unwrap_or(models::#enum_ident::#variant))
        }
        _ => return None,
    };
    let doc = format!(
        " `{}`, or the spec's default `{default}` when it was not given.",
        param.wire_name
    );
    Some(quote! {
        #[doc = #doc]
        pub fn #method(&self) -> #ty {
            #value
        }
    })
}

/// The text form of a parameter value `value: &T`, the inverse of [`parse_expr`].
pub(super) fn param_text(
    ty: &TypeRef,
    value: TokenStream,
    types: &BTreeMap<&str, &TypeDef>,
) -> TokenStream {
    match ty {
        TypeRef::DateTime => quote!(#value.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
        TypeRef::String
        | TypeRef::Bool
        | TypeRef::I32
        | TypeRef::I64
        | TypeRef::F32
        | TypeRef::F64
        | TypeRef::Date => {
            quote!(#value.to_string())
        }
        TypeRef::Named(n)
            if matches!(
                types.get(n.as_str()).map(|d| &d.kind),
                Some(TypeKind::Enum(_))
            ) =>
        {
            quote!(#value.to_string())
        }
        // One value for an array (path, header): comma-separated, as the server reads it.
        TypeRef::Vec(inner) if is_scalar(inner, types) => {
            let item = param_text(inner, quote!(item), types);
            quote!(#value.iter().map(|item| #item).collect::<Vec<String>>().join(","))
        }
        _ => quote!(serde_json::to_string(&#value).unwrap_or_default()),
    }
}

/// `path_params_<op>` and `header_params_<op>`: read, parse and check those parameters.
pub(super) fn param_readers(op: &Operation, types: &BTreeMap<&str, &TypeDef>) -> TokenStream {
    let mut out = TokenStream::new();
    let path = path_params(op);
    if !path.is_empty() {
        let name = format_ident!("path_params_{}", op.fn_name);
        let types_out = path.iter().map(|p| model_type(&p.ty));
        let vars: Vec<Ident> = path.iter().map(|p| ident(&p.name)).collect();
        let reads = path.iter().map(|p| {
            let var = ident(&p.name);
            let wire = &p.wire_name;
            let parsed = parse_single_value_expr(p, quote!(value), types);
            let checks = constraint_checks(p);
            quote! {
                let value = path_value(path, #wire)?;
                let #var = #parsed;
                {
                    let value = &#var;
                    #checks
                }
            }
        });
        out.extend(quote! {
            #[allow(clippy::let_unit_value, unused_variables)]
            fn #name(path: &[(String, String)]) -> Result<(#(#types_out,)*), RequestError> {
                #(#reads)*
                Ok((#(#vars,)*))
            }
        });
    }
    let headers = header_params(op);
    if !headers.is_empty() {
        let name = format_ident!("header_params_{}", op.fn_name);
        let types_out = headers.iter().map(|p| {
            let ty = model_type(&p.ty);
            if p.required { ty } else { quote!(Option<#ty>) }
        });
        let vars: Vec<Ident> = headers.iter().map(|p| ident(&p.name)).collect();
        let reads = headers.iter().map(|p| {
            let var = ident(&p.name);
            let wire = &p.wire_name;
            let parsed = parse_single_value_expr(p, quote!(value), types);
            let checks = optional_checks(p, &var);
            let finish = if p.required {
                quote!(let #var = #var.ok_or_else(|| RequestError::missing_parameter(#wire, "header"))?;)
            } else {
                quote!()
            };
            quote! {
                let #var = match header_value(headers, #wire) {
                    Some(value) => Some(#parsed),
                    None => None,
                };
                #checks
                #finish
            }
        });
        out.extend(quote! {
            fn #name(headers: &HeaderMap) -> Result<(#(#types_out,)*), RequestError> {
                #(#reads)*
                Ok((#(#vars,)*))
            }
        });
    }
    out
}
