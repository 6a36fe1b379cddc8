//! Printing helpers shared by the Rust emitters: identifiers, type tokens,
//! docs and formatting. They print IR data; they decide no names.

use proc_macro2::{Ident, Span, TokenStream, TokenTree};
use quote::quote;

use super::EmitError;
use crate::ir::{DefaultValue, Param, ParamShape, TypeRef, ValueForm};

/// An identifier from a name that lowering already made valid.
pub fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// The Rust type for a [`TypeRef`], as written inside the models module.
pub fn type_tokens(ty: &TypeRef) -> TokenStream {
    type_tokens_in(ty, None)
}

/// The Rust type for a [`TypeRef`] outside the models module (`models::Name`).
pub fn model_type(ty: &TypeRef) -> TokenStream {
    type_tokens_in(ty, Some(&quote!(models::)))
}

fn type_tokens_in(ty: &TypeRef, path: Option<&TokenStream>) -> TokenStream {
    match ty {
        TypeRef::String => quote!(String),
        TypeRef::Bool => quote!(bool),
        TypeRef::I32 => quote!(i32),
        TypeRef::I64 => quote!(i64),
        TypeRef::F32 => quote!(f32),
        TypeRef::F64 => quote!(f64),
        TypeRef::DateTime => quote!(chrono::DateTime<chrono::Utc>),
        TypeRef::Date => quote!(chrono::NaiveDate),
        TypeRef::Uuid => quote!(uuid::Uuid),
        TypeRef::Base64 => quote!(crate::runtime::formats::Base64),
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
        TypeRef::External(type_path) => {
            // Lowering checked every segment is an identifier.
            let segments = type_path.split("::").map(ident);
            quote!(#(#segments)::*)
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

/// Whether `tokens` use a path starting with `module::` (so a `use` of it is
/// needed); `runtime::params::…` does not start with `params`.
pub fn mentions_path(tokens: &TokenStream, module: &str) -> bool {
    // The last two tokens: `::` is a joint `:` then an alone `:`.
    let mut path_separator_before = false;
    let mut joint_colon = false;
    let mut candidate = false;
    for tree in tokens.clone() {
        match &tree {
            TokenTree::Group(group) => {
                if mentions_path(&group.stream(), module) {
                    return true;
                }
                (path_separator_before, joint_colon, candidate) = (false, false, false);
            }
            TokenTree::Ident(ident) => {
                candidate = ident == module && !path_separator_before;
                (path_separator_before, joint_colon) = (false, false);
            }
            TokenTree::Punct(punct) if punct.as_char() == ':' => {
                if joint_colon {
                    if candidate {
                        return true;
                    }
                    path_separator_before = true;
                    joint_colon = false;
                } else {
                    joint_colon = punct.spacing() == proc_macro2::Spacing::Joint;
                    path_separator_before = false;
                    if !joint_colon {
                        candidate = false;
                    }
                }
            }
            _ => (path_separator_before, joint_colon, candidate) = (false, false, false),
        }
    }
    false
}

/// The text of one value of the given form; `value` is a `T` or a `&T`
/// (method calls auto-ref, and `json_text` takes any `&impl Serialize`).
pub fn value_text(form: ValueForm, value: TokenStream) -> TokenStream {
    match form {
        ValueForm::Text => quote!(#value.to_string()),
        ValueForm::DateTime => quote!(#value.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
        ValueForm::Json => quote!(runtime::params::json_text(&#value)),
    }
}

/// `field` (an `Option`), or the spec's default; enums are named under `path`.
/// `open`: enums with an `Unknown(String)` variant, which are not `Copy`.
pub fn or_default(
    field: TokenStream,
    default: &DefaultValue,
    path: &TokenStream,
    open: &std::collections::BTreeSet<String>,
) -> TokenStream {
    match default {
        DefaultValue::Int(v) => {
            let v = proc_macro2::Literal::i64_unsuffixed(*v);
            quote!(#field.unwrap_or(#v))
        }
        DefaultValue::Float(v) => {
            let v = proc_macro2::Literal::f64_unsuffixed(*v);
            quote!(#field.unwrap_or(#v))
        }
        DefaultValue::Bool(b) => quote!(#field.unwrap_or(#b)),
        DefaultValue::Str(text) => quote!(#field.clone().unwrap_or_else(|| #text.to_owned())),
        DefaultValue::Variant { enum_name, variant } => {
            let copy = !open.contains(enum_name);
            let enum_ident = ident(enum_name);
            let variant = ident(variant);
            if copy {
                quote!(#field.unwrap_or(#path #enum_ident::#variant))
            } else {
                quote!(#field.clone().unwrap_or(#path #enum_ident::#variant))
            }
        }
    }
}

/// `#[doc = "..."]` attributes, one per line; rendered as `///` comments.
pub fn doc_attrs(docs: Option<&str>) -> TokenStream {
    let Some(docs) = docs else {
        return TokenStream::new();
    };
    // A bare carriage return is not allowed in a doc comment.
    let text = docs.replace("\r\n", "\n").replace('\r', "\n");
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

/// A `u16` status as an unsuffixed literal.
pub fn status_literal(code: u16) -> proc_macro2::Literal {
    proc_macro2::Literal::u16_unsuffixed(code)
}

/// Formats tokens as a Rust file with `prettyplease`, after the header comment.
/// Top-level items are separated by a blank line; `use` items stay together.
pub fn format_rust(header: &str, tokens: TokenStream) -> Result<String, EmitError> {
    let file: syn::File =
        syn::parse2(tokens).map_err(|err| EmitError::InvalidRust(err.to_string()))?;
    let mut out = comment_header(header);
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

/// The header as `//` comment lines.
pub fn comment_header(header: &str) -> String {
    let mut out = String::new();
    for line in header.lines() {
        out.push_str("// ");
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn unparse(attrs: Vec<syn::Attribute>, items: Vec<syn::Item>) -> String {
    let mut file: syn::File = syn::parse_quote!();
    file.attrs = attrs;
    file.items = items;
    prettyplease::unparse(&file)
}

/// `let (a, b) = …;` from reads that are each a `Result<_, RequestError>`:
/// every read runs, and every failure is returned together. The locals are
/// the generator's, never a spec's names.
pub fn let_all(reads: &[(TokenStream, TokenStream)]) -> TokenStream {
    match reads {
        [] => TokenStream::new(),
        [(local, read)] => quote!(let #local = #read?;),
        reads => {
            let locals: Vec<&TokenStream> = reads.iter().map(|(local, _)| local).collect();
            let reads = reads.iter().map(|(_, read)| read);
            quote! {
                let (#(#locals),*) = match (#(#reads),*) {
                    (#(Ok(#locals)),*) => (#(#locals),*),
                    (#(#locals),*) => return Err(RequestError::all([#(#locals.err()),*])),
                };
            }
        }
    }
}

/// An object parameter's `ObjectStyle` and `(property, key)` table, as
/// the runtime's `object_params` takes them; `None` for other shapes.
pub fn object_layout(param: &Param) -> Option<(TokenStream, TokenStream)> {
    let style = match param.shape {
        ParamShape::Spread => quote!(runtime::object_params::ObjectStyle::Spread),
        ParamShape::ObjectJoined(delimiter) => {
            quote!(runtime::object_params::ObjectStyle::Joined(#delimiter))
        }
        ParamShape::ObjectPairs => quote!(runtime::object_params::ObjectStyle::Pairs),
        _ => return None,
    };
    let keys = param
        .properties
        .iter()
        .map(|(property, key)| quote!((#property, #key)));
    Some((style, quote!(&[#(#keys),*])))
}

#[cfg(test)]
mod tests {
    use super::mentions_path;
    use quote::quote;

    #[test]
    fn only_paths_that_start_with_the_module_count() {
        assert!(mentions_path(&quote!(let x: params::Foo = y;), "params"));
        assert!(mentions_path(&quote!(f(params::Foo::new())), "params"));
        assert!(!mentions_path(
            &quote!(runtime::params::json_text(&v)),
            "params"
        ));
        assert!(!mentions_path(
            &quote!(
                fn f(params: &str) {}
            ),
            "params"
        ));
        assert!(mentions_path(
            &quote!(runtime::params::json_text(&v)),
            "runtime"
        ));
    }
}
