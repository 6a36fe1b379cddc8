//! Shared helpers for the Rust emitters: identifiers, type tokens, docs and formatting.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::EmitError;
use crate::ir::TypeRef;

/// An identifier from a name that lowering already made valid.
pub fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// The Rust type for a [`TypeRef`], as written inside the models module.
pub fn type_tokens(ty: &TypeRef) -> TokenStream {
    type_tokens_in(ty, None)
}

/// The Rust type for a [`TypeRef`], with named types behind `path` (e.g. `models::`).
pub fn type_tokens_in(ty: &TypeRef, path: Option<&TokenStream>) -> TokenStream {
    match ty {
        TypeRef::String => quote!(String),
        TypeRef::Bool => quote!(bool),
        TypeRef::I32 => quote!(i32),
        TypeRef::I64 => quote!(i64),
        TypeRef::F32 => quote!(f32),
        TypeRef::F64 => quote!(f64),
        TypeRef::DateTime => quote!(chrono::DateTime<chrono::Utc>),
        TypeRef::Date => quote!(chrono::NaiveDate),
        TypeRef::Json => quote!(serde_json::Value),
        TypeRef::JsonObject => quote!(serde_json::Map<String, serde_json::Value>),
        TypeRef::Named(name) => {
            let name = ident(name);
            quote!(#path #name)
        }
        TypeRef::Vec(inner) => {
            let inner = type_tokens_in(inner, path);
            quote!(Vec<#inner>)
        }
        TypeRef::Map(inner) => {
            let inner = type_tokens_in(inner, path);
            match path {
                Some(_) => quote!(std::collections::BTreeMap<String, #inner>),
                None => quote!(BTreeMap<String, #inner>),
            }
        }
        TypeRef::Boxed(inner) => {
            let inner = type_tokens_in(inner, path);
            quote!(Box<#inner>)
        }
    }
}

/// Whether a type mentions `BTreeMap`.
pub fn uses_btree_map(ty: &TypeRef) -> bool {
    match ty {
        TypeRef::Map(_) => true,
        TypeRef::Vec(inner) | TypeRef::Boxed(inner) => uses_btree_map(inner),
        _ => false,
    }
}

/// `#[doc = "..."]` attributes, one per line; rendered as `///` comments.
pub fn doc_attrs(docs: Option<&str>) -> TokenStream {
    let Some(docs) = docs else {
        return TokenStream::new();
    };
    let text = docs.replace("\r\n", "\n");
    let lines = text.trim().lines().map(|line| {
        let line = line.trim_end();
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote!(#[doc = #line])
    });
    quote!(#(#lines)*)
}

/// Formats tokens as a Rust file with `prettyplease`, after the header comment.
/// Top-level items are separated by a blank line; `use` items stay together.
pub fn format_rust(header: &str, tokens: TokenStream) -> Result<String, EmitError> {
    let file: syn::File =
        syn::parse2(tokens).map_err(|err| EmitError::InvalidRust(err.to_string()))?;
    let mut out = String::new();
    for line in header.lines() {
        out.push_str("// ");
        out.push_str(line);
        out.push('\n');
    }
    let syn::File { attrs, items, .. } = file;
    if !attrs.is_empty() {
        out.push('\n');
        out.push_str(&unparse(attrs, Vec::new()));
    }
    let mut previous_was_use = false;
    for item in items {
        let is_use = matches!(item, syn::Item::Use(_));
        if !(is_use && previous_was_use) {
            out.push('\n');
        }
        previous_was_use = is_use;
        out.push_str(&unparse(Vec::new(), vec![item]));
    }
    Ok(out)
}

fn unparse(attrs: Vec<syn::Attribute>, items: Vec<syn::Item>) -> String {
    let mut file: syn::File = syn::parse_quote!();
    file.attrs = attrs;
    file.items = items;
    prettyplease::unparse(&file)
}
